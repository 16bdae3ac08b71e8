"""Placeholder event times ("no end", "no start") are dropped and flagged, as a call's deadline is
(pipelines.events `_without_placeholders`, pipelines.deadlines)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crawler.types import EventInfo, HarvestedItem
from pipelines.events import EventsPipeline

FETCHED = datetime(2026, 3, 20, 13, 0, tzinfo=UTC)


def _page(event: dict) -> bytes:
    block = json.dumps({"@context": "https://schema.org", "@type": "Event", "name": "Forum", **event})
    script = f'<script type="application/ld+json">{block}</script>'
    return f"<html><head>{script}</head><body></body></html>".encode()


def _item(**fields: object) -> HarvestedItem:
    return HarvestedItem(
        source_id="s",
        url="https://events.example.eu/forum",
        content_type="event",
        media_type="text/html; charset=utf-8",
        fetched_at=FETCHED,
        **fields,  # type: ignore[arg-type]
    )


START = datetime(2026, 4, 16, 7, 0, tzinfo=UTC)

CASES = [
    # (JSON-LD fields, start, end, registration deadline, flagged)
    ({"startDate": "2026-04-16T09:00+02:00", "endDate": "9999-12-31T23:59:59"}, START, START, None, True),
    ({"startDate": "2026-04-16T09:00+02:00", "endDate": "2099-12-31"}, START, START, None, True),
    (
        {"startDate": "0001-01-01T00:00:00", "endDate": "2026-04-16T11:00+02:00"},
        None,
        datetime(2026, 4, 16, 9, tzinfo=UTC),
        None,
        True,
    ),
    (
        {"startDate": "2026-04-16", "endDate": "9999-12-31"},
        datetime(2026, 4, 16, tzinfo=UTC),  # no spider: the zone is UTC
        datetime(2026, 4, 17, tzinfo=UTC),  # all-day: "no end" is the end of its day
        None,
        True,
    ),
    (
        {"startDate": "2026-04-16T09:00+02:00", "offers": {"validThrough": "9999-12-31T23:59:59Z"}},
        START,
        START,
        None,
        True,
    ),
    (
        {"startDate": "2026-04-16T09:00+02:00", "endDate": "2026-04-17T13:00+02:00"},
        START,
        datetime(2026, 4, 17, 11, tzinfo=UTC),
        None,
        False,
    ),
    (
        {"startDate": "2036-01-10T09:00+01:00", "endDate": "2036-01-10T13:00+01:00"},  # within ten years
        datetime(2036, 1, 10, 8, tzinfo=UTC),
        datetime(2036, 1, 10, 12, tzinfo=UTC),
        None,
        False,
    ),
]


@pytest.mark.parametrize(("fields", "start", "end", "registration", "flagged"), CASES)
def test_a_placeholder_event_time_is_dropped_and_flagged(
    fields: dict, start: datetime | None, end: datetime | None, registration: datetime | None, flagged: bool
) -> None:
    item = EventsPipeline().process_item(_item(body=_page(fields)))
    assert item.event is not None
    assert (item.event.start, item.event.end, item.event.registration_deadline) == (start, end, registration)
    assert ("event_date_implausible" in item.flags) is flagged


def test_an_event_set_by_its_spider_passes_the_same_rule() -> None:
    """An iCalendar event (set on the item by the ical spider) with DTEND 9999-12-31 is "no end"."""
    event = EventInfo(start=START, end=datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
    item = EventsPipeline().process_item(_item(event=event))
    assert (item.event.start, item.event.end) == (START, START)
    assert item.flags == ["event_date_implausible"]


def test_an_api_event_end_placeholder_is_no_end() -> None:
    raw = {"event_start": "2026-04-16T09:00:00+02:00", "event_end": "/Date(253402300799999)/"}
    item = EventsPipeline().process_item(_item(structured_raw=raw))
    assert item.event is not None and (item.event.start, item.event.end) == (START, START)
    assert item.flags == ["event_date_implausible"]


@pytest.mark.parametrize("zone", ["Europe/Athens", "Europe/Lisbon", "Atlantic/Azores", "UTC"])
@pytest.mark.parametrize(
    ("fields", "has_start"),
    [
        ({"startDate": "0001-01-01"}, False),
        ({"startDate": "9999-12-31"}, False),
        ({"startDate": "2026-04-16", "endDate": "9999-12-31"}, True),
        ({"startDate": "2026-04-16", "endDate": "0000-01-01"}, True),
    ],
)
def test_the_first_and_last_days_held_are_read_in_any_zone(fields: dict, has_start: bool, zone: str) -> None:
    """A bare day at either end of the calendar (an all-day event's 9999-12-31 ends the day after
    it; 0001-01-01 east of UTC is before the first instant held) gives no error, and is no date."""
    from zoneinfo import ZoneInfo

    from pipelines.events import event_from_record

    event = event_from_record(fields, ZoneInfo(zone))
    item = EventsPipeline().process_item(_item(event=event))
    assert (item.event.start is not None) is has_start
    assert item.event.end is None or item.event.end.year == 2026
