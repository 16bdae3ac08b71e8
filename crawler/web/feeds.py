"""Atom feeds of published items and an iCalendar feed of open funding calls.

Routes (rate-limited like the read API, crawler.web.public.rate_limit):
- ``GET /feeds/atom?theme=&country=&content_type=&language=&source=``: Atom 1.0 (RFC 4287) of the
  newest published items matching the filters (`PortalConfig.feed_size` entries, 50);
- ``GET /feeds/theme/{theme}.atom``, ``/feeds/country/{code}.atom``, ``/feeds/type/{content_type}.atom``:
  the same for one theme, country or content type (stable URLs to subscribe to);
- ``GET /feeds/funding.ics``: iCalendar (RFC 5545) with one event per deadline still ahead of the
  published funding calls (a call with two cut-offs gives two), each with a reminder 7 days before;
- ``GET /feeds/events.ics``: iCalendar of the published events that have not ended (all-day events
  as DATE values), with their place; both at most `CALENDAR_SIZE` items, soonest first.

Errors: a feed reader gets every error of these routes as plain text with its status (crawler.web.app):
400 for a malformed query value (``?theme=%ff``, ``?country=12``, ``?language=xx``,
``?content_type=blog``, a control character: the rules of crawler.web.public `build_filter`, as the
read API's, whose answer to the same value is its 422), 404 for a path that names no feed (an unknown theme,
content type, or a country code that is neither ISO 3166-1 alpha-2 nor ``EU``; the answer lists what
the path takes: the themes' ids and names, the content types), 429 past the limits.

Well-formedness (T42): the XML is built with ElementTree, which escapes ``&``, ``<``, ``>`` and quotes
(``]]>`` is plain escaped text, no CDATA); characters XML 1.0 forbids (C0 controls, lone surrogates,
U+FFFE/U+FFFF) and C1 controls are removed first by `crawler.web.public.clean_out`. iCalendar text is
escaped by the icalendar package after the same cleaning. Entry ids are the items' API URLs under
``EWSI_PUBLIC_URL``, so they stay stable when an item's link changes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from crawler.sources import is_country_code
from crawler.store import portal, structured
from crawler.types import CONTENT_TYPES
from crawler.web import calendars
from crawler.web.deps import NO_CONTROLS, DbSession, validation_message
from crawler.web.public import (
    API_PREFIX,
    ContentTypeParam,
    CountryParam,
    LanguageParam,
    ThemeParam,
    build_filter,
    check_filter,
    clean_out,
    now_of,
    portal_state,
    public_record,
    rate_limit,
    theme_ids,
    theme_names,
)
from crawler.web.schemas import ERROR_RESPONSES

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
ICS_TYPE = "text/calendar; charset=utf-8"
CALENDAR_SIZE = 200
"""Items in an iCalendar feed at most."""
FEED_AUTHOR = "European Web Site on Integration"


def feed_error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """An error as a feed reader gets it: plain text, ``<status> <sentence>``, with the status."""
    return PlainTextResponse(f"{status} {message}\n", status_code=status, headers=dict(headers or {}))


def path_values() -> dict[str, str]:
    """What each path parameter of a feed takes, as the 404 for a value that names no feed says it."""
    themes = ", ".join(f"{theme_id} ({name})" for theme_id, name in theme_names().items())
    return {
        "theme": f"the themes are {themes}",
        "country": "not a country code (ISO 3166-1 alpha-2, or EU)",
        "content_type": f"the content types are {', '.join(CONTENT_TYPES)}",
    }


def no_such_feed(parameter: str) -> HTTPException:
    """The 404 for a path value that names no feed, listing what `parameter` takes (`path_values`):
    ``No such feed: the themes are active_citizenship (Active Citizenship), ...``."""
    said = path_values().get(parameter)
    return HTTPException(404, f"No such feed: {said}." if said else "No such feed.")


class FeedRoute(APIRoute):
    """A feed route whose errors are plain text (module docstring), whatever the app's error pages:
    a malformed path value names no feed (404), a malformed query value is 400, and the route's
    own HTTP errors (404, 429 with Retry-After) keep their status."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                errors = exc.errors()
                for error in errors:
                    loc = tuple(error.get("loc", ()))
                    if loc[:1] == ("path",):
                        return feed_error(404, no_such_feed(str(loc[-1])).detail)
                said = "; ".join(
                    f"{tuple(e.get('loc', ('?',)))[-1]}: {validation_message(e)}" for e in errors
                )
                return feed_error(400, f"Bad feed request ({said}).")
            except StarletteHTTPException as exc:
                return feed_error(exc.status_code, str(exc.detail), exc.headers)

        return handle


router = APIRouter(
    prefix="/feeds",
    tags=["feeds"],
    dependencies=[Depends(rate_limit)],
    responses=ERROR_RESPONSES,
    route_class=FeedRoute,
)


def _rfc3339(value: datetime | None) -> str:
    value = value or datetime.now(UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: clean_out(v) or "" for k, v in attrs.items()})
    if text is not None:
        element.text = clean_out(text)
    return element


def atom_document(
    items: list[dict[str, Any]], *, title: str, feed_url: str, base_url: str, now: datetime | None = None
) -> bytes:
    """An Atom 1.0 feed (UTF-8 bytes with XML declaration) of API records (`public_record` output).

    Feed id and rel=self link: `feed_url`; each entry: id and rel=related link = its API URL,
    rel=alternate = the source page (when it is an http(s) link), title and summary as text,
    updated = modified_at (else approved_at, published_at), published, one category per theme
    (term = theme id, label = name), author = the source's name.
    """
    names = theme_names()
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", feed_url)
    _sub(feed, "title", title)
    times = [i.get("modified_at") or i.get("approved_at") or i.get("published_at") for i in items]
    _sub(feed, "updated", _rfc3339(max((t for t in times if t), default=now)))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=base_url + "/")
    author = _sub(feed, "author")
    _sub(author, "name", FEED_AUTHOR)
    _sub(feed, "generator", "ewsi-harvester")
    for item, updated in zip(items, times, strict=True):
        entry = _sub(feed, "entry")
        _sub(entry, "id", item["api_url"])
        _sub(entry, "title", item.get("title") or "(untitled)", type="text")
        _sub(entry, "updated", _rfc3339(updated or now))
        if item.get("published_at"):
            _sub(entry, "published", _rfc3339(item["published_at"]))
        if item.get("url"):
            _sub(entry, "link", rel="alternate", type="text/html", href=item["url"])
        _sub(entry, "link", rel="related", type="application/json", href=item["api_url"])
        if item.get("summary"):
            _sub(entry, "summary", item["summary"], type="text")
        for theme_id in item.get("themes") or []:
            _sub(
                entry,
                "category",
                term=theme_id,
                label=names.get(theme_id, theme_id),
                scheme=f"{base_url}{API_PREFIX}/themes",
            )
        entry_author = _sub(entry, "author")
        _sub(entry_author, "name", item.get("source_name") or item.get("source_id") or FEED_AUTHOR)
    ET.register_namespace("", ATOM_NS)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _feed_response(request: Request, session: Any, *, title: str, **filters: Any) -> Response:
    state = portal_state(request)
    flt = build_filter(**filters)
    check_filter(session, flt)
    page = portal.list_items(session, flt, limit=state.config.feed_size)
    base = state.config.public_url
    items = [public_record(row, base) for row in page.items]
    query = urlencode(sorted((k, v) for k, v in request.query_params.items() if k in filters and v))
    path = urlsplit(str(request.url)).path
    feed_url = f"{base}{path}" + (f"?{query}" if query else "")
    body = atom_document(items, title=title, feed_url=feed_url, base_url=base)
    return Response(body, media_type=ATOM_TYPE)


def _title(theme: str | None, country: str | None, content_type: str | None) -> str:
    parts = []
    if theme:
        parts.append(theme_names()[theme_ids()[theme]])
    if country:
        parts.append(country.upper())
    if content_type:
        parts.append(content_type)
    return "EWSI: " + (" · ".join(parts) if parts else "latest items")


_ATOM: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/atom+xml": {}}, "description": "Atom 1.0 feed"}
}


@router.get("/atom", response_class=Response, responses=_ATOM, summary="Atom feed of published items")
def atom_feed(
    request: Request,
    session: DbSession,
    theme: Annotated[ThemeParam | None, Query()] = None,  # type: ignore[valid-type]
    country: Annotated[CountryParam | None, Query(max_length=8)] = None,
    content_type: Annotated[ContentTypeParam | None, Query(max_length=32)] = None,
    language: Annotated[LanguageParam | None, Query(max_length=8)] = None,
    source: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROLS)] = None,
) -> Response:
    """The newest published items matching the filters, as Atom."""
    return _feed_response(
        request,
        session,
        title=_title(theme, country, content_type),
        theme=theme,
        country=country,
        content_type=content_type,
        language=language,
        source=source,
    )


@router.get("/theme/{theme}.atom", response_class=Response, responses=_ATOM, summary="Atom feed of one theme")
def theme_feed(request: Request, session: DbSession, theme: ThemeParam) -> Response:  # type: ignore[valid-type]
    """The newest published items of one theme (id or name), as Atom."""
    return _feed_response(request, session, title=_title(theme, None, None), theme=theme)


@router.get(
    "/country/{country}.atom",
    response_class=Response,
    responses=_ATOM,
    summary="Atom feed of a country",
)
def country_feed(request: Request, session: DbSession, country: str) -> Response:
    """The newest published items of one country code (``EU`` for EU-level items), as Atom; 404 for
    a code that is neither ``EU`` nor ISO 3166-1 alpha-2 (any case: ``de`` is ``DE``)."""
    if len(country) > 8 or not is_country_code(country.upper()):
        raise no_such_feed("country")
    return _feed_response(request, session, title=_title(None, country, None), country=country)


@router.get(
    "/type/{content_type}.atom",
    response_class=Response,
    responses=_ATOM,
    summary="Atom feed of a type",
)
def type_feed(request: Request, session: DbSession, content_type: str) -> Response:
    """The newest published items of one content type (news, document, funding, ...), as Atom."""
    if len(content_type) > 32 or content_type not in CONTENT_TYPES:
        raise no_such_feed("content_type")
    return _feed_response(request, session, title=_title(None, None, content_type), content_type=content_type)


_ICS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}, "description": "iCalendar (RFC 5545)"}
}


def _ics_records(request: Request, rows: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    base = portal_state(request).config.public_url
    return base, [public_record(row, base) for row in rows]


@router.get("/funding.ics", response_class=Response, responses=_ICS, summary="iCalendar of funding deadlines")
def funding_calendar(request: Request, session: DbSession) -> Response:
    """Every deadline still ahead of the published funding calls (one event each, with a reminder
    7 days before), soonest call first (crawler.web.calendars)."""
    now = now_of(request)
    rows = structured.published_calls(session, now, deadline_after=now, limit=CALENDAR_SIZE)
    base, calls = _ics_records(request, rows)
    body = calendars.funding_calendar(calls, base_url=base, clean=clean_out, now=now, after=now)
    return Response(body, media_type=ICS_TYPE)


@router.get("/events.ics", response_class=Response, responses=_ICS, summary="iCalendar of coming events")
def events_calendar(request: Request, session: DbSession) -> Response:
    """The published events that have not ended, soonest first (crawler.web.calendars)."""
    now = now_of(request)
    rows = structured.published_events(session, now, start_from=now, limit=CALENDAR_SIZE)
    base, events = _ics_records(request, rows)
    body = calendars.events_calendar(events, base_url=base, clean=clean_out, now=now)
    return Response(body, media_type=ICS_TYPE)
