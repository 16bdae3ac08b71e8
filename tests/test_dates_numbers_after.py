"""A number after a date is its time only when it is written as a time (pipelines.clock, "Numbers
after a date"): hour and two-digit minutes joined by ``:``, ``.`` or a glued ``h``; hour and minute
with their words, the minute set apart needing its word or its clause's end; a whole hour with its
word after a word for "at", or with a 12-hour marker. A count, score, price, share or amount after a
date never becomes hours or minutes. Made-up bylines, one language per row."""

from __future__ import annotations

from datetime import UTC

import pytest

from pipelines.dates import parse_date
from pipelines.extract import written_dates
from tests.test_dates_twelve_hour import page_published

# language, byline text, published as written
WRITTEN = [
    # a count, score, price, share after the date: the day alone, or the time written before it
    ("de", "am 7. Dezember 2026 um 16 Uhr 20 Teilnehmer", "2026-12-07T16:00"),
    ("de", "12.03.2026 15 Teilnehmer", "2026-03-12"),
    ("de", "7. Dezember 2026 16 Uhr 20 Gäste", "2026-12-07"),
    ("en", "3 March 2026 2-1 win", "2026-03-03"),
    ("en", "3 March 2026 at 4 pm 20 delegates", "2026-03-03T16:00"),
    ("fr", "7/12/2026 45 EUR", "2026-12-07"),
    ("fr", "7 décembre 2026 à 16 h 20 participants", "2026-12-07T16:00"),
    ("fr", "7 décembre 2026 à 16 h 20 %", "2026-12-07T16:00"),
    ("pl", "5 marca 2026 r. 12 osób", "2026-03-05"),
    ("pl", "5 marca 2026 r. 16 godz. 20 uczestników", "2026-03-05"),
    ("it", "7 dicembre 2026 20%", "2026-12-07"),
    ("it", "7 dicembre 2026 alle 16 h 30 euro", "2026-12-07T16:00"),
    ("nl", "7 december 2026 om 16 uur 25 deelnemers", "2026-12-07T16:00"),
    ("hu", "2026. december 7. 16 óra 20 résztvevő", "2026-12-07"),
    ("hu", "2026. december 7. 16 órakor 20 résztvevő", "2026-12-07T16:00"),
    ("lt", "2026 m. gruodžio 7 d. 16 val. 30 dalyvių", "2026-12-07"),
    ("cs", "7. prosince 2026 ve 16 hod. 25 účastníků", "2026-12-07T16:00"),
    ("es", "7 de diciembre de 2026 3-1", "2026-12-07"),
    ("pt", "7 de dezembro de 2026 45 EUR", "2026-12-07"),
    ("sv", "7 december 2026 12 deltagare", "2026-12-07"),
    ("el", "7 Δεκεμβρίου 2026 15 συμμετέχοντες", "2026-12-07"),
    # written as a time: kept
    ("de", "am 7. Dezember 2026 um 16 Uhr", "2026-12-07T16:00"),
    ("de", "7. Dezember 2026, 16 Uhr 20", "2026-12-07T16:20"),
    ("de", "7. Dezember 2026, 16 Uhr 20 | Berlin", "2026-12-07T16:20"),
    ("fr", "7 décembre 2026 à 16h20 participants", "2026-12-07T16:20"),
    ("fr", "7 décembre 2026 à 16 h 20", "2026-12-07T16:20"),
    ("hu", "2026. december 7. 16 óra 20 perc", "2026-12-07T16:20"),
    ("lt", "2026 m. gruodžio 7 d. 16 val. 20 min.", "2026-12-07T16:20"),
    ("en", "7 December 2026 at 4 pm", "2026-12-07T16:00"),
    ("el", "7 Δεκεμβρίου 2026, 4 μ.μ.", "2026-12-07T16:00"),
    ("pl", "7 grudnia 2026 r., 16:20", "2026-12-07T16:20"),
    ("fi", "7. joulukuuta 2026 klo 16.20", "2026-12-07T16:20"),
    # a whole hour without a word for "at" may be a duration: the day alone
    ("hu", "2026. december 7. 16 óra", "2026-12-07"),
    ("lt", "2026 m. gruodžio 7 d. 3 val. trukmės kursai", "2026-12-07"),
]


@pytest.mark.parametrize(("lang", "text", "published"), WRITTEN, ids=lambda v: str(v)[:45])
def test_a_number_after_a_date_is_a_time_only_when_written_as_one(
    lang: str, text: str, published: str
) -> None:
    assert written_dates(text, (lang,)) == (published, None)


# date values (a <time> element's text, a feed's date): the count is no minute either
VALUES = [  # language, value, (day, hour, minute)
    ("de", "7. Dezember 2026 um 16 Uhr 20 Teilnehmer", (7, 16, 0)),
    ("fr", "7 décembre 2026 à 16 h 20 participants", (7, 16, 0)),
    ("fr", "7 décembre 2026 à 16 h 20", (7, 16, 20)),
    ("fr", "7 décembre 2026 à 16h20", (7, 16, 20)),
    ("de", "12.03.2026 15 Teilnehmer", (12, 0, 0)),
    ("pl", "5 marca 2026 r. 12 osób", (5, 0, 0)),
    ("fr", "7/12/2026 45 EUR", (7, 0, 0)),
    ("en", "7 December 2026 16 20", (7, 0, 0)),
    # a share, price or score is a stray number: left out, the date read
    ("en", "3 March 2026 2-1 win", (3, 0, 0)),
    ("en", "3 March 2026 14:30 2-1", (3, 14, 30)),
    ("it", "7 dicembre 2026 20%", (7, 0, 0)),
    ("es", "7 de diciembre de 2026 20 %", (7, 0, 0)),
    ("de", "7.12.2026 12,5 %", (7, 0, 0)),
    ("fr", "7/12/2026 45 €", (7, 0, 0)),
    ("pt", "7 de dezembro de 2026 €45", (7, 0, 0)),
]


def value_clock(lang: str, raw: str) -> tuple[int, int, int] | None:
    """(day, hour, minute) of a date value read in UTC, or None when it is no date."""
    value = parse_date(raw, UTC, languages=(lang,))
    return None if value is None else (value.day, value.hour, value.minute)


@pytest.mark.parametrize(("lang", "raw", "clock"), VALUES, ids=lambda v: str(v)[:45])
def test_a_date_value_takes_no_count_for_its_time(lang: str, raw: str, clock: tuple[int, int, int]) -> None:
    assert value_clock(lang, raw) == clock


@pytest.mark.parametrize(
    ("lang", "zone", "line", "published"),
    [
        ("de", "Europe/Berlin", "Am 7. März 2025 um 16 Uhr 20 Teilnehmer", "2025-03-07T15:00:00Z"),
        ("fr", "Europe/Paris", "Publié le 7 mars 2025 à 16 h 20 participants", "2025-03-07T15:00:00Z"),
        ("pl", "Europe/Warsaw", "Opublikowano 5 marca 2025 r. 12 osób", "2025-03-05T00:00:00Z"),
    ],
)
def test_a_page_gets_the_hour_not_the_count(lang: str, zone: str, line: str, published: str) -> None:
    assert page_published(lang, zone, line)[0] == published
