"""A date without a time of day is a calendar day: stored as that day at 00:00 UTC in every zone,
flagged ``date_only`` and shown as the day alone (pipelines.dates.parse_day_or_time), in the feed
stage, the page stage, the queue JSON and the read API."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.sources import Source
from crawler.types import DATE_ONLY, HarvestedItem, published_precision
from pipelines.dates import has_time_of_day, parse_day_or_time
from pipelines.document import ExtractedDocument
from pipelines.extract import apply_document
from pipelines.normalize import NormalizePipeline

ZONES = ["Europe/Stockholm", "Europe/Lisbon", "Europe/Athens", "Europe/Helsinki", "Atlantic/Azores", "UTC"]


@pytest.mark.parametrize(
    ("raw", "timed"),
    [
        ("2025-06-10", False),
        ("10 juni 2025", False),
        ("10.06.2025", False),
        ("Tue, 10 Jun 2025", False),
        ("10. června 2025", False),
        ("2025. június 10.", False),
        ("10 czerwca 2025 r.", False),
        ("2025-06-10T09:30:00", True),
        ("2025-06-10T00:00:00+02:00", True),  # midnight said outright is a time
        ("2025-06-10 00:00", True),
        ("10 juin 2025 à 16h45", True),
        ("Tue, 10 Jun 2025 08:00:00 GMT", True),
        ("1749548000", True),
        ("1749548000123", True),
        ("20250610T0930Z", True),
        ("10.6.2025 klo 9.30", True),
        ("June 10, 2025 9 am", True),
        ("2025-06-10T14", True),  # the hour alone is a time of day
        ("10/06/2025 14h", True),
        ("Di., 10.06.2025, 9 Uhr", True),
        ("2025-06-10 14 h", True),
        ("10 June 2025 (14th session)", False),
        ("", False),
        (None, False),
    ],
)
def test_has_time_of_day(raw: str | None, timed: bool) -> None:
    assert has_time_of_day(raw) is timed


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    ("raw", "languages"),
    [
        ("2025-06-10", []),
        ("10 juni 2025", ["sv"]),
        ("10.06.2025", []),
        ("Tue, 10 Jun 2025", []),
        ("10 Ιουνίου 2025", ["el"]),
        ("10. kesäkuuta 2025", ["fi"]),
    ],
)
def test_a_day_is_that_day_in_every_zone(raw: str, languages: list[str], zone: str) -> None:
    parsed, day_only = parse_day_or_time(raw, ZoneInfo(zone), languages=languages)
    assert parsed == datetime(2025, 6, 10, tzinfo=UTC)
    assert day_only is True


@pytest.mark.parametrize(
    ("raw", "zone", "expected"),
    [
        ("2025-06-10T09:30:00", "Europe/Stockholm", datetime(2025, 6, 10, 7, 30, tzinfo=UTC)),
        ("2025-06-10 00:30", "Europe/Athens", datetime(2025, 6, 9, 21, 30, tzinfo=UTC)),
        ("10 June 2025 23:15", "Atlantic/Azores", datetime(2025, 6, 10, 23, 15, tzinfo=UTC)),
        ("Tue, 10 Jun 2025 08:00:00 +0200", "Europe/Lisbon", datetime(2025, 6, 10, 6, 0, tzinfo=UTC)),
    ],
)
def test_a_time_of_day_is_read_in_the_sources_zone(raw: str, zone: str, expected: datetime) -> None:
    assert parse_day_or_time(raw, ZoneInfo(zone)) == (expected, False)


def test_unreadable_dates_are_neither() -> None:
    assert parse_day_or_time("soon", ZoneInfo("Europe/Paris")) == (None, False)
    assert parse_day_or_time(None, UTC) == (None, False)


def _normalise(raw: str, zone: str) -> HarvestedItem:
    crawler = get_crawler(Spider)
    pipeline = NormalizePipeline.from_crawler(crawler)
    pipeline.clock = lambda: datetime(2025, 7, 1, tzinfo=UTC)
    source = Source(
        id="day-src", name="S", publisher="P", kind="feed", urls=["https://x.example.eu/f.xml"], timezone=zone
    )
    item = HarvestedItem(source_id="s", url="https://x.example.eu/a", published_raw=raw)
    return pipeline.process_item(item, SimpleNamespace(source=source, crawler=crawler))


@pytest.mark.parametrize(
    ("raw", "zone", "expected", "flagged"),
    [
        ("2025-06-10", "Europe/Stockholm", datetime(2025, 6, 10, tzinfo=UTC), True),
        ("10 juni 2025", "Europe/Stockholm", datetime(2025, 6, 10, tzinfo=UTC), True),
        ("10.06.2025", "Europe/Athens", datetime(2025, 6, 10, tzinfo=UTC), True),
        ("2025-06-10T09:30:00", "Europe/Stockholm", datetime(2025, 6, 10, 7, 30, tzinfo=UTC), False),
        # exactly midnight, in the source's zone, the written offset or UTC, is how systems write a day
        ("2025-06-10T00:00:00Z", "Europe/Athens", datetime(2025, 6, 10, tzinfo=UTC), True),
        ("10/06/2025 00:00", "Europe/Brussels", datetime(2025, 6, 10, tzinfo=UTC), True),
        ("2025-06-10 00:00:00", "Europe/Stockholm", datetime(2025, 6, 10, tzinfo=UTC), True),
        ("2025-06-10T00:00:00+02:00", "Europe/Brussels", datetime(2025, 6, 10, tzinfo=UTC), True),
        ("Tue, 10 Jun 2025 00:00:00 +0300", "Europe/Brussels", datetime(2025, 6, 10, tzinfo=UTC), True),
        ("2025-06-10T00:00:00.000-05:00", "Europe/Lisbon", datetime(2025, 6, 10, tzinfo=UTC), True),
        ("10.06.2025 0:00 Uhr", "Europe/Vienna", datetime(2025, 6, 10, tzinfo=UTC), True),
        ("Tue, 10 Jun 2025 00:00:00 GMT", "Europe/Helsinki", datetime(2025, 6, 10, tzinfo=UTC), True),
        ("2025-03-10T00:00:00+03", "UTC", datetime(2025, 3, 10, tzinfo=UTC), True),
        ("10 Mar 2025 00:00 GMT+3", "UTC", datetime(2025, 3, 10, tzinfo=UTC), True),
        ("Mon, 10 Mar 2025 00:00:00 EET", "UTC", datetime(2025, 3, 10, tzinfo=UTC), True),
        ("10.03.2025 00:00 (UTC+02:00)", "Europe/Lisbon", datetime(2025, 3, 10, tzinfo=UTC), True),
        ("2025-03-30 00:00", "Europe/Brussels", datetime(2025, 3, 30, tzinfo=UTC), True),  # DST day
        # midnight in another zone than the one written is a time, never the next or previous day
        ("2025-03-10T23:00:00-01:00", "UTC", datetime(2025, 3, 11, tzinfo=UTC), False),
        ("2025-03-09T19:00:00-05:00", "Europe/Brussels", datetime(2025, 3, 10, tzinfo=UTC), False),
        ("2025-06-10T00:00:00+02:00", "Europe/Lisbon", datetime(2025, 6, 10, tzinfo=UTC), True),
        # any other time of day stays an instant
        ("2025-06-10T00:00:01+02:00", "Europe/Brussels", datetime(2025, 6, 9, 22, 0, 1, tzinfo=UTC), False),
        ("2025-06-10T00:30:00", "Europe/Brussels", datetime(2025, 6, 9, 22, 30, tzinfo=UTC), False),
        ("2025-06-10T12:00:00Z", "Europe/Brussels", datetime(2025, 6, 10, 12, tzinfo=UTC), False),
    ],
)
def test_feed_dates(raw: str, zone: str, expected: datetime, flagged: bool) -> None:
    item = _normalise(raw, zone)
    assert item.published_at == expected
    assert (DATE_ONLY in item.flags) is flagged
    assert published_precision(item.published_at, item.flags) == ("day" if flagged else "time")


def _item(published_at: datetime | None, flags: list[str], method: str | None = "feed") -> HarvestedItem:
    return HarvestedItem(
        source_id="s",
        url="https://x.example.eu/a",
        title="A title",
        published_at=published_at,
        date_method=method if published_at else None,
        flags=list(flags),
    )


DAY = datetime(2025, 6, 10, tzinfo=UTC)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, 6, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("item_date", "item_flags", "method", "page_raw", "expected", "day_only", "expected_method"),
    [
        # the page tells the time of the feed's day: the time wins
        (DAY, [DATE_ONLY], "feed", "2025-06-10T09:30:00+02:00", at(10, 7, 30), False, "page"),
        (DAY, [DATE_ONLY], "feed", "2025-06-09T23:30:00-05:00", at(10, 4, 30), False, "page"),
        # a page time days away is another date (a later edit, a related event): the feed's day stays
        (DAY, [DATE_ONLY], "feed", "2025-06-14T09:30:00+02:00", DAY, True, "feed"),
        # the feed's own time is never replaced
        (at(10, 8), [], "feed", "2025-06-10T11:00:00+02:00", at(10, 8), False, "feed"),
        # an undated item takes the page's day, flagged
        (None, [], None, "10 juni 2025", DAY, True, "page"),
        (None, [], None, "2025-06-10T09:30:00Z", at(10, 9, 30), False, "page"),
        # a sitemap lastmod day gives way to the page's time
        (DAY, [DATE_ONLY], "sitemap", "2025-06-08T10:00:00Z", at(8, 10), False, "page"),
        # a sitemap lastmod instant gives way to the page's day
        (at(12, 10), [], "sitemap", "2025-06-08", at(8), True, "page"),
    ],
)
def test_page_dates(
    item_date: datetime | None,
    item_flags: list[str],
    method: str | None,
    page_raw: str,
    expected: datetime,
    day_only: bool,
    expected_method: str,
) -> None:
    item = _item(item_date, item_flags, method)
    document = ExtractedDocument(text="Body text.", title="A title", published=page_raw)
    apply_document(item, document, ZoneInfo("Europe/Stockholm"))
    assert item.published_at == expected
    assert (DATE_ONLY in item.flags) is day_only
    assert item.flags.count(DATE_ONLY) <= 1
    assert item.date_method == expected_method


@pytest.mark.parametrize(
    ("published_at", "flags", "expected"),
    [(None, [DATE_ONLY], None), (DAY, None, "time"), (DAY, [], "time"), (DAY, ["x", DATE_ONLY], "day")],
)
def test_published_precision(
    published_at: datetime | None, flags: list[str] | None, expected: str | None
) -> None:
    assert published_precision(published_at, flags) == expected


def test_queue_and_read_api_say_how_precise_the_date_is(db_session) -> None:
    """`ewsi queue --json` rows and the read API's items carry published_precision (SQLite, PostgreSQL)."""
    from desklab import add_item, add_source

    from crawler.store import portal, queue

    add_source(db_session, "src-a")
    day = add_item(db_session, 1, published_at=DAY, flags=[DATE_ONLY], status="approved")
    timed = add_item(db_session, 2, published_at=at(10, 7, 30), flags=[], status="approved")
    undated = add_item(db_session, 3, published_at=None, flags=[DATE_ONLY], status="approved")
    db_session.commit()
    rows = {r["id"]: r for r in queue.listing(db_session, status="any", limit=None)}
    assert rows[day.id]["published_precision"] == "day"
    assert rows[timed.id]["published_precision"] == "time"
    assert rows[undated.id]["published_precision"] is None
    assert rows[day.id]["published_at"] == "2025-06-10T00:00:00Z"
    page = portal.list_items(db_session, portal.ItemFilter(), limit=10)
    api = {r["id"]: r["published_precision"] for r in page.items}
    assert api == {day.id: "day", timed.id: "time", undated.id: None}


def test_the_read_api_says_what_a_date_rests_on(db_session) -> None:
    """published_basis: a date the source wrote, one counted back from "2 days ago", or the fetch time
    standing in for a future date (B10); None undated (SQLite, PostgreSQL)."""
    from desklab import add_item, add_source

    from crawler.store import portal

    add_source(db_session, "src-a")
    rows = [
        (1, DAY, [DATE_ONLY], "feed", "source"),
        (2, DAY, [DATE_ONLY, "date_relative"], "page", "estimated"),
        (3, at(10, 7, 30), ["date_in_future"], "fetch_time", "fetched"),
        (4, at(10, 7, 30), ["date_in_future"], "feed", "source"),  # a page's future date was not used
        (5, None, [], None, None),
    ]
    ids = {
        add_item(
            db_session, n, published_at=when, flags=flags, date_method=method, status="approved"
        ).id: basis
        for n, when, flags, method, basis in rows
    }
    db_session.commit()
    page = portal.list_items(db_session, portal.ItemFilter(), limit=10)
    assert {r["id"]: r["published_basis"] for r in page.items} == ids
