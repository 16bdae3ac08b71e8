"""Routes of the editors' desk: login, queue, item, decisions, history, sources, users, audit.

Every route checks the role it needs (`require_editor` or `require_admin`, ASVS 4.1.1) and every
unsafe method passes `csrf_protect` (router dependency, ASVS 4.2.2). GET never changes editorial
state (claims are POSTs sent by the item page's script, or by the "Claim" button without script).
Handlers that write commit before answering (crawler.web.deps).

Request values are checked at this edge (crawler.web.deps): ids and revisions must lie in 1..2**63-1
(`PathId`, `QueryId`, `parse_db_int`; else 400, or 404 when no row has that id), filter values and
names must not hold control characters (400), and a rejection's reason must be one of
`crawler.store.review.REJECT_REASONS`, the values of the reject select (else 400, nothing stored).
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from crawler.store import review as store
from crawler.store.schema import ITEM_STATUSES
from crawler.text import token_hash
from crawler.types import CONTENT_TYPES, THEMES
from crawler.web.app import render
from crawler.web.auth import (
    CurrentUser,
    Throttled,
    address_of,
    clear_csrf_cookie,
    clear_session_cookie,
    csrf_protect,
    forget_login_state,
    issue_csrf_cookie,
    live_user,
    login,
    optional_user,
    require_admin,
    require_editor,
    safe_next,
    set_session_cookie,
)
from crawler.web.deps import (
    SESSION_COOKIE,
    DbSession,
    PathId,
    QueryId,
    Settings,
    get_settings,
    has_controls,
    parse_db_int,
)
from crawler.web.logsafe import protect

log = protect(logging.getLogger(__name__))

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Editor = Annotated[CurrentUser, Depends(require_editor)]
Admin = Annotated[CurrentUser, Depends(require_admin)]
AppSettings = Annotated[Settings, Depends(get_settings)]

COUNTS_TTL_S = 30.0
"""Facet counts are cached per filter set for this long (they scan the whole filtered queue)."""
MESSAGES = {
    "approve": "Approved and published.",
    "reject": "Rejected; the item will not come back in later crawls.",
    "defer": "Deferred.",
    "edit": "Changes saved.",
    "repeated": "This form had already been submitted; it was recorded once.",
    "claimed": "You have claimed this item.",
    "released": "Claim released.",
    "saved": "View saved.",
    "empty": "No unclaimed item is waiting under these filters.",
}
KEYBOARD = (
    ("a", "approve"),
    ("r", "reject (choose a reason, then Enter)"),
    ("d", "defer"),
    ("e", "edit title, summary, themes"),
    ("n", "next item in the queue"),
    ("q", "back to the queue"),
)
QUEUE_KEYBOARD = (
    ("j / k", "move down / up"),
    ("o or Enter", "open the item"),
    ("x", "select for a bulk action"),
    ("Shift+A", "approve the selected items"),
    ("/", "filter by title words"),
)


def _request_token() -> str:
    return secrets.token_hex(16)


def _log_decision(user: CurrentUser, decision: store.Decision) -> None:
    """One log line per recorded decision. The title is harvested input: the logger's
    `ControlCharFilter` keeps it on this one line (ASVS 7.3.1)."""
    if decision.repeated:
        return
    reason = decision.reason
    fields = ", ".join(sorted(decision.changes)) if decision.changes else ""
    log.info(
        'decision %s on item %d "%s" by %s%s%s',
        decision.action,
        decision.item_id,
        decision.title or "",
        user.name,
        f" (reason: {reason})" if reason else "",
        f" (changed: {fields})" if fields else "",
    )


def _msg(key: str | None) -> str | None:
    return MESSAGES.get(key or "")


CONTROLS_REFUSED = "Filter values and names must not contain control characters."


def _query_dict(request: Request) -> dict[str, Any]:
    """The query's non-empty values (lists for the multi-value filters); HTTPException 400 when a
    key or value holds a control character (`has_controls`)."""
    out: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if has_controls(key) or has_controls(value):
            raise HTTPException(400, CONTROLS_REFUSED)
        if value == "":
            continue
        out.setdefault(key, []).append(value)
    return {
        k: v if len(v) > 1 or k in ("language", "country", "source", "theme", "content_type") else v[0]
        for k, v in out.items()
    }


# --- login -----------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home() -> Response:
    """The desk starts at the queue."""
    return RedirectResponse("/queue", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, session: DbSession, next: str | None = None) -> Response:
    """The login form, with a CSRF token (and cookie) bound to the current login state."""
    live_user(request, session)
    return render(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/queue",
) -> Response:
    """Check the password (throttled), rotate the session: a new session cookie and a new CSRF
    token at every login; the previous session of this browser ends whatever the outcome."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        store.revoke_web_session(session, token_hash(old))
        forget_login_state(request)
    outcome = login(session, settings, username, password, address_of(request))
    session.commit()
    if isinstance(outcome, Throttled):
        page = render(
            request, "login.html", {"next": safe_next(next), "error": outcome.message}, status_code=429
        )
        page.headers["Retry-After"] = str(outcome.retry_after_s)
        return page
    if isinstance(outcome, str):
        return render(request, "login.html", {"next": safe_next(next), "error": outcome}, status_code=401)
    cookie, user = outcome
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, cookie)
    issue_csrf_cookie(request, response, user.session_id)
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession, user: Editor) -> Response:
    """End the session server-side (the old cookie no longer works) and in the browser."""
    store.revoke_web_session(session, user.session_id)
    store.audit(
        session, user.name, "logout", object_type="user", object_id=user.id, address=address_of(request)
    )
    session.commit()
    log.info("logout of %s", user.name)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    clear_csrf_cookie(response)
    return response


# --- queue -------------------------------------------------------------------------------------------


@router.get("/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    session: DbSession,
    user: Editor,
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The queue: filters, priority order, keyset pages, saved views, bulk actions; 400 for a
    malformed ``after`` cursor (pass the next-page link unchanged)."""
    query = _query_dict(request)
    query.pop("after", None)
    msg = query.pop("msg", None)
    filters = store.QueueFilters.from_query(query)
    try:
        rows, next_cursor = store.queue_page(
            session, filters, after=after, limit=request.app.state.settings.page_size
        )
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    filter_query = urlencode(filters.to_query(), doseq=True)
    return render(
        request,
        "queue.html",
        {
            "rows": rows,
            "filters": filters,
            "filter_query": filter_query,
            "next_url": f"/queue?{filter_query}&after={next_cursor}" if next_cursor else None,
            "views": [
                {**v, "url": "/queue?" + urlencode(v["query"], doseq=True)}
                for v in store.saved_views(session, user.id)
            ],
            "statuses": ("any", *ITEM_STATUSES),
            "themes": THEMES,
            "content_types": CONTENT_TYPES,
            "reject_reasons": store.REJECT_REASONS,
            "request_token": _request_token(),
            "message": _msg(msg if isinstance(msg, str) else None),
            "shortcuts": QUEUE_KEYBOARD,
        },
    )


@router.get("/queue/counts", response_class=HTMLResponse)
def queue_counts(request: Request, session: DbSession, user: Editor) -> Response:
    """Counts per filter value under the other filters (an HTML fragment the queue page loads);
    each count stops at `Settings.count_cap` ("1,000+"), and is cached per filter set for 30 s."""
    filters = store.QueueFilters.from_query(_query_dict(request))
    key = repr(filters)
    cache: dict[str, tuple[float, Any]] = request.app.state.counts_cache
    hit = cache.get(key)
    if hit is None or time.monotonic() - hit[0] > COUNTS_TTL_S:
        if len(cache) > 500:
            cache.clear()
        cap = request.app.state.settings.count_cap
        hit = cache[key] = (time.monotonic(), store.queue_counts(session, filters, cap=cap))
    return render(request, "counts.html", {"counts": hit[1], "filters": filters})


@router.post("/queue/next")
def queue_next(request: Request, session: DbSession, user: Editor) -> Response:
    """Claim the next unclaimed item under the queue's filters and open it."""
    filters = store.QueueFilters.from_query(_query_dict(request))
    item_id = store.claim_next(session, user.name, filters, address=address_of(request))
    session.commit()
    if item_id is None:
        return RedirectResponse(
            f"/queue?{urlencode(filters.to_query(), doseq=True)}&msg=empty", status_code=303
        )
    return RedirectResponse(f"/items/{item_id}", status_code=303)


@router.post("/queue/bulk", response_class=HTMLResponse)
async def queue_bulk(request: Request, session: DbSession, user: Editor) -> Response:
    """Approve or reject the selected items (fields ``item`` = ``id:revision``, both 1..2**63-1;
    anything else is a 400, as is a rejection reason that is not one of `store.REJECT_REASONS`)."""
    form = await request.form()
    action = str(form.get("action", ""))
    if action not in ("approve", "reject"):
        raise HTTPException(400, "bulk action must be approve or reject")
    pairs: list[tuple[int, int]] = []
    for raw in form.getlist("item"):
        item_s, _, revision_s = str(raw).partition(":")
        item_id, revision = parse_db_int(item_s), parse_db_int(revision_s)
        if item_id is None or revision is None:
            raise HTTPException(400, "each selected item must be sent as id:revision (whole numbers)")
        pairs.append((item_id, revision))
    reason = (str(form.get("reason", "")) or None) if action == "reject" else None
    token = str(form.get("request_token", "")) or _request_token()
    try:
        done, refused = store.bulk_decide(
            session,
            pairs,
            user.name,
            action,
            request_token=token,
            user_id=user.id,
            reason=reason,
            address=address_of(request),
        )
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    session.commit()
    for decision in done:
        _log_decision(user, decision)
    back = str(form.get("back", "")) or "/queue"
    return render(
        request,
        "bulk.html",
        {"done": done, "refused": refused, "action": action, "back": safe_next(back)},
        status_code=200 if not refused or done else 409,
    )


@router.post("/views")
async def save_view(request: Request, session: DbSession, user: Editor) -> Response:
    """Save the submitted filters under a name for this editor."""
    form = await request.form()
    query: dict[str, Any] = {}
    for key, value in form.multi_items():
        if has_controls(key) or has_controls(str(value)):
            raise HTTPException(400, CONTROLS_REFUSED)
        if key in ("csrf_token", "name") or value == "":
            continue
        query.setdefault(key, []).append(str(value))
    filters = store.QueueFilters.from_query(query)
    try:
        store.save_view(session, user.id, str(form.get("name", "")), filters.to_query())
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    session.commit()
    return RedirectResponse(f"/queue?{urlencode(filters.to_query(), doseq=True)}&msg=saved", status_code=303)


@router.post("/views/{view_id}/delete")
def delete_view(view_id: PathId, session: DbSession, user: Editor) -> Response:
    """Delete one of the editor's saved views."""
    if not store.delete_saved_view(session, user.id, view_id):
        raise HTTPException(404, "no such view")
    session.commit()
    return RedirectResponse("/queue", status_code=303)


# --- item --------------------------------------------------------------------------------------------


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
        item = store.item_detail(session, item_id)
    except store.NotFound:
        raise HTTPException(404, "no such item") from None
    from crawler.store.schema import utcnow

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
            "reject_reasons": store.REJECT_REASONS,
            "request_token": _request_token(),
            "message": message,
            "error": error,
            "shortcuts": KEYBOARD,
            "lease_s": int(store.CLAIM_LEASE.total_seconds()),
        },
        status_code=status_code,
    )


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(
    item_id: PathId, request: Request, session: DbSession, user: Editor, msg: str | None = None
) -> Response:
    """The item: content, scores with evidence, history; the page's script claims it on load."""
    return _item_page(request, session, user, item_id, message=_msg(msg))


@router.post("/items/{item_id}/claim")
def claim(item_id: PathId, request: Request, session: DbSession, user: Editor) -> Response:
    """Claim or renew the claim (JSON for the page's script, a redirect for the button)."""
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        until = store.claim_item(session, item_id, user.name, address=address_of(request))
    except store.NotFound:
        raise HTTPException(404, "no such item") from None
    except store.ClaimRefused as exc:
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
    store.release_claim(session, item_id, user.name)
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
    edits: dict[str, Any] | None = None
    if action == "edit":
        try:
            current = store.item_detail(session, item_id)
        except store.NotFound:
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
        decision = store.decide(
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
        )
    except store.NotFound:
        raise HTTPException(404, "no such item") from None
    except (store.ReviewConflict, ValueError) as exc:
        session.rollback()
        status = 409 if isinstance(exc, store.ReviewConflict) else 400
        return _item_page(request, session, user, item_id, error=str(exc), status_code=status)
    session.commit()
    _log_decision(user, decision)
    key = "repeated" if decision.repeated else decision.action
    return RedirectResponse(f"/items/{item_id}?msg={key}", status_code=303)


# --- history, sources, admin --------------------------------------------------------------------------


@router.get("/history", response_class=HTMLResponse)
def history(request: Request, session: DbSession, user: Editor, item: QueryId = None) -> Response:
    """Recent review decisions (all items, or one with ``?item=``), newest first."""
    rows = store.recent_decisions(session, item_id=item, limit=200)
    return render(request, "history.html", {"rows": rows, "item_id": item})


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request, session: DbSession, user: Editor) -> Response:
    """Health of every source, items per source and the editorial yield."""
    return render(request, "sources.html", {"rows": store.source_yield(session)})


@router.post("/admin/sources/{source_id}")
async def source_change(source_id: str, request: Request, session: DbSession, user: Admin) -> Response:
    """Enable or disable a source (admins); 404 for an unknown id (or one no source can have)."""
    if len(source_id) > 64 or has_controls(source_id):
        raise HTTPException(404, "no such source")
    form = await request.form()
    enabled = str(form.get("enabled", "")) == "true"
    try:
        store.set_source_enabled(session, user.name, source_id, enabled, address=address_of(request))
    except store.NotFound:
        raise HTTPException(404, "no such source") from None
    session.commit()
    return RedirectResponse("/sources", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, session: DbSession, user: Admin) -> Response:
    """Accounts and roles (admins)."""
    return render(
        request, "users.html", {"users": store.list_users(session), "roles": store.ROLES, "error": None}
    )


@router.post("/admin/users/{user_id}/role")
async def change_role(user_id: PathId, request: Request, session: DbSession, user: Admin) -> Response:
    """Change a user's role (admins); their sessions end."""
    form = await request.form()
    try:
        store.set_role(session, user.name, user_id, str(form.get("role", "")), address=address_of(request))
    except store.NotFound:
        raise HTTPException(404, "no such user") from None
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    session.commit()
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_view(request: Request, session: DbSession, user: Admin, before: QueryId = None) -> Response:
    """The audit log, newest first (admins)."""
    rows = store.audit_entries(session, limit=100, before_id=before)
    return render(request, "audit.html", {"rows": rows})


@router.get("/whoami")
def whoami(user: Annotated[CurrentUser | None, Depends(optional_user)]) -> JSONResponse:
    """The logged-in user's name and role (for scripts and tests), or 401."""
    if user is None:
        return JSONResponse({"error": "unauthorized"}, status_code=401)
    return JSONResponse({"name": user.name, "role": user.role})
