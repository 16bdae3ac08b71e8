"""crawler.store.training: the one labelling rule, as a table, on SQLite and PostgreSQL.

Each row is an item's status, its decisions (oldest first), the editor's themes and the assigned
themes, and the label `decided_items` must give (None: no label)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from crawler.store.items import upsert_item
from crawler.store.schema import Item, ReviewDecision
from crawler.store.sources import sync_sources
from crawler.store.training import decided_items
from tests.storedata import classification, make_item, source

SC, EP, TT = "Social Cohesion", "Economic Participation", "Tools and Techniques"

# (case, status, [(action, reason)], editor_themes, assigned, expected (relevant, themes) or None)
LABEL_CASES: list[tuple[str, str, list[tuple[str, str | None]], Any, tuple[str, ...], Any]] = [
    ("approved: assigned themes, best first", "approved", [("approve", None)], None, (SC, EP),
     (True, (EP, SC))),
    ("approved with editor themes: the editor's", "approved", [("edit", None), ("approve", None)], [TT],
     (SC,), (True, (TT,))),
    ("approved, editor cleared the themes: none", "approved", [("approve", None)], [], (SC,), (True, ())),
    ("changed after approval: still relevant", "changed", [("approve", None)], None, (EP,), (True, (EP,))),
    ("rejected not relevant", "rejected", [("reject", "not relevant")], None, (SC,), (False, ())),
    ("rejected with an older free-text reason", "rejected", [("reject", "Out-of-scope: EU budget")], None, (),
     (False, ())),
    ("rejected as duplicate: no label", "rejected", [("reject", "duplicate")], None, (SC,), None),
    ("rejected as out of date: no label", "rejected", [("reject", "out of date")], None, (SC,), None),
    ("rejected without a reason: no label", "rejected", [("reject", None)], None, (), None),
    ("rejection overturned: relevant", "approved", [("reject", "not relevant"), ("approve", None)], None,
     (SC,), (True, (SC,))),
    ("approval overturned: not relevant", "rejected", [("approve", None), ("reject", "not relevant")], None,
     (SC,), (False, ())),
    ("the latest rejection's reason counts", "rejected",
     [("reject", "not relevant"), ("approve", None), ("reject", "poor quality")], None, (), None),
    ("approved, then deferred: no label", "deferred", [("approve", None), ("defer", None)], None, (SC,),
     None),
    ("pending: no label", "pending", [], None, (SC,), None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "decisions", "editor_themes", "assigned", "expected"),
    [c[1:] for c in LABEL_CASES],
    ids=[c[0] for c in LABEL_CASES],
)
def test_the_labelling_rule(
    db_session: Session,
    status: str,
    decisions: list[tuple[str, str | None]],
    editor_themes: Any,
    assigned: tuple[str, ...],
    expected: tuple[bool, tuple[str, ...]] | None,
) -> None:
    sync_sources(db_session, [source()])
    item = make_item(
        1,
        classification=classification(0.7, assigned),
        title="Harvested title",
        text="Body",
        content_type="document",
    )
    assert upsert_item(db_session, item) == "new"
    row = db_session.query(Item).one()
    row.status = status
    row.editor_themes = editor_themes
    row.editor_title = "Editor's title"
    for action, reason in decisions:
        db_session.add(ReviewDecision(item_id=row.id, editor="anna", action=action, reason=reason))
    db_session.commit()
    labels = decided_items(db_session)
    if expected is None:
        assert labels == []
        return
    (label,) = labels
    assert (label.relevant, label.themes) == expected
    # what the harvest classified, never the editor's corrections
    assert (label.title, label.text, label.language) == ("Harvested title", "Body", "en")
    assert label.status == status and label.source_id == "src-a"
    # the item's content type goes with the label (the model's content-type priors learn from it)
    assert label.content_type == "document"
