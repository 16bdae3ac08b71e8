"""Stored URL identities re-keyed to the current rule of pipelines.urls.identity_url.

Revision ID: 0027_url_identity_rekey
Revises: 0026_source_languages
Create Date: 2026-12-05

The identity of an item found by its link (``url:<identity URL>``, pipelines.dedup) gained rules:
more tracking and session parameters removed (HubSpot ``__hstc``, AT Internet ``xtor``, ...), ASP.NET's
cookieless ``/(S(...))/`` segment removed, a final directory index file (``/news/index.html``) equal
to its directory. Without re-keying, the next harvest of a page stored under the old identity would
insert it a second time. Rule (`rekey`): an identity ``url:U`` (a language version ``url:U#xx``) gets
``url:`` + identity_url(U) (+ ``#xx``), unless that would change its host or port (the scheme is not
in the identity, so a stored explicit port is kept as it was) or another row already holds the new
identity (then it stays as it was: two stored rows are never merged here). A tombstone of the old
identity is copied to the new one, so a rejected page stays rejected. Downgrade keeps the new keys
(the old rule's keys cannot be recomputed).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crawler.store.schema import sha256_hex
from pipelines.urls import identity_url

revision: str = "0027_url_identity_rekey"
down_revision: str | None = "0026_source_languages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PREFIX = "url:"


def rekey(identity: str, version: bool) -> str:
    """`identity` under the current rule (module docstring); `identity` itself when it is not a URL
    identity, cannot be parsed, or would change host or port."""
    if not identity.startswith(_PREFIX):
        return identity
    body, suffix = identity[len(_PREFIX) :], ""
    if version and "#" in body:
        body, language = body.rsplit("#", 1)
        suffix = f"#{language}"
    netloc = body.split("/", 1)[0]
    try:
        new = identity_url(f"https://{body}")
    except ValueError:
        return identity
    if new.split("/", 1)[0] != netloc:
        return identity
    return f"{_PREFIX}{new}{suffix}"


def upgrade() -> None:
    bind = op.get_bind()
    items = sa.table(
        "items",
        sa.column("id", sa.BigInteger),
        sa.column("identity", sa.Text),
        sa.column("identity_hash", sa.String),
        sa.column("version_of", sa.BigInteger),
    )
    tombstones = sa.table(
        "tombstones",
        sa.column("identity_hash", sa.String),
        sa.column("source_id", sa.String),
        sa.column("reason", sa.Text),
        sa.column("created_at", sa.DateTime),
    )
    rows = bind.execute(
        sa.select(items.c.id, items.c.identity, items.c.identity_hash, items.c.version_of)
        .where(items.c.identity.like(f"{_PREFIX}%"))
        .order_by(items.c.id)
    ).all()
    taken = set(bind.execute(sa.select(items.c.identity_hash)).scalars())
    for row in rows:
        new = rekey(row.identity, version=row.version_of is not None)
        new_hash = sha256_hex(new)
        if new == row.identity or new_hash in taken:
            continue
        bind.execute(
            sa.update(items).where(items.c.id == row.id).values(identity=new, identity_hash=new_hash)
        )
        taken.discard(row.identity_hash)
        taken.add(new_hash)
        old_tomb = bind.execute(
            sa.select(tombstones).where(tombstones.c.identity_hash == row.identity_hash)
        ).first()
        new_tomb = bind.execute(
            sa.select(tombstones.c.identity_hash).where(tombstones.c.identity_hash == new_hash)
        ).first()
        if old_tomb is not None and new_tomb is None:
            bind.execute(
                sa.insert(tombstones).values(
                    identity_hash=new_hash,
                    source_id=old_tomb.source_id,
                    reason=old_tomb.reason,
                    created_at=old_tomb.created_at,
                )
            )


def downgrade() -> None:
    """Nothing to undo: the new keys stay (module docstring)."""
