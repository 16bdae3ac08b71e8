"""Items of a source by the start of their summary (a site's description of every page).

Revision ID: 0030_summary_index
Revises: 0029_http_cache_leads
Create Date: 2027-01-31

``ix_items_source_summary``: ``(source_id, substr(summary, 1, 100))``. A desk row's snippet skips a
harvested summary that another item of the same source also has (crawler.web.rows: a site's
generic description); crawler.store.queue asks that for each row of a queue page with the same
expression (`summary_key`), which without the index read every item of the source per row.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030_summary_index"
down_revision: str | None = "0029_http_cache_leads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_items_source_summary", "items", ["source_id", sa.text("substr(summary, 1, 100)")])


def downgrade() -> None:
    op.drop_index("ix_items_source_summary", table_name="items")
