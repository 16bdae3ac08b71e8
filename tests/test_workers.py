"""Crawl runs on several worker processes through Procrastinate (crawler.scheduling.jobs, ``ewsi worker``).

Rules under test: one job per (source, slot) with queueing lock = lock = source id; the leader with
``dispatch="workers"`` queues instead of running; a worker claims the slot, so a job run twice (a
re-queued or duplicated job) runs the slot once; two workers share the jobs; SQLite refuses.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

from crawler.errors import AlreadyQueued
from crawler.scheduling import jobs
from crawler.scheduling.child import CHILD_CMD_ENV
from crawler.scheduling.service import SchedulerOptions, SchedulerService
from crawler.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]

STUB = r"""
import os, sys, time
from datetime import datetime, timezone
import psycopg2
run_id = int(sys.argv[sys.argv.index("--run-id") + 1])
with open(os.environ["STUB_LOG"], "a") as fh:
    fh.write(f"{sys.argv[1]} {run_id} {os.getppid()} {time.time():.3f}\n")
time.sleep(float(os.environ.get("STUB_SLEEP", "0.3")))
conn = psycopg2.connect(os.environ["EWSI_DATABASE_URL"].replace("postgresql+psycopg2://", "postgresql://"))
conn.cursor().execute("UPDATE crawl_runs SET status='ok', finished_at=now() WHERE id=%s", (run_id,))
conn.commit()
"""
"""A crawl child that logs ``source run_id worker_pid time`` and closes its run as ok."""


@pytest.fixture
def pg_url() -> Iterator[str]:
    from conftest import ADMIN_URL, _postgres_url

    for url in _postgres_url(os.environ.get("EWSI_TEST_POSTGRES_URL") or ADMIN_URL):
        upgrade(url)
        yield url


def _config(path: Path, ids: list[str]) -> Path:
    entries = [
        {"id": i, "name": i, "publisher": "Test", "kind": "feed", "urls": ["https://example.org/f.xml"]}
        for i in ids
    ]
    path.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    return path


def _jobs(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(jobs.conninfo(url)) as conn:
        return [(r[0], r[1]) for r in conn.execute("SELECT lock, status FROM procrastinate_jobs ORDER BY id")]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+psycopg2://u:p@db:5432/ewsi", "postgresql://u:p@db:5432/ewsi"),
        ("postgresql://u@127.0.0.1/ewsi?sslmode=require", "postgresql://u@127.0.0.1/ewsi?sslmode=require"),
        ("postgresql+psycopg://u@h:6432/ewsi", "postgresql://u@h:6432/ewsi"),
    ],
)
def test_conninfo_drops_the_driver_and_keeps_the_rest(url: str, expected: str) -> None:
    assert jobs.conninfo(url) == expected


@pytest.mark.parametrize("url", ["sqlite:///x.sqlite", "sqlite://", "mysql://u@h/db"])
def test_the_queue_needs_postgresql(url: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        jobs.conninfo(url)
    if url.startswith("sqlite"):
        options = SchedulerOptions(config=tmp_path / "s.yaml", database_url=url, dispatch="workers")
        with pytest.raises(ValueError, match="PostgreSQL"):
            SchedulerService(options)


def test_unknown_dispatch_is_refused(tmp_path: Path) -> None:
    options = SchedulerOptions(config=tmp_path / "s.yaml", database_url="sqlite://", dispatch="remote")
    with pytest.raises(ValueError, match="dispatch"):
        SchedulerService(options)


@pytest.mark.postgres
def test_schema_is_created_once(pg_url: str) -> None:
    assert jobs.ensure_schema(pg_url) is True
    assert jobs.ensure_schema(pg_url) is False


@pytest.mark.postgres
def test_one_waiting_job_per_source(pg_url: str) -> None:
    dispatcher = jobs.Dispatcher(pg_url)
    slot = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    try:
        dispatcher.defer("src-a", slot)
        with pytest.raises(AlreadyQueued):
            dispatcher.defer("src-a", slot + timedelta(hours=1))
        dispatcher.defer("src-b", slot)  # another source: its own lock
    finally:
        dispatcher.close()
    assert _jobs(pg_url) == [("src-a", "todo"), ("src-b", "todo")]


@pytest.mark.postgres
def test_leader_queues_instead_of_running(pg_url: str, tmp_path: Path) -> None:
    config = _config(tmp_path / "sources.yaml", ["src-a", "src-b"])
    service = SchedulerService(SchedulerOptions(config=config, database_url=pg_url, dispatch="workers"))
    try:
        service.load()
        service.dispatcher = jobs.Dispatcher(pg_url)
        slot = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
        assert service.run_slot("src-a", slot) == "queued"
        assert service.run_slot("src-a", slot + timedelta(hours=1)) == "still_running"
        assert service.run_slot("src-b", slot) == "queued"
        assert service.run_slot("gone", slot) == "removed"
    finally:
        service.shutdown()
    assert _jobs(pg_url) == [("src-a", "todo"), ("src-b", "todo")]
    with psycopg.connect(jobs.conninfo(pg_url)) as conn:
        skipped = conn.execute("SELECT source_id, status, error_key FROM crawl_runs").fetchall()
    assert skipped == [("src-a", "skipped", "schedule.still_running")]


def _start_worker(config: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "worker", "--config", str(config), "--concurrency", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_for(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.timeout(180)
def test_two_workers_run_each_slot_once(pg_url: str, tmp_path: Path) -> None:
    ids = [f"src-{i:02d}" for i in range(6)]
    config = _config(tmp_path / "sources.yaml", ids)
    stub, stub_log = tmp_path / "stub.py", tmp_path / "stub.log"
    stub.write_text(STUB, encoding="utf-8")
    stub_log.touch()
    env = {
        **os.environ,
        "EWSI_DATABASE_URL": pg_url,
        CHILD_CMD_ENV: f"{sys.executable} {stub}",
        "STUB_LOG": str(stub_log),
        "PYTHONPATH": str(ROOT),
    }
    jobs.ensure_schema(pg_url)
    workers = [_start_worker(config, env, tmp_path / f"w{i}.log") for i in range(2)]
    dispatcher = jobs.Dispatcher(pg_url)
    slots = [datetime(2026, 12, 1, h, 0, tzinfo=UTC) for h in (6, 7)]

    try:
        for slot in slots:
            for sid in ids:
                dispatcher.defer(sid, slot)
            assert _wait_for(lambda: not _jobs(pg_url), 90), _jobs(pg_url)  # succeeded jobs are deleted
        for sid in ids:  # the same slots again (a duplicated or re-queued job): claimed already
            dispatcher.defer(sid, slots[0])
        assert _wait_for(lambda: not _jobs(pg_url), 60), _jobs(pg_url)
    finally:
        dispatcher.close()
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(30)
    lines = [line.split() for line in stub_log.read_text().splitlines()]
    runs = Counter(int(run_id) for _sid, run_id, _ppid, _t in lines)
    parents = Counter(int(ppid) for _sid, _run_id, ppid, _t in lines)
    with psycopg.connect(jobs.conninfo(pg_url)) as conn:
        rows = conn.execute("SELECT source_id, slot_start, status FROM crawl_runs").fetchall()
    assert len(lines) == len(ids) * len(slots)  # every slot ran, none twice
    assert max(runs.values()) == 1
    assert Counter((sid, slot) for sid, slot, _ in rows) == {(s, t): 1 for s in ids for t in slots}
    assert {status for _, _, status in rows} == {"ok"}
    assert set(parents) == {w.pid for w in workers}  # both workers took jobs
    assert all(w.returncode == 0 for w in workers)


@pytest.mark.postgres
def test_leader_fires_one_job_per_source_and_slot(pg_url: str, tmp_path: Path) -> None:
    config = _config(tmp_path / "sources.yaml", ["src-a", "src-b"])
    options = SchedulerOptions(config=config, database_url=pg_url, dispatch="workers", interval_s=60.0)
    service = SchedulerService(options, clock=lambda: datetime(2026, 12, 1, 6, 0, 30, tzinfo=UTC))
    try:
        service.load()
        assert service.lock.acquire()
        service.become_leader()
        assert service.dispatcher is not None
        assert [service.fire("src-a"), service.fire("src-b"), service.fire("src-a")] == [
            "queued",
            "queued",
            "still_running",
        ]
        service.step_down(quiet=True)
        assert service.dispatcher is None  # the queue connection goes with the leadership
    finally:
        service.shutdown()
    with psycopg.connect(jobs.conninfo(pg_url)) as conn:
        rows = conn.execute("SELECT lock, queueing_lock, args FROM procrastinate_jobs ORDER BY id").fetchall()
    assert [(lock, qlock, args["slot"], args["rerun"]) for lock, qlock, args in rows] == [
        ("src-a", "src-a", "2026-12-01T06:00:00+00:00", False),
        ("src-b", "src-b", "2026-12-01T06:00:00+00:00", False),
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///{tmp}/ewsi.sqlite", "`ewsi schedule` runs the crawls itself on SQLite"),
        ("postgresql+psycopg2://postgres@127.0.0.1:1/none", "database unavailable"),
    ],
)
def test_worker_refuses_sqlite_and_an_unreachable_database(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    url: str,
    message: str,
) -> None:
    from crawler.cli import main

    monkeypatch.setenv("EWSI_DATABASE_URL", url.format(tmp=tmp_path))
    assert main(["worker", "--config", str(_config(tmp_path / "s.yaml", ["a"]))]) == 2
    assert message in capsys.readouterr().err


def test_schedule_dispatch_to_workers_needs_postgresql(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from crawler.cli import main

    monkeypatch.setenv("EWSI_DATABASE_URL", f"sqlite:///{tmp_path / 'ewsi.sqlite'}")
    config = _config(tmp_path / "s.yaml", ["a"])
    assert main(["schedule", "--dispatch", "workers", "--config", str(config)]) == 2
    assert "--dispatch workers needs PostgreSQL" in capsys.readouterr().err
