"""A page dated only relative to the day it is read ("vor 2 Tagen", "Gestern, 14:30 Uhr", "2 days ago")
is dated that span before its fetch, in the source's time zone (pipelines.relative_dates, through
pipelines.extract): days and weeks give a day, hours and minutes a time, "yesterday" with a clock a
time; flagged ``date_relative``. A written-out date wins, the body's "two days ago" is no byline,
and words that only look like units or days are no date. Made-up pages and phrases, one language or
rule per row."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.types import DATE_ONLY, HarvestedItem
from pipelines.extract import apply_document, extract_document
from pipelines.relative_dates import relative_date, resolve_ago

FETCHED = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)  # 10:30 in Vienna, Paris, Warsaw
BODY = "<p>" + "Die Integration von Zugewanderten ist eine gemeinsame Aufgabe aller Ebenen. " * 6 + "</p>"

# language, byline, expected span
PHRASES = [
    ("en", "Posted 2 days ago", "P2D"),
    ("en", "2 days ago by Anna Schmidt", "P2D"),
    ("de", "vor 3 Stunden | 4 Min. Lesezeit", "PT3H"),
    ("en", "2 days ago · 5 min read", "P2D"),
    ("en", "an hour ago", "PT1H"),
    ("de", "vor 2 Tagen", "P2D"),
    ("de", "Gestern, 14:30 Uhr", "P1D@14:30"),
    ("de", "vor einer Stunde", "PT1H"),
    ("fr", "il y a 3 jours", "P3D"),
    ("fr", "hier à 9h05", "P1D@09:05"),
    ("it", "2 giorni fa", "P2D"),
    ("es", "hace 5 horas", "PT5H"),
    ("pt", "há 2 dias", "P2D"),
    ("nl", "3 uur geleden", "PT3H"),
    ("pl", "2 dni temu", "P2D"),
    ("pl", "wczoraj", "P1D"),
    ("cs", "před 2 dny", "P2D"),
    ("sk", "pred 3 hodinami", "PT3H"),
    ("sl", "pred 3 urami", "PT3H"),
    ("hr", "prije 3 sata", "PT3H"),
    ("hu", "2 napja", "P2D"),
    ("hu", "3 órája", "PT3H"),
    ("ro", "acum o oră", "PT1H"),
    ("bg", "преди 2 дни", "P2D"),
    ("el", "πριν από 3 ώρες", "PT3H"),
    ("sv", "för 2 dagar sedan", "P2D"),
    ("da", "for 3 timer siden", "PT3H"),
    ("fi", "2 päivää sitten", "P2D"),
    ("et", "3 päeva tagasi", "P3D"),
    ("lv", "pirms 2 dienām", "P2D"),
    ("lt", "prieš 3 dienas", "P3D"),
    ("mt", "2 jiem ilu", "P2D"),
    ("ga", "2 lá ó shin", "P2D"),
    ("fr", "il y a une semaine", "P1W"),
    ("en", "Today, 10:15", "P0D@10:15"),
    ("it", "Pubblicato ieri alle 10:30", "P1D@10:30"),
    ("de", "Veröffentlicht: gestern, 08:15 Uhr", "P1D@08:15"),
    ("es", "Publicado hace 3 horas", "PT3H"),
    ("de", "vor 15 Minuten", "PT15M"),
]

NOT_DATES = [
    "Offer valid for 3 weeks",  # English "for", not Danish "for ... siden"
    "2 órája frissítve",  # "updated 2 hours ago": a sentence goes on
    "Published in Vienna today at 10:00",  # the label does not start a day word
    "Listen for 5 min",
    "Webinar today at 18:00 CET",  # an event's time, not at the line's start
    "Deadline: Heute, 23:59",
    "Register by today 23:59",
    "Sondersendung: Heute, 20:15 Uhr im ZDF",
    "Wydarzenie: dzisiaj o 18:00",
    "Today at 18:00 the minister speaks",  # at the start, but a sentence goes on
    "Vor 2 Tagen hat die Regierung neue Kurse beschlossen.",  # a sentence goes on: an event
    "Il y a 3 heures, le ministre a annoncé un plan.",
    "3 days ago, the minister said the courses would open.",
    "Hace 2 días se abrió el centro.",
    "vor 12 Wochen",  # longer than a byline writes
    "Minister met 2 ministers ago",  # "ministers" is no unit
    "Inne artykuły",  # Polish "other", not Irish "yesterday" beside other words
    "Ma Li",  # an author's name
    "Heute in Wien: Kurse für Geflüchtete",  # "today" inside a sentence
    "",
]


@pytest.mark.parametrize(
    ("lang", "byline", "span"), PHRASES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PHRASES)]
)
def test_relative_phrases_in_every_eu_language(lang: str, byline: str, span: str) -> None:
    assert relative_date(byline) == span


@pytest.mark.parametrize("byline", NOT_DATES)
def test_what_is_no_relative_date(byline: str) -> None:
    assert relative_date(byline) is None


@pytest.mark.parametrize(
    ("span", "zone", "expected"),
    [
        ("P2D", "Europe/Vienna", "2026-03-08"),
        ("PT3H", "Europe/Vienna", "2026-03-10T07:30"),
        ("PT45M", "Europe/Lisbon", "2026-03-10T08:45"),
        ("P1D@14:30", "Europe/Helsinki", "2026-03-09T14:30"),
        ("P0D", "UTC", "2026-03-10"),
        ("P1W", "Europe/Paris", "2026-03-03"),
        ("PT11H", "Europe/Vienna", "2026-03-09T23:30"),  # across midnight, local
        ("bogus", "UTC", None),
    ],
)
def test_spans_resolve_against_the_fetch_in_the_source_zone(
    span: str, zone: str, expected: str | None
) -> None:
    assert resolve_ago(span, FETCHED, ZoneInfo(zone)) == expected


def page(byline: str, lang: str, body: str = BODY) -> bytes:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Kurse</title></head>'
        f'<body><main><article><h1>Kurse</h1><p class="date">{byline}</p>{body}'
        "</article></main></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("byline", "lang", "body", "published", "day_only"),
    [
        ("vor 2 Tagen", "de", BODY, "2026-03-08T00:00:00Z", True),
        ("Gestern, 14:30 Uhr", "de", BODY, "2026-03-09T13:30:00Z", False),  # 14:30 in Vienna
        ("vor 3 Stunden", "de", BODY, "2026-03-10T06:30:00Z", False),
        ("Veröffentlicht am 3. März 2026", "de", BODY, "2026-03-03T00:00:00Z", True),  # written: no span
        ("Aktualisiert vor 2 Stunden", "de", BODY, None, False),  # an update, not the publication
        ("Redaktion", "de", "<p>Vor 2 Tagen hat die Regierung Kurse beschlossen.</p>" + BODY, None, False),
        ("Redaktion", "de", "<p>Vor 2 Tagen kamen 40 Familien an. " + BODY[3:], None, False),  # the body's
    ],
)
def test_a_page_dated_only_relatively(
    byline: str, lang: str, body: str, published: str | None, day_only: bool
) -> None:
    document = extract_document(page(byline, lang, body), "https://example.eu/news/kurse", "text/html")
    item = HarvestedItem(source_id="s", url="https://example.eu/news/kurse", fetched_at=FETCHED)
    apply_document(item, document, ZoneInfo("Europe/Vienna"))
    got = item.published_at.strftime("%Y-%m-%dT%H:%M:%SZ") if item.published_at else None
    assert got == published
    assert (DATE_ONLY in item.flags) is day_only
    assert ("date_relative" in item.flags) is (published is not None and "am" not in byline)
