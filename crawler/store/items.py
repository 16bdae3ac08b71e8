"""Harvested items: the upsert, earlier versions, tombstones and raw bodies.

Every function takes a Session and never commits: the pipeline that opened the session does.
Text goes through `crawler.text.clean_text` here (`clip`) and again in the column types (defence in
depth); bounded columns are cut to their declared length so PostgreSQL never raises DataError.
Links are stored only when they are web URLs (`crawler.urls.is_web_url`).

`upsert_item` evaluates in this order (Miniflux's entry storage):
1. identity missing, or a URL that is not http(s) -> ValueError; identity hash tombstoned ->
   "tombstoned", nothing written;
2. look the row up by identity hash, else by an identity alias (the link an item's fetch was
   redirected from, pipelines.dedup: a row stored under it is the same item), else by
   (source_id, guid) (same entry, link changed); an alias tombstoned is the item tombstoned;
3. not found, but the source holds an item at the same identity URL with the same summary and text
   (an entry re-issued under a new GUID, pipelines.dedup `same_entry_key`) -> "duplicate"; not found,
   but it repeats a rejected item of its source (same content, same or near text:
   crawler.store.rejected) -> "tombstoned", nothing written (decided again on every harvest, from
   the rejected item's status then);
   else -> INSERT ... ON CONFLICT (identity_hash) DO NOTHING, with the six theme rows and the
   raw body -> "new", then joined to a near-duplicate group (crawler.store.groups); if a
   concurrent writer won the race, continue with its row;
4. found, but owned by another source: in another language -> stored as a language version of
   it (identity ``<identity>#<language>``, ``version_of`` set; no version is dropped), in the same
   language -> "duplicate" (row untouched);
5. same content hash -> last_seen_at only -> "unchanged"; likewise an item whose document was not
   read this run (`document_unread`: its followed page or record detail failed, whatever the cause,
   or its text extraction was stopped): what the index alone gave is no new version of a document
   read before, so the row keeps its title, text, scores, review state and version -> "unchanged"
   (and the next run that reads the same document finds the same content hash: "unchanged" again);
6. rejected -> "tombstoned" (and its identity tombstoned, should the desk not have done it);
7. content changed -> a new version: the previous title, summary, text and content hash go to
   ``item_versions`` (with ``changed_fields``, e.g. ["summary", "text"]), ``version`` + 1, the row gets
   the new harvested values -> "updated". Its published date is `dating`'s: the harvest's replaces a
   stored one that only stood in for it (none, a sitemap's ``<lastmod>``, a less precise one), else
   the first is kept, with its method and precision flags either way; a row whose document was never
   read (`first_read`) is dated as a clean first harvest dates it (its updated_at too) and its
   version lists no field change by the source. An approved (or already changed)
   item goes back to the queue as ``changed``; what the editor approved stays public: its
   ``editor_title`` / ``editor_summary`` are kept when set and pinned to the approved values when not
   (the portal serves ``coalesce(editor_*, harvested)``, crawler/store/portal.py).

Raw bodies are kept zlib-compressed (level `ZLIB_LEVEL`), once per distinct body of an item.

Fault-injection hook: ``EWSI_FAULT_KILL_AFTER_ITEM_ROW=N`` makes the process send itself SIGKILL
inside the transaction of the N-th new item it writes, right after the INSERT of the ``items`` row
reached the database and before the item's other rows (its six ``item_themes`` scores and its
``raw_responses`` body). Read once at import; unset (the default everywhere but the storage fault
tests) it costs one falsy check per new item. Never set it in production.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from crawler.store import attachments, dialect, field_changes, groups, rejected, revisit, sources, structured
from crawler.store.schema import (
    Item,
    ItemTheme,
    ItemVersion,
    RawResponseRow,
    SourceRow,
    Tombstone,
    as_utc,
    clean_json,
    clip,
    sha256_hex,
    utcnow,
)
from crawler.text import iso_z
from crawler.types import DATE_FLAGS, Attachment, Classification, HarvestedItem, replaces_date
from crawler.urls import is_web_url

log = logging.getLogger(__name__)


ZLIB_LEVEL = 6


OUTCOMES: tuple[str, ...] = ("new", "updated", "unchanged", "duplicate", "tombstoned")


FAULT_KILL_ENV = "EWSI_FAULT_KILL_AFTER_ITEM_ROW"


_FAULT_KILL_AFTER = 0  # fault-injection hook (module docstring); armed by `set_fault_kill_after`


def set_fault_kill_after(rows: int) -> None:
    """Arm the fault hook for this process (the setting ``EWSI_FAULT_KILL_AFTER_ITEM_ROW``; 0: off)."""
    global _FAULT_KILL_AFTER
    _FAULT_KILL_AFTER = rows


_fault_rows = 0


def _fault_after_item_row(session: Session) -> None:
    """The fault-injection hook: SIGKILL this process after the `_FAULT_KILL_AFTER`-th new item row."""
    global _fault_rows
    _fault_rows += 1
    if _fault_rows == _FAULT_KILL_AFTER:
        session.flush()
        log.warning("%s=%d: killing this process inside the item's transaction", FAULT_KILL_ENV, _fault_rows)
        os.kill(os.getpid(), signal.SIGKILL)


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


# --- upsert ----------------------------------------------------------------------------------


def _item_values(item: HarvestedItem) -> dict[str, Any]:
    """Column values taken from the item on insert and on an in-place update of a pending row."""
    canonical = clip(item.canonical_url) or clip(item.url) or ""
    text = clip(item.text)
    cls = item.classification
    return {
        "url": clip(item.url) or canonical,
        "canonical_url": canonical,
        "url_hash": sha256_hex(canonical),
        "guid": clip(item.guid),
        "guid_hash": sha256_hex(item.guid) if item.guid and clip(item.guid) else None,
        "official_id": clip(item.official_id, 255),
        "title": clip(item.title),
        "raw_title": clip(item.raw_title),
        "summary": clip(item.summary),
        "text": text,
        "text_chars": len(text) if text else 0,
        "author": clip(item.author),
        "language": clip(item.language, 8),
        "language_confidence": item.language_confidence,
        "language_method": clip(item.language_method, 32),
        "declared_language": clip(item.declared_language, 16),
        "languages_found": clean_json(list(item.languages_found)),
        "content_type": clip(item.content_type, 32),
        "country": clip(item.country, 8),
        "date_method": clip(item.date_method, 16),
        "deadline": as_utc(item.deadline),
        "fetched_at": as_utc(item.fetched_at),
        "content_hash": clip(item.content_hash, 64),
        "fingerprint": item.fingerprint,
        "relevance": cls.relevance if cls else None,
        "relevance_evidence": clean_json(list(cls.relevance_evidence)) if cls else None,
        "relevant": cls.relevant if cls else None,
        "model_version": clip(cls.model_version, 64) if cls else None,
        "flags": clean_json(list(item.flags)),
        "attachments": clean_json(
            [
                a.link() if isinstance(a, Attachment) else a
                for a in item.attachments
                if is_web_url(getattr(a, "url", None))
            ]
        ),
        "record": clean_json(item.record),
        **structured.structured_values(item),
    }


IDENTITY_COLUMNS = ("url", "canonical_url", "url_hash", "guid", "guid_hash", "official_id")


def replace_content(session: Session, item_id: int, item: HarvestedItem) -> None:
    """Overwrite the content of stored item `item_id` with `item`'s (text, dates, structured
    columns, classification and themes), keeping its URL and identity columns (`IDENTITY_COLUMNS`);
    the caller sets status and revision (a contributor's amendment, crawler.store.submissions)."""
    values = {k: v for k, v in _item_values(item).items() if k not in IDENTITY_COLUMNS}
    session.execute(
        update(Item).where(Item.id == item_id).values(**values).execution_options(synchronize_session=False)
    )
    _write_themes(session, item_id, item.classification)


def _write_themes(session: Session, item_id: int, classification: Classification | None) -> None:
    """Replace the item's theme rows with one row per ThemeScore of `classification`."""
    session.execute(delete(ItemTheme).where(ItemTheme.item_id == item_id))
    if classification is None or not classification.themes:
        return
    assigned = set(classification.assigned)
    rows = [
        {
            "item_id": item_id,
            "theme": clip(ts.theme, 64),
            "score": float(ts.score),
            "assigned": ts.theme in assigned,
            "evidence": clean_json(list(ts.evidence)),
        }
        for ts in classification.themes
    ]
    session.execute(ItemTheme.__table__.insert(), rows)  # type: ignore[attr-defined]


def _write_raw(session: Session, item_id: int, raw: RawResponse) -> None:
    """Keep `raw` once per distinct body (UNIQUE item_id, body_sha256)."""
    body = bytes(raw.body or b"")
    stmt = (
        dialect.insert(session, RawResponseRow.__table__)  # type: ignore[arg-type]
        .values(
            item_id=item_id,
            url=clip(raw.url),
            status=raw.status,
            media_type=clip(raw.media_type, 255),
            headers=clean_json(dict(raw.headers or {})),
            body=zlib.compress(body, ZLIB_LEVEL),
            body_sha256=hashlib.sha256(body).hexdigest(),
            size=len(body),
            fetched_at=as_utc(raw.fetched_at) or utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["item_id", "body_sha256"])
    )
    session.execute(stmt)


def _alias_hashes(item: HarvestedItem, identity_hash: str) -> list[str]:
    """Hashes of the item's identity aliases (pipelines.dedup), its own identity's left out."""
    hashes = [sha256_hex(clip(alias) or "") for alias in item.identity_aliases or []]
    return [h for h in hashes if h != identity_hash]


def _find_item(session: Session, identity_hash: str, item: HarvestedItem) -> Item | None:
    row = session.scalars(select(Item).where(Item.identity_hash == identity_hash)).one_or_none()
    for alias in _alias_hashes(item, identity_hash):
        if row is not None:
            break
        row = session.scalars(select(Item).where(Item.identity_hash == alias)).one_or_none()
    if row is None and item.guid:
        row = session.scalars(
            select(Item)
            .where(Item.source_id == item.source_id, Item.guid_hash == sha256_hex(item.guid))
            .order_by(Item.id)
            .limit(1)
        ).first()
    return row


def _same_entry_stored(session: Session, item: HarvestedItem) -> bool:
    """Whether the item's source holds an item at its identity URL with its summary and text (step 3)."""
    text, summary = clip(item.text) or None, clip(item.summary) or None
    if not (text or summary) or not item.identity_url or item.official_id:
        return False
    rows = session.execute(
        select(Item.identity, Item.canonical_url).where(
            Item.source_id == item.source_id,
            Item.text_chars == len(text or ""),
            Item.text.is_(None) if text is None else Item.text == text,
            Item.summary.is_(None) if summary is None else Item.summary == summary,
            Item.version_of.is_(None),
        )
    ).all()
    return any(_url_key(r.identity, r.canonical_url) == item.identity_url for r in rows)


def _url_key(identity: str | None, url: str | None) -> str:
    """A stored item's URL as identities compare it (pipelines.dedup): its ``url:`` identity, else its
    canonical URL without scheme, ``www.``, fragment and trailing slash (an ``entry:`` item's link)."""
    if identity and identity.startswith("url:"):
        return identity.removeprefix("url:").split("#", 1)[0]
    parts = urlsplit(url or "")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.netloc.lower().removeprefix('www.')}{parts.path.rstrip('/') or '/'}{query}"


def _insert_item(
    session: Session,
    item: HarvestedItem,
    identity: str,
    identity_hash: str,
    now: datetime,
    version_of: int | None = None,
) -> int | None:
    """INSERT ... ON CONFLICT (identity_hash) DO NOTHING; the new id, or None if the row exists."""
    values = _item_values(item)
    values["version_of"] = version_of
    stmt = (
        dialect.insert(session, Item.__table__)  # type: ignore[arg-type]
        .values(
            identity=identity,
            identity_hash=identity_hash,
            source_id=item.source_id,
            published_at=as_utc(item.published_at),
            updated_at=as_utc(item.updated_at),
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


def _version_date(item: HarvestedItem, moved: bool, now: datetime) -> datetime:
    """When the new version appeared: the item's updated date, else its moved published date, else now."""
    if item.updated_at is not None:
        return as_utc(item.updated_at)  # type: ignore[return-value]
    if moved:
        return as_utc(item.published_at)  # type: ignore[return-value]
    return now


@dataclass
class _Dating:
    """How an update dates the stored row (module rule 7, `dating`)."""

    published_at: datetime | None
    date_method: str | None
    flags: list[str]
    moved: bool
    """The source moved a publication date: a changed field of the version, the row keeping its own."""


def dating(row: Item, item: HarvestedItem) -> _Dating:
    """The published date, date_method and flags an update of `row` by `item` stores.

    Rule (crawler.types `replaces_date`, the same rule a page's date meets against its index's): the
    harvest's date replaces the stored one when that one only stood in for it (none, a date of
    change such as a sitemap's ``<lastmod>``, a less precise date it lies within), so a page read
    after its stub stored the index's date dates the item as a clean first harvest does; else the
    stored date stays (the first publication: case B07). The date's method and its flags
    (`crawler.types.DATE_FLAGS`: precision, relative, zone) go with the date kept, so value, precision
    and method always describe one date; the other flags are the harvest's.
    """
    flags = list(item.flags)
    stored_flags = [f for f in row.flags if isinstance(f, str)] if isinstance(row.flags, list) else []
    published = as_utc(item.published_at)
    if replaces_date(row.published_at, row.date_method, stored_flags, published, item.date_method, flags):
        return _Dating(published, clip(item.date_method, 16), flags, moved=False)
    kept = [f for f in flags if f not in DATE_FLAGS] + [f for f in stored_flags if f in DATE_FLAGS]
    # the same date told less precisely (the feed's day of a page's time) is no move
    moved = (
        published is not None
        and row.published_at is not None
        and published != row.published_at
        and not replaces_date(
            published, item.date_method, flags, row.published_at, row.date_method, stored_flags
        )
    )
    return _Dating(row.published_at, row.date_method, kept, moved=moved)


VERSIONED_FIELDS: tuple[str, ...] = (
    "title",
    "summary",
    "text",
    "url",
    "published_at",
    "attachments",
    *structured.VERSIONED,
)
"""Fields compared between versions; the content hash covers title, summary and text."""


def _changed_fields(row: Item, values: dict[str, Any], moved: bool) -> list[str]:
    """The versioned fields the source changed; ``published_at`` when it moved a publication date
    (`dating`), not when the page gave the date its index stood in for."""
    changed = []
    for name in VERSIONED_FIELDS:
        if name == "published_at":
            if moved:
                changed.append(name)
        elif name in values and values[name] != getattr(row, name):
            changed.append(name)
    return changed


def first_read(row: Item) -> bool:
    """True when the stored `row` holds only what its index gave: its last harvest did not read its
    document (a ``page_<key>`` or ``detail_<key>`` flag, crawler.store.revisit), and no harvest
    before it read a text (a failed fetch leaves a row with text as it is: `_update_item`)."""
    return bool(revisit.unread_flags(row.flags))


def document_unread(item: HarvestedItem) -> bool:
    """True when this harvest of `item` did not read its document, so the item holds only what the
    index (feed entry, listing, API list) gave.

    Rule: a flag ``page_<key>`` or ``detail_<key>`` whose key is an error key (it holds a dot: a
    connection refused, a timeout, a 404 or 5xx, a body cut short, a cut replay archive, a page sent
    to the site's front, an empty or broken detail answer), or a stopped extraction
    (`crawler.store.revisit.EXTRACTION_STOPPED_FLAGS`). Any other flag (``stale``, an attachment's
    failure) says nothing about the document (crawler.store.revisit.unread_flags).
    """
    return bool(revisit.unread_flags(list(item.flags)))


def _update_item(
    session: Session, row: Item, item: HarvestedItem, raw: RawResponse | None, now: datetime
) -> str:
    if row.source_id != item.source_id:
        return "duplicate"
    new_hash = clip(item.content_hash, 64)
    if document_unread(item):
        # a failed fetch is no new version: the stored item stays as it is (module docstring, 5.),
        # one more failed try of a document never read counts (crawler.store.revisit, rule 1)
        revisit.note_unread(row, item.flags)
        row.last_seen_at = now
        return "unchanged"
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
    date = dating(row, item)
    values.update(date_method=date.date_method, flags=clean_json(date.flags))
    changed = _changed_fields(row, values, date.moved) or ["content"]
    old = {name: getattr(row, name) for name in field_changes.LABELS}
    new = {**values, "published_at": as_utc(item.published_at)}
    # the first read of a document is no change by the source: the stub held what its index gave
    unread_before = first_read(row)
    listed = [] if unread_before else field_changes.changes(old, new, changed)
    session.add(
        ItemVersion(
            item_id=row.id,
            version=row.version or 1,
            title=row.title,
            summary=row.summary,
            text=row.text,
            content_hash=row.content_hash,
            changed_fields=changed,
            field_changes=clean_json(listed) or None,
            created_at=now,
        )
    )
    # the first read dates the item as a first harvest of the document does (upsert rule 7)
    version_date = (
        as_utc(item.updated_at) or row.updated_at if unread_before else _version_date(item, date.moved, now)
    )
    if row.status in ("approved", "changed"):
        # what the editor approved stays public until an editor looks again (crawler/store/portal.py)
        if row.editor_title is None:
            row.editor_title = row.title
        if row.editor_summary is None:
            row.editor_summary = row.summary
        row.status = "changed"
    for name, value in values.items():
        setattr(row, name, value)
    row.published_at = date.published_at
    _write_themes(session, row.id, item.classification)
    row.updated_at = version_date
    row.version = (row.version or 1) + 1
    row.last_changed_at = now
    row.last_seen_at = now
    if raw is not None:
        _write_raw(session, row.id, raw)
    return "updated"


def item_language(item: HarvestedItem) -> str | None:
    """The item's language: detected, else the source's only declared language (lower case)."""
    language = item.language
    if not language and len(item.declared_languages) == 1:
        language = item.declared_languages[0]
    return language.strip().lower()[:8] if language else None


def _store_language_version(
    session: Session,
    primary: Item,
    item: HarvestedItem,
    identity: str,
    raw: RawResponse | None,
    now: datetime,
) -> str | None:
    """Store `item` as a language version of `primary` (another source's row with its identity).

    Rule: same identity (official id, identity URL), another source, another language -> a version
    row with identity ``<identity>#<language>`` and ``version_of`` the reviewed item; never dropped.
    None when the languages are equal or unknown (the caller's "duplicate").
    """
    language = item_language(item)
    if not language or (primary.language or "").lower() == language:
        return None
    head = primary.version_of or primary.id
    version_identity = clip(f"{identity}#{language}") or ""
    version_hash = sha256_hex(version_identity)
    if session.get(Tombstone, version_hash) is not None:
        return "tombstoned"
    row = session.scalars(select(Item).where(Item.identity_hash == version_hash)).one_or_none()
    if row is None:
        if not item.language:
            item.language = language
        new_id = _insert_item(session, item, version_identity, version_hash, now, version_of=head)
        if new_id is not None:
            _write_themes(session, new_id, item.classification)
            if raw is not None:
                _write_raw(session, new_id, raw)
            return "new"
        row = session.scalars(select(Item).where(Item.identity_hash == version_hash)).one()
    return _update_item(session, row, item, raw, now)


def upsert_item(session: Session, item: HarvestedItem, *, raw: RawResponse | None = None) -> str:
    """Store one item; returns "new", "updated", "unchanged", "duplicate" or "tombstoned".

    `item.identity` and `item.content_hash` come from the dedup stage; a missing identity raises
    ValueError. The evaluation order is in the module docstring. Runs inside a SAVEPOINT so a
    failing item rolls back alone; the caller commits. Database errors propagate (wrapped by
    SQLAlchemy), after the savepoint was rolled back.
    """
    if not item.identity:
        raise ValueError(f"item {item.url!r} of {item.source_id} has no identity (set by pipelines.dedup)")
    if not is_web_url(item.url):
        raise ValueError(f"item URL {str(item.url)[:200]!r} of {item.source_id} is not http(s)")
    identity = clip(item.identity) or ""
    identity_hash = sha256_hex(identity)
    now = utcnow()
    with session.begin_nested():
        outcome = _upsert(session, item, raw, identity, identity_hash, now)
        if outcome not in ("duplicate", "tombstoned") and any(
            getattr(a, "sha256", None) for a in item.attachments
        ):
            row = _find_item(session, identity_hash, item)
            if row is not None:  # a language version from another source: the document it belongs to
                attachments.save(session, row.id, item.attachments, now)
        return outcome


def _upsert(
    session: Session,
    item: HarvestedItem,
    raw: RawResponse | None,
    identity: str,
    identity_hash: str,
    now: datetime,
) -> str:
    """The body of `upsert_item` inside its savepoint (the evaluation order of the module docstring)."""
    if any(
        session.get(Tombstone, h) is not None for h in [identity_hash, *_alias_hashes(item, identity_hash)]
    ):
        return "tombstoned"
    sources.ensure_source(session, item.source_id)
    row = _find_item(session, identity_hash, item)
    if row is None and _same_entry_stored(session, item):
        return "duplicate"
    if row is None:
        if rejected.rejected_original(session, item.source_id, _item_values(item)) is not None:
            return "tombstoned"  # the same page under another address (crawler.store.rejected)
        new_id = _insert_item(session, item, identity, identity_hash, now)
        if new_id is not None:
            if _FAULT_KILL_AFTER:
                _fault_after_item_row(session)
            _write_themes(session, new_id, item.classification)
            if raw is not None:
                _write_raw(session, new_id, raw)
            groups.assign_group(session, new_id, item.source_id, item.fingerprint)
            return "new"
        # a concurrent writer inserted the same identity first: treat it as existing
        row = session.scalars(select(Item).where(Item.identity_hash == identity_hash)).one()
    if row.source_id != item.source_id:
        version = _store_language_version(session, row, item, identity, raw, now)
        if version is not None:
            return version
    return _update_item(session, row, item, raw, now)


# --- versions and tombstones -------------------------------------------------------------------


def item_versions(session: Session, item_id: int) -> list[dict[str, Any]]:
    """Earlier versions of an item, oldest first: dicts with version, title, summary, text,
    content_hash, changed_fields (what the *next* version changed), field_changes (its
    ``{field, old, new}`` list, crawler.store.field_changes) and created_at (ISO 8601 Z)."""
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
            "field_changes": list(v.field_changes or []),
            "created_at": iso_z(v.created_at),
        }
        for v in rows
    ]


def add_tombstone(session: Session, identity_hash: str, source_id: str | None, reason: str | None) -> None:
    """Record a rejected identity (SHA-256 hex of the item identity) so re-crawls never requeue it.

    Idempotent: a second call for the same hash keeps the first reason and time.
    """
    stmt = (
        dialect.insert(session, Tombstone.__table__)  # type: ignore[arg-type]
        .values(identity_hash=identity_hash, source_id=source_id, reason=clip(reason), created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["identity_hash"])
    )
    session.execute(stmt)


# --- reprocessing ------------------------------------------------------------------------------

REPROCESSED_FIELDS: tuple[str, ...] = ("title", "text", "language", "relevance", "relevant")
"""Harvested fields a re-extraction may change, with the published date (`reprocessed_date`);
editors' fields (editor_*), status and decisions are never touched."""


def reprocess_date(item: Item) -> tuple[datetime | None, str | None, list[str]]:
    """The date a re-extraction starts from (its published_at, date_method, date flags): the stored
    one as the index gave it, or none when the stored date is the page's own (method ``page``), so
    the page's date is read again as the harvest read it, whatever the row holds."""
    if item.date_method == "page":
        return None, None, []
    flags = item.flags if isinstance(item.flags, list) else []
    return item.published_at, item.date_method, [f for f in flags if f in DATE_FLAGS]


def reprocess_records(
    session: Session, source_id: str | None = None, since: datetime | None = None
) -> list[dict[str, Any]]:
    """Every stored item with a kept raw body (the latest one), in item-id order, as plain dicts for
    pipelines.reprocess: id, source_id, url, title, summary, published_at (ISO), date_method and
    date_flags (`reprocess_date`: the date the harvest read the page with), declared_languages
    (the source's languages as last synced, the harvest's input; for a source synced before they
    were kept, the item's stored page language), declared_language (the stored page or feed
    language), timezone (the source's, None when unknown), body (decompressed), body_url,
    media_type, headers. `source_id` and `since` (first seen at or after) narrow the set."""
    latest = (
        select(RawResponseRow.item_id, func.max(RawResponseRow.id).label("raw_id"))
        .group_by(RawResponseRow.item_id)
        .subquery()
    )
    stmt = (
        select(Item, RawResponseRow, SourceRow.languages, SourceRow.timezone)
        .join(latest, latest.c.item_id == Item.id)
        .join(RawResponseRow, RawResponseRow.id == latest.c.raw_id)
        .outerjoin(SourceRow, SourceRow.id == Item.source_id)
        .order_by(Item.id)
    )
    if source_id is not None:
        stmt = stmt.where(Item.source_id == source_id)
    if since is not None:
        stmt = stmt.where(Item.first_seen_at >= as_utc(since))
    out = []
    for item, raw, languages, zone in session.execute(stmt).tuples():
        page_language = [item.declared_language] if item.declared_language else []
        published, method, date_flags = reprocess_date(item)
        out.append(
            {
                "id": item.id,
                "source_id": item.source_id,
                "url": item.url,
                "title": item.title,
                "summary": item.summary,
                "published_at": published.isoformat() if published else None,
                "date_method": method,
                "date_flags": date_flags,
                "declared_languages": list(languages) if languages is not None else page_language,
                "declared_language": item.declared_language,
                "timezone": zone,
                "body": zlib.decompress(raw.body) if raw.body else b"",
                "body_url": raw.url,
                "fetched_at": raw.fetched_at.isoformat() if raw.fetched_at else None,
                "media_type": raw.media_type,
                "headers": dict(raw.headers or {}),
            }
        )
    return out


def apply_reprocessed(session: Session, result: dict[str, Any], *, write: bool = True) -> dict[str, Any]:
    """Compare a pipelines.reprocess result with the stored item; write the changed harvested
    fields (`REPROCESSED_FIELDS`, plus content hash and fingerprint) unless `write` is False.
    Returns {field: {"from": old, "to": new}} for the changed fields (empty when nothing changed)."""
    row = session.get(Item, result["id"])
    if row is None or result.get("error"):
        return {}
    changes: dict[str, Any] = reprocessed_date(row, result)
    for name in REPROCESSED_FIELDS:
        new = result.get(name)
        if name in ("title", "text", "language"):
            new = clip(new, 8) if name == "language" else clip(new)
        old = getattr(row, name)
        if new is not None and new != old:
            if name == "relevance" and old is not None and abs(float(new) - float(old)) < 1e-9:
                continue
            changes[name] = {"from": old, "to": new}
    if write and changes:
        for name, change in changes.items():
            if name == "date_flags":
                kept = [f for f in row.flags if f not in DATE_FLAGS] if isinstance(row.flags, list) else []
                row.flags = [*kept, *change["to"]]
                continue
            setattr(row, name, change["to"])
        if "text" in changes:
            row.text_chars = len(row.text or "")
        row.content_hash = clip(result.get("content_hash"), 64) or row.content_hash
        row.fingerprint = result.get("fingerprint")
        if row.group_id is None and row.version_of is None:
            group = groups.assign_group(session, row.id, row.source_id, row.fingerprint)
            if group is not None:
                changes["group"] = {"from": None, "to": group}
    return changes


def reprocessed_date(row: Item, result: dict[str, Any]) -> dict[str, Any]:
    """The published date a re-extraction gives `row` (published_at, date_method, date_flags: the
    `crawler.types.DATE_FLAGS` among its flags), as {field: {"from", "to"}} for those that differ
    from the stored ones; empty when it gives no date (the stored date stays) or the same one. The
    three are written together, so they describe one date."""
    published = as_utc(result.get("published_at"))
    if published is None:
        return {}
    flags = row.flags if isinstance(row.flags, list) else []
    stored = {
        "published_at": row.published_at,
        "date_method": row.date_method,
        "date_flags": sorted(f for f in flags if f in DATE_FLAGS),
    }
    new = {
        "published_at": published,
        "date_method": clip(result.get("date_method"), 16),
        "date_flags": sorted(f for f in result.get("date_flags") or [] if f in DATE_FLAGS),
    }
    if new == stored:
        return {}
    return {name: {"from": stored[name], "to": new[name]} for name in stored}
