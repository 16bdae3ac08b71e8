"""The desk shows an item without a title (flag ``title_missing``) as it shows its other quality flags
(crawler.web.templating, rule for quality flags): the item page says "title missing" in its meta list,
the item's queue row carries a "title missing" mark, both naming the flag; not when a title shows
(the harvested one, or an editor's, which settles it)."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import html

from crawler.web.templating import title_missing
from tests.desklab import add_item, add_source, editor_client

# (flags, harvested title, editor's title, marked "title missing"?, marked "not fetched"?)
ROWS: list[tuple[list[str] | None, str | None, str | None, bool, bool]] = [
    (["title_missing"], None, None, True, False),  # a listing stub whose link said "Read more"
    (["title_missing", "page_fetch.http_404"], None, None, True, True),  # its page failed too
    (["title_missing", "date_only"], "", None, True, False),
    (["title_missing"], None, "Language courses in Graz", False, False),  # an editor settled it
    (["title_missing"], "Language courses in Graz", None, False, False),  # a title shows after all
    (["title_from_link"], "Language courses in Graz", None, False, False),
    ([], None, None, False, False),  # untitled without the flag: only "(no title)"
    (None, "Language courses in Graz", None, False, False),
]


def _pages(app: Any, Session: Any, flags: list[str] | None, title: str | None, editor: str | None) -> Any:
    """(item page text, the item's queue row) of a desk with one pending item."""
    with Session() as s:
        add_source(s, "src-a")
        item_id = add_item(s, 1, flags=flags, title=title, editor_title=editor).id
        s.commit()
    client = editor_client(app, Session)
    page = html.fromstring(client.get(f"/items/{item_id}").text)
    queue = html.fromstring(client.get("/queue").text)
    (row,) = queue.xpath(f'//tr[.//input[@name="item" and starts-with(@value, "{item_id}:")]]')
    return page, row


@pytest.mark.parametrize(("flags", "title", "editor", "marked", "not_fetched"), ROWS)
def test_item_page_and_queue_row_say_the_title_is_missing(
    app: Any, Session: Any, flags: list[str] | None, title: str | None, editor: str | None, marked: bool,
    not_fetched: bool,
) -> None:  # fmt: skip
    page, row = _pages(app, Session, flags, title, editor)
    on_page = page.xpath('//dd[contains(@class, "title-missing")]')
    in_row = row.xpath('.//*[contains(@class, "title-missing")]')
    if marked:
        (dd,) = on_page
        assert dd.getprevious().text_content() == "Title"
        assert dd.text_content().startswith("title missing (title_missing): ")
        assert "set one under Edit before approving" in dd.text_content()
        (mark,) = in_row
        assert mark.text_content() == "title missing" and "(title_missing)" in mark.get("title")
        assert page.get_element_by_id("item-title").text_content() == "(no title)"
    else:
        assert on_page == [] and in_row == []
        assert "title missing" not in page.text_content() + row.text_content()
    assert ("not fetched" in row.text_content()) is not_fetched


@pytest.mark.parametrize(
    ("flags", "title", "missing"),
    [
        (["title_missing"], None, True),
        (["title_missing"], " \t", True),
        (["title_missing"], "A title", False),
        (["title_missing_later"], None, False),  # another flag, not a prefix match
        (("title_missing",), None, True),
        (None, None, False),
    ],
)
def test_title_missing_filter(flags: Any, title: str | None, missing: bool) -> None:
    assert title_missing(flags, title) is missing
