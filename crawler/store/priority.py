"""The review queue's order, stated once: used by the desk (`queue.queue_page`) and ``ewsi queue``
(`queue.listing`).

Priority order:
1. lane 0: funding calls (editor's content type, else harvested) whose deadline is in
   [now, now + `DEADLINE_LANE`), nearest deadline first, ties by id, lowest first. Every other item is
   in lane 1: the lane test is NULL-safe, so a missing deadline or content type never hides an item.
   A near-duplicate group ranks by its most urgent member (`lane_deadline`): a call announced in a
   news feed and in a funding feed is one group whose first item may be the news copy without a
   deadline; the funding copy's deadline in the window puts the group's rows in lane 0, at that
   deadline (a rejected member counts for no other row).
2. lane 1: relevance band first (`RELEVANCE_BANDS`: >= 0.75, >= 0.5, >= 0.25, the rest; no score counts
   as 0), then dated items before undated ones of the same band, then freshness: the publication date
   (never later than first seen) for dated items, the first-seen date for undated ones. So freshness
   never lifts an item over a more relevant band, and an undated item is never "new today" ahead of
   a dated one of its band. An item whose date is its fetch time (date_method ``fetch_time``: its
   feed's date lay in the future, case B10, or it gave none) is undated here: an events feed that puts
   each event's day in its publication date never tops its band. Ties by id, highest first.
The lane-1 key is one number, ``(band x 2 + dated) x BAND_SPAN + days since 2000-01-01``, independent
of the current time, so PostgreSQL keeps it in an expression index (migration 0018_classifier) and
keyset pages compare it directly (migration 0031_priority_fetch_time).

Uncertain order (`uncertain_order`): the items the classifier is least sure about first, measured as
u = |relevance - `UNCERTAIN_AROUND`| (no score: 0.5 away), in steps of `UNCERTAIN_STEP` (u < 0.1, then
u < 0.2, ...); inside a step languages take turns: the least certain item of every language comes before
the second least certain of any, and so on (ties by u, then id). So spreading across languages never puts
an item the classifier is sure about (a 0.06) ahead of a less certain one of another step.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from crawler.store import dialect
from crawler.store.schema import Item

DEADLINE_LANE = timedelta(days=21)
RELEVANCE_BANDS: tuple[float, ...] = (0.75, 0.5, 0.25)
"""Lower bounds of the relevance bands, best first; below the last bound: band 0."""
BAND_SPAN = 100_000
"""Days one (band, dated) step spans in the key: more than any date's day count until the year 2273."""
UNCERTAIN_AROUND = 0.5
"""The relevance the classifier is least sure about (its default decision threshold)."""
UNCERTAIN_STEP = 0.1
"""Width of the uncertainty steps inside which languages take turns (u in [0, 0.5]: 5 steps)."""

_REL = "coalesce(items.relevance, 0)"
_BAND = (
    "(CASE "
    + " ".join(f"WHEN {_REL} >= {b} THEN {len(RELEVANCE_BANDS) - i}" for i, b in enumerate(RELEVANCE_BANDS))
    + " ELSE 0 END)"
)
_DATED = "(CASE WHEN items.published_at IS NULL OR items.date_method = 'fetch_time' THEN 0 ELSE 1 END)"
_STEP = f"({_BAND} * 2 + {_DATED}) * {BAND_SPAN}"
PRIORITY_SQL_PG = (
    f"({_STEP} + extract(epoch from (least(coalesce(items.published_at, items.first_seen_at), "
    "items.first_seen_at) - timestamptz '2000-01-01 00:00:00+00')) / 86400)"
)
"""Lane-1 key on PostgreSQL, written exactly as the expression index of 0018_classifier."""
PRIORITY_SQL_SQLITE = (
    f"({_STEP} + (julianday(min(coalesce(items.published_at, items.first_seen_at), items.first_seen_at))"
    " - 2451544.5))"
)
CONTENT_TYPE_SQL = "coalesce(items.editor_content_type, items.content_type)"


def priority(session: Session) -> ColumnElement[Any]:
    """The lane-1 key (module docstring) for the session's database."""
    return literal_column(PRIORITY_SQL_PG if dialect.is_postgresql(session) else PRIORITY_SQL_SQLITE)


def _due_in_lane(row: Any, now: datetime) -> ColumnElement[bool]:
    """A funding call (the predicate of the ``ix_items_funding_deadline`` index) due in the window."""
    return and_(
        func.coalesce(row.editor_content_type, row.content_type) == "funding",
        row.deadline >= now,
        row.deadline < now + DEADLINE_LANE,
    )


def lane_deadline(now: datetime) -> ColumnElement[Any]:
    """The deadline that ranks a row in lane 0, NULL for a lane-1 row.

    Rule: an item outside a group ranks by its own deadline when it is a funding call due in
    [now, now + `DEADLINE_LANE`); an item of a near-duplicate group ranks by the nearest such deadline
    among the group's members (itself included; another member only while it is not rejected), so a
    group is as urgent as its most urgent member whichever copy is its first item.
    """
    member = aliased(Item)
    nearest = (
        select(func.min(member.deadline))
        .where(
            member.group_id == Item.group_id,
            or_(member.id == Item.id, member.status != "rejected"),
            _due_in_lane(member, now),
        )
        .correlate(Item)
        .scalar_subquery()
    )
    own = case((_due_in_lane(Item, now), Item.deadline), else_=None)
    return case((Item.group_id.is_(None), own), else_=nearest)


def in_deadline_lane(now: datetime) -> ColumnElement[bool]:
    """True for lane-0 items, not true (False or NULL) for every other item: a WHERE or CASE test;
    `not_in_deadline_lane` is the NULL-safe complement. The calls due in the window (a range of the
    ``ix_items_funding_deadline`` index) and their groups name the candidates, so the lane is not
    computed row by row over the whole queue."""
    member = aliased(Item)
    due_groups = select(member.group_id).where(member.group_id.is_not(None), _due_in_lane(member, now))
    candidate = or_(_due_in_lane(Item, now), Item.group_id.in_(due_groups))
    return and_(candidate, lane_deadline(now).is_not(None))


def not_in_deadline_lane(now: datetime) -> ColumnElement[bool]:
    """The complement of `in_deadline_lane`: a NULL deadline or content type is lane 1."""
    return lane_deadline(now).is_(None)


def priority_order(session: Session, now: datetime) -> list[Any]:
    """ORDER BY clauses of the whole queue in priority order (both lanes), for unpaged listings."""
    due = lane_deadline(now)
    return [
        case((due.is_not(None), 0), else_=1),
        due.asc(),
        case((due.is_not(None), Item.id), else_=None).asc(),  # lane 0 ties as the desk's keyset pages
        priority(session).desc(),
        Item.id.desc(),
    ]


def uncertainty() -> ColumnElement[float]:
    """|relevance - UNCERTAIN_AROUND|, with no score counting as 0."""
    return func.abs(func.coalesce(Item.relevance, 0.0) - UNCERTAIN_AROUND)


def uncertainty_step() -> ColumnElement[int]:
    """The `UNCERTAIN_STEP` step of `uncertainty` (0 for u < 0.1, ...), as a CASE both back ends compute
    alike (a cast to integer truncates on SQLite but rounds on PostgreSQL). The relevance is compared
    with the step's bounds written out (0.4 < r < 0.6), not its distance with the width: in binary
    floating point |0.6 - 0.5| and |0.4 - 0.5| are below 0.1 and |0.7 - 0.5| is below 0.2 while
    |0.3 - 0.5| is not, so a score on a bound fell a step too low, and on one side only."""
    r = func.coalesce(Item.relevance, 0.0)
    steps = round(UNCERTAIN_AROUND / UNCERTAIN_STEP)
    bounds = [
        (
            round(UNCERTAIN_AROUND - UNCERTAIN_STEP * (k + 1), 6),
            round(UNCERTAIN_AROUND + UNCERTAIN_STEP * (k + 1), 6),
        )
        for k in range(steps - 1)
    ]
    return case(*((and_(r > lo, r < hi), k) for k, (lo, hi) in enumerate(bounds)), else_=steps - 1)


def uncertain_ranks(conditions: list[Any]) -> Any:
    """Subquery (id, uncertainty u, its step s, rank r within its language and step) of the items
    matching `conditions`."""
    u = uncertainty()
    step = uncertainty_step()
    rank = func.row_number().over(
        partition_by=(step, func.coalesce(Item.language, "und")), order_by=(u, Item.id)
    )
    return (
        select(Item.id.label("id"), u.label("u"), step.label("s"), rank.label("r"))
        .where(*conditions)
        .subquery()
    )


def uncertain_order(ranks: Any) -> list[Any]:
    """ORDER BY clauses over an `uncertain_ranks` subquery: step by step, and inside a step round by
    round across languages."""
    return [ranks.c.s.asc(), ranks.c.r.asc(), ranks.c.u.asc(), ranks.c.id.asc()]
