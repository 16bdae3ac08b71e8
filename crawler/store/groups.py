"""Near-duplicate groups: one story or record reached through several sources.

Rule: a new item joins a group when an item of *another* source, not a language version, has a
SimHash fingerprint (crawler.neardup.near_duplicate_basis) within `MAX_DISTANCE` bits of its own
and the two bases are one document by `crawler.neardup.same_document` (same figures; a title that
replaces a word only by a spelling of it): documents of one template ("statistics, January 2025" /
"..., February 2025", call 01 / call 02) fall within the distance but are never grouped.
The group id is the id of the group's first item (that item carries its own id); an item matching
items of several groups joins the one with the lowest id. Grouping happens once, when an item is
inserted, so a second harvest of the same pages adds nothing and splits no group.

`MAX_DISTANCE` = 9 of 64 bits, measured: on the two recorded corpora the one cross-source pair of
the same record (an ECI initiative in the register and in the third-party feed) is 0 bits apart and
the closest pair of different records 18 bits (corpus: 151 fingerprinted items; corpus2: 19 bits,
32 items); one word changed in a 60-word text moves the fingerprint 4 to 9 bits (tests/test_groups.py).
Candidates are scanned in Python over the fingerprints of other sources (one indexed column read).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from crawler.neardup import near_duplicate_basis, same_document
from crawler.store import suspects
from crawler.store.schema import Item

MAX_DISTANCE = 9
_MASK64 = (1 << 64) - 1


def hamming(a: int, b: int) -> int:
    """Differing bits of two 64-bit fingerprints (signed or unsigned)."""
    return bin((a ^ b) & _MASK64).count("1")


def assign_group(session: Session, item_id: int, source_id: str, fingerprint: int | None) -> int | None:
    """Put item `item_id` in the group of its nearest earlier near-duplicate; the group id or None."""
    if fingerprint is None:
        return None
    rows = session.execute(
        select(Item.id, Item.group_id, Item.fingerprint).where(
            Item.fingerprint.is_not(None),
            Item.source_id != source_id,
            Item.version_of.is_(None),
            Item.id != item_id,
        )
    ).all()
    close = {r.id: r.group_id or r.id for r in rows if hamming(r.fingerprint, fingerprint) <= MAX_DISTANCE}
    if not close:
        return None
    bases = {
        r.id: near_duplicate_basis(r.title, r.text)
        for r in session.execute(
            select(Item.id, Item.title, Item.text).where(Item.id.in_([item_id, *close]))
        ).all()
    }
    own = bases.get(item_id)
    matches = [
        (group, other)
        for other, group in close.items()
        if own is None or (basis := bases.get(other)) is None or same_document(own, basis)
    ]
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
