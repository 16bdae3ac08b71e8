"""The text right under a page's headline, where a byline writes when the article was published.

CMSs put the publication line in an element classed ``meta``, ``byline``, ``post-meta`` or
``entry-meta`` ("Pubblicato il 3 marzo 2025", "Gepubliceerd op 3 maart 2025"), and the text
extractor drops exactly those elements as boilerplate, so `pipelines.extract.written_dates` never
saw the line, and htmldate, which reads few month names, found no date or the update date beside it
(adbar/htmldate#10: the date found was not the publication date; adbar/trafilatura#4).

Rule (`text_after_headline`): the visible text that follows the page's first ``<h1>`` in document
order, at most `limit` characters, inline text run together as written and each block on a line
of its own, leaving out scripts, styles, templates and what stands in an ``aside``, ``nav`` or
``footer`` (or a block classed as related, comments or agenda content, `pipelines.pagemeta.excluded`);
the headline's own text is not part of it. A page without an
``<h1>`` has none. It is searched for a written date only after the main text, which keeps its
precedence.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml.html import HtmlElement

from pipelines.pagemeta import excluded

_SKIP = frozenset({"script", "style", "template", "noscript", "head", "title"})
_BLOCKS = frozenset(
    {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "br", "h2", "h3", "h4", "h5", "h6", "section",
     "header", "article", "table", "tr", "td", "th", "figure", "figcaption", "blockquote", "address"}
)  # fmt: skip


def text_after_headline(tree: HtmlElement, limit: int) -> str:
    """The text under the first ``<h1>`` (module docstring): one line per block, `limit` characters."""
    h1 = next(tree.iter("h1"), None)
    if h1 is None:
        return ""
    root = tree.getroottree().getroot()
    lines: list[str] = []
    size = 0
    for element in _following(h1):
        for line in _texts(element, root):
            lines.append(line)
            size += len(line) + 1
        if size >= limit:
            break
    return "\n".join(lines)[:limit]


def _following(element: HtmlElement) -> Iterator[HtmlElement]:
    """The elements after `element` in document order that do not contain it: its following
    siblings, then each ancestor's following siblings."""
    node: HtmlElement | None = element
    while node is not None:
        yield from node.itersiblings()
        node = node.getparent()


def _texts(element: HtmlElement, root: HtmlElement) -> list[str]:
    """The lines of `element` and its tail: inline text run together as written, a block element
    (`_BLOCKS`) on a line of its own; skipped or excluded parts left out."""
    lines: list[str] = []
    if (
        isinstance(element.tag, str)
        and element.tag not in _SKIP
        and not excluded(element, root, inclusive=True)
    ):
        parts: list[str] = []
        _collect(element, root, parts)
        lines.extend(" ".join(line.split()) for line in "".join(parts).split("\n"))
    lines.append(" ".join((element.tail or "").split()))
    return [line for line in lines if line]


def _collect(element: HtmlElement, root: HtmlElement, parts: list[str]) -> None:
    block = element.tag in _BLOCKS
    if block:
        parts.append("\n")
    parts.append(element.text or "")
    for child in element:
        if (
            isinstance(child.tag, str)
            and child.tag not in _SKIP
            and not excluded(child, root, inclusive=True)
        ):
            _collect(child, root, parts)
        parts.append(child.tail or "")
    if block:
        parts.append("\n")
