"""Fuzz tests for the parsers that read outside bytes (issue 12, a): feed, JSON Feed, sitemap, robots.txt,
dates, URLs and HTML decoding. For any input each returns or raises only its named error, within a
bounded time (hypothesis deadline) and on inputs of bounded size (bounded memory).

Inputs mix raw bytes with sequences of the tokens these formats are made of, so the parsers get past
their first check.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import TextResponse
from scrapy.robotstxt import ProtegoRobotParser

from crawler.encoding import decode_html
from crawler.types import HarvestedItem
from pipelines.dates import parse_date
from pipelines.urls import canonical_url, clean_url
from spiders.jsonfeed import NotJsonFeed, parse_json_feed
from spiders.sitemapdoc import SitemapMalformed, parse_sitemap
from tests.test_spiders import make_spider, run, stats

FUZZ = settings(max_examples=150, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
FUZZ_SLOW = settings(max_examples=40, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
"""The feed spider builds a Scrapy crawler per example (~50 ms): fewer examples keep it under 3 s."""

XML_TOKENS = [b'<?xml version="1.0" encoding="utf-8"?>', b'<?xml version="1.0" encoding="iso-8859-2"?>',
              b"<rss version=\"2.0\">", b"</rss>", b"<channel>", b"</channel>", b"<item>", b"</item>",
              b"<title>", b"</title>", b"<link>", b"</link>", b"<guid>", b"</guid>", b"<pubDate>",
              b"</pubDate>", b'<feed xmlns="http://www.w3.org/2005/Atom">', b"</feed>", b"<entry>",
              b"</entry>", b'<link rel="alternate" href="/a" hreflang="de"/>', b'<content type="xhtml">',
              b"</content>", b'<enclosure url="x.pdf" type="image/png"/>', b"https://e.eu/a?x=1&y=2",
              b"&amp;", b"&", b"&#233;", b"&nbsp;", b"\xc3\xa9", b"\xe9", b"\xff", b"\x00", b"<![CDATA[",
              b"]]>", b"<!DOCTYPE rss [<!ENTITY x 'y'>]>", b"&x;", b"Integration", b" ", b"\n",
              b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">', b"</urlset>", b"<url>",
              b"</url>", b"<loc>", b"</loc>", b"<sitemapindex>", b"</sitemapindex>", b"<sitemap>",
              b"</sitemap>", b"<lastmod>2025-03-04</lastmod>", b"<html>",
              b"<meta charset=windows-1250>"]  # fmt: skip
JSON_TOKENS = [b"{", b"}", b"[", b"]", b",", b":", b'"version"', b'"https://jsonfeed.org/version/1.1"',
               b'"items"', b'"id"', b'"url"', b'"title"', b'"date_published"', b'"2025-03-04T09:00:00Z"',
               b'"attachments"', b'"authors"', b'"name"', b"null", b"1e999", b"-0", b'"\\ud800"',
               b"true"]  # fmt: skip
ROBOTS_TOKENS = [b"User-agent: *\n", b"User-agent: ewsi\n", b"Disallow: /\n", b"Allow: /news\n",
                 b"Disallow: /*?sid=\n", b"Crawl-delay: 10\n", b"Sitemap: https://e.eu/s.xml\n", b"\r\n",
                 b"\xef\xbb\xbf", b"# comment\n", b"Disallow: /caf\xe9\n", b"$", b"*"]  # fmt: skip

DATE_TOKENS = ["2025", "-", "03", "04", "T", "09:00", ":60", "Z", "+01:00", " ", "mars", "März", "grudnia",
               "Μαρτίου", "0000", "99", "GMT", "+2500", "."]  # fmt: skip
URL_TOKENS = ["https://", "http://", "www.", "e.eu", "xn--", "ü", ":", "8080", "99999", "/", "?", "&", "=",
              "#",
              "%", "%zz", "@", "[", "::1", "]", ";jsessionid=1", "utm_source", " ", "\t", "\x00", "..",
              "javascript:"]  # fmt: skip


def _mixed(tokens: list[bytes]) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=3000),
        st.lists(st.sampled_from(tokens), max_size=120).map(b"".join),
        st.lists(st.one_of(st.sampled_from(tokens), st.binary(max_size=8)), max_size=80).map(b"".join),
    )


@FUZZ
@given(
    body=_mixed(XML_TOKENS),
    content_type=st.sampled_from(["application/rss+xml", "text/html", "", "text/xml; charset=us-ascii"]),
)
def test_feed_spider_never_raises(body: bytes, content_type: str) -> None:
    spider = make_spider(id="fuzz", kind="feed", urls=["https://e.eu/rss"], languages=["de"])
    headers = {"Content-Type": content_type} if content_type else {}
    response = TextResponse("https://e.eu/rss", body=body, headers=headers, encoding="utf-8")
    out = run(spider, response)[0]
    assert all(isinstance(o, HarvestedItem) for o in out)
    errors = {k for k in stats(spider) if k.startswith("ewsi/errors/")}
    assert errors <= {"ewsi/errors/parse.not_a_feed", "ewsi/errors/parse.feed_malformed"}
    assert not (out and errors - {"ewsi/errors/parse.feed_malformed"})


@FUZZ
@given(body=_mixed(JSON_TOKENS))
def test_json_feed_reader_raises_only_not_json_feed(body: bytes) -> None:
    try:
        parsed = parse_json_feed(body)
    except NotJsonFeed:
        return
    assert isinstance(parsed["entries"], list)


@FUZZ
@given(body=_mixed(XML_TOKENS))
def test_sitemap_reader_raises_only_sitemap_malformed(body: bytes) -> None:
    try:
        doc = parse_sitemap(body)
    except SitemapMalformed:
        return
    assert doc.kind in ("urlset", "sitemapindex")
    assert all(isinstance(e["loc"], str) and e["loc"] for e in doc.entries)


@FUZZ
@given(body=_mixed(ROBOTS_TOKENS), path=st.text(max_size=60))
def test_robots_parser_never_raises(body: bytes, path: str) -> None:
    parser = ProtegoRobotParser(body, None)
    assert parser.allowed("https://e.eu/" + path, "ewsi") in (True, False)


@FUZZ
@given(
    raw=st.one_of(
        st.text(max_size=200),
        st.lists(st.sampled_from(DATE_TOKENS), max_size=20).map("".join),
    ),
    languages=st.lists(st.sampled_from(["de", "fr", "pl", "el", "xx"]), max_size=3),
)  # fmt: skip
def test_date_parser_returns_utc_or_none(raw: str, languages: list[str]) -> None:
    value = parse_date(raw, ZoneInfo("Europe/Brussels"), languages=languages)
    assert value is None or (value.tzinfo is not None and value.utcoffset().total_seconds() == 0)


@FUZZ
@given(
    url=st.one_of(
        st.text(max_size=300),
        st.lists(st.sampled_from(URL_TOKENS), max_size=30).map("".join),
    ),
    base=st.sampled_from([None, "https://e.eu/news/", "http://[::1]/", "not a url"]),
)  # fmt: skip
def test_url_cleaning_returns_a_url_or_none(url: str, base: str | None) -> None:
    cleaned = clean_url(url, base)
    if cleaned is None:
        return
    assert cleaned.startswith(("http://", "https://"))
    assert canonical_url(cleaned)


@FUZZ
@given(
    body=_mixed(XML_TOKENS),
    header=st.sampled_from([None, "utf-8", "text/html; charset=windows-1250", "x-unknown", "utf-7"]),
)
def test_html_decoding_always_gives_text(body: bytes, header: str | None) -> None:
    started = datetime.now(UTC)
    text, encoding = decode_html(body, header)
    assert isinstance(text, str) and encoding
    assert (datetime.now(UTC) - started).total_seconds() < 1
