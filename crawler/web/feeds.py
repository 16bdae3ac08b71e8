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
the path takes: the themes' ids and names, the content types; for ``UK`` and ``EL``, the codes EU
institutions write, the country feed meant: ``did you mean GB? /feeds/country/GB.atom``), 429 past
the limits. The query rules
are the read API's (crawler.web.public `strict_query`: an unknown or wrongly repeated parameter is
400); the message is the API's ``message``.

Conditional requests: an Atom feed carries a strong ETag of its bytes and answers 304 to an
If-None-Match that names it (`conditional`).

Feed ids: a feed's id and rel=self link use the canonical form of its key whatever the request
spelled (theme id, upper-case country code, content type; for ``/feeds/atom`` the filters sorted,
`canonical_query`): ``/feeds/theme/SC.atom`` is ``/feeds/theme/social_cohesion.atom``.

Well-formedness (T42): the XML is built with ElementTree, which escapes ``&``, ``<``, ``>`` and quotes
(``]]>`` is plain escaped text, no CDATA); characters XML 1.0 forbids (C0 controls, lone surrogates,
U+FFFE/U+FFFF) and C1 controls are removed first by `crawler.web.public.clean_out`. iCalendar text is
escaped by the icalendar package after the same cleaning. Entry ids are the items' API URLs under
``EWSI_PUBLIC_URL``, so they stay stable when an item's link changes.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from crawler.sources import country_suggestion, is_country_code
from crawler.store import portal, structured
from crawler.types import CONTENT_TYPES
from crawler.web import calendars
from crawler.web.deps import DbSession, errors_sentence, field_errors
from crawler.web.public import (
    API_PREFIX,
    ContentTypesQuery,
    CountriesQuery,
    LanguagesQuery,
    SourcesQuery,
    ThemeParam,
    ThemesQuery,
    build_filter,
    check_filter,
    clean_out,
    now_of,
    portal_state,
    public_record,
    rate_limit,
    strict_query,
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
                return feed_error(400, f"Bad feed request ({errors_sentence(field_errors(errors))}).")
            except StarletteHTTPException as exc:
                return feed_error(exc.status_code, str(exc.detail), exc.headers)

        return handle


router = APIRouter(
    prefix="/feeds",
    tags=["feeds"],
    dependencies=[Depends(rate_limit), Depends(strict_query)],
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
    rel=alternate = the source page (when it is an http(s) link), title and summary as text (an
    event's or a call's summary opens with its days and place or its deadline, `_feed_response`),
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


def canonical_query(filters: Mapping[str, Any]) -> str:
    """The query of a feed's id and self link: each filter's canonical values (theme ids, upper-case
    country codes, lower-case languages), sorted, each once, whatever spelling the request used."""
    pairs: set[tuple[str, str]] = set()
    for key, value in filters.items():
        for each in [value] if isinstance(value, str) else value or []:
            text = str(each).strip()
            if text:
                pairs.add(
                    (key, text.upper() if key == "country" else text.lower() if key == "language" else text)
                )
    return urlencode(sorted(pairs))


def _feed_response(request: Request, session: Any, *, path: str, title: str, **filters: Any) -> Response:
    """The Atom feed of `filters`; its id and self link are `path` (canonical) and `canonical_query`."""
    state = portal_state(request)
    flt = build_filter(**filters)
    check_filter(session, flt)
    page = portal.list_items(session, flt, limit=state.config.feed_size)
    base = state.config.public_url
    items = [public_record(row, base) for row in page.items]
    records = structured.records_of(session, [item["id"] for item in items], now_of(request))
    for item in items:  # a reader shows the summary: an event's days and place, a call's deadline
        line = structured.when_and_where(records.get(item["id"], {}))
        if line:
            item["summary"] = f"{line}\n\n{item['summary']}" if item.get("summary") else line
    query = canonical_query(filters) if path == "/atom" else ""  # a path feed's key is in its path
    feed_url = f"{base}/feeds{path}" + (f"?{query}" if query else "")
    body = atom_document(items, title=title, feed_url=feed_url, base_url=base)
    return conditional(request, body, ATOM_TYPE)


def conditional(request: Request, body: bytes, media_type: str) -> Response:
    """The answer with a strong ETag of its bytes but the feed's own ``updated`` (RFC 9110 8.8.3);
    304 without a body when the request's If-None-Match names it or is ``*``, so a feed reader
    polling an unchanged feed gets nothing to download."""
    # the feed's own <updated> (its first) is left out: an empty feed dates itself now, so its bytes
    # change every second while what it lists does not
    stable = re.sub(rb"<updated>[^<]*</updated>", b"", body, count=1)
    tag = '"' + hashlib.sha256(stable).hexdigest()[:32] + '"'
    asked = [t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")]
    if tag in asked or "*" in asked:
        return Response(status_code=304, headers={"ETag": tag})
    return Response(body, media_type=media_type, headers={"ETag": tag})


def _title(themes: Any, countries: Any, content_types: Any) -> str:
    """ "EWSI: " and the names of the feed's themes, countries and content types."""
    parts = [theme_names()[t] for t in themes or () if t]
    parts += [c.strip().upper() for c in countries or () if c.strip()]
    parts += [c for c in content_types or () if c]
    parts = list(dict.fromkeys(parts))  # a value given 3,000 times is named once
    return "EWSI: " + (" · ".join(parts) if parts else "latest items")


_ATOM: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/atom+xml": {}}, "description": "Atom 1.0 feed"}
}


@router.get("/atom", response_class=Response, responses=_ATOM, summary="Atom feed of published items")
def atom_feed(
    request: Request,
    session: DbSession,
    theme: Annotated[ThemesQuery, Query(description="theme id, name or code; repeat: any of")] = None,
    country: Annotated[CountriesQuery, Query(description="repeat: any of")] = None,
    content_type: Annotated[ContentTypesQuery, Query(description="repeat: any of")] = None,
    language: Annotated[LanguagesQuery, Query(description="repeat: any of")] = None,
    source: Annotated[SourcesQuery, Query(description="source id; repeat: any of")] = None,
) -> Response:
    """The newest published items matching the filters, as Atom."""
    return _feed_response(
        request,
        session,
        path="/atom",
        title=_title(theme, country, content_type),
        theme=theme,
        country=country,
        content_type=content_type,
        language=language,
        source=source,
    )


@router.get("/theme/{theme}.atom", response_class=Response, responses=_ATOM, summary="Atom feed of one theme")
def theme_feed(request: Request, session: DbSession, theme: ThemeParam) -> Response:
    """The newest published items of one theme (id, name or code, any case), as Atom; the feed's id
    is its theme id's address (``/feeds/theme/social_cohesion.atom``)."""
    if not theme:
        raise no_such_feed("theme")
    path = f"/theme/{theme}.atom"
    return _feed_response(request, session, path=path, title=_title([theme], None, None), theme=theme)


@router.get(
    "/country/{country}.atom",
    response_class=Response,
    responses=_ATOM,
    summary="Atom feed of a country",
)
def country_feed(request: Request, session: DbSession, country: str) -> Response:
    """The newest published items of one country code (``EU`` for EU-level items), as Atom; 404 for
    a code that is neither ``EU`` nor ISO 3166-1 alpha-2 (any case: ``de`` is ``DE``)."""
    code = country.strip().upper()
    if len(country) > 8 or not is_country_code(code):
        meant = country_suggestion(code)
        if meant is not None:  # UK, EL: the codes EU institutions write for GB and GR
            raise HTTPException(
                404,
                f"No such feed: {code} is not a country code; did you mean {meant}? "
                f"/feeds/country/{meant}.atom",
            )
        raise no_such_feed("country")
    path = f"/country/{code}.atom"
    return _feed_response(request, session, path=path, title=_title(None, [code], None), country=code)


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
    path = f"/type/{content_type}.atom"
    return _feed_response(
        request, session, path=path, title=_title(None, None, [content_type]), content_type=content_type
    )


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
