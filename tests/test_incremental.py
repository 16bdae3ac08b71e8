"""Incremental harvests over the loopback lab, on SQLite and PostgreSQL: the ECI feed's three recorded
snapshots store exactly what is new or changed each time; changed items become new versions; editor
work survives a re-crawl and rejected items never come back (T29); `max_age_days` keeps a new
source's archive out of the queue."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from tests import test_cases
from tests.desklab import SQLITE_ONLY
from tests.lab import LabServer, Route
from tests.test_cases import crawl, items, migrate, session, write_config

lab = test_cases.lab  # the loopback lab fixture

pytestmark = pytest.mark.slow
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def _entries(xml: bytes) -> dict[str, tuple[str, str]]:
    """link -> (title, description) of an RSS document, read independently of the harvester."""
    channel = ET.fromstring(xml).find("channel")
    assert channel is not None
    return {
        (i.findtext("link") or "").strip(): (
            (i.findtext("title") or "").strip(),
            i.findtext("description") or "",
        )
        for i in channel.iter("item")
    }


def _runs(db_url: str, source_id: str) -> list[Any]:
    from crawler.store.schema import CrawlRun

    with session(db_url) as s:
        rows = list(s.scalars(select(CrawlRun).where(CrawlRun.source_id == source_id).order_by(CrawlRun.id)))
        s.expunge_all()
        return rows


def test_eci_snapshots_store_exactly_what_is_new_or_changed(
    db_url: str, shared: Path, tmp_path: Path, lab: LabServer
) -> None:
    snapshots = sorted((shared / "corpus" / "feeds").glob("eci-petitions-ongoing_*.xml"))
    assert len(snapshots) == 3
    bodies = [p.read_bytes() for p in snapshots]
    lab.routes["/petitions.rss"] = Route(body=bodies, headers=RSS)
    config = write_config(
        tmp_path,
        [{"id": "eci-ongoing", "kind": "feed", "urls": [lab.url("/petitions.rss")], "languages": ["en"]}],
    )
    migrate(db_url)
    seen: dict[str, tuple[str, str]] = {}
    for run, body in enumerate(bodies):
        entries = _entries(body)
        new = [link for link in entries if link not in seen]
        changed = [link for link in entries if link in seen and seen[link] != entries[link]]
        crawl(db_url, config)
        record = _runs(db_url, "eci-ongoing")[-1]
        assert record.status == "ok", (record.error_key, record.error)
        assert (record.items_new, record.items_updated) == (len(new), len(changed)), f"run {run + 1}"
        assert record.items_unchanged == len(entries) - len(new) - len(changed)
        seen.update(entries)
    rows = items(db_url)
    assert len(rows) == len(seen)
    assert len({r.identity_hash for r in rows}) == len({r.canonical_url for r in rows}) == len(rows)
    # a changed entry is a new version with the earlier content kept
    from crawler.store import items as store_items

    versioned = [r for r in rows if r.version > 1]
    assert versioned
    with session(db_url) as s:
        for row in versioned:
            history = store_items.item_versions(s, row.id)
            assert [h["version"] for h in history] == list(range(1, row.version))
            assert "summary" in history[-1]["changed_fields"]
            assert history[-1]["summary"] != row.summary


def _feed(base: str, entries: list[tuple[str, str, str]], when: datetime) -> bytes:
    items_xml = "".join(
        f'<item><title>{title}</title><link>{base}/news/{slug}</link><guid isPermaLink="false">{slug}</guid>'
        f"<pubDate>{format_datetime(when)}</pubDate><description>{text}</description></item>"
        for slug, title, text in entries
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    return f"{head}{items_xml}</channel></rss>".encode()


def test_t29_editor_work_survives_and_rejected_stays_rejected(
    db_url: str, tmp_path: Path, lab: LabServer
) -> None:
    from crawler.store import items as store_items
    from crawler.store.items import add_tombstone
    from crawler.store.schema import Item, ItemVersion

    when = datetime.now(UTC) - timedelta(days=2)
    first = [
        ("approved", "Language courses open", "Courses for newly arrived refugees."),
        ("edited", "Mentoring for migrants", "A mentoring programme starts."),
        ("rejected", "Unrelated sports news", "The local team won."),
    ]
    second = [(slug, title + " (updated)", text + " More details.") for slug, title, text in first]
    third = [(slug, title, text + " Even more.") for slug, title, text in second]
    lab.routes["/news.rss"] = Route(
        body=[_feed(lab.base, v, when) for v in (first, second, third)], headers=RSS
    )
    config = write_config(
        tmp_path, [{"id": "t29", "kind": "feed", "urls": [lab.url("/news.rss")], "languages": ["en"]}]
    )
    migrate(db_url)
    crawl(db_url, config)
    with session(db_url) as s:
        rows = {r.guid: r for r in s.scalars(select(Item))}
        rows["approved"].status = "approved"
        rows["edited"].status = "approved"
        rows["edited"].editor_title = "Mentoring programme for migrant entrepreneurs"
        rows["edited"].editor_summary = "Editor's summary."
        rows["rejected"].status = "rejected"
        add_tombstone(s, rows["rejected"].identity_hash, "t29", "off topic")  # what the desk does
        s.commit()
    crawl(db_url, config)
    with session(db_url) as s:
        rows = {r.guid: r for r in s.scalars(select(Item))}
        edited, approved, rejected = rows["edited"], rows["approved"], rows["rejected"]
        assert (edited.status, edited.version) == ("changed", 2)
        assert edited.editor_title == "Mentoring programme for migrant entrepreneurs"
        assert edited.editor_summary == "Editor's summary."
        assert edited.title == "Mentoring for migrants (updated)"  # the source's new text, for review
        # what was approved stays what the portal shows
        assert (approved.status, approved.editor_title) == ("changed", "Language courses open")
        assert approved.editor_summary == "Courses for newly arrived refugees."
        history = store_items.item_versions(s, approved.id)
        assert history[0]["title"] == "Language courses open"
        assert set(history[0]["changed_fields"]) >= {"title", "summary"}
        assert (rejected.status, rejected.version, rejected.title) == ("rejected", 1, "Unrelated sports news")
        assert (
            s.scalar(select(func.count()).select_from(ItemVersion).where(ItemVersion.item_id == rejected.id))
            == 0
        )
        # retention purges the rejected row: the tombstone still keeps it out
        s.execute(delete(Item).where(Item.id == rejected.id))
        s.commit()
    crawl(db_url, config)
    guids = sorted(r.guid for r in items(db_url))
    assert guids == ["approved", "edited"]
    assert _runs(db_url, "t29")[-1].dropped.get("tombstoned") == 1


def test_rejected_without_a_tombstone_is_tombstoned_on_sight(
    db_url: str, tmp_path: Path, lab: LabServer
) -> None:
    from crawler.store.schema import Item, Tombstone

    when = datetime.now(UTC) - timedelta(days=1)
    v1 = [("a", "Housing first for refugees", "Pilot in three cities.")]
    v2 = [("a", "Housing first for refugees", "Pilot in four cities.")]
    lab.routes["/r.rss"] = Route(body=[_feed(lab.base, v1, when), _feed(lab.base, v2, when)], headers=RSS)
    config = write_config(
        tmp_path, [{"id": "rej", "kind": "feed", "urls": [lab.url("/r.rss")], "languages": ["en"]}]
    )
    migrate(db_url)
    crawl(db_url, config)
    with session(db_url) as s:
        s.execute(update(Item).values(status="rejected"))
        s.commit()
    crawl(db_url, config)
    with session(db_url) as s:
        row = s.scalars(select(Item)).one()
        assert (row.status, row.version) == ("rejected", 1)
        assert s.get(Tombstone, row.identity_hash) is not None


@SQLITE_ONLY
def test_max_age_days_drops_old_items(db_url: str, tmp_path: Path, lab: LabServer) -> None:
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    fresh = _feed(
        lab.base, [("fresh", "New integration strategy", "Adopted today.")], now - timedelta(days=10)
    )
    old = _feed(lab.base, [("old", "Archive item from last year", "Old.")], now - timedelta(days=100))
    body = fresh.replace(
        b"</channel>", old.split(b"<channel><title>T</title>")[1].split(b"</channel>")[0] + b"</channel>"
    )
    lab.routes["/age.rss"] = Route(body=body, headers=RSS)
    source = {
        "id": "aged",
        "kind": "feed",
        "urls": [lab.url("/age.rss")],
        "languages": ["en"],
        "max_age_days": 30,
    }
    migrate(db_url)
    crawl(db_url, write_config(tmp_path, [source]), env={"EWSI_NOW": now.isoformat()})
    assert [r.guid for r in items(db_url)] == ["fresh"]
    run = _runs(db_url, "aged")[-1]
    assert run.status == "ok" and run.dropped == {"too_old": 1}
