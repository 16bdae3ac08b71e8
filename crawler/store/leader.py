"""The scheduler's side of the database: the leader lock and the run rows it writes itself.

Exactly one active scheduler (RELIABILITY.md guard rail "Scheduler", T37) rests on two things:

1. `LeaderLock`: PostgreSQL session advisory lock held on a dedicated connection (released by the
   server the moment that connection dies, e.g. on ``kill -9`` of the holder); for SQLite an
   exclusive ``fcntl.flock`` on ``<database file>.leader.lock`` (released by the kernel when the
   holder dies). A standby calls `LeaderLock.acquire` on every poll and takes over when it succeeds.
2. The unique ``(source_id, slot_start)`` of ``crawl_runs`` (`crawler.store.runs.start_run` raises
   `SlotTaken`): even two leaders at once (a lock lost during a network split) run a slot once.

Slots the scheduler does not run are recorded as ``crawl_runs`` rows with status ``skipped`` and
an error key (``schedule.still_running``, ``schedule.missed``, ``schedule.backoff``): they take
the slot's claim too, and never change the source's health. Query functions never commit.

The lock does not log: `LeaderLock.error` says in one line why its last attempt could not reach the
database, and the scheduler decides what to log (crawler.scheduling.service `DatabaseOutage`:
the first failure, then a summary every 5 minutes). `one_line` and `is_database_error` let code
outside the store describe and recognise the store's errors without importing SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import socket
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, create_engine, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from crawler.errors import DatabaseUnavailable
from crawler.store import dialect
from crawler.store.runs import record_failure
from crawler.store.schema import CrawlRun, SourceRow, as_utc, clean_json, utcnow
from crawler.store.session import describe_url, driver_reason
from crawler.text import iso_z

log = logging.getLogger(__name__)

LOCK_NAME = "ewsi-scheduler"


def one_line(exc: BaseException) -> str:
    """One short line saying what went wrong, for logs: the driver's first line for a database error
    (``connection refused``, ``database "x" does not exist``; SQLAlchemy's SQL echo and its
    "Background on this error" link left out, crawler.store.session `driver_reason`), the first
    line of the message otherwise (a `DatabaseUnavailable` is one line already)."""
    if isinstance(exc, SQLAlchemyError):
        return driver_reason(exc)
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def is_database_error(exc: BaseException) -> bool:
    """True when `exc` came from the database (unreachable, unmigrated, refused a statement)."""
    return isinstance(exc, DatabaseUnavailable | SQLAlchemyError)


def advisory_key(name: str = LOCK_NAME) -> int:
    """The signed 64-bit key of PostgreSQL's advisory lock for `name` (first 8 bytes of its SHA-256)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class LeaderLock:
    """Leader lock of the scheduler for the database at `url` (see the module docstring).

    `acquire()` never blocks: True when this object holds the lock (now or already). `held()` checks
    the lock is still ours (PostgreSQL: the dedicated connection answers; a server restart loses it).
    `release()` is idempotent. Not thread-safe: one thread (the scheduler's main loop) uses it.
    `error`: after an `acquire()` that returned False, one line saying why the database could not be
    asked (``cannot connect to postgresql://127.0.0.1:1/nope: connection refused``); None when it
    answered (the lock is someone else's) or for the SQLite lock file.
    An in-memory SQLite database has no second process to exclude: the lock is always granted.
    """

    def __init__(self, url: str, name: str = LOCK_NAME):
        self.url = url
        self.name = name
        self.backend = make_url(url).get_backend_name()
        self._engine: Engine | None = None
        self._conn: Connection | None = None
        self._file: IO[bytes] | None = None
        self._memory = False
        self.error: str | None = None

    @property
    def lock_path(self) -> Path | None:
        """The SQLite lock file (``<database>.leader.lock``), or None for other back ends or :memory:."""
        database = make_url(self.url).database
        if self.backend != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database).with_name(Path(database).name + ".leader.lock")

    def acquire(self) -> bool:
        """Try to take the lock without waiting; True when held. Connection errors give False and
        set `error` (nothing is logged)."""
        self.error = None
        if self.held():
            return True
        if self.backend == "postgresql":
            return self._acquire_pg()
        path = self.lock_path
        if path is None:
            self._memory = True
            return True
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(path, "a+b")  # noqa: SIM115 - kept open while the lock is held
        except OSError as exc:  # the database's directory is unusable: so is the database
            self.error = f"cannot open the lock file {path}: {exc.strerror or exc}"
            return False
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{socket.gethostname()} {os.getpid()}\n".encode())
        handle.flush()
        self._file = handle
        return True

    def _acquire_pg(self) -> bool:
        if self._engine is None:
            connect_args: dict[str, Any] = {}
            if make_url(self.url).get_driver_name() == "psycopg2":
                # keepalives: a vanished server is noticed by the holder within about a minute
                connect_args = {
                    "connect_timeout": 5,
                    "application_name": "ewsi-scheduler-leader",
                    "keepalives": 1,
                    "keepalives_idle": 10,
                    "keepalives_interval": 5,
                    "keepalives_count": 3,
                }
            self._engine = create_engine(
                self.url, poolclass=NullPool, isolation_level="AUTOCOMMIT", connect_args=connect_args
            )
        try:
            conn = self._engine.connect()
        except SQLAlchemyError as exc:
            self.error = f"cannot connect to {describe_url(self.url)}: {one_line(exc)}"
            return False
        try:
            got = conn.execute(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": advisory_key(self.name)}
            ).scalar()
        except SQLAlchemyError as exc:
            self.error = f"cannot take the lock on {describe_url(self.url)}: {one_line(exc)}"
            with contextlib.suppress(SQLAlchemyError):
                conn.close()
            return False
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def held(self) -> bool:
        """True while the lock is ours; for PostgreSQL this asks the server (a dead link drops it)."""
        if self._memory or self._file is not None:
            return True
        if self._conn is None:
            return False
        try:
            # a session-level advisory lock lives as long as its session: a live link means held
            ok = self._conn.execute(text("SELECT 1")).scalar()
        except SQLAlchemyError:
            ok = 0
        if not ok:
            self.release()
            return False
        return True

    def release(self) -> None:
        """Give the lock up (close the connection or the lock file). Safe to call twice."""
        self._memory = False
        if self._file is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            finally:
                self._file.close()
                self._file = None
        if self._conn is not None:
            with contextlib.suppress(SQLAlchemyError):  # the link is gone: so is the lock
                self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


# --- run rows the scheduler writes -----------------------------------------------------------


def record_skipped(
    session: Session, source_id: str, slot_start: datetime, error_key: str, error: str | None = None
) -> int | None:
    """Record that `slot_start` of `source_id` was not run: a ``skipped`` crawl run with `error_key`.

    The row takes the slot's claim (INSERT ... ON CONFLICT DO NOTHING): returns its id, or None
    when the slot already has a row (it ran, or another scheduler recorded it). Source health is
    not touched. The source row must exist (`crawler.store.sources.sync_sources`).
    """
    now = utcnow()
    stmt = (
        dialect.insert(session, CrawlRun.__table__)  # type: ignore[arg-type]
        .values(
            source_id=source_id,
            slot_start=as_utc(slot_start),
            started_at=now,
            finished_at=now,
            heartbeat_at=None,
            pid=os.getpid(),
            host=socket.gethostname()[:255],
            status="skipped",
            error_key=error_key[:64],
            error=error,
            duration_s=0.0,
        )
        .on_conflict_do_nothing(index_elements=["source_id", "slot_start"])
        .returning(CrawlRun.__table__.c.id)
    )
    run_id = session.execute(stmt).scalar_one_or_none()
    return int(run_id) if run_id is not None else None


def set_run_pid(session: Session, run_id: int, pid: int) -> None:
    """Store the crawl child's process id on a claimed run (the claim was written before the spawn)."""
    session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(pid=pid))


def run_status(session: Session, run_id: int) -> str | None:
    """The status of run `run_id` (running, ok, failed, interrupted, skipped), or None if unknown."""
    return session.execute(select(CrawlRun.status).where(CrawlRun.id == run_id)).scalar_one_or_none()


def interrupt_run(
    session: Session,
    run_id: int,
    error_key: str,
    error: str,
    *,
    count_failure: bool = True,
    counts: Mapping[str, Any] | None = None,
) -> bool:
    """Mark run `run_id` ``interrupted`` with `error_key` if it is still ``running``; True if marked.

    The child is gone (killed at its time limit, on shutdown, or it died without closing its run).
    With `count_failure` the source's health records a failure (back-off grows, as for any failed
    run); a stop asked by the operator passes False. `counts`: columns of what the run did
    (crawler.stopcounts `row_counts`), when the stopping process knows them.
    """
    now = utcnow()
    columns = {k: clean_json(v) if isinstance(v, dict) else v for k, v in (counts or {}).items()}
    result = session.execute(
        update(CrawlRun)
        .where(CrawlRun.id == run_id, CrawlRun.status == "running")
        .values(status="interrupted", finished_at=now, error_key=error_key[:64], error=error, **columns)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    run = session.get(CrawlRun, run_id)
    if run is not None:
        session.refresh(run)
        if run.started_at is not None:
            run.duration_s = max(0.0, (now - run.started_at).total_seconds())
        source = session.get(SourceRow, run.source_id)
        if count_failure and source is not None:
            record_failure(source, now, error_key, error)
    return True


def relabel_run(session: Session, run_id: int, error_key: str, error: str) -> None:
    """Replace the error key and message of a finished run (e.g. one closed on SIGTERM at its time limit)."""
    session.execute(
        update(CrawlRun).where(CrawlRun.id == run_id).values(error_key=error_key[:64], error=error)
    )


def sources_of_runs(session: Session, run_ids: list[int]) -> dict[int, str]:
    """Map run id -> source id for `run_ids`."""
    if not run_ids:
        return {}
    rows = session.execute(select(CrawlRun.id, CrawlRun.source_id).where(CrawlRun.id.in_(run_ids))).all()
    return {int(run_id): source_id for run_id, source_id in rows}


def last_slots(session: Session) -> dict[str, datetime]:
    """The latest claimed ``slot_start`` of each source (any status, skipped included)."""
    rows = session.execute(
        select(CrawlRun.source_id, func.max(CrawlRun.slot_start))
        .where(CrawlRun.slot_start.is_not(None))
        .group_by(CrawlRun.source_id)
    ).all()
    return {source_id: as_utc(slot) for source_id, slot in rows if slot is not None}  # type: ignore[misc]


def last_runs(session: Session) -> dict[str, dict[str, Any]]:
    """The latest run that was not skipped, per source: {run_id, started_at, finished_at, status, error_key}.

    Times are ISO 8601 strings with Z (None when unset).
    """
    latest = (
        select(func.max(CrawlRun.id)).where(CrawlRun.status != "skipped").group_by(CrawlRun.source_id)
    ).scalar_subquery()
    rows = session.execute(
        select(
            CrawlRun.id,
            CrawlRun.source_id,
            CrawlRun.started_at,
            CrawlRun.finished_at,
            CrawlRun.status,
            CrawlRun.error_key,
        ).where(CrawlRun.id.in_(latest))
    ).all()
    return {
        source_id: {
            "run_id": int(run_id),
            "started_at": iso_z(started),
            "finished_at": iso_z(finished),
            "status": status,
            "error_key": error_key,
        }
        for run_id, source_id, started, finished, status, error_key in rows
    }


def backoff_until(session: Session, source_id: str) -> datetime | None:
    """The source's ``backoff_until`` (UTC), or None (no back-off, or unknown source)."""
    value = session.execute(select(SourceRow.backoff_until).where(SourceRow.id == source_id)).scalar()
    return as_utc(value)


def health(session: Session) -> dict[str, dict[str, Any]]:
    """Per source: {state, consecutive_failures, backoff_until (ISO Z or None), last_error_key}."""
    rows = session.execute(
        select(
            SourceRow.id,
            SourceRow.state,
            SourceRow.consecutive_failures,
            SourceRow.backoff_until,
            SourceRow.last_error_key,
        )
    ).all()
    return {
        source_id: {
            "state": state,
            "consecutive_failures": failures,
            "backoff_until": iso_z(backoff),
            "last_error_key": error_key,
        }
        for source_id, state, failures, backoff, error_key in rows
    }
