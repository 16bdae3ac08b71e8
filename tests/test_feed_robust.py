"""Feeds nobody showed us (issue 12, classes 2, 3, 4, 14) on the feed spider without a reactor.

Rules under test (spiders.feed, spiders.entries, spiders.jsonfeed): one item per article whatever the
feed does with GUIDs and links; the entry's link is the alternate in the source's language, an
enclosure only when nothing else is there, never an image; JSON Feed, RSS 1.0 and Atom xhtml read like
RSS 2.0; an empty body or an HTML page is ``parse.not_a_feed``, a valid feed without entries is not
an error.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from crawler.health import build_report
from pipelines.dedup import item_identity
from tests.test_spiders import make_spider, run, stats

FEED_URL = "https://city.example.eu/news/rss"
RSS_HEAD = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>City</title>'
RSS_HEAD += "<link>https://city.example.eu/</link>"


def _rss(*items: str) -> bytes:
    return (RSS_HEAD + "".join(f"<item>{i}</item>" for i in items) + "</channel></rss>").encode()


def _spider(languages: list[str] | None = None) -> Any:
    return make_spider(id="robust", kind="feed", urls=[FEED_URL], languages=languages or ["en"])


def _parse(body: bytes, content_type: str = "application/rss+xml", languages: list[str] | None = None) -> Any:
    spider = _spider(languages)
    cls = XmlResponse if "xml" in content_type else HtmlResponse if "html" in content_type else TextResponse
    items, _ = run(spider, cls(FEED_URL, body=body, headers={"Content-Type": content_type}))
    for item in items:
        item.identity = item_identity(item)
    return spider, items


# --- class 2: identity --------------------------------------------------------------------------
def _article(n: int, guid: str | None, link: str | None, date: str | None = None) -> str:
    parts = [f"<title>Language course {n} for newcomers</title>"]
    if link is not None:
        parts.append(f"<link>{link}</link>")
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    parts.append(f"<pubDate>{date or f'Tue, 0{n} Mar 2025 09:00:00 +0100'}</pubDate>")
    return "".join(parts)


IDENTITY_CASES = {
    "same-guid-distinct-links": [_article(n, "same", f"https://city.example.eu/a/{n}") for n in (1, 2, 3)],
    "guid-is-feed-url": [_article(n, FEED_URL, f"https://city.example.eu/a/{n}") for n in (1, 2, 3)],
    "same-link-distinct-guids": [_article(n, f"g{n}", "https://city.example.eu/") for n in (1, 2, 3)],
    "same-link-no-guid": [_article(n, None, "https://city.example.eu/news") for n in (1, 2, 3)],
    "same-link-same-guid": [_article(n, "x", "https://city.example.eu/news") for n in (1, 2, 3)],
    "same-link-same-date-no-guid": [
        _article(n, None, "https://city.example.eu/news", "Tue, 04 Mar 2025 09:00:00 +0100")
        for n in (1, 2, 3)
    ],
    "no-link-guid-is-feed-url": [
        _article(n, FEED_URL, None)
        + f'<enclosure url="https://city.example.eu/f/{n}.pdf" type="application/pdf"/>'
        for n in (1, 2, 3)
    ],
    "link-is-channel-home": [_article(n, f"h{n}", "https://city.example.eu/") for n in (1, 2, 3)],
    "guid-is-feed-url-spelt-otherwise": [
        _article(n, "http://www.city.example.eu/news/rss/", f"https://city.example.eu/a/{n}")
        for n in (1, 2, 3)
    ],
}


@pytest.mark.parametrize("entries", IDENTITY_CASES.values(), ids=IDENTITY_CASES.keys())
def test_one_item_per_article_and_the_same_identities_on_every_run(entries: list[str]) -> None:
    body = _rss(*entries)
    spider, first = _parse(body)
    assert len(first) == 3
    assert len({i.identity for i in first}) == 3
    _, second = _parse(body)
    assert [i.identity for i in second] == [i.identity for i in first]
    guids = [i.record["id"] for i in first if i.record["id"]]
    if guids and (len(set(guids)) < len(guids) or any("news/rss" in g for g in guids)):
        assert stats(spider).get("ewsi/feed/guid_repeated") == 3
        assert all(i.guid is None for i in first)
        report = build_report("robust", stats(spider), spider.started_at, "finished")
        assert report.status == "ok" and (report.error or "").startswith("warning: 3 feed entries share")


def test_unique_guids_and_links_keep_the_url_identity() -> None:
    _, items = _parse(_rss(*(_article(n, f"g{n}", f"https://city.example.eu/a/{n}") for n in (1, 2))))
    assert [i.identity for i in items] == ["url:city.example.eu/a/2", "url:city.example.eu/a/1"]
    assert [i.guid for i in items] == ["g2", "g1"]


# --- class 3: which link is the entry -----------------------------------------------------------
ATOM_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>EU</title>'
    "<id>urn:eu</id><updated>2025-03-04T09:00:00Z</updated>"
)


def _atom_entry(links: str) -> bytes:
    return (
        ATOM_HEAD + "<entry><title>Integration fund call</title><id>urn:eu:1</id>"
        f"<updated>2025-03-04T09:00:00Z</updated>{links}</entry></feed>"
    ).encode()


ALTS = (
    '<link rel="alternate" hreflang="en" href="https://eu.example.eu/en/call"/>'
    '<link rel="alternate" hreflang="de" href="https://eu.example.eu/de/call"/>'
    '<link rel="alternate" hreflang="fr-BE" href="https://eu.example.eu/fr/call"/>'
)
LINK_CASES = [
    # (links, source languages, expected URL, expected attachment URLs, expected language versions)
    (ALTS, ["de"], "https://eu.example.eu/de/call", [], {"en", "fr-BE"}),
    (ALTS, ["fr"], "https://eu.example.eu/fr/call", [], {"en", "de"}),
    (ALTS, ["pl"], "https://eu.example.eu/en/call", [], {"de", "fr-BE"}),
    (ALTS, ["pl", "de"], "https://eu.example.eu/de/call", [], {"en", "fr-BE"}),
    (
        '<link rel="enclosure" type="image/jpeg" href="https://eu.example.eu/img/hero.jpg"/>'
        '<link rel="alternate" href="https://eu.example.eu/call"/>',
        ["en"], "https://eu.example.eu/call", ["https://eu.example.eu/img/hero.jpg"], set(),
    ),
    (
        '<link rel="alternate" type="image/png" href="https://eu.example.eu/img/logo.png"/>'
        '<link rel="enclosure" type="application/pdf" href="https://eu.example.eu/call.pdf"/>',
        ["en"], "https://eu.example.eu/call.pdf", ["https://eu.example.eu/img/logo.png"], set(),
    ),
    (
        '<link rel="enclosure" type="audio/mpeg" href="https://eu.example.eu/podcast/7.mp3"/>',
        ["en"], "https://eu.example.eu/podcast/7.mp3", [], set(),
    ),
    (
        '<link rel="related" href="https://eu.example.eu/faq"/><link href="https://eu.example.eu/call"/>'
        '<link rel="enclosure" type="application/pdf" href="https://eu.example.eu/call.pdf"/>',
        ["en"], "https://eu.example.eu/call",
        ["https://eu.example.eu/faq", "https://eu.example.eu/call.pdf"], set(),
    ),
    (
        '<link rel="alternate" href="https://eu.example.eu/photo.webp"/>'
        '<link rel="alternate" hreflang="it" href="https://eu.example.eu/it/call"/>',
        ["en"], "https://eu.example.eu/it/call", ["https://eu.example.eu/photo.webp"], set(),
    ),
    # the page a reader opens before other representations (node-feedparser#146, liferea#723, feedbin#747)
    (
        '<link rel="alternate" type="application/atom+xml" href="https://eu.example.eu/call.atom"/>'
        '<link rel="alternate" type="text/html" href="https://eu.example.eu/call"/>',
        ["en"], "https://eu.example.eu/call", [], set(),
    ),
    (
        '<link rel="alternate" type="application/nostr+json" href="nostr:naddr1qvzqqqr4gup"/>'
        '<link href="https://eu.example.eu/call"/>',
        ["en"], "https://eu.example.eu/call", [], set(),
    ),
    (
        '<link rel="alternate" type="application/json" hreflang="de" href="https://eu.example.eu/de/call.json"/>'
        '<link rel="alternate" type="text/html" hreflang="de" href="https://eu.example.eu/de/call"/>'
        '<link rel="alternate" type="text/html" hreflang="en" href="https://eu.example.eu/en/call"/>',
        ["de"], "https://eu.example.eu/de/call", [], {"en"},
    ),
    (
        '<link rel="self" type="application/atom+xml" href="https://eu.example.eu/entries/1.atom"/>'
        '<link rel="alternate" type="text/html" href="https://eu.example.eu/call"/>',
        ["en"], "https://eu.example.eu/call", [], set(),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("links", "languages", "url", "attachments", "versions"), LINK_CASES)
def test_the_entry_link_is_the_alternate_in_the_source_language(
    links: str, languages: list[str], url: str, attachments: list[str], versions: set[str]
) -> None:
    _, items = _parse(_atom_entry(links), "application/atom+xml", languages)
    assert len(items) == 1
    item = items[0]
    assert item.url == url
    assert [a.url for a in item.attachments] == attachments
    assert set((item.record or {}).get("language_versions", {})) == versions
    if url.split("/")[3] in ("de", "fr", "en", "it"):
        assert (item.declared_language or "").startswith(url.split("/")[3])
    assert not any(item.url.endswith(ext) for ext in (".jpg", ".png", ".webp"))


def test_rss_enclosure_only_entry_keeps_the_enclosure_as_its_document() -> None:
    entry = '<title>Podcast 7</title><guid isPermaLink="false">p7</guid>'
    entry += '<enclosure url="https://city.example.eu/p/7.mp3" type="audio/mpeg" length="1"/>'
    image = '<title>Photo</title><guid isPermaLink="false">p8</guid>'
    image += '<enclosure url="https://city.example.eu/p/8.jpg" type="image/jpeg" length="1"/>'
    _, items = _parse(_rss(entry, image))
    assert [i.url for i in items] == ["https://city.example.eu/p/7.mp3"]


# an entry without an alternate or an enclosure: its Media RSS document, its Atom out-of-line content,
# an http(s) GUID; never the urn: id feedparser copies into `link` (ssb-bot-feed#5, miniflux/v2#3557)
NO_ALTERNATE = {
    "media-content-pdf": (_rss('<title>Call</title><media:content url="https://city.example.eu/call.pdf" '
                               'type="application/pdf" medium="document"/>'), "https://city.example.eu/call.pdf"),
    "media-content-image-only": (_rss('<title>Photo</title><media:content '
                                      'url="https://city.example.eu/p.jpg" medium="image"/>'), None),
    "media-image-then-video": (_rss('<title>Clip</title><media:content url="https://city.example.eu/p.png"/>'
                                    '<media:content url="https://city.example.eu/v.mp4" type="video/mp4"/>'),
                               "https://city.example.eu/v.mp4"),
    "atom-content-src": (_atom_entry('<content type="application/pdf" src="https://eu.example.eu/call.pdf"/>'),
                         "https://eu.example.eu/call.pdf"),
    "atom-urn-id-only": (_atom_entry("<summary>No link at all</summary>"), None),
    "rss-url-guid": (_rss('<title>Call</title><guid>https://city.example.eu/calls/9</guid>'),
                     "https://city.example.eu/calls/9"),
    "rss-guid-is-the-feed": (_rss(f"<title>Call</title><guid>{FEED_URL}</guid>"), None),
}  # fmt: skip


@pytest.mark.parametrize(("body", "url"), NO_ALTERNATE.values(), ids=NO_ALTERNATE.keys())
def test_an_entry_without_alternate_link_takes_its_document_or_is_dropped(
    body: bytes, url: str | None
) -> None:
    kind = "application/atom+xml" if b"<feed" in body else "application/rss+xml"
    spider, items = _parse(body.replace(b"<rss ", b'<rss xmlns:media="http://search.yahoo.com/mrss/" '), kind)
    assert [i.url for i in items] == ([url] if url else [])
    assert stats(spider).get("ewsi/dropped/no_link") == (None if url else 1)


# --- class 4: formats ---------------------------------------------------------------------------
def _json_feed(version: str, **extra: Any) -> bytes:
    items = [
        {
            "id": "1",
            "url": "https://city.example.eu/n/1",
            "title": "Welcome desk for refugees opens",
            "content_html": "<p>The desk helps with <b>housing</b>.</p>",
            "date_published": "2025-03-04T09:00:00+01:00",
            "authors": [{"name": "Press office"}],
            "attachments": [{"url": "/docs/1.pdf", "mime_type": "application/pdf"}],
            "tags": ["housing"],
        },
        {
            "id": 2,
            "url": "/n/2",
            "title": "Second",
            "summary": "Jobs fair",
            "date_modified": "2025-03-05T10:00:00Z",
        },
        "not an item",
    ]
    return json.dumps(
        {"version": f"https://jsonfeed.org/version/{version}", "title": "City", "items": items, **extra}
    ).encode()


FORMAT_CASES = {
    "json-feed-1.1": (_json_feed("1.1", language="en-GB"), "application/feed+json"),
    "json-feed-1.0": (_json_feed("1"), "application/json"),
    "json-feed-as-text-plain-with-bom": (b"\xef\xbb\xbf" + _json_feed("1.1"), "text/plain"),
    "rss-1.0-rdf": (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b'<channel rdf:about="https://city.example.eu/"><title>City</title><link>https://city.example.eu/</link></channel>'
        b'<item rdf:about="https://city.example.eu/n/1"><title>Welcome desk for refugees opens</title>'
        b"<link>https://city.example.eu/n/1</link><description>The desk helps with housing.</description>"
        b"<dc:date>2025-03-04T09:00:00+01:00</dc:date></item>"
        b'<item rdf:about="https://city.example.eu/n/2"><title>Second</title><link>https://city.example.eu/n/2</link>'
        b"<dc:date>2025-03-05T10:00:00Z</dc:date></item></rdf:RDF>",
        "application/rdf+xml",
    ),
    "atom-xhtml": (
        (
            ATOM_HEAD + '<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            "Welcome desk for <em>refugees</em> opens</div></title>"
            "<id>urn:1</id><published>2025-03-04T08:00:00Z</published>"
            '<updated>2025-03-04T08:00:00Z</updated><link href="https://city.example.eu/n/1"/>'
            '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            "<p>The desk helps with <b>housing</b>.</p></div></content></entry>"
            "<entry><title>Second</title><id>urn:2</id><updated>2025-03-05T10:00:00Z</updated>"
            '<link href="https://city.example.eu/n/2"/></entry></feed>'
        ).encode(),
        "application/atom+xml",
    ),
    "rss-2.0-as-text-html": (
        _rss(
            "<title>Welcome desk for refugees opens</title><link>https://city.example.eu/n/1</link>"
            "<description>The desk helps with housing.</description>"
            "<pubDate>Tue, 04 Mar 2025 09:00:00 +0100</pubDate>",
            "<title>Second</title><link>https://city.example.eu/n/2</link>"
            "<pubDate>Wed, 05 Mar 2025 10:00:00 +0000</pubDate>",
        ),
        "text/html; charset=utf-8",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("body", "content_type"), FORMAT_CASES.values(), ids=FORMAT_CASES.keys())
def test_every_feed_format_gives_the_same_entries(body: bytes, content_type: str) -> None:
    spider, items = _parse(body, content_type)
    assert [i.url for i in items] == ["https://city.example.eu/n/2", "https://city.example.eu/n/1"]
    first = items[1]
    assert "Welcome desk for" in first.title and "opens" in first.title
    assert first.published_at is not None and first.published_at.isoformat() == "2025-03-04T08:00:00+00:00"
    assert "housing" in (first.summary or "")
    assert not stats(spider).get("ewsi/errors/parse.feed_malformed")
    assert not stats(spider).get("ewsi/errors/parse.not_a_feed")


def test_json_feed_fields_map_like_rss() -> None:
    _, items = _parse(_json_feed("1.1", language="en-GB"), "application/feed+json")
    first = items[1]
    assert (first.guid, first.author, first.declared_language) == ("1", "Press office", "en-GB")
    assert [a.url for a in first.attachments] == ["https://city.example.eu/docs/1.pdf"]
    assert first.record["tags"] == ["housing"]
    assert items[0].guid == "2"


# --- class 14: what is not a feed ---------------------------------------------------------------
NOT_FEEDS = {
    "empty": (b"", "application/rss+xml"),
    "whitespace": (b" \r\n\t ", "application/rss+xml"),
    "html-sign-in": (
        b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form method=post action=/login>"
        b"<input name=user><input type=password name=pw></form></body></html>",
        "text/html; charset=utf-8",
    ),
    "xhtml-maintenance": (
        b'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">'
        b"<head><title>Maintenance</title></head><body><p>Back soon.</p></body></html>",
        "application/xhtml+xml",
    ),
    "html-served-as-rss": (b"<html><body><h1>Forbidden</h1></body></html>", "application/rss+xml"),
    "json-not-a-feed": (b'{"error": "unauthorised"}', "application/json"),
    "plain-text": (b"Service temporarily unavailable", "text/plain"),
}  # fmt: skip


@pytest.mark.parametrize(("body", "content_type"), NOT_FEEDS.values(), ids=NOT_FEEDS.keys())
def test_what_is_not_a_feed_fails_the_run_as_not_a_feed(body: bytes, content_type: str) -> None:
    spider, items = _parse(body, content_type)
    assert items == []
    got = stats(spider)
    assert got.get("ewsi/errors/parse.not_a_feed") == 1
    report = build_report("robust", got, spider.started_at, "finished")
    assert (report.status, report.error_key) == ("failed", "parse.not_a_feed")


EMPTY_FEEDS = {
    "rss-2.0": _rss(),
    "atom": (ATOM_HEAD + "</feed>").encode(),
    "rss-1.0": b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://c.eu/"><title>C</title></channel></rdf:RDF>',
    "json-feed": json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "C", "items": []}
    ).encode(),
    "rss-0.92": b'<rss version="0.92"><channel><title>C</title><link>https://c.eu/</link></channel></rss>',
}


@pytest.mark.parametrize("body", EMPTY_FEEDS.values(), ids=EMPTY_FEEDS.keys())
def test_a_valid_feed_without_entries_is_a_healthy_run(body: bytes) -> None:
    spider, items = _parse(body)
    got = stats(spider)
    assert items == [] and got.get("ewsi/feed/empty") == 1
    report = build_report("robust", got, spider.started_at, "finished")
    assert (report.status, report.error_key) == ("ok", None)


# --- bytes before the root and the encodings a feed may come in ---------------------------------
_TWO = _rss(
    "<title>Welcome desk for réfugiés opens</title><link>https://city.example.eu/n/1</link>"
    "<pubDate>Tue, 04 Mar 2025 09:00:00 +0100</pubDate>",
    "<title>Second</title><link>https://city.example.eu/n/2</link>"
    "<pubDate>Wed, 05 Mar 2025 10:00:00 +0000</pubDate>",
)
_UTF16 = _TWO.replace(b'encoding="utf-8"', b'encoding="utf-16"').decode("utf-8")
_JSON = _json_feed("1.1").decode("utf-8")
_JSON_V = json.loads(_JSON)
LEADING = {
    # feedparser#508, feedjira#196: blank lines or spaces before <?xml (XML forbids them)
    "newlines-before-declaration": (b"\n\n" + _TWO, "application/rss+xml"),
    "spaces-tabs-before-declaration": (b"  \t\r\n" + _TWO, "text/xml"),
    "bom-then-newline": (b"\xef\xbb\xbf\n" + _TWO, "application/rss+xml"),
    # XML 1.0 Appendix F: UTF-16 known from the first character when there is no byte order mark
    "utf-16-be-no-bom": (_UTF16.encode("utf-16-be"), "application/rss+xml"),
    "utf-16-le-no-bom": (_UTF16.encode("utf-16-le"), "application/xml"),
    "utf-16-with-bom": (_UTF16.encode("utf-16"), "application/rss+xml"),
    "utf-16-be-no-bom-labelled": (_UTF16.encode("utf-16-be"), "application/rss+xml; charset=utf-16"),
    # JSON: UTF-8, UTF-16 or UTF-32, with or without a byte order mark (RFC 4627 section 3)
    "json-utf-16-le-no-bom": (_JSON.encode("utf-16-le"), "application/feed+json"),
    "json-utf-16-with-bom": (_JSON.encode("utf-16"), "application/json"),
    "json-utf-32-be-no-bom": (_JSON.encode("utf-32-be"), "application/feed+json"),
    "json-blank-lines-first": (b"\r\n\r\n" + _JSON.encode("utf-8"), "application/feed+json"),
    # the version URL as feeds write it
    "json-version-http": (json.dumps({**_JSON_V, "version": "http://jsonfeed.org/version/1"}).encode(),
                          "application/feed+json"),
    "json-version-www-slash": (json.dumps({**_JSON_V, "version": "https://www.jsonfeed.org/version/1.1/"})
                               .encode(), "application/json"),
}  # fmt: skip


@pytest.mark.parametrize(("body", "content_type"), LEADING.values(), ids=LEADING.keys())
def test_leading_blanks_and_utf16_or_32_feeds_are_read_strictly(body: bytes, content_type: str) -> None:
    """Same entries as the plain UTF-8 feed, and read without feedparser's bozo warning."""
    spider, items = _parse(body, content_type)
    assert [i.url for i in items] == ["https://city.example.eu/n/2", "https://city.example.eu/n/1"]
    assert items[1].published_at is not None
    assert items[1].published_at.isoformat() == "2025-03-04T08:00:00+00:00"
    if not content_type.endswith("json") and "json" not in content_type:
        assert items[1].title == "Welcome desk for réfugiés opens"
    got = stats(spider)
    assert not any(key.startswith("ewsi/errors/") for key in got), got
    assert got.get("ewsi/feed/bozo") is None, got.get("ewsi/feed/bozo_message")


@pytest.mark.parametrize(
    "version",
    ["https://jsonfeed.org/version/", "https://jsonfeed.org/version/x", "https://example.org/version/1",
     "https://jsonfeed.org.evil.example/version/1", "1.1", ""],
)  # fmt: skip
def test_a_json_document_without_a_json_feed_version_is_not_a_feed(version: str) -> None:
    spider, items = _parse(json.dumps({**_JSON_V, "version": version}).encode(), "application/json")
    assert items == [] and stats(spider).get("ewsi/errors/parse.not_a_feed") == 1


SITE_PAGES = {
    "rss-link": ('<link rel="alternate" type="application/rss+xml" title="News" href="/news/rss.xml">',
                 "https://city.example.eu/news/rss.xml"),
    "atom-link-base": ('<base href="https://city.example.eu/en/"><link rel="alternate" '
                       'type="application/atom+xml" href="atom.xml">', "https://city.example.eu/en/atom.xml"),
    "json-feed-link": ('<link rel="alternate" type="application/feed+json" href="https://cdn.example.eu/f.json">',
                       "https://cdn.example.eu/f.json"),
    "only-a-stylesheet": ('<link rel="stylesheet" href="/site.css">', None),
    "link-to-itself": (f'<link rel="alternate" type="application/rss+xml" href="{FEED_URL}">', None),
}  # fmt: skip


@pytest.mark.parametrize(("head", "named"), SITE_PAGES.values(), ids=SITE_PAGES.keys())
def test_a_site_page_in_place_of_its_feed_names_the_feed_in_the_error(head: str, named: str | None) -> None:
    """alexdebril/feed-io#157, dariusk/rss-to-activitypub#12: the source's URL is the site's page, not
    its feed; the error says which feed the page names (nothing is fetched in its place)."""
    page = f"<!DOCTYPE html><html><head><title>City</title>{head}</head><body>News</body></html>"
    spider, items = _parse(page.encode(), "text/html; charset=utf-8")
    assert items == []
    message = stats(spider)["ewsi/error_messages"]["parse.not_a_feed"]
    assert message.startswith(f"{FEED_URL}: no RSS, RDF or Atom root (found <html>)")
    if named:
        assert message.endswith(f"; the page names a feed: {named} (use it as the source's URL)")
    else:
        assert "names a feed" not in message
