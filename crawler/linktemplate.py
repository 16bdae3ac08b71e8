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
otherwise drop every record at crawl time). Braces pair and never nest; a slot is never empty and
a ``|`` is followed by a filter name. Every refusal names the template, the character (1-based)
where the fault starts and what was expected there (`_refuse`).

Example (the Commission press corner, whose detail pages are ``.../detail/en/ip_26_301`` for the
record ``{"refCode": "IP/26/301"}``): ``https://ec.europa.eu/commission/presscorner/detail/en/
{refCode|lower|replace(/,_)}``. `fill` gives None when a slot's value is missing or empty, so a
record without one is dropped, never linked to a half-built URL.

Rule for the whole template (`check_absolute`, run by the config loader): a template is valid when
filling every slot with one sample value gives an absolute http(s) URL (crawler.urls `web_url`: a
host, no user information, a port 0..65535). The samples are a word (``x``), a number (``1``) and a
path (``/x``), so a slot may stand for a path segment, a query value, a fragment, a host label, a
port or the whole path right after the host or its port (``http://127.0.0.1:8765{path}``,
``https://[2001:db8::1]:8443{path}``, with records giving ``/api/a1``). A template with user
information (``https://user:pw@host/{id}``) is refused whatever its slots give.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import jmespath
from jmespath.exceptions import JMESPathError

from crawler.urls import web_url

__all__ = ["check_absolute", "fill", "parse", "text_of"]

_FILTER_LIKE = re.compile(r"(?<!\|)\|(?!\|)(\s*[A-Za-z_][A-Za-z0-9_]*\s*(?:\(.*)?)\s*$")
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


FILTERS = "lower, upper, replace(OLD,NEW) or quote"


def _refuse(template: str, index: int, problem: str, expected: str) -> ValueError:
    """Rule: every refusal names the template, the 1-based character where the fault starts, what
    is wrong there and what was expected, so the operator can fix the YAML without guessing."""
    return ValueError(f"link template {template!r}, character {index + 1}: {problem}; expected {expected}")


def _braces(template: str) -> list[tuple[int, str]]:
    """(index of ``{``, text between the braces) of every slot; braces must pair, never nest."""
    slots: list[tuple[int, str]] = []
    opened: int | None = None
    for index, char in enumerate(template):
        if char == "{":
            if opened is not None:
                raise _refuse(
                    template, opened, "'{' is not closed before the next '{'", "'}' closing the slot"
                )
            opened = index
        elif char == "}":
            if opened is None:
                raise _refuse(template, index, "'}' without an opening '{'", "a slot written {field}")
            slots.append((opened, template[opened + 1 : index]))
            opened = None
    if opened is not None:
        raise _refuse(template, opened, "'{' is never closed", "'}' closing the slot")
    return slots


def _slot(template: str, at: int, body: str) -> tuple[str, list[Filter]]:
    """(JMESPath, filters) of the slot whose ``{`` is at index `at`; ValueError by `_refuse`."""
    parts = body.split("|")
    filters: list[Filter] = []
    while len(parts) > 1:
        found = _filter(parts[-1])
        if found is None:
            break
        filters.insert(0, found)
        parts.pop()
    raw = "|".join(parts)  # a prefix of body: its offsets are the body's
    expression = raw.strip()
    where = at + 1 + (len(raw) - len(raw.lstrip()))
    if not expression:
        raise _refuse(template, where, "empty slot", "a field or JMESPath expression, as in {id}")
    if expression.endswith("|"):  # `{id|}`, `{id||lower}`: a pipe with no filter name after it
        pipe = at + 1 + raw.rstrip().rindex("|")
        raise _refuse(template, pipe + 1, "empty filter name after '|'", f"a filter: {FILTERS}")
    unknown = _FILTER_LIKE.search(raw)
    if unknown:
        name = unknown.group(1).strip()
        raise _refuse(template, at + 1 + unknown.start(1), f"unknown filter {name!r}", f"a filter: {FILTERS}")
    try:
        jmespath.compile(expression)
    except JMESPathError as exc:
        problem = f"{expression!r} is not a valid JMESPath expression ({' '.join(str(exc).split())})"
        raise _refuse(template, where, problem, "a field or JMESPath expression, as in {id}") from None
    return expression, filters


def parse(template: str) -> list[tuple[str, str, list[Filter]]]:
    """The slots of `template`: (slot text with braces, JMESPath, filters). ValueError (`_refuse`)
    for unpaired or nested braces, an empty slot, an empty or unknown filter name, an expression
    that is not valid JMESPath, or a template without any slot."""
    slots = []
    for at, body in _braces(template):
        expression, filters = _slot(template, at, body)
        slots.append(("{" + body + "}", expression, filters))
    if not slots:
        raise _refuse(template, len(template), "no slot", "at least one {field} naming a record value")
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


SAMPLES = ("x", "1", "/x")
"""Sample slot values of `check_absolute`: a word, a number (a port slot) and a path."""


def check_absolute(template: str) -> str:
    """`template` when it is valid (module rule: one sample value in every slot gives an absolute
    http(s) URL); ValueError naming the template otherwise (`parse` names malformed slots)."""
    slots = parse(template)
    for sample in SAMPLES:
        filled = template
        for slot, _expression, _filters in slots:
            filled = filled.replace(slot, sample)
        if web_url(filled) == filled:
            return template
    raise ValueError(
        f"template {template!r} does not give an absolute http:// or https:// URL without user "
        f"information when its slots are filled (tried {', '.join(repr(s) for s in SAMPLES)})"
    )
