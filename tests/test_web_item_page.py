"""The item page's claim and flash messages (crawler.web.items, crawler.web.desk `decided_message`).

Only an item waiting for a decision is claimed: a decided item's page has no claim banner and no
Claim button, and its claim is refused; a held claim shows Release, never Claim. The message after a
decision names the item it was about.
"""

from __future__ import annotations

import re

import pytest
from desklab import SQLITE_ONLY, csrf_of, decide_form, editor_client
from sqlalchemy import select, update

from crawler.store.schema import AuditEntry, Item


def _claim(client, item_id: int):
    headers = {"X-CSRF-Token": csrf_of(client), "Accept": "application/json"}
    return client.post(f"/items/{item_id}/claim", headers=headers)


def _with_status(Session, item_id: int, status: str) -> int:
    """Set item `item_id`'s status (as a decision or a change would have left it); return the id."""
    with Session() as s:
        s.execute(update(Item).where(Item.id == item_id).values(status=status))
        s.commit()
    return item_id


@pytest.mark.parametrize("status", ["approved", "rejected"])
def test_a_decided_item_is_not_claimed(app, Session, seeded, status: str) -> None:
    item_id = _with_status(Session, seeded[0], status)
    alice = editor_client(app, Session)
    page = alice.get(f"/items/{item_id}").text
    assert 'id="claim-banner"' not in page and "Not claimed yet" not in page
    assert 'id="claim"' not in page and 'data-claimable="false"' in page
    r = _claim(alice, item_id)  # what the page's script would have sent
    assert r.status_code == 409 and r.json()["claimed"] is False
    assert f"This item is {status}" in r.json()["message"]
    with Session() as s:
        assert s.get(Item, item_id).claimed_by is None
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "claim")).first() is None


@SQLITE_ONLY
@pytest.mark.parametrize("status", ["pending", "deferred", "changed"])
def test_an_item_waiting_for_a_decision_is_claimed(app, Session, seeded, status: str) -> None:
    item_id = _with_status(Session, seeded[0], status)
    alice = editor_client(app, Session)
    page = alice.get(f"/items/{item_id}").text
    assert 'data-claimable="true"' in page and "Not claimed yet." in page
    assert re.search(r'id="claim-form">', page) and re.search(r'id="release-form" hidden>', page)
    assert _claim(alice, item_id).json()["claimed"] is True
    page = alice.get(f"/items/{item_id}").text
    assert "Claimed by you (alice)" in page
    # never a Claim button beside "Claimed by you": Release instead
    assert re.search(r'id="claim-form" hidden>', page) and re.search(r'id="release-form">', page)


def test_messages_after_a_decision_name_the_item(app, Session, seeded) -> None:
    alice = editor_client(app, Session)
    first, second, third = seeded
    with Session() as s:
        s.execute(update(Item).where(Item.id == first).values(title="A title long enough " * 5))
        s.commit()
    r = alice.post(
        f"/items/{first}/decide", data=decide_form(alice, first, "approve"), follow_redirects=False
    )
    page = alice.get(r.headers["location"]).text
    assert f"#{first} &#39;A title long enough A title long enough A title long enough…&#39; " in page
    assert "approved and published." in page and "Approved and published." not in page
    form = decide_form(alice, second, "reject", reason="duplicate")
    page = alice.post(f"/items/{second}/decide", data=form).text
    assert f"#{second} &#39;Item 2&#39; rejected; it will not come back in later crawls." in page
    r = alice.post(f"/items/{third}/decide", data=decide_form(alice, third, "defer"), follow_redirects=False)
    assert r.headers["location"].startswith("/queue?") and f"done={third}&msg=defer" in r.headers["location"]
    assert f"#{third} &#39;Item 3&#39; deferred." in alice.get(r.headers["location"]).text
