"""A date found only in the page's chrome never dates the article (adbar/htmldate#124).

Rule under test (pipelines.pagemeta.chrome_block, without_chrome; pipelines.extract._htmldate): the
date search over the whole page (htmldate) reads the page without its footer, asides, navigation,
site header, cookie banner and the blocks whose class, id or role say footer, sidebar, comments,
related or teaser; the one rule `excluded_block` applies to the page's ``<time>`` and byline too. A
date of the article itself (its byline, its first lines, its metadata) stays.
"""

from __future__ import annotations

import pytest
from lxml.html import fromstring, tostring

from pipelines.extract import extract_document
from pipelines.pagemeta import chrome_block, without_chrome

BODY = (
    "<p>The council presented its integration plan for refugees and migrants. It funds language "
    "courses, housing advice and mentoring for newcomers, prepared with employers and NGOs.</p>"
) * 3
URL = "https://city.example.eu/aktuelles/plan"
TEASERS = (
    "<aside><h2>More</h2><ul><li>12.01.2021 – Annual report</li><li>03.11.2020 – Workshop</li></ul></aside>"
)


def _page(lang: str, article: str, after: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>Plan</title></head><body>'
        f"<main><article><h1>Integration plan</h1>{article}{BODY}</article>{TEASERS}</main>{after}"
        "</body></html>"
    ).encode()


CHROME = {
    "de-stand": ("de", "<footer>© 2019 Ministerium · Stand: 01.02.2018</footer>"),
    "de-stand-div-footer": ("de", '<div class="site-footer">Stand: 01.02.2018 · Impressum</div>'),
    "en-last-updated": ("en", "<footer><p>Last updated 3 February 2018</p><p>© 2019 Ministry</p></footer>"),
    "en-role-contentinfo": ("en", '<div role="contentinfo">Last updated: 2018-02-03</div>'),
    "fr-derniere-maj": ("fr", "<footer>Dernière mise à jour : 03/02/2018 — © 2019 Ministère</footer>"),
    "it-ultimo-aggiornamento": ("it", '<div id="footer">Ultimo aggiornamento: 03.02.2018 · © 2019</div>'),
    "copyright-only": ("en", "<footer>Copyright © 2018 City of Example</footer>"),
    "sidebar-div": ("de", '<div id="sidebar"><p>Termin 14.03.2018</p></div>'),
    "nav-menu": ("en", "<nav><ul><li>News 3 February 2018</li></ul></nav>"),
    "site-header": ("en", "<header><p>Site updated 2018-02-03</p></header>"),
    "cookie-banner": ("de", '<div class="cookie-notice">Datenschutzhinweis vom 01.02.2018</div>'),
    "related-block": ("en", '<section class="related-articles"><p>2018-02-03 Older news</p></section>'),
}


@pytest.mark.parametrize("name", CHROME)
def test_a_chrome_date_does_not_date_the_article(name: str) -> None:
    lang, after = CHROME[name]
    document = extract_document(_page(lang, "", after), URL, "text/html; charset=utf-8")
    assert document.published is None, (name, document.published, document.published_from)


KEPT = {
    "byline-de": ("de", '<p class="byline">Veröffentlicht am 5. März 2025</p>', "2025-03-05"),
    "byline-en": ("en", '<p class="meta">By Ana Silva, 5 March 2025</p>', "2025-03-05"),
    "time-in-article": ("en", '<p><time datetime="2025-03-05">5 March 2025</time></p>', "2025-03-05"),
    "numeric-first-line": ("de", "<p>05.03.2025</p>", "2025-03-05"),
    "article-header": ("fr", "<header><p>Publié le 5 mars 2025</p></header>", "2025-03-05"),
}


@pytest.mark.parametrize("name", KEPT)
@pytest.mark.parametrize("footer", ["<footer>© 2019 · Stand: 01.02.2018</footer>", "<footer>© 2026</footer>"])
def test_the_article_date_stays_beside_a_chrome_date(name: str, footer: str) -> None:
    lang, article, day = KEPT[name]
    document = extract_document(_page(lang, article, footer), URL, "text/html; charset=utf-8")
    assert (document.published or "")[:10] == day, (name, document.published, document.published_from)


def test_without_chrome_keeps_the_article_and_its_wrappers() -> None:
    tree = fromstring(
        '<html><body class="has-sidebar"><header><nav>Menu</nav></header>'
        '<div id="content" class="layout-with-sidebar"><article><header><h1>Head</h1>'
        "<p>5 March 2025</p></header><p>Text</p><footer>Tags</footer></article>"
        '<aside>12.01.2021</aside></div><div class="cookie-consent">OK</div>'
        "<footer>Stand: 01.02.2018</footer>tail text</body></html>"
    )
    copy = without_chrome(tree)
    html = tostring(copy, encoding="unicode")
    assert "Head" in html and "5 March 2025" in html and "tail text" in html
    assert "01.02.2018" not in html and "12.01.2021" not in html and "Menu" not in html and "OK" not in html
    assert "Tags" not in html  # the article's own footer is chrome as well
    assert "01.02.2018" in tostring(tree, encoding="unicode")  # the page itself is untouched


@pytest.mark.parametrize(
    ("markup", "chrome"),
    [
        ("<footer>x</footer>", True),
        ("<aside>x</aside>", True),
        ('<div role="navigation">x</div>', True),
        ('<div class="teaser-list">x</div>', True),
        ('<div id="comments">x</div>', True),
        ('<div class="cookie-banner">x</div>', True),
        ('<div class="article-body">x</div>', False),
        ('<div class="content">x</div>', False),
        ("<header>x</header>", False),  # only a site-wide header, by its place (without_chrome)
    ],
)
def test_chrome_block(markup: str, chrome: bool) -> None:
    assert chrome_block(fromstring(markup)) is chrome


def _teasers(href: str) -> str:
    return (
        '<div class="sidebar"><h3>Aktuell</h3>'
        '<a href="/other"><div class="teaser"><div class="authored">12.11.2021</div><h2>Other</h2></div></a>'
        f'<a href="{href}"><div class="teaser"><div class="authored">10.11.2021</div><h2>Kurse</h2></div></a>'
        "</div>"
    )


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/aktuelles/plan", "2021-11-10"),
        ("https://www.city.example.eu/aktuelles/plan/", "2021-11-10"),
        ("http://city.example.eu/aktuelles/plan#top", "2021-11-10"),
        ("/aktuelles/plan-2", None),  # a teaser of another page dates that page only
        ("/aktuelles/plan?page=2", None),
    ],
)
def test_the_sites_own_teaser_of_the_page_dates_it_last(href: str, expected: str | None) -> None:
    document = extract_document(_page("de", "", _teasers(href)), URL, "text/html; charset=utf-8")
    assert document.published == expected
    assert document.published_from == ("teaser" if expected else None)


def test_an_article_date_outranks_its_own_teaser() -> None:
    page = _page("de", "<p>Veröffentlicht am 5. März 2025</p>", _teasers("/aktuelles/plan"))
    document = extract_document(page, URL, "text/html; charset=utf-8")
    assert document.published == "2025-03-05"


def test_a_sidebar_teaser_with_the_page_title_is_not_its_byline() -> None:
    side = (
        '<div class="sidebar"><a href="/x"><div class="teaser"><div class="authored">10.11.2021</div>'
        "<h2>Plan</h2></div></a></div>"
    )
    document = extract_document(_page("de", "", side), URL, "text/html; charset=utf-8")
    assert document.published is None
