"""A host that asked for a long pause (crawler.health rule 6, crawler.fetch.retry, host_budget).

Rules under test: a Retry-After is capped at a day (`RETRY_AFTER_CAP_S`) however it is written; a
request refused because its host is paused gets ``fetch.host_paused``, and a run with only that
error is ``skipped``: its source keeps its state and failure count and waits until the host reopens,
while the source that got the 429 fails with ``fetch.http_429``; on PostgreSQL no closure reaches
past a day, a row written before the cap (year 9999) is cut back to a day after it was written, and
`ewsi sources status` and `check` name the paused host, until when and why; the next run within
the pause sends the host nothing, on every back end (crawler.store.host_closures where no shared
budget keeps the closure).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from crawler import health
from crawler.fetch.retry import RETRY_AFTER_CAP_S, retry_after_seconds
from tests.fetchlab import crawl, migrate
from tests.lab import LabServer, Route

NOW = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
DAY = 86_400.0


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("600", 600.0),
        ("86400", DAY),
        ("86401", DAY),
        ("99999999", DAY),
        ("999999999999999999999999", DAY),
        ("0000000000000000000005", 5.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", DAY),
        ("Mon, 07 Dec 2026 01:00:00 GMT", 3600.0),
        ("Tue, 08 Dec 2026 00:00:01 GMT", DAY),
        ("Sun, 06 Dec 2026 00:00:00 GMT", 0.0),
        ("-1", None),
    ],
)
def test_retry_after_is_capped_at_a_day(value: str, seconds: float | None) -> None:
    assert RETRY_AFTER_CAP_S == DAY
    assert retry_after_seconds(value, NOW) == seconds


STATS_AT = "2026-12-07T00:10:00Z"


@pytest.mark.parametrize(
    ("errors", "yielded", "status", "key"),
    [
        ({"fetch.host_paused": 1}, 0, "skipped", "fetch.host_paused"),
        ({"fetch.host_paused": 3}, 0, "skipped", "fetch.host_paused"),
        ({"fetch.http_429": 1}, 0, "failed", "fetch.http_429"),
        ({"fetch.host_paused": 3, "fetch.http_429": 1}, 0, "failed", "fetch.http_429"),
        ({"fetch.host_paused": 2, "fetch.timeout": 1}, 0, "failed", "fetch.timeout"),
        ({"fetch.host_paused": 1}, 4, "ok", "fetch.host_paused"),
    ],
)
def test_a_run_refused_only_for_a_paused_host_is_skipped(
    errors: dict[str, int], yielded: int, status: str, key: str
) -> None:
    stats: dict[str, Any] = {f"ewsi/errors/{k}": v for k, v in errors.items()}
    stats |= {"ewsi/items/yielded": yielded, "ewsi/host_paused_until": STATS_AT}
    report = health.build_report("s", stats, NOW, "finished", now=NOW)
    assert (report.status, report.error_key) == (status, key)
    assert health.not_before(report.stats) == datetime(2026, 12, 7, 0, 10, tzinfo=UTC)


PAUSED = datetime(2026, 12, 7, 0, 10, tzinfo=UTC)
LATE = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "status", "key", "paused_until", "state", "failures", "backoff"),
    [
        # skipped for a pause: state and failures kept, back-off until the host reopens
        (health.SourceHealth(), "skipped", "fetch.host_paused", PAUSED, "new", 0, PAUSED),
        (health.SourceHealth(state="healthy"), "skipped", "fetch.host_paused", PAUSED, "healthy", 0, PAUSED),
        (
            health.SourceHealth(state="failing", consecutive_failures=2, backoff_until=LATE),
            "skipped",
            "fetch.host_paused",
            PAUSED,
            "failing",
            2,
            LATE,
        ),
        # no reopening time known: the base back-off step, nothing counted
        (
            health.SourceHealth(state="healthy"),
            "skipped",
            "fetch.host_paused",
            None,
            "healthy",
            0,
            NOW + health.BACKOFF_BASE,
        ),
        # the source that got the 429 fails, and is not asked before the host reopens
        (health.SourceHealth(state="healthy"), "failed", "fetch.http_429", LATE, "failing", 1, LATE),
        (
            health.SourceHealth(state="healthy"),
            "failed",
            "fetch.http_429",
            PAUSED,
            "failing",
            1,
            NOW + health.backoff_delay(1),
        ),
    ],
)
def test_health_after_a_paused_host(
    before: health.SourceHealth,
    status: str,
    key: str,
    paused_until: datetime | None,
    state: str,
    failures: int,
    backoff: datetime,
) -> None:
    judged = health.Judgement(status, key, None, False)
    after = health.after_run(before, judged, when=NOW, items_new=0, paused_until=paused_until)
    assert after is not None
    assert (after.state, after.consecutive_failures, after.backoff_until, after.last_error_key) == (
        state,
        failures,
        backoff,
        key,
    )


# -- the crawl: one host, one source answered 429, three others on the same host -------------------


def _feed(base: str, prefix: str) -> bytes:
    items = "".join(
        f"<item><title>{prefix} news {i}</title><link>{base}/{prefix}/{i}</link>"
        f"<guid>{prefix}-{i}</guid></item>"
        for i in range(2)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
    return f"{head}{items}</channel></rss>".encode()


RETRY_AFTERS = [
    ("600", 600.0),
    ("99999999", DAY),
    ("Fri, 31 Dec 9999 23:59:59 GMT", DAY),
]


def _paused_crawl(tmp_path: Path, db_url: str, retry_after: str) -> tuple[Any, datetime, dict[str, str]]:
    migrate(db_url)
    rss = {"Content-Type": "application/rss+xml"}
    with LabServer("127.0.0.2") as pub:
        base = f"http://one.test:{pub.port}"
        pub.routes.update({f"/{n}.xml": Route(_feed(base, n), headers=rss) for n in ("g1", "g2", "g3")})
        pub.routes["/busy"] = Route(b"slow down", status=429, headers={"Retry-After": retry_after})
        # the 429 source first, one request at a time: the others meet a closed host
        sources = [
            {"id": "bad429", "kind": "feed", "urls": [f"{base}/busy"]},
            *({"id": f"good{i}", "kind": "feed", "urls": [f"{base}/g{i}.xml"]} for i in (1, 2, 3)),
        ]
        started = datetime.now(UTC)
        result = crawl(
            tmp_path,
            db_url,
            sources,
            dns={"one.test": [["127.0.0.2"]]},
            overrides={"CONCURRENT_REQUESTS_PER_DOMAIN": 1, "CONCURRENT_REQUESTS": 1},
            timeout=120,
        )
        asked = Counter(h.path for h in pub.hits)
    assert result.returncode == 0, result.stderr[-3000:]
    assert asked["/busy"] == 1
    return result, started, {sid: result.run(sid)["status"] for sid in ("bad429", "good1", "good2", "good3")}


@pytest.mark.slow
@pytest.mark.parametrize(("retry_after", "seconds"), RETRY_AFTERS)
def test_one_429_pauses_the_host_without_failing_the_others(
    tmp_path: Path, db_url: str, retry_after: str, seconds: float
) -> None:
    result, started, statuses = _paused_crawl(tmp_path, db_url, retry_after)
    assert statuses["bad429"] == "failed" and result.run("bad429")["error_key"] == "fetch.http_429"
    skipped = [sid for sid in ("good1", "good2", "good3") if statuses[sid] == "skipped"]
    assert skipped, statuses  # the crawl's order puts some good source after the 429
    for sid in ("good1", "good2", "good3"):
        run = result.run(sid)
        if run["status"] == "ok":
            assert len(result.items_of(sid)) == 2
            continue
        assert run["status"] == "skipped" and run["error_key"] == "fetch.host_paused", run
        assert run["source_state"] == "new" and run["source_error_key"] == "fetch.host_paused"
        until = datetime.fromisoformat(run["stats"]["ewsi/host_paused_until"].replace("Z", "+00:00"))
        assert seconds - 5 <= (until - started).total_seconds() <= seconds + result.wall_s + 5
    # status names the paused host, until when and why
    env = {**os.environ, "EWSI_DATABASE_URL": db_url}
    config = tmp_path / "sources.yaml"
    out = _ewsi(["sources", "status", "--config", str(config), "--json"], env)
    pauses = [line["host_paused"] for line in map(json.loads, out.splitlines()) if "host_paused" in line]
    assert [(p["host"], p["key"]) for p in pauses] == [("one.test", "fetch.http_429")]
    reopens = datetime.fromisoformat(pauses[0]["until"].replace("Z", "+00:00"))
    assert seconds - 5 <= (reopens - started).total_seconds() <= seconds + result.wall_s + 5
    assert set(skipped) <= set(pauses[0]["sources"])
    text_out = _ewsi(["sources", "status", "--config", str(config)], env)
    assert "host paused until" in text_out and "one.test answered with fetch.http_429" in text_out


@pytest.mark.slow
def test_the_next_run_leaves_a_paused_host_alone(tmp_path: Path, db_url: str) -> None:
    """A second `ewsi crawl` within the pause sends nothing to the host, on every back end: the
    closure is kept in the store (PostgreSQL: the shared budget; SQLite: crawler.store.host_closures)."""
    migrate(db_url)
    rss = {"Content-Type": "application/rss+xml"}
    with LabServer("127.0.0.2") as pub:
        base = f"http://one.test:{pub.port}"
        pub.routes.update({f"/{n}.xml": Route(_feed(base, n), headers=rss) for n in ("g1", "g2")})
        pub.routes["/busy"] = Route(b"slow down", status=429, headers={"Retry-After": "600"})
        sources = [
            {"id": "bad429", "kind": "feed", "urls": [f"{base}/busy"]},
            *({"id": f"good{i}", "kind": "feed", "urls": [f"{base}/g{i}.xml"]} for i in (1, 2)),
        ]
        options: dict[str, Any] = {
            "dns": {"one.test": [["127.0.0.2"]]},
            "overrides": {"CONCURRENT_REQUESTS_PER_DOMAIN": 1, "CONCURRENT_REQUESTS": 1},
            "timeout": 120,
        }
        first = crawl(tmp_path, db_url, sources, **options)
        assert first.returncode == 0, first.stderr[-3000:]
        assert first.run("bad429")["error_key"] == "fetch.http_429"
        asked_before = len(pub.hits)
        second = crawl(tmp_path, db_url, sources, **options)
        assert second.returncode == 0, second.stderr[-3000:]
        assert [h.path for h in pub.hits[asked_before:]] == []
    for sid in ("bad429", "good1", "good2"):
        run = second.run(sid)
        assert (run["status"], run["error_key"]) == ("skipped", "fetch.host_paused"), (sid, run)


def _closures_now(session: Any) -> list[tuple[str, float, str]]:
    from crawler.store import host_closures

    now = datetime.now(UTC)
    return [(h, round((u - now).total_seconds() / 60), k) for h, u, k in host_closures.load(session)]


@pytest.mark.parametrize(
    ("writes", "expected"),
    [
        # minutes from now; the later of two closures of a host wins, a past one is left out
        ([("one.test", 10, "fetch.http_429")], [("one.test", 10, "fetch.http_429")]),
        ([("One.Test.", 10, "fetch.http_503")], [("one.test", 10, "fetch.http_503")]),
        (
            [("one.test", 30, "fetch.http_429"), ("one.test", 10, "fetch.http_429")],
            [("one.test", 30, "fetch.http_429")],
        ),
        ([("one.test", -5, "fetch.http_429")], []),
        ([("", 10, "fetch.http_429")], []),
        # capped at a day however far the answer asked
        ([("one.test", 60 * 24 * 365, "fetch.http_429")], [("one.test", 60 * 24, "fetch.http_429")]),
        (
            [("b.test", 20, "fetch.http_429"), ("a.test", 5, "fetch.http_429")],
            [("a.test", 5, "fetch.http_429"), ("b.test", 20, "fetch.http_429")],
        ),
    ],
)
def test_host_closures_kept_between_runs(
    db_session: Any, writes: list[tuple[str, int, str]], expected: list[tuple[str, int, str]]
) -> None:
    from crawler.store import host_closures

    now = datetime.now(UTC)
    for host, minutes, key in writes:
        host_closures.save(db_session, [(host, now + timedelta(minutes=minutes), key)])
    db_session.commit()
    assert _closures_now(db_session) == expected


def test_a_closure_written_over_a_day_ago_is_over(db_session: Any) -> None:
    from crawler.store import host_closures
    from crawler.store.schema import HostBudgetRow

    now = datetime.now(UTC)
    host_closures.save(db_session, [("one.test", now + timedelta(hours=2), "fetch.http_429")])
    row = db_session.get(HostBudgetRow, "one.test")
    row.closed_until, row.updated_at = datetime(9999, 12, 31, tzinfo=UTC), now - timedelta(hours=25)
    db_session.commit()
    assert _closures_now(db_session) == []
    row.updated_at = now - timedelta(hours=23)
    db_session.commit()
    assert _closures_now(db_session) == [("one.test", 60, "fetch.http_429")]


def _ewsi(args: list[str], env: dict[str, str]) -> str:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=root,
        env={**env, "PYTHONPATH": str(root), "COLUMNS": "250"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


# -- PostgreSQL: the shared closure is capped, and an old uncapped row is cut back ----------------


@pytest.fixture
def pg_engine() -> Any:
    from conftest import ADMIN_URL, _postgres_url

    from crawler.store.migrate import upgrade
    from crawler.store.session import make_engine

    for url in _postgres_url(os.environ.get("EWSI_TEST_POSTGRES_URL") or ADMIN_URL):
        upgrade(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(("seconds", "expected"), [(600.0, 600.0), (99_999_999.0, DAY), (1e12, DAY)])
def test_a_shared_closure_lasts_at_most_a_day(pg_engine: Any, seconds: float, expected: float) -> None:
    from crawler.errors import HostClosed
    from crawler.store import host_budget as store

    with pg_engine.begin() as conn:
        store.close(conn, "one.test", seconds, "fetch.http_429")
    with pg_engine.begin() as conn:
        [(host, until, key)] = store.closures(conn)
    left = (until - datetime.now(UTC)).total_seconds()
    assert (host, key) == ("one.test", "fetch.http_429") and expected - 5 <= left <= expected
    with pytest.raises(HostClosed), pg_engine.begin() as conn:
        store.reserve(conn, "one.test", 0.0)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("written_ago_h", "closed_until", "open_now"),
    [
        (1, "9999-12-31 23:59:59", False),  # closed a day after it was written: 23 h left
        (25, "9999-12-31 23:59:59", True),  # written over a day ago: open again
        (25, "2030-01-01 00:00:00", True),
    ],
)
def test_an_uncapped_row_is_cut_back_to_a_day(
    pg_engine: Any, written_ago_h: int, closed_until: str, open_now: bool
) -> None:
    from crawler.errors import HostClosed
    from crawler.store import host_budget as store

    with pg_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO host_budgets (host, next_at, crawl_delay, closed_until, closed_key, held_until,"
                " updated_at) VALUES ('one.test', :until, 0, :until, 'fetch.http_429', :until,"
                " now() - make_interval(hours => :ago))"
            ),
            {"until": closed_until, "ago": written_ago_h},
        )
    with pg_engine.begin() as conn:
        listed = store.closures(conn)
    if open_now:
        assert listed == []
        with pg_engine.begin() as conn:
            assert store.reserve(conn, "one.test", 0.0).wait == 0.0
        return
    [(_, until, _)] = listed
    left = (until - datetime.now(UTC)) / timedelta(hours=1)
    assert 22.9 <= left <= 23.0
    with pytest.raises(HostClosed) as raised, pg_engine.begin() as conn:
        store.reserve(conn, "one.test", 0.0)
    reopens = raised.value.until if raised.value.until.tzinfo else raised.value.until.replace(tzinfo=UTC)
    assert 22.9 <= (reopens - datetime.now(UTC)) / timedelta(hours=1) <= 23.0
