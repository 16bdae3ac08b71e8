"""Scheduled harvesting: APScheduler 3.x jobs per source, one active scheduler, restart-proof runs.

- `triggers`: a source's cron in its time zone, right across DST changes; next and missed slots;
- `child`: the crawl child process under a time limit;
- `service`: leader election, jobs, claims, catch-up, reload and graceful stop;
- `cli`: ``ewsi schedule`` / ``scheduler.py`` (run, or ``--list`` the next runs);
- `jobs`: runs as Procrastinate jobs in PostgreSQL (the leader defers, workers run);
- `worker_cli`: ``ewsi worker`` (runs queued jobs on any machine).
"""

from __future__ import annotations

from crawler.scheduling.cli import main

__all__ = ["main"]
