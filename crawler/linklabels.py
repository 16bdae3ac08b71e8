"""Link texts that are no titles: "Read more", "1", "»" (pure functions, stdlib only).

Rule for the class (`is_link_label`): the text of a link, folded (case, accents kept; punctuation,
arrows, brackets, ellipses and spaces around dropped: "Read more »", "[...] weiterlesen →",
"(1)"), is no title of the document it leads to when it
1. holds fewer than `MIN_LETTERS` letters (empty, "»", "…", "+", "Go", page and entry numbers "1",
   "12", "iii" of roman numerals included), or only digits and roman numerals; or
2. is a "read more" phrase of one of the 24 official EU languages (`READ_MORE`: "read more",
   "more", "weiterlesen", "lire la suite", "leer más", "czytaj więcej", "lue lisää", "léigh
   tuilleadh", "click here", "details", ...), as listings write under each teaser; or
3. is a bare file name (`FILE_NAME`: one word ending in a document or page extension, "empty.html",
   "report_2024.pdf", "index.php"), which names the file, not the document.
Such a text never becomes an item's title: a listing takes the entry's own title from the page it
lists (spiders.listing.entry_title), else the item has no title until its page is read.
"""

from __future__ import annotations

import re
import unicodedata

MIN_LETTERS = 3
"""Letters a link text has at least to be a title ("EU" or "Go" is no document's title)."""

READ_MORE: frozenset[str] = frozenset(
    {
        # en
        "read more", "more", "read on", "continue reading", "learn more", "find out more", "more info",
        "more information", "see more", "view more", "full story", "read the full article", "read article",
        "details", "more details", "click here", "here", "read", "view", "open", "link", "next", "previous",
        # de
        "weiterlesen", "weiter lesen", "mehr", "mehr lesen", "mehr erfahren", "mehr dazu", "mehr infos",
        "zum artikel", "zum beitrag", "hier", "hier klicken", "weiter", "details anzeigen",
        # fr
        "lire la suite", "la suite", "suite", "lire plus", "en savoir plus", "plus", "voir plus", "ici",
        "cliquez ici", "lire", "détails", "plus d'infos", "plus d'informations",
        # es
        "leer más", "más", "seguir leyendo", "saber más", "ver más", "más información", "aquí", "leer",
        "haga clic aquí", "detalles",
        # it
        "leggi tutto", "leggi di più", "continua a leggere", "scopri di più", "approfondisci", "di più",
        "leggi", "dettagli", "qui", "clicca qui", "continua",
        # pt
        "ler mais", "leia mais", "saiba mais", "mais", "continuar a ler", "ver mais", "aqui", "detalhes",
        # nl
        "lees meer", "meer", "verder lezen", "lees verder", "meer informatie", "meer lezen", "bekijk",
        # pl
        "czytaj więcej", "więcej", "czytaj dalej", "dowiedz się więcej", "zobacz więcej", "czytaj",
        "szczegóły", "tutaj",
        # cs
        "číst dále", "více", "číst více", "zobrazit více", "pokračovat", "celý článek", "detail", "zde",
        # sk
        "čítať ďalej", "viac", "čítať viac", "zobraziť viac", "celý článok", "tu",
        # sl
        "preberi več", "več", "beri naprej", "več o tem", "preberite več",
        # hr
        "pročitaj više", "više", "saznaj više", "opširnije", "detaljnije", "pročitajte više",
        # hu
        "tovább", "bővebben", "részletek", "tovább olvasom", "olvass tovább", "több", "tovább olvasás",
        # ro
        "citește mai mult", "citeste mai mult", "mai mult", "detalii", "continuare", "află mai multe",
        "citește", "aici",
        # bg
        "прочети още", "още", "виж още", "научете повече", "повече", "подробности", "прочетете повече",
        "виж повече", "тук",
        # el
        "διαβάστε περισσότερα", "περισσότερα", "διαβάστε τη συνέχεια", "συνέχεια", "δείτε περισσότερα",
        "περισσότερες πληροφορίες", "εδώ",
        # da
        "læs mere", "mere", "læs videre", "se mere", "her",
        # sv
        "läs mer", "mer", "läs vidare", "se mer", "läs hela artikeln", "här",
        # fi
        "lue lisää", "lisää", "lue koko juttu", "katso lisää", "lisätietoja", "lue", "tästä",
        # et
        "loe edasi", "loe lisaks", "rohkem", "vaata lisaks", "loe rohkem", "edasi", "loe", "siit",
        # lv
        "lasīt vairāk", "vairāk", "lasīt tālāk", "uzzināt vairāk", "skatīt vairāk", "lasīt", "šeit",
        # lt
        "skaityti daugiau", "daugiau", "skaityti toliau", "plačiau", "sužinoti daugiau", "skaityti", "čia",
        # mt
        "aqra aktar", "aktar", "kompli aqra", "ara aktar", "aqra", "hawn",
        # ga
        "léigh tuilleadh", "tuilleadh", "léigh níos mó", "tuilleadh eolais", "léigh", "anseo",
    }
)  # fmt: skip
"""Folded "read more" phrases of the 24 official EU languages (module rule 2)."""

FILE_NAME = re.compile(
    r"^[^\s/]+\.(?:s?html?|xhtml|php\d?|aspx?|jsp|cfm|pdf|docx?|odt|rtf|txt|xlsx?|ods|pptx?|odp|xml|json)$",
    re.IGNORECASE,
)
"""A link text that is a file name (module rule 3)."""
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_ROMAN = re.compile(r"^m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$")


def fold_label(text: str | None) -> str:
    """`text` as rule 1 and 2 compare it: NFKC, lower case, one space between words, punctuation,
    arrows, brackets and ellipses at either end dropped."""
    value = " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())
    return _EDGES.sub("", value)


def is_link_label(text: str | None) -> bool:
    """True when a link's text is no title (module rule)."""
    if FILE_NAME.match((text or "").strip()):
        return True
    folded = fold_label(text)
    letters = sum(ch.isalpha() for ch in folded)
    if letters < MIN_LETTERS:
        return True
    if all(_ROMAN.match(word) or word.isdigit() for word in re.split(r"[\W_]+", folded) if word):
        return True
    return folded in READ_MORE
