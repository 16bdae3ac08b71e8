"""A page and its attachments are one item: which links are attachments (spiders.attachments), how
they are read (pipelines.attachments), stored once per body (crawler.store.attachments), found by
search and shown on the desk and in the API item detail."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from sqlalchemy import func, select
from twisted.python.failure import Failure

from crawler.store import attachments
from crawler.store.portal import ItemFilter, list_items, with_documents
from crawler.store.queue import QueueFilters
from crawler.store.schema import AttachmentDocument, Item, ItemAttachment
from crawler.types import Attachment, HarvestedItem
from pipelines.attachments import AttachmentsPipeline
from spiders.attachments import MAX_ATTACHMENTS, attachment_links, registrable_domain
from tests.desklab import SQLITE_ONLY, add_item, add_source, editor_client
from tests.test_spiders import make_spider

SHARED_PDF = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpus"
    / "pdf"
    / "make-it-in-germany_checklist-non-eu-professionals_en.pdf"
)


def tiny_pdf(text: str, title: str | None = None) -> bytes:
    """A valid one-page PDF: `title` as a 16 pt heading (and the Info title), then `text` in 11 pt,
    one line per sentence (Helvetica)."""

    def literal(value: str) -> str:
        return "(" + value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"

    lines = [s.strip() + "." for s in text.split(".") if s.strip()]
    heading = f"BT /F1 16 Tf 50 800 Td {literal(title)} Tj ET " if title else ""
    ops = heading + "BT /F1 11 Tf 50 770 Td 14 TL " + " ".join(f"{literal(line)} ' " for line in lines) + "ET"
    stream = ops.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (" + (title or "").encode("latin-1") + b") >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>"
    out += f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


REPORT_EN = (
    "The integration report describes language courses for refugees. Municipalities offer housing advice "
    "and mentoring for newly arrived migrants. The programme runs until the end of next year."
)
REPORT_DE = (
    "Der Integrationsbericht beschreibt Sprachkurse für Geflüchtete. Die Gemeinden bieten Wohnberatung "
    "und Mentoring für neu zugewanderte Menschen an. Das Programm läuft bis Ende des nächsten Jahres."
)

# --- which links ---------------------------------------------------------------------------------

PAGE = "https://www.bmi.bund.de/DE/themen/integration/bericht.html"


def page(body: str) -> HtmlResponse:
    return HtmlResponse(PAGE, body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # the main element's PDFs only; the menu's and footer's are site chrome
        (
            '<nav><a href="/menu.pdf">Menu</a></nav>'
            '<main><p>Text</p><a href="/r/report.pdf">Report</a></main>'
            '<footer><a href="/privacy.pdf">Privacy</a></footer>',
            [("https://www.bmi.bund.de/r/report.pdf", "Report")],
        ),
        # article and role=main count as main content
        (
            '<article><a href="a.PDF">A</a></article>',
            [("https://www.bmi.bund.de/DE/themen/integration/a.PDF", "A")],
        ),
        (
            '<div role="main"><a href="/b.pdf"> B <b>bold</b> </a></div>',
            [("https://www.bmi.bund.de/b.pdf", "B bold")],
        ),
        # no main element: the body outside nav, header, footer, aside
        (
            '<header><a href="/h.pdf">h</a></header><div><a href="/c.pdf?__blob=publicationFile">C</a></div>'
            '<aside><a href="/s.pdf">s</a></aside><div role="navigation"><a href="/n.pdf">n</a></div>',
            [("https://www.bmi.bund.de/c.pdf?__blob=publicationFile", "C")],
        ),
        # same publisher: another host of the same registrable domain; another domain is not taken
        (
            '<main><a href="https://bmi.bund.de/d.pdf">D</a><a href="https://www.bamf.de/e.pdf">E</a>'
            '<a href="https://evil.example/bmi.bund.de/f.pdf">F</a></main>',
            [("https://bmi.bund.de/d.pdf", "D")],
        ),
        # a declared type counts; an HTML link does not; a fragment is dropped and a repeat taken once
        (
            '<main><a href="/get?id=7" type="application/pdf">G</a><a href="/page.html">P</a>'
            '<a href="/r.pdf#page=2">R</a><a href="/r.pdf">R again</a></main>',
            [("https://www.bmi.bund.de/get?id=7", "G"), ("https://www.bmi.bund.de/r.pdf", "R")],
        ),
        # not web links
        ('<main><a href="javascript:x.pdf">J</a><a href="mailto:a@b.pdf">M</a><a href="">E</a></main>', []),
        # an image-only anchor has no title
        ('<main><a href="/i.pdf"><img src="x.png"></a></main>', [("https://www.bmi.bund.de/i.pdf", None)]),
    ],
)
def test_attachment_links_are_main_content_pdfs_of_the_same_publisher(body: str, expected: list[Any]) -> None:
    assert attachment_links(page(body)) == expected


def test_attachment_links_are_capped_and_need_markup() -> None:
    many = "<main>" + "".join(f'<a href="/{n}.pdf">{n}</a>' for n in range(25)) + "</main>"
    assert len(attachment_links(page(many))) == MAX_ATTACHMENTS
    assert attachment_links(TextResponse(PAGE, body=b'{"a": "/x.pdf"}', encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.bmi.bund.de/x", "bund.de"),
        ("https://ec.europa.eu/a", "europa.eu"),
        ("https://eur-lex.europa.eu/b", "europa.eu"),
        ("https://www.gov.uk/c", "www.gov.uk"),  # gov.uk is a public suffix
        ("https://regeringen.se/d", "regeringen.se"),
        ("http://127.0.0.2:8080/e", "127.0.0.2"),
        ("https://WWW.Example.CO.UK./f", "example.co.uk"),
    ],
)
def test_registrable_domain(url: str, domain: str) -> None:
    assert registrable_domain(url) == domain


def test_page_with_attachments_is_emitted_after_its_last_attachment() -> None:
    spider = make_spider(id="att", kind="feed", urls=["https://x.de/feed"], follow=True, attachments=True)
    item = spider.new_item(PAGE)
    body = b'<html><body><main><a href="/a.pdf">A</a><a href="/b.pdf">B</a></main></body></html>'
    response = HtmlResponse(PAGE, body=body, request=Request(PAGE))
    (first,) = list(spider.parse_page(response, item))
    assert isinstance(first, Request) and first.url == "https://www.bmi.bund.de/a.pdf"
    assert first.meta["ewsi_role"] == "attachment" and first.dont_filter
    pdf = HtmlResponse(
        first.url, body=b"%PDF-1.4", request=first, headers={"Content-Type": "application/pdf"}
    )
    (second,) = list(spider.parse_attachment(pdf, **first.cb_kwargs))
    assert isinstance(second, Request) and second.url == "https://www.bmi.bund.de/b.pdf"
    failure = Failure(HttpError(Response(second.url, status=404, request=second)))
    failure.request = second  # type: ignore[attr-defined]
    (done,) = list(spider.attachment_failed(failure))
    assert done is item and item.body == body
    assert [(a.url, a.title, a.body, a.flags) for a in item.attachments] == [
        ("https://www.bmi.bund.de/a.pdf", "A", b"%PDF-1.4", []),
        ("https://www.bmi.bund.de/b.pdf", "B", None, ["attachment_fetch.http_404"]),
    ]


def test_source_without_attachments_emits_the_page_at_once() -> None:
    spider = make_spider(id="att2", kind="feed", urls=["https://x.de/feed"], follow=True)
    item = spider.new_item(PAGE)
    response = HtmlResponse(PAGE, body=b'<main><a href="/a.pdf">A</a></main>', request=Request(PAGE))
    assert list(spider.parse_page(response, item)) == [item] and item.attachments == []


# --- how they are read ---------------------------------------------------------------------------


def read(*attachments_: Attachment, languages: tuple[str, ...] = ("de",)) -> HarvestedItem:
    item = HarvestedItem(
        source_id="s", url=PAGE, declared_languages=list(languages), attachments=list(attachments_)
    )
    pipeline = AttachmentsPipeline()
    pipeline.in_process = True
    return pipeline.process_item(item)


def test_pdfs_are_read_and_the_same_bytes_from_a_mirror_are_one_document() -> None:
    en, de = tiny_pdf(REPORT_EN, "Integration report 2025"), tiny_pdf(REPORT_DE, "Integrationsbericht 2025")
    item = read(
        Attachment("https://www.bmi.bund.de/en.pdf", "English", body=en),
        Attachment("https://www.bmi.bund.de/de.pdf", "Deutsch", body=de),
        Attachment("https://mirror.bmi.bund.de/en.pdf", "Mirror", body=en),
        Attachment("https://www.bmi.bund.de/fake.pdf", "Fake", body=b"<html><body>Not found</body></html>"),
        Attachment("https://www.bmi.bund.de/gone.pdf", "Gone", flags=["attachment_fetch.http_404"]),
    )
    got = [(a.url, a.language, a.document_title, a.sha256, a.flags, a.body) for a in item.attachments]
    assert got == [
        (
            "https://www.bmi.bund.de/en.pdf",
            "en",
            "Integration report 2025",
            hashlib.sha256(en).hexdigest(),
            [],
            None,
        ),
        (
            "https://www.bmi.bund.de/de.pdf",
            "de",
            "Integrationsbericht 2025",
            hashlib.sha256(de).hexdigest(),
            [],
            None,
        ),
        ("https://www.bmi.bund.de/fake.pdf", None, None, None, ["attachment.not_pdf"], None),
        ("https://www.bmi.bund.de/gone.pdf", None, None, None, ["attachment_fetch.http_404"], None),
    ]
    assert "language courses for refugees" in (item.attachments[0].text or "")
    assert item.attachments[0].page_count == 1 and item.attachments[0].size == len(en)


@pytest.mark.skipif(not SHARED_PDF.exists(), reason="../shared/corpus is not here (recorded PDFs)")
def test_a_recorded_pdf_gets_its_text_title_and_language() -> None:
    body = SHARED_PDF.read_bytes()
    (attachment,) = read(Attachment("https://www.make-it-in-germany.com/x.pdf", body=body)).attachments
    assert attachment.language == "en" and attachment.page_count and attachment.page_count >= 1
    assert attachment.text and len(attachment.text) > 1000 and "qualification" in attachment.text.lower()
    assert attachment.document_title and not attachment.document_title.lower().endswith(".pdf")


# --- stored once, searchable, shown ----------------------------------------------------------------


def fetched(url: str, text: str, title: str, language: str, link_title: str | None = None) -> Attachment:
    body = tiny_pdf(text, title)
    return Attachment(
        url,
        link_title,
        "application/pdf",
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
        text=text,
        document_title=title,
        language=language,
        page_count=1,
    )


@pytest.fixture
def stored(Session: Any) -> dict[str, int]:
    """Two published items (one per mirror site) linking the same report, a third with a German one."""
    with Session() as session:
        add_source(session, "src-a")
        add_source(session, "src-b")
        one = add_item(session, 1, status="approved", title="Report published", approved_at=func.now())
        two = add_item(
            session, 2, source_id="src-b", status="approved", title="Mirror", approved_at=func.now()
        )
        three = add_item(session, 3, status="pending", title="Bericht")
        report = fetched(
            "https://www.bmi.bund.de/en.pdf", REPORT_EN, "Integration report 2025", "en", "Report"
        )
        mirror = fetched("https://mirror.bmi.bund.de/en.pdf", REPORT_EN, "Integration report 2025", "en")
        assert attachments.save(session, one.id, [report, Attachment("https://x.de/link-only.pdf")]) == 1
        assert attachments.save(session, two.id, [mirror]) == 1
        assert attachments.save(session, one.id, [report]) == 0  # a second run adds nothing
        german = fetched("https://www.bmi.bund.de/de.pdf", REPORT_DE, "Integrationsbericht", "de")
        attachments.save(session, three.id, [german])
        session.commit()
        return {"one": one.id, "two": two.id, "three": three.id}


PORTAL_SEARCHES = [
    # published items only: the German report's item is pending
    ("mentoring", ["one", "two"]),
    ("Wohnberatung", []),
    ("nothing-like-it", []),
]
DESK_SEARCHES = [
    # every word in the title or in an attachment (a substring on SQLite, a word on PostgreSQL)
    ("Wohnberatung", ["three"]),
    ("Bericht", ["three"]),
    ("courses mentoring", ["one", "two"]),
    ("mentoring", ["one", "two", "three"]),
    ("Item 3", []),
]


def test_one_document_per_body_linked_to_each_item_and_found_by_search(
    Session: Any, stored: dict[str, int]
) -> None:
    """One database per back end for the whole table (a fresh PostgreSQL database costs seconds)."""
    with Session() as session:
        assert session.scalar(select(func.count()).select_from(AttachmentDocument)) == 2
        assert session.scalar(select(func.count()).select_from(ItemAttachment)) == 3
        docs = attachments.documents_of(session, stored["two"], excerpt=30)
        assert [(d["url"], d["title"], d["language"], d["text_chars"], d["excerpt"]) for d in docs] == [
            (
                "https://mirror.bmi.bund.de/en.pdf",
                "Integration report 2025",
                "en",
                len(REPORT_EN),
                REPORT_EN[:30],
            )
        ]
        for q, expected in PORTAL_SEARCHES:
            page = list_items(session, ItemFilter(q=q))
            assert sorted(i["id"] for i in page.items) == sorted(stored[k] for k in expected), q
        for q, expected in DESK_SEARCHES:
            ids = session.scalars(
                select(Item.id).where(*QueueFilters(status="any", q=q).conditions(session)).order_by(Item.id)
            ).all()
            assert ids == sorted(stored[k] for k in expected), q


def test_with_documents_merges_links_and_documents() -> None:
    links = [
        {"url": "https://a/x.pdf", "title": "X", "media_type": None},
        {"url": "https://a/y.pdf", "title": None, "media_type": None},
    ]
    doc = {
        "url": "https://a/x.pdf",
        "link_title": "X",
        "title": "Doc X",
        "language": "en",
        "page_count": 2,
        "text_chars": 10,
        "sha256": "a" * 64,
        "media_type": "application/pdf",
        "excerpt": "e",
    }
    other = {**doc, "url": "https://b/z.pdf", "link_title": "Z", "sha256": "b" * 64}
    merged = with_documents(links, [doc, other])
    assert [(m["url"], m["title"], m.get("document_title"), m.get("sha256")) for m in merged] == [
        ("https://a/x.pdf", "X", "Doc X", "a" * 64),
        ("https://a/y.pdf", None, None, None),
        ("https://b/z.pdf", "Z", "Doc X", "b" * 64),
    ]


@SQLITE_ONLY
def test_desk_and_api_show_the_attachments(app: Any, Session: Any, stored: dict[str, int]) -> None:
    client = editor_client(app, Session)
    html = client.get(f"/items/{stored['one']}").text
    assert "Integration report 2025" in html and "en, 1 page," in html
    assert (
        REPORT_EN[:40] in html and "https://x.de/link-only.pdf" not in html
    )  # only links with a document row
    from crawler.web.portal import install

    install(app, anonymous_per_minute=10_000)
    detail = TestClient(app).get(f"/api/v1/items/{stored['one']}").json()
    (report,) = [a for a in detail["attachments"] if a["sha256"]]
    assert report["document_title"] == "Integration report 2025" and report["language"] == "en"
    assert report["text_chars"] == len(REPORT_EN) and report["url"] == "https://www.bmi.bund.de/en.pdf"
