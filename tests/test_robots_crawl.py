"""robots.txt per RFC 9309 (issue 12, class 6) through real crawls on the loopback lab: a 5xx
robots.txt stops the source with the reason, a 404 allows everything, BOM and CR line endings are
read, redirects are followed up to five, and a recorded robots.txt is applied again on replay.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fetchlab import crawl, migrate
from tests.lab import LabServer, Route

pytestmark = pytest.mark.slow
RSS = {"Content-Type": "application/rss+xml"}
FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>C</title><item><title>Language cafe</title>'
    b"<link>https://city.example.eu/n/1</link><guid>n1</guid></item></channel></rss>"
)
DISALLOW = b"\xef\xbb\xbfUser-agent: *\rDisallow: /feed\r"


def _redirects(lab: LabServer, hops: int, final: Route) -> None:
    for i in range(hops):
        target = f"/r{i + 1}.txt" if i + 1 < hops else "/final-robots.txt"
        path = "/robots.txt" if i == 0 else f"/r{i}.txt"
        lab.routes[path] = Route(status=301, headers={"Location": target})
    lab.routes["/final-robots.txt"] = final


def test_robots_status_classes_bom_and_redirects(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    variants = {
        "robots-503": {"/robots.txt": Route(status=503, headers={"Retry-After": "0"})},
        "robots-404": {},
        "robots-bom-cr": {"/robots.txt": Route(DISALLOW, headers={"Content-Type": "text/plain"})},
        "robots-3-redirects": None,
        "robots-7-redirects": None,
    }
    labs = {name: LabServer("127.0.0.2") for name in variants}
    for name, lab in labs.items():
        lab.__enter__()
        lab.routes["/feed.xml"] = Route(FEED, headers=RSS)
        lab.routes.update(variants[name] or {})
    _redirects(labs["robots-3-redirects"], 3, Route(DISALLOW))
    _redirects(labs["robots-7-redirects"], 7, Route(DISALLOW))
    try:
        sources = [{"id": name, "kind": "feed", "urls": [lab.url("/feed.xml")]} for name, lab in labs.items()]
        result = crawl(tmp_path, db_url, sources, timeout=120)
    finally:
        for lab in labs.values():
            lab.__exit__(None, None, None)
    assert result.returncode == 0, result.stderr[-2000:]
    want = {
        "robots-503": ("failed", "fetch.robots_unreachable", False),
        "robots-404": ("ok", None, True),
        "robots-bom-cr": ("failed", "fetch.robots", False),
        "robots-3-redirects": ("failed", "fetch.robots", False),
        "robots-7-redirects": ("ok", None, True),
    }
    for name, (status, key, fetched) in want.items():
        run = result.run(name)
        assert (run["status"], run["error_key"]) == (status, key), (name, run)
        assert ("/feed.xml" in labs[name].paths()) is fetched, (name, labs[name].paths())
    assert "503" in (result.run("robots-503")["error"] or "")
