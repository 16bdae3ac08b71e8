"""A feed entry dated by <updated> alone gives when it last changed; the page's own publication date
replaces it (pipelines.extract.CHANGE_DATES), and the feed's date stays as the modification date.
An entry with <published> keeps its date, as before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.http import TextResponse

from crawler.types import DATE_ONLY, FEED_UPDATED, HarvestedItem
from pipelines.document import ExtractedDocument
from pipelines.extract import apply_document
from tests.test_spiders import make_spider, run

FEED_DAY = datetime(2022, 3, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("method", "page", "published", "new_method", "updated", "day_only"),
    [
        (
            FEED_UPDATED,
            "2022-02-01T10:00:00+01:00",
            datetime(2022, 2, 1, 9, 0, tzinfo=UTC),
            "page",
            FEED_DAY,
            False,
        ),
        (FEED_UPDATED, "2021-11-10", datetime(2021, 11, 10, tzinfo=UTC), "page", FEED_DAY, True),
        (FEED_UPDATED, None, FEED_DAY, FEED_UPDATED, None, False),
        ("feed", "2022-02-01T10:00:00+01:00", FEED_DAY, "feed", None, False),
        (
            "sitemap",
            "2022-02-01T10:00:00+01:00",
            datetime(2022, 2, 1, 9, 0, tzinfo=UTC),
            "page",
            FEED_DAY,
            False,
        ),
    ],
)
def test_the_page_s_publication_date_replaces_a_date_of_change(
    method: str,
    page: str | None,
    published: datetime,
    new_method: str,
    updated: datetime | None,
    day_only: bool,
) -> None:
    item = HarvestedItem(
        source_id="s",
        url="https://example.org/a",
        published_at=FEED_DAY,
        date_method=method,
        fetched_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    apply_document(item, ExtractedDocument(text="Text", method="html", published=page))
    assert (item.published_at, item.date_method, item.updated_at) == (published, new_method, updated)
    assert (DATE_ONLY in item.flags) is day_only


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id><updated>2022-03-03T09:00:00Z</updated>
<entry><title>Only updated</title><id>urn:1</id><link href="https://example.org/1"/>
<updated>2022-03-03T09:00:00Z</updated></entry>
<entry><title>Published too</title><id>urn:2</id><link href="https://example.org/2"/>
<published>2022-01-20T08:00:00Z</published><updated>2022-03-03T09:00:00Z</updated></entry>
</feed>"""


def test_an_entry_with_updated_alone_is_marked_as_a_date_of_change() -> None:
    spider = make_spider(id="news-feed", kind="feed", urls=["https://example.org/feed"])
    response = TextResponse(
        "https://example.org/feed", body=ATOM.encode(), headers={"Content-Type": "application/atom+xml"}
    )
    items, _ = run(spider, response)
    assert {i.title: i.date_method for i in items} == {"Only updated": FEED_UPDATED, "Published too": "feed"}
