"""The audit log: one append-only row per change an editor, admin or command makes.

Each row holds actor, action, object, address, time and the SHA-256 of the canonical JSON of the
state before and after (never the state itself). `audit` is called in the same transaction as the
change it records, so both commit or neither; it never commits. `detail` must never carry
passwords or session tokens.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.store.schema import AuditEntry, clean_json, utc_or_now
from crawler.text import iso_z


def _state_hash(value: Any) -> str:
    """SHA-256 of the canonical JSON of `value` (the before/after hashes of audit rows)."""
    data = json.dumps(clean_json(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def audit(
    session: Session,
    actor: str,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
    address: str | None = None,
    before: Any = None,
    after: Any = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Append one audit row (actor, action, object, address, time, before/after SHA-256 of the state).

    Called in the same transaction as the change it records, so both commit or neither.
    `detail` must never carry passwords or session tokens.
    """
    session.add(
        AuditEntry(
            actor=(actor or "-")[:64],
            action=action[:32],
            object_type=object_type,
            object_id=None if object_id is None else str(object_id)[:64],
            address=address[:64] if address else None,
            before_hash=None if before is None else _state_hash(before),
            after_hash=None if after is None else _state_hash(after),
            detail=detail,
            created_at=utc_or_now(now),
        )
    )
    session.flush()


def audit_entries(
    session: Session, *, limit: int = 100, before_id: int | None = None, actor: str | None = None
) -> list[dict[str, Any]]:
    """Newest audit rows first (keyset by id): dicts with id, actor, action, object_type, object_id,
    address, before_hash, after_hash, detail, created_at (ISO 8601 Z)."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 500)))
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    return [
        {
            "id": row.id,
            "actor": row.actor,
            "action": row.action,
            "object_type": row.object_type,
            "object_id": row.object_id,
            "address": row.address,
            "before_hash": row.before_hash,
            "after_hash": row.after_hash,
            "detail": row.detail,
            "created_at": iso_z(row.created_at),
        }
        for row in session.scalars(stmt)
    ]
