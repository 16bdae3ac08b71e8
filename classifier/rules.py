"""Keyword and phrase rules: relevance to migrant integration and the six theme scores, with evidence.

Evaluation order (for one item; title and body are matched separately, a phrase never spans both):

1. Normalise: NFKD, accents and combining marks removed, case-folded, ß->ss, ł->l, ø->o ...
   (`classifier.themes.normalize`, the same function that normalised the patterns).
2. Tokenise into words (``\\w+``); apostrophes and hyphens separate words, so "d'asile" = "d asile".
3. Match the patterns of the item's language and the language-neutral ones (key ``any``: acronyms,
   names), never another language's: Estonian "töö" is not English "too". An item whose language
   is unknown (None) or has no term list in themes.yaml is matched against every list. A word
   matches exactly, by prefix (``stem*``), suffix (``*stem``) or infix (``*stem*``); a phrase
   matches consecutive words.
4. Negative terms (``relevance.negative``, a theme's ``negative``) are dropped where a longer positive
   phrase covers them ("European Integration Network" beats "European integration"; for a theme's
   negative, a longer phrase of that theme); the rest mask
   their words: relevance negatives for every positive cue, a theme's negatives for that theme only.
5. Per cue group and start word, only the heaviest match counts (then the longest), so "asylum
   seeker" and "asyl*" are not counted twice, nor the same stem listed in two languages.
6. Per term: contribution = weight x min(count_cap, title_boost if in title + (1 + ln(body count)/2)).
   A weak migrant cue (a migrant, integration or ambiguous term weighing less than
   `MIN_MIGRANT_EVIDENCE`, "migration*") counts once per field: weight x (title_boost if in the title
   + 1 if in the body), however often the body repeats it.
   A relevance negative after a concessive marker of the item's language ("despite ...") counts
   none (`_concessive`); its words stay masked.
7. Scores, with sat(x) = 1 - exp(-x) and s = the scales in ``scoring``:
   M = migrant + integration sums; A = area + integration sums + theme_area_factor x the sums of the
   themes with `area` (all but Tools and Techniques: a report or statistics is no integration area);
   N = negative sum; relevance = sqrt(sat(M/s_rel) x sat(A/s_rel)) x exp(-N x soft/s_neg), where
   soft = exp(-min(A_lead, cap)/s_neg_area) lets integration-area evidence soften a negative
   context, A_lead being A of the title and the first `LEAD_WORDS` words (`negative_factor`)
   (THEMES.md 1.5: a migrant cue AND an integration-area cue are both needed);
   theme score = sat(theme sum / s_theme).
   Gate: without a migrant cue (migrant or integration group) relevance is 0, whatever the
   area and theme words (school, poverty, housing support a theme, never relevance alone).
   ``ambiguous`` cues (a migrant word with a common second sense) count as migrant cues only
   beside another migrant or integration cue; alone they are shown with weight 0. So does the word
   for "foreign" that is also the noun "foreigner" (es, pt, it, fr, ro, mt, hu) where it qualifies
   students, players, firms, markets or tourists ("estudiantes extranjeros", "un play straniero":
   `FOREIGN_ADJECTIVE`).
   ``origin`` cues (people named by a non-European nationality or origin: "Eritrean youth", "Vietnamci",
   or by the country they came from: "women from Syria", "Familie aus dem Irak") count as migrant cues
   only in an item with integration-area evidence (A > 0) that names no ``abroad`` word (foreign affairs,
   economy, war, sport, tourism, exchange students, recipes, weather: "Syrian regime", "Chinese
   investors", "missiles fired from Syria"), no relevance negative and no place outside Europe that sets
   the story there (`_resolve_origin`), and only where the other migrant cues weigh less than
   `MIN_MIGRANT_EVIDENCE` (they stand in for a migrant word, never add to one); else they are shown with
   weight 0.
   ``elsewhere`` terms (Canada, Toronto, Australia: a destination outside Europe) are a negative E,
   relevance x exp(-E / s_neg) without the area softening, when the item names no ``europe`` term
   (a European country, city, Europe or the EU): a story set outside Europe is no integration news
   for a European portal, while a European story that names such a place (sponsorship on the
   Canadian model in Germany) keeps its score (`_resolve_elsewhere`). A place name inside a longer
   place name of the other group is that name's word (Wales in New South Wales), and an item that
   names places outside Europe only beside a word for a model or an example ("nach kanadischem
   Vorbild") or only as where migrants came from (after the word for "from" shortly after a migrant
   word: "newcomers from Brazil and India", `CAME_FROM`) has no `elsewhere` negative; a European name
   right before a migrant word ("Ukrainian
   refugees", "Ukraine-Flüchtlinge"; after it in `ADJECTIVE_AFTER` languages: "réfugiés ukrainiens")
   names their origin and is no `europe` term.
8. Decisions: relevant when relevance >= the language's threshold; themes are assigned only to
   relevant items: those >= the language's theme threshold and whose strength -ln(1 - score) is
   >= theme_relative x the best theme's strength (at most max_themes; at least the best one when it
   has any evidence).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Generic, TypeVar

from classifier.themes import ANY_LANGUAGE, Scoring, TermMap, Theme, ThemeConfig, load, normalize
from crawler.types import THEMES, Classification, Evidence, ThemeScore

_TOKEN = re.compile(r"\w+")
_CACHE_LIMIT = 200_000
"""Distinct words whose matches are cached; a harvest's vocabulary stays well below this."""
MAX_EVIDENCE = 10

NEGATIVE = "negative"
MIGRANT = "migrant"
AREA = "area"
INTEGRATION = "integration"
AMBIGUOUS = "ambiguous"
ORIGIN = "origin"
ABROAD = "abroad"
ELSEWHERE = "elsewhere"
EUROPE = "europe"
ELSEWHERE_NEGATIVE = "negative:elsewhere"
SETTLED, MOVED = 1, 2
"""How a place outside Europe sets an item there: named other than as a model or an origin (SETTLED),
or as where the item's people move (MOVED, classifier.rules `_moved_to`)."""
"""Sum of the `elsewhere` terms of an item that names no `europe` term (`_resolve_elsewhere`)."""
MIN_SUPPORT = 2.0
"""Migrant and integration cue weight (themes.yaml: 2 = a clear cue) an item needs beside its
``ambiguous`` cues for them to count: weak cues ("emigra*", "expat*": 1) do not vouch for them."""
MIN_MIGRANT_EVIDENCE = 2.5
"""Migrant-cue weight (themes.yaml weights: 3 decisive, 2 clear, 1 weak) an item needs to be relevant
(classifier.model `has_migrant_cue`). A migrant, integration or ambiguous term weighing less is a weak
cue ("migration*": 1.5 or 2, "expat*": 1): it counts once per field however often the field repeats it
(`WEAK_CUE_OCCURRENCES`: once in the body, once in the title), so repeating it is no evidence: a
body that says "migration" ten times has one weak cue and needs a second, different one."""
WEAK_CUE_OCCURRENCES = 1.0
"""Occurrences a weak migrant cue counts for in the body (step 6), however often the body repeats it;
in the title it counts as one title occurrence (scoring.title_boost) besides. Counting it once per
item, title and body together, lost three labelled on-topic items of themes_dev ("Summer School on
Migration Studies", "Forced Migration Researchers": relevance F1 of its 5-fold CV 0.95 -> 0.92);
a title mention of another sense is left to the negative contexts ("migration to IPv6")."""
WEAK_CUE_GROUPS = frozenset({"migrant", "integration", "ambiguous"})
ANY = ANY_LANGUAGE


_URL_CHARS = r"[\w\-.~:/?#@!$&*+=%]"
"""A character of a web address in running text: RFC 3986's unreserved and reserved characters and
letters of any script (an IRI), but for the ones that end it there: ';' and ',' (a clause or a list
goes on), brackets and quotes; any other character ('|', '«', '^', a zero-width space) is no URI
character at all (RFC 3986 section 2), so a word glued after one stays a word."""
_ADDRESS = re.compile(rf"\b(?i:https?://|www\.){_URL_CHARS}+")
_HOST_PATH = re.compile(
    rf"(?<![\w.@/-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+([a-z]{{2,24}})/{_URL_CHARS}*", re.IGNORECASE
)
_TLD_SLASH = re.compile(r"\.[A-Za-z]{2,24}/")
_MAIL = re.compile(r"[\w.+-]+@((?:[\w-]+\.)+)([\w-]+)\b")
_MAIL_AT = re.compile(
    r"[\w.+-]+\s?[(\[{]\s?at\s?[)\]}]\s?([\w-]+(?:(?:\.|\s?[(\[{]\s?dot\s?[)\]}]\s?)[\w-]+)+)", re.IGNORECASE
)
_AT_MARK = re.compile(r"[(\[{]\s?at\s?[)\]}]", re.IGNORECASE)
_ONE_CASE_LABEL = re.compile(r"[a-z]{2,6}|[A-Z]{2,6}")
"""Web (`_ADDRESS`, `_HOST_PATH`) and e-mail addresses (`_MAIL`, `_MAIL_AT`) in a text: no words of
it (in "Support link: https://eci.ec.europa.eu/060/public" or "info@refugees.example.eu", "public",
"europa" and "refugees" would count). An address is one with a scheme or www. ("https://x.eu/a",
"www.x.eu"), a dotted host whose last label is a top-level domain followed by a path
("ec.europa.eu/home-affairs/refugees-and-migrants", `top_level_domains`), or an e-mail address:
name@host or one written against harvesting ("integration(at)stadt-wien.at", "info [at] x [dot] eu")
whose last label is a top-level domain in any case ("info@migrants.brussels", "info@refugees.Eu")
and whose labels are not all capitalised words ("Refugees@Home.Network" and "Querid@s.Migrantes" are
words). A web address ends where `_URL_CHARS` do."""


@lru_cache(maxsize=1)
def top_level_domains() -> frozenset[str]:
    """The top-level domains, lower case: the one-label names of the ICANN part of the public suffix
    list as bundled with tldextract (1,400+: eu, at, brussels, wien, network ...). Empty when that
    copy cannot be read; an address's last label is then one of 2-6 letters in one case."""
    try:
        text = (files("tldextract") / ".tld_set_snapshot").read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError):
        return frozenset()
    icann = text.split("===BEGIN ICANN DOMAINS===")[-1].split("===END ICANN DOMAINS===")[0]
    names = (line.strip().lower() for line in icann.splitlines())
    return frozenset(n for n in names if n and not n.startswith(("//", "*", "!")) and "." not in n)


def _is_tld(label: str) -> bool:
    tlds = top_level_domains()
    return label.lower() in tlds if tlds else bool(_ONE_CASE_LABEL.fullmatch(label))


def _host_path(m: re.Match[str]) -> str:
    return " " if _is_tld(m.group(1)) else m.group(0)


def _mail(m: re.Match[str]) -> str:
    labels = [*m.group(1).split(".")[:-1], m.group(2)]
    words = all(label[:1].isupper() and label[1:].islower() for label in labels)
    return " " if _is_tld(m.group(2)) and not words else m.group(0)


def _mail_at(m: re.Match[str]) -> str:
    return " " if _is_tld(re.split(r"[^\w-]+", m.group(1))[-1]) else m.group(0)


_GENDERED = re.compile(
    # each branch starts with its mark, so the scan skips to the marks (about 1 ms per 20,000 characters)
    r"[*:·∗＊](?<=[^\W\d_].)(?=(?:innen|in)\b|(?-i:innen)[^\W\d_]|(?<=e.)[rn]\b)"
    r"|_(?<=[^\W\d_]_)(?=innen\b|(?-i:innen)[^\W\d_]|(?<=e_)[rn]\b)"
    r"|/(?<=[^\W\d_]/)(?:-?(?=innen\b|(?-i:innen)[^\W\d_])|-(?=in\b))"
    r"|·(?<=[^\W\d_]·)(?=[^\W\d_])",
    re.IGNORECASE,
)
"""The mark inside a gender-inclusive word: German "Migrant*innen" (also with the operator or the
full-width asterisk), "Lehrer:innen", "Schüler_innen", "Bürger/-innen", "Antragsteller/-in", "Ärzt*in",
compounds ("Migrant*innenorganisationen", "Bürger:innenbeteiligung"; the compound's "innen" is in
lower case, so "Thema:Innenpolitik" keeps its colon), "Geflüchtete*r", "Asylsuchende:r"; French
"migrant·e·s" (not "up/in"). The word is one word ("migrantinnen", "gefluchteter", "migrantes"), not
a word and a fragment ("innen", "r" shown as a reason)."""
_DOTS = "\\-.‧•∙"
_FRENCH = re.compile(
    rf"[{_DOTS}](?<=[^\W\d_].)(?=e(?:[{_DOTS}]?s)?(?![{_DOTS}·]?\w))"
    rf"|[{_DOTS}](?<=[^\W\d_].e.)(?=s(?![{_DOTS}·]?\w))"
    r"|\((?<=[^\W\d_]\()(?=(?:e|es|s)\))|\((?<=e\)\()(?=s\))"
    r"|\)(?<=[^\W\d_]\(e\))|\)(?<=[^\W\d_]\(s\))|\)(?<=[^\W\d_]\(es\))|\)(?<=\)\(s\))"
)
"""French gender-inclusive endings written with a full stop, a bullet or a hyphen ("migrant.e.s",
"réfugié.es", "migrant-e-s", "étudiant.e") or in brackets ("migrant(e)s", "ami(e)(s)"): one word
("migrantes"); a lone "e" between two words stays ("bianco-e-nero", "Vitamin-E"). Run only on a
text with one of `_FRENCH_HINTS`."""
_FRENCH_HINTS = (".e", "-e", "‧e", "•e", "∙e", "(e", "(s")
_EPICENE = re.compile(r"@(?<=[^\W\d_]@)(?=s\b|(?!\w))|x(?<=[^\W\d_aeiouyAEIOUY]x)(?=s\b)")
"""Spanish and Portuguese gender-neutral endings: "migrant@s", "l@s", "tod@", "migrantxs", "lxs" are
read "migrantes", "les", "tode": one word whose stem a term finds ("migrante*")."""
_SPACE = re.compile(r"\s")


def tokenize(text: str | None) -> list[str]:
    """Normalised words of `text` ([] for None or empty), its web and e-mail addresses left out
    (`_ADDRESS`, `_HOST_PATH`, `_MAIL`, `_MAIL_AT`) and a gender-inclusive word kept whole
    (`_GENDERED`, `_FRENCH`, `_EPICENE`). The address patterns run only on a text with a sign of one
    ('://', 'www.', '@', a dot, letters and '/', a bracketed "at")."""
    if not text:
        return []
    return _TOKEN.findall(normalize(_words(text)))


def _words(text: str) -> str:
    """`text` without its addresses and with its gender-inclusive words joined (see `tokenize`)."""
    return _joined(_without_addresses(text))


def _without_addresses(text: str) -> str:
    """`text` with its web and e-mail addresses blanked (see `tokenize`)."""
    lowered = text.lower()
    if "://" in text or "www." in lowered:
        text = _ADDRESS.sub(" ", text)
    if "/" in text and _TLD_SLASH.search(text):
        text = _without_host_paths(text)
    if "@" in text:
        text = _MAIL.sub(_mail, text)
    if "at" in lowered and _AT_MARK.search(text):
        text = _MAIL_AT.sub(_mail_at, text)
    return text


def _joined(text: str) -> str:
    """`text` with its gender-inclusive words joined (`_GENDERED`, `_FRENCH`, `_EPICENE`)."""
    text = _GENDERED.sub("", text)
    if any(hint in text for hint in _FRENCH_HINTS):
        text = _FRENCH.sub("", text)
    if "@" in text or "xs" in text:
        text = _EPICENE.sub("e", text)
    return text


def _without_host_paths(text: str) -> str:
    """`text` with its host/path addresses (`_HOST_PATH`) blanked: the pattern is tried only on the
    run of non-space characters around each top-level domain before a '/' (`_TLD_SLASH`)."""
    parts: list[str] = []
    done = 0
    for m in _TLD_SLASH.finditer(text):
        if m.start() < done:
            continue
        start = m.start()
        while start > done and not text[start - 1].isspace():
            start -= 1
        space = _SPACE.search(text, m.end())
        end = space.start() if space else len(text)
        parts += [text[done:start], _HOST_PATH.sub(_host_path, text[start:end])]
        done = end
    return "".join([*parts, text[done:]])


_CONCESSIVE_BEFORE = {
    "en": ("despite", "in spite of", "notwithstanding"),
    "de": ("trotz", "ungeachtet"),
    "fr": ("malgré",),
    "it": ("nonostante", "malgrado"),
    "es": ("pese a", "a pesar de", "a pesar del"),
    "pt": ("apesar de", "apesar da", "apesar do", "apesar das", "apesar dos"),
    "nl": ("ondanks",),
    "sv": ("trots",),
    "da": ("trods",),
    "et": ("vaatamata",),
    "pl": ("mimo", "pomimo", "wbrew"),
    "cs": ("navzdory", "i přes"),
    "sk": ("napriek", "i napriek"),
    "sl": ("kljub",),
    "hr": ("unatoč", "usprkos"),
    "bg": ("въпреки",),
    "ro": ("în ciuda",),
    "el": ("παρά τα", "παρά την", "παρά τις", "παρά το", "παρά τους"),
    "lt": ("nepaisant",),
    "lv": ("neraugoties uz", "neskatoties uz", "par spīti"),
    "mt": ("minkejja",),
    "ga": ("in ainneoin", "d ainneoin"),
}
_CONCESSIVE_AFTER = {"fi": ("huolimatta",), "hu": ("ellenére",), "et": ("hoolimata",), "de": ("zum trotz",)}


def _marker_tokens(markers: Mapping[str, tuple[str, ...]]) -> dict[str, frozenset[tuple[str, ...]]]:
    return {lang: frozenset(tuple(tokenize(m)) for m in ms) for lang, ms in markers.items()}


CONCESSIVE_BEFORE = _marker_tokens(_CONCESSIVE_BEFORE)
"""Concessive markers before a phrase, per language, as tokens ("despite border controls, ...",
"trotz Grenzkontrollen"); `CONCESSIVE_AFTER` holds the postpositions (Finnish "huolimatta",
Hungarian "ellenére", Estonian "hoolimata"). A negative context named as what a story goes on
despite is not its subject: a relevance negative within `CONCESSIVE_GAP` words of such a marker of
the item's language is not counted (`_concessive`; its words stay masked, and a mask of weight 0,
"took shelter", "abroad", stays a mask). Lists: the
standard concessive prepositions of the EU languages; per language, since one language's marker is
another's word (Dutch "trots" = proud, Czech "mimo" = outside)."""
CONCESSIVE_AFTER = _marker_tokens(_CONCESSIVE_AFTER)
CONCESSIVE_GAP = 3
"""Words allowed between the marker and the negative term ("despite the new border controls")."""

_BORROWED = {
    "en": ("model", "style", "inspir", "example", "method", "lesson"),
    "de": ("vorbild", "modell", "beispiel", "muster", "inspir", "methode"),
    "fr": ("modele", "exemple", "inspir", "methode"),
    "it": ("modell", "esempio", "ispira", "metodo"),
    "es": ("modelo", "ejemplo", "inspira", "metodo"),
    "pt": ("modelo", "exemplo", "inspira", "metodo"),
    "nl": ("model", "voorbeeld", "geinspireerd", "methode"),
    "sv": ("modell", "forebild", "inspirera", "metod"),
    "da": ("model", "forbillede", "inspirer", "metode"),
    "fi": ("malli", "esimerk", "inspiro", "menetelm"),
    "pl": ("model", "wzor", "przyklad", "inspir", "metod"),
    "cs": ("model", "vzor", "priklad", "inspir", "metod"),
    "sk": ("model", "vzor", "priklad", "inspir", "metod"),
    "sl": ("model", "zgled", "vzor", "navdih", "metod"),
    "hr": ("model", "uzor", "primjer", "inspir", "metod"),
    "hu": ("modell", "minta", "pelda", "ihlet", "modszer"),
    "lt": ("model", "pavyzd", "metod"),
    "lv": ("model", "parau", "piemer", "metod"),
    "et": ("eeskuj", "mudel", "meetod"),
    "ro": ("model", "exemplu", "inspir", "metod"),
    "el": ("μοντελ", "προτυπ", "παραδειγμ", "μεθοδ", "εμπνευ"),
    "bg": ("модел", "пример", "вдъхнов", "метод"),
    "mt": ("mudell", "ezempju", "ispirat"),
    "ga": ("samhail", "eiseamlair"),
}
BORROWED = {lang: tuple(normalize(stem) for stem in stems) for lang, stems in _BORROWED.items()}
"""Stems of the words for a model, an example, a method or an inspiration, per language (a word
starting with one: "Vorbild", "wzorowany", "mintára", "modelled"). A place outside Europe within
`BORROWED_GAP` words of one ("nach kanadischem Vorbild", "po vzoru Kanady", "a model from Canada") is
where an idea comes from, not where the story is set: an item that names places outside Europe only
so has no `elsewhere` negative (`_borrowed`); one that also names such a place otherwise ("the Canadian
model: Canada offers ...") has. In English the word comes before the place ("modelled on Canada";
"Canada's model" is its own) but for "-style"."""
ADJECTIVE_AFTER = frozenset({"fr", "it", "es", "pt", "ro", "mt", "ga"})
"""Languages whose adjectives follow the noun ("rifugiati ucraini"): there a European name right after
a migrant word is the migrants' origin too; elsewhere only one right before it is."""
BORROWED_GAP = 4
"""Words allowed between such a word and the place ("wzorowane na programie z Kanady")."""
_CAME_FROM = {
    "en": ("from",),
    "de": ("aus",),
    "fr": ("du", "de", "d", "des"),
    "es": ("de", "del", "desde"),
    "pt": ("do", "da", "de", "dos", "das"),
    "it": ("dal", "dalla", "dallo", "dai", "dalle", "da", "dall"),
    "nl": ("uit",),
    "sv": ("fran",),
    "da": ("fra",),
    "pl": ("z", "ze"),
    "cs": ("z", "ze"),
    "sk": ("z", "zo"),
    "sl": ("iz",),
    "hr": ("iz",),
    "ro": ("din",),
    "el": ("απο",),
    "lt": ("is",),
    "lv": ("no",),
    "bg": ("от",),
    "mt": ("minn", "mill"),
}
CAME_FROM = {lang: frozenset(normalize(w) for w in words) for lang, words in _CAME_FROM.items()}
"""The word for "from" per language. A place outside Europe right after one, within `CAME_FROM_GAP`
words after a migrant word ("newcomers from Brazil and India", "os recém-chegados do Brasil, da Índia
e do Nepal", "recién llegados de Colombia"), is where migrants came from, not where the story is set:
like a model's place it sets no `elsewhere` negative (`_came_from`); an item that names such a place
otherwise ("imigrantes no Brasil", "Toronto's libraries") still has one."""
CAME_FROM_GAP = 8
"""Words allowed between the end of the migrant word and the place (a list of origins)."""

_MOVED_TO = {
    "en": ("to", "move moving moved relocat emigrat"),
    "de": ("nach", "zieh zog gezogen umzieh umgezogen auswander ausgewandert ubersiedel"),
    "fr": ("a au en", "install demenag expatri partent partir emigr"),
    "it": ("a in", "trasferi emigr partono partire"),
    "es": ("a", "mud traslad emigr"),
    "pt": ("para", "mud emigr partem partir"),
    "nl": ("naar", "verhuiz verhuis emigr vertrek"),
    "pl": ("do", "przeprowadz przenos wyjezdz wyjecha wyjad emigr"),
    "cs": ("do", "stehuj prestehov odjizd emigr"),
    "ro": ("la in", "plec pleaca mut emigr"),
    "sv": ("till", "flytt emigr"),
    "da": ("til", "flytt emigr"),
}
MOVED_TO = {
    lang: (frozenset(normalize(to).split()), tuple(normalize(verbs).split()))
    for lang, (to, verbs) in _MOVED_TO.items()
}
"""Per language, (the words for "to", the stems of verbs of moving). A place outside Europe right after
such a "to", with such a verb at most `MOVED_TO_GAP` words before it ("Französische Familien ziehen nach
Shanghai", "famiglie italiane si trasferiscono a Pechino"), is where the item's people move: the story
is set there though the item also names their European country or nationality, when it names no migrant
word (`_resolve_elsewhere`): emigrants and expatriates integrating into a business culture abroad are
no migrants in Europe."""
MOVED_TO_GAP = 4
"""Words allowed between the verb of moving and the word for "to" ("move with their families to")."""

_OF_PREPOSITIONS = {
    "fr": ("de", "d", "du", "des"),
    "es": ("de", "del"),
    "pt": ("de", "do", "da", "dos", "das"),
    "ro": ("din",),
}
OF_PREPOSITIONS = {lang: frozenset(normalize(w) for w in words) for lang, words in _OF_PREPOSITIONS.items()}
"""The words for "from" that also mean "of" (Romanian "din" also "in"): in these languages an `origin`
phrase such as "de Siria" or "din Siria" names where people came from only when no `OF_NOUNS` word
comes right before it."""
_OF_NOUNS = {
    "fr": (
        "guerre*",
        "conflit*",
        "crise*",
        "regime*",
        "gouvernement*",
        "president*",
        "armee*",
        "capitale*",
        "nord",
        "sud",
        "ouest",
        "frontiere*",
        "ambassad*",
        "economie*",
        "situation*",
        "reconstruction*",
        "seisme*",
        "ministre*",
        "ministere*",
        "roi",
        "dirigeant*",
        "carte*",
        "histoire*",
        "avenir",
        "independance",
        "election*",
        "petrole",
        "ville*",
        "region*",
        "province*",
        "cote*",
        "selection*",
        "equipe*",
        "invasion*",
        "occupation*",
        "dictature*",
        "ecole*",
        "hopita*",
        "universite*",
        "ruine*",
        "bombardement*",
        "paix",
        "peuple*",
    ),
    "es": (
        "guerra*",
        "conflicto*",
        "crisis",
        "regimen*",
        "gobierno*",
        "president*",
        "ejercito*",
        "capital",
        "norte",
        "sur",
        "oeste",
        "frontera*",
        "embajad*",
        "economia*",
        "situacion*",
        "reconstruccion*",
        "terremoto*",
        "sismo*",
        "ministr*",
        "rey",
        "lider*",
        "mapa*",
        "historia*",
        "futuro",
        "independencia",
        "eleccion*",
        "petroleo",
        "ciudad*",
        "region*",
        "provincia*",
        "costa*",
        "seleccion*",
        "equipo*",
        "invasion*",
        "ocupacion*",
        "dictadura*",
        "escuela*",
        "hospital*",
        "universidad*",
        "ruina*",
        "bombardeo*",
        "paz",
        "alto",
        "pueblo*",
    ),
    "pt": (
        "guerra*",
        "conflito*",
        "crise*",
        "regime*",
        "governo*",
        "president*",
        "exercito*",
        "capital",
        "norte",
        "sul",
        "leste",
        "oeste",
        "fronteira*",
        "embaixad*",
        "economia*",
        "situacao",
        "reconstrucao",
        "terremoto*",
        "sismo*",
        "ministr*",
        "rei",
        "lider*",
        "mapa*",
        "historia*",
        "futuro",
        "independencia",
        "eleicoes",
        "petroleo",
        "cidade*",
        "regiao",
        "provincia*",
        "costa*",
        "selecao",
        "equipa*",
        "invasao",
        "ocupacao",
        "ditadura*",
        "escola*",
        "hospita*",
        "universidade*",
        "ruina*",
        "bombardeamento*",
        "paz",
        "cessar",
        "povo*",
    ),
    "ro": (
        "razbo*",
        "conflict*",
        "criza*",
        "regim*",
        "guvern*",
        "presedint*",
        "armat*",
        "capital*",
        "nordul",
        "sudul",
        "estul",
        "vestul",
        "granit*",
        "ambasad*",
        "economi*",
        "situati*",
        "reconstructi*",
        "cutremur*",
        "ministr*",
        "regele",
        "lider*",
        "harta",
        "istori*",
        "viitorul",
        "independent*",
        "alegeri*",
        "alegerile",
        "petrol*",
        "oras*",
        "regiun*",
        "provinci*",
        "coast*",
        "echip*",
        "invazi*",
        "ocupati*",
        "dictatur*",
        "scoal*",
        "scoli*",
        "spital*",
        "universitat*",
        "ruin*",
        "bombardament*",
        "pacea",
        "armistitiu*",
        "popor*",
        "tabar*",
        "lagar*",
        "zona",
        "zonele",
        "tara",
        "tarii",
        "tarile",
    ),
}
OF_NOUNS = {
    lang: (
        frozenset(normalize(w) for w in words if not w.endswith("*")),
        tuple(normalize(w[:-1]) for w in words if w.endswith("*")),
    )
    for lang, words in _OF_NOUNS.items()
}
"""Nouns that take a country as their complement, not as a person's origin: a war, a government, a
region, a school, a team ("la guerra de Siria", "războiul din Siria", "o governo do Afeganistão", "les
écoles d'Afghanistan"); per language the whole words and the word starts (``*``), one adjective
("civil") allowed between. Persons, verbs of coming and fleeing, and every other word before the
phrase leave it an origin ("familias de Siria", "llegados de Siria", "elle est de Syrie")."""
_OF_ADJECTIVES = frozenset(normalize(w) for w in ("civil", "civile", "civilă", "actual", "actuelle"))


def _of_place(tokens: list[str], start: int, language: str | None) -> bool:
    """Whether the `origin` phrase at tokens[start] is a noun's complement ("the war of Syria") under
    `OF_PREPOSITIONS` and `OF_NOUNS` (never for another language)."""
    words = OF_PREPOSITIONS.get(language or "")
    if not words or start == 0 or tokens[start] not in words:
        return False
    before = start - 1
    if tokens[before] in _OF_ADJECTIVES and before > 0:
        before -= 1
    whole, starts = OF_NOUNS[language or ""]
    return tokens[before] in whole or tokens[before].startswith(starts)


_FOREIGN_ADJECTIVE = {
    "es": ("extranjer",),
    "pt": ("estrangeir",),
    "it": ("stranier",),
    "fr": ("etranger",),
    "ro": ("straini", "straine"),
    "mt": ("barrani",),
    "hu": ("kulfoldi",),
}
_FOREIGN_THINGS = {
    "es": "estudiant universitari erasmus intercambio jugador fichaje delanter defensa porter pivot base "
    "entrenador arbitr piloto tenista atleta futbolista baloncestista refuerzo empresa compania firma "
    "multinacional inversor inversion capital mercado banco fondo marca directivo ejecutivo manager "
    "turista visitante huesped crucerista prensa corresponsal cine pelicula serie literatura "
    "idioma lengua gobierno tropa potencia injerencia intervencion combatiente mercenario nomada "
    "expatriad coche vehiculo matricula producto importacion deuda divisa moneda ayuda buque barco "
    "pesquero negociante remot teletrabajador",
    "pt": "estudant universitari erasmus intercambio mobilidade jogador contratacao avancad defesa medio "
    "guarda extremo base pivo treinador arbitr piloto tenista atleta futebolista reforco empresa "
    "companhia firma multinacional investidor investimento capital mercado banco fundo marca gestor "
    "executivo turista visitante hospede imprensa media correspondente cinema filme serie literatura "
    "idioma lingua governo tropa potencia ingerencia intervencao combatente mercenario nomada "
    "expatriad carro veiculo matricula produto importacao divida divisa moeda ajuda navio barco "
    "pesqueiro negociante remot teletrabalhador",
    "it": "student universitar erasmus scambio giocator acquist attaccant difensor centrocampist portier "
    "play pivot allenator arbitr pilot tennist atlet calciator cestist rinforz impres aziend societa "
    "ditt multinazional investitor investiment capital mercat banc fond marchi marca manager dirigent "
    "turist visitator ospit stampa media corrispondent cinema film serie letteratur lingu govern "
    "trupp potenz ingerenz intervent combattent mercenar nomad expat veicol targ prodott "
    "importazion debit valut aiut natant nav imbarcazion pescherecc negoziant remot telelavorator",
    "fr": "etudiant universit erasmus echange joueur recrue attaquant defenseur gardien meneur "
    "pivot entraineur arbitre pilote tennisman athlete footballeur renfort entreprise societe firme "
    "multinational investisseur investissement capitau marche banque fonds marque dirigeant "
    "touriste visiteur presse media correspondant cinema film serie litterature langue gouvernement "
    "troupe puissance ingerence intervention combattant mercenaire nomade expatri voiture vehicule "
    "produit importation dette devise aide navire bateau chalutier negociant teletravailleu",
    "ro": "student universit erasmus schimb jucator transfer atacant fundas mijlocas portar antrenor "
    "arbitr pilot tenismen atlet fotbalist companii companie firme firma investitor investiti capital "
    "piete banci fonduri marc manager turist vizitator presa media film seriale literatur limbi guvern "
    "trupe putere ingerint mercenar nomad expat masin vehicul produs import datori valut ajutor nav vas",
    "mt": "student erasmus plejer kowc kumpanij negozj investitur investiment swieq bank turist "
    "vizitatur media films lingw gvern truppi",
    "hu": "diak hallgato erasmus jatekos legios edzo biro pilota sportolo focista ceg vallalat "
    "vallalkozas befekteto befektetes toke piac bank alap marka menedzser turista latogato vendeg "
    "sajto media film sorozat irodalom nyelv kormany csapat hatalom beavatkozas zsoldos nomad expat "
    "jarmu termek import adossag deviza noveny faj novekedes gazdasag hajo",
}
FOREIGN_ADJECTIVE = {lang: tuple(normalize(w) for w in words) for lang, words in _FOREIGN_ADJECTIVE.items()}
"""Per language, the word for "foreign" that is also the noun "foreigner" (a migrant cue of its own:
Spanish "extranjeros", Italian "stranieri"), as the stem of the cue term it matches; Romanian
"străini" and Hungarian "külföldi" only as the bare word (`FOREIGN_BARE`: "străinilor", "külföldiek"
are the noun). As an adjective it qualifies things and people of other senses as well as migrants
("estudiantes extranjeros" of an exchange programme, "un play straniero" signed by a club, "mercados
extranjeros", "nómadas digitais estrangeiros", "investisseurs français et étrangers"), so where the
word it qualifies (the one before it, or the one before that behind an adjective; after it in
Hungarian, whose adjectives come first; through a coordinated adjective, `FOREIGN_CONJUNCTIONS`)
starts with a word of `FOREIGN_THINGS` (students and exchanges, sport, firms, investors, markets,
money, aid, ships, tourism, media and culture, languages, governments and troops, digital nomads,
remote workers and expatriates, vehicles and goods) it is an ``ambiguous`` cue: it counts only beside another
migrant cue (`_foreign_adjective`). Workers, doctors, nurses, carers, families, pupils, detainees
and every other noun keep it a migrant cue: a list of the people it may mean would leave out
professions it does (the first version, such a list, lost "médicos extranjeros")."""
FOREIGN_BARE = frozenset({"ro", "hu"})
"""Languages where only the bare word of `FOREIGN_ADJECTIVE` is the adjective; its longer forms are the
noun with its article or case ending."""
_FOREIGN_NOUN_MARKERS = {
    "es": "el la lo los las un una unos unas de del a al para por con sin entre sobre hacia en",
    "pt": "o a os as um uma uns umas de do da dos das ao aos para por pelo pela pelos pelas com sem entre "
    "em no na nos nas sobre",
    "it": "il lo la i gli le l un uno una di del dello della dei degli delle d a al allo alla ai agli alle "
    "da dal dai dagli in nel nei negli con su per tra fra",
    "fr": "le la les l un une des de du d aux au a pour par avec sans entre en dans sur",
    "ro": "de pe la cu pentru din despre",
    "mt": "il l ta tal lil lill ghal ghall minn mill ma mal fuq bejn",
}
FOREIGN_NOUN_MARKERS = {
    lang: frozenset(normalize(words).split()) for lang, words in _FOREIGN_NOUN_MARKERS.items()
}
"""Articles and prepositions right before the word for "foreign" that make it the noun ("los
extranjeros", "corsi di lingua per stranieri", "cours pour étrangers"): then it is a migrant cue
whatever comes before."""
FOREIGN_THINGS = {lang: tuple(normalize(words).split()) for lang, words in _FOREIGN_THINGS.items()}
FOREIGN_CONJUNCTIONS = frozenset(normalize("y e o u ni ou et ed și sau és vagy jew").split())
"""Conjunctions through which the word for "foreign" qualifies the noun of a coordinated adjective
("inversores nacionales y extranjeros", "joueurs italiens et étrangers")."""


@dataclass(frozen=True)
class _Target:
    group: str
    """migrant | area | integration | negative | theme:<id> | theme_negative:<id>"""
    weight: float
    language: str


@dataclass(frozen=True)
class _Term:
    pattern: str
    units: tuple[int, ...]
    targets: tuple[_Target, ...]
    positive: bool
    pos: tuple[tuple[str, str | None, dict[str, float], float], ...]
    """(group, theme id or None, weight by language, heaviest weight) per positive group"""
    neg: tuple[tuple[str, frozenset[str]], ...]
    """(group, languages) per negative group"""


@dataclass
class Analysis:
    """What the rules found in one item: tokens, per-group sums and evidence, and the scores.

    sums / evidence: keyed by group (migrant, area, integration, negative, theme:<id>).
    theme_scores: theme name -> score in [0, 1], in THEMES order.
    """

    title_tokens: list[str]
    body_tokens: list[str]
    sums: dict[str, float]
    evidence: dict[str, list[Evidence]]
    relevance: float
    theme_scores: dict[str, float]
    language: str | None = None
    """The item's language as given (before `RuleEngine.match_language`)."""
    lead_sums: dict[str, float] | None = None
    """Group sums of the title and the first `LEAD_WORDS` words of the body (None: the body is no
    longer, `sums` is that); the integration-area evidence that softens a negative is read there."""
    title: str | None = None
    text: str | None = None
    """The title and text as given, where `written_form` finds a word as the item writes it."""


def area_sum(sums: Mapping[str, float], themes: Iterable[Theme], theme_area_factor: float) -> float:
    """A of step 7: area + integration sums + theme_area_factor x each theme's sum x its `area` share."""
    theme_sum = sum(t.area * sums.get(f"theme:{t.id}", 0.0) for t in themes)
    return sums.get(AREA, 0.0) + sums.get(INTEGRATION, 0.0) + theme_area_factor * theme_sum


def negative_factor(
    sums: Mapping[str, float],
    themes: Iterable[Theme],
    scoring: Scoring,
    lead_sums: Mapping[str, float] | None = None,
) -> float:
    """The factor negatives leave of a relevance score (step 7): exp(-N x soft / negative_scale), soft =
    exp(-min(A, negative_area_cap) / negative_area_scale) (1 when that scale is 0), A read on the
    title and lead (`lead_sums`, else `sums`). Integration-area evidence softens a negative context:
    a story on language courses for refugees that mentions "asylum numbers" keeps its score, a story
    whose only other words are the negative context's does not. A is read where a text states its
    subject, so a long text whose A grows with its length (the EU treaties, the Visa Code: A of 30
    and more over the whole text) does not cancel "European integration"; the cap bounds it still."""
    soft_sums = sums if lead_sums is None else lead_sums
    a = min(area_sum(soft_sums, themes, scoring.theme_area_factor), scoring.negative_area_cap)
    soft = math.exp(-a / scoring.negative_area_scale) if scoring.negative_area_scale > 0 else 1.0
    # a place outside Europe is not softened: its exception, a European place named, is its own
    elsewhere = sums.get(ELSEWHERE_NEGATIVE, 0.0)
    return math.exp(-(sums.get(NEGATIVE, 0.0) * soft + elsewhere) / scoring.negative_scale)


LEAD_WORDS = 40
"""Words of the body, after the title, where a text states its subject: the integration-area
evidence that softens a negative context is read on them (`negative_factor`); the same window as
classifier.model.THEME_WINDOW (the longest labelled teaser of themes_train, rounded up)."""


def _sat(x: float) -> float:
    return 1.0 - math.exp(-x)


class RuleEngine:
    """The keyword/phrase classifier built from a ThemeConfig; thread-safe for reading.

    `classify(title, text, language)` returns a crawler.types.Classification whose model_version is
    ``rules-<sha8 of themes.yaml>``.
    """

    def __init__(self, config: ThemeConfig):
        self.config = config
        self.version = config.version
        self._unit_ids: dict[tuple[str, str], int] = {}
        self._exact: dict[str, list[int]] = {}
        self._prefix: dict[int, dict[str, list[int]]] = {}
        self._suffix: dict[int, dict[str, list[int]]] = {}
        self._infix: list[tuple[str, int]] = []
        self._terms: list[_Term] = []
        self._by_first: dict[int, list[int]] = {}
        self._cache: dict[str, frozenset[int]] = {}
        self._theme_ids = {t.id: t.name for t in config.themes}
        raw: dict[str, list[_Target]] = {}

        def add(term_map: TermMap, group: str) -> None:
            for lang, terms in term_map.items():
                for pattern, weight in terms.items():
                    raw.setdefault(pattern, []).append(_Target(group, weight, lang))

        for group, term_map in config.relevance.items():
            add(term_map, group)
        for theme in config.themes:
            add(theme.terms, f"theme:{theme.id}")
            add(theme.negative, f"theme_negative:{theme.id}")
        for pattern, targets in raw.items():
            units = tuple(self._unit(word) for word in pattern.split(" "))
            groups: dict[str, dict[str, float]] = {}
            for t in targets:
                groups.setdefault(t.group, {})[t.language] = t.weight
            pos = tuple(
                (g, g[6:] if g.startswith("theme:") else None, by_lang, max(by_lang.values()))
                for g, by_lang in groups.items()
                if not _is_negative(g)
            )
            neg = tuple((g, frozenset(by_lang)) for g, by_lang in groups.items() if _is_negative(g))
            self._by_first.setdefault(units[0], []).append(len(self._terms))
            self._terms.append(_Term(pattern, units, tuple(targets), bool(pos), pos, neg))
        self.languages = frozenset(
            lang for t in self._terms for tg in t.targets if tg.language != ANY for lang in [tg.language]
        )
        """Languages with a term list; other languages are matched against every list."""
        self._prefix_lengths = sorted(self._prefix)
        self._suffix_lengths = sorted(self._suffix)

    def _unit(self, word: str) -> int:
        if word.startswith("*") and word.endswith("*"):
            key = ("infix", word.strip("*"))
        elif word.endswith("*"):
            key = ("prefix", word[:-1])
        elif word.startswith("*"):
            key = ("suffix", word[1:])
        else:
            key = ("exact", word)
        if key in self._unit_ids:
            return self._unit_ids[key]
        uid = len(self._unit_ids)
        self._unit_ids[key] = uid
        kind, stem = key
        if kind == "exact":
            self._exact.setdefault(stem, []).append(uid)
        elif kind == "prefix":
            self._prefix.setdefault(len(stem), {}).setdefault(stem, []).append(uid)
        elif kind == "suffix":
            self._suffix.setdefault(len(stem), {}).setdefault(stem, []).append(uid)
        else:
            self._infix.append((stem, uid))
        return uid

    def _units_of(self, token: str) -> frozenset[int]:
        found = self._cache.get(token)
        if found is not None:
            return found
        ids: list[int] = list(self._exact.get(token, ()))
        n = len(token)
        for length in self._prefix_lengths:
            if length > n:
                break
            ids.extend(self._prefix[length].get(token[:length], ()))
        for length in self._suffix_lengths:
            if length > n:
                break
            ids.extend(self._suffix[length].get(token[-length:], ()))
        for stem, uid in self._infix:
            if stem in token:
                ids.append(uid)
        found = frozenset(ids)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[token] = found
        return found

    def _of_theme(self, ti: int, theme_id: str) -> bool:
        """Whether term `ti` is a positive cue of theme `theme_id`."""
        return any(tid == theme_id for _, tid, _, _ in self._terms[ti].pos)

    def _match(self, tokens: list[str]) -> list[tuple[int, int, int]]:
        """(term index, start, end) of every pattern occurrence in `tokens`."""
        units = [self._units_of(t) for t in tokens]
        out: list[tuple[int, int, int]] = []
        n = len(tokens)
        for i, here in enumerate(units):
            if not here:
                continue
            for uid in here:
                for ti in self._by_first.get(uid, ()):
                    term_units = self._terms[ti].units
                    end = i + len(term_units)
                    if end > n:
                        continue
                    if all(term_units[k] in units[i + k] for k in range(1, len(term_units))):
                        out.append((ti, i, end))
        return out

    def _field_counts(
        self,
        tokens: list[str],
        language: str | None,
        first: dict[tuple[str, int], tuple[int, int]] | None = None,
    ) -> tuple[dict[tuple[str, int], int], dict[int, int], int]:
        """Counts per (group, term index) after negatives and de-duplication, for one field, its
        relevance negatives, and how it names a place outside Europe other than as a model
        (`_borrowed`): 0 not, `SETTLED`, `MOVED`; `first`, when given, gets the (start, end) tokens
        of each counted term's first occurrence per (group, term index) (``negative`` for a
        relevance negative)."""
        matches = self._match(tokens)
        counts: dict[tuple[str, int], int] = {}
        negatives: dict[int, int] = {}
        if not matches:
            return counts, negatives, 0
        mask_all: set[int] = set()
        mask_theme: dict[str, set[int]] = {}
        positives = [(ti, s, e) for ti, s, e in matches if self._terms[ti].positive]
        if language is not None:
            positives = [
                m for m in positives if any(_speaks(pos[2], language) for pos in self._terms[m[0]].pos)
            ]
        covering_positive = _Spans((s, e, ti) for ti, s, e in positives)
        # a relevance negative inside a longer mask of weight 0 is that mask's word: the mask names the
        # exception ("local and regional integration" of migrants is no "regional integration")
        zero_spans = _Spans(
            (s, e, ti)
            for ti, s, e in matches
            if any(
                g == NEGATIVE and (language is None or _speaks(langs, language))
                for g, langs in self._terms[ti].neg
            )
            and self._weight(ti, NEGATIVE, language) == 0
        )
        for ti, s, e in matches:
            neg_groups = [
                g for g, langs in self._terms[ti].neg if language is None or _speaks(langs, language)
            ]
            for group in neg_groups:
                theme = None if group == NEGATIVE else group.split(":", 1)[1]
                # a longer positive phrase covers it: any cue for a relevance negative, a cue of
                # that theme for a theme's mask ("sportello unico" of Social Cohesion does not make
                # "sportello" the sport of Education and Culture)
                if any(theme is None or self._of_theme(pi, theme) for pi in covering_positive.covering(s, e)):
                    continue
                if theme is None:
                    # a mask (weight 0) always masks; a conceded negative ("despite ...") masks its
                    # words but is not counted
                    mask_all.update(range(s, e))
                    if _concessive(tokens, s, e, language) or zero_spans.covers(s, e):
                        continue
                    negatives[ti] = negatives.get(ti, 0) + 1
                    if first is not None:
                        first.setdefault((NEGATIVE, ti), (s, e))
                else:
                    mask_theme.setdefault(theme, set()).update(range(s, e))
        best: dict[tuple[str, int], tuple[float, int, int]] = {}
        spans = [
            (s, e, group)
            for ti, s, e in positives
            for group, _, langs, _ in self._terms[ti].pos
            if group in (AMBIGUOUS, MIGRANT, ELSEWHERE, EUROPE)
            and (language is None or _speaks(langs, language))
        ]
        # a migrant cue inside a longer ambiguous phrase is that phrase's word ("lavoratori stranieri"
        # in Qatar): it does not count on its own, so the phrase cannot support itself
        ambiguous = _Spans((s, e, group) for s, e, group in spans if group == AMBIGUOUS)
        # a place name inside a longer place name of the other side is that name's word: Wales in New
        # South Wales, England in New England do not set a story in Europe
        places = _Spans((s, e, group) for s, e, group in spans if group in (ELSEWHERE, EUROPE))
        # a European name right before a migrant word ("Ukrainian refugees", "Ukraine-Flüchtlinge"),
        # or right after it where adjectives follow the noun ("réfugiés ukrainiens"), is where the
        # migrants come from, not where the story is set; words cannot see a full stop between them
        migrant_starts = {s for s, _, group in spans if group == MIGRANT}
        migrant_ends = {e for _, e, group in spans if group == MIGRANT}
        origins = {e for _, e, group in spans if group in (MIGRANT, AMBIGUOUS)}
        settled = 0
        for ti, s, e in positives:
            if mask_all and any(k in mask_all for k in range(s, e)):
                continue
            inside = ambiguous.covers(s, e)
            for group, theme_id, by_lang, heaviest in self._terms[ti].pos:
                if language is not None and not _speaks(by_lang, language):
                    continue
                if inside and group in (MIGRANT, INTEGRATION):
                    continue
                if group == MIGRANT and e - s == 1 and _foreign_adjective(tokens, s, language):
                    group = AMBIGUOUS
                if group == ORIGIN and _of_place(tokens, s, language):
                    continue
                if group in (ELSEWHERE, EUROPE) and any(pg != group for pg in places.covering(s, e)):
                    continue
                if (
                    group == ELSEWHERE
                    and not _borrowed(tokens, s, e, language)
                    and not _came_from(tokens, s, origins, language)
                ):
                    settled = max(settled, MOVED if _moved_to(tokens, s, language) else SETTLED)
                if group == EUROPE and (
                    e in migrant_starts or (s in migrant_ends and language in ADJECTIVE_AFTER)
                ):
                    continue
                if theme_id is not None and mask_theme:
                    masked = mask_theme.get(theme_id)
                    if masked and any(k in masked for k in range(s, e)):
                        continue
                weight = by_lang.get(language, by_lang.get(ANY, heaviest)) if language else heaviest
                key = (group, s)
                old = best.get(key)
                if old is None or (weight, e - s) > (old[0], old[2]):
                    best[key] = (weight, ti, e - s)
        for (group, s), (_, ti, length) in best.items():
            counts[(group, ti)] = counts.get((group, ti), 0) + 1
            if first is not None:
                first.setdefault((group, ti), (s, s + length))
        return counts, negatives, settled

    def _weight(self, ti: int, group: str, language: str | None) -> float:
        """Weight of a term in a group: the item's language's, else the neutral one, else the heaviest
        (a migrant term counted as ``ambiguous``, `_foreign_adjective`, keeps its migrant weight)."""
        by_lang = {t.language: t.weight for t in self._terms[ti].targets if t.group == group}
        if not by_lang and group == AMBIGUOUS:
            return self._weight(ti, MIGRANT, language)
        return by_lang.get(language or "", by_lang.get(ANY, max(by_lang.values())))

    def match_language(self, language: str | None) -> str | None:
        """The term list an item in `language` is matched against: its own, or None (every list) when
        the language is unknown or has no list (step 3)."""
        return language if language in self.languages else None

    def _language_of(self, ti: int, group: str, language: str | None) -> str:
        langs = [t.language for t in self._terms[ti].targets if t.group == group] or [
            t.language for t in self._terms[ti].targets if t.group == MIGRANT
        ]
        return language if language in langs else langs[0]

    def _positive_sums(
        self,
        t_counts: dict[tuple[str, int], int],
        b_counts: dict[tuple[str, int], int],
        language: str | None,
        written: Mapping[tuple[str, int], str] | None = None,
    ) -> tuple[dict[str, float], dict[str, list[Evidence]]]:
        """Sums and evidence per positive group from the title's and the body's counts (step 6)."""
        sc = self.config.scoring
        sums: dict[str, float] = {}
        evidence: dict[str, list[Evidence]] = {}
        for key in set(t_counts) | set(b_counts):
            group, ti = key
            tc, bc = t_counts.get(key, 0), b_counts.get(key, 0)
            weight = self._weight(ti, group, language)
            occurrences = _occurrences(tc, bc, sc.title_boost, sc.count_cap)
            if group in WEAK_CUE_GROUPS and weight < MIN_MIGRANT_EVIDENCE:
                occurrences = min(
                    occurrences, (sc.title_boost if tc else 0.0) + (WEAK_CUE_OCCURRENCES if bc else 0.0)
                )
            contribution = weight * occurrences
            sums[group] = sums.get(group, 0.0) + contribution
            evidence.setdefault(group, []).append(
                Evidence(
                    self._terms[ti].pattern,
                    round(contribution, 3),
                    self._language_of(ti, group, language),
                    tc + bc,
                    (written or {}).get(key),
                )
            )
        return sums, evidence

    def analyse(self, title: str | None, text: str | None, language: str | None = None) -> Analysis:
        """Match title and text and compute the scores (steps 1-7 of the module docstring)."""
        sc = self.config.scoring
        item_language = language
        language = self.match_language(language)
        title_tokens, body_tokens = tokenize(title), tokenize(text)
        t_first: dict[tuple[str, int], tuple[int, int]] = {}
        b_first: dict[tuple[str, int], tuple[int, int]] = {}
        t_counts, t_neg, t_settled = self._field_counts(title_tokens, language, t_first)
        b_counts, b_neg, b_settled = self._field_counts(body_tokens, language, b_first)
        written = _written_terms(title, text, t_first, b_first)
        sums, evidence = self._positive_sums(t_counts, b_counts, language, written)
        lead_sums: dict[str, float] | None = None
        if len(body_tokens) > LEAD_WORDS:
            lead_counts, _, _ = self._field_counts(body_tokens[:LEAD_WORDS], language)
            lead_sums, lead_evidence = self._positive_sums(t_counts, lead_counts, language)
            _resolve_ambiguous(lead_sums, lead_evidence)
        for ti in set(t_neg) | set(b_neg):
            tc, bc = t_neg.get(ti, 0), b_neg.get(ti, 0)
            contribution = self._weight(ti, NEGATIVE, language) * _occurrences(
                tc, bc, sc.title_boost, sc.count_cap
            )
            sums[NEGATIVE] = sums.get(NEGATIVE, 0.0) + contribution
            evidence.setdefault(NEGATIVE, []).append(
                Evidence(
                    self._terms[ti].pattern,
                    -round(contribution, 3) or 0.0,
                    self._language_of(ti, NEGATIVE, language),
                    tc + bc,
                    written.get((NEGATIVE, ti)),
                )
            )
        for items in evidence.values():
            items.sort(key=lambda ev: (-abs(ev.weight), ev.term))
        _resolve_ambiguous(sums, evidence)
        _resolve_elsewhere(sums, evidence, max(t_settled, b_settled))
        a = area_sum(sums, self.config.themes, sc.theme_area_factor)
        _resolve_origin(sums, evidence, a)
        if lead_sums is not None:
            lead_sums.pop(ORIGIN, None)
            lead_sums.pop(ABROAD, None)
        m = sums.get(MIGRANT, 0.0) + sums.get(INTEGRATION, 0.0)
        # m counts only migrant cues: with m = 0 (no migrant evidence) relevance is 0
        relevance = math.sqrt(_sat(m / sc.relevance_scale) * _sat(a / sc.relevance_scale))
        relevance *= negative_factor(sums, self.config.themes, sc, lead_sums)
        theme_scores = {
            t.name: _sat(sums.get(f"theme:{t.id}", 0.0) / sc.theme_scale) for t in self.config.themes
        }
        return Analysis(
            title_tokens,
            body_tokens,
            sums,
            evidence,
            relevance,
            theme_scores,
            item_language,
            lead_sums,
            title,
            text,
        )

    def relevance_evidence(self, analysis: Analysis) -> tuple[Evidence, ...]:
        """The terms behind the relevance score: migrant, integration, area and negative cues; a term
        that moved nothing (a mask of weight 0, an ``ambiguous`` word alone) is no reason (`_weighs`)."""
        groups = (MIGRANT, INTEGRATION, AREA, NEGATIVE, AMBIGUOUS, ORIGIN)
        items = [ev for g in groups for ev in analysis.evidence.get(g, ()) if _weighs(ev)]
        items.sort(key=lambda ev: (-abs(ev.weight), ev.term))
        return tuple(items[: MAX_EVIDENCE + 2])

    def theme_evidence(self, analysis: Analysis, theme_name: str) -> tuple[Evidence, ...]:
        """The terms behind one theme's score, heaviest first."""
        theme = self.config.theme(theme_name)
        return tuple(ev for ev in analysis.evidence.get(f"theme:{theme.id}", ()) if _weighs(ev))[
            :MAX_EVIDENCE
        ]

    def decide(
        self,
        relevance: float,
        theme_scores: dict[str, float],
        language: str | None,
        relevance_threshold: float | None = None,
        theme_threshold: float | None = None,
    ) -> tuple[bool, tuple[str, ...]]:
        """Step 8: the relevant flag and the assigned themes for these scores."""
        thr = self.config.thresholds
        rel_thr = thr.relevance_for(language) if relevance_threshold is None else relevance_threshold
        theme_thr = thr.theme_for(language) if theme_threshold is None else theme_threshold
        relevant = relevance >= rel_thr
        if not relevant:
            return False, ()
        ranked = sorted(THEMES, key=lambda name: (-theme_scores.get(name, 0.0), THEMES.index(name)))
        top = theme_scores.get(ranked[0], 0.0)
        # compare evidence strength, -ln(1 - score), which the saturating scores squash near 1
        floor = self.config.scoring.theme_relative * _strength(top)
        assigned = [
            n
            for n in ranked
            if theme_scores.get(n, 0.0) >= theme_thr and _strength(theme_scores.get(n, 0.0)) >= floor
        ]
        if not assigned and top > 0:
            assigned = [ranked[0]]
        return True, tuple(assigned[: self.config.scoring.max_themes])

    def classify(
        self,
        title: str | None,
        text: str | None,
        language: str | None = None,
        content_type: str | None = None,
    ) -> Classification:
        """Classify one item from its title and text (either may be None); `language` is ISO 639-1;
        `content_type` is not used by the rules (the learned model's priors use it)."""
        analysis = self.analyse(title, text, language)
        relevant, assigned = self.decide(analysis.relevance, analysis.theme_scores, language)
        themes = tuple(
            sorted(
                (
                    ThemeScore(n, round(s, 4), self.theme_evidence(analysis, n))
                    for n, s in analysis.theme_scores.items()
                ),
                key=lambda ts: (-ts.score, THEMES.index(ts.theme)),
            )
        )
        return Classification(
            relevance=round(analysis.relevance, 4),
            relevant=relevant,
            themes=themes,
            assigned=assigned,
            relevance_evidence=self.relevance_evidence(analysis),
            model_version=self.version,
        )


def _weighs(ev: Evidence) -> bool:
    """Whether a piece of evidence moved a score: its weight does not round to 0 (3 places)."""
    return round(ev.weight, 3) != 0


def _written_spans(text: str | None, wanted: Iterable[int]) -> dict[int, str]:
    """The words of `text` as written (accents, case, final sigma, gender marks) behind the tokens
    at the indexes `wanted` of ``tokenize(text)``: a whitespace-separated piece of the text (its
    addresses left out as `tokenize` does) gives the tokens it gives alone, so the pieces are walked,
    counting tokens, up to the last index wanted. A token is shown as its run of letters in the
    piece, or as the whole piece, trimmed of punctuation, when the runs are not its tokens one to
    one ("Migrant*innen", "migrant.e.s", "l@s"). The walk stops at the last index wanted."""
    want = set(wanted)
    if not text or not want:
        return {}
    last = max(want)
    out: dict[int, str] = {}
    k = 0
    for piece in _without_addresses(text).split():
        if piece.isalnum():
            runs = [piece]
        else:
            count = len(_TOKEN.findall(normalize(_joined(piece))))
            runs = _TOKEN.findall(piece)
            if len(runs) != count:
                word = _EDGE_MARKS.sub("", piece)
                runs = [word.rstrip(")") if "(" not in word else word] * count
        for j, run in enumerate(runs):
            if k + j in want:
                out[k + j] = unicodedata.normalize("NFC", run)
        k += len(runs)
        if k > last:
            break
    return out


_EDGE_MARKS = re.compile(r"^\W+|[^\w)]+$")
"""Punctuation around a piece of text that is no part of its word ("(Flüchtlinge),")."""


def _written_terms(
    title: str | None,
    text: str | None,
    t_first: Mapping[tuple[str, int], tuple[int, int]],
    b_first: Mapping[tuple[str, int], tuple[int, int]],
) -> dict[tuple[str, int], str]:
    """Per (group, term index): the words of its first occurrence as the item writes them, in the
    title if it has one there, else in the body (`_written_spans`; a phrase's words joined by a space)."""
    spans = {key: (True, span) for key, span in b_first.items()}
    spans.update({key: (False, span) for key, span in t_first.items()})
    t_words = _written_spans(title, (i for body, (s, e) in spans.values() if not body for i in range(s, e)))
    b_words = _written_spans(text, (i for body, (s, e) in spans.values() if body for i in range(s, e)))
    out: dict[tuple[str, int], str] = {}
    for key, (body, (s, e)) in spans.items():
        words = b_words if body else t_words
        parts = [words.get(i) for i in range(s, e)]
        if all(parts):
            out[key] = " ".join(dict.fromkeys(p for p in parts if p))
    return out


def written_form(analysis: Analysis, words: Iterable[str]) -> str | None:
    """The item's own writing of `words` (normalised tokens, consecutive): where they first occur in
    the title, else in the body; None when they do not occur."""
    seq = list(words)
    n = len(seq)
    if not n:
        return None
    for tokens, raw in ((analysis.title_tokens, analysis.title), (analysis.body_tokens, analysis.text)):
        for i in range(len(tokens) - n + 1):
            if tokens[i : i + n] == seq:
                found = _written_spans(raw, range(i, i + n))
                parts = [found.get(j) for j in range(i, i + n)]
                return " ".join(dict.fromkeys(p for p in parts if p)) if all(parts) else None
    return None


def _speaks(languages: dict[str, float] | frozenset[str], language: str) -> bool:
    """True when a term listed for `languages` is matched in an item in `language` (step 3)."""
    return language in languages or ANY in languages


def _resolve_elsewhere(sums: dict[str, float], evidence: dict[str, list[Evidence]], settled: int) -> None:
    """Step 7's `elsewhere` rule, in place: with no `europe` term in the item and a place outside
    Europe named other than as a model (`settled` `SETTLED`), or, in an item with no migrant word,
    one its people move to whatever else it names (`MOVED`, `_moved_to`: Europeans moving abroad;
    "refugees in Germany whose relatives move to Canada" stays set in Europe), the places outside
    Europe become a negative
    (`ELSEWHERE_NEGATIVE`, which integration-area evidence does not soften, and negative evidence);
    else they count for nothing."""
    found = evidence.get(ELSEWHERE)
    moved = settled == MOVED and sums.get(MIGRANT, 0.0) == 0
    if not found or not settled or (not moved and sums.get(EUROPE, 0.0) > 0):
        return
    sums[ELSEWHERE_NEGATIVE] = sums.get(ELSEWHERE, 0.0)
    negatives = evidence.setdefault(NEGATIVE, [])
    negatives += [Evidence(ev.term, -ev.weight, ev.language, ev.count, ev.written) for ev in found]
    negatives.sort(key=lambda ev: (-abs(ev.weight), ev.term))


def _resolve_ambiguous(sums: dict[str, float], evidence: dict[str, list[Evidence]]) -> None:
    """Step 7's first part, in place: the ``ambiguous`` cues join the migrant ones when the item has
    other migrant or integration cues of at least `MIN_SUPPORT`; else they count for nothing and stay
    as evidence of weight 0 (an Italian "asilo" alone is a kindergarten as often as asylum)."""
    weight = sums.pop(AMBIGUOUS, 0.0)
    found = evidence.pop(AMBIGUOUS, [])
    if not found:
        return
    if sums.get(MIGRANT, 0.0) + sums.get(INTEGRATION, 0.0) >= MIN_SUPPORT:
        sums[MIGRANT] = sums.get(MIGRANT, 0.0) + weight
        evidence.setdefault(MIGRANT, []).extend(found)
        evidence[MIGRANT].sort(key=lambda ev: (-abs(ev.weight), ev.term))
    else:
        evidence[AMBIGUOUS] = [Evidence(ev.term, 0.0, ev.language, ev.count, ev.written) for ev in found]


def _resolve_origin(sums: dict[str, float], evidence: dict[str, list[Evidence]], area: float) -> None:
    """Step 7's `origin` rule, in place: people named by a non-European nationality or origin, or by the
    country they came from ("from Syria", "z Syrii"), join the migrant cues when the item has
    integration-area evidence (`area` > 0) and names no ``abroad`` word, no counted relevance negative and
    no place outside Europe that sets it there (``Eritrean youth get a youth worker in Zwolle``, not ``the
    Syrian regime closes schools``); else they count for nothing and stay as evidence of weight 0. They
    stand in for a migrant word, never add to one: an item whose other migrant cues reach
    `MIN_MIGRANT_EVIDENCE` keeps its sum (asylum statistics that list Syrians, Afghans and Iraqis gain
    nothing from the list). The ``abroad`` words are no evidence of their own."""
    weight = sums.pop(ORIGIN, 0.0)
    found = evidence.pop(ORIGIN, [])
    abroad = sums.pop(ABROAD, 0.0) > 0
    evidence.pop(ABROAD, None)
    if not found:
        return
    elsewhere = sums.get(NEGATIVE, 0.0) > 0 or sums.get(ELSEWHERE_NEGATIVE, 0.0) > 0
    named = sums.get(MIGRANT, 0.0) + sums.get(INTEGRATION, 0.0) >= MIN_MIGRANT_EVIDENCE
    if area > 0 and not abroad and not elsewhere and not named:
        sums[MIGRANT] = sums.get(MIGRANT, 0.0) + weight
        evidence.setdefault(MIGRANT, []).extend(found)
        evidence[MIGRANT].sort(key=lambda ev: (-abs(ev.weight), ev.term))
    else:
        evidence[ORIGIN] = [Evidence(ev.term, 0.0, ev.language, ev.count, ev.written) for ev in found]


def _concessive(tokens: list[str], start: int, end: int, language: str | None) -> bool:
    """Whether tokens[start:end] (a negative term) follow a `CONCESSIVE_BEFORE` marker of `language`
    or precede a `CONCESSIVE_AFTER` one, at most `CONCESSIVE_GAP` words away; never for an unknown
    language (one language's marker is another's word)."""
    if language is None:
        return False
    for table, after in ((CONCESSIVE_BEFORE, False), (CONCESSIVE_AFTER, True)):
        for marker in table.get(language, frozenset()):
            n = len(marker)
            lo, hi = (
                (end, min(len(tokens) - n, end + CONCESSIVE_GAP))
                if after
                else (
                    max(0, start - CONCESSIVE_GAP - n),
                    start - n,
                )
            )
            if any(tuple(tokens[i : i + n]) == marker for i in range(lo, hi + 1)):
                return True
    return False


def _borrowed(tokens: list[str], start: int, end: int, language: str | None) -> bool:
    """Whether a word of tokens[start - BORROWED_GAP:end + BORROWED_GAP] outside the place itself
    starts with a `BORROWED` stem of `language` (never for an unknown language)."""
    stems = BORROWED.get(language or "", ())
    after = tokens[end : end + BORROWED_GAP]
    if language == "en":
        # English puts the place's own model after it ("Canada's model"): only "-style" follows
        after = after[:1] if after[:1] == ["style"] else []
    near = tokens[max(0, start - BORROWED_GAP) : start] + after
    return bool(stems) and any(word.startswith(stems) for word in near)


_Tag = TypeVar("_Tag")


class _Spans(Generic[_Tag]):
    """Spans of tokens (start, end exclusive, tag) indexed by their start, to tell which ones strictly
    cover a span (hold it and are longer) by looking only at the starts a covering span can have: at
    most the longest span before it. Scanning every match for every match made classifying grow with
    the square of a text's matches (1,000,000 characters of an on-topic text: 24-34 s, now linear)."""

    def __init__(self, spans: Iterable[tuple[int, int, _Tag]]):
        self._by_start: dict[int, list[tuple[int, _Tag]]] = {}
        self._longest = 0
        for s, e, tag in spans:
            self._by_start.setdefault(s, []).append((e, tag))
            self._longest = max(self._longest, e - s)

    def covering(self, s: int, e: int) -> Iterator[_Tag]:
        """The tags of the spans that hold tokens s to e and are longer."""
        for ps in range(max(0, e - self._longest), s + 1):
            for pe, tag in self._by_start.get(ps, ()):
                if pe >= e and pe - ps > e - s:
                    yield tag

    def covers(self, s: int, e: int) -> bool:
        """Whether some span holds tokens s to e and is longer."""
        return next(self.covering(s, e), None) is not None


def _came_from(tokens: list[str], start: int, migrant_ends: Collection[int], language: str | None) -> bool:
    """Whether the place at tokens[start] follows a `CAME_FROM` word of `language` that a migrant or
    ambiguous cue ends at most `CAME_FROM_GAP` words before (never for an unknown language)."""
    words = CAME_FROM.get(language or "")
    if not words or start == 0 or tokens[start - 1] not in words:
        return False
    return any(end in migrant_ends for end in range(max(0, start - 1 - CAME_FROM_GAP), start))


def _moved_to(tokens: list[str], start: int, language: str | None) -> bool:
    """Whether the place at tokens[start] follows a `MOVED_TO` word for "to" of `language` with one of
    its verbs of moving at most `MOVED_TO_GAP` words before that word (never for an unknown language)."""
    table = MOVED_TO.get(language or "")
    if not table or start == 0 or tokens[start - 1] not in table[0]:
        return False
    return any(w.startswith(table[1]) for w in tokens[max(0, start - 2 - MOVED_TO_GAP) : start - 1])


def _foreign_adjective(tokens: list[str], start: int, language: str | None) -> bool:
    """Whether tokens[start] is the word for "foreign" (`FOREIGN_ADJECTIVE` of `language`) qualifying
    one of `FOREIGN_THINGS` (its neighbour, or the noun of a coordinated adjective), and not made a
    noun by an article or a preposition right before it (`FOREIGN_NOUN_MARKERS`; module rule at
    `FOREIGN_ADJECTIVE`); never for an unknown language."""
    stems = FOREIGN_ADJECTIVE.get(language or "")
    word = tokens[start]
    if not stems or not word.startswith(stems):
        return False
    if language in FOREIGN_BARE and word not in stems:
        return False  # Romanian "străinilor", Hungarian "külföldiek": the noun, inflected
    step = 1 if language == "hu" else -1
    at = start + step
    if language == "mt" and 0 <= at < len(tokens) and tokens[at] in ("il", "l"):
        at += step  # Maltese repeats the article on the adjective: "il-kumpaniji l-barranin"
    elif language != "hu" and (start == 0 or tokens[at] in FOREIGN_NOUN_MARKERS.get(language or "", ())):
        return False
    # the noun, perhaps behind one adjective ("nómadas digitais estrangeiros") or a coordinated one
    # ("inversores nacionales y extranjeros")
    reach = 3 if 0 <= at < len(tokens) and tokens[at] in FOREIGN_CONJUNCTIONS else 2
    markers = FOREIGN_NOUN_MARKERS.get(language or "", frozenset())
    near: list[str] = []
    for i in range(at, at + reach * step, step):
        if not 0 <= i < len(tokens) or (near and tokens[i] in markers):
            break
        near.append(tokens[i])
    return any(w.startswith(FOREIGN_THINGS.get(language or "", ("\0",))) for w in near)


def _is_negative(group: str) -> bool:
    return group == NEGATIVE or group.startswith("theme_negative:")


def _strength(score: float) -> float:
    return -math.log(max(1e-9, 1.0 - score))


def _occurrences(title_count: int, body_count: int, title_boost: float, cap: float) -> float:
    occ = title_boost if title_count else 0.0
    if body_count:
        occ += 1.0 + 0.5 * math.log(body_count)
    return min(cap, occ)


def load_engine(path: str | Path | None = None) -> RuleEngine:
    """A RuleEngine for themes.yaml at `path` (default config/themes.yaml). Raises ThemesConfigError."""
    return RuleEngine(load(path))
