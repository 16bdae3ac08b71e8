"""Source health saved by the store (crawler.store.runs; the rules are crawler.health's) and the
quarantine of poison pages, on SQLite and PostgreSQL: T12 (garbage where a feed should be, five real
runs), T14 (a page that always kills the extraction worker, three real runs), broken and quiet judged
from the source's own history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.health import QUARANTINE_AFTER
from crawler.store.runs import finish_run, quarantined_urls, record_worker_kill, start_run
from crawler.store.schema import CrawlRun, SourceRow
from crawler.store.sources import sync_sources
from crawler.types import CrawlReport
from tests import test_cases
from tests.desklab import SQLITE_ONLY
from tests.lab import LabServer, Route
from tests.test_cases import LAB_HOST, ROOT, crawl, items, migrate, session, write_config

lab = test_cases.lab  # the loopback lab fixture
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def _report(
    when: datetime,
    status: str = "ok",
    *,
    key: str | None = None,
    new: int = 0,
    items: int = 3,
    undated: int = 0,
) -> CrawlReport:
    quality = {"items": items, "undated": undated, "followed": 0, "empty": 0}
    return CrawlReport(
        source_id="src-a", started_at=when, finished_at=when, status=status, error_key=key,
        items_new=new, items_unchanged=items - new, stats={"quality": quality},
    )  # fmt: skip


def _source() -> Any:
    from crawler.sources import Source

    return Source(id="src-a", name="A", publisher="P", kind="feed", urls=["https://a.example.eu/feed"])


def _run(db_session: Any, report: CrawlReport) -> SourceRow:
    run_id = start_run(db_session, "src-a")
    finish_run(db_session, run_id, report)
    db_session.commit()
    source = db_session.get(SourceRow, "src-a")
    db_session.refresh(source)
    return source


def test_no_items_after_a_delivering_history_is_broken(db_session: Any) -> None:
    sync_sources(db_session, [_source()])
    now = datetime.now(UTC)
    assert _run(db_session, _report(now, "failed", key="parse.no_items", items=0)).state == "failing"
    assert _run(db_session, _report(now, new=3)).state == "healthy"
    source = _run(db_session, _report(now, "failed", key="parse.no_items", items=0))
    assert (source.state, source.consecutive_failures, source.last_error_key) == (
        "broken",
        1,
        "parse.no_items",
    )
    assert source.backoff_until is not None and source.enabled  # retried later, never disabled
    source = _run(db_session, _report(now, "failed", key="fetch.timeout", items=0))
    assert (source.state, source.consecutive_failures) == ("failing", 2)  # a fetch error is not by meaning


def test_a_database_outage_is_not_a_failure_of_the_source(db_session: Any) -> None:
    """T33/T34: a run failed with store.db_error keeps the source's health and sets no back-off,
    so the next slot runs and stores what the failed run could not; the run itself stays failed."""
    sync_sources(db_session, [_source()])
    now = datetime.now(UTC)
    assert _run(db_session, _report(now, new=3)).state == "healthy"
    source = _run(db_session, _report(now, "failed", key="store.db_error", items=1))
    assert (source.state, source.consecutive_failures, source.backoff_until) == ("healthy", 0, None)
    run = db_session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
    assert (run.status, run.error_key) == ("failed", "store.db_error")
    source = _run(db_session, _report(now, "failed", key="fetch.timeout", items=0))
    assert (source.state, source.consecutive_failures) == ("failing", 1)  # the source's own fault counts
    assert source.backoff_until is not None


def test_undated_items_where_the_source_dates_them_fail_as_no_dates(db_session: Any) -> None:
    sync_sources(db_session, [_source()])
    now = datetime.now(UTC)
    source = _run(db_session, _report(now, undated=3, new=3))
    assert source.state == "healthy"  # no dated history yet: nothing to compare with
    assert _run(db_session, _report(now, undated=0)).state == "healthy"
    source = _run(db_session, _report(now, undated=3))
    assert (source.state, source.last_error_key) == ("broken", "parse.no_dates")
    run = db_session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
    assert (run.status, run.error_key) == ("failed", "parse.no_dates")
    assert "3 of 3 items have no date" in run.error


def test_quiet_when_no_new_item_for_much_longer_than_usual(db_session: Any) -> None:
    sync_sources(db_session, [_source()])
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for day in range(4):  # a new item every day
        assert _run(db_session, _report(start + timedelta(days=day), new=1)).state == "healthy"
    assert _run(db_session, _report(start + timedelta(days=5))).state == "healthy"  # 2 days: usual enough
    source = _run(db_session, _report(start + timedelta(days=7)))
    assert source.state == "quiet"  # 4 days > 3 x the 1-day gap
    assert source.last_new_item_at == start + timedelta(days=3)
    assert _run(db_session, _report(start + timedelta(days=8), new=1)).state == "healthy"


def test_quarantine_counts_kills_and_expires(db_session: Any) -> None:
    now = datetime(2025, 5, 1, tzinfo=UTC)
    url = "https://a.example.eu/poison"
    assert record_worker_kill(db_session, url, "src-a", "memory", now=now) is False
    assert quarantined_urls(db_session, now=now) == set()
    assert record_worker_kill(db_session, url, "src-a", "timeout", now=now + timedelta(days=1)) is True
    assert QUARANTINE_AFTER == 2
    assert quarantined_urls(db_session, "src-a", now=now + timedelta(days=7)) == {url}
    assert quarantined_urls(db_session, "src-b", now=now + timedelta(days=7)) == set()
    assert quarantined_urls(db_session, now=now + timedelta(days=8, seconds=1)) == set()  # expired
    # a kill after expiry starts the count afresh
    assert record_worker_kill(db_session, url, "src-a", "memory", now=now + timedelta(days=9)) is False


# --- real crawls ---------------------------------------------------------------------------------


def _status(db_url: str, config: Path) -> list[dict[str, Any]]:
    env = {**os.environ, "EWSI_DATABASE_URL": db_url, "EWSI_ALLOW_PRIVATE": LAB_HOST}
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "sources", "status", "--json", "--config", str(config)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return [r for r in rows if "id" in r]


def _source_row(db_url: str, source_id: str) -> SourceRow:
    with session(db_url) as s:
        row = s.get(SourceRow, source_id)
        s.expunge_all()
        return row


VALID_FEED = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Office</title>
<item><title>Integration fund call opens</title><link>https://office.example.eu/n/1</link>
<pubDate>Mon, 03 Mar 2025 09:00:00 +0100</pubDate><description>Applications until May.</description></item>
<item><title>New guide on recognition of diplomas</title><link>https://office.example.eu/n/2</link>
<pubDate>Tue, 04 Mar 2025 09:00:00 +0100</pubDate><description>In twelve languages.</description></item>
</channel></rss>"""


@pytest.mark.slow
@SQLITE_ONLY
def test_t12_garbage_where_a_feed_should_be(db_url: str, tmp_path: Path, lab: LabServer) -> None:
    login = (
        b"<!doctype html><html><head><title>Sign in</title></head><body><form><input></form></body></html>"
    )
    truncated = VALID_FEED[: VALID_FEED.index(b"<item>") + 30]  # cut inside the first entry
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    bodies = [login, b"", truncated, png, VALID_FEED]
    lab.routes["/feed.xml"] = Route(body=bodies, headers=RSS)
    config = write_config(tmp_path, [{"id": "t12", "kind": "feed", "urls": [lab.url("/feed.xml")]}])
    migrate(db_url)
    backoffs = []
    for run in range(1, 6):
        crawl(db_url, config)
        source = _source_row(db_url, "t12")
        if run < 5:
            assert source.consecutive_failures == run
            assert source.state == "failing"
            want = "parse.feed_malformed" if run == 3 else "parse.not_a_feed"  # only run 3 serves a feed
            assert source.last_error_key == want, (run, source.last_error_key)
            backoffs.append(source.backoff_until - source.last_run_at)
        else:
            assert (source.consecutive_failures, source.state, source.backoff_until) == (0, "healthy", None)
    assert backoffs == sorted(backoffs) and backoffs[0] < backoffs[-1]  # polled at a slower pace
    assert len(items(db_url, "t12")) == 2
    statuses = {r["id"]: r for r in _status(db_url, config)}
    assert statuses["t12"]["state"] == "healthy"


def _table_page(rows: int = 20_000, cols: int = 50) -> bytes:
    row = "<tr>" + "".join(f"<td>cell {i}</td>" for i in range(cols)) + "</tr>"
    return f"<html><head><title>Stats</title></head><body><table>{row * rows}</table></body></html>".encode()


@pytest.mark.heavy
@pytest.mark.slow
@SQLITE_ONLY
def test_t14_poison_page_is_quarantined_and_skipped(db_url: str, tmp_path: Path, lab: LabServer) -> None:
    article = (
        "<html><head><title>Mentoring for migrant women</title></head><body><article><p>"
        + "A mentoring programme pairs migrant women with local professionals. " * 20
        + "</p></article></body></html>"
    ).encode()
    # each entry its own time: one time on every entry would be the feed's build time (spiders.feeddates)
    date = "<pubDate>Mon, 03 Mar 2025 09:{:02d}:00 +0100</pubDate>"
    entries = [f"<item><title>Statistics</title><link>{lab.base}/poison</link>{date.format(9)}</item>"]
    feeds = []
    for run in range(3):  # each run the feed brings one more ordinary page
        entries.append(
            f"<item><title>Mentoring {run}</title><link>{lab.base}/good{run}</link>{date.format(run)}</item>"
        )
        feeds.append(f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{"".join(entries)}'
                     "</channel></rss>")  # fmt: skip
    html = {"Content-Type": "text/html; charset=utf-8"}
    lab.routes["/feed.xml"] = Route(body=[f.encode() for f in feeds], headers=RSS)
    lab.routes["/poison"] = Route(body=_table_page(), headers=html)
    for run in range(3):
        lab.routes[f"/good{run}"] = Route(
            body=article.replace(b"</title>", b" %d</title>" % run), headers=html
        )
    config = write_config(
        tmp_path, [{"id": "t14", "kind": "feed", "urls": [lab.url("/feed.xml")], "follow": True}]
    )
    migrate(db_url)
    env = {"EWSI_WORKER_MEMORY_MB": "320"}  # the table needs ~410 MB: this worker cannot survive it
    crawl(db_url, config, env=env)
    rows = {r.url.rsplit("/", 1)[-1]: r for r in items(db_url, "t14")}
    assert set(rows) == {"poison", "good0"}
    assert "extract.memory" in rows["poison"].flags and rows["poison"].title == "Statistics"
    assert "A mentoring programme" in rows["good0"].text
    with session(db_url) as s:
        assert quarantined_urls(s, "t14") == {lab.url("/poison")}
    for _ in range(2):
        crawl(db_url, config, env=env)
        with session(db_url) as s:
            run = s.scalars(
                select(CrawlRun).where(CrawlRun.source_id == "t14").order_by(CrawlRun.id.desc())
            ).first()
            assert run.status == "ok" and run.dropped.get("quarantined") == 1 and run.items_new == 1, (
                run.status,
                run.error_key,
                run.error,
                run.dropped,
                run.items_new,
            )
    assert {r["id"]: r["quarantined"] for r in _status(db_url, config)}["t14"] == 1
    cleared = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "sources", "unquarantine", lab.url("/poison")],
        cwd=ROOT, env={**os.environ, "EWSI_DATABASE_URL": db_url}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert cleared.returncode == 0 and "1 quarantine entry cleared" in cleared.stdout
    with session(db_url) as s:
        assert quarantined_urls(s) == set()
