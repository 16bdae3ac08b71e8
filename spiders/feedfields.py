"""Where feedparser 6.0.x files an entry's id, dc:date and date of change, read as feeds mean them.

feedparser is frozen at 6.0.x (RELIABILITY.md §6); its readings are corrected on the two parser
classes `feedparser.parse` builds (``feedparser.api.StrictFeedParser`` and ``LooseFeedParser``), at
the end of the element, where the text is still as the feed wrote it. `install` is idempotent and
runs when `spiders.feed` is imported.

Ids (RSS ``<guid>``, Atom ``<id>``). A GUID is an identifier; RSS's ``isPermaLink`` (true unless
written "false") says it is also the item's URL, and feedparser then resolves it against the feed's
base and copies it to the entry's link. Feeds write ``<guid>12345</guid>`` or ``<guid>post-81</guid>``
without ``isPermaLink="false"``, and Atom ids are written as bare tokens (``<id>entry-1</id>``):
resolved, such a token became an address nobody published (``https://host/feeds/12345``) that was
stored as the item's URL, and an id that changed whenever the feed's URL or xml:base did (a feed
moved by a 301 gave every entry a new key). Rule: an id is read as a URL only when it is written as
one:
- an absolute URI (a scheme: ``https://...``, ``urn:...``, ``tag:...``) is kept as written, and an
  http(s) one may be the entry's address, as before;
- a relative reference that is a path: it starts with ``/``, ``./``, ``../`` or ``?``, or its first
  segment, without a dot, ends in ``/`` (``news/2025/welcome``): resolved against the feed's base
  (xml:base, else the final URL), as before;
- anything else (``12345``, ``post-81``, ``abc def``, ``www.host.eu/a/1`` which is a host written
  without its scheme, ``index.html``) is an identifier: kept as written, never resolved, never the
  entry's link (as if ``isPermaLink="false"``).

Dates. ``dc:date`` is how RSS 1.0 (RDF) items, and many RSS 2.0 and Atom feeds of CMSs (Drupal,
Plone, TYPO3), give an item's date: the date the resource was issued. feedparser files it as
``updated``, so the harvest took a dated RDF item for one known only by its date of change
(``date_method`` feed_updated: a date the followed page replaced, kept as updated_at). Rule: an
entry's (or the feed's) ``dc:date`` is its publication date when nothing else gives one; a
``pubDate``, ``dcterms:issued`` or ``atom:published`` of the same entry wins wherever it stands.

Date of change (`change_date`, feedparser issue 310). feedparser answers ``entry["updated"]`` (and
``entry.get("updated")``) with the publication date when the entry has no date of change, so every
RSS item seemed changed at its pubDate. Rule: an entry's date of change is only a date the feed
wrote as one: ``atom:updated``, ``dcterms:modified``, Atom 0.3 ``modified``, and a ``dc:date`` that
is not the entry's publication date (one next to a ``pubDate``, ``dcterms:issued`` or
``atom:published``, or a second ``dc:date``). Never a copy of the publication date: an item with a
``pubDate`` alone, or a ``dc:date`` alone (its publication date), has none. A date of change
given before a ``dc:date`` is never replaced by it; one given after it replaces it, as always.

Empty dates (rule). An empty or blank ``<pubDate/>``, ``<dcterms:issued>`` or ``<atom:published>``
gives no date: it neither hides a ``dc:date`` of the same entry (which stays the publication date,
``date_method`` feed) nor replaces one read before it (MikeRalphson/bbc-rss#2 and
lilyball/feedparser#11: feeds write ``<pubDate></pubDate>`` for items whose date they lack).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import feedparser.api

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PATH = re.compile(r"^(?:/|\./|\.\./|\?)|^[^/.:?#\s]+/")
_INSTALLED = "_ewsi_feedfields"
_UPDATED = ("updated", "updated_parsed")
_PUBLISHED = ("published", "published_parsed")
_COPY = "ewsi_updated_is_published"
"""Context key: the entry's ``updated`` is a dc:date that is also its publication date (no change)."""


def id_is_url(raw: str) -> bool:
    """True when an id as written is a URI or a path reference (module docstring), False for a token."""
    text = raw.strip()
    if not text or any(ch.isspace() for ch in text):
        return False
    return bool(_SCHEME.match(text) or _PATH.match(text))


def _end_guid(original: Callable[[Any], None]) -> Callable[[Any], None]:
    def end_guid(parser: Any) -> None:
        stack = parser.elementstack
        if stack and stack[-1][0] == "id" and parser.guidislink:
            raw = "".join(str(piece) for piece in stack[-1][2])
            if not id_is_url(raw):
                parser.guidislink = False  # not resolved, not copied to the link
        original(parser)

    return end_guid


def _end_dc_date(original: Callable[[Any], None]) -> Callable[[Any], None]:
    def end_dc_date(parser: Any) -> None:
        context = parser._get_context()
        dated = _written(dict.get(context, "published"))
        copy = bool(dict.get(context, _COPY))
        changed = {key: dict.__getitem__(context, key) for key in _UPDATED if dict.__contains__(context, key)}
        original(parser)  # feedparser: updated, updated_parsed (through _end_updated, which clears _COPY)
        value, parsed = dict.get(context, "updated"), dict.get(context, "updated_parsed")
        kept = bool(changed.get("updated")) and not copy
        if kept:  # a date of change given before stays the date of change
            context.update(changed)
        if not dated and value:
            context["published"] = value
            context["published_parsed"] = parsed
            if not kept:  # the publication date, and no date of change
                dict.__setitem__(context, _COPY, True)

    return end_dc_date


def _end_updated(original: Callable[[Any], None]) -> Callable[[Any], None]:
    def end_updated(parser: Any) -> None:
        original(parser)
        dict.pop(parser._get_context(), _COPY, None)  # a date written as a date of change

    return end_updated


def _written(value: Any) -> bool:
    """True when a date element's text is something, not empty or blank (module docstring)."""
    return bool(str(value or "").strip())


def _end_published(original: Callable[[Any], None]) -> Callable[[Any], None]:
    def end_published(parser: Any) -> None:
        context = parser._get_context()
        before = {
            key: dict.__getitem__(context, key) for key in _PUBLISHED if dict.__contains__(context, key)
        }
        original(parser)
        if not _written(dict.get(context, "published")):
            # an empty element gives no date: a dc:date read before stays the publication date
            for key in _PUBLISHED:
                dict.pop(context, key, None)
            context.update(before)
            return
        # a dc:date read before as the publication date is no longer it: it is the date of change
        dict.pop(context, _COPY, None)

    return end_published


def change_date(entry: Any) -> tuple[str | None, Any]:
    """(raw, parsed) date of change of a feedparser entry (or a JSON Feed entry), or (None, None):
    never feedparser's fallback to the publication date (module docstring)."""
    if dict.get(entry, _COPY):
        return None, None
    return dict.get(entry, "updated") or None, dict.get(entry, "updated_parsed")


def install() -> None:
    """Put the readings of the module docstring on feedparser's parser classes (once)."""
    for cls in (feedparser.api.StrictFeedParser, feedparser.api.LooseFeedParser):
        if getattr(cls, _INSTALLED, False):
            continue
        end_guid = _end_guid(cls._end_guid)
        cls._end_guid = end_guid
        cls._end_id = end_guid
        cls._end_dc_date = _end_dc_date(cls._end_dc_date)
        end_updated = _end_updated(cls._end_updated)
        cls._end_updated = cls._end_modified = cls._end_lastbuilddate = end_updated
        end_published = _end_published(cls._end_published)
        cls._end_published = cls._end_issued = cls._end_pubdate = end_published
        setattr(cls, _INSTALLED, True)
