"""The counts of a source's run that a forced stop cut off before it closed.

Rule: the summary row of an interrupted source reports what its run did, never zeros. A run the
recorder closed reports as every run does (crawler.health `build_report`). A run a second signal
stopped before it closed (crawler.runner `ShutdownGuard.report_for`) takes its counts from the
crawler's stats, counted as each item was stored (pipelines.store: fetched, new, updated,
unchanged, dropped with reasons, HTTP errors), and then from the store itself (`stored_counts`):
the items the run stored first (``items.first_run_id``) are its new items and those it stored
again (``items.seen_run_id``) its known ones, so an item committed while the stop cut its count
short is reported all the same (new = the larger of the two; the known the stats do not place
count as unchanged). The run's row gets the same counts (crawler.store.leader `interrupt_run`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from crawler.health import build_report
from crawler.types import CrawlReport

logger = logging.getLogger(__name__)


def stored_counts(database_url: str | None, run_id: int | None) -> tuple[int, int]:
    """(items run `run_id` stored first, items it stored again) read from the store; (0, 0) without a
    run or when the store cannot answer."""
    if run_id is None:
        return 0, 0
    from crawler.store.session import session_scope
    from crawler.store.suspects import stored_by_run

    try:
        with session_scope(database_url) as session:
            return stored_by_run(session, run_id)
    except Exception as exc:  # the stats' counts stand
        logger.warning("could not read back the counts of run %s: %s", run_id, exc)
        return 0, 0


def counted(
    source_id: str, stats: Mapping[str, Any], started_at: datetime, stored: tuple[int, int]
) -> CrawlReport:
    """A report holding the counts of a run cut off by a forced stop (module rule); its status and
    error are the caller's to set."""
    report = build_report(source_id, stats, started_at, "shutdown")
    new, known = stored
    report.items_new = max(report.items_new, new)
    placed = report.items_updated + report.items_unchanged
    report.items_unchanged += max(0, known - placed)
    return report


def row_counts(report: CrawlReport) -> dict[str, Any]:
    """The counts of `report` as columns of its ``crawl_runs`` row."""
    return {
        "fetched": report.fetched,
        "items_new": report.items_new,
        "items_updated": report.items_updated,
        "items_unchanged": report.items_unchanged,
        "items_dropped": sum(int(v) for v in report.dropped.values()),
        "dropped": dict(report.dropped) or None,
        "http_errors": dict(report.http_errors) or None,
    }
