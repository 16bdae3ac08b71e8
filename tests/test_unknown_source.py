"""Every ``unknown source id`` message (each command's ``--source``, the portal API's ``source``)
comes from `crawler.errors.unknown_source_message`: the close ids of a typo or a difference of case,
else the known ids (the first SOURCE_IDS_LISTED and how many more)."""

from __future__ import annotations

import pytest

from crawler.errors import SOURCE_IDS_LISTED, UnknownSource, UsageError, unknown_source_message

FEW = ["ep-press", "ec-presscorner", "unhcr-news", "iom-news"]
MANY = [f"source-{n:03d}" for n in range(SOURCE_IDS_LISTED + 1)]


@pytest.mark.parametrize(
    ("source_id", "known", "expected"),
    [
        ("ep-pres", FEW, "unknown source id 'ep-pres'; did you mean 'ep-press'?"),
        ("EP-Press", FEW, "unknown source id 'EP-Press'; did you mean 'ep-press'?"),
        ("unhcr-new", FEW, "unknown source id 'unhcr-new'; did you mean 'unhcr-news'?"),
        (
            "bbc",
            FEW,
            "unknown source id 'bbc'; known ids: ec-presscorner, ep-press, iom-news, unhcr-news",
        ),
        (
            "bbc",
            MANY,
            f"unknown source id 'bbc'; known ids: {', '.join(MANY[:SOURCE_IDS_LISTED])} (and 1 more)",
        ),
        ("source-0001", MANY, "unknown source id 'source-0001'; did you mean 'source-001', "),
        ("bbc", [], "unknown source id 'bbc'; there is no source yet"),
    ],
)
def test_the_message_names_close_ids_or_the_known_ones(source_id: str, known: list[str], expected: str):
    assert unknown_source_message(source_id, known).startswith(expected)


def test_at_most_three_close_ids_are_named() -> None:
    message = unknown_source_message("source-00", MANY)
    assert message.endswith("did you mean 'source-020', 'source-010' or 'source-009'?")


def test_unknown_source_is_a_usage_error() -> None:
    error = UnknownSource("ep-pres", FEW)
    assert isinstance(error, UsageError)
    assert str(error) == "unknown source id 'ep-pres'; did you mean 'ep-press'?"
