"""An HTML page whose extraction did not finish keeps what its head gives (pipelines.headmeta,
pipelines.extract.extract_bounded) and its run is named by the kill (crawler.health rule 1)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from crawler import health
from crawler.errors import ERROR_KEYS
from crawler.types import HarvestedItem
from crawler.web.templating import text_missing
from crawler.worker import WorkerResult
from pipelines.extract import ExtractPipeline, extract_bounded
from pipelines.headmeta import head_metadata

ACT = "Regulation (EU) 2024/1347 on standards for the qualification of third-country nationals"
TREATIES = "Consolidated versions of the Treaty on European Union"
DESCRIPTION = "Lays down standards for granting international protection in the Union."

# (body, header charset) -> (title, raw title, summary, language)
HEAD_CASES: list[tuple[str | bytes, str | None, tuple[str | None, str | None, str | None, str | None]]] = [
    (f'<html lang="en"><head><title>{ACT}</title><meta name="description" content="{DESCRIPTION}">'
     "</head><body>" + "<p>Article</p>" * 10 + "</body></html>",
     None, (ACT, ACT, DESCRIPTION, "en")),
    # og:title before <title>; og:description when there is no description; attributes in any order
    ("<HTML LANG='de'><HEAD><TITLE>EUR-Lex - 32024R1347 - DE</TITLE>"
     "<meta content='Verordnung (EU) 2024/1347' property='og:title'>"
     "<meta property=og:description content=\"Normen für die Anerkennung\"></HEAD>",
     "utf-8", ("Verordnung (EU) 2024/1347", "EUR-Lex - 32024R1347 - DE", "Normen für die Anerkennung", "de")),
    # entities and spaces in the title
    ("<html><head><title>\n  Asylum &amp; migration   pact &#8211; overview </title></head>",
     None, ("Asylum & migration pact – overview", "Asylum & migration pact – overview", None, None)),
    # a meta tag of the body is not the head's
    ('<html><head><title>T</title></head><body><meta name="description" content="in the body"></body>',
     None, ("T", "T", None, None)),
    # Dublin Core (EUR-Lex's older pages), the DC.type content type is no description, a title that is
    # only a page code gives way to the description
    ('<html lang="EN"><head><meta name="DC.title" content="EUR-Lex -  - EN">'
     '<meta name="DC.description" content="' + TREATIES + '">'
     '<meta name="DC.type" http-equiv="Content-Type" content="text/html; charset=UTF-8">'
     "<title>EUR-Lex -  - EN</title></head>",
     None, (TREATIES, "EUR-Lex - - EN", TREATIES, "EN")),
    # no title at all: the description's first sentence
    ('<html><head><meta name="description" content="Asylum seekers may work after six months. More below.">'
     "</head>", None, ("Asylum seekers may work after six months", None,
            "Asylum seekers may work after six months. More below.", None)),
    # nothing in the head: nothing kept
    ("<html><body><h1>Only a headline</h1></body></html>", None, (None, None, None, None)),
    # a legacy encoding declared by the header
    ("<html><head><title>Intégration des réfugiés</title></head>", "windows-1252",
     ("Intégration des réfugiés", "Intégration des réfugiés", None, None)),
]  # fmt: skip


def _encoded(body: str | bytes, charset: str | None) -> bytes:
    return body if isinstance(body, bytes) else body.encode(charset or "utf-8")


@pytest.mark.parametrize(("body", "charset", "expected"), HEAD_CASES)
def test_head_metadata(body: Any, charset: str | None, expected: tuple[str | None, ...]) -> None:
    assert head_metadata(_encoded(body, charset), charset) == expected


class StoppedWorker:
    """A worker whose every call ends with `error` (the kill of a loaded machine), at once."""

    def __init__(self, error: str) -> None:
        self.error = error
        self.calls = 0

    def call(self, *_args: Any, timeout: float, label: str | None = None) -> WorkerResult:
        self.calls += 1
        return WorkerResult(error=self.error, detail=f"no answer within {timeout} s", seconds=timeout)


@pytest.mark.parametrize(
    ("error", "flag"),
    [("timeout", "extract.timeout"), ("memory", "extract.memory"), ("error", "extract.html_failed")],
)
def test_a_stopped_html_extraction_keeps_the_head(error: str, flag: str) -> None:
    body = _encoded(HEAD_CASES[0][0], None)
    outcome = extract_bounded(
        body, "https://eur-lex.europa.eu/eli/reg/2024/1347/oj", "text/html", worker=StoppedWorker(error)
    )  # type: ignore[arg-type]
    document = outcome.document
    assert (document.title, document.raw_title, document.summary, document.text) == (
        ACT,
        ACT,
        DESCRIPTION,
        None,
    )
    assert flag in document.warnings and "extract.html_failed" in document.warnings
    assert outcome.kill == (error if error != "error" else None)


def test_a_stopped_pdf_extraction_keeps_nothing_of_a_head() -> None:
    outcome = extract_bounded(
        b"%PDF-1.7\n<title>x</title>",
        "https://x.eu/a.pdf",
        "application/pdf",
        worker=StoppedWorker("timeout"),
    )  # type: ignore[arg-type]
    assert outcome.document.title is None and "extract.timeout" in outcome.document.warnings


@pytest.mark.parametrize(
    ("feed_title", "title"), [(None, ACT), ("Regulation 2024/1347", "Regulation 2024/1347")]
)
def test_the_item_of_a_stopped_extraction_has_a_title_and_is_flagged(monkeypatch, feed_title, title) -> None:
    monkeypatch.setattr("pipelines.extract.shared_worker", lambda: StoppedWorker("timeout"))
    item = HarvestedItem(
        source_id="eur-lex-treaties", url="https://eur-lex.europa.eu/eli/reg/2024/1347/oj", title=feed_title
    )
    item.body, item.media_type = _encoded(HEAD_CASES[0][0], None), "text/html"
    ExtractPipeline().process_item(item)
    assert item.title == title and item.text is None
    assert item.summary == DESCRIPTION
    assert text_missing(item.flags) == ["extract.timeout"]


# (worker kills, pages followed, pages empty) -> status, error key, warning
RUN_CASES = [
    ({"timeout": 1}, 1, 1, "failed", "extract.timeout", False),
    ({"memory": 2}, 2, 2, "failed", "extract.memory", False),
    ({"timeout": 2, "memory": 1}, 3, 3, "failed", "extract.timeout", False),
    ({}, 2, 2, "failed", "extract.all_empty", False),
    ({"timeout": 1}, 5, 1, "ok", None, True),
]


@pytest.mark.parametrize(("kills", "followed", "empty", "status", "key", "warning"), RUN_CASES)
def test_a_run_names_a_stopped_extraction(kills, followed, empty, status, key, warning) -> None:
    stats: dict[str, Any] = {
        "ewsi/items/yielded": followed,
        "ewsi/extract/html": followed,
        "ewsi/extract/empty": empty,
    }
    stats |= {f"ewsi/worker/{k}": n for k, n in kills.items()}
    report = health.build_report("eur-lex-treaties", stats, datetime(2026, 12, 1, tzinfo=UTC), "finished")
    assert (report.status, report.error_key) == (status, key)
    if kills:
        stopped = sum(kills.values())
        assert f"the extraction of {stopped} of {followed} followed pages was stopped" in (report.error or "")
        assert (report.error or "").startswith("warning: ") == warning
    assert key is None or key in ERROR_KEYS
    assert key not in health.MEANING_KEYS or key == "extract.all_empty"
