"""Long values on both back ends: no indexed column may lose an item to PostgreSQL's B-tree row limit.

PostgreSQL refuses an index entry above about 2,700 bytes ("index row size exceeds btree maximum"), so
every indexed text column holds a bounded value (a hash or a short code); the long value itself lives
in an unindexed column. Each row of the table is one long field; the item must be stored, found again
on the next run (unchanged, not a second row) and read back whole.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from crawler.store import items
from crawler.store.schema import Item
from crawler.types import HarvestedItem


def _noise(n: int, seed: str) -> str:
    """`n` characters that do not compress (PostgreSQL compresses index entries before the size check)."""
    out, block = [], seed.encode()
    while sum(map(len, out)) < n:
        block = hashlib.sha256(block).digest()
        out.append(base64.urlsafe_b64encode(block).decode().rstrip("="))
    return "".join(out)[:n]


LONG_GUID = "urn:uuid:" + _noise(3_000, "guid")
LONG_URL = "https://integration.example.eu/news?q=" + _noise(8_000, "url")
_TITLE_NOISE = _noise(100_000, "title")
LONG_TITLE = " ".join(_TITLE_NOISE[i : i + 9] for i in range(0, 100_000, 9))  # ~110 KB
LONG_OFFICIAL = "AMIF-2025-" + _noise(5_000, "official")
MULTIBYTE_GUID = "tag:ministère.example.eu,2026:" + "".join(
    chr(0x100 + ord(c)) for c in _noise(2_000, "multibyte")
)  # about 4 KB in UTF-8


def _item(**kw: object) -> HarvestedItem:
    url = str(kw.pop("url", "https://integration.example.eu/news/1"))
    fields: dict[str, object] = {
        "source_id": "long-src",
        "url": url,
        "canonical_url": url,
        "identity": kw.pop("identity", f"url:{url}"),
        "content_hash": hashlib.sha256(url.encode()).hexdigest(),
        "title": "Language courses for refugees",
        "summary": "Summary",
        "text": "Body",
        "language": "en",
        "published_at": datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        "fetched_at": datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
    }
    fields.update(kw)
    return HarvestedItem(**fields)  # type: ignore[arg-type]


CASES = [
    pytest.param({"guid": LONG_GUID, "identity": f"guid:long-src:{LONG_GUID}"}, "guid", id="guid-3kb"),
    pytest.param(
        {"guid": MULTIBYTE_GUID, "identity": f"guid:long-src:{MULTIBYTE_GUID}"}, "guid", id="guid-4kb-utf8"
    ),
    pytest.param({"url": LONG_URL}, "url", id="url-8kb"),
    pytest.param({"title": LONG_TITLE}, "title", id="title-100kb"),
    pytest.param({"official_id": LONG_OFFICIAL}, "official_id", id="official-id-5kb"),
    pytest.param({"url": LONG_URL, "guid": LONG_GUID}, "guid", id="guid-and-url"),
]


@pytest.mark.parametrize(("fields", "column"), CASES)
def test_long_value_is_stored_once_and_found_again(
    db_session, fields: dict[str, object], column: str
) -> None:
    item = _item(**fields)
    assert items.upsert_item(db_session, item) == "new"
    db_session.commit()
    # the next run finds the same row (by identity, then by guid) instead of adding one
    again = _item(**fields)
    assert items.upsert_item(db_session, again) == "unchanged"
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(Item)) == 1
    row = db_session.scalars(select(Item)).one()
    stored = getattr(row, column)
    expected = str(fields[column])
    if column == "official_id":  # an identifier column keeps its first 255 characters
        assert stored == expected[:255]
    else:
        assert stored == expected


def test_changed_link_with_long_guid_updates_the_same_row(db_session) -> None:
    """Same entry, new link: the (source, guid) look-up still works when the guid is long."""
    first = _item(
        guid=LONG_GUID,
        identity="url:https://integration.example.eu/a",
        url="https://integration.example.eu/a",
    )
    assert items.upsert_item(db_session, first) == "new"
    db_session.commit()
    moved = _item(
        guid=LONG_GUID,
        identity="url:https://integration.example.eu/b",
        url="https://integration.example.eu/b",
        content_hash="other",
    )
    assert items.upsert_item(db_session, moved) in {"updated", "unchanged"}
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(Item)) == 1
