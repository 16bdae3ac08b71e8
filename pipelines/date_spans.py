"""Ranges and stray numbers in a free-text date value (pure functions, stdlib only).

`pipelines.dates` reads a value that is not ISO 8601 with python-dateutil, which fills each field it
lacks from whatever number is left over: a second day became the year (``4-6 March 2025`` read as
2004-03-06), a second year the time (``Report 2024 4 March 2025``: 2024-03-04 20:25), a page count
the hour (``4 March 2025 (12 pages)``: 12:00), the end of a time range an offset (``10:00-12:00``:
-12:00). The rules here run before it, on the whole class of such values:

- Time range (`first_time_of_range`): ``10:00-12:00``, ``10:00 – 12:00``, ``10:00 bis 12:00``,
  ``10.00 - 12.00 Uhr``, ``9-17 Uhr``, ``de 9h à 12h30`` is the time of day it starts with, never
  a time and a UTC offset, nor the range's end. An unspaced hyphen between two
  times is a range only when the second is later (``10:00-05:00`` stays a time with its offset).
- Day range (`first_day_of_range`): two days joined by ``-``, ``–``, ``—``, ``/`` or a word for "to"
  (`RANGE_WORDS`: "to", "au", "al", "a", "bis", "do", "til", "tot", "až", ...) next to one month name
  (``4-6 March 2025``, ``4.-6. März 2025``, ``du 4 au 6 mars 2025``, ``dal 4 al 6 marzo 2025``, ``od
  4. do 6. marca 2025``, ``4/6 March 2025``, ``March 4 - 6, 2025``, ``2025. március 4-6.``,
  ``du lundi 4 au mercredi 6 mars 2025``), from a day and month to another (``4 March – 6 April
  2025``, ``March 4 – April 6, 2025``) or before a numeric month and year (``4–6.3.2025``, ``od 4.
  do 6. 3. 2025``, ``4-6/3/2025``) is its first day; no time of day is made of it.
- Date range (`split_range`): two full dates joined as above (``4 March 2025 - 6 March 2025``,
  ``04.03.2025-06.03.2025``, the ISO 8601 interval ``2025-03-04/2025-03-06``) give the first; the
  caller checks that both read.
- Stray numbers (`date_core`): in the text handed to dateutil (month names already English
  abbreviations, other words dropped), a number that is not the day, month or year next to the
  month name, nor a time of day, is left out when exactly one day-month-year group is written
  (``2024 4 Mar 2025`` -> ``4 Mar 2025``; ``4 Mar 2025 12`` -> ``4 Mar 2025``); with none or two
  different ones, another day beside another month name (``4 Mar 6 Mar 2025``), two numeric dates
  or more than three bare numbers the value is no date (None). A number is never promoted to
  year, day or time. A share, price or score (``20%``, ``45 €``, ``2-1``) is such a stray number
  (``3 March 2026 2-1 win`` -> ``3 Mar 2026``, ``7 dicembre 2026 20%`` -> ``7 Dec 2026``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

RANGE_WORDS = r"to|till|til|until|au|à|al|a|ao|bis|do|tot|t/m|až|ig|iki|līdz|έως|до|hasta|fino\s+al|jusqu'au"
"""Words that join the two ends of a range (en, fr, it, es, pt, de, pl, cs, sk, sl, hr, nl, sv,
da, hu, lt, lv, el, bg)."""
_DASHES = r"[-–—]"
_UNIT = r"(?:uhr|h|uur|óra)(?!\w)"


def _clock(n: int) -> str:
    """An hour, perhaps with minutes (``10:00``, ``10.00``, ``12h30``, ``10:00:00``) and a unit."""
    return (
        rf"(?P<h{n}>[01]?\d|2[0-3])(?:(?P<s{n}>[:.h])(?P<m{n}>[0-5]\d)(?::[0-5]\d)?)?"
        rf"(?P<u{n}>\s?{_UNIT})?"
    )


_TIME_RANGE = re.compile(
    rf"(?<![\d:.]){_clock(1)}(?P<sep>\s+{_DASHES}\s+|\s*[–—]\s*|\s*(?:{RANGE_WORDS})\s+|-){_clock(2)}"
    r"(?![\d:]|\.\d)",
    re.IGNORECASE,
)
"""Two times of day joined as a range: ``10:00-12:00``, ``10.00 - 12.00 Uhr``, ``9-17 Uhr``, ``de 9h
à 12h30``."""


def _is_time_range(match: re.Match[str]) -> bool:
    colon = [match[f"s{n}"] in (":", "h") for n in (1, 2)]
    unit = bool(match["u2"] or match["u1"])
    if match["s1"] == "." and not (unit or colon[1]):
        return False  # 10.03-12.03: days and months
    if not (any(colon) or unit):
        return False  # 4-6: days
    if match["sep"] == "-" and all(colon) and match["s1"] == ":" == match["s2"]:
        first = int(match["h1"]) * 60 + int(match["m1"])
        return int(match["h2"]) * 60 + int(match["m2"]) > first  # 10:00-05:00: a time and its offset
    return True


def first_time_of_range(text: str) -> str:
    """`text` with a time range written as its first time, ``H:MM`` (module docstring, "Time
    range")."""

    def first(match: re.Match[str]) -> str:
        if not _is_time_range(match):
            return match.group(0)
        return f"{match['h1']}:{match['m1'] or '00'}"

    return _TIME_RANGE.sub(first, text)


_DAY = r"(?<![\d.:/,-])(?P<day>\d{1,2})\.?"
_JOIN = rf"\s*(?:{_DASHES}|/|\s(?:{RANGE_WORDS})\s)\s*"
_JOIN_WORDED = rf"\s*(?:{_DASHES}|\s(?:{RANGE_WORDS})\s)\s*"
_WEEKDAY = r"(?:[^\W\d_]{2,12}\.?,?\s+)?"  # "du lundi 4 au mercredi 6 mars"
_WORD = r"[^\W\d_]+"
_DAY_RANGE_BEFORE = re.compile(
    rf"{_DAY}{_JOIN}{_WEEKDAY}(?P<end>\d{{1,2}})\.?(?P<after>\s*(?:(?:de|del|di|of)\s+)?(?P<word>{_WORD}))",
    re.IGNORECASE,
)
_DAY_RANGE_AFTER = re.compile(
    rf"(?P<word>{_WORD})\.?\s+{_DAY}{_JOIN_WORDED}(?P<end>\d{{1,2}})\.?(?![\d.:/-])", re.IGNORECASE
)
_NUMERIC_DAY_RANGE = re.compile(
    rf"{_DAY}{_JOIN_WORDED}(?P<end>\d{{1,2}})(?P<sep>\.\s?|/)(?P<month>\d{{1,2}})(?P=sep)(?P<year>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_CROSS_MONTH_BEFORE = re.compile(
    rf"{_DAY}\s*(?:(?:de|del|di|of)\s+)?(?P<word>{_WORD})\.?,?{_JOIN_WORDED}{_WEEKDAY}(?P<end>\d{{1,2}})\.?\s*"
    rf"(?:(?:de|del|di|of)\s+)?(?P<word2>{_WORD})\.?",
    re.IGNORECASE,
)
_CROSS_MONTH_AFTER = re.compile(
    rf"(?P<word>{_WORD})\.?\s+{_DAY}{_JOIN_WORDED}(?P<word2>{_WORD})\.?\s+(?P<end>\d{{1,2}})(?![\d.:/-])",
    re.IGNORECASE,
)


def first_day_of_range(text: str, is_month: Callable[[str], bool]) -> str:
    """`text` with a day range written as its first day (module docstring, "Day range"): days next
    to one month name (`is_month`), a day and month to another (``4 March – 6 April 2025``,
    ``March 4 – April 6, 2025``) or a numeric date (``4–6.3.2025``, ``od 4. do 6. 3. 2025``);
    other text unchanged."""

    def days(match: re.Match[str], end_month: bool = False) -> bool:
        months = is_month(match["word"]) and (not end_month or is_month(match["word2"]))
        return months and 1 <= int(match["day"]) <= 31 and 1 <= int(match["end"]) <= 31

    def before(match: re.Match[str]) -> str:
        if not days(match) or int(match["end"]) <= int(match["day"]):
            return match.group(0)
        return f"{match['day']}{match['after']}"

    def after(match: re.Match[str]) -> str:
        if not days(match) or int(match["end"]) <= int(match["day"]):
            return match.group(0)
        return f"{match['word']} {match['day']} "

    def cross_before(match: re.Match[str]) -> str:
        return f"{match['day']} {match['word']} " if days(match, True) else match.group(0)

    def cross_after(match: re.Match[str]) -> str:
        return f"{match['word']} {match['day']} " if days(match, True) else match.group(0)

    def numeric(match: re.Match[str]) -> str:
        if not int(match["day"]) < int(match["end"]) <= 31:
            return match.group(0)
        sep = match["sep"].strip()
        return f"{match['day']}{sep}{match['month']}{sep}{match['year']}"

    text = _NUMERIC_DAY_RANGE.sub(numeric, text)
    text = _CROSS_MONTH_AFTER.sub(cross_after, _CROSS_MONTH_BEFORE.sub(cross_before, text))
    return _DAY_RANGE_AFTER.sub(after, _DAY_RANGE_BEFORE.sub(before, text))


_ISO_INTERVAL = re.compile(
    r"^(\d{4}-\d{2}-\d{2}(?:T[\d:.,]+(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)\s*(?:/|--)\s*[\dT:.,Z+-]+$"
)
_DATE_RANGE_SEP = re.compile(
    rf"\s+(?:{_DASHES}|{RANGE_WORDS})\s+|\s*[–—]\s*|(?<=\d{{4}})-(?=\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}})",
    re.IGNORECASE,
)


def split_range(text: str) -> list[tuple[str, str]]:
    """Candidate (first, second) halves of a range of two full dates (module docstring, "Date
    range"): the ISO 8601 interval's start alone (second empty), else each split at a dash or word
    for "to"; the caller keeps the first half when both halves read as dates."""
    iso = _ISO_INTERVAL.match(text)
    if iso is not None:
        return [(iso.group(1), "")]
    return [(text[: m.start()], text[m.end() :]) for m in _DATE_RANGE_SEP.finditer(text)]


MONTH_TOKENS = frozenset(
    {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sept", "oct", "nov", "dec"}
)
"""The English month abbreviations `pipelines.dates` writes for every month name before dateutil."""
_NUMBER = re.compile(r"^\d+$")
_DECIMAL = re.compile(r"^\d+[.,]\d+$")
_AMOUNT = re.compile(r"^(?:\d+(?:[.,]\d+)?[%‰€$£]|[€$£]\d+(?:[.,]\d+)?|[%‰€$£]|\d{1,2}[-–]\d{1,2})$")
"""A share, price or score (``20%``, ``%``, ``45€``, ``€45``, ``2-1``): a stray number with its sign."""
_QUOTES = "'\"‘’“”«»;|!?[]{}"
_PUNCTUATION = "-–—/:.,'\"‘’“”«»;|!?[]{}"
_MONTH_WORD = "(?:" + "|".join(sorted(MONTH_TOKENS)) + ")"
_JOINED_MONTH = (
    re.compile(rf"(\d)\s*[/.-]\s*({_MONTH_WORD}\b)", re.IGNORECASE),
    re.compile(rf"(\b{_MONTH_WORD})\s*[/.-]\s*(\d)", re.IGNORECASE),
)
"""A slash, dot or dash between a month name and a number (``03/Mar/2025``, ``03-Mar-2025``)."""
_NUMERIC_DATE = re.compile(r"^(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{2}|\d{4})|\d{4}[./-]\d{1,2}[./-]\d{1,2})$")
"""A numeric date, day or month first with a year of two or four digits, or year first (a version
number such as ``3.2.7`` is none)."""
_AM_PM = frozenset({"am", "pm", "a.m.", "p.m."})


def _day(token: str) -> bool:
    return len(token) <= 2 and 1 <= int(token) <= 31


def _cores(tokens: list[str], numbers: set[int]) -> list[tuple[int, int, int]]:
    """Indices of the day-month-year group around each month token, the first of D M Y, M D Y,
    Y M D, Y D M (hu, lt, lv) that fits: a day of 1-31 in one or two digits, a year of four; last
    D M YY, the two-digit year of RFC 822 (``20 Mar 25``)."""

    def fits(i: int, kind: str) -> bool:
        if i < 0 or i >= len(tokens) or i not in numbers:
            return False
        if kind == "d":
            return _day(tokens[i])
        return len(tokens[i]) == (4 if kind == "y" else 2)

    found = []
    for i, token in enumerate(tokens):
        if token.lower() not in MONTH_TOKENS:
            continue
        shapes = (((i - 1, "d"), (i + 1, "y")), ((i + 1, "d"), (i + 2, "y")),
                  ((i - 1, "y"), (i + 1, "d")), ((i - 2, "y"), (i - 1, "d")),
                  ((i - 1, "d"), (i + 1, "yy")))  # fmt: skip
        for (a, kind_a), (b, kind_b) in shapes:
            if fits(a, kind_a) and fits(b, kind_b):
                low, middle, high = sorted((a, b, i))
                found.append((low, middle, high))
                break
    return found


def date_core(english: str) -> str | None:
    """The text dateutil may read (module docstring, "Stray numbers"): `english` unchanged when no
    number is left over, the day-month-year group (or the one numeric date) with the time of day
    when one is, None when a month name is written but its group is not, exactly once (``March
    2025 12``: 12 is no day), and when neither a month name nor a numeric date is written but other
    than a day, a month and a year (``1.000 1.000``, ``4 6 3 2025``)."""
    spaced = english
    for joined in _JOINED_MONTH:
        spaced = joined.sub(r"\1 \2", spaced)
    tokens = [t.strip(_QUOTES) for t in spaced.split()]
    tokens = [t for t in tokens if t.strip(_PUNCTUATION)]
    months = [i for i, t in enumerate(tokens) if t.lower() in MONTH_TOKENS]
    integers = {
        i
        for i, t in enumerate(tokens)
        if _NUMBER.match(t) and not (i + 1 < len(tokens) and tokens[i + 1].lower() in _AM_PM)
    }
    numbers = integers | {i for i, t in enumerate(tokens) if _DECIMAL.match(t) or _AMOUNT.match(t)}
    if months:
        cores = _cores(tokens, integers)
        if len({tuple(tokens[i].lower() for i in core) for core in cores}) != 1:
            return None
        drop = (numbers | set(months)) - set(cores[0])
        if any(
            j in drop and _day(tokens[j]) for i in drop & set(months) for j in (i - 1, i + 1) if j in integers
        ):
            return None  # another day and month beside the date ("4 Mar 6 Mar 2025"): not one date
        return english if not drop else " ".join(t for i, t in enumerate(tokens) if i not in drop)
    numeric = [i for i, t in enumerate(tokens) if _NUMERIC_DATE.match(t)]
    if len(numeric) > 1:
        return None  # two numeric dates and no range of them (`split_range`)
    if numeric:
        return english if not numbers else " ".join(t for i, t in enumerate(tokens) if i not in numbers)
    spelled = len(integers) == 3 or (len(integers) == 1 and len(tokens[min(integers)]) == 8)
    return english if spelled and numbers == integers else None  # "4 3 2025", "20250304"
