"""A floating event time (no offset, no ``Z``) is local time in the source's zone, else in the zone
the page declares, else UTC: JSON-LD, microdata and text alike, start, end and registration deadline
(pipelines.events, "Times"); also when Scrapy calls the pipeline without the spider."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from crawler.sources import Source
from crawler.types import HarvestedItem
from pipelines.events import EventsPipeline

FETCHED = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)


def _page(event: dict[str, Any]) -> bytes:
    block = json.dumps({"@context": "https://schema.org", "@type": "Event", "name": "Forum", **event})
    return (
        f'<html><head><script type="application/ld+json">{block}</script></head><body></body></html>'.encode()
    )


PAGE = {"source_id": "events", "url": "https://events.example.eu/forum", "content_type": "event"}


def _item(body: bytes, text: str | None = None) -> HarvestedItem:
    """An event page fetched at `FETCHED`."""
    return HarvestedItem(**PAGE, media_type="text/html", fetched_at=FETCHED, body=body, text=text)


def _source(timezone: str | None) -> Source:
    fields: dict[str, Any] = {
        "id": "events",
        "name": "Events",
        "publisher": "Test",
        "kind": "feed",
        "urls": ["https://events.example.eu/"],
    }
    if timezone:
        fields["timezone"] = timezone
    return Source(**fields)


def _run(item: HarvestedItem, timezone: str | None) -> HarvestedItem:
    """The pipeline as Scrapy runs it: built from a crawler, called without the spider."""
    crawler = SimpleNamespace(stats=None, spider=SimpleNamespace(source=_source(timezone)))
    return EventsPipeline.from_crawler(crawler).process_item(item)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


FLOATING = [
    # (source zone, startDate, endDate, start and end in UTC as "MM-DD HH:MM", all day)
    ("Europe/Berlin", "2027-02-10T09:30", "2027-02-10T16:00", "02-10 08:30", "02-10 15:00", False),
    ("Europe/Berlin", "15/03/2027 10:00", None, "03-15 09:00", "03-15 09:00", False),
    # Europe/Berlin changes to summer time on 28 March 2027: the day before +01:00, the day after +02:00
    ("Europe/Berlin", "2027-03-27T10:00:00", "2027-03-29T10:00:00", "03-27 09:00", "03-29 08:00", False),
    # Europe/Helsinki back to winter time on 31 October 2027: +03:00 before, +02:00 after
    ("Europe/Helsinki", "2027-10-30T09:00", "2027-11-01T09:00", "10-30 06:00", "11-01 07:00", False),
    ("Europe/Lisbon", "2027-07-01T18:00", None, "07-01 17:00", "07-01 17:00", False),
    ("Europe/Lisbon", "2027-01-12T18:00", None, "01-12 18:00", "01-12 18:00", False),
    ("Europe/Athens", "2027-05-20 10:00", None, "05-20 07:00", "05-20 07:00", False),
    # an offset or a Z keeps its instant, whatever the source's zone
    ("Europe/Berlin", "2027-02-10T09:30+01:00", None, "02-10 08:30", "02-10 08:30", False),
    ("Europe/Berlin", "2027-02-10T09:30Z", None, "02-10 09:30", "02-10 09:30", False),
    # a bare day stays all-day, from the local midnight to the next (exclusive end)
    ("Europe/Paris", "2027-03-03", "2027-03-04", "03-02 23:00", "03-04 23:00", True),
    ("Europe/Paris", "2027-03-27", "2027-03-28", "03-26 23:00", "03-28 22:00", True),
]


def _in_2027(value: datetime | None) -> str | None:
    """`value` as "MM-DD HH:MM" in UTC when it falls in 2027."""
    return (
        f"{value:%m-%d %H:%M}" if value is not None and value.year == 2027 and value.tzinfo == UTC else None
    )


@pytest.mark.parametrize(("zone", "start", "end", "want_start", "want_end", "all_day"), FLOATING)
def test_a_floating_jsonld_time_is_read_in_the_source_zone(
    zone: str, start: str, end: str | None, want_start: str, want_end: str, all_day: bool
) -> None:
    fields = {"startDate": start, **({"endDate": end} if end else {})}
    event = _run(_item(_page(fields)), zone).event
    assert event is not None
    assert (_in_2027(event.start), _in_2027(event.end), event.all_day) == (want_start, want_end, all_day)


def test_the_zone_label_names_the_source_zone_of_a_floating_time() -> None:
    event = _run(_item(_page({"startDate": "2027-02-10T09:30"})), "Europe/Berlin").event
    assert event is not None and event.timezone == "Europe/Berlin"


def test_the_registration_deadline_is_read_in_the_source_zone() -> None:
    fields = {
        "startDate": "2027-06-10",
        "offers": {"url": "https://e.eu/r", "validThrough": "2027-06-01T12:00"},
    }
    event = _run(_item(_page(fields)), "Europe/Warsaw").event
    assert event is not None and event.registration_deadline == utc(2027, 6, 1, 10)


def test_microdata_floating_times_use_the_source_zone() -> None:
    body = (
        b'<html><body><div itemscope itemtype="https://schema.org/Event"><span itemprop="name">Dag</span>'
        b'<meta itemprop="startDate" content="2027-04-12T13:00">'
        b'<meta itemprop="endDate" content="2027-04-12T17:00">'
        b"</div></body></html>"
    )
    event = _run(_item(body), "Europe/Amsterdam").event
    assert event is not None and (event.start, event.end) == (utc(2027, 4, 12, 11), utc(2027, 4, 12, 15))


def test_text_floating_times_use_the_source_zone() -> None:
    event = _run(
        _item(b"<html><body></body></html>", "Datum: 13. Juni 2027, 14:00-20:00 Uhr"), "Europe/Vienna"
    ).event
    assert event is not None and (event.start, event.end) == (utc(2027, 6, 13, 12), utc(2027, 6, 13, 18))


DECLARED = [
    # (source zone or None, scheduleTimezone place, start UTC)
    (None, {"scheduleTimezone": "Europe/Madrid"}, utc(2027, 2, 10, 8, 30)),
    (
        None,
        {"eventSchedule": {"@type": "Schedule", "scheduleTimezone": "Europe/Riga"}},
        utc(2027, 2, 10, 7, 30),
    ),
    (None, {"scheduleTimezone": "Mars/Olympus"}, utc(2027, 2, 10, 9, 30)),  # no such zone: UTC
    (None, {}, utc(2027, 2, 10, 9, 30)),
    ("Europe/Berlin", {"scheduleTimezone": "Europe/Riga"}, utc(2027, 2, 10, 8, 30)),  # the source's wins
]


@pytest.mark.parametrize(("zone", "declared", "want"), DECLARED)
def test_a_page_declared_zone_counts_when_the_source_sets_none(
    zone: str | None, declared: dict[str, Any], want: datetime
) -> None:
    event = _run(_item(_page({"startDate": "2027-02-10T09:30", **declared})), zone).event
    assert event is not None and event.start == want
