"""Store functions of the editors' desk: queue, claims, decisions, history, users, sessions, audit.

Every function takes a Session and never commits (DESIGN.md convention 11): the request that opened
the session does, so a decision, its audit row and its tombstone share one transaction (T46).

Queue order ("priority"): crawler.store.priority states it (deadline lane, then relevance bands,
dated before undated, freshness inside a band); ``ewsi queue`` uses the same.
Pagination is keyset (``after`` = the last row's cursor), never OFFSET.

Claims: an editor claims an item for `CLAIM_LEASE` (5 min), renewed while the page is open. On
PostgreSQL the row is taken with ``SELECT ... FOR UPDATE SKIP LOCKED`` (a row another transaction is
claiming counts as taken); on SQLite the same rule is one conditional UPDATE (SQLite runs one writer
at a time, so it is atomic). A decision is one conditional UPDATE on ``revision`` and the claim, so
two editors can never both judge an item, and a form sent for an older revision is refused with
`ReviewConflict` naming who changed it and when.

Status derives from decisions: approve -> approved, reject -> rejected, defer -> deferred; edits keep
the status (`derived_status`). A double submit carries the same ``request_token`` (UNIQUE): the
second submit returns the first decision and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, inspect, literal_column, or_, select, tuple_, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from crawler.errors import DatabaseUnavailable
from crawler.store import priority as priority_rules
from crawler.store.queries import add_tombstone, source_status
from crawler.store.schema import (
    AppSecret,
    AuditEntry,
    Item,
    ItemTheme,
    LoginAttempt,
    ReviewDecision,
    SavedView,
    SourceRow,
    User,
    WebSession,
    clean_json,
    iso_z,
    utcnow,
)
from crawler.text import clean_text, squash_whitespace, strip_bidi_controls, tidy_paragraphs
from crawler.types import CONTENT_TYPES, THEMES

__all__ = [
    "ACTIONS",
    "CLAIM_LEASE",
    "COUNT_CAP",
    "DB_ERRORS",
    "REJECT_REASONS",
    "ROLES",
    "USER_NAME_RULE",
    "ClaimRefused",
    "Decision",
    "NotFound",
    "QueueFilters",
    "ReviewConflict",
    "Session",
    "app_secret",
    "audit",
    "audit_entries",
    "bulk_decide",
    "check_reject_reason",
    "check_user_name",
    "claim_item",
    "claim_next",
    "create_user",
    "create_web_session",
    "decide",
    "decisions_for_training",
    "delete_saved_view",
    "derived_status",
    "get_user",
    "get_user_by_name",
    "is_db_unavailable",
    "item_detail",
    "item_history",
    "list_users",
    "load_web_session",
    "login_failures",
    "login_wait",
    "queue_counts",
    "queue_page",
    "recent_decisions",
    "record_login_attempt",
    "release_claim",
    "revoke_user_sessions",
    "revoke_web_session",
    "save_view",
    "saved_views",
    "set_role",
    "set_source_enabled",
    "source_yield",
]

ROLES: tuple[str, ...] = ("editor", "admin")
ACTIONS: tuple[str, ...] = ("approve", "reject", "defer", "edit")
STATUS_OF_ACTION: dict[str, str] = {"approve": "approved", "reject": "rejected", "defer": "deferred"}
REJECT_REASONS: tuple[str, ...] = ("not relevant", "duplicate", "out of date", "poor quality", "other")
"""The reasons a rejection may carry, exactly as the reject forms offer them (no free text: any other
value is refused by `decide`); ``not relevant`` is the negative label for training."""
USER_NAME_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
"""Account names: 1 to 64 characters, ASCII letters, digits and ``. _ - @``, starting with a letter
or a digit (no spaces, controls, look-alike letters of other scripts or bidi marks: the name is
shown in pages, the audit log and the log)."""
MAX_DB_INT = 2**63 - 1
"""Top of the signed 64-bit range of ids (BIGINT); ids in cursors beyond it are malformed."""
EDITABLE: tuple[str, ...] = (
    "editor_title",
    "editor_summary",
    "editor_themes",
    "editor_country",
    "editor_content_type",
)
CLAIM_LEASE = timedelta(minutes=5)
DEADLINE_LANE = priority_rules.DEADLINE_LANE
MAX_PAGE = 200

DB_ERRORS: tuple[type[BaseException], ...] = (DatabaseUnavailable, OperationalError)
"""Exceptions meaning "the database cannot be reached now" (the web app answers 503, T35)."""


def is_db_unavailable(exc: BaseException) -> bool:
    """True when `exc` means the database is unreachable or went away (connection refused, shutdown)."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    if isinstance(exc, DBAPIError):
        from crawler.store.session import retry_reason

        return isinstance(exc, OperationalError) or retry_reason(exc) == "disconnect"
    return False


class NotFound(LookupError):
    """The item (or user, view) does not exist."""


class ClaimRefused(Exception):
    """Another editor holds the item's claim. `claimed_by` and `until` (aware UTC) say who and how long."""

    def __init__(self, claimed_by: str | None, until: datetime | None) -> None:
        self.claimed_by = claimed_by
        self.until = until
        when = until.strftime("%H:%M UTC") if until else "now"
        super().__init__(f"{claimed_by or 'another editor'} is reviewing this item (claim until {when})")


class ReviewConflict(Exception):
    """The item changed since the form was loaded (revision mismatch), or another editor holds it."""


def _now(now: datetime | None) -> datetime:
    return now.astimezone(UTC) if now is not None else utcnow()


def _state_hash(value: Any) -> str:
    """SHA-256 of the canonical JSON of `value` (the before/after hashes of audit rows)."""
    data = json.dumps(clean_json(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --- audit ---------------------------------------------------------------------------------------


def audit(
    session: Session,
    actor: str,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
    address: str | None = None,
    before: Any = None,
    after: Any = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Append one audit row (actor, action, object, address, time, before/after SHA-256 of the state).

    Called in the same transaction as the change it records (T46), so both commit or neither.
    `detail` must never carry passwords or session tokens (ASVS 7.1.1).
    """
    session.add(
        AuditEntry(
            actor=(actor or "-")[:64],
            action=action[:32],
            object_type=object_type,
            object_id=None if object_id is None else str(object_id)[:64],
            address=address[:64] if address else None,
            before_hash=None if before is None else _state_hash(before),
            after_hash=None if after is None else _state_hash(after),
            detail=detail,
            created_at=_now(now),
        )
    )
    session.flush()


def audit_entries(
    session: Session, *, limit: int = 100, before_id: int | None = None, actor: str | None = None
) -> list[dict[str, Any]]:
    """Newest audit rows first (keyset by id): dicts with id, actor, action, object_type, object_id,
    address, before_hash, after_hash, detail, created_at (ISO 8601 Z)."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 500)))
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    return [
        {
            "id": row.id,
            "actor": row.actor,
            "action": row.action,
            "object_type": row.object_type,
            "object_id": row.object_id,
            "address": row.address,
            "before_hash": row.before_hash,
            "after_hash": row.after_hash,
            "detail": row.detail,
            "created_at": iso_z(row.created_at),
        }
        for row in session.scalars(stmt)
    ]


# --- users, sessions, login attempts ---------------------------------------------------------------


def check_user_name(name: str) -> str:
    """`name` if it follows `USER_NAME_RULE`, else ValueError saying the rule."""
    if not isinstance(name, str) or USER_NAME_RULE.fullmatch(name) is None:
        raise ValueError(
            "a user name has 1 to 64 characters: letters A-Z and a-z, digits and . _ - @, "
            "starting with a letter or a digit"
        )
    return name


def create_user(
    session: Session,
    name: str,
    role: str,
    password_hash: str,
    *,
    languages: Sequence[str] | None = None,
    actor: str = "cli",
    now: datetime | None = None,
) -> User:
    """Insert a user (role in `ROLES`; `password_hash` an argon2id PHC string) and audit ``user_add``.

    Raises ValueError for an unknown role or a name that breaks `USER_NAME_RULE`, and
    `IntegrityError` when the name exists.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    check_user_name(name)
    user = User(
        name=name,
        role=role,
        password_hash=password_hash,
        languages=list(languages or []),
        created_at=_now(now),
    )
    session.add(user)
    session.flush()
    audit(
        session, actor, "user_add", object_type="user", object_id=user.id, after={"name": name, "role": role}
    )
    return user


def get_user(session: Session, user_id: int) -> User | None:
    """The user with this id, or None."""
    return session.get(User, user_id)


def get_user_by_name(session: Session, name: str) -> User | None:
    """The user with this exact name, or None."""
    return session.scalars(select(User).where(User.name == name)).first()


def list_users(session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.scalars(select(User).order_by(User.name)))


def set_role(session: Session, actor: str, user_id: int, role: str, *, address: str | None = None) -> User:
    """Change a user's role, end their sessions (privilege change, ASVS 3.3.4-like) and audit
    ``role_change``. Raises ValueError for an unknown role, `NotFound` for an unknown user."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    before = {"name": user.name, "role": user.role}
    user.role = role
    revoke_user_sessions(session, user_id)
    audit(
        session,
        actor,
        "role_change",
        object_type="user",
        object_id=user_id,
        address=address,
        before=before,
        after={"name": user.name, "role": role},
        detail={"from": before["role"], "to": role},
    )
    return user


def create_web_session(
    session: Session,
    user_id: int,
    token_hash: str,
    *,
    absolute_timeout: timedelta,
    now: datetime | None = None,
) -> WebSession:
    """Store a new server-side session: `token_hash` is the SHA-256 hex of the cookie token."""
    now = _now(now)
    row = WebSession(
        id=token_hash,
        user_id=user_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + absolute_timeout,
    )
    session.add(row)
    session.flush()
    return row


def app_secret(session: Session, name: str, *, now: datetime | None = None) -> str:
    """The application secret called `name` (e.g. ``csrf``), generated on first use and kept in
    app_secrets so every server process on this database signs with the same key.

    A new secret is `secrets.token_urlsafe(48)` (384 random bits, 64 characters). Two processes
    creating it at once both end up with the first one committed (the loser's INSERT fails on the
    primary key inside a SAVEPOINT and it reads the winner's row). Commit is the caller's.
    """
    row = session.get(AppSecret, name)
    if row is not None:
        return row.value
    value = secrets.token_urlsafe(48)
    try:
        with session.begin_nested():
            session.add(AppSecret(name=name, value=value, created_at=_now(now)))
            session.flush()
    except IntegrityError:
        row = session.get(AppSecret, name, populate_existing=True)
        if row is None:
            raise
        return row.value
    return value


TOUCH_EVERY = timedelta(seconds=30)
"""`load_web_session` writes last_seen_at at most this often (one write per request would be waste)."""


def load_web_session(
    session: Session, token_hash: str, *, idle_timeout: timedelta, now: datetime | None = None
) -> tuple[WebSession, User] | None:
    """The live session with this token hash and its user, or None when it is unknown, revoked, past
    its absolute expiry, idle longer than `idle_timeout` (ASVS 3.3.2) or its user is disabled.
    Refreshes last_seen_at (at most every `TOUCH_EVERY`)."""
    now = _now(now)
    row = session.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id).where(WebSession.id == token_hash)
    ).first()
    if row is None:
        return None
    web, user = row
    if web.revoked_at is not None or web.expires_at <= now or user.disabled:
        return None
    if web.last_seen_at + idle_timeout <= now:
        return None
    if now - web.last_seen_at >= TOUCH_EVERY:
        web.last_seen_at = now
    return web, user


def revoke_web_session(session: Session, token_hash: str, *, now: datetime | None = None) -> bool:
    """Revoke one session (logout). True when a live session was revoked."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.id == token_hash, WebSession.revoked_at.is_(None))
        .values(revoked_at=_now(now))
    )
    return bool(result.rowcount)


def revoke_user_sessions(session: Session, user_id: int, *, now: datetime | None = None) -> int:
    """Revoke every live session of a user (role change, disable). Returns how many."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=_now(now))
    )
    return int(result.rowcount or 0)


def record_login_attempt(
    session: Session, username: str, address: str | None, success: bool, *, now: datetime | None = None
) -> None:
    """Append a login attempt (user name as typed, cut to 64 characters; never the password)."""
    session.add(
        LoginAttempt(
            username=username[:64], address=(address or "")[:64], success=success, created_at=_now(now)
        )
    )
    session.flush()


def _failure_scope(
    session: Session, username: str | None, address: str | None, window: timedelta, now: datetime
) -> list[ColumnElement[bool]]:
    """Conditions selecting the failed logins counted for (`username`, `address`) in `window`.

    A scope with a user name starts after that name's last successful login in the window from
    the same address (any address when `address` is None): its owner got in, the earlier mistakes
    no longer count, while a success elsewhere does not clear what one address did. A scope of an
    address alone never resets (logging into one's own account must not clear the address's record).
    """
    since = now - window
    address = None if address is None else (address or "")[:64]
    if username is not None:
        found = [
            LoginAttempt.username == username[:64],
            LoginAttempt.success.is_(True),
            LoginAttempt.created_at >= since,
        ]
        if address is not None:
            found.append(LoginAttempt.address == address)
        last_ok = session.scalar(select(func.max(LoginAttempt.created_at)).where(*found))
        if last_ok is not None:
            since = max(since, last_ok.replace(tzinfo=UTC) if last_ok.tzinfo is None else last_ok)
    conds: list[ColumnElement[bool]] = [LoginAttempt.success.is_(False), LoginAttempt.created_at >= since]
    if username is not None:
        conds.append(LoginAttempt.username == username[:64])
    if address is not None:
        conds.append(LoginAttempt.address == address)
    return conds


def login_failures(
    session: Session,
    username: str | None,
    *,
    address: str | None = None,
    window: timedelta = timedelta(hours=1),
    now: datetime | None = None,
) -> int:
    """Failed logins in the last `window` for `username` (None: any name) from `address` (None: any
    address); a scope with a name counts only since that name's last success in the scope
    (`_failure_scope`). Raises ValueError when both are None.
    """
    if username is None and address is None:
        raise ValueError("count failures of a user name, an address or both")
    conds = _failure_scope(session, username, address, window, _now(now))
    return int(session.scalar(select(func.count(LoginAttempt.id)).where(*conds)) or 0)


def login_wait(
    session: Session,
    username: str | None,
    *,
    address: str | None = None,
    limit: int,
    window: timedelta,
    now: datetime | None = None,
) -> timedelta | None:
    """None while the scope (`login_failures` with the same arguments) has fewer than `limit` failed
    logins in `window`; else how long until it has fewer again: the time at which the oldest
    counted failure (the one that brings the count back under `limit`) leaves the window, at least
    one second. Used before any password is checked (ASVS 2.2.1; the limits are the web app's)."""
    now = _now(now)
    conds = _failure_scope(session, username, address, window, now)
    count = int(session.scalar(select(func.count(LoginAttempt.id)).where(*conds)) or 0)
    if count < max(1, limit):
        return None
    oldest = session.scalar(
        select(LoginAttempt.created_at)
        .where(*conds)
        .order_by(LoginAttempt.created_at, LoginAttempt.id)
        .offset(count - max(1, limit))
        .limit(1)
    )
    if oldest is None:  # deleted meanwhile
        return None
    oldest = oldest.replace(tzinfo=UTC) if oldest.tzinfo is None else oldest
    return max(timedelta(seconds=1), oldest + window - now)


# --- saved views --------------------------------------------------------------------------------


def saved_views(session: Session, user_id: int) -> list[dict[str, Any]]:
    """The user's saved queue views: dicts with id, name and query (a `QueueFilters.to_query` dict)."""
    rows = session.scalars(select(SavedView).where(SavedView.user_id == user_id).order_by(SavedView.name))
    return [{"id": v.id, "name": v.name, "query": v.query or {}} for v in rows]


def save_view(session: Session, user_id: int, name: str, query: dict[str, Any]) -> SavedView:
    """Create or replace the user's view called `name` (1-64 characters)."""
    name = name.strip()[:64]
    if not name:
        raise ValueError("a saved view needs a name")
    row = session.scalars(
        select(SavedView).where(SavedView.user_id == user_id, SavedView.name == name)
    ).first()
    if row is None:
        row = SavedView(user_id=user_id, name=name, query=query, created_at=utcnow())
        session.add(row)
    else:
        row.query = query
    session.flush()
    return row


def delete_saved_view(session: Session, user_id: int, view_id: int) -> bool:
    """Delete one of the user's views; False when it is not theirs or does not exist."""
    row = session.get(SavedView, view_id)
    if row is None or row.user_id != user_id:
        return False
    session.delete(row)
    session.flush()
    return True


# --- the queue ------------------------------------------------------------------------------------

PRIORITY_SQL_PG = priority_rules.PRIORITY_SQL_PG
PRIORITY_SQL_SQLITE = priority_rules.PRIORITY_SQL_SQLITE
CONTENT_TYPE_SQL = "coalesce(items.editor_content_type, items.content_type)"
COUNTRY_SQL = "coalesce(items.editor_country, items.country)"


def _priority(session: Session) -> ColumnElement[Any]:
    return priority_rules.priority(session)


def _list(value: Any, *, split: bool = False) -> tuple[str, ...]:
    """A sorted tuple of distinct non-empty strings; `split` also splits on spaces and commas."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [value]
    parts = [p for v in value for p in (str(v).replace(",", " ").split() if split else [str(v)])]
    return tuple(sorted({p.strip()[:64] for p in parts if p.strip()}))


@dataclass(frozen=True)
class QueueFilters:
    """Queue filters; empty tuples / None mean "any".

    status: one of crawler.store.schema.ITEM_STATUSES or ``any`` (default ``pending``);
    themes: assigned theme names (an item matches any of them); country, language, content_type,
    source: value lists (ISO codes, `CONTENT_TYPES`, source ids); relevance_min/max in [0, 1] (items
    without a relevance score match no relevance bound);
    date_from / date_to: publication (else first-seen) date bounds, inclusive, aware UTC; q: words
    that must all occur in the title (case-insensitive).
    """

    status: str = "pending"
    themes: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    content_type: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    relevance_min: float | None = None
    relevance_max: float | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    q: str = ""

    @classmethod
    def from_query(cls, query: dict[str, Any]) -> QueueFilters:
        """Build from a query mapping (lists or scalars); bad numbers and dates are ignored."""

        def number(key: str) -> float | None:
            try:
                value = float(query.get(key))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return None
            return min(1.0, max(0.0, value)) if value == value else None

        def day(key: str, end: bool) -> datetime | None:
            raw = query.get(key)
            if isinstance(raw, list | tuple):
                raw = raw[0] if raw else None
            try:
                d = datetime.strptime(str(raw), "%Y-%m-%d").replace(tzinfo=UTC)
            except (TypeError, ValueError):
                return None
            return d + timedelta(days=1) - timedelta(microseconds=1) if end else d

        status = query.get("status") or "pending"
        if isinstance(status, list | tuple):
            status = status[0] if status else "pending"
        q = query.get("q") or ""
        if isinstance(q, list | tuple):
            q = q[0] if q else ""
        return cls(
            status=str(status)[:16],
            themes=tuple(t for t in _list(query.get("theme")) if t in THEMES),
            country=tuple(c.upper() for c in _list(query.get("country"), split=True)),
            language=tuple(c.lower() for c in _list(query.get("language"), split=True)),
            content_type=tuple(c for c in _list(query.get("content_type")) if c in CONTENT_TYPES),
            source=_list(query.get("source"), split=True),
            relevance_min=number("relevance_min"),
            relevance_max=number("relevance_max"),
            date_from=day("date_from", False),
            date_to=day("date_to", True),
            q=str(q).strip()[:200],
        )

    def to_query(self) -> dict[str, Any]:
        """The non-empty filters as a JSON-able query mapping (inverse of `from_query`)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            key = "theme" if f.name == "themes" else f.name
            if value in (None, (), ""):
                continue
            if isinstance(value, datetime):
                value = value.strftime("%Y-%m-%d")
            out[key] = list(value) if isinstance(value, tuple) else value
        return out

    def conditions(self, session: Session, *, skip: str | None = None) -> list[ColumnElement[bool]]:
        """SQL conditions for these filters; `skip` leaves one facet out (for its counts)."""
        conds: list[ColumnElement[bool]] = []
        if skip != "status" and self.status not in ("any", ""):
            conds.append(Item.status == self.status)
        if skip != "theme" and self.themes:
            conds.append(
                select(ItemTheme.item_id)
                .where(
                    ItemTheme.item_id == Item.id,
                    ItemTheme.theme.in_(self.themes),
                    ItemTheme.assigned.is_(True),
                )
                .exists()
            )
        if skip != "country" and self.country:
            conds.append(literal_column(COUNTRY_SQL).in_(self.country))
        if skip != "language" and self.language:
            conds.append(Item.language.in_(self.language))
        if skip != "content_type" and self.content_type:
            conds.append(literal_column(CONTENT_TYPE_SQL).in_(self.content_type))
        if skip != "source" and self.source:
            conds.append(Item.source_id.in_(self.source))
        # the plain column (not coalesce) so the planner uses its statistics; unscored items never match
        if self.relevance_min is not None:
            conds.append(Item.relevance >= self.relevance_min)
        if self.relevance_max is not None:
            conds.append(Item.relevance <= self.relevance_max)
        when = func.coalesce(Item.published_at, Item.first_seen_at)
        if self.date_from is not None:
            conds.append(when >= self.date_from)
        if self.date_to is not None:
            conds.append(when <= self.date_to)
        for word in self.q.split()[:8]:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conds.append(func.coalesce(Item.editor_title, Item.title).ilike(f"%{escaped}%", escape="\\"))
        return conds


_QUEUE_COLUMNS = (
    Item.id,
    Item.source_id,
    Item.title,
    Item.editor_title,
    Item.language,
    Item.declared_language,
    Item.content_type,
    Item.editor_content_type,
    Item.country,
    Item.editor_country,
    Item.published_at,
    Item.first_seen_at,
    Item.deadline,
    Item.relevance,
    Item.status,
    Item.revision,
    Item.claimed_by,
    Item.claim_expires_at,
)


def _encode_cursor(lane: int, key: Any, item_id: int) -> str:
    if isinstance(key, datetime):
        key = iso_z(key)
    return f"{lane}~{key}~{item_id}"


BAD_CURSOR = "invalid queue cursor (use the next-page link unchanged)"


def _decode_cursor(cursor: str | None) -> tuple[int, Any, int] | None:
    """(lane, key, item id) of a queue cursor ``lane~key~id`` (`_encode_cursor`), None for none.

    The key is an aware datetime in lane 0 (a deadline), the priority's text in lane 1 (a finite
    number); the id is in 1..`MAX_DB_INT`. Raises ValueError(`BAD_CURSOR`) for anything else.
    """
    if not cursor:
        return None
    parts = cursor.split("~")
    if len(parts) != 3 or parts[0] not in ("0", "1") or not parts[2].isascii() or not parts[2].isdigit():
        raise ValueError(BAD_CURSOR)
    item_id = int(parts[2]) if len(parts[2]) <= 19 else 0
    if not 1 <= item_id <= MAX_DB_INT:
        raise ValueError(BAD_CURSOR)
    key: Any = parts[1]
    try:
        if parts[0] == "0":
            key = datetime.fromisoformat(key.replace("Z", "+00:00"))
            key = key.replace(tzinfo=UTC) if key.tzinfo is None else key.astimezone(UTC)
        elif not math.isfinite(float(key)):
            raise ValueError(BAD_CURSOR)
    except (ValueError, OverflowError):
        raise ValueError(BAD_CURSOR) from None
    return int(parts[0]), key, item_id


def _row_dict(row: Any, lane: int, key: Any, now: datetime) -> dict[str, Any]:
    out = dict(row._mapping)
    out["display_title"] = out.pop("editor_title") or out["title"]
    out["content_type"] = out.pop("editor_content_type") or out["content_type"]
    out["country"] = out.pop("editor_country") or out["country"]
    expires = out["claim_expires_at"]
    out["claimed"] = bool(out["claimed_by"] and expires and expires > now)
    out["cursor"] = _encode_cursor(lane, key, out["id"])
    out["lane"] = lane
    return out


def queue_page(
    session: Session,
    filters: QueueFilters,
    *,
    after: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the queue in priority order (module docstring) and the cursor of the next page.

    Returns (rows, next_cursor or None). Each row: id, source_id, title, display_title (the editor's
    title if set), language, declared_language, content_type, country (editor values win),
    published_at, first_seen_at, deadline, relevance, status, revision, claimed_by,
    claim_expires_at, claimed (live claim), themes (assigned names), cursor, lane (0 deadline, 1 rest).
    Raises ValueError for a malformed `after` (`_decode_cursor`).
    """
    now = _now(now)
    limit = max(1, min(limit, MAX_PAGE))
    cursor = _decode_cursor(after)
    conds = filters.conditions(session)
    lane0 = priority_rules.in_deadline_lane(now)
    rows: list[dict[str, Any]] = []
    if cursor is None or cursor[0] == 0:
        stmt = select(*_QUEUE_COLUMNS).where(*conds, lane0)
        if cursor is not None:
            stmt = stmt.where(tuple_(Item.deadline, Item.id) > tuple_(cursor[1], cursor[2]))
        stmt = stmt.order_by(Item.deadline.asc(), Item.id.asc()).limit(limit + 1)
        rows = [_row_dict(r, 0, r.deadline, now) for r in session.execute(stmt)]
    if len(rows) <= limit:
        priority = _priority(session)
        stmt = select(*_QUEUE_COLUMNS, priority.label("priority")).where(
            *conds, priority_rules.not_in_deadline_lane(now)
        )
        if cursor is not None and cursor[0] == 1:
            key: Any = Decimal(cursor[1]) if _dialect(session) == "postgresql" else float(cursor[1])
            stmt = stmt.where(tuple_(priority, Item.id) < tuple_(key, cursor[2]))
        stmt = stmt.order_by(priority.desc(), Item.id.desc()).limit(limit + 1 - len(rows))
        for r in session.execute(stmt):
            entry = _row_dict(r, 1, r.priority, now)
            entry.pop("priority", None)
            rows.append(entry)
    more = len(rows) > limit
    rows = rows[:limit]
    _attach_themes(session, rows)
    return rows, (rows[-1]["cursor"] if more and rows else None)


def _attach_themes(session: Session, rows: list[dict[str, Any]]) -> None:
    """Set each row's ``themes``: its assigned theme names, highest score first."""
    themes: dict[int, list[str]] = {r["id"]: [] for r in rows}
    if rows:
        for item_id, theme in session.execute(
            select(ItemTheme.item_id, ItemTheme.theme)
            .where(ItemTheme.item_id.in_(list(themes)), ItemTheme.assigned.is_(True))
            .order_by(ItemTheme.score.desc())
        ):
            themes[item_id].append(theme)
    for r in rows:
        r["themes"] = themes[r["id"]]


FACETS: tuple[str, ...] = ("status", "language", "content_type", "country", "source", "theme")
COUNT_CAP = 1_000
"""Counts stop at this many items: a facet (or the total) over it is reported as capped ("1,000+").
Exact counts scan every matching row once per facet: on PostgreSQL with 1,000,000 items and nothing
cached (bench/review_queue.py, cold), the seven count queries take 5.8 s with no filter and 4.3 s
for one language; capped at 10,000 still 1.8 to 3.4 s (random index and heap reads), capped at
1,000 0.17 to 0.64 s."""


def uncertain_page(
    session: Session, filters: QueueFilters, *, limit: int = 50, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The items the classifier is least sure about, spread across languages (crawler.store.priority
    `uncertain_order`): rows shaped like `queue_page`'s (lane 1, no next page)."""
    now = _now(now)
    limit = max(1, min(limit, MAX_PAGE))
    ranks = priority_rules.uncertain_ranks(list(filters.conditions(session)))
    stmt = (
        select(*_QUEUE_COLUMNS)
        .join(ranks, ranks.c.id == Item.id)
        .order_by(*priority_rules.uncertain_order(ranks))
        .limit(limit)
    )
    rows = [_row_dict(r, 1, 0, now) for r in session.execute(stmt)]
    for r in rows:
        r["cursor"] = None
    _attach_themes(session, rows)
    return rows

def queue_counts(
    session: Session, filters: QueueFilters, *, cap: int = COUNT_CAP
) -> dict[str, dict[str, int]]:
    """Counts per value of each facet under the other filters (facet -> value -> items), plus
    ``{"total": {"": n}}`` for the current filters and ``{"capped": {name: cap, ...}}`` naming each
    facet (and ``total``) that has more than `cap` matching items.

    Each count reads at most ``cap + 1`` matching rows (a LIMIT-ed subquery): below the cap the
    numbers are exact; a capped facet has no per-value numbers (``{}``; they would describe an
    arbitrary subset) and a capped total is ``cap + 1``. Values absent in the data are not listed.
    """
    cap = max(1, cap)
    out: dict[str, dict[str, int]] = {}
    capped: dict[str, int] = {}
    columns: dict[str, Any] = {
        "status": Item.status,
        "language": func.coalesce(Item.language, "und"),
        "content_type": func.coalesce(literal_column(CONTENT_TYPE_SQL), "-"),
        "country": func.coalesce(literal_column(COUNTRY_SQL), "-"),
        "source": Item.source_id,
    }
    inner: dict[str, Any] = {
        facet: select(column.label("value")).select_from(Item).where(*filters.conditions(session, skip=facet))
        for facet, column in columns.items()
    }
    inner["theme"] = (
        select(ItemTheme.theme.label("value"))
        .join(Item, Item.id == ItemTheme.item_id)
        .where(ItemTheme.assigned.is_(True), *filters.conditions(session, skip="theme"))
    )
    for facet, stmt in inner.items():
        sample = stmt.limit(cap + 1).subquery()
        rows = session.execute(select(sample.c.value, func.count()).group_by(sample.c.value)).all()
        if sum(int(n) for _, n in rows) > cap:
            capped[facet] = cap
            out[facet] = {}
        else:
            out[facet] = {str(k): int(n) for k, n in rows}
    matching = select(Item.id).where(*filters.conditions(session)).limit(cap + 1).subquery()
    total = int(session.scalar(select(func.count()).select_from(matching)) or 0)
    if total > cap:
        capped["total"] = cap
    out["total"] = {"": total}
    out["capped"] = capped
    return out


# --- one item -------------------------------------------------------------------------------------


def item_detail(session: Session, item_id: int) -> dict[str, Any]:
    """Everything the item page shows: the item's columns (dict), ``source`` (name, publisher, state),
    ``theme_scores`` (name, score, assigned, evidence list; highest first), ``effective`` values
    (editor's wins: title, summary, themes, country, content_type) and ``history`` (`item_history`).
    Raises `NotFound`."""
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} not found")
    data = {c.key: getattr(item, c.key) for c in Item.__mapper__.column_attrs}
    source = session.get(SourceRow, item.source_id)
    data["source"] = (
        {"id": source.id, "name": source.name, "publisher": source.publisher, "state": source.state}
        if source
        else {"id": item.source_id, "name": None, "publisher": None, "state": None}
    )
    scores = session.execute(
        select(ItemTheme.theme, ItemTheme.score, ItemTheme.assigned, ItemTheme.evidence)
        .where(ItemTheme.item_id == item_id)
        .order_by(ItemTheme.score.desc(), ItemTheme.theme)
    ).all()
    data["theme_scores"] = [
        {"name": t, "score": s, "assigned": bool(a), "evidence": e if isinstance(e, list) else []}
        for t, s, a, e in scores
    ]
    assigned = [s["name"] for s in data["theme_scores"] if s["assigned"]]
    data["assigned_themes"] = assigned
    data["effective"] = {
        "title": item.editor_title or item.title,
        "summary": item.editor_summary or item.summary,
        "themes": item.editor_themes if item.editor_themes is not None else assigned,
        "country": item.editor_country or item.country,
        "content_type": item.editor_content_type or item.content_type,
    }
    data["history"] = item_history(session, item_id)
    return data


def item_history(session: Session, item_id: int) -> list[dict[str, Any]]:
    """The item's review decisions, oldest first: id, editor, action, reason, changes, item_revision,
    created_at (ISO 8601 Z)."""
    rows = session.scalars(
        select(ReviewDecision).where(ReviewDecision.item_id == item_id).order_by(ReviewDecision.id)
    )
    return [
        {
            "id": d.id,
            "editor": d.editor,
            "action": d.action,
            "reason": d.reason,
            "changes": d.changes or {},
            "item_revision": d.item_revision,
            "created_at": iso_z(d.created_at),
        }
        for d in rows
    ]


def recent_decisions(
    session: Session, *, item_id: int | None = None, editor: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Review decisions newest first (optionally of one item or one editor), each as in
    `item_history` plus item_id and the item's current display title."""
    stmt = (
        select(ReviewDecision, func.coalesce(Item.editor_title, Item.title))
        .join(Item, Item.id == ReviewDecision.item_id)
        .order_by(ReviewDecision.id.desc())
        .limit(max(1, min(limit, 1000)))
    )
    if item_id is not None:
        stmt = stmt.where(ReviewDecision.item_id == item_id)
    if editor:
        stmt = stmt.where(ReviewDecision.editor == editor)
    return [
        {
            "id": d.id,
            "item_id": d.item_id,
            "title": title,
            "editor": d.editor,
            "action": d.action,
            "reason": d.reason,
            "changes": d.changes or {},
            "item_revision": d.item_revision,
            "created_at": iso_z(d.created_at),
        }
        for d, title in session.execute(stmt)
    ]


def derived_status(actions: Iterable[str], initial: str = "pending") -> str:
    """The status an item's decisions lead to: the last approve/reject/defer wins, edits keep it."""
    status = initial
    for action in actions:
        status = STATUS_OF_ACTION.get(action, status)
    return status


# --- claims ---------------------------------------------------------------------------------------


def _claim_free(editor: str, now: datetime) -> ColumnElement[bool]:
    return or_(Item.claimed_by.is_(None), Item.claimed_by == editor, Item.claim_expires_at <= now)


def claim_item(
    session: Session,
    item_id: int,
    editor: str,
    *,
    lease: timedelta = CLAIM_LEASE,
    address: str | None = None,
    now: datetime | None = None,
) -> datetime:
    """Claim (or renew the claim on) one item for `editor` until now + `lease`; returns the expiry.

    PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` then UPDATE; SQLite: one conditional UPDATE.
    A new claim (not a renewal) writes an audit row ``claim``. Raises `NotFound`, or `ClaimRefused`
    when another editor's claim is live (or, on PostgreSQL, another transaction holds the row).
    """
    now = _now(now)
    until = now + lease
    if _dialect(session) == "postgresql":
        row = session.execute(
            select(Item.id, Item.claimed_by, Item.claim_expires_at)
            .where(Item.id == item_id)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            if session.get(Item, item_id) is None:
                raise NotFound(f"item {item_id} not found")
            raise ClaimRefused(None, None)
        _, holder, expires = row
        if holder and holder != editor and expires and expires > now:
            raise ClaimRefused(holder, expires)
        session.execute(
            update(Item).where(Item.id == item_id).values(claimed_by=editor, claim_expires_at=until)
        )
    else:
        # writes first: a SQLite transaction that reads before writing can fail to take the lock
        renewed = session.execute(
            update(Item)
            .where(Item.id == item_id, Item.claimed_by == editor, Item.claim_expires_at > now)
            .values(claim_expires_at=until)
            .execution_options(synchronize_session=False)
        ).rowcount
        holder = editor if renewed else None
        if not renewed:
            result = session.execute(
                update(Item)
                .where(Item.id == item_id, _claim_free(editor, now))
                .values(claimed_by=editor, claim_expires_at=until)
                .execution_options(synchronize_session=False)
            )
            if not result.rowcount:
                current = session.execute(
                    select(Item.claimed_by, Item.claim_expires_at).where(Item.id == item_id)
                ).first()
                if current is None:
                    raise NotFound(f"item {item_id} not found")
                raise ClaimRefused(current[0], current[1])
    renewal = holder == editor
    if not renewal:
        audit(session, editor, "claim", object_type="item", object_id=item_id, address=address, now=now)
    _expire_item(session, item_id)
    return until


def claim_next(
    session: Session,
    editor: str,
    filters: QueueFilters,
    *,
    lease: timedelta = CLAIM_LEASE,
    address: str | None = None,
    now: datetime | None = None,
) -> int | None:
    """Claim the first unclaimed item of the queue under `filters` (priority order); its id, or None.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` so two editors asking at once get different items.
    """
    now = _now(now)
    for _ in range(5):
        rows, _cursor = queue_page(session, filters, limit=20, now=now)
        candidates = [r["id"] for r in rows if not r["claimed"] or r["claimed_by"] == editor]
        for item_id in candidates:
            try:
                claim_item(session, item_id, editor, lease=lease, address=address, now=now)
                return item_id
            except ClaimRefused:
                continue
        if not candidates:
            return None
    return None


def release_claim(session: Session, item_id: int, editor: str) -> bool:
    """Drop `editor`'s claim on the item (leaving the page); False when they did not hold it."""
    result = session.execute(
        update(Item)
        .where(Item.id == item_id, Item.claimed_by == editor)
        .values(claimed_by=None, claim_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    _expire_item(session, item_id)
    return bool(result.rowcount)


def _expire_item(session: Session, item_id: int) -> None:
    """Expire the ORM copy of the item after a Core UPDATE so later reads see the new values."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Item) and (inspect(obj).identity or (None,))[0] == item_id:
            session.expire(obj)


# --- decisions ------------------------------------------------------------------------------------


@dataclass
class Decision:
    """The outcome of `decide`: the decision row's id, the action, the item's new status and revision,
    `repeated` = True when the request token had already been used (nothing new written), the changed
    fields, the item's title as shown (the editor's if set; harvested text: escape before logging)
    and the rejection reason (None for other actions)."""

    id: int
    item_id: int
    action: str
    status: str
    revision: int
    repeated: bool = False
    changes: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    reason: str | None = None


def _editorial_state(item: Item) -> dict[str, Any]:
    return {
        "status": item.status,
        "revision": item.revision,
        **{name: getattr(item, name) for name in EDITABLE},
    }


def _normalise_edit(name: str, value: Any) -> Any:
    if name == "editor_themes":
        if value is None:
            return None
        themes = [t for t in _list(value) if t in THEMES]
        return [t for t in THEMES if t in themes]  # portal order
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    if name == "editor_content_type" and value not in CONTENT_TYPES:
        raise ValueError(f"content type must be one of {', '.join(CONTENT_TYPES)}, got {value!r}")
    if name == "editor_country":
        if not (value.isalpha() and 2 <= len(value) <= 3):
            raise ValueError(f"country must be a 2-letter code, got {value!r}")
        return value.upper()
    if name == "editor_title":  # one line, like a harvested title: no line breaks, controls or overrides
        return (squash_whitespace(strip_bidi_controls(clean_text(value))) or "")[:1000] or None
    return (tidy_paragraphs(strip_bidi_controls(clean_text(value))) or "")[:20000] or None


def _existing_decision(session: Session, request_token: str | None) -> Decision | None:
    if not request_token:
        return None
    row = session.scalars(select(ReviewDecision).where(ReviewDecision.request_token == request_token)).first()
    if row is None:
        return None
    item = session.get(Item, row.item_id)
    return Decision(
        id=row.id,
        item_id=row.item_id,
        action=row.action,
        status=item.status if item else "",
        revision=item.revision if item else 0,
        repeated=True,
        changes=row.changes or {},
        title=(item.editor_title or item.title) if item else None,
        reason=row.reason,
    )


def _conflict_message(session: Session, item: Item, editor: str, revision: int, now: datetime) -> str:
    if (
        item.claimed_by
        and item.claimed_by != editor
        and item.claim_expires_at
        and item.claim_expires_at > now
    ):
        until = item.claim_expires_at.strftime("%H:%M UTC")
        return (
            f"{item.claimed_by} is reviewing this item (claim until {until}); your decision was not recorded."
        )
    last = session.scalars(
        select(ReviewDecision).where(ReviewDecision.item_id == item.id).order_by(ReviewDecision.id.desc())
    ).first()
    who = f"{last.editor} ({last.action}, {iso_z(last.created_at)})" if last else "a re-crawl"
    return (
        f"This item was changed by {who} after you opened it (revision {item.revision}, your form had "
        f"{revision}); your decision was not recorded. Reload the item to see the change."
    )


def check_reject_reason(reason: str | None) -> str:
    """`reason` (surrounding spaces dropped) if it is one of `REJECT_REASONS`; else ValueError. A
    rejection needs a reason and only a listed one: free text would be unbounded input in the
    decision, the tombstone, the audit detail and the log, and training reads the listed values."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a rejection needs a reason")
    if reason not in REJECT_REASONS:
        raise ValueError(f"unknown rejection reason: choose one of {', '.join(REJECT_REASONS)}")
    return reason


def decide(
    session: Session,
    item_id: int,
    editor: str,
    action: str,
    *,
    revision: int,
    request_token: str | None,
    user_id: int | None = None,
    reason: str | None = None,
    edits: dict[str, Any] | None = None,
    address: str | None = None,
    now: datetime | None = None,
) -> Decision:
    """Record one editorial decision (approve, reject, defer, edit) on an item at `revision`.

    In one transaction (the caller's): a conditional UPDATE of the item (revision matches and the
    claim is free or `editor`'s; revision + 1, status from the action, claim released), the
    append-only review_decisions row, the audit row, and for a rejection the tombstone of the item's
    identity. `edits` maps EDITABLE names to new values (None clears); for ``edit`` only the changed
    ones are recorded as ``{"field": {"from": old, "to": new}}``. A `request_token` seen before
    returns that decision with ``repeated=True`` and writes nothing (double submit, T35).

    `reason` must be one of `REJECT_REASONS` for ``reject`` (`check_reject_reason`) and is ignored
    (not stored) for the other actions.

    Raises ValueError (bad action, reason or edit value), `NotFound`, `ReviewConflict` (changed
    meanwhile or claimed by someone else; the message says who and when).
    """
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}, got {action!r}")
    reason = check_reject_reason(reason) if action == "reject" else None
    now = _now(now)
    existing = _existing_decision(session, request_token)
    if existing is not None:
        return existing
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} not found")
    changes: dict[str, Any] = {}
    new_values: dict[str, Any] = {}
    for name, value in (edits or {}).items():
        if name not in EDITABLE:
            raise ValueError(f"field {name!r} cannot be edited")
        value = _normalise_edit(name, value)
        if value != getattr(item, name):
            changes[name] = {"from": getattr(item, name), "to": value}
            new_values[name] = value
    if action == "edit" and not changes:
        raise ValueError("nothing was changed")
    before = _editorial_state(item)
    status = STATUS_OF_ACTION.get(action, item.status)
    values: dict[str, Any] = {
        **new_values,
        "status": status,
        "revision": Item.revision + 1,
        "modified_at": now,
    }
    if action != "edit":
        values.update(claimed_by=None, claim_expires_at=None)
    if action == "approve":
        values.update(approved_at=now, approved_by=editor[:64])
    result = session.execute(
        update(Item)
        .where(Item.id == item_id, Item.revision == revision, _claim_free(editor, now))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        session.expire(item)
        existing = _existing_decision(session, request_token)  # a concurrent double submit won
        if existing is not None:
            return existing
        raise ReviewConflict(_conflict_message(session, item, editor, revision, now))
    session.expire(item)
    decision = ReviewDecision(
        item_id=item_id,
        user_id=user_id,
        editor=editor[:64],
        action=action,
        reason=reason,
        changes=changes or None,
        item_revision=revision,
        request_token=request_token,
        created_at=now,
    )
    session.add(decision)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        existing = _existing_decision(session, request_token)
        if existing is None:
            raise
        raise ReviewConflict("this form was already submitted") from None
    if action == "reject":
        add_tombstone(session, item.identity_hash, item.source_id, reason)
    after = _editorial_state(item)
    audit(
        session,
        editor,
        action,
        object_type="item",
        object_id=item_id,
        address=address,
        before=before,
        after=after,
        detail={"reason": reason, "fields": sorted(changes)} if (reason or changes) else None,
        now=now,
    )
    return Decision(
        id=decision.id,
        item_id=item_id,
        action=action,
        status=item.status,
        revision=item.revision,
        changes=changes,
        title=item.editor_title or item.title,
        reason=reason,
    )


def bulk_decide(
    session: Session,
    items: Sequence[tuple[int, int]],
    editor: str,
    action: str,
    *,
    request_token: str,
    user_id: int | None = None,
    reason: str | None = None,
    address: str | None = None,
    now: datetime | None = None,
) -> tuple[list[Decision], list[tuple[int, str]]]:
    """Approve or reject several (item id, revision) pairs; each in its own SAVEPOINT.

    The request token of item i is ``f"{request_token}:{item_id}"`` so a repeated bulk submit is a
    no-op. Returns (decisions made or repeated, [(item id, refusal message)]). Raises ValueError
    for another action or, for ``reject``, a reason not in `REJECT_REASONS` (before any item).
    """
    if action not in ("approve", "reject"):
        raise ValueError("bulk actions are approve and reject")
    reason = check_reject_reason(reason) if action == "reject" else None
    done: list[Decision] = []
    refused: list[tuple[int, str]] = []
    for item_id, revision in items[:MAX_PAGE]:
        try:
            with session.begin_nested():
                done.append(
                    decide(
                        session,
                        item_id,
                        editor,
                        action,
                        revision=revision,
                        request_token=f"{request_token[:40]}:{item_id}"[:64],
                        user_id=user_id,
                        reason=reason,
                        address=address,
                        now=now,
                    )
                )
        except (ReviewConflict, NotFound, ValueError) as exc:
            refused.append((item_id, str(exc)))
    return done, refused


# --- training data ----------------------------------------------------------------------------------


def decisions_for_training(session: Session) -> list[dict[str, Any]]:
    """Labelled examples from editorial decisions, one per item with an approve or reject, oldest first.

    Each dict: item_id, title (editor's if set), summary (editor's English summary if set, else the
    harvested one), text, language, themes (final themes: editor_themes if set, else the assigned
    ones), relevant (approve -> True; reject with reason ``not relevant`` -> False; other rejections
    -> None: the item may be relevant but unwanted, so it is no relevance label), action, reason,
    editor, decided_at (ISO 8601 Z). The latest approve/reject of an item wins.
    """
    latest = (
        select(ReviewDecision.item_id, func.max(ReviewDecision.id).label("decision_id"))
        .where(ReviewDecision.action.in_(("approve", "reject")))
        .group_by(ReviewDecision.item_id)
        .subquery()
    )
    rows = session.execute(
        select(Item, ReviewDecision)
        .join(latest, latest.c.item_id == Item.id)
        .join(ReviewDecision, ReviewDecision.id == latest.c.decision_id)
        .order_by(ReviewDecision.id)
    ).all()
    ids = [item.id for item, _ in rows]
    assigned: dict[int, list[str]] = {i: [] for i in ids}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        for item_id, theme in session.execute(
            select(ItemTheme.item_id, ItemTheme.theme).where(
                ItemTheme.item_id.in_(chunk), ItemTheme.assigned.is_(True)
            )
        ):
            assigned[item_id].append(theme)
    out = []
    for item, decision in rows:
        if decision.action == "approve":
            relevant: bool | None = True
        elif (decision.reason or "").strip().lower() == "not relevant":
            relevant = False
        else:
            relevant = None
        themes = item.editor_themes if item.editor_themes is not None else sorted(assigned[item.id])
        out.append(
            {
                "item_id": item.id,
                "title": item.editor_title or item.title,
                "summary": item.editor_summary or item.summary,
                "text": item.text,
                "language": item.language,
                "themes": list(themes),
                "relevant": relevant,
                "action": decision.action,
                "reason": decision.reason,
                "editor": decision.editor,
                "decided_at": iso_z(decision.created_at),
            }
        )
    return out


# --- sources ------------------------------------------------------------------------------------------


def source_yield(session: Session) -> list[dict[str, Any]]:
    """`crawler.store.source_status` rows, each with items per status (approved, rejected, pending,
    deferred, changed) and ``yield`` = approved / (approved + rejected), None before any decision."""
    counts: dict[str, dict[str, int]] = {}
    for source_id, status, n in session.execute(
        select(Item.source_id, Item.status, func.count(Item.id)).group_by(Item.source_id, Item.status)
    ):
        counts.setdefault(source_id, {})[status] = int(n)
    publishers = dict(session.execute(select(SourceRow.id, SourceRow.publisher)).all())
    out = []
    for row in source_status(session):
        per = counts.get(row["id"], {})
        approved, rejected = per.get("approved", 0), per.get("rejected", 0)
        decided = approved + rejected
        out.append(
            {
                **row,
                "publisher": publishers.get(row["id"]),
                "items_approved": approved,
                "items_rejected": rejected,
                "items_deferred": per.get("deferred", 0),
                "yield": (approved / decided) if decided else None,
            }
        )
    return out


def set_source_enabled(
    session: Session, actor: str, source_id: str, enabled: bool, *, address: str | None = None
) -> None:
    """Enable or disable a source (admins) and audit ``source_change``. Raises `NotFound`."""
    source = session.get(SourceRow, source_id)
    if source is None:
        raise NotFound(f"source {source_id!r} not found")
    before = {"enabled": source.enabled}
    source.enabled = enabled
    source.updated_at = utcnow()
    audit(
        session,
        actor,
        "source_change",
        object_type="source",
        object_id=source_id,
        address=address,
        before=before,
        after={"enabled": enabled},
        detail={"enabled": enabled},
    )
