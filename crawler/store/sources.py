"""Sources: their metadata from the operator's YAML, their status and yield, enabling them.

`sync_sources` writes metadata only (name, publisher, country, kind, content type, enabled,
languages and time zone: the last two are what `ewsi reprocess` reads items with); the
health columns (state, failures, back-off, last run times, errors) are written by
crawler.store.runs from the verdicts of crawler.health. A write for an unknown source id creates a
placeholder row first (`ensure_source`), so it never fails its foreign key. Functions never commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from crawler.errors import NotFound, UnknownSource
from crawler.health import QUARANTINE_AFTER
from crawler.store import dialect
from crawler.store.audit import audit
from crawler.store.schema import CrawlRun, Item, QuarantinedUrl, SourceRow, clip, utcnow
from crawler.text import iso_z

if TYPE_CHECKING:  # only the type: crawler.store does not depend on pydantic at run time
    from crawler.sources import Source

log = logging.getLogger(__name__)


def ensure_source(session: Session, source_id: str) -> None:
    """Create a placeholder sources row if `source_id` is unknown, so a write never fails its FK."""
    if session.get(SourceRow, source_id) is not None:
        return
    now = utcnow()
    stmt = (
        dialect.insert(session, SourceRow.__table__)  # type: ignore[arg-type]
        .values(
            id=source_id,
            name=source_id,
            enabled=True,
            state="new",
            consecutive_failures=0,
            note="created on first write before sync_sources",
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["id"])
    )
    session.execute(stmt)
    log.warning("source %s was not synced; placeholder row created", source_id)


def sync_sources(session: Session, sources: Iterable[Source]) -> int:
    """Insert or update the metadata of `sources` (name, publisher, country, kind, content type, enabled,
    languages, time zone).

    Health fields (state, failures, back-off, last run times, errors) are left as they are; sources
    missing from `sources` are not touched. Returns the number of sources written.
    """
    now = utcnow()
    count = 0
    for source in sources:
        meta = {
            "name": clip(source.name),
            "publisher": clip(source.publisher),
            "country": clip(source.country, 8),
            "kind": clip(source.kind, 16),
            "content_type": clip(source.content_type, 32),
            "enabled": source.enabled,
            "languages": list(source.languages),
            "timezone": source.timezone,
            "updated_at": now,
        }
        stmt = dialect.insert(session, SourceRow.__table__).values(  # type: ignore[arg-type]
            id=source.id, state="new", consecutive_failures=0, created_at=now, **meta
        )
        session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=meta))
        count += 1
    dialect.expire(session, SourceRow)  # ORM copies are stale after the Core upsert
    return count


def source_status(session: Session) -> list[dict[str, Any]]:
    """One dict per source (ordered by id) for ``ewsi sources status``.

    Keys: id, name, kind, enabled, state, last_run_at, last_run_status, last_success_at,
    last_new_item_at, consecutive_failures, backoff_until, last_error_key, last_error,
    items_total, items_pending (in the review queue), items_suspect (held back after a broken run,
    crawler.store.suspects), quarantined (URLs skipped by the quarantine), moved_to (configured URL
    -> the URL its permanent redirect leads to: update the config; crawler.health rule 4, or None).
    Times are ISO 8601 strings with Z, or None.
    """
    counts = {
        source_id: (total, pending or 0, suspect or 0)
        for source_id, total, pending, suspect in session.execute(
            select(
                Item.source_id,
                func.count(Item.id),
                func.sum(case((and_(Item.status == "pending", Item.suspect_key.is_(None)), 1), else_=0)),
                func.sum(case((Item.suspect_key.is_not(None), 1), else_=0)),
            ).group_by(Item.source_id)
        ).all()
    }
    last_ids = select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id")).group_by(CrawlRun.source_id)
    last_status = {
        source_id: status
        for source_id, status in session.execute(
            select(CrawlRun.source_id, CrawlRun.status).where(
                CrawlRun.id.in_(select(last_ids.subquery().c.run_id))
            )
        ).all()
    }
    now = utcnow()
    quarantined = dict(
        session.execute(
            select(QuarantinedUrl.source_id, func.count())
            .where(QuarantinedUrl.hits >= QUARANTINE_AFTER, QuarantinedUrl.expires_at > now)
            .group_by(QuarantinedUrl.source_id)
        ).all()
    )
    out = []
    for source in session.scalars(select(SourceRow).order_by(SourceRow.id)):
        total, pending, suspect = counts.get(source.id, (0, 0, 0))
        out.append(
            {
                "id": source.id,
                "name": source.name,
                "kind": source.kind,
                "enabled": source.enabled,
                "state": source.state,
                "last_run_at": iso_z(source.last_run_at),
                "last_run_status": last_status.get(source.id),
                "last_success_at": iso_z(source.last_success_at),
                "last_new_item_at": iso_z(source.last_new_item_at),
                "consecutive_failures": source.consecutive_failures,
                "backoff_until": iso_z(source.backoff_until),
                "last_error_key": source.last_error_key,
                "last_error": source.last_error,
                "items_total": int(total),
                "items_pending": int(pending),
                "items_suspect": int(suspect),
                "quarantined": int(quarantined.get(source.id, 0)),
                "moved_to": source.moved_to or None,
            }
        )
    return out


def source_yield(session: Session) -> list[dict[str, Any]]:
    """`source_status` rows, each with items per status (approved, rejected, pending,
    deferred, changed) and ``yield`` = approved / (approved + rejected), None before any decision."""
    counts: dict[str, dict[str, int]] = {}
    for source_id, status, n in session.execute(
        select(Item.source_id, Item.status, func.count(Item.id)).group_by(Item.source_id, Item.status)
    ):
        counts.setdefault(source_id, {})[status] = int(n)
    publishers = dict(session.execute(select(SourceRow.id, SourceRow.publisher)).all())
    relevant = dict(
        session.execute(
            select(Item.source_id, func.count(Item.id))
            .where(Item.relevant.is_(True))
            .group_by(Item.source_id)
        ).all()
    )
    weekly = weekly_new_items(session)
    out = []
    for row in source_status(session):
        per = counts.get(row["id"], {})
        approved, rejected = per.get("approved", 0), per.get("rejected", 0)
        decided = approved + rejected
        out.append(
            {
                **row,
                "publisher": publishers.get(row["id"]),
                "items_approved": approved,
                "items_rejected": rejected,
                "items_deferred": per.get("deferred", 0),
                "yield": (approved / decided) if decided else None,
                "relevant_share": (relevant.get(row["id"], 0) / total)
                if (total := sum(per.values()))
                else None,
                "weekly": weekly.get(row["id"], [0] * WEEKS),
            }
        )
    return out


WEEKS = 8
"""Weeks of new-item history on the sources page."""


def weekly_new_items(
    session: Session, now: datetime | None = None, weeks: int = WEEKS
) -> dict[str, list[int]]:
    """{source id: new items (first seen) in each of the last `weeks` 7-day windows, oldest first}."""
    now = now or utcnow()
    since = now - timedelta(days=7 * weeks)
    out: dict[str, list[int]] = {}
    rows = session.execute(select(Item.source_id, Item.first_seen_at).where(Item.first_seen_at >= since))
    for source_id, seen in rows:
        if seen.tzinfo is None:
            seen = seen.replace(tzinfo=now.tzinfo)
        index = weeks - 1 - min(weeks - 1, int((now - seen).total_seconds() // (7 * 86400)))
        out.setdefault(source_id, [0] * weeks)[index] += 1
    return out


def set_source_enabled(
    session: Session, actor: str, source_id: str, enabled: bool, *, address: str | None = None
) -> None:
    """Enable or disable a source (admins) and audit ``source_change``. Raises `NotFound`."""
    source = session.get(SourceRow, source_id)
    if source is None:
        raise NotFound(f"source {source_id!r} not found")
    before = {"enabled": source.enabled}
    source.enabled = enabled
    source.updated_at = utcnow()
    audit(
        session,
        actor,
        "source_change",
        object_type="source",
        object_id=source_id,
        address=address,
        before=before,
        after={"enabled": enabled},
        detail={"enabled": enabled},
    )


def require_known_source(session: Session, source_id: str | None) -> None:
    """Rule for every command that takes ``--source ID``: an id that is not a synced source (every
    stored item's source is one) is a usage error (`UnknownSource`: ``unknown source id 'ID'`` and
    the close ids, exit 2), never an empty answer. None (no ``--source``) passes."""
    if source_id is None:
        return
    if session.get(SourceRow, source_id) is None:
        raise UnknownSource(source_id, session.scalars(select(SourceRow.id)))
