"""One queue order for the desk and ``ewsi queue`` (crawler.store.priority), pinned on a table of items
on SQLite and PostgreSQL: funding calls due within 21 days first (a missing deadline never hides an
item), then relevance bands, dated before undated inside a band (an item dated by its fetch time is
undated), freshness last; ``uncertain`` puts
the items the classifier is least sure about first, in steps of 0.1 of |relevance - 0.5|, languages
taking turns inside a step."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from desklab import NOW, add_item, add_source
from sqlalchemy import select

from crawler.store import decisions, priority
from crawler.store import queue as store
from crawler.store.schema import Item

# (n, relevance, published days ago or None, content type, deadline in days or None, language)
TABLE = [
    (1, 0.95, 300, "news", None, "en"),  # old but very relevant: above any fresher lower band
    (2, 0.10, 0, "news", None, "en"),  # new today but off topic: low
    (3, 0.80, 2, "news", None, "de"),
    (4, 0.80, None, "news", None, "de"),  # undated: after the dated items of its band
    (5, 0.55, 1, "news", None, "fr"),
    (6, 0.30, 5, "funding", None, "fr"),  # funding call without a deadline: listed, in its band
    (7, 0.20, 9, "funding", 10, "it"),  # due in 10 days: first
    (8, 0.90, 9, "funding", 40, "it"),  # due in 40 days: in its band
    (9, 0.00, None, "news", None, "en"),  # undated and off topic: last
    (10, None, 3, "news", None, "en"),  # no score counts as 0
    (11, 0.49, 4, "news", None, "de"),
    (12, 0.52, 6, "news", None, "en"),
    (13, 0.60, 7, None, None, "fr"),  # no content type at all: listed
    (14, 0.80, 0, "news", None, "en"),  # dated by its fetch time (a feed date ahead, B10): undated
]
FETCH_TIME = {14}
"""Items whose date is their fetch time (date_method ``fetch_time``): in the order, undated ones."""
PRIORITY = [7, 3, 8, 1, 14, 4, 5, 12, 13, 11, 6, 2, 10, 9]
# (n, relevance, language) for the uncertain order: u = |relevance - 0.5| in steps of 0.1 (no value on a
# step's edge), languages taking turns inside a step
UNCERTAIN_TABLE = [
    (1, 0.47, "en"),  # step 0 (u .03)
    (2, 0.55, "de"),  # step 0 (.05)
    (3, 0.44, "en"),  # step 0 (.06): en's second, after the other languages' first
    (4, 0.58, "fr"),  # step 0 (.08)
    (5, 0.35, "de"),  # step 1 (.15)
    (6, 0.64, "en"),  # step 1 (.14)
    (7, 0.06, "fi"),  # step 4 (.44): a sure item of a language seen nowhere else stays late
    (8, 0.25, "fr"),  # step 2 (.25)
    (9, None, "it"),  # step 4 (no score: .5)
    (10, 0.93, "de"),  # step 4 (.43)
    (11, 0.72, "en"),  # step 2 (.22)
]
UNCERTAIN = [1, 2, 4, 3, 6, 5, 11, 8, 10, 7, 9]


@pytest.fixture
def table(Session):
    with Session() as s:
        add_source(s, "src-a")
        for n, rel, age, ctype, due, lang in TABLE:
            add_item(
                s,
                n,
                relevance=rel,
                published_at=None if age is None else NOW - timedelta(days=age),
                first_seen_at=NOW - timedelta(days=(age if age is not None else 1), hours=-1),
                content_type=ctype,
                deadline=None if due is None else NOW + timedelta(days=due),
                language=lang,
                date_method="fetch_time" if n in FETCH_TIME else "feed",
            )
        s.commit()


def _numbers(rows) -> list[int]:
    return [int(r["title"].split()[1]) for r in rows]


def test_desk_order(Session, table) -> None:
    with Session() as s:
        rows, cursor = store.queue_page(s, store.QueueFilters(), limit=200, now=NOW)
    assert cursor is None
    assert _numbers(rows) == PRIORITY


@pytest.mark.parametrize("page", [1, 2, 5])
def test_desk_pages_follow_the_same_order(Session, table, page) -> None:
    seen, cursor = [], None
    with Session() as s:
        while True:
            rows, cursor = store.queue_page(s, store.QueueFilters(), after=cursor, limit=page, now=NOW)
            seen += _numbers(rows)
            if cursor is None:
                break
    assert seen == PRIORITY


def test_cli_order_is_the_desk_order(Session, table) -> None:
    with Session() as s:
        rows = store.listing(s, status="pending", limit=None, now=NOW)
    assert _numbers(rows) == PRIORITY


def test_counts_and_list_agree(Session, table) -> None:
    with Session() as s:
        total = store.queue_counts(s, store.QueueFilters())["total"][""]
        rows, _ = store.queue_page(s, store.QueueFilters(), limit=200, now=NOW)
    assert total == len(rows) == len(TABLE)


@pytest.fixture
def uncertain_table(Session):
    with Session() as s:
        add_source(s, "src-a")
        for n, rel, lang in UNCERTAIN_TABLE:
            add_item(s, n, relevance=rel, published_at=NOW - timedelta(days=n), language=lang)
        s.commit()


def test_uncertain_order_spreads_across_languages_inside_a_step(Session, uncertain_table) -> None:
    with Session() as s:
        desk = store.uncertain_page(s, store.QueueFilters(), limit=len(UNCERTAIN), now=NOW)
        cli = store.listing(s, status="pending", limit=len(UNCERTAIN), order="uncertain")
    assert _numbers(desk) == UNCERTAIN
    assert _numbers(cli) == UNCERTAIN


# (relevance, step): a score on a step's bound belongs to the step further from 0.5, on both sides
STEP_BOUNDS = [
    (0.5, 0),
    (0.41, 0),
    (0.5999, 0),
    (0.4, 1),
    (0.6, 1),
    (0.3, 2),
    (0.7, 2),
    (0.2, 3),
    (0.8, 3),
    (0.1, 4),
    (0.9, 4),
    (0.0, 4),
    (1.0, 4),
    (None, 4),
]


def test_uncertainty_steps_on_their_bounds(Session) -> None:
    """0.4 and 0.6 are one step, 0.3 and 0.7 the next: in floating point |0.6 - 0.5| < 0.1 and
    |0.7 - 0.5| < 0.2 but |0.3 - 0.5| is not, which put a bound score a step too low on one side."""
    with Session() as s:
        add_source(s, "src-a")
        for n, (rel, _) in enumerate(STEP_BOUNDS, start=1):
            add_item(s, n, relevance=rel, published_at=NOW - timedelta(days=n))
        s.commit()
        got = dict(s.execute(select(Item.id, priority.uncertainty_step())).all())
    assert [got[n] for n in range(1, len(STEP_BOUNDS) + 1)] == [step for _, step in STEP_BOUNDS]


def test_unknown_order_is_refused(Session) -> None:
    with Session() as s, pytest.raises(ValueError, match="unknown queue order"):
        store.listing(s, order="newest")


# (relevance, band): the bounds of RELEVANCE_BANDS are inclusive; no score counts as 0
BAND_CASES = [
    (1.0, 3),
    (0.75, 3),
    (0.7499, 2),
    (0.5, 2),
    (0.4999, 1),
    (0.25, 1),
    (0.2499, 0),
    (0.0, 0),
    (None, 0),
]


def test_bands_in_the_key_the_database_computes(Session) -> None:
    """The band is the key's step: key // (2 x BAND_SPAN), on the session's own SQL (dated items)."""
    with Session() as s:
        add_source(s, "src-a")
        ids = [add_item(s, n, relevance=rel, published_at=NOW).id for n, (rel, _) in enumerate(BAND_CASES, 1)]
        s.commit()
        key = priority.priority(s)
        got = dict(s.execute(select(Item.id, key).where(Item.id.in_(ids))).tuples().all())
    steps = {item_id: int(float(got[item_id]) // priority.BAND_SPAN) for item_id in ids}
    assert [steps[i] // 2 for i in ids] == [band for _, band in BAND_CASES]
    assert all(steps[i] % 2 == 1 for i in ids)  # dated


def test_the_migration_indexes_the_expression_the_queue_sorts_by() -> None:
    path = Path(priority.__file__).parent / "migrations" / "versions" / "0031_priority_fetch_time.py"
    spec = importlib.util.spec_from_file_location("m0010", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.PRIORITY == priority.PRIORITY_SQL_PG


def test_relevance_evidence_is_listed_by_ewsi_queue_and_the_desk(Session) -> None:
    evidence = [{"term": "refugee*", "weight": 4.5, "language": "en", "count": 2}]
    with Session() as s:
        add_source(s, "src-a")
        item = add_item(s, 1, relevance=0.9, relevance_evidence=evidence)
        s.commit()
        (row,) = store.listing(s, limit=None)
        assert row["relevance_evidence"] == evidence
        assert decisions.item_detail(s, item.id)["relevance_evidence"] == evidence


def test_desk_uncertain_view(app, Session, uncertain_table) -> None:
    from desklab import editor_client

    alice = editor_client(app, Session)
    page = alice.get("/queue?order=uncertain&status=pending")
    assert page.status_code == 200
    titles = [f"Item {n}" for n in UNCERTAIN[:4]]
    positions = [page.text.index(f">{t}<") for t in titles]
    assert positions == sorted(positions)
    sideways = alice.get("/queue?order=sideways")  # named beside the filters, priority order used
    assert sideways.status_code == 200 and "Unknown order &#39;sideways&#39;" in sideways.text


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--order", "uncertain"], UNCERTAIN[:5]),
        (["--order", "uncertain", "--language", "fr"], [4, 8]),
        (["--order", "uncertain", "--language", "de"], [2, 5, 10]),
    ],
)
def test_ewsi_queue_order_uncertain(db_url, uncertain_table, monkeypatch, capsys, argv, expected) -> None:
    """``ewsi queue --order uncertain --json``: the store's uncertain order, evidence on every row."""
    import json

    from crawler.cli import main as ewsi

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    assert ewsi(["queue", "--json", "--limit", "5", *argv]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert _numbers(rows) == expected
    assert all(row["relevance_evidence"] is None for row in rows)  # desklab items carry none


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--status", "changed"], "No changed items match these filters."),
        (["--status", "any", "--language", "mt"], "No items match these filters."),
        (["--language", "mt"], "No pending items match these filters."),
    ],
)
def test_ewsi_queue_says_when_nothing_matches(db_url, table, monkeypatch, capsys, argv, said) -> None:
    """An empty listing says so under the table's header, instead of a bare table."""
    from crawler.cli import main as ewsi

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    assert ewsi(["queue", *argv]) == 0
    assert said in " ".join(capsys.readouterr().out.split())
    assert ewsi(["queue"]) == 0
    assert "match these filters" not in capsys.readouterr().out


def test_ewsi_queue_refuses_an_unknown_order(capsys) -> None:
    from crawler.cli import main as ewsi

    with pytest.raises(SystemExit) as info:
        ewsi(["queue", "--order", "newest"])
    assert info.value.code == 2
    assert "invalid choice: 'newest'" in capsys.readouterr().err


# A near-duplicate group ranks by its most urgent member (crawler.store.priority `lane_deadline`):
# (n, source, content type, editor's content type, deadline in days or None, relevance, status,
#  group's first item n or None)
GROUP_TABLE = [
    (1, "src-a", "news", None, None, 0.30, "pending", 1),  # news copy first ...
    (2, "src-b", "funding", None, 14, 0.30, "pending", 1),  # ... of a call due in 14 days: lane 0
    (3, "src-a", "news", None, None, 0.40, "pending", 3),
    (4, "src-b", "funding", None, 40, 0.40, "pending", 3),  # due after the window: lane 1
    (5, "src-a", "news", None, None, 0.60, "pending", 5),
    (6, "src-b", "funding", None, 5, 0.60, "rejected", 5),  # a rejected copy ranks nothing
    (7, "src-a", "funding", None, 10, 0.20, "pending", 7),  # the funding copy first: lane 0
    (8, "src-b", "news", None, None, 0.20, "pending", 7),
    (9, "src-a", "funding", None, 12, 0.10, "pending", None),  # no group: its own deadline
    (10, "src-a", "news", None, None, 0.50, "pending", 10),
    (11, "src-b", "news", "funding", 3, 0.50, "pending", 10),  # the editor's content type counts
    (12, "src-a", "news", None, None, 0.90, "pending", None),
    (13, "src-a", "news", None, None, 0.70, "pending", 13),
    (14, "src-b", "funding", None, -2, 0.70, "pending", 13),  # past: lane 1
]
GROUP_ORDER = [10, 7, 9, 1, 12, 13, 5, 3]


def test_a_group_ranks_by_its_most_urgent_member(Session) -> None:
    with Session() as s:
        add_source(s, "src-a")
        add_source(s, "src-b")
        ids: dict[int, int] = {}
        for n, source, ctype, editor_ctype, due, rel, status, _ in GROUP_TABLE:
            ids[n] = add_item(
                s,
                n,
                source_id=source,
                content_type=ctype,
                editor_content_type=editor_ctype,
                deadline=None if due is None else NOW + timedelta(days=due),
                relevance=rel,
                status=status,
                published_at=NOW - timedelta(days=1),
                first_seen_at=NOW - timedelta(days=1),
            ).id
        for n, *_, head in GROUP_TABLE:
            if head is not None:
                s.get(Item, ids[n]).group_id = ids[head]
        s.commit()
    with Session() as s:
        rows, cursor = store.queue_page(s, store.QueueFilters(), limit=200, now=NOW)
        assert cursor is None
        assert _numbers(rows) == GROUP_ORDER
        assert [r["lane"] for r in rows] == [0, 0, 0, 0, 1, 1, 1, 1]
        # a deadline-lane row shows the deadline that put it there, its own or its member's
        shown = [(r["deadline"] - NOW).days if r["deadline"] else None for r in rows]
        assert shown == [3, 10, 12, 14, None, None, None, None]
        assert [r["deadline_in_group"] for r in rows[:4]] == [True, False, False, True]
        assert [r["days_left"] for r in rows[:4]] == [3, 10, 12, 14]
        paged, cursor = [], None
        while True:
            page, cursor = store.queue_page(s, store.QueueFilters(), after=cursor, limit=3, now=NOW)
            paged += _numbers(page)
            if cursor is None:
                break
        assert paged == GROUP_ORDER
        after_first = store.cursor_of(s, ids[1], now=NOW)
        assert after_first == f"0~2026-12-04T12:00:00Z~{ids[1]}"  # the member's deadline ranks it
        assert _numbers(
            store.queue_page(s, store.QueueFilters(), after=after_first, limit=1, now=NOW)[0]
        ) == [12]
        listed = store.listing(s, status="pending", limit=None, now=NOW)
        assert _numbers(listed) == GROUP_ORDER
        due = [(NOW + timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ") for d in (3, 10, 12, 14)]
        assert [(r["deadline"], r["deadline_in_group"]) for r in listed[:5]] == [
            (due[0], True),
            (due[1], False),
            (due[2], False),
            (due[3], True),
            (None, False),
        ]
