"""Coverage report shared by the API (/api/v1/coverage), the desk page and the editors' digest.

`report` returns the matrix (rows: `crawler.coverage.COUNTRIES`; columns: the six themes or the
languages seen) with ``relevant`` and ``approved`` counts per cell over the last `days` days up to
`now`, and the gap alerts of the relevant counts against the `periods` periods before.
`heatmap_svg` draws the matrix server-side: each cell is shaded by its count AND prints the
count, so it reads without colour; cells with an alert are outlined and marked ``!``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from typing import Any

from crawler.coverage import COUNTRIES, Cell, gaps
from crawler.store import coverage as store_coverage
from crawler.text import counted
from crawler.types import THEMES
from crawler.web.deps import DbSession


def report(
    session: DbSession,
    now: datetime,
    axis: str = "theme",
    days: int = 30,
    periods: int = 6,
    scope: str = "all",
) -> dict[str, Any]:
    """The coverage report (module docstring) as plain JSON-ready data.

    scope ``all`` (the desk, the digest, API tokens with the ``coverage`` scope): ``relevant`` and
    ``approved`` per cell, alerts on the relevant counts. scope ``published`` (anonymous API
    clients): harvested and unpublished items are not disclosed: ``relevant`` is None, ``approved``
    counts published items, and the alerts are computed on the published counts. ValueError for
    another axis or scope.
    """
    if axis not in ("theme", "language"):
        raise ValueError(f"axis must be theme or language, not {axis!r}")
    if scope not in ("all", "published"):
        raise ValueError(f"scope must be all or published, not {scope!r}")
    since = now - timedelta(days=days)
    chosen: store_coverage.Axis = "theme" if axis == "theme" else "language"
    relevant: dict[Cell, int] | None
    if scope == "all":
        relevant, past, filled = store_coverage.history(session, chosen, "relevant", now, days, periods)
        approved = store_coverage.counts(session, chosen, "approved", since, now)
        current = relevant
    else:
        approved, past, filled = store_coverage.history(session, chosen, "published", now, days, periods)
        relevant, current = None, approved
    seen = [*current, *approved, *past]
    columns = list(THEMES) if axis == "theme" else sorted({k for _, k in seen})
    alerts = gaps(current, past, filled)
    return {
        "axis": axis,
        "scope": scope,
        "since": since.isoformat(),
        "until": now.isoformat(),
        "days": days,
        "rows": list(COUNTRIES),
        "columns": columns,
        "cells": [
            {
                "country": c,
                "key": k,
                "relevant": None if relevant is None else relevant.get((c, k), 0),
                "approved": approved.get((c, k), 0),
            }
            for c in COUNTRIES
            for k in columns
        ],
        "alerts": [
            {
                "country": a.country,
                "key": a.key,
                "current": a.current,
                "usual": a.usual,
                "sources": list(a.sources),
            }
            for a in alerts
        ],
    }


def heatmap_svg(data: dict[str, Any], measure: str = "relevant") -> str:
    """An accessible SVG heatmap of one measure (counts printed in every cell, a legend of the
    shades; the alerts outlined and marked ``!`` on the measure they were computed on: relevant
    counts, or approved ones in the ``published`` scope)."""
    rows, cols = data["rows"], data["columns"]
    value = {(c["country"], c["key"]): int(c[measure] or 0) for c in data["cells"]}
    alerted = "approved" if data.get("scope") == "published" else "relevant"
    flagged = {(a["country"], a["key"]) for a in data["alerts"]} if measure == alerted else set()
    top = max(value.values(), default=0) or 1
    longest = max((len(str(c)) for c in cols), default=0)
    cw, ch, left = 74, 18, 40
    head = 20 + int(min(longest, 40) * 6.2 * 0.58)  # rotated labels: about 6.2 px per character
    width, height = left + cw * len(cols) + 170, head + ch * len(rows) + 30
    period = f"{data['since'][:10]} to {data['until'][:10]}"
    title = f"Coverage: {measure} items per country and {data['axis']}, {period}"
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="cov-title" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="sans-serif" font-size="11">',
        f'<title id="cov-title">{escape(title)}</title>',
    ]
    for j, col in enumerate(cols):
        x = left + cw * j + cw // 2
        out.append(
            f'<text x="{x}" y="{head - 6}" transform="rotate(-35 {x} {head - 6})">'
            f"{escape(str(col)[:40])}</text>"
        )
    for i, row in enumerate(rows):
        y = head + ch * i
        out.append(f'<text x="4" y="{y + 13}" font-weight="bold">{escape(row)}</text>')
        for j, col in enumerate(cols):
            n = value.get((row, col), 0)
            shade = 255 - int(200 * n / top)
            alert = (row, col) in flagged
            stroke = ' stroke="#000" stroke-width="2"' if alert else ' stroke="#ccc"'
            x = left + cw * j
            label = f"{row} {col}: {n}" + (" (gap)" if alert else "")
            ink = "#fff" if shade < 120 else ("#000" if n or alert else "#999")
            weight = ' font-weight="bold"' if alert else ""
            out.append(
                f'<g><title>{escape(label)}</title><rect x="{x}" y="{y}" width="{cw}" height="{ch}" '
                f'fill="rgb({shade},{shade},255)"{stroke}/>'
                f'<text x="{x + cw - 4}" y="{y + 13}" text-anchor="end" fill="{ink}"'
                f"{weight}>{n}{' !' if alert else ''}</text></g>"
            )
    legend_y = head + ch * len(rows) + 20
    gap_note = "; outlined and ! = gap (well below its usual count)" if flagged else ""
    out.append(
        f'<text x="{left}" y="{legend_y}">Darker = more items (white 0, darkest {top}){gap_note}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def digest_lines(data: dict[str, Any]) -> list[str]:
    """The alerts as digest lines (empty when none)."""
    lines = []
    for a in data["alerts"]:
        source = f"; used to come from {', '.join(a['sources'])}" if a["sources"] else ""
        lines.append(
            f"{a['country']} x {a['key']}: {counted(a['current'], 'item')} "
            f"in {counted(data['days'], 'day')}, "
            f"usually {a['usual']:g}{source}"
        )
    return lines


def sparkline_svg(values: list[int], label: str = "new items per week") -> str:
    """A small inline SVG bar chart of weekly counts (oldest first), with the numbers in its title."""
    top = max(values, default=0) or 1
    bars = "".join(
        f'<rect x="{i * 7}" y="{20 - max(1, round(18 * v / top)) if v else 19}" width="6" '
        f'height="{max(1, round(18 * v / top)) if v else 1}" fill="{"#1f4e9c" if v else "#bbb"}"/>'
        for i, v in enumerate(values)
    )
    text = escape(f"{label}: {', '.join(str(v) for v in values)}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{7 * len(values)}" height="20" '
        f'class="spark"><title>{text}</title>{bars}</svg>'
    )
