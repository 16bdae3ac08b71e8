"""`ewsi sources add` recognises a URL that answers an iCalendar file (crawler.discover `is_calendar`):
the proposal is ``kind: ical``, content type ``event``, not followed, and its preview lists the
events as a harvest reads them; a page or feed that merely names a calendar is no calendar."""

from __future__ import annotations

import codecs
from collections.abc import Iterator

import pytest

from crawler.discover import is_calendar
from crawler.onboard import add, check_source
from tests.lab import LabServer, Route
from tests.onboardlab import ONE_SOURCE_CONFIG, fetcher, robots

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Stadt//Kalender//DE\r\n"
    "BEGIN:VEVENT\r\nUID:sprachcafe-1@stadt.example\r\nDTSTART:20270115T170000Z\r\n"
    "SUMMARY:Sprachcafé für Geflüchtete\r\nURL:https://stadt.example/sprachcafe\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:forum-2@stadt.example\r\nDTSTART;VALUE=DATE:20270210\r\n"
    "SUMMARY:Integrationsforum\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:x-3@stadt.example\r\nDTSTART:20270301T090000Z\r\nSTATUS:CANCELLED\r\n"
    "SUMMARY:Abgesagt\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()


@pytest.fixture
def lab() -> Iterator[LabServer]:
    with LabServer() as server:
        yield server


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (ICS, "text/calendar; charset=utf-8"),
        (ICS, "application/octet-stream"),  # served as a download: the body says what it is
        (codecs.BOM_UTF8 + b"\r\n" + ICS, "text/plain"),
        (ICS.replace(b"BEGIN:VCALENDAR", b"begin:vcalendar", 1), "text/calendar"),
    ],
    ids=["text-calendar", "octet-stream", "bom-and-blank-line", "lower-case"],
)
def test_add_proposes_an_ical_source(lab: LabServer, body: bytes, content_type: str) -> None:
    lab.routes["/kalender.ics"] = Route(body, headers={"Content-Type": content_type})
    block, source, items = add(lab.url("/kalender.ics"), ONE_SOURCE_CONFIG, fetcher, robots)
    assert (source.kind, source.content_type, source.follow) == ("ical", "event", False)
    assert "the URL answered an iCalendar file" in block
    assert [(i.title, i.url) for i in items] == [
        ("Sprachcafé für Geflüchtete", "https://stadt.example/sprachcafe"),
        ("Integrationsforum", lab.url("/kalender.ics")),  # no URL: the calendar's address
    ]
    assert check_source(source, fetcher, robots).key == "ok"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (ICS, "", True),
        (b"<html><body>BEGIN:VCALENDAR</body></html>", "text/html", False),
        (b"<html>\nBEGIN:VCALENDAR\n</html>", "text/calendar", True),  # served as a calendar, holds one
        (b"Our calendar: BEGIN:VCALENDAR", "text/plain", False),
        (b"", "text/calendar", False),
    ],
)
def test_is_calendar(body: bytes, content_type: str, expected: bool) -> None:
    assert is_calendar(body, content_type) is expected
