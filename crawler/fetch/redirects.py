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

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from w3lib.url import canonicalize_url

from crawler.fetch.refusals import FetchRefused


def _key(url: str) -> str:
    try:
        return canonicalize_url(url)
    except ValueError:
        return url


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects; a hop back into the request's own chain is ``fetch.redirect_limit``."""

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if _key(redirected.url) in {_key(url) for url in chain}:
            hops = " -> ".join(url[:200] for url in [*chain, redirected.url])
            raise FetchRefused("fetch.redirect_limit", f"redirect loop ({reason}): {hops}")
        return super()._redirect(redirected, request, reason)
