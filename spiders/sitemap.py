"""Sitemap template: urlset and sitemap index (sitemaps.org), plain or gzipped.

Parsing and the bounded gunzip are Scrapy's own (`scrapy.utils.sitemap.Sitemap`,
`scrapy.utils.gz.gunzip` with the download size as its limit). Each sitemap URL is fetched once
per run, so an index that includes itself ends (T24).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from spiders.base import SourceSpider

MAX_SITEMAPS = 50
"""Child sitemaps followed per run at most (crawl-trap budget)."""


class SitemapSpider(SourceSpider):
    """Harvest a source of kind `sitemap`: one item per `<url><loc>`.

    ``<lastmod>`` is a modification date: it fills `updated_at`, and `published_at` only provisionally
    (``date_method = "sitemap"``) until the followed page gives its own date (`pipelines.extract`).
    """

    name = "sitemap"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._sitemaps_seen: set[str] = set(self.source.urls)

    def parse(self, response: Response) -> Iterator[Any]:
        body = self._body(response)
        if body is None:
            return
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml raises XMLSyntaxError and others on garbage
            self.record_error("parse.sitemap_malformed", f"{response.url}: {exc}")
            return
        if sitemap.type == "sitemapindex":
            for entry in sitemap:
                loc = entry.get("loc")
                if not loc or loc in self._sitemaps_seen:
                    continue
                if len(self._sitemaps_seen) >= MAX_SITEMAPS:
                    self.stat("ewsi/sitemap/budget_reached")
                    break
                self._sitemaps_seen.add(loc)
                yield self.source_request(response.urljoin(loc), callback=self.parse)
            return
        if sitemap.type != "urlset":
            self.record_error(
                "parse.sitemap_malformed", f"{response.url}: root element is not urlset/sitemapindex"
            )
            return
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            item = self.new_item(
                response.urljoin(loc.strip()),
                published_raw=entry.get("lastmod"),
                updated_raw=entry.get("lastmod"),
                date_method="sitemap" if entry.get("lastmod") else None,
                record={"sitemap": response.url, "loc": loc, "lastmod": entry.get("lastmod")},
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
