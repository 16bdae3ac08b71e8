"""An item's country (spiders.base.SourceSpider.new_item, crawler.urls.host_country).

Rule: the source's country, except that a source whose country is ``EU`` (EU-wide, or one that spans
countries) gives each item its page's country-code domain when that names a European country; a
source with a country of its own keeps it (the operator said so); ``.eu``, generic and vanity domains
(``.com``, ``.io``, ``.me``) name none.
"""

from __future__ import annotations

import pytest
from scrapy.http import XmlResponse

from crawler.urls import host_country
from tests.test_spiders import make_spider, run


@pytest.mark.parametrize(
    ("url", "country"),
    [
        ("https://www.rp.pl/spoleczenstwo/art1", "PL"),
        ("https://www.tagesanzeiger.ch/svp-parteitag", "CH"),
        ("https://www.bundeskanzleramt.gv.at/themen/integration.html", "AT"),
        ("https://www.gov.uk/government/news/x", "GB"),
        ("http://WWW.Seznamzpravy.CZ/clanek/1", "CZ"),
        ("https://www.aftonbladet.se./nyheter/1", "SE"),
        ("https://www.kathimerini.gr/society/1", "GR"),
        ("https://kyiv.example.ua/news", "UA"),
        ("https://home-affairs.ec.europa.eu/news/x", None),
        ("https://www.example.com/a", None),
        ("https://startup.io/post", None),
        ("https://blog.me/post", None),
        ("https://192.168.1.10/page", None),
        ("https://localhost/page", None),
        ("mailto:press@rp.pl", None),
        ("not a url", None),
        (None, None),
    ],
)
def test_host_country(url: str | None, country: str | None) -> None:
    assert host_country(url) == country


def _countries(source_country: str, links: list[str]) -> list[str | None]:
    items = "".join(f"<item><link>{u}</link><title>T{i}</title></item>" for i, u in enumerate(links))
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Media</title>'
        f"<link>https://media.example.eu/</link>{items}</channel></rss>"
    ).encode()
    url = "https://media.example.eu/feed.xml"
    spider = make_spider(id="media", kind="feed", urls=[url], languages=["en"], country=source_country)
    got, _ = run(spider, XmlResponse(url, body=body, headers={"Content-Type": "application/rss+xml"}))
    by_url = {item.url: item.country for item in got}
    return [by_url[u] for u in links]


def test_an_eu_wide_source_gives_each_item_its_page_country() -> None:
    links = ["https://www.rp.pl/a", "https://www.tagesanzeiger.ch/b", "https://news.example.com/c"]
    assert _countries("EU", links) == ["PL", "CH", "EU"]


def test_a_source_country_of_its_own_is_kept() -> None:
    links = ["https://www.bundeskanzleramt.gv.at/a", "https://www.example.de/b"]
    assert _countries("DE", links) == ["DE", "DE"]
