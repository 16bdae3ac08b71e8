"""A fetch without answer gets one error key, whichever path fetched: a crawl (Scrapy/Twisted) or a
one-shot probe (`ewsi sources add|check`, urllib); an SSRF refusal says how to allow the address."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import urllib.error
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from twisted.internet import error as twisted_error

from crawler.config import Settings
from crawler.errors import ERROR_KEYS, error_key_for
from crawler.fetch import addresses, oneshot
from crawler.onboard import add, check_source
from crawler.sources import Source, load_sources
from tests.lab import Handler, LabServer, Route

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


# --- a body or a redirect chain the crawl refuses: the one-shot fetch names it with the crawl's key ---

MIB = 1024 * 1024
FEED = (
    b"<?xml version='1.0'?>"
    b"<rss version='2.0'><channel><title>x</title><item><title>a</title></item></channel></rss>"
)


def _gzip(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    return comp.compress(data) + comp.flush()


def _raw(headers: list[tuple[str, str]], body: Callable[[BaseHTTPRequestHandler], None]) -> Handler:
    """An answer written by hand (a lying Content-Length, an endless chunked body)."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        h.wfile.write(
            b"HTTP/1.1 200 OK\r\n" + b"".join(f"{k}: {v}\r\n".encode() for k, v in headers) + b"\r\n"
        )
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            body(h)

    return handle


def _endless_chunks(h: BaseHTTPRequestHandler) -> None:
    block = b"a" * 65536
    for _ in range(400):  # 25 MiB at most, more than the limit
        h.wfile.write(f"{len(block):x}\r\n".encode() + block + b"\r\n")


GZIP = {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
_good = _gzip(FEED * 20)
# (path, answer, the key a crawl records for it: tests/test_fetch_limits.py T01-T06, T24)
REFUSED_ANSWERS: list[tuple[str, Route | Handler, str]] = [
    ("/gzip-bomb", Route(_gzip(bytes(17 * MIB)), headers=GZIP), "fetch.too_large"),
    (
        "/gzip-in-gzip",
        Route(_gzip(_gzip(bytes(17 * MIB))), headers={**GZIP, "Content-Encoding": "gzip, gzip"}),
        "fetch.too_large",
    ),
    (
        "/deflate-bomb",
        Route(zlib.compress(bytes(17 * MIB)), headers={**GZIP, "Content-Encoding": "deflate"}),
        "fetch.too_large",
    ),
    (
        "/length-lie",
        _raw([("Content-Length", str(10 * 1024 * MIB))], lambda h: h.wfile.write(FEED)),
        "fetch.too_large",
    ),
    ("/endless", _raw([("Transfer-Encoding", "chunked")], _endless_chunks), "fetch.too_large"),
    ("/bad-crc", Route(_good[:-8] + bytes([_good[-8] ^ 0xFF]) + _good[-7:], headers=GZIP), "fetch.data_loss"),
    ("/cut-gzip", Route(_good[: len(_good) // 2], headers=GZIP), "fetch.data_loss"),
    ("/not-gzip", Route(b"\x00\x01 neither gzip nor markup", headers=GZIP), "fetch.data_loss"),
    ("/short-body", _raw([("Content-Length", "200000")], lambda h: h.wfile.write(FEED)), "fetch.data_loss"),
    (
        "/cut-chunks",
        _raw([("Transfer-Encoding", "chunked")], lambda h: h.wfile.write(b"ffff\r\n" + FEED)),
        "fetch.data_loss",
    ),
    ("/loop-a", Route(status=302, headers={"Location": "/loop-b"}), "fetch.redirect_limit"),
    ("/self", Route(status=301, headers={"Location": "/self"}), "fetch.redirect_limit"),
    ("/hop0", Route(status=302, headers={"Location": "/hop1"}), "fetch.redirect_limit"),
]


@pytest.fixture(scope="module")
def refusing_lab() -> Iterator[LabServer]:
    routes: dict[str, Route | Handler] = {path: answer for path, answer, _ in REFUSED_ANSWERS}
    routes["/loop-b"] = Route(status=302, headers={"Location": "/loop-a"})
    routes["/plain-labelled-gzip"] = Route(FEED, headers=GZIP)
    routes["/gzip-unlabelled"] = Route(_gzip(FEED), headers={"Content-Type": "application/rss+xml"})
    routes |= {f"/hop{i}": Route(status=302, headers={"Location": f"/hop{i + 1}"}) for i in range(1, 12)}
    with LabServer(routes=routes) as server:
        yield server


@pytest.mark.parametrize(("path", "key"), [(path, key) for path, _, key in REFUSED_ANSWERS])
@pytest.mark.parametrize("kind", ["feed", "listing", "sitemap"])
def test_check_and_add_name_a_refused_answer_as_the_crawl(
    refusing_lab: LabServer, path: str, key: str, kind: str
) -> None:
    allow = addresses.Allowlist.parse("127.0.0.2")

    def fetcher(u: str) -> oneshot.Fetched:
        return oneshot.fetch(u, user_agent=UA, allow=allow, timeout=5)

    def robots(u: str) -> tuple[bool, str]:
        return oneshot.robots_allows(u, user_agent=UA, allow=allow, timeout=5)

    assert key in ERROR_KEYS
    verdict = check_source(_source(refusing_lab.url(path), kind), fetcher, robots)
    assert (verdict.key, verdict.hint != "") == (key, True), verdict
    with pytest.raises(ValueError, match=f": {key}: "):
        add(refusing_lab.url(path), CONFIG, fetcher, robots)


@pytest.mark.parametrize("path", ["/plain-labelled-gzip", "/gzip-unlabelled"])
def test_check_and_add_read_a_feed_whose_gzip_label_lies_as_the_crawl(
    refusing_lab: LabServer, path: str
) -> None:
    """crawler.fetch.compression, "labels that lie": a plain body labelled gzip (node-feedparser#277) and
    a gzip body without the label (rss-parser#280) are the feed itself, in a probe as in a crawl."""
    allow = addresses.Allowlist.parse("127.0.0.2")
    got = oneshot.fetch(refusing_lab.url(path), user_agent=UA, allow=allow, timeout=5)
    assert (got.status, got.body) == (200, FEED)
