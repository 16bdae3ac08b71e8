"""An item's country (pipelines.countries.page_country, crawler.urls.host_country).

Rule: the source's country, except that an item takes its page's country-code domain when the page
is written in an official language of that country, whatever the source declares (an EU-wide source,
or a source declared DE that also follows Austrian bodies); ``.eu``, generic and vanity
domains (``.com``, ``.io``, ``.me``) name none, and a short link or a vanity domain whose page is in
another language (youtu.be, docs.rs, linktr.ee) names none either.
"""

from __future__ import annotations

import pytest

from crawler.urls import host_country
from pipelines.countries import page_country
from pipelines.language import LanguagePipeline


@pytest.mark.parametrize(
    ("url", "country"),
    [
        ("https://www.rp.pl/spoleczenstwo/art1", "PL"),
        ("https://www.tagesanzeiger.ch/svp-parteitag", "CH"),
        ("https://www.bundeskanzleramt.gv.at/themen/integration.html", "AT"),
        ("https://www.gov.uk/government/news/x", "GB"),
        ("http://WWW.Seznamzpravy.CZ/clanek/1", "CZ"),
        ("https://www.aftonbladet.se./nyheter/1", "SE"),
        ("https://www.kathimerini.gr/society/1", "GR"),
        ("https://kyiv.example.ua/news", "UA"),
        ("https://home-affairs.ec.europa.eu/news/x", None),
        ("https://www.example.com/a", None),
        ("https://startup.io/post", None),
        ("https://blog.me/post", None),
        ("https://youtu.be/xyz", None),
        ("https://www.youtu.be/xyz", None),
        ("https://spoti.fi/abc", None),
        ("https://reut.rs/3x", None),
        ("https://notyoutu.be/x", "BE"),
        ("https://192.168.1.10/page", None),
        ("https://localhost/page", None),
        ("mailto:press@rp.pl", None),
        ("not a url", None),
        (None, None),
    ],
)
def test_host_country(url: str | None, country: str | None) -> None:
    assert host_country(url) == country


@pytest.mark.parametrize(
    ("declared", "url", "language", "country"),
    [
        ("EU", "https://www.rp.pl/a", "pl", "PL"),
        ("EU", "https://www.tagesanzeiger.ch/b", "de", "CH"),
        ("EU", "https://www.letemps.ch/b", "fr", "CH"),
        ("EU", "https://www.standaard.be/c", "nl", "BE"),
        ("EU", "https://www.irishtimes.ie/d", "en", "IE"),
        ("EU", "https://www.gov.uk/e", "en", "GB"),
        ("EU", "https://youtu.be/xyz", "en", "EU"),
        ("EU", "https://dlvr.it/abc", "en", "EU"),
        ("EU", "https://docs.rs/crate", "en", "EU"),
        ("EU", "https://linktr.ee/org", "en", "EU"),
        ("EU", "https://spoti.fi/x", "en", "EU"),
        ("EU", "https://news.example.com/c", "de", "EU"),
        ("EU", "https://www.rp.pl/a", None, "EU"),
        ("DE", "https://www.bundeskanzleramt.gv.at/a", "de", "AT"),
        ("DE", "https://www.unsere-zeitung.at/2024/x", "de", "AT"),
        ("DE", "https://www.bmi.bund.de/a", "de", "DE"),
        ("DE", "https://www.make-it-in-germany.com/en/a", "en", "DE"),
        ("AT", "https://www.nzz.ch/a", "de", "CH"),
        ("IT", "https://www.rsi.ch/news/a", "it", "CH"),
        ("IT", "https://www.rp.pl/a", "it", "IT"),
        ("FR", "https://www.lesoir.be/a", "fr", "BE"),
        ("FR", "https://youtu.be/xyz", "fr", "FR"),
        ("SE", "https://yle.fi/a", "sv", "FI"),
        ("SE", "https://yle.fi/a", "en", "SE"),
    ],
)
def test_page_country(declared: str, url: str, language: str | None, country: str) -> None:
    assert page_country(declared, url, language) == country


def test_the_language_stage_sets_it_from_the_final_address() -> None:
    from crawler.types import HarvestedItem

    text = "Rząd przyjął nowy program integracji cudzoziemców z kursami języka polskiego dla dorosłych."
    item = HarvestedItem(source_id="s", url="https://dlvr.it/abc", country="EU", text=text * 3)
    item.body_url = "https://www.rp.pl/spoleczenstwo/art1"
    LanguagePipeline(refine_short=False).process_item(item)
    assert (item.language, item.country) == ("pl", "PL")
    short = HarvestedItem(source_id="s", url="https://dlvr.it/abc", country="EU", text=text * 3)
    LanguagePipeline(refine_short=False).process_item(short)
    assert short.country == "EU"
