"""Store stage: upsert each item into the review-queue database (the only pipeline that imports
crawler.store).

Before the write, in this order:
1. ``max_age_days`` of the source: an item published before ``fetched_at - max_age_days`` is dropped
   as ``too_old`` (so a new source does not flood the queue with its archive);
2. untrusted content (RELIABILITY.md §2 "HTML"): strings of the raw record that hold markup are
   sanitised with nh3's allowlist (titles, summaries and authors are plain text already, made so by
   pipelines.normalize); attachments whose link is not http(s) are dropped; the body of an
   unsupported type (ZIP, images: T17) is not kept;
3. quality counts for the run's health by meaning (``ewsi/quality/items``, ``undated``,
   ``followed``, ``empty``, ``nav``, ``no_text`` (document read, no text), ``unread`` (document not
   read: a fetch failure, never counted ``no_text``), and ``same_title``: how many items carry the
   run's most frequent title with nothing else telling them apart (no distinct event start,
   deadline, call or official id, or text: crawler.health `look_alike_key`); read by crawler.health).

After the write, the item row notes the crawl run that yielded it (and first stored it), so a broken
run's items can be held back and a later healthy run's release them (crawler.store.suspects).

Each item is written in its own transaction, so one bad item never costs the others. The
transaction is replayed whole by `crawler.store.run_with_retry`: up to 5 tries on SQLite "database
is locked" and PostgreSQL 40001/40P01, and for up to ``EWSI_DB_RETRY_SECONDS`` (default 30 s) while
the server is unreachable (a restart or crash, T33); every retry is counted in stats as
``ewsi/store/retries/<reason>`` and ``ewsi/store/db_errors/<error class>``. The outcome
(new, updated, unchanged, duplicate, tombstoned) is counted in stats as ``ewsi/items/<outcome>``;
an item stored before whose document this run did not read (crawler.store.items.document_unread)
is kept as it was, "unchanged", and also counted as ``ewsi/items/kept_unread``; a new one as
``ewsi/items/new_unread`` (an unread item the store drops, tombstoned or duplicate, is in neither).
Duplicates (an identity another source already holds) and tombstoned items (rejected by an editor)
are dropped with that reason. A database failure is counted as ``ewsi/errors/store.db_error`` and
the item dropped as ``store_error``; the run is then recorded as failed. Extraction-worker kills
left on the item by pipelines.extract (``ewsi_worker_kills``) are recorded for the quarantine (T14)
in the same transaction, counted as ``ewsi/quarantine/recorded``.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import nh3
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.health import is_nav_title, look_alike_key
from crawler.store import items, runs, suspects
from crawler.store.session import run_with_retry, session_scope
from crawler.types import HarvestedItem
from crawler.urls import is_web_url

logger = logging.getLogger(__name__)

_MARKUP = re.compile(r"<[A-Za-z/!?]")


def sanitise_html(value: Any) -> Any:
    """A copy of a JSON-like value whose strings holding markup went through `nh3.clean`
    (ammonia's allowlist: no script, style, event handlers or javascript: URLs)."""
    if isinstance(value, str):
        return nh3.clean(value) if _MARKUP.search(value) else value
    if isinstance(value, dict):
        return {k: sanitise_html(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sanitise_html(v) for v in value]
    return value


class StorePipeline:
    """Upsert items (with their raw response, compressed) and count outcomes."""

    def __init__(self, crawler: Crawler | None = None, database_url: str | None = None):
        self.crawler = crawler
        self.database_url = database_url
        self._titles: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        """Build the pipeline for a crawler (Scrapy entry point)."""
        return cls(crawler, crawler.settings.get("EWSI_DATABASE_URL"))

    def _stat(self, key: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def _retried(self, reason: str, exc: Exception) -> None:
        """Count a retried database error (T30, T33): ``ewsi/store/retries/<reason>`` and
        ``ewsi/store/db_errors/<class>`` (e.g. ``OperationalError``); both end up in the run's stats."""
        self._stat(f"ewsi/store/retries/{reason}")
        self._stat(f"ewsi/store/db_errors/{type(exc).__name__}")

    def _quality(self, item: HarvestedItem) -> None:
        self._stat("ewsi/quality/items")
        if item.published_at is None or item.date_method == "fetch_time":
            self._stat("ewsi/quality/undated")
        if item.extraction_method is not None:
            self._stat("ewsi/quality/followed")
            if not item.text:
                self._stat("ewsi/quality/empty")
        if items.document_unread(item):
            self._stat("ewsi/quality/unread")  # a fetch failure, not an item without text (crawler.health)
        elif not (item.text or "").strip():
            self._stat("ewsi/quality/no_text")
        if is_nav_title(item.title):
            self._stat("ewsi/quality/nav")
        key = look_alike_key(item)
        if key and self.crawler is not None and self.crawler.stats is not None:
            self._titles[key] += 1
            self.crawler.stats.max_value("ewsi/quality/same_title", self._titles[key])

    def _run_id(self) -> int | None:
        """The id of the crawl run being recorded (crawler.extensions.RunRecorder), if any."""
        recorder = getattr(self.crawler, "ewsi_recorder", None)
        return getattr(recorder, "run_id", None)

    def process_item(self, item: HarvestedItem, spider: Spider | None = None) -> HarvestedItem:
        """Store `item`; raises DropItem(too_old | duplicate | tombstoned | store_error)."""
        if spider is None and self.crawler is not None:
            spider = getattr(self.crawler, "spider", None)
        source = getattr(spider, "source", None)
        max_age = getattr(source, "max_age_days", None)
        reference = item.fetched_at or datetime.now(UTC)
        if max_age and item.published_at and item.published_at < reference - timedelta(days=max_age):
            item.body = None
            raise DropItem("too_old")  # drops are counted by crawler.extensions.RunRecorder
        if item.record is not None:
            item.record = sanitise_html(item.record)
        item.attachments = [a for a in item.attachments if is_web_url(getattr(a, "url", None))]
        if item.extraction_method == "unsupported":
            item.body = None  # never parsed, so never kept: a ZIP bomb stays on the server (T17)
        self._quality(item)
        raw = items.RawResponse.from_item(item)
        kills = int(getattr(item, "ewsi_worker_kills", 0) or 0)
        run_id = self._run_id()

        def write() -> str:
            with session_scope(self.database_url) as session:
                result = items.upsert_item(session, item, raw=raw)
                if run_id is not None and result in ("new", "updated", "unchanged"):
                    suspects.note_seen(session, item.identity or "", run_id, first=result == "new")
                if kills:
                    reason = getattr(item, "ewsi_worker_kill", None) or (
                        "memory" if "extract.memory" in item.flags else "timeout"
                    )
                    url = item.body_url or item.url
                    if runs.record_worker_kill(session, url, item.source_id, reason, kills):
                        logger.warning("[%s] %s quarantined after %s kills", item.source_id, url, reason)
            return result

        try:
            # a concurrent writer (another crawl, an editor) may hold the lock or win a race: retried
            outcome = run_with_retry(write, on_retry=self._retried)
            if kills:
                self._stat("ewsi/quarantine/recorded")
        except Exception as exc:  # SQLAlchemy errors, after the store's own retries
            logger.error("[%s] could not store %s: %s", item.source_id, item.url, exc)
            self._stat("ewsi/errors/store.db_error")
            if self.crawler is not None and self.crawler.stats is not None:
                messages = self.crawler.stats.get_value("ewsi/error_messages") or {}
                messages.setdefault("store.db_error", f"{type(exc).__name__}: {str(exc)[:300]}")
                self.crawler.stats.set_value("ewsi/error_messages", messages)
            raise DropItem("store_error") from exc
        finally:
            item.body = None  # kept compressed in raw_responses; free it for the rest of the run
        self._stat(f"ewsi/items/{outcome}")
        if outcome == "unchanged" and items.document_unread(item):
            self._stat("ewsi/items/kept_unread")  # stored before, kept as it was (crawler.health)
        elif outcome == "new" and items.document_unread(item):
            self._stat("ewsi/items/new_unread")  # stored new without text; a dropped one is not
        item.ewsi_outcome = outcome  # type: ignore[attr-defined]  # read by the progress display
        if outcome in ("duplicate", "tombstoned"):
            raise DropItem(outcome)
        return item
