"""Share, print and e-mail button lines inside an article's text, in the 24 EU languages.

Rule: the buttons a site puts under or over an article ("Share on Facebook", "Teilen auf Facebook",
"Partager sur X", "Condividi su WhatsApp", "Compartir en LinkedIn", "Partilhar no Facebook Partilhar
no Twitter Enviar por e-mail", "Udostępnij na Facebooku", "Dela på Facebook", "Jaa Facebookissa",
"Drucken", "Imprimer cet article") are the page's furniture, not its text. A line of the text is
such a line (`is_share_line`) when it is at most `MAX_LINE_CHARS` long and every word of it is share
vocabulary: a share, print or send verb (`VERBS`), a channel (`CHANNELS`: a network's name in any
inflection, "Facebooku", "Facebookissa", or e-mail), or a word that joins them (`JOINING`:
prepositions, "this article", "link"); digits (share counters) and punctuation are ignored. It must
hold a verb, and another share word too (a channel or a joining word) when its only verbs are also
everyday words (`AMBIGUOUS`: "Del 2" is part two of a series in Danish and Swedish). A sentence of
the article that mentions a network ("The ministry shared the video on Facebook.") holds other words
and stays. Share links marked up as such (a link to a network's share endpoint, a blank e-mail or
the print dialog, `SHARE_LINKS`) are removed before extraction (`prune_share_links`), their tail
text kept: a link inside a paragraph goes alone.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

MAX_LINE_CHARS = 200
"""A button line is short: a few verbs and channels."""

VERBS = frozenset(
    (
        "share", "tweet", "print", "email", "e-mail", "send", "post", "pin", "copy",  # en
        "teilen", "drucken", "ausdrucken", "senden", "versenden", "empfehlen", "kopieren", "twittern",  # de
        "partager", "imprimer", "envoyer", "copier", "partagez", "imprimez",  # fr
        "condividi", "stampa", "invia", "copia", "condividere", "stampare",  # it
        "compartir", "comparte", "imprimir", "enviar", "copiar",  # es
        "partilhar", "partilhe", "compartilhar", "compartilhe", "imprima",  # pt
        "delen", "deel", "afdrukken", "printen", "mailen", "versturen", "kopieer", "kopiëren",  # nl
        "udostępnij", "drukuj", "wydrukuj", "wyślij", "kopiuj", "skopiuj", "podziel",  # pl
        "sdílet", "sdílejte", "tisk", "vytisknout", "tisknout", "poslat", "odeslat", "kopírovat",  # cs
        "zdieľať", "zdieľajte", "vytlačiť", "tlačiť", "poslať", "odoslať", "kopírovať",  # sk
        "deli", "delite", "natisni", "natisnite", "pošlji", "kopiraj",  # sl
        "podijeli", "podijelite", "ispiši", "ispis", "pošalji", "pošaljite",  # hr
        "megosztás", "megosztom", "oszd", "nyomtatás", "küldés", "küldd", "másolás",  # hu
        "distribuie", "partajează", "imprimă", "printează", "trimite", "copiază",  # ro
        "сподели", "споделете", "отпечатай", "принтирай", "печат", "изпрати", "копирай",  # bg
        "κοινοποίηση", "κοινοποιήστε", "μοιραστείτε", "μοιράσου", "εκτύπωση", "αποστολή", "αντιγραφή",  # el
        "dalintis", "dalinkitės", "pasidalinti", "spausdinti", "siųsti", "kopijuoti",  # lt
        "dalīties", "kopīgot", "drukāt", "sūtīt", "kopēt",  # lv
        "jaga", "prindi", "saada", "kopeeri",  # et
        "jaa", "tulosta", "lähetä", "kopioi",  # fi
        "dela", "skriv", "skicka", "kopiera",  # sv
        "del", "udskriv", "kopiér",  # da
        "aqsam", "ipprintja", "ibgħat", "ikkopja",  # mt
        "roinn", "comhroinn", "priontáil", "seol",  # ga
    )
)  # fmt: skip
"""Share, print, send and copy verbs (imperatives and button labels), per language."""
AMBIGUOUS = frozenset(
    ("del", "deel", "deli", "post", "email", "e-mail", "send", "print", "pin", "copy", "tisk", "печат",
     "saada", "roinn", "seol", "skriv", "jaga", "stampa", "ispis", "copia")
)  # fmt: skip
"""Verbs that are also everyday words ("Del 2", "E-Mail"): a line of them needs another share word."""
JOINING = frozenset(
    (
        "on", "via", "by", "to", "this", "the", "article", "page", "story", "link", "with", "your",  # en
        "auf", "bei", "per", "mit", "diesen", "artikel", "diese", "seite", "den", "link",  # de
        "sur", "par", "cet", "cette", "la", "le", "lien", "page",  # fr
        "su", "questo", "articolo", "questa", "pagina", "il",  # it
        "en", "por", "este", "artículo", "esta", "página", "el", "enlace", "correo",  # es
        "no", "na", "em", "este", "artigo", "esta", "ligação", "o", "a",  # pt
        "op", "dit", "deze", "pagina",  # nl
        "przez", "się", "ten", "artykuł", "tę", "stronę", "e-mailem", "mailem",  # pl
        "tento", "článek", "stránku", "e-mailem", "odkaz",  # cs
        "tento", "článok", "e-mailom", "odkaz",  # sk
        "po", "e-pošti", "članek", "stran", "povezavo",  # sl
        "putem", "e-poštom", "članak", "stranicu", "poveznicu",  # hr
        "meg", "az", "cikket", "oldalt", "e-mailben", "linket", "cikk",  # hu
        "pe", "prin", "articolul", "pagina", "linkul",  # ro
        "във", "в", "на", "по", "имейл", "статията", "страницата", "линк",  # bg
        "στο", "μέσω", "με", "το", "άρθρο", "σελίδα", "συνδέσμου", "σύνδεσμο",  # el
        "per", "el", "paštu", "straipsniu", "straipsnį", "puslapiu", "nuorodą",  # lt
        "ar", "pa", "e-pastu", "rakstu", "lapu", "saiti",  # lv
        "e-postiga", "e-kirjaga", "artiklit", "lehte",  # et
        "sähköpostilla", "sähköpostitse", "artikkeli", "sivu", "linkki",  # fi
        "på", "ut", "med", "e-post", "artikeln", "sidan", "länk", "länken",  # sv
        "artiklen", "siden",  # da
        "fuq", "permezz", "bl-email", "dan", "l-artiklu", "il-paġna",  # mt
        "ar", "trí", "ríomhphost", "an", "alt", "leathanach",  # ga
    )
)  # fmt: skip
"""Words that join a share verb and its channel or object ("on", "this article"), per language."""
CHANNELS = re.compile(
    r"(?:facebook|twitter|linkedin|whatsapp|telegram|pinterest|reddit|xing|bluesky|mastodon|threads|"
    r"messenger|viber|tumblr|flipboard|e-?mail|mail|email)(?:[-:]?[^\W\d_]{0,6})|x(?:[-:][^\W\d_]{1,4})?",
)
"""A channel's name, with the case ending a language puts on it ("Facebooku", "Facebookissa",
"X-ssä"); matched whole on a lower-cased word."""
SHARE_LINKS = (
    "/sharer", "/share.php", "/intent/tweet", "/intent/post", "/sharearticle", "/sharing/share-offsite",
    "api.whatsapp.com/send", "wa.me/?", "whatsapp://send", "t.me/share", "telegram.me/share",
    "pinterest.com/pin/create", "reddit.com/submit", "bsky.app/intent", "mailto:?", "window.print",
)  # fmt: skip
"""Parts of a link's target that make it a share, e-mail or print button (lower case)."""

_TARGET = "translate(@href, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
_SHARE_LINKS = etree.XPath("//a[" + " or ".join(f"contains({_TARGET}, '{p}')" for p in SHARE_LINKS) + "]")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def is_share_line(line: str) -> bool:
    """A line made only of share, print and e-mail buttons (module docstring)."""
    if len(line) > MAX_LINE_CHARS:
        return False
    words = [w.lower() for w in _WORD.findall(line)]
    if not words:
        return False
    verbs = others = 0
    for word in words:
        if word in VERBS:
            verbs += 1
        elif word in JOINING or CHANNELS.fullmatch(word):
            others += 1
        else:
            return False
    return verbs > 0 and (others > 0 or any(w not in AMBIGUOUS for w in words))


def prune_share_links(tree: HtmlElement) -> int:
    """Remove the links whose target is a share endpoint (`SHARE_LINKS`) from `tree` in place, their
    tail text kept; returns how many. Run before the page's link targets are dropped."""
    doomed = [link for link in _SHARE_LINKS(tree) if link.getparent() is not None]
    for link in doomed:
        link.drop_tree()
    return len(doomed)
