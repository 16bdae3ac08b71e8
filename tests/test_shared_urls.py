"""Two sources reaching one URL: each counts its own entries, and a permanent move is reported.

Rule under test (crawler.store.http_cache, crawler.fetch.conditional_get, spiders.base
`note_chain`): validators belong to the source that read the answer, so a source whose start URL
redirects to another source's URL, configures the same URL, or is a page another source follows,
reads that URL in full in its own first run, in the same crawl or a later one; every entry is
counted in its summary row (new, updated, unchanged or dropped with a reason); a 301 of a start
URL is recorded whatever the end of the chain answers (a 200, or a 304 / the same body on a later
run). Real crawls over the loopback lab.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.fetchlab import crawl, migrate
from tests.lab import LabServer, Route

pytestmark = pytest.mark.slow

ENTRIES = 3
FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    b"<link>https://city.example.eu/</link>"
    + b"".join(
        f"<item><title>Welcome centre {n} opens for refugees</title>"
        f"<link>https://city.example.eu/news/{n}</link>"
        f"<pubDate>Mon, 0{n} Dec 2025 09:00:00 +0100</pubDate></item>".encode()
        for n in range(1, ENTRIES + 1)
    )
    + b"</channel></rss>"
)
RSS = {"Content-Type": "application/rss+xml"}
HUB = (
    b"<html><body><ul>"
    + b"".join(
        f"<li class='n'><a href='https://city.example.eu/news/{n}'>Welcome centre {n}</a></li>".encode()
        for n in range(1, ENTRIES + 1)
    )
    + b"</ul></body></html>"
)
HTML = {"Content-Type": "text/html; charset=utf-8"}
LISTING = {"listing": {"links": "li.n a::attr(href)"}}


def _validators_stored(db_url: str) -> bool:
    """Whether the first source's run has written its validators (its run closed)."""
    from crawler.store.schema import HttpCacheEntry
    from crawler.store.session import session_scope

    with session_scope(db_url) as session:
        return session.scalar(select(HttpCacheEntry.url).limit(1)) is not None


def _late_301(db_url: str) -> Any:
    """A permanent redirect to the feed, answered once the other source closed its run."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        waited = time.monotonic() + 60
        while not _validators_stored(db_url) and time.monotonic() < waited:
            time.sleep(0.2)
        _301(handler)

    return answer


def _301(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(301)
    handler.send_header("Location", "/feed.xml")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


# (row, first source, second source, same crawl?, second's start URL moved to)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], bool, str | None]] = {
    "redirect, same crawl": (
        {"id": "src-a", "kind": "feed", "urls": ["/feed.xml"]},
        {"id": "src-b", "kind": "feed", "urls": ["/late-old.xml"]},
        True,
        "/feed.xml",
    ),
    "redirect, later crawl": (
        {"id": "src-a", "kind": "feed", "urls": ["/feed.xml"]},
        {"id": "src-b", "kind": "feed", "urls": ["/old.xml"]},
        False,
        "/feed.xml",
    ),
    "same start URL, later crawl": (
        {"id": "src-a", "kind": "feed", "urls": ["/feed.xml"]},
        {"id": "src-b", "kind": "feed", "urls": ["/feed.xml"]},
        False,
        None,
    ),
    "followed link, later crawl": (
        {"id": "src-a", "kind": "listing", "urls": ["/a.html"], "follow": True, **LISTING},
        {"id": "src-b", "kind": "listing", "urls": ["/hub.html"], **LISTING},
        False,
        None,
    ),
    "another source's listing, later crawl": (
        {"id": "src-a", "kind": "listing", "urls": ["/hub.html"], **LISTING},
        {"id": "src-b", "kind": "listing", "urls": ["/hub.html"], **LISTING},
        False,
        None,
    ),
}


def _lab(lab: LabServer, db_url: str) -> None:
    lab.routes["/feed.xml"] = Route(FEED, headers=RSS)
    lab.routes["/old.xml"] = _301
    lab.routes["/late-old.xml"] = _late_301(db_url)
    lab.routes["/hub.html"] = Route(HUB, headers=HTML)
    link = "<li class='n'><a href='/hub.html'>Welcome centres for refugees</a></li>"
    lab.routes["/a.html"] = Route(f"<html><body><ul>{link}</ul></body></html>".encode(), headers=HTML)


def _absolute(lab: LabServer, source: dict[str, Any]) -> dict[str, Any]:
    return {**source, "urls": [lab.url(u) for u in source["urls"]]}


def _last_run(db_url: str, source_id: str) -> Any:
    from crawler.store.schema import CrawlRun
    from crawler.store.session import session_scope

    with session_scope(db_url) as session:
        run = session.scalars(
            select(CrawlRun).where(CrawlRun.source_id == source_id).order_by(CrawlRun.id.desc())
        ).first()
        session.expunge(run)
        return run


def _moved(db_url: str, source_id: str) -> Any:
    from crawler.store import sources as store_sources
    from crawler.store.session import session_scope

    with session_scope(db_url) as session:
        return next(r["moved_to"] for r in store_sources.source_status(session) if r["id"] == source_id)


@pytest.mark.parametrize(("first", "second", "together", "moved"), CASES.values(), ids=CASES.keys())
def test_every_entry_of_the_second_source_is_counted(
    tmp_path: Path, first: dict[str, Any], second: dict[str, Any], together: bool, moved: str | None
) -> None:
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    with LabServer("127.0.0.2") as lab:
        _lab(lab, db_url)
        a, b = _absolute(lab, first), _absolute(lab, second)
        if together:
            result = crawl(tmp_path, db_url, [a, b], timeout=120)
            assert result.returncode == 0, result.stderr[-3000:]
        else:
            for name, source in (("first.yaml", a), ("second.yaml", b)):
                result = crawl(tmp_path, db_url, [source], timeout=120, name=name)
                assert result.returncode == 0, result.stderr[-3000:]
    run = _last_run(db_url, "src-b")
    counted = run.items_new + run.items_updated + run.items_unchanged + run.items_dropped
    assert run.status == "ok", (run.status, run.error)
    assert counted == ENTRIES, (run.items_new, run.items_updated, run.items_unchanged, run.dropped)
    assert _moved(db_url, "src-b") == (None if moved is None else {b["urls"][0]: lab.url(moved)})
