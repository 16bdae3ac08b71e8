"""The hosts a sitemap may name (spiders.sitemap `same_site`, sitemaps.org "Sitemap file location").

Rule under test: an entry (``<url>``) or a child sitemap (``<sitemap>`` of an index) on another site
than the sitemap that lists it is dropped, counted ``ewsi/dropped/off_host`` and never requested.
A site is its host name (case, final dot and IDN form ignored) without one leading ``www.``, and its
port unless it is the scheme's default; http and https on default ports are one site.
"""

from __future__ import annotations

import pytest

from spiders.sitemap import same_site
from tests.test_sitemap_robust import _crawl, _index, _urlset
from tests.test_spiders import stats

SM = "http://example.org/sitemap.xml"


@pytest.mark.parametrize(
    ("sitemap", "url", "same"),
    [
        (SM, "http://example.org/a.html", True),
        (SM, "http://EXAMPLE.org./a.html", True),  # case and final dot
        (SM, "http://example.org:80/a.html", True),  # the scheme's default port written out
        (SM, "https://example.org/a.html", True),  # http -> https, default ports
        ("https://example.org/sm.xml", "http://example.org/a.html", True),
        (SM, "http://www.example.org/a.html", True),  # www. and the bare host: one site
        ("http://www.example.org/sm.xml", "http://example.org/a.html", True),
        ("http://www.example.org/sm.xml", "https://www.example.org/a", True),
        (SM, "http://news.example.org/a.html", False),  # a subdomain is another site
        (SM, "http://www.news.example.org/a.html", False),
        ("http://news.example.org/sm.xml", "http://example.org/a.html", False),
        (SM, "http://example.org.evil.test/a.html", False),
        (SM, "http://evil.example.invalid/b09/x.html", False),
        (SM, "http://example.org:8080/a.html", False),  # another port
        ("http://example.org:8080/sm.xml", "http://example.org/a.html", False),
        ("http://example.org:8080/sm.xml", "http://example.org:8080/a.html", True),
        ("http://127.0.0.1:18731/sm.xml", "http://127.0.0.1:18733/a.html", False),
        ("http://127.0.0.1:18731/sm.xml", "http://localhost:18731/a.html", False),
        (SM, "https://example.org:443/a.html", True),
        (SM, "https://example.org:80/a.html", False),  # https on port 80 is not the default port
        (SM, "ftp://example.org/a.html", False),
        (SM, "http://example.org:99999/a.html", False),  # no such port
        (SM, "http:///a.html", False),
        ("http://bücher.example/sm.xml", "http://xn--bcher-kva.example/a.html", True),  # IDN forms
        ("http://www.www.example.org/sm.xml", "http://example.org/a.html", False),  # one www. only
    ],
)
def test_same_site(sitemap: str, url: str, same: bool) -> None:
    assert same_site(sitemap, url) is same


B09 = "http://127.0.0.1:18731"
GOV = "https://gov.example.eu"
WALKS = {
    # the B09 shape: entries on another host, port or subdomain among the sitemap's own
    "urlset": (
        f"{B09}/b09/sitemap.xml",
        {
            f"{B09}/b09/sitemap.xml": _urlset(
                f"{B09}/b09/p1.html",
                "http://evil.example.invalid/b09/x.html",
                f"  {B09}/b09/p2.html  ",
                "/b09/p3.html",
                "http://127.0.0.1:18732/b09/other-port.html",
                "https://sub.127.0.0.1/x",
            )
        },
        [f"{B09}/b09/sitemap.xml"],
        [f"{B09}/b09/p1.html", f"{B09}/b09/p2.html", f"{B09}/b09/p3.html"],
        3,
    ),
    # an index names only its own site's sitemaps; each child only its own site's pages
    "index": (
        f"{GOV}/index.xml",
        {
            f"{GOV}/index.xml": _index(
                f"{GOV}/sm1.xml",
                "https://attacker.example/sm.xml",
                "https://www.gov.example.eu/sm2.xml",
                "https://data.gov.example.eu/sm3.xml",
            ),
            f"{GOV}/sm1.xml": _urlset(f"{GOV}/n/1", "https://attacker.example/n/2"),
            "https://www.gov.example.eu/sm2.xml": _urlset(f"{GOV}/n/3", "https://www.gov.example.eu/n/4"),
            "https://attacker.example/sm.xml": _urlset("https://attacker.example/n/9"),
        },
        [f"{GOV}/index.xml", f"{GOV}/sm1.xml", "https://www.gov.example.eu/sm2.xml"],
        [f"{GOV}/n/1", f"{GOV}/n/3", "https://www.gov.example.eu/n/4"],
        3,
    ),
}


@pytest.mark.parametrize("case", sorted(WALKS))
def test_off_host_entries_are_dropped_and_counted(case: str) -> None:
    start, site, fetched_expected, items_expected, dropped = WALKS[case]
    spider, items, fetched = _crawl(start, site)
    assert fetched == fetched_expected
    assert sorted(items) == sorted(items_expected)
    assert stats(spider).get("ewsi/dropped/off_host") == dropped


def test_max_items_counts_only_own_site_entries() -> None:
    """Off-host entries are dropped before `max_items`: they never take an own entry's place."""
    from scrapy import Request
    from scrapy.http import XmlResponse

    from crawler.types import HarvestedItem
    from tests.test_spiders import make_spider

    base = "https://gov.example.eu"
    body = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://spam.example/new</loc><lastmod>2026-12-01</lastmod></url>"
        f"<url><loc>{base}/old</loc><lastmod>2026-01-01</lastmod></url>"
        f"<url><loc>{base}/older</loc><lastmod>2025-01-01</lastmod></url>"
        "</urlset>"
    ).encode()
    spider = make_spider(id="sm", kind="sitemap", urls=[f"{base}/sm.xml"], languages=["en"], max_items=1)
    request = Request(f"{base}/sm.xml")
    response = XmlResponse(request.url, body=body, request=request)
    items = [o.url for o in spider.parse(response) or [] if isinstance(o, HarvestedItem)]
    assert items == [f"{base}/old"]
    assert stats(spider).get("ewsi/dropped/off_host") == 1
