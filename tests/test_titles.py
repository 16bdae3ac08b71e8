"""Titles (pipelines.titles): the document's own title, one line, no site name; PDF placeholder
titles. Made-up titles and PDFs, one rule per row."""

from __future__ import annotations

import pytest

from crawler.types import HarvestedItem
from pipelines.extract import apply_document, extract_document
from pipelines.titles import (
    TEXT_TITLE_CHARS,
    AffixLearner,
    choose_title,
    is_placeholder_title,
    looks_like_slug,
    strip_site,
)


@pytest.mark.parametrize(
    ("raw", "kwargs", "expected"),
    [
        (
            "Neue Sprachkurse | Aktuelles | Stadt Musterstadt",
            {"site_names": ["Stadt Musterstadt"]},
            "Neue Sprachkurse",
        ),
        (
            "Sprachkurse für Familien - Regeringen.se",
            {"host": "www.regeringen.se"},
            "Sprachkurse für Familien",
        ),
        (
            "Ministerium für Integration – Neue Förderrichtlinie",
            {"site_names": ["Ministerium für Integration"]},
            "Neue Förderrichtlinie",
        ),
        (
            "Cours de langue :: Ville de Lyon",
            {"host": "www.lyon.fr", "site_names": ["Ville de Lyon"]},
            "Cours de langue",
        ),
        (
            "Frauen- und Familienpolitik - Bundeskanzleramt Österreich",
            {"host": "www.bundeskanzleramt.gv.at"},
            "Frauen- und Familienpolitik",
        ),
        (
            "Integration report 2024 | News | European Parliament",
            {"host": "www.europarl.europa.eu"},
            "Integration report 2024",
        ),
        ("Ex-Ministerin neue Chefin | SN.at", {"host": "www.sn.at"}, "Ex-Ministerin neue Chefin"),
        (
            "Nuove regole per i permessi - La Stampa",
            {"site_names": ["lastampa.it"]},
            "Nuove regole per i permessi",
        ),
    ],
)
def test_site_names_and_section_names_are_stripped(raw: str, kwargs: dict, expected: str) -> None:
    assert choose_title(raw, **kwargs) == expected


@pytest.mark.parametrize(
    ("raw", "headlines", "confirmed", "expected"),
    [
        # the run of segments that is the page's h1 wins, whatever the site name looks like
        (
            "Zugang zum Arbeitsmarkt - Infoportal - Diakonie Deutschland",
            ["Zugang zum Arbeitsmarkt"],
            [],
            "Zugang zum Arbeitsmarkt",
        ),
        # a separator inside the headline is kept when the h1 holds it
        (
            "Marin meets Merkel - “We disagree” | Uusi Suomi",
            ["Marin meets Merkel - “We disagree”"],
            [],
            "Marin meets Merkel - “We disagree”",
        ),
        # an SEO <title> that no headline repeats gives way to the h1 that JSON-LD confirms
        (
            "Iran declines talks, Tehran says why - rp.pl",
            ["Iran withdraws from second round"],
            ["Iran withdraws from second round"],
            "Iran withdraws from second round",
        ),
        # og:title repeating <title> with the site name is no evidence for the whole
        (
            "Venezuela: sanctions call | News | European Parliament",
            ["Venezuela: sanctions call | News | European Parliament", "Venezuela: sanctions call"],
            [],
            "Venezuela: sanctions call",
        ),
        # a page without <title> takes its confirmed headline
        (None, ["Plan for newcomers"], ["Plan for newcomers"], "Plan for newcomers"),
    ],
)
def test_headline_evidence(
    raw: str | None, headlines: list[str], confirmed: list[str], expected: str
) -> None:
    assert choose_title(raw, headlines=headlines, confirmed=confirmed) == expected


@pytest.mark.parametrize(
    ("raw", "heading"),
    [
        (
            "EUR-Lex - 2023_102 - EN - EUR-Lex",
            "Proposal for a Council Decision on an agreement with Montenegro",
        ),
        ("EUR-Lex - 32002F0584 - DE", "Rahmenbeschluss des Rates über den Europäischen Haftbefehl"),
        (
            "Procedure File: 2022/2852(RSP) | Legislative Observatory | European Parliament",
            "Resolution on Schengen",
        ),
        ("EUR-Lex - P9_A(2021)0270 - EN - EUR-Lex", "Second report on discharge for 2019"),
        ("Document 52023PC0261", "Proposal for a decision"),
    ],
)
def test_page_codes_give_way_to_the_documents_heading(raw: str, heading: str) -> None:
    assert choose_title(raw, doc_heading=heading, host="eur-lex.europa.eu") == heading
    assert choose_title(raw, host="eur-lex.europa.eu") != heading  # without a heading the code stays


@pytest.mark.parametrize(
    ("value", "slug"),
    [
        ("make-it-in-germany checklist-non-eu-professionals en", True),
        ("de national-visa-application-form de-en", True),
        ("Engpassberufe_EN", True),
        ("report_2024-final.pdf", True),
        ("annual-report-2023", True),
        ("Checklist for qualified professionals", False),
        ("Frauen- und Familienpolitik", False),
        ("EU-UK relations: parliament adopts measures", False),
    ],
)
def test_slugs_and_file_names(value: str, slug: bool) -> None:
    assert looks_like_slug(value) is slug


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [
        ("Unbenannt-1", True),
        ("Layout 1", True),
        ("Flyer_Integration_2024.indd", True),
        ("Broschüre A4.indb", True),
        ("Microsoft Word - Antrag_final.docx", True),
        ("untitled", True),
        ("PowerPoint-Präsentation", True),
        ("Vorlage Pressemitteilung", True),
        ("Engpassberufe_EN", True),
        ("Guide for newly arrived families", False),
        ("Integrationsbericht 2024", False),
    ],
)
def test_pdf_placeholder_titles(value: str, placeholder: bool) -> None:
    assert is_placeholder_title(value) is placeholder


def tiny_pdf(meta_title: str | None, runs: list[tuple[int, str]]) -> bytes:
    """A one-page PDF with Helvetica text runs (font size, text), top to bottom, and an Info title."""
    lines, y = [], 760
    for size, text in runs:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        lines.append(f"BT /F1 {size} Tf 72 {y} Td ({escaped}) Tj ET")
        y -= size + 12
    stream = "\n".join(lines).encode("latin-1")
    info = f"<< /Title ({meta_title}) >>" if meta_title else "<< >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        info.encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


BODY = [
    (10, "This guide explains the first steps after arrival: registration, health insurance and schools.")
]


@pytest.mark.parametrize(
    ("meta", "runs", "expected"),
    [
        (
            "Unbenannt-1",
            [(22, "Guide for newly arrived families"), *BODY],
            "Guide for newly arrived families",
        ),
        ("Layout 1", [(9, "Stadt Musterstadt"), (20, "Sprachkurse 2025"), *BODY], "Sprachkurse 2025"),
        ("flyer_integration.indd", [(18, "Welcome to Exampleton"), *BODY], "Welcome to Exampleton"),
        (
            "Microsoft Word - Antrag.docx",
            [(16, "Application for a residence permit"), *BODY],
            "Application for a residence permit",
        ),
        (
            "EUROPEAN UNION",
            [(8, "EUROPEAN UNION"), (14, "Application for a national visa"), *BODY],
            "Application for a national visa",
        ),
        ("untitled", [(24, "Integration report 2024"), *BODY], "Integration report 2024"),
        ("Integration report 2024", [(24, "Integration report 2024"), *BODY], "Integration report 2024"),
    ],
)
def test_pdf_title_is_the_first_heading_when_metadata_is_a_placeholder(
    meta: str, runs: list[tuple[int, str]], expected: str
) -> None:
    document = extract_document(tiny_pdf(meta, runs), "https://example.org/f.pdf", "application/pdf")
    assert document.method == "pdf" and document.warnings == ()
    assert document.title == expected
    assert document.raw_title == meta


def test_source_affixes_are_learned_from_its_pages() -> None:
    learner = AffixLearner()
    for headline in ("Neue Sprachkurse", "Mehr Plätze in Kitas", "Wohnungen für Geflüchtete"):
        learner.observe("stadt", f"{headline} | Aktuelles | Stadtportal Musterstadt")
    affixes = learner.affixes("stadt")
    assert set(affixes) == {"aktuelles", "stadtportal musterstadt"}
    assert strip_site("Neue Kitas | Aktuelles | Stadtportal Musterstadt", affixes=affixes) == "Neue Kitas"
    assert learner.affixes("other") == ()


def test_hostile_titles_stay_cheap_and_one_line() -> None:
    import time

    raw = " | ".join(f"part {n}" for n in range(2_000)) + "\n\u200b" + "x" * 10_000_000
    started = time.process_time()
    title = choose_title(raw, headlines=["part 7 | part 8"] * 50, host="example.org")
    assert time.process_time() - started < 1.0
    assert title is not None and "\n" not in title and len(title) <= 1_000


LONG_BODY = (
    "The municipality offers language courses for newcomers from the local community this spring. "
    "Childcare is provided during every lesson for parents who attend. Registration opens in March."
)


@pytest.mark.parametrize(
    ("meta", "runs", "title", "from_text"),
    [
        # one type size on page 1: no heading stands out, the item's title is the text's first sentence
        (
            None,
            [(10, LONG_BODY)],
            "The municipality offers language courses for newcomers from the local community this spring",
            True,
        ),
        (
            "Unbenannt-1",
            [(11, LONG_BODY), (11, "More text on the page.")],
            "The municipality offers language courses for newcomers from the local community this spring",
            True,
        ),
        # a heading in a larger size that runs on for sentences is cut as a title from text is
        (
            None,
            [(18, LONG_BODY), *BODY],
            "The municipality offers language courses for newcomers from the local community this spring",
            False,
        ),
        (
            None,
            [(18, "Guide " * 60), *BODY],
            ("Guide " * 60)[: TEXT_TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…",
            False,
        ),
    ],
)
def test_an_untitled_pdfs_title_is_one_sentence_at_most(meta, runs, title: str, from_text: bool) -> None:
    item = HarvestedItem(source_id="pdfs", url="https://example.org/f.pdf", title=None)
    document = extract_document(tiny_pdf(meta, runs), "https://example.org/f.pdf", "application/pdf")
    apply_document(item, document)
    assert item.title == title
    assert len(item.title) <= TEXT_TITLE_CHARS
    assert ("title_from_text" in item.flags) is from_text
