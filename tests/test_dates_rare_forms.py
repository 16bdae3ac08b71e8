"""Rare written forms of dates and times (pipelines.dates, pipelines.clock, pipelines.extract).

Rules under test:
- a day, a month name (abbreviated or not, in the EU languages of `pipelines.dates.MONTHS`) and a
  year joined by one slash, dot, dash or space is that day, in a date value and in a page's text
  (``03/Mar/2025``, ``03.Mär.2025``, ``03-mrt-2025``); the Common Log Format's colon between year
  and time (``03/Mar/2025:14:30:00 +0100``) joins a time of day;
- a dotted time closing a date value (``12.03.2025 14.30``, ``2025-03-12 14.30``, ``14.30 Uhr``,
  ``kl. 14.30``) is its time of day, read in the source's zone as any other time;
- a day range (``4-6 March 2025``, ``du 4 au 6 mars``), a range of two dates and a time range
  (``10:00-12:00``) are read as their start; a number that is not the date's (a page count, another
  year) never becomes part of it (pipelines.date_spans);
- an impossible day or time (31 February, ``14.75``, ``25.30``, ``24.00``) gives no date at all,
  flagged ``date_unparsed``, never another reading of it (nor feedparser's).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.errors import NoTimeOfDay
from crawler.types import DATE_ONLY, HarvestedItem
from pipelines.clock import colon_time_after_date
from pipelines.dates import has_time_of_day, impossible_date, parse_with_precision
from pipelines.extract import written_dates
from pipelines.normalize import NormalizePipeline
from tests.test_spiders import make_spider

BERLIN = "Europe/Berlin"


def at(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, second, tzinfo=UTC)


# raw, languages, expected day (2025, month, day)
DAY_MONTH_NAME_YEAR = [
    ("03/Mar/2025", [], (3, 3)),
    ("03.Mar.2025", [], (3, 3)),
    ("03-Mar-2025", [], (3, 3)),
    ("03 Mar 2025", [], (3, 3)),
    ("7/Oct/2025", ["en"], (10, 7)),
    ("03/Mär/2025", ["de"], (3, 3)),
    ("05.Okt.2025", ["de"], (10, 5)),
    ("12-Dez-2025", ["de"], (12, 12)),
    ("03.mars.2025", ["fr"], (3, 3)),
    ("14/févr./2025", ["fr"], (2, 14)),
    ("21-mrt-2025", ["nl"], (3, 21)),
    ("09/mei/2025", ["nl"], (5, 9)),
    ("11/giu/2025", ["it"], (6, 11)),
    ("02-ago-2025", ["es"], (8, 2)),
    ("30/set/2025", ["pt"], (9, 30)),
    ("17.lut.2025", ["pl"], (2, 17)),
    ("03/lis/2025", ["cs"], (11, 3)),
    ("03/lis/2025", ["hr"], (10, 3)),
    ("08-márc-2025", ["hu"], (3, 8)),
    ("19/noi/2025", ["ro"], (11, 19)),
    ("28.maj.2025", ["sv"], (5, 28)),
    ("06-helmi-2025", ["fi"], (2, 6)),
]


@pytest.mark.parametrize(("raw", "languages", "day"), DAY_MONTH_NAME_YEAR)
def test_day_month_name_year_value(raw: str, languages: list[str], day: tuple[int, int]) -> None:
    assert parse_with_precision(raw, ZoneInfo(BERLIN), languages=languages) == (at(*day), "day")


@pytest.mark.parametrize(("raw", "languages", "day"), [c for c in DAY_MONTH_NAME_YEAR if " " not in c[0]])
def test_day_month_name_year_in_text(raw: str, languages: list[str], day: tuple[int, int]) -> None:
    published, updated = written_dates(f"Published: {raw} | Press office", tuple(languages))
    assert published == f"2025-{day[0]:02d}-{day[1]:02d}"
    assert updated is None


# raw value, expected instant in UTC (source zone Europe/Berlin: UTC+1 in March, +2 in June)
TIMED = [
    ("12.03.2025 14.30", at(3, 12, 13, 30)),
    ("12.03.2025, 14.30", at(3, 12, 13, 30)),
    ("12.03.2025 - 14.30", at(3, 12, 13, 30)),
    ("12.03.2025 14.30 Uhr", at(3, 12, 13, 30)),
    ("12.03.2025 kl. 14.30", at(3, 12, 13, 30)),
    ("12.06.2025 kl. 9.05", at(6, 12, 7, 5)),
    ("12.06.2025 klo 9.05", at(6, 12, 7, 5)),
    ("12.03.2025 om 14.30 uur", at(3, 12, 13, 30)),
    ("12.03.2025 14.30.15", at(3, 12, 13, 30, 15)),
    ("12/03/2025 14.30", at(3, 12, 13, 30)),
    ("2025-03-12 14.30", at(3, 12, 13, 30)),
    ("12.3.2025 9.05", at(3, 12, 8, 5)),
    ("12. März 2025, 14.30 Uhr", at(3, 12, 13, 30)),
    ("3. mars 2025 kl. 14.30", at(3, 3, 13, 30)),
    ("12 March 2025 14.30", at(3, 12, 13, 30)),
    ("12 juni 2025 14.30", at(6, 12, 12, 30)),
    ("03-Mar-2025 14.30", at(3, 3, 13, 30)),
    ("Wed, 12 Mar 2025 14.30 +0100", at(3, 12, 13, 30)),
    ("Wed, 12 Mar 2025 14.30.00 GMT", at(3, 12, 14, 30)),
    ("12.03.2025 2.30 pm", at(3, 12, 13, 30)),
    ("14.30 Uhr, 12.03.2025", at(3, 12, 13, 30)),
    ("03/Mar/2025:14:30:00 +0100", at(3, 3, 13, 30)),
    ("03/Mär/2025:14:30:00", at(3, 3, 13, 30)),
    ("10/Jun/2025:08:15:00 +0000", at(6, 10, 8, 15)),
]


@pytest.mark.parametrize(("raw", "expected"), TIMED)
def test_dotted_and_log_format_times_keep_their_time_of_day(raw: str, expected: datetime) -> None:
    assert has_time_of_day(raw)
    assert parse_with_precision(raw, ZoneInfo(BERLIN)) == (expected, "time")


IMPOSSIBLE = [
    "31/Feb/2025",
    "30.Feb.2025",
    "12.03.2025 14.75",
    "12.03.2025 25.30",
    "12.03.2025 24.00",
    "12.03.2025 14.30.61",
    "2025-03-12 9.60",
    "31.02.2025 14.30",
    "12 March 2025, 14.99 Uhr",
]


@pytest.mark.parametrize("raw", IMPOSSIBLE)
def test_impossible_days_and_times_give_no_date(raw: str) -> None:
    assert parse_with_precision(raw, UTC) == (None, None)
    assert impossible_date(raw)


@pytest.mark.parametrize(
    "raw",
    ["5.12.2026", "3. 12. 2026", "2026. 12. 05.", "12.03.2025", "Mon, 03 Mar 2025"],
)
def test_a_dotted_date_is_no_time(raw: str) -> None:
    assert colon_time_after_date(raw) == raw
    assert not has_time_of_day(raw)


def test_out_of_range_time_after_a_date_is_refused() -> None:
    with pytest.raises(NoTimeOfDay):
        colon_time_after_date("12.03.2025 14.75")


def _normalise(raw: str, published_at: datetime | None) -> HarvestedItem:
    spider = make_spider(id="rare-src", kind="feed", urls=["https://x.example.eu/f.xml"], timezone=BERLIN)
    pipeline = NormalizePipeline.from_crawler(spider.crawler)
    pipeline.clock = lambda: datetime(2025, 7, 1, tzinfo=UTC)
    item = HarvestedItem(
        source_id="rare-src", url="https://x.example.eu/a", published_raw=raw, published_at=published_at
    )
    return pipeline.process_item(item, spider)


@pytest.mark.parametrize(
    ("raw", "upstream", "expected", "flags"),
    [
        # feedparser reads "2025-03-12 14.30" as 14:00 UTC: the raw value wins, in the source's zone
        ("2025-03-12 14.30", at(3, 12, 14, 0), at(3, 12, 13, 30), set()),
        ("12.03.2025 14.30", None, at(3, 12, 13, 30), set()),
        ("03/Mar/2025", None, at(3, 3), {DATE_ONLY}),
        ("03/Mar/2025:14:30:00 +0100", None, at(3, 3, 13, 30), set()),
        # an impossible time is no date, whatever a parser upstream made of it
        ("12.03.2025 14.75", at(3, 12, 14, 0), None, {"date_unparsed"}),
        ("31/Feb/2025", at(3, 3), None, {"date_unparsed"}),
    ],
)
def test_feed_item_dates(
    raw: str, upstream: datetime | None, expected: datetime | None, flags: set[str]
) -> None:
    item = _normalise(raw, upstream)
    assert item.published_at == expected
    assert flags <= set(item.flags)
    assert (DATE_ONLY in item.flags) is (DATE_ONLY in flags)


BRUSSELS = ZoneInfo("Europe/Brussels")

# raw value -> (expected UTC instant or None, precision or None); the source's zone is Europe/Brussels
RANGES_AND_STRAY_NUMBERS = {
    # a day range with one month and year: its first day, at day precision, no time
    "4-6 March 2025": (at(3, 4), "day"),
    "4–6 March 2025": (at(3, 4), "day"),
    "4—6 March 2025": (at(3, 4), "day"),
    "4 - 6 March 2025": (at(3, 4), "day"),
    "4/6 March 2025": (at(3, 4), "day"),
    "4 to 6 March 2025": (at(3, 4), "day"),
    "from 4 to 6 March 2025": (at(3, 4), "day"),
    "March 4 - 6, 2025": (at(3, 4), "day"),
    "March 4–6, 2025": (at(3, 4), "day"),
    "4.-6. März 2025": (at(3, 4), "day"),
    "vom 4. bis 6. März 2025": (at(3, 4), "day"),
    "du 4 au 6 mars 2025": (at(3, 4), "day"),
    "dal 4 al 6 marzo 2025": (at(3, 4), "day"),
    "del 4 al 6 de marzo de 2025": (at(3, 4), "day"),
    "de 4 a 6 de março de 2025": (at(3, 4), "day"),
    "od 4. do 6. marca 2025": (at(3, 4), "day"),
    "4. až 6. března 2025": (at(3, 4), "day"),
    "4 tot 6 maart 2025": (at(3, 4), "day"),
    "4 til 6. marts 2025": (at(3, 4), "day"),
    "2025. március 4-6.": (at(3, 4), "day"),
    "4 au 6 mars 2025 10:00": (at(3, 4, 9), "time"),
    "du lundi 4 au mercredi 6 mars 2025": (at(3, 4), "day"),
    "Monday 4 - Wednesday 6 March 2025": (at(3, 4), "day"),
    "lun. 4 – mer. 6 mars 2025": (at(3, 4), "day"),
    # across two months, and numeric
    "4 March – 6 April 2025": (at(3, 4), "day"),
    "March 4 – April 6, 2025": (at(3, 4), "day"),
    "4. března – 6. dubna 2025": (at(3, 4), "day"),
    "4 de marzo al 6 de abril de 2025": (at(3, 4), "day"),
    "4–6.3.2025": (at(3, 4), "day"),
    "4.-6.3.2025": (at(3, 4), "day"),
    "od 4. do 6. 3. 2025": (at(3, 4), "day"),
    "4-6/3/2025": (at(3, 4), "day"),
    # not a day range: the end is no later day of the month
    "6-4 March 2025": (None, None),
    "4-40 March 2025": (None, None),
    # a range of two full dates: the first
    "4 March 2025 - 6 March 2025": (at(3, 4), "day"),
    "4 March 2025 – 6 March 2025": (at(3, 4), "day"),
    "04.03.2025 - 06.03.2025": (at(3, 4), "day"),
    "04.03.2025-06.03.2025": (at(3, 4), "day"),
    "2025-03-04 to 2025-03-06": (at(3, 4), "day"),
    "Thursday, 4 March 2025 – Saturday, 6 March 2025": (at(3, 4), "day"),
    "2025-03-04/2025-03-06": (at(3, 4), "day"),
    "2025-03-04 / 2025-03-06": (at(3, 4), "day"),
    "2025-03-04--2025-03-06": (at(3, 4), "day"),
    "2025-03-04T10:00/2025-03-04T12:00": (at(3, 4, 9), "time"),
    # two different dates and no range of them: no date
    "updated 5 March 2025, published 4 March 2025": (None, None),
    "04.03.2025 06.03.2025": (None, None),
    # a range runs forward: an update before its publication is two dates, not a range
    "Aggiornato il 10 marzo 2025 - Pubblicato il 3 marzo 2025": (None, None),
    # a time range is its first time, never a time and a UTC offset
    "4 March 2025, 10:00-12:00": (at(3, 4, 9), "time"),
    "4 March 2025 10:00 - 12:00": (at(3, 4, 9), "time"),
    "4 March 2025 10:00 – 12:00": (at(3, 4, 9), "time"),
    "4 March 2025 10:00 bis 12:00 Uhr": (at(3, 4, 9), "time"),
    "4.3.2025 10.00 - 12.00 Uhr": (at(3, 4, 9), "time"),
    "Mo, 3. März 2025 14:00-16:00": (at(3, 3, 13), "time"),
    "4 March 2025 10 – 12 Uhr": (at(3, 4, 9), "time"),
    "4 March 2025 9-17 Uhr": (at(3, 4, 8), "time"),
    "4 mars 2025 de 9h à 12h30": (at(3, 4, 8), "time"),
    "10:00 - 12:00, 4 March 2025": (at(3, 4, 9), "time"),
    "4 March 2025 10:00:00-05:00": (at(3, 4, 15), "time"),  # an earlier end: the offset it is
    # numbers that are not the date's are left out, never its year, day or time
    "Report 2024 4 March 2025": (at(3, 4), "day"),
    "Bericht 2024, 4. März 2025": (at(3, 4), "day"),
    "Rapport 2024 04/03/2025": (at(3, 4), "day"),
    "4 March 2025 (12 pages)": (at(3, 4), "day"),
    "4 March 2025, 12 pages": (at(3, 4), "day"),
    "4.3.2025 (12 Seiten)": (at(3, 4), "day"),
    "4 marzo 2025 (12 pagine)": (at(3, 4), "day"),
    "Vol. 12, 4 March 2025": (at(3, 4), "day"),
    "4 March 2025 2026": (at(3, 4), "day"),
    "updated March 2025, published 4 March 2025": (at(3, 4), "day"),
    "mis à jour mars 2025, publié le 4 mars 2025": (at(3, 4), "day"),
    "March 2025 (12 pages)": (None, None),  # 12 is no day of it
    "4 March 6 March 2025": (None, None),  # two days, no range between them
    "4 6 3 2025": (None, None),  # more numbers than a day, a month and a year
    "Q1 Q2 2025": (None, None),  # labelled numbers (before: 1 February 2025)
    "KW10 4.3.2025": (at(3, 4), "day"),
    "Amtsblatt Nr. L 190 vom 04/03/2025 S. 0001 - 0020; ": (at(3, 4), "day"),  # not 00:20
    "4.3.2025 12.500 Teilnehmende": (at(3, 4), "day"),
    "relevance P 1.000 R 1.000 F1 1.000": (None, None),  # was 2001-01-01
    "WordPress 5.3.2": (None, None),  # a version number, was 2002-03-05
    "SPIP 3.2.7 [24473]": (None, None),
    "Ippubblikat 4 ta' Marzu 2025": (at(3, 4), "day"),
    "No5 4 March 2025": (at(3, 4), "day"),
    # an hour with its unit alone stays the time of day
    "13 März 2025, 9 Uhr": (at(3, 13, 8), "time"),
    "4 mars 2025 14h": (at(3, 4, 13), "time"),
    # unchanged forms
    "20 Mar 25 10:00 GMT": (at(3, 20, 10), "time"),
    "2025. március 4. 10:00": (at(3, 4, 9), "time"),
    "2025 m. kovo 4 d.": (at(3, 4), "day"),
    "2025. gada 13. martā": (at(3, 13), "day"),
    "March 4th, 2025": (at(3, 4), "day"),
}


@pytest.mark.parametrize(
    ("raw", "expected"), RANGES_AND_STRAY_NUMBERS.items(), ids=list(RANGES_AND_STRAY_NUMBERS)
)
def test_ranges_and_stray_numbers(raw: str, expected: tuple[datetime | None, str | None]) -> None:
    """pipelines.date_spans: a range is read as its start; a number that is not the date's never
    becomes its year, day or time of day (before: ``4-6 March 2025`` 2004-03-06 20:25,
    ``4 March 2025 (12 pages)`` 12:00, ``10:00-12:00`` read with a -12:00 offset)."""
    assert parse_with_precision(raw, BRUSSELS) == expected
