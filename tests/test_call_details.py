"""Eligible countries as ISO codes (pipelines.countries) and the roles of a call's documents
(pipelines.calldocs), from text, from an api field mapping, through the funding stage into the store
and the portal API's attachments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from scrapy.http import TextResponse

from crawler.sources import load_sources
from crawler.types import Attachment, HarvestedItem
from pipelines.calldocs import ROLES, document_role
from pipelines.countries import EU_MEMBER_STATES, country_code, country_list, eligible_countries_in_text
from pipelines.funding import FundingPipeline
from tests.test_spiders import run

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EU_BUT_DK = [c for c in EU_MEMBER_STATES if c != "DK"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("de", "DE"),
        ("EL", "GR"),
        ("EU", None),
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("Germania", "DE"),
        ("Alemania", "DE"),
        ("Duitsland", "DE"),
        ("Niemcy", "DE"),
        ("Γερμανία", "DE"),
        ("Германия", "DE"),
        ("Saksa", "DE"),
        ("an Ghearmáin", "DE"),  # Irish, with its article
        ("Ghearmáin", "DE"),  # and without
        ("il-Ġermanja", "DE"),  # Maltese
        ("the Netherlands", "NL"),
        ("Czech Republic", "CZ"),
        ("Bosnia and Herzegovina", "BA"),
        ("  belgique ", "BE"),
        ({"@type": "Country", "name": "Italia"}, "IT"),
        ("Atlantis", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_country_code(value: object, expected: str | None) -> None:
    assert country_code(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Germany, France and Italy", ["DE", "FR", "IT"]),
        ("Deutschland, Österreich und die Schweiz", ["DE", "AT", "CH"]),
        ("la France, la Belgique et le Luxembourg", ["FR", "BE", "LU"]),
        ("Bosnia and Herzegovina; Serbia", ["BA", "RS"]),
        ("Norway or Iceland", ["NO", "IS"]),
        ("AT/DE/AT", ["AT", "DE"]),  # repeats once
        ("all EU Member States", list(EU_MEMBER_STATES)),
        ("EU Member States except Denmark", EU_BUT_DK),
        ("alle EU-Mitgliedstaaten außer Dänemark", EU_BUT_DK),
        ("tous les États membres de l'UE sauf le Danemark", EU_BUT_DK),
        ("EU-27 and Norway", [*EU_MEMBER_STATES, "NO"]),
        ("Atlantis, Utopia", []),
        ("", []),
    ],
)
def test_country_list(text: str, expected: list[str]) -> None:
    assert country_list(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The forum takes place in Italy. Eligible countries: Germany, Austria and Belgium. Partners "
            "from Spain may join as associates.",
            ["DE", "AT", "BE"],
        ),
        (
            "Förderfähige Länder: alle EU-Mitgliedstaaten außer Dänemark\nKontakt: Berlin, Deutschland",
            EU_BUT_DK,
        ),
        ("Pays éligibles : Belgique, France, Pays-Bas.\nSiège : Luxembourg", ["BE", "FR", "NL"]),
        ("Paesi ammissibili: Italia, Grecia e Malta.", ["IT", "GR", "MT"]),
        ("Países elegibles: España y Portugal.", ["ES", "PT"]),
        ("In aanmerking komende landen: Nederland en België.", ["NL", "BE"]),
        ("ELIGIBLE COUNTRIES: EL, CY", ["GR", "CY"]),
        ("Applicants from Germany and France are welcome.", []),  # names without the cue: not a list
        ("Eligible countries: see the call document. Germany hosts the info day.", []),
        ("Eligible countries: " * 20_000, []),  # hostile repetition is bounded
    ],
)
def test_eligible_countries_in_text(text: str, expected: list[str]) -> None:
    assert eligible_countries_in_text(text) == expected


@pytest.mark.parametrize(
    ("title", "url", "role"),
    [
        ("Call document", "https://x.eu/docs/amif-2026.pdf", "call document"),
        ("Call for proposals AMIF-2026-TF2-AG-INTE", None, "call document"),
        (None, "https://ec.europa.eu/docs/call-fiche_amif-2026-tf2-ag-inte_en.pdf", "call document"),
        ("Guide for applicants", "https://x.eu/call-document.pdf", "guide"),  # the title wins
        ("Frequently asked questions (FAQ)", None, "guide"),
        ("Leitfaden für Antragstellende", None, "guide"),
        ("Standard application form (Part B)", None, "template"),
        ("Annex 1 - Application form template", None, "template"),
        ("Modèle de budget", None, "template"),
        ("Annex 3: Detailed budget table", None, "annex"),
        ("Anhang 2 Finanzplan", None, "annex"),
        ("Allegato B", None, "annex"),
        ("AMIF Model Grant Agreement (MGA)", None, "model agreement"),
        (None, "https://x.eu/pdf/ec_funding-tenders_rules-lev-lear-fca_en_AMIF.pdf", "rules"),
        ("AMIF Work Programme 2026-2027", None, "work programme"),
        ("Ausschreibung Integrationsfonds 2026", None, "call document"),
        ("Convocatoria 2026", None, "call document"),
        ("Presentation of the info day", "https://x.eu/slides.pdf", "document"),
        (None, None, "document"),
    ],
)
def test_document_role(title: str | None, url: str | None, role: str) -> None:
    assert document_role(title, url) == role
    assert role in ROLES


def _call(**fields: Any) -> HarvestedItem:
    item = HarvestedItem(
        source_id="funder", url="https://funder.example.de/calls/2026", content_type="funding", fetched_at=NOW
    )
    for name, value in fields.items():
        setattr(item, name, value)
    return item


def test_the_funding_stage_fills_countries_and_roles() -> None:
    item = _call(
        title="Integration projects 2026",
        text="Deadline: 15 May 2026, 17:00 CET. Eligible countries: Germany, Austria and Switzerland. "
        "Our office is in Belgium.",
        attachments=[
            Attachment(url="https://funder.example.de/calls/2026/guide.pdf", title="Guide for applicants"),
            Attachment(url="https://funder.example.de/calls/2026/form.docx", title="Application form"),
            Attachment(url="https://funder.example.de/calls/2026/x.pdf", title="Annex", role="budget table"),
        ],
    )
    FundingPipeline().process_item(item)
    assert item.funding is not None and item.funding.eligible_countries == ["DE", "AT", "CH"]
    assert [a.role for a in item.attachments] == ["guide", "template", "budget table"]  # a given role stays


MAPPED = """
sources:
- id: national-funder
  name: National funder
  publisher: Ministry
  content_type: funding
  kind: api
  urls: ["https://funder.example.eu/api/calls"]
  timezone: Europe/Vienna
  api:
    items: calls
    title: name
    link: href
    fields:
      call_id: ref
      deadline: closes
      countries: eligible
      attachments: "docs[].{url: file, title: label, role: kind}"
"""

ANSWER = b"""{"calls": [
 {"name": "Integration 2026", "href": "/c/1", "ref": "INT-2026-01", "closes": "2026-05-15T12:00:00+02:00",
  "eligible": ["Austria", "Deutschland", "EL", "Atlantis"],
  "docs": [{"file": "/c/1/call.pdf", "label": "Call text"}, {"file": "/c/1/t.docx", "label": "Budget",
            "kind": "template"}]},
 {"name": "Integration 2027", "href": "/c/2", "ref": "INT-2027-01", "closes": "2027-05-15",
  "eligible": "all EU Member States except Denmark"}
]}"""


def _mapped_items() -> list[HarvestedItem]:
    from scrapy.utils.test import get_crawler

    from spiders.api import ApiSpider

    src = load_sources("s.yaml", text=MAPPED).sources[0]
    crawler = get_crawler(ApiSpider)
    spider = ApiSpider.from_crawler(crawler, source=src)
    crawler.stats.open_spider()
    items, _ = run(spider, TextResponse(src.urls[0], body=ANSWER, encoding="utf-8"))
    from pipelines.dedup import DedupPipeline
    from pipelines.normalize import NormalizePipeline

    stages = [NormalizePipeline(clock=lambda: NOW, frozen=True), FundingPipeline(), DedupPipeline()]
    for item in items:
        item.fetched_at = NOW
        for stage in stages:
            stage.process_item(item, spider)
    return items


def test_mapped_countries_and_documents() -> None:
    first, second = _mapped_items()
    assert first.funding is not None and second.funding is not None
    assert first.funding.eligible_countries == ["AT", "DE", "GR"]  # a name it cannot read is left out
    assert second.funding.eligible_countries == EU_BUT_DK
    assert [(a.url, a.title, a.role) for a in first.attachments] == [
        ("https://funder.example.eu/c/1/call.pdf", "Call text", "call document"),
        ("https://funder.example.eu/c/1/t.docx", "Budget", "template"),
    ]


def test_countries_and_roles_are_stored_and_published(db_session: Any) -> None:
    from sqlalchemy import select

    from crawler.store import items as queries
    from crawler.store.portal import _attachments
    from crawler.store.schema import Item

    for item in _mapped_items():
        assert queries.upsert_item(db_session, item) == "new"
    db_session.commit()
    row = db_session.scalars(select(Item).where(Item.official_id == "INT-2026-01")).one()
    assert row.eligible_countries == ["AT", "DE", "GR"]
    assert [(a["title"], a["role"]) for a in _attachments(row.attachments)] == [
        ("Call text", "call document"),
        ("Budget", "template"),
    ]
