"""Onboarding a source from one URL, and probing existing sources (`ewsi sources add|check`).

`propose` turns a `Discovery` into a source entry (a dict the operator YAML accepts) and
`render` writes it as a commented YAML block that `crawler.sources.load_sources` validates
(`validate_entry`). `preview` reads the first items as a harvest would store them: title and
summary made plain text by the normalise stage's own `pipelines.normalize.plain_line`, date
(ISO 8601), language (pipelines.language) and the classifier's relevance and assigned themes.
`check_source` makes one probe per source and returns its `crawler.probe.Verdict`. A `Fetcher`
is any callable ``url -> Fetched`` (crawler.fetch.oneshot.fetch in production, recorded bytes
in tests); a `RobotsReader` is ``url -> (allowed, robots.txt text)``.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import yaml

from crawler.coverage import MEMBER_STATES
from crawler.discover import Discovery, discover, duplicate_of, slug_for
from crawler.errors import BlockedAddress, BlockedScheme, DuplicateSource, NoAnswer, error_key_for
from crawler.fetch.oneshot import Fetched
from crawler.fetch.refusals import FetchRefused
from crawler.health import moved_to
from crawler.probe import OFFLINE_HINT, ProbeResult, Verdict, failure, no_host_reached, verdict
from crawler.sources import Source, load_sources
from crawler.urls import host_country

Fetcher = Callable[[str], Fetched]
RobotsReader = Callable[[str], tuple[bool, str]]
T = TypeVar("T")


@dataclass(frozen=True)
class PreviewItem:
    """One item as a harvest would store it."""

    title: str
    url: str | None
    published: str | None
    language: str
    relevance: float
    themes: tuple[str, ...]


def country_of(url: str) -> str:
    """A member state's code from the host's country TLD (``.de`` -> ``DE``, crawler.urls.host_country),
    else ``EU``."""
    code = host_country(url)
    return code if code in MEMBER_STATES else "EU"


def page_language(body: bytes) -> str | None:
    """The page's ``<html lang>`` (two letters), or None."""
    match = re.search(rb"<html[^>]*\blang=[\"']?([a-zA-Z]{2})", body[:4096])
    return match.group(1).decode().lower() if match else None


def page_title(body: bytes) -> str | None:
    """The page's or feed's first ``<title>`` text, entities decoded, control, bidirectional and
    zero-width characters removed (a source name is plain text: crawler.sources), whitespace
    collapsed; or None."""
    match = re.search(rb"<title[^>]*>(.*?)</title>", body[:65536], re.IGNORECASE | re.DOTALL)
    if not match:
        return None
    text = re.sub(r"<!\[CDATA\[|\]\]>|<[^>]+>", "", match.group(1).decode("utf-8", errors="replace"))
    text = html.unescape(text)
    text = "".join(c for c in " ".join(text.split()) if unicodedata.category(c) not in ("Cc", "Cf"))
    return " ".join(text.split())[:200] or None  # plain text, as Source.name wants


def propose(
    found: Discovery, body: bytes, source_id: str | None = None, today: date | None = None
) -> dict[str, Any]:
    """A source entry for what `found` offers; raises ValueError when it offers nothing harvestable."""
    kind = found.kind
    if kind is None:
        raise ValueError(f"{found.url}: no feed, sitemap, JSON records or repeated article links found")
    url = {"feed": (found.feeds or [found.url])[0], "sitemap": (found.sitemaps or [found.url])[0]}.get(
        kind, found.url
    )
    host = (urlsplit(found.url).hostname or "").removeprefix("www.")
    language = page_language(body)
    when = (today or datetime.now(UTC).date()).isoformat()
    seen = {
        "feed": f"feed {url} named by the page" if url != found.url else "the URL answered a feed",
        "api": f"JSON answer with {found.api.count} records at {found.api.items}" if found.api else "",
        "listing": f"{len(found.sample_links)} article links matched by the proposed selector",
        "sitemap": f"sitemap {url} named by robots.txt",
    }[kind]
    entry: dict[str, Any] = {
        "id": source_id or slug_for(url),
        "name": page_title(body) or host,
        "publisher": host,
        "country": country_of(found.url),
        "languages": [language] if language else [],
        "content_type": "news",
        "kind": kind,
        "urls": [url],
        "schedule": "0 7 * * *",
        "timezone": "Europe/Brussels",
        "follow": kind in ("feed", "listing", "sitemap"),
        "enabled": True,
    }
    if kind == "listing" and found.selector:
        entry["listing"] = {"links": found.selector}
    if kind == "api" and found.api:
        entry["api"] = found.api.as_config()
    entry["verified"] = (
        f"proposed by `ewsi sources add` on {when}: {seen}; review name, publisher and schedule"
    )
    return entry


def render(entry: dict[str, Any], found: Discovery) -> str:
    """The entry as a YAML list item with comments on what was found, ready to append under ``sources:``."""
    lines = [f"# {entry['id']}: proposed from {found.url} (kind {entry['kind']})"]
    if found.feeds[1:]:
        lines.append("# other feeds on the page: " + ", ".join(found.feeds[1:4]))
    if found.sitemaps and entry["kind"] != "sitemap":
        lines.append("# sitemaps in robots.txt: " + ", ".join(found.sitemaps[:3]))
    for link in found.sample_links[:3]:
        lines.append(f"# sample link: {link}")
    body = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=200)
    return "\n".join(lines) + "\n" + body


def validate_entry(block: str, existing_text: str = "sources: []\n") -> Source:
    """Validate a rendered block appended to an operator file's text; returns the new `Source`.

    Raises `crawler.errors.ConfigError` with file:line:field problems."""
    text = existing_text.rstrip("\n")
    if re.search(r"^sources:\s*\[\]\s*$", text, re.MULTILINE):
        text = re.sub(r"^sources:\s*\[\]\s*$", "sources:", text, flags=re.MULTILINE)
    config = load_sources("new entry", text=text + "\n" + block)
    return config.sources[-1]


def existing_urls(config_text: str) -> dict[str, list[str]]:
    """{source id: urls} of an operator file (already validated elsewhere; unreadable entries skipped)."""
    doc = yaml.safe_load(config_text) or {}
    return {
        str(s.get("id")): [str(u) for u in s.get("urls") or []]
        for s in doc.get("sources") or []
        if isinstance(s, dict)
    }


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple | list) and len(value) >= 6:  # feedparser's struct_time
        year, month, day, hour, minute, second = (int(v) for v in value[:6])
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()
    from dateutil import parser as dateparser

    try:  # ISO 8601 first: dateutil's dayfirst would read 2026-03-02 as 3 February
        return datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return dateparser.parse(str(value), dayfirst=True).isoformat()
    except (ValueError, OverflowError):
        return None


def raw_items(source: Source, body: bytes, limit: int = 5) -> list[tuple[str, str | None, str | None, str]]:
    """(title, url, date, summary) of the first `limit` records of a source's first answer."""
    out: list[tuple[str, str | None, str | None, str]] = []
    if source.kind == "feed":
        import feedparser

        parsed = feedparser.parse(body)
        for entry in parsed.entries[:limit]:
            date_value = entry.get("published_parsed") or entry.get("updated_parsed")
            out.append(
                (entry.get("title", ""), entry.get("link"), _iso(date_value), entry.get("summary", ""))
            )
    elif source.kind == "api" and source.api:
        import json

        import jmespath

        records = jmespath.search(source.api.items, json.loads(body.decode("utf-8"))) or []
        for record in records[:limit]:

            def get(expr: str | None, rec: Any = record) -> Any:
                return jmespath.search(expr, rec) if expr else None

            out.append(
                (
                    str(get(source.api.title) or ""),
                    get(source.api.link),
                    _iso(get(source.api.published)),
                    str(get(source.api.summary) or ""),
                )
            )
    elif source.kind == "listing" and source.listing:
        from parsel import Selector

        sel = Selector(text=body.decode("utf-8", errors="replace"))
        links = (
            sel.css(source.listing.links)
            if not source.listing.links.startswith(("/", "("))
            else sel.xpath(source.listing.links)
        )
        for href in links.getall()[:limit]:
            anchor = sel.xpath(f"//a[@href={_xpath_literal(href)}]")
            title = " ".join(" ".join(anchor[:1].xpath(".//text()").getall()).split())
            out.append((title, urljoin(source.urls[0], href), None, ""))
    elif source.kind == "sitemap":
        for loc in re.findall(rb"<loc>\s*([^<\s]+)\s*</loc>", body)[:limit]:
            url = loc.decode("utf-8", errors="replace")
            out.append((url, url, None, ""))
    return out


def _xpath_literal(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    return "concat('" + value.replace("'", "', \"'\", '") + "')"


@functools.cache
def _rules() -> Any:
    """The rule classifier (config/themes.yaml), loaded once per process."""
    from classifier import load_default

    return load_default(configured_model="none")


def preview(source: Source, body: bytes, limit: int = 5) -> list[PreviewItem]:
    """The first items as a harvest would store them (module docstring)."""
    from pipelines.language import detect_language
    from pipelines.normalize import SUMMARY_MAX_BYTES, TITLE_MAX_BYTES, plain_line, plain_title

    classifier = _rules()
    items = []
    for raw_title, url, published, raw_summary in raw_items(source, body, limit):
        title = plain_title(raw_title, TITLE_MAX_BYTES)[0] or ""
        summary = plain_line(raw_summary, SUMMARY_MAX_BYTES)[0] or ""
        language = detect_language(summary or title, source.languages, title=title).language
        result = classifier.classify(title, summary, language)
        items.append(
            PreviewItem(title, url, published, language, round(result.relevance, 3), result.assigned)
        )
    return items


NO_ANSWER = (OSError, BlockedAddress, BlockedScheme, FetchRefused)
"""What a `Fetcher` or `RobotsReader` raises when there is no answer to judge (network, SSRF guard,
a body or redirect chain the crawl refuses too)."""


def no_answer(exc: BaseException, kind: str = "") -> Verdict:
    """The verdict of a fetch that raised: keyed by crawler.errors.error_key_for, the mapping a crawl
    uses, so `ewsi sources add|check` and a crawl name one failure alike (fetch.dns, not gaierror)."""
    key = error_key_for(exc)
    reason = getattr(exc, "reason", None)
    cause = reason if isinstance(reason, BaseException) else exc
    said = isinstance(cause, BlockedAddress | BlockedScheme | FetchRefused)
    message = str(cause) if said else f"no answer: {cause}"
    return failure(key, message if str(cause) else f"no answer: {cause.__class__.__name__}", kind)


def fetch_or_explain(url: str, get: Callable[[str], T]) -> T:
    """`get(url)` (a `Fetcher` or `RobotsReader`); a fetch without answer raises NoAnswer (a
    ValueError) naming its `no_answer` key and hint."""
    try:
        return get(url)
    except NO_ANSWER as exc:
        failed = no_answer(exc)
        raise NoAnswer(url, failed.key, failed.message, failed.hint) from None


OFFLINE_SAMPLE = 3
"""Hosts `looks_offline` wants to have tried (those that failed, then others) before it judges."""


def looks_offline(failed: Sequence[str], others: Iterable[str], fetcher: Fetcher) -> bool:
    """Whether the machine looks offline after fetches of the `failed` URLs got no answer (a key of
    crawler.probe.UNREACHABLE_KEYS each): the rule
    of a crawl (crawler.probe.no_host_reached) over hosts tried. When fewer than `OFFLINE_SAMPLE`
    hosts failed, the robots.txt of other hosts (from `others`, the config's URLs) is fetched until
    that many were tried; any answer (any status) means the network is up, so the failure is the
    host's. Fewer than two hosts tried is no evidence: False."""
    hosts = {urlsplit(url).hostname for url in failed} - {None}
    keys = ["fetch.dns"] * len(hosts)
    for url in others:
        parts = urlsplit(url)
        if len(hosts) >= OFFLINE_SAMPLE or not no_host_reached(keys):
            break
        if not parts.hostname or parts.hostname in hosts:
            continue
        hosts.add(parts.hostname)
        try:
            fetcher(f"{parts.scheme}://{parts.netloc}/robots.txt")
            keys.append("ok")
        except NO_ANSWER as exc:
            keys.append(error_key_for(exc))
    return len(hosts) >= 2 and no_host_reached(keys)


def offline_verdict(failed: Verdict) -> Verdict:
    """`failed` with the hint of a machine that looks offline (crawler.probe.OFFLINE_HINT)."""
    return replace(failed, hint=OFFLINE_HINT)


def discover_url(url: str, fetcher: Fetcher, robots: RobotsReader) -> tuple[Discovery, Fetched]:
    """Fetch `url` (refused when robots.txt disallows it) and discover what it offers."""
    allowed, robots_txt = fetch_or_explain(url, robots)
    if not allowed:
        raise ValueError(f"{url}: robots.txt disallows it for ewsi-harvester")
    got = fetch_or_explain(url, fetcher)
    probe = verdict(ProbeResult(url, "page", got.status, got.final_url, got.content_type, got.body))
    if probe.key.startswith("fetch."):
        raise ValueError(f"{url}: {probe.message} -> {probe.hint}")
    return discover(got.final_url, got.body, got.content_type, robots_txt), got


def add(
    url: str, config_text: str, fetcher: Fetcher, robots: RobotsReader, source_id: str | None = None
) -> tuple[str, Source, list[PreviewItem]]:
    """(YAML block, validated Source, preview) for `url`; raises DuplicateSource or ValueError."""
    dup = duplicate_of([url], existing_urls(config_text))
    if dup:
        raise DuplicateSource(f"{url} is already harvested by source {dup!r}")
    found, got = discover_url(url, fetcher, robots)
    entry = propose(found, got.body, source_id)
    dup = duplicate_of(entry["urls"], existing_urls(config_text))
    if dup:
        raise DuplicateSource(f"{entry['urls'][0]} is already harvested by source {dup!r}")
    block = render(entry, found)
    source = validate_entry(block, config_text)
    first_url = entry["urls"][0]
    first = got.body if first_url == got.final_url else fetch_or_explain(first_url, fetcher).body
    return block, source, preview(source, first)


def check_source(source: Source, fetcher: Fetcher, robots: RobotsReader) -> Verdict:
    """One probe of the source's first URL and its verdict; a fetch without answer is `no_answer`."""
    url = source.urls[0]
    try:
        allowed, _text = robots(url)
        if not allowed:
            return verdict(ProbeResult(url, source.kind, 0, robots_allowed=False))
        got = fetcher(url)
    except NO_ANSWER as exc:
        return no_answer(exc, source.kind)
    matches = None
    if source.kind == "listing" and source.listing and got.status < 300:
        matches = len(raw_items(source, got.body, limit=1000))
    chain = [url, *(target for _status, target in got.redirects)]
    moved = (
        moved_to(chain, [status for status, _target in got.redirects]) if 200 <= got.status < 300 else None
    )
    return verdict(
        ProbeResult(
            url,
            source.kind,
            got.status,
            got.final_url,
            got.content_type,
            got.body,
            True,
            matches,
            moved_to=moved,
            redirects_known=True,
        )
    )
