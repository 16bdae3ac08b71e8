"""The next run of a source (crawler.scheduling.nextrun) on a frozen clock, across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.scheduling.nextrun import NextRun, next_run


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


PLUS_TWO = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("cron", "zone", "now", "expected"),
    [
        # winter, CET = UTC+1: a slot exactly at `now` is the next run
        ("0 6 * * *", "Europe/Brussels", utc(2026, 1, 15, 5, 0), utc(2026, 1, 15, 5, 0)),
        ("0 6 * * *", "Europe/Brussels", utc(2026, 1, 15, 5, 0, 1), utc(2026, 1, 16, 5, 0)),
        # summer, CEST = UTC+2
        ("0 6 * * *", "Europe/Brussels", utc(2026, 7, 1, 0, 0), utc(2026, 7, 1, 4, 0)),
        # spring forward 2026-03-29: 02:30 does not exist, fires at 03:30 CEST (shifted by the gap)
        ("30 2 * * *", "Europe/Brussels", utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 1, 30)),
        # fall back 2026-10-25: 02:30 occurs twice, fires at the first (CEST) only ...
        ("30 2 * * *", "Europe/Brussels", utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 0, 30)),
        # ... so after it the next run is the next day, not the second 02:30 (01:30 UTC)
        ("30 2 * * *", "Europe/Brussels", utc(2026, 10, 25, 0, 31), utc(2026, 10, 26, 1, 30)),
        # every 30 minutes keeps real-time spacing through the repeated hour
        ("*/30 * * * *", "Europe/Brussels", utc(2026, 10, 25, 0, 45), utc(2026, 10, 25, 1, 0)),
        # cron weekdays: 1-5 is Monday-Friday; Friday after the slot -> Monday
        ("0 7 * * 1-5", "Europe/Brussels", utc(2026, 1, 16, 6, 1), utc(2026, 1, 19, 6, 0)),
        # 0 is Sunday (APScheduler alone would read Monday)
        ("0 9 * * 0", "Europe/Brussels", utc(2026, 1, 12, 0, 0), utc(2026, 1, 18, 8, 0)),
        # Helsinki changes at 03:00 local: the midnight after the spring-forward day still fires
        ("0 0 * * *", "Europe/Helsinki", utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 21, 0)),
        # another continent's change (2026-03-08): 02:30 EST does not exist -> 03:30 EDT
        ("30 2 * * *", "America/New_York", utc(2026, 3, 8, 0, 0), utc(2026, 3, 8, 7, 30)),
        # a zone without DST, and `now` given in another offset
        ("15 8 1 * *", "UTC", datetime(2026, 2, 1, 10, 0, tzinfo=PLUS_TWO), utc(2026, 2, 1, 8, 15)),
    ],
)
def test_next_run_follows_the_cron_in_its_zone(
    cron: str, zone: str, now: datetime, expected: datetime
) -> None:
    got = next_run(cron, zone, now)
    assert got == NextRun(expected, "scheduled")
    assert got.at is not None and got.at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("backoff_until", "expected"),
    [
        (None, NextRun(utc(2026, 1, 15, 5, 0), "scheduled")),
        (utc(2026, 1, 14, 0, 0), NextRun(utc(2026, 1, 15, 5, 0), "scheduled")),  # back-off over
        (utc(2026, 1, 15, 5, 0), NextRun(utc(2026, 1, 15, 5, 0), "scheduled")),  # ends at the slot
        (utc(2026, 1, 17, 12, 0), NextRun(utc(2026, 1, 18, 5, 0), "after back-off")),
        (utc(2026, 1, 17, 5, 0), NextRun(utc(2026, 1, 17, 5, 0), "after back-off")),
    ],
)
def test_a_source_backing_off_runs_at_the_first_slot_after_it(
    backoff_until: datetime | None, expected: NextRun
) -> None:
    now = utc(2026, 1, 15, 4, 0)
    assert next_run("0 6 * * *", "Europe/Brussels", now, backoff_until=backoff_until) == expected


def test_disabled_and_labels() -> None:
    assert next_run("0 6 * * *", "Europe/Brussels", utc(2026, 1, 15), enabled=False) == NextRun(
        None, "disabled"
    )
    assert NextRun(None, "disabled").label() == "disabled"
    assert NextRun(utc(2026, 3, 29, 1, 30), "scheduled").label() == "2026-03-29 01:30 UTC"
    assert (
        NextRun(utc(2026, 1, 18, 5, 0), "after back-off").label() == "2026-01-18 05:00 UTC (after back-off)"
    )


@pytest.mark.parametrize(
    ("cron", "zone", "now"),
    [
        ("0 6 * * *", "Europe/Brussels", datetime(2026, 1, 15)),  # naive clock
        ("0 6 * *", "Europe/Brussels", utc(2026, 1, 15)),  # four fields
        ("0 6 * * *", "Mars/Olympus", utc(2026, 1, 15)),  # unknown zone
    ],
)
def test_bad_input_is_a_value_error(cron: str, zone: str, now: datetime) -> None:
    with pytest.raises(ValueError):
        next_run(cron, zone, now)
