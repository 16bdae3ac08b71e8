"""Editors' decisions as training labels (the one labelling rule), and re-classification.

Labels (`decided_items`), one per item, from the item's status (which derives from its latest
decision, crawler.store.decisions):

- relevant: the status is ``approved``, or ``changed`` (approved, then its source text changed: the
  editor's judgement of the subject still stands). Its themes are the final themes, as the portal
  shows them: ``items.editor_themes`` when the editor set them (a list, even an empty one), else the
  themes the item was approved with (``item_themes.assigned``, highest score first).
- not relevant: the status is ``rejected`` and the item's latest ``review_decisions`` row with
  action ``reject`` gives a reason that means "not about migrant integration": after case-folding
  and turning ``_`` and ``-`` into spaces it contains one of `NOT_RELEVANT_REASONS` ("not relevant",
  the desk's reason, and older free-text ones: "irrelevant", "out of scope", "off topic", ...). Its
  themes are empty. Rejections for other reasons (duplicate, out of date, poor quality, other) say
  nothing about the subject and are no label.
- pending, deferred (also when approved before) and other items are no label.

The text is what the harvest classified: title and ``text`` (else ``summary``), and the detected
language (``und`` is None). The editor's corrected title and summary are not used: the model must
learn from what the harvester sees.

Re-classification (`reprocess_batch`): items are read in id order, classified by a callable, and
their relevance, relevant flag, model_version and theme rows replaced. For decided items (approved,
changed, rejected) the scores and evidence change but each theme's ``assigned`` flag is kept: those
are the themes the editors decided on. Functions never commit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crawler.store import themes as item_themes
from crawler.store.schema import Item, ItemTheme, ReviewDecision, clean_json
from crawler.types import Classification

NOT_RELEVANT_REASONS: tuple[str, ...] = (
    "not relevant",
    "irrelevant",
    "out of scope",
    "off topic",
    "not about integration",
    "not about migration",
)
"""Phrases that make a rejection a "not relevant" label (matched in the normalised reason)."""

RELEVANT_STATUSES: tuple[str, ...] = ("approved", "changed")
DECIDED_STATUSES: tuple[str, ...] = ("approved", "changed", "rejected")
"""Statuses whose theme assignments are the editors' and are kept by re-classification."""

ClassifyFn = Callable[[str | None, str | None, str | None, str | None], Classification]
"""(title, text, language, content type) -> classification, as `classifier.Classifier.classify`."""


def means_not_relevant(reason: str | None) -> bool:
    """True when a rejection reason says the item is out of scope (see the module docstring)."""
    if not reason:
        return False
    text = " ".join(re.sub(r"[_\-]+", " ", reason.casefold()).split())
    return any(phrase in text for phrase in NOT_RELEVANT_REASONS)


@dataclass(frozen=True)
class DecidedItem:
    """One editor-labelled item: the text the harvest classified and the editors' verdict.

    themes: portal theme names (empty when not relevant); decided_at: time of the latest decision
    (None when the status was set without a decision row).
    """

    item_id: int
    title: str
    text: str
    language: str | None
    relevant: bool
    themes: tuple[str, ...] = ()
    status: str = ""
    decided_at: datetime | None = None
    source_id: str = ""
    content_type: str | None = None


def _language(value: str | None) -> str | None:
    return None if not value or value == "und" else value


def decided_items(session: Session, source_id: str | None = None) -> list[DecidedItem]:
    """Every item that is a training label (rules in the module docstring), in item id order."""
    latest: dict[int, tuple[str, str | None, datetime | None]] = {}
    decisions = select(
        ReviewDecision.item_id, ReviewDecision.action, ReviewDecision.reason, ReviewDecision.created_at
    ).order_by(ReviewDecision.item_id, ReviewDecision.created_at, ReviewDecision.id)
    if source_id is not None:
        decisions = decisions.join(Item, Item.id == ReviewDecision.item_id).where(Item.source_id == source_id)
    last_reject: dict[int, str | None] = {}
    for item_id, action, reason, created_at in session.execute(decisions):
        latest[item_id] = (action, reason, created_at)
        if action == "reject":
            last_reject[item_id] = reason

    stmt = (
        select(
            Item.id,
            Item.title,
            Item.text,
            Item.summary,
            Item.language,
            Item.status,
            Item.editor_themes,
            Item.source_id,
            Item.content_type,
        )
        .where(Item.status.in_(DECIDED_STATUSES))
        .order_by(Item.id)
    )
    if source_id is not None:
        stmt = stmt.where(Item.source_id == source_id)
    rows = session.execute(stmt).all()
    # the final themes (crawler.store.themes: the editor's list when set, else the assigned ones)
    final = item_themes.of_rows(session, [r for r in rows if r.status in RELEVANT_STATUSES])

    out: list[DecidedItem] = []
    for r in rows:
        decided_at = latest.get(r.id, (None, None, None))[2]
        if r.status in RELEVANT_STATUSES:
            themes, relevant = tuple(final[r.id]), True
        elif r.id in last_reject and means_not_relevant(last_reject[r.id]):
            themes, relevant = (), False
        else:
            continue
        out.append(
            DecidedItem(
                item_id=r.id,
                title=r.title or "",
                text=r.text or r.summary or "",
                language=_language(r.language),
                relevant=relevant,
                themes=themes,
                status=r.status,
                decided_at=decided_at,
                source_id=r.source_id,
                content_type=r.content_type,
            )
        )
    return out


# --- re-classification -----------------------------------------------------------------------------


@dataclass
class ReprocessCounts:
    """What a re-classification changed (or would change, in a dry run)."""

    examined: int = 0
    changed: int = 0
    became_relevant: int = 0
    became_not_relevant: int = 0
    themes_changed: int = 0
    score_changed: int = 0
    version_changed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    def add(self, other: ReprocessCounts) -> None:
        """Add `other`'s counts to these."""
        for name in (
            "examined",
            "changed",
            "became_relevant",
            "became_not_relevant",
            "themes_changed",
            "score_changed",
            "version_changed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for status, n in other.by_status.items():
            self.by_status[status] = self.by_status.get(status, 0) + n

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return {**vars(self), "by_status": dict(self.by_status)}


def _write_classification(
    session: Session, item: Item, cls: Classification, keep_assigned: set[str] | None
) -> None:
    item.relevance = float(cls.relevance)
    item.relevance_evidence = clean_json(list(cls.relevance_evidence))
    item.relevant = bool(cls.relevant)
    item.model_version = (cls.model_version or "")[:64]
    session.execute(delete(ItemTheme).where(ItemTheme.item_id == item.id))
    chosen = set(cls.assigned) if keep_assigned is None else keep_assigned
    rows = [
        {
            "item_id": item.id,
            "theme": ts.theme[:64],
            "score": float(ts.score),
            "assigned": ts.theme in chosen,
            "evidence": clean_json(list(ts.evidence)),
        }
        for ts in cls.themes
    ]
    if rows:
        session.execute(ItemTheme.__table__.insert(), rows)  # type: ignore[attr-defined]


def reprocess_batch(
    session: Session,
    classify: ClassifyFn,
    *,
    after_id: int = 0,
    limit: int = 200,
    source_id: str | None = None,
    statuses: Sequence[str] | None = ("pending",),
    dry_run: bool = False,
) -> tuple[int | None, ReprocessCounts]:
    """Re-classify up to `limit` items with id > `after_id` (id order); returns (last id seen, counts).

    The last id is None when no item was left. `statuses` None means every status. With `dry_run`
    nothing is written. Rules for decided items: see the module docstring. The caller commits.
    """
    stmt = select(Item).where(Item.id > after_id).order_by(Item.id).limit(limit)
    if source_id is not None:
        stmt = stmt.where(Item.source_id == source_id)
    if statuses is not None:
        stmt = stmt.where(Item.status.in_(list(statuses)))
    items = list(session.scalars(stmt))
    counts = ReprocessCounts()
    if not items:
        return None, counts
    ids = [i.id for i in items]
    old_assigned: dict[int, set[str]] = {i: set() for i in ids}
    for item_id, theme in session.execute(
        select(ItemTheme.item_id, ItemTheme.theme).where(
            ItemTheme.item_id.in_(ids), ItemTheme.assigned.is_(True)
        )
    ):
        old_assigned[item_id].add(theme)
    for item in items:
        cls = classify(
            item.title, item.text or item.summary or "", _language(item.language), item.content_type
        )
        counts.examined += 1
        counts.by_status[item.status] = counts.by_status.get(item.status, 0) + 1
        decided = item.status in DECIDED_STATUSES
        flipped = bool(item.relevant) != bool(cls.relevant) or item.relevant is None
        new_assigned = old_assigned[item.id] if decided else set(cls.assigned)
        themes_changed = new_assigned != old_assigned[item.id]
        score_changed = item.relevance is None or abs(item.relevance - cls.relevance) > 1e-4
        version_changed = item.model_version != (cls.model_version or "")[:64]
        if flipped:
            if cls.relevant:
                counts.became_relevant += 1
            else:
                counts.became_not_relevant += 1
        counts.themes_changed += themes_changed
        counts.score_changed += score_changed
        counts.version_changed += version_changed
        if flipped or themes_changed or score_changed or version_changed:
            counts.changed += 1
            if not dry_run:
                _write_classification(session, item, cls, old_assigned[item.id] if decided else None)
    if not dry_run:
        session.flush()
    return ids[-1], counts
