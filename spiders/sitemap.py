"""Sitemap template: urlset, sitemap index and plain-text sitemaps (sitemaps.org), plain or gzipped.

Parsing is `spiders.sitemapdoc` (strict XML: every URL exact, or ``parse.sitemap_malformed``); the
bounded gunzip is Scrapy's own (`scrapy.utils.gz.gunzip` with the download size as its limit).
Each sitemap is fetched once per run, compared in w3lib's canonical URL form, so an index that
includes itself or loops through others ends (T24). An index nested deeper than `MAX_DEPTH` or more
than `MAX_SITEMAPS` child sitemaps is ``parse.sitemap_malformed`` (the run's URLs would be
incomplete); what was read until then is kept.

Rule for a walk (spiders.base, "walks"): a sitemap index is a document that only leads to others. Its
unchanged answer (the same body) is read all the same and its child sitemaps are asked for, each
with its own validators (an unchanged child answers 304, or the same body, and adds nothing); an
index that led on is read in full next time (crawler.fetch.conditional_get, ``http_cache.leads``).
The same holds for an index inside an index. A urlset answering unchanged emits only the entries
whose page is due for a revisit (spiders.base, "revisits").

Rule for the sites a sitemap may name (source setting ``sitemap: {same_site_only: true}``, off by
default; spiders.sitemapsite): with it on, a ``<url>`` entry or an index's ``<sitemap>`` on another
site than the sitemap's own is dropped before anything else (before `max_items`), counted
``ewsi/dropped/off_site``, never requested, and the source's count logged once when the spider
closes. Off, a sitemap may name any site (an operator's curated list of other sites' articles).

Rule for `max_items` (the newest first, as the iCalendar spider keeps the soonest events): the
entries of a urlset are taken newest first by their date (`entry_date`: the Google News
``publication_date``, else ``<lastmod>``, in any W3C datetime form, ``2024``, ``2024-05``,
``2024-05-01``, with a time and zone or ``Z``, or an RFC 822 date), entries without a readable date
after the dated ones in file order; the order of sitemaps is that of the index. Sitemaps are often
written oldest first: taking the first N in file order would keep the same old N every run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.http import Response
from scrapy.utils.gz import gunzip
from w3lib.url import canonicalize_url

from crawler.types import HarvestedItem
from spiders.base import SourceSpider
from spiders.sitemapdoc import SitemapMalformed, parse_sitemap
from spiders.sitemapsite import OFF_SITE, on_site, sitemap_sites

NEWS_DATE = "sitemap_news"
"""date_method of an item dated by its Google News ``publication_date``."""
MAX_SITEMAPS = 50
"""Child sitemaps followed per run at most (crawl-trap budget)."""
MAX_DEPTH = 5
"""Levels of sitemap indexes below the source's URL followed at most."""


_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def entry_date(entry: dict[str, str]) -> datetime | None:
    """The date a urlset entry is ordered by (module rule for `max_items`), in UTC; None when it has
    none or none that reads."""
    text = (entry.get("news_published") or entry.get("lastmod") or "").strip()
    if not text:
        return None
    when: datetime | None
    short = _YEAR_MONTH.match(text)
    try:
        if short:
            when = datetime(int(short.group(1)), int(short.group(2) or 1), 1)
        else:
            when = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def newest_first(entries: list[dict[str, str]]) -> list[dict[str, str]]:
    """`entries` newest first by `entry_date`; undated ones after, in file order (module rule)."""
    dated = [(when, n, e) for n, e in enumerate(entries) if (when := entry_date(e)) is not None]
    dated.sort(key=lambda d: (-d[0].timestamp(), d[1]))
    undated = [e for e in entries if entry_date(e) is None]
    return [e for _, _, e in dated] + undated


def _seen_key(url: str) -> str:
    try:
        return canonicalize_url(url)
    except ValueError:
        return url


class SitemapSpider(SourceSpider):
    """Harvest a source of kind `sitemap`: one item per `<url><loc>` (or text line).

    ``<lastmod>`` is a modification date: it fills `updated_at`, and `published_at` only provisionally
    (``date_method = "sitemap"``) until the followed page gives its own date (`pipelines.extract`).
    A Google News ``<news:publication_date>`` is the publication date and outranks ``<lastmod>``
    (``date_method = "sitemap_news"``: a page date replaces it only as it replaces a feed's, with
    the time of the same day); ``<news:title>`` is the item's title until the page gives its own
    (flag ``title_from_sitemap``, as a listing's anchor text: a page whose title is only the site
    name keeps it); ``<news:language>`` is the item's declared language, which the page's own
    ``lang`` replaces.
    """

    name = "sitemap"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._sitemaps_seen: set[str] = {_seen_key(u) for u in self.source.urls}
        self._followed = 0
        self._off_site_example: str | None = None

    def walks(self) -> bool:
        """Any sitemap may be an index (module rule for a walk)."""
        return True

    def parse(self, response: Response) -> Iterator[Any]:
        body = self._body(response)
        if body is None:
            return
        try:
            sitemap = parse_sitemap(body)
        except SitemapMalformed as exc:
            self.record_error("parse.sitemap_malformed", f"{response.url}: {exc}")
            return
        if sitemap.repaired:
            self.stat("ewsi/sitemap/bare_ampersand")
        depth = int(response.meta.get("ewsi_sitemap_depth", 0))
        if sitemap.kind == "sitemapindex":
            self.led_on(response)
            if self.unchanged(response):
                self.stat("ewsi/sitemap/index_unchanged")
            if depth >= MAX_DEPTH:
                self.record_error(
                    "parse.sitemap_malformed", f"{response.url}: sitemap index nested deeper than {MAX_DEPTH}"
                )
                return
            for entry in self._own_site(sitemap.entries, response):
                url = response.urljoin(entry["loc"])
                key = _seen_key(url)
                if key in self._sitemaps_seen:
                    self.stat("ewsi/sitemap/seen_again")
                    continue
                if self._followed >= MAX_SITEMAPS:
                    self.stat("ewsi/sitemap/budget_reached")
                    self.record_error(
                        "parse.sitemap_malformed", f"{response.url}: more than {MAX_SITEMAPS} sitemaps"
                    )
                    break
                self._sitemaps_seen.add(key)
                self._followed += 1
                yield self.source_request(
                    url, callback=self.parse, walk=True, meta={"ewsi_sitemap_depth": depth + 1}
                )
            return
        for entry in newest_first(self._own_site(sitemap.entries, response)):
            item = self.entry_item(entry, response)
            if self.due_again(item, response):
                yield from self.emit(item)

    def _own_site(self, entries: list[dict[str, str]], response: Response) -> list[dict[str, str]]:
        """`entries` of the sitemap `response`, without those on another site when the source has
        `same_site_only` (module rule for sites): each of those counted ``ewsi/dropped/off_site``."""
        settings = self.source.sitemap
        if settings is None or not settings.same_site_only:
            return entries
        asked = (response.meta.get("redirect_urls") or [response.url])[0]
        sites = sitemap_sites((asked, response.url))
        kept = []
        for entry in entries:
            url = response.urljoin(entry["loc"])
            if on_site(url, sites):
                kept.append(entry)
                continue
            self.stat(f"ewsi/dropped/{OFF_SITE}")
            self._off_site_example = self._off_site_example or url[:200]
            self.logger.debug("[%s] dropped (%s): %s in %s", self.source.id, OFF_SITE, url[:200],
                              response.url)  # fmt: skip
        return kept

    def closed(self, reason: str) -> None:
        """Scrapy calls this when the spider closes: the entries left over `max_items` and those on
        another site (module rule for sites), one log line each."""
        super().closed(reason)
        stats = self.crawler.stats if getattr(self, "crawler", None) is not None else None
        dropped = int(stats.get_value(f"ewsi/dropped/{OFF_SITE}") or 0) if stats is not None else 0
        if dropped:
            self.logger.warning(
                "[%s] dropped (%s): %d sitemap entries on another site than their sitemap's"
                " (sitemap.same_site_only), the first %s",
                self.source.id,
                OFF_SITE,
                dropped,
                self._off_site_example,
            )

    def entry_item(self, entry: dict[str, str], response: Response) -> HarvestedItem:
        """One ``<url>`` (`spiders.sitemapdoc.SitemapDoc` entry) as an item (class docstring)."""
        loc = entry["loc"]
        lastmod = entry.get("lastmod") or None
        published = entry.get("news_published") or None
        title = entry.get("news_title") or None
        record: dict[str, Any] = {"sitemap": response.url, "loc": loc, "lastmod": lastmod}
        record.update({k: v for k, v in entry.items() if k.startswith("news_")})
        item = self.new_item(
            response.urljoin(loc),
            title=title,
            published_raw=published or lastmod,
            updated_raw=lastmod,
            date_method=NEWS_DATE if published else ("sitemap" if lastmod else None),
            declared_language=entry.get("news_language") or None,
            record=record,
        )
        if title:
            item.flags.append("title_from_sitemap")  # provisional: the page's own title wins
        return item

    def _body(self, response: Response) -> bytes | None:
        body = response.body
        if body[:2] == b"\x1f\x8b":
            limit = self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
            try:
                return gunzip(body, max_size=limit)
            except ValueError as exc:  # raised when the limit is exceeded
                self.record_error(
                    "fetch.too_large", f"{response.url}: gzipped sitemap over {limit} bytes: {exc}"
                )
                return None
            except OSError as exc:
                self.record_error("fetch.data_loss", f"{response.url}: broken gzip: {exc}")
                return None
        return body
