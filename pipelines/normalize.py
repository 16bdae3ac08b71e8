"""Normalise stage: the first item pipeline; makes every later stage's input clean and comparable.

For each `HarvestedItem`, in this order:
1. url -> `clean_url` (DropItem("invalid_url") when unusable, e.g. ``javascript:`` or ``data:``;
   counted in the run's ``dropped`` as ``invalid_url``), `canonical_url` set; attachment URLs
   cleaned, non-http(s) and repeated ones dropped.
2. title, summary, author -> plain one-line text: capped before any work, control characters and lone
   surrogates removed (crawler.text), HTML tags removed with lxml and entities decoded, bidirectional
   controls removed (crawler.text.BIDI_CONTROLS: an override such as U+202E would show "evil" as
   "live" wherever the title is shown; editors' and contributors' titles lose them the same way),
   whitespace squashed, then cut at a UTF-8 boundary: title 1,000 bytes (flag ``title_truncated``), summary
   10,000 (flag ``summary_truncated``). guid, ids and raw dates get the control-character cleaning.
   Markup escaped twice (``&amp;lt;b&amp;gt;Visa&amp;lt;/b&amp;gt;`` in a feed, a CMS escaping its
   own escaped title) is read once more in a title (`plain_title`): when the text, decoded once, is
   still markup (an HTML element's tag such as ``<b>`` or ``</em>``, or a character reference such
   as ``&amp;``, ``&#8217;``), it is decoded and stripped again, at most `MARKUP_PASSES` times in
   all. Only a complete tag of a known HTML element and a known entity count: a text that shows a
   ``<`` or ``&`` as text (``age < 18``, ``x<y``, ``5 <= n``, ``AT&T``) stays as it is.
   An item without a title (a JSON Feed item, whose ``title`` is optional, an RSS item, an API
   record) whose summary is not empty takes the summary's first sentence, cut at a word boundary to
   at most `pipelines.titles.SUMMARY_TITLE_CHARS` characters with "…" (`title_from_summary`), flagged
   ``title_from_text``: a provisional title that the followed page's own title replaces
   (pipelines.extract.apply_document). A summary a JSON Feed item lacks is its ``content_html``,
   else its ``content_text`` (spiders.jsonfeed), so its content's first words are the last resort.
   A title that runs into a document's metadata ("... Committee on Budgetary Control Rapporteur:
   Ryszard Czarnecki", a listing's link text) or is longer than a headline is cut
   (`pipelines.titles.cut_headline`); the page's own title is cut the same way when it replaces it.
   A text the spider gave (an API record's detail answer, spiders.api) becomes plain multi-line text:
   controls removed, HTML reduced to its text with block elements on their own lines, paragraphs
   tidied, cut at `TEXT_MAX_BYTES` (flag ``text_truncated``). A followed page's text is the extract
   stage's and is not touched here.
3. record (the raw JSON) cleaned recursively: strings as above and capped, ints of more than 4,000
   digits dropped (Python 3.11 cannot print ints over 4,300 digits: T11), NaN/Infinity -> null.
4. dates: published_at and updated_at parsed from the raw strings in the source's time zone (a value
   the spider set is kept, made UTC-aware), then the plausibility rule against fetched_at (default now):
   more than 1 h ahead -> published_at = fetched_at, date_method ``fetch_time``, flag
   ``date_in_future``, raw kept (B10); before 1990 or in a placeholder year (9999) -> null, flag
   ``date_implausible`` (T11).
   Otherwise date_method stays what the spider set, or ``feed`` when a date exists. Rule: a
   date_method is kept only with a date: a raw date refused here (MySQL's zero date
   ``0000-00-00 00:00:00``, the epoch, year 0001 or 9999, an impossible day) leaves published_at and
   date_method empty, whatever method the spider set. A raw date
   without a time of day is that calendar day at 00:00 UTC, flagged ``date_only``
   (pipelines.dates.parse_day_or_time); a W3C Datetime of month or year precision (``2025-03``,
   ``2025``: a sitemap's ``<lastmod>``) is the period's first day, flagged ``date_only`` and
   ``date_month`` or ``date_year`` (pipelines.dates.parse_with_precision), never an exact day. An
   impossible raw date (``2026-02-30``, hour 25) is no date, flagged ``date_unparsed``, even when
   a parser upstream made a day of it. A raw date whose zone name is unknown (``09:15 XYZ``:
   pipelines.dates.unknown_zone) is read in the source's zone and flagged ``date_zone_unknown``
   (``updated_date_zone_unknown``). The followed page's date passes the same rule
   (pipelines.extract `_apply_dates`).
   A feed entry whose publication date is such a placeholder (``Thu, 01 Jan 1970 00:00:00 +0000``,
   a date before 1990, year 9999) but whose date of change is plausible is dated by that date of
   change, ``date_method`` feed_updated, which the followed page's own date replaces; the flag
   ``date_implausible`` stays (rule: a placeholder says the feed lacked the date, not that the entry
   has none; thorsten/phpMyFAQ#1839 and alexdebril/feed-io#312: entries shown on 1 January 1970).
Items whose text needed control-character cleaning get the flag ``text_cleaned`` and are counted
(``ewsi/normalize/cleaned``, T26). Bad values never raise; only an unusable URL drops the item.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from html.entities import html5 as _html5
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html
from lxml.html import defs as lxml_defs
from scrapy.exceptions import DropItem
from w3lib.html import remove_tags, replace_entities

from crawler.encoding import MIXED_ENCODING
from crawler.text import (
    clean_text,
    has_dirty_chars,
    squash_whitespace,
    strip_bidi_controls,
    tidy_paragraphs,
    truncate_utf8,
)
from crawler.types import FEED_UPDATED, TITLE_FROM_TEXT, Attachment, HarvestedItem, precision_flags
from pipelines.dates import impossible_date, parse_with_precision, plausible_date, unknown_zone
from pipelines.titles import cut_headline, one_line, strip_feed_title, title_from_summary
from pipelines.urls import canonical_url, clean_url

logger = logging.getLogger(__name__)

TITLE_MAX_BYTES = 1_000
SUMMARY_MAX_BYTES = 10_000
AUTHOR_MAX_BYTES = 1_000
TEXT_MAX_BYTES = 1_000_000
"""Cap of a spider-given text: the extract stage's output cap (pipelines.extract.MAX_OUTPUT_BYTES)."""
ROLE_MAX_BYTES = 64
"""Cap of an attachment's role (a source-given label such as "call document")."""
RECORD_STRING_MAX_BYTES = 100_000
"""Cap of one string inside `record`; the raw record is metadata, a 20 MB field is hostile (T11)."""
PRECAP_FACTOR = 32
"""Raw text is cut to this many times the final budget before HTML parsing, bounding the work on a
1 MB title (T27: truncate before sanitising)."""
RECORD_MAX_DEPTH = 64
INT_DIGITS_LIMIT = 4_000
_INT_LIMIT = 10**INT_DIGITS_LIMIT

_MARKUP = re.compile(r"<[A-Za-z/!?]")
MARKUP_PASSES = 3
"""Decodings a title gets at most (module docstring, step 2): once, and again while still markup."""
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)(:[A-Za-z][\w.-]*)?(?:\s[^<>]*)?/?>|<!--")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|([A-Za-z][A-Za-z0-9]{1,31}));")
_HTML_TAGS = frozenset(lxml_defs.tags) | {"main", "picture", "template", "search", "slot"}
_DROP_TAGS = frozenset({"script", "style", "template", "noscript", "head", "title"})
# fmt: off
_BLOCK_TAGS = frozenset({
    "br", "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th", "table", "h1", "h2", "h3",
    "h4", "h5", "h6", "blockquote", "pre", "section", "article", "header", "footer", "hr", "figcaption",
})
# fmt: on
_DROP = object()


def html_to_text(value: str, block_end: str = " ", *, strict: bool = False) -> str:
    """Text of an HTML fragment: tags removed (lxml), entities decoded, block elements separated by
    `block_end` (a space for one-line fields, a newline for multi-line text).

    A value without markup only has its entities decoded, so a literal ``a < b`` survives; `strict`
    (titles): only what `is_markup` calls markup is, so ``x<y`` and ``<refugees>`` survive too.
    Script and style content is dropped. `value` must already be free of NUL and control characters.
    """
    if not (is_markup(value) if strict else _MARKUP.search(value)):
        return replace_entities(value)
    try:
        root = lxml_html.fragment_fromstring(value, create_parent="div")
    except (etree.LxmlError, ValueError):
        return replace_entities(remove_tags(value))
    for element in list(root.iter()):
        if element is root or not isinstance(element.tag, str):
            continue
        if element.tag.lower() in _DROP_TAGS:
            element.drop_tree()
        elif element.tag.lower() in _BLOCK_TAGS:
            element.tail = block_end + (element.tail or "")
    return str(root.text_content())


@dataclass
class _Cleaned:
    """Counts from cleaning one item."""

    dirty: bool = False
    record_dropped: int = 0
    record_truncated: int = 0


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value) if abs(value) < _INT_LIMIT else None
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return None


def _paragraphs(value: Any, seen: _Cleaned) -> tuple[str | None, bool]:
    """Plain multi-line text within `TEXT_MAX_BYTES`; (text or None when empty, truncated)."""
    text = _as_text(value)
    if text is None:
        return None, False
    text, _ = truncate_utf8(text, TEXT_MAX_BYTES * 2)  # markup and spaces go; a 16 MiB answer costs little
    if has_dirty_chars(text):
        seen.dirty = True
    text = tidy_paragraphs(clean_text(html_to_text(clean_text(text) or "", "\n"))) or ""
    text, cut = truncate_utf8(text, TEXT_MAX_BYTES)
    return (text or None), cut


def is_markup(text: str) -> bool:
    """True when `text` holds a complete tag of a known HTML element (``<b>``, ``</em>``,
    ``<a href="...">``) or a known character reference (``&amp;``, ``&#8217;``, ``&#x2019;``);
    False for text that only shows a ``<`` or ``&`` (``age < 18``, ``x<y``, ``AT&T``)."""
    for match in _TAG.finditer(text):
        # a comment, a prefixed tag (``<o:p>`` of an office program) or a known element's tag
        if match.group(1) is None or match.group(2) or match.group(1).lower() in _HTML_TAGS:
            return True
    for match in _ENTITY.finditer(text):
        name = match.group(1)
        if name is None or name + ";" in _html5:
            return True
    return False


def plain_line(
    value: Any, max_bytes: int, seen: _Cleaned | None = None, *, passes: int = 1
) -> tuple[str | None, bool]:
    """One-line plain text within `max_bytes`, as a title, summary or author is stored (module
    docstring, step 2); returns (text or None when empty, truncated). `seen` notes control characters.
    `passes` > 1: a text still markup after a decoding (`is_markup`) is decoded again, up to
    `passes` decodings in all (a title, `plain_title`)."""
    text = _as_text(value)
    if text is None:
        return None, False
    text, precut = truncate_utf8(text, max_bytes * PRECAP_FACTOR)
    assert text is not None
    if seen is not None and has_dirty_chars(text):
        seen.dirty = True
    strict = passes > 1
    text = html_to_text(clean_text(text) or "", strict=strict)
    for _ in range(passes - 1):
        if not is_markup(text):
            break
        text = html_to_text(clean_text(text) or "", strict=strict)
    text = squash_whitespace(strip_bidi_controls(clean_text(text))) or ""
    text, cut = truncate_utf8(text, max_bytes)
    text = (text or "").rstrip()
    return (text or None), precut or cut


def plain_title(value: Any, max_bytes: int, seen: _Cleaned | None = None) -> tuple[str | None, bool]:
    """A title as stored: `plain_line` with markup escaped twice read once more (module docstring)."""
    return plain_line(value, max_bytes, seen, passes=MARKUP_PASSES)


def _raw_text(value: Any, seen: _Cleaned) -> str | None:
    text = _as_text(value)
    if text is not None and has_dirty_chars(text):
        seen.dirty = True
    return clean_text(text)


def _clean_json(value: Any, seen: _Cleaned, depth: int = 0) -> Any:
    """A JSON-serialisable, database-safe copy of `value`; `_DROP` for values to leave out."""
    if depth > RECORD_MAX_DEPTH:
        seen.record_dropped += 1
        return _DROP
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) >= _INT_LIMIT:
            seen.record_dropped += 1
            return _DROP
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        seen.record_dropped += 1
        return None
    if isinstance(value, str):
        cut_text, cut = truncate_utf8(_raw_text(value, seen) or "", RECORD_STRING_MAX_BYTES)
        seen.record_truncated += cut
        return cut_text
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            cleaned = _clean_json(item, seen, depth + 1)
            if cleaned is not _DROP:
                out[_raw_text(key, seen) or str(key)] = cleaned
        return out
    if isinstance(value, list | tuple):
        items = (_clean_json(item, seen, depth + 1) for item in value)
        return [item for item in items if item is not _DROP]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return _clean_json(value.decode("utf-8", MIXED_ENCODING), seen, depth)
    seen.record_dropped += 1
    return _DROP


def clean_record(record: Any) -> tuple[dict[str, Any] | None, _Cleaned]:
    """Recursively cleaned copy of a raw record (dict) and the counts of what changed."""
    seen = _Cleaned()
    if record is None:
        return None, seen
    cleaned = _clean_json(record, seen)
    return (cleaned if isinstance(cleaned, dict) else None), seen


def _aware(value: Any, zone: tzinfo) -> datetime | None:
    """UTC-aware copy of a datetime; a naive one is local time in `zone`. Non-datetimes -> None."""
    if not isinstance(value, datetime):
        return None
    try:
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _flag(item: HarvestedItem, flag: str) -> None:
    if flag not in item.flags:
        item.flags.append(flag)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class NormalizePipeline:
    """Scrapy item pipeline for `HarvestedItem`s (other items pass through untouched).

    Reads the source (`spider.source`, a `crawler.sources.Source`) for its time zone, languages and
    API date format. Stats keys (``ewsi/normalize/...``): items, cleaned, invalid_url,
    title_truncated, summary_truncated, date_in_future, date_implausible, date_unparsed, date_zone_unknown,
    attachments_dropped, record_values_dropped, record_strings_truncated.
    Raises DropItem("invalid_url") when the item URL is not an absolute http(s) URL.
    `clock` gives the fetch time for items without `fetched_at` (tests pass a fixed one). With
    `frozen` the clock's time replaces every item's `fetched_at` too. ``EWSI_NOW`` (ISO 8601, e.g.
    ``2025-03-20T13:00:00Z``) freezes the clock of a crawl this way (tests of fixed-clock cases
    B04, B10); a value that does not parse raises ValueError when the crawl starts.
    """

    def __init__(
        self, stats: Any = None, clock: Callable[[], datetime] | None = None, *, frozen: bool = False
    ):
        self.stats = stats
        self.clock = clock or _utcnow
        self.frozen = frozen
        self.crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> NormalizePipeline:
        """Build from a Scrapy crawler (stats from ``crawler.stats``; the setting ``EWSI_NOW``)."""
        frozen_now = crawler.settings.get("EWSI_NOW")
        if frozen_now:
            frozen_at = _aware(datetime.fromisoformat(frozen_now.strip()), UTC)
            assert frozen_at is not None  # _aware of a datetime is a datetime
            pipeline = cls(stats=crawler.stats, clock=lambda: frozen_at, frozen=True)
        else:
            pipeline = cls(stats=crawler.stats)
        pipeline.crawler = crawler
        return pipeline

    def _inc(self, spider: Any, key: str, count: int = 1) -> None:
        stats = getattr(getattr(spider, "crawler", None), "stats", None) or self.stats
        if stats is not None and count:
            stats.inc_value(f"ewsi/normalize/{key}", count)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Normalise `item` in place and return it (see the module docstring for the steps)."""
        if spider is None and self.crawler is not None:
            spider = getattr(self.crawler, "spider", None)
        if not isinstance(item, HarvestedItem):
            return item
        source = getattr(spider, "source", None)
        self._inc(spider, "items")
        self._urls(item, spider)
        seen = _Cleaned()
        self._texts(item, spider, seen)
        self._dates(item, spider, source)
        if seen.dirty:
            _flag(item, "text_cleaned")
            self._inc(spider, "cleaned")
        return item

    def _urls(self, item: HarvestedItem, spider: Any) -> None:
        url = clean_url(item.url) if isinstance(item.url, str) else None
        if url is None:
            self._inc(spider, "invalid_url")
            # Scrapy logs the drop (one line with the URL: crawler.extensions.OneLineLogFormatter) and
            # crawler.extensions.RunRecorder counts it as ewsi/dropped/invalid_url
            raise DropItem("invalid_url")
        item.url = url
        item.canonical_url = canonical_url(url)
        kept: list[Attachment] = []
        seen_urls = {url}
        for attachment in item.attachments or []:
            if isinstance(attachment, dict):
                attachment = Attachment(
                    url=attachment.get("url"),  # type: ignore[arg-type]
                    title=attachment.get("title"),
                    media_type=attachment.get("media_type"),
                    role=attachment.get("role"),
                )
            att_url = clean_url(getattr(attachment, "url", None))  # type: ignore[arg-type]
            if att_url is None or att_url in seen_urls:
                self._inc(spider, "attachments_dropped")
                continue
            seen_urls.add(att_url)
            title, _ = plain_title(attachment.title, TITLE_MAX_BYTES, _Cleaned())
            role, _ = plain_line(attachment.role, ROLE_MAX_BYTES, _Cleaned())
            kept.append(
                dataclasses.replace(
                    attachment,
                    url=att_url,
                    title=title,
                    media_type=clean_text(attachment.media_type),
                    role=role,
                )
            )  # a fetched attachment keeps its body and flags (pipelines.attachments reads them)
        item.attachments = kept

    def _texts(self, item: HarvestedItem, spider: Any, seen: _Cleaned) -> None:
        item.title, cut = plain_title(item.title, TITLE_MAX_BYTES, seen)
        if cut:
            _flag(item, "title_truncated")
            self._inc(spider, "title_truncated")
        item.summary, cut = plain_line(item.summary, SUMMARY_MAX_BYTES, seen)
        if cut:
            _flag(item, "summary_truncated")
            self._inc(spider, "summary_truncated")
        item.author, _ = plain_line(item.author, AUTHOR_MAX_BYTES, seen)
        if item.text is not None and not item.body:
            item.text, cut = _paragraphs(item.text, seen)
            if cut:
                _flag(item, "text_truncated")
        if item.feed_name and item.title:  # the site's name a feed writes into its titles
            item.title = strip_feed_title(item.title, one_line(item.feed_name), urlsplit(item.url).hostname)
        item.title = cut_headline(item.title)  # a listing's link text that runs into the cover's metadata
        if not item.title and item.summary:  # an untitled entry (a JSON Feed item, an RSS item)
            item.title = title_from_summary(item.summary)
            if item.title:
                _flag(item, TITLE_FROM_TEXT)
        item.guid = _raw_text(item.guid, seen)
        item.official_id = _raw_text(item.official_id, seen)
        item.published_raw = _raw_text(item.published_raw, seen)
        item.updated_raw = _raw_text(item.updated_raw, seen)
        item.declared_language = _raw_text(item.declared_language, seen)
        if item.record is not None:
            item.record, counts = clean_record(item.record)
            seen.dirty = seen.dirty or counts.dirty
            if counts.record_dropped:
                _flag(item, "record_value_dropped")
                self._inc(spider, "record_values_dropped", counts.record_dropped)
            self._inc(spider, "record_strings_truncated", counts.record_truncated)

    def _dates(self, item: HarvestedItem, spider: Any, source: Any) -> None:
        zone: tzinfo = getattr(source, "zone", None) or UTC
        api = getattr(source, "api", None)
        dayfirst = getattr(api, "date_format", "dayfirst") != "monthfirst"
        languages = [item.declared_language[:2].lower()] if item.declared_language else []
        languages += list(getattr(source, "languages", None) or [])

        fetched_at = None if self.frozen else _aware(item.fetched_at, UTC)
        fetched_at = fetched_at or self.clock().astimezone(UTC)
        item.fetched_at = fetched_at

        precision: str | None = None

        def read(value: datetime | None, raw: str | None) -> datetime | None:
            # the raw string wins: it is read in the source's zone and in its language, where a
            # parser upstream (feedparser) would have assumed UTC or given up; a day without a time
            # of day is that calendar day, a month or year alone its first day with its precision
            # (pipelines.dates.parse_with_precision)
            nonlocal precision
            parsed, precision = (
                parse_with_precision(raw, zone, dayfirst=dayfirst, languages=languages)
                if raw
                else (None, None)
            )
            if (
                parsed is None
                and value is not None
                and not impossible_date(raw, dayfirst=dayfirst, languages=languages)
            ):
                # an impossible raw date (30 February) is no date: never the day a parser upstream
                # made of it (pipelines.dates, "Impossible dates")
                return _aware(value, zone)
            if parsed is None and raw and raw.strip():
                _flag(item, "date_unparsed")
                self._inc(spider, "date_unparsed")
            return parsed

        from_feed = item.date_method in ("feed", FEED_UPDATED)
        published, reason = plausible_date(read(item.published_at, item.published_raw), fetched_at)
        placeholder = reason == "date_implausible"
        for prefix, raw in (("", item.published_raw), ("updated_", item.updated_raw)):
            if unknown_zone(raw):  # read in the source's zone, but not silently (pipelines.dates)
                _flag(item, f"{prefix}date_zone_unknown")
                self._inc(spider, f"{prefix}date_zone_unknown")
        if published is not None and reason is None:
            for flag in precision_flags(precision):
                _flag(item, flag)
        if reason == "date_in_future":
            published = fetched_at
            item.date_method = "fetch_time"
        elif reason is not None or published is None:
            # a method is recorded only for a date that was kept: a refused raw date (a zero date,
            # a placeholder, an impossible or implausible one) leaves none behind
            item.date_method = None
        elif not item.date_method:
            item.date_method = "feed"
        if reason is not None:
            _flag(item, reason)
            self._inc(spider, reason)
        item.published_at = published

        updated, reason = plausible_date(read(item.updated_at, item.updated_raw), fetched_at)
        if reason is not None:
            _flag(item, f"updated_{reason}")
        item.updated_at = updated
        if placeholder and from_feed and updated is not None:
            # a placeholder publication date gives way to the entry's date of change (module docstring)
            item.published_at, item.date_method = updated, FEED_UPDATED
        item.deadline = _aware(item.deadline, zone)
