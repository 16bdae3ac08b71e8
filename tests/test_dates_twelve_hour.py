"""A time of day on the 12-hour clock is read with its marker in every EU language that writes one
(pipelines.clock, "Twelve-hour clock"): after the time, dots and spaces optional (``8:45 μ.μ.``,
``8:45 μμ``, ``8:45 сл.об.``, ``8:45 odp.``, ``8:45 p. m.``, ``8:45 ip.``), or before it in
Hungarian (``du. 8:45``). An afternoon hour 1-11 gains 12 and a morning 12 is 0; ``13:45 PM`` is
13:45 and ``0:30 a.m.`` 00:30; ``13:45 a.m.`` and ``0:30 p.m.`` contradict themselves and give no
time (no date as a value, a day in a byline). A word that only looks like a marker shifts nothing.
Made-up dates, one language or rule per row."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.types import DATE_ONLY, HarvestedItem
from pipelines.clock import find_clock, twelve_hour
from pipelines.dates import has_time_of_day, impossible_date, parse_date, unknown_zone
from pipelines.extract import apply_document, extract_document, written_dates
from pipelines.funding import read_clock

ATHENS = ZoneInfo("Europe/Athens")  # UTC+2 in March 2025

# language, value as a source writes it, UTC instant read in Athens
VALUES = [
    ("el", "13/03/2025 08:45 μμ", "2025-03-13T18:45"),
    ("el", "13/03/2025 8:45 μ.μ.", "2025-03-13T18:45"),
    ("el", "13/03/2025 8:45 π.μ.", "2025-03-13T06:45"),
    ("el", "13 Μαρτίου 2025, 11:05 πμ", "2025-03-13T09:05"),
    ("bg", "13 март 2025, 8:45 сл.об.", "2025-03-13T18:45"),
    ("bg", "13 март 2025, 8:45 сл. об.", "2025-03-13T18:45"),
    ("bg", "13 март 2025, 8:45 ч. пр.об.", "2025-03-13T06:45"),
    ("cs", "13. 3. 2025 8:45 odp.", "2025-03-13T18:45"),
    ("cs", "13. března 2025 8:45 dop.", "2025-03-13T06:45"),
    ("sk", "13. marca 2025 8:45 pop.", "2025-03-13T18:45"),
    ("sl", "13. marec 2025 8.45 pop.", "2025-03-13T18:45"),
    ("hu", "2025. márc. 13. du. 8:45", "2025-03-13T18:45"),
    ("hu", "2025. március 13. délután 8:45", "2025-03-13T18:45"),
    ("hu", "2025. március 13. de. 8:45", "2025-03-13T06:45"),
    ("el", "13/03/2025 μ.μ. 8:45", "2025-03-13T18:45"),  # before the time, as written
    ("cs", "13. 3. 2025 odpoledne 8:45", "2025-03-13T18:45"),
    ("fi", "13.3.2025 klo 8.45 ip.", "2025-03-13T18:45"),
    ("fi", "13.3.2025 klo 8.45 ap.", "2025-03-13T06:45"),
    ("sv", "13 mars 2025 8:45 e.m.", "2025-03-13T18:45"),
    ("sv", "13 mars 2025 8:45 em", "2025-03-13T18:45"),
    ("da", "13. marts 2025 kl. 8.45 fm.", "2025-03-13T06:45"),
    ("de", "13. März 2025, 8:45 nachm.", "2025-03-13T18:45"),
    ("nl", "13 maart 2025 8:45 n.m.", "2025-03-13T18:45"),
    ("lv", "2025. gada 13. martā 8:45 pēcp.", "2025-03-13T18:45"),
    ("lt", "2025 m. kovo 13 d. 8:45 popiet", "2025-03-13T18:45"),
    ("mt", "13 ta' Marzu 2025 8:45 WN", "2025-03-13T18:45"),
    ("ga", "13 Márta 2025 8:45 i.n.", "2025-03-13T18:45"),
    ("ga", "13 Márta 2025 8:45 r.n.", "2025-03-13T06:45"),
    ("es", "13 de marzo de 2025 8:45 p. m.", "2025-03-13T18:45"),
    ("pt", "13 de março de 2025 8:45 p.m.", "2025-03-13T18:45"),
    ("en", "13 March 2025 8:45 PM", "2025-03-13T18:45"),
    ("en", "13 March 2025 12:05 a.m.", "2025-03-12T22:05"),
    ("en", "13 March 2025 12:05 p.m.", "2025-03-13T10:05"),
    ("en", "13 March 2025 8 pm", "2025-03-13T18:00"),
    ("en", "13 March 2025 13:45 PM", "2025-03-13T11:45"),  # the marker repeats the 24-hour hour
    ("en", "13 March 2025 0:30 am", "2025-03-12T22:30"),
]
CONTRADICTIONS = ["13 March 2025 13:45 a.m.", "13/03/2025 0:30 μ.μ.", "13. 3. 2025 15:10 dop."]
NOT_MARKERS = [  # a word that only looks like a marker leaves the 24-hour time as written
    ("pt", "3 de março de 2025 8:45 em Lisboa", "2025-03-03T06:45"),  # Portuguese "em": in
    ("es", "3 de marzo de 2025 de 8:45", "2025-03-03T06:45"),  # Spanish "de", no Hungarian "de."
    ("en", "3 March 2025 8:45 in Dublin", "2025-03-03T06:45"),  # English "in", no Irish "i.n."
    ("fi", "3.3.2025 klo 8.45 ip-osoite", "2025-03-03T06:45"),  # "ip" of a longer word
    ("de", "am 3.3.2025 8:45", "2025-03-03T06:45"),  # German "am" before a date, no marker
    ("de", "3.3.2025, Ende. 8:45", "2025-03-03T06:45"),  # "de." inside a word
    # German "am" after a time, before a weekday, a day number or a part of the day: "on", not a.m.
    ("de", "12:00 am Montag, 3. März 2025", "2025-03-03T10:00"),
    ("de", "3. März 2025, 12:00 am Montag", "2025-03-03T10:00"),
    ("de", "3. März 2025, 11:30 am Vormittag", "2025-03-03T09:30"),
    ("de", "3. März 2025, 12:15 Uhr am Montag", "2025-03-03T10:15"),
    ("de", "12:00 am 3. März 2025", "2025-03-03T10:00"),
    ("de", "3. März 2025 12:00 am Wochenende", "2025-03-03T10:00"),
    ("de", "7. März 2025 12:30 am Rathaus", "2025-03-07T10:30"),  # any capitalised noun
    ("de", "7. März 2025 12:00 am Mittag", "2025-03-07T10:00"),
    ("de", "7. März 2025 12:30 am Mo.", "2025-03-07T10:30"),
    ("en", "3 March 2025 12:00 am Monday", "2025-03-02T22:00"),  # an English weekday: the morning
    ("en", "3 March 2025 9 am Eastern", "2025-03-03T07:00"),
    ("en", "3 March 2025 12:00 am on Monday", "2025-03-02T22:00"),  # English: the morning
    ("en", "3 March 2025 12:00 AM", "2025-03-02T22:00"),
]


@pytest.mark.parametrize(("lang", "raw", "utc"), VALUES + NOT_MARKERS, ids=lambda v: str(v)[:40])
def test_twelve_hour_values(lang: str, raw: str, utc: str) -> None:
    value = parse_date(raw, ATHENS, languages=(lang,))
    assert value is not None
    assert value.strftime("%Y-%m-%dT%H:%M") == utc
    assert has_time_of_day(raw)


@pytest.mark.parametrize("raw", CONTRADICTIONS)
def test_a_marker_that_contradicts_its_hour_gives_no_date(raw: str) -> None:
    assert parse_date(raw, ATHENS) is None
    assert impossible_date(raw)
    assert not has_time_of_day(raw)


@pytest.mark.parametrize(
    ("hour", "marker", "expected"),
    [
        (8, "μ.μ.", 20), (8, "μμ", 20), (8, "π.μ.", 8), (12, "pm", 12), (12, "a.m.", 0), (12, "π.μ.", 0),
        (13, "p.m.", 13), (0, "am", 0), (13, "am", None), (0, "p. m.", None), (7, "сл. об.", 19),
        (11, "du.", 23), (11, "délelőtt", 11), (9, "ip.", 21), (9, None, 9), (21, None, 21),
    ],
)  # fmt: skip
def test_twelve_hour(hour: int, marker: str | None, expected: int | None) -> None:
    assert twelve_hour(hour, marker) == expected


# language, byline text, (published as written)
BYLINES = [
    ("el", "Δημοσιεύθηκε: 13/03/2025 08:45 μμ", "2025-03-13T20:45"),
    ("el", "13 Μαρτίου 2025, 8:45 μ.μ.", "2025-03-13T20:45"),
    ("bg", "13 март 2025, 8:45 сл.об.", "2025-03-13T20:45"),
    ("bg", "13 март 2025 г., 8:45 ч. сл. об.", "2025-03-13T20:45"),
    ("cs", "13. 3. 2025 8:45 odp.", "2025-03-13T20:45"),
    ("sk", "13. 3. 2025 o 8:45 pop.", "2025-03-13T20:45"),
    ("hu", "2025. márc. 13. du. 8:45", "2025-03-13T20:45"),
    ("hu", "2025. március 13., csütörtök, du. 8:45", "2025-03-13T20:45"),
    ("hu", "2025. márc. 13. de. 8:45", "2025-03-13T08:45"),
    ("bg", "13 март 2025 г., сл. об. 8:45", "2025-03-13T20:45"),
    ("fi", "13.3.2025 klo 8.45 ip.", "2025-03-13T20:45"),
    ("lv", "2025. gada 13. martā plkst. 8:45 pēcp.", "2025-03-13T20:45"),
    ("es", "13 de marzo de 2025, 8:45 p. m.", "2025-03-13T20:45"),
    ("ga", "13 Márta 2025 ag 8:45 i.n.", "2025-03-13T20:45"),
    ("en", "13 March 2025 at 8:45pm", "2025-03-13T20:45"),
    ("en", "13 March 2025, 13:45 a.m.", "2025-03-13"),  # contradiction: the day alone
    ("pt", "3 de março de 2025 às 8:45 em Lisboa", "2025-03-03T08:45"),
    ("es", "3 de marzo de 2025, de 8:45", "2025-03-03T08:45"),
]


@pytest.mark.parametrize(("lang", "text", "published"), BYLINES, ids=lambda v: str(v)[:40])
def test_twelve_hour_in_a_byline(lang: str, text: str, published: str) -> None:
    assert written_dates(text, (lang,)) == (published, None)


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("Publié 8:45 p.m.", "20:45"),
        ("Δημοσίευση στις 8:45 μμ", "20:45"),
        ("às 8:45 em Lisboa", "08:45"),
        ("Frissítve: du. 2:30", "14:30"),  # Hungarian writes the marker before the time
        ("Frissítve: de. 9:15", "09:15"),
        ("μ.μ. 8:45", "20:45"),
        ("odp. 8:45", "20:45"),
        ("Treffen 12:30 am Rathaus", "12:30"),  # German "am": at the
        ("Konzert 8:45 pop koncert", "08:45"),  # Slovak "pop" without its dot is pop music
    ],
)
def test_find_clock_reads_markers(text: str, clock: str | None) -> None:
    assert find_clock(text) == clock


@pytest.mark.parametrize(
    ("lang", "zone", "line", "published"),
    [
        ("el", "Europe/Athens", "Δημοσιεύθηκε: 13/03/2025 08:45 μμ", "2025-03-13T18:45:00Z"),
        ("bg", "Europe/Sofia", "13 март 2025, 8:45 сл.об.", "2025-03-13T18:45:00Z"),
        ("cs", "Europe/Prague", "13. 3. 2025 8:45 odp.", "2025-03-13T19:45:00Z"),
        ("hu", "Europe/Budapest", "2025. márc. 13. du. 8:45", "2025-03-13T19:45:00Z"),
    ],
)
def test_a_page_dated_in_the_afternoon(lang: str, zone: str, line: str, published: str) -> None:
    assert page_published(lang, zone, line) == (published, False)


def page_published(lang: str, zone: str, line: str) -> tuple[str | None, bool]:
    """(publication instant in UTC, flagged a day) of a made-up page whose byline is `line`, fetched
    on 1 April 2025 from a source in `zone`."""
    body = "<p>" + "A programme helps refugees find work and learn the language of the country. " * 4
    markup = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Kurse</title></head>'
        f"<body><main><article><h1>Kurse</h1><p>{line}</p>{body}</p></article></main></body></html>"
    ).encode()
    document = extract_document(markup, "https://example.eu/news/kurse", "text/html")
    item = HarvestedItem(
        source_id="s", url="https://example.eu/news/kurse", fetched_at=datetime(2025, 4, 1, tzinfo=UTC)
    )
    apply_document(item, document, ZoneInfo(zone))
    published = item.published_at.strftime("%Y-%m-%dT%H:%M:%SZ") if item.published_at else None
    return published, DATE_ONLY in item.flags


@pytest.mark.parametrize(
    ("phrase", "clock"),
    [
        ("15/03/2026, 5:00 μ.μ.", (17, 0)),
        ("15.3.2026 klo 5.00 ip.", (17, 0)),
        ("15 март 2026, 5:30 сл. об.", (17, 30)),
        ("15 March 2026, 5 pm", (17, 0)),
        ("15 March 2026, 12 a.m.", (0, 0)),
        ("15 March 2026, 13:00 a.m. CET", None),  # a contradiction: no time of day
    ],
)
def test_a_deadline_reads_the_marker(phrase: str, clock: tuple[int, int] | None) -> None:
    found = read_clock(phrase)
    assert (found[:2] if found else None) == clock


@pytest.mark.parametrize(
    ("raw", "unknown"),
    [
        ("13/03/2025 8:45 μ.μ. XYT", True),  # a zone after the marker is still seen
        ("13/03/2025 8:45 PM XYT", True),
        ("13 March 2025 8:45 p. m. XYT", True),
        ("13/03/2025 8:45 μμ", False),  # the marker is no zone
        ("13 March 2025 8:45 WN", False),
        ("13/03/2025 8:45 PM CET", False),
    ],
)
def test_a_zone_after_the_marker(raw: str, unknown: bool) -> None:
    assert unknown_zone(raw) is unknown
