"""A zone written after a page's time of day is the time's zone, not the source's
(pipelines.dates.zone_after_time, pipelines.extract.written_dates): "14:30 CET" on a source in
Europe/London is 13:30 UTC. Made-up bylines in several EU languages; an uppercase word that names no
zone and a time without a zone keep the source's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.types import HarvestedItem
from pipelines.dates import zone_after_time
from pipelines.extract import apply_document, extract_document

LONDON = ZoneInfo("Europe/London")
BODY = "<p>" + "The city is expanding its language classes for newcomers in every district. " * 6 + "</p>"


def published_at(byline: str, lang: str) -> datetime | None:
    body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Classes</title></head>'
        f"<body><main><article><h1>New classes</h1><p>{byline}</p>{BODY}</article></main></body></html>"
    ).encode()
    document = extract_document(body, "https://example.eu/news/classes", "text/html")
    item = HarvestedItem(
        source_id="s", url="https://example.eu/news/classes", fetched_at=datetime(2027, 1, 1, tzinfo=UTC)
    )
    apply_document(item, document, LONDON)
    return item.published_at


@pytest.mark.parametrize(
    ("lang", "byline", "expected"),
    [
        ("en", "Posted on 3 March 2025, 14:30 CET", "2025-03-03 13:30 UTC"),
        ("de", "Veröffentlicht am 3. März 2025, 14:30 Uhr MEZ", "2025-03-03 13:30 UTC"),
        ("de", "Veröffentlicht am 3. Mai 2025, 14:30 Uhr MESZ", "2025-05-03 12:30 UTC"),
        ("fr", "Publié le 3 mars 2025 à 14h30 (UTC+02:00)", "2025-03-03 12:30 UTC"),
        ("pl", "Data publikacji: 3 marca 2025, 14:30 CET", "2025-03-03 13:30 UTC"),
        ("fi", "Julkaistu 3.3.2025 klo 14.30 EET", "2025-03-03 12:30 UTC"),
        ("el", "Δημοσιεύθηκε: 3 Μαρτίου 2025, 14:30 GMT+2", "2025-03-03 12:30 UTC"),
        ("en", "Published 3 March 2025 2:30 PM (GMT)", "2025-03-03 14:30 UTC"),
        # no zone, or a word that names none: the source's zone (London, GMT in March)
        ("en", "Published 3 March 2025, 14:30", "2025-03-03 14:30 UTC"),
        ("en", "Published 3 March 2025, 14:30 BMI press office", "2025-03-03 14:30 UTC"),
    ],
)
def test_a_written_zone_wins_over_the_sources(lang: str, byline: str, expected: str) -> None:
    assert published_at(byline, lang) == datetime.fromisoformat(expected.replace(" UTC", "+00:00"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" CET", ("+01:00", 4)),
        (" Uhr MESZ", ("+02:00", 9)),
        (" (UTC-03:30)", ("-03:30", 12)),
        (" UTC + 2", ("+02:00", 8)),
        (" Uhr", None),
        (" ABC", None),
        (" CETX", None),
        (" UTC+15", None),
    ],
)
def test_zone_after_time(text: str, expected: tuple[str, int] | None) -> None:
    assert zone_after_time(text, 0) == expected
