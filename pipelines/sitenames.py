"""What a page says about its site outside the article: the text of its chrome, and its headings read
as a reader sees them (pure functions on an lxml tree).

Rule (chrome): a site names itself in the page's furniture, in its own language: the logo's text or
``alt`` ("Υπουργείο Μετανάστευσης και Ασύλου"), the header's and footer's lines ("© 2026 Ministeru
għall-Intern"), the navigation. `chrome_text` gathers that text (``header``, ``footer``, ``nav``,
ARIA banner and contentinfo, any element whose class or id says logo, brand or site name, and the
``alt`` and ``title`` of the images and links in them), folded (`pipelines.titles.fold`), except what
sits inside the page's ``article`` or ``main`` (an article's own ``<header>`` holds its headline) and
breadcrumbs (their last crumb is the page's headline). `pipelines.titles.chrome_segments` finds the
``<title>`` segments there, which `choose_title` drops from either end of the title, never the
headline.

Rule (logo headings): themes set the site's name in an ``<h1>`` on every page (``<header><h1
class="site-title"><a href="/" rel="home">City of Ghent</a></h1>``), and that name was taken for
the article's headline (adbar/trafilatura#71: the site's name extracted as the title).
`logo_heading` tells such an ``<h1>``: its whole text is one link to the site's home page (``/``,
``./``, ``index.html``, the host's root or ``rel="home"``), or it stands in the page's chrome
(``header``, ``nav``, banner, outside ``article`` and ``main``), or its class or id says logo, brand
or site name. It is no headline, and its text is one of the site's names.

Rule (headings): the text of an ``<h1>`` is read with a space where its child elements meet
(``<span>Integration</span><span>Neue Kurse</span>`` is "Integration Neue Kurse", not
"IntegrationNeue Kurse") and at ``<br>``; a kicker before the headline (a first child element of at
most `KICKER_WORDS` words, marked as such by its class, by a closing colon or by a ``<br>`` after it,
or standing in its own block: "Integration:" above "Neue Kurse für Geflüchtete") is not part of it.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from pipelines.titles import fold, one_line

MAX_CHROME_CHARS = 50_000
"""Cap on the chrome text kept (a mega-menu can hold thousands of links)."""
KICKER_WORDS = 5
"""A kicker (overline, Dachzeile, surtitre, occhiello) has at most this many words."""

_CHROME_PATH = (
    "//header | //footer | //nav | //*[@role='banner'] | //*[@role='contentinfo'] | //*[@role='navigation']"
)
_BRANDED = re.compile(r"logo|brand|site[-_]?(?:name|title)|navbar-header|masthead", re.IGNORECASE)
_CRUMBS = re.compile(r"breadcrumb|crumbs|ariane|brotkrum|kruimel|migalh|briciol", re.IGNORECASE)
_KICKER_CLASS = re.compile(
    r"kicker|overline|eyebrow|topline|roofline|dachzeile|spitzmarke|surtitre|surtitle|supertitle|"
    r"occhiello|antetitulo|antetítulo|pretitle|pre-title|subject|category|rubri[ck]",
    re.IGNORECASE,
)
_INLINE_KICKER_TAGS = frozenset({"span", "small", "em", "strong", "b", "i", "abbr", "mark"})
_BLOCK_KICKER_TAGS = frozenset({"div", "p", "small"})


def chrome_text(tree: HtmlElement) -> str:
    """The folded text of the page's chrome (module docstring), at most `MAX_CHROME_CHARS`."""
    pieces: list[str] = []
    size = 0
    seen: set[int] = set()
    for element in tree.xpath(_CHROME_PATH) + _branded(tree):
        if id(element) in seen or _inside_content(element) or _marked(element, _CRUMBS):
            continue
        seen.add(id(element))
        for text in _texts(element):
            pieces.append(text)
            size += len(text)
        if size > MAX_CHROME_CHARS:
            break
    return "\n".join(pieces)[:MAX_CHROME_CHARS]


def _branded(tree: HtmlElement) -> list[HtmlElement]:
    found = []
    for element in tree.iter("a", "div", "span", "p", "img", "strong", "figure"):
        if _BRANDED.search(f"{element.get('class') or ''} {element.get('id') or ''}"):
            found.append(element)
            if len(found) >= 50:
                break
    return found


def _texts(element: HtmlElement) -> list[str]:
    """Folded lines of an element: its text with crumbs left out, and its images' and links' labels."""
    texts: list[str] = []

    def walk(node: HtmlElement, depth: int) -> None:
        skip = (
            not isinstance(node.tag, str)
            or node.tag in ("script", "style", "template", "noscript")
            or _marked(node, _CRUMBS)
            or depth > 64
        )
        if not skip:
            for value in (node.text, node.get("alt"), node.get("title"), node.get("aria-label")):
                if value := one_line(value):
                    texts.append(fold(value))
            for child in node:
                walk(child, depth + 1)
        if depth and (tail := one_line(node.tail)):
            texts.append(fold(tail))

    walk(element, 0)
    return texts


def _marked(element: HtmlElement, pattern: re.Pattern[str]) -> bool:
    marker = f"{element.get('class') or ''} {element.get('id') or ''} {element.get('aria-label') or ''}"
    return bool(marker.strip()) and bool(pattern.search(marker))


def _inside_content(element: HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in ("article", "main") or ancestor.get("role") == "main":
            return True
        if _marked(ancestor, _CRUMBS):
            return True
    return False


_HOME_HREF = re.compile(
    r"^(?:(?:https?:)?//[^/?#]+/?|/|\./|\.?/?index\.\w{2,5}|\./index\.\w{2,5})(?:[?#].*)?$", re.IGNORECASE
)
_CHROME_TAGS = frozenset({"header", "nav"})


def logo_heading(heading: HtmlElement) -> bool:
    """True when the ``<h1>`` `heading` is the site's logo, not a headline (module docstring)."""
    if _marked(heading, _BRANDED):
        return True
    links = list(heading.iter("a"))
    if len(links) == 1:
        link = links[0]
        whole = fold(one_line(link.text_content()) or "") == fold(one_line(heading.text_content()) or "")
        home = "home" in (link.get("rel") or "").lower().split() or bool(
            _HOME_HREF.match(link.get("href") or "#x")
        )
        if whole and home:
            return True
    if _inside_content(heading):
        return False
    return any(
        a.tag in _CHROME_TAGS or a.get("role") in ("banner", "navigation") for a in heading.iterancestors()
    )


def heading_text(heading: HtmlElement) -> str | None:
    """An ``<h1>``'s headline as a reader sees it, kicker left out (module docstring)."""
    children = [c for c in heading if isinstance(c.tag, str)]
    pieces = [heading.text or ""]
    for child in children:
        pieces.append(" " if child.tag == "br" else f" {child.text_content()} ")
        pieces.append(child.tail or "")
    whole = one_line("".join(pieces))
    if not children or (heading.text or "").strip():
        return whole
    first = children[0]
    kicker = one_line(first.text_content())
    rest = one_line(
        "".join(
            [first.tail or ""]
            + [(" " if c.tag == "br" else f" {c.text_content()} ") + (c.tail or "") for c in children[1:]]
        )
    )
    if not kicker or not rest or len(kicker.split()) > KICKER_WORDS or len(rest.split()) < 2:
        return whole
    tag = str(first.tag).lower()
    after = children[1] if len(children) > 1 else None
    marked = (
        _marked(first, _KICKER_CLASS)
        or kicker.endswith(":")
        or (after is not None and after.tag == "br" and not (first.tail or "").strip())
        or tag in _BLOCK_KICKER_TAGS - {"small"}
    )
    if marked and (tag in _INLINE_KICKER_TAGS or tag in _BLOCK_KICKER_TAGS):
        return rest
    return whole
