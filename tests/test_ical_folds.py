"""Folded iCalendar lines that split a UTF-8 character are joined as octets (spiders.icalfold)."""

from __future__ import annotations

import pytest
from scrapy.http import TextResponse

from spiders.icalfold import read_calendars, unfold
from tests.test_events import _ical_items
from tests.test_spiders import make_spider, run

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


# --- the body's charset (spiders.icalfold, "charset") ----------------------------------------------
def calendar(summary: str, newline: str = "\r\n") -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", "BEGIN:VEVENT", "UID:a@x",
             "DTSTART:20270310T100000Z", "URL:https://x.example/a", f"SUMMARY:{summary}", "END:VEVENT",
             "END:VCALENDAR", ""]  # fmt: skip
    return newline.join(lines)


def summaries(body: bytes, content_type: str | None = None) -> list[str]:
    return [str(e["SUMMARY"]) for c in read_calendars(body, content_type) for e in c.walk("VEVENT")]


LEGACY = [
    ("Sprachcafé für Geflüchtete", "windows-1252"),
    ("Café d'intégration – «bienvenue»", "windows-1252"),
    ("Spotkanie integracyjne w Łodzi, środa", "iso-8859-2"),
    ("Integrační kurz češtiny, Ústí", "windows-1250"),
    ("Συνάντηση ένταξης", "iso-8859-7"),
]


@pytest.mark.parametrize(("summary", "charset"), LEGACY)
def test_a_legacy_body_is_read_in_its_declared_charset(summary: str, charset: str) -> None:
    body = calendar(summary).encode(charset)
    assert summaries(body, f"text/calendar; charset={charset}") == [summary]


@pytest.mark.parametrize(("summary", "charset"), LEGACY)
def test_a_legacy_body_reaches_the_item_in_its_declared_charset(summary: str, charset: str) -> None:
    spider = make_spider(
        id="ical-test", kind="ical", urls=["https://x.example/e.ics"], timezone="Europe/Vienna"
    )
    response = TextResponse(
        "https://x.example/e.ics",
        body=calendar(summary).encode(charset),
        headers={"Content-Type": f"text/calendar; charset={charset}"},
    )
    items, _ = run(spider, response)
    assert [i.title for i in items] == [summary]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-32"])
@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=repr)
def test_a_body_with_a_byte_order_mark_and_any_line_end(codec: str, newline: str) -> None:
    text = calendar("Integrationskurs für Geflüchtete €", newline)
    bom = {"utf-16-le": "\ufeff", "utf-16-be": "\ufeff"}.get(codec, "")
    assert summaries((bom + text).encode(codec)) == ["Integrationskurs für Geflüchtete €"]


@pytest.mark.parametrize("fold", [b"\r ", b"\r\t"], ids=repr)
def test_a_fold_after_a_bare_cr_is_unfolded(fold: bytes) -> None:
    body = (
        calendar("Sprach", "\r")
        .encode()
        .replace(b"SUMMARY:Sprach", b"SUMMARY:Spr" + fold + b"ach\xc3" + fold + b"\xa9")
    )
    assert summaries(body) == ["Spraché"]


def test_an_undeclared_legacy_body_is_not_read_as_utf8() -> None:
    body = calendar("Réunion d'information pour les réfugiés à Liège").encode("windows-1252")
    assert summaries(body) == ["Réunion d'information pour les réfugiés à Liège"]
    assert summaries(body, "text/calendar; charset=utf-8") == [
        "Réunion d'information pour les réfugiés à Liège"
    ]
