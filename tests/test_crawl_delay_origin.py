"""A robots.txt Crawl-delay belongs to its origin, and a stop does not wait for it
(crawler.fetch.politeness, rules of scope and shutdown; crawler.runner.ShutdownGuard).

Rule under test, on a loopback lab of two ports of one host name (127.0.0.2): port A's robots.txt
asks ``Crawl-delay: 3600`` (capped at AUTOTHROTTLE_MAX_DELAY, 60 s), port B has none (404). The
sources on port B finish while port A's source waits its Crawl-delay; a SIGTERM during that wait
ends the crawl within seconds, exit 130: the waiting requests are not in flight and are dropped;
the waiting source's run is ``interrupted`` without a failure counted, port B's run is ok.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.store.schema import CrawlRun, SourceRow
from tests.lab import LabServer, Route
from tests.test_cases import LAB_HOST, ROOT, migrate, session, write_config

pytestmark = pytest.mark.slow

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _page(title: str) -> bytes:
    text = " ".join(["Integration courses for refugees open in spring in every district."] * 6)
    head = f"<html><head><title>{title}</title></head>"
    return f"{head}<body><h1>{title}</h1><p>{text}</p></body></html>".encode()


def _sitemap(lab: LabServer, paths: list[str]) -> Route:
    locs = "".join(f"<url><loc>{lab.url(p)}</loc><lastmod>2026-12-01</lastmod></url>" for p in paths)
    body = f'<?xml version="1.0"?><urlset {NS}>{locs}</urlset>'.encode()
    return Route(body, headers={"Content-Type": "application/xml"})


def _closed(db_url: str, source_id: str) -> bool:
    """The source's run is recorded as closed (any status but ``running``)."""
    with session(db_url) as s:
        statuses = s.scalars(select(CrawlRun.status).where(CrawlRun.source_id == source_id)).all()
    return any(status != "running" for status in statuses)


def test_a_crawl_delay_on_one_port_neither_stalls_the_other_nor_the_stop(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    log = tmp_path / "crawl.log"
    html = {"Content-Type": "text/html; charset=utf-8"}
    with LabServer(LAB_HOST) as slow, LabServer(LAB_HOST) as fast:
        slow_pages = [f"/slow/{i}.html" for i in range(3)]
        fast_pages = [f"/fast/{i}.html" for i in range(3)]
        slow.routes["/robots.txt"] = Route(b"User-agent: *\nCrawl-delay: 3600\nDisallow: /nothing\n")
        slow.routes["/sm.xml"] = _sitemap(slow, slow_pages)
        fast.routes["/sm.xml"] = _sitemap(fast, fast_pages)
        for lab, pages in ((slow, slow_pages), (fast, fast_pages)):
            for n, path in enumerate(pages):
                lab.routes[path] = Route(_page(f"Language course {n} {lab.port}"), headers=html)
        config = write_config(
            tmp_path,
            [
                {"id": "slow", "kind": "sitemap", "urls": [slow.url("/sm.xml")], "follow": True},
                {"id": "fast", "kind": "sitemap", "urls": [fast.url("/sm.xml")], "follow": True},
            ],
        )
        args = [sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config), "--log-file", str(log)]
        env = {
            **os.environ,
            "EWSI_DATABASE_URL": db_url,
            "EWSI_ALLOW_PRIVATE": LAB_HOST,
            "EWSI_CLASSIFIER_MODEL": "",
        }
        child = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        deadline = time.monotonic() + 100
        while time.monotonic() < deadline and child.poll() is None and not _closed(db_url, "fast"):
            time.sleep(0.2)
        assert child.poll() is None, "the crawl ended before the slow origin's delay"
        fast_done = all(p in fast.paths() for p in fast_pages)
        slow_asked = [p for p in slow.paths() if p.startswith("/slow/")]
        child.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        out, _ = child.communicate(timeout=120)
        stop_took = time.monotonic() - signalled
        slow_asked_in_all = [p for p in slow.paths() if p.startswith("/slow/")]
    assert fast_done, (fast.paths(), out)
    assert len(slow_asked) <= 1, slow_asked  # one page, then the 60 s Crawl-delay (capped from 3600)
    assert child.returncode == 130, out
    assert stop_took < 20, (stop_took, out)
    assert slow_asked_in_all == slow_asked  # nothing waiting was sent after the signal
    with session(db_url) as s:
        runs = {r.source_id: (r.status, r.error_key) for r in s.scalars(select(CrawlRun))}
        health = {r.id: (r.state, r.consecutive_failures) for r in s.scalars(select(SourceRow))}
    assert runs["fast"] == ("ok", None), (runs, out)
    assert runs["slow"] == ("interrupted", "crawl.interrupted"), (runs, out)
    assert health["slow"] == ("new", 0)
    crawl_log = log.read_text(encoding="utf-8", errors="replace")
    assert "asks Crawl-delay 3600 s: capped at 60 s" in crawl_log
