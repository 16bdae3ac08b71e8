"""An event address written as one string is split into street, city and country where its last
part is a known country; otherwise it stays the address and the city is left empty
(pipelines.event_address, pipelines.events "Place")."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from pipelines.event_address import split_address
from pipelines.events import event_from_record

PARIS = ZoneInfo("Europe/Paris")

# address | street | city | country ("-": none); "#" opens a comment line
TABLE = """
Place de la Bourse, 69002 Lyon, France | Place de la Bourse | Lyon | FR
ul. Marszałkowska 1, 00-950 Warszawa, Polska | ul. Marszałkowska 1 | Warszawa | PL
Rathausplatz 1, 1010 Wien, AT | Rathausplatz 1 | Wien | AT
Keizersgracht 1, 1012 AB Amsterdam, Nederland | Keizersgracht 1 | Amsterdam | NL
Václavské náměstí 1, 110 00 Praha 1, Česko | Václavské náměstí 1 | Praha 1 | CZ
Rua Augusta 1, 1100-053 Lisboa, Portugal | Rua Augusta 1 | Lisboa | PT
Brīvības iela 1, LV-1050 Rīga, Latvija | Brīvības iela 1 | Rīga | LV
Republic Street, Valletta VLT 1117, Malta | Republic Street | Valletta | MT
Εγνατίας 1, 546 21 Θεσσαλονίκη, Ελλάδα | Εγνατίας 1 | Θεσσαλονίκη | GR
Sveavägen 1, 111 57 Stockholm, Sverige | Sveavägen 1 | Stockholm | SE
Unter den Linden 1, D-10117 Berlin, Deutschland | Unter den Linden 1 | Berlin | DE
Calle Mayor 1, 28013 Madrid, ES | Calle Mayor 1 | Madrid | ES
Rue de la Loi 200, 1049 Bruxelles, Belgique | Rue de la Loi 200 | Bruxelles | BE
Lyon, France | - | Lyon | FR
# a country, but no city name before it: the rest stays the address
Hall 3, Stand 12-14 and 16, Italia | Hall 3, Stand 12-14 and 16 | - | IT
# no known country: the whole string stays the address, no city
12 Rue X, 69002 Lyon | 12 Rue X, 69002 Lyon | - | -
Main Street 5, Springfield, ZZ | Main Street 5, Springfield, ZZ | - | -
Rathaus Leipzig | Rathaus Leipzig | - | -
"""
CASES = [
    (address, tuple(None if part == "-" else part for part in expected))
    for address, *expected in (line.split(" | ") for line in TABLE.strip().splitlines() if line[0] != "#")
]


@pytest.mark.parametrize(("address", "expected"), CASES)
def test_an_address_string_is_split_at_a_known_country(
    address: str, expected: tuple[str | None, str | None, str | None]
) -> None:
    assert split_address(address) == expected


def _event(address: object) -> tuple[str | None, str | None, str | None]:
    record = {
        "startDate": "2027-03-03",
        "location": {"@type": "Place", "name": "Palais des Congrès", "address": address},
    }
    info = event_from_record(record, PARIS)
    return info.venue, info.city, info.country


def test_an_event_address_string_gives_city_and_country() -> None:
    assert _event("Place de la Bourse, 69002 Lyon, France") == (
        "Palais des Congrès, Place de la Bourse",
        "Lyon",
        "FR",
    )


def test_an_event_address_without_country_is_never_the_city() -> None:
    assert _event("12 Rue X, 69002 Lyon") == ("Palais des Congrès, 12 Rue X, 69002 Lyon", None, None)


def test_a_whole_address_in_the_locality_is_split() -> None:
    address = {"addressLocality": "Piazza del Popolo 1, 00187 Roma, Italia"}
    assert _event(address) == ("Palais des Congrès, Piazza del Popolo 1", "Roma", "IT")


def test_a_plain_locality_stays_the_city() -> None:
    assert _event({"addressLocality": "Lyon", "addressCountry": "FR"}) == ("Palais des Congrès", "Lyon", "FR")
