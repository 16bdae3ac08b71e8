"""A followed page's attachments (PDFs) stored with it: one document per distinct body.

Revision ID: 0020_attachments
Revises: 0019_suspect_items
Create Date: 2026-12-04

``attachment_documents`` keeps each distinct attachment body once (UNIQUE sha256 of the bytes: the
same PDF reached from two pages or two mirrors is one document) with its extracted text, language
and title; ``item_attachments`` links an item to the documents its page links to (one row per
item and document, with the link it was reached by). crawler.store.attachments writes and reads
them. PostgreSQL gets a GIN index for the full-text search of attachment text (the 'simple'
configuration, as ``ix_items_published_fts`` of migration 0004).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_attachments"
down_revision: str | None = "0019_suspect_items"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
FTS = "to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(text, ''))"


def upgrade() -> None:
    op.create_table(
        "attachment_documents",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(255), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("text_chars", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("flags", sa.Text(), nullable=True),
        sa.Column("first_url", sa.Text(), nullable=True),
        sa.Column("first_seen_at", TS, nullable=False),
        sa.UniqueConstraint("sha256", name="uq_attachment_documents_sha256"),
    )
    op.create_table(
        "item_attachments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("item_id", BigId, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "document_id", BigId, sa.ForeignKey("attachment_documents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("link_title", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("item_id", "document_id", name="uq_item_attachments_item_document"),
    )
    op.create_index("ix_item_attachments_document_id", "item_attachments", ["document_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_attachment_documents_fts ON attachment_documents USING gin ({FTS})")


def downgrade() -> None:
    op.drop_table("item_attachments")
    op.drop_table("attachment_documents")
