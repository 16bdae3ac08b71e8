"""`ewsi sources check` reads a feed in any encoding as the crawl reads it: one reader (crawler.onboard
`crawl_bytes`: crawler.xmltext for XML, crawler.jsontext for JSON), no byte sniffer of its own.

Each document is written in each encoding of the table (UTF-8 with and without a byte order mark,
UTF-16 and UTF-32 in both byte orders with a mark, UTF-16 and UTF-32 without one but declared,
ISO-8859-1 and windows-1252 declared), checked with `check_source`, then crawled through the feed
spider from the same bytes: the check says ``ok`` exactly when the crawl harvests the entries, with
the titles of the UTF-8 original; ``parse.no_items`` and ``parse.not_a_feed`` when it harvests none.
"""

from __future__ import annotations

import codecs
import gzip
import json

import pytest
from scrapy.http import Response

from crawler.onboard import check_source, crawl_bytes
from crawler.sources import Source
from tests.test_check_like_crawl import _fetcher, _robots
from tests.test_check_like_crawl import _source as _check_source
from tests.test_spiders import make_spider, run

URL = "https://integration.example.eu/feed.xml"
TITLES = ["Café für Geflüchtete öffnet", "Sprachkurse für Asylsuchende"]
RSS = (
    '<?xml version="1.0" encoding="{label}"?>\n<rss version="2.0"><channel><title>Intégration à Wien</title>'
    "<link>https://integration.example.eu/</link><description>News</description>"
    f"<item><title>{TITLES[0]}</title><link>https://integration.example.eu/news/cafe</link></item>"
    f"<item><title>{TITLES[1]}</title><link>https://integration.example.eu/news/kurse</link></item>"
    "</channel></rss>\n"
)
ATOM = (
    '<?xml version="1.0" encoding="{label}"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    "<title>Intégration à Wien</title><id>https://integration.example.eu/</id>"
    "<updated>2026-01-02T10:00:00Z</updated>"
    f"<entry><title>{TITLES[0]}</title><id>urn:cafe</id>"
    '<link href="https://integration.example.eu/news/cafe"/><updated>2026-01-02T10:00:00Z</updated></entry>'
    f"<entry><title>{TITLES[1]}</title><id>urn:kurse</id>"
    '<link href="https://integration.example.eu/news/kurse"/><updated>2026-01-01T10:00:00Z</updated></entry>'
    "</feed>\n"
)
EMPTY = (
    '<?xml version="1.0" encoding="{label}"?>\n<rss version="2.0"><channel><title>Intégration</title>'
    "<link>https://integration.example.eu/</link><description>Nothing yet</description></channel></rss>\n"
)
PAGE = (
    '<?xml version="1.0" encoding="{label}"?>\n<html><head><title>Flüchtlingshilfe</title></head>'
    "<body><p>Unsere Nachrichten als RSS abonnieren.</p></body></html>\n"
)
# name -> (template, check key, titles the crawl harvests)
DOCUMENTS: dict[str, tuple[str, str, list[str]]] = {
    "rss": (RSS, "ok", TITLES),
    "atom": (ATOM, "ok", TITLES),
    "empty": (EMPTY, "parse.no_items", []),
    "page": (PAGE, "parse.not_a_feed", []),
}
# (name, codec writing the characters, byte order mark put before them, label in the declaration)
ENCODINGS = [
    ("utf-8", "utf-8", b"", "utf-8"),
    ("utf-8 with BOM", "utf-8", codecs.BOM_UTF8, "utf-8"),
    ("utf-16-le with BOM", "utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
    ("utf-16-be with BOM", "utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
    ("utf-16-le without BOM, declared", "utf-16-le", b"", "UTF-16LE"),
    ("utf-16-be without BOM, declared", "utf-16-be", b"", "UTF-16BE"),
    ("utf-16-le without BOM, declared utf-16", "utf-16-le", b"", "utf-16"),
    ("utf-32-le with BOM", "utf-32-le", codecs.BOM_UTF32_LE, "utf-32"),
    ("utf-32-be with BOM", "utf-32-be", codecs.BOM_UTF32_BE, "utf-32"),
    ("utf-32-le without BOM, declared", "utf-32-le", b"", "utf-32"),
    ("latin-1 declared", "latin-1", b"", "iso-8859-1"),
    ("windows-1252 declared", "cp1252", b"", "windows-1252"),
]
CASES = [
    pytest.param(doc, codec, bom, label, id=f"{doc}-{name}")
    for doc in DOCUMENTS
    for name, codec, bom, label in ENCODINGS
]


def _source() -> Source:
    return _check_source("feed", URL)


def _crawled_titles(body: bytes, content_type: str) -> list[str]:
    spider = make_spider(id="wide", kind="feed", urls=[URL])
    harvested, _ = run(spider, Response(URL, body=body, headers={"Content-Type": content_type}))
    return sorted(item.title or "" for item in harvested)


@pytest.mark.parametrize(("doc", "codec", "bom", "label"), CASES)
def test_check_and_crawl_read_a_feed_in_every_encoding_alike(
    doc: str, codec: str, bom: bytes, label: str
) -> None:
    template, check_key, titles = DOCUMENTS[doc]
    body = bom + template.format(label=label).encode(codec)
    for content_type in ("application/xml", "text/xml; charset=" + label):
        verdict = check_source(_source(), _fetcher(body, content_type), _robots)
        assert verdict.key == check_key, verdict.message
        assert _crawled_titles(body, content_type) == sorted(titles)


ENTRIES = [
    {"id": str(n), "url": f"https://integration.example.eu/{n}", "title": t} for n, t in enumerate(TITLES)
]
JSON_FEED = json.dumps(
    {"version": "https://jsonfeed.org/version/1.1", "title": "Intégration", "items": ENTRIES}
)


@pytest.mark.parametrize(
    "codec", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"]
)
def test_a_json_feed_in_every_unicode_encoding_is_checked_as_crawled(codec: str) -> None:
    body = JSON_FEED.encode(codec)
    verdict = check_source(_source(), _fetcher(body, "application/feed+json"), _robots)
    assert verdict.key == "ok", verdict.message
    assert _crawled_titles(body, "application/feed+json") == sorted(TITLES)


GZIPPED = gzip.compress(RSS.format(label="utf-8").encode("utf-8"), mtime=0)  # NULs, no wide text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (RSS.format(label="utf-16").encode("utf-16"), RSS.format(label="utf-8").encode("utf-8")),
        (RSS.format(label="UTF-32BE").encode("utf-32-be"), RSS.format(label="utf-8").encode("utf-8")),
        (JSON_FEED.encode("utf-16-le"), JSON_FEED.encode("utf-8")),
        (JSON_FEED.encode("utf-32"), JSON_FEED.encode("utf-8")),
        (RSS.format(label="iso-8859-1").encode("latin-1"), RSS.format(label="iso-8859-1").encode("latin-1")),
        (codecs.BOM_UTF8 + JSON_FEED.encode("utf-8"), JSON_FEED.encode("utf-8")),
        (GZIPPED, GZIPPED),
    ],
    ids=[
        "rss-utf-16",
        "rss-utf-32-be",
        "json-utf-16-le",
        "json-utf-32",
        "latin-1-kept",
        "json-bom",
        "gzip-kept",
    ],
)
def test_crawl_bytes_gives_wide_text_as_utf8_and_keeps_the_rest(body: bytes, expected: bytes) -> None:
    assert crawl_bytes(body, "") == expected
