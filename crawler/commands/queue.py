"""`ewsi queue`: the review queue in the desk's priority order, one row per near-duplicate group as
on the desk (``--order uncertain``: the items the classifier is least sure about first, languages
taking turns inside steps), as a table or JSON Lines; ``--json`` rows carry relevance_evidence
(crawler.store.queue `listing`) and each theme's reasons as theme_evidence (`json_row`). Titles and
themes are the desk's: the editor's when set (crawler.store.themes), the harvested title and the
classifier's themes kept in ``--json`` as ``harvested_title`` and ``classifier_themes``;
``--theme`` filters on the same themes. With ``--status any`` the table has a status column.
``--group-members`` puts each member of a near-duplicate group right after its group's first item,
its title marked ``↳ #6:`` (``"group_head": 6`` in ``--json``, None on other rows; `under_heads`),
and the title counts the groups and members shown.

Exit 0; 2 for an unknown theme, language code or source id (DatabaseUnavailable is mapped by
crawler.cli).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.table import Table

from crawler.argtypes import Parser, int_at_least
from crawler.config import Settings
from crawler.errors import UsageError
from crawler.shortids import shorten_ids
from crawler.terminal import console as make_console
from crawler.text import counted, when
from crawler.themes import THEME_CODES, theme_name
from crawler.web.rows import weighing

HELP = "list the review queue"
out = make_console()

TITLE_WIDTH = 60
"""Characters of a title at most (the desk's one-line titles are as long)."""
SOURCE_WIDTH = 20
"""Characters of the source column when the ids and a whole title do not both fit; with room for
both (a pipe, a wide terminal) the ids are shown whole."""
SOURCE_MIN = 9
"""Characters the source column keeps on a narrow terminal (start, ellipsis, end: ``bmi-…2024``)."""
TITLE_MIN = 12
"""Characters the title column keeps before the source column gives way on a narrow terminal."""

MAX_LIMIT = 1_000_000
"""Rows ``--limit`` may ask for (a bigger number is no use and overflows SQLite's 64-bit integers)."""


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi queue``."""
    queue = Parser(prog="ewsi queue", description=HELP)
    queue.add_argument(
        "--status",
        default="pending",
        choices=["pending", "approved", "rejected", "deferred", "changed", "any"],
    )
    queue.add_argument("--source", help="source id")
    queue.add_argument(
        "--language",
        action="append",
        help="ISO 639-1 code or und (repeatable: items in any of them)",
    )
    queue.add_argument(
        "--theme",
        help="theme (the editor's when set, else the assigned ones): name ('Social Cohesion'), code (SC) "
        "or id (social_cohesion)",
    )
    queue.add_argument(
        "--limit", type=int_at_least(1, MAX_LIMIT), default=50, help="rows at most (default 50)"
    )
    queue.add_argument("--json", action="store_true", help="one JSON object per line")
    queue.add_argument(
        "--group-members",
        action="store_true",
        help="also list the other members of each near-duplicate group (the desk shows one row per group)",
    )
    queue.add_argument(
        "--order",
        choices=["priority", "uncertain"],
        default="priority",
        help="priority: the desk's order (default); uncertain: the items the classifier is least sure "
        "about first (relevance nearest 0.5, in steps of 0.1; languages take turns inside a step)",
    )
    return queue


def main(argv: Sequence[str], settings: Settings) -> int:
    """Entry point of ``ewsi queue`` (see the module docstring)."""
    return run(build_parser().parse_args(list(argv)), settings)


def _theme_name(value: str | None) -> str | None:
    """A theme given in any form `crawler.themes.theme_name` reads (as the desk's filter does);
    ValueError for anything else."""
    return None if value is None else theme_name(value)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the queue as `args` say."""
    from crawler.store import migrate as store_migrate
    from crawler.store import queue as store_queue
    from crawler.store import session as store_session
    from crawler.store import sources as store_sources

    try:
        theme = _theme_name(args.theme)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    from crawler.sources import iso_languages

    unknown = [code for code in args.language or () if code.lower() not in iso_languages() | {"und"}]
    if unknown:
        raise UsageError(f"--language: not a language code (ISO 639-1, or und): {unknown[0]!r}")
    store_migrate.ensure_ready(settings.database_url)
    with store_session.session_scope(settings.database_url) as session:
        store_sources.require_known_source(session, args.source)
        filters: dict[str, Any] = {
            "status": None if args.status == "any" else args.status,
            "source_id": args.source,
            "language": [code.lower() for code in args.language] if args.language else None,
            "theme": theme,
        }
        rows = store_queue.listing(
            session, **filters, limit=args.limit, order=args.order, group_members=args.group_members
        )
        total = (
            None
            if args.json
            else store_queue.listing_count(session, **filters, group_members=args.group_members)
        )
    rows = under_heads(rows)
    if args.json:
        for row in rows:
            sys.stdout.write(json.dumps(json_row(row), ensure_ascii=False, default=str) + "\n")
        return 0
    title = f"Review queue ({args.status}, {_shown(rows, total or 0)})"
    out.print(queue_table(rows, title, with_status=args.status == "any", width=out.width))
    if rows:
        out.print("themes: " + ", ".join(f"{code} {name}" for name, code in THEME_CODES.items()), style="dim")
        heads = len(rows) - len(_members(rows))
        if total and total > heads:
            out.print(f"{total - heads} more match; a larger --limit lists them.")
    else:
        out.print(f"No {'' if args.status == 'any' else args.status + ' '}items match these filters.")
    return 0


def json_row(row: dict[str, Any]) -> dict[str, Any]:
    """A ``--json`` line of a `listing` row: every key of the row as it is, ``theme_evidence`` (theme
    name -> its reasons) cut to the reasons the item page shows for that theme.

    Rule: a theme's reasons are its stored evidence entries ({term, weight, language, count}, the
    shape of ``relevance_evidence``) as the item page's theme evidence lists them
    (crawler.web.rows `weighing`): a mapping whose weight rounds to 0.00, or is missing or no
    number, is left out; every other entry is kept whole and in its stored order, negative weights
    too, and an entry of older data that is not a mapping stays as it is (the page shows it as
    text). Every theme
    of ``theme_scores`` has a key, the assigned ones and the others, whatever the editor's themes;
    [] when no reason is left or none was kept. The page shows the first 12; the line has them all.
    """
    evidence = row.get("theme_evidence") or {}
    return {**row, "theme_evidence": {name: weighing(entries) for name, entries in evidence.items()}}


def queue_table(rows: list[dict[str, Any]], title: str, *, with_status: bool, width: int) -> Table:
    """The table of `rows` for a console `width` columns wide: one line per row. Source ids longer
    than their column keep start and end and stay distinct (crawler.shortids); the title is the one
    column that gives way, cut with an ellipsis, never folded onto a second line. Below 70 columns
    (60 without the status column) even the other columns do not fit and rich crops them."""
    columns = ("id", "rel", "lang", "source", "published", *(("status",) if with_status else ()), "themes")
    overhead = 3 * len(columns) + 2  # edges, separators and padding of SIMPLE_HEAD with pad_edge off
    cells = [_cells(row, with_status) for row in rows]
    source_at = columns.index("source")
    others = sum(
        max([len(col), *(cell_len(cell[i]) for cell in cells)])
        for i, col in enumerate(columns)
        if i != source_at
    )
    room = width - overhead - others
    longest = max((len(row["source_id"]) for row in rows), default=0)
    budget = longest if longest + TITLE_WIDTH <= room else min(SOURCE_WIDTH, room - TITLE_MIN)
    budget = max(SOURCE_MIN, budget)
    sources = shorten_ids((row["source_id"] for row in rows), budget)
    for cell, row in zip(cells, rows, strict=True):
        cell[source_at] = sources[row["source_id"]]
    fixed = others + max([len(columns[source_at]), *(len(v) for v in sources.values())])
    table = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    for col in columns:
        table.add_column(col, no_wrap=True)
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=max(1, width - overhead - fixed))
    for cell in cells:
        table.add_row(*cell)
    return table


def under_heads(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` with ``group_head`` set: the id of the group's first item on a row of another member of
    a near-duplicate group (``group`` names the group), else None. Each member follows its head
    directly, members in their own order; a member whose head is not listed (filtered out, past
    the limit) keeps its place."""
    for row in rows:
        group = row.get("group")
        row["group_head"] = group if group is not None and group != row["id"] else None
    listed = {row["id"] for row in rows}
    members: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        if row["group_head"] in listed:
            members.setdefault(row["group_head"], []).append(row)
    out: list[dict[str, Any]] = []
    for row in rows:
        if row["group_head"] not in listed:
            out += [row, *members.get(row["id"], [])]
    return out


def _members(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows listed under their group's first item; a member whose first item is not listed (it
    does not match the filters, or a decided group's new member in the pending queue) leads its own
    row and counts as one of the rows shown, as `crawler.store.queue.listing_count` counts it."""
    listed = {row["id"] for row in rows}
    return [row for row in rows if row.get("group_head") is not None and row["group_head"] in listed]


def _shown(rows: list[dict[str, Any]], total: int) -> str:
    """How many rows are shown of the `total` that match (one per near-duplicate group); with group
    members, how many of them and of how many groups: ``12 of 173 shown``, ``all 12 shown`` or
    ``10 of 173 shown + 3 members of 2 groups``."""
    members = _members(rows)
    heads = len(rows) - len(members)
    shown = (
        f"{heads} of {total} shown"
        if heads < total
        else f"all {heads} shown"
        if heads > 1
        else f"{heads} shown"
    )
    if not members:
        return shown
    groups = counted(len({row["group_head"] for row in members}), "group")
    return f"{shown} + {counted(len(members), 'member')} of {groups}"


def _cells(row: dict[str, Any], with_status: bool) -> list[str]:
    """One table row: the desk's values (the editor's title and themes when set, themes by code), the
    source id whole (`queue_table` shortens it); a group member's title starts with its head
    (``↳ #6: ``)."""
    themes = " ".join(THEME_CODES.get(t["name"], t["name"][:2]) for t in row.get("themes", []))
    head = row.get("group_head")
    return [
        str(row["id"]),
        f"{row['relevance']:.2f}" if row.get("relevance") is not None else "-",
        row.get("language") or "-",
        row["source_id"],
        published_cell(row),
        *([row.get("status") or "-"] if with_status else []),
        themes,
        _shorten(("" if head is None else f"↳ #{head}: ") + (row.get("title") or "(no title)"), TITLE_WIDTH),
    ]


def published_cell(row: dict[str, Any]) -> str:
    """The published column of a `listing` row.

    Rule: the date as precise as the source gave it and never a time of day it did not give, read
    from the item's precision flags (crawler.types `PRECISION_FLAGS`, through crawler.text `when`,
    as the desk's queue does), never guessed from a time of 00:00: ``date_year`` shows the year
    (``2025``), ``date_month`` the month (``2025-03``), ``date_only`` the day (``2025-03-04``); a
    value with a time of day shows its UTC day, the column being a day wide (``--json`` has the
    time and ``published_precision``). "-" when undated."""
    value = row.get("published_at")
    return when(value, "day", row.get("flags")) if value else "-"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
