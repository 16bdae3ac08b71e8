"""The store under faults (../shared/RELIABILITY.md group F, T32-T34), with real processes.

T32: the store's test hook (``EWSI_FAULT_KILL_AFTER_ITEM_ROW``, crawler/store/items.py) SIGKILLs a
real crawl child inside an item's transaction, after the ``items`` row and before its theme and raw
rows; no partial item may remain, and a re-run stores every item whole, once (SQLite and PostgreSQL).
T33: a throwaway PostgreSQL cluster (tests/pgcluster.py) is restarted (``-m fast``) or crashed
(``-m immediate``, started 5 s later) while a crawl of 200 items is writing (after item 50); the
interrupted transaction is replayed after reconnecting, and with a retry budget shorter than the
outage the run fails with ``store.db_error`` and the next run stores what it missed.
T34: that cluster stopped across two slots of a running `scheduler.py`: runs started then fail fast,
the scheduler stays up, the slots are coalesced into one catch-up run per source.
Two quick tests pin the retry budgets behind T33 (crawler/store/session.py `run_with_retry`).
Figures are printed (run with ``-s``) and kept in tests/artifacts/fault_figures.json.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from crawler.errors import DatabaseUnavailable
from crawler.scheduling.child import CHILD_CMD_ENV
from crawler.scheduling.service import SchedulerOptions, SchedulerService
from crawler.scheduling.triggers import TEST_INTERVAL_ENV
from crawler.store.items import FAULT_KILL_ENV
from crawler.store.migrate import upgrade
from crawler.store.schema import CrawlRun, HttpCacheEntry, Item, ItemTheme, RawResponseRow
from crawler.store.session import (
    DB_RETRY_SECONDS_ENV,
    DEFAULT_DB_RETRY_SECONDS,
    DISCONNECT_MAX_DELAY,
    make_engine,
    run_with_retry,
    session_factory,
)
from tests.faultfigures import record_fault
from tests.lab import LabServer, Route
from tests.pgcluster import PgCluster, throwaway_cluster
from tests.test_scheduler_faults import feed_of, source_entry, start_scheduler, stop, write_config

ROOT = Path(__file__).resolve().parents[1]
LAB_HOST = "127.0.0.2"
TOTAL = 200
THEMES = 6
"""Theme rows per stored item: one score per theme of config/themes.yaml."""


# --- the lab feed and the crawl child ------------------------------------------------------------


def page_of(n: int) -> bytes:
    """The HTML page item `n` of `feed_of` links to (gives the item its text)."""
    para = (
        f"<p>The municipality of town {n} opens language courses and mentoring for newly arrived "
        "refugees and migrants, with childcare and job counselling in the evenings.</p>"
    )
    return (
        f"<html><head><title>Programme {n}</title></head><body><article>"
        f"<h1>Integration programme {n}</h1>{para * 6}</article></body></html>"
    ).encode()


def serve_feed(lab: LabServer, total: int = TOTAL, path: str = "/feed.xml") -> set[str]:
    """Serve a feed of `total` items at `path` and their pages; return the item links served, read
    from the feed bytes themselves."""
    body = feed_of(lab.base, total)
    lab.routes[path] = Route(body, headers={"Content-Type": "application/rss+xml"})
    for n in range(1, total + 1):
        lab.routes[f"/news/{n}"] = Route(page_of(n), headers={"Content-Type": "text/html; charset=utf-8"})
    channel = ET.fromstring(body).find("channel")
    assert channel is not None
    return {(i.findtext("link") or "").strip() for i in channel.iter("item")}


def child_env(db_url: str, **extra: str) -> dict[str, str]:
    """Environment of a crawl child: the database, the lab host allowed, no fault hooks inherited."""
    env = {k: v for k, v in os.environ.items() if k not in (FAULT_KILL_ENV, DB_RETRY_SECONDS_ENV)}
    env.update(
        {
            "EWSI_DATABASE_URL": db_url,
            "EWSI_ALLOW_PRIVATE": LAB_HOST,
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env


def start_crawl(config: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``python -m crawler.runner lab-feed --config CONFIG`` with its output appended to `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "crawler.runner", "lab-feed", "--config", str(config)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def lab_config(tmp_path: Path, lab: LabServer) -> Path:
    return write_config(
        tmp_path / "sources.yaml",
        [source_entry("lab-feed", lab.url("/feed.xml"), languages=["en"], max_items=500, follow=True)],
    )


def reader(db_url: str) -> Any:
    """A fresh engine without a pool (survives server restarts between calls); dispose after use."""
    return make_engine(db_url, poolclass=NullPool)


@dataclass
class Stored:
    """What the database holds: the link of each item, identity hashes, items not stored whole, runs."""

    urls: list[str]
    identities: list[str]
    partial: list[tuple[Any, ...]]
    runs: list[dict[str, Any]] = field(default_factory=list)

    def lost(self, served: set[str]) -> int:
        return len(served - set(self.urls))

    def duplicates(self) -> int:
        return len(self.identities) - len(set(self.identities)) + len(self.urls) - len(set(self.urls))


def stored(db_url: str) -> Stored:
    """Read `Stored` from the database. "Whole" means: text, relevance and model version set on the
    ``items`` row, `THEMES` theme rows and one raw response (the followed page)."""
    themes = select(func.count(ItemTheme.item_id)).where(ItemTheme.item_id == Item.id).scalar_subquery()
    raws = select(func.count(RawResponseRow.id)).where(RawResponseRow.item_id == Item.id).scalar_subquery()
    engine = reader(db_url)
    try:
        with session_factory(engine)() as s:
            rows = s.execute(
                select(
                    Item.url,
                    Item.identity_hash,
                    Item.text_chars,
                    Item.relevance,
                    Item.model_version,
                    themes,
                    raws,
                )
            ).all()
            runs = [
                {"id": r.id, "status": r.status, "error_key": r.error_key, "stats": r.stats or {}}
                for r in s.scalars(select(CrawlRun).order_by(CrawlRun.id))
            ]
    finally:
        engine.dispose()
    partial = [
        tuple(r)
        for r in rows
        if not r.text_chars or r.relevance is None or not r.model_version or r[5] != THEMES or r[6] != 1
    ]
    return Stored([r.url for r in rows], [r.identity_hash for r in rows], partial, runs)


def item_count(db_url: str) -> int | None:
    """Committed items, or None while the database does not answer."""
    engine = make_engine(db_url, poolclass=NullPool, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count(Item.id))) or 0)
    except OperationalError:
        return None
    finally:
        engine.dispose()


def wait_for_count(db_url: str, at_least: int, proc: subprocess.Popen[bytes], timeout: float) -> int:
    """Poll until `at_least` items are committed; fails if the crawl ends first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = item_count(db_url)
        if count is not None and count >= at_least:
            return count
        assert proc.poll() is None, f"the crawl ended (exit {proc.returncode}) before {at_least} items"
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} items after {timeout} s")


def retry_figures(stats: dict[str, Any]) -> dict[str, int]:
    """Retries and database errors the crawl counted (pipelines/store.py): by reason and by class."""
    return {
        k.removeprefix("ewsi/store/"): int(v)
        for k, v in stats.items()
        if k.startswith(("ewsi/store/retries/", "ewsi/store/db_errors/"))
    }


def finish(proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> int:
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        tail = log.read_text(errors="replace")[-3000:]
        raise AssertionError(f"crawl child still running after {timeout} s:\n{tail}") from None


def report_line(log: Path) -> str:
    """The runner's closing line ``lab-feed<TAB>status<TAB>key<TAB>new=N`` from its output."""
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("lab-feed\t")]
    assert lines, log.read_text(errors="replace")[-3000:]
    return lines[-1]


@pytest.fixture
def pg_cluster() -> Iterator[PgCluster]:
    """A throwaway PostgreSQL cluster of this test alone (tests/pgcluster.py)."""
    yield from throwaway_cluster()


# --- the retry budgets (crawler/store/session.py) ---------------------------------------------


def _disconnect() -> OperationalError:
    return OperationalError("INSERT INTO items", {}, Exception("connection refused"))


def test_disconnects_are_retried_for_the_time_budget_then_fail_as_db_error() -> None:
    sleeps: list[float] = []
    seen: list[str] = []

    def down() -> None:
        raise _disconnect()

    with pytest.raises(DatabaseUnavailable, match=r"unreachable for 3\.0 s .*retry budget 3 s"):
        run_with_retry(
            down,
            disconnect_s=3.0,
            sleep=sleeps.append,
            clock=lambda: 0.0,
            on_retry=lambda r, e: seen.append(r),
        )
    assert sum(sleeps) == pytest.approx(3.0) and max(sleeps) <= DISCONNECT_MAX_DELAY
    assert len(sleeps) > 5  # more tries than the contention budget, none more than 1 s apart
    assert set(seen) == {"disconnect"} and len(seen) == len(sleeps)


def test_a_disconnect_budget_outlasts_a_crash_and_recovery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Five tries at 0.5 s doubling (4-8 s) were shorter than T33 (b); 30 s is not."""
    monkeypatch.delenv(DB_RETRY_SECONDS_ENV, raising=False)
    sleeps: list[float] = []
    calls = iter(range(1000))

    def back_after_six_seconds() -> str:
        next(calls)
        if sum(sleeps) < 6.0:
            raise _disconnect()
        return "stored"

    assert run_with_retry(back_after_six_seconds, sleep=sleeps.append, clock=lambda: 0.0) == "stored"
    assert DEFAULT_DB_RETRY_SECONDS == 30.0 and 6.0 <= sum(sleeps) < 6.0 + DISCONNECT_MAX_DELAY


# --- T32 ---------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_t32_kill_9_inside_an_item_transaction_leaves_no_partial_item(
    db_engine: Any, db_url: str, tmp_path: Path
) -> None:
    """T32: SIGKILL after the 80th new item's ``items`` row, before its theme and raw rows."""
    kill_at = 80
    log = tmp_path / "crawl.log"
    with LabServer(LAB_HOST, {}) as lab:
        served = serve_feed(lab)
        config = lab_config(tmp_path, lab)
        proc = start_crawl(config, child_env(db_url, **{FAULT_KILL_ENV: str(kill_at)}), log)
        code = finish(proc, log)
        output = log.read_text(errors="replace")
        assert code == -signal.SIGKILL, output[-3000:]
        assert f"{FAULT_KILL_ENV}={kill_at}: killing this process inside the item's transaction" in output
        after_kill = stored(db_url)

        rerun_log = tmp_path / "rerun.log"
        code = finish(start_crawl(config, child_env(db_url), rerun_log), rerun_log)
        assert code == 0, rerun_log.read_text(errors="replace")[-3000:]
        rerun_report = report_line(rerun_log)
    final = stored(db_url)

    # the killed transaction left nothing: the 79 items committed before it, each whole
    assert after_kill.partial == []
    assert len(after_kill.urls) == kill_at - 1
    assert [r["status"] for r in after_kill.runs] == ["running"]  # closed later by lease expiry (T31)
    # the re-run stored the rest, every item whole and once
    assert rerun_report == f"lab-feed\tok\t-\tnew={TOTAL - kill_at + 1}"
    assert final.partial == []
    lost, duplicates = final.lost(served), final.duplicates()
    assert (lost, duplicates, len(final.urls)) == (0, 0, TOTAL)
    print(
        f"\nT32 {db_url.split(':')[0]}: killed inside item {kill_at}'s transaction; after the kill "
        f"{len(after_kill.urls)} items, partial {len(after_kill.partial)}; re-run new="
        f"{TOTAL - kill_at + 1}; lost={lost} duplicates={duplicates}"
    )
    record_fault(
        "T32",
        db_url,
        killed_in_item=kill_at,
        items_after_kill=len(after_kill.urls),
        partial_items_after_kill=len(after_kill.partial),
        new_in_rerun=TOTAL - kill_at + 1,
        items_lost=lost,
        duplicates=duplicates,
    )


# --- T33 ---------------------------------------------------------------------------------------


@dataclass
class Outage:
    """What one T33 scenario measured (seconds from time.monotonic)."""

    items_before: int
    down_s: float
    recover_s: float
    code: int
    report: str
    run: dict[str, Any]
    retries: dict[str, int]


def crawl_through_outage(
    url: str,
    tmp_path: Path,
    lab: LabServer,
    fault: Callable[[], float],
    *,
    retry_seconds: float | None = None,
    name: str = "crawl",
) -> Outage:
    """Crawl the lab feed into `url`; once 50 items are committed call `fault()` (returns the
    time.monotonic() at which the server accepts connections again); then time the first commit
    after that and wait for the crawl to end."""
    config = lab_config(tmp_path, lab)
    extra = {DB_RETRY_SECONDS_ENV: str(retry_seconds)} if retry_seconds is not None else {}
    log = tmp_path / f"{name}.log"
    proc = start_crawl(config, child_env(url, **extra), log)
    try:
        before = wait_for_count(url, 50, proc, timeout=120)
        started = time.monotonic()
        ready = fault()
        at_ready = item_count(url)
        assert at_ready is not None
        committed = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            count = item_count(url)
            if count is not None and count > at_ready:
                committed = time.monotonic()
                break
            time.sleep(0.02)
        code = finish(proc, log)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    output = log.read_text(errors="replace")
    assert committed is not None, f"no commit after the server came back:\n{output[-3000:]}"
    runs = stored(url).runs
    assert len(runs) == 1
    return Outage(
        items_before=before,
        down_s=ready - started,
        recover_s=committed - ready,
        code=code,
        report=report_line(log),
        run=runs[0],
        retries=retry_figures(runs[0]["stats"]),
    )


def fresh_database(pg_cluster: PgCluster) -> str:
    url = pg_cluster.create_database("ewsi")
    engine = make_engine(url)
    upgrade(engine=engine)
    engine.dispose()
    return url


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(300)
@pytest.mark.parametrize("mode", ["restart_fast", "crash_5s"])
def test_t33_postgres_restarted_mid_run_loses_and_doubles_nothing(
    mode: str, pg_cluster: PgCluster, tmp_path: Path
) -> None:
    """T33 (a) ``pg_ctl restart -m fast`` and (b) ``pg_ctl stop -m immediate``, start 5 s later,
    after item 50 of 200: the run replays the interrupted write and finishes ok, nothing lost or doubled."""
    url = fresh_database(pg_cluster)

    def fault() -> float:
        if mode == "restart_fast":
            pg_cluster.restart("fast")
            return time.monotonic()
        return pg_cluster.crash_then_start(5.0)

    with LabServer(LAB_HOST, {}) as lab:
        served = serve_feed(lab)
        outage = crawl_through_outage(url, tmp_path, lab, fault)
    final = stored(url)
    lost, duplicates = final.lost(served), final.duplicates()
    errors = sum(v for k, v in outage.retries.items() if k.startswith("db_errors/"))
    print(
        f"\nT33 {mode}: outage after {outage.items_before} items, server down {outage.down_s:.2f} s; "
        f"database errors {errors} {outage.retries}; first commit "
        f"{outage.recover_s:.2f} s after the server accepted connections; run {outage.run['status']}; "
        f"lost={lost} duplicates={duplicates}"
    )
    assert (outage.code, outage.run["status"], outage.run["error_key"]) == (0, "ok", None), outage.report
    assert outage.report == f"lab-feed\tok\t-\tnew={TOTAL}"
    assert (lost, duplicates, len(final.urls)) == (0, 0, TOTAL)
    assert final.partial == []
    if mode == "crash_5s":  # 5 s without a server while items keep coming: the write must have failed
        assert outage.retries.get("db_errors/OperationalError", 0) >= 1
        assert outage.retries.get("retries/disconnect", 0) >= 1
    assert outage.recover_s < 5.0  # RELIABILITY.md §5 "DB recovery" target
    record_fault(
        f"T33 {mode}",
        url,
        items_before_outage=outage.items_before,
        server_down_s=round(outage.down_s, 2),
        recover_s=round(outage.recover_s, 2),
        db_errors=errors,
        retries=outage.retries,
        run_status=outage.run["status"],
        items_lost=lost,
        duplicates=duplicates,
    )


@pytest.mark.heavy
@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(300)
def test_t33_outage_longer_than_the_retry_budget_fails_the_run_and_the_next_run_repairs(
    pg_cluster: PgCluster, tmp_path: Path
) -> None:
    """T33, the other branch: a 5-s crash against a 2-s retry budget. The run ends failed with
    ``store.db_error``, saves no conditional-GET validators, and the next run stores what it lost."""
    url = fresh_database(pg_cluster)
    with LabServer(LAB_HOST, {}) as lab:
        served = serve_feed(lab)
        outage = crawl_through_outage(
            url, tmp_path, lab, lambda: pg_cluster.crash_then_start(5.0), retry_seconds=2.0
        )
        missing = stored(url).lost(served)
        engine = reader(url)
        with session_factory(engine)() as s:
            validators_after_failure = s.scalar(select(func.count()).select_from(HttpCacheEntry))
        engine.dispose()
        rerun_log = tmp_path / "rerun.log"
        code = finish(start_crawl(lab_config(tmp_path, lab), child_env(url), rerun_log), rerun_log)
        rerun_report = report_line(rerun_log)
    final = stored(url)
    lost, duplicates = final.lost(served), final.duplicates()
    print(
        f"\nT33 budget 2 s < outage: server down {outage.down_s:.2f} s; {missing} items not stored by "
        f"the failed run ({outage.retries}); re-run: {rerun_report!r}; lost={lost} duplicates={duplicates}"
    )
    assert (outage.code, outage.run["status"], outage.run["error_key"]) == (1, "failed", "store.db_error")
    assert outage.run["stats"].get("ewsi/errors/store.db_error") == missing > 0
    assert validators_after_failure == 0  # a failed run must not make the next one skip the feed
    assert code == 0 and rerun_report == f"lab-feed\tok\t-\tnew={missing}"
    assert (lost, duplicates, len(final.urls)) == (0, 0, TOTAL)
    assert final.partial == []
    record_fault(
        "T33 budget_exceeded",
        url,
        server_down_s=round(outage.down_s, 2),
        retry_budget_s=2.0,
        items_missing_after_failed_run=missing,
        new_in_next_run=missing,
        retries=outage.retries,
        items_lost=lost,
        duplicates=duplicates,
    )


# --- T34 ---------------------------------------------------------------------------------------


def run_rows(url: str) -> list[Any]:
    """Every crawl run (source, slot, status, key, start, end), oldest first; [] while the database is
    down."""
    engine = make_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    select(
                        CrawlRun.source_id,
                        CrawlRun.slot_start,
                        CrawlRun.status,
                        CrawlRun.error_key,
                        CrawlRun.started_at,
                        CrawlRun.finished_at,
                    ).order_by(CrawlRun.id)
                ).all()
            )
    except OperationalError:
        return []
    finally:
        engine.dispose()


def poll(predicate: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    """Call `predicate` until it returns something truthy (returned) or `timeout` seconds pass (None)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return None


def sleep_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))


STOP_MARGIN_S = 5.0  # time left before the next slot for a fast stop of the cluster


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(300)
def test_t34_database_down_across_two_slots_fails_fast_and_catches_up_once(
    pg_cluster: PgCluster, tmp_path: Path
) -> None:
    """T34 with 15-s slots (RELIABILITY.md: 60 s across two slots, shortened in proportion): the
    cluster is stopped right after a slot's runs and started 3 s after the second slot that follows."""
    interval = 15.0
    sources = ["src-a", "src-b"]
    url = fresh_database(pg_cluster)
    log = tmp_path / "scheduler.log"
    with LabServer(LAB_HOST, {}) as lab:
        for sid in sources:  # each source its own items
            lab.routes[f"/{sid}.xml"] = Route(
                feed_of(f"{lab.base}/{sid}", 5), headers={"Content-Type": "application/rss+xml"}
            )
        config = write_config(
            tmp_path / "sources.yaml",
            [source_entry(sid, lab.url(f"/{sid}.xml"), languages=["en"]) for sid in sources],
        )
        env = child_env(url, **{TEST_INTERVAL_ENV: str(interval)})
        env.pop(CHILD_CMD_ENV, None)  # the real crawl child
        scheduler = start_scheduler(config, env, log)
        try:
            assert poll(lambda: "leader lock taken" in log.read_text(), 60), log.read_text()[-3000:]

            def first_slot_done() -> datetime | None:
                rows = run_rows(url)
                ok = {
                    sid: {r.slot_start for r in rows if r.source_id == sid and r.status == "ok"}
                    for sid in sources
                }
                common = set.intersection(*ok.values())
                closed = log.read_text(errors="replace").count(" ended: ")  # the scheduler saw them end
                if not common or closed < len(sources) or any(r.status == "running" for r in rows):
                    return None
                # a loaded machine can finish a slot's runs too close to the next slot to stop the
                # cluster before it: then wait for a later slot that leaves the margin
                if datetime.now(UTC) > max(common) + timedelta(seconds=interval - STOP_MARGIN_S):
                    return None
                return max(common)

            last_ok = poll(first_slot_done, 120)
            assert last_ok is not None, log.read_text()[-3000:]
            pg_cluster.stop("fast")
            stopped_at = datetime.now(UTC)
            outage_slots = [last_ok + timedelta(seconds=interval * k) for k in (1, 2)]
            next_slot = last_ok + timedelta(seconds=interval * 3)
            assert stopped_at < outage_slots[0], "the first slot's runs overran the next slot"

            # runs that start now fail fast: a crawl child, and a scheduler's claim of a slot
            started = time.monotonic()
            child = subprocess.run(
                [sys.executable, "-m", "crawler.runner", "src-a", "--config", str(config)],
                cwd=ROOT,
                env=child_env(url),
                capture_output=True,
                text=True,
                timeout=60,
            )
            child_s = time.monotonic() - started
            service = SchedulerService(SchedulerOptions(config=config, database_url=url, interval_s=interval))
            service.load()
            started = time.monotonic()
            claim = service.run_slot("src-b", outage_slots[0])
            claim_s = time.monotonic() - started
            service.shutdown()

            sleep_until(outage_slots[1] + timedelta(seconds=3))
            assert scheduler.poll() is None, log.read_text()[-3000:]
            pg_cluster.start()
            back_at = datetime.now(UTC)
            outage_s = (back_at - stopped_at).total_seconds()

            def next_slot_done() -> list[Any] | None:
                rows = run_rows(url)
                done = [r for r in rows if r.slot_start == next_slot and r.status not in ("running",)]
                return (
                    rows
                    if len(done) == len(sources) and not any(r.status == "running" for r in rows)
                    else None
                )

            rows = poll(next_slot_done, 3 * interval + 30)
            assert rows, log.read_text()[-3000:]
            alive = scheduler.poll() is None
        finally:
            code = stop(scheduler)
    text = log.read_text(errors="replace")
    starts = text.count("scheduler started")
    tracebacks = text.count("Traceback")
    lock_failures = text.count("leader lock: cannot connect") + text.count("cannot lead")

    def of(sid: str, slot: datetime) -> list[tuple[str, str | None]]:
        return [(r.status, r.error_key) for r in rows if r.source_id == sid and r.slot_start == slot]

    after_outage = {
        sid: [r for r in rows if r.source_id == sid and r.status != "skipped" and r.started_at >= back_at]
        for sid in sources
    }
    catch_up = {
        sid: sum(1 for r in runs if r.slot_start in outage_slots) for sid, runs in after_outage.items()
    }
    per_source = {sid: len(r) for sid, r in after_outage.items()}
    lost_slots = {sid: of(sid, outage_slots[0]) + of(sid, outage_slots[1]) for sid in sources}
    print(
        f"\nT34: cluster down {outage_s:.1f} s across slots {[s.isoformat() for s in outage_slots]}; "
        f"crawl child exit {child.returncode} after {child_s:.2f} s; "
        f"slot claim {claim!r} after {claim_s:.2f} s; scheduler alive={alive} starts={starts} "
        f"tracebacks={tracebacks} lock/lead failures={lock_failures}; runs per source after the "
        f"outage {per_source}, catch-up runs {catch_up}; outage slots {lost_slots}"
    )
    # runs started while the database is down fail fast, naming store.db_error
    assert child.returncode == 2 and "database unavailable (store.db_error)" in child.stderr, child.stderr
    assert child_s < 10
    assert claim == "db_error" and claim_s < 10
    # the scheduler stayed up: one process, started once, no exception escaped, stopped cleanly
    assert alive and code == 0 and starts == 1 and tracebacks == 0
    # the two slots of the outage: the first recorded as lost to the database, the last run once late
    overran: dict[str, bool] = {}
    for sid in sources:
        assert of(sid, outage_slots[0]) == [("skipped", "store.db_error")]
        assert of(sid, outage_slots[1]) == [("ok", None)]
        # the next slot runs normally, unless the late run of the last outage slot was still going
        # when it came (a loaded machine): then it is skipped, never run beside that run
        (late,) = [r for r in rows if r.source_id == sid and r.slot_start == outage_slots[1]]
        # the scheduler sees a run end when its child exits, a little after the row's finished_at:
        # a late run that finished within the stop margin before the next slot may still hold it
        close = late.finished_at is None or late.finished_at > next_slot - timedelta(seconds=STOP_MARGIN_S)
        (outcome,) = of(sid, next_slot)
        allowed = [("ok", None), ("skipped", "schedule.still_running")] if close else [("ok", None)]
        assert outcome in allowed, (late.started_at, late.finished_at, next_slot, outcome)
        overran[sid] = outcome != ("ok", None)
    assert catch_up == {sid: 1 for sid in sources}
    assert per_source == {sid: 1 if overran[sid] else 2 for sid in sources}
    record_fault(
        "T34",
        url,
        outage_s=round(outage_s, 1),
        slots_in_outage=len(outage_slots),
        fail_fast_child_s=round(child_s, 2),
        fail_fast_claim_s=round(claim_s, 2),
        scheduler_starts=starts,
        scheduler_tracebacks=tracebacks,
        lock_failures_logged=lock_failures,
        catch_up_runs_per_source=catch_up,
        runs_per_source_after_outage=per_source,
    )
