"""Elements hidden from screen readers (``aria-hidden="true"``) are dropped by the extraction; the
words either side of one must not run together (pipelines.markup.keep_hidden_breaks). Made-up
headings and paragraphs in several languages, one shape per row."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from pipelines.extract import extract_document
from pipelines.markup import keep_hidden_breaks

LEAD = {
    "de": "Die Delegierten haben in Küssnacht eine neue Initiative lanciert und wollen bei den Wahlen "
    "mit Kritik an der Asylpolitik punkten, sagte der Präsident vor den Medien.",
    "fr": "Les délégués ont lancé une nouvelle initiative et veulent marquer des points aux élections "
    "avec une critique de la politique d'asile, a déclaré le président.",
    "it": "I delegati hanno lanciato una nuova iniziativa e vogliono guadagnare punti alle elezioni "
    "criticando la politica d'asilo, ha detto il presidente ai giornalisti.",
}
HIDDEN = [
    # (language, heading markup, words that must stay apart)
    (
        "de",
        '<h2><span>Sonderparteitag zur Migration</span><span aria-hidden="true"> – </span>'
        "<span>Chiesa ruft zum Widerstand auf</span></h2>",
        "Migration Chiesa",
    ),
    (
        "fr",
        '<h2><span>Congrès sur la migration</span><span aria-hidden="true">|</span>'
        "<span>Le président appelle à la résistance</span></h2>",
        "migration Le",
    ),
    (
        "it",
        '<h2>Congresso sulla migrazione<i aria-hidden="TRUE" class="icon"></i>Il presidente '
        "chiama alla resistenza</h2>",
        "migrazione Il",
    ),
    (
        "de",
        '<h2><span>Sonderparteitag</span><span aria-hidden="true"><svg><path d="M0"/></svg></span>'
        "<span>Chiesa ruft auf</span></h2>",
        "Sonderparteitag Chiesa",
    ),
]


@pytest.mark.parametrize(("lang", "heading", "apart"), HIDDEN)
def test_words_either_side_of_a_hidden_element_stay_apart(lang: str, heading: str, apart: str) -> None:
    body = f"<article>{heading}<p>{LEAD[lang]}</p><p>{LEAD[lang]}</p></article>"
    head = '<head><meta charset="utf-8"><title>t</title></head>'
    page = f'<html lang="{lang}">{head}<body>{body}</body></html>'
    text = extract_document(page.encode(), "https://www.example.eu/news/1", "text/html").text or ""
    assert apart in " ".join(text.split())
    glued = apart.replace(" ", "")
    assert glued not in text


@pytest.mark.parametrize(
    ("markup", "changed", "tail"),
    [
        ('<p>a<span aria-hidden="true">x</span>b</p>', 1, " b"),
        ('<p>a<span aria-hidden="true">x</span> b</p>', 0, " b"),
        ('<p>a<span aria-hidden="false">x</span>b</p>', 0, "b"),
        ('<p>a<span aria-hidden="true">x</span></p>', 1, " "),
    ],
)
def test_keep_hidden_breaks(markup: str, changed: int, tail: str) -> None:
    tree = lxml_html.fromstring(markup)
    assert keep_hidden_breaks(tree) == changed
    assert tree.find("span").tail == tail
