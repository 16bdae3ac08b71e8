"""Fault cycles of crawls on several ``ewsi worker`` processes, on a throwaway PostgreSQL cluster.

Everything runs on loopback against a private cluster (``initdb`` into a temporary directory, its
own port; tests/pgcluster.py), never the shared server. Three parts, one figures table:

1. `--cycles` kill cycles of bench/workers.py (4 workers, `--sources` feed sources of 2 pages on
   one host, delay 0.5 s), the disturbance rotating: ``kill -9`` of a worker running a crawl (a
   replacement is started), ``kill -9`` of a crawl child only, a worker stopped (SIGSTOP) for 45 s,
   past its lease. Per cycle: items stored against expected (lost), duplicate items, (source, slot)
   pairs run twice and not run, minimum gap between request starts, mean request rate.
2. PostgreSQL crashed (``pg_ctl stop -m immediate``) mid-run and started again 5 s later: the same
   figures (no host above its budget: minimum gap against the delay, mean rate <= 1 / delay;
   nothing lost after the retries).
3. The leader killed: two ``ewsi schedule --dispatch workers`` (leader and standby, ``--leader-poll
   2``) with every source due every `--interval` seconds and two workers; once the first holds the
   leader lock it gets ``kill -9``; the seconds until the standby holds the lock (against the poll
   interval) and the (source, slot) pairs run twice over the whole run.

Run: ``.venv/bin/python bench/workers_faults.py [--cycles 10] [--sources 8] [--json]`` (as root or
as a user who may run ``initdb``; about 2 minutes per cycle).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from workers import Host, measure, parser, stop_all  # noqa: E402

from crawler.scheduling import jobs  # noqa: E402
from crawler.store.migrate import upgrade  # noqa: E402
from tests.pgcluster import make_cluster, unavailable_reason  # noqa: E402

MODES = ("worker", "child", "pause")
LEADER_SQL = (
    "SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'ewsi-scheduler-leader'"
)


def _admin(cluster: Any) -> str:
    return cluster.url().replace("postgresql+psycopg2://", "postgresql://")


def kill_cycle(cluster: Any, mode: str, sources: int) -> dict[str, Any]:
    """One bench/workers.py run on `cluster` with disturbance `mode` (see the module docstring)."""
    args = parser().parse_args(
        ["--workers", "4", "--sources", str(sources), "--kill", mode, "--admin-url", _admin(cluster)]
    )
    return measure(args)


def pg_restart(cluster: Any, sources: int) -> dict[str, Any]:
    """A bench/workers.py run whose database crashes mid-run and is back 5 s later."""
    args = parser().parse_args(["--workers", "4", "--sources", str(sources), "--admin-url", _admin(cluster)])

    def crash() -> bool:
        cluster.crash_then_start(5.0)
        return True

    return measure(args, crash)


def leader_failover(cluster: Any, sources: int, interval: float, poll: float) -> dict[str, Any]:
    """Leader plus standby; the leader gets kill -9; see the module docstring, part 3."""
    url = cluster.create_database(f"ewsi_leader_{os.getpid()}")
    conninfo = jobs.conninfo(url)
    upgrade(url)
    jobs.ensure_schema(url)
    work = Path(tempfile.mkdtemp(prefix="ewsi-bench-leader-"))
    host = Host(sources, 1, 0.0)
    config = work / "sources.yaml"
    entries = [
        {"id": f"s{i}", "name": f"s{i}", "publisher": "Bench", "kind": "feed", "languages": ["en"],
         "urls": [f"{host.base}/s{i}.xml"], "follow": True}
        for i in range(sources)
    ]  # fmt: skip
    config.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    env = {**os.environ, "EWSI_DATABASE_URL": url, "EWSI_ALLOW_PRIVATE": "127.0.0.2",
           "EWSI_DOWNLOAD_DELAY": "0.2", "EWSI_SCHEDULE_INTERVAL_SECONDS": str(interval),
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    procs: list[subprocess.Popen[bytes]] = []

    def start(*argv: str, log: str) -> subprocess.Popen[bytes]:
        out = (work / log).open("ab")
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", *argv, "--config", str(config)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
        procs.append(proc)
        return proc

    def holder() -> int | None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            row = conn.execute(LEADER_SQL).fetchone()
        return int(row[0]) if row else None

    figures: dict[str, Any] = {"leader_poll_s": poll, "interval_s": interval}
    try:
        for i in range(2):
            start("worker", "--concurrency", "2", log=f"worker{i}.log")
        first = start("schedule", "--dispatch", "workers", "--leader-poll", str(poll), log="leader.log")
        deadline = time.monotonic() + 60
        while holder() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        held_by = holder()
        start("schedule", "--dispatch", "workers", "--leader-poll", str(poll), log="standby.log")
        time.sleep(interval * 2)
        first.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        takeover = None
        while time.monotonic() - killed_at < poll * 10:
            now_held = holder()
            if now_held is not None and now_held != held_by:
                takeover = time.monotonic() - killed_at
                break
            time.sleep(0.05)
        figures["takeover_s"] = round(takeover, 2) if takeover is not None else None
        time.sleep(interval * 2)
    finally:
        stop_all(procs)
        host.server.shutdown()
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT source_id, slot_start, count(*) FROM crawl_runs WHERE slot_start IS NOT NULL "
            "GROUP BY source_id, slot_start"
        ).fetchall()
    figures["slots"] = len(rows)
    figures["slots_run_twice"] = sum(1 for r in rows if r[2] > 1)
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cycles", type=int, default=10)
    p.add_argument("--sources", type=int, default=8)
    p.add_argument("--interval", type=float, default=15.0, help="seconds between slots (leader part)")
    p.add_argument("--skip", default="", help="parts to leave out, comma separated: kills,restart,leader")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    reason = unavailable_reason()
    if reason is not None:
        print(f"no throwaway PostgreSQL cluster here: {reason}", file=sys.stderr)
        return 2
    skip = set(args.skip.split(","))
    cluster = make_cluster()
    rows: list[dict[str, Any]] = []
    started = datetime.now(UTC)
    try:
        cluster.start()
        if "kills" not in skip:
            for i in range(args.cycles):
                fig = kill_cycle(cluster, MODES[i % len(MODES)], args.sources)
                rows.append({"part": f"cycle {i + 1}: {MODES[i % len(MODES)]}", **fig})
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
        if "restart" not in skip:
            rows.append({"part": "PostgreSQL crashed, back after 5 s", **pg_restart(cluster, args.sources)})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
        if "leader" not in skip:
            leader = leader_failover(cluster, args.sources, args.interval, 2.0)
            rows.append({"part": "leader killed", **leader})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    finally:
        cluster.destroy()
    print(f"started {started:%Y-%m-%d %H:%M} UTC, {len(rows)} parts")
    print("| part | lost | duplicates | run twice / not run | min gap | mean rate | takeover |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        lost = r["items_expected"] - r["items"] if "items" in r else "-"
        twice = f"{r.get('slots_run_twice', '-')} / {r.get('slots_not_run', '-')}"
        gap = f"{r['min_gap_s']} s" if r.get("min_gap_s") is not None else "-"
        rate = f"{r['mean_rate_per_s']}/s" if r.get("mean_rate_per_s") is not None else "-"
        take = f"{r['takeover_s']} s (poll {r['leader_poll_s']} s)" if "takeover_s" in r else "-"
        dup = r.get("duplicate_items", "-")
        print(f"| {r['part']} | {lost} | {dup} | {twice} | {gap} | {rate} | {take} |")
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
