"""Failures named once. Each has a stable ``key`` (recorded on crawl runs and source health).

Keys follow ``stage.reason`` (fetch.dns, fetch.timeout, parse.feed_malformed, store.db_error, ...).
"""

from __future__ import annotations


class EwsiError(Exception):
    """Base class; ``key`` is the short error key recorded on crawl runs."""

    key = "error"


class ConfigError(EwsiError):
    """Raised by crawler.sources when the operator YAML is invalid.

    ``problems`` lists one human-readable line per error, each naming file, line and field path.
    """

    key = "config.invalid"

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class DatabaseUnavailable(EwsiError):
    """Raised by crawler.store when the database cannot be reached or is not migrated."""

    key = "store.db_error"


class FeedMalformed(EwsiError):
    """Raised by spiders.feed when a body is not a feed feedparser can read any entry from."""

    key = "parse.feed_malformed"


class JsonInvalid(EwsiError):
    """Raised by spiders.api when an API answer is not JSON or too deeply nested."""

    key = "parse.json_invalid"


class ExtractionFailed(EwsiError):
    """Raised by pipelines.extract when a page or PDF yields no text."""

    key = "extract.failed"


ERROR_KEYS: dict[str, str] = {
    "fetch.dns": "host name could not be resolved",
    "fetch.connect": "connection refused or reset",
    "fetch.timeout": "no answer within DOWNLOAD_TIMEOUT",
    "fetch.tls": "TLS handshake or certificate failure",
    "fetch.http_404": "the URL answered 404 Not Found",
    "fetch.http_4xx": "the URL answered another 4xx status",
    "fetch.http_429": "the host asked us to slow down (429)",
    "fetch.http_5xx": "the server failed (5xx)",
    "fetch.too_large": "the body exceeded the download size limit",
    "fetch.data_loss": "the body was cut short",
    "fetch.blocked_address": "the host resolves to a non-public address",
    "fetch.blocked_scheme": "the URL scheme is not http or https",
    "fetch.robots": "robots.txt forbids the URL",
    "fetch.robots_unreachable": "robots.txt answered 5xx: nothing on the host is fetched until it answers",
    "fetch.redirect_limit": "more than REDIRECT_MAX_TIMES (5) redirects",
    "fetch.error": "another download error",
    "parse.feed_malformed": "the body is a feed, but broken: no entry could be read",
    "parse.not_a_feed": "the body is no feed: empty, an HTML page (sign-in, maintenance) or other JSON",
    "parse.sitemap_malformed": "the sitemap is not well-formed, nests too deep or lists too many sitemaps",
    "parse.json_invalid": "the body is not valid JSON",
    "parse.no_items": "the source yielded no item",
    "extract.all_empty": "no followed page yielded text",
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
    "Error": "fetch.error",
}


def http_status_key(status: int) -> str:
    """Error key for an HTTP status: fetch.http_429, fetch.http_5xx, fetch.http_404 or fetch.http_4xx."""
    if status == 429:
        return "fetch.http_429"
    if status == 404:
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
    """
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
