"""crawler.store.queue on SQLite and PostgreSQL: the plain listing of `ewsi queue` (order, filters)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from crawler.store.items import upsert_item
from crawler.store.queue import listing
from crawler.store.schema import Item
from crawler.types import THEMES
from tests.storedata import classification, make_item


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

    rows = listing(db_session)
    assert [r["title"] for r in rows] == ["Title 2", "Title 1", "Title 5", "Title 4"]
    first = rows[0]
    assert first["published_at"] == "2025-03-03T00:00:00Z" and first["fetched_at"] == "2025-03-03T00:00:00Z"
    assert first["themes"] == [{"name": "Economic Participation", "score": 0.8}]
    assert len(first["theme_scores"]) == 6 and first["theme_scores"][0]["name"] == "Economic Participation"
    assert first["identity"] == "url:https://city.example.eu/news/2" and first["status"] == "pending"
    assert [t["name"] for t in rows[2]["themes"]] == ["Social Cohesion", "Tools and Techniques"]
    assert rows[3]["themes"] == [] and rows[3]["published_at"] is None

    assert [r["title"] for r in listing(db_session, status="any")][:3] == ["Title 2", "Title 1", "Title 5"]
    assert len(listing(db_session, status="any")) == 5
    assert [r["title"] for r in listing(db_session, status="approved")] == ["Title 3"]
    assert [r["title"] for r in listing(db_session, language="en")] == ["Title 1", "Title 5"]
    assert [r["title"] for r in listing(db_session, theme="Social Cohesion")] == ["Title 1", "Title 5"]
    assert listing(db_session, source_id="src-b") == []
    assert len(listing(db_session, limit=2)) == 2


def test_queue_lists_no_theme_when_none_assigned(db_session):
    assert upsert_item(db_session, make_item(classification=classification(0.3, ()))) == "new"
    db_session.commit()
    (row,) = listing(db_session)
    assert row["themes"] == []
    assert row["theme_scores"][0] == {"name": THEMES[0], "score": 0.1, "assigned": False}


EDITS = [
    # (column the editor set, value, listing field, expected; None: nothing set, the harvested value)
    ("editor_country", "AT", "country", "AT"),
    ("editor_content_type", "funding", "content_type", "funding"),
    ("editor_summary", "Edited summary.", "summary", "Edited summary."),
    ("editor_title", "Edited title", "title", "Edited title"),
    (None, None, "country", "DE"),
]


def test_the_listing_shows_the_editors_values_as_the_desk_does(db_session):
    """``ewsi queue --json`` shows an item's country, content type, summary and title as the desk
    shows and filters them: the editor's when set, else the harvested one."""
    for n, (column, value, _, _) in enumerate(EDITS, start=1):
        item = make_item(n, language="en", classification=classification(0.5, ()))
        item.country, item.content_type, item.summary = "DE", "news", "Harvested summary."
        assert upsert_item(db_session, item) == "new"
        if column is not None:
            db_session.execute(update(Item).where(Item.title == f"Title {n}").values({column: value}))
    db_session.commit()
    rows = {row["harvested_title"]: row for row in listing(db_session)}
    for n, (_, _, field, expected) in enumerate(EDITS, start=1):
        assert rows[f"Title {n}"][field] == expected, (n, field)
    assert rows["Title 5"]["content_type"] == "news" and rows["Title 5"]["summary"] == "Harvested summary."
