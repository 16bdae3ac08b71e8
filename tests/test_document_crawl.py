"""`ewsi crawl` on a loopback server: an API that lists titles only gets each record's detail text,
a followed page's PDFs become its attachments (one document per body, never queue rows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crawler.store.schema import AttachmentDocument, Item, ItemAttachment
from crawler.store.session import make_engine, session_factory
from tests.fetchlab import crawl, migrate
from tests.lab import LabServer, Route
from tests.test_attachments import REPORT_DE, REPORT_EN, tiny_pdf

pytestmark = pytest.mark.slow
ECI = Path(__file__).resolve().parent / "data" / "eci"
JSON = {"Content-Type": "application/json"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
PDF = {"Content-Type": "application/pdf"}

PAGE = """<!doctype html><html lang="en"><head><title>{title} | Ministry</title></head><body>
<nav><a href="/docs/menu.pdf">Annual plan</a></nav>
<main><h1>{title}</h1><p>{text}</p><p>{text}</p>{links}</main>
<footer><a href="/docs/privacy.pdf">Privacy</a></footer></body></html>"""
TEXT = (
    "The ministry publishes its integration report: language courses, housing advice and mentoring for "
    "newly arrived migrants and refugees in every region."
)


def routes() -> dict[str, Any]:
    report, annex = tiny_pdf(REPORT_EN, "Integration report 2025"), tiny_pdf(REPORT_DE, "Anhang")
    links_1 = (
        '<a href="/docs/report.pdf">Report (PDF)</a> <a href="/mirror/report.pdf">Mirror</a>'
        '<a href="/docs/annex.pdf">Annex</a> <a href="/docs/missing.pdf">Missing</a>'
    )
    return {
        "/core/api/register/search/ALL/EN/0/1000": Route(
            (ECI / "search_ALL_EN_0_1000.json").read_bytes(), headers=JSON
        ),
        "/core/api/register/details/2023/000002": Route(
            (ECI / "details_2023_000002.json").read_bytes(), headers=JSON
        ),
        "/core/api/register/details/2019/000007": Route(
            (ECI / "details_2019_000007.json").read_bytes(), headers=JSON
        ),
        "/news/1": Route(
            PAGE.format(title="Integration report", text=TEXT, links=links_1).encode(), headers=HTML
        ),
        "/news/2": Route(
            PAGE.format(
                title="Report summary", text=TEXT[::-1], links='<a href="/docs/report.pdf">R</a>'
            ).encode(),
            headers=HTML,
        ),
        "/docs/report.pdf": Route(report, headers=PDF),
        "/mirror/report.pdf": Route(report, headers=PDF),
        "/docs/annex.pdf": Route(annex, headers=PDF),
        "/docs/menu.pdf": Route(annex, headers=PDF),
        "/docs/privacy.pdf": Route(annex, headers=PDF),
    }


FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Ministry</title>
<item><title>news 1</title><link>{base}/news/1</link><guid>n1</guid></item>
<item><title>news 2</title><link>{base}/news/2</link><guid>n2</guid></item></channel></rss>"""


def test_detail_text_and_attachments_end_to_end(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    with LabServer("127.0.0.2", routes()) as lab:
        lab.routes["/feed.xml"] = Route(
            FEED.format(base=lab.base).encode(), headers={"Content-Type": "application/rss+xml"}
        )
        sources = [
            {
                "id": "eci-register",
                "kind": "api",
                "content_type": "document",
                "urls": [lab.url("/core/api/register/search/ALL/EN/0/1000")],
                "api": {
                    "items": "entries",
                    "title": "title",
                    "id": "pubRegNum",
                    "link_template": "https://citizens-initiative.europa.eu/initiatives/details/{year}/{number}_en",
                    "detail": {
                        "url": lab.base + "/core/api/register/details/{year}/{number}",
                        "text": "linguisticVersions[?languageCode=='EN'].objectives | [0]",
                    },
                },
            },
            {
                "id": "ministry",
                "kind": "feed",
                "urls": [lab.url("/feed.xml")],
                "follow": True,
                "attachments": True,
            },
        ]
        first = crawl(tmp_path, db_url, sources)
        assert first.returncode == 0, first.stderr[-3000:]
        fetched_once = sorted(lab.paths())

    # title-only records: the detail's objectives as plain text; a failed or empty detail keeps the title
    eci = {i["title"]: i for i in first.items_of("eci-register")}
    assert len(eci) == 3 and first.run("eci-register")["status"] == "ok"
    reception = eci["Ensuring a dignified reception of migrants in Europe"]["text"]
    assert (
        reception.startswith("We call on the Commission")
        and "alert" not in reception
        and "<" not in reception
    )
    assert (
        "language courses and recognition of qualifications to support their integration;"
        in reception.splitlines()
    )
    assert sorted(t for t, i in eci.items() if not i["text"]) == [
        "Article 4: Stop torture and inhuman treatment at Europe’s borders",
        "Cohesion policy for the equality of the regions and sustainability of the regional cultures",
    ]
    page_errors = first.run("eci-register")["stats"].get("page_errors", {})
    assert page_errors == {"fetch.http_404": 1, "parse.detail_empty": 1}

    # the pages are the only queue rows; the menu's and footer's PDFs were never asked for
    assert sorted(i["url"].rsplit("/", 1)[-1] for i in first.items_of("ministry")) == ["1", "2"]
    assert "/docs/menu.pdf" not in fetched_once and "/docs/privacy.pdf" not in fetched_once
    assert fetched_once.count("/docs/report.pdf") == 2 and "/mirror/report.pdf" in fetched_once

    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        docs = {d.title: d for d in session.scalars(select(AttachmentDocument))}
        links = session.execute(
            select(Item.url, ItemAttachment.url, AttachmentDocument.title)
            .join(ItemAttachment, ItemAttachment.item_id == Item.id)
            .join(AttachmentDocument, AttachmentDocument.id == ItemAttachment.document_id)
            .order_by(Item.url, ItemAttachment.id)
        ).all()
        counts = (
            session.scalar(select(func.count()).select_from(Item)),
            session.scalar(select(func.count()).select_from(ItemAttachment)),
        )
    engine.dispose()
    assert set(docs) == {"Integration report 2025", "Anhang"}  # the mirror's bytes are the same document
    assert (docs["Integration report 2025"].language, docs["Anhang"].language) == ("en", "de")
    assert [(page.rsplit("/", 1)[-1], link.rsplit("/", 2)[-2], title) for page, link, title in links] == [
        ("1", "docs", "Integration report 2025"),
        ("1", "docs", "Anhang"),
        ("2", "docs", "Integration report 2025"),
    ]
    # no attachment became an item (a second run adding nothing: tests/test_attachments.py, `stored`)
    assert counts == (5, 3)
