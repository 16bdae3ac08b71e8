"""``ewsi export --format jsonl|csv [--output FILE] [--since DATE] [--database-url URL]``.

Writes crawler.web.export's records of the published items to FILE or standard output. `--since`
(ISO 8601 date or time, UTC when no offset; a year or month alone, ``2025`` or ``2025-03``, is its
start) keeps the items whose public state changed at or after it. Exit codes: 0 done, 2 bad
arguments; DatabaseUnavailable is mapped to 2 by crawler.cli. The closing line on standard error
counts the items and, when there are none, says why (`closing_line`).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from crawler.argtypes import Parser
from crawler.config import Settings
from crawler.errors import UsageError
from crawler.store import portal
from crawler.store.migrate import ensure_ready
from crawler.store.session import session_scope
from crawler.text import counted
from crawler.web.export import records, write_csv, write_jsonl

HELP = "export the curated store as JSON Lines or CSV"


_REDUCED = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
"""An ISO 8601 date of reduced precision: a year (``2025``) or a month (``2025-03``)."""


def parse_since(value: str) -> datetime:
    """An ISO 8601 date or datetime as aware UTC (naive = UTC); ValueError when malformed.

    A year or a month alone (``2025``, ``2025-03``: ISO 8601 dates of reduced precision) is the
    start of that year or month, 00:00 UTC; month 00 or 13 is malformed."""
    reduced = _REDUCED.match(value.strip())
    if reduced is not None:
        return datetime(int(reduced.group(1)), int(reduced.group(2) or 1), 1, tzinfo=UTC)
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def closing_line(count: int, pending: int) -> str:
    """The line ``ewsi export`` ends with on standard error. Rule: the count of published items in
    English number (``exported 1 published item``); when it is 0, why, since only approved items
    leave: ``exported 0 published items: only approved items are exported; 12 items are pending
    review (ewsi queue, the desk: ...)`` (`pending` items waiting for an editor, counted one by one:
    the queue folds language versions and near-duplicates into one row, so it may list fewer rows;
    ``none is pending review`` when there are none), so an export right after a harvest is not taken
    for a broken one."""
    line = f"exported {counted(count, 'published item')}"
    if count:
        return line
    if pending == 0:
        return f"{line}: only approved items are exported, and none is pending review"
    waiting = f"{counted(pending, 'item')} {'is' if pending == 1 else 'are'} pending review"
    return (
        f"{line}: only approved items are exported; {waiting} (ewsi queue, the desk: an item's language"
        " versions and near-duplicates share its row)"
    )


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi export``."""
    parser = Parser(prog="ewsi export", description="export the published items")
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument("--output", "-o", help="file to write (default: standard output)")
    parser.add_argument("--since", help="only items whose public state changed since (ISO 8601)")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default EWSI_DATABASE_URL or SQLite)")
    return parser


def main(argv: Sequence[str], settings: Settings) -> int:
    """Entry point of ``ewsi export`` (see the module docstring)."""
    args = build_parser().parse_args(list(argv))
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError:
        raise UsageError(f"--since: not an ISO 8601 date: {args.since!r}") from None
    writer = write_csv if args.format == "csv" else write_jsonl
    url = args.database_url or settings.database_url
    ensure_ready(url)
    with session_scope(url) as session:
        rows = records(session, since=since, base_url=settings.public_url.rstrip("/"))
        if args.output:
            encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
            try:
                out = open(args.output, "w", encoding=encoding, newline="")  # noqa: SIM115
            except OSError as exc:  # a missing folder, a directory, no permission: one line, exit 2
                raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
            with out:
                count = writer(rows, out)
        else:
            count = writer(rows, sys.stdout)
            sys.stdout.flush()
        pending = portal.pending_count(session) if count == 0 else 0
    print(closing_line(count, pending), file=sys.stderr)
    return 0
