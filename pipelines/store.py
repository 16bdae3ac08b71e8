"""Store stage: upsert each item into the review-queue database (the only pipeline that imports
crawler.store).

Each item is written in its own transaction, so one bad item never costs the others; the outcome
(new, updated, unchanged, duplicate, tombstoned) is counted in stats as ``ewsi/items/<outcome>``.
Duplicates (an identity another source already holds) and tombstoned items (rejected by an editor)
are dropped with that reason. A database failure is counted as ``ewsi/errors/store.db_error`` and
the item dropped as ``store_error``; the run is then recorded as failed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler import store
from crawler.types import HarvestedItem

logger = logging.getLogger(__name__)


class StorePipeline:
    """Upsert items (with their raw response, compressed) and count outcomes."""

    def __init__(self, crawler: Crawler | None = None, database_url: str | None = None):
        self.crawler = crawler
        self.database_url = database_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler, crawler.settings.get("EWSI_DATABASE_URL"))

    def _stat(self, key: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def process_item(self, item: HarvestedItem, spider: Spider | None = None) -> HarvestedItem:
        source = getattr(spider, "source", None)
        max_age = getattr(source, "max_age_days", None)
        if max_age and item.published_at and item.published_at < datetime.now(UTC) - timedelta(days=max_age):
            raise DropItem("too_old")
        raw = store.RawResponse.from_item(item)
        try:
            with store.session_scope(self.database_url) as session:
                outcome = store.upsert_item(session, item, raw=raw)
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
        item.ewsi_outcome = outcome  # type: ignore[attr-defined]  # read by the progress display
        if outcome in ("duplicate", "tombstoned"):
            self._stat(f"ewsi/dropped/{outcome}")
            raise DropItem(outcome)
        return item
