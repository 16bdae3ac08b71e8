"""Fixtures and helpers of the desk's tests (tests/test_web_*.py): a migrated database, seeded items,
logged-in clients and the forms of an item page.

Runs on SQLite and PostgreSQL (`db_url`); HTTP goes through FastAPI's TestClient over
``https://testserver`` so the ``Secure`` session cookie is sent back. Test files import the
fixtures they use by name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from crawler.store import users
from crawler.store.migrate import upgrade
from crawler.store.schema import (
    Item,
    ItemTheme,
    SourceRow,
    sha256_hex,
)
from crawler.store.session import make_engine, session_factory
from crawler.web.app import create_app
from crawler.web.passwords import hash_password

PASSWORD = "correct horse battery staple"
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
"""For checks that do not depend on the back end, SQLite only: authentication, CSRF, rendering, and
harvests whose subject is parsing, dates, encodings, language, PDFs, logging, training, the corpus's
extraction facts, a source's health after bad input, or identities, conditional GETs and reprocessing
that are computed before the store sees them (the store under them is pinned on both back
ends by the store, identity, version and fault tests, and real pages of corpus2 go into PostgreSQL twice in
tests/test_groups_corpus.py)."""
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


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
        user = users.create_user(s, name, role, hash_password(PASSWORD))
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
