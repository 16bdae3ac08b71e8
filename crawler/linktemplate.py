"""Link templates of API sources (``api.link_template``): ``{expression|filter|...}`` slots.

A slot's expression is a JMESPath evaluated on the record (``{year}``, ``{procedure.ref}``,
``{metadata.identifier[0]}``); trailing ``|name`` parts that are one of the filters below are
filters, applied left to right to the value's text (so a JMESPath pipe whose right side is a bare
``lower``, ``upper`` or ``quote`` field cannot be written in a template; write it without the pipe):

- ``lower`` / ``upper``: change case (``IP/26/301`` -> ``ip/26/301``);
- ``replace(OLD,NEW)``: replace every OLD by NEW, both literal, neither holding ``,`` ``(`` ``)``
  ``{`` ``}`` (``replace(/,_)``: ``ip/26/301`` -> ``ip_26_301``);
- ``quote``: percent-encode for one URL path segment or query value (RFC 3986 unreserved kept).

Any other trailing ``|name`` or ``|name(...)`` is refused as an unknown filter (a typo would
otherwise drop every record at crawl time).

Example (the Commission press corner, whose detail pages are ``.../detail/en/ip_26_301`` for the
record ``{"refCode": "IP/26/301"}``): ``https://ec.europa.eu/commission/presscorner/detail/en/
{refCode|lower|replace(/,_)}``. `fill` gives None when a slot's value is missing or empty, so a
record without one is dropped, never linked to a half-built URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import jmespath
from jmespath.exceptions import JMESPathError

__all__ = ["fill", "parse", "text_of"]

_SLOT = re.compile(r"\{([^{}]+)\}")
_FILTER_LIKE = re.compile(r"(?<!\|)\|(?!\|)(\s*[A-Za-z_][A-Za-z0-9_]*\s*(?:\(.*\))?)\s*$")
"""A trailing ``|name`` or ``|name(...)`` that is not a filter: refused rather than read as a JMESPath
pipe into a field of that name (which gives nothing on a text value, so every record would be dropped)."""
_REPLACE = re.compile(r"replace\(([^,(){}]*),([^,(){}]*)\)")
_SIMPLE: dict[str, Callable[[str], str]] = {
    "lower": str.lower,
    "upper": str.upper,
    "quote": lambda s: quote(s, safe=""),
}

Filter = Callable[[str], str]


def _filter(name: str) -> Filter | None:
    name = name.strip()
    if name in _SIMPLE:
        return _SIMPLE[name]
    match = _REPLACE.fullmatch(name)
    if match:
        old, new = match.group(1), match.group(2)
        if old:
            return lambda s: s.replace(old, new)
    return None


def _slot(body: str) -> tuple[str, list[Filter]]:
    parts = body.split("|")
    filters: list[Filter] = []
    while len(parts) > 1:
        found = _filter(parts[-1])
        if found is None:
            break
        filters.insert(0, found)
        parts.pop()
    return "|".join(parts).strip(), filters


def parse(template: str) -> list[tuple[str, str, list[Filter]]]:
    """The slots of `template`: (slot text with braces, JMESPath, filters). ValueError for a slot
    whose expression is not valid JMESPath or a template without any slot."""
    slots = []
    for match in _SLOT.finditer(template):
        expression, filters = _slot(match.group(1))
        unknown = _FILTER_LIKE.search(expression)
        if unknown:
            raise ValueError(
                f"unknown filter {unknown.group(1).strip()!r} in {match.group(0)}; filters are lower, "
                "upper, replace(OLD,NEW) and quote"
            )
        try:
            jmespath.compile(expression)
        except JMESPathError as exc:
            raise ValueError(f"invalid JMESPath {expression!r} in {match.group(0)}: {exc}") from None
        slots.append((match.group(0), expression, filters))
    if not slots:
        raise ValueError("a link template needs at least one {field}")
    return slots


def text_of(value: Any) -> str | None:
    """A record value as text: strings as they are, numbers written out, lists joined by spaces
    (their text parts), anything else (objects, booleans, null) None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        parts = [p for p in (text_of(v) for v in value) if p]
        return " ".join(parts) or None
    return None


def fill(template: str, record: dict[str, Any]) -> str | None:
    """`template` with every slot filled from `record` (module docstring); None when a slot's value
    is missing or empty. Raises ValueError for an invalid template (the config loader refuses those)."""
    out = template
    for slot, expression, filters in parse(template):
        text = text_of(jmespath.search(expression, record))
        if not text:
            return None
        for apply in filters:
            text = apply(text)
        out = out.replace(slot, text)
    return out
