"""Audit rows are append-only at the database (RELIABILITY.md T46, ASVS 7.3.3).

Revision ID: 0005_audit_append_only
Revises: 0004_portal_indexes
Create Date: 2026-11-29

Triggers refuse every UPDATE and DELETE of ``audit_log`` rows, whoever runs them (the application,
an admin at the SQL prompt, the table owner):
- SQLite: ``BEFORE UPDATE`` and ``BEFORE DELETE`` triggers that ``RAISE(ABORT, ...)``;
- PostgreSQL: a ``BEFORE UPDATE OR DELETE ... FOR EACH ROW`` trigger and a ``BEFORE TRUNCATE``
  statement trigger, both calling ``audit_log_append_only()``, which raises
  ``audit_log is append-only: <operation> refused``.
On PostgreSQL the application's own role should in addition hold no UPDATE, DELETE or TRUNCATE
privilege on the table (``ewsi db grant-app-role ROLE``), because a table owner can disable
triggers. On SQLite, a later migration that rebuilds audit_log in batch mode must create these
triggers again (a table rebuild drops them).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_audit_append_only"
down_revision: str | None = "0004_portal_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit_log is append-only"

SQLITE_UP = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END",
)
SQLITE_DOWN = ("DROP TRIGGER IF EXISTS audit_log_no_delete", "DROP TRIGGER IF EXISTS audit_log_no_update")

POSTGRES_UP = (
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP; END $$",
    "CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)
POSTGRES_DOWN = (
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_append_only()",
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_UP if postgres else SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_DOWN if postgres else SQLITE_DOWN:
        op.execute(statement)
