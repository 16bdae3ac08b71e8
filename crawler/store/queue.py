"""The review queue: filters, priority order, keyset cursors, facet counts and claims.

Priority: crawler.store.priority states it (deadline lane, then relevance bands, dated before
undated, freshness inside a band); ``ewsi queue`` (`listing`) uses the same. `uncertain_page` lists
the items the classifier is least sure about (crawler.store.priority; no next page).
Pagination is keyset (``after`` = the last row's cursor ``lane~key~id``), never OFFSET; a malformed
cursor raises ValueError(`BAD_CURSOR`).

Claims: an editor claims an item for `CLAIM_LEASE` (5 min), renewed while the page is open. On
PostgreSQL the row is taken with ``SELECT ... FOR UPDATE SKIP LOCKED`` (a row another transaction is
claiming counts as taken); on SQLite the same rule is one conditional UPDATE (SQLite runs one writer
at a time, so it is atomic; crawler.store.dialect). Another editor's live claim raises `ClaimRefused`.

`listing` is the plain list of ``ewsi queue``, in priority order or ``order="uncertain"``. Functions
never commit.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, literal_column, or_, select, tuple_, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from crawler.errors import ClaimRefused, NotFound
from crawler.sources import country_suggestion, is_country_code, iso_languages
from crawler.store import attachments, dialect, structured
from crawler.store import priority as priority_rules
from crawler.store import themes as item_themes
from crawler.store.audit import audit
from crawler.store.groups import one_row_per_group
from crawler.store.schema import ITEM_STATUSES, Item, SourceRow, utc_or_now, utcnow
from crawler.text import iso_z
from crawler.types import CALL_STATUSES, CONTENT_TYPES, THEMES, published_precision

MAX_DB_INT = 2**63 - 1
"""Top of the signed 64-bit range of ids (BIGINT); ids in cursors beyond it are malformed."""


CLAIM_LEASE = timedelta(minutes=5)


DEADLINE_LANE = priority_rules.DEADLINE_LANE


MAX_PAGE = 200


QUEUE_ORDERS: tuple[str, ...] = ("priority", "uncertain")
"""Orders of `listing`, `claim_next` and the desk's queue page (crawler.store.priority)."""


def check_order(order: str) -> str:
    """`order` when it is one of `QUEUE_ORDERS`, else ValueError naming them."""
    if order not in QUEUE_ORDERS:
        raise ValueError(f"unknown queue order {order!r}; use {', '.join(QUEUE_ORDERS)}")
    return order


# --- filters and order ----------------------------------------------------------------------------


PRIORITY_SQL_PG = priority_rules.PRIORITY_SQL_PG


PRIORITY_SQL_SQLITE = priority_rules.PRIORITY_SQL_SQLITE


CONTENT_TYPE_SQL = priority_rules.CONTENT_TYPE_SQL


COUNTRY_SQL = "coalesce(items.editor_country, items.country)"


def _priority(session: Session) -> ColumnElement[Any]:
    return priority_rules.priority(session)


def from_sources(source_ids: Sequence[str]) -> ColumnElement[bool]:
    """An item of one of `source_ids`, or the listed item of one that came from them: a language
    version (``version_of``) or a near-duplicate group member is reviewed on its item's row, so a
    source filter finds that row; a harvest's "new 1" under a source is never lost to its filter."""
    kin, member = aliased(Item), aliased(Item)
    in_group = and_(Item.group_id.is_not(None), member.group_id == Item.group_id)
    related = or_(
        kin.version_of == Item.id,
        and_(Item.group_id.is_not(None), kin.group_id == Item.group_id, kin.id != Item.id),
        # a language version of another member of the group: two steps away, on the same row
        kin.version_of.in_(select(member.id).where(in_group, member.id != Item.id).correlate(Item)),
    )
    return or_(
        Item.source_id.in_(list(source_ids)),
        exists(select(kin.id).where(related, kin.source_id.in_(list(source_ids))).correlate(Item)),
    )


def value_list(value: Any, *, split: bool = False) -> tuple[str, ...]:
    """A sorted tuple of distinct non-empty strings; `split` also splits on spaces and commas."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [value]
    parts = [p for v in value for p in (str(v).replace(",", " ").split() if split else [str(v)])]
    return tuple(sorted({p.strip()[:64] for p in parts if p.strip()}))


QUEUE_STATUSES: tuple[str, ...] = ("any", *ITEM_STATUSES)
"""The values of the queue's status filter."""


def _first(raw: Any) -> str | None:
    if isinstance(raw, list | tuple):
        raw = raw[0] if raw else None
    return None if raw is None else str(raw)


def _number(raw: Any) -> float | None:
    """A relevance bound in [0, 1]; None when absent, not a number or outside [0, 1] (a bound of 5
    is a mistake to name, not a filter that matches nothing)."""
    try:
        value = float(_first(raw))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if 0.0 <= value <= 1.0 else None


def _day(raw: Any, end: bool) -> datetime | None:
    """A ``YYYY-MM-DD`` day as aware UTC (its last microsecond when `end`); None when malformed."""
    try:
        d = datetime.strptime(str(_first(raw)), "%Y-%m-%d").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None
    return d.replace(hour=23, minute=59, second=59, microsecond=999_999) if end else d


def _country(code: str) -> bool:
    """A country filter value (upper case): ``EU`` or an ISO 3166-1 alpha-2 code (crawler.sources)."""
    return is_country_code(code)


def _language(code: str) -> bool:
    """A language filter value (lower case): an ISO 639-1 code (crawler.sources) or ``und``."""
    return code == "und" or code in iso_languages()


def known_sources(session: Session, query: dict[str, Any]) -> frozenset[str]:
    """The source ids of `query`'s ``source`` filter that are sources of the store (for
    `QueueFilters.from_query` and `filter_problems`)."""
    asked = value_list(query.get("source"), split=True)
    if not asked:
        return frozenset()
    return frozenset(session.scalars(select(SourceRow.id).where(SourceRow.id.in_(asked))))


def filter_problems(query: dict[str, Any], sources: Collection[str] | None = None) -> dict[str, str]:
    """Filter key -> a sentence for each value `QueueFilters.from_query` drops from `query`
    (`sources`: the known source ids, as there; None = every source id is taken).

    Rule: an unknown or malformed filter value is never dropped silently: the desk shows these
    sentences beside the filters, and the list and its counts both run without that filter.
    """
    problems: dict[str, str] = {}

    def unknown(key: str, allowed: tuple[str, ...], label: str, split: bool = False) -> None:
        bad = [v for v in value_list(query.get(key), split=split) if v not in allowed]
        if bad:
            problems[key] = f"Unknown {label} {', '.join(repr(v) for v in bad[:5])}: ignored."

    status = _first(query.get("status"))
    if status and status not in QUEUE_STATUSES:
        problems["status"] = (
            f"Unknown status {status[:32]!r} (use {', '.join(QUEUE_STATUSES)}): showing pending items."
        )
    unknown("theme", THEMES, "theme")
    unknown("content_type", CONTENT_TYPES, "content type")
    unknown("call_status", CALL_STATUSES, "call status")
    bad_countries = [c for c in value_list(query.get("country"), split=True) if not _country(c.upper())]
    if bad_countries:
        meant = [
            f"{c.upper()} is {country_suggestion(c)}" for c in bad_countries[:5] if country_suggestion(c)
        ]
        problems["country"] = (
            f"Not a country code (ISO 3166-1, EU): {', '.join(repr(c) for c in bad_countries[:5])}: ignored."
            + (f" ({'; '.join(meant)})" if meant else "")
        )
    bad_languages = [c for c in value_list(query.get("language"), split=True) if not _language(c.lower())]
    if bad_languages:
        problems["language"] = (
            f"Not a language code (ISO 639-1, und): {', '.join(repr(c) for c in bad_languages[:5])}: ignored."
        )
    if sources is not None:
        bad_sources = [v for v in value_list(query.get("source"), split=True) if v not in sources]
        if bad_sources:
            problems["source"] = f"Unknown source {', '.join(repr(v) for v in bad_sources[:5])}: ignored."
    for key in ("relevance_min", "relevance_max"):
        raw = _first(query.get(key))
        if raw and _number(raw) is None:
            problems[key] = f"Relevance {raw[:32]!r} is not a number between 0 and 1: ignored."
    for key, label in (("date_from", "from"), ("date_to", "to")):
        raw = _first(query.get(key))
        if raw and _day(raw, False) is None:
            problems[key] = f"Date {label} {raw[:32]!r} is not a day (YYYY-MM-DD): ignored."
    return problems


@dataclass(frozen=True)
class QueueFilters:
    """Queue filters; empty tuples / None mean "any".

        status: one of crawler.store.schema.ITEM_STATUSES or ``any`` (default ``pending``);
        themes: theme names (an item matches when one of its effective themes, crawler.store.themes,
        is one of them); country, language, content_type,
        source: value lists (ISO codes, `CONTENT_TYPES`, source ids); relevance_min/max in [0, 1] (items
        without a relevance score match no relevance bound);
        date_from / date_to: publication (else first-seen) date bounds, inclusive, aware UTC; q: words
        that must all occur in the title (case-insensitive) or in one of the item's attachment documents
    (crawler.store.attachments.text_match); programme: funding programmes (AMIF,
        ESF+, ...); call_status: forthcoming, open or closed as of the query (crawler.store.structured).
    """

    status: str = "pending"
    themes: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    content_type: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    relevance_min: float | None = None
    relevance_max: float | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    q: str = ""
    programme: tuple[str, ...] = ()
    call_status: str = ""

    @classmethod
    def from_query(cls, query: dict[str, Any], sources: Collection[str] | None = None) -> QueueFilters:
        """Build from a query mapping (lists or scalars). A value that is unknown or malformed is
        dropped as if absent (an unknown status is the default ``pending``); `filter_problems`
        names each one, for the desk to show beside the filters. `sources`: the source ids known to
        the store (`known_sources`), others dropped; None takes every source id as given."""
        status = _first(query.get("status")) or "pending"
        q = _first(query.get("q")) or ""
        return cls(
            status=status if status in QUEUE_STATUSES else "pending",
            themes=tuple(t for t in value_list(query.get("theme")) if t in THEMES),
            country=tuple(
                c for c in (c.upper() for c in value_list(query.get("country"), split=True)) if _country(c)
            ),
            language=tuple(
                c for c in (c.lower() for c in value_list(query.get("language"), split=True)) if _language(c)
            ),
            content_type=tuple(c for c in value_list(query.get("content_type")) if c in CONTENT_TYPES),
            source=tuple(
                v for v in value_list(query.get("source"), split=True) if sources is None or v in sources
            ),
            relevance_min=_number(query.get("relevance_min")),
            relevance_max=_number(query.get("relevance_max")),
            date_from=_day(query.get("date_from"), False),
            date_to=_day(query.get("date_to"), True),
            q=str(q).strip()[:200],
            programme=value_list(query.get("programme"), split=True),
            call_status=next((c for c in value_list(query.get("call_status")) if c in CALL_STATUSES), ""),
        )

    def to_query(self) -> dict[str, Any]:
        """The non-empty filters as a JSON-able query mapping (inverse of `from_query`)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            key = "theme" if f.name == "themes" else f.name
            if value in (None, (), ""):
                continue
            if isinstance(value, datetime):
                value = value.strftime("%Y-%m-%d")
            out[key] = list(value) if isinstance(value, tuple) else value
        return out

    def conditions(self, session: Session, *, skip: str | None = None) -> list[ColumnElement[bool]]:
        """SQL conditions for these filters; `skip` leaves one facet out (for its counts)."""
        conds: list[ColumnElement[bool]] = []
        if skip != "status" and self.status not in ("any", ""):
            conds.append(Item.status == self.status)
        if skip != "theme" and self.themes:
            conds.append(item_themes.has_theme(session, self.themes))
        if skip != "country" and self.country:
            conds.append(literal_column(COUNTRY_SQL).in_(self.country))
        if skip != "language" and self.language:
            in_language = Item.language.in_(self.language)
            # und: no language detected, as the counts name it (the plain column keeps its index)
            conds.append(or_(in_language, Item.language.is_(None)) if "und" in self.language else in_language)
        if skip != "content_type" and self.content_type:
            conds.append(literal_column(CONTENT_TYPE_SQL).in_(self.content_type))
        if skip != "source" and self.source:
            conds.append(from_sources(self.source))
        # the plain column (not coalesce) so the planner uses its statistics; unscored items never match
        if self.relevance_min is not None:
            conds.append(Item.relevance >= self.relevance_min)
        if self.relevance_max is not None:
            conds.append(Item.relevance <= self.relevance_max)
        when = func.coalesce(Item.published_at, Item.first_seen_at)
        if self.date_from is not None:
            conds.append(when >= self.date_from)
        if self.date_to is not None:
            conds.append(when <= self.date_to)
        if self.programme:
            conds.append(Item.programme.in_(self.programme))
        if self.call_status:
            conds.append(structured.status_sql(utcnow()) == self.call_status)
        conds.extend(one_row_per_group())
        for word in self.q.split()[:8]:
            in_title = dialect.contains(session, func.coalesce(Item.editor_title, Item.title), word)
            conds.append(or_(in_title, attachments.text_match(session, word)))
        return conds


# --- pages and counts -----------------------------------------------------------------------------


SUMMARY_KEY_CHARS = 100
"""Characters of a summary the index of equal summaries holds (migration 0030): a site's description
of every page is the same from its first character; the query then compares the whole summaries."""
SNIPPET_SOURCE_CHARS = 1_000
"""Characters of the editor's summary, the harvested summary and the text a queue row carries for
its one-line snippet (crawler.web.rows), with whether another item of its source has the same
harvested summary (``summary_shared``: a site's description of every page): enough for one line of a
wide screen after what the snippet skips (a text that opens with a long legal title twice, then
reference lines), never the whole text."""


def summary_key(column: Any) -> Any:
    """``substr(summary, 1, SUMMARY_KEY_CHARS)`` with literal bounds, the expression of the index
    ``ix_items_source_summary`` (migration 0030), so both back ends' planners match it: the look-up of
    another item of the source with the same summary reads that index for each row of a queue page
    instead of every item of the source."""
    return func.substr(column, literal_column("1"), literal_column(str(SUMMARY_KEY_CHARS)))


_OTHER = aliased(Item)
"""Another item, for whether a row's harvested summary is its source's description of every page."""
_QUEUE_COLUMNS = (
    Item.id,
    Item.source_id,
    Item.title,
    Item.editor_title,
    Item.language,
    Item.declared_language,
    Item.content_type,
    Item.editor_content_type,
    Item.country,
    Item.editor_country,
    Item.published_at,
    Item.first_seen_at,
    Item.deadline,
    Item.relevance,
    Item.relevant,
    Item.status,
    Item.revision,
    Item.claimed_by,
    Item.claim_expires_at,
    Item.relevance_evidence,
    Item.flags,
    func.substr(func.nullif(Item.editor_summary, ""), 1, SNIPPET_SOURCE_CHARS).label(
        "snippet_editor_summary"
    ),
    func.substr(func.nullif(Item.summary, ""), 1, SNIPPET_SOURCE_CHARS).label("snippet_summary"),
    func.substr(Item.text, 1, SNIPPET_SOURCE_CHARS).label("snippet_text"),
    exists()
    .where(
        _OTHER.source_id == Item.source_id,
        summary_key(_OTHER.summary) == summary_key(Item.summary),
        _OTHER.summary == Item.summary,
        _OTHER.id != Item.id,
    )
    .label("summary_shared"),
    *structured.structured_columns(),
)


def _encode_cursor(lane: int, key: Any, item_id: int) -> str:
    if isinstance(key, datetime):
        key = iso_z(key)
    return f"{lane}~{key}~{item_id}"


BAD_CURSOR = "invalid queue cursor (use the next-page link unchanged)"


def _decode_cursor(cursor: str | None) -> tuple[int, Any, int] | None:
    """(lane, key, item id) of a queue cursor ``lane~key~id`` (`_encode_cursor`), None for none.

    The key is an aware datetime in lane 0 (a deadline), the priority's text in lane 1 (a finite
    number); the id is in 1..`MAX_DB_INT`. Raises ValueError(`BAD_CURSOR`) for anything else.
    """
    if not cursor:
        return None
    parts = cursor.split("~")
    if len(parts) != 3 or parts[0] not in ("0", "1") or not parts[2].isascii() or not parts[2].isdigit():
        raise ValueError(BAD_CURSOR)
    item_id = int(parts[2]) if len(parts[2]) <= 19 else 0
    if not 1 <= item_id <= MAX_DB_INT:
        raise ValueError(BAD_CURSOR)
    key: Any = parts[1]
    try:
        if parts[0] == "0":
            key = datetime.fromisoformat(key.replace("Z", "+00:00"))
            key = key.replace(tzinfo=UTC) if key.tzinfo is None else key.astimezone(UTC)
        elif not math.isfinite(float(key)):
            raise ValueError(BAD_CURSOR)
    except (ValueError, OverflowError):
        raise ValueError(BAD_CURSOR) from None
    return int(parts[0]), key, item_id


def _row_dict(row: Any, lane: int, key: Any, now: datetime) -> dict[str, Any]:
    out = dict(row._mapping)
    out["display_title"] = out.pop("editor_title") or out["title"]
    out["content_type"] = out.pop("editor_content_type") or out["content_type"]
    out["country"] = out.pop("editor_country") or out["country"]
    expires = out["claim_expires_at"]
    out["claimed"] = bool(out["claimed_by"] and expires and expires > now)
    out["cursor"] = _encode_cursor(lane, key, out["id"])
    out["lane"] = lane
    record = structured.structured_record(row, now)  # the desk's deadline, status and event columns
    out.update(
        call_status=record.get("call_status"),
        days_left=record.get("days_left"),
        place=structured.place_label(record.get("place")),
        event_days=structured.event_days(record),
    )
    return out


def _aware(value: Any) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite gives naive ones, or text from an aggregate)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _show_lane_deadline(entry: dict[str, Any], due: datetime | None, now: datetime) -> None:
    """A deadline-lane row shows the deadline that put it there: a group's first item without a
    deadline of its own (a news copy of a call) shows its member's, with ``deadline_in_group`` True
    and the days left to it, so the desk never lists a row first with no reason shown."""
    entry["deadline_in_group"] = False
    if due is None or entry.get("deadline") is not None:
        return
    entry.update(deadline=due, deadline_in_group=True, days_left=(due - now).days)


def annotate_groups(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add to each row (a dict with id) ``group`` (group id or None), ``also_from`` (source ids of
    the group's other items) and ``versions`` (the item and its language versions as {id,
    language, source_id}, the item first)."""
    ids = [row["id"] for row in rows]
    if not ids:
        return
    heads = dict(session.execute(select(Item.id, Item.group_id).where(Item.id.in_(ids))).all())
    group_ids = {g for g in heads.values() if g is not None}
    members: dict[int, list[tuple[int, str]]] = {}
    if group_ids:
        for item_id, group_id, source_id in session.execute(
            select(Item.id, Item.group_id, Item.source_id)
            .where(Item.group_id.in_(group_ids))
            .order_by(Item.id)
        ):
            if group_id is not None:
                members.setdefault(group_id, []).append((item_id, source_id))
    versions: dict[int, list[dict[str, Any]]] = {}
    for item_id, version_of, language, source_id in session.execute(
        select(Item.id, Item.version_of, Item.language, Item.source_id)
        .where(or_(Item.id.in_(ids), Item.version_of.in_(ids)))
        .order_by(Item.version_of.is_not(None), Item.language, Item.id)
    ):
        head = version_of if version_of is not None else item_id
        versions.setdefault(head, []).append({"id": item_id, "language": language, "source_id": source_id})
    for row in rows:
        group_id = heads.get(row["id"])
        row["group"] = group_id
        row["also_from"] = (
            sorted(
                {src for mid, src in members.get(group_id, []) if mid != row["id"]} - {row.get("source_id")}
            )
            if group_id is not None
            else []
        )
        row["versions"] = versions.get(row["id"], [])


def queue_page(
    session: Session,
    filters: QueueFilters,
    *,
    after: str | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the queue in priority order (module docstring) and the cursor of the next page.
    `offset`: rows skipped from the start of the order (the desk's ``page``); ignored with `after`.

    Returns (rows, next_cursor or None). Each row: id, source_id, title, display_title (the editor's
    title if set), language, declared_language, content_type, country (editor values win),
    published_at, first_seen_at, deadline, relevance, status, revision, claimed_by,
    claim_expires_at, claimed (live claim), relevance_evidence, flags, snippet_editor_summary,
    snippet_summary, snippet_text (the first `SNIPPET_SOURCE_CHARS` of each), summary_shared, themes
    (effective names, crawler.store.themes),
    source_name, cursor,
    lane (0 deadline, 1 rest).
    Raises ValueError for a malformed `after` (`_decode_cursor`).
    """
    now = utc_or_now(now)
    limit = max(1, min(limit, MAX_PAGE))
    cursor = _decode_cursor(after)
    conds = filters.conditions(session)
    lane0 = priority_rules.in_deadline_lane(now)
    due = priority_rules.lane_deadline(now)
    skip = max(0, offset) if cursor is None else 0
    rows: list[dict[str, Any]] = []
    if cursor is None or cursor[0] == 0:
        stmt = select(*_QUEUE_COLUMNS, due.label("lane_deadline")).where(*conds, lane0)
        if cursor is not None:
            stmt = stmt.where(tuple_(due, Item.id) > tuple_(cursor[1], cursor[2]))
        stmt = stmt.order_by(due.asc(), Item.id.asc()).offset(skip).limit(limit + 1)
        for r in session.execute(stmt):
            entry = _row_dict(r, 0, r.lane_deadline, now)
            _show_lane_deadline(entry, _aware(entry.pop("lane_deadline", None)), now)
            rows.append(entry)
    if len(rows) <= limit:
        lane1_skip = 0
        if skip and not rows:  # the offset reaches past the deadline lane: skip the rest in lane 1
            in_lane0 = select(Item.id).where(*conds, lane0).subquery()
            lane1_skip = max(0, skip - int(session.scalar(select(func.count()).select_from(in_lane0)) or 0))
        priority = _priority(session)
        stmt = select(*_QUEUE_COLUMNS, priority.label("priority")).where(
            *conds, priority_rules.not_in_deadline_lane(now)
        )
        if cursor is not None and cursor[0] == 1:
            key: Any = Decimal(cursor[1]) if dialect.is_postgresql(session) else float(cursor[1])
            stmt = stmt.where(tuple_(priority, Item.id) < tuple_(key, cursor[2]))
        stmt = stmt.order_by(priority.desc(), Item.id.desc()).offset(lane1_skip).limit(limit + 1 - len(rows))
        for r in session.execute(stmt):
            entry = _row_dict(r, 1, r.priority, now)
            entry.pop("priority", None)
            rows.append(entry)
    more = len(rows) > limit
    rows = rows[:limit]
    _attach_themes(session, rows)
    return rows, (rows[-1]["cursor"] if more and rows else None)


def count_matching(session: Session, filters: QueueFilters) -> int:
    """How many rows the queue lists under `filters` (either order lists the same items)."""
    matching = select(Item.id).where(*filters.conditions(session)).subquery()
    return int(session.scalar(select(func.count()).select_from(matching)) or 0)


def _attach_themes(session: Session, rows: list[dict[str, Any]]) -> None:
    """Set each row's ``themes`` (its effective theme names, crawler.store.themes: the editor's when
    set, else the assigned ones, highest score first) and ``source_name`` (the source's name, else
    its id)."""
    themes = item_themes.of_items(session, [r["id"] for r in rows]) if rows else {}
    names: dict[str, str | None] = {}
    if rows:
        source_ids = {r["source_id"] for r in rows}
        by_id = select(SourceRow.id, SourceRow.name).where(SourceRow.id.in_(source_ids))
        names = {source_id: name for source_id, name in session.execute(by_id)}
    for r in rows:
        r["themes"] = themes.get(r["id"], [])
        r["source_name"] = names.get(r["source_id"]) or r["source_id"]
    annotate_groups(session, rows)


def uncertain_page(
    session: Session,
    filters: QueueFilters,
    *,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The items the classifier is least sure about, languages taking turns (crawler.store.priority
    `uncertain_order`): rows shaped like `queue_page`'s (lane 1, no cursor), the `limit` rows from
    `offset` on. The order is recomputed on each call (ranks per language), so this order pages by
    position (the desk's ``page``) rather than by a keyset cursor; its last key is the item id, so
    the order is total and pages neither repeat nor skip rows while the queue is unchanged."""
    now = utc_or_now(now)
    limit = max(1, min(limit, MAX_PAGE + 1))
    ranks = priority_rules.uncertain_ranks(list(filters.conditions(session)))
    stmt = (
        select(*_QUEUE_COLUMNS)
        .join(ranks, ranks.c.id == Item.id)
        .order_by(*priority_rules.uncertain_order(ranks))
        .offset(max(0, offset))
        .limit(limit)
    )
    rows = [_row_dict(r, 1, 0, now) for r in session.execute(stmt)]
    for r in rows:
        r["cursor"] = None
    _attach_themes(session, rows)
    return rows


FACETS: tuple[str, ...] = ("status", "language", "content_type", "country", "source", "theme")


COUNT_CAP = 1_000
"""Counts stop at this many items: a facet (or the total) over it is reported as capped ("1,000+").
Exact counts scan every matching row once per facet: on PostgreSQL with 1,000,000 items and nothing
cached (bench/review_queue.py, cold), the seven count queries take 5.8 s with no filter and 4.3 s
for one language; capped at 10,000 still 1.8 to 3.4 s (random index and heap reads), capped at
1,000 0.17 to 0.64 s."""


def queue_counts(
    session: Session, filters: QueueFilters, *, cap: int = COUNT_CAP
) -> dict[str, dict[str, int]]:
    """Counts per value of each facet under the other filters (facet -> value -> items), plus
    ``{"total": {"": n}}`` for the current filters and ``{"capped": {name: cap, ...}}`` naming each
    facet (and ``total``) that has more than `cap` matching items.

    Each count reads at most ``cap + 1`` matching rows (a LIMIT-ed subquery): below the cap the
    numbers are exact; a capped facet has no per-value numbers (``{}``; they would describe an
    arbitrary subset) and a capped total is ``cap + 1``. Values absent in the data are not listed.
    """
    cap = max(1, cap)
    out: dict[str, dict[str, int]] = {}
    capped: dict[str, int] = {}
    columns: dict[str, Any] = {
        "status": Item.status,
        "language": func.coalesce(Item.language, "und"),
        "content_type": func.coalesce(literal_column(CONTENT_TYPE_SQL), "-"),
        "country": func.coalesce(literal_column(COUNTRY_SQL), "-"),
        "source": Item.source_id,
    }
    inner: dict[str, Any] = {
        facet: select(column.label("value")).select_from(Item).where(*filters.conditions(session, skip=facet))
        for facet, column in columns.items()
    }
    pairs = item_themes.theme_pairs(session, where=filters.conditions(session, skip="theme")).subquery()
    inner["theme"] = select(pairs.c.theme.label("value"))
    for facet, stmt in inner.items():
        sample = stmt.limit(cap + 1).subquery()
        rows = session.execute(select(sample.c.value, func.count()).group_by(sample.c.value)).all()
        if sum(int(n) for _, n in rows) > cap:
            capped[facet] = cap
            out[facet] = {}
        else:
            out[facet] = {str(k): int(n) for k, n in rows}
    matching = select(Item.id).where(*filters.conditions(session)).limit(cap + 1).subquery()
    total = int(session.scalar(select(func.count()).select_from(matching)) or 0)
    if total > cap:
        capped["total"] = cap
    out["total"] = {"": total}
    out["capped"] = capped
    return out


# --- claims --------------------------------------------------------------------------------------


def claim_free(editor: str, now: datetime) -> ColumnElement[bool]:
    return or_(Item.claimed_by.is_(None), Item.claimed_by == editor, Item.claim_expires_at <= now)


def claim_item(
    session: Session,
    item_id: int,
    editor: str,
    *,
    lease: timedelta = CLAIM_LEASE,
    address: str | None = None,
    now: datetime | None = None,
) -> datetime:
    """Claim (or renew the claim on) one item for `editor` until now + `lease`; returns the expiry.

    PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` then UPDATE; SQLite: one conditional UPDATE.
    A new claim (not a renewal) writes an audit row ``claim``. Raises `NotFound`, or `ClaimRefused`
    when another editor's claim is live (or, on PostgreSQL, another transaction holds the row).
    """
    now = utc_or_now(now)
    until = now + lease
    if dialect.is_postgresql(session):
        row = session.execute(
            dialect.skip_locked(
                session, select(Item.id, Item.claimed_by, Item.claim_expires_at).where(Item.id == item_id)
            )
        ).first()
        if row is None:
            if session.get(Item, item_id) is None:
                raise NotFound(f"item {item_id} not found")
            raise ClaimRefused(None, None)
        _, holder, expires = row
        if holder and holder != editor and expires and expires > now:
            raise ClaimRefused(holder, expires)
        session.execute(
            update(Item).where(Item.id == item_id).values(claimed_by=editor, claim_expires_at=until)
        )
    else:
        # writes first: a SQLite transaction that reads before writing can fail to take the lock
        renewed = session.execute(  # type: ignore[attr-defined]
            update(Item)
            .where(Item.id == item_id, Item.claimed_by == editor, Item.claim_expires_at > now)
            .values(claim_expires_at=until)
            .execution_options(synchronize_session=False)
        ).rowcount
        holder = editor if renewed else None
        if not renewed:
            result = session.execute(
                update(Item)
                .where(Item.id == item_id, claim_free(editor, now))
                .values(claimed_by=editor, claim_expires_at=until)
                .execution_options(synchronize_session=False)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                current = session.execute(
                    select(Item.claimed_by, Item.claim_expires_at).where(Item.id == item_id)
                ).first()
                if current is None:
                    raise NotFound(f"item {item_id} not found")
                raise ClaimRefused(current[0], current[1])
    renewal = holder == editor
    if not renewal:
        audit(session, editor, "claim", object_type="item", object_id=item_id, address=address, now=now)
    dialect.expire(session, Item, {item_id})
    return until


def cursor_of(session: Session, item_id: int, now: datetime | None = None) -> str | None:
    """The queue cursor (``lane~key~id``, as `queue_page` makes) of one item, whatever its status;
    None for an unknown id. A page ``after`` it starts with the item that follows it in priority order."""
    now = utc_or_now(now)
    due = priority_rules.lane_deadline(now)
    row = session.execute(
        select(case((due.is_not(None), 0), else_=1), due, _priority(session)).where(Item.id == item_id)
    ).first()
    if row is None:
        return None
    lane, deadline, key = row
    return _encode_cursor(int(lane), deadline if lane == 0 else key, item_id)


NEXT_SCAN = 50
"""Rows `claim_next` reads per pass (after the decided item, then from the top) to find a free one."""


def claim_next(
    session: Session,
    editor: str,
    filters: QueueFilters,
    *,
    order: str = "priority",
    after_item: int | None = None,
    lease: timedelta = CLAIM_LEASE,
    address: str | None = None,
    now: datetime | None = None,
) -> int | None:
    """Claim the next item of the queue under `filters` that no other editor holds; its id, or None.

    `order` is one of `QUEUE_ORDERS`. `after_item` is the item the editor just decided (or skipped):
    it is never claimed again, and in priority order the search starts at the item that follows it
    (`cursor_of`), then wraps to the top, so approve/reject walks down the queue as listed; the
    uncertain order is recomputed, so its search starts at the top. Each pass reads `NEXT_SCAN` rows.
    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` (`claim_item`) so two editors asking at once get
    different items. Raises ValueError for an unknown `order`.
    """
    check_order(order)
    now = utc_or_now(now)
    if order == "uncertain":
        passes = [uncertain_page(session, filters, limit=NEXT_SCAN, now=now)]
    else:
        starts = [cursor_of(session, after_item, now), None] if after_item is not None else [None]
        passes = [queue_page(session, filters, after=start, limit=NEXT_SCAN, now=now)[0] for start in starts]
    tried = {after_item}
    for row in (r for rows in passes for r in rows):
        if row["id"] in tried or (row["claimed"] and row["claimed_by"] != editor):
            continue
        tried.add(row["id"])
        try:
            claim_item(session, row["id"], editor, lease=lease, address=address, now=now)
        except ClaimRefused:
            continue
        return int(row["id"])
    return None


def release_claim(session: Session, item_id: int, editor: str) -> bool:
    """Drop `editor`'s claim on the item (leaving the page); False when they did not hold it."""
    result = session.execute(
        update(Item)
        .where(Item.id == item_id, Item.claimed_by == editor)
        .values(claimed_by=None, claim_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    dialect.expire(session, Item, {item_id})
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- the plain listing of `ewsi queue` --------------------------------------------------------------


_LISTING_COLUMNS = (
    Item.id,
    Item.identity,
    Item.source_id,
    Item.url,
    Item.canonical_url,
    func.coalesce(Item.editor_title, Item.title).label("title"),
    Item.title.label("harvested_title"),
    func.coalesce(Item.editor_summary, Item.summary).label("summary"),
    Item.language,
    func.coalesce(Item.editor_content_type, Item.content_type).label("content_type"),
    func.coalesce(Item.editor_country, Item.country).label("country"),
    Item.published_at,
    Item.updated_at,
    Item.date_method,
    Item.fetched_at,
    Item.relevance,
    Item.relevance_evidence,
    Item.relevant,
    Item.status,
    Item.version,
    Item.text_chars,
    Item.flags,
    Item.editor_themes,
    Item.group_id,
)


def _listing_themes(editor_themes: Any, all_scores: list[dict[str, Any]]) -> dict[str, Any]:
    """The theme fields of a `listing` row from its editor_themes and its theme rows
    (crawler.store.themes `scores_of`: highest first, each with its evidence)."""
    assigned = [s["name"] for s in all_scores if s["assigned"]]  # what the classifier decided
    score_of = {s["name"]: s["score"] for s in all_scores}
    edited = item_themes.editor_list(editor_themes)
    return {
        "themes": [{"name": n, "score": score_of.get(n)} for n in item_themes.effective(edited, assigned)],
        "themes_by_editor": edited is not None,
        "classifier_themes": [{"name": n, "score": score_of[n]} for n in assigned],
        "theme_scores": [{k: s[k] for k in ("name", "score", "assigned")} for s in all_scores],
        "theme_evidence": {s["name"]: s["evidence"] for s in all_scores},
    }


def _listing_conditions(
    session: Session,
    status: str | None,
    source_id: str | None,
    language: str | Sequence[str] | None,
    theme: str | None,
    group_members: bool,
) -> list[Any]:
    """The SQL conditions of `listing`'s filters (see there)."""
    conds: list[Any] = one_row_per_group(group_members=group_members)
    if status not in (None, "any"):
        conds.append(Item.status == status)
    if source_id is not None:
        conds.append(from_sources([source_id]))
    if language is not None:
        conds.append(Item.language.in_([language] if isinstance(language, str) else list(language)))
    if theme is not None:
        conds.append(item_themes.has_theme(session, [theme]))
    return conds


def listing_count(
    session: Session,
    *,
    status: str | None = "pending",
    source_id: str | None = None,
    language: str | Sequence[str] | None = None,
    theme: str | None = None,
    group_members: bool = False,
) -> int:
    """How many rows `listing` gives under the same filters without a limit, one per near-duplicate
    group (its members not counted). With `group_members`, the rows that lead as `_first_groups`
    counts them against the limit: an item outside a group, a group's first item, and a member whose
    first item does not match the filters (a pending member of an approved group, in the pending
    queue)."""
    conds = _listing_conditions(session, status, source_id, language, theme, group_members)
    if not group_members:
        return int(session.scalar(select(func.count()).select_from(Item).where(*conds)) or 0)
    matching = select(Item.id.label("id"), Item.group_id.label("group_id")).where(*conds).cte("matching")
    leads = or_(
        matching.c.group_id.is_(None),
        matching.c.group_id == matching.c.id,
        matching.c.group_id.not_in(select(matching.c.id)),
    )
    return int(session.scalar(select(func.count()).select_from(matching).where(leads)) or 0)


def _first_groups(rows: Sequence[Any], limit: int) -> list[Any]:
    """With ``--group-members``: the first `limit` rows that lead (an item outside a group, a group's
    first item, or a member whose first item is not among `rows`), each followed in `rows`' order by
    the members of its group, however far down the order they come; `limit` counts leading rows, so
    a member never takes a group's place nor is cut from its group."""
    ids = {row["id"] for row in rows}

    def leads(row: Any) -> bool:
        group = row["group_id"]
        return group is None or group == row["id"] or group not in ids

    kept = [row for row in rows if leads(row)][: max(0, limit)]
    heads = {row["id"] for row in kept if row["group_id"] == row["id"]}
    chosen = {row["id"] for row in kept}
    return [row for row in rows if row["id"] in chosen or (row["group_id"] in heads and not leads(row))]


def listing(
    session: Session,
    *,
    status: str | None = "pending",
    source_id: str | None = None,
    language: str | Sequence[str] | None = None,
    theme: str | None = None,
    limit: int | None = 50,
    order: str = "priority",
    now: datetime | None = None,
    group_members: bool = False,
) -> list[dict[str, Any]]:
    """Items for review in the desk's priority order (crawler.store.priority), or with
    ``order="uncertain"`` the items the classifier is least sure about first (crawler.store.priority).

    Rows are the desk's: one per item with its language versions and near-duplicate group
    (`one_row_per_group`), so ``ewsi queue`` and the desk list the same items in the same order;
    `group_members` also lists the other members of each group.
    Filters: `status` ("any" or None = every status), `source_id`, `language` (ISO 639-1; several
    codes: an item in any of them),
    `theme` (only items with that effective theme, crawler.store.themes: the editor's themes when
    set, else the assigned ones). `limit` None = no limit. An `order` outside
    `QUEUE_ORDERS` raises ValueError. Each dict has id, identity, source_id, url, canonical_url,
    title (the editor's title when set, as the desk shows it), harvested_title (the harvested one),
    summary, language, content_type, country (summary, content type and country: the editor's when
    set, as the desk shows and filters them), published_at / updated_at / fetched_at
    (ISO 8601 with Z, or None), published_precision ("day" for a date without a time of day, shown
    as the day alone; "time"; None undated), date_method, relevance, relevance_evidence (the terms behind the
    score: {term, weight, language, count}, or None for items classified before it was kept),
    relevant, status, version, text_chars, flags, `themes` (the effective themes as {name, score}:
    the editor's list when set, an empty one too, with the classifier's score of each, None when it
    has none; else the assigned themes, highest first), `themes_by_editor` (whether `themes` is the
    editor's list), `classifier_themes` (the assigned themes as {name, score}, highest first; empty
    when none passed its threshold), `theme_scores` (all theme rows as {name, score, assigned},
    highest first), `theme_evidence` (theme name -> the terms behind its score as the item page
    reads them, crawler.store.themes `scores_of`: {term, weight, language, count} each, [] when none
    is kept; every theme of `theme_scores`, in its order, whatever the editor's themes) and the
    structured fields of
    `crawler.store.structured.queue_entry` (call status as of `now`, default the current time);
    a row of the deadline lane without a deadline of its own (a group's news copy of a call) has its
    member's deadline, the one that ranks it, with `deadline_in_group` True (as the desk shows it).
    """
    check_order(order)
    conds = _listing_conditions(session, status, source_id, language, theme, group_members)
    if order == "uncertain":
        ranks = priority_rules.uncertain_ranks(conds)
        stmt = select(*_LISTING_COLUMNS, *structured.queue_columns()).join(ranks, ranks.c.id == Item.id)
        stmt = stmt.order_by(*priority_rules.uncertain_order(ranks))
    else:
        due = priority_rules.lane_deadline(utc_or_now(now)).label("lane_deadline")
        stmt = select(*_LISTING_COLUMNS, *structured.queue_columns(), due).where(*conds)
        stmt = stmt.order_by(*priority_rules.priority_order(session, utc_or_now(now)))
    if limit is not None and not group_members:
        stmt = stmt.limit(max(0, limit))
    rows = session.execute(stmt).mappings().all()
    if group_members and limit is not None:
        rows = _first_groups(rows, limit)
    scores = item_themes.scores_of(session, [row["id"] for row in rows])
    out = []
    for row in rows:
        all_scores = scores[row["id"]]
        entry = dict(row)
        entry.pop("group_id", None)  # `annotate_groups` names the group as ``group``
        entry["published_precision"] = published_precision(entry["published_at"], entry.get("flags"))
        for name in ("published_at", "updated_at", "fetched_at"):
            entry[name] = iso_z(entry[name])
        entry.update(_listing_themes(entry.pop("editor_themes"), all_scores))
        lane_due = _aware(entry.pop("lane_deadline", None))
        entry = structured.queue_entry(entry, utc_or_now(now))
        entry["deadline_in_group"] = bool(lane_due and entry["deadline"] is None)
        if entry["deadline_in_group"]:
            entry["deadline"] = iso_z(lane_due)
        out.append(entry)
    annotate_groups(session, out)
    return out
