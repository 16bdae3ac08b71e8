"""HTTP validators that lie (issue 12, class 13), on the conditional-GET middleware with a real store.

Rules under test: a 304 carrying a new ETag or Last-Modified replaces the stored validators (the body
hash and the time of the last 200 stay); a 200 is parsed whenever its body differs from the last one,
whatever its validators say; 24 h after the last 200 one request goes out without validators, and its
answer (even an unchanged body) restarts the 24 h. Validators learned in a run count only once the
run succeeded: a failed, broken or interrupted run keeps none, so the next run fetches in full. A 304
to a request that sent no validator is a named error (``fetch.error``), never "unchanged".
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.errors import error_key_for
from crawler.fetch.conditional_get import ConditionalGetMiddleware
from crawler.fetch.refusals import FetchRefused, NotModified
from crawler.store import http_cache
from crawler.store.session import session_scope
from crawler.types import CrawlReport

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


def _exchange(
    database: str,
    status: int,
    headers: dict[str, str],
    body: bytes = b"",
    *,
    report: CrawlReport | None = None,
    stats: dict[str, int] | None = None,
    reason: str = "finished",
) -> tuple[Request, Any]:
    """One request/response through a fresh middleware, then the spider closes; returns the request
    and what process_response gave (a Response, or the NotModified or FetchRefused it raised).

    A parsed answer yields one item unless `stats` are given; `report` is the run recorder's
    verdict (None: no recorder)."""
    crawler = get_crawler(settings_dict={"EWSI_DATABASE_URL": database})
    if report is not None:
        crawler.ewsi_recorder = SimpleNamespace(report=report)  # type: ignore[attr-defined]
    crawler.stats.open_spider()
    mw = ConditionalGetMiddleware(crawler, database)
    request = Request(URL, meta={"ewsi_role": "source"})
    mw.process_request(request)
    response = Response(URL, status=status, headers=headers, body=body, request=request)
    try:
        outcome: Any = mw.process_response(request, response)
    except (NotModified, FetchRefused) as exc:
        outcome = exc
    for key, value in (stats if stats is not None else {"ewsi/items/yielded": 1}).items():
        crawler.stats.set_value(key, value)
    mw.spider_closed(reason)
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


def _report(status: str, error_key: str | None = None, *, broken: bool = False) -> CrawlReport:
    return CrawlReport(
        source_id="s", started_at=datetime.now(UTC), status=status, error_key=error_key, broken=broken
    )


NEW_BODY = b'{"items": [{"id": 1}]}'
RUN_ENDS = [
    # (recorder verdict, stats at close, close reason, validators kept)
    pytest.param(_report("failed", "parse.no_items"), {}, "finished", False, id="failed-no-items"),
    pytest.param(_report("failed", "parse.no_items", broken=True), {}, "finished", False, id="broken"),
    pytest.param(_report("failed", "parse.nav_links", broken=True), {"ewsi/items/yielded": 9}, "finished",
                 False, id="broken-junk-items"),
    pytest.param(_report("failed", "store.db_error"), {"ewsi/items/yielded": 3}, "finished", False,
                 id="failed-store"),
    pytest.param(_report("interrupted", "crawl.interrupted"), {"ewsi/items/yielded": 3}, "shutdown", False,
                 id="interrupted"),
    pytest.param(_report("ok"), {"ewsi/items/yielded": 3}, "finished", True, id="ok"),
    pytest.param(_report("ok"), {"ewsi/feed/empty": 1}, "finished", True, id="ok-zero-items-empty-feed"),
    pytest.param(_report("ok"), {"ewsi/items/yielded": 3, "ewsi/errors/parse.json": 1}, "finished", False,
                 id="ok-with-source-errors"),
    pytest.param(None, {}, "finished", False, id="no-recorder-no-items"),
    pytest.param(None, {"ewsi/items/yielded": 2}, "finished", True, id="no-recorder-items"),
    pytest.param(None, {"ewsi/feed/empty": 1}, "finished", True, id="no-recorder-zero-items-ok"),
    pytest.param(None, {"ewsi/items/yielded": 2}, "closespider_timeout", False, id="no-recorder-cut-short"),
]  # fmt: skip


@pytest.mark.parametrize(("report", "stats", "reason", "kept"), RUN_ENDS)
@pytest.mark.parametrize("seeded", [False, True], ids=["new-url", "known-url"])
def test_validators_count_only_once_the_run_succeeded(
    database: str, report: CrawlReport | None, stats: dict[str, int], reason: str, kept: bool, seeded: bool
) -> None:
    """The reproduction: an api source whose link_template was wrong fails ``parse.no_items``; the
    answer's validators must not make the fixed config's next run get a 304 forever."""
    if seeded:
        _seed(database, '"v1"', "Tue, 04 Mar 2025 09:00:00 GMT", timedelta(hours=2))
    headers = {"ETag": '"v2"', "Last-Modified": "Wed, 05 Mar 2025 10:00:00 GMT"}
    _, outcome = _exchange(database, 200, headers, NEW_BODY, report=report, stats=stats, reason=reason)
    assert isinstance(outcome, Response)
    with session_scope(database) as session:
        entry = http_cache.get_http_cache(session, URL)
    if kept:
        assert entry is not None and entry["etag"] == '"v2"'
        assert entry["body_sha256"] == hashlib.sha256(NEW_BODY).hexdigest()
    elif seeded:  # what the last successful run stored stays
        assert entry is not None and entry["etag"] == '"v1"'
        assert entry["body_sha256"] == hashlib.sha256(BODY).hexdigest()
    else:
        assert entry is None
    # the next run: the same answer is parsed again unless the successful run already had it
    request, again = _exchange(database, 200, headers, NEW_BODY)
    assert request.headers.get(b"If-None-Match") == (b'"v2"' if kept else b'"v1"' if seeded else None)
    assert isinstance(again, NotModified) is kept


@pytest.mark.parametrize(
    ("seed_age", "headers"),
    [
        (None, {}),  # first fetch: nothing stored, no validator sent
        (None, {"ETag": '"v1"'}),
        (timedelta(hours=25), {}),  # the 24 h unconditional request
        (timedelta(days=3), {"Last-Modified": "Tue, 04 Mar 2025 09:00:00 GMT"}),
    ],
    ids=["first-run", "first-run-with-etag", "unconditional-24h", "unconditional-3-days"],
)
def test_a_304_to_a_request_without_validators_is_a_named_error(
    database: str, seed_age: timedelta | None, headers: dict[str, str]
) -> None:
    """caddyserver/cache-handler#137, darkweak/souin#794: a cache in front of the site answers 304
    to a request that asked nothing; there is no body, and nothing stored to stand for it."""
    if seed_age is not None:
        _seed(database, '"v1"', "Tue, 04 Mar 2025 09:00:00 GMT", seed_age)
        before = _stored(database)
    request, outcome = _exchange(database, 304, headers, report=_report("failed", "fetch.error"))
    assert request.headers.get(b"If-None-Match") is None and request.headers.get(b"If-Modified-Since") is None
    assert isinstance(outcome, FetchRefused), outcome
    assert error_key_for(outcome) == "fetch.error"
    assert "304 Not Modified to a request without validators" in str(outcome)
    if seed_age is not None:  # what the last good run stored stays
        assert _stored(database) == before


def test_a_304_to_a_conditional_request_is_still_unchanged(database: str) -> None:
    _seed(database, '"v1"', None, timedelta(hours=2))
    request, outcome = _exchange(database, 304, {})
    assert request.headers.get(b"If-None-Match") == b'"v1"'
    assert isinstance(outcome, NotModified)
