"""JSON nested too deep is refused as such, never as "invalid JSON" (crawler.jsontext `MAX_DEPTH`).

Rule: arrays and objects nested more than 512 levels deep (RFC 8259 section 9 lets a parser set the
limit) raise `JsonTooDeep` before `json.loads` runs; brackets inside strings do not count. A crawl
records ``parse.json_too_deep`` for that page and keeps the run's other pages, ``sources check`` gives
the same key, a JSON Feed is malformed with that reason, and the desk's JSON bodies (the submission
API, the read API's cursors) refuse it as bad input, never with a 500.
"""

from __future__ import annotations

import base64
import json

import pytest
from fastapi import HTTPException
from scrapy.http import TextResponse

from crawler.errors import ERROR_KEYS, RecordsError
from crawler.fetch import oneshot
from crawler.jsontext import MAX_DEPTH, JsonTooDeep, load_json, nesting_depth, parse_json
from crawler.onboard import check_source
from crawler.sources import load_sources
from crawler.web.portal import decode_cursor
from spiders.api import read_records
from spiders.jsonfeed import parse_json_feed
from tests.test_spiders import make_spider, run

URL = "https://data.example.eu/api/items"
RECORD = {"title": "Language courses", "url": "https://data.example.eu/a/1"}


def arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def mixed(depth: int) -> str:
    return (
        "".join("[" if n % 2 else '{"k":' for n in range(depth))
        + "0"
        + "".join("]" if n % 2 else "}" for n in reversed(range(depth)))
    )


# (text, its nesting depth)
DEPTHS = [
    ("1", 0),
    ("[]", 1),
    ('{"results": [{"a": [1, {"b": []}]}]}', 6),
    (arrays(10), 10),
    (arrays(512), 512),
    (objects(512), 512),
    (mixed(512), 512),
    (arrays(513), 513),
    (objects(600), 600),
    (mixed(1_000), 1_000),
    (arrays(5_000), 5_000),
    ('["' + "[" * 5_000 + '"]', 1),  # brackets in a string do not count
    ('["\\"' + "{" * 5_000 + '", {}]', 2),  # nor after an escaped quote in it
    ('{"k\\\\": ' + arrays(600) + "}", 601),  # an escaped backslash ends no string early
    ("[" * 600 + "]" * 599, 600),  # cut short: not JSON, deep all the same
]


@pytest.mark.parametrize(("text", "depth"), DEPTHS, ids=[f"{d}-{len(t)}" for t, d in DEPTHS])
def test_nesting_depth_and_the_limit(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth
    if depth > MAX_DEPTH:
        with pytest.raises(JsonTooDeep, match=r"more than 512 levels.*MAX_DEPTH.*RFC 8259"):
            parse_json(text)
        with pytest.raises(JsonTooDeep):
            load_json(text.encode("utf-16"))  # any encoding the harvest reads
    elif text.count("[") == text.count("]") or '"' in text:
        assert parse_json(text) == json.loads(text)


def test_the_key_is_known_and_explained() -> None:
    assert "parse.json_too_deep" in ERROR_KEYS
    assert "512" in ERROR_KEYS["parse.json_too_deep"]


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (arrays(5_000), "parse.json_too_deep"),
        ('{"results": ' + arrays(513) + "}", "parse.json_too_deep"),
        (
            '{"results": [' + json.dumps(RECORD) + "], " + '"meta": ' + objects(2_000) + "}",
            "parse.json_too_deep",
        ),
        ("[" * 5_000, "parse.json_too_deep"),  # deep and cut short: depth is named first
        ('{"results": [' + json.dumps(RECORD) + "]", "parse.json_invalid"),  # cut short, shallow
        ('{"results": [' + json.dumps(RECORD) + "], " + '"meta": ' + arrays(500) + "}", None),
    ],
    ids=["arrays-5000", "results-513", "meta-2000", "cut-deep", "cut-shallow", "meta-500"],
)
def test_an_api_page_nested_too_deep_is_its_own_error(body: str, key: str | None) -> None:
    if key is None:
        assert read_records(body.encode(), "application/json", "results")[1] == [RECORD]
    else:
        with pytest.raises(RecordsError) as caught:
            read_records(body.encode(), "application/json", "results")
        assert caught.value.key == key


def test_a_deep_page_is_counted_and_the_runs_other_pages_are_kept() -> None:
    spider = make_spider(
        id="deep", kind="api", urls=[URL], api={"items": "results", "title": "title", "link": "url"}
    )
    headers = {"Content-Type": "application/json"}
    first, _ = run(spider, TextResponse(URL, body=arrays(5_000).encode(), headers=headers))
    second, _ = run(
        spider, TextResponse(URL + "?p=2", body=json.dumps({"results": [RECORD]}).encode(), headers=headers)
    )
    stats = spider.crawler.stats.get_stats()
    assert first == []
    assert [item.title for item in second] == ["Language courses"]
    assert stats["ewsi/errors/parse.json_too_deep"] == 1
    assert "ewsi/errors/parse.json_invalid" not in stats


def test_sources_check_names_the_depth_as_the_crawl_does() -> None:
    entry = {"id": "deep", "name": "x", "publisher": "x", "kind": "api", "urls": [URL],
             "api": {"items": "results", "title": "title", "link": "url"}}  # fmt: skip
    source = load_sources("t.yaml", text=json.dumps({"sources": [entry]})).sources[0]

    def fetch(url: str) -> oneshot.Fetched:
        return oneshot.Fetched(url, url, 200, "application/json", arrays(5_000).encode())

    verdict = check_source(source, fetch, lambda url: (True, ""))
    assert verdict.key == "parse.json_too_deep"
    assert "512" in verdict.message


def test_a_json_feed_nested_too_deep_says_so() -> None:
    body = ('{"version": "https://jsonfeed.org/version/1.1", "items": ' + arrays(3_000) + "}").encode()
    with pytest.raises(ValueError, match="nested too deep"):
        parse_json_feed(body)


@pytest.mark.parametrize("depth", [513, 5_000])
def test_a_read_api_cursor_nested_too_deep_is_a_bad_cursor(depth: int) -> None:
    cursor = base64.urlsafe_b64encode(arrays(depth).encode()).decode()
    with pytest.raises(HTTPException) as caught:
        decode_cursor(cursor, "list")
    assert caught.value.status_code == 400
