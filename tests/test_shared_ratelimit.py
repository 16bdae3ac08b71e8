"""API rate limits shared by every server process (crawler.store.rate_buckets, crawler.web.ratelimit).

Rules under test: on PostgreSQL one bucket per key whatever process charges it (capacity per minute,
refill per_minute / 60 per second, a new key starts full, Retry-After = seconds to the next token);
SQLite and an unreachable database use the process's own buckets.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from crawler.store import rate_buckets
from crawler.store.migrate import upgrade
from crawler.store.session import make_engine
from crawler.web.ratelimit import SharedLimiter


@pytest.fixture
def pg_url() -> Iterator[str]:
    from conftest import ADMIN_URL, _postgres_url

    for url in _postgres_url(os.environ.get("EWSI_TEST_POSTGRES_URL") or ADMIN_URL):
        upgrade(url)
        yield url


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("per_minute", "requests", "allowed"),
    [
        (1, 2, [True, False]),
        (3, 5, [True, True, True, False, False]),
        (0, 2, [False, False]),
        (-5, 1, [False]),
    ],
)
def test_bucket_capacity_is_the_per_minute_limit(
    pg_url: str, per_minute: int, requests: int, allowed: list[bool]
) -> None:
    engine = make_engine(pg_url)
    try:
        got = [rate_buckets.take(engine, "addr:198.51.100.7", per_minute)[0] for _ in range(requests)]
    finally:
        engine.dispose()
    assert got == allowed


@pytest.mark.postgres
def test_two_server_processes_charge_one_bucket(pg_url: str) -> None:
    a, b = make_engine(pg_url), make_engine(pg_url)  # two processes' engines
    limiter_a, limiter_b = SharedLimiter(), SharedLimiter()
    try:
        results = [
            limiter_a.take("token:7", 3, a),
            limiter_b.take("token:7", 3, b),
            limiter_a.take("token:7", 3, a),
            limiter_b.take("token:7", 3, b),
        ]
        assert [r[0] for r in results] == [True, True, True, False]
        assert [r[1] for r in results[:3]] == [2, 1, 0]
        assert results[3][2] == pytest.approx(20.0, abs=0.5)  # 3 a minute: one token every 20 s
        assert limiter_b.take("token:8", 3, b)[0] is True  # another key: its own bucket
        assert limiter_a.fallbacks == limiter_b.fallbacks == 0
    finally:
        a.dispose()
        b.dispose()


@pytest.mark.postgres
def test_bucket_refills_on_the_database_clock(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        wait = 0.0
        for _ in range(200):
            allowed, _, wait = rate_buckets.take(engine, "addr:x", 60)
            if not allowed:
                break
        else:
            pytest.fail("60 a minute never ran dry")
        time.sleep(wait + 1.1)  # one token a second: the next one, one more, and 0.1 of a third
        got = [rate_buckets.take(engine, "addr:x", 60)[0] for _ in range(3)]
    finally:
        engine.dispose()
    assert got == [True, True, False]


def test_sqlite_keeps_per_process_buckets(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    one, two = SharedLimiter(), SharedLimiter()
    try:
        assert [one.take("k", 1, engine)[0], one.take("k", 1, engine)[0]] == [True, False]
        assert two.take("k", 1, engine)[0] is True  # another process: its own bucket
        with pytest.raises(ValueError, match="PostgreSQL"):
            rate_buckets.take(engine, "k", 1)
    finally:
        engine.dispose()


def test_unreachable_database_limits_per_process() -> None:
    engine = make_engine("postgresql+psycopg2://postgres@127.0.0.1:1/none")
    limiter = SharedLimiter()
    try:
        assert [limiter.take("k", 2, engine)[0] for _ in range(3)] == [True, True, False]
        assert limiter.fallbacks == 3
    finally:
        engine.dispose()
