"""Items of one title that are told apart are no broken listing (crawler.health `look_alike_key`,
counted by pipelines.store as ``ewsi/quality/same_title``, judged by rule 2 ``parse.same_titles``).

Rule: the same-titles count is the largest number of a run's items sharing one title that nothing
else tells apart: a distinct event start, deadline, call id, official id or own text (text, else
summary) makes an item its own. Sessions of one "Sprachcafé", calls of one programme and news of
one headline with their own texts stay ok; a listing whose every item is the site's header (one
title, one text or none, no dates) is broken, and so is a "Read more" listing without texts.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from crawler import health
from crawler.types import EventInfo, FundingCall, HarvestedItem

DAY = datetime(2027, 3, 1, 17, 0, tzinfo=UTC)
CAFE = "Sprachcafé für Geflüchtete"
CALL = "Integration of third-country nationals"


def _item(n: int, title: str | None, **fields: object) -> HarvestedItem:
    return HarvestedItem(source_id="s", url=f"https://x.example/{n}", title=title, **fields)  # type: ignore[arg-type]


def _events(n: int) -> list[HarvestedItem]:
    return [_item(i, CAFE, event=EventInfo(start=DAY + timedelta(days=7 * i))) for i in range(n)]


def _calls(n: int) -> list[HarvestedItem]:
    return [
        _item(
            i, CALL, funding=FundingCall(call_id=f"AMIF-2027-{i}", deadlines=[DAY + timedelta(days=30 * i)])
        )
        for i in range(n)
    ]


RUNS = [
    # (name, items, same_title count, verdict)
    ("events on six days", _events(6), 1, None),
    ("one event listed six times", [_item(i, CAFE, event=EventInfo(start=DAY)) for i in range(6)], 6,
     "parse.same_titles"),
    ("calls with their ids and deadlines", _calls(6), 1, None),
    ("calls told apart by their id only",
     [_item(i, CALL, funding=FundingCall(call_id=f"C-{i}")) for i in range(6)], 1, None),
    ("calls told apart by their deadline only",
     [_item(i, CALL, deadline=DAY + timedelta(days=i)) for i in range(6)], 1, None),
    ("documents told apart by their official id", [_item(i, "Council Regulation", official_id=f"3202{i}R0001")
                                                   for i in range(6)], 1, None),
    ("news of one headline, own texts", [_item(i, "Press release", text=f"Text number {i} of the ministry.")
                                         for i in range(6)], 1, None),
    ("news of one headline, own summaries",
     [_item(i, "Press release", summary=f"Summary {i}.") for i in range(6)], 1, None),
    ("every item is the site's header",
     [_item(i, "Ministry of the Interior", text="Ministry of the Interior Home") for i in range(6)], 6,
     "parse.same_titles"),
    ("read-more anchors without text", [_item(i, "Read more") for i in range(6)], 6, "parse.same_titles"),
    ("header on four of six, one text", [_item(i, "City of Graz", summary="City of Graz") for i in range(4)]
     + [_item(i + 4, f"Article {i}", summary=f"Body {i}") for i in range(2)], 4, "parse.same_titles"),
    ("half of them the same: not more than half", [_item(i, "Newsletter") for i in range(3)]
     + [_item(i + 3, f"Article {i}") for i in range(3)], 3, None),
    ("no titles", [_item(i, None) for i in range(6)], 0, None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "items", "same", "verdict"), RUNS, ids=[r[0] for r in RUNS])
def test_items_told_apart_are_not_the_same_title(
    name: str, items: list[HarvestedItem], same: int, verdict: str | None
) -> None:
    keys = Counter(k for k in map(health.look_alike_key, items) if k)
    assert max(keys.values(), default=0) == same, name
    quality = {**dict.fromkeys(health.QUALITY_NAMES, 0), "items": len(items), "same_title": same}
    judged = health.judge_by_meaning("ok", None, {"quality": quality}, [])
    assert (judged.error_key, judged.holds_items) == (verdict, verdict is not None), name


def test_the_store_counts_the_look_alikes() -> None:
    """pipelines.store counts ``ewsi/quality/same_title`` with `look_alike_key`."""
    from scrapy.utils.test import get_crawler

    from pipelines.store import StorePipeline

    crawler = get_crawler()
    crawler.stats.open_spider()
    pipeline = StorePipeline(crawler)
    for item in [*_events(6), *_calls(3), _item(99, CAFE, event=EventInfo(start=DAY))]:
        pipeline._quality(item)
    assert crawler.stats.get_value("ewsi/quality/same_title") == 2  # the first session, listed twice
    assert crawler.stats.get_value("ewsi/quality/items") == 10
