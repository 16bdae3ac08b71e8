"""Cases built from public bug reports of feed readers, crawlers and schedulers (tests/cases/*).

Each folder holds its own input files, a README.md citing the report (owner/repo#N) with the expected
outcome, and ``case.yaml``: ``kind`` (feed, sitemap or schedule), the input and how it is served
(``content_type``, the source's ``languages``), and ``expect``: item ``urls`` in order, ``titles``,
``published`` (UTC ISO), ``attachments``, ``guids``, ``distinct_identities`` (also equal on a second
run when ``runs: 2``), spider ``stats``, the run's ``error_key``; for schedules the zone, the cron, a
window and the expected local ``fires``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from scrapy.http import TextResponse

from crawler.health import build_report
from crawler.scheduling.triggers import SourceCronTrigger
from pipelines.dedup import item_identity
from tests.test_spiders import make_spider, run, stats

CASES = Path(__file__).parent / "cases"
FOLDERS = sorted(p for p in CASES.iterdir() if (p / "case.yaml").is_file())
URL = {"feed": "https://city.example.eu/feeds/news", "sitemap": "https://city.example.eu/sitemap"}


def _harvest(folder: Path, spec: dict[str, Any]) -> tuple[list[Any], Any]:
    kind = spec["kind"]
    spider = make_spider(id=folder.name, kind=kind, urls=[URL[kind]], languages=spec.get("languages", ["en"]))
    body = (folder / spec["input"]).read_bytes()
    headers = {"Content-Type": spec["content_type"]} if spec.get("content_type") else {}
    items, _ = run(spider, TextResponse(URL[kind], body=body, headers=headers, encoding="latin-1"))
    for item in items:
        item.identity = item_identity(item)
    return items, spider


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_public_case(folder: Path) -> None:
    spec = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
    assert (folder / "README.md").read_text(encoding="utf-8").count(spec["report"]) >= 1
    expect = spec["expect"]
    if spec["kind"] == "schedule":
        zone = ZoneInfo(spec["zone"])
        trigger = SourceCronTrigger.from_crontab(spec["cron"], timezone=zone)
        start, until = datetime.fromisoformat(spec["from"]), datetime.fromisoformat(spec["until"])
        fires, fire = [], trigger.get_next_fire_time(None, start)
        while fire is not None and fire <= until and len(fires) < 100:
            fires.append(fire.astimezone(zone).isoformat())
            fire = trigger.get_next_fire_time(fire, fire)
        assert fires == expect["fires"]
        return
    items, spider = _harvest(folder, spec)
    got = stats(spider)
    if "urls" in expect:
        assert [i.url for i in items] == expect["urls"]
    if "titles" in expect:
        assert [i.title for i in items] == expect["titles"]
    if "published" in expect:
        assert [i.published_at.isoformat() for i in items] == expect["published"]
    if "attachments" in expect:
        assert [[a.url for a in i.attachments] for i in items] == expect["attachments"]
    if "guids" in expect:
        assert [i.guid for i in items] == expect["guids"]
    if "distinct_identities" in expect:
        assert len({i.identity for i in items}) == expect["distinct_identities"] == len(items)
    for key, value in (expect.get("stats") or {}).items():
        assert got.get(key) == value, key
    for _ in range(spec.get("runs", 1) - 1):
        again, _ = _harvest(folder, spec)
        assert [i.identity for i in again] == [i.identity for i in items]
    report = build_report(folder.name, got, spider.started_at, "finished")
    assert report.error_key == expect["error_key"]
    assert report.status == ("failed" if expect["error_key"] else "ok")
