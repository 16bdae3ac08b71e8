"""The outbox of mails to contributors: kept until sent, retried with back-off, never lost.

Rules:
- A mail is queued in the transaction of what it tells (the contribution's intake, the editor's
  decision, the request for changes), so a mail exists exactly when its cause was committed.
- The row holds the kind (`KINDS`) and the context of its text, never the address: the sender reads
  the contribution's email when sending, so a mail of a forgotten contributor is ``dropped``.
- `claim_due` takes pending mails whose `next_attempt_at` has come and pushes that time by `LEASE`
  (one conditional UPDATE each), so two senders never send one mail twice while both run; a sender
  killed after the claim leaves the mail to be sent again once the lease is over.
- A failed attempt waits `retry_delay(attempts)`: 1 min doubled per attempt, at most 6 h; a mail is
  retried until it is sent (no attempt limit: ``ewsi mail status`` shows the failing ones).
Functions never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crawler.store.schema import SubmissionMailRow, SubmissionRow, utc_or_now

KINDS: tuple[str, ...] = ("receipt", "decision", "changes")
LEASE = timedelta(minutes=10)
"""How long a claimed mail is kept from other senders (far above one SMTP delivery's timeout)."""
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)


@dataclass(frozen=True)
class DueMail:
    """A claimed mail with what its text needs: the contribution's address (None: forgotten),
    name, language, kind of contribution, and the mail's own kind and context."""

    id: int
    kind: str
    context: dict[str, Any]
    attempts: int
    email: str | None
    name: str | None
    language: str | None
    submission_kind: str
    submission_id: int


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt (1-based): 1 min, 2, 4, ... at most 6 h."""
    return min(LAST_RETRY, FIRST_RETRY * 2 ** max(0, min(attempts - 1, 20)))


def enqueue(
    session: Session, submission_id: int, kind: str, context: dict[str, Any], now: datetime | None = None
) -> int:
    """Queue one mail about contribution `submission_id`; ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"mail kind must be one of {', '.join(KINDS)}, got {kind!r}")
    now = utc_or_now(now)
    row = SubmissionMailRow(
        submission_id=submission_id, kind=kind, context=context, created_at=now, next_attempt_at=now
    )
    session.add(row)
    session.flush()
    return row.id


def enqueue_decision(
    session: Session,
    item_id: int,
    action: str,
    *,
    title: str,
    reason: str | None = None,
    criterion: str | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Queue the decision mail (``approve`` or ``reject``) to every contributor of `item_id` whose
    address is still known; returns the mail ids (none for a harvested item)."""
    ids = session.scalars(
        select(SubmissionRow.id).where(SubmissionRow.item_id == item_id, SubmissionRow.email.is_not(None))
    ).all()
    context = {"action": action, "title": title, "reason": reason, "criterion": criterion, "item_id": item_id}
    return [enqueue(session, sid, "decision", context, now) for sid in ids]


def claim_due(session: Session, now: datetime | None = None, limit: int = 100) -> list[DueMail]:
    """Claim up to `limit` pending mails that are due, oldest first (module docstring)."""
    now = utc_or_now(now)
    rows = session.execute(
        select(SubmissionMailRow, SubmissionRow)
        .join(SubmissionRow, SubmissionRow.id == SubmissionMailRow.submission_id)
        .where(SubmissionMailRow.status == "pending", SubmissionMailRow.next_attempt_at <= now)
        .order_by(SubmissionMailRow.id)
        .limit(limit)
    ).all()
    claimed: list[DueMail] = []
    for mail, sub in rows:
        result = session.execute(
            update(SubmissionMailRow)
            .where(
                SubmissionMailRow.id == mail.id,
                SubmissionMailRow.status == "pending",
                SubmissionMailRow.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + LEASE, attempts=SubmissionMailRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            claimed.append(
                DueMail(
                    id=mail.id,
                    kind=mail.kind,
                    context=dict(mail.context or {}),
                    attempts=mail.attempts + 1,
                    email=sub.email,
                    name=sub.name,
                    language=sub.language,
                    submission_kind=sub.kind,
                    submission_id=sub.id,
                )
            )
    return claimed


def _finish(session: Session, mail_id: int, **values: Any) -> None:
    session.execute(
        update(SubmissionMailRow)
        .where(SubmissionMailRow.id == mail_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def mark_sent(session: Session, mail_id: int, now: datetime | None = None) -> None:
    _finish(session, mail_id, status="sent", sent_at=utc_or_now(now), last_error=None)


def mark_dropped(session: Session, mail_id: int, why: str) -> None:
    """A mail that can never be sent (its address was erased): kept, marked ``dropped``."""
    _finish(session, mail_id, status="dropped", last_error=why[:500])


def mark_failed(session: Session, mail: DueMail, error: str, now: datetime | None = None) -> datetime:
    """Record a failed attempt; returns when the mail is tried again (`retry_delay`)."""
    when = utc_or_now(now) + retry_delay(mail.attempts)
    _finish(session, mail.id, next_attempt_at=when, last_error=error[:500])
    return when


def counts(session: Session) -> dict[str, int]:
    """Mails by status (pending, sent, dropped), and ``failing``: pending ones with a failed attempt."""
    out = {"pending": 0, "sent": 0, "dropped": 0, "failing": 0}
    for status, count in session.execute(
        select(SubmissionMailRow.status, func.count()).group_by(SubmissionMailRow.status)
    ):
        out[status] = int(count)
    out["failing"] = int(
        session.scalar(
            select(func.count())
            .select_from(SubmissionMailRow)
            .where(SubmissionMailRow.status == "pending", SubmissionMailRow.last_error.is_not(None))
        )
        or 0
    )
    return out


def mails_of(session: Session, submission_id: int) -> list[SubmissionMailRow]:
    """The mails of one contribution, oldest first (for the desk and tests)."""
    return list(
        session.scalars(
            select(SubmissionMailRow)
            .where(SubmissionMailRow.submission_id == submission_id)
            .order_by(SubmissionMailRow.id)
        )
    )
