"""Recurring VEVENTs: stored at the occurrence not yet ended at harvest time, else the last one."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawler.sources import Source
from spiders.ical import ICalSpider, event_info
from tests.test_ical_robust import calendar, vevent
from tests.test_spiders import run

VIENNA = ZoneInfo("Europe/Vienna")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def first_event(*lines: str) -> object:
    return Calendar.from_ical(calendar(vevent("r@x", *lines))).walk("VEVENT")[0]


def spider_at(frozen: str, source_id: str) -> ICalSpider:
    """The iCalendar spider of a Vienna source whose clock (``EWSI_NOW``) is `frozen`."""
    source = Source(
        id=source_id,
        name="T",
        publisher="T",
        schedule="0 6 * * *",
        kind="ical",
        urls=["https://x.example/e.ics"],
        timezone="Europe/Vienna",
    )
    crawler = get_crawler(ICalSpider, {"EWSI_NOW": frozen})
    spider = ICalSpider.from_crawler(crawler, source=source)
    crawler.stats.open_spider()
    return spider


CASES = [
    # (lines, now, expected start, expected end, all_day)
    (
        ("DTSTART:20270105T100000Z", "DTEND:20270105T120000Z", "RRULE:FREQ=WEEKLY;COUNT=10"),
        utc(2027, 1, 4),
        utc(2027, 1, 5, 10),
        utc(2027, 1, 5, 12),
        False,
    ),
    (
        ("DTSTART:20270105T100000Z", "DTEND:20270105T120000Z", "RRULE:FREQ=WEEKLY;COUNT=10"),
        utc(2027, 1, 5, 13),  # the first session has ended
        utc(2027, 1, 12, 10),
        utc(2027, 1, 12, 12),
        False,
    ),
    (
        ("DTSTART:20270105T100000Z", "DTEND:20270105T120000Z", "RRULE:FREQ=WEEKLY;COUNT=10"),
        utc(2027, 1, 5, 11),  # running: still this one
        utc(2027, 1, 5, 10),
        utc(2027, 1, 5, 12),
        False,
    ),
    (
        ("DTSTART:20270105T100000Z", "DTEND:20270105T120000Z", "RRULE:FREQ=WEEKLY;COUNT=10"),
        utc(2027, 6, 1),  # all ten have passed: the last one, 9 March
        utc(2027, 3, 9, 10),
        utc(2027, 3, 9, 12),
        False,
    ),
    (
        (
            "DTSTART;TZID=Europe/Vienna:20270305T180000",
            "DURATION:PT2H",
            "RRULE:FREQ=WEEKLY;UNTIL=20270402T170000Z",
        ),
        utc(2027, 3, 27),  # across the DST change: 18:00 Vienna stays 18:00 (16:00Z)
        utc(2027, 4, 2, 16),
        utc(2027, 4, 2, 18),
        False,
    ),
    (
        (
            "DTSTART;TZID=Europe/Vienna:20270305T180000",
            "DURATION:PT2H",
            "RRULE:FREQ=WEEKLY;UNTIL=20270402T170000Z",
        ),
        utc(2027, 5, 1),  # UNTIL has passed: the last occurrence
        utc(2027, 4, 2, 16),
        utc(2027, 4, 2, 18),
        False,
    ),
    (
        ("DTSTART:20270301T090000", "RRULE:FREQ=DAILY;INTERVAL=3;COUNT=5"),  # floating: Vienna
        utc(2027, 3, 5),
        utc(2027, 3, 7, 8),
        utc(2027, 3, 7, 8),
        False,
    ),
    (
        ("DTSTART:20270301T090000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=6"),
        utc(2027, 3, 2),
        utc(2027, 3, 4, 9),
        utc(2027, 3, 4, 9),
        False,
    ),
    (
        (
            "DTSTART:20270301T090000Z",
            "RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=6",
            "EXDATE:20270304T090000Z,20270308T090000Z",
        ),
        utc(2027, 3, 2),
        utc(2027, 3, 11, 9),
        utc(2027, 3, 11, 9),
        False,
    ),
    (
        ("DTSTART:20270301T090000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=6", "EXDATE:not a date"),
        utc(2027, 3, 2),  # an EXDATE that cannot be read excludes nothing
        utc(2027, 3, 4, 9),
        utc(2027, 3, 4, 9),
        False,
    ),
    (
        ("DTSTART;VALUE=DATE:20270105", "RRULE:FREQ=WEEKLY;COUNT=4"),  # all-day, local days
        utc(2027, 1, 6, 12),
        utc(2027, 1, 11, 23),
        utc(2027, 1, 12, 23),
        True,
    ),
    (
        ("DTSTART;VALUE=DATE:20270105", "DTEND;VALUE=DATE:20270107", "RRULE:FREQ=MONTHLY;UNTIL=20270305"),
        utc(2027, 2, 6),  # 5-6 February has ended at 23:00Z on the 6th
        utc(2027, 2, 4, 23),
        utc(2027, 2, 6, 23),
        True,
    ),
    (
        ("DTSTART;VALUE=DATE:20270105", "RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;VALUE=DATE:20270112"),
        utc(2027, 1, 6, 12),
        utc(2027, 1, 18, 23),
        utc(2027, 1, 19, 23),
        True,
    ),
]


@pytest.mark.parametrize(("lines", "now", "start", "end", "all_day"), CASES)
def test_a_recurring_event_is_at_its_next_occurrence(
    lines: tuple[str, ...], now: datetime, start: datetime, end: datetime, all_day: bool
) -> None:
    info = event_info(first_event(*lines), VIENNA, now)
    assert info is not None and (info.start, info.end, info.all_day) == (start, end, all_day)


@pytest.mark.parametrize(
    ("frozen", "start"),
    [("2027-01-04T00:00:00Z", utc(2027, 1, 5, 10)), ("2027-01-20T00:00:00+00:00", utc(2027, 1, 26, 10))],
)
def test_the_spider_places_recurring_events_at_the_projects_clock(frozen: str, start: datetime) -> None:
    spider = spider_at(frozen, "ical-clock")
    body = calendar(
        vevent("w@x", "DTSTART:20270105T100000Z", "RRULE:FREQ=WEEKLY;COUNT=10", "URL:https://x.example/w")
    )
    items, _ = run(spider, TextResponse("https://x.example/e.ics", body=body, encoding="utf-8"))
    assert [i.event.start if i.event else None for i in items] == [start]


SERIES = (
    "DTSTART;TZID=Europe/Rome:20261202T150000",
    "DTEND;TZID=Europe/Rome:20261202T170000",
    "RRULE:FREQ=WEEKLY;COUNT=6",
    "LOCATION:Milano, Italia",
    "URL:https://x.example/w",
)
MOVED = (  # 9 December moved to 10 December 18:00 in Turin
    "RECURRENCE-ID;TZID=Europe/Rome:20261209T150000",
    "DTSTART;TZID=Europe/Rome:20261210T180000",
    "DTEND;TZID=Europe/Rome:20261210T200000",
    "LOCATION:Torino, Italia",
)


@pytest.mark.parametrize(
    ("frozen", "overrides", "expected"),
    [
        # the next occurrence is the moved one: its own time and place
        ("2026-12-03T00:00:00Z", [MOVED], (utc(2026, 12, 10, 17), utc(2026, 12, 10, 19), "Torino, Italia")),
        # the moved one has ended: the next of the series, at the series' place
        ("2026-12-11T00:00:00Z", [MOVED], (utc(2026, 12, 16, 14), utc(2026, 12, 16, 16), "Milano, Italia")),
        # before the original slot of 9 December, without an override: the series' own
        ("2026-12-03T00:00:00Z", [], (utc(2026, 12, 9, 14), utc(2026, 12, 9, 16), "Milano, Italia")),
        # a cancelled occurrence is skipped
        (
            "2026-12-03T00:00:00Z",
            [
                (
                    "RECURRENCE-ID;TZID=Europe/Rome:20261209T150000",
                    "DTSTART;TZID=Europe/Rome:20261209T150000",
                    "STATUS:CANCELLED",
                )
            ],
            (utc(2026, 12, 16, 14), utc(2026, 12, 16, 16), "Milano, Italia"),
        ),
        # a moved occurrence without a place keeps the series' place
        (
            "2026-12-03T00:00:00Z",
            [MOVED[:3]],
            (utc(2026, 12, 10, 17), utc(2026, 12, 10, 19), "Milano, Italia"),
        ),
    ],
    ids=["moved-next", "moved-past", "no-override", "cancelled", "moved-no-place"],
)
def test_a_moved_occurrence_is_its_series_own(
    frozen: str, overrides: list[tuple[str, ...]], expected: tuple
) -> None:
    """RECURRENCE-ID (RFC 5545 3.8.4.4): an override of one occurrence is part of its series' item,
    never an item of its own, and gives the series its time and place when it is the next one."""
    spider = spider_at(frozen, "ical-moved")
    crawler = spider.crawler
    body = calendar(vevent("w@x", *SERIES), *(vevent("w@x", *lines) for lines in overrides))
    items, _ = run(spider, TextResponse("https://x.example/e.ics", body=body, encoding="utf-8"))
    assert [(i.event.start, i.event.end, i.event.venue) for i in items if i.event] == [expected]
    assert crawler.stats.get_value("ewsi/ical/occurrence_moved", 0) == len(overrides)


SET_CASES = [
    # The recurrence set (RFC 5545 3.8.5): DTSTART, RRULE, RDATE less EXDATE; (lines, now, start, end)
    (  # extra dates without a rule: the next one not ended
        (
            "DTSTART;TZID=Europe/Berlin:20250306T180000",
            "DTEND;TZID=Europe/Berlin:20250306T200000",
            "RDATE;TZID=Europe/Berlin:20250415T180000,20250520T180000",
        ),
        utc(2025, 3, 20, 12),
        utc(2025, 4, 15, 16),
        utc(2025, 4, 15, 18),
    ),
    (  # all of them past: the last one
        (
            "DTSTART;TZID=Europe/Berlin:20250306T180000",
            "DURATION:PT1H",
            "RDATE;TZID=Europe/Berlin:20250415T180000",
        ),
        utc(2025, 6, 1),
        utc(2025, 4, 15, 16),
        utc(2025, 4, 15, 17),
    ),
    (  # RDATE in UTC on a zoned start
        ("DTSTART;TZID=Europe/Berlin:20250306T180000", "RDATE:20250410T150000Z"),
        utc(2025, 3, 20),
        utc(2025, 4, 10, 15),
        utc(2025, 4, 10, 15),
    ),
    (  # an all-day event with an extra day
        ("DTSTART;VALUE=DATE:20250305", "RDATE;VALUE=DATE:20250402"),
        utc(2025, 3, 20),
        utc(2025, 4, 1, 22),
        utc(2025, 4, 2, 22),
    ),
    (  # a day excluded from a timed weekly series takes out that day's occurrence
        (
            "DTSTART;TZID=Europe/Berlin:20250307T150000",
            "DTEND;TZID=Europe/Berlin:20250307T170000",
            "RRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=20",
            "EXDATE;VALUE=DATE:20250321",
        ),
        utc(2025, 3, 20, 12),
        utc(2025, 3, 28, 14),
        utc(2025, 3, 28, 16),
    ),
    (  # two days excluded, one line each
        (
            "DTSTART;TZID=Europe/Paris:20250307T090000",
            "DURATION:PT3H",
            "RRULE:FREQ=WEEKLY;BYDAY=FR",
            "EXDATE;VALUE=DATE:20250321",
            "EXDATE;VALUE=DATE:20250328",
        ),
        utc(2025, 3, 20, 12),
        utc(2025, 4, 4, 7),
        utc(2025, 4, 4, 10),
    ),
    (  # an excluded instant in UTC still only takes out that one
        (
            "DTSTART;TZID=Europe/Berlin:20250306T180000",
            "DTEND;TZID=Europe/Berlin:20250306T200000",
            "RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=20",
            "EXDATE:20250320T170000Z,20250327T170000Z",
        ),
        utc(2025, 3, 20, 12),
        utc(2025, 4, 3, 16),
        utc(2025, 4, 3, 18),
    ),
    (  # an excluded day that is no occurrence changes nothing
        (
            "DTSTART;TZID=Europe/Berlin:20250307T150000",
            "DURATION:PT2H",
            "RRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=20",
            "EXDATE;VALUE=DATE:20250322",
        ),
        utc(2025, 3, 20, 12),
        utc(2025, 3, 21, 14),
        utc(2025, 3, 21, 16),
    ),
]


@pytest.mark.parametrize(("lines", "now", "start", "end"), SET_CASES)
def test_the_recurrence_set_counts_extra_and_excluded_dates(
    lines: tuple[str, ...], now: datetime, start: datetime, end: datetime
) -> None:
    info = event_info(first_event(*lines), ZoneInfo("Europe/Berlin"), now)
    assert info is not None and (info.start, info.end) == (start, end)


def _later(original: str, start: str, end: str) -> tuple[str, ...]:
    """An override of the Berlin series' occurrence at `original` and every later one."""
    return (
        f"RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:{original}",
        f"DTSTART;TZID=Europe/Berlin:{start}",
        f"DTEND;TZID=Europe/Berlin:{end}",
    )


CHOIR = (
    "DTSTART;TZID=Europe/Berlin:20250306T180000",
    "DTEND;TZID=Europe/Berlin:20250306T200000",
    "RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=20",
    "LOCATION:Berlin, Germany",
    "URL:https://x.example/choir",
)


@pytest.mark.parametrize(
    ("frozen", "overrides", "expected"),
    [
        # from 20 March every rehearsal starts an hour later and lasts as long as the override
        (
            "2025-03-21T12:00:00Z",
            [_later("20250320T180000", "20250320T190000", "20250320T210000")],
            (utc(2025, 3, 27, 18), utc(2025, 3, 27, 20)),
        ),
        # the range's own occurrence, not yet ended
        (
            "2025-03-19T12:00:00Z",
            [_later("20250320T180000", "20250320T190000", "20250320T203000")],
            (utc(2025, 3, 20, 18), utc(2025, 3, 20, 19, 30)),
        ),
        # before the range: the series' own time
        (
            "2025-03-12T12:00:00Z",
            [_later("20250320T180000", "20250320T190000", "20250320T210000")],
            (utc(2025, 3, 13, 17), utc(2025, 3, 13, 19)),
        ),
        # moved a day later from 20 March on, across the change to summer time (30 March)
        (
            "2025-03-29T12:00:00Z",
            [_later("20250320T180000", "20250321T180000", "20250321T200000")],
            (utc(2025, 4, 4, 16), utc(2025, 4, 4, 18)),
        ),
        # a later range wins over an earlier one
        (
            "2025-04-08T12:00:00Z",
            [
                _later("20250320T180000", "20250320T190000", "20250320T210000"),
                _later("20250403T180000", "20250403T170000", "20250403T180000"),
            ],
            (utc(2025, 4, 10, 15), utc(2025, 4, 10, 16)),
        ),
    ],
    ids=["later", "own", "before", "next-day-dst", "latest-range"],
)
def test_a_change_to_this_and_future_occurrences_moves_every_later_one(
    frozen: str, overrides: list[tuple[str, ...]], expected: tuple
) -> None:
    """RECURRENCE-ID;RANGE=THISANDFUTURE (RFC 5545 3.2.13, 3.8.4.4): the override's shift and length
    hold for every later occurrence of the series."""
    spider = spider_at(frozen, "ical-range")
    body = calendar(vevent("c@x", *CHOIR), *(vevent("c@x", *lines) for lines in overrides))
    items, _ = run(spider, TextResponse("https://x.example/e.ics", body=body, encoding="utf-8"))
    assert [(i.event.start, i.event.end) for i in items if i.event] == [expected]


def _zoned_calendar(declared: str | None) -> bytes:
    head = f"X-WR-TIMEZONE:{declared}\r\n" if declared else ""
    events = vevent("z@x", "DTSTART:20270410T100000", "DTEND:20270410T120000", "URL:https://x.example/z")
    events += vevent("d@x", "DTSTART;VALUE=DATE:20270412", "URL:https://x.example/d")
    events += vevent("u@x", "DTSTART;TZID=Europe/Lisbon:20270411T100000", "URL:https://x.example/u")
    return calendar(events).replace(b"PRODID:-//t//EN\r\n", b"PRODID:-//t//EN\r\n" + head.encode())


@pytest.mark.parametrize(
    ("declared", "starts", "unknown"),
    [
        # Helsinki in summer time is UTC+3; a day starts at its midnight; a TZID keeps its own zone
        ("Europe/Helsinki", [utc(2027, 4, 10, 7), utc(2027, 4, 11, 9), utc(2027, 4, 11, 21)], 0),
        ("europe/helsinki", [utc(2027, 4, 10, 7), utc(2027, 4, 11, 9), utc(2027, 4, 11, 21)], 0),
        ("FLE Standard Time", [utc(2027, 4, 10, 7), utc(2027, 4, 11, 9), utc(2027, 4, 11, 21)], 0),
        ("America/New_York", [utc(2027, 4, 10, 14), utc(2027, 4, 11, 9), utc(2027, 4, 12, 4)], 0),
        # none, or one that names no zone: the source's (Vienna, UTC+2 in April)
        (None, [utc(2027, 4, 10, 8), utc(2027, 4, 11, 9), utc(2027, 4, 11, 22)], 0),
        ("Mars/Olympus", [utc(2027, 4, 10, 8), utc(2027, 4, 11, 9), utc(2027, 4, 11, 22)], 1),
    ],
)
def test_a_calendar_reads_its_floating_times_in_the_zone_it_declares(
    declared: str | None, starts: list[datetime], unknown: int
) -> None:
    """X-WR-TIMEZONE (Google Calendar, Outlook, Apple Calendar) is the zone of the calendar's
    floating times and days, over the source's `timezone`; a TZID still names its own."""
    spider = spider_at("2027-03-01T00:00:00Z", "ical-zone")
    items, _ = run(
        spider, TextResponse("https://x.example/e.ics", body=_zoned_calendar(declared), encoding="utf-8")
    )
    assert sorted(i.event.start for i in items if i.event) == starts
    assert spider.crawler.stats.get_value("ewsi/ical/calendar_zone_unknown", 0) == unknown
