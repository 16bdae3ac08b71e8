"""The small, stable contract every router of the web app relies on (review desk and portal).

`crawler.web.app.create_app` builds one `Settings` and one session factory per app and keeps them on
``app.state``; routers read them only through the functions here, so a test app (``testing=True``)
and the served app behave the same.

Use in a router::

    from fastapi import APIRouter, Depends
    from crawler.web.deps import DbSession, Settings, get_settings

    router = APIRouter()

    @router.get("/api/v1/items")
    def items(session: DbSession, settings: Settings = Depends(get_settings)) -> dict: ...

Transactions: the session from `get_session` is opened per request and is NEVER committed by the
dependency; a handler that writes calls ``session.commit()`` itself before it builds its response
(so a failed commit becomes an error answer, never a 200 for lost work). Whatever is not committed
is rolled back when the request ends. Query functions in crawler.store never commit
(DESIGN.md convention 11).

Database outages: any `crawler.errors.DatabaseUnavailable` or driver connection error raised by a
handler is turned by the app into ``503 Service Unavailable`` with ``Retry-After`` and a retry
message (RELIABILITY.md T35), as HTML for pages and JSON (``{"error": "database_unavailable", ...}``)
for paths under ``/api/``. Routers need not catch them.

Request values (the edge): ids and revisions taken from a request are bounded to the signed 64-bit
range of the BIGINT columns, 1 to `DB_INT_MAX` (`PathId`, `QueryId`, `parse_db_int`), so a larger
number is refused (400 for pages, 422 under ``/api/``) or finds nothing (404) instead of reaching the
driver (SQLite raises OverflowError beyond 2**63 - 1). Text filters with control characters
(`has_controls`) are refused the same way rather than silently dropped.

Security headers: the app adds ``X-Content-Type-Options: nosniff``, ``Referrer-Policy`` and
``X-Frame-Options`` to every response, and to HTML responses a Content-Security-Policy with
``default-src 'none'`` and a per-request nonce (`csp_nonce`). JSON/Atom/iCal responses get
``Content-Security-Policy: default-src 'none'; frame-ancestors 'none'``.

This module imports no SQLAlchemy (only crawler.store does, DESIGN.md); the session type comes
from `crawler.store.session.Session`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request

from crawler.config import Settings as RuntimeSettings
from crawler.errors import validation_sentence
from crawler.store.queue import COUNT_CAP
from crawler.store.session import Session
from crawler.web.appsecret import load_application_secret

SESSION_COOKIE = "__Host-ewsi_session"
"""Name of the editors' session cookie (``__Host-`` prefix: Secure, Path=/, no Domain; ASVS 3.4.4)."""


DB_INT_MAX = 2**63 - 1
"""Largest id or revision a request may carry: the top of the signed 64-bit range of the BIGINT
columns (SQLite INTEGER and PostgreSQL bigint are both 8-byte signed)."""

PathId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]
"""A path parameter naming a row (item, user, view): 1 to `DB_INT_MAX`, else a validation error."""

QueryId = Annotated[int | None, Query(ge=1, le=DB_INT_MAX)]
"""An optional query parameter naming a row (``?item=``, ``?before=``): 1 to `DB_INT_MAX`."""


_DECIMAL = re.compile(r"[0-9]{1,19}")


def parse_db_int(value: Any) -> int | None:
    """`value` (form text such as a revision or ``id:revision`` half) as an int in 1..`DB_INT_MAX`,
    else None: only 1 to 19 ASCII digits, surrounding spaces allowed (no sign, no ``_``, no other
    scripts' digits, which `int` would accept)."""
    text = str(value).strip() if value is not None else ""
    if _DECIMAL.fullmatch(text) is None:
        return None
    number = int(text)
    return number if 1 <= number <= DB_INT_MAX else None


NO_CONTROLS = r"^[^\x00-\x1f\x7f-\x9f]*$"
"""Pattern of a text parameter without C0/C1 controls or DEL, declared in the OpenAPI document so
clients (and schema-driven tests) know such values are refused with 422."""
_NO_CONTROLS = re.compile(NO_CONTROLS)


def has_controls(value: str) -> bool:
    """True when `value` holds a C0 control (NUL, TAB, LF, ESC...), DEL or a C1 control: no filter
    value, name or id typed by a person contains one, so requests carrying them are refused."""
    return _NO_CONTROLS.fullmatch(value) is None


@dataclass(frozen=True)
class LoginLimit:
    """At most `max_failures` failed logins within a rolling window of `window_s` seconds."""

    max_failures: int
    window_s: int


SECRET_KEY_MIN = 32
"""Shortest accepted ``EWSI_SECRET_KEY`` (characters; e.g. ``python -c "import secrets;
print(secrets.token_urlsafe(48))"`` gives 64)."""


@dataclass(frozen=True)
class Settings:
    """Runtime settings of one app, read once from arguments and environment by `create_app`.

    - database_url: SQLAlchemy URL of the review-queue database (``EWSI_DATABASE_URL`` or the
      SQLite default, see `crawler.store.session.database_url`).
    - testing: True for test apps (no behaviour change except that nothing is read from ``.env``-like
      places and errors are not swallowed by the server error page).
    - session_idle_timeout_s: an editor session ends after this many seconds without a request
      (1800 s = 30 min, ASVS 3.3.2 level 2).
    - session_absolute_timeout_s: a session ends this long after login whatever happens (12 h).
    - claim_lease_s: how long opening an item claims it (5 min), renewed while the editor works.
    - login_limit_account_address: failed logins of one account from one client address (10 per
      15 min); login_limit_address: failed logins from one client address over all accounts (50 per
      hour); login_limit_account: failed logins of one account from all addresses together (100
      per hour, the last line). Past any of them the password is not checked (ASVS 2.2.1;
      crawler.web.auth).
    - page_size: rows per queue page (50).
    - count_cap: the queue's counts stop at this many items and show "1,000+" beyond
      (`crawler.store.queue.COUNT_CAP`: exact counts over a large queue take seconds when cold).
    - trusted_origins: extra origins (``scheme://host:port``) accepted by the CSRF Origin check besides
      the request's own origin (``EWSI_TRUSTED_ORIGINS``, comma separated).
    - secret_key: the key CSRF cookies are signed with (``EWSI_SECRET_KEY``, at least 32 characters);
      None = one generated once and kept in the database (app_secrets), shared by every process.
    - extra: free-form settings for other routers (e.g. the portal's rate limits); read-only.
    """

    database_url: str
    testing: bool = False
    session_idle_timeout_s: int = 30 * 60
    session_absolute_timeout_s: int = 12 * 3600
    claim_lease_s: int = 5 * 60
    login_limit_account_address: LoginLimit = LoginLimit(10, 15 * 60)
    login_limit_address: LoginLimit = LoginLimit(50, 3600)
    login_limit_account: LoginLimit = LoginLimit(100, 3600)
    page_size: int = 50
    count_cap: int = COUNT_CAP
    trusted_origins: tuple[str, ...] = ()
    secret_key: str | None = field(default=None, repr=False)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_runtime(cls, database_url: str, runtime: RuntimeSettings, *, testing: bool = False) -> Settings:
        """Settings with `database_url` and the runtime settings' trusted origins and secret key
        (``EWSI_TRUSTED_ORIGINS``, ``EWSI_SECRET_KEY``). Raises ValueError when the secret key is
        set but shorter than `SECRET_KEY_MIN` characters."""
        origins = tuple(o.rstrip("/") for o in runtime.trusted_origins)
        secret = runtime.secret_key or None
        if secret is not None and len(secret) < SECRET_KEY_MIN:
            raise ValueError(f"EWSI_SECRET_KEY needs at least {SECRET_KEY_MIN} characters")
        return cls(database_url=database_url, testing=testing, trusted_origins=origins, secret_key=secret)


def get_settings(request: Request) -> Settings:
    """FastAPI dependency: the app's `Settings` (``request.app.state.settings``)."""
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: a SQLAlchemy Session for this request, closed (and rolled back) at the end.

    Never commits: handlers that write call ``session.commit()`` before answering. Connecting is
    lazy, so a request that does not touch the database never opens a connection; the exception is
    an app's first such request without ``EWSI_SECRET_KEY``, which loads the application secret
    first, in its own short transaction (crawler.web.appsecret: no second session may be opened
    while this one holds SQLite's write lock).
    """
    load_application_secret(request.app.state)
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


DbSession = Annotated[Session, Depends(get_session)]
"""Annotated type for handlers: ``def view(session: DbSession) -> ...``."""


def csp_nonce(request: Request) -> str:
    """The CSP nonce of this request (base64url, 128 bits); use it as ``<script nonce="...">``."""
    return request.state.csp_nonce


def client_address(request: Request) -> str:
    """The client's IP address as the server saw it (no proxy headers are trusted), or ``unknown``."""
    return request.client.host if request.client else "unknown"


DATE_EXPECTED = "expected an ISO 8601 date (2026-01-31) or date-time (2026-01-31T08:00:00Z)"
"""The message of any malformed date or date-time, whichever member of ``datetime | date`` failed."""
_ONE_OF = re.compile(r"\^\(([\w|]+)\)\$")


def _or_list(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def validation_message(error: Mapping[str, Any]) -> str:
    """The message of one validation error as users read it (the read API's 422 detail, a feed's
    400), a plain sentence for every field alike (`crawler.errors.validation_sentence`: ``expected
    a whole number at least 1, got '0'``); a control character (`NO_CONTROLS`) "control characters
    are not allowed"; a pattern or literal of choices "use a or b"; any malformed date `DATE_EXPECTED`."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if pattern == NO_CONTROLS:
            return "control characters are not allowed"
        choices = _ONE_OF.fullmatch(pattern)
        return f"use {_or_list(choices.group(1).split('|'))}" if choices else "is not in the expected form"
    if kind == "literal_error" and ctx.get("expected"):
        return f"use {str(ctx['expected']).replace(chr(39), '')}"
    if kind.startswith(("datetime_", "date_")):
        return DATE_EXPECTED
    # every other type the way the config says it (crawler.errors.validation_sentence): bounds,
    # wrong types, missing values as plain sentences, never pydantic's "Input should be ..."
    return validation_sentence(error)


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Validation errors as answered (read API ``detail``, feeds): ``{"loc", "msg", "type"}`` with
    `validation_message`; the loc of a query or path value is its parameter (``["query", name]``,
    no list index), and one parameter has one error per message (a date once, not once per member
    of its union)."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[tuple[Any, ...], str]] = set()
    for error in errors:
        loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
        if loc[:1] in (["query"], ["path"]):
            loc = loc[:2]
        message = validation_message(error)
        if (tuple(loc), message) not in seen:
            seen.add((tuple(loc), message))
            out.append({"loc": loc, "msg": message, "type": str(error.get("type", ""))})
    return out


def errors_sentence(details: Iterable[Mapping[str, Any]]) -> str:
    """``name: message`` of each field error (`field_errors`), joined by "; " (an error's ``message``)."""
    parts = []
    for error in details:
        loc = list(error.get("loc", ()))
        name = loc[1] if len(loc) > 1 else (loc[0] if loc else "request")
        parts.append(f"{name}: {error.get('msg', '')}")
    return "; ".join(parts)
