"""Validators of conditional GET, per URL: ETag, Last-Modified and the SHA-256 of the last body.

Keyed by the SHA-256 of the URL (``http_cache.url_hash``); one row per URL, replaced on every
fetch (INSERT ... ON CONFLICT DO UPDATE, crawler.store.dialect). Functions never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crawler.store import dialect
from crawler.store.schema import HttpCacheEntry, as_utc, clip, sha256_hex, utcnow


def get_http_cache(session: Session, url: str) -> dict[str, Any] | None:
    """Validators stored for `url`: {url, etag, last_modified, body_sha256, status, fetched_at, leads},
    or None (`leads`: the last answer read led to other documents, crawler.fetch.conditional_get)."""
    row = session.get(HttpCacheEntry, sha256_hex(url))
    if row is None:
        return None
    return {
        "url": row.url,
        "etag": row.etag,
        "last_modified": row.last_modified,
        "body_sha256": row.body_sha256,
        "status": row.status,
        "fetched_at": row.fetched_at,
        "leads": row.leads,
    }


def put_http_cache(
    session: Session,
    url: str,
    etag: str | None,
    last_modified: str | None,
    body_sha256: str | None,
    status: int | None,
    *,
    fetched_at: datetime | None = None,
    leads: bool | None = None,
) -> None:
    """Insert or replace the validators of `url` (keyed by the SHA-256 of the URL); `leads` as in
    `get_http_cache`."""
    values = {
        "url": clip(url),
        "etag": clip(etag),
        "last_modified": clip(last_modified),
        "body_sha256": clip(body_sha256, 64),
        "status": status,
        "fetched_at": as_utc(fetched_at) or utcnow(),
        "leads": leads,
    }
    stmt = dialect.insert(session, HttpCacheEntry.__table__).values(url_hash=sha256_hex(url), **values)  # type: ignore[arg-type]
    session.execute(stmt.on_conflict_do_update(index_elements=["url_hash"], set_=values))
    dialect.expire(session, HttpCacheEntry, {sha256_hex(url)})
