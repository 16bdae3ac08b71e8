"""Crawls on several ``ewsi worker`` processes against one loopback host (PostgreSQL, no internet).

Measures, for `--sources` feed sources (each `--pages` linked pages) on ONE host served on 127.0.0.2,
run as one queued job each by `--workers` worker processes (``--concurrency 1``, real crawl children):
request starts from every process together (minimum gap, mean rate against 1 / `--delay`), the most
requests in flight at once (against CONCURRENT_REQUESTS_PER_DOMAIN, 2), runs per (source, slot),
items stored and duplicate items. ``--hold S`` makes every answer take S seconds (a slow host);
``--kill worker`` sends SIGKILL to a worker running a crawl and starts a replacement (its crawl
child finishes the run; the job is queued again once the worker is silent for 30 s and finds its
slot taken); ``--kill child`` kills a crawl child only (the worker re-runs it once); ``--kill
pause`` stops a worker for 45 s (SIGSTOP, then SIGCONT). A fresh database
``ewsi_bench_workers_<hex>`` on `--admin-url` is dropped at the end.

Run: ``.venv/bin/python bench/workers.py [--workers 4] [--sources 20] [--delay 0.5] [--json]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.scheduling import jobs  # noqa: E402
from crawler.store.migrate import upgrade  # noqa: E402

ARTICLE = (
    b"<html><head><title>Integration news</title></head><body><article><h1>Integration news</h1>"
    + b"<p>Municipal language courses for newly arrived residents open in spring. " * 8
    + b"</p></article></body></html>"
)


class Host:
    """The loopback host: feeds /sN.xml with pages /sN/i, robots.txt; records every request start."""

    def __init__(self, sources: int, pages: int, hold: float):
        self.starts: list[float] = []
        self.paths: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                with host.lock:
                    host.starts.append(time.time())
                    host.paths.append(self.path)
                    host.in_flight += 1
                    host.max_in_flight = max(host.max_in_flight, host.in_flight)
                try:
                    time.sleep(hold)
                    body, ctype = host.answer(self.path)
                    self.send_response(200 if body is not None else 404)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body or b"")))
                    self.end_headers()
                    self.wfile.write(body or b"")
                finally:
                    with host.lock:
                        host.in_flight -= 1

        self.server = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
        self.base = f"http://127.0.0.2:{self.server.server_address[1]}"
        self.sources, self.pages = sources, pages
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str) -> tuple[bytes | None, str]:
        if path == "/robots.txt":
            return b"User-agent: *\nAllow: /\n", "text/plain"
        if path.endswith(".xml"):
            n = path.strip("/").removesuffix(".xml")
            items = "".join(
                f"<item><title>{n} news {i}</title><link>{self.base}/{n}/{i}</link>"
                f"<guid>{n}-{i}</guid></item>"
                for i in range(self.pages)
            )
            rss = (
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>{n}</title>{items}</channel></rss>'
            )
            return rss.encode(), "application/rss+xml"
        return ARTICLE, "text/html; charset=utf-8"


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _disturb(mode: str, procs: list[subprocess.Popen[bytes]], start_worker: Any) -> bool:
    """Apply `--kill MODE` to the first worker that has a crawl child; True once done."""
    for proc in procs:
        children = _children(proc.pid)
        if proc.poll() is not None or not children:
            continue
        if mode == "worker":
            proc.send_signal(signal.SIGKILL)
            procs.append(start_worker(len(procs)))
        elif mode == "child":
            os.kill(children[0], signal.SIGKILL)
        else:
            proc.send_signal(signal.SIGSTOP)
            threading.Timer(45.0, lambda p=proc: p.send_signal(signal.SIGCONT)).start()
        return True
    return False


def stop_all(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to every process still running, then wait up to 60 s each (SIGKILL past it)."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()


def _smallest_gap_paths(host: Host) -> list[str]:
    order = sorted(zip(host.starts, host.paths, strict=True))
    pairs = sorted(itertools.pairwise(order), key=lambda ab: ab[1][0] - ab[0][0])[:3]
    return [f"{a[1]} -> {b[1]}" for a, b in pairs]


def parser() -> argparse.ArgumentParser:
    """The arguments of this bench (bench/workers_faults.py reuses them)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--sources", type=int, default=20)
    p.add_argument("--pages", type=int, default=2)
    p.add_argument("--delay", type=float, default=0.5)
    p.add_argument("--hold", type=float, default=0.0, help="seconds every answer takes")
    p.add_argument(
        "--kill",
        choices=["worker", "child", "pause"],
        default=None,
        help="mid-run: SIGKILL a worker (and start a replacement), SIGKILL a crawl child only, or stop a "
        "worker (SIGSTOP) for 45 s, past its 30 s heartbeat limit",
    )
    p.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--timeout", type=float, default=900.0)
    p.add_argument("--json", action="store_true")
    return p


Disturb = Callable[[], bool]
"""A disturbance of bench/workers_faults.py, called once a second after the first requests until it
returns True (done)."""


def measure(args: argparse.Namespace, disturb: Disturb | None = None) -> dict[str, Any]:
    """Run the bench as `args` say and return its figures (see the module docstring)."""
    name = f"ewsi_bench_workers_{secrets.token_hex(4)}"
    with psycopg.connect(args.admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    admin_base = args.admin_url.rsplit("/", 1)[0]
    url = f"{admin_base.replace('postgresql://', 'postgresql+psycopg2://')}/{name}"
    work = Path(tempfile.mkdtemp(prefix="ewsi-bench-workers-"))
    host = Host(args.sources, args.pages, args.hold)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        upgrade(url)
        jobs.ensure_schema(url)
        ids = [f"s{i}" for i in range(args.sources)]
        config = work / "sources.yaml"
        entries = [
            {"id": i, "name": i, "publisher": "Bench", "kind": "feed", "languages": ["en"],
             "urls": [f"{host.base}/{i}.xml"], "follow": True}
            for i in ids
        ]  # fmt: skip
        config.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
        env = {
            **os.environ,
            "EWSI_DATABASE_URL": url,
            "EWSI_ALLOW_PRIVATE": "127.0.0.2",
            "EWSI_DOWNLOAD_DELAY": str(args.delay),
            "EWSI_DOWNLOAD_TIMEOUT": str(max(10.0, args.hold * 3)),
            "PYTHONPATH": str(ROOT),
        }

        def start_worker(i: int) -> subprocess.Popen[bytes]:
            log = (work / f"worker{i}.log").open("ab")
            argv = [
                sys.executable,
                "-m",
                "crawler.cli",
                "worker",
                "--config",
                str(config),
                "--concurrency",
                "1",
            ]
            return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

        procs = [start_worker(i) for i in range(args.workers)]
        dispatcher = jobs.Dispatcher(url)
        slot = datetime.now(UTC).replace(microsecond=0)
        started = time.time()
        for sid in ids:
            dispatcher.defer(sid, slot)
        dispatcher.close()
        killed = False
        conninfo = jobs.conninfo(url)
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            time.sleep(1.0)
            if not killed and len(host.starts) > args.sources:
                if args.kill:
                    killed = _disturb(args.kill, procs, start_worker)
                elif disturb is not None:
                    killed = disturb()
            with psycopg.connect(conninfo) as conn:
                waiting = conn.execute("SELECT count(*) FROM procrastinate_jobs").fetchone()[0]  # type: ignore[index]
                running = conn.execute("SELECT count(*) FROM crawl_runs WHERE status = 'running'").fetchone()[
                    0
                ]  # type: ignore[index]
            if waiting == 0 and running == 0:
                break
        wall = time.time() - started
        with psycopg.connect(conninfo) as conn:
            runs = conn.execute(
                "SELECT source_id, slot_start, status FROM crawl_runs WHERE slot_start IS NOT NULL"
            ).fetchall()
            items = conn.execute("SELECT count(*), count(DISTINCT url) FROM items").fetchone()
        per_slot: dict[tuple[str, Any], int] = {}
        for sid, s, _status in runs:
            per_slot[(sid, s)] = per_slot.get((sid, s), 0) + 1
        starts = sorted(host.starts)
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        figures = {
            "workers": args.workers,
            "sources": args.sources,
            "delay_s": args.delay,
            "hold_s": args.hold,
            "disturbance": (args.kill or "custom") if killed else None,
            "requests": len(starts),
            "min_gap_s": round(min(gaps), 3) if gaps else None,
            "smallest_gaps_s": [round(g, 3) for g in sorted(gaps)[:5]],
            "smallest_gap_paths": _smallest_gap_paths(host),
            "mean_rate_per_s": round((len(starts) - 1) / (starts[-1] - starts[0]), 3)
            if len(starts) > 1
            else None,
            "max_in_flight": host.max_in_flight,
            "runs": len(runs),
            "runs_ok": sum(1 for r in runs if r[2] == "ok"),
            "slots_run_twice": sum(1 for n in per_slot.values() if n > 1),
            "slots_not_run": args.sources - len(per_slot),
            "items": items[0] if items else 0,  # type: ignore[index]
            "items_expected": args.sources * args.pages,
            "duplicate_items": (items[0] - items[1]) if items else 0,  # type: ignore[index]
            "wall_s": round(wall, 1),
        }
    finally:
        stop_all(procs)
        host.server.shutdown()
        with psycopg.connect(args.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return figures


def main(argv: list[str] | None = None) -> int:
    figures = measure(parser().parse_args(argv))
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if "--json" in (argv if argv is not None else sys.argv[1:]):
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
