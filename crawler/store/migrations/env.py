"""Alembic environment: run migrations on the connection `crawler.store.migrate` hands over.

No alembic.ini: `crawler.store.migrate.upgrade` builds the Config in code and passes an open
connection in ``config.attributes["connection"]``. Run without one (plain ``alembic`` command with
``-x url=...``), the engine comes from `crawler.store.session.make_engine`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from crawler.store.schema import Base

# any constant works; it only has to be the same in every process migrating the same database
_PG_LOCK_ID = 0x65777369


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER needs batch mode
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # two processes upgrading at once (two schedulers starting) must not interleave DDL
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over the given connection, or over a new engine for ``-x url=...``."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from crawler.store.session import make_engine

    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run `ewsi db upgrade`")
run_migrations_online()
