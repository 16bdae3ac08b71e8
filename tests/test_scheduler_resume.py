"""Scheduler across a suspend and resume (crawler.scheduling.service, `check_clock_jump`).

APScheduler 3 waits for its next fire on the monotonic clock, which stops while the host sleeps
(agronholm/apscheduler#794; the same fault in node-schedule#632 and robfig/cron): a slot that came due
while a laptop or VM was suspended fired only after the whole remaining wait. The test moves the wall
clock that APScheduler and the service read past a slot a year away, as a resume does, and expects
the slot to fire within seconds.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import apscheduler.schedulers.base
import pytest

from crawler.scheduling.service import CLOCK_JUMP_S
from crawler.scheduling.triggers import next_fire
from crawler.store.migrate import upgrade
from tests.test_scheduler import make_service, source_entry, wait_for, write_config


@pytest.fixture
def jumpable_clock(monkeypatch: pytest.MonkeyPatch) -> list[timedelta]:
    """A wall clock `offset[0]` ahead of the real one, as APScheduler's scheduler loop reads it."""
    offset = [timedelta(0)]

    class ShiftedDateTime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return datetime.now(tz) + offset[0]

    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", ShiftedDateTime)
    return offset


def test_slot_due_during_a_suspend_fires_at_resume(tmp_path: Path, jumpable_clock: list[timedelta]) -> None:
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    upgrade(db_url)
    config = write_config(tmp_path / "sources.yaml", [source_entry("yearly", "0 0 1 1 *", timezone="UTC")])
    service = make_service(db_url, config, clock=lambda: datetime.now(UTC) + jumpable_clock[0])
    fired: list[tuple[str, datetime]] = []
    service.fire = lambda sid: fired.append((sid, service.clock())) or "ok"  # type: ignore[method-assign]
    try:
        service.tick()
        assert service.is_leader
        slot = next_fire(service.triggers["yearly"], datetime.now(UTC))
        assert slot is not None and slot.month == 1 and slot.day == 1
        time.sleep(0.5)
        service.tick()
        assert fired == []  # a year away: nothing fires
        # the host sleeps until 2 s past the slot: the wall clock moves, the monotonic one does not
        jumpable_clock[0] = slot + timedelta(seconds=2) - datetime.now(UTC)
        service.tick()
        wait_for(lambda: bool(fired), timeout=10)
        assert fired[0][0] == "yearly"
        assert slot <= fired[0][1] < slot + timedelta(seconds=15)
    finally:
        service.step_down(quiet=True)
        service.discard()


@pytest.mark.parametrize(
    ("step", "woken"),
    [
        (timedelta(0), False),  # an ordinary tick
        (timedelta(seconds=CLOCK_JUMP_S - 5), False),  # NTP-sized adjustments are not a jump
        (timedelta(seconds=CLOCK_JUMP_S + 1), True),
        (timedelta(hours=8), True),  # a night's suspend
        (timedelta(hours=-1), False),  # clock set back: nothing came due
    ],
)
def test_clock_jump_wakes_only_a_forward_jump(tmp_path: Path, step: timedelta, woken: bool) -> None:
    offset = [timedelta(0)]
    config = write_config(tmp_path / "sources.yaml", [source_entry("s1")])
    service = make_service(
        f"sqlite:///{tmp_path / 'x.sqlite'}", config, clock=lambda: datetime.now(UTC) + offset[0]
    )

    class Recorder:
        wakeups = 0

        def wakeup(self) -> None:
            self.wakeups += 1

    recorder = Recorder()
    service.scheduler = recorder  # type: ignore[assignment]
    try:
        assert service.check_clock_jump() == 0.0  # the first call only sets the mark
        offset[0] = step
        gained = service.check_clock_jump()
        assert gained == pytest.approx(step.total_seconds(), abs=2.0)
        assert recorder.wakeups == (1 if woken else 0)
    finally:
        service.scheduler = None
        service.discard()
