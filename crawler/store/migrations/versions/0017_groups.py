"""Language versions and near-duplicate groups of items.

Revision ID: 0017_groups
Revises: 0014_workers
Create Date: 2026-12-03

``items.version_of``: the id of the item this row is a language version of (NULL on the item an
editor reviews). ``items.group_id``: the id of the first item of a group of near-duplicates from
different sources (NULL when the item stands alone; the first item carries its own id).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_groups"
down_revision: str | None = "0014_workers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN (no table copy on SQLite, which would lose the expression indexes of 0004)
    op.add_column("items", sa.Column("version_of", sa.BigInteger(), nullable=True))
    op.add_column("items", sa.Column("group_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_items_version_of", "items", ["version_of"])
    op.create_index("ix_items_group_id", "items", ["group_id"])


def downgrade() -> None:
    op.drop_index("ix_items_group_id", table_name="items")
    op.drop_index("ix_items_version_of", table_name="items")
    op.drop_column("items", "group_id")
    op.drop_column("items", "version_of")
