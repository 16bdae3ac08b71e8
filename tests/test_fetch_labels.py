"""Content-Encoding labels that lie (crawler.fetch.compression, crawler.fetch.oneshot's decode_body).

Rules under test (module docstring of crawler.fetch.compression):
- declared but not applied: a body that cannot be decoded from its declared encoding but is plain
  markup (``<`` or ``{`` first) was never compressed and is read as it is (node-feedparser#277,
  httpx#307); a body in the format but cut or corrupt stays ``fetch.data_loss``;
- applied but not declared: a source's body (or a followed page served as text) that starts with
  the gzip magic once its declared encodings are removed is gunzipped, at most two layers
  (rss-parser#280, trafficcontrol#1737); an attachment keeps its bytes.
"""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import brotli
import pytest
from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.utils.test import get_crawler

from crawler.fetch.compression import StrictCompressionMiddleware, decode_body
from crawler.fetch.refusals import FetchRefused

URL = "https://city.example.eu/feed.xml"
FEED = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>C</title></channel></rss>'
JSON = b'{"version": "https://jsonfeed.org/version/1.1", "items": []}'
LIMIT = 1024 * 1024


def _raw_deflate(data: bytes) -> bytes:
    comp = zlib.compressobj(wbits=-15)
    return comp.compress(data) + comp.flush()


def _middleware() -> tuple[StrictCompressionMiddleware, Any]:
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": LIMIT})
    crawler.stats.open_spider()
    return StrictCompressionMiddleware.from_crawler(crawler), crawler.stats


def _through(headers: dict[str, str], body: bytes, role: str | None = "source") -> tuple[Any, dict[str, Any]]:
    mw, stats = _middleware()
    request = Request(URL, meta={"ewsi_role": role} if role else {})
    response = Response(URL, body=body, headers=headers, request=request)
    try:
        out: Any = mw.process_response(request, response)
    except FetchRefused as exc:
        out = exc
    return out, stats.get_stats()


PAGE = b"<html><body>x</body></html>"
# Content-Encoding (None: no header), Content-Type, body as served, request role, the body the spider
# reads, then the counts of ewsi/fetch/encoding_not_applied and ewsi/fetch/gzip_undeclared
READ = {
    "gzip-declared": ("gzip", "application/rss+xml", gzip.compress(FEED), "source", FEED, 0, 0),
    "deflate-zlib": ("deflate", "application/rss+xml", zlib.compress(FEED), "source", FEED, 0, 0),
    "deflate-raw": ("deflate", "application/rss+xml", _raw_deflate(FEED), "source", FEED, 0, 0),
    "br": ("br", "application/rss+xml", brotli.compress(FEED), "source", FEED, 0, 0),
    "no-encoding": (None, "application/rss+xml", FEED, "source", FEED, 0, 0),
    "gzip-undeclared": (None, "application/rss+xml", gzip.compress(FEED), "source", FEED, 0, 1),
    "gzip-as-x-gzip-type": (None, "application/x-gzip", gzip.compress(FEED), "source", FEED, 0, 1),
    "gzip-twice-undeclared": (None, "text/xml", gzip.compress(gzip.compress(FEED)), "source", FEED, 0, 1),
    "gzip-twice-declared-once": ("gzip", "application/rss+xml", gzip.compress(gzip.compress(FEED)), "source",
                                 FEED, 0, 1),
    "gzip-inside-br": ("br", "text/xml", brotli.compress(gzip.compress(FEED)), "source", FEED, 0, 1),
    "gzip-declared-plain-body": ("gzip", "application/rss+xml", FEED, "source", FEED, 1, 0),
    "gzip-declared-plain-bom-blank": ("gzip", "text/xml", b"\xef\xbb\xbf\n " + FEED, "source",
                                      b"\xef\xbb\xbf\n " + FEED, 1, 0),
    "deflate-declared-plain-body": ("deflate", "application/rss+xml", FEED, "source", FEED, 1, 0),
    "br-declared-plain-json": ("br", "application/feed+json", JSON, "source", JSON, 1, 0),
    "x-gzip-declared-plain-json": ("x-gzip", "application/json", JSON, "source", JSON, 1, 0),
    "gzip-declared-empty-body": ("gzip", "application/rss+xml", b"", "source", b"", 1, 0),
    "deflate-declared-blank-body": ("deflate", "application/rss+xml", b" \r\n", "source", b" \r\n", 1, 0),
    "page-html-gzip-undeclared": (None, "text/html; charset=utf-8", gzip.compress(PAGE), "page", PAGE, 0, 1),
}  # fmt: skip


@pytest.mark.parametrize(
    ("encoding", "media", "body", "role", "read", "not_applied", "undeclared"), READ.values(), ids=READ.keys()
)
def test_the_spider_reads_the_document_whatever_the_label(
    encoding: str | None, media: str, body: bytes, role: str, read: bytes, not_applied: int, undeclared: int
) -> None:
    headers = {"Content-Type": media, **({"Content-Encoding": encoding} if encoding else {})}
    out, stats = _through(headers, body, role)
    assert isinstance(out, Response), out
    assert out.body == read
    assert b"Content-Encoding" not in out.headers
    assert stats.get("ewsi/fetch/encoding_not_applied", 0) == not_applied
    assert stats.get("ewsi/fetch/gzip_undeclared", 0) == undeclared
    if media == "application/x-gzip":  # the header named the archive: the body's own type is sniffed
        assert b"Content-Type" not in out.headers
    else:
        assert out.headers.get(b"Content-Type") == media.encode()


def test_a_gzip_twice_declared_once_is_read_and_counted() -> None:
    out, stats = _through({"Content-Encoding": "gzip"}, gzip.compress(gzip.compress(FEED)))
    assert out.body == FEED and stats.get("ewsi/fetch/gzip_undeclared") == 1


def test_an_undeclared_gzip_body_is_a_text_response_again() -> None:
    out, _ = _through({"Content-Type": "application/rss+xml"}, gzip.compress(FEED))
    assert isinstance(out, TextResponse) and out.text.startswith("<?xml")


# bodies that stay errors: in the format but cut or corrupt, or not markup at all
REFUSED = {
    "gzip-cut": ({"Content-Encoding": "gzip"}, gzip.compress(FEED * 50)[:-20], "fetch.data_loss"),
    "gzip-crc": ({"Content-Encoding": "gzip"}, gzip.compress(FEED)[:-8] + b"\x00\x00\x00\x00" + b"\x00" * 4,
                 "fetch.data_loss"),
    "undeclared-gzip-cut": ({}, gzip.compress(FEED * 50)[:-20], "fetch.data_loss"),
    "br-not-markup": ({"Content-Encoding": "br"}, b"not brotli and not markup", "fetch.data_loss"),
    "deflate-binary-junk": ({"Content-Encoding": "deflate"}, b"\xff\xfe\x00junk", "fetch.data_loss"),
    "undeclared-gzip-bomb": ({}, gzip.compress(b"<" + b" " * (LIMIT + 10)), "fetch.too_large"),
}  # fmt: skip


@pytest.mark.parametrize(("headers", "body", "key"), REFUSED.values(), ids=REFUSED.keys())
def test_cut_corrupt_or_oversized_bodies_stay_errors(headers: dict[str, str], body: bytes, key: str) -> None:
    out, _ = _through({"Content-Type": "application/rss+xml", **headers}, body)
    assert isinstance(out, FetchRefused) and out.ewsi_key == key, out


@pytest.mark.parametrize(
    ("role", "media"),
    [
        ("attachment", "application/gzip"),
        ("attachment", "text/csv"),
        ("page", "application/gzip"),
        (None, "x"),
    ],
)
def test_gzip_documents_that_are_not_read_as_text_keep_their_bytes(role: str | None, media: str) -> None:
    archive = gzip.compress(b"a,b\n1,2\n")
    out, stats = _through({"Content-Type": media}, archive, role)
    assert out.body == archive and stats.get("ewsi/fetch/gzip_undeclared") is None


@pytest.mark.parametrize(
    ("encoding", "body", "expected"),
    [
        ("", gzip.compress(FEED), FEED),
        ("gzip", gzip.compress(gzip.compress(FEED)), FEED),
        ("gzip", FEED, FEED),
        ("deflate", JSON, JSON),
        ("gzip", gzip.compress(FEED), FEED),
        ("", FEED, FEED),
    ],
    ids=[
        "undeclared",
        "twice-declared-once",
        "declared-not-applied",
        "deflate-not-applied",
        "declared",
        "plain",
    ],
)
def test_one_shot_fetch_decodes_as_the_crawl(encoding: str, body: bytes, expected: bytes) -> None:
    assert decode_body(body, encoding, LIMIT, URL) == expected


def test_one_shot_fetch_refuses_a_cut_stream_as_the_crawl() -> None:
    with pytest.raises(FetchRefused) as refused:
        decode_body(gzip.compress(FEED * 50)[:-20], "gzip", LIMIT, URL)
    assert refused.value.ewsi_key == "fetch.data_loss"
