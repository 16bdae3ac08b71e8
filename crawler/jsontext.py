"""Bytes of a JSON answer (an API source's pages and detail answers) to text, as the harvest reads them.

JSON is UTF-8 (RFC 8259 section 8.1), and `json.loads` on bytes knows only the Unicode encodings;
an API of an older CMS answers ``Content-Type: application/json; charset=iso-8859-1`` with
ISO-8859-1 bytes, and the first ``é`` made the whole answer a ``UnicodeDecodeError``: every record of
the source lost, the run failed (guzzle/guzzle#310, scrapy/scrapy#6456). A UTF-8 byte order mark,
which RFC 8259 lets a parser ignore, made ``bytes.decode("utf-8")`` followed by `json.loads` fail
the same way (``Unexpected UTF-8 BOM``), so ``ewsi sources check`` called an answer the crawl reads
"not JSON".

Rule for the whole class (`json_text`):
1. a byte order mark, or the NUL pattern of UTF-16 and UTF-32 text without one (RFC 4627 section 3,
   `json.detect_encoding`), names the encoding; the mark is dropped;
2. otherwise the bytes are read as `crawler.encoding.decode_html` reads a page: valid UTF-8 is UTF-8
   whatever the label says; bytes that are not valid UTF-8 are read in the charset the Content-Type
   names when they decode in it (ISO-8859-1 read as windows-1252, as the WHATWG Encoding Standard
   says), else in the 8-bit encoding of the EU languages whose letters fit best, else as UTF-8 with
   U+FFFD for the bad bytes only. A few bad bytes never fail every record of the answer. A
   Content-Type without a charset labels the answer UTF-8 (RFC 8259 section 8.1), so UTF-8 with a
   few pasted Windows-1252 bytes keeps its UTF-8 and gets those bytes as Windows-1252
   (crawler.encoding, "Mixed encodings").

Nesting (`load_json`, `check_depth`): valid JSON whose arrays and objects nest more than `MAX_DEPTH`
deep (``[`` x 5000 then ``]`` x 5000) is refused with `JsonTooDeep` (a ValueError naming the depth
reached, the limit and where it comes from) before it is parsed; Python's `json` would otherwise
hit the interpreter's recursion limit and call it "invalid JSON". RFC 8259 section 9 lets a parser
limit nesting depth; brackets inside strings do not count.
"""

from __future__ import annotations

import json
import re
from typing import Any

from w3lib.encoding import http_content_type_encoding

from crawler.encoding import decode_html, mixed_encoding_bytes
from crawler.errors import JsonTooDeep


def json_text(body: bytes, content_type: str | None = None) -> str:
    """The text of a JSON body (module docstring); never raises."""
    encoding = json.detect_encoding(body)
    if encoding != "utf-8":
        return body.decode(encoding, "replace").removeprefix("\ufeff")
    text, _ = _decode(body, content_type)
    return text


def _decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    """`decode_html` of a JSON body without a byte order mark: a Content-Type that names no charset
    labels it UTF-8 (RFC 8259 section 8.1), so a few bytes that are not UTF-8 never make a UTF-8
    answer a legacy one (crawler.encoding, rule 6 and "Mixed encodings")."""
    labelled = bool(content_type) and http_content_type_encoding(content_type) is not None
    return decode_html(body, content_type if labelled else "utf-8")


MAX_DEPTH = 512
"""Deepest nesting of arrays and objects a JSON answer may have (RFC 8259 section 9 lets a parser set
one): real API answers nest a dozen levels; half of Python's default recursion limit (1,000), so the
parser, JMESPath and the record walkers after it never run out of stack."""

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def nesting_depth(text: str, stop: int | None = None) -> int:
    """How deep the arrays and objects of JSON `text` nest (brackets inside strings left out), or
    ``stop + 1`` once it passes `stop`. Text that is not JSON gives a number all the same."""
    depth = deepest = 0
    for char in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if char in "[{" else -1
        if depth > deepest:
            deepest = depth
            if stop is not None and deepest > stop:
                break
    return deepest


__all__ = ["MAX_DEPTH", "JsonTooDeep", "check_depth", "json_text", "json_utf8", "load_json", "parse_json"]


def check_depth(text: str | bytes, limit: int = MAX_DEPTH) -> str | bytes:
    """`text` itself, or `JsonTooDeep` when it nests more than `limit` deep (module docstring). Bytes
    are read one character a byte (the ASCII brackets, quotes and backslashes of UTF-8, UTF-16 and
    UTF-32 text are found so)."""
    chars = text if isinstance(text, str) else text.decode("latin-1")
    if chars.count("[") + chars.count("{") > limit:  # fewer brackets than that cannot nest deeper
        depth = nesting_depth(chars, stop=limit)
        if depth > limit:
            raise JsonTooDeep(depth, limit)
    return text


def parse_json(text: str | bytes, **kwargs: Any) -> Any:
    """`json.loads` of `text` once `check_depth` let it through; raises `JsonTooDeep` or another
    ValueError for text that is not JSON (module docstring). The one JSON reader of the harvest,
    ``sources check`` and the desk's JSON bodies."""
    return json.loads(check_depth(text), **kwargs)


def json_utf8(body: bytes, content_type: str | None = None) -> bytes:
    """`body` as UTF-8 without a byte order mark when rule 1 names its encoding (a mark, or the NUL
    pattern of UTF-16 or UTF-32), else `body` unchanged: byte sniffers see the JSON the harvest
    parses."""
    if json.detect_encoding(body[:4]) == "utf-8":
        return body
    return json_text(body, content_type).encode("utf-8")


def load_json(body: bytes, content_type: str | None = None, **kwargs: Any) -> Any:
    """`parse_json` of `json_text`: raises `JsonTooDeep` for JSON nested too deep, another ValueError
    for text that is not JSON."""
    return parse_json(json_text(body, content_type), **kwargs)


def mixed_encoding_count(body: bytes, content_type: str | None = None) -> int:
    """How many bytes of a UTF-8 JSON body `json_text` read as Windows-1252 because they are not
    UTF-8 (crawler.encoding, "Mixed encodings"; the source's ``parse.mixed_encoding`` warning)."""
    if json.detect_encoding(body) != "utf-8" or not mixed_encoding_bytes(body, "utf-8"):
        return 0
    _, encoding = _decode(body, content_type)
    return mixed_encoding_bytes(body, encoding)
