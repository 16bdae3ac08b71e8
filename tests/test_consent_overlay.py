"""A consent overlay sits beside the article, a consent wall replaces it: a page is a wall (flag
``extract.consent``, no text) only when no article text is left once the consent dialog and its
banner lines are gone. Made-up pages: a marked dialog (``cmp-banner``) before the article plus an
unmarked banner line, in 8 languages, over long, short and one-sentence articles; walls whose only
text is the dialog and a "subscribe or accept" line; a page that is only a consent script."""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document

DIALOGS = {
    "de": ("Datenschutzeinstellungen", "Wir nutzen Cookies und verarbeiten Daten mit Ihrer Einwilligung.",
           "Alle akzeptieren", "Ablehnen"),
    "fr": ("Vos choix", "Nous utilisons des cookies et des traceurs avec votre consentement.",
           "Accepter", "Refuser"),
    "it": ("Le tue scelte", "Utilizziamo i cookie e strumenti di tracking con il tuo consenso.",
           "Accetta", "Rifiuta"),
    "es": ("Tu privacidad", "Utilizamos cookies propias y de terceros con su consentimiento.",
           "Aceptar", "Rechazar"),
    "pl": ("Twoja prywatność", "Używamy plików cookies i ciasteczek za Twoją zgodą.",
           "Akceptuję", "Odrzuć"),
    "nl": ("Uw privacy", "Wij gebruiken cookies en tracking met uw toestemming.",
           "Accepteren", "Weigeren"),
    "pt": ("A sua privacidade", "Utilizamos cookies e tecnologias de tracking com o seu consentimento.",
           "Aceitar", "Rejeitar"),
    "sv": ("Din integritet", "Vi använder cookies och spårning med ditt samtycke.",
           "Acceptera", "Avvisa"),
}  # fmt: skip
BANNER_LINES = {
    "de": "Diese Website verwendet Cookies. Mehr in der Datenschutzerklärung",
    "fr": "Ce site utilise des cookies. Gérer le consentement",
    "it": "Questo sito utilizza cookie. Informativa privacy",
    "es": "Este sitio utiliza cookies. Política de privacy",
    "pl": "Ta strona używa ciasteczek. Polityka prywatności",
    "nl": "Deze site gebruikt cookies. Privacy en cookiebeleid",
    "pt": "Este site utiliza cookies. Política de privacy",
    "sv": "Webbplatsen använder cookies. Om samtycke",
}
HEADLINES = {
    "de": "Sprachkurs für Neuzugewanderte im Stadtteilzentrum",
    "fr": "Un cours de langue pour les nouveaux arrivants",
    "it": "Un corso di lingua per i nuovi arrivati in città",
    "es": "Un curso de idioma para los recién llegados",
    "pl": "Kurs językowy dla nowo przybyłych w centrum",
    "nl": "Taalcursus voor nieuwkomers in het buurthuis",
    "pt": "Curso de língua para recém-chegados no centro",
    "sv": "Språkkurs för nyanlända i kvarteret",
}
SENTENCES = {
    "de": "Im Stadtteilzentrum beginnt im Januar ein Deutschkurs für Neuzugewanderte mit Kinderbetreuung.",
    "fr": "Le centre social ouvre en janvier un cours de français pour les nouveaux arrivants.",
    "it": "Il centro civico apre a gennaio un corso di italiano per i nuovi arrivati con i bambini.",
    "es": "El centro cívico abre en enero un curso de español para los recién llegados y sus hijos.",
    "pl": "Centrum dzielnicy otwiera w styczniu kurs polskiego dla nowo przybyłych rodzin z dziećmi.",
    "nl": "Het buurthuis start in januari een taalcursus Nederlands voor nieuwkomers met kinderopvang.",
    "pt": "O centro comunitário abre em janeiro um curso de português para recém-chegados e famílias.",
    "sv": "Kvarterscentret startar i januari en kurs i svenska för nyanlända med barnpassning.",
}
WALL_LINES = {
    "de": "Um weiterzulesen, akzeptieren Sie Cookies oder schließen Sie ein Abo ab.",
    "fr": "Pour continuer, acceptez les cookies ou abonnez-vous.",
    "it": "Per continuare a leggere accetta i cookie oppure abbonati.",
    "sv": "För att läsa vidare, acceptera cookies eller teckna en prenumeration.",
}


def dialog(lang: str) -> str:
    title, text, accept, reject = DIALOGS[lang]
    return (
        f"<div class='cmp-banner' role='dialog'><h2>{title}</h2><p>{text}</p>"
        f"<button>{accept}</button><button>{reject}</button></div>"
    )


def page(lang: str, article: str) -> bytes:
    unmarked = f"<div><p>{BANNER_LINES[lang]}</p><button>OK</button></div>"
    nav = (
        "<header><nav><ul><li><a href='/'>Home</a></li><li><a href='/news/'>News</a></li></ul></nav></header>"
    )
    html = (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{HEADLINES[lang]}</title>"
        f"</head><body>{unmarked}{nav}{dialog(lang)}<main><article>{article}</article></main>"
        "<footer><p>© 2026 Example</p></footer></body></html>"
    )
    return html.encode()


def extract(body: bytes) -> tuple[str, tuple[str, ...]]:
    document = extract_document(body, "https://www.example.eu/news/7", "text/html")
    return document.text or "", document.warnings


@pytest.mark.parametrize("paragraphs", [1, 3, 12], ids=["one-sentence", "short", "long"])
@pytest.mark.parametrize("lang", DIALOGS)
def test_overlay_beside_an_article_keeps_the_article(lang: str, paragraphs: int) -> None:
    body = "".join(f"<p>{n + 1}. {SENTENCES[lang]}</p>" for n in range(paragraphs))
    text, warnings = extract(page(lang, f"<h1>{HEADLINES[lang]}</h1>{body}"))
    assert "extract.consent" not in warnings
    assert f"1. {SENTENCES[lang]}" in text
    assert f"{paragraphs}. {SENTENCES[lang]}" in text
    assert DIALOGS[lang][1] not in text  # the dialog's text
    assert BANNER_LINES[lang] not in text  # the unmarked banner's line


@pytest.mark.parametrize("lang", WALL_LINES)
def test_wall_without_article_text_is_flagged(lang: str) -> None:
    text, warnings = extract(page(lang, f"<h1>{HEADLINES[lang]}</h1><p>{WALL_LINES[lang]}</p>"))
    assert "extract.consent" in warnings
    assert text == ""


def test_wall_with_only_the_dialog_is_flagged() -> None:
    html = f"<html lang='de'><head><title>Zeitung</title></head><body>{dialog('de')}"
    html += f"<main><p>{WALL_LINES['de']}</p></main></body></html>"
    text, warnings = extract(html.encode())
    assert "extract.consent" in warnings
    assert text == ""


def test_consent_script_only_page_has_no_text() -> None:
    html = (
        "<html lang='de'><head><title>Nachrichten</title>"
        "<script src='https://cdn.example.net/cmp/stub.js'></script></head>"
        "<body><div id='onetrust-consent-sdk'></div><div id='app'></div>"
        "<script>window.__cmp('init', {consent: true});</script></body></html>"
    )
    text, warnings = extract(html.encode())
    assert text == ""
    assert "extract.html_failed" not in warnings
