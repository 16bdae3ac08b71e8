"""Crawl runs as Procrastinate jobs: the leader defers one job per (source, slot), workers run them.

Procrastinate (a task queue kept in the product's PostgreSQL, no other service) carries the runs
from the one scheduler leader to any number of ``ewsi worker`` processes on any machine. Rules:

- Job: task ``ewsi.crawl_slot`` with arguments ``source_id``, ``slot`` (ISO 8601 UTC or null for a
  re-run of an abandoned run) and ``rerun``; ``queueing_lock`` = ``lock`` = the source id: at most
  one waiting and one running job per source across every worker (a second defer while one waits
  raises `AlreadyQueued`; the leader records that slot ``schedule.still_running``).
- A worker runs a job as the scheduler does (`SchedulerService.run_slot` without a leader): claim
  the slot in ``crawl_runs`` (unique per source and slot, so a job run twice claims once and
  answers ``taken``), respect back-off, start the existing crawl child, close the run. A child
  killed by a signal is re-run once, as on one machine.
- Recovery: a worker that dies leaves its job ``doing``; every worker, every `STALLED_CHECK_S`,
  hands jobs of workers silent for `STALLED_AFTER_S` back to the queue. The re-run job finds its
  slot claimed (``taken``) unless the claim never happened, so a slot never runs twice; a crawl
  child outliving its worker keeps its heartbeat and finishes its run; one that died with it is
  marked interrupted by the leader's lease sweep and re-run once.
- Connections: a worker opens a psycopg pool with ``prepare_threshold=None`` (no server-side
  prepared statements), so it works through pgbouncer in transaction mode; with ``listen=False``
  it polls every `POLL_S` instead of LISTEN/NOTIFY (which transaction pooling does not carry).
- Schema: Procrastinate's own tables (``procrastinate_*``) are created once by `ensure_schema`
  (under an advisory lock, so several workers starting together do not race).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import procrastinate
from procrastinate import exceptions as pexc
from procrastinate.schema import SchemaManager

from crawler.errors import AlreadyQueued
from crawler.store.session import libpq_url

log = logging.getLogger(__name__)

TASK_NAME = "ewsi.crawl_slot"
QUEUE = "crawls"
POLL_S = 1.0
STALLED_AFTER_S = 30.0
STALLED_CHECK_S = 10.0
WORKER_HEARTBEAT_S = 5.0
SCHEMA_LOCK = 0x65777369_0017


def conninfo(url: str) -> str:
    """The libpq URL of `url`; raises ValueError for a back end other than PostgreSQL."""
    return libpq_url(url)


RunSlot = Callable[[str, datetime | None, bool], str]

_runner: RunSlot | None = None
"""What a job calls in this worker process (set by `run_worker`)."""


def crawl_slot(source_id: str, slot: str | None = None, rerun: bool = False) -> str:
    """The job: run `slot` of `source_id` through this worker's runner; returns the outcome."""
    if _runner is None:
        raise RuntimeError("no runner: jobs run inside `ewsi worker`")
    when = datetime.fromisoformat(slot).astimezone(UTC) if slot else None
    outcome = _runner(source_id, when, rerun)
    log.info("[%s] job for slot %s: %s", source_id, slot, outcome)
    return outcome


def make_app(url: str, *, sync: bool = False, pool_kwargs: dict[str, Any] | None = None) -> procrastinate.App:
    """A Procrastinate app on the database at `url`; `sync` for deferring from threads (the leader)."""
    kwargs = {"prepare_threshold": None, **(pool_kwargs or {})}
    connector: Any
    if sync:
        connector = procrastinate.SyncPsycopgConnector(conninfo=conninfo(url), kwargs=kwargs)
    else:
        connector = procrastinate.PsycopgConnector(conninfo=conninfo(url), kwargs=kwargs)
    app = procrastinate.App(connector=connector)
    app.task(name=TASK_NAME, queue=QUEUE, pass_context=False)(crawl_slot)
    return app


def ensure_schema(url: str) -> bool:
    """Create Procrastinate's tables unless present; True when created now."""
    import psycopg

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            row = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if row and row[0] is not None:
                return False
            conn.execute(SchemaManager.get_schema())
            return True
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


class Dispatcher:
    """The leader's side: defers (source, slot) jobs; thread-safe (APScheduler calls it from its pool)."""

    def __init__(self, url: str):
        ensure_schema(url)
        self.app = make_app(url, sync=True)
        self.app.open()
        self._lock = threading.Lock()

    def defer(self, source_id: str, slot: datetime | None, *, rerun: bool = False) -> int:
        """Queue the run of `slot` of `source_id`; returns the job id. Raises `AlreadyQueued`."""
        task = self.app.tasks[TASK_NAME]
        try:
            with self._lock:
                return task.configure(queueing_lock=source_id, lock=source_id).defer(
                    source_id=source_id, slot=slot.isoformat() if slot else None, rerun=rerun
                )
        except pexc.AlreadyEnqueued:
            raise AlreadyQueued(source_id) from None

    def close(self) -> None:
        self.app.close()


async def _retry_stalled(app: procrastinate.App, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            stalled = await app.job_manager.get_stalled_jobs(
                queue=QUEUE, seconds_since_heartbeat=STALLED_AFTER_S
            )
            for job in stalled:
                log.warning("[%s] job %s of a silent worker: queued again", job.lock, job.id)
                await app.job_manager.retry_job(job)
        except Exception as exc:  # the database may be away; the next turn tries again
            log.warning("stalled-job check failed: %s", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), STALLED_CHECK_S)


async def _work(app: procrastinate.App, concurrency: int, listen: bool, name: str | None) -> None:
    stop = asyncio.Event()
    async with app.open_async():
        checker = asyncio.create_task(_retry_stalled(app, stop))
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                name=name,  # type: ignore[arg-type]
                listen_notify=listen,
                fetch_job_polling_interval=POLL_S,
                update_heartbeat_interval=WORKER_HEARTBEAT_S,
                stalled_worker_timeout=STALLED_AFTER_S,
                delete_jobs="successful",
                install_signal_handlers=True,
                shutdown_graceful_timeout=None,  # type: ignore[arg-type]
            )
        finally:
            stop.set()
            await checker


def run_worker(
    url: str, runner: RunSlot, *, concurrency: int = 2, listen: bool = True, name: str | None = None
) -> None:
    """Run jobs with `runner` until SIGTERM/SIGINT (graceful: running jobs finish)."""
    global _runner
    ensure_schema(url)
    _runner = runner
    app = make_app(url, pool_kwargs=None)
    asyncio.run(_work(app, max(1, concurrency), listen, name))
