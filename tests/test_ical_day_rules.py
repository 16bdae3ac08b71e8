"""Days in a timed recurring series (spiders.ical): an all-day EXDATE and a RANGE=THISANDFUTURE
override written as a DATE name a day on the local clock, never the instant of a midnight.

Rules (RFC 5545 3.8.5.1 EXDATE, 3.8.4.4 RECURRENCE-ID, 3.2.13 RANGE):
- an EXDATE;VALUE=DATE takes out the occurrence whose local day it is: the day in the series' zone
  when DTSTART has a TZID or floats, in the calendar's zone (X-WR-TIMEZONE, else the source's) when
  DTSTART is written in UTC;
- a THISANDFUTURE override whose DTSTART is a DATE moves its occurrence and every later one by the
  whole days between the RECURRENCE-ID's day and its own; they keep their time of day and the
  series' length. A RECURRENCE-ID written as a DATE names that day's occurrence.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from scrapy.http import TextResponse

from spiders.ical import event_info
from tests.test_ical_recurrence import spider_at
from tests.test_ical_robust import calendar, vevent
from tests.test_spiders import run


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def _series(*lines: str) -> object:
    return Calendar.from_ical(calendar(vevent("s@x", *lines))).walk("VEVENT")[0]


# (calendar zone, series lines, harvest time, expected start)
EXDATE_DAYS = [
    # 00:30 Berlin on Thursdays, written as 23:30Z on Wednesdays: the Berlin Thursday is excluded
    ("Europe/Berlin", ("DTSTART:20261202T233000Z", "RRULE:FREQ=WEEKLY", "EXDATE;VALUE=DATE:20261210"),
     utc(2026, 12, 8, 12), utc(2026, 12, 16, 23, 30)),
    # ... and the UTC Wednesday names no occurrence of the Berlin calendar
    ("Europe/Berlin", ("DTSTART:20261202T233000Z", "RRULE:FREQ=WEEKLY", "EXDATE;VALUE=DATE:20261209"),
     utc(2026, 12, 8, 12), utc(2026, 12, 9, 23, 30)),
    # 23:30 Berlin written as 22:30Z: the same day on both clocks
    ("Europe/Berlin", ("DTSTART:20261203T223000Z", "RRULE:FREQ=WEEKLY", "EXDATE;VALUE=DATE:20261210"),
     utc(2026, 12, 8, 12), utc(2026, 12, 17, 22, 30)),
    # summer time: 00:15 CEST on Fridays is 22:15Z on Thursdays
    ("Europe/Berlin", ("DTSTART:20270603T221500Z", "RRULE:FREQ=WEEKLY", "EXDATE;VALUE=DATE:20270611"),
     utc(2027, 6, 8, 12), utc(2027, 6, 17, 22, 15)),
    # west of UTC: 00:30Z on Thursdays is 23:30 on Wednesdays in the Azores
    ("Atlantic/Azores", ("DTSTART:20261203T003000Z", "RRULE:FREQ=WEEKLY", "EXDATE;VALUE=DATE:20261209"),
     utc(2026, 12, 8, 12), utc(2026, 12, 17, 0, 30)),
    ("Atlantic/Azores", ("DTSTART:20261203T003000Z", "RRULE:FREQ=WEEKLY", "EXDATE;VALUE=DATE:20261210"),
     utc(2026, 12, 8, 12), utc(2026, 12, 10, 0, 30)),
    # a daily series at midnight UTC read in New York: 19:00 the day before there
    ("America/New_York", ("DTSTART:20261201T000000Z", "RRULE:FREQ=DAILY", "EXDATE;VALUE=DATE:20261209"),
     utc(2026, 12, 9, 12), utc(2026, 12, 11, 0, 0)),
    ("America/New_York", ("DTSTART:20261201T000000Z", "RRULE:FREQ=DAILY", "EXDATE;VALUE=DATE:20261210"),
     utc(2026, 12, 9, 12), utc(2026, 12, 10, 0, 0)),
    # two days excluded on one line, Helsinki (UTC+2): 23:00Z is the next day there
    ("Europe/Helsinki",
     ("DTSTART:20261201T230000Z", "RRULE:FREQ=DAILY", "EXDATE;VALUE=DATE:20261210,20261211"),
     utc(2026, 12, 9, 12), utc(2026, 12, 11, 23, 0)),
    # a TZID keeps its own day, whatever the calendar's zone
    ("Europe/Berlin",
     ("DTSTART;TZID=America/New_York:20261202T210000", "RRULE:FREQ=WEEKLY", "EXDATE;VALUE=DATE:20261209"),
     utc(2026, 12, 8, 12), utc(2026, 12, 17, 2, 0)),
    # a floating time is the calendar's clock already
    ("Europe/Berlin", ("DTSTART:20261203T003000", "RRULE:FREQ=WEEKLY", "EXDATE;VALUE=DATE:20261210"),
     utc(2026, 12, 8, 12), utc(2026, 12, 16, 23, 30)),
    # an excluded instant still takes out that instant only
    ("America/New_York", ("DTSTART:20261201T000000Z", "RRULE:FREQ=DAILY", "EXDATE:20261210T000000Z"),
     utc(2026, 12, 9, 12), utc(2026, 12, 11, 0, 0)),
]  # fmt: skip


@pytest.mark.parametrize(("zone", "lines", "now", "start"), EXDATE_DAYS)
def test_an_all_day_exdate_names_the_local_day_of_the_occurrence(
    zone: str, lines: tuple[str, ...], now: datetime, start: datetime
) -> None:
    info = event_info(_series(*lines), ZoneInfo(zone), now)
    assert info is not None and info.start == start


def test_the_calendar_zone_is_the_one_it_declares() -> None:
    """X-WR-TIMEZONE, not the source's zone (Vienna), gives the day of a series written in UTC."""
    body = calendar(
        vevent("s@x", "DTSTART:20261201T000000Z", "RRULE:FREQ=DAILY", "EXDATE;VALUE=DATE:20261209")
    ).replace(b"PRODID:-//t//EN\r\n", b"PRODID:-//t//EN\r\nX-WR-TIMEZONE:America/New_York\r\n")
    items, _ = run(
        spider_at("2026-12-09T12:00:00Z", "ical-days"), TextResponse("https://x.example/e.ics", body=body)
    )
    assert [i.event.start for i in items if i.event] == [utc(2026, 12, 11)]


SERIES = (
    "DTSTART;TZID=Europe/Berlin:20261203T180000",
    "DTEND;TZID=Europe/Berlin:20261203T200000",
    "RRULE:FREQ=WEEKLY",
    "URL:https://x.example/s",
)
UTC_SERIES = (
    "DTSTART:20261203T170000Z",
    "DTEND:20261203T190000Z",
    "RRULE:FREQ=WEEKLY",
    "URL:https://x.example/s",
)
DAYS_SERIES = ("DTSTART;VALUE=DATE:20261203", "RRULE:FREQ=WEEKLY", "URL:https://x.example/s")
BERLIN_ID = "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20261210T180000"
DAY_ID = "RECURRENCE-ID;VALUE=DATE;RANGE=THISANDFUTURE:20261210"

# (series, override lines, harvest time, expected (start, end))
RANGES = [
    # moved to Friday by a DATE: later ones on Fridays at 18:00 Berlin, two hours long
    (SERIES, (BERLIN_ID, "DTSTART;VALUE=DATE:20261211"), "2026-12-14T12:00:00Z",
     (utc(2026, 12, 18, 17), utc(2026, 12, 18, 19))),
    # its own occurrence too
    (SERIES, (BERLIN_ID, "DTSTART;VALUE=DATE:20261211"), "2026-12-09T12:00:00Z",
     (utc(2026, 12, 11, 17), utc(2026, 12, 11, 19))),
    # a DATE with a DTEND of days: still the series' time and length
    (SERIES, (BERLIN_ID, "DTSTART;VALUE=DATE:20261211", "DTEND;VALUE=DATE:20261212"),
     "2026-12-14T12:00:00Z", (utc(2026, 12, 18, 17), utc(2026, 12, 18, 19))),
    # both written as DATEs: two days later
    (SERIES, (DAY_ID, "DTSTART;VALUE=DATE:20261212"), "2026-12-14T12:00:00Z",
     (utc(2026, 12, 19, 17), utc(2026, 12, 19, 19))),
    # two days earlier
    (SERIES, (BERLIN_ID, "DTSTART;VALUE=DATE:20261208"), "2026-12-14T12:00:00Z",
     (utc(2026, 12, 15, 17), utc(2026, 12, 15, 19))),
    # a day later across the change to summer time: 18:00 stays 18:00 on the Berlin clock
    (SERIES, ("RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20270318T180000",
              "DTSTART;VALUE=DATE:20270319"),
     "2027-03-30T12:00:00Z", (utc(2027, 4, 2, 16), utc(2027, 4, 2, 18))),
    # a RECURRENCE-ID written as a DATE names that day's occurrence: an hour later, 90 minutes long
    (SERIES, (DAY_ID, "DTSTART;TZID=Europe/Berlin:20261210T190000",
              "DTEND;TZID=Europe/Berlin:20261210T203000"),
     "2026-12-14T12:00:00Z", (utc(2026, 12, 17, 18), utc(2026, 12, 17, 19, 30))),
    # a series written in UTC, moved a day by a DATE
    (UTC_SERIES, ("RECURRENCE-ID;RANGE=THISANDFUTURE:20261210T170000Z", "DTSTART;VALUE=DATE:20261211"),
     "2026-12-14T12:00:00Z", (utc(2026, 12, 18, 17), utc(2026, 12, 18, 19))),
    # timed override of a timed series: its own shift and length (unchanged rule)
    (SERIES, (BERLIN_ID, "DTSTART;TZID=Europe/Berlin:20261211T090000",
              "DTEND;TZID=Europe/Berlin:20261211T100000"),
     "2026-12-14T12:00:00Z", (utc(2026, 12, 18, 8), utc(2026, 12, 18, 9))),
    # an all-day series moved a day: all-day on the Friday (Berlin midnight to midnight)
    (DAYS_SERIES, (DAY_ID, "DTSTART;VALUE=DATE:20261211"), "2026-12-14T12:00:00Z",
     (utc(2026, 12, 17, 23), utc(2026, 12, 18, 23))),
    # before the range: the series' own time
    (SERIES, (BERLIN_ID, "DTSTART;VALUE=DATE:20261211"), "2026-12-02T12:00:00Z",
     (utc(2026, 12, 3, 17), utc(2026, 12, 3, 19))),
]  # fmt: skip


@pytest.mark.parametrize(("series", "override", "frozen", "expected"), RANGES)
def test_a_this_and_future_change_written_as_a_date_shifts_by_days(
    series: tuple[str, ...], override: tuple[str, ...], frozen: str, expected: tuple[datetime, datetime]
) -> None:
    spider = spider_at(frozen, "ical-days")
    body = calendar(vevent("s@x", *series), vevent("s@x", *override))
    items, _ = run(spider, TextResponse("https://x.example/e.ics", body=body, encoding="utf-8"))
    assert [(i.event.start, i.event.end) for i in items if i.event] == [expected]
