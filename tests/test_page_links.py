"""Links a page yields (a listing's items, a page's PDF attachments): relative links resolve against
the page's <base href>, and only web URLs count, so script, mail, phone and data links never take an
item's place. Made-up pages, one kind of link per row."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.http import HtmlResponse

from spiders.attachments import attachment_links
from tests.test_spiders import make_spider, run

PAGE = "https://www.bmi.bund.de/DE/themen/migration/seite.html"


def html(head: str, body: str) -> HtmlResponse:
    return HtmlResponse(
        PAGE, body=f"<html><head>{head}</head><body>{body}</body></html>".encode(), encoding="utf-8"
    )


BASE = '<base href="https://www.bmi.bund.de/SharedDocs/downloads/">'


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        pytest.param(
            BASE,
            '<main><a href="plan.pdf">Aktionsplan</a></main>',
            [("https://www.bmi.bund.de/SharedDocs/downloads/plan.pdf", "Aktionsplan")],
            id="relative-to-base",
        ),
        pytest.param(
            BASE,
            '<main><a href="/abs/bericht.pdf">Bericht</a></main>',
            [("https://www.bmi.bund.de/abs/bericht.pdf", "Bericht")],
            id="root-relative-ignores-base-path",
        ),
        pytest.param(
            '<base href="../../Downloads/">',
            '<main><a href="plan.pdf">Plan</a></main>',
            [("https://www.bmi.bund.de/DE/Downloads/plan.pdf", "Plan")],
            id="relative-base",
        ),
        pytest.param(
            '<base href="https://cdn.example.net/files/">',
            '<main><a href="plan.pdf">Plan</a></main>',
            [],
            id="base-on-another-publisher-is-not-ours",
        ),
        pytest.param(
            "",
            '<main><a href="plan.pdf">Plan</a></main>',
            [("https://www.bmi.bund.de/DE/themen/migration/plan.pdf", "Plan")],
            id="no-base",
        ),
    ],
)
def test_attachment_links_follow_base_href(head: str, body: str, expected: list[Any]) -> None:
    assert attachment_links(html(head, body)) == expected


NOT_WEB = [
    "JavaScript:void(0)",
    " javascript:openDoc(1)",
    "MAILTO:integration@x.eu",
    "tel:+3222991111",
    "data:text/html,hallo",
    "ftp://x.eu/archiv/bericht.pdf",
    "#inhalt",
    "   ",
]


def test_listing_skips_links_that_are_no_web_urls_before_counting() -> None:
    junk = "".join(f'<li><a href="{href}">Link {i}</a></li>' for i, href in enumerate(NOT_WEB))
    body = (
        f"<html><head>{BASE}</head><body><ul>{junk}<li><a href='bericht.html'>Bericht</a></li>"
        "<li><a href='  /DE/plan.html  '>Plan</a></li><li><a href='/DE/drei.html'>Drei</a></li>"
        "</ul></body></html>"
    ).encode()
    spider = make_spider(
        id="links", kind="listing", urls=[PAGE], listing={"links": "ul a::attr(href)"}, max_items=2
    )
    items, _ = run(spider, HtmlResponse(PAGE, body=body, encoding="utf-8"))
    assert [(i.url, i.title) for i in items] == [
        ("https://www.bmi.bund.de/SharedDocs/downloads/bericht.html", "Bericht"),
        ("https://www.bmi.bund.de/DE/plan.html", "Plan"),
    ]
    assert spider.crawler.stats.get_value("ewsi/listing/links") == 3
