"""Cases built from public bug reports of article extractors, date finders, PDF readers, language
detectors, encoding sniffers, refresh handling and robots.txt parsers: kinds of fault that
tests/test_public_cases.py (feeds, sitemaps, schedules) does not cover. Every row cites the report it
was built from (owner/repo#N) and runs a small made-up input through the product's own entry points:
a followed page through `pipelines.extract.extract_document`, the source's `DocumentFinisher` and the
`LanguagePipeline`, as a crawl does; refresh and robots.txt through the fetch layer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader, PdfWriter
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.fetch.robots import rules_for
from crawler.types import HarvestedItem
from pipelines.extract import DocumentFinisher, extract_document, written_dates
from pipelines.language import LanguagePipeline
from pipelines.markup import drop_bad_references
from pipelines.titles import is_placeholder_title
from tests.test_attachments import tiny_pdf
from tests.test_refresh_forms import _middleware

FETCHED = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
URL = "https://city.example.eu/news/language-courses"
HTML = "text/html; charset=utf-8"

TEXTS = {
    "en": (
        "Language courses for families",
        "The city offers newly arrived families free language courses. Registration is open at all "
        "district offices. Local associations support participants throughout the year.",
    ),
    "de": (
        "Sprachkurse für Familien",
        "Die Stadt bietet neu zugewanderten Familien kostenlose Deutschkurse an. Die Anmeldung ist in "
        "allen Bürgerbüros möglich. Lokale Vereine begleiten die Teilnehmenden während des ganzen Jahres.",
    ),
    "fr": (
        "Cours de langue pour les familles",
        "La ville propose des cours de français gratuits aux familles nouvellement arrivées. Les "
        "inscriptions sont ouvertes dans toutes les mairies de quartier. Les associations locales "
        "accompagnent les participants pendant toute l'année.",
    ),
    "it": (
        "Corsi di lingua per famiglie",
        "Il comune offre corsi gratuiti di italiano alle famiglie appena arrivate. Le iscrizioni sono "
        "aperte in tutti gli uffici di quartiere. Le associazioni locali accompagnano i partecipanti per "
        "tutto l'anno.",
    ),
    "es": (
        "Cursos de idioma para familias",
        "El ayuntamiento ofrece cursos gratuitos de español a las familias recién llegadas. Las "
        "inscripciones están abiertas en todas las oficinas de distrito. Las asociaciones locales "
        "acompañan a los participantes durante todo el año.",
    ),
    "pt": (
        "Cursos de língua para famílias",
        "A câmara oferece cursos gratuitos de português às famílias recém-chegadas. As inscrições estão "
        "abertas em todas as juntas de freguesia. As associações locais acompanham os participantes "
        "durante todo o ano.",
    ),
    "nl": (
        "Taalcursussen voor gezinnen",
        "De gemeente biedt nieuw aangekomen gezinnen gratis Nederlandse taalcursussen aan. Inschrijven kan "
        "bij alle stadsloketten. Lokale verenigingen begeleiden de deelnemers het hele jaar door.",
    ),
    "pl": (
        "Kursy językowe dla rodzin",
        "Miasto oferuje bezpłatne kursy języka polskiego dla nowo przybyłych rodzin. Zapisy prowadzą "
        "wszystkie urzędy dzielnicowe. Lokalne stowarzyszenia wspierają uczestników przez cały rok.",
    ),
    "cs": (
        "Jazykové kurzy pro rodiny",
        "Město nabízí nově příchozím rodinám bezplatné kurzy češtiny. Přihlásit se lze na všech úřadech "
        "městských částí. Místní spolky podporují účastníky po celý rok.",
    ),
    "sk": (
        "Jazykové kurzy pre rodiny",
        "Mesto ponúka novo prichádzajúcim rodinám bezplatné kurzy slovenčiny. Prihlásiť sa dá na všetkých "
        "miestnych úradoch. Miestne združenia podporujú účastníkov počas celého roka.",
    ),
    "el": (
        "Μαθήματα γλώσσας για οικογένειες",
        "Ο δήμος προσφέρει δωρεάν μαθήματα ελληνικών σε νεοαφιχθείσες οικογένειες. Οι εγγραφές γίνονται "
        "σε όλα τα δημοτικά γραφεία. Τοπικοί σύλλογοι στηρίζουν τους συμμετέχοντες όλο τον χρόνο.",
    ),
    "hu": (
        "Nyelvtanfolyamok családoknak",
        "A város ingyenes magyar nyelvtanfolyamot kínál az újonnan érkezett családoknak. Jelentkezni minden "
        "kerületi hivatalban lehet. A helyi egyesületek egész évben segítik a résztvevőket.",
    ),
    "fi": (
        "Kielikursseja perheille",
        "Kaupunki tarjoaa vasta saapuneille perheille maksuttomia suomen kielen kursseja. Ilmoittautua voi "
        "kaikissa asiointipisteissä. Paikalliset yhdistykset tukevat osallistujia koko vuoden ajan.",
    ),
    "ro": (
        "Cursuri de limbă pentru familii",
        "Primăria oferă cursuri gratuite de limba română familiilor nou sosite. Înscrierile se fac la toate "
        "centrele de cartier. Asociațiile locale îi sprijină pe participanți pe tot parcursul anului.",
    ),
    "lt": (
        "Kalbos kursai šeimoms",
        "Miestas siūlo nemokamus lietuvių kalbos kursus naujai atvykusioms šeimoms. Užsiregistruoti galima "
        "visose seniūnijose. Vietos bendruomenės padeda dalyviams visus metus.",
    ),
    "lv": (
        "Valodas kursi ģimenēm",
        "Pilsēta piedāvā jaunpienācējām ģimenēm bezmaksas latviešu valodas kursus. Pieteikties var visos "
        "apkaimju centros. Vietējās biedrības atbalsta dalībniekus visu gadu.",
    ),
    "et": (
        "Keelekursused peredele",
        "Linn pakub äsja saabunud peredele tasuta eesti keele kursusi. Registreeruda saab kõigis linnaosa "
        "valitsustes. Kohalikud ühendused toetavad osalejaid terve aasta.",
    ),
    "hr": (
        "Tečajevi jezika za obitelji",
        "Grad nudi besplatne tečajeve hrvatskog jezika za novopridošle obitelji. Prijave se primaju u svim "
        "gradskim uredima. Lokalne udruge podržavaju sudionike tijekom cijele godine.",
    ),
    "bg": (
        "Езикови курсове за семейства",
        "Общината предлага безплатни курсове по български език за новопристигнали семейства. Записването е "
        "във всички районни администрации. Местни сдружения подкрепят участниците през цялата година.",
    ),
}


def harvest(
    body: bytes, *, url: str = URL, content_type: str | None = HTML, languages: tuple[str, ...] = ("en",)
) -> HarvestedItem:
    """A followed page as a crawl reads it: extraction, the source's finishing steps, language."""
    item = HarvestedItem(
        source_id="extra",
        url=url,
        body=body,
        body_url=url,
        media_type=content_type,
        http_headers={"Content-Type": content_type} if content_type else {},
        fetched_at=FETCHED,
        declared_languages=list(languages),
    )
    document = extract_document(body, url, content_type, content_type)
    DocumentFinisher().finish(item, document, UTC, list(languages))
    return LanguagePipeline().process_item(item)


def article(lang: str, *, head: str = "", top: str = "", after: str = "", title: str | None = None) -> bytes:
    headline, text = TEXTS[lang]
    return (
        f"<html lang='{lang}'><head><title>{title or headline}</title>{head}</head><body><article>"
        f"<h1>{headline}</h1>{top}<p>{text}</p><p>{text}</p></article>{after}</body></html>"
    ).encode()


# --- 1. the date in the page's metadata -------------------------------------------------------------
# adbar/htmldate#195: a dateModified meta was preferred to JSON-LD datePublished;
# adbar/htmldate#196: JSON-LD datePublished lost its time of day.


def _ld(value: str) -> str:
    return f'<script type="application/ld+json">{value}</script>'


META_DATES = {
    "modified-meta-before-json-ld": (
        "adbar/htmldate#195",
        '<meta property="article:modified_time" content="2025-05-20T10:00:00+02:00">'
        + _ld(
            '{"@context":"https://schema.org","@type":"NewsArticle","datePublished":"2025-03-04T09:30:00+01:00",'
            '"dateModified":"2025-05-20T10:00:00+02:00"}'
        ),
        "2025-03-04T08:30:00+00:00",
        "2025-05-20T08:00:00+00:00",
    ),
    "json-ld-graph": (
        "adbar/htmldate#195",
        _ld(
            '{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"City"},{"@type":"WebPage",'
            '"datePublished":"2025-03-04T09:30:00+01:00","dateModified":"2025-05-01T08:00:00+02:00"}]}'
        ),
        "2025-03-04T08:30:00+00:00",
        "2025-05-01T06:00:00+00:00",
    ),
    "itemprop-modified-and-json-ld-list": (
        "adbar/htmldate#195",
        '<meta itemprop="dateModified" content="2025-05-21">'
        + _ld(
            '[{"@context":"https://schema.org","@type":"Article","datePublished":"2025-02-11",'
            '"dateModified":"2025-05-21"}]'
        ),
        "2025-02-11T00:00:00+00:00",
        "2025-05-21T00:00:00+00:00",
    ),
    "json-ld-time-of-day": (
        "adbar/htmldate#196",
        _ld('{"@context":"https://schema.org","@type":"NewsArticle","datePublished":"2025-03-04T16:45:00Z"}'),
        "2025-03-04T16:45:00+00:00",
        None,
    ),
    "og-updated-and-published-time": (
        "adbar/htmldate#195",
        '<meta property="og:updated_time" content="2025-05-25T10:00:00+00:00">'
        '<meta property="article:published_time" content="2025-01-15T08:00:00+00:00">',
        "2025-01-15T08:00:00+00:00",
        "2025-05-25T10:00:00+00:00",
    ),
}


@pytest.mark.parametrize(
    ("report", "head", "published", "updated"), META_DATES.values(), ids=META_DATES.keys()
)
def test_the_page_metadata_dates_the_page(
    report: str, head: str, published: str, updated: str | None
) -> None:
    item = harvest(article("en", head=head))
    assert item.date_method == "page", report
    assert item.published_at is not None and item.published_at.isoformat() == published
    assert (item.updated_at.isoformat() if item.updated_at else None) == updated


# --- 2. a date written in the page's language -------------------------------------------------------
# scrapinghub/dateparser#415: day and month names of other languages were not read;
# scrapinghub/dateparser#651: ordinal days ("3rd") were misread.

WRITTEN = [
    ("scrapinghub/dateparser#415", "fr", "Publié le 3 mars 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "fr", "03 févr. 2025", "2025-02-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "fr", "1er mars 2025", "2025-03-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "fr", "Mardi 1er avril 2025", "2025-04-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "fr", "lundi 3 mars 2025 à 14h30", "2025-03-03T14:30:00+00:00"),
    ("scrapinghub/dateparser#415", "de", "Veröffentlicht am 3. März 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "de", "3. Mrz. 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "de", "Montag, 3. März 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "de", "03. März 2025, 14:30 Uhr", "2025-03-03T14:30:00+00:00"),
    ("scrapinghub/dateparser#415", "de", "Veröffentlicht: 03.03.25", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "pl", "Opublikowano: 12 lutego 2025", "2025-02-12T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "pl", "12 lut 2025", "2025-02-12T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "pl", "12.02.2025 r.", "2025-02-12T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "pl", "3 marca 2025 r., godz. 14:30", "2025-03-03T14:30:00+00:00"),
    ("scrapinghub/dateparser#415", "cs", "Publikováno 3. března 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "cs", "3. 3. 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "cs", "Vloženo: 3. březen 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "sk", "3. marca 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "el", "Δημοσιεύθηκε: 3 Μαρτίου 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "el", "3 Μαρ 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "el", "Τρίτη, 4 Μαρτίου 2025", "2025-03-04T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "hu", "Közzétéve: 2025. március 3.", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "hu", "2025. márc. 3.", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "hu", "2025.03.03.", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "fi", "Julkaistu 3.3.2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "fi", "3. maaliskuuta 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "ro", "Publicat: 3 martie 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "lt", "2025 m. kovo 3 d.", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "lv", "2025. gada 3. martā", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "et", "3. märts 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "hr", "3. ožujka 2025.", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "bg", "3 март 2025 г.", "2025-03-03T00:00:00+00:00"),
    (
        "scrapinghub/dateparser#415",
        "it",
        "Pubblicato il 3 marzo 2025 alle 14:30",
        "2025-03-03T14:30:00+00:00",
    ),
    ("scrapinghub/dateparser#415", "it", "1° marzo 2025", "2025-03-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#415", "es", "lunes, 3 de marzo de 2025 - 14:30", "2025-03-03T14:30:00+00:00"),
    ("scrapinghub/dateparser#415", "pt", "3 de março de 2025, 14h30", "2025-03-03T14:30:00+00:00"),
    ("scrapinghub/dateparser#415", "nl", "3 mrt. 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "en", "Published: March 3rd, 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "en", "Posted on 3rd of March 2025", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "en", "Mar. 3, 2025", "2025-03-03T00:00:00+00:00"),
    # an ordinal day after a label; a year of two digits after an apostrophe
    ("scrapinghub/dateparser#651", "fr", "Publié le 1er mars 2025", "2025-03-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "fr", "Mis en ligne le 1er avril 2025", "2025-04-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "fr", "Publié 1er mars 2025", "2025-03-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "fr", "Publié le : 1er mars 2025", "2025-03-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "fr", "Date : 1er juin 2025", "2025-06-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "fr", "Publié le 1re juin 2025", "2025-06-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "fr", "Publié le 1er mars 2025 à 9h15", "2025-03-01T09:15:00+00:00"),
    ("scrapinghub/dateparser#651", "it", "1º marzo 2025", "2025-03-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "it", "Pubblicato il 1º marzo 2025", "2025-03-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "it", "Pubblicato il 1° aprile 2025", "2025-04-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "es", "1º de marzo de 2025", "2025-03-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "es", "1.º de marzo de 2025", "2025-03-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "es", "Publicado el 1.º de abril de 2025", "2025-04-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "pt", "1.º de março de 2025", "2025-03-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "pt", "Publicado em 1º de abril de 2025", "2025-04-01T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "en", "Published 4 March '25", "2025-03-04T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "en", "Posted March 4th, ’25", "2025-03-04T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "nl", "3 maart '25", "2025-03-03T00:00:00+00:00"),
    ("scrapinghub/dateparser#651", "de", "Veröffentlicht am 3. März '25", "2025-03-03T00:00:00+00:00"),
]


@pytest.mark.parametrize(
    ("report", "lang", "dateline", "published"), WRITTEN, ids=[f"{r[1]}-{r[2]}" for r in WRITTEN]
)
def test_a_date_written_in_the_page_language(report: str, lang: str, dateline: str, published: str) -> None:
    item = harvest(article(lang, top=f"<p class='meta'>{dateline}</p>"), languages=(lang,))
    assert item.date_method == "page", report
    assert item.published_at is not None and item.published_at.isoformat() == published
    assert item.language == lang


@pytest.mark.parametrize(
    ("line", "lang", "expected"),
    [
        ("Publié le 1er mars 2025", "fr", "2025-03-01"),
        ("1ère édition, 3 mars 2025", "fr", "2025-03-03"),
        ("1.º de março de 2025", "pt", "2025-03-01"),
        ("1º marzo 2025", "it", "2025-03-01"),
        ("Gepubliceerd op 3 maart '99", "nl", "1999-03-03"),
        ("Published 4 March 25", "en", None),  # two digits without an apostrophe: no year
        ("Published 4 March '2025", "en", None),
        ("1er prix, 3 000 euros en '25", "fr", None),  # an ordinal with no month after it
        ("Lot 1º piano '25", "it", None),
    ],
)
def test_written_ordinal_days_and_short_years(line: str, lang: str, expected: str | None) -> None:
    assert written_dates(line, (lang,))[0] == expected  # scrapinghub/dateparser#651


# --- 3. a date in the URL's path ----------------------------------------------------------------------
# adbar/htmldate#195 (metadata absent): the URL is the page's only date; numbers that are no date are none.

URL_DATES = [
    ("https://city.example.eu/news/2025/03/04/language-courses", "2025-03-04T00:00:00+00:00"),
    ("https://city.example.eu/2025-03-04-language-courses", "2025-03-04T00:00:00+00:00"),
    ("https://city.example.eu/news/20250304-language-courses", "2025-03-04T00:00:00+00:00"),
    ("https://city.example.eu/news/language-courses-20250304.html", "2025-03-04T00:00:00+00:00"),
    ("https://city.example.eu/news/?date=2025-03-04&id=7", "2025-03-04T00:00:00+00:00"),
    ("https://city.example.eu/news/article/12345678", None),
    ("https://city.example.eu/news/2025/13/45/x", None),
    ("https://city.example.eu/docs/20251301.html", None),
    ("https://city.example.eu/news/1741046400-courses", None),
]


@pytest.mark.parametrize(("url", "published"), URL_DATES, ids=[u.split("eu/", 1)[1] for u, _ in URL_DATES])
def test_a_date_in_the_url_path(url: str, published: str | None) -> None:
    item = harvest(article("en"), url=url)  # adbar/htmldate#195
    assert (item.published_at.isoformat() if item.published_at else None) == published


# --- 4. readers' comments do not date the page ------------------------------------------------------
# ageitgey/node-unfluff#93: the first comment's date was taken for the article's.

COMMENTS = {
    "drupal-submitted-line": (
        "<section class='comment-section'><h2>Comments</h2><article class='comment js-comment'><footer>"
        "<p class='comment__submitted'>Submitted by Anna on Tue, 20/05/2025 - 18:02</p></footer>"
        "<div class='comment__content'><p>Very useful, thank you!</p></div></article></section>"
    ),
    "social-plugin-comments": (
        "<div class='fb-comments'><div class='_3-8m'><span>Anna</span> · 20. Mai 2025"
        "<p>Danke!</p></div></div>"
    ),
    "section-comments-time-element": (
        "<section class='comments'><div class='comment'><p>Anna, <time datetime='2025-03-14T18:02:00+02:00'>"
        "14 March 2025</time></p><p>Thanks!</p></div></section>"
    ),
    "comment-list-text-dates": (
        "<div class='comments'><ul><li>Anna · 20.05.2025, 18:02<p>Very useful!</p></li>"
        "<li>Omar · 22.05.2025<p>When?</p></li></ul></div>"
    ),
    "disqus-thread-time-elements": (
        "<section id='disqus_thread' class='comments'><h2>Comments</h2><div class='comment'>"
        "<span class='comment-author'>Anna</span> "
        "<time datetime='2025-05-20T18:02:00+02:00'>20 May 2025</time>"
        "<p>Very useful, thank you!</p></div></section>"
    ),
}


WORDPRESS = (
    "<div id='comments' class='comments-area'><h2 class='comments-title'>2 thoughts on “Courses”</h2>"
    "<ol class='comment-list'><li id='comment-12' class='comment even thread-even depth-1'>"
    "<article id='div-comment-12' class='comment-body'><footer class='comment-meta'>"
    "<div class='comment-author vcard'><b class='fn'>Anna</b> <span class='says'>says:</span></div>"
    "<div class='comment-metadata'><a href='#comment-12'>{stamp}</a></div></footer>"
    "<div class='comment-content'><p>Very useful, thank you!</p></div></article></li></ol>"
    "<div id='respond' class='comment-respond'><h3>Leave a Reply</h3></div></div>"
)
COMMENTS |= {
    "wordpress-time-element": WORDPRESS.format(
        stamp="<time datetime='2025-05-20T18:02:00+02:00'>May 20, 2025 at 6:02 pm</time>"
    ),
    "wordpress-text-date": WORDPRESS.format(stamp="May 20, 2025 at 6:02 pm"),
    "wordpress-text-date-full-permalink": WORDPRESS.format(stamp="20. Mai 2025 um 18:02 Uhr").replace(
        "href='#comment-12'", f"href='{URL}#comment-12'"
    ),
    "section-comments-article": (
        "<section class='comments'><article class='comment'><p>Anna, <time datetime='2025-05-20T18:02:00"
        "+02:00'>20 May 2025</time></p><p>Thanks!</p></article></section>"
    ),
    "disqus-thread-article": (
        "<div id='disqus_thread'><article><time datetime='2025-05-20T18:02:00+02:00'>20 May 2025</time>"
        "<p>Merci !</p></article></div>"
    ),
    "commentlist-itemprop-comment": (
        "<ul class='commentlist'><li itemprop='comment' itemscope itemtype='https://schema.org/Comment'>"
        "<span itemprop='datePublished' content='2025-05-20'>20.05.2025</span><p>Danke!</p></li></ul>"
    ),
    "comment-articles-without-container": (
        "<article class='comment' id='comment-7'><footer><time datetime='2025-05-20'>20/05/2025</time>"
        "</footer><p>Grazie!</p></article>"
    ),
}


@pytest.mark.parametrize("lang", ["en", "de", "fr"])
@pytest.mark.parametrize("thread", COMMENTS.values(), ids=COMMENTS.keys())
def test_a_comment_thread_does_not_date_the_page(thread: str, lang: str) -> None:
    item = harvest(article(lang, after=thread), languages=(lang,))  # ageitgey/node-unfluff#93
    assert item.published_at is None and item.date_method is None


@pytest.mark.parametrize("lang", ["en", "it", "pl"])
@pytest.mark.parametrize(
    "thread",
    [COMMENTS["wordpress-time-element"], COMMENTS["section-comments-article"]],
    ids=["wp", "section"],
)
def test_the_article_date_stays_before_a_comment_thread(thread: str, lang: str) -> None:
    dated = article(lang, top="<p><time datetime='2025-03-04'>04.03.2025</time></p>", after=thread)
    item = harvest(dated, languages=(lang,))  # ageitgey/node-unfluff#93
    assert item.published_at is not None and item.published_at.date().isoformat() == "2025-03-04"


ARTICLE_CLASSES = ["post commentary", "post comments-open", "entry has-comments", "commented-post"]


@pytest.mark.parametrize("classes", ARTICLE_CLASSES)
def test_an_article_whose_class_mentions_comments_keeps_its_date(classes: str) -> None:
    headline, text = TEXTS["en"]
    body = (
        f"<html lang='en'><head><title>{headline}</title></head><body><article class='{classes}'>"
        f"<h1>{headline}</h1><p><time datetime='2025-03-04T09:30:00+01:00'>4 March 2025</time></p>"
        f"<p>{text}</p><p>{text}</p></article></body></html>"
    ).encode()
    item = harvest(body)  # ageitgey/node-unfluff#93: only comment containers are left out
    assert item.published_at is not None and item.published_at.isoformat() == "2025-03-04T08:30:00+00:00"
    assert text.split(".")[0] in (item.text or "")


def test_a_teaser_of_the_page_outside_the_comments_still_dates_it() -> None:
    teaser = f"<div class='latest'><a href='{URL}'>Language courses for families</a> 3 March 2025</div>"
    item = harvest(article("en", after=teaser + COMMENTS["wordpress-text-date"]))
    assert item.published_at is not None and item.published_at.date().isoformat() == "2025-03-03"


# --- 5. the title without the site's name ----------------------------------------------------------
# adbar/trafilatura#284: "Title | Site" kept its site name;
# AndyTheFactory/newspaper4k#632: a title with a hyphen was cut at the hyphen.

TITLES = [
    (
        "adbar/trafilatura#284",
        "de",
        "Sprachkurse für Familien | Stadt Beispielburg",
        "",
        True,
        "Sprachkurse für Familien",
    ),
    (
        "adbar/trafilatura#284",
        "en",
        "Language courses for families » City of Sampleton",
        '<meta property="og:site_name" content="City of Sampleton">',
        False,
        "Language courses for families",
    ),
    (
        "adbar/trafilatura#284",
        "it",
        "Corsi di lingua per famiglie - Comune di Esempio",
        '<meta property="og:site_name" content="Comune di Esempio">',
        False,
        "Corsi di lingua per famiglie",
    ),
    (
        "adbar/trafilatura#284",
        "es",
        "Cursos de idioma para familias | Ayuntamiento de Ejemplo",
        '<meta property="og:title" content="Cursos de idioma para familias">',
        False,
        "Cursos de idioma para familias",
    ),
    (
        "adbar/trafilatura#284",
        "nl",
        "Taalcursussen voor gezinnen | Nieuws | Gemeente Voorbeeld",
        "",
        True,
        "Taalcursussen voor gezinnen",
    ),
    (
        "adbar/trafilatura#284",
        "fr",
        "Ville d'Exempleville : Cours de langue pour les familles",
        '<meta property="og:site_name" content="Ville d\'Exempleville">',
        True,
        "Cours de langue pour les familles",
    ),
    ("adbar/trafilatura#284", "en", "City of Sampleton", "", True, "Language courses for families"),
    (
        "adbar/trafilatura#284",
        "en",
        "Home",
        '<meta property="og:title" content="Language courses for families">',
        False,
        "Language courses for families",
    ),
    (
        "adbar/trafilatura#284",
        "pl",
        "Kursy językowe dla rodzin - Urząd Miasta Przykładowo - Portal",
        "",
        True,
        "Kursy językowe dla rodzin",
    ),
    (
        "AndyTheFactory/newspaper4k#632",
        "en",
        "Language courses for families - Part 2: registration",
        "",
        False,
        "Language courses for families - Part 2: registration",
    ),
]


def _site(name: str) -> str:
    return f'<meta property="og:site_name" content="{name}">'


# a site's name between the headline and a tagline, no h1 (adbar/trafilatura#284)
TITLES += [
    ("adbar/trafilatura#284", lang, raw, _site(site), False, expected)
    for lang, raw, site, expected in [
        (
            "pl",
            "Kursy językowe dla rodzin - Urząd Miasta Przykładowo - Portal",
            "Urząd Miasta Przykładowo",
            "Kursy językowe dla rodzin",
        ),
        (
            "en",
            "Language courses for families | City of Sampleton | Official website",
            "City of Sampleton",
            "Language courses for families",
        ),
        (
            "it",
            "Corsi di lingua per famiglie | Comune di Esempio | Sito ufficiale",
            "Comune di Esempio",
            "Corsi di lingua per famiglie",
        ),
        (
            "de",
            "Sprachkurse für Familien - Stadt Beispielburg - Offizielle Website",
            "Stadt Beispielburg",
            "Sprachkurse für Familien",
        ),
        (
            "cs",
            "Jazykové kurzy pro rodiny – Město Příkladov – Oficiální stránky",
            "Město Příkladov",
            "Jazykové kurzy pro rodiny",
        ),
        (
            "el",
            "Μαθήματα γλώσσας για οικογένειες | Δήμος Παραδείγματος | Επίσημη ιστοσελίδα",
            "Δήμος Παραδείγματος",
            "Μαθήματα γλώσσας για οικογένειες",
        ),
        (
            "nl",
            "Taalcursussen voor gezinnen | Gemeente Voorbeeld | Nieuws | Officiële website",
            "Gemeente Voorbeeld",
            "Taalcursussen voor gezinnen",
        ),
        (
            "de",
            "Sprachkurse für Familien | Aktuelles | Stadt Beispielburg | Offizielle Website",
            "Stadt Beispielburg",
            "Sprachkurse für Familien",
        ),
        (
            "de",
            "Aktuelles | Stadt Beispielburg | Sprachkurse für Familien",
            "Stadt Beispielburg",
            "Sprachkurse für Familien",
        ),
        (
            "en",
            "Language courses for families - Part 2 | City of Sampleton | Official website",
            "City of Sampleton",
            "Language courses for families - Part 2",
        ),
        (
            "fr",
            "Cours de langue pour les familles - Ville d'Exempleville - Site officiel de la ville",
            "ville d’exempleville",
            "Cours de langue pour les familles",
        ),
        # no site's name as a whole segment, or no longer part before it: the title stays
        (
            "en",
            "Language courses in City of Sampleton schools | Spring term | Official website",
            "City of Sampleton",
            "Language courses in City of Sampleton schools | Spring term | Official website",
        ),
        (
            "de",
            "Berlin - Wien - Paris: Sprachkurse für Familien im Vergleich",
            "Wien",
            "Berlin - Wien - Paris: Sprachkurse für Familien im Vergleich",
        ),
        (
            "es",
            "Cursos - Ayuntamiento de Ejemplo - Portal municipal de información",
            "Ayuntamiento de Ejemplo",
            "Cursos - Ayuntamiento de Ejemplo - Portal municipal de información",
        ),
    ]
]


@pytest.mark.parametrize(
    ("report", "lang", "raw", "head", "h1", "expected"), TITLES, ids=[t[2] for t in TITLES]
)
def test_the_title_without_the_site_name(
    report: str, lang: str, raw: str, head: str, h1: bool, expected: str
) -> None:
    headline, text = TEXTS[lang]
    heading = f"<h1>{headline}</h1>" if h1 else ""
    body = (
        f"<html lang='{lang}'><head><title>{raw}</title>{head}</head><body>"
        "<header><a href='/'>Home</a></header>"
        f"<article>{heading}<p>{text}</p><p>{text}</p></article></body></html>"
    ).encode()
    assert harvest(body, languages=(lang,)).title == expected, report


# --- 6. a PDF's metadata title that names the template, not the document -----------------------------
# trypsynth/paperback#882: an InDesign file name was shown as the book's title;
# NCIOCPL/cgov-digital-platform#2645: "R Graphics Output" metadata titles.

REPORT_DE = (
    "Der Integrationsbericht beschreibt Sprachkurse für Geflüchtete. Die Gemeinden bieten Wohnberatung an. "
    "Das Programm läuft bis Ende des nächsten Jahres."
)
FIRST_SENTENCE = "Der Integrationsbericht beschreibt Sprachkurse für Geflüchtete"


def pdf_titled(title: str, text: str = REPORT_DE) -> bytes:
    """A one-page PDF set in one type size (no heading stands out) whose Info title is `title`."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(tiny_pdf(text))))
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF_TITLES = [
    ("trypsynth/paperback#882", "Microsoft Word - Integrationsbericht_2025_final.docx", FIRST_SENTENCE),
    ("trypsynth/paperback#882", "Microsoft PowerPoint - Präsentation1", FIRST_SENTENCE),
    ("trypsynth/paperback#882", "PowerPoint-Präsentation", FIRST_SENTENCE),
    ("trypsynth/paperback#882", "PowerPoint-presentatie", FIRST_SENTENCE),
    ("trypsynth/paperback#882", "Unbenannt-1", FIRST_SENTENCE),
    ("trypsynth/paperback#882", "Sans titre", FIRST_SENTENCE),
    ("trypsynth/paperback#882", "Folie 1", FIRST_SENTENCE),
    ("trypsynth/paperback#882", "Dokument1", FIRST_SENTENCE),
    ("trypsynth/paperback#882", "Document1", FIRST_SENTENCE),
    ("trypsynth/paperback#882", "Layout 1", FIRST_SENTENCE),
    ("trypsynth/paperback#882", "Titel", FIRST_SENTENCE),
    ("trypsynth/paperback#882", "bericht_2025_v3.indd", FIRST_SENTENCE),
    ("NCIOCPL/cgov-digital-platform#2645", "Integrationsbericht 2025", "Integrationsbericht 2025"),
    # an office program's default title in another EU language
    *(
        ("trypsynth/paperback#882", t, FIRST_SENTENCE)
        for t in [
            "Présentation PowerPoint",
            "Presentazione standard di PowerPoint",
            "Prezentacja programu PowerPoint",
            "Prezentace aplikace PowerPoint",
            "Presentación de PowerPoint",
            "Apresentação do PowerPoint",
            "PowerPoint-esitys",
            "Παρουσίαση του PowerPoint",
            "Diapositive 1",
            "Diapositiva 1",
            "Slajd 1",
            "Documento1",
            "Dokumentum1",
            "Mappe1",
            "Sem título",
            "Senza titolo-1",
            "Nimetön",
            "Namnlös",
            "Bez názvu",
            "Névtelen",
            "Unavngivet",
            "Naamloos",
            "Fără titlu",
            "Без заглавие",
            "Χωρίς τίτλο",
            "Untitled document",
            "Document sans titre",
            "Click to edit Master title style",
            "Cliquez pour modifier le style du titre",
            "Titelmasterformat durch Klicken bearbeiten",
        ]
    ),
    ("NCIOCPL/cgov-digital-platform#2645", "R Graphics Output", FIRST_SENTENCE),
    # a title that only mentions such a word stays
    ("trypsynth/paperback#882", "Mit einem Klick zur Einbürgerung", "Mit einem Klick zur Einbürgerung"),
    (
        "trypsynth/paperback#882",
        "Präsentation des Integrationsberichts",
        "Präsentation des Integrationsberichts",
    ),
    ("trypsynth/paperback#882", "Dokument zur Integration 2025", "Dokument zur Integration 2025"),
]


@pytest.mark.parametrize(("report", "metadata_title", "expected"), PDF_TITLES, ids=[t[1] for t in PDF_TITLES])
def test_a_pdf_template_title_gives_way_to_the_text(report: str, metadata_title: str, expected: str) -> None:
    item = harvest(
        pdf_titled(metadata_title),
        url="https://city.example.eu/files/bericht.pdf",
        content_type="application/pdf",
        languages=("de",),
    )
    assert item.title == expected, report
    assert item.raw_title == metadata_title and item.language == "de"


DEFAULT_TITLES = [
    "Презентация на PowerPoint", "PowerPointova predstavitev", "PowerPointi esitlus", "PowerPoint-bemutató",
    "Prezentare PowerPoint", "PowerPoint prezentācija", "PowerPoint pateiktis", "PowerPoint-præsentation",
    "Präsentation1", "Asiakirja1", "Документ1", "Έγγραφο1", "Book1", "Classeur1", "Snímek 1", "1. dia",
    "Слайд 1", "Διαφάνεια 1", "Skaidrė 1", "Bez tytułu", "Sin título", "Sans titre-1", "Nimetön-1",
    "Namnlöst dokument", "Documento sin título", "Untitled presentation", "Bez nosaukuma", "Pealkirjata",
    "Be pavadinimo", "Brez naslova", "Bez naslova", "Fare clic per modificare lo stile del titolo",
    "Haga clic para modificar el estilo de título del patrón", "Kliknij, aby edytować styl wzorca tytułu",
    "Mintacím szerkesztése", "Klepnutím lze upravit styl předlohy nadpisu",
    "Щракнете, за да редактирате стила на заглавието в образеца",
    "Noklikšķiniet, lai rediģētu šablona virsraksta stilu", "Klik om de stijl te bewerken",
]  # fmt: skip
OWN_TITLES = [
    "Integrationsbericht 2025", "Présentation du rapport annuel", "Documento di programmazione 2025",
    "Naamloos verleden: migranten in Nederland", "Presentation of the integration strategy 2025",
    "Editorial: click and collect services", "Book of abstracts", "Map of services",
    "Click here to edit your registration form online", "Sin título no hay derechos",
    "PowerPoint training for teachers of migrant children in Vienna",
]  # fmt: skip


@pytest.mark.parametrize(
    ("title", "placeholder"), [(t, True) for t in DEFAULT_TITLES] + [(t, False) for t in OWN_TITLES]
)
def test_office_default_titles_of_the_eu_languages(title: str, placeholder: bool) -> None:
    assert is_placeholder_title(title) is placeholder  # trypsynth/paperback#882


# --- 7. a byte order mark decides the encoding -------------------------------------------------------
# scrapy/w3lib#189: the Content-Type charset was preferred to a byte order mark.

BOMS = {
    "utf8-bom-no-charset": (b"\xef\xbb\xbf", "utf-8", "text/html", ""),
    "utf8-bom-meta-windows-1252": (b"\xef\xbb\xbf", "utf-8", "text/html", '<meta charset="windows-1252">'),
    "utf8-bom-header-iso-8859-1": (b"\xef\xbb\xbf", "utf-8", "text/html; charset=iso-8859-1", ""),
    "utf16le-bom-no-charset": (b"\xff\xfe", "utf-16-le", "text/html", ""),
    "utf16be-bom-header-utf8": (b"\xfe\xff", "utf-16-be", "text/html; charset=utf-8", ""),
}


@pytest.mark.parametrize("lang", ["de", "pl", "el", "bg", "cs"])
@pytest.mark.parametrize(("bom", "codec", "content_type", "meta"), BOMS.values(), ids=BOMS.keys())
def test_a_byte_order_mark_decides_the_encoding(
    bom: bytes, codec: str, content_type: str, meta: str, lang: str
) -> None:
    headline, text = TEXTS[lang]
    page = (
        f"<html lang='{lang}'><head>{meta}<title>{headline}</title></head><body><article><h1>{headline}</h1>"
        f"<p>{text}</p><p>{text}</p></article></body></html>"
    )
    item = harvest(bom + page.encode(codec), content_type=content_type, languages=(lang,))  # scrapy/w3lib#189
    assert item.title == headline and item.language == lang
    assert text.split(".")[0] in (item.text or "")


# --- 8. an odd character reference in the article ---------------------------------------------------
# codelucas/newspaper#541: "All strings must be XML compatible" stopped the extraction of a page.

REFERENCES = [
    "&#x80;",
    "&#x9F;",
    "&#x7F;",
    "&#xD800;",
    "&#xDFFF;",
    "&#x110000;",
    "&#xFDD0;",
    "\x01",
    "\x0b",
    "\x7f",
    # a reference to a C0 control or to U+FFFE/U+FFFF: libxml2 keeps it, XML refuses it
    "&#1;",
    "&#x1;",
    "&#x0B;",
    "&#xFFFE;",
    "&#xFFFF;",
    "&#x1F;",
    "&#x0C;",
    "&#12;",
    "&#0000001;",
    "&#x1",
    "&#X1f;",
    "&#0;",
    "\ufffe",
    "\x1f",
]


@pytest.mark.parametrize("lang", ["de", "fr", "pl"])
@pytest.mark.parametrize("reference", REFERENCES, ids=[repr(r) for r in REFERENCES])
def test_an_odd_character_reference_keeps_the_text(reference: str, lang: str) -> None:
    headline, text = TEXTS[lang]
    body = (
        f"<html lang='{lang}'><head><title>{headline}</title></head><body><article><h1>{headline}</h1>"
        f"<p>{text} A{reference}B.</p><p>{text}</p></article></body></html>"
    ).encode()
    item = harvest(body, languages=(lang,))  # codelucas/newspaper#541
    assert item.title == headline
    assert (item.text or "").count(text.split(".")[0]) == 2
    assert "extract.html_failed" not in item.flags


REFERENCE_PLACES = {
    "title-attribute": "<p title='Kurs&#1;e'>{text}</p><p>{text}</p>",
    "heading-and-list": "<h2>Anmeldung&#xFFFF;</h2><ul><li>{text}&#x1F;</li></ul><p>{text}</p>",
    "every-paragraph": "<p>&#x0B;{text}&#2;</p><p>&#xFFFE;{text}&#x08;</p>",
    "plain-paragraphs": "<p>{text}</p><p>{text}</p>",
}


@pytest.mark.parametrize("lang", ["de", "el", "bg", "fi"])
@pytest.mark.parametrize("body", REFERENCE_PLACES.values(), ids=REFERENCE_PLACES.keys())
def test_control_references_anywhere_keep_the_text(body: str, lang: str) -> None:
    headline, text = TEXTS[lang]
    page = (
        f"<html lang='{lang}'><head><title>{headline}&#1;</title>"
        f"<meta name='description' content='Kurse&#x1; 2025'></head><body><article><h1>{headline}</h1>"
        f"{body.format(text=text)}</article></body></html>"
    ).encode()
    item = harvest(page, languages=(lang,))  # codelucas/newspaper#541
    assert item.title == headline and item.language == lang
    assert text.split(".")[0] in (item.text or "") and "extract.html_failed" not in item.flags
    assert not any(c in (item.text or "") for c in "\x01\x02\x08\x0b\x1f\ufffe\uffff")


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("A&#1;B", "AB"),
        ("A&#x0B;B", "A B"),  # a vertical tab or form feed is whitespace
        ("A&#12;B", "A B"),
        ("A&#xFFFE;B&#XFFFF", "AB"),
        ("A&#0000001;B", "AB"),
        ("A&#x80;B", "A&#x80;B"),  # Windows-1252, as HTML maps it
        ("A&#x7F;B", "A&#x7F;B"),  # XML allows DEL
        ("A&#9;B&#10;C&#13;D", "A&#9;B&#10;C&#13;D"),
        ("A&#x1F600;B", "A&#x1F600;B"),  # the hex digits are read to their end: no control
        ("A&#x1FFFE;B&#xFDD0;", "A&#x1FFFE;B&#xFDD0;"),
        ("A&#0;B&#xD800;", "A&#0;B&#xD800;"),  # libxml2 gives U+FFFD itself
        ("A&amp;#1;B", "A&amp;#1;B"),  # text, not a reference
    ],
)
def test_only_references_xml_refuses_change(markup: str, expected: str) -> None:
    assert drop_bad_references(f"<p>{markup}</p>") == f"<p>{expected}</p>"


def test_an_article_trafilatura_discards_is_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty text is never unflagged: trafilatura returning nothing for a page with an article."""
    monkeypatch.setattr("pipelines.extract.trafilatura.bare_extraction", lambda *a, **k: None)
    item = harvest(article("de"), languages=("de",))
    assert "extract.html_failed" in item.flags


# --- 9. English boilerplate around a page in another language ---------------------------------------
# Mimino666/langdetect#105 and shuyo/language-detection#12: short or mixed text got another language.

BANNER = (
    "<div id='cookie-banner' class='cookie-consent'><p>We use cookies to improve your experience on our "
    "website. By continuing to browse, you agree to our use of cookies. You can change your cookie settings "
    "at any time.</p><button>Accept all cookies</button><button>Manage preferences</button></div>"
)
NAV = (
    "<nav><ul>"
    + "".join(
        f"<li><a href='/{n}'>{w}</a></li>"
        for n, w in enumerate(["Home", "About us", "News", "Events", "Contact", "Privacy policy"])
    )
    + "</ul></nav>"
)
FOOTER = (
    "<footer><p>Copyright 2025 City of Sampleton. All rights reserved. This website is co-funded by the "
    "Asylum, Migration and Integration Fund of the European Union.</p></footer>"
)
LAYOUTS = {
    "banner-before-page-lang-en": (False, "en", True),
    "banner-inside-article-no-source-languages": (True, None, False),
    "banner-inside-article-lang-en": (True, "en", False),
}


@pytest.mark.parametrize(
    "lang",
    [
        "de",
        "fr",
        "pl",
        "cs",
        "el",
        "hu",
        "fi",
        "lt",
        "lv",
        "et",
        "hr",
        "sk",
        "ro",
        "bg",
        "nl",
        "it",
        "es",
        "pt",
    ],
)
@pytest.mark.parametrize(("inside", "page_lang", "declared"), LAYOUTS.values(), ids=LAYOUTS.keys())
def test_english_boilerplate_does_not_decide_the_language(
    inside: bool, page_lang: str | None, declared: bool, lang: str
) -> None:
    headline, text = TEXTS[lang]
    body = (
        f"<html lang='{page_lang or lang}'><head><title>{headline}</title></head><body>"
        f"{'' if inside else BANNER}{NAV}<article><h1>{headline}</h1><p>{text}</p>"
        f"{BANNER if inside else ''}</article>{FOOTER}</body></html>"
    ).encode()
    item = harvest(body, languages=(lang, "en") if declared else ())  # Mimino666/langdetect#105
    assert item.language == lang


# --- 10. a meta refresh ------------------------------------------------------------------------------
# scrapy/w3lib#162 and scrapy/scrapy#4967: attribute order; scrapy/scrapy#7042: <base href>;
# scrapy/scrapy#142: a refresh inside <noscript>; scrapy/scrapy#315: relative targets.

OLD = "https://city.example.eu/old/page"
NEW = "https://city.example.eu/new/page"
LONG_HEAD = "<meta name='keywords' content='" + "integration, " * 400 + "'>"
LONG_SCRIPT = "<script>" + "var x = 1;\n" * 500 + "</script>"


@dataclass(frozen=True)
class Refresh:
    report: str
    head: str
    body: str = ""
    expected: str | None = NEW


REFRESHES = {
    "content-before-http-equiv": Refresh(
        "scrapy/w3lib#162", '<meta content="0;url=/new/page" http-equiv="refresh">'
    ),
    "content-before-http-equiv-upper": Refresh(
        "scrapy/scrapy#4967", "<META CONTENT='0; URL=/new/page' HTTP-EQUIV='Refresh'>"
    ),
    "after-5k-of-head": Refresh(
        "scrapy/scrapy#4967", LONG_HEAD + "<meta http-equiv='refresh' content='0; url=/new/page'>"
    ),
    "after-5k-inline-script": Refresh(
        "scrapy/scrapy#4967", LONG_SCRIPT + "<meta http-equiv='refresh' content='0; url=/new/page'>"
    ),
    "in-body": Refresh(
        "scrapy/scrapy#4967", "", "<meta http-equiv='refresh' content='0; url=/new/page'><p>Moved</p>"
    ),
    "parent-relative": Refresh(
        "scrapy/scrapy#315", "<meta http-equiv='refresh' content='0; url=../new/page'>"
    ),
    "base-href": Refresh(
        "scrapy/scrapy#7042",
        "<base href='https://city.example.eu/new/'><meta http-equiv='refresh' content='0; url=page'>",
    ),
    "non-ascii-path": Refresh(
        "scrapy/scrapy#315",
        "<meta http-equiv='refresh' content='0; url=/aktuelles/integrationsbüro'>",
        expected="https://city.example.eu/aktuelles/integrationsb%C3%BCro",
    ),
    "in-html-comment": Refresh(
        "scrapy/scrapy#142",
        "<!-- <meta http-equiv='refresh' content='0; url=/new/page'> -->",
        "<p>Text</p>",
        None,
    ),
    "in-script-string": Refresh(
        "scrapy/scrapy#142",
        "<script>var s = \"<meta http-equiv='refresh' content='0; url=/new/page'>\";</script>",
        "<p>Text</p>",
        None,
    ),
    "in-noscript": Refresh(
        "scrapy/scrapy#142",
        "<noscript><meta http-equiv='refresh' content='0; url=/new/page'></noscript>",
        "<p>Text</p>",
        None,
    ),
}


@pytest.mark.parametrize("case", REFRESHES.values(), ids=REFRESHES.keys())
def test_a_meta_refresh_is_followed_as_a_browser_follows_it(case: Refresh) -> None:
    body = f"<html><head>{case.head}<title>t</title></head><body>{case.body}</body></html>".encode()
    response = HtmlResponse(OLD, body=body, headers={"Content-Type": HTML}, request=Request(OLD))
    outcome = _middleware().process_response(response.request, response)  # type: ignore[arg-type]
    got = outcome.url if isinstance(outcome, Request) else None
    assert got == case.expected, case.report


# --- 11. robots.txt paths and groups -----------------------------------------------------------------

ROBOTS = [
    ("scrapy/protego#17", "User-Agent: *\nDisallow: /\n", "https://city.example.eu", False),
    (
        "scrapy/protego#28",
        "User-agent: *\nDisallow: /news/*q=*relevance*\n",
        "https://city.example.eu/news/list?q=%3Arelevance%3Atype",
        False,
    ),
    (
        "crawler-commons/crawler-commons#195",
        "User-agent: *\nDisallow: /aktuelles/büro\n",
        "https://city.example.eu/aktuelles/b%C3%BCro/x",
        False,
    ),
    (
        "crawler-commons/crawler-commons#195",
        "User-agent: *\nDisallow: /aktuelles/b%C3%BCro\n",
        "https://city.example.eu/aktuelles/büro/x",
        False,
    ),
    (
        "crawler-commons/crawler-commons#195",
        "User-agent: *\nDisallow: /a/b\n",
        "https://city.example.eu/a%2Fb",
        True,
    ),
    (
        "crawler-commons/crawler-commons#195",
        "User-agent: *\nDisallow: /caf%c3%a9\n",
        "https://city.example.eu/caf%C3%A9",
        False,
    ),
    (
        "google/robotstxt#57",
        "User-agent: *\nDisallow: /path/file-with-a-%2A.html\n",
        "https://city.example.eu/path/file-with-a-*.html",
        False,
    ),
    (
        "google/robotstxt#57",
        "User-agent: *\nDisallow: /path/foo-%24\n",
        "https://city.example.eu/path/foo-$",
        False,
    ),
    (
        "scrapy/protego#17",
        "User-agent: EWSI-Harvester\nDisallow: /private\n\nUser-agent: *\nAllow: /\n",
        "https://city.example.eu/private/x",
        False,
    ),
    (
        "scrapy/protego#17",
        "User-agent: otherbot\nUser-agent: ewsi-harvester\nDisallow: /private\n",
        "https://city.example.eu/private/x",
        False,
    ),
    (
        "scrapy/protego#17",
        "User-agent: *\nDisallow: /news\nAllow: /news$\n",
        "https://city.example.eu/news",
        True,
    ),
    (
        "scrapy/protego#17",
        "User-agent: *\nDisallow: /page\nAllow: /page\n",
        "https://city.example.eu/page",
        True,
    ),
]


@pytest.mark.parametrize(
    ("report", "robots", "url", "allowed"), ROBOTS, ids=[f"{r[0]}-{r[2][23:]}" for r in ROBOTS]
)
def test_robots_txt_paths_and_groups(report: str, robots: str, url: str, allowed: bool) -> None:
    assert rules_for(200, robots.encode()).allowed(url, "ewsi-harvester") is allowed, report


@pytest.mark.parametrize(
    ("short", "year"),
    [
        ("25", 2025),
        ("26", 2026),
        ("27", 2027),
        ("28", 1928),
        ("49", 1949),
        ("68", 1968),
        ("99", 1999),
        ("00", 2000),
    ],
)
def test_an_apostrophe_year_is_never_after_next_year(short: str, year: int) -> None:
    """scrapinghub/dateparser#651: "4 March '68" is 1968, not strptime's 2068 (a page's date is not
    in the future); on 7 December 2026 the latest is 2027."""
    from pipelines.extract import _full_year

    assert _full_year({"short": short}, date(2026, 12, 7)) == year
