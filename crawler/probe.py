"""Pure verdict of one source probe: what one fetch of a source's first URL says about it.

Input is a `ProbeResult` (status, final URL, content type, the first bytes of the body, whether
robots.txt allows the URL, how many links the listing selector matched). Output is one `Verdict`
(key, one-line message, what to do). Rules, checked in this order:

- robots.txt disallows the URL -> ``fetch.robots`` (nothing else is fetched);
- an anti-bot answer -> ``fetch.blocked_by_site``: 202 with any HTML body, a 403/429/503 whose page
  names a bot wall or challenge, or a 200 whose short page is a challenge (markers below); a 403
  without such a page is ``fetch.http_403`` (also blocked; the hint differs);
- 404/410 -> ``fetch.http_404``; 429 -> ``fetch.http_429``; other 4xx/5xx -> ``fetch.http_4xx``/``5xx``;
- a final URL on another path than asked -> ``moved`` (the hint names the new URL);
- ``kind: feed`` whose body is not RSS/Atom/RDF -> ``parse.not_a_feed``; a feed with no entries
  -> ``parse.no_items``;
- ``kind: listing`` whose selector matches nothing -> ``parse.selector_empty``, and if the page is
  a script shell (little visible text, a script-mounted root) -> ``parse.javascript_only``;
- ``kind: api`` whose body is not JSON -> ``parse.json_invalid``; otherwise ``ok``.
Every key but ``ok`` and ``moved`` is one of crawler.errors.ERROR_KEYS.
Bodies are untrusted bytes: only the first `SNIFF_BYTES` are looked at, decoded leniently.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

SNIFF_BYTES = 65_536
"""Bytes of a body the verdict looks at (a challenge page or a feed's head fits in it)."""

CHALLENGE_MARKERS = (
    "captcha",
    "cf-challenge",
    "challenge-platform",
    "just a moment",
    "checking your browser",
    "attention required",
    "access denied",
    "bot protection",
    "are you a robot",
    "request unsuccessful",
    "incapsula",
    "distil_r_captcha",
    "_incapsula_resource",
    "perimeterx",
    "enable javascript and cookies",
    "azion",
)
"""Lower-case phrases seen on anti-bot and challenge pages of common site shields."""

_FEED_ROOT = re.compile(rb"<(?:[a-z0-9]+:)?(rss|feed|rdf)\b", re.IGNORECASE)
_FEED_ENTRY = re.compile(rb"<(?:[a-z0-9]+:)?(item|entry)\b", re.IGNORECASE)
_TAGS = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_APP_ROOT = re.compile(r"<(?:div|main)[^>]+id=[\"'](?:root|app|__next|__nuxt)[\"']|<noscript", re.IGNORECASE)


@dataclass(frozen=True)
class ProbeResult:
    """What one probe fetch saw."""

    url: str
    kind: str
    status: int
    final_url: str | None = None
    content_type: str = ""
    body: bytes = b""
    robots_allowed: bool = True
    selector_matches: int | None = None


@dataclass(frozen=True)
class Verdict:
    """One line per source: `key` (ok, moved, or an error key), what was seen, what to do."""

    key: str
    message: str
    hint: str

    @property
    def ok(self) -> bool:
        return self.key == "ok"

    def line(self, source_id: str) -> str:
        return f"{source_id}: {self.key}: {self.message}" + (f" -> {self.hint}" if self.hint else "")


def _text(body: bytes) -> str:
    return body[:SNIFF_BYTES].decode("utf-8", errors="replace")


def is_challenge(body: bytes) -> bool:
    """True when the page reads as an anti-bot wall or challenge (any `CHALLENGE_MARKERS` phrase)."""
    low = _text(body).lower()
    return any(marker in low for marker in CHALLENGE_MARKERS)


def visible_text(html: str) -> str:
    """The page's text without tags, scripts and styles, whitespace collapsed."""
    return " ".join(_TAGS.sub(" ", html).split())


def is_javascript_only(body: bytes) -> bool:
    """True for a script shell: under 200 characters of visible text, and a script-mounted root,
    a <noscript> or at least three scripts."""
    html = _text(body)
    return len(visible_text(html)) < 200 and bool(
        _APP_ROOT.search(html) or html.lower().count("<script") >= 3
    )


def looks_like_feed(body: bytes) -> bool:
    """True when the head of the body opens an RSS, Atom or RDF document."""
    head = body[:4096].lstrip()
    return bool(_FEED_ROOT.search(head)) and not head[:200].lower().startswith((b"<!doctype html", b"<html"))


def _moved(result: ProbeResult) -> bool:
    if not result.final_url or result.final_url == result.url:
        return False
    asked, got = urlsplit(result.url), urlsplit(result.final_url)
    return (asked.hostname or "").removeprefix("www.") != (got.hostname or "").removeprefix("www.") or (
        asked.path.rstrip("/") != got.path.rstrip("/")
    )


def verdict(result: ProbeResult) -> Verdict:
    """The verdict for one probe (rules in the module docstring)."""
    if not result.robots_allowed:
        return Verdict("fetch.robots", "robots.txt disallows this URL", "ask the publisher or find a feed")
    status, html = result.status, _text(result.body)
    challenge = is_challenge(result.body)
    is_html = "html" in result.content_type.lower() or html.lstrip()[:200].lower().startswith(
        ("<!doctype", "<html")
    )
    if status == 202 and (is_html or not result.body.strip()):
        return Verdict(
            "fetch.blocked_by_site",
            "202 with a page instead of content (anti-bot answer)",
            "ask the publisher to allow the crawler's User-Agent, or disable the source",
        )
    if status in (403, 429, 503) and challenge:
        return Verdict(
            "fetch.blocked_by_site",
            f"{status} with a bot wall",
            "ask the publisher to allow the crawler's User-Agent, or disable the source",
        )
    if (
        200 <= status < 300
        and challenge
        and len(visible_text(html)) < 2000
        and not looks_like_feed(result.body)
    ):
        return Verdict(
            "fetch.blocked_by_site",
            f"{status} with a challenge page",
            "ask the publisher to allow the crawler's User-Agent, or disable the source",
        )
    if status == 403:
        return Verdict(
            "fetch.http_403", "403 forbidden", "the site refuses crawlers: ask the publisher or disable"
        )
    if status in (404, 410):
        return Verdict(
            "fetch.http_404", f"{status}: the URL is gone", "find the new address with `ewsi sources add`"
        )
    if status >= 400:
        key = "fetch.http_429" if status == 429 else f"fetch.http_{status // 100}xx"
        return Verdict(key, f"HTTP {status}", "retry later; if it persists, check the URL")
    if _moved(result):
        return Verdict(
            "moved", f"redirected to {result.final_url}", f"replace the URL with {result.final_url}"
        )
    if result.kind == "feed":
        if not looks_like_feed(result.body):
            hint = "this is a web page: run `ewsi sources add` on it to find its feed"
            return Verdict("parse.not_a_feed", "the answer is not RSS/Atom", hint)
        if not _FEED_ENTRY.search(result.body[:SNIFF_BYTES]):
            return Verdict(
                "parse.no_items", "the feed has no entries", "check again later; if it stays empty, disable"
            )
    elif result.kind == "listing":
        if not result.selector_matches:
            if is_javascript_only(result.body):
                hint = "the page is rendered by JavaScript: look for its JSON API or feed"
                return Verdict("parse.javascript_only", "the page holds no content without JavaScript", hint)
            hint = "propose a new selector with `ewsi sources add URL --dry-run`"
            return Verdict("parse.selector_empty", "the link selector matches nothing", hint)
    elif result.kind == "api":
        try:
            data = json.loads(result.body.decode("utf-8", errors="strict") or "null")
        except (ValueError, UnicodeDecodeError):
            return Verdict(
                "parse.json_invalid", "the answer is not JSON", "check the API URL and its parameters"
            )
        if not data:
            return Verdict("parse.no_items", "the JSON answer is empty", "check the API parameters")
    elif result.kind == "sitemap" and b"<loc" not in result.body[:SNIFF_BYTES].lower():
        return Verdict("parse.no_items", "the sitemap lists no URLs", "check the sitemap URL in robots.txt")
    return Verdict("ok", f"HTTP {status}", "")
