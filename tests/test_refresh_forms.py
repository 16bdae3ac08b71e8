"""Refresh declarations as browsers read them (crawler.fetch.refresh, crawler.fetch.redirects).

Rule: a ``Refresh`` header or ``<meta http-equiv="refresh">`` content is a delay (digits and dots),
then nothing or whitespace, ``;`` or ``,``, then the URL with an optional ``url=`` (any case, spaces
around ``=``) and an optional quote; the URL is resolved against the page's URL (its ``<base href>``
for a meta element). It is followed only when its delay is below METAREFRESH_MAXDELAY (100 s) and it
leads to an http or https URL: never ``javascript:``, ``data:`` or another scheme.
"""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.fetch.redirects import LoopAwareMetaRefreshMiddleware, header_refresh
from crawler.fetch.refresh import parse_refresh, target

PAGE = "https://a.invalid/dir/page"

CONTENTS = {
    "semicolon-bare-url": ("0; /x", "https://a.invalid/x"),
    "comma-url-equals": ("0, url=/x", "https://a.invalid/x"),
    "upper-single-quotes": ("0;URL='/x'", "https://a.invalid/x"),
    "double-quotes-relative": ('0; url="x"', "https://a.invalid/dir/x"),
    "plain": ("0;url=/x", "https://a.invalid/x"),
    "spaces-everywhere": (" 0 ; url = /x ", "https://a.invalid/x"),
    "tabs-and-newlines": ("\t0\n;\turl\t=\n'/x'\n", "https://a.invalid/x"),
    "space-separator-only": ("0 url=/x", "https://a.invalid/x"),
    "space-separator-bare": ("0 /x", "https://a.invalid/x"),
    "comma-bare-absolute": ("0,https://b.invalid/y", "https://b.invalid/y"),
    "quote-ends-url": ("0; url='/x' trailing", "https://a.invalid/x"),
    "unclosed-quote": ('0; url="/x', "https://a.invalid/x"),
    "newline-inside-url": ("0; url=/x\n/y", "https://a.invalid/x/y"),
    "scheme-relative": ("0; url=//b.invalid/z", "https://b.invalid/z"),
    "query-and-fragment": ("0;url=?p=2#top", "https://a.invalid/dir/page?p=2#top"),
    "url-word-no-equals": ("0; url/x", "https://a.invalid/dir/url/x"),
    "fraction": ("1.5; url=/x", "https://a.invalid/x"),
    "leading-dot": (".5;url=/x", "https://a.invalid/x"),
    "dots-after-number": ("0.5.7; url=/x", "https://a.invalid/x"),
    "below-limit": ("99; url=/x", "https://a.invalid/x"),
    "at-limit": ("100; url=/x", None),
    "slow": ("600; url=/x", None),
    "reload-only": ("0", None),
    "reload-separator": ("0;", None),
    "empty-url": ("0; url=", None),
    "empty-quotes": ("0; url=''", None),
    "no-delay": ("url=/x", None),
    "word-delay": ("soon; url=/x", None),
    "negative": ("-1; url=/x", None),
    "no-separator": ("0url=/x", None),
    "javascript": ("0; url=javascript:alert(1)", None),
    "javascript-upper-quoted": ("0;URL='JavaScript:alert(1)'", None),
    "javascript-bare": ("0; javascript:alert(1)", None),
    "data": ("0; url=data:text/html,<b>x</b>", None),
    "ftp": ("0; url=ftp://b.invalid/x", None),
    "mailto": ("0, mailto:x@b.invalid", None),
    "empty": ("", None),
}


@pytest.mark.parametrize(("content", "expected"), CONTENTS.values(), ids=CONTENTS.keys())
def test_the_target_of_a_refresh(content: str, expected: str | None) -> None:
    assert target(content, PAGE, 100) == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("0; /x", (0.0, "https://a.invalid/x")),
        ("1.5, url='x'", (1.5, "https://a.invalid/dir/x")),
        (".5;url=/x", (0.5, "https://a.invalid/x")),
        ("7.;url=/x", (7.0, "https://a.invalid/x")),
        ("600; url=/x", (600.0, "https://a.invalid/x")),
        ("0; url=javascript:x", (0.0, "javascript:x")),
        ("30", None),
        ("x", None),
    ],
)
def test_a_refresh_parsed_with_its_delay(content: str, expected: tuple[float, str] | None) -> None:
    assert parse_refresh(content, PAGE) == expected


def _middleware() -> LoopAwareMetaRefreshMiddleware:
    return LoopAwareMetaRefreshMiddleware.from_crawler(
        get_crawler(settings_dict={"METAREFRESH_ENABLED": True})
    )


def _page(head: str, header: str | None = None) -> HtmlResponse:
    body = f"<html><head>{head}<title>t</title></head><body><p>x</p></body></html>".encode()
    headers = {"Content-Type": "text/html; charset=utf-8", **({"Refresh": header} if header else {})}
    return HtmlResponse(PAGE, body=body, headers=headers, request=Request(PAGE))


PAGES = {
    "meta-bare-url": ('<meta http-equiv="refresh" content="0; /x">', None, "https://a.invalid/x"),
    "meta-comma": ('<meta http-equiv="Refresh" content="0, url=/x">', None, "https://a.invalid/x"),
    "meta-upper-attribute": ("<META HTTP-EQUIV=REFRESH CONTENT=\"0;URL='/x'\">", None, "https://a.invalid/x"),
    "meta-entity-quotes": ('<meta http-equiv="refresh" content="0; url=&quot;x&quot;">', None,
                           "https://a.invalid/dir/x"),
    "meta-base-href": ('<base href="https://c.invalid/b/"><meta http-equiv="refresh" content="0; x">', None,
                       "https://c.invalid/b/x"),
    "meta-in-noscript": ('<noscript><meta http-equiv="refresh" content="0; /x"></noscript>', None, None),
    "meta-javascript": ('<meta http-equiv="refresh" content="0; url=javascript:go()">', None, None),
    "meta-data": ('<meta http-equiv="refresh" content="0;url=data:text/html,x">', None, None),
    "meta-slow": ('<meta http-equiv="refresh" content="300; /x">', None, None),
    "meta-reload-then-target": ('<meta http-equiv="refresh" content="5"><meta http-equiv="refresh"'
                                ' content="0; /y">', None, "https://a.invalid/y"),
    "header-bare-url": ("", "0; /x", "https://a.invalid/x"),
    "header-comma": ("", "0, url=/x", "https://a.invalid/x"),
    "header-spaces": ("", " 0 ;  URL = '/x' ", "https://a.invalid/x"),
    "header-javascript": ("", "0; url=javascript:alert(1)", None),
    "header-to-itself": ("", "0; /dir/page", None),
}  # fmt: skip


@pytest.mark.parametrize(("head", "header", "expected"), PAGES.values(), ids=PAGES.keys())
def test_the_middleware_follows_only_an_immediate_web_refresh(
    head: str, header: str | None, expected: str | None
) -> None:
    response = _page(head, header)
    outcome = _middleware().process_response(response.request, response)  # type: ignore[arg-type]
    if expected is None:
        assert outcome is response
    else:
        assert isinstance(outcome, Request) and outcome.url == expected


def test_a_header_without_a_refresh_is_none() -> None:
    assert header_refresh(Response(PAGE)) == (None, None)
