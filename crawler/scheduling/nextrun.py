"""When a source will next run, by the scheduler's rules, as a pure function of a clock reading.

The rules are those of `crawler.scheduling.service` (the scheduler) and
`crawler.scheduling.triggers` (its cron):
- a source disabled in the config, or by an admin on the desk, does not run: no next run;
- otherwise its next slot is the first fire time of its cron, read in its own time zone, at or
  after `now` (across daylight-saving changes as `SourceCronTrigger` does: a wall time that does
  not exist fires shifted by the gap, a repeated one fires once, at its first occurrence);
- a failing source backing off (``backoff_until`` later than that slot) has every slot before the
  end of its back-off recorded ``schedule.backoff`` and skipped, so it next runs at the first slot
  at or after ``backoff_until``.

Nothing here reads a clock, a database or a file: callers pass `now` (aware; UTC or any zone) and
the source's facts. Returned times are UTC.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from crawler.scheduling.triggers import SourceCronTrigger, next_fire

if TYPE_CHECKING:
    from crawler.sources import Source

__all__ = ["NextRun", "next_run", "source_next_run"]


@dataclass(frozen=True)
class NextRun:
    """The next run of a source: `at` (UTC, None when it will not run) and why (`reason`).

    reason: ``scheduled`` (its next cron slot), ``after back-off`` (the first slot once its
    back-off ends), ``disabled``, or ``never`` (the cron names no future time).
    """

    at: datetime | None
    reason: str

    def label(self) -> str:
        """Short text for a table cell: ``2026-03-29 01:30 UTC``, ``... (after back-off)``, ``disabled``."""
        if self.at is None:
            return self.reason
        text = self.at.strftime("%Y-%m-%d %H:%M UTC")
        return text if self.reason == "scheduled" else f"{text} ({self.reason})"


def next_run(
    schedule: str,
    timezone: str,
    now: datetime,
    *,
    enabled: bool = True,
    backoff_until: datetime | None = None,
) -> NextRun:
    """The next run of a source with cron `schedule` (5 fields, cron weekday numbers) in `timezone`
    (IANA name) as seen at `now` (module docstring for the rules).

    Raises ValueError for a naive `now` or `backoff_until`, an invalid cron or an unknown zone
    (the config loader has already refused those for configured sources).
    """
    if now.tzinfo is None or (backoff_until is not None and backoff_until.tzinfo is None):
        raise ValueError("now and backoff_until must be timezone-aware")
    if not enabled:
        return NextRun(None, "disabled")
    try:
        zone = zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {timezone!r}") from exc
    trigger = SourceCronTrigger.from_crontab(schedule, timezone=zone)
    fire = next_fire(trigger, now.astimezone(UTC))
    if fire is None:
        return NextRun(None, "never")
    if backoff_until is not None and backoff_until > fire:
        later = next_fire(trigger, backoff_until.astimezone(UTC))
        return NextRun(later, "after back-off") if later else NextRun(None, "never")
    return NextRun(fire, "scheduled")


def source_next_run(source: Source, now: datetime, backoff_until: str | None) -> NextRun:
    """`next_run` of a configured `source` (its cron, zone and config ``enabled`` flag, which is all
    the scheduler reads) with `backoff_until` as stored (ISO 8601, ``Z`` or an offset; None or empty:
    not backing off). The one reading shared by the desk's sources page and ``ewsi schedule --list``,
    so the two always agree. Raises ValueError for a malformed `backoff_until` or a naive one."""
    until = datetime.fromisoformat(backoff_until.replace("Z", "+00:00")) if backoff_until else None
    return next_run(source.schedule, source.timezone, now, enabled=source.enabled, backoff_until=until)
