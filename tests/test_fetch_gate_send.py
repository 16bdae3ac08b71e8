"""The host gate counts a request's gap from when its answer came (crawler.fetch.politeness
`HostGateMiddleware._space_from_answer`): a stall of the crawl's thread anywhere between the gate and
the wire must not let the next request reach the host right after it. Rule for every answer and
every failure of a request that passed the gate: the host's next start is at least answer time + the
request's gap, and a later next start (Retry-After, back-off, another request's gap) stands."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import TCPTimedOutError

from crawler.fetch.politeness import HOSTS, HostGateMiddleware, host_state


@pytest.fixture
def gate() -> Iterator[HostGateMiddleware]:
    HOSTS.pop("gate.test", None)
    yield HostGateMiddleware(get_crawler(settings_dict={"DOWNLOAD_DELAY": 1.0}))
    HOSTS.pop("gate.test", None)


def _answered(
    gate: HostGateMiddleware, meta: dict[str, Any], next_at: float, *, failed: bool = False
) -> float:
    """Seconds from the answer (or failure) to the host's next start."""
    state = host_state("gate.test")
    state.next_at = next_at
    request = Request("http://gate.test/page", meta=meta)
    if HostGateMiddleware.META in meta:
        state.slots.acquire()  # the slot the gate took for this request; the answer releases it
        state.holders[meta[HostGateMiddleware.META][1]] = id(request)
    if failed:
        gate.process_exception(request, TCPTimedOutError())
    else:
        gate.process_response(request, Response(request.url, request=request))
    assert state.slots.tokens == 1  # the slot is free again either way
    return state.next_at - time.monotonic()


@pytest.mark.parametrize(
    ("case", "latency", "gap", "next_in", "expected"),
    [
        # the bytes left 0.95 s after the handler started (the reactor was busy): a full gap from now,
        # where the handler's start (now - latency) would have allowed the next start after 0.05 s
        ("stalled before the wire", 0.95, 1.0, 0.05, 1.0),
        # a slow host: the gap runs after its answer, so it is asked less often
        ("slow answer", 5.0, 1.0, -4.0, 1.0),
        ("jittered gap, gate's start nearer", 0.2, 1.4, 1.3, 1.4),
        ("short jittered gap", 0.01, 0.5, -0.5, 0.5),
        # a Retry-After or back-off already pushed the host further: that stands
        ("host pushed back further", 0.1, 1.0, 30.0, 30.0),
        # no delay configured: the next request may start at once
        ("no delay", 0.1, 0.0, -1.0, 0.0),
        ("no latency recorded", None, 1.0, -3.0, 1.0),
    ],
)
def test_next_start_counts_from_the_answer(gate, case, latency, gap, next_in, expected) -> None:
    meta: dict[str, Any] = {HostGateMiddleware.META: ("gate.test", object()), HostGateMiddleware.GAP: gap}
    if latency is not None:
        meta["download_latency"] = latency
    left = _answered(gate, meta, time.monotonic() + next_in)
    assert expected - 0.05 <= left <= expected, case


@pytest.mark.parametrize(("gap", "next_in", "expected"), [(1.0, -2.0, 1.0), (0.7, 0.2, 0.7), (1.0, 9.0, 9.0)])
def test_a_failed_request_spaces_the_next_too(gate, gap, next_in, expected) -> None:
    """A timeout or reset may come after the host had the request: the gap runs from the failure."""
    meta = {HostGateMiddleware.META: ("gate.test", object()), HostGateMiddleware.GAP: gap}
    left = _answered(gate, meta, time.monotonic() + next_in, failed=True)
    assert expected - 0.05 <= left <= expected


@pytest.mark.parametrize("missing", [HostGateMiddleware.GAP, HostGateMiddleware.META])
def test_a_request_that_never_passed_the_gate_changes_nothing(gate, missing) -> None:
    meta = {HostGateMiddleware.META: ("gate.test", object()), HostGateMiddleware.GAP: 1.0}
    del meta[missing]
    left = _answered(gate, meta, time.monotonic() - 2.0)
    assert -2.05 <= left <= -1.95
