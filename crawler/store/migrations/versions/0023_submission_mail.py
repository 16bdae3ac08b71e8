"""Mails to contributors (receipt, decision, request for changes) kept until sent, and amendments.

Revision ID: 0023_submission_mail
Revises: 0022_structured_versions
Create Date: 2026-12-04

``submission_mail`` is the outbox (crawler.store.outbox): one row per mail to send, with what to
say (kind, context) but never the address, which is read from the contribution when sending (so
``ewsi contributors forget`` also stops mails not yet sent). ``submissions`` gains the nonce of
the current amend link (single use), the time of the last amendment and the fields before it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0023_submission_mail"
down_revision: str | None = "0022_structured_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
JSON_T = sa.JSON().with_variant(JSONB(), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "submission_mail",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "submission_id", BigId, sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("context", JSON_T, nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
    )
    op.create_index("ix_submission_mail_due", "submission_mail", ["status", "next_attempt_at"])
    op.create_index("ix_submission_mail_submission_id", "submission_mail", ["submission_id"])
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("amend_nonce", sa.String(32), nullable=True))
        batch.add_column(sa.Column("amended_at", TS, nullable=True))
        batch.add_column(sa.Column("previous_fields", JSON_T, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("previous_fields")
        batch.drop_column("amended_at")
        batch.drop_column("amend_nonce")
    op.drop_table("submission_mail")
