"""Main value types shared by every stage (stdlib only).

`HarvestedItem` is the Scrapy item (a dataclass, which Scrapy supports natively); its fields are
grouped by the stage that sets them. `ThemeScore` and `Classification` are what the classifier
returns. `CrawlReport` summarises one crawl of one source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

THEMES: tuple[str, ...] = (
    "Active Citizenship",
    "Economic Participation",
    "Social Cohesion",
    "Education and Culture",
    "Anti-discrimination and Equality",
    "Tools and Techniques",
)
"""The six EWSI themes, in the portal's order (../shared/THEMES.md)."""

EU_LANGUAGES: tuple[str, ...] = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
)  # fmt: skip
"""The 24 official languages of the EU (ISO 639-1; Regulation No 1/1958 as amended)."""

CONTENT_TYPES: tuple[str, ...] = ("news", "document", "legislation", "funding", "event", "good_practice")
SOURCE_KINDS: tuple[str, ...] = ("feed", "listing", "sitemap", "api", "ical")
CALL_STATUSES: tuple[str, ...] = ("forthcoming", "open", "closed")
"""Status of a funding call; `closed` once the last deadline has passed, whatever the source says."""
DATE_ONLY = "date_only"
"""Item flag: the publication date is a calendar day without a time of day, stored as that day at
00:00 UTC (pipelines.dates.parse_day_or_time); shown as the day alone."""
TITLE_FROM_TEXT = "title_from_text"
"""Item flag: the title is the first sentence of the item's summary (pipelines.normalize) or of its
document's text (pipelines.extract), not a title the source gave; a page's own title replaces it."""
TITLE_MISSING = "title_missing"
"""Item flag: the link that listed the item had only a text that is no title ("Read more", "1":
crawler.linklabels) and the listing no other title for it; the item is untitled until its page is
read (pipelines.extract removes the flag once a title is found)."""
FEED_UPDATED = "feed_updated"
"""date_method of a feed entry dated by its <updated> alone (a date of change, not of publication)."""


DATE_MONTH = "date_month"
"""Item flag, with `DATE_ONLY`: the source gave the month alone (a W3C Datetime ``2025-03``); the
publication date is the month's first day at 00:00 UTC, shown as the month."""
DATE_YEAR = "date_year"
"""Item flag, with `DATE_ONLY`: the source gave the year alone (``2025``); the publication date is
1 January at 00:00 UTC, shown as the year."""
PRECISION_FLAGS = (DATE_ONLY, DATE_MONTH, DATE_YEAR)
PRECISIONS = ("year", "month", "day", "time")
"""Precisions of a date, coarsest first (pipelines.dates.parse_with_precision)."""


def precision_flags(precision: str | None) -> list[str]:
    """The item flags of a date of `precision`: none for "time" or undated, `DATE_ONLY` for "day",
    `DATE_ONLY` and `DATE_MONTH` / `DATE_YEAR` for "month" / "year" (no time of day either)."""
    return {"day": [DATE_ONLY], "month": [DATE_ONLY, DATE_MONTH], "year": [DATE_ONLY, DATE_YEAR]}.get(
        precision or "", []
    )


def set_precision(flags: list[str], precision: str | None) -> None:
    """Replace the precision flags in `flags` (in place) by those of `precision`."""
    flags[:] = [f for f in flags if f not in PRECISION_FLAGS] + precision_flags(precision)


def published_precision(published_at: datetime | None, flags: Iterable[str] | None) -> str | None:
    """How much of `published_at` the source gave: "year" (flag `DATE_YEAR`), "month" (`DATE_MONTH`),
    "day" (`DATE_ONLY`), "time", or None undated."""
    if published_at is None:
        return None
    given = set(flags or ())
    if DATE_YEAR in given:
        return "year"
    if DATE_MONTH in given:
        return "month"
    return "day" if DATE_ONLY in given else "time"


CHANGE_DATES = ("sitemap", FEED_UPDATED)
"""Date methods that give when a document last changed, not when it was published (a sitemap's
``<lastmod>``, a feed entry with ``<updated>`` alone): they date an item only until its page gives
its own date (`replaces_date`), and then stay as `updated_at`."""
SAME_DAY = timedelta(hours=36)
"""How far a timed date may lie from a day (any zone, UTC-14 to UTC+14) and still be that day, told
with its time (`replaces_date`)."""
DATE_FLAGS = (*PRECISION_FLAGS, "date_relative", "date_zone_unknown", "date_in_future")
"""Item flags that describe the item's published date (its precision; counted back from a span; read
in the source's zone; the fetch time standing in for a future date): they go with that date."""


def _within(new: datetime, given: datetime, precision: str) -> bool:
    """`new` lies in the period a date `given` of `precision` names (the same day, within `SAME_DAY`
    as before; the same month; the same year)."""
    if precision == "year":
        return new.year == given.year
    if precision == "month":
        return (new.year, new.month) == (given.year, given.month)
    return abs(new - given) <= SAME_DAY


def replaces_date(
    given: datetime | None,
    given_method: str | None,
    given_flags: Iterable[str] | None,
    new: datetime | None,
    new_method: str | None,
    new_flags: Iterable[str] | None,
) -> bool:
    """Whether a publication date `new` replaces the item's `given` one (each with its date_method
    and flags). One rule for the page's date over its index's (pipelines.extract) and for a harvest's
    date over the stored one (crawler.store.items), so a page read on a later run dates its item
    as a clean first harvest does: a date replaces none, a date of change (`CHANGE_DATES`) unless it
    is one too, and a less precise date it lies within (a day told with its time, a month with its
    day); any other date stays (the first publication date: case B07)."""
    if new is None:
        return False
    if given is None:
        return True
    if given_method in CHANGE_DATES and new_method not in CHANGE_DATES:
        return True
    given_precision = published_precision(given, given_flags) or "time"
    new_precision = published_precision(new, new_flags) or "time"
    return PRECISIONS.index(new_precision) > PRECISIONS.index(given_precision) and _within(
        new, given, given_precision
    )


UNDETERMINED = "und"
"""ISO 639-2 code for an undetermined language."""


@dataclass(frozen=True)
class Evidence:
    """One reason behind a score: a matched term (or model feature), its language and its weight."""

    term: str
    weight: float
    language: str | None = None
    count: int = 1
    written: str | None = None
    """The matched words as the item writes them ("Geflüchtete", "πρόσφυγες", "języka"), where `term`
    is the rule's pattern or the model's normalised feature ("gefluchtet*", "model:jezyka"); None when
    not known. Stored JSON leaves it out when None (crawler.store.schema `clean_json`)."""


@dataclass(frozen=True)
class ThemeScore:
    """Score in [0, 1] for one of `THEMES`, with the evidence that produced it."""

    theme: str
    score: float
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Classification:
    """Classifier output for one text.

    relevance: probability-like score in [0, 1] that the item concerns migrant integration.
    relevant: the decision after the (per-language) threshold.
    themes: one `ThemeScore` per theme (all six, sorted by score, highest first).
    assigned: names of the themes whose score passed their threshold (multi-label).
    relevance_evidence: the terms behind `relevance`.
    model_version: e.g. ``rules-2026.11.1`` or ``model-<sha>``.
    """

    relevance: float
    relevant: bool
    themes: tuple[ThemeScore, ...]
    assigned: tuple[str, ...]
    relevance_evidence: tuple[Evidence, ...] = ()
    model_version: str = "rules"


@dataclass
class Attachment:
    """A document linked from an item (PDF, enclosure).

    `title` is the link's own text (feed enclosure, API field, anchor); `role` names a funding call's
    document (call document, guide, template, annex, ...: pipelines.calldocs.ROLES), None elsewhere.
    The fields below are set only for an attachment fetched from a followed page (source setting
    `attachments`): `body` (the bytes, until pipelines.attachments extracted them), `sha256` (hex
    digest of the body: one document per distinct body), `size` (bytes), the extracted `text`,
    `document_title`, `language` (ISO 639-1 or ``und``), `page_count`, and `flags` (extraction
    warnings, or ``attachment_<error key>`` when the fetch failed).
    """

    url: str
    title: str | None = None
    media_type: str | None = None
    role: str | None = None
    body: bytes | None = None
    sha256: str | None = None
    size: int | None = None
    text: str | None = None
    document_title: str | None = None
    language: str | None = None
    page_count: int | None = None
    flags: list[str] = field(default_factory=list)

    def link(self) -> dict[str, str | None]:
        """The attachment as a link (what `items.attachments` keeps): url, title, media_type, role."""
        return {"url": self.url, "title": self.title, "media_type": self.media_type, "role": self.role}


@dataclass
class FundingCall:
    """A funding call as structured data (content type ``funding``); set by pipelines.funding.

    deadlines: every cut-off, aware UTC datetimes, ascending (the instant as published: "17:00 CET"
    is 16:00Z; a day without a time is the end of that day in the zone named or the source's zone).
    status: `CALL_STATUSES` as published or derived from opening and deadlines at harvest time.
    budget_amount in budget_currency units (ISO 4217, e.g. ``EUR``); eligible_countries ISO 3166-1
    alpha-2 codes. deadline_text: the phrase the first deadline was read from (text sources).
    """

    call_id: str | None = None
    programme: str | None = None
    opens_at: datetime | None = None
    deadlines: list[datetime] = field(default_factory=list)
    status: str | None = None
    budget_amount: float | None = None
    budget_currency: str | None = None
    eligible_countries: list[str] = field(default_factory=list)
    deadline_text: str | None = None


def call_status(
    now: datetime, *, opens_at: datetime | None, deadlines: Iterable[datetime], published: str | None = None
) -> str | None:
    """The status of a call at `now`: ``closed`` once the last deadline is past (whatever is published),
    ``forthcoming`` before the opening date, ``open`` from the opening date on (a call published as
    forthcoming opens by itself), else the published status when it is one of `CALL_STATUSES`, else
    ``open`` when a deadline is ahead; None when nothing tells."""
    ordered = sorted(deadlines)
    if ordered and now > ordered[-1]:
        return "closed"
    if opens_at is not None and now < opens_at:
        return "forthcoming"
    if published == "forthcoming" and opens_at is not None:
        return "open"
    if published in CALL_STATUSES:
        return published
    return "open" if ordered else None


def event_zone(label: str | None) -> tzinfo:
    """The zone of a stored event's ``timezone`` label: an IANA name, or a UTC offset ``+hh:mm`` /
    ``+hhmm``; UTC when there is none or it is unknown."""
    if not label:
        return UTC
    if label[:1] in "+-" and len(label) >= 5 and label[1:3].isdigit() and label[-2:].isdigit():
        sign = -1 if label[0] == "-" else 1
        return timezone(sign * timedelta(hours=int(label[1:3]), minutes=int(label[-2:])))
    try:
        return ZoneInfo(label)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _local_day(value: datetime, zone: tzinfo) -> date:
    """The local day whose midnight in `zone` is nearest `value` (naive values are UTC)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return (aware.astimezone(zone) + timedelta(hours=12)).date()


def all_day_dates(
    start: datetime | None, end: datetime | None, label: str | None
) -> tuple[date, date] | None:
    """(first day, last day, inclusive) of an all-day event as written by its source.

    An all-day event is stored as UTC instants of local midnights in its zone `label` (start: the
    midnight opening its first day; end, exclusive: the midnight after its last day, RFC 5545's DTEND
    of a DATE), so its days are read back in that zone, never in UTC; a stored instant up to 12 hours
    off a local midnight (a length added in UTC across a DST change) still gives its day. None
    without a start."""
    if start is None:
        return None
    zone = event_zone(label)
    first = _local_day(start, zone)
    if end is None:
        return first, first
    last = _local_day(end, zone) - timedelta(days=1)
    return first, max(first, last)


@dataclass
class EventInfo:
    """An event as structured data (content type ``event``); set by pipelines.events or the ical spider.

    start/end: aware UTC datetimes; end is exclusive (an all-day event of 15 March ends at midnight
    starting 16 March, local time). timezone: IANA name or UTC offset the times were published in.
    online: attendance is (also) online. country: ISO 3166-1 alpha-2 where known.
    """

    start: datetime | None = None
    end: datetime | None = None
    all_day: bool = False
    timezone: str | None = None
    venue: str | None = None
    city: str | None = None
    country: str | None = None
    online: bool = False
    organiser: str | None = None
    registration_url: str | None = None
    registration_deadline: datetime | None = None


@dataclass
class HarvestedItem:
    """One harvested item as it flows through the pipelines (the Scrapy item).

    Datetimes are timezone-aware UTC once `pipelines.normalize` has run. Text fields are `str`
    cleaned of NUL, C0 controls and lone surrogates by the normalise stage.
    """

    # --- set by the spider ---
    source_id: str
    url: str
    """Link of the item (entry link, listing link, sitemap loc, API link); once followed, the page the
    fetch landed on (after HTTP redirects and an immediate refresh: spiders.base.landing_url)."""
    linked_url: str | None = None
    """The link the item was reached by when its fetch landed on another page (`url`); an alias of the
    item's identity (pipelines.dedup `identity_aliases`), None when the page answered at its link."""
    title: str | None = None
    summary: str | None = None
    guid: str | None = None
    entry_key: str | None = None
    """Set by the feed spider when the entry's link is no article's own address (shared by several
    entries, or the feed's home page): what identifies the entry instead (spiders.entries)."""
    official_id: str | None = None
    """Official document id where the source gives one (CELEX, ECI registration number, procedure ref)."""
    published_raw: str | None = None
    """The date string exactly as the source wrote it."""
    updated_raw: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    author: str | None = None
    declared_languages: list[str] = field(default_factory=list)
    declared_language: str | None = None
    """Language the entry or page itself declares (xml:lang, <html lang>, API field), if any."""
    content_type: str = "news"
    country: str = "EU"
    attachments: list[Attachment] = field(default_factory=list)
    deadline: datetime | None = None
    """The call's next deadline at harvest time (else its last); pipelines.funding sets it."""
    structured_raw: dict[str, Any] = field(default_factory=dict)
    """Values a source's field mapping (`api.fields`, the ical spider) picked, as written."""
    fetched_at: datetime | None = None
    feed_name: str | None = None
    """Set by the feed spider: the feed's own title; the site's name an entry's title carries is
    stripped (pipelines.normalize, pipelines.titles.strip_feed_title)."""
    record: dict[str, Any] | None = None
    """The raw API record or feed entry fields, kept for re-extraction (JSON-serialisable)."""
    # the followed page (HTML, PDF or XML), when the source has `follow: true`
    body: bytes | None = None
    body_url: str | None = None
    media_type: str | None = None
    http_status: int | None = None
    http_headers: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    # --- set by pipelines.extract ---
    text: str | None = None
    """Main text of the followed page; without a page, an API record's detail text (spiders.api)."""
    page_title: str | None = None
    """The followed page's own title, cleaned (`pipelines.titles`)."""
    raw_title: str | None = None
    """The title as the page or file gives it (HTML <title>, PDF metadata), site name and all."""
    page_count: int | None = None
    date_method: str | None = None
    """Where published_at came from: feed, api, sitemap, page, fetch_time."""
    extraction_method: str | None = None
    # --- set by pipelines.funding and pipelines.events ---
    funding: FundingCall | None = None
    event: EventInfo | None = None
    # --- set by pipelines.language ---
    language: str | None = None
    language_confidence: float | None = None
    language_method: str | None = None
    languages_found: list[str] = field(default_factory=list)
    # --- set by pipelines.dedup ---
    canonical_url: str | None = None
    identity: str | None = None
    identity_aliases: list[str] = field(default_factory=list)
    """Other identities of the same item: that of `linked_url` (the store finds and tombstones by them)."""
    identity_url: str | None = None
    """The URL as an identity compares it (pipelines.dedup: no scheme, ``www.``, trailing slash or
    tracking parameters); the store finds an entry re-issued under another GUID by it."""
    content_hash: str | None = None
    fingerprint: int | None = None
    # --- set by pipelines.classify ---
    classification: Classification | None = None
    # --- any stage ---
    flags: list[str] = field(default_factory=list)
    """Warnings such as ``date_in_future``, ``title_truncated``, ``text_cleaned``."""


@dataclass
class CrawlReport:
    """Outcome of one crawl of one source, built from Scrapy stats when the spider closes."""

    source_id: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"
    """running | ok | failed | interrupted"""
    error_key: str | None = None
    error: str | None = None
    fetched: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    http_errors: dict[str, int] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    broken: bool = False
    """judged broken by meaning (crawler.health rule 2): the source answers, but with junk"""
    held_back: int = 0
    """items of this run held back from the review queue (crawler.store.suspects)"""
