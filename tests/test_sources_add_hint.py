"""``ewsi sources add`` with text that is not an http or https address (crawler.commands.sources
`_check_web_address`, crawler.urls `https_form`).

Rule: it is a usage error (one line, exit 2, the config left as it was); text typed without a scheme
that starts with a host gets its https form suggested, ``(did you mean https://example.eu:8080/x?)``:
a domain name of two labels or more (letters of any alphabet, digits, inner hyphens; the last label
not all digits), ``localhost``, an IPv4 address or an IPv6 address in brackets, then optionally a
colon and a port from 0 to 65535, then nothing or a path, query or fragment. Anything else gets the
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
