"""Language stage: the language an item is written in, from its text, the source's languages as a prior.

Detectors (measured on ../shared/data/langid by ``bench/langid.py``, figures in its docstring):
- py3langid (the maintained fork of langid.py, naive Bayes over byte n-grams, model shipped in the
  wheel): every text. It covers all 24 EU languages, Irish and Maltese included, and the migrant
  languages; restricted to `CANDIDATES` it scores 99.4 % on the benchmark's sentences at about
  12,000 sentences/s.
- lingua (``lingua-language-detector``, high-accuracy mode): texts shorter than `SHORT_TEXT_CHARS`
  only, mixed 0.7 / 0.3 with py3langid (`SHORT_TEXT_WEIGHT`); on word pairs that lifts 88.0 % to 93.6 %.
  It is asked about py3langid's `LINGUA_TOP` best candidates only; its models load per language on
  first use (20-35 MB each, 0.6 GB for all), so a crawl whose items all carry full text never loads
  them and others load the languages they meet; ``refine_short=False`` switches it off. It has no
  Maltese: it only re-divides the probability py3langid gives to the languages it knows, so Maltese
  and any declared language outside its set keep py3langid's figure.
- langdetect is not used: restricted to the same candidates it scored 98.4 % on sentences and 79 %
  on word pairs (Irish left out of both averages: it has no Irish or Maltese profile), ran at about
  800 sentences/s, and every mixture with it scored lower than without it.

Evaluation order of `detect_language`:
1. clean: URLs, e-mail addresses, file paths and digits are removed (they carry no language, and
   ``/dateien/2025/tabelle-3.pdf`` made langdetect answer ``af``); the title is added when the text has
   fewer than `TITLE_BELOW_LETTERS` letters;
2. no usable features (fewer than `MIN_LETTERS` letters): the page's own language if it is one of the
   source's (or the source declares none) -> ``declared_page``; else exactly one source language ->
   that language, ``source_default``; else ``und``, ``undetermined``. No detector is asked, so such
   text never yields a language outside the declared ones;
3. sample: paragraphs (lines) of fewer than `CHUNK_MIN_LETTERS` letters are merged with the next,
   chunks are cut at `CHUNK_MAX_CHARS`, and evenly spaced chunks are kept up to `SAMPLE_CHARS` in all;
4. candidates: `CANDIDATES` plus the declared languages the model knows; probabilities over them,
   then multiplied by `DECLARED_BOOST` for the source's languages and `PAGE_BOOST` for the page's own
   and renormalised: a prior that tips ambiguous text, never one that outvotes clear text;
5. a text of fewer than `SHORT_TEXT_LETTERS` letters whose best language is not the source's only one
   (and could be in it, `SHORT_POSSIBLE`) -> the source's, ``source_default``;
6. a language outside the candidates (rule): the portal covers the 24 EU languages, but an item in
   another language is still stored, under its own code, not its nearest candidate's (Macedonian is
   not Bulgarian, Norwegian not Danish, Luxembourgish not German). When a text of at least
   `OWN_MIN_LETTERS` letters is given at least `OWN_CONFIDENCE` by py3langid over all its 140
   languages (no prior) and that language is no candidate, the text's language is that code
   (``detected``; py3langid's codes: ``mk``, ``no`` for Bokmål, ``nn``, ``lb``, ``bs``, ``sr``, ``sq``,
   ...), unless it is one of `NOT_OWN` (no language content, or an ancient language that modern text
   in an old spelling scores);
7. the title and the page agree against the text (rule): when the text's language (step 6's
   included) differs from the language the page declares (one of the source's, when the source
   declares any) and the title, alone, is clearly in that same language (at least
   `SHORT_TEXT_LETTERS` letters, detected with at least `CHUNK_CONFIDENCE` like a chunk of step 9), the
   text is another language's boilerplate (a cookie banner, a "not available in your language"
   note) rather than the item: the title and the page decide, ``title_and_page``. Not when the
   declared language holds a share of the text (step 9: a bilingual page), nor for a text of
   `BOILERPLATE_LETTERS` letters or more (a whole article in another language is the item's
   language), nor when page and title disagree (a wrong ``lang`` attribute: the text decides);
8. best probability below `CONFIDENCE_FLOOR`: exactly one source language -> ``source_default``, else
   ``und`` / ``undetermined``; otherwise the best language, ``detected``;
9. languages found: each chunk of the sample is detected alone; a language whose confidently
   detected chunks (probability >= `CHUNK_CONFIDENCE`) hold at least `FOUND_SHARE` of the chunks'
   letters is listed, the detected language first.

Nothing here raises on odd text; `LanguagePipeline` also catches any detector failure.
"""

from __future__ import annotations

import copy
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from py3langid.langid import MODEL_FILE, LanguageIdentifier
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.types import EU_LANGUAGES, UNDETERMINED, HarvestedItem
from pipelines.countries import page_country

logger = logging.getLogger(__name__)

MIGRANT_LANGUAGES: tuple[str, ...] = ("ar", "tr", "uk", "ru")
"""Languages migrants' organisations publish in, beyond the EU ones."""
CANDIDATES: tuple[str, ...] = EU_LANGUAGES + MIGRANT_LANGUAGES
"""Languages every detection chooses among (declared languages the model knows are added)."""

METHODS: tuple[str, ...] = ("detected", "declared_page", "source_default", "title_and_page", "undetermined")
"""Values of `LanguageResult.method`."""

CONFIDENCE_FLOOR = 0.2
"""Below this probability the text is undetermined: on the benchmark's word pairs it turns 2.3 % of
answers into ``und`` and cuts wrong answers from 6.4 % to 4.9 % (accuracy 93.6 -> 92.8 %); sentences
lose 0.05 points."""
MIN_LETTERS = 3
"""Fewer letters than this (after cleaning) is text without usable features."""
TITLE_BELOW_LETTERS = 100
"""The title joins the text when the text has fewer letters than this."""
SAMPLE_CHARS = 3000
"""Characters of text detected at most (a 10 KB article stays a few ms)."""
CHUNK_MIN_LETTERS = 40
"""A paragraph with fewer letters is merged with the next one."""
CHUNK_MAX_CHARS = 600
"""A chunk is cut at this many characters."""
CHUNK_CONFIDENCE = 0.5
"""A chunk counts towards `languages_found` only when detected with at least this probability."""
FOUND_SHARE = 0.25
"""Share of the sample's letters a language needs to be listed in `languages_found`."""
SHORT_TEXT_CHARS = 60
"""Texts shorter than this (after cleaning) also ask lingua."""
SHORT_TEXT_WEIGHT = 0.7
"""Lingua's weight in the short-text mixture (py3langid has the rest)."""
LINGUA_TOP = 5
"""Lingua is asked about py3langid's 5 best candidates only. Its models load per language on first use
(20-35 MB each in high-accuracy mode, shared by all detectors of the process), so a crawl child holds
the models of the languages it meets, not of all 27 (about 0.6 GB, which put the crawler near its
1 GiB budget: T07-T10 child peak 918-952 MB before, 620-641 MB after). On bench/langid.py the cost is
0.08 point on word pairs (93.61 -> 93.53 %) and 1.3 on single words (77.67 -> 76.41 %)."""
SHORT_TEXT_LETTERS = 20
"""Below this many letters (a word or two: a title-only register entry), a detection that disagrees
with a source declaring one language gives way to it, unless the text cannot be in that language
(`SHORT_POSSIBLE`): on bench/langid.py single words are identified 76-78 % of the time, while a
one-language source's items are nearly all in its language ("Air-Quotas" was Lithuanian,
"MOVEUROPE" Italian, on an English register)."""
SHORT_POSSIBLE = 0.001
"""...and unless the detector gives the source's language less than this probability: text in
another script ("Ελληνικά" on an English source) scores it below 1e-7, a Latin word at least 0.02."""
DECLARED_BOOST = 4.0
"""Prior factor for the source's declared languages."""
PAGE_BOOST = 2.0
"""Prior factor for the language the page itself declares (a weak hint: templates copy it)."""
OWN_MIN_LETTERS = 40
"""A language outside the candidates is only named for a text of at least this many letters (a
sentence): on word pairs and single words py3langid over all its languages is right too rarely."""
OWN_CONFIDENCE = 0.9
"""...and only when py3langid over all its languages gives it at least this probability. On
bench/langid.py's 69,000 EU-language lines, 5 sentences pass both tests with a non-candidate (two
Latin quotations in the Czech set, three Modern Greek sentences in polytonic spelling, `NOT_OWN`);
Macedonian, Norwegian and Luxembourgish news sentences score 0.99 or more."""
NOT_OWN: frozenset[str] = frozenset({"zxx", "grc", "hbo"})
"""py3langid codes never given as a text's own language: no linguistic content (``zxx``), Ancient
Greek and Biblical Hebrew (Modern Greek in polytonic spelling scores ``grc`` 1.0; the text then falls
to its nearest candidate, ``el``)."""
BOILERPLATE_LETTERS = 2000
"""A text with fewer letters may be another language's boilerplate when the title and the page
agree against it (step 7); a longer one is the item's own text."""

_DIGITS = re.compile(r"\d+")
_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class LanguageResult:
    """Outcome of `detect_language`.

    language: ISO 639-1 code, or ``und``.
    confidence: probability in [0, 1] of `language` among the candidates after the prior; 0.0 when no
        detector was asked (``source_default`` / ``declared_page`` on featureless text).
    method: one of `METHODS`.
    languages_found: languages each holding a substantial share of the text (bilingual pages list
        two or more), the main one first; empty when undetermined.
    """

    language: str
    confidence: float
    method: str
    languages_found: tuple[str, ...] = ()


def detect_language(
    text: str | None,
    declared: Sequence[str] = (),
    *,
    title: str | None = None,
    page_language: str | None = None,
    floor: float = CONFIDENCE_FLOOR,
    refine_short: bool = True,
) -> LanguageResult:
    """Detect the language of `text` (see the module docstring for the order of rules).

    declared: the source's languages (ISO 639-1; region subtags such as ``de-AT`` are cut).
    title: added to the text when the text is short or empty.
    page_language: the page's own declaration (``<html lang>``, ``xml:lang``), a weak hint.
    floor: confidence below which the answer is ``und`` or the source default (0 turns it off).
    refine_short: ask lingua for short texts (loads its models on first use).
    Never raises on any string; returns a `LanguageResult`.
    """
    sources = _codes(declared)
    page = next(iter(_codes([page_language] if page_language else [])), None)
    cleaned = _clean(text or "")
    if title and not _has_letters(cleaned, TITLE_BELOW_LETTERS):
        cleaned = f"{_clean(title)}\n{cleaned}".strip()
    if not _has_letters(cleaned, MIN_LETTERS):
        return _fallback(sources, page, 0.0, featureless=True)

    chunks = _sample(cleaned)
    candidates = _candidates(sources, page)
    scores = _scores("\n".join(chunks), candidates, sources, page, refine_short)
    best = max(scores, key=scores.__getitem__)
    confidence = scores[best]
    if (
        len(sources) == 1
        and best != sources[0]
        and not _has_letters(cleaned, SHORT_TEXT_LETTERS)
        and scores.get(sources[0], 0.0) >= SHORT_POSSIBLE
    ):
        # a word or two ("Air-Quotas", "MOVEUROPE") does not outvote a one-language source
        return LanguageResult(sources[0], round(scores.get(sources[0], 0.0), 4), "source_default", sources)
    own = _own_language(chunks, candidates) if _has_letters(cleaned, OWN_MIN_LETTERS) else None
    text_language = own[0] if own else best
    agreed = _title_and_page(title, text_language, cleaned, chunks, candidates, sources, page, refine_short)
    if agreed is not None:
        return agreed
    if own is not None:
        return LanguageResult(own[0], round(own[1], 4), "detected", (own[0],))
    if confidence < floor:
        return _fallback(
            sources, page, scores.get(sources[0], 0.0) if sources else confidence, featureless=False
        )
    found = _languages_found(chunks, best, candidates, sources, page)
    return LanguageResult(best, round(confidence, 4), "detected", found)


def _own_language(chunks: list[str], candidates: tuple[str, ...]) -> tuple[str, float] | None:
    """(code, probability) when py3langid over all its languages names a language outside
    `candidates` with at least `OWN_CONFIDENCE` (module docstring, step 6), else None."""
    language, probability = _identifier(None).classify("\n".join(chunks))
    if language in candidates or language in NOT_OWN or float(probability) < OWN_CONFIDENCE:
        return None
    return str(language), float(probability)


def _title_and_page(
    title: str | None,
    text_language: str,
    cleaned: str,
    chunks: list[str],
    candidates: tuple[str, ...],
    sources: tuple[str, ...],
    page: str | None,
    refine_short: bool,
) -> LanguageResult | None:
    """The title's and the page's language when both say it against the text (module docstring,
    step 7), else None."""
    if not title or page is None or page == text_language or (sources and page not in sources):
        return None
    if _has_letters(cleaned, BOILERPLATE_LETTERS):
        return None
    heading = _clean(title)
    if not _has_letters(heading, SHORT_TEXT_LETTERS) or page not in candidates:
        return None
    scores = _scores(heading, candidates, (), None, refine_short)
    said = max(scores, key=scores.__getitem__)
    if said != page or scores[said] < CHUNK_CONFIDENCE:
        return None
    if page in _languages_found(chunks, text_language, candidates, sources, page):
        return None  # the page's language holds a share of the text: a bilingual page
    return LanguageResult(page, round(scores[said], 4), "title_and_page", (page,))


class LanguagePipeline:
    """Scrapy item pipeline: sets `language`, `language_confidence`, `language_method` and
    `languages_found` on a `HarvestedItem`, then its `country` from its page's domain and language
    where they name a country (pipelines.countries.page_country).

    Reads `item.text` (or, when empty, title and summary), `item.declared_languages` (the source's)
    and `item.declared_language` (the page's own). Setting ``EWSI_LANGUAGE_REFINE_SHORT`` (default
    true) lets short texts use lingua. Stats: ``ewsi/language/<method>`` per item. Never raises: a
    detector failure is logged and the item gets the featureless-text answer.
    """

    def __init__(self, crawler: Crawler | None = None, refine_short: bool = True):
        self.crawler = crawler
        self.refine_short = refine_short

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LanguagePipeline:
        """Build the pipeline for a crawler (Scrapy entry point)."""
        return cls(crawler, crawler.settings.getbool("EWSI_LANGUAGE_REFINE_SHORT", True))

    def process_item(self, item: HarvestedItem, spider: Spider | None = None) -> HarvestedItem:
        """Detect the item's language, fill its language fields and return it."""
        has_text = bool(item.text and item.text.strip())
        text = item.text if has_text else "\n".join(p for p in (item.title, item.summary) if p)
        try:
            result = detect_language(
                text,
                item.declared_languages or (),
                title=item.title if has_text else None,
                page_language=item.declared_language,
                refine_short=self.refine_short,
            )
        except Exception:
            logger.exception("language detection failed for %s (source %s)", item.url, item.source_id)
            page = next(iter(_codes([item.declared_language] if item.declared_language else [])), None)
            result = _fallback(_codes(item.declared_languages or ()), page, 0.0, featureless=True)
        item.language = result.language
        item.language_confidence = result.confidence
        item.language_method = result.method
        item.languages_found = list(result.languages_found)
        item.country = page_country(item.country, item.body_url or item.url, item.language)
        stats = self._stats(spider)
        if stats is not None:
            stats.inc_value(f"ewsi/language/{result.method}")
        return item

    def _stats(self, spider: Spider | None) -> StatsCollector | None:
        crawler = self.crawler or getattr(spider, "crawler", None)
        return getattr(crawler, "stats", None)


def _fallback(
    sources: tuple[str, ...], page: str | None, confidence: float, featureless: bool
) -> LanguageResult:
    """The answer when the text decides nothing: the page's language (featureless text only, and only
    if the source allows it), the single source language, or ``und``."""
    if featureless and page and (not sources or page in sources):
        return LanguageResult(page, 0.0, "declared_page", (page,))
    if len(sources) == 1:
        return LanguageResult(sources[0], round(confidence, 4), "source_default", (sources[0],))
    return LanguageResult(UNDETERMINED, round(confidence, 4), "undetermined", ())


def _codes(values: Sequence[str | None]) -> tuple[str, ...]:
    """Lower-case primary subtags, without duplicates or ``und``: ``["de-AT", "DE", ""]`` -> ``("de",)``."""
    out: list[str] = []
    for value in values:
        if not isinstance(value, str):
            continue
        code = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
        if code.isalpha() and 2 <= len(code) <= 3 and code != UNDETERMINED and code not in out:
            out.append(code)
    return tuple(out)


def _clean(text: str) -> str:
    """Text without URLs, e-mail addresses, paths, digits and lone surrogates (the detectors encode to
    UTF-8); spaces squeezed, line breaks kept.

    Word by word (`_address_free`), never a pattern over the whole text: a pattern such as
    ``\\S*/\\S*`` backtracks over a long run of non-space characters in quadratic time (a page
    whose title was 100,000 letters held the crawl for minutes).
    """
    text = text.encode("utf-8", "ignore").decode("utf-8")
    lines = []
    for line in text.split("\n"):
        words: list[str] = []
        for token in line.split():
            kept = _address_free(token)
            if kept:
                words += _DIGITS.sub(" ", kept).split()
        if words:
            lines.append(" ".join(words))
    return "\n".join(lines)


def _address_free(token: str) -> str:
    """`token` (no whitespace) without what is an address, not a word: "" for a path or URL (a ``/`` or
    ``\\`` in it) or an e-mail address (``x@y.z``); the part before ``www.`` for a bare host name."""
    if "/" in token or "\\" in token:
        return ""
    at = token.find("@", 1)
    if at != -1:
        dot = token.find(".", at + 2)
        while dot != -1:
            if _WORD_CHAR.match(token, dot + 1):
                return ""
            dot = token.find(".", dot + 1)
    www = token.lower().find("www.")
    if www != -1 and len(token) > www + 4:
        return token[:www]
    return token


def _letters(text: str) -> int:
    return sum(map(str.isalpha, text))


def _has_letters(text: str, wanted: int, block: int = 2048) -> bool:
    """Whether `text` holds at least `wanted` letters (counted block by block: a long text stops early)."""
    found = 0
    for start in range(0, len(text), block):
        found += _letters(text[start : start + block])
        if found >= wanted:
            return True
    return found >= wanted


def _sample(text: str) -> list[str]:
    """Chunks of at least `CHUNK_MIN_LETTERS` letters (the last may have fewer), at most
    `CHUNK_MAX_CHARS` each, evenly spaced over the text and `SAMPLE_CHARS` in all."""
    chunks: list[str] = []
    buffer = ""
    letters = 0  # letters of `buffer` (the joining space is none)
    for line in text.splitlines():
        buffer = f"{buffer} {line}" if buffer else line
        letters += _letters(line)
        if letters >= CHUNK_MIN_LETTERS:
            chunks.append(_cut(buffer))
            buffer = ""
            letters = 0
    if buffer:
        if chunks and letters < CHUNK_MIN_LETTERS // 2 and len(chunks[-1]) + len(buffer) < CHUNK_MAX_CHARS:
            chunks[-1] = f"{chunks[-1]} {buffer}"
        else:
            chunks.append(_cut(buffer))
    total = sum(len(c) for c in chunks)
    if total > SAMPLE_CHARS:
        step = math.ceil(total / SAMPLE_CHARS)
        chunks = chunks[::step]
        kept: list[str] = []
        size = 0
        for chunk in chunks:
            if size + len(chunk) > SAMPLE_CHARS and kept:
                break
            kept.append(chunk)
            size += len(chunk)
        chunks = kept
    return chunks


def _cut(chunk: str) -> str:
    if len(chunk) <= CHUNK_MAX_CHARS:
        return chunk
    head = chunk[:CHUNK_MAX_CHARS]
    space = head.rfind(" ")
    return head[:space] if space > CHUNK_MAX_CHARS // 2 else head


def _languages_found(
    chunks: list[str], main: str, candidates: tuple[str, ...], sources: tuple[str, ...], page: str | None
) -> tuple[str, ...]:
    """Languages holding at least `FOUND_SHARE` of the letters of the confidently detected chunks,
    `main` first, the rest by share. A single chunk gives ``(main,)``; chunks use py3langid only."""
    if len(chunks) < 2:
        return (main,)
    letters: dict[str, int] = {}
    for chunk in chunks:
        scores = _scores(chunk, candidates, sources, page, refine_short=False)
        best = max(scores, key=scores.__getitem__)
        if scores[best] >= CHUNK_CONFIDENCE:
            letters[best] = letters.get(best, 0) + _letters(chunk)
    total = sum(letters.values())
    shares = sorted(((n / total, lang) for lang, n in letters.items()), reverse=True) if total else []
    others = [lang for share, lang in shares if share >= FOUND_SHARE and lang != main]
    return (main, *others)


def _candidates(sources: tuple[str, ...], page: str | None) -> tuple[str, ...]:
    known = set(_identifier(None).nb_classes)
    extra = [c for c in (*sources, page) if c and c in known and c not in CANDIDATES]
    return CANDIDATES + tuple(dict.fromkeys(extra))


def _scores(
    text: str, candidates: tuple[str, ...], sources: tuple[str, ...], page: str | None, refine_short: bool
) -> dict[str, float]:
    """Probability per candidate (sums to 1): py3langid, lingua mixed in for short text, then the prior."""
    scores = {lang: float(p) for lang, p in _identifier(candidates).rank(text)}
    if refine_short and len(text) < SHORT_TEXT_CHARS:
        scores = _mix_lingua(text, candidates, scores)
    for lang in scores:
        if lang in sources:
            scores[lang] *= DECLARED_BOOST
        if lang == page:
            scores[lang] *= PAGE_BOOST
    total = sum(scores.values())
    if not total > 0:  # no byte n-gram known to the model: uniform
        return {lang: 1.0 / len(scores) for lang in scores}
    return {lang: p / total for lang, p in scores.items()}


def _mix_lingua(text: str, candidates: tuple[str, ...], scores: dict[str, float]) -> dict[str, float]:
    """Re-divide the probability mass py3langid gives its `LINGUA_TOP` best languages by a 0.7 / 0.3
    mixture with lingua's confidence among those; other languages and those lingua lacks (Maltese)
    keep py3langid's figure."""
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)[:LINGUA_TOP]
    detector, codes = _lingua(tuple(sorted(c for c in ranked if c in candidates)))
    values = {
        code: cv.value
        for cv in detector.compute_language_confidence_values(text)
        if (code := codes.get(cv.language))
    }
    if not any(values.values()):
        return scores
    mass = sum(scores.get(code, 0.0) for code in values)
    weight = SHORT_TEXT_WEIGHT
    return {
        lang: (weight * values[lang] * mass + (1 - weight) * p) if lang in values else p
        for lang, p in scores.items()
    }


@lru_cache(maxsize=16)
def _identifier(candidates: tuple[str, ...] | None) -> LanguageIdentifier:
    """py3langid identifier restricted to `candidates` (None: all its languages). The model file is read
    once per process; restricted copies share it."""
    if candidates is None:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    restricted = copy.copy(_identifier(None))
    restricted.set_languages([c for c in candidates if c in _identifier(None).nb_classes])
    return restricted


@lru_cache(maxsize=512)
def _lingua(candidates: tuple[str, ...]) -> tuple[Any, dict[Any, str]]:
    """Lingua detector (high accuracy, models loaded lazily and shared) for the candidates it knows,
    with a map from its Language values to ISO 639-1 codes."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder  # deferred: most crawls never need it

    isos = [getattr(IsoCode639_1, c.upper()) for c in candidates if hasattr(IsoCode639_1, c.upper())]
    detector = LanguageDetectorBuilder.from_iso_codes_639_1(*isos).build()
    languages = [Language.from_iso_code_639_1(iso) for iso in isos]
    return detector, {lang: lang.iso_code_639_1.name.lower() for lang in languages}
