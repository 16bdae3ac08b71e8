"""Initial schema: sources, crawl_runs, items, item_themes, raw_responses, tombstones, http_cache.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-29

Column types are plain SQLAlchemy types (the TypeDecorators of crawler.store.schema only act in
Python). Long URLs and identities are unique through their SHA-256 hex (T27: a B-tree entry over a
9,000-character URL exceeds PostgreSQL's index row limit).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
JSON_T = sa.JSON().with_variant(JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text()),
        sa.Column("publisher", sa.Text()),
        sa.Column("country", sa.String(8)),
        sa.Column("kind", sa.String(16)),
        sa.Column("content_type", sa.String(32)),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("state", sa.String(16), nullable=False, server_default="new"),
        sa.Column("last_run_at", TS),
        sa.Column("last_success_at", TS),
        sa.Column("last_new_item_at", TS),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("backoff_until", TS),
        sa.Column("last_error_key", sa.String(64)),
        sa.Column("last_error", sa.Text()),
        sa.Column("note", sa.Text()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(64), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("slot_start", TS),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("heartbeat_at", TS),
        sa.Column("pid", sa.Integer()),
        sa.Column("host", sa.String(255)),
        sa.Column("status", sa.String(16), nullable=False, server_default="running"),
        sa.Column("error_key", sa.String(64)),
        sa.Column("error", sa.Text()),
        sa.Column("fetched", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("items_new", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("items_updated", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("items_unchanged", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("items_dropped", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("dropped", JSON_T),
        sa.Column("http_errors", JSON_T),
        sa.Column("stats", JSON_T),
        sa.Column("duration_s", sa.Float()),
        # NULLs are distinct in a UNIQUE constraint on both back ends: runs without a slot never collide
        sa.UniqueConstraint("source_id", "slot_start", name="uq_crawl_runs_source_slot"),
    )
    op.create_index("ix_crawl_runs_source_id", "crawl_runs", ["source_id"])
    op.create_table(
        "items",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("identity", sa.Text(), nullable=False),
        sa.Column("identity_hash", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(64), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("canonical_url", sa.Text()),
        sa.Column("url_hash", sa.String(64)),
        sa.Column("guid", sa.Text()),
        sa.Column("official_id", sa.String(255)),
        sa.Column("title", sa.Text()),
        sa.Column("summary", sa.Text()),
        sa.Column("text", sa.Text()),
        sa.Column("text_chars", sa.Integer()),
        sa.Column("author", sa.Text()),
        sa.Column("language", sa.String(8)),
        sa.Column("language_confidence", sa.Float()),
        sa.Column("language_method", sa.String(32)),
        sa.Column("declared_language", sa.String(16)),
        sa.Column("languages_found", JSON_T),
        sa.Column("content_type", sa.String(32)),
        sa.Column("country", sa.String(8)),
        sa.Column("published_at", TS),
        sa.Column("updated_at", TS),
        sa.Column("date_method", sa.String(16)),
        sa.Column("deadline", TS),
        sa.Column("fetched_at", TS),
        sa.Column("first_seen_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("last_changed_at", TS),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("fingerprint", sa.BigInteger()),
        sa.Column("relevance", sa.Float()),
        sa.Column("relevant", sa.Boolean()),
        sa.Column("model_version", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("flags", JSON_T),
        sa.Column("attachments", JSON_T),
        sa.Column("record", JSON_T),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("claim_expires_at", TS),
        sa.UniqueConstraint("identity_hash", name="uq_items_identity_hash"),
    )
    op.create_index("ix_items_status_relevance", "items", ["status", "relevance"])
    op.create_index("ix_items_source_id", "items", ["source_id"])
    op.create_index("ix_items_published_at", "items", ["published_at"])
    op.create_index("ix_items_source_guid", "items", ["source_id", "guid"])
    op.create_index("ix_items_url_hash", "items", ["url_hash"])
    op.create_table(
        "item_themes",
        sa.Column("item_id", BIG_ID, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("theme", sa.String(64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("assigned", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("evidence", JSON_T),
        sa.PrimaryKeyConstraint("item_id", "theme"),
    )
    op.create_table(
        "raw_responses",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("item_id", BIG_ID, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("url", sa.Text()),
        sa.Column("status", sa.Integer()),
        sa.Column("media_type", sa.String(255)),
        sa.Column("headers", JSON_T),
        sa.Column("body", sa.LargeBinary()),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer()),
        sa.Column("fetched_at", TS),
        sa.UniqueConstraint("item_id", "body_sha256", name="uq_raw_responses_item_body"),
    )
    op.create_index("ix_raw_responses_item_id", "raw_responses", ["item_id"])
    op.create_table(
        "tombstones",
        sa.Column("identity_hash", sa.String(64), primary_key=True),
        sa.Column("source_id", sa.String(64)),
        sa.Column("reason", sa.Text()),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "http_cache",
        sa.Column("url_hash", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("body_sha256", sa.String(64)),
        sa.Column("status", sa.Integer()),
        sa.Column("fetched_at", TS),
    )


def downgrade() -> None:
    tables = ("http_cache", "tombstones", "raw_responses", "item_themes", "items", "crawl_runs", "sources")
    for table in tables:
        op.drop_table(table)
