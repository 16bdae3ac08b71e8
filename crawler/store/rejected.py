"""A new item that repeats what an editor rejected in its source is dropped as ``tombstoned``.

Tombstones are kept by identity (crawler.store.items), and an identity is an address: the same page
under another address (``/news/rej?print=1``, ``/news/Rej``, a new GUID for the same entry) is a new
identity and came back to the queue. Rule (`rejected_original`): a NEW item of a source is
dropped as ``tombstoned`` (nothing stored) when the source holds a rejected item (not a language
version) that it repeats:
1. the same content (`content_hash` equal: title, summary, text and structured fields, the
   version key of pipelines.dedup), when it has any title, summary or text; or
2. the same text (crawler.store.groups `same_text_key`: case and spacing folded, at least
   `SAME_TEXT_MIN_WORDS` words), or a near text (fingerprints within `MAX_DISTANCE` bits, both texts
   of `MIN_TEXT_WORDS` words and one document by `crawler.neardup.same_document`): the grouping
   rules of crawler.store.groups between two items of one source, titles aside.
Rule 2 holds only when the new item's text is not flagged ``extract.boilerplate`` and the two event
starts and deadlines do not differ (`crawler.store.groups.recurring`'s two occurrences of a
template): items that merely share a source's template text stay in the queue.
The editor's decision stays authoritative: no tombstone is written for the copy, the rule is applied
again on every harvest, and only a row whose status is ``rejected`` then counts, so once the desk
restores or approves the original its copies are stored again; an item already stored is never
touched here (crawler.store.items handles its versions).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.neardup import is_text_basis, near_duplicate_basis, same_document
from crawler.store.groups import MAX_DISTANCE, TEMPLATE_FLAG, hamming, same_text_key
from crawler.store.schema import Item

_COLUMNS = (
    Item.id,
    Item.title,
    Item.text,
    Item.content_hash,
    Item.fingerprint,
    Item.event_start,
    Item.deadline,
)


def _same_occurrence(values: dict[str, Any], row: Any) -> bool:
    """False when both know an event start or a deadline and these differ (a template's occurrences)."""
    for when in ("event_start", "deadline"):
        mine, theirs = values.get(when), getattr(row, when)
        if mine is not None and theirs is not None and mine != theirs:
            return False
    return True


def rejected_original(session: Session, source_id: str, values: dict[str, Any]) -> int | None:
    """The id of the rejected item of `source_id` that a new item repeats (module rule), or None.

    `values`: the new item's column values (crawler.store.items ``_item_values``): title, summary,
    text, content_hash, fingerprint, flags, event_start, deadline."""
    rejected = (Item.source_id == source_id, Item.status == "rejected", Item.version_of.is_(None))
    content = values.get("content_hash")
    if content and any(values.get(name) for name in ("title", "summary", "text")):
        same = session.scalars(
            select(Item.id).where(*rejected, Item.content_hash == content).limit(1)
        ).first()
        if same is not None:
            return same
    text = values.get("text")
    if TEMPLATE_FLAG in (values.get("flags") or []):
        return None
    key = same_text_key(text)
    if key is not None:
        for row in session.execute(select(*_COLUMNS).where(*rejected, Item.text_chars == len(text or ""))):
            if same_text_key(row.text) == key and _same_occurrence(values, row):
                return int(row.id)
    fingerprint = values.get("fingerprint")
    own = near_duplicate_basis(None, text)
    if fingerprint is None or own is None or not is_text_basis(own):
        return None
    for row in session.execute(select(*_COLUMNS).where(*rejected, Item.fingerprint.is_not(None))):
        if hamming(row.fingerprint, fingerprint) > MAX_DISTANCE or not _same_occurrence(values, row):
            continue
        basis = near_duplicate_basis(None, row.text)
        if basis is not None and is_text_basis(basis) and same_document(own, basis):
            return int(row.id)
    return None
