"""A byline's relative date with its unit abbreviated as each EU language abbreviates it ("vor 2
Std.", "il y a 2 h", "2 t sitten", "преди 2 ч."), with or without the dot, or written as a dual or
a unit that is its own number ("pred 2 urama", "sagħtejn ilu", "uair an chloig ó shin"), is read
like the full word: minutes, hours, days and weeks in all 24 languages (pipelines.relative_dates).
A one-letter abbreviation means what it means in the language of the "ago" beside it, and a number
with a unit but no "ago" is no date. Made-up bylines, one language per row."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from crawler.types import DATE_ONLY, HarvestedItem
from pipelines.dates import parse_date
from pipelines.extract import apply_document, extract_document, written_dates
from pipelines.relative_dates import relative_date
from tests.test_relative_dates import FETCHED, page  # fetched 2026-03-10 09:30Z

# language, byline, span
HOURS = [
    ("de", "vor 2 Std.", "PT2H"),
    ("de", "vor 2 Std", "PT2H"),
    ("de", "vor 3 h", "PT3H"),
    ("fr", "il y a 2 h", "PT2H"),
    ("fr", "Publié il y a 2 h par Marie Dupont", "PT2H"),
    ("es", "hace 2 h", "PT2H"),
    ("es", "Publicado hace 4 hrs.", "PT4H"),
    ("it", "2 h fa", "PT2H"),
    ("pl", "2 godz. temu", "PT2H"),
    ("pl", "5 g. temu", "PT5H"),
    ("sk", "pred 2 hod.", "PT2H"),
    ("cs", "před 3 hod.", "PT3H"),
    ("hr", "prije 2 h", "PT2H"),
    ("hr", "prije 2 sat", "PT2H"),
    ("ro", "acum 2 h", "PT2H"),
    ("pt", "há 2 h", "PT2H"),
    ("nl", "2 u geleden", "PT2H"),
    ("nl", "2 u. geleden", "PT2H"),
    ("fi", "2 t sitten", "PT2H"),
    ("et", "2 t tagasi", "PT2H"),
    ("sv", "2 tim sedan", "PT2H"),
    ("sv", "för 2 tim. sedan", "PT2H"),
    ("da", "2 t. siden", "PT2H"),
    ("da", "for 3 t. siden", "PT3H"),
    ("bg", "преди 2 ч.", "PT2H"),
    ("lt", "prieš 2 val.", "PT2H"),
    ("lv", "pirms 3 st.", "PT3H"),
    ("el", "πριν 2 ώρ.", "PT2H"),
    ("el", "πριν από 2 ω.", "PT2H"),
    ("hu", "2 ó. ezelőtt", "PT2H"),
    ("mt", "3 sig. ilu", "PT3H"),
    ("ga", "2 u. ó shin", "PT2H"),
    ("en", "2h ago", "PT2H"),
    ("en", "3 hrs ago", "PT3H"),
]
MINUTES = [
    ("de", "vor 45 Min.", "PT45M"),
    ("fr", "il y a 20 mn", "PT20M"),
    ("it", "10 min fa", "PT10M"),
    ("pl", "15 min. temu", "PT15M"),
    ("bg", "преди 5 мин.", "PT5M"),
    ("el", "πριν 7 λεπ.", "PT7M"),
    ("hu", "30 p. ezelőtt", "PT30M"),
    ("ga", "12 nóim. ó shin", "PT12M"),
    ("en", "5m ago", "PT5M"),
]
DAYS = [
    ("de", "vor 2 Tg.", "P2D"),
    ("fr", "il y a 3 j", "P3D"),
    ("it", "2 gg fa", "P2D"),
    ("es", "hace 4 d", "P4D"),
    ("pl", "3 dn. temu", "P3D"),
    ("ro", "acum 3 z", "P3D"),
    ("bg", "преди 2 д.", "P2D"),
    ("el", "πριν 3 ημ.", "P3D"),
    ("fi", "2 pv sitten", "P2D"),
    ("et", "2 p tagasi", "P2D"),  # Estonian "p": päeva, days
    ("lv", "pirms 2 d.", "P2D"),
    ("lt", "prieš 5 d.", "P5D"),
    ("hu", "4 n. ezelőtt", "P4D"),
    ("mt", "2 jum ilu", "P2D"),
    ("en", "3d ago", "P3D"),
]
WEEKS = [
    ("de", "vor 2 Wo.", "P2W"),
    ("fr", "il y a 1 sem.", "P1W"),
    ("es", "hace 2 sem", "P2W"),
    ("pt", "há 3 sem.", "P3W"),
    ("it", "2 sett. fa", "P2W"),
    ("pl", "2 tyg. temu", "P2W"),
    ("sk", "pred 2 týž.", "P2W"),
    ("ro", "acum 2 săpt.", "P2W"),
    ("bg", "преди 3 седм.", "P3W"),
    ("el", "πριν 2 εβδ.", "P2W"),
    ("fi", "2 vk sitten", "P2W"),
    ("et", "2 näd. tagasi", "P2W"),
    ("sv", "3 v. sedan", "P3W"),
    ("da", "for 2 u. siden", "P2W"),  # Danish "u.": uger, weeks (Dutch "u" is an hour)
    ("lt", "prieš 3 sav.", "P3W"),
    ("lv", "pirms 2 ned.", "P2W"),
    ("en", "1 wk ago", "P1W"),
]
DUALS = [
    ("sl", "pred 2 urama", "PT2H"),
    ("sl", "pred dvema urama", "PT2H"),
    ("sl", "pred 2 dnevoma", "P2D"),
    ("sl", "pred 2 tednoma", "P2W"),
    ("mt", "sagħtejn ilu", "PT2H"),
    ("mt", "jumejn ilu", "P2D"),
    ("mt", "ġimagħtejn ilu", "P2W"),
    ("mt", "siegħa ilu", "PT1H"),
    ("mt", "ġimgħa ilu", "P1W"),
    ("ga", "2 uair an chloig ó shin", "PT2H"),
    ("ga", "dhá uair an chloig ó shin", "PT2H"),
    ("ga", "uair an chloig ó shin", "PT1H"),
    ("ga", "3 huaire an chloig ó shin", "PT3H"),
    ("ga", "2 sheachtain ó shin", "P2W"),
    ("de", "vor zwei Stunden", "PT2H"),
    ("hr", "prije dva sata", "PT2H"),
    ("cs", "před dvěma dny", "P2D"),
    ("lt", "prieš dvi valandas", "PT2H"),
]
ROWS = HOURS + MINUTES + DAYS + WEEKS + DUALS

NOT_DATES = [
    "Kurs: 2 h pro Woche",  # a number and a unit, no "ago"
    "Dauer: 2 Std.",
    "Durée : 2 h",
    "Il y a 2 h de cours par semaine",  # French "there are 2 hours of"
    "Il y a 3 j d'attente",
    "Trajanje: 2 h",
    "Czas trwania: 2 godz.",
    "2 t. Dansk",  # no "siden"
    "vor 2 Std. hat die Regierung den Plan vorgestellt",  # a sentence goes on: an event
    "2 h fa caldo in aula",
    "vor 100 Wo.",  # longer than a byline writes
    "Öffnungszeiten 9 h bis 17 h",
    "Zimmer 2 u",  # a room, no "geleden"
    "Objavljeno prije 45 s",  # Croatian "s": seconds, not hours
    "Il comune ha 2 settimane di tempo",  # Italian "ha": has, not Portuguese "há"
    "La regione ha 3 giorni",
]


@pytest.mark.parametrize(("lang", "byline", "span"), ROWS, ids=[f"{r[0]}-{i}" for i, r in enumerate(ROWS)])
def test_abbreviated_and_dual_units(lang: str, byline: str, span: str) -> None:
    assert relative_date(byline) == span


@pytest.mark.parametrize("byline", NOT_DATES)
def test_a_unit_without_its_ago_is_no_date(byline: str) -> None:
    assert relative_date(byline) is None


@pytest.mark.parametrize(
    ("byline", "lang", "zone", "published", "day_only"),
    [
        ("vor 2 Std.", "de", "Europe/Vienna", "2026-03-10T07:30:00Z", False),
        ("il y a 2 h", "fr", "Europe/Paris", "2026-03-10T07:30:00Z", False),
        ("преди 2 ч.", "bg", "Europe/Sofia", "2026-03-10T07:30:00Z", False),
        ("sagħtejn ilu", "mt", "Europe/Malta", "2026-03-10T07:30:00Z", False),
        ("prieš 2 d.", "lt", "Europe/Vilnius", "2026-03-08T00:00:00Z", True),
        ("pirms 3 st.", "lv", "Europe/Riga", "2026-03-10T06:30:00Z", False),
    ],
)
def test_an_abbreviated_span_dates_the_page(
    byline: str, lang: str, zone: str, published: str, day_only: bool
) -> None:
    document = extract_document(page(byline, lang), "https://example.eu/news/kurse", "text/html")
    item = HarvestedItem(source_id="s", url="https://example.eu/news/kurse", fetched_at=FETCHED)
    apply_document(item, document, ZoneInfo(zone))
    assert item.published_at is not None
    assert item.published_at.strftime("%Y-%m-%dT%H:%M:%SZ") == published
    assert (DATE_ONLY in item.flags) is day_only
    assert "date_relative" in item.flags


@pytest.mark.parametrize("text", ["vor 2 Std.", "il y a 2 h", "Dauer: 2 Std.", "2 t sitten", "prieš 2 val."])
def test_a_span_is_no_written_date(text: str) -> None:
    assert parse_date(text, ZoneInfo("Europe/Vienna")) is None
    assert written_dates(text) == (None, None)
