"""Scheduler under faults (../shared/RELIABILITY.md groups F and G), with real processes.

T37: two `scheduler.py` processes on one database (SQLite and PostgreSQL), 10 sources at 5-s slots
for 60 s, stub children; the leader is killed with SIGKILL at 30 s. T31: SIGKILL of a real crawl
child mid-run against a 200-item feed on the loopback lab, then the re-run. SIGTERM: graceful stop.
Figures are printed (run with ``-s``) and asserted against the targets of RELIABILITY.md §5.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from crawler.scheduling.child import CHILD_CMD_ENV
from crawler.scheduling.service import SchedulerOptions, SchedulerService
from crawler.scheduling.triggers import TEST_INTERVAL_ENV
from crawler.store.schema import CrawlRun, Item
from crawler.store.session import session_factory
from tests.faultfigures import record_fault
from tests.lab import LabServer, Route

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

CLOSE_RUN = r"""
url = os.environ["EWSI_DATABASE_URL"]
now = datetime.now(timezone.utc)
if url.startswith("sqlite"):
    import sqlite3
    conn = sqlite3.connect(url.split("///", 1)[1], timeout=30)
    conn.execute("UPDATE crawl_runs SET status='ok', finished_at=? WHERE id=?",
                 (now.strftime("%Y-%m-%d %H:%M:%S.%f"), run_id))
else:
    import psycopg2
    conn = psycopg2.connect(url.replace("postgresql+psycopg2://", "postgresql://"))
    conn.cursor().execute("UPDATE crawl_runs SET status='ok', finished_at=%s WHERE id=%s", (now, run_id))
conn.commit()
conn.close()
"""
"""Stub code that closes the claimed run ``run_id`` as ok with plain SQL, as the runner would."""
# Light stub (no project import, so 10 children every 5 s fit on 2 cores): logs "source run_id ppid
# time" and closes its claimed run with plain SQL after STUB_SLEEP seconds.
LIGHT_STUB = (
    r"""
import os, sys, time
from datetime import datetime, timezone
run_id = int(sys.argv[sys.argv.index("--run-id") + 1])
with open(os.environ["STUB_LOG"], "a") as fh:
    fh.write(f"{sys.argv[1]} {run_id} {os.getppid()} {time.time():.3f}\n")
time.sleep(float(os.environ.get("STUB_SLEEP", "0.5")))
"""
    + CLOSE_RUN
)


def source_entry(sid: str, url: str = "https://example.org/feed.xml", **extra: Any) -> dict[str, Any]:
    return {"id": sid, "name": sid, "publisher": "Test", "kind": "feed", "urls": [url], **extra}


def write_config(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    return path


def start_scheduler(config: Path, env: dict[str, str], log: Path, *extra: str) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "scheduler.py"),
                "--config",
                str(config),
                "--leader-poll",
                "1",
                *extra,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(proc: subprocess.Popen[bytes], timeout: float = 30) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=timeout)


def wait_for(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.timeout(180)
def test_t37_two_schedulers_run_each_slot_once_and_the_standby_takes_over(
    db_engine: Any, db_url: str, tmp_path: Path
) -> None:
    interval = 5.0
    stub = tmp_path / "stub.py"
    stub.write_text(LIGHT_STUB, encoding="utf-8")
    stub_log = tmp_path / "stub.log"
    stub_log.touch()
    config = write_config(tmp_path / "sources.yaml", [source_entry(f"src-{i:02d}") for i in range(10)])
    env = {
        **os.environ,
        "EWSI_DATABASE_URL": db_url,
        TEST_INTERVAL_ENV: str(interval),
        CHILD_CMD_ENV: f"{sys.executable} {stub}",
        "STUB_LOG": str(stub_log),
        "STUB_SLEEP": "0.5",
        "PYTHONPATH": str(ROOT),
    }
    first = start_scheduler(config, env, tmp_path / "a.log")
    assert wait_for(lambda: "leader lock taken" in (tmp_path / "a.log").read_text(), 30), (
        tmp_path / "a.log"
    ).read_text()
    second = start_scheduler(config, env, tmp_path / "b.log")
    started = time.monotonic()
    procs = {first.pid: first, second.pid: second}
    try:
        time.sleep(30 - (time.monotonic() - started))
        # kill half-way between two slots: the leader is between runs (children take 0.5 s). A kill
        # in the few milliseconds between a slot's claim and its child's start leaves that slot
        # claimed but never run until the lease expires (a known gap, not what this test measures).
        time.sleep((interval / 2 - time.time() % interval) % interval)
        assert "leader lock taken" not in (tmp_path / "b.log").read_text()  # the standby waited
        killed_at = time.time()
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        time.sleep(max(0.0, 60 - (time.monotonic() - started)))
        assert "leader lock taken" in (tmp_path / "b.log").read_text()
    finally:
        stopped_at = time.time()
        for proc in procs.values():
            if proc.poll() is None:
                stop(proc)
    time.sleep(1.5)  # last children close their runs

    executions: Counter[int] = Counter()
    by_parent: dict[int, list[float]] = defaultdict(list)
    for line in stub_log.read_text().splitlines():
        _sid, run_id, ppid, when = line.split()
        executions[int(run_id)] += 1
        by_parent[int(ppid)].append(float(when))
    with session_factory(db_engine)() as session:
        rows = session.execute(
            select(CrawlRun.id, CrawlRun.source_id, CrawlRun.slot_start, CrawlRun.status, CrawlRun.error_key)
        ).all()
    per_slot: Counter[tuple[str, datetime]] = Counter()
    statuses: Counter[str] = Counter()
    for run_id, sid, slot, status, _key in rows:
        statuses[f"{status}"] += 1
        if slot is None or status == "skipped":
            continue
        if not executions[run_id] and slot.timestamp() >= stopped_at - 2 * interval:
            continue  # claimed just as the test stopped the schedulers: cut short by the test, not missed
        per_slot[(sid, slot)] += executions[run_id]
    ran = list(per_slot.values())
    assert ran and min(ran) == 1 and max(ran) == 1, per_slot
    assert max(executions.values()) == 1
    # every slot from the first to the last is accounted for: run once, or recorded skipped
    slots_by_source: dict[str, set[datetime]] = defaultdict(set)
    for _run_id, sid, slot, _status, _key in rows:
        if slot is not None:
            slots_by_source[sid].add(slot)
    missing = 0
    for slots in slots_by_source.values():
        expected = (max(slots) - min(slots)) / timedelta(seconds=interval) + 1
        missing += int(expected) - len(slots)
    assert missing == 0
    assert not [w for w in by_parent.get(second.pid, []) if w < killed_at]  # the standby ran nothing before
    takeover = min(w for w in by_parent[second.pid]) - killed_at
    skipped = statuses.get("skipped", 0)
    print(
        f"\nT37 {db_url.split(':')[0]}: runs per (source, slot) min={min(ran)} max={max(ran)} "
        f"over {len(ran)} slots, skipped={skipped}, takeover={takeover:.2f} s, statuses={dict(statuses)}"
    )
    assert takeover <= interval
    assert skipped <= 10  # at most one slot per source around the takeover
    record_fault(
        "T37",
        db_url,
        runs_per_slot_min=min(ran),
        runs_per_slot_max=max(ran),
        slots=len(ran),
        skipped=skipped,
        takeover_s=round(takeover, 2),
        interval_s=interval,
    )


def feed_of(base: str, count: int) -> bytes:
    items = "".join(
        f"<item><title>Integration programme {n}: language courses for refugees in town {n}</title>"
        f"<link>{base}/news/{n}</link><guid>item-{n}</guid>"
        f"<description>The municipality of town {n} opens language courses and mentoring for newly arrived "
        f"refugees and migrants, with childcare and job counselling.</description>"
        f"<pubDate>Tue, 04 Mar 2025 09:00:00 +0100</pubDate></item>"
        for n in range(1, count + 1)
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
    return f"{head}{items}</channel></rss>".encode()


@pytest.mark.timeout(300)
def test_t31_kill_9_of_the_crawl_child_then_rerun_loses_and_doubles_nothing(
    db_engine: Any, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """T31: the child's process group gets SIGKILL once items are being stored; the run is marked
    ``crawl.crashed`` and re-run once; all 200 items then exist exactly once."""
    total = 200
    with LabServer("127.0.0.2", {}) as lab:
        lab.routes["/feed.xml"] = Route(
            feed_of(lab.base, total), headers={"Content-Type": "application/rss+xml"}
        )
        config = write_config(
            tmp_path / "sources.yaml",
            [source_entry("lab-feed", lab.url("/feed.xml"), languages=["en"], max_items=500)],
        )
        monkeypatch.delenv(CHILD_CMD_ENV, raising=False)
        monkeypatch.setenv("EWSI_ALLOW_PRIVATE", "127.0.0.2")
        monkeypatch.setenv("PYTHONPATH", str(ROOT))
        service = SchedulerService(SchedulerOptions(config=config, database_url=db_url, time_limit_s=240))
        service.load()
        outcome: list[str] = []
        worker = threading.Thread(
            target=lambda: outcome.append(service.run_slot("lab-feed", datetime(2026, 5, 4, 6, tzinfo=UTC)))
        )
        worker.start()

        def stored() -> int:
            with session_factory(db_engine)() as session:
                return int(session.scalar(select(func.count(Item.id))) or 0)

        killed_with = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and killed_with is None:
            count = stored()
            if count >= 80:
                children = list(service._children.values())
                if children:
                    os.killpg(children[0].pid, signal.SIGKILL)
                    killed_with = count
            time.sleep(0.01)
        worker.join(240)
    assert killed_with is not None and killed_with < total, "the crawl finished before it could be killed"
    with session_factory(db_engine)() as session:
        runs = session.execute(
            select(CrawlRun.slot_start, CrawlRun.status, CrawlRun.error_key).order_by(CrawlRun.id)
        ).all()
        identities = session.execute(select(Item.identity_hash)).scalars().all()
        guids = session.execute(select(Item.guid)).scalars().all()
    assert outcome == ["ok"]
    assert [(r.status, r.error_key) for r in runs] == [("interrupted", "crawl.crashed"), ("ok", None)]
    lost = total - len({g for g in guids if g})
    duplicates = len(identities) - len(set(identities))
    print(
        f"\nT31 {db_url.split(':')[0]}: killed after {killed_with} stored items; "
        f"lost={lost} duplicates={duplicates}"
    )
    assert (lost, duplicates) == (0, 0)
    record_fault("T31", db_url, killed_after_items=killed_with, items_lost=lost, duplicates=duplicates)


@pytest.mark.timeout(120)
def test_sigterm_stops_gracefully_and_marks_running_children_interrupted(
    db_engine: Any, db_url: str, tmp_path: Path
) -> None:
    stub = tmp_path / "stub.py"
    stub.write_text(LIGHT_STUB, encoding="utf-8")
    stub_log = tmp_path / "stub.log"
    stub_log.touch()
    config = write_config(tmp_path / "sources.yaml", [source_entry("src-slow")])
    env = {
        **os.environ,
        "EWSI_DATABASE_URL": db_url,
        TEST_INTERVAL_ENV: "2",
        CHILD_CMD_ENV: f"{sys.executable} {stub}",
        "STUB_LOG": str(stub_log),
        "STUB_SLEEP": "120",
        "PYTHONPATH": str(ROOT),
    }
    proc = start_scheduler(config, env, tmp_path / "s.log", "--stop-grace", "2")
    try:
        assert wait_for(lambda: stub_log.read_text().strip() != "", 30), (tmp_path / "s.log").read_text()
    finally:
        asked = time.monotonic()
        code = stop(proc, timeout=30)
    elapsed = time.monotonic() - asked
    assert code == 0
    assert elapsed < 10  # grace 2 s, then SIGKILL
    with session_factory(db_engine)() as session:
        runs = session.execute(
            select(CrawlRun.status, CrawlRun.error_key).where(CrawlRun.status != "skipped")
        ).all()
    assert [(r.status, r.error_key) for r in runs] == [("interrupted", "crawl.interrupted")]
