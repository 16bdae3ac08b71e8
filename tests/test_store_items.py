"""crawler.store.items on SQLite and PostgreSQL: text hygiene, uniqueness, upsert outcomes,
versions and tombstones, raw bodies."""

from __future__ import annotations

import hashlib
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from crawler.store import items as store_items
from crawler.store.items import RawResponse, add_tombstone, upsert_item
from crawler.store.schema import Item, ItemTheme, RawResponseRow, sha256_hex
from crawler.store.sources import sync_sources
from tests.storedata import classification, make_item, one_item, source

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

    monkeypatch.setattr(store_items, "_write_raw", broken_raw)
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
