"""Desk pages of oversight and administration: decision history, sources, users and roles, audit log.

Rules: history and sources are for editors; enabling a source, changing a role and reading the
audit log are for admins (others get 403). A source id longer than 64 characters or holding a
control character is 404 like an unknown one; an unknown user is 404 and an unknown role 400. A
changed role ends that user's sessions (crawler.store.review.set_role).
"""

from __future__ import annotations

from fastapi import HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from crawler.store import review as store
from crawler.web.auth import address_of
from crawler.web.deps import DbSession, PathId, QueryId, has_controls
from crawler.web.desk import Admin, Editor, desk_router
from crawler.web.templating import render

router = desk_router()


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
