"""What a crawl writes to its log and its run row (crawler.runner, crawler.settings, crawler.extensions).

- The scheduler's crawl child (``python -m crawler.runner``) logs at INFO like ``ewsi crawl``: no
  DEBUG line, items named by URL and never dumped whole (``HarvestedItem(...)``), each record once
  on one line (one handler, Scrapy's; no multi-line start-up reports).
- Scrapy 2.19's ``RemoteControl`` extension (an HTTP server on localhost running posted Python code)
  is off in every crawl: ``ewsi crawl`` and the child.
- Every ``DropItem`` is counted by reason: a feed with a ``javascript:`` link, a ``data:`` link and
  one good item gives ``dropped == {"invalid_url": 2}`` on the run row and in the crawl summary.
Real crawls against a loopback lab feed, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.settings import build_settings
from crawler.store.schema import CrawlRun
from crawler.store.session import make_engine, session_factory
from tests.desklab import SQLITE_ONLY
from tests.fetchlab import TEST_ENV, migrate, write_config
from tests.lab import LabServer, Route

ROOT = Path(__file__).resolve().parents[1]
REMOTE_CONTROL = "scrapy.extensions.remote_control.RemoteControl"
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[[\w.]+\] (DEBUG|INFO|WARNING|ERROR|CRITICAL): ")
"""Start of every line the crawl log may hold (crawler.settings LOG_FORMAT)."""

ARTICLE = (
    b"<!doctype html><html lang='en'><head><title>Courses</title></head><body><article><p>"
    + b"The city opens language courses for newly arrived refugees and migrant families. " * 12
    + b"</p></article></body></html>"
)


def feed(base: str) -> bytes:
    """An RSS feed of three items: links ``javascript:``, ``data:`` and one good page."""
    items = [
        ("javascript:alert(3)", "Script link", "g-js"),
        ("data:text/html,<b>hi</b>", "Data link", "g-data"),
        (f"{base}/news/1", "Language courses for newly arrived refugees", "g-good"),
    ]
    body = "".join(
        f"<item><title>{title}</title><link>{link.replace('<', '&lt;').replace('>', '&gt;')}</link>"
        f"<guid>{guid}</guid><description>Integration of migrants: {title}</description>"
        "<pubDate>Tue, 04 Mar 2025 09:00:00 +0100</pubDate></item>"
        for link, title, guid in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Lab</title>'
        f"<link>{base}/</link><description>lab</description>{body}</channel></rss>"
    ).encode()


def lab_config(lab: LabServer, tmp_path: Path) -> Path:
    """One source: the feed, plus a URL answering 404 (the one WARNING of the crawl)."""
    lab.routes["/feed.xml"] = Route(feed(lab.base), headers={"Content-Type": "application/rss+xml"})
    lab.routes["/news/1"] = Route(ARTICLE, headers={"Content-Type": "text/html; charset=utf-8"})
    return write_config(
        tmp_path / "sources.yaml",
        [{"id": "lab", "kind": "feed", "urls": [lab.url("/feed.xml"), lab.url("/missing.xml")]}],
    )


def run_env(db_url: str) -> dict[str, str]:
    return {**os.environ, **TEST_ENV, "EWSI_DATABASE_URL": db_url, "COLUMNS": "200", "PYTHONPATH": str(ROOT)}


def last_run(db_url: str) -> Any:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            return session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
    finally:
        engine.dispose()


def test_settings_switch_remote_control_off() -> None:
    settings = build_settings()
    assert settings["REMOTE_CONTROL_ENABLED"] is False
    assert settings["EXTENSIONS"][REMOTE_CONTROL] is None
    assert settings["TELNETCONSOLE_ENABLED"] is False
    assert "RANDOMIZE_DOWNLOAD_DELAY" not in settings  # deprecated in Scrapy 2.19: a warning per crawl
    assert settings["LOG_FORMATTER"] == "crawler.extensions.OneLineLogFormatter"


@pytest.mark.slow
@pytest.mark.timeout(240)
@SQLITE_ONLY
def test_crawl_child_logs_info_once_per_record_and_counts_drops(db_url: str, tmp_path: Path) -> None:
    """The scheduler's child, as the scheduler starts it (no --log-level)."""
    migrate(db_url)
    with LabServer("127.0.0.2", {}) as lab:
        config = lab_config(lab, tmp_path)
        proc = subprocess.run(
            [sys.executable, "-m", "crawler.runner", "lab", "--config", str(config)],
            cwd=ROOT,
            env=run_env(db_url),
            capture_output=True,
            text=True,
            timeout=200,
        )
    log = proc.stderr
    lines = log.splitlines()
    print(f"\nchild log: {len(log.encode())} bytes, {len(lines)} lines")
    assert proc.returncode == 0, log[-3000:]
    assert proc.stdout.startswith("lab\tok\tfetch.http_404\tnew=1"), proc.stdout
    assert lines and [line for line in lines if not STAMP.match(line)] == []  # one line per record
    levels = Counter(STAMP.match(line).group(1) for line in lines)  # type: ignore[union-attr]
    assert levels["DEBUG"] == 0 and levels["ERROR"] == 0, levels
    assert "HarvestedItem(" not in log
    assert "Remote control" not in log and "remote_control" not in log
    warnings = [line for line in lines if " WARNING: " in line]
    assert len(warnings) == 1 and "[lab] fetch.http_404" in warnings[0], warnings
    drops = [line.split(" INFO: ", 1)[1] for line in lines if "Dropped (" in line]
    assert drops == [
        "Dropped (invalid_url): 'javascript:alert(3)' (source lab)",
        "Dropped (invalid_url): 'data:text/html,<b>hi</b>' (source lab)",
    ]
    run = last_run(db_url)
    assert (run.status, run.items_new, run.items_dropped, run.dropped) == ("ok", 1, 2, {"invalid_url": 2})


@pytest.mark.slow
@pytest.mark.timeout(240)
@SQLITE_ONLY
def test_ewsi_crawl_summary_counts_drops_and_runs_no_remote_control(db_url: str, tmp_path: Path) -> None:
    migrate(db_url)
    log_file = tmp_path / "crawl.log"
    with LabServer("127.0.0.2", {}) as lab:
        config = lab_config(lab, tmp_path)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "crawler.cli",
                "crawl",
                "--config",
                str(config),
                "--log-file",
                str(log_file),
            ],
            cwd=ROOT,
            env=run_env(db_url),
            capture_output=True,
            text=True,
            timeout=200,
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    [row] = [line.split() for line in proc.stdout.splitlines() if line.strip().startswith("lab ")]
    # source status fetched (robots.txt, feed, 404) new updated unchanged dropped (reason count) error
    assert row[:6] == ["lab", "ok", "3", "1", "0", "0"] and row[6:8] == ["invalid_url", "2"], row
    run = last_run(db_url)
    assert (run.items_dropped, run.dropped) == (2, {"invalid_url": 2})
    log = log_file.read_text(encoding="utf-8")
    assert "Enabled extensions" in log  # `ewsi crawl` keeps Scrapy's start-up report in its log file
    assert "remote_control" not in log and "Remote control" not in log
    assert "HarvestedItem(" not in log and " DEBUG: " not in log
