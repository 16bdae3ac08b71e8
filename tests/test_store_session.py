"""crawler.store.session: SQLite connection settings, the write lock, the database URL, retries."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from crawler.config import Settings
from crawler.errors import DatabaseDirectoryMissing, DatabaseUnavailable, DatabaseUrlUnsupported
from crawler.store.migrate import upgrade
from crawler.store.session import RETRY_COUNTS, checked_url, make_engine, run_with_retry


def test_sqlite_connection_settings(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'b.sqlite'}")
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


@pytest.mark.parametrize(
    ("url", "missing"),
    [
        ("sqlite:///{tmp}/nope/x.sqlite", "{tmp}/nope"),
        ("sqlite:///{tmp}/nope/deeper/x.sqlite", "{tmp}/nope/deeper"),
        ("sqlite:///nope/x.sqlite", "nope"),  # relative to the current directory
        ("sqlite:///vra/ewsi.sqlite", "vra"),  # a typo of the default's directory
        ("sqlite:///{tmp}/afile/x.sqlite", "{tmp}/afile"),  # a file, not a directory
        ("sqlite:///{tmp}/x.sqlite", None),
        ("sqlite:///x.sqlite", None),
        ("sqlite:///:memory:", None),
        ("sqlite://", None),
        ("postgresql+psycopg2://u@h/db", None),
    ],
)
def test_only_the_default_database_directory_is_created(monkeypatch, tmp_path, url, missing):
    """Rule: the default var/ is created; a named SQLite file whose directory is missing is refused
    naming the directory, and nothing is created."""
    from crawler.store.session import database_url

    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("")
    url = url.format(tmp=tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    if missing is None:
        assert database_url(url) == url
        return
    with pytest.raises(DatabaseDirectoryMissing) as info:
        make_engine(url)
    assert info.value.directory == missing.format(tmp=tmp_path)
    state = "is a file, not a directory" if "afile" in missing else "does not exist"
    assert str(info.value) == (
        f"database directory {missing.format(tmp=tmp_path)} {state} ({url}); "
        "create it or correct the database URL"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing created


@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "check"], ["queue"], ["users", "list"]])
def test_every_command_refuses_a_missing_database_directory(monkeypatch, tmp_path, capsys, command):
    from crawler import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EWSI_DATABASE_URL", f"sqlite:///{tmp_path}/typo/x.sqlite")
    assert cli.main(command) == 2
    err = capsys.readouterr().err
    assert err == (
        f"ewsi {command[0]}: error: database directory {tmp_path}/typo does not exist "
        f"(sqlite:///{tmp_path}/typo/x.sqlite); create it or correct the database URL\n"
    )
    assert not (tmp_path / "typo").exists()


def test_the_default_database_directory_is_created_by_db_upgrade(monkeypatch, tmp_path, capsys):
    from crawler import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EWSI_DATABASE_URL", raising=False)
    assert cli.main(["db", "upgrade"]) == 0
    assert (tmp_path / "var" / "ewsi.sqlite").is_file()
    assert "sqlite:///var/ewsi.sqlite: schema created" in capsys.readouterr().err


SUPPORTED_TAIL = "; use sqlite:///PATH or postgresql://USER@HOST/DATABASE"


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("sqlite:///var/x.sqlite", "sqlite:///var/x.sqlite"),
        ("sqlite://", "sqlite://"),
        ("sqlite+pysqlite:///x.sqlite", "sqlite+pysqlite:///x.sqlite"),
        ("postgresql://u@h:5432/db", "postgresql://u@h:5432/db"),
        ("postgresql+psycopg2://u:pw@h/db", "postgresql+psycopg2://u:pw@h/db"),
        ("postgres://u:pw@h:5432/db", "postgresql://u:pw@h:5432/db"),  # as hosting platforms write it
        ("postgres+psycopg2://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("POSTGRES://u@h/db", "postgresql://u@h/db"),
    ],
)
def test_a_supported_database_url_is_accepted(url, accepted):
    assert checked_url(url) == accepted


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u:secret@h/db", "database URL scheme mysql:// is not supported"),
        ("mysql+pymysql://u@h/db", "database URL scheme mysql+pymysql:// is not supported"),
        ("mariadb://u@h/db", "database URL scheme mariadb:// is not supported"),
        ("oracle://u@h/db", "database URL scheme oracle:// is not supported"),
        ("mssql+pyodbc://u@h/db", "database URL scheme mssql+pyodbc:// is not supported"),
        ("postgre://u@h/db", "database URL scheme postgre:// is not supported"),
        ("var/ewsi.sqlite", "database URL has no scheme"),
        ("://h/db", "database URL has no scheme"),
    ],
)
def test_another_database_back_end_is_refused_before_connecting(url, message):
    """Rule: only SQLite and PostgreSQL; the refusal names both schemes and never the password."""
    with pytest.raises(DatabaseUrlUnsupported) as info:
        make_engine(url)
    assert str(info.value) == message + SUPPORTED_TAIL
    assert "secret" not in str(info.value)


@pytest.mark.parametrize(
    ("url", "scheme"), [("mysql://u:secret@h/db", "mysql"), ("oracle+cx_oracle://h/db", "oracle+cx_oracle")]
)
@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "check"], ["queue"], ["users", "list"]])
def test_every_command_refuses_an_unsupported_database_url(
    monkeypatch, tmp_path, capsys, command, url, scheme
):
    from crawler import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EWSI_DATABASE_URL", url)
    assert cli.main(command) == 2
    assert capsys.readouterr().err == (
        f"ewsi {command[0]}: error: database URL scheme {scheme}:// is not supported{SUPPORTED_TAIL}\n"
    )


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
