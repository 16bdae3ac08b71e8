"""The words for "today", "yesterday" and "the day before yesterday" with a time of day, as bylines write
them in the 24 EU languages (pipelines.relative_dates): the day word in any case, Greek accents optional
("Χθες", "χθές", "ΧΘΕΣ", "Προχθές"), the time joined by a comma or the language's "at", with its
unit ("ч.", "h", "Uhr", "hod.", "val.", "-kor", "sati", "uur") or before the day word ("18:40,
вчера"). Made-up pages, fetched on 7 December 2026 at 20:00 UTC and read in the source's zone: the
stored instant is exact to the minute; a day word alone is a day (00:00 UTC, date only); a day word
inside a sentence or after another label dates nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.types import DATE_ONLY, HarvestedItem
from pipelines.extract import apply_document, extract_document

FETCHED = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # 21:00 in Berlin, 22:00 in Athens: still 7 December
BODY = "<p>" + "The city is expanding its language classes for newcomers in every district. " * 6 + "</p>"

# language, source zone, byline, published (UTC) or None, date only
ROWS = [
    ("el", "Europe/Athens", "Χθες, 18:40", "2026-12-06T16:40Z", False),
    ("el", "Europe/Athens", "χθές στις 18:40", "2026-12-06T16:40Z", False),
    ("el", "Europe/Athens", "ΧΘΕΣ, 18:40", "2026-12-06T16:40Z", False),
    ("el", "Europe/Athens", "Χτες 7:05", "2026-12-06T05:05Z", False),
    ("el", "Europe/Athens", "Σήμερα, 09:15", "2026-12-07T07:15Z", False),
    ("el", "Europe/Athens", "Προχθές, 10:00", "2026-12-05T08:00Z", False),
    ("el", "Europe/Athens", "Προχθές", "2026-12-05T00:00Z", True),
    # a day word alone on its line, punctuation after it aside
    ("de", "Europe/Berlin", "Gestern.", "2026-12-06T00:00Z", True),
    ("de", "Europe/Berlin", "Heute:", "2026-12-07T00:00Z", True),
    ("fr", "Europe/Paris", "Hier,", "2026-12-06T00:00Z", True),
    ("es", "Europe/Madrid", "Ayer —", "2026-12-06T00:00Z", True),
    ("pl", "Europe/Warsaw", "Przedwczoraj!", "2026-12-05T00:00Z", True),
    ("de", "Europe/Berlin", "Gestern. Der Minister sagte", None, False),
    ("bg", "Europe/Sofia", "Вчера, 18:40 ч.", "2026-12-06T16:40Z", False),
    ("bg", "Europe/Sofia", "днес в 09:15 ч.", "2026-12-07T07:15Z", False),
    ("bg", "Europe/Sofia", "18:40 ч., вчера", "2026-12-06T16:40Z", False),
    ("bg", "Europe/Sofia", "Вчера", "2026-12-06T00:00Z", True),
    ("hu", "Europe/Budapest", "Tegnap 14:30-kor", "2026-12-06T13:30Z", False),
    ("hu", "Europe/Budapest", "Ma, 8:05", "2026-12-07T07:05Z", False),
    ("hu", "Europe/Budapest", "Tegnapelőtt 10:00 órakor", "2026-12-05T09:00Z", False),
    ("lt", "Europe/Vilnius", "Vakar 14.30 val.", "2026-12-06T12:30Z", False),
    ("lv", "Europe/Riga", "Vakar plkst. 14:30", "2026-12-06T12:30Z", False),
    ("et", "Europe/Tallinn", "Eile kell 14.30", "2026-12-06T12:30Z", False),
    ("fi", "Europe/Helsinki", "Toissapäivänä klo 9.00", "2026-12-05T07:00Z", False),
    ("cs", "Europe/Prague", "Včera v 14:30 hod.", "2026-12-06T13:30Z", False),
    ("sk", "Europe/Bratislava", "Dnes o 11:20 h", "2026-12-07T10:20Z", False),
    ("pl", "Europe/Warsaw", "Wczoraj o godz. 14:30", "2026-12-06T13:30Z", False),
    ("sl", "Europe/Ljubljana", "Predvčerajšnjim ob 10.00", "2026-12-05T09:00Z", False),
    ("hr", "Europe/Zagreb", "Jučer u 14:30 sati", "2026-12-06T13:30Z", False),
    ("ro", "Europe/Bucharest", "Ieri, ora 14:30", "2026-12-06T12:30Z", False),
    ("it", "Europe/Rome", "Ieri, ore 14:30", "2026-12-06T13:30Z", False),
    ("it", "Europe/Rome", "L'altro ieri alle 10:00", "2026-12-05T09:00Z", False),
    ("fr", "Europe/Paris", "Avant-hier à 14h30", "2026-12-05T13:30Z", False),
    ("es", "Europe/Madrid", "Ayer, 14:30 h", "2026-12-06T13:30Z", False),
    ("pt", "Europe/Lisbon", "Ontem, às 14h30", "2026-12-06T14:30Z", False),
    ("nl", "Europe/Amsterdam", "Eergisteren om 10:00 uur", "2026-12-05T09:00Z", False),
    ("de", "Europe/Berlin", "14:30 Uhr, gestern", "2026-12-06T13:30Z", False),
    ("de", "Europe/Berlin", "VORGESTERN, 09:00 UHR", "2026-12-05T08:00Z", False),
    ("da", "Europe/Copenhagen", "I går kl. 14.30", "2026-12-06T13:30Z", False),
    ("sv", "Europe/Stockholm", "Idag kl. 09:15", "2026-12-07T08:15Z", False),
    ("mt", "Europe/Malta", "Il-bieraħ fil-14:30", "2026-12-06T13:30Z", False),
    ("ga", "Europe/Dublin", "Inné ag 14:30", "2026-12-06T14:30Z", False),
    ("en", "Europe/London", "Today, 18:40", "2026-12-07T18:40Z", False),
    # a sentence goes on, another label comes first, or a name: no date
    ("el", "Europe/Athens", "Χθες στις 18:40 συνεδρίασε η Βουλή", None, False),
    ("bg", "Europe/Sofia", "Вчера, 18:40 ч. министърът обяви нови мерки", None, False),
    ("cs", "Europe/Prague", "Dnes v 18:00 začíná festival", None, False),
    ("pl", "Europe/Warsaw", "Wydarzenie: wczoraj o 18:00", None, False),
    ("de", "Europe/Berlin", "Anmeldeschluss: vorgestern, 23:59 Uhr", None, False),
    ("hu", "Europe/Budapest", "Ma Li", None, False),
    ("fi", "Europe/Helsinki", "Eilen klo 18 alkoi kokous", None, False),
]


def stored(byline: str, lang: str, zone: str) -> HarvestedItem:
    body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Classes</title></head>'
        f'<body><main><article><h1>New classes</h1><p class="date">{byline}</p>{BODY}'
        "</article></main></body></html>"
    ).encode()
    document = extract_document(body, "https://example.eu/news/classes", "text/html")
    item = HarvestedItem(source_id="s", url="https://example.eu/news/classes", fetched_at=FETCHED)
    apply_document(item, document, ZoneInfo(zone))
    return item


@pytest.mark.parametrize(("lang", "zone", "byline", "published", "day_only"), ROWS)
def test_day_words_with_a_time_in_every_language(
    lang: str, zone: str, byline: str, published: str | None, day_only: bool
) -> None:
    item = stored(byline, lang, zone)
    got = item.published_at.strftime("%Y-%m-%dT%H:%MZ") if item.published_at else None
    assert got == published
    assert (DATE_ONLY in item.flags) is day_only
    assert ("date_relative" in item.flags) is (published is not None)
