"""crawler.store.runs on SQLite and PostgreSQL: run rows, slot claims, heartbeat leases and the
source health they save (the rules themselves: tests/test_health.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text, update

from crawler.store.runs import SlotTaken, finish_run, heartbeat, mark_interrupted, start_run
from crawler.store.schema import CrawlRun, SourceRow
from crawler.store.sources import sync_sources
from tests.storedata import report, source


def test_finish_run_health_transitions(db_session):
    sync_sources(db_session, [source()])
    states = []
    for _ in range(3):
        run_id = start_run(db_session, "src-a")
        finish_run(db_session, run_id, report("failed", error_key="fetch.timeout"))
        db_session.commit()
        src = db_session.get(SourceRow, "src-a")
        delay = src.backoff_until - src.last_run_at
        states.append((src.state, src.consecutive_failures, round(delay.total_seconds() / 60)))
    assert states == [("failing", 1, 30), ("failing", 2, 60), ("failing", 3, 120)]
    assert (src.last_error_key, src.last_error, src.last_success_at) == ("fetch.timeout", "boom", None)
    run = db_session.get(CrawlRun, run_id)
    assert (run.status, run.items_dropped, run.dropped) == ("failed", 3, {"duplicate": 2, "too_old": 1})
    assert run.stats["text"] == "\ufffd" and run.stats["when"].endswith("Z")

    run_id = start_run(db_session, "src-a")
    finish_run(db_session, run_id, report("ok", items_new=0))
    db_session.commit()
    src = db_session.get(SourceRow, "src-a")
    assert (src.state, src.consecutive_failures) == ("healthy", 0)
    assert src.backoff_until is None and src.last_error_key is None
    assert src.last_success_at is not None and src.last_new_item_at is None
    run_id = start_run(db_session, "src-a")
    finish_run(db_session, run_id, report("ok", items_new=2))
    db_session.commit()
    assert db_session.get(SourceRow, "src-a").last_new_item_at is not None


def test_slot_claim_is_unique(db_session):
    slot = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
    first = start_run(db_session, "src-a", slot_start=slot)
    with pytest.raises(SlotTaken):
        start_run(db_session, "src-a", slot_start=slot)
    assert start_run(db_session, "src-b", slot_start=slot) != first
    assert start_run(db_session, "src-a") != start_run(db_session, "src-a")  # NULL slots never collide
    db_session.commit()
    assert db_session.scalar(text("SELECT count(*) FROM crawl_runs")) == 4


def test_mark_interrupted_uses_the_heartbeat_lease(db_session):
    stale = start_run(db_session, "src-a", pid=4242)
    fresh = start_run(db_session, "src-a")
    db_session.execute(
        update(CrawlRun)
        .where(CrawlRun.id == stale)
        .values(heartbeat_at=datetime.now(UTC) - timedelta(hours=1))
    )
    assert heartbeat(db_session, fresh) is True
    assert mark_interrupted(db_session, timedelta(minutes=10)) == [stale]
    assert mark_interrupted(db_session, timedelta(minutes=10)) == []
    db_session.commit()
    run = db_session.get(CrawlRun, stale)
    assert (run.status, run.error_key, run.pid) == ("interrupted", "crawl.crashed", 4242)
    assert db_session.get(CrawlRun, fresh).status == "running"
    assert heartbeat(db_session, stale) is False
    src = db_session.get(SourceRow, "src-a")
    assert (src.state, src.consecutive_failures, src.last_error_key) == ("failing", 1, "crawl.crashed")
