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
  decoded by `pipelines.decode.decode_html`, parsed once, then trafilatura ``bare_extraction`` once
  (it runs htmldate itself, original date first). The title is the page's ``<title>`` element, which
  is what editors and ../shared/corpus/EXPECTED.yaml know a page by; trafilatura's headline
  (og:title or h1) stands in when there is no ``<title>``. When htmldate finds no date or only a year
  (``YYYY-01-01``, its copyright-footer fallback), a day-month-year written out in the first 1000
  characters of the main text is used instead (`_refine_date`: month names of 12 EU languages).
- PDF: pypdf, the text of at most 300 pages joined with blank lines; the metadata title when it is not
  a template or file name. pypdf stops decompression bombs itself (LimitReachedError, T15).
- XML (EUR-Lex Formex): every text node through lxml with entities left unresolved, no network, no
  DTD and libxml2's default size limits (T07-T09); an element followed only by whitespace ends a line.
- Output text is capped at 1,000,000 characters.

Warnings (added to the item's flags): ``input_truncated``, ``text_truncated``, ``extract.html_failed``,
``extract.pdf_failed``, ``extract.pdf_page_failed``, ``extract.pdf_pages_capped``, ``extract.xml_failed``,
``extract.unsupported_type``. No input makes `extract_document` raise.

Bounded execution (RELIABILITY.md §2 "Extraction worker", T13-T16): the pipeline never calls
`extract_document` in the crawl process. `extract_bounded` runs it in a persistent
`crawler.worker.BoundedWorker` (768 MiB address space; 20 s wall for HTML and XML, 30 s for PDF; text
output capped at 1,000,000 UTF-8 bytes). A killed worker costs one item's text: the item keeps its
feed data and is flagged ``extract.timeout`` or ``extract.memory`` (plus ``extract.pdf_failed`` for a
PDF). A memory kill is retried once in a fresh worker (the first kill may be the previous pages'
doing); the number of kills is left on the item as ``ewsi_worker_kills`` for the store stage, which
quarantines a URL killed twice (T14). Bodies of an unsupported type (ZIP, images, executables: T17)
are never handed to a parser: the item is kept with its feed data, flagged
``extract.unsupported_type``, and its body is not stored. The setting ``EWSI_EXTRACT_IN_PROCESS`` runs
extraction in the crawl process instead (benchmarks and debugging only).
"""

from __future__ import annotations

import atexit
import dataclasses
import io
import logging
import re
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from pypdf import PdfReader
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from trafilatura.utils import load_html
from w3lib.encoding import read_bom

from crawler.text import truncate_utf8
from crawler.types import HarvestedItem
from crawler.worker import MEMORY_LIMIT_BYTES, BoundedWorker, WorkerResult
from pipelines.decode import decode_html

logger = logging.getLogger(__name__)

MAX_HTML_BYTES = 2 * 1024 * 1024
"""HTML input cap in bytes (RELIABILITY.md T13)."""
MAX_TEXT_CHARS = 1_000_000
"""Cap on extracted text, in characters."""
MAX_PDF_PAGES = 300
"""PDF pages read at most."""
MAX_TITLE_CHARS = 1_000
"""Cap on a page title, in characters (a hostile page can put megabytes in <title>)."""
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
_TEMPLATE_TITLE = re.compile(
    r"^(untitled|unbenannt|sans titre|document\d*|dokument\d*|microsoft (word|powerpoint|excel)\b.*"
    r"|powerpoint[- ]pr[äa]sentation|powerpoint presentation|präsentation\d*|presentation\d*|folie \d+"
    r"|slide \d+|title|titel|page \d+|seite \d+)$",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(r"^[\w.\-~]+\.(pdf|docx?|odt|pptx?|xlsx?|indd|qxp|rtf|txt)$|^\S*_\S*$", re.IGNORECASE)
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_TRAILING_SPACES = re.compile(r"[ \t\r\f\v]+\n")
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
_MONTH_NAMES = (
    # en, de, fr, es, pt, it, nl, sv/da, pl (genitive), cs (genitive), ro, fi (partitive)
    "january januar janvier enero janeiro gennaio januari stycznia ledna ianuarie tammikuuta",
    "february februar février fevrier febrero fevereiro febbraio februari lutego února unora februarie"
    " helmikuuta",
    "march märz maerz mars marzo março marco maart marts marca března brezna martie maaliskuuta",
    "april avril abril aprile kwietnia dubna aprilie huhtikuuta",
    "may mai mayo maio maggio mei maj maja května kvetna toukokuuta",
    "june juni juin junio junho giugno czerwca června cervna iunie kesäkuuta",
    "july juli juillet julio julho luglio lipca července cervence iulie heinäkuuta",
    "august août aout agosto augustus augusti sierpnia srpna elokuuta",
    "september septembre septiembre setiembre setembro settembre września zari září septembrie syyskuuta",
    "october oktober octobre octubre outubro ottobre października října rijna octombrie lokakuuta",
    "november novembre noviembre novembro listopada listopadu noiembrie marraskuuta",
    "december dezember décembre decembre diciembre dezembro dicembre grudnia prosince decembrie joulukuuta",
)
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names.split()}
_WRITTEN_DATE = re.compile(
    r"(?<!\d)(?P<day>[0-3]?\d)\.?\s+(?:de\s+)?(?P<month>[^\W\d_]{3,})\s+(?:de\s+)?(?P<year>(?:19|20)\d\d)(?!\d)"
)
_DATE_SEARCH_CHARS = 1_000
"""A publication date written in the text sits near its top (headline, byline)."""
_XML_SKIP_PREFIXES = ("BIB.INSTANCE", "DOCUMENT.REF", "INFO.")
_XML_SKIP = frozenset({"NO.CELEX", "NO.DOC", "NO.SEQ"})
"""Formex 4/5 elements that hold bibliographic data only (Formex manual, "BIB.INSTANCE", "INFO.PROD")."""


@dataclass(frozen=True)
class ExtractedDocument:
    """What `extract_document` found in one body.

    text: main text (paragraphs separated by newlines), None when nothing was extracted.
    title: the page's title (HTML ``<title>``, PDF metadata title, XML first TITLE element).
    published: the page's publication date as trafilatura/htmldate give it (``YYYY-MM-DD``).
    author: author names as trafilatura gives them (``"A; B"``).
    language: the language the page declares (``<html lang>``, ``xml:lang``, Content-Language meta),
        as written (``de-DE``).
    page_count: pages of a PDF (all pages, even beyond the 300 read).
    method: html, pdf, xml or unsupported.
    warnings: flag strings, see the module docstring.
    headline: trafilatura's title (og:title or h1), often the title without the site name.
    """

    text: str | None = None
    title: str | None = None
    published: str | None = None
    author: str | None = None
    language: str | None = None
    page_count: int | None = None
    method: str = "unsupported"
    warnings: tuple[str, ...] = ()
    headline: str | None = None


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
        return _extract_pdf(body)
    if method == "html":
        return _extract_html(body, url, header_charset)
    if method == "xml":
        return _extract_xml(body)
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
    """An `ExtractedDocument` plus how the worker fared: `kill` is None, ``"timeout"`` or ``"memory"``;
    `kills` counts worker kills for this body (0-2); `seconds` and `peak_rss_bytes` describe the last
    attempt (None when no worker ran)."""

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
    result: WorkerResult = worker.call(body, url, media_type, header_charset, timeout=timeout)
    if result.error == "memory":  # retried once in a fresh worker: the first kill may not be this page's
        kills += 1
        result = worker.call(body, url, media_type, header_charset, timeout=timeout)
    if result.error is None and isinstance(result.value, ExtractedDocument):
        return BoundedOutcome(
            _cap_output(result.value, pre), None, kills, result.seconds, result.peak_rss_bytes
        )
    warnings = [*pre]
    kill = None
    if result.error in ("timeout", "memory"):
        kills += 1
        kill = result.error
        warnings.append(f"extract.{result.error}")
        logger.warning("extraction of %s stopped: %s (%s)", url, result.error, result.detail)
    else:
        logger.warning("extraction of %s failed in the worker: %s", url, result.detail)
    warnings.append(
        {"pdf": "extract.pdf_failed", "xml": "extract.xml_failed"}.get(method, "extract.html_failed")
    )
    document = ExtractedDocument(method=method, warnings=tuple(dict.fromkeys(warnings)))
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


def _cap_text(text: str | None, warnings: list[str]) -> str | None:
    if not text or not text.strip():
        return None
    if len(text) > MAX_TEXT_CHARS:
        warnings.append("text_truncated")
        return text[:MAX_TEXT_CHARS]
    return text


def _one_line(value: str | None) -> str | None:
    if not value:
        return None
    value = " ".join(_INVISIBLE.sub("", value).split())[:MAX_TITLE_CHARS]
    return value or None


# --- HTML -------------------------------------------------------------------------------------------


def _extract_html(body: bytes, url: str, header_charset: str | None) -> ExtractedDocument:
    warnings: list[str] = []
    if len(body) > MAX_HTML_BYTES:
        body = body[:MAX_HTML_BYTES]
        warnings.append("input_truncated")
    markup, _encoding = decode_html(body, header_charset)
    try:
        tree = load_html(markup)
    except MemoryError:  # the worker's limit: let it end the call (crawler.worker)
        raise
    except Exception:  # lxml and trafilatura raise many types on hostile input
        logger.warning("HTML parse failed for %s", url, exc_info=True)
        tree = None
    if tree is None:
        return ExtractedDocument(method="html", warnings=(*warnings, "extract.html_failed"))

    title = _html_title(tree)
    language = _html_language(tree)
    try:
        result = trafilatura.bare_extraction(
            tree, url=url, with_metadata=True, include_comments=False, include_images=False
        )
    except MemoryError:  # the worker's limit: let it end the call (crawler.worker)
        raise
    except Exception:  # trafilatura's own errors are caught inside; anything else is a failure
        logger.warning("trafilatura failed for %s", url, exc_info=True)
        result = None
        warnings.append("extract.html_failed")
    text = published = author = headline = None
    if result is not None and not isinstance(result, dict):
        text, published, author, headline = result.text, result.date, result.author, result.title
    headline = _one_line(headline)
    published = _refine_date(published or None, text)
    return ExtractedDocument(
        text=_cap_text(text, warnings),
        title=title or headline,
        published=published,
        author=_one_line(author),
        language=language,
        method="html",
        warnings=tuple(warnings),
        headline=headline,
    )


def _refine_date(found: str | None, text: str | None) -> str | None:
    """htmldate's date, or a day-month-year written out near the top of the main text when htmldate
    found none or only a year (its copyright-footer fallback gives ``YYYY-01-01``).

    htmldate knows month names in English, French, German, Indonesian and Turkish only; B12's
    "Publicado em 12 de março de 2025" came out as 2025-01-01 from "© 2025" in the footer.
    """
    if found is not None and not found.endswith("-01-01"):
        return found
    written = _written_date(text[:_DATE_SEARCH_CHARS]) if text else None
    if written is None:
        return found
    if found is None or found[:4] == written[:4]:
        return written
    return found


def _written_date(text: str) -> str | None:
    for match in _WRITTEN_DATE.finditer(text):
        month = _MONTHS.get(match["month"].lower())
        if month is None:
            continue
        try:
            return date(int(match["year"]), month, int(match["day"])).isoformat()
        except ValueError:
            continue
    return None


def _html_title(tree: HtmlElement) -> str | None:
    element = tree.find("head/title")
    if element is None:
        element = tree.find(".//title")
    return _one_line(element.text_content()) if element is not None else None


def _html_language(tree: HtmlElement) -> str | None:
    root = tree.getroottree().getroot()
    for key in ("lang", f"{_XML_NS}lang", "xml:lang"):
        value = (root.get(key) or "").strip()
        if value:
            return value
    for meta in tree.iterfind(".//meta[@http-equiv]"):
        if meta.get("http-equiv", "").lower() == "content-language" and meta.get("content", "").strip():
            return meta.get("content", "").split(",")[0].strip()
    return None


# --- PDF --------------------------------------------------------------------------------------------


def _extract_pdf(body: bytes) -> ExtractedDocument:
    warnings: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted:
            reader.decrypt("")
        page_count = len(reader.pages)
    except MemoryError:  # the worker's limit: let it end the call (crawler.worker)
        raise
    except Exception as exc:  # pypdf raises PdfReadError, LimitReachedError, ValueError, KeyError, ...
        logger.warning("PDF unreadable: %s: %s", type(exc).__name__, exc)
        return ExtractedDocument(method="pdf", warnings=("extract.pdf_failed",))

    parts: list[str] = []
    size = 0
    failed_pages = 0
    to_read = min(page_count, MAX_PDF_PAGES)
    for number in range(to_read):
        if size > MAX_TEXT_CHARS:
            break
        try:
            page_text = reader.pages[number].extract_text() or ""
        except MemoryError:  # the worker's limit: let it end the call (crawler.worker)
            raise
        except Exception as exc:  # one broken page (bomb, bad font) must not cost the others
            logger.warning("PDF page %d failed: %s: %s", number + 1, type(exc).__name__, exc)
            failed_pages += 1
            continue
        page_text = _TRAILING_SPACES.sub("\n", page_text).strip()
        if page_text:
            parts.append(page_text)
            size += len(page_text) + 2
    if page_count > MAX_PDF_PAGES:
        warnings.append("extract.pdf_pages_capped")
    if failed_pages:
        warnings.append("extract.pdf_failed" if failed_pages == to_read else "extract.pdf_page_failed")
    return ExtractedDocument(
        text=_cap_text("\n\n".join(parts), warnings),
        title=_pdf_title(reader),
        page_count=page_count,
        method="pdf",
        warnings=tuple(warnings),
    )


def _pdf_title(reader: PdfReader) -> str | None:
    """The metadata title unless it is a template name ("PowerPoint-Präsentation") or a file name."""
    try:
        metadata = reader.metadata
        raw = metadata.title if metadata is not None else None
    except Exception:  # a broken Info dictionary only costs the title
        return None
    title = _one_line(str(raw)) if raw else None
    if not title or len(title) < 4 or _TEMPLATE_TITLE.match(title) or _FILE_NAME.match(title):
        return None
    return title


# --- XML --------------------------------------------------------------------------------------------


def _xml_parser() -> etree.XMLParser:
    # entities unresolved, no network, no DTD, libxml2's size limits kept: T07, T08, T09
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        recover=True,
    )


def _extract_xml(body: bytes) -> ExtractedDocument:
    try:
        root = etree.fromstring(body, _xml_parser())
    except MemoryError:  # the worker's limit: let it end the call (crawler.worker)
        raise
    except Exception:  # XMLSyntaxError, or ValueError on odd encodings
        root = None
    if root is None:
        return ExtractedDocument(method="xml", warnings=("extract.xml_failed",))
    warnings: list[str] = []
    text = _cap_text(_xml_text(root), warnings)
    language = (root.get(f"{_XML_NS}lang") or "").strip() or None
    return ExtractedDocument(
        text=text, title=_xml_title(root), language=language, method="xml", warnings=tuple(warnings)
    )


def _xml_text(root: etree._Element) -> str:
    """All text nodes in document order; an element whose tail is blank ends a line (iterative: T10).

    Formex bibliographic records (journal numbers, pages, CELEX numbers, production data) are skipped:
    they are metadata, not the act's text.
    """
    pieces: list[str] = []
    size = 0
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        if size > MAX_TEXT_CHARS:
            break
        if not isinstance(element.tag, str):  # unresolved entity reference
            if event == "end" and element.tail:
                pieces.append(element.tail)
            continue
        if event == "start":
            if element.tag.startswith(_XML_SKIP_PREFIXES) or element.tag in _XML_SKIP:
                walker.skip_subtree()  # its end event still comes, with the tail
                continue
            if element.text:
                pieces.append(element.text)
                size += len(element.text)
        else:
            tail = element.tail or ""
            if not tail.strip():
                pieces.append("\n")
            pieces.append(tail)
            size += len(tail)
    lines = (" ".join(line.split()) for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def _xml_title(root: etree._Element) -> str | None:
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname.lower() == "title":
            title = _one_line(" ".join(element.itertext()))
            if title:
                return title
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
    """

    def __init__(self, crawler: Crawler | None = None):
        self.crawler = crawler
        settings = crawler.settings if crawler is not None else None
        self.in_process = bool(settings and settings.getbool("EWSI_EXTRACT_IN_PROCESS"))
        if settings is not None:
            configure_worker(settings.getint("EWSI_WORKER_MEMORY_MB"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        """Build the pipeline for a crawler (Scrapy entry point)."""
        return cls(crawler)

    def process_item(self, item: HarvestedItem, spider: Spider | None = None) -> HarvestedItem:
        """Extract `item.body` (if any) into the item's extract fields and return the item."""
        if not item.body:
            return item
        stats = self._stats(spider)
        crawler = self.crawler or getattr(spider, "crawler", None)
        quarantined = getattr(crawler, "ewsi_quarantined", None) or ()
        if (item.body_url or item.url) in quarantined or item.url in quarantined:
            item.body = None
            raise DropItem("quarantined")  # counted by crawler.extensions.RunRecorder
        outcome = extract_bounded(
            item.body,
            item.body_url or item.url,
            item.media_type,
            header_charset_of(item),
            in_process=self.in_process,
        )
        document = outcome.document
        apply_document(item, document)
        if outcome.kills:
            item.ewsi_worker_kills = outcome.kills  # type: ignore[attr-defined]  # read by pipelines.store
        if stats is not None:
            stats.inc_value(f"ewsi/extract/{document.method}")
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


def header_charset_of(item: HarvestedItem) -> str | None:
    """The charset the HTTP header gave: `item.encoding`, else the Content-Type in `item.http_headers`."""
    if item.encoding:
        return item.encoding
    for name, value in item.http_headers.items():
        if name.lower() == "content-type" and "charset" in value.lower():
            return value
    return None


def apply_document(item: HarvestedItem, document: ExtractedDocument) -> None:
    """Copy an extraction result onto an item (rules in `ExtractPipeline` and below).

    The title replaces the item's only when the item has none or only a URL; the page's date is used
    only when the item has no `published_at`, as a UTC midnight, with ``date_method = "page"``.
    """
    item.text = document.text
    item.page_title = document.title
    item.page_count = document.page_count
    item.extraction_method = document.method
    if document.title and (not item.title or _URL_ONLY.match(item.title) or "title_from_link" in item.flags):
        item.title = document.title
    if not item.title and document.text:
        # last resort for untitled documents (many PDFs): their first line
        first = next((line.strip() for line in document.text.splitlines() if len(line.strip()) > 3), None)
        if first:
            item.title = first[:200]
            item.flags.append("title_from_text")
    if document.language:
        item.declared_language = document.language
    if document.author and not item.author:
        item.author = document.author
    if item.published_at is None and document.published:
        day = _iso_day(document.published)
        if day is not None:
            item.published_raw = item.published_raw or document.published
            item.published_at = datetime(day.year, day.month, day.day, tzinfo=UTC)
            item.date_method = "page"
    for warning in document.warnings:
        if warning not in item.flags:
            item.flags.append(warning)


def _iso_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
