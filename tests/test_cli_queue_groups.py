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
            "1 of 40 shown + 1 member of 1 group",
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
    listed = len(rows) - sum(h is not None for h in heads)
    assert _shown(rows, listed).startswith("all " if listed > 1 else f"{listed} shown")
    titles = [_cells(row, with_status=False)[-1] for row in rows]
    assert titles == [f"t{i}" if h is None else f"↳ #{h}: t{i}" for i, h in zip(order, heads, strict=True)]
