"""crawler.cpu_slots: at most N holders at once across threads and processes, a killed holder's
slot comes back at once, and the setting's 0 means one slot per CPU."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crawler.cpu_slots import CpuSlots, slot_count

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("configured", "expected"),
    [(1, 1), (2, 2), (7, 7), (0, os.cpu_count() or 1), (-3, os.cpu_count() or 1)],
)
def test_slot_count(configured: int, expected: int) -> None:
    assert slot_count(configured) == expected


@pytest.mark.parametrize(("slots", "holders"), [(1, 4), (2, 6), (3, 7), (4, 3)])
def test_never_more_holders_than_slots(tmp_path: Path, slots: int, holders: int) -> None:
    """Each holder opens its own lock files, so threads contend exactly as processes do."""
    gate_dir = tmp_path / "slots"
    inside = 0
    most = 0
    done = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, most, done
        gate = CpuSlots(slots, gate_dir)
        for _ in range(3):
            with gate.hold():
                with lock:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.02)
                with lock:
                    inside -= 1
        with lock:
            done += 1

    threads = [threading.Thread(target=work) for _ in range(holders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert done == holders
    assert most == min(slots, holders)


def test_a_holder_killed_with_sigkill_frees_its_slot(tmp_path: Path) -> None:
    gate_dir = tmp_path / "slots"
    script = (
        "import sys, time; from pathlib import Path; from crawler.cpu_slots import CpuSlots\n"
        "with CpuSlots(1, Path(sys.argv[1])).hold():\n"
        "    print('held', flush=True); time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(gate_dir)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        gate = CpuSlots(1, gate_dir)
        waiter_waited: list[float] = []

        def wait_for_slot() -> None:
            with gate.hold() as waited:
                waiter_waited.append(waited)

        waiter = threading.Thread(target=wait_for_slot)
        waiter.start()
        time.sleep(0.3)
        assert waiter_waited == [], "the slot is held by the child"
        os.kill(child.pid, signal.SIGKILL)
        waiter.join(5)
        assert len(waiter_waited) == 1 and 0.3 <= waiter_waited[0] < 5
    finally:
        child.kill()
        child.wait()
