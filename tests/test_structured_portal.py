"""Funding calls and events end to end: recorded answers -> spiders and pipelines -> store -> approval
-> read API (/api/v1/funding, /api/v1/events), calendars (/feeds/funding.ics, /feeds/events.ics),
digest and `ewsi queue --json`; with a frozen clock, calls past their deadline and events past their
end leave the open and upcoming lists."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from crawler.sources import load_sources
from crawler.types import HarvestedItem
from pipelines.dedup import DedupPipeline
from pipelines.events import EventsPipeline
from pipelines.funding import FundingPipeline
from pipelines.normalize import NormalizePipeline
from tests.test_funding_api import SOURCE_YAML
from tests.test_spiders import run

DATA = Path(__file__).parent / "data"
HARVEST = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

EVENT_SOURCES = """
sources:
- id: network-events
  name: Integration Network events
  publisher: Integration Network
  country: AT
  content_type: event
  kind: ical
  urls: ["https://integration.example.at/events.ics"]
  timezone: Europe/Vienna
- id: forum-pages
  name: Forum pages
  publisher: European Commission
  content_type: event
  kind: listing
  urls: ["https://events.example.eu/"]
  timezone: Europe/Brussels
  follow: true
  listing: {links: "a::attr(href)"}
"""


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def _spider(source: Any) -> Any:
    from spiders import TEMPLATES

    cls = TEMPLATES[source.kind]
    crawler = get_crawler(cls)
    spider = cls.from_crawler(crawler, source=source)
    crawler.stats.open_spider()
    return spider


def _process(items: list[HarvestedItem], spider: Any) -> list[HarvestedItem]:
    stages = [
        NormalizePipeline(clock=lambda: HARVEST, frozen=True),
        FundingPipeline(),
        EventsPipeline(),
        DedupPipeline(),
    ]
    for item in items:
        for stage in stages:
            stage.process_item(item, spider)
    return items


def harvested() -> tuple[list[Any], list[HarvestedItem]]:
    """Sources and the items of the recorded answers, as the pipelines leave them before the store."""
    funding = load_sources("s.yaml", text=SOURCE_YAML).sources[0]
    ical, pages = load_sources("e.yaml", text=EVENT_SOURCES).sources
    items: list[HarvestedItem] = []
    spider = _spider(funding)
    body = (DATA / "funding_tenders_search_1.json").read_bytes()
    items += _process(run(spider, TextResponse(funding.urls[0], body=body, encoding="utf-8"))[0], spider)
    spider = _spider(ical)
    body = (DATA / "events.ics").read_bytes()
    items += _process(run(spider, TextResponse(ical.urls[0], body=body, encoding="utf-8"))[0], spider)
    spider = _spider(pages)
    page = spider.new_item(
        "https://events.example.eu/forum-2026",
        title="European Integration Forum 2026",
        body=(DATA / "events_page.html").read_bytes(),
        media_type="text/html; charset=utf-8",
    )
    items += _process([page], spider)
    return [funding, ical, pages], items


def _fill(db_url: str) -> str:
    """Migrate `db_url` and store every harvested item, all approved."""
    from sqlalchemy import update

    from crawler.store import items as store_items
    from crawler.store import sources as store_sources
    from crawler.store.migrate import upgrade
    from crawler.store.schema import Item
    from crawler.store.session import make_engine, session_factory

    engine = make_engine(db_url)
    upgrade(engine=engine)
    sources, items = harvested()
    with session_factory(engine)() as session:
        store_sources.sync_sources(session, sources)
        assert [store_items.upsert_item(session, item) for item in items] == ["new"] * len(items)
        session.execute(update(Item).values(status="approved", approved_at=HARVEST, modified_at=HARVEST))
        session.commit()
    engine.dispose()
    return db_url


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def structured_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database holding the harvested items, approved; shared by this module's read-only tests."""
    if request.param == "sqlite":
        yield _fill(f"sqlite:///{tmp_path_factory.mktemp('structured') / 'ewsi.sqlite'}")
        return
    from conftest import ADMIN_URL, _postgres_url

    for url in _postgres_url(os.environ.get("EWSI_TEST_POSTGRES_URL") or ADMIN_URL):
        yield _fill(url)


def client_at(db_url: str, now: datetime) -> TestClient:
    from tests.test_portal_api import make_app

    app = make_app(db_url)
    app.state.clock = lambda: now
    return TestClient(app)


def call_ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [row["call_id"] for row in response.json()["items"]]


def test_funding_api_lists_calls_by_status_programme_and_deadline(structured_db: str) -> None:
    with client_at(structured_db, HARVEST) as client:
        assert call_ids(client.get("/api/v1/funding?status=open")) == [
            "AMIF-2026-TF2-AG-INTE-01-LANGUAGE",
            "AMIF-2026-TF2-AG-INTE-03-HOUSING",
            "ERASMUS-EDU-2026-PI-ALL-INNO-INCL",
        ]
        assert call_ids(client.get("/api/v1/funding?status=forthcoming")) == ["CERV-2026-CHAR-LITI"]
        assert call_ids(client.get("/api/v1/funding?status=closed")) == [
            "ESF-2025-SOCPL-INTEG",
            "AMIF-2025-TF2-AG-INTE-06-HEALTH",
        ]
        assert call_ids(client.get("/api/v1/funding?status=open&programme=AMIF")) == [
            "AMIF-2026-TF2-AG-INTE-01-LANGUAGE",
            "AMIF-2026-TF2-AG-INTE-03-HOUSING",
        ]
        # closing before 1 April: the Erasmus+ call's first cut-off (19 March)
        assert call_ids(client.get("/api/v1/funding?status=open&deadline_before=2026-04-01")) == [
            "ERASMUS-EDU-2026-PI-ALL-INNO-INCL"
        ]
        erasmus = next(
            r for r in client.get("/api/v1/funding").json()["items"] if r["call_id"].startswith("ERASMUS")
        )
        assert erasmus["deadlines"] == ["2026-03-19T16:00:00Z", "2026-09-24T15:00:00Z"]
        assert erasmus["next_deadline"] == "2026-03-19T16:00:00Z"
        assert erasmus["days_left"] == 18
        assert erasmus["programme"] == "Erasmus+"
        assert erasmus["budget"] == {"amount": 5_000_000.0, "currency": "EUR"}
        assert client.get("/api/v1/funding?status=shut").status_code == 422
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        assert {"/api/v1/funding", "/api/v1/events"} <= set(paths)


def test_calls_close_by_themselves_after_their_last_deadline(structured_db: str) -> None:
    with client_at(structured_db, utc(2026, 4, 16)) as client:
        assert call_ids(client.get("/api/v1/funding?status=open")) == [
            "AMIF-2026-TF2-AG-INTE-03-HOUSING",
            "CERV-2026-CHAR-LITI",  # opened on 1 April
            "ERASMUS-EDU-2026-PI-ALL-INNO-INCL",  # its second cut-off is ahead
        ]
        assert "AMIF-2026-TF2-AG-INTE-01-LANGUAGE" in call_ids(client.get("/api/v1/funding?status=closed"))
        cal = Calendar.from_ical(client.get("/feeds/funding.ics").content)
        starts = sorted(e.decoded("dtstart") for e in cal.walk("VEVENT"))
        assert starts == [utc(2026, 5, 12, 15), utc(2026, 6, 10, 15), utc(2026, 9, 24, 15)]


def test_funding_calendar_has_one_event_per_future_deadline(structured_db: str) -> None:
    with client_at(structured_db, HARVEST) as client:
        response = client.get("/feeds/funding.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = cal.walk("VEVENT")
    assert sorted(e.decoded("dtstart") for e in events) == [
        utc(2026, 3, 19, 16),
        utc(2026, 4, 15, 15),
        utc(2026, 5, 12, 15),
        utc(2026, 6, 10, 15),
        utc(2026, 9, 24, 15),
    ]
    assert all(len(e.walk("VALARM")) == 1 for e in events)
    assert len({str(e["uid"]) for e in events}) == 5


def test_events_api_and_calendar(structured_db: str) -> None:
    with client_at(structured_db, HARVEST) as client:
        rows = client.get("/api/v1/events").json()["items"]
        assert [(r["title"], r["event_start"]) for r in rows] == [
            ("Sprachcafé", "2026-03-05T17:00:00Z"),
            ("European Integration Forum 2026", "2026-03-24T08:30:00Z"),
            ("Konferenz: Integration am Arbeitsmarkt", "2026-04-16T07:00:00Z"),
            ("Summer school on migration law", "2026-07-05T22:00:00Z"),
        ]
        school_row = rows[3]  # all day 6-10 July in Vienna: plain days beside the instants
        assert (school_row["all_day"], school_row["start_date"], school_row["end_date"]) == (
            True,
            "2026-07-06",
            "2026-07-10",
        )
        assert (rows[0]["start_date"], rows[0]["end_date"]) == (None, None)  # a timed event
        forum = rows[1]
        assert forum["place"] == {
            "venue": "Albert Borschette Centre",
            "city": "Brussels",
            "country": "BE",
            "online": False,
        }
        assert forum["event_end"] == "2026-03-25T16:00:00Z"
        assert [r["title"] for r in client.get("/api/v1/events?country=BE").json()["items"]] == [
            "European Integration Forum 2026"
        ]
        window = client.get("/api/v1/events?from=2026-04-01&to=2026-05-01").json()["items"]
        assert [r["title"] for r in window] == ["Konferenz: Integration am Arbeitsmarkt"]
        cal = Calendar.from_ical(client.get("/feeds/events.ics").content)
        events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
        assert set(events) == {r["title"] for r in rows}
        school = events["Summer school on migration law"]
        assert (school.decoded("dtstart"), school.decoded("dtend")) == (
            datetime(2026, 7, 6).date(),
            datetime(2026, 7, 11).date(),
        )
        forum_event = events["European Integration Forum 2026"]
        assert str(forum_event["location"]) == "Albert Borschette Centre, Brussels, BE"
    with client_at(structured_db, utc(2026, 4, 20)) as client:
        later = [r["title"] for r in client.get("/api/v1/events").json()["items"]]
    assert later == ["Summer school on migration law"]  # the others have ended


def test_digest_lists_calls_closing_within_30_days_and_coming_events(structured_db: str) -> None:
    from crawler.store.session import make_engine, session_factory
    from crawler.web import digest

    engine = make_engine(structured_db)
    with session_factory(engine)() as session:
        context = digest.newsletter_context(session, HARVEST, "https://portal.example.eu")
        daily = digest.daily_context(session, HARVEST, "https://portal.example.eu")
    engine.dispose()
    assert [c["call_id"] for c in context["calls"]] == ["ERASMUS-EDU-2026-PI-ALL-INNO-INCL"]
    assert [e["title"] for e in context["events"]][:2] == ["Sprachcafé", "European Integration Forum 2026"]
    assert [c["call_id"] for c in daily["calls"]] == ["ERASMUS-EDU-2026-PI-ALL-INNO-INCL"]
    _, text, html = digest.render("newsletter", context)
    assert "ERASMUS-EDU-2026-PI-ALL-INNO-INCL" in text and "2026-03-19" in text
    assert "Sprachcafé" in html and "Albert Borschette Centre" in text


def test_queue_json_shows_structured_fields(structured_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    from crawler.store import queue
    from crawler.store.session import make_engine, session_factory

    engine = make_engine(structured_db)
    with session_factory(engine)() as session:
        rows = {r["title"]: r for r in queue.listing(session, status=None, limit=None, now=HARVEST)}
    engine.dispose()
    erasmus = rows["Inclusive education partnerships"]
    assert (erasmus["call_id"], erasmus["programme"], erasmus["call_status"]) == (
        "ERASMUS-EDU-2026-PI-ALL-INNO-INCL",
        "Erasmus+",
        "open",
    )
    assert erasmus["deadline"] == "2026-03-19T16:00:00Z"
    forum = rows["European Integration Forum 2026"]
    assert (forum["event_start"], forum["event_end"]) == ("2026-03-24T08:30:00Z", "2026-03-25T16:00:00Z")
    assert rows["Summer school on migration law"]["event_days"] == "2026-07-06 – 2026-07-10"
    assert forum["place"] == "Albert Borschette Centre, Brussels, BE"
    json.dumps(list(rows.values()), default=str)  # the CLI prints these as JSON lines


def test_ewsi_queue_json_prints_the_structured_fields(
    structured_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command itself (in process): funding rows carry call_id, programme, deadline and
    call_status, event rows event_start, event_end and place; other keys of the other kind are null."""
    from crawler import cli

    monkeypatch.setenv("EWSI_DATABASE_URL", structured_db)
    assert cli.main(["queue", "--json", "--status", "any", "--limit", "50"]) == 0
    rows = {r["title"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    housing = rows["Access to housing for refugees and migrants"]
    assert {k: housing[k] for k in ("call_id", "programme", "call_status", "event_start", "place")} == {
        "call_id": "AMIF-2026-TF2-AG-INTE-03-HOUSING",
        "programme": "AMIF",
        "call_status": "open" if datetime.now(UTC) < utc(2026, 5, 12, 15) else "closed",
        "event_start": None,
        "place": None,
    }
    assert housing["deadline"] == "2026-05-12T15:00:00Z"
    forum = rows["European Integration Forum 2026"]
    assert (forum["event_start"], forum["event_end"], forum["place"], forum["call_id"]) == (
        "2026-03-24T08:30:00Z",
        "2026-03-25T16:00:00Z",
        "Albert Borschette Centre, Brussels, BE",
        None,
    )


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 3, 12, 17), ["ERASMUS-EDU-2026-PI-ALL-INNO-INCL"]),  # 19 March 16:00 is 6 d 23 h away
        (utc(2026, 3, 12, 16), ["ERASMUS-EDU-2026-PI-ALL-INNO-INCL"]),  # exactly 7 days
        (utc(2026, 3, 12, 15, 59), []),  # 7 days and a minute: tomorrow's run names it
        (utc(2026, 4, 8, 16), ["AMIF-2026-TF2-AG-INTE-01-LANGUAGE"]),
        (utc(2026, 3, 1, 12), []),
    ],
)
def test_deadline_alert_names_each_call_once_seven_days_ahead(
    structured_db: str, now: datetime, expected: list[str]
) -> None:
    from crawler.store.session import make_engine, session_factory
    from crawler.web import digest

    engine = make_engine(structured_db)
    with session_factory(engine)() as session:
        context = digest.alerts_context(session, now, "https://portal.example.eu")
        subject, text, html = digest.compose(session, "alerts", now=now, base_url="https://portal.example.eu")
    engine.dispose()
    assert [c["call_id"] for c in context["calls"]] == expected
    assert context["nothing_due"] is (not expected)
    if expected:
        assert subject == "EWSI: 1 funding call closes in 7 days"
        assert expected[0] in text and expected[0] in html
    else:
        assert subject == "EWSI: no funding call closes in 7 days"


def test_alert_command_sends_nothing_when_no_call_is_due(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.commands import digest
    from crawler.config import Settings
    from crawler.store.migrate import upgrade
    from crawler.store.session import make_engine

    db_url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    engine = make_engine(db_url)
    upgrade(engine=engine)
    engine.dispose()
    argv = ["send", "--kind", "alerts", "--database-url", db_url, "--to", "e@example.eu"]
    assert digest.main(argv, Settings()) == 0
    assert "nothing sent" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("programme", "expected"),
    [
        ("AMIF", ["AMIF-2026-TF2-AG-INTE-01-LANGUAGE", "AMIF-2026-TF2-AG-INTE-03-HOUSING"]),
        ("amif", ["AMIF-2026-TF2-AG-INTE-01-LANGUAGE", "AMIF-2026-TF2-AG-INTE-03-HOUSING"]),
        (" Amif ", ["AMIF-2026-TF2-AG-INTE-01-LANGUAGE", "AMIF-2026-TF2-AG-INTE-03-HOUSING"]),
        ("erasmus+", ["ERASMUS-EDU-2026-PI-ALL-INNO-INCL"]),
        ("NOPE", []),  # a programme never stored: a valid, empty filter
    ],
)
def test_programme_matches_in_any_case(structured_db: str, programme: str, expected: list[str]) -> None:
    with client_at(structured_db, HARVEST) as client:
        response = client.get("/api/v1/funding", params={"status": "open", "programme": programme})
        assert call_ids(response) == expected


def test_atom_entries_of_events_and_calls_open_with_when_and_where(structured_db: str) -> None:
    """A feed reader shows an entry's summary: an event's days or times and place, a call's deadline
    and status open it, read from the same records as the events and funding APIs."""
    import feedparser

    with client_at(structured_db, HARVEST) as client:
        events = {r["title"]: r for r in client.get("/api/v1/events").json()["items"]}
        calls = {r["call_id"]: r for r in client.get("/api/v1/funding").json()["items"]}
        feed = feedparser.parse(client.get("/feeds/type/event.atom").content)
        assert feed.entries, "no event in the feed"
        for entry in feed.entries:
            row = events.get(entry.title)
            if row is None:  # an event the events API no longer lists (ended): still a lead line
                assert entry.summary.startswith("Event: ")
                continue
            lead = entry.summary.split("\n", 1)[0]
            if row.get("start_date"):
                assert lead.startswith(f"Event: {row['start_date']}")
            else:
                assert lead.startswith(f"Event: {row['event_start'][:10]} {row['event_start'][11:16]}")
            city = (row.get("place") or {}).get("city")
            assert city is None or city in lead
        funding = feedparser.parse(client.get("/feeds/type/funding.atom").content)
        leads = [e.summary.split("\n", 1)[0] for e in funding.entries]
        assert leads and all(lead.startswith("Deadline: ") and lead.count(" UTC") == 1 for lead in leads)
        open_call = calls["AMIF-2026-TF2-AG-INTE-01-LANGUAGE"]
        due = (open_call.get("next_deadline") or open_call["final_deadline"]).replace("T", " ")[:16]
        assert any(lead.startswith(f"Deadline: {due} UTC (open)") for lead in leads), leads
        news = feedparser.parse(client.get("/feeds/type/news.atom").content)
        assert not any(e.get("summary", "").startswith(("Event: ", "Deadline: ")) for e in news.entries)


def test_the_export_carries_calls_and_events_as_the_apis_give_them(structured_db: str) -> None:
    """`ewsi export`: JSON Lines records of calls and events carry the funding and events APIs'
    fields; CSV has a call's id, programme and status, an event's start, end, days and place."""
    import csv
    import io

    from crawler.store.session import session_scope
    from crawler.web import export

    with client_at(structured_db, HARVEST) as client:
        events = {r["title"]: r for r in client.get("/api/v1/events").json()["items"]}
        calls = {r["call_id"]: r for r in client.get("/api/v1/funding").json()["items"]}
    with session_scope(structured_db) as session:
        rows = list(export.records(session, now=HARVEST))
        lines = io.StringIO()
        export.write_jsonl(rows, lines)
        table = io.StringIO()
        export.write_csv(rows, table)
    by_title = {json.loads(line)["title"]: json.loads(line) for line in lines.getvalue().splitlines()}
    for title, api in events.items():
        record = by_title[title]
        for key in ("event_start", "event_end", "all_day", "place", "start_date", "end_date"):
            assert record.get(key) == api.get(key), (title, key)
    cells = {r["title"]: r for r in csv.DictReader(io.StringIO(table.getvalue().lstrip("\ufeff")))}
    for title, api in events.items():
        row = cells[title]
        assert row["event_start"] == api["event_start"]
        assert row["event_days"] == (
            ""
            if not api.get("start_date")
            else api["start_date"]
            if api["start_date"] == api["end_date"]
            else f"{api['start_date']} – {api['end_date']}"
        )
        assert (row["place"] != "") is any((api.get("place") or {}).values())
    for call_id, api in calls.items():
        row = next(r for r in cells.values() if r["call_id"] == call_id)
        assert (row["programme"], row["call_status"]) == (api["programme"] or "", api["call_status"])
    news = [r for r in cells.values() if r["content_type"] == "news"]
    assert all(r["event_start"] == r["call_id"] == "" for r in news)
