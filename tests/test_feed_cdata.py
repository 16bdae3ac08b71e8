"""A CDATA section a feed escaped once too often (``&lt;![CDATA[...]]&gt;``, feedparser issue 440) is
the field's text, in the summary as in the title (spiders.feedcdata). Rule: a CDATA section inside an
HTML field keeps its content as text (markup in it escaped, never run); a plain-text field that
carries one reads as its content; other marked sections are dropped as before.
"""

from __future__ import annotations

import pytest
from scrapy.http import XmlResponse

from spiders.feedcdata import unwrap_cdata
from tests.test_spiders import make_spider, run

FEED = "https://news.example.eu/feed.xml"


def _item(title: str, description: str) -> tuple[str | None, str | None]:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        "<link>https://news.example.eu/</link><item><link>https://news.example.eu/a/1</link>"
        f"<title>{title}</title><description>{description}</description></item></channel></rss>"
    ).encode()
    spider = make_spider(id="news", kind="feed", urls=[FEED], languages=["en"])
    items, _ = run(spider, XmlResponse(FEED, body=body, headers={"Content-Type": "application/rss+xml"}))
    (item,) = items
    return item.title, item.summary


@pytest.mark.parametrize(
    ("title", "description", "want_title", "want_summary"),
    [
        (  # the whole summary escaped as a section (the report's shape)
            "Courses",
            "&lt;![CDATA[Local councils open language courses for refugees.]]&gt;",
            "Courses",
            "Local councils open language courses for refugees.",
        ),
        (  # a section inside escaped paragraph markup, keyword in lower case, German text
            "Kurse",
            "&lt;p&gt;&lt;![cdata[Sprachkurse für Geflüchtete in Graz]]&gt;&lt;/p&gt;",
            "Kurse",
            "<p>Sprachkurse für Geflüchtete in Graz</p>",
        ),
        (  # markup inside the section is text, shown as written
            "Tutorat",
            "&lt;![CDATA[Le tutorat &lt;commence&gt; en mai]]&gt; pour les jeunes",
            "Tutorat",
            "Le tutorat &lt;commence&gt; en mai pour les jeunes",
        ),
        (  # an escaped section in a plain-text title (Polish), summary without one
            "&lt;![CDATA[Kursy językowe dla uchodźców]]&gt;",
            "Gminy otwierają kursy.",
            "Kursy językowe dla uchodźców",
            "Gminy otwierają kursy.",
        ),
        (  # Word's conditional section is still dropped, the text around it kept
            "Plan",
            "Before &lt;![if gte mso 9]&gt;hidden&lt;![endif]&gt; after",
            "Plan",
            "Before hidden after",
        ),
    ],
)
def test_escaped_cdata_is_text(title: str, description: str, want_title: str, want_summary: str) -> None:
    assert _item(title, description) == (want_title, want_summary)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("<![CDATA[Accueil des réfugiés]]>", "Accueil des réfugiés"),
        ("A <![CDATA[b]]> c <![cdata[d]]>", "A b c d"),
        ("No section here", "No section here"),
        ("", ""),
        (None, None),
    ],
)
def test_unwrap_cdata(text: str | None, want: str | None) -> None:
    assert unwrap_cdata(text) == want
