"""Contributions beside their items: recorded, counted per contributor, forgotten on request.

Rules: the item a contribution became lives in ``items`` under source `SOURCE_ID`; the
contributor's data lives only here. `forget` nulls name, organisation and email of every
contribution of an address (and the credit), keeps the items and the counts (by `email_hash`, the
SHA-256 of the lower-cased address). An editor's request for changes gives the contribution a
nonce (`start_amend`) that its signed amend link carries; the link works once, while the item is
pending or deferred (`amendable`, `apply_amend`). Functions never commit.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.errors import NotFound
from crawler.store import items
from crawler.store.audit import audit
from crawler.store.schema import Item, SourceRow, SubmissionRow, sha256_hex, utcnow
from crawler.types import HarvestedItem

SOURCE_ID = "submissions"
PUBLISHED = ("approved", "changed")


def ensure_source(session: Session) -> None:
    """The ``submissions`` source row the contributed items belong to (created once)."""
    if session.get(SourceRow, SOURCE_ID) is None:
        session.add(
            SourceRow(
                id=SOURCE_ID, name="Contributions", publisher="EWSI contributors", kind="api", state="healthy"
            )
        )
        session.flush()


def email_hash(email: str) -> str:
    return sha256_hex(email.strip().lower())


def record(
    session: Session,
    *,
    item_id: int | None,
    outcome: str,
    channel: str,
    kind: str,
    fields: dict[str, Any],
    name: str,
    email: str,
    organisation: str | None,
    country: str | None,
    language: str | None,
    consent: bool,
) -> int:
    """Store one contribution; returns its id."""
    row = SubmissionRow(
        item_id=item_id,
        outcome=outcome,
        channel=channel,
        kind=kind,
        fields=fields,
        name=name,
        email=email.strip().lower(),
        email_hash=email_hash(email),
        organisation=organisation,
        country=country,
        language=language,
        consent=consent,
    )
    session.add(row)
    session.flush()
    return row.id


def item_id_of(session: Session, identity: str) -> int | None:
    """The id of the item with this identity (the dedup stage's), or None."""
    return session.scalar(select(Item.id).where(Item.identity_hash == sha256_hex(identity)))


def for_item(session: Session, item_id: int) -> list[SubmissionRow]:
    """The contributions behind an item, oldest first (for the desk)."""
    return list(
        session.scalars(
            select(SubmissionRow).where(SubmissionRow.item_id == item_id).order_by(SubmissionRow.id)
        )
    )


def credits(session: Session, item_ids: list[int]) -> dict[int, list[dict[str, str | None]]]:
    """item id -> the contributors who consented to be credited: name and organisation, never email."""
    out: dict[int, list[dict[str, str | None]]] = defaultdict(list)
    if not item_ids:
        return out
    rows = session.scalars(
        select(SubmissionRow)
        .where(
            SubmissionRow.item_id.in_(item_ids),
            SubmissionRow.consent.is_(True),
            SubmissionRow.name.is_not(None),
        )
        .order_by(SubmissionRow.id)
    )
    for row in rows:
        if row.item_id is not None:
            out[row.item_id].append({"name": row.name, "organisation": row.organisation})
    return out


def contributors_report(session: Session, year: int) -> list[dict[str, Any]]:
    """One row per contributor (by email hash) with contributions in `year` (UTC): name,
    organisation, country, consent, submitted, published; most submitted first."""
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    rows = session.execute(
        select(SubmissionRow, Item.status)
        .outerjoin(Item, Item.id == SubmissionRow.item_id)
        .where(SubmissionRow.created_at >= start, SubmissionRow.created_at < end)
        .order_by(SubmissionRow.id)
    ).all()
    people: dict[str, dict[str, Any]] = {}
    for sub, status in rows:
        person = people.setdefault(
            sub.email_hash,
            {
                "name": None,
                "organisation": None,
                "country": None,
                "consent": False,
                "submitted": 0,
                "published": 0,
            },
        )
        person["name"] = sub.name or person["name"]
        person["organisation"] = sub.organisation or person["organisation"]
        person["country"] = sub.country or person["country"]
        person["consent"] = person["consent"] or bool(sub.consent)
        person["submitted"] += 1
        person["published"] += int(status in PUBLISHED)
    return sorted(people.values(), key=lambda p: (-p["submitted"], -p["published"], str(p["name"])))


def forget(session: Session, email: str, *, now: datetime | None = None) -> int:
    """Erase the personal data of every contribution from `email`; returns how many were changed."""
    rows = list(session.scalars(select(SubmissionRow).where(SubmissionRow.email_hash == email_hash(email))))
    for row in rows:
        row.name = row.organisation = row.email = None
        row.consent = False
        row.forgotten_at = now or utcnow()
    session.flush()
    return len(rows)


def count_recent(session: Session, email: str, since: datetime) -> int:
    """Contributions from `email` since `since` (the per-email rate limit)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(SubmissionRow)
            .where(SubmissionRow.email_hash == email_hash(email), SubmissionRow.created_at >= since)
        )
        or 0
    )


AMENDABLE = ("pending", "deferred")
"""Statuses of an item its contributor may still amend (a decided item is not reopened)."""


def start_amend(session: Session, submission_id: int) -> str:
    """A fresh nonce for the amend link of contribution `submission_id` (the previous link stops
    working); NotFound without the contribution."""
    row = session.get(SubmissionRow, submission_id)
    if row is None:
        raise NotFound(f"contribution {submission_id} not found")
    row.amend_nonce = secrets.token_hex(16)
    session.flush()
    return row.amend_nonce


def amendable(session: Session, submission_id: int, nonce: str) -> SubmissionRow:
    """The contribution an amend link names, when the link is its current one and its item is
    still `AMENDABLE`; NotFound otherwise (used, replaced, decided, forgotten or unknown)."""
    row = session.get(SubmissionRow, submission_id)
    if row is None or not row.amend_nonce or not secrets.compare_digest(row.amend_nonce, nonce):
        raise NotFound("this link was already used or has been replaced")
    item = session.get(Item, row.item_id) if row.item_id is not None else None
    if item is None or item.status not in AMENDABLE or row.email is None:
        raise NotFound("this contribution can no longer be changed")
    return row


def apply_amend(
    session: Session,
    row: SubmissionRow,
    fields: dict[str, Any],
    content: HarvestedItem,
    *,
    now: datetime | None = None,
) -> list[str]:
    """Store the contributor's amendment: the contribution's new `fields` (the old ones kept in
    ``previous_fields``), the item's content from `content` (crawler.store.items.replace_content),
    the item back to ``pending`` at revision + 1, the link used up, an audit row. Returns the
    names of the fields that changed."""
    now = now or utcnow()
    before = dict(row.fields or {})
    changed = sorted(k for k in set(before) | set(fields) if before.get(k) != fields.get(k))
    row.previous_fields = before
    row.fields = fields
    row.amended_at = now
    row.amend_nonce = None
    item = session.get(Item, row.item_id)
    if item is None:
        raise NotFound("the item of this contribution is gone")
    items.replace_content(session, item.id, content)
    session.refresh(item)
    item.status = "pending"
    item.revision = (item.revision or 0) + 1
    item.modified_at = now
    item.claimed_by = item.claim_expires_at = None
    audit(
        session,
        "contributor",
        "amend",
        object_type="item",
        object_id=item.id,
        detail={"submission": row.id, "fields": changed},
        now=now,
    )
    session.flush()
    return changed
