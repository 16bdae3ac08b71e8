"""Walks across runs: an unchanged document that leads to others does not end the walk.

Rule under test (spiders.base "walks", crawler.fetch.conditional_get "Walks"): an unchanged answer
(304 or the same body) of a sitemap index, of a listing's or an API's page with a next page, or of a
followed feed means that document has nothing new, not that what it leads to is unchanged: run 2 asks
for the child sitemaps and next pages (each of which may answer 304), emits only what is new, and
retries the followed pages that failed in run 1. A sitemap's `max_items` keeps the newest entries
by lastmod (spiders.sitemap).

Each run drives the real spider and the real conditional GET middleware over a SQLite store; the
site is bytes in memory answering 304 to a matching If-None-Match (or ignoring validators).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.fetch.conditional_get import ConditionalGetMiddleware
from crawler.sources import Source
from crawler.store import items as store_items
from crawler.store.session import session_scope
from crawler.store.sources import sync_sources
from crawler.types import HarvestedItem
from spiders import TEMPLATES
from tests import test_cases
from tests.lab import LabServer

lab = test_cases.lab  # the loopback lab fixture (end-to-end test at the bottom)

BASE = "https://gov.example.eu"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
TYPES = {
    ".xml": "application/xml",
    ".json": "application/json",
    ".rss": "application/rss+xml",
}


@pytest.fixture
def database(tmp_path: Path) -> str:
    from crawler.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    upgrade(url)
    return url


@dataclass
class Site:
    """URL (path and query) -> body; a missing URL answers 404. `etags`: answer 304 to a matching
    If-None-Match (else validators are ignored: an unchanged body comes again in full)."""

    pages: dict[str, bytes]
    etags: bool = True
    log: list[tuple[str, int]] = field(default_factory=list)

    def answer(self, request: Request) -> Response:
        path = request.url.removeprefix(BASE)
        body = self.pages.get(path)
        if body is None:
            self.log.append((path, 404))
            return Response(request.url, status=404, request=request)
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        headers = {"Content-Type": _type(path)}
        if self.etags:
            headers["ETag"] = etag
            if request.headers.get(b"If-None-Match") == etag.encode():
                self.log.append((path, 304))
                return Response(request.url, status=304, headers=headers, request=request)
        self.log.append((path, 200))
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(request.url, status=200, headers=headers, body=body, request=request)

    def requested(self) -> list[str]:
        return [path for path, _ in self.log]


def _type(path: str) -> str:
    for suffix, media in TYPES.items():
        if path.split("?")[0].endswith(suffix):
            return media
    if path.startswith("/api"):
        return "application/json"
    return "text/html; charset=utf-8"


def _source(**fields: Any) -> Source:
    return Source(**{"id": "walk", "name": "Walk", "publisher": "P", "schedule": "0 6 * * *", **fields})


def crawl(database: str, source: Source, site: Site) -> list[HarvestedItem]:
    """One run: the spider's requests through the middleware to `site` and back, breadth first; the
    spider closes as ``finished``. Returns the items emitted (pages followed when `follow`)."""
    site.log.clear()
    cls = TEMPLATES[source.kind]
    crawler = get_crawler(cls, settings_dict={"EWSI_DATABASE_URL": database})
    spider = cls.from_crawler(crawler, source=source)
    crawler.stats.open_spider()
    mw = ConditionalGetMiddleware(crawler, database)

    async def starts() -> list[Request]:
        return [r async for r in spider.start()]

    queue = asyncio.run(starts())
    out: list[HarvestedItem] = []
    while queue:
        request = queue.pop(0)
        mw.process_request(request)
        response = site.answer(request)
        try:
            response = mw.process_response(request, response)
        except IgnoreRequest as exc:
            results = _fail(request, exc)
        else:
            if response.status != 200:
                results = _fail(request, HttpError(response, "HTTP status not handled"))
            else:
                results = request.callback(response, **request.cb_kwargs)
        for result in results or []:
            (queue if isinstance(result, Request) else out).append(result)
    crawler.stats.set_value("ewsi/items/yielded", crawler.stats.get_value("ewsi/items/yielded", 0))
    mw.spider_closed("finished")
    return out


def _fail(request: Request, exc: Exception) -> Any:
    failure = Failure(exc)
    failure.request = request  # type: ignore[attr-defined]
    return request.errback(failure)


def store(database: str, source: Source, emitted: list[HarvestedItem]) -> None:
    """Store run 1's items as the pipelines would: a fetched page gives text, a failed one none."""
    with session_scope(database) as session:
        sync_sources(session, [source])
        for item in emitted:
            item.canonical_url = item.url
            item.identity = f"url:{item.url}"
            item.content_hash = hashlib.sha256(b"%s%s" % (item.url.encode(), item.body or b"")).hexdigest()
            item.text = item.body.decode() if item.body else None
            store_items.upsert_item(session, item)


# --- sitemaps ---------------------------------------------------------------------------------------
def _urlset(*locs: str | tuple[str, str]) -> bytes:
    urls = "".join(
        f"<url><loc>{BASE}{loc}</loc></url>"
        if isinstance(loc, str)
        else f"<url><loc>{BASE}{loc[0]}</loc><lastmod>{loc[1]}</lastmod></url>"
        for loc in locs
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{urls}</urlset>'.encode()


def _index(*locs: str) -> bytes:
    maps = "".join(f"<sitemap><loc>{BASE}{loc}</loc></sitemap>" for loc in locs)
    return f'<?xml version="1.0"?><sitemapindex {NS}>{maps}</sitemapindex>'.encode()


IDX = _index("/sm/child.xml")
CHILD_2 = _urlset("/a/1", "/a/2")
CHILD_4 = _urlset("/a/1", "/a/2", "/a/3", "/a/4")
SITEMAP_WALKS = {
    # name: (run 1 pages, run 2 pages, etags, run 2 requests, run 2 new item paths)
    "index-unchanged-child-grows": (
        {"/sm/idx.xml": IDX, "/sm/child.xml": CHILD_2},
        {"/sm/idx.xml": IDX, "/sm/child.xml": CHILD_4},
        True,
        [("/sm/idx.xml", 200), ("/sm/child.xml", 200)],
        ["/a/3", "/a/4"],
    ),
    "index-unchanged-child-grows-no-etags": (
        {"/sm/idx.xml": IDX, "/sm/child.xml": CHILD_2},
        {"/sm/idx.xml": IDX, "/sm/child.xml": CHILD_4},
        False,
        [("/sm/idx.xml", 200), ("/sm/child.xml", 200)],
        ["/a/3", "/a/4"],
    ),
    "index-unchanged-child-unchanged-is-cheap": (
        {"/sm/idx.xml": IDX, "/sm/child.xml": CHILD_2},
        {"/sm/idx.xml": IDX, "/sm/child.xml": CHILD_2},
        True,
        [("/sm/idx.xml", 200), ("/sm/child.xml", 304)],
        [],
    ),
    "nested-index-deep-child-grows": (
        {
            "/sm/idx.xml": _index("/sm/mid.xml", "/sm/other.xml"),
            "/sm/mid.xml": _index("/sm/child.xml"),
            "/sm/other.xml": _urlset("/b/1"),
            "/sm/child.xml": CHILD_2,
        },
        {
            "/sm/idx.xml": _index("/sm/mid.xml", "/sm/other.xml"),
            "/sm/mid.xml": _index("/sm/child.xml"),
            "/sm/other.xml": _urlset("/b/1"),
            "/sm/child.xml": CHILD_4,
        },
        True,
        [("/sm/idx.xml", 200), ("/sm/mid.xml", 200), ("/sm/other.xml", 304), ("/sm/child.xml", 200)],
        ["/a/3", "/a/4"],
    ),
    "index-gains-a-child": (
        {"/sm/idx.xml": IDX, "/sm/child.xml": CHILD_2},
        {
            "/sm/idx.xml": _index("/sm/child.xml", "/sm/new.xml"),
            "/sm/child.xml": CHILD_2,
            "/sm/new.xml": _urlset("/n/1"),
        },
        True,
        [("/sm/idx.xml", 200), ("/sm/child.xml", 304), ("/sm/new.xml", 200)],
        ["/n/1"],
    ),
    "plain-urlset-unchanged-is-one-304": (
        {"/sm/idx.xml": CHILD_2},
        {"/sm/idx.xml": CHILD_2},
        True,
        [("/sm/idx.xml", 304)],
        [],
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("run1", "run2", "etags", "requests", "new"), list(SITEMAP_WALKS.values()), ids=list(SITEMAP_WALKS)
)
def test_an_unchanged_sitemap_index_still_leads_to_its_children(
    database: str,
    run1: dict[str, bytes],
    run2: dict[str, bytes],
    etags: bool,
    requests: list[tuple[str, int]],
    new: list[str],
) -> None:
    source = _source(kind="sitemap", urls=[f"{BASE}/sm/idx.xml"], languages=["en"])
    site = Site(run1, etags=etags)
    first = crawl(database, source, site)
    assert first and all(i.url.startswith(BASE) for i in first)
    site.pages = run2
    second = crawl(database, source, site)
    assert site.log == requests
    assert _new(first, second) == new
    assert crawl(database, source, site) == []  # nothing changed since run 2


def _new(first: list[HarvestedItem], second: list[HarvestedItem]) -> list[str]:
    """Paths of run 2's items that run 1 did not emit, in run 2's order."""
    seen = {i.url for i in first}
    return [i.url.removeprefix(BASE) for i in second if i.url not in seen]


# --- sitemap max_items: the newest by lastmod --------------------------------------------------------
def _dated(n: int) -> tuple[str, str]:
    return (f"/d/{n}", f"{2020 + n // 365}-{(n // 28) % 12 + 1:02d}-{n % 28 + 1:02d}")


OLDEST_FIRST = [_dated(n) for n in range(2000)]
NEWEST_LASTMOD = sorted((lastmod, path) for path, lastmod in OLDEST_FIRST)[-5:]
ORDERS = {
    "oldest-first-2000": (_urlset(*OLDEST_FIRST), [p for _, p in reversed(NEWEST_LASTMOD)]),
    "newest-first": (
        _urlset(*[(f"/n/{d}", f"2024-05-0{d}") for d in (5, 4, 3, 2)]),
        ["/n/5", "/n/4", "/n/3"],
    ),
    "no-lastmod-file-order": (_urlset("/u/1", "/u/2", "/u/3", "/u/4"), ["/u/1", "/u/2", "/u/3"]),
    "undated-after-dated": (
        _urlset("/u/1", ("/x/old", "2019-01-01"), "/u/2", ("/x/new", "2024-01-01")),
        ["/x/new", "/x/old", "/u/1"],
    ),
    "mixed-formats": (
        _urlset(
            ("/m/year", "2023"),
            ("/m/month", "2024-02"),
            ("/m/rfc", "Fri, 01 Mar 2024 09:00:00 GMT"),
            ("/m/zoned", "2024-03-01T10:30:00+02:00"),
            ("/m/zulu", "2024-03-01T08:45Z"),
            ("/m/bad", "yesterday"),
        ),
        ["/m/rfc", "/m/zulu", "/m/zoned"],
    ),
}  # fmt: skip


@pytest.mark.parametrize(("body", "kept"), list(ORDERS.values()), ids=list(ORDERS))
def test_sitemap_max_items_keeps_the_newest_by_lastmod(database: str, body: bytes, kept: list[str]) -> None:
    max_items = 5 if len(kept) == 5 else 3
    source = _source(kind="sitemap", urls=[f"{BASE}/sm/map.xml"], languages=["en"], max_items=max_items)
    emitted = crawl(database, source, Site({"/sm/map.xml": body}))
    assert [i.url.removeprefix(BASE) for i in emitted] == kept


def test_a_newer_url_in_an_oldest_first_sitemap_is_taken_in_run_2(database: str) -> None:
    source = _source(kind="sitemap", urls=[f"{BASE}/sm/map.xml"], languages=["en"], max_items=5)
    site = Site({"/sm/map.xml": _urlset(*OLDEST_FIRST)})
    first = crawl(database, source, site)
    site.pages["/sm/map.xml"] = _urlset(*OLDEST_FIRST, ("/d/newest", "2031-01-01"))
    second = crawl(database, source, site)
    assert "/d/newest" not in {i.url.removeprefix(BASE) for i in first}
    assert second[0].url == f"{BASE}/d/newest"
    assert [i.url for i in second[1:]] == [i.url for i in first[:4]]


# --- listings -------------------------------------------------------------------------------------
def _listing(page: int, links: list[str], last: int) -> bytes:
    anchors = "".join(f'<li><a href="/doc/{slug}">Doc {slug}</a></li>' for slug in links)
    nxt = f'<a class="next" href="/list/{page + 1}">next</a>' if page < last else ""
    return f"<html><body><ul class='docs'>{anchors}</ul>{nxt}</body></html>".encode()


LISTING_WALKS = {
    # name: (run 1 pages, run 2 pages, run 2 requests, run 2 new)
    "page-2-gains-links": (
        {"/list/1": _listing(1, ["a", "b"], 2), "/list/2": _listing(2, ["c"], 2)},
        {"/list/1": _listing(1, ["a", "b"], 2), "/list/2": _listing(2, ["c", "d", "e"], 2)},
        [("/list/1", 200), ("/list/2", 200)],
        ["/doc/d", "/doc/e"],
    ),
    "page-3-gains-links": (
        {f"/list/{n}": _listing(n, links, 3) for n, links in ((1, ["a"]), (2, ["b"]), (3, ["c"]))},
        {f"/list/{n}": _listing(n, links, 3) for n, links in ((1, ["a"]), (2, ["b"]), (3, ["c", "z"]))},
        [("/list/1", 200), ("/list/2", 200), ("/list/3", 200)],
        ["/doc/z"],
    ),
    "nothing-changed": (
        {"/list/1": _listing(1, ["a"], 2), "/list/2": _listing(2, ["b"], 2)},
        {"/list/1": _listing(1, ["a"], 2), "/list/2": _listing(2, ["b"], 2)},
        [("/list/1", 200), ("/list/2", 304)],
        [],
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("run1", "run2", "requests", "new"), list(LISTING_WALKS.values()), ids=list(LISTING_WALKS)
)
def test_an_unchanged_listing_page_still_leads_to_the_next(
    database: str,
    run1: dict[str, bytes],
    run2: dict[str, bytes],
    requests: list[tuple[str, int]],
    new: list[str],
) -> None:
    source = _source(
        kind="listing",
        urls=[f"{BASE}/list/1"],
        languages=["en"],
        listing={"links": "ul.docs a::attr(href)", "next_page": "a.next::attr(href)", "max_pages": 5},
    )
    site = Site(run1)
    first = crawl(database, source, site)
    site.pages = run2
    second = crawl(database, source, site)
    assert site.log == requests
    assert _new(first, second) == new


def test_a_walk_stays_within_max_pages(database: str) -> None:
    pages = {f"/list/{n}": _listing(n, [f"p{n}"], 9) for n in range(1, 10)}
    source = _source(
        kind="listing",
        urls=[f"{BASE}/list/1"],
        languages=["en"],
        listing={"links": "ul.docs a::attr(href)", "next_page": "a.next::attr(href)", "max_pages": 3},
    )
    site = Site(dict(pages))
    first = crawl(database, source, site)
    site.pages["/list/3"] = _listing(3, ["p3", "new"], 9)
    second = crawl(database, source, site)
    assert site.requested() == ["/list/1", "/list/2", "/list/3"]
    assert _new(first, second) == ["/doc/new"]


# --- APIs -----------------------------------------------------------------------------------------
def _api_page(ids: list[int]) -> bytes:
    return json.dumps(
        {"items": [{"id": n, "title": f"Record {n}", "url": f"/rec/{n}"} for n in ids]}
    ).encode()


API_WALKS = {
    # name: (run 1 pages by number, run 2 pages, run 2 requests, run 2 new)
    "page-2-changed": (
        {1: [1, 2, 3, 4, 5], 2: [6]},
        {1: [1, 2, 3, 4, 5], 2: [6, 7]},
        [("/api/search?page=1", 200), ("/api/search?page=2", 200)],
        ["/rec/7"],
    ),
    "page-3-gains-records": (
        {1: [1, 2, 3, 4, 5], 2: [6, 7, 8, 9, 10], 3: [11]},
        {1: [1, 2, 3, 4, 5], 2: [6, 7, 8, 9, 10], 3: [11, 12, 13]},
        [("/api/search?page=1", 200), ("/api/search?page=2", 200), ("/api/search?page=3", 200)],
        ["/rec/12", "/rec/13"],
    ),
    "a-new-page-4": (
        {1: [1, 2, 3, 4, 5], 2: [6, 7, 8, 9, 10], 3: [11, 12, 13, 14, 15], 4: []},
        {1: [1, 2, 3, 4, 5], 2: [6, 7, 8, 9, 10], 3: [11, 12, 13, 14, 15], 4: [16]},
        [("/api/search?page=1", 200), ("/api/search?page=2", 200), ("/api/search?page=3", 200),
         ("/api/search?page=4", 200)],
        ["/rec/16"],
    ),
    "nothing-changed": (
        {1: [1, 2, 3, 4, 5], 2: [6]},
        {1: [1, 2, 3, 4, 5], 2: [6]},
        [("/api/search?page=1", 200), ("/api/search?page=2", 304)],
        [],
    ),
}  # fmt: skip


@pytest.mark.parametrize(("run1", "run2", "requests", "new"), list(API_WALKS.values()), ids=list(API_WALKS))
def test_an_unchanged_api_page_still_leads_to_the_next(
    database: str,
    run1: dict[int, list[int]],
    run2: dict[int, list[int]],
    requests: list[tuple[str, int]],
    new: list[str],
) -> None:
    source = _source(
        kind="api",
        urls=[f"{BASE}/api/search"],
        languages=["en"],
        api={
            "items": "items",
            "title": "title",
            "link": "url",
            "pagination": {"page_param": "page", "size_param": None, "size": 5},
        },
    )
    site = Site({f"/api/search?page={n}": _api_page(ids) for n, ids in run1.items()})
    first = crawl(database, source, site)
    site.pages = {f"/api/search?page={n}": _api_page(ids) for n, ids in run2.items()}
    second = crawl(database, source, site)
    assert site.log == requests
    assert _new(first, second) == new


# --- followed feeds -------------------------------------------------------------------------------
FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    b"<item><title>One</title><link>" + BASE.encode() + b"/news/1</link>"
    b"<pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate></item>"
    b"<item><title>Two</title><link>" + BASE.encode() + b"/news/2</link>"
    b"<pubDate>Mon, 03 Mar 2025 10:00:00 GMT</pubDate></item>"
    b"</channel></rss>"
)
FEED_WALKS = {
    # name: (page 2 in run 2 or None: still 404, run 2 requests, run 2 (url, flags))
    "recovered-page-is-retried": (
        b"<p>now here</p>",
        [("/feed.rss", 200), ("/news/2", 200)],
        [("/news/2", [])],
    ),
    "still-failing-page-stays-flagged": (
        None,
        [("/feed.rss", 200), ("/news/2", 404)],
        [("/news/2", ["page_fetch.http_404"])],
    ),
}


@pytest.mark.parametrize(("page2", "requests", "emitted"), list(FEED_WALKS.values()), ids=list(FEED_WALKS))
def test_a_followed_page_that_failed_is_retried_while_the_feed_is_unchanged(
    database: str, page2: bytes | None, requests: list[tuple[str, int]], emitted: list[tuple[str, list[str]]]
) -> None:
    source = _source(kind="feed", urls=[f"{BASE}/feed.rss"], languages=["en"], follow=True)
    site = Site({"/feed.rss": FEED, "/news/1": b"<p>one</p>"})
    first = crawl(database, source, site)
    assert sorted((i.url.removeprefix(BASE), i.flags) for i in first) == [
        ("/news/1", []),
        ("/news/2", ["page_fetch.http_404"]),
    ]
    store(database, source, first)
    if page2 is not None:
        site.pages["/news/2"] = page2
    second = crawl(database, source, site)
    assert site.log == requests
    assert [(i.url.removeprefix(BASE), i.flags) for i in second] == emitted


def test_an_unchanged_followed_feed_without_failed_pages_is_one_304(database: str) -> None:
    source = _source(kind="feed", urls=[f"{BASE}/feed.rss"], languages=["en"], follow=True)
    site = Site({"/feed.rss": FEED, "/news/1": b"<p>one</p>", "/news/2": b"<p>two</p>"})
    store(database, source, crawl(database, source, site))
    assert crawl(database, source, site) == []
    assert site.log == [("/feed.rss", 304)]


# --- end to end: two `ewsi crawl` runs over the loopback lab ----------------------------------------
@pytest.mark.slow
def test_two_crawls_walk_past_an_unchanged_index_and_retry_a_recovered_page(
    db_url: str, tmp_path: Path, lab: LabServer
) -> None:
    """The tester's shapes through the CLI: a static index whose child grows from 2 to 4 URLs, and a
    followed feed whose page answered 404 in run 1 and recovered (feed unchanged)."""
    from tests.lab import Route
    from tests.test_cases import crawl as cli_crawl
    from tests.test_cases import items, migrate, write_config

    def urlset(n: int) -> bytes:
        urls = "".join(f"<url><loc>{lab.url(f'/p/{k}')}</loc></url>" for k in range(1, n + 1))
        return f'<?xml version="1.0"?><urlset {NS}>{urls}</urlset>'.encode()

    xml = {"Content-Type": "application/xml"}
    lab.routes["/sm/idx.xml"] = Route(
        body=f'<?xml version="1.0"?><sitemapindex {NS}><sitemap><loc>{lab.url("/sm/child.xml")}</loc>'
        f"</sitemap></sitemapindex>".encode(),
        headers=xml,
    )
    lab.routes["/sm/child.xml"] = Route(body=urlset(2), headers=xml)
    feed = FEED.replace(BASE.encode(), lab.base.encode())
    lab.routes["/feed.rss"] = Route(body=feed, headers={"Content-Type": "application/rss+xml"})
    page = b"<html><head><title>News %d</title></head><body><article><p>%s</p></article></body></html>"
    text = b"Integration courses for newly arrived migrants open in March. " * 8
    html = {"Content-Type": "text/html; charset=utf-8"}
    lab.routes["/news/1"] = Route(body=page % (1, text), headers=html)
    lab.routes["/news/2"] = Route(body=b"gone", status=404, headers=html)
    config = write_config(
        tmp_path,
        [
            {"id": "sm", "kind": "sitemap", "urls": [lab.url("/sm/idx.xml")], "languages": ["en"]},
            {"id": "fd", "kind": "feed", "urls": [lab.url("/feed.rss")], "languages": ["en"], "follow": True},
        ],
    )
    migrate(db_url)
    cli_crawl(db_url, config)
    assert len(items(db_url, "sm")) == 2
    failed = {r.url: r for r in items(db_url, "fd")}[lab.url("/news/2")]
    assert failed.text is None and "page_fetch.http_404" in (failed.flags or [])
    lab.routes["/sm/child.xml"] = Route(body=urlset(4), headers=xml)
    lab.routes["/news/2"] = Route(body=page % (2, text), headers=html)
    lab.hits.clear()
    cli_crawl(db_url, config)
    paths = lab.paths()
    assert "/sm/child.xml" in paths and "/news/2" in paths and "/news/1" not in paths
    assert sorted(r.url for r in items(db_url, "sm")) == [lab.url(f"/p/{k}") for k in range(1, 5)]
    recovered = {r.url: r for r in items(db_url, "fd")}[lab.url("/news/2")]
    assert recovered.text and "page_fetch.http_404" not in (recovered.flags or [])


def test_a_failed_page_linked_with_tracking_parameters_is_retried(database: str) -> None:
    """The stored URL lost its ``utm_`` query (normalisation); the entry's link in the record matches."""
    feed = FEED.replace(b"/news/2<", b"/news/2?utm_source=rss&amp;utm_medium=feed<")
    source = _source(kind="feed", urls=[f"{BASE}/feed.rss"], languages=["en"], follow=True)
    site = Site({"/feed.rss": feed, "/news/1": b"<p>one</p>"})
    first = crawl(database, source, site)
    for item in first:
        item.url = item.url.split("?", 1)[0]  # what pipelines.normalize does to tracking parameters
    store(database, source, first)
    site.pages["/news/2?utm_source=rss&utm_medium=feed"] = b"<p>two</p>"
    second = crawl(database, source, site)
    assert site.log == [("/feed.rss", 200), ("/news/2?utm_source=rss&utm_medium=feed", 200)]
    assert [(i.title, i.flags) for i in second] == [("Two", [])]
