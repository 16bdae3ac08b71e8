"""The host gate's waiting (crawler.fetch.politeness `HostGateMiddleware.process_request`), driven on
a real asyncio reactor by tests/gate_drive.py. Rules:
- a request sleeping toward the host's next start reads it again when it wakes: a Retry-After or
  another request's start that moved it meanwhile is obeyed;
- two requests woken by the same next start still start a delay apart;
- a request cancelled or refused while it waits gives its slot back;
- only the request that took a slot frees it: a copy of its meta (a retry, a redirect) frees nothing;
- "Host.Test." and "host.test" are one host;
- a robots.txt Crawl-delay spaces its origin (scheme, host, port) only, and a request waiting for
  it holds no slot of the host; a Crawl-delay over AUTOTHROTTLE_MAX_DELAY is capped at it;
- `stop_waiting` (the crawl stops) refuses every waiting request at once, ``crawl.interrupted``,
  while the request in flight keeps its slot until its answer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def drive() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.gate_drive"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_push_while_sleeping_is_obeyed(drive: dict[str, Any]) -> None:
    assert drive["pushed_while_sleeping"]["late_by"] >= -0.01


def test_requests_woken_together_still_start_a_delay_apart(drive: dict[str, Any]) -> None:
    assert drive["woken_together"]["apart"] >= 0.3 - 0.01


def test_a_request_cancelled_while_sleeping_gives_its_slot_back(drive: dict[str, Any]) -> None:
    assert drive["cancelled_while_sleeping"] == {"free_slots": 1, "holders": 0, "active": 0}


def test_a_copy_of_the_meta_frees_nothing(drive: dict[str, Any]) -> None:
    assert drive["copied_meta"] == {"free_after_copy": 0, "free_after_answer": 1}


def test_a_final_dot_and_case_name_one_host(drive: dict[str, Any]) -> None:
    assert drive["trailing_dot"] == {"blocked_by_the_other_spelling": True, "hosts": ["dot.test"]}


def test_closed_while_waiting_is_refused_and_frees_the_slot(drive: dict[str, Any]) -> None:
    assert drive["closed_while_waiting"] == {"refused": "fetch.host_paused", "free_slots": 1}


def test_a_crawl_delay_spaces_its_origin_only(drive: dict[str, Any]) -> None:
    from tests.gate_drive import ORIGIN_CASES

    waited = {case["url"]: case["waited"] for case in drive["origin_scope"]}
    assert len(waited) == len(ORIGIN_CASES)
    for _, url, spaced in ORIGIN_CASES:
        if spaced:
            assert 0.6 - 0.02 <= waited[url] <= 1.5, url
        else:
            assert waited[url] < 0.3, url


def test_a_long_crawl_delay_holds_no_slot_of_the_host(drive: dict[str, Any]) -> None:
    assert drive["long_origin_wait_holds_no_slot"]["other_port_waited"] < 0.5


def test_a_crawl_delay_is_capped(drive: dict[str, Any]) -> None:
    assert drive["capped"] == {"delay": 60.0, "stats_delay": 60.0, "stats_asked": 3600.0, "stats_cap": 60.0}


def test_stopping_refuses_the_waiting_requests_at_once(drive: dict[str, Any]) -> None:
    found = drive["stopped_while_waiting"]
    assert found["cut"] == 2
    assert found["refused"] == ["crawl.interrupted", "crawl.interrupted"]
    assert found["later"] == "crawl.interrupted"
    assert found["took"] < 1.0
    assert found["free_slots"] == 1


@pytest.mark.parametrize(
    ("stats", "warning"),
    [
        (
            {"ewsi/robots/crawl_delay": 60.0, "ewsi/robots/crawl_delay_asked": 3600.0,
             "ewsi/robots/crawl_delay_cap": 60.0},
            "warning: robots.txt asks Crawl-delay 3600 s, capped at 60 s (AUTOTHROTTLE_MAX_DELAY)",
        ),
        # another origin's robots.txt read later asked 5 s: the warning keeps the capped ask's cap
        (
            {"ewsi/robots/crawl_delay": 5.0, "ewsi/robots/crawl_delay_asked": 3600.0,
             "ewsi/robots/crawl_delay_cap": 60.0},
            "warning: robots.txt asks Crawl-delay 3600 s, capped at 60 s (AUTOTHROTTLE_MAX_DELAY)",
        ),
        ({"ewsi/robots/crawl_delay": 5.0}, None),  # under the cap: obeyed as asked, nothing to say
    ],
)  # fmt: skip
def test_a_capped_crawl_delay_is_named_in_the_run(stats: dict[str, Any], warning: str | None) -> None:
    from datetime import UTC, datetime

    from crawler import health

    now = datetime(2026, 12, 7, tzinfo=UTC)
    report = health.build_report("s", {**stats, "ewsi/items/yielded": 2}, now, "finished", now=now)
    assert (report.status, report.error) == ("ok", warning)
