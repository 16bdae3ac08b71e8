"""Which failed fetches spend one of a page's tries, and when a page without text is still asked
again (crawler.store.revisit), on SQLite and PostgreSQL (the `db_session` fixture).

Rule: a fetch that never reached the host (refused during a host pause, ``fetch.host_paused``) or
that our own stop cut short (``crawl.interrupted``, ``extract.interrupted``) keeps the page unread and
asked again, but spends no try: a host closed for a day across several runs, or a Ctrl-C, never makes
the page ``page_unreachable``. A page whose funding deadline or event start is ahead is asked again
once its revisit interval passed, with or without text, even after its tries ran out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from crawler.store.items import upsert_item
from crawler.store.revisit import MAX_PAGE_TRIES, NOT_A_TRY, UNREACHABLE_FLAG, revisit_links, tries
from crawler.store.schema import Item
from crawler.types import HarvestedItem
from pipelines.dedup import content_hash
from tests.storedata import classification

URL = "https://calls.example.eu/call/7"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def _stub(flag: str) -> HarvestedItem:
    """The item of a run whose fetch of the page failed with `flag` (as spiders.base leaves it)."""
    item = HarvestedItem(
        source_id="calls", url=URL, canonical_url=URL, identity=f"url:{URL}", title="Call 7", language="en"
    )
    item.flags = [flag, "title_missing"]
    item.classification = classification(0.1)
    item.content_hash = content_hash(item)
    return item


# (case, the flags of the failed runs in turn, tries spent, given up)
RUNS: list[tuple[str, list[str], int, bool]] = [
    ("three 5xx", ["page_fetch.http_5xx"] * 3, 3, True),
    ("two timeouts", ["page_fetch.timeout"] * 2, 2, False),
    ("five runs inside a host pause", ["page_fetch.host_paused"] * 5, 0, False),
    ("a pause between two 5xx", ["page_fetch.http_5xx", "page_fetch.host_paused", "page_fetch.http_5xx"], 2,
     False),
    ("pauses, then three failures", ["page_fetch.host_paused"] * 2 + ["page_fetch.connect"] * 3, 3, True),
    ("interrupted by Ctrl-C four times", ["page_crawl.interrupted"] * 2 + ["extract.interrupted"] * 2, 0,
     False),
    ("an API detail paused, then missing", ["detail_fetch.host_paused", "detail_parse.empty"], 1, False),
]  # fmt: skip


@pytest.mark.parametrize(("flags", "spent", "given_up"), [r[1:] for r in RUNS], ids=[r[0] for r in RUNS])
def test_only_fetches_that_reached_the_host_spend_a_try(
    db_session: Any, flags: list[str], spent: int, given_up: bool
) -> None:
    s = db_session
    for flag in flags:
        upsert_item(s, _stub(flag))
        s.commit()
    row = s.scalars(select(Item)).one()
    assert row.text is None
    assert tries(row.flags) == spent
    assert (UNREACHABLE_FLAG in row.flags) == given_up
    # a refusal that recurs is kept once: the flags do not grow run after run
    assert all(row.flags.count(flag) <= 1 for flag in NOT_A_TRY)
    row.last_seen_at = NOW - timedelta(hours=1)
    s.commit()
    assert (URL in revisit_links(s, "calls", NOW, DAY)) == (not given_up)


# (case, deadline from now, last seen before now, tries spent before, asked again)
DUE: list[tuple[str, timedelta | None, timedelta, int, bool]] = [
    ("no text, deadline ahead, due", 30 * DAY, 3 * DAY, 0, True),
    ("no text, deadline ahead, tries spent, due", 30 * DAY, 3 * DAY, MAX_PAGE_TRIES, True),
    ("no text, deadline ahead, seen within the interval", 30 * DAY, timedelta(hours=2), 1, True),
    ("no text, deadline ahead, seen within the interval, tries spent", 30 * DAY, timedelta(hours=2),
     MAX_PAGE_TRIES, False),
    ("no text, deadline past, tries spent", -DAY, 3 * DAY, MAX_PAGE_TRIES, False),
    ("no text, no deadline, tries left", None, 3 * DAY, 1, True),
]  # fmt: skip


@pytest.mark.parametrize(("ahead", "seen", "spent", "asked"), [d[1:] for d in DUE], ids=[d[0] for d in DUE])
def test_a_date_ahead_brings_a_page_back_with_or_without_text(
    db_session: Any, ahead: timedelta | None, seen: timedelta, spent: int, asked: bool
) -> None:
    s = db_session
    for _ in range(max(spent, 1)):
        upsert_item(s, _stub("page_fetch.http_5xx"))
        s.commit()
    row = s.scalars(select(Item)).one()
    assert tries(row.flags) == max(spent, 1)
    row.deadline = NOW + ahead if ahead is not None else None
    row.last_seen_at = NOW - seen
    s.commit()
    assert (URL in revisit_links(s, "calls", NOW, DAY)) == asked
