"""Encodings nobody showed us (issue 12, class 1), on `crawler.encoding.decode_html` and the feed spider.

Rules under test (crawler.encoding): a few invalid bytes in a UTF-8 document are replaced one by one,
never a reason to decode the whole document in a legacy encoding (no ``Ã``); a charset declared after
many KB of inline CSS or script is still found; without any declaration, text of the EU languages in
their legacy 8-bit encodings decodes to the right letters.
"""

from __future__ import annotations

import pytest
from scrapy.http import XmlResponse

from crawler.encoding import decode_html
from tests.test_spiders import make_spider, run

# fmt: off
TEXTS = {
    "hr": "Integracija migranata: tečajevi hrvatskoga jezika i savjetovanje za tražitelje međunarodne "
          "zaštite u Zagrebu, Splitu i Rijeci. Građani trećih zemalja mogu se prijaviti već ove godine.",
    "cs": "Integrace cizinců: kurzy češtiny a poradenství pro držitele mezinárodní ochrany. Město nabízí "
          "bezplatné tlumočení, pomoc při hledání bydlení a přípravu na zkoušku z českého jazyka.",
    "pl": "Integracja cudzoziemców: bezpłatne kursy języka polskiego dla uchodźców z Ukrainy. Urząd "
          "wojewódzki przyjmuje wnioski o zezwolenie na pobyt czasowy i pracę.",
    "el": "Ένταξη μεταναστών: δωρεάν μαθήματα ελληνικής γλώσσας και συμβουλευτική για πρόσφυγες στην "
          "Αθήνα και τη Θεσσαλονίκη. Οι αιτήσεις υποβάλλονται έως τον Μάρτιο.",
    "lt": "Užsieniečių integracija: nemokami lietuvių kalbos kursai pabėgėliams, konsultacijos dėl "
          "leidimo gyventi ir įsidarbinimo. Savivaldybė kviečia registruotis iš anksto.",
    "lv": "Imigrantu integrācija: bezmaksas latviešu valodas kursi un konsultācijas par uzturēšanās "
          "atļaujām. Pašvaldība aicina pieteikties līdz mēneša beigām.",
    "et": "Sisserändajate lõimumine: tasuta eesti keele kursused ja nõustamine elamisloa küsimustes. "
          "Töötukassa aitab tööd leida ja õppida.",
    "de": "Integrationskurse für Geflüchtete: Sprachförderung, Beratung und Unterstützung bei der "
          "Arbeitssuche. Anmeldung über das Bürgerbüro möglich.",
    "fr": "Intégration des réfugiés : cours de français, accès à l'emploi et hébergement d'urgence. "
          "Les demandes sont traitées à la préfecture.",
    "hu": "Menekültek integrációja: ingyenes magyar nyelvtanfolyam és tanácsadás a fővárosban, "
          "lakhatási segítség és munkaügyi tájékoztatás.",
    "sk": "Integrácia cudzincov: bezplatné kurzy slovenčiny a poradenstvo pre žiadateľov o azyl v "
          "Bratislave a Košiciach. Prihlášky prijíma mestský úrad.",
    "sl": "Vključevanje priseljencev: brezplačni tečaji slovenščine in svetovanje za prosilce za "
          "mednarodno zaščito. Prijave sprejemajo na občini.",
}
LEGACY = [
    ("hr", "windows-1250"), ("hr", "iso-8859-2"), ("cs", "windows-1250"), ("cs", "iso-8859-2"),
    ("pl", "iso-8859-2"), ("pl", "windows-1250"), ("el", "windows-1253"), ("el", "iso-8859-7"),
    ("lt", "windows-1257"), ("lt", "iso-8859-13"), ("lv", "windows-1257"), ("et", "windows-1257"),
    ("et", "iso-8859-15"), ("de", "windows-1252"), ("de", "iso-8859-15"), ("fr", "windows-1252"),
    ("hu", "iso-8859-2"), ("sk", "windows-1250"), ("sl", "windows-1250"), ("sl", "iso-8859-2"),
]
# fmt: on
CSS = "<style>" + ".menu a{color:#036;padding:0 4px}\n" * 600 + "</style>"  # ~22 KB before the declaration
SCRIPT = "<script>" + "var cfg={a:1,b:[2,3]};\n" * 900 + "</script>"


def _page(text: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head>{head}<title>Integration</title></head><body><p>{text}</p></body></html>"
    )


@pytest.mark.parametrize(("lang", "encoding"), LEGACY, ids=[f"{lang}-{enc}" for lang, enc in LEGACY])
@pytest.mark.parametrize("declared", ["none", "late-after-css", "late-after-script"])
def test_legacy_encodings_of_eu_languages_decode_right(lang: str, encoding: str, declared: str) -> None:
    text = TEXTS[lang]
    head = {"none": "", "late-after-css": CSS + f'<meta charset="{encoding}">'}.get(
        declared, SCRIPT + f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
    )
    decoded, _ = decode_html(_page(text, head).encode(encoding), None)
    assert text in decoded


BAD_BYTES = [
    pytest.param(b"\xff", id="lone-ff"),
    pytest.param(b"\xc3", id="lead-byte-then-ascii"),
    pytest.param(b"\xe9", id="windows-1252-e-acute"),
    pytest.param(b"\x80\x81", id="stray-continuations"),
    pytest.param(b"\xed\xa0\x80", id="encoded-surrogate"),
    pytest.param(b"\xf0\x9f", id="truncated-4-byte"),
    pytest.param(b"\xc0\xaf", id="overlong-slash"),
]
HEADERS = [None, "text/html", "text/html; charset=utf-8", "text/html; charset=UTF8"]


@pytest.mark.parametrize("bad", BAD_BYTES)
@pytest.mark.parametrize("header", HEADERS)
@pytest.mark.parametrize("meta", ["", '<meta charset="utf-8">'])
def test_a_few_bad_bytes_do_not_switch_a_utf8_page_to_a_legacy_decoding(
    bad: bytes, header: str | None, meta: str
) -> None:
    words = "Intégration des réfugiés – accès à l’emploi, Übergänge für Geflüchtete, Ελλάδα"
    body = _page(words + " ", meta).encode("utf-8").replace(b"</p>", bad + b" fin</p>")
    decoded, encoding = decode_html(body, header)
    assert encoding == "utf-8"
    assert words in decoded
    assert "Ã" not in decoded and "â€" not in decoded


@pytest.mark.parametrize(
    ("header", "declared"),
    [("text/html; charset=iso-8859-1", ""), (None, '<meta charset="iso-8859-1">'),
     ("text/html; charset=windows-1252", '<meta charset="windows-1252">'), ("text/xml; charset=latin1", "")],
)  # fmt: skip
def test_valid_utf8_wins_over_a_legacy_8bit_label(header: str | None, declared: str) -> None:
    text = TEXTS["cs"]
    decoded, encoding = decode_html(_page(text, declared).encode("utf-8"), header)
    assert (encoding, text in decoded) == ("utf-8", True)


FEED = (
    '<?xml version="1.0" encoding="{enc}"?><rss version="2.0"><channel><title>Integration</title>'
    "<item><title>{title}</title><link>https://city.example.eu/n/1</link><guid>n1</guid></item>"
    "<item><title>Second</title><link>https://city.example.eu/n/2</link><guid>n2</guid></item>"
    "</channel></rss>"
)


@pytest.mark.parametrize("bad", BAD_BYTES)
@pytest.mark.parametrize(
    "content_type", ["application/rss+xml", "text/xml", "application/xml; charset=utf-8"]
)
def test_bad_bytes_in_a_utf8_feed_replace_only_themselves(bad: bytes, content_type: str) -> None:
    title = "Cours de français pour réfugiés à Liège"
    body = (
        FEED.format(enc="utf-8", title=title + " ")
        .encode("utf-8")
        .replace(
            b"</title><link>https://city.example.eu/n/1", bad + b"</title><link>https://city.example.eu/n/1"
        )
    )
    spider = make_spider(id="enc", kind="feed", urls=["https://city.example.eu/rss"], languages=["fr"])
    items, _ = run(
        spider, XmlResponse("https://city.example.eu/rss", body=body, headers={"Content-Type": content_type})
    )
    assert [i.url for i in items] == ["https://city.example.eu/n/1", "https://city.example.eu/n/2"]
    assert items[0].title.startswith(title)
    assert "Ã" not in items[0].title


@pytest.mark.parametrize(
    ("lang", "encoding"), LEGACY[:12], ids=[f"{lang}-{enc}" for lang, enc in LEGACY[:12]]
)
def test_legacy_feeds_declared_in_the_xml_declaration(lang: str, encoding: str) -> None:
    title = TEXTS[lang][:80]
    body = FEED.format(enc=encoding, title=title).encode(encoding)
    spider = make_spider(id="enc", kind="feed", urls=["https://city.example.eu/rss"], languages=[lang])
    items, _ = run(
        spider, XmlResponse("https://city.example.eu/rss", body=body, headers={"Content-Type": "text/xml"})
    )
    assert items[0].title == title


MISLABELLED = [("fr", "windows-1252"), ("cs", "windows-1250"), ("pl", "iso-8859-2"), ("el", "windows-1253"),
               ("lt", "windows-1257")]  # fmt: skip


@pytest.mark.parametrize(("lang", "encoding"), MISLABELLED)
@pytest.mark.parametrize("header", ["text/html; charset=utf-8", None])
def test_a_legacy_page_labelled_utf8_is_still_read_in_its_encoding(
    lang: str, encoding: str, header: str | None
) -> None:
    text = TEXTS[lang]
    meta = '<meta charset="utf-8">' if header is None else ""
    decoded, used = decode_html(_page(text, meta).encode(encoding), header)
    assert text in decoded and used != "utf-8"
