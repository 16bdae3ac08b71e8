"""An item's effective themes (crawler.store.themes): the editor's list when set (an empty list too),
else the classifier's assigned themes, read the same way by the desk's queue (filter, facet counts,
rows), ``ewsi queue``, the portal and coverage. Runs on SQLite and PostgreSQL (`db_url`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from desklab import NOW, add_item, add_source
from sqlalchemy import null, update

from crawler.cli import main as ewsi
from crawler.store import coverage, portal, queue
from crawler.store import themes as item_themes
from crawler.store.schema import Item

SC, EP, TT, AC = "Social Cohesion", "Economic Participation", "Tools and Techniques", "Active Citizenship"

# item number: (assigned theme, editor_themes as stored, effective themes)
ITEMS: dict[int, tuple[str, Any, list[str]]] = {
    1: (SC, None, [SC]),  # unset (JSON null)
    2: (SC, [EP], [EP]),  # set: replaces the classifier's
    3: (SC, [], []),  # set to an empty list: "no themes"
    4: (TT, None, [TT]),  # unset
    5: (EP, "sql-null", [EP]),  # unset (SQL NULL)
    6: (TT, [SC, TT], [SC, TT]),  # set, two themes
}

# (theme asked for, the item numbers that have it)
THEME_CASES = [
    (SC, [1, 6]),
    (EP, [2, 5]),
    (TT, [4, 6]),
    (AC, []),
]


@pytest.fixture
def store(db_session) -> tuple[Any, dict[int, int]]:
    """The items of `ITEMS`, approved a day ago, in DE; returns (session, number -> item id)."""
    add_source(db_session, "src-a")
    ids: dict[int, int] = {}
    for n, (assigned, edited, _) in ITEMS.items():
        item = add_item(
            db_session,
            n,
            themes={assigned: 0.8, AC: 0.1},
            editor_themes=None if edited == "sql-null" else edited,
            editor_title=f"Edited {n}" if n == 2 else None,
            status="approved",
            approved_at=NOW - timedelta(days=1),
            modified_at=NOW - timedelta(days=1),
        )
        ids[n] = item.id
    db_session.execute(update(Item).where(Item.id == ids[5]).values(editor_themes=null()))
    db_session.commit()
    return db_session, ids


def _numbers(ids: dict[int, int], found: list[int]) -> list[int]:
    back = {v: k for k, v in ids.items()}
    return sorted(back[i] for i in found)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ([], []),
        ([EP], [EP]),
        ((SC, TT), [SC, TT]),
        ([{"name": SC}, "", None, 3], [SC]),
        (SC, None),  # not a list: not set
        ({"name": SC}, None),
    ],
)
def test_editor_list(value: Any, expected: list[str] | None) -> None:
    assert item_themes.editor_list(value) == expected


@pytest.mark.parametrize(
    ("edited", "assigned", "expected"),
    [(None, [SC], [SC]), ([], [SC], []), ([EP], [SC], [EP]), ("x", [TT, SC], [TT, SC]), (None, [], [])],
)
def test_effective(edited: Any, assigned: list[str], expected: list[str]) -> None:
    assert item_themes.effective(edited, assigned) == expected


def test_rows_helper_reads_each_state(store) -> None:
    session, ids = store
    found = item_themes.of_items(session, list(ids.values()))
    assert {n: found[ids[n]] for n in ITEMS} == {n: want for n, (_, _, want) in ITEMS.items()}


@pytest.mark.parametrize(("theme", "expected"), THEME_CASES)
@pytest.mark.parametrize("surface", ["desk", "cli", "portal"])
def test_theme_filter_uses_the_effective_themes(store, surface: str, theme: str, expected: list[int]) -> None:
    session, ids = store
    if surface == "desk":
        rows, _ = queue.queue_page(session, queue.QueueFilters(status="any", themes=(theme,)), now=NOW)
        found = [r["id"] for r in rows]
    elif surface == "cli":
        found = [r["id"] for r in queue.listing(session, status=None, theme=theme, now=NOW)]
    else:
        page = portal.list_items(session, portal.ItemFilter(themes=(theme,)))
        found = [r["id"] for r in page.items]
    assert _numbers(ids, found) == expected


@pytest.mark.parametrize("surface", ["desk", "uncertain", "cli", "portal"])
def test_rows_show_the_effective_themes(store, surface: str) -> None:
    session, ids = store
    if surface == "desk":
        rows = queue.queue_page(session, queue.QueueFilters(status="any"), now=NOW)[0]
        shown = {r["id"]: r["themes"] for r in rows}
    elif surface == "uncertain":
        rows = queue.uncertain_page(session, queue.QueueFilters(status="any"), now=NOW)
        shown = {r["id"]: r["themes"] for r in rows}
    elif surface == "cli":
        rows = queue.listing(session, status=None, now=NOW)
        shown = {r["id"]: [t["name"] for t in r["themes"]] for r in rows}
    else:
        shown = {r["id"]: r["themes"] for r in portal.list_items(session, portal.ItemFilter()).items}
    assert {n: shown[ids[n]] for n in ITEMS} == {n: want for n, (_, _, want) in ITEMS.items()}


def test_facet_counts_count_the_effective_themes(store) -> None:
    session, _ = store
    counts = queue.queue_counts(session, queue.QueueFilters(status="any"))
    assert counts["theme"] == {SC: 2, EP: 2, TT: 2}
    # the theme facet under another filter, and the other facets under the theme filter
    narrowed = queue.queue_counts(session, queue.QueueFilters(status="any", themes=(EP,)))
    assert narrowed["total"] == {"": 2} and narrowed["theme"] == {SC: 2, EP: 2, TT: 2}


@pytest.mark.parametrize("measure", ["approved", "published"])
def test_coverage_counts_an_item_under_its_edited_themes(store, measure) -> None:
    session, _ = store
    cells = coverage.counts(session, "theme", measure, NOW - timedelta(days=30), NOW)
    assert cells == {("DE", SC): 2, ("DE", EP): 2, ("DE", TT): 2}
    sources = coverage.cell_sources(session, "theme", measure, NOW - timedelta(days=30), NOW)
    assert sources[("DE", EP)] == ["src-a"]


@pytest.mark.parametrize(
    ("n", "title", "themes", "by_editor", "classifier"),
    [
        (1, "Item 1", [{"name": SC, "score": 0.8}], False, [SC]),
        (2, "Edited 2", [{"name": EP, "score": None}], True, [SC]),
        (3, "Item 3", [], True, [SC]),
        (6, "Item 6", [{"name": SC, "score": None}, {"name": TT, "score": 0.8}], True, [TT]),
    ],
)
def test_cli_listing_keeps_the_classifier_values_apart(
    store, n: int, title: str, themes: list[dict[str, Any]], by_editor: bool, classifier: list[str]
) -> None:
    session, ids = store
    row = next(r for r in queue.listing(session, status=None, now=NOW) if r["id"] == ids[n])
    assert (row["title"], row["harvested_title"]) == (title, f"Item {n}")
    assert row["themes"] == themes and row["themes_by_editor"] is by_editor
    assert [t["name"] for t in row["classifier_themes"]] == classifier
    assert "editor_themes" not in row


@pytest.mark.parametrize(
    ("argv", "status_column"),
    [
        (["--status", "any"], True),
        (["--status", "approved"], False),
        (["--theme", "EP", "--status", "any"], True),
    ],
)
def test_cli_table_shows_the_desk_values(store, db_url, monkeypatch, capsys, argv, status_column) -> None:
    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")
    assert ewsi(["queue", *argv]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.strip().startswith("id"))
    assert ("status" in header.split()) is status_column
    assert "Edited 2" in out and "Item 2 " not in out
    if "--theme" in argv:
        assert "Edited 2" in out and "Item 5" in out and "Item 1 " not in out
        assert "approved" in out


@pytest.mark.parametrize(
    ("number", "edited_to", "history_from"),
    [
        (1, [TT], [SC]),  # unset: the item had the classifier's themes, and the history says so
        (5, [], [EP]),  # unset (SQL NULL), edited to "no themes"
        (2, [SC], [EP]),  # set: the editor's earlier list
        (3, [AC], []),  # set to none before
    ],
)
def test_a_theme_edit_records_the_themes_the_item_had(store, number, edited_to, history_from) -> None:
    from crawler.store import decisions

    session, ids = store
    item = session.get(Item, ids[number])
    decisions.decide(
        session,
        ids[number],
        "alice",
        "edit",
        revision=item.revision,
        request_token=None,
        edits={"editor_themes": edited_to},
        now=NOW,
    )
    session.commit()
    detail = decisions.item_detail(session, ids[number])
    assert detail["effective"]["themes"] == edited_to
    change = detail["history"][-1]["changes"]["editor_themes"]
    assert change == {"from": history_from, "to": edited_to}
