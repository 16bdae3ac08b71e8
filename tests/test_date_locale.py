"""Numeric dates read in the page's declared locale order, and compact dates in a page's URL.

Rules (pipelines.dates "Locale order", pipelines.extract.url_day): a numeric date whose day and month
are both 12 or less is read month first on a month-first locale (en-US, es-US, ...) and day first
on every other one (each EU locale, en-GB, en-IE, a plain "en"); a date only one order can read is
read that way whatever the locale. An 8-digit YYYYMMDD token of the URL's path that is a plausible
day is a URL date, with the standing htmldate gives ``/2026-12-05-`` URL dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from crawler.types import HarvestedItem
from pipelines.dates import impossible_date, page_dayfirst, parse_date
from pipelines.extract import apply_document, extract_document, url_day, written_dates

BODY = "The city offers free language courses for refugees and migrants in all districts this winter. " * 4
FETCHED = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)


def page(byline: str, html: str = 'lang="en-US"', head: str = "") -> bytes:
    return (
        f"<!doctype html><html {html}><head><title>Language courses</title>{head}</head><body><article>"
        f"<h1>New language courses for newcomers</h1><p>{byline}</p><p>{BODY}</p>"
        "</article></body></html>"
    ).encode()


def harvested(body: bytes, url: str = "https://example.org/news/courses") -> HarvestedItem:
    item = HarvestedItem(source_id="s", url=url, fetched_at=FETCHED)
    apply_document(item, extract_document(body, url, "text/html"))
    return item


OG_US = '<meta property="og:locale" content="en_US">'
CONTENT_LANGUAGE_US = '<meta http-equiv="Content-Language" content="en-US">'

# --- the page's locale decides the order ------------------------------------------------------------


@pytest.mark.parametrize(
    ("declarations", "dayfirst"),
    [
        (["en-US"], False),
        (["en_US"], False),
        (["EN-us"], False),
        (["es-US"], False),
        (["en-PH"], False),
        (["en-GB"], True),
        (["en-IE"], True),
        (["en"], True),  # plain English on the portal's (European) sites
        (["de-DE"], True),
        (["fr-BE"], True),
        (["pt-PT"], True),
        (["en-CA"], True),
        (["es-419"], True),
        (["en", "en_US"], False),  # html lang without region, og:locale with one
        (["en-GB", "en_US"], True),  # the most specific declaration with a region decides
        ([None, None, "en-US"], False),  # Content-Language alone
        ([None, "", "fr"], True),
        ([], True),
        (["zz-top", "garbage"], True),
    ],
)
def test_page_dayfirst_reads_the_declared_locale(declarations: list[str | None], dayfirst: bool) -> None:
    assert page_dayfirst(declarations) is dayfirst


@pytest.mark.parametrize(
    ("byline", "html", "head", "expected"),
    [
        # ambiguous (both parts <= 12): the locale's order
        ("Published 03/04/2026", 'lang="en-US"', "", date(2026, 3, 4)),
        ("Published 3/4/2026", 'lang="en-US"', "", date(2026, 3, 4)),
        ("Published 03-04-2026", 'lang="en-US"', "", date(2026, 3, 4)),
        ("Publicado el 03/04/2026", 'lang="es-US"', "", date(2026, 3, 4)),
        ("Published 03/04/2026", 'lang="en"', OG_US, date(2026, 3, 4)),
        ("Published 03/04/2026", "", CONTENT_LANGUAGE_US, date(2026, 3, 4)),
        ("Published 03/04/2026", 'lang="en-GB"', "", date(2026, 4, 3)),
        ("Published 03/04/2026", 'lang="en-IE"', "", date(2026, 4, 3)),
        ("Published 03/04/2026", 'lang="en"', "", date(2026, 4, 3)),
        ("Published 03/04/2026", "", "", date(2026, 4, 3)),
        ("Publicado el 03/04/2026", 'lang="es-ES"', "", date(2026, 4, 3)),
        ("Publié le 03/04/2026", 'lang="fr-FR"', "", date(2026, 4, 3)),
        ("Veröffentlicht am 03.04.2026", 'lang="de-DE"', "", date(2026, 4, 3)),
        # unambiguous: the one possible reading, whatever the locale
        ("Published 04/13/2026", 'lang="en-US"', "", date(2026, 4, 13)),
        ("Published 13/04/2026", 'lang="en-US"', "", date(2026, 4, 13)),
        ("Published 04/13/2026", 'lang="en-GB"', "", date(2026, 4, 13)),
        ("Veröffentlicht am 13.04.2026", 'lang="de-DE"', "", date(2026, 4, 13)),
        # the same day written day = month is one date in both orders
        ("Published 04/04/2026", 'lang="en-US"', "", date(2026, 4, 4)),
        # page metadata with an ambiguous numeric date follows the locale too
        ("Courses", 'lang="en-US"', '<meta name="date" content="03/04/2026">', date(2026, 3, 4)),
        ("Courses", 'lang="en-GB"', '<meta name="date" content="03/04/2026">', date(2026, 4, 3)),
        ("Courses", 'lang="en-GB"', '<meta name="date" content="04/13/2026">', date(2026, 4, 13)),
        ("Courses", 'lang="en-US"', '<meta name="date" content="13/04/2026">', date(2026, 4, 13)),
        # an unambiguous ISO date elsewhere on the page is what htmldate read: no swap
        ("Published 03/04/2026", 'lang="en-US"', '<meta name="date" content="2026-04-03">', date(2026, 4, 3)),
    ],
)
def test_ambiguous_numeric_dates_follow_the_page_locale(
    byline: str, html: str, head: str, expected: date
) -> None:
    item = harvested(page(byline, html, head))
    assert item.published_at == datetime.combine(expected, datetime.min.time(), tzinfo=UTC)
    assert item.date_method == "page"


def test_a_time_beside_a_month_first_date_is_kept() -> None:
    document = extract_document(
        page("Published 03/04/2026 at 2:30 PM"), "https://example.org/news/courses", "text/html"
    )
    assert (document.published, document.published_from) == ("2026-03-04T14:30", "text")


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("Published 03/04/2026", True, "2026-04-03"),
        ("Published 03/04/2026", False, "2026-03-04"),
        ("Published 04/13/2026", True, "2026-04-13"),
        ("Published 13/04/2026", False, "2026-04-13"),
        ("Published 12/31/2025, 9:05 AM", True, "2025-12-31T09:05"),
        ("Objavljeno 5. 12. 2025.", True, "2025-12-05"),
        ("Published 13/13/2026", False, None),
        ("Published 2026-03-04", False, "2026-03-04"),
    ],
)
def test_written_numeric_dates_in_either_order(text: str, dayfirst: bool, expected: str | None) -> None:
    assert written_dates(text, (), dayfirst)[0] == expected


@pytest.mark.parametrize(
    ("raw", "dayfirst", "expected"),
    [
        ("03/04/2026", False, datetime(2026, 3, 4, tzinfo=UTC)),
        ("03/04/2026", True, datetime(2026, 4, 3, tzinfo=UTC)),
        ("04/13/2026", True, datetime(2026, 4, 13, tzinfo=UTC)),
        ("13/04/2026", False, datetime(2026, 4, 13, tzinfo=UTC)),
        ("03/04/26", False, datetime(2026, 3, 4, tzinfo=UTC)),
        ("03/04/2026 14:30", False, datetime(2026, 3, 4, 14, 30, tzinfo=UTC)),
        ("13/13/2026", False, None),
        ("2026-03-04", False, datetime(2026, 3, 4, tzinfo=UTC)),
    ],
)
def test_parse_date_with_a_page_locale_order(raw: str, dayfirst: bool, expected: datetime | None) -> None:
    assert parse_date(raw, UTC, dayfirst=dayfirst, either_order=True) == expected
    assert impossible_date(raw, dayfirst=dayfirst, either_order=True) is (expected is None)


def test_a_sources_configured_order_stays_strict() -> None:
    # a feed or API configured day first: 01/13/2026 names month 13, no date (test_date_plausibility)
    assert parse_date("01/13/2026", UTC) is None
    assert impossible_date("01/13/2026") is True


# --- compact dates in the URL ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.stadt.example/aktuelles/20261205_kurse", "2026-12-05"),  # the fetch's own day
        ("https://www.stadt.example/aktuelles/20251205_kurse", "2025-12-05"),
        ("https://www.stadt.example/aktuelles/20251205-kurse.html", "2025-12-05"),
        ("https://www.stadt.example/aktuelles/kurse_20251205", "2025-12-05"),
        ("https://www.stadt.example/files/20251205.pdf", "2025-12-05"),
        ("https://www.europarl.example/news/en/press-room/20250204IPR26689/title", "2025-02-04"),
        ("https://www.stadt.example/aktuelles/20260101_neujahr", "2026-01-01"),  # not a year-only guess
        ("https://www.stadt.example/aktuel%6Cles/20251205_kurse", "2025-12-05"),
        # no URL date
        ("https://www.stadt.example/aktuelles/20261206_kurse", None),  # tomorrow: in the future
        ("https://www.stadt.example/aktuelles/20991205_kurse", None),
        ("https://www.stadt.example/archiv/19891205_bericht", None),  # before 1990
        ("https://www.stadt.example/aktuelles/20260230_kurse", None),  # no such day
        ("https://www.stadt.example/aktuelles/20261305_kurse", None),  # month 13
        ("https://www.stadt.example/aktuelles/251205_kurse", None),  # 6 digits
        ("https://www.stadt.example/artikel/1234520251205", None),  # a longer id
        ("https://www.stadt.example/kontakt/0049302025120512", None),  # a phone number
        ("https://www.stadt.example/artikel/202512051", None),  # 9 digits
        ("https://www.stadt.example/artikel/id20251205", None),  # glued to a word
        ("https://www.stadt.example/artikel?date=20251205", None),  # the query is not the path
        ("https://www.stadt.example/artikel#20251205", None),
        ("https://20251205.stadt.example/artikel", None),  # the host is not the path
        ("https://www.stadt.example/news/2025-12-05-kurse/20251201", None),  # htmldate reads this URL
        ("", None),
        (None, None),
    ],
)
def test_url_day(url: str | None, expected: str | None) -> None:
    assert url_day(url, now=FETCHED) == expected


def test_url_day_allows_the_plausibility_hour() -> None:
    just_before_midnight = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)
    assert url_day("https://x.example/n/20261206_a", now=just_before_midnight) == "2026-12-06"
    assert url_day("https://x.example/n/20261206_a", now=just_before_midnight - timedelta(hours=1)) is None


STAND = "Stand: 01.12.2025"
GERMAN = "Die Stadt bietet im Winter kostenlose Sprachkurse für Geflüchtete in allen Bezirken an. " * 4


def german(byline: str = "", head: str = "") -> bytes:
    return (
        f'<!doctype html><html lang="de"><head><title>Sprachkurse</title>{head}</head><body><article>'
        f"<h1>Neue Sprachkurse für Zugewanderte</h1><p>{byline}</p><p>{GERMAN}</p></article></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("url", "body", "published", "source"),
    [
        ("https://stadt.example/aktuelles/20251205_kurse", german(), "2025-12-05", "url"),
        ("https://stadt.example/aktuelles/kurse-20250314.html", german(), "2025-03-14", "url"),
        # as a /2025-12-05-/ URL date: before htmldate's other finds
        ("https://stadt.example/aktuelles/20251205_kurse", german(STAND), "2025-12-05", "url"),
        ("https://stadt.example/news/2025-12-05-kurse", german(STAND), "2025-12-05", "htmldate"),
        # the page's metadata first, as for every URL date
        ("https://stadt.example/aktuelles/20251205_kurse",
         german(head='<meta property="article:published_time" content="2025-12-04T09:00:00+01:00">'),
         "2025-12-04T09:00:00+01:00", "meta"),
        # the same day with its time of day written in the text
        ("https://stadt.example/aktuelles/20251205_kurse", german("5. Dezember 2025, 14:30 Uhr"),
         "2025-12-05T14:30", "text"),
        # no URL date: as before
        ("https://stadt.example/aktuelles/251205_kurse", german(), None, None),
        ("https://stadt.example/artikel/1234520251205", german(), None, None),
        ("https://stadt.example/aktuelles/20991205_kurse", german(), None, None),
        ("https://stadt.example/aktuelles/251205_kurse", german("Veröffentlicht am 3. März 2025"),
         "2025-03-03", "htmldate"),
    ],
)  # fmt: skip
def test_compact_url_dates_date_the_page(
    url: str, body: bytes, published: str | None, source: str | None
) -> None:
    document = extract_document(body, url, "text/html")
    assert (document.published, document.published_from) == (published, source)


def test_a_compact_url_date_is_stored_as_the_day() -> None:
    item = harvested(german(), "https://stadt.example/aktuelles/20251205_kurse")
    assert (item.published_at, item.date_method) == (datetime(2025, 12, 5, tzinfo=UTC), "page")
    assert "date_only" in item.flags
