"""Source health: pure rules from a crawl's stats and the source's recent runs to its verdict.

Stdlib and crawler.types only: the Scrapy extension (crawler.extensions) feeds it stats, the store
(crawler.store.runs) loads the recent runs and saves what comes out. Times are aware UTC datetimes.

1. A run's status and error key, from its Scrapy stats (`build_report`), in this order: closed by
   shutdown, or a request refused because the crawl was stopping (the spider may close by itself
   first) -> interrupted ``crawl.interrupted``; a store error -> failed ``store.db_error``;
   nothing yielded and a source error -> failed with the most frequent error key; nothing yielded
   because the source answered 304 or the same bytes (``ewsi/fetch/not_modified``), or a well-formed
   feed has zero entries (``ewsi/feed/empty``) -> ok; nothing
   yielded otherwise -> failed ``parse.no_items``; pages followed but none gave text -> failed
   ``extract.all_empty``, or ``extract.timeout`` (``extract.memory``) when the extraction worker was
   stopped at its time (memory) limit on any of them, the most frequent kill: the pages were not
   empty, our extraction did not finish (their items keep the head's title and description,
   pipelines.headmeta); such a key is not one of `MEANING_KEYS` (it says nothing about the source's
   pages changing), and a run with text whose extraction was stopped on some pages says so as a
   warning; pages to follow but every one failed to fetch, `MIN_FAILED_PAGES` or more
   (404s, a block, a cut archive) -> failed with their most frequent key, the items kept without
   text; otherwise ok (errors of single pages are counted, not fatal, and shown as a warning: "3 of
   20 followed pages failed, most with fetch.http_404").
2. Judged by meaning (`judge_by_meaning`) against the source's last `HISTORY_RUNS` ok runs. An ok
   run that delivered items is failed and broken, first rule that holds:
   - ``parse.nav_links``: at least `NAV_MIN` items, more than `NAV_SHARE` of them, are titled with a
     navigation label (`is_nav_title`: "Home", "About us", "Kontakt", "Accueil", ...): the selector
     now matches the site's menu (no history needed: a menu is never news);
   - ``parse.same_titles``: one title (compared by `title_key`) is carried by at least
     `SAME_TITLE_MIN` items and more than `SAME_TITLE_SHARE` of them that nothing else tells apart
     (repeated anchor texts such as "Read more", or one page title on every item): items of one
     title whose event start, deadlines, call id, official id or own text differ
     (`look_alike_key`) are a series, not a broken listing;
   - ``extract.no_text``: more than `NO_TEXT_SHARE` of the items whose document was read have no
     text while an earlier ok run recorded its text count and had text; an item whose document was
     not read (``unread``: its page or detail fetch failed, or its extraction was stopped) is a
     fetch failure, reported by rule 1 with its fetch key, never an item without text;
   - ``parse.no_dates``: undated in more than `NO_DATES_SHARE` while an earlier ok run was dated.
   A run failed with a key of `MEANING_KEYS` while an earlier ok run delivered items -> broken.
   The items a broken run stored first are held back from the review queue (`Judgement.holds_items`,
   crawler.store.suspects), and the crawl summary shows the run as broken with this key.
3. The source's state after the run (`after_run`): a key of `NOT_THE_SOURCE` (shutdown, our own
   database outage) -> unchanged (None); ok -> ``healthy``, failures 0, back-off cleared, or
   ``quiet`` when no new item came for `QUIET_FACTOR` x the usual gap between runs with new items
   (median over at least `QUIET_SAMPLES` gaps, at least `QUIET_MIN`); failed or interrupted ->
   failures + 1, ``broken`` when judged so else ``failing``, back-off until finish +
   `backoff_delay` (min(2**n x 15 min, 24 h); a source is never disabled).
4. Moved sources (`moved_to`, `moved_after_run`): a source's configured URL that answers a
   permanent redirect (301 or 308; after it, other hops may follow) to a final URL answering 2xx
   has moved: the URL the permanent hops lead to is recorded on the source (``sources.moved_to``,
   configured URL -> new URL) and shown by `ewsi sources status`, `ewsi sources check` and the
   desk's sources page, with the advice to update the config. A temporary redirect (302, 303,
   307) first never counts. A run that answered without it replaces the record (the config was
   updated, or the site moved back); a run that did not reach the source keeps it.
5. Quarantine of poison pages (`strike`): a URL whose extraction worker was killed
   `QUARANTINE_AFTER` times is skipped until `QUARANTINE_DAYS` after its last kill; strikes older
   than that are forgotten.
6. A paused host (`HOST_PAUSED`, `after_pause`): a request not sent because its host asked,
   answering another request (often another source's), not to be contacted for a while (a 429/503
   whose Retry-After exceeds EWSI_RETRY_AFTER_MAX, capped at `HOST_PAUSE_MAX`, a day) gets
   ``fetch.host_paused``. A run whose only errors are that, with nothing yielded, is ``skipped``,
   not failed: the source keeps its state and failure count and its back-off runs until the host
   reopens (`not_before`, stats ``ewsi/host_paused_until``), so it is tried again then. The source
   that got the 429 itself fails with ``fetch.http_429`` and is not asked before the host reopens.
   The same holds for followed pages (``ewsi/page_errors/fetch.host_paused``, a sitemap's or
   listing's articles): they never count toward the failure of rule 1 (`MIN_FAILED_PAGES`); a run
   whose items were yielded is ok with a warning naming them, one that yielded nothing and met no
   other error is ``skipped``. The host's pause shown (crawler.store.pauses) is the closure's end,
   never a source's back-off.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.types import CrawlReport, HarvestedItem

EXTRACTION_STOPS = ("timeout", "memory")
"""Worker kills (``ewsi/worker/<kill>``, pipelines.extract) that name a run whose followed pages gave
no text ``extract.<kill>`` instead of ``extract.all_empty`` (rule 1)."""
DROPPED_PAGE_KEYS = frozenset(
    {"fetch.robots", "fetch.blocked_address", "fetch.blocked_scheme", "crawl.interrupted"}
)
"""Error keys of a followed page that drop its item instead of keeping it flagged (spiders.base); a
page not asked because the crawl stopped (``crawl.interrupted``) leaves its item to the next run."""
MIN_FAILED_PAGES = 3
"""Followed pages that must fail, none read, before the run fails for them (rule 1): one or two new
items whose pages fail are a warning, not a failing source with a back-off."""
HISTORY_RUNS = 5
"""Ok runs of a source looked at to judge a run by meaning (does the source normally deliver?)."""
MEANING_KEYS = frozenset(
    {
        "parse.no_items",
        "parse.feed_malformed",
        "extract.all_empty",
        "parse.no_dates",
        "parse.nav_links",
        "parse.same_titles",
        "extract.no_text",
    }
)
"""Error keys that say "the source answered, but not with what it normally delivers"."""
INTERRUPTED = "crawl.interrupted"
"""A request refused, or a run closed, because the crawl was stopping (a signal; not the source's)."""
NOT_THE_SOURCE = frozenset({INTERRUPTED, "store.db_error"})
"""Error keys of runs that failed for reasons of ours, not the source's: not counted as its failures."""
NO_DATES_SHARE = 0.5
"""A run whose items are undated in more than this share, for a source whose ok runs were dated,
fails with ``parse.no_dates``."""
QUIET_FACTOR = 3.0
QUIET_MIN = timedelta(days=1)
QUIET_SAMPLES = 3
"""``quiet`` needs at least this many earlier runs with new items to know the usual gap."""
QUIET_WINDOW = 20
"""Latest runs with new items whose gaps give the usual gap."""
BACKOFF_BASE = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=24)
"""After n consecutive failures the source waits min(2**n * 15 min, 24 h) (Miniflux-style back-off)."""
HOST_PAUSE_MAX = BACKOFF_MAX
"""Longest pause a host's `Retry-After` imposes (crawler.fetch.retry, crawler.store.host_budget): the
back-off cap, so a host is never left alone longer than a broken source is."""
HOST_PAUSED = "fetch.host_paused"
"""Error key of a request not sent because its host asked, in an answer to another request, not to
be contacted for a while (a 429/503 with a long Retry-After; rule 6)."""
QUARANTINE_AFTER = 2
"""Worker kills (memory or timeout) after which a URL is quarantined."""
QUARANTINE_DAYS = 7
"""How long a quarantine (and a single kill's strike) lasts after the last kill."""
NAV_MIN = 2
NAV_SHARE = 0.3
"""A run with at least `NAV_MIN` navigation-titled items, more than `NAV_SHARE` of its items, fails
with ``parse.nav_links`` (a listing selector that matched the menu yields mostly menu entries; a real
listing with one stray "Contact" link stays ok)."""
SAME_TITLE_MIN = 3
SAME_TITLE_SHARE = 0.5
"""A run where one title is carried by at least `SAME_TITLE_MIN` items and more than
`SAME_TITLE_SHARE` of them, with nothing else telling them apart (`look_alike_key`), fails with
``parse.same_titles``."""
NO_TEXT_SHARE = 0.5
"""A run whose items have no text in more than this share, for a source whose ok runs had text,
fails with ``extract.no_text``."""
QUALITY_NAMES: tuple[str, ...] = (
    "items",
    "undated",
    "followed",
    "empty",
    "nav",
    "same_title",
    "no_text",
    "unread",
)
"""Item quality counts of a run (``ewsi/quality/<name>``, counted by pipelines.store): items stored,
undated, followed to a page, followed but empty, navigation-titled (`is_nav_title`), the number of
items carrying the run's most frequent title with nothing else telling them apart
(`look_alike_key`), items whose document was read but gave no text, and items whose document was
not read (crawler.store.items.document_unread)."""
BASE_QUALITY = ("items", "undated", "followed", "empty")
"""Quality counts every recorded run has; the others are absent from runs recorded before them."""

NAV_LABELS = frozenset(
    {
        # en
        "home", "home page", "homepage", "about", "about us", "contact", "contact us", "contacts",
        "imprint", "legal notice", "privacy", "privacy policy", "cookie policy", "cookies",
        "accessibility", "sitemap", "site map", "search", "menu", "main menu", "login", "log in",
        "sign in", "register", "skip to content", "skip to main content", "back", "back to top",
        "top", "next", "previous", "more", "read more", "faq", "help", "terms of use", "newsletter",
        # de
        "startseite", "start", "über uns", "kontakt", "impressum", "datenschutz", "suche",
        "barrierefreiheit", "weiterlesen", "mehr", "zurück",
        # fr
        "accueil", "à propos", "qui sommes-nous", "nous contacter", "mentions légales",
        "plan du site", "recherche", "lire la suite", "confidentialité",
        # es, pt, it
        "inicio", "contacto", "aviso legal", "quiénes somos", "buscar", "leer más", "início",
        "contactos", "sobre nós", "pesquisar", "chi siamo", "contatti", "cerca", "note legali",
        # nl, pl, cs, sv, da, el
        "over ons", "zoeken", "strona główna", "kontakt z nami", "o nas", "szukaj",
        "úvodní stránka", "o nás", "hledat", "hem", "om oss", "sök", "forside", "om os",
        "αρχική", "επικοινωνία",
    }
)  # fmt: skip
"""Navigation labels of the 24 EU languages' sites (compared by `title_key`); the list is ours,
gathered from menus of ministry, city and NGO sites."""

_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


def failed_pages_fate(pages_failed: int, stats: Mapping[str, Any]) -> str:
    """What became of the items of `pages_failed` failed pages, for the run's page note.

    Rule: an item stored before is kept as it was (``ewsi/items/kept_unread``, pipelines.store), a
    new one is stored from its index entry without text (``ewsi/items/new_unread``), and any other
    was dropped (tombstoned, a duplicate, too old, a store error: the dropped column says why), so
    an item the store drops is never counted new. One fate for all: "their items kept without
    text", "their stored items kept as they were", "their items dropped"; else the counts of each
    ("3 stored items kept as they were, 2 new without text, 1 dropped").
    """
    kept = min(int(stats.get("ewsi/items/kept_unread", 0) or 0), pages_failed)
    new = min(int(stats.get("ewsi/items/new_unread", 0) or 0), pages_failed - kept)
    dropped = pages_failed - kept - new
    if kept == pages_failed:
        return "their stored items kept as they were"
    if new == pages_failed:
        return "their items kept without text"
    if dropped == pages_failed:
        return "their items dropped"
    parts = [
        f"{kept} stored {'item' if kept == 1 else 'items'} kept as {'it was' if kept == 1 else 'they were'}"
        if kept
        else "",
        f"{new} new without text" if new else "",
        f"{dropped} dropped" if dropped else "",
    ]
    return ", ".join(part for part in parts if part)


def look_alike_key(item: HarvestedItem) -> str:
    """What a run's same-titles count compares (rule 2, ``parse.same_titles``): the item's `title_key`
    with what tells items of one title apart: the event's start, the call's deadlines and call id, the
    official id, and the item's own words (its text, else its summary, compared by `title_key`).
    Six sessions of one "Sprachcafé" on six days, six calls of one programme with their own ids and
    deadlines, or news items of one title whose texts differ are six keys; a listing whose every
    item is the site's header (one title, no dates, one text or none) is one key six times. ""
    when the item has no title."""
    key = title_key(item.title)
    if not key:
        return ""
    funding = item.funding
    event = item.event
    deadlines = list(funding.deadlines) if funding is not None else []
    if item.deadline is not None:
        deadlines.append(item.deadline)
    facets = (
        event.start.isoformat() if event is not None and event.start is not None else "",
        ",".join(sorted({d.isoformat() for d in deadlines})),
        (funding.call_id or "") if funding is not None else "",
        item.official_id or "",
        title_key(item.text or item.summary),
    )
    return "\x1f".join((key, *facets))


def title_key(title: str | None) -> str:
    """A title as compared by the junk rules: NFKC, case-folded, whitespace collapsed, punctuation
    and arrows (``» › →``) stripped at both ends; "" for None."""
    if not title:
        return ""
    text = " ".join(unicodedata.normalize("NFKC", title).casefold().split())
    return _EDGE_PUNCT.sub("", text)


def is_nav_title(title: str | None) -> bool:
    """Whether `title` is a navigation label (`NAV_LABELS`), e.g. "Home", "» About us", "KONTAKT"."""
    return title_key(title) in NAV_LABELS


@dataclass(frozen=True)
class RunSummary:
    """An earlier ok run of the source, as far as judging by meaning needs it."""

    items_new: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    quality: Mapping[str, int] | None = None

    @property
    def delivered(self) -> bool:
        """It brought items (by its quality counts, else by its store outcomes)."""
        items = self.quality["items"] if self.quality else 0
        return items > 0 or self.items_new + self.items_updated + self.items_unchanged > 0

    @property
    def dated(self) -> bool:
        """Its items were mostly dated (undated at most `NO_DATES_SHARE`)."""
        q = self.quality
        return bool(q and q["items"] and q["undated"] <= q["items"] * NO_DATES_SHARE)

    @property
    def texted(self) -> bool:
        """It recorded its items without text and they were at most `NO_TEXT_SHARE` of its items
        whose document was read."""
        q = self.quality
        read = q["items"] - q.get("unread", 0) if q else 0
        return bool(q and read > 0 and "no_text" in q and q["no_text"] <= read * NO_TEXT_SHARE)


@dataclass(frozen=True)
class Judgement:
    """A run judged by meaning: its final status and error key, a message when the judgement set
    one, whether the source is broken (answers, but not with what it normally delivers) and how many
    of its items were held back."""

    status: str
    error_key: str | None
    message: str | None = None
    broken: bool = False
    held_back: int = 0
    """items of the run held back from the review queue (set by crawler.store.runs.finish_run)"""

    @property
    def holds_items(self) -> bool:
        """The items this run stored first are held back from the review queue (a broken run)."""
        return self.broken


@dataclass(frozen=True)
class SourceHealth:
    """The health columns of a source (crawler.store.schema.SourceRow), as plain data."""

    state: str = "new"
    consecutive_failures: int = 0
    backoff_until: datetime | None = None
    last_error_key: str | None = None
    last_error: str | None = None
    last_success_at: datetime | None = None
    last_new_item_at: datetime | None = None


# --- 1. a run's status from its stats ---------------------------------------------------------


def quality_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    """The run's item quality counts (`QUALITY_NAMES`) from Scrapy stats ``ewsi/quality/<name>``."""
    return {name: int(stats.get(f"ewsi/quality/{name}", 0)) for name in QUALITY_NAMES}


def quality_of(stats: Any) -> dict[str, int] | None:
    """The quality counts a stored run recorded under ``stats["quality"]``, or None if absent."""
    quality = stats.get("quality") if isinstance(stats, dict) else None
    if not isinstance(quality, dict):
        return None
    return {k: int(quality.get(k) or 0) for k in QUALITY_NAMES if k in quality or k in BASE_QUALITY}


def _prefixed(stats: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k.removeprefix(prefix): v for k, v in stats.items() if k.startswith(prefix)}


def build_report(
    source_id: str,
    stats: Mapping[str, Any],
    started_at: datetime,
    reason: str,
    *,
    now: datetime | None = None,
) -> CrawlReport:
    """Turn a crawl's Scrapy stats into a `CrawlReport` with its status and error key (rule 1).

    `reason` is Scrapy's close reason (``finished``, ``shutdown``, ...); `now` the finish time.
    """
    errors = Counter(_prefixed(stats, "ewsi/errors/"))
    http = {
        k: v
        for k, v in _prefixed(stats, "downloader/response_status_count/").items()
        if k not in ("200", "304")
    }
    yielded = int(stats.get("ewsi/items/yielded", 0))
    report = CrawlReport(
        source_id=source_id,
        started_at=started_at,
        finished_at=now or datetime.now(UTC),
        fetched=int(stats.get("downloader/response_count", 0)),
        items_new=int(stats.get("ewsi/items/new", 0)),
        items_updated=int(stats.get("ewsi/items/updated", 0)),
        items_unchanged=int(stats.get("ewsi/items/unchanged", 0)),
        dropped=_prefixed(stats, "ewsi/dropped/"),
        http_errors=http,
        stats={k: v for k, v in stats.items() if isinstance(v, int | float | str | dict) and "/" in k},
    )
    report.stats["page_errors"] = _prefixed(stats, "ewsi/page_errors/")
    report.stats["attachment_errors"] = _prefixed(stats, "ewsi/attachment_errors/")
    report.stats["quality"] = quality_counts(stats)
    messages = stats.get("ewsi/error_messages") or {}
    extracted_empty = int(stats.get("ewsi/extract/empty", 0))
    # pages whose item was kept without text; a refused page's item was dropped (counted there)
    page_errors = Counter(
        {k: int(v) for k, v in report.stats["page_errors"].items() if k not in DROPPED_PAGE_KEYS}
    )
    pages_failed = sum(page_errors.values())
    # pages refused only because their host was paused are deferred, never the source's failure (rule 6)
    pages_broken = pages_failed - page_errors.get(HOST_PAUSED, 0)
    followed = sum(
        int(v) for k, v in stats.items() if k.startswith("ewsi/extract/") and k != "ewsi/extract/empty"
    )
    # pages read (an empty page counts: it answered) and API detail answers that gave a text
    pages_read = followed + int(stats.get("ewsi/api/detail_text", 0))
    stopped = Counter({k: int(stats.get(f"ewsi/worker/{k}", 0) or 0) for k in EXTRACTION_STOPS})
    stopped_key = f"extract.{stopped.most_common(1)[0][0]}" if sum(stopped.values()) else None
    stop_note = (
        f"the extraction of {sum(stopped.values())} of {followed} followed pages was stopped "
        f"({', '.join(f'extract.{k} {n}' for k, n in sorted(stopped.items()) if n)}): "
        "their items keep the page's title and description, without text"
        if stopped_key
        else None
    )
    # a request refused because the crawl was stopping means the run was cut short, even when the
    # spider closed by itself (nothing left to ask) before the stop reached its engine
    cut_short = errors.get(INTERRUPTED) or report.stats["page_errors"].get(INTERRUPTED)
    if reason == "shutdown" or cut_short:
        report.status, report.error_key = "interrupted", INTERRUPTED
    elif errors.get("store.db_error"):
        report.status, report.error_key = "failed", "store.db_error"
    elif yielded == 0 and set(errors or page_errors) == {HOST_PAUSED}:
        report.status, report.error_key = "skipped", HOST_PAUSED  # rule 6: deferred, not failed
    elif yielded == 0 and errors:
        report.status, report.error_key = "failed", _most_common(errors)
    elif yielded == 0 and (stats.get("ewsi/fetch/not_modified") or stats.get("ewsi/feed/empty")):
        report.status = "ok"  # the source answered 304 or the same bytes: nothing new, not broken
    elif yielded == 0:
        report.status, report.error_key = "failed", "parse.no_items"
    elif followed and extracted_empty >= followed:
        report.status, report.error_key = "failed", stopped_key or "extract.all_empty"
    elif pages_broken >= MIN_FAILED_PAGES and not pages_read:
        # every page the items link to failed (404s, a cut archive, a block): items without text
        report.status, report.error_key = "failed", _most_common(page_errors)
    else:
        report.status = "ok"
        if errors:  # some of the source's URLs failed, others delivered
            report.error_key = _most_common(errors)
    page_note = (
        f"{pages_failed} of {pages_failed + pages_read} followed pages failed, "
        f"most with {page_errors.most_common(1)[0][0]} ({failed_pages_fate(pages_failed, stats)})"
        if pages_failed
        else None
    )
    if report.error_key and report.error_key in page_errors and not errors:
        report.error = page_note
    elif report.error_key and report.error_key == stopped_key:
        report.error = stop_note
    elif report.error_key:
        report.error = messages.get(report.error_key) or stats.get("ewsi/feed/bozo_message")
    elif stats.get("ewsi/feed/bozo"):
        report.error = f"warning: {stats.get('ewsi/feed/bozo_message')}"
    elif stats.get("ewsi/feed/guid_repeated"):
        repeated = stats["ewsi/feed/guid_repeated"]
        report.error = f"warning: {repeated} feed entries share a GUID or use the feed's URL as one"
    elif page_note:
        report.error = f"warning: {page_note}"
    elif stop_note:
        report.error = f"warning: {stop_note}"
    elif mixed_note := mixed_encoding_note(stats):
        report.error = f"warning: {mixed_note}"
    elif asked := stats.get("ewsi/robots/crawl_delay_asked"):
        report.error = (
            f"warning: robots.txt asks Crawl-delay {asked:g} s, capped at "
            f"{stats.get('ewsi/robots/crawl_delay_cap', 0):g} s (AUTOTHROTTLE_MAX_DELAY)"
        )
    return report


def mixed_encoding_note(stats: Mapping[str, Any]) -> str | None:
    """The warning of a run whose documents declared or read as UTF-8 held bytes that are not
    UTF-8 and were read as Windows-1252 (crawler.encoding, "Mixed encodings"): stats
    ``ewsi/parse/mixed_encoding`` (bytes, in feeds and JSON answers) and
    ``ewsi/parse/mixed_encoding_pages`` (followed pages); None when there were none."""
    repaired = int(stats.get("ewsi/parse/mixed_encoding", 0) or 0)
    pages = int(stats.get("ewsi/parse/mixed_encoding_pages", 0) or 0)
    if not repaired and not pages:
        return None
    where = [f"{repaired} byte{'s' if repaired != 1 else ''} in the source's documents"] if repaired else []
    if pages:
        where.append(f"{pages} followed page{'s' if pages != 1 else ''}")
    return (
        f"parse.mixed_encoding: {' and '.join(where)} not valid UTF-8, read as Windows-1252 "
        "(a UTF-8 text with pasted Windows-1252 characters; a cut UTF-8 character as U+FFFD)"
    )


def _most_common(errors: Counter[str]) -> str:
    """The run's error key: the most frequent, ``fetch.host_paused`` only when it is the only one (the
    source's own answer, a 429 that closed the host, says more than the requests refused after it)."""
    own = Counter({k: v for k, v in errors.items() if k != HOST_PAUSED})
    return (own or errors).most_common(1)[0][0]


def not_before(stats: Mapping[str, Any]) -> datetime | None:
    """When the host this run's requests were refused for, or the one that answered it with a too long
    Retry-After, reopens: stats ``ewsi/host_paused_until`` or ``ewsi/retry_after`` (ISO 8601 UTC,
    the later), None when neither is set or readable (rule 6)."""
    found = []
    for key in ("ewsi/host_paused_until", "ewsi/retry_after"):
        value = stats.get(key)
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            found.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return max(found) if found else None


def report_status(status: str, error_key: str | None) -> str:
    """A report's status as a run status: ok, failed, interrupted or skipped (``running`` and unknown
    values count as ok unless there is an error key)."""
    if status in ("ok", "failed", "interrupted", "skipped"):
        return status
    return "failed" if error_key else "ok"


# --- 2. judged by meaning -----------------------------------------------------------------------


def judge_by_meaning(
    status: str, error_key: str | None, stats: Any, history: Sequence[RunSummary]
) -> Judgement:
    """Judge a run against `history`, the source's last ok runs, newest first (rule 2)."""
    quality = quality_of(stats)
    if status == "ok" and quality and quality["items"]:
        junk = _junk(quality, history)
        if junk is not None:
            return Judgement("failed", junk[0], junk[1], True)
    if status == "failed" and error_key in MEANING_KEYS and any(r.delivered for r in history):
        return Judgement(status, error_key, None, True)
    return Judgement(status, error_key, None, False)


def _junk(quality: Mapping[str, int], history: Sequence[RunSummary]) -> tuple[str, str] | None:
    """The first junk rule of rule 2 an ok run's quality counts meet: (error key, message), or None."""
    n = quality["items"]
    # in English number as crawler.text.counted says it (this module imports crawler.types only)
    of_n = f"of {n} item" if n == 1 else f"of {n} items"
    nav, same, no_text = quality.get("nav", 0), quality.get("same_title", 0), quality.get("no_text", 0)
    if nav >= NAV_MIN and nav > n * NAV_SHARE:
        return (
            "parse.nav_links",
            f"{nav} {of_n} {'is' if nav == 1 else 'are'} titled like navigation links (Home, About, ...)",
        )
    if same >= SAME_TITLE_MIN and same > n * SAME_TITLE_SHARE:
        return (
            "parse.same_titles",
            f"{same} {of_n} {'carries' if same == 1 else 'carry'} the same title",
        )
    read = n - quality.get("unread", 0)  # an unread document is a fetch failure (rule 1), not no text
    if read > 0 and no_text > read * NO_TEXT_SHARE and any(r.texted for r in history):
        of_read = of_n if read == n else f"of {read} item read" if read == 1 else f"of {read} items read"
        return (
            "extract.no_text",
            f"{no_text} {of_read} {'has' if no_text == 1 else 'have'} no text; "
            "the source's last ok runs had text",
        )
    undated = quality["undated"]
    if undated > n * NO_DATES_SHARE and any(r.dated for r in history):
        return (
            "parse.no_dates",
            f"{undated} {of_n} {'has' if undated == 1 else 'have'} no date; "
            "the source's last ok runs were dated",
        )
    return None


# --- 3. the source's state ----------------------------------------------------------------------


def backoff_delay(failures: int) -> timedelta:
    """Back-off after `failures` consecutive failures: min(2**failures * 15 min, 24 h)."""
    if failures <= 0:
        return timedelta(0)
    if failures >= 17:  # 2**17 * 15 min is far past the cap; avoids huge integers
        return BACKOFF_MAX
    backoff: timedelta = BACKOFF_BASE * (2**failures)
    return min(backoff, BACKOFF_MAX)


def is_quiet(last_new_item_at: datetime | None, new_item_times: Sequence[datetime], when: datetime) -> bool:
    """No new item for `QUIET_FACTOR` x the usual gap; `new_item_times` are the finish times of the
    source's ok runs with new items, newest first (this run included)."""
    if last_new_item_at is None:
        return False
    times = list(new_item_times)[:QUIET_WINDOW]
    if len(times) < QUIET_SAMPLES:
        return False
    gaps = sorted((a - b for a, b in itertools.pairwise(times)), key=lambda d: d.total_seconds())
    usual = gaps[len(gaps) // 2]
    return when - last_new_item_at > max(usual * QUIET_FACTOR, QUIET_MIN)


def after_success(current: SourceHealth, when: datetime, items_new: int) -> SourceHealth:
    """The health after an ok run finished at `when` (``healthy``; `is_quiet` may make it ``quiet``)."""
    return replace(
        current,
        state="healthy",
        consecutive_failures=0,
        backoff_until=None,
        last_error_key=None,
        last_error=None,
        last_success_at=when,
        last_new_item_at=when if items_new > 0 else current.last_new_item_at,
    )


def after_failure(
    current: SourceHealth, when: datetime, error_key: str, error: str | None, *, broken: bool = False
) -> SourceHealth:
    """The health after a failed (or interrupted) run at `when`: one more failure, a longer back-off."""
    failures = current.consecutive_failures + 1
    return replace(
        current,
        state="broken" if broken else "failing",
        consecutive_failures=failures,
        backoff_until=when + backoff_delay(failures),
        last_error_key=error_key,
        last_error=error,
    )


def after_run(
    current: SourceHealth,
    judgement: Judgement,
    *,
    when: datetime,
    items_new: int,
    error: str | None = None,
    new_item_times: Sequence[datetime] = (),
    paused_until: datetime | None = None,
) -> SourceHealth | None:
    """The source's health after a judged run (rules 3 and 6), or None when it must stay as it was;
    `paused_until` is `not_before` of the run's stats."""
    if judgement.status == "ok":
        health = after_success(current, when, items_new)
        if is_quiet(health.last_new_item_at, new_item_times, when):
            health = replace(health, state="quiet")
        return health
    if judgement.error_key in NOT_THE_SOURCE:
        return None  # a shutdown or our own database outage says nothing about the source's health
    if judgement.status == "skipped":  # rule 6: the host paused, the source did nothing wrong
        return after_pause(current, when, paused_until, judgement.error_key or HOST_PAUSED, error)
    default_key = "crawl.crashed" if judgement.status == "interrupted" else "fetch.error"
    health = after_failure(
        current, when, judgement.error_key or default_key, judgement.message or error, broken=judgement.broken
    )
    if paused_until is not None and (health.backoff_until is None or health.backoff_until < paused_until):
        health = replace(health, backoff_until=paused_until)  # not asked again before the host reopens
    return health


def after_pause(
    current: SourceHealth, when: datetime, paused_until: datetime | None, key: str, error: str | None
) -> SourceHealth:
    """The health after a run not fetched because its host was paused (rule 6): state and failures
    as they were; the next run waits until the host reopens (`paused_until`, else `BACKOFF_BASE`)."""
    until = paused_until or when + BACKOFF_BASE
    if current.backoff_until is not None and current.backoff_until > until:
        until = current.backoff_until
    return replace(current, backoff_until=until, last_error_key=key, last_error=error)


# --- 4. moved sources -------------------------------------------------------------------------

PERMANENT_REDIRECTS = frozenset({301, 308})
"""Statuses that say the resource moved for good (RFC 9110 15.4.2, 15.4.9)."""


def moved_to(chain: Sequence[str], reasons: Sequence[Any]) -> str | None:
    """Where the URL first asked (`chain[0]`) moved for good, or None (rule 4): `chain` is every URL
    asked, the final one last; `reasons` the status of each redirect (Scrapy's
    ``redirect_reasons``). The permanent hops at the start are followed; the first temporary one
    ends them (the URL it left is the new one)."""
    target = None
    for index, reason in enumerate(reasons):
        if reason not in PERMANENT_REDIRECTS or index + 1 >= len(chain):
            break
        target = chain[index + 1]
    return target if target is not None and target != chain[0] else None


def moved_after_run(
    previous: Mapping[str, str] | None, seen: Mapping[str, str] | None, *, answered: bool
) -> dict[str, str] | None:
    """The source's moved URLs after a run (rule 4): what the run saw when its URLs `answered`
    (replacing the record), else the record with what it saw added; None when empty."""
    moved = dict(seen or {}) if answered else {**(previous or {}), **(seen or {})}
    return moved or None


# --- 5. quarantine ------------------------------------------------------------------------------


def strike(hits: int, expires_at: datetime | None, now: datetime, kills: int = 1) -> tuple[int, datetime]:
    """A URL's strikes and their expiry after `kills` more worker kills at `now` (rule 4)."""
    if expires_at is not None and expires_at <= now:
        hits = 0
    return hits + kills, now + timedelta(days=QUARANTINE_DAYS)


def is_quarantined(hits: int) -> bool:
    """True when a URL's unexpired strikes reach `QUARANTINE_AFTER`."""
    return hits >= QUARANTINE_AFTER
