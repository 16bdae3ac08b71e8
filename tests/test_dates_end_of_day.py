"""ISO 8601's end of a day, ``24:00``, is the next day's midnight (pipelines.dates, step 2a;
gweis/isodate#85), which the midnight rule reads as that day; ``24:30`` stays impossible and a dotted
``24.00`` is no time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from pipelines.dates import parse_with_precision

NEXT_DAY = (datetime(2025, 3, 5, tzinfo=UTC), "day")


@pytest.mark.parametrize("zone", ["Europe/Paris", "Europe/Helsinki", "Europe/Lisbon"])
@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("Tue, 04 Mar 2025 24:00:00 +0100", NEXT_DAY),
        ("Tue, 04 Mar 2025 24:00:00 GMT", NEXT_DAY),
        ("2025-03-04T24:00:00+01:00", NEXT_DAY),
        ("2025-03-04T24:00:00.000Z", NEXT_DAY),
        ("2025-03-04T24:00", NEXT_DAY),
        ("04.03.2025 24:00", NEXT_DAY),
        ("Di, 04 Mär 2025 24:00:00 +0100", NEXT_DAY),
        ("2025-12-31T24:00:00Z", (datetime(2026, 1, 1, tzinfo=UTC), "day")),
        ("Tue, 04 Mar 2025 24:30:00 +0100", (None, None)),
        ("2025-03-04T24:00:01Z", (None, None)),
    ],
)
def test_end_of_day(raw: str, want: tuple[datetime | None, str | None], zone: str) -> None:
    assert parse_with_precision(raw, ZoneInfo(zone)) == want


def test_a_dotted_24_is_no_time() -> None:
    assert parse_with_precision("04.03.2025 24.00", UTC) != NEXT_DAY
