"""Funding calls and events: their stored columns and the read side's lists.

- `structured_values(item)`: the columns of `HarvestedItem.funding` / `.event` (migration
  0013_structured), written on insert and on every new version; ``final_deadline`` is the last
  deadline, ``deadlines`` every cut-off as ISO 8601 UTC strings.
- `STATUS_SQL`: `crawler.types.call_status` as SQL, so lists filter by the status at query time
  (a call closes by itself once its last deadline has passed; a forthcoming one opens on its date).
- `funding_where` / `events_where`: conditions of the API's lists: ``status``, ``programme`` (any
  case, surrounding spaces ignored; a programme never stored matches nothing),
  ``deadline_before`` (the call's next deadline at harvest time, or its last one, is after now and
  not after the bound: "closing before"), ``deadline_after`` (its last deadline is after the bound);
  events by ``from``/``to`` (an event overlapping the window) and ``country`` (any of several).
- `structured_record(row, now)`: the structured fields of a row for the API, queue and feeds.
Query functions never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from crawler.store import themes as item_themes
from crawler.store.schema import Item, SourceRow
from crawler.types import CALL_STATUSES, HarvestedItem, all_day_dates, call_status

FUNDING_COLUMNS: tuple[str, ...] = (
    "call_id",
    "programme",
    "call_status",
    "opens_at",
    "final_deadline",
    "deadlines",
    "budget_amount",
    "budget_currency",
    "eligible_countries",
)
EVENT_COLUMNS: tuple[str, ...] = (
    "event_start",
    "event_end",
    "event_all_day",
    "event_timezone",
    "event_venue",
    "event_city",
    "event_country",
    "event_online",
    "event_organiser",
    "registration_url",
    "registration_deadline",
)


def structured_columns() -> tuple[Any, ...]:
    """The Item columns of `FUNDING_COLUMNS` and `EVENT_COLUMNS` (for selects)."""
    return tuple(getattr(Item, name) for name in FUNDING_COLUMNS + EVENT_COLUMNS)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def _iso(value: datetime) -> str:
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")  # type: ignore[union-attr]


def _cut(value: str | None, size: int) -> str | None:
    return value[:size] if isinstance(value, str) and value else None


def structured_values(item: HarvestedItem) -> dict[str, Any]:
    """Column values of the item's funding call and event (None where the item has none)."""
    values: dict[str, Any] = dict.fromkeys(FUNDING_COLUMNS + EVENT_COLUMNS)
    call = item.funding
    if call is not None:
        deadlines = sorted(d for d in (_utc(x) for x in call.deadlines) if d is not None)
        values.update(
            call_id=_cut(call.call_id, 128),
            programme=_cut(call.programme, 64),
            call_status=call.status if call.status in CALL_STATUSES else None,
            opens_at=_utc(call.opens_at),
            final_deadline=deadlines[-1] if deadlines else None,
            deadlines=[_iso(d) for d in deadlines] or None,
            budget_amount=call.budget_amount,
            budget_currency=_cut(call.budget_currency, 3),
            eligible_countries=list(call.eligible_countries) or None,
        )
    event = item.event
    if event is not None:
        values.update(
            event_start=_utc(event.start),
            event_end=_utc(event.end),
            event_all_day=event.all_day,
            event_timezone=_cut(event.timezone, 64),
            event_venue=event.venue,
            event_city=event.city,
            event_country=_cut(event.country, 8),
            event_online=event.online,
            event_organiser=event.organiser,
            registration_url=event.registration_url,
            registration_deadline=_utc(event.registration_deadline),
        )
    return values


def last_deadline() -> ColumnElement[Any]:
    """A call's last deadline (rows stored before 0013_structured have `deadline` only)."""
    return func.coalesce(Item.final_deadline, Item.deadline)


def status_sql(now: datetime) -> ColumnElement[Any]:
    """`crawler.types.call_status` at `now` as a SQL expression over the item's columns."""
    return case(
        (and_(last_deadline().is_not(None), last_deadline() < now), literal("closed")),
        (and_(Item.opens_at.is_not(None), Item.opens_at > now), literal("forthcoming")),
        (and_(Item.call_status == "forthcoming", Item.opens_at.is_not(None)), literal("open")),
        (Item.call_status.in_(CALL_STATUSES), Item.call_status),
        (last_deadline().is_not(None), literal("open")),
        else_=None,
    )


def funding_where(
    now: datetime,
    *,
    status: str | None = None,
    programme: str | None = None,
    deadline_before: datetime | None = None,
    deadline_after: datetime | None = None,
) -> list[ColumnElement[bool]]:
    """Conditions on funding items (content type is the caller's): see the module docstring."""
    where: list[ColumnElement[bool]] = []
    if status:
        where.append(status_sql(now) == status)
    if programme and programme.strip():  # any case, surrounding spaces ignored
        where.append(func.lower(func.trim(Item.programme)) == programme.strip().lower())
    if deadline_before is not None:
        where.append(
            or_(
                and_(Item.deadline > now, Item.deadline <= deadline_before),
                and_(last_deadline() > now, last_deadline() <= deadline_before),
            )
        )
    if deadline_after is not None:
        where.append(last_deadline() > deadline_after)
    return where


def events_where(
    *,
    start_from: datetime | None = None,
    to: datetime | None = None,
    country: str | Sequence[str] | None = None,
) -> list[ColumnElement[bool]]:
    """Conditions on events: overlapping [start_from, to) and in `country` (an ISO code, or any of
    several)."""
    where: list[ColumnElement[bool]] = [Item.event_start.is_not(None)]
    if start_from is not None:
        where.append(
            or_(Item.event_end > start_from, and_(Item.event_end.is_(None), Item.event_start >= start_from))
        )
    if to is not None:
        where.append(Item.event_start < to)
    codes = [country] if isinstance(country, str) else list(country or ())
    if codes := [c.upper() for c in codes if c]:
        where.append(Item.event_country.in_(codes))
    return where


def _dates(values: Any) -> list[datetime]:
    out = []
    for value in values or []:
        try:
            out.append(datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC))
        except ValueError:
            continue
    return sorted(out)


def structured_record(row: Any, now: datetime) -> dict[str, Any]:
    """The structured fields of a row (ORM Item or a Row with these columns), status at `now`.

    Funding: call_id, programme, call_status, opens_at, deadlines, final_deadline, days_left (whole
    days to the next deadline, None when closed), budget {amount, currency}, eligible_countries.
    Events: event_start, event_end, all_day, timezone, place {venue, city, country, online},
    organiser, registration_url, registration_deadline; an all-day event adds start_date and
    end_date (`date`s, the end inclusive: crawler.types.all_day_dates, read in the event's zone, so
    a reader never turns a day into a UTC instant). Keys of the other kind are left out.
    """
    out: dict[str, Any] = {}
    get = lambda name: getattr(row, name, None)  # noqa: E731
    deadlines = _dates(get("deadlines")) or [d for d in [_utc(get("final_deadline") or get("deadline"))] if d]
    if get("call_id") or deadlines or get("programme") or get("call_status"):
        status = call_status(
            now, opens_at=_utc(get("opens_at")), deadlines=deadlines, published=get("call_status")
        )
        upcoming = [d for d in deadlines if d > now]
        out.update(
            call_id=get("call_id"),
            programme=get("programme"),
            call_status=status,
            opens_at=_utc(get("opens_at")),
            deadlines=deadlines,
            final_deadline=deadlines[-1] if deadlines else None,
            next_deadline=upcoming[0] if upcoming else None,
            days_left=(upcoming[0] - now).days if upcoming else None,
            budget={"amount": get("budget_amount"), "currency": get("budget_currency")}
            if get("budget_amount") is not None
            else None,
            eligible_countries=list(get("eligible_countries") or []),
        )
    if get("event_start") is not None:
        out.update(
            event_start=_utc(get("event_start")),
            event_end=_utc(get("event_end")),
            all_day=bool(get("event_all_day")),
            timezone=get("event_timezone"),
            place={
                "venue": get("event_venue"),
                "city": get("event_city"),
                "country": get("event_country"),
                "online": bool(get("event_online")),
            },
            organiser=get("event_organiser"),
            registration_url=get("registration_url"),
            registration_deadline=_utc(get("registration_deadline")),
        )
        days = (
            all_day_dates(out["event_start"], out["event_end"], out["timezone"]) if out["all_day"] else None
        )
        if days is not None:
            out.update(start_date=days[0], end_date=days[1])
    return out


def event_days(record: dict[str, Any]) -> str | None:
    """The days of an all-day event as its source wrote them: ``2027-02-10``, or
    ``2027-03-01 – 2027-03-03`` (last day included); None for a timed event."""
    first, last = record.get("start_date"), record.get("end_date")
    if first is None:
        return None
    return str(first) if last is None or last == first else f"{first} – {last}"


def records_of(session: Session, ids: Sequence[int], now: datetime) -> dict[int, dict[str, Any]]:
    """`structured_record` of each item of `ids` that has structured fields (a call or an event),
    by id; items without are left out."""
    if not ids:
        return {}
    rows = session.execute(select(Item.id, *structured_columns()).where(Item.id.in_(list(ids)))).all()
    out = {row.id: structured_record(row, now) for row in rows}
    return {k: v for k, v in out.items() if v}


def when_and_where(record: dict[str, Any]) -> str | None:
    """One line a feed reader shows before an item's summary: an event's days (all-day, as the
    source wrote them) or its start and end in UTC, and its place; a call's next deadline (else its
    last) in UTC and its status. None for an item with neither. Times are ISO-like and in UTC, so a
    reader in any zone reads them alike."""
    if record.get("event_start") is not None:
        days = event_days(record)
        if days is None:
            start, end = record["event_start"], record.get("event_end")
            days = f"{start:%Y-%m-%d %H:%M}" + (
                f" – {end:%Y-%m-%d %H:%M}"
                if end and end.date() != start.date()
                else f"–{end:%H:%M}"
                if end
                else ""
            )
            days += " UTC"
        place = place_label(record.get("place"))
        return f"Event: {days}" + (f", {place}" if place else "")
    due = record.get("next_deadline") or record.get("final_deadline")
    if due is not None:
        status = record.get("call_status")
        return f"Deadline: {due:%Y-%m-%d %H:%M} UTC" + (f" ({status})" if status else "")
    return None


# --- the read side's lists (published items only) ----------------------------------------------

LIST_LIMIT = 200
"""Rows a list returns at most."""


def _published_rows(
    session: Session, content_type: str, where: list[ColumnElement[bool]], order: Sequence[Any], limit: int
) -> Sequence[Any]:
    from crawler.store import portal

    stmt = (
        select(*portal._PUBLIC_COLUMNS, *structured_columns())
        .join(SourceRow, SourceRow.id == Item.source_id, isouter=True)
        .where(portal.is_published(), portal.PUBLIC_CONTENT_TYPE.in_((content_type,)), *where)
        .order_by(*order, Item.id)
        .limit(max(1, min(limit, LIST_LIMIT)))
    )
    return session.execute(stmt).all()


def _records(session: Session, rows: Sequence[Any], now: datetime) -> list[dict[str, Any]]:
    from crawler.store import portal

    themes = item_themes.of_rows(session, rows)
    return [
        {**portal._public_dict(row, themes.get(row.id, [])), **structured_record(row, now)} for row in rows
    ]


def published_calls(
    session: Session,
    now: datetime,
    *,
    status: str | None = None,
    programme: str | None = None,
    deadline_before: datetime | None = None,
    deadline_after: datetime | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Published funding calls matching the filters (`funding_where`), soonest last deadline first
    (calls without a deadline last); public dicts of crawler.store.portal plus `structured_record`."""
    where = funding_where(
        now,
        status=status,
        programme=programme,
        deadline_before=deadline_before,
        deadline_after=deadline_after,
    )
    order = (last_deadline().is_(None), last_deadline())
    return _records(session, _published_rows(session, "funding", where, order, limit), now)


def published_events(
    session: Session,
    now: datetime,
    *,
    start_from: datetime | None = None,
    to: datetime | None = None,
    country: str | Sequence[str] | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Published events overlapping [start_from, to) (`start_from` defaults to `now`: upcoming and
    running events), soonest start first; public dicts plus `structured_record`."""
    where = events_where(start_from=start_from or now, to=to, country=country)
    return _records(session, _published_rows(session, "event", where, (Item.event_start,), limit), now)


VERSIONED: tuple[str, ...] = (
    "call_id",
    "programme",
    "opens_at",
    "deadlines",
    "budget_amount",
    "budget_currency",
    "eligible_countries",
    "event_start",
    "event_end",
    "event_venue",
    "event_city",
    "event_country",
    "event_online",
    "registration_url",
)
"""Structured columns compared between versions: a corrigendum shows which of them changed."""


def queue_columns() -> tuple[Any, ...]:
    """Columns `queue_entry` reads (added to the review queue's select)."""
    return (Item.deadline, *structured_columns())


def queue_entry(entry: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A queue row with its structured columns replaced by what an editor reads: call_id,
    programme, deadline (the next one, ISO 8601 Z), call_status (at `now`) for calls; event_start,
    event_end (ISO 8601 Z), event_days (an all-day event's days, `event_days`) and place ("Venue,
    City, CC" / "Online") for events; None elsewhere."""
    record = structured_record(SimpleNamespace(**entry), now)
    for name in ("deadline", *FUNDING_COLUMNS, *EVENT_COLUMNS):
        entry.pop(name, None)
    text = place_label(record.get("place"))
    entry.update(
        call_id=record.get("call_id"),
        programme=record.get("programme"),
        deadline=_z(record.get("next_deadline") or record.get("final_deadline")),
        call_status=record.get("call_status"),
        event_start=_z(record.get("event_start")),
        event_end=_z(record.get("event_end")),
        event_days=event_days(record),
        place=text or None,
    )
    return entry


def place_label(place: dict[str, Any] | None) -> str | None:
    """ "Venue, City, CC" of a place, "/ Online" added for online events; None when unknown."""
    place = place or {}
    text = ", ".join(p for p in (place.get("venue"), place.get("city"), place.get("country")) if p)
    if place.get("online") and "online" not in text.casefold():  # not "Online (Zoom) / Online"
        text = f"{text} / Online" if text else "Online"
    return text or None


def _z(value: datetime | None) -> str | None:
    return _iso(value) if value is not None else None
