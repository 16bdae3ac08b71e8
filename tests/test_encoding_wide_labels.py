"""UTF-16 and UTF-32 labels (crawler.encoding, WHATWG rules): a page's own <meta> that says UTF-16 is
read as UTF-8, a header's UTF-16 counts only for a body that is wide, in the byte order the body has;
no label makes decoding raise. Made-up pages in Polish, Greek and German, one label per row."""

from __future__ import annotations

import pytest

from crawler.encoding import decode_html
from pipelines.extract import extract_document

TEXTS = {
    "pl": "Program integracji cudzoziemców obejmie w tym roku wszystkie gminy: zażółć gęślą jaźń.",
    "el": "Το πρόγραμμα ένταξης των μεταναστών θα επεκταθεί φέτος σε όλους τους δήμους της χώρας.",
    "de": "Die Integrationskurse für Zugewanderte werden in diesem Jahr ausgeweitet, sagte die Behörde.",
}


def page(lang: str, meta: str = "") -> str:
    return (
        f'<html lang="{lang}"><head>{meta}<title>Integracja</title></head><body><article><h1>Integracja</h1>'
        f"<p>{TEXTS[lang]}</p><p>{TEXTS[lang]}</p></article></body></html>"
    )


UTF16_META = '<meta charset="utf-16">'
UNICODE_META = '<meta http-equiv="Content-Type" content="text/html; charset=unicode">'


@pytest.mark.parametrize(
    ("lang", "meta", "codec", "header", "expected"),
    [
        # a body's own UTF-16 declaration, in bytes readable as ASCII, is UTF-8
        ("pl", UTF16_META, "utf-8", None, "utf-8"),
        ("el", UTF16_META, "utf-8", "text/html", "utf-8"),
        ("de", '<meta charset="utf-32">', "utf-8", None, "utf-8"),
        ("de", UNICODE_META, "utf-8", None, "utf-8"),
        # a legacy page under the same wrong declaration is still detected
        ("pl", UTF16_META, "cp1250", None, "cp1250"),
        ("el", UTF16_META, "iso8859-7", None, "cp1253"),
        # a header's UTF-16 on an ASCII-compatible body is no UTF-16
        ("pl", "", "utf-8", "text/html; charset=utf-16", "utf-8"),
        ("pl", UTF16_META, "cp1250", "text/html; charset=UTF-16", "cp1250"),
        # a wide body without a byte order mark: the byte order is the body's
        ("pl", UTF16_META, "utf-16-le", "text/html; charset=utf-16", "utf-16-le"),
        ("el", UTF16_META, "utf-16-be", "text/html; charset=utf-16", "utf-16-be"),
        ("de", "", "utf-16-be", "text/html; charset=utf-16be", "utf-16-be"),
        ("de", "", "utf-32-le", "text/html; charset=utf-32", "utf-32-le"),
    ],
)
def test_wide_labels(lang: str, meta: str, codec: str, header: str | None, expected: str) -> None:
    body = page(lang, meta).encode(codec)
    text, used = decode_html(body, header)
    assert (used, TEXTS[lang] in text) == (expected, True)
    document = extract_document(body, "https://example.eu/a", header or "text/html", header)
    assert TEXTS[lang] in (document.text or "")
    assert document.warnings == ()
