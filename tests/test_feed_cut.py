"""A feed document cut short gives its complete entries only (spiders.feedcut).

Rule under test: when the root element is not closed at the end of the document, only as many
entries as there are entry end tags are read, in document order; the entry open at the cut (cut
title, no date, cut summary) is not harvested and is counted ``ewsi/feed/entry_cut``; a cut inside
the first entry leaves nothing readable (``parse.feed_malformed``); a document whose root is
closed keeps every entry.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from scrapy.http import XmlResponse

from spiders.feedcut import complete_entries
from tests.test_spiders import make_spider, run, stats

URL = "https://city.example.eu/feed"


def _rss_item(n: int) -> str:
    return (
        f"<item><title>Language course {n} for newcomers</title><link>https://city.example.eu/a/{n}</link>"
        f"<description>Course {n} starts in spring, with childcare.</description>"
        f"<pubDate>Tue, 0{n} Apr 2025 09:00:00 +0200</pubDate></item>"
    )


def _atom_entry(n: int, p: str = "") -> str:
    return (
        f"<{p}entry><{p}title>Language course {n} for newcomers</{p}title><{p}id>urn:c:{n}</{p}id>"
        f'<{p}link href="https://city.example.eu/a/{n}"/><{p}published>2025-04-0{n}T07:00:00Z</{p}published>'
        f"<{p}summary>Course {n} starts in spring, with childcare.</{p}summary></{p}entry>"
    )


RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>City</title>'
    "<link>https://city.example.eu/</link>" + "".join(_rss_item(n) for n in (1, 2, 3)) + "</channel></rss>"
)
ATOM = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>City</title>'
    "<id>urn:c</id><updated>2025-04-03T07:00:00Z</updated>"
    + "".join(_atom_entry(n) for n in (1, 2, 3))
    + "</feed>"
)
PREFIXED = (
    '<?xml version="1.0"?><a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>City</a:title>'
    "<a:id>urn:c</a:id><a:updated>2025-04-03T07:00:00Z</a:updated>"
    + "".join(_atom_entry(n, "a:") for n in (1, 2, 3))
    + "</a:feed>"
)
RDF = (
    '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    '<channel rdf:about="https://city.example.eu/"><title>City</title><link>https://city.example.eu/</link>'
    "</channel>"
    + "".join(
        f'<item rdf:about="https://city.example.eu/a/{n}"><title>Language course {n} for newcomers</title>'
        f"<link>https://city.example.eu/a/{n}</link><dc:date>2025-04-0{n}T07:00:00Z</dc:date></item>"
        for n in (1, 2, 3)
    )
    + "</rdf:RDF>"
)
DOCS = {"rss": RSS, "atom": ATOM, "atom-prefixed": PREFIXED, "rdf": RDF}


def _cut_after(doc: str, marker: str, occurrence: int = 3, extra: int = 0) -> str:
    at = -1
    for _ in range(occurrence):
        at = doc.index(marker, at + 1)
    return doc[: at + len(marker) + extra]


# (document, where it ends, URLs read (newest first), entries counted as cut)
CASES = {
    "rss-in-title": ("rss", lambda d: _cut_after(d, "Language cou"), [2, 1], 1),
    "rss-in-summary": ("rss", lambda d: _cut_after(d, "Course 3 starts", 1), [2, 1], 1),
    "rss-before-date": ("rss", lambda d: _cut_after(d, "</description>"), [2, 1], 1),
    "rss-in-end-tag": ("rss", lambda d: _cut_after(d, "</pubDate></it"), [2, 1], 1),
    "rss-after-last-item": ("rss", lambda d: _cut_after(d, "</item>"), [3, 2, 1], 0),
    "rss-in-channel-end": ("rss", lambda d: d[:-9], [3, 2, 1], 0),
    "rss-second-entry": ("rss", lambda d: _cut_after(d, "<title>Language", 2), [1], 1),
    "atom-in-summary": ("atom", lambda d: _cut_after(d, "Course 3 starts", 1), [2, 1], 1),
    "atom-in-link": ("atom", lambda d: _cut_after(d, 'href="https://city.exam'), [2, 1], 1),
    "atom-prefixed-in-title": ("atom-prefixed", lambda d: _cut_after(d, "Language cou"), [2, 1], 1),
    "rdf-in-date": ("rdf", lambda d: _cut_after(d, "<dc:date>2025-04"), [2, 1], 1),
    "rss-whole-with-trailer": ("rss", lambda d: d + "\n<!-- served in 12 ms -->\n", [3, 2, 1], 0),
    "rss-whole-but-malformed": ("rss", lambda d: d.replace("Course 2 starts", "Course 2 &starts"),
                                [3, 2, 1], 0),
}  # fmt: skip


@pytest.mark.parametrize(("doc", "cut", "read", "cut_count"), CASES.values(), ids=CASES.keys())
def test_only_entries_closed_before_the_cut_are_read(
    doc: str, cut: Callable[[str], str], read: list[int], cut_count: int
) -> None:
    spider = make_spider(id="cut-feed", kind="feed", urls=[URL], languages=["en"])
    body = cut(DOCS[doc]).encode()
    items, _ = run(spider, XmlResponse(URL, body=body))
    assert [i.url for i in items] == [f"https://city.example.eu/a/{n}" for n in read]
    assert all(i.title == f"Language course {n} for newcomers" for i, n in zip(items, read, strict=True))
    assert all(i.published_at is not None for i in items)
    assert stats(spider).get("ewsi/feed/entry_cut", 0) == cut_count


def test_a_cut_in_the_first_entry_is_feed_malformed() -> None:
    spider = make_spider(id="cut-feed", kind="feed", urls=[URL], languages=["en"])
    items, _ = run(spider, XmlResponse(URL, body=_cut_after(RSS, "Language cou", 1).encode()))
    assert items == []
    assert stats(spider).get("ewsi/errors/parse.feed_malformed") == 1


@pytest.mark.parametrize(
    ("text", "complete"),
    [
        ("<rss><channel><item>a</item></channel></rss>", None),
        ("<rss><channel><item>a</item></channel></rss>\n<!-- c -->\n<?pi x?>\n", None),
        ("<RSS><item>a</item></RSS>", None),
        ("<rss><channel><item>a</item><item>b", 1),
        ("<feed><entry>a</entry><entry>b</entry></fee", 2),
        ("<x:feed><x:entry>a</x:entry></x:feed>", None),
        ("<x:feed><x:entry>a</x:entry><x:entry>", 1),
        ("", 0),
    ],
)
def test_complete_entries_table(text: str, complete: int | None) -> None:
    assert complete_entries(text) == complete
