"""Scheduler (crawler.scheduling, crawler.store.leader): triggers across DST, next runs on a frozen
clock, slot claims, back-off, catch-up after downtime (T39), abandoned runs, reload and hostile YAML
(T40), the child-process call and ``ewsi schedule --list``."""

from __future__ import annotations

import itertools
import json
import logging
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select, update

from crawler.cli import main as ewsi
from crawler.commands.schedule import list_sources
from crawler.scheduling.child import CHILD_CMD_ENV, child_command
from crawler.scheduling.service import SchedulerOptions, SchedulerService
from crawler.scheduling.triggers import (
    TEST_INTERVAL_ENV,
    SourceCronTrigger,
    build_trigger,
    cron_weekdays,
    fire_times,
    last_fire,
    next_fire,
)
from crawler.scheduling.upkeep import (
    OWNER_FILE,
    SNAPSHOT_PREFIX,
    DatabaseOutage,
    remove_stale_snapshot_dirs,
)
from crawler.sources import load_sources
from crawler.store import leader
from crawler.store import runs as store_runs
from crawler.store import sources as store_sources
from crawler.store.migrate import upgrade
from crawler.store.schema import CrawlRun, SourceRow
from crawler.store.session import make_engine, session_scope
from tests.faultfigures import record_fault

BRU = ZoneInfo("Europe/Brussels")

STUB = '''
"""Stub crawl child: finishes its claimed run after STUB_SLEEP seconds (STUB_MODE: ok, crash_once, hang)."""
import os, signal, sys, time
from datetime import UTC, datetime
from crawler.store import runs
from crawler.store.session import session_scope
from crawler.types import CrawlReport

source_id, run_id = sys.argv[1], int(sys.argv[sys.argv.index("--run-id") + 1])
log = os.environ.get("STUB_LOG")
if log:
    with open(log, "a") as fh:
        fh.write(" ".join(sys.argv[1:]) + "\\n")
mode = os.environ.get("STUB_MODE", "ok")
if mode == "crash_once":
    marker = os.environ["STUB_MARKER"]
    if not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
if mode == "hang":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # only SIGKILL ends it
    time.sleep(600)
time.sleep(float(os.environ.get("STUB_SLEEP", "0")))
with session_scope(os.environ["EWSI_DATABASE_URL"]) as session:
    now = datetime.now(UTC)
    runs.finish_run(session, run_id, CrawlReport(source_id, now, now, status="ok"))
'''


def source_entry(sid: str, schedule: str = "0 6 * * *", **extra: Any) -> dict[str, Any]:
    """A minimal valid source of the operator YAML."""
    return {
        "id": sid,
        "name": sid,
        "publisher": "Test",
        "kind": "feed",
        "urls": [f"https://example.org/{sid}.xml"],
        "schedule": schedule,
        **extra,
    }


def write_config(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    return path


@pytest.fixture
def stub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the scheduler's child at the stub; returns the stub's argv log file."""
    script = tmp_path / "stub_child.py"
    script.write_text(STUB, encoding="utf-8")
    log = tmp_path / "stub.log"
    monkeypatch.setenv(CHILD_CMD_ENV, f"{sys.executable} {script}")
    monkeypatch.setenv("STUB_LOG", str(log))
    monkeypatch.setenv("STUB_MARKER", str(tmp_path / "crashed-once"))
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1]))
    return log


def make_service(db_url: str, config: Path, *, clock: Any = None, **options: Any) -> SchedulerService:
    options.setdefault("child_cmd", os.environ.get(CHILD_CMD_ENV))  # the stub, when the fixture set it
    opts = SchedulerOptions(config=config, database_url=db_url, **options)
    service = SchedulerService(opts, clock=clock) if clock else SchedulerService(opts)
    service.load()
    return service


def runs(db_engine: Any) -> list[CrawlRun]:
    from crawler.store.session import session_factory

    with session_factory(db_engine)() as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))


def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def fires_between(
    expr: str, start: datetime, end: datetime, trigger_cls: Any = SourceCronTrigger
) -> list[datetime]:
    trigger = trigger_cls.from_crontab(expr, timezone=BRU)
    return list(fire_times(trigger, start, end))


# --- triggers: DST days in Europe/Brussels ---------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expr", "expected_utc"),
    [
        # spring forward: 02:30 does not exist; it runs once, shifted by the gap (03:30 CEST)
        (datetime(2026, 3, 29, tzinfo=BRU), "30 2 * * *", ["2026-03-29T01:30:00+00:00"]),
        (datetime(2026, 3, 29, tzinfo=BRU), "0 3 * * *", ["2026-03-29T01:00:00+00:00"]),
        # fall back: 02:30 occurs twice; it runs once, at the first (CEST) occurrence
        (datetime(2026, 10, 25, tzinfo=BRU), "30 2 * * *", ["2026-10-25T00:30:00+00:00"]),
        (datetime(2026, 10, 25, tzinfo=BRU), "0 3 * * *", ["2026-10-25T02:00:00+00:00"]),
    ],
)
def test_daily_job_runs_once_on_dst_change_days(day: datetime, expr: str, expected_utc: list[str]) -> None:
    start = day - timedelta(microseconds=1)
    fires = fires_between(expr, start, day + timedelta(days=1) - timedelta(microseconds=1))
    assert [f.isoformat() for f in fires] == expected_utc


def test_plain_apscheduler_doubles_the_repeated_hour_which_the_wrapper_fixes() -> None:
    day = datetime(2026, 10, 25, tzinfo=BRU)
    end = day + timedelta(days=1) - timedelta(microseconds=1)
    plain = fires_between("30 2 * * *", day - timedelta(microseconds=1), end, CronTrigger)
    assert len(plain) == 2  # APScheduler 3.11.3; if this changes, the wrapper may no longer be needed
    assert len(fires_between("30 2 * * *", day - timedelta(microseconds=1), end)) == 1


@pytest.mark.parametrize(
    ("day", "count"), [(datetime(2026, 3, 29, tzinfo=BRU), 46), (datetime(2026, 10, 25, tzinfo=BRU), 50)]
)
def test_every_30_minutes_keeps_real_time_spacing_across_dst(day: datetime, count: int) -> None:
    end = day + timedelta(days=1) - timedelta(microseconds=1)
    fires = fires_between("*/30 * * * *", day - timedelta(microseconds=1), end)
    assert len(fires) == count  # a 23-hour and a 25-hour day
    gaps = {b - a for a, b in itertools.pairwise(fires)}
    assert gaps == {timedelta(minutes=30)}


def test_fixed_hour_steps_run_once_in_the_repeated_hour() -> None:
    day = datetime(2026, 10, 25, tzinfo=BRU)
    fires = fires_between("0 */2 * * *", day - timedelta(microseconds=1), day + timedelta(hours=6))
    local = [f.astimezone(BRU).strftime("%H:%M%z") for f in fires]
    assert local == ["00:00+0200", "02:00+0200", "04:00+0100", "06:00+0100"]


def test_next_run_on_a_frozen_clock_uses_the_source_zone() -> None:
    config = load_sources(
        text=yaml.safe_dump({"sources": [source_entry("a-src", "0 6 * * 1-5", timezone="Europe/Brussels")]})
    )
    trigger = build_trigger(config.sources[0])
    frozen = datetime(2026, 3, 27, 6, 0, 1, tzinfo=UTC)  # Friday, after 06:00 CET (05:00 UTC)
    assert next_fire(trigger, frozen) == datetime(2026, 3, 30, 4, 0, tzinfo=UTC)  # Monday 06:00 CEST
    assert last_fire(trigger, frozen, timedelta(days=3)) == datetime(2026, 3, 27, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "names"),
    [("1-5", "mon,tue,wed,thu,fri"), ("0", "sun"), ("7", "sun"), ("*/2", "sun,tue,thu,sat"),
     ("5-7", "sun,fri,sat"), ("sat-sun", "sun,sat"), ("*", "*")],
)  # fmt: skip
def test_cron_weekday_numbers_are_read_as_cron_reads_them(field: str, names: str) -> None:
    assert cron_weekdays(field) == names


def test_test_interval_is_epoch_aligned() -> None:
    config = load_sources(text=yaml.safe_dump({"sources": [source_entry("a-src")]}))
    trigger = build_trigger(config.sources[0], interval_s=5)
    frozen = datetime(2026, 1, 1, 12, 0, 3, 250_000, tzinfo=UTC)
    assert next_fire(trigger, frozen) == datetime(2026, 1, 1, 12, 0, 5, tzinfo=UTC)
    assert last_fire(trigger, frozen, timedelta(seconds=10)) == datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


# --- the child-process call -----------------------------------------------------------------


def test_child_command_passes_run_config_and_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CHILD_CMD_ENV, raising=False)
    argv = child_command("ep-press", 42, config="/tmp/c.yaml", replay="/x/snapshot.warc.gz")
    assert argv == [
        sys.executable, "-m", "crawler.runner", "ep-press", "--run-id", "42",
        "--config", "/tmp/c.yaml", "--replay", "/x/snapshot.warc.gz",
    ]  # fmt: skip


# --- leader lock ----------------------------------------------------------------------------


def test_leader_lock_excludes_a_second_holder(db_url: str) -> None:
    first, second = leader.LeaderLock(db_url), leader.LeaderLock(db_url)
    try:
        assert first.acquire()
        assert not second.acquire()
        assert first.held() and not second.held()
        first.release()
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()


# --- runs: claim, back-off, time limit, crash, busy ------------------------------------------


def test_run_slot_claims_runs_the_child_and_refuses_a_taken_slot(
    db_engine: Any, db_url: str, tmp_path: Path, stub: Path
) -> None:
    service = make_service(db_url, write_config(tmp_path / "s.yaml", [source_entry("src-a")]))
    slot = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
    assert service.run_slot("src-a", slot) == "ok"
    assert service.run_slot("src-a", slot) == "taken"  # a second scheduler, or a late duplicate fire
    assert stub.read_text().count("src-a --run-id") == 1
    [run] = runs(db_engine)
    assert (run.slot_start, run.status) == (slot, "ok")
    assert f"--config {service._snapshot}" in stub.read_text()


def test_backoff_skips_the_slot_and_records_it(
    db_engine: Any, db_url: str, tmp_path: Path, stub: Path
) -> None:
    service = make_service(db_url, write_config(tmp_path / "s.yaml", [source_entry("src-a")]))
    with session_scope(db_url) as session:
        session.execute(
            update(SourceRow)
            .where(SourceRow.id == "src-a")
            .values(backoff_until=datetime.now(UTC) + timedelta(hours=1))
        )
    slot = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
    assert service.run_slot("src-a", slot) == "backoff"
    [run] = runs(db_engine)
    assert (run.status, run.error_key, run.slot_start) == ("skipped", "schedule.backoff", slot)
    assert not stub.exists()


def test_time_limit_kills_the_child_and_marks_the_run(
    db_engine: Any, db_url: str, tmp_path: Path, stub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUB_MODE", "hang")
    monkeypatch.setattr("crawler.scheduling.child.KILL_GRACE_S", 0.5)
    service = make_service(
        db_url, write_config(tmp_path / "s.yaml", [source_entry("src-a")]), time_limit_s=1.0
    )
    started = time.monotonic()
    assert service.run_slot("src-a", datetime(2026, 5, 4, 6, tzinfo=UTC)) == "timeout"
    assert time.monotonic() - started < 8
    [run] = runs(db_engine)
    assert (run.status, run.error_key) == ("interrupted", "crawl.timeout")


def test_a_killed_child_is_marked_crashed_and_rerun_once(
    db_engine: Any, db_url: str, tmp_path: Path, stub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUB_MODE", "crash_once")
    service = make_service(db_url, write_config(tmp_path / "s.yaml", [source_entry("src-a")]))
    slot = datetime(2026, 5, 4, 6, tzinfo=UTC)
    assert service.run_slot("src-a", slot) == "ok"
    first, second = runs(db_engine)
    assert (first.slot_start, first.status, first.error_key) == (slot, "interrupted", "crawl.crashed")
    assert (second.slot_start, second.status) == (None, "ok")


def test_a_slot_finding_its_source_still_running_is_skipped(
    db_engine: Any, db_url: str, tmp_path: Path, stub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUB_SLEEP", "1.5")
    service = make_service(db_url, write_config(tmp_path / "s.yaml", [source_entry("src-a")]))
    first_slot, second_slot = datetime(2026, 5, 4, 6, tzinfo=UTC), datetime(2026, 5, 4, 6, 5, tzinfo=UTC)
    worker = threading.Thread(target=service.run_slot, args=("src-a", first_slot))
    worker.start()
    wait_for(lambda: "src-a" in service._active and service._children)
    assert service.run_slot("src-a", second_slot) == "still_running"
    worker.join(20)
    by_slot = {r.slot_start: (r.status, r.error_key) for r in runs(db_engine)}
    assert by_slot == {first_slot: ("ok", None), second_slot: ("skipped", "schedule.still_running")}


# --- catch-up after downtime (T39) and abandoned runs ------------------------------------------


def test_catch_up_runs_each_overdue_source_once(
    db_engine: Any, db_url: str, tmp_path: Path, stub: Path
) -> None:
    """T39: stopped for three intervals, then started: one run per overdue source, misses recorded."""
    config = write_config(
        tmp_path / "s.yaml",
        [
            # every 5 minutes of one hour on one day a year: the jobs' triggers run on the real
            # clock, and a */5 job fired when the test crossed a real 5-minute boundary (an extra run)
            source_entry("src-a", "*/5 6 4 5 *"),
            source_entry("src-b", "*/5 6 4 5 *"),
            source_entry("src-new", "15 6 1 1 *"),
        ],
    )
    last = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
    frozen = last + timedelta(minutes=15, seconds=30)  # slots 06:05, 06:10, 06:15 passed
    service = make_service(db_url, config, clock=lambda: frozen)
    with session_scope(db_url) as session:
        for sid in ("src-a", "src-b"):
            run_id = store_runs.start_run(session, sid, slot_start=last)
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(status="ok"))
    assert service.lock.acquire()
    try:
        service.become_leader()
        wait_for(lambda: sum(1 for o in service.outcomes if o[2] == "ok") == 2)
    finally:
        service.shutdown()
    rows = [
        (r.source_id, r.slot_start, r.status, r.error_key) for r in runs(db_engine) if r.slot_start != last
    ]
    for sid in ("src-a", "src-b"):
        mine = sorted((slot, status, key) for s, slot, status, key in rows if s == sid)
        assert mine == [
            (last + timedelta(minutes=5), "skipped", "schedule.missed"),
            (last + timedelta(minutes=10), "skipped", "schedule.missed"),
            (last + timedelta(minutes=15), "ok", None),
        ]
    assert not [r for r in rows if r[0] == "src-new"]  # never run before: waits for its first slot
    assert stub.read_text().count("--run-id") == 2
    record_fault(
        "T39",
        db_url,
        overdue_sources=2,
        catch_up_runs_per_source={
            sid: sum(1 for r in rows if r[0] == sid and r[2] == "ok") for sid in ("src-a", "src-b")
        },
        missed_recorded=sum(1 for r in rows if r[3] == "schedule.missed"),
    )


def test_abandoned_run_is_marked_interrupted_and_rerun_once(
    db_engine: Any, db_url: str, tmp_path: Path, stub: Path
) -> None:
    # a fixed clock away from the daily 06:00 slot: between the abandoned run's slot and now no
    # scheduled slot falls, so the only run is the re-run (on the wall clock, 06:00-07:00 UTC added one)
    frozen = datetime(2026, 5, 4, 12, 0, 30, tzinfo=UTC)
    config = write_config(tmp_path / "s.yaml", [source_entry("src-a")])
    service = make_service(db_url, config, clock=lambda: frozen)
    slot = frozen.replace(second=0) - timedelta(hours=1)
    old = frozen - timedelta(minutes=5)
    with session_scope(db_url) as session:
        run_id = store_runs.start_run(session, "src-a", slot_start=slot, pid=999_999)
        session.execute(
            update(CrawlRun).where(CrawlRun.id == run_id).values(heartbeat_at=old, started_at=old)
        )
    assert service.lock.acquire()
    try:
        service.become_leader()
        wait_for(lambda: any(o[2] == "ok" for o in service.outcomes))
    finally:
        service.shutdown()
    first, *rest = runs(db_engine)
    assert (first.status, first.error_key) == ("interrupted", "crawl.crashed")
    assert [(r.slot_start, r.status) for r in rest] == [(None, "ok")]  # re-run once, no extra catch-up run


# --- reload and hostile YAML (T40) -------------------------------------------------------------


def test_reload_adds_changes_removes_and_refuses_bad_config(
    db_engine: Any, db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_config(tmp_path / "s.yaml", [source_entry("src-a", "0 6 * * *"), source_entry("src-b")])
    service = make_service(db_url, path)
    assert service.lock.acquire()
    try:
        service.become_leader()
        assert service.scheduler is not None
        assert {j.id for j in service.scheduler.get_jobs()} == {"src-a", "src-b"}
        write_config(path, [source_entry("src-a", "30 7 * * *"), source_entry("src-c")])
        os.utime(path, (time.time() + 5, time.time() + 5))
        service.tick()  # the mtime poll notices the change
        jobs = {j.id: j for j in service.scheduler.get_jobs()}
        assert set(jobs) == {"src-a", "src-c"}
        assert (jobs["src-a"].next_run_time.astimezone(UTC).hour, jobs["src-a"].next_run_time.minute) == (
            7,
            30,
        )
        assert jobs["src-a"].misfire_grace_time == 86_400  # one day: the interval of a daily job
        assert (jobs["src-a"].coalesce, jobs["src-a"].max_instances) == (True, 1)

        canary = tmp_path / "yaml-canary"
        for bad in (
            "sources:\n  - id: [unclosed\n",
            "sources:\n- id: src-x\n  name: x\n  publisher: x\n  kind: feed\n  urls: [https://x.org]\n"
            "  schedule: '61 * * * *'\n",
            f'sources: !!python/object/apply:os.system ["touch {canary}"]\n',
            f'sources: !!python/object/new:os.system ["touch {canary}"]\n',
        ):
            caplog.clear()
            path.write_text(bad, encoding="utf-8")
            service.request_reload()
            service.tick()
            assert {j.id for j in service.scheduler.get_jobs()} == {"src-a", "src-c"}
            assert "config reload refused" in caplog.text and f"{path}:" in caplog.text
        assert not canary.exists()
        # the children keep reading the last good config
        assert service._snapshot is not None
        assert "src-c" in service._snapshot.read_text(encoding="utf-8")
    finally:
        service.shutdown()


def test_invalid_field_is_refused_with_line_and_field(
    db_engine: Any, db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_config(tmp_path / "s.yaml", [source_entry("src-a")])
    service = make_service(db_url, path)
    path.write_text(yaml.safe_dump({"sources": [source_entry("src-a", "61 * * * *")]}), encoding="utf-8")
    assert not service.reload()
    assert "sources[0].schedule: cron minute value 61 outside 0-59" in caplog.text
    assert set(service.sources) == {"src-a"} and service.sources["src-a"].schedule == "0 6 * * *"


# --- ewsi schedule --list ------------------------------------------------------------------------


def test_list_json_has_next_run_last_run_and_backoff(
    db_engine: Any,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write_config(
        tmp_path / "s.yaml",
        [
            source_entry("src-a", "0 6 * * *", timezone="Europe/Brussels"),
            source_entry("src-off", enabled=False),
        ],
    )
    config = load_sources(path)
    with session_scope(db_url) as session:
        store_sources.sync_sources(session, config.sources)
        run_id = store_runs.start_run(session, "src-a", slot_start=datetime(2026, 5, 4, 4, tzinfo=UTC))
        session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(status="failed"))
        session.execute(
            update(SourceRow)
            .where(SourceRow.id == "src-a")
            .values(state="failing", backoff_until=datetime(2026, 5, 4, 5, tzinfo=UTC))
        )
    rows, warning = list_sources(config, db_url, now=datetime(2026, 5, 4, 12, tzinfo=UTC))
    assert warning is None
    a, off = rows
    assert a["next_run"] == "2026-05-05T04:00:00Z"  # 06:00 CEST
    assert (a["last_status"], a["state"], a["backoff_until"]) == ("failed", "failing", "2026-05-04T05:00:00Z")
    assert a["last_run"] is not None
    assert (off["source_id"], off["next_run"]) == ("src-off", None)

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    monkeypatch.delenv(TEST_INTERVAL_ENV, raising=False)
    assert ewsi(["schedule", "--list", "--json", "--config", str(path)]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [p["source_id"] for p in printed] == ["src-a", "src-off"]
    assert printed[0]["next_run"].endswith(":00:00Z")


# (source id, cron, zone, enabled, backoff_until or None, the label both must show) at NOW_LIST
NOW_LIST = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
AGREE_CASES = [
    ("plain", "0 9,11 * * *", "UTC", True, None, "2026-05-04 09:00 UTC"),
    (
        "ends-before",
        "0 9,11 * * *",
        "UTC",
        True,
        datetime(2026, 5, 4, 8, 30, tzinfo=UTC),
        "2026-05-04 09:00 UTC",
    ),
    (
        "ends-at-slot",
        "0 9,11 * * *",
        "UTC",
        True,
        datetime(2026, 5, 4, 9, 0, tzinfo=UTC),
        "2026-05-04 09:00 UTC",
    ),
    (
        "ends-after",
        "0 9,11 * * *",
        "UTC",
        True,
        datetime(2026, 5, 4, 9, 13, 52, tzinfo=UTC),
        "2026-05-04 11:00 UTC (after back-off)",
    ),
    (
        "ends-next-day",
        "30 6 * * *",
        "Europe/Brussels",
        True,
        datetime(2026, 5, 5, 7, 0, tzinfo=UTC),
        "2026-05-06 04:30 UTC (after back-off)",
    ),
    ("ended-long-ago", "0 9,11 * * *", "UTC", True, datetime(2026, 5, 1, tzinfo=UTC), "2026-05-04 09:00 UTC"),
    ("off", "0 9,11 * * *", "UTC", False, None, "disabled"),
    ("off-backing-off", "0 9,11 * * *", "UTC", False, datetime(2026, 5, 4, 10, tzinfo=UTC), "disabled"),
]


def test_list_and_the_desk_agree_on_the_next_run(db_engine: Any, db_url: str, tmp_path: Path) -> None:
    """`ewsi schedule --list` and the desk's sources page (crawler.web.admin.next_run_cell) show the
    same next run for every case of AGREE_CASES, read from the same stored back-off."""
    from crawler.web.admin import next_run_cell

    entries = [source_entry(sid, cron, timezone=tz, enabled=on) for sid, cron, tz, on, _, _ in AGREE_CASES]
    config = load_sources(write_config(tmp_path / "s.yaml", entries))
    with session_scope(db_url) as session:
        store_sources.sync_sources(session, config.sources)
        for sid, _, _, _, until, _ in AGREE_CASES:
            if until is not None:
                session.execute(
                    update(SourceRow).where(SourceRow.id == sid).values(state="failing", backoff_until=until)
                )
    rows, warning = list_sources(config, db_url, now=NOW_LIST)
    assert warning is None
    plans = {source.id: source for source in config.sources}
    for row, (sid, _, _, _, until, label) in zip(rows, AGREE_CASES, strict=True):
        assert row["source_id"] == sid
        assert row["backoff_until"] == (until.strftime("%Y-%m-%dT%H:%M:%SZ") if until else None)
        _, desk = next_run_cell(plans, {"id": sid, "backoff_until": row["backoff_until"]}, NOW_LIST)
        assert (sid, row["next_run_label"], desk) == (sid, label, label)
        expected_at = None if label == "disabled" else label[:16].replace(" ", "T") + ":00Z"
        assert row["next_run"] == expected_at


def test_list_refuses_an_invalid_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent("sources:\n  - id: BAD\n"), encoding="utf-8")
    assert ewsi(["schedule", "--list", "--config", str(path)]) == 2
    assert f"{path}:" in capsys.readouterr().err


# --- the database unreachable: at start, while running, and back (T34 log discipline) ----------


def unreachable_url(backend: str, tmp_path: Path) -> str:
    """A database URL that cannot be reached: a closed port, or a SQLite "file" that is a directory
    (a missing directory is refused before any connection: crawler.store.session.database_url)."""
    if backend == "postgresql":
        return "postgresql+psycopg2://postgres@127.0.0.1:1/nope"
    blocker = tmp_path / "a-directory"
    blocker.mkdir()
    return f"sqlite:///{blocker}"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_schedule_refuses_to_start_without_its_database(
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A wrong URL is one line and exit 2, as for `ewsi crawl`, not a scheduler polling forever."""
    url = unreachable_url(backend, tmp_path)
    monkeypatch.setenv("EWSI_DATABASE_URL", url)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    path = write_config(tmp_path / "s.yaml", [source_entry("src-a")])
    started = time.monotonic()
    assert ewsi(["schedule", "--config", str(path)]) == 2
    assert time.monotonic() - started < 10  # RELIABILITY.md T34: fail fast, < 10 s
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("database unavailable: "), err
    expected = "connection refused" if backend == "postgresql" else "unable to open database file"
    assert expected in err
    assert not list(tmp_path.glob("ewsi-schedule-*"))  # nothing left behind
    # an unmigrated database is refused the same way
    monkeypatch.setenv("EWSI_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert ewsi(["schedule", "--config", str(path)]) == 2
    assert "database is not migrated" in capsys.readouterr().err


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_lost_database_is_logged_once_then_summarised_with_backed_off_polls(
    backend: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """One WARNING line with the short reason, then a summary at most every 5 minutes; the poll
    doubles from --leader-poll up to 30 s (T34: the scheduler stays up, quietly)."""
    url = unreachable_url(backend, tmp_path)
    service = SchedulerService(
        SchedulerOptions(config=write_config(tmp_path / "s.yaml", [source_entry("src-a")]), database_url=url)
    )
    now = [1000.0]
    service.outage = DatabaseOutage(
        5.0, clock=lambda: now[0], wall=lambda: datetime(2026, 5, 4, 6, 7, tzinfo=UTC)
    )
    try:
        service.load()  # the sources cannot be synced: one line
        polls = []
        for _ in range(12):  # 12 attempts, 2 minutes of fake time apart: 22 minutes
            service.tick()
            polls.append(service.next_poll_s())
            now[0] += 120.0
    finally:
        service.shutdown()
    assert not service.is_leader
    assert polls == [5.0, 10.0, 20.0, 30.0] + [30.0] * 8
    records = [r for r in caplog.records if r.name.startswith("crawler.")]
    messages = [r.getMessage() for r in records if r.levelno >= logging.WARNING]
    assert all("\n" not in m and "Background on this error" not in m for m in messages), messages
    sync, first, *summaries = messages
    assert sync.startswith("could not sync sources to the database: ")
    if backend == "postgresql":
        assert first == "leader lock: cannot connect to postgresql://127.0.0.1:1/nope: connection refused"
    else:
        assert first.startswith("cannot lead: cannot connect to sqlite:///") and "unable to open" in first
    # attempts 2-12 at 1120 ... 2320 s: summaries when 300 s have passed since the last line
    assert [s.split(" (")[0] for s in summaries] == [
        "still cannot reach the database: 4 attempts since 06:07 UTC",
        "still cannot reach the database: 7 attempts since 06:07 UTC",
        "still cannot reach the database: 10 attempts since 06:07 UTC",
    ]
    assert caplog.text.count(first.split(": ")[0] + ":") == 1


def test_outage_back_off_is_capped_at_8_polls_for_a_short_leader_poll() -> None:
    outage = DatabaseOutage(1.0, clock=lambda: 0.0)
    delays = []
    for _ in range(6):
        outage.failed("leader lock", "connection refused")
        delays.append(outage.delay())
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]  # a standby polling every 1 s notices within 8 s
    outage.recovered()
    assert (outage.down, outage.delay()) == (False, 1.0)


def test_database_back_logs_one_line_and_the_scheduler_leads(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An unmigrated database (the scheduler cannot lead on it) becomes usable: one INFO line."""
    caplog.set_level(logging.INFO)
    service = make_service(db_url, write_config(tmp_path / "s.yaml", [source_entry("src-a")]))
    try:
        service.tick()
        service.tick()
        assert not service.is_leader and service.outage.failures == 2
        assert caplog.text.count("cannot lead: database is not migrated: run `ewsi db upgrade`") == 1
        engine = make_engine(db_url)
        upgrade(engine=engine)
        engine.dispose()
        service.tick()
        assert service.is_leader and not service.outage.down
    finally:
        service.shutdown()
    back = [r.getMessage() for r in caplog.records if "reachable again" in r.getMessage()]
    assert len(back) == 1 and back[0].startswith("database reachable again after 2 failed attempts since ")
    assert "leader lock taken" in caplog.text


# --- snapshot directories of killed schedulers -------------------------------------------------


def test_snapshot_dir_of_a_killed_scheduler_is_removed_by_the_next(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # reaped: its pid names no process any more
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dirs = {}
        for name, content in (("dead", f"{dead.pid}\n"), ("alive", f"{alive.pid}\n"), ("legacy", None)):
            dirs[name] = tmp_path / f"{SNAPSHOT_PREFIX}{name}"
            dirs[name].mkdir()
            (dirs[name] / "sources.1.yaml").write_text("sources: []\n", encoding="utf-8")
            if content is not None:
                (dirs[name] / OWNER_FILE).write_text(content, encoding="ascii")
        assert remove_stale_snapshot_dirs(tmp_path) == [dirs["dead"]]
        assert [p.name for p in sorted(tmp_path.iterdir())] == [
            f"{SNAPSHOT_PREFIX}alive",
            f"{SNAPSHOT_PREFIX}legacy",  # no owner.pid: an older scheduler's, left alone
        ]
    finally:
        alive.kill()
        alive.wait()


def test_kill_9_then_start_cleans_the_snapshot_dir(tmp_path: Path) -> None:
    """A real scheduler killed with SIGKILL leaves its directory; the next one removes it at start
    (the directory does not depend on the database's back end: SQLite)."""
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    engine = make_engine(db_url)
    upgrade(engine=engine)
    engine.dispose()
    config = write_config(tmp_path / "s.yaml", [source_entry("src-a")])
    snaps = tmp_path / "tmp"
    snaps.mkdir()
    env = {
        **os.environ,
        "EWSI_DATABASE_URL": db_url,
        "TMPDIR": str(snaps),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    cli = [
        sys.executable,
        "-c",
        "import sys; from crawler.cli import main; sys.exit(main(['schedule', *sys.argv[1:]]))",
    ]
    argv = [*cli, "--config", str(config), "--leader-poll", "0.5"]
    first = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: len(list(snaps.glob(f"{SNAPSHOT_PREFIX}*/sources.1.yaml"))) == 1)
    [left] = list(snaps.glob(f"{SNAPSHOT_PREFIX}*"))
    assert (left / OWNER_FILE).read_text(encoding="ascii").strip() == str(first.pid)
    first.kill()
    first.wait()
    assert left.exists()
    second = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: not left.exists())
        [mine] = list(snaps.glob(f"{SNAPSHOT_PREFIX}*"))
        assert (mine / OWNER_FILE).read_text(encoding="ascii").strip() == str(second.pid)
    finally:
        second.terminate()
        _, err = second.communicate(timeout=30)
    assert f"removed {left}, left by a scheduler that was killed" in err
    assert second.returncode == 0 and not list(
        snaps.glob(f"{SNAPSHOT_PREFIX}*")
    )  # a clean stop removes its own
