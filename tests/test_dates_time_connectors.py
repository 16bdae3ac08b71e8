"""The time of day after a written date is kept whatever word joins them in the EU's languages
(pipelines.clock `CLOCK_WORDS`: Maltese ``fl-``, ``fil-``, ``fis-``, ``f'``; Irish ``ag``, ``ar``;
Danish ``klokken``; Latvian ``pulksten``; Romanian ``la orele``; Czech ``ve``; ...), and when hour and
minute are written with their words (`WORD_CLOCK`: hu ``16 óra 20 perc``, lt ``16 val. 20 min.``,
de ``16 Uhr 20``). A page so dated gets its time, not the day at 00:00 flagged as a day.
Made-up dates, one language per row."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from pipelines.dates import has_time_of_day, parse_date
from pipelines.extract import written_dates
from tests.test_dates_twelve_hour import page_published

# language, byline text, published as written
BYLINES = [
    ("mt", "Ippubblikat fit-3 ta' Marzu 2025 fl-10:15", "2025-03-03T10:15"),
    ("mt", "Ippubblikat fit-3 ta' Marzu 2025, fl-16:20", "2025-03-03T16:20"),
    ("mt", "3 ta' Marzu 2025 fil-16:20", "2025-03-03T16:20"),
    ("mt", "3 ta' Marzu 2025 f'16:20", "2025-03-03T16:20"),
    ("ga", "11 Márta 2025 ar 16:20", "2025-03-11T16:20"),
    ("ga", "11 Márta 2025 ar a 16:20", "2025-03-11T16:20"),
    ("ga", "11 Márta 2025 ag 16:20", "2025-03-11T16:20"),
    ("hu", "2025. március 11., kedd, 16 óra 20 perc", "2025-03-11T16:20"),
    ("hu", "2025. március 11. 16 óra 5 perckor", "2025-03-11T16:05"),
    ("lt", "2025 m. kovo 11 d. 16 val. 20 min.", "2025-03-11T16:20"),
    ("lt", "2025 m. kovo 11 d., 9 val. 05 min.", "2025-03-11T09:05"),
    ("lv", "2025. gada 11. martā pulksten 16:20", "2025-03-11T16:20"),
    ("lv", "2025. gada 11. martā 16 st. 20 min.", "2025-03-11T16:20"),
    ("cs", "11. března 2025 ve 16:20", "2025-03-11T16:20"),
    ("cs", "11. března 2025, 16 hod. 20 min.", "2025-03-11T16:20"),
    ("sk", "11. marca 2025 o 16.20 hod.", "2025-03-11T16:20"),
    ("pl", "11 marca 2025, 16 godz. 20 min.", "2025-03-11T16:20"),
    ("bg", "11 март 2025 г., 16 ч. 20 мин.", "2025-03-11T16:20"),
    ("da", "11. marts 2025 klokken 16.20", "2025-03-11T16:20"),
    ("ro", "11 martie 2025, la orele 16:20", "2025-03-11T16:20"),
    ("fr", "11 mars 2025 vers 16h20", "2025-03-11T16:20"),
    ("de", "11. März 2025, 16 Uhr 20", "2025-03-11T16:20"),
    ("hr", "11. ožujka 2025. u 16 sati 20 minuta", "2025-03-11T16:20"),
    ("en", "11 March 2025 @ 16:20", "2025-03-11T16:20"),
    ("pt", "11 de março de 2025 pelas 16:20", "2025-03-11T16:20"),
    ("es", "11 de marzo de 2025 sobre las 16:20", "2025-03-11T16:20"),
]
NO_TIME = [  # no time of day joined to the date: the day alone
    ("hu", "2025. március 11. 16 óra", "2025-03-11"),  # an hour without its minutes
    ("de", "11. März 2025, 2 Std. Lesezeit", "2025-03-11"),
    ("lt", "2025 m. kovo 11 d. 3 val. trukmės kursai", "2025-03-11"),
    ("mt", "3 ta' Marzu 2025 flimkien 16", "2025-03-03"),
]


@pytest.mark.parametrize(("lang", "text", "published"), BYLINES + NO_TIME, ids=lambda v: str(v)[:40])
def test_the_time_after_the_date(lang: str, text: str, published: str) -> None:
    assert written_dates(text, (lang,)) == (published, None)


@pytest.mark.parametrize(
    ("lang", "raw", "utc"),
    [
        ("hu", "2025. március 11., kedd, 16 óra 20 perc", "2025-03-11T15:20"),
        ("lt", "2025 m. kovo 11 d. 16 val. 20 min.", "2025-03-11T15:20"),
        ("ga", "11 Márta 2025 ar 16:20", "2025-03-11T15:20"),
        ("mt", "3 ta' Marzu 2025 fl-10:15", "2025-03-03T09:15"),
        ("cs", "11. března 2025, 16 hod. 20 min.", "2025-03-11T15:20"),
        ("de", "11. März 2025, 16 Uhr 20", "2025-03-11T15:20"),
    ],
)
def test_values_with_such_times(lang: str, raw: str, utc: str) -> None:
    value = parse_date(raw, ZoneInfo("Europe/Brussels"), languages=(lang,))
    assert value is not None
    assert value.strftime("%Y-%m-%dT%H:%M") == utc
    assert has_time_of_day(raw)


@pytest.mark.parametrize(
    ("lang", "zone", "line", "published"),
    [
        ("mt", "Europe/Malta", "Ippubblikat fit-3 ta' Marzu 2025 fl-10:15", "2025-03-03T09:15:00Z"),
        ("mt", "Europe/Malta", "Ippubblikat fit-3 ta' Marzu 2025, fl-16:20", "2025-03-03T15:20:00Z"),
        ("ga", "Europe/Dublin", "11 Márta 2025 ar 16:20", "2025-03-11T16:20:00Z"),
        ("hu", "Europe/Budapest", "2025. március 11., kedd, 16 óra 20 perc", "2025-03-11T15:20:00Z"),
        ("lt", "Europe/Vilnius", "2025 m. kovo 11 d. 16 val. 20 min.", "2025-03-11T14:20:00Z"),
    ],
)
def test_a_page_keeps_its_time(lang: str, zone: str, line: str, published: str) -> None:
    assert page_published(lang, zone, line) == (published, False)
