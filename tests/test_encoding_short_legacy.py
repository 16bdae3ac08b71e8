"""Short pages and feeds in a legacy 8-bit encoding, served without a charset or under a wrong one,
decode back to the text as written (crawler.encoding rules 3a and 7: the candidates are judged by
the letters they give). An explicit, correct charset still wins."""

from __future__ import annotations

import pytest

from crawler.encoding import decode_html

TEXTS = [
    ("cp1250", "Zarządzanie migracją wymaga współpracy gmin. Żadne dziecko nie powinno zostać bez szkoły."),
    ("iso8859-2", "Urząd wojewódzki przyjmuje wnioski o pobyt czasowy. Ślubowanie odbędzie się w piątek."),
    ("cp1250", "Ministerstvo vnitra připravilo nový zákon o pobytu cizinců. Žádosti se podávají na úřadě."),
    ("iso8859-2", "Kurzy češtiny pro cizince začínají v září. Přihlášky přijímá krajský úřad."),
    (
        "cp1250",
        "Ministerstvo vnútra spustilo program integrácie. Cudzinci sa môžu prihlásiť do kurzu slovenčiny.",
    ),
    ("cp1250", "A kormány új integrációs stratégiát fogadott el. Az önkormányzatok felelősek a szállásért."),
    ("iso8859-2", "Június elsejétől bővül a nyelvtanfolyamok köre. A jelentkezés határideje péntek."),
    ("cp1250", "Vlada je sprejela nov zakon o tujcih. Prošnje za začasno zaščito obravnava upravna enota."),
    ("cp1250", "Objavljen je novi natječaj. Tražitelji međunarodne zaštite mogu učiti hrvatski."),
    (
        "iso8859-2",
        "Grad Zagreb otvara savjetovalište za strance. Radno vrijeme je od ponedjeljka do četvrtka.",
    ),
    (
        "cp1252",
        "Le ministère a présenté un plan d’intégration. Les réfugiés reçoivent des cours de français.",
    ),
    (
        "cp1252",
        "Das Bundesministerium fördert Sprachkurse für Geflüchtete. Anträge müssen bis März gestellt werden.",
    ),
    ("cp1252", "El Gobierno aprobó un plan de integración para niños migrantes. ¿Quién puede solicitarlo?"),
    ("cp1252", "O governo lançou um programa de integração. As inscrições estão abertas até junho."),
    (
        "cp1252",
        "Regeringen har fremlagt en ny integrationsplan. Kommunerne får støtte til danskundervisning.",
    ),
    ("cp1252", "Regeringen har beslutat om nya åtgärder för nyanlända. Kommunerna får mer stöd."),
    ("cp1252", "Il ministero ha finanziato corsi di lingua. È possibile iscriversi entro venerdì."),
    (
        "cp1252",
        "De coördinatie van de inburgering ligt bij de gemeente. Aanvragen kan tot 1 maart – ook online.",
    ),
    ("cp1252", "Maahanmuuttajien kotoutumista tuetaan. Kunnat järjestävät suomen kielen kursseja."),
    ("cp1253", "Το υπουργείο ανακοίνωσε νέο πρόγραμμα ένταξης. Οι αιτήσεις υποβάλλονται έως τον Μάρτιο."),
    (
        "cp1251",
        "Министерството представи нова програма за интеграция. Бежанците могат да учат български език.",
    ),
    ("cp1257", "Vyriausybė patvirtino naują integracijos planą. Užsieniečiai galės mokytis lietuvių kalbos."),
    ("cp1257", "Valdība apstiprināja jaunu integrācijas plānu. Ārzemnieki varēs mācīties latviešu valodu."),
    (
        "cp1257",
        "Valitsus kiitis heaks uue lõimumiskava. Välismaalased saavad õppida eesti keelt ja žürii otsustab.",
    ),
]


def _page(text: bytes) -> bytes:
    return b"<html><head><title>News</title></head><body><p>" + text + b"</p></body></html>"


def _feed(text: bytes) -> bytes:
    return (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><item><title>'
        + text
        + b"</title></item></channel></rss>"
    )


TITLES = [
    ("cp1250", "Zarządzanie migracją"),
    ("cp1250", "Pomagają cudzoziemcom"),
    ("cp1250", "Będą nowe kursy"),
    ("iso8859-2", "Urząd pracy"),
    ("iso8859-2", "Naša pomoč"),
    ("cp1250", "Žádost o azyl"),
    ("cp1250", "Közlemény"),
    ("cp1252", "Noël à Paris"),
    ("cp1252", "Ação social"),
    ("cp1252", "Æbler på øen"),
]
"""A title alone: one or two letters outside ASCII. Byte B9 alone (windows-1250 ``ą``, ISO-8859-2
``š``) reads as windows-1250, the more used encoding; the others tell the encodings apart."""


@pytest.mark.parametrize("header", [None, "text/html; charset=iso-8859-1"])
@pytest.mark.parametrize(("encoding", "text"), TITLES, ids=[f"{e}-{t}" for e, t in TITLES])
def test_a_short_title_decodes_back(encoding: str, text: str, header: str | None) -> None:
    body = b"<title>" + text.encode(encoding) + b"</title>"
    assert decode_html(body, header)[0] == f"<title>{text}</title>"


@pytest.mark.parametrize("wrap", [_page, _feed], ids=["page", "feed"])
@pytest.mark.parametrize("header", [None, "text/html", "text/html; charset=iso-8859-1"])
@pytest.mark.parametrize(("encoding", "text"), TEXTS, ids=[f"{e}-{t[:12]}" for e, t in TEXTS])
def test_short_legacy_text_decodes_back(encoding: str, text: str, header: str | None, wrap) -> None:
    decoded, _used = decode_html(wrap(text.encode(encoding)), header)
    assert text in decoded


@pytest.mark.parametrize(("encoding", "text"), TEXTS, ids=[f"{e}-{t[:12]}" for e, t in TEXTS])
def test_utf8_stays_utf8(encoding: str, text: str) -> None:
    assert decode_html(_page(text.encode("utf-8")), None) == (_page(text.encode("utf-8")).decode(), "utf-8")


@pytest.mark.parametrize(
    ("encoding", "text", "label"),
    [
        ("cp1250", "Pomoč beguncem", "windows-1250"),
        ("iso8859-2", "Zarządzanie migracją", "iso-8859-2"),
        ("cp1257", "Ārzemnieku integrācija", "windows-1257"),
        ("cp1252", "Pièce jointe", "windows-1252"),
    ],
)
def test_a_correct_charset_wins(encoding: str, text: str, label: str) -> None:
    decoded, _used = decode_html(_page(text.encode(encoding)), f"text/html; charset={label}")
    assert text in decoded


@pytest.mark.parametrize(
    ("body", "wrong", "right"),
    [
        ("¿Quién?".encode("cp1252"), "żQuién?", "¿Quién?"),
        ("È vero, venerdì.".encode("cp1252"), "Č vero, venerdě.", "È vero, venerdì."),
        ("Niño".encode("cp1252"), "Nińo", "Niño"),
    ],
)
def test_windows_1252_letters_are_not_read_as_central_european(body: bytes, wrong: str, right: str) -> None:
    decoded, used = decode_html(_page(body), None)
    assert right in decoded and wrong not in decoded
    assert used == "cp1252"
