"""A source filter finds the row an item of that source is reviewed on (crawler.store.queue
`from_sources`): a language version folded into another source's item, or a near-duplicate member
under another source's first item, is found by its own source's filter, in ``ewsi queue --source``
and the desk's source facet alike, on both back ends."""

from __future__ import annotations

import pytest
from desklab import add_item, add_source

from crawler.store import queue
from crawler.store.schema import Item


@pytest.fixture
def kin(db_session) -> dict[str, int]:
    """A (src-a) with a French version V (src-b); group head H (src-a), member M (src-c); L (src-d)."""
    for source in ("src-a", "src-b", "src-c", "src-d"):
        add_source(db_session, source)
    add_source(db_session, "src-e")
    a = add_item(db_session, 1, source_id="src-a")
    v = add_item(db_session, 2, source_id="src-b", language="fr")
    h = add_item(db_session, 3, source_id="src-a")
    m = add_item(db_session, 4, source_id="src-c")
    lone = add_item(db_session, 5, source_id="src-d")
    mv = add_item(db_session, 6, source_id="src-e", language="de")
    v.version_of = a.id
    h.group_id = h.id
    m.group_id = h.id
    mv.version_of = m.id  # a language version of the member: two steps from H's row
    db_session.commit()
    return {"A": a.id, "V": v.id, "H": h.id, "M": m.id, "L": lone.id, "MV": mv.id}


TABLE = [
    (["src-a"], ["A", "H"]),
    (["src-b"], ["A"]),  # the version is reviewed on its item's row
    (["src-c"], ["H"]),  # the member is reviewed under its group's first item
    (["src-d"], ["L"]),
    (["src-b", "src-d"], ["A", "L"]),
    (["src-e"], ["H"]),  # the member's language version is reviewed on the group's row
]


@pytest.mark.parametrize(("sources", "rows"), TABLE)
def test_desk_source_filter_finds_the_row_of_a_folded_item(db_session, kin, sources, rows) -> None:
    filters = queue.QueueFilters(status="pending", source=tuple(sources))
    page = queue.queue_page(db_session, filters, limit=50)[0]
    name = {v: k for k, v in kin.items()}
    assert sorted(name[r["id"]] for r in page) == rows
    assert queue.count_matching(db_session, filters) == len(rows)


@pytest.mark.parametrize(("sources", "rows"), [t for t in TABLE if len(t[0]) == 1])
def test_cli_source_filter_finds_the_row_of_a_folded_item(db_session, kin, sources, rows) -> None:
    got = queue.listing(db_session, source_id=sources[0], limit=None)
    name = {v: k for k, v in kin.items()}
    assert sorted(name[r["id"]] for r in got) == rows
    assert queue.listing_count(db_session, source_id=sources[0]) == len(rows)
    members = queue.listing(db_session, source_id=sources[0], limit=None, group_members=True)
    if sources in (["src-c"], ["src-e"]):  # with the members listed, the member is there too
        assert sorted(name[r["id"]] for r in members) == ["H", "M"]
    assert all(db_session.get(Item, r["id"]).version_of is None for r in members)
