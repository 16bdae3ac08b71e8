"""HTML text to an lxml tree for extraction, including pages nested deeper than libxml2 parses.

Rule (link targets): a date in the URL of something the page links or embeds (a photo's upload
folder ``/uploads/2019/05/``, a related article ``/news/2018/01/02/...``, a PDF named
``2017-06-30_bericht.pdf``) is not the page's date, but htmldate's extensive search reads the whole
serialised page, attributes included, and took it (a made-up ``2019-05-01`` for a page without a
date). `drop_link_targets` removes those targets (``href`` of ``a``/``area``; ``src``, ``srcset``,
``data-src``, ``poster`` of embedded media and scripts) from the extraction tree once the page's
metadata and link texts were read; ``<link rel=canonical>`` and ``<meta>`` stay, and so does the
page's own URL, which htmldate reads as before.

Rule (comment threads): a date in readers' comments is not the page's, but htmldate reads the
whole page and took a comment's "Posted on 14 March 2025" for an undated article
(ageitgey/node-unfluff#93: the date extracted was the first comment's). `drop_comment_threads`
removes the comment containers the text extractor itself leaves out (trafilatura's own
``REMOVE_COMMENTS_XPATH``: ``id="comments"``, ``class="comment-list"``, ``disqus_thread``, ...)
before the dates are read; never the page's ``html``, ``body``, ``main`` or ``article``, nor an
element that holds the first ``<h1>``. `comment_thread` names a comment container by the ids and
classes comment systems write (WordPress ``div#comments.comments-area`` > ``ol.comment-list`` >
``li#comment-12.comment`` > ``article.comment-body``, Drupal's ``article.comment``,
``section.comments``, Disqus's ``#disqus_thread``, schema.org's ``itemprop="comment"``), one whole
class or id token each (`COMMENT_CLASSES`, `COMMENT_IDS`): a class that only contains such a word
(``commentary``, ``comments-open``, ``has-comments``) names no thread. Such an element goes too,
even an ``article`` (a comment is often one), unless it holds the first ``<h1>``; the page's
``<time>``, its teasers and bylines are not read inside one either (`in_comment_thread`:
`pipelines.pagemeta`, `pipelines.extract.own_teaser_date`). The same for ``<aside>`` (a sidebar's
"Related: 17 March 2025"), which the extractor drops from the text too and which
`pipelines.pagemeta` never takes a ``<time>`` from: htmldate dated an article whose byline is in a
language it does not read ("Pubblicato il 3 marzo 2025") by its sidebar's teaser.

Rule (deep markup): libxml2's HTML parser stops building the tree at 256 levels of nesting
("Excessive depth in document") and silently drops everything after that point, so a page with a
few hundred unclosed ``<font>``/``<span>``/``<b>`` tags (old CMS output) or wrappers nested that deep
lost its whole article. When the parse reports that error, the page is parsed again with the tags that
only wrap or format text removed (`_WRAPPERS`: ``div``, ``span``, ``font``, ``b``, ``i``, ``em``,
``strong`` and the like; their text, paragraphs, headings, lists, links, tables and the page's
``nav``/``header``/``footer``/``main``/``article`` stay), and the result says so (``flattened``; the
extraction flags it ``extract.deep_markup``). libxml2's limit is not raised instead (``huge_tree``): a
2,048-level tree is then handed to code that walks it recursively.

Rule (character references): HTML reads a numeric reference to any code point (``&#1;``,
``&#x0B;``, ``&#xFFFF;``, with or without its ``;``) and libxml2's HTML parser puts the C0 control or
the noncharacter U+FFFE/U+FFFF it names into the tree, though it drops the same characters written
raw. Such a character is not allowed in XML 1.0 (its ``Char`` production), and trafilatura, which
copies the article's text into an XML tree, caught lxml's "All strings must be XML compatible" and
discarded the whole text without a word (codelucas/newspaper#541 is the same fault). `parse_html`
removes those references before parsing (`drop_bad_references`): a vertical tab or form feed
becomes a space (HTML's and Unicode's whitespace), any other is dropped, as libxml2 drops the raw
character. References libxml2 already replaces (``&#0;``, a surrogate, beyond U+10FFFF: U+FFFD;
``&#x80;``-``&#x9F;``: Windows-1252) and characters XML allows (DEL, U+FDD0, U+1FFFE) stay.

Rule (hidden separators): the extractor drops elements marked ``aria-hidden="true"`` (icons, the
dash a site shows between a kicker and its headline only to sighted readers) and keeps their tail,
so the words either side ran together ("zur MigrationChiesa ruft"). `keep_hidden_breaks` puts a
space at the start of such an element's tail when it has none, so a word break stays where the
element was.
"""

from __future__ import annotations

import re

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.utils import HTML_PARSER, load_html
from trafilatura.xpaths import REMOVE_COMMENTS_XPATH

_WRAPPERS = re.compile(
    r"</?(?:div|span|font|b|i|u|s|em|strong|small|big|center|abbr|sup|sub|tt|nobr|blink|label|mark|cite|q)"
    r"(?=[\s/>])[^>]*>",
    re.IGNORECASE,
)
"""Opening, closing and self-closing tags of elements that only wrap or format text."""
_DEPTH_ERROR = "excessive depth"


_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
"""A numeric character reference, hexadecimal or decimal, its ``;`` optional (as HTML reads it)."""
_XML_WHITESPACE = frozenset({0x9, 0xA, 0xD})


def _bad_code_point(code: int) -> bool:
    """True for a code point libxml2 puts into the tree though XML 1.0 refuses it (module rule)."""
    return (0 < code < 0x20 and code not in _XML_WHITESPACE) or code in (0xFFFE, 0xFFFF)


def _replace_reference(match: re.Match[str]) -> str:
    code = int(match[1], 16) if match[1] is not None else int(match[2])
    if not _bad_code_point(code):
        return match[0]
    return " " if code in (0xB, 0xC) else ""


def drop_bad_references(markup: str) -> str:
    """`markup` without numeric references to characters XML refuses (module rule, character
    references)."""
    return _REFERENCE.sub(_replace_reference, markup) if "&#" in markup else markup


def parse_html(markup: str) -> tuple[HtmlElement | None, bool]:
    """(tree, flattened): the page's tree as trafilatura's `load_html` builds it, or, when libxml2
    stopped at its nesting limit, the tree of the page without its wrapper tags (module rule).
    References to characters XML refuses are dropped first (`drop_bad_references`).
    The tree is None when the markup is no HTML at all. Raises what lxml raises on hostile input."""
    markup = drop_bad_references(markup)
    tree = load_html(markup)
    if not _too_deep():
        return tree, False
    flat = load_html(_WRAPPERS.sub(" ", markup))
    return (flat if flat is not None else tree), True


_TARGETS = {
    "a": ("href",),
    "area": ("href",),
    **{tag: ("src", "srcset", "data-src", "data-srcset", "poster") for tag in (
        "img", "source", "iframe", "video", "audio", "embed", "script", "track", "input")},
    "object": ("data",),
}  # fmt: skip


def drop_link_targets(tree: HtmlElement) -> int:
    """Remove the targets of links and embeds from `tree` (module rule); returns how many."""
    removed = 0
    for element in tree.iter(*_TARGETS):
        for name in _TARGETS[str(element.tag)]:
            if name in element.attrib:
                del element.attrib[name]
                removed += 1
    return removed


_KEEP = frozenset({"html", "body", "main", "article"})
_ASIDES = XPath(".//aside")
COMMENT_CLASSES = frozenset({
    "comment", "comments", "comment-list", "commentlist", "comments-list", "comment-area",
    "comments-area", "comment-body", "comment-thread", "comments-thread", "comment-section",
    "comments-section", "comment-container", "comments-container", "comments-wrapper",
    "comment-respond", "comment-meta", "comment-metadata", "comment-content", "comment-item",
    "comments-block", "article-comments", "post-comments", "entry-comments", "node-comments",
    "js-comment", "js-comments", "fb-comments", "disqus-thread", "dsq-comments",
})  # fmt: skip
"""Whole class tokens of comment containers (module rule, comment threads)."""
COMMENT_IDS = re.compile(
    r"(?:comments?|commentlist|comment-list|comments-(?:area|section|list|container)|respond|"
    r"disqus_thread|dsq-comments|(?:div-|li-)?comment-\d+)",
    re.IGNORECASE,
)
"""A whole id of a comment container or of one comment (``comment-12``, WordPress's)."""


def comment_thread(element: HtmlElement) -> bool:
    """True when `element` is a readers' comment container or one comment (module rule); never the
    page's ``html``, ``body`` or ``main``."""
    if not isinstance(element.tag, str) or element.tag in ("html", "body", "main"):
        return False
    if COMMENT_IDS.fullmatch((element.get("id") or "").strip()):
        return True
    if (element.get("itemprop") or "").strip().lower() == "comment":
        return True
    return not COMMENT_CLASSES.isdisjoint((element.get("class") or "").lower().split())


def in_comment_thread(element: HtmlElement) -> bool:
    """True when `element` or one of its ancestors is a comment container (`comment_thread`)."""
    return any(comment_thread(e) for e in (element, *element.iterancestors()))


def _comment_threads(tree: HtmlElement) -> list[HtmlElement]:
    """The outermost elements `comment_thread` names (their comments go with them)."""
    found: list[HtmlElement] = []
    for element in tree.iter():
        if comment_thread(element) and not any(comment_thread(a) for a in element.iterancestors()):
            found.append(element)
    return found


def drop_comment_threads(tree: HtmlElement) -> int:
    """Remove readers' comment threads and asides from `tree` (module rule); returns how many."""
    h1 = next(tree.iter("h1"), None)
    keep = set(h1.iterancestors()) if h1 is not None else set()
    removed = 0
    threads = _comment_threads(tree)
    for found in (threads, *(xpath(tree) for xpath in (*REMOVE_COMMENTS_XPATH, _ASIDES))):
        for element in found:
            parent = element.getparent()
            if parent is None or element in keep or element is h1:
                continue
            if element.tag in _KEEP and not (element.tag == "article" and element in threads):
                continue
            tail = element.tail
            if tail and tail.strip():
                previous = element.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
            parent.remove(element)
            removed += 1
    return removed


def _too_deep() -> bool:
    """True when the last parse of trafilatura's parser stopped at libxml2's depth limit."""
    return any(_DEPTH_ERROR in (entry.message or "").lower() for entry in HTML_PARSER.error_log)


def keep_hidden_breaks(tree: HtmlElement) -> int:
    """Give every ``aria-hidden="true"`` element's tail a leading space (module rule); returns how
    many tails changed."""
    changed = 0
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.get("aria-hidden", "").strip().lower() != "true":
            continue
        tail = element.tail or ""
        if not tail[:1].isspace():
            element.tail = " " + tail
            changed += 1
    return changed
