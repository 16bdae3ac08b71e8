"""Oversight and administration pages of the desk (crawler.web.admin): sources, roles, audit log (T46).

Runs on SQLite and PostgreSQL (`db_url`); HTTP goes through FastAPI's TestClient over
``https://testserver`` so the ``Secure`` session cookie is sent back (tests/desklab.py).
"""

from __future__ import annotations

import logging

import pytest
from desklab import PASSWORD, SQLITE_ONLY, add_user, client_for, csrf_of, decide_form, editor_client, log_in
from sqlalchemy import func, select, update

from crawler.store import review as store
from crawler.store.schema import (
    AuditEntry,
    Item,
    ReviewDecision,
    SourceRow,
    User,
)
from crawler.web.csrf import CSRF_COOKIE


@SQLITE_ONLY
def test_admin_changes_role_and_source(app, Session, seeded) -> None:
    bob = add_user(Session, "bob")
    admin = editor_client(app, Session, "root", "admin")
    csrf = csrf_of(admin)
    assert (
        admin.post(f"/admin/users/{bob}/role", data={"csrf_token": csrf, "role": "admin"}).status_code == 200
    )
    assert (
        admin.post("/admin/sources/src-a", data={"csrf_token": csrf, "enabled": "false"}).status_code == 200
    )
    with Session() as s:
        assert s.get(User, bob).role == "admin"
        assert s.get(SourceRow, "src-a").enabled is False
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert "role_change" in actions and "source_change" in actions


@SQLITE_ONLY
def test_sources_page_shows_yield(app, Session, seeded) -> None:
    with Session() as s:
        s.execute(update(Item).where(Item.id == seeded[0]).values(status="approved"))
        s.execute(update(Item).where(Item.id == seeded[1]).values(status="rejected"))
        s.commit()
        rows = {r["id"]: r for r in store.source_yield(s)}
    assert rows["src-a"]["yield"] == 0.5 and rows["src-a"]["items_total"] == 2
    assert rows["src-b"]["yield"] is None and rows["src-b"]["items_pending"] == 1
    page = editor_client(app, Session).get("/sources")
    assert page.status_code == 200 and "50%" in page.text and "Ministry A" in page.text


# --- T46 audit ------------------------------------------------------------------------------------


def test_audit_rows_for_each_action_without_secrets(app, Session, seeded, caplog) -> None:
    """ASVS 7.1.1: neither the password (also when typed into the user name field), the session
    cookie nor the CSRF token or cookie reach an audit row or a log line."""
    caplog.set_level(logging.DEBUG)
    log_in(client_for(app), "nobody", "wrong password 123")
    log_in(client_for(app), PASSWORD, PASSWORD)  # the password typed into the user name field
    alice = editor_client(app, Session)
    cookie = alice.cookies.get("__Host-ewsi_session")
    csrf = csrf_of(alice)
    csrf_cookie = alice.cookies.get(CSRF_COOKIE)
    assert cookie and csrf_cookie
    alice.post(f"/items/{seeded[0]}/claim", headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
    alice.post(f"/items/{seeded[0]}/decide", data=decide_form(alice, seeded[0], "edit", editor_title="T"))
    alice.post(f"/items/{seeded[0]}/decide", data=decide_form(alice, seeded[0], "approve"))
    alice.post(f"/items/{seeded[1]}/decide", data=decide_form(alice, seeded[1], "reject", reason="duplicate"))
    alice.post("/logout", data={"csrf_token": csrf})
    with Session() as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        dump = repr([(r.actor, r.action, r.object_type, r.object_id, r.detail, r.address) for r in rows])
    actions = [r.action for r in rows]
    for action in ("user_add", "login_failed", "login", "claim", "edit", "approve", "reject", "logout"):
        assert action in actions
    assert [r.actor for r in rows if r.action == "login_failed"] == ["(unknown user)", "(unknown user)"]
    approve = next(r for r in rows if r.action == "approve")
    assert approve.object_id == str(seeded[0]) and approve.before_hash != approve.after_hash
    # the log is not empty: it names the logins and decisions
    assert "login of alice from 198.51.100.7" in caplog.text
    assert f'decision approve on item {seeded[0]} "T" by alice' in caplog.text
    assert "decision reject" in caplog.text and "(reason: duplicate)" in caplog.text
    for secret in (PASSWORD, cookie, csrf, csrf_cookie):
        assert secret not in dump
        assert secret not in caplog.text


def test_failed_decision_leaves_no_audit_row(Session, seeded) -> None:
    with Session() as s:
        store.claim_item(s, seeded[0], "bob")
        s.commit()
    with Session() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
        with pytest.raises(store.ReviewConflict):
            store.decide(s, seeded[0], "alice", "approve", revision=1, request_token="t1")
        s.rollback()
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before
        assert s.get(Item, seeded[0]).status == "pending"


def test_audit_failure_rolls_the_decision_back(Session, seeded, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("audit insert failed")

    monkeypatch.setattr(store, "audit", broken)
    with Session() as s:
        with pytest.raises(RuntimeError):
            store.decide(s, seeded[0], "alice", "approve", revision=1, request_token="t2")
        s.rollback()
    with Session() as s:
        assert s.get(Item, seeded[0]).status == "pending"
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 0
