"""The item pages of the desk (crawler.web.items): claims, decisions, history, rejection reasons.

Runs on SQLite and PostgreSQL (`db_url`); HTTP goes through FastAPI's TestClient over
``https://testserver`` so the ``Secure`` session cookie is sent back (tests/desklab.py).
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from desklab import NOW, SQLITE_ONLY, csrf_of, decide_form, editor_client
from sqlalchemy import func, select

from crawler.store import decisions, queue
from crawler.store.schema import (
    AuditEntry,
    Item,
    ReviewDecision,
    Tombstone,
)
from crawler.store.training import decided_items


@SQLITE_ONLY
def test_get_never_changes_state(app, Session, seeded) -> None:
    client = editor_client(app, Session)
    with Session() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    for path in ("/queue", f"/items/{seeded[0]}", "/history", "/sources", "/queue/counts"):
        assert client.get(path).status_code == 200
    with Session() as s:
        assert s.get(Item, seeded[0]).claimed_by is None
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before


# --- claims, decisions, history -----------------------------------------------------------------------------


def test_claim_is_exclusive_and_expires(Session, seeded) -> None:
    item_id = seeded[0]
    with Session() as s:
        until = queue.claim_item(s, item_id, "alice", now=NOW)
        s.commit()
    assert until == NOW + queue.CLAIM_LEASE
    with Session() as s:
        with pytest.raises(queue.ClaimRefused, match="alice is reviewing"):
            queue.claim_item(s, item_id, "bob", now=NOW + timedelta(minutes=4))
        s.rollback()
        queue.claim_item(s, item_id, "alice", now=NOW + timedelta(minutes=4))  # renewal
        s.commit()
    with Session() as s:
        with pytest.raises(queue.ClaimRefused):
            queue.claim_item(s, item_id, "bob", now=NOW + timedelta(minutes=8))
        s.rollback()
        queue.claim_item(s, item_id, "bob", now=NOW + timedelta(minutes=10))  # lease ran out
        s.commit()
        assert s.get(Item, item_id).claimed_by == "bob"
        claims = s.scalars(select(AuditEntry.actor).where(AuditEntry.action == "claim")).all()
    assert claims == ["alice", "bob"]  # a renewal is not a new claim


def test_racing_claims_have_one_winner(Session, seeded) -> None:
    item_id = seeded[0]
    barrier = threading.Barrier(6)
    winners: list[str] = []
    errors: list[BaseException] = []

    def run(name: str) -> None:
        with Session() as s:
            barrier.wait()
            try:
                queue.claim_item(s, item_id, name)
                s.commit()
                winners.append(name)
            except queue.ClaimRefused:
                s.rollback()
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"editor{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and len(winners) == 1
    with Session() as s:
        assert s.get(Item, item_id).claimed_by == winners[0]


def test_claim_next_skips_claimed_items(Session, seeded) -> None:
    filters = queue.QueueFilters()
    with Session() as s:
        first = queue.claim_next(s, "alice", filters, now=NOW)
        s.commit()
    with Session() as s:
        second = queue.claim_next(s, "bob", filters, now=NOW)
        s.commit()
    assert first is not None and second is not None and first != second


def test_second_editor_cannot_judge_a_claimed_item(app, Session, seeded) -> None:
    alice = editor_client(app, Session, "alice")
    bob = editor_client(app, Session, "bob")
    item_id = seeded[0]
    r = alice.post(
        f"/items/{item_id}/claim", headers={"X-CSRF-Token": csrf_of(alice), "Accept": "application/json"}
    )
    assert r.status_code == 200 and r.json()["claimed"] is True
    r = bob.post(
        f"/items/{item_id}/claim", headers={"X-CSRF-Token": csrf_of(bob), "Accept": "application/json"}
    )
    assert r.status_code == 409 and r.json()["claimed_by"] == "alice"
    page = bob.get(f"/items/{item_id}")
    assert re.search(r"Claimed by alice until \d\d:\d\d UTC\. You can read it but not decide\.", page.text)
    r = bob.post(f"/items/{item_id}/decide", data=decide_form(bob, item_id, "approve"))
    assert r.status_code == 409 and "alice is reviewing this item" in r.text
    r = alice.post(
        f"/items/{item_id}/decide", data=decide_form(alice, item_id, "approve"), follow_redirects=False
    )
    assert r.status_code == 303
    with Session() as s:
        item = s.get(Item, item_id)
        assert (item.status, item.approved_by, item.claimed_by, item.revision) == (
            "approved",
            "alice",
            None,
            2,
        )
        assert item.approved_at is not None
        assert s.scalars(select(ReviewDecision.editor)).all() == ["alice"]


def test_stale_form_is_refused_with_who_changed_it(app, Session, seeded) -> None:
    alice = editor_client(app, Session, "alice")
    bob = editor_client(app, Session, "bob")
    item_id = seeded[0]
    stale = decide_form(alice, item_id, "approve")
    edit = decide_form(bob, item_id, "edit", editor_title="Better title", editor_country="fr")
    assert bob.post(f"/items/{item_id}/decide", data=edit, follow_redirects=False).status_code == 303
    r = alice.post(f"/items/{item_id}/decide", data=stale)
    assert r.status_code == 409
    assert "changed by bob (edit" in r.text and "your form had 1" in r.text
    # the time as the desk shows times (2023-07-01 09:16 UTC), not ISO 8601
    assert re.search(r"changed by bob \(edit, \d{4}-\d\d-\d\d \d\d:\d\d UTC\)", r.text)
    with Session() as s:
        item = s.get(Item, item_id)
        assert (item.status, item.editor_title, item.editor_country, item.revision) == (
            "pending",
            "Better title",
            "FR",
            2,
        )
        changes = s.scalar(select(ReviewDecision.changes))
    # "from" is what the editor saw: the harvested values, not "unset"
    assert changes == {
        "editor_title": {"from": "Item 1", "to": "Better title"},
        "editor_country": {"from": "DE", "to": "FR"},
    }
    history = bob.get(f"/items/{item_id}").text.split('id="history"', 1)[1]
    assert '<div class="change">country: DE → FR</div>' in history
    assert '<div class="change">title: Item 1 → Better title</div>' in history


HARVESTED = {"title": "Item 1", "summary": "Harvested summary.", "country": "DE", "content_type": "news"}
"""The harvested values of the item of `test_a_change_records_the_values_the_editor_saw`; its
classifier's theme is Social Cohesion."""

# (field, the editor's value before, the value sent, recorded from, recorded to)
SEEN_CHANGES = [
    ("editor_title", None, "Austria: new rules", "Item 1", "Austria: new rules"),
    ("editor_title", "Earlier title", "Austria: new rules", "Earlier title", "Austria: new rules"),
    ("editor_title", "Earlier title", None, "Earlier title", "Item 1"),  # back to the harvested one
    ("editor_summary", None, "An English summary.", "Harvested summary.", "An English summary."),
    ("editor_summary", "Earlier summary.", None, "Earlier summary.", "Harvested summary."),
    ("editor_country", None, "at", "DE", "AT"),
    ("editor_country", "FR", "AT", "FR", "AT"),
    ("editor_country", "FR", None, "FR", "DE"),
    ("editor_content_type", None, "event", "news", "event"),
    ("editor_content_type", "document", "event", "document", "event"),
    ("editor_content_type", "document", None, "document", "news"),
    ("editor_themes", None, ["Tools and Techniques"], ["Social Cohesion"], ["Tools and Techniques"]),
    ("editor_themes", ["Active Citizenship"], [], ["Active Citizenship"], []),
    ("editor_themes", ["Active Citizenship"], None, ["Active Citizenship"], ["Social Cohesion"]),
]


def test_the_change_table_covers_every_editable_field() -> None:
    assert {case[0] for case in SEEN_CHANGES} == set(decisions.EDITABLE)


@SQLITE_ONLY
@pytest.mark.parametrize(("field", "before", "sent", "seen_from", "seen_to"), SEEN_CHANGES)
def test_a_change_records_the_values_the_editor_saw(Session, seeded, field, before, sent, seen_from, seen_to):
    """Rule: a change's "from" and "to" are the item's effective values (the editor's when set, else
    the harvested ones), the values the page showed before and shows after the edit."""
    item_id = seeded[0]
    with Session() as s:
        item = s.get(Item, item_id)
        for column, value in HARVESTED.items():
            setattr(item, column, value)
        setattr(item, field, before)
        s.commit()
        shown = decisions.item_detail(s, item_id)["effective"][field.removeprefix("editor_")]
        assert shown == seen_from  # the page showed it
        decisions.decide(s, item_id, "alice", "edit", revision=1, request_token=None, edits={field: sent})
        s.commit()
        detail = decisions.item_detail(s, item_id)
    assert detail["history"][-1]["changes"] == {field: {"from": seen_from, "to": seen_to}}
    assert detail["effective"][field.removeprefix("editor_")] == seen_to


def test_editor_title_and_summary_are_cleaned_like_harvested_text(app, Session, seeded) -> None:
    """An edited title is one line without controls or bidi overrides (it reaches the API, Atom
    titles and CSV exports); a summary keeps its paragraphs but loses the same characters."""
    bob = editor_client(app, Session, "bob")
    item_id = seeded[0]
    hostile = "Evil\u202eTITLE\nFAKE 2026-01-01 INFO\x1b[31m\u0085x\u2028y\u2066z\x00"
    summary = "First\u202e para.\r\n\r\n\r\nSecond\u2067 para.\x07"
    form = decide_form(bob, item_id, "edit", editor_title=hostile, editor_summary=summary)
    assert bob.post(f"/items/{item_id}/decide", data=form, follow_redirects=False).status_code == 303
    with Session() as s:
        item = s.get(Item, item_id)
        assert item.editor_title == "EvilELTIT FAKE 2026-01-01 INFO[31m x yz"  # as the override showed it
        assert item.editor_summary == "First.arap\n\nSecond para."


def test_double_submit_records_one_decision(app, Session, seeded) -> None:
    alice = editor_client(app, Session)
    form = decide_form(alice, seeded[0], "approve")
    first = alice.post(f"/items/{seeded[0]}/decide", data=form, follow_redirects=False)
    second = alice.post(f"/items/{seeded[0]}/decide", data=form, follow_redirects=False)
    assert first.headers["location"].endswith("msg=approve")
    assert second.headers["location"].endswith("msg=repeated")
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 1
        assert (
            s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "approve")) == 1
        )


def test_reject_tombstones_and_history_and_training(app, Session, seeded) -> None:
    alice = editor_client(app, Session)
    no_reason = alice.post(f"/items/{seeded[0]}/decide", data=decide_form(alice, seeded[0], "reject"))
    assert no_reason.status_code == 400 and "needs a reason" in no_reason.text
    form = decide_form(alice, seeded[0], "reject", reason="not relevant")
    assert alice.post(f"/items/{seeded[0]}/decide", data=form, follow_redirects=False).status_code == 303
    form = decide_form(alice, seeded[1], "edit", editor_themes=["Active Citizenship"], themes_field="1")
    assert alice.post(f"/items/{seeded[1]}/decide", data=form, follow_redirects=False).status_code == 303
    form = decide_form(alice, seeded[1], "approve")
    assert alice.post(f"/items/{seeded[1]}/decide", data=form, follow_redirects=False).status_code == 303
    form = decide_form(alice, seeded[2], "defer")
    assert alice.post(f"/items/{seeded[2]}/decide", data=form, follow_redirects=False).status_code == 303
    with Session() as s:
        item0 = s.get(Item, seeded[0])
        assert item0.status == "rejected"
        assert s.get(Tombstone, item0.identity_hash).reason == "not relevant"
        for item_id in seeded:
            actions = [h["action"] for h in decisions.item_history(s, item_id)]
            assert s.get(Item, item_id).status == decisions.derived_status(actions)
        training = {row.item_id: row for row in decided_items(s)}
    assert set(training) == {seeded[0], seeded[1]}
    assert training[seeded[0]].relevant is False
    assert training[seeded[1]].relevant is True
    assert training[seeded[1]].themes == ("Active Citizenship",)
    assert training[seeded[1]].language == "de"
    page = alice.get(f"/items/{seeded[1]}")
    history = re.findall(r'<td class="action">(\w+)</td>', page.text)
    assert history == ["edit", "approve"]
    # the themes it had were the classifier's: the history names them
    assert '<div class="change">themes: Social Cohesion → Active Citizenship</div>' in page.text
    assert "Set by an editor: Active Citizenship." in page.text  # above the classifier's table
    listing = alice.get(f"/history?item={seeded[0]}")
    assert "not relevant" in listing.text


def test_reject_reason_must_be_listed(app, Session, seeded) -> None:
    """Only the reject select's values are accepted; anything else is a 400 and nothing is stored."""
    alice = editor_client(app, Session)
    page = alice.get(f"/items/{seeded[0]}")
    select_html = re.search(r'<select name="reason" id="reason">(.*?)</select>', page.text, re.S).group(1)
    offered = [v for v in re.findall(r"<option>([^<]*)</option>", select_html)]
    assert tuple(offered) == decisions.REJECT_REASONS
    for reason in ("x" * 100_000, "Not relevant", "other: spam", "other\x00", "duplicate, spam"):
        r = alice.post(
            f"/items/{seeded[0]}/decide", data=decide_form(alice, seeded[0], "reject", reason=reason)
        )
        assert r.status_code == 400 and "unknown rejection reason: choose one of not relevant" in r.text
        assert "x" * 600 not in r.text
    csrf = csrf_of(alice)
    form = {"csrf_token": csrf, "request_token": "g" * 32, "action": "reject", "reason": "x" * 100_000}
    form["item"] = [f"{seeded[1]}:1", f"{seeded[2]}:1"]
    r = alice.post("/queue/bulk", data=form)
    assert r.status_code == 400 and "unknown rejection reason" in r.text
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 0
        assert s.scalar(select(func.count()).select_from(Tombstone)) == 0
        assert set(s.scalars(select(Item.status))) == {"pending"}
        assert (
            s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "reject")) == 0
        )
    ok = decide_form(alice, seeded[0], "reject", reason=" poor quality ")
    assert alice.post(f"/items/{seeded[0]}/decide", data=ok, follow_redirects=False).status_code == 303
    approve = decide_form(alice, seeded[1], "approve", reason="x" * 100_000)  # ignored: not a rejection
    assert alice.post(f"/items/{seeded[1]}/decide", data=approve, follow_redirects=False).status_code == 303
    with Session() as s:
        assert dict(s.execute(select(ReviewDecision.action, ReviewDecision.reason)).all()) == {
            "reject": "poor quality",
            "approve": None,
        }


def test_refused_edit_keeps_the_typed_values(app, Session, seeded) -> None:
    alice = editor_client(app, Session)
    item_id = seeded[1]
    before = alice.get(f"/items/{item_id}").text
    assert re.search(r'name="editor_themes" value="Social Cohesion" checked', before)
    typed = {
        "editor_title": "A title the editor typed",
        "editor_summary": "A summary the editor typed.",
        "editor_country": "XX",
        "editor_content_type": "news",
        "themes_field": "1",
    }  # no editor_themes: the editor unticked the only theme
    form = decide_form(alice, item_id, "edit", **typed)
    r = alice.post(f"/items/{item_id}/decide", data=form, follow_redirects=False)
    assert r.status_code == 400
    page = r.text
    edit_form = page.split('id="edit-form"', 1)[1].split("</form>", 1)[0]
    assert 'value="A title the editor typed"' in edit_form
    assert ">A summary the editor typed.</textarea>" in edit_form
    assert 'value="XX"' in edit_form
    assert " checked" not in edit_form  # the unticked theme stays unticked
    # the message sits beside the country field, and the page names the item's own address
    country = edit_form.split('id="editor_country"', 1)[1]
    assert country.lstrip().startswith('value="XX" maxlength="200"') and 'aria-invalid="true"' in country
    error = r'id="editor_country-error" role="alert">use a two-letter code such as DE or AT'
    assert re.search(error, country)
    assert f'data-url="/items/{item_id}"' in page
    assert "The changes were not saved" in page
    with Session() as s:
        item = s.get(Item, item_id)
        assert item.editor_title is None and item.editor_country is None
    # the page stays usable: the same form with the country corrected is saved
    token = re.search(r'name="request_token" value="([0-9a-f]+-e)"', page).group(1)
    revision = re.search(r'name="revision" value="(\d+)"', edit_form).group(1)
    fixed = {**form, **typed, "editor_country": "FR", "request_token": token, "revision": revision}
    r = alice.post(f"/items/{item_id}/decide", data=fixed, follow_redirects=False)
    assert r.status_code == 303, r.text
    with Session() as s:
        item = s.get(Item, item_id)
        assert item.editor_title == "A title the editor typed" and item.editor_country == "FR"
        assert item.editor_themes == []
