"""The time of day and the zone of a deadline's date phrase, in the 24 EU languages.

Rules:
- A time joined to its date by a language's word for "at" (`CLOCK_WORDS`: en "at", de "um", fr "à",
  nl "om", it "alle ore", es "a las", pt "às", pl "o godz.", cs "ve"/"v", sk "o", sl "ob", hr "u",
  ro "la ora", bg "в", el "στις", da "kl.", sv "klockan", fi "klo", et "kell", lv "plkst.", ga "ag",
  mt "fil-"/"fis-", ...) and followed by a unit word (`CLOCK_UNITS`: "Uhr", "uur", "heures", "h",
  "horas", "hodin", "hod.", "hodín", "uri", "sati", "óra"/"órakor", "val.", "часа"/"ч.", "a chlog",
  ...) is the deadline's time: the word, the time and the unit are one time of day, and a date
  phrase may run over them ("15. ledna 2027 ve 12:00 hodin" is 15 January 2027, 12:00).
- Forms of the time itself (`read_clock`): hour and minutes joined by ``:`` or ``h`` anywhere;
  joined by ``.`` only with a word before, a unit after or right after the year (``15.03`` of
  ``15.03.2026`` is a day); the hour alone with its unit, a 12-hour marker, or after the year with
  its word; "noon", "midday", "midi" are 12:00.
- A zone written in the phrase wins over the source's: "Brussels time" in any language is
  Europe/Brussels (`span_zone`); abbreviations (``CET``) are read by pipelines.dates.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from zoneinfo import ZoneInfo

from pipelines.clock import AMPM, twelve_hour

BRUSSELS = ZoneInfo("Europe/Brussels")

# fmt: off
CLOCK_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("at", "by", "until"),
    "de": ("um", "gegen", "bis"),
    "fr": ("à", "avant"),
    "nl": ("om", "tot", "vóór"),
    "it": ("alle ore", "entro le ore", "alle", "ore"),
    "es": ("a las", "a la", "hasta las"),
    "pt": ("às", "ás", "as", "pelas", "até às", "até"),
    "pl": ("o godz.", "o godzinie", "do godz.", "godz.", "godzina", "o", "do"),
    "cs": ("ve", "v", "do"),
    "sk": ("o", "do"),
    "sl": ("ob", "do"),
    "hr": ("u", "do"),
    "hu": (),
    "ro": ("până la ora", "la ora", "ora", "orele"),
    "bg": ("в", "до"),
    "el": ("στις", "ώρα", "έως"),
    "da": ("kl.", "klokken"),
    "sv": ("kl.", "klockan"),
    "fi": ("klo", "kello"),
    "et": ("kell", "kella"),
    "lv": ("plkst.", "pulksten", "līdz"),
    "lt": ("iki",),
    "ga": ("ag", "ar"),
    "mt": ("fil-", "fis-", "fl-", "sas-"),
}
"""Words for "at" (and "by", "until") written before a deadline's time, per EU language."""
CLOCK_UNITS: dict[str, tuple[str, ...]] = {
    "en": ("hrs", "hours", "h", "o'clock"),
    "de": ("uhr", "h"),
    "fr": ("heures", "heure", "h"),
    "nl": ("uur", "u"),
    "it": ("h",),
    "es": ("horas", "hrs", "h"),
    "pt": ("horas", "h"),
    "pl": ("godz.", "h"),
    "cs": ("hodin", "hodiny", "hod.", "h"),
    "sk": ("hodín", "hodine", "hod.", "h"),
    "sl": ("uri", "ure", "ura", "h"),
    "hr": ("sati", "h"),
    "hu": ("órakor", "óráig", "óra", "-kor", "h"),
    "ro": ("h",),
    "bg": ("часа", "ч."),
    "el": ("ώρα",),
    "da": (),
    "sv": ("tim.",),
    "fi": (),
    "et": (),
    "lv": (),
    "lt": ("valandą", "val."),
    "ga": ("a chlog",),
    "mt": (),
}
"""Unit words written after a deadline's time, per EU language."""
# fmt: on

_BRUSSELS_WORDS = (
    "brussel", "bruxel", "brüssel", "bruksel", "brusel", "βρυξελλ", "брюксел", "bryssel", "bruselas",
)  # fmt: skip


def _alternatives(table: dict[str, tuple[str, ...]]) -> str:
    words = sorted({w for words in table.values() for w in words}, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, word.split())) for word in words)


CLOCK_TOKENS: frozenset[str] = frozenset(
    part.casefold().rstrip(".-")
    for table in (CLOCK_WORDS, CLOCK_UNITS)
    for words in table.values()
    for word in words
    for part in word.split()
    if part.rstrip(".-")
)
"""The single words of `CLOCK_WORDS` and `CLOCK_UNITS`: they may sit inside a date phrase."""

_CLOCK_WORD = rf"(?:{_alternatives(CLOCK_WORDS)})"
_CLOCK_UNIT = rf"(?:{_alternatives(CLOCK_UNITS)})(?!\w)"
_HOUR = r"(?P<hour>[01]?\d|2[0-3])"
_CLOCK_TAIL = rf"(?:\s*{AMPM}|\s*(?P<unit>{_CLOCK_UNIT}))?"
_CLOCK_FORMS = (
    # 17:00, 12h00, 12 h 00 (any word before, any unit after)
    re.compile(
        rf"(?<![\w.:])(?:(?P<word>{_CLOCK_WORD})\s*)?{_HOUR}\s?[:hH]\s?(?P<minute>[0-5]\d)(?![\d:]|\.\d){_CLOCK_TAIL}",
        re.I,
    ),
    # 12.00: with its word or unit, or right after the year
    re.compile(
        rf"(?<![\w.:])(?:(?P<word>{_CLOCK_WORD})\s*)?{_HOUR}\.(?P<minute>[0-5]\d)(?![\d:]|\.\d){_CLOCK_TAIL}",
        re.I,
    ),
    # the hour alone: with its unit or a 12-hour marker, or after the year with its word ("klo 12")
    re.compile(rf"(?<![\w.:])(?:(?P<word>{_CLOCK_WORD})\s*)?{_HOUR}(?![\d:]|[.,]\d){_CLOCK_TAIL}", re.I),
)
_NOON = re.compile(r"(?<![\w.:])(?:12\s*)?(?:noon|midday|midi)(?!\w)", re.I)
_AFTER_YEAR = re.compile(r"\d{4}\s*(?:(?:г|r|m|d|gada|év)\.?)?\s*[,.;|\-–]?\s*$")
_LEFT_UNITS = re.compile(rf"(?i)(?<!\w)(?:{_alternatives(CLOCK_UNITS)})(?!\w)")


def read_clock(phrase: str) -> tuple[int, int, int, int] | None:
    """(hour, minute, start, end) of the time of day in a deadline's date phrase, or None.

    Rule for every language: hour (0-23) and minutes joined by ``:`` or ``h`` anywhere ("17:00",
    "12h00", "às 12h00", "godz. 12:00", "o 12:00", "ore 12:00", "12:00 Uhr"); joined by ``.`` only
    with a word before ("kl. 12.00", "klo 16.15") or a unit after ("12.00 Uhr", "12.00 h") or right
    after the year ("15.3.2026, 12.00"), since ``15.03`` of ``15.03.2026`` is a day; the hour alone
    with its unit ("12 Uhr", "12 h", "12 óra", "12 val."), a 12-hour marker ("5 pm") or, after the
    year, its word ("klo 12", "um 12", "at 12"); "noon", "midday", "midi" are 12:00. A 12-hour marker
    of any EU language counts (`pipelines.clock.twelve_hour`: ``5:30 p.m.`` is 17:30, ``12 am``
    00:00, ``5:00 μ.μ.`` 17:00; ``13:00 a.m.`` is no time). The span covers the word and the unit
    (`CLOCK_WORDS`, `CLOCK_UNITS`), so the caller can replace the whole time with ``HH:MM``.
    """
    for number, form in enumerate(_CLOCK_FORMS):
        for match in form.finditer(phrase):
            marked = bool(match["unit"] or match["ampm"])
            after_year = bool(_AFTER_YEAR.search(phrase, 0, match.start()))
            if number == 1 and not (marked or match["word"] or after_year):
                continue
            if number == 2 and not (marked or (match["word"] and after_year)):
                continue
            hour = twelve_hour(int(match["hour"]), match["ampm"])
            if hour is None:  # "13:00 a.m.": no time of day (pipelines.clock, "Twelve-hour clock")
                continue
            return hour, int(match.groupdict().get("minute") or 0), match.start(), match.end()
    noon = _NOON.search(phrase)
    return (12, 0, noon.start(), noon.end()) if noon else None


def is_clock_token(token: str) -> bool:
    """True when one whitespace-free token is a whole time of day ("17:00", "12h", "fis-17:00",
    "12:00-kor") or a word of `CLOCK_TOKENS`."""
    if token.casefold().rstrip(".-") in CLOCK_TOKENS:
        return True
    clock = read_clock(token)
    return clock is not None and clock[2] == 0 and clock[3] == len(token.rstrip(".,;:"))


def strip_units(text: str) -> str:
    """`text` without the unit words a time left behind (`CLOCK_UNITS`)."""
    return _LEFT_UNITS.sub(" ", text)


def span_zone(span: str, default: tzinfo) -> tzinfo:
    """Europe/Brussels when `span` says "Brussels time" in any language, else `default`."""
    folded = span.casefold()
    if any(word in folded for word in _BRUSSELS_WORDS):
        return BRUSSELS
    return default
