"""A page's date comes from its own publication metadata, with its time of day; never
from a <script>, an agenda or event listing, "related articles" or the copyright line; a year alone
is no date. Made-up pages, one rule per row."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml.html import fromstring

from pipelines.dates import parse_date
from pipelines.extract import extract_document
from pipelines.pagemeta import read_page_meta

PARAGRAPHS = "".join(
    f"<p>{text}</p>"
    for text in (
        "The city council approved a programme of evening language courses for newly arrived families.",
        "According to the integration office, 400 additional places will be available next year.",
        "The courses are run together with local associations and are free of charge for participants.",
        "Registration is open at all citizens' offices; advice is also given in Arabic and Ukrainian.",
    )
)
HEADLINE = "<h1>Evening language courses for families</h1>"


def page(head: str = "", before: str = "", article_top: str = "", after: str = "") -> bytes:
    return (
        f"<html><head><title>Evening language courses for families</title>{head}</head><body>"
        f"{before}<article>{HEADLINE}{article_top}{PARAGRAPHS}</article>{after}</body></html>"
    ).encode()


JSON_LD = (
    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
    '"headline": "Evening language courses for families", "datePublished": "2024-05-06T09:15:00+02:00"}'
    "</script>"
)
AGENDA = (
    '<aside class="agenda"><h2>Agenda</h2><ul><li><time datetime="2024-09-15">15 September</time> Summer '
    'fair</li><li><time datetime="2024-10-02">2 October</time> Open day</li></ul></aside>'
)
RELATED = (
    '<div class="related-articles"><h2>Related</h2><a href="/a"><time datetime="2023-01-10T10:00:00+01:00">'
    "10 January 2023</time> Older story</a></div>"
)
EVENTS = (
    '<div class="event-list"><div class="event"><time datetime="2025-03-01T18:00:00+01:00">1 March</time>'
    ' Concert</div><div class="event"><time datetime="2025-04-12T10:00:00+02:00">12 April</time> Market'
    "</div></div>"
)
FOOTER = "<footer><p>© 2021 City of Exampleton. All rights reserved.</p></footer>"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            page(
                JSON_LD + '<script>var config = {"published": "2019-03-02", "build": "2020-01-01"};</script>'
            ),
            datetime(2024, 5, 6, 7, 15, tzinfo=UTC),
            id="json-ld-not-a-script-variable",
        ),
        pytest.param(
            page(before=AGENDA, article_top='<time datetime="2024-06-03T14:20:00+02:00">3 June 2024</time>'),
            datetime(2024, 6, 3, 12, 20, tzinfo=UTC),
            id="article-time-not-the-agenda",
        ),
        pytest.param(
            page(
                '<meta property="article:published_time" content="2024-02-11T08:00:00+01:00">',
                article_top=RELATED,
            ),
            datetime(2024, 2, 11, 7, 0, tzinfo=UTC),
            id="published-time-not-related-articles",
        ),
        pytest.param(
            page(
                '<meta property="article:published_time" content="2024-11-20T16:45:00Z">',
                before=EVENTS,
                after=FOOTER,
            ),
            datetime(2024, 11, 20, 16, 45, tzinfo=UTC),
            id="published-time-not-event-listing-or-copyright",
        ),
        pytest.param(
            page(before=EVENTS, article_top='<time datetime="2024-08-30T07:05:00+02:00">30.08.2024</time>'),
            datetime(2024, 8, 30, 5, 5, tzinfo=UTC),
            id="article-time-not-the-event-listing-before-it",
        ),
        pytest.param(
            page(JSON_LD.replace("2024-05-06T09:15:00+02:00", "Tue, 4 May 2021 19:18:00 +0200")),
            datetime(2021, 5, 4, 17, 18, tzinfo=UTC),
            id="json-ld-date-written-rfc-822",
        ),
        pytest.param(
            page(
                before=EVENTS, article_top='<time datetime="2024-08-30T07:05:00+02:00">30.08.2024</time>'
            ).replace(b"<body>", b'<body class="has-events has-related-articles">'),
            datetime(2024, 8, 30, 5, 5, tzinfo=UTC),
            id="page-wide-classes-do-not-hide-the-articles-time",
        ),
        pytest.param(page(after=FOOTER), None, id="copyright-year-alone-is-no-date"),
        pytest.param(page(after="<p>Annual report 2022</p>" + FOOTER), None, id="year-in-text-is-no-date"),
    ],
)
def test_page_publication_date(body: bytes, expected: datetime | None) -> None:
    document = extract_document(body, "https://city.example/news/courses", "text/html")
    assert parse_date(document.published, UTC) == expected, document.published


def test_modified_date_is_read_beside_the_published_one() -> None:
    head = (
        '<meta property="article:published_time" content="2024-02-11T08:00:00+01:00">'
        '<meta property="article:modified_time" content="2024-02-12T09:30:00+01:00">'
    )
    document = extract_document(page(head), "https://city.example/news/courses", "text/html")
    assert (document.published_from, document.modified) == ("meta", "2024-02-12T09:30:00+01:00")


DC_DAY = '<meta name="DC.Date" content="2016-12-30">'


@pytest.mark.parametrize(
    ("head", "article_top", "expected"),
    [
        # a day alone gives way to a later candidate with the time of that day
        (DC_DAY + '<meta name="published" content="2016-12-30 08:45:51">', "", "2016-12-30 08:45:51"),
        (
            DC_DAY,
            '<time datetime="2016-12-30T09:10:00+01:00">30 december 2016</time>',
            "2016-12-30T09:10:00+01:00",
        ),
        # the same day far west: 22:30 at UTC-10 is 08:30 UTC the next day
        (DC_DAY, '<time datetime="2016-12-30T22:30:00-10:00">30 Dec</time>', "2016-12-30T22:30:00-10:00"),
        # another day's time does not replace it
        (DC_DAY, '<time datetime="2017-01-04T09:10:00+01:00">4 January 2017</time>', "2016-12-30"),
        # only days: the first one stays
        (DC_DAY + '<meta name="dcterms.date" content="2016-12-29">', "", "2016-12-30"),
        # a time first stays first
        (
            '<meta property="article:published_time" content="2016-12-30T07:00:00Z">' + DC_DAY,
            "",
            "2016-12-30T07:00:00Z",
        ),
        # a bare midnight is a day written with a placeholder time: the day alone is kept
        ('<meta name="published" content="2016-12-30 00:00:00">' + DC_DAY, "", "2016-12-30"),
        (DC_DAY + '<meta name="published" content="2016-12-30 00:00">', "", "2016-12-30"),
        # midnight with its offset is said outright: a time
        (
            DC_DAY + '<meta name="published" content="2016-12-30T00:00:00+01:00">',
            "",
            "2016-12-30T00:00:00+01:00",
        ),
        # the newly read meta names
        ('<meta name="publication_date" content="2021-03-04 10:00">', "", "2021-03-04 10:00"),
        ('<meta property="og:published" content="2021-03-04T10:00:00Z">', "", "2021-03-04T10:00:00Z"),
    ],
)
def test_a_day_alone_takes_the_time_of_that_day_from_a_later_candidate(
    head: str, article_top: str, expected: str
) -> None:
    document = extract_document(
        page(head, article_top=article_top), "https://city.example/news/c", "text/html"
    )
    assert document.published == expected


def _source_page(source: str, extra: str = "") -> bytes:
    return page(
        f'<meta name="DC.source" content="{source}">{extra}',
        article_top="<p>Opinion of the Council Legal Service of 22 June 2007.</p>",
    )


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # the Official Journal issue a document was published in, in the EU's languages
        (("Official Journal C 115 , 09/05/2008 P. 0001 - 0388; ",), "09/05/2008"),
        (("Amtsblatt Nr. L 190 vom 18/07/2002 S. 0001 - 0020; ",), "18/07/2002"),
        (("Journal officiel n° L 348 du 24/12/2008 p. 0098 - 0107",), "24/12/2008"),
        (("Gazzetta ufficiale n. C 303 del 14.12.2007 pag. 0001",), "14.12.2007"),
        (("Dziennik Urzędowy L 180 z 2013-06-29, s. 60",), "2013-06-29"),
        # a Dublin Core date of the document comes first
        (("Official Journal C 115 , 09/05/2008", '<meta name="DC.date" content="2008-04-30">'), "2008-04-30"),
        # a source that names no day, or two, gives none
        (("La Vie des idées",), None),
        (("Official Journal C 115 , 09/05/2008, corrigendum 12/06/2009",), None),
    ],
)
def test_dublin_core_source_names_the_issue_day(head: tuple[str, ...], expected: str | None) -> None:
    meta = read_page_meta(fromstring(_source_page(*head)))
    assert meta.published == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Official Journal C 115 , 09/05/2008 P. 0001 - 0388; ", datetime(2008, 5, 9, tzinfo=UTC)),
        ("Amtsblatt Nr. L 190 vom 18/07/2002 S. 0001 - 0020; ", datetime(2002, 7, 18, tzinfo=UTC)),
    ],
)
def test_an_official_journal_page_is_dated_by_its_issue_not_its_text(source: str, expected: datetime) -> None:
    document = extract_document(_source_page(source), "https://eur-lex.example/doc", "text/html")
    assert parse_date(document.published, UTC) == expected, document.published
