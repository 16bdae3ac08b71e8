"""Desk pages of one item: the item page, claims, and decisions (approve, reject, defer, edit).

Rules: opening the page does not claim (the page's script, or the Claim button, POSTs the claim);
only an item waiting for a decision (`CLAIMABLE_STATUSES`) is claimed, a decided one is 409; a
claim held by another editor is 409 (JSON for the script, the page otherwise); a decision is made
at the revision the form was loaded with (1..2**63-1, else 400) and a stale one is 409 naming who
changed the item; a rejection's reason must be one of `crawler.store.decisions.REJECT_REASONS` (else
400, nothing stored), and for a contribution may name the publication criterion it failed
(``criterion``, an id of config/criteria.yaml, else 400), told to the contributor by mail; an
unknown item is 404; a repeated form (same request token) is recorded once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from crawler.errors import ApprovalRefused, EditError, NotFound
from crawler.store import decisions, queue, submissions
from crawler.store.schema import utcnow
from crawler.submissions import criteria
from crawler.types import CONTENT_TYPES, THEMES
from crawler.web.auth import CurrentUser, address_of
from crawler.web.deps import DbSession, PathId, parse_db_int
from crawler.web.desk import (
    Editor,
    decided_message,
    desk_router,
    item_link,
    item_query,
    log_decision,
    message,
    message_style,
    queue_context,
    request_token,
)
from crawler.web.rows import REASONS_SHOWN, claim_line
from crawler.web.templating import render

router = desk_router()

CLAIMABLE_STATUSES: tuple[str, ...] = ("pending", "deferred", "changed")
"""Statuses of an item waiting for a decision: only these are claimed (on opening, by the Claim
button); a decided item (approved, rejected) shows no claim banner and no Claim button."""


KEYBOARD = (
    ("a", "approve"),
    ("r", "reject (choose a reason, then Enter)"),
    ("d", "defer"),
    ("e", "edit title, summary, themes"),
    ("n", "next item in the queue (this one stays as it is)"),
    ("q", "back to the queue"),
)


def _item_page(
    request: Request,
    session: Any,
    user: CurrentUser,
    item_id: int,
    *,
    message: str | None = None,
    message_style: str = "ok",
    error: str | None = None,
    status_code: int = 200,
    from_queue: str | None = None,
    done: int | None = None,
    typed: dict[str, Any] | None = None,
    field_errors: dict[str, str] | None = None,
) -> Response:
    """The item page; `typed`: the edit form's values as the editor sent them (shown instead of the
    stored ones when an edit was refused), `field_errors`: a message per edit form field."""
    try:
        item = decisions.item_detail(session, item_id)
    except NotFound:
        raise HTTPException(404, "no such item") from None
    now = utcnow()
    live = bool(item["claimed_by"] and item["claim_expires_at"] and item["claim_expires_at"] > now)
    held_by_other = live and item["claimed_by"] != user.name
    context = queue_context(session, from_queue)[2]
    claimable = item["status"] in CLAIMABLE_STATUSES
    mine_or_other = (
        claim_line(item["claimed_by"], item["claim_expires_at"], user.name) if live and claimable else None
    )
    return render(
        request,
        "item.html",
        {
            "item": item,
            "held_by_other": held_by_other and claimable,
            "claimable": claimable,
            "claimed_by_me": live and claimable and not held_by_other,
            "claim_line": mine_or_other,
            "queue_context": context,
            "queue_url": f"/queue?{context}",
            "next_action": f"/queue/next?{context}",
            "decide_action": f"/items/{item_id}/decide{item_query(context)}",
            "page_url": item_link(item_id, context),
            "edit": typed if typed is not None else _stored_edit_values(item),
            "field_errors": field_errors or {},
            "done": done,
            "themes": THEMES,
            "content_types": CONTENT_TYPES,
            "reject_reasons": decisions.REJECT_REASONS,
            "request_token": request_token(),
            "message": message,
            "message_style": message_style,
            "error": error,
            "shortcuts": KEYBOARD,
            "reasons_shown": REASONS_SHOWN,
            "lease_s": int(queue.CLAIM_LEASE.total_seconds()),
            "contributions": submissions.for_item(session, item_id),
            "criteria": criteria(),
        },
        status_code=status_code,
    )


def _stored_edit_values(item: dict[str, Any]) -> dict[str, Any]:
    """The edit form's values for the item as stored (its effective values). The English summary is
    the editor's, else the harvested one when the item is in English; a summary in another language
    is not put in the English field (the form names its language instead, `summary_placeholder`)."""
    effective = item["effective"]
    english = item.get("editor_summary") or (item.get("summary") if item.get("language") == "en" else None)
    return {
        "editor_title": effective["title"] or "",
        "editor_summary": english or "",
        "editor_themes": list(effective["themes"] or []),
        "editor_country": effective["country"] or "",
        "editor_content_type": effective["content_type"] or "",
    }


def _typed_edit_values(form: Any) -> dict[str, Any]:
    """The edit form's values as the editor sent them, to show again when the edit is refused."""
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in decisions.HARVESTED_FIELD}
    values["editor_themes"] = [str(t) for t in form.getlist("editor_themes")]
    return values


def _suggest_themes(
    session: Any, item_id: int, typed: dict[str, Any] | None, exc: ApprovalRefused
) -> tuple[dict[str, Any], str]:
    """The edit form's values and the page's message for an approval refused for want of a theme.

    Rule: the form keeps what the editor typed (or the stored values) with the classifier's
    best-scoring theme ticked, so checking it and pressing "Save and approve" publishes the item;
    nothing is saved until the editor does."""
    if typed is None:
        typed = _stored_edit_values(decisions.item_detail(session, item_id))
    if not exc.suggested:
        return typed, f"{exc} Tick a theme in the edit form, then press Save and approve."
    typed["editor_themes"] = list(exc.suggested)
    ticked = ", ".join(exc.suggested)
    return typed, (
        f"{exc} The edit form below has {ticked} ticked as a suggestion (not saved yet): check the "
        "themes, then press Save and approve."
    )


QueueQuery = Annotated[str | None, Query(alias="queue", max_length=2000)]
"""The queue an item was opened from, as one query string (crawler.web.desk `queue_context`)."""


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(
    item_id: PathId,
    request: Request,
    session: DbSession,
    user: Editor,
    msg: str | None = None,
    from_queue: QueueQuery = None,
    done: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Response:
    """The item: content, scores with evidence, history; the page's script claims it on load when it
    waits for a decision (`CLAIMABLE_STATUSES`).
    ``queue``: the queue it was opened from (its filters and order; decisions and Next walk it);
    ``done``: the item decided just before, linked from the flash message."""
    shown = decided_message(session, msg, done) or message(msg)
    return _item_page(
        request,
        session,
        user,
        item_id,
        message=shown,
        message_style=message_style(msg),
        from_queue=from_queue,
        done=done,
    )


@router.post("/items/{item_id}/claim")
def claim(item_id: PathId, request: Request, session: DbSession, user: Editor) -> Response:
    """Claim or renew the claim (JSON for the page's script, a redirect for the button)."""
    wants_json = "application/json" in request.headers.get("accept", "")
    status = decisions.status_of(session, item_id)
    if status is None:
        raise HTTPException(404, "no such item")
    if status not in CLAIMABLE_STATUSES:
        refusal = f"This item is {status}: only an item waiting for a decision is claimed."
        if wants_json:
            return JSONResponse({"claimed": False, "message": refusal, "label": None}, status_code=409)
        return _item_page(request, session, user, item_id, error=refusal, status_code=409)
    try:
        until = queue.claim_item(session, item_id, user.name, address=address_of(request))
    except NotFound:
        raise HTTPException(404, "no such item") from None
    except queue.ClaimRefused as exc:
        session.rollback()
        if wants_json:
            label = claim_line(exc.claimed_by, exc.until) if exc.claimed_by and exc.until else str(exc)
            return JSONResponse(
                {"claimed": False, "claimed_by": exc.claimed_by, "message": str(exc), "label": label},
                status_code=409,
            )
        return _item_page(request, session, user, item_id, error=str(exc), status_code=409)
    session.commit()
    if wants_json:
        return JSONResponse(
            {
                "claimed": True,
                "until": until.isoformat().replace("+00:00", "Z"),
                "label": claim_line(user.name, until, user.name),
            }
        )
    return RedirectResponse(f"/items/{item_id}?msg=claimed", status_code=303)


@router.post("/items/{item_id}/release")
def release(item_id: PathId, session: DbSession, user: Editor) -> Response:
    """Give the item back to the queue."""
    queue.release_claim(session, item_id, user.name)
    session.commit()
    return RedirectResponse("/queue?msg=released", status_code=303)


@router.post("/items/{item_id}/decide", response_class=HTMLResponse)
async def decide(item_id: PathId, request: Request, session: DbSession, user: Editor) -> Response:
    """Approve, reject (with a reason from the select), defer or edit, at the revision the form was
    loaded with (1..2**63-1, else 400). Approve, reject and defer then open the next item of the queue
    the item came from (query ``queue``; `queue.claim_next` after this item), or that queue when
    none is left; an edit stays on the item. The edit form is pre-filled with the current values
    (`decisions.edits_from_form`); a refused edit shows the page again with the values the editor
    typed, the message beside the field it concerns, and (by the page's script) the item's address."""
    queue_raw = request.query_params.get("queue")
    form = await request.form()
    action = str(form.get("action", ""))
    revision = parse_db_int(form.get("revision"))
    if revision is None:
        raise HTTPException(400, "the form has no valid revision: reload the item")
    request_token = str(form.get("request_token", ""))[:64] or None
    reason = (str(form.get("reason", "")) or None) if action == "reject" else None
    criterion = (str(form.get("criterion", "")) or None) if action == "reject" else None
    if criterion is not None and criterion not in {c["id"] for c in criteria()}:
        raise HTTPException(400, "unknown publication criterion")
    edits: dict[str, Any] | None = None
    if action == "edit" or (action == "approve" and form.get("themes_field")):  # "Save and approve"
        try:
            current = decisions.item_detail(session, item_id)
        except NotFound:
            raise HTTPException(404, "no such item") from None
        edits = decisions.edits_from_form(
            current, {name: form.get(name, "") for name in decisions.HARVESTED_FIELD}
        )
        themes = [str(t) for t in form.getlist("editor_themes")]
        changed = set(themes) != set(current["effective"]["themes"] or [])
        if form.get("themes_field") and (current["editor_themes"] is not None or changed):
            edits["editor_themes"] = themes
    try:
        decision = decisions.decide(
            session,
            item_id,
            user.name,
            action,
            revision=revision,
            request_token=request_token,
            user_id=user.id,
            reason=reason,
            edits=edits,
            address=address_of(request),
            criterion=criterion,
        )
    except NotFound:
        raise HTTPException(404, "no such item") from None
    except (decisions.ReviewConflict, ValueError) as exc:
        session.rollback()
        status = 409 if isinstance(exc, decisions.ReviewConflict) else 400
        typed = _typed_edit_values(form) if edits is not None else None
        field_errors = {exc.field: str(exc)} if isinstance(exc, EditError | ApprovalRefused) else None
        error = f"The changes were not saved: {exc}" if typed is not None else str(exc)
        if isinstance(exc, ApprovalRefused):
            typed, error = _suggest_themes(session, item_id, typed, exc)
        return _item_page(
            request,
            session,
            user,
            item_id,
            error=error,
            status_code=status,
            from_queue=queue_raw,
            typed=typed,
            field_errors=field_errors,
        )
    filters, order, context = queue_context(session, queue_raw)
    if decision.repeated or decision.action == "edit":
        session.commit()
        log_decision(user, decision)
        key = "repeated" if decision.repeated else decision.action
        return RedirectResponse(item_link(item_id, context, msg=key), status_code=303)
    next_id = queue.claim_next(
        session, user.name, filters, order=order, after_item=item_id, address=address_of(request)
    )
    session.commit()
    log_decision(user, decision)
    if next_id is None:
        return RedirectResponse(f"/queue?{context}&done={item_id}&msg={decision.action}", status_code=303)
    return RedirectResponse(item_link(next_id, context, done=item_id, msg=decision.action), status_code=303)
