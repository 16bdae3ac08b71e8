"""Furniture lines inside an article's text: "read also" teasers, page-feedback prompts and share buttons.

Rule: publishers put two kinds of site furniture inside the article's own container, where
main-text extraction keeps them as lines of the text:
- a "read also" teaser: a line that starts with a cue of the 24 EU languages (`READ_ALSO`: "Lesen
  Sie auch", "Lire aussi", "Leggi anche", "Czytaj także", "Διαβάστε επίσης", ...) followed by a colon,
  dash or guillemet and another article's title ("Lesen Sie auch: Sprachkurse im Landkreis
  ausgebaut"), or the cue alone on its line;
- a page-feedback prompt: a line that starts with the question a site asks about the page
  (`FEEDBACK`: "Is this page useful?", "War diese Seite hilfreich?", "Cette page vous a-t-elle été
  utile ?", ...), with the widget's buttons after it ("Yes No Report a problem with this page").
Such a line is dropped when it is at most `MAX_LINE_CHARS` long; a sentence of the article that
begins with the same words ("Lesen Sie auch die Hinweise der Behörde") has no colon after the cue
and stays. A line made only of share, print and e-mail buttons ("Partilhar no Facebook Partilhar no
Twitter Enviar por e-mail") is dropped too (rule in `pipelines.share_lines`).
"""

from __future__ import annotations

import re

from pipelines.share_lines import is_share_line
from pipelines.titles import fold

MAX_LINE_CHARS = 300
"""A furniture line is short: a cue and a title, or a question and its buttons."""

READ_ALSO = (
    # en, de, fr, it, es, pt, nl, pl, cs, sk, sl, hr, hu, ro, bg, el, lt, lv, et, fi, sv, da, mt, ga
    "read also", "also read", "read more", "see also", "related", "lesen sie auch", "lesen sie dazu",
    "mehr zum thema", "siehe auch", "auch interessant", "lire aussi", "à lire aussi", "a lire aussi",
    "lire également", "voir aussi", "leggi anche", "vedi anche", "potrebbe interessarti",
    "lea también", "lee también", "ver también", "te puede interesar", "leia também", "ler também",
    "veja também", "lees ook", "zie ook", "czytaj też", "czytaj także", "zobacz też", "zobacz także",
    "čtěte také", "čtěte též", "přečtěte si také", "viz také", "čítajte tiež", "čítajte aj",
    "prečítajte si aj", "preberite tudi", "glej tudi", "pročitajte i", "pročitajte još", "vidi i",
    "olvassa el", "lásd még", "kapcsolódó", "citește și", "citeste si", "citiți și", "vezi și",
    "прочетете още", "прочетете също", "вижте още", "διαβάστε επίσης", "διαβάστε ακόμη",
    "δείτε επίσης", "skaitykite taip pat", "taip pat skaitykite", "skaitykite daugiau", "lasiet arī",
    "skatiet arī",
    "loe ka", "vaata ka", "lue myös", "katso myös", "läs också", "läs även", "se även", "læs også",
    "se også", "aqra wkoll", "ara wkoll", "léigh freisin", "féach freisin",
)  # fmt: skip
"""Cues of a "read also" teaser in the 24 EU languages."""
FEEDBACK = (
    "is this page useful", "was this page helpful", "was this page useful", "did you find this page useful",
    "war diese seite hilfreich", "ist diese seite hilfreich", "war dieser artikel hilfreich",
    "cette page vous a-t-elle été utile", "cette page vous a été utile", "avez-vous trouvé cette page utile",
    "questa pagina ti è stata utile", "questa pagina è stata utile", "ti è stata utile questa pagina",
    "¿te ha resultado útil esta página", "¿le ha resultado útil esta información", "¿te ha sido útil",
    "esta página foi útil", "esta informação foi útil", "was deze pagina nuttig",
    "was deze informatie nuttig",
    "heeft deze informatie u geholpen", "czy ta strona była pomocna", "czy ta strona była przydatna",
    "byla tato stránka užitečná", "byla pro vás tato stránka užitečná", "bola táto stránka užitočná",
    "bola pre vás táto stránka užitočná", "je bila ta stran koristna", "so vam bile informacije koristne",
    "je li vam ova stranica bila korisna", "je li vam ova stranica korisna", "hasznos volt ez az oldal",
    "hasznosnak találta ezt az oldalt", "v-a fost utilă această pagină", "a fost utilă această pagină",
    "полезна ли ви беше тази страница", "полезна ли беше тази страница", "ήταν χρήσιμη αυτή η σελίδα",
    "σας βοήθησε αυτή η σελίδα", "ar šis puslapis buvo naudingas", "ar ši informacija buvo naudinga",
    "vai šī lapa bija noderīga", "vai šī informācija bija noderīga", "kas see leht oli kasulik",
    "kas sellest lehest oli abi", "oliko tästä sivusta hyötyä", "oliko sivusta apua",
    "var sidan till hjälp", "hade du nytta av informationen", "var siden nyttig", "var siden brugbar",
    "fandt du det, du søgte", "kienet utli din il-paġna", "an raibh an leathanach seo úsáideach",
)  # fmt: skip
"""Page-feedback questions in the 24 EU languages (as folded: no closing "?")."""

_AFTER_CUE = re.compile(r"\s*(?:[:\-–—»›>|\"]|$)")
_READ_ALSO = tuple(sorted({fold(c) for c in READ_ALSO}, key=len, reverse=True))
_FEEDBACK = tuple(fold(q) for q in FEEDBACK)


def drop_furniture_lines(text: str | None) -> str | None:
    """`text` without its "read also" and page-feedback lines (module docstring)."""
    if not text:
        return text
    lines = text.split("\n")
    kept = [line for line in lines if not is_furniture_line(line)]
    return "\n".join(kept) if len(kept) < len(lines) else text


def is_furniture_line(line: str) -> bool:
    """A "read also" teaser, a page-feedback prompt or a line of share buttons (module docstring)."""
    if len(line) > MAX_LINE_CHARS:
        return False
    if is_share_line(line):
        return True
    folded = fold(line)
    if not folded:
        return False
    if any(folded.startswith(question) for question in _FEEDBACK):
        return True
    start = folded.lstrip('"»›>→-–— ')  # fold writes guillemets as plain quotes
    return any(start.startswith(cue) and _AFTER_CUE.match(start, len(cue)) for cue in _READ_ALSO)
