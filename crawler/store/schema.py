"""Tables of the review-queue database (SQLAlchemy 2.x typed ORM).

The DDL lives in Alembic migrations (crawler/store/migrations/versions); these classes must match
them. Column types are decorated so that every value on its way to either back end is safe:

- `UTCDateTime`: timezone-aware UTC in and out on both back ends (SQLite keeps naive UTC text).
- `CleanText` / `CleanString`: `crawler.text.clean_text` on bind (no NUL, C0 control or lone
  surrogate reaches a driver: psycopg2 refuses NUL, both drivers refuse surrogates; case B18, T26).
- `CleanJSON`: the same cleaning applied recursively to JSON strings and keys, NaN/inf turned into
  null (PostgreSQL's jsonb refuses both NUL escapes and NaN); JSONB on PostgreSQL.
- `Simhash64`: an unsigned 64-bit fingerprint kept in a signed BIGINT column.

Value helpers every store module shares: `sha256_hex`, `utcnow`, `clean_json`, `iso_z` (ISO 8601
with Z), `as_utc` / `utc_or_now` (aware UTC), `clip` (clean and cut to a column's length), and
`NotFound` (the row asked about does not exist).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false, text, true
from sqlalchemy.types import TypeDecorator

from crawler.text import clean_text, iso_z

SOURCE_STATES: tuple[str, ...] = ("new", "healthy", "failing", "quiet", "broken")
RUN_STATUSES: tuple[str, ...] = ("running", "ok", "failed", "interrupted")
ITEM_STATUSES: tuple[str, ...] = ("pending", "approved", "rejected", "deferred", "changed")


def sha256_hex(value: str) -> str:
    """Hex SHA-256 of the UTF-8 encoding of `value` (64 characters); lone surrogates are replaced first."""
    return hashlib.sha256((clean_text(value) or "").encode("utf-8")).hexdigest()


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


OMITTED_WHEN_NONE = frozenset({"written"})
"""Dataclass fields added after their JSON shape was fixed (crawler.types.Evidence ``written``): left
out of the JSON while None, so stored evidence keeps its four keys unless the field is known."""


def _set_fields(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {k: v for k, v in pairs if v is not None or k not in OMITTED_WHEN_NONE}


def clean_json(value: Any) -> Any:
    """A JSON-safe deep copy of `value` with every string (and key) passed through `clean_text`.

    dict -> dict with str keys; list/tuple/set -> list; dataclass -> dict; datetime/date -> ISO 8601;
    NaN and +-inf -> None; bytes -> decoded as UTF-8 with replacement; other objects -> str(obj).
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [clean_json(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return clean_json(dataclasses.asdict(value, dict_factory=_set_fields))
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return clean_text(bytes(value).decode("utf-8", "replace"))
    return clean_text(str(value))


def as_utc(value: datetime | None) -> datetime | None:
    """`value` as aware UTC (naive values are taken as UTC); None for None."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_or_now(value: datetime | None) -> datetime:
    """`value` converted to UTC, or the current time when it is None (the ``now=`` of store functions)."""
    return value.astimezone(UTC) if value is not None else utcnow()


def clip(value: str | None, max_chars: int | None = None) -> str | None:
    """`clean_text`, then cut to `max_chars` characters (VARCHAR(n) counts characters on PostgreSQL)."""
    value = clean_text(value)
    if value is not None and max_chars is not None:
        value = value[:max_chars]
    return value


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both back ends.

    Bind: naive values are taken as UTC, aware ones converted to UTC; SQLite stores naive UTC text
    (its DATETIME would otherwise drop the offset without converting). Result: always aware UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class CleanString(TypeDecorator[str]):
    """VARCHAR whose bound values pass through `clean_text` (length is not enforced here)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return clean_text(value) if isinstance(value, str) else value


class CleanText(CleanString):
    """TEXT whose bound values pass through `clean_text`."""

    impl = Text
    cache_ok = True


class CleanJSON(TypeDecorator[Any]):
    """JSON (JSONB on PostgreSQL) whose bound values pass through `clean_json`."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return clean_json(value)


_TWO_64 = 1 << 64
_TWO_63 = 1 << 63


class Simhash64(TypeDecorator[int]):
    """An unsigned 64-bit simhash (0 .. 2**64-1) stored as a signed BIGINT and read back unsigned."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        value = int(value) % _TWO_64
        return value - _TWO_64 if value >= _TWO_63 else value

    def process_result_value(self, value: int | None, dialect: Dialect) -> int | None:
        return None if value is None else int(value) % _TWO_64


# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid alias), so BIGINT becomes INTEGER there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base of every table."""


class SourceRow(Base):
    """One configured source with its health (Miniflux's feed error counters)."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(CleanText())
    publisher: Mapped[str | None] = mapped_column(CleanText())
    country: Mapped[str | None] = mapped_column(CleanString(8))
    kind: Mapped[str | None] = mapped_column(CleanString(16))
    content_type: Mapped[str | None] = mapped_column(CleanString(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    languages: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    """The source's declared languages at the last sync (what the harvest's language step reads)."""
    timezone: Mapped[str | None] = mapped_column(String(64))
    """The source's IANA zone at the last sync (dates without an offset are read in it)."""
    state: Mapped[str] = mapped_column(String(16), default="new", server_default="new")
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_new_item_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    backoff_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error_key: Mapped[str | None] = mapped_column(CleanString(64))
    last_error: Mapped[str | None] = mapped_column(CleanText())
    note: Mapped[str | None] = mapped_column(CleanText())
    moved_to: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    """Configured URLs that answered a permanent redirect, each to its new URL (crawler.health rule 4)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CrawlRun(Base):
    """One crawl of one source; (source_id, slot_start) is the scheduler's claim on a slot."""

    __tablename__ = "crawl_runs"
    __table_args__ = (UniqueConstraint("source_id", "slot_start", name="uq_crawl_runs_source_slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(String(64), ForeignKey("sources.id"), index=True)
    slot_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(CleanString(255))
    status: Mapped[str] = mapped_column(String(16), default="running", server_default="running")
    error_key: Mapped[str | None] = mapped_column(CleanString(64))
    error: Mapped[str | None] = mapped_column(CleanText())
    fetched: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    items_new: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    items_updated: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    items_unchanged: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    items_dropped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    dropped: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    http_errors: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    stats: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float)


_PUBLISHED = "status IN ('approved', 'changed')"
_SORT_DATE = "coalesce(published_at, first_seen_at)"
_PORTAL_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ix_items_published_sort", (_SORT_DATE, "id")),
    ("ix_items_published_country", ("coalesce(editor_country, country)", _SORT_DATE, "id")),
    ("ix_items_published_ctype", ("coalesce(editor_content_type, content_type)", _SORT_DATE, "id")),
    ("ix_items_published_language", ("language", _SORT_DATE, "id")),
    ("ix_items_published_source", ("source_id", _SORT_DATE, "id")),
    ("ix_items_published_deadline", ("deadline",)),
)
_FTS = (
    "to_tsvector('simple'::regconfig, (COALESCE(editor_title, title, ''::text) || ' '::text) || "
    "COALESCE(editor_summary, summary, ''::text))"
)


class Item(Base):
    """One harvested item in the review queue; `identity_hash` is its unique key (T28)."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("identity_hash", name="uq_items_identity_hash"),
        Index("ix_items_status_relevance", "status", "relevance"),
        # 0008_long_values: the guid itself can be kilobytes long (PostgreSQL's B-tree rows stop at
        # about 2,700 bytes), so the (source, guid) look-up goes through its hash
        Index("ix_items_source_guid_hash", "source_id", "guid_hash"),
        Index("ix_items_status_published", "status", "published_at"),
        Index("ix_items_source_suspect", "source_id", "suspect_key"),
        # 0031_priority_fetch_time (PostgreSQL; the expression is crawler.store.priority.PRIORITY_SQL_PG)
        Index(
            "ix_items_queue_priority",
            "status",
            text(
                "(((CASE WHEN coalesce(items.relevance, 0) >= 0.75 THEN 3 WHEN coalesce(items.relevance, 0) "
                ">= 0.5 THEN 2 WHEN coalesce(items.relevance, 0) >= 0.25 THEN 1 ELSE 0 END) * 2 + (CASE WHEN "
                "items.published_at IS NULL OR items.date_method = 'fetch_time' THEN 0 ELSE 1 END)) "
                "* 100000 + extract(epoch from (least("
                "coalesce(items.published_at, items.first_seen_at), items.first_seen_at) - timestamptz "
                "'2000-01-01 00:00:00+00')) / 86400) DESC"
            ),
            text("id DESC"),
        ).ddl_if(dialect="postgresql"),
        Index(
            "ix_items_funding_deadline",
            "status",
            "deadline",
            "id",
            postgresql_where=text("coalesce(editor_content_type, content_type) = 'funding'"),
        ).ddl_if(dialect="postgresql"),
        Index("ix_items_status_language", "status", "language").ddl_if(dialect="postgresql"),
        # 0004_portal_indexes: partial indexes of the portal (expressions as in crawler.store.portal)
        *(
            Index(
                name,
                *(text(c) if "(" in c else c for c in columns),
                postgresql_where=text(_PUBLISHED),
                sqlite_where=text(_PUBLISHED),
            )
            for name, columns in _PORTAL_INDEXES
        ),
        Index(
            "ix_items_sync",
            "modified_at",
            "id",
            postgresql_where=text("approved_at IS NOT NULL"),
            sqlite_where=text("approved_at IS NOT NULL"),
        ),
        Index(
            "ix_items_published_fts", text(_FTS), postgresql_using="gin", postgresql_where=text(_PUBLISHED)
        ).ddl_if(dialect="postgresql"),
        # 0025_coverage_index: the coverage counts (crawler.store.coverage) by first seen / approved
        Index(
            "ix_items_coverage_seen",
            "first_seen_at",
            postgresql_where=text("relevant IS true"),
            sqlite_where=text("relevant IS 1"),
        ),
        Index(
            "ix_items_coverage_approved",
            "approved_at",
            postgresql_where=text("approved_at IS NOT NULL"),
            sqlite_where=text("approved_at IS NOT NULL"),
        ),  # 0030_summary_index: another item of the source with the same summary (crawler.store.queue)
        Index("ix_items_source_summary", "source_id", text("substr(summary, 1, 100)")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    identity: Mapped[str] = mapped_column(CleanText())
    identity_hash: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(64), ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(CleanText())
    canonical_url: Mapped[str | None] = mapped_column(CleanText())
    url_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    guid: Mapped[str | None] = mapped_column(CleanText())
    guid_hash: Mapped[str | None] = mapped_column(String(64))
    official_id: Mapped[str | None] = mapped_column(CleanString(255))
    title: Mapped[str | None] = mapped_column(CleanText())
    raw_title: Mapped[str | None] = mapped_column(CleanText())
    """The title as the page gave it (site name and all); `title` is the document's own."""
    summary: Mapped[str | None] = mapped_column(CleanText())
    text: Mapped[str | None] = mapped_column(CleanText())
    text_chars: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str | None] = mapped_column(CleanText())
    language: Mapped[str | None] = mapped_column(CleanString(8))
    language_confidence: Mapped[float | None] = mapped_column(Float)
    language_method: Mapped[str | None] = mapped_column(CleanString(32))
    declared_language: Mapped[str | None] = mapped_column(CleanString(16))
    languages_found: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    content_type: Mapped[str | None] = mapped_column(CleanString(32))
    country: Mapped[str | None] = mapped_column(CleanString(8))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    date_method: Mapped[str | None] = mapped_column(CleanString(16))
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    content_hash: Mapped[str | None] = mapped_column(String(64))
    fingerprint: Mapped[int | None] = mapped_column(Simhash64())
    relevance: Mapped[float | None] = mapped_column(Float)
    relevance_evidence: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    """Terms behind the relevance score: [{term, weight, language, count}] (0018_classifier)."""
    relevant: Mapped[bool | None] = mapped_column(Boolean)
    model_version: Mapped[str | None] = mapped_column(CleanString(64))
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    flags: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    attachments: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    record: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(CleanString(64))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 0002_editorial: the editor's corrections win over harvested values wherever they are set
    editor_title: Mapped[str | None] = mapped_column(CleanText())
    editor_summary: Mapped[str | None] = mapped_column(CleanText())
    editor_themes: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    editor_country: Mapped[str | None] = mapped_column(CleanString(8))
    editor_content_type: Mapped[str | None] = mapped_column(CleanString(32))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(CleanString(64))
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # 0013_structured: a funding call's and an event's structured fields (crawler.store.structured)
    call_id: Mapped[str | None] = mapped_column(CleanString(128), index=True)
    programme: Mapped[str | None] = mapped_column(CleanString(64))
    call_status: Mapped[str | None] = mapped_column(CleanString(16))
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    final_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    deadlines: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    budget_amount: Mapped[float | None] = mapped_column(Float)
    budget_currency: Mapped[str | None] = mapped_column(CleanString(3))
    eligible_countries: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    event_start: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    event_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    event_all_day: Mapped[bool | None] = mapped_column(Boolean)
    event_timezone: Mapped[str | None] = mapped_column(CleanString(64))
    event_venue: Mapped[str | None] = mapped_column(CleanText())
    event_city: Mapped[str | None] = mapped_column(CleanText())
    event_country: Mapped[str | None] = mapped_column(CleanString(8))
    event_online: Mapped[bool | None] = mapped_column(Boolean)
    event_organiser: Mapped[str | None] = mapped_column(CleanText())
    registration_url: Mapped[str | None] = mapped_column(CleanText())
    registration_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 0017_groups: language versions (crawler.store.items) and near-duplicate groups (crawler.store.groups)
    version_of: Mapped[int | None] = mapped_column(BigInteger, index=True)
    group_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # 0019_suspect_items: held back from the queue after a broken run (crawler.store.suspects)
    suspect_key: Mapped[str | None] = mapped_column(String(64))
    first_run_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    seen_run_id: Mapped[int | None] = mapped_column(BigInteger)


class ItemTheme(Base):
    """Score of one of the six themes for one item; `assigned` when it passed its threshold."""

    __tablename__ = "item_themes"
    __table_args__ = (
        Index(
            "ix_item_themes_assigned",
            "theme",
            "item_id",
            postgresql_where=text("assigned"),
            sqlite_where=text("assigned"),
        ),
        # 0025_coverage_index: the coverage counts join the period's items to their assigned themes
        Index(
            "ix_item_themes_coverage",
            "item_id",
            "theme",
            postgresql_where=text("assigned IS true"),
            sqlite_where=text("assigned IS 1"),
        ),
    )

    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    assigned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    evidence: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)


class RawResponseRow(Base):
    """A fetched body kept for re-extraction, zlib-compressed; one row per distinct body per item."""

    __tablename__ = "raw_responses"
    __table_args__ = (UniqueConstraint("item_id", "body_sha256", name="uq_raw_responses_item_body"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("items.id", ondelete="CASCADE"), index=True)
    url: Mapped[str | None] = mapped_column(CleanText())
    status: Mapped[int | None] = mapped_column(Integer)
    media_type: Mapped[str | None] = mapped_column(CleanString(255))
    headers: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    body_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


_ATTACHMENT_FTS = "to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(text, ''))"


class AttachmentDocument(Base):
    """One distinct attachment body (UNIQUE sha256): the same PDF from two pages or mirrors is one
    document. Text, language, title as extracted (pipelines.attachments); flags a space-separated
    list of extraction warnings; size in bytes."""

    __tablename__ = "attachment_documents"
    __table_args__ = (
        UniqueConstraint("sha256", name="uq_attachment_documents_sha256"),
        Index("ix_attachment_documents_fts", text(_ATTACHMENT_FTS), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str | None] = mapped_column(CleanString(255))
    title: Mapped[str | None] = mapped_column(CleanText())
    text: Mapped[str | None] = mapped_column(CleanText())
    text_chars: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    language: Mapped[str | None] = mapped_column(String(8))
    page_count: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int | None] = mapped_column(Integer)
    flags: Mapped[str | None] = mapped_column(CleanText())
    first_url: Mapped[str | None] = mapped_column(CleanText())
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ItemAttachment(Base):
    """An item's link to one of its attachment documents (the URL it was reached by)."""

    __tablename__ = "item_attachments"
    __table_args__ = (UniqueConstraint("item_id", "document_id", name="uq_item_attachments_item_document"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("items.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("attachment_documents.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str | None] = mapped_column(CleanText())
    link_title: Mapped[str | None] = mapped_column(CleanText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Tombstone(Base):
    """The identity of a rejected item: re-crawls never requeue it (Miniflux's entry tombstones)."""

    __tablename__ = "tombstones"

    identity_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(CleanText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HttpCacheEntry(Base):
    """Validators of the last answer for a URL, for conditional GET (ETag / Last-Modified)."""

    __tablename__ = "http_cache"

    url_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(CleanText())
    etag: Mapped[str | None] = mapped_column(CleanText())
    last_modified: Mapped[str | None] = mapped_column(CleanText())
    body_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    leads: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    """0029: the last answer read led to other documents (a sitemap index, a page with a next page)."""


# --- 0002_editorial ----------------------------------------------------------------------------
class ItemVersion(Base):
    """An earlier version of an item's harvested content, kept when a re-crawl changes it."""

    __tablename__ = "item_versions"
    __table_args__ = (UniqueConstraint("item_id", "version", name="uq_item_versions_item_version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("items.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(CleanText())
    summary: Mapped[str | None] = mapped_column(CleanText())
    text: Mapped[str | None] = mapped_column(CleanText())
    content_hash: Mapped[str | None] = mapped_column(String(64))
    changed_fields: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    # 0022_structured_versions: [{field, old, new}] of the structured fields the next version changed
    field_changes: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class User(Base):
    """An editor or admin account (argon2id password hash)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("name", name="uq_users_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(CleanString(64))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    languages: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebSession(Base):
    """A server-side login session; `id` is the SHA-256 of the cookie token (never the token)."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginAttempt(Base):
    """One login attempt, for throttling (ASVS 2.2.1) and the audit view."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_created", "username", "created_at"),
        Index("ix_login_attempts_address_created", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(CleanString(64))
    address: Mapped[str | None] = mapped_column(CleanString(64))
    success: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReviewDecision(Base):
    """An append-only editorial decision (approve, reject, defer, edit, ...) on one item."""

    __tablename__ = "review_decisions"
    __table_args__ = (UniqueConstraint("request_token", name="uq_review_decisions_request_token"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("items.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    editor: Mapped[str] = mapped_column(CleanString(64))
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(CleanText())
    changes: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    item_revision: Mapped[int | None] = mapped_column(Integer)
    request_token: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class AuditEntry(Base):
    """Who did what to which object, when, with hashes of the state before and after.

    Append-only: triggers of migration 0005 refuse UPDATE and DELETE on both back ends."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    actor: Mapped[str] = mapped_column(CleanString(64))
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(CleanString(64))
    address: Mapped[str | None] = mapped_column(CleanString(64))
    before_hash: Mapped[str | None] = mapped_column(String(64))
    after_hash: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class AppSecret(Base):
    """A secret the application generated once and every server process shares (migration 0006),
    e.g. ``csrf``: the key of the CSRF cookie signatures when ``EWSI_SECRET_KEY`` is not set."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SavedView(Base):
    """An editor's named set of queue filters ("my languages")."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(CleanString(64))
    query: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ApiToken(Base):
    """A portal API token (only its SHA-256 is stored) with its own rate limit."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(CleanString(64))
    token_hash: Mapped[str] = mapped_column(String(64))
    rate_limit_per_minute: Mapped[int] = mapped_column(Integer, default=600, server_default="600")
    scopes: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class QuarantinedUrl(Base):
    """A URL whose extraction keeps failing (poison page, T14): skipped until `expires_at`."""

    __tablename__ = "quarantine"

    url_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(CleanText())
    source_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(64))
    hits: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# --- 0014_workers ------------------------------------------------------------------------------
class HostBudgetRow(Base):
    """One host's politeness budget, shared by every crawl process on every machine (PostgreSQL).

    `next_at`: the database-clock time before which no request to the host may start; `crawl_delay`:
    robots.txt Crawl-delay (seconds); `closed_until`/`closed_key`: the host asked not to be contacted;
    `held_until`: the latest push-back (Retry-After, back-off), checked again just before sending.
    """

    __tablename__ = "host_budgets"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime())
    crawl_delay: Mapped[float] = mapped_column(Float, default=0.0, server_default=text("0"))
    closed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_key: Mapped[str | None] = mapped_column(String(64))
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HostSlotRow(Base):
    """A request in flight to `host` (slot `slot` of its concurrency budget) until `expires_at`."""

    __tablename__ = "host_slots"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RateBucketRow(Base):
    """Token bucket of one rate-limit key, shared by every `ewsi serve` process (PostgreSQL).

    `tokens` as of `stamp` (database clock); `allowed`: whether the last request it charged got a token.
    """

    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    stamp: Mapped[datetime] = mapped_column(UTCDateTime())
    allowed: Mapped[bool] = mapped_column(Boolean)


# --- 0024_warc_locations -------------------------------------------------------------------------
class WarcLocation(Base):
    """Where one response of an archived run is: `warc` (the file's file:// or s3:// URL),
    `record_offset` (bytes from the file's start to the gzip member of its WARC record) and
    `record_length` (that member's bytes), for (`run_id`, sha256 of `url`)."""

    __tablename__ = "warc_locations"

    run_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("crawl_runs.id", ondelete="CASCADE"), primary_key=True
    )
    url_hash: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    url: Mapped[str] = mapped_column(Text)
    warc: Mapped[str] = mapped_column(Text)
    record_offset: Mapped[int] = mapped_column(BigInteger)
    record_length: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[int] = mapped_column(Integer)


# --- 0015_submissions ----------------------------------------------------------------------------
class SubmissionRow(Base):
    """A contribution (crawler.submissions) with its contributor, beside the item it became.

    `item_id` is the pending item (or, for a link already harvested, the item it joined); personal
    data (name, organisation, email) is nulled by `forget`, `email_hash` kept for the counts."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("items.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    fields: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    name: Mapped[str | None] = mapped_column(CleanText())
    organisation: Mapped[str | None] = mapped_column(CleanText())
    email: Mapped[str | None] = mapped_column(CleanString(254))
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    country: Mapped[str | None] = mapped_column(CleanString(8))
    language: Mapped[str | None] = mapped_column(CleanString(8))
    consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    outcome: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    forgotten_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    amend_nonce: Mapped[str | None] = mapped_column(String(32))
    amended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    previous_fields: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)


# --- 0023_submission_mail ------------------------------------------------------------------------
class SubmissionMailRow(Base):
    """A mail to a contributor waiting to be sent, or sent (crawler.store.outbox).

    `kind`: receipt | decision | changes; `context`: what the text needs (title, language, action,
    reason, link, message), never the address, which is read from the contribution when sending.
    `status`: pending | sent | dropped (the address was forgotten)."""

    __tablename__ = "submission_mail"
    __table_args__ = (Index("ix_submission_mail_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    context: Mapped[Any] = mapped_column(CleanJSON(), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
