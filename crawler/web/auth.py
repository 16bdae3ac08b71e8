"""Authentication, sessions, CSRF and roles of the editors' desk (OWASP ASVS 4.0.3 level 2 parts).

- Passwords: argon2id via argon2-cffi, m = 19 MiB, t = 2, p = 1 (OWASP's minimum profile,
  RELIABILITY.md guard rail "Web"); 12 to 128 characters, any Unicode, spaces kept (ASVS 2.1.1-2.1.4).
  An unknown user is checked against a dummy hash so both failures take similar time and give the
  same message.
- Throttling: after `Settings.login_max_failures_per_hour` (100) failed logins of one account in an
  hour, from any addresses, the password is not even checked (ASVS 2.2.1); rows in login_attempts.
- Sessions: a random 256-bit token in the cookie ``__Host-ewsi_session; Secure; HttpOnly;
  SameSite=Lax; Path=/``; the database keeps only its SHA-256 (web_sessions.id). A new token at
  every login (ASVS 3.2.1), revoked at logout (3.3.1), idle timeout 30 min (3.3.2).
- CSRF: a synchronizer token per server-side session (web_sessions.csrf_secret) sent as the form
  field ``csrf_token`` or the header ``X-CSRF-Token``, compared in constant time, plus an Origin
  (else Referer) check against the request's own origin; the login form, which has no session yet,
  uses a double-submit cookie ``__Host-ewsi_login``. Every unsafe method of the desk's routers goes
  through `csrf_protect` (ASVS 4.2.2).
- Roles: `require_editor` (editor or admin) and `require_admin` guard every route (ASVS 4.1.1).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request, Response

from crawler.store import review as store
from crawler.web.deps import SESSION_COOKIE, DbSession, Settings, client_address, get_settings

LOGIN_COOKIE = "__Host-ewsi_login"
PASSWORD_MIN = 12
PASSWORD_MAX = 128
HASHER = PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)
"""argon2id with m=19 MiB, t=2, p=1 (OWASP Password Storage Cheat Sheet minimum)."""
_DUMMY_HASH = HASHER.hash("dummy password for timing equalisation")
LOGIN_FAILED = "Wrong user name or password."
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class PasswordPolicyError(ValueError):
    """The password breaks the length rule (12 to 128 characters)."""


def check_password_policy(password: str) -> None:
    """Raise `PasswordPolicyError` unless 12 <= len(password) <= 128 (code points; ASVS 2.1.1, 2.1.2)."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise PasswordPolicyError(f"a password needs {PASSWORD_MIN} to {PASSWORD_MAX} characters")


def hash_password(password: str) -> str:
    """The argon2id PHC string of `password` (``$argon2id$v=19$m=19456,t=2,p=1$...``), policy checked."""
    check_password_policy(password)
    return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; an absent hash is checked against a dummy one (same timing)."""
    try:
        return HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    """SHA-256 hex of a session token (what web_sessions.id keeps)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class CurrentUser:
    """The logged-in user of a request: id, name, role, csrf token and session id (token hash)."""

    id: int
    name: str
    role: str
    csrf_token: str
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


def login(
    session: store.Session,
    settings: Settings,
    username: str,
    password: str,
    address: str,
) -> tuple[str, CurrentUser] | str:
    """Check credentials and open a new server-side session.

    Returns (cookie token, user) or a message for the login form (`LOGIN_FAILED`, or a throttle
    message). Writes login_attempts and audit rows (``login``, ``login_failed``, ``login_throttled``)
    in the caller's transaction; never records the password.
    """
    username = username.strip()[:64]
    failures = store.login_failures(session, username)
    if failures >= settings.login_max_failures_per_hour:
        store.record_login_attempt(session, username, address, False)
        store.audit(session, username or "-", "login_throttled", object_type="user", address=address)
        return "Too many failed logins for this account: try again in an hour."
    user = store.get_user_by_name(session, username) if username else None
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.disabled:
        store.record_login_attempt(session, username, address, False)
        store.audit(session, username or "-", "login_failed", object_type="user", address=address)
        return LOGIN_FAILED
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    web = store.create_web_session(
        session,
        user.id,
        token_hash(token),
        csrf,
        absolute_timeout=timedelta(seconds=settings.session_absolute_timeout_s),
    )
    store.record_login_attempt(session, username, address, True)
    store.audit(session, user.name, "login", object_type="user", object_id=user.id, address=address)
    return token, CurrentUser(user.id, user.name, user.role, csrf, web.id, list(user.languages or []))


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
    current = CurrentUser(user.id, user.name, user.role, web.csrf_secret, web.id, list(user.languages or []))
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


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(request: Request, settings: Settings) -> bool:
    """True when the request's Origin (else Referer) is its own origin or a trusted one; requests with
    neither header (non-browser clients) pass, as the token still has to match."""
    own = f"{request.url.scheme}://{request.url.netloc}".lower()
    allowed = {own, *(o.lower() for o in settings.trusted_origins)}
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower() != "null" and origin.lower().rstrip("/") in allowed
    referer = request.headers.get("referer")
    if referer:
        return _origin_of(referer) in allowed
    return True


async def _sent_token(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def csrf_protect(
    request: Request,
    session: DbSession,
    settings: Annotated[Settings, Depends(get_settings)],
) -> None:
    """Router dependency: for POST/PUT/PATCH/DELETE, 403 unless the Origin check passes and the sent
    token equals the session's (or, for the login form, the login cookie's). Safe methods pass."""
    if request.method not in UNSAFE_METHODS:
        return
    if not origin_allowed(request, settings):
        raise HTTPException(403, "cross-origin request refused")
    sent = await _sent_token(request)
    if request.url.path == "/login":
        expected = request.cookies.get(LOGIN_COOKIE, "")
    else:
        user = optional_user(request, session)
        if user is None:
            raise LoginRequired(expired=False)
        expected = user.csrf_token
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


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
