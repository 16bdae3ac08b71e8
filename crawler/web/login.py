"""Desk pages of the session: the start page, login, logout and ``/whoami``.

Rules: the login form posts through the CSRF check like every unsafe route; each login attempt
(success or failure) ends the browser's previous session and rotates the session cookie and the
CSRF token (crawler.web.auth, crawler.web.csrf); a throttled login is 429 with Retry-After, a
failed one 401, both on the login page; ``next`` is followed only when it is a same-site relative
path (`safe_next`). Logout revokes the session server-side before clearing the cookies.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from crawler.store import review as store
from crawler.web.auth import (
    CurrentUser,
    Throttled,
    address_of,
    clear_session_cookie,
    live_user,
    login,
    optional_user,
    safe_next,
    set_session_cookie,
    token_hash,
)
from crawler.web.csrf import clear_csrf_cookie, forget_login_state, issue_csrf_cookie
from crawler.web.deps import SESSION_COOKIE, DbSession
from crawler.web.desk import AppSettings, Editor, desk_router
from crawler.web.logsafe import protect
from crawler.web.templating import render

log = protect(logging.getLogger(__name__))

router = desk_router()


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


@router.get("/whoami")
def whoami(user: Annotated[CurrentUser | None, Depends(optional_user)]) -> JSONResponse:
    """The logged-in user's name and role (for scripts and tests), or 401."""
    if user is None:
        return JSONResponse({"error": "unauthorized"}, status_code=401)
    return JSONResponse({"name": user.name, "role": user.role})
