"""Sitemaps nobody showed us (issue 12, class 5): text sitemaps, looping and deep indexes, bare ``&``.

Rule under test (spiders.sitemapdoc, spiders.sitemap): every URL is recovered exactly, or the run
records ``parse.sitemap_malformed``; never a silently wrong or truncated URL.
"""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Request
from scrapy.http import TextResponse, XmlResponse

from crawler.types import HarvestedItem
from spiders.sitemapdoc import SitemapMalformed, parse_sitemap
from tests.test_spiders import make_spider, stats

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
BASE = "https://gov.example.eu"


def _urlset(*locs: str) -> bytes:
    urls = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{urls}</urlset>'.encode()


def _index(*locs: str) -> bytes:
    maps = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<?xml version="1.0"?><sitemapindex {NS}>{maps}</sitemapindex>'.encode()


# --- through the spider ---------------------------------------------------------------------------
def _crawl(start: str, site: dict[str, bytes], **fields: Any) -> tuple[Any, list[str], list[str]]:
    """Run the sitemap spider of source `fields` over `site` (URL -> body); returns spider, item URLs,
    fetched URLs."""
    spider = make_spider(id="sm", kind="sitemap", urls=[start], languages=["en"], **fields)
    queue = [Request(start, meta={})]
    items: list[str] = []
    fetched: list[str] = []
    while queue:
        request = queue.pop(0)
        fetched.append(request.url)
        body = site.get(request.url.split("#")[0], b"")
        cls = XmlResponse if body.lstrip().startswith(b"<") else TextResponse
        response = cls(request.url, body=body, request=request, headers={"Content-Type": "application/xml"})
        for out in spider.parse(response) or []:
            if isinstance(out, HarvestedItem):
                items.append(out.url)
            elif isinstance(out, Request):
                queue.append(out)
    return spider, items, fetched


EXACT = {
    "bare-ampersand": (_urlset(f"{BASE}/news?id=7&lang=en"), [f"{BASE}/news?id=7&lang=en"]),
    "bare-and-escaped": (
        _urlset(f"{BASE}/a?x=1&y=2", f"{BASE}/b?x=1&amp;y=2", f"{BASE}/c?q=R&amp;D&p=1"),
        [f"{BASE}/a?x=1&y=2", f"{BASE}/b?x=1&y=2", f"{BASE}/c?q=R&D&p=1"],
    ),
    "ampersand-then-hash": (_urlset(f"{BASE}/a?x=1&#frag"), [f"{BASE}/a?x=1&#frag"]),
    "numeric-references": (_urlset(f"{BASE}/caf&#233;?a=1&#38;b=2"), [f"{BASE}/café?a=1&b=2"]),
    "whitespace-around-loc": (_urlset(f"\n   {BASE}/n/1  \n"), [f"{BASE}/n/1"]),
    "text-lf": (f"{BASE}/n/1\n{BASE}/n/2\n".encode(), [f"{BASE}/n/1", f"{BASE}/n/2"]),
    "text-crlf-bom-blank-lines": (
        f"\ufeff{BASE}/n/1\r\n\r\n  {BASE}/n/2?a=1&b=2  \r\n\r\n".encode(),
        [f"{BASE}/n/1", f"{BASE}/n/2?a=1&b=2"],
    ),
    "text-cr-only": (f"{BASE}/n/1\r{BASE}/n/2".encode(), [f"{BASE}/n/1", f"{BASE}/n/2"]),
    "cdata-loc": (_urlset(f"<![CDATA[{BASE}/a?x=1&y=2]]>"), [f"{BASE}/a?x=1&y=2"]),
    "unicode-spaces-around-loc": (
        _urlset(f"\u00a0{BASE}/n/1\u3000", f"\u2003{BASE}/n/2"),
        [f"{BASE}/n/1", f"{BASE}/n/2"],
    ),
    "zero-width-around-loc": (
        _urlset(f"\u200b{BASE}/n/1\ufeff", f"{BASE}/n/2\u2060"),
        [f"{BASE}/n/1", f"{BASE}/n/2"],
    ),
    "text-zero-width-and-nbsp": (
        f"{BASE}/n/1\u200b\n\u00a0{BASE}/n/2\n".encode(),
        [f"{BASE}/n/1", f"{BASE}/n/2"],
    ),
}


@pytest.mark.parametrize(("body", "locs"), EXACT.values(), ids=EXACT.keys())
def test_every_url_is_recovered_exactly(body: bytes, locs: list[str]) -> None:
    assert [e["loc"] for e in parse_sitemap(body).entries] == locs
    spider, items, _ = _crawl(f"{BASE}/s.xml", {f"{BASE}/s.xml": body})
    assert items == locs
    assert not stats(spider).get("ewsi/errors/parse.sitemap_malformed")


MALFORMED = {
    "html-entity-in-loc": _urlset(f"{BASE}/Triciclo-1&Acirc;&ordm;-Tico"),
    "internal-entity-in-loc": (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x "/secret">]><urlset {NS}>'
        f"<url><loc>{BASE}&x;</loc></url></urlset>"
    ).encode(),
    "unclosed-element": _urlset(f"{BASE}/a").replace(b"</urlset>", b""),
    "cut-in-the-middle": _urlset(f"{BASE}/a", f"{BASE}/b")[:-30],
    "html-page": b"<!DOCTYPE html><html><head><title>Not found</title></head><body></body></html>",
    "xhtml-root": b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    "text-with-prose-line": f"{BASE}/n/1\nSee also our news page\n".encode(),
    "text-relative-line": f"{BASE}/n/1\n/n/2\n".encode(),
    "text-url-with-space": f"{BASE}/n/1 {BASE}/n/2\n".encode(),
    "empty": b"  \n",
    "text-latin1": f"{BASE}/caf\xe9\n".encode("latin-1"),
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_an_unreadable_sitemap_is_refused_not_guessed(body: bytes) -> None:
    with pytest.raises(SitemapMalformed):
        parse_sitemap(body)
    spider, items, _ = _crawl(f"{BASE}/s.xml", {f"{BASE}/s.xml": body})
    assert items == []
    assert stats(spider).get("ewsi/errors/parse.sitemap_malformed") == 1


LOOPS = {
    "self": {
        f"{BASE}/s.xml": _index(f"{BASE}/s.xml", f"{BASE}/a.xml"),
        f"{BASE}/a.xml": _urlset(f"{BASE}/1"),
    },
    "two-cycle": {
        f"{BASE}/s.xml": _index(f"{BASE}/b.xml"),
        f"{BASE}/b.xml": _index(f"{BASE}/s.xml", f"{BASE}/a.xml"),
        f"{BASE}/a.xml": _urlset(f"{BASE}/1"),
    },
    "variant-spellings": {
        f"{BASE}/s.xml": _index(f"{BASE}/s.xml#top", "/s.xml", f"{BASE}/a.xml?b=2&amp;a=1"),
        f"{BASE}/a.xml?b=2&a=1": _index(f"{BASE}/a.xml?a=1&b=2", f"{BASE}/c.txt"),
        f"{BASE}/c.txt": f"{BASE}/1\n".encode(),
    },
    "relative-child": {f"{BASE}/s.xml": _index("a.xml", "./s.xml"), f"{BASE}/a.xml": _urlset("/1")},
    "index-to-text": {f"{BASE}/s.xml": _index(f"{BASE}/t.txt"), f"{BASE}/t.txt": f"{BASE}/1\n".encode()},
}


@pytest.mark.parametrize("site", LOOPS.values(), ids=LOOPS.keys())
def test_looping_indexes_end_with_every_url_once(site: dict[str, bytes]) -> None:
    spider, items, fetched = _crawl(f"{BASE}/s.xml", site)
    assert items == [f"{BASE}/1"]
    assert len(fetched) == len(site)
    assert not stats(spider).get("ewsi/errors/parse.sitemap_malformed")


@pytest.mark.parametrize("levels", [5, 6, 12])
def test_indexes_nested_too_deep_fail_the_run(levels: int) -> None:
    site = {f"{BASE}/s{i}.xml": _index(f"{BASE}/s{i + 1}.xml") for i in range(levels)}
    site[f"{BASE}/s{levels}.xml"] = _urlset(f"{BASE}/deep")
    spider, items, _ = _crawl(f"{BASE}/s0.xml", site)
    if levels <= 5:
        assert items == [f"{BASE}/deep"]
        assert not stats(spider).get("ewsi/errors/parse.sitemap_malformed")
    else:
        assert items == []
        assert stats(spider).get("ewsi/errors/parse.sitemap_malformed") == 1


def test_more_children_than_the_budget_is_an_error_not_a_silent_cut() -> None:
    children = [f"{BASE}/c{i}.xml" for i in range(60)]
    site = {f"{BASE}/s.xml": _index(*children)} | {c: _urlset(c.replace(".xml", "")) for c in children}
    spider, items, _ = _crawl(f"{BASE}/s.xml", site)
    assert len(items) == 50
    assert stats(spider).get("ewsi/errors/parse.sitemap_malformed") == 1


def test_a_bare_ampersand_is_counted_and_the_url_kept_whole() -> None:
    spider, items, _ = _crawl(f"{BASE}/s.xml", {f"{BASE}/s.xml": _urlset(f"{BASE}/news?id=7&lang=en")})
    assert items == [f"{BASE}/news?id=7&lang=en"]
    assert stats(spider).get("ewsi/sitemap/bare_ampersand") == 1
