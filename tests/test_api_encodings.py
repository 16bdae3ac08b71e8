"""JSON answers and JSON Feeds in the encodings servers really send (crawler.jsontext): UTF-8 with or
without a byte order mark, UTF-16/32, and legacy 8-bit bytes under the charset the Content-Type names
(guzzle/guzzle#310, scrapy/scrapy#6456). Rule: a byte order mark or the UTF-16/32 NUL pattern names
the encoding; valid UTF-8 is UTF-8 whatever the label; other bytes are read in the labelled charset
when they decode in it, else as a page would be; the answer's records are never all lost to one byte.
"""

from __future__ import annotations

import codecs
import json

import pytest
from scrapy.http import TextResponse

from crawler.jsontext import json_text
from crawler.probe import ProbeResult, verdict
from tests.test_spiders import make_spider, run

URL = "https://api.example.eu/calls"
RECORDS = {
    "fr": "Accueil des réfugiés : un guichet unique à Lyon",
    "de": "Sprachkurse für Geflüchtete in Köln: Anmeldung ab März",
    "pl": "Integracja cudzoziemców: kursy językowe w Łodzi",
    "cs": "Integrace cizinců: kurzy češtiny v Brně",
    "el": "Ένταξη μεταναστών: μαθήματα ελληνικών",
}


def _answer(title: str) -> str:
    return json.dumps({"results": [{"title": title, "url": "https://api.example.eu/1"}]}, ensure_ascii=False)


# (language, bytes, Content-Type): every one must read back as RECORDS[language]
CASES = [
    ("fr", _answer(RECORDS["fr"]).encode("iso-8859-1"), "application/json; charset=iso-8859-1"),
    ("fr", _answer(RECORDS["fr"]).encode("cp1252"), 'application/json; charset="windows-1252"'),
    ("de", _answer(RECORDS["de"]).encode("iso-8859-1"), "application/json;charset=ISO-8859-1"),
    ("pl", _answer(RECORDS["pl"]).encode("iso-8859-2"), "application/json; charset=iso-8859-2"),
    ("cs", _answer(RECORDS["cs"]).encode("cp1250"), "application/json; charset=windows-1250"),
    ("el", _answer(RECORDS["el"]).encode("iso-8859-7"), "application/json; charset=iso-8859-7"),
    ("de", codecs.BOM_UTF8 + _answer(RECORDS["de"]).encode("utf-8"), "application/json"),
    ("pl", codecs.BOM_UTF8 + _answer(RECORDS["pl"]).encode("utf-8"), ""),
    ("cs", _answer(RECORDS["cs"]).encode("utf-8"), "application/json; charset=iso-8859-1"),  # label wrong
    ("el", _answer(RECORDS["el"]).encode("utf-16"), "application/json"),
    ("fr", _answer(RECORDS["fr"]).encode("utf-16-le"), ""),
    ("de", _answer(RECORDS["de"]).encode("utf-32"), "application/json"),
]


@pytest.mark.parametrize(("language", "body", "content_type"), CASES)
def test_json_text_reads_every_encoding(language: str, body: bytes, content_type: str) -> None:
    assert json.loads(json_text(body, content_type))["results"][0]["title"] == RECORDS[language]


@pytest.mark.parametrize(("language", "body", "content_type"), CASES)
def test_api_source_keeps_its_records(language: str, body: bytes, content_type: str) -> None:
    spider = make_spider(
        id="calls",
        kind="api",
        urls=[URL],
        languages=[language],
        api={"items": "results", "title": "title", "link": "url"},
    )
    headers = {"Content-Type": content_type} if content_type else {}
    items, _ = run(spider, TextResponse(URL, body=body, headers=headers))
    assert [item.title for item in items] == [RECORDS[language]]
    assert "ewsi/errors/parse.json_invalid" not in spider.crawler.stats.get_stats()


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", ""])
def test_a_few_windows_1252_bytes_in_utf8_are_read_as_windows_1252(content_type: str) -> None:
    body = (
        _answer("Réfugiés \u2013 un plan pour l\u2019accueil")
        .encode("utf-8")
        .replace(b"\xe2\x80\x93", b"\x96")
    )
    assert json.loads(json_text(body, content_type))["results"][0]["title"] == (
        "Réfugiés \u2013 un plan pour l\u2019accueil"
    )


def test_ascii_answer_with_windows_1252_dash() -> None:
    body = _answer("Integration of migrants \u2013 a plan").encode("cp1252")
    assert json.loads(json_text(body, "application/json"))["results"][0]["title"] == (
        "Integration of migrants \u2013 a plan"
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (codecs.BOM_UTF8 + b'{"items": [{"title": "a"}]}', "application/json"),
        (_answer(RECORDS["fr"]).encode("iso-8859-1"), "application/json; charset=iso-8859-1"),
        (_answer(RECORDS["el"]).encode("utf-16"), "application/json"),
    ],
)
def test_sources_check_reads_the_answer_as_the_crawl_does(body: bytes, content_type: str) -> None:
    assert verdict(ProbeResult(URL, "api", 200, content_type=content_type, body=body)).key == "ok"


@pytest.mark.parametrize(("language", "encoding", "content_type"), [
    ("fr", "iso-8859-1", "application/feed+json; charset=iso-8859-1"),
    ("de", "cp1252", "application/json"),
    ("pl", "iso-8859-2", "application/feed+json; charset=iso-8859-2"),
    ("el", "utf-16", "application/feed+json"),
])  # fmt: skip
def test_json_feed_in_a_legacy_charset(language: str, encoding: str, content_type: str) -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "News",
        "items": [{"id": "1", "url": "https://news.example.eu/1", "title": RECORDS[language]}],
    }
    body = json.dumps(feed, ensure_ascii=False).encode(encoding)
    spider = make_spider(id="news", kind="feed", urls=[URL], languages=[language])
    items, _ = run(spider, TextResponse(URL, body=body, headers={"Content-Type": content_type}))
    assert [item.title for item in items] == [RECORDS[language]]
