"""../shared/cases B04, B07, B10, B12, B17, B18: each a real crawl (`python -m crawler.cli crawl`) over
the loopback lab (127.0.0.2) into SQLite and PostgreSQL, asserting the case's expect.yaml outcome.

The helpers here (`write_config`, `crawl`, `items`) are shared by the other crawl tests of the
content side (test_incremental, test_health_runs, test_storage_integrity).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from tests.desklab import SQLITE_ONLY
from tests.lab import LabServer, Route

ROOT = Path(__file__).resolve().parents[1]
LAB_HOST = "127.0.0.2"
pytestmark = pytest.mark.slow


# --- helpers -------------------------------------------------------------------------------------


def write_config(tmp_path: Path, sources: list[dict[str, Any]]) -> Path:
    """An operator YAML with `sources` (name and publisher filled in when missing)."""
    for source in sources:
        source.setdefault("name", source["id"])
        source.setdefault("publisher", "Test publisher")
    path = tmp_path / f"sources-{len(list(tmp_path.glob('sources-*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    return path


def followed_listing(source_id: str, url: str) -> dict[str, Any]:
    """A listing source at `url` whose ``li.n`` links are followed."""
    return {
        "id": source_id,
        "kind": "listing",
        "urls": [url],
        "follow": True,
        "listing": {"links": "li.n a::attr(href)"},
    }


def crawl(
    db_url: str, config: Path, *source_ids: str, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """`ewsi crawl --config CONFIG [--source ID ...]` in a child process against `db_url`."""
    args = [sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config)]
    for source_id in source_ids:
        args += ["--source", source_id]
    child_env = {**os.environ, "EWSI_DATABASE_URL": db_url, "EWSI_ALLOW_PRIVATE": LAB_HOST, **(env or {})}
    result = subprocess.run(
        args, cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "database is locked" not in result.stderr
    return result


def migrate(db_url: str) -> None:
    from crawler.store.migrate import upgrade

    upgrade(db_url)


def session(db_url: str) -> Any:
    from crawler.store.session import make_engine, session_factory

    engine = make_engine(db_url)
    return session_factory(engine)()


def items(db_url: str, source_id: str | None = None) -> list[Any]:
    """Every item row (ORM objects, detached), ordered by id."""
    from crawler.store.schema import Item

    with session(db_url) as s:
        stmt = select(Item).order_by(Item.id)
        if source_id is not None:
            stmt = stmt.where(Item.source_id == source_id)
        rows = list(s.scalars(stmt))
        s.expunge_all()
        return rows


def z(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def case(shared: Path, name: str) -> tuple[Path, dict[str, Any]]:
    folder = shared / "cases" / name
    if not folder.is_dir():
        pytest.skip(f"../shared/cases/{name} not found")
    return folder, yaml.safe_load((folder / "expect.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def lab() -> Iterator[LabServer]:
    with LabServer(LAB_HOST) as server:
        yield server


def serve(lab: LabServer, spec: dict[str, Any], body: bytes | list[bytes]) -> str:
    """Route the case's `serve:` block on the lab; returns the URL."""
    lab.routes[spec["path"]] = Route(body=body, status=spec.get("status", 200), headers=dict(spec["headers"]))
    return lab.url(spec["path"])


# --- cases ---------------------------------------------------------------------------------------


@SQLITE_ONLY
def test_b04_localized_dates(db_url: str, shared: Path, tmp_path: Path, lab: LabServer) -> None:
    folder, expect = case(shared, "B04")
    url = serve(lab, expect["input"]["serve"], (folder / "feed.xml").read_bytes())
    src = expect["input"]["source"]
    config = write_config(
        tmp_path,
        [{"id": src["id"], "kind": "feed", "urls": [url], "languages": src["languages"],
          "country": src["country"], "timezone": src["timezone"]}],
    )  # fmt: skip
    migrate(db_url)
    crawl(db_url, config, env={"EWSI_NOW": expect["input"]["clock"]})
    rows = {r.guid: r for r in items(db_url)}
    assert len(rows) == expect["expected"]["items_stored"]
    for entry in expect["expected"]["items"]:
        row = rows[entry["guid"]]
        assert z(row.published_at) == entry["published_at"], entry["guid"]
        assert row.date_method == "feed"
        assert z(row.published_at) != expect["input"]["clock"].replace(".000", "")


@SQLITE_ONLY
def test_b07_no_guid_headline_fix_and_tracking_link(
    db_url: str, shared: Path, tmp_path: Path, lab: LabServer
) -> None:
    folder, expect = case(shared, "B07")
    bodies = [(folder / name).read_bytes() for name in expect["input"]["files"]]
    url = serve(lab, expect["input"]["serve"], bodies)
    config = write_config(tmp_path, [{"id": "b07-city", "kind": "feed", "urls": [url], "languages": ["en"]}])
    migrate(db_url)
    crawl(db_url, config)
    assert len(items(db_url)) == expect["expected"]["after_run_1"]["items_stored"]
    crawl(db_url, config)
    after = expect["expected"]["after_run_2"]
    rows = items(db_url)
    assert len(rows) == after["items_stored"]
    assert sum(r.status == "pending" for r in rows) == after["review_queue_pending"]
    by_url = {r.canonical_url: r for r in rows}
    for entry in after["items"]:
        row = by_url[entry["url"]]
        assert row.title == entry["title"]
        assert "utm_" not in row.url
        if "published_at" in entry:
            assert z(row.published_at) == entry["published_at"]
            assert z(row.updated_at) == entry["updated_at"]
            assert row.version == 2


@SQLITE_ONLY
def test_b10_future_dates(db_url: str, shared: Path, tmp_path: Path, lab: LabServer) -> None:
    folder, expect = case(shared, "B10")
    url = serve(lab, expect["input"]["serve"], (folder / "feed.xml").read_bytes())
    config = write_config(
        tmp_path, [{"id": "b10-platform", "kind": "feed", "urls": [url], "languages": ["en"]}]
    )
    migrate(db_url)
    clock = expect["input"]["clock"]
    crawl(db_url, config, env={"EWSI_NOW": clock})
    rows = {r.guid: r for r in items(db_url)}
    assert len(rows) == expect["expected"]["items_stored"]
    fetched = datetime.fromisoformat(clock.replace("Z", "+00:00"))
    for entry in expect["expected"]["items"]:
        row = rows[entry["guid"]]
        assert z(row.published_at) == entry["published_at"], entry["guid"]
        assert row.date_method == entry["date_method"], entry["guid"]
        if "flag" in entry:
            assert entry["flag"] in row.flags
        assert (row.published_at - fetched).total_seconds() <= 3600
    newest_first = sorted(rows.values(), key=lambda r: (r.published_at, r.id), reverse=True)
    assert newest_first[0].guid == expect["expected"]["review_queue_newest_first_head"]


@SQLITE_ONLY
def test_b12_header_utf8_body_windows_1252(db_url: str, shared: Path, tmp_path: Path, lab: LabServer) -> None:
    folder, expect = case(shared, "B12")
    page = serve(lab, expect["input"]["serve"], (folder / "page.html").read_bytes())
    listing = b'<html><body><ul><li><a href="/noticias/plano-integracao">Plano</a></li></ul></body></html>'
    lab.routes["/noticias/"] = Route(body=listing, headers={"Content-Type": "text/html; charset=utf-8"})
    config = write_config(
        tmp_path,
        [{"id": "b12-gov", "kind": "listing", "urls": [lab.url("/noticias/")], "languages": ["pt"],
          "follow": True, "listing": {"links": "ul a::attr(href)"}}],
    )  # fmt: skip
    migrate(db_url)
    crawl(db_url, config)
    rows = items(db_url)
    assert len(rows) == 1
    row, want = rows[0], expect["expected"]["item"]
    assert row.url == page
    assert row.title == want["title"]
    for text in want["text_contains"]:
        assert text in row.text
    for text in want["text_not_contains"]:
        assert text not in row.text and text not in row.title
    assert row.language == want["language"]
    assert row.published_at.date().isoformat() == want["published_at_date"]


@SQLITE_ONLY
def test_b17_degenerate_language(db_url: str, shared: Path, tmp_path: Path, lab: LabServer) -> None:
    folder, expect = case(shared, "B17")
    body = (folder / "stats.html").read_bytes()
    headers = expect["input"]["serve"]["headers"]
    sources = []
    for spec in expect["input"]["sources"]:
        # one listing per source, each linking its own copy of the page (one URL is one item)
        base = f"/{spec['id']}/statistik/"
        lab.routes[base + "tabelle-3"] = Route(body=body, headers=dict(headers))
        link = f'<html><body><ul><li><a href="{base}tabelle-3">Tabelle 3</a></li></ul></body></html>'
        lab.routes[base] = Route(body=link.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
        listing = {"links": "ul a::attr(href)"}
        sources.append({"id": spec["id"], "kind": "listing", "urls": [lab.url(base)],
                        "languages": spec["languages"], "follow": True, "listing": listing})  # fmt: skip
    migrate(db_url)
    crawl(db_url, write_config(tmp_path, sources))
    for source_id, want in expect["expected"].items():
        if not isinstance(want, dict) or "language" not in want:
            continue
        rows = items(db_url, source_id)
        assert len(rows) == want["items_stored"], source_id
        assert (rows[0].language, rows[0].language_method) == (want["language"], want["language_method"])
    runs = _runs(db_url)
    assert all(r.status == "ok" and r.error_key is None for r in runs), [
        (r.source_id, r.error_key) for r in runs
    ]


def _runs(db_url: str) -> list[Any]:
    from crawler.store.schema import CrawlRun

    with session(db_url) as s:
        rows = list(s.scalars(select(CrawlRun).order_by(CrawlRun.id)))
        s.expunge_all()
        return rows


def test_b18_nul_and_surrogates_via_api(db_url: str, shared: Path, tmp_path: Path, lab: LabServer) -> None:
    folder, expect = case(shared, "B18")
    url = serve(lab, expect["input"]["serve"], (folder / "api_response.json").read_bytes())
    api = {"items": "items", "title": "title", "summary": "summary", "link": "url", "published": "published",
           "id": "id", "date_format": "iso"}  # fmt: skip
    config = write_config(
        tmp_path, [{"id": "b18-funding", "kind": "api", "urls": [url], "languages": ["en"], "api": api}]
    )
    migrate(db_url)
    crawl(db_url, config)
    rows = {r.official_id: r for r in items(db_url)}
    assert len(rows) == expect["expected"]["items_stored"]
    for entry in expect["expected"]["items"]:
        row = rows[entry["id"]]
        assert row.title == entry["title"]
        assert row.summary == entry["summary"]
        for value in _strings(row.record):
            assert "\x00" not in value and not any("\ud800" <= c <= "\udfff" for c in value)
    assert all(r.error_key is None for r in _runs(db_url))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
