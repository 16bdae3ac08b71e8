"""The curated (published) store as JSON Lines or CSV for partners (``ewsi export``:
crawler.commands.export).

Records are the read API's (crawler.web.public.public_record): published items only, editor
corrections applied, strings cleaned of control characters, links http(s) only; by id. `since`
keeps the items whose public state changed at or after it.

JSON Lines: one object per line, UTF-8, datetimes ISO 8601 with Z, ``published_at`` in full beside
its ``published_precision``. CSV (RFC 4180, UTF-8 with a BOM so spreadsheet programs detect the
encoding): the columns of `CSV_COLUMNS`; themes joined with ``;``, attachment URLs with a space;
a funding call's id, programme and status, an event's start and end (ISO 8601 with Z), its days
when it lasts whole days (``2027-03-01 – 2027-03-03``, as the source wrote them) and its place;
JSON Lines carries every structured field of the funding and events APIs;
``published_at`` as precise as the source gave it (``2025`` for a year, ``2025-03`` for a month,
``2025-03-04`` for a day, ISO 8601 with Z for a time), never a made-up first day or midnight.
Formula injection (OWASP "CSV injection"): a cell starting with ``=``, ``+``, ``-``, ``@``, TAB or
CR gets a leading ``'`` so spreadsheets show it as text.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import IO, Any

from crawler.config import DEFAULT_PUBLIC_URL
from crawler.store import portal, structured
from crawler.text import iso_z
from crawler.web.public import public_record

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "summary",
    "url",
    "language",
    "country",
    "content_type",
    "themes",
    "source_id",
    "source_name",
    "official_id",
    "author",
    "published_at",
    "published_precision",
    "updated_at",
    "deadline",
    "approved_at",
    "modified_at",
    "attachments",
    "api_url",
    "call_id",
    "programme",
    "call_status",
    "event_start",
    "event_end",
    "event_days",
    "place",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A CSV cell: '' for None, ISO 8601 for datetimes, and a ``'`` before formula-like text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return iso_z(value) or ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


_GIVEN = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}
"""How a published date of each precision (crawler.types.published_precision) is written in CSV."""


def as_given(published: Any, precision: Any) -> Any:
    """`published` as precise as the source gave it (``2025``, ``2025-03``, ``2025-03-04``), or as it
    is for a time, an unknown precision or a value that is no datetime."""
    if isinstance(published, datetime) and precision in _GIVEN:
        return published.strftime(_GIVEN[precision])
    return published


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, date):  # an all-day event's start_date and end_date
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def records(
    session: Any, *, since: datetime | None = None, base_url: str | None = None, now: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Public records of every published item (see the module docstring), by id; a call's status as
    of `now` (default the current time)."""
    base = (base_url or DEFAULT_PUBLIC_URL).rstrip("/")
    when = now or datetime.now(UTC)
    batch: list[dict[str, Any]] = []
    for row in portal.export_items(session, since=since):
        batch.append(row)
        if len(batch) >= EXPORT_BATCH:
            yield from _with_structured(session, batch, when, base)
            batch = []
    yield from _with_structured(session, batch, when, base)


EXPORT_BATCH = 500
"""Records whose structured fields are read in one query."""


def _with_structured(
    session: Any, rows: list[dict[str, Any]], now: datetime, base: str
) -> Iterator[dict[str, Any]]:
    """`rows` as public records, a call's or an event's with its structured fields as the funding
    and events APIs give them (crawler.store.structured `records_of`, call status at `now`)."""
    extra = structured.records_of(session, [row["id"] for row in rows], now)
    for row in rows:
        yield public_record({**row, **extra.get(row["id"], {})}, base)


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write one JSON object per line; returns the number of records."""
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, default=_json_default) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write a header and one row per record (columns `CSV_COLUMNS`); returns the number of records."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in rows:
        flat = dict(row)
        flat["themes"] = ";".join(row.get("themes") or [])
        flat["attachments"] = " ".join(a["url"] for a in row.get("attachments") or [])
        flat["published_at"] = as_given(row.get("published_at"), row.get("published_precision"))
        flat["event_days"] = structured.event_days(row)
        flat["place"] = structured.place_label(row.get("place"))
        writer.writerow([safe_cell(flat.get(col)) for col in CSV_COLUMNS])
        count += 1
    return count
