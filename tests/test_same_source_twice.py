"""Two crawls of one source at once (an operator's manual run while the scheduler's runs): every item is
stored once, both runs end, none with a store error, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import test_cases
from tests.lab import LabServer, Route
from tests.test_cases import LAB_HOST, ROOT, items, migrate, session, write_config

lab = test_cases.lab  # the loopback lab fixture

pytestmark = pytest.mark.slow

N = 60


def _feed() -> bytes:
    body = "".join(
        f"<item><title>Integration course {i} for newcomers</title><link>https://city.example.eu/k/{i}</link>"
        f"<guid>k-{i}</guid><pubDate>Tue, 01 Apr 2025 09:00:00 +0200</pubDate></item>"
        for i in range(N)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>K</title>{body}</channel></rss>'.encode()


def test_two_crawls_of_one_source_store_each_item_once(db_url: str, tmp_path: Path, lab: LabServer) -> None:
    from crawler.store.schema import CrawlRun

    lab.routes["/k.rss"] = Route(body=_feed(), headers={"Content-Type": "application/rss+xml"})
    config = write_config(
        tmp_path,
        [{"id": "twice", "kind": "feed", "urls": [lab.url("/k.rss")], "languages": ["en"], "max_items": N}],
    )
    migrate(db_url)
    env = {**os.environ, "EWSI_DATABASE_URL": db_url, "EWSI_ALLOW_PRIVATE": LAB_HOST}
    args = [sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config), "--source", "twice"]
    children = [
        subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=240) for child in children]
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, out + err
        assert "store_error" not in out and "database is locked" not in err
    rows = items(db_url)
    assert sorted(r.url for r in rows) == sorted(f"https://city.example.eu/k/{i}" for i in range(N))
    with session(db_url) as s:
        statuses = s.scalars(select(CrawlRun.status).where(CrawlRun.source_id == "twice")).all()
    assert len(statuses) == 2 and "running" not in statuses, statuses
