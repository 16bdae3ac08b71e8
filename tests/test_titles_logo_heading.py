"""Titles that name the site or its section, not the article (adbar/trafilatura#71: the site's name
extracted as the title). Rules: an ``<h1>`` that is the site's logo (its whole text a link home, or
in the page's header, or classed site-title/logo) is not the article's headline, and its text names
the site (pipelines.sitenames.logo_heading); a ``<title>`` that is only a news section's name
("News", "Aktuelles") gives way to the page's own headline (pipelines.titles rule 4).
"""

from __future__ import annotations

import pytest
from lxml.html import fromstring

from pipelines.extract import extract_document
from pipelines.sitenames import logo_heading
from pipelines.titles import choose_title

BODY = (
    "<p>The council presented its integration plan for refugees and migrants. It funds language "
    "courses, housing advice and mentoring for newcomers, prepared with employers and NGOs.</p>"
) * 3

SITES = [
    ("en", "Language courses for refugees open in Ghent", "City of Ghent", " | "),
    ("de", "Neue Sprachkurse für Geflüchtete in Köln", "Stadt Köln", " – "),
    ("fr", "Un guichet unique pour l’accueil des réfugiés", "Préfecture du Rhône", " - "),
    ("pl", "Kursy językowe dla uchodźców w Łodzi", "Urząd Miasta Łodzi", " | "),
]
LOGOS = [
    '<header><h1><a href="/">{site}</a></h1></header>',
    '<div class="top"><h1><a href="https://city.example.eu/" rel="home">{site}</a></h1></div>',
    '<div class="top"><h1 class="site-title"><span>{site}</span></h1></div>',
    '<div class="top"><h1><a href="./index.html">{site}</a></h1></div>',
    "<nav><h1>{site}</h1></nav>",
]


@pytest.mark.parametrize("logo", LOGOS)
@pytest.mark.parametrize(("lang", "headline", "site", "separator"), SITES)
def test_a_logo_heading_is_not_the_title(
    lang: str, headline: str, site: str, separator: str, logo: str
) -> None:
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>{headline}{separator}{site}</title></head><body>'
        f'{logo.format(site=site)}<div class="content"><h2>{headline}</h2>{BODY}</div></body></html>'
    )
    document = extract_document(html.encode(), "https://city.example.eu/news/1", "text/html; charset=utf-8")
    assert document.title == headline


@pytest.mark.parametrize(
    ("markup", "logo"),
    [
        ('<main><h1><a href="/news/courses">Courses open</a></h1></main>', False),
        ("<main><h1>Courses open</h1></main>", False),
        ("<article><header><h1>Courses open</h1></header></article>", False),
        ('<main><h1>Courses <a href="/">open</a> today</h1></main>', False),
        ('<header><h1><a href="/">City</a></h1></header>', True),
        ('<div><h1 id="logo">City</h1></div>', True),
        ('<div><h1><a href="//city.example.eu">City</a></h1></div>', True),
    ],
)
def test_logo_heading(markup: str, logo: bool) -> None:
    tree = fromstring(f"<html><body>{markup}</body></html>")
    assert logo_heading(next(tree.iter("h1"))) is logo


@pytest.mark.parametrize(
    ("raw", "headline"),
    [
        ("News", "Housing support for newcomers in Lyon"),
        ("Aktuelles", "Neue Sprachkurse für Geflüchtete"),
        ("Actualités", "Un guichet unique pour les réfugiés"),
        ("Aktualności", "Kursy językowe dla uchodźców"),
        ("Ειδήσεις", "Νέα μαθήματα ελληνικών για πρόσφυγες"),
    ],
)
def test_a_section_name_title_gives_way_to_the_headline(raw: str, headline: str) -> None:
    assert choose_title(raw, headlines=[headline]) == headline
    assert choose_title(raw, headlines=[]) == raw
