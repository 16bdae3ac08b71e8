"""The publication date a page writes in its byline, the short lines around the headline
(`pipelines.byline`): it beats a whole-page date guess that took an update written above it, a
sidebar's or a related article's date, and it keeps its time of day although main-text extraction
drops the byline's lines. Made-up pages in the markup of common CMSs, one language or rule per row."""

from __future__ import annotations

import pytest

from pipelines.byline import byline_text
from pipelines.extract import extract_document
from pipelines.markup import parse_html

PARAGRAPHS = {
    "de": "Die Stadt erweitert ihr Angebot an Sprachkursen für Zugewanderte in allen Bezirken deutlich. ",
    "hu": "A város jelentősen bővíti a bevándorlóknak szóló nyelvtanfolyamok kínálatát minden kerületben. ",
    "bg": "Общината разширява предлагането на езикови курсове за мигранти във всички квартали на града. ",
    "da": "Kommunen udvider tilbuddet om danskundervisning for nyankomne borgere i alle bydele betydeligt. ",
    "it": "Il Comune amplia in modo significativo l'offerta di corsi di lingua per stranieri. ",
    "es": "El Ayuntamiento amplía de forma notable la oferta de clases de idioma para personas migrantes. ",
    "nl": "De gemeente breidt het aanbod aan taallessen voor nieuwkomers in alle wijken flink uit. ",
    "sk": "Mesto výrazne rozširuje ponuku jazykových kurzov pre cudzincov vo všetkých mestských častiach. ",
    "fr": "La ville élargit nettement son offre de cours de langue pour les personnes migrantes. ",
    "en": "The city is expanding its language classes for newcomers in every district considerably. ",
}


def page(lang: str, top: str, *, before: str = "", after: str = "", title: str = "Neue Kurse") -> bytes:
    """A page whose headline is `title`, `top` the lines between the headline and the text."""
    text = "".join(f"<p>{PARAGRAPHS[lang] * 3}</p>" for _ in range(2))
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} - Stadt</title>'
        f'</head><body><header><h1 class="logo"><a href="/">Stadt</a></h1><nav><a href="/a">A</a></nav>'
        f'</header>{before}<main><article><div class="head"><h1>{title}</h1>{top}</div>{text}'
        f"</article>{after}</main><footer>© 2026 Stadt</footer></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("lang", "body", "published", "modified"),
    [
        # an update written above the publication (Joomla's article info) is the update
        ("de", page("de", '<dl class="article-info"><dd class="modified"><span class="icon-calendar"></span>'
                    " Zuletzt aktualisiert: 05. Mai 2025, 09:12</dd><dd class=\"published\">"
                    '<span class="icon-calendar"></span> Veröffentlicht: 03. Mai 2025, 14:30</dd></dl>'),
         "2025-05-03T14:30", "2025-05-05T09:12"),
        ("de", page("de", '<p class="meta">Stand: 10.03.2025</p>'
                    '<p class="meta">Veröffentlicht am 3. März 2025</p>'),
         "2025-03-03", "2025-03-10"),
        ("hu", page("hu", '<p class="meta">Frissítve: 2025.03.05. | Közzétéve: 2025.03.03.</p>'),
         "2025-03-03", "2025-03-05"),
        ("bg", page("bg", '<p class="date">Обновено: 05.03.2025</p>'
                    '<p class="date">Публикувано: 03.03.2025</p>'),
         "2025-03-03", "2025-03-05"),
        ("da", page("da", '<p class="meta">Opdateret 6. maj 2025 kl. 10.00</p>'
                    '<p class="meta">Publiceret 3. maj 2025 kl. 14.30</p>'),
         "2025-05-03T14:30", "2025-05-06T10:00"),
        ("it", page("it", '<p class="meta">Aggiornato il 5 marzo 2025 alle 18:20</p>'
                    '<p class="meta">Pubblicato: 3 marzo 2025 alle 09:15</p>'),
         "2025-03-03T09:15", "2025-03-05T18:20"),
        ("sk", page("sk", '<div class="info">Aktualizované: 5. marca 2025<br>'
                    "Publikované: 3. marca 2025</div>"),
         "2025-03-03", "2025-03-05"),
        # a widget's or related list's dates, after the article or before it, are not the page's
        ("it", page("it", '<div class="entry-meta">Pubblicato il 3 marzo 2025 ore 14:30 da Redazione</div>',
                    after='<aside class="widget"><h3>Ultime notizie</h3><ul><li>Mercato di Natale '
                    "<span>2 dicembre 2024</span></li></ul></aside>"),
         "2025-03-03T14:30", None),
        ("es", page("es", '<p class="fecha">4 de marzo de 2025</p>',
                    before='<aside class="ultimas"><ul><li><a href="/n1">Ayudas</a> '
                    "<span>28 de febrero de 2025</span></li></ul></aside>"),
         "2025-03-04", None),
        # a byline that text extraction drops keeps its day and its time
        ("nl", page("nl", '<div class="entry-meta">Geplaatst op 3 maart 2025 door Jan</div>',
                    after='<section id="comments"><div class="comment-meta">Sofie schreef op 5 maart 2025 om '
                    "10:12</div><p>Mooi!</p></section>"),
         "2025-03-03", None),
        ("nl", page("nl", '<p class="article-meta">Nieuwsbericht | 03-03-2025 | 14:30</p>'),
         "2025-03-03T14:30", None),
        ("en", page("en", '<div class="ep_subtitle">Press Releases <time>03-03-2025 - 14:30</time></div>'),
         "2025-03-03T14:30", None),
        # the Europa Component Library writes the date in the header block before the headline
        ("fr", page("fr", "", title="Nouveau plan d'action").replace(
            b"<h1>Nouveau",
            '<div class="meta">Communiqué de presse | 3 mars 2025 | Bruxelles</div><h1>Nouveau'.encode()),
         "2025-03-03", None),
        # a time range beside the day is an event's hours: the day stays a day
        ("de", page("de", "<p>Termin: 5.12.2026 14:30 – 16:00 Uhr im Rathaus</p>"), "2026-12-05", None),
    ],
)  # fmt: skip
def test_the_byline_dates_the_page(lang: str, body: bytes, published: str, modified: str | None) -> None:
    document = extract_document(body, "https://stadt.example/aktuelles/neue-kurse", "text/html")
    assert (document.published, document.modified) == (published, modified)


@pytest.mark.parametrize(
    ("markup", "title", "expected"),
    [
        # the headline is the heading that equals the title, a logo's h1 is not
        ('<header><h1><a href="/">Stadt Köln</a></h1></header><h1>Kurse</h1><p>3. März 2025</p>', None,
         "3. März 2025"),
        ('<h2 itemprop="headline">Kurse</h2><dl><dd>Details</dd><dd>3. März 2025</dd></dl>', "Kurse",
         "Details\n3. März 2025"),
        # the byline ends at the first paragraph, the next heading, an aside or a comment block
        ("<h1>Kurse</h1><p>3. März 2025</p><p>" + "Text " * 30 + "</p><p>4. März 2025</p>", None,
         "3. März 2025"),
        ("<h1>Kurse</h1><h2>Termine</h2><p>4. März 2025</p>", None, ""),
        ('<h1>Kurse</h1><aside><p>1. März 2025</p></aside><div class="comments">2. März 2025</div>',
         None, ""),
        # no headline, no byline
        ("<p>3. März 2025</p>", None, ""),
    ],
)  # fmt: skip
def test_byline_text(markup: str, title: str | None, expected: str) -> None:
    tree, _ = parse_html(f"<html><body>{markup}</body></html>")
    assert byline_text(tree, title) == expected


H2_PAGE = (
    '<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{short} | Anzeiger</title></head>'
    '<body><header><div class="brand">Anzeiger</div></header><main><article>'
    '<h2 class="entry-title">{headline}</h2><div class="meta">{line}</div>'
    "<p>{para}</p><p>{para}</p></article></main><footer>© 2026</footer></body></html>"
)


@pytest.mark.parametrize(
    ("lang", "short", "headline", "line", "published"),
    [
        # a page without an h1 sets its headline in an h2: the date line after it dates the page
        ("de", "Unterkunft in Kalk", "Unterkunft in Kalk: Familien warten", "05.12.2026, 09:00 Uhr",
         "2026-12-05T09:00"),
        ("pl", "Dzieci w szkołach", "Dzieci uchodźców w szkołach w Gdańsku", "5 grudnia 2026, 09:00",
         "2026-12-05T09:00"),
        ("fr", "Cours de français", "Des cours pour les nouveaux arrivants", "5 décembre 2026 à 09h15",
         "2026-12-05T09:15"),
        ("it", "Corsi di italiano", "Corsi per i nuovi arrivati a Bologna", "5 dicembre 2026, 18:40",
         "2026-12-05T18:40"),
        ("nl", "Taalcafés", "Nieuwe taalcafés voor nieuwkomers in Utrecht", "5 december 2026 | 14:30",
         "2026-12-05T14:30"),
        ("es", "Clases de español", "Clases de español para recién llegados en Zaragoza",
         "5 de diciembre de 2026, 10:05", "2026-12-05T10:05"),
        # the day alone stays a day
        ("de", "Unterkunft in Kalk", "Gemeinschaftsunterkunft in Kalk: Familien warten", "05.12.2026",
         "2026-12-05"),
    ],
)  # fmt: skip
def test_an_h2_headline_keeps_the_time_of_its_date_line(
    lang: str, short: str, headline: str, line: str, published: str
) -> None:
    para = "Die Stadt sucht Wohnungen für geflüchtete Familien, viele warten seit mehr als zwei Jahren."
    body = H2_PAGE.format(lang=lang, short=short, headline=headline, line=line, para=para).encode()
    document = extract_document(body, "https://stadt.example/aktuelles/seite", "text/html")
    assert document.published == published


def test_an_h1_headline_wins_over_a_later_h2() -> None:
    markup = (
        "<html><body><h1>Neue Kurse</h1><p>3. März 2025, 10:00</p><p>" + "Text " * 30 + "</p>"
        "<h2>Termine</h2><p>4. März 2025, 12:00</p></body></html>"
    )
    tree, _ = parse_html(markup)
    assert byline_text(tree, None) == "3. März 2025, 10:00"
