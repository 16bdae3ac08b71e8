"""Logins, sessions and roles of the editors' desk (OWASP ASVS 4.0.3 level 2 parts).

- Login (`login`): the password is checked (crawler.web.passwords) unless a throttle limit is
  reached; an unknown user gets the same message as a wrong password (`LOGIN_FAILED`).
- Throttling (ASVS 2.2.1, rows in login_attempts; `Settings` holds the numbers): a login is refused
  before its password is checked when, in a rolling window, there were already
  10 failed logins of that account from that client address in 15 minutes, or
  50 failed logins from that address over all accounts in an hour, or
  100 failed logins of that account from all addresses together in an hour (the last line against
  an attacker who spreads guesses over many addresses). A successful login of the account
  restarts its counts (the per-address one only for a success from that address); the per-address
  count over all accounts never restarts early.
  Every refusal is ``429`` with ``Retry-After`` (seconds until the oldest counted failure leaves
  its window) and one neutral message (`THROTTLED`); refusals are audited (``login_throttled``)
  but not counted as failures. So one address can try at most 10 passwords per 15 minutes on an
  account and 50 per hour in all, and a mistyping editor is not locked out by a stranger guessing
  from elsewhere. Remaining trade-off: an attacker with many addresses who knows a user name can
  still make 100 failures in an hour and so lock that account for up to an hour.
- Sessions: a random 256-bit token in the cookie ``__Host-ewsi_session; Secure; HttpOnly;
  SameSite=Lax; Path=/``; the database keeps only its SHA-256 (web_sessions.id). A new token at
  every login (ASVS 3.2.1), revoked at logout (3.3.1), idle timeout 30 min (3.3.2).
- Roles: `require_editor` (editor or admin) and `require_admin` guard every route (ASVS 4.1.1).
- After login, redirects go only to same-site relative paths (`safe_next`, ASVS 5.1.5).
CSRF is crawler.web.csrf; password hashing is crawler.web.passwords.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, Response

from crawler.store import review as store
from crawler.web.deps import SESSION_COOKIE, DbSession, Settings, client_address, has_controls
from crawler.web.logsafe import protect
from crawler.web.passwords import HASHER, verify_password

log = protect(logging.getLogger(__name__))

LOGIN_FAILED = "Wrong user name or password."
THROTTLED = "Too many failed logins: please wait before trying again."
"""The message of every throttled login, whichever limit was reached (module docstring)."""
UNKNOWN_ACTOR = "(unknown user)"
"""Actor of audit rows and log lines for a login under a name that is no account (ASVS 7.1.1)."""


def token_hash(token: str) -> str:
    """SHA-256 hex of a session token (what web_sessions.id keeps)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class CurrentUser:
    """The logged-in user of a request: id, name, role, session id (token hash), languages."""

    id: int
    name: str
    role: str
    session_id: str
    languages: list[str]

    @property
    def is_admin(self) -> bool:
        """True for the admin role."""
        return self.role == "admin"


class LoginRequired(Exception):
    """No live session. `expired` = a cookie was sent but its session is unknown, revoked or idle."""

    def __init__(self, expired: bool) -> None:
        super().__init__("login required")
        self.expired = expired


def set_session_cookie(response: Response, token: str) -> None:
    """Set ``__Host-ewsi_session`` (Secure, HttpOnly, SameSite=Lax, Path=/; a browser-session cookie)."""
    response.set_cookie(SESSION_COOKIE, token, path="/", secure=True, httponly=True, samesite="lax")


def clear_session_cookie(response: Response) -> None:
    """Expire the session cookie in the browser."""
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="lax")


@dataclass(frozen=True)
class Throttled:
    """A login refused by the throttle: `message` (always `THROTTLED`) and `retry_after_s`, whole
    seconds until the oldest counted failure of the reached limit leaves its window (at least 1)."""

    retry_after_s: int
    message: str = THROTTLED


def login_throttle(
    session: store.Session, settings: Settings, username: str, address: str
) -> tuple[str, int] | None:
    """The reached login limit as (scope, whole seconds to wait), or None when a password may be
    checked. Scopes: ``account_address``, ``address``, ``account`` (module docstring, `Settings`);
    when several are reached, the one with the longest wait."""
    scopes = (
        ("account_address", settings.login_limit_account_address, username, address),
        ("address", settings.login_limit_address, None, address),
        ("account", settings.login_limit_account, username, None),
    )
    worst: tuple[str, int] | None = None
    for scope, limit, name, addr in scopes:
        wait = store.login_wait(
            session,
            name,
            address=addr,
            limit=limit.max_failures,
            window=timedelta(seconds=limit.window_s),
        )
        if wait is not None:
            seconds = max(1, math.ceil(wait.total_seconds()))
            if worst is None or seconds > worst[1]:
                worst = (scope, seconds)
    return worst


def login(
    session: store.Session,
    settings: Settings,
    username: str,
    password: str,
    address: str,
) -> tuple[str, CurrentUser] | Throttled | str:
    """Check credentials and open a new server-side session.

    Returns (cookie token, user), `Throttled` when a login limit is reached (the password is then
    not checked), or `LOGIN_FAILED` for the login form. Writes login_attempts (failures and
    successes; throttled attempts are not counted) and audit rows (``login``, ``login_failed``,
    ``login_throttled`` with the reached scope) in the caller's transaction and logs one line; never
    records the password. A name that is no account (often a password typed into the wrong field)
    is kept out of the audit log and the log (actor `UNKNOWN_ACTOR`); login_attempts keeps it for
    the throttle only.
    """
    username = username.strip()[:64]
    # a name with a control character is no account (the column type drops NULs from bound values,
    # so "al\x00ice" would otherwise find alice)
    user = store.get_user_by_name(session, username) if username and not has_controls(username) else None
    actor = user.name if user is not None else UNKNOWN_ACTOR
    reached = login_throttle(session, settings, username, address)
    if reached is not None:
        scope, seconds = reached
        store.audit(
            session,
            actor,
            "login_throttled",
            object_type="user",
            address=address,
            detail={"scope": scope, "retry_after_s": seconds},
        )
        log.warning("login throttled (%s) for %s from %s", scope, actor, address)
        return Throttled(seconds)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.disabled:
        store.record_login_attempt(session, username, address, False)
        store.audit(session, actor, "login_failed", object_type="user", address=address)
        log.info("login failed for %s from %s", actor, address)
        return LOGIN_FAILED
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    token = secrets.token_urlsafe(32)
    web = store.create_web_session(
        session,
        user.id,
        token_hash(token),
        absolute_timeout=timedelta(seconds=settings.session_absolute_timeout_s),
    )
    store.record_login_attempt(session, username, address, True)
    store.audit(session, user.name, "login", object_type="user", object_id=user.id, address=address)
    log.info("login of %s from %s", user.name, address)
    return token, CurrentUser(user.id, user.name, user.role, web.id, list(user.languages or []))


def optional_user(request: Request, session: DbSession) -> CurrentUser | None:
    """The request's user from its session cookie, or None; raises `LoginRequired(expired=True)` when a
    cookie is sent whose session is dead (revoked, expired or idle: replaying it gives 401)."""
    cached = getattr(request.state, "user", None)
    if cached is not None:
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    settings: Settings = request.app.state.settings
    found = store.load_web_session(
        session, token_hash(token), idle_timeout=timedelta(seconds=settings.session_idle_timeout_s)
    )
    if found is None:
        raise LoginRequired(expired=True)
    web, user = found
    session.commit()  # the last_seen_at touch, so the idle clock restarts even on read-only pages
    current = CurrentUser(user.id, user.name, user.role, web.id, list(user.languages or []))
    request.state.user = current
    return current


def require_user(user: Annotated[CurrentUser | None, Depends(optional_user)]) -> CurrentUser:
    """Dependency: the logged-in user, else `LoginRequired` (redirect to login for GET, else 401)."""
    if user is None:
        raise LoginRequired(expired=False)
    return user


def require_editor(user: Annotated[CurrentUser, Depends(require_user)]) -> CurrentUser:
    """Dependency: an editor or admin (both judge items)."""
    if user.role not in ("editor", "admin"):
        raise HTTPException(403, "editors only")
    return user


def require_admin(user: Annotated[CurrentUser, Depends(require_user)]) -> CurrentUser:
    """Dependency: an admin (manages users and sources); others get 403."""
    if user.role != "admin":
        raise HTTPException(403, "admins only")
    return user


def live_user(request: Request, session: Any) -> CurrentUser | None:
    """`optional_user`, but None instead of `LoginRequired` for a dead session cookie (login page)."""
    try:
        return optional_user(request, session)
    except LoginRequired:
        return None


def safe_next(value: str | None) -> str:
    """`value` if it is a same-site relative path (``/queue?x=1``), else ``/queue`` (ASVS 5.1.5)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/queue"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in value):
        return "/queue"
    return value


def address_of(request: Request) -> str:
    """Client address for audit rows and login attempts."""
    return client_address(request)
