"""Cases from public bug reports of feed readers, date parsers, URL normalisers and language
detectors: feed dates (zone names, asctime, ISO 8601 spacing, month names of the EU languages, empty
and placeholder dates), the identity of one page under several URLs, and a feed's declared language
that its text contradicts. Every table cites the report it was built from (owner/repo#N) and runs a
small made-up feed through the feed spider and the normalise stage (and the language stage), as a
crawl does; nothing leaves the machine.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from scrapy.http import XmlResponse

from crawler.types import FEED_UPDATED, HarvestedItem
from pipelines.dedup import DedupPipeline, item_identity
from pipelines.language import LanguagePipeline
from pipelines.normalize import NormalizePipeline
from pipelines.urls import identity_url
from tests.test_public_cases_extra import TEXTS
from tests.test_spiders import make_spider, run

FEED_URL = "https://city.example.eu/integration/feed.xml"
FETCHED = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)
NS = 'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"'


def rss(entries: list[str], *, language: str = "de", title: str = "Welcome week for new residents") -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>https://city.example.eu/news/{n}</link>"
        f'<guid isPermaLink="false">entry-{n}</guid>{dates}</item>'
        for n, dates in enumerate(entries)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" {NS}><channel><title>City news</title>'
        f"<link>https://city.example.eu/</link><language>{language}</language>{items}</channel></rss>"
    ).encode()


def harvest(
    body: bytes, languages: tuple[str, ...] = ("de",), zone: str = "Europe/Berlin"
) -> list[HarvestedItem]:
    """A feed as a crawl reads it at `FETCHED`: the feed spider, then the normalise stage."""
    spider = make_spider(
        id="cases-feeds", kind="feed", urls=[FEED_URL], languages=list(languages), timezone=zone
    )
    items, _ = run(spider, XmlResponse(FEED_URL, body=body, headers={"Content-Type": "application/rss+xml"}))
    pipeline = NormalizePipeline(clock=lambda: FETCHED, frozen=True)
    return [pipeline.process_item(item, spider) for item in items]


def one(dates: str, languages: tuple[str, ...] = ("de",)) -> HarvestedItem:
    (item,) = harvest(rss([dates]), languages)
    return item


def published(item: HarvestedItem) -> str | None:
    return item.published_at.isoformat() if item.published_at else None


# --- 1. zone names and RFC 822 variants -------------------------------------------------------------
# kurtmckee/feedparser#20: "MEST" read twelve hours off; simplepie/simplepie#379: CEST missing;
# Flexget/Flexget#3658: "tzname CET identified but not understood"; kurtmckee/feedparser#114: a two-digit
# year read as year 300; kurtmckee/feedparser#414: no space after the weekday's comma.
RFC822 = [
    ("Thu, 06 Mar 2025 09:30:00 CET", "2025-03-06T08:30:00+00:00"),
    ("Sun, 06 Jul 2025 09:30:00 CEST", "2025-07-06T07:30:00+00:00"),
    ("Thu, 06 Mar 2025 09:30:00 MEZ", "2025-03-06T08:30:00+00:00"),
    ("Sun, 06 Jul 2025 09:30:00 MESZ", "2025-07-06T07:30:00+00:00"),
    ("Sun, 06 Jul 2025 09:30:00 MEST", "2025-07-06T07:30:00+00:00"),
    ("Sun, 06 Jul 2025 09:30:00 BST", "2025-07-06T08:30:00+00:00"),
    ("Thu, 06 Mar 2025 09:30:00 EET", "2025-03-06T07:30:00+00:00"),
    ("Sun, 06 Jul 2025 09:30:00 EEST", "2025-07-06T06:30:00+00:00"),
    ("Thu, 06 Mar 2025 09:30:00 WET", "2025-03-06T09:30:00+00:00"),
    ("Sun, 06 Jul 2025 09:30:00 WEST", "2025-07-06T08:30:00+00:00"),
    ("Sun, 06 Jul 2025 09:30:00 SELČ", "2025-07-06T07:30:00+00:00"),
    ("Thu, 06 Mar 2025 09:30:00 GMT+2", "2025-03-06T07:30:00+00:00"),
    ("Thu, 06 Mar 2025 09:30:00 GMT+02:00", "2025-03-06T07:30:00+00:00"),
    ("Thu, 06 Mar 2025 09:30:00 UTC+1", "2025-03-06T08:30:00+00:00"),
    ("Thu, 06 Mar 2025 09:30:00 +02:00", "2025-03-06T07:30:00+00:00"),
    ("Thu, 06 Mar 2025 09:30:00 +0100 (CET)", "2025-03-06T08:30:00+00:00"),
    ("Thu, 06 Mar 25 09:30:00 +0100", "2025-03-06T08:30:00+00:00"),
    ("06 Mar 2025 09:30:00 +0100", "2025-03-06T08:30:00+00:00"),
    ("Mon, 06 Mar 2025 09:30:00 +0100", "2025-03-06T08:30:00+00:00"),  # wrong weekday: the date wins
    ("Thu,06 Mar 2025 09:30:00 +0100", "2025-03-06T08:30:00+00:00"),
    ("Thu, 06 Mar 2025 09:30 +0100", "2025-03-06T08:30:00+00:00"),
    ("Thu, 06 Mar 2025 09:30:00", "2025-03-06T08:30:00+00:00"),  # no zone: the source's (CET)
    ("Thu, 06 Mar 2025 09:30:00 GMT", "2025-03-06T09:30:00+00:00"),
    ("Thursday, 06-Mar-25 09:30:00 GMT", "2025-03-06T09:30:00+00:00"),
]


@pytest.mark.parametrize(("raw", "expected"), RFC822, ids=[r for r, _ in RFC822])
def test_rfc822_zone_names_and_variants(raw: str, expected: str) -> None:
    item = one(f"<pubDate>{raw}</pubDate>")
    assert (published(item), item.date_method) == (expected, "feed")
    assert not {"date_unparsed", "date_zone_unknown"} & set(item.flags or [])


# --- 2. asctime and Unix date(1) output ---------------------------------------------------------------
# kurtmckee/feedparser#29 and #96: feeds write C's asctime ("Mon Mar  6 05:57:31 2017"), which
# feedparser has its own handler for; RFC 7231 section 7.1.1.1 lists it among the HTTP-date forms.
# Failed before: every value below was no date (the year after the time was a number left over), or
# feedparser's reading of it, in UTC where the source's zone was meant.
ASCTIME = [
    ("Thu Mar  6 09:30:00 2025", "2025-03-06T08:30:00+00:00"),  # no zone: the source's
    ("Thu Mar 6 09:30:00 2025", "2025-03-06T08:30:00+00:00"),
    ("Thu Mar 06 09:30:00 CET 2025", "2025-03-06T08:30:00+00:00"),
    ("Sun Jul 06 09:30:00 CEST 2025", "2025-07-06T07:30:00+00:00"),
    ("Thu Mar 06 09:30:00 UTC 2025", "2025-03-06T09:30:00+00:00"),
    ("Thu Mar 06 09:30:00 +0200 2025", "2025-03-06T07:30:00+00:00"),
    ("Thu Mar 06 09:30 2025", "2025-03-06T08:30:00+00:00"),
    ("Thu, 06 Mar 09:30:00 2025", "2025-03-06T08:30:00+00:00"),  # was feedparser's reading, in UTC
    ("06 Mar 09:30 2025", "2025-03-06T08:30:00+00:00"),
    ("Thu, 6. Mar 09:30:00 CET 2025", "2025-03-06T08:30:00+00:00"),
    ("Do Mär 06 09:30:00 MEZ 2025", "2025-03-06T08:30:00+00:00"),  # date(1) in a German locale
    ("Do 6. Mär 09:30:00 CET 2025", "2025-03-06T08:30:00+00:00"),
    ("jeu. mars 06 09:30:00 CET 2025", "2025-03-06T08:30:00+00:00"),
]


@pytest.mark.parametrize(("raw", "expected"), ASCTIME, ids=[r for r, _ in ASCTIME])
def test_asctime_and_unix_date_output(raw: str, expected: str) -> None:
    item = one(f"<pubDate>{raw}</pubDate>", ("de", "fr"))
    assert (published(item), item.date_method) == (expected, "feed")


@pytest.mark.parametrize(
    "raw", ["Mar 06 09:30:00 CET", "Thu Mar 32 09:30:00 2025", "Thu Feb 30 09:30:00 CET 2025"]
)
def test_no_asctime_without_its_fields(raw: str) -> None:
    assert published(one(f"<pubDate>{raw}</pubDate>")) is None


# --- 3. ISO 8601 with a space before the offset, a comma fraction, no seconds -------------------------
# BurntSushi/jiff#355: "2024-03-10 02:00:59 -0500" (git's --date=iso) refused for the space before the
# offset. Failed before: with a "T" and a space before the offset, the value was no date.
ISO = [
    ("2025-03-06T09:30:00 +01:00", "2025-03-06T08:30:00+00:00"),
    ("2025-03-06T09:30:00 -05:00", "2025-03-06T14:30:00+00:00"),
    ("2025-03-06T09:30:00.5 +01:00", "2025-03-06T08:30:00.500000+00:00"),
    ("2025-03-06T09:30 +0100", "2025-03-06T08:30:00+00:00"),
    ("2025-03-06T09:30:00 Z", "2025-03-06T09:30:00+00:00"),
    ("2025-03-06 09:30:00 +01:00", "2025-03-06T08:30:00+00:00"),
    ("2025-03-06 09:30:00 +0100", "2025-03-06T08:30:00+00:00"),
    ("2025-03-06T09:30:00,250+01:00", "2025-03-06T08:30:00.250000+00:00"),
    ("2025-03-06T09:30+01:00", "2025-03-06T08:30:00+00:00"),
    ("2025-03-06T09:30:00+01", "2025-03-06T08:30:00+00:00"),
    ("2025-03-06T09:30", "2025-03-06T08:30:00+00:00"),  # no offset: the source's zone
]


@pytest.mark.parametrize(("raw", "expected"), ISO, ids=[r for r, _ in ISO])
def test_iso8601_spacing_fractions_and_precision(raw: str, expected: str) -> None:
    item = one(f"<dc:date>{raw}</dc:date>")
    assert (published(item), item.date_method) == (expected, "feed")


# --- 4. month and day names of the EU languages in feed dates -----------------------------------------
# date-fns/date-fns#1404: Polish genitive month names ("11 maja 2018") not parsed; B04 covers German and
# French, these are the other languages, abbreviated as RFC 822 writes them and in full.
LOCALISED = [
    ("pl", "czw, 06 mar 2025 09:30:00 +0100"),
    ("pl", "6 marca 2025 09:30"),
    ("cs", "čt, 06 bře 2025 09:30:00 +0100"),
    ("cs", "6. března 2025 09:30"),
    ("sk", "št, 06 mar 2025 09:30:00 +0100"),
    ("sk", "6. marca 2025 09:30"),
    ("hu", "cs, 06 márc 2025 09:30:00 +0100"),
    ("hu", "2025. március 6. 09:30"),
    ("el", "Πεμ, 06 Μαρ 2025 10:30:00 +0200"),
    ("el", "6 Μαρτίου 2025 09:30"),
    ("fi", "to, 06 maalis 2025 10:30:00 +0200"),
    ("fi", "6. maaliskuuta 2025 klo 9.30"),
    ("lt", "kt, 06 kov 2025 10:30:00 +0200"),
    ("lt", "2025 m. kovo 6 d. 09:30"),
    ("lv", "ce, 06 marts 2025 10:30:00 +0200"),
    ("lv", "2025. gada 6. martā 09:30"),
    ("et", "N, 06 märts 2025 10:30:00 +0200"),
    ("et", "6. märts 2025 09:30"),
    ("ro", "joi, 06 mar 2025 10:30:00 +0200"),
    ("ro", "6 martie 2025 09:30"),
    ("bg", "чт, 06 март 2025 10:30:00 +0200"),
    ("bg", "6 март 2025 09:30"),
    ("hr", "čet, 06 ožu 2025 09:30:00 +0100"),
    ("hr", "6. ožujka 2025. 09:30"),
    ("sl", "čet, 06 mar 2025 09:30:00 +0100"),
    ("sl", "6. marca 2025 09:30"),
    ("pt", "qui, 06 mar 2025 08:30:00 +0000"),
    ("pt", "6 de março de 2025 09:30"),
    ("es", "jue, 06 mar 2025 09:30:00 +0100"),
    ("es", "6 de marzo de 2025 09:30"),
    ("it", "gio, 06 mar 2025 09:30:00 +0100"),
    ("it", "6 marzo 2025 09:30"),
    ("nl", "do, 06 mrt 2025 09:30:00 +0100"),
    ("nl", "6 maart 2025 09:30"),
    ("sv", "tor, 06 mars 2025 09:30:00 +0100"),
    ("sv", "6 mars 2025 kl. 09.30"),
    ("da", "tor, 06 mar 2025 09:30:00 +0100"),
    ("da", "6. marts 2025 kl. 09.30"),
    ("mt", "Ħam, 06 Mar 2025 09:30:00 +0100"),
    ("mt", "6 ta' Marzu 2025 09:30"),
    ("ga", "Déar, 06 Márta 2025 08:30:00 +0000"),
    ("ga", "6 Márta 2025 09:30"),
]


@pytest.mark.parametrize(("lang", "raw"), LOCALISED, ids=[f"{lang}-{raw}" for lang, raw in LOCALISED])
def test_month_names_of_the_eu_languages(lang: str, raw: str) -> None:
    item = one(f"<pubDate>{raw}</pubDate>", (lang,))
    assert (published(item), item.date_method) == ("2025-03-06T08:30:00+00:00", "feed")


# --- 5. an empty publication date element ---------------------------------------------------------------
# MikeRalphson/bbc-rss#2 and lilyball/feedparser#11: feeds write "<pubDate></pubDate>" for items whose
# date they lack. Failed before: the empty element hid the entry's dc:date, which then dated it only as
# a date of change (feed_updated, replaced by the followed page's date).
DC = "<dc:date>2025-03-05T09:30:00+01:00</dc:date>"
EMPTY = [
    ("<pubDate></pubDate>" + DC, "2025-03-05T08:30:00+00:00", "feed"),
    ("<pubDate/>" + DC, "2025-03-05T08:30:00+00:00", "feed"),
    ("<pubDate>  </pubDate>" + DC, "2025-03-05T08:30:00+00:00", "feed"),
    (DC + "<pubDate></pubDate>", "2025-03-05T08:30:00+00:00", "feed"),
    (DC + "<atom:published> </atom:published>", "2025-03-05T08:30:00+00:00", "feed"),
    ("<pubDate></pubDate>", None, None),
    (
        "<pubDate></pubDate><atom:updated>2025-03-05T09:30:00+01:00</atom:updated>",
        "2025-03-05T08:30:00+00:00",
        FEED_UPDATED,
    ),
    (
        "<pubDate>Wed, 05 Mar 2025 09:30:00 +0100</pubDate>" + DC.replace("05T", "06T"),
        "2025-03-05T08:30:00+00:00",
        "feed",
    ),
]


@pytest.mark.parametrize(("dates", "expected", "method"), EMPTY, ids=[d for d, _, _ in EMPTY])
def test_an_empty_date_element_gives_no_date(dates: str, expected: str | None, method: str | None) -> None:
    item = one(dates)
    assert (published(item), item.date_method) == (expected, method)


# --- 6. placeholder dates: the epoch, before 1990, year 0001; the future (B10) ----------------------------
# thorsten/phpMyFAQ#1839 and alexdebril/feed-io#312: entries dated 1 January 1970. A placeholder is no
# date (T11); failed before: it also hid the entry's plausible date of change, leaving it undated.
PLACEHOLDERS = [
    ("<pubDate>Thu, 01 Jan 1970 00:00:00 +0000</pubDate>", None, None, "date_implausible"),
    ("<pubDate>Thu, 01 Jan 1970 01:00:00 +0100</pubDate>", None, None, "date_implausible"),
    ("<dc:date>1970-01-01T00:00:00Z</dc:date>", None, None, "date_implausible"),
    ("<pubDate>Mon, 01 Jan 0001 00:00:00 +0000</pubDate>", None, None, "date_implausible"),
    ("<pubDate>Fri, 15 Mar 1985 10:00:00 +0100</pubDate>", None, None, "date_implausible"),
    (
        "<pubDate>Thu, 02 Apr 2026 10:00:00 +0200</pubDate>",
        "2025-09-01T12:00:00+00:00",
        "fetch_time",
        "date_in_future",
    ),
    # within an hour of the fetch: kept
    ("<pubDate>Mon, 01 Sep 2025 14:30:00 +0200</pubDate>", "2025-09-01T12:30:00+00:00", "feed", None),
    (
        "<pubDate>Thu, 01 Jan 1970 00:00:00 +0000</pubDate>" + DC,
        "2025-03-05T08:30:00+00:00",
        FEED_UPDATED,
        "date_implausible",
    ),
    (
        "<pubDate>Mon, 01 Jan 0001 00:00:00 +0000</pubDate>"
        "<atom:updated>2025-03-05T09:30:00+01:00</atom:updated>",
        "2025-03-05T08:30:00+00:00",
        FEED_UPDATED,
        "date_implausible",
    ),
    (
        "<pubDate>Thu, 01 Jan 1970 00:00:00 +0000</pubDate><dc:date>1970-01-01T00:00:00Z</dc:date>",
        None,
        None,
        "date_implausible",
    ),
    (
        "<pubDate>Thu, 02 Apr 2026 10:00:00 +0200</pubDate>" + DC,
        "2025-09-01T12:00:00+00:00",
        "fetch_time",
        "date_in_future",
    ),
]


@pytest.mark.parametrize(
    ("dates", "expected", "method", "flag"), PLACEHOLDERS, ids=[p[0] for p in PLACEHOLDERS]
)
def test_placeholder_and_future_dates(
    dates: str, expected: str | None, method: str | None, flag: str | None
) -> None:
    item = one(dates)
    assert (published(item), item.date_method) == (expected, method)
    assert flag is None or flag in (item.flags or [])


# --- 7. one page under several URLs -------------------------------------------------------------------
# feedhq/feedhq#107: duplicates, some links with utm tags and some without; miniflux/v2#458: one article
# under two host spellings. stackernews/stacker.news#138: the AMP URL of an article already listed was
# not a duplicate. Failed before: the AMP and print views were separate items.
PAGE = "https://city.example.eu/news/welcome-week"
SAME_PAGE = [
    f"{PAGE}?utm_source=rss&utm_medium=feed&utm_campaign=integration",
    f"{PAGE}?fbclid=IwAR0abcdef",
    f"{PAGE}?gclid=Cj0KCQ",
    f"{PAGE}?mc_cid=1a2b&mc_eid=3c4d",
    f"{PAGE}?xtor=RSS-1",
    f"{PAGE}?utm_source=rss#comments",
    "http://city.example.eu/news/welcome-week",
    f"{PAGE}/",
    f"{PAGE}/index.html",
    "https://CITY.Example.EU/news/welcome-week",
    "https://city.example.eu:443/news/welcome-week",
    "https://www.city.example.eu/news/welcome-week",
    f"{PAGE}#top",
    f"{PAGE}?amp",
    f"{PAGE}?amp=1",
    f"{PAGE}?outputType=amp",
    f"{PAGE}?amp=1&utm_source=rss",
    f"{PAGE}?print=1",
    f"{PAGE}?printable=true",
    f"{PAGE}?format=print",
    f"{PAGE}?view=print",
]
OTHER_PAGES = [
    "https://city.example.eu/amp",
    f"{PAGE}/amp/",  # a path segment: a real page may be called so ("/programmes/amp/")
    f"{PAGE}/amp",
    "https://city.example.eu/programmes/amp/",
    "https://city.example.eu/amp/news/welcome-week",
    f"{PAGE}?print=0",
    f"{PAGE}?format=pdf",
    f"{PAGE}?page=2",
    f"{PAGE}?amp=1&page=2",
    f"{PAGE}/ampelmann",
    "https://city.example.eu/news/welcome-week-2",
    "https://other.example.eu/news/welcome-week",
]


@pytest.mark.parametrize("url", SAME_PAGE)
def test_one_page_under_another_url_is_one_item(url: str) -> None:
    assert identity_url(url) == identity_url(PAGE) == "city.example.eu/news/welcome-week"


@pytest.mark.parametrize("url", OTHER_PAGES)
def test_another_page_keeps_its_identity(url: str) -> None:
    assert identity_url(url) != identity_url(PAGE)


@pytest.mark.parametrize(
    ("page", "amp"),
    [
        ("https://city.example.eu/programmes/", "https://city.example.eu/programmes/amp/"),
        ("https://city.example.eu/news/courses", "https://city.example.eu/news/courses/amp"),
        ("https://city.example.eu/en", "https://city.example.eu/en/amp/"),
    ],
)
def test_a_page_ending_in_amp_is_not_its_parent(page: str, amp: str) -> None:
    """A path segment "amp" may be a page of its own (an Asylum Mentoring Programme): it is never
    folded into its parent, which dropped one of the two and swapped the item between runs."""
    assert identity_url(amp) != identity_url(page)
    assert identity_url(amp) == identity_url(amp.rstrip("/")) == identity_url(amp + "?amp=1")


def test_a_feed_and_its_amp_links_give_one_identity_per_page() -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>City news</title><link>https://city.example.eu/</link>'
        + "".join(
            f"<item><title>Welcome week</title><link>{link}</link></item>"
            for link in (f"{PAGE}?amp", f"{PAGE}?amp=1&utm_source=rss", PAGE, f"{PAGE}?print=1")
        )
        + "</channel></rss>"
    ).encode()
    items = harvest(body, ("en",))
    assert {item_identity(item) for item in items} == {"url:city.example.eu/news/welcome-week"}


# --- 8. a feed's declared language that its text contradicts ------------------------------------------
# amatya-aditya/obsidian-rss-dashboard#264: a declared language that is "obviously junk ('en' on a
# clearly non-English page)"; microlinkhq/metascraper#64: a Polish article reported as English. A feed
# template's <language>en</language> (or xml:lang) over entries in another language: the text decides,
# with a summary and with a one-line title alone, whether the source declares that language or not.
DECLARED = [lang for lang in TEXTS if lang != "en"]


@pytest.mark.parametrize("summary", [True, False], ids=["summary", "title-only"])
@pytest.mark.parametrize("source", ["own", "en", "none"])
@pytest.mark.parametrize("lang", DECLARED)
def test_the_text_decides_over_a_feed_language_it_contradicts(lang: str, source: str, summary: bool) -> None:
    title, text = TEXTS[lang]
    description = f"<description>{text}</description>" if summary else ""
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel xml:lang="en">'
        "<title>City news</title>"
        f"<link>https://city.example.eu/</link><language>en</language><item><title>{title}</title>"
        f"<link>https://city.example.eu/news/1</link>{description}</item></channel></rss>"
    ).encode()
    languages = {"own": (lang, "en"), "en": ("en",), "none": ()}[source]
    spider = make_spider(id="cases-feeds", kind="feed", urls=[FEED_URL], languages=list(languages))
    (item,), _ = run(
        spider, XmlResponse(FEED_URL, body=body, headers={"Content-Type": "application/rss+xml"})
    )
    item = NormalizePipeline(clock=lambda: FETCHED).process_item(item, spider)
    item = LanguagePipeline().process_item(item, spider)
    assert item.language == lang


# --- the stored identities follow the AMP and print rule -----------------------------------------------


def test_migration_rekeys_amp_and_print_identities(db_url: str) -> None:
    """0032: rows stored under an AMP or print URL get their page's identity; a clash stays as it was."""
    from sqlalchemy import insert, select

    from crawler.store.migrate import upgrade
    from crawler.store.schema import Item, SourceRow, sha256_hex
    from crawler.store.session import make_engine

    upgrade(db_url, revision="0031_priority_fetch_time")
    old = {
        1: "url:x.example.eu/news/a?amp",
        2: "url:x.example.eu/news/b?amp=1&id=7",
        3: "url:x.example.eu/news/c?print=1",
        4: "url:x.example.eu/news/d",
        5: "url:x.example.eu/news/d?outputType=amp",  # clashes with 4: stays
    }
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(SourceRow.__table__).values(id="s1", name="s1", kind="feed"))
            for item_id, identity in old.items():
                conn.execute(
                    insert(Item.__table__).values(
                        id=item_id,
                        source_id="s1",
                        identity=identity,
                        identity_hash=sha256_hex(identity),
                        url=f"https://x.example.eu/{item_id}",
                        title=f"t{item_id}",
                        content_hash="h",
                        status="pending",
                    )
                )
        upgrade(db_url)
        with engine.connect() as conn:
            rows = dict(conn.execute(select(Item.id, Item.identity).order_by(Item.id)).all())
    finally:
        engine.dispose()
    assert rows == {
        1: "url:x.example.eu/news/a",
        2: "url:x.example.eu/news/b?id=7",
        3: "url:x.example.eu/news/c",
        4: "url:x.example.eu/news/d",
        5: "url:x.example.eu/news/d?outputType=amp",
    }


# --- 9. near-duplicates that differ by a date line; pages that share only boilerplate or a title -------
# miniflux/v2#797 and miniflux/miniflux-legacy#335: the same article with a slightly changed title or
# date reached twice; dailydotdev/daily-api#709: duplicates side by side when the canonical URL was not
# set. The other way round, a source's press releases share their title ("Press release") and their
# contact footer: never one group.
STORY = (
    "The district office opens a welcome desk for newly arrived families in the old library building. "
    "Staff help with registration, school enrolment, health insurance and the search for language "
    "courses, and volunteers from local associations answer questions in Arabic, Ukrainian, Dari, "
    "Tigrinya and Spanish. The desk is open on weekdays and on Saturday mornings, no appointment needed."
)
OTHER_STORY = (
    "The regional employment agency starts a mentoring programme that pairs refugees holding a "
    "foreign qualification with professionals of the same trade. Mentors meet their partners every "
    "second week, help them prepare the recognition file and introduce them to employers; the first "
    "round admits forty participants and applications are open until the end of the month."
)
FOOTER = (
    "Press contact: communication unit of the district office, telephone and e-mail on the contact "
    "page. The district office publishes its press releases on its website and in its newsletter, "
    "which residents can subscribe to free of charge; older releases are kept in the archive of the "
    "news section for five years after their publication."
)
DATE_LINES = [
    ("Published on 4 March 2025.", "Published on 4 March 2025. Last updated on 6 March 2025 at 10:15."),
    ("Published: 04.03.2025", "Published: 06.03.2025, 09:30"),
    ("", "Published on 4 March 2025."),
    ("4 March 2025 | District office", "2025-03-04T09:30:00+01:00 | District office"),
    ("Veröffentlicht am 4. März 2025", "Aktualisiert am 6. März 2025 um 10:15 Uhr"),
]


def _stored(n: int, source: str, url: str, title: str, text: str) -> HarvestedItem:
    from tests.storedata import make_item

    item = make_item(n, source_id=source, url=url, title=title, text=text, summary=None)
    item.identity = None
    return DedupPipeline().process_item(item)


def _rows_after(db_session: Any, first: HarvestedItem, second: HarvestedItem) -> list[int | None]:
    from sqlalchemy import select

    from crawler.store.items import upsert_item
    from crawler.store.schema import Item

    assert upsert_item(db_session, first) == "new"
    assert upsert_item(db_session, second) == "new"
    db_session.commit()
    rows = db_session.scalars(select(Item).order_by(Item.id)).all()
    return [r.group_id for r in rows]


@pytest.mark.parametrize("across", [False, True], ids=["one-source", "two-sources"])
@pytest.mark.parametrize(("line_a", "line_b"), DATE_LINES, ids=[b for _, b in DATE_LINES])
def test_copies_that_differ_by_a_date_line_are_one_group(
    db_session: Any, line_a: str, line_b: str, across: bool
) -> None:
    first = _stored(
        1,
        "district",
        "https://district.example.eu/news/welcome-desk",
        "Welcome desk opens",
        f"{line_a}\n{STORY}",
    )
    second = _stored(
        2,
        "regional" if across else "district",
        "https://region.example.eu/copy/welcome-desk"
        if across
        else "https://district.example.eu/news/welcome-desk?id=2",
        "New welcome desk for families",
        f"{line_b}\n{STORY}",
    )
    groups = _rows_after(db_session, first, second)
    assert groups[0] is not None and groups[0] == groups[1]


SHARED_ONLY = [
    # same title and footer, other stories
    (("Press release", f"{STORY}\n{FOOTER}"), ("Press release", f"{OTHER_STORY}\n{FOOTER}")),
    (("Press release", f"Published on 4 March 2025.\n{STORY}\n{FOOTER}"),
     ("Press release", f"Published on 4 March 2025.\n{OTHER_STORY}\n{FOOTER}")),
    # same title over no text
    (("Press release of the district office", ""), ("Press release of the district office", "")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("first", "second"), SHARED_ONLY, ids=[f"shared-{n}" for n in range(len(SHARED_ONLY))]
)
def test_other_stories_with_one_title_and_footer_stay_apart(
    db_session: Any, first: tuple[str, str], second: tuple[str, str]
) -> None:
    a = _stored(1, "district", "https://district.example.eu/press/1", *first)
    b = _stored(2, "district", "https://district.example.eu/press/2", *second)
    assert _rows_after(db_session, a, b) == [None, None]


STAMPS = [
    ("Published on 4 March 2025.\nBody line one.\nBody line two.", "Body line one.\nBody line two."),
    (
        "Body line one.\nBody line two.\nAktualisiert am 6. März 2025 um 10:15 Uhr",
        "Body line one.\nBody line two.",
    ),
    ("Opublikowano: 06.03.2025, 09:30\nBody.", "Body."),
    ("Body.\n2025-03-04T09:30:00+01:00 | District office", "Body."),
    # not stamps: a long line, a line without a month, a line inside the text
    (
        "The district office opens its welcome desk on 4 March 2025 in the library with volunteers.\nBody.",
        "The district office opens its welcome desk on 4 March 2025 in the library with volunteers.\nBody.",
    ),
    ("Since 2025 the desk is open.\nBody.", "Since 2025 the desk is open.\nBody."),
    ("a\nb\nc\nPublished on 4 March 2025.\nd\ne\nf", "a\nb\nc\nPublished on 4 March 2025.\nd\ne\nf"),
]


@pytest.mark.parametrize(("text", "basis"), STAMPS, ids=[t.split("\n", 1)[0][:40] for t, _ in STAMPS])
def test_date_stamps_are_left_out_of_the_fingerprint(text: str, basis: str) -> None:
    from pipelines.dedup import without_date_lines

    assert without_date_lines(text) == basis


# --- 10. one-line titles in close languages, in capitals, in mixed scripts -------------------------------
# jprante/elasticsearch-langdetect#50: "all Slovak texts are resolved as Czech"; greyblake/whatlang-rs#120:
# a Czech line detected as Slovak; Mimino666/langdetect#105 and shuyo/language-detection#12: short
# phrases in the wrong language. A feed entry with its title alone, from a source that declares both
# languages of a close pair.
CLOSE_TITLES = [
    ("cs", ("cs", "sk"), "Podpora pro uprchlíky z Ukrajiny"),
    ("sk", ("cs", "sk"), "Podpora pre utečencov z Ukrajiny"),
    ("cs", ("cs", "sk"), "PODPORA PRO UPRCHLÍKY Z UKRAJINY"),
    ("sk", ("cs", "sk"), "PODPORA PRE UTEČENCOV Z UKRAJINY"),
    ("hr", ("hr", "sl"), "Pomoć za izbjeglice iz Ukrajine"),
    ("sl", ("hr", "sl"), "Pomoč za begunce iz Ukrajine"),
    ("hr", ("hr", "sl"), "Integracija migranata"),
    ("sl", ("hr", "sl"), "Integracija migrantov"),
    ("pt", ("pt", "es"), "Apoio aos refugiados ucranianos"),
    ("es", ("pt", "es"), "Apoyo a los refugiados ucranianos"),
    ("pt", ("pt", "es"), "APOIO AOS REFUGIADOS UCRANIANOS"),
    ("da", ("da", "sv"), "Støtte til flygtninge fra Ukraine"),
    ("sv", ("da", "sv"), "Stöd till flyktingar från Ukraina"),
    ("da", ("da", "sv"), "STØTTE TIL FLYGTNINGE FRA UKRAINE"),
    ("nl", ("nl", "de"), "Steun voor vluchtelingen uit Oekraïne"),
    ("de", ("nl", "de"), "Hilfe für Geflüchtete aus der Ukraine"),
    ("lt", ("lt", "lv"), "Migrantų integracija"),
    ("lv", ("lt", "lv"), "Migrantu integrācija"),
    ("et", ("et", "fi"), "Sisserändajate lõimimine"),
    ("fi", ("et", "fi"), "Maahanmuuttajien kotoutuminen"),
    ("it", ("it", "es"), "Integrazione dei migranti"),
    ("es", ("it", "es"), "Integración de migrantes"),
    ("mt", ("mt", "en"), "Integrazzjoni tal-migranti"),
    ("en", ("mt", "en"), "Migrant integration in Malta"),
    ("ga", ("ga", "en"), "Imeascadh imirceach"),
    ("fr", ("en", "fr"), "Covid-19 : soutien aux réfugiés"),
    ("el", ("el", "en"), "Μετανάστες και πρόσφυγες: νέα μέτρα για την ένταξη (Migration Pact 2024)"),
    ("bg", ("bg", "en"), "EU Talent Pool: новите правила за мигранти"),
]


@pytest.mark.parametrize(("lang", "source", "title"), CLOSE_TITLES, ids=[t for _, _, t in CLOSE_TITLES])
def test_a_one_line_title_in_a_close_language(lang: str, source: tuple[str, ...], title: str) -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        f"<link>https://city.example.eu/</link><item><title>{title}</title>"
        "<link>https://city.example.eu/news/1</link></item></channel></rss>"
    ).encode()
    spider = make_spider(id="cases-feeds", kind="feed", urls=[FEED_URL], languages=list(source))
    (item,), _ = run(
        spider, XmlResponse(FEED_URL, body=body, headers={"Content-Type": "application/rss+xml"})
    )
    item = NormalizePipeline(clock=lambda: FETCHED).process_item(item, spider)
    assert LanguagePipeline().process_item(item, spider).language == lang
