"""crawler.probe hints fit the kind of source: only a listing is told about selectors."""

from __future__ import annotations

import pytest

from crawler.errors import ERROR_KEYS
from crawler.probe import HINTS, KIND_HINTS, ProbeResult, hint_for, verdict

U = "https://example.eu/news/feed.xml"
PAGE = b"<!doctype html><html><body><h1>News</h1>" + b"<p>An article about integration.</p>" * 20
JSON_FEED = b'{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": [{"id": "1"}]}'
EMPTY_JSON_FEED = b'{"version": "https://jsonfeed.org/version/1", "title": "x", "items": []}'

NO_SEL = ("selector",)
# (kind, body, content type, key, words the hint must hold, words it must not hold)
TABLE = [
    ("feed", PAGE, "text/html", "parse.not_a_feed", ("RSS", "Atom", "JSON Feed", "kind: listing"), NO_SEL),
    ("feed", b"garbage \x00\x01", "application/zip", "parse.not_a_feed", ("RSS", "JSON Feed"), NO_SEL),
    ("feed", b'{"data": [1, 2]}', "application/json", "parse.not_a_feed", ("JSON Feed",), ("selector",)),
    ("feed", JSON_FEED, "application/feed+json", "ok", (), ()),
    ("feed", EMPTY_JSON_FEED, "application/feed+json", "parse.no_items", ("later",), ("selector",)),
    ("listing", PAGE, "text/html", "parse.selector_empty", ("selector",), ("RSS",)),
    ("api", PAGE, "text/html", "parse.json_invalid", ("API",), ("selector",)),
    ("api", b"[]", "application/json", "parse.no_items", ("api.items",), ("selector",)),
    ("sitemap", PAGE, "text/html", "parse.no_items", ("sitemap", "<loc>"), ("selector",)),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "body", "ctype", "key", "said", "unsaid"), TABLE)
def test_hint_fits_the_kind(
    kind: str, body: bytes, ctype: str, key: str, said: tuple[str, ...], unsaid: tuple[str, ...]
) -> None:
    got = verdict(ProbeResult(U, kind, 200, content_type=ctype, body=body))
    assert got.key == key
    for word in said:
        assert word in got.hint, (word, got.hint)
    for word in unsaid:
        assert word not in got.hint, (word, got.hint)


@pytest.mark.parametrize("kind", ["feed", "listing", "sitemap", "api"])
@pytest.mark.parametrize("key", sorted(k for k in ERROR_KEYS if k.startswith("parse.")))
def test_only_a_listing_hint_speaks_of_selectors(kind: str, key: str) -> None:
    assert ("selector" in hint_for(key, kind)) == (kind == "listing" and key == "parse.selector_empty")


def test_every_hint_names_a_known_key_and_kind() -> None:
    assert set(HINTS) <= set(ERROR_KEYS)
    assert {k for k, _ in KIND_HINTS} <= set(ERROR_KEYS)
    assert {kind for _, kind in KIND_HINTS} <= {"feed", "listing", "sitemap", "api", "ical"}
