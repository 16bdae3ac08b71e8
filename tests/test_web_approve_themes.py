"""An item is published only with at least one theme (crawler.store.decisions `check_approvable`).

Every path that approves is refused for an item whose effective themes are empty: the item page's
Approve (and its key, which presses the same button), bulk approve, and `decisions.decide` itself;
the desk then offers the classifier's best-scoring theme, and "Save and approve" publishes it.
"""

from __future__ import annotations

import re

import pytest
from desklab import SQLITE_ONLY, add_item, add_source, csrf_of, decide_form, editor_client
from sqlalchemy import func, select

from crawler.errors import ApprovalRefused
from crawler.store import decisions
from crawler.store.schema import Item, ItemTheme, ReviewDecision

UNDER_THRESHOLD = {"Tools and Techniques": 0.76, "Social Cohesion": 0.31, "Labour Market": 0.12}
"""Scores of an item the classifier judged not relevant: it assigned none of them."""


@pytest.fixture
def themeless(Session) -> int:
    """A pending item the classifier judged not relevant: theme scores, none assigned."""
    with Session() as s:
        add_source(s, "src-a", "Source A")
        item = add_item(s, 41, title="Guide for integration workers", relevant=False, themes={})
        for theme, score in UNDER_THRESHOLD.items():
            s.add(ItemTheme(item_id=item.id, theme=theme, score=score, assigned=False, evidence=[]))
        s.commit()
        return item.id


def _status(Session, item_id: int) -> str:
    with Session() as s:
        return s.get(Item, item_id).status


def test_store_refuses_to_approve_without_a_theme(Session, themeless) -> None:
    with Session() as s:
        with pytest.raises(ApprovalRefused) as refused:
            decisions.decide(s, themeless, "alice", "approve", revision=1, request_token=None)
        s.rollback()
    assert str(refused.value) == (
        "Choose at least one theme before approving: the classifier assigned none because it judged "
        "the item not relevant; its best-scoring themes: Tools and Techniques 0.76, Social Cohesion "
        "0.31, Labour Market 0.12."
    )
    assert refused.value.suggested == ["Tools and Techniques"]
    with Session() as s:  # an editor's empty list is refused too
        with pytest.raises(ApprovalRefused, match="the editor's theme list is empty"):
            decisions.decide(
                s, themeless, "alice", "approve", revision=1, request_token=None, edits={"editor_themes": []}
            )
        s.rollback()
    with Session() as s:  # approving with a theme in the same decision works
        decision = decisions.decide(
            s,
            themeless,
            "alice",
            "approve",
            revision=1,
            request_token=None,
            edits={"editor_themes": ["Tools and Techniques"]},
        )
        s.commit()
    assert decision.status == "approved"
    assert decision.changes["editor_themes"] == {"from": [], "to": ["Tools and Techniques"]}


def test_desk_refuses_and_suggests_the_best_theme(app, Session, themeless) -> None:
    alice = editor_client(app, Session)
    page = alice.get(f"/items/{themeless}")
    assert 'Themes</dt><dd id="themes">none' in page.text
    r = alice.post(f"/items/{themeless}/decide", data=decide_form(alice, themeless, "approve"))
    assert r.status_code == 400
    assert "Approved and published" not in r.text
    assert (
        "Choose at least one theme before approving: the classifier assigned none because it judged "
        "the item not relevant; its best-scoring themes: Tools and Techniques 0.76" in r.text
    )
    assert "has Tools and Techniques ticked as a suggestion (not saved yet)" in r.text
    ticked = re.findall(r'name="editor_themes" value="([^"]+)" checked', r.text)
    assert ticked == ["Tools and Techniques"]
    assert 'id="editor_themes-error"' in r.text
    assert _status(Session, themeless) == "pending"
    # the form as shown, sent with "Save and approve": the suggested theme is saved and the item published
    form = decide_form(alice, themeless, "approve", themes_field="1", editor_themes=ticked)
    for name in ("editor_title", "editor_summary", "editor_country", "editor_content_type"):
        found = re.search(rf'name="{name}" id="{name}" value="([^"]*)"', r.text)
        form[name] = found.group(1) if found else ""
    r = alice.post(f"/items/{themeless}/decide", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    with Session() as s:
        item = s.get(Item, themeless)
        assert item.status == "approved" and item.editor_themes == ["Tools and Techniques"]
        assert item.editor_title is None and item.editor_country is None  # untouched fields follow crawls


@SQLITE_ONLY
def test_save_and_approve_is_offered_beside_save(app, Session, themeless) -> None:
    page = editor_client(app, Session).get(f"/items/{themeless}")
    form = re.search(r'<form[^>]*id="edit-form".*?</form>', page.text, re.S).group(0)
    assert 'name="action" value="edit" id="save-edit"' in form
    assert 'name="action" value="approve" id="save-approve"' in form


def test_bulk_approve_lists_a_themeless_item_as_refused(app, Session, themeless) -> None:
    with Session() as s:
        other = add_item(s, 42).id
        s.commit()
    alice = editor_client(app, Session)
    form = {"csrf_token": csrf_of(alice), "request_token": "b" * 32, "action": "approve"}
    form["item"] = [f"{themeless}:1", f"{other}:1"]
    r = alice.post("/queue/bulk", data=form)
    assert r.status_code == 200
    assert "1 item approved." in r.text
    assert f"#{themeless}</a>: Choose at least one theme before approving" in r.text
    assert _status(Session, themeless) == "pending" and _status(Session, other) == "approved"
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 1
