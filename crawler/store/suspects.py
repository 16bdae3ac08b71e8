"""Items of a broken run, held back from the review queue until a healthy run or an editor releases them.

Rules (the judgement itself is crawler.health, rule 2):
- every item a run yields notes the run: ``seen_run_id`` on each store, ``first_run_id`` when the run
  stored it first (`note_seen`, called by pipelines.store);
- a run judged broken (`health.Judgement.holds_items`: ``parse.nav_links``, ``parse.same_titles``,
  ``extract.no_text``, ``parse.no_dates``, ...) marks the items it stored first and that are still
  ``pending`` as suspect, with its error key (`hold_back`); items stored by earlier runs, and items an
  editor already decided, are left as they are;
- suspect items are stored but never listed in the review queue, its counts or the digest (each
  query adds `in_queue`); the desk's source page lists them (`suspect_items`);
- a later ok run of the same source that yields a suspect item again releases it (`release_seen`):
  a healthy run delivering the same item says it is real. Items it does not yield again stay held
  until an editor releases them (`release`) or they are left to age out;
- `release` (the desk's "release to queue") clears the mark of the named items of one source, or of
  all its suspect items.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from crawler.store import dialect
from crawler.store.schema import Item, clip, sha256_hex
from crawler.text import iso_z

SUSPECT_LIST_LIMIT = 200
"""Suspect items listed on a source's page (newest first)."""


def in_queue() -> ColumnElement[bool]:
    """SQL condition: the item is not held back (every review-queue query adds it)."""
    return Item.suspect_key.is_(None)


def note_seen(session: Session, identity: str, run_id: int, *, first: bool) -> None:
    """Note that crawl run `run_id` yielded the item of `identity` (and stored it first when `first`)."""
    values: dict[str, Any] = {"seen_run_id": run_id}
    if first:
        values["first_run_id"] = run_id
    identity_hash = sha256_hex(clip(identity) or "")
    session.execute(update(Item).where(Item.identity_hash == identity_hash).values(**values))


def stored_by_run(session: Session, run_id: int) -> tuple[int, int]:
    """(items run `run_id` stored first, items it stored again), as `note_seen` marked them."""
    new = session.scalar(select(func.count()).where(Item.first_run_id == run_id)) or 0
    seen = session.scalar(select(func.count()).where(Item.seen_run_id == run_id)) or 0
    return int(new), max(0, int(seen) - int(new))


def hold_back(session: Session, run_id: int, error_key: str) -> int:
    """Mark the pending items first stored by run `run_id` suspect with `error_key`; returns how many."""
    result = session.execute(
        update(Item)
        .where(Item.first_run_id == run_id, Item.status == "pending", Item.suspect_key.is_(None))
        .values(suspect_key=clip(error_key, 64))
    )
    dialect.expire(session, Item)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def release_seen(session: Session, source_id: str, run_id: int) -> int:
    """Release the source's suspect items that ok run `run_id` yielded again; returns how many."""
    result = session.execute(
        update(Item)
        .where(Item.source_id == source_id, Item.suspect_key.is_not(None), Item.seen_run_id == run_id)
        .values(suspect_key=None)
    )
    dialect.expire(session, Item)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def release(session: Session, source_id: str, item_ids: Sequence[int] | None = None) -> int:
    """Release suspect items of `source_id` to the queue: those of `item_ids`, or all when None."""
    stmt = update(Item).where(Item.source_id == source_id, Item.suspect_key.is_not(None))
    if item_ids is not None:
        if not item_ids:
            return 0
        stmt = stmt.where(Item.id.in_(list(item_ids)))
    result = session.execute(stmt.values(suspect_key=None))
    dialect.expire(session, Item)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def suspect_count(session: Session, source_id: str) -> int:
    """How many items of `source_id` are held back."""
    stmt = select(func.count(Item.id)).where(Item.source_id == source_id, Item.suspect_key.is_not(None))
    return int(session.scalar(stmt) or 0)


def suspect_items(session: Session, source_id: str, limit: int = SUSPECT_LIST_LIMIT) -> list[dict[str, Any]]:
    """The source's held-back items, newest first: dicts of id, url, title, suspect_key, first_seen_at
    (ISO 8601 Z) and text_chars."""
    rows = session.execute(
        select(Item.id, Item.url, Item.title, Item.suspect_key, Item.first_seen_at, Item.text_chars)
        .where(Item.source_id == source_id, Item.suspect_key.is_not(None))
        .order_by(Item.id.desc())
        .limit(limit)
    ).mappings()
    return [{**row, "first_seen_at": iso_z(row["first_seen_at"])} for row in rows]
