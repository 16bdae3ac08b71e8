"""Contributions beside the items they became, and API token scopes.

Revision ID: 0015_submissions
Revises: 0018_classifier
Create Date: 2026-12-03

``submissions`` keeps each contribution's fields and its contributor (crawler.store.submissions);
``api_tokens.scopes`` (JSON list, null = read only) lets a token carry ``submit``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0015_submissions"
down_revision: str | None = "0018_classifier"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
JSON_T = sa.JSON().with_variant(JSONB(), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("item_id", BigId, sa.ForeignKey("items.id", ondelete="SET NULL"), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("fields", JSON_T, nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("organisation", sa.Text(), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("email_hash", sa.String(64), nullable=False),
        sa.Column("country", sa.String(8), nullable=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("forgotten_at", TS, nullable=True),
    )
    op.create_index("ix_submissions_item_id", "submissions", ["item_id"])
    op.create_index("ix_submissions_email_hash", "submissions", ["email_hash"])
    op.create_index("ix_submissions_created_at", "submissions", ["created_at"])
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("scopes", JSON_T, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("scopes")
    op.drop_table("submissions")
