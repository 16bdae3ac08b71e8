"""crawler.probe: one verdict per probe, anti-bot answers get fetch.blocked_by_site, never a parse error."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.probe import ProbeResult, is_challenge, looks_like_feed, verdict

DATA = Path(__file__).parent / "data" / "discover"
FEED = (DATA / "feed.xml").read_bytes()
LISTING = (DATA / "listing.html").read_bytes()
SPA = (DATA / "spa.html").read_bytes()
CHALLENGE = (DATA / "challenge.html").read_bytes()
EMPTY_FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
BOT_WALL_403 = b"<html><body><h1>Access denied</h1><p>bot protection by the site shield</p></body></html>"
PLAIN_403 = b"<html><body><h1>Forbidden</h1></body></html>"
EXPLANATION = (
    b"<!doctype html><html><body><h1>RSS feeds</h1><p>How to subscribe to our feeds.</p></body></html>"
)
U = "https://example.eu/news/feed.xml"


VERDICT_TABLE = [
    (ProbeResult(U, "feed", 200, content_type="application/rss+xml", body=FEED), "ok"),
    (ProbeResult(U, "feed", 200, body=FEED, robots_allowed=False), "fetch.robots"),
    (ProbeResult(U, "feed", 202, content_type="text/html", body=EXPLANATION), "fetch.blocked_by_site"),
    (ProbeResult(U, "feed", 202, content_type="text/html", body=b""), "fetch.blocked_by_site"),
    (ProbeResult(U, "feed", 200, content_type="text/html", body=CHALLENGE), "fetch.blocked_by_site"),
    (ProbeResult(U, "listing", 200, content_type="text/html", body=CHALLENGE), "fetch.blocked_by_site"),
    (ProbeResult(U, "feed", 403, content_type="text/html", body=BOT_WALL_403), "fetch.blocked_by_site"),
    (ProbeResult(U, "feed", 503, content_type="text/html", body=CHALLENGE), "fetch.blocked_by_site"),
    (ProbeResult(U, "feed", 429, content_type="text/html", body=CHALLENGE), "fetch.blocked_by_site"),
    (ProbeResult(U, "feed", 403, content_type="text/html", body=PLAIN_403), "fetch.http_403"),
    (ProbeResult(U, "feed", 404, body=b"not found"), "fetch.http_404"),
    (ProbeResult(U, "feed", 410, body=b""), "fetch.http_404"),
    (ProbeResult(U, "feed", 500, body=b""), "fetch.http_5xx"),
    (ProbeResult(U, "feed", 429, body=b""), "fetch.http_429"),
    (ProbeResult(U, "feed", 451, body=b""), "fetch.http_4xx"),
    (
        ProbeResult(U, "feed", 200, final_url="https://example.eu/integration-news/feed.xml", body=FEED),
        "moved",
    ),
    (ProbeResult(U, "feed", 200, final_url="https://www.example.eu/news/feed.xml/", body=FEED), "ok"),
    (ProbeResult(U, "feed", 200, content_type="text/html", body=EXPLANATION), "parse.not_a_feed"),
    (ProbeResult(U, "feed", 200, content_type="text/html", body=LISTING), "parse.not_a_feed"),
    (ProbeResult(U, "feed", 200, body=EMPTY_FEED), "parse.no_items"),
    (ProbeResult(U, "listing", 200, body=LISTING, selector_matches=5), "ok"),
    (ProbeResult(U, "listing", 200, body=LISTING, selector_matches=0), "parse.selector_empty"),
    (ProbeResult(U, "listing", 200, body=SPA, selector_matches=0), "parse.javascript_only"),
    (ProbeResult(U, "api", 200, body=b'{"items": [{"title": "a"}]}'), "ok"),
    (ProbeResult(U, "api", 200, body=b"<html>error</html>"), "parse.json_invalid"),
    (ProbeResult(U, "api", 200, body=b"[]"), "parse.no_items"),
    (ProbeResult(U, "sitemap", 200, body=b"<urlset></urlset>"), "parse.no_items"),
    (ProbeResult(U, "sitemap", 200, body=b"<urlset><url><loc>https://e.eu/a</loc></url></urlset>"), "ok"),
    # UTF-16 and UTF-32 bodies reach the verdict as the crawl reads them (tests/test_check_encodings.py)
]  # fmt: skip


@pytest.mark.parametrize(("result", "key"), VERDICT_TABLE)
def test_verdict_table(result: ProbeResult, key: str) -> None:
    got = verdict(result)
    assert got.key == key, got
    assert got.ok == (key == "ok")
    if key != "ok":
        assert got.hint, "every failure says what to do"


def test_every_failure_key_is_a_project_error_key() -> None:
    from crawler.errors import ERROR_KEYS

    keys = {verdict(r).key for r in (row[0] for row in VERDICT_TABLE)} - {"ok", "moved"}
    assert keys <= set(ERROR_KEYS), keys - set(ERROR_KEYS)


def test_moved_hint_names_the_new_url() -> None:
    got = verdict(ProbeResult(U, "feed", 200, final_url="https://example.eu/integration-news_en", body=FEED))
    assert "https://example.eu/integration-news_en" in got.hint
    assert got.line("ewsi-news").startswith("ewsi-news: moved: ")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (FEED, True),
        (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>', True),
        (b'<rdf:RDF xmlns:rdf="x"><item/></rdf:RDF>', True),
        (b"<!doctype html><html><body>rss feed <rss></body></html>", False),
        (b"{}", False),
        (b"", False),
    ],
)
def test_looks_like_feed(body: bytes, expected: bool) -> None:
    assert looks_like_feed(body) is expected


def test_a_feed_mentioning_captcha_is_not_a_challenge() -> None:
    feed = FEED.replace(b"Language courses expanded", b"Captcha rules for visa portals")
    assert is_challenge(feed)
    assert verdict(ProbeResult(U, "feed", 200, body=feed)).key == "ok"


def test_invalid_utf8_body_does_not_raise() -> None:
    assert verdict(ProbeResult(U, "api", 200, body=b"\xff\xfe{")).key == "parse.json_invalid"
    assert verdict(ProbeResult(U, "feed", 200, body=b"\xff" * 100)).key == "parse.not_a_feed"
