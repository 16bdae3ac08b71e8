"""What a new version of a funding call or event changed, field by field, with old and new values.

A corrigendum (new deadline, budget change, moved event) arrives as a new version of the same item
(crawler.store.items); the version row it replaces keeps ``field_changes`` (migration
0022_structured_versions), a JSON list of ``{"field", "old", "new"}`` for every field of `LABELS`
that changed. Values are JSON: datetimes as ISO 8601 UTC with ``Z``, deadlines as their list of such
strings, numbers, texts, booleans and country-code lists as stored; None for a value that was absent.

- `changes(old_values, new_values, changed)`: the list for one version (`changed` is the version's
  ``changed_fields``; fields outside `LABELS`, such as title or text, are left out: the editor sees
  those in the item itself).
- `describe(change)`: what the desk prints, e.g.
  ``deadline: 2026-03-15 17:00 UTC → 2026-03-29 17:00 UTC`` (crawler.text `when`) or
  ``budget: 3,000,000 → 3,500,000``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from crawler.text import when

LABELS: dict[str, str] = {
    "call_id": "call id",
    "programme": "programme",
    "opens_at": "opening",
    "deadlines": "deadline",
    "budget_amount": "budget",
    "budget_currency": "currency",
    "eligible_countries": "eligible countries",
    "event_start": "start",
    "event_end": "end",
    "event_venue": "venue",
    "event_city": "city",
    "event_country": "country",
    "event_online": "online",
    "registration_url": "registration",
    "published_at": "published",
}
"""Fields whose old and new values a version keeps, and the name the desk shows for each."""


def json_value(value: Any) -> Any:
    """`value` as JSON: aware or naive-UTC datetimes as ``YYYY-MM-DDTHH:MM:SSZ``, lists item by item."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def changes(
    old_values: Mapping[str, Any], new_values: Mapping[str, Any], changed: Iterable[str]
) -> list[dict[str, Any]]:
    """``[{field, old, new}]`` for each name of `changed` in `LABELS`, in `LABELS` order."""
    names = set(changed)
    return [
        {"field": name, "old": json_value(old_values.get(name)), "new": json_value(new_values.get(name))}
        for name in LABELS
        if name in names
    ]


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "none"
    if isinstance(value, list):
        return "; ".join(_shown(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    text = str(value)
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if instant.tzinfo is None or len(text) < 16:  # a code or a bare day, not an instant
        return text
    return when(instant)


def describe(change: Mapping[str, Any]) -> str:
    """One line for the editor: ``<label>: <old> → <new>`` (see the module docstring)."""
    name = str(change.get("field"))
    return f"{LABELS.get(name, name)}: {_shown(change.get('old'))} → {_shown(change.get('new'))}"
