"""Retry-After reading (crawler.fetch.retry.retry_after_seconds).

Rule: delta-seconds (digits only) or an HTTP-date (RFC 9110 §10.2.3), bytes or text, surrounding
spaces ignored; a date in the past is 0; anything else (empty, words, negative or fractional
numbers, a broken date) is None, never an error.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from crawler.fetch.retry import retry_after_seconds

NOW = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = NOW
    assert retry_after_seconds(b"120", now) == 120.0
    assert retry_after_seconds(format_datetime(now + timedelta(minutes=2), usegmt=True), now) == 120.0
    assert retry_after_seconds("Tue, 04 Mar 2025 08:00:00 GMT", now) == 0.0
    assert retry_after_seconds(b"soon", now) is None
    assert retry_after_seconds(None, now) is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (b"0", 0.0),
        ("7", 7.0),
        (b"  30 ", 30.0),
        (b"3600", 3600.0),
        ("Tue, 04 Mar 2025 09:00:45 GMT", 45.0),
        (b"Tue, 04 Mar 2025 10:00:00 GMT", 3600.0),
        ("Tue, 04 Mar 2025 09:00:00 GMT", 0.0),
        ("Mon, 03 Mar 2025 09:00:00 GMT", 0.0),
        ("Tue, 04 Mar 2025 09:01:00", 60.0),  # no zone: taken as UTC
        ("Tue, 04 Mar 2025 10:01:00 +0100", 60.0),
        (b"", None),
        ("", None),
        (b"   ", None),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("Tue, 32 Mar 2025 09:00:00 GMT", None),
        (b"\xff\xfe", None),
        ("1\u00b2", None),  # superscript two: a digit to str.isdigit, not to int()
        ("\u0661\u0662", None),  # Arabic-Indic digits
        ("\uff13\uff10", None),  # fullwidth digits
        (b"1\xb2", None),  # the same superscript as latin-1 bytes
        ("Tue, 04 Mar 99999999999 09:00:00 GMT", None),
    ],
)
def test_retry_after_table(value: bytes | str, seconds: float | None) -> None:
    assert retry_after_seconds(value, NOW) == seconds
