"""Followed pages refused because their host was paused, and the pause `ewsi sources status` shows
(crawler.health rule 6, crawler.store.pauses).

Rules under test: an error ``fetch.host_paused`` never counts toward a source's failure, on its own
URLs or on the pages it follows (a sitemap's or listing's articles): a run that yielded items is ok
with a warning naming the refused pages, one that yielded nothing is ``skipped``; other page errors
still fail a run when `MIN_FAILED_PAGES` of them failed and none was read. The host's pause shown is
the closure's end (its Retry-After), never a source's back-off.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crawler import health

NOW = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
PAUSED = "fetch.host_paused"


@pytest.mark.parametrize(
    ("errors", "pages", "yielded", "read", "status", "key"),
    [
        # a sitemap whose 3 followed pages were all refused for the pause: items kept, ok with a warning
        ({}, {PAUSED: 3}, 3, 0, "ok", None),
        ({}, {PAUSED: 1}, 1, 0, "ok", None),
        ({}, {PAUSED: 20}, 20, 0, "ok", None),
        # some pages read, the rest refused for the pause
        ({}, {PAUSED: 2}, 3, 1, "ok", None),
        # a child sitemap refused for the pause, nothing yielded: skipped
        ({PAUSED: 1}, {}, 0, 0, "skipped", PAUSED),
        ({}, {PAUSED: 3}, 0, 0, "skipped", PAUSED),
        # a child sitemap refused, another delivered: ok, the pause named as a warning key
        ({PAUSED: 1}, {PAUSED: 2}, 2, 0, "ok", PAUSED),
        # real page failures still fail the run; paused pages do not make up the count
        ({}, {"fetch.http_404": 3}, 3, 0, "failed", "fetch.http_404"),
        ({}, {"fetch.http_404": 3, PAUSED: 5}, 8, 0, "failed", "fetch.http_404"),
        ({}, {"fetch.http_404": 2, PAUSED: 5}, 7, 0, "ok", None),
        ({}, {"fetch.http_404": 1, PAUSED: 2}, 3, 0, "ok", None),
        # a page error besides the pause, nothing yielded: failed with the source's own error
        ({"fetch.timeout": 1}, {PAUSED: 3}, 0, 0, "failed", "fetch.timeout"),
    ],
)
def test_pages_refused_for_a_paused_host_are_not_a_failure(
    errors: dict[str, int], pages: dict[str, int], yielded: int, read: int, status: str, key: str | None
) -> None:
    stats: dict[str, Any] = {f"ewsi/errors/{k}": v for k, v in errors.items()}
    stats |= {f"ewsi/page_errors/{k}": v for k, v in pages.items()}
    stats |= {"ewsi/items/yielded": yielded, "ewsi/items/new_unread": sum(pages.values())}
    if read:
        stats["ewsi/extract/trafilatura"] = read
    report = health.build_report("s", stats, NOW, "finished", now=NOW)
    assert (report.status, report.error_key) == (status, key)
    if status == "ok" and pages.get(PAUSED) and not errors:
        failed = sum(pages.values())
        assert report.error is not None and report.error.startswith(
            f"warning: {failed} of {failed + read} followed pages failed"
        )
    judged = health.judge_by_meaning(report.status, report.error_key, report.stats, [])
    after = health.after_run(
        health.SourceHealth(state="healthy"), judged, when=NOW, items_new=yielded, error=report.error
    )
    assert after is not None
    expected_failures = 1 if status == "failed" else 0
    assert after.consecutive_failures == expected_failures
    assert after.state == ("failing" if status == "failed" else "healthy")


def test_a_sources_back_off_is_not_the_hosts_pause(db_session: Any) -> None:
    """A source failed during the pause backs off 30 minutes; the host's pause (2 minutes) is what
    status shows, and once it ended no pause is shown at all, whatever the sources' back-offs."""
    from crawler.store import host_closures
    from crawler.store.pauses import host_pauses
    from crawler.store.schema import HostBudgetRow, SourceRow

    now = datetime.now(UTC)
    db_session.add(
        SourceRow(id="sm", backoff_until=now + timedelta(minutes=29), last_error_key=PAUSED, state="failing")
    )
    db_session.add(
        SourceRow(id="feed429", backoff_until=now + timedelta(minutes=30), last_error_key="fetch.http_429")
    )
    host_closures.save(db_session, [("one.test", now + timedelta(minutes=2), "fetch.http_429")])
    db_session.commit()
    urls = {"sm": ["http://one.test/sitemap.xml"], "feed429": ["http://one.test/feed.xml"]}
    [pause] = host_pauses(db_session, urls)
    until = datetime.fromisoformat(pause["until"].replace("Z", "+00:00"))
    assert pause["host"] == "one.test" and pause["sources"] == ["feed429", "sm"]
    assert 60 <= (until - now).total_seconds() <= 121
    # the closure over: no pause shown, though both sources still back off
    row = db_session.get(HostBudgetRow, "one.test")
    row.closed_until = now - timedelta(seconds=1)
    db_session.commit()
    assert host_pauses(db_session, urls) == []


@pytest.mark.slow
def test_a_sitemap_whose_pages_meet_the_pause_is_not_failed(tmp_path: Any, db_url: str) -> None:
    """Every page of a sitemap answers 429 with a long Retry-After: the first one asked fails with
    ``fetch.http_429`` and closes the host, the others are refused ``fetch.host_paused``; the run is
    ok with a warning (its items kept without text), the source healthy, no failure counted."""
    from collections import Counter

    from tests.fetchlab import crawl, migrate
    from tests.lab import LabServer, Route

    migrate(db_url)
    pages = [f"/busy{i}" for i in range(4)]
    with LabServer("127.0.0.2") as pub:
        base = f"http://one.test:{pub.port}"
        locs = "".join(f"<url><loc>{base}{p}</loc><lastmod>2026-12-01</lastmod></url>" for p in pages)
        body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
        pub.routes["/sm.xml"] = Route(body.encode(), headers={"Content-Type": "application/xml"})
        for path in pages:
            pub.routes[path] = Route(b"slow down", status=429, headers={"Retry-After": "600"})
        result = crawl(
            tmp_path,
            db_url,
            [{"id": "sm", "kind": "sitemap", "urls": [f"{base}/sm.xml"], "follow": True}],
            dns={"one.test": [["127.0.0.2"]]},
            overrides={"CONCURRENT_REQUESTS_PER_DOMAIN": 1, "CONCURRENT_REQUESTS": 1},
            timeout=120,
        )
        asked = Counter(h.path for h in pub.hits)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sum(asked[p] for p in pages) == 1  # one 429, then the host is left alone
    run = result.run("sm")
    assert run["stats"]["page_errors"] == {"fetch.http_429": 1, PAUSED: 3}, run["stats"]["page_errors"]
    assert run["status"] == "ok", run
    assert run["source_state"] == "healthy" and run["source_error_key"] is None, run
