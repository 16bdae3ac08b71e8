"""Requests the fetch components drop on purpose (Scrapy `IgnoreRequest` subclasses).

`FetchRefused` carries the error key the run reports (``ewsi_key``, read by
`crawler.errors.error_key_for`); `NotModified` marks an unchanged source URL, which the spiders'
errback does not count as an error (``ewsi_not_modified``).
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class FetchRefused(IgnoreRequest):
    """A request refused on purpose; ``ewsi_key`` is its error key (read by `error_key_for`).

    Raised by ssrf.GuardMiddleware (``fetch.blocked_*``), politeness.HostGateMiddleware (the
    429/5xx key of a host that asked not to be contacted), compression.StrictCompressionMiddleware
    (``fetch.data_loss``, ``fetch.too_large``), and by oneshot.fetch for the same bodies and a
    redirect loop (``fetch.redirect_limit``), so `ewsi sources add|check` names them as a crawl does.
    """

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.ewsi_key = key


class NotModified(IgnoreRequest):
    """A source URL answered 304, or the same bytes as last time: nothing to parse (not an error).

    Raised by conditional_get.ConditionalGetMiddleware.
    """

    ewsi_not_modified = True
