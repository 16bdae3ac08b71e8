"""A year written with four digits is that year: zero dates (0001) are no date (pipelines.dates,
"Four-digit years"), in parse_date and through the normalize stage for feed and API items."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.types import HarvestedItem
from pipelines.dates import parse_date, parse_day_or_time, plausible_date
from tests.test_normalize import make_source, run

FETCHED = datetime(2026, 3, 20, 13, 0, tzinfo=UTC)

# (written, year it names)
WRITTEN = [
    ("Mon, 01 Jan 0001 00:00:00 +0000", 1),  # RFC 822 with the year .NET and Hugo write
    ("Mon, 01 Jan 0001 00:00:00 GMT", 1),
    ("01 Jan 0001 10:00:00 +0100", 1),
    ("Mon, 01 Jan 0001", 1),
    ("0001-01-01T00:00:00Z", 1),
    ("0001-01-01T00:00:00", 1),
    ("0001-01-01", 1),
    ("01.01.0001", 1),
    ("01.01.0001 10:00", 1),
    ("1 January 0001", 1),
    ("1 January 0001 10:00 CET", 1),
    ("Jan 1, 0001", 1),
    ("1. Januar 0001", 1),
    ("le 1 janvier 0001", 1),
    ("31 Dec 0099", 99),
    ("1 Jan 0050 12:00 UTC", 50),
    ("01 Jan 0100 00:00:00 +0000", 100),
    ("1 Jan 1000", 1000),
    ("31 December 1899 12:00", 1899),
    ("/Date(-62135596800000)/", 1),
]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York"])
@pytest.mark.parametrize(("raw", "year"), WRITTEN)
def test_a_four_digit_year_is_that_year_and_implausible(raw: str, year: int, zone: str) -> None:
    parsed = parse_date(raw, ZoneInfo(zone))
    assert parsed is not None
    assert parsed.year in (year, year - 1, year + 1)  # a zone may move the instant across New Year
    assert parsed.year < 2000
    assert plausible_date(parsed, FETCHED) == (None, "date_implausible")
    day, _ = parse_day_or_time(raw, ZoneInfo(zone))
    assert plausible_date(day, FETCHED) == (None, "date_implausible")


@pytest.mark.parametrize(
    ("raw", "year"),
    [("1 Jan 25", 2025), ("Mon, 01 Jan 01 00:00:00 +0000", 2001), ("4 March 2025 10:00 +0000", 2025)],
)
def test_a_two_digit_year_keeps_its_century(raw: str, year: int) -> None:
    parsed = parse_date(raw, ZoneInfo("UTC"))
    assert parsed is not None and parsed.year == year


@pytest.mark.parametrize(
    ("raw", "upstream"),
    [
        ("Mon, 01 Jan 0001 00:00:00 +0000", datetime(1, 1, 1, tzinfo=UTC)),  # feedparser's reading
        ("Mon, 01 Jan 0001 00:00:00 +0000", datetime(2001, 1, 1, tzinfo=UTC)),  # a two-digit reading
        ("1 janvier 0001", None),
        ("0001-01-01T00:00:00Z", None),  # a JSON API field
        ("/Date(-62135596800000)/", None),
    ],
)
def test_a_zero_date_leaves_the_item_undated_and_flagged(raw: str, upstream: datetime | None) -> None:
    item = HarvestedItem(
        source_id="s", url="https://x.eu/1", published_raw=raw, published_at=upstream, updated_raw=raw
    )
    [out], stats = run([item], make_source(timezone="Europe/Paris"), clock=FETCHED)
    assert out.published_at is None
    assert out.updated_at is None
    assert "date_implausible" in out.flags and "updated_date_implausible" in out.flags
    assert "date_unparsed" not in out.flags
    assert stats["ewsi/normalize/date_implausible"] == 1
