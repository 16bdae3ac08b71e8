"""Per-host politeness across processes and machines: the host gate backed by the shared budget.

`SharedHostGateMiddleware` takes the place of `HostGateMiddleware` (same priority, 960). With a
PostgreSQL store (``EWSI_DATABASE_URL``) and ``EWSI_SHARED_HOST_BUDGET`` on (default), every request:

1. passes the process's own gate checks (host closed here, `CONCURRENT_REQUESTS_PER_DOMAIN` slots);
2. holds one of the host's `CONCURRENT_REQUESTS_PER_DOMAIN` in-flight places in ``host_slots``
   (polled every `SLOT_POLL_S`; a place is leased for DOWNLOAD_TIMEOUT + 30 s, so a killed
   process frees it), so the host never has more requests in flight from all processes together;
3. reserves its start on the database clock (crawler.fetch.budget `SharedHostBudget`): gaps of
   max(EWSI_HOST_DELAY, DOWNLOAD_DELAY, Crawl-delay) x uniform(1, 1 + DOWNLOAD_DELAY_JITTER) (the
   jitter only ever lengthens a gap; crawler.settings sets EWSI_HOST_DELAY and zeroes Scrapy's
   own slot delay, which would act after the gate); a process woken late, or finding a push-back
   or closure written while it waited (`clear_to_send`), reserves again.

What a response teaches is written to the host's row for every process: a retryable status (429,
5xx of RETRY_HTTP_CODES) pushes the host back by its Retry-After, else by the first back-off step
(EWSI_RETRY_BACKOFF); a Retry-After over EWSI_RETRY_AFTER_MAX closes the host for that long, at
most a day (crawler.fetch.retry RETRY_AFTER_CAP_S; requests get ``fetch.host_paused``); robots.txt
Crawl-delay (capped at AUTOTHROTTLE_MAX_DELAY) belongs to its origin (crawler.fetch.politeness,
rule of scope): it is stored, and reserved, on a row of its own keyed by the origin
(`origin_row`, ``http://h:8081``), never on the host name's row, so other ports are not spaced by it.
Waits end at once when the crawl stops (crawler.fetch.politeness `stop_waiting`).
Database calls run in the reactor's thread pool; an unreachable database spaces the host's
requests 8x wider across all processes of this machine (crawler.fetch.machine_gate; never
closer). SQLite, replay, or the setting off: the in-process gate alone, exactly as
`HostGateMiddleware`.
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import threads

from crawler.errors import HostClosed, http_status_key
from crawler.fetch.budget import LATE_S, MAX_TURNS, SharedHostBudget
from crawler.fetch.politeness import HostGateMiddleware, Origin, host_state, origin_of, pause, waited
from crawler.fetch.retry import retry_after_seconds

logger = logging.getLogger(__name__)

SLOT_POLL_S = 0.1
"""Seconds between two attempts at a busy host's in-flight place."""
SLOT_LEASE_EXTRA_S = 30.0
CHECK_AHEAD_S = 0.1
"""Seconds before a reserved start at which `clear_to_send` is asked (its round trip fits in it)."""

_BUDGETS: dict[str, SharedHostBudget] = {}
"""One budget handle (engine) per database URL and process."""


def budget_for(url: str) -> SharedHostBudget:
    if url not in _BUDGETS:
        _BUDGETS[url] = SharedHostBudget(url)
    return _BUDGETS[url]


def origin_row(origin: Origin) -> str:
    """The ``host_budgets`` key of an origin's Crawl-delay row: ``scheme://host:port``."""
    scheme, host, port = origin
    return f"{scheme}://{host}:{port}"


def shared_url(settings: Any) -> str | None:
    """The PostgreSQL URL the gate shares its budget through, or None (local gate only)."""
    url = settings.get("EWSI_DATABASE_URL") or ""
    if not settings.getbool("EWSI_SHARED_HOST_BUDGET", True) or not str(url).startswith("postgresql"):
        return None
    return str(url)


class SharedHostGateMiddleware(HostGateMiddleware):
    """The host gate with a budget shared by every process (see the module docstring)."""

    SLOT = "_ewsi_shared_slot"

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        settings = crawler.settings
        url = shared_url(settings)
        self.budget = budget_for(url) if url else None
        self.delay = max(self.delay, settings.getfloat("EWSI_HOST_DELAY", 0.0))
        self.jitter = max(0.0, settings.getfloat("DOWNLOAD_DELAY_JITTER", 0.0))
        self.retry_codes = {int(c) for c in settings.getlist("RETRY_HTTP_CODES")}
        self.backoff = settings.getfloat("EWSI_RETRY_BACKOFF", 2.0)
        self.retry_after_max = settings.getfloat("EWSI_RETRY_AFTER_MAX", 60.0)
        self.lease = settings.getfloat("DOWNLOAD_TIMEOUT", 30.0) + SLOT_LEASE_EXTRA_S

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        super().robots_parsed(robotparser, request)
        origin = origin_of(request)
        delay = host_state(origin[1], self.concurrency).origin_delays.get(origin)
        if self.budget is not None and delay:
            threads.deferToThread(self.budget.set_crawl_delay, origin_row(origin), delay)

    async def process_request(self, request: Request) -> None:
        await super().process_request(request)  # local checks, slot and local spacing
        if self.budget is None:
            return
        host = urlparse_cached(request).hostname or ""
        try:
            await self._take_place(request, host)
            await self._wait_turn(host, self.delay)
            origin = origin_of(request)
            if crawl_delay := host_state(host, self.concurrency).origin_delays.get(origin):
                await self._wait_turn(origin_row(origin), crawl_delay)
        except HostClosed as exc:
            self._release(request)
            state = host_state(host, self.concurrency)
            state.closed_until = max(state.closed_until, time.monotonic() + max(0.0, _seconds_until(exc)))
            state.closed_key = exc.key
            raise self._paused(host, state) from None
        except BaseException:
            self._release(request)
            raise

    async def _take_place(self, request: Request, host: str) -> None:
        assert self.budget is not None
        while True:
            slot = await maybe_deferred_to_future(
                threads.deferToThread(self.budget.take_slot, host, self.concurrency, self.lease)
            )
            if slot is not None:
                request.meta[self.SLOT] = (host, slot)
                return
            await pause(SLOT_POLL_S)

    async def _wait_turn(self, host: str, delay: float) -> None:
        """Reserve a start on the row `host` (a host name, or an `origin_row`) `delay` seconds after
        the last one, and wait for it."""
        assert self.budget is not None
        for turn in range(1, MAX_TURNS + 1):
            factor = random.uniform(1.0, 1.0 + self.jitter) if self.jitter else 1.0
            wait = await waited(threads.deferToThread(self.budget.reserve, host, delay, factor))
            due = time.monotonic() + wait
            if wait > CHECK_AHEAD_S:
                # a push-back may land while this request waits: ask a little before the start, so
                # the answer's round trip is not spent after it (that would shorten the next gap)
                await pause(wait - CHECK_AHEAD_S)
                if not await maybe_deferred_to_future(threads.deferToThread(self.budget.clear_to_send, host)):
                    continue
            left = due - time.monotonic()
            if left > 0:
                await pause(left)
            if time.monotonic() - due <= LATE_S:
                return
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("ewsi/politeness/turn_lost")
            if turn % 10 == 0:
                logger.warning(
                    "%s: %d reserved starts missed (a loaded machine): reserving again", host, turn
                )
        logger.warning("%s: sending after %d missed starts", host, MAX_TURNS)

    def _release(self, request: Request) -> None:
        super()._release(request)
        held = request.meta.pop(self.SLOT, None)
        if held is not None and self.budget is not None:
            threads.deferToThread(self.budget.free_slot, *held)

    def process_response(self, request: Request, response: Response) -> Response:
        if (
            self.budget is not None
            and response.status in self.retry_codes
            and not request.meta.get("dont_retry")
        ):
            host = urlparse_cached(request).hostname or ""
            seconds = retry_after_seconds(response.headers.get(b"Retry-After"))
            if seconds is not None and seconds > self.retry_after_max:
                threads.deferToThread(self.budget.close, host, seconds, http_status_key(response.status))
            else:
                threads.deferToThread(
                    self.budget.push_back, host, seconds if seconds is not None else self.backoff
                )
        return super().process_response(request, response)


def _seconds_until(exc: HostClosed) -> float:
    from datetime import UTC, datetime

    return (exc.until - datetime.now(UTC)).total_seconds()
