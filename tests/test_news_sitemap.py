"""Google News sitemaps (fedeya/remix-sitemap#70, oxffaa/gopher-parse-sitemap#2).

Rules under test (spiders.sitemapdoc, spiders.sitemap.SitemapSpider.entry_item): a
``<news:publication_date>`` (read by its namespace, whatever the prefix; any W3C datetime form) is the
publication date and outranks ``<lastmod>`` (``date_method = "sitemap_news"``), and ``<lastmod>`` stays
the modification date; without it ``<lastmod>`` dates the item provisionally as before
(``date_method = "sitemap"``). ``<news:title>`` is the title until the page gives its own, and
``<news:language>`` the declared language. ``image:`` and ``video:`` extensions change nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from scrapy.http import XmlResponse

from crawler.types import HarvestedItem
from pipelines.dates import parse_with_precision
from pipelines.document import ExtractedDocument
from pipelines.extract import apply_document
from spiders.sitemapdoc import parse_sitemap
from tests.test_spiders import make_spider, run

NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
IMAGE = "http://www.google.com/schemas/sitemap-image/1.1"
VIDEO = "http://www.google.com/schemas/sitemap-video/1.1"
BERLIN = ZoneInfo("Europe/Berlin")
LOC = "https://gov.example.eu/aktuelles/a"


def _sitemap(
    news: str, *, prefix: str = "news", lastmod: str | None = "2025-03-09T12:00+01:00", extra: str = ""
) -> bytes:
    stamp = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:{prefix}="{NEWS}" xmlns:image="{IMAGE}" xmlns:video="{VIDEO}">'
        f"<url><loc>{LOC}</loc>{stamp}{extra}{news}</url></urlset>"
    ).encode()


def _news(published: str | None, p: str = "news", title: str = "Sprachkurse werden ausgebaut") -> str:
    date = f"<{p}:publication_date>{published}</{p}:publication_date>" if published else ""
    return (
        f"<{p}:news><{p}:publication><{p}:name>Ministerium</{p}:name><{p}:language>de</{p}:language>"
        f"</{p}:publication>{date}<{p}:title>{title}</{p}:title></{p}:news>"
    )


def _item(body: bytes) -> HarvestedItem:
    spider = make_spider(id="sm", kind="sitemap", urls=["https://gov.example.eu/news.xml"], languages=["de"])
    items, _ = run(spider, XmlResponse("https://gov.example.eu/news.xml", body=body))
    assert len(items) == 1
    return items[0]


FORMS = {
    "seconds-offset": ("2025-03-04T10:30:00+01:00", datetime(2025, 3, 4, 9, 30, tzinfo=UTC), "time"),
    "minutes-offset": ("2025-03-04T10:30+01:00", datetime(2025, 3, 4, 9, 30, tzinfo=UTC), "time"),
    "fraction-offset": (
        "2025-03-04T10:30:00.5+01:00",
        datetime(2025, 3, 4, 9, 30, 0, 500000, tzinfo=UTC),
        "time",
    ),
    "utc-z": ("2025-03-04T09:30:00Z", datetime(2025, 3, 4, 9, 30, tzinfo=UTC), "time"),
    "no-offset": ("2025-03-04T10:30:00", datetime(2025, 3, 4, 9, 30, tzinfo=UTC), "time"),  # source zone
    "date-only": ("2025-03-04", datetime(2025, 3, 4, tzinfo=UTC), "day"),
    "padded": ("\n  2025-03-04T10:30:00+01:00 \n", datetime(2025, 3, 4, 9, 30, tzinfo=UTC), "time"),
}


@pytest.mark.parametrize("name", FORMS)
@pytest.mark.parametrize("prefix", ["news", "n", "gn"])
def test_publication_date_outranks_lastmod(name: str, prefix: str) -> None:
    raw, expected, precision = FORMS[name]
    item = _item(_sitemap(_news(raw, prefix), prefix=prefix))
    assert item.date_method == "sitemap_news"
    assert item.published_raw == raw.strip()
    assert item.updated_raw == "2025-03-09T12:00+01:00"
    published, got_precision = parse_with_precision(item.published_raw, BERLIN)
    assert published == expected and got_precision == precision
    assert item.title == "Sprachkurse werden ausgebaut" and "title_from_sitemap" in item.flags
    assert item.declared_language == "de"
    assert item.record["news_published"] == raw.strip()


@pytest.mark.parametrize(
    ("news", "lastmod", "method", "raw"),
    [
        (_news(None), "2025-03-09T12:00+01:00", "sitemap", "2025-03-09T12:00+01:00"),
        ("", "2025-03-09", "sitemap", "2025-03-09"),
        (_news(None), None, None, None),
        (_news(""), "2025-03-09", "sitemap", "2025-03-09"),
    ],
)
def test_without_publication_date_lastmod_stays_provisional(
    news: str, lastmod: str | None, method: str | None, raw: str | None
) -> None:
    item = _item(_sitemap(news, lastmod=lastmod))
    assert (item.date_method, item.published_raw, item.updated_raw) == (method, raw, lastmod)


def test_another_namespace_named_news_is_not_read() -> None:
    body = _sitemap(
        "", extra='<x:news xmlns:x="urn:other"><x:publication_date>2020-01-01</x:publication_date></x:news>'
    )
    item = _item(body)
    assert item.date_method == "sitemap" and item.published_raw == "2025-03-09T12:00+01:00"
    assert item.title is None


def test_image_and_video_extensions_change_nothing() -> None:
    extra = (
        "<image:image><image:loc>https://gov.example.eu/i.jpg</image:loc><image:title>Foto</image:title></image:image>"
        "<video:video><video:thumbnail_loc>https://gov.example.eu/t.jpg</video:thumbnail_loc>"
        "<video:title>Clip</video:title><video:publication_date>2020-01-01T00:00:00+00:00</video:publication_date>"
        "</video:video>"
    )
    doc = parse_sitemap(_sitemap(_news("2025-03-04T10:30:00+01:00"), extra=extra))
    assert doc.entries == [
        {
            "loc": LOC,
            "lastmod": "2025-03-09T12:00+01:00",
            "news_language": "de",
            "news_published": "2025-03-04T10:30:00+01:00",
            "news_title": "Sprachkurse werden ausgebaut",
        }
    ]
    assert _item(_sitemap("", extra=extra)).date_method == "sitemap"


def _dated(item: HarvestedItem) -> HarvestedItem:
    published, _ = parse_with_precision(item.published_raw, BERLIN)
    item.published_at = published
    return item


def test_a_page_date_does_not_replace_the_news_date_of_another_day() -> None:
    item = _dated(_item(_sitemap(_news("2025-03-04T10:30:00+01:00"))))
    apply_document(item, ExtractedDocument(text="Text", method="html", published="2025-03-09"))
    assert item.published_at == datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    assert item.date_method == "sitemap_news"


def test_a_news_day_takes_the_page_time_of_that_day() -> None:
    item = _dated(_item(_sitemap(_news("2025-03-04"))))
    item.flags.append("date_only")
    apply_document(item, ExtractedDocument(text="Text", method="html", published="2025-03-04T10:30:00+01:00"))
    assert item.published_at == datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    assert item.date_method == "page"


@pytest.mark.parametrize(
    ("page_title", "expected"),
    [
        ("Sprachkurse für Geflüchtete werden ausgebaut", "Sprachkurse für Geflüchtete werden ausgebaut"),
        (None, "Sprachkurse werden ausgebaut"),
    ],
)
def test_news_title_gives_way_to_the_page_title(page_title: str | None, expected: str) -> None:
    item = _item(_sitemap(_news("2025-03-04")))
    apply_document(item, ExtractedDocument(text="Text", method="html", title=page_title))
    assert item.title == expected
