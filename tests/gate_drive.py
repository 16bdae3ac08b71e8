"""Drive crawler.fetch.politeness.HostGateMiddleware's waiting on an asyncio reactor, in a process of
its own (the reactor is installed once per process); prints one JSON object of measured values.
Run by tests/test_fetch_gate_wait.py as ``python -m tests.gate_drive``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from scrapy.utils.reactor import install_reactor

install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

from scrapy import Request  # noqa: E402
from scrapy.http import Response  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402
from twisted.internet import defer, reactor  # noqa: E402

from crawler.fetch.politeness import (  # noqa: E402
    HOSTS,
    HostGateMiddleware,
    host_state,
    resume_waiting,
    stop_waiting,
)
from crawler.fetch.refusals import FetchRefused  # noqa: E402


def _gate(delay: float, concurrency: int) -> HostGateMiddleware:
    settings = {"DOWNLOAD_DELAY": delay, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency}
    return HostGateMiddleware(get_crawler(settings_dict={**settings, "RANDOMIZE_DOWNLOAD_DELAY": False}))


async def _start(gate: HostGateMiddleware, url: str, log: list[tuple[float, str]]) -> Request:
    request = Request(url)
    await gate.process_request(request)
    log.append((time.monotonic(), url))
    return request


def _answer(gate: HostGateMiddleware, request: Request, status: int = 200) -> None:
    gate.process_response(request, Response(request.url, status=status, request=request))


async def pushed_while_sleeping() -> dict[str, float]:
    """Two slots; c sleeps toward the next start when b's answer pushes the host 1 s further."""
    gate, log = _gate(0.2, 2), []
    a = await _start(gate, "http://push.test/a", log)
    b = await _start(gate, "http://push.test/b", log)
    c = asyncio.ensure_future(_start(gate, "http://push.test/c", log))
    await asyncio.sleep(0.05)
    _answer(gate, a)  # c takes a's slot and sleeps toward a's answer + 0.2
    await asyncio.sleep(0.05)
    state = host_state("push.test")
    state.next_at = max(state.next_at, time.monotonic() + 1.0)  # what a Retry-After: 1 does
    pushed = state.next_at
    await c
    _answer(gate, b)
    _answer(gate, c.result())
    return {"late_by": log[-1][0] - pushed}


async def woken_together() -> dict[str, float]:
    """Two slots free, both requests wait for one next start: they must still start a delay apart."""
    gate, log = _gate(0.3, 2), []
    host_state("together.test", 2).next_at = time.monotonic() + 0.2
    x = asyncio.ensure_future(_start(gate, "http://together.test/x", log))
    y = asyncio.ensure_future(_start(gate, "http://together.test/y", log))
    await x
    await y
    _answer(gate, x.result())
    _answer(gate, y.result())
    return {"apart": abs(log[1][0] - log[0][0])}


async def cancelled_while_sleeping() -> dict[str, Any]:
    gate = _gate(0.0, 1)
    host_state("cancel.test").next_at = time.monotonic() + 5.0
    task = asyncio.ensure_future(gate.process_request(Request("http://cancel.test/x")))
    await asyncio.sleep(0.05)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    state = host_state("cancel.test")
    return {"free_slots": state.slots.tokens, "holders": len(state.holders), "active": state.active}


async def copied_meta() -> dict[str, Any]:
    """A retry copies the meta of the request holding the slot; the copy fails before the gate."""
    gate = _gate(0.0, 1)
    original = Request("http://copy.test/x")
    await gate.process_request(original)
    copy = original.copy()
    gate.process_exception(copy, ValueError("refused earlier"))
    state = host_state("copy.test")
    held_after_copy = state.slots.tokens
    _answer(gate, original)
    _answer(gate, original)  # a second answer changes nothing
    return {"free_after_copy": held_after_copy, "free_after_answer": state.slots.tokens}


async def trailing_dot() -> dict[str, Any]:
    gate = _gate(0.0, 1)
    first = Request("http://Dot.Test./x")
    await gate.process_request(first)
    waiting = asyncio.ensure_future(gate.process_request(Request("http://dot.test/y")))
    await asyncio.sleep(0.05)
    blocked = not waiting.done()
    _answer(gate, first)
    await waiting
    return {"blocked_by_the_other_spelling": blocked, "hosts": sorted(h for h in HOSTS if "dot" in h)}


async def closed_while_waiting() -> dict[str, Any]:
    gate = _gate(0.0, 1)
    state = host_state("closed.test")
    state.next_at = time.monotonic() + 0.2
    task = asyncio.ensure_future(gate.process_request(Request("http://closed.test/x")))
    await asyncio.sleep(0.05)
    state.closed_until, state.closed_key = time.monotonic() + 60.0, "fetch.http_429"
    try:
        await task
        refused = ""
    except FetchRefused as exc:
        refused = exc.ewsi_key
    return {"refused": refused, "free_slots": state.slots.tokens}


class _Robots:
    """A parsed robots.txt asking `delay` seconds of Crawl-delay."""

    def __init__(self, delay: float):
        self.delay = delay

    def crawl_delay(self, _agent: str) -> float:
        return self.delay


ORIGIN_CASES = [
    # (robots.txt's origin, the request asked after one to that origin, spaced by its Crawl-delay?)
    ("http://o1.test:8081", "http://o1.test:8081/b", True),
    ("http://o2.test:8081", "http://O2.Test.:8081/b", True),  # case and a final dot: one origin
    ("http://o3.test", "http://o3.test:80/b", True),  # the default port written out
    ("http://o4.test:8081", "http://o4.test:8080/b", False),  # another port
    ("http://o5.test:8081", "https://o5.test:8081/b", False),  # another scheme
    ("http://o6.test", "https://o6.test/b", False),
    ("http://o7.test:8081", "http://o7.test/b", False),
    ("http://o8.test:8081", "http://www.o8.test:8081/b", False),  # another host
]


async def origin_scope() -> list[dict[str, Any]]:
    """robots.txt Crawl-delay 0.6 s on one origin; how long a request to each variant waited after
    a request to that origin (the host's own spacing is 0, one slot)."""
    gate = _gate(0.0, 1)
    found = []
    for robots, url, _ in ORIGIN_CASES:
        gate.robots_parsed(_Robots(0.6), Request(f"{robots}/robots.txt"))
        first = Request(f"{robots}/a")
        await gate.process_request(first)
        _answer(gate, first)
        started = time.monotonic()
        second = Request(url)
        await gate.process_request(second)
        found.append({"url": url, "waited": time.monotonic() - started})
        _answer(gate, second)
    return found


async def long_origin_wait_holds_no_slot() -> dict[str, Any]:
    """Origin :8081 asks 60 s; its second request waits for it, and meanwhile the host's one slot
    serves the other port at once."""
    gate = _gate(0.0, 1)
    gate.robots_parsed(_Robots(60.0), Request("http://slot.test:8081/robots.txt"))
    first = Request("http://slot.test:8081/a")
    await gate.process_request(first)
    _answer(gate, first)
    waiting = asyncio.ensure_future(gate.process_request(Request("http://slot.test:8081/b")))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    other = Request("http://slot.test:8080/x")
    await gate.process_request(other)
    other_waited = time.monotonic() - started
    _answer(gate, other)
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    return {"other_port_waited": other_waited, "origin_still_waiting": True}


async def capped() -> dict[str, Any]:
    """Crawl-delay 3600 with AUTOTHROTTLE_MAX_DELAY 60: 60 s are kept, the value asked in stats."""
    settings = {"DOWNLOAD_DELAY": 0.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "AUTOTHROTTLE_MAX_DELAY": 60.0}
    crawler = get_crawler(settings_dict=settings)
    gate = HostGateMiddleware(crawler)
    gate.robots_parsed(_Robots(3600.0), Request("http://cap.test:8081/robots.txt"))
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    return {
        "delay": host_state("cap.test").origin_delays[("http", "cap.test", 8081)],
        "stats_delay": stats.get("ewsi/robots/crawl_delay"),
        "stats_asked": stats.get("ewsi/robots/crawl_delay_asked"),
        "stats_cap": stats.get("ewsi/robots/crawl_delay_cap"),
    }


async def stopped_while_waiting() -> dict[str, Any]:
    """One request waits for a 60 s Crawl-delay, one for the host's single slot held by a third in
    flight: `stop_waiting` refuses both at once (``crawl.interrupted``), and any later request."""
    gate = _gate(0.0, 1)
    gate.robots_parsed(_Robots(60.0), Request("http://stop.test:8081/robots.txt"))
    first = Request("http://stop.test:8081/a")
    await gate.process_request(first)
    _answer(gate, first)
    in_flight = Request("http://stop.test:8080/x")
    await gate.process_request(in_flight)
    delayed = asyncio.ensure_future(gate.process_request(Request("http://stop.test:8081/b")))
    queued = asyncio.ensure_future(gate.process_request(Request("http://stop.test:8080/y")))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    cut = stop_waiting()
    refused = []
    for task in (delayed, queued):
        try:
            await task
            refused.append("")
        except FetchRefused as exc:
            refused.append(exc.ewsi_key)
    took = time.monotonic() - started
    try:
        await gate.process_request(Request("http://stop.test:8080/z"))
        later = ""
    except FetchRefused as exc:
        later = exc.ewsi_key
    _answer(gate, in_flight)  # the request in flight still gets its answer and frees its slot
    state = host_state("stop.test")
    resume_waiting()
    return {"cut": cut, "refused": refused, "later": later, "took": took, "free_slots": state.slots.tokens}


async def main() -> dict[str, Any]:
    scenarios = (pushed_while_sleeping, woken_together, cancelled_while_sleeping, copied_meta)
    origin = (origin_scope, long_origin_wait_holds_no_slot, capped)
    # stopped_while_waiting stops the process's gate: last
    return {
        f.__name__: await f()
        for f in (*scenarios, trailing_dot, closed_while_waiting, *origin, stopped_while_waiting)
    }


if __name__ == "__main__":
    out: dict[str, Any] = {}

    def run() -> defer.Deferred[None]:
        async def go() -> None:
            try:
                out.update(await main())
            finally:
                reactor.stop()  # type: ignore[attr-defined]

        return defer.Deferred.fromFuture(asyncio.ensure_future(go()))

    reactor.callWhenRunning(run)  # type: ignore[attr-defined]
    reactor.run()  # type: ignore[attr-defined]
    print(json.dumps(out))
