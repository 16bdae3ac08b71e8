"""The review-queue database: the only package that imports SQLAlchemy.

- `schema`: tables (ORM classes) and safe column types;
- `session`: engine, sessions, readiness check, retry helper;
- `migrate`: Alembic upgrade/downgrade from code;
- `queries`: every read and write the rest of the project needs (they never commit);
- `host_budget`: the per-host politeness budget shared by every crawl process (PostgreSQL);
- `rate_buckets`: the portal API's rate-limit buckets shared by every server process (PostgreSQL).
"""

from __future__ import annotations

from crawler.store.migrate import current_revision, downgrade, head_revision, upgrade
from crawler.store.queries import (
    OUTCOMES,
    RawResponse,
    SlotTaken,
    add_tombstone,
    finish_run,
    get_http_cache,
    heartbeat,
    mark_interrupted,
    put_http_cache,
    queue,
    source_status,
    start_run,
    sync_sources,
    upsert_item,
)
from crawler.store.schema import sha256_hex
from crawler.store.session import (
    check_ready,
    database_url,
    ensure_ready,
    make_engine,
    redacted_url,
    retry_counts,
    run_with_retry,
    session_factory,
    session_scope,
    shared_engine,
)

__all__ = [
    "OUTCOMES",
    "RawResponse",
    "SlotTaken",
    "add_tombstone",
    "check_ready",
    "current_revision",
    "database_url",
    "downgrade",
    "ensure_ready",
    "finish_run",
    "get_http_cache",
    "head_revision",
    "heartbeat",
    "make_engine",
    "mark_interrupted",
    "put_http_cache",
    "queue",
    "redacted_url",
    "retry_counts",
    "run_with_retry",
    "session_factory",
    "session_scope",
    "sha256_hex",
    "shared_engine",
    "source_status",
    "start_run",
    "sync_sources",
    "upgrade",
    "upsert_item",
]
