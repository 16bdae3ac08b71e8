"""Authentication, sessions, CSRF and roles of the editors' desk (OWASP ASVS 4.0.3 level 2 parts).

- Passwords: argon2id via argon2-cffi, m = 19 MiB, t = 2, p = 1 (OWASP's minimum profile,
  RELIABILITY.md guard rail "Web"); 12 to 128 characters, any Unicode, spaces kept (ASVS 2.1.1-2.1.4).
  An unknown user is checked against a dummy hash so both failures take similar time and give the
  same message.
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
- CSRF (ASVS 4.2.2): fastapi-csrf-protect's signed double-submit cookie (its ``flexible``
  `CsrfProtect`: the token is read from the header ``X-CSRF-Token``, else the form field
  ``csrf_token``). The cookie ``__Host-ewsi_csrf; Secure; HttpOnly; SameSite=Lax; Path=/`` holds the
  token signed (itsdangerous, HMAC-SHA1, timestamped, 24 h) with a key bound to the request's login
  state: the application secret (``EWSI_SECRET_KEY``, else one generated once and kept in the
  database's app_secrets, so every server process agrees) plus ``|session:<session id>`` for a
  logged-in user, ``|login`` before login. A token therefore works only with the cookie it was issued
  with and only in the session it was issued for; it is rotated at login and dropped at logout, and
  stays the same for the whole session otherwise (several open tabs keep working). In addition the
  Origin (else Referer) header must be the request's own origin or a trusted one. Every unsafe method
  of the desk's router goes through `csrf_protect` (router dependency), the login form included.
- Roles: `require_editor` (editor or admin) and `require_admin` guard every route (ASVS 4.1.1).
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

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request, Response
from fastapi_csrf_protect.exceptions import CsrfProtectError
from fastapi_csrf_protect.flexible import CsrfProtect
from itsdangerous import BadData, URLSafeTimedSerializer

from crawler.errors import LoginRequired, PasswordPolicyError
from crawler.store import review as store
from crawler.web.deps import SESSION_COOKIE, DbSession, Settings, client_address, get_settings, has_controls
from crawler.web.logsafe import protect

log = protect(logging.getLogger(__name__))

CSRF_COOKIE = "__Host-ewsi_csrf"
"""The CSRF cookie (``__Host-``: Secure, Path=/, no Domain, so no sibling host can plant one)."""
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSRF_MAX_AGE_S = 24 * 3600
"""Lifetime of a CSRF token and its cookie: twice the 12-h absolute session timeout, so a token
issued at login outlives its session."""
CSRF_REISSUE_AFTER_S = CSRF_MAX_AGE_S // 2
"""A page rendered with a token older than this gets a fresh one (only pre-login tokens get there)."""
CSRF_LIBRARY_SALT = "fastapi-csrf-token"
"""The itsdangerous salt fastapi-csrf-protect 1.0 signs its cookie with (tests check the round trip);
`csrf_token_for` reads the token back from a valid cookie to reuse it."""
CSRF_REFUSED = "missing or wrong CSRF token: reload the page and try again"


@CsrfProtect.load_config
def _csrf_config() -> list[tuple[str, Any]]:
    """fastapi-csrf-protect settings (class-wide; the signing key is passed per request)."""
    return [
        ("cookie_key", CSRF_COOKIE),
        ("cookie_path", "/"),
        ("cookie_samesite", "lax"),
        ("cookie_secure", True),
        ("httponly", True),
        ("header_name", CSRF_HEADER),
        ("token_key", CSRF_FIELD),
        ("max_age", CSRF_MAX_AGE_S),
    ]


PASSWORD_MIN = 12
PASSWORD_MAX = 128
HASHER = PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)
"""argon2id with m=19 MiB, t=2, p=1 (OWASP Password Storage Cheat Sheet minimum)."""
_DUMMY_HASH = HASHER.hash("dummy password for timing equalisation")
LOGIN_FAILED = "Wrong user name or password."
THROTTLED = "Too many failed logins: please wait before trying again."
"""The message of every throttled login, whichever limit was reached (module docstring)."""
UNKNOWN_ACTOR = "(unknown user)"
"""Actor of audit rows and log lines for a login under a name that is no account (ASVS 7.1.1)."""
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(request: Request, settings: Settings) -> bool:
    """True when the request's Origin (else Referer) is its own origin or a trusted one; requests with
    neither header (non-browser clients) pass, as the CSRF token still has to match."""
    own = f"{request.url.scheme}://{request.url.netloc}".lower()
    allowed = {own, *(o.lower() for o in settings.trusted_origins)}
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower() != "null" and origin.lower().rstrip("/") in allowed
    referer = request.headers.get("referer")
    if referer:
        return _origin_of(referer) in allowed
    return True


def application_secret(request: Request) -> str:
    """The key CSRF signatures derive from: ``EWSI_SECRET_KEY`` (`Settings.secret_key`) or the
    ``csrf`` row of app_secrets, created on first use in its own committed transaction; cached on
    the app. Raises the store's database errors (the app answers 503) when it must be read and the
    database is down."""
    app_state = request.app.state
    secret: str | None = getattr(app_state, "application_secret", None)
    if secret:
        return secret
    settings: Settings = app_state.settings
    if settings.secret_key:
        secret = settings.secret_key
    else:
        with app_state.session_factory() as session:
            secret = store.app_secret(session, "csrf")
            session.commit()
    app_state.application_secret = secret
    return secret


def csrf_signing_key(request: Request) -> str:
    """The key of this request's CSRF signatures: the application secret bound to the session of
    ``request.state.user`` (``|session:<id>``), or ``|login`` when nobody is logged in."""
    user: CurrentUser | None = getattr(request.state, "user", None)
    scope = f"session:{user.session_id}" if user is not None else "login"
    return f"{application_secret(request)}|{scope}"


def _token_in_cookie(request: Request, key: str) -> str | None:
    signed = request.cookies.get(CSRF_COOKIE)
    if not signed:
        return None
    serializer = URLSafeTimedSerializer(key, salt=CSRF_LIBRARY_SALT)
    try:
        token = serializer.loads(signed, max_age=CSRF_REISSUE_AFTER_S)
    except BadData:
        return None
    return token if isinstance(token, str) and token else None


def csrf_token_for(request: Request) -> str:
    """The CSRF token to put in this request's page (form field ``csrf_token``, meta ``csrf-token``).

    Reuses the token of a valid cookie signed with this request's key (`csrf_signing_key`) younger
    than `CSRF_REISSUE_AFTER_S`; else generates a pair with `CsrfProtect.generate_csrf_tokens` and
    leaves the signed half in ``request.state.csrf_cookie`` for `set_pending_csrf_cookie`.
    """
    cached: str | None = getattr(request.state, "csrf_token", None)
    if cached:
        return cached
    key = csrf_signing_key(request)
    token = _token_in_cookie(request, key)
    if token is None:
        token, signed = CsrfProtect().generate_csrf_tokens(key)
        request.state.csrf_cookie = signed
    request.state.csrf_token = token
    return token


def set_pending_csrf_cookie(request: Request, response: Response) -> None:
    """Set the CSRF cookie on `response` when `csrf_token_for` generated a new token for it."""
    signed: str | None = getattr(request.state, "csrf_cookie", None)
    if signed:
        CsrfProtect().set_csrf_cookie(signed, response)


def issue_csrf_cookie(request: Request, response: Response, session_id: str) -> None:
    """At login: a new token bound to the new session `session_id`, set on `response` (rotation)."""
    key = f"{application_secret(request)}|session:{session_id}"
    _token, signed = CsrfProtect().generate_csrf_tokens(key)
    CsrfProtect().set_csrf_cookie(signed, response)


def clear_csrf_cookie(response: Response) -> None:
    """At logout: expire the CSRF cookie in the browser."""
    CsrfProtect().unset_csrf_cookie(response)


def forget_login_state(request: Request) -> None:
    """Drop this request's cached user and CSRF token (after its session was revoked), so a page
    rendered next gets a pre-login token."""
    for name in ("user", "csrf_token", "csrf_cookie"):
        if hasattr(request.state, name):
            delattr(request.state, name)


def live_user(request: Request, session: Any) -> CurrentUser | None:
    """`optional_user`, but None instead of `LoginRequired` for a dead session cookie (login page)."""
    try:
        return optional_user(request, session)
    except LoginRequired:
        return None


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def csrf_protect(
    request: Request,
    session: DbSession,
    settings: Annotated[Settings, Depends(get_settings)],
    csrf: Annotated[CsrfProtect, Depends()],
) -> None:
    """Router dependency: for POST/PUT/PATCH/DELETE, 403 unless the Origin check passes and
    fastapi-csrf-protect validates the sent token (header ``X-CSRF-Token``, else form field
    ``csrf_token``) against the ``__Host-ewsi_csrf`` cookie under this request's signing key
    (`csrf_signing_key`). Outside /login a request without a live session gets `LoginRequired`
    first. Safe methods pass."""
    if request.method not in UNSAFE_METHODS:
        return
    if not origin_allowed(request, settings):
        raise HTTPException(403, "cross-origin request refused")
    if request.url.path == "/login":
        live_user(request, session)
    elif optional_user(request, session) is None:
        raise LoginRequired(expired=False)
    if request.headers.get("content-type", "").startswith(_FORM_TYPES):
        await request.form()  # parsed once and cached: the library reads the field from it
    try:
        await csrf.validate_csrf(request, secret_key=csrf_signing_key(request), time_limit=CSRF_MAX_AGE_S)
    except (CsrfProtectError, ValueError):
        # ValueError: the library's fallback body parser fails on bodies that are not a form
        raise HTTPException(403, CSRF_REFUSED) from None


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
