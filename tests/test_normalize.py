"""pipelines.normalize: URLs, text hygiene, record cleaning and dates on real case values."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.sources import Source
from crawler.types import Attachment, HarvestedItem
from pipelines.normalize import NormalizePipeline, html_to_text

SHARED = Path(os.environ.get("EWSI_SHARED") or Path(__file__).resolve().parents[1] / ".." / "shared")


def make_source(**extra: Any) -> Source:
    fields: dict[str, Any] = {
        "id": "test-source",
        "name": "Test",
        "publisher": "Test",
        "kind": "feed",
        "urls": ["https://x.example.eu/feed.xml"],
    }
    fields.update(extra)
    return Source(**fields)


def run(items: list[HarvestedItem], source: Source, clock: datetime | None = None):
    """Normalise `items` through a pipeline built from a real Scrapy crawler; returns (items, stats)."""
    crawler = get_crawler(Spider)
    pipeline = NormalizePipeline.from_crawler(crawler)
    if clock is not None:
        pipeline.clock = lambda: clock
    spider = SimpleNamespace(source=source, crawler=crawler)
    out = [pipeline.process_item(item, spider) for item in items]
    return out, crawler.stats.get_stats()


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- case B18: NUL, lone surrogate, controls from a JSON API --------------------------------------

B18_JSON = r"""{"items": [
 {"id": "CALL-2025-017", "title": "Call for proposals: community sponsorship pilots\u0000",
  "summary": "Local partnerships may apply until 30 June 2025.\u0000\u0000 Budget: EUR 4 million.",
  "url": "https://funding.example.eu/calls/CALL-2025-017", "published": "2025-03-14T09:00:00Z"},
 {"id": "CALL-2025-018", "title": "Workshop on peer mentoring \ud83d results",
  "summary": "A broken pair above; a complete pair here: \ud83d\udc4d end.",
  "url": "https://funding.example.eu/calls/CALL-2025-018", "published": "2025-03-15T09:00:00Z"},
 {"id": "CALL-2025-019", "title": "Networking day for integration practitioners",
  "summary": "Vertical tab\u000b form feed\u000c escape\u001b end.",
  "url": "https://funding.example.eu/calls/CALL-2025-019", "published": "2025-03-16T09:00:00Z"}]}"""

B18_EXPECTED = {
    "CALL-2025-017": (
        "Call for proposals: community sponsorship pilots",
        "Local partnerships may apply until 30 June 2025. Budget: EUR 4 million.",
    ),
    "CALL-2025-018": (
        "Workshop on peer mentoring \ufffd results",
        "A broken pair above; a complete pair here: \U0001f44d end.",
    ),
    "CALL-2025-019": (
        "Networking day for integration practitioners",
        "Vertical tab form feed escape end.",
    ),
}


def b18_items(text: str) -> list[HarvestedItem]:
    return [
        HarvestedItem(
            source_id="b18-funding",
            url=rec["url"],
            title=rec["title"],
            summary=rec["summary"],
            official_id=rec["id"],
            published_raw=rec["published"],
            record=rec,
            date_method="api",
        )
        for rec in json.loads(text)["items"]
    ]


def check_b18(items: list[HarvestedItem], stats: dict[str, Any]) -> None:
    assert len(items) == 3
    for item in items:
        title, summary = B18_EXPECTED[item.official_id or ""]
        assert (item.title, item.summary) == (title, summary)
        assert "text_cleaned" in item.flags
        assert item.date_method == "api"
        # the raw record must be storable: no NUL, no lone surrogate, encodable as UTF-8
        raw = json.dumps(item.record, ensure_ascii=False)
        raw.encode("utf-8")
        assert "\x00" not in raw and "\\u0000" not in raw
    assert iso(items[0].published_at) == "2025-03-14T09:00:00Z"
    assert stats["ewsi/normalize/cleaned"] == 3


def test_b18_control_characters_and_surrogates() -> None:
    items, stats = run(b18_items(B18_JSON), make_source(languages=["en"]))
    check_b18(items, stats)
    assert items[1].record is not None
    assert items[1].record["summary"] == "A broken pair above; a complete pair here: \U0001f44d end."


def test_b18_case_files() -> None:
    path = SHARED / "cases" / "B18" / "api_response.json"
    if not path.exists():
        pytest.skip(f"../shared not found: {path}")
    expect = yaml.safe_load((path.parent / "expect.yaml").read_text(encoding="utf-8"))
    items, stats = run(b18_items(path.read_text(encoding="utf-8")), make_source())
    check_b18(items, stats)
    for want, item in zip(expect["expected"]["items"], items, strict=True):
        assert (item.official_id, item.title, item.summary) == (want["id"], want["title"], want["summary"])


# --- case B10: future dates, fixed clock ----------------------------------------------------------

B10_CLOCK = datetime(2025, 3, 20, 13, 0, tzinfo=UTC)
FUTURE = "date_in_future"
# fmt: off
B10 = [
    # guid, raw pubDate, expected published_at, date_method, flag
    ("evt-2025-07", "Mon, 14 Jul 2025 09:00:00 +0200", "2025-03-20T13:00:00Z", "fetch_time", FUTURE),
    ("news-2025-088", "Thu, 20 Mar 2031 10:00:00 +0100", "2025-03-20T13:00:00Z", "fetch_time", FUTURE),
    ("news-2025-089", "Thu, 20 Mar 2025 14:30:00 +0100", "2025-03-20T13:30:00Z", "feed", None),
    ("news-2025-087", "Wed, 19 Mar 2025 16:00:00 +0100", "2025-03-19T15:00:00Z", "feed", None),
]
# fmt: on


def test_b10_future_dates_use_fetch_time() -> None:
    items = [
        HarvestedItem(
            source_id="b10-platform",
            url=f"https://platform.example.org/n/{guid}",
            guid=guid,
            published_raw=raw,
        )
        for guid, raw, *_ in B10
    ]
    out, stats = run(items, make_source(), clock=B10_CLOCK)
    for item, (guid, raw, published, method, flag) in zip(out, B10, strict=True):
        assert item.guid == guid
        assert iso(item.published_at) == published
        assert item.date_method == method
        assert item.published_raw == raw  # the raw value is kept for the editor
        assert ("date_in_future" in item.flags) is (flag is not None)
        assert item.fetched_at == B10_CLOCK
    assert stats["ewsi/normalize/date_in_future"] == 2
    # review queue newest first: the item 30 minutes ahead heads it
    assert max(out, key=lambda i: i.published_at).guid == "news-2025-089"  # type: ignore[arg-type,return-value]


def test_b10_spider_set_fetched_at_wins_over_clock() -> None:
    item = HarvestedItem(
        source_id="s",
        url="https://x.eu/a",
        published_raw="Thu, 20 Mar 2031 10:00:00 +0100",
        fetched_at=datetime(2025, 3, 20, 14, 0),
    )  # naive: UTC
    (out,), _ = run([item], make_source(), clock=datetime(2030, 1, 1, tzinfo=UTC))
    assert iso(out.published_at) == "2025-03-20T14:00:00Z"


# --- case B04: localised dates in the source's time zone ------------------------------------------


def test_b04_localised_dates_through_the_pipeline() -> None:
    raw = {
        "meldung-2025-031": ("Do, 06 Mär 2025 09:30:00 +0100", "2025-03-06T08:30:00Z"),
        "meldung-2025-034": ("Mo, 10 Mär 2025 11:41:36", "2025-03-10T10:41:36Z"),
        "meldung-2025-036": ("jeu., 13 mars 2025 16:45:00 +0100", "2025-03-13T15:45:00Z"),
        "meldung-2025-040": ("Di, 1 Apr 2025 07:05:00 +0200", "2025-04-01T05:05:00Z"),
    }
    items = [
        HarvestedItem(
            source_id="b04-land", url=f"https://integration.example.de/meldungen/{g}", guid=g, published_raw=r
        )
        for g, (r, _) in raw.items()
    ]
    source = make_source(languages=["de", "fr"], country="DE", timezone="Europe/Berlin")
    out, _ = run(items, source, clock=datetime(2025, 4, 2, 12, 0, tzinfo=UTC))
    for item in out:
        assert iso(item.published_at) == raw[item.guid or ""][1]
        assert item.date_method == "feed"
        assert item.flags == []


def test_dates_implausible_unparsed_and_spider_set() -> None:
    clock = datetime(2025, 3, 20, 13, 0, tzinfo=UTC)
    old = HarvestedItem(source_id="s", url="https://x.eu/1", published_raw="0000-00-00", date_method="api")
    epoch = HarvestedItem(source_id="s", url="https://x.eu/2", published_raw="1970-01-01T00:00:00Z")
    naive = HarvestedItem(
        source_id="s",
        url="https://x.eu/3",
        published_at=datetime(2025, 3, 10, 11, 41),
        date_method="sitemap",
        updated_raw="Thu, 20 Mar 2031 10:00:00 +0100",
    )
    out, stats = run([old, epoch, naive], make_source(timezone="Europe/Berlin"), clock=clock)
    assert out[0].published_at is None and "date_unparsed" in out[0].flags
    assert out[1].published_at is None and "date_implausible" in out[1].flags
    assert out[1].date_method is None
    assert iso(out[2].published_at) == "2025-03-10T10:41:00Z"  # naive: read in Europe/Berlin
    assert out[2].date_method == "sitemap"
    assert out[2].updated_at is None and "updated_date_in_future" in out[2].flags
    assert stats["ewsi/normalize/date_unparsed"] == 1
    assert stats["ewsi/normalize/date_implausible"] == 1


def test_monthfirst_api_source() -> None:
    source = make_source(
        kind="api",
        api={"items": "items", "title": "title", "link": "url", "date_format": "monthfirst"},
    )
    item = HarvestedItem(source_id="s", url="https://x.eu/a", published_raw="03/09/2025")
    (out,), _ = run([item], source, clock=datetime(2025, 12, 1, tzinfo=UTC))
    assert iso(out.published_at) == "2025-03-09T00:00:00Z"


# --- text: entities (B03), HTML, truncation (T27) --------------------------------------------------


def test_b03_entities_and_nbsp() -> None:
    item = HarvestedItem(
        source_id="b03-observatory",
        url="https://observatory.example.eu/notes/2025-11",
        title="Member States&rsquo; reception capacity &ndash; 2025 review",
        summary="The review covers housing,&nbsp;schooling &amp; health&hellip;",
        author="  Observatory\u00a0&eacute;quipe ",
    )
    (out,), stats = run([item], make_source())
    assert out.title == "Member States’ reception capacity – 2025 review"
    assert out.summary == "The review covers housing, schooling & health…"
    assert out.author == "Observatory équipe"
    assert "ewsi/normalize/cleaned" not in stats
    assert out.flags == []


def test_html_in_titles_becomes_text() -> None:
    item = HarvestedItem(
        source_id="s",
        url="https://x.eu/a",
        title="<p><b>Welcome</b> week<script>alert('x')</script></p><p>for new&nbsp;residents</p>",
        summary="Line one<br>line two<!-- note --><style>p{}</style> &lt;em&gt; stays text",
    )
    (out,), _ = run([item], make_source())
    assert out.title == "Welcome week for new residents"
    assert out.summary == "Line one line two <em> stays text"
    assert html_to_text("Migration < 5% & growing") == "Migration < 5% & growing"


def test_t27_title_truncated_at_utf8_boundary() -> None:
    item = HarvestedItem(source_id="s", url="https://x.eu/a", title="é" * 1_000_000, summary="ü" * 20_000)
    (out,), stats = run([item], make_source())
    assert out.title == "é" * 500  # 2 bytes each: 1000 bytes
    assert len(out.summary.encode("utf-8")) == 10_000  # type: ignore[union-attr]
    assert {"title_truncated", "summary_truncated"} <= set(out.flags)
    assert stats["ewsi/normalize/title_truncated"] == 1
    odd = HarvestedItem(source_id="s", url="https://x.eu/b", title="a" + "€" * 400)  # 1 + 3*400 bytes
    (out,), _ = run([odd], make_source())
    assert out.title == "a" + "€" * 333 and "title_truncated" in out.flags


# --- record: T11 hostile JSON values, T26 NUL in metadata ------------------------------------------


def test_record_cleaned_recursively() -> None:
    huge = 10**5000  # 5,001 digits: str() raises ValueError in Python 3.11
    record = {
        "id": huge,
        "ok": 10**3999,
        "nan": float("nan"),
        "nested": {"a\x00key": ["x\x00y", {"deep": "\ud83d"}, huge, 1.5, True, None]},
    }
    item = HarvestedItem(source_id="s", url="https://x.eu/a", record=record)
    (out,), stats = run([item], make_source())
    rec = out.record
    assert rec is not None
    assert "id" not in rec and rec["ok"] == 10**3999 and rec["nan"] is None
    assert rec["nested"] == {"akey": ["xy", {"deep": "\ufffd"}, 1.5, True, None]}
    assert "record_value_dropped" in out.flags and "text_cleaned" in out.flags
    assert stats["ewsi/normalize/record_values_dropped"] == 3
    json.dumps(rec, allow_nan=False).encode("utf-8")


def test_record_long_string_capped() -> None:
    item = HarvestedItem(source_id="s", url="https://x.eu/a", record={"body": "x" * 300_000})
    (out,), stats = run([item], make_source())
    assert len(out.record["body"]) == 100_000  # type: ignore[index]
    assert stats["ewsi/normalize/record_strings_truncated"] == 1


# --- URLs --------------------------------------------------------------------------------------


def test_urls_and_attachments_cleaned() -> None:
    item = HarvestedItem(
        source_id="de-at-public-bodies",
        url=" https://WWW.Bundespolizei.de/Web/DE/m.html;jsessionid=51A2.2_cid324?utm_source=rss#top ",
        attachments=[
            Attachment(url="https://x.eu/doc.pdf?utm_medium=feed", title="<b>Plan</b> &amp; annex"),
            Attachment(url="mailto:office@x.eu"),
            Attachment(url="https://x.eu/doc.pdf"),  # same document again
            Attachment(url="javascript:void(0)"),
        ],
    )
    (out,), stats = run([item], make_source())
    assert out.url == "https://www.bundespolizei.de/Web/DE/m.html"
    assert out.canonical_url == "https://www.bundespolizei.de/Web/DE/m.html"
    assert [(a.url, a.title) for a in out.attachments] == [("https://x.eu/doc.pdf", "Plan & annex")]
    assert stats["ewsi/normalize/attachments_dropped"] == 3


@pytest.mark.parametrize("url", ["javascript:alert(1)", "/relative/path", "", "ftp://x.eu/a", "http://"])
def test_unusable_url_drops_the_item(url: str) -> None:
    crawler = get_crawler(Spider)
    pipeline = NormalizePipeline.from_crawler(crawler)
    spider = SimpleNamespace(source=make_source(), crawler=crawler)
    with pytest.raises(DropItem, match="invalid_url"):
        pipeline.process_item(HarvestedItem(source_id="s", url=url), spider)
    assert crawler.stats.get_value("ewsi/normalize/invalid_url") == 1


def test_other_items_pass_through_and_spider_is_optional() -> None:
    pipeline = NormalizePipeline(clock=lambda: datetime(2025, 1, 1, tzinfo=UTC))
    other = {"url": "javascript:x"}
    assert pipeline.process_item(other) is other
    item = HarvestedItem(source_id="s", url="https://x.eu/a", published_raw="2025-01-01")
    out = pipeline.process_item(item)
    assert iso(out.published_at) == "2025-01-01T00:00:00Z"  # no source: UTC


@pytest.mark.parametrize(
    ("raw", "upstream", "expected"),
    [
        # feedparser reads +2500 as 25 hours east; an offset beyond +14:00 is no date at all
        ("Thu, 04 Dec 2026 10:00:00 +2500", datetime(2026, 12, 3, 9, 0, tzinfo=UTC), None),
        ("Thu, 04 Dec 2026 10:00:00 +0200", datetime(2026, 12, 4, 8, 0, tzinfo=UTC), "2026-12-04T08:00:00Z"),
        (
            "2026-12-04T10:00:00Z[Europe/Athens]",
            datetime(2026, 12, 4, 10, 0, tzinfo=UTC),
            "2026-12-04T10:00:00Z",
        ),
    ],
)
def test_an_impossible_offset_is_no_date_whatever_the_parser_upstream_made(
    raw: str, upstream: datetime, expected: str | None
) -> None:
    clock = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    entry = HarvestedItem(source_id="s", url="https://x.eu/1", published_raw=raw, published_at=upstream)
    out, _stats = run([entry], make_source(timezone="Europe/Athens"), clock=clock)
    assert (iso(out[0].published_at) if out[0].published_at else None) == expected
    assert ("date_unparsed" in out[0].flags) == (expected is None)
