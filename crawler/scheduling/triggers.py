"""When a source runs: its cron read in its own time zone, right across daylight-saving changes.

Semantics across a DST change (those of Vixie cron, which operators know):
- a wall time that does not exist (spring forward, e.g. 02:30 on 2026-03-29 in Europe/Brussels)
  fires once, shifted by the gap (03:30 CEST, 01:30 UTC): APScheduler 3.11 does this already;
- a wall time that occurs twice (fall back, e.g. 02:30 on 2026-10-25) fires once, at its first
  occurrence, when the hour field is fixed (``30 2 * * *``, ``0 */2 * * *``). APScheduler 3.11.3
  fires it twice; `SourceCronTrigger` drops the second occurrence;
- a job whose hour field is ``*`` (``*/30 * * * *``) keeps its real-time spacing: it fires in both
  passes of the repeated hour, every 30 minutes of elapsed time, as before and after the change.

Weekdays follow cron (0 and 7 = Sunday, 1 = Monday): APScheduler 3.x's `from_crontab` reads 0 as
Monday (its issue 286, kept for compatibility), so ``0 7 * * 1-5`` would run Tuesday to Saturday;
`cron_weekdays` (crawler.sources, which checks every cron with APScheduler when the config is
loaded) rewrites the field into weekday names first.

Test-only: ``EWSI_SCHEDULE_INTERVAL_SECONDS=N`` replaces every source's cron by an interval of N
seconds aligned on the Unix epoch (so two processes compute the same slots); used by the
two-scheduler and downtime tests (T37, T39), never in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.sources import Source, cron_weekdays

__all__ = [
    "EPOCH",
    "TEST_INTERVAL_ENV",
    "SourceCronTrigger",
    "build_trigger",
    "cron_weekdays",
    "fire_times",
    "last_fire",
    "next_fire",
    "nominal_interval",
]

TEST_INTERVAL_ENV = "EWSI_SCHEDULE_INTERVAL_SECONDS"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _second_occurrence(moment: datetime) -> bool:
    """True when `moment`'s wall time occurs twice in its zone and `moment` is the later instant."""
    wall = moment.replace(tzinfo=None)
    tz = moment.tzinfo
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    return first != second and moment.astimezone(UTC) == second


class SourceCronTrigger(CronTrigger):
    """`CronTrigger` that fires a fixed-hour job once when clocks fall back (module docstring).

    Build it with `SourceCronTrigger.from_crontab(expr, timezone=zone)`.
    """

    @classmethod
    def from_crontab(cls, expr: str, timezone: Any = None) -> SourceCronTrigger:
        """Trigger for a 5-field cron `expr` (cron weekday numbers) in `timezone`; ValueError if invalid."""
        fields = expr.split()
        if len(fields) != 5:
            raise ValueError(f"expected 5 cron fields, got {len(fields)}")
        minute, hour, day, month, weekday = fields
        trigger = cls(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=cron_weekdays(weekday),
            timezone=timezone,
        )
        trigger.fixed_hour = hour != "*"
        return trigger

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        fire = super().get_next_fire_time(previous_fire_time, now)
        while fire is not None and getattr(self, "fixed_hour", True) and _second_occurrence(fire):
            fire = super().get_next_fire_time(fire, fire)
        return fire

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state["fixed_hour"] = getattr(self, "fixed_hour", True)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        fixed = state.pop("fixed_hour", True)
        super().__setstate__(state)
        self.fixed_hour = fixed


def build_trigger(source: Source, interval_s: float | None = None) -> BaseTrigger:
    """The trigger of `source`: its cron in its zone, or an epoch-aligned interval of `interval_s` s."""
    if interval_s:
        return IntervalTrigger(seconds=interval_s, start_date=EPOCH, timezone=UTC)
    return SourceCronTrigger.from_crontab(source.schedule, timezone=source.zone)


def fire_times(
    trigger: BaseTrigger, after: datetime, until: datetime, limit: int = 10_000
) -> Iterator[datetime]:
    """Fire times t of `trigger` with after < t <= until (UTC-aware), at most `limit` of them."""
    start = after + timedelta(microseconds=1)
    fire = trigger.get_next_fire_time(None, start)
    count = 0
    while fire is not None and fire <= until and count < limit:
        yield fire.astimezone(UTC)
        count += 1
        fire = trigger.get_next_fire_time(fire, fire)


def next_fire(trigger: BaseTrigger, now: datetime) -> datetime | None:
    """The first fire time at or after `now`, in UTC (None when the trigger never fires again)."""
    fire = trigger.get_next_fire_time(None, now)
    return fire.astimezone(UTC) if fire is not None else None


def nominal_interval(trigger: BaseTrigger, now: datetime, samples: int = 8) -> timedelta:
    """The shortest gap between the next `samples` fire times (a cron's interval; 1 day if unknown)."""
    gaps = []
    prev = trigger.get_next_fire_time(None, now)
    for _ in range(samples):
        if prev is None:
            break
        nxt = trigger.get_next_fire_time(prev, prev)
        if nxt is None:
            break
        gaps.append(nxt.astimezone(UTC) - prev.astimezone(UTC))
        prev = nxt
    return min(gaps) if gaps else timedelta(days=1)


def last_fire(trigger: BaseTrigger, now: datetime, lookback: timedelta) -> datetime | None:
    """The latest fire time t with now - lookback < t <= now, in UTC; None if there is none."""
    last = None
    for last in fire_times(trigger, now - lookback, now):  # noqa: B007 - the last one is wanted
        pass
    return last
