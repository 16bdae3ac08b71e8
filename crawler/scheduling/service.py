"""The scheduler process: leader election, one APScheduler job per source, runs, reload and stop.

Guarantees (../shared/RELIABILITY.md groups F and G) and how they are kept:
- one run per (source, slot): the run is claimed in the database before the child is spawned
  (`crawler.store.runs.start_run(slot_start=...)`, unique per source and slot); `SlotTaken` means it ran;
- one active scheduler: `crawler.store.leader.LeaderLock`; a standby polls every `leader_poll_s`
  (default 5 s) and takes over when the leader's lock is gone;
- APScheduler 3.x job settings, explicit: ``coalesce=True`` (runs piled up by a late wake-up
  become one), ``max_instances=1`` (never two runs of a source; a slot that finds its source still
  running is recorded ``skipped`` with ``schedule.still_running``), ``misfire_grace_time`` = the
  source's interval (shortest gap between its next fire times): a fire up to one interval late still
  runs, a later one is recorded ``schedule.missed`` (the next slot is due by then anyway);
- the job store is a `MemoryJobStore` rebuilt from the YAML at every start (APScheduler's FAQ: a
  job store cannot be shared between processes); what survives a restart is in the database;
- on becoming leader: runs left ``running`` whose heartbeat is older than `LEASE` are marked
  ``interrupted`` (``crawl.crashed``) and their sources re-run once; then every overdue source
  (a slot passed since its last claimed slot) runs once for its latest slot (coalesced catch-up,
  T39), its other missed slots recorded ``schedule.missed`` (at most `MISSED_RECORD_CAP`);
- the database going away (T34): a slot whose claim fails records nothing (the database is down)
  and returns ``db_error`` within the connect timeout; the leader lock goes with the server, so the
  leader stands by and polls until the database answers, then leads again and catches up as above:
  one run per source for its latest slot, the other slots since the database was lost recorded
  ``skipped`` with ``store.db_error`` (not ``schedule.missed``), never counted against the source;
  while it cannot be reached, `DatabaseOutage` keeps the log short and the polls sparse: the first
  failure is one WARNING line with the reason, repeats only a summary every `DB_SUMMARY_EVERY_S`
  (5 min: ``still cannot reach the database: N attempts since HH:MM UTC``), the return one INFO
  line, and the poll backs off from `leader_poll_s`, doubling, to at most `DB_POLL_MAX_S` (30 s)
  or `DB_POLL_MAX_POLLS` polls when that is shorter (so a standby takes over within one such wait,
  under a minute, once the database answers). A database that cannot be reached when
  ``ewsi schedule`` starts is refused there (exit 2, crawler.commands.schedule);
- a failing source's ``backoff_until`` is respected: its slot is recorded ``schedule.backoff``
  (re-runs of crashed runs ignore it: they repair a run, they are not a new attempt);
- a child killed by a signal it was not sent by us (``kill -9``, OOM) is marked ``crawl.crashed``
  and re-run once at once; one past its time limit is ended (TERM, then KILL) and marked
  ``crawl.timeout``, without a re-run;
- SIGHUP or a changed config file (mtime polled every `config_poll_s`) reloads the YAML; an invalid
  file is refused with its errors logged and the running config kept (children get a snapshot of
  the last good file, so they never read a broken one);
- SIGTERM/SIGINT: no new runs; running children get SIGTERM and `stop_grace_s`, then SIGKILL, and
  their runs are marked ``interrupted`` (``crawl.interrupted``, not counted as a source failure);
- the config snapshots live in a temporary ``ewsi-schedule-*`` directory holding the scheduler's
  pid (``owner.pid``), removed on a clean stop; one left by a scheduler killed with SIGKILL is
  removed by the next scheduler that starts on the machine (`remove_stale_snapshot_dirs`);
- ``dispatch="workers"`` (PostgreSQL only): the leader keeps every rule above about slots but
  defers one Procrastinate job per (source, slot) (crawler.scheduling.jobs) instead of starting
  the child; ``ewsi worker`` processes on any machine claim and run them with `run_slot`. A slot
  whose source already has a job waiting is recorded ``schedule.still_running``;
- a host suspended and resumed (a laptop, a paused VM) or a clock set forward: APScheduler 3 sleeps
  until its next fire on the monotonic clock, which stops while the host sleeps
  (agronholm/apscheduler#794), so a slot that came due during the sleep would fire only after the
  whole remaining wait (hours late, or past its grace and recorded missed). Rule: every tick compares
  the wall clock's advance with the monotonic clock's; when the wall clock gained `CLOCK_JUMP_S` or
  more, the leader wakes APScheduler at once, which fires each due slot (coalesced, within its grace).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger

from crawler.errors import ConfigError
from crawler.scheduling.child import Child, ChildResult, child_command
from crawler.scheduling.triggers import build_trigger, fire_times, last_fire, nominal_interval
from crawler.scheduling.upkeep import (
    OWNER_FILE,
    SNAPSHOT_PREFIX,
    DatabaseOutage,
    remove_stale_snapshot_dirs,
)
from crawler.sources import Source, SourcesFile, load_sources
from crawler.store import leader, runs
from crawler.store import sources as store_sources
from crawler.store.migrate import ensure_ready
from crawler.store.session import redacted_url, session_scope
from crawler.text import counted, when

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
"""A ``running`` run whose heartbeat is older than this was abandoned (the runner beats every 30 s)."""
SWEEP_EVERY_S = 60.0
"""How often the leader looks for abandoned runs (a child that died while no scheduler watched)."""
MISSED_RECORD_CAP = 50
"""Missed slots recorded per source at catch-up (the most recent ones; older ones are only counted)."""
CLOCK_JUMP_S = 30.0
"""Wall-clock gain over the monotonic clock between two ticks that counts as a suspend or a clock set
(NTP slews far less; a slow tick advances both clocks alike)."""

SKIP_STILL_RUNNING = "schedule.still_running"
SKIP_MISSED = "schedule.missed"
SKIP_BACKOFF = "schedule.backoff"
RUN_TIMEOUT = "crawl.timeout"
RUN_CRASHED = "crawl.crashed"
RUN_STOPPED = "crawl.interrupted"
SKIP_DB_DOWN = "store.db_error"


@dataclass
class SchedulerOptions:
    """Settings of one scheduler process (command-line options of ``ewsi schedule``)."""

    config: Path
    database_url: str
    replay: str | None = None
    workers: int = 8
    time_limit_s: float = 3600.0
    stop_grace_s: float = 30.0
    leader_poll_s: float = 5.0
    config_poll_s: float = 3.0
    dispatch: str = "local"
    """``local``: the leader starts the crawl children; ``workers``: it defers jobs to ``ewsi worker``."""
    interval_s: float | None = None
    """Test-only epoch-aligned interval replacing every cron (``EWSI_SCHEDULE_INTERVAL_SECONDS``)."""
    child_cmd: str | None = None
    """Test-only command of the crawl child (``EWSI_SCHEDULER_CHILD_CMD``; crawler.scheduling.child)."""


def _now() -> datetime:
    return datetime.now(UTC)


class SchedulerService:
    """One scheduler process; `serve()` runs it until SIGTERM. Other methods are its steps, public for tests.

    `clock` returns the current UTC time (tests pass a frozen one for catch-up and next-run times;
    APScheduler itself always runs on the real clock).
    """

    def __init__(self, options: SchedulerOptions, *, clock: Callable[[], datetime] = _now):
        self.options = options
        self.clock = clock
        self.url = options.database_url
        self.sources: dict[str, Source] = {}
        self.triggers: dict[str, BaseTrigger] = {}
        self.lock = leader.LeaderLock(self.url)
        if options.dispatch not in ("local", "workers"):
            raise ValueError(f"dispatch must be 'local' or 'workers', not {options.dispatch!r}")
        if options.dispatch == "workers" and self.lock.backend != "postgresql":
            raise ValueError("dispatch to workers needs PostgreSQL (SQLite runs children locally)")
        self.dispatcher: Any = None
        """crawler.scheduling.jobs.Dispatcher while leading with ``dispatch="workers"``."""
        self.scheduler: BackgroundScheduler | None = None
        self.is_leader = False
        self._guard = threading.Lock()
        self._active: set[str] = set()
        self._children: dict[int, Child] = {}
        self._stopping = threading.Event()
        self._reload = threading.Event()
        self._wake = threading.Event()
        self._db_trouble = False
        self._db_lost_at: datetime | None = None
        """When this process last found the database gone (lock link dropped, or a claim failed)."""
        self._mtime: float | None = None
        self.outage = DatabaseOutage(options.leader_poll_s)
        self._snapdir = Path(tempfile.mkdtemp(prefix=SNAPSHOT_PREFIX))
        (self._snapdir / OWNER_FILE).write_text(f"{os.getpid()}\n", encoding="ascii")
        self._snapshot: Path | None = None
        self._generation = 0
        self._last_sweep = time.monotonic()
        self._clock_mark: tuple[float, float] | None = None
        """(wall clock timestamp, monotonic) at the last `check_clock_jump`."""
        self.outcomes: deque[tuple[str, datetime | None, str]] = deque(maxlen=1000)
        """Recent (source_id, slot, outcome) of `run_slot`, for logs and tests."""

    # --- config ------------------------------------------------------------------------------

    def load(self) -> dict[str, list[str]]:
        """Read the config file and apply it. Raises `ConfigError` (nothing changes then)."""
        path = self.options.config
        mtime = path.stat().st_mtime if path.exists() else None
        text = path.read_text(encoding="utf-8") if path.exists() else None
        config = load_sources(path, text=text)
        self._mtime = mtime
        return self._apply(config, text or "")

    def reload(self) -> bool:
        """Reload the config; on error log every problem, keep the running config and return False."""
        try:
            changes = self.load()
        except ConfigError as exc:
            self._mtime = self.options.config.stat().st_mtime if self.options.config.exists() else None
            log.error("config reload refused, the running config stays: %s", "; ".join(exc.problems))
            return False
        except OSError as exc:
            log.error("config reload refused, the running config stays: %s", leader.one_line(exc))
            return False
        log.info("config reloaded: %s", ", ".join(f"{k} {v}" for k, v in changes.items() if v) or "no change")
        return True

    def _apply(self, config: SourcesFile, text: str) -> dict[str, list[str]]:
        new = {s.id: s for s in config.sources if s.enabled}
        try:
            triggers = {sid: build_trigger(s, self.options.interval_s) for sid, s in new.items()}
        except ValueError as exc:  # a cron the validator let through but no trigger can read
            raise ConfigError([f"{self.options.config}: schedule: {exc}"]) from None
        self._generation += 1
        snapshot = self._snapdir / f"sources.{self._generation}.yaml"
        snapshot.write_text(text, encoding="utf-8")
        with self._guard:
            old = self.sources
            changes = {
                "added": sorted(set(new) - set(old)),
                "removed": sorted(set(old) - set(new)),
                "changed": sorted(sid for sid in set(new) & set(old) if new[sid] != old[sid]),
            }
            self.sources = new
            self.triggers = triggers
            self._snapshot = snapshot
        try:
            with session_scope(self.url) as session:
                store_sources.sync_sources(session, config.sources)
        except Exception as exc:  # the database may be down; the next leader start syncs again
            log.warning("could not sync sources to the database: %s", leader.one_line(exc))
        if self.scheduler is not None:
            for sid in changes["removed"]:
                if self.scheduler.get_job(sid) is not None:
                    self.scheduler.remove_job(sid)
            for sid in changes["added"] + changes["changed"]:
                self._add_job(sid)
        return changes

    def config_changed(self) -> bool:
        """True when the config file's mtime differs from the one last loaded."""
        return self._config_changed()

    def _config_changed(self) -> bool:
        try:
            mtime = self.options.config.stat().st_mtime
        except OSError:
            return False
        return mtime != self._mtime

    # --- APScheduler -------------------------------------------------------------------------

    def grace_s(self, source_id: str) -> int:
        """``misfire_grace_time`` of a source's job: its interval in whole seconds (at least 1)."""
        interval = nominal_interval(self.triggers[source_id], self.clock())
        return max(1, int(interval.total_seconds()))

    def _add_job(self, source_id: str) -> None:
        assert self.scheduler is not None
        self.scheduler.add_job(
            self.fire,
            self.triggers[source_id],
            args=[source_id],
            id=source_id,
            name=source_id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=self.grace_s(source_id),
            replace_existing=True,
        )

    def _start_scheduler(self) -> None:
        scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(max(1, self.options.workers))},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=UTC,
        )
        scheduler.add_listener(self._on_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        self.scheduler = scheduler
        for sid in sorted(self.sources):
            self._add_job(sid)
        scheduler.start()

    def _on_event(self, event: JobEvent) -> None:
        if event.job_id not in self.sources:
            return  # a one-off run (catch-up, re-run)
        if event.code == EVENT_JOB_ERROR:
            exc = getattr(event, "exception", None)
            log.error("[%s] scheduled run failed: %s", event.job_id, leader.one_line(exc) if exc else None)
            return
        if event.code == EVENT_JOB_MAX_INSTANCES:
            slots = list(getattr(event, "scheduled_run_times", []))
            key, why = SKIP_STILL_RUNNING, "the previous run of this source is still running"
        else:
            slots = [event.scheduled_run_time]
            key, why = SKIP_MISSED, "the scheduler fired later than the misfire grace time"
        for slot in slots:
            self._record_skip(event.job_id, slot, key, why)

    def _record_skip(self, source_id: str, slot: datetime | None, key: str, why: str) -> None:
        if slot is None:
            return
        try:
            with session_scope(self.url) as session:
                leader.record_skipped(session, source_id, slot.astimezone(UTC), key, why)
        except Exception as exc:
            log.warning(
                "[%s] could not record the %s slot %s: %s", source_id, key, slot, leader.one_line(exc)
            )
        self.outcomes.append((source_id, slot, key))

    def _submit(self, source_id: str, slot: datetime | None, *, rerun: bool) -> None:
        """Run `source_id` now in the worker pool (catch-up or re-run), outside its cron job."""
        if self.scheduler is None:
            return
        self.scheduler.add_job(
            self.run_slot,
            "date",
            run_date=self.clock(),
            args=[source_id, slot],
            kwargs={"rerun": rerun},
            id=f"{source_id}@{'rerun' if rerun else 'catchup'}@{time.monotonic_ns()}",
            misfire_grace_time=None,
        )

    # --- leadership ----------------------------------------------------------------------------

    def become_leader(self) -> None:
        """Start the jobs after taking the lock: sync sources, recover abandoned runs, catch up."""
        ensure_ready(self.url)
        with session_scope(self.url) as session:
            store_sources.sync_sources(session, [*self.sources.values()])
        if self.options.dispatch == "workers" and self.dispatcher is None:
            from crawler.scheduling.jobs import Dispatcher

            self.dispatcher = Dispatcher(self.url)
        self.is_leader = True
        self._start_scheduler()
        log.info("leader: %d source job(s) scheduled", len(self.sources))
        rerun = self.recover_abandoned()
        self.catch_up(exclude=rerun)
        self._last_sweep = time.monotonic()

    def step_down(self, *, quiet: bool = False) -> None:
        """Stop scheduling (the lock is lost); runs already started go on and close their rows.

        Logs ``leadership lost: standing by`` unless `quiet` (a start as leader that failed)."""
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        self.is_leader = False
        self.lock.release()
        self._close_dispatcher()
        if not quiet:
            log.warning("leadership lost: standing by")

    def _close_dispatcher(self) -> None:
        if self.dispatcher is not None:
            try:
                self.dispatcher.close()
            except Exception as exc:  # the database may be gone already
                log.debug("closing the job queue: %s", leader.one_line(exc))
            self.dispatcher = None

    def recover_abandoned(self) -> set[str]:
        """Mark runs silent for `LEASE` interrupted, re-run each source once; return the source ids."""
        with session_scope(self.url) as session:
            ids = runs.mark_interrupted(session, LEASE)
            sources = leader.sources_of_runs(session, ids)
        rerun = {sid for sid in sources.values() if sid in self.sources}
        for sid in sorted(rerun):
            log.warning("[%s] run abandoned by a stopped scheduler or child: re-running once", sid)
            self._submit(sid, None, rerun=True)
        return rerun

    def catch_up(self, *, exclude: set[str] | None = None, now: datetime | None = None) -> dict[str, int]:
        """Run each overdue source once for its latest missed slot; returns {source_id: slots missed}.

        Overdue: a slot of its schedule lies after the source's latest claimed slot and at or
        before `now`. A source never run before is not overdue (its first slot comes). The other
        missed slots are recorded ``schedule.missed`` (the latest `MISSED_RECORD_CAP`), or
        ``store.db_error`` for those after this process found the database gone; sources in
        `exclude` (being re-run) get all their missed slots recorded and no extra run.
        """
        now = now or self.clock()
        exclude = exclude or set()
        lost_at = self._db_lost_at
        with session_scope(self.url) as session:
            claimed = leader.last_slots(session)
        missed_counts: dict[str, int] = {}
        for sid, trigger in sorted(self.triggers.items()):
            last = claimed.get(sid)
            if last is None:
                continue
            recent: deque[datetime] = deque(maxlen=MISSED_RECORD_CAP + 1)
            count = 0
            for slot in fire_times(trigger, last, now, limit=1_000_000):
                recent.append(slot)
                count += 1
            if not count:
                continue
            missed_counts[sid] = count
            latest = recent.pop() if sid not in exclude else None
            log.warning("[%s] %s missed since %s: running once now", sid, counted(count, "slot"), when(last))
            for slot in recent:
                if lost_at is not None and slot >= lost_at:
                    why = f"the database was unavailable (lost at {when(lost_at)})"
                    self._record_skip(sid, slot, SKIP_DB_DOWN, why)
                else:
                    self._record_skip(sid, slot, SKIP_MISSED, "no scheduler was running at that time")
            if latest is not None:
                self._submit(sid, latest, rerun=False)
        self._db_trouble = False
        if lost_at is not None and lost_at == self._db_lost_at:
            self._db_lost_at = None
        return missed_counts

    # --- runs ---------------------------------------------------------------------------------

    def slot_of(self, source_id: str, now: datetime) -> datetime | None:
        """The slot a fire at `now` belongs to: the latest fire time of the source at or before `now`."""
        trigger = self.triggers[source_id]
        interval = nominal_interval(trigger, now)
        lookback = interval * 2 + (timedelta(hours=2) if self.options.interval_s is None else timedelta(0))
        return last_fire(trigger, now, lookback)

    def fire(self, source_id: str) -> str:
        """The APScheduler job of a source: claim the current slot and run it (`run_slot`)."""
        if source_id not in self.sources:
            return "removed"
        return self.run_slot(source_id, self.slot_of(source_id, self.clock()))

    def run_slot(self, source_id: str, slot: datetime | None, *, rerun: bool = False) -> str:
        """Claim `slot` of `source_id` and run the child; returns the outcome.

        Outcomes: ok, failed, interrupted (the child closed its run so), crashed (re-run once when
        not itself a re-run), timeout, stopped, taken (another scheduler claimed the slot),
        still_running, backoff, db_error, removed.
        """
        with self._guard:
            if source_id not in self.sources:
                return "removed"
            if source_id in self._active:
                busy = True
            else:
                busy = False
                self._active.add(source_id)
        if busy:
            if not rerun:
                self._record_skip(source_id, slot, SKIP_STILL_RUNNING, "the previous run is still running")
            return "still_running"
        if self.dispatcher is not None:
            try:
                return self._defer(source_id, slot, rerun=rerun)
            finally:
                with self._guard:
                    self._active.discard(source_id)
        try:
            outcome = self._claim_and_run(source_id, slot, rerun=rerun)
            if outcome == "crashed" and not rerun and not self._stopping.is_set():
                log.warning("[%s] the crawl child was killed: re-running once", source_id)
                outcome = self._claim_and_run(source_id, None, rerun=True)
            return outcome
        finally:
            with self._guard:
                self._active.discard(source_id)

    def _defer(self, source_id: str, slot: datetime | None, *, rerun: bool) -> str:
        """Queue the run for a worker; outcomes: queued, still_running, db_error."""
        from crawler.scheduling.jobs import AlreadyQueued

        try:
            job_id = self.dispatcher.defer(source_id, slot, rerun=rerun)
        except AlreadyQueued:
            if not rerun:
                self._record_skip(source_id, slot, SKIP_STILL_RUNNING, "a job of the source is still queued")
            return "still_running"
        except Exception as exc:
            log.error("[%s] could not queue slot %s: %s", source_id, slot, leader.one_line(exc))
            self._db_trouble = True
            if self._db_lost_at is None:
                self._db_lost_at = self.clock()
            self.outcomes.append((source_id, slot, "db_error"))
            return "db_error"
        log.info("[%s] slot %s queued as job %d", source_id, slot, job_id)
        self.outcomes.append((source_id, slot, "queued"))
        return "queued"

    def _claim_and_run(self, source_id: str, slot: datetime | None, *, rerun: bool) -> str:
        now = self.clock()
        try:
            with session_scope(self.url) as session:
                until = leader.backoff_until(session, source_id)
                if not rerun and until is not None and until > now:
                    if slot is not None:
                        why = f"source backing off until {when(until)}"
                        leader.record_skipped(session, source_id, slot, SKIP_BACKOFF, why)
                    self.outcomes.append((source_id, slot, "backoff"))
                    return "backoff"
                run_id = runs.start_run(session, source_id, slot_start=slot, pid=os.getpid())
        except runs.SlotTaken:
            self.outcomes.append((source_id, slot, "taken"))
            return "taken"
        except Exception as exc:
            log.error(
                "[%s] could not claim slot %s (%s): %s", source_id, slot, SKIP_DB_DOWN, leader.one_line(exc)
            )
            self._db_trouble = True
            if self._db_lost_at is None:  # this slot is one of those lost to the outage
                self._db_lost_at = min(now, slot) if slot is not None else now
            self.outcomes.append((source_id, slot, "db_error"))
            return "db_error"
        env = {**os.environ, "EWSI_DATABASE_URL": self.url}
        argv = child_command(
            source_id,
            run_id,
            config=self._snapshot,
            replay=self.options.replay,
            command=self.options.child_cmd,
        )
        try:
            child = Child(argv, env=env, time_limit_s=self.options.time_limit_s)
        except OSError as exc:
            log.error("[%s] cannot start the crawl child: %s", source_id, leader.one_line(exc))
            self._close_run(run_id, ChildResult(returncode=127))
            return "crashed"
        with self._guard:
            self._children[run_id] = child
        if self._stopping.is_set():
            child.stop(self.options.stop_grace_s)
        try:
            with session_scope(self.url) as session:
                leader.set_run_pid(session, run_id, child.pid)
        except Exception as exc:
            log.warning("[%s] could not record the child pid: %s", source_id, leader.one_line(exc))
        log.info("[%s] run %d for slot %s started (pid %d)", source_id, run_id, slot, child.pid)
        try:
            result = child.wait()
        finally:
            with self._guard:
                self._children.pop(run_id, None)
        outcome = self._close_run(run_id, result)
        log.info("[%s] run %d ended: %s (exit %s)", source_id, run_id, outcome, result.returncode)
        self.outcomes.append((source_id, slot, outcome))
        return outcome

    def _close_run(self, run_id: int, result: ChildResult) -> str:
        """Mark the run if the child left it ``running``; return the outcome of `run_slot`."""
        if result.stopped:
            key, why, count, outcome = RUN_STOPPED, "stopped by the scheduler's shutdown", False, "stopped"
        elif result.timed_out:
            why = f"ended at its time limit of {self.options.time_limit_s:.0f} s"
            key, count, outcome = RUN_TIMEOUT, True, "timeout"
        elif result.returncode < 0:
            key, why, count, outcome = (
                RUN_CRASHED,
                f"the crawl process was killed by signal {-result.returncode}",
                True,
                "crashed",
            )
        else:
            key, why, count, outcome = (
                RUN_CRASHED,
                f"the crawl process exited with code {result.returncode} without closing its run",
                True,
                "failed",
            )
        for attempt in range(3):  # the database may be briefly away (T33): retry, then leave it to the lease
            try:
                with session_scope(self.url) as session:
                    if leader.interrupt_run(session, run_id, key, why, count_failure=count):
                        return outcome
                    status = leader.run_status(session, run_id)
                    if result.timed_out and status == "interrupted":
                        leader.relabel_run(session, run_id, RUN_TIMEOUT, why)
                return outcome if outcome in ("stopped", "timeout", "crashed") else (status or "failed")
            except Exception as exc:
                log.warning(
                    "could not close run %d (attempt %d): %s", run_id, attempt + 1, leader.one_line(exc)
                )
                time.sleep(1.0 + attempt)
        return outcome

    # --- the process ---------------------------------------------------------------------------

    def request_stop(self, *_: Any) -> None:
        """Ask `serve` to stop (signal handler of SIGTERM and SIGINT)."""
        self._stopping.set()
        self._wake.set()

    def request_reload(self, *_: Any) -> None:
        """Ask `serve` to reload the config (signal handler of SIGHUP)."""
        self._reload.set()
        self._wake.set()

    def tick(self) -> None:
        """One turn of the main loop: reload if asked or changed, keep or take leadership, sweep.

        Attempts that find the database unreachable go to `outage` (one line first, then summaries)."""
        self.check_clock_jump()
        if self._reload.is_set() or self._config_changed():
            self._reload.clear()
            self.reload()
        if self.is_leader and not self.lock.held():
            if self.lock.backend == "postgresql" and self._db_lost_at is None:
                self._db_lost_at = self.clock()  # the lock's link to the server dropped
            self.step_down()
        if not self.is_leader:
            if not self.lock.acquire():
                if self.lock.error is not None:
                    self.outage.failed("leader lock", self.lock.error)
                else:  # the database answered: another scheduler leads
                    self.outage.recovered()
                return
            try:
                self.become_leader()
            except Exception as exc:
                self.step_down(quiet=True)
                if leader.is_database_error(exc):
                    self.outage.failed("cannot lead", leader.one_line(exc))
                else:
                    log.error("cannot lead: %s", leader.one_line(exc))
                return
            self.outage.recovered()
            log.info("leader lock taken (%s)", redacted_url(self.url))
        if self.is_leader and (self._db_trouble or time.monotonic() - self._last_sweep >= SWEEP_EVERY_S):
            if self.outage.down and time.monotonic() - self._last_sweep < self.outage.delay():
                return
            self._last_sweep = time.monotonic()
            try:
                rerun = self.recover_abandoned()
                if self._db_trouble:
                    self.catch_up(exclude=rerun)
            except Exception as exc:
                if leader.is_database_error(exc):
                    self.outage.failed("sweep failed", leader.one_line(exc))
                else:
                    log.warning("sweep failed: %s", leader.one_line(exc))
                return
            self.outage.recovered()

    def check_clock_jump(self) -> float:
        """Seconds the wall clock gained over the monotonic clock since the last call (module
        docstring); at `CLOCK_JUMP_S` or more, a leading scheduler's APScheduler is woken now."""
        mark = (self.clock().timestamp(), time.monotonic())
        last, self._clock_mark = self._clock_mark, mark
        if last is None:
            return 0.0
        gained = (mark[0] - last[0]) - (mark[1] - last[1])
        if gained >= CLOCK_JUMP_S and self.scheduler is not None:
            log.warning(
                "the clock jumped %.0f s ahead (host resumed from sleep, or the clock was set): "
                "running the slots that came due",
                gained,
            )
            self.scheduler.wakeup()
        return gained

    def next_poll_s(self) -> float:
        """Seconds between two leadership attempts of a standby: `leader_poll_s`, or the outage's
        back-off while the database cannot be reached."""
        return self.outage.delay() if self.outage.down else self.options.leader_poll_s

    def serve(self) -> int:
        """Run until SIGTERM/SIGINT and return 0; signal handlers are installed from the main thread."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self.request_stop)
            signal.signal(signal.SIGINT, self.request_stop)
            signal.signal(signal.SIGHUP, self.request_reload)
        poll = max(0.2, min(self.options.leader_poll_s, self.options.config_poll_s))
        log.info("scheduler started (pid %d), %d source(s)", os.getpid(), len(self.sources))
        for path in remove_stale_snapshot_dirs():
            log.info("removed %s, left by a scheduler that was killed", path)
        last_poll = 0.0
        while not self._stopping.is_set():
            due = time.monotonic() - last_poll >= self.next_poll_s()
            if self.is_leader or self._reload.is_set() or due:
                last_poll = time.monotonic()
                self.tick()
            elif self._config_changed():
                self.tick()
            self._wake.wait(poll)
            self._wake.clear()
        self.shutdown()
        return 0

    def discard(self) -> None:
        """Remove what a service that never served holds (its snapshot directory)."""
        shutil.rmtree(self._snapdir, ignore_errors=True)

    def shutdown(self) -> None:
        """Stop: no new runs; children get SIGTERM, `stop_grace_s`, then SIGKILL; runs marked interrupted."""
        self._stopping.set()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        with self._guard:
            children = list(self._children.values())
        for child in children:
            child.stop(self.options.stop_grace_s)
        deadline = time.monotonic() + self.options.stop_grace_s + 15.0
        while time.monotonic() < deadline:
            with self._guard:
                if not self._active and not self._children:
                    break
            time.sleep(0.1)
        self.is_leader = False
        self.lock.release()
        self._close_dispatcher()
        shutil.rmtree(self._snapdir, ignore_errors=True)
        log.info("scheduler stopped")
