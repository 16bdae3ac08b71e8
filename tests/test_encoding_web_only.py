"""An unlabelled page whose only non-ASCII bytes are windows-1252 typography (quotes, dashes, euro,
ellipsis) reads as windows-1252, never in a DOS code page a detector names for a short sample
(jawah/charset_normalizer#130, #477). Rules (crawler.encoding, rule 7): a detector's verdict is a
candidate only when it is an encoding of the WHATWG Encoding Standard; a one-letter word of another
script between Latin words is no evidence for that script's encoding.
"""

from __future__ import annotations

import pytest

from crawler.encoding import WEB_ENCODINGS, _web_encoding, decode_html

TEXTS = [
    "Integration of migrants \u2013 a plan for 2025",
    "The council\u2019s \u201cwelcome desk\u201d opens \u2014 at last\u2026",
    "Language courses cost \u20ac 5 per week, \u20ac 20 per month",
    "Bullet points: \u2022 housing \u2022 jobs \u2022 schools",
    "Die Stadt \u201efördert\u201c Sprachkurse für Geflüchtete \u2013 ab März",
    "L\u2019accueil des réfugiés \u2013 \u00ab un guichet unique \u00bb \u2026",
    "Ett \u201dnytt\u201d program för nyanlända \u2013 från april",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("wrap", ["<html><body><p>{}</p></body></html>", "{}"])
def test_windows_1252_typography_without_label(text: str, wrap: str) -> None:
    body = wrap.format(text).encode("cp1252")
    decoded, encoding = decode_html(body, None)
    assert encoding == "cp1252"
    assert text in decoded


@pytest.mark.parametrize(
    ("encoding", "web"),
    [
        ("cp1252", True),
        ("windows-1250", True),
        ("iso-8859-16", True),
        ("koi8-u", True),
        ("mac-cyrillic", True),
        ("cp775", False),
        ("cp850", False),
        ("cp1125", False),
        ("cp437", False),
        ("mac-latin2", False),
        ("no-such-codec", False),
    ],
)
def test_web_encodings(encoding: str, web: bool) -> None:
    assert _web_encoding(encoding) is web
    assert ("utf-8" in WEB_ENCODINGS) and ("cp1252" in WEB_ENCODINGS)


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Планът за интеграция предвижда езикови курсове за бежанци и мигранти", "cp1251"),
        ("Σχέδιο για την ένταξη των μεταναστών και των προσφύγων", "cp1253"),
        ("Szkoła i praca: pomoc dla uchodźców w Łodzi, kursy języka polskiego", "cp1250"),
        ("Integrace cizinců: kurzy češtiny a poradenství v Brně", "cp1250"),
    ],
)
def test_other_alphabets_still_detected(text: str, codec: str) -> None:
    decoded, _ = decode_html(f"<p>{text}</p>".encode(codec), None)
    assert text in decoded
