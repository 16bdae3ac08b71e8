"""Feed template: RSS 0.9x/1.0/2.0, Atom and JSON Feed 1.0/1.1. Scrapy downloads; feedparser parses XML
feeds, `spiders.jsonfeed` maps JSON Feeds into the same entry shape.

Bytes are decoded by `crawler.xmltext.decode_xml` (`crawler.encoding.decode_html`'s page rules:
header, declaration, a few bad bytes in a UTF-8 feed replaced instead of a legacy decoding of the
whole feed) and handed to feedparser as UTF-8. feedparser gets the response's final URL as
Content-Location, so relative links resolve against where the feed really is after redirects, and
against xml:base (case B08).

What a body is (checked in this order):
- a JSON body (first byte ``{``) that is a JSON Feed is read; one that starts like a JSON Feed (its
  head names a jsonfeed.org version) but is cut short, invalid JSON or has no ``items`` list is
  ``parse.feed_malformed``; any other JSON is ``parse.not_a_feed``;
- an empty body, or a document that is no RSS/RDF/Atom feed (an HTML sign-in page, an XHTML
  maintenance page) and yields no entry, is ``parse.not_a_feed``: the source is failing, nothing of
  what it delivered before is touched; an HTML page that names a feed (``<link rel="alternate"
  type="application/rss+xml">``: the source's URL is the site's page, not its feed) says which in
  the error message, for the operator to put in the config (it is not fetched in its place); a
  site shield's challenge page ("Just a moment...", "Access denied") is ``fetch.blocked_by_site``,
  as ``ewsi sources check`` says (crawler.probe.blocked_by_site);
- a feed that feedparser flags as malformed ("bozo") but still yields entries is counted as a warning
  (``ewsi/feed/bozo``); one that yields no entry is ``parse.feed_malformed``; of a document cut
  short, only the entries that closed before the cut are read (`spiders.feedcut`), so a cut
  in the middle of every entry is ``parse.feed_malformed`` too;
- a well-formed feed with zero entries is a healthy run with nothing new (``ewsi/feed/empty``);
- a real feed served as ``text/html`` is read like any other.

Bytes before the root that XML forbids but feeds carry (feedparser#508, feedjira#196): blank lines
or spaces before ``<?xml`` are dropped, so the feed is parsed strictly instead of by feedparser's
loose fallback with a bozo warning; a UTF-16 or UTF-32 document without a byte order mark is
recognised by its first character, ``<`` as ``00 3C`` (big-endian) or ``3C 00`` (little-endian),
``00 00 00 3C`` or ``3C 00 00 00`` for UTF-32, as XML 1.0 Appendix F says (crawler.xmltext),
instead of being read as UTF-8 and found to be no feed.
Rule for a walk (spiders.base, "walks"): a feed with `follow: true` leads to its entries' pages. When
items of the source have pages due for a revisit (crawler.store.revisit: a failed page, a call's or
event's page whose date is ahead), the feed is read even when unchanged, and only those entries are
emitted again, so their pages are asked for once more (``ewsi/walk/pages_revisited``, as for every
kind: spiders.base, "revisits"); the other entries are not (`pass_unchanged`). With no such item the
feed keeps its cheap conditional GET.
Links and identity of entries follow `spiders.entries`; what an entry's id is (a URL or a token),
`spiders.feedfields`; a date that every entry carries is the feed's build time, `spiders.feeddates`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import feedparser
from scrapy.http import Response

from crawler.discover import feed_links
from crawler.encoding import mixed_encoding_bytes
from crawler.errors import JsonFeedMalformed, NotJsonFeed
from crawler.jsontext import mixed_encoding_count
from crawler.probe import blocked_by_site
from crawler.types import FEED_UPDATED, Attachment, HarvestedItem
from crawler.xmltext import XML_DECLARATION, decode_xml, with_bom
from spiders.base import SourceSpider
from spiders.entries import FeedIdentity, choose_links, shared_summaries, summary_key
from spiders.feedauthor import drop_editors, entry_author
from spiders.feedcdata import feed_html, repair_nested_cdata
from spiders.feedcdata import install as install_feed_cdata
from spiders.feedcut import complete_entries
from spiders.feeddates import generation_date, undated
from spiders.feedfields import change_date
from spiders.feedfields import install as install_feed_fields
from spiders.jsonfeed import looks_like_json, parse_json_feed

_ROOT = re.compile(rb"<([A-Za-z_][\w:.-]*)")

install_feed_fields()
install_feed_cdata()


class FeedSpider(SourceSpider):
    """Harvest a source of kind `feed`: one item per entry, newest first, at most `max_items`."""

    name = "feed"

    def walks(self) -> bool:
        """A followed feed leads to its entries' pages (module rule for a walk)."""
        return bool(self.source.follow)

    def parse(self, response: Response) -> Iterator[Any]:
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        parsed = self.read_feed(response.body, content_type, response.url, response.status)
        if parsed is None:
            return
        entries = list(parsed["entries"])
        complete = parsed.get("ewsi_complete_entries")
        if complete is not None and complete < len(entries):  # cut short: the open entries are partial
            self.stat("ewsi/feed/entry_cut", len(entries) - complete)
            entries = entries[:complete]
        if parsed.get("bozo"):
            message = f"{response.url}: {type(parsed['bozo_exception']).__name__}: {parsed['bozo_exception']}"
            if not entries:
                self.record_error("parse.feed_malformed", message)
                return
            self.stat("ewsi/feed/bozo")
            self.crawler.stats.set_value("ewsi/feed/bozo_message", message[:500])
        if not entries:
            self.stat("ewsi/feed/empty")
            return
        hops = response.meta.get("redirect_urls") or []  # a permanent move: SourceSpider.note_moved
        feed = parsed.get("feed") or {}
        feed_language = feed.get("language")
        if all(e.get("published_parsed") or e.get("updated_parsed") for e in entries):
            entries.sort(key=lambda e: e.get("published_parsed") or e.get("updated_parsed"), reverse=True)
        feed_urls = {response.url, *hops, str(feed.get("link") or "")}
        links = [choose_links(e, self.source.languages, feed_language, feed_urls) for e in entries]
        identity = FeedIdentity.of(entries, [_absolute(response, lnk.url) for lnk in links], feed_urls)
        placeholders = shared_summaries(entries)
        built_at = generation_date(entries)
        usable = 0
        for entry, entry_links in zip(entries, links, strict=True):
            if built_at is not None:  # every entry carries the feed's build time (spiders.feeddates)
                self.stat("ewsi/feed/shared_date")
                entry = undated(entry)
            if identity.repeated_guid(entry.get("id")):
                self.stat("ewsi/feed/guid_repeated")
            if placeholders and summary_key(entry.get("summary")) in placeholders:
                self.stat("ewsi/feed/summary_placeholder")
                entry = {**entry, "summary": None}
            item = self.entry_item(entry, response, feed_language, entry_links, identity, feed)
            if item is not None:
                item.feed_name = feed_html(feed.get("title"))
            if item is None:
                self.stat("ewsi/dropped/no_link")
                continue
            usable += 1
            if self.due_again(item, response):
                yield from self.emit(item)
        if parsed.get("bozo") and not usable:  # malformed and nothing readable: an error, not a warning
            message = self.crawler.stats.get_value("ewsi/feed/bozo_message") or ""
            self.record_error("parse.feed_malformed", message)

    def read_feed(self, body: bytes, content_type: str, url: str, status: int = 200) -> dict[str, Any] | None:
        """The parsed feed (feedparser's shape), or None after recording ``parse.not_a_feed`` (or
        ``fetch.blocked_by_site`` for a site shield's challenge page, crawler.probe.blocked_by_site)."""
        if not body.strip():
            self.record_error("parse.not_a_feed", f"{url}: empty body")
            return None
        if looks_like_json(body):
            repaired = mixed_encoding_count(body, content_type)
            if repaired:  # UTF-8 with Windows-1252 bytes (crawler.encoding)
                self.stat("ewsi/parse/mixed_encoding", repaired)
            try:
                return parse_json_feed(body, content_type)
            except JsonFeedMalformed as exc:
                self.record_error("parse.feed_malformed", f"{url}: {exc}")
                return None
            except NotJsonFeed as exc:
                self.record_error("parse.not_a_feed", f"{url}: JSON but not a JSON Feed: {exc}")
                return None
        parsed, text = parse_xml_feed(body, content_type, url)
        if parsed.get("ewsi_mixed_encoding"):  # UTF-8 with Windows-1252 bytes (crawler.encoding)
            self.stat("ewsi/parse/mixed_encoding", int(parsed["ewsi_mixed_encoding"]))
        if not parsed.get("version") and not parsed.get("entries"):
            shield = blocked_by_site(status, content_type, body)
            if shield is not None:
                self.record_error("fetch.blocked_by_site", f"{url}: {shield}")
                return None
            root = _ROOT.search(text[:4096].encode("utf-8", "replace"))
            name = root.group(1).decode("ascii", "replace") if root else "?"
            message = f"{url}: no RSS, RDF or Atom root (found <{name}>)"
            named = feed_links(text, url) if name.lower() == "html" else []
            named = [link for link in named if link != url]
            if named:
                message += f"; the page names a feed: {named[0]} (use it as the source's URL)"
            self.record_error("parse.not_a_feed", message)
            return None
        return parsed

    def entry_item(
        self,
        entry: Any,
        response: Response,
        feed_language: str | None,
        links: Any = None,
        identity: FeedIdentity | None = None,
        feed: Any = None,
    ) -> HarvestedItem | None:
        """Map one entry to a `HarvestedItem` (None when it has no usable link); `feed` is the
        parsed feed's own fields, whose authors an entry without one takes (`spiders.feedauthor`)."""
        feed_url = response.url if isinstance(response, Response) else str(response)
        if links is None:
            links = choose_links(entry, self.source.languages, feed_language, {feed_url})
        link = _absolute(response, links.url)
        if not link:
            return None
        raw_guid = entry.get("id") or None
        guid = identity.usable_guid(raw_guid) if identity is not None else raw_guid
        updated_raw, _ = change_date(entry)  # never feedparser's copy of the publication date
        published_raw = entry.get("published") or updated_raw
        entry_key = identity.entry_key(link, guid, published_raw, entry.get("title")) if identity else None
        attachments = [
            Attachment(
                url=_absolute(response, a["href"]) or a["href"],
                title=a.get("title"),
                media_type=a.get("type"),
            )
            for a in links.attachments
        ]
        language = (
            links.language
            or entry.get("language")
            or (entry.get("title_detail") or {}).get("language")
            or feed_language
        )
        record: dict[str, Any] = {
            "feed": feed_url,
            "id": raw_guid,
            "link": link,
            "published": published_raw,
            "updated": updated_raw,
            "tags": [t.get("term") for t in entry.get("tags", []) if t.get("term")],
        }
        if links.language_versions:
            record["language_versions"] = {
                lang: _absolute(response, href) or href for lang, href in links.language_versions.items()
            }
        return self.new_item(
            link,
            title=feed_html(entry.get("title")),
            summary=feed_html(entry.get("summary")),
            guid=guid,
            entry_key=entry_key,
            published_raw=published_raw,
            updated_raw=updated_raw,
            published_at=_struct_to_dt(entry.get("published_parsed") or entry.get("updated_parsed")),
            author=entry_author(entry, feed),
            declared_language=(language or None),
            attachments=attachments,
            # an entry with <updated> alone gives when it last changed: the page's own publication
            # date, when it has one, replaces it (pipelines.extract._apply_dates)
            date_method=("feed" if entry.get("published") else FEED_UPDATED) if published_raw else None,
            record=record,
        )


def parse_xml_feed(body: bytes, content_type: str, url: str) -> tuple[dict[str, Any], str]:
    """(feedparser's reading, the decoded text) of an XML feed body, read as a harvest reads it (module
    docstring): `crawler.xmltext.decode_xml`, the XML declaration made to say UTF-8, feedparser with
    `url` as Content-Location. A malformed ("bozo") feed carries ``ewsi_complete_entries``: how many
    of its entries closed before a cut (`spiders.feedcut`)."""
    text, encoding = decode_xml(body, content_type)
    mixed = mixed_encoding_bytes(with_bom(body), encoding)
    text = XML_DECLARATION.sub(r"\1\2utf-8\2", text, count=1)
    text = repair_nested_cdata(text)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type.split(";", 1)[0].strip() + "; charset=utf-8"
    parsed = feedparser.parse(text.encode("utf-8"), response_headers=headers, sanitize_html=True)
    if parsed.get("bozo") and (parsed.get("version") or parsed.entries):
        parsed["ewsi_complete_entries"] = complete_entries(text)
    if str(parsed.get("version") or "").startswith("rss") and parsed.get("feed"):
        parsed["feed"] = drop_editors(parsed["feed"], text)
    if mixed:
        parsed["ewsi_mixed_encoding"] = mixed
    return parsed, text


def _absolute(response: Any, url: str | None) -> str | None:
    """`url` resolved against the feed's final URL (feedparser resolves XML links itself; JSON ones not)."""
    if not url:
        return None
    return response.urljoin(url) if isinstance(response, Response) else url


def _struct_to_dt(value: time.struct_time | None) -> Any:
    """feedparser's parsed dates are UTC struct_time; a fallback when our own parser finds none."""
    if not value:
        return None
    from datetime import UTC, datetime

    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (ValueError, TypeError):
        return None
