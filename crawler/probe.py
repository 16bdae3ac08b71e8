"""Pure verdict of one source probe: what one fetch of a source's first URL says about it.

Input is a `ProbeResult` (status, final URL, content type, the first bytes of the body, whether
robots.txt allows the URL, how many links the listing selector matched). Output is one `Verdict`
(key, one-line message, what to do). Rules, checked in this order:

- robots.txt disallows the URL -> ``fetch.robots`` (nothing else is fetched);
- an anti-bot answer -> ``fetch.blocked_by_site``: 202 with any HTML body, a 403/429/503 whose page
  names a bot wall or challenge, or a 200 whose short page is a challenge (markers below); a 403
  without such a page is ``fetch.http_403`` (also blocked; the hint differs);
- 404/410 -> ``fetch.http_404``; 429 -> ``fetch.http_429``; other 4xx/5xx -> ``fetch.http_4xx``/``5xx``;
- a permanent redirect (301 or 308, crawler.health rule 4) -> ``moved`` (the hint names the new
  URL, to put in the config); a temporary one (302, 303, 307) is followed and judged as the answer
  it leads to; without the redirects known, a final URL on another path than asked -> ``moved``;
- ``kind: feed`` whose body is not RSS/Atom/RDF -> ``parse.not_a_feed``; a feed with no entries
  -> ``parse.no_items``;
- ``kind: listing`` whose selector matches nothing -> ``parse.selector_empty``, and if the page is
  a script shell (little visible text, a script-mounted root) -> ``parse.javascript_only``;
- ``kind: api`` whose body is not JSON -> ``parse.json_invalid``; otherwise ``ok``.
Every key but ``ok``, ``warning`` and ``moved`` is one of crawler.errors.ERROR_KEYS; ``warning``
(given by crawler.onboard.check_source to a feed a crawl reads with a parse warning) is `usable`.
A fetch that never got an answer to judge (DNS, refused, timeout, TLS, SSRF refusal; a body over
the size limit, cut short or corruptly compressed; a redirect loop) is `failure` with the key
crawler.errors.error_key_for gives it, the same key a crawl records.
Hints (`hint_for`) fit the source's kind: a feed's hint speaks of RSS/Atom/JSON Feed, only a
listing's hint speaks of a selector, a sitemap's of robots.txt and <loc>, an api's of JSON.
Bodies are untrusted bytes: only the first `SNIFF_BYTES` are looked at, decoded leniently. The body
is judged as given: the caller (crawler.onboard `crawl_bytes`) gives it as the crawl reads it, a
UTF-16 or UTF-32 feed or JSON answer re-encoded as UTF-8 by the crawl's own readers
(crawler.xmltext, crawler.jsontext), so the check has no byte sniffer of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
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
    moved_to: str | None = None
    """where the URL moved for good (a 301/308, crawler.health.moved_to), when the redirects are known"""
    redirects_known: bool = False
    """True when the fetch told its redirects: only `moved_to` is then a move, a temporary one is not"""


@dataclass(frozen=True)
class Verdict:
    """One line per source: `key` (ok, moved, or an error key), what was seen, what to do."""

    key: str
    message: str
    hint: str

    @property
    def ok(self) -> bool:
        return self.key == "ok"

    @property
    def usable(self) -> bool:
        """True for ``ok`` and ``warning`` (a harvest reads the source and notes the problem)."""
        return self.key in ("ok", "warning")

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


def looks_like_json_feed(body: bytes) -> bool:
    """True when the head of the body is a JSON object naming a JSON Feed version."""
    head = body[:4096].lstrip()
    return head.startswith(b"{") and b"jsonfeed.org/version/" in head.replace(b"\\/", b"/")


HINTS: dict[str, str] = {
    "fetch.robots": "ask the publisher or find a feed",
    "fetch.blocked_by_site": "ask the publisher to allow the crawler's User-Agent, or disable the source",
    "fetch.http_403": "the site refuses crawlers: ask the publisher or disable",
    "fetch.http_404": "find the new address with `ewsi sources add`",
    "fetch.http_429": "retry later; if it persists, check the URL",
    "fetch.host_paused": "nothing to do: the crawl tries again once the host's pause ends",
    "fetch.http_4xx": "retry later; if it persists, check the URL",
    "fetch.http_5xx": "retry later; if it persists, check the URL",
    "fetch.dns": "check the host name in the URL (typo, or a site that moved) and retry",
    "fetch.connect": "check the host and port; the server may be down: retry later",
    "fetch.timeout": "the server is slow or unreachable: retry later, or raise EWSI_DOWNLOAD_TIMEOUT",
    "fetch.tls": "the site's certificate or TLS setup is broken: tell the publisher, or try http://",
    "fetch.blocked_address": "set the allowlist named in the message, or use the site's public URL",
    "fetch.blocked_scheme": "use an http:// or https:// URL",
    "fetch.too_large": "the body is over the download size limit (also after decompression): "
    "find a smaller feed or sitemap, or ask the publisher",
    "fetch.data_loss": "the body arrived cut short or its compression is corrupt: retry later; "
    "if it persists, tell the publisher",
    "fetch.redirect_limit": "the URL redirects in a loop or too often: open it in a browser and use "
    "the address it ends on",
    "fetch.error": "check the URL and retry",
}
"""Hints of the keys that mean the same for every kind of source."""

KIND_HINTS: dict[tuple[str, str], str] = {
    ("parse.not_a_feed", "feed"): "check that the URL serves RSS, Atom or JSON Feed (not its web page), "
    "or add the page with `ewsi sources add URL` as `kind: listing`",
    ("parse.no_items", "feed"): "check again later; if it stays empty, disable",
    ("parse.selector_empty", "listing"): "propose a new selector with `ewsi sources add URL --dry-run`",
    ("parse.javascript_only", "listing"): "the page is rendered by JavaScript: look for its JSON API or feed",
    ("parse.json_invalid", "api"): "check the API URL and its parameters",
    ("parse.json_too_deep", "api"): "the API answers JSON nested deeper than any record list: check the "
    "API URL and its parameters, or tell the publisher",
    ("parse.no_items", "api"): "check the API parameters and the `api.items` expression",
    ("parse.no_items", "sitemap"): "check the sitemap URL in robots.txt: it must list pages in <loc>",
    ("parse.sitemap_malformed", "sitemap"): "the sitemap cannot be read exactly (not well-formed XML, or "
    "entities defined in a DOCTYPE): tell the publisher, or harvest the site's feed or listing instead",
    ("parse.ical_invalid", "ical"): "check that the URL serves an iCalendar file (BEGIN:VCALENDAR)",
}
"""Hints of the parse keys, by (key, source kind): each speaks of what that kind's config holds."""


UNREACHABLE_KEYS = frozenset({"fetch.dns", "fetch.connect", "fetch.timeout", "fetch.tls"})
"""Error keys meaning "no network" when every host fails with one (`no_host_reached`)."""

OFFLINE_HINT = "no host at all could be reached: this machine seems to have no network; retry once it has"
"""What to do about a failure of `UNREACHABLE_KEYS` when `no_host_reached`: the host is not to blame."""


def no_host_reached(keys: Iterable[str | None]) -> bool:
    """Whether the machine looks offline: at least one attempt, and every one failed with a key of
    `UNREACHABLE_KEYS` (DNS, connect, timeout, TLS). The one rule of ``ewsi crawl`` (over its
    sources) and ``ewsi sources check|add`` (over the hosts they tried); one answer, or one failure
    of another kind, means the network is up."""
    seen = list(keys)
    return bool(seen) and all(key in UNREACHABLE_KEYS for key in seen)


def hint_for(key: str, kind: str) -> str:
    """What to do about `key` for a source of `kind` (rule in the module docstring)."""
    return KIND_HINTS.get((key, kind)) or HINTS.get(key, "")


def failure(key: str, message: str, kind: str = "") -> Verdict:
    """The verdict of a probe that got no answer: `key` from crawler.errors.error_key_for."""
    return Verdict(key, message, hint_for(key, kind))


def _moved(result: ProbeResult) -> bool:
    if result.redirects_known:  # a permanent redirect only (301, 308); 302, 303, 307 are no move
        return result.moved_to is not None
    if not result.final_url or result.final_url == result.url:
        return False
    asked, got = urlsplit(result.url), urlsplit(result.final_url)
    return (asked.hostname or "").removeprefix("www.") != (got.hostname or "").removeprefix("www.") or (
        asked.path.rstrip("/") != got.path.rstrip("/")
    )


def _is_html(content_type: str, body: bytes) -> bool:
    return "html" in content_type.lower() or _text(body).lstrip()[:200].lower().startswith(
        ("<!doctype", "<html")
    )


def blocked_by_site(status: int, content_type: str, body: bytes) -> str | None:
    """What makes an answer an anti-bot one (``fetch.blocked_by_site``), for a message; None if not.

    The rule of the check and of a crawl (crawler.fetch.shield, spiders.feed): a 202 with an HTML
    page or no body; a 403, 429 or 503 whose page has a `CHALLENGE_MARKERS` phrase; a 2xx page with
    such a phrase, under 2,000 characters of visible text and not a feed.
    """
    challenge = is_challenge(body)
    if status == 202 and (_is_html(content_type, body) or not body.strip()):
        return "202 with a page instead of content (anti-bot answer)"
    if status in (403, 429, 503) and challenge:
        return f"{status} with a bot wall"
    if (
        200 <= status < 300
        and challenge
        and len(visible_text(_text(body))) < 2000
        and not looks_like_feed(body)
    ):
        return f"{status} with a challenge page"
    return None


def verdict(result: ProbeResult) -> Verdict:
    """The verdict for one probe (rules in the module docstring)."""
    kind = result.kind

    def said(key: str, message: str) -> Verdict:
        return Verdict(key, message, hint_for(key, kind))

    if not result.robots_allowed:
        return said("fetch.robots", "robots.txt disallows this URL")
    status = result.status
    is_html = _is_html(result.content_type, result.body)
    shield = blocked_by_site(status, result.content_type, result.body)
    if shield is not None:
        return said("fetch.blocked_by_site", shield)
    if status == 403:
        return said("fetch.http_403", "403 forbidden")
    if status in (404, 410):
        return said("fetch.http_404", f"{status}: the URL is gone")
    if status >= 400:
        key = "fetch.http_429" if status == 429 else f"fetch.http_{status // 100}xx"
        return said(key, f"HTTP {status}")
    if _moved(result):
        new = result.moved_to or result.final_url
        return Verdict(
            "moved",
            f"moved permanently to {new}" if result.moved_to else f"redirected to {new}",
            f"replace the URL with {new} in the config",
        )
    if kind == "feed":
        if looks_like_json_feed(result.body):
            if b'"items"' not in result.body[:SNIFF_BYTES] or re.search(
                rb'"items"\s*:\s*\[\s*\]', result.body[:SNIFF_BYTES]
            ):
                return said("parse.no_items", "the feed has no entries")
        elif not looks_like_feed(result.body):
            seen = "a web page" if is_html else "no feed"
            return said("parse.not_a_feed", f"the answer is {seen}, not RSS/Atom/JSON Feed")
        elif not _FEED_ENTRY.search(result.body[:SNIFF_BYTES]):
            return said("parse.no_items", "the feed has no entries")
    elif kind == "listing":
        if not result.selector_matches:
            if is_javascript_only(result.body):
                return said("parse.javascript_only", "the page holds no content without JavaScript")
            return said("parse.selector_empty", "the link selector matches nothing")
    elif kind == "api":
        try:
            # whether the answer parses and holds something, as the harvest's decoding
            # (crawler.jsontext) reads it: a byte order mark or UTF-16/32 named by its NUL pattern,
            # bytes that are not UTF-8 replaced (a Latin-1 letter never makes an answer "not JSON")
            text = result.body.decode(json.detect_encoding(result.body), "replace").removeprefix("\ufeff")
            data = json.loads(text) if text.strip() else None
        except (ValueError, RecursionError):
            return said("parse.json_invalid", "the answer is not JSON")
        if not data:
            return said("parse.no_items", "the JSON answer is empty")
    elif kind == "sitemap" and b"<loc" not in result.body[:SNIFF_BYTES].lower():
        return said("parse.no_items", "the sitemap lists no URLs")
    return Verdict("ok", f"HTTP {status}", "")
