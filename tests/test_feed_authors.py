"""A feed entry's author (spiders.feedauthor, through the feed spider).

Rule under test: an entry's own authors (Atom ``<author><name>``, RSS ``<author>``, ``<dc:creator>``)
are its author, every one of them in order, by name (the ``(Name)`` of an RSS address); an entry
without one takes its Atom ``<source>``'s authors, then the feed's (Atom ``<feed><author>``, RSS
``<channel><dc:creator>``); the feed's title is never the author, nor an RSS channel's
``<managingEditor>`` (its editorial contact) or ``<webMaster>``.
"""

from __future__ import annotations

import pytest
from scrapy.http import XmlResponse

from spiders.feedauthor import entry_author
from tests.test_spiders import make_spider, run

ATOM = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    "<title>Ministry of Integration</title><id>urn:feed</id><updated>2025-03-01T10:00:00Z</updated>"
    '{feed}<entry><title>Entry</title><id>urn:e:1</id><link href="https://e.eu/a/1"/>'
    "<updated>2025-03-01T10:00:00Z</updated>{entry}</entry></feed>"
)
RSS = (
    '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
    "<title>Ministry of Integration</title><link>https://e.eu/</link>{feed}"
    "<item><title>Entry</title><link>https://e.eu/a/1</link>{entry}</item></channel></rss>"
)


def person(name: str, email: str = "") -> str:
    return f"<author><name>{name}</name>{f'<email>{email}</email>' if email else ''}</author>"


# wrapper, feed-level elements, entry elements, expected author
CASES = [
    ("atom", "", person("Jane Doe"), "Jane Doe"),
    ("atom", "", person("Jane Doe", "jane@e.eu"), "Jane Doe"),
    ("atom", person("Press Office"), person("Anna Kowalska"), "Anna Kowalska"),
    ("atom", person("Press Office"), "", "Press Office"),
    ("atom", "", person("Jean Dupont") + person("Maria Rossi"), "Jean Dupont, Maria Rossi"),
    ("atom", "", person("Jean Dupont") + person("Jean Dupont"), "Jean Dupont"),
    (
        "atom",
        person("Press Office"),
        "<source><id>urn:other</id><title>Other</title>" + person("Syndicated Author") + "</source>",
        "Syndicated Author",
    ),
    (
        "atom",
        person("Press Office"),
        person("Eva Novák") + "<source><id>urn:o</id>" + person("Syndicated Author") + "</source>",
        "Eva Novák",
    ),
    ("atom", "", "", None),
    ("atom", "", "<author><name><![CDATA[Jürgen Müller]]></name></author>", "Jürgen Müller"),
    ("rss2", "", "<author>jane@e.eu (Jane Doe)</author>", "Jane Doe"),
    ("rss2", "", "<dc:creator>Hans Muster</dc:creator>", "Hans Muster"),
    (
        "rss2",
        "",
        "<dc:creator>Ana García</dc:creator><dc:creator>Piet Jansen</dc:creator>",
        "Ana García, Piet Jansen",
    ),
    ("rss2", "<dc:creator>Redaktion</dc:creator>", "<dc:creator>Hans Muster</dc:creator>", "Hans Muster"),
    ("rss2", "<dc:creator>Redaktion</dc:creator>", "", "Redaktion"),
    ("rss2", "", "", None),
    ("rss2", "<managingEditor>editor@e.eu (Jane Editor)</managingEditor>", "", None),
    ("rss2", "<managingEditor>editor@e.eu</managingEditor>", "", None),
    ("rss2", "<managingEditor><![CDATA[desk@e.eu (Desk)]]></managingEditor>", "", None),
    ("rss2", "<webMaster>web@e.eu (Web Team)</webMaster>", "", None),
    (
        "rss2",
        "<managingEditor>editor@e.eu (Jane Editor)</managingEditor>",
        "<author>a@e.eu (Ana)</author>",
        "Ana",
    ),
    (
        "rss2",
        "<managingEditor>editor@e.eu (Jane Editor)</managingEditor><dc:creator>Redaktion</dc:creator>",
        "",
        "Redaktion",
    ),
    (
        "rss2",
        "<MANAGINGEDITOR>editor@e.eu (Jane Editor)</MANAGINGEDITOR>",
        "<dc:creator>Jane Editor</dc:creator>",
        "Jane Editor",
    ),
    ("atom", person("Press Office", "editor@e.eu"), "", "Press Office"),
]


@pytest.mark.parametrize(("wrap", "feed", "entry", "expected"), CASES)
def test_entry_author(wrap: str, feed: str, entry: str, expected: str | None) -> None:
    spider = make_spider(id="authors", kind="feed", urls=["https://e.eu/feed"], languages=["en"])
    body = (ATOM if wrap == "atom" else RSS).replace("{feed}", feed).replace("{entry}", entry)
    items, _ = run(spider, XmlResponse("https://e.eu/feed", body=body.encode()))
    assert [item.author for item in items] == [expected]


@pytest.mark.parametrize(
    ("entry", "feed", "expected"),
    [
        ({"author": "Jane Doe"}, None, "Jane Doe"),  # a JSON Feed entry
        ({"authors": [{"email": "press@e.eu"}]}, None, "press@e.eu"),
        ({"authors": [{}, {"name": " Jane   Doe "}]}, None, "Jane Doe"),
        ({}, {"authors": [{"name": "Press Office"}]}, "Press Office"),
        ({"authors": [{"name": "Jane Doe"}]}, {"authors": [{"name": "Press Office"}]}, "Jane Doe"),
        ({}, {"title": "Ministry of Integration"}, None),
    ],
)
def test_entry_author_shapes(entry: dict, feed: dict | None, expected: str | None) -> None:
    assert entry_author(entry, feed) == expected
