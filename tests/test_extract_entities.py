"""A page's character references are decoded once (pipelines.extract.decoded_once).

trafilatura's plain text ends with ``html.unescape`` over text the HTML parser has already decoded, so
a page whose text reads "&lt;b&gt;" (written ``&amp;lt;b&amp;gt;``) came out as "<b>" and "AT&amp;T"
as "AT&T". Each row: what the page's markup writes inside a paragraph, and the text a reader sees.
"""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document

PARAGRAPH = (
    "Die Stadt bietet Sprachkurse für Geflüchtete an. Die Kurse finden montags statt und sind "
    "kostenlos für alle Teilnehmenden, die sich bis Ende des Monats anmelden. "
)

ROWS = [
    # (markup, text read): a literal entity the page shows stays as the reader sees it
    ("Im Formular steht &amp;lt;b&amp;gt; vor dem Namen.", "Im Formular steht &lt;b&gt; vor dem Namen."),
    ("Die Firma AT&amp;amp;T spendet.", "Die Firma AT&amp;T spendet."),
    ("Der Code &amp;#1; ist kein Zeichen.", "Der Code &#1; ist kein Zeichen."),
    ("Schreiben Sie &amp;nbsp; nicht aus.", "Schreiben Sie &nbsp; nicht aus."),
    ("Le code &amp;eacute; donne é.", "Le code &eacute; donne é."),
    # references written once are decoded once, as before
    ("Forschung &amp; Entwicklung für R&amp;D.", "Forschung & Entwicklung für R&D."),
    ("Es gilt 5 &lt; 7 und 9 &gt; 3.", "Es gilt 5 < 7 und 9 > 3."),
    ("Das Projekt &quot;Ankommen&quot; startet.", 'Das Projekt "Ankommen" startet.'),
    ("Der Kurs kostet 10&nbsp;&euro; im Monat.", "Der Kurs kostet 10 € im Monat."),  # spaces folded
    ("Zeilen &amp;#10; und &amp;#13; im Quelltext.", "Zeilen &#10; und &#13; im Quelltext."),
    (
        "Das Zeichen \u2bd1 und &amp;nbsp; zusammen.",
        "Das Zeichen \u2bd1 und \u00a0 zusammen.",
    ),  # see _AMPERSAND
    (
        "Ein zitiertes &lt;script&gt;alert(1)&lt;/script&gt; bleibt Text.",
        "Ein zitiertes <script>alert(1)</script> bleibt Text.",
    ),
    ("Ein bloßes & und ein &unbekannt; bleiben.", "Ein bloßes & und ein &unbekannt; bleiben."),
]


def _page(markup: str) -> bytes:
    return (
        "<html><head><title>Sprachkurse</title></head><body><article><h1>Sprachkurse</h1>"
        f"<p>{PARAGRAPH * 3}</p><p>{markup}</p><p>{PARAGRAPH * 2}</p></article></body></html>"
    ).encode()


@pytest.mark.parametrize(("markup", "expected"), ROWS, ids=[r[1][:30] for r in ROWS])
def test_references_are_decoded_once(markup: str, expected: str) -> None:
    document = extract_document(_page(markup), "https://city.example.eu/kurse", "text/html")
    lines = [line for line in (document.text or "").split("\n") if not line.startswith("Die Stadt bietet")]
    assert expected in lines, lines
