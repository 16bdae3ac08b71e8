"""A brief article (two or three short paragraphs) is stored as its paragraphs, like a long one of the
same template: its section label, byline and date line, share buttons and "read also" links are no
text (pipelines.extract._unrescued, pipelines.furniture). Made-up pages in the EU languages, with the
containers, labels, bylines and buttons news sites use."""

from __future__ import annotations

import pytest

from pipelines.extract import RESCUE_CHARS, extract_document

KICKERS = {
    "span": '<span class="kicker">{}</span>',
    "p": '<p class="section-label">{}</p>',
    "a": '<a class="category" href="/section/">{}</a>',
}
BYLINES = {
    "div": '<div class="byline">{}</div>',
    "p": '<p class="meta">{}</p>',
    "address": '<address class="author">{}</address>',
    "time": '<time datetime="2026-11-23T10:00">{}</time>',
}
SHARES = {
    "div": '<div class="share">{}</div>',
    "a": '<a class="share-link" href="#share">{}</a>',
    "button": '<button class="share" type="button">{}</button>',
    "ul": '<ul class="share-buttons"><li><a href="#fb">Facebook</a></li><li><a href="#x">{}</a></li></ul>',
}
READ_ALSO = '<p><strong>{}</strong> <a href="/other/">{}</a></p>'


def page(lang: str, shape: tuple[str, str, str, str], parts: dict[str, str], paragraphs: list[str]) -> bytes:
    container, kicker, byline, share = shape
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    if "also" in parts:
        cue, teaser = parts["also"].split("|")
        body += READ_ALSO.format(cue, teaser)
    article = (
        KICKERS[kicker].format(parts["kicker"])
        + f"<h1>{parts['headline']}</h1>"
        + BYLINES[byline].format(parts["byline"])
        + body
        + SHARES[share].format(parts["share"])
    )
    wrapped = {
        "article": f"<main><article>{article}</article></main>",
        "main": f"<main>{article}</main>",
        "div": f'<div class="article-body">{article}</div>',
    }[container]
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{parts['headline']} | Lokalnachrichten</title></head><body>"
        '<header><a class="logo" href="/">Lokalnachrichten</a><nav><ul><li><a href="/a">Politik</a></li>'
        '<li><a href="/b">Sport</a></li><li><a href="/c">Kultur</a></li></ul></nav></header>'
        f"{wrapped}"
        '<aside><h2>Meistgelesen</h2><ul><li><a href="/d">Wetter</a></li><li><a href="/e">Horoskop</a></li>'
        "</ul></aside><footer><p>© 2026 Lokalnachrichten · Impressum · Datenschutz</p></footer>"
        "</body></html>"
    ).encode()


CASES = [
    ("cs", ("article", "span", "div", "div"),
     {"kicker": "Brno", "headline": "Ukrajinské lékařky čekají na uznání diplomu",
      "byline": "Autor: Petr Novák · 2. prosince 2026 19:20", "share": "Sdílet"},
     ["Desítky lékařek, které utekly před válkou, pracují jako sanitářky.",
      "Nemocnice by je přitom hned zaměstnaly."]),
    ("de", ("article", "p", "p", "button"),
     {"kicker": "Sport", "headline": "Kinder aus Flüchtlingsfamilien finden keinen Kitaplatz",
      "byline": "Von Julia Schmidt · 23.11.2026 · Aktualisiert am 01.12.2026, 13:00 Uhr",
      "share": "Artikel teilen"},
     ["In den Unterkünften leben 300 Kinder ohne Platz.", "Die Stadt richtet Brückenangebote ein."]),
    ("fr", ("main", "a", "address", "a"),
     {"kicker": "Presse", "headline": "Mineurs non accompagnés : le droit à l'école bafoué",
      "byline": "Par L'équipe de Lyon · Publié le 21 novembre 2026", "share": "Partager"},
     ["Une trentaine de jeunes attendent leur affectation scolaire.",
      "Nous avons saisi le tribunal administratif."]),
    ("sv", ("div", "span", "time", "ul"),
     {"kicker": "Luleå", "headline": "Trångboddheten ökar bland flyktingfamiljer",
      "byline": "24 november 2026 kl. 16.30", "share": "Dela"},
     ["Bostadsbolaget har inga lediga lägenheter för familjerna.",
      "Flera familjer bor sju personer i en tvåa.", "Socialtjänsten larmar."]),
    ("nl", ("article", "p", "div", "a"),
     {"kicker": "Werk en inkomen", "headline": "Tijdelijke woningen voor nieuwkomers op Leidsche Rijn",
      "byline": "Redactie Gemeente Utrecht · 27 november 2026", "share": "Deel deze pagina"},
     ["De gemeente bouwt 200 tijdelijke woningen voor statushouders.",
      "Een wijkcoach begeleidt de bewoners."]),
    ("pl", ("main", "span", "p", "button"),
     {"kicker": "Wrocław", "headline": "Kursy polskiego dla cudzoziemców bez kolejki",
      "byline": "Autor: Anna Kowalska · 4 grudnia 2026, 08:30", "share": "Udostępnij"},
     ["Urząd miasta otwiera trzy nowe grupy kursu językowego.", "Zapisy trwają do piątku."]),
    ("it", ("div", "a", "div", "div"),
     {"kicker": "Cronaca", "headline": "Sportello salute per i migranti apre in centro",
      "byline": "di Marco Rossi · 2 dicembre 2026", "share": "Condividi"},
     ["Il nuovo sportello offre visite gratuite due giorni a settimana.",
      "Servono solo un documento e il codice fiscale."]),
    ("es", ("article", "p", "address", "ul"),
     {"kicker": "Sociedad", "headline": "Clases de español gratuitas para refugiados en Zaragoza",
      "byline": "Por Lucía Martín · 4 de diciembre de 2026", "share": "Compartir"},
     ["La asociación abre dos grupos nuevos en enero.", "Las plazas se asignan por orden de inscripción."]),
    ("fi", ("main", "span", "time", "a"),
     {"kicker": "Turku", "headline": "Ukrainalaiset työllistyvät telakalle",
      "byline": "3.12.2026 klo 9.15", "share": "Jaa"},
     ["Telakka palkkaa kolmekymmentä hitsaajaa.", "Kielikoulutus alkaa tammikuussa."]),
    ("hr", ("div", "p", "p", "button"),
     {"kicker": "Zagreb", "headline": "Strani radnici dobivaju tečaj hrvatskog jezika",
      "byline": "Autor: Ivana Horvat · 1. prosinca 2026.", "share": "Podijeli"},
     ["Grad financira tečaj za dvjesto radnika.", "Nastava počinje u siječnju."]),
    ("el", ("article", "a", "div", "ul"),
     {"kicker": "Κοινωνία", "headline": "Νέα τμήματα ελληνικών για πρόσφυγες στη Θεσσαλονίκη",
      "byline": "Συντάκτης: Μαρία Παπαδοπούλου · 2 Δεκεμβρίου 2026", "share": "Κοινοποίηση"},
     ["Ο δήμος ανοίγει τέσσερα νέα τμήματα.", "Οι εγγραφές γίνονται στο κέντρο κοινότητας."]),
    ("hu", ("main", "span", "address", "div"),
     {"kicker": "Belföld", "headline": "Magyar nyelvtanfolyam indul menekülteknek",
      "byline": "Szerző: Kovács Anna · 2026. december 3.", "share": "Megosztás"},
     ["Az önkormányzat ingyenes tanfolyamot szervez.", "Jelentkezni a helyi irodában lehet."]),
    ("ro", ("div", "span", "div", "a"),
     {"kicker": "Social", "headline": "Refugiații ucraineni primesc locuri de muncă la Cluj",
      "byline": "Autor: Andrei Pop · 2 decembrie 2026", "share": "Distribuie"},
     ["Zece firme au semnat contracte cu refugiații.", "Primăria oferă și cursuri de limba română."]),
    ("da", ("article", "span", "time", "button"),
     {"kicker": "Aarhus", "headline": "Flygtninge får job i plejesektoren",
      "byline": "5. december 2026 kl. 10.00", "share": "Del artiklen"},
     ["Kommunen ansætter tyve nye medarbejdere.", "De får danskundervisning i arbejdstiden."]),
    ("pt", ("main", "p", "div", "ul"),
     {"kicker": "Sociedade", "headline": "Aulas de português para recém-chegados em Lisboa",
      "byline": "Por Joana Silva · 3 de dezembro de 2026", "share": "Partilhar"},
     ["A junta de freguesia abre novas turmas.", "As inscrições são gratuitas."]),
    ("lt", ("article", "span", "div", "div"),
     {"kicker": "Kaunas", "headline": "Užsieniečiai darbuotojai Kaune",
      "byline": "Autorius: Jonas Petraitis · 2026 m. gruodžio 2 d.", "share": "Dalintis",
      "also": "Skaitykite daugiau:|Kauno įmonėse dirba užsieniečiai …"},
     ["Migrantų centras padeda susirasti būstą.", "Centras dirba darbo dienomis."]),
    ("sk", ("div", "a", "p", "a"),
     {"kicker": "Košice", "headline": "Odídenci z Ukrajiny hľadajú byty",
      "byline": "Autor: Peter Horváth · 4. decembra 2026", "share": "Zdieľať",
      "also": "Čítajte aj:|Nové miesta v škôlkach"},
     ["Mesto eviduje dvesto žiadostí o nájomný byt.", "Nové byty budú hotové na jar."]),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "shape", "parts", "paragraphs"), CASES)
def test_brief_article_is_its_paragraphs(
    lang: str, shape: tuple[str, str, str, str], parts: dict[str, str], paragraphs: list[str]
) -> None:
    assert len("".join(paragraphs)) < RESCUE_CHARS  # short enough for trafilatura's rescue
    document = extract_document(
        page(lang, shape, parts, paragraphs), f"https://news.example/{lang}/x", "text/html"
    )
    assert document.text == "\n".join([parts["headline"], *paragraphs])


LONG = [
    "Die Stadt hat im vergangenen Jahr mehr als vierhundert Plätze in Sprachkursen geschaffen, die meisten "
    "davon am Abend, damit Berufstätige teilnehmen können.",
    "Die Volkshochschule meldet dennoch Wartelisten: Wer sich im Herbst anmeldet, beginnt oft erst im "
    "Frühjahr, und in den Integrationskursen mit Kinderbetreuung ist kein Platz mehr frei.",
    "Der Integrationsbeirat fordert deshalb zusätzliche Lehrkräfte und Räume in den Stadtteilen, in denen "
    "die meisten Familien wohnen, und eine bessere Abstimmung mit den Jobcentern.",
]


def test_long_article_of_the_same_template_is_unchanged() -> None:
    parts = {"kicker": "Sport", "headline": "Wartelisten für Sprachkurse werden länger",
             "byline": "Von Julia Schmidt · 23.11.2026", "share": "Artikel teilen"}  # fmt: skip
    document = extract_document(
        page("de", ("article", "span", "div", "div"), parts, LONG), "https://n.example/de/y", "text/html"
    )
    assert document.text == "\n".join([parts["headline"], *LONG])


def test_a_short_text_the_precision_mode_would_lose_stays() -> None:
    """A page whose paragraphs are links only (trafilatura's precision mode drops them) keeps the first
    extraction: the precision text holds less than half of it."""
    parts = {
        "kicker": "Brno",
        "headline": "Kurzy češtiny pro cizince",
        "byline": "2. prosince 2026",
        "share": "Sdílet",
    }
    links = [f'<a href="/k{i}">Kurz češtiny číslo {i} pro začátečníky v centru města</a>' for i in range(3)]
    document = extract_document(
        page("cs", ("article", "span", "div", "div"), parts, links), "https://n.example/cs/z", "text/html"
    )
    assert "Kurz češtiny číslo 1" in (document.text or "")
