"""Politeness (T25, case B13): robots.txt (with a BOM) obeyed, one User-Agent with the configured
contact, per-host concurrency shared by all sources of a crawl, robots Crawl-delay, Retry-After
(seconds and HTTP-date), retries of 5xx with back-off, and a long Retry-After deferring the host.
"""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.fetchlab import crawl, fetch_figures_fixture, migrate, record  # noqa: F401
from tests.lab import LabServer, Route

CASES = "cases"
HTML = {"Content-Type": "text/html; charset=utf-8"}
ARTICLE = b"<html><head><title>Article</title></head><body><p>any small article page</p></body></html>"


def _timed(
    log: list[tuple[float, str]],
    body: bytes,
    status: int = 200,
    headers: dict[str, str] | None = None,
    hold: float = 0.0,
    gauge: dict[str, int] | None = None,
) -> Any:
    lock = threading.Lock()

    def handle(h: BaseHTTPRequestHandler) -> None:
        if gauge is not None:
            with lock:
                gauge["now"] += 1
                gauge["max"] = max(gauge["max"], gauge["now"])
        log.append((time.monotonic(), h.path))
        time.sleep(hold)
        if gauge is not None:
            with lock:
                gauge["now"] -= 1
        h.send_response(status)
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return handle


def _flaky(log: list[tuple[float, str]], body: bytes, failures: int) -> Any:
    def handle(h: BaseHTTPRequestHandler) -> None:
        log.append((time.monotonic(), h.path))
        status = 503 if len(log) <= failures else 200
        payload = b"busy" if status == 503 else body
        h.send_response(status)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    return handle


def _feed(base: str, n: int, prefix: str) -> bytes:
    items = "".join(
        f"<item><title>{prefix} {i}</title><link>{base}/{prefix}/{i}</link><guid>{prefix}-{i}</guid></item>"
        for i in range(n)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()
    )


@pytest.mark.slow
def test_politeness_under_pressure(tmp_path: Path, shared: Path) -> None:
    """B13 and T25 in one crawl; each host has its own name (fake DNS) so their gates are separate."""
    case = shared / CASES / "B13"
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    rss = {"Content-Type": "application/rss+xml"}
    flaky_log: list[tuple[float, str]] = []
    short_log: list[tuple[float, str]] = []
    delay_log: list[tuple[float, str]] = []
    gauge = {"now": 0, "max": 0}
    conc_log: list[tuple[float, str]] = []
    until = datetime.now(UTC) + timedelta(minutes=2)
    with LabServer("127.0.0.2") as ngo, LabServer("127.0.0.2") as pub:
        ngo.routes.update(
            {
                "/robots.txt": Route(
                    (case / "robots.txt").read_bytes(), headers={"Content-Type": "text/plain"}
                ),
                "/news/": Route((case / "listing.html").read_bytes(), headers=HTML),
                "/news/2025/mentoring-results": Route(ARTICLE, headers=HTML),
                "/internal/press/statement-2025-03": Route(ARTICLE, headers=HTML),
                "/internal/drafts/annual-plan": Route(b"must never be requested", headers=HTML),
                "/search": Route(b"must never be requested", headers=HTML),
            }
        )
        p = pub.port
        pub.routes.update(
            {
                "/busy": Route(b"slow down", status=429, headers={"Retry-After": "120"}),
                "/busy-date": Route(
                    b"slow down", status=429, headers={"Retry-After": format_datetime(until, usegmt=True)}
                ),
                "/later": Route(_feed(f"http://busy.test:{p}", 1, "later"), headers=rss),
                "/flaky": _flaky(flaky_log, _feed(f"http://flaky.test:{p}", 2, "flaky"), failures=3),
                "/short429": _timed(short_log, b"", status=429, headers={"Retry-After": "1"}),
                "/conc1.xml": Route(_feed(f"http://conc.test:{p}", 3, "c1"), headers=rss),
                "/conc2.xml": Route(_feed(f"http://conc.test:{p}", 3, "c2"), headers=rss),
            }
        )
        for prefix in ("c1", "c2"):
            for i in range(3):
                pub.routes[f"/{prefix}/{i}"] = _timed(conc_log, ARTICLE, headers=HTML, hold=0.3, gauge=gauge)
        names = ("busy.test", "busy2.test", "flaky.test", "short.test", "conc.test", "delay.test")
        dns = {name: [["127.0.0.2"]] for name in names}
        # robots.txt per host name: Crawl-delay only on delay.test (a route keyed by path serves all
        # names, so the delay host gets its own server port)
        with LabServer("127.0.0.2") as delay_host:
            delay_host.routes["/robots.txt"] = Route(b"User-agent: *\nCrawl-delay: 1\n")
            delay_host.routes["/delay.xml"] = Route(
                _feed(f"http://delay.test:{delay_host.port}", 3, "d"), headers=rss
            )
            for i in range(3):
                delay_host.routes[f"/d/{i}"] = _timed(delay_log, ARTICLE, headers=HTML)
            sources = [
                {"id": "b13-ngo", "kind": "listing", "urls": [ngo.url("/news/")], "follow": True,
                 "listing": {"links": "ul a::attr(href)"}},
                {"id": "t25-429-seconds", "kind": "feed", "urls": [f"http://busy.test:{p}/busy",
                                                                   f"http://busy.test:{p}/later"]},
                {"id": "t25-429-date", "kind": "feed", "urls": [f"http://busy2.test:{p}/busy-date"]},
                {"id": "t25-503", "kind": "feed", "urls": [f"http://flaky.test:{p}/flaky"]},
                {"id": "t25-retry-after-1s", "kind": "feed", "urls": [f"http://short.test:{p}/short429"]},
                {"id": "t25-shared-host-a", "kind": "feed", "urls": [f"http://conc.test:{p}/conc1.xml"],
                 "follow": True},
                {"id": "t25-shared-host-b", "kind": "feed", "urls": [f"http://conc.test:{p}/conc2.xml"],
                 "follow": True},
                {"id": "t25-crawl-delay", "kind": "feed", "urls": [f"http://delay.test:{delay_host.port}/delay.xml"],
                 "follow": True},
            ]  # fmt: skip
            started = datetime.now(UTC)
            result = crawl(
                tmp_path,
                db_url,
                sources,
                dns=dns,
                overrides={"EWSI_RETRY_BACKOFF": 0.1, "CONCURRENT_REQUESTS_PER_DOMAIN": 1},
                top={"contact": "lab-ops@example.org"},
                timeout=120,
            )
    assert result.returncode == 0, result.stderr[-3000:]

    # B13: the BOM does not hide the rules
    asked = ngo.paths()
    assert "/news/2025/mentoring-results" in asked and "/internal/press/statement-2025-03" in asked
    assert "/internal/drafts/annual-plan" not in asked and not any(a.startswith("/search") for a in asked)
    b13 = result.run("b13-ngo")
    assert b13["stats"].get("robotstxt/forbidden") == 2 and len(result.items_of("b13-ngo")) == 2
    # one identifiable User-Agent carrying the configured contact, on every request
    agents = {h.headers.get("user-agent") for h in ngo.hits + pub.hits}
    assert len(agents) == 1 and "lab-ops@example.org" in agents.pop()

    # 429 with a long Retry-After: given up at once, host left alone, retry time recorded
    for sid in ("t25-429-seconds", "t25-429-date"):
        run = result.run(sid)
        assert run["error_key"] == "fetch.http_429", (sid, run)
        retry_at = datetime.fromisoformat(run["stats"]["ewsi/retry_after"].replace("Z", "+00:00"))
        asked_for = (retry_at - started).total_seconds()  # 120 s after the 429, which came during the run
        assert 118 <= asked_for <= 121 + result.wall_s, (sid, asked_for)
        record("T25", "politeness", sid, error_key=run["error_key"], expected_key="fetch.http_429",
               wall_s=run["duration_s"], peak_rss_mb=result.peak_rss_mb)  # fmt: skip
    assert [h.path for h in pub.hits].count("/busy") == 1 and "/later" not in pub.paths()
    assert [h.path for h in pub.hits].count("/busy-date") == 1
    # 503 three times then 200: succeeds within RETRY_TIMES (3), with growing pauses
    assert result.run("t25-503")["status"] == "ok" and len(flaky_log) == 4
    # Retry-After: 1 is honoured before retrying
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(short_log)]
    assert len(short_log) == 4 and min(gaps) >= 0.95, gaps
    # two sources on one host never exceed the configured per-host concurrency (1)
    assert len(conc_log) == 6 and gauge["max"] == 1, gauge
    # robots Crawl-delay: 1 s, jittered 0.5x-1.5x, between page requests on that host
    starts = [t for t, _ in delay_log]
    assert len(starts) == 3 and min(b - a for a, b in itertools.pairwise(starts)) >= 0.45, delay_log
    assert result.run("t25-crawl-delay")["stats"].get("ewsi/robots/crawl_delay") == 1.0
