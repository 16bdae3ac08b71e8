"""Where each response of an archived run is: WARC file, offset and length.

Revision ID: 0024_warc_locations
Revises: 0023_submission_mail
Create Date: 2026-12-04

warc_locations: one row per response a run archived with EWSI_ARCHIVE_URL set (crawler.fetch.
run_archive; crawler.store.warc_locations): the WARC file's URL (file:// or s3://), the record's
byte offset in it and its compressed length, by (run, URL).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_warc_locations"
down_revision: str | None = "0023_submission_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "warc_locations",
        sa.Column(
            "run_id", sa.Integer(), sa.ForeignKey("crawl_runs.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("url_hash", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("warc", sa.Text(), nullable=False),
        sa.Column("record_offset", sa.BigInteger(), nullable=False),
        sa.Column("record_length", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
    )
    op.create_index("ix_warc_locations_url_hash", "warc_locations", ["url_hash"])


def downgrade() -> None:
    op.drop_index("ix_warc_locations_url_hash", table_name="warc_locations")
    op.drop_table("warc_locations")
