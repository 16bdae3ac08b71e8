"""An all-capitals ``<title>`` is written as the page's headline writes it (pipelines.titles rule
2d); a title with small letters, or a headline in capitals too, keeps its letters. Made-up pages in
several EU languages."""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document
from pipelines.titles import choose_title

BODY = "<p>" + "La ville élargit son offre de cours de langue pour les personnes migrantes. " * 5 + "</p>"


@pytest.mark.parametrize(
    ("lang", "title", "headline"),
    [
        ("de", "NEUE KURSE FÜR ZUGEWANDERTE | STADT BONN", "Neue Kurse für Zugewanderte"),
        ("fr", "ACCUEIL DES RÉFUGIÉS À LYON - MÉTROPOLE DE LYON", "Accueil des réfugiés à Lyon"),
        ("el", "ΝΕΟ ΠΡΟΓΡΑΜΜΑ ΕΝΤΑΞΗΣ | ΔΗΜΟΣ ΑΘΗΝΑΙΩΝ", "Νέο πρόγραμμα ένταξης"),
        ("pl", "NOWE ZASADY POBYTU CZASOWEGO » URZĄD", "Nowe zasady pobytu czasowego"),
    ],
)
def test_a_capitals_title_takes_the_headlines_letters(lang: str, title: str, headline: str) -> None:
    body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><main><article><h1>{headline}</h1>{BODY}</article></main></body></html>"
    ).encode()
    assert extract_document(body, "https://www.example.eu/news/1", "text/html").title == headline


@pytest.mark.parametrize(
    ("raw", "headlines", "expected"),
    [
        ("NEUE KURSE | STADT", ["Neue Kurse"], "Neue Kurse"),
        # small letters in the title, a headline in capitals, or no equal headline: the title stays
        ("Neue KURSE | Stadt", ["Neue Kurse"], "Neue KURSE"),
        ("NEUE KURSE | STADT", ["NEUE KURSE"], "NEUE KURSE"),
        ("NEUE KURSE", ["Andere Kurse"], "NEUE KURSE"),
    ],
)
def test_choose_title_capitals(raw: str, headlines: list[str], expected: str) -> None:
    assert choose_title(raw, headlines=headlines) == expected
