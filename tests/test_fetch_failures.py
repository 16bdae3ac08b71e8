"""A fetch without answer gets one error key, whichever path fetched: a crawl (Scrapy/Twisted) or a
one-shot probe (`ewsi sources add|check`, urllib); an SSRF refusal says how to allow the address."""

from __future__ import annotations

import json
import socket
import ssl
import urllib.error
from collections.abc import Callable
from pathlib import Path

import pytest
from twisted.internet import error as twisted_error

from crawler.config import Settings
from crawler.errors import error_key_for
from crawler.fetch import addresses, oneshot
from crawler.onboard import add, check_source
from crawler.sources import Source, load_sources

UA = "ewsi-harvester/test (+tests; ops@example.eu)"
CONFIG = "sources:\n- id: ecre-news\n  name: ECRE\n  publisher: ECRE\n  kind: feed\n  urls: ['https://ecre.org/feed/']\n"


def _source(url: str = "https://news.example.eu/feed.xml", kind: str = "feed") -> Source:
    entry = {"id": "probe-me", "name": "x", "publisher": "x", "kind": kind, "urls": [url]}
    if kind == "listing":
        entry["listing"] = {"links": "a::attr(href)"}
    return load_sources("t.yaml", text=json.dumps({"sources": [entry]})).sources[0]


def _raising(exc: BaseException) -> Callable[[str], oneshot.Fetched]:
    def fetch(url: str) -> oneshot.Fetched:
        raise exc

    return fetch


def _robots_ok(url: str) -> tuple[bool, str]:
    return True, ""


# (what a one-shot fetch raises, what a crawl raises for the same failure, the key both record)
SAME_FAILURE = [
    (socket.gaierror(-2, "Name or service not known"), twisted_error.DNSLookupError("x"), "fetch.dns"),
    (
        urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution")),
        twisted_error.DNSLookupError("x"),
        "fetch.dns",
    ),
    (
        urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")),
        twisted_error.ConnectionRefusedError(),
        "fetch.connect",
    ),
    (ConnectionResetError(104, "Connection reset by peer"), twisted_error.ConnectionLost(), "fetch.connect"),
    (TimeoutError("timed out"), twisted_error.TimeoutError(), "fetch.timeout"),
    (urllib.error.URLError(TimeoutError("timed out")), twisted_error.TCPTimedOutError(), "fetch.timeout"),
    (
        urllib.error.URLError(ssl.SSLCertVerificationError(1, "certificate verify failed")),
        ssl.SSLError(1, "[SSL] handshake failure"),
        "fetch.tls",
    ),
    (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), ssl.SSLError(1, "x"), "fetch.tls"),
]


@pytest.mark.parametrize(("oneshot_exc", "crawl_exc", "key"), SAME_FAILURE)
def test_check_and_crawl_name_a_failure_alike(
    oneshot_exc: BaseException, crawl_exc: BaseException, key: str
) -> None:
    assert error_key_for(crawl_exc) == key
    got = check_source(_source(), _raising(oneshot_exc), _robots_ok)
    assert got.key == key
    assert got.hint and "gaierror" not in got.line("probe-me")
    with pytest.raises(ValueError, match=f": {key}: "):
        add("https://news.example.eu/", CONFIG, _raising(oneshot_exc), _robots_ok)


def test_a_refused_loopback_port_is_fetch_connect() -> None:
    """A real connection to a closed port (allowlisted, so the guard lets it through)."""
    allow = addresses.Allowlist.parse("127.0.0.2")

    def fetcher(url: str) -> oneshot.Fetched:
        return oneshot.fetch(url, user_agent=UA, allow=allow, timeout=5)

    assert check_source(_source("http://127.0.0.2:1/feed"), fetcher, _robots_ok).key == "fetch.connect"


@pytest.mark.parametrize(
    ("url", "entry"),
    [
        ("http://127.0.0.1:8123/feed.xml", "127.0.0.1:8123"),
        ("http://localhost/x", None),  # a name: refused after resolution
        ("http://10.1.2.3/news", "10.1.2.3:80"),
        ("https://[::1]:8443/feed", "[::1]:8443"),
        ("http://2130706433:9000/", "127.0.0.1:9000"),
    ],
)
@pytest.mark.parametrize("kind", ["feed", "listing"])
def test_a_refused_private_address_says_how_to_allow_it(url: str, entry: str | None, kind: str) -> None:
    assert addresses.ALLOW_ENV == "EWSI_ALLOW_PRIVATE"
    assert Settings.from_env({addresses.ALLOW_ENV: "x:1"}).allow_private == "x:1"

    def fetcher(u: str) -> oneshot.Fetched:
        return oneshot.fetch(u, user_agent=UA, timeout=5)

    def robots(u: str) -> tuple[bool, str]:
        return oneshot.robots_allows(u, user_agent=UA, timeout=5)

    verdict = check_source(_source(url, kind), fetcher, robots)
    assert verdict.key == "fetch.blocked_address"
    wanted = f"EWSI_ALLOW_PRIVATE={entry}" if entry else "EWSI_ALLOW_PRIVATE=localhost:80"
    assert wanted in verdict.message and "SSRF" in verdict.message
    with pytest.raises(ValueError, match=wanted.replace("[", r"\[").replace("]", r"\]")):
        add(url, CONFIG, fetcher, robots)


def test_command_add_prints_the_allowlist_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crawler.commands import sources as command

    config = tmp_path / "sources.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    settings = Settings(download_timeout=5.0)
    assert command.main(["add", "http://127.0.0.1:8123/feed.xml", "--config", str(config)], settings) == 1
    err = capsys.readouterr().err
    assert "EWSI_ALLOW_PRIVATE=127.0.0.1:8123" in " ".join(err.split())
