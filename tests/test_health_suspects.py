"""Class 12 "health tells the truth" (crawler.health rule 2, crawler.store.suspects): a run whose items
are menu links, one repeated title, textless or undated (where the source's history had text and
dates) is judged broken, shown so in the crawl summary, and its items are stored but held back from
the review queue until a later healthy run yields them again or an editor releases them.
SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import functools
import io
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from desklab import SQLITE_ONLY, csrf_of, editor_client
from rich.console import Console
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from crawler import health
from crawler.commands import crawl as crawl_command
from crawler.health import RunSummary, is_nav_title, judge_by_meaning
from crawler.store import portal, queue, suspects
from crawler.store.items import add_tombstone
from crawler.store.runs import finish_run, start_run
from crawler.store.schema import AuditEntry, CrawlRun, Item, SourceRow, sha256_hex
from crawler.store.sources import source_status
from crawler.types import CrawlReport
from pipelines.store import StorePipeline
from tests.storedata import make_item

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DATED_WITH_TEXT = RunSummary(items_new=4, quality={"items": 4, "undated": 0, "no_text": 0})
OLD_RUN = RunSummary(items_new=4, quality={"items": 4, "undated": 0})  # recorded before no_text was


def q(items: int, **counts: int) -> dict[str, Any]:
    return {"quality": {"items": items, "undated": 0, "followed": 0, "empty": 0, **counts}}


@pytest.mark.parametrize(
    ("stats", "history", "key"),
    [
        (q(5, nav=5), [], "parse.nav_links"),  # the selector matches the whole menu, first run too
        (q(5, nav=2), [DATED_WITH_TEXT], "parse.nav_links"),  # 40 %: a menu with two real links
        (q(10, nav=1), [DATED_WITH_TEXT], None),  # one stray "Contact" in a real listing
        (q(2, nav=1), [], None),  # below NAV_MIN
        (q(6, same_title=4), [], "parse.same_titles"),  # "Integration news" on every item
        (q(10, same_title=3), [DATED_WITH_TEXT], None),  # a weekly language café three times
        (q(4, same_title=2), [], None),  # below SAME_TITLE_MIN
        (q(5, no_text=4), [DATED_WITH_TEXT], "extract.no_text"),
        (q(5, no_text=4), [], None),  # no history: a headline-only feed is fine
        (q(5, no_text=4), [OLD_RUN], None),  # history without a text count says nothing
        (q(5, no_text=2), [DATED_WITH_TEXT], None),  # 40 % textless
        (q(5, undated=5), [DATED_WITH_TEXT], "parse.no_dates"),
        (q(5, nav=5, same_title=5, no_text=5, undated=5), [DATED_WITH_TEXT], "parse.nav_links"),  # order
        (q(5, same_title=5, no_text=5), [DATED_WITH_TEXT], "parse.same_titles"),
        (q(5), [DATED_WITH_TEXT], None),
    ],
)
def test_junk_rules(stats: dict[str, Any], history: list[RunSummary], key: str | None) -> None:
    judged = judge_by_meaning("ok", None, stats, history)
    assert (judged.status, judged.error_key, judged.broken) == ("failed" if key else "ok", key, bool(key))
    assert judged.holds_items is bool(key)
    if key:
        assert judged.message and str(stats["quality"]["items"]) in judged.message


@pytest.mark.parametrize(
    ("title", "nav"),
    [
        ("Home", True),
        ("  » About us ", True),
        ("KONTAKT", True),
        ("Accueil", True),
        ("Αρχική", True),
        ("Startseite ›", True),
        ("Strona główna", True),
        ("Read more…", True),
        ("Home care for refugee families", False),
        ("Contact points for newly arrived migrants", False),
        ("About 300 people joined the language café", False),
        ("", False),
        (None, False),
    ],
)
def test_navigation_titles(title: str | None, nav: bool) -> None:
    assert is_nav_title(title) is nav


# --- stored, held back, released (SQLite and PostgreSQL) ------------------------------------------

GOOD = ["Language courses open for refugees", "Housing advice for newcomers", "Job fair for migrants"]


def _titled(*titles: str, **fields: Any) -> list[dict[str, Any]]:
    return [{"title": t, **fields} for t in titles]


WEEK = [f"Orientation week {n}" for n in range(4)]
JUNK_RUNS: dict[str, tuple[list[dict[str, Any]], str | None]] = {
    "menu-en": (_titled("Home", "About us", "Contact", "Privacy policy"), "parse.nav_links"),
    "menu-de": (_titled("Startseite", "Über uns", "Kontakt", "Impressum"), "parse.nav_links"),
    "same-title": (_titled(*["Integration news"] * 4), "parse.same_titles"),
    "no-text": (_titled(*WEEK, text="", summary=None), "extract.no_text"),
    "no-dates": (_titled(*WEEK, published_at=None), "parse.no_dates"),
    "healthy": (_titled(*WEEK), None),
}


def _run(
    db_url: str,
    specs: list[tuple[int, dict[str, Any]]],
    sid: str = "src-a",
    stats: dict[str, int] | None = None,
) -> tuple[int, health.Judgement]:
    """One run of source `sid` through the store pipeline: items (number, fields), the spider's own
    `stats` (page errors); the judged outcome (its message the report's error)."""
    crawler = _crawler()
    crawler.stats.set_stats(dict(stats or {}))
    with _session(db_url) as s:
        run_id = start_run(s, sid)
        s.commit()
    crawler.ewsi_recorder = type("Recorder", (), {"run_id": run_id})()  # what RunRecorder offers
    pipeline = StorePipeline(crawler, db_url)
    for n, fields in specs:
        crawler.stats.inc_value("ewsi/items/yielded")  # counted by the spider in a real crawl
        url = f"https://{sid}.example.eu/news/{n}"
        with contextlib.suppress(DropItem):  # tombstoned, duplicate: counted by the pipeline
            pipeline.process_item(make_item(n, sid, str(fields.get("title")), url=url, **fields))
    report = health.build_report(sid, crawler.stats.get_stats(), T0, "finished", now=T0)
    with _session(db_url) as s:
        judged = finish_run(s, run_id, report)
        s.commit()
    if judged.message is None and report.error:
        judged = replace(judged, message=report.error)
    return run_id, judged


@functools.cache
def _crawler() -> Any:
    """One Scrapy crawler for its stats collector (building one takes 0.2 s)."""
    return get_crawler()


def _session(db_url: str) -> Any:
    from crawler.store.session import make_engine, session_factory

    return session_factory(make_engine(db_url))()


@pytest.fixture
def store(db_url: str, engine: Any) -> str:
    from desklab import add_source

    with _session(db_url) as s:
        for sid in ("src-a", *JUNK_RUNS):
            add_source(s, sid, sid.title())
        s.commit()
    return db_url


UNREAD = {"text": None, "summary": None, "flags": ["page_fetch.http_404"]}
"""An item whose followed page (a PDF) answered 404, e.g. absent from a cut replay archive."""
READ_EMPTY = {"text": "", "summary": None}
READ = {"text": "Body of the page", "summary": "S"}


@pytest.mark.parametrize(
    ("items", "key", "words"),
    [
        ([UNREAD], None, "1 of 1 followed pages failed, most with fetch.http_404"),  # its only PDF
        ([UNREAD, UNREAD, READ], None, "2 of 3 followed pages failed"),
        ([UNREAD, READ, READ, READ], None, "1 of 4 followed pages failed"),
        ([READ_EMPTY] * 4, "extract.no_text", "4 of 4 items have no text"),
        ([UNREAD, *[READ_EMPTY] * 3], "extract.no_text", "3 of 3 items read have no text"),
        ([UNREAD, UNREAD, READ_EMPTY, READ], None, "2 of 4 followed pages failed"),
    ],
)
def test_a_document_never_read_is_a_fetch_failure_not_no_text(
    store: str, items: list[dict[str, Any]], key: str | None, words: str
) -> None:
    """Rule (crawler.health, rule 2): an item whose page fetch failed is not an item without text."""
    _run(store, [(n, {"title": t}) for n, t in enumerate(GOOD)])  # an ok run with text
    specs = [(10 + n, {"title": f"Call document {n}", **fields}) for n, fields in enumerate(items)]
    failed = sum(f is UNREAD for f in items)
    stats = {"ewsi/extract/html": len(items) - failed}  # pages read (what the extract stage counts)
    if failed:
        stats["ewsi/page_errors/fetch.http_404"] = failed
    _, judged = _run(store, specs, stats=stats)
    assert (judged.error_key, judged.broken) == (key, bool(key))
    assert judged.message and words in judged.message


def test_an_unread_item_the_store_drops_is_not_counted_new(store: str) -> None:
    """Rule (crawler.health.failed_pages_fate): a tombstoned item is dropped, never "new without text"."""
    _run(store, [(n, {"title": t}) for n, t in enumerate(GOOD)])
    with _session(store) as s:  # item 11 was rejected once: its identity is tombstoned
        add_tombstone(s, sha256_hex("url:https://src-a.example.eu/news/11"), "src-a", "rejected")
        s.commit()
    specs = [
        (0, {"title": GOOD[0], **UNREAD}),
        (10, {"title": "A", **UNREAD}),
        (11, {"title": "B", **UNREAD}),
    ]
    _, judged = _run(store, specs, stats={"ewsi/page_errors/fetch.http_404": 3})
    assert (judged.status, judged.error_key) == ("failed", "fetch.http_404")  # every page failed
    assert judged.message == (
        "3 of 3 followed pages failed, most with fetch.http_404"
        " (1 stored item kept as it was, 1 new without text, 1 dropped)"
    )


@pytest.mark.parametrize(
    "variants", [("menu-en", "menu-de", "healthy"), ("same-title", "no-text", "no-dates")]
)
def test_broken_run_items_held_back_and_released(store: str, variants: tuple[str, ...]) -> None:
    """Each variant of `JUNK_RUNS` is its own source (a few per database: one migration each)."""
    db_url = store
    for sid in variants:
        junk, key = JUNK_RUNS[sid]
        _, first = _run(db_url, [(n, {"title": t}) for n, t in enumerate(GOOD)], sid)
        assert (first.status, first.error_key) == ("ok", None), sid
        run_id, judged = _run(db_url, [(10 + n, fields) for n, fields in enumerate(junk)], sid)
        assert (judged.error_key, judged.broken, judged.held_back) == (key, bool(key), 4 if key else 0), sid
        with _session(db_url) as s:
            run = s.get(CrawlRun, run_id)
            assert (run.status, run.error_key) == ("failed" if key else "ok", key), sid
            assert s.get(SourceRow, sid).state == ("broken" if key else "healthy"), sid
            listed = {e["id"] for e in queue.listing(s, source_id=sid, limit=None)}
            counted = queue.queue_counts(s, queue.QueueFilters(source=(sid,)))
            held = suspects.suspect_items(s, sid)
            status = {r["id"]: r for r in source_status(s)}[sid]
            assert (len(listed), len(held)) == ((3, 4) if key else (7, 0)), sid
            assert {h["suspect_key"] for h in held} == ({key} if key else set()), sid
            assert not listed & {h["id"] for h in held}
            assert counted["total"] == {"": len(listed)}, sid
            assert (status["items_pending"], status["items_suspect"]) == (len(listed), len(held)), sid
        if not key:
            continue
        # a healthy run yields two of the held items again (same identity, good content): released
        again = [(10, {"title": "Home office rules for asylum seekers", "text": "Body", "summary": "S"})]
        again += [(11, {"title": "Evening classes for newcomers", "text": "Body", "summary": "S"})]
        again += [(n, {"title": t}) for n, t in enumerate(GOOD)]
        run_id, healthy = _run(db_url, [(n, {"published_at": T0, **f}) for n, f in again], sid)
        assert (healthy.status, healthy.error_key) == ("ok", None), sid
        with _session(db_url) as s:
            left = s.scalars(
                select(Item.url).where(Item.source_id == sid, Item.suspect_key.is_not(None)).order_by(Item.id)
            ).all()
            assert left == [f"https://{sid}.example.eu/news/12", f"https://{sid}.example.eu/news/13"], sid
            assert len(queue.listing(s, source_id=sid, limit=None)) == 5, sid
            assert s.get(CrawlRun, run_id).stats["released"] == 2, sid
    with _session(db_url) as s:  # the digest counts only what waits in the queue
        broken = sum(JUNK_RUNS[sid][1] is not None for sid in variants)
        assert portal.pending_summary(s, T0)["total"] == broken * 5 + (len(variants) - broken) * 7


@SQLITE_ONLY  # the queries are the storage test's, on both back ends
def test_source_page_lists_held_items_and_releases_them(app: Any, Session: Any, store: str) -> None:
    db_url = store
    _run(db_url, [(n, {"title": t}) for n, t in enumerate(GOOD)])
    _run(db_url, [(10 + n, f) for n, f in enumerate(JUNK_RUNS["menu-en"][0])])
    alice = editor_client(app, Session)
    page = alice.get("/sources/src-a")
    assert page.status_code == 200
    assert (
        page.text.count('name="item"') == 4
        and "parse.nav_links" in page.text
        and "Privacy policy" in page.text
    )
    assert alice.get("/sources/no-such-source").status_code == 404
    assert "Privacy policy" not in alice.get("/queue").text
    with Session() as s:
        ids = s.scalars(select(Item.id).where(Item.suspect_key.is_not(None)).order_by(Item.id)).all()
    assert alice.post("/sources/src-a/release", data={"item": str(ids[0])}).status_code == 403  # no token
    csrf = csrf_of(alice)
    r = alice.post(
        "/sources/src-a/release", data={"csrf_token": csrf, "item": str(ids[0])}, follow_redirects=False
    )
    assert (r.status_code, r.headers["location"]) == (303, "/sources/src-a?released=1")
    assert alice.post("/sources/src-a/release", data={"csrf_token": csrf, "item": "x"}).status_code == 400
    with Session() as s:
        assert len(suspects.suspect_items(s, "src-a")) == 3
        assert ids[0] in {e["id"] for e in queue.listing(s, limit=None)}
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "items.release")).one()
        assert (entry.actor, entry.object_id, entry.detail["released"]) == ("alice", "src-a", 1)
    alice.post("/sources/src-a/release", data={"csrf_token": csrf, "all": "true"})
    with Session() as s:
        assert suspects.suspect_items(s, "src-a") == []
        assert len(queue.listing(s, limit=None)) == 7


@SQLITE_ONLY
def test_crawl_summary_shows_broken(monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(crawl_command, "out", Console(file=buffer, width=200))
    reports = [
        CrawlReport("menu-src", T0, status="failed", error_key="parse.nav_links", error="4 of 4 items are "
                    "titled like navigation links (Home, About, ...)", broken=True, held_back=4, items_new=4),
        CrawlReport("good-src", T0, status="ok", items_new=3),
    ]  # fmt: skip
    crawl_command._print_summary(reports)
    text = buffer.getvalue()
    row = next(line for line in text.splitlines() if "menu-src" in line and "parse.nav_links" in line)
    assert row.split()[:2] == ["menu-src", "broken"], text
    assert "menu-src: 4 of 4 items are titled like navigation links" in text
    assert "(4 items held back from the queue)" in text
    assert "1/2 ok" in text


@SQLITE_ONLY
def test_run_recorder_reports_the_judgement(store: str) -> None:
    """crawler.extensions.RunRecorder hands the summary the judged run, not the raw stats' verdict."""
    from crawler.extensions import RunRecorder

    _run(store, [(n, {"title": t}) for n, t in enumerate(GOOD)])
    crawler = _crawler()
    crawler.stats.set_stats({})
    recorder = RunRecorder(crawler, store)
    with _session(store) as s:
        recorder.run_id = start_run(s, "src-a")
        s.commit()
    crawler.ewsi_recorder = recorder
    pipeline = StorePipeline(crawler, store)
    for n, title in enumerate(("Home", "About us", "Contact", "Language courses for adults")):
        crawler.stats.inc_value("ewsi/items/yielded")
        pipeline.process_item(make_item(20 + n, title=title))
    recorder.spider_closed(type("Spider", (), {"name": "src-a"})(), "finished")
    report = recorder.report
    assert report is not None
    assert (report.status, report.error_key, report.broken, report.held_back) == (
        "failed",
        "parse.nav_links",
        True,
        4,
    )
    assert report.error == "3 of 4 items are titled like navigation links (Home, About, ...)"


@pytest.mark.parametrize(
    ("kill", "flags", "reason"),
    [
        ("memory", [], "memory"),
        (None, ["extract.memory"], "memory"),
        ("timeout", ["extract.timeout"], "timeout"),
    ],
)
def test_a_kill_is_struck_for_its_reason(store: str, kill: str | None, flags: list[str], reason: str) -> None:
    """The quarantine strike the store records names why the worker was killed: a page read on the
    retry after a memory kill (no extract.memory flag left) is struck for memory, not a time-out."""
    from crawler.store.schema import QuarantinedUrl

    pipeline = StorePipeline(_crawler(), store)
    item = make_item(90, "src-a", "Language courses for adults", url="https://src-a.example.eu/news/90")
    item.flags = list(flags)
    item.ewsi_worker_kills = 1  # type: ignore[attr-defined]
    if kill is not None:
        item.ewsi_worker_kill = kill  # type: ignore[attr-defined]
    pipeline.process_item(item)
    with _session(store) as s:
        row = s.scalars(select(QuarantinedUrl)).one()
        assert (row.reason, row.hits) == (reason, 1)
