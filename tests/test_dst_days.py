"""Daylight-saving days (issue 12, class 16): a daily job at local midnight or between 02:00 and 03:59
runs exactly once on every local day, in zones that change at 01:00 UTC (02:00/03:00 or 03:00/04:00
local) and in both 2025 and 2026, on a frozen clock driven the way the scheduler drives the trigger.

Rule under test (crawler.scheduling.triggers): each local day the cron names gets one fire; a wall time
the day lacks is shifted by the gap; a wall time the day has twice fires at its first occurrence.
"""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from crawler.scheduling.triggers import SourceCronTrigger

ZONES = ["Europe/Brussels", "Europe/London", "Europe/Lisbon", "Europe/Dublin", "Europe/Helsinki",
         "Europe/Athens", "Europe/Bucharest", "Europe/Riga", "Europe/Chisinau"]  # fmt: skip
CRONS = ["0 0 * * *", "15 0 * * *", "30 1 * * *", "0 2 * * *", "30 2 * * *", "59 2 * * *", "0 3 * * *",
         "30 3 * * *"]  # fmt: skip
CHANGE_DAYS = {2025: (date(2025, 3, 30), date(2025, 10, 26)), 2026: (date(2026, 3, 29), date(2026, 10, 25))}


def _drive(trigger: SourceCronTrigger, start: datetime, end: datetime, run: timedelta) -> list[datetime]:
    """Fire times in [start, end) as the scheduler asks for them: after each run of length `run`."""
    fires: list[datetime] = []
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire < end and len(fires) < 50:
        fires.append(fire)
        fire = trigger.get_next_fire_time(fire, fire + run)
    return fires


def _expected(day: date, cron: str, zone: ZoneInfo) -> datetime:
    minute, hour = (int(v) for v in cron.split()[:2])
    wall = datetime.combine(day, time(hour, minute))
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)  # missing times shifted, repeated: first


@pytest.mark.parametrize("year", sorted(CHANGE_DAYS))
@pytest.mark.parametrize("cron", CRONS)
@pytest.mark.parametrize("zone_name", ZONES)
def test_a_daily_job_runs_once_on_every_local_day_across_both_changes(
    zone_name: str, cron: str, year: int
) -> None:
    zone = ZoneInfo(zone_name)
    trigger = SourceCronTrigger.from_crontab(cron, timezone=zone)
    for change in CHANGE_DAYS[year]:
        days = [change + timedelta(days=k) for k in range(-2, 3)]
        start = datetime.combine(days[0], time(0), zone).astimezone(UTC)
        end = datetime.combine(days[-1] + timedelta(days=1), time(0), zone).astimezone(UTC)
        for run in (timedelta(0), timedelta(minutes=70)):
            fires = _drive(trigger, start, end, run)
            assert [f.astimezone(zone).date() for f in fires] == days, (change, run)
            assert [f.astimezone(UTC) for f in fires] == [_expected(d, cron, zone) for d in days], (
                change,
                run,
            )


def test_a_restart_inside_the_repeated_hour_does_not_fire_the_second_pass() -> None:
    zone = ZoneInfo("Europe/Brussels")
    trigger = SourceCronTrigger.from_crontab("30 2 * * *", timezone=zone)
    second_pass = datetime(2026, 10, 25, 2, 15, tzinfo=zone, fold=1)
    fire = trigger.get_next_fire_time(None, second_pass)
    assert fire is not None and fire.astimezone(UTC) == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)


def test_a_restart_just_after_the_gap_still_runs_the_shifted_job() -> None:
    zone = ZoneInfo("Europe/Brussels")
    trigger = SourceCronTrigger.from_crontab("30 2 * * *", timezone=zone)
    fire = trigger.get_next_fire_time(None, datetime(2026, 3, 29, 3, 10, tzinfo=zone))
    assert fire is not None and fire.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_the_trigger_survives_pickling_with_its_rule() -> None:
    zone = ZoneInfo("Europe/Helsinki")
    trigger = pickle.loads(pickle.dumps(SourceCronTrigger.from_crontab("0 0 * * *", timezone=zone)))
    start = datetime(2026, 3, 28, 12, 0, tzinfo=zone)
    fires = _drive(trigger, start, start + timedelta(days=3), timedelta(0))
    assert [f.astimezone(zone).date().isoformat() for f in fires] == [
        "2026-03-29",
        "2026-03-30",
        "2026-03-31",
    ]
