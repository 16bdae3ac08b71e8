"""Where a source's configured URLs moved for good (a 301 or 308 answer).

Revision ID: 0028_source_moved
Revises: 0027_url_identity_rekey
Create Date: 2027-01-10

``sources.moved_to`` (JSON object: configured URL -> the URL its permanent redirect leads to),
written after each run (crawler.health rule 4) and shown by ``ewsi sources status`` and the desk's
sources page so the operator updates the config. NULL when no URL moved.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0028_source_moved"
down_revision: str | None = "0027_url_identity_rekey"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_T = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("moved_to", JSON_T, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("moved_to")
