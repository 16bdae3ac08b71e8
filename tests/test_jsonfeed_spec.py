"""JSON Feed items link as the spec says, and a JSON Feed cut short is a malformed feed.

Rules under test (spiders.jsonfeed, spiders.feed): an item's link is its ``url``, else its
``external_url`` (jsonfeed.org 1.0 and 1.1); with both, ``external_url`` stays a related link (an
attachment). A body that starts like a JSON Feed (a JSON object whose head names a jsonfeed.org
version) but is cut short, invalid JSON or has no ``items`` list is ``parse.feed_malformed``; other
JSON stays ``parse.not_a_feed``. A JSON item's date of change is its ``date_modified`` alone.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from scrapy.http import TextResponse

from crawler.health import build_report
from tests.test_spiders import make_spider, run, stats

FEED_URL = "https://city.example.eu/feed.json"


def _feed(version: str, *items: dict[str, Any]) -> bytes:
    return json.dumps(
        {"version": f"https://jsonfeed.org/version/{version}", "title": "City", "items": list(items)}
    ).encode()


def _parse(body: bytes) -> tuple[Any, list[Any]]:
    spider = make_spider(id="jsonfeed", kind="feed", urls=[FEED_URL], languages=["en"])
    headers = {"Content-Type": "application/feed+json"}
    items, _ = run(spider, TextResponse(FEED_URL, body=body, headers=headers, encoding="utf-8"))
    return spider, items


DATE = {"date_published": "2025-03-04T09:00:00+01:00"}
LINK_CASES = {
    "1.1-url-only": (
        {"id": "1", "url": "https://city.example.eu/n/1", **DATE},
        "https://city.example.eu/n/1",
        [],
    ),
    "1.1-external-url-only": (
        {"id": "2", "external_url": "https://ministry.example.eu/press/42", **DATE},
        "https://ministry.example.eu/press/42",
        [],
    ),
    "1.0-external-url-only": (
        {"id": "3", "external_url": "https://ngo.example.eu/report.html", "title": "Report", **DATE},
        "https://ngo.example.eu/report.html",
        [],
    ),
    "relative-external-url-only": (
        {"id": "4", "external_url": "/elsewhere/4", **DATE},
        "https://city.example.eu/elsewhere/4",
        [],
    ),
    "both-url-wins-external-is-related": (
        {"id": "5", "url": "https://city.example.eu/n/5", "external_url": "https://eu.example.eu/5", **DATE},
        "https://city.example.eu/n/5",
        ["https://eu.example.eu/5"],
    ),
    "blank-url-falls-back-to-external": (
        {"id": "6", "url": "  ", "external_url": "https://eu.example.eu/6", **DATE},
        "https://eu.example.eu/6",
        [],
    ),
}


@pytest.mark.parametrize("version", ["1", "1.1"])
@pytest.mark.parametrize(("item", "url", "related"), LINK_CASES.values(), ids=LINK_CASES.keys())
def test_item_link_is_url_else_external_url(
    version: str, item: dict[str, Any], url: str, related: list[str]
) -> None:
    spider, items = _parse(_feed(version, item))
    assert [i.url for i in items] == [url]
    assert [a.url for a in items[0].attachments] == related
    assert items[0].guid == item["id"]
    assert items[0].published_at is not None
    assert items[0].published_at.isoformat() == "2025-03-04T08:00:00+00:00"
    assert not stats(spider).get("ewsi/dropped/no_link")


def test_an_item_without_url_or_external_url_is_still_dropped() -> None:
    spider, items = _parse(_feed("1.1", {"id": "7", "title": "No link", **DATE}))
    assert items == []
    assert stats(spider).get("ewsi/dropped/no_link") == 1


_WHOLE = _feed(
    "1.1",
    {"id": "1", "url": "https://city.example.eu/n/1", "title": "First", **DATE},
    {"id": "2", "url": "https://city.example.eu/n/2", "title": "Second", **DATE},
)
MALFORMED = {
    "cut-inside-second-item": _WHOLE[: _WHOLE.index(b'"Second"')],
    "cut-after-version": _WHOLE[: _WHOLE.index(b'"title"')],
    "cut-before-closing-brace": _WHOLE[:-1],
    "escaped-slashes-cut": _WHOLE.replace(b"/", b"\\/")[:-3],
    "http-version-trailing-comma": b'{"version": "http://jsonfeed.org/version/1", "items": [{"id": "1",}]}',
    "version-without-items": b'{"version": "https://jsonfeed.org/version/1.1", "title": "City"}',
    "items-not-a-list": b'{"version": "https://jsonfeed.org/version/1", "items": {"id": "1"}}',
    "utf-16-cut": _WHOLE.decode("utf-8").encode("utf-16")[:-40],
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_json_feed_cut_short_or_invalid_is_malformed(body: bytes) -> None:
    spider, items = _parse(body)
    assert items == []
    got = stats(spider)
    assert got.get("ewsi/errors/parse.feed_malformed") == 1
    assert not got.get("ewsi/errors/parse.not_a_feed")
    report = build_report("jsonfeed", got, spider.started_at, "finished")
    assert (report.status, report.error_key) == ("failed", "parse.feed_malformed")


NOT_FEEDS = {
    "api-error": b'{"error": "unauthorised"}',
    "cut-json-that-is-no-feed": b'{"data": [{"id": 1}, {"id": ',
    "other-version-url": b'{"version": "https://example.org/version/1", "items": [',
    "version-named-in-a-string-later": b'{"note": "see jsonfeed.org/version/1.1", "x": [',
}


@pytest.mark.parametrize("body", NOT_FEEDS.values(), ids=NOT_FEEDS.keys())
def test_other_json_stays_not_a_feed(body: bytes) -> None:
    spider, items = _parse(body)
    assert items == []
    got = stats(spider)
    assert got.get("ewsi/errors/parse.not_a_feed") == 1
    assert not got.get("ewsi/errors/parse.feed_malformed")


CHANGE_CASES = {
    "published-only": ({**DATE}, None),
    "modified-only": ({"date_modified": "2025-03-05T10:00:00Z"}, "2025-03-05T10:00:00Z"),
    "both": ({**DATE, "date_modified": "2025-03-06T10:00:00Z"}, "2025-03-06T10:00:00Z"),
}


@pytest.mark.parametrize(("dates", "updated"), CHANGE_CASES.values(), ids=CHANGE_CASES.keys())
def test_json_item_date_of_change_is_date_modified_alone(dates: dict[str, str], updated: str | None) -> None:
    _, items = _parse(_feed("1.1", {"id": "1", "url": "https://city.example.eu/n/1", **dates}))
    assert items[0].updated_raw == updated
    assert items[0].record["updated"] == updated
