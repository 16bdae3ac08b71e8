"""The portal read API ``/api/v1``: published items, themes and sources, read-only and rate-limited.

Contract (OpenAPI document at ``/api/v1/openapi.json``):
- ``GET /api/v1/items``: ``{"items": [...], "next_cursor": str | null}``; published items only (the
  publication rule is in crawler.store.portal), dated items newest first, then undated ones by when
  they were first seen (crawler.store.portal, Ordering); filters ``theme`` (id or name),
  ``country``, ``language``, ``content_type``, ``source``, ``published_from``/``published_to``
  (ISO 8601; a date means midnight UTC), ``q`` (full text); ``limit`` 1 to
  `API_MAX_LIMIT`, 100 (above, a 422 naming the bound; `PortalConfig.max_page_size` may serve
  fewer); ``cursor`` from the previous page (opaque). A filter value holding a control character
  (NUL, LF, ESC, DEL, C1) is a 422, for ``q`` too, never a silently widened result; so is a
  malformed date (``{"error": "invalid_request", "detail": [...]}``).
  With ``updated_since`` it is the incremental sync instead: every item whose public state changed
  at or after that time, oldest change first, unpublished ones as tombstones
  ``{"id": n, "published": false, "modified_at": ...}`` (other fields null).
- Query rules of every route (crawler.web.public `strict_query`, `check_ranges`): a parameter the
  route does not take (``status=pending``, ``contry=FR``) is a 422 naming it, the closest one and
  those the route takes; ``theme``, ``country``, ``language``, ``content_type`` and ``source`` may be
  repeated, meaning any of the values; any other parameter given twice is a 422; a from/to pair
  whose start is after its end is a 422 ("from: is after to"). A theme is an id, a name or a code.
- Errors: ``{"error": key, "message": sentence, "detail": [{"loc", "msg", "type"}, ...]}``; ``message``
  names each parameter at fault in plain words, ``detail`` is [] when no field is at fault.
- ``GET /api/v1/items/{id}``: one published item with ``versions`` (its language versions) and
  ``attachments`` and ``contributors`` (name and organisation of those who submitted it and consented
  to be credited, crawler.store.submissions.credits); 404 for every id that is not published,
  whether it exists or not (T43).
- ``GET /api/v1/funding``: published funding calls with their structured fields (call id,
  programme, status, deadlines, days left, budget), soonest last deadline first; filters ``status``
  (forthcoming, open, closed: as of the request, a call closing itself after its last deadline),
  ``programme`` (any case, surrounding spaces ignored; one no call has: an empty list),
  ``deadline_before`` (its next or last deadline is ahead and not after it),
  ``deadline_after`` (its last deadline is after it); ``limit`` (1 to 100, else a 422).
- ``GET /api/v1/events``: published events overlapping ``from``..``to`` (default: from now, so
  ended events leave the list), soonest start first, with start, end, all-day, place, organiser and
  registration link; filter ``country`` (ISO code of the venue's country); ``limit`` (1 to 100).
- ``GET /api/v1/themes``: the six themes with labels in the 24 EU languages (config/themes.yaml).
- ``GET /api/v1/sources``: public metadata of the sources (no health state, no error text).
- ``GET /api/v1/coverage``: items per country x theme (or language) and gap alerts; published
  items only, unless the token has the ``coverage`` scope (then harvested-relevant and approved).

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
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from crawler.config import Settings as RuntimeSettings
from crawler.jsontext import parse_json
from crawler.store import portal, structured, submissions
from crawler.web import feeds
from crawler.web.deps import DB_INT_MAX, NO_CONTROLS, DbSession, PathId
from crawler.web.public import (
    API_MAX_LIMIT,
    API_PREFIX,
    ContentTypesQuery,
    CountriesQuery,
    IsoTime,
    LanguagesQuery,
    PortalConfig,
    PortalState,
    SourcesQuery,
    ThemesQuery,
    build_filter,
    check_filter,
    check_ranges,
    clean_out,
    now_of,
    portal_state,
    public_record,
    rate_limit,
    strict_query,
    themes_config,
    token_scopes,
    utc_param,
)
from crawler.web.schemas import (
    ERROR_RESPONSES,
    ApiError,
    CoverageOut,
    EventPage,
    FundingPage,
    ItemDetail,
    ItemPage,
    PortalJSONResponse,
    SourceOut,
    ThemeOut,
)

API_VERSION = "1.0.0"


def encode_cursor(mode: str, key: tuple[datetime, int]) -> str:
    """Opaque cursor: base64url of ``{"m": mode, "k": ISO time, "i": id}``."""
    raw = json.dumps({"m": mode, "k": key[0].isoformat(), "i": key[1]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, mode: str) -> tuple[tuple[datetime, int], str]:
    """The (time, id) key in `cursor` and the cursor's own mode (a "list" request also takes an
    "undated" cursor: a key in the undated part of the listing, crawler.store.portal); HTTPException
    400 when malformed or from the other mode."""
    allowed = ("list", "undated") if mode == "list" else (mode,)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = parse_json(raw)  # JSON nested too deep is a malformed cursor too
        key = datetime.fromisoformat(data["k"])
        item_id = int(data["i"])
        if data["m"] not in allowed or key.tzinfo is None or not 1 <= item_id <= DB_INT_MAX:
            raise ValueError("cursor of another mode")
        return (key.astimezone(UTC), item_id), data["m"]
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise HTTPException(400, "invalid cursor (pass next_cursor of the previous page unchanged)") from None


# --- routes ---------------------------------------------------------------------------------------

router = APIRouter(
    prefix=API_PREFIX,
    tags=["portal"],
    dependencies=[Depends(rate_limit), Depends(strict_query)],
    default_response_class=PortalJSONResponse,
    responses=ERROR_RESPONSES,
)


@router.get("/items", response_model=ItemPage, summary="Published items (or the sync with updated_since)")
def list_items(
    request: Request,
    session: DbSession,
    theme: Annotated[ThemesQuery, Query(description="theme id, name or code; repeat: any of")] = None,
    country: Annotated[CountriesQuery, Query(description="repeat: any of")] = None,
    language: Annotated[LanguagesQuery, Query(description="repeat: any of")] = None,
    content_type: Annotated[ContentTypesQuery, Query(description="repeat: any of")] = None,
    source: Annotated[SourcesQuery, Query(description="source id; repeat: any of")] = None,
    published_from: Annotated[IsoTime | None, Query()] = None,
    published_to: Annotated[IsoTime | None, Query()] = None,
    q: Annotated[
        str | None, Query(max_length=200, pattern=NO_CONTROLS, description="full-text query")
    ] = None,
    updated_since: Annotated[IsoTime | None, Query(description="sync: changes since")] = None,
    limit: Annotated[int, Query(ge=1, le=API_MAX_LIMIT, description="page size, 1 to 100")] = 50,
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
    check_filter(session, flt)
    mode = "list" if flt.updated_since is None else "sync"
    after, after_mode = decode_cursor(cursor, mode) if cursor else (None, mode)
    size = min(limit, state.config.max_page_size)
    page = portal.list_items(session, flt, limit=size, after=after, after_undated=after_mode == "undated")
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
    row = portal.get_published_item(session, item_id)
    if row is None:
        raise HTTPException(404, "not found")
    record = public_record(row, portal_state(request).config.public_url)
    credited = submissions.credits(session, [item_id]).get(item_id, [])
    record["contributors"] = [{k: clean_out(v) for k, v in c.items()} for c in credited]
    return record


CallStatus = Literal["forthcoming", "open", "closed"]


@router.get("/funding", response_model=FundingPage, summary="Published funding calls, deadlines and status")
def list_funding(
    request: Request,
    session: DbSession,
    status: Annotated[CallStatus | None, Query(description="status at request time")] = None,
    programme: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROLS)] = None,
    deadline_before: Annotated[IsoTime | None, Query(description="closing on or before")] = None,
    deadline_after: Annotated[IsoTime | None, Query(description="last deadline after")] = None,
    limit: Annotated[int, Query(ge=1, le=API_MAX_LIMIT, description="calls at most, 1 to 100")] = 100,
) -> dict[str, Any]:
    """Published funding calls matching the filters (see the module docstring)."""
    state = portal_state(request)
    check_ranges(
        (
            "deadline_after",
            utc_param(deadline_after, "deadline_after"),
            "deadline_before",
            utc_param(deadline_before, "deadline_before"),
        )
    )
    rows = structured.published_calls(
        session,
        now_of(request),
        status=status,
        programme=programme,
        deadline_before=utc_param(deadline_before, "deadline_before"),
        deadline_after=utc_param(deadline_after, "deadline_after"),
        limit=min(limit, state.config.max_page_size),
    )
    return {"items": [public_record(row, state.config.public_url) for row in rows]}


@router.get("/events", response_model=EventPage, summary="Published events (upcoming by default)")
def list_events(
    request: Request,
    session: DbSession,
    start_from: Annotated[IsoTime | None, Query(alias="from", description="events not ended by then")] = None,
    to: Annotated[IsoTime | None, Query(description="events starting before")] = None,
    country: Annotated[CountriesQuery, Query(description="repeat: any of")] = None,
    limit: Annotated[int, Query(ge=1, le=API_MAX_LIMIT, description="events at most, 1 to 100")] = 100,
) -> dict[str, Any]:
    """Published events overlapping ``from``..``to`` (see the module docstring)."""
    state = portal_state(request)
    check_ranges(("from", utc_param(start_from, "from"), "to", utc_param(to, "to")))
    rows = structured.published_events(
        session,
        now_of(request),
        start_from=utc_param(start_from, "from"),
        to=utc_param(to, "to"),
        country=[c for c in country or () if c],
        limit=min(limit, state.config.max_page_size),
    )
    return {"items": [public_record(row, state.config.public_url) for row in rows]}


@router.get("/themes", response_model=list[ThemeOut], summary="The six themes with labels in 24 languages")
def list_themes() -> list[dict[str, Any]]:
    """The themes of config/themes.yaml in portal order: id, name, labels (24 EU languages)."""
    return [
        {"id": t.id, "name": t.name, "labels": {k: clean_out(v) for k, v in sorted(t.labels.items())}}
        for t in themes_config().themes
    ]


@router.get("/sources", response_model=list[SourceOut], summary="Public metadata of the sources")
def list_sources(session: DbSession) -> list[dict[str, Any]]:
    """Every source: id, name, publisher, country, content_type, kind, languages (of its published
    items), declared_languages (of its configuration), published_items."""
    return [
        {k: clean_out(v) if isinstance(v, str) else v for k, v in row.items()}
        for row in portal.list_sources(session)
    ]


@router.get(
    "/coverage", response_model=CoverageOut, summary="Items per country x theme (or language) and gap alerts"
)
def coverage(
    request: Request,
    session: DbSession,
    axis: Annotated[str, Query(pattern="^(theme|language)$")] = "theme",
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    periods: Annotated[int, Query(ge=1, le=24)] = 6,
    until: Annotated[IsoTime | None, Query(description="end of the period (default: now)")] = None,
) -> dict[str, Any]:
    """Items per cell over the last `days` days, and gap alerts (crawler.web.coverage).

    Access rule: the harvested-relevant and approved counts also reveal items the editors have not
    published (pending, rejected), so they need a token with the ``coverage`` scope (``ewsi
    api-token add NAME --scope coverage``; ``"scope": "all"``). Anonymous clients and other tokens
    get published items only (``"scope": "published"``: ``relevant`` null, ``approved`` = published
    items, alerts on those counts), like every other read route.
    """
    from crawler.web.coverage import report

    scope = "all" if "coverage" in token_scopes(request, session) else "published"
    end = utc_param(until, "until") or datetime.now(UTC)
    # the report reaches back `periods` + 1 spans of `days` before `until`: near year 1 the spans
    # that would start before it are left out (fewer periods), and an `until` too early for even
    # one period moves to the earliest end that has one; nothing is stored that early
    earliest = datetime.min.replace(tzinfo=UTC)
    fit = (end - earliest) // timedelta(days=days) - 1
    if fit < 1:
        end, fit = earliest + timedelta(days=2 * days), 1
    return report(session, end, axis, days, min(periods, fit), scope)


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``/api/v1`` alone (cached on the app): the read routes and every
    router `install` added under ``/api/v1`` (rule in `install`)."""
    doc = getattr(app.state, "portal_openapi", None)
    if doc is None:
        routers = (router, *getattr(app.state, "api_routers", ()))
        doc = get_openapi(
            title="EWSI portal API",
            version=API_VERSION,
            description=(__doc__ or "").split("\n\n", 1)[1] if __doc__ else None,
            routes=[route for each in routers for route in each.routes],
        )
        app.state.portal_openapi = doc
    return doc


def install(app: FastAPI, api_routers: tuple[APIRouter, ...] = (), **overrides: Any) -> None:
    """Add the read API, its OpenAPI document and the feeds (crawler.web.feeds) to `app`.

    Rule: every router under ``/api/v1`` (`api_routers`, e.g. crawler.web.submit's contributions)
    is added here and nowhere else, so each of its routes is in ``/api/v1/openapi.json``; its own
    dependencies (token, size limit, rate limits) stay as they are. `overrides` replace
    `PortalConfig` fields (tests: ``anonymous_per_minute=10_000``). The app must provide
    ``app.state.session_factory`` (crawler.web.deps.get_session) by the first request.
    """
    runtime = getattr(app.state, "runtime", None) or RuntimeSettings()
    app.state.portal = PortalState(config=PortalConfig.from_settings(runtime, **overrides))
    app.include_router(router)
    app.state.api_routers = api_routers
    for extra in api_routers:
        app.include_router(extra)
    app.include_router(feeds.router)

    @app.get(f"{API_PREFIX}/openapi.json", include_in_schema=False)
    def portal_openapi() -> JSONResponse:
        return PortalJSONResponse(openapi_document(app))
