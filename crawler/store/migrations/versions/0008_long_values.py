"""Look items up by a hash of their feed GUID, so a GUID of any length can be stored.

Revision ID: 0008_long_values
Revises: 0007_login_address_index
Create Date: 2026-12-03

PostgreSQL refuses a B-tree index entry above about 2,700 bytes after compression, so the old index
on (source_id, guid) lost every item whose GUID was longer than that. The new column guid_hash holds
crawler.store.schema.sha256_hex(guid); existing rows are filled here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_long_values"
down_revision: str | None = "0007_login_address_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("items", sa.Column("guid_hash", sa.String(64), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "UPDATE items SET guid_hash = encode(sha256(convert_to(guid, 'UTF8')), 'hex') "
            "WHERE guid IS NOT NULL"
        )
    else:
        items = sa.table(
            "items", sa.column("id", sa.BigInteger), sa.column("guid", sa.Text), sa.column("guid_hash")
        )
        rows = bind.execute(sa.select(items.c.id, items.c.guid).where(items.c.guid.is_not(None))).all()
        for row_id, guid in rows:
            digest = hashlib.sha256(guid.encode("utf-8", "replace")).hexdigest()
            bind.execute(sa.update(items).where(items.c.id == row_id).values(guid_hash=digest))
    op.drop_index("ix_items_source_guid", table_name="items")
    op.create_index("ix_items_source_guid_hash", "items", ["source_id", "guid_hash"])


def downgrade() -> None:
    op.drop_index("ix_items_source_guid_hash", table_name="items")
    op.create_index("ix_items_source_guid", "items", ["source_id", "guid"])
    op.drop_column("items", "guid_hash")
