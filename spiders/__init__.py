"""Spider templates, one per fetch mechanism, each configured by a `crawler.sources.Source`."""

from __future__ import annotations

from spiders.api import ApiSpider
from spiders.base import SourceSpider
from spiders.feed import FeedSpider
from spiders.ical import ICalSpider
from spiders.listing import ListingSpider
from spiders.sitemap import SitemapSpider

TEMPLATES: dict[str, type[SourceSpider]] = {
    "feed": FeedSpider,
    "listing": ListingSpider,
    "sitemap": SitemapSpider,
    "api": ApiSpider,
    "ical": ICalSpider,
}
"""Spider class for each `Source.kind`."""

__all__ = [
    "TEMPLATES",
    "ApiSpider",
    "FeedSpider",
    "ICalSpider",
    "ListingSpider",
    "SitemapSpider",
    "SourceSpider",
]
