"""The review-queue database: the only package that imports SQLAlchemy.

Import the module you need by name (``from crawler.store import queue``); this file re-exports
nothing. Query functions take a Session and never commit: the entry point, pipeline or request that
opened the session does (``session.session_scope``).

Infrastructure
- `schema`: tables (ORM classes), safe column types, small value helpers (`iso_z`, `clip`, `NotFound`);
- `session`: engines, sessions, retries, "is the database unavailable" (`DB_ERRORS`);
- `migrate`: Alembic upgrade/downgrade from code, readiness (`check_ready`, `ensure_ready`);
- `dialect`: ON CONFLICT and SKIP LOCKED for PostgreSQL and their SQLite equivalents.

One module per entity
- `items`: the harvest's upsert, item versions, tombstones, raw bodies;
- `runs`: crawl runs, the store side of source health (crawler.health), the quarantine;
- `sources`: source metadata, status and yield, enabling a source;
- `http_cache`: conditional-GET validators per URL;
- `queue`: the review queue's filters, priority, cursors, facet counts and claims;
- `decisions`: editorial decisions, an item's page and history;
- `users`: users, roles, web sessions, the login throttle, saved views, application secrets;
- `audit`: the audit log;
- `portal`: what the read API, feeds, digests and export read (the publication rule);
- `structured`: funding calls' and events' columns, a call's status at query time, their lists;
- `tokens`: API tokens;
- `leader`: the scheduler's leader lock and the run rows it writes;
- `training`: editors' decisions as training labels (the one labelling rule), re-classification;
- `host_budget`: the per-host politeness budget shared by every crawl process (PostgreSQL);
- `rate_buckets`: the portal API's rate-limit buckets shared by every server process (PostgreSQL).
"""
