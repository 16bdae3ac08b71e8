"""What a near-duplicate fingerprint covers, and what two close fingerprints must also share (stdlib only).

`near_duplicate_basis`: the text when it has at least `MIN_TEXT_WORDS` words, else the title when it has
at least `MIN_TITLE_WORDS` words (title-only sources give counters or boilerplate as summaries), else
nothing. pipelines.dedup fingerprints it; crawler.store.groups compares fingerprints within and across
sources.

A 64-bit SimHash cannot tell a copy from another document of the same template: "Monthly statistics
on asylum applications, January 2025" and "..., February 2025" are 7 bits apart, a copy with a fixed
typo or a site's suffix may be as far. So two bases within the distance are one story only when
`same_document` also holds. Rule:
- figures (numbers written in digits, separators ignored: ``12.345`` = ``12,345``) tell documents of
  one template apart (a call's number, a regulation's, a report's year, a month's figures). When
  both bases have figures: two titles must have the same ones; two texts must share at least
  `TEXT_FIGURES_SHARED` of the figures of the one with fewer (overlap coefficient), so a copy with a
  corrected figure, or with dates of a site's sidebar added, still matches, a report of another month
  does not. A basis without figures decides nothing.
- a title that replaces a word of the other (each has words the other lacks) is another document
  unless every replaced word is a spelling variant of one in the other (`SPELLING_RATIO`): a fixed
  typo stays one story, "January" for "February" does not. Words only added (a site's name) are no
  replacement. Texts are not held to this: an edited word in a long text is still the same story.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

MIN_TEXT_WORDS = 50
"""A text with at least this many words is the basis."""
MIN_TITLE_WORDS = 4
"""Else a title with at least this many words is."""
TEXT_FIGURES_SHARED = 0.5
"""Share of the smaller figure set two texts need in common when both have figures."""
SPELLING_RATIO = 0.8
"""difflib ratio from which two words are spellings of one ("intergration" / "integration": 0.96)."""

_WORD = re.compile(r"\w+", re.UNICODE)
# digits, with thousands groups after "." "," or a no-break space, and decimals: 12.345 12,5 12\u202f345
_FIGURE = re.compile(r"\d+(?:[.,\u00a0\u202f]\d{3}(?!\d))*(?:[.,]\d+)?")
_SEPARATORS = re.compile(r"[.,\u00a0\u202f]")


def near_duplicate_basis(title: str | None, text: str | None) -> str | None:
    """The text from `MIN_TEXT_WORDS` words, else a title of `MIN_TITLE_WORDS` words, else None."""
    if text and len(_WORD.findall(text)) >= MIN_TEXT_WORDS:
        return text
    if title and len(_WORD.findall(title)) >= MIN_TITLE_WORDS:
        return title
    return None


def is_text_basis(basis: str) -> bool:
    """Whether `basis` is long enough to be a text basis (else it is a title)."""
    return len(_WORD.findall(basis)) >= MIN_TEXT_WORDS


def figures(text: str) -> set[str]:
    """The numbers written in digits in `text`, separators removed (``12.345`` -> ``12345``)."""
    return {_SEPARATORS.sub("", m.group(0)) for m in _FIGURE.finditer(text)}


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if not any(c.isdigit() for c in w)}


def _variants(words: set[str], others: set[str]) -> bool:
    return all(any(SequenceMatcher(None, w, o).ratio() >= SPELLING_RATIO for o in others) for w in words)


def same_document(a: str, b: str) -> bool:
    """Whether two bases within the fingerprint distance are one document (module rule)."""
    fa, fb = figures(a), figures(b)
    titles = not (is_text_basis(a) and is_text_basis(b))
    if fa and fb:
        if titles and fa != fb:
            return False
        if not titles and len(fa & fb) / min(len(fa), len(fb)) < TEXT_FIGURES_SHARED:
            return False
    if titles:
        wa, wb = _words(a), _words(b)
        only_a, only_b = wa - wb, wb - wa
        if only_a and only_b:
            smaller, larger = sorted((only_a, only_b), key=len)
            if not _variants(smaller, larger):
                return False
    return True
