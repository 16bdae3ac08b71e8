"""Every project exception, in sections by stage, each naming who raises it; and the error keys.

Keys follow ``stage.reason`` (fetch.dns, fetch.timeout, parse.feed_malformed, store.db_error, ...):
`ERROR_KEYS` lists them, `error_key_for` maps any download exception to one. Scrapy IgnoreRequest
subclasses (FetchRefused, NotModified) stay with their middleware. This module imports nothing of
the project (every layer may import it). crawler.cli maps ConfigError, DatabaseUnavailable and
UsageError to exit codes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any


class EwsiError(Exception):
    """Base class of errors recorded on crawl runs; ``key`` is the short error key."""

    key = "error"


# --- config --------------------------------------------------------------------------------------


class ConfigError(EwsiError):
    """Raised by crawler.sources when the operator YAML is invalid, and by crawler.cli for a
    runtime setting (crawler.config) that is not of its type.

    ``problems`` lists one human-readable line per error, each naming file, line and field path
    (or the variable).
    """

    key = "config.invalid"

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class UsageError(EwsiError):
    """Raised by the ``ewsi`` commands (crawler.commands.classify) for bad arguments or a bad
    themes.yaml or model file; crawler.cli prints ``ewsi NAME: error: ...`` and exits 2 (`prog`,
    when set, names the subcommand as its parser does: ``ewsi classify eval``)."""

    key = "usage"
    prog: str | None = None


class DatabaseDirectoryMissing(UsageError):
    """Raised by crawler.store.session for a SQLite database the user named (``EWSI_DATABASE_URL``,
    ``--database-url``) whose directory does not exist: only the default ``var/`` is created, so a
    typo never gives an empty new database; every command says it the same way, exit 2."""

    def __init__(self, directory: str, url: str, *, is_file: bool = False):
        self.directory = directory
        state = "is a file, not a directory" if is_file else "does not exist"
        super().__init__(
            f"database directory {directory} {state} ({url}); create it or correct the database URL"
        )


class DatabaseUrlUnsupported(UsageError):
    """Raised by crawler.store.session for a database URL (``EWSI_DATABASE_URL``, ``--database-url``)
    of a back end other than SQLite and PostgreSQL, or no URL at all, before anything connects: one
    line naming the two supported schemes, exit 2. The URL itself is not repeated (it may hold a
    password), only its scheme."""

    def __init__(self, scheme: str | None):
        self.scheme = scheme
        what = f"database URL scheme {scheme}:// is not supported" if scheme else "database URL has no scheme"
        super().__init__(f"{what}; use sqlite:///PATH or postgresql://USER@HOST/DATABASE")


def unreadable(path: object, exc: OSError) -> str:
    """The one message for a file that cannot be read: ``nope.jsonl: cannot read: No such file or
    directory`` (the system's reason, without the errno)."""
    return f"{path}: cannot read: {exc.strerror or exc}"


def closest_name(name: str, known: Iterable[str]) -> str | None:
    """The one name of `known` closest to a mistyped `name` (``contry`` -> ``country``, ``folow`` ->
    ``follow``, a difference of case), or None when none is close (difflib's ratio below 0.6): the
    "did you mean" of every unknown name, in the read API, the feeds, the config and the command line."""
    by_lower: dict[str, str] = {}
    for candidate in known:
        by_lower.setdefault(candidate.lower(), candidate)
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1)
    return by_lower[close[0]] if close else None


VALIDATION_PREFIXES = ("Value error, ", "Assertion failed, ")
"""What pydantic puts before the message of a ValueError or assertion raised by a validator."""

_EXPECTED_BY_TYPE = {
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "string_type": "text",
    "string_unicode": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping of fields",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "url_type": "an absolute http(s) URL",
    "url_parsing": "an absolute http(s) URL",
    "url_scheme": "an absolute http(s) URL",
    "json_invalid": "valid JSON",
    "json_type": "valid JSON",
}
"""Validation error types that say the value is of the wrong type -> what a field of them takes."""

_EXTRA = "Extra inputs are not permitted"
"""pydantic's message of an unknown field (a message of the project's own, such as the read API's
unknown parameter, is kept)."""

_BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "above"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "below"),
}


def _kind_of(value: object) -> str:
    """What a rejected value is, in words (``a string``, ``a list``), for "expected X, got Y"."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):  # as given when short: the query's "ten", the config's "en"
        return repr(value) if 0 < len(value) <= 30 else "a string"
    if isinstance(value, list | tuple | set):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a value of another type"


def _shown(value: object) -> str:
    """A rejected scalar as it was given (``'torrent'``, ``0``), shortened; a list or mapping in words."""
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:59] + "…")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return _kind_of(value)


def _choices(expected: str) -> str:
    """pydantic's ``'feed', 'listing' or 'api'`` without its quotes: ``feed, listing or api``."""
    return expected.replace("'", "")


def _count(n: object, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def validation_sentence(
    error: Mapping[str, Any], *, expected: str | None = None, known: Iterable[str] = ()
) -> str:
    """The message of one validation error (a pydantic error dict: ``type``, ``msg``, ``input``,
    ``ctx``) as a user reads it, for the config (crawler.sources) and the read API alike.

    Rule: a plain sentence saying what the field expects and what it got, never pydantic's own
    words ("Input should be ..."). `expected` names what the field takes in the field's own terms
    (``a list of language codes``), else the type's (`_EXPECTED_BY_TYPE`); `known`, for an unknown
    field, the field names taken there, the closest of which is suggested (`closest_name`).

    - wrong type: ``expected a list of language codes, got 'en'`` (a string of up to 30 characters as
      given, ``a string`` when longer)
    - bounds: ``expected a whole number of at least 1, got 0``; lengths: ``expected at most 300
      characters, got 301``, ``expected at least 1 item, got none``
    - choices (literal, enum): ``expected one of feed, listing or api, got 'torrent'``
    - missing: ``required field missing (expected a CSS selector)``
    - unknown: ``unknown field; did you mean follow?``
    - a validator's own ValueError: its message, without pydantic's prefix
    """
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    if kind in _EXPECTED_BY_TYPE:
        return f"expected {expected or _EXPECTED_BY_TYPE[kind]}, got {_kind_of(value)}"
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        bound = ctx.get(key)
        number = "a whole number" if isinstance(bound, int) and not isinstance(bound, bool) else "a number"
        got = value if isinstance(value, str) and len(value) <= 30 else _shown(value)  # a query's "0"
        return f"expected {expected or number} {words} {bound}, got {got}"
    if kind in ("string_too_short", "string_too_long", "too_short", "too_long"):
        noun = "character" if kind.startswith("string_") else "item"
        if kind.endswith("short"):
            need = f"at least {_count(ctx.get('min_length'), noun)}"
        else:
            need = f"at most {_count(ctx.get('max_length'), noun)}"
        length = ctx.get("actual_length")
        if length is None:
            length = len(value) if isinstance(value, str | list | tuple | dict) else "?"
        return f"expected {need}, got {length if length else 'none'}"
    if kind in ("literal_error", "enum") and ctx.get("expected"):
        return f"expected one of {_choices(str(ctx['expected']))}, got {_shown(value)}"
    if kind == "missing":
        return "required field missing" + (f" (expected {expected})" if expected else "")
    if kind == "extra_forbidden" and error.get("msg", _EXTRA) == _EXTRA:  # else a message of ours
        name = next((str(p) for p in reversed(tuple(error.get("loc", ()))) if isinstance(p, str)), "")
        close = closest_name(name, known) if name else None
        return "unknown field" + (f"; did you mean {close}?" if close else "")
    if kind.startswith(("datetime_", "date_")):
        return "expected an ISO 8601 date (2026-01-31) or date-time (2026-01-31T08:00:00Z)"
    message = str(error.get("msg", ""))
    for prefix in VALIDATION_PREFIXES:
        message = message.removeprefix(prefix)
    return message


SOURCE_IDS_LISTED = 20
"""At most this many known source ids are listed when an unknown one is close to none of them."""


def unknown_source_message(source_id: str, known: Iterable[str]) -> str:
    """The one message for a source id that is not among `known` (every command, the portal API):
    ``unknown source id 'ep-pres'; did you mean 'ep-press'?`` naming up to 3 close ids (a typo, a
    difference of case), else the known ids, the first `SOURCE_IDS_LISTED` of them and how many more
    (no command lists every id of the store: ``ewsi sources status`` lists a config's and those
    with runs or items)."""
    ids = sorted(set(known))
    by_lower: dict[str, str] = {}
    for sid in ids:
        by_lower.setdefault(sid.lower(), sid)
    if source_id.lower() in by_lower:  # ids are exact: a difference of case names the one id
        close = [source_id.lower()]
    else:
        close = difflib.get_close_matches(source_id.lower(), list(by_lower), n=3, cutoff=0.6)
    head = f"unknown source id {source_id!r}"
    if close:
        quoted = [repr(by_lower[c]) for c in close]
        names = " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)
        return f"{head}; did you mean {names}?"
    if not ids:
        return f"{head}; there is no source yet"
    more = len(ids) - SOURCE_IDS_LISTED
    listed = ", ".join(ids[:SOURCE_IDS_LISTED])
    return f"{head}; known ids: {listed}" + (f" (and {more} more)" if more > 0 else "")


class UnknownSource(UsageError):
    """Raised by crawler.store.sources.require_known_source and ``ewsi sources check`` for a
    ``--source ID`` that names no source (`unknown_source_message`); exit 2."""

    def __init__(self, source_id: str, known: Iterable[str]):
        self.source_id = source_id
        super().__init__(unknown_source_message(source_id, known))


class EditError(ValueError):
    """Raised by crawler.store.decisions for an edited value that cannot be stored; `field` names the
    edit form's field (``editor_country``), so the desk shows the message beside it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ApprovalRefused(ValueError):
    """Raised by crawler.store.decisions `decide` when an approval would publish an item with no
    theme (the editor's list is empty, or unset and the classifier assigned none). `suggested`: the
    classifier's best-scoring theme (empty when it scored none), to tick in the edit form."""

    field = "editor_themes"

    def __init__(self, message: str, suggested: list[str]) -> None:
        super().__init__(message)
        self.suggested = suggested


class ThemesConfigError(ValueError):
    """Raised by classifier.themes: config/themes.yaml is missing, not YAML, or breaks a rule; the
    message names file and field."""


class ModelFileError(ValueError):
    """Raised by classifier.model: a model file is missing, not JSON, or was not written by it
    (wrong format or version), or it needs a package that is not installed."""


# --- fetch ---------------------------------------------------------------------------------------


class BlockedAddress(EwsiError):
    """Raised by crawler.fetch.addresses when a URL's host is, or resolves to, a non-public address."""

    key = "fetch.blocked_address"


class BlockedScheme(EwsiError):
    """Raised by crawler.fetch.addresses for a URL whose scheme is not http or https."""

    key = "fetch.blocked_scheme"


# --- parse ---------------------------------------------------------------------------------------


class SitemapMalformed(ValueError):
    """Raised by spiders.sitemapdoc when a document is no sitemap whose URLs can all be read exactly
    (the spider records ``parse.sitemap_malformed``)."""


class JsonTooDeep(ValueError):
    """Raised by crawler.jsontext `check_depth` for JSON text whose arrays and objects nest more than
    `limit` (crawler.jsontext.MAX_DEPTH) deep; `depth` is where counting stopped (`limit` + 1)."""

    def __init__(self, depth: int, limit: int):
        super().__init__(
            f"JSON nested too deep: more than {limit} levels of arrays and objects; "
            "the limit is crawler.jsontext.MAX_DEPTH, as RFC 8259 section 9 allows"
        )
        self.depth = depth
        self.limit = limit


class RecordsError(ValueError):
    """Raised by spiders.api `read_records` for an API answer a crawl cannot read records from;
    `key` is the run's error key (``parse.json_invalid``, ``parse.no_items``)."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


class NotJsonFeed(ValueError):
    """Raised by spiders.jsonfeed when a body is not a JSON Feed (not JSON, too deep, or no
    ``version``/``items``); the feed spider then tries feedparser or records ``parse.not_a_feed``."""


class JsonFeedMalformed(NotJsonFeed):
    """Raised by spiders.jsonfeed for a body that starts like a JSON Feed (a JSON object naming a
    jsonfeed.org version) but is not one: cut short, invalid JSON, no ``items`` list. The feed
    spider records ``parse.feed_malformed``, as for an XML feed cut short."""


class NoTimeOfDay(ValueError):
    """Raised by pipelines.clock.colon_time_after_date: a dotted time closing a date string names an
    hour, minute or second out of range (``14.75``); pipelines.dates then gives no date."""


class ArchiveError(UsageError):
    """Raised by crawler.archive: an archive URL (EWSI_ARCHIVE_URL, a stored WARC location) that is
    neither ``file:///absolute/dir`` nor ``s3://bucket[/prefix]``, or a WARC file that could not be
    stored or fetched (the message names it); by crawler.commands.crawl for a run that archived
    nothing. A UsageError, so ``ewsi`` prints it and exits 2."""


# --- store ---------------------------------------------------------------------------------------


class DatabaseUnavailable(EwsiError):
    """Raised by crawler.store when the database cannot be reached or is not migrated, and by the
    ``ewsi`` commands for a driver error; crawler.cli prints one line and exits 2."""

    key = "store.db_error"


class DatabaseUnwritable(DatabaseUnavailable):
    """Raised by crawler.store.session (the engine's error hook) when the database answers but
    refuses to store anything: read-only file, directory or mount, full disk, no permission, a
    read-only PostgreSQL transaction (a replica). `why` is the short cause for a page (the desk's
    503), the message adds the database and what to do; crawler.cli prints it and exits 2."""

    def __init__(self, message: str, why: str):
        super().__init__(message)
        self.why = why


class HostClosed(Exception):
    """Raised by crawler.store.host_budget (and crawler.fetch.budget while the database is away):
    the host asked not to be contacted until `until` (UTC); `key` is the error key (fetch.http_429)."""

    def __init__(self, host: str, until: datetime, key: str):
        aware = until if until.tzinfo else until.replace(tzinfo=UTC)  # the store keeps naive UTC
        shown = aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")  # as crawler.text.when shows it
        super().__init__(f"{host} asked not to be contacted until {shown}")
        self.host = host
        self.until = until
        self.key = key


class AlreadyQueued(Exception):
    """Raised by crawler.scheduling.jobs: a job of this source is already waiting in the queue."""


class SlotTaken(Exception):
    """Raised by crawler.store `start_run` when (source_id, slot_start) already has a run (another
    scheduler won)."""


class GrantRefused(ValueError):
    """Raised by crawler.store.migrate `grant_app_role` when it cannot or must not grant: not
    PostgreSQL, unknown role, superuser or owner."""


class NotFound(LookupError):
    """Raised by crawler.store (queue, decisions, users, sources) when the item, user or view is missing."""


class ClaimRefused(Exception):
    """Raised by crawler.store when another editor holds the item's claim. `claimed_by` and `until`
    (aware UTC) say who and how long."""

    def __init__(self, claimed_by: str | None, until: datetime | None) -> None:
        self.claimed_by = claimed_by
        self.until = until
        when = until.strftime("%H:%M UTC") if until else "now"
        super().__init__(f"{claimed_by or 'another editor'} is reviewing this item (claim until {when})")


class ReviewConflict(Exception):
    """Raised by crawler.store when the item changed since the form was loaded (revision mismatch),
    or another editor holds it."""


# --- web -----------------------------------------------------------------------------------------


class PasswordPolicyError(ValueError):
    """Raised by crawler.web.passwords `check_password_policy`: the password breaks the length rule (12
    to 128 characters)."""


class LoginRequired(Exception):
    """Raised by crawler.web.auth when a request has no live session. `expired` = a cookie was sent
    but its session is unknown, revoked or idle."""

    def __init__(self, expired: bool) -> None:
        super().__init__("login required")
        self.expired = expired


class TooMany(Exception):
    """Raised by crawler.web.submit when a rate limit refuses a submission; `seconds` until a retry
    may pass (the answer is 429 with Retry-After)."""

    def __init__(self, seconds: float) -> None:
        super().__init__("too many submissions")
        self.seconds = seconds


class NoAnswer(ValueError):
    """Raised by crawler.onboard `fetch_or_explain` (``ewsi sources add``) when a fetch got no answer
    to judge; `key` is its error key, `hint` what to do (crawler.probe), both in the message."""

    def __init__(self, url: str, key: str, message: str, hint: str) -> None:
        super().__init__(f"{url}: {key}: {message} -> {hint}")
        self.url, self.key, self.detail, self.hint = url, key, message, hint


class DuplicateSource(ValueError):
    """Raised by crawler.onboard (`ewsi sources add`) when the URL is already harvested by a source
    (same URL, or same host and path)."""


ERROR_KEYS: dict[str, str] = {
    "fetch.dns": "host name could not be resolved",
    "fetch.connect": "connection refused or reset",
    "fetch.timeout": "no answer within DOWNLOAD_TIMEOUT",
    "fetch.tls": "TLS handshake or certificate failure",
    "fetch.http_403": "the URL answered 403 Forbidden (the site refuses crawlers)",
    "fetch.http_404": "the URL answered 404 Not Found or 410 Gone",
    "fetch.blocked_by_site": "an anti-bot answer: 202 or 200 with a challenge page, or a 403 with a bot wall",
    "fetch.http_4xx": "the URL answered another 4xx status",
    "fetch.http_429": "the host asked us to slow down (429)",
    "fetch.host_paused": "not fetched: the host asked, answering another request, to be left alone a while",
    "fetch.http_5xx": "the server failed (5xx)",
    "fetch.too_large": "the body exceeded the download size limit",
    "fetch.data_loss": "the body was cut short",
    "fetch.blocked_address": "the host resolves to a non-public address",
    "fetch.blocked_scheme": "the URL scheme is not http or https",
    "fetch.robots": "robots.txt forbids the URL",
    "fetch.robots_unreachable": "robots.txt answered 5xx: nothing on the host is fetched until it answers",
    "fetch.url_too_long": "the link is longer than the URL length limit (2083 characters): not fetched",
    "fetch.redirect_limit": "more than REDIRECT_MAX_TIMES (5) redirects, or a redirect loop",
    "fetch.sent_to_front": "the link redirected to the site's home page or the source's listing: gone",
    "fetch.error": "another download error",
    "parse.feed_malformed": "the body is a feed, but broken: no entry could be read",
    "parse.not_a_feed": "the body is no feed: empty, an HTML page (sign-in, maintenance) or other JSON",
    "parse.sitemap_malformed": "the sitemap is not well-formed, nests too deep or lists too many sitemaps",
    "parse.ical_invalid": "the answer is no iCalendar file the icalendar package can read",
    "parse.json_invalid": "the body is not valid JSON",
    "parse.json_too_deep": "the body is JSON whose arrays and objects nest deeper than the limit "
    "(crawler.jsontext.MAX_DEPTH, 512 levels): refused before parsing, not called invalid",
    "parse.no_items": "the source yielded no item",
    "parse.detail_empty": "a record's detail link could not be built or its answer held no text",
    "parse.selector_empty": "the listing's link selector matches nothing",
    "parse.page_empty": "a followed page answered with an empty body (nothing but whitespace)",
    "parse.page_not_text": "a followed page's bytes are no text (binary by their content, whatever the "
    "Content-Type says) and no document format the extraction reads",
    "parse.javascript_only": "the page holds no content without JavaScript",
    "parse.nav_links": "items titled like menu links (Home, About, Contact): the selector matches the menu",
    "parse.same_titles": "most items carry one and the same title (repeated anchor text or page title)",
    "parse.no_dates": "most items have no date, though the source's earlier runs were dated",
    "extract.all_empty": "no followed page yielded text",
    "extract.timeout": "the text extraction of the followed pages was stopped at its time limit (20 s for "
    "HTML and XML, 30 s for PDF; a large page or a loaded machine): the items keep the page's title and "
    "description only, flagged as without text (a URL stopped twice is quarantined)",
    "extract.memory": "the text extraction of the followed pages was stopped at its memory limit: the items "
    "keep the page's title and description only, flagged as without text",
    "extract.no_text": "most items have no text, though the source's earlier runs had text",
    "store.db_error": "the database refused or was unreachable",
    "crawl.crashed": "the crawl process died",
    "crawl.timeout": "the run reached its time limit",
    "crawl.interrupted": "the run was stopped by a shutdown",
    "schedule.still_running": "slot skipped: the previous run was still going",
    "schedule.missed": "no scheduler ran at that time, or the fire came later than the grace time",
    "schedule.backoff": "slot skipped while the source backs off",
}
"""Every error key with a one-line meaning (shown by `ewsi sources status`)."""


_NAME_KEYS = {
    # Scrapy >= 2.14 wraps download failures in its own exceptions
    "CannotResolveHostError": "fetch.dns",
    "DownloadConnectionRefusedError": "fetch.connect",
    "DownloadTimeoutError": "fetch.timeout",
    "ResponseDataLossError": "fetch.data_loss",
    "DownloadCancelledError": "fetch.too_large",
    "UnsupportedURLSchemeError": "fetch.blocked_scheme",
    "DownloadFailedError": "fetch.error",
    "DNSLookupError": "fetch.dns",
    "DNSLookupTimeoutError": "fetch.dns",
    "TimeoutError": "fetch.timeout",
    "TCPTimedOutError": "fetch.timeout",
    "UserTimeoutError": "fetch.timeout",
    "ConnectionRefusedError": "fetch.connect",
    "ConnectError": "fetch.connect",
    "ConnectionLost": "fetch.connect",
    "ConnectionDone": "fetch.connect",
    "ConnectionResetError": "fetch.connect",
    "ResponseNeverReceived": "fetch.connect",
    "ResponseFailed": "fetch.data_loss",
    "_DataLoss": "fetch.data_loss",
    "PotentialDataLoss": "fetch.data_loss",
    "SSLError": "fetch.tls",
    # the standard library's names, as a one-shot fetch (`ewsi sources add|check`) raises them
    "gaierror": "fetch.dns",
    "herror": "fetch.dns",
    "SSLCertVerificationError": "fetch.tls",
    "CertificateError": "fetch.tls",
    "ConnectionAbortedError": "fetch.connect",
    "BrokenPipeError": "fetch.connect",
    "RemoteDisconnected": "fetch.connect",
    "Error": "fetch.error",
}


def http_status_key(status: int) -> str:
    """Error key for an HTTP status, as `ewsi sources check` names it (crawler.probe): 403 ->
    fetch.http_403, 404 and 410 -> fetch.http_404, 429 -> fetch.http_429, other 4xx ->
    fetch.http_4xx, 5xx -> fetch.http_5xx."""
    if status == 429:
        return "fetch.http_429"
    if status == 403:
        return "fetch.http_403"
    if status in (404, 410):
        return "fetch.http_404"
    if status >= 500:
        return "fetch.http_5xx"
    return "fetch.http_4xx"


def error_key_for(exc: BaseException) -> str:
    """Map a download exception (Twisted, Scrapy or ours) to an error key of `ERROR_KEYS`.

    Matched by class name and attributes so this module stays free of Twisted and Scrapy imports.
    Order: our own keys (`EwsiError.key`, an ``ewsi_key`` attribute), the HTTP status of an
    HttpError, then message patterns (robots, redirect limit, size limit, TLS), then class names
    (Scrapy 2.19's DownloadTimeoutError, CannotResolveHostError, ... and Twisted's).

    Rule: one mapping for every fetch path. A crawl (Scrapy/Twisted) and a one-shot probe
    (urllib: `ewsi sources add|check`) name the same failure with the same key: DNS -> fetch.dns,
    refused/reset -> fetch.connect, timeout -> fetch.timeout, TLS -> fetch.tls; a body over the size
    limit (also once decompressed) -> fetch.too_large, one cut short or corruptly compressed ->
    fetch.data_loss, a redirect loop or chain -> fetch.redirect_limit. A wrapper that
    carries the real failure in ``reason`` (urllib's URLError) is judged by that failure.
    """
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException) and reason is not exc:
        return error_key_for(reason)
    if isinstance(exc, EwsiError):
        return exc.key
    key = getattr(exc, "ewsi_key", None)
    if isinstance(key, str):
        return key
    response = getattr(exc, "response", None)
    status = getattr(response, "status", None)
    if isinstance(status, int) and status >= 400:
        return http_status_key(status)
    names = [cls.__name__ for cls in type(exc).__mro__]
    text = str(exc)
    if "IgnoreRequest" in names and "robots" in text.lower():
        return "fetch.robots"
    if "IgnoreRequest" in names and "max redirections" in text.lower():
        return "fetch.redirect_limit"
    if "NotSupported" in names and "scheme" in text.lower():
        return "fetch.blocked_scheme"
    if "maxsize" in text.lower() or "max size" in text.lower() or "too large" in text.lower():
        return "fetch.too_large"
    if "certificate" in text.lower() or "SSL" in text:
        return "fetch.tls"
    for name in names:
        if name in _NAME_KEYS and name != "Error":
            return _NAME_KEYS[name]
    if "ResponseFailed" in names or "data loss" in text.lower():
        return "fetch.data_loss"
    return "fetch.error"


class SubmissionInvalid(ValueError):
    """Raised by crawler.submissions `validate`: a contribution refused before anything is stored;
    `errors` maps each offending field to a readable reason; the API answers 422, the form 400."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class AmendLinkInvalid(ValueError):
    """Raised by crawler.web.amend when a contributor's amend link is not one the server signed, or
    is older than its validity (crawler.web.contributor_mail.AMEND_DAYS); the page answers 404."""
