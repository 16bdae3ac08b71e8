"""Small records the crawler.store tests share: a source, a classification, a harvested item, a
crawl report."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select

from crawler.sources import Source
from crawler.store.schema import Item
from crawler.types import THEMES, Classification, CrawlReport, Evidence, HarvestedItem, ThemeScore


def source(sid: str = "src-a", **kw) -> Source:
    return Source(id=sid, name=f"Source {sid}", publisher="City", kind="feed", urls=["https://x.eu/f"], **kw)


def classification(
    relevance: float = 0.5, assigned: tuple[str, ...] = ("Social Cohesion",)
) -> Classification:
    scores = [
        ThemeScore(t, 0.8 if t in assigned else (0.1 if i == 0 else 0.0), (Evidence("welcome", 1.0, "en"),))
        for i, t in enumerate(THEMES)
    ]
    scores.sort(key=lambda s: -s.score)
    return Classification(
        relevance=relevance, relevant=relevance >= 0.5, themes=tuple(scores), assigned=assigned
    )


def make_item(n: int = 1, source_id: str = "src-a", content: str = "v1", **kw) -> HarvestedItem:
    url = kw.pop("url", f"https://city.example.eu/news/{n}")
    fields = {
        "source_id": source_id,
        "url": url,
        "canonical_url": url,
        "identity": f"url:{url}",
        "content_hash": hashlib.sha256(f"{content}{url}".encode()).hexdigest(),
        "title": f"Title {n}",
        "summary": "Summary",
        "text": f"Body {content}",
        "language": "en",
        "published_at": datetime(2025, 3, 25, 7, 0, tzinfo=UTC),
        "fetched_at": datetime(2025, 3, 28, 12, 0, tzinfo=UTC),
        "classification": classification(),
    }
    fields.update(kw)
    return HarvestedItem(**fields)


def one_item(session, identity_hash: str | None = None) -> Item:
    session.expire_all()
    stmt = select(Item)
    if identity_hash:
        stmt = stmt.where(Item.identity_hash == identity_hash)
    return session.scalars(stmt).one()


def report(status: str, *, items_new: int = 0, error_key: str | None = None) -> CrawlReport:
    now = datetime.now(UTC)
    return CrawlReport(
        source_id="src-a",
        started_at=now,
        finished_at=now,
        status=status,
        error_key=error_key,
        error="boom\x00" if error_key else None,
        fetched=3,
        items_new=items_new,
        dropped={"duplicate": 2, "too_old": 1},
        http_errors={"404": 1},
        stats={"when": now, "text": "\udc00"},
    )
