"""crawler.store.sources on SQLite and PostgreSQL: metadata sync keeps health; source status."""

from __future__ import annotations

from sqlalchemy import update

from crawler.sources import Source
from crawler.store.items import upsert_item
from crawler.store.runs import finish_run, start_run
from crawler.store.schema import Item, SourceRow
from crawler.store.sources import source_status, sync_sources
from tests.storedata import make_item, report, source


def test_sync_sources_keeps_health(db_session):
    assert sync_sources(db_session, [source(), source("src-b")]) == 2
    run_id = start_run(db_session, "src-a")
    finish_run(db_session, run_id, report("failed", error_key="fetch.dns"))
    db_session.commit()
    api = {"items": "items", "title": "t", "link": "l"}
    renamed = Source(
        id="src-a", name="Renamed", publisher="P", kind="api", urls=["https://x.eu"], api=api, enabled=False
    )
    sync_sources(db_session, [renamed])
    db_session.commit()
    src = db_session.get(SourceRow, "src-a")
    assert (src.name, src.kind, src.enabled) == ("Renamed", "api", False)
    assert (src.state, src.consecutive_failures, src.last_error_key) == ("failing", 1, "fetch.dns")


def test_source_status(db_session):
    sync_sources(db_session, [source(), source("src-b")])
    upsert_item(db_session, make_item(1))
    upsert_item(db_session, make_item(2))
    db_session.execute(update(Item).where(Item.title == "Title 2").values(status="approved"))
    run_id = start_run(db_session, "src-a")
    finish_run(db_session, run_id, report("ok", items_new=2))
    db_session.commit()
    status = {s["id"]: s for s in source_status(db_session)}
    assert (status["src-a"]["items_total"], status["src-a"]["items_pending"]) == (2, 1)
    assert (status["src-a"]["state"], status["src-a"]["last_run_status"]) == ("healthy", "ok")
    assert status["src-a"]["last_success_at"].endswith("Z")
    other = status["src-b"]
    assert (other["items_total"], other["state"], other["last_run_status"]) == (0, "new", None)
