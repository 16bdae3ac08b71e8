"""Country names and lists in the 24 EU languages as ISO 3166-1 alpha-2 codes.

- `country_code(value)`: one country: an alpha-2 code (``EL`` is Greece's EU code: ``GR``), or its
  name in any of the 24 official EU languages (CLDR territory names through Babel; a leading article
  such as "the", "le", "an", "il-" is optional), or a schema.org ``Country`` object; None otherwise.
- `country_list(text)`: every country of a list text, in order, without repeats: parts split at
  ``, ; / |`` and line ends, then at "and"/"or" in the 24 languages when the whole part is no
  country name ("Bosnia and Herzegovina" stays one). "EU Member States" (and "EU-27", "all Member
  States", "Mitgliedstaaten", "États membres", ...) stands for the 27 Member States; countries after
  "except"/"excluding"/"außer"/"sauf"/"tranne"/"excepto"/"behalve"/... are taken out ("all EU
  Member States except Denmark" is 26 codes, as AMIF calls read).
- `eligible_countries_in_text(text)`: the list written after an "eligible countries" cue ("Eligible
  countries:", "Förderfähige Länder:", "Pays éligibles :", "Paesi ammissibili:", ...), up to the end of
  that line or sentence; other country names on the page are ignored. Empty when there is no cue.
- `page_country(declared, url, language)`: an item's country. The source's, except that an item
  whose page is on a country-code domain (crawler.urls.host_country: rp.pl PL, tagesanzeiger.ch CH)
  and written in an official language of that country (CLDR through Babel) takes that country,
  whatever the source declares: an EU-wide source's pages, and the Austrian pages of a source
  declared ``DE`` that also follows Austrian bodies (a source declares one country but may span
  several; the page's own domain and language are the better witness). A page is read at its final
  address, after redirects, and a short link (youtu.be, dlvr.it, docs.rs) or a vanity domain in
  another language names no country. Set when an item is harvested; ``ewsi reprocess`` keeps a
  stored item's country.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from crawler.types import EU_LANGUAGES
from crawler.urls import host_country

EU_MEMBER_STATES: tuple[str, ...] = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip
"""The 27 Member States since 1 February 2020 (ISO codes; Greece as GR)."""

_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ"})
_ARTICLE = re.compile(
    r"^(?:the|le|la|les|l'|der|die|das|il|lo|el|los|las|het|de|an|na|o|a|os|as)\s+|^\w{1,2}-", re.I
)
_EXTRA_NAMES = {"czech republic": "CZ", "holland": "NL", "great britain": "GB", "uk": "GB"}

_MEMBER_STATES = re.compile(
    r"\b(?:all\s+)?(?:eu[\s-]*)?(?:member\s+states?|mitgliedstaaten|mitgliedsstaaten|états?\s+membres?|"
    r"stati\s+membri|estados\s+miembros|lidstaten|estados-membros|państw\w*\s+członkowski\w*|"
    r"medlemsstater\w*|jäsenvaltio\w*|členské\s+státy|členských\s+štátov|členských\s+států)\b|\beu[\s-]?27\b",
    re.I,
)
_EXCEPT = re.compile(
    r"\b(?:except(?:\s+for)?|excluding|other\s+than|with\s+the\s+exception\s+of|außer|ausgenommen|"
    r"mit\s+ausnahme\s+von|ohne|sauf|à\s+l'exception\s+de|hormis|tranne|eccetto|ad\s+eccezione\s+di|"
    r"excepto|salvo|con\s+excepción\s+de|behalve|met\s+uitzondering\s+van|exceto|z\s+wyjątkiem|"
    r"utom|undtagen|paitsi|kivéve|s\s+výjimkou|okrem|razen|cu\s+excepția|с\s+изключение\s+на|εκτός\s+από)\b",
    re.I,
)
_SPLIT = re.compile(r"[,;/|\n()]+|\s+[-–]\s+")
_CONJUNCTION = re.compile(
    r"\s+(?:and|or|und|oder|et|ou|e|o|y|en|of|och|eller|og|i|lub|oraz|a|nebo|és|vagy|ja|tai|un|vai|ir|"
    r"arba|in|ali|și|sau|agus|nó|u|jew|и|или|και|ή)\s+",
    re.I,
)
_CUE = re.compile(
    r"(?:eligible\s+countries|countries\s+eligible|eligible\s+countr(?:y|ies)\s+of\s+residence|"
    r"förderfähige\s+länder|teilnahmeberechtigte\s+länder|antragsberechtigte\s+länder|"
    r"pays\s+éligibles|pays\s+admissibles|paesi\s+ammissibili|paesi\s+eleggibili|"
    r"países\s+(?:elegibles|admisibles|elegíveis)|in\s+aanmerking\s+komende\s+landen|"
    r"kraje\s+kwalifikujące\s+się|stödberättigade\s+länder|støtteberettigede\s+lande|"
    r"tukikelpoiset\s+maat|způsobilé\s+země|oprávnené\s+krajiny|țări\s+eligibile|"
    r"támogatható\s+országok|επιλέξιμες\s+χώρες|допустими\s+държави)\s*[:：]",
    re.I,
)
_CUE_END = re.compile(r"(?<!\w\.\w)\.(?:\s|$)|\n\s*\n|\n(?=\s*\w[\w\s]{0,40}:)")
MAX_CUES = 100
"""Eligibility cues examined per text at most (a hostile page may repeat the cue endlessly)."""
MAX_LIST_CHARS = 400
"""Characters read after an eligibility cue at most (a list of all 27 names in English is ~250)."""


def _key(name: str) -> str:
    return " ".join(name.casefold().replace("’", "'").replace("&", " and ").split())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Casefolded name (with and without its article) -> alpha-2 code, for the 24 EU languages."""
    from babel import Locale  # CLDR territory names; imported once, on first use

    out: dict[str, str] = dict(_EXTRA_NAMES)
    for language in EU_LANGUAGES:
        for code, name in Locale(language).territories.items():
            if len(code) != 2 or not code.isalpha() or code in _NOT_COUNTRIES:
                continue
            key = _key(name)
            out.setdefault(key, code)
            out.setdefault(_ARTICLE.sub("", key), code)
    return out


def country_code(value: Any) -> str | None:
    """The alpha-2 code of one country value (see the module docstring), or None."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("identifier")
    if not isinstance(value, str):
        return None
    text = " ".join(value.split()).strip(" .:")
    if not text or len(text) > 80:
        return None
    if re.fullmatch(r"[A-Za-z]{2}", text):
        code = text.upper()
        return "GR" if code == "EL" else None if code in _NOT_COUNTRIES else code
    key = _key(text)
    names = _names()
    return names.get(key) or names.get(_ARTICLE.sub("", key))


def _codes_in(text: str) -> list[str]:
    out: list[str] = []
    for part in _SPLIT.split(text):
        part = part.strip(" .:\t")
        if not part:
            continue
        if _MEMBER_STATES.search(part) and not country_code(part):
            out.extend(EU_MEMBER_STATES)
            part = _MEMBER_STATES.sub(" ", part).strip()
            if not part:
                continue
        code = country_code(part)
        if code:
            out.append(code)
            continue
        for piece in _CONJUNCTION.split(f" {part} "):
            code = country_code(piece)
            if code:
                out.append(code)
    return out


def country_list(text: str | None) -> list[str]:
    """The countries of a list text, in order, without repeats (see the module docstring)."""
    if not text:
        return []
    parts = _EXCEPT.split(text, maxsplit=1)
    included, excluded = parts[0], parts[1] if len(parts) > 1 else ""
    minus = set(_codes_in(excluded))
    return list(dict.fromkeys(c for c in _codes_in(included) if c not in minus))


def eligible_countries_in_text(text: str | None) -> list[str]:
    """The countries listed after the first eligibility cue of `text` (see the module docstring)."""
    if not text:
        return []
    for number, cue in enumerate(_CUE.finditer(text)):
        if number >= MAX_CUES:
            break
        rest = text[cue.end() : cue.end() + MAX_LIST_CHARS]
        end = _CUE_END.search(rest)
        found = country_list(rest[: end.start()] if end else rest)
        if found:
            return found
    return []


@lru_cache(maxsize=64)
def official_languages(country: str) -> frozenset[str]:
    """ISO 639-1 codes of `country`'s official languages, de facto ones included (CLDR through Babel:
    CH -> de, fr, it; BE -> nl, fr, de; RS -> sr)."""
    from babel.languages import get_official_languages

    return frozenset(
        code.split("_")[0]
        for code in get_official_languages(country, de_facto=True)
        if len(code.split("_")[0]) == 2
    )


def page_country(declared: str, url: object, language: str | None) -> str:
    """An item's country (module docstring, `page_country`)."""
    if not language:
        return declared
    code = host_country(url)
    if code is None or language.split("-")[0].lower() not in official_languages(code):
        return declared
    return code
