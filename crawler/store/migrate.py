"""Alembic migrations run from code (no alembic.ini, scripts inside the package), and readiness.

`upgrade()` is what ``ewsi db upgrade`` calls. `check_ready` / `ensure_ready` say whether the
database answers and is at the head revision (`DatabaseUnavailable` with one line otherwise); they
live here, above crawler.store.session, so that session never imports migrate. The script location is
``crawler/store/migrations`` (shipped as package data, see pyproject.toml).
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from crawler.errors import DatabaseUnavailable, GrantRefused
from crawler.store.session import describe_url, driver_reason, make_engine, shared_engine

log = logging.getLogger(__name__)

SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"
NOT_MIGRATED = "database is not migrated: run `ewsi db upgrade`"


def alembic_config() -> Config:
    """An Alembic Config pointing at the package's migration scripts (no file behind it)."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    return config


@cache
def head_revision() -> str | None:
    """Revision id of the newest migration script (e.g. ``0001_initial``)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """Revision the database is at, or None for an empty (never migrated) database.

    Raises sqlalchemy.exc.OperationalError (or another DBAPIError) when the server is unreachable.
    """
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_ready(engine: Engine) -> str:
    """Check that the database answers and its schema is at the Alembic head.

    Returns the current revision. Raises `DatabaseUnavailable` with a one-line message:
    ``cannot connect to postgresql://127.0.0.1:5432/x: connection refused`` or
    ``database is not migrated: run `ewsi db upgrade` (sqlite:///var/ewsi.sqlite)``. A SQLite file
    that does not exist is not migrated and is not created by the check (connecting would leave an
    empty file behind); for a relative path the message names the current directory it was read
    from, since the default store is relative (`ewsi queue` run from another directory).
    """
    where = describe_url(engine.url)
    path = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if path and path != ":memory:" and not path.startswith("file:") and not Path(path).exists():
        if Path(path).is_absolute():
            raise DatabaseUnavailable(f"{NOT_MIGRATED} ({where}: no such file)")
        # the default store is relative: from another directory it is another (missing) file, and
        # `ewsi db upgrade` there would create a second, empty store
        raise DatabaseUnavailable(
            f"{NOT_MIGRATED} ({where}: no such file in {Path.cwd()}; the path is relative to the "
            "current directory: run the command from the project's directory or set "
            "EWSI_DATABASE_URL to the store's absolute path)"
        )
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(
            f"cannot connect to {describe_url(engine.url)}: {driver_reason(exc)}"
        ) from None
    if current is None or current != head_revision():
        raise DatabaseUnavailable(f"{NOT_MIGRATED} ({where})")
    return current


def ensure_ready(url: str | None = None) -> str:
    """`check_ready` on the shared engine; raises `DatabaseUnavailable` with a one-line reason."""
    return check_ready(shared_engine(url))


def _run(url: str | None, engine: Engine | None, action: str, revision: str) -> None:
    own = engine is None
    engine = engine or make_engine(url)
    try:
        with engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            getattr(command, action)(config, revision)
    finally:
        if own:
            engine.dispose()


def upgrade(url: str | None = None, revision: str = "head", *, engine: Engine | None = None) -> None:
    """Migrate the database at `url` (see `crawler.store.session.database_url`) up to `revision`.

    Runs in one transaction (DDL is transactional on both back ends). Pass `engine` to reuse one.
    Raises sqlalchemy errors when the database is unreachable.
    """
    _run(url, engine, "upgrade", revision)
    log.info("database at revision %s", revision)


def downgrade(url: str | None = None, revision: str = "base", *, engine: Engine | None = None) -> None:
    """Migrate the database at `url` down to `revision` (``base`` drops every table)."""
    _run(url, engine, "downgrade", revision)


def grant_app_role(role: str, url: str | None = None, *, engine: Engine | None = None) -> list[str]:
    """Grant the PostgreSQL role `role` what the desk, the portal API and the crawler need, and no more.

    On every table of the current schema: SELECT, INSERT, UPDATE, DELETE, except ``audit_log``
    (SELECT, INSERT: append-only, RELIABILITY.md T46) and ``alembic_version`` (SELECT: migrations run
    as the owner); USAGE and SELECT on its sequences; CONNECT on the database, USAGE on the schema.
    Earlier grants on these tables and sequences are revoked first, so running it again (after each
    ``ewsi db upgrade``: new tables need grants) leaves exactly this. One transaction; run it as the
    owner of the tables. Returns the statements executed.

    Raises `GrantRefused` on SQLite (no roles; its audit table relies on the triggers of migration
    0005 alone), for a role that does not exist, a superuser (privileges do not bind it), one of
    PostgreSQL's predefined ``pg_*`` roles or a role without LOGIN (their members would get the
    rights: ``pg_read_all_data`` would become able to rewrite users), or a role that owns audit_log
    or is a member of its owner (an owner can drop the triggers); sqlalchemy
    errors when the database is unreachable.
    """
    own = engine is None
    engine = engine or make_engine(url)
    try:
        if engine.dialect.name != "postgresql":
            raise GrantRefused(
                f"{engine.dialect.name} has no database roles: grant-app-role is for PostgreSQL only "
                "(the audit table is protected by triggers alone there)"
            )
        quote = engine.dialect.identifier_preparer.quote_identifier
        with engine.begin() as conn:
            found = conn.execute(
                text("SELECT rolsuper, rolcanlogin FROM pg_roles WHERE rolname = :r"), {"r": role}
            ).first()
            if found is None:
                raise GrantRefused(f"role {role!r} does not exist: create it first (CREATE ROLE ... LOGIN)")
            if found[0]:
                raise GrantRefused(f"role {role!r} is a superuser: privileges do not restrict it")
            if role.startswith("pg_"):  # PostgreSQL's predefined roles (pg_read_all_data, ...)
                raise GrantRefused(f"role {role!r} is predefined by PostgreSQL: use a role of your own")
            if not found[1]:  # a group role would hand the rights to every member
                raise GrantRefused(f"role {role!r} cannot log in: grant to the application's LOGIN role")
            database, schema = conn.execute(text("SELECT current_database(), current_schema()")).one()
            owner = conn.execute(
                text(
                    "SELECT tableowner, pg_has_role(:r, tableowner, 'MEMBER') FROM pg_tables "
                    "WHERE schemaname = current_schema() AND tablename = 'audit_log'"
                ),
                {"r": role},
            ).first()
            if owner is None:
                raise GrantRefused("the database is not migrated: run `ewsi db upgrade` first")
            if owner[1]:
                raise GrantRefused(
                    f"role {role!r} owns audit_log (or is a member of its owner {owner[0]!r}) and could "
                    "drop its triggers: migrate as another role and grant to the application's role"
                )
            r, s = quote(role), quote(schema)
            statements = [
                f"GRANT CONNECT ON DATABASE {quote(database)} TO {r}",
                f"GRANT USAGE ON SCHEMA {s} TO {r}",
                f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
                f"REVOKE UPDATE, DELETE ON {s}.audit_log FROM {r}",
                f"REVOKE INSERT, UPDATE, DELETE ON {s}.alembic_version FROM {r}",
                f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
            ]
            for statement in statements:
                conn.execute(text(statement))
        log.info("granted application privileges to role %s", role)
        return statements
    finally:
        if own:
            engine.dispose()
