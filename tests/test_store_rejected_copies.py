"""A new item repeating a rejected item of its source is dropped as ``tombstoned`` (crawler.store.rejected).

Each case stores an original, rejects it (or not), then harvests a second item under another address
and checks the outcome and what the queue holds. Identities, content hashes and fingerprints are
computed by the harvest's own dedup stage (pipelines.dedup). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update
from storedata import make_item

from crawler.store.items import upsert_item
from crawler.store.schema import Item
from pipelines.dedup import DedupPipeline

STORY = (
    "Migrants and refugees in Germany get new access to language courses and jobs. The integration "
    "programme of the municipality helps newcomers find housing, schooling for children and recognition "
    "of qualifications. Local NGOs support asylum seekers in the labour market, and volunteers run "
    "weekly meetings where families meet neighbours, practise German and learn about the services "
    "of the town hall, the job centre and the schools of the district."
)
OTHER_STORY = (
    "The regional parliament adopted a budget for social housing. Tenants associations criticised the "
    "delay of the renovation programme, and the city council asked for a review of rents in the "
    "districts most affected by the rising costs of energy, heating and transport this winter."
)
NEAR_STORY = STORY.replace("Local NGOs", "Local charities")  # 5 bits from STORY
SHORT = "Read more about our work here."
BASE = "http://127.0.0.1:8765/news/"


def harvested(path: str, *, source_id: str = "src-a", **kw):
    """An item of `source_id` at BASE + `path` as the dedup stage hands it to the store."""
    url = BASE + path
    fields = {"title": "Story r1", "summary": "Migrants story", "text": STORY, **kw}
    item = make_item(url=url, source_id=source_id, identity=None, content_hash=None, **fields)
    return DedupPipeline().process_item(item)


DEADLINE_1 = datetime(2026, 3, 1, 12, tzinfo=UTC)
DEADLINE_2 = datetime(2027, 3, 1, 12, tzinfo=UTC)

# (case, original's fields and status, the new item's path and fields, expected outcome)
CASES = [
    ("query variant, same text", {}, "rejected", "rej?page=2", {"title": "Story r2"}, "tombstoned"),
    ("case variant, same text", {}, "rejected", "Rej", {"title": "Story r3"}, "tombstoned"),
    ("new GUID, same identity (trailing slash)", {}, "rejected", "rej/", {"guid": "r9"}, "unchanged"),
    (
        "same content hash, no text",
        {"text": None, "summary": "Migrants and refugees get integration courses."},
        "rejected",
        "Article-1",
        {"text": None, "summary": "Migrants and refugees get integration courses."},
        "tombstoned",
    ),
    (
        "near text, one word changed",
        {},
        "rejected",
        "rej-2",
        {"title": "Other", "text": NEAR_STORY},
        "tombstoned",
    ),
    (
        "same text in other case and spacing",
        {},
        "rejected",
        "rej-3",
        {"text": "  " + STORY.upper()},
        "tombstoned",
    ),
    ("another text", {}, "rejected", "other", {"title": "Story o1", "text": OTHER_STORY}, "new"),
    (
        "same text flagged as the source's template",
        {},
        "rejected",
        "other2",
        {"title": "Story o2", "flags": ["extract.boilerplate"]},
        "new",
    ),
    ("same text, another source", {}, "rejected", "rej?page=2", {"source_id": "src-b"}, "new"),
    ("same text, original pending", {}, "pending", "rej?page=2", {"title": "Story r2"}, "new"),
    ("same text, original approved", {}, "approved", "Rej", {"title": "Story r3"}, "new"),
    (
        "short equal text, other title",
        {"text": SHORT},
        "rejected",
        "short-2",
        {"title": "B", "text": SHORT},
        "new",
    ),
    ("same title, other text", {}, "rejected", "rej-4", {"text": OTHER_STORY}, "new"),
]


@pytest.mark.parametrize("case,original,status,path,fields,expected", CASES, ids=[case[0] for case in CASES])
def test_copy_of_a_rejected_item_is_tombstoned(db_session, case, original, status, path, fields, expected):
    assert upsert_item(db_session, harvested("rej", guid="r1", **original)) == "new"
    db_session.execute(update(Item).values(status=status))
    db_session.commit()
    fields = dict(fields)  # the table is shared by both back ends
    source_id = fields.pop("source_id", "src-a")
    copy = harvested(path, source_id=source_id, **{"text": original.get("text", STORY), **original, **fields})
    assert upsert_item(db_session, copy) == expected, case
    db_session.commit()
    stored = db_session.execute(select(Item.url, Item.status).order_by(Item.id)).all()
    kept = [(BASE + "rej", status)] + ([(BASE + path, "pending")] if expected == "new" else [])
    assert [tuple(row) for row in stored] == kept


def test_template_occurrences_with_other_deadlines_stay(db_session):
    first = harvested("call-1", guid="c1", deadline=DEADLINE_1)
    assert upsert_item(db_session, first) == "new"
    db_session.execute(update(Item).values(status="rejected"))
    db_session.commit()
    outcomes = [
        upsert_item(db_session, harvested("call-2", guid="c2", title="Call 2", deadline=DEADLINE_2)),
        upsert_item(db_session, harvested("call-3", guid="c3", title="Call 3", deadline=DEADLINE_1)),
    ]
    assert outcomes == ["new", "tombstoned"]


def test_restoring_the_original_lets_its_copies_in(db_session):
    assert upsert_item(db_session, harvested("rej", guid="r1")) == "new"
    db_session.execute(update(Item).values(status="rejected"))
    db_session.commit()
    assert upsert_item(db_session, harvested("Rej", guid="r3")) == "tombstoned"
    db_session.execute(update(Item).values(status="approved"))
    db_session.commit()
    assert upsert_item(db_session, harvested("Rej", guid="r3")) == "new"
