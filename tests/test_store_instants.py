"""One instant, however it is written, is one stored value on SQLite and PostgreSQL: naive (taken as
UTC), UTC, and another offset (+02:00, -05:00) read back equal and compare equal in queries, and a
re-harvest that writes the same instant another way is ``unchanged``, not a new version (SQLite's
DATETIME drops an offset without converting, so an aware value stored as written is hours off)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from crawler.store.items import upsert_item
from crawler.store.schema import Item
from tests.storedata import make_item

INSTANT = datetime(2025, 3, 30, 0, 30, tzinfo=UTC)  # the night Europe changes to summer time
SPELLINGS = [
    INSTANT.replace(tzinfo=None),
    INSTANT,
    INSTANT.astimezone(timezone(timedelta(hours=2))),
    INSTANT.astimezone(timezone(timedelta(hours=-5))),
]


@pytest.mark.parametrize("spelling", SPELLINGS, ids=["naive", "utc", "plus2", "minus5"])
def test_one_instant_is_one_stored_value(db_session, spelling: datetime) -> None:
    item = make_item(1, published_at=spelling, fetched_at=spelling + timedelta(hours=1))
    assert upsert_item(db_session, item) == "new"
    db_session.commit()
    db_session.expire_all()
    row = db_session.scalars(select(Item)).one()
    assert row.published_at == INSTANT and row.published_at.utcoffset() == timedelta(0)
    for other in SPELLINGS:  # every spelling finds it, and none finds it off by an offset
        assert db_session.scalars(select(Item.id).where(Item.published_at == other)).all() == [row.id]
        assert db_session.scalars(select(Item.id).where(Item.published_at > other)).all() == []
    again = make_item(1, published_at=SPELLINGS[(SPELLINGS.index(spelling) + 1) % 4])
    assert upsert_item(db_session, again) == "unchanged"
    db_session.commit()
    assert db_session.scalars(select(Item.version)).one() == 1
