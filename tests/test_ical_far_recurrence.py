"""A recurring VEVENT whose DTSTART lies decades back (spiders.ical `_next_occurrence`,
spiders.icalrecur `anchored`).

Rule: the occurrence not yet ended at harvest time is found however far back DTSTART lies, for every
FREQ (YEARLY to SECONDLY, with INTERVAL and BYxxx parts); a series that ended gives its last one;
EXDATE, moved occurrences (RECURRENCE-ID) and RANGE=THISANDFUTURE changes near harvest time still
hold; a COUNT rule is walked from DTSTART. The work is bounded: each case below takes well under a
second (the walk starts one period before harvest time, not at DTSTART).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from spiders.ical import event_info
from spiders.icalrecur import anchored
from tests.test_ical_robust import calendar, vevent

NOW = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)  # a Wednesday
VIENNA = ZoneInfo("Europe/Vienna")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


S1990 = "DTSTART:19900101T100000Z"  # a Monday, 10:00Z

FAR = [
    # (lines, expected start)
    (("DTSTART:19900101T100000Z", "DTEND:19900101T120000Z", "RRULE:FREQ=WEEKLY"), utc(2026, 12, 14, 10)),
    (("DTSTART:19700105T100000Z", "RRULE:FREQ=WEEKLY"), utc(2026, 12, 14, 10)),
    (("DTSTART:20000101T100000Z", "DTEND:20000101T110000Z", "RRULE:FREQ=DAILY"), utc(2026, 12, 10, 10)),
    (("DTSTART:20000101T100000Z", "RRULE:FREQ=DAILY;INTERVAL=3"), utc(2026, 12, 10, 10)),
    (("DTSTART:20000101T100000Z", "DTEND:20000101T103000Z", "RRULE:FREQ=HOURLY"), utc(2026, 12, 9, 12)),
    (("DTSTART:19950101T000000Z", "RRULE:FREQ=MINUTELY;INTERVAL=7"), utc(2026, 12, 9, 12, 7)),
    (("DTSTART:20100101T000000Z", "RRULE:FREQ=SECONDLY;INTERVAL=13"), utc(2026, 12, 9, 12, 0, 3)),
    (("DTSTART:19900101T000000Z", "RRULE:FREQ=SECONDLY"), utc(2026, 12, 9, 12, 0, 1)),  # 12:00:00 just ended
    (("DTSTART:19900131T100000Z", "RRULE:FREQ=MONTHLY"), utc(2026, 12, 31, 10)),  # months with a 31st
    (("DTSTART:19880229T100000Z", "RRULE:FREQ=YEARLY"), utc(2028, 2, 29, 10)),  # leap days only
    (("DTSTART:19900109T100000Z", "RRULE:FREQ=MONTHLY;BYDAY=2TU"), utc(2027, 1, 12, 10)),
    (("DTSTART:19900101T100000Z", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"), utc(2026, 12, 14, 10)),
    ((S1990, "RRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=12;BYDAY=-1FR"), utc(2026, 12, 25, 10)),
    ((S1990, "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"), utc(2026, 12, 31, 10)),
    # zoned: 18:00 in Vienna is 17:00Z in winter
    (("DTSTART;TZID=Europe/Vienna:20000101T180000", "RRULE:FREQ=DAILY"), utc(2026, 12, 9, 17)),
    # floating and all-day, in the source's zone
    (("DTSTART:19900103T190000", "RRULE:FREQ=WEEKLY"), utc(2026, 12, 9, 18)),
    (("DTSTART;VALUE=DATE:19900101", "RRULE:FREQ=YEARLY"), utc(2026, 12, 31, 23)),
    # a series that ended: its last occurrence
    (("DTSTART:19900101T100000Z", "RRULE:FREQ=WEEKLY;UNTIL=20200101T000000Z"), utc(2019, 12, 30, 10)),
    (("DTSTART:19900101T100000Z", "RRULE:FREQ=MINUTELY;INTERVAL=30;UNTIL=20200101T000000Z"), utc(2020, 1, 1)),
    # COUNT numbers occurrences from DTSTART: walked from there (3000 weeks reach 2047)
    (("DTSTART:19900101T100000Z", "RRULE:FREQ=WEEKLY;COUNT=3000"), utc(2026, 12, 14, 10)),
    (("DTSTART:19900101T100000Z", "RRULE:FREQ=WEEKLY;COUNT=100"), utc(1991, 11, 25, 10)),
    # EXDATE and RDATE near harvest time
    (("DTSTART:19900101T100000Z", "RRULE:FREQ=WEEKLY", "EXDATE:20261214T100000Z"), utc(2026, 12, 21, 10)),
    (("DTSTART:19900101T100000Z", "RRULE:FREQ=WEEKLY", "RDATE:20261210T100000Z"), utc(2026, 12, 10, 10)),
    (("DTSTART:20000101T100000Z", "RRULE:FREQ=DAILY", "EXDATE;VALUE=DATE:20261210"), utc(2026, 12, 11, 10)),
]  # fmt: skip


@pytest.mark.parametrize(("lines", "start"), FAR, ids=[lines[-1] for lines, _ in FAR])
def test_the_next_occurrence_of_a_series_started_long_ago(lines: tuple[str, ...], start: datetime) -> None:
    component = Calendar.from_ical(calendar(vevent("r@x", *lines))).walk("VEVENT")[0]
    began = time.monotonic()
    info = event_info(component, VIENNA, NOW)
    assert info is not None and info.start == start
    assert time.monotonic() - began < 2.0


def _moved(original: str, start: str, end: str) -> tuple[str, ...]:
    return (f"RECURRENCE-ID:{original}", f"DTSTART:{start}", f"DTEND:{end}")


def _series_with(*overrides: tuple[str, ...]) -> datetime | None:
    series = ("DTSTART:19900101T100000Z", "DTEND:19900101T120000Z", "RRULE:FREQ=WEEKLY")
    cal = Calendar.from_ical(calendar(vevent("r@x", *series), *(vevent("r@x", *o) for o in overrides)))
    events = cal.walk("VEVENT")
    info = event_info(events[0], VIENNA, NOW, overrides=events[1:])
    return None if info is None else info.start


@pytest.mark.parametrize(
    ("overrides", "start"),
    [
        # the next occurrence (14 December) moved to the 15th, 15:00
        ((_moved("20261214T100000Z", "20261215T150000Z", "20261215T160000Z"),), utc(2026, 12, 15, 15)),
        # cancelled: the one after it
        ((("RECURRENCE-ID:20261214T100000Z", "DTSTART:20261214T100000Z", "STATUS:CANCELLED"),),
         utc(2026, 12, 21, 10)),
        # last week's occurrence moved past harvest time: it is the next one
        ((_moved("20261207T100000Z", "20261210T090000Z", "20261210T100000Z"),), utc(2026, 12, 10, 9)),
        # an occurrence of 1995 moved to next year has not ended: found though its slot is decades back
        ((_moved("19950102T100000Z", "20270105T100000Z", "20270105T110000Z"),), utc(2027, 1, 5, 10)),
        # from 2 November on, every occurrence is a day later at 14:00
        ((("RECURRENCE-ID;RANGE=THISANDFUTURE:20261102T100000Z", "DTSTART:20261103T140000Z",
           "DTEND:20261103T150000Z"),), utc(2026, 12, 15, 14)),
        # a change of 2000 moving every later occurrence by six days: Sunday the 13th
        ((("RECURRENCE-ID;RANGE=THISANDFUTURE:20000103T100000Z", "DTSTART:20000109T100000Z",
           "DTEND:20000109T120000Z"),), utc(2026, 12, 13, 10)),
    ],
    ids=["moved", "cancelled", "moved-forward", "old-moved", "range", "old-range"],
)  # fmt: skip
def test_overrides_near_harvest_time_hold_in_an_old_series(overrides: tuple, start: datetime) -> None:
    assert _series_with(*overrides) == start


@pytest.mark.parametrize(
    ("rule", "first", "target", "expected"),
    [
        ("FREQ=WEEKLY", datetime(1990, 1, 1, 10), datetime(2026, 12, 9), datetime(2026, 11, 30, 10)),
        ("FREQ=DAILY;INTERVAL=3", datetime(2000, 1, 1, 10), datetime(2026, 12, 9), datetime(2026, 12, 4, 10)),
        ("FREQ=MONTHLY", datetime(1990, 1, 31, 10), datetime(2026, 12, 9), datetime(2026, 11, 1, 10)),
        (
            "FREQ=YEARLY;INTERVAL=4",
            datetime(1988, 2, 29, 10),
            datetime(2026, 12, 9),
            datetime(2020, 1, 1, 10),
        ),
        ("FREQ=WEEKLY;COUNT=3000", datetime(1990, 1, 1, 10), datetime(2026, 12, 9), None),
        ("FREQ=WEEKLY", datetime(2026, 11, 30, 10), datetime(2026, 12, 9), None),  # under two periods
    ],
)
def test_the_walk_starts_one_period_before_harvest_time(
    rule: str, first: datetime, target: datetime, expected: datetime | None
) -> None:
    from icalendar import vRecur

    moved = anchored(vRecur.from_ical(rule), first, target)
    assert (moved[1] if moved else None) == expected
    if moved and "MONTHLY" in rule:
        assert moved[0]["BYMONTHDAY"] == [31]  # DTSTART's implied day written out
    assert moved is None or first < moved[1] <= target
