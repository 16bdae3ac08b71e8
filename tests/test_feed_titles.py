"""The site's name a feed writes into its entries' titles is stripped (pipelines.titles
`strip_feed_title`, through spiders.feed and pipelines.normalize).

Rule under test: a segment that is the feed's own title, the host's name, or a name of two words or
more that the feed's title holds is the site's, and goes from either end of each entry's title; a
word the entries merely share (a country, "Part 2", "Q&A", a first word), a segment that only starts
like the feed's title, and a date stay; a title stays whole when what would be left is only a date
or a code, or starts in small letters after a dropped start.
"""

from __future__ import annotations

import json

import pytest
from scrapy.http import XmlResponse

from pipelines.titles import strip_feed_title
from tests.test_normalize import make_source
from tests.test_normalize import run as normalise
from tests.test_spiders import make_spider, run

# feed title, entry titles, expected stored titles
FEEDS = [
    (
        "Ministry of Social Affairs",
        [
            "New language courses for refugees | Ministry of Social Affairs",
            "Minister visits reception centre | Ministry of Social Affairs",
            "Integration plan published",
        ],
        [
            "New language courses for refugees",
            "Minister visits reception centre",
            "Integration plan published",
        ],
    ),
    (
        "BAMF",  # the feed's own title at the start
        ["BAMF - Neue Integrationskurse starten", "BAMF - Zahlen zum Asyl", "BAMF - Beratung ausgebaut"],
        ["Neue Integrationskurse starten", "Zahlen zum Asyl", "Beratung ausgebaut"],
    ),
    (
        "Nachrichten",  # repeated, but nothing says it is the site's name
        ["BAMF - Neue Integrationskurse starten", "BAMF - Zahlen zum Asyl", "BAMF - Beratung ausgebaut"],
        ["BAMF - Neue Integrationskurse starten", "BAMF - Zahlen zum Asyl", "BAMF - Beratung ausgebaut"],
    ),
    (
        "Actualités",
        [
            "Préfecture du Nord – Accueil des réfugiés : nouveau guichet",
            "Préfecture du Nord – Cours de français gratuits",
            "Préfecture du Nord – Emploi des étrangers",
            "Préfecture du Nord – Titres de séjour",
        ],
        [  # repeated, but neither the feed's title nor the host names it: kept
            "Préfecture du Nord – Accueil des réfugiés : nouveau guichet",
            "Préfecture du Nord – Cours de français gratuits",
            "Préfecture du Nord – Emploi des étrangers",
            "Préfecture du Nord – Titres de séjour",
        ],
    ),
    (
        "Stadt Wien",  # the feed's own title, on 2 of 3 titles
        ["Integration: Neue Kurse - Stadt Wien", "Sprachcafé öffnet - Stadt Wien", "Wien hilft Geflüchteten"],
        ["Integration: Neue Kurse", "Sprachcafé öffnet", "Wien hilft Geflüchteten"],
    ),
    (
        "Υπουργείο Μετανάστευσης",
        [
            "Νέο πρόγραμμα ένταξης | Υπουργείο Μετανάστευσης",
            "Μαθήματα ελληνικών | Υπουργείο Μετανάστευσης",
            "Νέα",
        ],
        ["Νέο πρόγραμμα ένταξης", "Μαθήματα ελληνικών", "Νέα"],
    ),
    (
        "Newsletter",  # the repeated words are the only words: kept with their dates
        ["Weekly update | 5 March 2026", "Weekly update | 12 March 2026", "Weekly update | 19 March 2026"],
        ["Weekly update | 5 March 2026", "Weekly update | 12 March 2026", "Weekly update | 19 March 2026"],
    ),
    (
        "Calls",  # what would be left is a code
        [
            "Call for proposals - AMIF-2026-AG-INTEGR",
            "Call for proposals - AMIF-2026-AG-CHILD",
            "Call for proposals - AMIF-2026-AG-WORK",
        ],
        [
            "Call for proposals - AMIF-2026-AG-INTEGR",
            "Call for proposals - AMIF-2026-AG-CHILD",
            "Call for proposals - AMIF-2026-AG-WORK",
        ],
    ),
    (
        "Press",  # two titles: too few to tell a site's name from a shared word
        ["Integration | Site", "Inclusion | Site"],
        ["Integration | Site", "Inclusion | Site"],
    ),
    (
        "News digest",  # publishers differ: an aggregator's sources are no site name of its own
        [
            "Refugees find work - Público",
            "Migrants in Italy - la Repubblica",
            "New law on asylum - Público",
            "Schools welcome children - Le Monde",
        ],
        [
            "Refugees find work - Público",
            "Migrants in Italy - la Repubblica",
            "New law on asylum - Público",
            "Schools welcome children - Le Monde",
        ],
    ),
    (
        "Integration news",  # a hyphen inside words and a colon are no separators
        ["Neue Sprach- und Integrationskurse", "Kurse: Anmeldung offen", "Mentoring für Frauen"],
        ["Neue Sprach- und Integrationskurse", "Kurse: Anmeldung offen", "Mentoring für Frauen"],
    ),
]

FEEDS += [
    (
        "Ministry of Social Affairs",  # the headline's second part after a dash is no section name
        [
            "Migrant workers – rights | Ministry of Social Affairs",
            "Refugee Week 2026 - programme | Ministry of Social Affairs",
            "Ministry of Social Affairs | Migrant workers – rights",
        ],
        ["Migrant workers – rights", "Refugee Week 2026 - programme", "Migrant workers – rights"],
    ),
    (
        "News",  # every entry starts with the same word: part of each headline, not a site name
        [
            "Migration - new figures published",
            "Migration - a report on arrivals",
            "Migration - courses open",
            "Asylum - rules change",
        ],
        [
            "Migration - new figures published",
            "Migration - a report on arrivals",
            "Migration - courses open",
            "Asylum - rules change",
        ],
    ),
    (
        "Integration Portal",  # the first word is in the feed's title too
        ["Integration - 10 years later", "Integration - what changed", "Integration - courses"],
        ["Integration - 10 years later", "Integration - what changed", "Integration - courses"],
    ),
    (
        "Europe Direct",
        ["Europe - a continent of migration", "Ukraine – refugees register for protection", "Jobs fair"],
        ["Europe - a continent of migration", "Ukraine – refugees register for protection", "Jobs fair"],
    ),
    (
        "City news",  # a date segment is the entry's own words in a feed
        ["12.03.2026 - Integration summit in Berlin", "13.03.2026 - Kurse starten", "Sprachcafé"],
        ["12.03.2026 - Integration summit in Berlin", "13.03.2026 - Kurse starten", "Sprachcafé"],
    ),
]

FEEDS += [
    (
        "Asylum",  # a segment that only starts with the feed's title is the headline's
        ["Court rules on deportation - Asylum seekers protest", "Quotas", "Courses"],
        ["Court rules on deportation - Asylum seekers protest", "Quotas", "Courses"],
    ),
    (
        "News",
        ["Refugees - News analysis", "Jobs", "Courses"],
        ["Refugees - News analysis", "Jobs", "Courses"],
    ),
    (
        "Feed",  # a real word the titles share is no site name
        [
            "Asylum applications rise - Germany",
            "Integration courses expanded - Germany",
            "New deportation law passed - Germany",
            "Housing refugees – Part 2",
        ],
        [
            "Asylum applications rise - Germany",
            "Integration courses expanded - Germany",
            "New deportation law passed - Germany",
            "Housing refugees – Part 2",
        ],
    ),
    (
        "News",
        ["Q&amp;A | Anna Müller", "Q&amp;A | Tom Berg", "Q&amp;A | Lea Kim"],
        ["Q&A | Anna Müller", "Q&A | Tom Berg", "Q&A | Lea Kim"],
    ),
    (
        "Ministry of Social Affairs - News",  # repeated and held in the feed's title: the site's name
        [
            "Language courses | Ministry of Social Affairs",
            "New law | Ministry of Social Affairs",
            "Jobs fair",
        ],
        ["Language courses", "New law", "Jobs fair"],
    ),
]

RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>{feed}</title><link>https://news.example.eu/</link>'
    "{items}</channel></rss>"
)


@pytest.mark.parametrize(("feed", "titles", "expected"), FEEDS, ids=[f[0] for f in FEEDS])
def test_feed_titles_lose_the_site_name(feed: str, titles: list[str], expected: list[str]) -> None:
    items_xml = "".join(
        f"<item><title>{t}</title><link>https://news.example.eu/a/{i}</link></item>"
        for i, t in enumerate(titles)
    )
    spider = make_spider(
        id="feed-titles", kind="feed", urls=["https://news.example.eu/feed"], languages=["en"]
    )
    body = RSS.format(feed=feed, items=items_xml).encode()
    items, _ = run(spider, XmlResponse("https://news.example.eu/feed", body=body))
    out, _ = normalise(items, make_source(id="feed-titles"))
    assert sorted(item.title for item in out) == sorted(expected)


@pytest.mark.parametrize(
    ("title", "host", "expected"),
    [
        ("Neue Kurse für Geflüchtete | SN.at", "sn.at", "Neue Kurse für Geflüchtete"),
        ("Neue Kurse für Geflüchtete", "sn.at", "Neue Kurse für Geflüchtete"),
        ("Startseite | Neue Kurse für Geflüchtete", None, "Neue Kurse für Geflüchtete"),
        ("", None, ""),
    ],
)
def test_host_and_home_page_names_go_from_a_feed_title(title: str, host: str | None, expected: str) -> None:
    assert strip_feed_title(title, None, host) == expected


@pytest.mark.parametrize(("feed", "titles", "expected"), FEEDS[:3] + FEEDS[-4:], ids=lambda v: str(v)[:20])
def test_the_sources_add_preview_shows_the_titles_a_harvest_stores(
    feed: str, titles: list[str], expected: list[str]
) -> None:
    """`ewsi sources add` previews a feed's entries with the titles the normalise stage stores."""
    from crawler.onboard import preview
    from crawler.sources import load_sources

    items_xml = "".join(
        f"<item><title>{t}</title><link>https://news.example.eu/a/{i}</link></item>"
        for i, t in enumerate(titles)
    )
    body = RSS.format(feed=feed, items=items_xml).encode()
    entry = {
        "id": "feed-titles",
        "name": "x",
        "publisher": "x",
        "kind": "feed",
        "urls": ["https://news.example.eu/feed"],
    }
    source = load_sources("t.yaml", text=json.dumps({"sources": [entry]})).sources[0]
    shown = [item.title for item in preview(source, body, limit=10, content_type="application/rss+xml")]
    assert sorted(shown) == sorted(expected)
