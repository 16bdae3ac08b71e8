"""A ``<time>`` marked as the modification only is not the publication (pipelines.pagemeta rule 4):
WordPress themes such as GeneratePress write ``<time class="updated">`` before ``<time
class="entry-date published">``, microdata pages ``itemprop="dateModified"`` before
``itemprop="datePublished"``; a never edited post's one ``<time class="entry-date published
updated">`` stays the publication. Made-up pages in several EU languages."""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document

TEXT = {
    "de": "Die Stadt erweitert ihr Angebot an Sprachkursen für Zugewanderte in allen Bezirken. ",
    "fr": "La ville élargit son offre de cours de langue pour les personnes migrantes. ",
    "it": "Il Comune amplia l'offerta di corsi di lingua per cittadini stranieri residenti. ",
    "pl": "Miasto rozszerza ofertę kursów języka polskiego dla cudzoziemców we wszystkich dzielnicach. ",
    "en": "The city is expanding its language classes for newcomers in every district. ",
}


def page(lang: str, times: str) -> bytes:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Kurse</title></head><body>'
        f'<main><article><header class="entry-header"><h1 class="entry-title">Kurse</h1>'
        f'<div class="entry-meta">{times}</div></header><div class="entry-content"><p>{TEXT[lang] * 5}</p>'
        f"</div></article></main></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("lang", "times", "published"),
    [
        ("de", '<time class="updated" datetime="2025-03-12T09:05:11+01:00" itemprop="dateModified">12. März'
         '</time><time class="entry-date published" datetime="2025-03-03T14:30:00+01:00">3. März</time>',
         "2025-03-03T14:30:00+01:00"),
        ("fr", '<time class="modified" datetime="2025-03-12">12 mars</time>'
         '<time class="published" datetime="2025-03-03T14:30:00+01:00">3 mars</time>',
         "2025-03-03T14:30:00+01:00"),
        ("it", '<time itemprop="dateModified" datetime="2025-03-12T10:00:00+01:00">12/03/2025</time>'
         '<time itemprop="datePublished" datetime="2025-03-03T09:15:00+01:00">03/03/2025</time>',
         "2025-03-03T09:15:00+01:00"),
        ("pl", '<time class="last-modified" datetime="2025-03-12">12.03.2025</time>'
         '<time datetime="2025-03-03T14:30:00+01:00">03.03.2025</time>',
         "2025-03-03T14:30:00+01:00"),
        # one <time> marked both ways: a post never edited
        ("en", '<time class="entry-date published updated" datetime="2025-03-03T14:30:00+00:00">3 Mar</time>',
         "2025-03-03T14:30:00+00:00"),
    ],
)  # fmt: skip
def test_the_modification_time_is_not_the_publication(lang: str, times: str, published: str) -> None:
    document = extract_document(page(lang, times), "https://example.eu/news/kurse", "text/html")
    assert (document.published, document.published_from) == (published, "time")
