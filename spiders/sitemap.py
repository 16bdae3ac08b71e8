"""Sitemap template: urlset, sitemap index and plain-text sitemaps (sitemaps.org), plain or gzipped.

Parsing is `spiders.sitemapdoc` (strict XML: every URL exact, or ``parse.sitemap_malformed``); the
bounded gunzip is Scrapy's own (`scrapy.utils.gz.gunzip` with the download size as its limit).
Each sitemap is fetched once per run, compared in w3lib's canonical URL form, so an index that
includes itself or loops through others ends (T24). An index nested deeper than `MAX_DEPTH` or more
than `MAX_SITEMAPS` child sitemaps is ``parse.sitemap_malformed`` (the run's URLs would be
incomplete); what was read until then is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response
from scrapy.utils.gz import gunzip
from w3lib.url import canonicalize_url

from spiders.base import SourceSpider
from spiders.sitemapdoc import SitemapMalformed, parse_sitemap

MAX_SITEMAPS = 50
"""Child sitemaps followed per run at most (crawl-trap budget)."""
MAX_DEPTH = 5
"""Levels of sitemap indexes below the source's URL followed at most."""


def _seen_key(url: str) -> str:
    try:
        return canonicalize_url(url)
    except ValueError:
        return url


class SitemapSpider(SourceSpider):
    """Harvest a source of kind `sitemap`: one item per `<url><loc>` (or text line)."""

    name = "sitemap"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._sitemaps_seen: set[str] = {_seen_key(u) for u in self.source.urls}
        self._followed = 0

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
            if depth >= MAX_DEPTH:
                self.record_error(
                    "parse.sitemap_malformed", f"{response.url}: sitemap index nested deeper than {MAX_DEPTH}"
                )
                return
            for entry in sitemap.entries:
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
                yield self.source_request(url, callback=self.parse, meta={"ewsi_sitemap_depth": depth + 1})
            return
        for entry in sitemap.entries:
            loc = entry["loc"]
            lastmod = entry.get("lastmod") or None
            item = self.new_item(
                response.urljoin(loc),
                published_raw=lastmod,
                date_method="sitemap" if lastmod else None,
                record={"sitemap": response.url, "loc": loc, "lastmod": lastmod},
            )
            yield from self.emit(item)

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
