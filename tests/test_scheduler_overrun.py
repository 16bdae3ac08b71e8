"""T38 (../shared/RELIABILITY.md group G): an overrunning source next to nine quick ones.

A real `scheduler.py` process runs ten sources at 5-s slots for 60 s with stub children: the slow
source's child takes 12 s, the others 0.5 s. Expected: never two concurrent runs of the slow source,
its overrun slots recorded ``skipped`` with ``schedule.still_running``, every quick source runs at
least 90 % of its slots (no starvation), and the runs of the slow source stay bounded (one per
12-s run, not a queue that grows with every missed slot).
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.scheduling.child import CHILD_CMD_ENV
from crawler.scheduling.service import SKIP_STILL_RUNNING
from crawler.scheduling.triggers import TEST_INTERVAL_ENV
from crawler.store.schema import CrawlRun
from crawler.store.session import session_factory
from tests.faultfigures import record_fault
from tests.test_scheduler_faults import CLOSE_RUN, source_entry, start_scheduler, stop, wait_for, write_config

pytestmark = pytest.mark.slow

INTERVAL = 5.0
SLOW_SECONDS = 12.0
DURATION = 60.0


def utc(value: datetime) -> datetime:
    """`value` as an aware UTC datetime (SQLite hands back naive UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# Stub child: logs "source run_id start end" after sleeping (STUB_SLOW_SLEEP for the slow source),
# then closes its claimed run with plain SQL as the real runner would.
STUB = (
    r"""
import os, sys, time
from datetime import datetime, timezone
source, run_id = sys.argv[1], int(sys.argv[sys.argv.index("--run-id") + 1])
start = time.time()
slow = source == os.environ["STUB_SLOW_SOURCE"]
time.sleep(float(os.environ["STUB_SLOW_SLEEP"] if slow else 0.5))
"""
    + CLOSE_RUN
    + r"""
with open(os.environ["STUB_LOG"], "a") as fh:
    fh.write(f"{source} {run_id} {start:.3f} {time.time():.3f}\n")
"""
)


@pytest.mark.timeout(180)
def test_t38_overrunning_source_is_skipped_not_queued_and_starves_no_one(
    db_engine: Any, db_url: str, tmp_path: Path
) -> None:
    stub = tmp_path / "stub.py"
    stub.write_text(STUB, encoding="utf-8")
    stub_log = tmp_path / "stub.log"
    stub_log.touch()
    sources = ["slow"] + [f"quick-{i}" for i in range(9)]
    config = write_config(tmp_path / "sources.yaml", [source_entry(sid) for sid in sources])
    env = {
        **os.environ,
        "EWSI_DATABASE_URL": db_url,
        TEST_INTERVAL_ENV: str(INTERVAL),
        CHILD_CMD_ENV: f"{sys.executable} {stub}",
        "STUB_LOG": str(stub_log),
        "STUB_SLOW_SOURCE": "slow",
        "STUB_SLOW_SLEEP": str(SLOW_SECONDS),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    log = tmp_path / "scheduler.log"
    proc = start_scheduler(config, env, log, "--stop-grace", "20")
    try:
        assert wait_for(lambda: "leader lock taken" in log.read_text(), 30), log.read_text()
        led_at = time.time()
        time.sleep(DURATION)
        stopped_at = time.time()
    finally:
        code = stop(proc, timeout=60)
    assert code == 0, log.read_text()

    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for line in stub_log.read_text().splitlines():
        sid, _run_id, start, end = line.split()
        spans[sid].append((float(start), float(end)))
    with session_factory(db_engine)() as session:
        rows = session.execute(
            select(CrawlRun.source_id, CrawlRun.slot_start, CrawlRun.status, CrawlRun.error_key)
        ).all()

    # never two concurrent runs of the slow source
    slow = sorted(spans["slow"])
    assert len(slow) >= 3, slow
    assert all(later[0] >= earlier[1] for earlier, later in pairwise(slow)), slow
    # its overrun slots are recorded, not queued: each 12-s run covers two or three 5-s slots
    slow_rows = [r for r in rows if r.source_id == "slow"]
    skipped = [r for r in slow_rows if r.status == "skipped"]
    assert skipped and all(r.error_key == SKIP_STILL_RUNNING for r in skipped), slow_rows
    assert len(slow) <= DURATION / SLOW_SECONDS + 2  # bounded by its own run time, not by the slot count
    slots_seen = {r.slot_start for r in slow_rows if r.slot_start is not None}
    assert len(skipped) >= len(slots_seen) - len(slow) - 1  # every slot not run is accounted for

    # no starvation: each quick source ran >= 90 % of the slots that fell wholly inside the window
    first = (led_at // INTERVAL + 1) * INTERVAL
    last = ((stopped_at - 1.0) // INTERVAL) * INTERVAL
    expected = int((last - first) / INTERVAL) + 1
    ran_slots: dict[str, set[float]] = defaultdict(set)
    for r in rows:
        if r.status == "ok" and r.slot_start is not None:
            ran_slots[r.source_id].add(utc(r.slot_start).timestamp())
    shares = {}
    for sid in sources[1:]:
        inside = {s for s in ran_slots[sid] if first <= s <= last}
        shares[sid] = len(inside) / expected
    print(
        f"\nT38 {db_url.split(':')[0]}: slow runs={len(slow)} (max 1 at a time), skipped slots="
        f"{len(skipped)}, quick sources' share of slots min={min(shares.values()):.2f} over "
        f"{expected} slots each, run lengths slow="
        f"{[round(e - s, 1) for s, e in slow]}"
    )
    assert min(shares.values()) >= 0.9, shares
    record_fault(
        "T38",
        db_url,
        slow_runs=len(slow),
        slow_max_concurrent=1,
        slow_skipped_still_running=len(skipped),
        quick_min_share_of_slots=round(min(shares.values()), 3),
        slots_per_quick_source=expected,
    )
