"""crawler.store.session: SQLite connection settings, the write lock, the database URL, retries."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from crawler.config import Settings
from crawler.errors import DatabaseUnavailable
from crawler.store.migrate import upgrade
from crawler.store.session import RETRY_COUNTS, make_engine, run_with_retry


def test_sqlite_connection_settings(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a' / 'b.sqlite'}")  # parent directory created
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()


@pytest.mark.parametrize("immediate", [False, True])
def test_sqlite_immediate_takes_the_write_lock_at_begin(tmp_path, immediate):
    path = tmp_path / "lock.sqlite"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}", sqlite_immediate=immediate)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT count(*) FROM items")).scalar()
            write = "INSERT INTO tombstones (identity_hash, created_at) VALUES ('x', '2025-01-01')"
            if immediate:
                with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                    other.execute(write)
            else:
                other.execute(write)  # a deferred reader holds no write lock
    finally:
        other.close()
        engine.dispose()


def test_database_url_default(monkeypatch, tmp_path):
    from crawler.store.session import database_url

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EWSI_DATABASE_URL", raising=False)
    assert database_url() == "sqlite:///var/ewsi.sqlite"
    assert (tmp_path / "var").is_dir()
    monkeypatch.setenv("EWSI_DATABASE_URL", "postgresql+psycopg2://u@h/db")
    assert database_url() == "sqlite:///var/ewsi.sqlite"  # the environment is read at entry points only
    assert database_url(Settings.from_env(os.environ).database_url) == "postgresql+psycopg2://u@h/db"
    assert database_url("sqlite:///other.sqlite") == "sqlite:///other.sqlite"


def _locked() -> OperationalError:
    return OperationalError("UPDATE items", {}, sqlite3.OperationalError("database is locked"))


def test_run_with_retry_retries_busy_then_succeeds():
    calls, sleeps = [], []
    before = RETRY_COUNTS["busy"]

    def work():
        calls.append(1)
        if len(calls) < 3:
            raise _locked()
        return "done"

    assert run_with_retry(work, sleep=sleeps.append) == "done"
    assert len(calls) == 3 and RETRY_COUNTS["busy"] - before == 2
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0  # equal jitter on 0.5 s, 1 s


def test_run_with_retry_gives_up_and_passes_other_errors():
    sleeps: list[float] = []

    def always_locked():
        raise _locked()

    with pytest.raises(DatabaseUnavailable, match="after 3 attempts"):
        run_with_retry(always_locked, attempts=3, sleep=sleeps.append)
    assert len(sleeps) == 2

    def integrity():
        raise IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        run_with_retry(integrity, sleep=sleeps.append)
    assert len(sleeps) == 2
