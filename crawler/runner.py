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

import contextlib
import dataclasses
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.log import install_scrapy_root_handler

from crawler import config, exitsignals, stopcounts, worker
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
    guard = ShutdownGuard()
    guard.install()
    kept = _keeps_closures(settings)
    if kept:
        _reopen_closures(str(settings["EWSI_DATABASE_URL"] or ""), settings)
    try:
        return _run(sources, settings, guard, on_item, on_close)
    finally:
        if kept:  # before `restore`: a signal while the closures are kept is the guard's, not an exception
            _keep_closures(str(settings["EWSI_DATABASE_URL"] or ""))
        guard.restore()


def _keeps_closures(settings: dict[str, Any]) -> bool:
    """True when this run keeps host closures in the store itself (crawler.store.host_closures): a
    live crawl without the shared host budget, which keeps them on its own (PostgreSQL)."""
    shared = str(settings.get("EWSI_DATABASE_URL") or "").startswith("postgresql") and bool(
        settings.get("EWSI_SHARED_HOST_BUDGET", True)
    )
    return not settings.get("EWSI_REPLAY") and not shared


def _reopen_closures(url: str, settings: dict[str, Any]) -> None:
    """Close, for this run, the hosts an earlier run saw closed (a Retry-After beyond the run's
    limit, capped at a day): their requests are refused ``fetch.host_paused`` until they reopen. A
    store that cannot be read is logged and the run goes on without them."""
    from crawler.fetch.politeness import close_host
    from crawler.store import host_closures

    try:
        closures = host_closures.load_from(url or None)
    except DatabaseUnavailable as exc:
        logger.warning("host closures of earlier runs not read: %s", exc)
        return
    concurrency = int(settings.get("CONCURRENT_REQUESTS_PER_DOMAIN") or 1)
    for host, until, key in closures:
        close_host(host, until, key, concurrency)


def _keep_closures(url: str) -> None:
    """Write the hosts still closed at the end of the run for the next one (`_reopen_closures`); a
    store that cannot be written is logged (the next run asks the host again)."""
    from crawler.fetch.politeness import closed_hosts
    from crawler.store import host_closures

    closures = closed_hosts()
    if not closures:
        return
    try:
        host_closures.save_to(url or None, closures)
    except DatabaseUnavailable as exc:
        logger.warning("host closures not kept for the next run: %s", exc)


def _run(
    sources: Sequence[Source],
    settings: dict[str, Any],
    guard: ShutdownGuard,
    on_item: ItemCallback | None,
    on_close: Callable[[str, CrawlReport | None], None] | None,
) -> list[CrawlReport]:
    """The body of `run_sources` under `guard`: build a crawler per source (none after a signal),
    run them, and return one report per source (`ShutdownGuard.report_for` for those that did not
    close their run)."""
    from spiders import TEMPLATES

    process = CrawlerProcess(settings)
    crawlers: list[tuple[Source, Any]] = []
    for source in sources:
        if guard.signum is not None:  # stopped while the crawlers were being built: start no more
            break
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
    guard.crawlers = [crawler for _, crawler in crawlers]
    if crawlers:
        guard.before_start()
        # the guard answers SIGINT/SIGTERM (Scrapy's and Twisted's handlers are left out)
        process.start(install_signal_handlers=False)
    built = {source.id: crawler for source, crawler in crawlers}
    return [guard.report_for(source, built.get(source.id)) for source in sources]


def _kill_workers() -> None:
    """Kill the extraction workers' children (a signal after the stop ends the process at once)."""
    worker.stop_all(at_once=True)


class ShutdownGuard:
    """SIGINT and SIGTERM for the whole of `run_sources`, from before the first crawler is built
    until the last one closed.

    Rule: an interrupted run records no failure or back-off against any source. Scrapy installs its
    own handlers only once the reactor runs, so a Ctrl-C while the crawlers were being built (the
    classifier loading, seconds) raised KeyboardInterrupt inside one crawler's set-up: that crawler
    was lost, the others ran on to the end as if nothing had been asked, and their failures (a
    source that answered nothing in time) counted, with exit 0. Here the first signal stops the
    run gracefully wherever it is: no crawler is built after it, the requests waiting in the host
    gate for a slot, a spacing or a Crawl-delay (not in flight) are dropped at once
    (crawler.fetch.politeness `stop_waiting`), and each running crawler closes with reason
    ``shutdown`` (``interrupted``, ``crawl.interrupted``: not the source's failure,
    crawler.health) as soon as its engine runs; a second signal stops at once, and the runs it
    leaves ``running`` are closed ``interrupted`` without a failure counted
    (`close_unfinished`). A source whose run was not closed gets an ``interrupted`` report, not a
    ``crawl.crashed`` failure; without a signal such a source is reported ``crawl.crashed`` as
    before.

    Rule (interruptions): an interruption is never a strike against a page or a source. The
    extraction workers ignore SIGINT; the first signal tells them the crawl stops
    (`crawler.worker.stop_all`: the extraction in flight finishes, and one that fails from now on is
    ``interrupted``, no quarantine hit), the second kills them with the crawl. The first signal
    also puts one line on the terminal (stderr, `FIRST_SIGNAL_LINE`), as the graceful stop may wait
    for hanging requests; the log says the rest.

    Rule (no reactor yet): until the first crawler starts, no Twisted reactor is installed, and
    importing ``twisted.internet.reactor`` installs Twisted's default one, which every crawler then
    refuses ("the installed reactor does not match"). A signal in that window only records itself;
    `before_start` queues what it asked for once the crawl's reactor is in.

    Rule (after the stop): once a signal stopped the crawl, every later signal, up to the process's
    end, ends it at once with exit 130 (crawler.exitsignals): while the summary prints, while
    threads are joined and in the interpreter's last steps. A second Ctrl-C pressed as the stopped
    crawl was closing killed the process by the signal (-2) when it landed in Python's
    finalisation, where Python's own handlers are gone. SIGHUP (a closed terminal or SSH session)
    stops the crawl as SIGTERM does; before, it killed the process and left its runs ``running``.
    """

    SIGNALS: tuple[signal.Signals, ...] = exitsignals.SIGNALS
    RETRY_SECONDS = 0.1
    """How soon the graceful stop looks again for crawlers whose engine was not running yet."""
    FIRST_SIGNAL_LINE = "stopping after the requests in flight; Ctrl-C again to stop at once"
    """What the terminal gets on the first signal (stderr, once)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.count = 0
        self.crawlers: list[Any] = []
        self._previous: dict[int, Any] = {}
        self._queued = 0

    def install(self) -> None:
        """Answer the signals (main thread only: elsewhere, signals cannot be set and nothing is)."""
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in exitsignals.answered():
            self._previous[sig] = signal.signal(sig, self._on_signal)

    def restore(self) -> None:
        """Put back the handlers that were there before `install`; after a stop, a later signal ends
        the process at once with exit 130 (crawler.exitsignals), to its end."""
        stopped = self.signum is not None and bool(self._previous)
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()
        if stopped:
            exitsignals.on_exit_signal(_kill_workers)
        if self.signum is not None:
            worker.resume_all()
            gate = sys.modules.get("crawler.fetch.politeness")  # imported by a crawl that ran, if any
            if gate is not None:
                gate.resume_waiting()

    def _on_signal(self, signum: int, _frame: Any) -> None:
        # a signal handler only queues work for the reactor (which runs it once started)
        self.signum = signum
        self.count += 1
        worker.stop_all(at_once=self.count > 1)  # at once: the workers need no reactor
        if self.count == 1:
            with contextlib.suppress(Exception):  # a closed or busy stderr must not stop the stop
                print(self.FIRST_SIGNAL_LINE, file=sys.stderr, flush=True)
        if self.REACTOR_MODULE in sys.modules:
            self._queue_stop()
        # else: no reactor is installed yet (no crawler has started); importing one here would
        # install Twisted's default reactor instead of the crawl's, and every crawler would fail
        # to start. `before_start` queues the stop once the crawl's reactor is in.

    REACTOR_MODULE = "twisted.internet.reactor"
    """The module whose import installs a Twisted reactor (the first crawler's start installs the
    crawl's, Scrapy `TWISTED_REACTOR`)."""

    def _queue_stop(self) -> None:
        """Queue on the installed reactor what the signals so far ask for (once per signal)."""
        from twisted.internet import reactor

        signum = self.signum
        assert signum is not None
        while self._queued < self.count:
            self._queued += 1
            if self._queued == 1:
                reactor.callFromThread(self._log, signum, "shutting down gracefully; send again to force")
                reactor.callFromThread(self._drop_waiting)
                reactor.callFromThread(self.stop_gracefully)
            elif self._queued == 2:
                reactor.callFromThread(self._log, signum, "stopping at once")
                reactor.callFromThread(self._stop_now)

    def before_start(self) -> None:
        """Queue the stop that signals received before any reactor was installed asked for (called
        once the crawlers are built, before the reactor runs)."""
        if self.signum is not None and self.REACTOR_MODULE in sys.modules:
            self._queue_stop()

    @staticmethod
    def _drop_waiting() -> None:
        """Refuse the requests waiting in the host gate for a slot or a delay (``crawl.interrupted``):
        they are not in flight, and the graceful stop waits only for those that are."""
        from crawler.fetch.politeness import stop_waiting

        if dropped := stop_waiting():
            logger.info("%d requests waiting for their turn at a host dropped", dropped)

    @staticmethod
    def _log(signum: int, what: str) -> None:
        logger.info("Received %s, %s", signal.Signals(signum).name, what)

    def stop_gracefully(self) -> None:
        """Close every crawler whose engine runs (reason ``shutdown``); look again shortly while
        one is still starting."""
        from scrapy.utils.defer import deferred_from_coro
        from twisted.internet import reactor as twisted_reactor

        reactor: Any = twisted_reactor
        starting = False
        for crawler in self.crawlers:
            if not crawler.crawling:
                continue
            engine = getattr(crawler, "engine", None)
            if engine is not None and engine.running:
                deferred_from_coro(crawler.stop_async())
            else:
                starting = True
        if starting and self.count == 1:
            reactor.callLater(self.RETRY_SECONDS, self.stop_gracefully)

    @staticmethod
    def _stop_now() -> None:
        from twisted.internet import reactor as twisted_reactor

        reactor: Any = twisted_reactor
        with contextlib.suppress(RuntimeError):  # already stopped or stopping
            reactor.stop()

    def report_for(self, source: Source, crawler: Any | None) -> CrawlReport:
        """The report of `source`'s crawl: its recorder's, else (never built, or stopped before it
        closed its run) ``interrupted`` after a signal, with what the run did (crawler.stopcounts),
        and ``crawl.crashed`` without one."""
        recorder = getattr(crawler, "ewsi_recorder", None) if crawler is not None else None
        report = recorder.report if recorder is not None else None
        if report is not None:
            return report
        now = datetime.now(UTC)
        if self.signum is None:
            return CrawlReport(source.id, now, status="failed", error_key="crawl.crashed")
        run_id = getattr(recorder, "run_id", None)
        database_url = getattr(recorder, "database_url", None)
        stats = crawler.stats.get_stats() if crawler is not None and crawler.stats is not None else {}
        started = getattr(recorder, "started_at", None) or now
        report = stopcounts.counted(source.id, stats, started, stopcounts.stored_counts(database_url, run_id))
        if run_id is not None and not getattr(recorder, "fenced", False):
            close_unfinished(database_url, run_id, self.signum, stopcounts.row_counts(report))
        return dataclasses.replace(
            report,
            finished_at=now,
            broken=False,
            status="interrupted",
            error_key="crawl.interrupted",
            error=f"stopped by {signal.Signals(self.signum).name} before the run closed",
        )


def close_unfinished(
    database_url: str | None, run_id: int, signum: int, counts: dict[str, Any] | None = None
) -> None:
    """Close run `run_id`, left ``running`` by a forced stop, as ``interrupted``
    (``crawl.interrupted``) without counting a failure of its source, with `counts` (what it did,
    crawler.stopcounts); a database error is logged (the lease sweep closes the run later)."""
    from crawler.store.leader import interrupt_run

    why = f"stopped at once by a second {signal.Signals(signum).name}"
    try:
        with store_session.session_scope(database_url) as session:
            interrupt_run(session, run_id, "crawl.interrupted", why, count_failure=False, counts=counts)
    except Exception as exc:
        logger.error("could not close interrupted run %s: %s", run_id, exc)


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
