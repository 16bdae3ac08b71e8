"""The host gate's waiting (crawler.fetch.politeness `HostGateMiddleware.process_request`), driven on
a real asyncio reactor by tests/gate_drive.py. Rules:
- a request sleeping toward the host's next start reads it again when it wakes: a Retry-After or
  another request's start that moved it meanwhile is obeyed;
- two requests woken by the same next start still start a delay apart;
- a request cancelled or refused while it waits gives its slot back;
- only the request that took a slot frees it: a copy of its meta (a retry, a redirect) frees nothing;
- "Host.Test." and "host.test" are one host.
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
