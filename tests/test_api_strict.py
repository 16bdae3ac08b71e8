"""The read API's and the feeds' query rules, for every GET route alike: an unknown parameter is
refused naming it and the closest one; a repeat is "any of" for the multi-value filters and refused
for the others; a from/to pair whose start is after its end is refused; every error has one shape
(``error``, ``message``, ``detail``) with plain sentences; a feed's id uses its key's canonical form.
Data from test_portal_api.populate."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

sys.path.insert(0, str(Path(__file__).parent))
import test_portal_api as portal_tests

from crawler.web.public import MULTI_VALUED

shared_db = portal_tests.shared_db
app_client = portal_tests.app_client
ids = portal_tests.ids

ATOM = "{http://www.w3.org/2005/Atom}"
PATH_VALUES = {"item_id": "1", "theme": "social_cohesion", "country": "DE", "content_type": "news"}
FEED_ID = "http://127.0.0.1:8000/feeds"


def get_routes() -> list[tuple[str, list[str]]]:
    """(a concrete path, the query parameters it takes) of every GET route of /api/v1 and /feeds."""
    from fastapi.routing import APIRoute

    from crawler.web import feeds, portal
    from crawler.web.public import query_names

    out = []
    for route in [*portal.router.routes, *feeds.router.routes]:
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        if not route.path.startswith(("/api/v1/", "/feeds/")):
            continue
        path = route.path.format(**PATH_VALUES)
        out.append((path, query_names(route.dependant)))
    return out


def error_of(response: Any) -> str:
    """The error sentence of an API (JSON ``message``) or feed (plain text) answer."""
    if response.request.url.path.startswith("/feeds/"):
        assert response.headers["content-type"].startswith("text/plain"), response.text
        return response.text
    body = response.json()
    assert set(body) == {"error", "message", "detail"}, body
    return body["message"]


def bad_status(path: str) -> int:
    return 400 if path.startswith("/feeds/") else 422


def test_every_get_route_is_covered(app_client):
    paths = [path for path, _ in get_routes()]
    assert "/api/v1/items" in paths and "/feeds/atom" in paths and "/feeds/events.ics" in paths
    assert len(paths) >= 13


def test_an_unknown_parameter_is_refused_on_every_route(app_client):
    for path, taken in get_routes():
        typo = (taken[0][:-1] + "x") if taken else "contry"
        response = app_client.get(path, params={typo: "FR"})
        assert response.status_code == bad_status(path), (path, response.text)
        message = error_of(response)
        assert f"{typo}: unknown parameter" in message, message
        for name in taken:
            assert name in message, (path, message)
        if taken:
            assert f"did you mean {taken[0]}?" in message, message


@pytest.mark.parametrize(
    ("url", "suggestion"),
    [
        ("/api/v1/items?contry=FR", "country"),
        ("/api/v1/items?status=pending", None),  # no close name: still refused, never ignored
        ("/api/v1/funding?programm=AMIF", "programme"),
        ("/api/v1/events?form=2026-01-01", "from"),
        ("/feeds/atom?langauge=de", "language"),
    ],
)
def test_unknown_parameter_names_the_closest(app_client, url, suggestion):
    response = app_client.get(url)
    assert response.status_code == bad_status(url)
    message = error_of(response)
    assert "unknown parameter" in message and ("did you mean" in message) == (suggestion is not None)
    if suggestion:
        assert f"did you mean {suggestion}?" in message


def test_a_repeat_of_a_one_value_parameter_is_refused_on_every_route(app_client):
    for path, taken in get_routes():
        for name in taken:
            if name in MULTI_VALUED:
                continue
            response = app_client.get(f"{path}?{name}=1&{name}=2")
            assert response.status_code == bad_status(path), (path, name, response.text)
            assert f"{name}: takes one value, it was given 2" in error_of(response), (path, name)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("language=de&language=fr", [1, 10, 11]),
        ("language=fr&language=de", [1, 10, 11]),
        ("country=FR&country=eu", [2, 7, 8, 9, 10]),
        ("content_type=funding&content_type=document", [2, 7, 8]),
        ("theme=SC&theme=active_citizenship", [1, 9]),
        ("source=src-de&source=src-eu&language=fr", [10]),
        ("language=de&language=", [1, 11]),
    ],
)
def test_repeated_filters_mean_any_of(app_client, query, expected):
    assert ids(app_client.get(f"/api/v1/items?{query}")) == expected


def test_repeated_filters_in_the_atom_feed(app_client):
    body = app_client.get("/feeds/atom?language=fr&language=de").content
    entries = [e.findtext(f"{ATOM}id") for e in ET.fromstring(body).iter(f"{ATOM}entry")]
    assert [e.rsplit("/", 1)[1] for e in entries] == ["1", "10", "11"]


@pytest.mark.parametrize(
    ("url", "start", "end"),
    [
        ("/api/v1/items?published_from=2026-02-01&published_to=2026-01-01", "published_from", "published_to"),
        ("/api/v1/events?from=2026-02-01&to=2026-01-01", "from", "to"),
        (
            "/api/v1/funding?deadline_before=2026-01-01&deadline_after=2027-01-01",
            "deadline_after",
            "deadline_before",
        ),
        (
            "/api/v1/items?published_from=2026-01-01T00:00:01Z&published_to=2026-01-01",
            "published_from",
            "published_to",
        ),
    ],
)
def test_a_range_whose_start_is_after_its_end_is_refused(app_client, url, start, end):
    response = app_client.get(url)
    assert response.status_code == 422, response.text
    assert response.json()["message"] == f"{start}: is after {end}"
    assert response.json()["detail"] == [
        {"loc": ["query", start], "msg": f"is after {end}", "type": "value_error"}
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/items?published_from=2026-01-01&published_to=2026-01-01",
        "/api/v1/events?from=2026-01-01&to=2026-01-01",
        "/api/v1/funding?deadline_after=2026-01-01&deadline_before=2026-01-01",
    ],
)
def test_an_empty_range_is_answered(app_client, url):
    assert app_client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/v1/items?q=%01", "q: control characters are not allowed"),
        ("/api/v1/items?country=%00", "country: control characters are not allowed"),
        ("/api/v1/coverage?axis=bogus", "axis: use theme or language"),
        ("/api/v1/funding?status=later", "status: use forthcoming, open or closed"),
        (
            "/api/v1/items?published_from=2026-13-01",
            "published_from: expected an ISO 8601 date (2026-01-31) or date-time (2026-01-31T08:00:00Z)",
        ),
        (
            "/api/v1/items?published_from=abc",
            "published_from: expected an ISO 8601 date (2026-01-31) or date-time (2026-01-31T08:00:00Z)",
        ),
        ("/api/v1/items?language=xx", "language: expected a language code: ISO 639-1 (de) or und"),
    ],
)
def test_validation_errors_are_plain_sentences(app_client, url, message):
    response = app_client.get(url)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request" and body["message"] == message
    assert (
        len(body["detail"]) == 1 and f"{body['detail'][0]['loc'][1]}: {body['detail'][0]['msg']}" == message
    )


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/items?cursor=bogus", 400),
        ("/api/v1/items/999999", 404),
        ("/api/v1/items?limit=0", 422),
        ("/api/v1/items/abc", 422),
        ("/api/v1/items?contry=FR", 422),
    ],
)
def test_every_error_has_one_shape(app_client, url, status):
    response = app_client.get(url)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "message", "detail"}
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["detail"], list) and (body["detail"] != []) == (status == 422)


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/feeds/theme/Social%20Cohesion.atom", "/theme/social_cohesion.atom"),
        ("/feeds/theme/social%20cohesion.atom", "/theme/social_cohesion.atom"),
        ("/feeds/theme/SC.atom", "/theme/social_cohesion.atom"),
        ("/feeds/theme/sc.atom", "/theme/social_cohesion.atom"),
        ("/feeds/theme/social_cohesion.atom", "/theme/social_cohesion.atom"),
        ("/feeds/country/at.atom", "/country/AT.atom"),
        ("/feeds/country/AT.atom", "/country/AT.atom"),
        ("/feeds/country/eu.atom", "/country/EU.atom"),
        ("/feeds/type/news.atom", "/type/news.atom"),
        ("/feeds/atom?theme=Social%20Cohesion&country=de", "/atom?country=DE&theme=social_cohesion"),
        (
            "/feeds/atom?language=FR&language=de&theme=AC",
            "/atom?language=de&language=fr&theme=active_citizenship",
        ),
    ],
)
def test_a_feed_id_uses_the_canonical_key(app_client, path, canonical):
    response = app_client.get(path)
    assert response.status_code == 200, response.text
    feed = ET.fromstring(response.content)
    self_link = next(x.get("href") for x in feed.iter(f"{ATOM}link") if x.get("rel") == "self")
    assert feed.findtext(f"{ATOM}id") == self_link == FEED_ID + canonical


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("theme=SC", [1]),
        ("theme=sc", [1]),
        ("theme=EC", [2]),
        ("theme=social%20cohesion", [1]),
        ("theme=Social%20Cohesion", [1]),
        ("theme=%20social_cohesion%20", [1]),
    ],
)
def test_theme_codes_and_names_in_any_case(app_client, query, expected):
    assert ids(app_client.get(f"/api/v1/items?{query}")) == expected
