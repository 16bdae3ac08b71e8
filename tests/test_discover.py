"""crawler.discover: feeds, sitemaps, JSON records and a listing selector read off recorded pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parsel import Selector

from crawler.discover import (
    discover,
    duplicate_of,
    feed_links,
    guess_api,
    propose_selector,
    robots_sitemaps,
    slug_for,
)
from crawler.urls import same_source_url

DATA = Path(__file__).parent / "data" / "discover"
BASE = "https://example.eu/integration-news_en"


def test_home_page_with_feed_link() -> None:
    found = discover(BASE, (DATA / "home_with_feed.html").read_bytes(), "text/html")
    assert found.feeds == ["https://example.eu/integration-news/feed_en?format=rss"]
    assert found.kind == "feed"
    assert found.feed_candidates == []


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<link rel="alternate" type="application/rss+xml" href="/rss">', ["https://example.eu/rss"]),
        (
            '<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="a.xml">',
            ["https://example.eu/a.xml"],
        ),
        (
            '<base href="https://cdn.example.eu/x/">'
            '<link rel="alternate" type="application/rss+xml" href="f">',
            ["https://cdn.example.eu/x/f"],
        ),
        ('<link rel="alternate" type="text/html" href="/fr">', []),
        ('<link rel="stylesheet" type="application/rss+xml" href="/rss">', []),
        ('<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">', []),
        (
            '<link rel="alternate" type="application/rss+xml" href="/a"><link rel="alternate" '
            'type="application/rss+xml" href="/a">',
            ["https://example.eu/a"],
        ),
    ],
)
def test_feed_link_table(head: str, expected: list[str]) -> None:
    assert feed_links(f"<html><head>{head}</head><body></body></html>", BASE) == expected


def test_page_without_feed_gets_common_paths_to_try() -> None:
    found = discover(BASE, (DATA / "listing.html").read_bytes(), "text/html")
    assert found.feeds == []
    assert found.feed_candidates[0] == "https://example.eu/feed/"


def test_listing_selector_matches_the_article_block_only() -> None:
    html = (DATA / "listing.html").read_text()
    selector, links = propose_selector(html, "https://example.eu/news_en")
    assert selector is not None
    matched = Selector(text=html).css(selector).getall()
    assert sorted(matched) == sorted(
        f"/news/2026/{s}"
        for s in (
            "language-courses-expanded",
            "new-reception-centre",
            "labour-market-access",
            "housing-support",
            "school-integration",
        )
    )
    assert links[0] == "https://example.eu/news/2026/language-courses-expanded"


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><p>no links</p></body></html>",
        "<html><body><nav>"
        + "".join(f'<a href="/n/{i}/x">{i}</a>' for i in range(9))
        + "</nav></body></html>",
        "<html><body><ul>"
        + "".join(f'<li><a href="https://other.eu/n/{i}">{i}</a></li>' for i in range(9))
        + "</ul></body></html>",
        "<html><body><ul>"
        + "".join(f'<li><a href="/n/{i}">{i}</a></li>' for i in range(3))
        + "</ul></body></html>",
        "",
    ],
)
def test_no_selector_without_a_repeated_block(html: str) -> None:
    assert propose_selector(html, "https://example.eu/") == (None, [])


def test_api_answer() -> None:
    found = discover("https://example.eu/api/search", (DATA / "api.json").read_bytes(), "application/json")
    assert found.kind == "api"
    assert found.api is not None
    assert found.api.as_config() == {
        "items": "result.docs",
        "title": "docTitle",
        "published": "publicationDate",
        "link": "documentUrl",
        "summary": "leadText",
    }
    assert found.api.count == 3


@pytest.mark.parametrize(
    ("doc", "items", "title"),
    [
        ([{"title": "a"}, {"title": "b"}], "@", "title"),
        ({"data": [{"name": "a", "id": 1}]}, "data", "name"),
        ({"a": [{"headline": "x"}], "b": {"c": [{"title": "1"}, {"title": "2"}]}}, "b.c", "title"),
        ({"hits": [{"Title Text": "x"}]}, "hits", '"Title Text"'),
    ],
)
def test_api_guess_table(doc: object, items: str, title: str) -> None:
    guess = guess_api(json.dumps(doc).encode())
    assert guess is not None
    assert (guess.items, guess.title) == (items, title)
    import jmespath

    assert jmespath.search(
        f"{guess.items}[0].{guess.title}" if guess.items != "@" else f"[0].{guess.title}", doc
    )


@pytest.mark.parametrize("body", [b"{}", b"[1, 2]", b'{"a": [{"x": 1}]}', b"not json", b"\xff\xfe"])
def test_api_guess_none(body: bytes) -> None:
    assert guess_api(body) is None


def test_robots_sitemaps() -> None:
    assert robots_sitemaps((DATA / "robots.txt").read_text(), "https://example.eu/robots.txt") == [
        "https://example.eu/sitemap.xml",
        "https://example.eu/news-sitemap.xml",
    ]
    assert robots_sitemaps("", "https://example.eu/robots.txt") == []


def test_sitemap_only_site() -> None:
    found = discover(
        "https://example.eu/",
        b"<html><body><p>Welcome</p></body></html>",
        "text/html",
        (DATA / "robots.txt").read_text(),
    )
    assert found.kind == "sitemap"


def test_a_feed_url_is_its_own_feed() -> None:
    found = discover("https://example.eu/rss.xml", (DATA / "feed.xml").read_bytes(), "application/rss+xml")
    assert found.feeds == ["https://example.eu/rss.xml"]


EXISTING = {
    "ecre": ["https://ecre.org/feed/"],
    "x": ["https://x.eu/a"],
    "test-feed": ["http://127.0.0.1:8765/feed.xml"],
    "lang": ["https://y.eu/news?lang=de"],
}


@pytest.mark.parametrize(
    ("urls", "expected"),
    [
        # the same scheme, host, port, path and query
        (["https://ecre.org/feed/"], "ecre"),
        (["https://ECRE.org/feed/"], "ecre"),  # host case
        (["HTTPS://ecre.org:443/feed/"], "ecre"),  # scheme case, default port
        (["https://ecre.org./feed/#latest"], "ecre"),  # trailing dot, fragment
        (["http://127.0.0.1:8765/feed.xml"], "test-feed"),
        (["http://127.0.0.1:8765/%7efeed"], None),
        (["https://ECRE.org/%66eed/"], "ecre"),  # an unreserved escape
        (["https://ｅｃｒｅ.org/feed/"], "ecre"),  # full-width host, as fetched
        (["https://y.eu/news?lang=de"], "lang"),
        (["https://x.eu:443/a", "https://other.org/"], "x"),
        # another port, scheme, host, path or query: another source URL
        (["http://127.0.0.1:8766/feed.xml"], None),
        (["https://127.0.0.1:8765/feed.xml"], None),
        (["http://127.0.0.1/feed.xml"], None),
        (["http://ecre.org/feed/"], None),
        (["https://ecre.org:8443/feed/"], None),
        (["https://www.ecre.org/feed/"], None),
        (["https://ecre.org/feed"], None),
        (["https://ecre.org/Feed/"], None),
        (["https://ecre.org/feed/?page=2"], None),
        (["https://y.eu/news?lang=fr"], None),
        (["https://ecre.org/news/"], None),
        (["not a url", "javascript:alert(1)"], None),
    ],
)
def test_duplicate_of(urls: list[str], expected: str | None) -> None:
    assert duplicate_of(urls, EXISTING) == expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("http://127.0.0.1:8765/feed.xml", "http://127.0.0.1:8766/feed.xml", False),
        ("http://example.eu/feed", "http://example.eu:80/feed", True),
        ("https://example.eu/feed", "https://example.eu:443/feed", True),
        ("http://example.eu:443/feed", "https://example.eu/feed", False),
        ("https://example.eu", "https://example.eu/", True),
        ("https://example.eu/a%2fb", "https://example.eu/a%2Fb", True),
        # parameters in any order: one URL, as the crawl's dedup reads a query (tests/test_url_dots.py)
        ("https://example.eu/a?x=1&y=2", "https://example.eu/a?y=2&x=1", True),
        ("https://user@example.eu/a", "https://user@example.eu/a", False),  # not a web URL
        # one URL as the crawl fetches it (w3lib safe_url_string: NFKC and IDNA host, UTF-8 escapes)
        ("https://ｅｘａｍｐｌｅ.eu/feed", "https://example.eu/feed", True),
        ("https://example。eu/feed", "https://example.eu/feed", True),
        ("https://example．eu./feed", "https://example.eu/feed", True),
        ("https://bücher.de/", "https://xn--bcher-kva.de/", True),
        ("https://BÜCHER.de/", "https://XN--BCHER-KVA.de:443/", True),
        ("https://faß.de/", "https://fass.de/", True),  # IDNA 2003, as the crawl fetches it
        ("https://example.eu/%7Euser", "https://example.eu/~user", True),
        ("https://example.eu/%7euser", "https://example.eu/~user", True),
        ("https://example.eu/%41%2D%5F%2E%30", "https://example.eu/A-_.0", True),
        ("https://example.eu/f?q=%61%7e", "https://example.eu/f?q=a~", True),
        ("https://example.eu/ü?q=é", "https://example.eu/%C3%BC?q=%c3%a9", True),
        ("https://example.eu/a%2Fb", "https://example.eu/a/b", False),  # a reserved escape stays
        ("https://example.eu/a%3Fb", "https://example.eu/a?b", False),
        ("https://example.eu/\u200b", "https://example.eu/", False),  # refused by sources add
        ("https://example.eu/a%20b", "https://example.eu/a b", False),  # a space: not a web URL
    ],
)
def test_same_source_url(a: str, b: str, same: bool) -> None:
    assert same_source_url(a, b) is same
    assert same_source_url(b, a) is same


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://www.ecre.org/feed/", "ecre-org-feed"),
        (
            "https://migrant-integration.ec.europa.eu/integration-news_en",
            "migrant-integration-ec-europa-eu-news",
        ),
        ("https://example.eu/", "example-eu"),
        ("https://www.migrationpolicy.org/rss.xml", "migrationpolicy-org-rss"),
    ],
)
def test_slug_for(url: str, slug: str) -> None:
    assert slug_for(url) == slug


def test_recorded_corpus_pages_do_not_break_discovery(shared: Path) -> None:
    pages = sorted((shared / "corpus" / "html").rglob("*.html"))[:40]
    assert pages
    for page in pages:
        found = discover("https://example.eu/page", page.read_bytes(), "text/html")
        assert found.kind in (None, "feed", "listing")
