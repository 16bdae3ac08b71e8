"""A followed page gives its item a summary when the index gave none (pipelines.summary): its own
description, else its lead paragraph, cut at a sentence; a feed's summary stays. Made-up pages and
texts in several EU languages."""

from __future__ import annotations

import pytest

from crawler.types import HarvestedItem
from pipelines.extract import apply_document, extract_document
from pipelines.summary import MAX_SUMMARY_CHARS, page_summary

LEAD = {
    "de": "Ab April bietet die Volkshochschule zusätzliche Integrationskurse für Geflüchtete an, abends.",
    "fr": "Une association du quartier propose des ateliers de langue avec garde d'enfants pour les mères.",
    "pl": "Urząd uruchomił nowy system elektronicznego składania wniosków o pobyt czasowy dla cudzoziemców.",
    "el": "Το Υπουργείο ανακοινώνει νέο πρόγραμμα εκμάθησης της ελληνικής γλώσσας για πρόσφυγες στην Αθήνα.",
}
FITTING = (MAX_SUMMARY_CHARS + 1) // (len(LEAD["pl"]) + 1)
"""Sentences of the Polish lead that fit in a summary, with a space between them."""


@pytest.mark.parametrize(
    ("description", "text", "expected"),
    [
        # the description first, the lead paragraph when the description is short or missing
        (LEAD["de"], "Kurse\n03.03.2025\n" + LEAD["fr"], LEAD["de"]),
        ("Kurze Beschreibung.", "Kurse\n03.03.2025\n" + LEAD["fr"], LEAD["fr"]),
        (None, "Νέο πρόγραμμα\n3 Μαρτίου 2025\n" + LEAD["el"], LEAD["el"]),
        # a cookie notice copied into the description is no summary
        ("Wir verwenden Cookies, um Ihnen die bestmögliche Nutzung der Website zu ermöglichen. Akzeptieren",
         LEAD["pl"], LEAD["pl"]),
        # a long lead is cut at the end of a sentence within the limit
        (None, (LEAD["pl"] + " ") * 8, " ".join([LEAD["pl"]] * FITTING)),
        (None, "Kurse\nKurz.", None),
    ],
)  # fmt: skip
def test_page_summary(description: str | None, text: str, expected: str | None) -> None:
    summary = page_summary(description, text, "Kurse")
    assert summary == expected
    assert summary is None or len(summary) <= MAX_SUMMARY_CHARS


@pytest.mark.parametrize("lang", sorted(LEAD))
@pytest.mark.parametrize(("given", "kept"), [(None, False), ("The feed's own summary of the article.", True)])
def test_the_page_fills_an_empty_summary_only(lang: str, given: str | None, kept: bool) -> None:
    body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Kurse</title></head><body>'
        f"<main><article><h1>Kurse</h1><p>03.03.2025</p><p>{LEAD[lang]}</p><p>{LEAD[lang] * 3}</p>"
        f"</article></main></body></html>"
    ).encode()
    item = HarvestedItem(source_id="s", url="https://example.eu/news/kurse", summary=given)
    apply_document(item, extract_document(body, item.url, "text/html"))
    assert item.summary == (given if kept else LEAD[lang])
