"""HTTP validators that lie (issue 12, class 13), on the conditional-GET middleware with a real store.

Rules under test: a 304 carrying a new ETag or Last-Modified replaces the stored validators (the body
hash and the time of the last 200 stay); a 200 is parsed whenever its body differs from the last one,
whatever its validators say; 24 h after the last 200 one request goes out without validators, and its
answer (even an unchanged body) restarts the 24 h.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.fetch.conditional_get import ConditionalGetMiddleware
from crawler.fetch.refusals import NotModified
from crawler.store import http_cache
from crawler.store.session import session_scope

URL = "https://city.example.eu/feed.xml"
BODY = b"<rss><channel><title>C</title></channel></rss>"


@pytest.fixture
def database(tmp_path: Path) -> str:
    from crawler.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    upgrade(url)
    return url


def _seed(database: str, etag: str | None, modified: str | None, age: timedelta, body: bytes = BODY) -> None:
    with session_scope(database) as session:
        http_cache.put_http_cache(
            session, URL, etag, modified, hashlib.sha256(body).hexdigest(), 200,
            fetched_at=datetime.now(UTC) - age,
        )  # fmt: skip


def _exchange(database: str, status: int, headers: dict[str, str], body: bytes = b"") -> tuple[Request, Any]:
    """One request/response through a fresh middleware, then the spider closes; returns the request
    and what process_response gave (a Response, or the NotModified it raised)."""
    crawler = get_crawler(settings_dict={"EWSI_DATABASE_URL": database})
    crawler.stats.open_spider()
    mw = ConditionalGetMiddleware(crawler, database)
    request = Request(URL, meta={"ewsi_role": "source"})
    mw.process_request(request)
    response = Response(URL, status=status, headers=headers, body=body, request=request)
    try:
        outcome: Any = mw.process_response(request, response)
    except NotModified as exc:
        outcome = exc
    mw.spider_closed("finished")
    return request, outcome


def _stored(database: str) -> dict[str, Any]:
    with session_scope(database) as session:
        entry = http_cache.get_http_cache(session, URL)
    assert entry is not None
    return entry


LATER = "Thu, 06 Mar 2025 10:00:00 GMT"
VALIDATOR_CHANGES = [
    ({"ETag": '"v2"'}, '"v2"', "Tue, 04 Mar 2025 09:00:00 GMT"),
    ({"Last-Modified": "Wed, 05 Mar 2025 10:00:00 GMT"}, '"v1"', "Wed, 05 Mar 2025 10:00:00 GMT"),
    (
        {"ETag": 'W/"v3"', "Last-Modified": "Thu, 06 Mar 2025 10:00:00 GMT"},
        'W/"v3"',
        "Thu, 06 Mar 2025 10:00:00 GMT",
    ),
    ({}, '"v1"', "Tue, 04 Mar 2025 09:00:00 GMT"),
    ({"ETag": '"v1"'}, '"v1"', "Tue, 04 Mar 2025 09:00:00 GMT"),
]


@pytest.mark.parametrize(("headers", "etag", "modified"), VALIDATOR_CHANGES)
def test_a_304_with_new_validators_replaces_the_stored_ones(
    database: str, headers: dict[str, str], etag: str, modified: str
) -> None:
    _seed(database, '"v1"', "Tue, 04 Mar 2025 09:00:00 GMT", timedelta(hours=2))
    before = _stored(database)
    request, outcome = _exchange(database, 304, headers)
    assert isinstance(outcome, NotModified)
    assert request.headers.get(b"If-None-Match") == b'"v1"'
    after = _stored(database)
    assert (after["etag"], after["last_modified"]) == (etag, modified)
    assert (after["body_sha256"], after["fetched_at"]) == (before["body_sha256"], before["fetched_at"])


@pytest.mark.parametrize(
    "headers",
    [
        {"ETag": '"v1"'},
        {"Last-Modified": "Tue, 04 Mar 2025 09:00:00 GMT"},
        {},
        {"Last-Modified": "Tue, 04 Mar 2025 09:00:00 GMT", "Cache-Control": "max-age=86400"},
        {"Expires": "Wed, 05 Mar 2025 09:00:00 GMT", "Age": "10"},
    ],
)
def test_a_200_with_unchanged_validators_but_a_new_body_is_parsed(
    database: str, headers: dict[str, str]
) -> None:
    _seed(database, '"v1"', "Tue, 04 Mar 2025 09:00:00 GMT", timedelta(hours=2))
    new_body = BODY.replace(b"<title>C</title>", b"<title>C</title><item><title>New</title></item>")
    _, outcome = _exchange(database, 200, {"ETag": '"v1"', **headers}, new_body)
    assert isinstance(outcome, Response) and outcome.body == new_body
    assert _stored(database)["body_sha256"] == hashlib.sha256(new_body).hexdigest()


@pytest.mark.parametrize(
    ("age", "conditional"),
    [(timedelta(minutes=10), True), (timedelta(hours=2), True), (timedelta(hours=23, minutes=59), True),
     (timedelta(hours=24, minutes=1), False), (timedelta(days=9), False), (timedelta(days=400), False)],
)  # fmt: skip
def test_one_unconditional_request_24_hours_after_the_last_200(
    database: str, age: timedelta, conditional: bool
) -> None:
    _seed(database, '"v1"', "Tue, 04 Mar 2025 09:00:00 GMT", age)
    request, outcome = _exchange(database, 200, {"ETag": '"v1"'}, BODY)
    sent = (
        request.headers.get(b"If-None-Match") is not None
        or request.headers.get(b"If-Modified-Since") is not None
    )
    assert sent is conditional
    assert isinstance(outcome, NotModified)  # the same bytes: nothing new to parse either way
    restarted = datetime.now(UTC) - _stored(database)["fetched_at"] < timedelta(minutes=5)
    assert restarted is not conditional  # the unconditional answer restarts the 24 h
    if not conditional:
        request, _ = _exchange(database, 200, {"ETag": '"v1"'}, BODY)
        assert request.headers.get(b"If-None-Match") == b'"v1"'  # once, not on every run after
