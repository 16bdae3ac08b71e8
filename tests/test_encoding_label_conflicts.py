"""An 8-bit charset label that decodes a page without errors is not proof (crawler.encoding, rule 3a).

Servers send ``charset=ISO-8859-1`` by default (WHATWG: windows-1252, in which nearly every byte is
valid) for pages written in windows-1250, ISO-8859-2, windows-1257, windows-1253 or windows-1251,
with or without the page's own ``<meta charset>``; the right letters win by plausibility and coherence,
and a Western page keeps its windows-1252 reading. Made-up pages, one language and encoding per row.
"""

from __future__ import annotations

import pytest

from crawler.encoding import decode_html
from pipelines.extract import extract_document

# fmt: off
TEXTS = {
    "pl": "Nowy program integracji cudzoziemców: bezpłatne kursy języka polskiego w Łodzi, Śląsku i "
          "Gdańsku; wnioski o zezwolenie na pobyt przyjmuje urząd wojewódzki.",
    "cs": "Nový integrační program pro cizince: kurzy češtiny, poradenství a tlumočení v Brně a Ústí "
          "nad Labem; žádosti přijímá krajský úřad.",
    "hu": "Új integrációs program indul: ingyenes magyar nyelvtanfolyam, tanácsadás és lakhatási "
          "segítség a fővárosban; a kérelmeket az önkormányzat ügyfélszolgálata őszig fogadja.",
    "hr": "Novi plan integracije: tečajevi hrvatskoga jezika za strance u Đakovu, Čakovcu i Šibeniku; "
          "prijave se primaju do ožujka.",
    "sk": "Nový plán integrácie: bezplatné kurzy slovenčiny pre cudzincov v Žiline, Košiciach a "
          "Ťahanovciach; žiadosti prijíma mestský úrad.",
    "ro": "Plan nou de integrare: cursuri gratuite de limba română pentru străini în Bucureşti şi "
          "Timişoara; cererile se depun la autorităţile locale.",  # cedillas: windows-1250 has no ș ț
    "ro-16": "Plan nou de integrare: cursuri gratuite de limba română pentru străini în București și "
             "Timișoara; cererile se depun la autoritățile locale.",
    "lt": "Naujas integracijos planas: nemokami lietuvių kalbos kursai užsieniečiams Vilniuje ir "
          "Kaune; prašymus priima savivaldybė iki šeštadienio.",
    "lv": "Jauns integrācijas plāns: bezmaksas latviešu valodas kursi ārzemniekiem; pašvaldība "
          "aicina pieteikties līdz mēneša beigām.",
    "et": "Uus lõimumiskava: tasuta eesti keele kursused välismaalastele Tallinnas ja Tartus; "
          "taotlusi võetakse vastu märtsini.",
    "el": "Νέο πρόγραμμα ένταξης μεταναστών: δωρεάν μαθήματα ελληνικής γλώσσας στην Αθήνα και τη "
          "Θεσσαλονίκη· οι αιτήσεις υποβάλλονται έως τον Μάρτιο.",
    "bg": "Нова програма за интеграция на мигрантите: безплатни курсове по български език в София и "
          "Пловдив; заявления се подават до март.",
    "fr": "Nouveau plan d'intégration : cours de français gratuits, accès à l'emploi et hébergement ; "
          "les demandes sont traitées à la préfecture dès février.",
    "de": "Neue Integrationskurse für Geflüchtete: Sprachförderung, Beratung und Unterstützung bei "
          "der Arbeitssuche; Anmeldung über das Bürgerbüro möglich.",
    "pt": "Novo plano de integração: cursos gratuitos de português, acesso à habitação e ao emprego; "
          "as candidaturas são avaliadas até março.",
    "da": "Ny integrationsplan: gratis danskundervisning for flygtninge i Århus og Køge; ansøgninger "
          "behandles af kommunens jobcenter.",
}
ROWS = [
    ("pl", "iso-8859-2"), ("pl", "windows-1250"), ("cs", "windows-1250"), ("cs", "iso-8859-2"),
    ("hu", "iso-8859-2"), ("hr", "windows-1250"), ("sk", "windows-1250"), ("ro", "windows-1250"),
    ("lt", "windows-1257"), ("lv", "windows-1257"), ("et", "windows-1257"), ("et", "iso-8859-15"),
    ("el", "windows-1253"), ("bg", "windows-1251"), ("fr", "windows-1252"), ("de", "iso-8859-15"),
    ("pt", "windows-1252"), ("da", "windows-1252"),
]
# fmt: on


def _page(text: str, meta: str | None) -> str:
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={meta}">' if meta else ""
    return (
        f"<!DOCTYPE html><html><head>{head}<title>Integration</title></head><body><p>{text}</p></body></html>"
    )


@pytest.mark.parametrize(("lang", "encoding"), ROWS, ids=[f"{lang}-{enc}" for lang, enc in ROWS])
@pytest.mark.parametrize(
    ("header", "with_meta"),
    [("iso-8859-1", True), ("iso-8859-1", False), ("windows-1252", True), (None, True)],
    ids=["header-latin1-meta-own", "header-latin1-no-meta", "header-1252-meta-own", "meta-only"],
)
def test_an_8bit_label_that_decodes_is_not_proof(
    lang: str, encoding: str, header: str | None, with_meta: bool
) -> None:
    text = TEXTS[lang]
    body = _page(text, encoding if with_meta else None).encode(encoding)
    decoded, _ = decode_html(body, f"text/html; charset={header}" if header else None)
    assert text in decoded


@pytest.mark.parametrize(
    ("lang", "encoding", "meta"),
    [
        ("pl", "iso-8859-2", "iso-8859-1"),
        ("cs", "windows-1250", "iso-8859-1"),
        ("el", "windows-1253", "utf-8"),
    ],
    ids=["pl-meta-says-latin1", "cs-meta-says-latin1", "el-meta-says-utf8"],
)
def test_a_wrong_meta_label_without_header(lang: str, encoding: str, meta: str) -> None:
    decoded, _ = decode_html(_page(TEXTS[lang], meta).encode(encoding), None)
    assert TEXTS[lang] in decoded


@pytest.mark.parametrize("header", ["iso-8859-1", "windows-1252", None])
def test_romanian_iso_8859_16_declared_in_the_page(header: str | None) -> None:
    """Comma-below ș ț exist only in ISO-8859-16: the page's declaration, not the header, is right."""
    body = _page(TEXTS["ro-16"], "iso-8859-16").encode("iso-8859-16")
    decoded, encoding = decode_html(body, f"text/html; charset={header}" if header else None)
    assert (TEXTS["ro-16"] in decoded, encoding) == (True, "iso8859-16")


def test_utf8_with_bom_under_a_latin1_header() -> None:
    text = TEXTS["cs"]
    body = b"\xef\xbb\xbf" + _page(text, "utf-8").encode()
    assert decode_html(body, "text/html; charset=ISO-8859-1") == (_page(text, "utf-8"), "utf-8")


def test_a_polish_page_under_a_latin1_header_extracts_its_letters() -> None:
    text = TEXTS["pl"]
    body = _page(text + " " + text, "iso-8859-2").encode("iso-8859-2")
    document = extract_document(body, "https://example.eu/a", "text/html", "text/html; charset=ISO-8859-1")
    assert document.text is not None and "Łodzi, Śląsku i Gdańsku" in document.text
