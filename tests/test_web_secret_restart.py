"""A server restarted, or a second server on the same database, answers a logged-in editor at once.

Rule (crawler.web.appsecret): the generated application secret is read or created in its own short
transaction before a request's session opens, never while that session holds SQLite's write lock
(BEGIN IMMEDIATE), which made every logged-in request of a fresh app wait out the busy timeout and
answer 503. The busy timeout is cut to 3 s here, so a regression answers 503 in seconds, not 30.
Runs on SQLite and PostgreSQL (`db_url`).
"""

from __future__ import annotations

import time

import pytest
from desklab import add_user, client_for, decide_form, log_in
from sqlalchemy import delete, select

from crawler.store import session as store_session
from crawler.store.schema import AppSecret, Item
from crawler.web.app import create_app

PROMPT_S = 15.0
"""A request of the restarted app answers within this: half the production busy timeout
(crawler.store.session, 30 s), with room for a loaded test machine rendering a page cold."""


@pytest.fixture
def short_busy(monkeypatch):
    monkeypatch.setattr(store_session, "SQLITE_BUSY_TIMEOUT_MS", 3000)
    monkeypatch.delenv("EWSI_SECRET_KEY", raising=False)


def _moved(source, target):
    """`target` (a client of another app) holding `source`'s cookies, as a browser after a restart."""
    for name, value in source.cookies.items():
        target.cookies.set(name, value, domain="testserver.local")
    return target


def _timed(call):
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


# (first request of the new app, expected status): each is a logged-in session's request
FIRST_REQUESTS = [
    ("GET /queue", 200),
    ("GET /items/{id}", 200),
    ("GET /items/{id}?msg=asked", 200),
    ("POST /items/{id}/decide", 303),
    ("POST /items/{id}/claim", 200),
    ("GET /queue?status=pending&lang=en", 200),
]


def _run(client, request: str, item_id: int, form: dict):
    method, path = request.split(" ", 1)
    path = path.format(id=item_id)
    if method == "GET":
        return client.get(path, follow_redirects=False)
    headers = {"Accept": "application/json", "X-CSRF-Token": form["csrf_token"]}
    data = form if path.endswith("/decide") else None
    return client.post(path, data=data, headers=None if data else headers, follow_redirects=False)


@pytest.mark.parametrize("request_line,status", FIRST_REQUESTS)
@pytest.mark.parametrize("secret_row", ["kept", "gone"])
def test_restarted_app_serves_a_logged_in_session_promptly(
    db_url, engine, Session, seeded, short_busy, request_line, status, secret_row
) -> None:
    first = create_app(db_url, testing=True)
    add_user(Session, "alice")
    browser = client_for(first)
    assert log_in(browser, "alice").status_code == 303
    form = decide_form(browser, seeded[0], "approve")
    if secret_row == "gone":  # an older database: the restarted app creates the row itself
        with Session() as s:
            s.execute(delete(AppSecret))
            s.commit()
    restarted = _moved(browser, client_for(create_app(db_url, testing=True)))
    answer, took = _timed(lambda: _run(restarted, request_line, seeded[0], form))
    expected = 403 if secret_row == "gone" and request_line.startswith("POST") else status
    assert (answer.status_code, took < PROMPT_S) == (expected, True), answer.text[:300]
    with Session() as s:
        rows = s.scalars(select(AppSecret.value)).all()
    assert len(rows) == 1 and len(rows[0]) == 64


def test_two_apps_on_one_database_take_turns(db_url, engine, Session, seeded, short_busy) -> None:
    one, two = create_app(db_url, testing=True), create_app(db_url, testing=True)
    add_user(Session, "alice")
    add_user(Session, "bob")
    alice = client_for(one)
    assert log_in(alice, "alice").status_code == 303
    bob = client_for(two)
    assert log_in(bob, "bob").status_code == 303
    alice_on_two = _moved(alice, client_for(two))
    bob_on_one = _moved(bob, client_for(one))
    steps = [
        (alice, "GET /queue", 200),
        (bob, "GET /queue", 200),
        (alice_on_two, "GET /items/{id}", 200),
        (bob_on_one, "GET /items/{id}", 200),
        (bob_on_one, "GET /queue", 200),
    ]
    for client, request_line, status in steps:
        answer, took = _timed(lambda c=client, r=request_line: _run(c, r, seeded[1], {}))
        assert (request_line, answer.status_code, took < PROMPT_S) == (request_line, status, True)
    form = decide_form(alice, seeded[1], "approve")
    answer, took = _timed(lambda: _run(alice_on_two, "POST /items/{id}/decide", seeded[1], form))
    assert (answer.status_code, took < PROMPT_S) == (303, True)
    with Session() as s:
        assert s.get(Item, seeded[1]).status == "approved"
    assert one.state.application_secret == two.state.application_secret
