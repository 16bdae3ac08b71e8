"""Share, print and e-mail buttons are furniture in every EU language, as plain lines, links or
buttons; a sentence of the article that mentions a network stays. Made-up lines and pages."""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document
from pipelines.furniture import drop_furniture_lines
from pipelines.share_lines import is_share_line

SHARE_LINES = [
    ("en", "Share on Facebook Share on X Share by e-mail"),
    ("en", "Print this article"),
    ("de", "Teilen auf Facebook | Teilen auf LinkedIn | Per E-Mail senden | Drucken"),
    ("fr", "Partager sur X · Partager sur Facebook · Imprimer cet article"),
    ("it", "Condividi su WhatsApp Condividi su Facebook Stampa"),
    ("es", "Compartir en LinkedIn Compartir en Facebook Enviar por correo"),
    ("pt", "Partilhar no Facebook Partilhar no Twitter Enviar por e-mail"),
    ("pt", "Compartilhe no WhatsApp"),
    ("nl", "Deel op Facebook Deel via WhatsApp Afdrukken"),
    ("pl", "Udostępnij na Facebooku Udostępnij na X Drukuj"),
    ("pl", "Podziel się na Facebooku"),
    ("sv", "Dela på Facebook Dela på LinkedIn Skriv ut"),
    ("da", "Del på Facebook Del på LinkedIn Udskriv"),
    ("fi", "Jaa Facebookissa Jaa X-ssä Tulosta"),
    ("cs", "Sdílet na Facebooku Sdílet na X Vytisknout"),
    ("sk", "Zdieľať na Facebooku Vytlačiť"),
    ("hu", "Megosztás Facebookon Nyomtatás"),
    ("ro", "Distribuie pe Facebook Trimite pe WhatsApp"),
    ("bg", "Сподели във Facebook Сподели в X Печат"),
    ("el", "Κοινοποίηση στο Facebook Εκτύπωση"),
    ("hr", "Podijeli na Facebooku Ispiši"),
    ("sl", "Deli na Facebooku Natisni"),
    ("lt", "Dalintis Facebook Spausdinti"),
    ("lv", "Dalīties Facebook Drukāt"),
    ("et", "Jaga Facebookis Prindi"),
    ("mt", "Aqsam fuq Facebook"),
    ("ga", "Roinn ar Facebook"),
    ("de", "Teilen: 12"),
]
KEPT_LINES = [
    ("en", "The ministry shared the video on Facebook."),
    ("de", "Das Ministerium teilte das Video auf Facebook."),
    ("fr", "Le ministère a partagé la vidéo sur Facebook."),
    ("it", "Il ministero ha condiviso il video su Facebook."),
    ("es", "El ministerio compartió el vídeo en Facebook."),
    ("pt", "O ministério partilhou o vídeo no Facebook."),
    ("pl", "Ministerstwo udostępniło nagranie na Facebooku."),
    ("sv", "Ministeriet delade videon på Facebook."),
    ("da", "Del 2"),
    ("sv", "Del 3: Integration i skolan"),
    ("it", "Stampa estera"),
    ("de", "E-Mail"),
    ("de", "E-Mail: integration@example.eu"),
    ("fi", "Jaa tieto eteenpäin ystävillesi ja naapureillesi."),
]


@pytest.mark.parametrize(("lang", "line"), SHARE_LINES)
def test_share_line_is_furniture(lang: str, line: str) -> None:
    assert is_share_line(line), lang
    first, last = "Die Stadt eröffnet ein Beratungszentrum für Zugewanderte.", "Es öffnet im März."
    assert drop_furniture_lines(f"{first}\n{line}\n{last}") == f"{first}\n{last}"


@pytest.mark.parametrize(("lang", "line"), KEPT_LINES)
def test_article_line_stays(lang: str, line: str) -> None:
    assert not is_share_line(line), lang
    text = f"Erste Zeile des Artikels.\n{line}"
    assert drop_furniture_lines(text) == text


ARTICLE = (
    "<p>Cada vez mais imigrantes abrem pequenos negócios em cidades do interior do país.</p>"
    "<p>O ministério partilhou o vídeo da inauguração no Facebook.</p>"
)
MARKUPS = {
    "plain line": "<p>Partilhar no Facebook Partilhar no Twitter Enviar por e-mail</p>",
    "links": '<div class="tools"><a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a> '
    '<a href="https://twitter.com/intent/tweet?url=x">Twitter</a> <a href="mailto:?subject=x">E-mail</a>'
    ' <a href="javascript:window.print()">Imprimir</a></div>',
    "link in a paragraph": '<p>Texto de apoio ao leitor. <a href="https://www.linkedin.com/shareArticle?u=x">'
    "Partilhar artigo</a></p>",
    "buttons": "<div><button>Partilhar no Facebook</button><button>Imprimir</button></div>",
}


@pytest.mark.parametrize("markup", MARKUPS)
def test_share_buttons_leave_the_page_text(markup: str) -> None:
    html = (
        "<html lang='pt'><head><title>Imigrantes abrem negócios</title></head><body><main><article>"
        f"<h1>Imigrantes abrem negócios</h1>{ARTICLE}{MARKUPS[markup]}</article></main></body></html>"
    )
    document = extract_document(html.encode(), "https://www.example.pt/noticias/1", "text/html")
    text = document.text or ""
    assert "O ministério partilhou o vídeo da inauguração no Facebook." in text
    assert "Cada vez mais imigrantes" in text
    for word in ("Partilhar", "Twitter", "Imprimir", "E-mail", "sharer"):
        assert word not in text, word
