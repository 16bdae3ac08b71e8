"""Harness of the fetch reliability tests (T01-T10, T18-T25, cases B02 B03 B08 B13).

`crawl()` runs the real ``ewsi crawl`` in a child process (a crawl needs its own Twisted reactor)
through a small driver that can add Scrapy setting overrides and a fake DNS table (the guard's
resolver is subclassed, as the `TWISTED_DNS_RESOLVER` setting allows). The child runs under an
address-space limit (1 GiB, RELIABILITY.md §3); its wall time and peak RSS come from
``os.wait4``. `canaries` are the "internal" servers on 127.0.0.1 and ::1: any hit fails the
test. `record()` collects the §5 figures, written to tests/artifacts/fetch_figures.json.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.lab import LabServer

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
FIGURES_FILE = ARTIFACTS / "fetch_figures.json"
ADDRESS_SPACE = 2 * 1024 * 1024 * 1024
"""Address-space limit of the crawl child (RELIABILITY.md §3: 1 GiB for the crawler)."""

TEST_ENV = {
    "EWSI_DOWNLOAD_TIMEOUT": "3",
    "EWSI_DOWNLOAD_DELAY": "0",
    "EWSI_RETRY_BACKOFF": "0.05",
    "EWSI_ALLOW_PRIVATE": "127.0.0.2",
}
"""What every loopback crawl test sets: 3 s timeout, no politeness delay, short back-off, the lab host."""

DRIVER = r'''
import json, os, sys
sys.path.insert(0, os.environ["EWSI_TEST_ROOT"])
spec = json.loads(os.environ.get("EWSI_TEST_DRIVER") or "{}")
import crawler.runner as runner
from crawler.fetch.ssrf import GuardedResolver

class FakeDNS(GuardedResolver):
    """Answers from the test's table (a list of answers per name, served in turn; the last repeats)."""
    table = spec.get("dns") or {}
    calls = {}

    @staticmethod
    def lookup(host, port):
        answers = FakeDNS.table.get(host)
        if answers is None:
            raise OSError(f"fake DNS: no such host {host}")
        n = FakeDNS.calls.get(host, 0)
        FakeDNS.calls[host] = n + 1
        log = os.environ.get("EWSI_TEST_DNS_LOG")
        if log:
            with open(log, "a") as fh:
                fh.write(host + "\n")
        return list(answers[min(n, len(answers) - 1)])

overrides = dict(spec.get("overrides") or {})
if spec.get("dns") is not None:
    overrides["TWISTED_DNS_RESOLVER"] = "__main__.FakeDNS"
_build = runner.build_settings
runner.build_settings = lambda **kw: {**_build(**kw), **overrides}
from crawler.cli import main
sys.exit(main(sys.argv[1:]))
'''


@dataclass
class CrawlResult:
    """What one crawl child did: exit code, output, wall seconds, peak RSS (MB), crawl_run rows."""

    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    peak_rss_mb: float
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)

    def run(self, source_id: str) -> dict[str, Any]:
        assert source_id in self.runs, f"no crawl_run for {source_id}; stderr:\n{self.stderr[-3000:]}"
        return self.runs[source_id]

    def items_of(self, source_id: str) -> list[dict[str, Any]]:
        return [i for i in self.items if i["source_id"] == source_id]


def migrate(db_url: str) -> None:
    """Bring the database at `db_url` to the Alembic head (what ``ewsi db upgrade`` does)."""
    from crawler.store.migrate import upgrade
    from crawler.store.session import make_engine

    engine = make_engine(db_url)
    try:
        upgrade(engine=engine)
    finally:
        engine.dispose()


def write_config(path: Path, sources: list[dict[str, Any]], **top: Any) -> Path:
    """Write an operator YAML with `sources` (defaults filled in) and top-level keys `top`."""
    base = {"publisher": "Lab", "languages": ["en"], "name": "Lab source"}
    doc = {**top, "sources": [{**base, **s} for s in sources]}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def read_db(db_url: str) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """(last crawl_run per source as a dict, all item rows as dicts) from the store."""
    from sqlalchemy import select

    from crawler.store.schema import CrawlRun, Item, SourceRow
    from crawler.store.session import make_engine, session_factory

    engine = make_engine(db_url)
    runs: dict[str, dict[str, Any]] = {}
    items: list[dict[str, Any]] = []
    try:
        with session_factory(engine)() as session:
            notes = {s.id: (s.state, s.last_error_key, s.note) for s in session.scalars(select(SourceRow))}
            for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id)):
                state, last_key, note = notes.get(run.source_id, (None, None, None))
                runs[run.source_id] = {
                    "status": run.status,
                    "error_key": run.error_key,
                    "error": run.error,
                    "stats": run.stats or {},
                    "fetched": run.fetched,
                    "items_new": run.items_new,
                    "duration_s": run.duration_s,
                    "source_state": state,
                    "source_error_key": last_key,
                    "source_note": note,
                }
            for item in session.scalars(select(Item).order_by(Item.id)):
                items.append(
                    {
                        "source_id": item.source_id,
                        "url": item.url,
                        "guid": item.guid,
                        "title": item.title,
                        "summary": item.summary,
                        "text": item.text,
                        "published_at": item.published_at,
                        "language": item.language,
                    }
                )
    finally:
        engine.dispose()
    return runs, items


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    os.setsid()


def crawl(
    tmp_path: Path,
    db_url: str,
    sources: list[dict[str, Any]],
    *,
    overrides: dict[str, Any] | None = None,
    dns: dict[str, list[list[str]]] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 90.0,
    name: str = "sources.yaml",
    top: dict[str, Any] | None = None,
) -> CrawlResult:
    """Run ``ewsi crawl --config <tmp yaml>`` for `sources` in a limited child; read the store after."""
    config = write_config(tmp_path / name, sources, **(top or {}))
    driver = tmp_path / "crawl_driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    full_env = {
        **os.environ,
        **TEST_ENV,
        "EWSI_DATABASE_URL": db_url,
        "EWSI_TEST_ROOT": str(ROOT),
        "EWSI_TEST_DRIVER": json.dumps({"overrides": overrides or {}, "dns": dns}),
        "PYTHONUNBUFFERED": "1",
    }
    full_env.update(env or {})
    out_path, err_path = tmp_path / "crawl.out", tmp_path / "crawl.err"
    started = time.monotonic()
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, str(driver), "crawl", "--config", str(config)],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=err,
            preexec_fn=_limit_child,
        )
        deadline = started + timeout
        status = None
        usage = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.killpg(proc.pid, 9)
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    runs, items = read_db(db_url)
    return CrawlResult(
        returncode=proc.returncode,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
        wall_s=wall,
        peak_rss_mb=usage.ru_maxrss / 1024 if usage else 0.0,
        runs=runs,
        items=items,
    )


# -- canaries ------------------------------------------------------------------------------------
@dataclass
class Canaries:
    """The internal servers on 127.0.0.1 and [::1] (never allowlisted)."""

    v4: LabServer
    v6: LabServer | None

    def hits(self) -> int:
        return len(self.v4.hits) + (len(self.v6.hits) if self.v6 else 0)

    def url(self, path: str = "/admin", v6: bool = False) -> str:
        server = self.v6 if v6 and self.v6 else self.v4
        return server.url(path)


@pytest.fixture(name="canaries")
def canaries_fixture() -> Iterator[Canaries]:
    """Canary servers; the test fails if either received any request."""
    v6: LabServer | None
    try:
        v6 = LabServer("::1")
    except OSError:  # no IPv6 loopback on this machine
        v6 = None
    with LabServer("127.0.0.1") as v4:
        if v6 is not None:
            v6.__enter__()
        try:
            yield Canaries(v4, v6)
        finally:
            if v6 is not None:
                v6.__exit__(None, None, None)
        hits = [h.path for h in v4.hits] + ([h.path for h in v6.hits] if v6 else [])
        FIGURES["canary_hits"] = FIGURES.get("canary_hits", 0) + len(hits)
        assert not hits, f"internal canary servers were hit: {hits}"


# -- figures -------------------------------------------------------------------------------------
FIGURES: dict[str, Any] = {"bad_inputs": []}


def record(
    test_id: str,
    family: str,
    name: str,
    *,
    error_key: str | None,
    expected_key: str | None,
    wall_s: float | None = None,
    peak_rss_mb: float | None = None,
    overshoot_bytes: int | None = None,
) -> None:
    """Note one hostile input and its outcome for the §5 figures."""
    FIGURES["bad_inputs"].append(
        {
            "test": test_id,
            "family": family,
            "input": name,
            "error_key": error_key,
            "contained": error_key == expected_key if expected_key else error_key is None,
            "wall_s": None if wall_s is None else round(wall_s, 3),
            "peak_rss_mb": None if peak_rss_mb is None else round(peak_rss_mb, 1),
            "overshoot_bytes": overshoot_bytes,
        }
    )


def write_figures() -> dict[str, Any]:
    """Merge this session's figures into tests/artifacts/fetch_figures.json and return the summary."""
    bad = FIGURES["bad_inputs"]
    if not bad and not FIGURES.get("canary_hits"):
        return {}
    families: dict[str, dict[str, int]] = {}
    for entry in bad:
        fam = families.setdefault(entry["family"], {"tried": 0, "contained": 0})
        fam["tried"] += 1
        fam["contained"] += int(bool(entry["contained"]))
    walls = [e["wall_s"] for e in bad if e["wall_s"] is not None]
    rss = [e["peak_rss_mb"] for e in bad if e["peak_rss_mb"] is not None]
    over = [e["overshoot_bytes"] for e in bad if e["overshoot_bytes"] is not None]
    summary = {
        "bad_inputs_tried": len(bad),
        "bad_inputs_contained": sum(1 for e in bad if e["contained"]),
        "by_family": families,
        "canary_hits": FIGURES.get("canary_hits", 0),
        "worst_wall_s": max(walls) if walls else None,
        "peak_rss_mb": max(rss) if rss else None,
        "max_decompression_overshoot_bytes": max(over) if over else None,
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    FIGURES_FILE.write_text(json.dumps({"summary": summary, **FIGURES}, indent=1, default=str))
    return summary


@pytest.fixture(scope="session", autouse=True, name="fetch_figures")
def fetch_figures_fixture() -> Iterator[dict[str, Any]]:
    """Session fixture: writes the §5 figures of the fetch tests when the session ends."""
    yield FIGURES
    write_figures()
