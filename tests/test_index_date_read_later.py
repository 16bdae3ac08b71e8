"""An item stored from its index entry alone (its page failed: a 404, a Ctrl-C) and read on a later
run is dated as a clean first harvest of the same bytes dates it (crawler.types `replaces_date`,
crawler.store.items rule 7): the page's date replaces a sitemap's ``<lastmod>`` or an undated
listing's stub, and refines a feed's day with its time; the stored value, precision, method and
flags describe one date; the version lists no date change by the source; `ewsi reprocess` gives the
clean harvest's date back to a row stored otherwise. Real `ewsi crawl` runs over the loopback lab
into SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from crawler.commands import reprocess
from crawler.config import Settings
from crawler.store.items import item_versions
from crawler.store.schema import Item
from crawler.types import published_precision
from tests.lab import LabServer, Route
from tests.test_cases import crawl, items, lab, migrate, session, write_config

__all__ = ["lab"]

pytestmark = pytest.mark.slow

HTML = {"Content-Type": "text/html; charset=utf-8"}
BODY = "The city opens a second welcome centre for refugees and newcomers with language courses. " * 6


def _page(head: str, line: str) -> bytes:
    return (
        f"<html lang='en'><head><title>Welcome centre opens</title>{head}</head><body><article>"
        f"<h1>Welcome centre opens</h1><p>{line}</p><p>{BODY}</p></article></body></html>"
    ).encode()


META = _page(
    '<meta property="article:published_time" content="2026-10-03T08:00:00Z">', "Published 03 October 2026"
)
TEXT = _page("", "Published 03 October 2026")
UNDATED = _page("", "")


def _sitemap(lastmod: str) -> tuple[str, bytes, dict[str, str]]:
    return (
        "sitemap.xml",
        (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            "<url><loc>{page}</loc>"
            f"<lastmod>{lastmod}</lastmod></url></urlset>"
        ).encode(),
        {"Content-Type": "application/xml"},
    )


def _feed(published: str) -> tuple[str, bytes, dict[str, str]]:
    return (
        "feed.xml",
        (
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>'
            "<entry><title>Welcome centre opens</title><id>tag:city,2026:1</id>"
            '<link href="{page}"/>'
            f"<published>{published}</published></entry></feed>"
        ).encode(),
        {"Content-Type": "application/atom+xml"},
    )


def _listing() -> tuple[str, bytes, dict[str, str]]:
    return (
        "list.html",
        b'<html><body><ul><li class="n"><a href="{page}">Read more</a></li></ul></body></html>',
        HTML,
    )


KIND_SETTINGS: dict[str, dict[str, Any]] = {
    "sitemap.xml": {"kind": "sitemap"},
    "feed.xml": {"kind": "feed"},
    "list.html": {"kind": "listing", "listing": {"links": "li.n a::attr(href)"}},
}

# variant -> (index, page, expected published_at, precision, date_method)
VARIANTS: dict[str, tuple[tuple[str, bytes, dict[str, str]], bytes, str, str, str]] = {
    "sitemap-day-meta": (_sitemap("2026-11-30"), META, "2026-10-03T08:00:00", "time", "page"),
    "sitemap-time-meta": (_sitemap("2026-11-30T10:00:00+00:00"), META, "2026-10-03T08:00:00", "time", "page"),
    "sitemap-day-text": (_sitemap("2026-11-30"), TEXT, "2026-10-03T00:00:00", "day", "page"),
    "sitemap-time-text": (_sitemap("2026-11-30T10:00:00+00:00"), TEXT, "2026-10-03T00:00:00", "day", "page"),
    "sitemap-day-undated": (_sitemap("2026-11-30"), UNDATED, "2026-11-30T00:00:00", "day", "sitemap"),
    "sitemap-time-undated": (
        _sitemap("2026-11-30T10:00:00+00:00"),
        UNDATED,
        "2026-11-30T10:00:00",
        "time",
        "sitemap",
    ),
    "listing-meta": (_listing(), META, "2026-10-03T08:00:00", "time", "page"),
    "listing-text": (_listing(), TEXT, "2026-10-03T00:00:00", "day", "page"),
    # a feed's date stays; the page gives only the time of the feed's day (pipelines.extract)
    "feed-day-meta": (_feed("2026-10-03"), META, "2026-10-03T08:00:00", "time", "page"),
    "feed-time-meta": (_feed("2026-10-03T06:00:00Z"), META, "2026-10-03T06:00:00", "time", "feed"),
    "feed-day-text": (_feed("2026-10-03"), TEXT, "2026-10-03T00:00:00", "day", "feed"),
}


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat() if value is not None else None


def _date(row: Any) -> tuple[str | None, str | None, str | None]:
    return _iso(row.published_at), published_precision(row.published_at, row.flags), row.date_method


def _serve(lab: LabServer, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Two sources per variant (``<variant>-clean`` and ``<variant>-late``) on their own paths, the
    late ones' pages answering 404; returns the config and each late source's page path."""
    sources, late_pages = [], {}
    for variant, ((name, index, headers), page, *_) in VARIANTS.items():
        for run in ("clean", "late"):
            source_id = f"{variant}-{run}"
            page_path = f"/{source_id}/news/welcome-centre.html"
            lab.routes[f"/{source_id}/{name}"] = Route(
                body=index.replace(b"{page}", lab.url(page_path).encode()), headers=headers
            )
            lab.routes[page_path] = Route(body=page, headers=HTML, status=200 if run == "clean" else 404)
            if run == "late":
                late_pages[source_id] = page_path
            sources.append(
                {
                    "id": source_id,
                    "urls": [lab.url(f"/{source_id}/{name}")],
                    "languages": ["en"],
                    "follow": True,
                    **KIND_SETTINGS[name],
                }
            )
    return write_config(tmp_path, sources), late_pages


def test_a_page_read_after_its_stub_is_dated_as_a_clean_harvest(
    db_url: str, tmp_path: Path, lab: LabServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config, late_pages = _serve(lab, tmp_path)
    migrate(db_url)
    crawl(db_url, config)
    for variant in VARIANTS:
        (stub,) = items(db_url, f"{variant}-late")
        assert stub.text is None and "page_fetch.http_404" in stub.flags, variant
    for source_id, path in late_pages.items():
        lab.routes[path] = Route(body=VARIANTS[source_id.removesuffix("-late")][1], headers=HTML)
    crawl(db_url, config)
    wrong = {}
    for variant, (_, _, published, precision, method) in VARIANTS.items():
        (clean,) = items(db_url, f"{variant}-clean")
        (late,) = items(db_url, f"{variant}-late")
        assert late.text is not None and late.version == 2, variant
        expected = (published, precision, method)
        got = {"clean": _date(clean), "late": _date(late)}
        if got != {"clean": expected, "late": expected}:
            wrong[variant] = got
        with session(db_url) as s:
            (earlier,) = item_versions(s, late.id)
        # the page giving the date its index stood in for is no change by the source
        if "published_at" in earlier["changed_fields"] or earlier["field_changes"]:
            wrong[f"{variant} version"] = earlier["field_changes"]
    assert wrong == {}, "\n".join(f"{k}: {v}" for k, v in wrong.items())

    # a row stored with the index's date under the page's method (as before this rule) is repaired
    # by `ewsi reprocess`, and the clean rows are left as they are
    damaged = {}
    with session(db_url) as s:
        for variant in VARIANTS:
            if not variant.startswith("sitemap-") or variant.endswith("-undated"):
                continue
            (row,) = [r for r in s.query(Item).filter(Item.source_id == f"{variant}-late")]
            lastmod = datetime(2026, 11, 30, tzinfo=UTC)
            flags = [f for f in row.flags if f != "date_only"]
            s.execute(update(Item).where(Item.id == row.id).values(published_at=lastmod, flags=flags))
            damaged[variant] = row.id
        s.commit()
    argv = ["--database-url", db_url, "--workers", "1"]
    assert reprocess.main(argv, Settings()) == 0
    out = capsys.readouterr().out
    assert f"changed {len(damaged)}," in out, out
    for variant, (_, _, published, precision, method) in VARIANTS.items():
        for run in ("clean", "late"):
            (row,) = items(db_url, f"{variant}-{run}")
            assert _date(row) == (published, precision, method), (variant, run)
    assert reprocess.main(argv, Settings()) == 0
    assert "changed 0," in capsys.readouterr().out
