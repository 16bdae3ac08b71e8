"""The shape of a value that names a month or a season or quarter and a year (pure, stdlib only).

`month_year_shape` takes a value apart; `pipelines.dates.month_year` then looks the word up in the
month table. Rule for the whole class: a value is one word and one four-digit year, in either order,
with nothing else but

- a label before a colon at its start ("Stand:", "Updated:", "Last updated:", "Publié :"),
- words for its start, middle or end (`QUALIFIERS`: ``Ende März 2025``, ``early March 2025``,
  ``fin de mars 2025``),
- words that join a month to a year (`JOINERS`: Spanish and Portuguese "de", "del", German "im",
  English "in", "of"; ``marzo de 2025``, ``de março de 2025``, ``marzo del 2025``, ``im März 2025``),
- the year's and month's own markers (`MARKERS`: Lithuanian ``2025 m. kovo mėn.``, Latvian
  ``2025. gada janvāris``, Polish ``r.``, Croatian ``godine``, Bulgarian ``г.``),
- commas and the dots that close an abbreviation or a number (``Mar. 2025``, ``2025, March``,
  Hungarian ``2025. március``).

A time of day, a second number or any other word makes it no such value (``March 2025 10:00``,
``March 20``, ``Report March 2025``).

A quarter, a half-year or a season (``Q1 2025``, ``1. Quartal 2025``, ``H1 2025``, ``1. Halbjahr
2025``, ``Spring 2025``, ``Frühjahr 2025``, ``printemps 2025``): kind "period", read at year
precision. It names no month, and its first month (or the first day of the quarter) would be a
date the source did not give; an editor sees the year the source wrote and the item sorts within
it. A winter is taken as the year written.
"""

from __future__ import annotations

import re

JOINERS = frozenset({"de", "del", "da", "do", "di", "im", "in", "of", "en", "du", "w", "v", "vo", "u"})
"""Words that join a month to its year (es, pt, it, de, en, fr, pl, cs, sk, hr)."""
MARKERS = frozenset(
    {"m", "mėn", "gada", "g", "r", "roku", "godine", "god", "leta", "г", "год", "έτος", "év", "hó", "år"}
)
"""Year and month markers written beside them (lt ``m.``/``mėn.``, lv ``gada``/``g.``, pl ``r.``,
``roku``, hr ``godine``, sl ``leta``, bg ``г.``, hu ``év``, ``hó``)."""
QUALIFIERS = frozenset(
    {
        "early", "mid", "late", "anfang", "mitte", "ende", "début", "fin", "principios", "inicios",
        "mediados", "finales", "início", "meados", "fim", "finais", "inizio", "metà", "fine", "begin",
        "midden", "eind", "początek", "połowa", "koniec", "začátek", "polovina", "konec", "början",
        "mitten", "slutet", "starten", "udgangen",
    }
)  # fmt: skip
"""Words for the start, middle or end of the month (en, de, fr, es, pt, it, nl, pl, cs, sv, da):
``Ende März 2025`` is still March 2025, at month precision."""
SEASONS = frozenset(
    {
        "spring", "summer", "autumn", "fall", "winter",  # en
        "frühjahr", "frühling", "sommer", "herbst",  # de (winter above)
        "printemps", "été", "automne", "hiver",  # fr
        "primavera", "verano", "otoño", "invierno", "estate", "autunno", "inverno", "verão", "outono",
        "voorjaar", "lente", "zomer", "najaar", "herfst",  # nl
        "wiosna", "lato", "jesień", "zima", "jaro", "léto", "podzim",  # pl, cs
        "vår", "sommar", "höst", "vinter", "forår", "efterår",  # sv, da
        "kevät", "syksy", "talvi",  # fi ("kesä" is the June abbreviation)
    }
)  # fmt: skip
"""Season words (en, de, fr, es, it, pt, nl, pl, cs, sv, da, fi)."""
QUARTER = re.compile(
    r"(?<!\w)(?:[1-4]\.?\s*(?:Quartal|kwartaal|trimestre|kvartal|kwartał|čtvrtletí|negyedév|quarter)"
    r"|(?:I|II|III|IV)\s+(?:trimestre|kwartał|kvartal|Quartal|quarter)|(?:first|second|third|fourth)\s+quarter"
    r"|(?:Q|T|K)[1-4]|[1-4]\.?\s?Q|H[12]|[12]\.?\s*(?:Halbjahr|semestre|semester|półrocze|pololetí)"
    r"|(?:first|second)\s+half)(?!\w)",
    re.IGNORECASE,
)
"""A quarter or half-year: ``Q1``, ``1Q``, French ``T1``, ``1. Quartal``, ``I trimestre``, ``first
quarter``, ``H1``, ``1. Halbjahr``, ``first half``."""

_LABEL = re.compile(r"^[^\W\d_][^\W\d_ .]*(?:\s+[^\W\d_]+){0,2}\s*:\s*")
_TOKEN = re.compile(r"\d+\.?|[^\W\d_]+\.?|,")


def month_year_shape(raw: str) -> tuple[str, int, str] | None:
    """(word as written, year, "month" or "period") when `raw` has the shape of the module
    docstring; the word keeps its closing dot (an abbreviation's mark); None for any other value."""
    text = " ".join(raw.split())
    if (label := _LABEL.match(text)) is not None:
        text = text[label.end() :]
    quarter = QUARTER.search(text)
    kind = "month"
    if quarter is not None:
        text = f"{text[: quarter.start()]} {text[quarter.end() :]}"
        kind = "period"
    tokens = _TOKEN.findall(text)
    if "".join(tokens) != text.replace(" ", ""):
        return None  # a character of no word, number, comma or dot: a time, a bracket, a slash
    numbers = [t for t in tokens if t[0].isdigit()]
    words = [
        t
        for t in tokens
        if t != "," and not t[0].isdigit() and t.casefold().rstrip(".") not in JOINERS | MARKERS | QUALIFIERS
    ]
    if len(numbers) != 1 or len(numbers[0].rstrip(".")) != 4:
        return None
    year = int(numbers[0].rstrip("."))
    if kind == "period":
        return ("", year, kind) if not words else None
    if len(words) != 1:
        return None
    if words[0].casefold().rstrip(".") in SEASONS:
        return words[0], year, "period"
    return words[0], year, "month"
