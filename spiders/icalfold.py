"""Reading an iCalendar body: decoded to UTF-8, its folded lines joined as octets, then the icalendar
package.

Rule (RFC 5545 section 3.1): a content line longer than 75 octets is folded by inserting a line
break followed by one space or horizontal tab, and unfolding removes the break and that one
character. The limit counts octets, so producers split a multi-byte UTF-8 character across a fold
("Integrationsmaßnahmen" broken inside "ß"); the icalendar package decodes each physical line
before it unfolds, which turns the two halves into two U+FFFD. Lines are therefore unfolded on the
bytes, before any decoding: CRLF, a bare LF (written by many producers) or a bare CR (old Mac
line ends) followed by one space or tab is removed; a second blank after it is content and kept.

Rule (charset, RFC 5545 section 3.1.4: UTF-8 unless the Content-Type says otherwise): a body with a
byte order mark is read in the encoding it marks (UTF-8, UTF-16 or UTF-32, as Windows tools write
it); a body valid in UTF-8 once unfolded is UTF-8; any other is decoded by the charset its
Content-Type names (``text/calendar; charset=windows-1252``; labels as the WHATWG Encoding
Standard resolves them) when the body is valid in it, else its encoding is detected as a page's is
(`crawler.encoding.decode_html`), never read as UTF-8 with its letters lost. Bare CR line ends
are read as line ends.

Rule (a TZID holding a colon, libical/libical#152): a parameter value with a colon must be quoted
(RFC 5545 section 3.1), but Google Calendar writes ``DTSTART;TZID=GMT+05:30:20120904T020000`` and
Outlook ``TZID=(UTC+01:00) Amsterdam, Berlin, ...:20250310T180000`` unquoted, and the icalendar
package then splits at the first colon and cannot read the time: the event was lost. As libical and
calendar clients do, an unquoted TZID of a property whose value is dates or date-times reaches to
the last colon before that value (`quote_tzids`); the value is quoted, then read as written.
"""

from __future__ import annotations

import re
from typing import Any

from w3lib.encoding import http_content_type_encoding, read_bom

from crawler.encoding import decode_html

_FOLD = re.compile(rb"\r?\n[ \t]")
"""A fold: a line break (CRLF or LF) and the one blank that starts the continuation line."""
_BARE_CR = re.compile(rb"\r(?!\n)")
"""A CR that ends a line alone (classic Mac OS): read as LF."""


_TZID_HEAD = re.compile(rb'^[A-Za-z0-9-]+(?:;[^:;"\r\n]*)*?;TZID=', re.I)
"""A content line's name and parameters up to ``TZID=`` (no colon or quote before it)."""
_DATE_VALUES = re.compile(rb"\d{8}(?:T\d{6}Z?)?(?:,\d{8}(?:T\d{6}Z?)?)*\r?")
"""A DATE or DATE-TIME value (a list of them), the line's CR kept."""
_PARAM_TAIL = re.compile(rb'(?:;[A-Za-z0-9-]+=[^:;"\r\n]*)*')
"""Parameters after the TZID, none of them holding a colon or a quote."""


def _quoted_tzid(line: bytes) -> bytes:
    """`line` with its TZID quoted when it holds a colon, unquoted, before a date value; else as is.
    Each step looks at the line once (no pattern that backtracks over its colons)."""
    head = _TZID_HEAD.match(line)
    if head is None or line[head.end() : head.end() + 1] == b'"':
        return line
    last = line.rfind(b":")
    if last <= head.end() or not _DATE_VALUES.fullmatch(line, last + 1):
        return line
    params = line[head.end() : last]
    cut = params.find(b";")
    tzid, rest = (params, b"") if cut < 0 else (params[:cut], params[cut:])
    if b":" not in tzid or b'"' in tzid or not _PARAM_TAIL.fullmatch(rest):
        return line
    return line[: head.end()] + b'"' + tzid + b'"' + rest + line[last:]


def quote_tzids(body: bytes) -> bytes:
    """`body` (unfolded octets) with each unquoted TZID that holds a colon quoted (module rule)."""
    if not re.search(rb";TZID=[^\"]", body, re.I):
        return body
    return b"\n".join(_quoted_tzid(line) if b"TZID=" in line.upper() else line for line in body.split(b"\n"))


def unfold(body: bytes) -> bytes:
    """`body` (the octets of an iCalendar stream) with every fold removed (module rule)."""
    return _FOLD.sub(b"", _BARE_CR.sub(b"\n", body))


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def as_utf8(body: bytes, content_type: str | None = None) -> bytes:
    """The octets of `body` in UTF-8, decoded as the module's charset rule says (folds kept).

    content_type: the Content-Type header (``text/calendar; charset=windows-1252``) or None."""
    encoding, bom = read_bom(body)
    if encoding is not None and bom is not None:
        return body[len(bom) :].decode(encoding, "replace").encode("utf-8")
    if _utf8(unfold(body)):
        return body
    declared = http_content_type_encoding(content_type) if content_type else None
    if declared is not None:
        try:
            return body.decode(declared).encode("utf-8")
        except (UnicodeDecodeError, LookupError):
            pass  # not in the charset it names: detected below
    text, _ = decode_html(body, None)
    return text.encode("utf-8")


def read_calendars(body: bytes, content_type: str | None = None) -> list[Any]:
    """The VCALENDAR components (icalendar ``Calendar``) of `body` in UTF-8 (`as_utf8`, with the
    `content_type` it was served with), unfolded as octets first, TZIDs holding a colon quoted.
    Raises what ``Calendar.from_ical`` raises on a body it cannot read."""
    from icalendar import Calendar

    return list(Calendar.from_ical(quote_tzids(unfold(as_utf8(body, content_type))), multiple=True))
