"""Near-duplicate groups: one story or record reached through several sources, or through several
addresses of one source.

Rule: a new item joins a group when an earlier item, not a language version, is the same story:
1. same text: both texts are one string (`same_text_key`: case folded; of the same length) of at
   least `SAME_TEXT_MIN_WORDS` words, whatever the URLs and titles (``page.html``, ``page.html?rel``,
   ``page.html?tz`` of one source; a copy on another site); or
2. near text: their SimHash fingerprints (crawler.neardup.near_duplicate_basis) are within
   `MAX_DISTANCE` bits and the two bases are one document by `crawler.neardup.same_document` (same
   figures; a title that replaces a word only by a spelling of it): documents of one template
   ("statistics, January 2025" / "..., February 2025", call 01 / call 02) fall within the distance but
   are never grouped.
Both hold within one source as across sources (one review row either way), except for what makes a
source's recurring pages look alike (`recurring`), kept apart:
- within one source, a title is no basis: a source's recurring entries carry one title ("Weekly
  newsletter", "Language café", "Press release") over short or no texts, so two of its items are near
  only by their texts (a basis of `MIN_TEXT_WORDS` words) or by rule 1; across sources the same title
  is the same record (an initiative in the register and in a third-party feed);
- within one source, a text the extraction flagged ``extract.boilerplate`` (made of the lines the
  source's pages repeat: its newsletter or page template) groups nothing;
- anywhere, two items whose event start or deadline differ (both known) are two occurrences of a
  template (a weekly course, a yearly call), whatever their text.
Within one source, items with the same normalised URL and the same text are one item, not a group
(pipelines.dedup, crawler.store.items); the same URL with other texts stays separate items.

The group id is the id of the group's first item (that item carries its own id); an item matching
items of several groups joins the one with the lowest id. Grouping happens once, when an item is
inserted, so a second harvest of the same pages adds nothing and splits no group.

`MAX_DISTANCE` = 9 of 64 bits, measured: on the two recorded corpora the one cross-source pair of
the same record (an ECI initiative in the register and in the third-party feed) is 0 bits apart and
the closest pair of different records 18 bits (corpus: 151 fingerprinted items; corpus2: 19 bits,
32 items); one word changed in a 60-word text moves the fingerprint 4 to 9 bits (tests/test_groups.py).
Candidates are scanned in Python over the fingerprints (one indexed column read); same-text
candidates are the items of the same text length (`text_chars`) whose text is equal.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from crawler.neardup import MIN_TEXT_WORDS, is_text_basis, near_duplicate_basis, same_document
from crawler.store import suspects
from crawler.store.schema import Item

MAX_DISTANCE = 9
SAME_TEXT_MIN_WORDS = 10
"""Words from which two equal texts are one story (rule 1); shorter equal texts ("Read more",
"Total supporters: 12") say nothing."""
TEMPLATE_FLAG = "extract.boilerplate"
"""The flag of a text made of its source's repeated lines (pipelines.boilerplate)."""
_MASK64 = (1 << 64) - 1
_WORD = re.compile(r"\w+", re.UNICODE)

__all__ = ["MAX_DISTANCE", "MIN_TEXT_WORDS", "SAME_TEXT_MIN_WORDS", "assign_group", "hamming"]


def hamming(a: int, b: int) -> int:
    """Differing bits of two 64-bit fingerprints (signed or unsigned)."""
    return bin((a ^ b) & _MASK64).count("1")


def same_text_key(text: str | None) -> str | None:
    """`text` with case and spacing folded when it has `SAME_TEXT_MIN_WORDS` words (rule 1), else None."""
    if not text or len(_WORD.findall(text)) < SAME_TEXT_MIN_WORDS:
        return None
    return " ".join(text.casefold().split())


def recurring(a: Row[Any], b: Row[Any]) -> bool:
    """Whether two rows (source_id, flags, event_start, deadline) are kept apart as a template's
    occurrences (module rule), whatever their text."""
    for when in ("event_start", "deadline"):
        x, y = getattr(a, when), getattr(b, when)
        if x is not None and y is not None and x != y:
            return True
    if a.source_id != b.source_id:
        return False
    return any(TEMPLATE_FLAG in (row.flags or []) for row in (a, b))


_COLUMNS = (
    Item.id,
    Item.group_id,
    Item.source_id,
    Item.title,
    Item.text,
    Item.flags,
    Item.event_start,
    Item.deadline,
)


def assign_group(session: Session, item_id: int, source_id: str, fingerprint: int | None) -> int | None:
    """Put item `item_id` in the group of its nearest earlier near-duplicate (module rule); the group
    id or None."""
    own = session.execute(select(*_COLUMNS).where(Item.id == item_id)).one_or_none()
    if own is None:
        return None
    key = same_text_key(own.text)
    candidates: dict[int, Row[Any]] = {}
    if key is not None:
        for row in session.execute(
            select(*_COLUMNS).where(
                Item.text_chars == len(own.text or ""),
                Item.version_of.is_(None),
                Item.id != item_id,
            )
        ).all():
            if same_text_key(row.text) == key:
                candidates[row.id] = row
    if fingerprint is not None:
        close = [
            r.id
            for r in session.execute(
                select(Item.id, Item.fingerprint).where(
                    Item.fingerprint.is_not(None), Item.version_of.is_(None), Item.id != item_id
                )
            ).all()
            if r.id not in candidates and hamming(r.fingerprint, fingerprint) <= MAX_DISTANCE
        ]
        if close:
            own_basis = near_duplicate_basis(own.title, own.text)
            for row in session.execute(select(*_COLUMNS).where(Item.id.in_(close))).all():
                basis = near_duplicate_basis(row.title, row.text)
                if own_basis is not None and basis is not None and not same_document(own_basis, basis):
                    continue
                if row.source_id == source_id and not (
                    own_basis and basis and is_text_basis(own_basis) and is_text_basis(basis)
                ):
                    continue  # a source's recurring title (module rule)
                candidates[row.id] = row
    matches = [(row.group_id or row.id, row.id) for row in candidates.values() if not recurring(own, row)]
    if not matches:
        return None
    group_id, first = min(matches)
    session.execute(update(Item).where(Item.id == first, Item.group_id.is_(None)).values(group_id=group_id))
    session.execute(update(Item).where(Item.id == item_id).values(group_id=group_id))
    return group_id


def group_members(session: Session, group_id: int | None) -> list[dict[str, Any]]:
    """The items of a group, first first: dicts with id, source_id, title, url, status."""
    if group_id is None:
        return []
    rows = session.execute(
        select(Item.id, Item.source_id, Item.title, Item.url, Item.status)
        .where(Item.group_id == group_id)
        .order_by(Item.id)
    ).all()
    return [dict(r._mapping) for r in rows]


def language_versions(session: Session, item_id: int) -> list[dict[str, Any]]:
    """Item `item_id` and its language versions (itself first): dicts with id, language, title,
    url, source_id."""
    rows = session.execute(
        select(Item.id, Item.language, Item.title, Item.url, Item.source_id)
        .where((Item.id == item_id) | (Item.version_of == item_id))
        .order_by(Item.version_of.is_not(None), Item.language, Item.id)
    ).all()
    return [dict(r._mapping) for r in rows]


HEAD_STATUSES = ("approved", "changed")
"""A member in one of these statuses (published: crawler.store.portal.PUBLISHED_STATUSES) is the head
before any other."""


def choose_head(session: Session, group_id: int | None, approved: int | None = None) -> int | None:
    """Make the group's representative its head (``group_id`` = its id on every member) and return it.

    Rule: the member just `approved` (the copy an editor reviewed and edited: the portal lists it
    and names the others "also from"); else the current head while it is published; else the
    published member approved last; else the first member not rejected; else the first member.
    None for no group.
    """
    if group_id is None:
        return None
    rows = session.execute(
        select(Item.id, Item.status, Item.approved_at).where(Item.group_id == group_id)
    ).all()
    if not rows:
        return None
    published = {r.id: r for r in rows if r.status in HEAD_STATUSES}
    if approved in published:
        head = approved
    elif group_id in published:
        head = group_id
    elif published:
        latest = max(
            published.values(), key=lambda r: (r.approved_at.timestamp() if r.approved_at else 0.0, r.id)
        )
        head = latest.id
    else:
        head = min((r.id for r in rows if r.status != "rejected"), default=min(r.id for r in rows))
    if head != group_id:
        session.execute(update(Item).where(Item.group_id == group_id).values(group_id=head))
    return head


def one_row_per_group(*, group_members: bool = False) -> list[ColumnElement[bool]]:
    """Conditions that list each item once with its kin, shared by the desk, ``ewsi queue`` and the
    digest's counts: a language version (``version_of`` set) is reviewed with its item, and a
    near-duplicate group shows only its first item (``group_id`` = its id;
    `crawler.store.queue.annotate_groups` names the others), unless `group_members` (``ewsi queue
    --group-members``) lists every member. Items held back after a broken run
    (crawler.store.suspects) are not listed."""
    conds = [Item.version_of.is_(None), suspects.in_queue()]
    if not group_members:
        conds.append(or_(Item.group_id.is_(None), Item.group_id == Item.id))
    return conds
