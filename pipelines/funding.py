"""Funding calls as structured items: deadlines in text, call ids, programme, budget, status.

Rules (pure functions, then `FundingPipeline` for items of content type ``funding``):
- A deadline in text is a date found right after a cue word (`CUES`, the 24 EU languages:
  "Deadline", "Einsendeschluss", "date limite", "scadenza", "termin składania", ...): the date must
  start within `CUE_WINDOW` characters after the cue, and only date words may follow it (numbers, month
  names, a time, a zone, "at", "um", "Uhr", "Brussels time"). Any other date on the page is ignored.
  Several dates joined by "and", ",", ";" after one cue are several cut-offs ("15 January 2027, 15 May
  2027" is two; "15 January 2027, 17:00" is one date and its time), and a time or zone written once
  after the last of them qualifies every one that has no time of its own (pipelines.deadline_lists).
- A preposition of time ("until", "bis zum", "bis spätestens", "tot en met", "jusqu'au", "avant le",
  "entro il", "hasta el", "até", "do dnia", "do", "senast", "senest", "viimeistään", "până la",
  "έως", "līdz", "iki", ...: `UNTIL_CUES`) is a weaker cue: its date must start within
  `UNTIL_WINDOW` characters and name a day ("bis zum Jahr 2030", "do roku 2030" are no deadline),
  and a preposition that ends a period ("vom 1. März bis zum 30. Juni 2027", "od 1. do 15. ledna",
  "from 1 March until 30 June") is no cue at all: a project's duration or an event's days are not a
  deadline. A postposition or case ending after the date is the same weak cue: Finnish
  "31.1.2027 mennessä" / "viimeistään", Hungarian "2026. december 18-ig" (`AFTER_CUES`). The dates
  of weak cues count only when no cue word of the text names a date ("Deadline: 15 March 2027 ...
  projects end by 31 December 2028" has one deadline).
- The instant is the one published: a zone written next to it wins (``CET`` = +01:00, ``CEST`` =
  +02:00, ``UTC``/``GMT``; "Brussels time" / "heure de Bruxelles" = Europe/Brussels with its DST);
  otherwise the source's zone (the crawling spider's, also when Scrapy calls the pipeline without
  it). A time joined to the date by a word for "at" and a unit word ("ve 12:00 hodin", "um 12 Uhr",
  "klo 12"), in the 24 languages, is the deadline's time (pipelines.deadline_times). A time of
  day is kept in every language's form (`read_clock`: ``17:00``, ``12h00``, ``12 h``, ``12.00 Uhr``,
  ``12 Uhr``, ``kl. 12.00``, ``klo 12``, ``ore 12:00``, ``às 12h00``, ``godz. 12:00``, ``o 12:00``,
  ``12 óra``, ``u 12 sati``, ``5 pm``, ``noon``), also at the end of a sentence ("... à 12h00.") and
  after a year's dot ("18. prosinca 2026. u 12 sati"). A date without a time is the end of that day
  (23:59:59).
- A call id is an EU Funding & Tenders topic or call identifier: upper-case segments joined by ``-``
  with a year segment (``AMIF-2025-TF2-AG-INTE-04-PATHWAYS``), found in the URL first, then title and
  text. The programme comes from the id's prefix (`PROGRAMMES`), else from the programme's name in the
  text, else from the source (`programme` of the api field mapping).
- A deadline more than ten years after the fetch or before 1990 (``9999-12-31``, .NET's
  ``DateTime.MaxValue``) is a placeholder: dropped, the item flagged ``deadline_implausible``
  (`pipelines.deadlines`).
- Status: ``closed`` once the last deadline is past; ``forthcoming`` before the opening date;
  otherwise the published status (mapped through `api.status_map`), else ``open`` when a deadline is
  ahead. Evaluated at harvest time; readers re-derive it from the stored deadlines (`call_status`).
- Budget: a number, a text such as ``EUR 2 500 000`` / ``€2.5 million`` / ``2,5 Mio. EUR``, or the
  Funding & Tenders ``budgetOverview`` JSON text (the sum of every ``budgetYearMap`` value, EUR).
- Eligible countries: the mapped values (codes or names in any EU language, lists, "EU Member States
  except Denmark"), else the list after an "eligible countries" cue in the text
  (pipelines.countries); ISO 3166-1 alpha-2 codes.
- Attachments: each call document gets its role (call document, guide, template, annex, ...:
  pipelines.calldocs) unless the source gave one.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from typing import Any
from urllib.parse import unquote

from crawler.types import CALL_STATUSES, FundingCall, HarvestedItem, call_status
from pipelines.calldocs import document_role
from pipelines.countries import country_list, eligible_countries_in_text
from pipelines.dates import ZONE_OFFSETS, month_number, parse_date
from pipelines.deadline_lists import EACH_WORDS, share_list_time
from pipelines.deadline_times import BRUSSELS, is_clock_token, read_clock, span_zone, strip_units
from pipelines.deadlines import DEADLINE_IMPLAUSIBLE, real_deadlines

logger = logging.getLogger(__name__)

CUE_WINDOW = 60
"""Characters between the end of a cue word and the start of its date, at most."""
MAX_SPAN_TOKENS = 14
MAX_CUES = 100
"""Cue words examined per text at most: bounds the work on hostile pages (a call names a few)."""

# Cue words per language (ISO 639-1), matched case-insensitively at word boundaries. Longer phrases
# first within a language does not matter: every cue is tried and overlapping finds are merged.
# fmt: off
CUES: dict[str, tuple[str, ...]] = {
    "en": ("deadline", "deadlines", "closing date", "submission deadline", "cut-off date", "cut-off dates",
           "cut-off", "apply by", "applications close on", "due date"),
    "de": ("einsendeschluss", "bewerbungsschluss", "bewerbungsfrist", "antragsfrist", "einreichungsfrist",
           "abgabefrist", "frist", "fristen", "stichtag", "antragsschluss", "einreichfrist",
           "bewerbungsfristen", "antragsfristen", "einreichungsfristen", "abgabefristen", "einreichfristen"),
    "fr": ("date limite", "date-limite", "échéance", "date de clôture", "au plus tard le", "clôture",
           "dates limites", "dates-limites", "dates limite"),
    "nl": ("uiterste datum", "sluitingsdatum", "indieningstermijn", "uiterlijk", "deadline", "deadlines",
           "uiterste data", "sluitingsdata", "indieningstermijnen"),
    "it": ("scadenza", "termine ultimo", "termine di presentazione", "entro il", "termini ultimi",
           "termini di presentazione"),
    "es": ("fecha límite", "plazo", "fecha de cierre", "hasta el", "fechas límite", "fechas límites"),
    "pt": ("prazo", "data limite", "data-limite", "data de encerramento", "datas limite", "datas-limite",
           "datas limites"),
    "pl": ("termin składania", "ostateczny termin", "termin", "terminy składania", "ostateczne terminy"),
    "cs": ("uzávěrka", "termín podání", "termín", "lhůta", "uzávěrky", "termíny podání"),
    "sk": ("uzávierka", "termín predloženia", "termín", "lehota", "uzávierky", "termíny predloženia"),
    "sl": ("rok za oddajo", "rok za prijavo", "rok", "roki za oddajo", "roki za prijavo"),
    "hr": ("rok za prijavu", "rok za podnošenje", "rok", "rokovi za prijavu", "rokovi za podnošenje"),
    "hu": ("beadási határidő", "határidő", "határideje", "beadási határidők", "határidők", "határidei"),
    "ro": ("termen limită", "termenul limită", "data limită", "termen", "termene limită",
           "termenele limită", "date limită", "datele limită"),
    "bg": ("краен срок", "срок", "крайни срокове", "крайните срокове"),
    "el": ("προθεσμία", "καταληκτική ημερομηνία", "προθεσμίες", "καταληκτικές ημερομηνίες"),
    "da": ("ansøgningsfrist", "frist", "sidste frist", "ansøgningsfrister"),
    "sv": ("sista ansökningsdag", "sista dag", "ansökningstid", "deadline", "sista ansökningsdagar",
           "deadlines"),
    "fi": ("määräaika", "viimeinen hakupäivä", "hakuaika päättyy", "haku päättyy", "viimeiset hakupäivät"),
    "et": ("tähtaeg", "taotluste esitamise tähtaeg", "taotluste esitamise tähtajad"),
    "lv": ("termiņš", "iesniegšanas termiņš", "pieteikšanās termiņš", "iesniegšanas termiņi",
           "pieteikšanās termiņi"),
    "lt": ("terminas", "pateikimo terminas", "paraiškų pateikimo terminas", "pateikimo terminai",
           "paraiškų pateikimo terminai"),
    "ga": ("spriocdháta", "dáta deiridh", "spriocdhátaí", "dátaí deiridh"),
    "mt": ("skadenza", "data tal-għeluq", "l-aħħar data", "dati tal-għeluq"),
}
"""Deadline cue words of the 24 official EU languages, and the plurals that name deadlines alone ("dates
limites", "Einreichungsfristen", "terminy składania", "προθεσμίες"); a plural that names any dates of a
schedule ("Scadenze dei pagamenti", "Terminy spotkań", "plazos de ejecución", "closing dates of the
museum") is no cue, as "Termine" never was."""

UNTIL_WINDOW = 16
"""Characters between the end of a preposition cue (`UNTIL_CUES`) and the start of its date, at most:
room for "dem", "ao dia", "den", "la" and the like, not for a clause."""

# Prepositions of time that name a deadline when a day follows right after them (module docstring).
UNTIL_CUES: dict[str, tuple[str, ...]] = {
    "en": ("until", "no later than", "not later than", "by no later than", "closes on"),
    "de": ("bis zum", "bis spätestens", "spätestens am", "spätestens bis", "bis einschließlich", "bis"),
    "fr": ("jusqu'au", "jusqu’au", "avant le", "au plus tard", "jusqu'à", "jusqu’à"),
    "nl": ("tot en met", "tot uiterlijk", "uiterlijk op", "vóór", "t/m", "tot"),
    "it": ("entro e non oltre il", "entro il", "entro", "non oltre il", "fino al"),
    "es": ("hasta el", "hasta", "antes del", "a más tardar el"),
    "pt": ("até ao dia", "até dia", "até", "o mais tardar"),
    "pl": ("do dnia", "nie później niż", "najpóźniej do", "do"),
    "cs": ("nejpozději do", "do"),
    "sk": ("najneskôr do", "do"),
    "sl": ("najkasneje do", "do"),
    "hr": ("najkasnije do", "zaključno s", "do"),
    "hu": ("legkésőbb",),
    "ro": ("până la data de", "până la", "până pe", "cel târziu"),
    "bg": ("не по-късно от", "до"),
    "el": ("έως και", "έως την", "έως", "μέχρι"),
    "sv": ("senast den", "senast"),
    "da": ("senest den", "senest"),
    "fi": ("viimeistään",),
    "et": ("hiljemalt", "kuni"),
    "lv": ("ne vēlāk kā", "līdz"),
    "lt": ("ne vėliau kaip", "iki"),
    "ga": ("roimh", "faoi"),
    "mt": ("mhux aktar tard minn", "sa"),
}
AFTER_CUES = re.compile(
    r"(?<!\w)(?:mennessä|viimeistään)(?!\w)|(?<=\d)\.?-(?:ig|áig|éig|jéig|jáig)(?!\w)", re.I
)
"""Cues written after their date: Finnish postpositions, the Hungarian "until" ending ("18-ig")."""

# words that may sit inside a date phrase ("15 de marzo de 2026", "2026. gada 15. marts", "at 17:00")
_DATE_WORDS = {
    "de", "del", "at", "um", "à", "a", "alle", "ore", "las", "às", "ás", "om", "kl", "klo", "kello", "godz",
    "o", "ob", "u", "v", "в", "στις", "kell", "uhr", "h", "hrs", "hours", "uur", "ora", "heures", "óra",
    "gada", "m", "d", "г", "r", "roku", "година", "kl.", "midday", "noon", "brussels", "time", "bruxelles",
    "heure", "brüsseler", "zeit", "di", "bruselas", "hora", "brusselse", "tijd", "czasu", "brukselskiego",
    "bruxelas", "local", "ώρα", "βρυξελλών", "ta", "the", "der", "den", "am", "le", "el", "il", "op", "on",
    "pm", "a.m", "p.m", "midi", "sati", "ura", "do", "bis", "until", "tot", "até",
}
_JOINERS = {
    "and", "und", "et", "y", "e", "i", "och", "og", "en", "és", "ja", "un", "ir", "și", "si", "и", "και",
    "agus", "u", "a", "or", "oder", "ou", "o", "then", ",", ";", "/", "&",
}
_LANGUAGE_JOINERS: dict[str, frozenset[str]] = {"sl": frozenset({"in"}), "mt": frozenset({"u"})}
"""Words for "and" that are a list's joiner in their own language only: Slovene "in" (English "in"),
Maltese "u" (Croatian "u", "at": "u 12 sati" is a time)."""
# fmt: on

_TOKEN_RE = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"\w{4,}[.!?]$")
_HAS_DIGIT = re.compile(r"\d")
_NUMERIC_TOKEN = re.compile(r"^[(\[]?\d[\d./:\-h]*(?:st|nd|rd|th|er|e|º|ª)?[.,;:)\]]*$", re.I)


def _cue_pattern(table: dict[str, tuple[str, ...]]) -> re.Pattern[str]:
    cues = sorted({c for words in table.values() for c in words}, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, cue.split())) for cue in cues)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


_CUE_RE = _cue_pattern(CUES)
_UNTIL_RE = _cue_pattern(UNTIL_CUES)


@dataclass(frozen=True)
class DeadlineMatch:
    """A deadline found in text: the instant (aware UTC), the phrase it was read from, its offset."""

    at: datetime
    phrase: str
    position: int


_AFTER_BRACKET = re.compile(r"(?<=[)\]}\"'»“”])[.,;:]+$")


def _clean_token(token: str) -> str:
    """`token` without its quotes and brackets, and the punctuation after a closing one ("CET).")."""
    return _AFTER_BRACKET.sub("", token).strip("()[]{}\"'«»„“”").rstrip(",;:")


def _is_date_token(token: str, languages: Sequence[str]) -> bool:
    bare = _clean_token(token)
    if not bare:
        return False
    if _NUMERIC_TOKEN.match(bare):
        return True
    folded = bare.casefold().rstrip(".")
    if folded in _DATE_WORDS or folded in EACH_WORDS or bare.rstrip(".").upper() in ZONE_OFFSETS:
        return True
    if is_clock_token(bare):
        return True
    return month_number(bare, languages) is not None


def _starts_date(token: str, languages: Sequence[str]) -> bool:
    bare = _clean_token(token)
    return bool(bare) and (bool(_NUMERIC_TOKEN.match(bare)) or month_number(bare, languages) is not None)


def read_date_phrase(span: str, zone: tzinfo, languages: Sequence[str] = ()) -> tuple[datetime | None, bool]:
    """(aware UTC instant, a time was given) of a date phrase such as "15. März 2026, 12 Uhr MEZ".

    A zone written in it wins (``CET``, "Brussels time"), else `zone`; the time of day is read by
    `read_clock`; without a time the instant is local midnight. (None, False) when it does not read
    as a date.
    """
    text = " ".join(_clean_token(t) for t in span.split())
    zone = span_zone(text, zone)
    clock = read_clock(text)
    if clock is not None:
        hour, minute, start, end = clock
        text = f"{text[:start]} {hour:02d}:{minute:02d} {text[end:]}"
    text = strip_units(text)
    return parse_date(text, zone, dayfirst=True, languages=languages), clock is not None


def _read_span(span: str, zone: tzinfo, languages: Sequence[str]) -> datetime | None:
    """The deadline a date phrase names, or None (the end of that day when it gives no time)."""
    parsed, timed = read_date_phrase(span, zone, languages)
    if parsed is None or timed:
        return parsed
    local_zone = span_zone(span, zone)
    end = datetime.combine(parsed.astimezone(local_zone).date(), time(23, 59, 59), tzinfo=local_zone)
    return end.astimezone(UTC)


def _clock_after(text: str, tokens: list[tuple[int, int, str]], j: int) -> int:
    """`j` moved past a time of day right after a date closed by its year's dot (hr, sl, sk:
    "18. prosinca 2026. u 12 sati", "18. decembra 2026. o 12:00"), else `j`."""
    if j >= len(tokens):
        return j
    head_start = tokens[j][0]
    clock = read_clock(text[head_start : tokens[min(j + 3, len(tokens)) - 1][1]])
    if clock is None or clock[2] != 0:
        return j
    while j < len(tokens) and tokens[j][0] < head_start + clock[3]:
        j += 1
    return j


_LIST_YEAR = re.compile(r"^[(\[]?(?:\d{1,2}[./-]\d{1,2}[./-])?(?:19|20|21)\d\d\.?[)\]]?[,;]?$")
_YEAR_MARK = re.compile(r"^(?:r|г|m|gada|év|roku|godine)\.?[,;]?$", re.I)


def _own_joiner(token: str, languages: Sequence[str]) -> bool:
    """True when `token` is a word for "and" of one of `languages` alone (`_LANGUAGE_JOINERS`)."""
    return any(token in _LANGUAGE_JOINERS.get(language, ()) for language in languages)


def _ends_list_item(tokens: list[tuple[int, int, str]], i: int, j: int, languages: Sequence[str]) -> bool:
    """True when token `j - 1` closes a date with its year (and its mark: "r.", "г.") and the next
    date of a list starts at token `j`, or after a joiner at `j` ("15 January 2027, 15 May 2027",
    "15. ledna 2027 a 15. května 2027"); a time after the year ("2027, 17:00") starts none, and
    a year that opens the date (hu, lv, lt: "2027. május 15.") closes none."""
    if j - 1 == i and not _NUMERIC_DATE.search(tokens[i][2]):
        return False
    if j >= len(tokens) or not _LIST_YEAR.match(tokens[j - 1][2]):
        if j < 2 or j >= len(tokens) or not _YEAR_MARK.match(tokens[j - 1][2]):
            return False
        if j - 2 == i or not _LIST_YEAR.match(tokens[j - 2][2]):
            return False
    joiner = _clean_token(tokens[j][2]).casefold()
    own = _own_joiner(joiner, languages)
    k = j + 1 if (joiner in _JOINERS or own) and j + 1 < len(tokens) else j
    head = _clean_token(tokens[k][2])
    if not _starts_date(head, languages) or is_clock_token(head) or _YEAR_MARK.match(head):
        return False
    if own:  # the item's own "and", never its "at"
        return True
    # a time read with the year before it and its word or unit ("2027 (12.00 uur)", "2026. u 12 sati")
    year = _clean_token(tokens[j - 1][2])
    clock = read_clock(" ".join(_clean_token(t[2]) for t in tokens[j - 1 : k + 2]))
    return clock is None or clock[2] <= len(year)


def _spans_after(
    text: str, start: int, languages: Sequence[str], window: int = CUE_WINDOW
) -> list[tuple[int, int]]:
    """Token spans of the dates following a cue that ends at `start` (first within `window`)."""
    tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN_RE.finditer(text, start, start + 600)]
    spans: list[tuple[int, int]] = []
    colons = 0
    i = 0
    while i < len(tokens):
        begin, _, token = tokens[i]
        limit = start + window if not spans else spans[-1][1] + 16
        if begin > limit:
            break
        if not _starts_date(token, languages):
            bare = _clean_token(token).casefold()
            joins = bare in _JOINERS or token in _JOINERS or _own_joiner(bare, languages)
            if spans and not joins:
                break
            colons += token.endswith(":")
            if not spans and (_SENTENCE_END.search(token) or token.endswith(";") or colons > 1):
                break  # the date must be in the cue's own sentence and clause
            i += 1
            continue
        j = i
        while j < len(tokens) and j - i < MAX_SPAN_TOKENS and _is_date_token(tokens[j][2], languages):
            j += 1
            if tokens[j - 1][2].endswith(";"):
                break
            if _ends_list_item(tokens, i, j, languages):
                break
            # a sentence ends after a full date ("... 2026."), but "2026." opens a Hungarian date
            if j - i > 2 and re.search(r"\d{4}\.$", tokens[j - 1][2].rstrip(")")):
                j = _clock_after(text, tokens, j)
                break
        spans.append((tokens[i][0], tokens[j - 1][1]))
        i = j
    return spans


_DAY_TOKEN = re.compile(r"^\d{1,2}(?:st|nd|rd|th|er|e|º|ª)?\.?$", re.I)
_NUMERIC_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")


def _names_day(span: str, languages: Sequence[str]) -> bool:
    """True when a date phrase names a day: a numeric date, or a day number and a month name."""
    if _NUMERIC_DATE.search(span):
        return True
    tokens = [_clean_token(t) for t in span.split()]
    return any(_DAY_TOKEN.match(t) for t in tokens) and any(month_number(t, languages) for t in tokens)


def _ends_period(text: str, start: int, languages: Sequence[str]) -> bool:
    """True when the preposition at `start` follows a date or a time: it ends a period
    ("vom 1. März bis zum ...", "od 1. do 15.", "10:00 bis 12:00"), it names no deadline."""
    before = text[max(0, start - 40) : start].split()
    return bool(before) and _starts_date(before[-1], languages)


_YEAR = re.compile(r"(?<!\d)(?:(?:19|20|21)\d\d|9999|3000|0001)(?!\d)")
"""The years a worded deadline is read with: 1900-2199, and the placeholder years databases write for
"no end" or "no start" (9999, 3000, 0001: pipelines.deadlines), so that such a deadline is dropped
and flagged instead of passing unseen."""


def _read_dated(phrase: str, zone: tzinfo, languages: Sequence[str]) -> datetime | None:
    """`_read_span` of a phrase that writes its year (``2026``, ``18.12.26``): a time's hour is
    never read as the year ("18. Dezember, 12 Uhr" is no date, as "18. Dezember" is none)."""
    if not (_YEAR.search(phrase) or _NUMERIC_DATE.search(phrase)):
        return None
    return _read_span(phrase, zone, languages)


def _read_tokens(tokens: list[str], zone: tzinfo, languages: Sequence[str]) -> tuple[datetime | None, str]:
    """The deadline of a date phrase shortened from the right until it reads ("15 March 2026 at
    17:00 CET 3"), and the words read; (None, "") when none reads."""
    tokens = list(tokens)
    while tokens:
        parsed = _read_dated(" ".join(tokens), zone, languages)
        if parsed is not None:
            return parsed, " ".join(tokens)
        tokens.pop()
    return None, ""


def _dates_before(text: str, end: int, languages: Sequence[str]) -> tuple[int, list[str]]:
    """(offset, words) of the date phrase that ends at `end` (before a postposition cue)."""
    words = [(m.start(), m.group(0)) for m in _TOKEN_RE.finditer(text, max(0, end - 80), end)]
    run: list[tuple[int, str]] = []
    for begin, word in reversed(words):
        if len(run) >= MAX_SPAN_TOKENS or not _is_date_token(word, languages):
            break
        run.insert(0, (begin, word))
    while run and not _starts_date(run[0][1], languages):
        run.pop(0)
    return (run[0][0] if run else end), [w for _, w in run]


def find_deadlines(
    text: str | None, zone: tzinfo = BRUSSELS, languages: Sequence[str] = ()
) -> list[DeadlineMatch]:
    """Deadlines written after a cue word in `text`, in order of appearance, without repeats.

    zone: where a time without zone is read (the source's zone). languages: preferred month-name
    languages. Dates that are not right after a cue are not deadlines and are ignored; after a
    preposition (`UNTIL_CUES`) or before a postposition (`AFTER_CUES`) only a date naming a day
    counts, and a preposition that ends a period counts not at all (module docstring). The dates of
    prepositions and postpositions count only when no cue word of the text names a date: "Deadline:
    15 March 2027 ... projects end by 31 December 2028" has one deadline.
    """
    if not text:
        return []
    text = unicodedata.normalize("NFC", text)
    found: dict[bool, list[DeadlineMatch]] = {False: [], True: []}
    seen: set[datetime] = set()

    def keep(parsed: datetime | None, phrase: str, begin: int, weak: bool) -> None:
        if parsed is not None and parsed not in seen:
            seen.add(parsed)
            found[weak].append(DeadlineMatch(parsed, phrase.rstrip(".,;:"), begin))

    cues = [(m.start(), m.end(), False) for m in itertools.islice(_CUE_RE.finditer(text), MAX_CUES)]
    cues += [
        (m.start(), m.end(), True)
        for m in itertools.islice(_UNTIL_RE.finditer(text), MAX_CUES)
        if not _ends_period(text, m.start(), languages)
    ]
    for _, end, weak in sorted(cues)[:MAX_CUES]:
        spans = _spans_after(text, end, languages, UNTIL_WINDOW if weak else CUE_WINDOW)
        shared = share_list_time([text[begin:stop] for begin, stop in spans])
        for (begin, _), written in zip(spans, shared, strict=True):
            parsed, phrase = _read_tokens(written.split(), zone, languages)
            if weak and not _names_day(phrase, languages):
                break
            keep(parsed, phrase, begin, weak)
    for cue in itertools.islice(AFTER_CUES.finditer(text), MAX_CUES):
        begin, words = _dates_before(text, cue.start(), languages)
        if not words or _ends_period(text, begin, languages):
            continue
        for first in range(len(words)):
            phrase = " ".join(words[first:])
            parsed = _read_dated(phrase, zone, languages) if _names_day(phrase, languages) else None
            if parsed is not None:
                keep(parsed, phrase, begin, True)
                break
    return sorted(found[False] or found[True], key=lambda m: m.position)


# --- call ids and programmes ----------------------------------------------------------------

# fmt: off
PROGRAMMES: dict[str, str] = {
    "AMIF": "AMIF", "ESF": "ESF+", "ESFPLUS": "ESF+", "ESF+": "ESF+", "CERV": "CERV", "ERASMUS": "Erasmus+",
    "ERASMUS+": "Erasmus+", "ISF": "ISF", "BMVI": "BMVI", "HORIZON": "Horizon Europe",
    "CREA": "Creative Europe",
    "JUST": "JUST", "EU4H": "EU4Health", "DIGITAL": "Digital Europe", "SMP": "SMP", "LIFE": "LIFE",
    "SOCPL": "ESF+", "EUSF": "EUSF", "UCPM": "UCPM", "EMFAF": "EMFAF", "CEF": "CEF", "EUBA": "EUBA",
    "IPA": "IPA III", "NDICI": "NDICI", "EDF": "EDF", "I3": "I3", "RFCS": "RFCS", "PERI": "PERICLES",
}
"""Funding & Tenders identifier prefix -> programme name shown to editors."""
PROGRAMME_NAMES: tuple[tuple[str, str], ...] = (
    (r"asylum,? migration and integration fund|\bAMIF\b|asyl-,? migrations- und integrationsfonds"
     r"|fonds asile,? migration et intégration|\bFAMI\b", "AMIF"),
    (r"european social fund plus|\bESF\s?\+|\bESF\b|europäischer sozialfonds plus|fonds social européen plus"
     r"|\bFSE\s?\+", "ESF+"),
    (r"citizens,? equality,? rights and values|\bCERV\b", "CERV"),
    (r"erasmus\+|\berasmus plus\b", "Erasmus+"),
    (r"internal security fund|\bISF\b", "ISF"),
)
# fmt: on
_PROGRAMME_RES = tuple((re.compile(p, re.IGNORECASE), name) for p, name in PROGRAMME_NAMES)
_CALL_ID_RE = re.compile(
    r"(?<![A-Za-z0-9-])([A-Z][A-Z0-9+]{1,11}(?:-[A-Z0-9]{1,24}){0,3}-20\d\d(?:-[A-Z0-9]{1,24}){0,8})(?![A-Za-z0-9])"
)


def call_ids(*texts: str | None) -> list[str]:
    """Funding & Tenders call/topic identifiers in `texts` (URLs are percent-decoded), first seen first.

    An id is upper-case letters and digits in ``-``-joined segments, one of them a year 20xx, with a
    known programme prefix or at least three segments: ``AMIF-2025-TF2-AG-INTE-04-PATHWAYS``,
    ``CERV-2026-CHAR-LITI``, ``ERASMUS-EDU-2026-PI-ALL-INNO``. Slugs in lower case are not ids.
    """
    out: list[str] = []
    for text in texts:
        if not text:
            continue
        for match in _CALL_ID_RE.finditer(unquote(text)):
            value = match.group(1).rstrip("-")
            prefix = value.split("-", 1)[0]
            if (prefix in PROGRAMMES or value.count("-") >= 3) and value not in out:
                out.append(value)
    return out


def programme_of(call_id: str | None, *texts: str | None) -> str | None:
    """The programme of a call: from its id's prefix, else the first programme named in `texts`."""
    if call_id:
        prefix = call_id.split("-", 1)[0].upper()
        if prefix in PROGRAMMES:
            return PROGRAMMES[prefix]
    best: tuple[int, str] | None = None
    for text in texts:
        if not text:
            continue
        for pattern, name in _PROGRAMME_RES:
            match = pattern.search(text)
            if match and (best is None or match.start() < best[0]):
                best = (match.start(), name)
        if best is not None:
            return best[1]
    return None


# --- budget ------------------------------------------------------------------------------------

_CURRENCIES = {"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP",
               "chf": "CHF", "sek": "SEK", "dkk": "DKK", "pln": "PLN", "zł": "PLN", "czk": "CZK", "kč": "CZK",
               "huf": "HUF", "ft": "HUF", "ron": "RON", "lei": "RON", "bgn": "BGN", "nok": "NOK", "$": "USD",
               "usd": "USD"}  # fmt: skip
_MULTIPLIERS = {"million": 1e6, "millions": 1e6, "mio": 1e6, "mln": 1e6, "m": 1e6, "millionen": 1e6,
                "milioni": 1e6, "millones": 1e6, "milhões": 1e6, "miljoen": 1e6, "mil": 1e3,
                "billion": 1e9, "mrd": 1e9, "k": 1e3, "thousand": 1e3, "tausend": 1e3}  # fmt: skip
_CUR = r"(€|EUR|euros?|£|GBP|CHF|SEK|DKK|PLN|zł|CZK|Kč|HUF|Ft|RON|lei|BGN|NOK|\$|USD)"
_NUM = r"(\d{1,3}(?:[ \u00a0\u202f.,’']\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?)"
_MULT = r"(?:\s?(million|millions|mio|mln|millionen|milioni|millones|milhões|miljoen|billion|mrd|thousand|tausend|k|m)\b\.?)?"  # noqa: E501
_BUDGET_RES = (
    re.compile(rf"{_CUR}\s?{_NUM}{_MULT}", re.IGNORECASE),
    re.compile(rf"{_NUM}{_MULT}\s?{_CUR}(?!\w)", re.IGNORECASE),
)
_BUDGET_CUE = re.compile(
    r"(?<!\w)(budget|total budget|funding available|fördervolumen|fördersumme|budget total|montant|"
    r"dotazione|presupuesto|orçamento|budżet|rozpočet|költségvetés|bugetul?|budżet|beløb|anslag)(?!\w)",
    re.IGNORECASE,
)


def _number(text: str) -> float | None:
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")
    groups = re.split(r"[ .,']", text)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
        return float("".join(groups))  # thousands separators only
    if len(groups) > 1 and len(groups[-1]) <= 2:
        return float("".join(groups[:-1]) + "." + groups[-1])  # decimal comma or point
    try:
        return float(text.replace(",", ".").replace(" ", ""))
    except ValueError:
        return None


def parse_budget(value: Any) -> tuple[float | None, str | None]:
    """(amount, ISO 4217 currency) of a budget value, or (None, None).

    Accepts a number (currency unknown), the Funding & Tenders ``budgetOverview`` JSON text or dict
    (the sum of every action's ``budgetYearMap``, EUR), or a text written with a currency
    (``EUR 2 500 000``, ``€2.5 million``, ``2,5 Mio. EUR``, ``1.200.000 €``), or a number alone
    written with its grouping (``1,000,000.50``, ``1.000.000,50``, ``1 000 000``: currency unknown).
    """
    if isinstance(value, bool) or value is None:
        return None, None
    if isinstance(value, int | float):
        return float(value), None
    if isinstance(value, list):
        for part in value:
            amount, currency = parse_budget(part)
            if amount is not None:
                return amount, currency
        return None, None
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return None, None
    if isinstance(value, dict):
        total = 0.0
        for entries in (value.get("budgetTopicActionMap") or {}).values():
            for action in entries if isinstance(entries, list) else []:
                for amount in (
                    (action.get("budgetYearMap") or {}).values() if isinstance(action, dict) else []
                ):
                    try:
                        total += float(amount)
                    except (TypeError, ValueError):
                        continue
        return (total, "EUR") if total > 0 else (None, None)
    if not isinstance(value, str):
        return None, None
    text = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text), None
    bare = re.fullmatch(rf"{_NUM}{_MULT}", text, re.IGNORECASE)
    if bare is not None:  # a number alone, in any EU grouping ("1,000,000.50", "1.000.000,50"): no currency
        amount = _number(bare.group(1))
        if amount is not None and bare.group(2):
            amount *= _MULTIPLIERS.get(bare.group(2).casefold().rstrip("."), 1)
        return amount, None
    for pattern in _BUDGET_RES:
        match = pattern.search(text)
        if not match:
            continue
        groups = match.groups()
        currency, number, mult = (
            (groups[0], groups[1], groups[2])
            if pattern is _BUDGET_RES[0]
            else (groups[2], groups[0], groups[1])
        )
        amount = _number(number)
        if amount is None:
            continue
        if mult:
            amount *= _MULTIPLIERS.get(mult.casefold().rstrip("."), 1)
        return amount, _CURRENCIES.get(currency.casefold(), currency.upper())
    return None, None


def budget_in_text(text: str | None) -> tuple[float | None, str | None]:
    """The first amount with a currency written within 80 characters after a budget cue word."""
    if not text:
        return None, None
    for number, cue in enumerate(_BUDGET_CUE.finditer(text)):
        if number >= MAX_CUES:
            break
        amount, currency = parse_budget(text[cue.end() : cue.end() + 80])
        if amount is not None and currency is not None:
            return amount, currency
    return None, None


# --- status (the rule is crawler.types.call_status, shared with the store) --------------------


def next_deadline(deadlines: Iterable[datetime], now: datetime) -> datetime | None:
    """The first deadline after `now`, else the last one (a closed call keeps its last deadline)."""
    ordered = sorted(deadlines)
    return next((d for d in ordered if d > now), ordered[-1] if ordered else None)


# --- from a source's field mapping (api.fields) -----------------------------------------------


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    return [v for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]


_HAS_TIME = re.compile(r"T\d{2}|(?<![\d.])\d{1,2}[:h]\d{2}|(?<![\d.])\d{1,2}\.\d{2}(?![\d.])|^\d{10,13}$")


def _dates(value: Any, zone: tzinfo, *, end_of_day: bool = True) -> list[datetime]:
    """Every date of a mapped value (one or a list); a day without a time is the end of that day
    (`end_of_day`, deadlines) or its start (opening dates)."""
    out = []
    for raw in _values(value):
        text = str(raw).strip()
        parsed = parse_date(text, zone)
        if parsed is not None and not _HAS_TIME.search(text):
            try:
                local = parsed.astimezone(zone).date()
                day = datetime.combine(local, time(23, 59, 59) if end_of_day else time(0), tzinfo=zone)
                parsed = day.astimezone(UTC)
            except OverflowError:  # the last instant held (/Date(253402300799999)/): a placeholder
                pass
        if parsed is not None and parsed not in out:
            out.append(parsed)
    return sorted(out)


def _text(value: Any) -> str | None:
    values = _values(value)
    return str(values[0]).strip() or None if values else None


def funding_from_mapping(
    raw: dict[str, Any], zone: tzinfo, status_map: dict[str, str] | None = None
) -> FundingCall:
    """A `FundingCall` from the values an `api.fields` mapping picked (keys as in the mapping).

    Dates are read in `zone` (an ISO value with offset keeps it); a published status is mapped
    through `status_map` (e.g. Funding & Tenders ``31094502`` -> ``open``) or kept when it already is
    one of `CALL_STATUSES` (case-insensitive).
    """
    published = _text(raw.get("status"))
    if published is not None:
        mapped = (status_map or {}).get(published) or published.casefold()
        published = mapped if mapped in CALL_STATUSES else None
    amount, currency = parse_budget(raw.get("budget"))
    currency = _text(raw.get("currency")) or currency
    opens = _dates(raw.get("opening"), zone, end_of_day=False)
    countries = list(dict.fromkeys(c for v in _values(raw.get("countries")) for c in country_list(str(v))))
    return FundingCall(
        call_id=_text(raw.get("call_id")),
        programme=_text(raw.get("programme")),
        opens_at=opens[0] if opens else None,
        deadlines=_dates(raw.get("deadline"), zone),
        status=published,
        budget_amount=amount,
        budget_currency=currency.upper() if currency else None,
        eligible_countries=countries,
    )


class FundingPipeline:
    """Fill `item.funding` and `item.deadline` for items of content type ``funding``.

    Order: the source's field mapping (`item.structured_raw`, api template) first; then what is
    missing from the item's URL, title, summary, text and attachment links (call id, programme,
    deadlines after cue words, budget after a budget cue, eligible countries after their cue); the
    attachments' roles; then the status at `clock()` time.
    Stats: ``ewsi/funding/items``, ``with_deadline``, ``with_call_id``.
    """

    def __init__(self, stats: Any = None, clock: Any = None, crawler: Any = None):
        self.stats = stats
        self.clock = clock or (lambda: datetime.now(UTC))
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> FundingPipeline:
        """Build from a Scrapy crawler (its stats; its spider gives the source when Scrapy calls
        `process_item` without one)."""
        return cls(stats=crawler.stats, crawler=crawler)

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"ewsi/funding/{key}")

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Structure a funding item in place; other items pass untouched."""
        if not isinstance(item, HarvestedItem) or item.content_type != "funding":
            return item
        spider = spider or getattr(self.crawler, "spider", None)
        source = getattr(spider, "source", None)
        zone: tzinfo = getattr(source, "zone", None) or BRUSSELS
        api = getattr(source, "api", None)
        languages = [item.language or "", *(getattr(source, "languages", None) or [])]
        self._inc("items")
        item.funding = structure_call(
            item,
            zone,
            status_map=getattr(api, "status_map", None),
            languages=[x for x in languages if x],
            now=item.fetched_at or self.clock(),
        )
        if item.funding.deadlines:
            self._inc("with_deadline")
        if item.funding.call_id:
            self._inc("with_call_id")
        return item


def _without_placeholders(item: HarvestedItem, deadlines: list[datetime], now: datetime) -> list[datetime]:
    """`deadlines` without placeholders (`pipelines.deadlines`), the item flagged when one was left out."""
    kept, dropped = real_deadlines(deadlines, now)
    if dropped and DEADLINE_IMPLAUSIBLE not in item.flags:
        item.flags.append(DEADLINE_IMPLAUSIBLE)
    return kept


def structure_call(
    item: HarvestedItem,
    zone: tzinfo,
    *,
    status_map: dict[str, str] | None = None,
    languages: Sequence[str] = (),
    now: datetime | None = None,
) -> FundingCall:
    """The `FundingCall` of `item` (see `FundingPipeline` for the order); also sets item.deadline."""
    now = now or datetime.now(UTC)
    call = (
        funding_from_mapping(item.structured_raw, zone, status_map) if item.structured_raw else FundingCall()
    )
    call.deadlines = _without_placeholders(item, call.deadlines, now)
    texts = (item.title, item.summary, item.text)
    if not call.call_id:
        ids = call_ids(item.url, item.body_url, item.official_id, *texts, *(a.url for a in item.attachments))
        call.call_id = ids[0] if ids else None
    if not call.programme:
        call.programme = programme_of(call.call_id, *texts)
    if not call.deadlines:
        found = [m for t in (item.summary, item.text) for m in find_deadlines(t, zone, languages)]
        call.deadlines = _without_placeholders(item, sorted({m.at for m in found}), now)
        call.deadline_text = found[0].phrase if found and call.deadlines else None
    if call.budget_amount is None:
        call.budget_amount, call.budget_currency = budget_in_text(" ".join(t for t in texts if t))
    if not call.eligible_countries:
        call.eligible_countries = eligible_countries_in_text(item.text) or eligible_countries_in_text(
            item.summary
        )
    for attachment in item.attachments:
        attachment.role = attachment.role or document_role(attachment.title, attachment.url)
    call.status = call_status(now, opens_at=call.opens_at, deadlines=call.deadlines, published=call.status)
    if call.deadlines:
        item.deadline = next_deadline(call.deadlines, now)
    return call
