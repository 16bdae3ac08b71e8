"""Times of day as pages write them beside a date, in the EU languages (pure functions, stdlib only).

Rule for the whole class: a time of day is an hour (0-23) and two-digit minutes joined by ``:``,
``.`` or ``h`` (``14:30``, ``14.30``, ``14h30``), perhaps introduced by a word for "at" or "o'clock"
(`CLOCK_WORDS`: "um", "à", "a las", "alle ore", "ora", "o godz.", "klo", "kl.", "kell", "plkst.",
"στις", "в", "om", "ob", "u", "às", "v", "at", ...), perhaps followed by a unit ("Uhr", "uur", "h",
"ч.", "óra", "val.") and read on a 12-hour clock when a marker follows (``2:30 PM`` is 14:30,
``12:05 a.m.`` is 00:05; Irish ``i.n.``/``r.n.``). Right after a date it may follow the year's or
day's marker ("2026 г.,", "2026 r.,", "5.,", "5 d.") and up to two separators (``,`` ``|`` ``-``);
right before a date, on its line, it is joined by ``:`` or ``h`` ("14:30, 3 March 2025").
Anywhere else a dotted time counts only with such a word before it or a unit after it: ``12.500``,
``5.12`` of ``5.12.2026`` and ``2026.12.05`` are no times; except at the end of a value that is a
date (`colon_time_after_date`: ``12.03.2025 14.30``), where an out-of-range one makes it no date.
"""

from __future__ import annotations

import re

from crawler.errors import NoTimeOfDay

CLOCK_WORDS = (
    r"um|gegen|à|a las|a la|alle ore|alle|ore|la ora|ora|o godz\.?|godz\.?|o godzinie|godzina|kl\.?"
    r"|klo|kello|klockan|kell|στις|ώρα|в|at|om|ob|u|la|às|ás|v|o|plkst\.?|fil-|fis-|ag|t"
)
"""Words that introduce a time of day (de, fr, es, it, ro, pl, da, sv, fi, et, el, bg, en, nl, sl,
hr, pt, cs, sk, lv, mt, ga)."""
_UNIT = r"(?:uhr|uur|h|ч\.?|óra|val\.?|hod\.?|tim\.?)(?!\w)"
_AMPM = r"(?P<ampm>[ap]\.?\s?m\.?|[ri]\.\s?n\.)(?!\w)"
_HOUR_MINUTE = r"(?P<hour>[01]?\d|2[0-3])\s?(?P<sep>[:.hH])\s?(?P<minute>[0-5]\d)(?![\d:]|\.\d)"
_MARKER = r"(?:г|r|m|d|g|god|godine|gada|év|år)\.?"

AFTER_DATE = re.compile(
    rf"(?:\s*{_MARKER}(?!\w))?(?:\s*[,.;|\-–—/·]){{0,2}}\s*(?:T|(?:{CLOCK_WORDS})\s*)?"
    rf"{_HOUR_MINUTE}(?:\s*{_AMPM})?",
    re.IGNORECASE,
)
"""A time of day right after a written date (`AFTER_DATE.match(text, end_of_date)`)."""
RANGE_END = re.compile(
    r"\s*(?:[-–—]|bis|to|until|till|à|a|al|alle|do|tot|till|až|ig|iki|līdz|έως|до)\s*"
    rf"(?:(?:{CLOCK_WORDS})\s*)?{_HOUR_MINUTE}",
    re.IGNORECASE,
)
"""The end of a time range right after a time (``14:30 – 16:00``, ``14.30 bis 16.00 Uhr``, ``de 9h à
12h30``): a time of day that starts a range is an event's schedule, never a publication time
(`RANGE_END.match(text, end_of_time)`)."""

BEFORE_DATE = re.compile(
    rf"(?:(?P<range>\d[:.hH]\d\d\s*[-–—]\s*)|(?<![\w:.]))(?P<hour>[01]?\d|2[0-3])\s?[:hH]\s?(?P<minute>[0-5]\d)"
    rf"(?:\s*{_AMPM})?(?:\s*{_UNIT})?[ \t]*[,|\-–—·/]?[ \t]*\Z",
    re.IGNORECASE,
)
"""A time of day right before a written date on the same line ("14:30, 3 March 2025", "14:30 Uhr |
03.03.2025"; `BEFORE_DATE.search(text, start - 30, start)`): joined by ``:`` or ``h`` (a dotted
number before a date is no time), at most one separator between; `range` is set when it ends a
time range ("10:00 – 12:00, 3. März": an event's hours)."""

_ANYWHERE = re.compile(
    rf"(?<![\w:.])(?:(?P<word>{CLOCK_WORDS})\s*)?{_HOUR_MINUTE}(?:\s*{_AMPM}|\s*(?P<unit>{_UNIT}))?",
    re.IGNORECASE,
)
_DOTTED_WITH_WORD = re.compile(
    rf"(?<!\w)(?P<lead>(?:{CLOCK_WORDS})\s*)(?P<hour>[01]?\d|2[0-3])\.(?P<minute>[0-5]\d)(?![\d:]|\.\d)"
    rf"|(?<![\w.])(?P<hour2>[01]?\d|2[0-3])\.(?P<minute2>[0-5]\d)(?=\s*{_UNIT})",
    re.IGNORECASE,
)
_IRISH = re.compile(r"(?<=\d)\s*([ri])\.\s?n\.(?!\w)", re.IGNORECASE)


def hour_minute(match: re.Match[str]) -> str:
    """``HH:MM`` (24-hour) from a match of `AFTER_DATE` (or the module's other clock patterns)."""
    hour, minute = int(match["hour"]), match["minute"]
    marker = (match.groupdict().get("ampm") or "").replace(".", "").replace(" ", "").lower()
    if marker in ("pm", "in") and hour < 12:
        hour += 12
    elif marker in ("am", "rn") and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute}"


def find_clock(text: str) -> str | None:
    """The one time of day written in a short text (a byline beside a ``<time>`` element) as
    ``HH:MM``, or None when there is none or more than one (module docstring: a dotted time needs
    its word or unit)."""
    found = set()
    for match in _ANYWHERE.finditer(text[:300]):
        dotted = match["sep"] == "."
        if dotted and not (match["word"] or match["unit"] or match["ampm"]):
            continue
        found.add(hour_minute(match))
    return found.pop() if len(found) == 1 else None


def colon_clock(text: str) -> str:
    """A date string with its dotted time of day (module docstring) written with a colon and an
    Irish 12-hour marker in English, for a parser that knows neither (``klo 14.30`` -> ``klo 14:30``,
    ``14.30 uur`` -> ``14:30 uur``, ``2:30 i.n.`` -> ``2:30 pm``)."""

    def colon(match: re.Match[str]) -> str:
        if match["lead"] is not None:
            return f"{match['lead']}{match['hour']}:{match['minute']}"
        return f"{match['hour2']}:{match['minute2']}"

    text = _DOTTED_WITH_WORD.sub(colon, text)
    return _IRISH.sub(lambda m: " pm" if m.group(1).lower() == "i" else " am", text)


_TIME_AFTER_DATE = re.compile(
    r"(?<=\d)(?P<gap>\s*[,|\-–—·]?\s+|\s*,\s*)"
    r"(?P<hour>\d{1,2})\.(?P<minute>\d{2})(?:\.(?P<second>\d{2}))?(?!\d)"
    rf"(?P<rest>\s*(?:{_UNIT}\.?)?\s*(?:[ap]\.?\s?m\.?|[ri]\.\s?n\.)?\s*"
    r"(?:\(?\s*(?:(?:GMT|UTC|UT)?\s*[+-]\d{1,2}(?::?\d{2})?|[A-Za-z]{1,5})\s*\)?)?\s*)$",
    re.IGNORECASE,
)


def colon_time_after_date(text: str) -> str:
    """A whole date string with the dotted time of day that closes it written with colons.

    Rule: in a value that is a date (a feed's ``pubDate``, a meta tag's ``content``), an
    ``H.MM`` or ``H.MM.SS`` after the date, set off by a space, comma or dash and followed at most
    by its unit, a 12-hour marker and a zone (``12.03.2025 14.30``, ``2025-03-12 14.30``, ``Wed, 12
    Mar 2025 14.30.00 +0100``, ``12 mars 2025, 14.30 h``), is the time of day (the dotted times of
    de, da, fi, sv, nl and cs writing); ``5.12.2026`` alone is no time.
    Raises `NoTimeOfDay` when that time is impossible (hour over 23, minute or second over 59:
    ``12.03.2025 14.75``), so that the value gives no date rather than another reading of it.
    """
    match = _TIME_AFTER_DATE.search(text)
    if match is None:
        return text
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise NoTimeOfDay(text)
    clock = f"{match['hour']}:{match['minute']}" + (f":{match['second']}" if match["second"] else "")
    return f"{text[: match.start()]}{match['gap']}{clock}{match['rest']}"
