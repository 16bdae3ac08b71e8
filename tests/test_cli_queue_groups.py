"""``ewsi queue --group-members`` (crawler.commands.queue `under_heads`): each member of a
near-duplicate group follows its group's first item directly and names it (``"group_head"`` in
``--json``, ``↳ #HEAD:`` before the title in the table); the title counts the groups and members."""

from __future__ import annotations

from typing import Any

import pytest

from crawler.commands.queue import _cells, _shown, under_heads


def _rows(spec: list[tuple[int, int | None]]) -> list[dict[str, Any]]:
    """(id, group) pairs in the listing's order."""
    return [{"id": i, "group": g, "title": f"t{i}", "source_id": "s", "themes": []} for i, g in spec]


@pytest.mark.parametrize(
    ("listing", "order", "heads", "shown"),
    [
        pytest.param([(1, None), (2, None)], [1, 2], [None, None], "2 of 40 shown", id="no-groups"),
        pytest.param([(6, 6), (1, None)], [6, 1], [None, None], "2 of 40 shown", id="head-alone"),
        pytest.param(
            [(13, 6), (1, None), (6, 6)],
            [1, 6, 13],
            [None, None, 6],
            "2 of 40 shown + 1 member of 1 group",
            id="member-before-its-head",
        ),
        pytest.param(
            [(6, 6), (1, None), (13, 6)],
            [6, 13, 1],
            [None, 6, None],
            "2 of 40 shown + 1 member of 1 group",
            id="member-after-another-row",
        ),
        pytest.param(
            [(8, 6), (3, 3), (6, 6), (9, 6), (4, 3)],
            [3, 4, 6, 8, 9],
            [None, 3, None, 6, 6],
            "2 of 40 shown + 3 members of 2 groups",
            id="two-groups-members-keep-their-order",
        ),
        pytest.param(
            [(1, None), (13, 6)],
            [1, 13],
            [None, 6],
            "2 of 40 shown",
            id="head-not-listed",
        ),
    ],
)
def test_members_follow_their_head(
    listing: list[tuple[int, int | None]], order: list[int], heads: list[int | None], shown: str
) -> None:
    rows = under_heads(_rows(listing))
    assert [row["id"] for row in rows] == order
    assert [row["group_head"] for row in rows] == heads
    assert _shown(rows, 40) == shown
    listed = len(rows) - sum(h is not None and h in order for h in heads)
    assert _shown(rows, listed).startswith("all " if listed > 1 else f"{listed} shown")
    titles = [_cells(row, with_status=False)[-1] for row in rows]
    assert titles == [f"t{i}" if h is None else f"↳ #{h}: t{i}" for i, h in zip(order, heads, strict=True)]


# (item number, relevance, group: the number of the group's first item or None)
GROUPED = [
    (1, 0.9, None),
    (2, 0.8, 2),
    (3, 0.7, None),
    (4, 0.6, None),
    (5, 0.5, 5),
    (6, 0.2, 2),
    (7, 0.1, 5),
    (8, 0.05, 2),
]


@pytest.mark.parametrize(
    ("limit", "listed"),
    [
        # the members of a listed group follow it, however far down the order they are
        (1, [1]),
        (2, [1, 2, 6, 8]),
        (3, [1, 2, 6, 8, 3]),
        (5, [1, 2, 6, 8, 3, 4, 5, 7]),
        (50, [1, 2, 6, 8, 3, 4, 5, 7]),
    ],
)
def test_the_limit_counts_groups_and_keeps_their_members(db_session, limit: int, listed: list[int]) -> None:
    from desklab import add_item, add_source

    from crawler.store import queue

    add_source(db_session, "src-a")
    ids = {}
    for n, relevance, _group in GROUPED:
        ids[n] = add_item(db_session, n, relevance=relevance, published_at=None).id
    for n, _relevance, group in GROUPED:
        if group is not None:
            db_session.get(queue.Item, ids[n]).group_id = ids[group]
    db_session.commit()
    rows = under_heads(queue.listing(db_session, limit=limit, group_members=True))
    number = {v: k for k, v in ids.items()}
    assert [number[row["id"]] for row in rows] == listed
    heads = sum(row["group_head"] is None for row in rows)
    assert heads == min(limit, 5)
    assert "group_id" not in rows[0]


@pytest.mark.parametrize(
    ("decided", "limit", "listed", "total"),
    [
        # nothing decided: five rows lead (1, 2, 3, 4, 5), members follow their group's first item
        ({}, 50, [1, 2, 6, 8, 3, 4, 5, 7], 5),
        # group 2's first item approved, its members still pending: each member leads on its own row
        ({2: "approved"}, 50, [1, 3, 4, 5, 7, 6, 8], 6),
        ({2: "approved"}, 3, [1, 3, 4], 6),
        # both groups' first items decided: every member leads
        ({2: "approved", 5: "rejected"}, 50, [1, 3, 4, 6, 7, 8], 6),
        # a member decided alone leaves its group's first item leading with the other member
        ({6: "deferred"}, 50, [1, 2, 8, 3, 4, 5, 7], 5),
    ],
)
def test_the_count_with_members_is_the_rows_that_lead(
    db_session, decided: dict[int, str], limit: int, listed: list[int], total: int
) -> None:
    """Rule: with ``--group-members``, "N of M shown" counts in M exactly the rows that take a place
    under the limit (`_first_groups`), so a pending member whose first item is decided is in it."""
    from desklab import add_item, add_source

    from crawler.store import queue

    add_source(db_session, "src-a")
    ids = {n: add_item(db_session, n, relevance=r, published_at=None).id for n, r, _group in GROUPED}
    for n, _relevance, group in GROUPED:
        if group is not None:
            db_session.get(queue.Item, ids[n]).group_id = ids[group]
    for n, status in decided.items():
        db_session.get(queue.Item, ids[n]).status = status
    db_session.commit()
    number = {v: k for k, v in ids.items()}
    rows = under_heads(queue.listing(db_session, limit=limit, group_members=True))
    assert [number[row["id"]] for row in rows] == listed
    count = queue.listing_count(db_session, group_members=True)
    assert count == total
    unlimited = under_heads(queue.listing(db_session, limit=None, group_members=True))
    shown = _shown(unlimited, count)
    members = len(unlimited) - count
    assert shown.startswith(f"all {count} shown") and (f" + {members} member" in shown) == (members > 0)
    # without members, one row per group whose first item matches
    assert queue.listing_count(db_session) == len(queue.listing(db_session, limit=None))
