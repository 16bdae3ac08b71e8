"""Which published date an update stores (crawler.store.items `dating`, crawler.types `replaces_date`),
on SQLite and PostgreSQL (the `db_session` fixture): a date that stood in for the page's (none, a
sitemap's ``<lastmod>``, a feed's ``<updated>`` alone, a day the page tells with its time) is replaced
as a clean first harvest replaces it; any other stays (the first publication, case B07). The stored
value, precision and method always describe one date, and a version lists ``published_at`` only
when the source moved a publication date."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from crawler.store.items import item_versions, upsert_item
from crawler.store.sources import sync_sources
from crawler.types import DATE_ONLY, DATE_YEAR, FEED_UPDATED, published_precision, replaces_date
from tests.storedata import make_item, one_item, source

LASTMOD = datetime(2026, 11, 30, tzinfo=UTC)
PAGE = datetime(2026, 10, 3, 8, 0, tzinfo=UTC)
DAY = datetime(2026, 10, 3, tzinfo=UTC)
MOVED = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)

# (stored date, method, flags) -> (harvested date, method, flags) -> replaced?
RULE = {
    "none-by-page": ((None, None, []), (PAGE, "page", []), True),
    "lastmod-by-page": ((LASTMOD, "sitemap", [DATE_ONLY]), (PAGE, "page", []), True),
    "lastmod-by-page-day": ((LASTMOD, "sitemap", [DATE_ONLY]), (DAY, "page", [DATE_ONLY]), True),
    "feed-updated-by-feed": ((LASTMOD, FEED_UPDATED, []), (DAY, "feed", [DATE_ONLY]), True),
    "lastmod-by-lastmod": ((LASTMOD, "sitemap", [DATE_ONLY]), (MOVED, "sitemap", []), False),
    "day-by-its-time": ((DAY, "feed", [DATE_ONLY]), (PAGE, "page", []), True),
    "year-by-its-day": (
        (datetime(2026, 1, 1, tzinfo=UTC), "api", [DATE_ONLY, DATE_YEAR]),
        (DAY, "page", [DATE_ONLY]),
        True,
    ),
    "day-by-another-day": ((DAY, "feed", [DATE_ONLY]), (MOVED, "page", []), False),
    "time-by-a-moved-time": ((PAGE, "feed", []), (MOVED, "feed", []), False),
    "time-by-its-day": ((PAGE, "page", []), (DAY, "page", [DATE_ONLY]), False),
    "time-by-none": ((PAGE, "page", []), (None, None, []), False),
}


@pytest.mark.parametrize("name", list(RULE))
def test_which_date_replaces_which(name: str) -> None:
    given, new, replaced = RULE[name]
    assert replaces_date(*given, *new) is replaced


def _row(session: Any) -> tuple[str | None, str | None, str | None]:
    row = one_item(session)
    when = row.published_at.astimezone(UTC).isoformat() if row.published_at else None
    return when, published_precision(row.published_at, row.flags), row.date_method


# stub (date, method, flags), read item (date, method, flags) -> stored (date, precision, method),
# whether the version lists published_at
UPDATES = {
    # the tester's sitemap: the stub carries the lastmod, the page read later its own date
    "sitemap-stub-then-page": (
        (LASTMOD, "sitemap", [DATE_ONLY, "page_fetch.http_404"]),
        (PAGE, "page", []),
        ("2026-10-03T08:00:00+00:00", "time", "page"),
        False,
    ),
    "sitemap-stub-then-page-text": (
        (LASTMOD, "sitemap", [DATE_ONLY, "page_fetch.http_404"]),
        (DAY, "page", [DATE_ONLY]),
        ("2026-10-03T00:00:00+00:00", "day", "page"),
        False,
    ),
    "sitemap-stub-then-undated-page": (
        (LASTMOD, "sitemap", [DATE_ONLY, "page_crawl.interrupted"]),
        (LASTMOD, "sitemap", [DATE_ONLY]),
        ("2026-11-30T00:00:00+00:00", "day", "sitemap"),
        False,
    ),
    "listing-stub-then-page": (
        (None, None, ["page_fetch.http_5xx"]),
        (PAGE, "page", []),
        ("2026-10-03T08:00:00+00:00", "time", "page"),
        False,
    ),
    "feed-day-stub-then-its-time": (
        (DAY, "feed", [DATE_ONLY, "page_fetch.timeout"]),
        (PAGE, "page", []),
        ("2026-10-03T08:00:00+00:00", "time", "page"),
        False,
    ),
    # B07: a read item whose source moved its date keeps the first, with its precision and method
    "read-feed-day-then-moved-time": (
        (DAY, "feed", [DATE_ONLY]),
        (MOVED, "page", []),
        ("2026-10-03T00:00:00+00:00", "day", "feed"),
        True,
    ),
    "read-page-time-then-feed-day": (
        (PAGE, "page", []),
        (DAY, "feed", [DATE_ONLY]),
        ("2026-10-03T08:00:00+00:00", "time", "page"),
        False,
    ),
    "read-page-then-undated": (
        (PAGE, "page", ["date_zone_unknown"]),
        (None, None, ["date_before_identifier"]),
        ("2026-10-03T08:00:00+00:00", "time", "page"),
        False,
    ),
}


@pytest.mark.parametrize("name", list(UPDATES))
def test_an_update_stores_one_date_with_its_precision_and_method(db_session: Any, name: str) -> None:
    (stub_at, stub_method, stub_flags), (at, method, flags), expected, listed = UPDATES[name]
    sync_sources(db_session, [source()])
    stub = make_item(published_at=stub_at, date_method=stub_method, flags=list(stub_flags))
    assert upsert_item(db_session, stub) == "new"
    read = make_item(content="v2", published_at=at, date_method=method, flags=list(flags))
    assert upsert_item(db_session, read) == "updated"
    db_session.commit()
    assert _row(db_session) == expected
    row = one_item(db_session)
    if "date_zone_unknown" in stub_flags:  # a flag of the kept date stays with it
        assert "date_zone_unknown" in row.flags and "date_before_identifier" in row.flags
    (version,) = item_versions(db_session, row.id)
    assert ("published_at" in version["changed_fields"]) is listed
    fields = [change["field"] for change in version["field_changes"]]
    assert fields == (["published_at"] if listed else [])
