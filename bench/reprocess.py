"""Reprocess throughput: the stored raw bodies of a harvested database re-extracted, language-
detected, fingerprinted and classified (pipelines.reprocess) with one and with two workers.

The database is `--database URL` (e.g. one filled by ``ewsi crawl --replay``); its records are read
once and repeated `--repeat` times so each run lasts long enough to measure. Target: two workers
>= 1.8x one on a 2-core machine (on a quiet machine: a loaded one gives figures that do not compare).
Usage:
    .venv/bin/python bench/reprocess.py --database sqlite:///var/corpus.db [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.commands.reprocess import run  # noqa: E402
from crawler.store.items import reprocess_records  # noqa: E402
from crawler.store.session import session_scope  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with session_scope(args.database) as session:
        records = reprocess_records(session)
    records = records * max(1, args.repeat)
    rates: dict[int, float] = {}
    for workers in (1, 2):
        started = time.monotonic()
        results = run(records, workers)
        elapsed = time.monotonic() - started
        rates[workers] = len(results) / elapsed
        print(f"{workers} worker(s): {len(results)} items in {elapsed:.1f} s, {rates[workers]:.2f} items/s")
    speedup = rates[2] / rates[1]
    print(f"two workers / one: {speedup:.2f}x (target >= 1.8x)")
    if args.json:
        print(json.dumps({"items": len(records), "items_per_s": rates, "speedup": round(speedup, 2)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
