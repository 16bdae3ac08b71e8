"""An interrupted `ewsi crawl` holds nothing against its sources (crawler.runner `ShutdownGuard`).

Rule: a run stopped by SIGINT or SIGTERM, at any moment (while the crawlers are being built, while
their requests hang, a second signal forcing the stop), records no failure or back-off against any
source, leaves no run ``running``, and exits 130. Each case is a real `ewsi crawl` child process
against a loopback server that answers nothing in time; SQLite.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.sources import load_sources
from crawler.store.schema import CrawlRun, SourceRow
from crawler.store.sources import sync_sources
from tests.lab import LabServer
from tests.test_cases import LAB_HOST, ROOT, migrate, session, write_config

SOURCES = ("slow-a", "slow-b", "slow-c")
EARLIER_BACKOFF = datetime(2026, 1, 2, 3, 0, tzinfo=UTC)
"""The back-off slow-c carries from an earlier real failure (long past: it does not stop a run)."""


def _hang(handler: BaseHTTPRequestHandler) -> None:
    """Answer nothing for longer than the tests' download timeout (3 s), then an empty 200."""
    time.sleep(8)
    try:
        handler.send_response(200)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    except OSError:
        pass


def _log_says(path: Path, words: str) -> bool:
    return path.exists() and words in path.read_text(encoding="utf-8", errors="replace")


def _building(lab: LabServer, log: Path) -> bool:
    """The crawl process started Scrapy and is building its crawlers (the classifier loads)."""
    return _log_says(log, "Scrapy ") and not _log_says(log, "Spider opened")


def _hanging(lab: LabServer, log: Path) -> bool:
    """Every source's feed request is waiting for its answer."""
    return all(f"/{sid}.xml" in lab.paths() for sid in SOURCES)


# (case, when to send, the signals sent one after another)
CASES: list[tuple[str, Callable[[LabServer, Path], bool], tuple[signal.Signals, ...]]] = [
    ("SIGINT while the crawlers are built", _building, (signal.SIGINT,)),
    ("SIGINT while the requests hang", _hanging, (signal.SIGINT,)),
    ("SIGTERM while the requests hang", _hanging, (signal.SIGTERM,)),
    ("SIGINT twice: a forced stop", _hanging, (signal.SIGINT, signal.SIGINT)),
    ("SIGINT twice while the crawlers are built", _building, (signal.SIGINT, signal.SIGINT)),
]
SLOW_CASES = {"SIGINT while the requests hang", "SIGTERM while the requests hang"}
"""Cases that wait for the graceful close of hanging requests (up to a minute on a loaded machine)
and already held before the start-up rule: `make test-slow` runs them, `make test` the others."""


def _health(db_url: str) -> list[tuple[str, str | None, int, datetime | None]]:
    with session(db_url) as s:
        rows = s.scalars(select(SourceRow).where(SourceRow.id.in_(SOURCES)).order_by(SourceRow.id))
        return [(r.id, r.state, r.consecutive_failures, r.backoff_until) for r in rows]


@pytest.mark.parametrize(
    ("case", "when", "signals"),
    [pytest.param(*c, id=c[0], marks=[pytest.mark.slow] if c[0] in SLOW_CASES else []) for c in CASES],
)
def test_an_interrupted_crawl_leaves_every_source_health_as_it_was(
    tmp_path: Path, case: str, when: Callable[[LabServer, Path], bool], signals: tuple[signal.Signals, ...]
) -> None:
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    log = tmp_path / "crawl.log"
    with LabServer(LAB_HOST, {f"/{sid}.xml": _hang for sid in SOURCES}) as lab:
        config = write_config(
            tmp_path, [{"id": sid, "kind": "feed", "urls": [lab.url(f"/{sid}.xml")]} for sid in SOURCES]
        )
        with session(db_url) as s:  # slow-c failed once before: that failure and back-off stay
            sync_sources(s, load_sources(config).sources)
            row = s.get(SourceRow, "slow-c")
            row.state, row.consecutive_failures, row.backoff_until = "failing", 1, EARLIER_BACKOFF
            row.last_error_key = "fetch.http_5xx"
            s.commit()
        before = _health(db_url)
        args = [sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config), "--log-file", str(log)]
        env = {**os.environ, "EWSI_DATABASE_URL": db_url, "EWSI_ALLOW_PRIVATE": LAB_HOST}
        child = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        deadline = time.monotonic() + 60
        while not when(lab, log) and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert child.poll() is None, "the crawl ended before it could be interrupted"
        for n, sig in enumerate(signals):
            if n:
                time.sleep(0.5)
            child.send_signal(sig)
        out, _ = child.communicate(timeout=120)
    assert child.returncode == 130, out
    assert _health(db_url) == before
    assert before == [
        ("slow-a", "new", 0, None),
        ("slow-b", "new", 0, None),
        ("slow-c", "failing", 1, EARLIER_BACKOFF),
    ]
    with session(db_url) as s:
        runs = s.execute(select(CrawlRun.source_id, CrawlRun.status, CrawlRun.error_key)).all()
    assert {tuple(r) for r in runs} <= {(sid, "interrupted", "crawl.interrupted") for sid in SOURCES}
    table = [
        line.split() for line in out.splitlines() if line.split()[:1] in (["slow-a"], ["slow-b"], ["slow-c"])
    ]
    assert sorted((row[0], row[1], row[-1]) for row in table) == [
        (sid, "interrupted", "crawl.interrupted") for sid in SOURCES
    ]


def test_the_report_of_a_source_whose_run_did_not_close() -> None:
    """Without a signal such a source crashed (a failure, as before); after one it was interrupted."""
    from crawler.runner import ShutdownGuard
    from crawler.sources import Source

    guard = ShutdownGuard()
    source = Source(id="quiet", name="Q", publisher="P", kind="feed", urls=["https://x.example.eu/f"])
    assert (guard.report_for(source, None).status, guard.report_for(source, None).error_key) == (
        "failed",
        "crawl.crashed",
    )
    guard.signum = signal.SIGINT
    report = guard.report_for(source, None)
    assert (report.status, report.error_key) == ("interrupted", "crawl.interrupted")
    assert report.error == "stopped by SIGINT before the run closed"
    assert timedelta(0) <= datetime.now(UTC) - report.started_at < timedelta(seconds=5)
