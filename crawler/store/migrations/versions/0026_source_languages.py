"""The languages and time zone of each source, as the sources file gave them at the last sync.

Revision ID: 0026_source_languages
Revises: 0025_coverage_index
Create Date: 2026-12-04

``sources.languages`` (JSON list of ISO 639-1 codes) and ``sources.timezone`` (IANA name): what the
harvest reads an item with (the language detector's declared languages, the zone of dates without
an offset), kept so `ewsi reprocess` runs on the same inputs (pipelines.reprocess). NULL for a
source not synced since.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0026_source_languages"
down_revision: str | None = "0025_coverage_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_T = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("languages", JSON_T, nullable=True))
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("timezone")
        batch.drop_column("languages")
