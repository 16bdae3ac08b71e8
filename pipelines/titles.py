"""Titles: the document's own title, one line, without the site's name (pure functions, stdlib only).

Rules, in order (`choose_title`):
1. The raw title (HTML ``<title>``) is split into segments at the separators `` | ``, `` - ``,
   `` – ``, `` — ``, `` ‒ ``, `` ― ``, `` :: ``, `` · ``, `` • ``, `` ∙ ``, `` ⋅ ``, `` » ``, `` « ``,
   `` › ``, `` > ``, `` / ``, `` // ``, `` ~ ``, `` ¦ ``, `` ‖ ``
   (breadcrumbs: "Accueil > Actualités > ..."; a hyphen inside a
   word, "frauen- und", is no separator; nor are the guillemets of a quotation, French and Italian
   style with spaces inside: ``Le plan « Bienvenue en France » présenté`` is one segment).
   A segment that is a bare domain name ("Igsi.ro", "Rijksoverheid.nl") names the site, and one that
   names a home page in an EU language (`HOME_PAGE_NAMES`: "Startseite", "Accueil", "Αρχική") is
   dropped from either end like a site name (breadcrumb titles: "Αρχική » Νέα » headline").
2. A run of consecutive segments that equals (after folding case, quotes and spaces) or is contained
   in one of the page's headlines (h1, og:title, twitter:title, JSON-LD ``headline``) is the title;
   the longest such run wins. Otherwise segments are dropped from either end while they name the site:
   og:site_name / application-name, the host's labels ("SN.at" for sn.at, "La Stampa" for
   lastampa.it, "European Parliament" for europarl), or a prefix/suffix the source repeats on its other
   pages (`AffixLearner`); a section name of one or two words next to a dropped site name goes too.
2b. The site's name in the page's own language, which no host or metadata gives ("Νέο πρόγραμμα
   ένταξης | Υπουργείο Μετανάστευσης και Ασύλου" on migration.gov.gr), is found in the page's
   chrome (logo, header, footer: `chrome_segments`) and dropped like og:site_name. A name whose
   initials are the host's ("Ministerstvo vnitra České republiky" on mvcr.cz), the host's name with
   a word for what it is ("Stadt Wien", "Préfecture du Nord"), a section's name in an EU language
   (`SECTION_NAMES`: "Aktuelles", "Actualités", "Ειδήσεις") and a segment that is only a date
   ("05.12.2026 - ...": `is_date_only`) go from either end too.
3. A headline the page's metadata confirms (an h1 equal to JSON-LD headline, og:title or twitter:title)
   replaces a cleaned title that no headline confirms (a newspaper's SEO title).
2c. A title written "Site: Headline" whose part after the colon is one of the page's headlines
   and whose part before names the site (chrome, site name, or its short name: "SKR" of "Sveriges
   Kommuner och Regioner", `abbreviates`) is that headline (`_after_site_colon`).
2e. A bracket or quotation at either end of the title (``[]``, ``()``, ``{}``, ``【】``, ``〔〕``,
   ``「」``, ``«»``, ``‹›``) that holds the site's name is dropped like a segment (`site_brackets`):
   "Integrationskurs für Geflüchtete [Caritas Wien]", "Nuevo programa de acogida (CEAR)". Its text
   must be the name itself (og:site_name, application-name, JSON-LD publisher, the host's name, a
   two-word line of the chrome), its initials, the host's name with a word ("Stadt Wien") or its
   short name (`abbreviates`); "(video)", "[PDF]", "(AMIF)" stay, and so does a bracket the page's
   headline holds (tests/test_titles_site_brackets.py: titles in the EU languages that kept a
   site's name so).
2f. A site's name (og:site_name, application-name, the chrome's) that is a whole segment between two
   others ends the headline: a tagline follows it ("Kursy językowe dla rodzin - Urząd Miasta
   Przykładowo - Portal", "Language courses for families | City of Sampleton | Official website");
   the headline before it keeps its own hyphens (`_around_site`).
2d. (first) An all-capitals title's segments equal to a headline but for case and accents take
   the headline's letters (`_headline_case`).
4. A title that is only a home page's, a news section's or the site's name ("Home page - Comune di
   Roma", "Nieuws - Gemeente Utrecht", "BAMF", "News", "Aktuelles": a CMS that gives every page the
   site's title; "Stadt Köln", a whole line of the page's chrome, the logo's text, also when a
   logo's h1 repeats it), or a ``<title>`` with a home page's name that no headline confirms
   ("Strona główna | Urząd do Spraw Cudzoziemców"), gives way to the page's own headline (a
   confirmed one, else the one of most words: a logo's h1 is short); so does a title cut
   short with an ellipsis that starts a headline ("Neue Regeln für…" of "Neue Regeln für
   Einbürgerung"; a shorter title without the mark is the page's choice: "Vissa skolfrågor"), and a
   title that is the part of a headline before the headline's own colon or dash ("X | Site" for
   "X: Y", `goes_on`).
5. A code-only title (no word of four letters: "EUR-Lex - 2023_102 - EN", "Procedure File:
   2022/2852(RSP)") gives way to the document's heading (`ExtractedDocument.doc_heading`, e.g.
   EUR-Lex's ``#title`` element); failing that it stays.
A listing anchor or file name that looks like a slug (`looks_like_slug`) never beats a page or PDF
heading. PDF metadata titles that are placeholders (`is_placeholder_title`) are no titles.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from crawler.text import COMMITTEE_NAME as _COMMITTEE
from crawler.text import METADATA_LABEL as _LABEL
from crawler.text import shorten, strip_bidi_controls

MAX_TITLE_CHARS = 1_000
"""Cap on a title, in characters (a hostile page can put megabytes in <title>)."""
MIN_AFFIX_PAGES = 2
"""A segment seen at the same end of the titles of this many other pages of a source is its affix."""
MAX_SEGMENTS = 16
"""Titles cut into more segments than this are not matched against headlines segment by segment."""
SECTION_WORDS = 2
"""A segment of at most this many words next to a site name is a section name ("News", "Polityka")."""
MAX_SEGMENT_WORDS_AS_SITE = 6
"""A learned or host-like affix has at most this many words (a headline is longer)."""

_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|‒|―|::|·|•|∙|⋅|»|«|›|>|//|/|~|¦|‖)\s+|\s*\|\s*|\s+::\s*")
SITE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " // ", " / ", " ~ ", " » ", " › ")
"""Separators a site name that holds one of them itself ("Caritas - Wien") is cut off at (`strip_site`)."""
_BRACKETS = {"(": ")", "[": "]", "{": "}", "【": "】", "〔": "〕", "「": "」", "«": "»", "‹": "›", "»": "«"}
_INNER = r"[^()\[\]{}【】〔〕「」«»‹›]{1,120}?"
_END_BRACKET = re.compile(rf"(?:^|\s+|(?=[【〔「]))([(\[{{【〔「«‹»])\s*({_INNER})\s*([)\]}}】〕」»›«])\s*$")
_START_BRACKET = re.compile(
    rf"^\s*([(\[{{【〔「«‹»])\s*({_INNER})\s*([)\]}}】〕」»›«])(?:\s+|(?<=[】〕」])\s*)"
)
"""A bracketed group at a title's end (after a space) or start (before a space; CJK brackets close
without one): "Headline [Caritas Wien]", "(CEAR) Headline", "【Yle】Headline"."""
_QUOTATION = re.compile(r"«[^«»]*»")
"""A quotation in guillemets, French style (``« Bienvenue »``): its marks are no separators."""
_MASK = str.maketrans("«»", "\ue000\ue001")
_UNMASK = str.maketrans("\ue000\ue001", "«»")
HOME_PAGE_NAMES = frozenset(
    {
        # en, de, fr, es, it, pt, nl, da, sv, fi, et, lv, lt, pl, cs, sk, sl, hr, hu, ro, bg, el, mt, ga
        "home", "home page", "homepage", "start page", "main page", "startseite", "hauptseite",
        "accueil", "page d'accueil", "inicio", "página de inicio", "portada", "pagina iniziale",
        "início", "página inicial", "startpagina", "hoofdpagina", "forside", "startside",
        "startsida", "start", "etusivu", "avaleht", "esileht", "sākums", "sākumlapa", "pradžia",
        "pagrindinis", "pagrindinis puslapis", "strona główna", "úvod", "úvodní stránka", "domů",
        "domov", "hlavná stránka", "domača stran", "naslovnica", "početna", "početna stranica",
        "főoldal", "kezdőlap", "nyitólap", "acasă", "pagina principală", "prima pagină", "начало",
        "начална страница", "αρχική", "αρχική σελίδα", "paġna ewlenija", "leathanach baile",
    }
)  # fmt: skip
"""Names of a site's home page in the EU languages (folded): a title segment, never a headline."""
SECTION_NAMES = frozenset(
    {
        # en, de, fr, es, it, pt, nl, da, sv, fi, et, lv, lt, pl, cs, sk, sl, hr, hu, ro, bg, el, mt, ga
        "news", "latest news", "press releases", "press release", "press", "newsroom", "media",
        "aktuelles", "aktuell", "nachrichten", "meldungen", "pressemitteilungen", "pressemitteilung",
        "presse", "actualités", "actualites", "actualité", "communiqués de presse", "communiqué de presse",
        "noticias", "actualidad", "notas de prensa", "sala de prensa", "prensa", "notizie", "news e media",
        "comunicati stampa", "comunicato stampa", "attualità", "notícias", "novidades", "imprensa",
        "comunicados de imprensa", "nieuws", "nieuwsbericht", "persberichten", "persbericht", "actueel",
        "nyheder", "nyhed", "pressemeddelelser", "nyheter", "pressmeddelanden", "pressmeddelande",
        "uutiset", "tiedotteet", "ajankohtaista", "uudised", "pressiteated", "jaunumi", "aktualitātes",
        "naujienos", "pranešimai spaudai", "aktualności", "wiadomości", "komunikaty", "aktuality",
        "zprávy", "tiskové zprávy", "novinky", "správy", "tlačové správy", "novice", "sporočila za javnost",
        "vijesti", "novosti", "priopćenja", "hírek", "aktuális", "sajtóközlemények", "știri", "stiri",
        "noutăți", "comunicate de presă", "новини", "актуално", "прессъобщения", "съобщения", "νέα",
        "ειδήσεις", "ανακοινώσεις", "δελτία τύπου", "aħbarijiet", "stqarrijiet għall-istampa", "nuacht",
        "preaseisiúintí",
    }
)  # fmt: skip
"""Names of a site's news section in the EU languages (folded): at either end of a multi-part title
they name where the page sits, not what it says ("Préfecture du Nord - Nouveau plan - Actualités")."""
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_TRUNCATION = re.compile(r"\s*(?:\.\.\.|…)\s*$")
_DOMAIN = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,6}$")
_TRAILING_PUNCT = re.compile(r"[\s:|\-–—·]+$")
_LEADING_PUNCT = re.compile(r"^[\s:|\-–—·]+")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟«»″"})
_WORD4 = re.compile(r"[^\W\d_]{4,}")
_GENERIC_TLDS = frozenset({"com", "org", "net", "eu", "int", "info", "gov", "edu", "www"})
_PLACEHOLDER = re.compile(
    r"^(untitled|unbenannt(-\d+)?|sans titre|ohne titel|senza titolo|sin título|bez tytułu|naamloos"
    r"|document\d*|dokument\d*|doc\d+|microsoft (word|powerpoint|excel)\b.*"
    r"|powerpoint[- ]pr[äa]sentation|powerpoint presentation|präsentation\d*|presentation\d*|folie \d+"
    r"|slide \d+|title|titel|titre|page \d+|seite \d+|layout \d+|vorlage.*|template.*|briefvorlage.*"
    r"|formatvorlage.*|mustervorlage.*|normal(\.dot[mx]?)?|default|new document|neues dokument|\d+)$",
    re.IGNORECASE,
)
_UNTITLED = (
    "untitled|unbenannt|unbenanntes|ohne titel|sans titre|senza titolo|sin titulo|sem titulo|naamloos"
    "|zonder titel|bez tytulu|bez nazwy|bez nazvu|nepojmenovany|nevtelen|cim nelkul[ia]|nimeton"
    "|nimeamaton|namnlos|namnlost|utan titel|unavngivet|uden titel|fara titlu|без заглавие|без име"
    "|χωρις τιτλο|ανωνυμο|bez naslova|brez naslova|neimenovan[oi]|be pavadinimo|bevardis"
    "|bez nosaukuma|pealkirjata|nimetu|minghajr titlu|gan teideal"
)
"""A default title "Untitled" in the EU languages (accents stripped: `_app_default`)."""
_DOCUMENT = "document|dokument|documento|dokumentum|asiakirja|документ|εγγραφο|dokumentas|dokuments|doicimead"
_PRESENTATION = (
    "presentation|prasentation|presentazione|presentacion|apresentacao|presentatie|prezentacja"
    "|prezentace|prezentacia|bemutato|esitys|praesentation|præsentation|prezentare|презентация"
    "|παρουσιαση|prezentacija|predstavitev|pateiktis|esitlus"
    "|prezentazzjoni|cur i lathair"
)
_SLIDE = (
    "slide|folie|diapositive|diapositiva|diapositivo|dia|slajd|snimek|snimka|bild|dias"
    "|diapozitivul|diapozitiv|prosojnica|слаид|διαφανεια|skaidre|slaids|slaid|sleamhnan"
)
_WORKBOOK = "book|mappe|classeur|cartel|libro|pasta|map|zeszyt|sesit|zosit|munkafuzet|tyokirja|bok|registru"
_APP_DEFAULT = re.compile(
    rf"^(?:(?:{_UNTITLED})(?:[ -]?\d+)?(?: (?:{_DOCUMENT}|{_PRESENTATION}|spreadsheet|form))?"
    rf"|(?:{_DOCUMENT}|{_PRESENTATION}) (?:{_UNTITLED})"
    rf"|(?:{_DOCUMENT}|{_PRESENTATION}) ?\d+|(?:{_WORKBOOK})\d+"
    rf"|(?:{_SLIDE}) ?\d+|\d+\. dia"
    r"|r graphics output|microsoft (?:word|powerpoint|excel)\b.*)$"
    r"|^(?=(?:\S+\s+){0,5}\S+$)(?=.*\bpowerpoint)"
    rf"(?=.*(?:^|[\s-])(?:{_PRESENTATION})(?:$|\s|-))"
    r"|^(?=(?:\S+\s+){1,14}\S+$)"
    r"(?=.*\b(?:click|clic|cliqu|klick|klik|klepnut|kattint|napsaut|щракн|κλικ|spustel|noklik|klops))"
    r"(?=.*(?:edit|modif|bearbeit|redig|redag|uprav|edytow|uredi|szerkeszt|muokk|andra|επεξεργ|редакт"
    r"|bewerk))"
    r"(?=.*(?:styl|stil|stijl|slog|stilu|stilus|tyyl|laadi|στυλ|стил|format|master|mestre|patron|predlo"
    r"|matric|sablon|model|образ|υποδειγ|juhtslaid|coordonator|minta|titl|titre|titolo|titulo|tytul|titel"
    r"|nadpis|naslov|pealkir|virsrakst|pavadinim|τιτλ|заглав|text|testo|tekst))"
    r"|^mintacim szerkesztese$",
    re.IGNORECASE,
)
"""A title an application gives a file or a slide by default, in the EU languages: "Untitled",
"Sans titre-1", "Document1", "Documento1", "Presentation1", "Book1", "Mappe1", "Slide 1",
"Diapositive 1", "1. dia", "Présentation PowerPoint", "Prezentacja programu PowerPoint" (the word
PowerPoint and a word for presentation, in at most six words), a template's instruction "Click to
edit Master title style", "Cliquez pour modifier le style du titre" (a word for click, in at most
15 words, with words for edit and for style or title: "Mit einem Klick zur Einbürgerung" is a
title), R's "R Graphics
Output". Matched with accents stripped (`_app_default`)."""
_FILE_NAME = re.compile(
    r"^[\w.\-~ ]+\.(pdf|docx?|dotx?|odt|pptx?|xlsx?|indd|indb|idml|qxp|qxd|rtf|txt|ai|eps)$"
    r"|^\S*_\S*$|^[\w-]*\d[\w-]*\.\w{2,4}$",
    re.IGNORECASE,
)
_SLUG = re.compile(r"^[\w.~]+(?:[-_][\w.~]+)+$")
_DATE_YEAR = re.compile(r"^(?:19|20)\d\d\.?,?$")
_DATE_NUMBER = re.compile(r"^\d{1,4}(?:[./\-]\d{1,4}){0,2}[.,]?$")
_YEAR_IN = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_DAY = re.compile(r"^[0-3]?\d\.?,?$")
_FULL_NUMERIC_DATE = re.compile(r"^\d{1,4}([./\-])\d{1,2}\1\d{1,4}\.?$")
_ELISION = re.compile(r"^(?:[dl]|dell|dall|nell|sull|all|dell|qu)['’]", re.IGNORECASE)


def one_line(value: str | None) -> str | None:
    """Whitespace squashed, invisible characters and bidirectional controls (crawler.text.BIDI_CONTROLS)
    dropped, capped at `MAX_TITLE_CHARS`; None if empty.

    Rule: a character reference still in the text after parsing ("Bund &amp; Länder", "Caf&eacute;")
    was escaped twice by the site's CMS and is decoded once more (`html.unescape`).
    """
    if not value:
        return None
    if "&" in value and _ENTITY.search(value):
        value = html.unescape(value)
    value = " ".join(_INVISIBLE.sub("", strip_bidi_controls(value) or "").split())[:MAX_TITLE_CHARS]
    return value or None


TEXT_TITLE_CHARS = 160
"""Longest title taken from a document's text: about two lines of the desk's title column."""
_CLOSERS = "\"'”“»«’‘)"
_SENTENCE_END = re.compile(rf"(?<=[.!?…])([{_CLOSERS}]*)\s+(?=[\"'«„“‘(¿¡]?(\w))")
"""A mark that may end a sentence, the closing quotes after it, and the first letter after them."""
_MIN_SENTENCE = 20
"""A sentence end before this many characters is more often a heading's fragment than a sentence:
the title goes on to the next one."""
_WORD_BEFORE = re.compile(r"(\w+)\W*$")
# fmt: off
_ABBREVIATIONS = frozenset({
    # titles and forms of address
    "dr", "mr", "mrs", "ms", "st", "prof", "dipl", "ing", "dott", "sig", "sra", "sr", "srta", "excma",
    "excmo", "mme", "mlle", "hr", "fr", "mgr", "ks",
    # words of reference and listing
    "nr", "no", "tel", "str", "avda", "ul", "godz", "vgl", "bzw", "ggf", "ggfs", "usw", "evtl", "insb",
    "inkl", "bzgl", "sog", "hrsg", "ca", "resp", "approx", "dept", "govt", "tzv", "např", "bijv", "oa",
    "etc", "vs", "art", "abs", "cf", "ibid", "op",
    # months
    "jan", "feb", "febr", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "okt", "nov", "dec",
    "janv", "févr", "avr", "juil", "déc", "gen", "ene", "abr", "ago", "dic", "mrt", "mei",
})
# fmt: on
"""Words that a full stop follows without ending a sentence (lower case), in the EU's languages."""


def _ends_sentence(head: str) -> bool:
    """Whether the mark `head` ends with closes a sentence: ``!``, ``?`` or ``…`` always; a full
    stop unless the word before it is a single letter ("z. B."), a number of at most two digits
    ("am 3. März"), one of `_ABBREVIATIONS` ("Dr.", "dott.", "févr.") or a capitalised word of at
    most three letters that is not all capitals ("Nr.", "Abs."; "EU." ends a sentence)."""
    if not head.endswith("."):
        return True
    match = _WORD_BEFORE.search(head[:-1])
    word = match.group(1) if match else ""
    if not word or len(word) == 1 or word.lower() in _ABBREVIATIONS:
        return False
    if word.isdigit():
        return len(word) > 2
    return not (word[0].isupper() and not word.isupper() and len(word) <= 3)


def title_from_text(text: str | None, limit: int = TEXT_TITLE_CHARS) -> str | None:
    """The last-resort title of an untitled document: its first line longer than 3 characters, cut
    at the end of its first sentence (a ``.``, ``!``, ``?`` or ``…`` with its closing quotes,
    followed by a space and a capital of any alphabet, at least `_MIN_SENTENCE` characters in; a
    full stop only as `_ends_sentence` says: not "Dr.", "z. B.", "am 3. März"; a final full stop
    dropped, as titles have none), then at a word boundary to at most `limit` characters with "…";
    `one_line` applies. None when the text has no such line."""
    first = next((line.strip() for line in (text or "").splitlines() if len(line.strip()) > 3), None)
    line = one_line(first)
    if line is None:
        return None
    for end in _SENTENCE_END.finditer(line):
        capital = end.group(2).isupper()
        if capital and end.start() >= _MIN_SENTENCE and _ends_sentence(line[: end.start()]):
            line = line[: end.start() + len(end.group(1))]  # with its closing quotes
            break
    if line.endswith(".") and not line.endswith(".."):
        line = line[:-1]
    return shorten(line, limit)


SUMMARY_TITLE_CHARS = 100
"""Longest title taken from an untitled item's summary (`title_from_summary`)."""


def title_from_summary(summary: str | None) -> str | None:
    """The provisional title of an item that has none: its plain-text summary's first sentence, cut
    at a word boundary to at most `SUMMARY_TITLE_CHARS` characters with "…" (`title_from_text`)."""
    return title_from_text(summary, SUMMARY_TITLE_CHARS)


def fold(value: str) -> str:
    """Comparison key: NFKC, case-folded, typographic quotes made plain, whitespace squashed.

    ASCII text skips the steps that cannot change it (NFKC, invisible characters; casefold is lower).
    """
    if value.isascii():
        value = value.translate(_QUOTES).lower()
    else:
        value = unicodedata.normalize("NFKC", _INVISIBLE.sub("", value)).translate(_QUOTES).casefold()
    return " ".join(value.split()).strip(" .:;,")


HOME_PAGE_NAMES = frozenset(fold(name) for name in HOME_PAGE_NAMES)  # Greek final sigma: σ
SECTION_NAMES = frozenset(fold(name) for name in SECTION_NAMES)


def _site_key(value: str) -> str:
    """Letters and digits only, a trailing TLD dropped: "SN.at" -> "sn", "La Stampa" -> "lastampa"."""
    value = fold(value)
    value = re.sub(r"^www\.", "", value)
    value = re.sub(r"\.[a-z]{2,4}$", "", value)
    return "".join(ch for ch in value if ch.isalnum())


def host_names(host: str | None) -> tuple[str, ...]:
    """Site keys a host gives: "www.bundeskanzleramt.gv.at" -> ("bundeskanzleramt", ...)."""
    if not host:
        return ()
    labels = [label for label in host.lower().split(".") if label and label not in _GENERIC_TLDS]
    if len(labels) > 1:
        labels = labels[:-1]  # the country code or TLD
    keys = [_site_key(label) for label in labels if len(label) >= 2]
    return tuple(dict.fromkeys(k for k in keys if k and len(k) >= 2))


def split_segments(title: str) -> list[str]:
    """The raw title cut at separators (rule 1); empty segments dropped."""
    title = _TRAILING_PUNCT.sub("", _LEADING_PUNCT.sub("", title))
    if "«" in title and "»" in title:
        title = _QUOTATION.sub(lambda quote: quote.group().translate(_MASK), title)
    parts = _SEPARATORS.split(title)
    return [part.strip().translate(_UNMASK) for part in parts if part and part.strip()]


def _names_site(segment: str, site_keys: Sequence[str]) -> bool:
    key = _site_key(segment)
    if not key or _DOMAIN.match(segment) or is_date_only(segment):
        return True
    if _initials_name(segment, site_keys):
        return True
    if len(segment.split()) > MAX_SEGMENT_WORDS_AS_SITE:
        return False
    if _name_and_word(segment, site_keys):
        return True
    for site in site_keys:
        if not site:
            continue
        if key == site or (len(site) >= 3 and (key.startswith(site) or site.startswith(key))):
            return True
        if len(site) >= 5 and len(segment.split()) <= 4 and key[:3] == site[:3] and _subsequence(site, key):
            return True  # an abbreviated host: "europarl" for "European Parliament"
    return False


def _name_and_word(segment: str, site_keys: Sequence[str]) -> bool:
    """The site's name with a word for what it is, in at most three words: "Stadt Wien",
    "Préfecture du Nord" (a key of three letters or more as the first or last word)."""
    words = [_site_key(w) for w in segment.split()]
    return 0 < len(words) <= 3 and any(len(k) >= 3 and k in (words[0], words[-1]) for k in site_keys)


def _initials_name(segment: str, site_keys: Sequence[str]) -> bool:
    """A name whose initials are the host's name: "Ministerstvo vnitra České republiky" (mvcr.cz),
    "Inspectoratul General pentru Imigrări" (igi), "Office français de l'immigration et de
    l'intégration" (ofii) (`_initials`); keys of three letters or more."""
    keys = {k for k in site_keys if len(k) >= 3}
    return bool(keys) and any(len(initials) >= 3 for initials in _initials(segment) & keys)


def _initials(name: str) -> set[str]:
    """The initials a name of two to ten words is shortened to (folded, without accents): of all
    its words, of the capitalised ones, or of the words of four letters or more, an elided article
    dropped ("Urząd do Spraw Cudzoziemców": "udsc", "usc"; "Sveriges Kommuner och Regioner": "skor",
    "skr")."""
    words = [_ELISION.sub("", w) for w in re.findall(r"[^\W\d_][\w'’]*", name)]
    if not 2 <= len(words) <= 10:
        return set()
    variants = (words, [w for w in words if w[:1].isupper()], [w for w in words if len(w) >= 4])
    return {_strip_accents("".join(w[0] for w in chosen if w).casefold()) for chosen in variants} - {""}


def abbreviates(segment: str, names: Iterable[str]) -> bool:
    """`segment` is one word that shortens one of the site's `names` (og:site_name, application-name,
    JSON-LD publisher, a feed's title).

    Rule: an agency's short name stands where its full name would ("SKR: Ny kurs ..." on the site
    of "Sveriges Kommuner och Regioner", "UdSC: ..." of "Urząd do Spraw Cudzoziemców"): a word of
    two to ten letters, written with a capital (two letters: both capitals), that is one of the
    name's initials (`_initials`), or, for a name of one compound word of ten letters or more, a
    clipping of four to six letters that starts with the name's first two letters and whose letters
    follow in it in order ("Luke" for Luonnonvarakeskus, the host luke.fi; Finnish and Estonian
    agencies name themselves so).
    """
    token = segment.strip()
    if not re.fullmatch(r"[^\W\d_]{2,10}", token) or not token[0].isupper():
        return False
    if len(token) == 2 and not token.isupper():
        return False
    key = _strip_accents(token.casefold())
    for name in names:
        if key in _initials(name):
            return True
        words = re.findall(r"[^\W\d_]+", name)
        whole = _strip_accents(words[0].casefold()) if len(words) == 1 else ""
        if 4 <= len(key) <= 6 and len(whole) >= 10 and whole[:2] == key[:2] and _subsequence(key, whole):
            return True
    return False


_SEPARATOR_ENDS = re.compile(r"^(?:[\s:|\-–—·~•/»›]|//)+|(?:[\s:|\-–—·~•/»›]|//)+$")
"""Separators and spaces left at either end of a title once a bracket is cut ("Inburgering van
statushouders ~ (COA)")."""
_BODY_WORDS = frozenset(
    [
        "stadt",
        "gemeinde",
        "land",
        "landkreis",
        "kreis",
        "region",
        "kanton",
        "bezirk",
        "city",
        "council",
        "county",
        "ville",
        "mairie",
        "prefecture",
        "region",
        "departement",
        "citta",
        "comune",
        "provincia",
        "regione",
        "ciudad",
        "ayuntamiento",
        "municipio",
        "concello",
        "ajuntament",
        "gemeente",
        "provincie",
        "stad",
        "kommun",
        "kommune",
        "region",
        "miasto",
        "gmina",
        "powiat",
        "mesto",
        "obec",
        "kraj",
        "grad",
        "opcina",
        "opstina",
        "varos",
        "megye",
        "orasul",
        "primaria",
        "judet",
        "kaupunki",
        "kunta",
        "linn",
        "vald",
        "pilseta",
        "novads",
        "miestas",
        "savivaldybe",
    ]
)
"""Words for what a public body is (a town, a municipality, a region, a prefecture) that stand with
its host's name in its own name ("Stadt Wien", "Comune di Bologna", "Préfecture du Nord")."""


def _names_a_body(text: str) -> bool:
    """`text` holds a word of `_BODY_WORDS` ("Stadt Wien"; not "Wien Energie", a firm's name)."""
    return any(_strip_accents(w.casefold()) in _BODY_WORDS for w in re.findall(r"[^\W\d_]+", text))


def _acronym(text: str) -> bool:
    """A short name written as an acronym, with two capitals or more ("CEAR", "UdSC", "SKR"; not
    "Arbeit" or "Flucht", words a long name happens to begin with)."""
    return sum(c.isupper() for c in text) >= 2


def _capitalised(name: str) -> bool:
    """Every word of three letters or more starts with a capital, as a name's do ("Stadt Wien",
    "Préfecture du Nord"; not "auch in Wien")."""
    return all(w[:1].isupper() for w in re.findall(r"[^\W\d_]{3,}", name))


def site_brackets(title: str, site_keys: Sequence[str], names: Sequence[str]) -> str:
    """`title` without a bracketed group at its end or start that names the site.

    Rule: a site's name in brackets or quotation marks at either end of a title ("Integrationskurs
    für Geflüchtete [Caritas Wien]", "Nuevo programa de acogida (CEAR)", "【Yle】Uutiset ...") is
    the site's, as after a separator, when the bracket's text is strictly one of its names: its
    key is one of `site_keys` (the site's names and the host's, `_site_key`: "Gdańsk.pl", "Yle"
    on yle.fi), its initials are (`_initials_name`), it shortens one of `names` (`abbreviates`),
    or it is the host's name with a word, every word of it capitalised ("Stadt Wien", not "auch in
    Wien"). Any other bracket stays ("(video)", "(aktualisiert)", "[PDF]", "(AMIF)" of a fund on a
    ministry's page); nothing is cut when no word of the title would be left.
    """
    keys = [k for k in site_keys if k]
    for pattern in (_END_BRACKET, _START_BRACKET):
        found = pattern.search(title)
        if not found or _BRACKETS.get(found.group(1)) != found.group(3):
            continue
        text = found.group(2)
        rest = (title[: found.start()] + title[found.end() :]).strip()
        if not re.search(r"[^\W\d_]{2}", rest) or fold(rest) == fold(text):
            continue
        if (
            _site_key(text) in keys
            or _initials_name(text, keys)
            or (_acronym(text) and abbreviates(text, names))
            or (_capitalised(text) and _name_and_word(text, keys) and _names_a_body(text))
        ):
            title = _SEPARATOR_ENDS.sub("", rest)
    return title


def _strip_accents(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))


def is_date_only(segment: str) -> bool:
    """A title segment that is only a date ("05.12.2026", "2026-12-05", "5. Dezember 2026", "2026.
    gada 5. decembrī", "5 de diciembre de 2026"): a year and a day, and at most one word of four or
    more letters (the month; Latvian "gada" besides); a date inside a headline is kept with it."""
    tokens = segment.split()
    if not tokens or len(tokens) > 7:
        return False
    numeric = [t for t in tokens if _DATE_NUMBER.match(t)]
    if not any(_YEAR_IN.search(t) for t in numeric):
        return False
    if not (_FULL_NUMERIC_DATE.match(segment.strip()) or any(_DAY.match(t) for t in numeric)):
        return False
    words = [t.strip(".,'’") for t in tokens if t not in numeric]
    long_words = [w for w in words if len(w) > 3 and w.casefold() != "gada"]
    return len(long_words) <= 1 and all(len(w) <= 14 for w in words)


def _subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(ch in letters for ch in short)


def is_code_only(title: str) -> bool:
    """A page code rather than a title: no word of four or more letters besides site words
    ("EUR-Lex - 2023_102 - EN", "32002F0584", "Procedure File: 2022/2852(RSP)")."""
    words = [
        w for w in _WORD4.findall(title) if fold(w) not in {"eur", "lex", "procedure", "file", "document"}
    ]
    return not words


def strip_site(
    raw: str,
    site_names: Iterable[str] = (),
    host: str | None = None,
    affixes: Iterable[str] = (),
    headlines: Sequence[str] = (),
) -> str:
    """The raw title without leading and trailing segments that name the site (rule 2, second half),
    and without a bracketed site name at either end (rule 2e, `site_brackets`) unless the title is
    one of the page's `headlines` as it stands ("Partenariat avec « France terre d'asile »")."""
    raw = one_line(raw) or ""
    site_list = [s for s in (one_line(n) for n in site_names) if s]
    cut_end = cut_start = False
    for name in sorted(site_list, key=len, reverse=True):  # a site name holding a separator
        for sep in SITE_SEPARATORS:
            if raw.endswith(sep + name):
                raw = raw[: -len(sep + name)]
                cut_end = True
            if raw.startswith(name + sep):
                raw = raw[len(name + sep) :]
                cut_start = True
    keys = [_site_key(n) for n in site_list] + list(host_names(host))
    held = {fold(h) for h in headlines}

    def names_site(segment: str) -> bool:
        return _names_site(segment, keys) or fold(segment) in learned or abbreviates(segment, site_list)

    learned = {fold(a) for a in affixes} | HOME_PAGE_NAMES | SECTION_NAMES
    raw = raw if fold(raw) in held else site_brackets(raw, keys, site_list)
    segments = split_segments(raw)
    segments, cut_end, cut_start = _around_site(raw, segments, site_list, learned, (cut_end, cut_start))
    cut = cut_end
    while len(segments) > 1 and names_site(segments[-1]):
        segments.pop()
        cut = True
    while cut and len(segments) > 1 and _section(segments[-1], segments[:-1]):
        segments.pop()  # a section name between headline and site name: "... | News | European Parliament"
    cut = cut_start
    while len(segments) > 1 and names_site(segments[0]):
        segments.pop(0)
        cut = True
    while cut and len(segments) > 1 and _section(segments[0], segments[1:]):
        segments.pop(0)
    if not segments:
        return raw
    title = _rejoin(raw, segments)
    return title if fold(title) in held else site_brackets(title, keys, site_list)


def _around_site(
    raw: str,
    segments: list[str],
    site_names: Sequence[str],
    learned: set[str],
    cuts: tuple[bool, bool],
) -> tuple[list[str], bool, bool]:
    """(segments, cut_end, cut_start) without a site's name that stands between two parts of the title
    and what follows it (rule 2f): "Kursy językowe dla rodzin - Urząd Miasta Przykładowo - Portal"
    with og:site_name "Urząd Miasta Przykładowo" is "Kursy językowe dla rodzin". The name must be a
    whole segment, equal to a site name (og:site_name, application-name, the chrome's) but for case,
    quotes and spaces. The headline is what stands before it, when that is longer (in words) than
    what follows but for section names (a tagline: "Official website", "Sito ufficiale"; "Berlin -
    Wien - Paris: Kurse im Vergleich" is no site's title), or what follows it when only home page
    or section names stand before ("Aktuelles | Stadt Beispielburg | Sprachkurse für Familien").
    The part before is cut only at the separator written before the site's name: another one is the
    headline's own ("Courses - Part 2 | City of Sampleton | Official website" keeps "Part 2")."""
    names = {fold(n) for n in site_names}
    cut_end, cut_start = cuts
    if len(segments) < 3 or not names:
        return segments, cut_end, cut_start
    middle = next((i for i in range(1, len(segments) - 1) if fold(segments[i]) in names), None)
    if middle is None:
        return segments, cut_end, cut_start
    before, after = segments[:middle], segments[middle + 1 :]
    if all(fold(s) in learned for s in before):
        return after, cut_end, True
    tagline = [s for s in after if fold(s) not in learned]  # "Nieuws | Officiële website"
    if len(" ".join(before).split()) <= len(" ".join(tagline).split()):
        return segments, cut_end, cut_start
    left = raw[: raw.find(segments[middle])] if segments[middle] in raw else ""
    separator = next((m for m in _SEPARATORS.finditer(left) if m.end() == len(left)), None)
    if separator is not None and (mark := separator.group().strip()):
        pattern = rf"\s*{re.escape(mark)}\s*" if mark == "|" else rf"\s+{re.escape(mark)}\s+"
        parts = [p.strip() for p in re.split(pattern, left[: separator.start()]) if p.strip()]
        before = parts or before
    return before, True, cut_start


def _section(segment: str, rest: Sequence[str]) -> bool:
    """`segment`, next to a dropped site name, is a section's name ("News", "Polityka", "Aktuelles"):
    a known one (`SECTION_NAMES`), or one of at most `SECTION_WORDS` words written with a capital (a
    headline's second part is not: "Migrant workers – rights | Ministry" keeps "rights") whose
    dropping leaves more words than it holds and no first word in small letters ("Ministry | Migrant
    workers – rights" keeps "Migrant workers")."""
    if fold(segment) in SECTION_NAMES:
        return True
    words = segment.split()
    if len(words) > SECTION_WORDS or not segment[:1].isupper():
        return False
    left = " ".join(rest)
    return len(left.split()) > len(words) and not left[:1].islower()


def chrome_segments(raw: str, chrome: str, headlines: Sequence[str] = ()) -> list[str]:
    """Segments of `raw` that the page's chrome repeats (`pipelines.sitenames.chrome_text`: header,
    footer, navigation, logo) and no headline holds: the site's name in its own words (rule 2b).

    A segment counts when it has two words or six characters at least and stands in the chrome as
    whole words. None counts when every segment does (the title is then told by the other rules).
    The text of a bracket at either end of `raw` (rule 2e) counts when it is a whole line of the
    chrome of two words or more ("[Caritas Wien]" by the logo's "Caritas Wien"; a menu's "Podcast"
    does not make "(Podcast)" the site's)."""
    if not chrome:
        return []
    segments = split_segments(raw)
    if len(segments) > MAX_SEGMENTS:
        return []
    folded_heads = [fold(h) for h in headlines if h]
    bracketed = [m.group(2).strip() for m in (_END_BRACKET.search(raw), _START_BRACKET.search(raw)) if m]
    found = [
        text
        for text in bracketed
        if len(text.split()) >= 2
        and _chrome_line(text, chrome)
        and not any(fold(text) in h for h in folded_heads)
    ]
    for segment in segments if len(segments) > 1 else []:
        key = fold(segment)
        if (len(key) < 6 and len(key.split()) < 2) or len(segment.split()) > 2 * MAX_SEGMENT_WORDS_AS_SITE:
            continue
        if any(key in head for head in folded_heads):
            continue
        if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", chrome):
            found.append(segment)
    return found if len([f for f in found if f in segments]) < len(segments) else []


def _headline_case(raw: str, headlines: Sequence[str]) -> str:
    """An all-capitals title with its segments written as the page's headlines write them (rule 2d).

    Rule: a ``<title>`` in capitals ("NEUE KURSE FÜR ZUGEWANDERTE | STADT BONN") shouts what the
    headline says in the page's own letters; a segment equal to a headline with small letters, but
    for case and accents (Greek capitals drop their tonos: "ΝΕΟ ΠΡΟΓΡΑΜΜΑ" is "Νέο πρόγραμμα"), is
    replaced by that headline before the other rules read the title.
    """
    if any(c.islower() for c in raw) or not any(c.isupper() for c in raw):
        return raw
    written = {_bare(h): h for h in headlines if any(c.islower() for c in h)}
    for segment in split_segments(raw):
        headline = written.get(_bare(segment))
        if headline is not None:
            raw = raw.replace(segment, headline, 1)
    return raw


def _bare(text: str) -> str:
    """`fold` without accents."""
    return "".join(c for c in unicodedata.normalize("NFD", fold(text)) if not unicodedata.combining(c))


def _chrome_line(text: str, chrome: str) -> bool:
    """`text` is a whole line of the page's chrome (a logo's or the header's text: "Stadt Köln")."""
    key = fold(text)
    return bool(key) and key in chrome.split("\n")


def _after_site_colon(
    title: str, headlines: Sequence[str], site_keys: Sequence[str], chrome: str, site_names: Sequence[str]
) -> str:
    """The headline of a title written "Site: Headline" (rule 2c).

    Rule: a colon is no separator ("Corsi di italiano: aperte le iscrizioni" is one headline), but
    when the part after the first ": " equals one of the page's headlines and the part before names
    the site (a whole line of the chrome, `_chrome_line`, a site name, `_names_site`: "Landratsamt
    Musterkreis: Beratung für Geflüchtete", or its short name, `abbreviates`: "SKR: Ny kurs ..." on
    the site of "Sveriges Kommuner och Regioner"), the part before is the site's name, and the title
    is that headline as the page writes it ("UNHCR: nuovi corridoi" gives "Nuovi corridoi").
    """
    before, colon, after = title.partition(": ")
    same = [h for h in headlines if fold(after) == fold(h)] if colon and after else []
    if not same:
        return title
    if _chrome_line(before, chrome) or _names_site(before, site_keys) or abbreviates(before, site_names):
        return same[0]
    return title


def _rejoin(raw: str, segments: list[str]) -> str:
    """The part of `raw` from the first to the last kept segment (original separators kept)."""
    start = raw.find(segments[0])
    end = raw.rfind(segments[-1])
    if start < 0 or end < 0 or end < start:
        return " ".join(segments)
    return _TRAILING_PUNCT.sub("", raw[start : end + len(segments[-1])]).strip()


def _headline_run(raw: str, headlines: Sequence[str]) -> str | None:
    """The longest run of title segments equal to or contained in a headline (rule 2, first half)."""
    segments = split_segments(raw)
    if len(segments) > MAX_SEGMENTS:
        return None  # no headline has that many parts; the pairwise search would be quadratic
    folded = [fold(h) for h in headlines if h]
    best: list[str] | None = None
    for i in range(len(segments)):
        for j in range(len(segments), i, -1):
            run = segments[i:j]
            text = fold(_rejoin(raw, run))
            if len(text) < 8 or (best is not None and j - i <= len(best)):
                continue
            if any(text == h or (text in h and len(text) >= 0.5 * len(h)) for h in folded):
                best = run
                break
    return _rejoin(raw, best) if best else None


def choose_title(
    raw: str | None,
    *,
    headlines: Sequence[str] = (),
    confirmed: Sequence[str] = (),
    site_names: Iterable[str] = (),
    host: str | None = None,
    affixes: Iterable[str] = (),
    doc_heading: str | None = None,
    chrome: str = "",
) -> str | None:
    """The document's title by the module's rules.

    raw: the page's ``<title>``; headlines: h1 texts and metadata titles (og:title, twitter:title,
    JSON-LD headline); confirmed: headlines two sources on the page agree on (an h1 equal to a
    metadata title); site_names: og:site_name, application-name; host: the page's host; affixes:
    learned segments of the source; doc_heading: a document title found in the body (legal acts);
    chrome: the folded text of the page's header, footer, navigation and logo (rule 2b).
    """
    raw = one_line(raw)
    heads = [h for h in (one_line(x) for x in headlines) if h]
    sure = [h for h in (one_line(x) for x in confirmed) if h]
    if raw is None:
        raw = sure[0] if sure else (heads[0] if heads else None)
        if raw is None:
            return one_line(doc_heading)
    raw = _headline_case(raw, heads)
    heads = [h for h in heads if fold(h) != fold(raw)]  # og:title often repeats <title>, site name and all
    site_names = [*site_names, *chrome_segments(raw, chrome, [*heads, *sure])]
    title = _headline_run(raw, heads) or strip_site(raw, site_names, host, affixes, heads)
    title = strip_site(title, site_names, host, affixes, heads) if title != raw else title
    if sure and not any(fold(title) == fold(h) for h in heads) and fold(title) not in map(fold, sure):
        title = strip_site(sure[0], site_names, host, affixes, heads)
    keys = [_site_key(n) for n in (one_line(x) for x in site_names) if n] + list(host_names(host))
    title = _after_site_colon(title, heads, keys, chrome, site_names)
    own = [h for h in heads if fold(h) not in HOME_PAGE_NAMES and not _names_site(h, keys)]
    homely = (
        fold(title) in HOME_PAGE_NAMES
        or fold(title) in SECTION_NAMES
        or any(fold(s) in HOME_PAGE_NAMES for s in split_segments(raw))
        or _chrome_line(title, chrome)
    )
    page_own = [h for h in own if not _chrome_line(h, chrome)]  # a logo's h1 is no headline of the page
    if own and not any(fold(title) == fold(h) for h in page_own) and (homely or _names_site(title, keys)):
        best = [h for h in sure if h in own] or sorted(own, key=lambda h: -len(h.split()))
        title = strip_site(best[0], site_names, host, affixes, heads)
    cut = _TRUNCATION.sub("", title)
    longer = [h for h in own if len(h) > len(cut) >= 8 and (cut != title or goes_on(cut, h))]
    longer = [h for h in longer if fold(h).startswith(fold(cut))]
    if longer:  # a <title> cut short of the page's headline: marked so, or at the headline's own colon
        title = strip_site(longer[0], site_names, host, affixes, heads)
    first = split_segments(title)[0] if split_segments(title) else title
    if is_code_only(first) and doc_heading and not is_code_only(doc_heading):
        return one_line(doc_heading)
    return title


_GOES_ON = re.compile(r"^\s*(?::|\||\s[-–—]\s)\s*\w")
"""A headline's own separator after its first part, and more words: ": Y", " : Y", " – Y", " - Y", " | Y"."""


def goes_on(title: str, headline: str) -> bool:
    """`headline` is `title` followed by its separator and more (rule 4, a shortened ``<title>``).

    Rule: an SEO ``<title>`` often carries only the part of the headline before its colon or dash
    ("Integrationskurse in Bremen | Bremer Tageblatt" for the h1 "Integrationskurse in Bremen:
    Wartezeit steigt auf acht Monate"); the page's own headline (h1/h2, og:title) that starts with
    the cleaned title and goes on after ``:``, ``|`` or a spaced dash is the title: a title is never
    the first part of the page's headline. A headline that goes on without a separator ("Vissa
    skolfrågor ID-nummer: Prop. 2012/13:187") is not the title's longer form, and the title stays.
    """
    key, whole = fold(title), fold(headline)
    return whole.startswith(key) and bool(_GOES_ON.match(whole[len(key) :]))


def looks_like_slug(value: str | None) -> bool:
    """A URL slug or file name rather than a title: "make-it-in-germany checklist-non-eu en",
    "Engpassberufe_EN", "report_2024-final.pdf", "de national-visa-application-form de-en"."""
    value = one_line(value)
    if not value:
        return True
    if _FILE_NAME.match(value) or _SLUG.match(value):
        return True
    words = value.split()
    slugged = sum(1 for w in words if _SLUG.match(w))
    lower = all(w == w.lower() for w in words)
    return lower and slugged >= 1 and slugged * 2 >= len(words) - 1


def is_placeholder_title(value: str | None) -> bool:
    """A PDF metadata title that names the file or template, not the document: file names,
    "Unbenannt-1", "Layout 1", "*.indd", "Microsoft Word - ...", "untitled", template names, and
    the defaults of office programs in the EU languages (`_APP_DEFAULT`: "Sem título", "Névtelen",
    "Documento1", "Diapositive 1", "Présentation PowerPoint", "Click to edit Master title style")."""
    value = one_line(value)
    if not value or len(value) < 4:
        return True
    if _PLACEHOLDER.match(value) or _FILE_NAME.match(value) or looks_like_slug(value):
        return True
    if _app_default(value):
        return True
    return bool(re.search(r"\.(indd|indb|docx?|dotx?|pptx?|qxp|qxd|pdf)\b", value, re.IGNORECASE))


def _app_default(value: str) -> bool:
    """`value` is an application's default title in an EU language (`_APP_DEFAULT`)."""
    bare = " ".join(_strip_accents(value).replace("ß", "ss").lower().split())
    return _APP_DEFAULT.search(bare.replace("-", " ") if bare.startswith("powerpoint-") else bare) is not None


def strip_feed_title(title: str | None, feed_name: str | None, host: str | None) -> str | None:
    """A feed entry's title without the site's name (`_feed_site`), dropped from either end. A
    feed's title is the entry's own words otherwise: a date, a country, a series' "Part 2" or a
    shared word ("Migration - ...") stays. The title stays whole when what would be left is only a
    date or a code, or, after a dropped start, begins with a small letter or a digit. A bracket at
    either end that holds the feed's title, the host's name or initials, or the feed title's short
    name (`abbreviates`) goes too ("Headline [Yle Uutiset]", rule 2e: `site_brackets`)."""
    raw = one_line(title)
    if not raw:
        return title
    name = fold(feed_name or "") if feed_name and len(feed_name.split()) <= MAX_SEGMENT_WORDS_AS_SITE else ""
    hosts = [h for h in host_names(host) if h not in _SUBDOMAIN_WORDS]
    keys, names = [*hosts, _site_key(name)], [feed_name] if feed_name else []
    bare = site_brackets(raw, keys, names)
    segments = split_segments(bare)
    start, end = 0, len(segments)
    while end - start > 1 and _feed_site(segments[end - 1], name, hosts):
        end -= 1
    while end - start > 1 and _feed_site(segments[start], name, hosts):
        start += 1
    if bare == raw and (start, end) == (0, len(segments)):
        return title
    stripped = site_brackets(_rejoin(bare, segments[start:end]), keys, names) if segments else bare
    if not raw.startswith(stripped) and not stripped[:1].isupper():
        return title
    if is_date_only(stripped) or (_has_small(raw) and not _has_small(stripped)):
        return title  # a date, a code ("AMIF-2026-AG-INTEGR") is no headline
    return stripped


_SUBDOMAIN_WORDS = frozenset(
    {"news", "www", "blog", "blogs", "feed", "feeds", "rss", "media", "press", "presse", "data", "api", "m"}
)
"""Host labels that say what a server serves, not whose site it is (news.example.eu)."""


def _feed_site(segment: str, name: str, hosts: Sequence[str]) -> bool:
    """`segment` of a feed entry's title names the site: it is the feed's own title (`name`,
    folded) or its short name ("SKR" in a feed called "Sveriges Kommuner och Regioner",
    `abbreviates`), a home page's name, a bare domain, the host's name (its label, its initials, the host
    with a word for what it is: "Stadt Wien"), or a name of two words or more that the feed's title
    holds or is held in, as whole words ("Ministry of Social Affairs" in "Ministry of Social Affairs
    - News"). A segment that only starts like the feed's title ("Asylum seekers" in a feed called
    "Asylum"), a section word inside a longer segment, or a word the entries merely share
    ("Germany", "Part 2", "Update", "Q&A") names no site."""
    key = fold(segment)
    if not key or is_date_only(segment):
        return False
    if key == name or key in HOME_PAGE_NAMES or _DOMAIN.match(segment):
        return True
    if name and abbreviates(segment, [name]):
        return True
    if hosts and (_site_key(segment) in hosts or _initials_name(segment, hosts)):
        return True
    if _name_and_word(segment, hosts):
        return True  # "Stadt Wien" on wien.gv.at
    if name and key != name:
        shorter, longer = sorted((key, name), key=len)
        return len(shorter.split()) >= 2 and f" {shorter} " in f" {longer} "
    return False


def _has_small(text: str) -> bool:
    """`text` holds a small letter (a code or an acronym has none)."""
    return any(c.islower() for c in text)


class SharedFileTitles:
    """Per source, the metadata titles its documents (PDF) carry: a template's title ("Annual report",
    "Formular") that another document of the source already gave is no title of this one.

    `taken(source_id, title, document)` records that `document` (its text's key) carries `title` and
    says whether a different document of the source carried it first. Memory is bounded: at most
    `max_titles` titles per source are remembered.
    """

    def __init__(self, max_titles: int = 1_000):
        self.max_titles = max_titles
        self._first: dict[str, dict[str, int]] = defaultdict(dict)

    def taken(self, source_id: str, title: str | None, document: int) -> bool:
        """Whether another document of `source_id` gave `title` first (class docstring)."""
        key = fold(title or "")
        if not key:
            return False
        seen = self._first[source_id]
        if key not in seen:
            if len(seen) < self.max_titles:
                seen[key] = document
            return False
        return seen[key] != document


class AffixLearner:
    """Per source, the segments its pages repeat at the start or end of their titles (rule 2).

    `observe` records one page's raw title; `affixes` returns the segments seen at the same end of at
    least `MIN_AFFIX_PAGES` distinct titles of that source (short segments only). Memory is bounded:
    at most `max_titles` titles per source are remembered.
    """

    def __init__(self, max_titles: int = 500):
        self.max_titles = max_titles
        self._seen: dict[str, set[str]] = defaultdict(set)
        self._ends: dict[str, Counter[str]] = defaultdict(Counter)

    def observe(self, source_id: str, raw: str | None) -> None:
        """Remember the end segments of one page title of `source_id` (each distinct title once)."""
        raw = one_line(raw)
        if not raw or raw in self._seen[source_id] or len(self._seen[source_id]) >= self.max_titles:
            return
        self._seen[source_id].add(raw)
        segments = split_segments(raw)
        if len(segments) < 2:
            return
        # a headline segment is unique to its page; what repeats across pages is the site's
        self._ends[source_id].update(
            {fold(s) for s in segments if len(s.split()) <= MAX_SEGMENT_WORDS_AS_SITE}
        )

    def affixes(self, source_id: str) -> tuple[str, ...]:
        """Segments repeated at an end of this source's titles (folded)."""
        return tuple(s for s, n in self._ends[source_id].items() if n >= MIN_AFFIX_PAGES)


HEADLINE_CHARS = 250
"""Longest title kept whole: a legal act's headline (about 220 characters at EUR-Lex) fits; a longer
title has run into the page's text or metadata and is cut (`cut_headline`)."""
_MIN_HEADLINE = 40
"""A cut never leaves fewer characters than this: "Report" before "Rapporteur:" is no headline."""
_CODE_BRACKET = re.compile(r"\s*\((?:[^()]|\([^()]*\))*\)\s*$")
"""A bracket at a title's end, one level of brackets inside: "(C9-0177/2023 - 2023/0102(NLE))"."""
_SEGMENT_END = re.compile(r"\s+(?:-|–|—|\|)\s+|[;:]\s+")


def _strip_code_brackets(title: str, floor: int = _MIN_HEADLINE) -> str:
    """`title` without the brackets at its end that hold only codes (no word of four letters), each
    only when at least `floor` characters come before it."""
    while (found := _CODE_BRACKET.search(title)) and is_code_only(found.group().strip()[1:-1] or "x"):
        if found.start() < floor:
            break
        title = title[: found.start()].rstrip()
    return title


def cut_headline(title: str | None, limit: int = HEADLINE_CHARS) -> str | None:
    """A title without the document metadata it ran into, and of at most `limit` characters.

    Rule (the EP's and EUR-Lex's listings give a report's cover page as its link text: "REPORT on ...
    (2020/2167(DEC)) Committee on Budgetary Control Rapporteur: Ryszard Czarnecki"):
    1. A title is cut before the first metadata label (`METADATA_LABELS`: "Rapporteur:",
       "Berichterstatter:", "Rapporteur :", "Relatore:", "Ponente:", "Sprawozdawca:", "Author:",
       "Procedure:" ... in the EU languages) that follows at least `_MIN_HEADLINE` characters of
       headline ("Neues Verfahren: was sich ändert" stays whole), with the committee's name just
       before the label ("Committee on ...", "Ausschuss für ...", "Commission des ...", "Commissione
       ...", "Komisja ...") and the brackets of procedure codes before that ("(2020/2167(DEC))",
       brackets without a word of four letters) cut too.
    2. A title still longer than `limit` characters is cut at its last sentence end (as
       `title_from_text` reads one), else its last segment separator (" - ", " | ", ": ", "; ") within
       the limit and at least `_MIN_HEADLINE` characters in, else its last comma (a legal act's
       title: "..., for identifying an illegally staying ..."), else at a word with "…"; a title
       with no space past `_MIN_HEADLINE` has no word to cut at and is left to the byte limit
       (RELIABILITY T27, pipelines.normalize). A cut never leaves a bracket open: it goes back to
       before the bracket (`_unopened`: "... in Montenegro (08353/2023 - C9-0177/2023" -> "... in
       Montenegro").
    The item's text keeps the whole document; only the title is cut. None stays None.
    """
    if not title:
        return title
    for label in _LABEL.finditer(title):
        if label.start() < _MIN_HEADLINE:
            continue
        head = title[: label.start()].rstrip(" ,;-–—|")
        committee = _COMMITTEE.search(head)
        by_committee = False
        if committee:
            before = _strip_code_brackets(head[: committee.start()].rstrip(" ,;-–—|"), floor=1)
            # a committee's name before the label is metadata however short the headline before it
            # ("OPINION on migration (2023/2001(INI)) Committee on Culture Draftsperson:")
            if len(re.findall(r"[^\W\d_]{2,}", before)) >= 2:
                head, by_committee = before, True
        head = _strip_code_brackets(head)
        if len(head) >= _MIN_HEADLINE or by_committee:
            title = head
            break
    if len(title) <= limit:
        return title
    return _unopened(_cut_long(title, limit))


def _unopened(head: str) -> str:
    """`head` before its first bracket left open by a cut ("... in Montenegro (08353/2023 - C9-0177"
    -> "... in Montenegro"), when that leaves `_MIN_HEADLINE` characters; else `head`."""
    depth, first_open = 0, None
    for i, char in enumerate(head):
        if char in "([":
            if depth == 0:
                first_open = i
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
    if depth and first_open is not None and first_open >= _MIN_HEADLINE:
        return head[:first_open].rstrip(" ,;:-–—|")
    return head


def _cut_long(title: str, limit: int) -> str:
    """Rule 2 of `cut_headline` on a `title` longer than `limit`."""
    head = title[: limit + 1]
    sentence = [
        end.start() + len(end.group(1))
        for end in _SENTENCE_END.finditer(head)
        if end.start() >= _MIN_HEADLINE and end.group(2).isupper() and _ends_sentence(head[: end.start()])
    ]
    if sentence:
        return head[: sentence[-1]].rstrip(" .")
    segments = [m.start() for m in _SEGMENT_END.finditer(head) if m.start() >= _MIN_HEADLINE]
    if segments:
        return head[: segments[-1]].rstrip()
    commas = [m.start() for m in re.finditer(r",\s", head) if m.start() >= _MIN_HEADLINE]
    if commas:
        return head[: commas[-1]]
    if not re.search(r"\s", head[_MIN_HEADLINE:]):
        return title  # one run without words to cut between: the byte limit holds it (T27)
    return shorten(title, limit)
