"""Feed template: RSS 0.9x/1.0/2.0 and Atom. Scrapy downloads; feedparser parses the bytes.

feedparser gets the response's final URL as Content-Location, so relative links resolve against
where the feed really is after redirects, and against xml:base (case B08). A feed that feedparser
flags as malformed ("bozo") but still yields entries is counted as a warning
(``ewsi/feed/bozo``); one that yields no entry is the error ``parse.feed_malformed``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import feedparser
from scrapy.http import Response

from crawler.types import Attachment, HarvestedItem
from crawler.urls import is_web_url
from spiders.base import SourceSpider


class FeedSpider(SourceSpider):
    """Harvest a source of kind `feed`: one item per entry, newest first, at most `max_items`."""

    name = "feed"

    def parse(self, response: Response) -> Iterator[Any]:
        headers = {"content-location": response.url}
        content_type = response.headers.get(b"Content-Type")
        if content_type:
            headers["content-type"] = content_type.decode("latin-1")
        parsed = feedparser.parse(response.body, response_headers=headers, sanitize_html=True)
        entries = list(parsed.entries)
        if parsed.get("bozo"):
            message = f"{response.url}: {type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}"
            if not entries:
                self.record_error("parse.feed_malformed", message)
                return
            self.stat("ewsi/feed/bozo")
            self.crawler.stats.set_value("ewsi/feed/bozo_message", message[:500])
        if not entries:
            self.stat("ewsi/feed/empty")
            return
        hops = response.meta.get("redirect_urls") or []
        reasons = response.meta.get("redirect_reasons") or []
        if hops and reasons and all(r in (301, 308) for r in reasons):  # every hop permanent (B08)
            self.crawler.stats.set_value("ewsi/permanent_redirect", f"{hops[0]} -> {response.url}")
        feed_language = parsed.feed.get("language")
        if all(e.get("published_parsed") or e.get("updated_parsed") for e in entries):
            entries.sort(key=lambda e: e.get("published_parsed") or e.get("updated_parsed"), reverse=True)
        usable = 0
        for entry in entries:
            item = self.entry_item(entry, response.url, feed_language)
            if item is None:
                self.stat("ewsi/dropped/no_link")
                continue
            usable += 1
            yield from self.emit(item)
        if parsed.get("bozo") and not usable:  # malformed and nothing readable: an error, not a warning
            message = self.crawler.stats.get_value("ewsi/feed/bozo_message") or ""
            self.record_error("parse.feed_malformed", message)

    def entry_item(self, entry: Any, feed_url: str, feed_language: str | None) -> HarvestedItem | None:
        """Map one feedparser entry to a `HarvestedItem` (None when it has neither link nor id)."""
        guid = entry.get("id") or None
        link = entry.get("link")
        if not link:
            for candidate in entry.get("links", []):
                if candidate.get("rel") == "alternate" and candidate.get("href"):
                    link = candidate["href"]
                    break
        if not link and guid and is_web_url(str(guid)):
            link = guid
        if not link:
            return None
        attachments = []
        for candidate in entry.get("links", []):
            if candidate.get("rel") == "enclosure" and candidate.get("href"):
                attachments.append(
                    Attachment(
                        url=candidate["href"], title=candidate.get("title"), media_type=candidate.get("type")
                    )
                )
        published_raw = entry.get("published") or entry.get("updated")
        language = entry.get("language") or (entry.get("title_detail") or {}).get("language") or feed_language
        return self.new_item(
            link,
            title=entry.get("title"),
            summary=entry.get("summary"),
            guid=guid,
            published_raw=published_raw,
            updated_raw=entry.get("updated"),
            published_at=_struct_to_dt(entry.get("published_parsed") or entry.get("updated_parsed")),
            author=entry.get("author"),
            declared_language=(language or None),
            attachments=attachments,
            date_method="feed" if published_raw else None,
            record={
                "feed": feed_url,
                "id": guid,
                "link": link,
                "published": published_raw,
                "updated": entry.get("updated"),
                "tags": [t.get("term") for t in entry.get("tags", []) if t.get("term")],
            },
        )


def _struct_to_dt(value: time.struct_time | None) -> Any:
    """feedparser's parsed dates are UTC struct_time; a fallback when our own parser finds none."""
    if not value:
        return None
    from datetime import UTC, datetime

    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (ValueError, TypeError):
        return None
