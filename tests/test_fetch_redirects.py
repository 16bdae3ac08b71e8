"""Redirect loops (crawler.fetch.redirects.LoopAwareRedirectMiddleware).

Rule: a redirect back into the request's own chain (itself included, URLs compared in w3lib's
canonical form as the duplicate filter compares them) is ``fetch.redirect_limit`` with the chain in
the message, instead of a hop the duplicate filter drops without a word (the run then ended
``parse.no_items`` with no message). Other redirects are Scrapy's, up to REDIRECT_MAX_TIMES.
"""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.errors import error_key_for
from crawler.fetch.redirects import LoopAwareRedirectMiddleware
from crawler.fetch.refusals import FetchRefused
from crawler.settings import REDIRECT_MAX_TIMES, build_settings

BASE = "https://city.example.eu"


def _follow(chain: list[tuple[str, str]], status: int = 301) -> tuple[list[str], Any]:
    """Answer each request of `chain` ((path asked, Location)) with `status`; returns the URLs asked
    and the last outcome (a Request to follow, or the exception)."""
    crawler = get_crawler(settings_dict={"REDIRECT_MAX_TIMES": REDIRECT_MAX_TIMES})
    mw = LoopAwareRedirectMiddleware.from_crawler(crawler)
    first = chain[0][0]
    request = Request(first if "://" in first else BASE + first)
    asked: list[str] = []
    outcome: Any = request
    for _path, location in chain:
        asked.append(request.url)
        response = Response(request.url, status=status, headers={"Location": location}, request=request)
        try:
            outcome = mw.process_response(request, response)
        except IgnoreRequest as exc:  # FetchRefused is one
            return asked, exc
        request = outcome
    return asked, outcome


LOOPS = {
    "to-itself": [("/feed", "/feed")],
    "to-itself-absolute": [("/feed", BASE + "/feed")],
    "a-b-a": [("/a", "/b"), ("/b", "/a")],
    "a-b-c-b": [("/a", "/b"), ("/b", "/c"), ("/c", "/b")],
    "query-reordered": [("/f?x=1&y=2", "/g"), ("/g", "/f?y=2&x=1")],
    "fragment-only": [("/feed", "/feed#top")],
    "http-https-http": [
        ("http://city.example.eu/feed", "https://city.example.eu/feed"),
        ("https://city.example.eu/feed", "http://city.example.eu/feed"),
    ],
}


@pytest.mark.parametrize("chain", LOOPS.values(), ids=LOOPS.keys())
def test_a_redirect_loop_is_redirect_limit_naming_the_chain(chain: list[tuple[str, str]]) -> None:
    asked, outcome = _follow(chain)
    assert isinstance(outcome, FetchRefused), outcome
    assert error_key_for(outcome) == "fetch.redirect_limit"
    message = str(outcome)
    assert message.startswith("redirect loop (301): ")
    assert all(url in message for url in asked)
    assert len(asked) == len(chain)  # stopped at the hop that closes the loop, no further request


NOT_LOOPS = {
    "http-to-https": [("http://city.example.eu/feed", "https://city.example.eu/feed")],
    "www": [("/feed", "https://www.city.example.eu/feed")],
    "trailing-slash": [("/feed", "/feed/")],
    "other-query": [("/feed?page=1", "/feed?page=2")],
    "chain-of-five": [(f"/{i}", f"/{i + 1}") for i in range(5)],
}


@pytest.mark.parametrize("chain", NOT_LOOPS.values(), ids=NOT_LOOPS.keys())
def test_redirects_to_new_urls_are_followed(chain: list[tuple[str, str]]) -> None:
    asked, outcome = _follow(chain)
    assert isinstance(outcome, Request), outcome
    assert outcome.meta["redirect_urls"] == asked


def test_more_than_five_redirects_stay_scrapys_limit() -> None:
    _, outcome = _follow([(f"/{i}", f"/{i + 1}") for i in range(REDIRECT_MAX_TIMES + 1)])
    assert not isinstance(outcome, Request)
    assert error_key_for(outcome) == "fetch.redirect_limit"


def test_every_crawl_uses_the_loop_aware_middleware() -> None:
    middlewares = build_settings()["DOWNLOADER_MIDDLEWARES"]
    assert middlewares["scrapy.downloadermiddlewares.redirect.RedirectMiddleware"] is None
    assert middlewares["crawler.fetch.redirects.LoopAwareRedirectMiddleware"] == 600
