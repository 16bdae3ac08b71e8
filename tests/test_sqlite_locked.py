"""A SQLite file held by another process (a backup, the sqlite3 shell: ``BEGIN EXCLUSIVE``) while a crawl
writes: the crawl waits for the lock (``busy_timeout``) and stores every item once, nothing lost or
doubled (the fault of "database is locked" reports: the write fails at once and the item is dropped)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests import test_cases
from tests.lab import LabServer, Route
from tests.test_cases import crawl, items, migrate, write_config

lab = test_cases.lab  # the loopback lab fixture

pytestmark = pytest.mark.slow

HOLD_S = 6.0


def _feed(n: int) -> bytes:
    body = "".join(
        f"<item><title>Language course {i} for newcomers</title><link>https://city.example.eu/c/{i}</link>"
        f"<pubDate>Tue, 0{1 + i % 9} Apr 2025 09:00:00 +0200</pubDate></item>"
        for i in range(n)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>C</title>{body}</channel></rss>'.encode()


def test_crawl_waits_for_a_file_locked_by_another_process(tmp_path: Path, lab: LabServer) -> None:
    path = tmp_path / "ewsi.sqlite"
    db_url = f"sqlite:///{path}"
    migrate(db_url)
    lab.routes["/c.rss"] = Route(body=_feed(5), headers={"Content-Type": "application/rss+xml"})
    config = write_config(
        tmp_path, [{"id": "locked", "kind": "feed", "urls": [lab.url("/c.rss")], "languages": ["en"]}]
    )
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sqlite3, sys, time
            con = sqlite3.connect({str(path)!r}, isolation_level=None)
            con.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            time.sleep({HOLD_S})
            con.execute("COMMIT")
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = crawl(db_url, config)
        assert time.monotonic() - started >= HOLD_S - 1.0, result.stdout  # it waited for the lock
    finally:
        holder.wait(timeout=30)
    rows = items(db_url)
    assert sorted(r.url for r in rows) == [f"https://city.example.eu/c/{i}" for i in range(5)]
    crawl(db_url, config)
    assert len(items(db_url)) == 5
