"""``ewsi sources add`` with text that is not an http or https address (crawler.commands.sources
`_check_web_address`, crawler.urls `https_form`).

Rule: it is a usage error (one line, exit 2, the config left as it was); text typed without a scheme
that starts with a host gets its https form suggested, ``(did you mean https://example.eu:8080/x?)``:
a domain name of two labels or more (letters of any alphabet, digits, inner hyphens; the last label
not all digits), ``localhost``, an IPv4 address or an IPv6 address in brackets, then optionally a
colon and a port from 1 to 65535, then nothing or a path, query or fragment. Anything else gets the
plain error: no scheme-like word before a colon (``mailto:``, ``javascript:``), no user information,
no single-label name, no IPv6 address without brackets, no port out of range or not a number.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.cli import main as ewsi
from crawler.urls import https_form

HINTED = [
    "example.eu:8080/x",
    "example.eu:8080",
    "news.example.eu:443/feed?lang=de&page=2",
    "example.eu:8080?x=1",
    "example.eu:8080#top",
    "localhost:8080",
    "LOCALHOST:8080/feed.xml",
    "localhost",
    "192.0.2.7:8080/rss",
    "192.0.2.7",
    "[2001:db8::1]:8443/feed",
    "[::1]:8080",
    "[::1]",
    "integrationsfonds.österreich.at:8080/news",
    "example.eu./x",
    "example.eu/news",
]
"""Text that starts with a host: the https form is suggested."""

PLAIN = [
    "not-a-url",
    "mailto:x@y.eu",
    "javascript:alert(1)",
    "x@y.eu/feed",
    "user:pw@example.eu:8080",
    "example.eu:99999",
    "example.eu:",
    "example.eu:80a/x",
    "intranet:8080",
    "999.1.1.1:8080",
    "1.2.3",
    "2001:db8::1:8080",
    "[::1:8080",
    "[example.eu]:8080",
    "news.-example.eu:8080",
    "example.eu/a b",
    "ftp://files.example.eu/feed.xml",
]
"""Text that is no host: the plain usage error."""


def _exit(argv: list[str]) -> int:
    try:
        return ewsi(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def _add(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    config = tmp_path / "sources.yaml"
    before = "sources:\n- {id: src-s, name: S, publisher: P, kind: feed, urls: ['https://s.eu/f']}\n"
    config.write_text(before)
    assert _exit(["sources", "add", url, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ewsi sources: error: ") and len(err.splitlines()) == 1, err
    assert config.read_text() == before
    return err.strip()


@pytest.mark.parametrize("url", HINTED)
def test_a_host_without_a_scheme_gets_its_https_form_suggested(url: str, tmp_path: Path, capsys) -> None:
    said = _add(url, tmp_path, capsys)
    assert said == f"ewsi sources: error: not an http or https URL: {url!r} (did you mean https://{url}?)"
    assert https_form(f"  {url}\n") == f"https://{url}"


@pytest.mark.parametrize("url", PLAIN)
def test_what_is_no_host_gets_the_plain_usage_error(url: str, tmp_path: Path, capsys) -> None:
    said = _add(url, tmp_path, capsys)
    assert said == f"ewsi sources: error: not an http or https URL: {url!r}"
    assert https_form(url) is None


BROKEN = [
    "http://example.eu:99999/x",
    "http://127.0.0.1:-1/x",
    "http://example.eu:0/",
    "http://example.eu:8080 /x",
    "http://example..eu/",
    "http://.eu/",
    "http://" + "a" * 300 + ".eu/",
    "http://exa mple.eu/",
    "http://example.eu/a b",
    "http://\u200bexample.eu/",
    "https://exam\u00adple.eu/",
    "http://example.eu\x00/feed",
    "example.eu:0/x",
    "https://user:pw@example.eu/feed",
    "http://999.1.1.1/feed",
    "http://1.2.3/",
    "http://123/",
]
"""An http(s) address that names no host, no usable port or holds spaces or controls: refused
before any fetch (without a scheme: no suggestion either)."""


@pytest.mark.parametrize("url", BROKEN)
def test_a_broken_web_address_is_a_usage_error_before_any_fetch(url: str, tmp_path: Path, capsys) -> None:
    """`_check_web_address`: the address is refused as typed (escaped, cut), with no https suggestion,
    and nothing is fetched (a fetch of these ended in fetch.blocked_scheme, an IDNA codec error or a
    DNS lookup, exit 1)."""
    said = _add(url, tmp_path, capsys)
    assert said.startswith("ewsi sources: error: not an http or https URL: '"), said
    assert "did you mean" not in said and "\u200b" not in said and "\x00" not in said
    assert len(said) < 200


@pytest.mark.parametrize("length", [2084, 3019, 70_000])
def test_an_address_longer_than_the_crawl_takes_is_refused_in_one_short_line(
    length: int, tmp_path: Path, capsys
) -> None:
    """A source URL longer than the crawl fetches (2083 characters, Scrapy's URLLENGTH_LIMIT) is
    refused up front, its length said and the text cut in the message."""
    url = "http://127.0.0.1:9/" + "b" * (length - len("http://127.0.0.1:9/"))
    said = _add(url, tmp_path, capsys)
    assert said.startswith(f"ewsi sources: error: URL longer than 2083 characters ({length}): "), said
    assert len(said) < 250


@pytest.mark.parametrize(
    ("typed", "added"),
    [
        ("  http://127.0.0.1:8771/feed.xml  ", "http://127.0.0.1:8771/feed.xml"),
        ("\thttps://example.eu/feed\n", "https://example.eu/feed"),
        ("HTTP://127.0.0.1:8771/feed.xml", "http://127.0.0.1:8771/feed.xml"),
        ("HtTpS://Example.EU/Feed", "https://Example.EU/Feed"),
        ("https://[::1]:8080/f", "https://[::1]:8080/f"),
        ("http://localhost:8080/x", "http://localhost:8080/x"),
        ("http://intranet/feed", "http://intranet/feed"),
        ("http://bücher.example/x", "http://bücher.example/x"),
        ("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"),
        ("http://192.0.2.7:65535/rss", "http://192.0.2.7:65535/rss"),
        ("http://127.0.0.1:9/" + "b" * 2064, "http://127.0.0.1:9/" + "b" * 2064),
    ],
)
def test_a_web_address_is_added_stripped_with_its_scheme_in_lower_case(typed: str, added: str) -> None:
    """What `ewsi sources add` goes on with: the text without surrounding whitespace, its scheme in
    lower case, the rest as typed (an operator's spaces no longer pass the fetch and then fail the
    config check; ``HTTP://`` is not written to the config)."""
    from crawler.commands.sources import _check_web_address

    assert _check_web_address(typed) == added
