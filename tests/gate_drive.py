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

from crawler.fetch.politeness import HOSTS, HostGateMiddleware, host_state  # noqa: E402
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


async def main() -> dict[str, Any]:
    scenarios = (pushed_while_sleeping, woken_together, cancelled_while_sleeping, copied_meta)
    return {f.__name__: await f() for f in (*scenarios, trailing_dot, closed_while_waiting)}


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
