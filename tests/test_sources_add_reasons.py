"""`ewsi sources add` names why an http(s) address's authority is refused, in the words of
`ewsi sources validate` (crawler.sources `authority_reason`): user information, a port outside
1-65535, port 0. Both commands are run on the same addresses."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.cli import main as ewsi
from crawler.sources import PORT_RANGE, PORT_ZERO, USER_INFO, authority_reason, url_problem

CASES = [
    ("http://user:pw@127.0.0.1:8765/x", USER_INFO),
    ("https://user@example.eu/feed", USER_INFO),
    ("http://:secret@example.eu/", USER_INFO),
    ("HTTPS://admin:admin@example.eu:8443/rss", USER_INFO),
    ("http://127.0.0.1:99999/", PORT_RANGE),
    ("https://example.eu:65536/x", PORT_RANGE),
    ("http://example.eu:-1/x", PORT_RANGE),
    ("http://example.eu:8x/feed", PORT_RANGE),
    ("http://example.eu:0/", PORT_ZERO),
    ("https://[::1", None),
    ("ftp://user:pw@example.eu/", None),
    ("https://example.eu:8443/feed", None),
]


def _exit(argv: list[str]) -> int:
    try:
        return ewsi(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.mark.parametrize("url,reason", CASES)
def test_the_reason_of_an_address(url: str, reason: str | None) -> None:
    assert authority_reason(url) == reason


@pytest.mark.parametrize("url,reason", [case for case in CASES if case[1] is not None])
def test_add_and_validate_give_the_same_reason(url: str, reason: str, tmp_path: Path, capsys) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text("sources: []\n")
    assert _exit(["sources", "add", url, "--config", str(config), "--dry-run"]) == 2
    said = capsys.readouterr().err.strip()
    assert said == f"ewsi sources: error: not an http or https URL: {url!r} ({reason})"
    assert url_problem(url) == f"{url!r}: {reason}"
