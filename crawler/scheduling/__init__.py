"""Scheduled harvesting: APScheduler 3.x jobs per source, one active scheduler, restart-proof runs
(the command is crawler.commands.schedule).

- `triggers`: a source's cron in its time zone, right across DST changes; next and missed slots;
- `child`: the crawl child process under a time limit;
- `service`: leader election, jobs, claims, catch-up, reload and graceful stop;
- `jobs`: runs as Procrastinate jobs in PostgreSQL (the leader defers, ``ewsi worker`` runs them;
  the command is crawler.commands.worker).
"""
