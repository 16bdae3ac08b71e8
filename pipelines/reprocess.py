"""Re-extraction of a stored item from its kept raw body, without fetching.

A record is a plain dict (picklable, so a process pool can run the heavy stages) with the stored
item's id, source_id, url, title, summary, published_at (ISO 8601), date_method and date_flags (the
date the harvest read the page with: the index's, none when the stored date is the page's own),
declared_languages (the source's), declared_language (the page's or feed's), timezone (the source's),
body (bytes), body_url, media_type, headers (crawler.store.items.reprocess_records). The result is a
dict of the re-derived harvested fields: title, text, language, relevance, relevant, content_hash,
fingerprint, published_at, date_method and date_flags (the page's date over the index's by the
harvest's rule, crawler.types `replaces_date`; None where the stage gives none); a stage's error is
returned as ``error`` (the item keeps its stored values); nothing is written here.

Rule: the reprocess runs the harvest's steps on the harvest's inputs, so reprocessing the raw bodies
a harvest just stored changes nothing. The stages are the crawl's, in three steps:

1. `extract_record`: `pipelines.extract.extract_item` (in process: the pool bounds the workers), with
   the HTTP header charset the harvest used;
2. `Reprocessor.finish`: `pipelines.extract.DocumentFinisher` (dates in the source's zone), whose
   per-source learners (title affixes, repeated lead-in lines) must see a source's pages in the
   harvest's order, so this step runs in one process over the records in item-id order;
3. `Reprocessor.derive`: language (with the source's declared languages and the page's, as the
   harvest) -> dedup -> classify.

`reprocess_record(record)` runs the three steps for one record with its own learners.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, tzinfo
from typing import Any

from crawler.types import DATE_FLAGS, HarvestedItem
from pipelines.classify import ClassifyPipeline
from pipelines.dedup import content_hash, near_duplicate_basis, simhash
from pipelines.document import ExtractedDocument
from pipelines.extract import DocumentFinisher, extract_item
from pipelines.language import LanguagePipeline

_classifier: ClassifyPipeline | None = None


def _classify() -> ClassifyPipeline:
    global _classifier
    if _classifier is None:
        _classifier = ClassifyPipeline()
    return _classifier


def _item(record: dict[str, Any]) -> HarvestedItem:
    published = record.get("published_at")
    return HarvestedItem(
        source_id=record["source_id"],
        url=record["url"],
        title=record.get("title"),
        summary=record.get("summary"),
        published_at=datetime.fromisoformat(published) if published else None,
        date_method=record.get("date_method"),
        flags=list(record.get("date_flags") or []),
        fetched_at=datetime.fromisoformat(fetched) if (fetched := record.get("fetched_at")) else None,
        declared_languages=list(record.get("declared_languages") or []),
        declared_language=record.get("declared_language"),
        body=record.get("body"),
        body_url=record.get("body_url"),
        media_type=record.get("media_type"),
        http_headers=dict(record.get("headers") or {}),
    )


def _zone(name: str | None) -> tzinfo:
    """The source's zone (the harvest reads dates without an offset in it); UTC when unknown."""
    try:
        return zoneinfo.ZoneInfo(name) if name else UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def extract_record(record: dict[str, Any]) -> dict[str, Any]:
    """Step 1: extract one record's raw body; {"id", "document"} (None without a body) or {"id", "error"}."""
    item = _item(record)
    try:
        document = extract_item(item, in_process=True).document if item.body else None
    except Exception as exc:  # one bad body never stops the others
        return {"id": record["id"], "error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    return {"id": record["id"], "document": document}


class Reprocessor:
    """Steps 2 and 3 (module docstring); one instance per reprocess run, fed records in item-id order."""

    def __init__(self) -> None:
        self.finisher = DocumentFinisher()

    def finish(self, record: dict[str, Any], extracted: dict[str, Any]) -> HarvestedItem | dict[str, Any]:
        """Step 2: the item with the extraction applied, or the error dict of step 1 or 2."""
        if extracted.get("error"):
            return extracted
        item = _item(record)
        document: ExtractedDocument | None = extracted.get("document")
        try:
            if document is not None:
                self.finisher.finish(item, document, _zone(record.get("timezone")))
        except Exception as exc:
            return {"id": record["id"], "error": f"{type(exc).__name__}: {str(exc)[:200]}"}
        item.body = None
        return item

    @staticmethod
    def derive(item_id: int, item: HarvestedItem) -> dict[str, Any]:
        """Step 3: language, dedup keys and classification of a finished item; the result dict."""
        try:
            LanguagePipeline().process_item(item)
            item.content_hash = content_hash(item)
            item.fingerprint = simhash(near_duplicate_basis(item))
            _classify().process_item(item)
        except Exception as exc:  # one bad body never stops the others
            return {"id": item_id, "error": f"{type(exc).__name__}: {str(exc)[:200]}"}
        cls = item.classification
        return {
            "id": item_id,
            "title": item.title,
            "text": item.text,
            "language": item.language,
            "relevance": cls.relevance if cls else None,
            "relevant": cls.relevant if cls else None,
            "content_hash": item.content_hash,
            "fingerprint": item.fingerprint,
            "published_at": item.published_at,
            "date_method": item.date_method,
            "date_flags": [f for f in item.flags if f in DATE_FLAGS],
        }


def derive_pair(pair: tuple[int, HarvestedItem]) -> dict[str, Any]:
    """`Reprocessor.derive` over one (id, item) pair (a pool's map function)."""
    return Reprocessor.derive(*pair)


def reprocess_record(record: dict[str, Any], reprocessor: Reprocessor | None = None) -> dict[str, Any]:
    """All three steps for one record (with `reprocessor`'s learners, else fresh ones)."""
    finished = (reprocessor or Reprocessor()).finish(record, extract_record(record))
    if isinstance(finished, dict):
        return finished
    return Reprocessor.derive(record["id"], finished)
