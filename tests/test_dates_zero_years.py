"""A year written with four digits is that year: zero dates (0001) are no date (pipelines.dates,
"Four-digit years"), in parse_date and through the normalize stage for feed and API items."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.types import HarvestedItem
from pipelines.dates import impossible_date, parse_date, parse_day_or_time, plausible_date
from pipelines.document import ExtractedDocument
from pipelines.extract import apply_document
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


# --- years out of range: 0000, a year with a minus sign, an instant after the last one held -------
BEFORE_YEAR_ONE = [
    "Sat, 01 Jan 0000 00:00:00 +0000",
    "Sat, 01 Jan 0000 00:00:00 GMT",
    "Sat, 01 Jan 0000 10:00:00 -0500",
    "0000-01-01T00:00:00Z",
    "0000-01-01T00:00:00",
    "0000-01-01",
    "0000-03-04T10:00:00+01:00",
    "01.01.0000",
    "01-01-0000",
    "1 January 0000",
    "1. Januar 0000 10:00",
    "le 1 janvier 0000",
    "Tue, 04 Mar -2025 10:00:00 GMT",
    "Tue, 04 Mar -2025 10:00:00 -0500",
    "-0001-01-01T00:00:00Z",
    "-2025-03-04T10:00:00Z",
    "-2025-03-04",
    "4 March -2025",
    "04.03.-2025 10:00",
    "4 mars \u22122025 à 10:00",  # MINUS SIGN
    "/Date(-999999999999999)/",
]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York"])
@pytest.mark.parametrize("raw", BEFORE_YEAR_ONE)
def test_a_year_before_year_one_is_the_first_instant_and_implausible(raw: str, zone: str) -> None:
    assert parse_date(raw, ZoneInfo(zone)) == datetime(1, 1, 1, tzinfo=UTC)
    assert not impossible_date(raw)
    day, _ = parse_day_or_time(raw, ZoneInfo(zone))
    assert day is not None and day.year == 1
    assert plausible_date(day, FETCHED) == (None, "date_implausible")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tue, 04 Mar 2025 10:00:00 -0500", datetime(2025, 3, 4, 15, 0, tzinfo=UTC)),  # an offset
        ("4 March 2025 10:00 -0000", datetime(2025, 3, 4, 10, 0, tzinfo=UTC)),
        ("4 March 2025 10:00 +0000", datetime(2025, 3, 4, 10, 0, tzinfo=UTC)),
        ("2025-03-04T10:00:00.0000Z", datetime(2025, 3, 4, 10, 0, tzinfo=UTC)),  # a fraction
        ("04-Mar-2025 10:00:00 GMT", datetime(2025, 3, 4, 10, 0, tzinfo=UTC)),  # RFC 850: a separator
        ("Report 0000 4 March 2025 10:00 GMT", datetime(2025, 3, 4, 10, 0, tzinfo=UTC)),  # a year written
    ],
)
def test_an_offset_or_separator_is_no_year(raw: str, expected: datetime) -> None:
    assert parse_date(raw, ZoneInfo("Europe/Paris")) == expected


@pytest.mark.parametrize("raw", ["0000-00-00", "0000-00-00 00:00:00", "00.00.0000", "30 February 0000"])
def test_a_zero_date_with_impossible_fields_stays_impossible(raw: str) -> None:
    assert parse_date(raw, UTC) is None
    assert impossible_date(raw)


@pytest.mark.parametrize(
    "raw", ["9999-12-31T23:59:59-05:00", "9999-12-31T23:00:00-01:00", "/Date(999999999999999)/"]
)
def test_an_instant_after_the_last_one_held_is_the_last_one(raw: str) -> None:
    assert parse_date(raw, UTC) == datetime.max.replace(tzinfo=UTC)
    assert not impossible_date(raw)
    assert plausible_date(parse_date(raw, UTC), FETCHED) == (None, "date_implausible")  # a placeholder year


@pytest.mark.parametrize(
    ("raw", "upstream"),
    [
        ("Sat, 01 Jan 0000 00:00:00 +0000", datetime(2000, 1, 1, tzinfo=UTC)),  # dateutil's reading
        ("Tue, 04 Mar -2025 10:00:00 GMT", datetime(2025, 3, 4, 10, 0, tzinfo=UTC)),
        ("-0001-01-01T00:00:00Z", datetime(2000, 1, 1, tzinfo=UTC)),  # feedparser's reading (Atom)
        ("-2025-03-04T10:00:00Z", None),
        ("0000-01-01", None),
    ],
)
def test_a_year_before_year_one_leaves_the_item_undated_whatever_the_feed_library_read(
    raw: str, upstream: datetime | None
) -> None:
    item = HarvestedItem(
        source_id="s", url="https://x.eu/1", published_raw=raw, published_at=upstream, updated_raw=raw
    )
    [out], _ = run([item], make_source(timezone="Europe/Paris"), clock=FETCHED)
    assert out.published_at is None and out.updated_at is None
    assert "date_implausible" in out.flags and "updated_date_implausible" in out.flags
    assert "date_unparsed" not in out.flags


@pytest.mark.parametrize("raw", ["-2025-03-04T10:00:00Z", "Tue, 04 Mar -2025 10:00:00 GMT", "4 mars 0000"])
def test_a_page_date_before_year_one_is_no_date(raw: str) -> None:
    item = HarvestedItem(source_id="s", url="https://x.eu/news/a", fetched_at=FETCHED)
    apply_document(item, ExtractedDocument(text="Text", method="html", published=raw, modified=raw))
    assert item.published_at is None and item.updated_at is None
    assert "date_implausible" in item.flags and "updated_date_implausible" in item.flags
