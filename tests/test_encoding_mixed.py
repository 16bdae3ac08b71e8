"""Mixed encodings (crawler.encoding, "Mixed encodings"): in a document declared or read as UTF-8,
each run of bytes that is not valid UTF-8 is read as Windows-1252 and counted for the source's
``parse.mixed_encoding`` warning; valid UTF-8 stays as it is. Feeds, pages and JSON answers alike."""

from __future__ import annotations

import json

import pytest
from scrapy.http import TextResponse

from crawler.encoding import MIXED_ENCODING, decode_html, mixed_encoding_bytes
from crawler.health import mixed_encoding_note
from crawler.jsontext import json_text, mixed_encoding_count
from pipelines.extract import MIXED_ENCODING_WARNING, extract_document
from spiders.feed import parse_xml_feed
from tests.test_spiders import make_spider, run, stats

UTF8 = "text/html; charset=utf-8"

# (body, Content-Type, text expected in the reading, bytes repaired)
CASES: list[tuple[bytes, str | None, str, int]] = [
    # Windows-1252 punctuation pasted into UTF-8 (the reported title)
    ("Migrants’ rights ".encode() + b"\x93ok\x94", UTF8, "Migrants’ rights “ok”", 2),
    ("It’s ".encode() + b"the council\x92s plan", UTF8, "It’s the council’s plan", 1),
    ("Réfugiés ".encode() + b"\x96 un plan", UTF8, "Réfugiés – un plan", 1),
    ("Café ".encode() + b"and more\x85", UTF8, "Café and more…", 1),
    ("Budget über ".encode() + b"\x80 4 million", UTF8, "Budget über € 4 million", 1),
    # a Latin-1 letter in an otherwise UTF-8 text
    ("Straße ".encode() + b"caf\xe9 cr\xe8me", UTF8, "Straße café crème", 2),
    ("Größe ".encode() + b"na\xefve", None, "Größe naïve", 1),  # unlabelled, read as UTF-8 (rule 6)
    # several bad bytes in a row are one run, each read as Windows-1252
    ("Über ".encode() + b"\x93\x93x\x94\x94", UTF8, "Über ““x””", 4),
    # bytes Windows-1252 leaves undefined stay U+FFFD
    (
        "Ärger über Größe ".encode() + b"a\x81b\x8dc\x8fd\x90e\x9df",
        UTF8,
        "Größe a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf",
        5,
    ),
    # overlong forms, encoded surrogates and lone continuation bytes are invalid UTF-8
    ("Übung ".encode() + b"\xc0\xaf", UTF8, "Übung À¯", 2),
    ("Übung ".encode() + b"\xed\xa0\x80x", UTF8, "Übung í\xa0€x", 3),
    ("Übung ".encode() + b"\xbf", UTF8, "Übung ¿", 1),
    # a sequence cut before its end by the next character is a cut, not Windows-1252 text
    ("Übung ".encode() + b"\xe2\x80 end", UTF8, "Übung \ufffd end", 2),
    ("Übung ".encode() + b"\xf0\x9f\x91 end", UTF8, "Übung \ufffd end", 3),
    ("Übung ".encode() + b"voil\xc3 tout", UTF8, "Übung voil\ufffd tout", 1),
    ("Übung ".encode() + b"\xc2 tout", UTF8, "Übung \ufffd tout", 1),
    # a Windows-1252 Ã or Â before an ASCII letter or digit is that letter ("NAÇÃO", "CHÂTEAU")
    ("Übung ".encode() + "NAÇÃO E INFORMAÇÃO".encode("cp1252"), UTF8, "Übung NAÇÃO E INFORMAÇÃO", 4),
    ("Größe ".encode() + "CHÂTEAU".encode("cp1252"), UTF8, "Größe CHÂTEAU", 1),
    ("Größe ".encode() + "SÃ2, ALÂX".encode("cp1252"), UTF8, "Größe SÃ2, ALÂX", 2),
    # before a sign or a tag it is a sequence cut short
    ("Größe ".encode() + b"voil\xc3-x", UTF8, "Größe voil\ufffd-x", 1),
    # valid UTF-8 is never touched: 4-byte emoji, CJK, a real U+FFFD in the text
    ("Welcome 👍 難民 Zuwanderung “quoted” €".encode(), UTF8, "Welcome 👍 難民 Zuwanderung “quoted” €", 0),
    ("Ελληνικά 🇪🇺 \ufffd kept".encode(), None, "Ελληνικά 🇪🇺 \ufffd kept", 0),
    # a wrong 8-bit label on UTF-8 with a pasted byte: UTF-8 (rule 2), the byte as Windows-1252
    ("Größe über ".encode() + b"\x93x\x94", "text/html; charset=iso-8859-1", "Größe über “x”", 2),
    # a real Windows-1252 document stays Windows-1252 (no valid UTF-8 at all): nothing repaired
    ("Café \u201cok\u201d".encode("cp1252"), None, "Café “ok”", 0),
]


@pytest.mark.parametrize(("body", "content_type", "expected", "repaired"), CASES)
def test_invalid_utf8_runs_read_as_windows_1252(
    body: bytes, content_type: str | None, expected: str, repaired: int
) -> None:
    page = b"<html><head><title>t</title></head><body><p>" + body + b"</p></body></html>"
    text, encoding = decode_html(page, content_type)
    assert expected in text, (text, encoding)
    assert mixed_encoding_bytes(page, encoding) == repaired


# bodies read as they are: (body, Content-Type, text expected, bytes repaired)
WHOLE: list[tuple[bytes, str | None, str, int]] = [
    # a sequence cut at the very end of the body (a size cap) is a cut: U+FFFD, not counted
    ("<p>Emoji 👍 Größe ".encode() + "👍".encode()[:3], UTF8, "Größe \ufffd", 0),
    ("<p>Übung Größe €".encode()[:-1], UTF8, "Größe \ufffd", 0),
    # a UTF-8 byte order mark, then pasted bytes
    (b"\xef\xbb\xbf" + "<p>Über ".encode() + b"\x93x\x94", None, "Über “x”", 2),
    (b"\xef\xbb\xbf" + "<p>Über ".encode() + b"\x93x\x94", "text/html; charset=windows-1252", "Über “x”", 2),
]


@pytest.mark.parametrize(("body", "content_type", "expected", "repaired"), WHOLE)
def test_whole_bodies(body: bytes, content_type: str | None, expected: str, repaired: int) -> None:
    text, encoding = decode_html(body, content_type)
    assert text.endswith(expected) or expected in text, (text, encoding)
    assert mixed_encoding_bytes(body, encoding) == repaired


def test_the_handler_is_a_registered_codecs_error_handler() -> None:
    assert b"a\x93b\x94".decode("utf-8", MIXED_ENCODING) == "a“b”"
    with pytest.raises(UnicodeEncodeError):  # decoding only
        "\udc80".encode("utf-8", MIXED_ENCODING)


FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    b"<item><title>Migrants\xe2\x80\x99 rights \x93ok\x94</title><link>https://a.example/1</link>"
    b"<guid>a-1</guid><description>Caf\xe9 \x96 a place for refugees</description></item>"
    b"<item><title>Caf\xc3\xa9 f\xc3\xbcr Gefl\xc3\xbcchtete</title><link>https://a.example/2</link>"
    b"<guid>a-2</guid></item></channel></rss>"
)


def test_feed_titles_and_bodies_are_repaired_and_counted() -> None:
    parsed, _ = parse_xml_feed(FEED, "application/rss+xml; charset=utf-8", "https://a.example/feed")
    assert [e.title for e in parsed.entries] == ["Migrants’ rights “ok”", "Café für Geflüchtete"]
    assert parsed.entries[0].summary == "Café – a place for refugees"
    assert parsed["ewsi_mixed_encoding"] == 4


def test_feed_source_counts_the_repaired_bytes_and_warns() -> None:
    spider = make_spider(id="mixed", kind="feed", urls=["https://a.example/feed"], languages=["en"])
    items, _ = run(
        spider,
        TextResponse("https://a.example/feed", body=FEED, headers={"Content-Type": "application/rss+xml"}),
    )
    assert [item.title for item in items] == ["Migrants’ rights “ok”", "Café für Geflüchtete"]
    assert stats(spider)["ewsi/parse/mixed_encoding"] == 4
    note = mixed_encoding_note(stats(spider))
    assert note is not None and note.startswith("parse.mixed_encoding: 4 bytes")


def test_a_valid_feed_gets_no_count() -> None:
    parsed, _ = parse_xml_feed(
        FEED.replace(b"\x93", b"").replace(b"\x94", b"").replace(b"\xe9 \x96", b"e"),
        "application/rss+xml",
        "u",
    )
    assert "ewsi_mixed_encoding" not in parsed
    assert mixed_encoding_note({}) is None


JSON_ANSWER = (
    b'{"results": [{"title": "R\xc3\xa9fugi\xc3\xa9s \x96 l\x92accueil", "url": "https://a.example/1"}]}'
)


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", ""])
def test_json_answers_are_repaired_and_counted(content_type: str) -> None:
    assert json.loads(json_text(JSON_ANSWER, content_type))["results"][0]["title"] == "Réfugiés – l’accueil"
    assert mixed_encoding_count(JSON_ANSWER, content_type) == 2
    assert mixed_encoding_count(JSON_ANSWER.replace(b"\x96", b"-").replace(b"\x92", b"'"), content_type) == 0


def test_api_source_counts_the_repaired_bytes() -> None:
    spider = make_spider(
        id="api",
        kind="api",
        urls=["https://a.example/api"],
        languages=["fr"],
        api={"items": "results", "title": "title", "link": "url"},
    )
    response = TextResponse(
        "https://a.example/api", body=JSON_ANSWER, headers={"Content-Type": "application/json"}
    )
    items, _ = run(spider, response)
    assert [item.title for item in items] == ["Réfugiés – l’accueil"]
    assert stats(spider)["ewsi/parse/mixed_encoding"] == 2


PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Migrants’ rights</title></head>"
    "<body><article><h1>Migrants’ rights ".encode()
    + b"\x93ok\x94</h1><p>"
    + b"The integration of migrants and refugees into the labour market is a key priority \x96 "
    b"the ministry\x92s plan names schools, housing and language courses for newly arrived people. "
    * 3
    + b"</p></article></body></html>"
)


def test_pages_are_repaired_and_flagged() -> None:
    document = extract_document(PAGE, "https://a.example/1", "text/html; charset=utf-8", "utf-8")
    assert "\ufffd" not in (document.text or "")
    assert "priority – the ministry’s plan" in (document.text or "")
    assert MIXED_ENCODING_WARNING in document.warnings
    clean = extract_document(
        PAGE.replace(b"\x93", b"").replace(b"\x94", b"").replace(b"\x96", b"-").replace(b"\x92", b"'"),
        "https://a.example/1",
        "text/html",
        "utf-8",
    )
    assert MIXED_ENCODING_WARNING not in clean.warnings


def test_the_run_warning_names_pages_and_bytes() -> None:
    note = mixed_encoding_note({"ewsi/parse/mixed_encoding": 1, "ewsi/parse/mixed_encoding_pages": 2})
    assert note == (
        "parse.mixed_encoding: 1 byte in the source's documents and 2 followed pages not valid UTF-8, "
        "read as Windows-1252 (a UTF-8 text with pasted Windows-1252 characters; a cut UTF-8 character "
        "as U+FFFD)"
    )
