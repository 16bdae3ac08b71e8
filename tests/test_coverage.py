"""Coverage: the pure gap rule and the matrix counts on a generated store (both back ends)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crawler.coverage import COUNTRIES, GapAlert, country_of, gaps, is_gap
from crawler.store import coverage as store_coverage
from crawler.store.schema import Item, ItemTheme
from crawler.store.sources import sync_sources
from tests.storedata import source

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "history", "expected"),
    [
        (0, [10, 9, 11, 10], True),  # the example: usually ten, none now
        (2, [10, 9, 11, 10], True),  # 2 <= 2.5
        (3, [10, 9, 11, 10], False),  # 3 > 2.5
        (0, [2, 2, 2], False),  # too small to be usual
        (0, [3, 3, 3], True),
        (0, [0, 0, 12, 0], False),  # one burst is not a habit (median 0)
        (0, [], False),
        (10, [10, 10], False),
        (1, [4, 4, 4, 40], True),  # median 4, 1 <= 1
    ],
)
def test_gap_rule_table(current: int, history: list[int], expected: bool) -> None:
    assert is_gap(current, history) is expected


@pytest.mark.parametrize(
    ("raw", "row"),
    [
        ("PL", "PL"),
        ("pl", "PL"),
        (" de ", "DE"),
        ("EL", "GR"),
        ("GR", "GR"),
        (None, "EU"),
        ("", "EU"),
        ("EU", "EU"),
        ("UK", "EU"),
        ("NO", "EU"),
    ],
)
def test_country_rows(raw: str | None, row: str) -> None:
    assert country_of(raw) == row


def test_countries_are_27_plus_eu() -> None:
    assert len(COUNTRIES) == 28 and COUNTRIES[0] == "EU" and len(set(COUNTRIES)) == 28


def test_gaps_sorted_by_shortfall_with_sources() -> None:
    alerts = gaps(
        {("PL", "Economic Participation"): 0, ("DE", "Health"): 1},
        {
            ("PL", "Economic Participation"): [10, 10, 10],
            ("DE", "Health"): [4, 4, 4],
            ("FR", "Health"): [1, 1],
        },
        {("PL", "Economic Participation"): ["pl-gov", "pl-ngo"]},
    )
    assert alerts[0] == GapAlert("PL", "Economic Participation", 0, 10.0, ("pl-gov", "pl-ngo"))
    assert [a.country for a in alerts] == ["PL", "DE"]
    assert (
        alerts[0].line()
        == "PL x Economic Participation: 0 items, usually 10; used to come from pl-gov, pl-ngo"
    )


def _add(
    session,
    n: int,
    *,
    source_id: str,
    country: str | None,
    language: str,
    theme: str,
    seen: datetime,
    relevant: bool = True,
    approved: bool = False,
    editor_country: str | None = None,
) -> None:
    url = f"https://x.eu/{source_id}/{n}"
    row = Item(
        identity=f"url:{url}",
        identity_hash=hashlib.sha256(url.encode()).hexdigest(),
        source_id=source_id,
        url=url,
        country=country,
        editor_country=editor_country,
        language=language,
        relevant=relevant,
        first_seen_at=seen,
        last_seen_at=seen,
        status="approved" if approved else "pending",
        approved_at=seen if approved else None,
    )
    session.add(row)
    session.flush()
    session.add(ItemTheme(item_id=row.id, theme=theme, score=0.9, assigned=True))
    other = "Health" if theme != "Health" else "Education"
    session.add(ItemTheme(item_id=row.id, theme=other, score=0.1, assigned=False))


@pytest.fixture
def store(db_session):
    sync_sources(db_session, [source("pl-gov"), source("pl-ngo"), source("eu-wide")])
    db_session.commit()
    n = 0
    # four past 30-day periods with ten Polish Economic Participation items each, none in the last 30 days
    for period in range(1, 5):
        for k in range(10):
            n += 1
            seen = NOW - timedelta(days=30 * period + 1 + k)
            _add(
                db_session,
                n,
                source_id="pl-gov" if k < 7 else "pl-ngo",
                country="PL",
                language="pl",
                theme="Economic Participation",
                seen=seen,
            )
    # the current period: EU-wide items, some approved, one corrected to DE by an editor, one irrelevant
    for k in range(6):
        n += 1
        _add(
            db_session,
            n,
            source_id="eu-wide",
            country=None,
            language="en",
            theme="Social Cohesion",
            seen=NOW - timedelta(days=2 + k),
            approved=k < 2,
        )
    n += 1
    _add(
        db_session,
        n,
        source_id="eu-wide",
        country="EU",
        language="de",
        theme="Health",
        seen=NOW - timedelta(days=3),
        editor_country="DE",
    )
    n += 1
    _add(
        db_session,
        n,
        source_id="eu-wide",
        country="PL",
        language="pl",
        theme="Economic Participation",
        seen=NOW - timedelta(days=3),
        relevant=False,
    )
    db_session.commit()
    return db_session


def test_matrix_counts(store) -> None:
    since = NOW - timedelta(days=30)
    theme = store_coverage.counts(store, "theme", "relevant", since, NOW)
    assert theme == {("EU", "Social Cohesion"): 6, ("DE", "Health"): 1}
    assert store_coverage.counts(store, "theme", "approved", since, NOW) == {("EU", "Social Cohesion"): 2}
    language = store_coverage.counts(store, "language", "relevant", since, NOW)
    assert language == {("EU", "en"): 6, ("DE", "de"): 1}
    older = store_coverage.counts(store, "theme", "relevant", NOW - timedelta(days=60), since)
    assert older == {("PL", "Economic Participation"): 10}


def test_gap_alert_on_the_generated_store(store) -> None:
    current, past, filled = store_coverage.history(store, "theme", "relevant", NOW, days=30, periods=4)
    assert past[("PL", "Economic Participation")] == [10, 10, 10, 10]
    alerts = gaps(current, past, filled)
    assert [(a.country, a.key, a.current, a.usual) for a in alerts] == [
        ("PL", "Economic Participation", 0, 10.0)
    ]
    assert alerts[0].sources == ("pl-gov", "pl-ngo")


def test_api_coverage_and_heatmap_and_digest(store, db_url) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from crawler.store.session import make_engine, session_factory
    from crawler.web.coverage import digest_lines, heatmap_svg, report
    from crawler.web.deps import Settings
    from crawler.web.portal import install

    engine = make_engine(db_url)
    app = FastAPI()
    app.state.settings = Settings(database_url=db_url, testing=True)
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    install(app, anonymous_per_minute=10_000)
    with TestClient(app, headers={"Authorization": f"Bearer {_token(store, ('coverage',))}"}) as client:
        got = client.get("/api/v1/coverage", params={"until": NOW.isoformat(), "periods": 4})
        assert got.status_code == 200, got.text
        body = got.json()
        from crawler.types import THEMES

        assert len(body["rows"]) == 28 and body["columns"] == list(THEMES) and body["scope"] == "all"
        cell = next(c for c in body["cells"] if (c["country"], c["key"]) == ("EU", "Social Cohesion"))
        assert (cell["relevant"], cell["approved"]) == (6, 2)
        assert body["alerts"] == [
            {
                "country": "PL",
                "key": "Economic Participation",
                "current": 0,
                "usual": 10.0,
                "sources": ["pl-gov", "pl-ngo"],
            }
        ]
        language = client.get(
            "/api/v1/coverage", params={"until": NOW.isoformat(), "axis": "language"}
        ).json()
        assert "pl" in language["columns"] and "en" in language["columns"]
        assert client.get("/api/v1/coverage", params={"axis": "x"}).status_code == 422
    engine.dispose()
    data = report(store, NOW, periods=4)
    svg = heatmap_svg(data)
    assert svg.startswith("<svg") and "<title" in svg and ">6</text>" in svg and ">0 !</text>" in svg
    assert digest_lines(data) == [
        "PL x Economic Participation: 0 items in 30 days, usually 10; used to come from pl-gov, pl-ngo"
    ]


def _token(session, scopes: tuple[str, ...]) -> str:
    from crawler.store.tokens import add_token

    token, _ = add_token(session, f"t-{'-'.join(scopes) or 'read'}", scopes=scopes)
    session.commit()
    return token


def _published_store(store) -> None:
    """Publish part of the store: the two approved current items stay approved, one becomes
    ``changed`` (still published); six old Polish items (two per past period) were approved then."""
    rows = store.scalars(select(Item).where(Item.status == "approved").order_by(Item.id)).all()
    rows[0].status = "changed"
    old = store.scalars(
        select(Item)
        .where(Item.country == "PL", Item.first_seen_at < NOW - timedelta(days=30))
        .order_by(Item.id)
    ).all()
    for row in old[:3] + old[10:13] + old[20:23]:
        row.status, row.approved_at = "approved", row.first_seen_at
    store.commit()


ACCESS = [
    (None, "published"),  # anonymous
    ((), "published"),  # a read-only token
    (("submit",), "published"),  # another right does not open the counts
    (("coverage",), "all"),
    (("coverage", "submit"), "all"),
]
"""(token scopes, None = anonymous; the scope of the answer)."""


def test_api_coverage_access_rule(store, db_url) -> None:
    """Harvested and unpublished counts need the ``coverage`` scope; everyone else gets published
    items only, and gap alerts computed on those (one store for the whole ACCESS table)."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from crawler.store.session import make_engine, session_factory
    from crawler.web.deps import Settings
    from crawler.web.portal import install

    _published_store(store)
    engine = make_engine(db_url)
    app = FastAPI()
    app.state.settings = Settings(database_url=db_url, testing=True)
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    install(app, anonymous_per_minute=10_000)
    params = {"until": NOW.isoformat(), "periods": 3}
    with TestClient(app) as client:
        assert (
            client.get("/api/v1/coverage", headers={"Authorization": "Bearer ewsi_nope"}).status_code == 401
        )
        for scopes, scope in ACCESS:
            headers = {} if scopes is None else {"Authorization": f"Bearer {_token(store, scopes)}"}
            got = client.get("/api/v1/coverage", params=params, headers=headers)
            by_language = client.get(
                "/api/v1/coverage", params={**params, "axis": "language"}, headers=headers
            )
            assert got.status_code == 200, got.text
            _check_scope(got.json(), by_language.json(), scope)
    engine.dispose()


def _check_scope(body: dict, by_language: dict, scope: str) -> None:
    cells = {(c["country"], c["key"]): (c["relevant"], c["approved"]) for c in body["cells"]}
    languages = {(c["country"], c["key"]): (c["relevant"], c["approved"]) for c in by_language["cells"]}
    assert body["scope"] == by_language["scope"] == scope
    if scope == "all":
        assert cells[("EU", "Social Cohesion")] == (6, 1)  # approved: status approved only
        assert languages[("DE", "de")] == (1, 0)
        assert [(a["country"], a["usual"]) for a in body["alerts"]] == [("PL", 10.0)]
    else:
        assert cells[("EU", "Social Cohesion")] == (None, 2)  # approved + changed, nothing harvested
        assert ("DE", "de") not in languages  # relevant but unpublished: not even its column shows
        assert languages[("EU", "en")] == (None, 2)
        assert all(relevant is None for relevant, _ in cells.values())
        assert body["alerts"] == [
            {
                "country": "PL",
                "key": "Economic Participation",
                "current": 0,
                "usual": 3.0,
                "sources": ["pl-gov"],
            }
        ]


INDEX_USE = [
    ("theme", "relevant", {"ix_items_coverage_seen", "ix_item_themes_coverage"}),
    ("theme", "approved", {"ix_items_coverage_approved", "ix_item_themes_coverage"}),
    ("language", "relevant", {"ix_items_coverage_seen"}),
    ("language", "approved", {"ix_items_coverage_approved"}),
    ("language", "published", {"ix_items_coverage_approved"}),
]
"""(axis, measure, the indexes of 0025 its count query must be able to use)."""


def test_coverage_queries_can_use_their_indexes(db_session) -> None:
    for axis, measure, indexes in INDEX_USE:
        _check_index_use(db_session, axis, measure, indexes)


def _check_index_use(db_session, axis: str, measure: str, indexes: set[str]) -> None:
    """The partial indexes of 0025 match the queries as SQLAlchemy renders them on each back end
    (a predicate written differently would never be used; bench/coverage_explain.py measures them).
    PostgreSQL: the plan with sequential scans off names them. SQLite (no statistics on a test
    store, so its own choice proves nothing): ``INDEXED BY`` each, which fails when unusable."""
    from sqlalchemy import text

    from crawler.store.coverage import _query

    conn = db_session.connection()
    stmt = _query(db_session, axis, measure, NOW - timedelta(days=30), NOW, False)
    sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN {sql}")))
        assert all(name in plan for name in indexes), (axis, measure, plan)
    else:
        for name in indexes:
            table = "item_themes" if name.startswith("ix_item_themes") else "items"
            forced = re.sub(rf"\b(FROM|JOIN) {table}\b", rf"\1 {table} INDEXED BY {name}", sql, count=1)
            plan = "\n".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {forced}")))
            assert name in plan, (axis, measure, plan)
    db_session.rollback()
