"""``ewsi export``: the curated (published) store as JSON Lines or CSV for partners.

    ewsi export --format jsonl|csv [--output FILE] [--since DATE] [--database-url URL]

Records are the read API's (crawler.web.public.public_record): published items only, editor
corrections applied, strings cleaned of control characters, links http(s) only; by id. `--since`
(ISO 8601 date or time, UTC when no offset) keeps the items whose public state changed at or after it.

JSON Lines: one object per line, UTF-8, datetimes ISO 8601 with Z. CSV (RFC 4180, UTF-8 with a BOM so
spreadsheet programs detect the encoding): the columns of `CSV_COLUMNS`; themes joined with ``;``,
attachment URLs with a space. Formula injection (OWASP "CSV injection"): a cell starting with ``=``,
``+``, ``-``, ``@``, TAB or CR gets a leading ``'`` so spreadsheets show it as text.
Exit codes: 0 done, 2 bad arguments or database unavailable.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import IO, Any

from crawler.errors import DatabaseUnavailable
from crawler.store import ensure_ready, session_scope
from crawler.store import portal as store
from crawler.web.public import public_record, public_url

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "summary",
    "url",
    "language",
    "country",
    "content_type",
    "themes",
    "source_id",
    "source_name",
    "official_id",
    "author",
    "published_at",
    "updated_at",
    "deadline",
    "approved_at",
    "modified_at",
    "attachments",
    "api_url",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A CSV cell: '' for None, ISO 8601 for datetimes, and a ``'`` before formula-like text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return store.iso(value) or ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return store.iso(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def records(
    session: Any, *, since: datetime | None = None, base_url: str | None = None
) -> Iterator[dict[str, Any]]:
    """Public records of every published item (see the module docstring), by id."""
    base = base_url or public_url()
    for row in store.export_items(session, since=since):
        yield public_record(row, base)


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write one JSON object per line; returns the number of records."""
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, default=_json_default) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write a header and one row per record (columns `CSV_COLUMNS`); returns the number of records."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in rows:
        flat = dict(row)
        flat["themes"] = ";".join(row.get("themes") or [])
        flat["attachments"] = " ".join(a["url"] for a in row.get("attachments") or [])
        writer.writerow([safe_cell(flat.get(col)) for col in CSV_COLUMNS])
        count += 1
    return count


def parse_since(value: str) -> datetime:
    """An ISO 8601 date or datetime as aware UTC (naive = UTC); ValueError when malformed."""
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi export``."""
    parser = argparse.ArgumentParser(prog="ewsi export", description="export the published items")
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument("--output", "-o", help="file to write (default: standard output)")
    parser.add_argument("--since", help="only items whose public state changed since (ISO 8601)")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default EWSI_DATABASE_URL or SQLite)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ewsi export`` (see the module docstring)."""
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError:
        print(f"--since: not an ISO 8601 date: {args.since!r}", file=sys.stderr)
        return 2
    writer = write_csv if args.format == "csv" else write_jsonl
    try:
        ensure_ready(args.database_url)
        with session_scope(args.database_url) as session:
            rows = records(session, since=since)
            if args.output:
                encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
                with open(args.output, "w", encoding=encoding, newline="") as out:
                    count = writer(rows, out)
            else:
                count = writer(rows, sys.stdout)
                sys.stdout.flush()
    except DatabaseUnavailable as exc:
        print(f"database unavailable: {exc}", file=sys.stderr)
        return 2
    print(f"exported {count} published items", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
