"""A page's publication time of day is kept however the page writes it (pipelines.clock,
pipelines.extract.written_dates, pipelines.pagemeta._with_clock, pipelines.dates.parse_date).

Rules under test: a time after a written date in any EU language, with its word ("klo", "ora",
"plkst.", "o godz."), its unit ("Uhr", "uur", "ч."), the year's or day's marker before it ("г.,",
"r.,", "5.,") and a 12-hour marker ("2:30 PM" is 14:30); numeric dates day first or year first;
a ``<time datetime>`` or a date meta that gives the day alone takes the time its byline writes;
naive times are read in the source's zone, DST included. Made-up pages, one language per row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.types import DATE_ONLY, HarvestedItem
from pipelines.clock import find_clock
from pipelines.dates import has_time_of_day, parse_date
from pipelines.extract import apply_document, extract_document

BRUSSELS = ZoneInfo("Europe/Brussels")
BODY = "<p>" + "Die Integration von Zugewanderten ist eine gemeinsame Aufgabe aller Ebenen. " * 6 + "</p>"
WANT = datetime(2026, 12, 5, 13, 30, tzinfo=UTC)  # 14:30 in Brussels (CET)


def page(byline: str = "", lang: str = "de", head: str = "") -> bytes:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Kurse</title>{head}</head>'
        f"<body><main><article><h1>Kurse für alle</h1>{byline}{BODY}</article></main></body></html>"
    ).encode()


def published(body: bytes) -> tuple[datetime | None, bool]:
    document = extract_document(body, "https://example.eu/news/kurse", "text/html")
    item = HarvestedItem(
        source_id="s", url="https://example.eu/news/kurse", fetched_at=datetime(2027, 1, 1, tzinfo=UTC)
    )
    apply_document(item, document, BRUSSELS)
    return item.published_at, DATE_ONLY in item.flags


BYLINES = [
    ("de", "5. Dezember 2026, 14:30 Uhr"),
    ("de", "Veröffentlicht: 05.12.2026 | 14:30"),
    ("fr", "Publié le 05/12/2026 à 14h30"),
    ("hu", "2026. december 5., 14:30"),
    ("hu", "Közzétéve: 2026.12.05. 14:30"),
    ("fi", "Julkaistu 5.12.2026 klo 14.30"),
    ("el", "5 Δεκεμβρίου 2026, 14:30"),
    ("bg", "5 декември 2026 г., 14:30 ч."),
    ("en", "Published 5 December 2026, 2:30 PM"),
    ("en", "December 5, 2026 at 2:30 p.m."),
    ("ga", "Foilsithe 5 Nollaig 2026, 2:30 i.n."),
    ("pl", "Data publikacji: 05.12.2026, godz. 14:30"),
    ("pl", "5 grudnia 2026 r., godz. 14:30"),
    ("cs", "Publikováno: 5. 12. 2026 14:30"),
    ("sk", "Publikované 5. decembra 2026 o 14:30"),
    ("sl", "Objavljeno: 5. 12. 2026 ob 14.30"),
    ("hr", "Objavljeno: 5. prosinca 2026. u 14:30"),
    ("sv", "Publicerad 2026-12-05 14:30"),
    ("da", "Offentliggjort 5. december 2026 kl. 14.30"),
    ("lt", "Paskelbta 2026-12-05 14:30"),
    ("lt", "Paskelbta 2026 m. gruodžio 5 d. 14:30"),
    ("lv", "Publicēts: 2026. gada 5. decembrī plkst. 14:30"),
    ("et", "Avaldatud 5. detsember 2026 kell 14:30"),
    ("ro", "Publicat: 5 decembrie 2026, ora 14:30"),
    ("it", "Pubblicato il 05/12/2026 ore 14:30"),
    ("es", "Publicado el 5 de diciembre de 2026 a las 14:30 h"),
    ("pt", "Publicado em 5 de dezembro de 2026, às 14h30"),
    ("nl", "Gepubliceerd op 5 december 2026 om 14.30 uur"),
    ("mt", "Ippubblikat 5 ta' Diċembru 2026, 14:30"),
]


@pytest.mark.parametrize(
    ("lang", "byline"), BYLINES, ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(BYLINES)]
)
def test_a_written_date_keeps_its_time_of_day(lang: str, byline: str) -> None:
    assert published(page(f"<p>{byline}</p>", lang)) == (WANT, False)


@pytest.mark.parametrize(
    ("head", "byline"),
    [
        ("", '<p class="meta"><time datetime="2026-12-05">5.12.2026</time> | 14:30</p>'),
        ("", '<p><time datetime="2026-12-05">5. Dezember 2026</time>, 14:30 Uhr</p>'),
        ("", '<p><time datetime="2026-12-05">5 décembre 2026</time> à <time>14h30</time></p>'),
        ('<meta property="article:published_time" content="2026-12-05">', "<p>05.12.2026, 14:30 Uhr</p>"),
        ('<meta name="DC.date.issued" content="2026-12-05">', "<p>Publié le 5 décembre 2026 à 14h30</p>"),
    ],
    ids=["time-and-clock-text", "time-and-uhr", "time-and-time", "meta-day-and-byline", "dc-day-and-byline"],
)
def test_a_day_from_metadata_takes_the_time_its_byline_writes(head: str, byline: str) -> None:
    assert published(page(byline, head=head)) == (WANT, False)


@pytest.mark.parametrize(
    ("head", "byline", "expected"),
    [
        # two times beside the <time>: none is the publication's
        (
            "",
            '<p><time datetime="2026-12-05">5.12.2026</time> 14:30 – 16:00</p>',
            (datetime(2026, 12, 5, tzinfo=UTC), True),
        ),
        # a time written beside another day is not this day's
        (
            '<meta property="article:published_time" content="2026-12-05">',
            "<p>Termin: 06.12.2026, 10:00 Uhr</p>",
            (datetime(2026, 12, 5, tzinfo=UTC), True),
        ),
        # a number after the date is no time
        ("", "<p>Am 5.12.2026 kamen 12.500 Menschen</p>", (datetime(2026, 12, 5, tzinfo=UTC), True)),
        # metadata with its own time keeps it
        (
            '<meta property="article:published_time" content="2026-12-05T09:00:00+01:00">',
            "<p>05.12.2026, 14:30 Uhr</p>",
            (datetime(2026, 12, 5, 8, 0, tzinfo=UTC), False),
        ),
        # naive times across the DST changes of Europe/Brussels
        (
            "",
            "<p>Veröffentlicht am 29. März 2026, 03:30 Uhr</p>",
            (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), False),
        ),
        (
            "",
            "<p>Veröffentlicht am 24. Oktober 2026, 23:30 Uhr</p>",
            (datetime(2026, 10, 24, 21, 30, tzinfo=UTC), False),
        ),
        (
            "",
            "<p>Veröffentlicht am 25. Oktober 2026, 12:00 Uhr</p>",
            (datetime(2026, 10, 25, 11, 0, tzinfo=UTC), False),
        ),
        # 12-hour clock at noon and midnight
        ("", "<p>Published 5 December 2026, 12:05 AM</p>", (datetime(2026, 12, 4, 23, 5, tzinfo=UTC), False)),
        ("", "<p>Published 5 December 2026, 12:05 PM</p>", (datetime(2026, 12, 5, 11, 5, tzinfo=UTC), False)),
    ],
    ids=[
        "two-times",
        "other-day",
        "number",
        "meta-time-wins",
        "dst-spring",
        "dst-eve",
        "dst-autumn",
        "am-12",
        "pm-12",
    ],
)
def test_time_of_day_rules(head: str, byline: str, expected: tuple[datetime, bool]) -> None:
    assert published(page(byline, head=head)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5.12.2026 klo 14.30", WANT),
        ("5.12.2026 kl. 14.30", WANT),
        ("5 december 2026 om 14.30 uur", WANT),
        ("5 Nollaig 2026 2:30 i.n.", WANT),
        ("5 December 2026 2:30 PM", WANT),
        ("2026. december 5., 14:30", WANT),
        ("5 декември 2026 г., 14:30 ч.", WANT),
    ],
)
def test_parse_date_reads_dotted_and_12_hour_times(raw: str, expected: datetime) -> None:
    assert (parse_date(raw, BRUSSELS), has_time_of_day(raw)) == (expected, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5.12.2026 | 14:30", "14:30"),
        ("5 décembre 2026 à 14h30", "14:30"),
        ("5.12.2026 klo 14.30", "14:30"),
        ("05.12.2026, 14.30 Uhr", "14:30"),
        ("5 December 2026, 2:30 PM", "14:30"),
        ("5.12.2026", None),
        ("2026.12.05.", None),
        ("5.12.2026 12.500 Teilnehmende", None),
        ("14:30 – 16:00", None),
    ],
)
def test_find_clock(text: str, expected: str | None) -> None:
    assert find_clock(text) == expected
