"""pipelines.events (schema.org Event in JSON-LD and microdata) and the ical spider template."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from scrapy.http import TextResponse

from crawler.types import EventInfo, HarvestedItem
from pipelines.events import EventsPipeline, country_code, event_from_record, events_in_html, read_time
from tests.test_spiders import make_spider, run

DATA = Path(__file__).parent / "data"
BRUSSELS = ZoneInfo("Europe/Brussels")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_page_with_jsonld_and_microdata_events() -> None:
    events = events_in_html((DATA / "events_page.html").read_bytes(), BERLIN)
    assert events == [
        EventInfo(
            start=utc(2026, 3, 24, 8, 30),
            end=utc(2026, 3, 25, 16, 0),
            timezone="+01:00",
            venue="Albert Borschette Centre",
            city="Brussels",
            country="BE",
            organiser="European Commission",
            registration_url="https://events.example.eu/forum-2026/register",
            registration_deadline=utc(2026, 3, 10, 22, 59),
        ),
        EventInfo(
            start=utc(2026, 4, 7, 22, 0),  # all-day in Berlin: local midnight to the next one
            end=utc(2026, 4, 8, 22, 0),
            all_day=True,
            timezone="Europe/Berlin",
            online=True,
            organiser="Integration Network",
            registration_url="https://events.example.eu/webinar-qualifications",
        ),
        EventInfo(
            start=utc(2026, 6, 13, 12, 0),  # microdata without offset: local time of the source
            end=utc(2026, 6, 13, 18, 0),
            timezone="Europe/Berlin",
            venue="Nachbarschaftshaus",
            city="Berlin",
            country="DE",
            registration_url="https://events.example.eu/stadtteilfest",
        ),
    ]


@pytest.mark.parametrize(
    ("record", "start", "end", "all_day"),
    [
        ({"startDate": "2026-03-15"}, utc(2026, 3, 14, 23), utc(2026, 3, 15, 23), True),
        (
            {"startDate": "2026-03-15", "endDate": "2026-03-17"},
            utc(2026, 3, 14, 23),
            utc(2026, 3, 17, 23),
            True,
        ),
        ({"startDate": "2026-03-15T10:00:00Z"}, utc(2026, 3, 15, 10), utc(2026, 3, 15, 10), False),
        ({"startDate": "2026-03-29T01:30:00"}, utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 0, 30), False),
        (
            {"startDate": "2026-03-29", "endDate": "2026-03-29"},
            utc(2026, 3, 28, 23),
            utc(2026, 3, 29, 22),
            True,
        ),
        ({"startDate": "2026-02-30"}, None, None, False),  # no such day
        ({"startDate": "soon"}, None, None, False),
        ({"startDate": ["2026-03-15T10:00:00+02:00", "x"]}, utc(2026, 3, 15, 8), utc(2026, 3, 15, 8), False),
    ],
)
def test_event_times(record: dict, start: datetime | None, end: datetime | None, all_day: bool) -> None:
    info = event_from_record({"@type": "Event", **record}, BRUSSELS)
    assert (info.start, info.end, info.all_day) == (start, end, all_day)


@pytest.mark.parametrize(
    ("location", "venue", "city", "country", "online"),
    [
        ("Town hall, Ghent", "Town hall, Ghent", None, None, False),
        ("Online via Zoom", "Online via Zoom", None, None, True),
        ({"@type": "VirtualLocation", "url": "https://x.eu"}, None, None, None, True),
        (
            {"@type": "Place", "name": "Hall", "address": "Rue X 1, Liège"},
            "Hall, Rue X 1, Liège",  # no country: the address joins the venue, never the city
            None,
            None,
            False,
        ),
        (
            {"@type": "Place", "address": {"addressLocality": "Wien", "addressCountry": {"name": "Austria"}}},
            None,
            "Wien",
            "AT",
            False,
        ),
        (
            [
                {"@type": "VirtualLocation"},
                {"@type": "Place", "name": "Hub", "address": {"addressCountry": "EL"}},
            ],
            "Hub",
            None,
            "GR",
            True,
        ),
        (None, None, None, None, False),
    ],
)
def test_event_place(
    location: object, venue: str | None, city: str | None, country: str | None, online: bool
) -> None:
    info = event_from_record({"@type": "Event", "startDate": "2026-05-01", "location": location}, BRUSSELS)
    assert (info.venue, info.city, info.country, info.online) == (venue, city, country, online)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("be", "BE"), ("Germany", "DE"), ("EL", "GR"), ({"name": "Italia"}, "IT"), ("Atlantis", None)],
)
def test_country_code(value: object, expected: str | None) -> None:
    assert country_code(value) == expected


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><script type='application/ld+json'>[[[[</script></html>",
        b"<html><script type='application/ld+json'>" + b"[" * 5000 + b"</script></html>",
        b'<html><script type="application/ld+json">{"@type": "Organization"}</script></html>',
        b"\xff\xfe garbage",
    ],
)
def test_pages_without_events_give_none(body: bytes) -> None:
    assert events_in_html(body, BRUSSELS) == []


def test_read_time_keeps_offsets() -> None:
    assert read_time("2026-07-01T09:00:00-04:00", BRUSSELS) == (utc(2026, 7, 1, 13), False)


def test_pipeline_fills_event_from_followed_page() -> None:
    item = HarvestedItem(
        source_id="s",
        url="https://events.example.eu/forum",
        content_type="event",
        body=(DATA / "events_page.html").read_bytes(),
        media_type="text/html; charset=utf-8",
    )
    EventsPipeline().process_item(item)
    assert item.event is not None and item.event.start == utc(2026, 3, 24, 8, 30)
    news = HarvestedItem(source_id="s", url="https://x.eu/n", body=item.body, media_type="text/html")
    EventsPipeline().process_item(news)
    assert news.event is None


# --- the ical template ------------------------------------------------------------------------


def _ical_items(body: bytes) -> tuple[list[HarvestedItem], dict]:
    spider = make_spider(
        id="ical-test",
        kind="ical",
        urls=["https://integration.example.at/events.ics"],
        timezone="Europe/Vienna",
    )
    response = TextResponse("https://integration.example.at/events.ics", body=body, encoding="utf-8")
    items, _ = run(spider, response)
    return items, spider.crawler.stats.get_stats()


def test_ical_feed_gives_events_with_start_end_and_place() -> None:
    items, stats = _ical_items((DATA / "events.ics").read_bytes())
    assert [(i.title, i.url, i.content_type) for i in items] == [
        ("Sprachcafé", "https://integration.example.at/events/sprachcafe", "event"),
        (
            "Konferenz: Integration am Arbeitsmarkt",
            "https://integration.example.at/events/konferenz-2026",
            "event",
        ),
        (
            "Summer school on migration law",
            "https://integration.example.at/events.ics#2026-summer-school@integration.example.at",
            "event",
        ),
    ]
    cafe, conference, school = (i.event for i in items)
    # floating time: local in the source's zone (Vienna, CET in March); DURATION gives the end
    assert (cafe.start, cafe.end, cafe.all_day, cafe.venue) == (
        utc(2026, 3, 5, 17),
        utc(2026, 3, 5, 19),
        False,
        "Stadtbibliothek Graz",
    )
    assert conference == EventInfo(
        start=utc(2026, 4, 16, 7),
        end=utc(2026, 4, 17, 11),
        timezone="Europe/Vienna",
        venue="Haus der Industrie, Wien",
        organiser="Integrationsfonds",
        registration_url="https://integration.example.at/events/konferenz-2026",
    )
    assert (school.start, school.end, school.all_day, school.online) == (
        utc(2026, 7, 5, 22),
        utc(2026, 7, 10, 22),  # DTEND of a DATE is exclusive: 6-10 July
        True,
        True,
    )
    assert items[2].official_id == "2026-summer-school@integration.example.at"
    assert (
        conference is not None
        and items[1].summary == "Zwei Tage zu Arbeitsmarktintegration, Anerkennung und Sprache."
    )
    assert stats.get("ewsi/ical/cancelled") == 1


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"not a calendar", "ewsi/errors/parse.ical_invalid"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "ewsi/ical/empty"),
    ],
)
def test_bad_ical_feeds_are_named(body: bytes, error: str) -> None:
    items, stats = _ical_items(body)
    assert items == [] and stats.get(error) == 1


# --- event dates written in text (listings without markup) ------------------------------------

ALL_DAY_24_25_MARCH = (utc(2026, 3, 23, 23), utc(2026, 3, 25, 23), True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date: 24-25 March 2026", ALL_DAY_24_25_MARCH),
        ("Date: 24–25 March 2026", ALL_DAY_24_25_MARCH),
        ("Dates: 24.03.2026 - 25.03.2026", ALL_DAY_24_25_MARCH),
        ("Quand : du 24 au 25 mars 2026", ALL_DAY_24_25_MARCH),
        ("Data: 24-25 marzo 2026", ALL_DAY_24_25_MARCH),
        ("Date: 24 March - 2 April 2026, Brussels", (utc(2026, 3, 23, 23), utc(2026, 4, 2, 22), True)),
        ("Datum: 13. Juni 2026, 14:00-20:00 Uhr", (utc(2026, 6, 13, 12), utc(2026, 6, 13, 18), False)),
        ("Termin: 13.06.2026, 14.00–20.00 Uhr", (utc(2026, 6, 13, 12), utc(2026, 6, 13, 18), False)),
        ("When: 10:00 - 12:00, 15 May 2026", (utc(2026, 5, 15, 8), utc(2026, 5, 15, 10), False)),
        ("When: 15 May 2026 at 10:00", (utc(2026, 5, 15, 8), utc(2026, 5, 15, 8), False)),
        ("Fecha: 12 de mayo de 2026", (utc(2026, 5, 11, 22), utc(2026, 5, 12, 22), True)),
        (
            "Published 1 March 2026. Date: 30 April 2026 in Rome",
            (utc(2026, 4, 29, 22), utc(2026, 4, 30, 22), True),
        ),
        ("Date: TBC\nPublished 1 March 2026", None),
        ("Published 1 March 2026, conference on 30 April 2026", None),  # no cue: no event date
    ],
)
def test_event_dates_in_text(text: str, expected: tuple[datetime, datetime, bool] | None) -> None:
    from pipelines.events import event_in_text

    info = event_in_text(text, BRUSSELS)
    assert (None if info is None else (info.start, info.end, info.all_day)) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("<b>Town</b> hall<script>alert(1)</script>", "Town hall"),
        ("Hall\x00\x07 A", "Hall A"),
        ("a &amp; b", "a & b"),
        ("  \n ", None),
    ],
)
def test_event_text_is_plain(name: str, expected: str | None) -> None:
    info = event_from_record(
        {"@type": "Event", "startDate": "2026-05-01", "location": {"name": name}}, BRUSSELS
    )
    assert info.venue == expected


RECURRING = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:weekly@x\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=Europe/Vienna:20260105T180000\r
DTEND;TZID=Europe/Vienna:20260105T200000\r
RRULE:FREQ=WEEKLY;COUNT=20\r
SUMMARY:Weekly cafe\r
URL:https://x.at/cafe\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:monthly@x\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20260105\r
RRULE:FREQ=MONTHLY;COUNT=3\r
SUMMARY:Monthly day\r
URL:https://x.at/day\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:over@x\r
DTSTAMP:20260101T000000Z\r
DTSTART:20250105T100000Z\r
RRULE:FREQ=DAILY;COUNT=2\r
SUMMARY:Over\r
URL:https://x.at/over\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_recurring_events_give_the_occurrence_not_yet_ended() -> None:
    from icalendar import Calendar

    from spiders.ical import event_info

    now = utc(2026, 3, 1, 12)
    vienna = ZoneInfo("Europe/Vienna")
    got = [
        (e.start, e.end, e.all_day)
        for e in (event_info(c, vienna, now) for c in Calendar.from_ical(RECURRING).walk("VEVENT"))
    ]
    assert got == [
        (utc(2026, 3, 2, 17), utc(2026, 3, 2, 19), False),  # next Monday, 18:00 Vienna
        (utc(2026, 3, 4, 23), utc(2026, 3, 5, 23), True),  # 5 March, all day
        (utc(2025, 1, 6, 10), utc(2025, 1, 6, 10), False),  # all occurrences past: the last one
    ]
