"""An event's postal address written as one string, split into street, city and country.

Rule: schema.org allows ``address`` as one text ("Place de la Bourse, 69002 Lyon, France",
"ul. Marszałkowska 1, 00-950 Warszawa, Polska", "Rathausplatz 1, 1010 Wien, AT"). Its
comma-separated parts are read from the end: the last part is the country when it is a country's
name in any of the 24 EU languages or an ISO 3166-1 alpha-2 code (pipelines.countries; ``EL`` is
Greece); the part before it, without its postal code (``69002``, ``D-10117``, ``00-950``,
``1012 AB``, ``110 00``, ``1000-001``, ``LV-1050``, a trailing ``VLT 1117``), is the city when it
is a short name (at most four words, no digits but a district number: "Praha 1", "Dublin 2"); what
comes before is the street. Without a known country the whole string stays the address (street)
and the city is left empty: a whole address is never a city.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale

from pipelines.countries import country_code

MAX_CITY_CHARS = 40
"""A city name longer than this is no city name (a street or a sentence)."""

_LEADING_POSTCODE = re.compile(
    r"^(?:[A-Z]{1,3}[- ]?)?\d{2,5}(?:[- ]\d{2,3}|\s?[A-Z]{2}(?=\s))?\s+", re.UNICODE
)
_TRAILING_POSTCODE = re.compile(r"\s+(?:[A-Z]{1,3}[- ]?)?\d{3,5}(?:\s?[A-Z]{2})?$")
_CITY = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+){0,3}\.?(?:\s\d{1,2})?$")


@lru_cache(maxsize=1)
def _territories() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes of the countries CLDR names."""
    codes = (code for code in Locale("en").territories if isinstance(code, str))
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha())


def split_address(text: str | None) -> tuple[str | None, str | None, str | None]:
    """(street, city, country code) of an address written as one string (module rule)."""
    if not text or not text.strip():
        return None, None, None
    parts = [" ".join(p.split()) for p in text.split(",") if p.strip()]
    country = country_code(parts[-1]) if len(parts) >= 2 else None
    if country not in _territories():
        return ", ".join(parts) or None, None, None
    rest = parts[:-1]
    city = _TRAILING_POSTCODE.sub("", _LEADING_POSTCODE.sub("", rest[-1])).strip()
    if len(city) <= MAX_CITY_CHARS and _CITY.match(city):
        return ", ".join(rest[:-1]) or None, city, country
    return ", ".join(rest) or None, None, country
