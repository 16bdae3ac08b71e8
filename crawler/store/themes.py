"""An item's effective themes: the one place the rule is written down.

Rule: an item's themes are its ``editor_themes`` when the editor set a list (an empty list too: the
editor said "no themes"), else the classifier's assigned themes (``item_themes`` rows with
``assigned`` true). "Not set" is SQL NULL, JSON null (the JSON type stores Python None as ``null``)
or any JSON value that is not an array. Editors' lists hold theme names (crawler.store.decisions
normalises edits to `crawler.types.THEMES`, in the portal's order); an entry ``{"name": ...}`` of older
data is read as its name by `editor_list`.

Every reader of themes goes through here: the portal (read API, feeds, digests, export,
crawler.store.portal), the desk's queue (theme filter, facet counts, rows), coverage, training labels
and ``ewsi queue`` (crawler.store.queue `listing`). Runs the same on SQLite and PostgreSQL.
Functions never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from crawler.store.schema import Item, ItemTheme

__all__ = [
    "assigned_of",
    "editor_list",
    "effective",
    "has_theme",
    "is_edited",
    "of_items",
    "of_rows",
    "scores_of",
    "theme_pairs",
]


# --- Python side ---------------------------------------------------------------------------------


def editor_list(value: Any) -> list[str] | None:
    """The editor's theme names when `value` (an ``editor_themes`` value) is a list, possibly empty;
    None when the editor set none (None, or anything that is not a list)."""
    if not isinstance(value, list | tuple):
        return None
    names = [t if isinstance(t, str) else (t.get("name") if isinstance(t, dict) else None) for t in value]
    return [n for n in names if isinstance(n, str) and n]


def effective(editor_themes: Any, assigned: Iterable[str]) -> list[str]:
    """The item's themes: `editor_list` of `editor_themes` when set, else `assigned` (kept in order)."""
    edited = editor_list(editor_themes)
    return edited if edited is not None else list(assigned)


def assigned_of(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """The classifier's assigned theme names per item id, highest score first (ties by name); an
    item without any is absent."""
    out: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):  # bounded IN lists
        for item_id, theme in session.execute(
            select(ItemTheme.item_id, ItemTheme.theme)
            .where(ItemTheme.item_id.in_(ids[start : start + 500]), ItemTheme.assigned.is_(True))
            .order_by(ItemTheme.item_id, ItemTheme.score.desc(), ItemTheme.theme)
        ):
            out.setdefault(item_id, []).append(theme)
    return out


def of_rows(session: Session, rows: Sequence[Any]) -> dict[int, list[str]]:
    """Effective theme names per item id of `rows` (objects with ``id`` and ``editor_themes``); the
    assigned themes are read only for the rows whose editor set none."""
    need = [row.id for row in rows if editor_list(row.editor_themes) is None]
    assigned = assigned_of(session, need) if need else {}
    return {row.id: effective(row.editor_themes, assigned.get(row.id, ())) for row in rows}


def of_items(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """Effective theme names per item id (every id of `ids` that exists)."""
    rows: list[Any] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows += session.execute(select(Item.id, Item.editor_themes).where(Item.id.in_(chunk))).all()
    return of_rows(session, rows)


def scores_of(session: Session, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The classifier's theme rows per item id, as the item page shows them and ``ewsi queue --json``
    gives them: ``{name, score, assigned, evidence}`` each, highest score first (ties by name);
    evidence is the stored list of ``{term, weight, language, count}`` ([] when the row holds none or
    anything but a list). Every id of `ids` is a key, [] for an item without theme rows."""
    out: dict[int, list[dict[str, Any]]] = {item_id: [] for item_id in ids}
    columns = (ItemTheme.item_id, ItemTheme.theme, ItemTheme.score, ItemTheme.assigned, ItemTheme.evidence)
    for start in range(0, len(ids), 500):  # bounded IN lists
        for item_id, name, score, assigned, evidence in session.execute(
            select(*columns).where(ItemTheme.item_id.in_(ids[start : start + 500]))
        ):
            out[item_id].append(
                {
                    "name": name,
                    "score": score,
                    "assigned": bool(assigned),
                    "evidence": evidence if isinstance(evidence, list) else [],
                }
            )
    for scores in out.values():  # in Python: the same order on SQLite and PostgreSQL
        scores.sort(key=lambda s: (-s["score"], s["name"]))
    return out


# --- SQL side ------------------------------------------------------------------------------------


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _editor_array(session: Session) -> ColumnElement[bool]:
    """True when editor_themes holds a JSON array; NULL when the column is NULL."""
    if _postgresql(session):
        return func.jsonb_typeof(Item.editor_themes) == "array"
    return func.json_type(Item.editor_themes) == "array"


def is_edited(session: Session) -> ColumnElement[bool]:
    """SQL condition: the editor set the item's themes (a JSON array, an empty one too)."""
    return func.coalesce(_editor_array(session), False).is_(True)


def _not_edited(session: Session) -> ColumnElement[bool]:
    return func.coalesce(_editor_array(session), False).is_(False)


def _editor_values(session: Session) -> Any:
    """The editor's theme names as a table-valued function of the item row (column ``value``)."""
    if _postgresql(session):
        return func.jsonb_array_elements_text(Item.editor_themes).table_valued("value")
    return func.json_each(Item.editor_themes).table_valued("value")


def has_theme(session: Session, values: Sequence[str]) -> ColumnElement[bool]:
    """SQL condition: one of the item's effective themes is in `values`."""
    values = list(values)
    # OFFSET 0 keeps PostgreSQL from turning this EXISTS under OR into a hashed subplan that reads every
    # assigned theme row: probed per row through the primary key instead, while the listing index
    # yields rows in order and the LIMIT stops early (bench/api.py: 44 ms -> under 5 ms)
    assigned = exists(
        select(ItemTheme.item_id)
        .where(ItemTheme.item_id == Item.id, ItemTheme.theme.in_(values), ItemTheme.assigned.is_(True))
        .offset(0)
    )
    edited = _editor_array(session)
    if _postgresql(session):
        in_editor: ColumnElement[bool] = Item.editor_themes.op("?|")(postgresql.array(values))
    else:
        each = _editor_values(session)
        in_editor = exists(select(literal(1)).select_from(each).where(each.c.value.in_(values)))
    return or_(and_(edited, in_editor), and_(_not_edited(session), assigned))


def theme_pairs(
    session: Session, *columns: ColumnElement[Any], where: Iterable[ColumnElement[bool]] = ()
) -> CompoundSelect:
    """One row per (item, effective theme) of the items matching `where`: `columns` (expressions on
    `Item`, labelled) followed by ``theme``. An item without themes gives no row; an item counts
    once under each of its themes. Use as a subquery (``.subquery()``) to group or count."""
    where = list(where)
    assigned = (
        select(*columns, ItemTheme.theme.label("theme"))
        .select_from(Item)
        .join(ItemTheme, and_(ItemTheme.item_id == Item.id, ItemTheme.assigned.is_(True)))
        .where(_not_edited(session), *where)
    )
    each = _editor_values(session)
    edited = (
        select(*columns, each.c.value.label("theme"))
        .select_from(Item)
        .join(each, true())
        .where(is_edited(session), *where)
    )
    return union_all(assigned, edited)
