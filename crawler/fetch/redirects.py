"""Redirects with loops named as such (Scrapy's `RedirectMiddleware`, REDIRECT_MAX_TIMES hops).

Rule: a redirect to a URL already in the request's own chain (the URL first asked, each hop, and
the request itself; compared as Scrapy's duplicate filter compares them, in w3lib's canonical
form) is a loop: the request fails at once with ``fetch.redirect_limit`` and a message naming the
chain (``redirect loop: /a -> /b -> /a``). Without this, Scrapy's duplicate filter drops the hop back
without a word and the run ends ``parse.no_items`` with no message. A chain longer than
REDIRECT_MAX_TIMES stays Scrapy's ``max redirections reached`` (also ``fetch.redirect_limit``).
Cookies are off in a crawl, so a site's cookie check (``/a -> /a`` with Set-Cookie) can never end
either; it is a loop too. A redirect to a URL fetched earlier by another request (a listing's page
past the last redirected to page 1) is not a loop and stays the duplicate filter's business.
"""

from __future__ import annotations

import html
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import get_meta_refresh
from w3lib.html import get_meta_refresh as parse_meta_refresh
from w3lib.url import canonicalize_url

from crawler.fetch.refusals import FetchRefused


def _key(url: str) -> str:
    try:
        return canonicalize_url(url)
    except ValueError:
        return url


def _refuse_loop(redirected: Request, request: Request, reason: Any) -> None:
    """Raise ``fetch.redirect_limit`` when `redirected` goes back into `request`'s own chain."""
    chain = [*request.meta.get("redirect_urls", []), request.url]
    if _key(redirected.url) in {_key(url) for url in chain}:
        hops = " -> ".join(url[:200] for url in [*chain, redirected.url])
        raise FetchRefused("fetch.redirect_limit", f"redirect loop ({reason}): {hops}")


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects; a hop back into the request's own chain is ``fetch.redirect_limit``."""

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        _refuse_loop(redirected, request, reason)
        return super()._redirect(redirected, request, reason)


def header_refresh(response: Response) -> tuple[float, str] | tuple[None, None]:
    """(delay, absolute URL) of the response's ``Refresh`` header, or (None, None) when it has none
    or it names no URL. Parsed as the content of a meta refresh element (w3lib), quotes and all."""
    value = response.headers.get(b"Refresh")
    if not value:
        return None, None
    content = html.escape(value.decode("latin-1"), quote=False)
    quote = "'" if '"' in content else '"'  # the value's own quotes (url="...") stay as written
    content = content.replace(quote, "&#39;" if quote == "'" else "&quot;")
    return parse_meta_refresh(f"<meta http-equiv=refresh content={quote}{content}{quote}>", response.url)


class LoopAwareMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta refresh, plus the ``Refresh`` header; a refresh to the page itself is no
    redirect; a refresh back into the chain is ``fetch.redirect_limit`` (module docstring)."""

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if (
            request.meta.get("dont_redirect", False)
            or request.method == "HEAD"
            or urlparse_cached(request).scheme not in {"http", "https"}
        ):
            return response
        reason = "refresh header"
        interval, url = header_refresh(response)
        if url is None and isinstance(response, HtmlResponse):
            reason = "meta refresh"
            interval, url = get_meta_refresh(response, ignore_tags=self._ignore_tags)
        if url is None or interval is None or interval >= self._maxdelay:
            return response
        if _key(url) == _key(request.url):  # a reload of the page itself
            return response
        redirected = self._redirect_request_using_get(request, response, url)
        if urlparse_cached(redirected).scheme not in {"http", "https"}:
            return response
        _refuse_loop(redirected, request, reason)
        return self._redirect(redirected, request, reason)
