"""``ewsi worker [--concurrency N]``: run crawl jobs deferred by the scheduler leader, on any machine.

``ewsi worker [--config PATH] [--concurrency N] [--replay FILE] [--time-limit S] [--no-listen]``
runs until SIGTERM/SIGINT (running crawls finish first; exit 0). Each job runs one (source, slot) by
starting the crawl child (crawler.scheduling.jobs). Needs PostgreSQL: exit 2 with one line for
SQLite (``ewsi schedule`` runs children itself there), an invalid config or an unreachable or
unmigrated database. ``--no-listen``: poll the queue instead of LISTEN/NOTIFY (behind pgbouncer in
transaction mode). Settings: `database_url`; test hook `scheduler_child_cmd`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from crawler.argtypes import Parser, positive_int, seconds
from crawler.config import Settings
from crawler.errors import ConfigError
from crawler.scheduling import jobs
from crawler.scheduling.service import SchedulerOptions, SchedulerService
from crawler.sources import DEFAULT_CONFIG
from crawler.store import leader
from crawler.store import migrate as store_migrate
from crawler.store import session as store_session

HELP = "run crawl jobs queued by `ewsi schedule --dispatch workers`"
log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="ewsi worker", description="run crawl jobs queued by the scheduler")
    p.add_argument("--config", default=None, help="operator YAML (default config/sources.yaml)")
    p.add_argument("--concurrency", type=positive_int, default=2, help="crawls running at once (default 2)")
    p.add_argument("--replay", default=None, metavar="FILE.warc.gz", help="children answer from this WARC")
    p.add_argument(
        "--time-limit", type=seconds(), default=3600.0, help="seconds a run may take (default 3600)"
    )
    p.add_argument("--name", default=None, help="worker name shown in the queue (default: none)")
    p.add_argument("--no-listen", action="store_true", help="poll instead of LISTEN/NOTIFY (pgbouncer)")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: Sequence[str], settings: Settings) -> int:
    """Entry point of ``ewsi worker``; see the module docstring."""
    args = build_parser().parse_args(list(argv))
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    url = store_session.database_url(settings.database_url)
    try:
        jobs.conninfo(url)
    except ValueError as exc:
        print(f"{exc}: `ewsi schedule` runs the crawls itself on SQLite", file=sys.stderr)
        return 2
    store_migrate.ensure_ready(url)  # DatabaseUnavailable: one line, exit 2 (crawler.cli)
    options = SchedulerOptions(
        config=Path(args.config) if args.config else DEFAULT_CONFIG,
        database_url=url,
        replay=args.replay,
        workers=args.concurrency,
        time_limit_s=args.time_limit,
        child_cmd=settings.scheduler_child_cmd,
    )
    runner = SchedulerService(options)
    try:
        runner.load()
    except ConfigError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        runner.discard()
        return 2

    def run(source_id: str, slot: datetime | None, rerun: bool) -> str:
        if runner.config_changed():
            runner.reload()
        return runner.run_slot(source_id, slot, rerun=rerun)

    try:
        jobs.run_worker(url, run, concurrency=args.concurrency, listen=not args.no_listen, name=args.name)
    except Exception as exc:
        print(f"worker stopped: {leader.one_line(exc)}", file=sys.stderr)
        return 1
    finally:
        runner.shutdown()
    return 0
