"""Malformed HTML that lost a page's text or title: markup nested deeper than libxml2 parses (its
article was dropped silently; now read without wrapper tags and flagged ``extract.deep_markup``), an
inline SVG icon's <title> taken for the page's, NUL bytes and control characters. Made-up pages in
several EU languages, one fault per row."""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document
from pipelines.markup import parse_html

TEXTS = {
    "de": "Die Bundesregierung hat neue Integrationskurse für Geflüchtete beschlossen.",
    "pl": "Rząd przyjął nowy program integracji cudzoziemców z kursami języka polskiego.",
    "el": "Η κυβέρνηση ενέκρινε νέο πρόγραμμα ένταξης μεταναστών με μαθήματα ελληνικής.",
}
SVG = '<svg viewBox="0 0 8 8"><title>Icon Pfeil</title></svg>'


def article(lang: str) -> str:
    return f"<article><h1>Neue Kurse</h1><p>{TEXTS[lang]}</p><p>{TEXTS[lang][::-1]}</p></article>"


NUL_ARTICLE = (
    "<article><h1>Neue Kurse</h1><p>" + TEXTS["de"].replace("Bundes", "Bundes\x00") + "</p></article>"
)


def page(lang: str, body: str, head: str = "<title>Neue Kurse</title>") -> bytes:
    return f'<html lang="{lang}"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'.encode()


@pytest.mark.parametrize(
    ("lang", "body", "deep"),
    [
        pytest.param("de", "<div>" * 300 + article("de") + "</div>" * 300, True, id="300-nested-divs"),
        pytest.param(
            "pl", "<div class='w'>" * 5000 + article("pl") + "</div>" * 5000, True, id="5000-nested-divs"
        ),
        pytest.param("el", "<font size=2>" * 400 + article("el"), True, id="400-unclosed-font-tags"),
        pytest.param("de", "<span><b>" * 200 + article("de"), True, id="200-unclosed-span-b-pairs"),
        pytest.param(
            "pl", "<div>" * 100 + article("pl") + "</div>" * 100, False, id="100-levels-parse-as-is"
        ),
    ],
)
def test_deep_markup_keeps_the_article(lang: str, body: str, deep: bool) -> None:
    document = extract_document(page(lang, body), "https://www.example.eu/news/1", "text/html")
    assert TEXTS[lang] in (document.text or "")
    assert document.title == "Neue Kurse"
    assert ("extract.deep_markup" in document.warnings) is deep


def test_flattening_keeps_structure_that_matters() -> None:
    markup = (
        "<html><body><nav><a href='/'>Start</a></nav>"
        + "<div>" * 400
        + "<h2>Kurse</h2><ul><li>A</li></ul></body></html>"
    )
    tree, flattened = parse_html(markup)
    assert flattened and tree is not None
    assert [e.tag for e in tree.iter("nav", "h2", "li")] == ["nav", "h2", "li"]
    assert not list(tree.iter("div"))


@pytest.mark.parametrize(
    ("head", "body", "title"),
    [
        # no <title> in <head>: an icon's <title> inside <svg> is not the page's
        pytest.param("", SVG + article("de"), "Neue Kurse", id="svg-icon"),
        pytest.param("", "<math><title>Formel</title></math>" + article("de"), "Neue Kurse", id="mathml"),
        # a <title> misplaced in <body> is still the page's title
        pytest.param("", "<title>Kurse 2025</title>" + article("de"), "Kurse 2025", id="title-in-body"),
        # NUL bytes and control characters in the title and the text
        pytest.param("<title>Neue\x00 Kurse\x1b</title>", NUL_ARTICLE, "Neue Kurse", id="nul-bytes"),
    ],
)  # fmt: skip
def test_page_title_in_odd_places(head: str, body: str, title: str) -> None:
    document = extract_document(page("de", body, head), "https://www.example.eu/news/1", "text/html")
    assert document.title == title
    assert TEXTS["de"].replace("Bundes", "") in (document.text or "").replace("\x00", "").replace(
        "Bundes", ""
    )
