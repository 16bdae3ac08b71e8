"""What an HTML page says about itself in its ``<head>``, read cheaply when its extraction did not finish.

Rule (pipelines.extract, `extract_bounded`): when the bounded worker did not return a document for an
HTML page (stopped at its time limit, ``extract.timeout``; killed at its memory limit,
``extract.memory``; or failed), the item is not left with nothing: it keeps what the page's head
gives without a full extraction, read in the crawl process from at most `HEAD_BYTES` bytes and only
with regular expressions (no parser, no trafilatura), so a page that stalls the worker cannot stall
the crawl:
- the title: ``og:title``, else ``twitter:title``, else Dublin Core's ``DC.title`` (``dcterms.title``:
  EUR-Lex), else ``<title>``; ``<title>`` is also the raw title;
- the summary: ``<meta name="description">``, else ``og:description``, ``twitter:description``,
  ``DC.description`` (``dcterms.description``); a title that is only a page code
  (`pipelines.titles.is_code_only`: EUR-Lex's ``EUR-Lex -  - EN``) gives way to the summary's first
  sentence (`pipelines.titles.title_from_summary`), as an item without a title gets;
- the declared language: ``<html lang>``.
The item keeps the kill's flag (``extract.timeout`` or ``extract.memory``), which the desk shows as
"text missing", and gets no text: the text is what the full extraction would have given.
"""

from __future__ import annotations

import html
import re

from pipelines.decode import decode_html
from pipelines.normalize import SUMMARY_MAX_BYTES, TITLE_MAX_BYTES, plain_line, plain_title
from pipelines.titles import is_code_only, title_from_summary

HEAD_BYTES = 256 * 1024
"""Bytes of the body read for the head's metadata (the head of a large legal act is a few KiB)."""

_HEAD_END = re.compile(rb"</head\s*>|<body[\s>]", re.IGNORECASE)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_TITLE_KEYS = ("og:title", "twitter:title", "dc.title", "dcterms.title")
_DESCRIPTION_KEYS = (
    "description",
    "og:description",
    "twitter:description",
    "dc.description",
    "dcterms.description",
)


def _attributes(tag: str) -> dict[str, str]:
    return {m[1].lower(): html.unescape(m[2] or m[3] or m[4] or "") for m in _ATTR.finditer(tag)}


def head_metadata(
    body: bytes, header_charset: str | None
) -> tuple[str | None, str | None, str | None, str | None]:
    """(title, raw title, summary, declared language) of an HTML body's head by the module's rule;
    each None when the page does not give it."""
    head = body[:HEAD_BYTES]
    end = _HEAD_END.search(head)
    if end is not None:
        head = head[: end.start()]
    markup, _encoding = decode_html(head, header_charset)
    metas: dict[str, str] = {}
    for tag in _META.findall(markup):
        attributes = _attributes(tag)
        key = (attributes.get("property") or attributes.get("name") or "").strip().lower()
        content = attributes.get("content", "").strip()
        if key and content:
            metas.setdefault(key, content)
    found = _TITLE.search(markup)
    raw_title, _ = plain_title(html.unescape(found.group(1)) if found else None, TITLE_MAX_BYTES)
    social = next((metas[k] for k in _TITLE_KEYS if k in metas), None)
    title, _ = plain_title(social, TITLE_MAX_BYTES) if social else (raw_title, False)
    description = next((metas[k] for k in _DESCRIPTION_KEYS if k in metas), None)
    summary, _ = plain_line(description, SUMMARY_MAX_BYTES)
    if summary and (not title or is_code_only(title)):
        title = title_from_summary(summary)
    root = _HTML_TAG.search(markup)
    language = (_attributes(root.group(0)).get("lang") or "").strip() or None if root else None
    return title, raw_title, summary, language
