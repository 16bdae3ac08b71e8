"""Atom and iCalendar feeds of the portal (crawler.web.feeds): valid, well-formed with hostile fields
(T42), published items only (T43). Uses the data of test_portal_api.populate on both back ends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import feedparser
import pytest
from lxml import etree

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from test_portal_api import HOSTILE_TITLE, NOW, make_app, shared_db  # noqa: F401

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def client(shared_db: str) -> Iterator[TestClient]:  # noqa: F811
    app = make_app(shared_db)
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


def strict(body: bytes) -> etree._Element:
    """Parse with lxml in strict mode (no recover): raises on any well-formedness error."""
    return etree.fromstring(body, etree.XMLParser(recover=False, resolve_entities=False))


def entry_ids(root: etree._Element) -> list[int]:
    return [int(e.findtext(f"{ATOM}id").rsplit("/", 1)[1]) for e in root.iter(f"{ATOM}entry")]


def test_atom_feed_is_strict_xml_and_round_trips_through_feedparser(client):
    response = client.get("/feeds/atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = strict(response.content)
    assert root.tag == f"{ATOM}feed"
    assert entry_ids(root) == [1, 2, 7, 8, 9, 10, 11]  # published only, newest first (T43)
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    api = {i["id"]: i for i in client.get("/api/v1/items").json()["items"]}
    for entry in parsed.entries:
        item = api[int(entry.id.rsplit("/", 1)[1])]
        assert entry.title == item["title"]
        assert entry.id == f"http://127.0.0.1:8000/api/v1/items/{item['id']}"
    two = next(e for e in parsed.entries if e.id.endswith("/2"))
    assert two.title == "Editor title" and two.summary == "Editor summary about housing"
    assert [t.term for t in two.tags] == ["education_culture"]
    assert two.link == "https://example.org/news/2"


def test_hostile_title_stays_well_formed_and_is_not_lost(client):
    body = client.get("/feeds/atom").content
    root = strict(body)
    entry = next(e for e in root.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id").endswith("/11"))
    title = entry.findtext(f"{ATOM}title")
    for bad in ("\x0b", "\x1b", "\ud800"):
        assert bad not in title
    for kept in ("]]>", "&", "<", "\u202e", "</title><script>x</script>"):
        assert kept in title
    assert b"<script>" not in body  # escaped, not markup
    links = [link.get("href") for link in entry.iter(f"{ATOM}link")]
    assert not any(h.startswith("javascript:") for h in links)
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0
    assert any("]]>" in e.title and "\u202e" in e.title for e in parsed.entries)
    assert HOSTILE_TITLE.startswith("A ]]> B & C < D")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/feeds/theme/social_cohesion.atom", [1]),
        ("/feeds/theme/Education and Culture.atom", [2]),
        ("/feeds/country/FR.atom", [10]),
        ("/feeds/country/eu.atom", [2, 7, 8, 9]),
        ("/feeds/type/funding.atom", [7, 8]),
        ("/feeds/atom?content_type=news&language=de", [1, 11]),
    ],
)
def test_filtered_feeds(client, path, expected):
    response = client.get(path)
    assert response.status_code == 200, response.text
    root = strict(response.content)
    assert entry_ids(root) == expected
    assert root.find(f"{ATOM}link[@rel='self']").get("href").startswith("http://127.0.0.1:8000/feeds/")


# (path, status, words of the plain-text answer)
FEED_ERRORS = [
    ("/feeds/theme/nonsense.atom", 404, "No such feed: the themes are "),
    ("/feeds/theme/bogus.atom", 404, "social_cohesion (Social Cohesion), "),
    ("/feeds/theme/" + "z" * 300 + ".atom", 404, "active_citizenship (Active Citizenship)"),
    ("/feeds/atom?theme=%ff", 400, "Bad feed request (theme:"),
    ("/feeds/atom?theme=zzz", 400, "Bad feed request (theme:"),
    ("/feeds/atom?country=" + "X" * 9, 400, "Bad feed request (country:"),
    # a malformed query value is 400 whatever the parameter (the read API's 422 for the same values)
    ("/feeds/atom?country=12", 400, "Bad feed request (country: expected a country code"),
    ("/feeds/atom?country=XX", 400, "Bad feed request (country:"),
    ("/feeds/atom?country=EUR", 400, "Bad feed request (country:"),
    ("/feeds/atom?language=xx", 400, "Bad feed request (language: expected a language code"),
    ("/feeds/atom?language=english", 400, "Bad feed request (language:"),
    ("/feeds/atom?content_type=blog", 400, "Bad feed request (content_type: expected a content"),
    ("/feeds/atom?theme=social_cohesion&country=1", 400, "Bad feed request (country:"),
    ("/feeds/atom?source=src%00", 400, "Bad feed request (source: control characters are not allowed)"),
    ("/feeds/atom?theme=active_citizenship&status=pending", 400, "Bad feed request (status: unknown"),
    ("/feeds/country/XX.atom", 404, "not a country code"),
    ("/feeds/country/QQ.atom", 404, "not a country code"),
    ("/feeds/country/EUR.atom", 404, "not a country code"),
    ("/feeds/country/" + "D" * 9 + ".atom", 404, "not a country code"),
    ("/feeds/type/blog.atom", 404, "No such feed: the content types are news"),
    # the codes EU institutions write for GB and GR are near-misses with a suggestion
    (
        "/feeds/country/UK.atom",
        404,
        "404 No such feed: UK is not a country code; did you mean GB? /feeds/country/GB.atom",
    ),
    ("/feeds/country/uk.atom", 404, "404 No such feed: UK is not a country code; did you mean GB?"),
    (
        "/feeds/country/EL.atom",
        404,
        "404 No such feed: EL is not a country code; did you mean GR? /feeds/country/GR.atom",
    ),
    ("/feeds/country/el.atom", 404, "did you mean GR?"),
    (
        "/feeds/atom?country=UK",
        400,
        "(country: expected a country code: ISO 3166-1 alpha-2 (DE) or EU; did you mean GB?)",
    ),
    (
        "/feeds/atom?country=el",
        400,
        "(country: expected a country code: ISO 3166-1 alpha-2 (DE) or EU; did you mean GR?)",
    ),
]


@pytest.mark.parametrize(("path", "status", "words"), FEED_ERRORS)
def test_feed_errors_are_plain_text_with_their_status(client, path: str, status: int, words: str):
    """Rule: a feed route answers an error as plain text with the right status, never an HTML page
    or JSON; a country code that is neither ISO 3166-1 alpha-2 nor EU names no feed (404)."""
    answer = client.get(path)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.text.startswith(f"{status} ") and words in answer.text
    assert "Value error" not in answer.text  # pydantic's prefix is dropped, for every parameter
    assert "<" not in answer.text


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("country=de", "EWSI: DE"),
        ("country=EU", "EWSI: EU"),
        ("language=DE&content_type=news", "EWSI: news"),
        ("language=und", "EWSI: latest items"),
        ("country=", "EWSI: latest items"),
    ],
)
def test_well_formed_feed_queries_are_served(client, query: str, title: str):
    answer = client.get(f"/feeds/atom?{query}")
    assert answer.status_code == 200
    assert strict(answer.content).findtext(f"{ATOM}title") == title


@pytest.mark.parametrize("code", ["de", "DE", "GR", "XK", "EU", "eu"])
def test_every_iso_country_code_and_eu_have_a_feed(client, code: str):
    assert client.get(f"/feeds/country/{code}.atom").status_code == 200


def test_empty_feed_is_still_valid(client):
    """A country with no published item has a valid feed with no entry (ZZ is no country: 404)."""
    root = strict(client.get("/feeds/country/NZ.atom").content)
    assert entry_ids(root) == []
    assert root.findtext(f"{ATOM}updated")


def test_funding_calendar_lists_open_calls_only(client):
    from icalendar import Calendar

    response = client.get("/feeds/funding.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Deadline: AMIF call open"]  # item 8's deadline passed
    event = events[0]
    assert str(event["uid"]) == "item-7@127.0.0.1"
    start = event.decoded("dtstart")
    assert isinstance(start, datetime) and start.tzinfo is not None
    assert start.astimezone(UTC) > NOW
    assert str(cal["version"]) == "2.0"
    assert b"\r\n" in response.content  # RFC 5545 line endings


@pytest.mark.parametrize(
    "path", ["/feeds/atom", "/feeds/type/funding.atom", "/feeds/atom?country=EU&theme=SC"]
)
def test_an_unchanged_feed_answers_304_to_its_etag(client, path: str):
    """A feed reader polling an unchanged feed gets 304 and no body; another tag, or none, the feed."""
    first = client.get(path)
    tag = first.headers["ETag"]
    assert first.status_code == 200 and tag.startswith('"') and len(tag) == 34
    assert client.get(path).headers["ETag"] == tag  # the same bytes, the same tag
    again = client.get(path, headers={"If-None-Match": tag})
    assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", tag)
    assert client.get(path, headers={"If-None-Match": f'"other", W/{tag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_filter_value_given_many_times_is_named_once_in_the_title(client):
    response = client.get("/feeds/atom?" + "&".join(["country=DE"] * 300))
    assert response.status_code == 200, response.text
    title = strict(response.content).find(f"{ATOM}title").text
    assert title == "EWSI: DE"
