"""CSRF tokens from a maintained library: one application secret instead of one per session.

Revision ID: 0006_app_secrets
Revises: 0005_audit_append_only
Create Date: 2026-11-29

- app_secrets (name, value, created_at): secrets the application generates once and every server
  process shares, e.g. ``csrf``, the key fastapi-csrf-protect signs its double-submit cookie with
  (crawler.web.auth) when ``EWSI_SECRET_KEY`` is not set.
- web_sessions.csrf_secret is dropped: CSRF tokens are no longer kept per session.

Downgrade re-adds csrf_secret as NOT NULL with an empty default (sessions opened since then have no
per-session token: their users log in again) and drops app_secrets.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_app_secrets"
down_revision: str | None = "0005_audit_append_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("csrf_secret")


def downgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("csrf_secret", sa.String(64), nullable=False, server_default=""))
    op.drop_table("app_secrets")
