"""A list of deadlines that shares one time of day and zone.

Rule: a time and/or a zone written once after the last date of a list of cut-offs ("15 January
2027; 15 May 2027; 15 September 2027 (17:00 Brussels time)", "15. Januar 2027 und 15. Mai 2027,
jeweils 12:00 Uhr", "15 janvier 2027, 15 mai 2027, 17h00 CET"), in brackets, after a comma or after
a word for "each" (`EACH_WORDS`), qualifies every date of the list: each date gets it, unless the
date carries its own time ("15 January 2027 at 12:00; 15 May 2027 (17:00 CET)" keeps 12:00 for the
first). A list is the dates one cue word names, joined by ",", ";", "and" and the like
(pipelines.funding). A tail that writes neither a time nor a zone ("15 May 2027 (online)") is
shared with no date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC

from pipelines.dates import ZONE_OFFSETS
from pipelines.deadline_times import BRUSSELS, read_clock, span_zone

# fmt: off
EACH_WORDS: frozenset[str] = frozenset({
    "each", "respectively", "jeweils", "chacune", "chacun", "respectivement", "telkens", "steeds",
    "ciascuna", "rispettivamente", "cada", "respectivamente", "każdorazowo", "vždy", "zakaždým", "vsakič",
    "svaki", "mindenkor", "fiecare", "всеки", "κάθε", "hver", "varje", "kulloinkin", "iga", "katru",
    "kiekvieną", "gach", "kull",
})
"""Words for "each" / "respectively" that may stand between a list's last date and its shared time."""
# fmt: on
_WORD = re.compile(r"\S+")


def _zone_or_each(token: str) -> bool:
    """True when a word of a date phrase opens its zone or a shared time: a word for "each", a
    zone abbreviation, "Brussels time"."""
    bare = token.strip("()[]{},;.")
    if bare.casefold() in EACH_WORDS or bare.upper() in ZONE_OFFSETS:
        return True
    return bool(bare) and span_zone(bare, UTC) is BRUSSELS


def _tail(phrase: str) -> str:
    """The time and zone that close a date phrase, from the word that opens them ("(17:00
    Brussels" of "15 September 2027 (17:00 Brussels", "jeweils 12:00 Uhr"), else ""."""
    starts = [m.start() for m in _WORD.finditer(phrase) if m.start() and _zone_or_each(m.group())][:1]
    clock = read_clock(phrase)
    if clock is not None:
        starts.append(clock[2])
    if not starts:
        return ""
    start = phrase.rfind(" ", 0, min(starts)) + 1  # the whole word: "(17:00"
    bracket = phrase.rfind("(", 0, start)
    if bracket > 0 and ")" not in phrase[bracket:start]:
        start = bracket  # the whole bracket: "(heure de Bruxelles)"
    return phrase[start:].strip(" ,;") if start else ""


def _qualifies(tail: str) -> bool:
    """True when a tail writes a time of day or a zone."""
    if read_clock(tail) is not None or span_zone(tail, UTC) is BRUSSELS:
        return True
    return any(word.strip("()[],;.").upper() in ZONE_OFFSETS for word in tail.split())


def share_list_time(phrases: Sequence[str]) -> list[str]:
    """The date phrases of one list, each without a time of its own given the time and zone that
    follow the last one (module rule); a single phrase, or a last one without them, as they are."""
    phrases = list(phrases)
    if len(phrases) < 2:
        return phrases
    tail = _tail(phrases[-1])
    if not tail or not _qualifies(tail):
        return phrases
    shared = []
    for phrase in phrases[:-1]:
        if read_clock(phrase) is not None:
            shared.append(phrase)
        else:
            shared.append(f"{phrase.rstrip(' .,;')} {tail}")
    return [*shared, phrases[-1]]
