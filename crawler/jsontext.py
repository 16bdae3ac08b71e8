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
   U+FFFD for the bad bytes only. A few bad bytes never fail every record of the answer.
"""

from __future__ import annotations

import json
from typing import Any

from crawler.encoding import decode_html


def json_text(body: bytes, content_type: str | None = None) -> str:
    """The text of a JSON body (module docstring); never raises."""
    encoding = json.detect_encoding(body)
    if encoding != "utf-8":
        return body.decode(encoding, "replace").removeprefix("\ufeff")
    text, _ = decode_html(body, content_type or None)
    return text


def load_json(body: bytes, content_type: str | None = None, **kwargs: Any) -> Any:
    """`json.loads` of `json_text`; raises ValueError (or RecursionError) for text that is not JSON."""
    return json.loads(json_text(body, content_type), **kwargs)
