"""A publication date written out near the top of a page's text, in any of the 24 EU languages and
in the orders they write it (day first, year first, month first), when the page has no date metadata;
a copyright year in the footer does not outvote it. Made-up pages, one language or rule per row."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.types import DATE_ONLY, HarvestedItem
from pipelines.extract import apply_document, extract_document

BODY = "<p>" + "Die Integration von Zugewanderten ist eine gemeinsame Aufgabe aller Ebenen. " * 6 + "</p>"


def page(byline: str, lang: str, footer: str = "") -> bytes:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Kurse</title></head>'
        f'<body><header><nav><a href="/">Start</a></nav></header><main><article><h1>Kurse</h1>'
        f"<p>{byline}</p>{BODY}</article></main>{footer}</body></html>"
    ).encode()


BYLINES = [
    ("bg", "Публикувано на 3 март 2025 г."),
    ("cs", "Zveřejněno 3. března 2025"),
    ("da", "Offentliggjort 3. marts 2025"),
    ("de", "Veröffentlicht am 3. März 2025"),
    ("el", "Δημοσιεύθηκε 3 Μαρτίου 2025"),
    ("el", "ΔΗΜΟΣΙΕΥΣΗ: 3 ΜΑΡΤΙΟΥ 2025"),
    ("es", "Publicado el 3 de marzo de 2025"),
    ("et", "Avaldatud 3. märts 2025"),
    ("fi", "Julkaistu 3. maaliskuuta 2025"),
    ("ga", "Foilsithe 3 Márta 2025"),
    ("hr", "Objavljeno 3. ožujka 2025."),
    ("hu", "Közzétéve: 2025. március 3."),
    ("it", "Pubblicato il 3 marzo 2025"),
    ("lt", "Paskelbta 2025 m. kovo 3 d."),
    ("lt", "Paskelbta 3 d. kovo 2025"),
    ("lv", "Publicēts 2025. gada 3. martā"),
    ("mt", "Ippubblikat 3 ta' Marzu 2025"),
    ("nl", "Gepubliceerd op 3 maart 2025"),
    ("pl", "Opublikowano 3 marca 2025"),
    ("pt", "Publicado em 3 de março de 2025"),
    ("ro", "Publicat la 3 martie 2025"),
    ("sk", "Zverejnené 3. marca 2025"),
    ("sl", "Objavljeno 3. marca 2025"),
    ("sv", "Publicerad 3 mars 2025"),
    ("en", "Published March 3, 2025"),
]


@pytest.mark.parametrize(
    ("lang", "byline"), BYLINES, ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(BYLINES)]
)
@pytest.mark.parametrize(
    "footer", ["", "<footer>© 2026 Ministerium</footer>"], ids=["no-footer", "copyright-2026"]
)
def test_written_date_in_every_eu_language(lang: str, byline: str, footer: str) -> None:
    document = extract_document(page(byline, lang, footer), "https://example.eu/news/courses", "text/html")
    assert document.published == "2025-03-03"
    assert document.published_from in {"text", "htmldate"}  # htmldate reads de, sv and en itself


@pytest.mark.parametrize(
    ("byline", "lang", "footer", "expected"),
    [
        # a written date after the copyright year is an announced event, not the publication
        ("Konferenz am 3. März 2027", "de", "<footer>© 2026 Ministerium</footer>", None),
        # a number, a word and a year are no date
        ("Mit 12 Teilnehmern 2025 gestartet", "de", "", None),
        # a day that does not exist is skipped; the next written date is taken
        ("31. April 2025, korrigiert am 2. Mai 2025", "de", "", "2025-05-02"),
        # `listopad` is November in Polish and October in Croatian: the page's language decides
        ("Objavljeno 5. listopada 2025.", "hr", "", "2025-10-05"),
        ("Opublikowano 5 listopada 2025", "pl", "", "2025-11-05"),
    ],
)
def test_written_date_rules(byline: str, lang: str, footer: str, expected: str | None) -> None:
    document = extract_document(page(byline, lang, footer), "https://example.eu/news/courses", "text/html")
    assert document.published == expected


PUB, UPD = "2025-03-03", "2025-03-10"


@pytest.mark.parametrize(
    ("lang", "byline", "published", "updated"),
    [
        ("it", "<p>Aggiornato il 10 marzo 2025</p><p>Pubblicato il 3 marzo 2025</p>", PUB, UPD),
        ("es", "<p>Actualizado el 10 de marzo de 2025</p><p>Publicado el 3 de marzo de 2025</p>", PUB, UPD),
        ("pl", "<p>Aktualizacja: 10 marca 2025</p><p>Data publikacji: 3 marca 2025</p>", PUB, UPD),
        ("pl", "Data publikacji: 3 marca 2025, aktualizacja: 10 marca 2025", PUB, UPD),
        ("nl", "<p>Gewijzigd op 10 maart 2025</p><p>Gepubliceerd op 3 maart 2025</p>", PUB, UPD),
        ("hu", "Frissítve: 2025. március 10. Közzétéve: 2025. március 3.", PUB, UPD),
        ("el", "Ενημερώθηκε 10 Μαρτίου 2025 · Δημοσιεύθηκε 3 Μαρτίου 2025", PUB, UPD),
        ("bg", "Актуализирано на 10 март 2025 г. Публикувано на 3 март 2025 г.", PUB, UPD),
        ("lt", "Atnaujinta 2025 m. kovo 10 d. Paskelbta 2025 m. kovo 3 d.", PUB, UPD),
        # an update alone is no publication date
        ("pl", "Ostatnia modyfikacja: 10 marca 2025", None, UPD),
        ("ro", "Actualizat la 10 martie 2025", None, UPD),
    ],
)
def test_update_date_is_not_the_publication(
    lang: str, byline: str, published: str | None, updated: str
) -> None:
    document = extract_document(page(byline, lang), "https://example.eu/news/courses", "text/html")
    assert (document.published, document.modified) == (published, updated)


@pytest.mark.parametrize(
    ("lang", "byline"),
    [
        ("de", "Veröffentlicht am 3. März 2025, 14:30 Uhr"),
        ("fr", "Publié le 3 mars 2025 à 14h30"),
        ("pl", "Opublikowano 3 marca 2025 o godz. 14:30"),
        ("it", "Pubblicato il 3 marzo 2025 alle ore 14:30"),
        ("el", "Δημοσιεύθηκε 3 Μαρτίου 2025, 14:30"),
        ("sv", "Publicerad 3 mars 2025 kl. 14.30"),
        ("hu", "Közzétéve: 2025. március 3. 14:30"),
        ("en", "Published March 3, 2025 at 14:30"),
    ],
)
def test_written_time_of_day_is_kept_and_read_in_the_sources_zone(lang: str, byline: str) -> None:
    document = extract_document(page(byline, lang), "https://example.eu/news/courses", "text/html")
    assert document.published == "2025-03-03T14:30"
    fetched = datetime(2026, 1, 1, tzinfo=UTC)
    item = HarvestedItem(source_id="s", url="https://example.eu/news/courses", fetched_at=fetched)
    apply_document(item, document, ZoneInfo("Europe/Berlin"))
    assert (item.published_at, DATE_ONLY in item.flags) == (datetime(2025, 3, 3, 13, 30, tzinfo=UTC), False)


def test_a_number_after_the_date_is_no_time() -> None:
    body = page("Am 3. März 2025 12.500 Teilnehmende", "de")
    document = extract_document(body, "https://example.eu/a", "text/html")
    assert document.published == "2025-03-03"
