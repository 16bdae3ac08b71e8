"""Unlabelled windows-1251 Bulgarian whose bytes are all valid windows-1253 reads as Bulgarian, and
Greek stays Greek (crawler.encoding._plausibility). Rule: the Greek final sigma ``ς`` inside a word
is no Greek (it is the Bulgarian ``т``, byte F2, read in windows-1253).
"""

from __future__ import annotations

import pytest

from crawler.encoding import decode_html

BULGARIAN = [
    "Новите мигранти получават помощ",
    "Правителството прие стратегия",
    "Планът за интеграция предвижда езикови курсове",
    "Общината открива център за бежанци",
]
GREEK = [
    "Ο Πρωθυπουργός της Ελλάδας",
    "Σχέδιο για την ένταξη των μεταναστών και των προσφύγων στην Ευρωπαϊκή Ένωση",
    "Νέα μαθήματα ελληνικών για πρόσφυγες",
]


@pytest.mark.parametrize("wrap", ["{}", "<html><body><h1>{}</h1></body></html>"])
@pytest.mark.parametrize(
    ("text", "codec"), [*((t, "cp1251") for t in BULGARIAN), *((t, "cp1253") for t in GREEK)]
)
def test_bulgarian_and_greek_without_a_label(text: str, codec: str, wrap: str) -> None:
    decoded, encoding = decode_html(wrap.format(text).encode(codec), None)
    assert text in decoded
    assert encoding == codec
