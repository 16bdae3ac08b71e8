"""Day-period markers next to a time of day (pipelines.clock, "Twelve-hour clock"): Hungarian ``de.``
and ``du.`` before or after the time (after only with their dot), Greek ``π.μ.``/``μ.μ.`` and the
other EU languages' markers; a "yesterday" or "today" with such a time (pipelines.relative_dates);
and a marker spelt like another abbreviation ("Markers that are other abbreviations": Czech "odp.
redaktor", the responsible editor) that is no marker. Made-up bylines, one language per row."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from pipelines.extract import written_dates
from pipelines.relative_dates import relative_date, resolve_ago
from tests.test_dates_numbers_after import value_clock
from tests.test_relative_day_words import stored

WRITTEN = [
    ("hu", "2026. december 7., du. 2:30", "2026-12-07T14:30"),
    ("hu", "2026. december 7., 2:30 du.", "2026-12-07T14:30"),
    ("hu", "2026. december 7., 14:30 du.", "2026-12-07T14:30"),
    ("hu", "2026. december 7., de. 9:15", "2026-12-07T09:15"),
    ("hu", "2026. december 7., 9:15 de.", "2026-12-07T09:15"),
    ("hu", "2026. december 7., 12:10 de.", "2026-12-07T00:10"),
    ("hu", "2026. december 7., 9:15 délután", "2026-12-07T21:15"),
    ("el", "7 Δεκεμβρίου 2026, 8:40 μ.μ.", "2026-12-07T20:40"),
    ("el", "7 Δεκεμβρίου 2026, μ.μ. 8:40", "2026-12-07T20:40"),
    ("el", "7 Δεκεμβρίου 2026, 8:40 π.μ.", "2026-12-07T08:40"),
    ("el", "7 Δεκεμβρίου 2026, 8:40 μμ", "2026-12-07T20:40"),
    ("bg", "7 декември 2026 г., 8:40 сл.об.", "2026-12-07T20:40"),
    ("cs", "7. prosince 2026 2:30 odp.", "2026-12-07T14:30"),
    ("sk", "7. decembra 2026 2:30 pop.", "2026-12-07T14:30"),
    ("fi", "7. joulukuuta 2026 klo 5.00 ip.", "2026-12-07T17:00"),
    ("es", "7 de diciembre de 2026, 8:40 p. m.", "2026-12-07T20:40"),
    ("en", "7 December 2026, 8:40 pm", "2026-12-07T20:40"),
    # a marker contradicting its hour: no time of day; French/Spanish "du"/"de": no marker
    ("hu", "2026. december 7., 14:30 de.", "2026-12-07"),
    ("fr", "7 décembre 2026 à 2:30 du matin", "2026-12-07T02:30"),
    # a marker-like abbreviation before a role noun: no marker
    ("cs", "7. prosince 2026 10:00 odp. redaktor Jan Novák", "2026-12-07T10:00"),
    ("cs", "7. prosince 2026 10:00 odp. red. Jan Novák", "2026-12-07T10:00"),
    ("sk", "7. decembra 2026 9:30 dop. spravodajca Peter Kováč", "2026-12-07T09:30"),
    ("cs", "7. prosince 2026, odp. redaktor Jan Novák", "2026-12-07"),
]


@pytest.mark.parametrize(("lang", "text", "published"), WRITTEN, ids=lambda v: str(v)[:45])
def test_a_day_period_marker_beside_the_time(lang: str, text: str, published: str) -> None:
    assert written_dates(text, (lang,)) == (published, None)


@pytest.mark.parametrize(
    ("lang", "raw", "clock"),
    [
        ("hu", "2026. december 7. 2:30 du.", (14, 30)),
        ("hu", "2026. december 7. du. 2:30", (14, 30)),
        ("el", "07/12/2026 8:40 μ.μ.", (20, 40)),
        ("el", "07/12/2026 π.μ. 8:40", (8, 40)),
        ("cs", "7. 12. 2026 10:00 odp. redaktor", (10, 0)),
        ("cs", "7. 12. 2026 10:00 odp.", (22, 0)),
    ],
)
def test_a_date_value_with_a_day_period(lang: str, raw: str, clock: tuple[int, int]) -> None:
    assert value_clock(lang, raw) == (7, *clock)


RELATIVE = [
    ("Yesterday, 8:40 pm", "P1D@20:40"),
    ("Yesterday, 8:40 PM", "P1D@20:40"),
    ("Yesterday at 8:40 a.m.", "P1D@08:40"),
    ("Yesterday 12:10 am", "P1D@00:10"),
    ("Χθες, 8:40 μ.μ.", "P1D@20:40"),
    ("Χθες, 8:40 μμ", "P1D@20:40"),
    ("Χθες, μ.μ. 8:40", "P1D@20:40"),
    ("Σήμερα, 9:15 π.μ.", "P0D@09:15"),
    ("Tegnap du. 2:30", "P1D@14:30"),
    ("Tegnap 2:30 du.", "P1D@14:30"),
    ("Včera 2:30 odp.", "P1D@14:30"),
    ("Вчера, 8:40 сл.об.", "P1D@20:40"),
    ("Ayer, 8:40 p. m.", "P1D@20:40"),
    ("8:40 pm, yesterday", "P1D@20:40"),
    ("Yesterday, 8:40 pm | News", "P1D@20:40"),
    ("Yesterday, 13:45 am", "P1D"),  # a contradiction: the day without its time
    ("Heute, 12:30 am Rathaus", None),  # German "am": a sentence goes on
]


@pytest.mark.parametrize(("byline", "ago"), RELATIVE)
def test_yesterday_with_a_day_period(byline: str, ago: str | None) -> None:
    assert relative_date(byline) == ago


def test_yesterday_with_a_greek_pm_is_resolved_from_the_fetch_time() -> None:
    fetched = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)
    ago = relative_date("Χθες, 8:40 μ.μ.")
    assert ago is not None
    assert resolve_ago(ago, fetched, ZoneInfo("Europe/Athens")) == "2026-12-06T20:40"


@pytest.mark.parametrize(
    ("lang", "zone", "byline", "published"),
    [
        ("el", "Europe/Athens", "Χθες, 8:40 μ.μ.", "2026-12-06T18:40Z"),
        ("en", "Europe/London", "Yesterday, 8:40 pm", "2026-12-06T20:40Z"),
        ("hu", "Europe/Budapest", "Tegnap du. 2:30", "2026-12-06T13:30Z"),
        ("bg", "Europe/Sofia", "Вчера, 8:40 сл.об.", "2026-12-06T18:40Z"),
    ],
)
def test_a_page_dated_yesterday_with_a_day_period(lang: str, zone: str, byline: str, published: str) -> None:
    item = stored(byline, lang, zone)
    assert item.published_at is not None
    assert item.published_at.strftime("%Y-%m-%dT%H:%MZ") == published
    assert "date_relative" in item.flags
