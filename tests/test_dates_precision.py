"""W3C Datetime is read at every precision, and a partial date keeps its precision.

Rules under test (pipelines.dates.parse_with_precision, crawler.types.precision_flags, the normalise
and extract stages): ``2025`` and ``2025-03`` (a sitemap's ``<lastmod>``, valid W3C Datetime) are
the first day of the year or month at 00:00 UTC, flagged ``date_only`` plus ``date_year`` or
``date_month`` (published_precision "year" / "month"), never a day or time shown as exact; a day
stays "day", an instant "time". A followed page's more precise date within that month or year
replaces it; one outside it does not.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from scrapy.http import XmlResponse

from crawler.types import DATE_MONTH, DATE_ONLY, DATE_YEAR, HarvestedItem, published_precision
from pipelines.dates import parse_day_or_time, parse_with_precision
from pipelines.document import ExtractedDocument
from pipelines.extract import apply_document
from tests.test_normalize import make_source
from tests.test_normalize import run as normalize
from tests.test_spiders import make_spider, run

BRUSSELS = ZoneInfo("Europe/Brussels")

# raw -> (date as ISO in UTC, precision)
W3C = {
    "2025": ("2025-01-01T00:00:00+00:00", "year"),
    "1999": ("1999-01-01T00:00:00+00:00", "year"),
    "2025-03": ("2025-03-01T00:00:00+00:00", "month"),
    "2024-12": ("2024-12-01T00:00:00+00:00", "month"),
    " 2025-03 ": ("2025-03-01T00:00:00+00:00", "month"),
    "2025-03-10": ("2025-03-10T00:00:00+00:00", "day"),
    "2025-03-10T09:30+01:00": ("2025-03-10T08:30:00+00:00", "time"),
    "2025-03-10T09:30:15+01:00": ("2025-03-10T08:30:15+00:00", "time"),
    "2025-03-10T09:30:15.45+01:00": ("2025-03-10T08:30:15.450000+00:00", "time"),
    "2025-03-10T09:30:15Z": ("2025-03-10T09:30:15+00:00", "time"),
}


@pytest.mark.parametrize(("raw", "expected"), W3C.items(), ids=list(W3C))
def test_w3c_datetime_of_every_precision(raw: str, expected: tuple[str, str]) -> None:
    parsed, precision = parse_with_precision(raw, BRUSSELS)
    assert parsed is not None
    assert (parsed.isoformat(), precision) == expected
    day, day_only = parse_day_or_time(raw, BRUSSELS)
    assert day == parsed and day_only is (precision != "time")


@pytest.mark.parametrize("raw", ["2025-13", "2025-00", "202", "20250", "2025-3", "2025-03-", "", None])
def test_not_a_w3c_date(raw: str | None) -> None:
    assert parse_with_precision(raw, UTC) == (None, None)


def _sitemap(lastmod: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>https://city.example.eu/news/1</loc><lastmod>{lastmod}</lastmod></url></urlset>"
    ).encode()


# lastmod -> published_at (UTC ISO), flags of precision, published_precision
SITEMAP = {
    "year": ("2025", "2025-01-01T00:00:00+00:00", [DATE_ONLY, DATE_YEAR], "year"),
    "month": ("2025-03", "2025-03-01T00:00:00+00:00", [DATE_ONLY, DATE_MONTH], "month"),
    "day": ("2025-03-10", "2025-03-10T00:00:00+00:00", [DATE_ONLY], "day"),
    "minutes": ("2025-03-10T09:30+01:00", "2025-03-10T08:30:00+00:00", [], "time"),
    "fraction": ("2025-03-10T09:30:15.5Z", "2025-03-10T09:30:15.500000+00:00", [], "time"),
}


@pytest.mark.parametrize(("lastmod", "published", "flags", "precision"), SITEMAP.values(), ids=SITEMAP.keys())
def test_sitemap_lastmod_keeps_its_precision(
    lastmod: str, published: str, flags: list[str], precision: str
) -> None:
    url = "https://city.example.eu/sitemap.xml"
    spider = make_spider(id="sm", kind="sitemap", urls=[url], languages=["en"])
    items, _ = run(spider, XmlResponse(url, body=_sitemap(lastmod)))
    assert len(items) == 1
    source = make_source(id="sm", kind="sitemap", urls=[url], timezone="Europe/Brussels")
    (item,), stats = normalize(items, source, clock=datetime(2026, 1, 1, tzinfo=UTC))
    assert item.published_at is not None and item.published_at.isoformat() == published
    assert item.updated_at is not None and item.updated_at.isoformat() == published
    assert [f for f in item.flags if f in (DATE_ONLY, DATE_MONTH, DATE_YEAR)] == flags
    assert published_precision(item.published_at, item.flags) == precision
    assert "date_unparsed" not in item.flags and not stats.get("ewsi/normalize/date_unparsed")


# item's precision flags and date, page's date -> published_at, precision after the page
PAGE = {
    "month-then-page-time-in-month": (
        [DATE_ONLY, DATE_MONTH], datetime(2025, 3, 1, tzinfo=UTC), "2025-03-18T10:00:00+00:00",
        "2025-03-18T10:00:00+00:00", "time",
    ),
    "month-then-page-day-in-month": (
        [DATE_ONLY, DATE_MONTH], datetime(2025, 3, 1, tzinfo=UTC), "2025-03-18",
        "2025-03-18T00:00:00+00:00", "day",
    ),
    "month-then-page-in-other-month": (
        [DATE_ONLY, DATE_MONTH], datetime(2025, 3, 1, tzinfo=UTC), "2025-05-02T10:00:00+00:00",
        "2025-03-01T00:00:00+00:00", "month",
    ),
    "year-then-page-month": (
        [DATE_ONLY, DATE_YEAR], datetime(2025, 1, 1, tzinfo=UTC), "2025-06",
        "2025-06-01T00:00:00+00:00", "month",
    ),
    "year-then-page-other-year": (
        [DATE_ONLY, DATE_YEAR], datetime(2025, 1, 1, tzinfo=UTC), "2024-06-01",
        "2025-01-01T00:00:00+00:00", "year",
    ),
    "day-then-page-time-same-day": (
        [DATE_ONLY], datetime(2025, 3, 10, tzinfo=UTC), "2025-03-10T09:00:00+00:00",
        "2025-03-10T09:00:00+00:00", "time",
    ),
    "time-then-page-month": (
        [], datetime(2025, 3, 10, 9, tzinfo=UTC), "2025-03", "2025-03-10T09:00:00+00:00", "time",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("flags", "given", "page", "published", "precision"), PAGE.values(), ids=PAGE.keys())
def test_a_more_precise_page_date_within_the_period_replaces_it(
    flags: list[str], given: datetime, page: str, published: str, precision: str
) -> None:
    item = HarvestedItem(
        source_id="p",
        url="https://city.example.eu/news/1",
        published_at=given,
        date_method="feed",
        flags=list(flags),
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    apply_document(item, ExtractedDocument(text="Body.", published=page, method="html"))
    assert item.published_at is not None and item.published_at.isoformat() == published
    assert published_precision(item.published_at, item.flags) == precision


@pytest.mark.parametrize(
    ("raw", "month"),
    [
        ("March 2025", (2025, 3)),
        ("Mar 2025", (2025, 3)),
        ("Mar. 2025", (2025, 3)),
        ("März 2025", (2025, 3)),
        ("marzo, 2025", (2025, 3)),
        ("mars 2025", (2025, 3)),
        ("2025. március", (2025, 3)),
        ("Dezember 2024", (2024, 12)),
        ("  lipiec 2023 ", (2023, 7)),
        ("Foo 2025", None),
        ("March 20", None),
        ("March 2025 10:00", None),
    ],
)
def test_a_named_month_and_a_year_alone_is_a_month(raw: str, month: tuple[int, int] | None) -> None:
    """pipelines.dates.parse_with_precision: a month named in an EU language and a year, nothing
    else, is that month at "month" precision (before: no date at all); anything more or less is not
    read this way."""
    from zoneinfo import ZoneInfo

    from pipelines.dates import parse_with_precision

    parsed, precision = parse_with_precision(raw, ZoneInfo("Europe/Brussels"))
    if month is None:
        assert precision != "month"
        return
    assert precision == "month" and parsed is not None
    assert (parsed.year, parsed.month, parsed.day, parsed.hour) == (*month, 1, 0)


# raw, languages -> (year, month) at "month" precision, (year,) at "year" precision, or None
MONTH_OR_PERIOD_AND_YEAR = [
    ("marzo de 2025", [], (2025, 3)),
    ("março de 2025", [], (2025, 3)),
    ("de março de 2025", [], (2025, 3)),
    ("marzo del 2025", [], (2025, 3)),
    ("im März 2025", [], (2025, 3)),
    ("in March 2025", [], (2025, 3)),
    ("Stand: März 2025", [], (2025, 3)),
    ("Updated: March 2025", [], (2025, 3)),
    ("Last updated: March 2025", [], (2025, 3)),
    ("Publié : mars 2025", [], (2025, 3)),
    ("2025, March", [], (2025, 3)),
    ("2025 m. kovo", [], (2025, 3)),
    ("2025 m. kovo mėn.", [], (2025, 3)),
    ("2025. gada janvāris", [], (2025, 1)),
    ("2025. március hó", [], (2025, 3)),
    ("март 2025 г.", [], (2025, 3)),
    ("Μάρτιος 2025", [], (2025, 3)),
    ("Ende März 2025", [], (2025, 3)),
    ("early March 2025", [], (2025, 3)),
    ("fin de mars 2025", [], (2025, 3)),
    ("finales de marzo de 2025", [], (2025, 3)),
    ("listopad 2025 r.", ["pl"], (2025, 11)),
    ("listopad 2025.", ["hr"], (2025, 10)),
    ("listopad 2025", [], None),  # hr October or cs/pl November: no language says which
    ("Sie 2025", [], None),  # German "you", not the Polish abbreviation of August
    ("Sie 2025", ["de"], None),
    ("Sie 2025", ["pl"], (2025, 8)),
    ("sie. 2025", [], (2025, 8)),  # with its period it is the abbreviation
    ("Okt 2025", ["de"], (2025, 10)),
    ("Sept 2025", [], (2025, 9)),  # English abbreviations count in every language
    # a quarter or season names no month: the year it is in
    ("Q1 2025", [], (2025,)),
    ("1. Quartal 2025", [], (2025,)),
    ("T2 2025", [], (2025,)),
    ("Spring 2025", [], (2025,)),
    ("Frühjahr 2025", [], (2025,)),
    ("printemps 2025", [], (2025,)),
    ("invierno de 2025", [], (2025,)),
    ("H1 2025", [], (2025,)),
    ("1. Halbjahr 2025", [], (2025,)),
    ("second quarter of 2025", [], (2025,)),
    ("2025 Q3", [], (2025,)),
    # not a month and a year alone
    ("March 20", [], None),
    ("March 2025 10:00", [], None),
    ("Report March 2025", [], None),
    ("March 2025 (12 pages)", [], None),
    ("de 2025", [], None),
    ("Q5 2025", [], None),
    ("Q1 Q2 2025", [], None),
    ("Mitte 2025", [], None),
]


@pytest.mark.parametrize(("raw", "languages", "expected"), MONTH_OR_PERIOD_AND_YEAR)
def test_month_or_period_and_year_forms(
    raw: str, languages: list[str], expected: tuple[int, ...] | None
) -> None:
    """pipelines.dates.month_year, pipelines.periods: a month and a year with only joining words,
    a label and their markers around them is that month; a quarter or season and a year is the
    year; an ambiguous month word needs its language, an abbreviation its language or period."""
    parsed, precision = parse_with_precision(raw, BRUSSELS, languages=languages)
    if expected is None:
        assert precision not in ("month", "year")
        return
    assert parsed is not None
    if len(expected) == 1:
        assert (precision, parsed) == ("year", datetime(expected[0], 1, 1, tzinfo=UTC))
    else:
        assert (precision, parsed) == ("month", datetime(*expected, 1, tzinfo=UTC))


# page date, page language, item's declared language -> published (ISO, UTC) or None
PAGE_DATE_LANGUAGE = [
    ("15. listopada 2025.", "hr", None, "2025-10-15T00:00:00+00:00"),
    ("15. listopada 2025.", "hr-HR", None, "2025-10-15T00:00:00+00:00"),
    ("15 listopada 2025", "pl", None, "2025-11-15T00:00:00+00:00"),
    ("15. listopadu 2025", None, None, "2025-11-15T00:00:00+00:00"),  # Czech only
    ("15. listopada 2025.", None, "hr", "2025-10-15T00:00:00+00:00"),
    ("15. listopada 2025.", None, None, None),
    ("3. srpnja 2025.", None, None, "2025-07-03T00:00:00+00:00"),  # Croatian only
    ("3. srp 2025", "cs", None, "2025-08-03T00:00:00+00:00"),
    ("3. srp 2025", None, None, None),
]


@pytest.mark.parametrize(("page", "language", "declared", "published"), PAGE_DATE_LANGUAGE)
def test_a_page_date_is_read_in_the_page_language(
    page: str, language: str | None, declared: str | None, published: str | None
) -> None:
    """pipelines.extract.apply_document reads the page's date in the page's (or item's) language:
    a Croatian ``listopada`` is October (before: November, whatever the page's language)."""
    item = HarvestedItem(
        source_id="s",
        url="https://city.example.eu/news/1",
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        declared_language=declared,
    )
    document = ExtractedDocument(text="Body.", published=page, method="html", language=language)
    apply_document(item, document)
    assert (item.published_at.isoformat() if item.published_at else None) == published


def test_the_source_languages_read_a_page_date() -> None:
    item = HarvestedItem(
        source_id="s", url="https://city.example.eu/news/1", fetched_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    document = ExtractedDocument(text="Body.", published="15. listopada 2025.", method="html")
    apply_document(item, document, UTC, ["hr"])
    assert item.published_at == datetime(2025, 10, 15, tzinfo=UTC)


# record value, the record's and source's languages -> what `ewsi sources add` previews
PREVIEW = [
    ("15. listopada 2025.", ["hr"], "2025-10-15"),
    ("15. listopada 2025.", ["pl"], "2025-11-15"),
    ("15. listopada 2025.", [], None),
    ("Sie 2025", ["de"], None),
    ("sierpień 2025", [], "2025-08"),
    ("March 2099", [], None),  # after the fetch: a harvest would not keep it
    ("1 March 1980", [], None),  # before 1990
    ("4-6 March 2025", [], "2025-03-04"),
    ("Frühjahr 2025", ["de"], "2025"),
]


@pytest.mark.parametrize(("value", "languages", "shown"), PREVIEW)
def test_sources_add_preview_reads_dates_as_a_harvest(
    value: str, languages: list[str], shown: str | None
) -> None:
    """crawler.onboard._when: the preview passes the record's and source's languages and applies
    the harvest's plausibility rule (before: ``listopada`` November on a Croatian source, ``March
    2099`` shown as 2099-03)."""
    from crawler.onboard import _when

    assert _when(value, "Europe/Zagreb", languages) == shown


@pytest.mark.parametrize(
    ("value", "since"),
    [
        ("2025", datetime(2025, 1, 1, tzinfo=UTC)),
        ("2025-03", datetime(2025, 3, 1, tzinfo=UTC)),
        (" 2024-12 ", datetime(2024, 12, 1, tzinfo=UTC)),
        ("2025-03-04", datetime(2025, 3, 4, tzinfo=UTC)),
        ("2025-03-04T10:00+01:00", datetime(2025, 3, 4, 9, tzinfo=UTC)),
        ("2025-13", None),
        ("2025-00", None),
        ("0000", None),
        ("2025-3", None),
        ("yesterday", None),
    ],
)
def test_export_since_takes_a_year_or_month(value: str, since: datetime | None) -> None:
    """crawler.commands.export.parse_since: ``2025`` and ``2025-03`` (ISO 8601 dates of reduced
    precision) are the start of that year or month (before: "not an ISO 8601 date")."""
    from crawler.commands.export import parse_since

    if since is None:
        with pytest.raises(ValueError):
            parse_since(value)
    else:
        assert parse_since(value) == since
