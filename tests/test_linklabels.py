"""crawler.linklabels: link texts that are no titles, and a listing entry's own title
(spiders.listing.entry_title)."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from crawler.linklabels import is_link_label
from spiders.listing import links

LABELS = [
    "Read more",
    "read more »",
    "READ MORE ›",
    "[...] weiterlesen →",
    "Mehr",
    "lire la suite",
    "Lire la suite…",
    "leer más",
    "Leggi tutto",
    "Saiba mais",
    "Lees meer",
    "Czytaj więcej",
    "Číst dále",
    "Čítať ďalej",
    "Preberi več",
    "Pročitaj više",
    "Tovább",
    "Citește mai mult",
    "Прочети още",
    "Διαβάστε περισσότερα",
    "Læs mere",
    "Läs mer",
    "Lue lisää",
    "Loe edasi",
    "Lasīt vairāk",
    "Skaityti daugiau",
    "Aqra aktar",
    "Léigh tuilleadh",
    "more",
    "Click here",
    "1",
    "(12)",
    "iv",
    "XIV",
    "»",
    "…",
    "",
    None,
    "EU",
]
TITLES = [
    "Housing support for refugee families",
    "Mentoring for refugee women in Lyon",
    "Mehr Deutschkurse für Geflüchtete",
    "Lire la suite du rapport annuel 2025",
    "AMIF 2027",
    "Asyl",
    "Integrationsgesetz",
    "Civil",
]


@pytest.mark.parametrize("text", LABELS)
def test_a_link_label_is_no_title(text: str | None) -> None:
    assert is_link_label(text)


@pytest.mark.parametrize("text", TITLES)
def test_a_title_is_a_title(text: str) -> None:
    assert not is_link_label(text)


ENTRIES = {
    "anchor-is-title": (
        '<li><a href="/a">Housing support for refugees</a></li>',
        "Housing support for refugees",
    ),
    "read-more-alone": ('<li><a href="/a">Read more</a></li>', None),
    "heading-beside": (
        '<li><h3>Housing support for refugees</h3><p>Teaser</p><a href="/a">Read more</a></li>',
        "Housing support for refugees",
    ),
    "heading-two-levels-up": (
        '<li><div><h2>Housing support for refugees</h2></div><p><span><a href="/a">1</a></span></p></li>',
        "Housing support for refugees",
    ),
    "same-link-elsewhere": (
        '<li><a href="/x">Unrelated</a></li><li><a href="/a">weiterlesen</a></li>'
        '<div><a href="/a">Housing support for refugees</a></div>',
        "Housing support for refugees",
    ),
    "heading-of-another-entry": (
        '<li><h3>Another entry</h3><a href="/b">Read more</a><a href="/a">lire la suite</a></li>',
        None,
    ),
}


@pytest.mark.parametrize("variant", list(ENTRIES), ids=list(ENTRIES))
def test_entry_title(variant: str) -> None:
    html, title = ENTRIES[variant]
    response = HtmlResponse(
        "http://example.eu/list", body=f"<html><body><ul>{html}</ul></body></html>".encode()
    )
    found = {href: t for href, t, _ in links(response, "ul li a[href='/a']::attr(href)")}
    assert found == {"/a": title}
