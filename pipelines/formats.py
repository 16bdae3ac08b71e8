"""PDF and XML (EUR-Lex Formex) extraction: bytes to an `ExtractedDocument` (run in the bounded worker).

PDF: pypdf, the text of at most `MAX_PDF_PAGES` pages joined with blank lines; the metadata title
unless it is a placeholder or page 1's first heading says otherwise (`_pdf_title`); pypdf stops
decompression bombs itself (LimitReachedError, RELIABILITY.md T15). Rule for PDFs that give no text
(the item is kept with its feed or listing data either way): one encrypted with a password other than
the empty one is flagged ``extract.pdf_encrypted`` besides ``extract.pdf_failed`` (an empty user
password is opened); one whose pages all read without error but hold no text (a scan without a text
layer) is flagged ``extract.pdf_no_text`` and logged, so an editor knows it needs OCR, not a retry.
XML: every text node through lxml
with entities left unresolved, no network, no DTD and libxml2's default size limits (T07-T09).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable

from lxml import etree
from pypdf import PdfReader

from pipelines.document import MAX_TEXT_CHARS, ExtractedDocument, cap_text, one_line
from pipelines.titles import fold, is_placeholder_title, title_from_text

logger = logging.getLogger(__name__)

_TRAILING_SPACES = re.compile(r"[ \t\r\f\v]+\n")
MAX_PDF_PAGES = 300
"""PDF pages read at most."""
XML_NS = "{http://www.w3.org/XML/1998/namespace}"
"""The xml: namespace in lxml's Clark notation (``xml:lang``)."""
_XML_SKIP_PREFIXES = ("BIB.INSTANCE", "DOCUMENT.REF", "INFO.")
_XML_SKIP = frozenset({"NO.CELEX", "NO.DOC", "NO.SEQ"})
"""Formex 4/5 elements that hold bibliographic data only (Formex manual, "BIB.INSTANCE", "INFO.PROD")."""


# --- PDF --------------------------------------------------------------------------------------------


def extract_pdf(body: bytes) -> ExtractedDocument:
    warnings: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted and not reader.decrypt(""):
            logger.warning("PDF unreadable: encrypted with a password")
            return ExtractedDocument(method="pdf", warnings=("extract.pdf_encrypted", "extract.pdf_failed"))
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
    runs: _Runs | None = None  # page 1's text runs for `_pdf_title`, read with its text
    for number in range(to_read):
        if size > MAX_TEXT_CHARS:
            break
        try:
            if number == 0:
                runs = _Runs()
                page_text = reader.pages[0].extract_text(visitor_text=_run_visitor(runs)) or ""
            else:
                page_text = reader.pages[number].extract_text() or ""
        except MemoryError:  # the worker's limit: let it end the call (crawler.worker)
            raise
        except Exception as exc:  # one broken page (bomb, bad font) must not cost the others
            if number == 0:
                runs = None
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
    elif to_read and not parts:
        logger.warning("PDF of %d pages has no text layer (a scan?): OCR needed", page_count)
        warnings.append("extract.pdf_no_text")
    title, raw_title = _pdf_title(reader, runs)
    return ExtractedDocument(
        text=cap_text("\n\n".join(parts), warnings),
        title=title,
        raw_title=raw_title,
        page_count=page_count,
        method="pdf",
        warnings=tuple(warnings),
    )


def _pdf_title(reader: PdfReader, runs: _Runs | None = None) -> tuple[str | None, str | None]:
    """(title, raw metadata title) of a PDF; `runs`: page 1's text runs when already read
    (`_run_visitor`), None to read them here.

    The metadata title is no title when it is a placeholder (`pipelines.titles.is_placeholder_title`:
    file and template names, "Unbenannt-1", "Layout 1", "Microsoft Word - ..."), nor when page 1's
    first heading (`_pdf_heading`: the first run of its largest type) says something else (a form
    whose metadata title is the letterhead "EUROPÄISCHE UNION"); then the heading is the title.
    """
    try:
        metadata = reader.metadata
        raw = one_line(str(metadata.title)) if metadata is not None and metadata.title else None
    except Exception:  # a broken Info dictionary only costs the title
        raw = None
    heading = _pdf_heading(reader, runs)
    agrees = heading is None or (
        raw is not None and (fold(raw) in fold(heading) or fold(heading) in fold(raw))
    )
    if raw and not is_placeholder_title(raw) and agrees:
        return raw, raw
    return heading, raw


class _Runs(list[tuple[float, str]]):
    """Page 1's (type size, text) runs; `broken`: the visitor failed on one (no heading then)."""

    broken = False


def _run_visitor(runs: _Runs) -> Callable[..., None]:
    """A pypdf ``visitor_text`` that collects (type size, text) runs into `runs` (at most 5,000); it
    never raises, so the page's text does not depend on it."""

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        try:
            if text and text.strip() and len(runs) < 5_000:
                scale = abs(tm[3]) * abs(cm[3]) if tm and cm else 1.0
                runs.append((round(float(size) * scale, 1), text))
        except MemoryError:  # the worker's limit: let it end the call (crawler.worker)
            raise
        except Exception:  # an odd matrix or size only costs the heading
            runs.broken = True

    return visit


def _pdf_heading(reader: PdfReader, runs: _Runs | None = None) -> str | None:
    """The first run of the largest type on page 1 that holds words, when page 1 has more than one
    type size (a page set in one size has no heading), cut as a title from text is
    (`pipelines.titles.title_from_text`: first sentence, at most 160 characters); `runs`: page 1's
    runs when its text was already read with `_run_visitor` (one pass over the page)."""
    if runs is None:
        runs = _Runs()
        try:
            if not reader.pages:
                return None
            reader.pages[0].extract_text(visitor_text=_run_visitor(runs))
        except MemoryError:  # the worker's limit: let it end the call (crawler.worker)
            raise
        except Exception:  # a broken first page only costs the heading
            return None
    if runs.broken:
        return None
    worded = [(size, text) for size, text in runs if sum(ch.isalpha() for ch in text) >= 1]
    if not worded:
        return None
    largest = max(size for size, text in worded if sum(ch.isalpha() for ch in text) >= 3)
    if all(size == largest for size, _text in worded):
        return None  # one type size on the page: no heading stands out, the text is body text
    pieces: list[str] = []
    for size, text in worded:
        if size == largest:
            pieces.append(text)
        elif pieces:
            break
    heading = one_line("".join(piece if piece.endswith((" ", "\n")) else piece + " " for piece in pieces))
    if heading is None or len(heading) < 4:
        return None
    return title_from_text(heading)


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


def extract_xml(body: bytes) -> ExtractedDocument:
    try:
        root = etree.fromstring(body, _xml_parser())
    except MemoryError:  # the worker's limit: let it end the call (crawler.worker)
        raise
    except Exception:  # XMLSyntaxError, or ValueError on odd encodings
        root = None
    if root is None:
        return ExtractedDocument(method="xml", warnings=("extract.xml_failed",))
    warnings: list[str] = []
    text = cap_text(_xml_text(root), warnings)
    language = (root.get(f"{XML_NS}lang") or "").strip() or None
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
            title = one_line(" ".join(element.itertext()))
            if title:
                return title
    return None
