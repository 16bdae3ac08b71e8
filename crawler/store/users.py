"""Editors' accounts: users and roles, server-side web sessions, the login throttle, saved views,
and the application secrets the web app signs with.

- names follow `USER_NAME_RULE`; roles are `ROLES`; a role change ends the user's sessions;
- a web session is stored by the SHA-256 hex of its cookie token, with an absolute expiry and an
  idle timeout (the web app's settings); `load_web_session` refreshes last_seen_at at most every
  `TOUCH_EVERY`;
- login attempts are appended (the name as typed, never the password); the throttle counts failed
  attempts of a name, an address or both in a window (`_failure_scope`), before any password is
  checked (`login_wait`);
- saved views are a user's named queue filters (`crawler.store.queue.QueueFilters.to_query`).

Functions never commit; changes that matter are audited (crawler.store.audit) in the same
transaction. Unknown users raise `crawler.errors.NotFound`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from crawler.errors import NotFound
from crawler.store.audit import audit
from crawler.store.schema import AppSecret, LoginAttempt, SavedView, User, WebSession, utc_or_now, utcnow

ROLES: tuple[str, ...] = ("editor", "admin")


USER_NAME_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
"""Account names: 1 to 64 characters, ASCII letters, digits and ``. _ - @``, starting with a letter
or a digit (no spaces, controls, look-alike letters of other scripts or bidi marks: the name is
shown in pages, the audit log and the log)."""


# --- users --------------------------------------------------------------------------------------


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
    taken = name_taken(session, name)
    if taken is not None and taken != name:
        raise ValueError(f"user {taken!r} exists: names must differ by more than case")
    user = User(
        name=name,
        role=role,
        password_hash=password_hash,
        languages=list(languages or []),
        created_at=utc_or_now(now),
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


def name_taken(session: Session, name: str) -> str | None:
    """The existing user name equal to `name` with case ignored (``Alice`` and ``alice`` would be
    two accounts an editor cannot tell apart in the desk and the audit log), or None. Names are
    ASCII (`USER_NAME_RULE`), so SQL lower() compares them alike on both back ends."""
    return session.scalars(select(User.name).where(func.lower(User.name) == name.lower())).first()


def get_user_by_name(session: Session, name: str) -> User | None:
    """The user with this exact name, or None."""
    return session.scalars(select(User).where(User.name == name)).first()


def list_users(session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.scalars(select(User).order_by(User.name)))


def set_role(session: Session, actor: str, user_id: int, role: str, *, address: str | None = None) -> User:
    """Change a user's role, end their sessions (privilege change) and audit
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


# --- web sessions and secrets ---------------------------------------------------------------------


def create_web_session(
    session: Session,
    user_id: int,
    token_hash: str,
    *,
    absolute_timeout: timedelta,
    now: datetime | None = None,
) -> WebSession:
    """Store a new server-side session: `token_hash` is the SHA-256 hex of the cookie token."""
    now = utc_or_now(now)
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
            session.add(AppSecret(name=name, value=value, created_at=utc_or_now(now)))
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
    its absolute expiry, idle longer than `idle_timeout` or its user is disabled.
    Refreshes last_seen_at (at most every `TOUCH_EVERY`)."""
    now = utc_or_now(now)
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
        .values(revoked_at=utc_or_now(now))
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_user_sessions(session: Session, user_id: int, *, now: datetime | None = None) -> int:
    """Revoke every live session of a user (role change, disable). Returns how many."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=utc_or_now(now))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- login throttle -------------------------------------------------------------------------------


def record_login_attempt(
    session: Session, username: str, address: str | None, success: bool, *, now: datetime | None = None
) -> None:
    """Append a login attempt (user name as typed, cut to 64 characters; never the password)."""
    session.add(
        LoginAttempt(
            username=username[:64], address=(address or "")[:64], success=success, created_at=utc_or_now(now)
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
    conds = _failure_scope(session, username, address, window, utc_or_now(now))
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
    one second. Used before any password is checked (the limits are the web app's)."""
    now = utc_or_now(now)
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


# --- saved views ----------------------------------------------------------------------------------


def saved_views(session: Session, user_id: int) -> list[dict[str, Any]]:
    """The user's saved queue views: dicts with id, name and query (a `QueueFilters.to_query` dict)."""
    rows = session.scalars(select(SavedView).where(SavedView.user_id == user_id).order_by(SavedView.name))
    return [{"id": v.id, "name": v.name, "query": v.query or {}} for v in rows]


MAX_VIEW_NAME = 64
"""Longest saved view name, in characters (the column's size)."""


def save_view(session: Session, user_id: int, name: str, query: dict[str, Any]) -> SavedView:
    """Create or replace the user's view called `name` (1-`MAX_VIEW_NAME` characters once trimmed).

    Rule: a name is stored as typed (trimmed) or refused with ValueError, never shortened silently.
    """
    name = name.strip()
    if not name:
        raise ValueError("a saved view needs a name")
    if len(name) > MAX_VIEW_NAME:
        raise ValueError(
            f"a saved view's name has at most {MAX_VIEW_NAME} characters (this one has {len(name)});"
            " nothing was saved"
        )
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
