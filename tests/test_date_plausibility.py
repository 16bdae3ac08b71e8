"""One date rule for every publication date, whatever its origin: the plausibility rule against the
fetch time (before 1990: dropped, ``date_implausible``; more than 1 h after the fetch: not used,
``date_in_future``), and impossible dates (30 February, month 13, day 32, hour 25) are no date
(``date_unparsed``), never another day. Tables over the page path (pipelines.extract) and the feed
path (pipelines.normalize)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.sources import Source
from crawler.types import DATE_ONLY, HarvestedItem
from pipelines.dates import impossible_date, parse_date
from pipelines.document import ExtractedDocument
from pipelines.extract import apply_document, extract_document
from pipelines.normalize import NormalizePipeline

FETCHED = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
FEED_DATE = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _page(date: str) -> bytes:
    text = "Migrants in the city receive language courses and job support from the council. " * 8
    return (
        '<html><head><title>Integration news</title><meta property="article:published_time" '
        f'content="{date}"></head><body><article><h1>Integration news</h1><p>{text}</p>'
        "</article></body></html>"
    ).encode()


# --- impossible dates: no date, in the parser, the page metadata and htmldate's reading -----------

IMPOSSIBLE = [
    "2026-02-30",
    "2026-02-30T10:00:00+01:00",
    "2026-13-01",
    "2026-01-32",
    "2026-01-10T25:00:00",
    "30/02/2026",
    "32/01/2026",
    "01/13/2026",  # day-first: month 13, not 13 January
    "30 February 2026",
    "Mon, 30 Feb 2026 10:00:00 GMT",
    "10/01/2026 25:00",
]


@pytest.mark.parametrize("raw", IMPOSSIBLE)
def test_impossible_dates_are_no_date(raw: str) -> None:
    assert parse_date(raw, UTC) is None
    assert impossible_date(raw) is True


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-02-28", datetime(2026, 2, 28, tzinfo=UTC)),
        ("2024-02-29", datetime(2024, 2, 29, tzinfo=UTC)),  # a leap day is a day
        ("10/01/2026", datetime(2026, 1, 10, tzinfo=UTC)),
        ("2026-01-10T23:59:00Z", datetime(2026, 1, 10, 23, 59, tzinfo=UTC)),
        ("2021", None),  # partial, not impossible
        ("junk", None),
    ],
)
def test_possible_and_unreadable_dates_are_not_impossible(raw: str, expected: datetime | None) -> None:
    assert parse_date(raw, UTC) == expected
    assert impossible_date(raw) is False


@pytest.mark.parametrize("raw", ["2026-02-30", "2026-13-01", "2026-01-10T25:00:00", "2025-02-30T10:00:00"])
def test_page_with_an_impossible_published_time_has_no_date(raw: str) -> None:
    document = extract_document(_page(raw), "https://example.eu/news/a", "text/html")
    # htmldate alone reads 2026-02-30 as 2026-02-01 and 2026-13-01 as 2026-01-13
    assert document.published is None
    assert "date_unparsed" in document.warnings
    item = HarvestedItem(source_id="s", url="https://example.eu/news/a", fetched_at=FETCHED)
    apply_document(item, document)
    assert item.published_at is None and item.date_method is None
    assert "date_unparsed" in item.flags


def test_page_with_a_possible_published_time_keeps_it() -> None:
    document = extract_document(_page("2026-02-28"), "https://example.eu/news/a", "text/html")
    assert document.published == "2026-02-28"
    assert "date_unparsed" not in document.warnings


# --- the page path: plausibility against the fetch time ------------------------------------------


# (page date, item's own date, expected published_at, expected date_method, expected flag)
PAGE_CASES = [
    # 27 days after the fetch: not used, the item stays undated
    ("31/12/2026", None, None, None, "date_in_future"),
    ("2026-12-31T09:00:00Z", None, None, None, "date_in_future"),
    # more than 1 h ahead: not used; within the hour's tolerance: kept
    ("2026-12-04T11:30:00Z", None, None, None, "date_in_future"),
    ("2026-12-04T10:30:00Z", None, datetime(2026, 12, 4, 10, 30, tzinfo=UTC), "page", None),
    # a future page date never replaces the item's other (sitemap) date
    ("2027-01-15", FEED_DATE, FEED_DATE, "sitemap", "date_in_future"),
    # before 1990: dropped
    ("1970-01-01", None, None, None, "date_implausible"),
    ("1989-12-31T23:00:00Z", FEED_DATE, FEED_DATE, "sitemap", "date_implausible"),
    # a plausible page date is used
    ("2026-11-30", None, datetime(2026, 11, 30, tzinfo=UTC), "page", None),
    ("2026-11-30T09:15:00Z", FEED_DATE, datetime(2026, 11, 30, 9, 15, tzinfo=UTC), "page", None),
    # impossible: no date, the item's own date stays
    ("2026-02-30", FEED_DATE, FEED_DATE, "sitemap", "date_unparsed"),
]


@pytest.mark.parametrize(("page", "own", "published", "method", "flag"), PAGE_CASES)
def test_page_date_passes_the_plausibility_rule(
    page: str, own: datetime | None, published: datetime | None, method: str | None, flag: str | None
) -> None:
    item = HarvestedItem(
        source_id="s",
        url="https://example.eu/news/a",
        fetched_at=FETCHED,
        published_at=own,
        date_method="sitemap" if own else None,
    )
    apply_document(item, ExtractedDocument(text="Text", method="html", published=page))
    assert item.published_at == published
    assert item.date_method == method
    flags = {"date_in_future", "date_implausible", "date_unparsed"} & set(item.flags)
    assert flags == ({flag} if flag else set())
    if flag:
        assert DATE_ONLY not in item.flags or own is not None


@pytest.mark.parametrize(
    ("modified", "updated", "flag"),
    [
        ("2027-03-01", None, "updated_date_in_future"),
        ("1980-01-01", None, "updated_date_implausible"),
        ("2026-11-01T10:00:00Z", datetime(2026, 11, 1, 10, tzinfo=UTC), None),
    ],
)
def test_page_modification_date_passes_the_rule(
    modified: str, updated: datetime | None, flag: str | None
) -> None:
    item = HarvestedItem(source_id="s", url="https://example.eu/news/a", fetched_at=FETCHED)
    apply_document(item, ExtractedDocument(text="Text", method="html", modified=modified))
    assert item.updated_at == updated
    assert (flag in item.flags) if flag else not any(f.startswith("updated_") for f in item.flags)


# --- the feed path: the same rule ----------------------------------------------------------------


def _normalise(item: HarvestedItem) -> HarvestedItem:
    crawler = get_crawler(Spider)
    pipeline = NormalizePipeline.from_crawler(crawler)
    pipeline.clock = lambda: FETCHED
    source = Source(
        id="test-feed", name="S", publisher="S", kind="feed", urls=["https://example.eu/feed.xml"]
    )
    return pipeline.process_item(item, SimpleNamespace(source=source, crawler=crawler))


# (raw, date a parser upstream made of it, expected published_at, expected method, expected flag)
FEED_CASES = [
    ("2026-12-31", None, FETCHED, "fetch_time", "date_in_future"),
    ("31/12/2026", None, FETCHED, "fetch_time", "date_in_future"),
    ("1970-01-01T00:00:00Z", None, None, None, "date_implausible"),
    ("2026-11-30T09:15:00Z", None, datetime(2026, 11, 30, 9, 15, tzinfo=UTC), "feed", None),
    # impossible: no date, even when feedparser made a day of it
    ("Mon, 30 Feb 2026 10:00:00 GMT", datetime(2026, 3, 2, 10, tzinfo=UTC), None, None, "date_unparsed"),
    ("2026-13-01", datetime(2026, 1, 13, tzinfo=UTC), None, None, "date_unparsed"),
    ("2026-01-10T25:00:00Z", None, None, None, "date_unparsed"),
]


@pytest.mark.parametrize(("raw", "upstream", "published", "method", "flag"), FEED_CASES)
def test_feed_date_passes_the_same_rule(
    raw: str, upstream: datetime | None, published: datetime | None, method: str | None, flag: str | None
) -> None:
    item = _normalise(
        HarvestedItem(
            source_id="s", url="https://example.eu/news/a", published_raw=raw, published_at=upstream
        )
    )
    assert item.published_at == published
    assert item.date_method == method
    flags = {"date_in_future", "date_implausible", "date_unparsed"} & set(item.flags)
    assert flags == ({flag} if flag else set())
