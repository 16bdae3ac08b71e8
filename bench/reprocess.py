"""Reprocess throughput: the stored raw bodies of a harvested database re-extracted, language-
detected, fingerprinted and classified (pipelines.reprocess) with one and with two workers.

The database is `--database URL` (e.g. one filled by ``ewsi crawl --replay``); its records are read
once and repeated `--repeat` times so each run lasts long enough to measure. Target: two workers
>= 1.8x one on a 2-core machine (on a quiet machine: a loaded one gives figures that do not compare).
The CPU seconds of each run (this process and the pool's workers) are printed too: on a loaded
machine, 2 x CPU(one) / CPU(two) is the speed-up two idle cores would give, less load imbalance.
Usage:
    .venv/bin/python bench/reprocess.py --database sqlite:///var/corpus.db [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.commands.reprocess import run  # noqa: E402
from crawler.store.items import reprocess_records  # noqa: E402
from crawler.store.session import session_scope  # noqa: E402
from pipelines.reprocess import reprocess_record  # noqa: E402


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its reaped children (the pool's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with session_scope(args.database) as session:
        records = reprocess_records(session)
    records = records * max(1, args.repeat)
    reprocess_record(records[0])  # models loaded before either run is timed (both start warm)
    rates: dict[int, float] = {}
    cpu: dict[int, float] = {}
    for workers in (1, 2):
        started, cpu_started = time.monotonic(), _cpu_seconds()
        results = run(records, workers)
        elapsed = time.monotonic() - started
        cpu[workers] = _cpu_seconds() - cpu_started
        rates[workers] = len(results) / elapsed
        print(
            f"{workers} worker(s): {len(results)} items in {elapsed:.1f} s, {rates[workers]:.2f} items/s,"
            f" {cpu[workers]:.1f} CPU s ({1000 * cpu[workers] / len(results):.0f} ms per item)"
        )
    speedup = rates[2] / rates[1]
    # what two workers would give on two idle cores: twice one, less the CPU the pool adds
    bound = 2 * cpu[1] / cpu[2]
    print(f"two workers / one: {speedup:.2f}x wall (target >= 1.8x); CPU bound on 2 idle cores: {bound:.2f}x")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.json:
        print(
            json.dumps(
                {
                    "items": len(records),
                    "items_per_s": rates,
                    "speedup": round(speedup, 2),
                    "cpu_bound": round(bound, 2),
                }
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
