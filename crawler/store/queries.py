"""Query functions of the review-queue database.

Every function takes a Session and never commits: the pipeline, runner or request that opened the
session does (SQLAlchemy session basics; DESIGN.md convention 11). Back-end specific SQL
(INSERT ... ON CONFLICT) is chosen here from the session's dialect, with the SQLite equivalent.
Text goes through `crawler.text.clean_text` here and again in the column types (defence in depth,
case B18); bounded columns are cut to their declared length so PostgreSQL never raises DataError.

`upsert_item` evaluates in this order (Miniflux's entry storage, T28, T29, case B07):
1. identity missing -> ValueError; identity hash tombstoned -> "tombstoned", nothing written;
2. look the row up by identity hash, else by (source_id, guid) (same entry, link changed);
3. not found -> INSERT ... ON CONFLICT (identity_hash) DO NOTHING, with the six theme rows and the
   raw body -> "new"; if a concurrent writer won the race, continue with its row;
4. found, but owned by another source -> "duplicate" (row untouched);
5. same content hash -> last_seen_at only -> "unchanged";
6. rejected -> "tombstoned" (and its identity tombstoned, should the desk not have done it);
7. content changed -> a new version: the previous title, summary, text and content hash go to
   ``item_versions`` (with ``changed_fields``, e.g. ["summary", "text"]), ``version`` + 1, the row gets
   the new harvested values (first published_at kept) -> "updated". An approved (or already changed)
   item goes back to the queue as ``changed``; what the editor approved stays public: its
   ``editor_title`` / ``editor_summary`` are kept when set and pinned to the approved values when not
   (the portal serves ``coalesce(editor_*, harvested)``, crawler/store/portal.py).

Quarantine (T14): `record_worker_kill` counts extraction-worker kills per URL; a URL killed
`QUARANTINE_AFTER` times is skipped (`quarantined_urls`) until `QUARANTINE_DAYS` after the last kill.

Test hook (fault injection, T32): ``EWSI_FAULT_KILL_AFTER_ITEM_ROW=N`` makes the process send
itself SIGKILL inside the transaction of the N-th new item it writes, right after the INSERT of the
``items`` row reached the database and before the item's other rows (its six ``item_themes``
scores and its ``raw_responses`` body). The item's text and classification (relevance, relevant,
model version) are columns of that same ``items`` row, so the test checks that the row is absent,
or present with its text, classification and theme rows. Read once at import; unset (the default
everywhere but that test) it costs one falsy check per new item. Never set it in production.

Source health (`finish_run`; states of schema.SOURCE_STATES): ``failing`` from the first failed run
(back-off min(2**n * 15 min, 24 h), never disabled); ``broken`` when a run fails *by meaning* (no
items, no text, or no dates: ``parse.no_items``, ``parse.feed_malformed``, ``extract.all_empty``,
``parse.no_dates``) although one of the source's last `HISTORY_RUNS` ok runs delivered them;
``quiet`` when runs are ok but no new item arrived for `QUIET_FACTOR` times the source's usual gap
between new items (median over its recent runs, at least `QUIET_MIN`); else ``healthy``.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import signal
import socket
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, case, delete, func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crawler.store import priority as queue_order
from crawler.store.schema import (
    CrawlRun,
    HttpCacheEntry,
    Item,
    ItemTheme,
    ItemVersion,
    QuarantinedUrl,
    RawResponseRow,
    SourceRow,
    Tombstone,
    clean_json,
    iso_z,
    sha256_hex,
    utcnow,
)
from crawler.text import clean_text
from crawler.types import Classification, CrawlReport, HarvestedItem

if TYPE_CHECKING:  # only the type: crawler.store does not depend on pydantic at run time
    from crawler.sources import Source

log = logging.getLogger(__name__)

HISTORY_RUNS = 5
"""Ok runs of a source looked at to judge a run by meaning (does the source normally deliver?)."""
MEANING_KEYS = frozenset({"parse.no_items", "parse.feed_malformed", "extract.all_empty", "parse.no_dates"})
"""Error keys that say "the source answered, but not with what it normally delivers"."""
NO_DATES_SHARE = 0.5
"""A run whose items are undated in more than this share, for a source whose ok runs were dated,
fails with ``parse.no_dates``."""
QUIET_FACTOR = 3.0
QUIET_MIN = timedelta(days=1)
QUIET_SAMPLES = 3
"""``quiet`` needs at least this many earlier runs with new items to know the usual gap."""
QUARANTINE_AFTER = 2
"""Worker kills (memory or timeout) after which a URL is quarantined (T14)."""
QUARANTINE_DAYS = 7
"""How long a quarantine (and a single kill's strike) lasts after the last kill."""
BACKOFF_BASE = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=24)
"""After n consecutive failures the source waits min(2**n * 15 min, 24 h) (Miniflux-style back-off)."""
ZLIB_LEVEL = 6

OUTCOMES: tuple[str, ...] = ("new", "updated", "unchanged", "duplicate", "tombstoned")

FAULT_KILL_ENV = "EWSI_FAULT_KILL_AFTER_ITEM_ROW"
_FAULT_KILL_AFTER = int(os.environ.get(FAULT_KILL_ENV, "0") or 0)  # test hook (module docstring)
_fault_rows = 0


def _fault_after_item_row(session: Session) -> None:
    """The T32 hook: SIGKILL this process after the `_FAULT_KILL_AFTER`-th new item row was sent."""
    global _fault_rows
    _fault_rows += 1
    if _fault_rows == _FAULT_KILL_AFTER:
        session.flush()
        log.warning("%s=%d: killing this process inside the item's transaction", FAULT_KILL_ENV, _fault_rows)
        os.kill(os.getpid(), signal.SIGKILL)


class SlotTaken(Exception):
    """Raised by `start_run` when (source_id, slot_start) already has a run (another scheduler won)."""


@dataclass
class RawResponse:
    """A fetched body to keep with its item (stored zlib-compressed in ``raw_responses``)."""

    url: str
    body: bytes
    status: int | None = None
    media_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: datetime | None = None

    @classmethod
    def from_item(cls, item: HarvestedItem) -> RawResponse | None:
        """The followed page of `item` (body, body_url, http_status, ...), or None when it has no body."""
        if item.body is None:
            return None
        return cls(
            url=item.body_url or item.url,
            body=item.body,
            status=item.http_status,
            media_type=item.media_type,
            headers=dict(item.http_headers),
            fetched_at=item.fetched_at,
        )


# --- helpers ---------------------------------------------------------------------------------


def _c(value: str | None, max_chars: int | None = None) -> str | None:
    """clean_text, then cut to `max_chars` characters (VARCHAR(n) counts characters on PostgreSQL)."""
    value = clean_text(value)
    if value is not None and max_chars is not None:
        value = value[:max_chars]
    return value


def _is_web_url(url: object) -> bool:
    """Links are stored only when they are http(s) (RELIABILITY.md §2 "HTML")."""
    return isinstance(url, str) and url.lower().startswith(("http://", "https://"))


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _insert(session: Session, table: Table) -> Any:
    """INSERT for the session's dialect, offering ``on_conflict_do_nothing/update``."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database dialect {name!r}: use postgresql or sqlite")


def _expire(session: Session, cls: type, keys: set[Any] | None = None) -> None:
    """Expire ORM copies of `cls` (all, or those whose primary key is in `keys`) after a Core write.

    Targeted rather than expire_all(), which would also discard the caller's unflushed changes.
    """
    for obj in list(session.identity_map.values()):
        if not isinstance(obj, cls):
            continue
        identity = inspect(obj).identity
        if keys is None or (identity is not None and identity[0] in keys):
            session.expire(obj)


def _ensure_source(session: Session, source_id: str) -> None:
    """Create a placeholder sources row if `source_id` is unknown, so a write never fails its FK."""
    if session.get(SourceRow, source_id) is not None:
        return
    now = utcnow()
    stmt = (
        _insert(session, SourceRow.__table__)
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


# --- sources ---------------------------------------------------------------------------------


def sync_sources(session: Session, sources: Iterable[Source]) -> int:
    """Insert or update the metadata of `sources` (name, publisher, country, kind, content type, enabled).

    Health fields (state, failures, back-off, last run times, errors) are left as they are; sources
    missing from `sources` are not touched. Returns the number of sources written.
    """
    now = utcnow()
    count = 0
    for source in sources:
        meta = {
            "name": _c(source.name),
            "publisher": _c(source.publisher),
            "country": _c(source.country, 8),
            "kind": _c(source.kind, 16),
            "content_type": _c(source.content_type, 32),
            "enabled": source.enabled,
            "updated_at": now,
        }
        stmt = _insert(session, SourceRow.__table__).values(
            id=source.id, state="new", consecutive_failures=0, created_at=now, **meta
        )
        session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=meta))
        count += 1
    _expire(session, SourceRow)  # ORM copies are stale after the Core upsert
    return count


# --- items -----------------------------------------------------------------------------------


def _item_values(item: HarvestedItem) -> dict[str, Any]:
    """Column values taken from the item on insert and on an in-place update of a pending row."""
    canonical = _c(item.canonical_url) or _c(item.url) or ""
    text = _c(item.text)
    cls = item.classification
    return {
        "url": _c(item.url) or canonical,
        "canonical_url": canonical,
        "url_hash": sha256_hex(canonical),
        "guid": _c(item.guid),
        "official_id": _c(item.official_id, 255),
        "title": _c(item.title),
        "summary": _c(item.summary),
        "text": text,
        "text_chars": len(text) if text else 0,
        "author": _c(item.author),
        "language": _c(item.language, 8),
        "language_confidence": item.language_confidence,
        "language_method": _c(item.language_method, 32),
        "declared_language": _c(item.declared_language, 16),
        "languages_found": clean_json(list(item.languages_found)),
        "content_type": _c(item.content_type, 32),
        "country": _c(item.country, 8),
        "date_method": _c(item.date_method, 16),
        "deadline": _utc(item.deadline),
        "fetched_at": _utc(item.fetched_at),
        "content_hash": _c(item.content_hash, 64),
        "fingerprint": item.fingerprint,
        "relevance": cls.relevance if cls else None,
        "relevance_evidence": clean_json(list(cls.relevance_evidence)) if cls else None,
        "relevant": cls.relevant if cls else None,
        "model_version": _c(cls.model_version, 64) if cls else None,
        "flags": clean_json(list(item.flags)),
        "attachments": clean_json([a for a in item.attachments if _is_web_url(getattr(a, "url", None))]),
        "record": clean_json(item.record),
    }


def _write_themes(session: Session, item_id: int, classification: Classification | None) -> None:
    """Replace the item's theme rows with one row per ThemeScore of `classification`."""
    session.execute(delete(ItemTheme).where(ItemTheme.item_id == item_id))
    if classification is None or not classification.themes:
        return
    assigned = set(classification.assigned)
    rows = [
        {
            "item_id": item_id,
            "theme": _c(ts.theme, 64),
            "score": float(ts.score),
            "assigned": ts.theme in assigned,
            "evidence": clean_json(list(ts.evidence)),
        }
        for ts in classification.themes
    ]
    session.execute(ItemTheme.__table__.insert(), rows)


def _write_raw(session: Session, item_id: int, raw: RawResponse) -> None:
    """Keep `raw` once per distinct body (UNIQUE item_id, body_sha256)."""
    body = bytes(raw.body or b"")
    stmt = (
        _insert(session, RawResponseRow.__table__)
        .values(
            item_id=item_id,
            url=_c(raw.url),
            status=raw.status,
            media_type=_c(raw.media_type, 255),
            headers=clean_json(dict(raw.headers or {})),
            body=zlib.compress(body, ZLIB_LEVEL),
            body_sha256=hashlib.sha256(body).hexdigest(),
            size=len(body),
            fetched_at=_utc(raw.fetched_at) or utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["item_id", "body_sha256"])
    )
    session.execute(stmt)


def _find_item(session: Session, identity_hash: str, item: HarvestedItem) -> Item | None:
    row = session.scalars(select(Item).where(Item.identity_hash == identity_hash)).one_or_none()
    if row is None and item.guid:
        row = session.scalars(
            select(Item)
            .where(Item.source_id == item.source_id, Item.guid == _c(item.guid))
            .order_by(Item.id)
            .limit(1)
        ).first()
    return row


def _insert_item(
    session: Session, item: HarvestedItem, identity: str, identity_hash: str, now: datetime
) -> int | None:
    """INSERT ... ON CONFLICT (identity_hash) DO NOTHING; the new id, or None if the row exists."""
    values = _item_values(item)
    stmt = (
        _insert(session, Item.__table__)
        .values(
            identity=identity,
            identity_hash=identity_hash,
            source_id=item.source_id,
            published_at=_utc(item.published_at),
            updated_at=_utc(item.updated_at),
            first_seen_at=now,
            last_seen_at=now,
            status="pending",
            version=1,
            **values,
        )
        .on_conflict_do_nothing(index_elements=["identity_hash"])
        .returning(Item.__table__.c.id)
    )
    return session.execute(stmt).scalar_one_or_none()


def _version_date(row: Item, item: HarvestedItem, now: datetime) -> datetime:
    """When the new version appeared: the item's updated date, else its (moved) published date, else now."""
    if item.updated_at is not None:
        return _utc(item.updated_at)  # type: ignore[return-value]
    published = _utc(item.published_at)
    if published is not None and published != row.published_at:
        return published
    return now


VERSIONED_FIELDS: tuple[str, ...] = ("title", "summary", "text", "url", "published_at", "attachments")
"""Fields compared between versions; the content hash covers title, summary and text."""


def _changed_fields(row: Item, values: dict[str, Any], item: HarvestedItem) -> list[str]:
    changed = []
    for name in VERSIONED_FIELDS:
        if name == "published_at":
            new = _utc(item.published_at)
            if new is not None and row.published_at is not None and new != row.published_at:
                changed.append(name)
        elif name in values and values[name] != getattr(row, name):
            changed.append(name)
    return changed


def _update_item(
    session: Session, row: Item, item: HarvestedItem, raw: RawResponse | None, now: datetime
) -> str:
    if row.source_id != item.source_id:
        return "duplicate"
    new_hash = _c(item.content_hash, 64)
    if row.content_hash == new_hash:
        row.last_seen_at = now
        return "unchanged"
    if row.status == "rejected":
        add_tombstone(session, row.identity_hash, row.source_id, "rejected")
        return "tombstoned"
    # a value missing from the new version (extraction failed this time, no guid) keeps the stored one
    values = {name: value for name, value in _item_values(item).items() if value is not None}
    if "text" not in values:
        values.pop("text_chars", None)
    changed = _changed_fields(row, values, item) or ["content"]
    session.add(
        ItemVersion(
            item_id=row.id,
            version=row.version or 1,
            title=row.title,
            summary=row.summary,
            text=row.text,
            content_hash=row.content_hash,
            changed_fields=changed,
            created_at=now,
        )
    )
    version_date = _version_date(row, item, now)
    if row.status in ("approved", "changed"):
        # what the editor approved stays public until an editor looks again (crawler/store/portal.py)
        if row.editor_title is None:
            row.editor_title = row.title
        if row.editor_summary is None:
            row.editor_summary = row.summary
        row.status = "changed"
    for name, value in values.items():
        setattr(row, name, value)
    if row.published_at is None:
        row.published_at = _utc(item.published_at)
    _write_themes(session, row.id, item.classification)
    row.updated_at = version_date
    row.version = (row.version or 1) + 1
    row.last_changed_at = now
    row.last_seen_at = now
    if raw is not None:
        _write_raw(session, row.id, raw)
    return "updated"


def item_versions(session: Session, item_id: int) -> list[dict[str, Any]]:
    """Earlier versions of an item, oldest first: dicts with version, title, summary, text,
    content_hash, changed_fields (what the *next* version changed) and created_at (ISO 8601 Z)."""
    rows = session.scalars(
        select(ItemVersion).where(ItemVersion.item_id == item_id).order_by(ItemVersion.version)
    )
    return [
        {
            "version": v.version,
            "title": v.title,
            "summary": v.summary,
            "text": v.text,
            "content_hash": v.content_hash,
            "changed_fields": list(v.changed_fields or []),
            "created_at": iso_z(v.created_at),
        }
        for v in rows
    ]


def upsert_item(session: Session, item: HarvestedItem, *, raw: RawResponse | None = None) -> str:
    """Store one item; returns "new", "updated", "unchanged", "duplicate" or "tombstoned".

    `item.identity` and `item.content_hash` come from the dedup stage; a missing identity raises
    ValueError. The evaluation order is in the module docstring. Runs inside a SAVEPOINT so a
    failing item rolls back alone; the caller commits. Database errors propagate (wrapped by
    SQLAlchemy), after the savepoint was rolled back.
    """
    if not item.identity:
        raise ValueError(f"item {item.url!r} of {item.source_id} has no identity (set by pipelines.dedup)")
    if not _is_web_url(item.url):
        raise ValueError(f"item URL {str(item.url)[:200]!r} of {item.source_id} is not http(s)")
    identity = _c(item.identity) or ""
    identity_hash = sha256_hex(identity)
    now = utcnow()
    with session.begin_nested():
        if session.get(Tombstone, identity_hash) is not None:
            return "tombstoned"
        _ensure_source(session, item.source_id)
        row = _find_item(session, identity_hash, item)
        if row is None:
            new_id = _insert_item(session, item, identity, identity_hash, now)
            if new_id is not None:
                if _FAULT_KILL_AFTER:
                    _fault_after_item_row(session)
                _write_themes(session, new_id, item.classification)
                if raw is not None:
                    _write_raw(session, new_id, raw)
                return "new"
            # a concurrent writer inserted the same identity first: treat it as existing
            row = session.scalars(select(Item).where(Item.identity_hash == identity_hash)).one()
        return _update_item(session, row, item, raw, now)


def add_tombstone(session: Session, identity_hash: str, source_id: str | None, reason: str | None) -> None:
    """Record a rejected identity (SHA-256 hex of the item identity) so re-crawls never requeue it.

    Idempotent: a second call for the same hash keeps the first reason and time.
    """
    stmt = (
        _insert(session, Tombstone.__table__)
        .values(identity_hash=identity_hash, source_id=source_id, reason=_c(reason), created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["identity_hash"])
    )
    session.execute(stmt)


# --- crawl runs and source health --------------------------------------------------------------


def start_run(
    session: Session, source_id: str, *, slot_start: datetime | None = None, pid: int | None = None
) -> int:
    """Insert a ``running`` crawl run and set the source's last_run_at; returns the run id.

    `slot_start` is the scheduler slot being claimed: a second run for the same (source_id,
    slot_start) raises `SlotTaken` (a NULL slot never collides). `pid` defaults to this process.
    """
    _ensure_source(session, source_id)
    now = utcnow()
    stmt = _insert(session, CrawlRun.__table__).values(
        source_id=source_id,
        slot_start=_utc(slot_start),
        started_at=now,
        heartbeat_at=now,
        pid=pid if pid is not None else os.getpid(),
        host=_c(socket.gethostname(), 255),
        status="running",
    )
    if slot_start is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["source_id", "slot_start"])
    run_id = session.execute(stmt.returning(CrawlRun.__table__.c.id)).scalar_one_or_none()
    if run_id is None:
        raise SlotTaken(f"{source_id}: slot {iso_z(slot_start)} already has a run")
    session.execute(update(SourceRow).where(SourceRow.id == source_id).values(last_run_at=now))
    return int(run_id)


def heartbeat(session: Session, run_id: int) -> bool:
    """Refresh a running run's heartbeat; False when the run is no longer ``running`` (lease lost)."""
    result = session.execute(
        update(CrawlRun)
        .where(CrawlRun.id == run_id, CrawlRun.status == "running")
        .values(heartbeat_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _record_success(source: SourceRow, when: datetime, items_new: int) -> None:
    source.state = "healthy"
    source.consecutive_failures = 0
    source.last_success_at = when
    source.backoff_until = None
    source.last_error_key = None
    source.last_error = None
    if items_new > 0:
        source.last_new_item_at = when
    source.updated_at = utcnow()


def backoff_delay(failures: int) -> timedelta:
    """Back-off after `failures` consecutive failures: min(2**failures * 15 min, 24 h)."""
    if failures <= 0:
        return timedelta(0)
    if failures >= 17:  # 2**17 * 15 min is far past the cap; avoids huge integers
        return BACKOFF_MAX
    return min(BACKOFF_BASE * (2**failures), BACKOFF_MAX)


def _record_failure(
    source: SourceRow, when: datetime, error_key: str, error: str | None, *, broken: bool = False
) -> None:
    source.consecutive_failures = (source.consecutive_failures or 0) + 1
    source.state = "broken" if broken else "failing"
    source.backoff_until = when + backoff_delay(source.consecutive_failures)
    source.last_error_key = _c(error_key, 64)
    source.last_error = _c(error)
    source.updated_at = utcnow()


def _quality(stats: Any) -> dict[str, int] | None:
    """The run's item quality counts ({items, undated, followed, empty}) from its stats, if recorded."""
    quality = stats.get("quality") if isinstance(stats, dict) else None
    if not isinstance(quality, dict):
        return None
    return {k: int(quality.get(k) or 0) for k in ("items", "undated", "followed", "empty")}


def _ok_history(session: Session, source_id: str, run_id: int) -> list[CrawlRun]:
    return list(
        session.scalars(
            select(CrawlRun)
            .where(CrawlRun.source_id == source_id, CrawlRun.status == "ok", CrawlRun.id != run_id)
            .order_by(CrawlRun.id.desc())
            .limit(HISTORY_RUNS)
        )
    )


def _delivered(run: CrawlRun) -> bool:
    quality = _quality(run.stats)
    items = quality["items"] if quality else 0
    return items > 0 or (run.items_new or 0) + (run.items_updated or 0) + (run.items_unchanged or 0) > 0


def _dated(run: CrawlRun) -> bool:
    quality = _quality(run.stats)
    return bool(quality and quality["items"] and quality["undated"] <= quality["items"] * NO_DATES_SHARE)


def judge_by_meaning(
    session: Session, run: CrawlRun, status: str, error_key: str | None, stats: Any
) -> tuple[str, str | None, str | None, bool]:
    """Judge a run against the source's own history (module docstring, "Source health").

    Returns (status, error_key, message or None, broken). An ok run whose items are mostly undated
    while the last ok runs were dated becomes failed ``parse.no_dates``; a run failed with one of
    `MEANING_KEYS` is ``broken`` when one of the last `HISTORY_RUNS` ok runs delivered items.
    """
    history = _ok_history(session, run.source_id, run.id)
    quality = _quality(stats)
    if status == "ok" and quality and quality["items"]:
        undated = quality["undated"]
        if undated > quality["items"] * NO_DATES_SHARE and any(_dated(r) for r in history):
            message = (
                f"{undated} of {quality['items']} items have no date; the source's last ok runs were dated"
            )
            return "failed", "parse.no_dates", message, True
    if status == "failed" and error_key in MEANING_KEYS and any(_delivered(r) for r in history):
        return status, error_key, None, True
    return status, error_key, None, False


def _is_quiet(session: Session, source: SourceRow, when: datetime) -> bool:
    """No new item for `QUIET_FACTOR` x the usual gap between runs that brought new items."""
    if source.last_new_item_at is None:
        return False
    times = [
        t
        for t in session.scalars(
            select(CrawlRun.finished_at)
            .where(CrawlRun.source_id == source.id, CrawlRun.status == "ok", CrawlRun.items_new > 0)
            .order_by(CrawlRun.finished_at.desc())
            .limit(20)
        )
        if t is not None
    ]
    if len(times) < QUIET_SAMPLES:
        return False
    gaps = sorted((a - b for a, b in itertools.pairwise(times)), key=lambda d: d.total_seconds())
    usual = gaps[len(gaps) // 2]
    return when - source.last_new_item_at > max(usual * QUIET_FACTOR, QUIET_MIN)

NOT_THE_SOURCE = frozenset({"crawl.interrupted", "store.db_error"})
"""Error keys of runs that failed for reasons of ours, not the source's: not counted as its failures."""


def finish_run(session: Session, run_id: int, report: CrawlReport) -> None:
    """Write the report's counts on the run and update the source's health.

    The run is first judged by meaning (`judge_by_meaning`). ok -> consecutive_failures 0,
    last_success_at (and last_new_item_at when items_new > 0), back-off cleared, state ``quiet``
    when `_is_quiet` else ``healthy``. failed/interrupted -> consecutive_failures += 1, state
    ``broken`` when judged so, else ``failing``; backoff_until = finish + `backoff_delay` (the
    scheduler keeps retrying at that capped pace; nothing is disabled). A run ended by a key of
    `NOT_THE_SOURCE` (a shutdown, the database unreachable: T33/T34) leaves the source's health and
    back-off as they were, so its next slot runs and stores what this run could not. A report still saying
    ``running`` counts as ok unless it has an error key. Raises LookupError for an unknown run id.
    """
    run = session.get(CrawlRun, run_id)
    if run is None:
        raise LookupError(f"no crawl run with id {run_id}")
    finished = _utc(report.finished_at) or utcnow()
    status = report.status
    if status not in ("ok", "failed", "interrupted"):
        status = "failed" if report.error_key else "ok"
    status, error_key, message, broken = judge_by_meaning(
        session, run, status, report.error_key, report.stats
    )
    run.status = status
    run.finished_at = finished
    run.error_key = _c(error_key, 64)
    run.error = _c(message or report.error)
    run.fetched = report.fetched
    run.items_new = report.items_new
    run.items_updated = report.items_updated
    run.items_unchanged = report.items_unchanged
    run.items_dropped = sum(int(v) for v in report.dropped.values())
    run.dropped = clean_json(report.dropped)
    run.http_errors = clean_json(report.http_errors)
    run.stats = clean_json(report.stats)
    started = run.started_at or _utc(report.started_at)
    run.duration_s = max(0.0, (finished - started).total_seconds()) if started else None
    source = session.get(SourceRow, run.source_id)
    if source is None:  # FK makes this impossible unless the row was deleted meanwhile
        return
    if status == "ok":
        _record_success(source, finished, report.items_new)
        session.flush()  # this run counts in the usual gap
        if _is_quiet(session, source, finished):
            source.state = "quiet"
    elif error_key in NOT_THE_SOURCE:
        pass  # a shutdown or our own database outage says nothing about the source's health
    else:
        default_key = "crawl.crashed" if status == "interrupted" else "fetch.error"
        _record_failure(source, finished, error_key or default_key, message or report.error, broken=broken)


def mark_interrupted(session: Session, older_than: timedelta | datetime) -> list[int]:
    """Mark ``running`` runs whose heartbeat (else start) is older than the lease as ``interrupted``.

    `older_than` is the lease (a timedelta before now) or a cutoff datetime. Each such run gets
    error key ``crawl.crashed`` and counts as a failure of its source (T31). The conditional
    UPDATE makes this safe when two schedulers sweep at once. Returns the ids marked.
    """
    now = utcnow()
    cutoff = now - older_than if isinstance(older_than, timedelta) else _utc(older_than)
    last_sign = func.coalesce(CrawlRun.heartbeat_at, CrawlRun.started_at)
    candidates = session.execute(
        select(CrawlRun.id, CrawlRun.source_id).where(CrawlRun.status == "running", last_sign < cutoff)
    ).all()
    marked = []
    for run_id, source_id in candidates:
        result = session.execute(
            update(CrawlRun)
            .where(CrawlRun.id == run_id, CrawlRun.status == "running")
            .values(
                status="interrupted",
                finished_at=now,
                error_key="crawl.crashed",
                error=f"no heartbeat since before {iso_z(cutoff)}",
            )
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            continue
        marked.append(run_id)
        source = session.get(SourceRow, source_id)
        if source is not None:
            _record_failure(source, now, "crawl.crashed", "the crawl process stopped without finishing")
    return marked


# --- quarantine (T14) ---------------------------------------------------------------------------


def record_worker_kill(
    session: Session,
    url: str,
    source_id: str | None,
    reason: str,
    kills: int = 1,
    *,
    now: datetime | None = None,
) -> bool:
    """Count `kills` extraction-worker kills (`reason`: ``timeout`` or ``memory``) for `url`.

    Hits older than `QUARANTINE_DAYS` are forgotten first; every kill moves the expiry to
    now + `QUARANTINE_DAYS`. Returns True when the URL is now quarantined (hits >= `QUARANTINE_AFTER`).
    """
    now = _utc(now) or utcnow()
    key = sha256_hex(url)
    expires = now + timedelta(days=QUARANTINE_DAYS)
    row = session.get(QuarantinedUrl, key)
    if row is None:
        stmt = (
            _insert(session, QuarantinedUrl.__table__)
            .values(
                url_hash=key,
                url=_c(url),
                source_id=_c(source_id, 64),
                reason=_c(reason, 64),
                hits=kills,
                created_at=now,
                expires_at=expires,
            )
            .on_conflict_do_nothing(index_elements=["url_hash"])
        )
        if session.execute(stmt).rowcount:  # type: ignore[attr-defined]
            return kills >= QUARANTINE_AFTER
        row = session.get(QuarantinedUrl, key)
        assert row is not None
    if row.expires_at is not None and row.expires_at <= now:
        row.hits, row.created_at = 0, now
    row.hits = (row.hits or 0) + kills
    row.reason = _c(reason, 64)
    row.expires_at = expires
    return row.hits >= QUARANTINE_AFTER


def quarantined_urls(
    session: Session, source_id: str | None = None, *, now: datetime | None = None
) -> set[str]:
    """URLs currently quarantined (hits >= `QUARANTINE_AFTER`, not expired), of one source or all."""
    now = _utc(now) or utcnow()
    stmt = select(QuarantinedUrl.url).where(
        QuarantinedUrl.hits >= QUARANTINE_AFTER, QuarantinedUrl.expires_at > now
    )
    if source_id is not None:
        stmt = stmt.where(QuarantinedUrl.source_id == source_id)
    return set(session.scalars(stmt))


def quarantine_list(session: Session, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Unexpired quarantine rows, newest first: url, source_id, reason, hits, quarantined (bool),
    created_at and expires_at (ISO 8601 Z). Rows with one strike are listed with quarantined False."""
    now = _utc(now) or utcnow()
    rows = session.scalars(
        select(QuarantinedUrl)
        .where(QuarantinedUrl.expires_at > now)
        .order_by(QuarantinedUrl.created_at.desc())
    )
    return [
        {
            "url": r.url,
            "source_id": r.source_id,
            "reason": r.reason,
            "hits": r.hits,
            "quarantined": r.hits >= QUARANTINE_AFTER,
            "created_at": iso_z(r.created_at),
            "expires_at": iso_z(r.expires_at),
        }
        for r in rows
    ]


def clear_quarantine(session: Session, url: str | None = None) -> int:
    """Remove the quarantine row of `url`, or every row when `url` is None; returns rows removed."""
    stmt = delete(QuarantinedUrl)
    if url is not None:
        stmt = stmt.where(QuarantinedUrl.url_hash == sha256_hex(url))
    result = session.execute(stmt)
    _expire(session, QuarantinedUrl)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- conditional GET -------------------------------------------------------------------------


def get_http_cache(session: Session, url: str) -> dict[str, Any] | None:
    """Validators stored for `url`: {url, etag, last_modified, body_sha256, status, fetched_at}, or None."""
    row = session.get(HttpCacheEntry, sha256_hex(url))
    if row is None:
        return None
    return {
        "url": row.url,
        "etag": row.etag,
        "last_modified": row.last_modified,
        "body_sha256": row.body_sha256,
        "status": row.status,
        "fetched_at": row.fetched_at,
    }


def put_http_cache(
    session: Session,
    url: str,
    etag: str | None,
    last_modified: str | None,
    body_sha256: str | None,
    status: int | None,
    *,
    fetched_at: datetime | None = None,
) -> None:
    """Insert or replace the validators of `url` (keyed by the SHA-256 of the URL)."""
    values = {
        "url": _c(url),
        "etag": _c(etag),
        "last_modified": _c(last_modified),
        "body_sha256": _c(body_sha256, 64),
        "status": status,
        "fetched_at": _utc(fetched_at) or utcnow(),
    }
    stmt = _insert(session, HttpCacheEntry.__table__).values(url_hash=sha256_hex(url), **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["url_hash"], set_=values))
    _expire(session, HttpCacheEntry, {sha256_hex(url)})


# --- review queue and status -----------------------------------------------------------------

_QUEUE_COLUMNS = (
    Item.id,
    Item.identity,
    Item.source_id,
    Item.url,
    Item.canonical_url,
    Item.title,
    Item.summary,
    Item.language,
    Item.content_type,
    Item.country,
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
)
QUEUE_ORDERS: tuple[str, ...] = ("priority", "uncertain")


def queue(
    session: Session,
    *,
    status: str | None = "pending",
    source_id: str | None = None,
    language: str | None = None,
    theme: str | None = None,
    limit: int | None = 50,
    order: str = "priority",
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Items for review in the desk's priority order (crawler.store.priority), or with
    ``order="uncertain"`` the items the classifier is least sure about first, spread across languages.

    Filters: `status` ("any" or None = every status), `source_id`, `language` (ISO 639-1),
    `theme` (only items with that theme assigned). `limit` None = no limit. Each dict has id,
    identity, source_id, url, canonical_url, title, summary, language, content_type, country,
    published_at / updated_at / fetched_at (ISO 8601 with Z, or None), date_method, relevance,
    relevance_evidence (the terms behind the score: {term, weight, language, count}, or None for
    items classified before it was kept), relevant, status, version, text_chars, flags, `themes`
    (assigned themes as {name, score},
    highest first; empty when none passed its threshold) and `theme_scores` (all theme rows as
    {name, score, assigned}, highest first).
    """
    conds: list[Any] = []
    if status not in (None, "any"):
        conds.append(Item.status == status)
    if source_id is not None:
        conds.append(Item.source_id == source_id)
    if language is not None:
        conds.append(Item.language == language)
    if theme is not None:
        conds.append(
            select(ItemTheme.item_id)
            .where(ItemTheme.item_id == Item.id, ItemTheme.theme == theme, ItemTheme.assigned.is_(True))
            .exists()
        )
    if order not in QUEUE_ORDERS:
        raise ValueError(f"unknown queue order {order!r}; use {', '.join(QUEUE_ORDERS)}")
    if order == "uncertain":
        ranks = queue_order.uncertain_ranks(conds)
        stmt = select(*_QUEUE_COLUMNS).join(ranks, ranks.c.id == Item.id)
        stmt = stmt.order_by(*queue_order.uncertain_order(ranks))
    else:
        stmt = select(*_QUEUE_COLUMNS).where(*conds)
        stmt = stmt.order_by(*queue_order.priority_order(session, now or datetime.now(UTC)))
    if limit is not None:
        stmt = stmt.limit(max(0, limit))
    rows = session.execute(stmt).mappings().all()
    ids = [row["id"] for row in rows]
    scores: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        theme_rows = session.execute(
            select(ItemTheme.item_id, ItemTheme.theme, ItemTheme.score, ItemTheme.assigned).where(
                ItemTheme.item_id.in_(ids)
            )
        ).all()
        for item_id, name, score, assigned in theme_rows:
            scores[item_id].append({"name": name, "score": score, "assigned": bool(assigned)})
    out = []
    for row in rows:
        all_scores = sorted(scores[row["id"]], key=lambda s: (-s["score"], s["name"]))
        shown = [s for s in all_scores if s["assigned"]]  # what the classifier decided; all scores below
        entry = dict(row)
        for name in ("published_at", "updated_at", "fetched_at"):
            entry[name] = iso_z(entry[name])
        entry["themes"] = [{"name": s["name"], "score": s["score"]} for s in shown]
        entry["theme_scores"] = all_scores
        out.append(entry)
    return out


def source_status(session: Session) -> list[dict[str, Any]]:
    """One dict per source (ordered by id) for ``ewsi sources status``.

    Keys: id, name, kind, enabled, state, last_run_at, last_run_status, last_success_at,
    last_new_item_at, consecutive_failures, backoff_until, last_error_key, last_error,
    items_total, items_pending, quarantined (URLs skipped by the quarantine). Times are ISO 8601
    strings with Z, or None.
    """
    counts = {
        source_id: (total, pending or 0)
        for source_id, total, pending in session.execute(
            select(
                Item.source_id,
                func.count(Item.id),
                func.sum(case((Item.status == "pending", 1), else_=0)),
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
        total, pending = counts.get(source.id, (0, 0))
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
                "quarantined": int(quarantined.get(source.id, 0)),
            }
        )
    return out
