"""Spider templates on hand-made responses (no reactor): what each yields for a given body."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.sources import Source
from crawler.types import HarvestedItem
from spiders import TEMPLATES
from spiders.api import fill_template


def make_spider(**fields: Any) -> Any:
    source = Source(**{"name": "Test", "publisher": "Test", "schedule": "0 6 * * *", **fields})
    cls = TEMPLATES[source.kind]
    crawler = get_crawler(cls)
    spider = cls.from_crawler(crawler, source=source)
    crawler.stats.open_spider()
    return spider


def run(spider: Any, response: Response, **kwargs: Any) -> tuple[list[HarvestedItem], list[Request]]:
    response.request = Request(response.url)
    out = list(spider.parse(response, **kwargs) or [])
    return [o for o in out if isinstance(o, HarvestedItem)], [o for o in out if isinstance(o, Request)]


def stats(spider: Any) -> dict[str, Any]:
    return spider.crawler.stats.get_stats()


RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title><language>de</language>
<item><title>Zweite</title><link>https://x.de/2</link><guid isPermaLink="false">id-2</guid>
<pubDate>Wed, 05 Mar 2025 10:00:00 +0100</pubDate>
<enclosure url="https://x.de/2.pdf" type="application/pdf" length="1"/></item>
<item><title>Erste</title><link>/1</link><guid isPermaLink="false">id-1</guid>
<pubDate>Tue, 04 Mar 2025 10:00:00 +0100</pubDate></item>
<item><title>No link</title></item>
</channel></rss>"""


def test_feed_entries_newest_first_with_attachments_and_relative_links() -> None:
    spider = make_spider(id="f1", kind="feed", urls=["https://x.de/feed.xml"], languages=["de"], country="DE")
    items, requests = run(
        spider,
        XmlResponse("https://x.de/feed.xml", body=RSS, headers={"Content-Type": "application/rss+xml"}),
    )
    assert requests == []
    assert [(i.url, i.guid, i.title) for i in items] == [
        ("https://x.de/2", "id-2", "Zweite"),
        ("https://x.de/1", "id-1", "Erste"),
    ]
    first = items[0]
    assert (
        first.attachments[0].url == "https://x.de/2.pdf"
        and first.attachments[0].media_type == "application/pdf"
    )
    assert first.published_raw == "Wed, 05 Mar 2025 10:00:00 +0100" and first.date_method == "feed"
    assert first.declared_language == "de" and first.country == "DE" and first.declared_languages == ["de"]
    assert stats(spider)["ewsi/dropped/no_link"] == 1


def test_feed_max_items_and_follow() -> None:
    spider = make_spider(id="f2", kind="feed", urls=["https://x.de/feed.xml"], max_items=1, follow=True)
    items, requests = run(spider, XmlResponse("https://x.de/feed.xml", body=RSS))
    assert items == [] and [r.url for r in requests] == ["https://x.de/2"]
    assert requests[0].meta["download_maxsize"] == 64 * 1024 * 1024
    assert stats(spider)["ewsi/items/truncated"] == 1


def test_feed_garbage_is_parse_feed_malformed() -> None:
    spider = make_spider(id="f3", kind="feed", urls=["https://x.de/feed.xml"])
    items, _ = run(spider, XmlResponse("https://x.de/feed.xml", body=b"<rss><channel><item><title>a"))
    assert items == []
    assert stats(spider)["ewsi/errors/parse.feed_malformed"] == 1


LISTING = b"""<html><body><ul class="documents">
<li><a href="/doc/1.pdf">Checklist for <b>professionals</b></a></li>
<li><a href="https://other.eu/doc/2">Second</a></li>
<li><a href="#top">skip</a></li>
</ul><a class="next" href="?page=2">next</a></body></html>"""


def test_listing_links_keep_anchor_text_and_follow_next_page() -> None:
    spider = make_spider(
        id="l1",
        kind="listing",
        urls=["https://x.eu/list"],
        listing={"links": "ul.documents a::attr(href)", "next_page": "a.next::attr(href)", "max_pages": 2},
    )
    items, requests = run(spider, HtmlResponse("https://x.eu/list", body=LISTING, encoding="utf-8"))
    assert [(i.url, i.title) for i in items] == [
        ("https://x.eu/doc/1.pdf", "Checklist for professionals"),
        ("https://other.eu/doc/2", "Second"),
    ]
    assert all("title_from_link" in i.flags for i in items)
    assert [r.url for r in requests] == ["https://x.eu/list?page=2"]
    # the last allowed page does not ask for another
    _, more = run(spider, HtmlResponse("https://x.eu/list?page=2", body=LISTING, encoding="utf-8"), page=2)
    assert more == [] and stats(spider)["ewsi/listing/page_budget_reached"] == 1


def test_listing_xpath_selector() -> None:
    spider = make_spider(id="l2", kind="listing", urls=["https://x.eu/list"], listing={"links": "//ul/li/a"})
    items, _ = run(spider, HtmlResponse("https://x.eu/list", body=LISTING, encoding="utf-8"))
    assert [i.title for i in items] == ["Checklist for professionals", "Second"]


SITEMAP_INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://x.eu/s1.xml.gz</loc></sitemap><sitemap><loc>https://x.eu/index.xml</loc></sitemap>
</sitemapindex>"""
URLSET = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://x.eu/a</loc><lastmod>2025-03-04</lastmod></url><url><loc>https://x.eu/b</loc></url></urlset>"""


def test_sitemap_index_gzip_and_self_reference() -> None:
    spider = make_spider(id="s1", kind="sitemap", urls=["https://x.eu/index.xml"])
    _, requests = run(spider, XmlResponse("https://x.eu/index.xml", body=SITEMAP_INDEX))
    assert [r.url for r in requests] == ["https://x.eu/s1.xml.gz"]  # the index itself is not fetched again
    items, _ = run(spider, Response("https://x.eu/s1.xml.gz", body=gzip.compress(URLSET)))
    assert [(i.url, i.published_raw, i.updated_raw, i.date_method) for i in items] == [
        ("https://x.eu/a", "2025-03-04", "2025-03-04", "sitemap"),  # lastmod is a modification date
        ("https://x.eu/b", None, None, None),
    ]


API = {
    "data": {
        "records": [
            {"ref": "AMIF-2025-01", "t": {"en": "Call one"}, "date": "03/09/2025 14:59", "y": "2025", "n": 7},
            {"ref": "AMIF-2025-02", "t": {"en": "No year"}, "n": 8},
            "not a record",
        ]
    }
}


def test_api_records_with_link_template_and_official_id() -> None:
    spider = make_spider(
        id="a1",
        kind="api",
        urls=["https://api.eu/x"],
        timezone="Europe/Brussels",
        api={
            "items": "data.records",
            "title": "t.en",
            "published": "date",
            "id": "ref",
            "link_template": "https://x.eu/{y}/{n}_en",
        },
    )
    body = json.dumps(API).encode()
    items, _ = run(
        spider, TextResponse("https://api.eu/x", body=body, headers={"Content-Type": "application/json"})
    )
    assert [(i.url, i.title, i.official_id, i.published_raw) for i in items] == [
        ("https://x.eu/2025/7_en", "Call one", "AMIF-2025-01", "03/09/2025 14:59"),
    ]
    s = stats(spider)
    assert s["ewsi/dropped/no_link"] == 1 and s["ewsi/dropped/bad_record"] == 1


def test_api_invalid_and_deep_json() -> None:
    spider = make_spider(
        id="a2", kind="api", urls=["https://api.eu/x"], api={"items": "x", "title": "t", "link": "l"}
    )
    run(spider, TextResponse("https://api.eu/x", body=b"{not json"))
    run(spider, TextResponse("https://api.eu/x", body=b"[" * 100_000 + b"]" * 100_000))
    assert stats(spider)["ewsi/errors/parse.json_invalid"] == 1
    assert stats(spider)["ewsi/errors/parse.json_too_deep"] == 1  # its own reason (crawler.jsontext)


def test_fill_template_needs_every_field() -> None:
    assert fill_template("https://x.eu/{a}/{b.c}", {"a": 1, "b": {"c": "z"}}) == "https://x.eu/1/z"
    assert fill_template("https://x.eu/{a}/{missing}", {"a": 1}) is None


def _feed_with_link(link: str) -> bytes:
    return (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>Long</title><link>" + link.encode() + b"</link></item>"
        b"<item><title>Short</title><link>https://x.de/short</link></item></channel></rss>"
    )


@pytest.mark.parametrize(
    ("link_length", "follow", "limit", "followed", "kept", "too_long"),
    [
        (2084, True, None, ["https://x.de/short"], [], 1),  # one over Scrapy's 2083: dropped, counted
        (5000, True, None, ["https://x.de/short"], [], 1),
        (2083, True, None, ["LONG", "https://x.de/short"], [], 0),  # at the limit: followed
        (2084, False, None, [], ["LONG", "https://x.de/short"], 0),  # not followed: kept as the feed gives it
        (600, True, 500, ["https://x.de/short"], [], 1),  # URLLENGTH_LIMIT is the limit
        (5000, True, 0, ["LONG", "https://x.de/short"], [], 0),  # 0: no limit
    ],
)
def test_every_entry_link_not_followed_is_counted(
    link_length, follow, limit, followed, kept, too_long
) -> None:
    """Rule: an entry link too long to request (Scrapy's UrlLengthMiddleware would discard it with
    no word) is counted under ``dropped: url_too_long``, never lost without a reason."""
    long_link = "https://x.de/a?q=" + "x" * (link_length - len("https://x.de/a?q="))
    source = Source(
        name="Test",
        publisher="Test",
        schedule="0 6 * * *",
        id="long",
        kind="feed",
        urls=["https://x.de/f"],
        follow=follow,
    )
    settings = {} if limit is None else {"URLLENGTH_LIMIT": limit}
    crawler = get_crawler(TEMPLATES["feed"], settings)
    spider = TEMPLATES["feed"].from_crawler(crawler, source=source)
    crawler.stats.open_spider()
    items, requests = run(spider, XmlResponse("https://x.de/f", body=_feed_with_link(long_link)))
    named = {long_link: "LONG"}
    assert [named.get(r.url, r.url) for r in requests] == followed
    assert [named.get(i.url, i.url) for i in items] == kept
    assert stats(spider).get("ewsi/dropped/url_too_long", 0) == too_long


def test_a_too_long_attachment_or_detail_link_is_kept_flagged_not_lost() -> None:
    spider = make_spider(id="att", kind="feed", urls=["https://x.de/f"], follow=True, attachments=True)
    item = spider.new_item("https://x.de/1", title="t")
    long_pdf = "https://x.de/" + "p" * 2100 + ".pdf"
    out = list(spider.next_attachment(item, [(long_pdf, "Annex"), ("https://x.de/b.pdf", "Guide")]))
    assert [r.url for r in out] == ["https://x.de/b.pdf"]  # the next attachment is still fetched
    assert [(a.url, a.title, a.flags) for a in item.attachments] == [
        (long_pdf, "Annex", ["attachment_fetch.url_too_long"])
    ]
    assert stats(spider)["ewsi/attachment_errors/fetch.url_too_long"] == 1

    api = make_spider(
        id="det",
        kind="api",
        urls=["https://api.eu/x"],
        api={
            "items": "items",
            "title": "t",
            "link": "l",
            "detail": {"url": "https://api.eu/d/{id}", "text": "t"},
        },
    )
    record = {"id": "z" * 2100, "t": "T", "l": "https://x.eu/1"}
    api_item = api.new_item("https://x.eu/1", title="T")
    assert list(api.detail_request(api_item, record)) == [api_item]  # kept with its list fields
    assert api_item.flags == ["detail_fetch.url_too_long"]
    assert stats(api)["ewsi/page_errors/fetch.url_too_long"] == 1


def _feed_of(entries: int) -> bytes:
    items = "".join(
        f"<item><title>Integration news {i}</title><link>https://x.de/n/{i}</link>"
        f"<description>Refugee integration item {i}</description></item>"
        for i in range(entries)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    return f"{head}{items}</channel></rss>".encode()


# (entries in the feed, max_items, follow) -> entries left over the budget
BUDGET_CASES = [
    (7, 5, False, 2),
    (7, 5, True, 2),
    (5, 5, False, 0),
    (1, 3, False, 0),
    (30, 1, True, 29),
]


@pytest.mark.parametrize(("entries", "limit", "follow", "left"), BUDGET_CASES)
def test_entries_over_max_items_are_a_named_dropped_reason(entries, limit, follow, left, caplog) -> None:
    from crawler.health import build_report

    feed = "https://x.de/feed.xml"
    spider = make_spider(id="big", kind="feed", urls=[feed], max_items=limit, follow=follow)
    items, requests = run(spider, XmlResponse(feed, body=_feed_of(entries)))
    assert len(items) + len(requests) == entries - left
    assert stats(spider).get("ewsi/items/truncated", 0) == left
    assert stats(spider).get("ewsi/dropped/max_items", 0) == left
    report = build_report("big", stats(spider), spider.started_at, "finished")
    assert report.dropped == ({"max_items": left} if left else {})
    with caplog.at_level("WARNING", logger="spiders.base"):
        spider.closed("finished")
    lines = [r.getMessage() for r in caplog.records if r.name == "spiders.base"]
    expected = [f"[big] dropped (max_items): {left} entries over the limit of max_items {limit}"]
    assert lines == (expected if left else [])
