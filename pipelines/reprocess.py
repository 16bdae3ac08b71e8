"""Re-extraction of a stored item from its kept raw body, without fetching.

`reprocess_record(record)` takes a plain dict (picklable, so a process pool can run it) with the
stored item's source_id, url, title, summary, published_at (ISO 8601), declared_languages,
body (bytes), body_url, media_type, headers, and returns a dict of the re-derived harvested
fields: title, text, language, relevance, relevant, content_hash, fingerprint (None where the
stage gives none). The stages are the crawl's: extract (in process: the pool bounds the workers)
-> language -> dedup -> classify. A stage's error is returned as ``error`` (the item keeps its
stored values); nothing is written here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crawler.types import HarvestedItem
from pipelines.classify import ClassifyPipeline
from pipelines.dedup import content_hash, near_duplicate_basis, simhash
from pipelines.extract import apply_document, extract_bounded
from pipelines.language import LanguagePipeline

_classifier: ClassifyPipeline | None = None


def _classify() -> ClassifyPipeline:
    global _classifier
    if _classifier is None:
        _classifier = ClassifyPipeline()
    return _classifier


def reprocess_record(record: dict[str, Any]) -> dict[str, Any]:
    """Re-derive one item's harvested fields from its raw body (module docstring)."""
    published = record.get("published_at")
    item = HarvestedItem(
        source_id=record["source_id"],
        url=record["url"],
        title=record.get("title"),
        summary=record.get("summary"),
        published_at=datetime.fromisoformat(published) if published else None,
        declared_languages=list(record.get("declared_languages") or []),
        body=record.get("body"),
        body_url=record.get("body_url"),
        media_type=record.get("media_type"),
        http_headers=dict(record.get("headers") or {}),
    )
    try:
        if item.body:
            outcome = extract_bounded(
                item.body, item.body_url or item.url, item.media_type, None, in_process=True
            )
            apply_document(item, outcome.document)
        item.body = None
        LanguagePipeline().process_item(item)
        item.content_hash = content_hash(item)
        item.fingerprint = simhash(near_duplicate_basis(item))
        _classify().process_item(item)
    except Exception as exc:  # one bad body never stops the others
        return {"id": record["id"], "error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    cls = item.classification
    return {
        "id": record["id"],
        "title": item.title,
        "text": item.text,
        "language": item.language,
        "relevance": cls.relevance if cls else None,
        "relevant": cls.relevant if cls else None,
        "content_hash": item.content_hash,
        "fingerprint": item.fingerprint,
    }
