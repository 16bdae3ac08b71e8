"""Who wrote a feed entry, read as the feed formats mean it (pure function, feedparser's shapes).

Rule (Atom, RFC 4287 section 4.2.1; RSS 2.0 ``<author>`` and Dublin Core ``<dc:creator>``): an
entry's own authors are its author; an entry without one takes the authors of the Atom ``<source>``
it was copied from, then the feed's own (Atom ``<feed><author>``, RSS ``<channel>``'s
``<dc:creator>``). RSS 2.0's ``<managingEditor>`` is the channel's editorial contact, not a writer
(RSS 2.0 specification, channel elements), so no entry takes it (`drop_editors`; feedparser files it
among the channel's authors). Every author an entry lists counts, in order and once
each (feedparser's ``author`` keeps only the last of them), each by its name (Atom ``<name>``,
the ``(Name)`` of an RSS ``jane@example.eu (Jane Doe)``), else by the address written in its place.

Shapes: an entry, its ``source`` and the feed are feedparser dicts whose ``authors`` are lists of
``{"name", "email", "href"}`` dicts; a JSON Feed entry (`spiders.jsonfeed`) carries ``author``, a
string. The result is the names joined by ", " (as `spiders.jsonfeed` joins them), or None.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from spiders.feedcdata import unwrap_cdata


def entry_author(entry: Mapping[str, Any], feed: Mapping[str, Any] | None = None) -> str | None:
    """The author of `entry` (module docstring): its own, else its Atom source's, else `feed`'s."""
    source = entry.get("source")
    for holder in (entry, source if isinstance(source, Mapping) else None, feed):
        names = _names(holder) if holder is not None else []
        if names:
            return ", ".join(names)
    return None


_FIRST_ITEM = re.compile(r"<(?:\w+:)?item[\s>/]", re.IGNORECASE)
_EDITOR = re.compile(r"<managingEditor\b[^>]*>(.*?)</managingEditor\s*>", re.IGNORECASE | re.DOTALL)


def drop_editors(feed: Mapping[str, Any], text: str) -> dict[str, Any]:
    """`feed` (feedparser's channel dict) without the authors that the channel's ``<managingEditor>``
    (in `text`, the feed document, before its first item) names, by address or name; the channel's
    ``<dc:creator>`` stays. Unchanged when the channel has no managingEditor."""
    head = text[: m.start()] if (m := _FIRST_ITEM.search(text)) else text
    written = " ".join(unwrap_cdata(value) or "" for value in _EDITOR.findall(head)).casefold()
    if not written.strip():
        return dict(feed)
    listed = feed.get("authors")
    if not isinstance(listed, list):
        return dict(feed)
    kept = [
        person
        for person in listed
        if not isinstance(person, Mapping)
        or not any(
            isinstance(person.get(k), str) and person[k].strip() and person[k].strip().casefold() in written
            for k in ("email", "name")
        )
    ]
    out = dict(feed)
    out["authors"] = kept
    if not kept:
        for key in ("author", "author_detail"):
            out.pop(key, None)
    return out


def _names(holder: Mapping[str, Any]) -> list[str]:
    """The authors' names of one entry, source or feed, in order and once each."""
    listed = holder.get("authors")
    people = listed if isinstance(listed, list) else []
    names: list[str] = []
    for person in people:
        if not isinstance(person, Mapping):
            continue
        name = _one_line(person.get("name")) or _one_line(person.get("email"))
        if name and name not in names:
            names.append(name)
    if not names and not people:  # a JSON Feed entry, or a shape without the list
        single = _one_line(holder.get("author"))
        if single:
            names.append(single)
    return names


def _one_line(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join((unwrap_cdata(value) or "").split())
    return text or None
