"""robots.txt per RFC 9309 (issue 12, class 6) through real crawls on the loopback lab: a 5xx
robots.txt stops the source with the reason, a 404 allows everything, BOM and CR line endings are
read, redirects are followed up to five, a robots.txt host that does not resolve (or never can:
``.invalid``, ``.onion``) fails as ``fetch.dns``, and a recorded robots.txt is applied again on replay.
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
UNRESOLVED = {
    "dns-nxdomain": "http://feeds.example.eu/feed.xml",  # not in the fake DNS
    "dns-invalid-tld": "http://news.example.invalid/feed.xml",  # RFC 6761: refused before any lookup
    "dns-invalid-upper": "https://NEWS.EXAMPLE.INVALID./feed.xml",
    "dns-onion": "http://integrationnews.onion/feed.xml",  # RFC 7686
}


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
        sources += [{"id": name, "kind": "feed", "urls": [url]} for name, url in UNRESOLVED.items()]
        dns_log = tmp_path / "dns.log"
        # the never-resolving names are in the fake DNS: a lookup would find the lab and fetch the feed
        fake_dns = {"news.example.invalid": [["127.0.0.2"]], "integrationnews.onion": [["127.0.0.2"]]}
        env = {"EWSI_TEST_DNS_LOG": str(dns_log)}
        result = crawl(tmp_path, db_url, sources, timeout=120, dns=fake_dns, env=env)
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
    for name in UNRESOLVED:  # the robots.txt host does not resolve: the network's key, not robots_unreachable
        assert (result.run(name)["status"], result.run(name)["error_key"]) == ("failed", "fetch.dns"), name
    assert not dns_log.exists(), dns_log.read_text()  # .invalid and .onion were never looked up


@pytest.mark.heavy
def test_recorded_robots_txt_is_applied_again_on_replay(tmp_path: Path) -> None:
    import sqlite3

    from tests.test_crawl_loopback import ewsi, write_config

    page = (
        b"<html><head><title>Course</title></head><body><article><p>"
        + b"Free classes. " * 40
        + b"</p></article></body></html>"
    )
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>C</title>'
        b"<item><title>Open</title><link>{base}/news/1</link><guid>n1</guid></item>"
        b"<item><title>Closed</title><link>{base}/private/2</link><guid>n2</guid></item></channel></rss>"
    )
    with LabServer("127.0.0.2") as rules, LabServer("127.0.0.2") as down:
        rules.routes.update({
            "/robots.txt": Route(b"\xef\xbb\xbfUser-agent: *\r\nDisallow: /private\r\n"),
            "/feed.xml": Route(feed.replace(b"{base}", rules.base.encode()), headers=RSS),
            "/news/1": Route(page, headers={"Content-Type": "text/html; charset=utf-8"}),
            "/private/2": Route(page, headers={"Content-Type": "text/html; charset=utf-8"}),
        })  # fmt: skip
        down.routes.update({"/robots.txt": Route(status=503), "/feed.xml": Route(FEED, headers=RSS)})
        config = write_config(
            tmp_path / "sources.yaml",
            [{"id": "rules", "name": "Rules", "kind": "feed", "urls": [rules.url("/feed.xml")],
              "follow": True},
             {"id": "down", "name": "Down", "kind": "feed", "urls": [down.url("/feed.xml")]}],
        )  # fmt: skip
        archive = tmp_path / "harvest.warc.gz"
        live, offline = tmp_path / "live.sqlite", tmp_path / "offline.sqlite"
        for db in (live, offline):
            assert ewsi(db, "db", "upgrade").returncode == 0
        assert ewsi(live, "crawl", "--config", str(config), "--record", str(archive)).returncode == 0
        asked = len(rules.hits) + len(down.hits)
        result = ewsi(offline, "crawl", "--config", str(config), "--replay", str(archive))
        assert result.returncode == 0, result.stderr
        assert len(rules.hits) + len(down.hits) == asked, "replay must not touch the network"
        assert "/private/2" not in rules.paths()

    def outcome(db: Path) -> list[tuple[object, ...]]:
        with sqlite3.connect(db) as conn:
            runs = conn.execute(
                "SELECT source_id, status, error_key FROM crawl_runs ORDER BY source_id"
            ).fetchall()
            urls = conn.execute("SELECT url FROM items ORDER BY url").fetchall()
        return [*runs, *urls]

    assert outcome(offline) == outcome(live)
    assert outcome(live) == [
        ("down", "failed", "fetch.robots_unreachable"),
        ("rules", "ok", None),
        (f"{rules.base}/news/1",),
    ]
