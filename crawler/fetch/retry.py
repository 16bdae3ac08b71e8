"""Retries for timeouts, 429 and 5xx, spaced by jittered exponential back-off and Retry-After.

Settings read: Scrapy's ``RETRY_ENABLED``, ``RETRY_TIMES``, ``RETRY_HTTP_CODES``,
``RETRY_EXCEPTIONS`` (through `RetryMiddleware`), ``EWSI_RETRY_BACKOFF`` (base of the back-off,
seconds, default 2), ``EWSI_RETRY_AFTER_MAX`` (longest Retry-After waited for, seconds, default
60), ``AUTOTHROTTLE_MAX_DELAY`` (cap on the back-off) and ``CONCURRENT_REQUESTS_PER_DOMAIN``
(size of the host's shared state in crawler.fetch.politeness, where the waits are applied).

A `Retry-After` is capped at `RETRY_AFTER_CAP_S` (one day) wherever it is read: a pause asked for
longer (``Retry-After: 99999999``, an HTTP-date in year 9999) closes the host for a day, after which
one request tries again and the answer decides.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.errors import http_status_key
from crawler.fetch.politeness import host_state
from crawler.health import HOST_PAUSE_MAX
from crawler.text import when

logger = logging.getLogger(__name__)

RETRY_AFTER_CAP_S = HOST_PAUSE_MAX.total_seconds()
"""Longest pause a `Retry-After` can impose, seconds: crawler.health `HOST_PAUSE_MAX` (a day)."""


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).

    None when absent or unreadable; a date in the past gives 0; anything longer gives
    `RETRY_AFTER_CAP_S` (a day), so no answer closes a host for longer.
    """
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isascii() and text.isdigit():  # not "1²" or "١٢": str.isdigit takes those, int() does not
        digits = text.lstrip("0") or "0"  # more than 9 digits is decades: past the cap anyway
        return RETRY_AFTER_CAP_S if len(digits) > 9 else min(float(int(digits)), RETRY_AFTER_CAP_S)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - (now or datetime.now(UTC))).total_seconds()), RETRY_AFTER_CAP_S)


class PoliteRetryMiddleware(RetryMiddleware):
    """Scrapy's retry for timeouts, 429 and 5xx only, spaced by jittered exponential back-off.

    The n-th retry of a request waits `EWSI_RETRY_BACKOFF` * 2**n * uniform(0.5, 1.5) seconds
    (capped at `AUTOTHROTTLE_MAX_DELAY`), or longer when the answer carries `Retry-After`; the
    wait is applied to the whole host through `HostGateMiddleware`. A `Retry-After` over
    `EWSI_RETRY_AFTER_MAX` seconds is not waited for: the request gives up (its 429/5xx error
    key follows), the host is left alone for the rest of the run, and the time after which it
    may be asked again is stored in stats ``ewsi/retry_after`` (ISO 8601 UTC) so the scheduler
    can defer the source's next slot.
    """

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.backoff = settings.getfloat("EWSI_RETRY_BACKOFF", 2.0)
        self.max_wait = settings.getfloat("AUTOTHROTTLE_MAX_DELAY") or 60.0
        self.retry_after_max = settings.getfloat("EWSI_RETRY_AFTER_MAX", 60.0)
        self.concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") or 1

    def _wait(self, request: Request, retry_after: float | None) -> None:
        retries = request.meta.get("retry_times", 0)
        wait = min(self.backoff * (2**retries) * random.uniform(0.5, 1.5), self.max_wait)
        if retry_after is not None:
            wait = max(wait, retry_after)
        state = host_state(urlparse_cached(request).hostname or "", self.concurrency)
        state.next_at = max(state.next_at, time.monotonic() + wait)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry_after = retry_after_seconds(response.headers.get(b"Retry-After"))
        if retry_after is not None and retry_after > self.retry_after_max:
            self._give_up(request, response, retry_after)
            return response
        self._wait(request, retry_after)
        return super().process_response(request, response)

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> Any:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry"):
            self._wait(request, None)
        return super().process_exception(request, exception)

    def _give_up(self, request: Request, response: Response, seconds: float) -> None:
        until = datetime.now(UTC) + timedelta(seconds=seconds)
        stats = self.crawler.stats
        if stats is not None:
            previous = stats.get_value("ewsi/retry_after")
            iso = until.strftime("%Y-%m-%dT%H:%M:%SZ")
            if not previous or iso > previous:
                stats.set_value("ewsi/retry_after", iso)
            stats.inc_value("ewsi/retry/retry_after_too_long")
        state = host_state(urlparse_cached(request).hostname or "", self.concurrency)
        state.closed_until = max(state.closed_until, time.monotonic() + seconds)
        state.closed_key = http_status_key(response.status)
        logger.warning(
            "%s answered %d with Retry-After %.0f s: not retried in this run (until %s)",
            request.url[:200],
            response.status,
            seconds,
            when(until),
        )
