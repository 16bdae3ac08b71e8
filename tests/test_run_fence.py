"""A run whose lease was lost is fenced (crawler.extensions.RunRecorder).

Rule: when the heartbeat finds the run no longer ``running`` (whatever ended it: the lease sweep,
a shutdown, a finished copy), this copy closes its spider with reason ``lease_lost`` and never
writes the run's end; while the run is still ``running`` the heartbeat renews it and nothing stops.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from scrapy import Spider
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from crawler.extensions import RunRecorder
from crawler.sources import Source
from crawler.store.runs import start_run
from crawler.store.schema import CrawlRun
from crawler.store.session import session_factory
from crawler.store.sources import sync_sources


class _Engine:
    def __init__(self) -> None:
        self.spider = object()
        self.closed: list[str] = []

    def close_spider_async(self, *, reason: str = "cancelled") -> None:
        self.closed.append(reason)  # the real one is a coroutine the reactor runs; here: recorded


class _Crawler:
    def __init__(self) -> None:
        self.engine = _Engine()
        self.settings = Settings()
        self.stats = MemoryStatsCollector(self)  # type: ignore[arg-type]


def _run(db_engine: Any) -> int:
    with session_factory(db_engine)() as session:
        sync_sources(
            session, [Source(id="src-a", name="A", publisher="P", kind="feed", urls=["https://x.eu/f"])]
        )
        run_id = start_run(session, "src-a", slot_start=datetime(2026, 12, 1, 6, tzinfo=UTC))
        session.commit()
    return run_id


def _set_status(db_engine: Any, run_id: int, status: str) -> None:
    with session_factory(db_engine)() as session:
        session.get(CrawlRun, run_id).status = status  # type: ignore[union-attr]
        session.commit()


@pytest.mark.parametrize(
    ("status", "fenced"),
    [("running", False), ("interrupted", True), ("ok", True), ("failed", True), ("skipped", True)],
)
def test_heartbeat_fences_a_run_that_is_not_running(
    db_engine: Any, db_url: str, status: str, fenced: bool
) -> None:
    run_id = _run(db_engine)
    _set_status(db_engine, run_id, status)
    crawler = _Crawler()
    recorder = RunRecorder(crawler, db_url)  # type: ignore[arg-type]
    recorder.run_id = run_id
    recorder._beat()
    assert recorder.fenced is fenced
    assert crawler.engine.closed == (["lease_lost"] if fenced else [])
    assert crawler.stats.get_value("ewsi/fence/lease_lost") == (1 if fenced else None)
    recorder._beat()  # a second beat does not close twice
    assert len(crawler.engine.closed) == (1 if fenced else 0)


def test_a_fenced_copy_does_not_write_the_end_of_the_run(db_engine: Any, db_url: str) -> None:
    run_id = _run(db_engine)
    _set_status(db_engine, run_id, "interrupted")
    recorder = RunRecorder(_Crawler(), db_url)  # type: ignore[arg-type]
    recorder.run_id = run_id
    recorder.started_at = datetime.now(UTC) - timedelta(seconds=5)
    recorder._beat()
    recorder.spider_closed(Spider(name="src-a"), "lease_lost")
    with session_factory(db_engine)() as session:
        run = session.get(CrawlRun, run_id)
        assert run is not None
        assert (run.status, run.finished_at) == ("interrupted", None)
