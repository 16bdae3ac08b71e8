"""The result of one extraction (`ExtractedDocument`) and the caps every extractor applies.

Caps: text at `MAX_TEXT_CHARS` characters (flag ``text_truncated``), titles at `MAX_TITLE_CHARS` on one
line with invisible characters (soft hyphen, zero-width, BOM) removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.text import strip_bidi_controls

MAX_TEXT_CHARS = 1_000_000
"""Cap on extracted text, in characters."""
MAX_TITLE_CHARS = 1_000
"""Cap on a page title, in characters (a hostile page can put megabytes in <title>)."""
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")


@dataclass(frozen=True)
class ExtractedDocument:
    """What `extract_document` found in one body.

    text: main text (paragraphs separated by newlines), None when nothing was extracted.
    title: the page's title (HTML ``<title>``, PDF metadata title, XML first TITLE element).
    published: the page's publication date as trafilatura/htmldate give it (``YYYY-MM-DD``).
    author: author names as trafilatura gives them (``"A; B"``).
    language: the language the page declares (``<html lang>``, ``xml:lang``, Content-Language meta),
        as written (``de-DE``).
    page_count: pages of a PDF (all pages, even beyond the 300 read).
    method: html, pdf, xml or unsupported.
    warnings: flag strings, see the module docstring.
    headline: trafilatura's title (og:title or h1), often the title without the site name.
    raw_title: the title as the page or file gives it (HTML ``<title>``, PDF metadata title).
    published_from: where `published` came from: jsonld, meta, time, dc (page metadata, with the time
        of day when given), url (a compact ``YYYYMMDD`` date in the URL's path), htmldate, text (a
        date written near the top of the text), teaser (the site's own teaser of the page,
        `pipelines.extract.own_teaser_date`).
    modified: the page's modification date as written (JSON-LD dateModified, article:modified_time).
    summary: an HTML page's summary (`pipelines.summary.page_summary`: its description, else its
        lead paragraph), for an item whose index gave none.
    published_ago: a publication date the byline writes relative to the day it is read ("vor 2
        Tagen": ``P2D``; `pipelines.relative_dates`), resolved against the fetch time when the page
        gives no other date.
    dayfirst: how `published` and `modified` read when they are ambiguous numeric dates: the page's
        locale order (`pipelines.dates.page_dayfirst`; month first for ``en-US``), a preference that a
        date only the other order can read overrides.
    """

    text: str | None = None
    title: str | None = None
    published: str | None = None
    author: str | None = None
    language: str | None = None
    page_count: int | None = None
    method: str = "unsupported"
    warnings: tuple[str, ...] = ()
    headline: str | None = None
    raw_title: str | None = None
    published_from: str | None = None
    modified: str | None = None
    dayfirst: bool = True
    summary: str | None = None
    published_ago: str | None = None


def cap_text(text: str | None, warnings: list[str]) -> str | None:
    """`text` cut to `MAX_TEXT_CHARS` (``text_truncated`` added to `warnings`); None when blank."""
    if not text or not text.strip():
        return None
    if len(text) > MAX_TEXT_CHARS:
        warnings.append("text_truncated")
        return text[:MAX_TEXT_CHARS]
    return text


def one_line(value: str | None) -> str | None:
    """`value` on one line, invisible characters and bidirectional controls (crawler.text.BIDI_CONTROLS)
    removed, at most `MAX_TITLE_CHARS`; None when empty."""
    if not value:
        return None
    value = " ".join(_INVISIBLE.sub("", strip_bidi_controls(value) or "").split())[:MAX_TITLE_CHARS]
    return value or None
