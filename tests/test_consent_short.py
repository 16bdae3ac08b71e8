"""A short news item under a cookie banner keeps its text, in every language the banner speaks: an
unmarked banner's lines are dropped from the text (they took the article with them), a marked layer's
banner is never the text, and one consent word in the article ("Zustimmung", "consentement") does not
make it a consent wall's remnant. Made-up pages, one language and banner per row."""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document

NEWS = {
    "de": "Die Stadt bietet ab April kostenlose Deutschkurse für neu zugewanderte Familien an.",
    "it": "Il comune offre da aprile corsi gratuiti di italiano per le famiglie appena arrivate.",
    "pl": "Miasto oferuje od kwietnia bezpłatne kursy języka polskiego dla nowo przybyłych rodzin.",
    "el": "Ο δήμος προσφέρει από τον Απρίλιο δωρεάν μαθήματα ελληνικών για νεοαφιχθείσες οικογένειες.",
    "bg": "Общината предлага от април безплатни курсове по български език за новопристигнали семейства.",
    "hu": "A város áprilistól ingyenes magyar nyelvtanfolyamokat kínál az újonnan érkezett családoknak.",
    "ro": "Primăria oferă din aprilie cursuri gratuite de limba română pentru familiile nou sosite.",
    "lt": "Miestas nuo balandžio siūlo nemokamus lietuvių kalbos kursus naujai atvykusioms šeimoms.",
}
BANNERS = {
    "de": "Wir verwenden Cookies, um Inhalte zu personalisieren. Sie können Ihre Einwilligung jederzeit "
    "widerrufen. Weitere Informationen in der Datenschutzerklärung.|Alle akzeptieren|Ablehnen",
    "it": "Utilizziamo i cookie per personalizzare i contenuti. Puoi revocare il consenso in qualsiasi "
    "momento. Informativa sulla privacy.|Accetta tutti|Rifiuta",
    "pl": "Używamy plików cookies, aby personalizować treści. W każdej chwili możesz wycofać zgodę. Więcej "
    "w polityce prywatności.|Akceptuję wszystkie|Odrzuć",
    "el": "Χρησιμοποιούμε cookies για την εξατομίκευση περιεχομένου. Μπορείτε να ανακαλέσετε τη "
    "συγκατάθεσή σας. Πολιτική απορρήτου.|Αποδοχή όλων|Απόρριψη",
    "bg": "Използваме бисквитки, за да персонализираме съдържанието. Можете да оттеглите съгласие по "
    "всяко време. Политика за поверителност.|Приемам|Отхвърлям",
    "hu": "Sütiket használunk a tartalom személyre szabásához. Hozzájárulás bármikor visszavonható. "
    "Adatvédelmi tájékoztató.|Elfogadom|Elutasítom",
    "ro": "Folosim cookie-uri pentru a personaliza conținutul. Vă puteți retrage consimțământul oricând. "
    "Politica de confidențialitate.|Accept toate|Refuz",
    "lt": "Naudojame slapukus turiniui pritaikyti. Sutikimą galite bet kada atšaukti. Privatumo politika."
    "|Sutinku|Nesutinku",
}
WRAPPERS = {
    "dialog": '<div role="dialog" aria-modal="true">{}</div>',
    "section": "<section>{}</section>",
    "onetrust": '<div id="onetrust-banner-sdk">{}</div>',
}


def banner(lang: str, wrapper: str) -> str:
    text, *buttons = BANNERS[lang].split("|")
    return WRAPPERS[wrapper].format(f"<p>{text}</p>" + "".join(f"<button>{b}</button>" for b in buttons))


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("lang", NEWS)
def test_short_item_under_a_banner_keeps_its_text(lang: str, wrapper: str, where: str) -> None:
    article = f"<article><h1>Kurse</h1><p>{NEWS[lang]}</p></article>"
    layer = banner(lang, wrapper)
    body = layer + article if where == "before" else article + layer
    html = f'<html lang="{lang}"><head><title>Kurse</title></head><body>{body}</body></html>'
    document = extract_document(html.encode(), "https://www.example.eu/news/1", "text/html")
    text = document.text or ""
    assert NEWS[lang] in text
    assert BANNERS[lang].split(".")[0] not in text  # the banner's first sentence
    assert "extract.consent" not in document.warnings


@pytest.mark.parametrize(
    "news",
    [
        "Der Bundesrat hat dem Gesetz zur Fachkräfteeinwanderung seine Zustimmung erteilt.",
        "Le Sénat a donné son consentement au projet de loi sur l'intégration des réfugiés.",
        "Il Parlamento ha dato il consenso alla ratifica dell'accordo sull'integrazione.",
    ],
)
def test_one_consent_word_in_the_news_is_no_wall(news: str) -> None:
    layer = '<div id="onetrust-banner-sdk"><p>Wir verwenden Cookies. Alle akzeptieren. Ablehnen.</p></div>'
    html = f"<html><head><title>Gesetz</title></head><body>{layer}<article><h1>Gesetz</h1><p>{news}</p>"
    document = extract_document(html.encode(), "https://www.example.eu/news/2", "text/html")
    assert news in (document.text or "")
    assert "extract.consent" not in document.warnings
