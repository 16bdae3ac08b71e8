"""`ewsi sources add` reads a UTF-16 or UTF-32 feed or sitemap as the crawl reads it (crawler.xmltext).

Each document is written in each encoding (byte order mark or none, both byte orders) and onboarded
from recorded bytes; the proposal's kind, name and preview must be those of its UTF-8 original, and
the crawl's own readers (spiders.feed.parse_xml_feed, spiders.sitemapdoc.parse_sitemap) must read
the same entries from the same bytes.
"""

from __future__ import annotations

import codecs

import pytest

from crawler.fetch.oneshot import Fetched
from crawler.onboard import add
from spiders.feed import parse_xml_feed
from spiders.sitemapdoc import parse_sitemap

SITE = "https://integration.example.eu"
RSS = (
    '<?xml version="1.0" encoding="{label}"?>\n<rss version="2.0"><channel><title>Intégration à Wien</title>'
    f"<link>{SITE}/</link><description>News</description>"
    f"<item><title>Café für Geflüchtete öffnet</title><link>{SITE}/news/cafe</link>"
    "<description>Migrants and refugees meet neighbours in the new café.</description></item>"
    f"<item><title>Sprachkurse für Asylsuchende</title><link>{SITE}/news/kurse</link>"
    "<description>Language courses for asylum seekers start in March.</description></item>"
    "</channel></rss>\n"
)
ATOM = (
    '<?xml version="1.0" encoding="{label}"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    f"<title>Intégration à Wien</title><id>{SITE}/</id><updated>2026-01-02T10:00:00Z</updated>"
    f"<entry><title>Café für Geflüchtete öffnet</title><id>{SITE}/news/cafe</id>"
    f'<link href="{SITE}/news/cafe"/><updated>2026-01-02T10:00:00Z</updated>'
    "<summary>Migrants and refugees meet neighbours in the new café.</summary></entry>"
    f"<entry><title>Sprachkurse für Asylsuchende</title><id>{SITE}/news/kurse</id>"
    f'<link href="{SITE}/news/kurse"/><updated>2026-01-01T10:00:00Z</updated>'
    "<summary>Language courses for asylum seekers start in March.</summary></entry></feed>\n"
)
SITEMAP = (
    '<?xml version="1.0" encoding="{label}"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    f"<url><loc>{SITE}/news/café-für-alle</loc><lastmod>2026-01-02</lastmod></url>"
    f"<url><loc>{SITE}/news/kurse</loc><lastmod>2026-01-01</lastmod></url></urlset>\n"
)
DOCUMENTS = {"rss": (RSS, "feed"), "atom": (ATOM, "feed"), "sitemap": (SITEMAP, "sitemap")}

# (name, codec writing the characters, byte order mark put before them, label in the declaration)
ENCODINGS = [
    ("utf-16-le with BOM", "utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
    ("utf-16-be with BOM", "utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
    ("utf-16-le without BOM", "utf-16-le", b"", "utf-16"),
    ("utf-16-be without BOM", "utf-16-be", b"", "UTF-16BE"),
    ("utf-32-le with BOM", "utf-32-le", codecs.BOM_UTF32_LE, "utf-32"),
    ("utf-32-be with BOM", "utf-32-be", codecs.BOM_UTF32_BE, "utf-32"),
    ("utf-32-le without BOM", "utf-32-le", b"", "utf-32"),
]


def _onboard(url: str, body: bytes, content_type: str):
    def fetcher(asked: str) -> Fetched:
        return Fetched(asked, asked, 200, content_type, body if asked == url else b"")

    return add(url, "sources: []\n", fetcher, lambda _url: (True, ""))


def _crawl_reads(kind: str, body: bytes, content_type: str) -> list[str]:
    if kind == "feed":
        return [entry.title for entry in parse_xml_feed(body, content_type, f"{SITE}/feed")[0].entries]
    return [entry["loc"] for entry in parse_sitemap(body).entries]


@pytest.mark.parametrize("document", sorted(DOCUMENTS))
@pytest.mark.parametrize("name,codec,bom,label", ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_wide_xml_is_onboarded_as_its_utf8_original(document, name, codec, bom, label) -> None:
    template, kind = DOCUMENTS[document]
    content_type = "application/xml" if kind == "sitemap" else "application/rss+xml"
    url = f"{SITE}/{document}.xml"
    original = template.format(label="utf-8").encode("utf-8")
    wide = bom + template.format(label=label).encode(codec)
    _, expected, expected_items = _onboard(url, original, content_type)
    _, source, items = _onboard(url, wide, content_type)
    assert (source.kind, source.name, source.urls) == (kind, expected.name, [url])
    assert [(i.title, i.url, i.published) for i in items] == [
        (i.title, i.url, i.published) for i in expected_items
    ]
    assert len(items) == 2
    assert _crawl_reads(kind, wide, content_type) == _crawl_reads(kind, original, content_type)


def test_a_charset_header_with_a_body_without_bom() -> None:
    url = f"{SITE}/feed"
    body = RSS.format(label="utf-16").encode("utf-16-be")
    _, source, items = _onboard(url, body, "application/rss+xml; charset=utf-16")
    assert (source.kind, source.name) == ("feed", "Intégration à Wien")
    assert [i.title for i in items] == ["Café für Geflüchtete öffnet", "Sprachkurse für Asylsuchende"]
