"""Placeholder deadlines: dates written where a call has no real closing date.

Rule: a deadline more than `MAX_DEADLINE_YEARS` years after the fetch, or before
`pipelines.dates.EARLIEST_PLAUSIBLE` (1990-01-01), is a placeholder, not a deadline: it is dropped,
the item is kept and flagged ``deadline_implausible``. Databases and APIs write "no end" as the last
date they hold: .NET's ``DateTime.MaxValue`` (``9999-12-31T23:59:59.9999999``,
``/Date(253402300799999)/``), SQL's ``9999-12-31``, or a round far year (``2099-12-31``,
``3000-01-01``); "no start" as a zero date (``0001-01-01``, pipelines.dates "Four-digit years").

Why ten years: EU funding runs in the Multiannual Financial Framework's seven-year periods
(Regulation (EU, Euratom) 2020/2093: 2021-2027), and a call of a programme closes within its period;
ten years leave room for a call published early in a period and a programme extended past it, and
still exclude every "no end" value above.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from pipelines.dates import EARLIEST_PLAUSIBLE

MAX_DEADLINE_YEARS = 10
"""A deadline further than this after the fetch is a placeholder (module docstring)."""

DEADLINE_IMPLAUSIBLE = "deadline_implausible"
"""The item flag of a call whose written deadline was a placeholder."""


def placeholder_deadline(value: datetime, fetched_at: datetime) -> bool:
    """True when `value` (aware, any zone; naive taken as UTC) is a placeholder deadline for an item
    fetched at `fetched_at`: before 1990-01-01 UTC or more than `MAX_DEADLINE_YEARS` years later."""
    value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    fetched_at = fetched_at if fetched_at.tzinfo is not None else fetched_at.replace(tzinfo=UTC)
    latest_year = fetched_at.year + MAX_DEADLINE_YEARS
    latest = fetched_at.replace(year=latest_year, day=28 if fetched_at.month == 2 else fetched_at.day)
    return value < EARLIEST_PLAUSIBLE or value > latest


def real_deadlines(values: Iterable[datetime], fetched_at: datetime) -> tuple[list[datetime], bool]:
    """(the deadlines of `values` that are not placeholders, in order; whether any was dropped)."""
    values = list(values)
    kept = [v for v in values if not placeholder_deadline(v, fetched_at)]
    return kept, len(kept) != len(values)
