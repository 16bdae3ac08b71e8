"""Harvest throughput on 1, 2 and 4 ``ewsi worker`` processes, extraction as the bottleneck (replay).

The followed documents of ``../shared/corpus`` are repeated under distinct URLs into one WARC of at
least `--items` pages behind `--sources` RSS feeds (bench/harvest_replay.py's documents), every crawl
child answers from it (``ewsi worker --replay``, no network, no politeness delay), and each run of
the bench queues one job per source on a fresh PostgreSQL database and times until every run is
closed. Prints wall seconds and items/s per worker count and the ratios 2/1 and 4/2
(targets: >= 1.7 and >= 0.9 on 2 cores).

Run: ``.venv/bin/python bench/workers_throughput.py [--items 2000] [--sources 20] [--json]``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import secrets
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
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from harvest_replay import documents  # noqa: E402

from crawler.scheduling import jobs  # noqa: E402
from crawler.store.migrate import upgrade  # noqa: E402


def build_replay(tmp: Path, docs: list[Any], items: int, sources: int) -> tuple[Path, Path, int]:
    """A WARC of `docs` repeated under distinct URLs (>= `items`) behind `sources` feeds, and its YAML."""
    copies = -(-items // len(docs))
    warc = tmp / "large.warc.gz"
    feeds: dict[int, list[str]] = {n: [] for n in range(sources)}
    with warc.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)

        def put(url: str, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            http = StatusAndHeaders(
                f"{status} OK", [*headers, ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
            )

        n = 0
        for k in range(copies):
            for url, status, headers, body in docs:
                digest = hashlib.sha1(url.encode()).hexdigest()[:12]
                new_url = f"https://bench.ewsi.test/c{k}/{digest}"
                put(new_url, status, headers, body)
                feeds[n % sources].append(new_url)
                n += 1
        for feed, urls in feeds.items():
            entries = "".join(
                f"<item><title>Document {i}</title><link>{u}</link><guid>{u}</guid></item>"
                for i, u in enumerate(urls)
            )
            channel = f"<channel><title>f{feed}</title>{entries}</channel>"
            rss = f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'
            put(
                f"https://bench.ewsi.test/feed-{feed}.xml",
                200,
                [("Content-Type", "application/rss+xml")],
                rss.encode(),
            )
    config = tmp / "large.yaml"
    entries = [
        {"id": f"bench-{f}", "name": f"bench {f}", "publisher": "bench", "kind": "feed", "follow": True,
         "max_items": 100000, "urls": [f"https://bench.ewsi.test/feed-{f}.xml"]}
        for f in feeds
    ]  # fmt: skip
    config.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    return warc, config, n


def one_run(
    admin_url: str, workers: int, warc: Path, config: Path, sources: int, tmp: Path
) -> dict[str, Any]:
    name = f"ewsi_bench_tp_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{admin_url.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+psycopg2://')}/{name}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        upgrade(url)
        jobs.ensure_schema(url)
        env = {**os.environ, "EWSI_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        for i in range(workers):
            log = (tmp / f"w{workers}-{i}.log").open("ab")
            argv = [sys.executable, "-m", "crawler.cli", "worker", "--config", str(config),
                    "--concurrency", "1", "--replay", str(warc)]  # fmt: skip
            procs.append(subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        time.sleep(3.0)  # workers import and connect before the clock starts
        dispatcher = jobs.Dispatcher(url)
        slot = datetime.now(UTC).replace(microsecond=0)
        started = time.monotonic()
        for f in range(sources):
            dispatcher.defer(f"bench-{f}", slot)
        dispatcher.close()
        conninfo = jobs.conninfo(url)
        while True:
            time.sleep(0.5)
            with psycopg.connect(conninfo) as conn:
                left = conn.execute("SELECT count(*) FROM procrastinate_jobs").fetchone()[0]  # type: ignore[index]
                running = conn.execute("SELECT count(*) FROM crawl_runs WHERE status = 'running'").fetchone()[
                    0
                ]  # type: ignore[index]
            if left == 0 and running == 0:
                break
        wall = time.monotonic() - started
        with psycopg.connect(conninfo) as conn:
            items = conn.execute("SELECT count(*) FROM items").fetchone()[0]  # type: ignore[index]
        return {
            "workers": workers,
            "wall_s": round(wall, 1),
            "items": items,
            "items_per_s": round(items / wall, 1),
        }
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(60)
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shared", default=os.environ.get("EWSI_SHARED") or str(ROOT.parent / "shared"))
    p.add_argument("--items", type=int, default=2000)
    p.add_argument("--sources", type=int, default=20)
    p.add_argument("--workers", default="1,2,4")
    p.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--cpu-slots",
        default=None,
        help="EWSI_CPU_SLOTS of the workers (default: the environment's; a large number turns the gate off)",
    )
    args = p.parse_args(argv)
    if args.cpu_slots is not None:
        os.environ["EWSI_CPU_SLOTS"] = str(args.cpu_slots)
    tmp = Path(tempfile.mkdtemp(prefix="ewsi-bench-tp-"))
    docs = documents(Path(args.shared) / "corpus")
    warc, config, pages = build_replay(tmp, docs, args.items, args.sources)
    results = [
        one_run(args.admin_url, int(w), warc, config, args.sources, tmp) for w in args.workers.split(",")
    ]
    by = {r["workers"]: r["items_per_s"] for r in results}
    figures: dict[str, Any] = {"pages": pages, "sources": args.sources, "runs": results}
    if 1 in by and 2 in by:
        figures["ratio_2_to_1"] = round(by[2] / by[1], 2)
    if 2 in by and 4 in by:
        figures["ratio_4_to_2"] = round(by[4] / by[2], 2)
    for r in results:
        print(f"{r['workers']} worker(s): {r['items']} items in {r['wall_s']} s, {r['items_per_s']} items/s")
    for key in ("ratio_2_to_1", "ratio_4_to_2"):
        if key in figures:
            print(f"{key}: {figures[key]}")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
