"""Publication dates a byline writes relative to the day it is read ("vor 2 Tagen", "il y a 3 heures",
"Gestern, 14:30 Uhr", "2 days ago"), in the 24 official EU languages (pure functions, stdlib only).

Rule: a page that dates itself only this way (no machine-readable or written-out date) was published
that span before it was fetched. `relative_date` reads the first such phrase of a byline
(pipelines.byline: the short lines around the headline, never the article's body, where "two days
ago" tells of an event) and returns it as an ISO 8601 duration, with the clock time a
"today"/"yesterday" phrase gives: ``P2D``, ``PT3H``, ``PT45M``, ``P1W``, ``P1D@14:30``, ``P0D``.
pipelines.extract resolves it against the fetch time in the source's time zone: minutes and hours
give a time, days and weeks (and "yesterday" without a clock) a day, flagged ``date_relative``.
A phrase that goes on as a sentence ("Vor 2 Tagen hat die Regierung ...", "3 days ago, the
minister said ...") tells of an event, even in a short first paragraph, and dates nothing
(`_goes_on`).

Forms: a number (digits, or the word for one or two: "an", "einer", "une", "zwei") and a unit
(minute, hour, day, week, in the language's case forms, matched by stem after accents are folded)
with the language's word for "ago" before it ("vor", "il y a", "hace", "há", "před", "pred",
"prije", "acum", "преди", "πριν", "pirms", "prieš"; "for"/"för" only with "siden"/"sedan" after:
"for 3 weeks" is English) or after it ("ago", "fa", "geleden", "temu", "sitten", "tagasi", "ilu",
"ó shin", "ezelőtt"), and
Hungarian's possessive forms ("2 napja", "3 órája"). Units may be abbreviated as each language
abbreviates them, with or without the dot, beside that language's word for "ago" (`ABBREVIATED_UNITS`:
"vor 2 Std.", "il y a 2 h", "2 godz. temu", "2 u geleden", "2 t sitten", "преди 2 ч.", "prieš 2
val.", "pirms 3 st.", "2h ago"): a one-letter abbreviation means what it means in the language of
the "ago" beside it (Dutch "u" an hour, Danish "u." a week; Finnish "t" an hour, Hungarian "p" a
minute, Estonian "p" a day). A number may be the word for one or two ("zwei", "dvema", "dhá"), and
the dual forms count ("pred 2 urama", Maltese "sagħtejn ilu": two hours ago, "jumejn ilu"), as do
Maltese and Irish units with no number ("siegħa ilu", "uair an chloig ó shin": an hour ago).
French "il y a" is also "there is": a span it introduces that "de" follows is a quantity ("Il y a 2 h
de cours par semaine"), no date. A number and unit without the word for "ago" ("Dauer: 2 Std.")
date nothing. "today", "yesterday" and "the day before yesterday" (every one of the 24 languages,
any case, accents optional: "Χθες", "χθές", "ΧΘΕΣ", "Προχθές", "Avant-hier", "Vorgestern") count
only at the start of their line (after a word for "published" at most: "Pubblicato ieri alle
10:30"), beside a time of day after them, joined by a comma or the language's word for "at", with
its unit ("Gestern, 14:30 Uhr", "hier à 9h05", "Вчера, 18:40 ч.", "Tegnap 14:30-kor", "Vakar 14.30
val.") or before them ("18:40, вчера"), or alone, as a byline writes them, never inside a sentence
("Webinar today at 18:00", "Deadline: Heute, 23:59"). The time may carry a 12-hour marker of any EU
language (`pipelines.clock.MERIDIEM_MARKERS`) after it where its phrase ends ("Yesterday, 8:40 pm",
"Χθες, 8:40 μ.μ.", "Tegnap 2:30 du.") or before it with its dots ("Tegnap du. 2:30", "Χθες, μ.μ.
8:40"): the hour goes on the 24-hour clock (`pipelines.clock.twelve_hour`; a marker that contradicts
it leaves the day without a time). Spans over
`MAX_DAYS` are not read (a "vor 3 Wochen" is the most a byline writes; older pages give a date).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, tzinfo

from pipelines.clock import MERIDIEM_MARKERS, twelve_hour

MAX_DAYS = 62
"""Longest span read, in days: a page older than two months writes its date."""


def fold(text: str) -> str:
    """Case-folded, accents removed (Maltese "ħ" as "h"), apostrophes and hyphens as spaces, spaces
    squashed."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss").replace("ħ", "h"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"['’\-]", " ", text).split())


_ONE = (
    r"a|an|one|ein|einer|einem|un|une|uno|una|um|uma|een|jeden|jedna|jedno|jednu|jednou|jedan|jedne"
    r"|egy|o|ena|eno|en|ett|et|yksi|uks|viena|vienu|vienas|wiehed|wahda|aon"
)
_TWO = (
    r"two|zwei|deux|due|dos|dois|twee|dwa|dwie|dwoch|dve|dva|dvema|dvije|dvaju|doua|doi|ket|ketto"
    r"|kaksi|kaks|tva|to|divas|divi|dvi|du|δυο|две|два|zewg|dha"
)
"""The word for two (folded), in the case forms a span takes ("vor zwei Tagen", "pred dvema urama")."""
_NUMBER = rf"(?P<n>\d{{1,3}}|{_ONE}|{_TWO})"

# unit -> stems (folded: case-folded, accents removed), every language's case forms start with one
_UNITS: dict[str, str] = {
    "minute": r"minut\w*|minuu\w*|minuc\w*|mins?\b|perc\w*|минут\w*|λεπτ\w*|noimead\w*",
    "hour": (
        r"hour\w*|stunde\w*|heure\w*|or[ae]\b|ore\b|hora\w*|uur|godzin\w*|hodin\w*|ur[aoeiu]?\b|urami"
        r"|urama|sat[ai]?\b|ora\w*|час\w*|ωρ\w*|timm\w*|time\b|timer\w*|tunti\w*|tund\w*|stund\w*"
        r"|valand\w*|siegh\w*|sighat\w*|h?uaire? an chloig|h?uair\w*"
    ),
    "day": (
        r"day\w*|tag\b|tage\w*|tagen|jour\w*|giorn\w*|dia\w*|dag\b|dagen|dagar\w*|dage\w*|dni\w*"
        r"|dzien\w*|dn[iyuea]\w*|den\b|dnev\w*|dan[a]?\b|nap\w*|zi\b|zile\w*|ден\w*|дни\w*|ημερ\w*"
        r"|paiva\w*|paev\w*|dien\w*|jum\b|jiem\b|la\b|lae\b"
    ),
    "week": (
        r"week\w*|woche\w*|semaine\w*|settiman\w*|semana\w*|weken|tydz\w*|tygod\w*|tyd\w*|tyzd\w*"
        r"|ted[ne]\w*|tjed\w*|het[e]?\b|hete\w*|saptaman\w*|седмиц\w*|εβδομαδ\w*|veck\w*|uge\w*"
        r"|viiko\w*|viikk\w*|nadal\w*|nedel\w*|savait\w*|gimgh\w*|s?h?eachtain\w*"
    ),
}
_UNIT = "|".join(f"(?P<{name}>{stems})" for name, stems in _UNITS.items())

_BEFORE = r"vor|il y a|hace|ha|pred|prije|acum|преди|πριν(?: απο)?|pirms|pries"
"""Words for "ago" that come before the span (folded: accents removed; "há", "před", "för").
Portuguese "há" counts only as written, with its accent: Italian "ha" is "has" ("il comune ha 2
settimane")."""
_AFTER = r"ago|fa|geleden|temu|sitten|tagasi|ilu|o shin|sedan|siden|ezelott|назад"
"""Words for "ago" that come after the span."""

_AGO_BEFORE = re.compile(rf"(?<!\w)(?:{_BEFORE})\s+{_NUMBER}\s+(?:{_UNIT})(?!\w)")
_AGO_NORDIC = re.compile(rf"(?<!\w)for\s+{_NUMBER}\s+(?:{_UNIT})\s+(?:sedan|siden)(?!\w)")
"""Danish, Norwegian and Swedish write "for/för N ... siden/sedan": their "for" alone is English's."""
_AGO_AFTER = re.compile(rf"(?<!\w){_NUMBER}\s+(?:{_UNIT})\s+(?:{_AFTER})(?!\w)")
_HU_AGO = re.compile(
    r"(?<!\w)(?P<n>\d{1,3}|egy)\s+(?:(?P<minute>perce)|(?P<hour>oraja)|(?P<day>napja)|(?P<week>hete))(?!\w)"
)
"""Hungarian writes "2 napja" (its day: two days ago) with no word for "ago"."""

# fmt: off
ABBREVIATED_UNITS: dict[str, tuple[str, str, tuple[str, str, str, str]]] = {
    # language: (its "ago" before the span, after it, (minute, hour, day, week) abbreviations), folded
    "en": ("", "ago", ("m|min|mins", "h|hr|hrs", "d", "w|wk|wks")),
    "de": ("vor", "", ("m|min", "h|std|st", "d|t|tg", "w|wo|wch")),
    "fr": ("il y a", "", ("m|mn|min", "h", "j", "sem")),
    "it": ("", "fa", ("m|min", "h|hh", "g|gg", "sett")),
    "es": ("hace", "", ("m|min", "h|hr|hrs", "d", "sem")),
    "pt": ("ha", "", ("m|min", "h", "d", "sem")),
    "nl": ("", "geleden", ("m|min", "u|h", "d|dg", "w|wk")),
    "pl": ("", "temu", ("m|min", "h|g|godz", "d|dn", "tyg|tydz")),
    "cs": ("pred", "", ("m|min", "h|hod", "d|dn", "t|tyd")),
    "sk": ("pred", "", ("m|min", "h|hod", "d|dn", "t|tyz")),
    "sl": ("pred", "", ("m|min", "h|ur", "d|dn", "t|ted")),
    "hr": ("prije", "", ("m|min", "h|sat", "d|dan", "tj|tjed")),  # "s": sekunde
    "ro": ("acum", "", ("m|min", "h", "z|zi", "sapt")),
    "bg": ("преди", "назад", ("м|мин", "ч", "д|дн", "седм|сед")),
    "el": (r"πριν(?: απο)?", "", ("λ|λεπ", "ω|ωρ", "η|ημ|ημερ", "εβδ|εβδομ")),
    "hu": ("", "ezelott", ("p|perc|min", "o|h", "n|nap", "het")),
    "fi": ("", "sitten", ("m|min", "h|t", "pv|vrk", "vk|viik")),
    "et": ("", "tagasi", ("m|min", "h|t", "p|pv|ool", "n|nad")),
    "sv": ("", "sedan", ("m|min", "h|t|tim", "d|dgr", "v|veck")),
    "da": ("", "siden", ("m|min", "h|t|tim", "d|dg", "u|uge")),
    "lt": ("pries", "", ("m|min", "h|val", "d|dien", "sav")),
    "lv": ("pirms", "", ("m|min", "h|st|stund", "d|dien", "ned")),
    "mt": ("", "ilu", ("m|min", "h|sig", "j|jum", "gim")),
    "ga": ("", "o shin", ("n|noim", "h|u|uair", "l", "s|seacht")),
}
# fmt: on
"""Abbreviated units of the 24 EU languages, read only beside the same language's word for "ago"
(module docstring), a dot after them optional, right after a number in digits ("2h ago", "vor 2
Std.") or after a word for one or two."""


def _abbreviated(before: str, after: str, units: tuple[str, str, str, str]) -> list[re.Pattern[str]]:
    unit = "|".join(f"(?P<{name}>{forms})" for name, forms in zip(_UNITS, units, strict=True))
    span = rf"{_NUMBER}(?:(?<=\d)\s*|\s+)(?:{unit})\.?"
    patterns = [re.compile(rf"(?<!\w)(?:{before})\s+{span}(?!\w)")] if before else []
    if after:
        patterns.append(re.compile(rf"(?<!\w){span}\s+(?:{after})(?!\w)"))
    return patterns


_ABBREVIATED = [
    pattern
    for before, after, units in ABBREVIATED_UNITS.values()
    for pattern in _abbreviated(before, after, units)
]
_WITHOUT_NUMBER: dict[str, str] = {
    "saghtejn": "PT2H", "jumejn": "P2D", "gimaghtejn": "P2W", "minutejn": "PT2M",  # mt duals
    "siegha": "PT1H", "jum": "P1D", "gurnata": "P1D", "gimgha": "P1W", "minuta": "PT1M",  # mt one
    "uair an chloig": "PT1H", "noimead": "PT1M", "seachtain": "P1W",  # ga one
}  # fmt: skip
"""Units that are their own number (folded): Maltese's duals and singulars with "ilu" ("sagħtejn ilu":
two hours ago; "siegħa ilu": an hour ago), Irish singulars with "ó shin"."""
_AGO_WITHOUT_NUMBER = re.compile(
    rf"(?<![\w.])(?<!\d\s)(?P<word>{'|'.join(_WITHOUT_NUMBER)})\s+(?:ilu|o shin)(?!\w)"
)

_TODAY = (
    r"today|heute|aujourd hui|oggi|hoy|hoje|vandaag|dzisiaj|dzis|dnes|dneska|danes|danas|azi|astazi"
    r"|днес|σημερα|idag|i dag|tanaan|tana|sodien|siandien|illum|inniu|ma"
)
"""The word for "today" (folded) in the 24 languages; Hungarian "ma" only beside a time ("Ma Li" is
a name)."""
_YESTERDAY = (
    r"yesterday|gestern|hier|ieri|ayer|ontem|gisteren|wczoraj|vcera|vceraj|jucer|tegnap|вчера|χθεσ"
    r"|χτεσ|igar|i gar|eilen|eile|vakar|ilbierah|il bierah|inne"
)
"""The word for "yesterday" (folded: Greek "χθες", "ΧΘΕΣ" fold to "χθεσ", final sigma and all)."""
_DAY_BEFORE = (
    r"the day before yesterday|vorgestern|avant hier|l altro ieri|laltroieri|altroieri|ieri l altro"
    r"|anteayer|antes de ayer|anteontem|eergisteren|przedwczoraj|predevcirem|predvcerom|predvcerajsnjim"
    r"|prekjucer|tegnapelott|alaltaieri|онзи ден|завчера|προχθεσ|προχτεσ|i forrgar|forrgar|i forgars"
    r"|forgars|toissapaivana|uleeile|aizvakar|uzvakar|il bierah l iehor|ilbierah l iehor|aru inne"
)
"""The words for "the day before yesterday" (folded) in the 24 languages: a day two days back."""
_DAY = rf"(?<!\w)(?:(?P<before>{_DAY_BEFORE})|(?P<today>{_TODAY})|(?P<yesterday>{_YESTERDAY}))(?!\w)"
_CLOCK = r"(?P<h>[01]?\d|2[0-3])\s?[:.h]\s?(?P<m>[0-5]\d)"
_AT = (
    r"um|a|at|@|alle ore|alle|ore|a las|a la|las|as|pelas|om|o godz|o godzinie|godz|o|ob|u|v|ve"
    r"|kl|klo|kello|klockan|klokken|kell|plkst|pulksten|la ora|ora|la|в|στισ|ag|ar|fil|fl|f"
)
"""Words for "at" between a day word and its time (folded, Greek "στις" as "στισ"), as
`pipelines.clock.CLOCK_WORDS` lists them."""
_TIME_UNIT = r"(?:\s*(?:uhr|uur|hrs|hr|h|hod|ч|orakor|ora|kor|val|sati|sat|ure)(?!\w)\.?)?"
"""A unit written after the time (folded): de "Uhr", nl "uur", es "hrs.", fr/pt/hr/sl "h", cs/sk "hod.",
bg "ч.", hu "óra"/"órakor" and "-kor" ("14:30-kor"), lt "val.", hr "sati"."""
_MARKS = sorted(
    {fold(form) for pair in MERIDIEM_MARKERS.values() for forms in pair for form in forms},
    key=len,
    reverse=True,
)
_MARK_AFTER = (
    "(?P<post>"
    + "|".join(r"\.?\s?".join(map(re.escape, form.replace(".", " ").split())) + r"\.?" for form in _MARKS)
    + ")"
)
"""A 12-hour marker after the time (folded, dots and spaces optional: "8:40 pm", "8:40 μ.μ.", "2:30
du."), `pipelines.clock.MERIDIEM_MARKERS`."""
_MARK_BEFORE = (
    r"(?<!\w)(?P<pre>"
    + "|".join(r"\s?".join(map(re.escape, form.replace(".", ". ").split())) for form in _MARKS)
    + ")"
)
"""A 12-hour marker before the time, as written with its dots ("du. 2:30", "μ.μ. 8:40")."""
_PHRASE_END = r"(?!\w)(?=\s*(?:$|[,;|·•–—/()\[\]]|-\s|(?:by|von|par|di|da|de|door|av|af)(?!\w)))"
"""A marker after the time counts where its phrase ends: the line's end, a separator or an author's
preposition ("Yesterday, 8:40 pm | News", "Gestern, 8:40 pm von Anna"), never before another word
(German "12:30 am Rathaus": "at the")."""
_PUBLISHED = (
    r"published|posted|veroffentlicht|publie|pubblicato|publicado|gepubliceerd|opublikowano|julkaistu"
    r"|publicerad|offentliggjort|publikovano|zverejnene|objavljeno|publicat|publicets|paskelbta|avaldatud"
    r"|kozzeteve|δημοσιευθηκε|публикувано|ippubblikat|foilsithe"
)
"""A byline's word for "published" (folded), which may stand before "today" or "yesterday"."""
_LABEL = rf"(?:(?:{_PUBLISHED})\s*:?\s*(?:am|le|il|el|em|op|on|la|dne)?\s*)?"
_DAY_WORD = re.compile(
    rf"{_LABEL}{_DAY}(?:\s*,?\s*(?:(?:{_AT})(?!\w)\.?\s*)?(?:{_MARK_BEFORE}\s*)?{_CLOCK}{_TIME_UNIT}"
    rf"(?:\s*{_MARK_AFTER}{_PHRASE_END})?)?"
)
"""A day word and the time after it: "Gestern, 14:30 Uhr", "Вчера, 18:40 ч.", "Χθες στις 18:40",
"Ieri, ore 14:30", "Wczoraj o godz. 14:30", "Tegnap 14:30-kor", "Včera v 14:30 hod."."""
_CLOCK_FIRST = re.compile(
    rf"{_LABEL}(?:{_MARK_BEFORE}\s*)?{_CLOCK}{_TIME_UNIT}(?:\s*{_MARK_AFTER}(?!\w))?\s*[,|·]?\s*{_DAY}"
)
"""The time before its day word: "18:40, вчера", "14:30 Uhr, gestern", "10:15 | Today"."""
_OF = re.compile(r"\s*de?(?!\w)")
"""French "de" ("d'" folded) after "il y a N ...": "there are N hours of", a quantity (module docstring)."""
_ONE_WORDS = frozenset(_ONE.split("|"))
_TWO_WORDS = frozenset(_TWO.split("|"))


def relative_date(byline: str | None) -> str | None:
    """The first relative publication date of `byline` as an ISO 8601 duration (module docstring),
    or None. A "today" or "yesterday" counts beside a time of day or as its line's only word."""
    for line in (byline or "").splitlines():
        folded = fold(line)
        if not folded:
            continue
        spans = [
            (m.start(), span)
            for pattern in (_AGO_BEFORE, _AGO_NORDIC, _AGO_AFTER, _HU_AGO, *_ABBREVIATED, _AGO_WITHOUT_NUMBER)
            for m in pattern.finditer(folded)
            if (span := _span(m)) is not None
            and not _goes_on(line, folded, m.end())
            and not (folded.startswith("il y a", m.start()) and _OF.match(folded, m.end()))
            and not (folded.startswith("ha ", m.start()) and "há" not in line.casefold())
        ]
        if (day := _day_word(line, folded)) is not None:
            spans.append((0, day))
        if spans:
            return min(spans)[1]
    return None


_WORD_CHAR = re.compile(r"[^\W_]")
"""A letter or digit: what a line that goes on after its day word has."""


def _day_word(line: str, folded: str) -> str | None:
    """The span (``P1D@14:30``, ``P0D``, ``P2D``) of a "today", "yesterday" or "the day before
    yesterday" that starts `line` (`folded` its folded form), beside a time of day before or after it
    (`_DAY_WORD`, `_CLOCK_FIRST`) or as the line's only words, punctuation aside ("Gestern", "Gestern.",
    "Vorgestern:", "Avant-hier");
    None where it goes on as a sentence or stands inside one ("Webinar today at 18:00" is an event).
    Hungarian "ma" counts only beside a time."""
    for pattern in (_DAY_WORD, _CLOCK_FIRST):
        day = pattern.match(folded)
        if day is None or _goes_on(line, folded, day.end()):
            continue
        alone = not _WORD_CHAR.search(folded, day.end())  # punctuation may follow: "Gestern.", "Hier,"
        if day["h"] is None and (not alone or day["today"] == "ma"):
            continue
        back = 0 if day["today"] else 2 if day["before"] else 1
        hour = None if day["h"] is None else twelve_hour(int(day["h"]), day["pre"] or day["post"])
        clock = f"@{hour:02d}:{day['m']}" if hour is not None else ""  # None: "13:45 am" has no time
        return f"P{back}D{clock}"
    return None


_BYLINE_WORDS = frozenset(
    {"by", "von", "par", "di", "da", "de", "door", "przez", "od", "av", "af", "apo", "dal", "del", "van"}
)
"""Words that may follow a byline's date in small letters: the author's ("2 days ago by Anna")."""
_BREAK = re.compile(r"[|·•—–/()\[\]]|\s-\s")


def _goes_on(line: str, folded: str, end: int) -> bool:
    """The phrase ending at `end` of `folded` (`line` folded) goes on as a sentence: the next word of
    the line is written in small letters and is no author's preposition, with no separator between
    ("Vor 2 Tagen hat die Regierung ...", "3 days ago, the minister said ..."): an event the text
    tells of, not the page's date."""
    before = len(re.findall(r"\w+", folded[:end]))
    words = re.findall(r"\w+", line)
    if before >= len(words):
        return False
    rest = folded[end:]
    nxt = re.search(r"\w+", rest)
    if nxt is not None and _BREAK.search(rest[: nxt.start()]):
        return False
    word = words[before]
    return word[:1].islower() and fold(word) not in _BYLINE_WORDS


def _span(match: re.Match[str]) -> str | None:
    if "word" in match.groupdict():
        return _WITHOUT_NUMBER[match["word"]]
    word = match["n"]
    n = int(word) if word.isdigit() else 1 if word in _ONE_WORDS else 2 if word in _TWO_WORDS else None
    if n is None:
        return None
    unit = next(name for name in _UNITS if match.groupdict().get(name))
    days = {"minute": n / 1440, "hour": n / 24, "day": n, "week": 7 * n}[unit]
    if days > MAX_DAYS:
        return None
    return {"minute": f"PT{n}M", "hour": f"PT{n}H", "day": f"P{n}D", "week": f"P{n}W"}[unit]


_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D|(?P<w>\d+)W|T(?:(?P<h>\d+)H|(?P<m>\d+)M))(?:@(?P<clock>\d\d:\d\d))?$"
)


def resolve_ago(ago: str, fetched_at: datetime, zone: tzinfo) -> str | None:
    """The date `ago` (`relative_date`'s form) names, seen from `fetched_at` in `zone`, as the page
    would have written it: ``YYYY-MM-DD`` for days and weeks (a day), ``YYYY-MM-DDTHH:MM`` (local
    time, no offset: read later in `zone`) for hours, minutes and a day with its clock; None for
    anything else."""
    match = _DURATION.match(ago)
    if match is None:
        return None
    local = fetched_at.astimezone(zone)
    if match["h"] or match["m"]:
        then = local - timedelta(hours=int(match["h"] or 0), minutes=int(match["m"] or 0))
        return then.strftime("%Y-%m-%dT%H:%M")
    day = (local - timedelta(days=int(match["d"] or 0) + 7 * int(match["w"] or 0))).date()
    return f"{day.isoformat()}T{match['clock']}" if match["clock"] else day.isoformat()
