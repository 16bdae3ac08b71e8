"""Which links of a followed page are its attachments (source setting `attachments: true`).

Rule (issue 13, "a page and its attachments are one item"): a PDF link in the page's main content,
published by the same publisher as the page.
- main content: the links inside ``<main>``, ``[role=main]`` or ``<article>`` when the page has one
  of these; else every link of ``<body>`` outside ``<nav>``, ``<header>``, ``<footer>``, ``<aside>``
  and ``[role=navigation]`` (site menus, footers and sidebars link the same PDFs from every page);
- a PDF link: its path ends in ``.pdf`` (any case; ``.pdf?__blob=publicationFile`` too) or the anchor
  says ``type="application/pdf"``. What is fetched is then routed by its bytes
  (pipelines.attachments), so a mislabelled link costs one fetch, never a wrong parse;
- same publisher: the same registrable domain (public suffix list, the copy bundled with tldextract,
  never fetched): ``www.bmi.bund.de`` and ``bmi.bund.de`` are one publisher, ``europa.eu`` sites
  share ``europa.eu``; another domain is another publisher's document and is not taken;
- at most `MAX_ATTACHMENTS` (10) per page, in document order, each URL once (fragment removed).
Relative links resolve against the page's ``<base href>`` when it has one (HTML's rule, as a browser
and Scrapy's ``response.urljoin`` do), else against the page's final URL; the publisher is always the
page's own host.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import tldextract
from scrapy.http import Response, TextResponse
from scrapy.utils.response import get_base_url

from crawler.urls import web_url

MAX_ATTACHMENTS = 10
"""Attachments fetched per page at most (a listing of 300 reports is no page with attachments)."""

_MAIN = "//main | //*[@role='main'] | //article"
_OUTSIDE_CHROME = (
    "//body//a[@href][not(ancestor::nav or ancestor::header or ancestor::footer or ancestor::aside"
    " or ancestor::*[@role='navigation'])]"
)
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registrable_domain(url: str) -> str:
    """The registrable domain of `url`'s host (``bmi.bund.de`` for ``https://www.bmi.bund.de/x``);
    the host itself for an IP address or a name without a known suffix (``127.0.0.2``, ``localhost``)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    parts = _EXTRACT(host)
    return parts.top_domain_under_public_suffix or host


def is_pdf_link(url: str, media_type: str | None = None) -> bool:
    """True when the link's path ends in ``.pdf`` or its declared type is application/pdf."""
    if media_type and media_type.split(";")[0].strip().lower() == "application/pdf":
        return True
    return urlsplit(url).path.lower().endswith(".pdf")


def attachment_links(response: Response, limit: int = MAX_ATTACHMENTS) -> list[tuple[str, str | None]]:
    """(absolute URL, anchor text or None) of the page's attachments (module docstring), in order."""
    if not isinstance(response, TextResponse):
        return []
    try:
        containers = response.xpath(_MAIN)
        anchors = containers.xpath(".//a[@href]") if containers else response.xpath(_OUTSIDE_CHROME)
    except ValueError:  # not markup Scrapy can parse
        return []
    base = get_base_url(response)
    page_url = response.url.split("#", 1)[0]
    publisher = registrable_domain(response.url)
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for anchor in anchors:
        href = (anchor.attrib.get("href") or "").strip()
        url = web_url(urljoin(base, href).split("#", 1)[0]) if href else None
        if not url or url in seen or url == page_url:
            continue
        if not is_pdf_link(url, anchor.attrib.get("type")) or registrable_domain(url) != publisher:
            continue
        seen.add(url)
        text = " ".join(" ".join(anchor.xpath(".//text()").getall()).split()) or None
        out.append((url, text))
        if len(out) >= limit:
            break
    return out
