"""Where each archived response is: WARC file URL, record offset and length per (run, URL).

Written by crawler.fetch.run_archive when a run archived its responses (EWSI_ARCHIVE_URL), read by
``ewsi crawl --replay-run`` (which WARC to fetch) and by anyone who wants one response back
(`locate`: the newest archived copy of a URL). A URL fetched more than once in a run keeps its
first record (a replay answers with the first too, crawler.fetch.warc). Functions never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.store import dialect
from crawler.store.schema import CrawlRun, WarcLocation, sha256_hex


@dataclass(frozen=True)
class Location:
    """One archived response: `warc` (file:// or s3:// URL of the file), `offset` and `length` of
    its gzip member in bytes, the HTTP `status`, the `run_id` that fetched it and its `url`."""

    run_id: int
    url: str
    warc: str
    offset: int
    length: int
    status: int


def record(session: Session, run_id: int, warc: str, rows: Iterable[tuple[str, int, int, int]]) -> int:
    """Store (url, offset, length, status) `rows` of `run_id`'s WARC file `warc`; the first row of
    a URL wins (a repeated URL, or a row already stored, is skipped). Returns the rows written."""
    values: dict[str, dict[str, object]] = {}
    for url, offset, length, status in rows:
        key = sha256_hex(url)
        values.setdefault(
            key,
            {"run_id": run_id, "url_hash": key, "url": url, "warc": warc, "record_offset": offset,
             "record_length": length, "status": status},
        )  # fmt: skip
    if not values:
        return 0
    stmt = dialect.insert(session, WarcLocation.__table__).values(list(values.values()))  # type: ignore[arg-type]
    result = session.execute(stmt.on_conflict_do_nothing(index_elements=["run_id", "url_hash"]))
    return int(getattr(result, "rowcount", 0) or 0)


def _location(row: WarcLocation) -> Location:
    return Location(row.run_id, row.url, row.warc, row.record_offset, row.record_length, row.status)


def run_archive(session: Session, run_id: int) -> tuple[str, str] | None:
    """(source id, WARC file URL) of archived run `run_id`; None when the run is unknown or archived
    nothing."""
    row = session.execute(
        select(CrawlRun.source_id, WarcLocation.warc)
        .join(WarcLocation, WarcLocation.run_id == CrawlRun.id)
        .where(CrawlRun.id == run_id)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None


def for_run(session: Session, run_id: int) -> list[Location]:
    """Every location of `run_id`, by offset."""
    rows = session.scalars(
        select(WarcLocation).where(WarcLocation.run_id == run_id).order_by(WarcLocation.record_offset)
    )
    return [_location(r) for r in rows]


def locate(session: Session, url: str) -> Location | None:
    """The newest archived response for exactly `url` (highest run id), or None."""
    row = session.scalars(
        select(WarcLocation)
        .where(WarcLocation.url_hash == sha256_hex(url))
        .order_by(WarcLocation.run_id.desc())
        .limit(1)
    ).first()
    return _location(row) if row is not None else None
