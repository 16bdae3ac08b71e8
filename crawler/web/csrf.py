"""CSRF protection of the desk (ASVS 4.2.2): signed double-submit cookie plus an Origin check.

- fastapi-csrf-protect's signed double-submit cookie (its ``flexible`` `CsrfProtect`: the token is
  read from the header ``X-CSRF-Token``, else the form field ``csrf_token``). The cookie
  ``__Host-ewsi_csrf; Secure; HttpOnly; SameSite=Lax; Path=/`` holds the token signed (itsdangerous,
  HMAC-SHA1, timestamped, 24 h) with a key bound to the request's login state: the application
  secret (``EWSI_SECRET_KEY``, else one generated once and kept in the database's app_secrets, so
  every server process agrees; crawler.web.appsecret loads it before a request's session opens)
  plus ``|session:<session id>`` for a logged-in user, ``|login`` before login. A token therefore
  works only with the cookie it was issued with and only in the session it was issued for; it is
  rotated at login and dropped at logout, and stays the same for the whole session otherwise
  (several open tabs keep working).
- The Origin (else Referer) header must be the request's own origin or a trusted one
  (`Settings.trusted_origins`).
- Every unsafe method of the desk's routers goes through `csrf_protect` (router dependency), the
  login form included; a refusal is 403 with `CSRF_REFUSED`.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, Response
from fastapi_csrf_protect.exceptions import CsrfProtectError
from fastapi_csrf_protect.flexible import CsrfProtect
from itsdangerous import BadData, URLSafeTimedSerializer

from crawler.web.appsecret import load_application_secret
from crawler.web.auth import CurrentUser, LoginRequired, live_user, optional_user
from crawler.web.deps import DbSession, Settings, get_settings

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
PUBLIC_FORMS: tuple[str, ...] = ("/login", "/submit")
"""Forms posted without a login (their tokens are signed with the pre-login key)."""
PUBLIC_FORM_PREFIXES: tuple[str, ...] = ("/submit/amend/",)
"""Paths under which forms are posted without a login too (a contributor's amend link)."""
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


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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
    """The key CSRF signatures derive from: ``EWSI_SECRET_KEY`` or the generated one kept in the
    database (`crawler.web.appsecret.load_application_secret`: loaded before the request's session
    opens, cached on the app). Raises the store's database errors (503) when the database is down."""
    return load_application_secret(request.app.state)


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
    (`csrf_signing_key`). Outside `PUBLIC_FORMS` a request without a live session gets `LoginRequired`
    first. Safe methods pass."""
    if request.method not in UNSAFE_METHODS:
        return
    if not origin_allowed(request, settings):
        raise HTTPException(403, "cross-origin request refused")
    if request.url.path in PUBLIC_FORMS or request.url.path.startswith(PUBLIC_FORM_PREFIXES):
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
