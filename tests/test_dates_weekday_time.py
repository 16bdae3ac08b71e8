"""A weekday written between a date and its time of day does not cut the time off
(pipelines.extract.written_dates, pipelines.dates.is_weekday): "2025. március 3., hétfő 14:30" is
14:30 on 3 March. Made-up bylines in several EU languages; a word that is no weekday leaves the day
alone."""

from __future__ import annotations

import pytest

from pipelines.dates import is_weekday
from pipelines.extract import written_dates


@pytest.mark.parametrize(
    ("lang", "byline", "expected"),
    [
        ("hu", "Közzétéve: 2025. március 3., hétfő 14:30", "2025-03-03T14:30"),
        ("de", "Veröffentlicht am 3. März 2025, Montag, 14:30 Uhr", "2025-03-03T14:30"),
        ("lt", "Paskelbta 2025 m. kovo 3 d., pirmadienis 14:30", "2025-03-03T14:30"),
        ("bg", "Публикувано на 3 март 2025 г., понеделник, 14:30 ч.", "2025-03-03T14:30"),
        ("pl", "Opublikowano 3 marca 2025 r., poniedziałek, godz. 14:30", "2025-03-03T14:30"),
        ("it", "Pubblicato il 3 marzo 2025, lunedì ore 14:30", "2025-03-03T14:30"),
        ("el", "Δημοσιεύθηκε 3 Μαρτίου 2025, Δευτέρα 14:30", "2025-03-03T14:30"),
        # a word that names no weekday: the day alone
        ("en", "Published 3 March 2025 courses 14:30", "2025-03-03"),
        ("hu", "2025. március 3. hétfő", "2025-03-03"),
    ],
)
def test_the_time_after_a_weekday_is_kept(lang: str, byline: str, expected: str) -> None:
    assert written_dates(byline, (lang,))[0] == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("hétfő", True), ("HETFO", True), ("Montag", True), ("pon.", True), ("Δευτέρα", True), ("kurs", False)],
)
def test_is_weekday(word: str, expected: bool) -> None:
    assert is_weekday(word) is expected
