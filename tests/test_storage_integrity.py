"""Storage and data integrity on SQLite and PostgreSQL (RELIABILITY.md T11, T26, T27, T28, T30): hostile
values are cleaned to identical bytes on both back ends, oversized fields are cut, uniqueness is the
database's, and concurrent crawls plus editors never duplicate, double-claim or lose an item."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from crawler.store.items import upsert_item
from crawler.store.schema import Item
from crawler.types import Attachment, HarvestedItem
from pipelines.dedup import DedupPipeline
from pipelines.normalize import NormalizePipeline
from pipelines.store import sanitise_html
from tests import test_cases
from tests.lab import LabServer, Route
from tests.test_cases import crawl, items, migrate, session, write_config

lab = test_cases.lab  # the loopback lab fixture
ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "reliability-content.json"
FIXED = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def _merge(section: str, value: Any) -> None:
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(ARTIFACT.read_text()) if ARTIFACT.exists() else {}
    data.setdefault(section, {}).update(value)
    ARTIFACT.write_text(json.dumps(data, indent=2, sort_keys=True))


def _through_pipelines(item: HarvestedItem) -> HarvestedItem:
    item = NormalizePipeline(clock=lambda: FIXED).process_item(item)
    return DedupPipeline().process_item(item)


def test_t26_nul_controls_and_surrogates_are_cleaned_identically(db_session: Any) -> None:
    item = _through_pipelines(
        HarvestedItem(
            source_id="s",
            url="https://x.example.eu/a",
            title="a\x00b",
            summary="broken \ud83d pair, whole \ud83d\udc4d",
            record={"k": "\u0000v", "html": "<p onclick='x()'>hi<script>bad()</script></p>"},
        )
    )
    item.text = "body\x00 with\x0b vertical\x1b escape"
    item.record = sanitise_html(item.record)
    assert upsert_item(db_session, item) == "new"
    db_session.commit()
    row = db_session.scalars(select(Item)).one()
    assert row.title == "ab"
    assert row.summary == "broken \ufffd pair, whole \U0001f44d"
    assert row.text == "body with vertical escape"
    assert row.record == {"k": "v", "html": "<p>hi</p>"}
    assert "text_cleaned" in row.flags
    _merge("storage", {"t26_cleaned_values_identical": True})


def test_t27_oversized_fields(db_session: Any) -> None:
    long_url = "https://x.example.eu/" + "a" * 9_000
    big = _through_pipelines(HarvestedItem(source_id="s", url=long_url, title="T" * 1_000_000))
    big.text = "w " * 1_500_000  # 3 MB: the extract stage caps it, the store must take it anyway
    small = _through_pipelines(HarvestedItem(source_id="s", url="https://x.example.eu/b", title="ok"))
    assert upsert_item(db_session, big) == "new" and upsert_item(db_session, small) == "new"
    db_session.commit()
    rows = {r.title[:2]: r for r in db_session.scalars(select(Item))}
    assert len(rows["TT"].title.encode()) <= 1_000 and "title_truncated" in rows["TT"].flags
    assert len(rows["TT"].url_hash) == 64 and len(rows["TT"].url) > 9_000
    assert rows["ok"].title == "ok"


def test_t28_one_row_per_identity_and_the_database_enforces_it(db_session: Any) -> None:
    variants = [
        "https://www.x.example.eu/news/1/?utm_source=x",
        "http://x.example.eu/news/1",
        "https://x.example.eu/news/1#frag",
        "https://x.example.eu/news/1/",
    ]
    outcomes = []
    for url in variants:
        outcomes.append(
            upsert_item(db_session, _through_pipelines(HarvestedItem(source_id="s", url=url, title="A")))
        )
    db_session.commit()
    assert outcomes == ["new", "unchanged", "unchanged", "unchanged"]
    row = db_session.scalars(select(Item)).one()
    with pytest.raises(IntegrityError):
        db_session.execute(
            insert(Item).values(
                identity=row.identity, identity_hash=row.identity_hash, source_id="s", url="x"
            )
        )
        db_session.flush()
    db_session.rollback()


def test_attachments_and_item_links_are_http_only(db_session: Any) -> None:
    item = _through_pipelines(HarvestedItem(source_id="s", url="https://x.example.eu/c", title="Links"))
    item.attachments = [Attachment(url="javascript:alert(1)"), Attachment(url="https://x.example.eu/c.pdf")]
    upsert_item(db_session, item)
    db_session.commit()
    assert [a["url"] for a in db_session.scalars(select(Item)).one().attachments] == [
        "https://x.example.eu/c.pdf"
    ]
    bad = _through_pipelines(HarvestedItem(source_id="s", url="https://x.example.eu/d", title="x"))
    bad.url = "data:text/html,<script>"
    with pytest.raises(ValueError, match="not http"):
        upsert_item(db_session, bad)


@pytest.mark.slow
@pytest.mark.parametrize(
    "huge_id",
    [False, True],
)
def test_t11_hostile_json_values(huge_id: bool, db_url: str, tmp_path: Path, lab: LabServer) -> None:
    api_url = "https://api.example.eu/"
    records = [
        {"id": "HUGE", "title": "Huge id", "url": api_url + "1", "published": "2025-03-01"},
        {"id": "2", "title": "Lone \ud83d surrogate", "url": api_url + "2", "published": "0000-00-00"},
        {"id": "3", "title": "Big field", "url": api_url + "3", "published": "9999-12-31T99:99",
         "summary": "x" * 12_000_000},
        {"id": "4", "title": "Ordinary call", "url": api_url + "4", "published": "2025-03-02"},
    ]  # fmt: skip
    # a 5,000-digit integer: Python 3.11 refuses int <-> str past 4,300 digits, so it is spliced in
    body = json.dumps({"items": records}).encode().replace(b'"HUGE"', b"7" * (5000 if huge_id else 3))
    lab.routes["/api"] = Route(body=body, headers={"Content-Type": "application/json"})
    api = {"items": "items", "title": "title", "summary": "summary", "link": "url", "published": "published"}
    config = write_config(tmp_path, [{"id": "t11", "kind": "api", "urls": [lab.url("/api")], "api": api}])
    migrate(db_url)
    crawl(db_url, config)
    rows = {r.url: r for r in items(db_url)}
    assert len(rows) == 4
    assert rows["https://api.example.eu/2"].title == "Lone \ufffd surrogate"
    assert rows["https://api.example.eu/2"].published_at is None
    assert len(rows["https://api.example.eu/3"].summary.encode()) <= 10_000
    assert rows["https://api.example.eu/4"].published_at is not None
    assert all(r.published_at is None or r.published_at.year >= 1990 for r in rows.values())


def _big_feed(base: str, numbers: range) -> bytes:
    when = format_datetime(datetime.now(UTC) - timedelta(days=1))
    entries = "".join(
        f"<item><title>Item {n}</title><link>https://shared.example.eu/n/{n}</link><pubDate>{when}</pubDate>"
        f"<description>Text {n}</description></item>"
        for n in numbers
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{entries}</channel></rss>'.encode()
    )


@pytest.mark.heavy
@pytest.mark.slow
def test_t30_concurrent_crawls_and_editors(db_url: str, tmp_path: Path, lab: LabServer) -> None:
    """Two crawl children (1,000 items each, 500 shared) and 4 editors claiming from the queue."""
    import subprocess

    from crawler.store.session import retry_counts, run_with_retry

    lab.routes["/a.rss"] = Route(
        body=_big_feed(lab.base, range(0, 1000)), headers={"Content-Type": "application/rss+xml"}
    )
    lab.routes["/b.rss"] = Route(
        body=_big_feed(lab.base, range(500, 1500)), headers={"Content-Type": "application/rss+xml"}
    )
    sources = [
        {"id": sid, "kind": "feed", "urls": [lab.url(f"/{sid[-1]}.rss")], "max_items": 1000}
        for sid in ("t30-a", "t30-b")
    ]
    config = write_config(tmp_path, sources)
    migrate(db_url)
    stop = threading.Event()
    claims: list[tuple[str, int]] = []
    errors: list[str] = []

    def editor(name: str) -> None:
        from crawler.store.session import make_engine, session_factory

        factory = session_factory(make_engine(db_url, sqlite_immediate=True))
        while not stop.is_set():

            def claim() -> int | None:
                # one conditional UPDATE: atomic on both back ends (SQLite takes the write lock first)
                pick = select(Item.id).where(Item.status == "pending", Item.claimed_by.is_(None)).limit(1)
                with factory() as s:
                    got = s.execute(
                        update(Item)
                        .where(Item.id == pick.scalar_subquery(), Item.claimed_by.is_(None))
                        .values(claimed_by=name)
                        .returning(Item.id)
                    ).scalar_one_or_none()
                    s.commit()
                    return got

            try:
                got = run_with_retry(claim)
            except Exception as exc:  # recorded: the assertion below names it
                errors.append(f"{type(exc).__name__}: {exc}")
                return
            if got is not None:
                claims.append((name, got))
            else:
                time.sleep(0.05)

    editors = [threading.Thread(target=editor, args=(f"ed{i}",)) for i in range(4)]
    for thread in editors:
        thread.start()
    import os
    import sys

    from tests.test_cases import LAB_HOST, ROOT

    env = {**os.environ, "EWSI_DATABASE_URL": db_url, "EWSI_ALLOW_PRIVATE": LAB_HOST}
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config), "--source", sid],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for sid in ("t30-a", "t30-b")
    ]
    outputs = [child.communicate(timeout=600) for child in children]
    time.sleep(1)
    stop.set()
    for thread in editors:
        thread.join(30)
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, out + err
        assert "database is locked" not in err and "store_error" not in out
    assert not errors
    rows = items(db_url)
    urls = [r.canonical_url for r in rows]
    assert len(urls) == len(set(urls)) == 1500  # items lost = 0, duplicates = 0
    claimed_ids = [item_id for _, item_id in claims]
    assert len(claimed_ids) == len(set(claimed_ids))  # no item claimed by two editors
    with session(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Item).where(Item.claimed_by.is_not(None))) == len(
            claims
        )
    figures = {"items": len(rows), "duplicates": 0, "claims": len(claims), "editor_retries": retry_counts()}
    _merge("storage", {f"t30_{db_url.split(':')[0]}": figures})
