"""Politeness across crawl processes (crawler.fetch.shared_gate on the PostgreSQL host budget).

Rules under test, with real ``ewsi crawl`` processes on one loopback host: request starts from all
processes together are at least DOWNLOAD_DELAY apart (within 0.05 s of arrival noise, the issue's
0.45 s for 0.5 s); a 429 with Retry-After seen by one process keeps every process away for that
long; requests in flight from all processes never exceed CONCURRENT_REQUESTS_PER_DOMAIN; SQLite
and the setting off leave the in-process gate alone.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from crawler.fetch.shared_gate import shared_url
from tests.fetchlab import crawl, migrate
from tests.lab import LabServer, Route

RSS = {"Content-Type": "application/rss+xml"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
ARTICLE = (
    b"<html><head><title>Article</title></head><body><p>a small article page for the lab</p></body></html>"
)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"EWSI_DATABASE_URL": "postgresql+psycopg2://u@h/db"}, "postgresql+psycopg2://u@h/db"),
        ({"EWSI_DATABASE_URL": "postgresql://u@h/db"}, "postgresql://u@h/db"),
        ({"EWSI_DATABASE_URL": "sqlite:///x.sqlite"}, None),
        ({"EWSI_DATABASE_URL": None}, None),
        ({"EWSI_DATABASE_URL": "postgresql://u@h/db", "EWSI_SHARED_HOST_BUDGET": False}, None),
        ({"EWSI_DATABASE_URL": "postgresql://u@h/db", "EWSI_SHARED_HOST_BUDGET": "0"}, None),
    ],
)
def test_shared_budget_only_on_postgresql_and_when_on(values: dict[str, Any], expected: str | None) -> None:
    assert shared_url(Settings(values)) == expected


@pytest.fixture
def pg_url() -> Iterator[str]:
    from conftest import ADMIN_URL, _postgres_url

    for url in _postgres_url(os.environ.get("EWSI_TEST_POSTGRES_URL") or ADMIN_URL):
        migrate(url)
        yield url


def _feed(base: str, prefix: str, n: int) -> bytes:
    items = "".join(
        f"<item><title>{prefix} {i}</title><link>{base}/{prefix}/{i}</link><guid>{prefix}-{i}</guid></item>"
        for i in range(n)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()
    )


class _Clock:
    """Arrival times and in-flight gauge of every request the lab host answers."""

    def __init__(self) -> None:
        self.starts: list[tuple[float, str]] = []
        self.now = 0
        self.max = 0
        self.lock = threading.Lock()

    def handler(self, body: bytes, headers: dict[str, str], status: int = 200, hold: float = 0.0) -> Any:
        def handle(h: BaseHTTPRequestHandler) -> None:
            with self.lock:
                self.starts.append((time.time(), h.path))
                self.now += 1
                self.max = max(self.max, self.now)
            time.sleep(hold)
            with self.lock:
                self.now -= 1
            h.send_response(status)
            for name, value in headers.items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)

        return handle


def _crawl_in_parallel(
    tmp_path: Path, db_url: str, sources_per_process: list[list[dict[str, Any]]], overrides: dict[str, Any]
) -> list[Any]:
    results: list[Any] = [None] * len(sources_per_process)

    def one(i: int) -> None:
        work = tmp_path / f"p{i}"
        work.mkdir()
        results[i] = crawl(work, db_url, sources_per_process[i], overrides=overrides, timeout=120)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(sources_per_process))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(150)
    return results


@pytest.mark.heavy
@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.timeout(240)
def test_three_crawl_processes_keep_one_gap_and_one_concurrency(tmp_path: Path, pg_url: str) -> None:
    delay, processes, pages = 0.4, 3, 3
    clock = _Clock()
    with LabServer("127.0.0.2") as host:
        host.routes["/robots.txt"] = Route(
            b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}
        )
        sources = []
        for p in range(processes):
            prefix = f"s{p}"
            host.routes[f"/{prefix}.xml"] = clock.handler(_feed(host.url("").rstrip("/"), prefix, pages), RSS)
            for i in range(pages):
                host.routes[f"/{prefix}/{i}"] = clock.handler(ARTICLE, HTML, hold=0.6)
            sources.append(
                [
                    {
                        "id": f"gate-{prefix}",
                        "kind": "feed",
                        "urls": [host.url(f"/{prefix}.xml")],
                        "follow": True,
                    }
                ]
            )
        overrides = {
            "DOWNLOAD_DELAY": delay,
            "DOWNLOAD_DELAY_JITTER": 0,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
            "AUTOTHROTTLE_ENABLED": False,
        }
        results = _crawl_in_parallel(tmp_path, pg_url, sources, overrides)
    for r in results:
        assert r.returncode == 0, r.stderr[-3000:]
    starts = sorted(t for t, _ in clock.starts)
    assert len(starts) == processes * (pages + 1)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    print(f"\nshared gate: {len(starts)} requests from {processes} processes, min gap {min(gaps):.3f} s "
          f"for {delay} s, max in flight {clock.max}")  # fmt: skip
    assert min(gaps) >= delay - 0.05
    assert clock.max == 1  # one in flight for the whole host, although each process allows one


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.timeout(240)
def test_retry_after_seen_by_one_process_holds_every_process(tmp_path: Path, pg_url: str) -> None:
    clock = _Clock()
    pause = 3
    with LabServer("127.0.0.2") as host:
        host.routes["/robots.txt"] = Route(
            b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}
        )
        answered: list[int] = []

        def busy_once(h: BaseHTTPRequestHandler) -> None:
            answered.append(1)
            status, body = (
                (429, b"slow down") if len(answered) == 1 else (200, _feed(host.url("").rstrip("/"), "b", 0))
            )
            with clock.lock:
                clock.starts.append((time.time(), h.path))
            h.send_response(status)
            if status == 429:
                h.send_header("Retry-After", str(pause))
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)

        host.routes["/busy.xml"] = busy_once
        for p in range(2):
            host.routes[f"/q{p}.xml"] = clock.handler(_feed(host.url("").rstrip("/"), f"q{p}", 4), RSS)
            for i in range(4):
                host.routes[f"/q{p}/{i}"] = clock.handler(ARTICLE, HTML)
        sources = [
            [{"id": "busy", "kind": "feed", "urls": [host.url("/busy.xml")]}],
            *[
                [{"id": f"quiet-{p}", "kind": "feed", "urls": [host.url(f"/q{p}.xml")], "follow": True}]
                for p in range(2)
            ],
        ]
        overrides = {
            "DOWNLOAD_DELAY": 0.3,
            "DOWNLOAD_DELAY_JITTER": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "EWSI_RETRY_BACKOFF": 0.05,
        }
        results = _crawl_in_parallel(tmp_path, pg_url, sources, overrides)
    for r in results:
        assert r.returncode == 0, r.stderr[-3000:]
    refused_at = next(t for t, path in clock.starts if path == "/busy.xml")
    after = sorted(t - refused_at for t, _ in clock.starts if t > refused_at)
    print(f"\nretry-after {pause} s: next request from any process {after[0]:.2f} s later")
    assert after and after[0] >= pause - 0.05


@pytest.mark.parametrize(
    ("database_url", "switch", "expected"),
    [
        # (shared on, Scrapy's slot delay, AutoThrottle, the gate's delay)
        ("postgresql+psycopg2://u@h/db", None, (True, 0, False, 1.5)),
        ("postgresql+psycopg2://u@h/db", "1", (True, 0, False, 1.5)),
        ("postgresql+psycopg2://u@h/db", "0", (False, 1.5, True, None)),
        ("sqlite:///x.sqlite", None, (False, 1.5, True, None)),
    ],
)
def test_settings_hand_the_delay_to_the_shared_gate(
    database_url: str, switch: str | None, expected: tuple[Any, ...]
) -> None:
    from crawler.config import Settings as RuntimeSettings
    from crawler.settings import build_settings

    environ = {"EWSI_DOWNLOAD_DELAY": "1.5", **({"EWSI_SHARED_HOST_BUDGET": switch} if switch else {})}
    s = build_settings(database_url=database_url, runtime=RuntimeSettings.from_env(environ))
    shared = shared_url(Settings(s)) is not None
    assert (shared, s["DOWNLOAD_DELAY"], s["AUTOTHROTTLE_ENABLED"], s.get("EWSI_HOST_DELAY")) == expected
