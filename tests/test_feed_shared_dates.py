"""A date every entry of a feed carries is the feed's build time, not each entry's publication
(spiders.feeddates; lkiesow/python-feedgen#84). Rule: at least SHARED_DATE_MIN entries, one date
string for all of them, with a time of day other than midnight: the entries are read as undated;
fewer entries, dates that differ, or a shared midnight (a day's bulletin) keep their dates.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.http import XmlResponse

from spiders.feeddates import SHARED_DATE_MIN, generation_date
from tests.test_spiders import make_spider, run, stats

FEED = "https://news.example.eu/feed.xml"


def _rss(dates: list[str], tag: str = "pubDate") -> bytes:
    items = "".join(
        f"<item><title>Story {i}</title><link>https://news.example.eu/a/{i}</link>"
        f"<guid>g{i}</guid><{tag}>{d}</{tag}></item>"
        for i, d in enumerate(dates)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>News</title><link>https://news.example.eu/</link>{items}</channel></rss>"
    ).encode()


def _atom(dates: list[str]) -> bytes:
    entries = "".join(
        f'<entry><title>Story {i}</title><id>urn:x:{i}</id><link href="https://news.example.eu/a/{i}"/>'
        f"<updated>{d}</updated></entry>"
        for i, d in enumerate(dates)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>N</title>'
        f"<id>urn:x</id><updated>2025-03-01T00:00:00Z</updated>{entries}</feed>"
    ).encode()


def _dates(body: bytes) -> tuple[list[datetime | None], int]:
    spider = make_spider(id="news", kind="feed", urls=[FEED], languages=["en"])
    items, _ = run(spider, XmlResponse(FEED, body=body, headers={"Content-Type": "application/rss+xml"}))
    return [item.published_at for item in items], stats(spider).get("ewsi/feed/shared_date", 0)


@pytest.mark.parametrize(
    "body",
    [
        _rss(["Fri, 05 Dec 2026 22:31:53 GMT"] * 5),
        _rss(["Fri, 05 Dec 2026 23:31:53 +0100"] * SHARED_DATE_MIN),
        _rss(["Fr, 05 Dez 2026 23:31:53 +0100"] * 4),
        _rss(["2026-12-05T22:31:53Z"] * 6, tag="dc:date"),
        _atom(["2026-12-05T22:31:53+00:00"] * 3),
    ],
    ids=["rfc822-gmt", "rfc822-offset-min", "german", "dc-date", "atom-updated"],
)
def test_one_build_time_for_every_entry_is_no_publication_date(body: bytes) -> None:
    published, counted = _dates(body)
    assert published and all(p is None for p in published)
    assert counted == len(published)


@pytest.mark.parametrize(
    ("body", "first"),
    [
        (_rss(["Fri, 05 Dec 2026 22:31:53 GMT"] * (SHARED_DATE_MIN - 1)), datetime(2026, 12, 5, 22, 31, 53)),
        (
            _rss(["Fri, 05 Dec 2026 22:31:53 GMT"] * 3 + ["Fri, 05 Dec 2026 22:31:54 GMT"]),
            datetime(2026, 12, 5, 22, 31, 54),
        ),
        (_rss(["Fri, 05 Dec 2026 00:00:00 +0100"] * 4), datetime(2026, 12, 4, 23, 0)),
        (_rss(["05 Dec 2026"] * 4), datetime(2026, 12, 5)),
    ],
    ids=["two-entries", "one-differs", "shared-midnight", "day-only"],
)
def test_dates_that_are_not_a_build_time_stay(body: bytes, first: datetime) -> None:
    published, counted = _dates(body)
    assert published[0] == first.replace(tzinfo=UTC)
    assert counted == 0


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([{"published": "Fri, 05 Dec 2026 22:31:53 GMT"}] * 3, "Fri, 05 Dec 2026 22:31:53 GMT"),
        ([{"updated": "2026-12-05T10:15:00+01:00"}] * 3, "2026-12-05T10:15:00+01:00"),
        ([{"published": "2026-12-05T00:00:00+01:00"}] * 3, None),
        ([{"published": None}] * 3, None),
        ([{"published": "Fri, 05 Dec 2026 22:31:53 GMT"}, {}, {}], None),
    ],
)
def test_generation_date(entries: list[dict[str, str | None]], expected: str | None) -> None:
    assert generation_date(entries) == expected


@pytest.mark.parametrize(
    ("date", "clock"),
    [
        ("Fri, 05 Dec 2026 10:30:00 +0100", True),
        ("2026-12-05T10:30", True),
        ("2026-12-05T1030Z", True),
        ("5.12.2026 10.30", True),
        ("5 déc. 2026 10h30", True),
        ("05 Dec 2026", False),  # a year is no time
        ("2026-12-05", False),
        ("Fri, 05 Dec 2026", False),
    ],
)
def test_a_feed_date_gives_a_time_of_day(date: str, clock: bool) -> None:
    from spiders.feeddates import _CLOCK

    assert bool(_CLOCK.search(date)) is clock
