"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) mapped into feedparser's result shape.

feedparser 6 reads XML feeds only, so a JSON Feed becomes the same ``{"version", "feed", "entries"}``
structure the feed spider already reads: ``id`` -> ``id``, ``url`` -> the alternate link (the
item's link), ``external_url`` -> a ``related`` link, or the item's link when it has no ``url`` (the
spec: ``url`` is the item's own page, ``external_url`` the page it is about; a link blog's items
often carry only that), ``title``, ``summary`` (else ``content_html``/``content_text``),
``date_published``/``date_modified`` (RFC 3339) -> ``published``/``updated`` with their parsed UTC
struct_time, ``authors`` (1.1) or ``author`` (1.0) -> ``author``, ``language`` (1.1, item or feed),
``attachments`` -> ``enclosure`` links, ``tags`` -> ``tags``. Items that are not objects are skipped.

`looks_like_json` tells a JSON body from others; `parse_json_feed` raises `NotJsonFeed` for a JSON
body that is not one (or not JSON at all), never another exception; `JsonFeedMalformed` (a
`NotJsonFeed`, recorded ``parse.feed_malformed``) for one that starts like a JSON Feed, its head
naming a jsonfeed.org ``version``, but is cut short, invalid JSON or has no ``items`` list.

Rules for what real JSON Feeds carry: the body's encoding is UTF-8, UTF-16 or UTF-32, with or
without a byte order mark, recognised from its first bytes as RFC 4627 section 3 and Python's
`json.detect_encoding` do (a UTF-16 feed is not "no feed"), and bytes that are not UTF-8 are read in
the charset the Content-Type names (`crawler.jsontext`, as an API answer is); ``version`` is the spec's URL
``https://jsonfeed.org/version/N`` with either scheme, with or without ``www.`` and a trailing slash
(feeds written by hand or by older generators say ``http://``); anything else is no JSON Feed.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from crawler.errors import JsonFeedMalformed, NotJsonFeed
from crawler.jsontext import json_text, parse_json

VERSION_URL = re.compile(r"^https?://(?:www\.)?jsonfeed\.org/version/(\d+(?:\.\d+)*)/?$", re.IGNORECASE)
"""The ``version`` of a JSON Feed; group 1 is the version number (``1``, ``1.1``)."""
_NAMES_VERSION = re.compile(
    r'"version"\s*:\s*"https?:(?:\\?/){2}(?:www\.)?jsonfeed\.org(?:\\?/)version(?:\\?/)\d', re.IGNORECASE
)
HEAD_CHARS = 4096
"""Characters of a body looked at for a JSON Feed ``version`` (it comes first in feeds)."""


def names_json_feed(text: str) -> bool:
    """True when the head of a JSON text (`HEAD_CHARS`) names a jsonfeed.org ``version``."""
    head = text[:HEAD_CHARS].lstrip()
    return head[:1] == "{" and bool(_NAMES_VERSION.search(head))


def _text_of(body: bytes, content_type: str | None = None) -> str:
    """The body decoded as a harvest decodes JSON (`crawler.jsontext`: a byte order mark removed)."""
    return json_text(body, content_type)


def looks_like_json(body: bytes) -> bool:
    """True when the body's first non-blank character (after a byte order mark) opens a JSON object."""
    return _text_of(body[:256]).lstrip()[:1] == "{"


def parse_json_feed(body: bytes, content_type: str | None = None) -> dict[str, Any]:
    """The feedparser-shaped result of a JSON Feed body; `NotJsonFeed` when it is not one."""
    text = _text_of(body, content_type)
    try:
        document = parse_json(text)
    except (ValueError, RecursionError) as exc:  # JsonTooDeep: nested too deep
        if names_json_feed(text):
            raise JsonFeedMalformed(f"a JSON Feed cut short or invalid JSON: {exc}") from None
        raise NotJsonFeed(f"not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise NotJsonFeed("not a JSON object")
    version = document.get("version")
    items = document.get("items")
    number = VERSION_URL.match(version.strip()) if isinstance(version, str) else None
    if number is not None and not isinstance(items, list):
        raise JsonFeedMalformed("a JSON Feed version without an items list")
    if number is None or not isinstance(items, list):
        raise NotJsonFeed("no JSON Feed version and items")
    language = _text(document.get("language"))
    feed = {"title": _text(document.get("title")), "link": _text(document.get("home_page_url"))}
    if language:
        feed["language"] = language
    entries = [_entry(item) for item in items if isinstance(item, dict)]
    return {"version": "json" + number.group(1), "feed": feed, "entries": entries}


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    links: list[dict[str, Any]] = []
    url = _text(item.get("url"))
    if url:
        links.append({"rel": "alternate", "type": "text/html", "href": url})
    external = _text(item.get("external_url"))
    if external:
        links.append({"rel": "related" if url else "alternate", "type": "text/html", "href": external})
    for attachment in item.get("attachments") or []:
        if isinstance(attachment, dict) and _text(attachment.get("url")):
            links.append(
                {
                    "rel": "enclosure",
                    "href": _text(attachment.get("url")),
                    "type": _text(attachment.get("mime_type")),
                    "title": _text(attachment.get("title")),
                }
            )
    item_id = item.get("id")
    entry: dict[str, Any] = {
        "id": str(item_id) if isinstance(item_id, str | int) and not isinstance(item_id, bool) else None,
        "title": _text(item.get("title")),
        "summary": _text(item.get("summary"))
        or _text(item.get("content_html"))
        or _text(item.get("content_text")),
        "links": links,
        "tags": [{"term": t} for t in item.get("tags") or [] if isinstance(t, str)],
    }
    if url or external:
        entry["link"] = url or external
    for key, field in (("published", "date_published"), ("updated", "date_modified")):
        raw = _text(item.get(field))
        if raw:
            entry[key] = raw
            entry[key + "_parsed"] = _rfc3339(raw)
    listed = item.get("authors")
    authors: list[Any] = listed if isinstance(listed, list) else [item.get("author")]
    names = [_text(a.get("name")) for a in authors if isinstance(a, dict)]
    if any(names):
        entry["author"] = ", ".join(n for n in names if n)
    language = _text(item.get("language"))
    if language:
        entry["language"] = language
    return entry


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _rfc3339(value: str) -> time.struct_time | None:
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC).timetuple()
