"""What the portal read API (crawler.web.portal) and the feeds (crawler.web.feeds) share.

- Configuration: `PortalConfig` (rate of anonymous clients, page sizes, token cache, public URL),
  read once by `crawler.web.portal.install` and kept with the limiter on ``app.state.portal``
  (`PortalState`).
- Output hygiene (T42): every string leaves through `clean_out` (C0/C1 controls except TAB/LF/CR,
  DEL, lone surrogates and non-characters removed); links are only absolute http(s) URLs without
  spaces or controls, else null (`safe_link`, T41); `public_record` is the one public form of a
  store record (also used by ``ewsi export`` and the digests).
- Rate limits (`rate_limit`, crawler.web.ratelimit): anonymous clients get
  `PortalConfig.anonymous_per_minute` requests per minute per client address; ``Authorization:
  Bearer <token>`` uses that token's limit (an unknown, malformed or revoked token is 401; valid
  tokens are cached for `PortalConfig.token_cache_s`). An empty bucket is 429 with Retry-After. On
  PostgreSQL the buckets live in the database: every `ewsi serve` process charges the same ones.
- Query rules (`strict_query`, every read API and feed route): a parameter the route does not take
  is refused naming it, the closest one and those the route takes; a parameter of `MULTI_VALUED`
  may be repeated ("any of" the values), any other given twice is refused naming it.
- Ranges (`check_ranges`): a start after its end (``published_from``/``published_to``,
  ``from``/``to``, ``deadline_after``/``deadline_before``) is refused as "START: is after END".
- Filters (`build_filter`): a text value holding a control character is refused, never dropped; dates
  are ISO 8601 only (`IsoTime`), a date meaning its midnight UTC; a theme is an id, a name (any
  case) or a two-letter code (`ThemeParam`, crawler.themes, as the desk takes it); a country is
  ``EU`` or ISO 3166-1 alpha-2 (`CountryParam`), a language ISO 639-1 or ``und`` (`LanguageParam`),
  a content type one of `crawler.types.CONTENT_TYPES` (`ContentTypeParam`). A malformed value is a
  validation error naming the parameter: 422 in the read API, 400 in the feeds (crawler.web.feeds),
  never an empty answer.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as dtime
from functools import cache
from typing import Annotated, Any

from fastapi import HTTPException, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BeforeValidator, StringConstraints, WithJsonSchema

from classifier import themes as theme_config
from crawler.config import Settings as RuntimeSettings
from crawler.errors import UnknownSource, closest_name
from crawler.sources import country_hint, is_country_code, iso_countries, iso_languages
from crawler.store import portal, tokens
from crawler.store.session import Session
from crawler.store.sources import require_known_source
from crawler.themes import THEME_CODES, theme_name
from crawler.types import CONTENT_TYPES
from crawler.urls import web_url
from crawler.web.deps import NO_CONTROLS, DbSession, client_address, has_controls
from crawler.web.ratelimit import SharedLimiter, retry_after_header

API_PREFIX = "/api/v1"
API_MAX_LIMIT = 100
"""The largest ``limit`` the read API accepts (items, funding, events). Rule: a ``limit`` outside
1..API_MAX_LIMIT is a 422 naming the bound ("expected a whole number at most 100, got 500"), never
silently read;
`PortalConfig.max_page_size` may only lower the page size actually served."""


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
    max_page_size: int = API_MAX_LIMIT
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
    """`value` if it is a web URL (crawler.urls), control characters cleaned for output, else None."""
    link = web_url(value)
    return None if link is None else clean_out(link)


@cache
def themes_config() -> theme_config.ThemeConfig:
    """The themes of config/themes.yaml, loaded once."""
    return theme_config.load()


def theme_ids() -> dict[str, str]:
    """Theme name and id -> id, for the six themes of config/themes.yaml."""
    out: dict[str, str] = {}
    for theme in themes_config().themes:
        out[theme.name] = theme.id
        out[theme.id] = theme.id
    return out


def theme_names() -> dict[str, str]:
    """Theme id -> portal name."""
    return {theme.id: theme.name for theme in themes_config().themes}


ATTACHMENT_DOCUMENT_KEYS = ("document_title", "language", "page_count", "text_chars", "sha256")
"""What the item detail adds to an attachment fetched with its page (crawler.store.portal.with_documents)."""


def public_record(row: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The API form of a store record (crawler.store.portal): strings cleaned, links checked, theme
    names turned into ids, ``api_url`` added (absolute, under `base_url`). Tombstones stay small."""
    if not row.get("published"):
        return {"id": row["id"], "published": False, "modified_at": row.get("modified_at")}
    ids = theme_ids()
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("url", "source_url", "registration_url"):
            out[key] = safe_link(value)
        elif key in ("place", "budget") and isinstance(value, dict):
            out[key] = {k: clean_out(v) if isinstance(v, str) else v for k, v in value.items()}
        elif key == "themes":
            out[key] = [clean_out(ids.get(v, v)) for v in value]
        elif key == "attachments":
            out[key] = [
                {
                    "url": link,
                    "title": clean_out(a.get("title")),
                    "media_type": clean_out(a.get("media_type")),
                    "role": clean_out(a.get("role")),
                    **{
                        k: clean_out(a[k]) if isinstance(a[k], str) else a[k]
                        for k in ATTACHMENT_DOCUMENT_KEYS
                        if k in a
                    },
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
        elif key == "also_from":
            out[key] = [
                {"source_id": clean_out(a.get("source_id")), "url": safe_link(a.get("url"))} for a in value
            ]
        elif key == "relevance_evidence":
            out[key] = [
                {
                    "term": clean_out(e.get("term")),
                    "weight": e.get("weight"),
                    "language": clean_out(e.get("language")),
                    "count": e.get("count"),
                }
                for e in value or []
                if isinstance(e, dict)
            ]
        elif isinstance(value, str):
            out[key] = clean_out(value)
        else:
            out[key] = value
    out["api_url"] = f"{base_url}{API_PREFIX}/items/{row['id']}"
    return out


@dataclass
class PortalState:
    """What `install` keeps on ``app.state.portal``: config, limiter, token cache."""

    config: PortalConfig
    limiter: SharedLimiter = field(default_factory=SharedLimiter)
    tokens: dict[str, tuple[tokens.TokenInfo, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def portal_state(request: Request) -> PortalState:
    return request.app.state.portal


def now_of(request: Request) -> datetime:
    """The current time for the read side: ``app.state.clock()`` when set (tests freeze it), else now."""
    clock = getattr(request.app.state, "clock", None)
    return clock().astimezone(UTC) if clock is not None else datetime.now(UTC)


def _token_info(state: PortalState, session: Session, token: str) -> tokens.TokenInfo | None:
    key = tokens.token_hash(token)
    now = time.monotonic()
    with state.lock:
        cached = state.tokens.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
    info = tokens.find_token(session, token)
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
    bind = session.get_bind()
    key = f"addr:{client_address(request)}"
    limit = state.config.anonymous_per_minute
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        info = None
        if scheme.lower() == "bearer" and token.strip() and len(token) < 200:
            info = _token_info(state, session, token.strip())
        if info is None:
            state.limiter.take(key, limit, bind)  # a wrong token still costs its sender
            raise HTTPException(401, "unknown or revoked API token", headers={"WWW-Authenticate": "Bearer"})
        key, limit = f"token:{info.id}", info.rate_limit_per_minute
    allowed, left, wait = state.limiter.take(key, limit, bind)
    if not allowed:
        raise HTTPException(
            429, "rate limit reached, retry later", headers={"Retry-After": retry_after_header(wait)}
        )
    response.headers["X-RateLimit-Limit"] = str(limit)
    response.headers["X-RateLimit-Remaining"] = str(left)


def token_scopes(request: Request, session: Session) -> tuple[str, ...]:
    """The scopes of the request's bearer token; () for an anonymous request (`rate_limit`, which
    runs first on every read route, has already answered 401 for a bad token)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) >= 200:
        return ()
    info = _token_info(portal_state(request), session, token.strip())
    return info.scopes if info is not None else ()


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


def _clean_param(value: str | None, name: str) -> str | None:
    """`value` stripped (None when empty); HTTPException 422 when it holds a control character."""
    if value is None:
        return None
    if has_controls(value):
        raise HTTPException(422, f"{name}: control characters are not allowed")
    return value.strip() or None


def check_filter(session: Session, flt: portal.ItemFilter) -> None:
    """Refuse what a filter cannot mean, as a validation error naming the parameter (422 from the
    API, 400 from a feed): a ``source`` that is no source of the store (the desk and ``ewsi queue
    --source`` refuse it too; an empty page would read as "nothing published"), and a
    ``published_from`` after ``published_to``."""
    errors: list[dict[str, Any]] = []
    for source_id in portal.any_of(flt.source_id):
        try:
            require_known_source(session, source_id)
        except UnknownSource as exc:
            errors.append(_query_error("source", str(exc)))
    errors += range_errors(("published_from", flt.published_from, "published_to", flt.published_to))
    if errors:
        raise RequestValidationError(errors)


def _query_error(name: str, message: str, kind: str = "value_error") -> dict[str, Any]:
    return {"loc": ("query", name), "msg": message, "type": kind}


RangeBounds = tuple[str, datetime | None, str, datetime | None]
"""(start parameter, its value, end parameter, its value) of a from/to style pair."""


def range_errors(*pairs: RangeBounds) -> list[dict[str, Any]]:
    """One error "START: is after END" per pair whose start is after its end (equal bounds pass)."""
    return [
        _query_error(start, f"is after {end}")
        for start, low, end, high in pairs
        if low is not None and high is not None and low > high
    ]


def check_ranges(*pairs: RangeBounds) -> None:
    """Rule for every from/to style pair of every route: a start after its end is a validation
    error naming the start (`range_errors`), never an empty answer."""
    if errors := range_errors(*pairs):
        raise RequestValidationError(errors)


MULTI_VALUED = ("theme", "country", "language", "content_type", "source")
"""Query parameters that may be repeated, meaning "any of" the values (as the desk's filters and
``ewsi queue --language``); every other parameter takes one value."""


def query_names(dependant: Dependant) -> list[str]:
    """The query parameters a route takes (its own and its dependencies'), in declaration order."""
    names: list[str] = []
    for sub in dependant.dependencies:
        names += [n for n in query_names(sub) if n not in names]
    names += [p.alias for p in dependant.query_params if p.alias not in names]
    return names


def strict_query(request: Request) -> None:
    """FastAPI dependency of every read API and feed route: RequestValidationError (422 from the
    API, 400 from a feed) for a query parameter the route does not take (the message suggests the
    closest and lists those it takes) and for a repeat of one outside `MULTI_VALUED`."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    taken = query_names(route.dependant)
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for name, _ in request.query_params.multi_items():
        seen[name] = seen.get(name, 0) + 1
    for name, count in seen.items():
        shown = clean_out(name[:40]) or "?"
        if name not in taken:
            close = closest_name(name, taken)
            hint = f"did you mean {close}? " if close else ""
            takes = ", ".join(taken) if taken else "no parameters"
            errors.append(
                _query_error(shown, f"unknown parameter; {hint}this address takes {takes}", "extra_forbidden")
            )
        elif count > 1 and name not in MULTI_VALUED:
            errors.append(_query_error(name, f"takes one value, it was given {count}", "too_many_values"))
    if errors:
        raise RequestValidationError(errors)


def _country_code(value: str) -> str:
    code = value.strip().upper()
    if code and not is_country_code(code):
        raise ValueError("expected a country code: ISO 3166-1 alpha-2 (DE) or EU" + country_hint(code))
    return code


def _language_code(value: str) -> str:
    code = value.strip().lower()
    if code and code != "und" and code not in iso_languages():
        raise ValueError("expected a language code: ISO 639-1 (de) or und")
    return code


def _content_type(value: str) -> str:
    name = value.strip()
    if name and name not in CONTENT_TYPES:
        raise ValueError(f"expected a content type: {', '.join(CONTENT_TYPES)}")
    return name


def one_of_pattern(values: Iterable[str], any_case: bool = False) -> str:
    """A pattern (JSON Schema / ECMA 262 subset) matching exactly one of `values`, or nothing, between
    spaces; with `any_case`, in any case ("de", "DE", "De"). The OpenAPI document then says which
    values a parameter takes, so a schema-driven client never sends one the validator refuses (and
    no control character can match)."""

    def spelled(value: str) -> str:
        if not any_case:
            return re.escape(value)
        return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in value)

    return "^ *(?:" + "|".join(spelled(v) for v in sorted(values)) + ")? *$"


def _code_param(validator: Callable[[str], str], pattern: str) -> Any:
    """A query parameter type: control characters refused first (NO_CONTROLS: their own error),
    then `validator` (its message names what is expected); the OpenAPI document shows `pattern`."""
    return Annotated[
        str,
        StringConstraints(pattern=NO_CONTROLS),
        AfterValidator(validator),
        WithJsonSchema({"type": "string", "pattern": pattern}),
    ]


CountryParam = _code_param(_country_code, one_of_pattern(iso_countries() | {"EU"}, any_case=True))
"""A query parameter: ``EU`` or an ISO 3166-1 alpha-2 code, any case (upper-cased); "" = none."""
LanguageParam = _code_param(_language_code, one_of_pattern(iso_languages() | {"und"}, any_case=True))
"""A query parameter: an ISO 639-1 code or ``und``, any case (lower-cased); "" = none."""
ContentTypeParam = _code_param(_content_type, one_of_pattern(CONTENT_TYPES))
"""A query parameter: one of `crawler.types.CONTENT_TYPES`; "" = none."""


def theme_values(theme: str | list[str] | None) -> tuple[str, ...]:
    """The stored forms (name and id) of the themes given by id or name; () for None."""
    out: list[str] = []
    for value in _values(theme):
        theme_id = theme_ids()[value]
        out += [theme_names()[theme_id], theme_id]
    return tuple(out)


Values = str | list[str] | None
"""A filter value from the query: one, several (any of them) or none."""


def _values(value: Values, name: str = "") -> tuple[str, ...]:
    """The non-empty values of `value`, stripped, each once, in order; HTTPException 422 when one
    holds a control character."""
    out: list[str] = []
    for each in [value] if isinstance(value, str) else value or []:
        cleaned = _clean_param(each, name)
        if cleaned and cleaned not in out:
            out.append(cleaned)
    return tuple(out)


def _one_or_more(values: tuple[str, ...]) -> str | tuple[str, ...] | None:
    return None if not values else values[0] if len(values) == 1 else values


def _theme_id(value: str) -> str:
    """The theme id for an id, a name (any case) or a code (crawler.themes); "" stays ""."""
    if not value.strip():
        return ""
    try:
        return theme_ids()[theme_name(value)]
    except (ValueError, KeyError):
        choices = ", ".join(
            f"{theme_id} ({THEME_CODES.get(name, '')})" for theme_id, name in theme_names().items()
        )
        raise ValueError(f"expected a theme id, name or code: {choices}") from None


def _theme_spellings() -> set[str]:
    return set(theme_ids()) | set(THEME_CODES.values())


ThemeParam = _code_param(_theme_id, one_of_pattern(_theme_spellings(), any_case=True))
"""A query or path parameter: a theme id, name or two-letter code, any case (-> its id); "" = none."""

ThemesQuery = list[ThemeParam] | None  # type: ignore[valid-type]
"""A repeatable ``theme`` (`MULTI_VALUED`): any of the themes."""
CountriesQuery = list[CountryParam] | None  # type: ignore[valid-type]
"""A repeatable ``country``: any of the codes."""
LanguagesQuery = list[LanguageParam] | None  # type: ignore[valid-type]
"""A repeatable ``language``: any of the codes."""
ContentTypesQuery = list[ContentTypeParam] | None  # type: ignore[valid-type]
"""A repeatable ``content_type``: any of the types."""
SourcesQuery = list[Annotated[str, StringConstraints(max_length=64, pattern=NO_CONTROLS)]] | None
"""A repeatable ``source``: any of the source ids (each one of the store, `check_filter`)."""


def build_filter(
    *,
    theme: Values = None,
    country: Values = None,
    language: Values = None,
    content_type: Values = None,
    source: Values = None,
    published_from: datetime | date | None = None,
    published_to: datetime | date | None = None,
    q: str | None = None,
    updated_since: datetime | date | None = None,
) -> portal.ItemFilter:
    """A store filter from query values (stripped; country upper-cased, language lower-cased;
    several values of one filter mean any of them).

    Raises HTTPException 422 when a text value holds a control character (`has_controls`): such a
    value matches nothing a person typed, and dropping it would widen the result unasked."""
    countries = tuple(c.upper() for c in _values(country, "country"))
    languages = tuple(c.lower() for c in _values(language, "language"))
    return portal.ItemFilter(
        themes=theme_values(list(_values(theme, "theme"))),
        country=_one_or_more(countries),
        language=_one_or_more(languages),
        content_type=_one_or_more(_values(content_type, "content_type")),
        source_id=_one_or_more(_values(source, "source")),
        published_from=utc_param(published_from, "published_from"),
        published_to=utc_param(published_to, "published_to"),
        q=_clean_param(q, "q"),
        updated_since=utc_param(updated_since, "updated_since"),
    )
