"""Cases built from public bug reports of HTTP clients, crawlers, API clients and calendar readers:
kinds of fault that tests/test_public_cases.py and tests/test_public_cases_extra.py do not cover.
Every row cites the report it was built from (owner/repo#N) and runs a small made-up input through
the product's own entry points: an API source's pages through `spiders.api.ApiSpider` against a
loopback server, headers through the fetch layer's readers, calendars through `spiders.ical`.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from scrapy import Request
from scrapy.http import TextResponse

from crawler.sources import load_sources
from crawler.types import HarvestedItem
from tests.lab import LabServer
from tests.test_api_query import harvest

# -- an API that repeats a page (significa/storyblok-assets-cleanup#12, Fedict/dcattools#242) ------

API_YAML = """
sources:
- id: api-repeats
  name: Integration projects
  publisher: Ministry of Integration
  content_type: news
  kind: api
  urls: ["{url}"]
  api:
    items: data
    title: name
    link_template: "https://projects.example.eu/project/{{id}}"
    pagination:
      page_param: page
      size_param: per_page
      size: 2
      first: {first}
      max_pages: {cap}
"""

RECORDS = [{"id": n, "name": f"Integration project {n}: language courses for newcomers"} for n in range(1, 8)]

Pager = Callable[[int, int], list[dict[str, Any]]]
"""(page asked for, page size) -> the records the server answers with."""


def _honest(total: int) -> Pager:
    return lambda page, size: RECORDS[:total][(page - 1) * size : page * size]


def _ignores_page(page: int, size: int) -> list[dict[str, Any]]:
    return RECORDS[:size]


def _clamps_to_last(total: int) -> Pager:
    def pager(page: int, size: int) -> list[dict[str, Any]]:
        last = (total + size - 1) // size
        return _honest(total)(min(page, last), size)

    return pager


def _cycles(page: int, size: int) -> list[dict[str, Any]]:
    return RECORDS[:6][((page - 1) % 3) * size : ((page - 1) % 3 + 1) * size]


def _from_one(total: int) -> Pager:
    """An API numbering its pages from 1 that answers page 0 (or below) with page 1."""
    return lambda page, size: _honest(total)(max(page, 1), size)


PAGERS: dict[str, tuple[Pager, int, int, list[int], int, int]] = {
    # name: (server, first page, max_pages, pages asked for, items, repeats counted): one repeat is
    # passed over, the second in a row ends the walk (spiders.api.REPEATS_TO_STOP)
    "ignores-page-parameter": (_ignores_page, 1, 10, [1, 2, 3], 2, 2),
    "ignores-page-parameter-cap-3": (_ignores_page, 1, 3, [1, 2, 3], 2, 2),
    "clamps-to-last-page": (_clamps_to_last(4), 1, 10, [1, 2, 3, 4], 4, 2),
    "cycles-back-to-first-page": (_cycles, 1, 10, [1, 2, 3, 4, 5], 6, 2),
    "first-0-on-an-api-counting-from-1": (_from_one(7), 0, 10, [0, 1, 2, 3, 4], 7, 1),
    "first-0-from-1-total-6": (_from_one(6), 0, 10, [0, 1, 2, 3, 4], 6, 1),
    "first-0-from-1-one-page": (_from_one(2), 0, 10, [0, 1, 2], 2, 1),
    "honest-short-last-page": (_honest(5), 1, 10, [1, 2, 3], 5, 0),
    "honest-empty-last-page": (_honest(4), 1, 10, [1, 2, 3], 4, 0),
}


def _api_route(pager: Pager, asked: list[int]) -> Callable[[BaseHTTPRequestHandler], None]:
    def route(handler: BaseHTTPRequestHandler) -> None:
        params = {k: v[0] for k, v in parse_qs(urlsplit(handler.path).query).items()}
        page, size = int(params["page"]), int(params["per_page"])
        asked.append(page)
        # the envelope echoes the page asked for: only the records say whether it is a repeat
        body = json.dumps({"page": page, "data": pager(page, size)}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def _harvest_api(url: str, cap: int, first: int = 1) -> tuple[list[HarvestedItem], dict[str, Any]]:
    """The api spider's items and stats for the table's source at `url` (tests.test_api_query `harvest`)."""
    return harvest(
        load_sources("sources.yaml", text=API_YAML.format(url=url, cap=cap, first=first)).sources[0]
    )


@pytest.mark.parametrize(
    ("pager", "first", "cap", "pages", "stored", "repeats"), PAGERS.values(), ids=PAGERS.keys()
)
def test_an_api_page_repeating_an_earlier_one_ends_the_walk(
    pager: Pager, first: int, cap: int, pages: list[int], stored: int, repeats: int
) -> None:
    asked: list[int] = []
    with LabServer(routes={"/api/projects": _api_route(pager, asked)}) as lab:
        items, stats = _harvest_api(lab.url("/api/projects"), cap, first)
    assert asked == pages
    assert sorted(i.url for i in items) == sorted({i.url for i in items})
    assert len(items) == stored
    assert stats.get("ewsi/api/page_repeated", 0) == repeats
    assert "ewsi/api/page_cap" not in stats


# -- iCalendar: a TZID written as a UTC offset, or holding an unquoted colon ------------------------
# libical/libical#159 (TZIDs that look like GMT+05:00), libical/libical#152 (TZID=GMT+05:30 unquoted
# before the value), icalendar/icalendar#147 (Microsoft's "(GMT-05:00) ..." names), t4t5/caldir#42

ICAL_NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SOURCE_ZONE = ZoneInfo("Europe/Lisbon")  # UTC+0 in March: a TZID read as the source's zone shows


def _calendar(event: str, head: str = "", newline: str = "\r\n") -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Integration Office//Events//EN",
        *head.splitlines(),
        "BEGIN:VEVENT",
        "UID:sprachcafe-2025-03@city.example.eu",
        "SUMMARY:Sprachcafé for newcomers",
        *event.splitlines(),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return (newline.join(lines) + newline).encode("utf-8")


def _event_times(body: bytes) -> tuple[str, str | None, list[str]] | None:
    from spiders.ical import event_info
    from spiders.icalfold import read_calendars

    component = read_calendars(body)[0].walk("VEVENT")[0]
    notes: list[str] = []
    info = event_info(component, SOURCE_ZONE, ICAL_NOW, notes)
    if info is None or info.start is None:
        return None
    end = info.end.isoformat() if info.end else None
    return info.start.isoformat(), end, sorted(set(notes))


OFFSET_TZIDS = {
    # TZID as written: (start, end, notes) in UTC for 18:00-20:00 local on 10 March 2025
    "GMT+0100": ("2025-03-10T17:00:00+00:00", "2025-03-10T19:00:00+00:00", ["zone_offset_only"]),
    "GMT+01:00": ("2025-03-10T17:00:00+00:00", "2025-03-10T19:00:00+00:00", ["zone_offset_only"]),
    '"GMT+01:00"': ("2025-03-10T17:00:00+00:00", "2025-03-10T19:00:00+00:00", ["zone_offset_only"]),
    "UTC+01:00": ("2025-03-10T17:00:00+00:00", "2025-03-10T19:00:00+00:00", ["zone_offset_only"]),
    "UTC+1": ("2025-03-10T17:00:00+00:00", "2025-03-10T19:00:00+00:00", ["zone_offset_only"]),
    "GMT+02": ("2025-03-10T16:00:00+00:00", "2025-03-10T18:00:00+00:00", ["zone_offset_only"]),
    "+01:00": ("2025-03-10T17:00:00+00:00", "2025-03-10T19:00:00+00:00", ["zone_offset_only"]),
    "+0200": ("2025-03-10T16:00:00+00:00", "2025-03-10T18:00:00+00:00", ["zone_offset_only"]),
    "GMT+01.00": ("2025-03-10T17:00:00+00:00", "2025-03-10T19:00:00+00:00", ["zone_offset_only"]),
    "GMT -01:00": ("2025-03-10T19:00:00+00:00", "2025-03-10T21:00:00+00:00", ["zone_offset_only"]),
    "(UTC+01:00)": ("2025-03-10T17:00:00+00:00", "2025-03-10T19:00:00+00:00", ["zone_offset_only"]),
    "(GMT+01.00) Berlin": ("2025-03-10T17:00:00+00:00", "2025-03-10T19:00:00+00:00", []),
    "(UTC+02:00) Athens, Bucharest": ("2025-03-10T16:00:00+00:00", "2025-03-10T18:00:00+00:00", []),
    "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna": (
        "2025-03-10T17:00:00+00:00",
        "2025-03-10T19:00:00+00:00",
        [],
    ),
    # not an offset: an IANA name in POSIX sign order, and one nobody knows (read in the source's zone)
    "Etc/GMT-1": ("2025-03-10T17:00:00+00:00", "2025-03-10T19:00:00+00:00", []),
    "Integration Office Time": ("2025-03-10T18:00:00+00:00", "2025-03-10T20:00:00+00:00", ["zone_unknown"]),
}


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
@pytest.mark.parametrize(("tzid", "expected"), OFFSET_TZIDS.items(), ids=OFFSET_TZIDS.keys())
def test_a_tzid_written_as_a_utc_offset(
    tzid: str, expected: tuple[str, str, list[str]], newline: str
) -> None:
    event = f"DTSTART;TZID={tzid}:20250310T180000\nDTEND;TZID={tzid}:20250310T200000"
    assert _event_times(_calendar(event, newline=newline)) == expected


def test_an_unquoted_tzid_with_a_colon_finds_the_calendars_own_vtimezone() -> None:
    zone = "BEGIN:VTIMEZONE\nTZID:GMT+01:00\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
    zone += "TZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE"
    event = "DTSTART;TZID=GMT+01:00:20250310T180000\nDTEND;VALUE=DATE-TIME;TZID=GMT+01:00:20250310T200000"
    assert _event_times(_calendar(event, head=zone)) == (
        "2025-03-10T17:00:00+00:00",
        "2025-03-10T19:00:00+00:00",
        [],
    )


def test_an_unquoted_display_name_in_summer_keeps_daylight_saving_time() -> None:
    tzid = "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"
    event = f"DTSTART;TZID={tzid}:20250710T180000\nEXDATE;TZID={tzid}:20250717T180000,20250724T180000"
    event += "\nRRULE:FREQ=WEEKLY;COUNT=4"
    assert _event_times(_calendar(event)) == ("2025-07-10T16:00:00+00:00", "2025-07-10T16:00:00+00:00", [])


def test_a_colon_in_text_is_not_taken_for_a_tzid() -> None:
    from spiders.icalfold import quote_tzids

    text = b"DESCRIPTION:Meet at TZID=GMT+01:00:20250310T180000 in the hall\r\n"
    text += b'DTSTART;TZID="(UTC+01:00) Brussels":20250310T180000\r\n'
    assert quote_tzids(text) == text


# -- robots.txt answers by status (RFC 9309 2.3.1; apache/nutch#786 for 429) ------------------------

SOFT_404 = b"<!DOCTYPE html><html><head><title>Page not found</title></head><body><h1>Not found</h1>"
SOFT_404 += b"<p>The integration office page you asked for does not exist.</p></body></html>"
RULES = b"User-agent: *\nDisallow: /intern/\n"

ROBOTS_ANSWERS = {
    # name: (status, body, /news allowed, /intern/plan allowed, unreachable)
    "200-rules": (200, RULES, True, False, False),
    "200-html-soft-404": (200, SOFT_404, True, True, False),
    "200-empty": (200, b"", True, True, False),
    "404-html": (404, SOFT_404, True, True, False),
    "403-rules-in-error-page": (403, b"User-agent: *\nDisallow: /", True, True, False),
    "410": (410, b"", True, True, False),
    "429-too-many-requests": (429, SOFT_404, False, False, True),
    "429-empty": (429, b"", False, False, True),
    "500": (500, SOFT_404, False, False, True),
    "503-maintenance": (503, b"Service temporarily unavailable", False, False, True),
}


@pytest.mark.parametrize(
    ("status", "body", "news", "intern", "unreachable"), ROBOTS_ANSWERS.values(), ids=ROBOTS_ANSWERS.keys()
)
def test_a_robots_txt_answer_by_its_status(
    status: int, body: bytes, news: bool, intern: bool, unreachable: bool
) -> None:
    from crawler.fetch.robots import Unreachable, rules_for

    rules = rules_for(status, body, "https://office.example.eu/robots.txt")
    agent = "ewsi-harvester"
    assert rules.allowed("https://office.example.eu/news", agent) is news
    assert rules.allowed("https://office.example.eu/intern/plan", agent) is intern
    assert isinstance(rules, Unreachable) is unreachable
    if unreachable:
        assert rules.key == "fetch.robots_unreachable" and f"HTTP {status}" in rules.reason


# -- Content-Type charset given twice, malformed or invalid ------------------------------------------
# whatwg/mimesniff#41 (charset=gbk;charset=utf-8), thunderbird/thunderbird-android#5958 (charset given
# twice), ProfilesRNS/ProfilesRNS#90 (charset=charset=UTF-8), kurrent-io/KurrentDB#82 (charset: utf-8),
# psf/requests#6248 (two Content-Type headers joined by a comma), king/king-http-client#24 (charset
# after another parameter)

CHARSET_TEXTS = {
    "pl-windows-1250": (
        "Kursy języka polskiego dla cudzoziemców: zapisy w urzędzie dzielnicy, źródła wsparcia",
        "windows-1250",
    ),
    "cs-windows-1250": ("Kurzy češtiny pro cizince: přihlášky na úřadě městské části", "windows-1250"),
    "pl-iso-8859-2": ("Świetlica dla rodzin: zajęcia językowe i pomoc w urzędzie", "iso-8859-2"),
    "de-windows-1252": ("Sprachkurse für Geflüchtete: Anmeldung im Bürgerbüro und Förderung", "windows-1252"),
    "el-windows-1253": ("Μαθήματα ελληνικών για μετανάστες: εγγραφές στο δημαρχείο", "windows-1253"),
    "fr-utf-8": ("Cours de français pour les réfugiés : inscriptions à la mairie", "utf-8"),
}

CHARSET_HEADERS = {
    "twice-gbk-first": "text/html; charset=gbk; charset={enc}",
    "twice-utf-8-first": "text/html; charset=utf-8; charset={enc}",
    "twice-utf-8-last": "text/html; charset={enc}; charset=utf-8",
    "twice-same": "text/html; charset={enc}; charset={enc}",
    "charset-charset": "text/html; charset=charset={enc}",
    "colon": "text/html; charset: {enc}",
    "two-headers-joined": "text/html; charset={enc}, text/html",
    "after-another-parameter": "text/html; version=1.0; charset={enc}",
    "double-quoted": 'text/html; charset="{enc}"',
    "single-quoted": "text/html; charset='{enc}'",
    "spaces-around-equals": "text/html;charset = {enc}",
    "unknown-label": "text/html; charset=x-unknown-charset",
    "unknown-then-real": "text/html; charset=utf8mb4; charset={enc}",
}


@pytest.mark.parametrize("header", CHARSET_HEADERS.values(), ids=CHARSET_HEADERS.keys())
@pytest.mark.parametrize(("text", "encoding"), CHARSET_TEXTS.values(), ids=CHARSET_TEXTS.keys())
def test_a_charset_given_twice_or_malformed_keeps_the_text(text: str, encoding: str, header: str) -> None:
    from crawler.encoding import decode_html

    body = f"<html><head><title>Kurse</title></head><body><p>{text}</p></body></html>".encode(encoding)
    decoded, _ = decode_html(body, header.format(enc=encoding))
    assert text in decoded


@pytest.mark.parametrize("header", CHARSET_HEADERS.values(), ids=CHARSET_HEADERS.keys())
def test_a_json_answer_under_a_charset_given_twice(header: str) -> None:
    from crawler.jsontext import json_text

    record = {"title": "Świetlica dla rodzin: zajęcia językowe dla cudzoziemców"}
    body = json.dumps(record, ensure_ascii=False).encode("windows-1250")
    content_type = header.replace("text/html", "application/json").format(enc="windows-1250")
    assert json.loads(json_text(body, content_type)) == record


# -- Retry-After as delay-seconds or any of the three HTTP-date forms (RFC 9110 10.2.3, 5.6.7) ------
# hashicorp/go-retryablehttp#144, serokell/xrefcheck#99, open-telemetry/opamp-go#131 (only seconds,
# or only one date form, were read)

RETRY_NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)

RETRY_AFTER = {
    "seconds": ("120", 120.0),
    "seconds-padded": (" 120 ", 120.0),
    "zero": ("0", 0.0),
    "leading-zeros": ("0090", 90.0),
    "imf-fixdate": ("Thu, 20 Mar 2025 12:02:00 GMT", 120.0),
    "rfc-850": ("Thursday, 20-Mar-25 12:02:00 GMT", 120.0),
    "asctime": ("Thu Mar 20 12:02:00 2025", 120.0),
    "lower-case": ("thu, 20 mar 2025 12:02:00 gmt", 120.0),
    "numeric-offset": ("Thu, 20 Mar 2025 13:02:00 +0100", 120.0),
    "utc-word": ("Thu, 20 Mar 2025 12:02:00 UTC", 120.0),
    "date-in-the-past": ("Thu, 20 Mar 2025 11:00:00 GMT", 0.0),
    "beyond-a-day": ("Fri, 31 Dec 9999 23:59:59 GMT", 86400.0),
    "huge-seconds": ("99999999999999999999", 86400.0),
    "fraction": ("120.5", None),
    "negative": ("-5", None),
    "iso-8601": ("2025-03-20T12:02:00Z", None),
    "words": ("in two minutes", None),
    "empty": ("", None),
}


@pytest.mark.parametrize(("value", "seconds"), RETRY_AFTER.values(), ids=RETRY_AFTER.keys())
def test_retry_after_in_every_form_http_allows(value: str, seconds: float | None) -> None:
    from crawler.fetch.retry import retry_after_seconds

    assert retry_after_seconds(value, RETRY_NOW) == seconds
    assert retry_after_seconds(value.encode("latin-1"), RETRY_NOW) == seconds


# -- all-day, open-ended and DURATION events; Windows zone ids (RFC 5545 3.6.1, 3.8.2.2) ------------
# niccokunzmann/python-recurring-ical-events#44 and danielegobbetti/ICSImport#14 (a DATE DTEND is
# exclusive), jens-maus/node-ical#90 and #304 (no DTEND; DURATION instead), openhab/openhab-addons#12482
# (events without DTEND ignored), derekantrican/GAS-ICS-Sync#219 (Windows zone ids as Outlook writes them)

DAY_EVENTS = {
    # VEVENT lines: (start, end) in UTC; the source's zone is Europe/Lisbon (UTC+0 in March)
    "all-day-one-day": (
        "DTSTART;VALUE=DATE:20250310\nDTEND;VALUE=DATE:20250311",
        ("2025-03-10T00:00:00+00:00", "2025-03-11T00:00:00+00:00"),
    ),
    "all-day-no-dtend": (
        "DTSTART;VALUE=DATE:20250310",
        ("2025-03-10T00:00:00+00:00", "2025-03-11T00:00:00+00:00"),
    ),
    "all-day-three-days": (
        "DTSTART;VALUE=DATE:20250310\nDTEND;VALUE=DATE:20250313",
        ("2025-03-10T00:00:00+00:00", "2025-03-13T00:00:00+00:00"),
    ),
    "all-day-duration": (
        "DTSTART;VALUE=DATE:20250310\nDURATION:P2D",
        ("2025-03-10T00:00:00+00:00", "2025-03-12T00:00:00+00:00"),
    ),
    "date-without-value-parameter": (
        "DTSTART:20250310",
        ("2025-03-10T00:00:00+00:00", "2025-03-11T00:00:00+00:00"),
    ),
    "timed-duration": (
        "DTSTART;TZID=Europe/Berlin:20250310T180000\nDURATION:PT1H30M",
        ("2025-03-10T17:00:00+00:00", "2025-03-10T18:30:00+00:00"),
    ),
    "timed-no-end": ("DTSTART:20250310T170000Z", ("2025-03-10T17:00:00+00:00", "2025-03-10T17:00:00+00:00")),
    "floating": (
        "DTSTART:20250310T180000\nDTEND:20250310T200000",
        ("2025-03-10T18:00:00+00:00", "2025-03-10T20:00:00+00:00"),
    ),
    "windows-zone": (
        "DTSTART;TZID=W. Europe Standard Time:20250310T180000\n"
        "DTEND;TZID=W. Europe Standard Time:20250310T200000",
        ("2025-03-10T17:00:00+00:00", "2025-03-10T19:00:00+00:00"),
    ),
    "windows-zone-quoted": (
        'DTSTART;TZID="Central European Standard Time":20250310T180000',
        ("2025-03-10T17:00:00+00:00", "2025-03-10T17:00:00+00:00"),
    ),
    "windows-zone-summer": (
        "DTSTART;TZID=GTB Standard Time:20250710T180000",
        ("2025-07-10T15:00:00+00:00", "2025-07-10T15:00:00+00:00"),
    ),
    "iana-lower-case": (
        "DTSTART;TZID=europe/helsinki:20250310T180000",
        ("2025-03-10T16:00:00+00:00", "2025-03-10T16:00:00+00:00"),
    ),
}


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
@pytest.mark.parametrize(("event", "expected"), DAY_EVENTS.values(), ids=DAY_EVENTS.keys())
def test_all_day_open_ended_and_windows_zone_events(
    event: str, expected: tuple[str, str], newline: str
) -> None:
    found = _event_times(_calendar(event, newline=newline))
    assert found is not None and found[:2] == expected and found[2] == []


# -- NaN, Infinity and overflowing numbers in an API answer (RFC 8259 section 6) -------------------
# encode/django-rest-framework#5235 and datagouv/hydra#72 (NaN/Infinity from Python's json refused by
# PostgreSQL), metabrainz/listenbrainz-server#2388 (NaN rejected at the door)

PLAIN_API_YAML = """
sources:
- id: api-numbers
  name: Integration projects
  publisher: Ministry of Integration
  content_type: news
  kind: api
  urls: ["{url}"]
  api:
    items: "{items}"
    title: name
    link_template: "https://projects.example.eu/project/{{id}}"
    fields:
      budget: budget
"""

NUMBER_ANSWERS = {
    # body: (links kept, budgets kept)
    "nan-id": ('{"data": [{"id": NaN, "name": "Language courses"}, {"id": 8, "name": "Mentoring"}]}', ["8"]),
    "infinity-id": (
        '{"data": [{"id": Infinity, "name": "Housing advice"}, {"id": 8, "name": "Mentoring"}]}',
        ["8"],
    ),
    "minus-infinity-id": (
        '{"data": [{"id": -Infinity, "name": "Job fair"}, {"id": 8, "name": "Mentoring"}]}',
        ["8"],
    ),
    "overflowing-id": ('{"data": [{"id": 1e400, "name": "Sports club"}]}', ["1e400"]),
    "nan-title": ('{"data": [{"id": 7, "name": NaN}, {"id": 8, "name": "Mentoring"}]}', ["8"]),
    "nan-budget": ('{"data": [{"id": 8, "name": "Mentoring", "budget": NaN}]}', ["8"]),
    "top-level-array": ('[{"id": 8, "name": "Mentoring", "budget": Infinity}]', ["8"]),
    "duplicate-keys-last-wins": (
        '{"data": [{"id": 7, "name": "Draft", "id": 8, "name": "Mentoring"}]}',
        ["8"],
    ),
    "byte-order-mark": ('\ufeff{"data": [{"id": 8, "name": "Mentoring", "budget": 1500.5}]}', ["8"]),
}


@pytest.mark.parametrize(("answer", "links"), NUMBER_ANSWERS.values(), ids=NUMBER_ANSWERS.keys())
def test_nan_and_infinity_in_an_api_answer_are_no_value(answer: str, links: list[str]) -> None:
    from scrapy.utils.test import get_crawler

    from spiders.api import ApiSpider

    items_at = "@" if answer.startswith("[") else "data"
    url = "https://projects.example.eu/api/projects"
    source = load_sources("sources.yaml", text=PLAIN_API_YAML.format(url=url, items=items_at)).sources[0]
    crawler = get_crawler(ApiSpider)
    spider = ApiSpider.from_crawler(crawler, source=source)
    crawler.stats.open_spider()
    request = Request(url, meta={"ewsi_role": "source"})
    body = answer.encode("utf-8")
    response = TextResponse(url, body=body, headers={"Content-Type": "application/json"}, request=request)
    items = [out for out in spider.parse(response) if isinstance(out, HarvestedItem)]
    assert [i.url.rsplit("/", 1)[1] for i in items] == links
    for item in items:
        assert item.title and item.title not in ("nan", "inf", "-inf")
        budget = (item.structured_raw or {}).get("budget")
        assert budget is None or (isinstance(budget, float) and math.isfinite(budget))
        json.dumps(item.record, allow_nan=False)  # what PostgreSQL's JSON accepts


# -- Content-Encoding labels that name no compression, or name it oddly (RFC 9110 8.4) --------------
# s3tools/s3cmd#153 (a charset, UTF-8, sent as the Content-Encoding), and labels in other case, with
# blanks, with identity beside gzip, or with a parameter

ENCODED_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Integration news</title>'
    b"<item><title>Language courses</title><link>https://city.example.eu/news/1</link></item>"
    b"</channel></rss>"
)

ENCODING_LABELS = {
    "charset-as-encoding": ("UTF-8", ENCODED_FEED),
    "charset-as-encoding-gzip-body": ("utf-8", gzip.compress(ENCODED_FEED)),
    "identity": ("identity", ENCODED_FEED),
    "none": ("none", ENCODED_FEED),
    "empty": ("", ENCODED_FEED),
    "binary": ("binary", ENCODED_FEED),
    "upper-case-gzip": ("GZIP", gzip.compress(ENCODED_FEED)),
    "blanks-around-gzip": (" gzip ", gzip.compress(ENCODED_FEED)),
    "gzip-then-identity": ("gzip, identity", gzip.compress(ENCODED_FEED)),
    "identity-then-gzip": ("identity, gzip", gzip.compress(ENCODED_FEED)),
    "gzip-twice-no-blank": ("gzip,gzip", gzip.compress(gzip.compress(ENCODED_FEED))),
    "gzip-with-parameter": ("gzip;q=1", gzip.compress(ENCODED_FEED)),
    "x-gzip": ("x-gzip", gzip.compress(ENCODED_FEED)),
}


@pytest.mark.parametrize(("label", "body"), ENCODING_LABELS.values(), ids=ENCODING_LABELS.keys())
def test_an_odd_content_encoding_label_keeps_the_feed(label: str, body: bytes) -> None:
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from crawler.fetch.compression import StrictCompressionMiddleware

    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 1024 * 1024})
    crawler.stats.open_spider()
    middleware = StrictCompressionMiddleware.from_crawler(crawler)
    url = "https://city.example.eu/feed.xml"
    request = Request(url, meta={"ewsi_role": "source"})
    headers = {"Content-Type": "application/rss+xml", "Content-Encoding": label}
    out = middleware.process_response(request, Response(url, body=body, headers=headers, request=request))
    assert out.body == ENCODED_FEED


@pytest.mark.parametrize(
    "line",
    [
        b"DTSTART;TZID=" + b":" * 200_000 + b"x\r\n",
        b"DTSTART;TZID=" + b"a:" * 200_000 + b"20250310T\r\n",
        b"DTSTART" + b";X-A=b" * 100_000 + b";TZID=a:b:c\r\n",
    ],
    ids=["colons", "colon-pairs-no-date", "many-parameters"],
)
def test_a_long_line_of_colons_is_read_in_one_pass(line: bytes) -> None:
    from spiders.icalfold import quote_tzids

    assert quote_tzids(line) == line  # no date value after the last colon: nothing to quote
