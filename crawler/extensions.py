"""RunRecorder: one `crawl_runs` row per crawl of a source, and the source's health after it.

At spider open a row is written with status ``running`` (and kept alive by a heartbeat, so a
killed process is detected later by lease expiry); a heartbeat that finds its row no longer
``running`` (the lease expired and the run was marked interrupted and handed to another worker)
fences this copy: the spider is closed at once (reason ``lease_lost``, stats
``ewsi/fence/lease_lost``) and the run's end is not written, so two copies of one run never both
finish it; items already in the pipelines are upserted by URL, so a fenced copy adds no duplicate.
At spider close Scrapy's stats become a `CrawlReport` whose status and error key crawler.health
decides (`build_report`), and the store saves the run and the source's health verdict
(crawler.store.runs). This module only wires Scrapy's signals to them.

Drops are counted here, once, for every stage: each ``DropItem(reason)`` raised by a pipeline
reaches Scrapy's ``item_dropped`` signal, and `RunRecorder` adds one to ``ewsi/dropped/<reason>``
(DESIGN.md convention 1), so a stage cannot forget to count its drops (``invalid_url`` of
pipelines.normalize was not counted before). Spiders count what they skip before an item exists
(``no_link``, ``robots``, ...) under the same prefix themselves.

`OneLineLogFormatter` (the ``LOG_FORMATTER`` of crawler.settings) logs items by URL and reason,
one line each, never the whole item.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.logformatter import LogFormatter, LogFormatterResult
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler.health import build_report
from crawler.store import runs
from crawler.store.session import run_with_retry, session_scope
from crawler.types import CrawlReport

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30.0
"""How often a running crawl refreshes `crawl_runs.heartbeat_at` (the lease is 4x this)."""
DROPPED_PREFIX = "ewsi/dropped/"
"""Stats prefix of dropped items, one key per reason (e.g. ``ewsi/dropped/invalid_url``)."""


def drop_reason(exception: BaseException) -> str:
    """The reason key of a `DropItem`: its message (a snake_case key such as ``duplicate``), at most
    64 characters, or ``unknown`` when it has none."""
    reason = str(exception).strip().splitlines()[0] if str(exception).strip() else ""
    return reason[:64] or "unknown"


def _item_ref(item: Any) -> tuple[str, str]:
    url = getattr(item, "url", None)
    source = getattr(item, "source_id", None)
    return (f"{url!r:.200}" if url is not None else type(item).__name__), str(source or "-")


class OneLineLogFormatter(LogFormatter):
    """Scrapy's log formatter with one line per item: ``Dropped (invalid_url): 'javascript:...'
    (source lab)``. Scrapy's own dumps the whole item (text, raw body) after a line break.

    Levels are Scrapy's: scraped at DEBUG, dropped at the DropItem's ``log_level`` or
    ``DEFAULT_DROPITEM_LOG_LEVEL``, item errors at ERROR (with the traceback Scrapy attaches).
    """

    def scraped(self, item: Any, response: Any, spider: Spider) -> LogFormatterResult:
        result = super().scraped(item, response, spider)
        url, source = _item_ref(item)
        return {
            **result,
            "msg": "Scraped %(url)s (source %(source)s)",
            "args": {"url": url, "source": source},
        }

    def dropped(
        self, item: Any, exception: BaseException, response: Any, spider: Spider
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        url, source = _item_ref(item)
        args = {"reason": drop_reason(exception), "url": url, "source": source}
        return {**result, "msg": "Dropped (%(reason)s): %(url)s (source %(source)s)", "args": args}

    def item_error(
        self, item: Any, exception: BaseException, response: Any, spider: Spider
    ) -> LogFormatterResult:
        result = super().item_error(item, exception, response, spider)
        url, source = _item_ref(item)
        return {
            **result,
            "msg": "Error processing %(url)s (source %(source)s)",
            "args": {"url": url, "source": source},
        }


class RunRecorder:
    """Scrapy extension writing the `crawl_runs` row and source health of each crawl, and counting
    every dropped item by reason (``ewsi/dropped/<reason>``, see the module docstring)."""

    def __init__(self, crawler: Crawler, database_url: str | None):
        self.crawler = crawler
        self.database_url = database_url
        self.run_id: int | None = None
        self.report: CrawlReport | None = None
        self.started_at = datetime.now(UTC)
        self._heartbeat: task.LoopingCall | None = None
        self.fenced = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        if crawler.settings.getbool("EWSI_NO_RUN_RECORD"):
            raise NotConfigured("run recording off")
        ext = cls(crawler, crawler.settings.get("EWSI_DATABASE_URL"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.ewsi_recorder = ext  # type: ignore[attr-defined]  # read by crawler.runner
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started_at = datetime.now(UTC)
        claimed = self.crawler.settings.getint("EWSI_RUN_ID") or None
        try:
            with session_scope(self.database_url) as session:
                if claimed is not None:  # the scheduler claimed the slot and wrote the row already
                    self.run_id = claimed
                    runs.heartbeat(session, claimed)
                else:
                    self.run_id = runs.start_run(session, spider.name, pid=os.getpid())
                # read by pipelines.extract: poison pages are not extracted again (T14)
                self.crawler.ewsi_quarantined = runs.quarantined_urls(session, spider.name)  # type: ignore[attr-defined]
        except Exception as exc:  # the run still happens; its record is what is lost
            logger.error("[%s] could not record the run start: %s", spider.name, exc)
            self.crawler.stats.inc_value("ewsi/errors/store.db_error")
            return
        self._heartbeat = task.LoopingCall(self._beat)
        self._heartbeat.start(HEARTBEAT_SECONDS, now=False)

    def item_dropped(self, item: Any, exception: BaseException, **_: Any) -> None:
        """Count a dropped item under ``ewsi/dropped/<reason>`` (the only place drops are counted)."""
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(DROPPED_PREFIX + drop_reason(exception))

    def _beat(self) -> None:
        if self.run_id is None:
            return
        try:
            with session_scope(self.database_url) as session:
                alive = runs.heartbeat(session, self.run_id)
        except Exception as exc:  # the database is away: the lease covers a short outage
            logger.warning("heartbeat failed: %s", exc)
            return
        if not alive:
            self.fence()

    def fence(self) -> None:
        """Stop this copy of the run: its lease was lost (see the module docstring)."""
        if self.fenced:
            return
        self.fenced = True
        logger.error("run %s is no longer ours (lease lost): stopping without writing its end", self.run_id)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("ewsi/fence/lease_lost", 1)
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and getattr(engine, "spider", None) is not None:
            deferred_from_coro(engine.close_spider_async(reason="lease_lost"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        self.report = build_report(spider.name, stats, self.started_at, reason)
        if self.run_id is None or self.fenced:
            return
        run_id, report = self.run_id, self.report

        def finish() -> None:
            with session_scope(self.database_url) as session:
                judged = runs.finish_run(session, run_id, report)
                # the summary tells what the health judgement found, not only what the stats said
                report.status, report.error_key = judged.status, judged.error_key
                report.broken = judged.broken
                report.error = judged.message or report.error
                report.held_back = judged.held_back

        try:  # replayed while the database is briefly away (T33), else left to the lease
            run_with_retry(finish)
        except Exception as exc:
            logger.error("[%s] could not record the run end: %s", spider.name, exc)
