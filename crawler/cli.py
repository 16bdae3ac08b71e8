"""The `ewsi` command: crawl, queue, db, sources, classify.

Exit codes: 0 done (a crawl is done even if some sources failed: their health records why),
2 bad config, bad arguments or an unreachable/unmigrated database.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from crawler.errors import ConfigError, DatabaseUnavailable

console = Console(stderr=True)
out = Console()

THEME_CODES = {
    "Active Citizenship": "AC",
    "Economic Participation": "EP",
    "Social Cohesion": "SC",
    "Education and Culture": "EC",
    "Anti-discrimination and Equality": "AD",
    "Tools and Techniques": "TT",
}
"""Two-letter theme codes for narrow terminal tables (legend printed under the queue)."""

UNREACHABLE_KEYS = {"fetch.dns", "fetch.connect", "fetch.timeout", "fetch.tls"}


def _load_config(path: str | None) -> Any:
    from crawler.sources import load_sources

    return load_sources(path)


# -- crawl --------------------------------------------------------------------------------------
def cmd_crawl(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from crawler import store
    from crawler.runner import run_sources

    config = _load_config(args.config)
    sources = [s for s in config.sources if s.enabled]
    if args.source:
        wanted = set(args.source)
        unknown = wanted - {s.id for s in config.sources}
        if unknown:
            console.print(f"[red]unknown source id(s): {', '.join(sorted(unknown))}")
            return 2
        sources = [s for s in config.sources if s.id in wanted]
    if not sources:
        console.print("no enabled source in the config")
        return 0
    if args.replay:
        from crawler.middlewares import WarcIndex

        try:
            records = len(WarcIndex(args.replay))
        except (OSError, ValueError) as exc:
            print(f"cannot replay {args.replay}: {exc}", file=sys.stderr)
            return 2
        if records == 0:
            print(f"cannot replay {args.replay}: the file holds no WARC response record", file=sys.stderr)
            return 2
    log_file = None if args.log_file == "-" else Path(args.log_file)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
    store.ensure_ready()
    with store.session_scope() as session:
        store.sync_sources(session, config.sources)

    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    progress = Progress(
        TextColumn("{task.fields[source]:<24}"),
        BarColumn(bar_width=None),
        MofNCompleteColumn(),
        TextColumn("{task.fields[state]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    )
    tasks = {s.id: progress.add_task(s.id, total=None, source=s.id, state="crawling") for s in sources}

    def on_item(source_id: str, outcome: str) -> None:
        outcomes[source_id][outcome] += 1
        progress.advance(tasks[source_id])

    def on_close(source_id: str, report: Any) -> None:
        state = report.status if report is not None else "done"
        done = progress.tasks[tasks[source_id]].completed
        progress.update(tasks[source_id], total=done, state=state)

    with progress:
        reports = run_sources(
            sources,
            replay=args.replay,
            record=args.record,
            contact=config.contact,
            on_item=on_item,
            on_close=on_close,
            log_level=args.log_level,
            overrides={"LOG_FILE": str(log_file), "LOG_FILE_APPEND": True} if log_file else None,
        )
    _print_summary(reports)
    if log_file is not None:
        console.print(f"crawl log: {log_file}", style="dim", highlight=False)
    failed = [r for r in reports if r.status != "ok"]
    if reports and len(failed) == len(reports) and all(r.error_key in UNREACHABLE_KEYS for r in failed):
        # one plain line (never wrapped): scripts and `make run` users read it
        print(
            "No source host could be reached (no network?). Harvest the recorded corpus offline instead: "
            "make replay (that is: .venv/bin/ewsi crawl --config ../shared/corpus/sources.yaml "
            "--replay ../shared/corpus/snapshot.warc.gz)",
            flush=True,
        )
    if any(r.status == "interrupted" for r in reports):
        return 130  # stopped by Ctrl-C / SIGTERM: what was stored is kept, the rest comes next run
    return 0


def _print_summary(reports: Sequence[Any]) -> None:
    """Summary table: one row per source (status, counts, drops by reason, error key), then one
    line per source with an error or warning message (cut to the terminal's width, never wrapped)."""
    table = Table(title="Harvest summary", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    numeric = ("fetched", "new", "updated", "unchanged")
    for col in ("source", "status", *numeric, "dropped", "error"):
        table.add_column(col, justify="right" if col in numeric else "left", overflow="fold")
    totals: Counter[str] = Counter()
    notes = []
    for r in reports:
        dropped = ", ".join(f"{k} {v}" for k, v in sorted(r.dropped.items())) or "-"
        error = r.error_key or ("warning" if r.error else "-")
        if r.error:
            notes.append(f"{r.source_id}: {r.error.removeprefix('warning: ')}")
        style = "green" if r.status == "ok" else "red"
        counts = (r.fetched, r.items_new, r.items_updated, r.items_unchanged)
        table.add_row(r.source_id, f"[{style}]{r.status}", *map(str, counts), dropped, error)
        totals.update(dict(zip(numeric, counts, strict=True)))
    ok = sum(r.status == "ok" for r in reports)
    table.add_row("[bold]total", f"{ok}/{len(reports)} ok", *(str(totals[c]) for c in numeric), "", "")
    out.print(table)
    for note in notes:
        out.print(note, style="dim", overflow="ellipsis", no_wrap=True, markup=False, highlight=False)


# -- queue --------------------------------------------------------------------------------------
def _theme_name(value: str | None) -> str | None:
    """A theme given as its name (any case) or its two-letter code; ValueError for anything else."""
    if value is None:
        return None
    by_key = {name.lower(): name for name in THEME_CODES} | {c.lower(): n for n, c in THEME_CODES.items()}
    try:
        return by_key[value.strip().lower()]
    except KeyError:
        choices = ", ".join(f"{code} ({name})" for name, code in THEME_CODES.items())
        raise ValueError(f"unknown theme {value!r}; use one of {choices}") from None


def cmd_queue(args: argparse.Namespace) -> int:
    from crawler import store

    try:
        theme = _theme_name(args.theme)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    store.ensure_ready()
    with store.session_scope() as session:
        rows = store.queue(
            session,
            status=None if args.status == "any" else args.status,
            source_id=args.source,
            language=args.language.lower() if args.language else None,
            theme=theme,
            limit=args.limit,
            order=args.order,
        )
    if not rows and args.source:
        with store.session_scope() as session:
            known = {row["id"] for row in store.source_status(session)}
        if args.source not in known:
            print(f"unknown source id {args.source!r}", file=sys.stderr)
            return 2
    if args.json:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        return 0
    table = Table(
        title=f"Review queue ({args.status}, {len(rows)} shown)",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
    )
    for col in ("id", "rel", "lang", "source", "published", "themes"):
        table.add_column(col, no_wrap=True)
    table.add_column("title", overflow="fold")  # the one column that gives way on a narrow terminal
    for row in rows:
        themes = " ".join(THEME_CODES.get(t["name"], t["name"][:2]) for t in row.get("themes", []))
        table.add_row(
            str(row["id"]),
            f"{row['relevance']:.2f}" if row.get("relevance") is not None else "-",
            row.get("language") or "-",
            _shorten(row["source_id"], 14),
            (row.get("published_at") or "-")[:10],
            themes,
            _shorten(row.get("title") or "", 60),
        )
    out.print(table)
    if rows:
        out.print("themes: " + ", ".join(f"{code} {name}" for name, code in THEME_CODES.items()), style="dim")
    return 0


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- db -----------------------------------------------------------------------------------------
def cmd_db(args: argparse.Namespace) -> int:
    from crawler import store

    if args.db_command == "grant-app-role":
        return _grant_app_role(args.role)
    if args.db_command == "upgrade":
        try:
            store.upgrade()
        except Exception as exc:  # driver and Alembic errors: one clear line, exit 2
            reason = (str(exc).splitlines() or [""])[0]
            where = store.redacted_url()
            raise DatabaseUnavailable(f"cannot migrate {where}: {type(exc).__name__}: {reason}") from None
        console.print(f"database at {store.redacted_url()} is at the latest schema")
        return 0
    store.ensure_ready()
    console.print("database ready")
    return 0


def _grant_app_role(role: str | None) -> int:
    """`ewsi db grant-app-role ROLE` (PostgreSQL): see `crawler.store.migrate.grant_app_role`."""
    from crawler import store
    from crawler.store.migrate import GrantRefused, grant_app_role

    if not role:
        print("ewsi db grant-app-role: name the role (e.g. ewsi_app)", file=sys.stderr)
        return 2
    try:
        statements = grant_app_role(role)
    except GrantRefused as exc:
        print(f"ewsi db grant-app-role: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # driver errors: one clear line, exit 2
        reason = (str(exc).splitlines() or [""])[0]
        raise DatabaseUnavailable(f"cannot grant on {store.redacted_url()}: {reason}") from None
    for statement in statements:
        print(statement)
    return 0


# -- sources ------------------------------------------------------------------------------------
def cmd_sources(args: argparse.Namespace) -> int:
    """`ewsi sources validate|status|unquarantine`: config check, health table, quarantine reset."""
    if args.sources_command == "unquarantine":
        return _unquarantine(args)
    config = _load_config(args.config)
    if args.sources_command == "validate":
        out.print(f"{args.config or 'config/sources.yaml'}: {len(config.sources)} sources, all valid")
        return 0
    from crawler import store

    store.ensure_ready()
    with store.session_scope() as session:
        store.sync_sources(session, config.sources)
        rows = store.source_status(session)
        quarantine = store.queries.quarantine_list(session)
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


def _unquarantine(args: argparse.Namespace) -> int:
    from crawler import store

    if bool(args.url) == bool(args.all):
        console.print("give either a URL or --all", markup=False)
        return 2
    store.ensure_ready()
    with store.session_scope() as session:
        removed = store.queries.clear_quarantine(session, None if args.all else args.url)
    out.print(f"{removed} quarantine entr{'y' if removed == 1 else 'ies'} cleared", markup=False)
    return 0


# -- commands that live in their own modules ------------------------------------------------------
EXTERNAL_COMMANDS: dict[str, tuple[str, str]] = {
    "classify": ("crawler.classify_cli:main", "classifier: eval, train, diff, reprocess"),
    "schedule": ("crawler.scheduling:main", "run the scheduler (or --list the next runs)"),
    "serve": ("crawler.web.cli:serve_main", "start the editors' desk and the portal API"),
    "users": ("crawler.web.cli:users_main", "manage editor and admin accounts"),
    "api-token": ("crawler.web.tokens_cli:main", "manage portal API tokens"),
    "digest": ("crawler.web.digest:main", "render or send the editors' digest and the newsletter"),
    "export": ("crawler.web.export:main", "export the curated store as JSON Lines or CSV"),
}
"""`ewsi NAME ...` hands the rest of the command line to `module:function(argv) -> int`."""


def _run_external(name: str, argv: list[str]) -> int:
    import importlib

    target, _ = EXTERNAL_COMMANDS[name]
    module_name, function = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            console.print(f"`ewsi {name}` is not available in this version", markup=False)
            return 2
        raise
    return int(getattr(module, function)(argv) or 0)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree of `ewsi` (also used by the docs test)."""
    parser = argparse.ArgumentParser(
        prog="ewsi", description="ewsi-harvester: harvest, review queue, portal feeds"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    crawl = sub.add_parser("crawl", help="harvest the enabled sources into the review queue")
    crawl.add_argument("--config", help="operator YAML (default config/sources.yaml)")
    crawl.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")
    mode = crawl.add_mutually_exclusive_group()
    mode.add_argument(
        "--replay", metavar="FILE.warc.gz", help="answer every request from a WARC archive (offline)"
    )
    mode.add_argument("--record", metavar="FILE.warc.gz", help="keep every live response in a WARC archive")
    crawl.add_argument("--log-level", default="INFO", help="log level (default INFO)")
    crawl.add_argument(
        "--log-file", default="var/log/crawl.log", help="crawl log (default var/log/crawl.log; - for stderr)"
    )

    queue = sub.add_parser("queue", help="list the review queue")
    queue.add_argument(
        "--status",
        default="pending",
        choices=["pending", "approved", "rejected", "deferred", "changed", "any"],
    )
    queue.add_argument("--source", help="source id")
    queue.add_argument("--language", help="ISO 639-1 code or und")
    queue.add_argument("--theme", help="assigned theme: name (e.g. 'Social Cohesion') or code (SC)")
    queue.add_argument("--limit", type=_positive_int, default=50, help="rows at most (default 50)")
    queue.add_argument("--json", action="store_true", help="one JSON object per line")
    queue.add_argument(
        "--order",
        choices=["priority", "uncertain"],
        default="priority",
        help="priority: the desk's order (default); uncertain: the items the classifier is least sure "
        "about first, spread across languages",
    )

    db = sub.add_parser("db", help="database schema")
    db.add_argument("db_command", choices=["upgrade", "check", "grant-app-role"])
    db.add_argument("role", nargs="?", help="grant-app-role: the application's PostgreSQL role")

    src = sub.add_parser("sources", help="operator config and source health")
    src.add_argument("sources_command", choices=["validate", "status", "unquarantine"])
    src.add_argument("url", nargs="?", help="unquarantine: the URL to clear")
    src.add_argument("--all", action="store_true", help="unquarantine: clear every quarantined URL")
    src.add_argument("--config", help="operator YAML (default config/sources.yaml)")
    src.add_argument("--json", action="store_true")

    for name, (_, help_text) in EXTERNAL_COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ewsi` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if argv[:1] and argv[0] in EXTERNAL_COMMANDS:
        name = argv[0]
        handler = lambda _args: _run_external(name, argv[1:])  # noqa: E731
        args = argparse.Namespace(command=name)
    else:
        args = parser.parse_args(argv)
        handler = {"crawl": cmd_crawl, "queue": cmd_queue, "db": cmd_db, "sources": cmd_sources}[args.command]
    try:
        return handler(args)
    except ConfigError as exc:
        print("invalid config:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as exc:
        print(f"database unavailable: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `ewsi queue --json | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
