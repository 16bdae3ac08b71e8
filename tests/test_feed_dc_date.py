"""dc:date is an entry's publication date when nothing else gives one (spiders.feedfields).

Rule under test: in RSS 1.0 (RDF), RSS 2.0 and Atom, an entry's ``dc:date`` is its publication
date (``date_method`` feed, which a followed page's date does not replace) unless ``pubDate``,
``dcterms:issued`` or ``atom:published`` gives one, in any order; the date of change (``updated``)
is ``dcterms:modified`` or ``atom:updated`` when given, wherever it stands, else a dc:date that is
not the publication date, else none: never a copy of the publication date (feedparser issue 310).
An entry dated by ``<updated>`` or ``dcterms:modified`` alone stays a date of change (feed_updated).
"""

from __future__ import annotations

import pytest
from scrapy.http import XmlResponse

from crawler.types import FEED_UPDATED
from tests.test_spiders import make_spider, run

NS = (
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:atom="http://www.w3.org/2005/Atom"'
)
WRAP = {
    "rdf": (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns="http://purl.org/rss/1.0/" {NS}><channel rdf:about="https://e.eu/"><title>T</title>'
        '<link>https://e.eu/</link></channel><item rdf:about="https://e.eu/a/1"><title>Entry</title>'
        "<link>https://e.eu/a/1</link>{dates}</item></rdf:RDF>"
    ),
    "rss2": (
        f'<?xml version="1.0"?><rss version="2.0" {NS}><channel><title>T</title><link>https://e.eu/</link>'
        "<item><title>Entry</title><link>https://e.eu/a/1</link>{dates}</item></channel></rss>"
    ),
    "atom": (
        f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" {NS}><title>T</title>'
        "<id>urn:t</id><updated>2025-03-09T00:00:00Z</updated><entry><title>Entry</title><id>urn:t:1</id>"
        '<link href="https://e.eu/a/1"/>{dates}</entry></feed>'
    ),
}
DC = "<dc:date>2025-03-04T09:00:00+01:00</dc:date>"
DC2 = "<dc:date>2025-03-06T09:00:00+01:00</dc:date>"
PUB = "<pubDate>Mon, 03 Mar 2025 09:00:00 +0100</pubDate>"
ISSUED = "<dcterms:issued>2025-03-02T09:00:00+01:00</dcterms:issued>"
MODIFIED = "<dcterms:modified>2025-03-05T09:00:00+01:00</dcterms:modified>"
A_PUB = "<published>2025-03-01T08:00:00Z</published>"
A_UPD = "<updated>2025-03-07T08:00:00Z</updated>"

# wrapper, date elements in document order, published_at (UTC), date_method, updated (raw)
CASES = [
    ("rdf", DC, "2025-03-04T08:00:00+00:00", "feed", None),
    ("rdf", DC + MODIFIED, "2025-03-04T08:00:00+00:00", "feed", "2025-03-05T09:00:00+01:00"),
    ("rdf", MODIFIED + DC, "2025-03-04T08:00:00+00:00", "feed", "2025-03-05T09:00:00+01:00"),
    ("rdf", DC + ISSUED, "2025-03-02T08:00:00+00:00", "feed", "2025-03-04T09:00:00+01:00"),
    ("rdf", ISSUED + DC, "2025-03-02T08:00:00+00:00", "feed", "2025-03-04T09:00:00+01:00"),
    ("rdf", DC + DC2, "2025-03-04T08:00:00+00:00", "feed", "2025-03-06T09:00:00+01:00"),
    ("rdf", MODIFIED + DC + DC2, "2025-03-04T08:00:00+00:00", "feed", "2025-03-05T09:00:00+01:00"),
    ("rdf", MODIFIED, "2025-03-05T08:00:00+00:00", FEED_UPDATED, "2025-03-05T09:00:00+01:00"),
    ("rss2", DC, "2025-03-04T08:00:00+00:00", "feed", None),
    ("rss2", PUB, "2025-03-03T08:00:00+00:00", "feed", None),
    ("rss2", PUB + MODIFIED, "2025-03-03T08:00:00+00:00", "feed", "2025-03-05T09:00:00+01:00"),
    ("rss2", DC + MODIFIED, "2025-03-04T08:00:00+00:00", "feed", "2025-03-05T09:00:00+01:00"),
    ("rss2", ISSUED, "2025-03-02T08:00:00+00:00", "feed", None),
    ("rss2", PUB + DC, "2025-03-03T08:00:00+00:00", "feed", "2025-03-04T09:00:00+01:00"),
    ("rss2", DC + PUB, "2025-03-03T08:00:00+00:00", "feed", "2025-03-04T09:00:00+01:00"),
    ("atom", DC + A_UPD, "2025-03-04T08:00:00+00:00", "feed", "2025-03-07T08:00:00Z"),
    ("atom", A_UPD + DC, "2025-03-04T08:00:00+00:00", "feed", "2025-03-07T08:00:00Z"),
    ("atom", A_PUB + DC + A_UPD, "2025-03-01T08:00:00+00:00", "feed", "2025-03-07T08:00:00Z"),
    ("atom", A_UPD, "2025-03-07T08:00:00+00:00", FEED_UPDATED, "2025-03-07T08:00:00Z"),
    ("atom", A_PUB, "2025-03-01T08:00:00+00:00", "feed", None),
    ("atom", A_PUB + A_UPD, "2025-03-01T08:00:00+00:00", "feed", "2025-03-07T08:00:00Z"),
    ("atom", DC, "2025-03-04T08:00:00+00:00", "feed", None),
]


@pytest.mark.parametrize(("wrap", "dates", "published", "method", "updated"), CASES)
def test_dc_date_is_the_publication_date_unless_another_is_given(
    wrap: str, dates: str, published: str, method: str, updated: str | None
) -> None:
    spider = make_spider(id="dc-dates", kind="feed", urls=["https://e.eu/feed"], languages=["en"])
    body = WRAP[wrap].replace("{dates}", dates).encode()
    items, _ = run(spider, XmlResponse("https://e.eu/feed", body=body))
    assert len(items) == 1
    item = items[0]
    assert item.published_at is not None and item.published_at.isoformat() == published
    assert item.date_method == method
    assert item.updated_raw == updated
    assert item.record is not None and item.record["updated"] == updated
