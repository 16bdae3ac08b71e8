"""Escaped CDATA sections in a feed's HTML fields are text, not a declaration to drop.

Feeds escape a CDATA section once too often: ``<description>&lt;![CDATA[Courses for refugees]]&gt;
</description>`` (feedparser issue 440). After XML decoding the field's value is the markup
``<![CDATA[Courses for refugees]]>``; feedparser reads the value as HTML, and its HTML processor
(sgmllib) reports the section to ``unknown_decl``, which discards it: the summary (or title, or
content) came out empty, or with a hole where the section stood.

Rule: inside an HTML-valued field, a CDATA marked section (``<![CDATA[...]]>``, keyword in any case)
is character data: its content is kept, with ``&``, ``<`` and ``>`` escaped so that it stays text
(markup inside it is shown as written, never run); any other marked section (``<![if ...]>`` of
Word's HTML, ``<![IGNORE[...]]>``) is still dropped. A field feedparser reads as plain text (an
RSS title without tags) keeps the section's markup as written; `unwrap_cdata` gives its content
(``<![CDATA[Courses]]>`` is ``Courses``), so that titles and authors read as the summary does.

Nested sections. A CDATA section cannot contain another (XML 1.0 section 2.7): the first ``]]>``
ends the outer one, and the rest of the field is read as markup (feed-io#55, feedparser#440), so
the field came out as tags shown as text with CDATA debris. Rule: a section that holds balanced
``<![CDATA[`` ... ``]]>`` pairs and closes before its entry does is one field's HTML: the inner
sections' markers are dropped and their content is part of the outer one's HTML (a writer that
wraps its HTML twice, or quotes code in ``<pre>``: text the editors read, never tags shown as
text), and the feed parses as its writer meant (`repair_nested_cdata`, before feedparser). An
unbalanced or unclosed section is left as written. Whatever the parser's path (strict or loose),
an entry's title and summary keep no CDATA marker (`feed_html`): a value that shows one escaped
(``&lt;![CDATA[``, debris of a section the parser could not read) is markup escaped once too often
and is unescaped once; every marker left is removed, its content kept. The normalise stage then
makes title and summary plain text (pipelines.normalize.plain_line).

Installed on feedparser's HTML processor class (``feedparser.html._BaseHTMLProcessor``, which the
sanitizer extends) by `install`, once, when `spiders.feed` is imported.
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import Any

import feedparser.html

_INSTALLED = "_ewsi_cdata_text"
_CDATA = "cdata["
_CDATA_SECTION = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.IGNORECASE | re.DOTALL)


def unwrap_cdata(text: str | None) -> str | None:
    """Plain `text` with every CDATA section replaced by its content (module docstring)."""
    return _CDATA_SECTION.sub(r"\1", text) if text else text


def _unknown_decl(parser: Any, data: str) -> None:
    """`data` is a marked section's body without ``<![`` and ``]]>``: a CDATA one becomes text."""
    if data[: len(_CDATA)].lower() == _CDATA:
        parser.handle_data(escape(data[len(_CDATA) :], quote=False))


def install() -> None:
    """Put the rule of the module docstring on feedparser's HTML processor (idempotent)."""
    cls: Any = feedparser.html._BaseHTMLProcessor
    if getattr(cls, _INSTALLED, False):
        return
    cls.unknown_decl = _unknown_decl
    setattr(cls, _INSTALLED, True)


# --- CDATA sections nested in a CDATA section, and their debris -------------------------------------

_OPEN = "<![CDATA["
_CLOSE = "]]>"
_MARKER = re.compile(r"<!\[CDATA\[|\]\]>")
_ESCAPED_MARKER = re.compile(r"&lt;!\[CDATA\[|\]\]&gt;", re.IGNORECASE)
_RAW_MARKER = re.compile(r"<!\[CDATA\[|\]\]>", re.IGNORECASE)
_ENTRY_END = re.compile(r"</(?:[\w.-]+:)?(?:item|entry|channel|feed|RDF)\s*>", re.IGNORECASE)
_MAX_MARKERS = 64
"""Markers looked at for one section's nesting: a hostile run of ``<![CDATA[`` costs linear time."""


def repair_nested_cdata(text: str) -> str:
    """`text` (an XML feed) with each CDATA section written inside another CDATA section made part
    of the outer one's character data (module docstring); any other text unchanged."""
    if text.count(_OPEN) < 2:
        return text
    out: list[str] = []
    pos = 0
    while (start := text.find(_OPEN, pos)) >= 0:
        end = _nested_end(text, start)
        if end is None:
            close = text.find(_CLOSE, start + len(_OPEN))
            if close < 0:
                break
            out.append(text[pos : close + len(_CLOSE)])
            pos = close + len(_CLOSE)
            continue
        out.append(text[pos:start])
        out.append(_OPEN + _flatten(text[start + len(_OPEN) : end]) + _CLOSE)
        pos = end + len(_CLOSE)
    out.append(text[pos:])
    return "".join(out)


def _nested_end(text: str, start: int) -> int | None:
    """Where the ``]]>`` that balances the section opened at `start` begins, when sections are
    nested in it and it closes before its entry ends; None otherwise."""
    limit_match = _ENTRY_END.search(text, start)
    limit = limit_match.start() if limit_match else len(text)
    depth, nested = 1, False
    for count, marker in enumerate(_MARKER.finditer(text, start + len(_OPEN), limit)):
        if count >= _MAX_MARKERS:
            return None
        if marker.group() == _OPEN:
            depth += 1
            nested = True
            continue
        depth -= 1
        if depth == 0:
            return marker.start() if nested else None
    return None


def _flatten(body: str) -> str:
    """The content of a section with balanced inner sections: their markers dropped."""
    return _MARKER.sub("", body)


def feed_html(value: str | None) -> str | None:
    """An entry's HTML-valued title or summary (feedparser's, or a JSON Feed's) without CDATA
    markers: when the value shows an escaped marker (``&lt;![CDATA[``, ``]]&gt;``: debris of a
    section the parser could not read, whatever its path), the value is that markup escaped once
    too often and is unescaped once; then every ``<![CDATA[`` and ``]]>`` left is removed, its
    content kept. The normalise stage then makes the value plain text."""
    if not value:
        return value
    if _ESCAPED_MARKER.search(value):
        value = unescape(value)
    return _RAW_MARKER.sub("", value)
