"""Zone abbreviations of the EU's languages, IANA names and UTC offsets are read; an unknown zone
is read in the source's zone and flagged (pipelines.dates ZONE_OFFSETS, unknown_zone)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.types import HarvestedItem
from pipelines.dates import parse_date, unknown_zone
from tests.test_normalize import make_source, run

# (zone as written, UTC offset in hours in winter (15 January), in summer (15 July))
ZONES = [
    ("WET", 0, None), ("WEST", None, 1), ("WEZ", 0, None), ("WESZ", None, 1),
    ("HNEO", 0, None), ("HAEO", None, 1),
    ("CET", 1, None), ("CEST", None, 2), ("MEZ", 1, None), ("MESZ", None, 2), ("MET", 1, None),
    ("HNEC", 1, None), ("HAEC", None, 2), ("SEČ", 1, None), ("SELČ", None, 2), ("SEC", 1, None),
    ("SELC", None, 2),
    ("EET", 2, None), ("EEST", None, 3), ("OEZ", 2, None), ("OESZ", None, 3),
    ("HNEE", 2, None), ("HAEE", None, 3),
    ("GMT", 0, 0), ("UTC", 0, 0), ("BST", None, 1), ("AZOT", -1, None), ("AZOST", None, 0),
    ("Europe/Paris", 1, 2), ("(Europe/Lisbon)", 0, 1), ("Europe/Helsinki", 2, 3),
    ("Europe/Dublin", 0, 1), ("UTC+2", 2, 2), ("UTC+01", 1, 1), ("GMT+01:00", 1, 1),
    ("GMT-03:30", -3.5, -3.5),
]  # fmt: skip
CASES = [(z, w, "Jan") for z, w, _ in ZONES if w is not None] + [
    (z, s, "Jul") for z, _, s in ZONES if s is not None
]
FORMS = ["Tue, 15 {m} 2025 09:15:00 {z}", "15 {m} 2025 09:15 {z}", "15 {m} 2025, 9:15 Uhr {z}"]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("zone", "offset", "month"), CASES)
def test_each_zone_gives_its_instant(zone: str, offset: float, month: str, form: str) -> None:
    raw = form.format(m=month, z=zone)
    parsed = parse_date(raw, ZoneInfo("Asia/Tokyo"))  # the source's zone must not be used
    minutes = 9 * 60 + 15 - round(offset * 60)
    assert parsed == datetime(2025, 1 if month == "Jan" else 7, 15, tzinfo=UTC).replace(
        hour=minutes // 60, minute=minutes % 60
    )
    assert not unknown_zone(raw)


@pytest.mark.parametrize("zone", ["Europe/Paris", "Europe/Berlin", "Europe/Athens"])
def test_an_iso_value_with_an_iana_name(zone: str) -> None:
    expected = datetime(2025, 7, 15, 9, 15, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    assert parse_date(f"2025-07-15T09:15:00 {zone}", UTC) == expected


@pytest.mark.parametrize(
    ("raw", "unknown"),
    [
        ("Tue, 15 Apr 2025 09:15:00 XYZ", True),
        ("15 Apr 2025 09:15 ABCD", True),
        ("15 Apr 2025 09:15 (QQT)", True),
        ("15 Apr 2025 09:15 Europe/Atlantis", True),
        ("15 Apr 2025 09:15 IST", False),  # ambiguous (Irish or India): the source's zone
        ("15 Apr 2025 09:15 PM", False),
        ("15 Apr 2025 09:15 Uhr", False),
        ("15 Apr 2025 09:15", False),
        ("15 Apr 2025 09:15 +0200", False),
        ("15 Apr 2025", False),
        (None, False),
    ],
)
def test_unknown_zone(raw: str | None, unknown: bool) -> None:
    assert (raw, unknown_zone(raw)) == (raw, unknown)


RAWS = {"published_raw": "Tue, 15 Apr 2025 09:15:00 XYZ", "updated_raw": "Tue, 15 Apr 2025 10:15:00 HAEC"}


def test_an_unknown_zone_is_read_in_the_source_zone_and_flagged() -> None:
    item = HarvestedItem(source_id="s", url="https://x.eu/1", **RAWS)
    [out], stats = run([item], make_source(timezone="Europe/Vienna"), clock=datetime(2025, 5, 1, tzinfo=UTC))
    assert out.published_at == datetime(2025, 4, 15, 7, 15, tzinfo=UTC)
    assert out.updated_at == datetime(2025, 4, 15, 8, 15, tzinfo=UTC)
    assert "date_zone_unknown" in out.flags and "updated_date_zone_unknown" not in out.flags
    assert stats["ewsi/normalize/date_zone_unknown"] == 1
