"""A forced stop reports what the run stored (crawler.stopcounts).

Rule under test: after a second Ctrl-C, a source whose run did not close has in its summary row,
and on its ``crawl_runs`` row, the pages fetched and the items stored (new, and known items as
unchanged), read from the crawler's stats and the store, never zeros. A real `ewsi crawl` child
over the loopback lab: a listing whose first pages answer at once and whose last ones hang, stopped
once the quick pages are stored; and the unit rule on made-up stats and store counts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crawler.stopcounts import counted
from crawler.store.schema import CrawlRun, Item
from tests.lab import LabServer, Route
from tests.test_cases import LAB_HOST, ROOT, followed_listing, migrate, session, write_config

QUICK = 3
"""Pages that answer at once (stored before the stop)."""
HTML = {"Content-Type": "text/html; charset=utf-8"}


def _silent(handler: BaseHTTPRequestHandler) -> None:
    """No answer within the test: the page is still being fetched when the stop comes."""
    time.sleep(20)


def _page(n: int) -> bytes:
    return (
        f"<html><head><title>Welcome centre {n} opens for refugees</title></head><body><article>"
        f"<p>The city opened welcome centre number {n} for refugees and migrants today.</p>"
        "</article></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("stats", "stored", "expected"),
    [
        # (Scrapy stats, (first stored by the run, stored again), (fetched, new, updated, unchanged, dropped))
        ({"downloader/response_count": 5, "ewsi/items/new": 2}, (2, 0), (5, 2, 0, 0, 0)),
        ({"downloader/response_count": 5, "ewsi/items/new": 1}, (2, 0), (5, 2, 0, 0, 0)),  # one count cut
        ({"downloader/response_count": 4}, (0, 3), (4, 0, 0, 3, 0)),
        ({"ewsi/items/updated": 1, "ewsi/items/unchanged": 1}, (0, 3), (0, 0, 1, 2, 0)),
        ({"ewsi/items/new": 2, "ewsi/dropped/duplicate": 4}, (0, 0), (0, 2, 0, 0, 4)),
        ({}, (0, 0), (0, 0, 0, 0, 0)),
    ],
)
def test_counts_of_a_run_cut_off(
    stats: dict[str, Any], stored: tuple[int, int], expected: tuple[int, ...]
) -> None:
    report = counted("lab", stats, datetime.now(UTC), stored)
    dropped = sum(report.dropped.values())
    got = (report.fetched, report.items_new, report.items_updated, report.items_unchanged, dropped)
    assert got == expected


def _stored(db_url: str) -> int:
    with session(db_url) as s:
        return int(s.scalar(select(func.count()).select_from(Item)) or 0)


@pytest.mark.slow
def test_a_forced_stop_reports_the_items_stored(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    log = tmp_path / "crawl.log"
    with LabServer(LAB_HOST) as lab:
        links = [f"<li class='n'><a href='/p/{n}'>Centre {n}</a></li>" for n in range(QUICK + 2)]
        lab.routes["/index.html"] = Route(f"<ul>{''.join(links)}</ul>".encode(), headers=HTML)
        for n in range(QUICK):
            lab.routes[f"/p/{n}"] = Route(_page(n), headers=HTML)
        for n in range(QUICK, QUICK + 2):
            lab.routes[f"/p/{n}"] = _silent
        config = write_config(tmp_path, [followed_listing("quick-slow", lab.url("/index.html"))])
        args = [sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config), "--log-file", str(log)]
        env = {**os.environ, "EWSI_DATABASE_URL": db_url, "EWSI_ALLOW_PRIVATE": LAB_HOST}
        env["EWSI_DOWNLOAD_TIMEOUT"] = "30"
        child = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        deadline = time.monotonic() + 120
        while _stored(db_url) < QUICK and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert child.poll() is None, "the crawl ended before it could be interrupted"
        child.send_signal(signal.SIGINT)
        time.sleep(0.5)
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=120)
    assert child.returncode == 130, out
    row = next(line.split() for line in out.splitlines() if line.split()[:1] == ["quick-slow"])
    status, fetched, new = row[1], int(row[2]), int(row[3])
    assert (status, new) == ("interrupted", QUICK), out
    assert fetched >= QUICK + 1, out  # the index and the quick pages (robots.txt too)
    with session(db_url) as s:
        run = s.scalars(select(CrawlRun)).one()
        assert (run.status, run.items_new, run.fetched) == ("interrupted", QUICK, fetched)
