"""Folded iCalendar lines that split a UTF-8 character are joined as octets (spiders.icalfold)."""

from __future__ import annotations

import pytest

from spiders.icalfold import read_calendars, unfold
from tests.test_events import _ical_items

# (character, octets in UTF-8): each is split at every inner octet position below
CHARACTERS = [("ß", 2), ("é", 2), ("€", 3), ("ř", 2), ("中", 3), ("🇪", 4), ("😀", 4)]
SPLITS = [(c, n, at) for c, n in CHARACTERS for at in range(1, n)]
BREAKS = [b"\r\n ", b"\r\n\t", b"\n ", b"\n\t"]


def folded_summary(text: str, char: str, at: int, fold: bytes) -> bytes:
    """A calendar whose SUMMARY is `text` + `char` + `text`, folded `at` octets into `char`."""
    encoded = char.encode()
    line = b"SUMMARY:" + text.encode() + encoded[:at] + fold + encoded[at:] + text.encode()
    return (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a@x\r\n"
        b"DTSTART:20270310T100000Z\r\nURL:https://x.example/a\r\n"
        + line
        + b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.mark.parametrize("fold", BREAKS, ids=repr)
@pytest.mark.parametrize(("char", "size", "at"), SPLITS, ids=lambda v: repr(v))
def test_a_character_split_by_a_fold_is_whole_again(char: str, size: int, at: int, fold: bytes) -> None:
    items, _ = _ical_items(folded_summary("Integration", char, at, fold))
    assert [i.title for i in items] == [f"Integration{char}Integration"]


@pytest.mark.parametrize(
    ("body", "unfolded"),
    [
        (b"SUMMARY:Ma\r\n \xc3\x9fnahme\r\n", b"SUMMARY:Ma\xc3\x9fnahme\r\n"),
        (b"SUMMARY:Ma\xc3\r\n\t\x9fnahme\r\n", b"SUMMARY:Ma\xc3\x9fnahme\r\n"),
        (b"SUMMARY:a\n  b\n", b"SUMMARY:a b\n"),  # only the first blank is the fold's
        (b"SUMMARY\r\n :Tag\r\n", b"SUMMARY:Tag\r\n"),  # a fold right after the property name
        (b"DESCRIPTION;LANGUAGE=de\r\n :x\r\n y\r\n", b"DESCRIPTION;LANGUAGE=de:xy\r\n"),
        (b"A:1\r\nB:2\r\n", b"A:1\r\nB:2\r\n"),  # no fold: unchanged
    ],
)
def test_unfold_removes_the_break_and_one_blank(body: bytes, unfolded: bytes) -> None:
    assert unfold(body) == unfolded


def test_a_fold_after_the_property_name_keeps_the_value() -> None:
    body = folded_summary("Sprach", "é", 1, b"\r\n ").replace(b"SUMMARY:", b"SUMMARY\r\n :")
    [calendar] = read_calendars(body)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "SprachéSprach"
