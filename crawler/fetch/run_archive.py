"""Raw archive per run: every live response of a crawl goes into the run's own WARC file.

Settings read: ``EWSI_ARCHIVE_URL`` (``file:///dir`` or ``s3://bucket[/prefix]``, crawler.archive;
unset: off, and off in replay mode), ``EWSI_ARCHIVE_ENDPOINT`` (an S3-compatible endpoint) and
``EWSI_DATABASE_URL``. The responses are written as by `crawler.fetch.warc.RecordMiddleware` (one
gzip member per record) into a local temporary file; when the spider closes, the file is stored as
``<source id>-run<run id>.warc.gz`` in the directory or bucket and each response's location (WARC
URL, record offset, record length, status; crawler.store.warc_locations) is written for the run of
`crawler.extensions.RunRecorder`. A run without a run id (database away at start) is stored as
``<source id>-<UTC time>.warc.gz`` and gets no locations. When the file cannot be stored, it stays
where it was written, its locations name that local file, and the error is logged and counted
(``ewsi/errors/archive.store_failed``): nothing is lost. A run that fetched nothing stores nothing.
"""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.spiders import Spider

from crawler.archive import ArchiveTarget, parse_target
from crawler.errors import ArchiveError
from crawler.fetch.warc import RecordMiddleware
from crawler.store import warc_locations
from crawler.store.session import run_with_retry, session_scope

logger = logging.getLogger(__name__)


class RunArchiveMiddleware(RecordMiddleware):
    """Record every live response of the crawl into its run's WARC file (see the module docstring)."""

    def __init__(self, crawler: Crawler, target: ArchiveTarget, database_url: str | None):
        handle, local = tempfile.mkstemp(prefix="ewsi-run-", suffix=".warc.gz")
        os.close(handle)
        super().__init__(local)
        self.crawler = crawler
        self.target = target
        self.database_url = database_url
        self.stored_url: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunArchiveMiddleware:
        url = crawler.settings.get("EWSI_ARCHIVE_URL")
        if not url or crawler.settings.get("EWSI_REPLAY"):
            raise NotConfigured("EWSI_ARCHIVE_URL not set, or replay mode")
        target = parse_target(url, crawler.settings.get("EWSI_ARCHIVE_ENDPOINT"))
        mw = cls(crawler, target, crawler.settings.get("EWSI_DATABASE_URL"))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_closed(self, spider: Spider) -> None:
        """Close the file, store it, then record where each response is."""
        self.close()
        if not self.written:
            self.path.unlink(missing_ok=True)
            return
        recorder = getattr(self.crawler, "ewsi_recorder", None)
        run_id: int | None = getattr(recorder, "run_id", None)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = (
            f"{spider.name}-run{run_id}.warc.gz" if run_id is not None else f"{spider.name}-{stamp}.warc.gz"
        )
        try:
            self.stored_url = self.target.put(self.path, name)
        except ArchiveError as exc:
            logger.error("[%s] archive kept at %s: %s", spider.name, self.path, exc)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("ewsi/errors/archive.store_failed")
            self.stored_url = Path(self.path).resolve().as_uri()
        logger.info("[%s] %d responses archived in %s", spider.name, len(self.written), self.stored_url)
        if run_id is None:
            return
        stored, rows = self.stored_url, list(self.written)

        def save() -> None:
            with session_scope(self.database_url) as session:
                warc_locations.record(session, run_id, stored, rows)

        try:
            run_with_retry(save)
        except Exception as exc:  # the archive is kept; only the index of it is lost
            logger.error(
                "[%s] could not record the archive locations of run %s: %s", spider.name, run_id, exc
            )
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("ewsi/errors/store.db_error")
