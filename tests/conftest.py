"""Shared fixtures: a database URL per back end and a migrated session.

`db_url` runs each test on SQLite (a file in tmp_path) and on PostgreSQL (a fresh database
``ewsi_test_<hex>`` on the server at ``EWSI_TEST_POSTGRES_URL``, default
postgresql+psycopg2://postgres@127.0.0.1:5432/postgres, dropped afterwards). When that server is
unreachable the PostgreSQL variant is skipped, except in CI (``CI=true``) where it fails.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"

pytest_plugins = ("desklab",)
"""The desk's fixtures (engine, Session, app, seeded), used by tests/test_web_*.py; a test module's
own fixture of the same name wins."""


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers (pyproject.toml declares them too; a repeat is harmless)."""
    for line in (
        "postgres: needs the PostgreSQL server at 127.0.0.1:5432",
        "corpus: needs ../shared/corpus",
        "slow: takes more than a few seconds",
        "browser: drives headless Chromium",
        "serial: measures time or spacing; run alone, after the parallel part (make test)",
        "waits: a fault test that mostly waits for slots and restarts; three at a time (make test)",
    ):
        config.addinivalue_line("markers", line)


SERIAL_MODULES = frozenset(
    {
        "test_cpu_slots",
        "test_extract",
        "test_fetch_limits",
        "test_fetch_politeness",
        "test_fetch_ssrf",
        "test_health_runs",
        "test_host_budget",
        "test_parse_attacks",
        "test_robots_crawl",
        "test_scheduler",
        "test_shared_gate",
        "test_storage_integrity",
        "test_worker",
        "test_workers",
    }
)
"""Modules whose tests measure wall-clock gaps, rates, timeouts or a crawl's peak memory (which depends
on how its sources' parses overlap in time): `make test` runs them alone (marker ``serial``) after
the other tests have run in parallel, so a neighbour's load cannot bend a figure."""

WAITING_MODULES = frozenset({"test_scheduler_faults", "test_scheduler_overrun", "test_store_faults"})
"""Fault modules (RELIABILITY.md T31-T38) whose tests spend about a minute each waiting: for 5-15 s
schedule slots to pass, a killed scheduler's lease, a database cluster stopped and started again.
Their children are stubs or small crawls and their bounds are in slots, not in milliseconds, so
`make test` runs them three at a time (marker ``waits``), apart from the CPU-bound parallel part: 16
tests, about 4 minutes on 2 cores; a run late on a loaded machine is one of the outcomes their
assertions allow (T34: a catch-up run that holds the next slot), but at four at a time T34's catch-up
run ended 0.7 s before the next slot and the scheduler had not yet seen it end."""


PART_MODULES = {
    f"{part}{heavy}": modules
    for part, modules in (("serial", SERIAL_MODULES), ("waits", WAITING_MODULES))
    for heavy in ("", " and not heavy", " and heavy")
}
"""The modules each part of `make test` runs, by its marker expression (``-m``; with ``and not
heavy`` in `make test`, ``and heavy`` in `make test-slow`): a run of one part collects only its
modules, and the parallel part (``not serial and not waits``) none of them. A collection of every
module costs each process about 10 s of CPU, paid by every worker."""
OTHER_PART = "not serial and not waits"
OTHER_PARTS = (OTHER_PART, f"{OTHER_PART} and not slow", f"slow and {OTHER_PART}")
"""The parallel part's expressions: ``make test`` without the slow tests, ``make test-slow`` only them."""


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Skip a test module that the run's part (`PART_MODULES`, by ``-m``) does not run; any other
    marker expression, or none, collects as pytest does (None defers to pytest's own rules)."""
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    expression = config.getoption("markexpr") or ""
    if expression in PART_MODULES:
        return collection_path.stem not in PART_MODULES[expression] or None
    if expression in OTHER_PARTS:
        return collection_path.stem in SERIAL_MODULES | WAITING_MODULES or None
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of `SERIAL_MODULES` ``serial`` and every test of `WAITING_MODULES` ``waits``;
    then put the modules holding a ``slow`` test first, each module's tests in their order: pytest-xdist
    hands modules out in this order (``--dist loadfile``), so the long ones start early and the
    parallel part does not end on one worker finishing a long module while the others idle."""
    for item in items:
        if item.path.stem in SERIAL_MODULES:
            item.add_marker(pytest.mark.serial)
        elif item.path.stem in WAITING_MODULES:
            item.add_marker(pytest.mark.waits)
    heavy = {item.path for item in items if item.get_closest_marker("slow") is not None}
    items.sort(key=lambda item: item.path not in heavy)  # stable: modules keep their order


def _postgres_url(admin_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name = f"ewsi_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        detail = str(exc.orig).strip().splitlines()[0]
        reason = f"PostgreSQL unreachable at {admin.url.render_as_string()}: {detail}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL database dropped at the end."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
        return
    yield from _postgres_url(os.environ.get("EWSI_TEST_POSTGRES_URL") or ADMIN_URL)


@pytest.fixture
def db_engine(db_url: str):
    """An Engine on `db_url`, migrated to the Alembic head."""
    from crawler.store.migrate import upgrade
    from crawler.store.session import make_engine

    engine = make_engine(db_url)
    upgrade(engine=engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine):
    """A Session on the migrated database; the test commits where it means to."""
    from crawler.store.session import session_factory

    with session_factory(db_engine)() as session:
        yield session


# Crawls in tests talk to loopback servers: no politeness delay, short timeouts and back-off
# (child processes inherit these; production defaults live in crawler/settings.py).
for _name, _value in (
    ("EWSI_DOWNLOAD_DELAY", "0"),
    ("EWSI_DOWNLOAD_TIMEOUT", "3"),
    ("EWSI_RETRY_BACKOFF", "0.05"),
):
    os.environ.setdefault(_name, _value)

SHARED = Path(os.environ.get("EWSI_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")


@pytest.fixture(scope="session")
def shared() -> Path:
    """The team's shared material (../shared: corpus, cases, data); tests skip where it is absent."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip(f"../shared not found at {SHARED} (set EWSI_SHARED to its path)")
    return SHARED
