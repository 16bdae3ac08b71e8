"""Benchmark: the whole replay harvest, its stages, and a bare prototype baseline.

Measures, in one run on this machine:
1. the recorded corpus (../shared/corpus) replayed into an empty SQLite store: wall time, items/s,
   peak RSS of the crawl process;
2. a larger replay built here from the same recorded documents repeated under distinct URLs
   (at least 2,000 items, two feeds): one process harvesting both feeds, and two processes
   harvesting one feed each at the same time (scaling = throughput of two / throughput of one);
3. the baseline: trafilatura (HTML), pypdf (PDF) and langdetect called alone, in one process, on the
   same documents; the target is harvest throughput >= 0.90x the baseline;
4. the cost of each pipeline stage per item, driving the pipeline classes in-process.

Usage: .venv/bin/python bench/harvest_replay.py [--shared DIR] [--items 2000] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_crawl(
    db: Path, config: Path, warc: Path, sources: list[str] | None = None
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "EWSI_DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run(
        [sys.executable, "-m", "crawler.cli", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config), "--replay", str(warc)]
    for sid in sources or []:
        cmd += ["--source", sid]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait(proc: subprocess.Popen[bytes]) -> tuple[float, float]:
    """(end time, peak RSS in MiB) of a child started by run_crawl."""
    _, status, usage = os.wait4(proc.pid, 0)
    end = time.perf_counter()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return end, usage.ru_maxrss / 1024


def count_items(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from items").fetchone()[0]


def timed_crawl(
    tmp: Path, name: str, config: Path, warc: Path, sources: list[str] | None = None
) -> dict[str, Any]:
    db = tmp / f"{name}.sqlite"
    start = time.perf_counter()
    proc = run_crawl(db, config, warc, sources)
    end, rss = wait(proc)
    items = count_items(db)
    return {
        "wall_s": round(end - start, 2),
        "items": items,
        "items_per_s": round(items / (end - start), 2),
        "peak_rss_mib": round(rss, 1),
    }


def documents(corpus: Path) -> list[tuple[str, int, list[tuple[str, str]], bytes]]:
    """The followed documents of the corpus (every page of EXPECTED.yaml) as recorded."""
    expected = yaml.safe_load((corpus / "EXPECTED.yaml").read_text(encoding="utf-8"))
    wanted = {u.split("#")[0] for u in expected["pages"]}
    found = []
    with (corpus / "snapshot.warc.gz").open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type != "response":
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            if url.split("#")[0] not in wanted:
                continue
            headers = [
                (k, v)
                for k, v in record.http_headers.headers
                if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")
            ]
            found.append(
                (url, int(record.http_headers.get_statuscode()), headers, record.content_stream().read())
            )
    return found


def build_large_replay(tmp: Path, docs: list[Any], items: int) -> tuple[Path, Path, int]:
    """A WARC of `docs` repeated under distinct URLs (>= `items` in all) and two RSS feeds over them."""
    copies = -(-items // len(docs))
    warc = tmp / "large.warc.gz"
    feeds: dict[str, list[str]] = {"a": [], "b": []}
    with warc.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)

        def put(url: str, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            http = StatusAndHeaders(
                f"{status} OK", [*headers, ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
            )

        for k in range(copies):
            for url, status, headers, body in docs:
                digest = hashlib.sha1(url.encode()).hexdigest()[:12]
                new_url = f"https://bench.ewsi.test/c{k}/{digest}"
                put(new_url, status, headers, body)
                feeds["a" if k % 2 == 0 else "b"].append(new_url)
        for name, urls in feeds.items():
            entries = "".join(
                f"<item><title>Document {i}</title><link>{u}</link><guid>{u}</guid></item>"
                for i, u in enumerate(urls)
            )
            rss = (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>{name}</title>{entries}</channel></rss>"
            )
            put(
                f"https://bench.ewsi.test/feed-{name}.xml",
                200,
                [("Content-Type", "application/rss+xml")],
                rss.encode(),
            )
    config = tmp / "large.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {
                        "id": f"bench-{n}",
                        "name": f"bench {n}",
                        "publisher": "bench",
                        "kind": "feed",
                        "follow": True,
                        "max_items": 100000,
                        "urls": [f"https://bench.ewsi.test/feed-{n}.xml"],
                    }
                    for n in feeds
                ]
            }
        )
    )
    return warc, config, copies * len(docs)


def baseline(docs: list[Any], copies: int) -> dict[str, Any]:
    """trafilatura / pypdf / langdetect alone, in one process, over the same documents."""
    import trafilatura
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException
    from pypdf import PdfReader

    DetectorFactory.seed = 0
    detect("warm up the profiles")
    start = time.perf_counter()
    n = 0
    for _ in range(copies):
        for _url, _status, _headers, body in docs:
            if body.startswith(b"%PDF"):
                text = "\n".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(body)).pages)
            else:
                doc = trafilatura.bare_extraction(body, with_metadata=True)
                text = (doc.text if doc is not None else "") or ""
            with contextlib.suppress(LangDetectException):
                detect(text[:3000]) if text.strip() else None
            n += 1
    wall = time.perf_counter() - start
    return {"docs": n, "wall_s": round(wall, 2), "docs_per_s": round(n / wall, 2)}


def stage_costs(docs: list[Any], tmp: Path) -> dict[str, float]:
    """Median milliseconds per item of each pipeline stage, driving the stage classes in-process."""
    url = f"sqlite:///{tmp / 'stages.sqlite'}"
    from crawler.settings import PIPELINES
    from crawler.sources import Source
    from crawler.store import migrate as store_migrate
    from crawler.store import session as store_session
    from crawler.store import sources as store_sources
    from crawler.types import HarvestedItem

    store_migrate.upgrade(url)
    source = Source(
        id="bench-stages", name="bench", publisher="bench", kind="feed", urls=["https://bench.ewsi.test/"]
    )
    with store_session.session_scope(url) as session:
        store_sources.sync_sources(session, [source])

    class FakeSpider:
        name = source.id

        def __init__(self) -> None:
            self.source = source
            self.crawler = None

    spider = FakeSpider()
    stages = []
    for path in sorted(PIPELINES, key=PIPELINES.get):
        module, cls = path.rsplit(".", 1)
        factory = getattr(__import__(module, fromlist=[cls]), cls)
        stage = factory(database_url=url) if cls == "StorePipeline" else factory()
        stage = getattr(stage, "stage", stage)  # the background extract stage's blocking twin
        if hasattr(stage, "open_spider"):
            stage.open_spider(spider)
        stages.append((cls.removesuffix("Pipeline").removeprefix("Background").lower(), stage))
    times: dict[str, list[float]] = defaultdict(list)
    for k in range(3):
        for url, status, headers, body in docs:
            item = HarvestedItem(
                source_id=source.id,
                url=f"https://bench.ewsi.test/s{k}/{hashlib.sha1(url.encode()).hexdigest()}",
                fetched_at=datetime.now(UTC),
                body=body,
                http_status=status,
                media_type=dict((h.lower(), v) for h, v in headers).get("content-type"),
            )
            for name, stage in stages:
                t0 = time.perf_counter()
                item = stage.process_item(item, spider)
                times[name].append((time.perf_counter() - t0) * 1000)
    return {name: round(statistics.mean(values), 2) for name, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.environ.get("EWSI_SHARED") or str(ROOT.parent / "shared"))
    parser.add_argument("--items", type=int, default=2000, help="items in the larger replay (default 2000)")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args()
    corpus = Path(args.shared) / "corpus"
    if not (corpus / "snapshot.warc.gz").exists():
        print(f"corpus not found under {corpus}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {"cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        results["corpus"] = timed_crawl(tmp, "corpus", corpus / "sources.yaml", corpus / "snapshot.warc.gz")
        docs = documents(corpus)
        warc, config, total = build_large_replay(tmp, docs, args.items)
        copies = total // len(docs)
        results["large_one_process"] = timed_crawl(tmp, "one", config, warc)
        start = time.perf_counter()
        procs = [run_crawl(tmp / f"two-{s}.sqlite", config, warc, [s]) for s in ("bench-a", "bench-b")]
        ends, rss = zip(*(wait(p) for p in procs), strict=True)
        wall = max(ends) - start
        items = sum(count_items(tmp / f"two-{s}.sqlite") for s in ("bench-a", "bench-b"))
        results["large_two_processes"] = {
            "wall_s": round(wall, 2),
            "items": items,
            "items_per_s": round(items / wall, 2),
            "peak_rss_mib": round(max(rss), 1),
        }
        results["baseline"] = baseline(docs, copies)
        results["stage_ms_per_item"] = stage_costs(docs, tmp)
    one = results["large_one_process"]["items_per_s"]
    results["ratio_vs_baseline"] = round(one / results["baseline"]["docs_per_s"], 3)
    results["scaling_two_processes"] = round(results["large_two_processes"]["items_per_s"] / one, 3)
    stages = results["stage_ms_per_item"]
    results["slowest_stage"] = max(stages, key=stages.get)
    if not args.json:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="Replay harvest benchmark")
        table.add_column("run")
        for col in ("items", "wall s", "items/s", "peak RSS MiB"):
            table.add_column(col, justify="right")
        for key in ("corpus", "large_one_process", "large_two_processes"):
            r = results[key]
            table.add_row(
                key, str(r["items"]), str(r["wall_s"]), str(r["items_per_s"]), str(r["peak_rss_mib"])
            )
        b = results["baseline"]
        table.add_row(
            "baseline (trafilatura+pypdf+langdetect)",
            str(b["docs"]),
            str(b["wall_s"]),
            str(b["docs_per_s"]),
            "-",
        )
        Console().print(table)
        stage_table = Table(title="Stage cost (mean ms per item, in-process)")
        stage_table.add_column("stage")
        stage_table.add_column("ms/item", justify="right")
        for stage, ms in stages.items():
            stage_table.add_row(stage, str(ms))
        Console().print(stage_table)
        print(
            f"ratio vs baseline: {results['ratio_vs_baseline']} (target >= 0.90); "
            f"two processes / one: {results['scaling_two_processes']} (target >= 1.8); "
            f"slowest stage: {results['slowest_stage']}"
        )
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
