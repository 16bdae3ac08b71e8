"""Validators of conditional GET, per source and URL: ETag, Last-Modified and the SHA-256 of the last body.

Rule: validators belong to the source that read the answer. Two sources reaching one URL (both
configure it, one's start URL redirects to the other's, or a followed link of one is the other's
document) each keep their own row, so a source never gets a 304 or a "same body" for an answer only
another source read, and its entries are read and counted in its own run. The key
(``http_cache.url_hash``) is the SHA-256 of ``source id, newline, URL`` (`cache_key`); without a
source (older callers) the SHA-256 of the URL alone. Rows written before the rule (URL alone) are
no source's: each source reads such a URL in full once. One row per key, replaced on every fetch
(INSERT ... ON CONFLICT DO UPDATE, crawler.store.dialect). Functions never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crawler.store import dialect
from crawler.store.schema import HttpCacheEntry, as_utc, clip, sha256_hex, utcnow


def cache_key(url: str, source: str | None = None) -> str:
    """The row key of `url` as read by `source` (module rule)."""
    return sha256_hex(url if source is None else f"{source}\n{url}")


def get_http_cache(session: Session, url: str, source: str | None = None) -> dict[str, Any] | None:
    """Validators stored for `url` as read by `source`: {url, etag, last_modified, body_sha256, status,
    fetched_at, leads}, or None (`leads`: the last answer read led to other documents,
    crawler.fetch.conditional_get)."""
    row = session.get(HttpCacheEntry, cache_key(url, source))
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
    source: str | None = None,
) -> None:
    """Insert or replace the validators of `url` as read by `source` (`cache_key`); `leads` as in
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
    key = cache_key(url, source)
    stmt = dialect.insert(session, HttpCacheEntry.__table__).values(url_hash=key, **values)  # type: ignore[arg-type]
    session.execute(stmt.on_conflict_do_update(index_elements=["url_hash"], set_=values))
    dialect.expire(session, HttpCacheEntry, {key})
