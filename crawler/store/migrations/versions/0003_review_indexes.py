"""Indexes for the editors' queue (PostgreSQL).

Revision ID: 0003_review_indexes
Revises: 0002_editorial
Create Date: 2026-11-29

- ix_items_queue_priority: (status, priority DESC, id DESC), where priority is the time-independent
  queue key of crawler.store.queue (relevance + freshness); keyset pages read it in order.
- ix_items_funding_deadline: (status, deadline, id) of funding calls only (the deadline lane).
- ix_items_status_language: (status, language) for language filters and counts.
- st_items_ctype / st_items_country: statistics on the editor-corrected content type and country
  expressions; without them the planner guesses 0.5 % for ``coalesce(...) = 'news'`` and sorts 26,000
  rows instead of reading the priority index in order (measured: 810 ms -> 1 ms, bench/review_queue.py).
(Theme filters use ix_item_themes_assigned of 0004_portal_indexes.)
SQLite deployments are small; the plain indexes of 0001/0002 serve them.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003_review_indexes"
down_revision: str | None = "0002_editorial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# must stay identical to crawler.store.queue.PRIORITY_SQL_PG (the planner matches expressions)
PRIORITY = (
    "(coalesce(items.relevance, 0) + extract(epoch from (least(coalesce(items.published_at, "
    "items.first_seen_at), items.first_seen_at) - timestamptz '2000-01-01 00:00:00+00')) / 5184000)"
)
CONTENT_TYPE = "coalesce(editor_content_type, content_type)"
COUNTRY = "coalesce(editor_country, country)"
FUNDING = f"{CONTENT_TYPE} = 'funding'"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX ix_items_queue_priority ON items (status, {PRIORITY} DESC, id DESC)")
    op.execute(f"CREATE INDEX ix_items_funding_deadline ON items (status, deadline, id) WHERE {FUNDING}")
    op.execute("CREATE INDEX ix_items_status_language ON items (status, language)")
    op.execute(f"CREATE STATISTICS st_items_ctype ON ({CONTENT_TYPE}) FROM items")
    op.execute(f"CREATE STATISTICS st_items_country ON ({COUNTRY}) FROM items")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP STATISTICS IF EXISTS st_items_country")
    op.execute("DROP STATISTICS IF EXISTS st_items_ctype")
    for name in (
        "ix_items_status_language",
        "ix_items_funding_deadline",
        "ix_items_queue_priority",
    ):
        op.execute(f"DROP INDEX IF EXISTS {name}")
