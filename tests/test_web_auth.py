"""Logins, sessions, throttling and roles of the desk (crawler.web.auth, crawler.web.login; T44, T45).

Runs on SQLite and PostgreSQL (`db_url`); HTTP goes through FastAPI's TestClient over
``https://testserver`` so the ``Secure`` session cookie is sent back (tests/desklab.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from desklab import NOW, PASSWORD, SQLITE_ONLY, add_user, client_for, csrf_of, editor_client, log_in
from sqlalchemy import func, select, update

from crawler.store import review as store
from crawler.store.schema import (
    AuditEntry,
    SourceRow,
    User,
    WebSession,
    sha256_hex,
)


@SQLITE_ONLY
def test_login_cookie_rotation_logout_and_replay(app, Session) -> None:
    add_user(Session, "alice")
    client = client_for(app)
    first = log_in(client, "alice")
    cookie = first.headers["set-cookie"]
    assert first.status_code == 303 and first.headers["location"] == "/queue"
    assert cookie.startswith("__Host-ewsi_session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=lax", "Path=/"):
        assert attribute.lower() in cookie.lower()
    assert "domain=" not in cookie.lower()
    token1 = client.cookies.get("__Host-ewsi_session")
    assert log_in(client, "alice").status_code == 303
    token2 = client.cookies.get("__Host-ewsi_session")
    assert token1 != token2  # ASVS 3.2.1: new session id at login
    with Session() as s:
        stored = set(s.scalars(select(WebSession.id)))
        assert sha256_hex(token2) in stored and token2 not in stored  # only the hash is kept
    replay = client_for(app)
    replay.cookies.set("__Host-ewsi_session", token1)
    assert replay.get("/queue", follow_redirects=False).status_code == 401  # old session revoked
    csrf = csrf_of(client)
    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    replay.cookies.set("__Host-ewsi_session", token2)
    assert replay.get("/queue", follow_redirects=False).status_code == 401  # ASVS 3.3.1


@SQLITE_ONLY
def test_idle_timeout_ends_session(app, Session) -> None:
    client = editor_client(app, Session)
    assert client.get("/queue").status_code == 200
    with Session() as s:
        s.execute(update(WebSession).values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31)))
        s.commit()
    assert client.get("/queue", follow_redirects=False).status_code == 401


@SQLITE_ONLY
def test_same_message_for_unknown_user_and_wrong_password(app, Session) -> None:
    add_user(Session, "alice")
    a = log_in(client_for(app), "alice", "wrong password 123")
    b = log_in(client_for(app), "nobody", "wrong password 123")
    assert a.status_code == b.status_code == 401
    message = "Wrong user name or password."
    assert message in a.text and message in b.text


def retry_after(response) -> int:
    """The Retry-After header of a throttled login: whole seconds within the longest window."""
    value = int(response.headers["retry-after"])
    assert 1 <= value <= 3600
    return value


def test_throttle_per_account_and_address(app, Session) -> None:
    """ASVS 2.2.1: the 11th wrong password for one account from one address in 15 minutes is refused
    (429, Retry-After) before the password is checked, while the account's owner, elsewhere, still
    gets in with the right password."""
    add_user(Session, "alice")
    attacker, owner = client_for(app, "203.0.113.9"), client_for(app, "198.51.100.20")
    statuses = [log_in(attacker, "alice", f"wrong password {i:04d}").status_code for i in range(10)]
    assert statuses == [401] * 10
    refused = log_in(attacker, "alice", "wrong password 0010")
    assert refused.status_code == 429 and "Too many failed logins" in refused.text
    assert 14 * 60 <= retry_after(refused) <= 15 * 60  # the oldest failure leaves the 15-min window
    right_but_refused = log_in(attacker, "alice", PASSWORD)  # not even checked
    assert right_but_refused.status_code == 429
    assert "__Host-ewsi_session" not in right_but_refused.headers.get("set-cookie", "")
    ok = log_in(owner, "alice", PASSWORD)
    assert ok.status_code == 303 and ok.headers["location"] == "/queue"
    assert log_in(attacker, "alice", PASSWORD).status_code == 429  # a success elsewhere frees nobody
    with Session() as s:
        actions = dict(s.execute(select(AuditEntry.action, func.count()).group_by(AuditEntry.action)).all())
        throttled = s.scalars(select(AuditEntry).where(AuditEntry.action == "login_throttled")).all()
        counted = store.login_failures(s, "alice", address="203.0.113.9", window=timedelta(minutes=15))
    assert actions["login_failed"] == 10 and actions["login_throttled"] == 3 and actions["login"] == 1
    assert {row.detail["scope"] for row in throttled} == {"account_address"}
    assert counted == 10  # refusals are audited, not counted: they do not extend the lock


def test_throttle_per_address_across_accounts(app, Session) -> None:
    """One address may fail 50 times an hour over all accounts: the 51st attempt is refused, even
    for an account it never tried; another address is not affected."""
    add_user(Session, "alice")
    sprayer = client_for(app, "203.0.113.50")
    names = [f"user{i:02d}" for i in range(49)] + ["alice"]
    assert [log_in(sprayer, name, "wrong password 123").status_code for name in names] == [401] * 50
    refused = log_in(sprayer, "bob", "wrong password 123")
    assert refused.status_code == 429 and "Too many failed logins" in refused.text
    assert 59 * 60 <= retry_after(refused) <= 3600
    assert log_in(sprayer, "alice", PASSWORD).status_code == 429
    assert log_in(client_for(app, "198.51.100.21"), "alice", PASSWORD).status_code == 303
    with Session() as s:
        scopes = {
            row.detail["scope"]
            for row in s.scalars(select(AuditEntry).where(AuditEntry.action == "login_throttled"))
        }
    assert scopes == {"address"}


@pytest.mark.slow
@SQLITE_ONLY
def test_throttle_after_100_failures_across_addresses(app, Session) -> None:
    """The per-account ceiling: 100 failures from 20 addresses (5 each, under both per-address
    limits) and the account is refused from any address, a fresh one included, for the hour."""
    add_user(Session, "alice")
    clients = [client_for(app, f"203.0.113.{i}") for i in range(1, 21)]
    statuses = [log_in(clients[i % 20], "alice", f"wrong password {i:04d}").status_code for i in range(100)]
    assert statuses == [401] * 100
    fresh = client_for(app, "198.51.100.99")
    refused = log_in(fresh, "alice", "wrong password 0100")
    assert refused.status_code == 429 and 59 * 60 <= retry_after(refused) <= 3600
    right = log_in(fresh, "alice", PASSWORD)
    assert right.status_code == 429 and "__Host-ewsi_session" not in right.headers.get("set-cookie", "")
    with Session() as s:
        actions = dict(s.execute(select(AuditEntry.action, func.count()).group_by(AuditEntry.action)).all())
        addresses = set(s.scalars(select(AuditEntry.address).where(AuditEntry.action == "login_failed")))
        scopes = {
            row.detail["scope"]
            for row in s.scalars(select(AuditEntry).where(AuditEntry.action == "login_throttled"))
        }
    assert actions["login_failed"] == 100 and actions["login_throttled"] == 2
    assert addresses == {f"203.0.113.{i}" for i in range(1, 21)} and scopes == {"account"}


def test_login_wait_is_until_the_oldest_counted_failure_leaves(Session) -> None:
    """`store.login_wait` at fixed times: the Retry-After of each scope, and what restarts a count."""
    window = timedelta(minutes=15)
    with Session() as s:
        for i in range(10):  # 10 failures from A, the oldest 14 minutes ago
            store.record_login_attempt(
                s, "alice", "A", False, now=NOW - timedelta(minutes=14) + timedelta(seconds=i)
            )
        store.record_login_attempt(s, "alice", "B", False, now=NOW - timedelta(minutes=20))  # outside
        s.commit()
        assert store.login_wait(s, "alice", address="A", limit=10, window=window, now=NOW) == timedelta(
            minutes=1
        )
        assert store.login_wait(s, "alice", address="A", limit=11, window=window, now=NOW) is None
        # with more failures than the limit, the wait ends when the count falls back under it
        assert store.login_wait(s, "alice", address="A", limit=8, window=window, now=NOW) == timedelta(
            minutes=1, seconds=2
        )
        assert store.login_wait(s, "alice", address="B", limit=1, window=window, now=NOW) is None
        assert store.login_wait(s, None, address="A", limit=10, window=window, now=NOW) == timedelta(
            minutes=1
        )
        assert store.login_failures(s, "alice", window=timedelta(hours=1), now=NOW) == 11
        # a success from B restarts the account's count and B's, not A's, nor A's over all accounts
        store.record_login_attempt(s, "alice", "B", True, now=NOW - timedelta(seconds=30))
        s.commit()
        assert store.login_wait(s, "alice", address="A", limit=10, window=window, now=NOW) == timedelta(
            minutes=1
        )
        assert store.login_failures(s, "alice", window=timedelta(hours=1), now=NOW) == 0
        assert store.login_failures(s, "alice", address="B", window=timedelta(hours=1), now=NOW) == 0
        store.record_login_attempt(s, "alice", "A", True, now=NOW - timedelta(seconds=10))
        s.commit()
        assert store.login_wait(s, "alice", address="A", limit=10, window=window, now=NOW) is None
        assert store.login_wait(s, None, address="A", limit=10, window=window, now=NOW) == timedelta(
            minutes=1
        )


# --- T45 authorisation and CSRF ---------------------------------------------------------------------------


@SQLITE_ONLY
def test_anonymous_is_sent_to_login(app, seeded) -> None:
    client = client_for(app)
    for path in ("/queue", f"/items/{seeded[0]}", "/history", "/sources", "/admin/users", "/admin/audit"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    r = client.post(f"/items/{seeded[0]}/claim", data={"csrf_token": "x"}, follow_redirects=False)
    assert r.status_code == 401


@SQLITE_ONLY
def test_editor_gets_403_on_admin_routes(app, Session, seeded) -> None:
    client = editor_client(app, Session)
    csrf = csrf_of(client)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/audit").status_code == 403
    alice = 1
    r = client.post(f"/admin/users/{alice}/role", data={"csrf_token": csrf, "role": "admin"})
    assert r.status_code == 403
    r = client.post("/admin/sources/src-a", data={"csrf_token": csrf, "enabled": "false"})
    assert r.status_code == 403
    with Session() as s:
        assert s.scalar(select(User.role).where(User.name == "alice")) == "editor"
        assert s.get(SourceRow, "src-a").enabled is True


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.3:8999/", "//127.0.0.3:8999/", "/\\127.0.0.3", "https:/x", "javascript:alert(1)"],
)
@SQLITE_ONLY
def test_next_must_be_relative(app, Session, target: str) -> None:
    add_user(Session, "alice")
    r = log_in(client_for(app), "alice", next_=target)
    assert r.status_code == 303 and r.headers["location"] == "/queue"
