"""Host closures kept from one run to the next where the shared host budget is off (SQLite).

A host closes when it answers a 429/503 whose Retry-After exceeds EWSI_RETRY_AFTER_MAX (crawler.health
rule 6; crawler.fetch.retry caps it at `HOST_PAUSE_MAX`, a day). With the shared budget
(PostgreSQL, crawler.store.host_budget) every process reads the closure from ``host_budgets``. Without
it the closure lived in the crawling process only, so the next ``ewsi crawl`` asked the host again
at once. Rules, on the same table and with the same meaning as the shared budget:

- `save` (at the end of a run) writes each host still closed: ``closed_until`` becomes the later
  of the stored and the new reopening, never more than `HOST_PAUSE_MAX` after now; ``closed_key``
  the error key of the answer that closed it (``fetch.http_429``);
- `load` (at the start of a run, and for ``ewsi sources status``/``check``) lists the hosts closed
  now as (host, reopening as aware UTC, key), soonest first; a closure reaching past the cap after
  it was written is cut back to the cap, as `host_budget.closures` does.

Works on every back end through the ORM (the table exists on all of them, migration 0014); the
caller commits. `load_from` and `save_to` open their own session on a database URL (None: the
default store) and raise `DatabaseUnavailable` with the driver's reason when it fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crawler.errors import DatabaseUnavailable
from crawler.health import HOST_PAUSE_MAX
from crawler.store.schema import HostBudgetRow, as_utc, utcnow
from crawler.store.session import driver_reason, session_scope

DEFAULT_KEY = "fetch.http_429"
"""Key shown for a closure written without one."""


def _key(host: str) -> str:
    return (host or "").strip().lower().rstrip(".")[:255]


def save(session: Session, closures: Iterable[tuple[str, datetime, str]]) -> int:
    """Record `closures` (host, reopening as aware datetime, error key); returns how many hosts were
    written (a reopening already past, or an empty host name, is left out)."""
    now = utcnow()
    cap = now + HOST_PAUSE_MAX
    written = 0
    for host, until, key in closures:
        name = _key(host)
        reopens = as_utc(until)
        if not name or reopens is None or reopens <= now:
            continue
        reopens = min(reopens, cap)
        row = session.get(HostBudgetRow, name)
        if row is None:
            row = HostBudgetRow(host=name, next_at=now, crawl_delay=0.0)
            session.add(row)
        stored = as_utc(row.closed_until)
        if stored is not None and stored > reopens and stored <= cap:
            reopens = stored
        row.closed_until = reopens
        row.closed_key = (key or DEFAULT_KEY)[:64]
        row.updated_at = now
        written += 1
    session.flush()
    return written


def load(session: Session) -> list[tuple[str, datetime, str]]:
    """Hosts closed now: (host, reopening as aware UTC, error key), soonest reopening first."""
    now = utcnow()
    found: list[tuple[str, datetime, str]] = []
    b = HostBudgetRow
    query = select(b.host, b.closed_until, b.closed_key, b.updated_at).where(b.closed_until.is_not(None))
    rows = session.execute(query).all()
    for host, closed_until, key, updated_at in rows:
        until = as_utc(closed_until)
        written = as_utc(updated_at) or now
        if until is None:
            continue
        until = min(until, written + HOST_PAUSE_MAX)
        if until > now:
            found.append((host, until, key or DEFAULT_KEY))
    return sorted(found, key=lambda row: (row[1], row[0]))


def load_from(url: str | None) -> list[tuple[str, datetime, str]]:
    """`load` on the store at `url`; raises DatabaseUnavailable."""
    try:
        with session_scope(url) as session:
            return load(session)
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(driver_reason(exc)) from None


def save_to(url: str | None, closures: Iterable[tuple[str, datetime, str]]) -> int:
    """`save` on the store at `url`, committed; raises DatabaseUnavailable."""
    try:
        with session_scope(url) as session:
            return save(session, closures)
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(driver_reason(exc)) from None
