"""A byline under the headline that the text extractor drops as boilerplate (``class="meta"``,
``byline``, ``post-meta``) still dates the page, and a date it labels as the update is not the
publication (pipelines.byline, pipelines.extract._page_date; adbar/htmldate#10). Rules: the text
around the headline (`pipelines.byline`) is searched for a written date; htmldate's
date that the page labels as its update loses to the publication date written beside it; a time
that starts a range ("14:30 – 16:00") is a schedule, not a publication time.
"""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document, written_dates

BODY = (
    "<p>The council presented its integration plan for refugees and migrants. It funds language "
    "courses, housing advice and mentoring for newcomers, prepared with employers and NGOs.</p>"
) * 2


def _page(lang: str, line: str, cls: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>T</title></head><body><main><article>'
        f'<h1>Title of the article</h1><p class="{cls}">{line}</p>{BODY}</article></main>'
        "</body></html>"
    ).encode()


LINES = [
    ("en", "Updated 10 March 2025, first published 3 March 2025"),
    ("de", "Aktualisiert am 10. März 2025 – veröffentlicht am 3. März 2025"),
    ("fr", "Mis à jour le 10 mars 2025, publié le 3 mars 2025"),
    ("es", "Actualizado: 10/03/2025 · Publicado: 03/03/2025"),
    ("pl", "Aktualizacja: 10.03.2025, opublikowano: 03.03.2025"),
    ("it", "Aggiornato il 10 marzo 2025 - Pubblicato il 3 marzo 2025"),
    ("nl", "Bijgewerkt op 10 maart 2025 | Gepubliceerd op 3 maart 2025"),
    ("pt", "Atualizado em 10 de março de 2025, publicado em 3 de março de 2025"),
]


@pytest.mark.parametrize("cls", ["meta", "byline", "post-meta", "entry-meta", "date"])
@pytest.mark.parametrize(("lang", "line"), LINES)
def test_publication_date_of_a_dropped_byline(lang: str, line: str, cls: str) -> None:
    document = extract_document(
        _page(lang, line, cls), "https://city.example.eu/a", "text/html; charset=utf-8"
    )
    assert (document.published or "")[:10] == "2025-03-03"
    assert (document.modified or "")[:10] == "2025-03-10"


@pytest.mark.parametrize(
    ("lang", "line", "published"),
    [
        ("it", "Pubblicato il 3 marzo 2025", "2025-03-03"),
        ("nl", "Gepubliceerd op 3 maart 2025", "2025-03-03"),
        ("fi", "Julkaistu 3. maaliskuuta 2025", "2025-03-03"),
        ("lv", "Publicēts 2025. gada 3. martā", "2025-03-03"),
    ],
)
def test_a_byline_alone_dates_the_page(lang: str, line: str, published: str) -> None:
    document = extract_document(_page(lang, line, "meta"), "https://city.example.eu/b", "text/html")
    assert (document.published or "")[:10] == published


@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("5.12.2026 14:30 – 16:00", "2026-12-05"),
        ("5. Dezember 2026, 14.30 bis 16.00 Uhr", "2026-12-05"),
        ("le 5 décembre 2026 de 9h30 à 12h00", "2026-12-05"),
        ("5 December 2026, 14:30 to 16:00", "2026-12-05"),
        ("5 December 2026, 14:30", "2026-12-05T14:30"),
        ("5. Dezember 2026, 14:30 Uhr – Kurse für alle", "2026-12-05T14:30"),
    ],
)
def test_a_time_that_starts_a_range_is_no_publication_time(text: str, published: str) -> None:
    assert written_dates(text, (), True)[0] == published
