"""An item's attachment documents (tables of migration 0020): written with the item, read by the
desk and the API item detail, matched by the desk's and the API's full-text search.

A document is one distinct body (``attachment_documents.sha256``): the same PDF reached from two
pages or two mirrors is stored once and linked to each item (``item_attachments``, one row per item
and document). A document's text, title and language are those of its first extraction; a later
fetch of the same bytes only adds a link. Functions take a Session and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column, or_, select
from sqlalchemy.orm import Session

from crawler.store import dialect
from crawler.store.schema import AttachmentDocument, Item, ItemAttachment, clip, utcnow
from crawler.types import Attachment

EXCERPT_CHARS = 600
"""Characters of an attachment's text shown on the desk's item page (the text is searchable in full)."""


def save(session: Session, item_id: int, attachments: Iterable[Any], now: datetime | None = None) -> int:
    """Store the fetched attachments (those with a `sha256`) of item `item_id`; returns how many
    links were added (0 when every one was already linked). Database errors propagate."""
    now = now or utcnow()
    added = 0
    for attachment in attachments:
        if not isinstance(attachment, Attachment) or not attachment.sha256:
            continue
        text = clip(attachment.text)
        session.execute(
            dialect.insert(session, AttachmentDocument.__table__)  # type: ignore[arg-type]
            .values(
                sha256=attachment.sha256,
                media_type=clip(attachment.media_type, 255),
                title=clip(attachment.document_title),
                text=text,
                text_chars=len(text) if text else 0,
                language=clip(attachment.language, 8),
                page_count=attachment.page_count,
                size=attachment.size,
                flags=" ".join(attachment.flags) or None,
                first_url=clip(attachment.url),
                first_seen_at=now,
            )
            .on_conflict_do_nothing(index_elements=["sha256"])
        )
        document_id = session.scalars(
            select(AttachmentDocument.id).where(AttachmentDocument.sha256 == attachment.sha256)
        ).one()
        result = session.execute(
            dialect.insert(session, ItemAttachment.__table__)  # type: ignore[arg-type]
            .values(
                item_id=item_id,
                document_id=document_id,
                url=clip(attachment.url),
                link_title=clip(attachment.title),
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["item_id", "document_id"])
        )
        added += max(0, result.rowcount or 0)  # type: ignore[attr-defined]
    return added


def documents_of(session: Session, item_id: int, *, excerpt: int = EXCERPT_CHARS) -> list[dict[str, Any]]:
    """The item's attachment documents in the order they were linked: url, link_title, title,
    language, page_count, size (bytes), text_chars, sha256, media_type and `excerpt` (the text's first
    `excerpt` characters; 0: None)."""
    rows = session.execute(
        select(ItemAttachment, AttachmentDocument)
        .join(AttachmentDocument, AttachmentDocument.id == ItemAttachment.document_id)
        .where(ItemAttachment.item_id == item_id)
        .order_by(ItemAttachment.id)
    ).tuples()
    return [
        {
            "url": link.url,
            "link_title": link.link_title,
            "title": doc.title,
            "language": doc.language,
            "page_count": doc.page_count,
            "size": doc.size,
            "text_chars": doc.text_chars,
            "sha256": doc.sha256,
            "media_type": doc.media_type,
            "excerpt": (doc.text or "")[:excerpt] or None if excerpt else None,
        }
        for link, doc in rows
    ]


def text_match(session: Session, query: str) -> ColumnElement[bool]:
    """A condition on `Item` true when one of its attachment documents matches `query`: PostgreSQL
    full text (``websearch_to_tsquery('simple', q)`` on title and text, the GIN index of 0020), SQLite
    case-insensitive LIKE on title and text (``%`` and ``_`` taken literally)."""
    if dialect.is_postgresql(session):
        document = func.to_tsvector(
            literal_column("'simple'::regconfig"),
            func.coalesce(AttachmentDocument.title, "") + " " + func.coalesce(AttachmentDocument.text, ""),
        )
        matches: ColumnElement[bool] = document.op("@@")(
            func.websearch_to_tsquery(literal_column("'simple'::regconfig"), query)
        )
    else:
        matches = or_(
            dialect.contains(session, AttachmentDocument.title, query),
            dialect.contains(session, AttachmentDocument.text, query),
        )
    linked = (
        select(ItemAttachment.item_id)
        .join(AttachmentDocument, AttachmentDocument.id == ItemAttachment.document_id)
        .where(matches)
    )
    return Item.id.in_(linked)
