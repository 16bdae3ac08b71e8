"""Reading an iCalendar body: its folded lines joined as octets, then the icalendar package.

Rule (RFC 5545 section 3.1): a content line longer than 75 octets is folded by inserting a line
break followed by one space or horizontal tab, and unfolding removes the break and that one
character. The limit counts octets, so producers split a multi-byte UTF-8 character across a fold
("Integrationsmaßnahmen" broken inside "ß"); the icalendar package decodes each physical line
before it unfolds, which turns the two halves into two U+FFFD. Lines are therefore unfolded on the
bytes, before any decoding: CRLF or a bare LF (written by many producers) followed by one space or
tab is removed; a second blank after it is content and kept.
"""

from __future__ import annotations

import re
from typing import Any

_FOLD = re.compile(rb"\r?\n[ \t]")
"""A fold: a line break (CRLF or LF) and the one blank that starts the continuation line."""


def unfold(body: bytes) -> bytes:
    """`body` (the octets of an iCalendar stream) with every fold removed (module rule)."""
    return _FOLD.sub(b"", body)


def read_calendars(body: bytes) -> list[Any]:
    """The VCALENDAR components (icalendar ``Calendar``) of `body`, unfolded as octets first.
    Raises what ``Calendar.from_ical`` raises on a body it cannot read."""
    from icalendar import Calendar

    return list(Calendar.from_ical(unfold(body), multiple=True))
