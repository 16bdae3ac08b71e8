"""Listing template: an HTML page whose item links a selector finds, with optional next pages.

The selector is CSS (``ul.documents a::attr(href)``) or XPath (starting with ``/`` or ``(``).
If it selects elements rather than attribute strings, each element's ``href`` and text are used.
Rule for the links: each resolves against the page's ``<base href>`` (else its URL) and only a web URL
(`crawler.urls.web_url`: http or https with a host) is an item; ``javascript:``, ``mailto:``,
``tel:``, ``data:`` and ``ftp:`` links, in any case and with any surrounding spaces, and in-page
``#`` anchors are skipped before they are counted, so they never take an item's place under
``max_items``.

Rule for an entry's title (`entry_title`): a link's text is the item's provisional title (flag
``title_from_link``: the page's own title replaces it) unless it is no title (crawler.linklabels:
"Read more", "1", "weiterlesen", "lire la suite", short texts, numbers). Then the listing's own title
for the entry is taken: the text of another link to the same address on the page ("<h3><a>Title</a>
</h3> ... <a>Read more</a>"), else the first heading (h1-h6) of the smallest enclosing element
(`ENTRY_LEVELS` levels up at most) that links to no other address. Failing both, the item has no
title (flag ``title_missing``) until its page is read: a stub never shows "Read more" as its title.

Rule for a walk (spiders.base, "walks"): with `next_page`, every listing page may lead to the next,
so a page answering unchanged (the same body) is read all the same: its links are not emitted again
(they count against `max_items` as when they were stored) and its next page is asked for, within
`max_pages`. A new link on page 3 behind unchanged pages 1 and 2 is found; an unchanged last page
ends the walk with one 304 (it led nowhere last time, so it is asked with its validators).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from parsel import Selector, SelectorList
from scrapy.http import Response, TextResponse

from crawler.linklabels import is_link_label
from crawler.types import TITLE_MISSING
from crawler.urls import web_url
from spiders.base import SourceSpider


def select(selector: Selector | TextResponse, query: str) -> SelectorList:
    """Apply a CSS or XPath query (XPath when it starts with '/' or '(')."""
    return selector.xpath(query) if query.startswith(("/", "(")) else selector.css(query)


ENTRY_LEVELS = 4
"""Enclosing elements of a link searched at most for its entry's heading (li > div > p > a)."""


def _text(node: Selector) -> str | None:
    return " ".join(" ".join(node.css("::text").getall()).split()) or None


def entry_title(response: TextResponse, node: Selector, text: str | None) -> str | None:
    """The title of the entry whose link is `node` with text `text` (module rule for an entry's title)."""
    if not is_link_label(text):
        return text
    href = (node.attrib.get("href") or "").strip()
    if not href:
        return None
    for other in response.xpath("//a[@href]"):
        if (other.attrib.get("href") or "").strip() == href and not is_link_label(label := _text(other)):
            return label
    parent = node
    for _ in range(ENTRY_LEVELS):
        found = parent.xpath("..")
        if not found:
            break
        parent = found[0]
        if {(a.attrib.get("href") or "").strip() for a in parent.xpath(".//a[@href]")} - {href}:
            break
        for heading in parent.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6"):
            if not is_link_label(label := _text(heading)):
                return label
    return None


def links(response: TextResponse, query: str) -> list[tuple[str | None, str | None, str | None]]:
    """(href, title, link text) triples the query finds, in page order; the title is `entry_title`.

    A CSS query ending in ``::attr(href)`` is also run without that suffix so that each link keeps
    its anchor text as a provisional title (a PDF often has no title of its own).
    """
    found: list[tuple[str | None, str | None, str | None]] = []
    css_nodes = query.endswith("::attr(href)") and "," not in query
    nodes: SelectorList = (
        response.css(query.removesuffix("::attr(href)")) if css_nodes else select(response, query)
    )
    for node in nodes:
        if isinstance(node.root, str):
            found.append((node.root, None, None))
        else:
            text = _text(node)
            found.append((node.attrib.get("href"), entry_title(response, node, text), text))
    return found


class ListingSpider(SourceSpider):
    """Harvest a source of kind `listing`: one item per link found by `listing.links`."""

    name = "listing"

    def walks(self) -> bool:
        """A listing with `next_page` may lead to further pages (module rule for a walk)."""
        return bool(self.source.listing and self.source.listing.next_page)

    def parse(self, response: Response, page: int = 1) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.record_error("parse.not_html", f"{response.url}: listing is not a text document")
            return
        listing = self.source.listing
        assert listing is not None  # guaranteed by Source validation
        found = 0
        for href, title, text in links(response, listing.links):
            href = (href or "").strip()
            url = web_url(response.urljoin(href)) if href and not href.startswith("#") else None
            if url is None:
                continue
            found += 1
            item = self.new_item(url, title=title)
            if title:
                item.flags.append("title_from_link")  # provisional: the page's own title wins
            elif text:
                item.flags.append(TITLE_MISSING)  # its link's text is no title (module rule)
            if self.due_again(item, response):
                yield from self.emit(item)
        self.stat("ewsi/listing/links", found)
        if listing.next_page and page < listing.max_pages and self.budget_left():
            next_href = select(response, listing.next_page).get()
            if next_href:
                self.led_on(response)
                yield self.source_request(
                    response.urljoin(next_href), callback=self.parse, walk=True, cb_kwargs={"page": page + 1}
                )
        elif listing.next_page and page >= listing.max_pages:
            self.stat("ewsi/listing/page_budget_reached")
