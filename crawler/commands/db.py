"""`ewsi db upgrade|check|grant-app-role ROLE`: create or migrate the schema, check it, grant a role.

Exit 0; 2 for grant-app-role without a role or refused (crawler.store.migrate.grant_app_role);
migration and driver errors become DatabaseUnavailable (one line, mapped by crawler.cli).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from crawler.argtypes import Parser
from crawler.config import Settings
from crawler.errors import DatabaseUnavailable, GrantRefused, UsageError
from crawler.terminal import console as make_console

HELP = "database schema"
console = make_console(stderr=True)


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi db``."""
    db = Parser(prog="ewsi db", description=HELP)
    db.add_argument("db_command", choices=["upgrade", "check", "grant-app-role"])
    db.add_argument("role", nargs="?", help="grant-app-role: the application's PostgreSQL role")
    return db


def main(argv: Sequence[str], settings: Settings) -> int:
    """Entry point of ``ewsi db`` (see the module docstring)."""
    return run(build_parser().parse_args(list(argv)), settings)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Upgrade, check or grant as `args` say."""
    from crawler.store import migrate as store_migrate
    from crawler.store import session as store_session

    if args.db_command == "grant-app-role":
        return _grant_app_role(args.role, settings.database_url)
    if args.db_command == "upgrade":
        where = store_session.redacted_url(settings.database_url)
        try:
            engine = store_session.make_engine(settings.database_url)
            try:
                before = store_migrate.current_revision(engine)
                store_migrate.upgrade(engine=engine)
            finally:
                engine.dispose()
        except (UsageError, DatabaseUnavailable):  # a missing directory, unwritable storage: named (exit 2)
            raise
        except Exception as exc:  # driver and Alembic errors: one clear line, exit 2
            reason = (str(exc).splitlines() or [""])[0]
            raise DatabaseUnavailable(f"cannot migrate {where}: {type(exc).__name__}: {reason}") from None
        console.print(upgrade_message(where, before, store_migrate.head_revision()), highlight=False)
        return 0
    store_migrate.ensure_ready(settings.database_url)
    console.print("database ready")
    return 0


def upgrade_message(where: str, before: str | None, head: str | None) -> str:
    """What `ewsi db upgrade` did to the database at `where` (redacted URL), from revision `before`."""
    if before is None:
        return f"database at {where}: schema created (revision {head})"
    if before == head:
        return f"database at {where} is at the latest schema (revision {head}): nothing to do"
    return f"database at {where}: schema upgraded from revision {before} to {head}"


def _grant_app_role(role: str | None, url: str | None) -> int:
    """`ewsi db grant-app-role ROLE` (PostgreSQL): see `crawler.store.migrate.grant_app_role`."""
    from crawler.store import session as store_session
    from crawler.store.migrate import grant_app_role

    if not role:
        raise UsageError("grant-app-role: name the role (e.g. ewsi_app)")
    try:
        statements = grant_app_role(role, url)
    except GrantRefused as exc:
        raise UsageError(f"grant-app-role: {exc}") from exc
    except Exception as exc:  # driver errors: one clear line, exit 2
        reason = (str(exc).splitlines() or [""])[0]
        raise DatabaseUnavailable(f"cannot grant on {store_session.redacted_url(url)}: {reason}") from None
    for statement in statements:
        print(statement)
    return 0
