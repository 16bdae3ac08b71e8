"""A date_method is recorded only for a date that was kept (pipelines.normalize, rule 4): a raw date
refused as a placeholder, a zero date, impossible or implausible leaves published_at and
date_method empty, whatever method the spider set; a kept date keeps its method."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.http import TextResponse

from crawler.types import HarvestedItem
from tests.test_normalize import make_source, run
from tests.test_spiders import make_spider
from tests.test_spiders import run as run_spider

FETCHED = datetime(2026, 3, 20, 13, 0, tzinfo=UTC)

# (raw date, method the spider set, expected published_at, expected date_method)
CASES: list[tuple[str, str | None, datetime | None, str | None]] = [
    ("0000-00-00 00:00:00", "feed", None, None),  # MySQL's zero date
    ("0000-00-00", "feed", None, None),
    ("00.00.0000", "feed", None, None),
    ("Thu, 01 Jan 1970 00:00:00 +0000", "feed", None, None),  # the epoch
    ("1970-01-01T00:00:00Z", "feed", None, None),
    ("Mon, 01 Jan 0001 00:00:00 +0000", "feed", None, None),
    ("0001-01-01T00:00:00Z", "feed", None, None),
    ("9999-12-31T23:59:59Z", "feed", None, None),  # a placeholder year: no date
    ("Fri, 31 Dec 9999 23:59:59 GMT", "feed", None, None),
    ("9000-01-01", "feed", None, None),
    ("2027-03-20T13:00:00Z", "feed", FETCHED, "fetch_time"),  # a year ahead: the fetch time, said so
    ("8999-12-31T23:59:59Z", "feed", FETCHED, "fetch_time"),
    ("2026-02-30T10:00:00Z", "feed", None, None),  # impossible
    ("31 December 1899 12:00", "feed", None, None),  # implausible
    ("not a date", "feed", None, None),
    ("", "feed", None, None),
    ("0000-00-00 00:00:00", "url", None, None),  # whatever method the spider set
    ("0000-00-00 00:00:00", None, None, None),
    # kept dates keep their method
    ("Tue, 04 Mar 2025 10:00:00 +0000", "feed", datetime(2025, 3, 4, 10, 0, tzinfo=UTC), "feed"),
    ("Tue, 04 Mar 2025 10:00:00 +0000", None, datetime(2025, 3, 4, 10, 0, tzinfo=UTC), "feed"),
    ("2025-03-04T10:00:00Z", "feed_updated", datetime(2025, 3, 4, 10, 0, tzinfo=UTC), "feed_updated"),
]


@pytest.mark.parametrize(("raw", "method", "published", "expected_method"), CASES)
def test_a_refused_date_leaves_no_method(
    raw: str, method: str | None, published: datetime | None, expected_method: str | None
) -> None:
    item = HarvestedItem(source_id="s", url="https://x.eu/1", published_raw=raw or None, date_method=method)
    [out], _ = run([item], make_source(timezone="UTC"), clock=FETCHED)
    assert out.published_at == published
    assert out.date_method == expected_method


FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>T</title><link>http://x.example/</link><description>d</description>
<item><title>Epoch dated item</title><link>https://c.example/1</link><guid>c-1</guid>
<pubDate>Thu, 01 Jan 1970 00:00:00 +0000</pubDate></item>
<item><title>Zero dated item</title><link>https://c.example/2</link><guid>c-2</guid>
<pubDate>0000-00-00 00:00:00</pubDate></item>
<item><title>Dated item</title><link>https://c.example/3</link><guid>c-3</guid>
<pubDate>Tue, 04 Mar 2025 10:00:00 +0000</pubDate></item>
</channel></rss>"""


def test_feed_entries_with_placeholder_dates_have_no_method() -> None:
    spider = make_spider(id="c10", kind="feed", urls=["https://c.example/feed"], languages=["en"])
    response = TextResponse(
        "https://c.example/feed", body=FEED, headers={"Content-Type": "application/rss+xml"}
    )
    items, _ = run_spider(spider, response)
    assert [item.date_method for item in items] == ["feed", "feed", "feed"]  # as the spider read them
    out, _ = run(items, make_source(id="c10", timezone="UTC"), clock=FETCHED)
    assert [(o.published_at, o.date_method) for o in sorted(out, key=lambda o: o.url)] == [
        (None, None),
        (None, None),
        (datetime(2025, 3, 4, 10, 0, tzinfo=UTC), "feed"),
    ]
