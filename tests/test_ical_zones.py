"""TZIDs without a VTIMEZONE (Outlook display names, Windows ids, unknown names) and events whose
end comes before their start (spiders.ical)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.http import TextResponse

from crawler.types import HarvestedItem
from tests.test_ical_robust import calendar, vevent
from tests.test_spiders import make_spider, run


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def athens_items(*lines: str) -> tuple[list[HarvestedItem], dict]:
    """Items of one VEVENT from a source whose zone is Europe/Athens."""
    spider = make_spider(id="zones", kind="ical", urls=["https://x.example/e.ics"], timezone="Europe/Athens")
    body = calendar(vevent("z@x", *lines, "URL:https://x.example/z"))
    items, _ = run(spider, TextResponse("https://x.example/e.ics", body=body, encoding="utf-8"))
    return items, spider.crawler.stats.get_stats()


OUTLOOK_CET = '"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"'


@pytest.mark.parametrize(
    ("tzid", "stamp", "start", "label", "note"),
    [
        (OUTLOOK_CET, "20270210T100000", utc(2027, 2, 10, 9), "Europe/Amsterdam", None),
        (OUTLOOK_CET, "20270710T100000", utc(2027, 7, 10, 8), "Europe/Amsterdam", None),  # summer time
        ('"(UTC) Dublin, Edinburgh, Lisbon, London"', "20270210T100000", utc(2027, 2, 10, 10), None, None),
        ('"(UTC-01:00) Azores"', "20270210T100000", utc(2027, 2, 10, 11), "Atlantic/Azores", None),
        (
            '"(UTC+02:00) Helsinki, Kyiv, Riga, Sofia"',
            "20270710T100000",
            utc(2027, 7, 10, 7),
            "Europe/Helsinki",
            None,
        ),
        (
            '"(UTC+05:30) Somewhere, Elsewhere"',
            "20270210T100000",
            utc(2027, 2, 10, 4, 30),
            "+0530",
            "zone_offset_only",
        ),
        ("W. Europe Standard Time", "20270210T100000", utc(2027, 2, 10, 9), "Europe/Berlin", None),
        ("GTB Standard Time", "20270710T100000", utc(2027, 7, 10, 7), "Europe/Bucharest", None),
        ("Europe/Lisbon", "20270210T100000", utc(2027, 2, 10, 10), "Europe/Lisbon", None),
        # unknown: the source's zone (Athens, EET), counted and flagged
        ("Nowhere Standard Time", "20270210T100000", utc(2027, 2, 10, 8), "Europe/Athens", "zone_unknown"),
        ('"My office"', "20270210T100000", utc(2027, 2, 10, 8), "Europe/Athens", "zone_unknown"),
    ],
)
def test_tzids_without_vtimezone_map_to_iana_zones(
    tzid: str, stamp: str, start: datetime, label: str | None, note: str | None
) -> None:
    items, stats = athens_items(f"DTSTART;TZID={tzid}:{stamp}")
    event = items[0].event
    assert event is not None and event.start == start
    if label is not None:
        assert event.timezone == label
    assert stats.get(f"ewsi/ical/{note}") == (1 if note else None)
    assert [f for f in items[0].flags if f.startswith("ical_")] == ([f"ical_{note}"] if note else [])


@pytest.mark.parametrize(
    ("lines", "start", "all_day"),
    [
        (("DTSTART:20270210T100000Z", "DTEND:20270210T090000Z"), utc(2027, 2, 10, 10), False),
        (("DTSTART:20270210T100000Z", "DTEND:20270201T100000Z"), utc(2027, 2, 10, 10), False),
        (("DTSTART:20270210T100000Z", "DURATION:-PT1H"), utc(2027, 2, 10, 10), False),
        (("DTSTART;VALUE=DATE:20270210", "DTEND;VALUE=DATE:20270208"), utc(2027, 2, 9, 22), True),
    ],
)
def test_an_end_before_the_start_is_dropped_and_flagged(
    lines: tuple[str, ...], start: datetime, all_day: bool
) -> None:
    items, stats = athens_items(*lines)
    event = items[0].event
    assert event is not None and (event.start, event.end, event.all_day) == (start, None, all_day)
    assert stats.get("ewsi/ical/end_before_start") == 1 and "ical_end_before_start" in items[0].flags


def test_an_end_equal_to_the_start_is_kept() -> None:
    items, stats = athens_items("DTSTART:20270210T100000Z", "DTEND:20270210T100000Z")
    assert items[0].event is not None and items[0].event.end == utc(2027, 2, 10, 10)
    assert "ewsi/ical/end_before_start" not in stats
