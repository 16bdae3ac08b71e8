"""Per-host politeness shared by every crawler of the process: `HostState` and `HostGateMiddleware`.

Settings read: ``CONCURRENT_REQUESTS_PER_DOMAIN`` (process-wide slots per host),
``DOWNLOAD_DELAY`` and ``RANDOMIZE_DOWNLOAD_DELAY`` (spacing between starts, jittered 0.5x-1.5x),
``AUTOTHROTTLE_MAX_DELAY`` (cap on a robots.txt ``Crawl-delay``, seconds),
``ROBOTSTXT_USER_AGENT`` / ``USER_AGENT`` (whose Crawl-delay applies) and ``EWSI_REPLAY`` (set: off).
Times are `time.monotonic()` seconds. retry.PoliteRetryMiddleware pushes a host's next start and
closes a host that asked for a too long Retry-After; this gate then refuses its requests with
`FetchRefused` ``fetch.host_paused`` (the request that got the answer keeps its 429/5xx key).

Rule (scope): robots.txt directives, ``Crawl-delay`` included, belong to the origin (scheme, host,
port) whose robots.txt gave them (RFC 9309 2.3: "MUST only be applied to the host, protocol and
port number where the file is hosted"): a ``Crawl-delay`` on ``http://h:8081`` spaces the requests
to that origin only (`HostState.origin_next`), never ``http://h:8080``. What is ours, not the
site's, stays per host name (`host_key`): the concurrency slots, the ``DOWNLOAD_DELAY`` spacing and
a closure by a long Retry-After, since the ports of one name are one machine to spare. A
``Crawl-delay`` above ``AUTOTHROTTLE_MAX_DELAY`` (60 s) is capped at it; the run's stats keep the
value asked (``ewsi/robots/crawl_delay_asked``) and the log names the origin.

Rule (shutdown, `stop_waiting`): a request waiting in this gate, for a slot, a host's spacing or an
origin's Crawl-delay, is not in flight: when the crawl stops (the first SIGINT/SIGTERM,
crawler.runner.ShutdownGuard) every such wait ends at once and its request is refused
``crawl.interrupted``, as is every request reaching the gate after that; only requests already
sent are waited for.
"""

from __future__ import annotations

import logging
import math
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import defer, task

from crawler.fetch.refusals import FetchRefused
from crawler.health import HOST_PAUSED
from crawler.text import when

logger = logging.getLogger(__name__)

PAUSED_STAT = "ewsi/host_paused_until"
"""Stats key: when the closed host this run's refused requests waited for reopens (ISO 8601 UTC)."""
INTERRUPTED = "crawl.interrupted"
"""Error key of a request dropped from the gate because the crawl stops (module rule, shutdown)."""

Origin = tuple[str, str, int]
"""(scheme, host key, port): whose robots.txt a directive came from (module rule, scope)."""
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(request: Request) -> Origin:
    """The origin of `request`: scheme, `host_key` of its host, port (the scheme's default if none)."""
    parts = urlparse_cached(request)
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme or "http"
    return scheme, host_key(parts.hostname or ""), port or _DEFAULT_PORTS.get(scheme, 0)


class _Stop:
    """The process's gate stop (module rule, shutdown): set once, waits cut short."""

    stopped = False
    waiting: set[defer.Deferred[Any]] = set()


def stop_waiting() -> int:
    """Stop the gate: every request waiting in it is refused ``crawl.interrupted`` now, and every
    later one on arrival. Returns how many waits were cut short."""
    _Stop.stopped = True
    waits = list(_Stop.waiting)
    for wait in waits:
        wait.cancel()
    return len(waits)


def resume_waiting() -> None:
    """Undo `stop_waiting` (a new run in the same process)."""
    _Stop.stopped = False


def _interrupted() -> FetchRefused:
    return FetchRefused(
        INTERRUPTED,
        "not fetched: the crawl is stopping and this request was still waiting for its turn at the host",
    )


async def waited(wait: defer.Deferred[Any]) -> Any:
    """The result of `wait` (a timer or a slot), cut short by `stop_waiting`: raises the
    ``crawl.interrupted`` refusal when the gate stops before or while it waits."""
    if _Stop.stopped:
        wait.cancel()
        raise _interrupted()
    _Stop.waiting.add(wait)
    try:
        return await maybe_deferred_to_future(wait)
    except defer.CancelledError:
        if _Stop.stopped:
            raise _interrupted() from None
        raise
    finally:
        _Stop.waiting.discard(wait)


async def pause(seconds: float) -> None:
    """Sleep `seconds` on the reactor, cut short by `stop_waiting` (raises the refusal then)."""
    from twisted.internet import reactor

    await waited(task.deferLater(reactor, max(0.0, seconds), lambda: None))


@dataclass
class HostState:
    """Shared state of one host: a concurrency semaphore and when the next request may start."""

    slots: defer.DeferredSemaphore
    next_at: float = 0.0
    """time.monotonic() before which no request may start (delay, Retry-After, back-off)."""
    crawl_delay: float = 0.0
    """The largest robots.txt Crawl-delay of the host's origins (capped; the shared budget's)."""
    origin_delays: dict[Origin, float] = field(default_factory=dict)
    """robots.txt Crawl-delay (capped seconds) per origin of this host name (module rule, scope)."""
    origin_next: dict[Origin, float] = field(default_factory=dict)
    """time.monotonic() before which no request to the origin may start (its Crawl-delay)."""
    closed_until: float = 0.0
    """time.monotonic() until which the host refused us with a long Retry-After (no request)."""
    closed_key: str = ""
    active: int = 0
    waits: list[float] = field(default_factory=list)
    holders: dict[object, int] = field(default_factory=dict)
    """Slot token -> id() of the request holding it: only that request's answer or failure frees
    the slot (a request whose meta was copied from a holder, by a retry or a redirect, holds none)."""


HOSTS: dict[str, HostState] = {}
"""Per-host state shared by every crawler of the process (all sources of one `ewsi crawl`)."""


def host_key(host: str) -> str:
    """The key of a host name in `HOSTS`: case and a final dot do not matter ("A.test." = "a.test")."""
    return host.strip().lower().rstrip(".")


def seconds(value: Any) -> float | None:
    """A delay in seconds (>= 0, may be infinite), or None for a missing, negative or NaN value."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or number < 0 else number


def host_state(host: str, concurrency: int = 1) -> HostState:
    """The shared `HostState` of `host` (created with `concurrency` slots on first use)."""
    key = host_key(host)
    if key not in HOSTS:
        HOSTS[key] = HostState(defer.DeferredSemaphore(max(1, concurrency)))
    return HOSTS[key]


def closed_hosts() -> list[tuple[str, datetime, str]]:
    """Hosts of this process closed now: (host, reopening as aware UTC, error key of the answer that
    closed it); what crawler.store.host_closures keeps for the next run where no shared budget does."""
    now_mono, now = time.monotonic(), datetime.now(UTC)
    return [
        (host, now + timedelta(seconds=state.closed_until - now_mono), state.closed_key or "fetch.http_429")
        for host, state in HOSTS.items()
        if state.closed_until > now_mono
    ]


def close_host(host: str, until: datetime, key: str, concurrency: int = 1) -> None:
    """Close `host` until `until` (aware datetime) for every crawler of this process, as a too long
    Retry-After does (a reopening already past changes nothing)."""
    seconds_left = (until - datetime.now(UTC)).total_seconds()
    if not host_key(host) or seconds_left <= 0:
        return
    state = host_state(host, concurrency)
    state.closed_until = max(state.closed_until, time.monotonic() + seconds_left)
    state.closed_key = key


class HostGateMiddleware:
    """Per-host concurrency and delay shared by all sources (crawlers) of the process.

    Each Scrapy crawler has its own downloader, so `CONCURRENT_REQUESTS_PER_DOMAIN` and
    `DOWNLOAD_DELAY` alone would let N sources on one host hit it N times as hard. This gate,
    last before the download handler, holds one of `CONCURRENT_REQUESTS_PER_DOMAIN` process-wide
    slots per host while a request is in flight, starts requests to a host at least
    `DOWNLOAD_DELAY` apart (jittered 0.5x-1.5x when `RANDOMIZE_DOWNLOAD_DELAY`) and requests to
    an origin at least its robots.txt `Crawl-delay` (capped at `AUTOTHROTTLE_MAX_DELAY`, never
    jittered below it) apart, each gap also after the previous request's answer
    (`_space_from_answer`); a request waits for its origin's Crawl-delay before it takes a slot
    of the host, so an origin's long delay never holds up the host's other origins. Retry-After
    and back-off push the host's next start (`PoliteRetryMiddleware`); a host that asked for more than
    `EWSI_RETRY_AFTER_MAX` is not asked again in this run (`FetchRefused` ``fetch.host_paused``).
    """

    META = "_ewsi_host_slot"
    GAP = "_ewsi_host_gap"
    ORIGIN_GAP = "_ewsi_origin_gap"

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") or 1
        delay = seconds(settings.get("DOWNLOAD_DELAY") or 0)
        if delay is None:
            raise ValueError(f"DOWNLOAD_DELAY must be seconds >= 0, not {settings.get('DOWNLOAD_DELAY')!r}")
        self.delay = delay
        self.randomize = settings.getbool("RANDOMIZE_DOWNLOAD_DELAY")
        self.max_crawl_delay = settings.getfloat("AUTOTHROTTLE_MAX_DELAY") or 60.0
        agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"
        self.agent = agent

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostGateMiddleware:
        if crawler.settings.get("EWSI_REPLAY"):
            raise NotConfigured("replay mode does not use the network")
        mw = cls(crawler)
        crawler.signals.connect(mw.robots_parsed, signal=signals.robots_parsed)
        return mw

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        """Record the robots.txt Crawl-delay of `request`'s origin (seconds, capped; module rule)."""
        try:
            delay = seconds(robotparser.crawl_delay(self.agent))
        except Exception:  # a parser without crawl_delay, or a broken value
            delay = None
        if delay:  # None, 0 and NaN ("Crawl-delay: nan") leave the origin's spacing as it is
            origin = origin_of(request)
            state = host_state(origin[1], self.concurrency)
            capped = min(float(delay), self.max_crawl_delay)
            state.origin_delays[origin] = capped
            state.crawl_delay = max(state.origin_delays.values())
            stats = self.crawler.stats
            if stats is not None:
                stats.set_value("ewsi/robots/crawl_delay", capped)
            if delay > capped:
                if stats is not None:  # the largest ask of any origin, with the cap it got
                    stats.max_value("ewsi/robots/crawl_delay_asked", float(delay))
                    stats.set_value("ewsi/robots/crawl_delay_cap", capped)
                logger.warning(
                    "robots.txt of %s://%s:%d asks Crawl-delay %g s: capped at %g s (AUTOTHROTTLE_MAX_DELAY)",
                    *origin,
                    delay,
                    capped,
                )

    async def process_request(self, request: Request) -> None:
        origin = origin_of(request)
        host = origin[1]
        state = host_state(host, self.concurrency)
        request.meta.pop(self.META, None)  # copied from another request (a retry, a redirect)
        request.meta.pop(self.GAP, None)
        request.meta.pop(self.ORIGIN_GAP, None)
        if _Stop.stopped:
            raise _interrupted()
        if state.closed_until > time.monotonic():
            raise self._paused(host, state)
        while True:
            # the origin's Crawl-delay turn first, holding no slot of the host: its other origins go on
            while (wait := state.origin_next.get(origin, 0.0) - time.monotonic()) > 0:
                state.waits.append(wait)
                await pause(wait)
                if state.closed_until > time.monotonic():
                    raise self._paused(host, state)
            await self._take_slot(request, host, state)
            # a request of the origin answered, or started, while this one waited for the slot:
            # its gap stands, so the slot is given back and the origin's turn awaited again
            if state.origin_next.get(origin, 0.0) <= time.monotonic():
                break
            self._release(request)
        crawl_delay = state.origin_delays.get(origin, 0.0)
        delay = self.delay
        if self.randomize and delay:
            delay *= random.uniform(0.5, 1.5)
        state.next_at = max(state.next_at, time.monotonic() + delay)
        if crawl_delay:  # never jittered below what robots.txt asked
            state.origin_next[origin] = time.monotonic() + crawl_delay
            request.meta[self.ORIGIN_GAP] = crawl_delay
        request.meta[self.GAP] = delay

    async def _take_slot(self, request: Request, host: str, state: HostState) -> None:
        """Take one of the host's slots for `request` and wait for the host's next start; refused
        (the slot given back) when the host closes or the gate stops meanwhile."""
        await waited(state.slots.acquire())
        token = object()
        request.meta[self.META] = (host, token)
        state.holders[token] = id(request)
        state.active += 1
        try:
            # wait until the host's next start, read again after every sleep: a Retry-After or
            # another request's start may have moved it while this one slept
            while (wait := state.next_at - time.monotonic()) > 0:
                state.waits.append(wait)
                await pause(wait)
                if state.closed_until > time.monotonic():  # closed while this request waited
                    raise self._paused(host, state)
        except BaseException:  # refused, or cancelled while it slept: the slot is given back
            self._release(request)
            raise
        if _Stop.stopped:
            self._release(request)
            raise _interrupted()
        if state.closed_until > time.monotonic():
            self._release(request)
            raise self._paused(host, state)

    def _paused(self, host: str, state: HostState) -> FetchRefused:
        """The refusal of a request to a closed host: ``fetch.host_paused`` (crawler.health rule 6),
        not the 429/5xx key of the answer that closed it, which another request got; the reopening
        time goes to stats ``ewsi/host_paused_until`` (ISO 8601 UTC, the latest seen) so the run
        is deferred to it rather than counted as the source's failure."""
        until = datetime.now(UTC) + timedelta(seconds=max(0.0, state.closed_until - time.monotonic()))
        iso = until.strftime("%Y-%m-%dT%H:%M:%SZ")
        stats = self.crawler.stats
        if stats is not None and iso > (stats.get_value(PAUSED_STAT) or ""):
            stats.set_value(PAUSED_STAT, iso)
        why = state.closed_key or "fetch.http_429"
        return FetchRefused(
            HOST_PAUSED,
            f"{host} asked not to be contacted until {when(until)} ({why} with Retry-After "
            "to another request): not fetched, tried again after that",
        )

    def _held_state(self, request: Request) -> tuple[HostState, object] | None:
        """The host state and slot token of the slot this very request took, or None: a copied
        meta (a retry or redirect of the request holding the slot) names a slot it does not hold."""
        held = request.meta.get(self.META)
        if held is None:
            return None
        state = HOSTS.get(host_key(held[0]))
        if state is None or state.holders.get(held[1]) != id(request):
            return None
        return state, held[1]

    def _release(self, request: Request) -> None:
        found = self._held_state(request)
        request.meta.pop(self.META, None)
        if found is not None:
            state, token = found
            del state.holders[token]
            state.active -= 1
            state.slots.release()

    def process_response(self, request: Request, response: Response) -> Response:
        self._space_from_answer(request)
        self._release(request)
        return response

    def _space_from_answer(self, request: Request) -> None:
        """Count the next start from when this request's answer (or failure) came, not from the gate.

        Between the gate and the wire the crawl's thread can stall (a long item stage, a model
        loading): the handler starts, Twisted buffers the bytes, and they leave only when the
        reactor runs again, so neither the gate's time nor the handler's start (``now -
        download_latency``) bounds when the host saw the request. Its answer does: the host had the
        request before it answered. So no request to the host starts before this answer's time
        plus this request's gap, as Nutch and Heritrix space a host's fetches from the end of the
        last one. A host answering slowly is asked less often, never faster.
        """
        gap, found = request.meta.get(self.GAP), self._held_state(request)
        if gap is not None and found is not None:
            state, now = found[0], time.monotonic()
            state.next_at = max(state.next_at, now + float(gap))
            if crawl_delay := request.meta.get(self.ORIGIN_GAP):
                origin = origin_of(request)
                state.origin_next[origin] = max(state.origin_next.get(origin, 0.0), now + float(crawl_delay))

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._space_from_answer(request)  # a timeout or reset may come after the host had it
        self._release(request)
