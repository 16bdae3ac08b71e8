"""Editorial desk, portal and reliability tables.

Revision ID: 0002_editorial
Revises: 0001_initial
Create Date: 2026-11-29

- items: editor's corrections (title, English summary, themes, country, content type), the
  publication record (approved_at/by), `revision` (bumped by every editorial change, for
  "someone else changed it meanwhile") and `modified_at` (any change of the public state, for the
  portal's `updated_since`).
- item_versions: earlier versions of an item's harvested content (incremental harvests).
- users, web_sessions, login_attempts: editor accounts, server-side sessions, login throttling.
- review_decisions: append-only editorial decisions; `request_token` makes a double submit
  idempotent.
- audit_log: who did what, when, with before/after hashes.
- saved_views: an editor's named queue filters.
- api_tokens: portal tokens with their own rate limits.
- quarantine: URLs whose extraction keeps failing (poison pages), skipped until they expire.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002_editorial"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
JSON_T = sa.JSON().with_variant(JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

ITEM_COLUMNS = (
    sa.Column("editor_title", sa.Text()),
    sa.Column("editor_summary", sa.Text()),
    sa.Column("editor_themes", JSON_T),
    sa.Column("editor_country", sa.String(8)),
    sa.Column("editor_content_type", sa.String(32)),
    sa.Column("approved_at", TS),
    sa.Column("approved_by", sa.String(64)),
    sa.Column("revision", sa.Integer(), nullable=False, server_default="1"),
    sa.Column("modified_at", TS),
)


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        for column in ITEM_COLUMNS:
            batch.add_column(column._copy())
        batch.create_index("ix_items_modified_at", ["modified_at"])
        batch.create_index("ix_items_status_published", ["status", "published_at"])
    op.create_table(
        "item_versions",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("item_id", BIG_ID, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("summary", sa.Text()),
        sa.Column("text", sa.Text()),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("changed_fields", JSON_T),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("item_id", "version", name="uq_item_versions_item_version"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("languages", JSON_T),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_secret", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "login_attempts",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64)),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_login_attempts_username_created", "login_attempts", ["username", "created_at"])
    op.create_table(
        "review_decisions",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("item_id", BIG_ID, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("editor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("changes", JSON_T),
        sa.Column("item_revision", sa.Integer()),
        sa.Column("request_token", sa.String(64)),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("request_token", name="uq_review_decisions_request_token"),
    )
    op.create_index("ix_review_decisions_item_id", "review_decisions", ["item_id"])
    op.create_index("ix_review_decisions_created_at", "review_decisions", ["created_at"])
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("object_type", sa.String(32)),
        sa.Column("object_id", sa.String(64)),
        sa.Column("address", sa.String(64)),
        sa.Column("before_hash", sa.String(64)),
        sa.Column("after_hash", sa.String(64)),
        sa.Column("detail", JSON_T),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("query", JSON_T),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("rate_limit_per_minute", sa.Integer(), nullable=False, server_default="600"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_table(
        "quarantine",
        sa.Column("url_hash", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("source_id", sa.String(64)),
        sa.Column("reason", sa.String(64)),
        sa.Column("hits", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS),
    )


def downgrade() -> None:
    tables = ("quarantine", "api_tokens", "saved_views", "audit_log", "review_decisions", "login_attempts")
    for table in (*tables, "web_sessions", "users", "item_versions"):
        op.drop_table(table)
    with op.batch_alter_table("items") as batch:
        batch.drop_index("ix_items_status_published")
        batch.drop_index("ix_items_modified_at")
        for column in reversed(ITEM_COLUMNS):
            batch.drop_column(column.name)
