"""API tokens of the read API: created, listed, revoked and looked up by hash.

A token is ``ewsi_`` + 43 URL-safe characters (256 random bits), shown once; only its SHA-256 hex
(`token_hash`) is stored. Names are unique among active tokens. Functions never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.store.schema import ApiToken, utcnow
from crawler.text import token_hash

TOKEN_PREFIX = "ewsi_"  # noqa: S105 (a public prefix, not a secret)


@dataclass(frozen=True)
class TokenInfo:
    """An API token's public facts: id, name, rate limit per minute, created, revoked (or None)."""

    id: int
    name: str
    rate_limit_per_minute: int
    created_at: datetime
    revoked_at: datetime | None
    scopes: tuple[str, ...] = ()
    """Rights beyond reading: ``submit`` (POST /api/v1/submissions), ``coverage`` (the harvested
    and unpublished counts of GET /api/v1/coverage)."""


SCOPES: tuple[str, ...] = ("submit", "coverage")


def _info(row: ApiToken) -> TokenInfo:
    scopes = tuple(str(s) for s in (row.scopes or ()))
    return TokenInfo(row.id, row.name, row.rate_limit_per_minute, row.created_at, row.revoked_at, scopes)


def add_token(
    session: Session, name: str, *, rate_limit_per_minute: int = 600, scopes: tuple[str, ...] = ()
) -> tuple[str, TokenInfo]:
    """Create a token named `name`; returns (the token, shown once; its info).

    The token is ``ewsi_`` + 43 URL-safe characters (256 random bits). Raises ValueError when an
    active token already has this name or the rate is not a positive integer.
    """
    if rate_limit_per_minute < 1:
        raise ValueError("rate limit must be at least 1 request per minute")
    if set(scopes) - set(SCOPES):
        raise ValueError(f"unknown scope(s) {sorted(set(scopes) - set(SCOPES))}; known: {SCOPES}")
    active = session.scalars(
        select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
    ).first()
    if active is not None:
        raise ValueError(f"an active token named {name!r} exists; revoke it first")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name,
        token_hash=token_hash(token),
        rate_limit_per_minute=rate_limit_per_minute,
        scopes=sorted(set(scopes)) or None,
    )
    session.add(row)
    session.flush()
    return token, _info(row)


def list_tokens(session: Session) -> list[TokenInfo]:
    """Every token (revoked ones too), by id."""
    return [_info(row) for row in session.scalars(select(ApiToken).order_by(ApiToken.id))]


def revoke_token(session: Session, name: str) -> int:
    """Revoke the active tokens named `name`; returns how many were revoked (0: none active)."""
    rows = list(session.scalars(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))))
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    return len(rows)


def find_token(session: Session, token: str) -> TokenInfo | None:
    """The active token whose hash matches `token`, or None (unknown or revoked)."""
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
    ).first()
    return None if row is None else _info(row)
