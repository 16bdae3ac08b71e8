"""Anti-bot answers and refusing statuses get the key `ewsi sources check` gives them, in a real crawl.

Rules under test (crawler.fetch.shield, crawler.probe.blocked_by_site, crawler.errors.http_status_key):
a 202 with a page or no body, and a 403/429/503 whose page names a challenge or bot wall, fail with
``fetch.blocked_by_site`` and are asked once (no retries); a 200 challenge page where a feed was
expected is ``fetch.blocked_by_site``, an ordinary HTML page stays ``parse.not_a_feed``; a plain 403
is ``fetch.http_403`` and a 410 ``fetch.http_404``; a plain 503 is still retried; a real feed that
mentions a captcha is read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.probe import ProbeResult, verdict
from tests.fetchlab import crawl, migrate
from tests.lab import LabServer, Route

pytestmark = pytest.mark.slow

HTML = {"Content-Type": "text/html; charset=utf-8"}
CF = (
    b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>'
    b'<div id="challenge-running">Checking your browser before accessing the site.</div>'
    b'<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></body></html>'
)
AKAMAI = (
    b"<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don't have "
    b"permission to access this resource on this server.<P>Reference #18.4f2c1002</BODY></HTML>"
)
IMPERVA = (
    b'<html><head><META NAME="robots" CONTENT="noindex,nofollow"><script src="/_Incapsula_Resource?'
    b'SWJIYLWA=5074a744"></script></head><body><iframe src="/_Incapsula_Resource?x=1">'
    b"Request unsuccessful. Incapsula incident ID: 123</iframe></body></html>"
)
PLAIN = b"<!doctype html><html><head><title>Forbidden</title></head><body><p>Forbidden</p></body></html>"
ABOUT = (
    b"<!doctype html><html><head><title>Our newsletters</title></head><body><h1>Newsletters</h1>"
    b"<p>Subscribe to the monthly letter on integration projects.</p></body></html>"
)
FEED_WITH_CAPTCHA = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>City</title>'
    b"<link>https://city.example.eu/</link><item><title>Online forms no longer ask for a captcha</title>"
    b"<link>https://city.example.eu/a/1</link><pubDate>Tue, 04 Mar 2025 09:00:00 +0100</pubDate>"
    b"</item></channel></rss>"
)

# path -> (status, headers, body, crawl key (None: ok), times the URL is asked)
ANSWERS: dict[str, tuple[int, dict[str, str], bytes, str | None, int]] = {
    "cf-403": (403, {**HTML, "cf-mitigated": "challenge"}, CF, "fetch.blocked_by_site", 1),
    "cf-503": (503, HTML, CF, "fetch.blocked_by_site", 1),
    "cf-429": (429, HTML, CF, "fetch.blocked_by_site", 1),
    "cf-200": (200, HTML, CF, "fetch.blocked_by_site", 1),
    "akamai-403": (403, HTML, AKAMAI, "fetch.blocked_by_site", 1),
    "akamai-200": (200, HTML, AKAMAI, "fetch.blocked_by_site", 1),
    "imperva-200": (200, HTML, IMPERVA, "fetch.blocked_by_site", 1),
    "waf-202-empty": (202, {}, b"", "fetch.blocked_by_site", 1),
    "waf-202-page": (202, HTML, PLAIN, "fetch.blocked_by_site", 1),
    "plain-403": (403, HTML, PLAIN, "fetch.http_403", 1),
    "gone-410": (410, HTML, PLAIN, "fetch.http_404", 1),
    "plain-503": (503, HTML, PLAIN, "fetch.http_5xx", 3),
    "about-page-200": (200, HTML, ABOUT, "parse.not_a_feed", 1),
    "feed-mentions-captcha": (200, {"Content-Type": "application/rss+xml"}, FEED_WITH_CAPTCHA, None, 1),
}  # fmt: skip


def test_anti_bot_answers_are_blocked_by_site_as_the_check_says(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'shield.sqlite'}"
    migrate(db_url)
    with LabServer("127.0.0.2") as lab:
        for name, (status, headers, body, *_rest) in ANSWERS.items():
            lab.routes[f"/{name}"] = Route(body, status=status, headers=headers)
        sources = [{"id": f"s-{name}", "kind": "feed", "urls": [lab.url(f"/{name}")]} for name in ANSWERS]
        # No answer here is slow: a download timeout well above the lab's 3 s keeps a loaded
        # machine's scheduling delay from turning the retried 503 into fetch.timeout.
        result = crawl(
            tmp_path,
            db_url,
            sources,
            overrides={"RETRY_TIMES": 2},
            env={"EWSI_DOWNLOAD_TIMEOUT": "20"},
            timeout=180,
        )
        hits = lab.paths()
    assert result.returncode == 0, result.stderr[-3000:]
    for name, (status, headers, body, key, asked) in ANSWERS.items():
        run = result.run(f"s-{name}")
        assert run["error_key"] == key, (name, run["error_key"], run["error"])
        assert hits.count(f"/{name}") == asked, (name, hits.count(f"/{name}"))
        if key is None:
            assert [i["url"] for i in result.items_of(f"s-{name}")] == ["https://city.example.eu/a/1"]
        else:
            assert run["status"] == "failed" and result.items_of(f"s-{name}") == []
        if key == "fetch.blocked_by_site":
            assert "bot wall" in run["error"] or "challenge page" in run["error"] or "202" in run["error"]
        if name != "plain-503":  # the check, which asks once, names the answer alike
            probe = ProbeResult(
                lab.url(f"/{name}"), "feed", status, content_type=headers.get("Content-Type", ""), body=body
            )
            assert verdict(probe).key == (key or "ok"), name
