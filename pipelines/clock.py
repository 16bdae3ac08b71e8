"""Times of day as pages write them beside a date, in the EU languages (pure functions, stdlib only).

Rule for the whole class: a time of day is an hour (0-23) and two-digit minutes joined by ``:``,
``.`` or ``h`` (``14:30``, ``14.30``, ``14h30``), or written with the words for hour and minute
(`WORD_CLOCK`: ``16 óra 20 perc``, ``16 val. 20 min.``, ``16 Uhr 20``), perhaps introduced by a word
for "at" or "o'clock" (`CLOCK_WORDS`: "um", "à", "a las", "alle ore", "ora", "o godz.", "klo", "kl.",
"kell", "plkst.", "στις", "в", "om", "ob", "u", "às", "v", "at", "fl-", "ar", ...), perhaps followed
by a unit ("Uhr", "uur", "h", "ч.", "óra", "val.").

Twelve-hour clock (rule): a marker of the morning or afternoon (`MERIDIEM_MARKERS`, every EU
language that writes one: ``2:30 PM``, ``8:45 μ.μ.``, ``8:45 сл.об.``, ``8:45 odp.``, ``8:45 ip.``,
``8:45 p. m.``, Irish ``i.n.``) after the time, dots and spaces optional, or before it as written
with its dots (Hungarian ``du. 8:45``, ``délután 8:45``; ``μ.μ. 8:45``), puts the hour on the 24-hour clock
(`twelve_hour`): an afternoon hour 1-11 gains 12, a morning 12 is 0. An hour over 12 with an
afternoon marker (``13:45 PM``) is that hour (the marker repeats it) and 0 with a morning one is
0; an hour over 12 with a morning marker or 0 with an afternoon one contradicts itself: no time
of day (`twelve_hour` gives None; in a date value `english_meridiem` raises `NoTimeOfDay`, so the
value is no date, as ``25:00`` is). A two-letter marker without dots that is also a word
(Swedish/Danish ``em``, ``fm``: Portuguese "em", "in"; Dutch ``vm``, ``nm``; Finnish ``ap``,
``ip``) counts only where the text or its clause ends ("8:45 em", never "8:45 em Lisboa").

Hungarian's ``de.`` and ``du.`` also count after the time (``2:30 du.``, ``14:30 du.``), but only with
their dot: bare "de" and "du" are Spanish, French and Romanian words.

Markers that are other abbreviations (rule): a marker is read only next to a time of day, and not
where a role noun follows it (`ROLE_WORDS`): Czech and Slovak "odp. redaktor" (odpovědný redaktor,
the responsible editor a Czech impressum names), "dop. zpravodaj" write ``odp.``/``dop.`` as in
"8:45 odp.", so "10:00 odp. redaktor Jan Novák" is 10:00, never 22:00.

Numbers after a date (rule): a number after a date is its time only when it is written as one:
hour and two-digit minutes joined by ``:``, ``.`` or a glued ``h`` (``16:20``, ``16.20``,
``16h20``); hour and minute with their words (`WORD_CLOCK`), where a minute set apart from its
hour's word needs its own word or the end of its clause (``16 Uhr 20``, ``16 h 20,``, ``16 óra 20
perc``); a whole hour with its word after a word for "at" (``um 16 Uhr``, ``à 16 h``), Hungarian
``16 órakor``, or with a 12-hour marker (``4 pm``, ``4 μ.μ.``, `UNIT_HOUR`). Anything else that
follows is a count, score, price or share and never minutes or hours: ``um 16 Uhr 20 Teilnehmer``
is 16:00, ``à 16 h 20 participants`` 16:00, ``12.03.2026 15 Teilnehmer``, ``3 March 2026 2-1``,
``7/12/2026 45 EUR``, ``5 marca 2026 r. 12 osób``, ``7 dicembre 2026 20%`` the day alone.

Right after a date a time may follow the year's or
day's marker ("2026 г.,", "2026 r.,", "5.,", "5 d.") and up to two separators (``,`` ``|`` ``-``);
right before a date, on its line, it is joined by ``:`` or ``h`` ("14:30, 3 March 2025").
Anywhere else a dotted time counts only with such a word before it or a unit after it: ``12.500``,
``5.12`` of ``5.12.2026`` and ``2026.12.05`` are no times; except at the end of a value that is a
date (`colon_time_after_date`: ``12.03.2025 14.30``), where an out-of-range one makes it no date.
"""

from __future__ import annotations

import re
import unicodedata

from crawler.errors import NoTimeOfDay

CLOCK_WORDS = (
    r"um|gegen|à|vers|a las|a la|sobre las|alle ore|alle|ore|la orele|orele|la ora|ora|o godz\.?|godz\.?"
    r"|o godzinie|godzina|klokken|kl\.?|klo|kello|klockan|kell|στις|ώρα|в|at|@|om|ob|u|la|às|ás|pelas"
    r"|ve|v|o|pulksten|plkst\.?|fil-|fis-|fit-|fid-|fin-|fix-|fir-|fiż-|fl-|f'|f’|ar a|ar|ag a|ag|t"
)
"""Words that join a date to its time of day, "at" or "o'clock" (de, fr, es, it, ro, pl, da, sv, fi,
et, el, bg, en, nl, sl, hr, pt, cs, sk, lv, mt, ga). Maltese writes "in the" with its article
assimilated or elided (``fil-``, ``fis-``, ``fl-10:15``, ``f'10:15``); Irish "ag" and "ar"."""
_UNIT = r"(?:uhr|uur|h|ч\.?|óra|val\.?|hod\.?|tim\.?|sati)(?!\w)"

# fmt: off
MERIDIEM_MARKERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (("a.m.",), ("p.m.",)),  # also written by es, pt, it, ro, pl, hr, et, da, mt (CLDR)
    "es": (("a. m.",), ("p. m.",)),
    "ga": (("r.n.",), ("i.n.",)),  # roimh nóin, iar nóin
    "el": (("π.μ.",), ("μ.μ.",)),  # προ μεσημβρίας, μετά μεσημβρίας
    "bg": (("пр.об.", "пр. об.", "преди обед"), ("сл.об.", "сл. об.", "следобед")),
    "cs": (("dop.", "dopoledne"), ("odp.", "odpoledne")),
    "sk": (("dop.", "dopoludnia", "doobeda"), ("pop.", "popoludní", "poobede")),
    "sl": (("dop.", "dopoldne"), ("pop.", "popoldne")),
    "hu": (("de.", "délelőtt"), ("du.", "délután")),  # before the time (`_MERIDIEM_BEFORE`)
    "fi": (("ap.",), ("ip.",)),  # aamupäivällä, iltapäivällä
    "sv": (("f.m.",), ("e.m.",)),  # förmiddag, eftermiddag; Danish the same
    "de": (("vorm.",), ("nachm.",)),
    "nl": (("v.m.",), ("n.m.",)),  # voormiddag, namiddag (Belgium)
    "lv": (("priekšp.", "priekšpusdienā"), ("pēcp.", "pēcpusdienā")),
    "lt": (("priešpiet",), ("popiet",)),
    "mt": (("q.n.",), ("w.n.",)),  # qabel/wara nofsinhar
}
# fmt: on
"""Markers of the 12-hour clock, language -> (morning forms, afternoon forms), written with their dots
(CLDR's day periods; the languages not listed, fr, it, pt, ro, pl, hr, et, da, write the 24-hour
clock or English's am/pm). A form is read with any of its dots and spaces left out (``pm``,
``p.m.``, ``p. m.``, ``μμ``, ``сл. об.``)."""


def _marker_key(marker: str) -> str:
    """A marker without dots, spaces, case or accents: the key of `_MERIDIEM` (``délután`` and its
    folded ``delutan`` are one marker)."""
    key = unicodedata.normalize("NFKD", "".join(marker.casefold().replace(".", "").split()))
    return "".join(c for c in key if not unicodedata.combining(c))


_MERIDIEM = {
    _marker_key(form): period
    for morning, afternoon in MERIDIEM_MARKERS.values()
    for period, forms in (("am", morning), ("pm", afternoon))
    for form in forms
}
"""Marker without dots and spaces -> "am" or "pm"."""
_BARE_WORDS = frozenset({"em", "fm", "vm", "nm", "ap", "ip", "in", "rn", "qn", "wn", "pop", "dop", "odp"})
"""Markers that, written without dots, are words or other abbreviations ("em": Portuguese "in"; "in":
English "in"; "pop": Slovak "pop koncert")."""


def _marker_pattern(form: str) -> str:
    """A marker with any of its dots and spaces left out (``p. m.``: ``pm``, ``p.m.``, ``p. m.``); a
    `_BARE_WORDS` one keeps its first dot, or stands without dots only where its clause ends."""
    pieces = [re.escape(part) for part in form.replace(".", " ").split()]
    loose = r"\.?\s?".join(pieces) + r"\.?"
    if "".join(pieces).casefold() not in _BARE_WORDS:
        return loose
    dotted = r"\.\s?".join(pieces) + r"\." if len(pieces) == 1 else r"\.\s?".join(pieces) + r"\.?"
    return rf"{dotted}|{''.join(pieces)}(?=\s*(?:$|[,;|)\]·–—]|-\s))"


_AFTER_FORMS = sorted(
    {form for pair in MERIDIEM_MARKERS.values() for forms in pair for form in forms} - {"de.", "du."},
    key=len,
    reverse=True,
)
_GERMAN_AM_NEXT = (
    r"\s+(?:\d{1,2}\.(?!\d)|(?-i:(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tues?"
    r"|Wed|Thur?s?|Fri|Sat|Sun|January|February|March|April|May|June|July|August|September|October"
    r"|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Eastern|Central|Pacific|Mountain"
    r"|Atlantic|Greenwich|British|Irish|Western|Local|Brussels|London|Dublin|Lisbon|Paris|Berlin|Rome"
    r"|Madrid|Athens|Helsinki)\b)[A-ZÄÖÜ][a-zäöüß]+\.?)(?!\w))"
)
"""What follows German "am" (an dem: "12:00 am Montag", "10:00 am 3. März", "12:30 am Rathaus") where
it is a preposition, not the morning: a day number, or a capitalised noun that is no English weekday,
month, zone or city word (English puts "on" or "at" there: "12:00 am on Monday"; "12:00 am Monday",
"9 am Eastern" stay the morning)."""
_GERMAN_AM_WORD = re.compile(rf"(?<!\w)am(?={_GERMAN_AM_NEXT})", re.IGNORECASE)
"""German "am" so placed, left out of a value for a parser that reads it as the morning
(`english_meridiem`)."""
ROLE_WORDS = (
    r"red\.|redakt\w*|ředitel\w*|riaditeľ\w*|urednik\w*|urednic\w*|zástup\w*|zástupkyn\w*"
    r"|dopisovatel\w*|dopisnik\w*|dopisnic\w*|zpravodaj\w*|spravodaj\w*|vedouc\w*|vedúc\w*|editor\w*"
)
"""Role nouns that an abbreviation spelt like a marker qualifies (module docstring, "Markers that are
other abbreviations"): cs/sk/sl "odp. redaktor", "odp. red." (odpovědný, odgovorni: responsible
editor), "dop. zpravodaj" (correspondent), "pop. editor"."""
_AMPM_FORMS = (
    "|".join(_marker_pattern(form) for form in _AFTER_FORMS) + r"|(?:de|du)\.(?![^\W\d_])|[ap]\.?\s?m\.?"
)
"""The 12-hour markers after a time, without a group: `MERIDIEM_MARKERS`, Hungarian ``de.`` and
``du.`` only with their dot (``14:30 du.``: bare "de", "du" are Spanish and French words)."""
AMPM = (
    rf"(?!am{_GERMAN_AM_NEXT})"
    rf"(?P<ampm>{_AMPM_FORMS})(?!\w)(?!\s*(?:{ROLE_WORDS})(?!\w))"
)
"""A 12-hour marker after a time of day (`MERIDIEM_MARKERS`; Hungarian's with their dots), group
``ampm``; never one a role noun follows (`ROLE_WORDS`: ``10:00 odp. redaktor``)."""
_BEFORE_FORMS = sorted(
    {form for pair in MERIDIEM_MARKERS.values() for forms in pair for form in forms}, key=len
)
_MERIDIEM_BEFORE = (
    r"(?<!\w)(?P<ampm_before>"
    + "|".join(
        r"\s?".join(map(re.escape, form.replace(".", ". ").split())) for form in reversed(_BEFORE_FORMS)
    )
    + ")"
)
"""A marker before the time, as Hungarian writes it (``du. 8:45``, ``délután 8:45``) and any language
may (``μ.μ. 8:45``, ``p.m. 8:45``): only as written in `MERIDIEM_MARKERS`, with its dots, never a
bare ``de``, ``du``, ``am`` (Spanish and French "de", "du"; German "am 13.03.")."""
_MINUTE_WORD = r"(?:perckor|perc|min\.?|minut[aeiy]?|мин\.?|λεπτά)(?!\w)"
CLAUSE_END = r"(?=\s*(?:$|[,;|·•–—()\[\]/]|-\s|\.(?!\d)))"
"""Where a clause ends: the end of the text, a separator, a sentence's dot."""
_ALONE_MINUTE = rf"(?:\s?{_MINUTE_WORD}|{CLAUSE_END})"
"""What makes a number set apart from its hour's word the minute (module docstring, "Numbers after
a date"): its own word (``16 óra 20 perc``) or the end of its clause (``16 Uhr 20,``), never a
word, sign or unit that it counts (``16 Uhr 20 Teilnehmer``, ``16 h 20 participants``, ``20 %``)."""
_HOUR_MINUTE = (
    r"(?P<hour>[01]?\d|2[0-3])\s?(?P<sep>[:.hH])\s?(?P<minute>[0-5]\d)(?![\d:]|\.\d)"
    rf"(?:(?<!\s[hH]\s\d\d)|{_ALONE_MINUTE})"
)
_MARKER = r"(?:г|r|m|d|g|god|godine|gada|év|år)\.?"

WORD_CLOCK = (
    r"(?P<word_hour>[01]?\d|2[0-3])\s?(?:óra|val\.|hod\.|godz\.|ч\.|uhr|uur|sati|st\.)\s*"
    rf"(?P<word_minute>[0-5]?\d)(?!\d){_ALONE_MINUTE}"
)
"""A time written as hour and minute with their words (hu ``16 óra 20 perc``, lt ``16 val. 20 min.``,
cs/sk ``16 hod. 20 min.``, pl ``16 godz. 20 min.``, bg ``16 ч. 20 мин.``, de ``16 Uhr 20``, nl ``16 uur
20``, hr ``16 sati 20 minuta``, lv ``16 st. 20 min.``): that hour and minute, the minute only where
`_ALONE_MINUTE` says so (``16 Uhr 20 Teilnehmer`` is no 16:20)."""
_HOUR_WORD = r"(?:uhr|uur|h|óra|órakor|ч\.?|val\.?|hod\.?|sati)(?!\w)"
UNIT_HOUR = (
    r"(?<![\d.:])(?P<unit_hour>[01]?\d|2[0-3])"
    rf"(?:(?(at)\s?{_HOUR_WORD}|(?!))|\s?órakor(?!\w)"
    rf"|(?=\s*(?:{_AMPM_FORMS})(?!\w)(?!\s*(?:{ROLE_WORDS})(?!\w))))"
)
"""A whole hour (module docstring, "Numbers after a date"): with its word after a word for "at"
(group ``at``: ``um 16 Uhr``, ``à 16 h``, ``ve 16 hod.``), with Hungarian "-kor" (``16 órakor``),
or with its 12-hour marker (``4 pm``, ``4 μ.μ.``); that hour, minute 0. Without them ``16 óra``,
``3 val.`` may be a duration ("3 val. trukmės kursai": three-hour courses), no time."""

AFTER_DATE = re.compile(
    rf"(?:\s*{_MARKER}(?!\w))?(?:\s*[,.;|\-–—/·]){{0,2}}\s*(?:T|(?P<at>{CLOCK_WORDS})\s*)?"
    rf"(?:{_MERIDIEM_BEFORE}\s*)?(?:{_HOUR_MINUTE}|{WORD_CLOCK}|{UNIT_HOUR})(?:\s*(?:{_UNIT}\s*)?{AMPM})?",
    re.IGNORECASE,
)
"""A time of day right after a written date (`AFTER_DATE.match(text, end_of_date)`)."""
RANGE_END = re.compile(
    r"\s*(?:[-–—]|bis|to|until|till|à|a|al|alle|do|tot|till|až|ig|iki|līdz|έως|до)\s*"
    rf"(?:(?:{CLOCK_WORDS})\s*)?(?:{_HOUR_MINUTE}|\d{{1,2}}\s?{_HOUR_WORD})",
    re.IGNORECASE,
)
"""The end of a time range right after a time (``14:30 – 16:00``, ``14.30 bis 16.00 Uhr``, ``de 9h à
12h30``): a time of day that starts a range is an event's schedule, never a publication time
(`RANGE_END.match(text, end_of_time)`)."""

BEFORE_DATE = re.compile(
    rf"(?:(?P<range>\d[:.hH]\d\d\s*[-–—]\s*)|(?<![\w:.]))(?P<hour>[01]?\d|2[0-3])\s?[:hH]\s?(?P<minute>[0-5]\d)"
    rf"(?:\s*{AMPM})?(?:\s*{_UNIT})?[ \t]*[,|\-–—·/]?[ \t]*\Z",
    re.IGNORECASE,
)
"""A time of day right before a written date on the same line ("14:30, 3 March 2025", "14:30 Uhr |
03.03.2025"; `BEFORE_DATE.search(text, start - 30, start)`): joined by ``:`` or ``h`` (a dotted
number before a date is no time), at most one separator between; `range` is set when it ends a
time range ("10:00 – 12:00, 3. März": an event's hours)."""

_ANYWHERE = re.compile(
    rf"(?<![\w:.])(?:{_MERIDIEM_BEFORE}\s*)?(?:(?P<word>{CLOCK_WORDS})\s*)?{_HOUR_MINUTE}"
    rf"(?:\s*{AMPM}|\s*(?P<unit>{_UNIT}))?",
    re.IGNORECASE,
)
_DOTTED_WITH_WORD = re.compile(
    rf"(?<!\w)(?P<lead>(?:{CLOCK_WORDS})\s*)(?P<hour>[01]?\d|2[0-3])\.(?P<minute>[0-5]\d)(?![\d:]|\.\d)"
    rf"|(?<![\w.])(?P<hour2>[01]?\d|2[0-3])\.(?P<minute2>[0-5]\d)(?=\s*{_UNIT})",
    re.IGNORECASE,
)
_IRISH = re.compile(r"(?<=\d)\s*([ri])\.\s?n\.(?!\w)", re.IGNORECASE)


def twelve_hour(hour: int, marker: str | None) -> int | None:
    """The hour on the 24-hour clock of `hour` written with the 12-hour `marker` (any form of
    `MERIDIEM_MARKERS`, or None: no marker), or None when they contradict each other (module
    docstring, "Twelve-hour clock": ``13:45 a.m.``, ``0:30 μ.μ.``)."""
    period = _MERIDIEM.get(_marker_key(marker or ""))
    if period is None:
        return hour
    if period == "pm":
        return None if hour == 0 else hour + 12 if hour < 12 else hour
    return None if hour > 12 else 0 if hour == 12 else hour


def hour_minute(match: re.Match[str]) -> str | None:
    """``HH:MM`` (24-hour) from a match of `AFTER_DATE` (or the module's other clock patterns), or
    None when its 12-hour marker contradicts its hour (`twelve_hour`)."""
    found = match.groupdict()
    hour = int(found.get("hour") or found.get("word_hour") or found.get("unit_hour") or 0)
    minute = int(found.get("minute") or found.get("word_minute") or 0)
    hour24 = twelve_hour(hour, found.get("ampm") or found.get("ampm_before"))
    return None if hour24 is None else f"{hour24:02d}:{minute:02d}"


def find_clock(text: str) -> str | None:
    """The one time of day written in a short text (a byline beside a ``<time>`` element) as
    ``HH:MM``, or None when there is none or more than one (module docstring: a dotted time needs
    its word or unit)."""
    found = set()
    for match in _ANYWHERE.finditer(text[:300]):
        dotted = match["sep"] == "."
        if dotted and not (match["word"] or match["unit"] or match["ampm"] or match["ampm_before"]):
            continue
        clock = hour_minute(match)
        if clock is not None:
            found.add(clock)
    return found.pop() if len(found) == 1 else None


_WORD_CLOCK_RE = re.compile(rf"(?<![\w:.]){WORD_CLOCK}", re.IGNORECASE)


def colon_clock(text: str) -> str:
    """A date string with its dotted time of day (module docstring), or its time written with words
    (`WORD_CLOCK`), written with a colon and an Irish 12-hour marker in English, for a parser that
    knows none of them (``klo 14.30`` -> ``klo 14:30``, ``14.30 uur`` -> ``14:30 uur``, ``16 óra 20
    perc`` -> ``16:20``, ``2:30 i.n.`` -> ``2:30 pm``)."""

    def colon(match: re.Match[str]) -> str:
        if match["lead"] is not None:
            return f"{match['lead']}{match['hour']}:{match['minute']}"
        return f"{match['hour2']}:{match['minute2']}"

    text = _WORD_CLOCK_RE.sub(lambda m: f"{m['word_hour']}:{int(m['word_minute']):02d}", text)
    text = _DOTTED_WITH_WORD.sub(colon, text)
    return _IRISH.sub(lambda m: " pm" if m.group(1).lower() == "i" else " am", text)


_MERIDIEM_TIME = re.compile(
    rf"(?<![\w:.+\-])(?:{_MERIDIEM_BEFORE}\s*)?(?P<hour>\d{{1,2}})"
    r"(?:\s?(?P<sep>[:.hH])\s?(?P<minute>[0-5]\d)(?P<second>:[0-5]\d(?:[.,]\d+)?)?)?(?!\d)"
    rf"(?:\s*{_UNIT})?(?:\s*{AMPM})?",
    re.IGNORECASE,
)


def english_meridiem(text: str) -> str:
    """A date value with its 12-hour time (module docstring, "Twelve-hour clock": a marker of any EU
    language after the time, Hungarian's before it) written on the 24-hour clock, its marker left
    out (``13/03/2025 08:45 μμ`` -> ``13/03/2025 20:45``, ``2025. márc. 13. du. 8:45`` -> ``2025.
    márc. 13. 20:45``), for a parser that knows English's markers at most.
    Raises `NoTimeOfDay` when the marker contradicts the hour (``13:45 a.m.``, ``0:30 p.m.``), so that
    the value gives no date rather than another reading of it."""

    def clock(match: re.Match[str]) -> str:
        marker = match["ampm"] or match["ampm_before"]
        if marker is None or (match["minute"] is None and match["ampm_before"] is not None):
            return match.group(0)
        hour = twelve_hour(int(match["hour"]), marker)
        if hour is None or int(match["hour"]) > 23:
            raise NoTimeOfDay(text)
        return f"{hour:02d}:{match['minute'] or '00'}{match['second'] or ''}"

    return _GERMAN_AM_WORD.sub("", _MERIDIEM_TIME.sub(clock, text))


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
