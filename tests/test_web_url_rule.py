"""The one web-URL rule (crawler.urls) and the places that apply it.

Every caller (the store's item and attachment links, the store pipeline's attachments, the desk's
``safe_url`` filter, the API/feeds' ``safe_link``) answers the same question the same way.
"""

from __future__ import annotations

from typing import Any

import pytest

from crawler.urls import is_web_url, web_url

ACCEPTED = [
    ("https://example.org/a", "https://example.org/a"),
    ("http://x.test", "http://x.test"),
    ("HTTP://EXAMPLE.ORG/", "HTTP://EXAMPLE.ORG/"),
    ("hTtPs://example.org/p?q=1#frag", "hTtPs://example.org/p?q=1#frag"),
    ("  https://example.org/a\n", "https://example.org/a"),
    ("\thttps://example.org/a\r\n", "https://example.org/a"),
    ("https://example.org/a\x85", "https://example.org/a"),  # NEL is surrounding whitespace
    ("\u00a0https://example.org/a\u3000", "https://example.org/a"),
    ("https://example.org:8443/a", "https://example.org:8443/a"),
    ("https://example.org:0/", "https://example.org:0/"),
    ("https://[2001:db8::1]/x", "https://[2001:db8::1]/x"),
    ("https://127.0.0.1/", "https://127.0.0.1/"),
    ("https://bücher.example/é", "https://bücher.example/é"),
    ("https://example.org/a%20b", "https://example.org/a%20b"),
    ("https://example.org/path@at", "https://example.org/path@at"),
    ("https://example.org/?next=http://other.test", "https://example.org/?next=http://other.test"),
]

REFUSED: list[Any] = [
    None,
    42,
    b"https://example.org/",
    ["https://example.org/"],
    "",
    "   ",
    "javascript:alert(1)",
    " JAVASCRIPT:alert(1)",
    "jav\tascript:alert(1)",
    "data:text/html,x",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/f",
    "mailto:a@example.org",
    "//evil.test/x",
    "/relative/path",
    "example.org/a",
    "https://",
    "https:///path",
    "http://:80/",
    "http:example.org",
    "https://user:pw@example.org/",
    "https://ec.europa.eu@evil.example/",
    "https://@example.org/",
    "https://example.org/a b",
    "https://exa mple.org/",
    "https://example.org/a\tb",
    "https://example.org/a\nb",
    "https://example.org/\x00",
    "https://example.org/\x7f",
    "https://example.org/\x85x",
    "https://example.org/\x9fx",
    "https://example.org/\x80x",
    "https://example.org:99999/",
    "https://example.org:port/",
    "https://[2001:db8::1/x",
]


@pytest.mark.parametrize(("value", "expected"), ACCEPTED)
def test_accepted(value: str, expected: str) -> None:
    assert web_url(value) == expected
    assert is_web_url(value) is True


@pytest.mark.parametrize("value", REFUSED, ids=repr)
def test_refused(value: Any) -> None:
    assert web_url(value) is None
    assert is_web_url(value) is False


@pytest.mark.parametrize("value", [v for v, _ in ACCEPTED] + REFUSED, ids=repr)
def test_every_caller_agrees(value: Any) -> None:
    from crawler.web.public import safe_link
    from crawler.web.templating import safe_url

    expected = web_url(value)
    assert safe_url(value) == expected
    assert safe_link(value) == expected  # accepted links carry no control character to clean
