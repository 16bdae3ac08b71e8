"""The portal read API /api/v1 (crawler.web.portal, crawler.store.portal).

Publication boundary (T43), well-formed output from hostile fields (T42), filters, cursor pagination,
the updated_since sync with unpublish tombstones, detail with language versions, themes, sources,
rate limits and tokens. Runs on SQLite and PostgreSQL (`db_url`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crawler.store.migrate import upgrade
from crawler.store.schema import Item, ItemTheme, SourceRow, sha256_hex
from crawler.store.session import make_engine, session_factory
from crawler.web.deps import NO_CONTROLS, Settings

NOW = datetime.now(UTC).replace(microsecond=0)
HOSTILE_TITLE = "A ]]> B & C < D \x0b E \x1b F \ud800 G \u202e H </title><script>x</script>"


def make_item(session: Any, id_: int, **fields: Any) -> Item:
    """Insert an item with sensible defaults; `themes` = assigned theme names."""
    themes = fields.pop("themes", ())
    url = fields.pop("url", f"https://example.org/news/{id_}")
    defaults: dict[str, Any] = {
        "id": id_,
        "identity": f"url:{url}",
        "identity_hash": sha256_hex(f"url:{url}"),
        "source_id": "src-de",
        "url": url,
        "canonical_url": url,
        "url_hash": sha256_hex(url),
        "title": f"Item {id_}",
        "summary": f"Summary of item {id_}",
        "language": "de",
        "country": "DE",
        "content_type": "news",
        "status": "approved",
        "published_at": NOW - timedelta(days=id_),
        "first_seen_at": NOW - timedelta(days=id_),
    }
    defaults.update(fields)
    if defaults["status"] in ("approved", "changed"):
        defaults.setdefault("approved_at", NOW - timedelta(hours=id_))
        defaults.setdefault("modified_at", defaults["approved_at"])
    item = Item(**defaults)
    session.add(item)
    session.flush()
    for name in themes:
        session.add(ItemTheme(item_id=id_, theme=name, score=0.9, assigned=True))
    session.add(ItemTheme(item_id=id_, theme="Tools and Techniques", score=0.1, assigned=False))
    return item


UNPUBLISHED_IDS = (3, 4, 5, 6)


def populate(session: Any) -> None:
    """Sources and items in every state (ids fixed so tests can name them)."""
    session.add_all(
        [
            SourceRow(
                id="src-de",
                name="German bodies",
                publisher="Bund",
                country="DE",
                kind="feed",
                content_type="news",
                last_error="secret stack trace",
                state="broken",
            ),
            SourceRow(
                id="src-eu",
                name="EU documents",
                publisher="EU",
                country="EU",
                kind="api",
                content_type="document",
                languages=["fr", "en", "de"],
            ),
        ]
    )
    session.flush()
    make_item(session, 1, title="Integrationskurse in Berlin", themes=["Social Cohesion"])
    make_item(
        session,
        2,
        status="changed",
        source_id="src-eu",
        language="en",
        country="EU",
        content_type="document",
        title="Harvested title",
        editor_title="Editor title",
        editor_summary="Editor summary about housing",
        editor_themes=["Education and Culture"],
        themes=["Social Cohesion"],
    )
    make_item(session, 3, status="pending", title="Pending secret")
    make_item(
        session,
        4,
        status="pending",
        claimed_by="ed",
        claim_expires_at=NOW + timedelta(minutes=5),
        title="Claimed secret",
    )
    make_item(session, 5, status="rejected", title="Rejected secret")
    make_item(session, 6, status="deferred", title="Deferred secret")
    make_item(
        session,
        7,
        content_type="funding",
        deadline=NOW + timedelta(days=10),
        title="AMIF call open",
        source_id="src-eu",
        country="EU",
        language="en",
    )
    make_item(
        session,
        8,
        content_type="funding",
        deadline=NOW - timedelta(days=1),
        title="AMIF call closed",
        source_id="src-eu",
        country="EU",
        language="en",
    )
    make_item(
        session,
        9,
        url="https://ec.example.eu/en/news/integration-plan",
        language="en",
        source_id="src-eu",
        country="EU",
        title="Integration plan",
        themes=["Active Citizenship"],
    )
    make_item(
        session,
        10,
        url="https://ec.example.eu/fr/news/integration-plan",
        language="fr",
        source_id="src-eu",
        country="EU",
        title="Plan d'intégration",
        editor_country="FR",
    )
    make_item(
        session,
        11,
        title=HOSTILE_TITLE,
        summary="x & y <b>z</b> ]]> \x1b end",
        url="javascript:alert(1)",
        attachments=[{"url": "javascript:alert(2)"}, {"url": "https://example.org/a.pdf", "title": "PDF"}],
    )
    # published once, then rejected: an unpublished item with a public history
    make_item(
        session,
        12,
        status="rejected",
        approved_at=NOW - timedelta(days=3),
        modified_at=NOW,
        title="Withdrawn item",
    )
    session.commit()


def make_app(db_url: str, **overrides: Any) -> FastAPI:
    """A bare app with the portal installed (no desk), on a migrated database."""
    from crawler.web.portal import install

    engine = make_engine(db_url)
    app = FastAPI()
    app.state.settings = Settings(database_url=db_url, testing=True)
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    install(app, **{"anonymous_per_minute": 10_000, **overrides})
    return app


def _fill(url: str) -> str:
    engine = make_engine(url)
    upgrade(engine=engine)
    with session_factory(engine)() as session:
        populate(session)
    engine.dispose()
    return url


@pytest.fixture
def portal_db(db_url: str) -> Iterator[str]:
    """`db_url` migrated and filled by `populate` (one per test: for tests that write)."""
    yield _fill(db_url)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database filled by `populate`, shared by the read-only tests of a module (both back ends)."""
    if request.param == "sqlite":
        yield _fill(f"sqlite:///{tmp_path_factory.mktemp('portal') / 'ewsi.sqlite'}")
        return
    from conftest import ADMIN_URL, _postgres_url

    for url in _postgres_url(os.environ.get("EWSI_TEST_POSTGRES_URL") or ADMIN_URL):
        yield _fill(url)


@pytest.fixture(scope="module")
def client(shared_db: str) -> Iterator[TestClient]:
    """A read-only client on `shared_db` (tests using it must not write)."""
    app = make_app(shared_db)
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


PUBLISHED = [1, 2, 7, 8, 9, 10, 11]  # newest first: published_at = NOW - id days


# --- T43: only published items leave ---------------------------------------------------------


def test_listing_shows_only_published_items_newest_first(client):
    assert ids(client.get("/api/v1/items")) == PUBLISHED


def test_status_parameter_is_refused(client):
    """``status`` is no parameter of the listing: refused naming it, never read as a filter."""
    for status in ("pending", "rejected", "deferred", "any"):
        response = client.get(f"/api/v1/items?status={status}")
        assert response.status_code == 422 and "Pending secret" not in response.text
        assert response.json()["detail"][0]["loc"] == ["query", "status"]


def test_unpublished_ids_answer_404_like_unknown_ones(client):
    for item_id in (*UNPUBLISHED_IDS, 12, 999):
        response = client.get(f"/api/v1/items/{item_id}", headers={"If-None-Match": "*"})
        assert response.status_code == 404, item_id
        assert "secret" not in response.text.lower()
    assert client.get("/api/v1/items/1").status_code == 200


def test_no_unpublished_text_in_any_output(client):
    bodies = [
        client.get("/api/v1/items?limit=100").text,
        client.get("/api/v1/items?updated_since=2000-01-01T00:00:00Z&limit=100").text,
        client.get("/api/v1/items?q=secret").text,
        client.get("/feeds/atom").text,
        client.get("/feeds/funding.ics").text,
    ]
    for body in bodies:
        for word in ("Pending secret", "Claimed secret", "Rejected secret", "Deferred secret", "Withdrawn"):
            assert word not in body


def test_a_lower_configured_page_size_caps_a_valid_limit(shared_db):
    app = make_app(shared_db)
    app.state.portal = type(app.state.portal)(
        config=type(app.state.portal.config)(anonymous_per_minute=10_000, max_page_size=3)
    )
    with TestClient(app) as c:
        body = c.get("/api/v1/items?limit=100").json()
    assert len(body["items"]) == 3
    assert body["next_cursor"]
    app.state.engine.dispose()


# --- filters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("theme=social_cohesion", [1]),  # item 2's editor themes replace the classifier's
        ("theme=Education and Culture", [2]),
        ("theme=education_culture", [2]),
        ("theme=active_citizenship", [9]),
        ("country=eu", [2, 7, 8, 9]),  # item 10's editor country is FR
        ("country=FR", [10]),
        ("language=en", [2, 7, 8, 9]),
        ("content_type=funding", [7, 8]),
        ("content_type=document", [2]),
        ("source=src-eu", [2, 7, 8, 9, 10]),
        ("source=src-eu&language=fr", [10]),
        ("q=housing", [2]),  # editor summary
        ("q=Integrationskurse", [1]),
        ("q=Harvested", []),  # the editor's title replaced it
        ("q=%25", []),
        ("q=' OR 1=1 --", []),
    ],
)
def test_filters(client, query, expected):
    assert ids(client.get(f"/api/v1/items?{query}")) == expected


def test_date_range(client):
    start = (NOW - timedelta(days=8, hours=1)).isoformat()
    end = (NOW - timedelta(days=2)).isoformat()
    response = client.get("/api/v1/items", params={"published_from": start, "published_to": end})
    assert ids(response) == [2, 7, 8]


def test_unknown_theme_is_rejected(client):
    assert client.get("/api/v1/items?theme=nonsense").status_code == 422


def test_cursor_pagination_walks_every_item_once(client):
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/api/v1/items", params=params).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == PUBLISHED


UNDATED_ITEMS = {
    # id: first seen (never published_at); 20 was found today, 21 yesterday, 23 a year ago
    20: NOW,
    21: NOW - timedelta(days=1),
    23: NOW - timedelta(days=365),
}


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 100])
def test_undated_items_come_after_every_dated_one(portal_db, limit):
    """Undated items are listed after the dated ones (most recently first seen first), on every page
    size: a cursor pointing into either part resumes in the right one; the Atom feed keeps that order."""
    engine = make_engine(portal_db)
    with session_factory(engine)() as session:
        for id_, seen in UNDATED_ITEMS.items():
            make_item(session, id_, published_at=None, first_seen_at=seen, title=f"Undated {id_}")
        # dated long ago, first seen today: still ranked by its publication date
        make_item(session, 22, published_at=NOW - timedelta(days=400), first_seen_at=NOW, title="Old")
        session.commit()
    engine.dispose()
    app = make_app(portal_db)
    client = TestClient(app)
    seen: list[int] = []
    cursor = None
    for _ in range(30):
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/items", params=params).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [*PUBLISHED, 22, 20, 21, 23]
    if limit == 100:
        entries = strict_atom_ids(client.get("/feeds/atom").content)
        assert entries[-3:] == ["20", "21", "23"] and entries[:2] == ["1", "2"]
    app.state.engine.dispose()


def strict_atom_ids(body: bytes) -> list[str]:
    """The item ids of an Atom feed's entries, in order (the last path segment of each entry link)."""
    from lxml import etree

    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    ns = "{http://www.w3.org/2005/Atom}"
    return [e.find(f"{ns}id").text.rstrip("/").rsplit("/", 1)[-1] for e in root.iter(f"{ns}entry")]


@pytest.mark.parametrize("cursor", ["garbage", "eyJtIjoibGlzdCJ9", "e30", "!!!"])
def test_bad_cursor_is_400(client, cursor):
    assert client.get("/api/v1/items", params={"cursor": cursor}).status_code == 400


# --- sync ------------------------------------------------------------------------------------------


def test_updated_since_follows_an_unpublish(portal_db):
    app = make_app(portal_db)
    client = TestClient(app)
    since = (NOW - timedelta(minutes=30)).isoformat()
    body = client.get("/api/v1/items", params={"updated_since": since}).json()
    # item 12 was unpublished at NOW; item 1 approved NOW - 1 h (before `since`)
    assert body["items"] == [{**body["items"][0], "id": 12, "published": False}]
    assert body["items"][0]["title"] is None
    # an editor unpublishes item 1 and edits item 2: both appear, in change order
    engine = make_engine(portal_db)
    with session_factory(engine)() as session:
        from crawler.store.portal import mark_public_change

        one, two = session.get(Item, 1), session.get(Item, 2)
        one.status = "rejected"
        mark_public_change(one, NOW + timedelta(seconds=1))
        two.editor_title = "Edited again"
        mark_public_change(two, NOW + timedelta(seconds=2))
        session.commit()
    engine.dispose()
    body = client.get("/api/v1/items", params={"updated_since": since}).json()
    assert [(i["id"], i["published"]) for i in body["items"]] == [(12, False), (1, False), (2, True)]
    assert body["items"][2]["title"] == "Edited again"
    assert client.get("/api/v1/items/1").status_code == 404
    # never-approved items stay invisible in the sync
    everything = client.get("/api/v1/items", params={"updated_since": "2000-01-01", "limit": 100}).json()
    assert not {i["id"] for i in everything["items"]} & set(UNPUBLISHED_IDS)
    app.state.engine.dispose()


def test_sync_cursor(client):
    first = client.get("/api/v1/items", params={"updated_since": "2000-01-01T00:00:00Z", "limit": 3}).json()
    assert len(first["items"]) == 3
    rest = client.get(
        "/api/v1/items", params={"updated_since": "2000-01-01T00:00:00Z", "cursor": first["next_cursor"]}
    ).json()
    got = [i["id"] for i in first["items"] + rest["items"]]
    assert sorted(got) == sorted([*PUBLISHED, 12]) and len(set(got)) == len(got)
    # a list cursor does not fit the sync
    list_cursor = client.get("/api/v1/items?limit=1").json()["next_cursor"]
    assert (
        client.get("/api/v1/items", params={"updated_since": "2000-01-01", "cursor": list_cursor}).status_code
        == 400
    )


# --- detail, themes, sources ------------------------------------------------------------------------


def test_detail_has_editor_values_versions_and_attachments(client):
    two = client.get("/api/v1/items/2").json()
    assert two["title"] == "Editor title" and two["summary"] == "Editor summary about housing"
    assert two["themes"] == ["education_culture"]
    assert two["versions"] == [
        {
            "id": 2,
            "language": "en",
            "title": "Editor title",
            "url": "https://example.org/news/2",
            "api_url": "http://127.0.0.1:8000/api/v1/items/2",
        }
    ]
    nine = client.get("/api/v1/items/9").json()
    assert [(v["id"], v["language"]) for v in nine["versions"]] == [(9, "en"), (10, "fr")]
    eleven = client.get("/api/v1/items/11").json()
    assert eleven["url"] is None  # javascript: link dropped (T41)
    not_fetched = dict.fromkeys(("document_title", "language", "page_count", "text_chars", "sha256"))
    assert eleven["attachments"] == [
        {"url": "https://example.org/a.pdf", "title": "PDF", "media_type": None, "role": None, **not_fetched}
    ]


def test_themes_have_24_labels(client):
    themes = client.get("/api/v1/themes").json()
    assert [t["id"] for t in themes] == [
        "active_citizenship",
        "economic_participation",
        "social_cohesion",
        "education_culture",
        "anti_discrimination_equality",
        "tools_techniques",
    ]
    for theme in themes:
        assert len(theme["labels"]) == 24
    assert themes[0]["labels"]["de"] == "Aktive Bürgerschaft"


def test_sources_show_public_metadata_only(client):
    sources = client.get("/api/v1/sources").json()
    assert [s["id"] for s in sources] == ["src-de", "src-eu"]
    assert sources[0] == {
        "id": "src-de",
        "name": "German bodies",
        "publisher": "Bund",
        "country": "DE",
        "content_type": "news",
        "kind": "feed",
        "languages": ["de"],
        "declared_languages": [],
        "published_items": 2,
    }
    assert sources[1]["languages"] == ["en", "fr"]
    # what its configuration declares, beside what it has published (no German item yet)
    assert sources[1]["declared_languages"] == ["de", "en", "fr"]
    text = json.dumps(sources)
    assert "secret stack trace" not in text and "broken" not in text


# --- T42: hostile fields ----------------------------------------------------------------------------


def test_hostile_title_gives_clean_utf8_json(client):
    response = client.get("/api/v1/items/11")
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    raw = response.content.decode("utf-8")  # strict: raises on invalid UTF-8
    body = json.loads(raw)
    title = body["title"]
    for bad in ("\x0b", "\x1b", "\ud800"):
        assert bad not in title
    # the rest is kept: markup characters, the RTL override, the replacement of the lone surrogate
    for kept in ("]]>", "&", "<", "\u202e", "</title><script>"):
        assert kept in title
    assert body["summary"] == "x & y <b>z</b> ]]>  end"


# --- rate limits and tokens --------------------------------------------------------------------------


def test_anonymous_rate_limit(shared_db):
    app = make_app(shared_db, anonymous_per_minute=3)
    with TestClient(app, client=("192.0.2.31", 50000)) as c:  # its own address: its own bucket
        codes = [c.get("/api/v1/themes").status_code for _ in range(5)]
        limited = c.get("/api/v1/themes")
    assert codes == [200, 200, 200, 429, 429]
    assert int(limited.headers["retry-after"]) >= 1
    app.state.engine.dispose()


def test_rate_limit_is_shared_by_server_processes_on_postgresql(shared_db):
    """Two apps stand for two `ewsi serve` processes: on PostgreSQL they charge one bucket per client;
    on SQLite (one process by design) each keeps its own."""
    first, second = make_app(shared_db, anonymous_per_minute=2), make_app(shared_db, anonymous_per_minute=2)
    client = ("192.0.2.32", 50000)
    with TestClient(first, client=client) as a, TestClient(second, client=client) as b:
        codes = [a.get("/api/v1/themes").status_code, b.get("/api/v1/themes").status_code]
        codes += [a.get("/api/v1/themes").status_code, b.get("/api/v1/themes").status_code]
    shared = shared_db.startswith("postgresql")
    assert codes == ([200, 200, 429, 429] if shared else [200, 200, 200, 200])
    first.state.engine.dispose()
    second.state.engine.dispose()


def test_token_has_its_own_limit_and_bad_tokens_are_401(portal_db):
    from crawler.store.tokens import add_token, revoke_token

    engine = make_engine(portal_db)
    with session_factory(engine)() as session:
        token, _ = add_token(session, "portal", rate_limit_per_minute=5)
        session.commit()
    app = make_app(portal_db, anonymous_per_minute=1, token_cache_s=0)
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as c:
        assert [c.get("/api/v1/themes", headers=auth).status_code for _ in range(6)] == [200] * 5 + [429]
        assert c.get("/api/v1/themes").status_code == 200  # the address bucket is separate
        assert c.get("/api/v1/themes", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert c.get("/api/v1/themes", headers={"Authorization": "Basic abc"}).status_code == 401
        with session_factory(engine)() as session:
            assert revoke_token(session, "portal") == 1
            session.commit()
        assert c.get("/api/v1/themes", headers=auth).status_code == 401
    app.state.engine.dispose()
    engine.dispose()


def test_language_variants():
    from crawler.store.portal import language_variants

    variants = language_variants("https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:1&lang=en")
    assert "https://eur-lex.europa.eu/legal-content/DE/TXT/?uri=CELEX:1&lang=en" in variants
    assert "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:1&lang=fr" in variants
    assert len(variants) == 46  # 23 other languages at each of the two positions
    assert language_variants("https://example.org/news/item") == []


def test_limiter_refills_over_time():
    from crawler.web.ratelimit import TokenBucketLimiter

    now = [0.0]
    limiter = TokenBucketLimiter(clock=lambda: now[0])
    assert [limiter.take("a", 2)[0] for _ in range(3)] == [True, True, False]
    allowed, _, wait = limiter.take("a", 2)
    assert not allowed and wait == pytest.approx(30.0)
    now[0] = 30.0
    assert limiter.take("a", 2)[0] is True


def test_limiter_memory_is_bounded():
    from crawler.web.ratelimit import TokenBucketLimiter

    limiter = TokenBucketLimiter(clock=lambda: 0.0, max_keys=100)
    for n in range(1000):
        limiter.take(f"addr:{n}", 60)
    assert len(limiter) <= 100


def test_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert set(doc["paths"]) == {
        "/api/v1/items",
        "/api/v1/items/{item_id}",
        "/api/v1/funding",
        "/api/v1/events",
        "/api/v1/themes",
        "/api/v1/sources",
        "/api/v1/coverage",
    }


def test_installed_in_the_app_factory(shared_db):
    app_module = pytest.importorskip("crawler.web.app")
    app = app_module.create_app(shared_db, testing=True)
    with TestClient(app) as c:
        assert ids(c.get("/api/v1/items")) == PUBLISHED
        missing = c.get("/api/v1/items/3")
    assert missing.status_code == 404
    app.state.engine.dispose()


# --- request edges: malformed values are answered, never a 500 ----------------------------------------


@pytest.fixture(scope="module")
def app_client(shared_db: str) -> Iterator[TestClient]:
    """A read-only client of the whole app (`create_app`, with its error handlers) on `shared_db`."""
    from dataclasses import replace

    from crawler.web.app import create_app

    app = create_app(shared_db, testing=True)
    app.state.portal.config = replace(app.state.portal.config, anonymous_per_minute=10_000)
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("updated_since=abc", "updated_since"),
        ("updated_since=%00", "updated_since"),
        ("updated_since=99999-99-99", "updated_since"),
        ("updated_since=2026-01-01T25:00:00Z", "updated_since"),
        ("published_from=abc", "published_from"),
        ("published_to=2026-13-01", "published_to"),
        ("limit=abc", "limit"),
    ],
)
def test_malformed_values_are_json_422(app_client, query, name):
    """pydantic's errors carry the raised ValueError in ``ctx``; the answer must still be JSON."""
    response = app_client.get(f"/api/v1/items?{query}")
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["detail"]  # one error, or one per member of the datetime | date union
    for error in body["detail"]:
        assert error["loc"][:2] == ["query", name] and error["msg"] and error["type"]
        assert set(error) == {"loc", "msg", "type"}
        assert not error["msg"].startswith(("Value error", "Assertion failed"))  # pydantic's prefix dropped


def test_every_api_route_answers_validation_errors_as_json(app_client):
    for path in ("/api/v1/items/abc", "/api/v1/items?theme=nonsense", "/api/v1/items?limit=0"):
        response = app_client.get(path)
        assert response.status_code == 422 and response.json()["error"] == "invalid_request", path


@pytest.mark.parametrize("param", ["country", "language", "content_type", "source", "q"])
@pytest.mark.parametrize("value", ["%00", "de%00", "%0A", "%09", "%1B%5B31m", "%7F", "%C2%85"])
def test_control_characters_in_filters_are_422(app_client, param, value):
    """A control character in a filter is refused, for q too: stripping it used to leave an empty
    filter, so ``country=%00`` listed every item. The pattern is in the OpenAPI document, so the
    refusal is an ordinary validation error naming the parameter."""
    response = app_client.get(f"/api/v1/items?{param}={value}")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert [e["loc"] for e in body["detail"]] == [["query", param]]
    assert body["detail"][0]["type"] == "string_pattern_mismatch"


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/items?country=12", "country"),
        ("/api/v1/items?country=XX", "country"),
        ("/api/v1/items?language=xx", "language"),
        ("/api/v1/items?language=english", "language"),
        ("/api/v1/items?content_type=blog", "content_type"),
        ("/api/v1/items?theme=social_cohesion&country=EUR", "country"),
        ("/api/v1/events?country=12", "country"),
    ],
)
def test_malformed_filter_values_are_422(app_client, path: str, param: str):
    """A value no item can have (not ISO 3166-1 nor EU, not ISO 639-1 nor und, not a content type) is
    a validation error naming the parameter, as in the feeds (there 400), never an empty page."""
    response = app_client.get(path)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request" and [e["loc"] for e in body["detail"]] == [["query", param]]
    assert body["detail"][0]["msg"].startswith("expected a ")  # without pydantic's "Value error, "


@pytest.mark.parametrize(
    "path", ["/api/v1/items?country=de", "/api/v1/items?language=UND", "/api/v1/events?country=EU"]
)
def test_well_formed_filter_values_are_served(app_client, path: str):
    assert app_client.get(path).status_code == 200


def test_control_character_pattern_is_in_the_openapi_document(app_client):
    params = app_client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/items"]["get"]["parameters"]
    patterns = {}
    for param in params:
        schemas = [s.get("items", s) for s in param["schema"].get("anyOf", [param["schema"]])]
        patterns[param["name"]] = next((s["pattern"] for s in schemas if "pattern" in s), None)
    assert {patterns[n] for n in ("source", "q")} == {NO_CONTROLS}
    # the coded parameters name their values: no control character can match them either
    for name, good, bad in (
        ("country", ["DE", "de", " EU ", ""], ["XX", "DEU", "d\x00e", "12"]),
        ("language", ["de", "EN", "und", ""], ["xx", "deu", "e\x1bn"]),
        ("content_type", ["news", " document ", ""], ["blog", "News", "news\t"]),
    ):
        pattern = re.compile(patterns[name])
        assert all(pattern.match(v) for v in good), name
        assert not any(pattern.match(v) for v in bad), name


def test_control_characters_in_feed_filters_are_refused(app_client):
    """In a query value a control character is malformed: 400, as every malformed feed query value
    (the API answers the same value 422); in a path it names no feed: 404."""
    cases = [
        ("/feeds/atom?country=%00", 400),
        ("/feeds/atom?language=e%1Bn", 400),
        ("/feeds/atom?source=a%00", 400),
        ("/feeds/country/%00.atom", 404),
        ("/feeds/country/D%00E.atom", 404),
        ("/feeds/type/news%1B.atom", 404),
        ("/feeds/country/EU.atom", 200),
    ]
    for path, status in cases:
        assert app_client.get(path).status_code == status, path


BIG = "99999999999999999999999"


def test_portal_integers_are_bounded(app_client):
    """Ids and cursor ids lie in 1..2**63-1 (the BIGINT range), limits in 1..100: beyond is a 422
    (or 400 for a cursor), not a 500 from the SQLite driver; at the top of the range an id is merely
    unknown."""
    cases = [
        (f"/api/v1/items/{BIG}", 422),
        (f"/api/v1/items/{2**63}", 422),
        ("/api/v1/items/0", 422),
        (f"/api/v1/items/{2**63 - 1}", 404),
        (f"/api/v1/items?limit={BIG}", 422),
        (f"/api/v1/items?limit={2**63}", 422),
        (f"/api/v1/items?limit={2**63 - 1}", 422),
        ("/api/v1/items?limit=100", 200),
    ]
    for path, status in cases:
        assert app_client.get(path).status_code == status, path
    import base64

    for item_id in (2**63, 0, -1):
        raw = json.dumps({"m": "list", "k": NOW.isoformat(), "i": item_id}).encode()
        cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        assert app_client.get("/api/v1/items", params={"cursor": cursor}).status_code == 400, item_id
    raw = json.dumps({"m": "list", "k": NOW.isoformat(), "i": 2**63 - 1}).encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert ids(app_client.get("/api/v1/items", params={"cursor": cursor})) == PUBLISHED


def test_no_redirect_built_from_the_host_header(app_client):
    """A trailing slash is not redirected: Starlette's redirect took its absolute Location from the
    request's Host header (``Host: evil.example`` -> ``http://evil.example/...``)."""
    headers = {"Host": "evil.example"}
    response = app_client.get("/api/v1/items/?limit=1", headers=headers, follow_redirects=False)
    assert response.status_code == 404
    assert "location" not in response.headers


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/items?limit=1", 200),
        ("/api/v1/items?limit=100", 200),
        ("/api/v1/items?limit=101", 422),
        ("/api/v1/items?limit=1000000", 422),
        (f"/api/v1/items?limit={2**63 - 1}", 422),
        ("/api/v1/items?limit=0", 422),
        ("/api/v1/items?limit=-1", 422),
        ("/api/v1/funding?limit=100", 200),
        ("/api/v1/funding?limit=101", 422),
        (f"/api/v1/funding?limit={2**63 - 1}", 422),
        ("/api/v1/events?limit=100", 200),
        ("/api/v1/events?limit=101", 422),
        (f"/api/v1/events?limit={2**63 - 1}", 422),
    ],
)
def test_limit_is_1_to_100_and_a_422_names_the_bound(app_client, path: str, status: int):
    response = app_client.get(path)
    assert response.status_code == status, response.text
    if status == 422:
        body = response.json()
        assert body["error"] == "invalid_request"
        (detail,) = body["detail"]
        assert detail["loc"] == ["query", "limit"]
        given = path.rsplit("=", 1)[1]
        bound = "at least 1" if path.endswith(("=0", "=-1")) else "at most 100"
        assert detail["msg"] == f"expected a whole number {bound}, got {given}", detail
        assert body["message"] == f"limit: expected a whole number {bound}, got {given}"
        assert "Input should" not in response.text


def test_openapi_states_the_limit_bound(app_client):
    schema = app_client.get("/api/v1/openapi.json").json()
    for route in ("/api/v1/items", "/api/v1/funding", "/api/v1/events"):
        (limit,) = [p for p in schema["paths"][route]["get"]["parameters"] if p["name"] == "limit"]
        assert limit["schema"]["maximum"] == 100 and limit["schema"]["minimum"] == 1, route


@pytest.mark.parametrize(
    ("query", "status", "until"),
    [
        # periods that would start before year 1 are left out; an `until` too early for one period
        # moves to the earliest end that has one (two spans after year 1): a schema-valid date is
        # answered, never refused nor a 500 (it used to raise OverflowError)
        ("until=0001-01-01T00:00:00Z", 200, "0001-03-02"),
        ("until=0001-01-01T00:00:00%2B00:01", 200, "0001-03-02"),
        ("until=0001-06-30", 200, "0001-06-30"),
        ("until=0001-12-31", 200, "0001-12-31"),
        ("until=0002-01-01&days=1&periods=1", 200, "0002-01-01"),
        ("until=0001-07-01&days=366&periods=24", 200, "0003-01-03"),
        ("until=9999-12-31T23:59:59Z", 200, "9999-12-31"),
        ("until=9999-12-31T23:59:59-00:01", 200, "9999-12-31"),  # clamped to the calendar's end
        ("until=3011239", 422, None),  # a Unix timestamp is not ISO 8601
        ("until=-119577", 422, None),
        ("until=2026-01-31", 200, "2026-01-31"),
        ("until=2026-01-31T08:00:00%2B02:00&periods=24&days=366", 200, "2026-01-31"),
        ("until=2026-02-30", 422, None),
    ],
)
def test_coverage_until_edges_are_answered_never_a_500(app_client, query, status, until):
    """`until` is ISO 8601 like every other date of the API (a malformed one is a 422 naming it)."""
    response = app_client.get(f"/api/v1/coverage?{query}")
    assert response.status_code == status, (query, response.text)
    if status == 422:
        assert "until" in response.text
    else:
        assert response.json()["until"].startswith(until), response.json()["until"]


@pytest.mark.parametrize(
    ("query", "since", "until"),
    [
        # an `until` too early for one period and the one before it moves two spans past year 1
        ("until=0001-01-01&days=1&periods=1", "0001-01-02", "0001-01-03"),
        ("until=0001-01-01&days=2&periods=3", "0001-01-03", "0001-01-05"),
        ("until=0001-01-01", "0001-01-31", "0001-03-02"),
        ("until=0001-04-01&days=30&periods=6", "0001-03-02", "0001-04-01"),  # fewer periods, same end
    ],
)
def test_coverage_near_year_1_answers_the_periods_that_fit(app_client, query, since, until):
    response = app_client.get(f"/api/v1/coverage?{query}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["since"].startswith(since) and body["until"].startswith(until), body


@pytest.mark.parametrize(
    ("path", "status", "param"),
    [
        ("/api/v1/items?source=nope", 422, "source"),
        ("/api/v1/items?source=SRC-EU", 422, "source"),
        ("/api/v1/items?published_from=2023-01-01&published_to=2020-01-01", 422, "published_from"),
        ("/feeds/atom?source=nope", 400, "source"),
    ],
)
def test_a_filter_that_cannot_match_is_refused(app_client, path: str, status: int, param: str):
    """An unknown source id (ids are exact, as in the desk and `ewsi queue --source`) and a period that
    ends before it starts are refused naming the parameter, never answered with an empty page."""
    response = app_client.get(path)
    assert response.status_code == status, response.text
    if status == 422:
        body = response.json()
        assert body["error"] == "invalid_request"
        assert [e["loc"] for e in body["detail"]] == [["query", param]]
    else:
        assert response.text.startswith("400 Bad feed request") and f"{param}:" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/items?source=src-eu",
        "/api/v1/items?published_from=2020-01-01&published_to=2020-01-01",
        "/feeds/atom?source=src-eu",
    ],
)
def test_a_filter_that_can_match_is_served(app_client, path: str):
    assert app_client.get(path).status_code == 200


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/v1/items?limit=0", "limit: expected a whole number at least 1, got 0"),
        ("/api/v1/items?limit=500", "limit: expected a whole number at most 100, got 500"),
        ("/api/v1/items?limit=ten", "limit: expected a whole number, got 'ten'"),
        ("/api/v1/items?limit=2.5", "limit: expected a whole number, got '2.5'"),
        ("/api/v1/funding?status=shut", "status: use forthcoming, open or closed"),
        ("/api/v1/items?q=" + "x" * 201, "q: expected at most 200 characters, got 201"),
        ("/api/v1/items?cursor=" + "c" * 513, "cursor: expected at most 512 characters, got 513"),
        (
            "/api/v1/items?country=UK",
            "country: expected a country code: ISO 3166-1 alpha-2 (DE) or EU; did you mean GB?",
        ),
        ("/api/v1/items?published_from=yesterday", "published_from: expected an ISO 8601 date (2026-01-31)"),
    ],
)
def test_every_api_validation_message_is_a_plain_sentence(app_client, path: str, message: str):
    """Rule: a 422 names the parameter and what it expects in plain words (type errors, bounds,
    lengths, choices, dates), never pydantic's "Input should be ..."."""
    response = app_client.get(path)
    assert response.status_code == 422, response.text
    assert response.json()["message"].startswith(message), response.json()
    assert "Input should" not in response.text and "Value error" not in response.text
