"""A time joined to a deadline's date by a language's word for "at" and followed by a unit word is
the deadline's time, in the 24 EU languages (pipelines.deadline_times)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from crawler.types import HarvestedItem
from pipelines.funding import FundingPipeline, find_deadlines

PRAGUE = ZoneInfo("Europe/Prague")
NOON = datetime(2027, 1, 15, 11, 0, tzinfo=UTC)  # 12:00 in Europe/Prague (+01:00 in January)

CASES = [
    ("cs", "Uzávěrka příjmu žádostí: 15. ledna 2027 ve 12:00 hodin.", NOON),
    ("cs", "Termín podání: 15. ledna 2027 v 9:30 hod.", datetime(2027, 1, 15, 8, 30, tzinfo=UTC)),
    ("sk", "Uzávierka: 15. januára 2027 o 12:00 hod.", NOON),
    ("sk", "Uzávierka: 15. januára 2027 do 12:00 hodín.", NOON),
    ("de", "Einsendeschluss: 15. Januar 2027 um 12:00 Uhr.", NOON),
    ("fr", "Date limite : 15 janvier 2027 à 12 heures.", NOON),
    ("nl", "Sluitingsdatum: 15 januari 2027 om 12.00 uur.", NOON),
    ("nl", "Sluitingsdatum: 15 januari 2027 om 12u.", NOON),
    ("it", "Scadenza: 15 gennaio 2027 alle ore 12:00.", NOON),
    ("es", "Fecha límite: 15 de enero de 2027 a las 12:00 horas.", NOON),
    ("pt", "Prazo: 15 de janeiro de 2027 às 12:00 horas.", NOON),
    ("pl", "Termin składania: 15 stycznia 2027 r. o godz. 12:00.", NOON),
    ("sl", "Rok za oddajo: 15. januar 2027 ob 12. uri.", NOON),
    ("sl", "Rok za oddajo: 15. januar 2027 ob 12:00 uri.", NOON),
    ("hr", "Rok za prijavu: 15. siječnja 2027. u 12:00 sati.", NOON),
    ("hu", "Beadási határidő: 2027. január 15. 12:00 órakor.", NOON),
    ("hu", "Határidő: 2027. január 15., 12 óra.", NOON),
    ("ro", "Termen limită: 15 ianuarie 2027, ora 12:00.", NOON),
    ("ro", "Termen limită: 15 ianuarie 2027 la ora 12:00.", NOON),
    ("bg", "Краен срок: 15 януари 2027 г. в 12:00 ч.", NOON),
    ("bg", "Краен срок: 15 януари 2027 г. до 12:00 часа.", NOON),
    ("el", "Προθεσμία: 15 Ιανουαρίου 2027 στις 12:00.", NOON),
    ("da", "Ansøgningsfrist: 15. januar 2027 kl. 12.00.", NOON),
    ("sv", "Sista ansökningsdag: 15 januari 2027 klockan 12.00.", NOON),
    ("fi", "Määräaika: 15.1.2027 klo 12.00.", NOON),
    ("fi", "Haku päättyy 15.1.2027 kello 12.", NOON),
    ("et", "Tähtaeg: 15. jaanuar 2027 kell 12.00.", NOON),
    ("lv", "Iesniegšanas termiņš: 2027. gada 15. janvāris plkst. 12.00.", NOON),
    ("lt", "Paraiškų pateikimo terminas: 2027 m. sausio 15 d. 12 val.", NOON),
    ("lt", "Terminas: 2027 m. sausio 15 d. iki 12:00 val.", NOON),
    ("en", "Deadline: 15 January 2027 at 12:00 hrs.", NOON),
    ("en", "Deadline: 15 January 2027 at 12 o'clock.", NOON),
    ("ga", "Spriocdháta: 15 Eanáir 2027 ag 12:00.", NOON),
    ("mt", "Skadenza: 15 ta' Jannar 2027 fis-12:00.", NOON),
]


@pytest.mark.parametrize(("language", "text", "expected"), CASES)
def test_a_time_after_at_and_before_its_unit_is_the_deadline_time(
    language: str, text: str, expected: datetime
) -> None:
    assert [m.at for m in find_deadlines(text, PRAGUE, [language])] == [expected]


def test_a_date_without_time_still_ends_its_day() -> None:
    found = find_deadlines("Uzávěrka příjmu žádostí: 15. ledna 2027.", PRAGUE, ["cs"])
    assert [m.at for m in found] == [datetime(2027, 1, 15, 22, 59, 59, tzinfo=UTC)]


ZONES = [
    # (source zone, deadline text, deadline in UTC): the source's zone, also without the spider argument
    ("Europe/Helsinki", "Määräaika: 15.1.2027 klo 12.00.", datetime(2027, 1, 15, 10, 0, tzinfo=UTC)),
    (
        "Europe/Lisbon",
        "Prazo: 15 de janeiro de 2027 às 12:00 horas.",
        datetime(2027, 1, 15, 12, 0, tzinfo=UTC),
    ),
    ("Europe/Prague", "Uzávěrka: 15. ledna 2027 ve 12:00 hodin.", NOON),
]


@pytest.mark.parametrize(("zone", "text", "expected"), ZONES)
def test_the_funding_pipeline_reads_in_the_crawling_source_zone(
    zone: str, text: str, expected: datetime
) -> None:
    source = SimpleNamespace(zone=ZoneInfo(zone), languages=[], api=None)
    crawler = SimpleNamespace(stats=None, spider=SimpleNamespace(source=source))
    item = HarvestedItem(
        source_id="calls", url="https://calls.example.eu/c", content_type="funding", text=text
    )
    item.fetched_at = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
    FundingPipeline.from_crawler(crawler).process_item(item)
    assert item.funding is not None and item.funding.deadlines == [expected]
