"""Teasers that say "read also" and page-feedback prompts inside an article leave its text
(pipelines.furniture); the article's own sentences that begin with the same words stay. Lines and
made-up pages in several EU languages."""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document
from pipelines.furniture import drop_furniture_lines, is_furniture_line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Lesen Sie auch: Sprachkurse im Landkreis ausgebaut", True),
        ("À lire aussi : Le contrat d'intégration évolue", True),
        ("Leggi anche – Nuovi corsi di italiano", True),
        ("Czytaj także: Nowe zasady pobytu", True),
        ("Διαβάστε επίσης: Νέο πρόγραμμα ένταξης", True),
        ("» Läs också: Nya regler för arbetstillstånd", True),
        ("Skaitykite daugiau: Kauno įmonėse dirba užsieniečiai …", True),
        ("Read more", True),
        ("Is this page useful? Yes No Report a problem with this page", True),
        ("War diese Seite hilfreich? Ja Nein", True),
        ("Cette page vous a-t-elle été utile ? Oui Non", True),
        ("Oliko tästä sivusta hyötyä? Kyllä Ei", True),
        ("Hasznos volt ez az oldal? Igen Nem", True),
        # the article's own sentences
        ("Lesen Sie auch die Hinweise der Behörde zu den Fristen.", False),
        ("Skaitykite daugiau apie programą savivaldybės ataskaitoje.", False),
        ("Read more about the scheme in the annual report published by the council.", False),
        ("Related costs are covered by the municipality.", False),
        ("The survey asked whether this page was useful to newcomers.", False),
        ("Lesen Sie auch: " + "sehr lang " * 40, False),
    ],
)
def test_furniture_lines(line: str, expected: bool) -> None:
    assert is_furniture_line(line) is expected


def test_drop_furniture_lines_keeps_the_rest() -> None:
    text = "Erster Absatz.\nLesen Sie auch: Andere Kurse\nZweiter Absatz.\nWar diese Seite hilfreich? Ja Nein"
    assert drop_furniture_lines(text) == "Erster Absatz.\nZweiter Absatz."
    assert drop_furniture_lines("Nur Text.") == "Nur Text."


@pytest.mark.parametrize(
    ("lang", "paragraph", "furniture"),
    [
        ("de", "Der Landkreis hat das Beratungsangebot für Geflüchtete an einer Stelle gebündelt. ",
         '<div class="read-also"><b>Lesen Sie auch:</b> <a href="/x">Sprachkurse ausgebaut</a></div>'),
        ("en", "Employers must check that workers have the right to work before they start the job. ",
         '<div class="feedback"><p>Is this page useful? Yes No Report a problem with this page</p></div>'),
        ("fr", "La préfecture ouvre de nouvelles places d'hébergement pour les familles déplacées. ",
         '<p class="lire-aussi">À lire aussi : <a href="/y">Le contrat d\'intégration évolue</a></p>'),
        ("pl", "Urząd uruchomił nowy system elektronicznego składania wniosków o pobyt czasowy. ",
         '<p><b>Czytaj także:</b> <a href="/z">Nowe zasady pobytu</a></p>'),
    ],
)  # fmt: skip
def test_furniture_leaves_the_text(lang: str, paragraph: str, furniture: str) -> None:
    body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Kurse</title></head><body>'
        f"<main><article><h1>Kurse</h1><p>{paragraph * 3}</p>{furniture}<p>{paragraph * 2}</p></article>"
        f"</main></body></html>"
    ).encode()
    text = extract_document(body, "https://example.eu/news/kurse", "text/html").text or ""
    assert paragraph.strip() in text
    assert not any(word in text for word in ("Lesen Sie auch", "page useful", "lire aussi", "Czytaj"))
