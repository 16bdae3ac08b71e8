"""Attachments stage: the PDFs fetched with a followed page (spiders.attachments) read like pages.

For each attachment of the item that holds a body, in page order:
1. `sha256` (hex) and `size` (bytes) of the body; an attachment whose body has the same digest as
   an earlier one of the same item (the same PDF from two mirrors linked on one page) is dropped:
   one document, counted ``ewsi/attachments/same_bytes``;
2. extraction in the bounded worker (`pipelines.extract.extract_bounded`: routed by content, 30 s
   and 768 MiB for a PDF, text capped at 1,000,000 UTF-8 bytes). Only a PDF is an attachment: any
   other body (an HTML page behind a ``.pdf`` link, a ZIP) keeps the link only, flagged
   ``attachment.not_pdf``, and nothing of it is parsed or kept;
3. text, `document_title` (the PDF's title rule of pipelines.extract), `page_count`, the extraction
   warnings as `flags`, and the `language` of the text (`pipelines.language.detect_language` with
   the source's languages as priors; ``und`` when undetermined).
The body is then released: attachments are stored by crawler.store.attachments as documents (one per
digest) linked to the item, never as review items of their own.
"""

from __future__ import annotations

import hashlib

from scrapy import Spider
from scrapy.crawler import Crawler

from crawler.types import Attachment, HarvestedItem
from pipelines.extract import configure_worker, extract_bounded
from pipelines.language import detect_language


class AttachmentsPipeline:
    """Extract the fetched attachments of each item (module docstring)."""

    def __init__(self, crawler: Crawler | None = None):
        self.crawler = crawler
        settings = crawler.settings if crawler is not None else None
        self.in_process = bool(settings and settings.getbool("EWSI_EXTRACT_IN_PROCESS"))
        if settings is not None:
            configure_worker(settings.getint("EWSI_WORKER_MEMORY_MB"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AttachmentsPipeline:
        """Build the pipeline for a crawler (Scrapy entry point)."""
        return cls(crawler)

    def _stat(self, key: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def process_item(self, item: HarvestedItem, spider: Spider | None = None) -> HarvestedItem:
        """Read every attachment body of `item` in place (module docstring) and return the item."""
        if not any(isinstance(a, Attachment) and a.body for a in item.attachments):
            return item
        kept: list[Attachment] = []
        digests: set[str] = set()
        for attachment in item.attachments:
            if isinstance(attachment, Attachment) and attachment.body:
                digest = hashlib.sha256(attachment.body).hexdigest()
                if digest in digests:
                    self._stat("ewsi/attachments/same_bytes")
                    continue
                digests.add(digest)
                self.read(attachment, digest, item.declared_languages)
            kept.append(attachment)
        item.attachments = kept
        return item

    def read(self, attachment: Attachment, digest: str, languages: list[str]) -> None:
        """Fill one attachment's document fields from its body, then release the body."""
        body = attachment.body or b""
        attachment.body = None
        outcome = extract_bounded(body, attachment.url, attachment.media_type, in_process=self.in_process)
        document = outcome.document
        if document.method != "pdf":
            attachment.flags.append("attachment.not_pdf")
            self._stat("ewsi/attachments/not_pdf")
            return
        attachment.sha256 = digest
        attachment.size = len(body)
        attachment.text = document.text
        attachment.document_title = document.title
        attachment.page_count = document.page_count
        attachment.flags.extend(w for w in document.warnings if w not in attachment.flags)
        detected = detect_language(document.text, languages, title=document.title)
        attachment.language = detected.language
        self._stat("ewsi/attachments/read")
