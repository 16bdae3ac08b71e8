"""SSRF guard in the downloader (crawler.fetch.ssrf: GuardMiddleware / GuardedResolver): T18-T22.

Real crawls on the loopback lab: configured URLs in every spelling of a private address,
redirects (301/302/303/307/308), meta refresh and Refresh header, item links and sitemap locs
pointing inside, DNS rebinding, and non-http schemes. The canary servers on 127.0.0.1 and ::1 fail
the test on any hit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fetchlab import Canaries, canaries_fixture, crawl, fetch_figures_fixture, migrate, record  # noqa: F401
from tests.lab import LabServer, Route

T20_HOSTS = [
    "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0.0.0.0", "[::ffff:127.0.0.1]", "[::]",
    "169.254.169.254", "100.64.0.1", "[64:ff9b::7f00:1]", "[fd00::1]", "[fe80::1]", "10.0.0.1",
    "172.16.0.1", "192.168.1.1", "224.0.0.1", "internal.test", "localhost",
]  # fmt: skip
DNS = {
    "internal.test": [["127.0.0.1"]],
    "localhost": [["127.0.0.1", "::1"]],
    "rebind.test": [["127.0.0.2"], ["127.0.0.1"]],
    "feeds.pub.test": [["127.0.0.2"]],
}


def _feed(base: str, links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Entry {i}</title><link>{link}</link><guid>g{i}</guid>"
        f"<pubDate>Tue, 04 Mar 2025 09:00:00 +0100</pubDate></item>"
        for i, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Lab</title><link>{base}/</link>'
        f"{items}</channel></rss>"
    ).encode()


@pytest.mark.slow
def test_private_targets_are_refused_in_every_form(tmp_path: Path, canaries: Canaries) -> None:
    """T18, T19, T20, T21(a), T22: configured URLs, redirects, meta refresh, item links, sitemap locs."""
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    port, port6 = canaries.v4.port, (canaries.v6.port if canaries.v6 else canaries.v4.port)
    internal = canaries.url("/admin")
    with LabServer("127.0.0.2") as pub:
        routes: dict = {}
        sources = []
        for code in (301, 302, 303, 307, 308):
            routes[f"/r{code}"] = Route(status=code, headers={"Location": internal})
            sources.append({"id": f"t19-redirect-{code}", "kind": "feed", "urls": [pub.url(f"/r{code}")]})
        # one source per family, one URL per spelling: each URL's refusal is counted (T20)
        configured, redirected = [], []
        for i, host in enumerate(T20_HOSTS):
            target = f"http://{host}:{port6 if host.startswith('[') else port}/x{i}"
            routes[f"/spell{i}"] = Route(status=302, headers={"Location": target})
            redirected.append(pub.url(f"/spell{i}"))
            configured.append(target)
        sources.append({"id": "t20-config", "kind": "feed", "urls": configured})
        sources.append({"id": "t20-redirect", "kind": "feed", "urls": redirected})
        routes["/refresh"] = Route(
            f'<html><head><meta http-equiv="refresh" content="0;url={internal}"></head></html>'.encode(),
            headers={"Content-Type": "text/html"},
        )
        sources.append(
            {
                "id": "t19-meta-refresh",
                "kind": "listing",
                "urls": [pub.url("/refresh")],
                "listing": {"links": "a"},
            }
        )
        routes["/refresh-header"] = Route(
            b"<html><body><p>moved</p></body></html>",
            headers={"Content-Type": "text/html", "Refresh": f"0; url={internal}"},
        )
        sources.append(
            {
                "id": "t19-refresh-header",
                "kind": "listing",
                "urls": [pub.url("/refresh-header")],
                "listing": {"links": "a"},
            }
        )
        routes["/links.xml"] = Route(
            _feed(pub.base, [canaries.url("/item"), f"http://rebind.test:{pub.port}/article"]),
            headers={"Content-Type": "application/rss+xml"},
        )
        routes["/article"] = Route(
            b"<html><body><p>fine</p></body></html>", headers={"Content-Type": "text/html"}
        )
        sources.append(
            {"id": "t19-item-link", "kind": "feed", "urls": [pub.url("/links.xml")], "follow": True}
        )
        routes["/sitemap.xml"] = Route(
            (
                '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{canaries.url('/sitemap.xml')}</loc></sitemap></sitemapindex>"
            ).encode(),
            headers={"Content-Type": "application/xml"},
        )
        sources.append({"id": "t19-sitemap-loc", "kind": "sitemap", "urls": [pub.url("/sitemap.xml")]})
        routes["/urlset.xml"] = Route(
            (
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{canaries.url('/page')}</loc></url></urlset>"
            ).encode(),
            headers={"Content-Type": "application/xml"},
        )
        sources.append(
            {"id": "t19-urlset-loc", "kind": "sitemap", "urls": [pub.url("/urlset.xml")], "follow": True}
        )
        # T22: redirects to other schemes are not followed
        schemes = [f"file://{tmp_path}/canary.txt", "data:text/html,x", "ftp://127.0.0.2/x", "gopher://h/"]
        for i, target in enumerate(schemes):
            routes[f"/scheme{i}"] = Route(status=302, headers={"Location": target})
        sources.append(
            {"id": "t22-redirect", "kind": "feed", "urls": [pub.url(f"/scheme{i}") for i in range(4)]}
        )
        (tmp_path / "canary.txt").write_text("CANARY-TOKEN-7f3a")
        pub.routes.update(routes)
        result = crawl(tmp_path, db_url, sources, dns=DNS, timeout=120)

    assert result.returncode == 0, result.stderr[-3000:]
    per_url = result.wall_s / sum(len(s["urls"]) for s in sources)
    for source in sources:
        sid = source["id"]
        run = result.run(sid)
        if sid.startswith("t22"):
            expected = "fetch.blocked_scheme"
        elif sid in ("t19-item-link", "t19-urlset-loc"):
            expected = None  # the source is fine; its link to the inside is refused per page
        else:
            expected = "fetch.blocked_address"
        assert run["error_key"] == expected, (sid, run)
        if expected:  # every URL of the source was refused by the guard itself
            assert run["stats"].get(f"ewsi/errors/{expected}") == len(source["urls"]), (sid, run["stats"])
            assert run["stats"].get(f"ewsi/guard/{expected}") == len(source["urls"]), (sid, run["stats"])
        family = "scheme" if sid.startswith("t22") else "ssrf_target"
        for url in source["urls"]:
            record(sid[:3].upper(), family, f"{sid} {url}", error_key=run["error_key"], expected_key=expected,
                   wall_s=per_url, peak_rss_mb=result.peak_rss_mb)  # fmt: skip
    # item links and sitemap locs to the inside: not followed; the rebinding name went to pub once
    item_run = result.run("t19-item-link")
    assert item_run["stats"]["page_errors"] == {"fetch.blocked_address": 1}
    assert result.run("t19-urlset-loc")["stats"]["page_errors"] == {"fetch.blocked_address": 1}
    assert "/article" in pub.paths()
    assert "CANARY-TOKEN-7f3a" not in result.stderr + result.stdout + repr(result.runs) + repr(result.items)


@pytest.mark.slow
def test_dns_rebinding_connects_only_to_the_checked_address(tmp_path: Path, canaries: Canaries) -> None:
    """T21(a): first answer 127.0.0.2 (allowed), every later answer 127.0.0.1: the pin holds."""
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    with LabServer("127.0.0.2") as pub:
        # the canary listens on pub's port on 127.0.0.1 too only if free; use pub's port for the name
        url = f"http://rebind.test:{pub.port}"
        pub.routes["/feed.xml"] = Route(
            _feed(url, [f"{url}/a", f"{url}/b", f"{url}/c"]), headers={"Content-Type": "application/rss+xml"}
        )
        for path in ("/a", "/b", "/c"):
            pub.routes[path] = Route(
                b"<html><body><p>x</p></body></html>", headers={"Content-Type": "text/html"}
            )
        log = tmp_path / "dns.log"
        result = crawl(
            tmp_path,
            db_url,
            [{"id": "t21-rebind", "kind": "feed", "urls": [f"{url}/feed.xml"], "follow": True}],
            dns={"rebind.test": [["127.0.0.2"], ["127.0.0.1"]]},
            env={"EWSI_TEST_DNS_LOG": str(log)},
        )
    assert result.run("t21-rebind")["status"] == "ok", result.stderr[-2000:]
    assert sorted(p for p in pub.paths() if p != "/robots.txt") == ["/a", "/b", "/c", "/feed.xml"]
    assert log.read_text().split() == ["rebind.test"]  # looked up once, then pinned
    record("T21", "ssrf_target", "dns rebinding", error_key=None, expected_key=None, wall_s=result.wall_s,
           peak_rss_mb=result.peak_rss_mb)  # fmt: skip


def test_configured_non_http_urls_are_refused_at_config_load(tmp_path: Path) -> None:
    """T22 configured side (crawler.sources) and T21(b): a `proxy` field does not exist."""
    from crawler.errors import ConfigError
    from crawler.sources import load_sources

    text = (
        "sources:\n- id: x1\n  name: X\n  publisher: P\n  kind: feed\n  urls: ['file:///etc/passwd']\n"
        "- id: x2\n  name: X\n  publisher: P\n  kind: feed\n  urls: ['http://127.0.0.2/']\n  proxy: ''\n"
    )
    with pytest.raises(ConfigError) as info:
        load_sources(tmp_path / "s.yaml", text=text)
    problems = "\n".join(info.value.problems)
    assert "s.yaml:6: sources[0].urls" in problems and "only absolute http" in problems
    assert "sources[1].proxy: unknown field" in problems
