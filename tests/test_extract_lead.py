"""The lead paragraph a news page sets apart from its body container comes back into the text
(pipelines.lead.restore_lead): the page's description is the lead when an element holds it before
the first extracted paragraph, inside the same article; a tagline in the header, a teaser in the
footer, a short description or one the text already holds change nothing. Made-up pages in several
languages, one shape per row."""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document

LEAD = {
    "de": "Die Stadt eröffnet drei neue Sprachcafés für Geflüchtete und sucht dafür ehrenamtliche "
    "Helferinnen und Helfer aus allen Stadtteilen.",
    "fr": "La ville ouvre trois nouveaux cafés linguistiques pour les réfugiés et cherche des bénévoles "
    "dans tous les quartiers pour les animer.",
    "pl": "Miasto otwiera trzy nowe kawiarenki językowe dla uchodźców i szuka wolontariuszy ze "
    "wszystkich dzielnic, którzy poprowadzą spotkania.",
}
BODY = {
    "de": "Die Cafés öffnen jeden Dienstag und Donnerstag im Stadtteilzentrum. Dort üben die Gäste "
    "Deutsch im Gespräch, bekommen Hilfe bei Formularen und lernen Nachbarn kennen. Die Stadt zahlt "
    "Miete und Getränke, die Volkshochschule schult die Ehrenamtlichen in zwei Abendkursen.",
    "fr": "Les cafés ouvrent le mardi et le jeudi au centre social. Les participants y pratiquent le "
    "français, reçoivent de l'aide pour leurs formulaires et rencontrent leurs voisins. La ville paie "
    "le loyer et les boissons, et forme les bénévoles en deux soirées.",
    "pl": "Kawiarenki będą czynne we wtorki i czwartki w domu kultury. Goście ćwiczą tam polski w "
    "rozmowie, dostają pomoc przy formularzach i poznają sąsiadów. Miasto płaci czynsz i napoje, a "
    "wolontariusze przejdą dwa wieczorne szkolenia.",
}


def page(
    lang: str, description: str, before: str, article_lead: str, after: str = "", wrapper: bool = False
) -> bytes:
    """A news page: `before` in its header, `article_lead` between the headline and the body container,
    `after` in its footer; with `wrapper`, header, article and footer sit in one page-wide <div>."""
    body = "".join(f"<p>{BODY[lang]}</p>" for _ in range(3))
    inner = (
        f"<header><nav><a href='/'>Start</a></nav>{before}</header><main><article><h1>Sprachcafés</h1>"
        f'{article_lead}<div class="article-body-text section-text">{body}</div></article></main>'
        f"<footer>{after}</footer>"
    )
    return (
        f'<html lang="{lang}"><head><meta charset="utf-8"><title>Sprachcafés</title>'
        f'<meta property="og:description" content="{description}"></head><body>'
        + (f'<div class="page">{inner}</div>' if wrapper else inner)
        + "</body></html>"
    ).encode()


def text_of(body: bytes) -> str:
    return extract_document(body, "https://www.example.eu/news/1", "text/html").text or ""


@pytest.mark.parametrize("lang", list(LEAD))
def test_a_lead_outside_the_body_container_is_restored(lang: str) -> None:
    text = text_of(page(lang, LEAD[lang], "", f'<p class="article-leadtext">{LEAD[lang]}</p>'))
    assert text.startswith(LEAD[lang])
    assert BODY[lang] in text


@pytest.mark.parametrize("lang", list(LEAD))
def test_a_description_cut_short_still_finds_its_lead(lang: str) -> None:
    cut = LEAD[lang][:90].rsplit(" ", 1)[0] + " …"
    text = text_of(page(lang, cut, "", f'<div class="standfirst"><p>{LEAD[lang]}</p></div>'))
    assert text.startswith(LEAD[lang])


@pytest.mark.parametrize("lang", list(LEAD))
def test_a_tagline_or_a_footer_teaser_is_no_lead(lang: str) -> None:
    in_header = text_of(page(lang, LEAD[lang], f'<p class="tagline">{LEAD[lang]}</p>', ""))
    in_footer = text_of(page(lang, LEAD[lang], "", "", after=f'<p class="teaser">{LEAD[lang]}</p>'))
    for text in (in_header, in_footer):
        assert LEAD[lang] not in text
        assert text.startswith(BODY[lang][:40])


def test_nothing_changes_without_a_lead_to_restore() -> None:
    lang = "de"
    short = text_of(page(lang, "Sprachcafés für alle", "", "<p class='lead'>Sprachcafés für alle</p>"))
    assert short.startswith(BODY[lang][:40])
    none = text_of(page(lang, "", "", ""))
    assert none.startswith(BODY[lang][:40])
    # a description the text already holds is not put in twice
    inside = text_of(page(lang, BODY[lang][:120], "", ""))
    assert inside == none


TAGLINE = '<p class="tagline">' + LEAD["de"] + "</p>"


@pytest.mark.parametrize(
    ("header", "above"),
    [
        (TAGLINE, ""),  # the site's tagline in a header inside the page wrapper
        ("", '<div class="related"><a href="/a/2">' + LEAD["de"] + "</a></div>"),  # a teaser link
        ("", "<blockquote>" + LEAD["de"] + "</blockquote>"),  # a pull quote
        ("", '<figure><img src="a.jpg"><figcaption>' + LEAD["de"] + "</figcaption></figure>"),
        # a cookie notice that starts as the description does
        ("", '<div class="notice"><p>' + LEAD["de"] + " Wir verwenden Cookies.</p></div>"),
    ],
)
def test_what_only_looks_like_a_lead_stays_out(header: str, above: str) -> None:
    text = text_of(page("de", LEAD["de"], header, above, wrapper=True))
    assert not text.startswith(LEAD["de"][:60])


def test_a_lead_with_soft_hyphens_is_found() -> None:
    hyphenated = (
        LEAD["de"].replace("Sprachcafés", "Sprach\u00adcafés").replace("ehrenamtliche", "ehren\u00adamtliche")
    )
    text = text_of(page("de", LEAD["de"], "", f'<p class="lead">{hyphenated}</p>'))
    assert text.replace("\u00ad", "").startswith(LEAD["de"])
