"""Indexes of the coverage queries (crawler.store.coverage).

Revision ID: 0025_coverage_index
Revises: 0024_warc_locations
Create Date: 2026-12-04

The coverage matrix counts relevant items by ``first_seen_at`` and approved (or published) items by
``approved_at``, over one period and each of the periods before it; with no index on either column
every count scanned the whole items table (bench/coverage_explain.py: figures in bench/README.md).
- ``ix_items_coverage_seen``: ``(first_seen_at)`` of relevant items only (partial; the predicate is
  written as SQLAlchemy renders ``Item.relevant.is_(True)`` on each back end, so the planner can
  match it: ``relevant IS true`` on PostgreSQL, ``relevant IS 1`` on SQLite);
- ``ix_items_coverage_approved``: ``(approved_at)`` of items approved at least once (partial,
  ``approved_at IS NOT NULL``, implied by the queries' range on it);
- ``ix_item_themes_coverage``: ``(item_id, theme)`` of assigned themes (partial, ``assigned IS
  true`` / ``IS 1`` as rendered): the theme axis joins the period's items to their themes by an
  index-only scan instead of reading every theme row (0004's ``ix_item_themes_assigned`` leads by
  theme; the primary key has no ``assigned``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_coverage_index"
down_revision: str | None = "0024_warc_locations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_items_coverage_seen",
        "items",
        ["first_seen_at"],
        postgresql_where=sa.text("relevant IS true"),
        sqlite_where=sa.text("relevant IS 1"),
    )
    op.create_index(
        "ix_items_coverage_approved",
        "items",
        ["approved_at"],
        postgresql_where=sa.text("approved_at IS NOT NULL"),
        sqlite_where=sa.text("approved_at IS NOT NULL"),
    )

    op.create_index(
        "ix_item_themes_coverage",
        "item_themes",
        ["item_id", "theme"],
        postgresql_where=sa.text("assigned IS true"),
        sqlite_where=sa.text("assigned IS 1"),
    )


def downgrade() -> None:
    op.drop_index("ix_item_themes_coverage", table_name="item_themes")
    op.drop_index("ix_items_coverage_approved", table_name="items")
    op.drop_index("ix_items_coverage_seen", table_name="items")
