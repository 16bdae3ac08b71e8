"""Page metadata as sites really write it: JSON-LD wrapped in a comment or CDATA, with a raw tab in a
string or a trailing comma, still gives the article's date with its time; a title a CMS escaped twice
("&amp;amp;") is decoded once more. Made-up pages, one fault per row."""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document
from pipelines.pagemeta import load_json_ld

BODY = (
    "<p>"
    + "Die Integration von Zugewanderten ist eine gemeinsame Aufgabe von Bund und Ländern. " * 6
    + "</p>"
)
LD = '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Kurse", "datePublished": '
WHEN = '"2025-03-03T10:00:00+01:00"'


def page(head: str, title: str = "Kurse") -> bytes:
    return (
        f'<html lang="de"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body><article><h1>Kurse</h1>{BODY}</article></body></html>"
    ).encode()


def ld(block: str) -> str:
    return f'<script type="application/ld+json">{block}</script>'


@pytest.mark.parametrize(
    "block",
    [
        pytest.param(LD + WHEN + "}", id="plain"),
        pytest.param("<!-- " + LD + WHEN + "} -->", id="html-comment"),
        pytest.param("//<![CDATA[\n" + LD + WHEN + "}\n//]]>", id="cdata"),
        pytest.param(LD.replace('"Kurse"', '"Kurse\tneu"') + WHEN + "}", id="raw-tab-in-string"),
        pytest.param(LD + WHEN + ",}", id="trailing-comma"),
        pytest.param('{"@graph": [' + LD + WHEN + "},]}", id="trailing-comma-in-graph"),
    ],
)
def test_lenient_json_ld_gives_the_timed_date(block: str) -> None:
    document = extract_document(page(ld(block)), "https://www.example.de/a", "text/html")
    assert (document.published, document.published_from) == ("2025-03-03T10:00:00+01:00", "jsonld")


@pytest.mark.parametrize("raw", ["nope", "{", '{"a": }', ""])
def test_json_ld_that_is_no_json_is_skipped(raw: str) -> None:
    assert load_json_ld(raw) is None


def test_a_comma_inside_a_string_is_kept() -> None:
    assert load_json_ld('{"a": "b, }", "c": [1,]}') == {"a": "b, }", "c": [1]}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Bund &amp;amp; Länder: neue Kurse", "Bund & Länder: neue Kurse"),
        ("Caf&amp;eacute; der Kulturen &amp;#8211; Programm", "Café der Kulturen – Programm"),
        ("Bund & Länder: neue Kurse", "Bund & Länder: neue Kurse"),
        ("R&amp;D für Integration", "R&D für Integration"),
    ],
)
def test_twice_escaped_titles_are_decoded(title: str, expected: str) -> None:
    assert extract_document(page("", title), "https://www.example.de/a", "text/html").title == expected
