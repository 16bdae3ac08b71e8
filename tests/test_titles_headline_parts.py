"""A ``<title>`` that carries only the first part of the page's headline ("X | Site" for the headline
"X: Y") gives way to the headline: a title is never the part of the page's own headline before its
colon or dash (pipelines.titles.goes_on). Headlines in h1, h2, og:title and a feed's entry, in
several EU languages; titles that already worked keep their rules."""

from __future__ import annotations

import re

import pytest

from crawler.types import HarvestedItem
from pipelines.extract import apply_document, extract_document
from pipelines.titles import choose_title

BODY = "<p>" + "Der Träger hat das Angebot für Geflüchtete in der Stadt deutlich erweitert. " * 4 + "</p>"


def page(lang: str, title: str, *, h1: str = "", h2: str = "", og: str = "", site: str = "") -> bytes:
    meta = f'<meta property="og:title" content="{og}">' if og else ""
    meta += f'<meta property="og:site_name" content="{site}">' if site else ""
    heading = (f"<h1>{h1}</h1>" if h1 else "") + (f"<h2>{h2}</h2>" if h2 else "")
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{meta}'
        f'</head><body><header><div class="brand">{site or "Stadtblatt"}</div></header>'
        f"<main><article>{heading}{BODY}</article></main><footer>© 2026</footer></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("lang", "raw", "where", "headline"),
    [
        ("de", "Integrationskurse in Bremen | Bremer Tageblatt", "h1",
         "Integrationskurse in Bremen: Wartezeit steigt auf acht Monate"),
        ("de", "Anerkennung in Bremen | Bremer Tageblatt", "h2",
         "Anerkennung in Bremen: Geflüchtete Ärztinnen warten zwei Jahre"),
        ("fr", "Préfecture du Nord - Le Progrès de Lille", "h1",
         "Préfecture du Nord : les étrangers attendent huit mois"),
        ("sk", "Odídenci z Ukrajiny v Košiciach | Košický večerník", "h1",
         "Odídenci z Ukrajiny v Košiciach: chýbajú byty aj miesta v škôlkach"),
        ("sk", "Dočasné útočisko predĺžené | Ministerstvo vnútra SR", "h2",
         "Dočasné útočisko predĺžené: čo to znamená pre prácu"),
        ("it", "Corsi di italiano a Bologna – Il Resto", "og",
         "Corsi di italiano a Bologna – aperte le iscrizioni per gli stranieri"),
        ("es", "Vivienda en Zaragoza | Diario del Ebro", "h1",
         "Vivienda en Zaragoza - las familias refugiadas esperan un piso social"),
        ("pl", "Kursy polskiego we Wrocławiu | Gazeta", "og",
         "Kursy polskiego we Wrocławiu: urząd otwiera nowe grupy"),
        ("nl", "Taalcafés in Utrecht - Stadsblad", "h1",
         "Taalcafés in Utrecht | nieuwe plekken voor inburgeraars"),
        ("sv", "Bostäder i Luleå | Norrbottens Kuriren", "h2",
         "Bostäder i Luleå – flyktingfamiljer bor trångt"),
        ("cs", "Lékařky z Ukrajiny – Brněnský deník", "h1",
         "Lékařky z Ukrajiny: na uznání diplomu čekají dva roky"),
        ("hr", "Strani radnici u Zagrebu | Večernji", "og",
         "Strani radnici u Zagrebu: tečaj hrvatskog jezika besplatan"),
        ("fi", "Telakan uudet työntekijät | Turun Sanomat", "h1",
         "Telakan uudet työntekijät – ukrainalaiset hitsaajat aloittavat"),
    ],
)  # fmt: skip
def test_page_headline_that_goes_on_is_the_title(lang: str, raw: str, where: str, headline: str) -> None:
    kwargs = {"h1": headline} if where == "h1" else {"h2": headline} if where == "h2" else {"og": headline}
    site = re.split(r" \| | - | – ", raw)[-1]  # the site's name, as its og:site_name says
    document = extract_document(
        page(lang, raw, site=site, **kwargs), f"https://news.example/{lang}/a", "text/html"
    )
    assert document.title == headline


@pytest.mark.parametrize(
    ("lang", "raw", "feed"),
    [
        ("de", "Integrationskurse in Bremen | Bremer Tageblatt",
         "Integrationskurse in Bremen: Wartezeit steigt auf acht Monate"),
        ("fr", "Titres de séjour - Le Progrès", "Titres de séjour : à la préfecture, huit mois d'attente"),
        ("lt", "Užsieniečiai Kaune | Kauno diena", "Užsieniečiai Kaune – kaip jiems sekasi darbe"),
    ],
)  # fmt: skip
def test_feed_headline_that_goes_on_stays(lang: str, raw: str, feed: str) -> None:
    """The page says only "X | Site" (no headline element); the feed's "X: Y" stays the title."""
    item = HarvestedItem(source_id="s", url=f"https://news.example/{lang}/b", title=feed)
    site = re.split(r" \| | - | – ", raw)[-1]
    apply_document(item, extract_document(page(lang, raw, site=site), item.url, "text/html"))
    assert item.title == feed


def test_feed_title_with_the_site_name_still_gives_way() -> None:
    raw = "Integrationskurse in Bremen | Bremer Tageblatt"
    item = HarvestedItem(
        source_id="s", url="https://news.example/de/c", title="Integrationskurse in Bremen - Bremer Tageblatt"
    )
    apply_document(item, extract_document(page("de", raw, site="Bremer Tageblatt"), item.url, "text/html"))
    assert item.title == "Integrationskurse in Bremen"


@pytest.mark.parametrize(
    ("raw", "headlines", "expected"),
    [
        # the headline goes on after its own separator: the longer headline
        ("Integrationskurse in Bremen | Bremer Tageblatt",
         ["Integrationskurse in Bremen: Wartezeit steigt"], "Integrationskurse in Bremen: Wartezeit steigt"),
        ("Préfecture du Nord - Le Progrès", ["Préfecture du Nord : huit mois d'attente"],
         "Préfecture du Nord : huit mois d'attente"),
        # a headline that goes on without a separator is no longer form of the title
        ("Vissa skolfrågor", ["Vissa skolfrågor ID-nummer: Prop. 2012/13:187"], "Vissa skolfrågor"),
        ("Neue Sprachkurse | Stadt", ["Neue Sprachkursleiterinnen gesucht: Bewerbung bis Mai"],
         "Neue Sprachkurse"),
        # what worked stays: a marked cut and the site's name removed
        ("Neue Regeln für die Einbürgerung von… | BAMF",
         ["Neue Regeln für die Einbürgerung von Geflüchteten"],
         "Neue Regeln für die Einbürgerung von Geflüchteten"),
        ("Sprachkurse für Geflüchtete | Stadt Köln", ["Sprachkurse für Geflüchtete"],
         "Sprachkurse für Geflüchtete"),
    ],
)  # fmt: skip
def test_choose_title_takes_the_headline_the_title_begins(
    raw: str, headlines: list[str], expected: str
) -> None:
    parts = re.split(r" \| | - | – ", raw)
    sites = parts[-1:] if len(parts) > 1 else []  # the site's name, as its og:site_name says
    assert choose_title(raw, headlines=headlines, site_names=sites, host="www.example.de") == expected
