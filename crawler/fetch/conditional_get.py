"""Conditional GET for the source's own URLs: validators and body hashes kept in the store.

Settings read: ``EWSI_CONDITIONAL_GET`` (default true; false: off), ``EWSI_REPLAY`` (set: off)
and ``EWSI_DATABASE_URL`` (the store holding the ``http_cache`` table). Only requests with
``meta["ewsi_role"] == "source"`` and method GET are handled. An unchanged URL raises
`NotModified` and is counted ``ewsi/fetch/not_modified``; the store being unavailable means a
full fetch, never a failed one.

Walks (documents that lead to other documents: a sitemap index, a listing's or an API's page with a
next page, a feed whose entries are followed). Rule: an unchanged answer of such a document means
that document has nothing new, not that what it leads to is unchanged (a static sitemap index whose
child sitemaps grow is the usual setup). A spider marks the requests it can read unchanged
(``meta["ewsi_walk"]``) and, in its callback, the answers that led it on (``meta["ewsi_leads"]``);
the bit is kept per URL (``http_cache.leads``, written with the validators):
- a walk request whose URL led on last time goes out without validators (a 304 has no body to
  walk on); a walk request with no such bit (a leaf last time, a child sitemap) keeps its validators,
  so an unchanged leaf still costs one 304;
- a 200 with the same body to a walk request is not dropped: it reaches the spider with
  ``meta["ewsi_unchanged"]`` (counted ``ewsi/fetch/not_modified`` and ``ewsi/fetch/same_body``, as
  before), which walks on to the next pages or children and emits none of the document's own
  entries (they were stored when it last changed);
- a document of a followed source, of any kind (``meta["ewsi_retry_pages"]`` = the source id,
  ``meta["ewsi_revisit_hours"]`` = its `revisit_hours`), whose source has pages due for a revisit
  (`crawler.store.revisit.revisit_links`: a page whose fetch failed, until read and at most
  `MAX_PAGE_TRIES` times; a funding call's or event's page whose date is ahead, once per interval)
  is read as a walk: it goes out without validators and carries those links in
  ``meta["ewsi_failed_pages"]``; the spider asks for those pages again while the document is
  unchanged (spiders.base, "revisits"). No such item: the document keeps its cheap 304.
Validators are kept per source (crawler.store.http_cache, rule): a URL that another source of the
same run, or of an earlier run, also reads is read in full by each source the first time.
A URL answering 304 before it was ever read as a walk (validators stored by an older version) learns
the bit at its next unconditional request (`UNCONDITIONAL_AFTER`) or changed body.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.fetch.refusals import FetchRefused, NotModified
from crawler.health import build_report

logger = logging.getLogger(__name__)

UNCONDITIONAL_AFTER = timedelta(hours=24)
"""Time after the last 200 when one request goes out without validators (servers whose 304 lies)."""


class ConditionalGetMiddleware:
    """Conditional GET for the source's own URLs (requests with ``meta["ewsi_role"] == "source"``).

    Sends `If-None-Match` / `If-Modified-Since` from the `http_cache` table. A 304, or a 200
    whose body has the same SHA-256 as last time (servers that ignore validators), raises
    `NotModified`: the URL is counted ``ewsi/fetch/not_modified`` and nothing is parsed. After
    a 200 the new validators and body hash are kept in memory and written when the spider closes.
    Followed item pages are not handled here. Off in replay mode and when `EWSI_CONDITIONAL_GET`
    is false.

    Validators learned in a run count only once the run succeeded (`run_succeeded`): a run that
    ends failed (``parse.no_items`` after a wrong ``link_template``, a store error, any
    ``ewsi/errors/*``), broken (judged by meaning, crawler.health rule 2), interrupted or closed for
    any reason but ``finished`` writes none of them, so the URL keeps what the last successful run
    stored (nothing, for a new source) and the next run fetches the full body again instead of
    getting a 304 for items it never stored. An ok run with zero items (every URL answered 304 or
    the same bytes, or an empty feed) is a success and keeps them.

    Validators that lie: a 304 carrying a new ETag or Last-Modified replaces the stored one (the
    body hash and the time of the last 200 stay); a 200 is parsed whenever its body differs from
    the last one, whatever its validators; `UNCONDITIONAL_AFTER` (24 h) after the last 200 one
    request goes out without validators (``ewsi/fetch/unconditional``), and its answer, even the
    same bytes, restarts the 24 h.

    A 304 to a request that carried no validator (a first run, the 24 h unconditional request; a
    cache or CDN in front of the site answering from its own state) is a server fault, not "unchanged":
    there is no body and nothing we stored to stand for it. It fails the URL with ``fetch.error`` and
    a message naming it (counted ``ewsi/fetch/unasked_304``), never a silent run with no items.
    """

    def __init__(self, crawler: Crawler, database_url: str | None):
        self.crawler = crawler
        self.database_url = database_url
        self.pending: dict[
            str, tuple[str | None, str | None, str | None, int | None, datetime | None, bool | None]
        ] = {}
        """URL -> (etag, last_modified, body_sha256, status, fetched_at; None = now, leads), written at
        close."""
        self.walked: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        """URL -> (meta of the walk request read, its stored entry): `leads` is read from the meta at
        close, once the spider has parsed the answer (module docstring, "Walks")."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        if crawler.settings.get("EWSI_REPLAY") or not crawler.settings.getbool("EWSI_CONDITIONAL_GET", True):
            raise NotConfigured("conditional GET off")
        mw = cls(crawler, crawler.settings.get("EWSI_DATABASE_URL"))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def source_id(self) -> str | None:
        """The id of the crawl's source (the validators' owner, crawler.store.http_cache), or None."""
        source = getattr(getattr(self.crawler, "spider", None), "source", None)
        return getattr(source, "id", None)

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
                entry = http_cache.get_http_cache(session, request.url, self.source_id())
        except Exception as exc:  # no cache: fetch in full
            logger.warning("http cache unavailable for %s: %s", request.url[:200], exc)
            entry = None
        request.meta["ewsi_cache"] = entry
        request.meta["ewsi_cache_url"] = request.url
        retry_for = request.meta.get("ewsi_retry_pages")
        if entry and retry_for:
            every = timedelta(hours=float(request.meta.get("ewsi_revisit_hours") or 24))
            request.meta["ewsi_failed_pages"] = sorted(self._failed_pages(str(retry_for), every))
            if request.meta["ewsi_failed_pages"]:
                request.meta["ewsi_walk"] = True  # read even when unchanged (module docstring)
        if not entry:
            return
        if request.meta.get("ewsi_walk") and (entry.get("leads") or request.meta.get("ewsi_failed_pages")):
            self._stat("ewsi/fetch/walk_read")  # read even when unchanged: no validators (module docstring)
            return
        fetched_at = entry.get("fetched_at")
        if fetched_at is not None:
            fetched_at = fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=UTC)
            if datetime.now(UTC) - fetched_at >= UNCONDITIONAL_AFTER:
                request.meta["ewsi_unconditional"] = True
                self._stat("ewsi/fetch/unconditional")
                return
        if entry.get("etag") and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = entry["etag"]
        if entry.get("last_modified") and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = entry["last_modified"]

    def _failed_pages(self, source_id: str, every: timedelta) -> set[str]:
        """Links of the source's items whose page is due again (none when the store is away)."""
        from crawler.store import revisit
        from crawler.store.session import session_scope

        try:
            with session_scope(self.database_url) as session:
                return revisit.revisit_links(session, source_id, datetime.now(UTC), every)
        except Exception as exc:  # the feed is then handled as any other
            logger.warning("failed pages of %s unavailable: %s", source_id, exc)
            return set()

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("ewsi_role") != "source" or request.meta.get("ewsi_cache_url") != request.url:
            return response
        entry = request.meta.get("ewsi_cache") or {}
        etag_raw = response.headers.get(b"ETag")
        modified_raw = response.headers.get(b"Last-Modified")
        etag = etag_raw.decode("latin-1") if etag_raw else None
        modified = modified_raw.decode("latin-1") if modified_raw else None
        if response.status == 304 and not (
            request.headers.get(b"If-None-Match") or request.headers.get(b"If-Modified-Since")
        ):
            self._stat("ewsi/fetch/unasked_304")
            raise FetchRefused(
                "fetch.error",
                f"{request.url[:200]}: 304 Not Modified to a request without validators "
                "(no If-None-Match, no If-Modified-Since): no body to read, nothing known to be unchanged",
            )
        if response.status == 304 and entry:
            self._stat("ewsi/fetch/not_modified")
            if (etag and etag != entry.get("etag")) or (modified and modified != entry.get("last_modified")):
                self.pending[request.url] = (
                    etag or entry.get("etag"),
                    modified or entry.get("last_modified"),
                    entry.get("body_sha256"),
                    entry.get("status"),
                    entry.get("fetched_at"),
                    entry.get("leads"),
                )
            raise NotModified(f"{request.url[:200]}: 304 Not Modified")
        if response.status != 200:
            return response
        digest = hashlib.sha256(response.body).hexdigest()
        walk = bool(request.meta.get("ewsi_walk"))
        if walk:
            self.walked[request.url] = (request.meta, dict(entry))
        if entry and entry.get("body_sha256") == digest:
            self._stat("ewsi/fetch/not_modified")
            self._stat("ewsi/fetch/same_body")
            if request.meta.get("ewsi_unconditional"):  # restart the 24 h
                leads = entry.get("leads")
                self.pending[request.url] = (etag, modified, digest, response.status, None, leads)
            if walk:  # read on: what it leads to may have changed (module docstring, "Walks")
                request.meta["ewsi_unchanged"] = True
                return response
            raise NotModified(f"{request.url[:200]}: same body as last time")
        self.pending[request.url] = (etag, modified, digest, response.status, None, None)
        return response

    def run_succeeded(self, reason: str) -> bool:
        """Whether this run counts as a success for its validators (see the class docstring).

        The verdict is the run recorder's (crawler.extensions.RunRecorder, connected before the
        downloader middlewares, so its spider_closed has judged the run when this one runs); without
        one (RunRecorder off, or not yet closed), crawler.health rule 1 on the stats decides.
        """
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        if reason != "finished" or any(k.startswith("ewsi/errors/") for k in stats):
            return False
        report = getattr(getattr(self.crawler, "ewsi_recorder", None), "report", None)
        if report is None:
            report = build_report("-", stats, datetime.now(UTC), reason)
        return bool(report.status == "ok" and not report.broken)

    def note_leads(self) -> None:
        """Put into `pending` whether each walk document read in this run led on (``meta["ewsi_leads"]``,
        set by the spider's callback): with its new validators, or alone when only the bit changed."""
        for url, (meta, entry) in self.walked.items():
            leads = bool(meta.get("ewsi_leads"))
            if url in self.pending:
                self.pending[url] = (*self.pending[url][:5], leads)
            elif entry and leads != bool(entry.get("leads")):
                self.pending[url] = (
                    entry.get("etag"),
                    entry.get("last_modified"),
                    entry.get("body_sha256"),
                    entry.get("status"),
                    entry.get("fetched_at"),
                    leads,
                )
        self.walked.clear()

    def spider_closed(self, reason: str) -> None:
        self.note_leads()
        if not self.pending:
            return
        if not self.run_succeeded(reason):
            logger.info("run did not succeed: %d URL validators not kept", len(self.pending))
            self.pending.clear()
            return
        from crawler.store import http_cache
        from crawler.store.session import session_scope

        try:
            with session_scope(self.database_url) as session:
                for url, (etag, modified, digest, status, fetched_at, leads) in self.pending.items():
                    http_cache.put_http_cache(
                        session,
                        url,
                        etag,
                        modified,
                        digest,
                        status,
                        fetched_at=fetched_at,
                        leads=leads,
                        source=self.source_id(),
                    )
        except Exception as exc:  # the next run fetches in full; nothing is lost
            logger.warning("could not store http cache validators: %s", exc)
