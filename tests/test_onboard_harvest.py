"""`ewsi sources add` end to end: the entry it writes for each kind of site validates AND harvests.

One loopback lab serves four recorded sites (tests/data/discover, links rewritten onto the lab):
a home page linking its RSS feed, a site known only by the sitemap its robots.txt names, a JSON
API answer and a plain listing page, plus the article pages they all point to. `add` proposes an
entry for each; the four entries, exactly as written, are then crawled in one `ewsi crawl` child
against the lab, and the store must hold each source's articles with their text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from crawler.fetch import oneshot
from crawler.fetch.addresses import Allowlist
from crawler.onboard import add
from tests.fetchlab import crawl, migrate
from tests.lab import LabServer, Route

DATA = Path(__file__).parent / "data" / "discover"
UA = "ewsi-harvester/test (+tests; ops@example.eu)"
ALLOW = Allowlist.parse("127.0.0.2")
HTML = {"Content-Type": "text/html; charset=utf-8"}
CONFIG = "sources:\n- id: ecre-news\n  name: ECRE\n  publisher: ECRE\n  kind: feed\n  urls: ['https://ecre.org/feed/']\n"

ARTICLES = {
    "/news/1": "Language courses expanded",
    "/doc/1": "Integration action plan update",
    "/doc/2": "Call for proposals on inclusion",
    "/doc/3": "Report on migrant employment",
    "/news/integration-courses-for-adults": "Integration courses for adults",
    "/news/refugee-employment-scheme": "Refugee employment scheme",
    "/news/2026/language-courses-expanded": "Language courses expanded",
    "/news/2026/new-reception-centre": "New reception centre opens",
    "/news/2026/labour-market-access": "Labour market access for refugees",
    "/news/2026/housing-support": "Housing support for newcomers",
    "/news/2026/school-integration": "School integration plan",
}

SITES = [
    # (what the operator pastes, id, kind proposed, article paths the harvest must store)
    ("/integration-news_en", "lab-feed", "feed", ["/news/1"]),
    (
        "/welcome",
        "lab-sitemap",
        "sitemap",
        ["/news/integration-courses-for-adults", "/news/refugee-employment-scheme"],
    ),
    ("/api/search", "lab-api", "api", ["/doc/1", "/doc/2", "/doc/3"]),
    ("/news_en", "lab-listing", "listing", [p for p in ARTICLES if p.startswith("/news/2026/")]),
]


def article(title: str) -> bytes:
    paragraphs = "".join(
        f"<p>{title}: the municipality and local employers extend language courses, mentoring and "
        f"counselling for newly arrived migrants and refugees (part {n}).</p>"
        for n in range(1, 6)
    )
    return (
        f'<!doctype html><html lang="en"><head><title>{title}</title>'
        '<meta property="article:published_time" content="2026-03-02T09:00:00Z"></head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    with LabServer() as server:
        base = server.base

        def local(name: str) -> bytes:
            return (DATA / name).read_bytes().replace(b"https://example.eu", base.encode())

        server.routes.update(
            {
                "/robots.txt": Route(f"User-agent: *\nSitemap: {base}/sitemap.xml\n".encode(), headers={}),
                "/integration-news_en": Route(local("home_with_feed.html"), headers=HTML),
                "/integration-news/feed_en?format=rss": Route(
                    local("feed.xml"), headers={"Content-Type": "application/rss+xml"}
                ),
                "/welcome": Route(b"<html lang='en'><body><p>Welcome</p></body></html>", headers=HTML),
                "/sitemap.xml": Route(local("sitemap.xml"), headers={"Content-Type": "text/xml"}),
                "/api/search": Route(local("api.json"), headers={"Content-Type": "application/json"}),
                "/news_en": Route(local("listing.html"), headers=HTML),
                **{path: Route(article(title), headers=HTML) for path, title in ARTICLES.items()},
            }
        )
        yield server


def fetcher(url: str) -> oneshot.Fetched:
    return oneshot.fetch(url, user_agent=UA, allow=ALLOW, timeout=5)


def robots(url: str) -> tuple[bool, str]:
    return oneshot.robots_allows(url, user_agent=UA, allow=ALLOW, timeout=5)


@pytest.mark.slow
def test_added_entries_validate_and_harvest(lab: LabServer, tmp_path: Path) -> None:
    config = CONFIG
    entries = []
    for path, source_id, kind, _ in SITES:
        block, source, preview = add(lab.url(path), config, fetcher, robots, source_id)
        assert (source.id, source.kind) == (source_id, kind), block
        assert preview, f"{source_id}: no preview items"
        config += block  # the next add sees this one (duplicates are refused)
        (entry,) = yaml.safe_load(block)
        entries.append(entry)
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    # extraction in the crawl process: one child instead of two (the lab's pages are small and safe)
    result = crawl(tmp_path, db_url, entries, timeout=150, env={"EWSI_EXTRACT_IN_PROCESS": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    for _, source_id, _, paths in SITES:
        run = result.run(source_id)
        assert run["status"] == "ok" and run["error_key"] is None, (source_id, run)
        stored = {item["url"]: item for item in result.items_of(source_id)}
        assert set(stored) == {lab.url(p) for p in paths}, (source_id, sorted(stored))
        follow = next(e for e in entries if e["id"] == source_id)["follow"]
        for path in paths:
            item = stored[lab.url(path)]
            assert item["title"] == ARTICLES[path], (source_id, item["title"])
            if follow:  # the article page was fetched and read
                assert "counselling for newly arrived migrants" in (item["text"] or ""), (source_id, path)
            else:  # an API record is its own item: title, date and lead text from the answer
                assert item["summary"] and item["published_at"] is not None, (source_id, item)
    assert [e["follow"] for e in entries] == [True, True, False, True]
