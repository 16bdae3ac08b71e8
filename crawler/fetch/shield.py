"""Anti-bot answers (site shields: Cloudflare, Akamai, Imperva, AWS WAF) named as the check names them.

Rule: an answer that `crawler.probe.blocked_by_site` calls an anti-bot one for its status (a 202
with an HTML page or no body; a 403, 429 or 503 whose page names a challenge or bot wall) fails
its request with ``fetch.blocked_by_site`` and the reason, for a source's own URL as for a
followed page, so ``ewsi crawl`` and ``ewsi sources check`` give one key for one answer (the crawl
said ``fetch.http_4xx`` or ``parse.not_a_feed``). It is not retried: a challenge is not passed by
asking again, and three retries of a 503 challenge only looked more like a bot. A 2xx challenge
page is judged where a document turns out not to be what its source serves (spiders.feed), not
here: a short article on "access denied" must stay an article.
Order: after the decoding of the body (compression, 590) and before the retries (550).
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawler.fetch.refusals import FetchRefused
from crawler.probe import blocked_by_site

STATUSES = frozenset({202, 403, 429, 503})
"""Statuses an anti-bot answer comes with that a downloader middleware judges."""


class ShieldMiddleware:
    """Fail an anti-bot answer with ``fetch.blocked_by_site`` before it is retried."""

    def __init__(self, crawler: Any = None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ShieldMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status not in STATUSES:
            return response
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        reason = blocked_by_site(response.status, content_type, response.body)
        if reason is None:
            return response
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value("ewsi/fetch/blocked_by_site")
        raise FetchRefused("fetch.blocked_by_site", f"{request.url[:300]}: {reason}")
