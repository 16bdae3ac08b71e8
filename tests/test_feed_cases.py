"""Feed cases B02, B03, B08 from ../shared/cases (B13 is in test_fetch_politeness), and conditional GET.

Each case's `expect.yaml` is the oracle: its files are served by the loopback lab with the
headers it names (127.0.0.2 stands for the case's 127.0.0.1; B08's second host name resolves to
the lab through the guard's resolver), and the stored items must match it.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.desklab import SQLITE_ONLY
from tests.fetchlab import crawl, fetch_figures_fixture, migrate, record  # noqa: F401
from tests.lab import LabServer, Route

pytestmark = pytest.mark.slow


def _expect(shared: Path, case: str) -> dict[str, Any]:
    return yaml.safe_load((shared / "cases" / case / "expect.yaml").read_text(encoding="utf-8"))


def _spaces(text: str | None) -> str:
    """B03's comparison: every Unicode space becomes U+0020, runs collapsed."""
    text = "".join(" " if unicodedata.category(c) == "Zs" else c for c in text or "")
    return " ".join(text.split())


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def test_feed_cases_b02_b03_b08(tmp_path: Path, shared: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    b02, b03, b08 = (_expect(shared, c) for c in ("B02", "B03", "B08"))
    cases = shared / "cases"
    with LabServer("127.0.0.2") as lab:
        port = lab.port
        routes: dict[str, Any] = {}
        sources = []
        for i, variant in enumerate(b02["input"]["serve"]["variants"]):
            routes[f"/b02-{i}/actu.rss"] = Route(
                (cases / "B02" / "feed.xml").read_bytes(), headers=variant["headers"]
            )
            sources.append(
                {
                    "id": f"b02-ministere-{i}",
                    "kind": "feed",
                    "urls": [lab.url(f"/b02-{i}/actu.rss")],
                    "languages": ["fr"],
                }
            )
        routes["/notes.rss"] = Route(
            (cases / "B03" / "feed.xml").read_bytes(), headers=b03["input"]["serve"]["headers"]
        )
        sources.append({"id": "b03-observatory", "kind": "feed", "urls": [lab.url("/notes.rss")]})
        for serve in b08["input"]["serve"]:
            body = (cases / "B08" / serve["body"]).read_bytes() if "body" in serve else b""
            routes[serve["path"]] = Route(body, status=serve["status"], headers=serve["headers"])
        sources.append({"id": "b08-office", "kind": "feed", "urls": [lab.url("/old/rss")]})
        sources.append({"id": "b08-portal", "kind": "feed", "urls": [lab.url("/portal.atom")]})
        lab.routes.update(routes)
        # "localhost" is the case's second name for the same server: here it resolves to the lab host
        result = crawl(tmp_path, db_url, sources, dns={"localhost": [["127.0.0.2"]]})
    assert result.returncode == 0, result.stderr[-3000:]

    # B02: an encoding override is a warning, never parse.feed_malformed. Both variants serve the same
    # entries, so the store keeps them once (under whichever source ran first); each run yields both.
    b02_rows = []
    for i in range(len(b02["input"]["serve"]["variants"])):
        sid = f"b02-ministere-{i}"
        run = result.run(sid)
        assert (run["status"], run["error_key"], run["source_state"]) == ("ok", None, "healthy"), run
        assert run["stats"].get("ewsi/items/yielded") == b02["expected"]["items_stored"]
        b02_rows += result.items_of(sid)
        record(
            "B02", "encoding", sid, error_key=run["error_key"], expected_key=None, wall_s=run["duration_s"]
        )
    got = [(r["url"], r["title"], _iso(r["published_at"]), r["language"]) for r in b02_rows]
    want = [(e["url"], e["title"], e["published_at"], e["language"]) for e in b02["expected"]["items"]]
    assert sorted(got) == sorted(want)
    # B03: undefined HTML entities decoded
    run = result.run("b03-observatory")
    assert (run["status"], run["error_key"]) == ("ok", None), run
    got = sorted(
        (r["url"], _spaces(r["title"]), _spaces(r["summary"]), _iso(r["published_at"]))
        for r in result.items_of("b03-observatory")
    )
    want = sorted(
        (e["url"], _spaces(e["title"]), _spaces(e["summary"]), e["published_at"])
        for e in b03["expected"]["items"]
    )
    assert got == want
    for row in result.items_of("b03-observatory"):
        for field in ("title", "summary", "text"):
            assert not any(ent in (row[field] or "") for ent in b03["expected"]["no_field_contains"])
    record(
        "B03",
        "xml",
        "b03-observatory",
        error_key=run["error_key"],
        expected_key=None,
        wall_s=run["duration_s"],
    )
    # B08: links resolve against the final URL and xml:base; the permanent redirect is recorded
    office = {r["guid"]: r["url"] for r in result.items_of("b08-office")}
    want_office = {
        e["guid"]: e["url"].replace("{port}", str(port)) for e in b08["expected"]["b08-office"]["items"]
    }
    assert office == want_office
    portal = {r["guid"]: r["url"] for r in result.items_of("b08-portal")}
    assert portal == {e["guid"]: e["url"] for e in b08["expected"]["b08-portal"]["items"]}
    assert all(r["url"].startswith(("http://", "https://")) for r in result.items)
    moved = {lab.url("/old/rss"): f"http://localhost:{port}/feeds/news.xml"}
    assert result.run("b08-office")["stats"].get("ewsi/moved") == moved
    # source_note: the permanent redirect is recorded on the source's state for the operator
    from crawler.store import session as store_session
    from crawler.store import sources as store_sources

    with store_session.session_scope(db_url) as session:
        states = {row["id"]: row["moved_to"] for row in store_sources.source_status(session)}
    assert states["b08-office"] == moved
    assert states["b08-portal"] is None


def _etag_server(body: bytes, log: list[dict[str, str]]) -> Any:
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'

    def handle(h: BaseHTTPRequestHandler) -> None:
        log.append({k.lower(): v for k, v in h.headers.items()})
        if h.headers.get("If-None-Match") == etag:
            h.send_response(304)
            h.send_header("ETag", etag)
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("ETag", etag)
        h.send_header("Last-Modified", "Tue, 04 Mar 2025 09:00:00 GMT")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return handle


FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>City</title>'
    b"<item><title>Language courses for refugees</title><link>https://city.example.eu/n/1</link><guid>n1</guid>"
    b"<pubDate>Tue, 04 Mar 2025 09:00:00 +0100</pubDate></item></channel></rss>"
)


@SQLITE_ONLY
def test_conditional_get_304_and_same_body(tmp_path: Path, db_url: str) -> None:
    """Run 2: a 304 fetches no body and a validator-less server's same body is not parsed; both runs ok."""
    migrate(db_url)
    log: list[dict[str, str]] = []
    with LabServer("127.0.0.2") as lab:
        lab.routes["/etag.xml"] = _etag_server(FEED, log)
        lab.routes["/plain.xml"] = Route(
            FEED.replace(b"n/1", b"n/2"), headers={"Content-Type": "application/rss+xml"}
        )
        sources = [
            {"id": "etag-feed", "kind": "feed", "urls": [lab.url("/etag.xml")]},
            {"id": "plain-feed", "kind": "feed", "urls": [lab.url("/plain.xml")]},
        ]
        first = crawl(tmp_path, db_url, sources)
        second = crawl(tmp_path, db_url, sources)
    for sid in ("etag-feed", "plain-feed"):
        assert first.run(sid)["status"] == "ok" and first.run(sid)["items_new"] == 1, first.run(sid)
        run = second.run(sid)
        assert (run["status"], run["error_key"], run["items_new"]) == ("ok", None, 0), run
        assert run["stats"].get("ewsi/fetch/not_modified") == 1
        assert run["stats"].get("ewsi/items/yielded") is None  # nothing parsed
    assert second.run("plain-feed")["stats"].get("ewsi/fetch/same_body") == 1
    feed_hits = log
    assert feed_hits[0].get("if-none-match") is None
    assert feed_hits[-1].get("if-none-match") and feed_hits[-1].get("if-modified-since")
    assert len(second.items) == 2
