"""pipelines.dates: localised, RFC 822, ISO 8601 and numeric dates; the plausibility rule."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from pipelines.dates import (
    MONTHS,
    WEEKDAYS,
    from_struct_time,
    impossible_date,
    month_number,
    parse_date,
    plausible_date,
)

SHARED = Path(os.environ.get("EWSI_SHARED") or Path(__file__).resolve().parents[1] / ".." / "shared")
BERLIN = ZoneInfo("Europe/Berlin")
BRUSSELS = ZoneInfo("Europe/Brussels")


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# case B04: German and French day and month names, one value without offset (source zone Europe/Berlin)
B04 = [
    ("Do, 06 Mär 2025 09:30:00 +0100", "2025-03-06T08:30:00Z"),
    ("Mo, 10 Mär 2025 11:41:36", "2025-03-10T10:41:36Z"),
    ("jeu., 13 mars 2025 16:45:00 +0100", "2025-03-13T15:45:00Z"),
    ("Di, 1 Apr 2025 07:05:00 +0200", "2025-04-01T05:05:00Z"),
]


@pytest.mark.parametrize(("raw", "expected"), B04)
def test_b04_localised_rfc822_dates(raw: str, expected: str) -> None:
    value = parse_date(raw, BERLIN)
    assert value is not None and value.tzinfo is not None
    assert iso(value) == expected


def test_b04_expect_yaml_every_item() -> None:
    path = SHARED / "cases" / "B04" / "expect.yaml"
    if not path.exists():
        pytest.skip(f"../shared not found: {path}")
    expect = yaml.safe_load(path.read_text(encoding="utf-8"))
    zone = ZoneInfo(expect["input"]["source"]["timezone"])
    items = expect["expected"]["items"]
    assert len(items) == 4
    for item in items:
        assert iso(parse_date(item["raw_date"], zone)) == item["published_at"], item["guid"]


# one or more real-world shapes per official EU language; all read in Europe/Brussels (CET in March)
LOCALISED = [
    ("13 marzo 2025", "2025-03-12T23:00:00Z"),  # it / es
    ("13 de marzo de 2025, 16:45", "2025-03-13T15:45:00Z"),  # es
    ("13 de março de 2025", "2025-03-12T23:00:00Z"),  # pt
    ("3. května 2025", "2025-05-02T22:00:00Z"),  # cs, genitive
    ("13 maart 2025 10:00", "2025-03-13T09:00:00Z"),  # nl
    ("13. marts 2025", "2025-03-12T23:00:00Z"),  # da
    ("13 mars 2025 kl. 10:00", "2025-03-13T09:00:00Z"),  # sv
    ("torstai 13. maaliskuuta 2025", "2025-03-12T23:00:00Z"),  # fi, partitive
    ("13. märts 2025", "2025-03-12T23:00:00Z"),  # et
    ("2025. gada 13. martā", "2025-03-12T23:00:00Z"),  # lv, year first, locative
    ("2025 m. kovo 13 d.", "2025-03-12T23:00:00Z"),  # lt, year first
    ("13 marca 2025", "2025-03-12T23:00:00Z"),  # pl, genitive
    ("13. marca 2025", "2025-03-12T23:00:00Z"),  # sk / sl
    ("13. ožujka 2025.", "2025-03-12T23:00:00Z"),  # hr
    ("2025. március 13., csütörtök", "2025-03-12T23:00:00Z"),  # hu, year first, weekday last
    ("13 martie 2025", "2025-03-12T23:00:00Z"),  # ro
    ("13 март 2025 г.", "2025-03-12T23:00:00Z"),  # bg
    ("Πέμ, 13 Μαρτίου 2025", "2025-03-12T23:00:00Z"),  # el, genitive
    ("13 Meán Fómhair 2025", "2025-09-12T22:00:00Z"),  # ga, two-word name (CEST in September)
    ("14 Ġunju 2025", "2025-06-13T22:00:00Z"),  # mt
    ("le 13 mars 2025 à 16h45", "2025-03-13T15:45:00Z"),  # fr, "16h45"
    ("Montag, 13. Oktober 2025, 09:15 Uhr", "2025-10-13T07:15:00Z"),  # de
    ("mar., 11 mars 2025 10:00", "2025-03-11T09:00:00Z"),  # fr weekday "mar" is Tuesday, not March
    ("MAR 11 MAR 2025", "2025-03-10T23:00:00Z"),
    ("Sa, 1 Jänner 2022", "2021-12-31T23:00:00Z"),  # de-AT
]


@pytest.mark.parametrize(("raw", "expected"), LOCALISED)
def test_localised_dates(raw: str, expected: str) -> None:
    assert iso(parse_date(raw, BRUSSELS)) == expected


@pytest.mark.parametrize("lang", sorted(MONTHS))
def test_every_month_form_of_every_language(lang: str) -> None:
    months = MONTHS[lang]
    assert len(months) == 12
    for number, forms in enumerate(months, start=1):
        for form in forms:
            for written in (form, form.upper() + ".", form.capitalize()):
                value = parse_date(f"13 {written} 2025 10:00", UTC, languages=[lang])
                assert value is not None and (value.month, value.day) == (number, 13), (lang, written)


def test_all_24_eu_languages_have_month_and_weekday_names() -> None:
    # fmt: off
    eu = {"bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
          "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv"}
    # fmt: on
    assert set(MONTHS) == eu
    assert set(WEEKDAYS) == eu


@pytest.mark.parametrize("lang", sorted(WEEKDAYS))
def test_every_weekday_form_is_ignored(lang: str) -> None:
    for weekday in WEEKDAYS[lang].split():
        # "mar." as month: weekday forms that are also month abbreviations must not win
        for raw in (f"{weekday}, 11 mars 2025 10:00", f"{weekday}. 11 mar. 2025 10:00"):
            value = parse_date(raw, UTC)
            assert value is not None and (value.month, value.day) == (3, 11), (lang, raw)


def test_ambiguous_month_names_follow_the_language_hint() -> None:
    # Croatian "listopad" is October, Polish and Czech "listopad" November
    assert month_number("listopada") is None  # no language that knows it: no guess between two months
    assert month_number("listopada", ["pl"]) == 11
    assert month_number("listopada", ["hr"]) == 10
    assert parse_date("13 listopada 2025", UTC, languages=["hr"]).month == 10  # type: ignore[union-attr]
    assert parse_date("13 listopada 2025", UTC, languages=["pl"]).month == 11  # type: ignore[union-attr]
    assert month_number("srpna") == 8  # cs August
    assert month_number("srpnja") == 7  # hr July
    assert month_number("Brexit") is None


# word, languages -> month, or None: a form that names two months needs a language that knows it
AMBIGUOUS_MONTHS = [
    ("listopad", ["hr"], 10),
    ("listopad", ["cs"], 11),
    ("listopad", ["pl", "hr"], 11),
    ("listopad", [], None),
    ("listopad", ["de"], None),
    ("Listopada", ["hr-HR"], 10),
    ("lis.", ["hr"], 10),
    ("lis", [], None),
    ("lip", ["pl"], 7),
    ("lip", ["hr"], 6),
    ("lip", [], None),
    ("srp", ["cs"], 8),
    ("srp", ["hr"], 7),
    ("srp", ["en"], None),
    ("srpna", [], 8),  # Czech only
    ("lipnja", [], 6),  # Croatian only
    ("Lipca", [], 7),  # Polish only
]


@pytest.mark.parametrize(("word", "languages", "month"), AMBIGUOUS_MONTHS)
def test_a_month_word_of_two_months_needs_its_language(
    word: str, languages: list[str], month: int | None
) -> None:
    assert month_number(word, languages) == month
    parsed = parse_date(f"15 {word} 2025", UTC, languages=languages)
    assert (parsed.month if parsed else None) == month


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thu, 20 Mar 2031 10:00:00 +0100", "2031-03-20T09:00:00Z"),
        ("20 Mar 2025 10:00:00 GMT", "2025-03-20T10:00:00Z"),
        ("Thu, 20 Mar 25 10:00:00 EST", "2025-03-20T15:00:00Z"),
        ("Thu, 20 Mar 2025 10:00:00 CET", "2025-03-20T09:00:00Z"),
        ("Tue, 01 Jul 2025 10:00:00 CEST", "2025-07-01T08:00:00Z"),
        ("Tue, 01 Apr 2025 07:05:00 +0200 (CEST)", "2025-04-01T05:05:00Z"),
        ("2025-03-14 10:00 GMT+3", "2025-03-14T07:00:00Z"),  # not POSIX-inverted
        ("Fri, 14 Mar 2025 10:00:00 UT", "2025-03-14T10:00:00Z"),
        ("2025-03-14T09:00:00Z", "2025-03-14T09:00:00Z"),
        ("2025-03-14T09:00:00.123456789+01:00", "2025-03-14T08:00:00Z"),
        ("2025-03-14 09:00:00 +0100", "2025-03-14T08:00:00Z"),
        ("2025-03-14T09:00:00", "2025-03-14T08:00:00Z"),  # no offset: Brussels
        ("2025-03-14", "2025-03-13T23:00:00Z"),  # local midnight
        ("20250314", "2025-03-13T23:00:00Z"),
        ("03/09/2025 14:59", "2025-09-03T12:59:00Z"),  # CEST
        ("03/01/2025 14:59", "2025-01-03T13:59:00Z"),  # CET
        ("06.03.2025", "2025-03-05T23:00:00Z"),
        ("6.3.2025 9:30", "2025-03-06T08:30:00Z"),
        ("2025/03/09", "2025-03-08T23:00:00Z"),  # year first stays y-m-d
        ("1710406800", "2024-03-14T09:00:00Z"),
        ("1710406800000", "2024-03-14T09:00:00Z"),
        ("  Thu,\u00a020 Mar 2025\n10:00:00 +0000 ", "2025-03-20T10:00:00Z"),
    ],
)
def test_rfc822_iso_and_numeric_dates(raw: str, expected: str) -> None:
    assert iso(parse_date(raw, BRUSSELS)) == expected


def test_dst_gap_and_overlap_read_with_zoneinfo() -> None:
    # 30 March 2025 02:30 does not exist in Brussels (read with the offset before the jump, PEP 495);
    # 26 October 02:30 exists twice (the first, CEST, is taken)
    assert iso(parse_date("2025-03-30 02:30", BRUSSELS)) == "2025-03-30T01:30:00Z"
    assert iso(parse_date("2025-10-26 02:30", BRUSSELS)) == "2025-10-26T00:30:00Z"


def test_monthfirst_when_asked() -> None:
    assert iso(parse_date("03/09/2025", UTC, dayfirst=False)) == "2025-03-09T00:00:00Z"
    assert iso(parse_date("03/09/2025", UTC)) == "2025-09-03T00:00:00Z"


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "0000-00-00",
        "9999-12-31T99:99",
        "2025-02-30",
        "32/01/2025",
        "garbage",
        "12",
        "March 2025",
        "2025-03",
        "10:30",
        "13 Brexit 2025",
        "2025-03-14" + "x" * 5000,
        "\x00\ud83d",
        "March 13 April 2025",
    ],
)
def test_invalid_values_give_none(raw: str | None) -> None:
    assert parse_date(raw, BRUSSELS) is None


def test_non_string_gives_none() -> None:
    assert parse_date(20250314, UTC) is None  # type: ignore[arg-type]


FETCHED = datetime(2025, 3, 20, 13, 0, tzinfo=UTC)  # case B10 clock


@pytest.mark.parametrize(
    ("raw", "expected", "flag"),
    [
        ("Thu, 20 Mar 2025 14:30:00 +0100", "2025-03-20T13:30:00Z", None),  # 30 min ahead: kept
        ("Wed, 19 Mar 2025 16:00:00 +0100", "2025-03-19T15:00:00Z", None),
        ("Mon, 14 Jul 2025 09:00:00 +0200", None, "date_in_future"),
        ("Thu, 20 Mar 2031 10:00:00 +0100", None, "date_in_future"),
        ("Thu, 20 Mar 2025 15:00:00 +0100", "2025-03-20T14:00:00Z", None),  # exactly 1 h: kept
        ("Thu, 20 Mar 2025 15:00:01 +0100", None, "date_in_future"),
        ("Sun, 31 Dec 1989 23:59:59 +0000", None, "date_implausible"),
        ("Mon, 01 Jan 1990 00:00:00 +0000", "1990-01-01T00:00:00Z", None),
    ],
)
def test_b10_plausibility_rule(raw: str, expected: str | None, flag: str | None) -> None:
    value, reason = plausible_date(parse_date(raw, UTC), FETCHED)
    assert (iso(value), reason) == (expected, flag)


def test_plausible_date_none_and_naive() -> None:
    assert plausible_date(None, FETCHED) == (None, None)
    value, reason = plausible_date(datetime(2025, 3, 1), FETCHED.replace(tzinfo=None))
    assert reason is None and value == datetime(2025, 3, 1, tzinfo=UTC)


def test_from_struct_time() -> None:
    st = time.strptime("2025-03-06 08:30:00", "%Y-%m-%d %H:%M:%S")
    assert from_struct_time(st) == datetime(2025, 3, 6, 8, 30, tzinfo=UTC)
    assert from_struct_time((2016, 12, 31, 23, 59, 60, 5, 366, 0)) == datetime(
        2016, 12, 31, 23, 59, 59, tzinfo=UTC
    )
    with pytest.raises(ValueError):
        from_struct_time((2025, 2, 30, 0, 0, 0, 0, 0, 0))


# (raw, UTC reading or None, impossible): UTC offsets in use are -12:00..+14:00 with minutes < 60;
# RFC 9557's zone name after an ISO time (``Z[Europe/Athens]``) leaves the written offset in charge
OFFSETS = [
    ("Thu, 04 Dec 2026 10:00:00 +2500", None, True),
    ("Thu, 04 Dec 2026 10:00:00 -1500", None, True),
    ("Thu, 04 Dec 2026 10:00:00 +0560", None, True),
    ("2026-12-04T10:00:00+25:00", None, True),
    ("2026-12-04T10:00:00-99:99", None, True),
    ("Thu, 04 Dec 2026 10:00:00 +1400", "2026-12-03T20:00:00Z", False),
    ("Thu, 04 Dec 2026 10:00:00 -1200", "2026-12-04T22:00:00Z", False),
    ("Thu, 04 Dec 2026 10:00:00 +0545", "2026-12-04T04:15:00Z", False),
    ("Thu, 04 Dec 2026 10:00:00 GMT+0100", "2026-12-04T09:00:00Z", False),
    ("2026-12-04T10:00:00.5+05:30", "2026-12-04T04:30:00.500000Z", False),
    ("2026-12-04T10:00:00Z[Europe/Athens]", "2026-12-04T10:00:00Z", False),
    ("2026-12-04T10:00:00+02:00[Europe/Athens]", "2026-12-04T08:00:00Z", False),
    ("2026-12-04T10:00:00+01:00[+01:00]", "2026-12-04T09:00:00Z", False),
    ("2026-12-04 10:00", "2026-12-04T09:00:00Z", False),  # no offset: the source's zone
    ("2026-12-25", "2026-12-24T23:00:00Z", False),  # a day, not an offset of -25
]


@pytest.mark.parametrize(("raw", "expected", "impossible"), OFFSETS)
def test_utc_offsets_out_of_range_are_no_date(raw: str, expected: str | None, impossible: bool) -> None:
    value = parse_date(raw, BERLIN)
    shown = None if value is None else value.isoformat().replace("+00:00", "Z")
    assert shown == expected
    assert impossible_date(raw) is impossible


# A year is not an offset (kurtmckee/feedparser#95 confused the two): the '-2025' of an RFC 850 date
# with a four-digit year (PHP's DATE_COOKIE, 'l, d-M-Y H:i:s T') used to be taken for a -20:25 offset,
# which dropped the zone name after the time, so GMT and EET were read as the source's local time.
YEAR_NOT_OFFSET = [
    ("Tuesday, 04-Mar-2025 09:00:00 GMT", "2025-03-04T09:00:00Z"),
    ("Tue, 04-Mar-2025 09:00:00 UTC", "2025-03-04T09:00:00Z"),
    ("04-Mar-2025 09:00:00 EET", "2025-03-04T07:00:00Z"),
    ("Tue, 04-Mar-2025 09:00:00 EST", "2025-03-04T14:00:00Z"),
    ("Tuesday, 04-Mar-25 09:00:00 GMT", "2025-03-04T09:00:00Z"),
    ("04-Mar-2025 09:00:00", "2025-03-04T08:00:00Z"),  # no zone: the source's (Brussels)
    # a numeric offset after the time still wins over a zone name next to it
    ("Tue, 04-Mar-2025 09:00:00 +0200 EET", "2025-03-04T07:00:00Z"),
    ("Tue, 04 Mar 2025 09:00:00 CEST +0200", "2025-03-04T07:00:00Z"),
    ("4 Mar 2025 9:00 am +0200 EET", "2025-03-04T07:00:00Z"),
    ("Tue Mar 04 2025 09:00:00 GMT+0200 (Eastern European Standard Time)", "2025-03-04T07:00:00Z"),
]
# ISO 8601 week and ordinal dates: the day they name, or no date; never the free parser's guess
# ('2025-W10-2' was read as 1 October)
ISO_WEEK_ORDINAL = [
    ("2025-W10-2", "2025-03-03T23:00:00Z", False),
    ("2025W102", "2025-03-03T23:00:00Z", False),
    ("2025-W10-2T09:00:00+01:00", "2025-03-04T08:00:00Z", False),
    ("2025-063", "2025-03-03T23:00:00Z", False),
    ("2025-063T09:00", "2025-03-04T08:00:00Z", False),
    ("2024-366", "2024-12-30T23:00:00Z", False),
    ("2025-366", None, True),
    ("2025-W54-1", None, True),
    ("2025-W10-9", None, True),
    ("2025-W10", None, False),  # a week is no day
]


@pytest.mark.parametrize(("raw", "expected"), YEAR_NOT_OFFSET)
def test_a_four_digit_year_after_a_dash_is_not_an_offset(raw: str, expected: str) -> None:
    assert iso(parse_date(raw, BRUSSELS)) == expected


@pytest.mark.parametrize(("raw", "expected", "impossible"), ISO_WEEK_ORDINAL)
def test_iso_week_and_ordinal_dates(raw: str, expected: str | None, impossible: bool) -> None:
    assert iso(parse_date(raw, BRUSSELS)) == expected
    assert impossible_date(raw) is impossible
