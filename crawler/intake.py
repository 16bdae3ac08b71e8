"""Intake of a validated contribution (crawler.submissions) into the review queue.

A contribution becomes a `HarvestedItem` of source ``submissions`` and goes through the harvest's
stages in their order: normalise, extract (an uploaded PDF only, in the bounded extraction worker),
language, dedup, classify; then the store's upsert and the contribution row, in one transaction.

Rules:
- url: the contribution's link; without one, ``https://<host>/submissions/<random id>`` under
  `SYNTHETIC_HOST` (a reserved name, so never a real page and never an identity of a harvest).
- A link already harvested (same identity, T28) joins that item: the contribution is recorded
  against it (outcome ``duplicate``) and no second item is made. A link an editor rejected before
  is recorded with outcome ``tombstoned`` and no item.
- The structured fields (crawler.submissions.Submission.item_fields) go to ``item.deadline``,
  ``item.event`` (start, end, venue, city, country, online; organiser: the contributor's
  organisation), ``item.funding`` (call id, programme, the deadline) and ``record["structured"]``,
  so a contributed event or call reaches the calendars and the API like a harvested one; a
  contributed deadline follows the harvest's placeholder rule (pipelines.deadlines: ``9999-12-31``,
  ``2099-12-31`` or one before 1990 is no deadline, the item flagged ``deadline_implausible``); the
  kind's fields to ``record["submission"]``; the contributor only to
  the ``submissions`` table; the receipt mail is queued in the same transaction (crawler.store.outbox).
- An uploaded PDF the bounded worker could not read (a bomb, a timeout, a malformed file: the
  ``extract.pdf_failed``, ``extract.timeout`` or ``extract.memory`` flags) refuses the contribution
  with `SubmissionInvalid` naming ``pdf``; nothing is stored.
Returns `Accepted(submission_id, item_id, outcome)`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from crawler.errors import SubmissionInvalid
from crawler.store import items, outbox
from crawler.store import submissions as store
from crawler.store.session import run_with_retry, session_scope
from crawler.submissions import Submission
from crawler.types import EventInfo, FundingCall, HarvestedItem
from pipelines.classify import ClassifyPipeline
from pipelines.deadlines import DEADLINE_IMPLAUSIBLE, real_deadlines
from pipelines.dedup import DedupPipeline
from pipelines.extract import ExtractPipeline
from pipelines.language import LanguagePipeline
from pipelines.normalize import NormalizePipeline

SYNTHETIC_HOST = "submissions.ewsi.invalid"
_TEXT_ORDER = ("summary", "aims", "activities", "results", "transferability", "target_group")


@dataclass(frozen=True)
class Accepted:
    """A stored contribution: its id, the item it became or joined (None: tombstoned), the outcome."""

    submission_id: int
    item_id: int | None
    outcome: str


def build_item(sub: Submission, now: datetime | None = None) -> HarvestedItem:
    """The `HarvestedItem` of a contribution, before any stage ran."""
    now = now or datetime.now(UTC)
    f = sub.fields
    url = (
        f.get("link") or (f.get("links") or [None])[0] or f"https://{SYNTHETIC_HOST}/{secrets.token_hex(12)}"
    )
    if sub.kind == "good_practice":
        text = "\n\n".join(
            f"{key.replace('_', ' ').capitalize()}: {f[key]}" for key in _TEXT_ORDER if f.get(key)
        )
        summary = f.get("aims")
    else:
        text = str(f.get("summary") or "")
        summary = f.get("summary")
    structured = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in sub.item_fields().items()}
    item = HarvestedItem(
        source_id=store.SOURCE_ID,
        url=url,
        title=sub.title,
        summary=summary,
        content_type=sub.kind,
        country=f.get("country") or sub.country or "EU",
        declared_language=sub.language,
        fetched_at=now,
        published_at=now,
        deadline=sub.item_fields().get("deadline"),
        record={"submission": {"kind": sub.kind, **f}, "structured": structured},
        text=text,
    )
    item.date_method = "submission"
    fields = sub.item_fields()
    if sub.kind == "event" and fields.get("event_start"):
        place = fields.get("place") or {}
        item.event = EventInfo(
            start=fields["event_start"],
            end=fields.get("event_end") or fields["event_start"],
            timezone="UTC",
            venue=place.get("name"),
            city=place.get("city"),
            country=place.get("country"),
            online=bool(place.get("online")),
            organiser=sub.organisation,
        )
    if sub.kind == "funding" and fields.get("deadline"):
        deadlines, dropped = real_deadlines([fields["deadline"]], now)
        item.funding = FundingCall(
            call_id=fields.get("call_id"), programme=fields.get("programme"), deadlines=deadlines
        )
        item.deadline = deadlines[0] if deadlines else None
        if dropped:
            item.flags.append(DEADLINE_IMPLAUSIBLE)
    if sub.pdf:
        item.body, item.body_url, item.media_type = sub.pdf, url, "application/pdf"
    return item


UNREADABLE_PDF = ("extract.pdf_failed", "extract.timeout", "extract.memory")
"""Flags of an extraction that failed: the contribution is refused (module docstring)."""


def run_stages(item: HarvestedItem, *, in_process_extract: bool = False) -> HarvestedItem:
    """Normalise, extract (PDF bodies only), language, dedup and classify `item`, as a crawl would.

    Raises SubmissionInvalid (``pdf``) when the uploaded PDF could not be read."""
    item = NormalizePipeline().process_item(item)
    if item.body:
        known = item.text
        item = ExtractPipeline().process_item(item)
        if any(flag in item.flags for flag in UNREADABLE_PDF):
            raise SubmissionInvalid(
                {"pdf": "the PDF could not be read (damaged, too complex or too large when unpacked)"}
            )
        if known and item.text and known not in item.text:
            item.text = f"{known}\n\n{item.text}"
        item.text = item.text or known
        item.body = None  # the PDF is not kept: parsed once in the worker, its text stays
    item = LanguagePipeline().process_item(item)
    item = DedupPipeline().process_item(item)
    return _classify_stage().process_item(item)


@cache
def _classify_stage() -> ClassifyPipeline:
    """One classifier per process (loading the rules and the model takes seconds); a retrained
    model is used by servers started after it was written, as by crawls."""
    return ClassifyPipeline()


def accept(sub: Submission, *, channel: str, database_url: str | None = None) -> Accepted:
    """Run `sub` through the stages and store it with its contributor (module docstring)."""
    item = run_stages(build_item(sub))

    def write() -> Accepted:
        with session_scope(database_url) as session:
            store.ensure_source(session)
            outcome = items.upsert_item(session, item)
            item_id: Any = None
            if outcome != "tombstoned":
                item_id = store.item_id_of(session, item.identity or "")
            sid = store.record(
                session,
                item_id=item_id,
                outcome=outcome,
                channel=channel,
                kind=sub.kind,
                fields=sub.fields,
                name=sub.name,
                email=sub.email,
                organisation=sub.organisation,
                country=sub.country,
                language=sub.language,
                consent=sub.consent,
            )
            outbox.enqueue(session, sid, "receipt", {"title": sub.title, "outcome": outcome})
            return Accepted(sid, item_id, outcome)

    return run_with_retry(write)


def amend(submission_id: int, nonce: str, sub: Submission, *, database_url: str | None = None) -> list[str]:
    """Apply a contributor's amendment (crawler.web.amend): `sub` through the stages, then the
    item's content replaced and the item back in the queue (crawler.store.submissions.apply_amend).
    Returns the changed field names; NotFound when the link is no longer valid, SubmissionInvalid
    for an unreadable PDF."""
    item = run_stages(build_item(sub))

    def write() -> list[str]:
        with session_scope(database_url) as session:
            row = store.amendable(session, submission_id, nonce)
            return store.apply_amend(session, row, sub.fields, item)

    return run_with_retry(write)
