"""Page metadata read from a parsed HTML tree: headline candidates, site names, the document heading
of legal pages, and the page's own publication and modification dates with their time of day.

Dates, first found wins for `PageMeta.published`:
1. JSON-LD ``datePublished`` of an Article-like object (Article, NewsArticle, Report, WebPage, ...);
2. ``<meta property="article:published_time">`` (also ``og:published_time``, itemprop datePublished);
3. Dublin Core and plain ``date`` meta (``DC.date.issued``, ``DC.date``, ``dcterms.issued``, ``date``),
   then the one full day that ``DC.source`` names, the issue the document was published in (EUR-Lex:
   ``Official Journal C 115 , 09/05/2008 P. 0001 - 0388``, ``Amtsblatt Nr. L 190 vom 18/07/2002``);
4. ``<time datetime>`` or ``itemprop=datePublished`` inside the page's article, main or h1's header
   (a ``datetime`` with the day alone takes the one time of day its byline writes: `_with_clock`;
   a ``<time>`` marked as the modification only, ``class="updated"`` or ``itemprop="dateModified"``,
   is skipped: `_modification`)
   (never inside aside, nav, footer, or a block of the article whose class or id says related, teaser,
   agenda, event, calendar, comment, recommended, sidebar, promo; nor in a readers' comment, which
   is often an ``<article>`` of its own: `pipelines.markup.in_comment_thread`).
A day alone gives way to a later candidate with the time of that same day (`_first_day`).
Never from a ``<script>`` other than JSON-LD, an agenda or event listing, "related articles" or the
copyright line. Values are returned as written (``2024-04-27T07:39+0200``, ``Tue, 4 May 2021
19:18:00 +0200``); a value that `pipelines.dates.parse_date` cannot read as a full day (``2021``) is
no date. `modified` follows the same order with dateModified / modified_time.

JSON-LD is read leniently, as browsers' and search engines' readers do (`load_json_ld`): a block
wrapped in an HTML comment or CDATA section, holding raw control characters (a tab or newline inside
a string) or a trailing comma before ``}`` or ``]`` is read; a block that is still no JSON is skipped.
"""

from __future__ import annotations

import json
import re
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, timedelta

from lxml.html import HtmlElement

from pipelines.boilerplate import block_text
from pipelines.clock import find_clock
from pipelines.dates import has_time_of_day, impossible_date, parse_date
from pipelines.markup import in_comment_thread
from pipelines.sitenames import chrome_text, heading_text, logo_heading
from pipelines.titles import fold, is_code_only, one_line

MAX_JSONLD_CHARS = 200_000
"""JSON-LD blocks longer than this are skipped (hostile pages)."""
_ARTICLE_TYPES = frozenset(
    t.lower()
    for t in [
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BlogPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
        "LiveBlogPosting",
        "PressRelease",
        "Legislation",
        "WebPage",
        "GovernmentService",
        "CreativeWork",
    ]
)
_NOT_ARTICLE = re.compile(
    r"(?<![a-z])(?:related|teaser|agenda|events?|calendar|comments?|recommend|sidebar|popular|newsletter|"
    r"footer|breadcrumb|copyright|widget|promo|verwandt|weitere|termine|veranstaltung|cookie|consent|disqus)",
    re.IGNORECASE,
)
"""A class or id of page chrome (`chrome_block`)."""
_CHROME_TAGS = frozenset({"aside", "nav", "footer", "script", "noscript", "template"})
_CHROME_ROLES = frozenset({"complementary", "contentinfo", "navigation", "search"})
_FULL_DAY = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4}|\d{8}")
_PUBLISHED_META = (
    "article:published_time", "og:published_time", "og:article:published_time", "datepublished",
    "article.published", "publishdate", "pubdate", "sailthru.date", "published", "og:published",
    "publish-date", "publish_date", "publication_date", "publication-date",
)  # fmt: skip
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified")
_SITE_META = ("og:site_name", "application-name", "apple-mobile-web-app-title", "publisher", "dc.publisher")
_SITE_TYPES = frozenset(
    {"organization", "governmentorganization", "newsmediaorganization", "website", "ngo", "corporation"}
)
"""JSON-LD types whose ``name`` is the site's (the publisher's ``name`` too)."""
_DC_META = ("dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "date")
"""Dublin Core publication dates; ``DC.Date.Created`` is the web page's creation, not the document's."""


@dataclass(frozen=True)
class PageMeta:
    """What the page says about itself (module docstring).

    headlines: h1 texts, og:title, twitter:title and JSON-LD headlines, in that order.
    confirmed: h1 texts that a metadata title repeats (folded comparison).
    site_names: og:site_name, application-name, apple-mobile-web-app-title, the ``publisher`` and
        ``DC.publisher`` meta, and the JSON-LD publisher's, Organization's and WebSite's ``name``.
    chrome: the folded text of the page's header, footer, navigation and logo
        (`pipelines.sitenames.chrome_text`), where a site names itself in its own language.
    doc_heading: the document's own heading when the page is a legal record (EUR-Lex ``#title``, the
        ``WT.z_docTitle`` meta, ``#procedureHeading``, the first heading after a code-only heading).
    published, modified: date strings as written; published_from: jsonld, meta, time or dc.
    impossible: the first publication date the page declares with fields out of range
        (``2026-02-30``, `pipelines.dates.impossible_date`) when no candidate is a valid date: the
        page then has no date (htmldate would read that same tag as another day, 1 February).
    """

    headlines: tuple[str, ...] = ()
    confirmed: tuple[str, ...] = ()
    site_names: tuple[str, ...] = ()
    chrome: str = ""
    doc_heading: str | None = None
    published: str | None = None
    published_from: str | None = None
    modified: str | None = None
    impossible: str | None = None


def read_page_meta(tree: HtmlElement, *, dayfirst: bool = True) -> PageMeta:
    """Read `PageMeta` from a parsed page; never raises for odd markup.

    dayfirst: the page's locale order for ambiguous numeric dates (`pipelines.dates.page_dayfirst`);
    a date only the other order can read is read that way (``either_order``).
    """
    metas: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = meta.get("content")
        if key and content and key not in metas:
            metas[key] = content
    ld_heads, ld_published, ld_modified, ld_names = _json_ld(tree)
    logos = [h for h in tree.iter("h1") if logo_heading(h)]  # the site's name (pipelines.sitenames)
    h1s = [t for t in (heading_text(h) for h in tree.iter("h1") if h not in logos) if t]
    meta_titles = [t for t in (one_line(metas.get(k)) for k in ("og:title", "twitter:title")) if t]
    meta_titles += ld_heads
    folded_meta = {fold(t) for t in meta_titles}
    confirmed = tuple(h for h in h1s if fold(h) in folded_meta)
    named = [metas.get(k) for k in _SITE_META] + ld_names + [heading_text(h) for h in logos]
    sites = tuple(dict.fromkeys(s for s in map(one_line, named) if s and len(s) <= 200))
    candidates = [(ld_published, "jsonld"), *[(metas.get(k), "meta") for k in _PUBLISHED_META],
                  *[(metas.get(k), "dc") for k in _DC_META], (_source_day(metas.get("dc.source")), "dc"),
                  (_article_time(tree), "time")]  # fmt: skip
    published, source = _first_day(candidates, dayfirst)
    impossible = None
    if published is None:
        values = (one_line(value) for value, _ in candidates)
        impossible = next(
            (
                v
                for v in values
                if v and len(v) <= 64 and impossible_date(v, dayfirst=dayfirst, either_order=True)
            ),
            None,
        )
    modified, _ = _first_day(
        [(ld_modified, "jsonld"), *[(metas.get(k), "meta") for k in _MODIFIED_META]], dayfirst
    )
    return PageMeta(
        headlines=tuple(dict.fromkeys([*h1s, *meta_titles])),
        confirmed=confirmed,
        site_names=sites,
        chrome=chrome_text(tree),
        doc_heading=_doc_heading(tree, metas),
        published=published,
        published_from=source,
        modified=modified,
        impossible=impossible,
    )


def _source_day(value: str | None) -> str | None:
    """The full day a ``DC.source`` value names (``Official Journal C 115 , 09/05/2008 P. 0001``), when
    it names exactly one."""
    days = _FULL_DAY.findall(value or "")
    return days[0] if len(days) == 1 else None


def _first_day(
    candidates: list[tuple[str | None, str]], dayfirst: bool = True
) -> tuple[str | None, str | None]:
    """The first candidate that reads as a full day, with the time of that day when any candidate
    gives it: a candidate with a real time of day wins if it is the first one or falls on the first
    one's day (in any zone, UTC-14 to UTC+14). A bare midnight without an offset is no time of day
    (Regeringen.se writes ``published 2013-07-03 00:00:00`` beside ``DC.Date 2013-07-03`` for a day,
    and ``2016-12-30 08:45:51`` beside ``2016-12-30`` for a time): the day alone is kept then."""
    found = [
        (value, source, parsed)
        for value, source in ((one_line(v), s) for v, s in candidates)
        if value
        and len(value) <= 64
        and (parsed := parse_date(value, UTC, dayfirst=dayfirst, either_order=True)) is not None
    ]
    if not found:
        return None, None
    first, source, day = found[0]
    if _timed(first):
        return first, source
    for value, other, parsed in found[1:]:
        if _timed(value) and -_ZONE_WEST <= parsed - day <= _ZONE_EAST + _ONE_DAY:
            return value, other
    return next(((v, s) for v, s, _ in found if not has_time_of_day(v)), (first, source))


_BARE_MIDNIGHT = re.compile(r"(?:^|[T\s])00[:.]00(?:[:.]00(?:[.,]0+)?)?$")


def _timed(value: str) -> bool:
    """A time of day (`pipelines.dates.has_time_of_day`) other than a bare 00:00 without an offset."""
    return has_time_of_day(value) and not _BARE_MIDNIGHT.search(value.strip())


_ZONE_WEST, _ZONE_EAST, _ONE_DAY = timedelta(hours=14), timedelta(hours=12), timedelta(days=1)
"""How far a timed value (read as UTC) may lie from the day's 00:00 UTC and still be that day
somewhere: local midnight at UTC+14 is 14 h before, local 24:00 at UTC-12 is 36 h after."""


def _json_ld(tree: HtmlElement) -> tuple[list[str], str | None, str | None, list[str]]:
    heads: list[str] = []
    names: list[str] = []
    article_date = any_date = modified = None
    for script in tree.iterfind(".//script[@type]"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = script.text or ""
        if len(raw) > MAX_JSONLD_CHARS:
            continue
        data = load_json_ld(raw)
        if data is None:
            continue
        for node in _walk(data):
            types = node.get("@type")
            kinds = {str(t).lower() for t in (types if isinstance(types, list) else [types])}
            publisher = node.get("publisher")
            for named in (node if kinds & _SITE_TYPES else None, publisher):
                if isinstance(named, dict) and isinstance(named.get("name"), str):
                    names.append(named["name"])
            if not kinds & _ARTICLE_TYPES:
                continue
            head = one_line(node.get("headline")) if isinstance(node.get("headline"), str) else None
            if head:
                heads.append(head)
            value = node.get("datePublished")
            if isinstance(value, str):
                any_date = any_date or value
                if not kinds <= {"webpage", "creativework", "event"}:
                    article_date = article_date or value
            if isinstance(node.get("dateModified"), str):
                modified = modified or node["dateModified"]
    return heads, article_date or any_date, modified, names


_WRAPPER = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r'("(?:[^"\\]|\\.)*")|,(\s*[}\]])', re.DOTALL)
"""A JSON string (group 1, kept as it is) or a comma before a closing brace or bracket (dropped)."""


def load_json_ld(raw: str) -> object | None:
    """A JSON-LD block's data, read leniently (module docstring), or None."""
    for attempt in (raw, _WRAPPER.sub("", raw)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            pass
    unwrapped = _WRAPPER.sub("", raw)
    try:
        return json.loads(_TRAILING_COMMA.sub(lambda m: m.group(1) or m.group(2), unwrapped), strict=False)
    except ValueError:
        return None


def _walk(data: object, depth: int = 0) -> list[dict]:
    """Dict nodes of a JSON-LD document, @graph included, at most 6 levels deep."""
    if depth > 6:
        return []
    if isinstance(data, list):
        return [n for item in data[:200] for n in _walk(item, depth + 1)]
    if not isinstance(data, dict):
        return []
    found = [data]
    for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
        if key in data:
            found += _walk(data[key], depth + 1)
    return found


def chrome_block(element: HtmlElement) -> bool:
    """`element` is page chrome, never the article's: an aside, nav or footer (also a script,
    noscript or template), an ARIA role ``complementary``, ``contentinfo``, ``navigation`` or
    ``search``, or a class or id that says related, teaser, agenda, event, calendar, comment,
    recommended, sidebar, popular, newsletter, footer, breadcrumb, copyright, widget, promo, cookie or
    consent (`_NOT_ARTICLE`). The one rule for every date the page gives: `excluded_block` and
    `without_chrome`."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.lower() in _CHROME_TAGS:
        return True
    if (element.get("role") or "").strip().lower() in _CHROME_ROLES:
        return True
    marker = f"{element.get('class') or ''} {element.get('id') or ''}"
    return bool(marker.strip()) and _NOT_ARTICLE.search(marker) is not None


def excluded_block(element: HtmlElement, scope: HtmlElement, *, itself: bool = False) -> bool:
    """Inside page chrome (`chrome_block`) between `scope` and `element` (`element` included when
    `itself`)."""
    for ancestor in [element, *element.iterancestors()] if itself else element.iterancestors():
        if ancestor is scope:
            return False
        if chrome_block(ancestor):
            return True
    return False


def without_chrome(tree: HtmlElement) -> HtmlElement:
    """A copy of `tree` without its page chrome (`chrome_block`), for a date search over the whole page
    (htmldate): a date found only in a footer ("© 2019 · Stand: 01.02.2018"), a sidebar's teasers or
    a menu never dates the article (adbar/htmldate#124). A page-wide ``<header>`` outside the article
    and main that holds no h1 (the site's banner and menus) goes too. An element that holds the h1,
    the article or main (a wrapper ``<div class="has-sidebar">``) stays; its text after a removed
    element stays."""
    copy = deepcopy(tree)
    keep: set[HtmlElement] = set()
    for core in copy.xpath("//h1 | //article | //main | //*[@role='main']"):
        keep.add(core)
        keep.update(core.iterancestors())
    doomed: list[HtmlElement] = []
    for element in copy.iter():
        if not isinstance(element.tag, str) or element in keep:
            continue
        if chrome_block(element) or (element.tag == "header" and _site_header(element)):
            doomed.append(element)
    gone = set(doomed)
    for element in doomed:
        parent = element.getparent()
        if parent is None or any(a in gone for a in element.iterancestors()):
            continue
        if element.tail and element.tail.strip():
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        parent.remove(element)
    return copy


def _site_header(header: HtmlElement) -> bool:
    """A ``<header>`` of the page, not of the article: outside article and main, no h1 inside."""
    if next(header.iter("h1"), None) is not None:
        return False
    return not any(
        a.tag in ("article", "main") or (a.get("role") or "").lower() == "main"
        for a in header.iterancestors()
    )


def _article_time(tree: HtmlElement) -> str | None:
    """The first dated ``<time>`` (or itemprop datePublished) in the article, main or the h1's block."""
    scopes = tree.xpath("//article | //main | //*[@role='main']") or []
    h1 = next(tree.iter("h1"), None)
    if h1 is not None and h1.getparent() is not None:
        scopes.append(h1.getparent())
    for scope in scopes:
        if in_comment_thread(scope) and (h1 is None or scope not in h1.iterancestors()):
            continue  # a readers' comment is an article too (pipelines.markup, comment threads)
        for element in scope.iter("time", "span", "div", "p", "meta"):
            if element.tag != "time" and (element.get("itemprop") or "").lower() != "datepublished":
                continue
            if _modification(element):
                continue
            value = element.get("datetime") or element.get("content")
            if value and _FULL_DAY.search(value) and not excluded_block(element, scope):
                if in_comment_thread(element):
                    continue
                return _with_clock(value.strip(), element)
    return None


_MODIFIED_MARK = re.compile(r"(?<![a-z])(?:updated|modified|datemodified|last-?modified)(?![a-z])", re.I)
_PUBLISHED_MARK = re.compile(r"(?<![a-z])(?:published|datepublished|pubdate|entry-date)(?![a-z])", re.I)


def _modification(element: HtmlElement) -> bool:
    """A ``<time>`` marked as the modification only: ``itemprop="dateModified"``, or a class that says
    updated or modified without saying published (GeneratePress and other WordPress themes write
    ``<time class="updated">`` before ``<time class="entry-date published">``; a post never edited
    has one ``<time class="entry-date published updated">``, which is the publication)."""
    marks = f"{element.get('class') or ''} {element.get('itemprop') or ''}"
    return bool(_MODIFIED_MARK.search(marks)) and not _PUBLISHED_MARK.search(marks)


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _with_clock(value: str, element: HtmlElement) -> str:
    """A ``<time datetime>`` that gives the day alone, with the time of day its byline writes beside
    it (rule: the one time in the text of the element's parent block, `pipelines.clock.find_clock`:
    ``<time datetime="2026-12-05">5.12.2026</time> | 14:30`` is 2026-12-05T14:30 in the source's
    zone); two times there, or none, leave the day alone."""
    parent = element.getparent()
    if not _ISO_DAY.match(value) or parent is None:
        return value
    clock = find_clock(one_line(parent.text_content()) or "")
    return f"{value}T{clock}" if clock else value


_PROCEDURE_HEADING = (
    "//*[@id='title']",
    "//*[@id='procedureHeading']//p",
    "//*[@id='procedureHeading']//span",
)


def _doc_heading(tree: HtmlElement, metas: dict[str, str]) -> str | None:
    for path in _PROCEDURE_HEADING:
        for element in tree.xpath(path):
            # EUR-Lex's #title holds title, committee and rapporteur on separate lines
            text = one_line(
                block_text(element).split("\n")[0] if path.endswith("'title']") else element.text_content()
            )
            if text and not is_code_only(text):
                return _drop_doc_prefix(text)
    text = one_line(metas.get("wt.z_doctitle"))
    if text and not is_code_only(text):
        return text
    for heading in tree.xpath("//h1 | //h2"):
        if not is_code_only(one_line(heading.text_content()) or ""):
            continue
        following = heading.xpath("following::*[self::h2 or self::strong or self::h3][position() <= 3]")
        for element in following:
            text = one_line(element.text_content())
            if text and not is_code_only(text) and len(text) > 15:
                return text
        break
    return None


def _drop_doc_prefix(text: str) -> str:
    """ "COM (2023) 261: Proposal for ..." -> "Proposal for ..." (a document number before a colon)."""
    match = re.match(r"^[A-Z]{2,}[\s(]*\d{4}\)?\s*\d+\s*:\s*(.+)$", text)
    return match.group(1) if match else text
