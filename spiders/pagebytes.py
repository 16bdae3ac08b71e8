"""Followed pages whose bytes hold no document: empty, or not text (pure functions).

Rule for the class (`unreadable`, applied by spiders.base `parse_page` to every followed page that
answered 2xx, whatever its Content-Type says):
1. a body with nothing but whitespace (ASCII whitespace, after a byte order mark) is an empty page:
   ``parse.page_empty``;
2. a body that is not a document the extraction reads by its bytes (``%PDF-`` near the start, or the
   magic of a ZIP, image, audio or office file, which pipelines.extract routes itself) and whose
   first `SAMPLE_BYTES` are not text is ``parse.page_not_text``: decoded by its UTF-16 or UTF-32 byte
   order mark or header charset when it names one, else byte by byte, more than `MAX_CONTROLS` of
   its characters are control characters (C0 other than tab, line feed, form feed, carriage return
   and escape, and DEL). Random bytes hold about 11 % of them, text in any charset next to none,
   so one stray control character in a page does not fail it.
Such a page is a failed page (``ewsi/page_errors/<key>``, crawler.health rule 1): its item keeps what
the index gave (title, summary, date), flagged ``page_<key>``, and no body is passed on.
"""

from __future__ import annotations

import codecs

SAMPLE_BYTES = 4096
"""Bytes of the body's start that rule 2 reads."""
MAX_CONTROLS = 0.05
"""Share of control characters above which a sample is no text (rule 2)."""
EMPTY_PAGE = "parse.page_empty"
NOT_TEXT = "parse.page_not_text"

_DOCUMENT_MAGIC = (
    b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!", b"BZh",
    b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF", b"II*\x00", b"MM\x00*",
    b"\x00\x00\x01\x00", b"wOFF", b"wOF2", b"OggS", b"ID3", b"fLaC", b"%!PS", b"\xd0\xcf\x11\xe0",
)  # fmt: skip
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WIDE = ("utf-16", "utf-32")
_ALLOWED_CONTROLS = frozenset("\t\n\f\r\x1b")


def _decode(head: bytes, charset: str | None) -> str:
    """`head` as characters: by its BOM, else a UTF-16/32 header charset, else byte by byte."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, "replace")
    name = (charset or "").strip().lower()
    if name.startswith(_WIDE):
        try:
            return head.decode(name, "replace")
        except LookupError:
            pass
    return head.decode("latin-1")


def _is_control(char: str) -> bool:
    return (char < " " and char not in _ALLOWED_CONTROLS) or char == "\x7f"


def unreadable(body: bytes, charset: str | None = None) -> str | None:
    """The error key of a followed page's `body` that holds no document (module rule), else None;
    `charset` is the Content-Type's charset, if any."""
    if not _decode(body, charset).strip(" \t\n\r\f\v"):
        return EMPTY_PAGE
    text = _decode(body[:SAMPLE_BYTES], charset)
    head = body[:1024]
    if b"%PDF-" in head or head.startswith(_DOCUMENT_MAGIC):
        return None
    controls = sum(1 for c in text if _is_control(c))
    return NOT_TEXT if controls > MAX_CONTROLS * len(text) else None
