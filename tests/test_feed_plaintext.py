"""A feed entry's stored title and summary are plain text whatever the parser's path (strict or
loose; RSS, Atom, RDF, JSON Feed): markup and CDATA markers removed, entities decoded once,
whitespace collapsed, no text lost (spiders.feedcdata, pipelines.normalize). An entry without a
title takes its summary's first sentence, flagged ``title_from_text`` (pipelines.normalize), the
same for a JSON Feed item as for an RSS item.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from scrapy.http import TextResponse, XmlResponse

from crawler.types import TITLE_FROM_TEXT, HarvestedItem
from pipelines.document import ExtractedDocument
from pipelines.extract import apply_document
from pipelines.normalize import NormalizePipeline
from pipelines.titles import SUMMARY_TITLE_CHARS
from spiders.feedcdata import feed_html, repair_nested_cdata
from tests.test_spiders import make_spider, run

FEED = "https://news.example.eu/feed"
LONG = (
    "Die Landesregierung hat heute ein neues Programm zur Integration von Geflüchteten vorgestellt. "
    "Das Programm fördert Sprachkurse."
)


def _stored(items: list[HarvestedItem]) -> list[HarvestedItem]:
    pipeline = NormalizePipeline()
    return [pipeline.process_item(item) for item in items]


def _crawl(body: bytes, content_type: str = "application/rss+xml") -> list[HarvestedItem]:
    spider = make_spider(id="news", kind="feed", urls=[FEED], languages=["de"])
    cls = TextResponse if "json" in content_type else XmlResponse
    items, _ = run(spider, cls(FEED, body=body, headers={"Content-Type": content_type}))
    return _stored(items)


def _rss(description: str, title: str = "<title>T</title>") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        "<link>https://news.example.eu/</link><item><link>https://news.example.eu/a/1</link>"
        f"{title}<description>{description}</description></item>"
        "<item><link>https://news.example.eu/a/2</link><title>Zwei</title>"
        "<description>Zweite Meldung.</description></item></channel></rss>"
    ).encode()


def _atom(content: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>'
        "<id>urn:news</id><updated>2025-03-05T09:00:00Z</updated><entry><id>urn:a1</id><title>T</title>"
        '<link href="https://news.example.eu/a/1"/><updated>2025-03-05T09:00:00Z</updated>'
        f"{content}</entry></feed>"
    ).encode()


def _rdf(description: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://news.example.eu/"><title>News</title>'
        "<link>https://news.example.eu/</link><description>d</description></channel>"
        '<item rdf:about="https://news.example.eu/a/1"><title>T</title><link>https://news.example.eu/a/1</link>'
        f"<description>{description}</description></item></rdf:RDF>"
    ).encode()


SUMMARIES = [
    pytest.param(  # the report's shape: a section nested in the description's section
        _rss("<![CDATA[<p>Die Landesregierung &amp; Partner. </p><pre><![CDATA[x]]></pre><p>Ende</p>]]>"),
        "Die Landesregierung & Partner. x Ende",
        id="rss-nested",
    ),
    pytest.param(  # twice nested, at the start
        _rss("<![CDATA[<![CDATA[<p>Kurse <![CDATA[für]]> alle</p>]]>]]>"),
        "Kurse für alle",
        id="rss-double-nested",
    ),
    pytest.param(  # a section wrapped in a section with nothing else
        _rss("<![CDATA[<![CDATA[Sprachkurse]]>]]>"),
        "Sprachkurse",
        id="rss-double",
    ),
    pytest.param(  # two sections side by side are well-formed and both text
        _rss("<![CDATA[<p>Eins</p>]]><![CDATA[<p>Zwei</p>]]>"),
        "Eins Zwei",
        id="rss-adjacent",
    ),
    pytest.param(  # entities inside a section are decoded once: the text shows the entity's character
        _rss("<![CDATA[<p>Arbeit &amp; Teilhabe &lt;jetzt&gt; &#8211; mehr</p>]]>"),
        "Arbeit & Teilhabe <jetzt> – mehr",
        id="rss-entities-in-cdata",
    ),
    pytest.param(  # an escaped section (feedparser#440) with markup in the outer field
        _rss("&lt;p&gt;&lt;![CDATA[Kurse]]&gt; in Graz&lt;/p&gt;"),
        "Kurse in Graz",
        id="rss-escaped-cdata",
    ),
    pytest.param(  # comments, script and style never reach the text
        _rss(
            "<![CDATA[<p>Vor<!-- verborgen --> dem</p><script>alert(1)</script>"
            "<style>p{color:red}</style><p>Ende</p>]]>"
        ),
        "Vor dem Ende",
        id="rss-comment-script-style",
    ),
    pytest.param(
        _rdf("<![CDATA[<p>RDF <![CDATA[Kurse]]> heute</p>]]>"),
        "RDF Kurse heute",
        id="rdf-nested",
    ),
    pytest.param(
        _atom('<content type="html"><![CDATA[<p>Atom <![CDATA[Kurse]]> heute</p>]]></content>'),
        "Atom Kurse heute",
        id="atom-html-nested",
    ),
    pytest.param(
        _atom(
            '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Atom <b>xhtml</b></p>'
            "<p><![CDATA[<i>Kurse</i>]]></p></div></content>"
        ),
        "Atom xhtml <i>Kurse</i>",
        id="atom-xhtml-cdata",
    ),
]


@pytest.mark.parametrize(("body", "want"), SUMMARIES)
def test_summary_is_plain_text(body: bytes, want: str) -> None:
    items = _crawl(body)
    first = next(i for i in items if i.url.endswith("/a/1"))
    assert first.summary == want


def test_summary_of_an_unclosed_section_keeps_no_marker() -> None:
    """A section never closed: the loose parser reads what it can; no marker or tag is stored."""
    items = _crawl(_rss("<![CDATA[<p>Offen <b>bis</b> zum Ende</p>"))
    for item in items:
        for text in (item.title or "", item.summary or ""):
            assert "CDATA" not in text and "]]>" not in text and "<p>" not in text and "<b>" not in text


@pytest.mark.parametrize(
    ("value", "want"),
    [
        pytest.param(  # what the loose parser made of the report's nested sections
            "&lt;p&gt;Die Landesregierung. &lt;/p&gt;&lt;pre&gt;&lt;![CDATA[x</pre><p>Ende</p>]]&gt;",
            "Die Landesregierung. x Ende",
            id="loose-debris",
        ),
        pytest.param("<p>a <![CDATA[b]]> c</p>", "a b c", id="raw-marker"),
        pytest.param("<![CDATA[<b>Kurse</b>]]>", "Kurse", id="raw-section-of-markup"),
        pytest.param("Arbeit &amp; Teilhabe", "Arbeit & Teilhabe", id="no-marker-decoded-once"),
        pytest.param("Alter &amp;lt; 18", "Alter &lt; 18", id="no-marker-not-decoded-twice"),
        # debris: the section's HTML (``Kurse &amp; mehr``) escaped by the parser, read as HTML once
        pytest.param("&lt;![CDATA[Kurse &amp;amp; mehr]]&gt;", "Kurse & mehr", id="escaped-section"),
    ],
)
def test_feed_html_then_plain_line(value: str, want: str) -> None:
    from pipelines.normalize import plain_line

    assert plain_line(feed_html(value), 10_000)[0] == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("<a><![CDATA[x <![CDATA[y]]> z]]></a>", "<a><![CDATA[x y z]]></a>"),
        ("<a><![CDATA[x]]></a><b><![CDATA[y]]></b>", "<a><![CDATA[x]]></a><b><![CDATA[y]]></b>"),
        # an unclosed inner section: not balanced, left as written
        ("<a><![CDATA[x <![CDATA[y]]></a>", "<a><![CDATA[x <![CDATA[y]]></a>"),
        # a balance found only past the entry's end is no nesting
        (
            "<item><d><![CDATA[<![CDATA[ is how]]></d></item><item><d><![CDATA[y]]></d></item>",
            "<item><d><![CDATA[<![CDATA[ is how]]></d></item><item><d><![CDATA[y]]></d></item>",
        ),
        ("<a>" + "<![CDATA[" * 200 + "</a>", "<a>" + "<![CDATA[" * 200 + "</a>"),
    ],
)
def test_repair_nested_cdata(text: str, want: str) -> None:
    assert repair_nested_cdata(text) == want


def _json_feed(*items: dict[str, Any]) -> bytes:
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "News", "items": list(items)}
    ).encode()


SENTENCE = "Neue Beratungsstellen für Migrantinnen eröffnet. Sie beraten auf Deutsch und Arabisch."
LONG_WORDS = " ".join(["Sprachkurse"] * 20)


@pytest.mark.parametrize(
    ("fields", "want"),
    [
        pytest.param({"summary": SENTENCE}, "Neue Beratungsstellen für Migrantinnen eröffnet", id="summary"),
        pytest.param(
            {"content_text": SENTENCE}, "Neue Beratungsstellen für Migrantinnen eröffnet", id="content_text"
        ),
        pytest.param(
            {"content_html": f"<p>{SENTENCE}</p>"},
            "Neue Beratungsstellen für Migrantinnen eröffnet",
            id="content_html",
        ),
        pytest.param(
            {"summary": "Kurze Meldung", "content_html": f"<p>{SENTENCE}</p>"},
            "Kurze Meldung",
            id="summary-first",
        ),
        pytest.param(
            {"title": "", "summary": SENTENCE}, "Neue Beratungsstellen für Migrantinnen eröffnet", id="empty"
        ),
        pytest.param(
            {"title": " \n\t ", "summary": SENTENCE},
            "Neue Beratungsstellen für Migrantinnen eröffnet",
            id="blank",
        ),
        pytest.param(
            {"title": "<p> </p>", "summary": SENTENCE},
            "Neue Beratungsstellen für Migrantinnen eröffnet",
            id="tags-only",
        ),
        pytest.param({"content_text": LONG_WORDS}, None, id="long-cut"),
    ],
)
def test_json_feed_item_without_title(fields: dict[str, Any], want: str | None) -> None:
    item = {
        "id": "3",
        "url": "https://news.example.eu/a/3",
        "date_modified": "2025-03-07T08:00:00Z",
        **fields,
    }
    (stored,) = _crawl(_json_feed(item), "application/feed+json")
    assert stored.title
    assert TITLE_FROM_TEXT in stored.flags
    if want is None:
        assert stored.title.endswith("…") and len(stored.title) <= SUMMARY_TITLE_CHARS
        assert LONG_WORDS.startswith(stored.title[:-1].rstrip())
    else:
        assert stored.title == want


def test_json_feed_item_with_a_title_keeps_it() -> None:
    item = {"id": "1", "url": "https://news.example.eu/a/1", "title": "Kurse", "summary": SENTENCE}
    (stored,) = _crawl(_json_feed(item), "application/feed+json")
    assert stored.title == "Kurse"
    assert TITLE_FROM_TEXT not in stored.flags


def test_rss_and_json_feed_items_without_title_read_alike() -> None:
    """One rule for both: the summary's first sentence, flagged."""
    rss = next(i for i in _crawl(_rss(SENTENCE, title="")) if i.url.endswith("/a/1"))
    json_item = {"id": "1", "url": "https://news.example.eu/a/1", "summary": SENTENCE}
    (jsonfeed,) = _crawl(_json_feed(json_item), "application/feed+json")
    assert rss.title == jsonfeed.title == "Neue Beratungsstellen für Migrantinnen eröffnet"
    assert TITLE_FROM_TEXT in rss.flags and TITLE_FROM_TEXT in jsonfeed.flags


def test_item_without_title_or_summary_stays_untitled() -> None:
    item = {"id": "1", "url": "https://news.example.eu/a/1"}
    (stored,) = _crawl(_json_feed(item), "application/feed+json")
    assert stored.title is None
    assert TITLE_FROM_TEXT not in stored.flags


def test_atom_entry_without_title_or_summary_takes_its_content() -> None:
    """feedparser gives an entry's content as its summary when it has none: its first words."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>N</title>'
        '<id>urn:n</id><entry><id>urn:a</id><link href="https://news.example.eu/a/1"/>'
        f'<content type="html">&lt;p&gt;{SENTENCE}&lt;/p&gt;</content></entry></feed>'
    ).encode()
    (stored,) = _crawl(body, "application/atom+xml")
    assert stored.title == "Neue Beratungsstellen für Migrantinnen eröffnet"
    assert TITLE_FROM_TEXT in stored.flags


def test_followed_page_title_replaces_a_summary_title() -> None:
    """The summary's first sentence is provisional: the fetched page's own title wins."""
    json_item = {"id": "1", "url": "https://news.example.eu/a/1", "summary": SENTENCE}
    (stored,) = _crawl(_json_feed(json_item), "application/feed+json")
    apply_document(stored, ExtractedDocument(text="Text der Seite.", title="Beratung in Graz", method="html"))
    assert stored.title == "Beratung in Graz"
    assert TITLE_FROM_TEXT not in stored.flags
