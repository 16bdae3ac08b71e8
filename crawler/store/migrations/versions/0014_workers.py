"""Shared politeness budget per host, in-flight request slots, and rate-limit buckets.

Revision ID: 0014_workers
Revises: 0013_structured
Create Date: 2026-12-03

host_budgets / host_slots: one politeness budget per host for every crawl process on every machine
(crawler.store.host_budget). rate_buckets: API and login rate limits shared by every `ewsi serve`
process (crawler.store.rate_buckets, token buckets on the database clock).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_workers"
down_revision: str | None = "0013_structured"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "host_budgets",
        sa.Column("host", sa.String(255), primary_key=True),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("crawl_delay", sa.Float(), nullable=False, server_default=sa.text("0")),
        sa.Column("closed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_key", sa.String(64), nullable=True),
        sa.Column("held_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "host_slots",
        sa.Column("host", sa.String(255), primary_key=True),
        sa.Column("slot", sa.Integer(), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("stamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_buckets")
    op.drop_table("host_slots")
    op.drop_table("host_budgets")
