"""What differs between PostgreSQL and SQLite, behind small functions; nothing else here.

- `insert`: ``INSERT ... ON CONFLICT DO NOTHING / DO UPDATE`` for the session's back end (both
  support the same clause; SQLAlchemy spells it per dialect). Any other back end: NotImplementedError.
- `skip_locked`: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (a row another transaction is
  locking is skipped, not waited for); on SQLite the statement unchanged: SQLite runs one writer at
  a time, so callers use one conditional UPDATE instead (crawler.store.queue `claim_item`).
- `expire`: ORM copies made stale by a Core write are expired, targeted rather than expire_all()
  (which would also discard the caller's unflushed changes).
- `contains`: a case-insensitive substring test in every alphabet. PostgreSQL's ILIKE folds case
  by the database's ctype (C.UTF-8 folds Greek and Cyrillic); SQLite's LIKE and lower() fold ASCII
  only, so there both sides go through `CASEFOLD_FUNCTION` (Python's ``str.casefold``, registered
  on every connection by crawler.store.session).
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Table, func, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import GenerativeSelect

SelectT = TypeVar("SelectT", bound=GenerativeSelect)

DIALECTS: tuple[str, ...] = ("postgresql", "sqlite")


def name(session: Session) -> str:
    """The back end of `session`: ``postgresql`` or ``sqlite``."""
    return session.get_bind().dialect.name


def is_postgresql(session: Session) -> bool:
    """True on PostgreSQL."""
    return name(session) == "postgresql"


def insert(session: Session, table: Table) -> Any:
    """INSERT for the session's dialect, offering ``on_conflict_do_nothing/update``."""
    dialect = name(session)
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database dialect {dialect!r}: use postgresql or sqlite")


def skip_locked(session: Session, stmt: SelectT) -> SelectT:
    """`stmt` with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL; unchanged on SQLite (module docstring)."""
    return stmt.with_for_update(skip_locked=True) if is_postgresql(session) else stmt


def expire(session: Session, cls: type, keys: set[Any] | None = None) -> None:
    """Expire ORM copies of `cls` (all, or those whose primary key is in `keys`) after a Core write."""
    for obj in list(session.identity_map.values()):
        if not isinstance(obj, cls):
            continue
        identity = inspect(obj).identity
        if keys is None or (identity is not None and identity[0] in keys):
            session.expire(obj)


CASEFOLD_FUNCTION = "ewsi_casefold"
"""The SQLite function name of `casefold`."""


def casefold(value: str | None) -> str | None:
    """``str.casefold`` for SQLite (None stays None: SQL NULL)."""
    return value.casefold() if isinstance(value, str) else value


def like_escape(value: str) -> str:
    """`value` with LIKE's ``%``, ``_`` and the escape character ``\\`` taken literally."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(session: Session, column: Any, text: str) -> ColumnElement[bool]:
    """`column` contains `text`, case ignored in every alphabet (module docstring); NULL never does."""
    if is_postgresql(session):
        return func.coalesce(column, "").ilike(f"%{like_escape(text)}%", escape="\\")
    folded = casefold(text) or ""
    fold = getattr(func, CASEFOLD_FUNCTION)
    return fold(func.coalesce(column, "")).like(f"%{like_escape(folded)}%", escape="\\")
