"""Funding calls and events as structured items.

Revision ID: 0013_structured
Revises: 0012_documents
Create Date: 2026-12-03

items gain the structured fields of a funding call (call id, programme, published status, opening,
every deadline and the last one, budget, eligible countries) and of an event (start, end, all-day,
zone, venue, city, country, online, organiser, registration link and deadline). ``deadline`` keeps
the next deadline at harvest time (the desk's deadline lane); ``final_deadline`` is the last one
(a call is closed after it). Indexes serve the API's open-calls and upcoming-events lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0013_structured"
down_revision: str | None = "0012_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
JSON_T = sa.JSON().with_variant(JSONB(), "postgresql")

COLUMNS: tuple[sa.Column[Any], ...] = (
    sa.Column("call_id", sa.String(128)),
    sa.Column("programme", sa.String(64)),
    sa.Column("call_status", sa.String(16)),
    sa.Column("opens_at", TS),
    sa.Column("final_deadline", TS),
    sa.Column("deadlines", JSON_T),
    sa.Column("budget_amount", sa.Float()),
    sa.Column("budget_currency", sa.String(3)),
    sa.Column("eligible_countries", JSON_T),
    sa.Column("event_start", TS),
    sa.Column("event_end", TS),
    sa.Column("event_all_day", sa.Boolean()),
    sa.Column("event_timezone", sa.String(64)),
    sa.Column("event_venue", sa.Text()),
    sa.Column("event_city", sa.Text()),
    sa.Column("event_country", sa.String(8)),
    sa.Column("event_online", sa.Boolean()),
    sa.Column("event_organiser", sa.Text()),
    sa.Column("registration_url", sa.Text()),
    sa.Column("registration_deadline", TS),
)
INDEXES = (
    ("ix_items_final_deadline", ["final_deadline"]),
    ("ix_items_event_start", ["event_start"]),
    ("ix_items_call_id", ["call_id"]),
)


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("items", column._copy())
    for name, columns in INDEXES:
        op.create_index(name, "items", columns)


def downgrade() -> None:
    for name, _ in INDEXES:
        op.drop_index(name, table_name="items")
    # plain ALTER TABLE DROP COLUMN (SQLite 3.35+): a batch copy of the table would lose the partial
    # and expression indexes of 0003/0004
    for column in reversed(COLUMNS):
        op.drop_column("items", column.name)
