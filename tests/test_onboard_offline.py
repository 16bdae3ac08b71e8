"""``ewsi sources check|add`` on a machine without network: when no host at all answers (the crawl's
rule, crawler.probe.no_host_reached, over the hosts tried and, for a lone host, the robots.txt of
up to crawler.onboard.OFFLINE_SAMPLE hosts of the config), the hint says the machine looks offline
instead of blaming the host name; one host that answers keeps each failure's own hint."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from crawler import onboard
from crawler.cli import main as ewsi
from crawler.commands import sources as sources_command
from crawler.fetch.oneshot import Fetched
from crawler.probe import HINTS, OFFLINE_HINT

FEED = b'<rss version="2.0"><channel><title>t</title><item><title>x</title></item></channel></rss>'


def _fetcher(up: set[str], calls: list[str] | None = None) -> Callable[[str], Fetched]:
    """A fetcher that answers for the hosts in `up` and fails with a DNS error for every other."""

    def fetch(url: str) -> Fetched:
        if calls is not None:
            calls.append(url)
        if urlsplit(url).hostname not in up:
            raise socket.gaierror(-2, "Name or service not known")
        return Fetched(url, url, 200, "application/rss+xml", FEED)

    return fetch


URLS = ["https://a.eu/feed", "https://b.eu/feed", "https://c.eu/feed", "https://d.eu/feed"]


@pytest.mark.parametrize(
    ("failed", "others", "up", "offline", "tried"),
    [
        pytest.param(["https://a.eu/feed"], URLS, set(), True, 2, id="lone-host-and-no-other-answers"),
        pytest.param(["https://a.eu/feed"], URLS, {"b.eu"}, False, 1, id="typo-another-host-answers"),
        pytest.param(["https://a.eu/feed"], URLS, {"c.eu"}, False, 2, id="the-third-host-answers"),
        pytest.param(URLS[:3], URLS, set(), True, 0, id="three-hosts-failed-no-more-tried"),
        pytest.param(
            ["https://a.eu/feed"], ["https://a.eu/other"], set(), False, 0, id="one-host-no-evidence"
        ),
        pytest.param(["https://a.eu/x", "https://b.eu/y"], [], set(), True, 0, id="two-hosts-failed"),
    ],
)
def test_looks_offline(failed: list[str], others: list[str], up: set[str], offline: bool, tried: int) -> None:
    calls: list[str] = []
    assert onboard.looks_offline(failed, others, _fetcher(up, calls)) is offline
    assert len(calls) == tried and all(url.endswith("/robots.txt") for url in calls)


def _config(tmp_path: Path) -> Path:
    entries = [
        {"id": f"src-{u[8]}", "name": "N", "publisher": "P", "kind": "feed", "urls": [u]} for u in URLS[:3]
    ]
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("argv", "up", "hint"),
    [
        pytest.param(["check"], set(), OFFLINE_HINT, id="check-nothing-answers"),
        pytest.param(["check"], {"c.eu"}, HINTS["fetch.dns"], id="check-one-source-answers"),
        pytest.param(["check", "--source", "src-a"], set(), OFFLINE_HINT, id="check-one-nothing-answers"),
        pytest.param(["check", "--source", "src-a"], {"b.eu"}, HINTS["fetch.dns"], id="check-one-typo"),
        pytest.param(["add", "https://typo.eu/feed", "--dry-run"], set(), OFFLINE_HINT, id="add-offline"),
        pytest.param(
            ["add", "https://typo.eu/feed", "--dry-run"], {"a.eu"}, HINTS["fetch.dns"], id="add-typo"
        ),
    ],
)
def test_the_hint_says_offline_only_when_no_host_answers(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    up: set[str],
    hint: str,
) -> None:
    fetcher = _fetcher(up)
    monkeypatch.setattr(sources_command, "_tools", lambda settings: (fetcher, lambda url: (True, "")))
    monkeypatch.setattr(sources_command.console, "width", 1000)
    assert ewsi(["sources", *argv, "--config", str(_config(tmp_path))]) == 1
    said = capsys.readouterr()
    failed = [line for line in (said.out + said.err).splitlines() if "fetch.dns" in line]
    assert failed and all(line.endswith(f"-> {hint}") for line in failed)
    other = HINTS["fetch.dns"] if hint == OFFLINE_HINT else OFFLINE_HINT
    assert other not in said.out + said.err
