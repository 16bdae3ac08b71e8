"""Ids shortened for a narrow table column so that they stay distinguishable (stdlib only).

An id longer than the column keeps its start and its end around an ellipsis
(``bmi-de-news-2024`` -> ``bmi-de…2024``): ids of one family differ at their end (a year, a language
code) as often as at their start (a country), so cutting the end alone makes
``bmi-de-news-2024`` and ``bmi-de-news-2025`` read alike. The split between start and end is one for
the whole column, the most even that keeps the column's distinct ids distinct; when no split does,
the column grows by a character until one does (at worst the ids are shown whole).
"""

from __future__ import annotations

from collections.abc import Iterable

ELLIPSIS = "…"


def _cut(value: str, width: int, head: int) -> str:
    """`value` in `width` characters: its first `head`, the ellipsis, then its last ``width - head - 1``."""
    if len(value) <= width:
        return value
    tail = width - head - 1
    return value[:head] + ELLIPSIS + (value[-tail:] if tail else "")


def _heads(width: int) -> list[int]:
    """Characters kept at the start, most even split first, then leaning to the end, then the start."""
    even = (width - 1) // 2
    return sorted(range(width), key=lambda head: (abs(head - even), head))


def shorten_ids(values: Iterable[str], width: int) -> dict[str, str]:
    """Each distinct value of `values` mapped to its form in a column of `width` characters (at
    least 3): unchanged when it fits, else start + ``…`` + end, distinct values staying distinct
    (module docstring; the column may come out wider than `width`). ValueError when `width` < 3."""
    if width < 3:
        raise ValueError(f"width: expected at least 3 characters, got {width}")
    distinct = list(dict.fromkeys(values))
    longest = max((len(value) for value in distinct), default=0)
    for size in range(width, longest):
        for head in _heads(size):
            shown = {value: _cut(value, size, head) for value in distinct}
            if len(set(shown.values())) == len(distinct):
                return shown
    return {value: value for value in distinct}
