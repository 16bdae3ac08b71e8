"""Bare byline lines at the top of an article's text: "Von Julia Schmidt ·", "Par Marie Dupont |".

Rule: main-text extraction keeps a byline that the page sets as a paragraph of its own, and the text
then opens with it ("Neue Kurse\\nVon Julia Schmidt ·\\nDie Stadt baut ..."). Among the text's first
`FIRST_LINES` lines, before its first paragraph of `PARAGRAPH_CHARS` or more, a line of at most
`MAX_LINE_CHARS` that is only a byline is the page's furniture: it is taken as the byline (its
names are the author) and left out of the text. A line is only a byline when it is, in order:

- a byline word of the page's language (`BYLINE_WORDS`: "Von", "Par", "Autor:", "Írta:", "Του",
  ...; every language's on a page that declares none), a colon after it optional;
- a person's name, or several joined by a comma or the language's "and": two to five words, each
  capitalised or an initial ("J."), lowercase name particles between them ("de", "van", "von der");
- separators (``·`` ``|`` ``•`` ``–`` ``—`` ``-`` ``/`` ``,``), optionally followed by a date
  (`pipelines.dates.parse_date`: "7. Dezember 2026", "12/03/2026 14:30") or a relative one
  ("vor 2 Stunden", `pipelines.relative_dates`);

and shows that it is a byline by a colon after the byline word, a separator or a date: a line
"Von Berlin nach Paris" (a lowercase word that is no particle), "By Royal Appointment" (no
separator) or a sentence stays text. The date such a line writes is still read as the page's
(`pipelines.extract` reads written dates from the text before the line is taken out).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC

from pipelines.dates import parse_date
from pipelines.relative_dates import relative_date

FIRST_LINES = 4
"""Lines at the top of the text looked at (the title, a kicker, the byline, a dateline)."""
PARAGRAPH_CHARS = 120
"""A line this long is the article's first paragraph: the byline stands before it
(`pipelines.byline.PARAGRAPH_CHARS`)."""
MAX_LINE_CHARS = 100
"""A byline line is short: a word, one or two names and a date."""

# fmt: off
BYLINE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("written by", "by", "author", "authors", "words"),
    "de": ("von", "autor", "autorin", "text"),
    "fr": ("par", "auteur", "autrice", "texte"),
    "it": ("a cura di", "di", "autore", "autrice", "testo"),
    "es": ("por", "autor", "autora", "texto"),
    "pt": ("por", "autor", "autora", "texto"),
    "nl": ("door", "auteur", "tekst"),
    "pl": ("autor", "autorka", "tekst"),
    "cs": ("autor", "autorka", "text"),
    "sk": ("autor", "autorka", "text"),
    "sl": ("avtor", "avtorica", "piše", "besedilo"),
    "hr": ("autor", "autorica", "piše", "tekst"),
    "hu": ("szerző", "írta"),
    "ro": ("de", "autor", "autoare", "text"),
    "bg": ("автор", "от", "текст"),
    "el": ("του", "της", "συντάκτης", "συντάκτρια", "γράφει", "κείμενο"),
    "lt": ("autorius", "autorė", "tekstas"),
    "lv": ("autors", "autore", "teksts"),
    "et": ("autor", "tekst"),
    "fi": ("kirjoittaja", "teksti"),
    "sv": ("av", "text", "skribent"),
    "da": ("skrevet af", "af", "tekst"),
    "mt": ("minn", "awtur", "kitba"),
    "ga": ("le", "údar"),
}
# fmt: on
"""Words that open a byline, per ISO 639-1 language: "by" and "author" (and "text") as the press of
each of the 24 EU languages writes them."""

_PARTICLES = r"de|da|di|del|della|dos|das|do|du|le|la|van|von|der|den|ter|te|zu|af|y|e|al|bin|mac|ó|ní|nic"
"""Lowercase particles inside a name ("Ursula von der Leyen", "Pedro de la Fuente")."""
_AND = r"and|und|et|e|y|en|i|a|és|och|og|ja|и|και|ir|un|u|agus|și|şi|si|ve|in"
"""The word for "and" between two names."""
_CAPITALISED = r"(?:[^\W\d_]\.|[^\W\d_][\w'’]*(?:-[^\W\d_][\w'’]*)*)"
_SEPARATORS = "·|•–—-/,;"
_SEPARATOR_RUN = re.compile(rf"\s*[{re.escape(_SEPARATORS)}]+\s*")


def _name_words(words: list[str]) -> bool:
    """Two to five words of one name: capitalised words or initials, lowercase particles between."""
    capitalised = [w for w in words if w[:1].isupper()]
    if not 2 <= len(words) <= 5 or len(capitalised) < 2 or not words[0][:1].isupper():
        return False
    return all(
        re.fullmatch(_CAPITALISED, w) and (w[:1].isupper() or re.fullmatch(_PARTICLES, w)) for w in words
    )


def _names(part: str) -> list[str] | None:
    """The names of `part` ("Julia Schmidt und Max Meier", "Anna Novak, Jan Horvat"), or None when
    it is not names alone."""
    pieces = re.split(rf"\s*,\s*|\s+(?:{_AND})\s+", part.strip())
    names = [" ".join(piece.split()) for piece in pieces]
    if not names or not all(_name_words(name.split()) for name in names):
        return None
    return names


def _words(languages: Sequence[str]) -> tuple[str, ...]:
    known = [lang for lang in languages if lang in BYLINE_WORDS]
    chosen = known or list(BYLINE_WORDS)
    return tuple(sorted({w for lang in chosen for w in BYLINE_WORDS[lang]}, key=len, reverse=True))


def byline_line(line: str, languages: Sequence[str] = ()) -> str | None:
    """The author (names joined by ", ") of `line` when it is only a byline (module docstring), else
    None. `languages`: the page's declared language (ISO 639-1), first first."""
    line = " ".join(line.split())
    if not line or len(line) > MAX_LINE_CHARS:
        return None
    folded = line.casefold()
    for word in _words(languages):
        if not folded.startswith(word) or (len(folded) > len(word) and folded[len(word)].isalnum()):
            continue
        rest = line[len(word) :]
        colon = rest.lstrip().startswith(":")
        rest = rest.lstrip().removeprefix(":").strip()
        author = _names_and_tail(rest, colon, languages)
        if author is not None:
            return author
    return None


def _names_and_tail(rest: str, colon: bool, languages: Sequence[str]) -> str | None:
    """The author of a byline's `rest` after its word: names, then separators and perhaps a date."""
    for split in _SEPARATOR_RUN.finditer(rest):
        names = _names(rest[: split.start()])
        if names is None:
            continue
        tail = rest[split.end() :].strip(_SEPARATORS + " ")
        if not tail or _dated(tail, languages):
            return ", ".join(names)
    names = _names(rest)
    return ", ".join(names) if names is not None and colon else None


def _dated(tail: str, languages: Sequence[str]) -> bool:
    """A byline's tail that is a date, written out or relative."""
    try:
        return parse_date(tail, UTC, languages=languages) is not None or relative_date(tail) is not None
    except ValueError:
        return False


def take_byline_lines(text: str | None, languages: Sequence[str] = ()) -> tuple[str | None, str | None]:
    """(`text` without its bare byline lines, their author or None) (module docstring)."""
    if not text:
        return text, None
    lines = text.split("\n")
    author: str | None = None
    kept: list[str] = []
    for index, line in enumerate(lines):
        if index >= FIRST_LINES or len(line) >= PARAGRAPH_CHARS:
            kept.extend(lines[index:])
            break
        found = byline_line(line, languages)
        if found is None:
            kept.append(line)
        else:
            author = author or found
    return ("\n".join(kept) if author else text), author
