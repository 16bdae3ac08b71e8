"""Coverage counts: items per (country, theme) or (country, language) cell over a period.

Three measures per cell: ``relevant`` = items judged relevant, first seen in [since, until);
``approved`` = items with status approved, approved in [since, until); ``published`` = items
published now (status approved or changed, the portal's rule in crawler.store.portal) and first
approved in [since, until): the only measure shown to the public (crawler.web.portal). Country is
the editor's correction when set, else the harvested one, mapped by `crawler.coverage.country_of`
(no country -> ``EU``). Themes are the item's effective themes (crawler.store.themes: the editor's
list when set, an empty one too, else the assigned ones; an item counts once under each); language
is the detected one (``und`` when none). Grouped in SQL, mapped to matrix rows in Python, so it runs
the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from crawler.coverage import Cell, country_of
from crawler.store import themes as item_themes
from crawler.store.portal import is_published
from crawler.store.schema import Item

Axis = Literal["theme", "language"]
Measure = Literal["relevant", "approved", "published"]


def _query(
    session: Session, axis: Axis, measure: Measure, since: datetime, until: datetime, with_source: bool
) -> Select:
    country = func.coalesce(Item.editor_country, Item.country).label("country")
    if measure == "relevant":
        when = and_(Item.relevant.is_(True), Item.first_seen_at >= since, Item.first_seen_at < until)
    elif measure == "approved":
        when = and_(Item.status == "approved", Item.approved_at >= since, Item.approved_at < until)
    else:
        when = and_(is_published(), Item.approved_at >= since, Item.approved_at < until)
    extra = [Item.source_id.label("source_id")] if with_source else []
    if axis == "theme":
        pairs = item_themes.theme_pairs(session, country, *extra, where=[when]).subquery()
        keys = [pairs.c.country, pairs.c.theme] + ([pairs.c.source_id] if with_source else [])
        return select(*keys, func.count()).group_by(*keys)
    cols: list[ColumnElement[Any]] = [country, func.coalesce(Item.language, "und"), *extra]
    return select(*cols, func.count()).select_from(Item).where(when).group_by(*cols)


def counts(
    session: Session, axis: Axis, measure: Measure, since: datetime, until: datetime
) -> dict[Cell, int]:
    """{(country, theme or language): items} for one measure over [since, until)."""
    out: Counter[Cell] = Counter()
    for country, key, n in session.execute(_query(session, axis, measure, since, until, False)):
        out[(country_of(country), str(key))] += int(n)
    return dict(out)


def cell_sources(
    session: Session, axis: Axis, measure: Measure, since: datetime, until: datetime
) -> dict[Cell, list[str]]:
    """{cell: source ids that filled it over [since, until), most items first}."""
    per: dict[Cell, Counter[str]] = defaultdict(Counter)
    for country, key, source_id, n in session.execute(_query(session, axis, measure, since, until, True)):
        per[(country_of(country), str(key))][source_id] += int(n)
    return {cell: [s for s, _ in c.most_common()] for cell, c in per.items()}


def history(
    session: Session, axis: Axis, measure: Measure, until: datetime, days: int, periods: int
) -> tuple[dict[Cell, int], dict[Cell, list[int]], dict[Cell, list[str]]]:
    """(current counts over the last `days`, each cell's counts in the `periods` periods before it,
    oldest first, and the sources that filled each cell in those periods)."""
    span = timedelta(days=days)
    since = until - span
    current = counts(session, axis, measure, since, until)
    past: dict[Cell, list[int]] = defaultdict(lambda: [0] * periods)
    for i in range(periods):
        end = since - span * (periods - 1 - i)
        for cell, n in counts(session, axis, measure, end - span, end).items():
            past[cell][i] = n
    filled = cell_sources(session, axis, measure, since - span * periods, since)
    return current, dict(past), filled
