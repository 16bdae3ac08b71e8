"""A followed page's summary, for an item whose index (a listing, a sitemap) gave none.

Rule: the page's own description (``og:description`` or ``<meta name="description">``, as
trafilatura reads it) when it has at least `MIN_SUMMARY_CHARS` characters, is not the title and names
no consent terms (a cookie notice copied into the description); else the first paragraph of the
main text of at least `MIN_SUMMARY_CHARS` characters that is not the title (the lead: the byline and
date lines before it are shorter). Either is cut to at most `MAX_SUMMARY_CHARS` at the end of a
sentence, else at a word, marked with "…".
"""

from __future__ import annotations

import re

from pipelines.boilerplate import consent_terms
from pipelines.titles import fold

MIN_SUMMARY_CHARS = 80
"""A shorter description is a tagline, a shorter line a byline or a heading."""
MAX_SUMMARY_CHARS = 500
"""A summary is a lead, not the article."""
_SENTENCE_END = re.compile(r"[.!?…»\"”)]\s")


def page_summary(description: str | None, text: str | None, title: str | None) -> str | None:
    """The page's summary by the module's rule, or None."""
    key = fold(title) if title else ""
    candidates = [description or "", *(text or "").split("\n")[:50]]
    for candidate in candidates:
        line = " ".join(candidate.split())
        if len(line) < MIN_SUMMARY_CHARS or fold(line) == key or consent_terms(line):
            continue
        return _cut(line)
    return None


def _cut(line: str) -> str:
    if len(line) <= MAX_SUMMARY_CHARS:
        return line
    head = line[:MAX_SUMMARY_CHARS]
    ends = [m.end() for m in _SENTENCE_END.finditer(head + " ")]
    if ends and ends[-1] >= MIN_SUMMARY_CHARS:
        return head[: ends[-1]].rstrip()
    return head.rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
