"""``ewsi reprocess [--source ID] [--since DATE] [--dry-run] [--workers N]``.

Re-runs the harvest's extract -> language -> dedup -> classify (pipelines.reprocess) on the raw
bodies the store kept, without fetching, in a pool of `--workers` processes (default: every core);
each worker extracts in process, one body at a time. The steps and inputs are the harvest's, so a
reprocess right after a harvest changes nothing. Writes only the harvested fields that changed
(crawler.store.items.apply_reprocessed): editors' decisions and edited fields stay. Prints one
line per changed item (titles, languages, relevance flips, published dates, new groups) and a
summary line with the throughput. `--since` keeps items first seen at or after it (ISO 8601, UTC
when no offset).
Exit codes: 0 done, 2 bad arguments; DatabaseUnavailable is mapped to 2 by crawler.cli.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from crawler.argtypes import Parser, positive_int
from crawler.commands.export import parse_since
from crawler.config import Settings
from crawler.errors import UsageError
from crawler.store import items as store_items
from crawler.store import sources as store_sources
from crawler.store.migrate import ensure_ready
from crawler.store.session import session_scope
from crawler.text import counted, iso_z
from pipelines.reprocess import Reprocessor, derive_pair, extract_record, reprocess_record

HELP = "re-extract stored items from their kept raw bodies"


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi reprocess``."""
    parser = Parser(prog="ewsi reprocess", description=HELP)
    parser.add_argument("--source", help="only this source id")
    parser.add_argument("--since", help="only items first seen since (ISO 8601)")
    parser.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    parser.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default EWSI_DATABASE_URL or SQLite)")
    return parser


def run(records: list[dict[str, Any]], workers: int) -> list[dict[str, Any]]:
    """Reprocess `records` (in item-id order) in `workers` processes (1: in this process), in order.

    The steps of pipelines.reprocess: extraction in the pool, the learned title and lead-in steps
    here over all records in order (they must see a source's pages in the harvest's order), then
    language, dedup and classification in the pool again. With more than one worker the first
    record is processed here first, which loads the extraction, language and classifier models
    once; the pool is then forked from this warm process (where the platform can fork), so no
    worker spends its first seconds loading them again: that start-up was the gap between two
    workers and twice one. Records are handed out one at a time (chunksize 1: a 30-page PDF and a
    short page cost very different times, and one body's pickling is microseconds beside its
    ~150 ms of extraction).
    """
    reprocessor = Reprocessor()
    if workers <= 1 or len(records) <= 1:
        return [reprocess_record(r, reprocessor) for r in records]
    first = reprocess_record(records[0], reprocessor)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork") if "fork" in methods else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        extracted = pool.map(extract_record, records[1:], chunksize=1)
        finished = [reprocessor.finish(r, e) for r, e in zip(records[1:], extracted, strict=True)]
        pending = [
            (r["id"], f) for r, f in zip(records[1:], finished, strict=True) if not isinstance(f, dict)
        ]
        derived = iter(pool.map(derive_pair, pending, chunksize=1))
        return [first, *(f if isinstance(f, dict) else next(derived) for f in finished)]


def _describe(item_id: int, changes: dict[str, Any]) -> str:
    parts = []
    for name, change in changes.items():
        if name == "text":
            parts.append(f"text {len(change['from'] or '')} -> {counted(len(change['to'] or ''), 'char')}")
        elif name == "relevance":
            parts.append(f"relevance {change['from']} -> {change['to']:.3f}")
        elif name == "published_at":
            parts.append(f"published_at {iso_z(change['from'])} -> {iso_z(change['to'])}")
        else:
            parts.append(f"{name} {change['from']!r} -> {change['to']!r}")
    return f"item {item_id}: " + "; ".join(parts)


def main(argv: Sequence[str], settings: Settings) -> int:
    """Entry point of ``ewsi reprocess`` (see the module docstring)."""
    args = build_parser().parse_args(list(argv))
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError:
        raise UsageError(f"--since: not an ISO 8601 date: {args.since!r}") from None
    url = args.database_url or settings.database_url
    ensure_ready(url)
    with session_scope(url) as session:
        store_sources.require_known_source(session, args.source)  # unknown: exit 2, not "0 items"
        records = store_items.reprocess_records(session, args.source, since)
    started = time.monotonic()
    results = run(records, args.workers)
    elapsed = time.monotonic() - started
    changed = errors = 0
    with session_scope(url) as session:
        for result in results:
            if result.get("error"):
                errors += 1
                print(f"item {result['id']}: error {result['error']}")
                continue
            changes = store_items.apply_reprocessed(session, result, write=not args.dry_run)
            if changes:
                changed += 1
                print(_describe(result["id"], changes))
        if args.dry_run:
            session.rollback()
    rate = len(records) / elapsed if elapsed > 0 else 0.0
    verb = "would change" if args.dry_run else "changed"
    print(
        f"reprocessed {counted(len(records), 'item')} with {counted(args.workers, 'worker')} "
        f"in {elapsed:.1f} s "
        f"({rate:.1f} items/s); {verb} {changed}, errors {errors}"
    )
    return 0
