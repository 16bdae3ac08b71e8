"""A run whose fetch of an item's document fails leaves the stored item as it is (crawler.store.items
`document_unread`, upsert rule 5): title, text, scores, review state and version; the next run that
reads the same document finds it unchanged. On SQLite and PostgreSQL (the `db_session` fixture)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import ResponseDataLossError
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from sqlalchemy import select
from test_spiders import make_spider
from twisted.internet.error import ConnectionRefusedError, TimeoutError
from twisted.python.failure import Failure

from crawler.health import failed_pages_fate
from crawler.store.decisions import decide
from crawler.store.items import document_unread, item_versions, upsert_item
from crawler.store.schema import Item, ItemTheme
from crawler.types import HarvestedItem
from pipelines.dedup import content_hash
from tests.storedata import classification

URL = "https://press.example.eu/news/venezuela-sanctions"
FEED_TITLE = "Venezuela: Parliament calls for additional sanctions | News"
PAGE_TITLE = "Venezuela: Parliament calls for additional sanctions"
PAGE_TEXT = " ".join(["Members adopted a resolution calling for further targeted sanctions."] * 8)


def _http(status: int) -> Exception:
    return HttpError(Response(URL, status=status), f"Ignoring non-200 response {status}")


# (failure kind, the exception the download gives, the flag the spider leaves on the item)
FAILURES: list[tuple[str, Callable[[], Exception], str]] = [
    ("connection refused", ConnectionRefusedError, "page_fetch.connect"),
    ("500", lambda: _http(500), "page_fetch.http_5xx"),
    ("503", lambda: _http(503), "page_fetch.http_5xx"),
    ("404 of a page read before (a cut replay archive too)", lambda: _http(404), "page_fetch.http_404"),
    ("410", lambda: _http(410), "page_fetch.http_404"),
    ("timeout", TimeoutError, "page_fetch.timeout"),
    ("truncated body", lambda: ResponseDataLossError("cut short"), "page_fetch.data_loss"),
]


def _entry() -> HarvestedItem:
    """The feed entry as the spider has it before following its link."""
    return HarvestedItem(
        source_id="ep-press",
        url=URL,
        canonical_url=URL,
        identity=f"url:{URL}",
        title=FEED_TITLE,
        summary="Parliament calls for sanctions.",
        language="en",
    )


def _read(relevance: float) -> HarvestedItem:
    """The item of a run that read the page: the page's title and text."""
    item = _entry()
    item.title, item.text = PAGE_TITLE, PAGE_TEXT
    item.classification = classification(relevance)
    item.content_hash = content_hash(item)
    return item


def _failed(exc: Exception) -> HarvestedItem:
    """The item of a run whose page fetch failed with `exc`, through the spider's own errback."""
    spider = make_spider(id="ep-press", kind="feed", urls=["https://press.example.eu/feed.xml"], follow=True)
    failure = Failure(exc)
    failure.request = Request(URL, cb_kwargs={"item": _entry()})  # type: ignore[attr-defined]
    (item,) = list(spider.page_failed(failure))
    item.classification = classification(0.04)  # what the feed's words alone score
    item.content_hash = content_hash(item)
    return item


def _state(session: Any) -> tuple[str, int, str | None, str | None, float | None, str | None]:
    session.expire_all()
    row = session.scalars(select(Item)).one()
    return row.status, row.version, row.title, row.text, row.relevance, row.editor_title


@pytest.mark.parametrize(("kind", "exc", "flag"), FAILURES, ids=[f[0] for f in FAILURES])
def test_failed_fetch_keeps_the_approved_item(
    db_session: Any, kind: str, exc: Callable[[], Exception], flag: str
) -> None:
    s = db_session
    assert upsert_item(s, _read(0.7)) == "new"
    s.commit()
    row = s.scalars(select(Item)).one()
    decide(s, row.id, "anna", "approve", revision=row.revision, request_token=f"t-{kind}"[:32])
    s.commit()
    stored = _state(s)
    assert stored == ("approved", 1, PAGE_TITLE, PAGE_TEXT, 0.7, None)
    scores = sorted(s.execute(select(ItemTheme.theme, ItemTheme.score)).all())

    failed = _failed(exc())
    assert flag in failed.flags and document_unread(failed)
    assert failed.title == FEED_TITLE and failed.text is None
    assert upsert_item(s, failed) == "unchanged"
    s.commit()
    assert _state(s) == stored
    assert sorted(s.execute(select(ItemTheme.theme, ItemTheme.score)).all()) == scores
    assert item_versions(s, row.id) == []

    assert upsert_item(s, _read(0.7)) == "unchanged"  # the same document read again
    s.commit()
    assert _state(s) == stored


def test_first_time_failed_page_is_stored_from_the_feed_then_updated_by_a_read(db_session: Any) -> None:
    s = db_session
    assert upsert_item(s, _failed(TimeoutError())) == "new"
    s.commit()
    assert _state(s) == ("pending", 1, FEED_TITLE, None, 0.04, None)
    assert upsert_item(s, _failed(_http(500))) == "unchanged"
    s.commit()
    assert _state(s)[:4] == ("pending", 1, FEED_TITLE, None)
    assert upsert_item(s, _read(0.7)) == "updated"  # the first read of the document: a new version
    s.commit()
    assert _state(s) == ("pending", 2, PAGE_TITLE, PAGE_TEXT, 0.7, None)


def test_a_read_document_that_changed_still_updates(db_session: Any) -> None:
    s = db_session
    assert upsert_item(s, _read(0.7)) == "new"
    s.commit()
    changed = _read(0.6)
    changed.text = PAGE_TEXT + " A corrigendum moved the vote."
    changed.content_hash = content_hash(changed)
    assert upsert_item(s, changed) == "updated"
    s.commit()
    assert _state(s)[:3] == ("pending", 2, PAGE_TITLE)
    assert _state(s)[4] == 0.6


# (an item's flags, whether its document counts as not read this run)
UNREAD_FLAGS: list[tuple[list[str], bool]] = [
    (["page_fetch.http_404"], True),
    (["date_only", "page_fetch.sent_to_front"], True),
    (["detail_fetch.http_5xx"], True),  # an API record's detail answer failed
    (["detail_parse.json_invalid"], True),
    (["extract.timeout"], True),  # fetched, but its text extraction was stopped
    (["extract.memory"], True),
    (["page_language"], False),  # no error key: not a failed page
    (["title_from_link", "date_only"], False),
    (["extract.pdf_failed"], False),
    ([], False),
]


@pytest.mark.parametrize(("flags", "unread"), UNREAD_FLAGS)
def test_document_unread_by_flag(flags: list[str], unread: bool) -> None:
    item = _entry()
    item.flags = list(flags)
    assert document_unread(item) is unread


# (failed pages, items kept as they were, items stored new, the page note's words); the rest of
# the failed pages' items were dropped by the store (tombstoned, duplicate) or before it
FATES: list[tuple[int, int, int, str]] = [
    (5, 0, 5, "their items kept without text"),
    (5, 5, 0, "their stored items kept as they were"),
    (5, 3, 2, "3 stored items kept as they were, 2 new without text"),
    (2, 4, 0, "their stored items kept as they were"),  # a stopped extraction counts too: capped
    (13, 12, 0, "12 stored items kept as they were, 1 dropped"),  # a tombstoned item is not new
    (3, 1, 0, "1 stored item kept as it was, 2 dropped"),
    (4, 0, 3, "3 new without text, 1 dropped"),
    (2, 0, 0, "their items dropped"),
    (6, 2, 3, "2 stored items kept as they were, 3 new without text, 1 dropped"),
]


@pytest.mark.parametrize(("failed", "kept", "new", "words"), FATES)
def test_failed_pages_fate(failed: int, kept: int, new: int, words: str) -> None:
    stats = {"ewsi/items/kept_unread": kept, "ewsi/items/new_unread": new}
    assert failed_pages_fate(failed, stats) == words
