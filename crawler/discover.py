"""Pure discovery: what a fetched page offers a harvest (feeds, sitemaps, JSON records, a link selector).

Rules:
- feeds: ``<link rel="alternate">`` with an RSS/Atom/RDF type, absolute against the page (or its
  ``<base href>``); then `COMMON_FEED_PATHS` as candidates to try, in that order;
- calendars: a URL whose answer is an iCalendar file (`is_calendar`) makes the proposal ``kind:
  ical``, nothing else is looked for;
- sitemaps: a URL whose answer is itself a sitemap (`is_sitemap`: an XML ``<urlset>`` or
  ``<sitemapindex>`` root, plain or gzipped as the sitemap spider reads it) comes first and makes
  the proposal ``kind: sitemap``; then every ``Sitemap:`` line of robots.txt (protego's reading), in
  file order;
- JSON: an object or list whose largest list of objects holds a title-like key becomes an
  `ApiGuess` with JMESPath expressions (items, title, and date/link/summary where a key matches);
- listing: links whose href shares a path prefix, grouped by their parent chain of tag.class
  names; the biggest group of at least `MIN_BLOCK` links gives a CSS selector ``... a::attr(href)``.
Nothing here fetches; bodies are untrusted and parsed by parsel (lxml) only.
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.encoding import MIXED_ENCODING
from crawler.jsontext import load_json
from crawler.urls import source_url_key

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
COMMON_FEED_PATHS = ("/feed/", "/rss.xml", "/feed.xml", "/atom.xml", "/rss", "/index.xml")
"""Paths tried on the page's host when the page names no feed."""
MIN_BLOCK = 4
"""Fewest repeated article links that make a listing block."""

_TITLE_KEYS = ("title", "name", "headline", "label", "subject")
_DATE_KEYS = ("published", "date", "pubdate", "publicationdate", "created", "updated", "modified", "datetime")
_LINK_KEYS = ("url", "link", "href", "permalink", "uri")
_SUMMARY_KEYS = ("summary", "description", "lead", "abstract", "teaser", "excerpt")
_SKIP_PATH = re.compile(
    r"/(tag|tags|category|author|search|login|page)(/|$)|\.(jpg|png|gif|svg|css|js)$", re.I
)


@dataclass(frozen=True)
class ApiGuess:
    """JMESPath expressions read off a JSON answer (the api template's settings)."""

    items: str
    title: str
    published: str | None = None
    link: str | None = None
    summary: str | None = None
    count: int = 0

    def as_config(self) -> dict[str, str]:
        keys = ("items", "title", "published", "link", "summary")
        return {k: v for k in keys if isinstance(v := getattr(self, k), str)}


@dataclass
class Discovery:
    """What a page offers, best first in each list."""

    url: str
    feeds: list[str] = field(default_factory=list)
    feed_candidates: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    api: ApiGuess | None = None
    selector: str | None = None
    sample_links: list[str] = field(default_factory=list)

    sitemap_given: bool = False
    """True when the URL itself answered a sitemap (it is then ``sitemaps[0]``)."""
    calendar_given: bool = False
    """True when the URL itself answered an iCalendar file (`is_calendar`)."""

    @property
    def kind(self) -> str | None:
        """The template to propose: sitemap when the URL is one, else feed, api, listing, sitemap (in
        that preference), or None; ical when the URL answered a calendar."""
        if self.calendar_given:
            return "ical"
        if self.sitemap_given:
            return "sitemap"
        if self.feeds:
            return "feed"
        if self.api:
            return "api"
        if self.selector:
            return "listing"
        if self.sitemaps:
            return "sitemap"
        return None


def _base(sel: Selector, url: str) -> str:
    base = sel.css("base::attr(href)").get()
    return urljoin(url, base.strip()) if base else url


def feed_links(html: str, url: str) -> list[str]:
    """Absolute feed URLs named by ``<link rel="alternate" type="...">`` in the page, deduplicated."""
    sel = Selector(text=html or "<html/>")
    base = _base(sel, url)
    found: list[str] = []
    for link in sel.css("link"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").lower().split(";")[0].strip()
        href = (link.attrib.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            absolute = urljoin(base, href)
            if urlsplit(absolute).scheme in ("http", "https") and absolute not in found:
                found.append(absolute)
    return found


def common_feed_candidates(url: str) -> list[str]:
    """`COMMON_FEED_PATHS` on the page's origin."""
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}{path}" for path in COMMON_FEED_PATHS]


def robots_sitemaps(robots_txt: str, robots_url: str) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt, in order (protego parses it)."""
    from protego import Protego

    parser = Protego.parse(robots_txt or "")
    return [urljoin(robots_url, s) for s in parser.sitemaps]


def _find_key(record: dict[str, Any], names: tuple[str, ...], want_str: bool = True) -> str | None:
    lowered = {re.sub(r"[^a-z]", "", k.lower()): k for k in record}
    for name in names:
        for low, key in lowered.items():
            if (low.startswith(name) or low.endswith(name)) and (
                not want_str or isinstance(record[key], str)
            ):
                return key
    return None


def _quote(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else json.dumps(key)


def _record_lists(node: Any, path: str, depth: int = 0) -> list[tuple[str, list[dict[str, Any]]]]:
    found: list[tuple[str, list[dict[str, Any]]]] = []
    if depth > 4:
        return found
    if isinstance(node, list):
        records = [x for x in node if isinstance(x, dict)]
        if records and len(records) >= len(node) / 2:
            found.append((f"{path}[]" if path else "[]", records))
    elif isinstance(node, dict):
        for key, value in node.items():
            sub = f"{path}.{_quote(key)}" if path else _quote(key)
            found.extend(_record_lists(value, sub, depth + 1))
    return found


def guess_api(body: bytes, content_type: str = "") -> ApiGuess | None:
    """JMESPath settings for the largest list of records that have a title-like string key, or None
    (the body decoded as a harvest decodes it: `crawler.jsontext`)."""
    try:
        data = load_json(body, content_type)
    except (ValueError, RecursionError):
        return None
    best: ApiGuess | None = None
    for path, records in _record_lists(data, ""):
        first = records[0]
        title = _find_key(first, _TITLE_KEYS)
        if not title or (best and best.count >= len(records)):
            continue
        items = path if path != "[]" else "@"
        if items.endswith("[]"):
            items = items[:-2]
        date, link, summary = (_find_key(first, keys) for keys in (_DATE_KEYS, _LINK_KEYS, _SUMMARY_KEYS))
        best = ApiGuess(
            items=items,
            title=_quote(title),
            published=_quote(date) if date else None,
            link=_quote(link) if link else None,
            summary=_quote(summary) if summary else None,
            count=len(records),
        )
    return best


def _chain(node: Selector) -> str:
    parts: list[str] = []
    for anc in node.xpath("ancestor::*")[-3:]:
        tag = anc.root.tag if isinstance(anc.root.tag, str) else ""
        classes = (anc.attrib.get("class") or "").split()
        cls = next((c for c in classes if re.fullmatch(r"[A-Za-z][\w-]{1,40}", c)), None)
        parts.append(f"{tag}.{cls}" if cls else tag)
    return " ".join(p for p in parts if p not in ("html", "body"))


def _prefix(path: str) -> str:
    segments = [s for s in path.split("/") if s]
    return "/" + "/".join(segments[:-1]) if len(segments) > 1 else "/"


def propose_selector(html: str, url: str) -> tuple[str | None, list[str]]:
    """(CSS selector of the biggest block of repeated article links, its first links), or (None, [])."""
    sel = Selector(text=html or "<html/>")
    base = _base(sel, url)
    host = urlsplit(url).hostname
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for anchor in sel.css("a[href]"):
        if anchor.xpath("ancestor::nav|ancestor::header|ancestor::footer"):
            continue
        absolute = urljoin(base, anchor.attrib["href"].strip()).split("#")[0]
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.hostname != host or _SKIP_PATH.search(parts.path):
            continue
        if parts.path.rstrip("/") == urlsplit(url).path.rstrip("/") or parts.path.count("/") < 2:
            continue
        groups[(_chain(anchor), _prefix(parts.path))].append(absolute)
    ranked = sorted(groups.items(), key=lambda kv: len(set(kv[1])), reverse=True)
    for (chain, _prefix_path), links in ranked:
        unique = list(dict.fromkeys(links))
        if len(unique) < MIN_BLOCK or not chain:
            continue
        selector = f"{chain} a::attr(href)"
        matched = [urljoin(base, h) for h in sel.css(selector).getall()]
        if len(matched) > 3 * len(unique):  # the chain is too loose: pin the path prefix
            selector = f"{chain} a[href*='{_prefix_path}/']::attr(href)"
        return selector, unique[:10]
    return None, []


SITEMAP_PEEK_BYTES = 65_536
"""Bytes of a gzipped body unpacked to look for a sitemap's root (the head is enough)."""
_SITEMAP_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:urlset|sitemapindex)[\s/>]")
_PROLOG = ((b"<?", b"?>"), (b"<!--", b"-->"), (b"<!", b">"))
"""What may stand before an XML root: declaration and processing instructions, comments, a doctype."""


def sitemap_head(body: bytes) -> bytes:
    """The head of `body`, unpacked when it is gzip (magic ``1f 8b``; at most `SITEMAP_PEEK_BYTES`,
    so a compression bomb costs nothing), byte order mark removed."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, SITEMAP_PEEK_BYTES)
        except (zlib.error, gzip.BadGzipFile):
            return b""
    return body[:SITEMAP_PEEK_BYTES].removeprefix(b"\xef\xbb\xbf")


def is_sitemap(body: bytes) -> bool:
    """True when the body (plain or gzip) opens an XML sitemap: its root is ``<urlset>`` or
    ``<sitemapindex>`` (any namespace prefix), after an XML declaration, comments or a doctype."""
    head = sitemap_head(body)
    at = 0
    while True:  # skip the prolog, one construct at a time (linear: no backtracking)
        while at < len(head) and head[at : at + 1].isspace():
            at += 1
        for opening, closing in _PROLOG:
            if head.startswith(opening, at):
                end = head.find(closing, at + len(opening))
                if end < 0:
                    return False
                at = end + len(closing)
                break
        else:
            return bool(_SITEMAP_ROOT.match(head, at))


_CALENDAR_START = re.compile(rb"^\s*BEGIN:VCALENDAR\s*$", re.IGNORECASE | re.MULTILINE)


def is_calendar(body: bytes, content_type: str = "") -> bool:
    """True when the answer is an iCalendar file (RFC 5545): its first line, after a byte order mark
    and blank lines, is ``BEGIN:VCALENDAR``; or it is served as ``text/calendar`` and holds that line."""
    head = body[:4096].removeprefix(b"\xef\xbb\xbf").lstrip()
    if head[:15].upper() == b"BEGIN:VCALENDAR":
        return True
    return content_type.split(";")[0].strip().lower() == "text/calendar" and bool(
        _CALENDAR_START.search(head)
    )


def discover(url: str, body: bytes, content_type: str = "", robots_txt: str = "") -> Discovery:
    """Everything the page at `url` (and its host's robots.txt) offers (rules in the module docstring)."""
    found = Discovery(url=url)
    parts = urlsplit(url)
    found.sitemaps = robots_sitemaps(robots_txt, f"{parts.scheme}://{parts.netloc}/robots.txt")
    if is_calendar(body, content_type):
        found.calendar_given = True
        return found
    if is_sitemap(body):
        found.sitemaps = [url, *(s for s in found.sitemaps if source_url_key(s) != source_url_key(url))]
        found.sitemap_given = True
        return found
    head = body[:512].lstrip()
    if "json" in content_type.lower() or head[:1] in (b"{", b"["):
        found.api = guess_api(body, content_type)
        return found
    from crawler.probe import looks_like_feed

    if looks_like_feed(body):
        found.feeds = [url]
        return found
    html = body.decode("utf-8", MIXED_ENCODING)
    found.feeds = feed_links(html, url)
    if not found.feeds:
        found.feed_candidates = common_feed_candidates(url)
    found.selector, found.sample_links = propose_selector(html, url)
    return found


def duplicate_of(candidate_urls: list[str], existing: dict[str, list[str]]) -> str | None:
    """The id of an existing source that has one of the candidates' URLs, or None.

    Rule: the same source URL is the same scheme, host, port (default ports normalised), path and
    query as the crawl fetches them (`crawler.urls.source_url_key`: IDNA host, ``%7E`` is ``~``, dot
    segments removed, ``/x/../rss1.rdf`` is ``/rss1.rdf``; query parameters in any order);
    ``:8765`` and ``:8766`` are two sources, and so are
    ``http``/``https``, ``/feed`` and ``/feed/``, ``?lang=de`` and ``?lang=fr``.
    """
    wanted = {key for key in map(source_url_key, candidate_urls) if key is not None}
    for source_id, urls in existing.items():
        if wanted & {source_url_key(u) for u in urls}:
            return source_id
    return None


def slug_for(url: str) -> str:
    """A source id proposed from a URL: host labels and the last path segment without a language
    suffix or extension, lower-case words joined by '-', at most 60 characters, e.g. ``ecre-org-feed``.
    A host that is an IP address (``127.0.0.1``, ``[::1]``) names nothing: the path's words alone
    (``http://127.0.0.1:8766/feed-latin1.xml`` -> ``feed-latin1``), or ``source`` when there are none."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    if _is_ip(host):
        host = ""
    last = next((seg for seg in reversed(parts.path.split("/")) if seg), "")
    last = re.sub(r"(_[a-z]{2})?(\.[a-z0-9]{2,5})" + ("?$" if host else "*$"), "", last.lower())
    words = re.findall(r"[a-z0-9]+", host.lower()) + re.findall(r"[a-z0-9]+", last)
    slug = "-".join(dict.fromkeys(words))[:60].strip("-")
    return slug if len(slug) >= 2 else "source"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def unique_id(wanted: str, taken: set[str]) -> str:
    """`wanted`, or `wanted` with the first free ``-2``, ``-3``, ... suffix when an id of `taken`
    (the config's) has it."""
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"
