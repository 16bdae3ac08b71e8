"""Relevance evidence on items, and the queue priority by relevance band.

Revision ID: 0018_classifier
Revises: 0017_groups
Create Date: 2026-12-03

- items.relevance_evidence: the terms behind the relevance score (JSON list of
  {term, weight, language, count}; negative weights push down), shown in the desk, the queue JSON
  and the item API. Items harvested before stay NULL until re-classified (``ewsi classify reprocess``).
- ix_items_queue_priority (PostgreSQL) is rebuilt on the new lane-1 priority: relevance band first,
  dated before undated, then freshness (crawler.store.priority, PRIORITY_SQL_PG).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0018_classifier"
down_revision: str | None = "0017_groups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_T = sa.JSON().with_variant(JSONB(), "postgresql")

# must stay identical to crawler.store.priority.PRIORITY_SQL_PG (the planner matches expressions)
PRIORITY = (
    "(((CASE WHEN coalesce(items.relevance, 0) >= 0.75 THEN 3 WHEN coalesce(items.relevance, 0) >= 0.5 "
    "THEN 2 WHEN coalesce(items.relevance, 0) >= 0.25 THEN 1 ELSE 0 END) * 2 + (CASE WHEN "
    "items.published_at IS NULL THEN 0 ELSE 1 END)) * 100000 + extract(epoch from (least(coalesce("
    "items.published_at, items.first_seen_at), items.first_seen_at) - timestamptz '2000-01-01 00:00:00+00'))"
    " / 86400)"
)
OLD_PRIORITY = (
    "(coalesce(items.relevance, 0) + extract(epoch from (least(coalesce(items.published_at, "
    "items.first_seen_at), items.first_seen_at) - timestamptz '2000-01-01 00:00:00+00')) / 5184000)"
)


def _priority_index(expression: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_items_queue_priority")
    op.execute(f"CREATE INDEX ix_items_queue_priority ON items (status, {expression} DESC, id DESC)")


def upgrade() -> None:
    op.add_column("items", sa.Column("relevance_evidence", JSON_T, nullable=True))
    _priority_index(PRIORITY)


def downgrade() -> None:
    _priority_index(OLD_PRIORITY)
    op.drop_column("items", "relevance_evidence")  # SQLite >= 3.35 drops a column in place
