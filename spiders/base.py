"""What every spider template shares: the source, the item budget, following item pages, and
naming every failure with an error key counted in Scrapy stats.

Stats keys: ``ewsi/errors/<key>`` for failures of the source's own URLs (they make a run fail),
``ewsi/page_errors/<key>`` for followed pages (the item is kept without its page; every one failing
fails the run, crawler.health rule 1), ``ewsi/attachment_errors/<key>`` for attachments,
``ewsi/items/yielded`` and ``ewsi/items/truncated``. ``ewsi/moved`` maps each configured URL that
answered a permanent redirect (crawler.health rule 4) to its new URL, for every kind of source.

A followed page's item takes the URL the fetch landed on (`landing_url`): after HTTP redirects (301,
302, 303, 307, 308) and a refresh that Scrapy followed (``<meta http-equiv="refresh">`` or a
``Refresh`` header, crawler.fetch.redirects.LoopAwareMetaRefreshMiddleware), every hop having
passed the SSRF guard; the link it was reached by stays as `linked_url`, an alias of its identity
(pipelines.dedup), so two links that land on one page are one item.

Rule for entries over the budget (every entry the spider does not follow has a named reason): an
entry beyond the source's `max_items` is counted ``ewsi/items/truncated`` and as a dropped item
``ewsi/dropped/max_items`` (the crawl summary's dropped column, the run's ``dropped``), for every
template (feeds, listings, sitemaps, APIs, calendars: `over_budget`), and when the spider closes one
log line per source names how many entries were left and the limit (`log_truncated`).

Rule for walks (documents that lead to other documents: a sitemap index, a listing's or an API's page
with a next page, a feed whose entries are followed; crawler.fetch.conditional_get, "Walks"): an
unchanged answer of such a document (``meta["ewsi_unchanged"]``: the same body as last time) means it
has nothing new, not that what it leads to is unchanged. The spider reads it and walks on (next
pages, child sitemaps; each of which may answer 304 cheaply), within the source's limits; its own
entries are not emitted again (`pass_unchanged`: they count against `max_items` as in the run that
stored them, so the walk's window stays the same), except the entries whose page is due for a
revisit (rule "revisits"). A callback marks an answer that led it on (`led_on`), so the next run
reads that URL even when unchanged.

Rule for revisits (one rule for every source with `follow: true`: feed, listing, sitemap, API): the
source's documents name the source and its `revisit_hours` (``meta["ewsi_retry_pages"]``,
``meta["ewsi_revisit_hours"]``); the conditional GET (crawler.fetch.conditional_get) finds the known
pages due again by crawler.store.revisit (a page that failed or was not read, until read, at most
`MAX_PAGE_TRIES` fetches, then flagged ``page_unreachable``; a funding call's or event's page whose
deadline or start is ahead, once per `revisit_hours`, default 24) and hands their links over in
``meta["ewsi_failed_pages"]``, reading the document even when unchanged. Of an unchanged document
only those entries are emitted again (`due_again`, counted ``ewsi/walk/pages_revisited``), so their
pages are fetched once more; every other known page is not (`pass_unchanged`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.errors import ERROR_KEYS, error_key_for
from crawler.health import DROPPED_PAGE_KEYS, moved_to
from crawler.sources import Source
from crawler.types import Attachment, HarvestedItem
from crawler.urls import is_web_url
from spiders.attachments import attachment_links
from spiders.pagebytes import unreadable

logger = logging.getLogger(__name__)

FOLLOW_MAXSIZE = 64 * 1024 * 1024
"""Size limit for followed documents (PDFs), ../shared/RELIABILITY.md §2."""
MAX_ITEMS_REASON = "max_items"
"""Dropped reason of an entry beyond the source's `max_items` (module rule)."""


class SourceSpider(Spider):
    """Base of the spider templates. `source` is the validated config record.

    Subclasses implement `parse(response)` for the source's own URLs and yield `HarvestedItem`s
    through `emit`, which applies `max_items` and `follow`.
    """

    name = "source"

    def __init__(self, source: Source, **kwargs: Any):
        super().__init__(name=source.id, **kwargs)
        self.source = source
        self.emitted = 0
        self.started_at = datetime.now(UTC)
        self._seen_urls: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.note_moved, signal=signals.response_received)
        return spider

    def note_moved(self, response: Response, request: Request, spider: Spider) -> None:
        """Record in ``ewsi/moved`` a configured URL that answered a permanent redirect to a URL
        answering 2xx (crawler.health.moved_to); temporary redirects and other requests are ignored."""
        if spider is not self or not 200 <= response.status < 300:
            return
        self.note_chain(request, response.url)

    def note_chain(self, request: Request, final_url: str) -> None:
        """Record in ``ewsi/moved`` where `request`'s permanent hops lead, when it started at a
        configured URL and ended at `final_url` with an answer read or known unchanged (a 2xx, a 304
        or the same body as last time: the move is reported whatever the end of the chain says)."""
        hops = list(request.meta.get("redirect_urls") or [])
        if not hops or hops[0] not in self.source.urls:
            return
        target = moved_to([*hops, final_url], list(request.meta.get("redirect_reasons") or []))
        if target is not None and self.crawler.stats is not None:
            moved = dict(self.crawler.stats.get_value("ewsi/moved") or {})
            moved[hops[0]] = target
            self.crawler.stats.set_value("ewsi/moved", moved)

    # -- start ---------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.urls:
            yield self.source_request(url, callback=self.parse, walk=self.walks())

    def walks(self) -> bool:
        """Whether the source's own documents may lead to others (module rule "walks"); the
        templates that walk say when."""
        return False

    def source_request(self, url: str, callback: Any, *, walk: bool = False, **kwargs: Any) -> Request:
        """A request for one of the source's own documents (feed, listing page, sitemap, API); `walk`:
        one the spider reads even when unchanged (module rule "walks")."""
        meta = kwargs.pop("meta", {})
        meta.setdefault("ewsi_role", "source")
        if self.source.follow:  # module rule "revisits"
            meta["ewsi_retry_pages"] = self.source.id
            meta["ewsi_revisit_hours"] = self.source.revisit_hours
        if walk:
            meta["ewsi_walk"] = True
        return Request(url, callback=callback, errback=self.source_failed, meta=meta, **kwargs)

    # -- walks (module rule) ----------------------------------------------------------------------
    @staticmethod
    def unchanged(response: Response) -> bool:
        """True when `response` is the same body as last time, handed over because it leads on."""
        return bool(_meta(response).get("ewsi_unchanged"))

    @staticmethod
    def failed_pages(response: Response) -> set[str]:
        """Links of the source's items whose followed page is due again (module rule "revisits")."""
        return set(_meta(response).get("ewsi_failed_pages") or ())

    def due_again(self, item: HarvestedItem, response: Response) -> bool:
        """Whether an entry of `response` is to be emitted: always when the document changed; when it
        is unchanged, only when the entry's page is due for a revisit (module rule "revisits",
        ``ewsi/walk/pages_revisited``); any other entry is passed as unchanged (`pass_unchanged`)."""
        if not self.unchanged(response):
            return True
        if item.url.split("#", 1)[0] in self.failed_pages(response):
            self.stat("ewsi/walk/pages_revisited")
            return True
        self.pass_unchanged(item)
        return False

    @staticmethod
    def led_on(response: Response) -> None:
        """Note that `response` led to other documents: the next run reads it even when unchanged."""
        meta = _meta(response)
        if meta is not _NO_META:
            meta["ewsi_leads"] = True

    def pass_unchanged(self, item: HarvestedItem) -> None:
        """An entry of an unchanged document (module rule "walks"): not emitted again, but counted
        against `max_items` and the run's duplicates as in the run that stored it
        (``ewsi/walk/entries_unchanged``)."""
        if not self.budget_left():
            return
        key = f"entry:{item.entry_key}" if item.entry_key else item.url.split("#", 1)[0]
        if key in self._seen_urls:
            return
        self._seen_urls.add(key)
        self.emitted += 1
        self.stat("ewsi/walk/entries_unchanged")

    # -- failures ------------------------------------------------------------------------------
    def stat(self, key: str, count: int = 1) -> None:
        """Increment a Scrapy stats counter (no-op outside a crawler)."""
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(key, count)

    def record_error(self, key: str, message: str, *, page: bool = False, attachment: bool = False) -> None:
        """Count an error key and remember the first message of each key for the run record."""
        prefix = "ewsi/attachment_errors/" if attachment else "ewsi/page_errors/" if page else "ewsi/errors/"
        self.stat(prefix + key)
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None and not page:
            messages = crawler.stats.get_value("ewsi/error_messages") or {}
            messages.setdefault(key, message[:500])
            crawler.stats.set_value("ewsi/error_messages", messages)
        log = logger.info if page else logger.warning
        log("[%s] %s: %s", self.source.id, key, message)

    def source_failed(self, failure: Failure) -> None:
        """Errback of the source's own requests: the run records the error key.

        An unchanged answer (304 or the same body, raised by the conditional GET middleware with
        ``ewsi_not_modified``) is not an error: it is already counted ``ewsi/fetch/not_modified``; a
        permanent redirect of a configured URL before it is still recorded (`note_chain`).
        An HTTP status the spider does not read is named in the message (``HTTP 301 without a
        Location header``), not Scrapy's bare "Ignoring non-200 response".
        """
        if getattr(failure.value, "ewsi_not_modified", False):
            request = getattr(failure, "request", None)
            if request is not None:
                self.note_chain(request, request.url)
            return
        key = error_key_for(failure.value)
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        detail = _status_detail(failure.value) or failure.getErrorMessage()
        self.record_error(key, f"{url}: {type(failure.value).__name__}: {detail}")

    # -- items ---------------------------------------------------------------------------------
    def new_item(self, url: str, **fields: Any) -> HarvestedItem:
        """A `HarvestedItem` pre-filled with the source's declared metadata (its country may be made
        more precise once the page's language is known: pipelines.language, `page_country`)."""
        return HarvestedItem(
            source_id=self.source.id,
            url=url,
            declared_languages=list(self.source.languages),
            content_type=self.source.content_type,
            country=self.source.country,
            fetched_at=datetime.now(UTC),
            **fields,
        )

    def budget_left(self) -> bool:
        """False once `max_items` items were emitted (the rest is counted by `over_budget`)."""
        return self.emitted < self.source.max_items

    def over_budget(self) -> None:
        """Count one entry left because `max_items` were emitted (module rule): ``ewsi/items/truncated``
        and the dropped reason ``max_items``."""
        self.stat("ewsi/items/truncated")
        self.stat(f"ewsi/dropped/{MAX_ITEMS_REASON}")

    def closed(self, reason: str) -> None:
        """Scrapy calls this when the spider closes: log the entries left over the budget."""
        self.log_truncated()

    def log_truncated(self) -> None:
        """One log line naming how many entries were left over `max_items` and the limit (none when
        nothing was left)."""
        crawler = getattr(self, "crawler", None)
        stats = crawler.stats if crawler is not None else None
        left = int(stats.get_value(f"ewsi/dropped/{MAX_ITEMS_REASON}") or 0) if stats is not None else 0
        if left:
            logger.warning(
                "[%s] dropped (%s): %d entries over the limit of max_items %d",
                self.source.id,
                MAX_ITEMS_REASON,
                left,
                self.source.max_items,
            )

    def emit(self, item: HarvestedItem) -> Iterator[HarvestedItem | Request]:
        """Yield the item, or a request for its page when the source has `follow: true`."""
        if self.accept(item):
            yield from self.deliver(item)

    def accept(self, item: HarvestedItem) -> bool:
        """Count the item against `max_items` and the run's duplicates; False when it is not to be
        emitted (budget spent: ``ewsi/items/truncated``; seen in this run: ``duplicate_in_run``)."""
        if not self.budget_left():
            self.over_budget()
            return False
        key = f"entry:{item.entry_key}" if item.entry_key else item.url.split("#", 1)[0]
        if key in self._seen_urls:
            self.stat("ewsi/dropped/duplicate_in_run")
            return False
        self._seen_urls.add(key)
        self.emitted += 1
        self.stat("ewsi/items/yielded")
        return True

    def deliver(self, item: HarvestedItem) -> Iterator[HarvestedItem | Request]:
        """Yield an accepted item, or a request for its page when the source has `follow: true`.

        A page link longer than Scrapy's URL length limit (`too_long`), which Scrapy would discard
        without a word, is not requested: the item is dropped and counted
        ``ewsi/dropped/url_too_long``, so every entry the spider does not follow has a named reason.
        """
        if self.source.follow and is_web_url(item.url):
            request = Request(
                item.url,
                callback=self.parse_page,
                errback=self.page_failed,
                cb_kwargs={"item": item},
                meta={"ewsi_role": "page", "download_maxsize": FOLLOW_MAXSIZE},
                dont_filter=True,
            )
            if self.too_long(request.url):
                self.stat("ewsi/dropped/url_too_long")
                logger.info(
                    "[%s] dropped (url_too_long): a link of %d characters: %s...",
                    self.source.id,
                    len(request.url),
                    request.url[:200],
                )
                return
            yield request
        else:
            yield item

    def too_long(self, url: str) -> bool:
        """True when `url` is longer than ``URLLENGTH_LIMIT`` (Scrapy's UrlLengthMiddleware, 2083 by
        default; 0: no limit), which would discard its request silently."""
        crawler = getattr(self, "crawler", None)
        limit = crawler.settings.getint("URLLENGTH_LIMIT", 2083) if crawler is not None else 2083
        return bool(limit) and len(url) > limit

    def parse_page(self, response: Response, item: HarvestedItem) -> Iterator[HarvestedItem | Request]:
        """Attach the followed page's bytes to the item; extraction happens in the pipelines. A page
        that sent the link to the site's front (`sent_to_front`), and an empty page or one whose
        bytes are no text (spiders.pagebytes `unreadable`), is a failed page, as in `page_failed`:
        the item keeps what the index gave."""
        if sent_to_front(item.url, response, self.source.urls):
            key = "fetch.sent_to_front"
            self.record_error(key, f"{item.url}: redirected to {response.url}", page=True)
            item.flags.append(f"page_{key}")
            yield item
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        failed = unreadable(response.body, _header_charset(content_type))
        if failed is not None:  # spiders.pagebytes: empty, or no text whatever the Content-Type says
            detail = f"{ERROR_KEYS[failed]} ({len(response.body)} bytes)"
            self.record_error(failed, f"{response.url}: {detail}", page=True)
            item.flags.append(f"page_{failed}")
            yield item
            return
        landed = landing_url(item.url, response, self.source.urls)
        if landed is not None:
            item.linked_url, item.url = item.url, landed
            self.stat("ewsi/items/redirected")
        item.body = response.body
        item.body_url = response.url
        item.http_status = response.status
        item.media_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        item.encoding = _header_charset(item.media_type)
        item.http_headers = {
            k.decode("latin-1"): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
            if k.lower() in {b"content-type", b"last-modified", b"etag", b"content-language", b"date"}
        }
        item.fetched_at = datetime.now(UTC)
        links = attachment_links(response) if self.source.attachments else []
        yield from self.next_attachment(item, links)

    # -- attachments (spiders.attachments: which links; pipelines.attachments: their text) ----------
    def next_attachment(
        self, item: HarvestedItem, pending: list[tuple[str, str | None]]
    ) -> Iterator[HarvestedItem | Request]:
        """Fetch the next pending attachment of the item's page (one at a time, in page order), or
        yield the item once none is left. Requests skip the duplicate filter: a PDF linked from
        two pages is fetched for both (its document is stored once, by hash)."""
        if not pending:
            yield item
            return
        (url, title), rest = pending[0], pending[1:]
        request = Request(
            url,
            callback=self.parse_attachment,
            errback=self.attachment_failed,
            cb_kwargs={"item": item, "title": title, "pending": rest},
            meta={"ewsi_role": "attachment", "download_maxsize": FOLLOW_MAXSIZE},
            dont_filter=True,
        )
        if self.too_long(request.url):  # not fetched: it stays a link, flagged as a failed one
            key = "fetch.url_too_long"
            self.record_error(
                key, f"{request.url[:200]}...: {len(request.url)} characters", page=True, attachment=True
            )
            item.attachments.append(Attachment(url=url, title=title, flags=[f"attachment_{key}"]))
            yield from self.next_attachment(item, rest)
            return
        yield request

    def parse_attachment(
        self,
        response: Response,
        item: HarvestedItem,
        title: str | None,
        pending: list[tuple[str, str | None]],
    ) -> Iterator[HarvestedItem | Request]:
        """Keep the fetched attachment's bytes on the item; extraction happens in the pipelines."""
        media_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        link = response.request.url if response.request is not None else response.url
        item.attachments.append(Attachment(url=link, title=title, media_type=media_type, body=response.body))
        self.stat("ewsi/attachments/fetched")
        yield from self.next_attachment(item, pending)

    def attachment_failed(self, failure: Failure) -> Iterator[HarvestedItem | Request]:
        """An attachment failed: it stays a link (flagged), the page and the other attachments go on;
        one robots.txt forbids is left out."""
        request = failure.request  # type: ignore[attr-defined]
        item: HarvestedItem = request.cb_kwargs["item"]
        key = error_key_for(failure.value)
        if key != "fetch.robots":
            self.record_error(key, f"{request.url}: {failure.getErrorMessage()}", page=True, attachment=True)
            flags = [f"attachment_{key}"]
            item.attachments.append(
                Attachment(url=request.url, title=request.cb_kwargs["title"], flags=flags)
            )
        yield from self.next_attachment(item, request.cb_kwargs["pending"])

    def page_failed(self, failure: Failure) -> Iterator[HarvestedItem]:
        """A followed page failed: keep the item with what the index gave, flagged ``page_<key>``
        (the item page tells the editor the document could not be fetched).

        Not harvested at all, the item dropped and counted ``ewsi/dropped/<reason>``: a page robots.txt
        forbids (case B13, ``robots``), and a link the SSRF guard refuses (a private, loopback or
        link-local address, a scheme other than http(s): ``blocked_address``, ``blocked_scheme``), since
        an item is offered for publication with its link, and such a link is no public document.
        """
        request = failure.request  # type: ignore[attr-defined]
        item: HarvestedItem = request.cb_kwargs["item"]
        key = error_key_for(failure.value)
        if key in DROPPED_PAGE_KEYS:
            self.stat(f"ewsi/dropped/{key.removeprefix('fetch.')}")
            if key != "fetch.robots":
                self.record_error(key, f"{request.url}: {failure.getErrorMessage()}", page=True)
            return
        self.record_error(key, f"{request.url}: {failure.getErrorMessage()}", page=True)
        item.flags.append(f"page_{key}")
        yield item


def landing_url(link: str, response: Response, source_urls: list[str] | tuple[str, ...] = ()) -> str | None:
    """The URL an item linked as `link` takes from its followed page's `response`, or None to keep
    `link`.

    Rule: when the fetch was redirected (Scrapy's ``redirect_urls``: HTTP 3xx hops and followed
    refreshes) to another page, the item is the page it landed on, whatever its host (the project
    has no rule that binds an item to its source's host); the normalise stage then cleans it like
    any link (tracking parameters, session ids) and the dedup stage keeps the link as an alias.
    Except a landing on the front of the site (`sent_to_front`): no article's address, and taking
    it would make every such link one item. Pages are compared by `_page_key` (no scheme, ``www.``,
    index file, trailing slash, fragment).
    """
    if not response.meta.get("redirect_urls"):
        return None
    final = response.url
    if _page_key(final) == _page_key(link) or sent_to_front(link, response, source_urls):
        return None
    return final


def sent_to_front(link: str, response: Response, source_urls: list[str] | tuple[str, ...] = ()) -> bool:
    """True when the fetch of `link` was redirected to the site's home page (path ``/`` without
    query) or to one of the source's own configured URLs (its listing, its feed), and `link` was
    neither: a removed or unpublished article sent to the front page (sites answer a gone page so
    instead of 404 or 410). The item keeps its link and what the index gave, flagged
    ``page_fetch.sent_to_front`` (`SiteSpider.parse_page`); the front page's text is not its text."""
    if not response.meta.get("redirect_urls"):
        return False
    landed, linked = _page_key(response.url), _page_key(link)
    if landed == linked:
        return False
    if _is_home(landed) and not _is_home(linked):
        return True
    own = {_page_key(url) for url in source_urls}
    return landed in own and linked not in own


_INDEX_FILE = re.compile(r"/(?:index|default)\.[a-z0-9]+$", re.IGNORECASE)


def _page_key(url: str) -> tuple[str, str, str]:
    """(host without ``www.``, path without index file and trailing slash, query) of `url`."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return host, _INDEX_FILE.sub("", parts.path).rstrip("/"), parts.query


def _is_home(key: tuple[str, str, str]) -> bool:
    """True for a site's root (``/``, ``/index.html``) without query."""
    return not key[1] and not key[2]


_NO_META: dict[str, Any] = {}


def _meta(response: Response) -> dict[str, Any]:
    """The meta of the request behind `response` (an empty, shared dict for a response built without
    one)."""
    try:
        return response.meta
    except AttributeError:
        return _NO_META


def _status_detail(exc: BaseException) -> str | None:
    """``HTTP 418`` for an HttpError's answer (``HTTP 302 without a Location header`` for a redirect
    that names no target), else None."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status", None)
    if not isinstance(status, int):
        return None
    if 300 <= status < 400 and not response.headers.get(b"Location"):  # type: ignore[union-attr]
        return f"HTTP {status} without a Location header (a redirect that names no target)"
    return f"HTTP {status} answer (only a 200 is read)"


def _header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip("\"' ").lower()
    return None
