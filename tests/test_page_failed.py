"""A followed page that fails: the item is kept flagged ``page_<key>`` and the item page says the document
was not fetched, except where the link is no public document (SSRF refusal) or robots.txt forbids it:
then the item is dropped and counted (spiders.base.page_failed)."""

from __future__ import annotations

from typing import Any

import pytest
from desklab import add_item, add_source, editor_client
from scrapy import Request
from test_spiders import make_spider, stats
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError
from twisted.python.failure import Failure

from crawler.errors import BlockedAddress, BlockedScheme
from crawler.types import HarvestedItem


def _fail(spider: Any, url: str, exc: Exception) -> list[HarvestedItem]:
    item = HarvestedItem(source_id="page-src", url=url, title="Entry title", summary="From the feed.")
    request = Request(url, cb_kwargs={"item": item})
    failure = Failure(exc)
    failure.request = request  # type: ignore[attr-defined]
    return list(spider.page_failed(failure))


@pytest.mark.parametrize(
    ("url", "exc", "kept_flag", "dropped_stat"),
    [
        ("https://x.example.eu/a", DNSLookupError("x.example.eu"), "page_fetch.dns", None),
        ("https://x.example.eu/a", TimeoutError(), "page_fetch.timeout", None),
        ("https://x.example.eu/a", ConnectionRefusedError(), "page_fetch.connect", None),
        ("http://169.254.169.254/latest/meta-data", BlockedAddress("link-local"), None, "blocked_address"),
        ("http://[::1]/x", BlockedAddress("loopback"), None, "blocked_address"),
        ("http://10.0.0.1/intranet", BlockedAddress("private"), None, "blocked_address"),
        ("ftp://x.example.eu/a", BlockedScheme("ftp"), None, "blocked_scheme"),
    ],
)
def test_failed_page_keeps_or_drops_the_item(
    url: str, exc: Exception, kept_flag: str | None, dropped_stat: str | None
) -> None:
    spider = make_spider(id="page-src", kind="feed", urls=["https://x.example.eu/feed.xml"], follow=True)
    items = _fail(spider, url, exc)
    if kept_flag is None:
        assert items == []
        assert stats(spider)[f"ewsi/dropped/{dropped_stat}"] == 1
    else:
        (item,) = items
        assert kept_flag in item.flags
        assert not any(k.startswith("ewsi/dropped/") for k in stats(spider))


# (an item's flags, the error keys its page and its queue row name; None: no mark)
PAGE_FLAGS: list[tuple[list[str] | None, str | None]] = [
    (["page_fetch.dns"], "fetch.dns"),
    (["date_only", "page_fetch.http_404"], "fetch.http_404"),
    (["page_fetch.timeout", "text_cleaned", "page_fetch.too_large"], "fetch.timeout, fetch.too_large"),
    (["page_language"], None),  # no error key: not a failed page
    (["date_only"], None),
    ([], None),
    (None, None),
]


def _desk_with_item(app, Session, flags: list[str] | None) -> tuple[Any, int]:
    """An editor's client of the desk, and the id of its one pending item, flagged `flags`."""
    with Session() as s:
        add_source(s, "src-a")
        item_id = add_item(s, 1, flags=flags).id
        s.commit()
    return editor_client(app, Session), item_id


@pytest.mark.parametrize(("flags", "keys"), PAGE_FLAGS)
def test_item_page_says_the_document_was_not_fetched(
    app, Session, flags: list[str] | None, keys: str | None
) -> None:
    client, item_id = _desk_with_item(app, Session, flags)
    page = client.get(f"/items/{item_id}").text
    if keys is None:
        assert "not fetched" not in page
    else:
        assert f"not fetched ({keys})" in page and "check the link before approving" in page


@pytest.mark.parametrize(("flags", "keys"), PAGE_FLAGS)
def test_queue_row_marks_a_document_not_fetched(
    app, Session, flags: list[str] | None, keys: str | None
) -> None:
    from lxml import html

    client, item_id = _desk_with_item(app, Session, flags)
    page = html.fromstring(client.get("/queue").text)
    (row,) = page.xpath(f'//tr[.//input[@name="item" and starts-with(@value, "{item_id}:")]]')
    marks = row.xpath('.//*[contains(@class, "page-error")]')
    if keys is None:
        assert marks == [] and "not fetched" not in row.text_content()
    else:
        (mark,) = marks
        assert mark.text_content() == "not fetched"
        assert mark.get("title") == f"document not fetched ({keys}): check the link before approving"


# an item's flags -> what the desk names as the text missing (the extraction was stopped)
TEXT_MISSING_FLAGS: list[tuple[list[str], str | None]] = [
    (["extract.timeout", "extract.html_failed"], "extract.timeout"),
    (["extract.memory", "extract.html_failed"], "extract.memory"),
    (["extract.html_failed"], None),  # the page gave no text, its extraction was not stopped
    (["page_fetch.timeout", "extract.timeout"], None),  # not fetched says it already
]


@pytest.mark.parametrize(("flags", "keys"), TEXT_MISSING_FLAGS)
def test_item_page_and_queue_row_say_the_text_is_missing(
    app, Session, flags: list[str], keys: str | None
) -> None:
    from lxml import html

    client, item_id = _desk_with_item(app, Session, flags)
    page = client.get(f"/items/{item_id}").text
    queue = html.fromstring(client.get("/queue").text)
    (row,) = queue.xpath(f'//tr[.//input[@name="item" and starts-with(@value, "{item_id}:")]]')
    marks = row.xpath('.//*[contains(@class, "text-missing")]')
    if keys is None:
        assert "text missing" not in page and marks == []
    else:
        assert f"text missing ({keys})" in page and "check the link before approving" in page
        (mark,) = marks
        assert mark.text_content() == "text missing" and f"({keys})" in (mark.get("title") or "")
