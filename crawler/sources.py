"""Load and validate the operator YAML (`config/sources.yaml`) into `Source` records.

Validation runs before anything else (pydantic v2). Every problem is reported with the file, the
line of the offending node and the field path, e.g.
``config/sources.yaml:41: sources[3].schedule: expected 5 cron fields, got 6``. A schedule must be
one the scheduler can read and that fires (`check_cron`: APScheduler, imported when a cron is
checked, reads it as crawler.scheduling does; 30 February is refused).
YAML is read with PyYAML's safe loader only (no Python tags: CVE-2017-18342, CVE-2020-14343).
"""

from __future__ import annotations

import difflib
import functools
import re
import typing
import unicodedata
import zoneinfo
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from crawler.errors import ConfigError, validation_sentence
from crawler.types import EU_LANGUAGES
from crawler.urls import (
    char_name,
    escaped,
    hidden_chars,
    host_problem,
    https_form,
    scheme_typo,
    single_scheme,
    source_url_key,
    web_url,
)
from crawler.yamlerrors import yaml_error_line

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "config" / "sources.yaml"

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_LANG = re.compile(r"^[a-z]{2}$")
_COUNTRY = re.compile(r"^(EU|[A-Z]{2})$")


@functools.cache
def iso_countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, from the CLDR territory list Babel ships (offline); CLDR's private-use
    and unknown codes (``ZZ``, ``XA``, ``XB``, ``QO``...) and ``EU``/``EZ``/``UN`` groupings are not
    countries. Kosovo's ``XK`` is kept, as the EU and CLDR use it."""
    from babel import Locale

    codes = {c for c in Locale("en").territories if isinstance(c, str) and len(c) == 2 and c.isalpha()}
    return frozenset(codes - {"ZZ", "XA", "XB", "QO", "EU", "EZ", "UN"})


MAX_NAME_CHARS = 300
"""A source's name and publisher are shown in the desk, the feeds and the API: one line, at most this."""


def is_country_code(code: str) -> bool:
    """Whether `code` is ``EU`` or an ISO 3166-1 alpha-2 code (upper case), as a source's country."""
    return code == "EU" or (bool(_COUNTRY.match(code)) and code in iso_countries())


COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}
"""Codes EU institutions write (the Interinstitutional Style Guide's UK and EL) that are not
ISO 3166-1 alpha-2, and the ISO code the harvester uses for them."""


def country_suggestion(code: str) -> str | None:
    """The country code meant by a near-miss `code`, for a "did you mean" (``UK`` -> ``GB``, ``EL`` ->
    ``GR``, in any case), else None. Rule: every place that refuses a country code (the config, the
    read API and feeds, the desk's edit form, contributions) names this suggestion when there is one."""
    return COUNTRY_ALIASES.get(code.strip().upper())


def country_hint(code: str) -> str:
    """``; did you mean GB?`` for a near-miss `code` (`country_suggestion`), else ``""``."""
    meant = country_suggestion(code)
    return f"; did you mean {meant}?" if meant else ""


@functools.cache
def iso_languages() -> frozenset[str]:
    """ISO 639-1 codes: the two-letter language codes of the CLDR list Babel ships (offline), plus the
    24 EU languages. Rule for a source's ``languages``: each is one of these (``xx``, ``zz``, ``en-GB``
    and three-letter codes are not)."""
    from babel import Locale

    codes = {c for c in Locale("en").languages if isinstance(c, str) and len(c) == 2 and c.isalpha()}
    return frozenset(codes | set(EU_LANGUAGES))


_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|https?://[\w-]+(\.[\w-]+)+", re.ASCII)
_CRON_FIELD = re.compile(r"^[\d*/,\-A-Za-z?]+$")
# (low, high) per cron field: minute, hour, day of month, month, day of week
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_CRON_NAMES = ("minute", "hour", "day of month", "month", "day of week")
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a source URL, or None. Rule, for every start URL of the config, checked in
    this order, the URL shown escaped (crawler.urls `escaped`: ``'https://x.invalid/\\u202ex'``):

    - an invisible character anywhere (crawler.urls `invisible`: Unicode Cc, Cf, Zs, Zl, Zp, bidi
      controls, U+200B, U+FEFF, the no-break space, default ignorables, surrounding ones included):
      each named escaped and by its Unicode name;
    - the scheme twice (crawler.urls `single_scheme`: ``https://https://x``, ``http://http//x``): the
      address with one scheme suggested;
    - not a web URL (crawler.urls `web_url`: an absolute http or https URL, no user information, a
      port from 0 to 65535); a host typed without a scheme gets its https form suggested
      (crawler.urls `https_form`, as ``ewsi sources add`` does); user information and a port out of
      range are named (`authority_reason`, the words ``ewsi sources add`` uses too).

    - port 0 (no server listens on it; RFC 6335 reserves it);
    - a host name (one whose last label has a letter) that ``ewsi sources add`` refuses (crawler.urls
      `host_problem`: labels mixing scripts, ``еxample.eu`` with a Cyrillic ``е``; a name IDNA 2003
      and UTS 46 encode differently, ``faß.de``; RFC 1035 lengths).

    IP-address spellings are not held to `host_problem`: an address the fetcher refuses (``127.1``,
    ``0177.0.0.1``, ``2130706433``) is refused at fetch time, where the SSRF guard names it
    (tests/test_fetch_ssrf.py configures such spellings).
    """
    shown = escaped(url)
    hidden = hidden_chars(url)
    if hidden:
        names = ", ".join(
            char_name(c) if c == " " else f"{escaped(c)[1:-1]} ({char_name(c)})" for c in hidden
        )
        return f"{shown}: spaces, controls or invisible characters in the URL: {names}; type it without them"
    single = single_scheme(url)
    if single is not None:
        return f"{shown}: the scheme twice; did you mean {escaped(single)[1:-1]}?"
    if web_url(url) != url:  # the one web-URL rule (crawler.urls): no user:password@ either
        typo = scheme_typo(url)
        if typo is not None:
            return f"{shown}: a mistyped scheme; did you mean {escaped(typo)[1:-1]}?"
        meant = https_form(url)
        if meant is not None:
            return f"{shown}: no scheme; did you mean {escaped(meant)[1:-1]}?"
        reason = authority_reason(url)
        if reason is not None:
            return f"{shown}: {reason}"
        return (
            f"{shown}: only absolute http:// or https:// URLs without spaces, control characters "
            "or user information (user:password@) are allowed"
        )
    parts = urlsplit(url)
    if parts.port == 0:
        return f"{shown}: {PORT_ZERO}"
    name = parts.hostname or ""
    last_label = name.rstrip(".").split(".")[-1]
    if ":" not in name and re.search(r"[^\W\d_]", last_label):
        problem = host_problem(name)
        if problem is not None:
            return f"{shown}: the host {escaped(name)[1:-1]}: {problem}"
    return None


ZONE_ABBREVIATIONS = {
    "cet": "Europe/Brussels", "cest": "Europe/Brussels", "mez": "Europe/Berlin", "mesz": "Europe/Berlin",
    "eet": "Europe/Athens", "eest": "Europe/Athens", "oez": "Europe/Berlin", "oesz": "Europe/Berlin",
    "wet": "Europe/Lisbon", "west": "Europe/Lisbon", "gmt": "Europe/London", "bst": "Europe/London",
    "ist": "Europe/Dublin", "utc": "UTC", "z": "UTC",
}  # fmt: skip
"""Zone abbreviations an operator may write for a European source, -> one IANA zone that keeps them
(a place, with its summer time; an abbreviation names one half of the year only)."""


def zone_suggestion(value: str) -> str:
    """The "did you mean" of an unknown `timezone` value, else ``""``:
    - a zone abbreviation (CET, CEST, MESZ, EET, WET, BST ...: `ZONE_ABBREVIATIONS`) names the place
      that keeps it: ``; CEST is an abbreviation, not a zone: did you mean Europe/Brussels (or another
      city in the zone)?``; an abbreviation never gets the nearest spelling (``CEST`` is not ``EST``,
      six hours off);
    - a city alone (``Brussels``, ``lisbon``) gets the zone named after it (``Europe/Brussels``);
    - a near miss of a zone name (a letter left out or changed, other case, a space for ``_``:
      ``Europe/Brusels``, ``europe/paris``) gets the closest zone of the machine's tz database
      (difflib's ratio at least 0.8, case-insensitive); other letters, none."""
    key = value.strip().replace(" ", "_").lower()
    if key in ZONE_ABBREVIATIONS:
        meant = ZONE_ABBREVIATIONS[key]
        return (
            f"; {value.strip()} is an abbreviation, not a zone: did you mean {meant} "
            "(or another city in the zone)?"
        )
    by_lower = {z.lower(): z for z in zoneinfo.available_timezones()}
    if "/" not in key and len(key) >= 3:
        cities = [z for low, z in by_lower.items() if low.rsplit("/", 1)[-1] == key]
        if cities:
            return f"; did you mean {sorted(cities, key=lambda z: (not z.startswith('Europe/'), z))[0]}?"
    if key.isalpha() and len(key) <= 5:
        return ""
    close = by_lower.get(key) or next(
        iter(difflib.get_close_matches(key, list(by_lower), n=1, cutoff=0.8)), None
    )
    if close is None:
        return ""
    return f"; did you mean {by_lower.get(close, close)}?"


PORT_RANGE = "the port is not a number from 1 to 65535"
PORT_ZERO = "port 0 is no port a server listens on (RFC 6335); give the real port or none"
USER_INFO = "user information (user:password@) is not allowed: give the address without it"


def authority_reason(url: str) -> str | None:
    """Why the authority of an http(s) `url` keeps it from being a source URL (`url_problem`, and
    ``ewsi sources add``'s message): user information (`USER_INFO`: crawler.urls refuses
    ``user:pw@``), a port out of range or not a number (`PORT_RANGE`), port 0 (`PORT_ZERO`); None
    for any other URL (one urllib cannot split, ``https://[::1``, included)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    if "@" in parts.netloc:
        return USER_INFO
    if _bad_port(url):
        return PORT_RANGE
    return PORT_ZERO if parts.port == 0 else None


def _bad_port(url: str) -> bool:
    """True when `url` is an http(s) address whose port is out of range or not a number."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return False
    try:
        parts.port  # noqa: B018 (urllib checks the port when it is read)
    except ValueError:
        return True
    return False


def _source_url(url: str) -> str:
    problem = url_problem(url)
    if problem is not None:
        raise ValueError(problem)
    return url


SourceURL = Annotated[str, AfterValidator(_source_url)]
"""A start URL of a source (`url_problem`); an error names the URL's index (``urls[1]``)."""


class ListingConfig(BaseModel):
    """How to find item links on an HTML listing page."""

    model_config = ConfigDict(extra="forbid")
    links: str = Field(
        description="CSS (e.g. `ul a::attr(href)`) or XPath (starting with `/` or `(`) selector of item links"
    )
    next_page: str | None = Field(default=None, description="selector of the next listing page's link")
    max_pages: int = Field(default=5, ge=1, le=200, description="listing pages fetched per run at most")

    @field_validator("links", "next_page")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value is None:
            return value
        value = value.strip()
        if not value:
            raise ValueError("selector is empty")
        from parsel import Selector  # parsel ships with Scrapy; used only to check the syntax

        try:
            sel = Selector(text="<html></html>")
            sel.xpath(value) if value.startswith(("/", "(")) else sel.css(value)
        except Exception as exc:  # parsel raises several types for bad selectors
            raise ValueError(f"invalid selector {value!r}: {exc}") from None
        return value


class SitemapConfig(BaseModel):
    """How a sitemap source reads its sitemaps (spiders.sitemap, spiders.sitemapsite)."""

    model_config = ConfigDict(extra="forbid")
    same_site_only: bool = Field(
        default=False,
        description="follow only the entries and child sitemaps on the sitemap's own site (its host,"
        " `www.` and the scheme aside; sitemaps.org); the others are counted as dropped `off_site`."
        " Off: a curated sitemap of other sites' articles is harvested whole",
    )


class ApiFields(BaseModel):
    """JMESPath expressions to a record's structured fields (funding calls and events).

    Values are passed on as written (a list gives several values, e.g. several cut-off dates) and read
    by pipelines.funding / pipelines.events: dates in the source's zone, budget as a number, a text
    with a currency or the Funding & Tenders ``budgetOverview`` JSON text.
    """

    model_config = ConfigDict(extra="forbid")
    call_id: str | None = Field(default=None, description="call or topic identifier")
    programme: str | None = Field(default=None, description="programme (AMIF, ESF+, CERV, ...)")
    status: str | None = Field(default=None, description="published status, mapped by `status_map`")
    opening: str | None = Field(default=None, description="opening date")
    deadline: str | None = Field(default=None, description="deadline(s): one value or a list of cut-offs")
    budget: str | None = Field(
        default=None, description="budget amount, text with currency, or budgetOverview"
    )
    currency: str | None = Field(default=None, description="ISO 4217 currency of the budget")
    countries: str | None = Field(
        default=None, description="eligible countries (codes or names in an EU language; a list or a text)"
    )
    attachments: str | None = Field(
        default=None, description="links to the call documents (list of links or `{url, title, role}`)"
    )
    event_start: str | None = Field(default=None, description="event start")
    event_end: str | None = Field(default=None, description="event end")
    venue: str | None = Field(default=None, description="event venue")
    city: str | None = Field(default=None, description="event city")
    country: str | None = Field(default=None, description="event country (ISO alpha-2 code or name)")
    online: str | None = Field(default=None, description="event is online (true/false)")
    organiser: str | None = Field(default=None, description="event organiser")
    registration_url: str | None = Field(default=None, description="event registration link")

    @field_validator("*")
    @classmethod
    def _jmespaths(cls, value: str | None) -> str | None:
        return None if value is None else _check_jmespath(value)


def _check_jmespath(value: str) -> str:
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        jmespath.compile(value)
    except JMESPathError as exc:
        raise ValueError(f"invalid JMESPath {value!r}: {exc}") from None
    return value


class ApiDetail(BaseModel):
    """A record's detail answer, fetched when the list gives titles only (ECI register: titles in the
    search answer, objectives in ``/details/{year}/{number}``).

    `url` is a link template whose ``{field}`` names are JMESPaths into the list record (as
    `link_template`); `text`, `title` and `summary` are JMESPaths into the detail answer (JSON). The
    detail is fetched through the crawl's fetch layer (robots.txt, politeness, address guard, size
    limit) once per record; its text becomes the item's text (HTML in it is reduced to plain text).
    A record whose detail is missing or fails is kept with what the list gave (a page warning).
    """

    model_config = ConfigDict(extra="forbid")
    url: str = Field(
        description="detail link built from record fields, e.g. `https://portal.ewsi.invalid/details/{id}`"
    )
    text: str = Field(description="JMESPath to the description text in the detail answer")
    title: str | None = Field(default=None, description="JMESPath to the title in the detail answer")
    summary: str | None = Field(default=None, description="JMESPath to a summary in the detail answer")

    @field_validator("url")
    @classmethod
    def _template(cls, value: str) -> str:
        return check_link_template(value)

    @field_validator("text", "title", "summary")
    @classmethod
    def _jmespath(cls, value: str | None) -> str | None:
        return None if value is None else _check_jmespath(value)


def check_link_template(value: str) -> str:
    """A link template (crawler.linktemplate: ``{expression|filter...}`` slots, at least one; valid
    when a sample value in its slots gives an absolute http(s) URL, `check_absolute`); ValueError
    otherwise."""
    from crawler.linktemplate import check_absolute

    return check_absolute(value)


class ApiPagination(BaseModel):
    """Page through an API answer by page number (the Funding & Tenders search API's ``pageNumber``
    and ``pageSize`` query parameters).

    Pages are requested one after the other, from `first` on, while the previous page returned `size`
    records (a shorter or empty page is the last), the records seen stay below the `total` the answer
    states (when `total` is given) and fewer than `max_pages` pages were fetched (the hard cap).
    Page parameters in the body (``send_in: body``) give every page the same URL, which a recorded
    archive (keyed by URL) cannot tell apart: prefer the query.
    """

    model_config = ConfigDict(extra="forbid")
    page_param: str = Field(
        default="pageNumber", min_length=1, description="name of the page number parameter"
    )
    size_param: str | None = Field(
        default="pageSize", description="name of the page size parameter (none: the server's default)"
    )
    size: int = Field(default=50, ge=1, le=1000, description="records asked for per page")
    first: int = Field(default=1, ge=0, le=1, description="number of the first page (1 or 0)")
    total: str | None = Field(
        default=None, description="JMESPath to the answer's total number of records (e.g. `totalResults`)"
    )
    max_pages: int = Field(default=10, ge=1, le=100, description="pages fetched per run at most (hard cap)")
    send_in: Literal["query", "body"] = Field(
        default="query", description="where the page parameters go: the URL query or the request body"
    )

    @field_validator("total")
    @classmethod
    def _jmespath(cls, value: str | None) -> str | None:
        return None if value is None else _check_jmespath(value)


class ApiConfig(BaseModel):
    """How to query a JSON API (method, body, pages) and read items out of its answers (JMESPath).

    A POST sends `body` encoded as `body_format`: ``json`` (one JSON document), ``form``
    (application/x-www-form-urlencoded) or ``multipart`` (multipart/form-data). In the two form
    encodings a mapping or list value is sent as JSON text, in multipart as a JSON document part
    (``application/json``), which is how public clients send the Funding & Tenders search API its
    ``query``, ``languages`` and ``sort`` fields. A GET has no body.
    """

    model_config = ConfigDict(extra="forbid")
    method: Literal["GET", "POST"] = Field(default="GET", description="HTTP method of the API request")
    body_format: Literal["json", "form", "multipart"] = Field(
        default="json", description="how `body` is encoded (POST only)"
    )
    body: dict[str, Any] | None = Field(
        default=None, description="fields of the request body (POST only); mappings and lists go as JSON"
    )
    pagination: ApiPagination | None = Field(
        default=None, description="page through the answer (see the `api.pagination:` block)"
    )
    items: str = Field(description="JMESPath to the list of records")
    title: str = Field(description="JMESPath to a record's title")
    published: str | None = Field(default=None, description="JMESPath to a record's publication date")
    summary: str | None = Field(default=None, description="JMESPath to a record's summary")
    language: str | None = Field(
        default=None,
        description="JMESPath to a record's own language code (`EN`, `de-AT`: case and region ignored), "
        "weighed as a page's `<html lang>` is",
    )
    link: str | None = Field(default=None, description="JMESPath to a record's link")
    link_template: str | None = Field(
        default=None,
        description="link built from record fields, e.g. `https://portal.ewsi.invalid/{year}/{number}`, "
        "with filters lower, upper, replace(OLD,NEW), quote (see Link templates)",
    )
    id: str | None = Field(default=None, description="JMESPath to the record's official id")
    date_format: Literal["auto", "dayfirst", "monthfirst", "iso"] = Field(
        default="dayfirst", description="how to read ambiguous numeric dates (EU sources write day first)"
    )
    fields: ApiFields | None = Field(
        default=None, description="JMESPaths to structured fields of funding calls and events"
    )
    status_map: dict[str, Literal["forthcoming", "open", "closed"]] = Field(
        default_factory=dict, description="published status value -> forthcoming, open or closed"
    )
    detail: ApiDetail | None = Field(
        default=None, description="fetch each record's detail answer for its text (title-only lists)"
    )

    @field_validator("items", "title", "published", "summary", "language", "link", "id")
    @classmethod
    def _jmespath(cls, value: str | None) -> str | None:
        return None if value is None else _check_jmespath(value)

    @field_validator("body")
    @classmethod
    def _body(cls, value: dict[str, Any] | None, info: ValidationInfo) -> dict[str, Any] | None:
        if value is not None and info.data.get("method", "POST") != "POST":
            raise ValueError("a request body needs `method: POST`")
        for key in value or {}:
            if not isinstance(key, str) or not key:
                raise ValueError(f"body field names must be non-empty text, got {key!r}")
        return value

    @field_validator("pagination")
    @classmethod
    def _pagination(cls, value: ApiPagination | None, info: ValidationInfo) -> ApiPagination | None:
        if value is not None and value.send_in == "body" and info.data.get("method", "POST") != "POST":
            raise ValueError("page parameters in the body (`send_in: body`) need `method: POST`")
        return value

    @field_validator("link_template")
    @classmethod
    def _template(cls, value: str | None) -> str | None:
        return None if value is None else check_link_template(value)


def _cron_day(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit():
        number = int(token)
        if not 0 <= number <= 7:
            raise ValueError(f"weekday {number} outside 0-7")
        return number % 7
    if token[:3] in _DAY_NAMES:
        return _DAY_NAMES.index(token[:3])
    raise ValueError(f"unknown weekday {token!r}")


def cron_weekdays(field: str) -> str:
    """A cron day-of-week field (0/7 = Sunday; names; ranges; steps) as APScheduler weekday names.

    ``*`` and ``?`` stay ``*``; everything else becomes an explicit comma list, e.g. ``1-5`` ->
    ``mon,tue,wed,thu,fri``, ``*/2`` -> ``sun,tue,thu,sat``, ``5-7`` -> ``fri,sat,sun``.
    Raises ValueError for a value it cannot read.
    """
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"weekday step {step} must be at least 1")
        if base in ("*", "?"):
            first, last = 0, 6
        elif "-" in base:
            low, high = base.split("-", 1)
            first = _cron_day(low)
            last = 7 if high.strip() == "7" else _cron_day(high)
            if last == 0 < first:  # sat-sun: Sunday closes the week
                last = 7
            if last < first:
                raise ValueError(f"weekday range {base!r} runs backwards")
        else:
            first = _cron_day(base)
            last = 6 if step_text else first
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def check_cron(expr: str) -> str:
    """Validate a 5-field cron expression (minute hour day month weekday, UTC or the source's zone)
    and return it with single spaces.

    Checked in order: 5 fields, characters and number ranges per field, then APScheduler (the
    scheduler's own reading, with cron weekday numbers: `cron_weekdays`) must read it and find a
    next fire time: ``0 0 30 2 *`` (30 February) never fires and is refused rather than loaded as
    a source that never runs. APScheduler combines day of month and day of week with AND (Vixie
    cron with OR), so a cron restricting both fires on the dates matching both.
    Raises ValueError with a message such as ``expected 5 cron fields, got 6`` or
    ``cron '0 0 30 2 *' never fires: no date has day of month 30 in month 2``.
    """
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 cron fields, got {len(fields)}")
    for name, (low, high), value in zip(_CRON_NAMES, _CRON_RANGES, fields, strict=True):
        if not _CRON_FIELD.match(value):
            raise ValueError(f"cron {name} field {value!r} has invalid characters")
        for number in re.findall(r"\d+", value):
            n = int(number)
            is_step = f"/{number}" in value
            if not is_step and not low <= n <= high:
                raise ValueError(f"cron {name} value {n} outside {low}-{high}")
    normal = " ".join(fields)
    _check_fires(normal)
    return normal


def _check_fires(expr: str) -> None:
    """ValueError unless APScheduler reads the 5-field `expr` and finds it a next fire time."""
    from apscheduler.triggers.cron import CronTrigger  # the scheduler's reading of a cron

    minute, hour, day, month, weekday = expr.split()
    try:
        trigger = CronTrigger(
            minute=minute, hour=hour, day=day, month=month, day_of_week=cron_weekdays(weekday), timezone=UTC
        )
    except ValueError as exc:
        raise ValueError(f"cron {expr!r} cannot be read: {exc}") from None
    # APScheduler looks up to the year 9999: None means no date ever matches (days exist in every
    # zone, so UTC answers for all)
    if trigger.get_next_fire_time(None, datetime.now(UTC)) is None:
        on = f" on day of week {weekday}" if weekday not in ("*", "?") else ""
        raise ValueError(f"cron {expr!r} never fires: no date has day of month {day} in month {month}{on}")


class Source(BaseModel):
    """One validated source from the operator YAML; `id` is permanent (job id, DB key, log field)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="permanent slug: lowercase letters, digits and '-'")
    name: str = Field(description="human-readable name", max_length=MAX_NAME_CHARS)
    publisher: str = Field(description="organisation that publishes the source", max_length=MAX_NAME_CHARS)
    country: str = Field(
        default="EU",
        description="`EU` or ISO 3166-1 alpha-2 code; an item whose page is on another country's "
        "country-code domain and in a language of that country takes that country (`.pl`, Polish -> PL)",
    )
    languages: list[str] = Field(
        default_factory=list,
        description="expected ISO 639-1 languages, first preferred (a feed entry's alternate link)",
    )
    content_type: Literal["news", "document", "legislation", "funding", "event", "good_practice"] = Field(
        default="news", description="what the source publishes"
    )
    kind: Literal["feed", "listing", "sitemap", "api", "ical"] = Field(
        description="fetch mechanism (spider template)"
    )
    urls: list[SourceURL] = Field(min_length=1, description="one or more start URLs")
    schedule: str = Field(default="0 6 * * *", description="5-field cron expression")
    timezone: str = Field(
        default="UTC", description="IANA zone for the schedule and for dates without offset"
    )
    follow: bool = Field(default=False, description="fetch each item's page (HTML or PDF) for its full text")
    attachments: bool = Field(
        default=False,
        description="with `follow`: fetch the PDFs a page's main content links to on the same site "
        "as the item's attachments (text, language, title; searchable; not queue rows)",
    )
    enabled: bool = Field(default=True, description="harvested by `ewsi crawl` and the scheduler")
    max_items: int = Field(
        default=500,
        ge=1,
        le=100_000,
        description="items processed per run at most (a sitemap's newest first, by its news publication date"
        " or `<lastmod>`; undated URLs after dated ones, in file order; the entries beyond are counted as"
        " dropped `max_items`)",
    )
    max_age_days: int | None = Field(default=None, ge=1, description="skip items older than this on arrival")
    revisit_hours: float = Field(
        default=24,
        gt=0,
        le=8760,
        description="with `follow`: hours after which a known funding call's or event's page whose deadline"
        " or start is still ahead is read again for corrigenda (crawler.store.revisit)",
    )
    listing: ListingConfig | None = Field(default=None, description="listing settings (kind: listing)")
    sitemap: SitemapConfig | None = Field(default=None, description="sitemap settings (kind: sitemap)")
    api: ApiConfig | None = Field(default=None, description="API settings (kind: api)")
    verified: str | None = Field(
        default=None, description="operator note: how and when the source was checked"
    )

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError("must be a slug of lowercase letters, digits and '-' (2-63 characters)")
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if not _COUNTRY.match(value) or (value != "EU" and value not in iso_countries()):
            raise ValueError(
                "expected `EU` or an ISO 3166-1 alpha-2 code such as `DE` (Greece is `GR`)"
                + country_hint(value)
            )
        return value

    @field_validator("name", "publisher")
    @classmethod
    def _plain(cls, value: str) -> str:
        if not value.strip() or any(unicodedata.category(c) in ("Cc", "Cf") for c in value):
            raise ValueError(
                "must be plain text: not empty, no control, bidirectional or zero-width characters"
            )
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        for code in value:
            if not _LANG.match(code):
                raise ValueError(f"{code!r} is not an ISO 639-1 code (two lowercase letters)")
            if code not in iso_languages():
                raise ValueError(f"{code!r} is not an ISO 639-1 language code (e.g. `de`, `fr`, `el`)")
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        return check_cron(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}{zone_suggestion(value)}") from None
        return value

    @model_validator(mode="after")
    def _kind_settings(self) -> Source:
        if self.kind == "listing" and self.listing is None:
            raise ValueError("kind listing needs `listing: {links: <selector>}`")
        if self.kind == "api":
            if self.api is None:
                raise ValueError("kind api needs `api: {items: ..., title: ...}`")
            if not (self.api.link or self.api.link_template):
                raise ValueError("api needs `link` or `link_template`")
        if self.attachments and not self.follow:
            raise ValueError("`attachments: true` needs `follow: true` (attachments are read from the page)")
        return self

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The source's time zone as a ZoneInfo."""
        return zoneinfo.ZoneInfo(self.timezone)


class SourcesFile(BaseModel):
    """The whole YAML document: `sources:` plus optional crawler-wide settings."""

    model_config = ConfigDict(extra="forbid")
    sources: list[Source] = Field(description="the sources")
    user_agent: str | None = Field(default=None, description="User-Agent with a contact address")
    contact: str | None = Field(default=None, description="contact address put in the User-Agent")

    @field_validator("user_agent", "contact")
    @classmethod
    def _reachable(cls, value: str | None) -> str | None:
        """A publisher must be able to write to the operators: the contact (or a whole User-Agent)
        names an e-mail address or an http(s) URL, on one line of printable ASCII at most 200
        characters long (it travels in a request header)."""
        if value is None:
            return None
        value = value.strip()
        if not value or len(value) > 200 or any(not " " <= ch <= "~" for ch in value):
            raise ValueError("one line of printable ASCII, 1-200 characters")
        if not _CONTACT.search(value):
            raise ValueError("must name an e-mail address or an http(s) URL to reach the operators")
        return value


class _LineLoader(yaml.SafeLoader):
    """Safe loader that remembers the line of every mapping key and sequence item."""


MAX_YAML_NODES = 1_000_000
"""Nodes a sources file may expand to, aliases counted each time they are used (a "billion laughs"
file of nested aliases would otherwise take gigabytes); 8,000 sources are about 200,000 nodes."""


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Nodes `node` stands for once every alias is expanded (shared nodes are sized once)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = 1  # a node that contains itself (recursive alias) counts once
    size = 1
    if isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(item, memo) for item in node.value)
    memo[id(node)] = size = min(size, MAX_YAML_NODES + 1)
    return size


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:  # a repeated key is a mistake, not "the last one wins"
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key is not None and key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    mapping: dict[str, Any] = dict(loader.construct_mapping(node, deep=True))  # type: ignore[arg-type]
    lines = {}
    items = {}
    for key_node, value_node in node.value:
        lines[key_node.value] = (key_node.start_mark.line + 1, value_node.start_mark.line + 1)
        if isinstance(value_node, yaml.SequenceNode):
            items[key_node.value] = [item.start_mark.line + 1 for item in value_node.value]
    mapping["__lines__"] = lines
    mapping["__items__"] = items
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in ("__lines__", "__line__", "__items__")}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def _line_of(doc: Any, loc: tuple[int | str, ...]) -> int | None:
    """Best line for a pydantic error location: the deepest node we can reach (a list item's own line,
    ``urls[1]`` on the second ``- `` line of a block list)."""
    line = doc.get("__line__") if isinstance(doc, dict) else None
    node = doc
    item_lines: list[int] = []
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            line = node["__lines__"].get(part, (line, line))[1]
            item_lines = node.get("__items__", {}).get(part, [])
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str):
            break
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            line = item_lines[part] if part < len(item_lines) else line
            item_lines = []
            node = node[part]
            if isinstance(node, dict):
                line = node.get("__line__", line)
        else:
            break
    return line


FIELD_EXPECTED = {
    "sources": "a list of sources",
    "id": "a slug such as ep-press",
    "name": "the source's name as text",
    "publisher": "the publishing organisation's name as text",
    "kind": "one of feed, listing, sitemap, api or ical",
    "languages": "a list of language codes",
    "urls": "a list of URLs",
    "schedule": 'a cron expression in quotes ("0 6 * * *")',
    "links": "a CSS or XPath selector of item links",
    "items": "a JMESPath to the list of records",
    "text": "a JMESPath to the description text",
    "body": "a mapping of request fields",
    "status_map": "a mapping of published statuses to forthcoming, open or closed",
}
"""What a config field takes, in its own terms, for the messages of a value of the wrong type and
of a missing field (`crawler.errors.validation_sentence`); other fields are named by their type."""

ITEM_EXPECTED = {"languages": "a language code", "urls": "a URL", "sources": "a mapping of source fields"}
"""What each member of a list field takes (``languages[0]: expected a language code, got ...``)."""


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The config model inside a field's annotation (``ApiConfig | None``, ``list[Source]``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def fields_at(loc: tuple[int | str, ...]) -> tuple[str, ...]:
    """The field names the config takes at `loc` (``("sources", 0)`` -> a source's fields), for the
    "did you mean" of an unknown field; () where `loc` leads to no model (a mapping's keys)."""
    model: type[BaseModel] = SourcesFile
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        sub = _model_in(info.annotation) if info is not None else None
        if sub is None:
            return ()
        model = sub
    return tuple(model.model_fields)


def config_message(err: Any) -> str:
    """The message of one validation error of the config, a plain sentence naming what the field
    expects (`crawler.errors.validation_sentence`; the field path is put before it by the caller)."""
    loc = tuple(err["loc"])
    names = [p for p in loc if isinstance(p, str) and not p.startswith(("function-", "literal"))]
    name = names[-1] if names else ""
    expected = ITEM_EXPECTED.get(name) if loc and isinstance(loc[-1], int) else FIELD_EXPECTED.get(name)
    return validation_sentence(err, expected=expected, known=fields_at(loc[:-1]))


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith(("function-", "literal")) or part in ("str", "int", "bool"):
            continue
        else:
            out += ("." if out else "") + part
    return out


def load_sources(path: str | Path | None = None, *, text: str | None = None) -> SourcesFile:
    """Read and validate an operator YAML file.

    Returns the validated `SourcesFile`. Raises `ConfigError` whose ``problems`` holds one line per
    error, each ``FILE:LINE: field.path: message``, in file order. Every error of the file comes in
    one pass: the field errors of every source and the checks across sources (duplicate ids, also
    of a source that has field errors) are collected together.
    """
    path = Path(path) if path else DEFAULT_CONFIG
    name = str(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError([f"{name}: file not found"]) from None
        except UnicodeDecodeError as exc:
            raise ConfigError([_not_utf8(name, exc)]) from None
        except OSError as exc:
            raise ConfigError([f"{name}: cannot read: {exc}"]) from None
    try:
        loader = _LineLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None and _expanded_size(node, {}) > MAX_YAML_NODES:
                raise ConfigError(
                    [f"{name}: the file expands to more than {MAX_YAML_NODES:,} YAML nodes (aliases)"]
                )
            doc = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except RecursionError:
        raise ConfigError([f"{name}: YAML nested too deeply"]) from None
    except yaml.YAMLError as exc:  # FILE:LINE:COLUMN (crawler.yamlerrors)
        raise ConfigError([yaml_error_line(name, exc, text, "YAML syntax error")]) from None
    if not isinstance(doc, dict):
        raise ConfigError([f"{name}:1: expected a mapping with a `sources:` list"])
    problems: list[tuple[int, str]] = []  # (line, message): every error of the file, in one pass
    result = None
    try:
        result = SourcesFile.model_validate(_strip(doc))
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = _line_of(doc, loc)
            msg = config_message(err)
            problems.append((line or 0, f"{name}:{line or '?'}: {_format_loc(loc)}: {msg}"))
    problems += _cross_source_problems(name, doc)
    if problems:
        # file order; a stable sort keeps a node's errors in the order they were found
        raise ConfigError([message for _, message in sorted(problems, key=lambda p: p[0])])
    assert result is not None
    return result


def _not_utf8(name: str, exc: UnicodeDecodeError) -> str:
    """``FILE:LINE:COLUMN: ...`` of the first byte that is not UTF-8 (line and column counted from 1,
    the column in bytes of that line), with the byte and what to do."""
    raw = bytes(exc.object)
    before = raw[: exc.start]
    line = before.count(b"\n") + 1
    column = exc.start - (before.rfind(b"\n") + 1) + 1
    byte = raw[exc.start : exc.start + 1].hex()
    return (
        f"{name}:{line}:{column}: cannot read: byte 0x{byte} is not UTF-8 ({exc.reason}); "
        "save the file as UTF-8"
    )


def _cross_source_problems(name: str, doc: dict[str, Any]) -> list[tuple[int, str]]:
    """Checks across sources, run on the file as written whether or not its sources are valid (so
    they come in the same pass as the field errors): a source id used again is an error at each
    repeat, naming the first use; so is a URL given again (`_duplicate_url_problems`); a block of
    another kind is an error at the block (`_kind_block_problems`). Returns (line, message) pairs."""
    entries = doc.get("sources")
    if not isinstance(entries, list):
        return []
    first: dict[str, int] = {}
    problems = []
    for index, entry in enumerate(entries):
        source_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(source_id, str):
            continue
        if source_id in first:
            line = _line_of(doc, ("sources", index, "id")) or 0
            first_line = _line_of(doc, ("sources", first[source_id], "id"))
            problems.append(
                (
                    line,
                    f"{name}:{line or '?'}: sources[{index}].id: duplicate id {source_id!r}"
                    f" (first at sources[{first[source_id]}], line {first_line})",
                )
            )
        first.setdefault(source_id, index)
    return problems + _kind_block_problems(name, doc, entries) + _duplicate_url_problems(name, doc, entries)


KINDS = typing.get_args(Source.model_fields["kind"].annotation)
KIND_BLOCKS = {"listing": "listing", "sitemap": "sitemap", "api": "api"}
"""Source fields that belong to one kind: the block -> the kind that reads it (no other spider does)."""


def _kind_block_problems(name: str, doc: dict[str, Any], entries: list[Any]) -> list[tuple[int, str]]:
    """A `listing:`, `sitemap:` or `api:` block on a source of another kind is an error at the block:
    no spider of that kind reads it (a kind changed and the old settings left, or a block pasted to
    the wrong source)."""
    problems = []
    for index, entry in enumerate(entries):
        kind = entry.get("kind") if isinstance(entry, dict) else None
        if kind not in KINDS:  # a missing or unknown kind is its own error
            continue
        for block, owner in KIND_BLOCKS.items():
            if block in entry and entry[block] is not None and kind != owner:
                line = _line_of(doc, ("sources", index, block)) or 0
                problems.append(
                    (
                        line,
                        f"{name}:{line or '?'}: sources[{index}].{block}: does not apply to kind {kind}"
                        f" (only kind {owner} reads it); remove it or set `kind: {owner}`",
                    )
                )
    return problems


def _duplicate_url_problems(name: str, doc: dict[str, Any], entries: list[Any]) -> list[tuple[int, str]]:
    """A URL given again in the same source is an error at the repeat naming the first: the same URL as
    `ewsi sources add` refuses it (crawler.urls `source_url_key`: scheme, host without case or final
    dot, port with the default one written or not, path without dot segments and query in sorted
    order as fetched; so ``http://x.example/b``, ``HTTP://X.EXAMPLE:80/b`` and ``http://x.example/a/../b``
    are one URL). Two sources may fetch one URL:
    an API answer read with other fields or another language (../shared/corpus2: the European
    Parliament's plenary documents read as three sources, EN, DE and FR titles). A source whose id
    repeats an earlier one's is left out: the duplicate id names it already."""
    problems = []
    ids: set[Any] = set()
    for index, entry in enumerate(entries):
        first: dict[Any, tuple[int, int]] = {}
        urls = entry.get("urls") if isinstance(entry, dict) else None
        source_id = entry.get("id") if isinstance(entry, dict) else None
        repeated = isinstance(source_id, str) and source_id in ids
        ids.add(source_id)
        if not isinstance(urls, list) or repeated:  # a source given twice is named once, at its id
            continue
        for position, url in enumerate(urls):
            key = source_url_key(url) if isinstance(url, str) else None
            if key is None:
                continue
            if key in first:
                at, was = first[key]
                line = _line_of(doc, ("sources", index, "urls", position)) or 0
                first_line = _line_of(doc, ("sources", at, "urls", was))
                owner = entries[at].get("id") if isinstance(entries[at], dict) else None
                by = f"source {owner!r}" if at != index and isinstance(owner, str) else "this source"
                problems.append(
                    (
                        line,
                        f"{name}:{line or '?'}: sources[{index}].urls[{position}]: duplicate URL {url!r}, "
                        f"already harvested by {by} (sources[{at}].urls[{was}], line {first_line})",
                    )
                )
            first.setdefault(key, (index, position))
    return problems


def field_reference() -> str:
    """Markdown tables of every config field (type, default, description), for config/README.md.

    tests/test_sources.py checks that config/README.md contains this text, so the reference
    cannot drift from the code.
    """
    lines: list[str] = []
    for title, model in (
        ("Top level", SourcesFile),
        ("`sources[]` entries", Source),
        ("`listing:` block", ListingConfig),
        ("`sitemap:` block", SitemapConfig),
        ("`api:` block", ApiConfig),
        ("`api.pagination:` block", ApiPagination),
        ("`api.fields:` block", ApiFields),
        ("`api.detail:` block", ApiDetail),
    ):
        lines += [f"### {title}", "", "| field | type | default | description |", "|---|---|---|---|"]
        for name, info in model.model_fields.items():
            args = typing.get_args(info.annotation)
            if typing.get_origin(info.annotation) is Literal:
                annotation = " \\| ".join(f"`{a}`" for a in args)
            elif typing.get_origin(info.annotation) is list:
                item = typing.get_args(args[0])[0] if typing.get_origin(args[0]) is Annotated else args[0]
                annotation = f"list of {item.__name__}"
            else:
                annotation = str(info.annotation).replace("typing.", "").replace("crawler.sources.", "")
                annotation = re.sub(r"<class '(\w+)'>", r"\1", annotation).replace("|", "\\|")
            if info.is_required():
                default = "required"
            elif info.default_factory is not None:
                default = f"`{info.default_factory()!r}`"  # type: ignore[call-arg]
            else:
                default = f"`{info.default!r}`"
            lines.append(f"| `{name}` | {annotation} | {default} | {info.description or ''} |")
        lines.append("")
    return "\n".join(lines)
