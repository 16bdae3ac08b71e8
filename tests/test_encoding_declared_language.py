"""A document that declares its language (crawler.encoding, "Declared language"): among the 8-bit
readings of a page or feed without a charset (or under the servers' default ``ISO-8859-1``), one
whose non-ASCII letters are all letters of the declared language beats one that gives a letter the
language does not use. The rows come from the codec tables: every byte whose ISO-8859-2 and
windows-1250 readings differ and give, in one of the two, a letter of Slovene, Croatian, Czech,
Slovak or Polish, in a one- or two-sentence text of that language whose only non-ASCII letter is
that byte's. Hungarian texts ride along: their ``ő`` is byte F5 in both, which windows-1252 reads
``õ``, as it still does without a declaration. Without a declaration,
or with one of a language without an alphabet (``en``), the choice is as before: the same reading
as under ``lang="en"``, windows-1250 winning the tie the bytes cannot break. So it is when both
readings are letters of the declared language: Slovak writes both ``ž`` (ISO-8859-2 byte BE) and
``ľ`` (windows-1250 byte BE)."""

from __future__ import annotations

import itertools
import re

import pytest

from crawler.encoding import declared_language, decode_html

ENCODINGS = ("iso8859-2", "cp1250")
LETTERS = {
    "sl": "čšž",
    "hr": "čćđšž",
    "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž",
    "pl": "ąćęłńóśźż",
    "hu": "áéíóöőúüű",
}
"""The non-ASCII lowercase letters each language writes (a fact of the languages, not of the code)."""

WORDS = {
    "š": {"sl": "naša", "hr": "pošta", "cs": "naše", "sk": "naše"},
    "ž": {"sl": "država", "hr": "županija", "cs": "že", "sk": "že"},
    "ť": {"cs": "chuť", "sk": "mať"},
    "ľ": {"sk": "ľudia"},
    "ą": {"pl": "są"},
    "ś": {"pl": "środa"},
    "ź": {"pl": "źle"},
}
"""A word per letter and language whose only non-ASCII letter is that letter."""

SENTENCES = {
    "sl": ("Vlada je sprejela nov program za begunce. To je {w} naloga.", "Program {w}"),
    "hr": ("Grad Zagreb otvara savjetovaliste za strance. Tu je {w} za pomoc.", "Vijesti {w}"),
    "cs": ("Ministerstvo vnitra pripravilo novy program. Plati {w} dnes.", "Program {w}"),
    "sk": ("Ministerstvo vnutra spustilo program integracie. Plati {w} dnes.", "Program {w}"),
    "pl": ("Urzad wojewodzki przyjmuje wnioski o pobyt. Terminy {w} w lipcu.", "Wnioski {w}"),
}
"""Per language: two sentences and a short title, ASCII apart from the slot."""


def _differing_letters() -> list[tuple[str, str, str, int]]:
    """(language, encoding, letter, byte) for each byte whose ISO-8859-2 and windows-1250 readings
    differ and whose reading in `encoding` is a letter of `language` that `WORDS` has a word for."""
    rows = []
    for byte in range(0x80, 0x100):
        readings = {enc: bytes([byte]).decode(enc, "replace") for enc in ENCODINGS}
        if len(set(readings.values())) == 1:
            continue
        for enc, char in readings.items():
            for lang, letters in LETTERS.items():
                if char.lower() in letters and lang in WORDS.get(char.lower(), {}):
                    rows.append((lang, enc, char, byte))
    return rows


LETTER_ROWS = _differing_letters()
FORMS = ("sentences", "title")
ROWS = [
    (lang, enc, char, byte, form) for (lang, enc, char, byte), form in itertools.product(LETTER_ROWS, FORMS)
] + [("hu", enc, "ő", 0xF5, form) for enc, form in itertools.product(ENCODINGS, FORMS)]


def _text(lang: str, char: str, form: str) -> str:
    if lang == "hu":
        return (
            "A kormany uj strategiat fogadott el. Az ugyek vegso hatarideje ősz."
            if form == "sentences"
            else "Hírek ősszel"
        )
    word = WORDS[char.lower()][lang]
    if char.isupper():
        word = word.upper()
    sentences, title = SENTENCES[lang]
    return (sentences if form == "sentences" else title).format(w=word)


def _other_reading(encoding: str, byte: int) -> str:
    """What `byte` reads in the other of the two encodings."""
    return bytes([byte]).decode(next(e for e in ENCODINGS if e != encoding), "replace")


DECLARATIONS = {
    "html-lang": lambda lang: (f'<html lang="{lang}">', ""),
    "html-lang-region": lambda lang: (f'<html lang="{lang}-{lang.upper()}">', ""),
    "meta": lambda lang: ("<html>", f'<meta http-equiv="Content-Language" content="{lang}">'),
    "none": lambda lang: ("<html>", ""),
    "en": lambda lang: ('<html lang="en">', ""),
}
FEED_DECLARATIONS = {
    "rss-language": lambda lang: ('<rss version="2.0">', f"<language>{lang}</language>"),
    "rss-language-region": lambda lang: ('<rss version="2.0">', f"<language>{lang}-{lang}</language>"),
    "atom-xml-lang": lambda lang: (f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">', ""),
    "none": lambda lang: ('<rss version="2.0">', ""),
    "en": lambda lang: ('<rss version="2.0">', "<language>en</language>"),
}


def _page(text: bytes, how: str, lang: str) -> bytes:
    root, meta = DECLARATIONS[how](lang)
    return f"{root}<head>{meta}<title>News</title></head><body><p>".encode() + text + b"</p></body></html>"


def _feed(text: bytes, how: str, lang: str) -> bytes:
    root, channel = FEED_DECLARATIONS[how](lang)
    close = "</feed>" if root.startswith("<feed") else "</channel></rss>"
    head = root if root.startswith("<feed") else f"{root}<channel>"
    entry = "entry" if root.startswith("<feed") else "item"
    return (
        f'<?xml version="1.0"?>{head}<title>News</title>{channel}<{entry}><title>'.encode()
        + text
        + f"</title></{entry}>{close}".encode()
    )


def _last_text(markup: str) -> str:
    """The text of the paragraph or the item title: the last text between tags."""
    return re.findall(r">([^<]+)<", markup)[-1]


WRAPS = [("page", _page, how) for how in DECLARATIONS] + [("feed", _feed, how) for how in FEED_DECLARATIONS]
HEADERS = [None, "text/html", "text/html; charset=iso-8859-1"]


@pytest.mark.parametrize(("kind", "wrap", "how"), WRAPS, ids=[f"{k}-{h}" for k, _w, h in WRAPS])
@pytest.mark.parametrize(
    ("lang", "encoding", "char", "byte", "form"),
    ROWS,
    ids=[f"{lang}-{enc}-{byte:02X}-{char}-{form}" for lang, enc, char, byte, form in ROWS],
)
def test_the_declared_language_chooses_its_letters(
    lang: str, encoding: str, char: str, byte: int, form: str, kind: str, wrap, how: str
) -> None:
    """Each row under each of `HEADERS` (no Content-Type, one without a charset, a wrong latin-1)."""
    text = _text(lang, char, form)
    assert text.encode(encoding).count(bytes([byte])) >= 1
    body = wrap(text.encode(encoding), how, lang)
    other = _other_reading(encoding, byte)
    for header in HEADERS:
        decoded, _used = decode_html(body, header)
        if how in ("none", "en") or (other != char and other.lower() in LETTERS[lang]):
            # no language, one without an alphabet, or both readings letters of the language (Slovak
            # "ž" and "ľ" on byte BE): the reading of a body that declares "en"
            english = wrap(text.encode(encoding), "en", lang)
            assert _last_text(decoded) == _last_text(decode_html(english, header)[0]), header
            continue
        assert _last_text(decoded) == text, header


@pytest.mark.parametrize(
    ("body", "language"),
    [
        (b'<!DOCTYPE html><html lang="sl-SI"><head>', "sl"),
        (b"<html\n  class='x' LANG='HR'>", "hr"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="cs" lang="cs">', "cs"),
        (b'<html><head><meta http-equiv="content-language" content="sk">', "sk"),
        (b"<html><head><meta content='pl-PL' http-equiv='Content-Language'>", "pl"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><language>hu-HU</language>', "hu"),
        (b"<rdf:RDF><channel><dc:language>sl</dc:language>", "sl"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="hr">', "hr"),
        (b'<!-- <html lang="pl"> --><html><body>', None),
        (b'<html data-lang="pl"><body>', None),
        (b"<html><body><p>lang=sl</p>", None),
    ],
)
def test_where_a_language_is_declared(body: bytes, language: str | None) -> None:
    assert declared_language(body) == language


def test_every_differing_letter_has_rows() -> None:
    """The table covers every letter of these languages on a byte where the two tables differ."""
    covered = {(lang, char.lower()) for lang, _enc, char, _byte in LETTER_ROWS}
    for byte in range(0x80, 0x100):
        readings = {bytes([byte]).decode(enc, "replace") for enc in ENCODINGS}
        if len(readings) == 1:
            continue
        for char in readings:
            for lang, letters in LETTERS.items():
                if char.lower() in letters:
                    assert (lang, char.lower()) in covered, (lang, char, hex(byte))


FEED_ROWS = [
    row
    for row in ROWS
    if row[4] == "title" and row[0] != "hu" and _other_reading(row[1], row[3]).lower() not in LETTERS[row[0]]
]
"""The title rows a declaration decides (not Slovak byte BE, "ž" or "ľ")."""


@pytest.mark.parametrize(
    ("lang", "encoding", "char", "byte", "form"),
    FEED_ROWS,
    ids=[f"{lang}-{enc}-{byte:02X}-{char}" for lang, enc, char, byte, form in FEED_ROWS],
)
def test_a_harvested_feed_title_reads_in_its_language(
    lang: str, encoding: str, char: str, byte: int, form: str
) -> None:
    """The same rule as a harvest reads a feed (spiders.feed `parse_xml_feed`, RSS ``<language>``)."""
    from spiders.feed import parse_xml_feed

    text = _text(lang, char, form)
    parsed, _text_read = parse_xml_feed(
        _feed(text.encode(encoding), "rss-language-region", lang),
        "application/rss+xml",
        "https://example.eu/feed",
    )
    assert parsed.entries[0].title == text
