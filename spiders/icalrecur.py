"""Where to start reading a recurring event's RRULE so that its occurrences near harvest time are
reached without walking every one since DTSTART (spiders.ical `_next_occurrence`).

Rule: an RRULE without COUNT repeats per period of its FREQ and INTERVAL counted from DTSTART
(RFC 5545 3.3.10). `anchored` moves the rule's start forward by whole periods to the last period
start at or before `target` (harvest time less the event's length and `SLACK`): a whole number of
days, weeks, hours, minutes or seconds from DTSTART (same weekday and time of day), or the first
day of a month or year a whole number of intervals after DTSTART's, with the parts DTSTART implied
(BYMONTHDAY, BYMONTH of a MONTHLY or YEARLY rule with no BYxxx day part; dateutil's defaults)
written out. So the occurrences from there on are those of the original rule. A rule with COUNT
numbers its occurrences from DTSTART and is not moved (COUNT bounds its walk).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

SLACK = timedelta(hours=3)
"""Wall time kept before harvest time: a UTC offset change (DST, at most 2 h anywhere) between
harvest time and an occurrence cannot hide an occurrence that has not ended."""

_FIXED = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
}
_DAY_PARTS = ("BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")


def _first(rule: Any, name: str) -> Any:
    value = rule.get(name)
    return value[0] if isinstance(value, list) and value else value


def anchored(rule: Any, first: datetime, target: datetime) -> tuple[Any, datetime] | None:
    """(a copy of `rule` with DTSTART's implied parts written out, the new start), or None when
    the rule has COUNT, an unknown FREQ, or `target` lies less than two periods after `first` (all
    naive wall times of the series' zone; see the module docstring)."""
    if rule.get("COUNT") is not None:
        return None
    freq = str(_first(rule, "FREQ") or "").upper()
    try:
        interval = max(1, int(_first(rule, "INTERVAL") or 1))
    except (TypeError, ValueError):
        return None
    if target <= first:
        return None
    if freq in _FIXED:
        step = _FIXED[freq] * interval
        periods = (target - first) // step
        if periods < 2:
            return None
        return rule.copy(), first + (periods - 1) * step
    if freq not in ("MONTHLY", "YEARLY"):
        return None
    months = 12 * interval if freq == "YEARLY" else interval
    elapsed = (target.year - first.year) * 12 + target.month - first.month
    periods = elapsed // months
    if periods < 2:
        return None
    moved = rule.copy()
    if not any(moved.get(part) for part in _DAY_PARTS):
        moved["BYMONTHDAY"] = [first.day]
        if freq == "YEARLY" and not moved.get("BYMONTH"):
            moved["BYMONTH"] = [first.month]
    index = first.year * 12 + first.month - 1 + (periods - 1) * months
    start = first.replace(year=index // 12, month=index % 12 + 1, day=1)
    if freq == "YEARLY":  # a YEARLY rule's period is the calendar year
        start = start.replace(month=1)
    return moved, start
