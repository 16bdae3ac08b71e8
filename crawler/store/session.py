"""Engines, sessions, readiness check and retries for the review-queue database.

URL: the argument, else ``EWSI_DATABASE_URL``, else ``sqlite:///var/ewsi.sqlite`` (relative to the
current directory). PostgreSQL URLs look like ``postgresql+psycopg2://user@host:5432/db``. The scheme
is checked before anything connects (`checked_url`): ``postgres://`` (as hosting platforms give it)
is read as ``postgresql://`` (the psycopg2 driver), any back end other than SQLite and PostgreSQL is
refused with `DatabaseUrlUnsupported` (exit 2).

SQLite gets WAL (readers never block the writer), ``busy_timeout`` 30 s and ``foreign_keys=ON`` on
every connection, and SQLAlchemy's documented pysqlite fix (driver autocommit + our own ``BEGIN``)
so that SAVEPOINTs work: without it, releasing the outermost savepoint commits. PostgreSQL gets
``pool_pre_ping`` so a connection dropped by a server restart is replaced before use (T33), and a
connect timeout so an unreachable server fails fast (T34).

`run_with_retry` replays a whole unit of work: on lock contention up to 5 tries (RELIABILITY.md
guard rail "DB"), and while the server is unreachable for up to ``EWSI_DB_RETRY_SECONDS`` (default
30 s, `DEFAULT_DB_RETRY_SECONDS`), polling at most 1 s apart. Five tries at 0.5 s doubling last
about 4-8 s, less than a crash plus recovery (T33 (b): 5 s down, then WAL replay), so disconnects
get a time budget instead. Readiness checks (`check_ready`) do not retry: a run that
starts while the database is down fails at once (T34).
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crawler.errors import (
    DatabaseDirectoryMissing,
    DatabaseUnavailable,
    DatabaseUnwritable,
    DatabaseUrlUnsupported,
)
from crawler.store import dialect
from crawler.text import counted

log = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///var/ewsi.sqlite"
SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 5  # T34: runs must fail in < 10 s when the server is down

T = TypeVar("T")

RETRY_COUNTS: Counter[str] = Counter()
"""Retries made by `run_with_retry` in this process, by reason: serialization (40001), deadlock
(40P01), disconnect, busy (SQLite "database is locked"). Reported by T30 and T33."""


def database_url(url: str | None = None) -> str:
    """The database URL to use: `url` (the setting ``EWSI_DATABASE_URL``), else ``sqlite:///var/ewsi.sqlite``.

    Rule: only the default location is created (the ``var/`` directory under the current
    directory); a SQLite file the user named whose directory does not exist raises
    `DatabaseDirectoryMissing` (exit 2, naming the directory) instead of creating it, so a typo
    never gives an empty new database.
    """
    chosen = checked_url(url or DEFAULT_URL)
    if chosen == DEFAULT_URL:
        Path("var").mkdir(exist_ok=True)
    else:
        check_sqlite_directory(chosen)
    return chosen


SUPPORTED_BACKENDS = ("sqlite", "postgresql")
"""The back ends the store runs on: the schemes a database URL may start with (``+driver`` allowed)."""

BACKEND_ALIASES = {"postgres": "postgresql"}
"""Schemes read as another: ``postgres://`` is how hosting platforms write PostgreSQL URLs."""


def checked_url(url: str) -> str:
    """`url` with its scheme checked before anything connects: ``postgres://`` (``postgres+DRIVER://``)
    becomes ``postgresql://`` (``postgresql+DRIVER://``); a SQLite or PostgreSQL URL is returned as it
    is; any other scheme, or none, raises `DatabaseUrlUnsupported`."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme:
        raise DatabaseUrlUnsupported(None)
    backend, plus, driver = scheme.partition("+")
    backend = BACKEND_ALIASES.get(backend.lower(), backend.lower())
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseUrlUnsupported(scheme)
    return f"{backend}{plus}{driver}://{rest}"


def check_sqlite_directory(url: str) -> None:
    """Raise `DatabaseDirectoryMissing` when `url` is a SQLite file whose parent directory does not
    exist; any other URL (PostgreSQL, ``:memory:``, a ``file:`` URI, one SQLAlchemy cannot read)
    passes here and is judged where it is opened."""
    try:
        u = make_url(url)
    except ArgumentError:
        return
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return
    if u.database.startswith("file:"):
        return
    parent = Path(u.database).parent
    if not parent.is_dir():
        raise DatabaseDirectoryMissing(str(parent), describe_url(u), is_file=parent.exists())


def libpq_url(url: str) -> str:
    """The libpq form of a PostgreSQL SQLAlchemy URL (driver suffix dropped; password and query kept),
    for clients that are not SQLAlchemy (the job queue). Raises ValueError for another back end."""
    u = make_url(url)
    if u.get_backend_name() != "postgresql":
        raise ValueError(f"the job queue needs PostgreSQL, not {u.get_backend_name()}")
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def describe_url(url: str | URL) -> str:
    """A short, password-free form of a URL for messages: ``postgresql://127.0.0.1:5432/ewsi``."""
    u = make_url(url) if isinstance(url, str) else url
    backend = u.get_backend_name()
    if backend == "sqlite":
        return f"sqlite:///{u.database or ':memory:'}"
    host = u.host or "localhost"
    port = f":{u.port}" if u.port else ""
    return f"{backend}://{host}{port}/{u.database or ''}"


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # driver autocommit: the engine's "begin" hook emits BEGIN itself (pysqlite SAVEPOINT fix)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # WAL + NORMAL: no fsync per commit, still safe against process crashes; a power cut may
        # roll back the last commits, which the next crawl of those sources stores again
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()
    # case-insensitive search in every alphabet (crawler.store.dialect.contains)
    dbapi_connection.create_function(dialect.CASEFOLD_FUNCTION, 1, dialect.casefold, deterministic=True)


def make_engine(url: str | None = None, *, sqlite_immediate: bool = False, **kwargs: Any) -> Engine:
    """Create an Engine for `database_url(url)` with the per-back-end settings of the module docstring.

    `sqlite_immediate`: start SQLite transactions with BEGIN IMMEDIATE, taking the write lock at once
    (waiting up to busy_timeout) instead of failing with "database is locked" when a read-then-write
    transaction finds another writer committed meanwhile; meant for crawl writers, not for readers.
    Extra keyword arguments go to `sqlalchemy.create_engine`. A SQLite file's directory is created
    only for the default location (`database_url`). Connecting is lazy: nothing is opened here.
    """
    u = make_url(database_url(url))
    backend = u.get_backend_name()
    if backend == "sqlite":
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, **kwargs.pop("connect_args", {})}
        engine = create_engine(u, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        begin = "BEGIN IMMEDIATE" if sqlite_immediate else "BEGIN"
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))
        event.listen(engine, "handle_error", _raise_unwritable(u))
        return engine
    connect_args = dict(kwargs.pop("connect_args", {}))
    if backend == "postgresql" and u.get_driver_name() == "psycopg2":
        if "connect_timeout" not in u.query:
            connect_args.setdefault("connect_timeout", PG_CONNECT_TIMEOUT_S)
        connect_args.setdefault("application_name", "ewsi")
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(u, connect_args=connect_args, **kwargs)
    event.listen(engine, "handle_error", _raise_unwritable(u))
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A sessionmaker bound to `engine`; objects stay readable after commit (expire_on_commit=False)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def driver_reason(exc: BaseException) -> str:
    """One short line from a driver error: ``connection refused``, ``database "x" does not exist``."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    line = lines[0] if lines else type(orig).__name__
    if "failed: " in line:
        line = line.split("failed: ", 1)[1]
    line = re.sub(r"^(FATAL|ERROR):\s*", "", line).strip()
    return line[:1].lower() + line[1:]


_DISCONNECT_CODES = {"57P01", "57P02", "57P03"}  # admin/crash shutdown, cannot connect now
_DISCONNECT_TEXT = (
    "server closed the connection",
    "connection refused",
    "could not connect",
    "terminating connection",
    "connection already closed",
    "ssl syscall error",
    "eof detected",
    "connection to server",
    "the database system is",
)


def retry_reason(exc: BaseException) -> str | None:
    """Why `exc` is worth retrying: ``serialization``, ``deadlock``, ``disconnect``, ``busy``; else None."""
    if not isinstance(exc, DBAPIError):
        return None
    if exc.connection_invalidated:
        return "disconnect"
    orig = exc.orig
    code = getattr(orig, "pgcode", None) or getattr(orig, "sqlstate", None)
    if code == "40001":
        return "serialization"
    if code == "40P01":
        return "deadlock"
    if code and (code.startswith("08") or code in _DISCONNECT_CODES):
        return "disconnect"
    message = str(orig).lower()
    if "database is locked" in message or "database table is locked" in message:
        return "busy"
    if code is None and any(text in message for text in _DISCONNECT_TEXT):
        return "disconnect"
    return None


STORAGE_REFUSALS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("25006", "read-only transaction", "readonly database", "read-only file system"),
        "it is read-only (a read-only file, directory or mount, or a PostgreSQL replica)",
        "make it writable for this user or point EWSI_DATABASE_URL at a writable database",
    ),
    (
        ("53100", "database or disk is full", "no space left on device", "disk quota exceeded"),
        "its disk is full",
        "free space on the disk that holds it",
    ),
    (
        ("permission denied", "unable to open database file", "access permission denied"),
        "it cannot be opened for writing (permission denied, or its directory refuses the journal)",
        "give this user write access to the file and its directory",
    ),
)
"""(markers, why, what to do) of the errors meaning "this storage cannot be written": a marker is a
SQLSTATE or a lower-case part of the driver's message (sqlite3 SQLITE_READONLY, SQLITE_FULL,
SQLITE_CANTOPEN, an OS "Permission denied"; PostgreSQL 25006 read_only_sql_transaction, 53100
disk_full). PostgreSQL's 42501 insufficient_privilege ("permission denied for table audit_log") is
an access rule of the database, not storage: it goes on unchanged (`OBJECT_PRIVILEGE`)."""
OBJECT_PRIVILEGE = "42501"
"""SQLSTATE of a privilege the role lacks on a table, sequence or schema (an append-only audit log)."""


def storage_refusal(exc: BaseException) -> tuple[str, str] | None:
    """(why, what to do) when the driver error `exc` means the storage cannot be written; else None.

    Rule: storage that answers but cannot keep a write (read-only file, directory or mount, full
    disk, permission denied, a read-only transaction on a PostgreSQL replica) is not a disconnect
    and not contention: retrying cannot help, so it is classified here and raised as
    `DatabaseUnwritable` (one line naming the database, the cause and the remedy; exit 2, the
    desk's 503) by the engine's ``handle_error`` hook (`make_engine`). "database is locked" stays
    contention (`retry_reason` ``busy``) and connection failures stay disconnects.
    """
    if isinstance(exc, DatabaseUnwritable):
        return exc.why, ""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "pgcode", None) or getattr(orig, "sqlstate", None)
    message = str(orig).lower()
    if code == OBJECT_PRIVILEGE or "permission denied for " in message:
        return None  # a privilege on a database object, not the storage (`OBJECT_PRIVILEGE`)
    for markers, why, remedy in STORAGE_REFUSALS:
        if code in markers or any(marker in message for marker in markers if not marker[:1].isdigit()):
            return why, remedy
    return None


def _no_sqlite_file(url: URL) -> bool:
    """Whether `url` names a SQLite file that cannot be one at all: its path is a directory or its
    directory does not exist. SQLite says "unable to open database file" then too, but that is a
    database that is not there (unavailable, as a refused connection is), not storage that refuses
    a write."""
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return False
    name = url.database
    if name.startswith("file:"):  # a URI filename ("file:/srv/x.sqlite?mode=ro")
        name = name[len("file:") :].split("?", 1)[0]
    path = Path(name)
    return path.is_dir() or not path.parent.is_dir()


def _raise_unwritable(url: URL) -> Callable[[Any], None]:
    """The engine's ``handle_error`` hook: a driver error `storage_refusal` classifies is raised as
    `DatabaseUnwritable` naming the database at `url`; any other error goes on unchanged."""

    def hook(context: Any) -> None:
        found = storage_refusal(context.original_exception)
        cantopen = "unable to open database file" in str(context.original_exception).lower()
        if found is None or (cantopen and _no_sqlite_file(url)):
            return
        why, remedy = found
        raise DatabaseUnwritable(
            f"database {describe_url(url)} cannot be written: {why} "
            f"({driver_reason(context.original_exception)}); {remedy}",
            why,
        ) from context.sqlalchemy_exception or context.original_exception

    return hook


DB_ERRORS: tuple[type[BaseException], ...] = (DatabaseUnavailable, OperationalError)
"""Exceptions meaning "the database cannot be reached now" (the web app answers 503)."""


def is_db_unavailable(exc: BaseException) -> bool:
    """True when `exc` means the database is unreachable or went away (connection refused, shutdown)."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    if isinstance(exc, DBAPIError):
        return isinstance(exc, OperationalError) or retry_reason(exc) == "disconnect"
    return False


DB_RETRY_SECONDS_ENV = "EWSI_DB_RETRY_SECONDS"
DEFAULT_DB_RETRY_SECONDS = 30.0
"""How long a unit of work keeps retrying while the database is unreachable (disconnects), in seconds.

Sized for T33: a fast restart (``pg_ctl restart -m fast``: 0.2 s without a server in the test)
and a crash (``pg_ctl stop -m immediate``, started 5 s later: 5.2-5.3 s) both fit with room to
spare, and so does a failover of a managed server (tens of seconds). Beyond it the item is dropped
as ``store_error`` and the run fails with ``store.db_error``; the next run stores it. Override with
``EWSI_DB_RETRY_SECONDS``."""
DISCONNECT_MAX_DELAY = 1.0
"""Longest sleep between two tries while the database is unreachable, so a returning server is
used within about a second (RELIABILITY.md §5 "DB recovery": < 5 s)."""


_retry_seconds = DEFAULT_DB_RETRY_SECONDS


def configure_retry(seconds: float) -> None:
    """Set this process's disconnect retry budget (the setting ``EWSI_DB_RETRY_SECONDS``; >= 0)."""
    global _retry_seconds
    _retry_seconds = max(0.0, seconds)


def db_retry_seconds() -> float:
    """The disconnect retry budget of this process in seconds (`configure_retry`, else 30 s)."""
    return _retry_seconds


def _jittered(delay: float) -> float:
    return delay / 2 + random.uniform(0, delay / 2)


def run_with_retry(
    fn: Callable[[], T],
    *,
    attempts: int = 5,
    base_delay: float = 0.5,
    max_delay: float = 8.0,
    disconnect_s: float | None = None,
    on_retry: Callable[[str, DBAPIError], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Call `fn()` again while it fails with a retryable database error; return its result.

    `fn` must be a whole unit of work (open a session, write, commit) that is safe to run again.
    Two budgets (RELIABILITY.md guard rail "DB", T30, T33):
    - contention (SQLSTATE 40001 and 40P01, SQLite "database is locked"): up to `attempts` tries
      in all, sleeping base_delay * 2**n seconds between them, capped at `max_delay`;
    - disconnects (server restarted, crashed or unreachable; see `retry_reason`): tries go on for
      `disconnect_s` seconds after the first failure (default `db_retry_seconds()`, 30 s), sleeping
      base_delay * 2**n capped at `DISCONNECT_MAX_DELAY` (1 s) between them.
    The elapsed time is the larger of the wall time and the sum of the sleeps (so an injected
    `sleep` ends the loop too). Every sleep keeps its second half random ("equal jitter", so two
    writers that collided do not collide again). Each retry is counted in `RETRY_COUNTS` and
    passed to `on_retry(reason, error)`. Other errors propagate at once; when a budget runs out it
    raises `DatabaseUnavailable` (key store.db_error) from the last error.
    """
    attempts = max(1, attempts)
    budget = db_retry_seconds() if disconnect_s is None else max(0.0, disconnect_s)
    contention = disconnects = 0
    first_failure: float | None = None
    slept = 0.0
    while True:
        try:
            result = fn()
        except DBAPIError as exc:
            reason = retry_reason(exc)
            if reason is None:
                raise
            now = clock()
            if first_failure is None:
                first_failure = now
            elapsed = max(now - first_failure, slept)
            if reason == "disconnect":
                disconnects += 1
                if elapsed >= budget:
                    raise DatabaseUnavailable(
                        f"database unreachable for {elapsed:.1f} s "
                        f"({counted(contention + disconnects, 'attempt')}, "
                        f"retry budget {budget:g} s): {driver_reason(exc)}"
                    ) from exc
                delay = min(DISCONNECT_MAX_DELAY, base_delay * 2 ** (disconnects - 1), budget - elapsed)
                label = f"{elapsed:.1f}/{budget:g} s"
            else:
                contention += 1
                if contention >= attempts:
                    raise DatabaseUnavailable(
                        f"database error after {counted(attempts, 'attempt')} ({reason}): "
                        f"{driver_reason(exc)}"
                    ) from exc
                delay = min(max_delay, base_delay * 2 ** (contention - 1))
                label = f"{contention}/{attempts - 1}"
            RETRY_COUNTS[reason] += 1
            if on_retry is not None:
                on_retry(reason, exc)
            delay = _jittered(max(0.0, delay))
            log.warning("database %s, retry %s in %.2f s: %s", reason, label, delay, driver_reason(exc))
            sleep(delay)
            slept += delay
            continue
        if first_failure is not None:
            log.warning(
                "database answered again after %.2f s (%d retries)",
                max(clock() - first_failure, slept),
                contention + disconnects,
            )
        return result


def retry_counts() -> dict[str, int]:
    """A copy of `RETRY_COUNTS` (retries by reason since the process started)."""
    return dict(RETRY_COUNTS)


_ENGINES: dict[str, Engine] = {}


def shared_engine(url: str | None = None) -> Engine:
    """One Engine per database URL per process (crawl writers: SQLite BEGIN IMMEDIATE)."""
    key = database_url(url)
    engine = _ENGINES.get(key)
    if engine is None:
        try:
            engine = _ENGINES[key] = make_engine(key, sqlite_immediate=True)
        except (ArgumentError, ImportError, OSError) as exc:  # bad URL, unknown driver, unusable path
            raise DatabaseUnavailable(f"cannot use database URL {redacted_url(key)}: {exc}") from None
    return engine


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session on `shared_engine(url)` that commits on success and rolls back on error.

    The entry points (CLI commands, pipelines, the run recorder) open one per unit of work; the
    query functions they call never commit (DESIGN.md convention 11).
    """
    session = session_factory(shared_engine(url))()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def redacted_url(url: str | None = None) -> str:
    """`describe_url` of the database in use (no password); the raw text if it is not a URL at all."""
    try:
        return describe_url(database_url(url))
    except ArgumentError:
        return "<not a database URL>"
