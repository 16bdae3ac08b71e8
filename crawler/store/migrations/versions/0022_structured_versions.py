"""Field changes on version rows: what a corrigendum changed, with the old and the new value.

Revision ID: 0022_structured_versions
Revises: 0020_attachments
Create Date: 2026-12-04

- item_versions.field_changes: JSON list of ``{field, old, new}`` (crawler.store.field_changes):
  the structured fields of a funding call or event (deadlines, budget, opening, place, ...) and the
  publication date that the *next* version changed, values as stored (datetimes as ISO 8601 Z).
  Rows written before stay NULL (their `changed_fields` still names what changed).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0022_structured_versions"
down_revision: str | None = "0020_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_T = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("item_versions", sa.Column("field_changes", JSON_T, nullable=True))


def downgrade() -> None:
    op.drop_column("item_versions", "field_changes")  # SQLite >= 3.35 drops a column in place
