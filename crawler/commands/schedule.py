"""``ewsi schedule`` (and ``python scheduler.py``): run the scheduler, or list every source's next run.

``ewsi schedule [--config PATH] [--replay FILE] [--workers N] [--time-limit S] [--stop-grace S]
[--dispatch local|workers]`` runs until SIGTERM (exit 0); a second one on the same database waits as
a standby. ``--dispatch workers`` (PostgreSQL only, else exit 2): queue one job per (source, slot)
for ``ewsi worker`` (crawler.commands.worker) instead of starting the crawls here. It starts only
when the config is valid and the database answers and is migrated: otherwise exit 2 with one line,
as the other ``ewsi`` commands (``database unavailable: cannot connect to
postgresql://127.0.0.1:1/nope: connection refused``), so a wrong URL is not a silent retry loop.
A database lost later is waited for (crawler.scheduling.service `DatabaseOutage`).
``ewsi schedule --list [--config PATH] [--json]`` prints each source's next run (UTC), last run,
state and back-off; ``--json`` prints one object per source. Exit 2: invalid config or database.
Settings: `database_url`; test hooks `schedule_interval_seconds` and `scheduler_child_cmd`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.argtypes import Parser, positive_int, seconds
from crawler.config import Settings
from crawler.errors import ConfigError, UsageError
from crawler.scheduling.nextrun import NextRun, source_next_run
from crawler.scheduling.service import SchedulerOptions, SchedulerService
from crawler.scheduling.triggers import build_trigger, next_fire
from crawler.sources import DEFAULT_CONFIG, SourcesFile, load_sources
from crawler.store import leader
from crawler.store import migrate as store_migrate
from crawler.store import session as store_session
from crawler.text import iso_z, when

HELP = "run the scheduler (or --list the next runs)"
log = logging.getLogger(__name__)


def list_sources(
    config: SourcesFile, database_url: str, *, now: datetime | None = None, interval_s: float | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """One dict per configured source, in config order, and a warning when the database was unreadable.

    Keys: source_id, name, enabled, schedule, timezone, next_run (UTC ISO 8601 with Z; None when
    disabled or never), next_run_reason and next_run_label (crawler.scheduling.nextrun `NextRun`:
    ``scheduled``, ``after back-off``, ``disabled``, ``never``), last_run (start of the latest run
    not skipped), last_status, last_error_key, state,
    consecutive_failures, backoff_until (ISO Z or None).

    The next run is `crawler.scheduling.nextrun.source_next_run`, the function the desk's sources
    page uses, so the two agree: a source backing off past its next slot next runs at the first slot
    at or after the end of its back-off. With the test hook `interval_s` every source runs every
    `interval_s` seconds instead (no back-off applied).
    """
    now = now or datetime.now(UTC)
    runs: dict[str, dict[str, Any]] = {}
    health: dict[str, dict[str, Any]] = {}
    warning = None
    try:
        store_migrate.ensure_ready(database_url)
        with store_session.session_scope(database_url) as session:
            runs = leader.last_runs(session)
            health = leader.health(session)
    except Exception as exc:  # list what the config says even without a database
        warning = f"database not read ({exc}): last run, state and back-off unknown"
    out = []
    for source in config.sources:
        run = runs.get(source.id, {})
        state = health.get(source.id, {})
        if interval_s:
            fire = next_fire(build_trigger(source, interval_s), now) if source.enabled else None
            plan = NextRun(fire, "scheduled") if fire else NextRun(None, "disabled")
        else:
            plan = source_next_run(source, now, state.get("backoff_until"))
        out.append(
            {
                "source_id": source.id,
                "name": source.name,
                "enabled": source.enabled,
                "schedule": f"every {interval_s:g} s (test)" if interval_s else source.schedule,
                "timezone": source.timezone,
                "next_run": iso_z(plan.at) if plan.at else None,
                "next_run_reason": plan.reason,
                "next_run_label": plan.label(),
                "last_run": run.get("started_at"),
                "last_status": run.get("status"),
                "last_error_key": state.get("last_error_key"),
                "state": state.get("state", "new" if source.enabled else "disabled"),
                "consecutive_failures": state.get("consecutive_failures", 0),
                "backoff_until": state.get("backoff_until"),
            }
        )
    return out, warning


def _print_table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("source", "next run (UTC)", "schedule", "last run", "status", "state", "backoff until")
    for r in rows:
        table.add_row(
            r["source_id"],
            r["next_run_label"],
            f"{r['schedule']} {r['timezone']}",
            when(r["last_run"]) if r["last_run"] else "-",
            r["last_status"] or "-",
            r["state"] or "-",
            when(r["backoff_until"]) if r["backoff_until"] else "-",
        )
    Console(width=200).print(table)


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi schedule``."""
    p = Parser(prog="ewsi schedule", description="run the scheduler or list the next runs")
    p.add_argument("--config", default=None, help="operator YAML (default config/sources.yaml)")
    p.add_argument("--list", action="store_true", help="print every source's next run and health, then exit")
    p.add_argument("--json", action="store_true", help="with --list: one JSON object per source and line")
    p.add_argument("--replay", default=None, metavar="FILE.warc.gz", help="children answer from this WARC")
    p.add_argument(
        "--workers", type=positive_int, default=8, help="crawls running at once at most (default 8)"
    )
    p.add_argument(
        "--time-limit", type=seconds(), default=3600.0, help="seconds a run may take (default 3600)"
    )
    p.add_argument(
        "--stop-grace",
        type=seconds(zero=True),
        default=30.0,
        help="seconds running crawls get on SIGTERM (default 30)",
    )
    p.add_argument(
        "--leader-poll",
        type=seconds(),
        default=5.0,
        help="seconds between a standby's lock attempts (default 5)",
    )
    p.add_argument("--config-poll", type=seconds(), default=3.0, help="seconds between config mtime checks")
    p.add_argument(
        "--dispatch",
        choices=("local", "workers"),
        default="local",
        help="local: start the crawls here (default); workers: queue them for `ewsi worker` (PostgreSQL)",
    )
    p.add_argument("--log-level", default=None, help="default INFO (WARNING with --list)")
    return p


def main(argv: Sequence[str], settings: Settings) -> int:
    """Entry point of ``ewsi schedule`` and ``scheduler.py``; see the module docstring."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    if args.json and not args.list:  # an option that would be ignored is refused, naming both
        parser.error("argument --json: only with --list")
    level = args.log_level or ("WARNING" if args.list else "INFO")
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config_path = Path(args.config) if args.config else DEFAULT_CONFIG
    url = store_session.database_url(settings.database_url)
    interval_s = settings.schedule_interval_seconds
    interval_s = interval_s if interval_s and interval_s > 0 else None
    if args.list:
        try:
            config = load_sources(config_path)
        except ConfigError as exc:
            print("\n".join(exc.problems), file=sys.stderr)
            return 2
        rows, warning = list_sources(config, url, interval_s=interval_s)
        if warning:
            print(warning, file=sys.stderr)
        if args.json:
            for row in rows:
                print(json.dumps(row, ensure_ascii=False))
        else:
            _print_table(rows)
        return 0
    options = SchedulerOptions(
        config=config_path,
        database_url=url,
        replay=args.replay,
        workers=args.workers,
        time_limit_s=args.time_limit,
        stop_grace_s=args.stop_grace,
        leader_poll_s=args.leader_poll,
        config_poll_s=args.config_poll,
        interval_s=interval_s,
        child_cmd=settings.scheduler_child_cmd,
        dispatch=args.dispatch,
    )
    if args.dispatch == "workers" and not url.startswith("postgresql"):
        raise UsageError("--dispatch workers needs PostgreSQL (SQLite: the scheduler runs the crawls)")
    try:
        load_sources(config_path)  # the config first: its errors are worth more than the database's
    except ConfigError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 2
    store_migrate.ensure_ready(url)  # DatabaseUnavailable: one line, exit 2 (crawler.cli)
    service = SchedulerService(options)
    try:
        service.load()
    except ConfigError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        service.discard()
        return 2
    return service.serve()
