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

Installed on feedparser's HTML processor class (``feedparser.html._BaseHTMLProcessor``, which the
sanitizer extends) by `install`, once, when `spiders.feed` is imported.
"""

from __future__ import annotations

import re
from html import escape
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
