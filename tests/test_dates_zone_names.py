"""Zone abbreviations of the EU's languages, IANA names and UTC offsets are read; an unknown zone
is read in the source's zone and flagged (pipelines.dates ZONE_OFFSETS, unknown_zone)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.types import HarvestedItem
from pipelines.dates import parse_date, unknown_zone
from pipelines.document import ExtractedDocument
from pipelines.extract import apply_document
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
        ("15 Apr 2025 09:15 ABCD", False),  # not of zone shape (ends in D)
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


ISO_FORMS = ["2025-{n}-15T09:15:00 {z}", "2025-{n}-15T09:15 {z}", "2025-{n}-15 09:15:00.000 {z}"]


@pytest.mark.parametrize("form", ISO_FORMS)
@pytest.mark.parametrize(("zone", "offset", "month"), CASES)
def test_each_zone_after_an_iso_time_gives_its_instant(
    zone: str, offset: float, month: str, form: str
) -> None:
    raw = form.format(n="01" if month == "Jan" else "07", z=zone)
    minutes = 9 * 60 + 15 - round(offset * 60)
    expected = datetime(2025, 1 if month == "Jan" else 7, 15, minutes // 60, minutes % 60, tzinfo=UTC)
    assert parse_date(raw, ZoneInfo("Asia/Tokyo")) == expected
    assert not unknown_zone(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-07-15T10:00:00+03:00 CEST", datetime(2025, 7, 15, 7, 0, tzinfo=UTC)),  # the offset wins
        ("2025-07-15T10:00:00 IST", datetime(2025, 7, 15, 8, 0, tzinfo=UTC)),  # ambiguous: the source's
        ("2025-07-15T10:00:00 XYT", datetime(2025, 7, 15, 8, 0, tzinfo=UTC)),  # unknown: the source's
        ("2025-07-15T10:00:00 SMITH", datetime(2025, 7, 15, 8, 0, tzinfo=UTC)),
    ],
)
def test_other_words_after_an_iso_time_leave_the_source_zone(raw: str, expected: datetime) -> None:
    assert parse_date(raw, ZoneInfo("Europe/Paris")) == expected


# Rule (pipelines.dates.zone_word_offset): a zone counts written as one, in capitals
@pytest.mark.parametrize(
    ("raw", "hour"),
    [
        ("4 mars 2025 à 10:00 est la date limite", 9),  # French "is": Paris time
        ("4 mars 2025 à 10:00 est", 9),  # at the end: still a lower-case word
        ("4 mars 2025 à 10:00 Est", 9),
        ("4 marzo 2025 ore 10:00 est", 9),
        ("4 mars 2025 10:00 cet après-midi", 9),
        ("4 March 2025 10:00 ist", 9),
        ("4 March 2025 10:00 gmt", 9),
        ("4 mars 2025 à 10:00 EST", 15),  # written as a zone: US Eastern
        ("4 mars 2025 à 10:00 CET", 9),
        ("4 March 2025 10:00 GMT", 10),
        ("4 March 2025 10:00 MESZ", 8),
        ("2025-03-04T10:00:00z", 10),  # ISO 8601's Zulu in lower case
    ],
)
def test_a_lower_case_word_is_no_zone(raw: str, hour: int) -> None:
    assert parse_date(raw, ZoneInfo("Europe/Paris")) == datetime(2025, 3, 4, hour, 0, tzinfo=UTC)
    assert not unknown_zone(raw)


@pytest.mark.parametrize(
    "name", ["europe/paris", "EUROPE/PARIS", "Europe/paris", "(europe/helsinki)", "america/new_york"]
)
@pytest.mark.parametrize("form", ["15 Jul 2025 09:15 {z}", "2025-07-15T09:15:00 {z}"])
def test_an_iana_name_in_any_case(name: str, form: str) -> None:
    key = {"europe/paris": "Europe/Paris", "europe/helsinki": "Europe/Helsinki"}.get(
        name.strip("()").lower(), "America/New_York"
    )
    raw = form.format(z=name)
    expected = datetime(2025, 7, 15, 9, 15, tzinfo=ZoneInfo(key)).astimezone(UTC)
    assert parse_date(raw, ZoneInfo("Asia/Tokyo")) == expected
    assert not unknown_zone(raw)
    assert unknown_zone(form.format(z="europe/atlantis"))


# Rule (pipelines.dates.ZONE_SHAPE): only a word shaped like a zone abbreviation is an unknown zone
@pytest.mark.parametrize(
    ("word", "unknown"),
    [
        ("XYT", True), ("QQZ", True), ("ABEC", True), ("XYČ", True), ("ZZT", True),
        ("SMITH", False), ("AFP", False), ("DPA", False), ("ANSA", False), ("EFE", False),
        ("TT", False), ("STT", False), ("BELGA", False), ("Reuters", False), ("APA", False),
    ],
)  # fmt: skip
def test_only_a_zone_shaped_word_is_an_unknown_zone(word: str, unknown: bool) -> None:
    for form in ("15 Apr 2025 14:30 {w}", "Tue, 15 Apr 2025 14:30:00 {w}", "2025-04-15T14:30:00 {w}"):
        raw = form.format(w=word)
        assert (raw, unknown_zone(raw)) == (raw, unknown)
        assert parse_date(raw, ZoneInfo("Europe/Vienna")) == datetime(2025, 4, 15, 12, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("published", "modified", "flags"),
    [
        (
            "15 Apr 2025 09:15 XYT",
            "16 Apr 2025 10:15 QQZ",
            {"date_zone_unknown", "updated_date_zone_unknown"},
        ),
        ("2025-04-15T09:15:00 XYT", None, {"date_zone_unknown"}),
        ("15 Apr 2025 09:15 AFP", "16 Apr 2025 10:15 HAEC", set()),
    ],
)
def test_a_followed_page_date_with_an_unknown_zone_is_flagged(
    published: str, modified: str | None, flags: set[str]
) -> None:
    item = HarvestedItem(
        source_id="s", url="https://x.eu/news/a", fetched_at=datetime(2025, 5, 1, tzinfo=UTC)
    )
    document = ExtractedDocument(text="Text", method="html", published=published, modified=modified)
    apply_document(item, document, ZoneInfo("Europe/Vienna"))
    assert item.published_at == datetime(2025, 4, 15, 7, 15, tzinfo=UTC)
    assert {f for f in item.flags if "zone" in f} == flags
