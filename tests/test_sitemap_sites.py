"""The sites a sitemap may name (spiders.sitemapsite, source setting ``sitemap: {same_site_only: true}``).

Rule under test: off by default, a sitemap's entries are harvested on any site (a curated list of
other sites' articles); on, an entry (``<url>``) or a child sitemap (``<sitemap>`` of an index) on
another site than its sitemap's is never requested, counted ``ewsi/dropped/off_site`` (the summary's
dropped column) and logged once per source with the count. A site is a host name (case, final dot
and IDN spelling ignored) without one leading ``www.``, and its port unless it is the scheme's
default; http and https are one site; the sitemap's site is that of the URL asked for and of the
URL that answered. The block is validated with file, line and field like every config block.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import XmlResponse

from crawler.types import HarvestedItem
from spiders.sitemapsite import on_site, site_of, sitemap_sites
from tests.desklab import SQLITE_ONLY
from tests.fetchlab import migrate, write_config
from tests.lab import LabServer, Route
from tests.test_runner_logging import ROOT, run_env
from tests.test_sitemap_robust import _crawl, _index, _urlset
from tests.test_sources_validate_rules import _problems
from tests.test_spiders import make_spider, stats

SM = "http://example.org/sitemap.xml"


@pytest.mark.parametrize(
    ("sitemap", "url", "same"),
    [
        (SM, "http://example.org/a.html", True),  # the same host
        (SM, "http://EXAMPLE.ORG/a.html", True),  # upper case
        ("http://Example.Org/sm.xml", "http://example.org/a.html", True),
        (SM, "http://example.org./a.html", True),  # a final dot
        (SM, "http://example.org:80/a.html", True),  # the default port written out
        (SM, "https://example.org:443/a.html", True),
        (SM, "https://example.org/a.html", True),  # http and https: one site
        (SM, "http://www.example.org/a.html", True),  # www. and the bare host: one site
        ("http://www.example.org/sm.xml", "https://example.org/a", True),
        ("http://WWW.example.org/sm.xml", "http://www.EXAMPLE.org/a", True),
        (SM, "http://news.example.org/a.html", False),  # a subdomain is another site
        (SM, "http://www.news.example.org/a.html", False),
        ("http://news.example.org/sm.xml", "http://example.org/a.html", False),
        (SM, "http://example.net/a.html", False),  # another domain
        (SM, "http://example.org.evil.test/a.html", False),
        (SM, "http://evilexample.org/a.html", False),
        (SM, "http://example.org:8080/a.html", False),  # another port
        ("http://example.org:8080/sm.xml", "http://example.org:8080/a.html", True),
        (SM, "https://example.org:80/a.html", False),  # port 80 is not https's default
        ("http://bücher.example/sm.xml", "http://xn--bcher-kva.example/a.html", True),  # IDN forms
        ("http://xn--bcher-kva.example/sm.xml", "http://BÜCHER.example/a.html", True),
        ("http://www.bücher.example/sm.xml", "https://xn--bcher-kva.example/a", True),
        ("http://bücher.example/sm.xml", "http://bucher.example/a.html", False),
        ("http://www.www.example.org/sm.xml", "http://example.org/a.html", False),  # one www. only
        ("http://127.0.0.2:8001/sm.xml", "http://127.0.0.2:8002/a", False),
        ("http://127.0.0.2:8001/sm.xml", "http://localhost:8001/a", False),
        (SM, "ftp://example.org/a.html", False),  # no http(s) host: on no site
        (SM, "http://example.org:99999/a.html", False),
        (SM, "http:///a.html", False),
    ],
)
def test_same_site(sitemap: str, url: str, same: bool) -> None:
    assert on_site(url, sitemap_sites([sitemap])) is same


def test_site_of_names_host_and_port() -> None:
    assert site_of("HTTPS://WWW.Bücher.Example.:443/x") == ("xn--bcher-kva.example", None)
    assert site_of("http://example.org:8080/") == ("example.org", 8080)
    assert site_of("mailto:a@example.org") is None
    # a sitemap asked at one site and answered by another vouches for both
    sites = sitemap_sites(["https://example.org/sm.xml", "https://cdn.example.net/sm.xml", "ftp://x"])
    assert sites == {("example.org", None), ("cdn.example.net", None)}


GOV = "https://gov.example.eu"
# (start, URL -> body, expected fetched URLs, expected item URLs, expected off_site count)
WALKS: dict[str, tuple[str, dict[str, bytes], list[str], list[str], int]] = {
    "urlset": (
        f"{GOV}/sitemap.xml",
        {
            f"{GOV}/sitemap.xml": _urlset(
                f"{GOV}/n/1",
                "https://attacker.example/n/x",
                "  https://WWW.GOV.EXAMPLE.EU/n/2  ",
                "/n/3",
                "https://gov.example.eu:8443/n/other-port",
                "https://data.gov.example.eu/n/sub",
                "http://gov.example.eu:80/n/4",
            )
        },
        [f"{GOV}/sitemap.xml"],
        [f"{GOV}/n/1", "https://WWW.GOV.EXAMPLE.EU/n/2", f"{GOV}/n/3", "http://gov.example.eu:80/n/4"],
        3,
    ),
    # an index names only its own site's sitemaps (a nested one on another host is not asked for);
    # each child only its own site's pages
    "index": (
        f"{GOV}/index.xml",
        {
            f"{GOV}/index.xml": _index(
                f"{GOV}/sm1.xml",
                "https://attacker.example/sm.xml",
                "https://www.gov.example.eu/sm2.xml",
                "https://data.gov.example.eu/sm3.xml",
            ),
            f"{GOV}/sm1.xml": _urlset(f"{GOV}/n/1", "https://attacker.example/n/2"),
            "https://www.gov.example.eu/sm2.xml": _urlset(f"{GOV}/n/3", "https://www.gov.example.eu/n/4"),
            "https://attacker.example/sm.xml": _urlset("https://attacker.example/n/9"),
            "https://data.gov.example.eu/sm3.xml": _urlset("https://data.gov.example.eu/n/8"),
        },
        [f"{GOV}/index.xml", f"{GOV}/sm1.xml", "https://www.gov.example.eu/sm2.xml"],
        [f"{GOV}/n/1", f"{GOV}/n/3", "https://www.gov.example.eu/n/4"],
        3,
    ),
}


@pytest.mark.parametrize("case", sorted(WALKS))
def test_off_site_entries_are_dropped_only_when_asked(case: str) -> None:
    start, site, fetched_on, items_on, dropped = WALKS[case]
    spider, items, fetched = _crawl(start, site, sitemap={"same_site_only": True})
    assert (fetched, sorted(items)) == (fetched_on, sorted(items_on))
    assert stats(spider).get("ewsi/dropped/off_site") == dropped
    # off (the default, and said so): every entry and child sitemap on any site is followed
    for fields in ({}, {"sitemap": {"same_site_only": False}}):
        spider, items, fetched = _crawl(start, site, **fields)
        assert len(items) == len(items_on) + (dropped if case == "urlset" else 3)
        assert len(fetched) == (1 if case == "urlset" else 5)
        assert "ewsi/dropped/off_site" not in stats(spider)


def test_off_site_entries_never_take_an_own_entrys_place_in_max_items() -> None:
    body = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://spam.example/new</loc><lastmod>2026-12-01</lastmod></url>"
        f"<url><loc>{GOV}/old</loc><lastmod>2026-01-01</lastmod></url>"
        f"<url><loc>{GOV}/older</loc><lastmod>2025-01-01</lastmod></url>"
        "</urlset>"
    ).encode()
    spider, items, _ = _crawl(f"{GOV}/sm.xml", {f"{GOV}/sm.xml": body}, max_items=1,
                             sitemap={"same_site_only": True})  # fmt: skip
    assert items == [f"{GOV}/old"]
    assert (stats(spider)["ewsi/dropped/off_site"], stats(spider)["ewsi/dropped/max_items"]) == (1, 1)


def test_a_sitemap_redirected_to_another_host_vouches_for_the_site_asked() -> None:
    spider = make_spider(id="sm", kind="sitemap", urls=[f"{GOV}/sm.xml"], sitemap={"same_site_only": True})
    cdn = "https://cdn.example.net/gov/sm.xml"
    request = Request(cdn, meta={"redirect_urls": [f"{GOV}/sm.xml"]})
    body = _urlset(f"{GOV}/n/1", "https://cdn.example.net/gov/n/2", "https://other.example/n/3")
    out = spider.parse(XmlResponse(cdn, body=body, request=request))
    assert [o.url for o in out if isinstance(o, HarvestedItem)] == [
        f"{GOV}/n/1",
        "https://cdn.example.net/gov/n/2",
    ]
    assert stats(spider)["ewsi/dropped/off_site"] == 1


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("  kind: sitemap\n  urls: [https://x.example/sm.xml]\n  sitemap: {same_site_only: true}\n", []),
        ("  kind: sitemap\n  urls: [https://x.example/sm.xml]\n  sitemap:\n    same_site_only: false\n", []),
        ("  kind: sitemap\n  urls: [https://x.example/sm.xml]\n", []),
        (
            "  kind: sitemap\n  urls: [https://x.example/sm.xml]\n  sitemap:\n    same_site_only: perhaps\n",
            ["8: sources[0].sitemap.same_site_only: expected true or false, got 'perhaps'"],
        ),
        (
            "  kind: sitemap\n  urls: [https://x.example/sm.xml]\n  sitemap:\n    same_site: true\n",
            ["8: sources[0].sitemap.same_site: unknown field; did you mean same_site_only?"],
        ),
        (
            "  kind: feed\n  urls: [https://x.example/feed]\n  sitemap: {same_site_only: true}\n",
            ["7: sources[0].sitemap: does not apply to kind feed (only kind sitemap reads it); remove it"
             " or set `kind: sitemap`"],
        ),
    ],
)  # fmt: skip
def test_the_sitemap_block_is_validated_with_file_line_and_field(
    tmp_path: Path, entry: str, expected: list[str]
) -> None:
    assert _problems("- id: sm\n  name: n\n  publisher: p\n" + entry, tmp_path) == expected


@pytest.mark.slow
@SQLITE_ONLY
def test_a_crawl_names_off_site_drops_in_the_summary_and_logs_them_once(db_url: str, tmp_path: Path) -> None:
    migrate(db_url)
    log_file = tmp_path / "crawl.log"
    xml = {"Content-Type": "application/xml"}
    with LabServer("127.0.0.2") as lab, LabServer("127.0.0.2") as other:
        sources = []
        for sid, on in (("own-site", True), ("any-site", False)):  # the same shape on two paths
            lab.routes[f"/{sid}/index.xml"] = Route(
                _index(lab.url(f"/{sid}/sm1.xml"), other.url(f"/{sid}/sm2.xml")), headers=xml
            )
            lab.routes[f"/{sid}/sm1.xml"] = Route(
                _urlset(*(lab.url(f"/{sid}/n/{n}") for n in (1, 2)), other.url(f"/{sid}/n/3"),
                        f"http://elsewhere.invalid/{sid}/n/4"),
                headers=xml,
            )  # fmt: skip
            other.routes[f"/{sid}/sm2.xml"] = Route(_urlset(other.url(f"/{sid}/n/5")), headers=xml)
            sources.append({"id": sid, "kind": "sitemap", "urls": [lab.url(f"/{sid}/index.xml")]}
                           | ({"sitemap": {"same_site_only": True}} if on else {}))  # fmt: skip
        config = write_config(tmp_path / "sources.yaml", sources)
        command = ["crawl", "--config", str(config), "--log-file", str(log_file)]
        proc = subprocess.run([sys.executable, "-m", "crawler.cli", *command], cwd=ROOT, env=run_env(db_url),
                              capture_output=True, text=True, timeout=200)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {
        row[0]: row
        for row in map(str.split, proc.stdout.splitlines())
        if row[:1] in (["own-site"], ["any-site"])
    }
    # source status fetched new updated unchanged dropped error
    assert rows["own-site"][1] == "ok" and rows["own-site"][6:8] == ["off_site", "3"], rows
    assert rows["any-site"][1] == "ok" and rows["any-site"][6] == "-", rows
    assert (rows["own-site"][3], rows["any-site"][3]) == ("2", "5")  # new items
    log = log_file.read_text(encoding="utf-8")
    lines = [line for line in log.splitlines() if "dropped (off_site)" in line]
    assert len(lines) == 1 and "[own-site] dropped (off_site): 3 sitemap entries" in lines[0], lines
    assert other.url("/own-site/sm2.xml") in lines[0]  # the first dropped: the index's child elsewhere
