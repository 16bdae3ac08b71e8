"""Funding calls from a Funding & Tenders-shaped search answer (tests/data/funding_tenders_search_*.json):
the api template's field mapping, the funding stage, and versions in the store.

Field paths relied on (the portal's search API, as public clients read it): ``results[]``, per result
``summary`` and ``metadata.{identifier, title, status, startDate, deadlineDate, budgetOverview}``;
every metadata value is a list; ``deadlineDate`` holds one value per cut-off; ``status`` is
31094501 forthcoming, 31094502 open, 31094503 closed; ``budgetOverview[0]`` is JSON text whose
``budgetTopicActionMap.*[].budgetYearMap`` holds the amounts per year (EUR).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import TextResponse

from crawler.errors import ConfigError
from crawler.sources import load_sources
from crawler.types import HarvestedItem
from pipelines.dedup import DedupPipeline
from pipelines.funding import FundingPipeline
from pipelines.normalize import NormalizePipeline
from tests.test_spiders import run

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SEARCH_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search?apiKey=SEDIA&text=***&pageSize=50"

SOURCE_YAML = f"""
sources:
- id: eu-funding-tenders
  name: "EU Funding & Tenders Portal: calls for proposals"
  publisher: European Commission
  content_type: funding
  kind: api
  urls: ["{SEARCH_URL}"]
  timezone: Europe/Brussels
  api:
    items: results
    title: "metadata.title[0]"
    summary: summary
    link_template: "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/{{metadata.identifier[0]}}"
    fields:
      call_id: "metadata.identifier[0]"
      status: "metadata.status[0]"
      opening: "metadata.startDate[0]"
      deadline: "metadata.deadlineDate"
      budget: "metadata.budgetOverview[0]"
    status_map: {{"31094501": forthcoming, "31094502": open, "31094503": closed}}
"""


def source() -> Any:
    return load_sources("sources.yaml", text=SOURCE_YAML).sources[0]


def harvest(answer: str) -> list[HarvestedItem]:
    """The items of one recorded answer after the spider, normalise, funding and dedup stages."""
    from scrapy.utils.test import get_crawler

    from spiders.api import ApiSpider

    crawler = get_crawler(ApiSpider)
    spider = ApiSpider.from_crawler(crawler, source=source())
    crawler.stats.open_spider()
    items, _ = run(spider, TextResponse(SEARCH_URL, body=(DATA / answer).read_bytes(), encoding="utf-8"))
    stages = [NormalizePipeline(clock=lambda: NOW, frozen=True), FundingPipeline(), DedupPipeline()]
    for item in items:
        for stage in stages:
            stage.process_item(item, spider)
    return items


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# call id -> (status, deadlines, programme, budget)
EXPECTED = {
    "AMIF-2026-TF2-AG-INTE-01-LANGUAGE": ("open", [utc(2026, 4, 15, 15)], "AMIF", 4_000_000.0),
    "CERV-2026-CHAR-LITI": ("forthcoming", [utc(2026, 6, 10, 15)], "CERV", 1_500_000.0),
    "ESF-2025-SOCPL-INTEG": ("closed", [utc(2025, 11, 20, 16)], "ESF+", 2_000_000.0),
    "ERASMUS-EDU-2026-PI-ALL-INNO-INCL": (
        "open",
        [utc(2026, 3, 19, 16), utc(2026, 9, 24, 15)],
        "Erasmus+",
        5_000_000.0,
    ),
    "AMIF-2026-TF2-AG-INTE-03-HOUSING": ("open", [utc(2026, 5, 12, 15)], "AMIF", 3_000_000.0),
    # published as open, but its only deadline has passed: closed
    "AMIF-2025-TF2-AG-INTE-06-HEALTH": ("closed", [utc(2026, 2, 10, 16)], "AMIF", 1_000_000.0),
}


def test_search_answer_gives_structured_calls() -> None:
    items = harvest("funding_tenders_search_1.json")
    got = {
        i.funding.call_id: (
            i.funding.status,
            i.funding.deadlines,
            i.funding.programme,
            i.funding.budget_amount,
        )
        for i in items
        if i.funding
    }
    assert got == EXPECTED
    by_id = {i.official_id: i for i in items}
    assert set(by_id) == set(EXPECTED)  # the call id is the item's official id: stable across versions
    erasmus = by_id["ERASMUS-EDU-2026-PI-ALL-INNO-INCL"]
    assert erasmus.deadline == utc(2026, 3, 19, 16)  # the next cut-off at harvest time
    assert erasmus.funding and erasmus.funding.opens_at == utc(2026, 1, 10)
    assert erasmus.url.endswith("/topic-details/ERASMUS-EDU-2026-PI-ALL-INNO-INCL")
    assert by_id["ESF-2025-SOCPL-INTEG"].deadline == utc(2025, 11, 20, 16)  # closed: its last deadline
    assert all(i.funding and i.funding.budget_currency == "EUR" for i in items)


def test_corrigendum_changes_the_content_hash_of_that_call_only() -> None:
    first = {i.official_id: i for i in harvest("funding_tenders_search_1.json")}
    second = {i.official_id: i for i in harvest("funding_tenders_search_2.json")}
    changed = {k for k in first if first[k].content_hash != second[k].content_hash}
    assert changed == {"AMIF-2026-TF2-AG-INTE-03-HOUSING"}
    housing = second["AMIF-2026-TF2-AG-INTE-03-HOUSING"]
    assert housing.funding and housing.funding.deadlines == [utc(2026, 6, 2, 15)]
    assert housing.funding.budget_amount == 3_500_000.0


def test_store_keeps_versions_of_a_changed_call(db_session: Any) -> None:
    from crawler.store import items as queries

    outcomes = [queries.upsert_item(db_session, i) for i in harvest("funding_tenders_search_1.json")]
    assert outcomes == ["new"] * 6
    outcomes = {
        i.official_id: queries.upsert_item(db_session, i) for i in harvest("funding_tenders_search_2.json")
    }
    assert outcomes.pop("AMIF-2026-TF2-AG-INTE-03-HOUSING") == "updated"
    assert set(outcomes.values()) == {"unchanged"}
    db_session.commit()
    from sqlalchemy import select

    from crawler.store.schema import Item

    row = db_session.scalars(select(Item).where(Item.official_id == "AMIF-2026-TF2-AG-INTE-03-HOUSING")).one()
    assert (row.version, row.deadline) == (2, utc(2026, 6, 2, 15))
    versions = queries.item_versions(db_session, row.id)
    assert [(v["version"], v["changed_fields"]) for v in versions] == [
        (1, ["summary", "deadlines", "budget_amount"])  # what the editor is shown as changed
    ]
    assert (row.final_deadline, row.budget_amount) == (utc(2026, 6, 2, 15), 3_500_000.0)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ('deadline: "metadata.deadlineDate"', 'deadline: "metadata.["'),
            "api.fields.deadline: invalid JMESPath",
        ),
        (("budget:", "budgett:"), "api.fields.budgett: unknown field"),
        (
            ("closed}", "shut}"),
            "api.status_map.31094503: expected one of forthcoming, open or closed, got 'shut'",
        ),
        (
            ("kind: api", "kind: icall"),
            "kind: expected one of feed, listing, sitemap, api or ical, got 'icall'",
        ),
    ],
)
def test_config_errors_name_file_line_and_field(edit: tuple[str, str], message: str) -> None:
    text = SOURCE_YAML.replace(*edit)
    with pytest.raises(ConfigError) as err:
        load_sources("sources.yaml", text=text)
    problems = err.value.problems
    assert len(problems) == 1 and problems[0].startswith("sources.yaml:")
    line = int(problems[0].split(":")[1])
    assert edit[1].split(":")[0].strip().strip('"') in text.splitlines()[line - 1] or "status_map" in message
    assert message in problems[0]


def test_ical_source_needs_only_urls() -> None:
    text = """
sources:
- id: network-events
  name: Events
  publisher: Network
  content_type: event
  kind: ical
  urls: ["https://x.eu/events.ics"]
"""
    assert load_sources("s.yaml", text=text).sources[0].kind == "ical"


EVENTS_YAML = """
sources:
- id: network-events-api
  name: Events API
  publisher: Network
  content_type: event
  kind: api
  urls: ["https://events.example.eu/api/events"]
  timezone: Europe/Rome
  api:
    items: data
    title: name
    link: link
    fields:
      event_start: start
      event_end: end
      venue: place.name
      city: place.city
      country: place.country
      online: remote
      organiser: host
      registration_url: signup
      attachments: "files[].{url: href, title: label}"
"""

EVENTS_ANSWER = b"""{"data": [
 {"name": "Forum", "link": "/e/1", "start": "2026-05-04 09:00", "end": "2026-05-04 17:30",
  "place": {"name": "Palazzo", "city": "Roma", "country": "Italy"}, "remote": "false", "host": "Comune",
  "signup": "https://events.example.eu/e/1/signup",
  "files": [{"href": "/e/1/agenda.pdf", "label": "Agenda"}, {"href": ""}]},
 {"name": "Webinar", "link": "/e/2", "start": "2026-05-10", "remote": true}
]}"""


def test_api_event_fields_are_mapped() -> None:
    from scrapy.utils.test import get_crawler

    from pipelines.events import EventsPipeline
    from spiders.api import ApiSpider

    src = load_sources("s.yaml", text=EVENTS_YAML).sources[0]
    crawler = get_crawler(ApiSpider)
    spider = ApiSpider.from_crawler(crawler, source=src)
    crawler.stats.open_spider()
    items, _ = run(spider, TextResponse(src.urls[0], body=EVENTS_ANSWER, encoding="utf-8"))
    for item in items:
        EventsPipeline().process_item(item, spider)
    forum, webinar = items
    assert [(a.url, a.title) for a in forum.attachments] == [
        ("https://events.example.eu/e/1/agenda.pdf", "Agenda")
    ]
    assert forum.event is not None and webinar.event is not None
    assert (forum.event.start, forum.event.end, forum.event.all_day) == (
        utc(2026, 5, 4, 7),
        utc(2026, 5, 4, 15, 30),
        False,
    )
    assert (forum.event.venue, forum.event.city, forum.event.country, forum.event.online) == (
        "Palazzo",
        "Roma",
        "IT",
        False,
    )
    assert (forum.event.organiser, forum.event.registration_url) == (
        "Comune",
        "https://events.example.eu/e/1/signup",
    )
    assert (webinar.event.start, webinar.event.end, webinar.event.all_day, webinar.event.online) == (
        utc(2026, 5, 9, 22),
        utc(2026, 5, 10, 22),
        True,
        True,
    )


TOPIC_YAML = """
sources:
- id: ft-topic
  name: Topic
  publisher: European Commission
  content_type: funding
  kind: api
  urls: ["https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/amif-2026-tf2-ag-inte-02-women.json"]
  timezone: Europe/Brussels
  api:
    items: "[TopicDetails]"
    title: title
    summary: description
    link_template: "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/{identifier}"
    fields:
      call_id: identifier
      status: "actions[0].status.abbreviation"
      opening: "actions[0].plannedOpeningDate"
      deadline: "actions[].deadlineDates[]"
"""


def test_topic_details_answer() -> None:
    """Topic details (``TopicDetails.actions[].deadlineDates`` written as days): a day is the end of it."""
    from scrapy.utils.test import get_crawler

    from spiders.api import ApiSpider

    src = load_sources("s.yaml", text=TOPIC_YAML).sources[0]
    crawler = get_crawler(ApiSpider)
    spider = ApiSpider.from_crawler(crawler, source=src)
    crawler.stats.open_spider()
    body = (DATA / "funding_tenders_topic.json").read_bytes()
    (item,) = run(spider, TextResponse(src.urls[0], body=body, encoding="utf-8"))[0]
    NormalizePipeline(clock=lambda: NOW, frozen=True).process_item(item, spider)
    FundingPipeline().process_item(item, spider)
    assert item.summary == "Projects supporting the social and economic integration of migrant women."
    call = item.funding
    assert call is not None
    assert (call.call_id, call.programme, call.status) == ("AMIF-2026-TF2-AG-INTE-02-WOMEN", "AMIF", "open")
    assert call.opens_at == utc(2026, 1, 14, 23)  # local midnight, Brussels
    assert call.deadlines == [utc(2026, 4, 15, 21, 59, 59)]  # end of 15 April, Brussels (CEST)
