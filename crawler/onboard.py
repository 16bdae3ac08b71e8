"""Onboarding a source from one URL, and probing existing sources (`ewsi sources add|check`).

`propose` turns a `Discovery` into a source entry (a dict the operator YAML accepts) and
`render` writes it as a commented YAML block that `crawler.sources.load_sources` validates
(`validate_entry`). `preview` reads the first items as a harvest would store them: title and
summary made plain text by the normalise stage's own `pipelines.normalize.plain_line`, date
(ISO 8601), language (pipelines.language) and the classifier's relevance and assigned themes.
`check_source` makes one probe per source and returns its `crawler.probe.Verdict`. A `Fetcher`
is any callable ``url -> Fetched`` (crawler.fetch.oneshot.fetch in production, recorded bytes
in tests); a `RobotsReader` is ``url -> (allowed, robots.txt text)``.

Rules of a proposal:
- feeds are read as a harvest reads them (`spiders.feed.parse_xml_feed`: crawler.xmltext.decode_xml,
  then feedparser; JSON Feeds by spiders.jsonfeed), pages are decoded by crawler.encoding.decode_html:
  never with U+FFFD where the bytes are readable; every answer `add` fetches is first made UTF-8 when
  it is UTF-16 or UTF-32 XML, as the crawl reads it (`read_as_crawl`, crawler.xmltext.xml_utf8), so
  the byte sniffers of discovery (feed, sitemap, calendar, JSON) never call such a feed "no feed";
- name: the feed's title as feedparser reads it when the URL answered a feed, else the page's
  ``<title>``; plain text (`plain_name`); else the host;
- languages: what the source declares (`declared_language`: the page's ``<html lang>``, a feed's RSS
  ``<language>``, ``dc:language`` or Atom ``xml:lang``; first the page's, then the proposed feed's);
  else the language detected on the preview items when at least `MIN_LANGUAGE_ITEMS` items were
  read and two thirds of them agree (`agreed_language`); else ``[]`` with a YAML comment saying no
  language could be told;
- id: `crawler.discover.slug_for` (an IP-address host gives the path's words alone), made unique
  against the config's ids with a ``-2``, ``-3`` suffix (`crawler.discover.unique_id`); an id given
  with ``--id`` is taken as it is (a duplicate is refused by validation);
- a URL that answers a sitemap (``<urlset>`` or ``<sitemapindex>``, plain or gzip) is ``kind:
  sitemap``; the preview of a sitemap index reads its first child sitemap.
Rules of the preview (`preview`): every item is classified exactly as a harvest of the same text
would be: the configured classifier (pipelines.classify.shared_classifier with the setting
EWSI_CLASSIFIER_MODEL), the source's ``content_type``, the detected language (none when ``und``),
the title and the record's summary; when the source follows its links, a harvest classifies the
followed page instead, and `preview_note` says the preview does not.
Rules of `check_source` beyond crawler.probe.verdict: an answer is read by the crawl's own reader
of its kind, so the check and a crawl never disagree: an API answer's records
(`api_verdict`, spiders.api `read_records`), a sitemap's strict parse (`sitemap_verdict`); a feed the
probe finds ok is parsed as a crawl parses it (`feed_reading`); not well-formed XML that still
yields entries is ``warning`` naming the parse error, its line and how many entries are readable
(a harvest logs the same warning and goes on); one that yields none is ``parse.feed_malformed``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import yaml

from crawler.coverage import MEMBER_STATES
from crawler.discover import Discovery, discover, duplicate_of, sitemap_head, slug_for, unique_id
from crawler.errors import (
    BlockedAddress,
    BlockedScheme,
    DuplicateSource,
    NoAnswer,
    RecordsError,
    error_key_for,
)
from crawler.fetch.oneshot import Fetched
from crawler.fetch.refusals import FetchRefused
from crawler.health import moved_to
from crawler.jsontext import json_utf8
from crawler.probe import (
    OFFLINE_HINT,
    ProbeResult,
    Verdict,
    failure,
    looks_like_feed,
    looks_like_json_feed,
    no_host_reached,
    verdict,
)
from crawler.sources import Source, load_sources
from crawler.text import counted
from crawler.urls import host_country
from crawler.xmltext import xml_utf8

Fetcher = Callable[[str], Fetched]
RobotsReader = Callable[[str], tuple[bool, str]]
T = TypeVar("T")

MIN_LANGUAGE_ITEMS = 3
"""Fewest preview items whose detected language can make a proposal's ``languages``."""
NO_LANGUAGE_COMMENT = "# none could be told: no declared language, and none common to the preview items"
"""The comment on ``languages: []`` when neither the source nor its preview items tell a language."""
SITEMAP_PREVIEW_BYTES = 10 * 1024 * 1024
"""Bytes of a gzipped sitemap unpacked for the preview at most."""


@dataclass(frozen=True)
class PreviewItem:
    """One item as a harvest would store it."""

    title: str
    url: str | None
    published: str | None
    language: str
    relevance: float | None
    """None when the record has nothing to classify but its URL (a sitemap's)."""
    themes: tuple[str, ...]


def country_of(url: str) -> str:
    """A member state's code from the host's country TLD (``.de`` -> ``DE``, crawler.urls.host_country),
    else ``EU``."""
    code = host_country(url)
    return code if code in MEMBER_STATES else "EU"


def language_code(value: Any) -> str | None:
    """The two-letter language of a declaration (``fr``, ``fr-BE``, ``FR_fr``), lower-case, or None."""
    match = re.match(r"\s*([a-zA-Z]{2})(?:[-_]|\s*$)", str(value or ""))
    return match.group(1).lower() if match else None


def is_feed(body: bytes) -> bool:
    """True when the body is an RSS, Atom, RDF or JSON Feed document (crawler.probe's sniffing)."""
    return looks_like_feed(body) or looks_like_json_feed(body)


def feed_reading(body: bytes, content_type: str = "", url: str = "") -> dict[str, Any]:
    """The feed as a harvest reads it (spiders.feed.parse_xml_feed; a JSON Feed by spiders.jsonfeed):
    feedparser's shape, with ``bozo`` and ``bozo_exception`` for a document that is not well-formed."""
    from spiders.jsonfeed import looks_like_json, parse_json_feed

    if looks_like_json(body):
        try:
            return dict(parse_json_feed(body, content_type))
        except ValueError:
            return {"entries": [], "feed": {}}
    from spiders.feed import parse_xml_feed

    return parse_xml_feed(body, content_type, url)[0]


def page_text(body: bytes, content_type: str = "") -> str:
    """A page's text decoded as a harvest decodes it (crawler.encoding.decode_html)."""
    from crawler.encoding import decode_html

    return decode_html(body, content_type or None)[0]


def page_language(body: bytes, content_type: str = "") -> str | None:
    """The page's ``<html lang>`` (two letters), or None."""
    text = page_text(body[:4096], content_type)
    match = re.search(r"<html[^>]*\blang=[\"']?([a-zA-Z]{2}(?![a-zA-Z]))", text)
    return match.group(1).lower() if match else None


def declared_language(body: bytes, content_type: str = "", url: str = "") -> str | None:
    """What the body declares (module docstring): a feed's language as feedparser reads it (RSS
    ``<language>``, ``dc:language``, Atom ``xml:lang`` on the root or its title), a page's
    ``<html lang>``; two letters, or None."""
    if not is_feed(body):
        return page_language(body, content_type)
    feed = feed_reading(body, content_type, url).get("feed") or {}
    for value in (
        feed.get("language"),
        (feed.get("title_detail") or {}).get("language"),
        (feed.get("subtitle_detail") or {}).get("language"),
    ):
        if code := language_code(value):
            return code
    return None


def plain_name(value: Any) -> str | None:
    """A source name as plain text (crawler.sources): tags and entities read as the harvest's
    `pipelines.normalize.plain_title` reads a title, control, bidirectional and zero-width characters
    removed, whitespace collapsed, at most 200 characters; or None."""
    from pipelines.normalize import TITLE_MAX_BYTES, plain_title

    text = plain_title(value, TITLE_MAX_BYTES)[0] or ""
    text = "".join(c for c in " ".join(text.split()) if unicodedata.category(c) not in ("Cc", "Cf"))
    return " ".join(text.split())[:200] or None


def page_title(body: bytes, content_type: str = "", url: str = "") -> str | None:
    """The source's name from its body: a feed's title as feedparser reads it (the harvest's reading,
    `feed_reading`), else the page's first ``<title>`` decoded as a harvest decodes the page
    (`page_text`); plain text (`plain_name`), or None."""
    if is_feed(body):
        feed = feed_reading(body, content_type, url).get("feed") or {}
        return plain_name(feed.get("title"))
    match = re.search(r"<title[^>]*>(.*?)</title>", page_text(body[:65536], content_type), re.I | re.S)
    if not match:
        return None
    return plain_name(re.sub(r"<!\[CDATA\[|\]\]>", "", match.group(1)))


def proposed_url(found: Discovery) -> str:
    """The URL a proposal harvests: the feed, the sitemap, or the URL itself; ValueError when `found`
    offers nothing harvestable."""
    kind = found.kind
    if kind is None:
        raise ValueError(f"{found.url}: no feed, sitemap, JSON records or repeated article links found")
    return {"feed": (found.feeds or [found.url])[0], "sitemap": (found.sitemaps or [found.url])[0]}.get(
        kind, found.url
    )


def propose(
    found: Discovery,
    body: bytes,
    source_id: str | None = None,
    today: date | None = None,
    *,
    content_type: str = "",
    taken: Iterable[str] = (),
) -> dict[str, Any]:
    """A source entry for what `found` offers (rules in the module docstring); `body` and
    `content_type` are the answer of `found.url`, `taken` the config's ids. Raises ValueError when
    it offers nothing harvestable."""
    url = proposed_url(found)
    kind = found.kind
    host = (urlsplit(found.url).hostname or "").removeprefix("www.")
    language = declared_language(body, content_type, found.url)
    when = (today or datetime.now(UTC).date()).isoformat()
    seen = {
        "feed": f"feed {url} named by the page" if url != found.url else "the URL answered a feed",
        "api": f"JSON answer with {counted(found.api.count, 'record')} at {found.api.items}"
        if found.api
        else "",
        "listing": f"{counted(len(found.sample_links), 'article link')} matched by the proposed selector",
        "sitemap": (
            "the URL answered a sitemap" if found.sitemap_given else f"sitemap {url} named by robots.txt"
        ),
        "ical": "the URL answered an iCalendar file",
    }[str(kind)]
    entry: dict[str, Any] = {
        "id": source_id or unique_id(slug_for(url), set(taken)),
        "name": page_title(body, content_type, found.url) or host,
        "publisher": host,
        "country": country_of(found.url),
        "languages": [language] if language else [],
        "content_type": "event" if kind == "ical" else "news",
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
    if not entry.get("languages"):
        body = body.replace("\n  languages: []\n", f"\n  languages: []  {NO_LANGUAGE_COMMENT}\n", 1)
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


def _when(value: Any, zone_name: str, languages: Sequence[str] = ()) -> str | None:
    """A record's date as a harvest stores it (pipelines.dates.parse_with_precision in the source's
    time zone and in the record's and source's `languages`, as pipelines.normalize reads it: a day
    alone, or midnight, is the day the source wrote; ``listopada`` is October on a Croatian source
    and no month where no language says which): ``2025-09-11`` for a day,
    ``2025-09-11 07:30 UTC`` for a time, ``2025-09`` for a month and ``2025`` for a year alone (as
    ``ewsi queue`` shows them: never a made-up first day); None when undated, and when the harvest
    would not keep the date (pipelines.dates.plausible_date: before 1990 or over an hour ahead,
    ``March 2099``)."""
    from zoneinfo import ZoneInfo

    from pipelines.dates import parse_with_precision, plausible_date

    if isinstance(value, tuple | list):  # feedparser's struct_time, in UTC
        value = _iso(value)
    if value is None or not str(value).strip():
        return None
    try:
        zone = ZoneInfo(zone_name)
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    parsed, precision = parse_with_precision(str(value), zone, languages=languages)
    parsed, _ = plausible_date(parsed, datetime.now(UTC))
    if parsed is None:
        return None
    shown = {"time": "%Y-%m-%d %H:%M UTC", "month": "%Y-%m", "year": "%Y"}
    return parsed.strftime(shown.get(precision or "", "%Y-%m-%d"))


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


def raw_items(
    source: Source, body: bytes, limit: int = 5, content_type: str = ""
) -> list[tuple[str, str | None, str | None, str]]:
    """(title, url, date, summary) of the first `limit` records of a source's first answer."""
    return [record[:4] for record in _records(source, body, limit, content_type)]


def _records(
    source: Source, body: bytes, limit: int = 5, content_type: str = ""
) -> list[tuple[str, str | None, str | None, str, str | None]]:
    """`raw_items` with the language each record declares (a feed entry's or the feed's), or None."""
    out: list[tuple[str, str | None, str | None, str, str | None]] = []
    if source.kind == "feed":
        parsed = feed_reading(body, content_type, source.urls[0])
        entries = list(parsed.get("entries") or [])
        complete = parsed.get("ewsi_complete_entries")
        if complete is not None:  # a feed cut short: the open entries are partial (spiders.feed)
            entries = entries[:complete]
        feed_language = (parsed.get("feed") or {}).get("language")
        for entry in entries[:limit]:
            date_value = entry.get("published") or entry.get("updated") or entry.get("published_parsed")
            language = (
                entry.get("language") or (entry.get("title_detail") or {}).get("language") or feed_language
            )
            out.append(
                (
                    entry.get("title", ""),
                    entry.get("link"),
                    _when(
                        date_value,
                        source.timezone,
                        [*([language[:2]] if language else []), *source.languages],
                    ),
                    entry.get("summary", ""),
                    language or None,
                )
            )
        return out
    if source.kind == "api" and source.api:
        import jmespath

        from spiders.api import read_records

        try:
            records = read_records(body, content_type, source.api.items)[1]
        except RecordsError:
            records = []
        for record in records[:limit]:

            def get(expr: str | None, rec: Any = record) -> Any:
                return jmespath.search(expr, rec) if expr else None

            out.append(
                (
                    str(get(source.api.title) or ""),
                    get(source.api.link),
                    _when(get(source.api.published), source.timezone, source.languages),
                    str(get(source.api.summary) or ""),
                    None,
                )
            )
    elif source.kind == "listing" and source.listing:
        from parsel import Selector

        sel = Selector(text=page_text(body, content_type))
        links = (
            sel.css(source.listing.links)
            if not source.listing.links.startswith(("/", "("))
            else sel.xpath(source.listing.links)
        )
        for href in links.getall()[:limit]:
            anchor = sel.xpath(f"//a[@href={_xpath_literal(href)}]")
            title = " ".join(" ".join(anchor[:1].xpath(".//text()").getall()).split())
            out.append((title, urljoin(source.urls[0], href), None, "", None))
    elif source.kind == "sitemap":
        for url, lastmod in sitemap_entries(body)[:limit]:
            out.append((url, url, _when(lastmod, source.timezone, source.languages), "", None))
    elif source.kind == "ical":
        out.extend(calendar_entries(body, source.urls[0], limit))
    return out


def calendar_entries(
    body: bytes, url: str, limit: int
) -> list[tuple[str, str | None, str | None, str, None]]:
    """(SUMMARY, URL else the calendar's address, DTSTART as written in ISO form, DESCRIPTION, None) of
    a calendar's first `limit` events, cancelled ones left out; [] for a body the icalendar package
    cannot read (the crawl records ``parse.ical_invalid`` for it)."""
    from spiders.icalfold import read_calendars

    try:
        calendars = read_calendars(body)
    except (ValueError, IndexError, KeyError, TypeError, RecursionError):
        return []
    out: list[tuple[str, str | None, str | None, str, None]] = []
    for event in (c for cal in calendars for c in cal.walk("VEVENT")):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        try:
            start = event.decoded("DTSTART").isoformat() if event.get("DTSTART") is not None else None
        except (ValueError, KeyError, TypeError, AttributeError):
            start = None
        link = str(event.get("URL") or "")
        out.append(
            (
                str(event.get("SUMMARY") or ""),
                link if link.startswith(("http://", "https://")) else url,
                start,
                str(event.get("DESCRIPTION") or ""),
                None,
            )
        )
        if len(out) >= limit:
            break
    return out


def sitemap_entries(body: bytes) -> list[tuple[str, str | None]]:
    """(``<loc>``, ``<lastmod>`` or None) of a sitemap's entries, read as `sitemap_locs` reads them."""
    return [(entry["loc"], entry.get("lastmod")) for entry in _sitemap_doc(body)[1] if entry.get("loc")]


def sitemap_locs(body: bytes) -> tuple[str, list[str]]:
    """(``urlset`` or ``sitemapindex``, its ``<loc>`` URLs) of a sitemap body, plain or gzip (at
    most `SITEMAP_PREVIEW_BYTES` unpacked), read as the sitemap spider reads it
    (spiders.sitemapdoc.parse_sitemap); ("", []) for a body it refuses."""
    kind, entries = _sitemap_doc(body)
    return kind, [entry["loc"] for entry in entries if entry.get("loc")]


def _sitemap_doc(body: bytes) -> tuple[str, list[dict[str, Any]]]:
    """(kind, entries) of a sitemap body, plain or gzip; ("", []) for a body the spider refuses."""
    import zlib

    from crawler.errors import SitemapMalformed
    from spiders.sitemapdoc import parse_sitemap

    if body[:2] == b"\x1f\x8b":
        try:
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, SITEMAP_PREVIEW_BYTES)
        except zlib.error:
            return "", []
    try:
        doc = parse_sitemap(body)
    except SitemapMalformed:
        return "", []
    return doc.kind, list(doc.entries)


def _xpath_literal(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    return "concat('" + value.replace("'", "', \"'\", '") + "')"


def preview(
    source: Source,
    body: bytes,
    limit: int = 5,
    content_type: str = "",
    classifier_model: str | None = None,
) -> list[PreviewItem]:
    """The first items as a harvest would store them (module docstring); `classifier_model` is the
    setting EWSI_CLASSIFIER_MODEL (None when unset), as a harvest's classify stage reads it."""
    from pipelines.classify import MAX_CLASSIFY_CHARS, shared_classifier
    from pipelines.language import detect_language
    from pipelines.normalize import SUMMARY_MAX_BYTES, TITLE_MAX_BYTES, plain_line, plain_title

    classifier = shared_classifier(classifier_model)
    strip = _feed_title_stripper(source, body, content_type)
    items = []
    for raw_title, url, published, raw_summary, declared in _records(source, body, limit, content_type):
        title = strip(plain_title(raw_title, TITLE_MAX_BYTES)[0] or "", url)
        summary = plain_line(raw_summary, SUMMARY_MAX_BYTES)[0] or ""
        if title == url and not summary:  # a sitemap's entry: nothing but its URL to classify
            items.append(PreviewItem(title, url, published, "und", None, ()))
            continue
        text = "\n".join(p for p in (title, summary) if p)  # pipelines.language: no page text
        language = detect_language(text, source.languages, page_language=declared).language
        result = classifier.classify(
            title, summary[:MAX_CLASSIFY_CHARS], language if language != "und" else None, source.content_type
        )
        items.append(
            PreviewItem(title, url, published, language, round(result.relevance, 3), result.assigned)
        )
    return items


def _feed_title_stripper(source: Source, body: bytes, content_type: str) -> Callable[[str, str | None], str]:
    """(title, entry link) -> the title as the normalise stage stores a feed entry's: without the
    site name the feed writes into its titles (pipelines.titles `strip_feed_title`, with the feed's
    own title, as spiders.feed hands it over); other kinds unchanged."""
    if source.kind != "feed":
        return lambda title, _url: title
    from pipelines.titles import one_line, strip_feed_title
    from spiders.feedcdata import feed_html

    parsed = feed_reading(body, content_type, source.urls[0])
    name = one_line(feed_html((parsed.get("feed") or {}).get("title")))
    return lambda title, url: strip_feed_title(title, name, urlsplit(url or "").hostname) or title


def preview_note(source: Source) -> str | None:
    """What the preview classified, when a harvest classifies something else: a source that
    follows its links is classified on the followed page's text, the preview on the record alone."""
    if not source.follow:
        return None
    if source.kind in ("feed", "api"):
        what = "the feed's title and summary" if source.kind == "feed" else "the record's title and summary"
    else:
        what = "the link's title" if source.kind == "listing" else "the URL"
    return (
        f"relevance and themes classify {what}, not the followed page (a harvest classifies the page's text)"
    )


def agreed_language(items: Sequence[PreviewItem]) -> str | None:
    """The language detected on at least two thirds of the preview items, when at least
    `MIN_LANGUAGE_ITEMS` were read (``und`` never agrees); else None."""
    if len(items) < MIN_LANGUAGE_ITEMS:
        return None
    counts: dict[str, int] = {}
    for item in items:
        if item.language and item.language != "und":
            counts[item.language] = counts.get(item.language, 0) + 1
    if not counts:
        return None
    best = max(counts, key=lambda code: counts[code])
    return best if 3 * counts[best] >= 2 * len(items) else None


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


def crawl_bytes(body: bytes, content_type: str = "") -> bytes:
    """`body` as the crawl's readers see it: XML as `crawler.xmltext.xml_utf8` reads it (a UTF-16 or
    UTF-32 feed or sitemap, with a byte order mark or without one, as UTF-8 with its declaration
    saying so), else JSON as `crawler.jsontext.json_utf8` reads it (UTF-16/32 as UTF-8); any other
    body unchanged. The one reading of `read_as_crawl` (``sources add``) and `check_source`
    (``sources check``): neither has a byte sniffer of its own."""
    xml = xml_utf8(body, content_type)
    return xml if xml is not body else json_utf8(body, content_type)


def read_as_crawl(fetcher: Fetcher) -> Fetcher:
    """`fetcher` whose answers are read as a crawl reads them (`crawl_bytes`): a UTF-16 or UTF-32
    feed or sitemap reaches discovery, the proposal and the preview as UTF-8 text, so every byte
    sniffer sees the document the crawl parses."""

    def fetch(url: str) -> Fetched:
        got = fetcher(url)
        return replace(got, body=crawl_bytes(got.body, got.content_type))

    return fetch


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
    url: str,
    config_text: str,
    fetcher: Fetcher,
    robots: RobotsReader,
    source_id: str | None = None,
    classifier_model: str | None = None,
) -> tuple[str, Source, list[PreviewItem]]:
    """(YAML block, validated Source, preview) for `url` (rules in the module docstring);
    `classifier_model` is the setting EWSI_CLASSIFIER_MODEL. Raises DuplicateSource or ValueError."""
    existing = existing_urls(config_text)
    dup = duplicate_of([url], existing)
    if dup:
        raise DuplicateSource(f"{url} is already harvested by source {dup!r}")
    fetcher = read_as_crawl(fetcher)
    found, got = discover_url(url, fetcher, robots)
    entry = propose(found, got.body, source_id, content_type=got.content_type, taken=existing)
    dup = duplicate_of(entry["urls"], existing)
    if dup:
        raise DuplicateSource(f"{entry['urls'][0]} is already harvested by source {dup!r}")
    first_url = entry["urls"][0]
    first = got if first_url == got.final_url else fetch_or_explain(first_url, fetcher)
    if not entry["languages"] and first is not got:  # the feed or sitemap may declare what the page did not
        declared = declared_language(first.body, first.content_type, first.final_url)
        entry["languages"] = [declared] if declared else []
    shown = first
    if entry["kind"] == "sitemap":  # an index lists sitemaps: preview the first one's pages
        kind, locs = sitemap_locs(first.body)
        if kind == "sitemapindex" and locs:
            shown = fetch_or_explain(locs[0], fetcher)
            entry["verified"] = entry["verified"].replace(
                "; review",
                f" (an index of {counted(len(locs), 'sitemap')}; preview from {locs[0]}); review",
                1,
            )
    source = validate_entry(render(entry, found), config_text)
    items = preview(source, shown.body, 5, shown.content_type, classifier_model)
    if not entry["languages"] and (agreed := agreed_language(items)):
        entry["languages"] = [agreed]
        entry["verified"] = entry["verified"].replace(
            "; review", f"; language {agreed} detected on {len(items)} preview items; review", 1
        )
        source = validate_entry(render(entry, found), config_text)
        items = preview(source, shown.body, 5, shown.content_type, classifier_model)
    return render(entry, found), source, items


def check_source(source: Source, fetcher: Fetcher, robots: RobotsReader) -> Verdict:
    """One probe of the source's first URL and its verdict; a fetch without answer is `no_answer`.
    A paged API is asked for its first page as a crawl asks (spiders.apiquery `page_request_parts`:
    ``?page=1&size=20``), since an API may answer 404 without them."""
    url = source.urls[0]
    if source.kind == "api" and source.api is not None and source.api.pagination is not None:
        from spiders.apiquery import page_request_parts

        first = page_request_parts(source.api, url, source.api.pagination.first)
        if first.method == "GET":
            url = first.url
    try:
        allowed, _text = robots(url)
        if not allowed:
            return verdict(ProbeResult(url, source.kind, 0, robots_allowed=False))
        got = read_as_crawl(fetcher)(url)
    except NO_ANSWER as exc:
        return no_answer(exc, source.kind)
    matches = None
    if source.kind == "listing" and source.listing and got.status < 300:
        matches = len(raw_items(source, got.body, limit=1000, content_type=got.content_type))
    body = sitemap_head(got.body) if source.kind == "sitemap" else got.body
    chain = [url, *(target for _status, target in got.redirects)]
    moved = (
        moved_to(chain, [status for status, _target in got.redirects]) if 200 <= got.status < 300 else None
    )
    said = verdict(
        ProbeResult(
            url,
            source.kind,
            got.status,
            got.final_url,
            got.content_type,
            body,
            True,
            matches,
            moved_to=moved,
            redirects_known=True,
        )
    )
    if said.key in ("ok", "parse.no_items") and source.kind == "feed":
        return feed_verdict(got.body, got.content_type, got.final_url) or said
    api_keys = ("ok", "parse.json_invalid", "parse.json_too_deep", "parse.no_items")
    if said.key in api_keys and source.kind == "api" and source.api:
        return api_verdict(got.body, got.content_type, source.api.items) or said
    if said.key == "ok" and source.kind == "sitemap":
        return sitemap_verdict(got.body) or said
    return said


SITEMAP_CHECK_BYTES = 50 * 1024 * 1024
"""Unpacked bytes of a gzipped sitemap `sitemap_verdict` reads at most (the sitemaps.org limit)."""


def api_verdict(body: bytes, content_type: str, items: str) -> Verdict | None:
    """The verdict of an API answer read as a crawl reads it (spiders.api `read_records`): its error
    key and message when a crawl would fail on it, ``parse.no_items`` for an empty list, else ``ok``
    with the number of records; so ``sources check`` never says ok to what a crawl refuses, nor
    refuses what a crawl reads (an integer of 5,000 digits)."""
    from spiders.api import read_records

    try:
        _data, records = read_records(body, content_type, items)
    except RecordsError as exc:
        return failure(exc.key, str(exc), "api")
    if not records:
        return failure("parse.no_items", f"`{items}` selects an empty list", "api")
    return Verdict("ok", f"{len(records)} record{'' if len(records) == 1 else 's'} at `{items}`", "")


def sitemap_verdict(body: bytes) -> Verdict | None:
    """``parse.sitemap_malformed`` for a sitemap a crawl refuses (spiders.sitemapdoc: strict XML, no
    entity expansion, no DTD), None when it reads it or when a gzipped one unpacks beyond
    `SITEMAP_CHECK_BYTES` (the crawl's own size limit then decides)."""
    from scrapy.utils.gz import gunzip

    from spiders.sitemapdoc import SitemapMalformed, parse_sitemap

    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=SITEMAP_CHECK_BYTES)
        except Exception:  # a broken or oversized gzip: the probe's own verdict stands
            return None
    try:
        parse_sitemap(body)
    except SitemapMalformed as exc:
        return failure("parse.sitemap_malformed", f"the sitemap cannot be read exactly: {exc}", "sitemap")
    return None


def feed_verdict(body: bytes, content_type: str, url: str) -> Verdict | None:
    """The verdict of a feed a crawl would flag as not well-formed (module docstring), or None when
    feedparser reads it without complaint: ``warning`` naming the parse error, its line and the
    entries a harvest reads; ``parse.feed_malformed`` when it reads none."""
    parsed = feed_reading(body, content_type, url)
    if not parsed.get("bozo"):
        return None
    exc: Any = parsed.get("bozo_exception")
    entries = len(parsed.get("entries") or [])
    complete = parsed.get("ewsi_complete_entries")
    if complete is not None:
        entries = min(entries, complete)
    if hasattr(exc, "getLineNumber"):  # xml.sax.SAXParseException: the document is not well-formed
        line = exc.getLineNumber()
        if isinstance(line, int) and not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
            line -= 1  # the XML declaration put before a body without one is not the publisher's line
        where = f" at line {line}" if isinstance(line, int) and line > 0 else ""
        problem = f"the feed is not well-formed XML{where}: {exc.getMessage()}"
    else:
        problem = f"feedparser flags the feed ({type(exc).__name__}: {exc})"
    if not entries:
        return failure("parse.feed_malformed", f"{problem}; no entry could be read", "feed")
    return Verdict(
        "warning",
        f"{problem}; {entries} entr{'y' if entries == 1 else 'ies'} readable as a crawl reads the feed",
        "a crawl reads these entries and logs a warning: tell the publisher the feed is malformed",
    )
