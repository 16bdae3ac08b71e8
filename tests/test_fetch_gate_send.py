"""The host gate counts a request's gap from when it reached the download handler
(crawler.fetch.politeness `HostGateMiddleware._space_from_send`): a stall of the crawl's thread between
the gate and the handler must not let the next request reach the host right after it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.fetch.politeness import HOSTS, HostGateMiddleware, host_state


@pytest.fixture
def gate() -> HostGateMiddleware:
    HOSTS.pop("gate.test", None)
    yield HostGateMiddleware(get_crawler(settings_dict={"DOWNLOAD_DELAY": 1.0}))
    HOSTS.pop("gate.test", None)


def _answered(gate: HostGateMiddleware, meta: dict[str, Any], next_at: float) -> float:
    state = host_state("gate.test")
    state.next_at = next_at
    if HostGateMiddleware.META in meta:
        state.slots.acquire()  # the slot the gate took for this request; the answer releases it
    request = Request("http://gate.test/page", meta=meta)
    gate.process_response(request, Response(request.url, request=request))
    return state.next_at - time.monotonic()


@pytest.mark.parametrize(
    ("latency", "gap", "next_in", "at_least", "at_most"),
    [
        # sent 0.1 s ago (stalled after the gate): the next start is 1.0 s after the send
        (0.1, 1.0, -3.0, 0.85, 0.95),
        # sent 2 s ago: the gate's own next start (later) stands
        (2.0, 1.0, 0.5, 0.45, 0.55),
        # sent 0.2 s ago with a 1.4 s jittered gap, next start already 1.3 s ahead: kept
        (0.2, 1.4, 1.3, 1.25, 1.35),
        # a slow answer (latency longer than the gap): nothing to add
        (5.0, 1.0, -1.0, -1.05, -0.95),
    ],
)
def test_next_start_counts_from_the_send(gate, latency, gap, next_in, at_least, at_most) -> None:
    meta = {HostGateMiddleware.META: ("gate.test", object()), HostGateMiddleware.GAP: gap,
            "download_latency": latency}  # fmt: skip
    left = _answered(gate, meta, time.monotonic() + next_in)
    assert at_least <= left <= at_most


@pytest.mark.parametrize("missing", [HostGateMiddleware.GAP, "download_latency", HostGateMiddleware.META])
def test_without_the_facts_the_gates_next_start_stands(gate, missing) -> None:
    meta = {HostGateMiddleware.META: ("gate.test", object()), HostGateMiddleware.GAP: 1.0,
            "download_latency": 0.0}  # fmt: skip
    del meta[missing]
    left = _answered(gate, meta, time.monotonic() - 2.0)
    assert -2.05 <= left <= -1.95
