"""A short summary most entries of a feed share word for word is the feed's placeholder, not a
teaser (spiders.entries.shared_summaries): "Recorded page", "Read more", a site's slogan. Rule: a
summary of at most PLACEHOLDER_MAX_WORDS words that SHARED_SUMMARY_MIN or more entries of one
document carry (case and spaces folded) is dropped from those entries; any other summary, two
entries sharing one or a series sharing a real description included, is kept as the feed wrote it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from scrapy.http import TextResponse, XmlResponse

from spiders.entries import SHARED_SUMMARY_MIN, shared_summaries
from tests.test_spiders import make_spider, run

FEED = "https://news.example.eu/feed.xml"


def _rss(summaries: list[str | None]) -> bytes:
    items = "".join(
        f"<item><link>https://news.example.eu/a/{i}</link><title>Story {i}</title>"
        + (f"<description>{s}</description>" if s is not None else "")
        + "</item>"
        for i, s in enumerate(summaries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        f"<link>https://news.example.eu/</link>{items}</channel></rss>"
    ).encode()


def _summaries(body: bytes, json_feed: bool = False) -> dict[str, Any]:
    spider = make_spider(id="news", kind="feed", urls=[FEED], languages=["en"])
    response_class = TextResponse if json_feed else XmlResponse
    kind = "application/feed+json" if json_feed else "application/rss+xml"
    items, _ = run(spider, response_class(FEED, body=body, headers={"Content-Type": kind}))
    return {item.url.rsplit("/", 1)[1]: item.summary for item in items}


SERIES = (
    "Welcome Café: newcomers and neighbours meet every first Tuesday of the month at the library to "
    "practise the language over coffee."
)
CASES: dict[str, tuple[list[str | None], list[str | None]]] = {
    # name: (the entries' summaries, the summaries stored, in entry order)
    "placeholder on every entry": (["Recorded page"] * 4, [None] * 4),
    "case and spaces folded": (
        ["Read more", "read  more", "READ MORE ", "Read more"],
        [None, None, None, None],
    ),
    "placeholder beside real teasers": (
        ["Site news", "Refugees open a café.", "Site news", "Site news", "A new language course."],
        [None, "Refugees open a café.", None, None, "A new language course."],
    ),
    "two entries may share a teaser": (
        ["Budget for integration courses.", "Budget for integration courses.", "Other story."],
        ["Budget for integration courses.", "Budget for integration courses.", "Other story."],
    ),
    "distinct teasers": (["One.", "Two.", "Three.", "Four."], ["One.", "Two.", "Three.", "Four."]),
    "a series shares a real description": (
        [SERIES] * 3,
        [SERIES] * 3,
    ),
    "no summaries": ([None, None, None], [None, None, None]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_shared_summary_is_a_placeholder(name: str) -> None:
    given, stored = CASES[name]
    got = _summaries(_rss(given))
    assert [got[str(i)] for i in range(len(given))] == stored


def test_a_json_feed_is_read_alike() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "News",
            "items": [
                {"id": str(i), "url": f"https://news.example.eu/a/{i}", "title": f"S{i}", "summary": s}
                for i, s in enumerate(["Recorded page", "Recorded page", "Recorded page", "Real teaser."])
            ],
        }
    ).encode()
    got = _summaries(body, json_feed=True)
    assert [got[str(i)] for i in range(4)] == [None, None, None, "Real teaser."]


def test_the_threshold_is_the_constant() -> None:
    entries = [{"summary": "Same"}] * SHARED_SUMMARY_MIN
    assert shared_summaries(entries) == {"same"}
    assert shared_summaries(entries[:-1]) == frozenset()
