"""A source whose configured URL moved for good (301/308) says so on its state, whatever its kind.

Rule under test (crawler.health rule 4, spiders.base `note_moved`, crawler.store.runs, `ewsi sources
status`/`check`): a configured URL that answers a permanent redirect (301 or 308; other hops may
follow) to a final URL answering 2xx has its new URL recorded on the source (``moved_to``) and shown
by ``ewsi sources status`` and ``ewsi sources check`` with the advice to update the config; a first
hop that is temporary (302, 303, 307) never does, nor a chain ending in an error. Loopback only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.fetch import oneshot
from crawler.fetch.addresses import Allowlist
from crawler.health import moved_after_run
from crawler.health import moved_to as moved_rule
from crawler.onboard import check_source
from crawler.sources import Source
from tests.fetchlab import crawl, migrate
from tests.lab import LabServer, Route

ALLOW = Allowlist.parse("127.0.0.2")
RSS = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    b"<link>https://city.example.eu/</link><item><title>Welcome centre opens</title>"
    b"<link>https://city.example.eu/news/1</link><pubDate>Mon, 10 Mar 2025 09:00:00 +0100</pubDate>"
    b"</item></channel></rss>"
)
SITEMAP = (
    b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    b"<url><loc>https://city.example.eu/news/1</loc><lastmod>2025-03-10</lastmod></url></urlset>"
)
LISTING = (
    b"<html><body><ul><li class='n'><a href='https://city.example.eu/news/1'>Welcome centre opens</a></li>"
    b"<li class='n'><a href='https://city.example.eu/news/2'>Language cafe for newcomers</a></li>"
    b"</ul></body></html>"
)
API = json.dumps(
    {
        "docs": [
            {"title": "Welcome centre opens", "url": "https://city.example.eu/news/1", "date": "2025-03-10"}
        ]
    }
).encode()
KINDS: dict[str, tuple[bytes, str, dict[str, Any]]] = {
    "feed": (RSS, "application/rss+xml", {}),
    "sitemap": (SITEMAP, "application/xml", {}),
    "listing": (LISTING, "text/html; charset=utf-8", {"listing": {"links": "li.n a::attr(href)"}}),
    "api": (API, "application/json", {"api": {"items": "docs", "title": "title", "link": "url"}}),
}
# redirect statuses from the configured URL, in order -> is the source moved (to the first target
# after the permanent hops)?
CHAINS = {
    "301": ([301], 1),
    "308": ([308], 1),
    "301-301": ([301, 301], 2),
    "301-302": ([301, 302], 1),
    "308-307": ([308, 307], 1),
    "302": ([302], None),
    "303": ([303], None),
    "307": ([307], None),
    "302-301": ([302, 301], None),
    "none": ([], None),
}


def _routes(prefix: str, statuses: list[int], body: bytes, content_type: str) -> dict[str, Route]:
    routes = {}
    for hop, status in enumerate(statuses):
        routes[f"{prefix}/{hop}"] = Route(b"", status=status, headers={"Location": f"{prefix}/{hop + 1}"})
    routes[f"{prefix}/{len(statuses)}"] = Route(body, headers={"Content-Type": content_type})
    return routes


@pytest.mark.parametrize(("statuses", "target"), CHAINS.values(), ids=CHAINS.keys())
def test_rule_follows_the_permanent_hops_at_the_start(statuses: list[int], target: int | None) -> None:
    chain = [f"https://e.eu/{i}" for i in range(len(statuses) + 1)]
    assert moved_rule(chain, statuses) == (None if target is None else chain[target])


@pytest.mark.parametrize(
    ("previous", "seen", "answered", "after"),
    [
        (None, {"a": "b"}, True, {"a": "b"}),
        ({"a": "b"}, None, True, None),  # the config was updated: the note goes
        ({"a": "b"}, None, False, {"a": "b"}),  # a run that did not reach the source keeps it
        ({"a": "b"}, {"c": "d"}, False, {"a": "b", "c": "d"}),
        ({"a": "b"}, {"a": "e"}, True, {"a": "e"}),
    ],
)
def test_record_after_a_run(previous: Any, seen: Any, answered: bool, after: Any) -> None:
    assert moved_after_run(previous, seen, answered=answered) == after


@pytest.mark.slow
def test_every_kind_of_source_records_a_permanent_move(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    with LabServer("127.0.0.2") as lab:
        sources, expected = [], {}
        for kind, (body, content_type, extra) in KINDS.items():
            for name, (statuses, target) in CHAINS.items():
                sid = f"{kind}-{name}"
                lab.routes.update(_routes(f"/{sid}", statuses, body, content_type))
                url = lab.url(f"/{sid}/0")
                sources.append({"id": sid, "kind": kind, "urls": [url], "languages": ["en"], **extra})
                expected[sid] = None if target is None else {url: lab.url(f"/{sid}/{target}")}
        # a permanent redirect to a URL that fails is no move to record
        lab.routes["/gone/0"] = Route(b"", status=301, headers={"Location": "/gone/1"})
        lab.routes["/gone/1"] = Route(b"not here", status=404)
        sources.append(
            {"id": "feed-301-404", "kind": "feed", "urls": [lab.url("/gone/0")], "languages": ["en"]}
        )
        expected["feed-301-404"] = None
        result = crawl(tmp_path, db_url, sources, timeout=240)
        assert result.returncode == 0, result.stderr[-3000:]
        from crawler.store import session as store_session
        from crawler.store import sources as store_sources

        with store_session.session_scope(db_url) as session:
            got = {row["id"]: row["moved_to"] for row in store_sources.source_status(session)}
        assert got == expected
        for sid in expected:
            if sid != "feed-301-404":
                assert result.run(sid)["status"] == "ok", result.run(sid)

        # ewsi sources check says the same from one fetch of each configured URL
        def fetcher(url: str) -> oneshot.Fetched:
            return oneshot.fetch(url, user_agent="ewsi-harvester-test", allow=ALLOW, timeout=5)

        for entry in sources:
            if entry["kind"] != "feed":
                continue
            source = Source(**{"name": "T", "publisher": "T", "schedule": "0 6 * * *", **entry})
            verdict = check_source(source, fetcher, lambda url: (True, ""))
            want = expected[entry["id"]]
            if want:
                (new,) = want.values()
                assert (verdict.key, verdict.message) == ("moved", f"moved permanently to {new}")
                assert new in verdict.hint and "config" in verdict.hint
            elif entry["id"] != "feed-301-404":
                assert verdict.key == "ok", (entry["id"], verdict)
