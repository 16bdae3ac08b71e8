"""Extract stage: a followed page's raw bytes to main text, title, date, author and declared language.

Routing (RELIABILITY.md T17: by content, never by URL extension), first match wins:
1. magic bytes: ``%PDF-`` in the first 1024 bytes -> PDF; ZIP, gzip, images, audio/video, fonts and
   OLE documents -> unsupported; markup that opens with ``<!doctype html``, ``<html`` or holds an
   ``<html``/``<head``/``<body`` tag in the first 1024 bytes -> HTML; other markup starting ``<?xml``
   -> XML, unless the header says HTML;
2. the Content-Type header: text/html and application/xhtml+xml -> HTML, application/pdf -> PDF,
   */xml and */*+xml -> XML, anything else -> unsupported;
3. no header: a body without NUL bytes that holds a ``<`` -> HTML, else unsupported.

Per method:
- HTML: the first 2 MiB only (RELIABILITY.md T13: trafilatura took 38 s and 1.7 GB on a 10 MB table),
  decoded by `pipelines.decode.decode_html`, parsed once. From that tree: the page's metadata
  (`pipelines.pagemeta`: headlines, site names, a legal document's heading, publication dates with
  their time), then consent layers, what the page does not print, "read more" teasers of other pages
  and headings of link lists removed and layout tables unwrapped (`pipelines.boilerplate`), then
  trafilatura ``bare_extraction`` (without the article's widgets, `WIDGETS`; a brief article keeps its
  paragraphs, not trafilatura's rescue dump, `_unrescued`), and htmldate on a copy without the page's chrome
  (`pipelines.pagemeta.without_chrome`: a footer's "Stand: 01.02.2018" is no publication date). A
  navigation-like or banner text gets a second try (trafilatura's precision mode, then the best content
  block); lines before the document's title are dropped, and so are "read also" teasers, page-feedback
  prompts and share buttons inside the article (`pipelines.furniture`, `pipelines.share_lines`), and a
  bare byline line at its top, which gives the author when trafilatura found none
  (`pipelines.byline_lines`). The title follows `pipelines.titles` (the page's own headline, no site
  name); `raw_title` keeps ``<title>``, which is what ../shared/corpus/EXPECTED.yaml knows a page by.
  The date: page metadata first, else a compact date in the URL's path (`url_day`), else htmldate's
  unless it is a year-only guess (``YYYY-01-01``), else a day-month-year written near the top of the
  text (`_page_date`: month names of the 24 EU languages). Ambiguous numeric dates (``03/04/2026``)
  are read in the page's locale order (`pipelines.dates.page_dayfirst`: month first on ``en-US``),
  htmldate's day-first reading of them included (`_locale_order`).
- PDF: pypdf, the text of at most 300 pages joined with blank lines; the metadata title unless it is a
  placeholder or page 1's first heading says otherwise (`_pdf_title`). pypdf stops decompression
  bombs itself (LimitReachedError, T15).
- XML (EUR-Lex Formex): every text node through lxml with entities left unresolved, no network, no
  DTD and libxml2's default size limits (T07-T09); an element followed only by whitespace ends a line.
- Output text is capped at 1,000,000 characters.

Warnings (added to the item's flags): ``input_truncated``, ``text_truncated``, ``extract.html_failed``
(also when trafilatura returned nothing for a page that holds a block of text: it discards a text
it cannot build, e.g. on a string lxml refuses, without raising; an empty text is never unflagged),
``extract.fallback`` (the first extraction was navigation or a banner; a second one was kept),
``extract.boilerplate`` (every extraction looked like navigation), ``extract.consent`` (only a consent
banner was found: no text),
``extract.deep_markup`` (nested deeper than libxml2 parses: read without its wrapper tags,
`pipelines.markup`), ``extract.pdf_failed``, ``extract.pdf_encrypted``, ``extract.pdf_no_text``,
``extract.pdf_page_failed``, ``extract.pdf_pages_capped``, ``extract.xml_failed``,
``extract.unsupported_type``, ``parse.mixed_encoding`` (a UTF-8 page with bytes that are not UTF-8,
read as Windows-1252: crawler.encoding "Mixed encodings"; counted in ``ewsi/parse/mixed_encoding_pages``
for the source's warning). No input makes `extract_document` raise.

Bounded execution (RELIABILITY.md §2 "Extraction worker", T13-T16): the pipeline never calls
`extract_document` in the crawl process. `extract_bounded` runs it in a persistent
`crawler.worker.BoundedWorker` (768 MiB address space; 20 s wall for HTML and XML, 30 s for PDF; text
output capped at 1,000,000 UTF-8 bytes). A killed worker costs one item's text: the item keeps its
feed data and is flagged ``extract.timeout`` or ``extract.memory`` (plus ``extract.pdf_failed`` for a
PDF); an HTML page whose extraction did not finish also keeps what its head gives cheaply (title,
og:title, meta description, language: `pipelines.headmeta`), and the run names the kill in the
source's health (crawler.health rule 1: ``extract.timeout``, not ``extract.all_empty``). A memory
kill is retried once in a fresh worker (the first kill may be the previous pages' doing); the number
of kills is left on the item as ``ewsi_worker_kills`` for the store stage, which quarantines a URL
killed twice (T14). An extraction stopped because the crawl is shutting down (a signal, crawler.worker's
rule on interruptions) is no kill: the item is flagged ``extract.interrupted`` (its text unread, so a
stored item stays as it is), nothing is counted against the URL. What the libraries say in the worker (log
records, warnings, output on stdout or stderr) is logged in the crawl process with the page's URL,
into the crawl log, never on the terminal (crawler.workeroutput). Bodies of an unsupported type
(ZIP, images, executables: T17) are never handed to a parser: the item is kept with its feed data,
flagged ``extract.unsupported_type``, and its body is not stored. The setting
``EWSI_EXTRACT_IN_PROCESS`` runs extraction in the crawl process instead (benchmarks and debugging
only).
"""

from __future__ import annotations

import atexit
import dataclasses
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from urllib.parse import unquote, urljoin, urlsplit

import trafilatura
from htmldate import find_date
from lxml.etree import _Element
from lxml.html import HtmlElement
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from trafilatura.settings import DEFAULT_CONFIG, Document, set_date_params
from trafilatura.utils import sanitize
from trafilatura.xml import process_element
from w3lib.encoding import read_bom

from crawler.cpu_slots import CpuSlots
from crawler.encoding import mixed_encoding_bytes
from crawler.text import truncate_utf8
from crawler.types import (
    CHANGE_DATES,
    TITLE_FROM_TEXT,
    TITLE_MISSING,
    HarvestedItem,
    precision_flags,
    replaces_date,
    set_precision,
)
from crawler.worker import MEMORY_LIMIT_BYTES, BoundedWorker, WorkerResult
from pipelines.boilerplate import (
    CONSENT_REMNANT_CHARS,
    NAV_SHARE,
    REMNANT_TERMS,
    LeadInLearner,
    best_block_text,
    consent_terms,
    drop_consent_lines,
    drop_lead_in,
    heading_texts,
    is_consent_text,
    link_texts,
    navigation_share,
    prune_consent,
    prune_link_headings,
    prune_not_printed,
    prune_read_more,
    unwrap_layout_tables,
)
from pipelines.byline import byline_text
from pipelines.byline_lines import take_byline_lines
from pipelines.clock import AFTER_DATE, BEFORE_DATE, RANGE_END, hour_minute
from pipelines.dates import (
    EARLIEST_PLAUSIBLE,
    FUTURE_TOLERANCE,
    before_identifier,
    has_time_of_day,
    impossible_date,
    is_weekday,
    month_number,
    page_dayfirst,
    parse_date,
    parse_day_or_time,
    parse_with_precision,
    plausible_date,
    unknown_zone,
    zone_after_time,
)
from pipelines.decode import decode_html
from pipelines.document import ExtractedDocument, cap_text, one_line
from pipelines.formats import XML_NS, extract_pdf, extract_xml
from pipelines.furniture import drop_furniture_lines
from pipelines.headmeta import head_metadata
from pipelines.lead import restore_lead
from pipelines.markup import (
    drop_comment_threads,
    drop_link_targets,
    in_comment_thread,
    keep_hidden_breaks,
    parse_html,
)
from pipelines.normalize import SUMMARY_MAX_BYTES, TITLE_MAX_BYTES, plain_line, plain_title
from pipelines.pagemeta import excluded_block, read_page_meta, without_chrome
from pipelines.relative_dates import relative_date, resolve_ago
from pipelines.share_lines import prune_share_links
from pipelines.sitenames import heading_text
from pipelines.summary import page_summary
from pipelines.titles import (
    AffixLearner,
    SharedFileTitles,
    choose_title,
    cut_headline,
    fold,
    goes_on,
    looks_like_slug,
    split_segments,
    strip_site,
    title_from_text,
)

MIXED_ENCODING_WARNING = "parse.mixed_encoding"
"""The flag of an item whose page was UTF-8 with Windows-1252 bytes in it (crawler.encoding)."""

logger = logging.getLogger(__name__)

MAX_HTML_BYTES = 2 * 1024 * 1024
"""HTML input cap in bytes (RELIABILITY.md T13)."""
HTML_TIMEOUT_S = 20.0
"""Wall limit of one HTML or XML extraction in the worker (RELIABILITY.md §2)."""
PDF_TIMEOUT_S = 30.0
"""Wall limit of one PDF extraction in the worker (RELIABILITY.md §2)."""
MAX_OUTPUT_BYTES = 1_000_000
"""Cap on the extracted text in UTF-8 bytes (RELIABILITY.md §2: output <= 1 MB)."""
WORKER_TARGET = "pipelines.extract:extract_document"

_SNIFF_BYTES = 1024
_BINARY_MAGIC = (
    b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08",  # ZIP and the office formats built on it
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf\x27\x1c", b"Rar!", b"BZh",
    b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF", b"II*\x00", b"MM\x00*", b"BM",
    b"\x00\x00\x01\x00", b"wOFF", b"wOF2", b"OggS", b"ID3", b"fLaC", b"%!PS",
    b"\xd0\xcf\x11\xe0",  # OLE2: .doc, .xls, .msg
    b"\x7fELF", b"MZ",
)  # fmt: skip
_HTML_MARKERS = ("<html", "<head", "<body")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_WORD = r"[^\W\d_][^\W\d_'’]{2,}"
_YEAR = r"(?P<year>(?:19|20)\d\d)(?![\d.,]\d)"
_ORDINAL = r"(?:st|nd|rd|th|ú|er|re|ère|\.?[º°])"
"""An ordinal day's mark: en "3rd", ga "3ú", fr "1er" (also "1re", "1ère"), it, es, pt "1º", "1.º" and
"1°" (the masculine ordinal indicator, or the degree sign typed for it)."""
_SHORT_YEAR = r"['’‘](?P<short>\d\d)(?![\d'’])"
"""A year of two digits after an apostrophe, "4 March '25", "3 maart '25" (`_full_year`)."""
_WRITTEN_DATES = (
    # day first: "3. März 2025", "12 lutego 2025", "3 de marzo de 2025", "3 ta' Marzu 2025",
    # "3rd March 2025", "3ú Márta 2025", "1er mars 2025", "1.º de marzo de 2025" (ordinal days),
    # "3 Μαρτίου 2025", "3 март 2025 г.", "3. ožujka 2025.", "3 d. kovo 2025", "4 March '25"
    re.compile(
        rf"(?<![\d.])(?P<day>[0-3]?\d){_ORDINAL}?\.?\s+(?:d\.\s+)?(?:(?:de|ta['’])\s+)?(?P<month>{_WORD})\.?,?"
        rf"\s+(?:(?:de\s+)?{_YEAR}|{_SHORT_YEAR})"
    ),
    # day, month name and year joined by one separator: "03/Mar/2025", "03-mar-2025", "03.Mär.2025"
    re.compile(rf"(?<![\d./-])(?P<day>[0-3]?\d)(?P<sep>[/.-])(?P<month>{_WORD})\.?(?P=sep){_YEAR}"),
    # year first: "2025. március 3." (hu), "2025. gada 3. martā" (lv), "2025 m. kovo 3 d." (lt)
    re.compile(
        rf"(?<![\d.]){_YEAR}\.?\s+(?:(?:gada|m\.)\s+)?"
        rf"(?:(?P<day_a>[0-3]?\d)\.\s+(?P<month_a>{_WORD})|(?P<month_b>{_WORD})\.?\s+(?P<day_b>[0-3]?\d)(?![\d:]))"
    ),
    # month first: "March 3, 2025", "March 3rd, '25"
    re.compile(rf"(?P<month>{_WORD})\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,\s+(?:{_YEAR}|{_SHORT_YEAR})"),
    # numeric, day and month in the page's locale order (`written_dates`): "05.12.2026",
    # "5. 12. 2026" (cs, sk, sl), "05/12/2026", "5-12-2026"; "12/05/2026" on an en-US page
    re.compile(rf"(?<![\d./-])(?P<first>[0-3]?\d)(?P<sep>\.\s?|/|-)(?P<second>[0-3]?\d)(?P=sep){_YEAR}"),
    # numeric, year first: "2026-12-05" (ISO; lt, sv), "2026.12.05." and "2026. 12. 05." (hu), "2026/12/05"
    re.compile(
        r"(?<![\d./-])(?P<year>(?:19|20)\d\d)(?P<sep>[-./]|\.\s)(?P<number>[01]?\d)(?P=sep)(?P<day>[0-3]?\d)(?!\d)"
    ),
)
_UPDATE_LABEL = re.compile(
    # en, fr, es, pt, it, de, nl, sv, da, fi, pl, cs, sk, sl, hr, hu, ro, bg, el, lt, lv, et, mt, ga
    r"updat|modifi|mis[e]? à jour|actualiza|atualiza|aggiornat|aktualisiert|geändert|zuletzt|\bstand\b"
    r"|gewijzigd|bijgewerkt|uppdater|opdater|ændret|päivitet|muokat|aktualiz|modyfik|zmieniono|změněn"
    r"|zmenen|posodobl|spremenjen|ažurira|izmijenjen|frissít|módosít|actualizat|modificat|актуализ"
    r"|обновен|променен|ενημερ|τροποποι|atnaujin|pakeist|atjaunin|grozīt|uuendat|muudetud|aġġorn"
    r"|nuashonr",
    re.IGNORECASE,
)
"""Words that introduce an update date rather than the publication date, in the 24 EU languages."""
_WEEKDAY_AFTER = re.compile(r"(?:\s*(?:d|r|г)\.)?\.?\s*,?\s*(?P<word>[^\W\d_]{2,}\.?),?")
"""A word after a written date that may be its weekday, before the time (`pipelines.dates.is_weekday`)."""
_LABEL_CHARS = 40
_DATE_SEARCH_CHARS = 1_000
"""A publication date written in the text sits near its top (headline, byline)."""


def extract_document(
    body: bytes, url: str, media_type: str | None, header_charset: str | None = None
) -> ExtractedDocument:
    """Extract a followed page: route by content (module docstring) and run the HTML, PDF or XML path.

    `media_type` is the Content-Type header (parameters allowed), `header_charset` its charset (or the
    whole header). Pure: the same bytes give the same result (htmldate's upper date bound aside).
    Never raises for bad input; failures are warnings on the result.
    """
    method = route(body, media_type)
    if method == "pdf":
        return extract_pdf(body)
    if method == "html":
        return _extract_html(body, url, header_charset)
    if method == "xml":
        return extract_xml(body)
    return ExtractedDocument(method="unsupported", warnings=("extract.unsupported_type",))


_WORKER: BoundedWorker | None = None
_WORKER_LOCK = threading.Lock()
_WORKER_MEMORY_MB = 0


def configure_worker(memory_mb: int) -> None:
    """The memory limit in MiB of the process-wide worker, when it starts later (0: the default)."""
    global _WORKER_MEMORY_MB
    _WORKER_MEMORY_MB = memory_mb


def shared_worker() -> BoundedWorker:
    """The process-wide extraction worker (started on first use, stopped at exit).

    Its address-space limit is `crawler.worker.MEMORY_LIMIT_BYTES` (768 MiB), or the megabytes of
    `configure_worker` when it was called with more than 0 before the first use (the setting
    ``EWSI_WORKER_MEMORY_MB``: a smaller machine; tests of T14).
    """
    global _WORKER
    with _WORKER_LOCK:
        if _WORKER is None:
            megabytes = _WORKER_MEMORY_MB
            memory = megabytes * 1024 * 1024 if megabytes > 0 else MEMORY_LIMIT_BYTES
            _WORKER = BoundedWorker(WORKER_TARGET, memory_bytes=memory)
            atexit.register(_WORKER.close)
        return _WORKER


@dataclass(frozen=True)
class BoundedOutcome:
    """An `ExtractedDocument` plus how the worker fared: `kill` is None, ``"timeout"`` or ``"memory"``,
    why the worker was last killed for this body (a page read on the retry after a memory kill keeps
    ``"memory"``: the strike it leaves is one of memory, not a time-out); `kills` counts worker kills
    for this body (0-2); `seconds` and `peak_rss_bytes` describe the last attempt (None when no worker
    ran)."""

    document: ExtractedDocument
    kill: str | None = None
    kills: int = 0
    seconds: float = 0.0
    peak_rss_bytes: int | None = None


def extract_bounded(
    body: bytes,
    url: str,
    media_type: str | None,
    header_charset: str | None = None,
    *,
    worker: BoundedWorker | None = None,
    in_process: bool = False,
) -> BoundedOutcome:
    """`extract_document` in the bounded worker (module docstring); never raises for bad input.

    HTML is cut to `MAX_HTML_BYTES` before it crosses the pipe; the text is cut to
    `MAX_OUTPUT_BYTES`. Unsupported bodies never reach the worker; `in_process` extracts in this
    process instead (the setting ``EWSI_EXTRACT_IN_PROCESS``, for debugging).
    """
    method = route(body, media_type)
    if method == "unsupported":
        return BoundedOutcome(ExtractedDocument(method="unsupported", warnings=("extract.unsupported_type",)))
    pre: list[str] = []
    if method == "html" and len(body) > MAX_HTML_BYTES:
        body = body[:MAX_HTML_BYTES]
        pre.append("input_truncated")
    if in_process:
        return BoundedOutcome(_cap_output(extract_document(body, url, media_type, header_charset), pre))
    worker = worker or shared_worker()
    timeout = PDF_TIMEOUT_S if method == "pdf" else HTML_TIMEOUT_S
    kills = 0
    result: WorkerResult = worker.call(body, url, media_type, header_charset, timeout=timeout, label=url)
    if result.error == "memory":  # retried once in a fresh worker: the first kill may not be this page's
        kills += 1
        result = worker.call(body, url, media_type, header_charset, timeout=timeout, label=url)
    if result.error is None and isinstance(result.value, ExtractedDocument):
        return BoundedOutcome(
            _cap_output(result.value, pre),
            "memory" if kills else None,
            kills,
            result.seconds,
            result.peak_rss_bytes,
        )
    warnings = [*pre]
    kill = None
    if result.error in ("timeout", "memory"):
        kills += 1
        kill = result.error
        warnings.append(f"extract.{result.error}")
        logger.warning("extraction of %s stopped: %s (%s)", url, result.error, result.detail)
    elif result.error == "interrupted":  # the crawl is stopping: no kill, no strike (crawler.worker)
        warnings.append("extract.interrupted")
        logger.info("extraction of %s interrupted: %s", url, result.detail)
    else:
        logger.warning("extraction of %s failed in the worker: %s", url, result.detail)
    warnings.append(
        {"pdf": "extract.pdf_failed", "xml": "extract.xml_failed"}.get(method, "extract.html_failed")
    )
    document = ExtractedDocument(method=method, warnings=tuple(dict.fromkeys(warnings)))
    if method == "html":  # what the head gives without the full extraction (pipelines.headmeta)
        title, raw_title, summary, language = head_metadata(body, header_charset)
        document = dataclasses.replace(
            document, title=title, headline=title, raw_title=raw_title, summary=summary, language=language
        )
    return BoundedOutcome(document, kill, kills, result.seconds, result.peak_rss_bytes)


def _cap_output(document: ExtractedDocument, pre: list[str]) -> ExtractedDocument:
    warnings = [*pre, *document.warnings]
    text, cut = truncate_utf8(document.text, MAX_OUTPUT_BYTES)
    if cut:
        warnings.append("text_truncated")
    if not cut and not pre:
        return document
    return dataclasses.replace(document, text=text, warnings=tuple(dict.fromkeys(warnings)))


def route(body: bytes, media_type: str | None) -> str:
    """The extraction method for a body: ``html``, ``pdf``, ``xml`` or ``unsupported`` (module docstring)."""
    sniffed = _sniff(body)
    declared = (media_type or "").split(";", 1)[0].strip().lower()
    if sniffed in {"pdf", "unsupported", "html"}:
        return sniffed
    if sniffed == "xml":
        return "html" if declared in _HTML_TYPES else "xml"
    if declared in _HTML_TYPES:
        return "html"
    if declared == "application/pdf":
        return "pdf"
    if declared.endswith(("/xml", "+xml")):
        return "xml"
    if not declared and b"\x00" not in body[:_SNIFF_BYTES] and b"<" in body[:_SNIFF_BYTES]:
        return "html"
    return "unsupported"


def _sniff(body: bytes) -> str | None:
    head = body[:_SNIFF_BYTES]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(_BINARY_MAGIC):
        return "unsupported"
    bom_encoding, bom = read_bom(head)
    if bom_encoding is not None and bom is not None:
        start = head[len(bom) :].decode(bom_encoding, "ignore")
    else:
        start = head.decode("latin-1")
    start = start.lstrip().lower()
    if start.startswith(("<!doctype html", "<html")) or any(tag in start for tag in _HTML_MARKERS):
        return "html"
    if start.startswith("<?xml"):
        return "xml"
    return None


# --- HTML -------------------------------------------------------------------------------------------


def _extract_html(body: bytes, url: str, header_charset: str | None) -> ExtractedDocument:
    warnings: list[str] = []
    if len(body) > MAX_HTML_BYTES:
        body = body[:MAX_HTML_BYTES]
        warnings.append("input_truncated")
    markup, encoding = decode_html(body, header_charset)
    if mixed_encoding_bytes(body, encoding):  # UTF-8 with Windows-1252 bytes (crawler.encoding)
        warnings.append(MIXED_ENCODING_WARNING)
    try:
        tree, flattened = parse_html(markup)
    except MemoryError:  # the worker's limit: let it end the call (crawler.worker)
        raise
    except Exception:  # lxml and trafilatura raise many types on hostile input
        logger.warning("HTML parse failed for %s", url, exc_info=True)
        tree, flattened = None, False
    if tree is None:
        return ExtractedDocument(method="html", warnings=(*warnings, "extract.html_failed"))
    if flattened:
        warnings.append("extract.deep_markup")

    raw_title = _html_title(tree)
    language = _html_language(tree)
    dayfirst = page_dayfirst(_locale_declarations(tree))
    meta = read_page_meta(tree, dayfirst=dayfirst)
    hint = (language.split("-")[0].lower(),) if language else ()
    teaser = own_teaser_date(tree, url, hint, dayfirst)  # before the teasers are pruned
    anchors = link_texts(tree)
    layers = prune_consent(tree)
    prune_not_printed(tree)
    prune_read_more(tree)
    prune_link_headings(tree)
    unwrap_layout_tables(tree)
    prune_share_links(tree)  # share buttons, told by their targets (pipelines.share_lines)
    drop_link_targets(tree)  # a date in a linked URL is not the page's (pipelines.markup)
    drop_comment_threads(tree)  # nor is a date in readers' comments (pipelines.markup)
    keep_hidden_breaks(tree)  # a dropped hidden separator leaves a word break (pipelines.markup)
    result = _trafilatura(tree, url, warnings)
    text = published = author = headline = None
    if result is not None:
        text, author, headline = _unrescued(tree, url, result.text), result.author, result.title
        published = _htmldate(tree, url)  # not trafilatura's: it searched the page's chrome too
        if published is None and result.date and result.date.endswith("-01-01"):
            published = result.date  # a year-only guess (a copyright line) bounds written dates only
    headline = one_line(headline)
    if result is None and "extract.html_failed" not in warnings and best_block_text(tree):
        warnings.append("extract.html_failed")  # trafilatura discarded an article's text (docstring)
    text = _main_text(tree, url, text, anchors, warnings)
    text = restore_lead(tree, text, result.description if result is not None else None)
    if layers and text and len(text) < CONSENT_REMNANT_CHARS and len(consent_terms(text)) >= REMNANT_TERMS:
        # a wall replaces the article, an overlay sits beside it (rules in `pipelines.boilerplate`)
        text = drop_consent_lines(text, REMNANT_TERMS, heading_texts(tree))
        if text is None:
            warnings.append("extract.consent")  # a consent wall's remnant ("read on after accepting")
    guessed = headline is not None and (
        _title_segment(headline, raw_title, meta.headlines) or _kicker_and(headline, meta.headlines)
    )
    headlines = [*meta.headlines, *([headline] if headline and not guessed else [])]
    title = choose_title(
        raw_title,
        headlines=headlines,
        confirmed=meta.confirmed,
        site_names=meta.site_names,
        host=urlsplit(url).hostname,
        doc_heading=meta.doc_heading,
        chrome=meta.chrome,
    )
    title = _continued_heading(tree, title)
    text = drop_lead_in(text, [t for t in (title, raw_title, meta.doc_heading, *meta.confirmed) if t])
    text = drop_furniture_lines(text)
    in_byline = (
        written_dates(byline, hint, dayfirst) if (byline := byline_text(tree, title)) else (None, None)
    )
    written = _written(text, in_byline, hint, dayfirst)  # a bare byline line's date counts
    text, byline_author = take_byline_lines(text, hint)
    ago = (  # a line an update label starts ("aktualisiert vor 2 Stunden") dates no publication
        relative_date("\n".join(ln for ln in byline.splitlines() if not _UPDATE_LABEL.search(ln)))
        if byline and not any(in_byline)
        else None
    )
    if meta.impossible:
        # an impossible declared date (2026-02-30) is no date: htmldate read it as another day
        warnings.append("date_unparsed")
        published, published_from = None, None
    else:
        found = _locale_order(published or None, dayfirst, markup, url)
        published, published_from = _page_date(
            meta.published, meta.published_from, found, written, url_day(url), in_byline[0], teaser
        )
    return ExtractedDocument(
        text=cap_text(text, warnings),
        title=title,
        published=published,
        author=one_line(author) or byline_author,
        language=language,
        method="html",
        warnings=tuple(dict.fromkeys(warnings)),
        headline=headline,
        raw_title=raw_title,
        published_from=published_from,
        published_ago=ago,
        modified=meta.modified or written[1],
        dayfirst=dayfirst,
        summary=page_summary(result.description if result is not None else None, text, title),
    )


_NAMED = "concat(' ', @class, ' ', @id)"
_SHARING = f"contains({_NAMED}, ' share') or contains({_NAMED}, '-share') or contains({_NAMED}, ' social')"
WIDGETS = [
    "//address[not(.//p)]",
    "//button",
    f"//*[{_SHARING}][not(self::html or self::body or self::main or self::article)][not(.//p)]",
]
"""Elements of an article that are never its text, pruned before trafilatura reads the page (its
``prune_xpath``, on its own copy of the tree: the byline and dates are read from the page itself):
``<address>`` (HTML's element for the author's name and contact: "Par L'équipe de Lyon · Publié le 21
novembre 2026"), ``<button>`` (a control: "Partager", "Artikel teilen") and a link or block whose
class or id names sharing or social media (``share``, ``share-link``, ``article-share``, ``social``:
"Deel deze pagina", "Dela"), which sites put inside the article's container (links to a network's
share endpoint went before, `pipelines.share_lines.prune_share_links`). An element that holds
a paragraph (``<p>``) is a container, not a widget ("single-post remove-ps-share" on ``<body>``)."""


def _trafilatura(
    tree: HtmlElement, url: str, warnings: list[str], *, precision: bool = False
) -> Document | None:
    try:
        result = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=not precision,
            include_comments=False,
            include_images=False,
            favor_precision=precision,
            prune_xpath=WIDGETS,
        )
    except MemoryError:  # the worker's limit: let it end the call (crawler.worker)
        raise
    except Exception:  # trafilatura's own errors are caught inside; anything else is a failure
        logger.warning("trafilatura failed for %s", url, exc_info=True)
        warnings.append("extract.html_failed")
        return None
    if not isinstance(result, Document):
        return None
    if result.body is not None:
        result.text = decoded_once(result.body)
    return result


def decoded_once(body: _Element) -> str:
    """The plain text of trafilatura's extracted tree as its ``xmltotxt`` writes it, without the
    ``html.unescape`` it ends with: the parser has already decoded the page's character references
    once, so a second pass turned a page's literal text "&lt;b&gt;" (written ``&amp;lt;b&amp;gt;``)
    into "<b>", "&amp;" into "&", "&nbsp;" into a space and "&#1;" into a control character (the
    kind of adbar/trafilatura#218, entities decoded back)."""
    parts: list[str] = []
    process_element(body, parts, False)
    text = "".join(parts)
    if _AMPERSAND in text:  # cannot stand in for "&": the spacing references below are decoded again
        return sanitize(text, True) or ""
    # its line clean-up decodes "&nbsp;", "&#10;" and "&#13;" once more: "&" stands aside meanwhile
    return (sanitize(text.replace("&", _AMPERSAND), True) or "").replace(_AMPERSAND, "&")


_AMPERSAND = "\u2bd1"
"""A printable character that stands in for "&" while trafilatura cleans the text's lines (its
clean-up keeps printable characters; U+2BD1 UNCERTAINTY SIGN is in no language's text)."""


RESCUE_CHARS = DEFAULT_CONFIG.getint("DEFAULT", "MIN_EXTRACTED_SIZE")
"""Below this many characters trafilatura's balanced mode replaces its extraction with a dump of the
page's main block (its baseline rescue)."""
BRIEF_CHARS = 2_000
"""Longest text looked at for such a dump (the article's paragraphs below `RESCUE_CHARS`, plus its
byline, buttons and labels)."""
KEPT_SHARE = 0.5
"""Share of the rescued text's characters the extraction without the rescue must hold to be the text."""


def _unrescued(tree: HtmlElement, url: str, text: str | None) -> str | None:
    """A short article's paragraphs, not the dump trafilatura's rescue put in their place.

    Rule: when an extraction is shorter than trafilatura's ``MIN_EXTRACTED_SIZE`` (`RESCUE_CHARS`),
    its balanced mode takes the baseline's text of the page's main block if that is longer: for a brief
    article of two or three short paragraphs that dump is one run-on line of the whole ``<article>``:
    section label, headline, byline and date line, body and share button ("Brno Ukrajinské lékařky ...
    Autor: Petr Novák · 2. prosince 2026 19:20 Desítky lékařek ... Sdílet"), where a longer article
    of the same template comes out as its paragraphs. So a text of at most `BRIEF_CHARS` is extracted
    again in trafilatura's precision mode, which runs without that rescue; its text replaces the first
    when it is shorter than `RESCUE_CHARS` (the rescue's own condition), every line of it is in the
    first (spaces folded: the same content, less furniture) and it holds at least `KEPT_SHARE` of the
    first's characters (the rescue added a byline and buttons, not the article's paragraphs) and it
    keeps every ``h1``-``h3`` heading the first holds whole (one cut short, "Congresso sulla
    migrazione" for the whole heading, is a loss, not furniture gone). Lines
    before the headline (a section label) then go with `pipelines.boilerplate.drop_lead_in`.
    """
    if not text or len(text) > BRIEF_CHARS:
        return text
    precise = _trafilatura(tree, url, [], precision=True)
    lines = [" ".join(line.split()) for line in ((precise.text if precise else None) or "").split("\n")]
    lines = [line for line in lines if line]
    whole = " ".join(text.split())
    if not lines or sum(map(len, lines)) >= RESCUE_CHARS or not all(line in whole for line in lines):
        return text
    kept = " ".join(lines)
    for heading in tree.iter("h1", "h2", "h3"):
        words = " ".join(heading.text_content().split())
        if words and words in whole and words not in kept:
            return text  # a heading cut short is a loss, not furniture gone
    if sum(len(line) for line in lines) < KEPT_SHARE * len(whole):
        return text
    return "\n".join(lines)


def _htmldate(tree: HtmlElement, url: str) -> str | None:
    """htmldate's date of the page (as trafilatura asks for it: the original date, extensive search,
    nothing after today) searched in the page without its chrome (`pipelines.pagemeta.without_chrome`:
    footer, aside, nav, the site's header, sidebar, comments, related and teaser blocks): a date
    written only there ("© 2019 Ministerium · Stand: 01.02.2018", a sidebar's teaser dates) does not
    date the article (adbar/htmldate#124)."""
    try:
        return find_date(without_chrome(tree), **{**set_date_params(True), "url": url}) or None
    except MemoryError:  # the worker's limit: let it end the call (crawler.worker)
        raise
    except Exception:  # htmldate's own errors on odd markup: no date
        logger.warning("htmldate failed for %s", url, exc_info=True)
        return None


def _main_text(
    tree: HtmlElement, url: str, text: str | None, anchors: set[str], warnings: list[str]
) -> str | None:
    """The article's text, not a menu or a consent banner (rules in `pipelines.boilerplate`).

    A banner-like text first loses its banner lines (`pipelines.boilerplate.drop_consent_lines`);
    what is left, when it holds a sentence, is the text. Then tried in order, first acceptable wins:
    trafilatura's default extraction, its precision mode, the best content block. Acceptable: not
    navigation-like, not a banner, at least 200 characters (or as long as the first try). When none
    is, a banner is dropped (``extract.consent``) and a navigation-like text is kept and flagged
    (``extract.boilerplate``).
    """
    if not _suspect(text, anchors):
        return text
    if is_consent_text(text):
        rest = drop_consent_lines(text, headings=heading_texts(tree))
        if rest is not None and not _suspect(rest, anchors):
            warnings.append("extract.fallback")
            return rest
    precise = _trafilatura(tree, url, [], precision=True)
    tries = (lambda: precise.text if precise is not None else None, lambda: best_block_text(tree))
    for attempt in tries:
        candidate = attempt()
        if candidate and len(candidate) >= min(200, len(text or "")) and not _suspect(candidate, anchors):
            warnings.append("extract.fallback")
            return candidate
    if is_consent_text(text):
        warnings.append("extract.consent")
        return None
    warnings.append("extract.boilerplate")
    return text


def _suspect(text: str | None, anchors: set[str]) -> bool:
    return bool(text) and (is_consent_text(text) or navigation_share(text, anchors) >= NAV_SHARE)


def _written(
    text: str | None, in_byline: tuple[str | None, str | None], languages: tuple[str, ...], dayfirst: bool
) -> tuple[str | None, str | None]:
    """(published, updated) written out in the byline (`in_byline`, `written_dates` of
    `pipelines.byline`'s lines around the headline, which the extractor drops), else at the top of
    the main text, each taken where it is first found."""
    published, updated = in_byline
    if (published is None or updated is None) and text:
        in_text, in_text_updated = written_dates(text[:_DATE_SEARCH_CHARS], languages, dayfirst)
        published, updated = published or in_text, updated or in_text_updated
    return published, updated


def _page_date(
    page: str | None,
    page_from: str | None,
    found: str | None,
    written_pair: tuple[str | None, str | None] = (None, None),
    in_url: str | None = None,
    stated: str | None = None,
    teaser: str | None = None,
) -> tuple[str | None, str | None]:
    """The publication date and where it came from (`pipelines.pagemeta` has the order).

    The page's own metadata first (with its time of day; a day alone takes the time written beside
    the same day at the top of the text: ``<meta ... content="2026-12-05">`` and "05.12.2026, 14:30
    Uhr"); else a compact date in the URL's path (`in_url`, `url_day`: the place htmldate gives the
    ``/2026-12-05-`` dates it reads in URLs, before its other finds; "url"); else htmldate's date,
    unless it is
    ``YYYY-01-01``: htmldate's year-only guess (its copyright-footer fallback) is not a date; else a
    day-month-year written out in the first 1000 characters of the main text (`written_dates`: month
    names of the 24 EU languages; htmldate knows few, and B12's "Publicado em 12 de março de 2025"
    came out as 2025-01-01 from "© 2025" in the footer); a written date with its time of day beats
    htmldate's same day without one. A date written in the byline (`stated`,
    `pipelines.byline`: the lines around the headline, which main-text extraction drops) comes
    after the URL's and before htmldate's: htmldate takes the page's first date, which may be an
    update written above the publication ("Zuletzt aktualisiert: 05. Mai 2025" over "Veröffentlicht:
    03. Mai 2025"), a sidebar's or a related article's; the byline's own update labels
    (`written_dates`) leave the update aside. Rule for the year-only guess: it does not
    outvote a written date of the same or an earlier year (a copyright line names the current year,
    so an older article under "© 2026" keeps its "3. März 2025"); a written date after it is not
    taken (an announced event, not the publication). Rule for an update date: htmldate's date that
    is the day the page labels as its update ("Updated 10 March 2025, first published 3 March
    2025", "Aktualisiert am ... veröffentlicht am ...": `written_pair`, from `_written`) loses to an
    earlier publication date written beside it (adbar/htmldate#10). Last, the date the site's own
    teaser of this page gives (`teaser`, `own_teaser_date`: a "latest articles" list that links here),
    unless it is after htmldate's year-only guess: htmldate no longer reads the page's chrome, where
    such teasers live.
    """
    written, written_update = written_pair
    written = stated or written
    if page:
        if written is not None and len(written) > 10 and not has_time_of_day(page):
            day = parse_date(page, UTC)
            if day is not None and day.date().isoformat() == written[:10]:
                return written, page_from  # the page's day, with the time the byline gives it
        return page, page_from
    if in_url is not None:
        if written is not None and len(written) > 10 and written[:10] == in_url:
            return written, "text"  # the same day, with the time written beside it
        return in_url, "url"
    year_guess = found is not None and found.endswith("-01-01")
    if stated is not None and not (year_guess and found is not None and stated[:4] > found[:4]):
        if found is not None and found[:10] == stated[:10] and len(found) >= len(stated):
            return found, "htmldate"  # the same day, htmldate's as precise
        return stated, "text"
    if found is not None and not found.endswith("-01-01"):
        if written is not None and written_update is not None and written_update[:10] == found > written[:10]:
            return written, "text"  # htmldate took the date the page labels as its update
        if written is not None and len(written) > 10 and written[:10] == found:
            return written, "text"  # the same day, with the time written beside it
        return found, "htmldate"
    if written is not None and (found is None or written[:4] <= found[:4]):
        return written, "text"
    if teaser is not None and (found is None or teaser[:4] <= found[:4]):
        return teaser, "teaser"
    return None, None


def own_teaser_date(
    tree: HtmlElement, url: str, languages: tuple[str, ...] = (), dayfirst: bool = True
) -> str | None:
    """The date the page's own teaser gives it, or None.

    Rule: a link to the page itself (`_same_page`: scheme, ``www.``, a trailing slash and the
    fragment aside) whose text, or when it has none, the text of its parent holding no other link,
    writes a date in its first 300 characters (`written_dates`) is a teaser of this page ("Aktuell:
    10.11.2021 Menschenrechte achten" in the sidebar); the first such date is the page's, as the site
    lists it. A date beside a link to another page is that page's, never this one's. An in-page
    link (``href="#comment-12"``, a comment's permalink with its date, "May 20, 2025 at 6:02 pm")
    and a link inside a readers' comment thread (`pipelines.markup.in_comment_thread`) are no teaser.
    """
    own = _same_page(url)
    if own is None:
        return None
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith("#") or _same_page(urljoin(url, href)) != own:
            continue
        if in_comment_thread(anchor):
            continue
        text = anchor.text_content()
        parent = anchor.getparent()
        if not _FULL_DATE_HINT.search(text) and parent is not None and len(parent.findall(".//a")) == 1:
            text = parent.text_content()
        if _FULL_DATE_HINT.search(text):
            published, _ = written_dates(" ".join(text.split())[:300], languages, dayfirst)
            if published is not None:
                return published[:10]
    return None


_FULL_DATE_HINT = re.compile(r"\d{4}")


def _same_page(url: str) -> str | None:
    """`url` without scheme, ``www.``, a trailing slash or fragment, for comparing links to a page."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        return None
    path = parts.path.rstrip("/")
    return f"{host}{path}?{parts.query}" if parts.query else f"{host}{path}"


def written_dates(
    text: str, languages: tuple[str, ...] = (), dayfirst: bool = True
) -> tuple[str | None, str | None]:
    """(published, updated): the first day-month-year written out in `text` as ISO dates, or None.

    Rule: a day (an ordinal one too, `_ORDINAL`: "3rd", "1er", "1º", "1.º"), a month name and a
    four-digit year (or two digits after an apostrophe, "4 March '25", `_full_year`) in any order
    the 24 EU languages write them, or
    day first joined by one slash, dot or dash (``03/Mar/2025``, ``03-mar-2025``, ``03.Mär.2025``)
    (`_WRITTEN_DATES`: day first, year first as in Hungarian, Latvian and Lithuanian, month first as
    in English); the month name in any of the 24 languages (`pipelines.dates.month_number`, the page's
    `languages` first where a name is ambiguous); or the month as a number: in the page's locale order
    when both numbers could be the month (`dayfirst`, `pipelines.dates.page_dayfirst`: ``05.12.2026``,
    ``5. 12. 2026``, ``05/12/2026`` are 5 December in the EU's order, 12 May on an ``en-US`` page),
    the one possible way when only one is 12 or less (``13/04/2026``, ``04/13/2026``: 13 April
    whatever the locale), or year first (``2026-12-05``, ``2026.12.05.``);
    a day that does not exist (31 April) is skipped; a time of day written right after it
    (`pipelines.clock.AFTER_DATE`: "14:30 Uhr", "à 14h30", "klo 14.30", "г., 14:30 ч.", "ora 14:30",
    "plkst. 14:30", "fl-10:15", "ar 16:20", "16 óra 20 perc", "16 val. 20 min."; on the 12-hour clock
    with a marker of any EU language, "2:30 PM", "8:45 μ.μ.", "8:45 odp.", Hungarian's before it
    "du. 8:45", and none where the marker contradicts the hour, "13:45 a.m."; a whole hour after a word
    for "at", "um 16 Uhr"; never a number that is no time, "um 16 Uhr 20 Teilnehmer" is 16:00,
    `pipelines.clock` "Numbers after a date"; after the weekday
    that follows the date in Hungarian "2025. március 3., hétfő 14:30"; or right before the date,
    `pipelines.clock.BEFORE_DATE`: "14:30, 3 March 2025") is kept as a naive ``YYYY-MM-DDTHH:MM``
    on the 24-hour clock, read later in the source's time zone (with the offset of a zone written after it,
    `pipelines.dates.zone_after_time`: "14:30 CET" is ``T14:30+01:00``), unless it starts a time
    range ("14:30 – 16:00": an event's hours, the day stays a day). A
    date that an update label introduces (`_UPDATE_LABEL` in the text since the previous date, at
    most 40 characters: "aktualisiert am", "mis à jour le", "aggiornato il", "aktualizacja:") is the
    update, never the publication; the earliest of each kind wins.
    """
    found: dict[int, tuple[int, str]] = {}
    for pattern in _WRITTEN_DATES:
        for match in pattern.finditer(text):
            parts = {k: v for k, v in match.groupdict().items() if v}
            if "first" in parts:
                parts["day"], parts["number"] = _numeric_order(
                    int(parts["first"]), int(parts["second"]), dayfirst
                )
            day = parts.get("day") or parts.get("day_a") or parts.get("day_b")
            month = (
                int(parts["number"])
                if "number" in parts
                else month_number(
                    parts.get("month") or parts.get("month_a") or parts.get("month_b") or "", languages
                )
            )
            if day is None or month is None:
                continue
            try:
                iso = date(_full_year(parts), month, int(day)).isoformat()
            except ValueError:
                continue
            end = match.end()
            clock = AFTER_DATE.match(text, end)
            if clock is None and (named := _WEEKDAY_AFTER.match(text, end)) and is_weekday(named["word"]):
                clock = AFTER_DATE.match(text, named.end())  # "2025. március 3., hétfő 14:30"
            if clock is not None and RANGE_END.match(text, clock.end()) is None:
                end = clock.end()
                if (hhmm := hour_minute(clock)) is not None:  # None: "13:45 a.m." is no time
                    iso += f"T{hhmm}"
                    if (zone := zone_after_time(text, end)) is not None:
                        iso += zone[0]
                        end = zone[1]
            elif (
                (before := BEFORE_DATE.search(text, max(0, match.start() - 30), match.start()))
                and not before["range"]
                and (hhmm := hour_minute(before)) is not None
            ):
                iso += f"T{hhmm}"  # "14:30 Uhr, 3. März 2025"
            found.setdefault(match.start(), (end, iso))
    published = updated = None
    previous_end = 0
    for start in sorted(found):
        end, iso = found[start]
        lead_in = text[max(previous_end, start - _LABEL_CHARS) : start]
        previous_end = max(previous_end, end)
        if _UPDATE_LABEL.search(lead_in):
            updated = updated or iso
        elif published is None:
            published = iso
    return published, updated


def _full_year(parts: dict[str, str], today: date | None = None) -> int:
    """The year a date gives: four digits, or two after an apostrophe in the century that puts it
    no later than next year (in 2026: '27 is 2027, '28 is 1928, '99 is 1999): a page's date is
    not in the future, and POSIX ``strptime``'s ``%y`` read '68 as 2068, which dated nothing."""
    if "year" in parts:
        return int(parts["year"])
    short = int(parts["short"])
    latest = (today or datetime.now(UTC).date()).year + 1
    return latest - (latest - short) % 100


def _numeric_order(first: int, second: int, dayfirst: bool) -> tuple[str, str]:
    """(day, month) of a numeric date written ``first/second/year``: the only reading when one number
    is over 12, else the locale's order."""
    if first > 12 or (second <= 12 and dayfirst):
        return str(first), str(second)
    return str(second), str(first)


_URL_DAY = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
"""An 8-digit YYYYMMDD token: not part of a longer digit run nor glued to a word before it."""
_URL_SEPARATED_DAY = re.compile(r"\D(?:19|20)\d\d[/_-]\d{1,2}[/_-]\d{1,2}(?:\D|$)")
"""A year-month-day htmldate reads in a URL itself (its ``COMPLETE_URL``)."""


def url_day(url: str | None, now: datetime | None = None) -> str | None:
    """The compact date (``YYYYMMDD``) in a URL's path as ``YYYY-MM-DD``, or None.

    Rule: an 8-digit token of the path (``/aktuelles/20261205_kurse``, ``/20250204IPR26689/``) that is
    a real day, not before 1990 and not after `now` (the fetch, default the present) by more than the
    plausibility rule's hour (`pipelines.dates.plausible_date`), is a URL date: the same standing as
    the ``/2026-12-05-`` dates htmldate reads (a URL that holds one of those is left to htmldate). A
    longer digit run (an id, a phone number), a 6-digit token (``261205``), a token glued to a word
    before it (``id20261205``) or one in the host, query or fragment is not.
    """
    if not url:
        return None
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return None
    if _URL_SEPARATED_DAY.search(url):
        return None
    latest = (now or datetime.now(UTC)) + FUTURE_TOLERANCE
    for match in _URL_DAY.finditer(path[:2000]):
        try:
            day = datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=UTC)
        except ValueError:  # 20260230
            continue
        if EARLIEST_PLAUSIBLE <= day <= latest:
            return day.date().isoformat()
    return None


def _locale_order(found: str | None, dayfirst: bool, markup: str, url: str) -> str | None:
    """htmldate's date read in the page's locale order.

    htmldate reads every numeric date day first (it only swaps a month over 12) and has no setting
    for the order. On a month-first page (`dayfirst` False), a date of its whose day and month are
    both 12 or less and that the page writes only as such a numeric date (``03/04/2026``, read
    3 April) is that date month first (4 March); a page or URL that also writes the day year first
    (``2026-04-03``, ``20260403``) keeps it.
    """
    if dayfirst or not found:
        return found
    try:
        day = date.fromisoformat(found[:10])
    except ValueError:
        return found
    if day.day > 12 or day.day == day.month:
        return found
    year, month, dom = day.year, day.month, day.day
    numeric = re.compile(
        rf"(?<![\d./-])0?{dom}(?P<sep>[./-])0?{month}(?P=sep)(?:{year}|{year % 100:02d})(?!\d)"
    )
    year_first = re.compile(
        rf"(?<!\d){year}(?:(?P<sep>[./_-])0?{month}(?P=sep)0?{dom}|{month:02d}{dom:02d})(?!\d)"
    )
    head = markup[:MAX_HTML_BYTES]
    if numeric.search(head) and not year_first.search(head) and not year_first.search(url):
        return date(year, dom, month).isoformat()
    return found


def _locale_declarations(tree: HtmlElement) -> list[str | None]:
    """The page's locale declarations, most specific first: ``<html lang>`` (or ``xml:lang``),
    ``og:locale``, the Content-Language meta."""
    root = tree.getroottree().getroot()
    lang = next(
        (v for k in ("lang", f"{XML_NS}lang", "xml:lang") if (v := (root.get(k) or "").strip())), None
    )
    og = next(
        (
            m.get("content")
            for m in tree.iterfind(".//meta[@property]")
            if m.get("property", "").lower() == "og:locale"
        ),
        None,
    )
    header = next(
        (
            m.get("content", "").split(",")[0]
            for m in tree.iterfind(".//meta[@http-equiv]")
            if m.get("http-equiv", "").lower() == "content-language"
        ),
        None,
    )
    return [lang, og, header]


def _title_segment(headline: str, raw_title: str | None, page_headlines: tuple[str, ...]) -> bool:
    """True when trafilatura's title is the first or last part of a multi-part ``<title>`` that none
    of the page's own headlines (h1, og:title, JSON-LD) repeats.

    Rule: that is trafilatura's guess of which part of ``<title>`` is the headline (the part before
    its first or after its last separator, often the site's name: "Migracijos departamentas - Nauji
    kursai" gave the department's name), not a headline the page states; `choose_title` then reads
    ``<title>`` by its own rules.
    """
    if not raw_title or len(split_segments(raw_title)) < 2:
        return False
    key, whole = fold(headline), fold(raw_title)
    if key == whole or not (whole.startswith(key) or whole.endswith(key)):
        return False
    return all(fold(h) != key for h in page_headlines)


def _continued_heading(tree: HtmlElement, title: str | None) -> str | None:
    """The page's ``h2`` headline that `title` is the first part of, else `title`.

    Rule: a page without an ``h1`` sets its headline in an ``h2`` ("Anerkennung in Bremen: Geflüchtete
    Ärztinnen warten zwei Jahre"), and its ``<title>`` may carry only the part before the colon or dash
    ("Anerkennung in Bremen | Bremer Tageblatt"). The first ``h2`` outside the page's chrome
    (`pipelines.pagemeta.excluded_block`) that goes on from the title after its own separator
    (`pipelines.titles.goes_on`) is the title; other ``h2`` (section headings) never replace it.
    """
    if not title:
        return title
    body = tree.find("body")
    scope = body if body is not None else tree
    for heading in scope.iter("h2"):
        text = heading_text(heading)
        if text and goes_on(title, text) and not excluded_block(heading, scope, itself=True):
            return text
    return title


def _kicker_and(headline: str, page_headlines: tuple[str, ...]) -> bool:
    """True when trafilatura's title is one of the page's headlines with a kicker before it (it reads
    the whole ``<h1>``; `pipelines.sitenames.heading_text` leaves the kicker out)."""
    key = fold(headline)
    return any(key != fold(h) and key.endswith(fold(h)) for h in page_headlines)


def _html_title(tree: HtmlElement) -> str | None:
    """The page's ``<title>``: the one in ``<head>``, else the first one outside ``<svg>`` and
    ``<math>`` (an inline icon's ``<title>`` is its accessible name, "Icon Pfeil", not the page's)."""
    element = tree.find("head/title")
    if element is None:
        element = next((e for e in tree.iter("title") if not _in_foreign_content(e)), None)
    return one_line(element.text_content()) if element is not None else None


def _in_foreign_content(element: HtmlElement) -> bool:
    return any(
        str(parent.tag).lower().rsplit("}", 1)[-1] in ("svg", "math") for parent in element.iterancestors()
    )


def _html_language(tree: HtmlElement) -> str | None:
    root = tree.getroottree().getroot()
    for key in ("lang", f"{XML_NS}lang", "xml:lang"):
        value = (root.get(key) or "").strip()
        if value:
            return value
    for meta in tree.iterfind(".//meta[@http-equiv]"):
        if meta.get("http-equiv", "").lower() == "content-language" and meta.get("content", "").strip():
            return meta.get("content", "").split(",")[0].strip()
    return None


# --- pipeline ---------------------------------------------------------------------------------------


_URL_ONLY = re.compile(r"^\s*(https?://|www\.)\S*\s*$", re.IGNORECASE)


class ExtractPipeline:
    """Scrapy item pipeline: fills text, page title, page count, extraction method, declared language,
    author and (when the index gave none) the publication date from the followed page.

    Items without a body pass through untouched. The body is kept: the store pipeline keeps the raw
    response compressed and clears it. Stats: ``ewsi/extract/<method>`` per extracted body,
    ``ewsi/extract/empty`` when no text came out, ``ewsi/worker/timeout`` and ``ewsi/worker/memory``
    per worker kill, ``ewsi/worker/peak_rss_bytes`` (the worker's peak RSS). A URL in
    ``crawler.ewsi_quarantined`` (a set of URLs loaded at spider open by
    `crawler.extensions.RunRecorder`) is not extracted: DropItem("quarantined"), counted as
    ``ewsi/dropped/quarantined`` (T14).

    Across a source's pages the pipeline learns the title segments they repeat (site and section
    names, `pipelines.titles.AffixLearner`) and strips them from later titles, and the opening lines
    they repeat (`pipelines.boilerplate.LeadInLearner`) and drops them from later texts; a text made
    mostly of lines the source's other pages repeat is flagged ``extract.boilerplate``.
    """

    def __init__(self, crawler: Crawler | None = None):
        self.crawler = crawler
        self.finisher = DocumentFinisher()
        settings = crawler.settings if crawler is not None else None
        self.in_process = bool(settings and settings.getbool("EWSI_EXTRACT_IN_PROCESS"))
        if settings is not None:
            configure_worker(settings.getint("EWSI_WORKER_MEMORY_MB"))
        # one machine-wide CPU slot per extraction (crawler.cpu_slots; EWSI_CPU_SLOTS, 0: per CPU)
        self.cpu = CpuSlots(settings.getint("EWSI_CPU_SLOTS") if settings is not None else 0)

    def _extract(self, item: HarvestedItem) -> BoundedOutcome:
        return extract_item(item, in_process=self.in_process)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        """Build the pipeline for a crawler (Scrapy entry point)."""
        return cls(crawler)

    def process_item(self, item: HarvestedItem, spider: Spider | None = None) -> HarvestedItem:
        """Extract `item.body` (if any) into the item's extract fields and return the item."""
        if not self.admit(item, spider):
            return item
        return self.finish(item, spider, *self.run(item))

    def admit(self, item: HarvestedItem, spider: Spider | None) -> bool:
        """Whether `item` has a body to extract; raises DropItem("quarantined") for a quarantined URL."""
        if not item.body:
            return False
        crawler = self.crawler or getattr(spider, "crawler", None)
        quarantined = getattr(crawler, "ewsi_quarantined", None) or ()
        if (item.body_url or item.url) in quarantined or item.url in quarantined:
            item.body = None
            raise DropItem("quarantined")  # counted by crawler.extensions.RunRecorder
        return True

    def run(self, item: HarvestedItem) -> tuple[BoundedOutcome, float]:
        """The blocking part: a CPU slot, then the bounded extraction; returns (outcome, seconds waited
        for the slot). Touches nothing but `item`'s body, so it may run on another thread."""
        with self.cpu.hold() as waited:
            outcome = self._extract(item)
        return outcome, waited

    def finish(
        self, item: HarvestedItem, spider: Spider | None, outcome: BoundedOutcome, waited: float
    ) -> HarvestedItem:
        """Copy `outcome` onto `item` through the source's learners and count it (the crawl's thread)."""
        stats = self._stats(spider)
        if waited > 0 and stats is not None:
            stats.inc_value("ewsi/cpu_slot_wait_ms", round(waited * 1000))
        crawler = self.crawler or getattr(spider, "crawler", None)
        source = getattr(spider, "source", None) or getattr(getattr(crawler, "spider", None), "source", None)
        document = self.finisher.finish(
            item,
            outcome.document,
            getattr(source, "zone", None) or UTC,
            list(getattr(source, "languages", None) or ()),
        )
        if outcome.kills:
            item.ewsi_worker_kills = outcome.kills  # type: ignore[attr-defined]  # read by pipelines.store
            item.ewsi_worker_kill = outcome.kill  # type: ignore[attr-defined]  # the strike's reason
        if stats is not None:
            stats.inc_value(f"ewsi/extract/{document.method}")
            if MIXED_ENCODING_WARNING in document.warnings:
                stats.inc_value("ewsi/parse/mixed_encoding_pages")
            if not document.text:
                stats.inc_value("ewsi/extract/empty")
            if outcome.kill:
                stats.inc_value(f"ewsi/worker/{outcome.kill}")
            if outcome.peak_rss_bytes:
                stats.max_value("ewsi/worker/peak_rss_bytes", outcome.peak_rss_bytes)
        return item

    def _stats(self, spider: Spider | None) -> StatsCollector | None:
        crawler = self.crawler or getattr(spider, "crawler", None)
        return getattr(crawler, "stats", None)


def extract_item(item: HarvestedItem, *, in_process: bool) -> BoundedOutcome:
    """Extract `item.body` with the item's URL, media type and HTTP header charset (the harvest's and
    the reprocess's one call, so both read the same bytes the same way)."""
    assert item.body is not None
    return extract_bounded(
        item.body,
        item.body_url or item.url,
        item.media_type,
        header_charset_of(item),
        in_process=in_process,
    )


class DocumentFinisher:
    """The steps from an extraction result to the item's fields, shared by the harvest
    (`ExtractPipeline`) and `ewsi reprocess` (pipelines.reprocess).

    Rule: every step that shapes a stored harvested field after extraction runs here and only here,
    so a reprocess of the kept raw bodies runs the harvest's steps on the harvest's inputs and a
    reprocess right after a harvest changes nothing. The steps: the source's repeated title
    segments are learned and stripped (`AffixLearner`, HTML pages), a PDF metadata title that another
    document of the source carried first gives way to the text's first sentence (`SharedFileTitles`),
    its repeated opening lines are learned and dropped with any blank lines before the text
    (`LeadInLearner`), a text made of the site's furniture is flagged ``extract.boilerplate``, then
    `apply_document` (dates read in the source's `zone`). The learners are per source and learn in
    the order pages are fed: the harvest feeds them in the order it stores new items, the reprocess
    in item-id order, the same order.
    """

    def __init__(self) -> None:
        self.affixes = AffixLearner()
        self.lead_ins = LeadInLearner()
        self.file_titles = SharedFileTitles()

    def finish(
        self,
        item: HarvestedItem,
        document: ExtractedDocument,
        zone: tzinfo = UTC,
        languages: Sequence[str] = (),
    ) -> ExtractedDocument:
        """Learn from and clean `document`, copy it onto `item`; returns the document as applied."""
        if document.title and document.method == "html":
            self.affixes.observe(item.source_id, document.raw_title)
            document = dataclasses.replace(
                document, title=strip_site(document.title, affixes=self.affixes.affixes(item.source_id))
            )
        if (
            document.method == "pdf"
            and document.title
            and document.title == document.raw_title
            and self.file_titles.taken(item.source_id, document.title, hash(document.text or item.url))
        ):  # a template's metadata title another document of the source carries: the text's first line
            document = dataclasses.replace(document, title=title_from_text(document.text) or document.title)
        text, cut = self.lead_ins.strip(item.source_id, document.text, document.title)
        if cut:
            document = dataclasses.replace(document, text=text)
        if self.lead_ins.repeated_share(item.source_id, text) >= NAV_SHARE:
            document = dataclasses.replace(document, warnings=(*document.warnings, "extract.boilerplate"))
        apply_document(item, document, zone, languages)
        return document


def header_charset_of(item: HarvestedItem) -> str | None:
    """The charset the HTTP header gave: `item.encoding`, else the Content-Type in `item.http_headers`."""
    if item.encoding:
        return item.encoding
    for name, value in item.http_headers.items():
        if name.lower() == "content-type" and "charset" in value.lower():
            return value
    return None


def apply_document(
    item: HarvestedItem, document: ExtractedDocument, zone: tzinfo = UTC, languages: Sequence[str] = ()
) -> None:
    """Copy an extraction result onto an item.

    Title: the document's replaces the item's when the item has none, only a URL, a listing anchor
    (``title_from_link``), a summary's first sentence (``title_from_text``, pipelines.normalize), a
    news sitemap's title (``title_from_sitemap``), a slug or file name
    (`pipelines.titles.looks_like_slug`), or the page's own title with the site name still on
    (`_same_title_with_site_name`); `raw_title` keeps the title as the page gave it. Summary: the page's
    (`pipelines.summary`) fills an item that has none (a listing's or sitemap's entry); a feed's or API's
    summary stays.
    Date (crawler.types `replaces_date`): the page's date is used when the item has none or only a
    date of change (`CHANGE_DATES`: a sitemap ``<lastmod>``, a feed's ``<updated>`` alone; it then
    stays as `updated_at`), or only the day of it (flag ``date_only``) when the page gives the time
    of that day (crawler.types `SAME_DAY`), with ``date_method = "page"``: with its time,
    read in `zone` when it has no offset; a day without a time of day is that day at 00:00 UTC,
    flagged ``date_only`` (pipelines.dates.parse_day_or_time), a month or year alone its first day
    flagged with its precision (`crawler.types.precision_flags`); an item dated to a month or year
    takes a page date within that month or year that is more precise. A
    publication date in a year before the document's identifiers
    (`pipelines.dates.before_identifier`) is dropped and flagged ``date_before_identifier``; an
    undated item stays undated. The page's modification date fills an
    empty `updated_at`. Dates are read in the page's language, then the item's and the source's
    `languages` (`_date_languages`).
    """
    item.text = document.text
    item.page_title = document.title
    item.raw_title = document.raw_title
    item.page_count = document.page_count
    item.extraction_method = document.method
    if document.title and (
        not item.title
        or _URL_ONLY.match(item.title)
        or "title_from_link" in item.flags
        or TITLE_FROM_TEXT in item.flags
        or "title_from_sitemap" in item.flags
        or looks_like_slug(item.title)
        or _same_title_with_site_name(item.title, document)
    ):
        if TITLE_FROM_TEXT in item.flags:  # a summary's first sentence (pipelines.normalize)
            item.flags.remove(TITLE_FROM_TEXT)
        # a page title escaped twice (``&amp;lt;b&amp;gt;``) is read as the normalise stage reads one
        item.title = cut_headline(plain_title(document.title, TITLE_MAX_BYTES)[0] or one_line(document.title))
    if not item.title and document.text:
        # last resort for untitled documents (many PDFs): their first sentence
        first = title_from_text(document.text)
        if first:
            item.title = first
            item.flags.append(TITLE_FROM_TEXT)
    if item.title and TITLE_MISSING in item.flags:  # the page gave the title its link did not
        item.flags.remove(TITLE_MISSING)
    if document.summary and not item.summary:
        item.summary = plain_line(document.summary, SUMMARY_MAX_BYTES)[0]
    if document.language:
        item.declared_language = document.language
    if document.author and not item.author:
        item.author = document.author
    _apply_dates(item, document, zone, languages)
    for warning in document.warnings:
        if warning not in item.flags:
            item.flags.append(warning)


def _same_title_with_site_name(title: str, document: ExtractedDocument) -> bool:
    """The index's title is the page's raw title, or the page's clean title with more around it (a
    feed that copies ``<title>``, site name and all). A feed's headline that goes on after the clean
    title's end with words ``<title>`` does not hold ("X: Y" where ``<title>`` is "X | Site":
    `pipelines.titles.goes_on`) is the longer headline, not a title with its site name."""
    if not document.title or not document.raw_title:
        return False
    folded, clean = fold(title), fold(document.title)
    if goes_on(document.title, title) and fold(folded[len(clean) :].lstrip(" :|-–—")) not in fold(
        document.raw_title
    ):
        return False
    return folded != clean and (folded == fold(document.raw_title) or clean in folded)


def _date_languages(
    item: HarvestedItem, document: ExtractedDocument, source_languages: Sequence[str] = ()
) -> list[str]:
    """ISO 639-1 codes a page's dates are read in: the page's declared language, then the item's
    (an entry's or API record's), then the source's configured ones. Rule: a month word that means
    different months in two languages (``listopada``: hr October, pl November) is read in the
    page's language, as a harvest reads a feed's date in the source's (`pipelines.normalize`);
    with none known it is no month."""
    declared = [document.language, item.declared_language, *item.declared_languages, *source_languages]
    return list(dict.fromkeys(code[:2].lower() for code in declared if code))


def _apply_dates(
    item: HarvestedItem, document: ExtractedDocument, zone: tzinfo, source_languages: Sequence[str] = ()
) -> None:
    """Rule: every publication date, whatever its origin (feed, API, sitemap, page metadata, text),
    passes `pipelines.dates.plausible_date` against the item's fetch time (now when unknown). A page
    date before 1990 or more than 1 h after the fetch is not used: the item keeps its other date or
    stays undated, flagged ``date_implausible`` or ``date_in_future``. An impossible page date
    (2026-02-30) is no date, flagged ``date_unparsed``. A page dated only relative to the day it is
    read ("vor 2 Tagen") is dated that span before its fetch, in the source's zone
    (`pipelines.relative_dates.resolve_ago`), flagged ``date_relative``. A page date used whose zone
    is not known (`pipelines.dates.unknown_zone`: ``14:30 XYT``) is read in the source's zone and
    flagged ``date_zone_unknown``, as a feed's date is (`pipelines.normalize`). The modification
    date follows the same rule (flags ``updated_date_*``)."""
    fetched_at = item.fetched_at or datetime.now(UTC)
    languages = _date_languages(item, document, source_languages)
    page, page_precision = None, None
    if not document.published and document.published_ago and item.fetched_at is not None:
        document = dataclasses.replace(
            document, published=resolve_ago(document.published_ago, fetched_at, zone)
        )
        if document.published:
            _flag(item, "date_relative")
    if document.published:
        # a day without a time of day is that calendar day (00:00 UTC), not local midnight; a month
        # or year alone keeps its precision
        page, page_precision = parse_with_precision(
            document.published, zone, dayfirst=document.dayfirst, languages=languages, either_order=True
        )
        if page is None and impossible_date(
            document.published, dayfirst=document.dayfirst, languages=languages, either_order=True
        ):
            _flag(item, "date_unparsed")
        page, reason = plausible_date(page, fetched_at)
        if reason is not None:
            _flag(item, reason)
    if replaces_date(
        item.published_at, item.date_method, item.flags, page, "page", precision_flags(page_precision)
    ):
        if item.date_method in CHANGE_DATES and item.updated_at is None:
            item.updated_at = item.published_at
        item.published_raw = document.published
        item.published_at = page
        item.date_method = "page"
        set_precision(item.flags, page_precision)
        if unknown_zone(document.published):
            _flag(item, "date_zone_unknown")
    if item.updated_at is None and document.modified:
        # a day alone is that day at 00:00 UTC, as a publication day is (pipelines.dates.parse_day_or_time)
        modified, _ = parse_day_or_time(
            document.modified, zone, dayfirst=document.dayfirst, languages=languages, either_order=True
        )
        updated, reason = plausible_date(modified, fetched_at)
        item.updated_at = updated
        if reason is not None:
            _flag(item, f"updated_{reason}")
        elif updated is not None and unknown_zone(document.modified):
            _flag(item, "updated_date_zone_unknown")
    if before_identifier(item.published_at, item.url, item.body_url, item.official_id):
        item.published_at = None
        item.date_method = None
        _flag(item, "date_before_identifier")


def _flag(item: HarvestedItem, flag: str) -> None:
    if flag not in item.flags:
        item.flags.append(flag)
