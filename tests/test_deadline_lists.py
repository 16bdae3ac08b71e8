"""A time and zone written once after a list of cut-offs qualify every date of the list, unless a
date carries its own time (pipelines.deadline_lists)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from pipelines.funding import find_deadlines

BERLIN = ZoneInfo("Europe/Berlin")


def utc(month: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2027, month, 15, hour, minute, second, tzinfo=UTC)


CASES = [
    # (language, text, deadlines in UTC); Berlin and Brussels are +01:00 in January, +02:00 in May
    (
        "en",
        "Cut-off dates: 15 January 2027; 15 May 2027; 15 September 2027 (17:00 Brussels time).",
        [utc(1, 16), utc(5, 15), utc(9, 15)],
    ),
    (
        "en",
        "Deadlines: 15 January 2027, 15 May 2027, 15 September 2027, 17:00 CET.",
        [utc(1, 16), utc(5, 16), utc(9, 16)],
    ),
    ("de", "Fristen: 15. Januar 2027 und 15. Mai 2027, jeweils 12:00 Uhr.", [utc(1, 11), utc(5, 10)]),
    (
        "fr",
        "Date limite : 15 janvier 2027 ; 15 mai 2027 (17h00, heure de Bruxelles).",
        [utc(1, 16), utc(5, 15)],
    ),
    ("it", "Scadenza: 15/01/2027, 15/05/2027, ore 12:00.", [utc(1, 11), utc(5, 10)]),
    (
        "pl",
        "Termin składania wniosków: 15 stycznia 2027 r. i 15 maja 2027 r., godz. 16:00.",
        [utc(1, 15), utc(5, 14)],
    ),
    (
        "es",
        "Plazo: 15 de enero de 2027 y 15 de mayo de 2027, a las 14:00 horas (hora de Bruselas).",
        [utc(1, 13), utc(5, 12)],
    ),
    ("nl", "Sluitingsdatum: 15 januari 2027 en 15 mei 2027 (12.00 uur).", [utc(1, 11), utc(5, 10)]),
    ("cs", "Uzávěrka: 15. ledna 2027 a 15. května 2027 vždy ve 12:00 hodin.", [utc(1, 11), utc(5, 10)]),
    ("hu", "Határidő: 2027. január 15. és 2027. május 15., 12:00 órakor.", [utc(1, 11), utc(5, 10)]),
    ("bg", "Краен срок: 15 януари 2027 г. и 15 май 2027 г., 17:00 ч.", [utc(1, 16), utc(5, 15)]),
    (
        "lv",
        "Termiņš: 2027. gada 15. janvāris un 2027. gada 15. maijs plkst. 12.00.",
        [utc(1, 11), utc(5, 10)],
    ),
    ("lt", "Terminas: 2027 m. sausio 15 d. ir 2027 m. gegužės 15 d., 12 val.", [utc(1, 11), utc(5, 10)]),
    ("sv", "Sista ansökningsdag: 15 januari 2027 och 15 maj 2027, kl. 12.00 CET.", [utc(1, 11), utc(5, 11)]),
    # a zone alone is shared too: the end of each day in Brussels
    (
        "fr",
        "Date limite : 15 janvier 2027 et 15 mai 2027 (heure de Bruxelles).",
        [utc(1, 22, 59, 59), utc(5, 21, 59, 59)],
    ),
    # a date with its own time keeps it
    ("en", "Deadlines: 15 January 2027 at 12:00; 15 May 2027 (17:00 CET).", [utc(1, 11), utc(5, 16)]),
    (
        "de",
        "Fristen: 15. Januar 2027 um 10 Uhr und 15. Mai 2027, jeweils 12:00 Uhr.",
        [utc(1, 9), utc(5, 10)],
    ),
    # a tail without time or zone is shared with no date
    ("en", "Deadlines: 15 January 2027; 15 May 2027 (online).", [utc(1, 22, 59, 59), utc(5, 21, 59, 59)]),
    # one date with its time after a comma stays one deadline
    ("en", "Deadline: 15 January 2027, 17:00 CET.", [utc(1, 16)]),
]


@pytest.mark.parametrize(("language", "text", "expected"), CASES)
def test_a_time_after_the_last_date_of_a_list_qualifies_every_date(
    language: str, text: str, expected: list[datetime]
) -> None:
    assert [m.at for m in find_deadlines(text, BERLIN, [language])] == expected
