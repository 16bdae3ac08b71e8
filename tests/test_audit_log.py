"""T46: audit rows are append-only at the database, the application's role cannot change them, and
log lines carry user input on one escaped line (ASVS 7.3.1, 7.3.3).

Runs on SQLite and PostgreSQL (`db_url`); the role test needs PostgreSQL.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import sys
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from crawler.cli import main as ewsi
from crawler.store import audit, decisions, queue, users
from crawler.store.migrate import GrantRefused, current_revision, downgrade, grant_app_role, upgrade
from crawler.store.schema import AuditEntry, Item, ItemTheme, ReviewDecision, SourceRow, sha256_hex
from crawler.store.session import make_engine, session_factory
from crawler.web.app import create_app
from crawler.web.logsafe import EscapingFormatter, escape_controls
from crawler.web.passwords import hash_password

PASSWORD = "correct horse battery staple"
INJECTED = "\n2026-01-01 INFO admin logged in"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _audit_row(session) -> int:
    audit.audit(session, "alice", "approve", object_type="item", object_id=1, before={"a": 1}, after={"a": 2})
    session.commit()
    return session.scalar(select(func.max(AuditEntry.id)))


def _seed_item(session, title: str = "Item 1", n: int = 1) -> int:
    if session.get(SourceRow, "src-a") is None:
        session.add(SourceRow(id="src-a", name="Source A"))
        session.flush()
    item = Item(
        identity=f"https://example.org/{n}",
        identity_hash=sha256_hex(f"https://example.org/{n}"),
        source_id="src-a",
        url=f"https://example.org/{n}",
        title=title,
        text="Text.",
        language="en",
        content_type="news",
        country="DE",
        relevance=0.5,
        published_at=NOW - timedelta(days=1),
        first_seen_at=NOW - timedelta(days=1),
        status="pending",
    )
    session.add(item)
    session.flush()
    session.add(ItemTheme(item_id=item.id, theme="Social Cohesion", score=0.8, assigned=True, evidence=[]))
    session.commit()
    return item.id


# --- (a) triggers ---------------------------------------------------------------------------------------


def test_audit_rows_refuse_update_and_delete(db_engine) -> None:
    with session_factory(db_engine)() as s:
        row_id = _audit_row(s)
    for statement in (
        "UPDATE audit_log SET actor = 'mallory' WHERE id = :id",
        "UPDATE audit_log SET detail = NULL",
        "DELETE FROM audit_log WHERE id = :id",
        "DELETE FROM audit_log",
    ):
        with db_engine.connect() as conn, pytest.raises(DBAPIError, match="audit_log is append-only"):
            conn.execute(text(statement), {"id": row_id})
    if db_engine.dialect.name == "postgresql":
        with db_engine.connect() as conn, pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"):
            conn.execute(text("TRUNCATE audit_log"))
    with session_factory(db_engine)() as s:
        rows = s.scalars(select(AuditEntry)).all()
        assert [(r.id, r.actor, r.action) for r in rows] == [(row_id, "alice", "approve")]
        second = _audit_row(s)  # appending still works
        assert second > row_id


def test_append_only_and_secret_migrations_go_down_and_up(db_url) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine=engine)
        assert current_revision(engine) == "0015_submissions"
        columns = {c["name"] for c in inspect(engine).get_columns("web_sessions")}
        assert "csrf_secret" not in columns and "app_secrets" in inspect(engine).get_table_names()
        with session_factory(engine)() as s:
            row_id = _audit_row(s)
        downgrade(engine=engine, revision="0004_portal_indexes")
        assert current_revision(engine) == "0004_portal_indexes"
        inspector = inspect(engine)
        assert "csrf_secret" in {c["name"] for c in inspector.get_columns("web_sessions")}
        assert "app_secrets" not in inspector.get_table_names()
        with engine.begin() as conn:  # no trigger any more
            conn.execute(text("UPDATE audit_log SET actor = 'changed' WHERE id = :id"), {"id": row_id})
        upgrade(engine=engine)
        assert current_revision(engine) == "0015_submissions"
        with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("DELETE FROM audit_log"))
    finally:
        engine.dispose()


# --- (b) the application's role (PostgreSQL) ---------------------------------------------------------


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_grant_app_role_is_refused_on_sqlite(db_url, db_engine, monkeypatch, capsys) -> None:
    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    assert ewsi(["db", "grant-app-role", "ewsi_app"]) == 2
    err = capsys.readouterr().err
    assert "sqlite has no database roles: grant-app-role is for PostgreSQL only" in err
    assert ewsi(["db", "grant-app-role"]) == 2
    assert "name the role" in capsys.readouterr().err


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_app_role_writes_the_desk_but_cannot_change_audit_rows(
    db_url, db_engine, monkeypatch, capsys
) -> None:
    url = make_url(db_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    role = f"ewsi_app_{secrets.token_hex(5)}"
    role_engine = None
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        with pytest.raises(GrantRefused, match="does not exist"):
            grant_app_role(role + "_x", engine=db_engine)
        with pytest.raises(GrantRefused, match="superuser"):
            grant_app_role(url.username or "postgres", engine=db_engine)
        with pytest.raises(GrantRefused, match="predefined by PostgreSQL"):
            grant_app_role("pg_read_all_data", engine=db_engine)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{role}_group" NOLOGIN'))
        try:
            with pytest.raises(GrantRefused, match="cannot log in"):
                grant_app_role(role + "_group", engine=db_engine)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP ROLE "{role}_group"'))
        with session_factory(db_engine)() as s:
            item_id = _seed_item(s)
            users.create_user(s, "alice", "editor", hash_password(PASSWORD))
            s.commit()
        monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
        monkeypatch.delenv("EWSI_SECRET_KEY", raising=False)
        assert ewsi(["db", "grant-app-role", role]) == 0
        printed = capsys.readouterr().out
        assert f'REVOKE UPDATE, DELETE ON "public".audit_log FROM "{role}"' in printed.splitlines()

        role_url = url.set(username=role, password=None).render_as_string(hide_password=False)
        role_engine = make_engine(role_url)
        # the desk, served as that role: log in, claim, approve (sessions, app secret, decision, audit)
        app = create_app(role_url, testing=True)
        client = TestClient(app, base_url="https://testserver")
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = client.post(
            "/login",
            data={"username": "alice", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        page = client.get(f"/items/{item_id}")
        form = {
            "csrf_token": re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1),
            "revision": "1",
            "request_token": "r" * 32,
            "action": "approve",
        }
        assert client.post(f"/items/{item_id}/decide", data=form, follow_redirects=False).status_code == 303
        app.state.engine.dispose()
        with session_factory(role_engine)() as s:  # store functions as that role
            other = _seed_item(s, title="Item 2", n=2)
            queue.claim_item(s, other, "bob")
            decisions.decide(s, other, "bob", "defer", revision=1, request_token="s" * 32)
            s.commit()
            assert s.get(Item, item_id).status == "approved" and s.get(Item, other).status == "deferred"
            assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 2
            actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions == ["user_add", "login", "approve", "claim", "defer"]
        for statement in (
            "UPDATE audit_log SET actor = 'mallory'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
            "UPDATE alembic_version SET version_num = 'x'",
        ):
            with role_engine.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
                conn.execute(text(statement))
        with session_factory(db_engine)() as s:
            assert "mallory" not in set(s.scalars(select(AuditEntry.actor)))
    finally:
        if role_engine is not None:
            role_engine.dispose()
        with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
        with admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


# --- (c) log injection ---------------------------------------------------------------------------------


def test_escape_controls() -> None:
    assert (
        escape_controls("a\nb\rc\td\x1b[2Je\x9bf\u2028g\x00") == "a\\nb\\rc\\td\\x1b[2Je\\x9bf\\u2028g\\x00"
    )
    assert (
        escape_controls("Integrationskurse für Geflüchtete — 融合")
        == "Integrationskurse für Geflüchtete — 融合"
    )
    # right-to-left text stays; the bidi controls that could reorder the line do not
    assert escape_controls("اندماج שילוב") == "اندماج שילוב"


BIDI = {
    "\u200e": "\\u200e",
    "\u200f": "\\u200f",
    "\u061c": "\\u061c",
    "\u202a": "\\u202a",
    "\u202b": "\\u202b",
    "\u202c": "\\u202c",
    "\u202d": "\\u202d",
    "\u202e": "\\u202e",
    "\u2066": "\\u2066",
    "\u2067": "\\u2067",
    "\u2068": "\\u2068",
    "\u2069": "\\u2069",
}


@pytest.mark.parametrize("char", sorted(BIDI))
def test_escape_controls_escapes_bidi_controls(char: str) -> None:
    """A harvested title "Invoice \u202eexe.pdf" would show as "Invoice fdp.exe" in a terminal."""
    assert escape_controls(f"Invoice {char}exe.pdf") == f"Invoice {BIDI[char]}exe.pdf"


def test_hostile_title_and_reason_are_logged_on_one_line(db_url, db_engine, monkeypatch) -> None:
    """ASVS 7.3.1: a harvested title with a forged log line, CR, an 8-bit CSI and a right-to-left
    override gives one log line with the controls escaped; a rejection reason with an ANSI escape is
    not a listed reason, so it is refused (400) and neither stored nor logged."""
    title = f"Evil{INJECTED}\rOK\x9b2J \u202egnp.exe"
    with session_factory(db_engine)() as s:
        item_id = _seed_item(s, title=title)
        users.create_user(s, "alice", "editor", hash_password(PASSWORD))
        s.commit()
    plain = io.StringIO()  # a plain formatter: the desk's logger filter alone must suffice
    handler = logging.StreamHandler(plain)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    desk = logging.getLogger("crawler.web")
    desk.addHandler(handler)
    old_level = desk.level
    desk.setLevel(logging.INFO)
    try:
        app = create_app(db_url, testing=True)
        client = TestClient(app, base_url="https://testserver")
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
        page = client.get(f"/items/{item_id}")
        form = {
            "csrf_token": re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1),
            "revision": "1",
            "request_token": "q" * 32,
            "action": "reject",
            "reason": "other\x1b[31m\n2026-01-01 INFO reason forged",
        }
        refused = client.post(f"/items/{item_id}/decide", data=form, follow_redirects=False)
        assert refused.status_code == 400 and "unknown rejection reason" in refused.text
        form["reason"] = "other"
        assert client.post(f"/items/{item_id}/decide", data=form, follow_redirects=False).status_code == 303
    finally:
        desk.removeHandler(handler)
        desk.setLevel(old_level)
    lines = plain.getvalue().splitlines()
    decision = [line for line in lines if "decision reject" in line]
    assert len(decision) == 1, lines
    line = decision[0]
    assert "\\n2026-01-01 INFO admin logged in\\rOK\\x9b2J \\u202egnp.exe" in line
    assert line.endswith("by alice (reason: other)")
    assert not any(line.startswith("2026-01-01") for line in lines)
    logged = plain.getvalue()
    assert "\x1b" not in logged and "\r" not in logged and "\x9b" not in logged and "\u202e" not in logged
    assert "reason forged" not in logged
    with session_factory(db_engine)() as s:
        reasons = list(s.scalars(select(ReviewDecision.reason)))
        details = [row.detail for row in s.scalars(select(AuditEntry).where(AuditEntry.action == "reject"))]
    assert reasons == ["other"] and details == [{"reason": "other", "fields": []}]


def test_serve_formatter_escapes_any_logger_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(EscapingFormatter("%(levelname)s %(message)s"))
    other = logging.getLogger("some.library")
    other.addHandler(handler)
    other.propagate = False
    try:
        other.warning("title %s", f"x{INJECTED}")
        try:
            raise ValueError(f"bad value{INJECTED}")
        except ValueError:
            other.exception("failed on %r", "y")
    finally:
        other.removeHandler(handler)
        other.propagate = True
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0] == "WARNING title x\\n2026-01-01 INFO admin logged in"
    assert lines[1].startswith("ERROR failed on 'y'\\nTraceback (most recent call last):\\n")
    assert "ValueError: bad value\\n2026-01-01 INFO admin logged in" in lines[1]


def test_serve_logging_config_uses_the_escaping_formatters(monkeypatch) -> None:
    import logging.config

    from crawler.web.logsafe import logging_config

    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    config = logging_config("info")
    names = ("", "uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {n: (lg.handlers[:], lg.level, lg.propagate) for n in names for lg in [logging.getLogger(n)]}
    try:
        logging.config.dictConfig(config)
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/queue?q=a{INJECTED}", "1.1", 200
        )
        logging.getLogger("uvicorn.error").info("started%s", INJECTED)
    finally:
        for name, (handlers, level, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers, logger.propagate = handlers, propagate
            logger.setLevel(level)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert '"GET /queue?q=a\\n2026-01-01 INFO admin logged in HTTP/1.1" 200' in lines[0]
    assert lines[1].endswith("uvicorn.error INFO started\\n2026-01-01 INFO admin logged in")
