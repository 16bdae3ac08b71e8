"""`ewsi sources check` reads an answer with the crawl's own reader of its kind (crawler.onboard
`api_verdict`, `sitemap_verdict`), so the check never says ok to what a crawl refuses, nor refuses
what a crawl reads. Each row is checked, then crawled through the spider, and both must agree."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from scrapy.http import TextResponse

from crawler.fetch import oneshot
from crawler.onboard import check_source
from crawler.sources import Source, load_sources
from tests.test_spiders import make_spider, run

URL = "https://data.example.eu/api/items"
SITEMAP = "https://www.example.eu/sitemap.xml"


def _source(kind: str, url: str, items: str = "results") -> Source:
    entry: dict[str, Any] = {"id": "probe-me", "name": "x", "publisher": "x", "kind": kind, "urls": [url]}
    if kind == "api":
        entry["api"] = {"items": items, "title": "title", "link": "url"}
    return load_sources("t.yaml", text=json.dumps({"sources": [entry]})).sources[0]


def _fetcher(body: bytes, content_type: str) -> Any:
    def fetch(url: str) -> oneshot.Fetched:
        return oneshot.Fetched(url, url, 200, content_type, body)

    return fetch


def _robots(url: str) -> tuple[bool, str]:
    return True, ""


RECORD = {"title": "Language courses", "url": "https://data.example.eu/a/1"}
# items expression, body, expected check key, expected crawl error key (None: items harvested)
API_CASES = [
    ("results", {"results": [RECORD]}, "ok", None),
    ("results", {"results": {"a": RECORD}}, "parse.no_items", "parse.no_items"),  # an object, not a list
    ("results", {"data": [RECORD]}, "parse.no_items", "parse.no_items"),  # the path selects nothing
    ("results", {"results": []}, "parse.no_items", None),  # empty: nothing to harvest, no crawl error
    (
        "results",
        b'{"total": ' + b"9" * 5000 + b', "results": [' + json.dumps(RECORD).encode() + b"]}",
        "ok",
        None,
    ),
    ("results", b"<html>not json</html>", "parse.json_invalid", "parse.json_invalid"),
    ("data.items", {"data": {"items": [RECORD, RECORD]}}, "ok", None),
]


@pytest.mark.parametrize(("items", "answer", "check_key", "crawl_key"), API_CASES)
def test_check_and_crawl_read_an_api_answer_alike(
    items: str, answer: Any, check_key: str, crawl_key: str | None
) -> None:
    body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
    verdict = check_source(_source("api", URL, items), _fetcher(body, "application/json"), _robots)
    assert verdict.key == check_key, verdict.message
    spider = make_spider(
        id="probe-me", kind="api", urls=[URL], api={"items": items, "title": "title", "link": "url"}
    )
    harvested, _ = run(spider, TextResponse(URL, body=body, headers={"Content-Type": "application/json"}))
    stats = spider.crawler.stats.get_stats()
    errors = [k.removeprefix("ewsi/errors/") for k in stats if k.startswith("ewsi/errors/")]
    assert (errors[0] if errors else None) == crawl_key
    assert bool(harvested) is (check_key == "ok")


URLSET = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://www.example.eu/a</loc></url></urlset>'
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://www.example.eu/&lol2;</loc></url></urlset>'
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://www.example.eu/&x;</loc></url></urlset>'
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (URLSET, "ok"),
        (gzip.compress(URLSET), "ok"),
        (BOMB, "parse.sitemap_malformed"),
        (XXE, "parse.sitemap_malformed"),
        (gzip.compress(BOMB), "parse.sitemap_malformed"),
        (URLSET.replace(b"</urlset>", b""), "parse.sitemap_malformed"),  # cut short
    ],
    ids=["urlset", "gzip", "entity-bomb", "xxe", "gzip-bomb-entities", "cut"],
)
def test_check_refuses_a_sitemap_the_crawl_refuses(body: bytes, expected: str) -> None:
    verdict = check_source(_source("sitemap", SITEMAP), _fetcher(body, "application/xml"), _robots)
    assert verdict.key == expected, verdict.message
    assert (verdict.hint.startswith("the sitemap cannot be read exactly")) is (expected != "ok")


def test_a_paged_api_is_checked_on_its_first_page_as_a_crawl_asks() -> None:
    """An API that answers 404 without its page parameters is checked on ``?page=1&size=2``."""
    asked: list[str] = []

    def fetch(url: str) -> oneshot.Fetched:
        asked.append(url)
        if "page=1" not in url:
            return oneshot.Fetched(url, url, 404, "text/plain", b"not found")
        return oneshot.Fetched(url, url, 200, "application/json", json.dumps({"results": [RECORD]}).encode())

    entry = {
        "id": "probe-me",
        "name": "x",
        "publisher": "x",
        "kind": "api",
        "urls": [URL],
        "api": {
            "items": "results",
            "title": "title",
            "link": "url",
            "pagination": {"page_param": "page", "size_param": "size", "size": 2},
        },
    }
    source = load_sources("t.yaml", text=json.dumps({"sources": [entry]})).sources[0]
    verdict = check_source(source, fetch, _robots)
    assert verdict.key == "ok", verdict.message
    assert asked == [f"{URL}?page=1&size=2"]
