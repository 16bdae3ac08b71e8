"""`ewsi sources validate|status|unquarantine`: check the operator YAML, source health, quarantine reset.

Exit 0; 2 for unquarantine without exactly one of URL and --all (ConfigError and
DatabaseUnavailable are mapped by crawler.cli).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from crawler.config import Settings

HELP = "operator config and source health"
console = Console(stderr=True)
out = Console()


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi sources``."""
    src = argparse.ArgumentParser(prog="ewsi sources", description=HELP)
    src.add_argument("sources_command", choices=["validate", "status", "unquarantine"])
    src.add_argument("url", nargs="?", help="unquarantine: the URL to clear")
    src.add_argument("--all", action="store_true", help="unquarantine: clear every quarantined URL")
    src.add_argument("--config", help="operator YAML (default config/sources.yaml)")
    src.add_argument("--json", action="store_true")
    return src


def main(argv: Sequence[str], settings: Settings) -> int:
    """Entry point of ``ewsi sources`` (see the module docstring)."""
    return run(build_parser().parse_args(list(argv)), settings)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """`ewsi sources validate|status|unquarantine`: config check, health table, quarantine reset."""
    if args.sources_command == "unquarantine":
        return _unquarantine(args, settings.database_url)
    from crawler.sources import load_sources

    config = load_sources(args.config)
    if args.sources_command == "validate":
        out.print(f"{args.config or 'config/sources.yaml'}: {len(config.sources)} sources, all valid")
        return 0
    from crawler.store import migrate as store_migrate
    from crawler.store import runs as store_runs
    from crawler.store import session as store_session
    from crawler.store import sources as store_sources

    store_migrate.ensure_ready(settings.database_url)
    with store_session.session_scope(settings.database_url) as session:
        store_sources.sync_sources(session, config.sources)
        rows = store_sources.source_status(session)
        quarantine = store_runs.quarantine_list(session)
    if args.json:
        for row in rows:
            sys.stdout.write(json.dumps(row, default=str) + "\n")
        for entry in quarantine:
            sys.stdout.write(json.dumps({"quarantine": entry}, default=str) + "\n")
        return 0
    table = Table(title="Source health")
    cols = (
        "id",
        "state",
        "last_run_at",
        "last_success_at",
        "last_new_item_at",
        "consecutive_failures",
        "backoff_until",
        "last_error_key",
        "quarantined",
    )
    for col in cols:
        table.add_column(col.replace("_", " "))
    for row in rows:
        table.add_row(*[str(row.get(c) if row.get(c) is not None else "-")[:19] for c in cols])
    out.print(table)
    for entry in (e for e in quarantine if e["quarantined"]):
        out.print(
            f"quarantined until {entry['expires_at']}: {entry['url']} ({entry['source_id']}, "
            f"{entry['hits']} worker kills, {entry['reason']}); clear with `ewsi sources unquarantine URL`",
            markup=False,
            highlight=False,
        )
    return 0


def _unquarantine(args: argparse.Namespace, url: str | None) -> int:
    from crawler.store import migrate as store_migrate
    from crawler.store import runs as store_runs
    from crawler.store import session as store_session

    if bool(args.url) == bool(args.all):
        console.print("give either a URL or --all", markup=False)
        return 2
    store_migrate.ensure_ready(url)
    with store_session.session_scope(url) as session:
        removed = store_runs.clear_quarantine(session, None if args.all else args.url)
    out.print(f"{removed} quarantine entr{'y' if removed == 1 else 'ies'} cleared", markup=False)
    return 0
