"""PDFs that give no text, or only with some help: an empty user password is opened, another password
is flagged ``extract.pdf_encrypted``, a scan without a text layer ``extract.pdf_no_text``; the bytes
decide, not the Content-Type or the URL; the item is kept with its listing data either way (a crawl
into SQLite and PostgreSQL). Made-up PDFs, one fault per row."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from pipelines.extract import extract_document
from tests.desklab import SQLITE_ONLY
from tests.lab import LabServer, Route
from tests.test_attachments import REPORT_EN, tiny_pdf
from tests.test_cases import crawl, items, migrate, write_config

TITLE = "Integration report 2025"


def encrypted(password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(tiny_pdf(REPORT_EN, TITLE))))
    writer.encrypt(user_password=password, owner_password="owner-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned(pages: int = 2) -> bytes:
    """Pages with no text operators at all (an image-only scan, image left out)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": "Microsoft Word - scan0001.docx"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("body", "media_type", "text", "title", "warnings"),
    [
        pytest.param(tiny_pdf(REPORT_EN, TITLE), "application/pdf", True, TITLE, (), id="plain"),
        pytest.param(encrypted(""), "application/pdf", True, TITLE, (), id="empty-password-is-opened"),
        pytest.param(
            encrypted("geheim"),
            "application/pdf",
            False,
            None,
            ("extract.pdf_encrypted", "extract.pdf_failed"),
            id="password-protected",
        ),
        pytest.param(
            scanned(), "application/pdf", False, None, ("extract.pdf_no_text",), id="scan-no-text-layer"
        ),
        pytest.param(
            tiny_pdf(REPORT_EN, TITLE),
            "application/octet-stream",
            True,
            TITLE,
            (),
            id="served-as-octet-stream",
        ),
        pytest.param(tiny_pdf(REPORT_EN, TITLE), None, True, TITLE, (), id="no-content-type"),
    ],
)
def test_pdf_faults(
    body: bytes, media_type: str | None, text: bool, title: str | None, warnings: tuple[str, ...]
) -> None:
    document = extract_document(body, "https://www.example.eu/docs/report.pdf", media_type)
    assert document.method == "pdf"
    assert ("municipalities offer housing advice" in (document.text or "").lower()) is text
    assert (document.title, document.warnings) == (title, warnings)


def test_an_html_error_page_behind_a_pdf_link_is_read_as_html() -> None:
    body = (
        b"<html><head><title>Document not found</title></head><body><h1>Document not found</h1></body></html>"
    )
    document = extract_document(body, "https://www.example.eu/docs/report.pdf", "application/pdf")
    assert (document.method, document.title) == ("html", "Document not found")


@pytest.mark.slow
@SQLITE_ONLY
def test_pdfs_without_text_are_kept_and_flagged(db_url: str, tmp_path: Path) -> None:
    pdf = {"Content-Type": "application/pdf"}
    links = (
        '<a href="/docs/scan.pdf">Scanned decision 12/2025</a>'
        '<a href="/docs/locked.pdf">Locked annex</a>'
        '<a href="/docs/open.pdf">Open annex</a>'
        '<a href="/docs/binary.pdf">Report as download</a>'
    )
    with LabServer("127.0.0.2") as lab:
        lab.routes["/docs/"] = Route(
            f"<html><body><ul class='docs'>{links}</ul></body></html>".encode(),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        lab.routes["/docs/scan.pdf"] = Route(scanned(), headers=pdf)
        lab.routes["/docs/locked.pdf"] = Route(encrypted("geheim"), headers=pdf)
        lab.routes["/docs/open.pdf"] = Route(encrypted(""), headers=pdf)
        lab.routes["/docs/binary.pdf"] = Route(
            tiny_pdf(REPORT_EN, TITLE), headers={"Content-Type": "application/octet-stream"}
        )
        config = write_config(
            tmp_path,
            [{"id": "pdf-faults", "kind": "listing", "urls": [lab.url("/docs/")], "languages": ["en"],
              "follow": True, "listing": {"links": "ul.docs a::attr(href)"}}],
        )  # fmt: skip
        migrate(db_url)
        crawl(db_url, config)
    rows = {r.url.rsplit("/", 1)[-1]: r for r in items(db_url)}
    assert sorted(rows) == ["binary.pdf", "locked.pdf", "open.pdf", "scan.pdf"]
    assert (rows["scan.pdf"].title, rows["scan.pdf"].text or None) == ("Scanned decision 12/2025", None)
    assert "extract.pdf_no_text" in rows["scan.pdf"].flags
    assert rows["locked.pdf"].title == "Locked annex"
    assert {"extract.pdf_encrypted", "extract.pdf_failed"} <= set(rows["locked.pdf"].flags)
    for name in ("open.pdf", "binary.pdf"):
        assert rows[name].title == TITLE
        assert "housing advice" in (rows[name].text or "")
