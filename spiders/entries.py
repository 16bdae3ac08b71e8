"""Which link of a feed entry is the item, and what identifies an entry within its feed.

Links (an entry may carry alternates in several languages, related links, enclosures, images):
- the item's URL is an ``alternate`` link (a link without ``rel`` is one, RFC 4287 4.2.7.2); among
  several, the one whose ``hreflang`` matches the source's languages in their order, then the entry's
  or the feed's language, else the first; the other alternates are kept as language versions
  (``{hreflang: href}``);
- among alternates, a page a reader opens comes before other representations (RFC 4287 allows one
  alternate per type): an http(s) link typed HTML (or untyped) first, then other http(s) types (an
  Atom entry document, JSON), then other schemes (``nostr:``); node-feedparser#146, liferea#723,
  feedbin#747 opened the ``application/atom+xml`` or ``nostr:`` alternate instead of the article;
- an entry without an alternate link takes its first non-image enclosure as its document (podcast and
  PDF feeds), then its first non-image Media RSS ``media:content`` (ssb-bot-feed#5), then its Atom
  out-of-line content (``<content src="..."/>``, RFC 4287 4.1.3.2), then a GUID that is an http(s)
  URL other than the feed's own; the ``link`` feedparser copies from an entry's id (``guidislink``)
  is that GUID, not a link: an ``urn:`` id is never the item's URL;
- an image (``type`` image/*, or a path ending in an image extension) is never the item's URL;
- every enclosure, ``related`` and ``via`` link that is not the item's URL is kept as an attachment.

Identity within one feed document (feeds that break RSS's "unique GUID" rule):
- a GUID given by more than one entry, or equal to the feed's URL or home page (compared without
  scheme, ``www.`` and trailing slash), identifies nothing:
  the item carries no GUID (the raw value stays in the record) and the run counts
  ``ewsi/feed/guid_repeated``;
- a link given by more than one entry, or equal to the feed's URL or home page, is no article's
  address: such an entry is identified by ``entry_key`` = its usable GUID, else a digest of the link
  and the published date when that pair is unique in the document, else of the link, date and title
  (the only fields left that tell the entries apart). Every other entry is identified by its link, as before.
The same document therefore gives the same keys on every run (idempotent).

Summaries: a short summary (at most `PLACEHOLDER_MAX_WORDS` words) that `SHARED_SUMMARY_MIN` or more
entries of one document carry word for word (after folding case and spaces: "Recorded page", "Read
more", the site's slogan) is the feed's placeholder, not a teaser of any of them
(`shared_summaries`): those entries get no summary from the feed, and the desk shows the start of
the page's text instead. A longer shared summary is real (a monthly event's description, a call's
topics) and stays.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

IMAGE_EXTENSIONS = (
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".svg",
    ".avif",
    ".bmp",
    ".ico",
    ".tif",
    ".tiff",
)
ATTACHMENT_RELS = frozenset({"enclosure", "related", "via"})


@dataclass
class EntryLinks:
    """The links of one entry sorted by role."""

    url: str | None
    language: str | None = None
    """The chosen alternate's ``hreflang``, if it has one."""
    language_versions: dict[str, str] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)


def url_key(url: str) -> str:
    """A URL compared loosely: no scheme, ``www.``, fragment or trailing slash, host lowercased."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{parts.path.rstrip('/')}{query}"


def is_image(link: Mapping[str, Any]) -> bool:
    """True for a link to an image: its type is image/*, or its path ends in an image extension."""
    media = str(link.get("type") or "").lower()
    path = urlsplit(str(link.get("href") or "")).path.lower()
    return media.startswith("image/") or path.endswith(IMAGE_EXTENSIONS)


def _lang(value: Any) -> str:
    return str(value or "").strip().lower().replace("_", "-").split("-")[0]


def choose_links(
    entry: Mapping[str, Any], languages: Iterable[str], fallback_language: str | None, feed_urls: set[str]
) -> EntryLinks:
    """Sort an entry's links (module docstring). `languages` are the source's, in order of preference."""
    links = [
        dict(link) for link in entry.get("links") or [] if isinstance(link, Mapping) and link.get("href")
    ]
    copied_id = entry.get("guidislink") and entry.get("link") == entry.get("id")
    if not links and entry.get("link") and not copied_id:
        links = [{"rel": "alternate", "href": entry["link"]}]
    alternates = sorted(
        (link for link in links if (link.get("rel") or "alternate") == "alternate" and not is_image(link)),
        key=_reader_order,
    )
    url = None
    language = None
    if alternates:
        wanted = [_lang(lang) for lang in languages] + [_lang(fallback_language)]
        chosen = next(
            (a for lang in wanted if lang for a in alternates if _lang(a.get("hreflang")) == lang),
            alternates[0],
        )
        url = chosen["href"]
        language = chosen.get("hreflang") or None
    if url is None:
        enclosure = next((lnk for lnk in links if lnk.get("rel") == "enclosure" and not is_image(lnk)), None)
        if enclosure is not None:
            url = enclosure["href"]
    if url is None:
        url = _media_document(entry)
    guid = entry.get("id")
    if (
        url is None
        and isinstance(guid, str)
        and guid.startswith(("http://", "https://"))
        and guid not in feed_urls
    ):
        url = guid
    result = EntryLinks(url=url, language=language)
    for link in alternates:  # other languages only: another type of the chosen page is no version
        if link["href"] != url and link.get("hreflang") and _lang(link["hreflang"]) != _lang(language):
            result.language_versions.setdefault(str(link["hreflang"]), link["href"])
    for link in links:
        if link["href"] != url and (link.get("rel") in ATTACHMENT_RELS or is_image(link)):
            result.attachments.append(link)
    return result


_PAGE_TYPES = frozenset({"", "text/html", "application/xhtml+xml"})


def _reader_order(link: Mapping[str, Any]) -> tuple[bool, bool]:
    """Sort key of alternates: http(s) before other schemes, then HTML or untyped before other types."""
    href = str(link.get("href") or "").strip().lower()
    media = str(link.get("type") or "").split(";", 1)[0].strip().lower()
    return (not href.startswith(("http://", "https://")), media not in _PAGE_TYPES)


def _media_document(entry: Mapping[str, Any]) -> str | None:
    """The first non-image Media RSS ``media:content`` URL, else the Atom out-of-line content's ``src``."""
    for media in entry.get("media_content") or []:
        if isinstance(media, Mapping) and media.get("url"):
            candidate = {"href": media["url"], "type": media.get("type") or ""}
            if not is_image(candidate) and str(media.get("medium") or "") != "image":
                return str(media["url"])
    for content in entry.get("content") or []:
        if isinstance(content, Mapping) and content.get("src"):
            return str(content["src"])
    return None


@dataclass
class FeedIdentity:
    """Repeated GUIDs and links of one feed document (see the module docstring)."""

    feed_urls: set[str]
    """`url_key` forms of the feed's own URLs and home page."""
    guids: Counter[str]
    links: Counter[str]
    dated: Counter[tuple[str, str]]

    @classmethod
    def of(cls, entries: list[Any], chosen: list[str | None], feed_urls: set[str]) -> FeedIdentity:
        """Count the GUIDs and chosen links (`chosen[i]` is entry i's URL) of one document."""
        guids = Counter(str(e.get("id")) for e in entries if e.get("id"))
        dated = Counter(
            (u, _published(e)) for e, u in zip(entries, chosen, strict=True) if u and _published(e)
        )
        return cls(
            feed_urls={url_key(u) for u in feed_urls if u},
            guids=guids,
            links=Counter(u for u in chosen if u),
            dated=dated,
        )

    def usable_guid(self, guid: Any) -> str | None:
        """The GUID when it identifies one entry of this document, else None."""
        if not guid:
            return None
        guid = str(guid)
        if self.guids[guid] > 1 or url_key(guid) in self.feed_urls:
            return None
        return guid

    def repeated_guid(self, guid: Any) -> bool:
        return bool(guid) and self.usable_guid(guid) is None

    def entry_key(self, link: str, guid: str | None, published: str | None, title: str | None) -> str | None:
        """None when `link` identifies the entry; else the key that does (module docstring)."""
        if self.links[link] <= 1 and url_key(link) not in self.feed_urls:
            return None
        if guid:
            return guid
        parts = [link, published or ""]
        if not published or self.dated[(link, published)] > 1:
            parts.append(title or "")
        return "sha256:" + hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()


SHARED_SUMMARY_MIN = 3
"""Entries of one feed document that must carry the same summary for it to be a placeholder; two
entries may share a teaser (a story and its correction)."""
PLACEHOLDER_MAX_WORDS = 12
"""Words a placeholder has at most: "Read more", "Recorded page", a slogan; a series of events or
calls that share a real description write more."""


def summary_key(summary: Any) -> str:
    """`summary` compared as a placeholder is: case and runs of whitespace folded ("" for none)."""
    return " ".join(str(summary or "").split()).casefold()


def shared_summaries(entries: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """The `summary_key`s that at least `SHARED_SUMMARY_MIN` entries carry (module docstring)."""
    counts = Counter(summary_key(e.get("summary")) for e in entries)
    counts.pop("", None)
    return frozenset(
        k for k, n in counts.items() if n >= SHARED_SUMMARY_MIN and len(k.split()) <= PLACEHOLDER_MAX_WORDS
    )


def _published(entry: Any) -> str:
    return str(entry.get("published") or entry.get("updated") or "")
