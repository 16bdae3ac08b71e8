"""The queue priority counts an item dated by its fetch time as undated.

Revision ID: 0031_priority_fetch_time
Revises: 0030_summary_index
Create Date: 2027-02-07

ix_items_queue_priority (PostgreSQL) is rebuilt on the lane-1 priority whose "dated" step is false for
an item whose date is its fetch time (date_method ``fetch_time``: its feed's date lay more than an hour
in the future, case B10): such an item is never "new today" ahead of the dated items of its relevance
band (crawler.store.priority, PRIORITY_SQL_PG). SQLite computes the key per query: nothing to change.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0031_priority_fetch_time"
down_revision: str | None = "0030_summary_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# must stay identical to crawler.store.priority.PRIORITY_SQL_PG (the planner matches expressions)
PRIORITY = (
    "(((CASE WHEN coalesce(items.relevance, 0) >= 0.75 THEN 3 WHEN coalesce(items.relevance, 0) >= 0.5 "
    "THEN 2 WHEN coalesce(items.relevance, 0) >= 0.25 THEN 1 ELSE 0 END) * 2 + (CASE WHEN "
    "items.published_at IS NULL OR items.date_method = 'fetch_time' THEN 0 ELSE 1 END)) * 100000 + "
    "extract(epoch from (least(coalesce(items.published_at, items.first_seen_at), items.first_seen_at) - "
    "timestamptz '2000-01-01 00:00:00+00')) / 86400)"
)
BEFORE = (
    "(((CASE WHEN coalesce(items.relevance, 0) >= 0.75 THEN 3 WHEN coalesce(items.relevance, 0) >= 0.5 "
    "THEN 2 WHEN coalesce(items.relevance, 0) >= 0.25 THEN 1 ELSE 0 END) * 2 + (CASE WHEN "
    "items.published_at IS NULL THEN 0 ELSE 1 END)) * 100000 + extract(epoch from (least(coalesce("
    "items.published_at, items.first_seen_at), items.first_seen_at) - timestamptz '2000-01-01 00:00:00+00'))"
    " / 86400)"
)
"""The priority of 0018_classifier."""


def _priority_index(expression: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_items_queue_priority")
    op.execute(f"CREATE INDEX ix_items_queue_priority ON items (status, {expression} DESC, id DESC)")


def upgrade() -> None:
    _priority_index(PRIORITY)


def downgrade() -> None:
    _priority_index(BEFORE)
