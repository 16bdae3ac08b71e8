"""Run crawls: one Scrapy `CrawlerProcess` with one crawler per source.

`run_sources` is what `ewsi crawl` calls; ``python -m crawler.runner SOURCE_ID [...]`` is the
child-process entry the scheduler uses (Twisted's reactor cannot restart inside a process, and a
child gives each run its own time limit, memory and crash boundary).
Exit codes of the module entry: 0 every run ok, 1 some run failed, 2 bad config or database (an
unreachable database is found within the connect timeout, 5 s, and reported as
``database unavailable (store.db_error): ...``: T34).

The module entry logs to stderr at INFO (``--log-level``), as ``ewsi crawl`` does, through one
handler, Scrapy's (installed before the crawl starts, replaced by Scrapy's own with the same
format), so every record is printed once, in one format, on one line: items are logged by URL
(`crawler.extensions.OneLineLogFormatter`), and Scrapy's multi-line start-up reports (versions,
enabled components, overridden settings) are left out, being the same in every run
(`quiet_startup_reports`). Its output goes to the scheduler's log.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.log import install_scrapy_root_handler

from crawler import config
from crawler.argtypes import Parser, positive_int
from crawler.config import Settings as RuntimeSettings
from crawler.errors import ConfigError, DatabaseUnavailable, unknown_source_message
from crawler.settings import LOG_FORMAT, build_settings
from crawler.sources import Source, load_sources
from crawler.store import migrate as store_migrate
from crawler.store import session as store_session
from crawler.store import sources as store_sources
from crawler.store.items import set_fault_kill_after
from crawler.store.session import configure_retry
from crawler.types import CrawlReport

logger = logging.getLogger(__name__)

ItemCallback = Callable[[str, str], None]
"""Called as (source_id, outcome) for every item: new, updated, unchanged, dropped:<reason>."""


def run_sources(
    sources: Sequence[Source],
    *,
    database_url: str | None = None,
    replay: str | Path | None = None,
    record: str | Path | None = None,
    contact: str | None = None,
    on_item: ItemCallback | None = None,
    on_close: Callable[[str, CrawlReport | None], None] | None = None,
    log_level: str = "WARNING",
    overrides: dict[str, Any] | None = None,
    runtime: RuntimeSettings | None = None,
) -> list[CrawlReport]:
    """Crawl `sources` concurrently in this process and return one `CrawlReport` per source.

    Blocks until every crawl has finished. Can run once per process (Twisted reactor). The
    database must be migrated (see `crawler.store.check_ready`). `runtime`: the process's settings
    (crawler.config; None: the defaults), also arming the store's retry budget and fault hook.
    """
    from spiders import TEMPLATES

    runtime = runtime or RuntimeSettings()
    configure_retry(runtime.db_retry_seconds)
    set_fault_kill_after(runtime.fault_kill_after_item_row)

    settings = build_settings(
        database_url=database_url,
        replay=replay,
        record=record,
        contact=contact,
        log_level=log_level,
        overrides=overrides,
        runtime=runtime,
    )
    process = CrawlerProcess(settings)
    crawlers = []
    for source in sources:
        crawler = process.create_crawler(TEMPLATES[source.kind])
        if on_item is not None:
            _connect_progress(crawler, source.id, on_item)
        if on_close is not None:
            crawler.signals.connect(
                lambda spider, reason, c=crawler, sid=source.id: on_close(
                    sid, getattr(c, "ewsi_recorder", None) and c.ewsi_recorder.report
                ),
                signal=signals.spider_closed,
                weak=False,
            )
        process.crawl(crawler, source=source)
        crawlers.append((source, crawler))
    process.start()
    reports = []
    for source, crawler in crawlers:
        recorder = getattr(crawler, "ewsi_recorder", None)
        report = recorder.report if recorder is not None else None
        if report is None:
            from datetime import UTC, datetime

            report = CrawlReport(source.id, datetime.now(UTC), status="failed", error_key="crawl.crashed")
        reports.append(report)
    return reports


def _connect_progress(crawler: Any, source_id: str, on_item: ItemCallback) -> None:
    def scraped(item: Any, **_: Any) -> None:
        on_item(source_id, getattr(item, "ewsi_outcome", None) or "stored")

    def dropped(item: Any, exception: BaseException, **_: Any) -> None:
        on_item(source_id, f"dropped:{exception}")

    crawler.signals.connect(scraped, signal=signals.item_scraped, weak=False)
    crawler.signals.connect(dropped, signal=signals.item_dropped, weak=False)


STARTUP_REPORTS = {
    "scrapy.middleware": ("Enabled ",),
    "scrapy.addons": ("Enabled ",),
    "scrapy.crawler": ("Overridden settings",),
    "alembic.runtime.migration": ("Context impl ", "Will assume "),
}
"""Logger -> message starts of the INFO reports made when a crawl starts: Scrapy's multi-line ones
and Alembic's two lines of the store's readiness check."""


class _DropStartupReports(logging.Filter):
    def __init__(self, starts: tuple[str, ...]):
        super().__init__()
        self.starts = starts

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno <= logging.INFO and str(record.msg).startswith(self.starts))


def quiet_startup_reports() -> None:
    """Leave the start-up reports of `STARTUP_REPORTS` (and Scrapy's versions: ``LOG_VERSIONS``) out
    of this process's log. Logger filters survive Scrapy's logging set-up."""
    for name, starts in STARTUP_REPORTS.items():
        target = logging.getLogger(name)
        if not any(isinstance(f, _DropStartupReports) for f in target.filters):
            target.addFilter(_DropStartupReports(starts))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m crawler.runner SOURCE_ID [...]``; see the module docstring."""
    parser = Parser(prog="python -m crawler.runner", description="Crawl sources in this process.")
    parser.add_argument("source_ids", nargs="+", metavar="SOURCE_ID")
    parser.add_argument("--config", default=None, help="operator YAML (default config/sources.yaml)")
    parser.add_argument("--replay", default=None, help="answer every request from this WARC file")
    parser.add_argument("--record", default=None, help="append every live response to this WARC file")
    parser.add_argument(
        "--run-id",
        type=positive_int,
        default=None,
        help="crawl_runs row already claimed for this run by the scheduler (one source only)",
    )
    parser.add_argument("--log-level", default="INFO", help="log level (default INFO, as `ewsi crawl`)")
    args = parser.parse_args(argv)
    level = args.log_level.upper()
    # Scrapy's root handler from the start (the crawl replaces it by an equal one): one handler in all
    install_scrapy_root_handler(Settings({"LOG_LEVEL": level, "LOG_FORMAT": LOG_FORMAT}))
    quiet_startup_reports()
    try:
        runtime = config.load()
    except ValueError as exc:  # a runtime setting not of its type
        print(exc, file=sys.stderr)
        return 2
    try:
        sources_file = load_sources(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    by_id = {s.id: s for s in sources_file.sources}
    unknown = [sid for sid in args.source_ids if sid not in by_id]
    if unknown:
        for sid in unknown:
            print(unknown_source_message(sid, by_id), file=sys.stderr)
        return 2
    try:
        store_migrate.ensure_ready(runtime.database_url)
        with store_session.session_scope(runtime.database_url) as session:
            store_sources.sync_sources(session, sources_file.sources)
    except DatabaseUnavailable as exc:
        print(f"database unavailable ({exc.key}): {exc}", file=sys.stderr)
        return 2
    if args.run_id is not None and len(args.source_ids) != 1:
        print("--run-id needs exactly one SOURCE_ID", file=sys.stderr)
        return 2
    overrides: dict[str, Any] = {"LOG_VERSIONS": []}
    if args.run_id is not None:
        overrides["EWSI_RUN_ID"] = args.run_id
    reports = run_sources(
        [by_id[sid] for sid in args.source_ids],
        replay=args.replay,
        record=args.record,
        contact=sources_file.contact,
        log_level=level,
        overrides=overrides,
        runtime=runtime,
    )
    for report in reports:
        print(f"{report.source_id}\t{report.status}\t{report.error_key or '-'}\tnew={report.items_new}")
    return 0 if all(r.status == "ok" for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
