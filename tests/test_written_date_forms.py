"""Written dates in forms the byline rules missed (pipelines.extract.written_dates): an ordinal day
("3rd March 2025", Irish "3ú Márta 2025"), Hungarian numeric dates with spaces ("2025. 03. 03."),
Estonian months in the adessive a date takes ("3. märtsil 2025"). Made-up bylines."""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document, written_dates


@pytest.mark.parametrize(
    ("lang", "byline", "expected"),
    [
        ("en", "Published 3rd March 2025", "2025-03-03"),
        ("en", "Posted on the 21st February 2025, 14:30", "2025-02-21T14:30"),
        ("en", "Updated 22nd May 2025. Published 1st April 2025", "2025-04-01"),
        ("ga", "Foilsithe: 3ú Márta 2025", "2025-03-03"),
        ("hu", "Közzétéve: 2025. 03. 03.", "2025-03-03"),
        ("hu", "Közzétéve: 2025. 03. 03. 14:30", "2025-03-03T14:30"),
        ("et", "Avaldatud 3. märtsil 2025 kell 14.30", "2025-03-03T14:30"),
        ("et", "Avaldatud 12. mail 2025", "2025-05-12"),
        ("et", "Avaldatud 1. detsembril 2025", "2025-12-01"),
        # still no dates: a number run, a version
        ("hu", "2025. 03. 33.", None),
        ("en", "Version 3rd edition 2025", None),
    ],
)
def test_written_date_forms(lang: str, byline: str, expected: str | None) -> None:
    assert written_dates(byline, (lang,))[0] == expected


@pytest.mark.parametrize(
    ("lang", "sentence", "byline", "expected"),
    [
        ("et", "Siseministeerium avab uued kohanemiskoolitused välismaalastele Tallinnas ja Tartus. ",
         "3. märtsil 2025 kell 14.30", "2025-03-03T14:30"),
        # the time first (tests/test_dates_time_first.py)
        ("en", "The city is expanding its language classes for newcomers in every district. ",
         "14:30, 3 March 2025", "2025-03-03T14:30"),
    ],
)  # fmt: skip
def test_a_byline_dates_the_page(lang: str, sentence: str, byline: str, expected: str) -> None:
    body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Koolitused</title></head>'
        f'<body><main><article><h1>Koolitused</h1><p class="meta">{byline}</p><p>{sentence * 4}</p>'
        "</article></main></body></html>"
    ).encode()
    assert extract_document(body, "https://example.eu/uudised/1", "text/html").published == expected
