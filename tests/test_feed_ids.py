"""An entry's id is a URL only when it is written as one (spiders.feedfields).

Rule under test: an RSS ``<guid>`` or Atom ``<id>`` written as an absolute URI or as a path
reference is resolved against the feed's base and may be the entry's address; any other token
(``12345``, ``post-81``, ``www.host/a``) stays as written, is never resolved and is never the
entry's link, whatever ``isPermaLink`` says; so the same document read at another URL gives the
same ids and keys.
"""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.http import XmlResponse

from pipelines.dedup import item_identity
from spiders.feedfields import id_is_url
from tests.test_spiders import make_spider, run, stats

FEED = "https://city.example.eu/news/feed.xml"
MOVED = "https://city.example.eu/rss/v2/all.xml"
NO_LINK = None


def _rss(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>City</title>'
        f"<link>https://city.example.eu/</link>{items}</channel></rss>"
    ).encode()


def _parse(body: bytes, url: str = FEED) -> tuple[Any, list[Any]]:
    spider = make_spider(id="ids", kind="feed", urls=[url], languages=["en"])
    items, _ = run(spider, XmlResponse(url, body=body, headers={"Content-Type": "application/rss+xml"}))
    return spider, items


# (guid element, link element, item URL or NO_LINK (dropped), stored guid)
RSS_CASES: dict[str, tuple[str, str, str | None, str]] = {
    "number-default-permalink": ("<guid>12345</guid>", "", NO_LINK, ""),
    "number-with-link": ("<guid>12345</guid>", "<link>https://city.example.eu/a/1</link>",
                         "https://city.example.eu/a/1", "12345"),
    "slug-token": ("<guid>post-81</guid>", "", NO_LINK, ""),
    "token-with-space": ("<guid>news 81</guid>", "<link>https://city.example.eu/a/2</link>",
                         "https://city.example.eu/a/2", "news 81"),
    "host-without-scheme": ("<guid>www.city.example.eu/a/3</guid>", "", NO_LINK, ""),
    "file-name": ("<guid>index.html</guid>", "<link>https://city.example.eu/a/4</link>",
                  "https://city.example.eu/a/4", "index.html"),
    "permalink-false-token": ('<guid isPermaLink="false">777</guid>', "<link>/a/5</link>",
                              "https://city.example.eu/a/5", "777"),
    "absolute-url": ("<guid>https://city.example.eu/a/6</guid>", "", "https://city.example.eu/a/6",
                     "https://city.example.eu/a/6"),
    "root-path": ("<guid>/a/7</guid>", "", "https://city.example.eu/a/7", "https://city.example.eu/a/7"),
    "dot-path": ("<guid>../a/8</guid>", "", "https://city.example.eu/a/8", "https://city.example.eu/a/8"),
    "segment-path": ("<guid>stories/9</guid>", "", "https://city.example.eu/news/stories/9",
                     "https://city.example.eu/news/stories/9"),
    "query": ("<guid>?p=10</guid>", "", "https://city.example.eu/news/feed.xml?p=10",
              "https://city.example.eu/news/feed.xml?p=10"),
    "urn": ("<guid>urn:uuid:0b7c7c1e-1</guid>", "<link>https://city.example.eu/a/11</link>",
            "https://city.example.eu/a/11", "urn:uuid:0b7c7c1e-1"),
}  # fmt: skip


@pytest.mark.parametrize(("guid", "link", "url", "stored"), RSS_CASES.values(), ids=RSS_CASES.keys())
def test_a_guid_is_a_link_only_when_written_as_one(
    guid: str, link: str, url: str | None, stored: str
) -> None:
    spider, items = _parse(_rss(f"<item><title>Language course for newcomers</title>{guid}{link}</item>"))
    if url is None:
        assert items == [] and stats(spider).get("ewsi/dropped/no_link") == 1
        return
    assert [(i.url, i.guid) for i in items] == [(url, stored)]


def test_token_guids_give_the_same_keys_when_the_feed_moves() -> None:
    entries = "".join(
        f"<item><title>Course {n}</title><link>https://city.example.eu/courses</link><guid>{n}</guid></item>"
        for n in (101, 102)
    )
    _, before = _parse(_rss(entries), FEED)
    _, after = _parse(_rss(entries), MOVED)
    assert [i.guid for i in before] == ["101", "102"]
    assert [item_identity(i) for i in before] == [item_identity(i) for i in after]
    assert [item_identity(i) for i in before] == ["entry:ids:101", "entry:ids:102"]


ATOM = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
    'xml:base="https://city.example.eu/feeds/"><title>t</title><id>urn:city</id>'
    "<updated>2025-03-04T09:00:00Z</updated>{entries}</feed>"
)


@pytest.mark.parametrize(
    ("entry_id", "url"),
    [
        ("entry-1", None),
        ("42", None),
        ("urn:city:3", None),
        ("https://city.example.eu/a/4", "https://city.example.eu/a/4"),
        ("/a/5", "https://city.example.eu/a/5"),
    ],
)
def test_an_atom_id_without_link_is_the_address_only_when_written_as_one(
    entry_id: str, url: str | None
) -> None:
    entry = f"<entry><title>Welcome desk</title><id>{entry_id}</id>"
    entry += "<updated>2025-03-04T09:00:00Z</updated></entry>"
    spider, items = _parse(ATOM.format(entries=entry).encode())
    assert [i.url for i in items] == ([url] if url else [])
    if url is None:
        assert stats(spider).get("ewsi/dropped/no_link") == 1


@pytest.mark.parametrize(
    ("raw", "is_url"),
    [
        ("https://e.eu/a", True),
        ("tag:e.eu,2025:1", True),
        ("/a", True),
        ("./a", True),
        ("../a", True),
        ("?p=1", True),
        ("news/1", True),
        ("  /a  ", True),
        ("12345", False),
        ("post-81", False),
        ("www.e.eu/a", False),
        ("index.html", False),
        ("a b/c", False),
        ("", False),
    ],
)
def test_id_is_url_table(raw: str, is_url: bool) -> None:
    assert id_is_url(raw) is is_url
