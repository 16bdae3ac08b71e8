"""Times shown to people (CLI tables, desk and run messages) read as the desk shows them
(crawler.text.when: ``2023-07-01 09:16 UTC``); JSON output keeps ISO 8601."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from crawler.commands import schedule
from crawler.errors import HostClosed
from crawler.text import iso_z, when


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-12-06T20:56:32.296199Z", "2026-12-06 20:56 UTC"),
        (datetime(2026, 12, 6, 20, 58, 12, 775010, tzinfo=UTC), "2026-12-06 20:58 UTC"),
        (datetime(2026, 12, 6, 20, 58, 12), "2026-12-06 20:58 UTC"),  # naive: the store's UTC
        (datetime(2026, 12, 6, 21, 58, tzinfo=timezone(timedelta(hours=1))), "2026-12-06 20:58 UTC"),
    ],
)
def test_when_is_the_display_form(value: Any, shown: str) -> None:
    assert when(value) == shown


def _row(last_run: str | None, backoff_until: str | None) -> dict[str, Any]:
    return {
        "source_id": "src",
        "next_run_label": "2026-12-06 20:51 UTC",
        "schedule": "0 * * * *",
        "timezone": "UTC",
        "last_run": last_run,
        "last_status": "ok",
        "state": "healthy",
        "backoff_until": backoff_until,
    }


@pytest.mark.parametrize(
    ("last_run", "backoff_until", "shown", "hidden"),
    [
        (
            "2026-12-06T20:56:32.296199Z",
            None,
            ["2026-12-06 20:51 UTC", "2026-12-06 20:56 UTC"],
            ["T20:56", "296199"],
        ),
        (
            "2026-12-06T20:56:32Z",
            "2026-12-07T01:00:00Z",
            ["2026-12-06 20:56 UTC", "2026-12-07 01:00 UTC"],
            ["T20:56", "T01:00"],
        ),
        (None, None, ["2026-12-06 20:51 UTC", "│ -  "], ["Z"]),
    ],
)
def test_schedule_list_shows_times_as_the_desk(
    capsys: pytest.CaptureFixture[str],
    last_run: str | None,
    backoff_until: str | None,
    shown: list[str],
    hidden: list[str],
) -> None:
    schedule._print_table([_row(last_run, backoff_until)])
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "src" in line)
    assert all(text in row for text in shown), row
    assert not any(text in row for text in hidden), row


def test_schedule_json_keeps_iso_8601() -> None:
    assert iso_z(datetime(2026, 12, 6, 20, 56, 32, 296199, tzinfo=UTC)) == "2026-12-06T20:56:32.296199Z"


@pytest.mark.parametrize(
    "until",
    [
        datetime(2026, 12, 6, 21, 30, 5, tzinfo=UTC),
        datetime(2026, 12, 6, 21, 30, 5),  # naive, as SQLite gives it back
        datetime(2026, 12, 6, 22, 30, 5, tzinfo=timezone(timedelta(hours=1))),
    ],
)
def test_host_closed_names_the_time_as_the_desk(until: datetime) -> None:
    assert str(HostClosed("example.org", until, "fetch.http_429")) == (
        "example.org asked not to be contacted until 2026-12-06 21:30 UTC"
    )
