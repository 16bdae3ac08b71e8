"""A corrigendum of a funding call (new deadline, budget change) or a moved event is a new version
of the same item whose version row keeps the old and the new value of each changed field
(crawler.store.field_changes, migration 0022_structured_versions), and the desk's item page shows
them: "deadline: 2026-05-12 15:00 UTC → 2026-06-02 15:00 UTC"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from desklab import SQLITE_ONLY, add_source, editor_client
from sqlalchemy import select

from crawler.store import items as queries
from crawler.store.field_changes import changes, describe
from crawler.store.schema import Item
from tests.test_funding_api import harvest

HOUSING = "AMIF-2026-TF2-AG-INTE-03-HOUSING"


def _store_both_runs(session: Any) -> Item:
    """Store the recorded first run, then the second (whose housing call has a corrigendum)."""
    for item in harvest("funding_tenders_search_1.json"):
        queries.upsert_item(session, item)
    for item in harvest("funding_tenders_search_2.json"):
        queries.upsert_item(session, item)
    session.commit()
    return session.scalars(select(Item).where(Item.official_id == HOUSING)).one()


def test_the_version_row_keeps_old_and_new_values(db_session: Any) -> None:
    row = _store_both_runs(db_session)
    (version,) = queries.item_versions(db_session, row.id)
    assert version["field_changes"] == [
        {"field": "deadlines", "old": ["2026-05-12T15:00:00Z"], "new": ["2026-06-02T15:00:00Z"]},
        {"field": "budget_amount", "old": 3_000_000.0, "new": 3_500_000.0},
    ]
    assert [describe(c) for c in version["field_changes"]] == [
        "deadline: 2026-05-12 15:00 UTC → 2026-06-02 15:00 UTC",
        "budget: 3,000,000 → 3,500,000",
    ]
    # the calls without a corrigendum got no version at all
    others = db_session.scalars(select(Item.id).where(Item.official_id != HOUSING)).all()
    assert all(queries.item_versions(db_session, i) == [] for i in others)


@SQLITE_ONLY
def test_the_item_page_shows_what_the_corrigendum_changed(app: Any, Session: Any) -> None:
    with Session() as session:
        add_source(session, "eu-funding-tenders", "Funding & Tenders")
        row_id = _store_both_runs(session).id
    page = editor_client(app, Session).get(f"/items/{row_id}").text
    section = page[page.index('id="field-changes"') :].split("</section>", 1)[0]
    assert "version 2" in section
    assert "<bdi>deadline: 2026-05-12 15:00 UTC → 2026-06-02 15:00 UTC</bdi>" in section
    assert "<bdi>budget: 3,000,000 → 3,500,000</bdi>" in section


T1 = datetime(2026, 3, 15, 16, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 29, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("old", "new", "changed", "lines"),
    [
        # a deadline moved (stored as lists of ISO strings)
        (
            {"deadlines": ["2026-03-15T16:00:00Z"]},
            {"deadlines": ["2026-03-29T16:00:00Z"]},
            ["deadlines"],
            ["deadline: 2026-03-15 16:00 UTC → 2026-03-29 16:00 UTC"],
        ),
        # a second cut-off added
        (
            {"deadlines": ["2026-03-15T16:00:00Z"]},
            {"deadlines": ["2026-03-15T16:00:00Z", "2026-09-24T15:00:00Z"]},
            ["deadlines"],
            ["deadline: 2026-03-15 16:00 UTC → 2026-03-15 16:00 UTC; 2026-09-24 15:00 UTC"],
        ),
        # an event moved and went online (datetimes, booleans); title changes are not listed here
        (
            {"event_start": T1, "event_online": False, "title": "a"},
            {"event_start": T2, "event_online": True, "title": "b"},
            ["title", "event_start", "event_online"],
            ["start: 2026-03-15 16:00 UTC → 2026-03-29 16:00 UTC", "online: no → yes"],
        ),
        # an opening date given for the first time, a currency, eligible countries, a budget in cents
        (
            {"opens_at": None, "budget_currency": "EUR", "eligible_countries": ["AT", "DE"]},
            {"opens_at": T1, "budget_currency": "CHF", "eligible_countries": ["AT", "DE", "NO"]},
            ["opens_at", "budget_currency", "eligible_countries"],
            [
                "opening: none → 2026-03-15 16:00 UTC",
                "currency: EUR → CHF",
                "eligible countries: AT; DE → AT; DE; NO",
            ],
        ),
        (
            {"budget_amount": 1_250.5},
            {"budget_amount": 2_000},
            ["budget_amount"],
            ["budget: 1,250.50 → 2,000"],
        ),
        # a call id that looks like no date stays as written
        (
            {"call_id": "CERV-2026-1"},
            {"call_id": "CERV-2026-2"},
            ["call_id"],
            ["call id: CERV-2026-1 → CERV-2026-2"],
        ),
        ({}, {}, ["content"], []),
    ],
)
def test_changes_and_their_lines(
    old: dict[str, Any], new: dict[str, Any], changed: list[str], lines: list[str]
) -> None:
    found = changes(old, new, changed)
    assert [describe(c) for c in found] == lines
    assert all(isinstance(c["old"], str | float | int | bool | list | None) for c in found)
