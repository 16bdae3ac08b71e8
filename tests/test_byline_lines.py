"""A bare byline line at the top of an article's text (pipelines.byline_lines): a byline word of the
page's language, a person's name, separators and perhaps a date is furniture, taken as the author and
left out of the text; a heading, a sentence or a name without a separator stays. Made-up lines, in
the EU's languages."""

from __future__ import annotations

import pytest

from pipelines.byline_lines import byline_line, take_byline_lines
from pipelines.extract import extract_document

# language, line, author or None
LINES = [
    ("de", "Von Julia Schmidt ·", "Julia Schmidt"),
    ("de", "Von Julia Schmidt · 7. Dezember 2026", "Julia Schmidt"),
    ("de", "Von Julia Schmidt und Max Meier | 07.12.2026, 14:30 Uhr", "Julia Schmidt, Max Meier"),
    ("de", "Autorin: Ursula von der Leyen", "Ursula von der Leyen"),
    ("fr", "Par Marie Dupont |", "Marie Dupont"),
    ("fr", "Par Anne-Marie Dupont — 7 décembre 2026", "Anne-Marie Dupont"),
    ("fr", "Par Marie Dupont et Paul Martin ·", "Marie Dupont, Paul Martin"),
    ("cs", "Autor: Jan Novák ·", "Jan Novák"),
    ("cs", "Autor: Jan Novák", "Jan Novák"),
    ("sk", "Autorka: Mária Kováčová | 7. decembra 2026", "Mária Kováčová"),
    ("en", "By John Smith |", "John Smith"),
    ("en", "By J. R. Smith · 2 hours ago", "J. R. Smith"),
    ("it", "Di Marco Rossi · 7 dicembre 2026", "Marco Rossi"),
    ("es", "Por Pedro de la Fuente |", "Pedro de la Fuente"),
    ("pt", "Por Ana Sousa —", "Ana Sousa"),
    ("nl", "Door Pieter van Dijk |", "Pieter van Dijk"),
    ("pl", "Autor: Anna Kowalska · 5 marca 2026", "Anna Kowalska"),
    ("hu", "Írta: Kovács Anna |", "Kovács Anna"),
    ("el", "Του Γιώργου Παπαδόπουλου ·", "Γιώργου Παπαδόπουλου"),
    ("bg", "Автор: Иван Петров", "Иван Петров"),
    ("sv", "Av Erik Andersson |", "Erik Andersson"),
    ("fi", "Kirjoittaja: Matti Virtanen", "Matti Virtanen"),
    ("ro", "De Ioana Popescu |", "Ioana Popescu"),
    ("hr", "Piše: Ivana Horvat", "Ivana Horvat"),
    # no byline: a heading, a sentence, a name without a colon or separator, another language's word
    ("de", "Von Berlin nach Paris", None),
    ("de", "Von Julia Schmidt", None),
    ("en", "By Royal Appointment", None),
    ("en", "By the end of 2026 | all classes", None),
    ("fr", "Par ailleurs, la ville ouvre trois cours.", None),
    ("fr", "Par Marie Dupont | Les cours de langue", None),
    ("cs", "Autor: neznámý", None),
    ("de", "Par Marie Dupont |", None),
    ("pl", "Autor: Anna", None),
    ("it", "Di " + "Marco Rossi " * 10 + "|", None),
]


@pytest.mark.parametrize(("lang", "line", "author"), LINES, ids=lambda v: str(v)[:40])
def test_a_line_that_is_only_a_byline(lang: str, line: str, author: str | None) -> None:
    assert byline_line(line, (lang,)) == author


def test_a_page_without_a_language_tries_every_language() -> None:
    assert byline_line("Par Marie Dupont |") == "Marie Dupont"
    assert byline_line("Του Γιώργου Παπαδόπουλου ·") == "Γιώργου Παπαδόπουλου"


PARAGRAPH = (
    "Die Stadt baut ihre Sprachkurse für Neuankömmlinge in allen Bezirken weiter aus und plant mehr. " * 2
)


@pytest.mark.parametrize(
    ("text", "kept", "author"),
    [
        (f"Neue Kurse\nVon Julia Schmidt ·\n{PARAGRAPH}", f"Neue Kurse\n{PARAGRAPH}", "Julia Schmidt"),
        (f"Von Julia Schmidt ·\n{PARAGRAPH}", PARAGRAPH, "Julia Schmidt"),
        # after the first paragraph, a byline-like line is the article's: kept
        (f"{PARAGRAPH}\nVon Julia Schmidt ·", f"{PARAGRAPH}\nVon Julia Schmidt ·", None),
        # beyond the first lines: kept
        (
            f"A\nB\nC\nD\nVon Julia Schmidt ·\n{PARAGRAPH}",
            f"A\nB\nC\nD\nVon Julia Schmidt ·\n{PARAGRAPH}",
            None,
        ),
        (f"Neue Kurse\n{PARAGRAPH}", f"Neue Kurse\n{PARAGRAPH}", None),
    ],
)
def test_the_text_loses_its_bare_byline(text: str, kept: str, author: str | None) -> None:
    assert take_byline_lines(text, ("de",)) == (kept, author)


BODY = (
    "<p>"
    + "The city is expanding its language classes for newcomers in every district this winter. " * 4
    + "</p>"
)


@pytest.mark.parametrize(
    ("lang", "line", "author", "published"),
    [
        ("de", "Von Julia Schmidt ·", "Julia Schmidt", None),
        ("de", "Von Julia Schmidt · 7. Dezember 2026", "Julia Schmidt", "2026-12-07"),
        ("fr", "Par Marie Dupont |", "Marie Dupont", None),
        ("cs", "Autor: Jan Novák ·", "Jan Novák", None),
        ("nl", "Door Pieter van Dijk | 7 december 2026", "Pieter van Dijk", "2026-12-07"),
        ("el", "Του Γιώργου Παπαδόπουλου ·", "Γιώργου Παπαδόπουλου", None),
        ("hu", "Írta: Kovács Anna |", "Kovács Anna", None),
        ("pl", "Autor: Anna Kowalska · 5 marca 2026", "Anna Kowalska", "2026-03-05"),
    ],
)
def test_a_page_keeps_its_byline_out_of_the_text(
    lang: str, line: str, author: str, published: str | None
) -> None:
    markup = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Classes</title></head>'
        f"<body><main><article><h1>Classes</h1><p>{line}</p>{BODY}</article></main></body></html>"
    ).encode()
    document = extract_document(markup, "https://example.eu/news/classes", "text/html")
    assert document.author == author
    assert document.text is not None
    assert line not in document.text
    assert document.text.split("\n")[-1].startswith("The city is expanding")
    assert document.published == published
