"""Items of a broken run held back from the review queue.

Revision ID: 0019_suspect_items
Revises: 0015_submissions
Create Date: 2026-12-04

``items.suspect_key``: the error key of the broken run that first stored the item (for example
``parse.nav_links``); NULL for every item in the queue. ``items.first_run_id`` / ``items.seen_run_id``:
the crawl run that first stored the item and the last one that yielded it (crawler.store.suspects).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_suspect_items"
down_revision: str | None = "0015_submissions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN (no table copy on SQLite, which would lose the expression indexes of 0004)
    op.add_column("items", sa.Column("suspect_key", sa.String(64), nullable=True))
    op.add_column("items", sa.Column("first_run_id", sa.BigInteger(), nullable=True))
    op.add_column("items", sa.Column("seen_run_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_items_source_suspect", "items", ["source_id", "suspect_key"])
    op.create_index("ix_items_first_run_id", "items", ["first_run_id"])


def downgrade() -> None:
    op.drop_index("ix_items_first_run_id", table_name="items")
    op.drop_index("ix_items_source_suspect", table_name="items")
    op.drop_column("items", "seen_run_id")
    op.drop_column("items", "first_run_id")
    op.drop_column("items", "suspect_key")
