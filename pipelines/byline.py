"""The byline: the short lines a page writes around its headline before the text starts.

Rule: publishers state the publication date (and its time, and the update date beside it) in the
lines right after the headline ("Veröffentlicht: 03. Mai 2025, 14:30", "Publié le 03/03/2025 · Mis
à jour le 10/03/2025", "Nieuwsbericht | 03-03-2025 | 14:30") or right before it, in the headline's
own header block (the Europa Component Library's "Press release | 3 March 2025 | Brussels").
Main-text extraction drops these short lines, and a whole-page date guess takes the page's first
date, which may be an update ("Zuletzt aktualisiert" above "Veröffentlicht"), a sidebar's or a
related article's. The byline is read from the page itself instead:

- the headline is the first ``h1``-``h3`` outside the page's chrome (`pipelines.pagemeta.excluded_block`:
  a sidebar's teaser of the same title is not it) whose text equals the document's title (folded),
  else the first ``h1`` that is not a link to the home page (a logo), else, on a page without one,
  the first ``h2`` outside the chrome (a page that sets its headline in an ``h2``);
- the byline is the text of the headline's header block before it (at most `BEFORE_CHARS`), then
  the text after it in document order, up to the first run of text of `PARAGRAPH_CHARS` or more
  (the article's first paragraph) or the next heading, and at most `AFTER_CHARS` in `AFTER_LINES`
  runs;
- text inside ``aside``, ``nav``, ``footer``, ``script``, ``style`` or a block whose class or id
  names related articles, comments, a sidebar or a widget is skipped (`pipelines.pagemeta` reads
  ``<time>`` elements with the same exclusions).
"""

from __future__ import annotations

from lxml.html import HtmlElement

from pipelines.pagemeta import excluded_block
from pipelines.sitenames import heading_text
from pipelines.titles import fold, one_line

BEFORE_CHARS = 200
"""Text of the headline's header block before the headline that still belongs to its byline."""
AFTER_CHARS = 400
"""Text after the headline that may be its byline."""
PARAGRAPH_CHARS = 120
"""A text run this long is the article's first paragraph: the byline ends before it."""
AFTER_LINES = 8
"""Text runs after the headline that may be its byline (a byline is a few short lines, a table of
key events is not one)."""
_HEADINGS = ("h1", "h2", "h3")
_ALL_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIPPED = frozenset({"aside", "nav", "footer", "script", "style", "noscript", "template", "button"})


def byline_text(tree: HtmlElement, title: str | None) -> str:
    """The byline of the page's headline (module docstring), or "" when the page has no headline."""
    headline = _headline(tree, title)
    if headline is None:
        return ""
    body = tree.find("body")
    scope = body if body is not None else tree
    before = _before(headline)
    after: list[str] = []
    size = 0
    for node in headline.xpath("following::text()"):
        parent = node.getparent()
        if parent is not None and getattr(node, "is_tail", False):
            parent = parent.getparent()  # a tail belongs to the block around its element
        if parent is None or _skipped(parent, scope):
            continue
        piece = one_line(str(node))
        if not piece:
            continue
        if (
            len(piece) >= PARAGRAPH_CHARS
            or size + len(piece) > AFTER_CHARS
            or len(after) >= AFTER_LINES
            or _in_heading(parent, headline)
        ):
            break
        after.append(piece)
        size += len(piece) + 1
    return "\n".join([*before, *after])


def _headline(tree: HtmlElement, title: str | None) -> HtmlElement | None:
    key = fold(title) if title else None
    if key:
        for element in tree.iter(*_HEADINGS):
            text = heading_text(element)
            if text and fold(text) == key and not excluded_block(element, tree, itself=True):
                return element  # a teaser's heading in a sidebar is another page's, whatever it says
    for element in tree.iter("h1"):
        if not _home_link(element) and heading_text(element):
            return element
    # a page without an h1 sets its headline in the first h2 outside its chrome (pipelines.extract
    # `_continued_heading` reads the same headline for the title)
    for element in tree.iter("h2"):
        if (
            heading_text(element)
            and not _home_link(element)
            and not excluded_block(element, tree, itself=True)
        ):
            return element
    return None


def _home_link(element: HtmlElement) -> bool:
    """A heading that is (or holds) a link to the site's home page: a logo, not a headline."""
    links = [element] if element.tag == "a" else list(element.iter("a"))
    return any((a.get("href") or "").strip() in ("/", "./", "") for a in links if a.get("href") is not None)


def _before(headline: HtmlElement) -> list[str]:
    """The text of the headline's earlier siblings in its header block (kicker, meta line)."""
    pieces: list[str] = []
    size = 0
    for sibling in headline.itersiblings(preceding=True):
        if (
            not isinstance(sibling.tag, str)
            or sibling.tag in _SKIPPED
            or sibling.tag == "header"  # the site's header with its logo
            or any(True for _ in sibling.iter(*_ALL_HEADINGS))
        ):
            break
        text = one_line(sibling.text_content())
        if not text:
            continue
        if len(text) >= PARAGRAPH_CHARS or size + len(text) > BEFORE_CHARS:
            break
        pieces.insert(0, text)
        size += len(text) + 1
    return pieces


def _in_heading(element: HtmlElement, headline: HtmlElement) -> bool:
    """A text of another heading than the headline: the next section has begun."""
    for ancestor in [element, *element.iterancestors()]:
        if ancestor is headline:
            return False
        if ancestor.tag in _ALL_HEADINGS:
            return True
    return False


def _skipped(element: HtmlElement, scope: HtmlElement) -> bool:
    if not isinstance(element.tag, str) or element.tag in _SKIPPED:
        return True
    return excluded_block(element, scope, itself=True)
