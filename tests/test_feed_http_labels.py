"""Feeds behind HTTP answers that lie or loop, in a real crawl over the loopback lab (SQLite and PostgreSQL).

Each route is a fault reported against feed readers and HTTP clients:
- a gzip body without Content-Encoding, as ``application/x-gzip``, or gzipped twice (rbren/rss-parser#280,
  apache/trafficcontrol#1737): the feed is read (crawler.fetch.compression, "applied but not declared");
- ``Content-Encoding: gzip`` on a plain body (danmactough/node-feedparser#277, projectdiscovery/httpx#307):
  read as it is ("declared but not applied"); a gzip, deflate or br body cut short is ``fetch.data_loss``
  (Scrapy's deflate and br decoders handed on the bytes before the cut);
- a redirect loop, and a redirect to itself: ``fetch.redirect_limit`` naming the chain, where the
  duplicate filter used to drop the hop and the run ended ``parse.no_items`` without a message;
- a 304 to a request without validators (caddyserver/cache-handler#137): ``fetch.error`` naming it;
- a 301 without Location: ``fetch.error`` whose message says so, not "Ignoring non-200 response".
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any

import brotli
import pytest

from tests.desklab import SQLITE_ONLY
from tests.fetchlab import crawl, migrate
from tests.lab import LabServer, Route

pytestmark = pytest.mark.slow

RSS = "application/rss+xml"


def _feed(tag: str) -> bytes:
    items = "".join(
        f"<item><title>Language course {n} for newcomers</title>"
        f"<link>https://city.example.eu/{tag}/{n}</link><guid>{tag}-{n}</guid>"
        f"<pubDate>Tue, 04 Mar 2025 09:0{n}:00 +0100</pubDate></item>"
        for n in (1, 2)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>City</title>'
        f"<link>https://city.example.eu/</link>{items}</channel></rss>"
    ).encode()


GZ = {"Content-Type": RSS, "Content-Encoding": "gzip"}
UNDECLARED, NOT_APPLIED = ["ewsi/fetch/gzip_undeclared"], ["ewsi/fetch/encoding_not_applied"]
# route -> (status, headers, body, run status, error key, message part, stats that must be 1)
ROUTES: dict[str, tuple[int, dict[str, str], bytes, str, str | None, str, list[str]]] = {
    "gzip-undeclared": (200, {"Content-Type": RSS}, gzip.compress(_feed("a")), "ok", None, "", UNDECLARED),
    "gzip-x-gzip-type": (200, {"Content-Type": "application/x-gzip"}, gzip.compress(_feed("b")), "ok", None,
                         "", UNDECLARED),
    "gzip-twice": (200, GZ, gzip.compress(gzip.compress(_feed("c"))), "ok", None, "", UNDECLARED),
    "gzip-label-plain-body": (200, GZ, b"\n" + _feed("d"), "ok", None, "", NOT_APPLIED),
    "gzip-cut": (200, GZ, gzip.compress(_feed("e") * 40)[:-25], "failed", "fetch.data_loss",
                 "gzip stream cut short", []),
    "deflate-cut": (200, {**GZ, "Content-Encoding": "deflate"}, zlib.compress(_feed("f") * 40)[:-300],
                    "failed", "fetch.data_loss", "deflate stream cut short", []),
    "br-cut": (200, {**GZ, "Content-Encoding": "br"}, brotli.compress(_feed("g") * 40)[:-30], "failed",
               "fetch.data_loss", "br stream cut short", []),
    "loop-a": (302, {"Location": "/loop-b"}, b"", "failed", "fetch.redirect_limit",
               "redirect loop (302): {base}/loop-a -> {base}/loop-b -> {base}/loop-a", []),
    "self": (301, {"Location": "/self"}, b"", "failed", "fetch.redirect_limit",
             "redirect loop (301): {base}/self -> {base}/self", []),
    "unasked-304": (304, {}, b"", "failed", "fetch.error", "304 Not Modified to a request without validators",
                    ["ewsi/fetch/unasked_304"]),
    "moved-nowhere": (301, {}, b"", "failed", "fetch.error", "HTTP 301 without a Location header", []),
}  # fmt: skip


@SQLITE_ONLY
def test_lying_labels_loops_and_unasked_304s(tmp_path: Path, db_url: str) -> None:
    migrate(db_url)
    with LabServer("127.0.0.2") as lab:
        for name, (status, headers, body, *_rest) in ROUTES.items():
            lab.routes[f"/{name}"] = Route(body, status=status, headers=headers)
        lab.routes["/loop-b"] = Route(b"", status=302, headers={"Location": "/loop-a"})
        sources = [{"id": f"h-{name}", "kind": "feed", "urls": [lab.url(f"/{name}")]} for name in ROUTES]
        result = crawl(tmp_path, db_url, sources, timeout=180)
        base = lab.base
        hits = lab.paths()
    assert result.returncode == 0, result.stderr[-3000:]
    for name, (_s, _h, _b, status, key, message, counted) in ROUTES.items():
        run: dict[str, Any] = result.run(f"h-{name}")
        assert (run["status"], run["error_key"]) == (status, key), (name, run)
        assert message.replace("{base}", base) in (run["error"] or ""), (name, run["error"])
        for stat in counted:
            assert run["stats"].get(stat) == 1, (name, stat, run["stats"])
        stored = sorted(i["url"] for i in result.items_of(f"h-{name}"))
        if status == "ok":
            tag = stored[0].split("/")[3]
            assert stored == [f"https://city.example.eu/{tag}/1", f"https://city.example.eu/{tag}/2"], name
            assert all(i["title"].startswith("Language course") for i in result.items_of(f"h-{name}"))
        else:
            assert stored == [], name
    # the loop ends at the hop that closes it: each URL asked once
    assert hits.count("/loop-a") == 1 and hits.count("/loop-b") == 1 and hits.count("/self") == 1
