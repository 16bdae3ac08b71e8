"""A PDF metadata title that another document of the same source carried first is a template's
title, not this document's (pipelines.titles `SharedFileTitles`, through pipelines.extract
`DocumentFinisher`): the document takes its text's first sentence; the first document keeps it, a
document seen again keeps it, other sources are not affected, and HTML pages are left to their rules.
"""

from __future__ import annotations

import pytest

from crawler.types import HarvestedItem
from pipelines.document import ExtractedDocument
from pipelines.extract import DocumentFinisher
from pipelines.titles import SharedFileTitles


def pdf(title: str, text: str, method: str = "pdf") -> ExtractedDocument:
    return ExtractedDocument(text=text, title=title, raw_title=title, method=method)


# (source, url, metadata title, text, expected title)
RUN = [
    (
        "src-a",
        "https://a.eu/1.pdf",
        "Annual report",
        "Integration of refugees in Bavaria. Figures for 2025.",
        "Annual report",
    ),
    (
        "src-a",
        "https://a.eu/2.pdf",
        "Annual report",
        "Language courses for newcomers. An evaluation.",
        "Language courses for newcomers",
    ),
    (
        "src-a",
        "https://a.eu/3.pdf",
        "ANNUAL  REPORT",
        "Housing for asylum seekers. A survey of 12 cities.",
        "Housing for asylum seekers",
    ),
    (
        "src-a",
        "https://a.eu/1.pdf",
        "Annual report",
        "Integration of refugees in Bavaria. Figures for 2025.",
        "Annual report",
    ),
    (
        "src-b",
        "https://b.eu/9.pdf",
        "Annual report",
        "Another publisher's own report. With its own text.",
        "Annual report",
    ),
    (
        "src-a",
        "https://a.eu/4.pdf",
        "Guide for employers",
        "How to hire refugees. A guide.",
        "Guide for employers",
    ),
    ("src-a", "https://a.eu/5.pdf", "Annual report", "", "Annual report"),  # no text to take a title from
]


def test_a_shared_metadata_title_gives_way_to_the_text() -> None:
    finisher = DocumentFinisher()
    got = []
    for source, url, title, text, _ in RUN:
        item = HarvestedItem(source_id=source, url=url)
        got.append(finisher.finish(item, pdf(title, text)).title)
    assert got == [row[-1] for row in RUN]


def test_html_pages_are_left_to_their_own_rules() -> None:
    finisher = DocumentFinisher()
    titles = [
        finisher.finish(
            HarvestedItem(source_id="s", url=f"https://a.eu/{i}"),
            pdf("Same page title", f"Text {i}.", "html"),
        ).title
        for i in range(3)
    ]
    assert titles == ["Same page title"] * 3


@pytest.mark.parametrize(("title", "expected"), [("", False), (None, False), ("  ", False)])
def test_no_title_is_never_taken(title: str | None, expected: bool) -> None:
    learner = SharedFileTitles()
    assert learner.taken("s", title, 1) is expected
    assert learner.taken("s", title, 2) is expected


def test_memory_is_bounded() -> None:
    learner = SharedFileTitles(max_titles=2)
    assert [learner.taken("s", t, i) for i, t in enumerate(["a", "b", "c", "c"])] == [
        False,
        False,
        False,
        False,
    ]
    assert learner.taken("s", "a", 9) is True
