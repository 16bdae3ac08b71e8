"""The ical template on calendars with broken, odd or partial VEVENTs (spiders.ical)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.types import HarvestedItem
from tests.test_events import _ical_items


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def vevent(uid: str, *lines: str) -> str:
    body = "\r\n".join(lines)
    head = f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20270101T000000Z\r\nSUMMARY:Event {uid}\r\n"
    return f"{head}{body}\r\nEND:VEVENT\r\n"


def calendar(*events: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n"
    ).encode()


GOOD = (
    vevent("a@x", "DTSTART:20270310T100000Z", "URL:https://x.example/a"),
    vevent("b@x", "DTSTART:20270311T100000Z", "URL:https://x.example/b"),
    vevent("c@x", "DTSTART;VALUE=DATE:20270312", "URL:https://x.example/c"),
)


def starts(items: list[HarvestedItem]) -> list[datetime | None]:
    return [i.event.start if i.event else None for i in items]


@pytest.mark.parametrize(
    "lines",
    [
        ("DTSTART:20270230T100000Z",),  # 30 February
        ("DTSTART:20271310T100000Z",),  # month 13
        ("DTSTART:20270210T250000Z",),  # hour 25
        ("DTSTART;VALUE=DATE:20270230",),
        ("DTSTART:",),
        ("DTSTART:next tuesday",),
        ("LOCATION:no start at all",),
        ("DTSTART;VALUE=DATE:20270210T100000",),  # a DATE-TIME declared a DATE
        ("DTSTART:20270210T100000Z", "DURATION:two hours"),
        ("DTSTART:20270210T100000Z", "DURATION:P1X"),
        ("DTSTART:20270210T100000Z", "DTEND:20270210T990000Z"),
    ],
    ids=lambda v: v[-1],
)
def test_an_unreadable_vevent_is_skipped_and_counted_not_the_calendar(lines: tuple[str, ...]) -> None:
    broken = vevent("broken@x", *lines, "URL:https://x.example/broken")
    items, stats = _ical_items(calendar(GOOD[0], broken, *GOOD[1:]))
    assert [i.url for i in items] == [
        "https://x.example/a",
        "https://x.example/b",
        "https://x.example/c",
    ]
    assert starts(items) == [utc(2027, 3, 10, 10), utc(2027, 3, 11, 10), utc(2027, 3, 11, 23)]
    assert stats.get("ewsi/dropped/ical_unreadable") == 1
    assert "ewsi/errors/parse.ical_invalid" not in stats


FEED = "https://integration.example.at/events.ics"


@pytest.mark.parametrize(
    ("url", "link", "registration"),
    [
        ("javascript:alert(1)", f"{FEED}#u@x", None),
        ("mailto:events@x.example", f"{FEED}#u@x", None),
        ("data:text/html,hi", f"{FEED}#u@x", None),
        ("http://", f"{FEED}#u@x", None),
        ("https://user:pw@x.example/e", f"{FEED}#u@x", None),
        ("http://[::1", f"{FEED}#u@x", None),
        ("ftp://x.example/e", f"{FEED}#u@x", None),
        ("/events/e", "https://integration.example.at/events/e", "https://integration.example.at/events/e"),
        ("https://x.example/e", "https://x.example/e", "https://x.example/e"),
    ],
)
def test_an_unusable_url_is_ignored_and_the_event_kept(url: str, link: str, registration: str | None) -> None:
    items, stats = _ical_items(calendar(vevent("u@x", "DTSTART:20270310T100000Z", f"URL:{url}")))
    assert [(i.url, i.event.registration_url if i.event else "-") for i in items] == [(link, registration)]
    assert items[0].official_id == (None if registration else "u@x")
    assert stats.get("ewsi/ical/url_ignored") == (None if registration else 1)


def test_an_event_with_an_unusable_url_and_no_uid_is_counted_no_link() -> None:
    body = calendar(
        "BEGIN:VEVENT\r\nDTSTART:20270310T100000Z\r\nSUMMARY:x\r\nURL:javascript:void(0)\r\nEND:VEVENT\r\n",
        *GOOD[:1],
    )
    items, stats = _ical_items(body)
    assert [i.url for i in items] == ["https://x.example/a"] and stats.get("ewsi/dropped/no_link") == 1
