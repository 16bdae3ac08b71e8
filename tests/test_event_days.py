"""All-day events are days as the source wrote them (crawler.types.all_day_dates): stored as UTC
instants of local midnights in the source's zone, read back in that zone by the API's
start_date/end_date (inclusive end), the desk and the queue; never converted through UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from scrapy.http import TextResponse

from crawler.store.structured import event_days, queue_entry, structured_record, structured_values
from crawler.types import all_day_dates
from tests.test_ical_robust import calendar, vevent
from tests.test_spiders import make_spider, run

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def stored_columns(zone: str, *lines: str) -> dict:
    """The structured columns the store writes for one VEVENT of a source in `zone`."""
    spider = make_spider(id="days", kind="ical", urls=["https://x.example/e.ics"], timezone=zone)
    body = calendar(vevent("d@x", *lines, "URL:https://x.example/d"))
    items, _ = run(spider, TextResponse("https://x.example/e.ics", body=body, encoding="utf-8"))
    return structured_values(items[0])


def stored_record(zone: str, *lines: str) -> dict:
    return structured_record(SimpleNamespace(**stored_columns(zone, *lines)), NOW)


ONE_DAY = ("DTSTART;VALUE=DATE:20270210",)
THREE_DAYS = ("DTSTART;VALUE=DATE:20270301", "DTEND;VALUE=DATE:20270304")
OVER_DST = ("DTSTART;VALUE=DATE:20270327", "DTEND;VALUE=DATE:20270330")  # EU clocks change 28 March


@pytest.mark.parametrize(
    ("zone", "lines", "first", "last", "label"),
    [
        (zone, lines, first, last, label)
        for zone in ("Europe/Helsinki", "Europe/Paris", "Europe/Lisbon", "UTC", "Atlantic/Azores")
        for lines, first, last, label in (
            (ONE_DAY, date(2027, 2, 10), date(2027, 2, 10), "2027-02-10"),
            (THREE_DAYS, date(2027, 3, 1), date(2027, 3, 3), "2027-03-01 – 2027-03-03"),
            (OVER_DST, date(2027, 3, 27), date(2027, 3, 29), "2027-03-27 – 2027-03-29"),
        )
    ],
)
def test_all_day_events_keep_their_days_in_every_zone(
    zone: str, lines: tuple[str, ...], first: date, last: date, label: str
) -> None:
    record = stored_record(zone, *lines)
    assert record["all_day"] is True and record["timezone"] == zone
    assert (record["start_date"], record["end_date"]) == (first, last)
    assert event_days(record) == label
    assert queue_entry(stored_columns(zone, *lines), NOW)["event_days"] == label


@pytest.mark.parametrize(
    ("start", "end", "zone", "expected"),
    [
        (datetime(2027, 2, 9, 23, tzinfo=UTC), datetime(2027, 2, 10, 23, tzinfo=UTC), "Europe/Paris", 10),
        (datetime(2027, 2, 9, 22, tzinfo=UTC), None, "Europe/Helsinki", 10),
        (datetime(2027, 2, 10, 1, tzinfo=UTC), datetime(2027, 2, 11, 1, tzinfo=UTC), "Atlantic/Azores", 10),
        (datetime(2027, 2, 10, tzinfo=UTC), datetime(2027, 2, 11), None, 10),  # no zone, naive: UTC
        (datetime(2027, 2, 9, 23, tzinfo=UTC), datetime(2027, 2, 10, 23, tzinfo=UTC), "+01:00", 10),
        (datetime(2027, 2, 9, 23, tzinfo=UTC), datetime(2027, 2, 9, 23, tzinfo=UTC), "Europe/Paris", 10),
    ],
)
def test_all_day_dates_read_the_stored_midnights_in_their_zone(
    start: datetime, end: datetime | None, zone: str | None, expected: int
) -> None:
    assert all_day_dates(start, end, zone) == (date(2027, 2, expected), date(2027, 2, expected))


def test_a_timed_event_has_no_plain_dates() -> None:
    record = stored_record("Europe/Paris", "DTSTART:20270210T090000Z", "DTEND:20270210T110000Z")
    assert "start_date" not in record and event_days(record) is None
