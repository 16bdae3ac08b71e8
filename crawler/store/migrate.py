"""Alembic migrations run from code: no alembic.ini, scripts inside the package.

`upgrade()` is what ``ewsi db upgrade`` calls. The script location is
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
from sqlalchemy import Engine

from crawler.store.session import make_engine

log = logging.getLogger(__name__)

SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"


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
