"""Editorial decisions: approve, reject, defer, edit; an item's page and its history.

A decision is one conditional UPDATE of the item on its ``revision`` and its claim
(crawler.store.queue), so two editors can never both judge an item, and a form sent for an older
revision is refused with `ReviewConflict` naming who changed it and when. In the caller's
transaction: the item's new state, the append-only ``review_decisions`` row, the audit row
(crawler.store.audit) and, for a rejection, the tombstone of the item's identity
(crawler.store.items), so they commit together or not at all. Functions never commit.

Status derives from decisions: approve -> approved, reject -> rejected, defer -> deferred; edits keep
the status (`derived_status`). A rejection carries one of `REJECT_REASONS`. A double submit carries
the same ``request_token`` (UNIQUE): the second submit returns the first decision and writes nothing.
Editable fields are `EDITABLE`; their values are normalised (`_normalise_edit`: themes in portal
order, a 2-letter country, a known content type, one clean line of title).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crawler.errors import ApprovalRefused, EditError, NotFound, ReviewConflict
from crawler.sources import country_hint, is_country_code
from crawler.store import attachments, field_changes, groups, outbox, queue, structured
from crawler.store import themes as item_themes
from crawler.store.audit import audit
from crawler.store.items import add_tombstone, item_versions
from crawler.store.schema import Item, ItemTheme, ReviewDecision, SourceRow, utc_or_now
from crawler.text import clean_text, iso_z, squash_whitespace, strip_bidi_controls, tidy_paragraphs, when
from crawler.types import CONTENT_TYPES, THEMES

ACTIONS: tuple[str, ...] = ("approve", "reject", "defer", "edit")


STATUS_OF_ACTION: dict[str, str] = {"approve": "approved", "reject": "rejected", "defer": "deferred"}


DUPLICATE = "duplicate"
REJECT_REASONS: tuple[str, ...] = ("not relevant", DUPLICATE, "out of date", "poor quality", "other")
"""The reasons a rejection may carry, exactly as the reject forms offer them (no free text: any other
value is refused by `decide`); ``not relevant`` is the negative label for training."""


EDITABLE: tuple[str, ...] = (
    "editor_title",
    "editor_summary",
    "editor_themes",
    "editor_country",
    "editor_content_type",
)


# --- one item ------------------------------------------------------------------------------------


def item_detail(session: Session, item_id: int) -> dict[str, Any]:
    """Everything the item page shows: the item's columns (dict), ``source`` (name, publisher, state),
    ``theme_scores`` (name, score, assigned, evidence list; highest first), ``effective`` values
    (editor's wins: title, summary, themes, country, content_type), ``history`` (`item_history`) and
    ``field_changes``: per new version of a call or event, oldest first, {version (the new one),
    created_at (ISO 8601 Z, when the change was harvested), lines (``"deadline: old → new"``,
    crawler.store.field_changes.describe)}.
    Raises `NotFound`."""
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} not found")
    data = {c.key: getattr(item, c.key) for c in Item.__mapper__.column_attrs}
    source = session.get(SourceRow, item.source_id)
    data["source"] = (
        {"id": source.id, "name": source.name, "publisher": source.publisher, "state": source.state}
        if source
        else {"id": item.source_id, "name": None, "publisher": None, "state": None}
    )
    data["theme_scores"] = item_themes.scores_of(session, [item_id])[item_id]
    assigned = [s["name"] for s in data["theme_scores"] if s["assigned"]]
    data["assigned_themes"] = assigned
    data["effective"] = {
        "title": item.editor_title or item.title,
        "summary": item.editor_summary or item.summary,
        "themes": item_themes.effective(item.editor_themes, assigned),
        "country": item.editor_country or item.country,
        "content_type": item.editor_content_type or item.content_type,
    }
    data["history"] = item_history(session, item_id)
    data["field_changes"] = [
        {
            "version": v["version"] + 1,
            "created_at": v["created_at"],
            "lines": [field_changes.describe(c) for c in v["field_changes"]],
        }
        for v in item_versions(session, item_id)
        if v["field_changes"]
    ]
    data["structured"] = structured.structured_record(item, utc_or_now(None))
    data["versions"] = groups.language_versions(session, item.version_of or item_id)
    data["also_from"] = sorted(
        {m["source_id"] for m in groups.group_members(session, item.group_id)} - {item.source_id}
    )
    data["documents"] = attachments.documents_of(session, item_id)
    return data


def shown_title(session: Session, item_id: int) -> str | None:
    """The item's title as the desk shows it (the editor's if set, else the harvested one; "" when
    it has none); None for an unknown item."""
    row = session.execute(select(Item.editor_title, Item.title).where(Item.id == item_id)).first()
    if row is None:
        return None
    return row.editor_title or row.title or ""


def status_of(session: Session, item_id: int) -> str | None:
    """The item's status; None for an unknown item."""
    return session.scalar(select(Item.status).where(Item.id == item_id))


def item_history(session: Session, item_id: int) -> list[dict[str, Any]]:
    """The item's review decisions, oldest first: id, editor, action, reason, changes, item_revision,
    created_at (ISO 8601 Z)."""
    rows = session.scalars(
        select(ReviewDecision).where(ReviewDecision.item_id == item_id).order_by(ReviewDecision.id)
    )
    return [
        {
            "id": d.id,
            "editor": d.editor,
            "action": d.action,
            "reason": d.reason,
            "changes": d.changes or {},
            "item_revision": d.item_revision,
            "created_at": iso_z(d.created_at),
        }
        for d in rows
    ]


def recent_decisions(
    session: Session, *, item_id: int | None = None, editor: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Review decisions newest first (optionally of one item or one editor), each as in
    `item_history` plus item_id and the item's current display title."""
    stmt = (
        select(ReviewDecision, func.coalesce(Item.editor_title, Item.title))
        .join(Item, Item.id == ReviewDecision.item_id)
        .order_by(ReviewDecision.id.desc())
        .limit(max(1, min(limit, 1000)))
    )
    if item_id is not None:
        stmt = stmt.where(ReviewDecision.item_id == item_id)
    if editor:
        stmt = stmt.where(ReviewDecision.editor == editor)
    return [
        {
            "id": d.id,
            "item_id": d.item_id,
            "title": title,
            "editor": d.editor,
            "action": d.action,
            "reason": d.reason,
            "changes": d.changes or {},
            "item_revision": d.item_revision,
            "created_at": iso_z(d.created_at),
        }
        for d, title in session.execute(stmt)
    ]


def derived_status(actions: Iterable[str], initial: str = "pending") -> str:
    """The status an item's decisions lead to: the last approve/reject/defer wins, edits keep it."""
    status = initial
    for action in actions:
        status = STATUS_OF_ACTION.get(action, status)
    return status


# --- decisions -----------------------------------------------------------------------------------


@dataclass
class Decision:
    """The outcome of `decide`: the decision row's id, the action, the item's new status and revision,
    `repeated` = True when the request token had already been used (nothing new written), the changed
    fields, the item's title as shown (the editor's if set; harvested text: escape before logging)
    and the rejection reason (None for other actions)."""

    id: int
    item_id: int
    action: str
    status: str
    revision: int
    repeated: bool = False
    changes: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    reason: str | None = None


def _editorial_state(item: Item) -> dict[str, Any]:
    return {
        "status": item.status,
        "revision": item.revision,
        **{name: getattr(item, name) for name in EDITABLE},
    }


def _normalise_edit(name: str, value: Any) -> Any:
    if name == "editor_themes":
        if value is None:
            return None
        themes = [t for t in queue.value_list(value) if t in THEMES]
        return [t for t in THEMES if t in themes]  # portal order
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    if name == "editor_content_type" and value not in CONTENT_TYPES:
        raise EditError(name, f"content type must be one of {', '.join(CONTENT_TYPES)}, got {value!r}")
    if name == "editor_country":
        code = value.upper()
        if not is_country_code(code):  # the rule of a source's `country` (crawler.sources)
            typed = value if len(value) <= 60 else value[:59] + "…"
            raise EditError(
                name,
                f"use a two-letter code such as DE or AT (Greece is GR; EU for the Union), got {typed!r}"
                + country_hint(value),
            )
        return code
    if name == "editor_title":  # one line, like a harvested title: no line breaks, controls or overrides
        return (squash_whitespace(strip_bidi_controls(clean_text(value))) or "")[:1000] or None
    return (tidy_paragraphs(strip_bidi_controls(clean_text(value))) or "")[:20000] or None


HARVESTED_FIELD: dict[str, str] = {
    "editor_title": "title",
    "editor_summary": "summary",
    "editor_country": "country",
    "editor_content_type": "content_type",
}
"""The harvested column each editable text field overrides."""


def shown_value(item: Item, name: str, editor_value: Any, assigned: Sequence[str] = ()) -> Any:
    """The value an item shows for the editable field `name` when the editor's value is
    `editor_value` (the effective value, as `item_detail` gives it): that value when set, else the
    harvested one of `HARVESTED_FIELD`; for themes the editor's list (an empty one too), else the
    classifier's `assigned` themes in portal order. A change record names these, never a bare
    "unset": "country: DE → AT", not "country: — → AT"."""
    if name == "editor_themes":
        edited = item_themes.editor_list(editor_value)
        return edited if edited is not None else [t for t in THEMES if t in assigned]
    return editor_value or getattr(item, HARVESTED_FIELD[name])


def edits_from_form(item: dict[str, Any], submitted: dict[str, Any]) -> dict[str, Any]:
    """The edits of an edit form pre-filled with the item's current values (`item`: `item_detail`).

    Rule: a field sent back equal to its harvested value (both normalised as `decide` stores them)
    means "no editor value" (None), so an untouched pre-filled field records no change and the
    harvested value keeps following re-crawls; an emptied field also clears the editor's value. Any
    other value is the editor's. `submitted` maps `HARVESTED_FIELD` names to form values; other
    names pass unchanged.
    """
    out: dict[str, Any] = {}
    for name, value in submitted.items():
        column = HARVESTED_FIELD.get(name)
        harvested = item.get(column) if column else None
        try:
            same = harvested is not None and _normalise_edit(name, value) == _normalise_edit(name, harvested)
        except ValueError:  # a harvested value an editor could not type (e.g. an unknown content type)
            same = False
        out[name] = None if same else value
    return out


def _existing_decision(session: Session, request_token: str | None) -> Decision | None:
    if not request_token:
        return None
    row = session.scalars(select(ReviewDecision).where(ReviewDecision.request_token == request_token)).first()
    if row is None:
        return None
    item = session.get(Item, row.item_id)
    return Decision(
        id=row.id,
        item_id=row.item_id,
        action=row.action,
        status=item.status if item else "",
        revision=item.revision if item else 0,
        repeated=True,
        changes=row.changes or {},
        title=(item.editor_title or item.title) if item else None,
        reason=row.reason,
    )


def _conflict_message(session: Session, item: Item, editor: str, revision: int, now: datetime) -> str:
    if (
        item.claimed_by
        and item.claimed_by != editor
        and item.claim_expires_at
        and item.claim_expires_at > now
    ):
        until = item.claim_expires_at.strftime("%H:%M UTC")
        return (
            f"{item.claimed_by} is reviewing this item (claim until {until}); your decision was not recorded."
        )
    last = session.scalars(
        select(ReviewDecision).where(ReviewDecision.item_id == item.id).order_by(ReviewDecision.id.desc())
    ).first()
    who = f"{last.editor} ({last.action}, {when(last.created_at)})" if last else "a re-crawl"
    return (
        f"This item was changed by {who} after you opened it (revision {item.revision}, your form had "
        f"{revision}); your decision was not recorded. Reload the item to see the change."
    )


SUGGESTED_THEMES = 3
"""How many of the classifier's best-scoring themes a refused approval names."""


def check_approvable(session: Session, item: Item, editor_themes: Any) -> None:
    """Raise `ApprovalRefused` when approving `item` with `editor_themes` (the value it will have
    after the decision's edits) would publish it with no theme.

    Rule: an item is published only with at least one theme: its effective themes (the editor's
    list when set, else the classifier's assigned ones, crawler.store.themes) must not be empty. The
    refusal names the classifier's best-scoring themes with their scores and suggests the best one.
    """
    assigned = item_themes.assigned_of(session, [item.id]).get(item.id, [])
    if item_themes.effective(editor_themes, assigned):
        return
    best = session.execute(
        select(ItemTheme.theme, ItemTheme.score)
        .where(ItemTheme.item_id == item.id)
        .order_by(ItemTheme.score.desc(), ItemTheme.theme)
        .limit(SUGGESTED_THEMES)
    ).all()
    if item_themes.editor_list(editor_themes) is not None:
        why = "the editor's theme list is empty"
    elif item.relevant is False:
        why = "the classifier assigned none because it judged the item not relevant"
    else:
        why = "the classifier assigned none"
    scores = ", ".join(f"{name} {score:.2f}" for name, score in best)
    listed = f"; its best-scoring themes: {scores}" if scores else "; it scored no theme"
    raise ApprovalRefused(
        f"Choose at least one theme before approving: {why}{listed}.",
        [best[0][0]] if best else [],
    )


def check_reject_reason(reason: str | None) -> str:
    """`reason` (surrounding spaces dropped) if it is one of `REJECT_REASONS`; else ValueError. A
    rejection needs a reason and only a listed one: free text would be unbounded input in the
    decision, the tombstone, the audit detail and the log, and training reads the listed values."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a rejection needs a reason")
    if reason not in REJECT_REASONS:
        raise ValueError(f"unknown rejection reason: choose one of {', '.join(REJECT_REASONS)}")
    return reason


_COMPANION_FIELDS = ("status", "modified_at", "approved_at", "approved_by", "claimed_by", "claim_expires_at")


def _apply_to_companions(
    session: Session, item: Item, values: dict[str, Any], *, reject_reason: str | None
) -> list[int]:
    """Give the item's language versions and the other items of its near-duplicate group the
    decision's status (and approval stamp): one review decides them all; the ids changed.

    Rule: companions are rows with ``version_of`` = the item, and rows sharing its ``group_id``,
    except for a rejection as ``duplicate``: that says this copy is superfluous beside another of
    its group, so only the item's own language versions follow it. A rejection tombstones each
    companion so a re-crawl never requeues them.
    """
    companion = Item.version_of == item.id
    if item.group_id is not None and reject_reason != DUPLICATE:
        companion = companion | ((Item.group_id == item.group_id) & (Item.id != item.id))
    rows = session.execute(select(Item.id, Item.identity_hash, Item.source_id).where(companion)).all()
    if not rows:
        return []
    stamp = {k: v for k, v in values.items() if k in _COMPANION_FIELDS}
    session.execute(
        update(Item)
        .where(Item.id.in_([r.id for r in rows]))
        .values(**stamp, revision=Item.revision + 1)
        .execution_options(synchronize_session=False)
    )
    if reject_reason is not None:
        for r in rows:
            add_tombstone(session, r.identity_hash, r.source_id, reject_reason)
    return [r.id for r in rows]


def decide(
    session: Session,
    item_id: int,
    editor: str,
    action: str,
    *,
    revision: int,
    request_token: str | None,
    user_id: int | None = None,
    reason: str | None = None,
    edits: dict[str, Any] | None = None,
    address: str | None = None,
    now: datetime | None = None,
    criterion: str | None = None,
) -> Decision:
    """Record one editorial decision (approve, reject, defer, edit) on an item at `revision`.

    In one transaction (the caller's): a conditional UPDATE of the item (revision matches and the
    claim is free or `editor`'s; revision + 1, status from the action, claim released), the
    append-only review_decisions row, the audit row, and for a rejection the tombstone of the item's
    identity. `edits` maps EDITABLE names to new values (None clears); for ``edit`` only the changed
    ones are recorded as ``{"field": {"from": old, "to": new}}``, old and new being the values the
    editor saw before and sees after (`shown_value`). A `request_token` seen before
    returns that decision with ``repeated=True`` and writes nothing (double submit).

    `reason` must be one of `REJECT_REASONS` for ``reject`` (`check_reject_reason`) and is ignored
    (not stored) for the other actions. An approval or rejection that changes the status of a
    contributed item queues the decision mail to its contributors (crawler.store.outbox), with
    `criterion` (the id of the publication criterion a rejected contribution failed) in its context.

    An approval needs at least one effective theme after its `edits` (`check_approvable`).

    Raises ValueError (bad action or reason; `EditError` for an edit value, naming its field;
    `ApprovalRefused` for an approval without a theme),
    `NotFound`, `ReviewConflict` (changed meanwhile or claimed by someone else; the message says who
    and when).
    """
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}, got {action!r}")
    reason = check_reject_reason(reason) if action == "reject" else None
    now = utc_or_now(now)
    existing = _existing_decision(session, request_token)
    if existing is not None:
        return existing
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} not found")
    changes: dict[str, Any] = {}
    new_values: dict[str, Any] = {}
    for name, value in (edits or {}).items():
        if name not in EDITABLE:
            raise ValueError(f"field {name!r} cannot be edited")
        value = _normalise_edit(name, value)
        if value != getattr(item, name):
            themed = name == "editor_themes"
            assigned = item_themes.assigned_of(session, [item_id]).get(item_id, []) if themed else []
            changes[name] = {
                "from": shown_value(item, name, getattr(item, name), assigned),
                "to": shown_value(item, name, value, assigned),
            }
            new_values[name] = value
    if action == "edit" and not changes:
        raise ValueError("nothing was changed")
    if action == "approve" and item.revision == revision:  # a stale form is a ReviewConflict below
        check_approvable(session, item, new_values.get("editor_themes", item.editor_themes))
    before = _editorial_state(item)
    old_status = item.status
    status = STATUS_OF_ACTION.get(action, item.status)
    values: dict[str, Any] = {
        **new_values,
        "status": status,
        "revision": Item.revision + 1,
        "modified_at": now,
    }
    if action != "edit":
        values.update(claimed_by=None, claim_expires_at=None)
    if action == "approve":
        values.update(approved_at=now, approved_by=editor[:64])
    result = session.execute(
        update(Item)
        .where(Item.id == item_id, Item.revision == revision, queue.claim_free(editor, now))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        session.expire(item)
        existing = _existing_decision(session, request_token)  # a concurrent double submit won
        if existing is not None:
            return existing
        raise ReviewConflict(_conflict_message(session, item, editor, revision, now))
    session.expire(item)
    decision = ReviewDecision(
        item_id=item_id,
        user_id=user_id,
        editor=editor[:64],
        action=action,
        reason=reason,
        changes=changes or None,
        item_revision=revision,
        request_token=request_token,
        created_at=now,
    )
    session.add(decision)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        existing = _existing_decision(session, request_token)
        if existing is None:
            raise
        raise ReviewConflict("this form was already submitted") from None
    if action == "reject":
        add_tombstone(session, item.identity_hash, item.source_id, reason)
    companions: list[int] = []
    if action != "edit":
        rejected = (reason or "rejected") if action == "reject" else None
        companions = _apply_to_companions(session, item, values, reject_reason=rejected)
        groups.choose_head(session, item.group_id, approved=item_id if action == "approve" else None)
    after = _editorial_state(item)
    if action in ("approve", "reject") and old_status != status:
        outbox.enqueue_decision(
            session,
            item_id,
            action,
            title=item.editor_title or item.title or "",
            reason=reason,
            criterion=criterion if action == "reject" else None,
            now=now,
        )
    audit(
        session,
        editor,
        action,
        object_type="item",
        object_id=item_id,
        address=address,
        before=before,
        after=after,
        detail={"reason": reason, "fields": sorted(changes)} if (reason or changes) else None,
        now=now,
    )
    for companion_id in companions:  # every change of status is in the audit log
        audit(
            session,
            editor,
            action,
            object_type="item",
            object_id=companion_id,
            address=address,
            detail={"with": item_id, "reason": reason} if reason else {"with": item_id},
            now=now,
        )
    return Decision(
        id=decision.id,
        item_id=item_id,
        action=action,
        status=item.status,
        revision=item.revision,
        changes=changes,
        title=item.editor_title or item.title,
        reason=reason,
    )


def bulk_decide(
    session: Session,
    items: Sequence[tuple[int, int]],
    editor: str,
    action: str,
    *,
    request_token: str,
    user_id: int | None = None,
    reason: str | None = None,
    address: str | None = None,
    now: datetime | None = None,
) -> tuple[list[Decision], list[tuple[int, str]]]:
    """Approve or reject several (item id, revision) pairs; each in its own SAVEPOINT.

    The request token of item i is ``f"{request_token}:{item_id}"`` so a repeated bulk submit is a
    no-op. Returns (decisions made or repeated, [(item id, refusal message)]). Raises ValueError
    for another action or, for ``reject``, a reason not in `REJECT_REASONS` (before any item).

    Rule: an item is decided (and counted) once however often it is named; the same id with
    different revisions is refused as stale (the form was built from two versions of the item).
    """
    if action not in ("approve", "reject"):
        raise ValueError("bulk actions are approve and reject")
    reason = check_reject_reason(reason) if action == "reject" else None
    done: list[Decision] = []
    refused: list[tuple[int, str]] = []
    revisions: dict[int, set[int]] = {}
    for item_id, revision in items:
        revisions.setdefault(item_id, set()).add(revision)
    for item_id, sent in list(revisions.items())[: queue.MAX_PAGE]:
        if len(sent) > 1:
            listed = ", ".join(str(r) for r in sorted(sent))
            refused.append((item_id, f"sent with conflicting revisions ({listed}); reload the queue"))
            continue
        (revision,) = sent
        try:
            with session.begin_nested():
                done.append(
                    decide(
                        session,
                        item_id,
                        editor,
                        action,
                        revision=revision,
                        request_token=f"{request_token[:40]}:{item_id}"[:64],
                        user_id=user_id,
                        reason=reason,
                        address=address,
                        now=now,
                    )
                )
        except (ReviewConflict, NotFound, ValueError) as exc:
            refused.append((item_id, str(exc)))
    return done, refused
