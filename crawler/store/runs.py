"""Crawl runs and the quarantine of poison pages: the store side of crawler.health.

A run is a ``crawl_runs`` row: `start_run` writes it ``running`` (one per (source_id, slot_start):
a second claim raises `SlotTaken`), `heartbeat` keeps its lease, `finish_run` writes the report's
counts, and `mark_interrupted` closes runs whose lease ran out (error key ``crawl.crashed``).
The rules of source health are crawler.health's; here they get their inputs (the source's
health columns, its last ok runs, the finish times of its runs with new items) and their verdict is
saved on the ``sources`` row (`record_failure`, `finish_run`); `forgive_offline` takes back the
failures of a run in which the machine was offline.

Quarantine: `record_worker_kill` counts extraction-worker kills per URL (`crawler.health.strike`);
`quarantined_urls` lists the URLs the extraction skips. Functions never commit.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from crawler import health
from crawler.errors import SlotTaken
from crawler.store import dialect, sources, suspects
from crawler.store.schema import (
    CrawlRun,
    QuarantinedUrl,
    SourceRow,
    as_utc,
    clean_json,
    clip,
    sha256_hex,
    utcnow,
)
from crawler.text import iso_z, when
from crawler.types import CrawlReport


def start_run(
    session: Session, source_id: str, *, slot_start: datetime | None = None, pid: int | None = None
) -> int:
    """Insert a ``running`` crawl run and set the source's last_run_at; returns the run id.

    `slot_start` is the scheduler slot being claimed: a second run for the same (source_id,
    slot_start) raises `SlotTaken` (a NULL slot never collides). `pid` defaults to this process.
    """
    sources.ensure_source(session, source_id)
    now = utcnow()
    stmt = dialect.insert(session, CrawlRun.__table__).values(  # type: ignore[arg-type]
        source_id=source_id,
        slot_start=as_utc(slot_start),
        started_at=now,
        heartbeat_at=now,
        pid=pid if pid is not None else os.getpid(),
        host=clip(socket.gethostname(), 255),
        status="running",
    )
    if slot_start is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["source_id", "slot_start"])
    run_id = session.execute(stmt.returning(CrawlRun.__table__.c.id)).scalar_one_or_none()
    if run_id is None:
        raise SlotTaken(f"{source_id}: slot {iso_z(slot_start)} already has a run")
    session.execute(update(SourceRow).where(SourceRow.id == source_id).values(last_run_at=now))
    return int(run_id)


def heartbeat(session: Session, run_id: int) -> bool:
    """Refresh a running run's heartbeat; False when the run is no longer ``running`` (lease lost)."""
    result = session.execute(
        update(CrawlRun)
        .where(CrawlRun.id == run_id, CrawlRun.status == "running")
        .values(heartbeat_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- source health: inputs and verdict ----------------------------------------------------------


def source_health(source: SourceRow) -> health.SourceHealth:
    """The health columns of `source` as plain data for crawler.health."""
    return health.SourceHealth(
        state=source.state,
        consecutive_failures=source.consecutive_failures or 0,
        backoff_until=as_utc(source.backoff_until),
        last_error_key=source.last_error_key,
        last_error=source.last_error,
        last_success_at=as_utc(source.last_success_at),
        last_new_item_at=as_utc(source.last_new_item_at),
    )


def save_health(source: SourceRow, verdict: health.SourceHealth) -> None:
    """Write `verdict` on the source row (texts cleaned and cut to their columns)."""
    source.state = verdict.state
    source.consecutive_failures = verdict.consecutive_failures
    source.backoff_until = verdict.backoff_until
    source.last_error_key = clip(verdict.last_error_key, 64)
    source.last_error = clip(verdict.last_error)
    source.last_success_at = verdict.last_success_at
    source.last_new_item_at = verdict.last_new_item_at
    source.updated_at = utcnow()


def record_failure(source: SourceRow, when: datetime, error_key: str, error: str | None) -> None:
    """Count one failure of `source` at `when` (``failing``, a longer back-off: `health.after_failure`)."""
    save_health(source, health.after_failure(source_health(source), when, error_key, error))


def health_of(session: Session, source_ids: Sequence[str]) -> dict[str, health.SourceHealth]:
    """The health columns of the sources `source_ids` (unknown ids are left out), by source id."""
    rows = session.scalars(select(SourceRow).where(SourceRow.id.in_(list(source_ids))))
    return {row.id: source_health(row) for row in rows}


def forgive_offline(session: Session, before: Mapping[str, health.SourceHealth]) -> list[str]:
    """Take back the failure each source was counted for a run in which no source host at all
    could be reached (the machine was offline, crawler.commands.crawl decides): its failure count,
    back-off and state go back to `before` (its `health_of` taken before the run), so the scheduler
    does not skip it for up to `health.backoff_delay` once the network returns.

    The runs themselves keep their status and error key (nothing is silent), and the source's
    last error stays as the run wrote it. A source whose failure count is not exactly one more than
    before (another run of it finished meanwhile) is left alone. Returns the ids taken back.
    """
    forgiven = []
    for source_id, prior in before.items():
        source = session.get(SourceRow, source_id)
        if source is None or (source.consecutive_failures or 0) != prior.consecutive_failures + 1:
            continue
        source.state = prior.state
        source.consecutive_failures = prior.consecutive_failures
        source.backoff_until = prior.backoff_until
        source.updated_at = utcnow()
        forgiven.append(source_id)
    return forgiven


def ok_history(session: Session, source_id: str, run_id: int) -> list[health.RunSummary]:
    """The source's last `health.HISTORY_RUNS` ok runs other than `run_id`, newest first."""
    runs = session.scalars(
        select(CrawlRun)
        .where(CrawlRun.source_id == source_id, CrawlRun.status == "ok", CrawlRun.id != run_id)
        .order_by(CrawlRun.id.desc())
        .limit(health.HISTORY_RUNS)
    )
    return [
        health.RunSummary(
            items_new=r.items_new or 0,
            items_updated=r.items_updated or 0,
            items_unchanged=r.items_unchanged or 0,
            quality=health.quality_of(r.stats),
        )
        for r in runs
    ]


def new_item_times(session: Session, source_id: str) -> list[datetime]:
    """Finish times of the source's ok runs that brought new items, newest first (`health.is_quiet`)."""
    times = session.scalars(
        select(CrawlRun.finished_at)
        .where(CrawlRun.source_id == source_id, CrawlRun.status == "ok", CrawlRun.items_new > 0)
        .order_by(CrawlRun.finished_at.desc())
        .limit(health.QUIET_WINDOW)
    )
    return [t for t in times if t is not None]


def finish_run(session: Session, run_id: int, report: CrawlReport) -> health.Judgement:
    """Write the report's counts on the run and the source's health after it; returns the judgement.

    The run is judged by meaning against the source's `ok_history` (`health.judge_by_meaning`); the
    source's new health is `health.after_run` (None: left as it was, e.g. after a shutdown or our
    own database outage, so its next slot runs). A report still saying ``running`` counts as ok
    unless it has an error key. A broken run's first-stored items are held back from the queue, an ok
    run releases the held items it yielded again (crawler.store.suspects); the counts are kept in the
    run's stats as ``held_back`` and ``released``. Raises LookupError for an unknown run id.
    """
    run = session.get(CrawlRun, run_id)
    if run is None:
        raise LookupError(f"no crawl run with id {run_id}")
    finished = as_utc(report.finished_at) or utcnow()
    status = health.report_status(report.status, report.error_key)
    judged = health.judge_by_meaning(
        status, report.error_key, report.stats, ok_history(session, run.source_id, run.id)
    )
    run.status = judged.status
    run.finished_at = finished
    run.error_key = clip(judged.error_key, 64)
    run.error = clip(judged.message or report.error)
    run.fetched = report.fetched
    run.items_new = report.items_new
    run.items_updated = report.items_updated
    run.items_unchanged = report.items_unchanged
    run.items_dropped = sum(int(v) for v in report.dropped.values())
    run.dropped = clean_json(report.dropped)
    run.http_errors = clean_json(report.http_errors)
    stats = dict(report.stats)
    if judged.holds_items and judged.error_key:
        stats["held_back"] = suspects.hold_back(session, run.id, judged.error_key)
        judged = replace(judged, held_back=stats["held_back"])
    elif judged.status == "ok":
        stats["released"] = suspects.release_seen(session, run.source_id, run.id)
    run.stats = clean_json(stats)
    started = run.started_at or as_utc(report.started_at)
    run.duration_s = max(0.0, (finished - started).total_seconds()) if started else None
    source = session.get(SourceRow, run.source_id)
    if source is None:  # FK makes this impossible unless the row was deleted meanwhile
        return judged
    times: list[datetime] = []
    if judged.status == "ok":
        session.flush()  # this run counts in the usual gap
        times = new_item_times(session, source.id)
    verdict = health.after_run(
        source_health(source),
        judged,
        when=finished,
        items_new=report.items_new,
        error=report.error,
        new_item_times=times,
        paused_until=health.not_before(report.stats),
    )
    if verdict is not None:
        save_health(source, verdict)
    if judged.error_key not in health.NOT_THE_SOURCE:
        seen = report.stats.get("ewsi/moved")
        answered = judged.status == "ok" and not report.stats.get("ewsi/fetch/not_modified")
        moved = health.moved_after_run(
            source.moved_to if isinstance(source.moved_to, dict) else None,
            seen if isinstance(seen, dict) else None,
            answered=answered,
        )
        if moved != source.moved_to:
            source.moved_to = clean_json(moved)
    return judged


def mark_interrupted(session: Session, older_than: timedelta | datetime) -> list[int]:
    """Mark ``running`` runs whose heartbeat (else start) is older than the lease as ``interrupted``.

    `older_than` is the lease (a timedelta before now) or a cutoff datetime. Each such run gets
    error key ``crawl.crashed`` and counts as a failure of its source. The conditional
    UPDATE makes this safe when two schedulers sweep at once. Returns the ids marked.
    """
    now = utcnow()
    cutoff = now - older_than if isinstance(older_than, timedelta) else as_utc(older_than)
    last_sign = func.coalesce(CrawlRun.heartbeat_at, CrawlRun.started_at)
    candidates = session.execute(
        select(CrawlRun.id, CrawlRun.source_id).where(CrawlRun.status == "running", last_sign < cutoff)
    ).all()
    marked = []
    for run_id, source_id in candidates:
        result = session.execute(
            update(CrawlRun)
            .where(CrawlRun.id == run_id, CrawlRun.status == "running")
            .values(
                status="interrupted",
                finished_at=now,
                error_key="crawl.crashed",
                error=f"no heartbeat since before {when(cutoff)}",
            )
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            continue
        marked.append(run_id)
        source = session.get(SourceRow, source_id)
        if source is not None:
            record_failure(source, now, "crawl.crashed", "the crawl process stopped without finishing")
    return marked


# --- quarantine ------------------------------------------------------------------------------------


def record_worker_kill(
    session: Session,
    url: str,
    source_id: str | None,
    reason: str,
    kills: int = 1,
    *,
    now: datetime | None = None,
) -> bool:
    """Count `kills` extraction-worker kills (`reason`: ``timeout`` or ``memory``) for `url`.

    Strikes older than `health.QUARANTINE_DAYS` are forgotten first; every kill moves the expiry
    (`health.strike`). Returns True when the URL is now quarantined (`health.is_quarantined`).
    """
    now = as_utc(now) or utcnow()
    key = sha256_hex(url)
    hits, expires = health.strike(0, None, now, kills)
    row = session.get(QuarantinedUrl, key)
    if row is None:
        stmt = (
            dialect.insert(session, QuarantinedUrl.__table__)  # type: ignore[arg-type]
            .values(
                url_hash=key,
                url=clip(url),
                source_id=clip(source_id, 64),
                reason=clip(reason, 64),
                hits=hits,
                created_at=now,
                expires_at=expires,
            )
            .on_conflict_do_nothing(index_elements=["url_hash"])
        )
        if session.execute(stmt).rowcount:  # type: ignore[attr-defined]
            return health.is_quarantined(hits)
        row = session.get(QuarantinedUrl, key)
        assert row is not None
    expires_at = as_utc(row.expires_at)
    if expires_at is not None and expires_at <= now:
        row.created_at = now  # a new series of strikes
    row.hits, row.expires_at = health.strike(row.hits or 0, expires_at, now, kills)
    row.reason = clip(reason, 64)
    return health.is_quarantined(row.hits)


def quarantined_urls(
    session: Session, source_id: str | None = None, *, now: datetime | None = None
) -> set[str]:
    """URLs currently quarantined (hits >= `health.QUARANTINE_AFTER`, not expired), of one source or all."""
    now = as_utc(now) or utcnow()
    stmt = select(QuarantinedUrl.url).where(
        QuarantinedUrl.hits >= health.QUARANTINE_AFTER, QuarantinedUrl.expires_at > now
    )
    if source_id is not None:
        stmt = stmt.where(QuarantinedUrl.source_id == source_id)
    return set(session.scalars(stmt))


def quarantine_list(session: Session, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Unexpired quarantine rows, newest first: url, source_id, reason, hits, quarantined (bool),
    created_at and expires_at (ISO 8601 Z). Rows with one strike are listed with quarantined False."""
    now = as_utc(now) or utcnow()
    rows = session.scalars(
        select(QuarantinedUrl)
        .where(QuarantinedUrl.expires_at > now)
        .order_by(QuarantinedUrl.created_at.desc())
    )
    return [
        {
            "url": r.url,
            "source_id": r.source_id,
            "reason": r.reason,
            "hits": r.hits,
            "quarantined": health.is_quarantined(r.hits),
            "created_at": iso_z(r.created_at),
            "expires_at": iso_z(r.expires_at),
        }
        for r in rows
    ]


def clear_quarantine(session: Session, url: str | None = None) -> int:
    """Remove the quarantine row of `url`, or every row when `url` is None; returns rows removed."""
    stmt = delete(QuarantinedUrl)
    if url is not None:
        stmt = stmt.where(QuarantinedUrl.url_hash == sha256_hex(url))
    result = session.execute(stmt)
    dialect.expire(session, QuarantinedUrl)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
