"""The title as the page gave it, beside the cleaned title.

Revision ID: 0012_documents
Revises: 0008_long_values
Create Date: 2026-12-03

items.raw_title: the page's ``<title>`` or a PDF's metadata title, site name and all, as extracted
(pipelines.extract); items.title holds the document's own title without site names. Null for items
harvested before this revision and for items whose page was not followed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_documents"
down_revision: str | None = "0008_long_values"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ALTER TABLE, not a batch copy: SQLite's table copy would lose the expression indexes of 0004
    op.add_column("items", sa.Column("raw_title", sa.Text()))


def downgrade() -> None:
    op.drop_column("items", "raw_title")  # SQLite >= 3.35 drops a column in place
