"""Storage that cannot be written is a classified error (crawler.store.session.storage_refusal):
a read-only file or mount, a full disk, no permission, a PostgreSQL replica give one line naming
the database, the cause and the remedy (exit 2), never a traceback; lock contention and
disconnects keep their own classes (retried)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from crawler.errors import DatabaseUnavailable, DatabaseUnwritable
from crawler.store.migrate import upgrade
from crawler.store.session import make_engine, retry_reason, storage_refusal
from tests.test_crawl_loopback import ewsi


class PgError(Exception):
    """A driver error as psycopg raises it: the message and its SQLSTATE."""

    def __init__(self, message: str, sqlstate: str | None):
        super().__init__(message)
        self.sqlstate = sqlstate


def wrapped(orig: Exception) -> OperationalError:
    return OperationalError("INSERT INTO sources ...", {}, orig)


READ_ONLY = "read-only"
FULL = "disk is full"
NO_ACCESS = "cannot be opened for writing"

REFUSALS: list[tuple[Exception, str | None]] = [
    (sqlite3.OperationalError("attempt to write a readonly database"), READ_ONLY),
    (sqlite3.OperationalError("attempt to write a readonly database (readonly directory)"), READ_ONLY),
    (sqlite3.OperationalError("database or disk is full"), FULL),
    (sqlite3.OperationalError("unable to open database file"), NO_ACCESS),
    (OSError(28, "No space left on device"), FULL),
    (OSError(30, "Read-only file system"), READ_ONLY),
    (PgError("cannot execute INSERT in a read-only transaction", "25006"), READ_ONLY),
    (PgError("cannot execute UPDATE in a read-only transaction", None), READ_ONLY),
    (PgError('could not extend file "base/16384/2619": No space left on device', "53100"), FULL),
    (OSError(13, "Permission denied"), NO_ACCESS),
    (PgError("disk quota exceeded", None), FULL),
    # not refusals: contention and disconnects are retried, other errors go on unchanged
    (sqlite3.OperationalError("database is locked"), None),
    (sqlite3.OperationalError("database table is locked"), None),
    (PgError("could not serialize access due to concurrent update", "40001"), None),
    (PgError("server closed the connection unexpectedly", None), None),
    (sqlite3.OperationalError("no such table: items"), None),
    # a privilege the role lacks on a table is an access rule (an append-only audit log), not storage
    (PgError("permission denied for table audit_log", "42501"), None),
    (PgError("permission denied for relation items", None), None),
]


@pytest.mark.parametrize(("orig", "why"), REFUSALS, ids=[str(o)[:40] for o, _ in REFUSALS])
def test_storage_refusals_are_classified(orig: Exception, why: str | None) -> None:
    found = storage_refusal(wrapped(orig))
    if why is None:
        assert found is None
    else:
        assert found is not None and why in found[0], found


@pytest.mark.parametrize(
    ("message", "reason"),
    [("database is locked", "busy"), ("attempt to write a readonly database", None)],
)
def test_a_refusal_is_not_retried_but_a_lock_is(message: str, reason: str | None) -> None:
    assert retry_reason(wrapped(sqlite3.OperationalError(message))) == reason


@pytest.fixture
def read_only_url(tmp_path: Path) -> str:
    """A migrated SQLite database opened read-only (``mode=ro``: what a read-only file or mount
    gives, also for root, whom file modes do not stop)."""
    path = tmp_path / "ro.sqlite"
    upgrade(f"sqlite:///{path}")
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def test_a_write_on_a_read_only_database_raises_one_line_naming_it(read_only_url: str) -> None:
    engine = make_engine(read_only_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM sources")).scalar() == 0  # reads work
        with pytest.raises(DatabaseUnwritable) as raised, engine.begin() as conn:
            conn.execute(text("INSERT INTO sources (id, name) VALUES ('x', 'x')"))
    finally:
        engine.dispose()
    message = str(raised.value)
    assert isinstance(raised.value, DatabaseUnavailable)  # exit 2 in crawler.cli, 503 on the desk
    assert "\n" not in message
    assert message.startswith("database sqlite:///file:")
    assert "attempt to write a readonly database" in message and "EWSI_DATABASE_URL" in message
    assert raised.value.why.startswith("it is read-only")


def test_the_desk_answers_503_with_the_reason() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from crawler.web import app as web_app

    app = FastAPI()
    web_app._install_error_pages(app)

    @app.get("/api/write")
    def write() -> None:
        raise DatabaseUnwritable("database sqlite:///x cannot be written: ...", "its disk is full")

    answer = TestClient(app).get("/api/write")
    assert answer.status_code == 503
    assert "cannot be written: its disk is full" in answer.json()["message"]


@pytest.mark.slow
def test_crawl_on_a_read_only_database_exits_2_with_one_line(read_only_url: str, tmp_path: Path) -> None:
    config: dict[str, Any] = {
        "sources": [
            {
                "id": "city",
                "name": "City",
                "publisher": "Test",
                "kind": "feed",
                "languages": ["en"],
                "schedule": "0 6 * * *",
                "urls": ["http://127.0.0.2:9/feed.xml"],
            }
        ]
    }
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    config_path = str(tmp_path / "sources.yaml")
    result = ewsi(
        tmp_path / "unused.sqlite", "crawl", "--config", config_path, env={"EWSI_DATABASE_URL": read_only_url}
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "cannot be written: it is read-only" in lines[0]
    assert "ro.sqlite" in lines[0]
