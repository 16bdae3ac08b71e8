"""Desk pages of one item: the item page, claims, and decisions (approve, reject, defer, edit).

Rules: opening the page does not claim (the page's script, or the Claim button, POSTs the claim);
a claim held by another editor is 409 (JSON for the script, the page otherwise); a decision is made
at the revision the form was loaded with (1..2**63-1, else 400) and a stale one is 409 naming who
changed the item; a rejection's reason must be one of `crawler.store.decisions.REJECT_REASONS` (else
400, nothing stored), and for a contribution may name the publication criterion it failed
(``criterion``, an id of config/criteria.yaml, else 400), told to the contributor by mail; an
unknown item is 404; a repeated form (same request token) is recorded once.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from crawler.errors import NotFound
from crawler.store import decisions, queue, submissions
from crawler.store.schema import utcnow
from crawler.submissions import criteria
from crawler.types import CONTENT_TYPES, THEMES
from crawler.web.auth import CurrentUser, address_of
from crawler.web.deps import DbSession, PathId, parse_db_int
from crawler.web.desk import Editor, desk_router, log_decision, message, request_token
from crawler.web.templating import render

router = desk_router()

KEYBOARD = (
    ("a", "approve"),
    ("r", "reject (choose a reason, then Enter)"),
    ("d", "defer"),
    ("e", "edit title, summary, themes"),
    ("n", "next item in the queue"),
    ("q", "back to the queue"),
)


def _item_page(
    request: Request,
    session: Any,
    user: CurrentUser,
    item_id: int,
    *,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    try:
        item = decisions.item_detail(session, item_id)
    except NotFound:
        raise HTTPException(404, "no such item") from None
    now = utcnow()
    held_by_other = bool(
        item["claimed_by"]
        and item["claimed_by"] != user.name
        and item["claim_expires_at"]
        and item["claim_expires_at"] > now
    )
    return render(
        request,
        "item.html",
        {
            "item": item,
            "held_by_other": held_by_other,
            "themes": THEMES,
            "content_types": CONTENT_TYPES,
            "reject_reasons": decisions.REJECT_REASONS,
            "request_token": request_token(),
            "message": message,
            "error": error,
            "shortcuts": KEYBOARD,
            "lease_s": int(queue.CLAIM_LEASE.total_seconds()),
            "contributions": submissions.for_item(session, item_id),
            "criteria": criteria(),
        },
        status_code=status_code,
    )


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(
    item_id: PathId, request: Request, session: DbSession, user: Editor, msg: str | None = None
) -> Response:
    """The item: content, scores with evidence, history; the page's script claims it on load."""
    return _item_page(request, session, user, item_id, message=message(msg))


@router.post("/items/{item_id}/claim")
def claim(item_id: PathId, request: Request, session: DbSession, user: Editor) -> Response:
    """Claim or renew the claim (JSON for the page's script, a redirect for the button)."""
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        until = queue.claim_item(session, item_id, user.name, address=address_of(request))
    except NotFound:
        raise HTTPException(404, "no such item") from None
    except queue.ClaimRefused as exc:
        session.rollback()
        if wants_json:
            return JSONResponse(
                {"claimed": False, "claimed_by": exc.claimed_by, "message": str(exc)}, status_code=409
            )
        return _item_page(request, session, user, item_id, error=str(exc), status_code=409)
    session.commit()
    if wants_json:
        return JSONResponse({"claimed": True, "until": until.isoformat().replace("+00:00", "Z")})
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
    loaded with (1..2**63-1, else 400)."""
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
    if action == "edit":
        try:
            current = decisions.item_detail(session, item_id)
        except NotFound:
            raise HTTPException(404, "no such item") from None
        edits = {
            "editor_title": form.get("editor_title", ""),
            "editor_summary": form.get("editor_summary", ""),
            "editor_country": form.get("editor_country", ""),
            "editor_content_type": form.get("editor_content_type", ""),
        }
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
        return _item_page(request, session, user, item_id, error=str(exc), status_code=status)
    session.commit()
    log_decision(user, decision)
    key = "repeated" if decision.repeated else decision.action
    return RedirectResponse(f"/items/{item_id}?msg={key}", status_code=303)
