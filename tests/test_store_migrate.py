"""crawler.store.migrate on SQLite and PostgreSQL: upgrade and downgrade, models matching the
migrations, readiness (`check_ready`)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from crawler.errors import DatabaseUnavailable
from crawler.store.migrate import check_ready, current_revision, downgrade, head_revision, upgrade
from crawler.store.session import make_engine

TABLES = {"sources", "crawl_runs", "items", "item_themes", "raw_responses", "tombstones", "http_cache"}


def test_upgrade_from_empty_database(db_url):
    engine = make_engine(db_url)
    try:
        with pytest.raises(DatabaseUnavailable, match=r"database is not migrated: run `ewsi db upgrade`"):
            check_ready(engine)
        assert current_revision(engine) is None
        upgrade(db_url)
        assert current_revision(engine) == head_revision() == "0032_url_identity_views"
        assert check_ready(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) >= TABLES
        downgrade(db_url)
        assert not TABLES & set(inspect(engine).get_table_names())
        upgrade(db_url)  # and back up again from base
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_models_match_migration(db_engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from crawler.store.schema import Base

    with db_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    # Alembic cannot compare expression indexes, nor does it honour ddl_if(dialect=...): those
    # PostgreSQL-only queue indexes of 0003 are checked by name below instead
    expression_indexes = {"ix_items_queue_priority", "ix_items_funding_deadline", "ix_items_status_language"}
    # likewise the PostgreSQL-only full-text index of attachment text (0020)
    skipped = {*expression_indexes, "ix_attachment_documents_fts"}
    diff = [d for d in diff if not (d[0] in ("add_index", "remove_index") and d[1].name in skipped)]
    assert diff == []
    names = {ix["name"] for ix in inspect(db_engine).get_indexes("items")}
    attachment_names = {ix["name"] for ix in inspect(db_engine).get_indexes("attachment_documents")}
    assert ("ix_attachment_documents_fts" in attachment_names) == (db_engine.dialect.name == "postgresql")
    if db_engine.dialect.name == "postgresql":
        assert expression_indexes <= names
    else:
        assert not expression_indexes & names


@pytest.mark.timeout(20)
def test_check_ready_unreachable_server():
    engine = make_engine("postgresql+psycopg2://postgres@127.0.0.1:1/x")
    with pytest.raises(DatabaseUnavailable) as info:
        check_ready(engine)
    assert str(info.value) == "cannot connect to postgresql://127.0.0.1:1/x: connection refused"
    assert info.value.key == "store.db_error"


@pytest.mark.parametrize(
    ("url", "names_directory"),
    [
        ("sqlite:///var/ewsi.sqlite", True),  # the default store, read from the current directory
        ("sqlite:///store.sqlite", True),
        ("sqlite:///{tmp}/missing.sqlite", False),  # an absolute path says where it is already
    ],
)
def test_missing_sqlite_file_says_where_it_was_looked_for(tmp_path, monkeypatch, url, names_directory):
    """A relative SQLite path is read from the current directory: from another directory the store is
    another, missing file, and the message says so rather than suggesting `ewsi db upgrade` alone."""
    monkeypatch.chdir(tmp_path)
    engine = make_engine(url.format(tmp=tmp_path))
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            check_ready(engine)
    finally:
        engine.dispose()
    message = str(raised.value)
    assert message.startswith("database is not migrated: run `ewsi db upgrade`")
    assert (f"no such file in {tmp_path};" in message) is names_directory
    assert ("EWSI_DATABASE_URL" in message) is names_directory
    assert not list(tmp_path.rglob("*.sqlite"))  # the check creates no store
