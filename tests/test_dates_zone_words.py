"""A zone written after a time of day is the time's only where it is part of it
(pipelines.dates.zone_after_time, zone_word_of_the_text): glued ("08:00Z"), in brackets, a UTC/GMT
offset, or a zone name on the time's line that ends what is written there. The first word of the
next paragraph ("Z dôvodu ...": Slovak, Czech, Polish, Slovenian, Croatian "z" is a preposition)
and a capital word that goes on as a sentence ("08:00 Z Ukrajiny ...", "14:30 EST prévu") are words
of the text: the source's zone applies. Made-up date lines and texts, the exact stored UTC instant."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.types import DATE_ONLY, HarvestedItem
from pipelines.dates import zone_after_time
from pipelines.extract import apply_document, extract_document


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # part of the time: glued, bracketed, an offset, or ending the line, before a separator (the
        # end given is where the zone ends, with the spaces after it when no word follows on its line)
        ("Z", ("+00:00", 1)),
        (" Z", ("+00:00", 2)),
        (" Z.", ("+00:00", 2)),
        (" Z\nZ dôvodu migrácie", ("+00:00", 2)),
        ("CET Z dôvodu", ("+01:00", 3)),
        (" (CET) Z novim programom", ("+01:00", 6)),
        (" Uhr (MEZ) mit Video", ("+01:00", 10)),
        (" UTC+2 ministerstvo", ("+02:00", 6)),
        (" CET, Redakcja", ("+01:00", 4)),
        (" CET | Redakcja", ("+01:00", 5)),
        (" CET Anna Novak", ("+01:00", 4)),
        (" Uhr MEZ", ("+01:00", 8)),
        (" SEČ\nZ evidence úřadu práce", ("+01:00", 4)),
        (" EET\nΗ κυβέρνηση", ("+02:00", 4)),
        # a word of the text: the next paragraph, a sentence going on, a one-letter word before another
        ("\nZ dôvodu migrácie údajov", None),
        ("\n\nZ evidence úřadu práce", None),
        ("\nZ informacji urzędu", None),
        ("\r\nZ novim programom", None),
        (" Z dôvodu migrácie", None),
        (" Z Ukrajiny prišlo 40 rodín", None),
        (" Z Ukrajiny", None),
        (" Uhr\nMEZ", None),
        (" EST prévu", None),
        (" MET de bus naar Utrecht", None),
        ("\nCET été", None),
        (" WET nieuw", None),
        (" BST zostało", None),
        (" A partir de amanhã", None),
    ],
)
def test_zone_after_time_or_a_word_of_the_text(text: str, expected: tuple[str, int] | None) -> None:
    assert zone_after_time(text, 0) == expected


FETCHED = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
TEXT = {
    "sk": "Z dôvodu migrácie údajov na nový systém nebude v sobotu dostupný register obyvateľov. ",
    "cs": "Z evidence úřadu práce vyplývá, že počet zaměstnaných cizinců v kraji dále roste. ",
    "pl": "Z informacji urzędu wynika, że liczba mieszkań dla uchodźców w mieście znowu wzrosła. ",
    "sl": "Z novim programom občina beguncem ponuja tečaje jezika in pomoč pri iskanju dela. ",
    "hr": "Zbog velikog interesa grad otvara nove tečajeve hrvatskog jezika za strance u svim četvrtima. ",
    "de": "Die Stadt erweitert ihr Angebot an Sprachkursen für Zugewanderte in allen Bezirken deutlich. ",
}


# language, source zone, date line, published (UTC)
PAGES = [
    ("sk", "Europe/Bratislava", "4. decembra 2026 o 08:00", "2026-12-04T07:00Z"),
    ("cs", "Europe/Prague", "4. prosince 2026 v 10:30", "2026-12-04T09:30Z"),
    ("pl", "Europe/Warsaw", "3 grudnia 2026, 10:30", "2026-12-03T09:30Z"),
    ("sl", "Europe/Ljubljana", "3. decembra 2026 ob 10.30", "2026-12-03T09:30Z"),
    ("hr", "Europe/Zagreb", "3. prosinca 2026. u 10:30", "2026-12-03T09:30Z"),
    ("sk", "Europe/Bratislava", "4. decembra 2026 o 08:00 Z", "2026-12-04T08:00Z"),
    ("cs", "Europe/Prague", "4. prosince 2026 v 10:30 UTC", "2026-12-04T10:30Z"),
    ("pl", "Europe/Warsaw", "3 grudnia 2026, 10:30 (UTC)", "2026-12-03T10:30Z"),
    ("de", "Europe/Berlin", "3. Dezember 2026, 10:30 Uhr MEZ", "2026-12-03T09:30Z"),
    ("sk", "Europe/Bratislava", "4. decembra 2026 o 08:00 SEČ", "2026-12-04T07:00Z"),
]


@pytest.mark.parametrize(("lang", "zone", "line", "published"), PAGES)
def test_the_next_paragraphs_first_word_is_no_zone(lang: str, zone: str, line: str, published: str) -> None:
    body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Správy</title></head>'
        f'<body><main><article><h1>Správy</h1><div class="meta">{line}</div>'
        f"<p>{TEXT[lang] * 4}</p><p>{TEXT[lang] * 3}</p></article></main></body></html>"
    ).encode()
    document = extract_document(body, "https://example.eu/news/a", "text/html")
    item = HarvestedItem(source_id="s", url="https://example.eu/news/a", fetched_at=FETCHED)
    apply_document(item, document, ZoneInfo(zone))
    assert item.published_at is not None
    assert item.published_at.strftime("%Y-%m-%dT%H:%MZ") == published
    assert DATE_ONLY not in item.flags
