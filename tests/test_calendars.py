"""crawler.web.calendars: funding deadlines and events as RFC 5545 calendars, parsed back with icalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from crawler.web.calendars import events_calendar, funding_calendar, place_text

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BASE = "https://portal.example.eu"


def clean(text: str) -> str:
    return "".join(ch for ch in text if ch >= " " or ch == "\n")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def parse(body: bytes) -> list:
    cal = Calendar.from_ical(body)
    assert cal["version"] == "2.0" and cal["prodid"]
    return list(cal.walk("VEVENT"))


def test_one_vevent_per_deadline_with_a_reminder() -> None:
    calls = [
        {
            "id": 7,
            "title": "Inclusive education\x07 partnerships",
            "call_id": "ERASMUS-EDU-2026-PI-ALL-INNO-INCL",
            "programme": "Erasmus+",
            "summary": "Two cut-offs",
            "url": "https://ec.europa.eu/x",
            "api_url": f"{BASE}/api/v1/items/7",
            "deadlines": [utc(2026, 9, 24, 15), utc(2026, 3, 19, 16)],
        },
        {"id": 8, "title": None, "api_url": f"{BASE}/api/v1/items/8", "deadline": utc(2026, 4, 1, 10)},
    ]
    events = parse(funding_calendar(calls, base_url=BASE, clean=clean, now=NOW))
    assert [(str(e["uid"]), e.decoded("dtstart")) for e in events] == [
        ("item-7@portal.example.eu", utc(2026, 3, 19, 16)),
        ("item-7-deadline-2@portal.example.eu", utc(2026, 9, 24, 15)),
        ("item-8@portal.example.eu", utc(2026, 4, 1, 10)),
    ]
    first = events[0]
    assert (
        str(first["summary"])
        == "Deadline: Inclusive education partnerships (ERASMUS-EDU-2026-PI-ALL-INNO-INCL)"
    )
    assert str(first["url"]) == "https://ec.europa.eu/x"
    alarms = first.walk("VALARM")
    assert len(alarms) == 1 and alarms[0].decoded("trigger") == -timedelta(days=7)
    assert str(events[2]["url"]) == f"{BASE}/api/v1/items/8"


def test_past_deadlines_left_out_with_after() -> None:
    calls = [{"id": 1, "title": "t", "api_url": "u", "deadlines": [utc(2026, 2, 1), utc(2026, 9, 1)]}]
    events = parse(funding_calendar(calls, base_url=BASE, clean=clean, now=NOW, after=NOW))
    assert [e.decoded("dtstart") for e in events] == [utc(2026, 9, 1)]


@pytest.mark.parametrize(
    ("record", "start", "end", "location"),
    [
        (
            {
                "event_start": utc(2026, 3, 24, 8, 30),
                "event_end": utc(2026, 3, 25, 16),
                "place": {"venue": "Centre", "city": "Brussels", "country": "BE"},
            },
            utc(2026, 3, 24, 8, 30),
            utc(2026, 3, 25, 16),
            "Centre, Brussels, BE",
        ),
        (
            {
                "event_start": utc(2026, 7, 5, 22),
                "event_end": utc(2026, 7, 10, 22),
                "all_day": True,
                "timezone": "Europe/Vienna",
                "place": {"online": True},
            },
            date(2026, 7, 6),
            date(2026, 7, 11),
            "Online",
        ),
        (
            {
                "event_start": utc(2026, 4, 7, 23),
                "event_end": None,
                "all_day": True,
                "timezone": "+01:00",
                "place": {"city": "Ghent"},
            },
            date(2026, 4, 8),
            date(2026, 4, 9),
            "Ghent",
        ),
        (
            {"event_start": utc(2026, 5, 1, 9), "event_end": utc(2026, 5, 1, 8)},
            utc(2026, 5, 1, 9),
            utc(2026, 5, 1, 9),
            None,
        ),
    ],
)
def test_events(record: dict, start: object, end: object, location: str | None) -> None:
    record = {"id": 3, "title": "Forum", "api_url": f"{BASE}/api/v1/items/3", **record}
    (event,) = parse(events_calendar([record], base_url=BASE, clean=clean, now=NOW))
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (start, end)
    assert (str(event["location"]) if "location" in event else None) == location
    assert str(event["uid"]) == "item-3@portal.example.eu"


def test_events_without_start_are_left_out() -> None:
    assert (
        parse(
            events_calendar(
                [{"id": 1, "title": "x", "api_url": "u", "event_start": None}], base_url=BASE, clean=clean
            )
        )
        == []
    )


def test_place_text() -> None:
    assert place_text({"venue": "Hall", "online": True}) == "Hall / Online"
    assert place_text({}) is None and place_text(None) is None
