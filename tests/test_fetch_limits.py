"""Download limits and decompression bombs (T01-T06): every hostile body ends with a named error key,
bounded memory and time, and nothing is built from partial bytes.

Bombs are generated once per session in memory (the largest is about 5 MB compressed; nothing is
written to the repository). A long gzip bomb is a run of gzip members, which is one valid gzip
stream (RFC 1952 §2.2) and costs a fraction of a second to build.
"""

from __future__ import annotations

import re
import socket
import time
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.fetchlab import crawl, fetch_figures_fixture, migrate, record  # noqa: F401
from tests.lab import LabServer, Route

MIB = 1024 * 1024
LIMIT = 16 * MIB


def _gzip_member(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    return comp.compress(data) + comp.flush()


@pytest.fixture(scope="session")
def bombs() -> dict[str, bytes]:
    """Compressed bodies by name, with what they inflate to in the name's comment below."""
    import brotli

    try:
        from compression import zstd  # type: ignore[import-not-found]
    except ImportError:
        from backports import zstd  # type: ignore[import-not-found,no-redef]

    zeros64 = _gzip_member(bytes(64 * MIB))
    big = bytes(11_500_000)
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    inner = _gzip_member(bytes(256 * MIB))
    url_block = b"<url><loc>http://127.0.0.2/page</loc></url>" * (64 * MIB // 43)
    sitemap = (
        _gzip_member(
            b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + url_block
        )
        + _gzip_member(url_block) * 15
    )
    good = _gzip_member(b"<rss version='2.0'><channel><title>x</title></channel></rss>" * 50)
    bad_crc = good[:-8] + bytes([good[-8] ^ 0xFF]) + good[-7:]
    return {
        "gzip_5gib": zeros64 * 80,  # 5 GiB of zeros
        "br": brotli.compress(big),  # 11.5 MB each
        "zstd": zstd.compress(big),
        "deflate_zlib": zlib.compress(big, 9),
        "deflate_raw": raw.compress(big) + raw.flush(),
        "gzip_gzip": _gzip_member(inner),  # 256 MiB
        "gzip_deflate_gzip": _gzip_member(zlib.compress(inner, 9)),
        "sitemap_gz": sitemap,  # about 1 GiB of <url> entries
        "bad_crc": bad_crc,
    }


def _raw(status_line: bytes, headers: list[tuple[str, str]], body_writer: Any) -> Any:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        h.wfile.write(status_line + b"\r\n")
        for name, value in headers:
            h.wfile.write(f"{name}: {value}\r\n".encode())
        h.wfile.write(b"\r\n")
        try:
            body_writer(h)
        except (BrokenPipeError, ConnectionResetError):
            return

    return handle


def _endless_chunked(h: BaseHTTPRequestHandler) -> None:
    block = b"<p>" + b"a" * (64 * 1024 - 7) + b"</p>"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        h.wfile.write(f"{len(block):x}\r\n".encode() + block + b"\r\n")


def _slowloris(h: BaseHTTPRequestHandler) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        h.wfile.write(b"<")
        h.wfile.flush()
        time.sleep(2)


def _cut(total: int, sent: int) -> Any:
    def write(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(b"<" * sent)
        h.wfile.flush()
        h.connection.shutdown(socket.SHUT_RDWR)

    return write


def _reset_mid_body(h: BaseHTTPRequestHandler) -> None:
    h.wfile.write(b"%PDF-1.7\n" + b"0" * 100_000)
    h.wfile.flush()
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    h.connection.close()  # linger 0: the peer sees a TCP reset


def _sizes(message: str | None) -> tuple[int, int] | None:
    """(decompressed bytes at abort, limit) named by a size error message."""
    text = message or ""
    got = re.search(r"(\d+) B decompressed so far|decompressed so far \((\d+) B\)", text)
    limit = re.search(r"DOWNLOAD_MAXSIZE \((\d+) B\)|specified maximum \((\d+) B\)", text)
    if not got or not limit:
        return None
    return int(got.group(1) or got.group(2)), int(limit.group(1) or limit.group(2))


FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Lab</title>'
    b"<item><title>Kept</title><link>http://127.0.0.2/kept</link><guid>k1</guid>"
    b"<pubDate>Tue, 04 Mar 2025 09:00:00 +0100</pubDate></item></channel></rss>"
)


def test_settings_carry_the_guard_rails() -> None:
    """RELIABILITY.md §2 values, and the environment overrides the tests rely on."""
    from crawler.config import Settings
    from crawler.settings import build_settings

    s = build_settings()
    assert (s["DOWNLOAD_TIMEOUT"], s["DOWNLOAD_MAXSIZE"], s["REDIRECT_MAX_TIMES"]) == (30.0, LIMIT, 5)
    assert s["DOWNLOAD_HANDLERS"] == {"file": None, "data": None, "ftp": None, "s3": None}
    assert s["TELNETCONSOLE_ENABLED"] is False and s["DOWNLOAD_FAIL_ON_DATALOSS"] is True
    assert s["TWISTED_DNS_RESOLVER"] == "crawler.fetch.ssrf.GuardedResolver"
    assert set(s["RETRY_HTTP_CODES"]) == {408, 429, 500, 502, 503, 504, 522, 524}
    assert all("Timeout" in name or "TimedOut" in name for name in s["RETRY_EXCEPTIONS"])
    s = build_settings(runtime=Settings.from_env({"EWSI_DOWNLOAD_TIMEOUT": "3", "EWSI_DOWNLOAD_DELAY": "0"}))
    assert (s["DOWNLOAD_TIMEOUT"], s["DOWNLOAD_DELAY"], s["AUTOTHROTTLE_START_DELAY"]) == (3.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="EWSI_DOWNLOAD_TIMEOUT"):
        Settings.from_env({"EWSI_DOWNLOAD_TIMEOUT": "soon"})


@pytest.mark.slow
def test_bombs_and_broken_bodies_end_with_named_errors(tmp_path: Path, bombs: dict[str, bytes]) -> None:
    """T01, T03, T04, T05, T06 (16 MiB limit) in one crawl; then T02 (1,000,000 B) and the T06 re-run."""
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    served = {"short": 0}

    def short_then_full(h: BaseHTTPRequestHandler) -> None:
        served["short"] += 1
        if served["short"] == 1:
            _raw(
                b"HTTP/1.1 200 OK",
                [("Content-Length", "200000"), ("Content-Type", "application/rss+xml")],
                _cut(200_000, 100_000),
            )(h)
            return
        _raw(
            b"HTTP/1.1 200 OK",
            [("Content-Length", str(len(FEED))), ("Content-Type", "application/rss+xml")],
            lambda hh: hh.wfile.write(FEED),
        )(h)

    xml = {"Content-Type": "application/rss+xml"}
    with LabServer("127.0.0.2") as pub:
        feed_with_pdf = FEED.replace(b"http://127.0.0.2/kept", pub.url("/doc.pdf").encode())
        pub.routes.update(
            {
                "/t01": Route(bombs["gzip_5gib"], headers={**xml, "Content-Encoding": "gzip"}),
                "/t03a": Route(bombs["gzip_gzip"], headers={**xml, "Content-Encoding": "gzip, gzip"}),
                "/t03b": Route(
                    bombs["gzip_deflate_gzip"], headers={**xml, "Content-Encoding": "gzip, deflate, gzip"}
                ),
                "/t04a": _raw(
                    b"HTTP/1.1 200 OK",
                    [("Content-Length", "10737418240"), ("Content-Type", "text/xml")],
                    lambda h: h.wfile.write(b"<rss/>"),
                ),
                "/t04b": _raw(
                    b"HTTP/1.1 200 OK",
                    [("Transfer-Encoding", "chunked"), ("Content-Type", "text/xml")],
                    _endless_chunked,
                ),
                "/t04c": _raw(
                    b"HTTP/1.1 200 OK",
                    [("Content-Type", "text/xml"), ("Connection", "keep-alive")],
                    _slowloris,
                ),
                "/sitemap.xml.gz": Route(bombs["sitemap_gz"], headers={"Content-Type": "application/x-gzip"}),
                "/t06a": short_then_full,
                "/t06b": Route(bombs["bad_crc"], headers={**xml, "Content-Encoding": "gzip"}),
                "/t06c.xml": Route(feed_with_pdf, headers=xml),
                **{f"/hop{i}": Route(status=302, headers={"Location": f"/hop{i + 1}"}) for i in range(30)},
                "/doc.pdf": _raw(
                    b"HTTP/1.1 200 OK",
                    [("Content-Length", "400000"), ("Content-Type", "application/pdf")],
                    _reset_mid_body,
                ),
            }
        )
        sources = [
            ("t01-gzip-bomb", "feed", "/t01", "fetch.too_large", "compression"),
            ("t03-gzip-gzip", "feed", "/t03a", "fetch.too_large", "compression"),
            ("t03-gzip-deflate-gzip", "feed", "/t03b", "fetch.too_large", "compression"),
            ("t04-length-lie", "feed", "/t04a", "fetch.too_large", "size"),
            ("t04-endless", "feed", "/t04b", "fetch.too_large", "size"),
            ("t04-slowloris", "feed", "/t04c", "fetch.timeout", "size"),
            ("t05-sitemap-bomb", "sitemap", "/sitemap.xml.gz", "fetch.too_large", "compression"),
            ("t06-short-body", "feed", "/t06a", "fetch.data_loss", "partial"),
            ("t06-bad-crc", "feed", "/t06b", "fetch.data_loss", "partial"),
            ("t24-redirect-chain", "feed", "/hop0", "fetch.redirect_limit", "redirect"),
        ]
        config = [{"id": sid, "kind": kind, "urls": [pub.url(path)]} for sid, kind, path, _, _ in sources]
        config.append({"id": "t06-pdf-reset", "kind": "feed", "urls": [pub.url("/t06c.xml")], "follow": True})
        # slowloris: one timeout, not four (retries of timeouts are tested in test_fetch_politeness)
        result = crawl(tmp_path, db_url, config, overrides={"RETRY_TIMES": 0}, timeout=120)

        assert result.returncode == 0, result.stderr[-3000:]
        assert result.peak_rss_mb < 1024, result.peak_rss_mb
        per_input = result.wall_s / len(config)
        overshoots = []
        for sid, _, _, expected, family in sources:
            run = result.run(sid)
            assert (run["status"], run["error_key"]) == ("failed", expected), (sid, run)
            sizes = _sizes(run["error"])
            overshoot = None
            if expected == "fetch.too_large" and family == "compression":
                assert sizes is not None, (sid, run["error"])  # both sizes named
                overshoot = sizes[0] - sizes[1]
                assert sizes[1] == LIMIT and 0 < overshoot <= 64 * 1024, (sid, sizes)
                overshoots.append(overshoot)
            record(
                sid[:3].upper(),
                family,
                sid,
                error_key=run["error_key"],
                expected_key=expected,
                wall_s=per_input,
                peak_rss_mb=result.peak_rss_mb,
                overshoot_bytes=overshoot,
            )
        assert (
            "limit" in result.run("t04-length-lie")["error"]
            or "max size" in result.run("t04-length-lie")["error"]
        )
        assert result.run("t04-slowloris")["duration_s"] < 3 + 2 + 5  # timeout + margin on a loaded machine
        assert result.items_of("t05-sitemap-bomb") == [] and "/page" not in pub.paths()
        assert [
            r
            for r in result.items
            if r["source_id"].startswith(("t01", "t03", "t04", "t06-bad", "t06-short"))
        ] == []
        # T06(c): the reset PDF leaves no partial document; the item is kept, flagged by its page error
        pdf_run = result.run("t06-pdf-reset")
        assert pdf_run["status"] == "ok" and set(pdf_run["stats"]["page_errors"]) <= {
            "fetch.data_loss",
            "fetch.connect",
        }, pdf_run
        assert [i["text"] for i in result.items_of("t06-pdf-reset")] in ([None], [""])
        record(
            "T06",
            "partial",
            "t06-pdf-reset",
            error_key=next(iter(pdf_run["stats"]["page_errors"])),
            expected_key=next(iter(pdf_run["stats"]["page_errors"])),
            wall_s=per_input,
            peak_rss_mb=result.peak_rss_mb,
        )

        # T02 with a 1,000,000 B limit, and T06(a) again: the cut URL is fetched in full this time
        for name in ("br", "zstd", "deflate_zlib", "deflate_raw"):
            encoding = "br" if name == "br" else "zstd" if name == "zstd" else "deflate"
            pub.routes[f"/t02-{name}"] = Route(bombs[name], headers={**xml, "Content-Encoding": encoding})
        config2 = [
            {"id": f"t02-{n.replace('_', '-')}", "kind": "feed", "urls": [pub.url(f"/t02-{n}")]}
            for n in ("br", "zstd", "deflate_zlib", "deflate_raw")
        ] + [c for c in config if c["id"] == "t06-short-body"]
        result2 = crawl(tmp_path, db_url, config2, overrides={"DOWNLOAD_MAXSIZE": 1_000_000}, name="s2.yaml")
    for source in config2[:-1]:
        run = result2.run(source["id"])
        assert run["error_key"] == "fetch.too_large", (source["id"], run)
        sizes = _sizes(run["error"])
        assert sizes is not None and sizes[1] == 1_000_000 and sizes[0] < 1_100_000, (source["id"], sizes)
        record(
            "T02",
            "compression",
            source["id"],
            error_key=run["error_key"],
            expected_key="fetch.too_large",
            wall_s=result2.wall_s / len(config2),
            peak_rss_mb=result2.peak_rss_mb,
            overshoot_bytes=sizes[0] - sizes[1],
        )
    rerun = result2.run("t06-short-body")
    assert rerun["status"] == "ok" and [i["title"] for i in result2.items_of("t06-short-body")] == ["Kept"]
    assert served["short"] == 2
