"""CSRF protection of the desk (crawler.web.csrf): signed double-submit cookie, Origin check (T45).

Runs on SQLite and PostgreSQL (`db_url`); HTTP goes through FastAPI's TestClient over
``https://testserver`` so the ``Secure`` session cookie is sent back (tests/desklab.py).
"""

from __future__ import annotations

import re

import pytest
from desklab import (
    PASSWORD,
    SQLITE_ONLY,
    add_user,
    client_for,
    csrf_of,
    decide_form,
    editor_client,
    log_in,
    login_token,
)
from fastapi.testclient import TestClient
from fastapi_csrf_protect.flexible import CsrfProtect
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from crawler.store.schema import (
    AppSecret,
    Item,
    ReviewDecision,
    WebSession,
)
from crawler.web.app import DESK_ROUTERS, create_app
from crawler.web.csrf import CSRF_COOKIE, CSRF_LIBRARY_SALT


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
    admin = editor_client(app, Session, "root", "admin")
    unsafe = [
        (route.path, method)
        for router in DESK_ROUTERS
        for route in router.routes
        for method in getattr(route, "methods", set())
        if method in ("POST", "PUT", "PATCH", "DELETE")
    ]
    assert len(unsafe) == 13
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
    # crawler.web.csrf reads the token back from the library's cookie to reuse it across pages
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
