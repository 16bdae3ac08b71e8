"""Index of login attempts by client address, for the per-address login throttle.

Revision ID: 0007_login_address_index
Revises: 0006_app_secrets
Create Date: 2026-11-29

crawler.web.auth counts failed logins per (account, address) over 15 minutes and per address over an
hour (ASVS 2.2.1); without this index each login scans login_attempts.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007_login_address_index"
down_revision: str | None = "0006_app_secrets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_login_attempts_address_created", "login_attempts", ["address", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempts_address_created", table_name="login_attempts")
