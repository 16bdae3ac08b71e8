"""The portal read API ``/api/v1``: published items, themes and sources, read-only and rate-limited.

Contract (OpenAPI document at ``/api/v1/openapi.json``):
- ``GET /api/v1/items``: ``{"items": [...], "next_cursor": str | null}``; published items only (the
  publication rule is in crawler.store.portal), newest first; filters ``theme`` (id or name),
  ``country``, ``language``, ``content_type``, ``source``, ``published_from``/``published_to``
  (ISO 8601; a date means midnight UTC), ``q`` (full text); ``limit`` 1.. (capped at
  `PortalConfig.max_page_size`, 100; above 2**63 - 1 it is a 422); ``cursor`` from the previous
  page (opaque). A filter value holding a control character (NUL, LF, ESC, DEL, C1) is a 422, for
  ``q`` too, never a silently widened result; so is a malformed date (``{"error":
  "invalid_request", "detail": [...]}``).
  With ``updated_since`` it is the incremental sync instead: every item whose public state changed
  at or after that time, oldest change first, unpublished ones as tombstones
  ``{"id": n, "published": false, "modified_at": ...}`` (other fields null). Any other query
  parameter (``status=pending``...) is ignored.
- ``GET /api/v1/items/{id}``: one published item with ``versions`` (its language versions) and
  ``attachments``; 404 for every id that is not published, whether it exists or not (T43).
- ``GET /api/v1/themes``: the six themes with labels in the 24 EU languages (config/themes.yaml).
- ``GET /api/v1/sources``: public metadata of the sources (no health state, no error text).

Output hygiene (T42): every string leaves through `clean_out` (C0/C1 controls except TAB/LF/CR,
DEL, lone surrogates and non-characters removed); links are only absolute http(s) URLs, else null
(T41). JSON is UTF-8 with ``Content-Type: application/json; charset=utf-8``.

Rate limits (crawler.web.ratelimit): anonymous clients `PortalConfig.anonymous_per_minute` (60)
requests per minute per client address; ``Authorization: Bearer <token>`` with a token from
``ewsi api-token add`` uses that token's limit instead (an unknown or revoked token is 401). Valid
tokens are cached for `PortalConfig.token_cache_s` (60 s), so a revocation takes effect within that.
The same limits cover the feeds (crawler.web.feeds).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as dtime
from functools import cache
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, Field

from classifier import themes as theme_config
from crawler.config import Settings as RuntimeSettings
from crawler.store import portal as store
from crawler.web.deps import DB_INT_MAX, NO_CONTROLS, DbSession, PathId, client_address, has_controls
from crawler.web.ratelimit import TokenBucketLimiter, retry_after_header

API_PREFIX = "/api/v1"
API_VERSION = "1.0.0"

# --- configuration --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortalConfig:
    """Settings of the portal routes, read once by `install` (environment names in brackets).

    anonymous_per_minute: requests per minute per client address without a token
    (``EWSI_API_RATE_ANON``, 60); max_page_size: cap of ``limit`` (100); default_page_size (50);
    feed_size: entries of an Atom feed (50); token_cache_s: how long a valid token is trusted
    without a database look-up (60); public_url: absolute base of links in feeds and digests
    (``EWSI_PUBLIC_URL``, http://127.0.0.1:8000).
    """

    anonymous_per_minute: int = 60
    max_page_size: int = 100
    default_page_size: int = 50
    feed_size: int = 50
    token_cache_s: float = 60.0
    public_url: str = "http://127.0.0.1:8000"

    @classmethod
    def from_settings(cls, runtime: RuntimeSettings, **overrides: Any) -> PortalConfig:
        """Defaults, then the runtime settings (public URL without a trailing slash, anonymous
        rate), then `overrides`."""
        values: dict[str, Any] = {
            "public_url": runtime.public_url.rstrip("/"),
            "anonymous_per_minute": runtime.api_rate_anon,
        }
        values.update(overrides)
        return cls(**values)


# --- output hygiene -------------------------------------------------------------------------------

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_out(value: str | None) -> str | None:
    """`value` without C0/C1 controls (TAB, LF, CR kept), DEL, lone surrogates, U+FFFE/U+FFFF.

    The result is valid UTF-8 and valid XML 1.0 character data. None stays None.
    """
    if value is None:
        return None
    return _UNSAFE.sub("", str(value))


def safe_link(value: Any) -> str | None:
    """`value` if it is an absolute http(s) URL without spaces or control characters, else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or any(ord(c) < 33 or 127 <= ord(c) <= 159 for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return clean_out(value)


@cache
def _theme_config() -> theme_config.ThemeConfig:
    return theme_config.load()


def theme_ids() -> dict[str, str]:
    """Theme name and id -> id, for the six themes of config/themes.yaml."""
    out: dict[str, str] = {}
    for theme in _theme_config().themes:
        out[theme.name] = theme.id
        out[theme.id] = theme.id
    return out


def theme_names() -> dict[str, str]:
    """Theme id -> portal name."""
    return {theme.id: theme.name for theme in _theme_config().themes}


def _iso(value: datetime | None) -> str | None:
    return store.iso(value)


def public_record(row: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The API form of a store record (crawler.store.portal): strings cleaned, links checked, theme
    names turned into ids, ``api_url`` added (absolute, under `base_url`). Tombstones stay small."""
    if not row.get("published"):
        return {"id": row["id"], "published": False, "modified_at": row.get("modified_at")}
    ids = theme_ids()
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("url", "source_url"):
            out[key] = safe_link(value)
        elif key == "themes":
            out[key] = [clean_out(ids.get(v, v)) for v in value]
        elif key == "attachments":
            out[key] = [
                {
                    "url": link,
                    "title": clean_out(a.get("title")),
                    "media_type": clean_out(a.get("media_type")),
                }
                for a in value
                if (link := safe_link(a.get("url")))
            ]
        elif key == "versions":
            out[key] = [
                {
                    "id": v["id"],
                    "language": clean_out(v.get("language")),
                    "title": clean_out(v.get("title")),
                    "url": safe_link(v.get("url")),
                    "api_url": f"{base_url}{API_PREFIX}/items/{v['id']}",
                }
                for v in value
            ]
        elif isinstance(value, str):
            out[key] = clean_out(value)
        else:
            out[key] = value
    out["api_url"] = f"{base_url}{API_PREFIX}/items/{row['id']}"
    return out


# --- response models (the OpenAPI contract) -------------------------------------------------------


class Attachment(BaseModel):
    """A linked document (http(s) only)."""

    url: str
    title: str | None = None
    media_type: str | None = None


class Version(BaseModel):
    """A published language version of an item (the item itself included)."""

    id: int
    language: str | None = None
    title: str | None = None
    url: str | None = None
    api_url: str


class PortalItem(BaseModel):
    """A published item, or in the sync a tombstone (``published`` false, only id and modified_at set)."""

    id: int
    published: bool
    modified_at: datetime | None = None
    url: str | None = Field(None, description="canonical link to the source page (http/https only)")
    source_url: str | None = None
    api_url: str | None = None
    title: str | None = None
    summary: str | None = None
    language: str | None = Field(None, description="ISO 639-1 code as detected")
    country: str | None = Field(None, description="country code (EU for EU-level items)")
    content_type: str | None = None
    themes: list[str] = Field(default_factory=list, description="theme ids, see /api/v1/themes")
    source_id: str | None = None
    source_name: str | None = None
    official_id: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    deadline: datetime | None = None
    approved_at: datetime | None = None
    attachments: list[Attachment] = Field(default_factory=list)


class ItemDetail(PortalItem):
    """A published item with its language versions."""

    versions: list[Version] = Field(default_factory=list)


class ItemPage(BaseModel):
    """One page of items; pass `next_cursor` as ``cursor`` for the next page (null: last page)."""

    items: list[PortalItem]
    next_cursor: str | None = None


class ThemeOut(BaseModel):
    """One of the six themes with its labels (ISO 639-1 -> label, 24 EU languages)."""

    id: str
    name: str
    labels: dict[str, str]


class SourceOut(BaseModel):
    """Public metadata of a source."""

    id: str
    name: str | None = None
    publisher: str | None = None
    country: str | None = None
    content_type: str | None = None
    kind: str | None = None
    languages: list[str] = Field(default_factory=list)
    published_items: int = 0


class ApiError(BaseModel):
    """An error answer (401, 404, 429, 400 and 422 carry one of these fields or more)."""

    error: str | None = None
    message: str | None = None
    detail: Any = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ApiError, "description": "Malformed cursor or date"},
    401: {"model": ApiError, "description": "Unknown or revoked API token"},
    422: {
        "model": ApiError,
        "description": "Malformed parameter (detail: loc, msg, type of each error) or a control "
        "character in a filter (message)",
    },
    429: {"model": ApiError, "description": "Rate limit reached (see Retry-After)"},
}


class PortalJSONResponse(JSONResponse):
    """JSON as UTF-8 with an explicit charset (T42)."""

    media_type = "application/json; charset=utf-8"


# --- rate limiting and tokens ---------------------------------------------------------------------


@dataclass
class PortalState:
    """What `install` keeps on ``app.state.portal``: config, limiter, token cache."""

    config: PortalConfig
    limiter: TokenBucketLimiter = field(default_factory=TokenBucketLimiter)
    tokens: dict[str, tuple[store.TokenInfo, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def portal_state(request: Request) -> PortalState:
    return request.app.state.portal


def _token_info(state: PortalState, session: store.Session, token: str) -> store.TokenInfo | None:
    key = store.token_hash(token)
    now = time.monotonic()
    with state.lock:
        cached = state.tokens.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
    info = store.find_token(session, token)
    if info is not None:
        with state.lock:
            if len(state.tokens) > 10_000:
                state.tokens.clear()
            state.tokens[key] = (info, now + state.config.token_cache_s)
    return info


def rate_limit(request: Request, response: Response, session: DbSession) -> None:
    """FastAPI dependency: charge this request to its client's bucket (see the module docstring).

    Raises HTTPException 401 for a malformed, unknown or revoked token, 429 with ``Retry-After``
    when the bucket is empty. Sets ``X-RateLimit-Limit``/``X-RateLimit-Remaining`` on JSON answers.
    """
    state = portal_state(request)
    key = f"addr:{client_address(request)}"
    limit = state.config.anonymous_per_minute
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        info = None
        if scheme.lower() == "bearer" and token.strip() and len(token) < 200:
            info = _token_info(state, session, token.strip())
        if info is None:
            state.limiter.take(key, limit)  # a wrong token still costs its sender
            raise HTTPException(401, "unknown or revoked API token", headers={"WWW-Authenticate": "Bearer"})
        key, limit = f"token:{info.id}", info.rate_limit_per_minute
    allowed, left, wait = state.limiter.take(key, limit)
    if not allowed:
        raise HTTPException(
            429, "rate limit reached, retry later", headers={"Retry-After": retry_after_header(wait)}
        )
    response.headers["X-RateLimit-Limit"] = str(limit)
    response.headers["X-RateLimit-Remaining"] = str(left)


# --- request parsing ------------------------------------------------------------------------------


_ISO_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?")


def _iso_only(value: Any) -> Any:
    """Accept only ISO 8601 text (pydantic alone would also take Unix timestamps such as ``-119577``)."""
    if isinstance(value, str) and not _ISO_SHAPE.fullmatch(value):
        raise ValueError("expected an ISO 8601 date (2026-01-31) or date-time (2026-01-31T08:00:00Z)")
    return value


IsoTime = Annotated[datetime | date, BeforeValidator(_iso_only)]
"""A query parameter: ISO 8601 date-time, or a date meaning its midnight UTC."""


def utc_param(value: datetime | date | None, name: str) -> datetime | None:
    """A query datetime as aware UTC (naive = UTC), clamped to the calendar's edges (`name` unused)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime.combine(value, dtime.min, tzinfo=UTC)
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError):
        # a time at the very edge of the calendar with an offset: clamp to the edge it is near
        edge = datetime.min if value.year < 5000 else datetime.max
        return edge.replace(tzinfo=UTC)


def encode_cursor(mode: str, key: tuple[datetime, int]) -> str:
    """Opaque cursor: base64url of ``{"m": mode, "k": ISO time, "i": id}``."""
    raw = json.dumps({"m": mode, "k": key[0].isoformat(), "i": key[1]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, mode: str) -> tuple[datetime, int]:
    """The (time, id) key in `cursor`; HTTPException 400 when malformed or from the other mode."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        key = datetime.fromisoformat(data["k"])
        item_id = int(data["i"])
        if data["m"] != mode or key.tzinfo is None or not 1 <= item_id <= DB_INT_MAX:
            raise ValueError("cursor of another mode")
        return key.astimezone(UTC), item_id
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise HTTPException(400, "invalid cursor (pass next_cursor of the previous page unchanged)") from None


def _clean_param(value: str | None, name: str) -> str | None:
    """`value` stripped (None when empty); HTTPException 422 when it holds a control character."""
    if value is None:
        return None
    if has_controls(value):
        raise HTTPException(422, f"{name}: control characters are not allowed")
    return value.strip() or None


def theme_values(theme: str | None) -> tuple[str, ...]:
    """The stored forms (name and id) of a theme given by id or name; () for None."""
    if theme is None:
        return ()
    theme_id = theme_ids()[theme]
    return (theme_names()[theme_id], theme_id)


def _theme_choices() -> list[str]:
    return sorted(theme_ids())


ThemeParam = Literal[tuple(_theme_choices())]  # type: ignore[valid-type]


def build_filter(
    *,
    theme: str | None = None,
    country: str | None = None,
    language: str | None = None,
    content_type: str | None = None,
    source: str | None = None,
    published_from: datetime | date | None = None,
    published_to: datetime | date | None = None,
    q: str | None = None,
    updated_since: datetime | date | None = None,
) -> store.ItemFilter:
    """A store filter from query values (stripped; country upper-cased, language lower-cased).

    Raises HTTPException 422 when a text value holds a control character (`has_controls`): such a
    value matches nothing a person typed, and dropping it would widen the result unasked."""
    country = _clean_param(country, "country")
    language = _clean_param(language, "language")
    return store.ItemFilter(
        themes=theme_values(theme),
        country=country.upper() if country else None,
        language=language.lower() if language else None,
        content_type=_clean_param(content_type, "content_type"),
        source_id=_clean_param(source, "source"),
        published_from=utc_param(published_from, "published_from"),
        published_to=utc_param(published_to, "published_to"),
        q=_clean_param(q, "q"),
        updated_since=utc_param(updated_since, "updated_since"),
    )


# --- routes ---------------------------------------------------------------------------------------

router = APIRouter(
    prefix=API_PREFIX,
    tags=["portal"],
    dependencies=[Depends(rate_limit)],
    default_response_class=PortalJSONResponse,
    responses=ERROR_RESPONSES,
)


@router.get("/items", response_model=ItemPage, summary="Published items (or the sync with updated_since)")
def list_items(
    request: Request,
    session: DbSession,
    theme: Annotated[ThemeParam | None, Query(description="theme id or name")] = None,  # type: ignore[valid-type]
    country: Annotated[str | None, Query(max_length=8, pattern=NO_CONTROLS)] = None,
    language: Annotated[str | None, Query(max_length=8, pattern=NO_CONTROLS)] = None,
    content_type: Annotated[str | None, Query(max_length=32, pattern=NO_CONTROLS)] = None,
    source: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROLS)] = None,
    published_from: Annotated[IsoTime | None, Query()] = None,
    published_to: Annotated[IsoTime | None, Query()] = None,
    q: Annotated[
        str | None, Query(max_length=200, pattern=NO_CONTROLS, description="full-text query")
    ] = None,
    updated_since: Annotated[IsoTime | None, Query(description="sync: changes since")] = None,
    limit: Annotated[int, Query(ge=1, le=DB_INT_MAX, description="page size, capped at 100")] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> dict[str, Any]:
    """A page of published items, newest first; with ``updated_since`` the sync (see module docstring)."""
    state = portal_state(request)
    flt = build_filter(
        theme=theme,
        country=country,
        language=language,
        content_type=content_type,
        source=source,
        published_from=published_from,
        published_to=published_to,
        q=q,
        updated_since=updated_since,
    )
    mode = "list" if flt.updated_since is None else "sync"
    after = decode_cursor(cursor, mode) if cursor else None
    size = min(limit, state.config.max_page_size)
    page = store.list_items(session, flt, limit=size, after=after)
    return {
        "items": [public_record(row, state.config.public_url) for row in page.items],
        "next_cursor": encode_cursor(page.mode, page.next_key) if page.next_key else None,
    }


@router.get(
    "/items/{item_id}",
    response_model=ItemDetail,
    summary="One published item with its language versions",
    responses={404: {"model": ApiError, "description": "No published item with this id"}},
)
def get_item(request: Request, session: DbSession, item_id: PathId) -> dict[str, Any]:
    """The published item `item_id`; 404 when it does not exist or is not published (same answer)."""
    row = store.get_published_item(session, item_id)
    if row is None:
        raise HTTPException(404, "not found")
    return public_record(row, portal_state(request).config.public_url)


@router.get("/themes", response_model=list[ThemeOut], summary="The six themes with labels in 24 languages")
def list_themes() -> list[dict[str, Any]]:
    """The themes of config/themes.yaml in portal order: id, name, labels (24 EU languages)."""
    return [
        {"id": t.id, "name": t.name, "labels": {k: clean_out(v) for k, v in sorted(t.labels.items())}}
        for t in _theme_config().themes
    ]


@router.get("/sources", response_model=list[SourceOut], summary="Public metadata of the sources")
def list_sources(session: DbSession) -> list[dict[str, Any]]:
    """Every source: id, name, publisher, country, content_type, kind, languages, published_items."""
    return [
        {k: clean_out(v) if isinstance(v, str) else v for k, v in row.items()}
        for row in store.list_sources(session)
    ]


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``/api/v1`` alone (cached on the app)."""
    doc = getattr(app.state, "portal_openapi", None)
    if doc is None:
        doc = get_openapi(
            title="EWSI portal read API",
            version=API_VERSION,
            description=(__doc__ or "").split("\n\n", 1)[1] if __doc__ else None,
            routes=router.routes,
        )
        app.state.portal_openapi = doc
    return doc


def install(app: FastAPI, **overrides: Any) -> None:
    """Add the read API, its OpenAPI document and the feeds (crawler.web.feeds) to `app`.

    `overrides` replace `PortalConfig` fields (tests: ``anonymous_per_minute=10_000``); the rest
    come from ``app.state.runtime`` (crawler.config.Settings; the defaults when absent). The app must
    provide ``app.state.session_factory`` (crawler.web.deps.get_session) by the first request.
    """
    from crawler.web import feeds

    runtime = getattr(app.state, "runtime", None) or RuntimeSettings()
    app.state.portal = PortalState(config=PortalConfig.from_settings(runtime, **overrides))
    app.include_router(router)
    app.include_router(feeds.router)

    @app.get(f"{API_PREFIX}/openapi.json", include_in_schema=False)
    def portal_openapi() -> JSONResponse:
        return PortalJSONResponse(openapi_document(app))
