"""A time of day written right before the date it belongs to ("14:30, 3 March 2025", "14:30 Uhr |
03.03.2025") is that date's time (pipelines.clock.BEFORE_DATE, pipelines.extract.written_dates); the
end of a time range, a dotted number and a time on the line before are not. Made-up bylines in
several EU languages; a whole page with its time first is in test_written_date_forms."""

from __future__ import annotations

import pytest

from pipelines.extract import written_dates

CASES = [
    ("en", "14:30, 3 March 2025", "2025-03-03T14:30"),
    ("en", "2:30 PM, March 3, 2025", "2025-03-03T14:30"),
    ("de", "14:30 Uhr, 3. März 2025", "2025-03-03T14:30"),
    ("de", "14:30 Uhr | 03.03.2025", "2025-03-03T14:30"),
    ("fr", "Publié à 14h30 - 3 mars 2025", "2025-03-03T14:30"),
    ("nl", "14:30 uur · 3 maart 2025", "2025-03-03T14:30"),
    ("el", "14:30 | 3 Μαρτίου 2025", "2025-03-03T14:30"),
    ("de", "Termin 10:00 – 12:00, 3. März 2025", "2025-03-03"),
    ("de", "Seite 12.30, 3. März 2025", "2025-03-03"),
    ("de", "Ab 14:30\n3. März 2025", "2025-03-03"),
]


@pytest.mark.parametrize(("lang", "byline", "expected"), CASES)
def test_a_time_before_the_date_is_its_time(lang: str, byline: str, expected: str) -> None:
    assert written_dates(byline, (lang,))[0] == expected
