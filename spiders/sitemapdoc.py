"""Sitemap documents (sitemaps.org 0.9): XML ``urlset`` and ``sitemapindex``, and plain-text sitemaps.

Rule for the whole class: every URL is recovered exactly, or the document is refused with
`SitemapMalformed` (the spider records ``parse.sitemap_malformed``); never a silently wrong URL.
- XML is parsed strictly by lxml: no recovery (a recovering parser cuts ``?a=1&b=2`` at the bare
  ``&`` or drops entries without a word), no entity expansion, no DTD, no network;
- the one repair: a bare ``&`` that starts no entity reference is read as ``&amp;`` (its only
  possible meaning), then the document is parsed strictly again;
- a ``<loc>`` holding an entity the document defines itself (``&x;`` from an internal DTD) is refused:
  its text is not known without expanding it, and expanding is what entity attacks need;
- the root must be ``urlset`` or ``sitemapindex`` (any namespace);
- in a ``<url>``: ``loc`` and ``lastmod`` (any namespace), and a Google News extension's
  ``publication_date``, ``title`` and ``publication/language`` (its namespace, any prefix); other
  extensions (``image:``, ``video:``) are skipped, whatever they hold;
- a UTF-16 or UTF-32 document (a byte order mark, or ``<`` as its first character) is read as UTF-8
  by the feeds' decoding (`crawler.xmltext`);
- a body whose first non-blank character (after a BOM) is not ``<`` is a text sitemap: every
  non-blank line must be one absolute http(s) URL without spaces; one other line refuses the file;
- around a URL (in ``<loc>`` or on a text line), any Unicode whitespace and invisible format
  character (category Cf: zero-width space, byte order mark, word joiner) is removed (`strip_url`);
  inside it nothing is touched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from lxml import etree

from crawler.errors import SitemapMalformed
from crawler.xmltext import xml_utf8

_BARE_AMP = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")
_URL_LINE = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
"""Google News sitemaps' namespace (its elements are read by namespace, whatever the prefix)."""
_NEWS_FIELDS = {"publication_date": "news_published", "title": "news_title", "language": "news_language"}
MAX_TEXT_LINES = 50_000
"""URLs per text sitemap (the sitemaps.org limit); more lines refuse the file."""


def _blank(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def strip_url(text: str) -> str:
    """`text` without Unicode whitespace and format characters (Cf) at either end:
    ``"\u00a0https://e.eu/a\u200b\r\n"`` -> ``"https://e.eu/a"``."""
    start, end = 0, len(text)
    while start < end and _blank(text[start]):
        start += 1
    while end > start and _blank(text[end - 1]):
        end -= 1
    return text[start:end]


@dataclass
class SitemapDoc:
    """`kind` is ``urlset`` or ``sitemapindex``; `entries` are dicts with ``loc`` and maybe ``lastmod``,
    and from a Google News ``<news:news>`` (`NEWS_NS`) maybe ``news_published`` (its
    ``publication_date`` as written), ``news_title`` and ``news_language``."""

    kind: str
    entries: list[dict[str, str]] = field(default_factory=list)
    repaired: bool = False
    """True when bare ``&`` were read as ``&amp;``."""


def parse_sitemap(body: bytes) -> SitemapDoc:
    """Read a sitemap body (already gunzipped); `SitemapMalformed` when it cannot be read exactly.
    A UTF-16 or UTF-32 body is read as the feeds are (`crawler.xmltext.xml_utf8`)."""
    text_start = xml_utf8(body).removeprefix(b"\xef\xbb\xbf").lstrip()
    if not text_start:
        raise SitemapMalformed("empty body")
    if not text_start.startswith(b"<"):
        return _text_sitemap(text_start)
    try:
        return _xml_sitemap(text_start, repaired=False)
    except etree.XMLSyntaxError as first:
        repaired = _BARE_AMP.sub(b"&amp;", text_start)
        if repaired == text_start:
            raise SitemapMalformed(f"not well-formed XML: {first}") from None
        try:
            return _xml_sitemap(repaired, repaired=True)
        except etree.XMLSyntaxError as exc:
            raise SitemapMalformed(f"not well-formed XML: {exc}") from None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        recover=False, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )


def _xml_sitemap(body: bytes, repaired: bool) -> SitemapDoc:
    root = etree.fromstring(body, parser=_parser())
    kind = etree.QName(root).localname if isinstance(root.tag, str) else ""
    if kind not in ("urlset", "sitemapindex"):
        raise SitemapMalformed(f"root element is <{kind or '?'}>, not urlset or sitemapindex")
    child_name = "url" if kind == "urlset" else "sitemap"
    doc = SitemapDoc(kind=kind, repaired=repaired)
    for child in root:
        if not isinstance(child.tag, str) or etree.QName(child).localname != child_name:
            continue
        entry: dict[str, str] = {}
        for element in child:
            if not isinstance(element.tag, str):
                continue
            qname = etree.QName(element)
            if qname.namespace == NEWS_NS and qname.localname == "news":
                _news(element, entry)
                continue
            name = qname.localname
            if name not in ("loc", "lastmod"):
                continue
            entry[name] = strip_url(_text(element, name))
        if entry.get("loc"):
            doc.entries.append(entry)
    return doc


def _text(element: etree._Element, name: str) -> str:
    if any(isinstance(node, etree._Entity) for node in element.iter()):
        raise SitemapMalformed(f"<{name}> holds an entity reference the document defines itself")
    return "".join(element.itertext())


def _news(news: etree._Element, entry: dict[str, str]) -> None:
    """The first ``publication_date``, ``title`` and ``publication/language`` of a ``<news:news>`` into
    `entry` as ``news_published``, ``news_title`` and ``news_language`` (whitespace runs made one
    space); anything else in it is skipped."""
    for element in news.iter():
        if not isinstance(element.tag, str) or element is news:
            continue
        qname = etree.QName(element)
        key = _NEWS_FIELDS.get(qname.localname) if qname.namespace == NEWS_NS else None
        if key is None or key in entry:
            continue
        if key == "news_language" and etree.QName(element.getparent()).localname != "publication":
            continue
        value = " ".join(_text(element, f"news:{qname.localname}").split())
        if value:
            entry[key] = value


def _text_sitemap(body: bytes) -> SitemapDoc:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SitemapMalformed(f"text sitemap is not UTF-8: {exc}") from None
    doc = SitemapDoc(kind="urlset")
    for number, line in enumerate(text.splitlines(), start=1):
        line = strip_url(line)
        if not line:
            continue
        if not _URL_LINE.match(line):
            raise SitemapMalformed(f"text sitemap line {number} is not one absolute URL: {line[:100]!r}")
        if len(doc.entries) >= MAX_TEXT_LINES:
            raise SitemapMalformed(f"text sitemap has more than {MAX_TEXT_LINES} URLs")
        doc.entries.append({"loc": line})
    return doc
