"""Markup escaped twice in a title is read once more; a title that shows a "<" as text keeps it.

Rule under test (pipelines.normalize `plain_title`, used for item and attachment titles, a followed
page's title in pipelines.extract and the preview of `ewsi sources add`): a title that, decoded once,
is still markup (a complete tag of a known HTML element, a known character reference) is decoded and
stripped again; ``age < 18``, ``x<y``, ``AT&T`` stay. Through the whole path: feed bytes ->
feedparser -> the normalise stage.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.http import XmlResponse

from crawler.types import Attachment, HarvestedItem
from pipelines.document import ExtractedDocument
from pipelines.extract import apply_document
from pipelines.normalize import TITLE_MAX_BYTES, is_markup, plain_title
from tests.test_normalize import make_source
from tests.test_normalize import run as normalize
from tests.test_spiders import make_spider, run

# title as written in the feed's XML -> title stored
FEED_TITLES = {
    "double-escaped-tags": ("&amp;lt;b&amp;gt;Visa&amp;lt;/b&amp;gt; rules", "Visa rules"),
    "double-escaped-in-cdata": ("<![CDATA[&lt;b&gt;Visa&lt;/b&gt; rules]]>", "Visa rules"),
    "double-escaped-link": (
        "Guide &amp;lt;a href=&amp;quot;/x&amp;quot;&amp;gt;for newcomers&amp;lt;/a&amp;gt;",
        "Guide for newcomers",
    ),
    "double-escaped-entity": ("Jobs &amp;amp;amp; training", "Jobs & training"),
    "double-escaped-quote": ("Minister&amp;#8217;s visit", "Minister\u2019s visit"),
    "triple-escaped": ("&amp;amp;lt;em&amp;amp;gt;Asylum&amp;amp;lt;/em&amp;amp;gt; law", "Asylum law"),
    "once-escaped-tags": ("&lt;b&gt;Visa&lt;/b&gt; rules", "Visa rules"),
    "age-less-than": ("Support for pupils age &lt; 18", "Support for pupils age < 18"),
    "age-less-than-double": ("Support for pupils age &amp;lt; 18", "Support for pupils age < 18"),
    "less-than-no-space": ("Scores x&lt;y compared", "Scores x<y compared"),
    "less-or-equal": ("Grants for 5 &lt;= n &lt; 10 staff", "Grants for 5 <= n < 10 staff"),
    "unknown-tag-word": ("Quota &lt;refugees&gt; debate", "Quota <refugees> debate"),
    "office-tag-double": ("Report&amp;lt;o:p&amp;gt;&amp;lt;/o:p&amp;gt; 2025", "Report 2025"),
    "comment-double": ("Call &amp;lt;!-- draft --&amp;gt;open", "Call open"),
    "ampersand-brand": ("AT&amp;T sponsors language classes", "AT&T sponsors language classes"),
    "plain": ("Welcome centre opens", "Welcome centre opens"),
}


def _feed(title: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://e.eu/</link><item><title>{title}</title><link>https://e.eu/a/1</link>"
        "<pubDate>Mon, 10 Mar 2025 09:00:00 +0100</pubDate></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(("written", "stored"), FEED_TITLES.values(), ids=FEED_TITLES.keys())
def test_feed_title_is_stored_as_text(written: str, stored: str) -> None:
    spider = make_spider(id="titles", kind="feed", urls=["https://e.eu/feed"], languages=["en"])
    items, _ = run(spider, XmlResponse("https://e.eu/feed", body=_feed(written)))
    assert len(items) == 1
    (item,), _stats = normalize(items, make_source(id="titles"))
    assert item.title == stored


# text after one decoding -> is it markup?
MARKUP = {
    "<b>Visa</b>": True,
    "</em>": True,
    '<a href="/x">x</a>': True,
    "<br/>": True,
    "Jobs &amp; training": True,
    "&#8217;": True,
    "&#x2019;": True,
    "age < 18": False,
    "x<y": False,
    "5 <= n < 10": False,
    "<refugees>": False,
    "AT&T": False,
    "R&D; budget": False,
    "&notanentity;": False,
    "<o:p></o:p>": True,
    "<!-- x -->": True,
}


@pytest.mark.parametrize(("text", "expected"), MARKUP.items(), ids=list(MARKUP))
def test_what_counts_as_markup(text: str, expected: bool) -> None:
    assert is_markup(text) is expected


def test_attachment_titles_follow_the_same_rule() -> None:
    item = HarvestedItem(
        source_id="titles",
        url="https://e.eu/a/1",
        title="&lt;i&gt;Action plan&lt;/i&gt;",
        attachments=[Attachment(url="https://e.eu/a.pdf", title="&lt;b&gt;Plan&lt;/b&gt; (PDF)")],
        fetched_at=datetime(2025, 3, 10, tzinfo=UTC),
    )
    (out,), _ = normalize([item], make_source(id="titles"))
    assert out.title == "Action plan"
    assert [a.title for a in out.attachments] == ["Plan (PDF)"]


@pytest.mark.parametrize(
    ("page_title", "stored"),
    [
        ("&lt;b&gt;Visa&lt;/b&gt; rules", "Visa rules"),
        ("<b>Visa</b> rules", "Visa rules"),
        ("Pupils age < 18", "Pupils age < 18"),
        ("Fish & chips evening", "Fish & chips evening"),
    ],
)
def test_a_page_title_taken_by_the_item_follows_the_rule(page_title: str, stored: str) -> None:
    item = HarvestedItem(source_id="titles", url="https://e.eu/a/1", title=None)
    apply_document(item, ExtractedDocument(text="Body.", title=page_title, method="html"))
    assert item.title == stored
    assert plain_title(page_title, TITLE_MAX_BYTES)[0] == stored
