"""Text, not menus: tell an article's text from navigation, consent banners and lead-in blocks.

Rules:
- Consent layers: before extraction, elements whose id, class, role or aria-label names a cookie or
  consent layer (cookie, consent, gdpr, cmp, onetrust, didomi, usercentrics, cookiebot, ...) are
  removed, unless they hold more than `MAX_BANNER_CHARS` of text (then they are the page, not a
  layer). After extraction, a text that still reads as a banner (`is_consent_text`: at least
  `CONSENT_TERMS` distinct consent words of any EU language in its first 1,500 characters, and short)
  is not the article: first its banner lines are dropped (`drop_consent_lines`: a line with
  `CONSENT_TERMS` consent words, or a short button-like line with one), and what is left is the text
  when it holds a sentence (a short news item under an unmarked banner was lost whole); else another
  extraction is tried, else the item is flagged ``extract.consent`` and gets no text (its raw body is
  kept by the store). So is a short remnant of a consent wall: one that names `REMNANT_TERMS` consent
  words (one word is no wall: "Der Bundesrat erteilte seine Zustimmung" is news).
- Wall or overlay: a wall replaces the article, an overlay sits beside it. A page is a consent wall
  only when no article text is left once the consent dialog is gone: from a short text left after a
  consent layer was removed, the lines naming `REMNANT_TERMS` consent words and the button-like lines
  with one ("Diese Website verwendet Cookies ... Privacy policy", "Accept all") are dropped, and
  what is left is the text when one of its lines is a sentence (`SENTENCE_CHARS`) that is not one of
  the page's headings (`heading_texts`: a headline over "accept cookies or subscribe" is no
  article); the same holds for a banner-like text's rest (`drop_consent_lines`). A one-sentence
  news item under a cookie dialog keeps its sentence; a page of only a dialog and a "subscribe or
  accept" line is ``extract.consent``.
- Navigation: a text is navigation-like (`navigation_share` >= `NAV_SHARE`) when most of its characters
  sit on lines that are link texts of the page, or on very short lines (<= 3 words) making up most
  lines of a long list. Such a text gives way to trafilatura's precision mode, then to the best
  content block (`best_block_text`: article, main, or the table cell or div with the most non-link
  text, readability-style); if every try is navigation-like the item is flagged ``extract.boilerplate``.
- Lead-in: lines before the document's own title near the top of the text (search help, "skip to
  content", a welcome line) are dropped (`drop_lead_in`); a source's repeated opening lines are
  learned across its pages and dropped (`LeadInLearner`). A text whose lines are mostly lines other
  pages of the source repeat (`NAV_SHARE` of its characters) is the site's furniture: flagged
  ``extract.boilerplate``.
- Teasers of other pages: before extraction, a box inside the text that a "read more" label heads
  (`READ_MORE_LABELS`, any EU language: "Czytaj więcej", "Lesen Sie auch:", "Lire aussi", "Läs
  också") and that links elsewhere is removed (`prune_read_more`): the box is the label's nearest
  ancestor holding a link outside the label, when it holds at most `READ_MORE_BOX_CHARS` of text,
  spaces collapsed (a longer one is the article around the teaser, and is kept; so is a label that is
  itself a link).
- Not printed: before extraction, an element whose class says the page hides it when printed
  (`NOT_PRINTED`: ``no-print``, ``noprint``, ``hidden-print``, Bootstrap's ``d-print-none``, ...) is
  the screen's furniture (share and scroll buttons, social links, a "legislative chain" of related
  documents), not the document, and is removed (`prune_not_printed`); html, body, main and article
  elements, and an element holding an h1, are kept.
- Headings of link lists: before extraction, a heading (h2 to h6) whose section holds links and no
  text outside them is removed with its section (`prune_link_headings`): "Ladda ner:" over a PDF's
  link, "Ordförklaringar" over a glossary link, "Related links" over a list. The section is the
  heading's following siblings up to the first one that is or holds a heading; a heading with no
  section, or with any word outside a link in it, stays.
Tables used for layout (`unwrap_layout_tables`, before extraction): a cell of links is a menu, not
text; the other cells become blocks so the text keeps its paragraphs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from itertools import accumulate

from lxml import etree
from lxml.html import HtmlElement

from pipelines.titles import fold

MAX_BANNER_CHARS = 4_000
"""A consent-named element holding more text than this is a page wrapper and is kept."""
CONSENT_REMNANT_CHARS = 300
"""What is left of a page after its consent layer went, when shorter than this and still speaking of
consent, is the wall's remnant ("read on after accepting cookies"), not an article."""
CONSENT_TERMS = 3
"""Distinct consent words in a text's head that make it a banner."""
REMNANT_TERMS = 2
"""Distinct consent words that make a short text left after a consent layer the wall's remnant."""
BUTTON_WORDS = 5
"""A line of at most this many words with a consent word is a banner's button ("Alle akzeptieren")."""
SENTENCE_CHARS = 40
"""A text left after its banner lines went is an article when one of its lines is this long."""
NAV_SHARE = 0.6
"""Share of a text's characters on link lines or short list lines that makes it navigation."""
NAV_SAMPLE_CHARS = 20_000
"""Navigation-likeness is judged on a text's first characters (a menu sits at the top)."""
LAYOUT_CELL_CHARS = 300
"""A table cell with more text than this is page layout, not data."""
MENU_LINK_SHARE = 0.6
"""A layout cell whose text is at least this share links is a menu."""
NOT_PRINTED = frozenset(
    (
        "no-print", "noprint", "non-print", "not-print", "hidden-print", "print-hidden", "hide-print",
        "hide-on-print", "print-hide", "d-print-none", "print-none", "non-printable", "not-printable",
    )
)  # fmt: skip
"""Class names that hide an element when the page is printed."""
READ_MORE_BOX_CHARS = 600
"""A box headed by a "read more" label and holding more text than this is not a teaser."""
READ_MORE_DEPTH = 4
"""How many ancestors of a "read more" label are looked at for the teaser's box."""
LEAD_IN_LINES = 40
"""A title line further down than this is not where the text begins."""
MIN_LEAD_IN_PAGES = 2
"""An opening line shared by this many pages of a source (the current one included) is a lead-in."""
MIN_REPEAT_PAGES = 2
"""A line that this many other pages of the source also have is the site's, not the document's."""
MAX_LINES_PER_PAGE = 300
"""Lines of a text remembered and judged for repetition."""
MAX_LINES_PER_SOURCE = 50_000
"""Distinct lines remembered per source."""

_CONSENT_MARKER = re.compile(
    r"cookie|consent|gdpr|dsgvo|\bcmp\b|cmp-|onetrust|didomi|usercentrics|cookiebot|tarteaucitron|"
    r"iubenda|klaro|borlabs|quantcast|sp_message|privacy-?banner|cc-banner|cc-window|truste",
    re.IGNORECASE,
)
_CONSENT_MARKER_LOWER = re.compile(_CONSENT_MARKER.pattern)
"""`_CONSENT_MARKER` without IGNORECASE, for lower-cased text (its pattern is lower case)."""
_CONSENT_LITERALS = (
    "cookie", "consent", "gdpr", "dsgvo", "cmp", "onetrust", "didomi", "usercentrics", "tarteaucitron",
    "iubenda", "klaro", "borlabs", "quantcast", "sp_message", "privacy", "cc-banner", "cc-window", "truste",
)  # fmt: skip
"""Every `_CONSENT_MARKER` match holds one of these (lower case): a value without any is no match."""
_FOLD_ODD = ("\u0130", "\u0131", "\u017f", "\u212a")
"""The characters that IGNORECASE matches to an ASCII letter and ``str.lower`` does not lower to it
(dotted and dotless i, long s, Kelvin sign): with one of them the values are searched as written."""
_NAMING_VALUES = etree.XPath("//@id | //@class | //@aria-label", smart_strings=False)
_NAMING_ATTRIBUTES = etree.XPath("//@id | //@class | //@aria-label")
"""Where a layer's name is looked for: plain strings for the first look, then values that know their
element (the rule was the three values joined by a space: no name spans one)."""
_CONSENT_VOCABULARY = (
    "cookie cookies consent accept reject preferences tracking partners privacy",  # en, it, nl
    "einwilligung zustimmen akzeptieren ablehnen datenschutzeinstellungen zustimmung",  # de
    "datenschutzerklärung",  # de
    "accepter acceptez refuser consentement paramétrer traceurs",  # fr
    "aceptar rechazar consentimiento",  # es
    "accetta accetto rifiuta consenso",  # it
    "aceitar rejeitar consentimento",  # pt
    "accepteren weigeren toestemming",  # nl
    "godkänn acceptera samtycke avvisa",  # sv
    "accepter afvis samtykke acceptér",  # da
    "akceptuję zgoda zgody zgodę odrzuć ciasteczka ciasteczek akceptuj prywatności",  # pl
    "souhlas souhlasím odmítnout",  # cs
    "súhlas súhlasím odmietnuť elfogad elfogadom sütiket sütik hozzájárulás adatvédelmi",  # sk, hu
    "sutinku sutikimas sutikimą slapukai slapukus slapukų privatumo",  # lt
    "sīkdatnes sīkdatņu piekrītu küpsised küpsiseid nõustun",  # lv, et
    "evästeet evästeitä hyväksy hyväksyn",  # fi
    "αποδοχή συγκατάθεση συγκατάθεσή συγκατάθεσης απόρριψη απορρήτου",  # el
    "приемам бисквитки бисквитките съгласие отхвърлям поверителност",  # bg
    "prihvati prihvaćam kolačiće kolačića piškotki piškotke sprejmi sprejmem",  # hr, sl
    "accepta accept consimțământ consimțământul consimtamant refuz confidențialitate",  # ro
    "naċċetta fianáin",  # mt, ga
)
"""Words of cookie and consent banners, per language."""
_CONSENT_WORDS = frozenset(" ".join(_CONSENT_VOCABULARY).split())
READ_MORE_LABELS = (
    "read more", "read also", "also read", "see also", "related articles", "related stories",  # en
    "lesen sie auch", "lesen sie mehr", "weiterlesen", "mehr zum thema", "auch interessant",  # de
    "lire aussi", "à lire aussi", "lire la suite", "voir aussi", "sur le même sujet",  # fr
    "leggi anche", "leggi di più", "leggi tutto", "vedi anche",  # it
    "lee también", "leer más", "ver también", "te puede interesar",  # es
    "leia também", "leia mais", "ler mais", "veja também",  # pt
    "lees ook", "lees meer", "lees verder", "zie ook",  # nl
    "czytaj więcej", "czytaj też", "czytaj także", "zobacz też", "zobacz także", "przeczytaj też",  # pl
    "čtěte také", "čtěte též", "přečtěte si také", "čítajte aj", "čítajte tiež", "prečítajte si aj",  # cs, sk
    "preberite tudi", "pročitajte i", "pročitajte još", "olvasd el ezt is", "kapcsolódó cikkek",  # sl, hr, hu
    "citește și", "citeşte şi", "vezi și", "прочетете още", "вижте още", "още по темата",  # ro, bg
    "διαβάστε επίσης", "διαβάστε ακόμη", "διαβάστε περισσότερα", "σχετικά άρθρα",  # el
    "läs också", "läs även", "läs mer", "læs også", "læs mere", "lue myös", "lue lisää",  # sv, da, fi
    "loe ka", "loe edasi", "vaata ka", "lasi arī", "lasiet arī", "taip pat skaitykite",  # et, lv, lt
    "skaitykite daugiau", "aqra wkoll", "aqra aktar", "léigh tuilleadh", "léigh freisin",  # lt, mt, ga
)  # fmt: skip
"""Labels heading a teaser of another page inside an article ("read more", "see also"), per language."""
_READ_MORE = frozenset(fold(label) for label in READ_MORE_LABELS)
_READ_MORE_LONGEST = max(len(label) for label in _READ_MORE) + 4
_SHORT_TEXTS = etree.XPath("//text()[string-length(normalize-space(.)) > 4 and string-length(.) < 200]")
_WORDS = re.compile(r"[^\W\d_]+")
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "dd",
        "dt",
        "dl",
        "td",
        "th",
        "form",
        "figure",
        "figcaption",
        "address",
        "main",
        "aside",
        "nav",
    ]
)
_LAYOUT_BLOCKS = ("p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4")
_NON_TEXT = frozenset(("script", "style", "noscript", "template", "svg", "iframe", "button", "select"))


def prune_consent(tree: HtmlElement) -> int:
    """Remove consent and cookie layers from `tree` in place (module rules); returns how many.

    One XPath gathers every id, class and aria-label value; a page where none names a layer is left
    as it is (most pages). Each naming value's element is a candidate (not html, body, main or
    article, nor one holding more than `MAX_BANNER_CHARS` of text); nested candidates go with their
    outermost one.
    """
    hits = layer_names(_NAMING_VALUES(tree))
    if not hits:
        return 0
    attributes = _NAMING_ATTRIBUTES(tree)  # the same values, in the same order, with their elements
    doomed: dict[HtmlElement, None] = {}
    for index in hits:
        element = attributes[index].getparent()
        if element is None or element in doomed or not isinstance(element.tag, str):
            continue
        if element.tag in ("html", "body", "main", "article") or _longer_than(element, MAX_BANNER_CHARS):
            continue
        doomed[element] = None
    removed = 0
    for element in doomed:  # lxml keeps one proxy per element while it is referenced
        if element.getparent() is not None and not any(a in doomed for a in element.iterancestors()):
            element.drop_tree()
            removed += 1
    return removed


_PRINT_CLASSES = etree.XPath("//*[contains(translate(@class, 'PRINT', 'print'), 'print')]")


def prune_not_printed(tree: HtmlElement) -> int:
    """Remove the elements a page hides when printed (module rules) from `tree` in place; returns how
    many."""
    doomed = [
        element
        for element in _PRINT_CLASSES(tree)
        if NOT_PRINTED.intersection((element.get("class") or "").lower().split())
        and element.tag not in ("html", "body", "main", "article")
        and next(element.iter("h1"), None) is None
    ]
    outermost = [e for e in doomed if not set(e.iterancestors()).intersection(doomed)]
    for element in outermost:
        element.drop_tree()
    return len(outermost)


def prune_read_more(tree: HtmlElement) -> int:
    """Remove the teasers of other pages that "read more" labels head (module rules) from `tree` in
    place; returns how many."""
    doomed: dict[HtmlElement, None] = {}
    for node in _SHORT_TEXTS(tree):
        label = node.getparent()
        if label is None or len(node) > _READ_MORE_LONGEST or fold(str(node)) not in _READ_MORE:
            continue
        if fold(label.text_content()) not in _READ_MORE or label.tag == "a" or _in_link(label):
            continue
        box = _teaser_box(label)
        if box is not None:
            doomed[box] = None
    removed = 0
    for box in doomed:
        if box.getparent() is not None and not any(a in doomed for a in box.iterancestors()):
            box.drop_tree()
            removed += 1
    return removed


def _in_link(element: HtmlElement) -> bool:
    return any(ancestor.tag == "a" for ancestor in element.iterancestors())


def _teaser_box(label: HtmlElement) -> HtmlElement | None:
    """The nearest ancestor of `label` with a link outside it, when short enough to be a teaser."""
    for depth, box in enumerate(label.iterancestors()):
        if depth >= READ_MORE_DEPTH or box.tag in ("html", "body", "main", "article"):
            return None
        if len(" ".join(box.text_content().split())) > READ_MORE_BOX_CHARS:
            return None
        if any(link is not label and label not in link.iterancestors() for link in box.iter("a")):
            return box
    return None


def prune_link_headings(tree: HtmlElement) -> int:
    """Remove headings whose sections are only links, with those sections (module rules), from `tree`
    in place; returns how many headings went."""
    doomed: list[list[HtmlElement]] = []
    for heading in tree.iter(*_SUB_HEADINGS):
        section = _section(heading)
        links = any(next(el.iter("a"), None) is not None for el in section)
        if links and not _has_words(section) and not _WORDS.search(heading.tail or ""):
            doomed.append([heading, *section])
    for elements in doomed:
        for element in elements:
            if element.getparent() is not None:
                element.drop_tree()
    return len(doomed)


_SUB_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_HEADINGS = frozenset(("h1", *_SUB_HEADINGS))


def _section(heading: HtmlElement) -> list[HtmlElement]:
    """`heading`'s following siblings up to the first that is or holds a heading."""
    section: list[HtmlElement] = []
    for sibling in heading.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if next(sibling.iter(*_HEADINGS), None) is not None:
            break
        section.append(sibling)
    return section


def _has_words(elements: list[HtmlElement]) -> bool:
    """Whether `elements` (and the text after each) hold a word outside links, scripts and styles."""
    for top in elements:
        if _WORDS.search(top.tail or ""):
            return True
        if top.tag == "a" or not isinstance(top.tag, str) or top.tag in _NON_TEXT:
            continue
        if _WORDS.search(top.text or "") or _has_words(list(top)):
            return True
    return False


def layer_names(values: list[str]) -> list[int]:
    """Indexes of the `values` in which `_CONSENT_MARKER` finds a layer's name, in order.

    The same answer as searching each value, found faster: the values are joined by line ends (no
    name spans one) and searched once, after a look for `_CONSENT_LITERALS` in the lower-cased text
    (searched case-sensitively there, unless a character of `_FOLD_ODD` is present).
    """
    joined = "\n".join(values)
    lowered = joined.lower()
    if len(lowered) == len(joined) and not any(odd in joined for odd in _FOLD_ODD):
        if not any(literal in lowered for literal in _CONSENT_LITERALS):
            return []
        matches = _CONSENT_MARKER_LOWER.finditer(lowered)
    else:
        matches = _CONSENT_MARKER.finditer(joined)
    starts = list(accumulate((len(v) + 1 for v in values), initial=0))
    found: dict[int, None] = {}
    for match in matches:
        found[bisect_right(starts, match.start()) - 1] = None
    return list(found)


def _longer_than(element: HtmlElement, limit: int) -> bool:
    size = 0
    for piece in element.itertext():
        size += len(piece)
        if size > limit:
            return True
    return False


def unwrap_layout_tables(tree: HtmlElement) -> int:
    """Turn tables used for layout into plain blocks, dropping their menu cells; returns how many.

    A layout table has a cell of its own (not of a nested table) that holds block content (p, div,
    list, heading, a nested table, two ``<br>``) or more than `LAYOUT_CELL_CHARS` characters. In it, a
    cell whose text is mostly links (`MENU_LINK_SHARE`, at least three links) is a menu and goes; the
    other cells become ``div`` so the extractor keeps their paragraphs instead of a one-line table row.
    Data tables (short cells, no blocks) are left alone.
    """
    tables = [t for t in tree.iter("table") if _is_layout(t)]
    for table in tables:
        for cell in _own_cells(table):
            text = " ".join(cell.text_content().split())
            links = list(cell.iter("a"))
            linked = sum(len(" ".join(a.text_content().split())) for a in links)
            if len(links) >= 3 and text and linked / len(text) >= MENU_LINK_SHARE:
                cell.drop_tree()
    for table in tables:
        for element in [table, *table.iter("tbody", "thead", "tfoot", "tr", "td", "th")]:
            if element.tag in ("table", "tbody", "thead", "tfoot", "tr", "td", "th"):
                element.tag = "div"
                for name in ("width", "colspan", "rowspan", "valign", "align", "border"):
                    element.attrib.pop(name, None)
    return len(tables)


def _own_cells(table: HtmlElement) -> list[HtmlElement]:
    return [c for c in table.iter("td", "th") if next(c.iterancestors("table"), None) is table]


def _is_layout(table: HtmlElement) -> bool:
    for cell in _own_cells(table):
        if len(cell.text_content()) > LAYOUT_CELL_CHARS:
            return True
        has_block = any(element is not cell for element in cell.iter(*_LAYOUT_BLOCKS))
        if has_block or sum(1 for _ in cell.iter("br")) >= 2:
            return True
    return False


def consent_terms(text: str) -> set[str]:
    """The distinct consent words in `text` (lower-case)."""
    return {w for w in (m.group(0).lower() for m in _WORDS.finditer(text)) if w in _CONSENT_WORDS}


def drop_consent_lines(
    text: str | None, terms: int = CONSENT_TERMS, headings: frozenset[str] = frozenset()
) -> str | None:
    """`text` without its banner lines (module rules: a line naming `terms` consent words, or a
    button-like line with one), or None when no article text is left: no line of a sentence's length
    (`SENTENCE_CHARS`) that is not one of the page's `headings` (a headline alone is no article), or
    what is left still reads as a banner."""
    if not text:
        return None
    kept = []
    for line in text.splitlines():
        found = consent_terms(line)
        if len(found) >= terms or (found and len(line.split()) <= BUTTON_WORDS):
            continue
        kept.append(line)
    rest = "\n".join(kept).strip()
    sentences = (" ".join(line.split()) for line in kept if len(line) >= SENTENCE_CHARS)
    if not any(line not in headings for line in sentences) or is_consent_text(rest):
        return None
    return rest


def heading_texts(tree: HtmlElement) -> frozenset[str]:
    """The texts of the page's headings (h1 to h6), spaces collapsed."""
    found = (" ".join(h.text_content().split()) for h in tree.iter("h1", "h2", "h3", "h4", "h5", "h6"))
    return frozenset(text for text in found if text)


def is_consent_text(text: str | None) -> bool:
    """A cookie or consent banner rather than an article (module rules)."""
    if not text:
        return False
    head = text[:1500]
    found = consent_terms(head)
    if len(found) < CONSENT_TERMS:
        return False
    # a long article that mentions cookies once is not a banner: the banner words must be dense
    words = max(1, len(_WORDS.findall(head)))
    return len(text) < 3000 or len(found) / words > 0.04


def navigation_share(text: str | None, link_texts: set[str]) -> float:
    """Share of the text's characters that look like navigation (link lines, short list lines)."""
    if not text:
        return 0.0
    lines = [line.strip() for line in text[:NAV_SAMPLE_CHARS].splitlines() if line.strip()]
    if not lines:
        return 0.0
    total = sum(len(line) for line in lines)
    linked = sum(len(line) for line in lines if fold(line) in link_texts)
    short = [line for line in lines if len(line.split()) <= 3]
    share = linked / total
    if len(lines) >= 15 and len(short) / len(lines) >= 0.7:
        share = max(share, sum(len(line) for line in short) / total + 0.3)
    return min(1.0, share)


def link_texts(tree: HtmlElement, limit: int = 5_000) -> set[str]:
    """Folded texts of the page's links (at most `limit`)."""
    found: set[str] = set()
    for anchor in tree.iter("a"):
        text = fold(anchor.text_content())
        if text:
            found.add(text)
            if len(found) >= limit:
                break
    return found


def block_text(element: HtmlElement) -> str:
    """The element's text with a line end after every block element and ``<br>`` (paragraphs kept)."""
    pieces: list[str] = []

    def walk(node: HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _NON_TEXT:
            if node.tail:
                pieces.append(node.tail)
            return
        if tag == "br":
            pieces.append("\n")
        if node.text and tag:
            pieces.append(node.text)
        for child in node:
            walk(child)
        if tag in _BLOCK_TAGS:
            pieces.append("\n")
        if node.tail:
            pieces.append(node.tail)

    walk(element)
    lines = (" ".join(line.split()) for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def best_block_text(tree: HtmlElement, limit: int = 4_000) -> str | None:
    """Readability-style: the text of the block (article, main, td, div, section) with the most text
    outside links, links weighing against it; None when no block has a link density below 0.35."""
    best: tuple[float, HtmlElement] | None = None
    seen = 0
    for element in tree.iter("article", "main", "td", "div", "section"):
        seen += 1
        if seen > limit:
            break
        text_chars = len(" ".join(element.text_content().split()))
        if text_chars < 200:
            continue
        linked = sum(len(" ".join(a.text_content().split())) for a in element.iter("a"))
        density = linked / text_chars
        if density >= 0.35:
            continue
        score = (text_chars - linked) * (1 - density)
        if best is None or score > best[0]:
            best = (score, element)
    if best is None:
        return None
    return block_text(best[1]) or None


def drop_lead_in(text: str | None, titles: list[str]) -> str | None:
    """The text from its first line that begins with one of `titles`, or is the first 30+ characters of one
    (a title broken over lines), within the first `LEAD_IN_LINES` non-blank lines; unchanged when no
    such line is found."""
    if not text:
        return text
    wanted = {fold(t) for t in titles if t and len(t) >= 12}
    if not wanted:
        return text
    lines = text.split("\n")
    seen = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        folded = fold(line)
        if any(folded.startswith(w) or (len(folded) >= 30 and w.startswith(folded)) for w in wanted):
            return "\n".join(lines[index:]).strip() if index else text
        seen += 1
        if seen >= LEAD_IN_LINES:
            break
    return text


class LeadInLearner:
    """Per source, the lines its pages repeat: opening lines (a site header the extractor kept) and
    any line (a menu or footer that came out as text).

    `strip(source_id, text)` records the text's lines, then removes the leading lines seen at the
    start of at least `MIN_LEAD_IN_PAGES` pages of the source (this one included), and returns
    (text, lines removed). A text is never emptied: if every line is repeated it is kept; a text
    identical to an earlier one of the source (a duplicate) is returned as it is.
    `repeated_share(source_id, text)`: the share of the text's characters on lines that at least
    `MIN_REPEAT_PAGES` other pages of the source also have (a text made of the site's own furniture).
    Memory is bounded: `max_pages` pages and `MAX_LINES_PER_SOURCE` distinct lines per source.
    """

    def __init__(self, max_pages: int = 1_000):
        self.max_pages = max_pages
        self._pages: Counter[str] = Counter()
        self._lines: dict[str, Counter[str]] = defaultdict(Counter)
        self._anywhere: dict[str, Counter[str]] = defaultdict(Counter)
        self._texts: dict[str, set[int]] = defaultdict(set)

    def strip(self, source_id: str, text: str | None, title: str | None = None) -> tuple[str | None, int]:
        """Learn from and clean one page's text (class docstring). A line that is the page's own
        `title` ends the lead-in: two pages of a source under one headline (two closure notices, a
        press release and its update) share it, and the one read second lost it, a different one
        on each run, so the text changed on every re-read and the copies were never grouped."""
        if not text:
            return text, 0
        key = hash(text)
        if key in self._texts[source_id]:
            return text, 0  # the same text again (a duplicate page) is not its own lead-in
        lines = text.split("\n")
        if self._pages[source_id] < self.max_pages:
            self._texts[source_id].add(key)
            self._pages[source_id] += 1
            self._lines[source_id].update({fold(line) for line in lines[:LEAD_IN_LINES] if line.strip()})
            anywhere = self._anywhere[source_id]
            if len(anywhere) < MAX_LINES_PER_SOURCE:
                anywhere.update({fold(line) for line in lines[:MAX_LINES_PER_PAGE] if len(line.strip()) > 2})
        seen = self._lines[source_id]
        headline = fold(title) if title and title.strip() else None
        cut = 0
        while (
            cut < len(lines)
            and cut < LEAD_IN_LINES
            and (not lines[cut].strip() or seen[fold(lines[cut])] >= MIN_LEAD_IN_PAGES)
            and fold(lines[cut]) != headline
        ):
            cut += 1
        if cut == 0 or cut >= len(lines):
            return text, 0
        return "\n".join(lines[cut:]), cut

    def repeated_share(self, source_id: str, text: str | None) -> float:
        """Share of `text`'s characters on lines `MIN_REPEAT_PAGES` other pages of the source have
        (call after `strip`, which counted this page)."""
        if not text:
            return 0.0
        anywhere = self._anywhere[source_id]
        lines = [line for line in text.split("\n")[:MAX_LINES_PER_PAGE] if len(line.strip()) > 2]
        total = sum(len(line) for line in lines)
        if not total:
            return 0.0
        repeated = sum(len(line) for line in lines if anywhere[fold(line)] > MIN_REPEAT_PAGES)
        return repeated / total
