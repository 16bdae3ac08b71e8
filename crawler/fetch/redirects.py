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

from collections.abc import Iterable
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import get_base_url
from w3lib.url import canonicalize_url

from crawler.fetch.refresh import followed, parse_refresh
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
    """(delay, absolute URL) of the response's ``Refresh`` header (crawler.fetch.refresh
    `parse_refresh`, against the response's URL), or (None, None) when it has none or it names no
    URL."""
    value = response.headers.get(b"Refresh")
    parsed = parse_refresh(value.decode("latin-1"), response.url) if value else None
    return parsed or (None, None)


def meta_refresh(response: HtmlResponse, ignore_tags: Iterable[str]) -> tuple[float, str] | tuple[None, None]:
    """(delay, absolute URL) of the page's first ``<meta http-equiv="refresh">`` (the attribute in any
    case) outside `ignore_tags` (``noscript``) whose content names a URL (crawler.fetch.refresh
    `parse_refresh`, against the page's URL or its ``<base href>``, as a browser resolves it), or
    (None, None)."""
    ignored = {tag.lower() for tag in ignore_tags}
    base = None
    for meta in response.xpath("//meta[@http-equiv and @content]"):
        element = meta.root
        if str(element.get("http-equiv")).strip(" \t\n\f\r").lower() != "refresh":
            continue
        if any(str(parent.tag).lower() in ignored for parent in element.iterancestors()):
            continue
        base = base or get_base_url(response)
        parsed = parse_refresh(str(element.get("content")), base)
        if parsed is not None:
            return parsed
    return None, None


class LoopAwareMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta refresh, plus the ``Refresh`` header (which wins), each read as browsers read
    it and followed only below METAREFRESH_MAXDELAY and to an http or https URL (crawler.fetch.refresh);
    a refresh to the page itself is no redirect; a refresh back into the chain is
    ``fetch.redirect_limit`` (module docstring)."""

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
            interval, url = meta_refresh(response, self._ignore_tags)
        url = followed((interval, url), self._maxdelay) if url is not None and interval is not None else None
        if url is None or _key(url) == _key(request.url):  # none to follow, or a reload of the page
            return response
        redirected = self._redirect_request_using_get(request, response, url)
        _refuse_loop(redirected, request, reason)
        return self._redirect(redirected, request, reason)
