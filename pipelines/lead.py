"""A page's lead paragraph that the extraction left out.

Rule: news sites often set the lead (standfirst) apart from the body container, and trafilatura
keeps the body container alone: sn.at's ``<p class="article-leadtext">`` stands before its
``<div class="section-text article-body-text">``, and the text began at the second paragraph,
without the sentence that says what happened. The page's own description (``og:description`` or
``<meta name="description">``, as trafilatura reads it) is that lead when an element of the page
holds it (its whole text, or the description cut short is the start of it), the element stands
before the first extracted paragraph, in the same block: their nearest common ancestor is the
lead's parent or grandparent and lies below ``<body>``. An element inside a header, navigation,
footer, aside, figure, quote or form is never the lead (a site's tagline, a teaser, a pull quote,
a cookie notice), nor one whose text is mostly links (a related-articles teaser) or names a
consent term ("cookies", pipelines.boilerplate.consent_terms). Then the lead's
text goes before the extracted text, unless the text already holds it.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from pipelines.boilerplate import consent_terms

MIN_LEAD_CHARS = 60
"""A description shorter than this is a tagline or a title, not a lead."""
KEY_CHARS = 60
"""Characters of a text compared to find where it is on the page."""
_LEAD_TAGS = ("p", "div", "h2", "h3", "span", "strong", "section", "header")
_PARAGRAPH_TAGS = ("p", "li", "h2", "h3", "h4", "blockquote", "dd", "td", "div")
_ELLIPSIS = "…. "
_NOT_LEAD = frozenset(
    {"header", "nav", "footer", "aside", "figure", "figcaption", "blockquote", "form", "button", "label"}
)
MAX_LINK_SHARE = 0.3
"""Share of a lead's characters that may be link text."""
PARAGRAPH_CHARS = 5000
"""Longest element searched for the first extracted paragraph (a paragraph, not a page section)."""
MAX_LEAD_DEPTH = 2
"""Levels the lead may sit below its common ancestor with the first extracted paragraph."""


def _norm(value: str | None) -> str:
    return " ".join((value or "").replace("\u00ad", "").split())


def restore_lead(tree: HtmlElement, text: str | None, description: str | None) -> str | None:
    """`text` with the page's lead before it when the extraction left the lead out (module rule);
    `text` unchanged otherwise (no description, a short one, one the text holds, no such element)."""
    if not text or not description:
        return text
    lead = _norm(description)
    key = lead.rstrip(_ELLIPSIS)
    if len(key) < MIN_LEAD_CHARS or key[:KEY_CHARS] in _norm(text):
        return text
    first = _norm(text.split("\n", 1)[0])[:KEY_CHARS]
    order = {el: i for i, el in enumerate(tree.iter())}
    body_start = _first_holding(tree, first)
    lead_el = _lead_element(tree, key)
    if body_start is None or lead_el is None or order[lead_el] >= order[body_start]:
        return text
    if not _near(lead_el, body_start) or not _readable(lead_el):
        return text
    return _norm(lead_el.text_content()) + "\n" + text


def _text_upto(el: HtmlElement, limit: int) -> str | None:
    """`el`'s text, whitespace folded, or None once it passes `limit` characters (read no further:
    every element of a deeply nested page would otherwise be read whole, quadratic in its size)."""
    pieces: list[str] = []
    size = 0
    for piece in el.itertext():
        pieces.append(piece)
        size += len(piece.strip())
        if size > limit:
            return None
    return _norm("".join(pieces))


def _first_holding(tree: HtmlElement, key: str) -> HtmlElement | None:
    """The first paragraph-like element of at most `PARAGRAPH_CHARS` whose text holds `key`, or the
    deepest such element inside it."""
    found: HtmlElement | None = None
    outer: HtmlElement | None = None
    for el in tree.iter(*_PARAGRAPH_TAGS):
        if outer is not None and not any(a is outer for a in el.iterancestors()):
            break
        content = _text_upto(el, PARAGRAPH_CHARS)
        if content is not None and key in content:
            found = el
            outer = outer if outer is not None else el
    return found


def _lead_element(tree: HtmlElement, key: str) -> HtmlElement | None:
    """The first element of the page's body whose whole text is the lead, or starts with it when
    the description was cut short (at most twice its length)."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    for el in root.iter(*_LEAD_TAGS):
        content = _text_upto(el, 2 * len(key) + 50)
        if content is None or len(content) < len(key):
            continue
        if content.rstrip(_ELLIPSIS) == key or content.startswith(key):
            return _innermost(el, key)
    return None


def _innermost(el: HtmlElement, key: str) -> HtmlElement:
    for inner in el.iter(*_LEAD_TAGS):
        if inner is not el and _norm(inner.text_content()).startswith(key):
            return _innermost(inner, key)
    return el


def _near(lead: HtmlElement, body_start: HtmlElement) -> bool:
    """Whether the two share an ancestor below ``<body>`` at most `MAX_LEAD_DEPTH` levels above the
    lead, and neither holds the other."""
    lead_line = [id(a) for a in lead.iterancestors()]
    if id(body_start) in lead_line or any(a is lead for a in body_start.iterancestors()):
        return False
    for ancestor in body_start.iterancestors():
        if id(ancestor) in lead_line:
            depth = lead_line.index(id(ancestor)) + 1
            return depth <= MAX_LEAD_DEPTH and ancestor.tag not in ("body", "html")
    return False


def _readable(lead: HtmlElement) -> bool:
    """Whether `lead` can be a lead: not in a header, navigation, footer, aside, figure, quote or
    form, and not mostly link text."""
    if lead.tag in _NOT_LEAD or any(a.tag in _NOT_LEAD for a in lead.iterancestors()):
        return False
    total = len(_norm(lead.text_content()))
    links = sum(len(_norm(a.text_content())) for a in lead.iter("a"))
    return total > 0 and links <= MAX_LINK_SHARE * total and not consent_terms(lead.text_content())
