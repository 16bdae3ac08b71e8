"""Placeholder deadlines ("no end" dates) are no deadline: dropped and flagged (pipelines.deadlines)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.types import HarvestedItem
from pipelines.deadlines import MAX_DEADLINE_YEARS, placeholder_deadline
from pipelines.funding import FundingPipeline, find_deadlines

FETCHED = datetime(2026, 3, 20, 13, 0, tzinfo=UTC)
REAL = "2026-04-15T17:00:00+02:00"

PLACEHOLDERS = [
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59.9999999",  # .NET DateTime.MaxValue
    "9999-12-31T23:59:59Z",
    "9999-12-31",
    "/Date(253402300799999)/",
    "/Date(253402300799999+0100)/",
    "2099-12-31",
    "2099-12-31T23:59:59+01:00",
    "3000-01-01",
    "2037-01-01",  # more than ten years after the fetch
    "0001-01-01T00:00:00",  # a zero date
    "Sat, 01 Jan 0000 00:00:00 +0000",  # year 0000 (pipelines.dates, "Years out of range")
    "0000-01-01",
    "-2025-03-04T10:00:00Z",  # a year with a minus sign
    "Tue, 04 Mar -2025 10:00:00 GMT",
    "9999-12-31T23:59:59-05:00",  # after the last instant held
    "/Date(999999999999999)/",
    "/Date(-999999999999999)/",
    "1900-01-01",
    "01/01/1970",
]


def funding_item(deadline: object, text: str | None = None) -> HarvestedItem:
    return HarvestedItem(
        source_id="api",
        url="https://funder.example.eu/calls/1",
        content_type="funding",
        structured_raw={"deadline": deadline, "call_id": "AMIF-2026-TF2-AG-INTE-01"},
        fetched_at=FETCHED,
        text=text,
    )


@pytest.mark.parametrize("raw", PLACEHOLDERS)
def test_a_placeholder_deadline_is_no_deadline_and_the_item_is_flagged(raw: str) -> None:
    item = FundingPipeline().process_item(funding_item(raw))
    assert item.funding is not None
    assert item.funding.deadlines == []
    assert item.deadline is None
    assert item.flags == ["deadline_implausible"]
    assert item.funding.call_id == "AMIF-2026-TF2-AG-INTE-01"  # the item is kept


@pytest.mark.parametrize("raw", PLACEHOLDERS)
def test_a_real_deadline_beside_a_placeholder_is_kept(raw: str) -> None:
    item = FundingPipeline().process_item(funding_item([raw, REAL]))
    assert item.funding is not None
    assert item.funding.deadlines == [datetime(2026, 4, 15, 15, 0, tzinfo=UTC)]
    assert item.deadline == datetime(2026, 4, 15, 15, 0, tzinfo=UTC)
    assert "deadline_implausible" in item.flags


@pytest.mark.parametrize(
    "text",
    [
        "Deadline: 31 December 2099",
        "Deadline: 31 December 9999 17:00 CET",
        "Deadline: 31/12/9999",
        "Frist: 31. Dezember 9999, 12:00 Uhr",
        "Date limite : 31 décembre 9999 à 17h00",
        "Scadenza: 31 dicembre 3000",
        "Termin składania wniosków: 31 grudnia 9999 r.",
        "Date limite : 1er janvier 0001",
        "Plazo: 1 de enero de 1900",
    ],
)
def test_a_placeholder_in_the_text_is_no_deadline_either(text: str) -> None:
    """A written deadline in a placeholder year (9999, 3000, 0001) or out of the plausible span is
    read, dropped and flagged in every language, as in an API's field; before, a worded 9999 date was
    not read at all and passed without a flag."""
    item = funding_item(None, text=text)
    item.structured_raw = {}
    FundingPipeline().process_item(item)
    assert item.funding is not None and item.funding.deadlines == []
    assert item.funding.deadline_text is None
    assert item.deadline is None and item.flags == ["deadline_implausible"]


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [
        (datetime(2027, 12, 31, tzinfo=UTC), False),  # the MFF's last year
        (datetime(2036, 3, 20, 12, 0, tzinfo=UTC), False),  # just within ten years
        (datetime(2036, 3, 20, 14, 0, tzinfo=UTC), True),  # just past them
        (datetime(1990, 1, 1, tzinfo=UTC), False),  # a closed call of long ago is still a date
        (datetime(1989, 12, 31, 23, 59, tzinfo=UTC), True),
        (datetime(2099, 12, 31), True),  # naive: UTC
    ],
)
def test_the_bounds(value: datetime, placeholder: bool) -> None:
    assert MAX_DEADLINE_YEARS == 10
    assert placeholder_deadline(value, FETCHED) is placeholder


def test_a_leap_day_fetch_has_a_bound() -> None:
    leap = datetime(2028, 2, 29, 12, 0, tzinfo=UTC)
    assert not placeholder_deadline(datetime(2038, 2, 27, tzinfo=UTC), leap)
    assert placeholder_deadline(datetime(2038, 3, 1, tzinfo=UTC), leap)


@pytest.mark.parametrize(
    "text", ["Deadline: 5 May 2026, EUR 9999 available", "Deadline: 5 May 2026 (ref. 3000)"]
)
def test_a_placeholder_year_is_read_only_as_part_of_a_date(text: str) -> None:
    """A number that looks like a placeholder year but belongs to no date is no deadline."""
    [match] = find_deadlines(text)
    assert match.at.date() == datetime(2026, 5, 5).date()
