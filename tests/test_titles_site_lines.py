"""A title that is the site's name as the page's logo writes it, or a news section's name
(pipelines.titles rule 4), and a title written "Site: Headline" (rule 2c), give way to the page's own
headline; a colon inside a headline stays. Made-up pages in several EU languages whose host does not
spell the site's name."""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document
from pipelines.titles import choose_title, fold

BODY = "<p>" + "Die Stadt bietet neue Kurse und Beratung für zugewanderte Familien an. " * 5 + "</p>"


def page(lang: str, title: str, site: str, headline: str, *, logo_h1: bool = False) -> bytes:
    """A page whose header shows `site` as its logo (in an ``h1`` when `logo_h1`)."""
    logo = f'<h1 id="logo"><a href="/">{site}</a></h1>' if logo_h1 else f'<a class="logo" href="/">{site}</a>'
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
        f'<body><header>{logo}<nav><a href="/a">Aktuelles</a></nav></header><main><article>'
        f"<h1>{headline}</h1>{BODY}</article></main><footer>© 2026 {site}</footer></body></html>"
    ).encode()


# fmt: off
CASES = [
    # the <title> is only the site's name, which the logo (an h1 beside the headline's) writes
    ("de", "Stadt Köln", "Stadt Köln", "Zentrale Anlaufstelle für Fachkräfte eröffnet", True,
     "Zentrale Anlaufstelle für Fachkräfte eröffnet"),
    ("pl", "Urząd Miasta Krakowa", "Urząd Miasta Krakowa", "Miasto przyjęło program integracji", False,
     "Miasto przyjęło program integracji"),
    ("el", "Δήμος Αθηναίων", "Δήμος Αθηναίων", "Εργαστήρια για μετανάστες", True,
     "Εργαστήρια για μετανάστες"),
    # "Site: Headline"
    ("de", "Landratsamt Musterkreis: Beratung für Geflüchtete neu geordnet", "Landratsamt Musterkreis",
     "Beratung für Geflüchtete neu geordnet", False, "Beratung für Geflüchtete neu geordnet"),
    ("fr", "Préfecture du Nord : Accueil des réfugiés ukrainiens", "Préfecture du Nord",
     "Accueil des réfugiés ukrainiens", False, "Accueil des réfugiés ukrainiens"),
    ("sv", "Malmö stad: Nytt språkcafé för nyanlända", "Malmö stad", "Nytt språkcafé för nyanlända", False,
     "Nytt språkcafé för nyanlända"),
    # a colon inside the headline, or before a part that does not name the site, stays
    ("it", "Corsi di italiano per stranieri: aperte le iscrizioni", "Comune di Bologna",
     "Corsi di italiano per stranieri: aperte le iscrizioni", False,
     "Corsi di italiano per stranieri: aperte le iscrizioni"),
    ("de", "Integration: Neue Kurse für Geflüchtete", "Landratsamt Musterkreis", "Neue Kurse für Geflüchtete",
     False, "Integration: Neue Kurse für Geflüchtete"),
]
# fmt: on


@pytest.mark.parametrize(("lang", "title", "site", "headline", "logo_h1", "expected"), CASES)
def test_the_headline_replaces_the_sites_name(
    lang: str, title: str, site: str, headline: str, logo_h1: bool, expected: str
) -> None:
    body = page(lang, title, site, headline, logo_h1=logo_h1)
    document = extract_document(body, "https://www.example.eu/aktuelles/1234", "text/html")
    assert document.title == expected


@pytest.mark.parametrize(
    ("raw", "headlines", "chrome", "expected"),
    [
        ("Stadt Köln", ["Stadt Köln", "Neue Kurse"], "stadt köln\naktuelles", "Neue Kurse"),
        # a chrome line that is only part of a line, or no headline of its own: the title stays
        ("Stadt", ["Stadt", "Neue Kurse"], "stadt köln\naktuelles", "Stadt"),
        ("Stadt Köln", ["Stadt Köln"], "stadt köln", "Stadt Köln"),
        ("Stadt Köln: Neue Kurse", ["Neue Kurse"], "stadt köln", "Neue Kurse"),
        ("Stadt Köln: Neue Kurse", ["Kurse"], "stadt köln", "Stadt Köln: Neue Kurse"),
        # a home page's name beside the site's, which a logo's h1 repeats; a news section's name
        ("Home | Caritas Wien", ["Caritas Wien", "Neue Kurse für Geflüchtete"], "caritas wien",
         "Neue Kurse für Geflüchtete"),
        ("Nieuws - Gemeente Utrecht", ["Nieuw taalcafé geopend"], "gemeente utrecht",
         "Nieuw taalcafé geopend"),
        ("Ειδήσεις | Δήμος Αθηναίων", ["Εργαστήρια για μετανάστες"], "δήμος αθηναίων",
         "Εργαστήρια για μετανάστες"),
        ("Nieuws - Gemeente Utrecht", [], "gemeente utrecht", "Nieuws"),
    ],
)  # fmt: skip
def test_choose_title_reads_the_chrome(raw: str, headlines: list[str], chrome: str, expected: str) -> None:
    lines = "\n".join(fold(line) for line in chrome.split("\n"))  # as pipelines.sitenames.chrome_text
    assert choose_title(raw, headlines=headlines, chrome=lines) == expected
