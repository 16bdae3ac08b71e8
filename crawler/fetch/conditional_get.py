"""Conditional GET for the source's own URLs: validators and body hashes kept in the store.

Settings read: ``EWSI_CONDITIONAL_GET`` (default true; false: off), ``EWSI_REPLAY`` (set: off)
and ``EWSI_DATABASE_URL`` (the store holding the ``http_cache`` table). Only requests with
``meta["ewsi_role"] == "source"`` and method GET are handled. An unchanged URL raises
`NotModified` and is counted ``ewsi/fetch/not_modified``; the store being unavailable means a
full fetch, never a failed one.
"""

from __future__ import annotations

import hashlib
import logging

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.fetch.refusals import NotModified

logger = logging.getLogger(__name__)


class ConditionalGetMiddleware:
    """Conditional GET for the source's own URLs (requests with ``meta["ewsi_role"] == "source"``).

    Sends `If-None-Match` / `If-Modified-Since` from the `http_cache` table. A 304, or a 200
    whose body has the same SHA-256 as last time (servers that ignore validators), raises
    `NotModified`: the URL is counted ``ewsi/fetch/not_modified`` and nothing is parsed. After
    a 200 the new validators and body hash are written when the spider closes, and only if the
    run recorded no error (``ewsi/errors/*``): a run that failed to parse or store the answer
    must get the full body again next time. Followed item pages are not handled here. Off in
    replay mode and when `EWSI_CONDITIONAL_GET` is false.
    """

    def __init__(self, crawler: Crawler, database_url: str | None):
        self.crawler = crawler
        self.database_url = database_url
        self.pending: dict[str, tuple[str | None, str | None, str, int]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        if crawler.settings.get("EWSI_REPLAY") or not crawler.settings.getbool("EWSI_CONDITIONAL_GET", True):
            raise NotConfigured("conditional GET off")
        mw = cls(crawler, crawler.settings.get("EWSI_DATABASE_URL"))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _stat(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def process_request(self, request: Request) -> None:
        if request.meta.get("ewsi_role") != "source" or request.method != "GET":
            return
        if "ewsi_cache" in request.meta and request.meta.get("ewsi_cache_url") == request.url:
            return
        from crawler.store import http_cache
        from crawler.store.session import session_scope

        try:
            with session_scope(self.database_url) as session:
                entry = http_cache.get_http_cache(session, request.url)
        except Exception as exc:  # no cache: fetch in full
            logger.warning("http cache unavailable for %s: %s", request.url[:200], exc)
            entry = None
        request.meta["ewsi_cache"] = entry
        request.meta["ewsi_cache_url"] = request.url
        if not entry:
            return
        if entry.get("etag") and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = entry["etag"]
        if entry.get("last_modified") and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = entry["last_modified"]

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("ewsi_role") != "source" or request.meta.get("ewsi_cache_url") != request.url:
            return response
        entry = request.meta.get("ewsi_cache") or {}
        if response.status == 304 and entry:
            self._stat("ewsi/fetch/not_modified")
            raise NotModified(f"{request.url[:200]}: 304 Not Modified")
        if response.status != 200:
            return response
        digest = hashlib.sha256(response.body).hexdigest()
        if entry and entry.get("body_sha256") == digest:
            self._stat("ewsi/fetch/not_modified")
            self._stat("ewsi/fetch/same_body")
            raise NotModified(f"{request.url[:200]}: same body as last time")
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        self.pending[request.url] = (
            etag.decode("latin-1") if etag else None,
            modified.decode("latin-1") if modified else None,
            digest,
            response.status,
        )
        return response

    def spider_closed(self, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        if reason != "finished" or any(k.startswith("ewsi/errors/") for k in stats) or not self.pending:
            return
        from crawler.store import http_cache
        from crawler.store.session import session_scope

        try:
            with session_scope(self.database_url) as session:
                for url, (etag, modified, digest, status) in self.pending.items():
                    http_cache.put_http_cache(session, url, etag, modified, digest, status)
        except Exception as exc:  # the next run fetches in full; nothing is lost
            logger.warning("could not store http cache validators: %s", exc)
