"""Bytes of an XML document (a feed, a sitemap) to text, one reading for the crawl and for onboarding.

Rule (`decode_xml`): a body without a byte order mark whose first character is ``<`` written in
UTF-32 or UTF-16 (XML 1.0 Appendix F: ``00 00 00 3C`` / ``3C 00 00 00``, then ``00 3C`` / ``3C
00``) gets the mark of that encoding; then the bytes are decoded by `crawler.encoding.decode_html`
(a mark first, then header, declaration, UTF-8 and the EU legacy encodings); the mark's character,
and blanks before ``<?xml`` (feedparser#508), are dropped. The feed spider (spiders.feed), the
sitemap reader (spiders.sitemapdoc) and ``ewsi sources add`` (crawler.onboard) all read XML so:
a UTF-16 or UTF-32 feed the crawl reads is never "no feed" when it is onboarded.

`xml_utf8` gives parsers that take bytes (lxml, the byte sniffers of crawler.probe and
crawler.discover) the same reading: a UTF-16 or UTF-32 body whose text starts with ``<`` as UTF-8
with its XML declaration made to say so; any other body as it is (its own decoding rules stay with
the reader; gzip and other binary bytes with NULs in them are no wide text).
"""

from __future__ import annotations

import codecs
import re

from crawler.encoding import decode_html

XML_DECLARATION = re.compile(r"^(\s*<\?xml\b[^>]*?\bencoding\s*=\s*)([\"'])[^\"']*\2")
"""An XML declaration's encoding pseudo-attribute (the value is replaced by ``utf-8`` once the
text is decoded, so a parser given the UTF-8 bytes does not decode them again as UTF-16)."""

_FIRST_CHARACTER = (
    (b"\x00\x00\x00<", codecs.BOM_UTF32_BE),
    (b"<\x00\x00\x00", codecs.BOM_UTF32_LE),
    (b"\x00<", codecs.BOM_UTF16_BE),
    (b"<\x00", codecs.BOM_UTF16_LE),
)
"""XML 1.0 Appendix F: ``<`` as the first character names UTF-32 or UTF-16 and its byte order
(UTF-32 first: its little-endian form starts like UTF-16's)."""


def with_bom(body: bytes) -> bytes:
    """`body` with the byte order mark its first character implies (`_FIRST_CHARACTER`) when it has
    none; any other body unchanged."""
    for start, bom in _FIRST_CHARACTER:
        if body.startswith(start):
            return bom + body
    return body


def decode_xml(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, Python codec used) of an XML body (module rule); never raises."""
    text, encoding = decode_html(with_bom(body), content_type or None)
    return text.removeprefix("\ufeff").lstrip(), encoding


def is_wide(encoding: str) -> bool:
    """True for the UTF-16 and UTF-32 codecs, whatever the byte order."""
    return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))


def xml_utf8(body: bytes, content_type: str | None = None) -> bytes:
    """`body` as UTF-8 when `decode_xml` reads it as UTF-16 or UTF-32 (its declaration then says
    ``utf-8``), else `body` unchanged (module docstring)."""
    if b"\x00" not in body[:1024]:
        return body  # wide text has a NUL in every character of ASCII markup
    text, encoding = decode_xml(body, content_type)
    if not is_wide(encoding) or not text.startswith("<"):
        return body  # not wide, or no markup once decoded (gzip, other binary bytes with NULs)
    return XML_DECLARATION.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8")
