"""The Microsoft JSON date of ASP.NET and WCF answers (``/Date(1741082400000)/``, with or without an
offset, JSON-escaped slashes or none) is a time of day in UTC (pipelines.dates, step 2). Rule: the
number is milliseconds since 1970-01-01 UTC, negative before it; the offset after it does not move
the instant; .NET's DateTime.MinValue (year 1) is no publication date.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from pipelines.dates import has_time_of_day, parse_with_precision, plausible_date

FETCHED = datetime(2025, 4, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("zone", ["Europe/Paris", "Europe/Athens", "Europe/Lisbon", "UTC"])
@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("/Date(1741082400000)/", datetime(2025, 3, 4, 10, 0, tzinfo=UTC)),
        ("\\/Date(1741082400000)\\/", datetime(2025, 3, 4, 10, 0, tzinfo=UTC)),
        ("/Date(1741082400000+0100)/", datetime(2025, 3, 4, 10, 0, tzinfo=UTC)),
        ("/Date(1741082400000-0500)/", datetime(2025, 3, 4, 10, 0, tzinfo=UTC)),
        ("/Date(1741082400123)/", datetime(2025, 3, 4, 10, 0, 0, 123000, tzinfo=UTC)),
        ("Date(1709251199000)", datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)),
        ("/date( 1741082400000 )/", datetime(2025, 3, 4, 10, 0, tzinfo=UTC)),
    ],
)
def test_microsoft_json_date(raw: str, want: datetime, zone: str) -> None:
    assert parse_with_precision(raw, ZoneInfo(zone)) == (want, "time")
    assert has_time_of_day(raw)


def test_min_value_is_no_publication_date() -> None:
    value, _ = parse_with_precision("/Date(-62135596800000)/", UTC)
    assert value == datetime(1, 1, 1, tzinfo=UTC)
    assert plausible_date(value, FETCHED)[0] is None


@pytest.mark.parametrize("raw", ["/Date()/", "/Date(abc)/", "Date: 1741082400000", "/Date(17410824e5)/"])
def test_not_a_microsoft_json_date(raw: str) -> None:
    assert parse_with_precision(raw, UTC)[0] != datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
