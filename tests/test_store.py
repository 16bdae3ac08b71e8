"""crawler.store on SQLite and PostgreSQL: migrations, text hygiene (B18, T26), uniqueness (T27, T28),
upsert outcomes (B07, T29), run health, queue, HTTP cache, readiness and retries."""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from crawler.errors import DatabaseUnavailable
from crawler.sources import Source
from crawler.store import queries
from crawler.store.migrate import current_revision, downgrade, head_revision, upgrade
from crawler.store.queries import (
    RawResponse,
    SlotTaken,
    add_tombstone,
    finish_run,
    get_http_cache,
    heartbeat,
    mark_interrupted,
    put_http_cache,
    queue,
    source_status,
    start_run,
    sync_sources,
    upsert_item,
)
from crawler.store.schema import CrawlRun, Item, ItemTheme, RawResponseRow, SourceRow, sha256_hex
from crawler.store.session import RETRY_COUNTS, check_ready, make_engine, run_with_retry
from crawler.types import THEMES, Classification, CrawlReport, Evidence, HarvestedItem, ThemeScore

TABLES = {"sources", "crawl_runs", "items", "item_themes", "raw_responses", "tombstones", "http_cache"}


def source(sid: str = "src-a", **kw) -> Source:
    return Source(id=sid, name=f"Source {sid}", publisher="City", kind="feed", urls=["https://x.eu/f"], **kw)


def classification(
    relevance: float = 0.5, assigned: tuple[str, ...] = ("Social Cohesion",)
) -> Classification:
    scores = [
        ThemeScore(t, 0.8 if t in assigned else (0.1 if i == 0 else 0.0), (Evidence("welcome", 1.0, "en"),))
        for i, t in enumerate(THEMES)
    ]
    scores.sort(key=lambda s: -s.score)
    return Classification(
        relevance=relevance, relevant=relevance >= 0.5, themes=tuple(scores), assigned=assigned
    )


def make_item(n: int = 1, source_id: str = "src-a", content: str = "v1", **kw) -> HarvestedItem:
    url = kw.pop("url", f"https://city.example.eu/news/{n}")
    fields = {
        "source_id": source_id,
        "url": url,
        "canonical_url": url,
        "identity": f"url:{url}",
        "content_hash": hashlib.sha256(f"{content}{url}".encode()).hexdigest(),
        "title": f"Title {n}",
        "summary": "Summary",
        "text": f"Body {content}",
        "language": "en",
        "published_at": datetime(2025, 3, 25, 7, 0, tzinfo=UTC),
        "fetched_at": datetime(2025, 3, 28, 12, 0, tzinfo=UTC),
        "classification": classification(),
    }
    fields.update(kw)
    return HarvestedItem(**fields)


def one_item(session, identity_hash: str | None = None) -> Item:
    session.expire_all()
    stmt = select(Item)
    if identity_hash:
        stmt = stmt.where(Item.identity_hash == identity_hash)
    return session.scalars(stmt).one()


# --- migrations and readiness ------------------------------------------------------------------


def test_upgrade_from_empty_database(db_url):
    engine = make_engine(db_url)
    try:
        with pytest.raises(DatabaseUnavailable, match=r"database is not migrated: run `ewsi db upgrade`"):
            check_ready(engine)
        assert current_revision(engine) is None
        upgrade(db_url)
        assert current_revision(engine) == head_revision() == "0010_classifier"
        assert check_ready(engine) == "0010_classifier"
        assert set(inspect(engine).get_table_names()) >= TABLES
        downgrade(db_url)
        assert not TABLES & set(inspect(engine).get_table_names())
        upgrade(db_url)  # and back up again from base
        assert current_revision(engine) == "0010_classifier"
    finally:
        engine.dispose()


def test_models_match_migration(db_engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from crawler.store.schema import Base

    with db_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    # Alembic cannot compare expression indexes, nor does it honour ddl_if(dialect=...): those
    # PostgreSQL-only queue indexes of 0003 are checked by name below instead
    expression_indexes = {"ix_items_queue_priority", "ix_items_funding_deadline", "ix_items_status_language"}
    diff = [
        d for d in diff if not (d[0] in ("add_index", "remove_index") and d[1].name in expression_indexes)
    ]
    assert diff == []
    names = {ix["name"] for ix in inspect(db_engine).get_indexes("items")}
    if db_engine.dialect.name == "postgresql":
        assert expression_indexes <= names
    else:
        assert not expression_indexes & names


def test_sqlite_connection_settings(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a' / 'b.sqlite'}")  # parent directory created
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()


@pytest.mark.parametrize("immediate", [False, True])
def test_sqlite_immediate_takes_the_write_lock_at_begin(tmp_path, immediate):
    path = tmp_path / "lock.sqlite"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}", sqlite_immediate=immediate)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT count(*) FROM items")).scalar()
            write = "INSERT INTO tombstones (identity_hash, created_at) VALUES ('x', '2025-01-01')"
            if immediate:
                with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                    other.execute(write)
            else:
                other.execute(write)  # a deferred reader holds no write lock
    finally:
        other.close()
        engine.dispose()


@pytest.mark.timeout(20)
def test_check_ready_unreachable_server():
    engine = make_engine("postgresql+psycopg2://postgres@127.0.0.1:1/x")
    with pytest.raises(DatabaseUnavailable) as info:
        check_ready(engine)
    assert str(info.value) == "cannot connect to postgresql://127.0.0.1:1/x: connection refused"
    assert info.value.key == "store.db_error"


def test_database_url_default(monkeypatch, tmp_path):
    from crawler.store.session import database_url

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EWSI_DATABASE_URL", raising=False)
    assert database_url() == "sqlite:///var/ewsi.sqlite"
    assert (tmp_path / "var").is_dir()
    monkeypatch.setenv("EWSI_DATABASE_URL", "postgresql+psycopg2://u@h/db")
    assert database_url() == "postgresql+psycopg2://u@h/db"
    assert database_url("sqlite:///other.sqlite") == "sqlite:///other.sqlite"


# --- text hygiene (B18, T26) -------------------------------------------------------------------

B18_CASES = [
    # (title in, summary in, title stored, summary stored)
    (
        "Call for proposals: community sponsorship pilots\u0000",
        "Local partnerships may apply until 30 June 2025.\u0000\u0000 Budget: EUR 4 million.",
        "Call for proposals: community sponsorship pilots",
        "Local partnerships may apply until 30 June 2025. Budget: EUR 4 million.",
    ),
    (
        "Workshop on peer mentoring \ud83d results",
        "A broken pair above; a complete pair here: \ud83d\udc4d end.",
        "Workshop on peer mentoring \ufffd results",
        "A broken pair above; a complete pair here: \U0001f44d end.",
    ),
    (
        "Networking day for integration practitioners",
        "Vertical tab\u000b form feed\u000c escape\u001b end.",
        "Networking day for integration practitioners",
        "Vertical tab form feed escape end.",
    ),
]


def test_dirty_strings_stored_clean_on_both_backends(db_session):
    """Case B18: same cleaned values on SQLite and PostgreSQL, with SQL length equal to Python length."""
    for n, (title, summary, _, _) in enumerate(B18_CASES):
        item = make_item(
            n,
            title=title,
            summary=summary,
            text="a\x00b\x0bc\x1bd",
            record={"title": title, "k\u0000ey": ["\u0000", "\udc4d"], "nan": float("nan")},
            author="\ud83d",
        )
        assert upsert_item(db_session, item) == "new"
    db_session.commit()
    rows = db_session.execute(
        text("SELECT title, summary, length(summary), text, author FROM items ORDER BY id")
    ).all()
    assert [(r[0], r[1]) for r in rows] == [(c[2], c[3]) for c in B18_CASES]
    for row in rows:
        assert row[2] == len(row[1])  # SQLite's length() stops at a NUL; none is left
        assert row[3] == "abcd"
        assert row[4] == "\ufffd"
    assert db_session.execute(text("SELECT count(*) FROM items WHERE summary LIKE '%million.'")).scalar() == 1
    record = db_session.scalars(select(Item.record).order_by(Item.id)).first()
    assert record == {"title": B18_CASES[0][2], "key": ["", "\ufffd"], "nan": None}


# --- uniqueness (T27, T28) ---------------------------------------------------------------------


def test_duplicate_identity_hash_fails_at_the_database(db_session):
    """T28: uniqueness is the database's, not only the dedup stage's."""
    sync_sources(db_session, [source()])
    now = datetime(2025, 1, 1, tzinfo=UTC)
    row = {
        "identity": "url:https://x.eu/a",
        "identity_hash": sha256_hex("url:https://x.eu/a"),
        "source_id": "src-a",
        "url": "https://x.eu/a",
        "first_seen_at": now,
        "last_seen_at": now,
    }
    db_session.execute(Item.__table__.insert(), [row])
    with pytest.raises(IntegrityError):
        db_session.execute(Item.__table__.insert(), [{**row, "url": "https://x.eu/a?utm_source=x"}])
    db_session.rollback()


def test_very_long_url(db_session):
    """T27: a 9,000-character URL is stored whole; uniqueness rests on its hash."""
    url = "https://example.eu/search?q=" + "x" * (9000 - 28)
    assert len(url) == 9000
    item = make_item(url=url)
    assert upsert_item(db_session, item) == "new"
    db_session.commit()
    assert upsert_item(db_session, make_item(url=url)) == "unchanged"
    row = one_item(db_session)
    assert row.url == url and row.canonical_url == url
    assert row.url_hash == hashlib.sha256(url.encode()).hexdigest()
    assert row.identity_hash == hashlib.sha256(f"url:{url}".encode()).hexdigest()


# --- upsert outcomes (B07, T29) ----------------------------------------------------------------


def test_new_then_unchanged(db_session):
    sync_sources(db_session, [source()])
    item = make_item(fingerprint=2**64 - 1, attachments=[], flags=["text_cleaned"])
    assert upsert_item(db_session, item) == "new"
    db_session.commit()
    first = one_item(db_session)
    first_seen = first.last_seen_at
    assert upsert_item(db_session, make_item(fingerprint=2**64 - 1)) == "unchanged"
    db_session.commit()
    row = one_item(db_session)
    assert row.version == 1 and row.status == "pending" and row.title == "Title 1"
    assert row.last_seen_at > first_seen
    assert row.published_at == datetime(2025, 3, 25, 7, 0, tzinfo=UTC)
    assert row.published_at.utcoffset() == timedelta(0)
    assert row.fingerprint == 2**64 - 1  # read back unsigned
    assert db_session.execute(text("SELECT fingerprint FROM items")).scalar() == -1  # stored signed
    assert row.flags == ["text_cleaned"]
    themes = db_session.execute(
        select(ItemTheme.theme, ItemTheme.assigned, ItemTheme.evidence).order_by(ItemTheme.theme)
    ).all()
    assert len(themes) == 6
    assert [t for t, assigned, _ in themes if assigned] == ["Social Cohesion"]
    assert themes[0].evidence == [{"term": "welcome", "weight": 1.0, "language": "en", "count": 1}]


def test_pending_item_updated_in_place_b07(db_session):
    """Case B07: a headline fix and a moved pubDate update the pending row; first published_at kept."""
    sync_sources(db_session, [source("b07-city")])
    url = "https://city.example.eu/integration/news/council-chair"
    run1 = make_item(
        source_id="b07-city",
        url=url,
        title="Intergration council elects new chair",
        published_at=datetime(2025, 3, 25, 7, 0, tzinfo=UTC),
        classification=classification(0.4, ("Active Citizenship",)),
    )
    assert upsert_item(db_session, run1) == "new"
    db_session.commit()
    run2 = make_item(
        source_id="b07-city",
        url=url,
        content="v2",
        title="Integration council elects new chair",
        published_at=datetime(2025, 3, 27, 10, 30, tzinfo=UTC) - timedelta(hours=1),
        classification=classification(0.7, ("Social Cohesion",)),
    )
    assert upsert_item(db_session, run2) == "updated"
    db_session.commit()
    row = one_item(db_session)
    assert row.title == "Integration council elects new chair"
    assert row.published_at == datetime(2025, 3, 25, 7, 0, tzinfo=UTC)
    assert row.updated_at == datetime(2025, 3, 27, 9, 30, tzinfo=UTC)
    assert (row.version, row.status, row.relevance) == (2, "pending", 0.7)
    assert row.last_changed_at is not None
    assigned = db_session.scalars(select(ItemTheme.theme).where(ItemTheme.assigned.is_(True))).all()
    assert assigned == ["Social Cohesion"]
    assert db_session.scalar(select(ItemTheme.item_id).distinct()) == row.id
    assert len(db_session.scalars(select(ItemTheme.theme)).all()) == 6


def test_same_guid_with_changed_link_is_the_same_row(db_session):
    first = make_item(guid="tag:city,2025:1", url="https://city.example.eu/a")
    assert upsert_item(db_session, first) == "new"
    moved = make_item(guid="tag:city,2025:1", url="https://city.example.eu/a-renamed", content="v2")
    assert upsert_item(db_session, moved) == "updated"
    db_session.commit()
    row = one_item(db_session)
    assert row.url == "https://city.example.eu/a-renamed"
    assert row.identity == "url:https://city.example.eu/a"  # the identity stays stable


def test_update_keeps_values_missing_from_the_new_version(db_session):
    assert upsert_item(db_session, make_item(guid="g-1", author="Desk")) == "new"
    assert upsert_item(db_session, make_item(content="v2", text=None, author=None, title="New")) == "updated"
    db_session.commit()
    row = one_item(db_session)
    assert (row.title, row.text, row.text_chars, row.author, row.guid) == ("New", "Body v1", 7, "Desk", "g-1")


def test_tombstoned_identity_is_never_requeued(db_session):
    item = make_item()
    add_tombstone(db_session, sha256_hex(item.identity), "src-a", "rejected by editor")
    add_tombstone(db_session, sha256_hex(item.identity), "src-a", "again")  # idempotent
    assert upsert_item(db_session, item) == "tombstoned"
    db_session.commit()
    assert db_session.scalar(text("SELECT count(*) FROM items")) == 0


def test_rejected_item_changed_stays_rejected(db_session):
    """T29: a rejected row re-served with new text does not come back as pending."""
    assert upsert_item(db_session, make_item()) == "new"
    db_session.execute(update(Item).values(status="rejected"))
    db_session.commit()
    assert upsert_item(db_session, make_item(content="v2", title="New title")) == "tombstoned"
    db_session.commit()
    row = one_item(db_session)
    assert (row.status, row.title, row.version) == ("rejected", "Title 1", 1)


def test_approved_item_keeps_editor_fields_and_is_marked_changed(db_session):
    """T29: the editor's title survives a re-crawl; the new text is kept and the item marked changed."""
    assert upsert_item(db_session, make_item()) == "new"
    db_session.execute(update(Item).values(status="approved", title="Editor's title"))
    db_session.commit()
    assert upsert_item(db_session, make_item(content="v2", title="Source title")) == "updated"
    db_session.commit()
    row = one_item(db_session)
    assert (row.status, row.editor_title, row.title, row.text, row.version) == (
        "changed",
        "Editor's title",
        "Source title",
        "Body v2",
        2,
    )


def test_identity_of_another_source_is_a_duplicate(db_session):
    assert upsert_item(db_session, make_item(source_id="src-a")) == "new"
    db_session.commit()
    assert upsert_item(db_session, make_item(source_id="src-b", content="v2", title="Other")) == "duplicate"
    db_session.commit()
    row = one_item(db_session)
    assert (row.source_id, row.title, row.version) == ("src-a", "Title 1", 1)


def test_missing_identity_raises(db_session):
    with pytest.raises(ValueError, match="has no identity"):
        upsert_item(db_session, make_item(identity=None))


def test_failing_item_rolls_back_alone(db_session, monkeypatch):
    """The savepoint keeps a failing item from undoing the others in the same transaction."""
    assert upsert_item(db_session, make_item(1)) == "new"

    def broken_raw(session, item_id, raw):
        session.execute(text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(queries, "_write_raw", broken_raw)
    with pytest.raises(Exception, match="no_such_table"):
        upsert_item(db_session, make_item(2), raw=RawResponse(url="https://x.eu", body=b"x"))
    monkeypatch.undo()
    assert upsert_item(db_session, make_item(3)) == "new"
    db_session.commit()
    assert db_session.scalars(select(Item.title).order_by(Item.id)).all() == ["Title 1", "Title 3"]


def test_raw_response_stored_compressed_once(db_session):
    body = b"<html>" + "Willkommen, ça va? ".encode() * 500 + b"</html>"
    raw = RawResponse(
        url="https://x.eu/p", body=body, status=200, media_type="text/html", headers={"ETag": '"a\x00b"'}
    )
    assert upsert_item(db_session, make_item(), raw=raw) == "new"
    assert upsert_item(db_session, make_item(content="v2"), raw=raw) == "updated"  # same body: one row
    db_session.commit()
    rows = db_session.scalars(select(RawResponseRow)).all()
    assert len(rows) == 1
    assert zlib.decompress(rows[0].body) == body
    assert rows[0].size == len(body) and len(rows[0].body) < len(body) // 10
    assert rows[0].body_sha256 == hashlib.sha256(body).hexdigest()
    assert rows[0].headers == {"ETag": '"ab"'}


def test_item_delete_cascades_to_themes(db_session):
    assert upsert_item(db_session, make_item()) == "new"
    db_session.commit()
    db_session.execute(text("DELETE FROM items"))
    db_session.commit()
    assert db_session.scalar(text("SELECT count(*) FROM item_themes")) == 0


# --- sources and runs ----------------------------------------------------------------------------


def report(status: str, *, items_new: int = 0, error_key: str | None = None) -> CrawlReport:
    now = datetime.now(UTC)
    return CrawlReport(
        source_id="src-a",
        started_at=now,
        finished_at=now,
        status=status,
        error_key=error_key,
        error="boom\x00" if error_key else None,
        fetched=3,
        items_new=items_new,
        dropped={"duplicate": 2, "too_old": 1},
        http_errors={"404": 1},
        stats={"when": now, "text": "\udc00"},
    )


def test_finish_run_health_transitions(db_session):
    sync_sources(db_session, [source()])
    states = []
    for _ in range(3):
        run_id = start_run(db_session, "src-a")
        finish_run(db_session, run_id, report("failed", error_key="fetch.timeout"))
        db_session.commit()
        src = db_session.get(SourceRow, "src-a")
        delay = src.backoff_until - src.last_run_at
        states.append((src.state, src.consecutive_failures, round(delay.total_seconds() / 60)))
    assert states == [("failing", 1, 30), ("failing", 2, 60), ("failing", 3, 120)]
    assert (src.last_error_key, src.last_error, src.last_success_at) == ("fetch.timeout", "boom", None)
    run = db_session.get(CrawlRun, run_id)
    assert (run.status, run.items_dropped, run.dropped) == ("failed", 3, {"duplicate": 2, "too_old": 1})
    assert run.stats["text"] == "\ufffd" and run.stats["when"].endswith("Z")

    run_id = start_run(db_session, "src-a")
    finish_run(db_session, run_id, report("ok", items_new=0))
    db_session.commit()
    src = db_session.get(SourceRow, "src-a")
    assert (src.state, src.consecutive_failures) == ("healthy", 0)
    assert src.backoff_until is None and src.last_error_key is None
    assert src.last_success_at is not None and src.last_new_item_at is None
    run_id = start_run(db_session, "src-a")
    finish_run(db_session, run_id, report("ok", items_new=2))
    db_session.commit()
    assert db_session.get(SourceRow, "src-a").last_new_item_at is not None


def test_backoff_is_capped():
    assert queries.backoff_delay(1) == timedelta(minutes=30)
    assert queries.backoff_delay(6) == timedelta(hours=16)
    assert queries.backoff_delay(7) == timedelta(hours=24)
    assert queries.backoff_delay(1000) == timedelta(hours=24)


def test_slot_claim_is_unique(db_session):
    slot = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
    first = start_run(db_session, "src-a", slot_start=slot)
    with pytest.raises(SlotTaken):
        start_run(db_session, "src-a", slot_start=slot)
    assert start_run(db_session, "src-b", slot_start=slot) != first
    assert start_run(db_session, "src-a") != start_run(db_session, "src-a")  # NULL slots never collide
    db_session.commit()
    assert db_session.scalar(text("SELECT count(*) FROM crawl_runs")) == 4


def test_mark_interrupted_uses_the_heartbeat_lease(db_session):
    stale = start_run(db_session, "src-a", pid=4242)
    fresh = start_run(db_session, "src-a")
    db_session.execute(
        update(CrawlRun)
        .where(CrawlRun.id == stale)
        .values(heartbeat_at=datetime.now(UTC) - timedelta(hours=1))
    )
    assert heartbeat(db_session, fresh) is True
    assert mark_interrupted(db_session, timedelta(minutes=10)) == [stale]
    assert mark_interrupted(db_session, timedelta(minutes=10)) == []
    db_session.commit()
    run = db_session.get(CrawlRun, stale)
    assert (run.status, run.error_key, run.pid) == ("interrupted", "crawl.crashed", 4242)
    assert db_session.get(CrawlRun, fresh).status == "running"
    assert heartbeat(db_session, stale) is False
    src = db_session.get(SourceRow, "src-a")
    assert (src.state, src.consecutive_failures, src.last_error_key) == ("failing", 1, "crawl.crashed")


def test_sync_sources_keeps_health(db_session):
    assert sync_sources(db_session, [source(), source("src-b")]) == 2
    run_id = start_run(db_session, "src-a")
    finish_run(db_session, run_id, report("failed", error_key="fetch.dns"))
    db_session.commit()
    api = {"items": "items", "title": "t", "link": "l"}
    renamed = Source(
        id="src-a", name="Renamed", publisher="P", kind="api", urls=["https://x.eu"], api=api, enabled=False
    )
    sync_sources(db_session, [renamed])
    db_session.commit()
    src = db_session.get(SourceRow, "src-a")
    assert (src.name, src.kind, src.enabled) == ("Renamed", "api", False)
    assert (src.state, src.consecutive_failures, src.last_error_key) == ("failing", 1, "fetch.dns")


def test_source_status(db_session):
    sync_sources(db_session, [source(), source("src-b")])
    upsert_item(db_session, make_item(1))
    upsert_item(db_session, make_item(2))
    db_session.execute(update(Item).where(Item.title == "Title 2").values(status="approved"))
    run_id = start_run(db_session, "src-a")
    finish_run(db_session, run_id, report("ok", items_new=2))
    db_session.commit()
    status = {s["id"]: s for s in source_status(db_session)}
    assert (status["src-a"]["items_total"], status["src-a"]["items_pending"]) == (2, 1)
    assert (status["src-a"]["state"], status["src-a"]["last_run_status"]) == ("healthy", "ok")
    assert status["src-a"]["last_success_at"].endswith("Z")
    other = status["src-b"]
    assert (other["items_total"], other["state"], other["last_run_status"]) == (0, "new", None)


# --- queue ---------------------------------------------------------------------------------------


def test_queue_order_and_filters(db_session):
    day = datetime(2025, 3, 1, tzinfo=UTC)
    specs = [  # n, relevance, published, language, assigned
        (1, 0.9, day, "en", ("Social Cohesion",)),
        (2, 0.9, day + timedelta(days=2), "de", ("Economic Participation",)),
        (3, 0.2, day + timedelta(days=5), "en", ()),
        (4, None, None, "fr", ("Social Cohesion",)),
        (5, 0.5, None, "en", ("Social Cohesion", "Tools and Techniques")),  # fetched_at stands in
    ]
    for n, rel, published, lang, assigned in specs:
        cls = classification(rel, assigned) if rel is not None else None
        item = make_item(
            n, published_at=published, language=lang, classification=cls, fetched_at=day + timedelta(days=n)
        )
        assert upsert_item(db_session, item) == "new"
    db_session.execute(update(Item).where(Item.title == "Title 3").values(status="approved"))
    db_session.commit()

    rows = queue(db_session)
    assert [r["title"] for r in rows] == ["Title 2", "Title 1", "Title 5", "Title 4"]
    first = rows[0]
    assert first["published_at"] == "2025-03-03T00:00:00Z" and first["fetched_at"] == "2025-03-03T00:00:00Z"
    assert first["themes"] == [{"name": "Economic Participation", "score": 0.8}]
    assert len(first["theme_scores"]) == 6 and first["theme_scores"][0]["name"] == "Economic Participation"
    assert first["identity"] == "url:https://city.example.eu/news/2" and first["status"] == "pending"
    assert [t["name"] for t in rows[2]["themes"]] == ["Social Cohesion", "Tools and Techniques"]
    assert rows[3]["themes"] == [] and rows[3]["published_at"] is None

    assert [r["title"] for r in queue(db_session, status="any")][:3] == ["Title 2", "Title 1", "Title 5"]
    assert len(queue(db_session, status="any")) == 5
    assert [r["title"] for r in queue(db_session, status="approved")] == ["Title 3"]
    assert [r["title"] for r in queue(db_session, language="en")] == ["Title 1", "Title 5"]
    assert [r["title"] for r in queue(db_session, theme="Social Cohesion")] == ["Title 1", "Title 5"]
    assert queue(db_session, source_id="src-b") == []
    assert len(queue(db_session, limit=2)) == 2


def test_queue_lists_no_theme_when_none_assigned(db_session):
    assert upsert_item(db_session, make_item(classification=classification(0.3, ()))) == "new"
    db_session.commit()
    (row,) = queue(db_session)
    assert row["themes"] == []
    assert row["theme_scores"][0] == {"name": THEMES[0], "score": 0.1, "assigned": False}


# --- HTTP cache ----------------------------------------------------------------------------------


def test_http_cache_roundtrip(db_session):
    url = "https://x.eu/feed.xml?" + "p" * 5000
    assert get_http_cache(db_session, url) is None
    put_http_cache(db_session, url, '"v1"', "Wed, 26 Mar 2025 10:00:00 GMT", "a" * 64, 200)
    db_session.commit()
    assert get_http_cache(db_session, url)["etag"] == '"v1"'
    put_http_cache(db_session, url, '"v2"', None, "b" * 64, 200)
    db_session.commit()
    entry = get_http_cache(db_session, url)
    assert (entry["url"], entry["etag"], entry["last_modified"]) == (url, '"v2"', None)
    assert entry["body_sha256"] == "b" * 64
    assert entry["fetched_at"].tzinfo is not None


# --- retries -------------------------------------------------------------------------------------


def _locked() -> OperationalError:
    return OperationalError("UPDATE items", {}, sqlite3.OperationalError("database is locked"))


def test_run_with_retry_retries_busy_then_succeeds():
    calls, sleeps = [], []
    before = RETRY_COUNTS["busy"]

    def work():
        calls.append(1)
        if len(calls) < 3:
            raise _locked()
        return "done"

    assert run_with_retry(work, sleep=sleeps.append) == "done"
    assert len(calls) == 3 and RETRY_COUNTS["busy"] - before == 2
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0  # equal jitter on 0.5 s, 1 s


def test_run_with_retry_gives_up_and_passes_other_errors():
    sleeps: list[float] = []

    def always_locked():
        raise _locked()

    with pytest.raises(DatabaseUnavailable, match="after 3 attempts"):
        run_with_retry(always_locked, attempts=3, sleep=sleeps.append)
    assert len(sleeps) == 2

    def integrity():
        raise IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        run_with_retry(integrity, sleep=sleeps.append)
    assert len(sleeps) == 2
