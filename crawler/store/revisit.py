"""Which known pages a source asks for again: the revisit rule of followed pages.

Rule (every source whose items' pages are followed, `follow: true`, of any kind: feed, listing,
sitemap, API), applied to the source's stored items (primary rows, not rejected). A known item's page
is fetched again on a later run, while the index that lists it (feed, listing page, urlset, API page)
answers unchanged, when
1. its document is unread: no text, and its last harvest did not read it (a flag ``page_<error key>``
   or ``detail_<error key>``: a 5xx, a timeout, a refusal during a host pause, a 404; or a stopped
   extraction: `unread_flags`), until it is
   read; at most `MAX_PAGE_TRIES` fetches in all: every failed fetch of a still unread document adds
   its ``page_<key>`` flag to the item (`note_unread`), and the one that makes `MAX_PAGE_TRIES` adds
   `UNREACHABLE_FLAG` (shown to editors) and ends the revisits; a refusal that never reached the host
   (a host pause) or our own stop is no try (`NOT_A_TRY`); or
2. it has a date still ahead of now that a corrigendum may move (a funding call's ``deadline`` or
   ``final_deadline``, an event's ``event_start``) and it was last harvested (``last_seen_at``) at
   least the source's `revisit_hours` ago (crawler.sources.Source; default 24: one revisit a day, the
   default daily schedule's period), so an extended deadline or a moved date is seen within a day and
   becomes a new version with its changes listed (crawler.store.items, rule 7); with or without
   text, and even once rule 1 gave up on it.
Every other known page is not asked again while its index is unchanged (politeness). When the
index itself changed, its entries are all read as before.
The links returned are each item's stored URL, canonical URL and the link its index gave
(``record.link``/``record.loc``, as the spider sees it before normalisation strips tracking
parameters).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from crawler.store.schema import Item

MAX_PAGE_TRIES = 3
"""Fetches of an unread document at most (the first harvest's included) before it is given up and
flagged `UNREACHABLE_FLAG`: three daily runs ride out a host's outage or pause of a day or two."""
UNREACHABLE_FLAG = "page_unreachable"
"""Flag of an item whose page failed `MAX_PAGE_TRIES` times: no longer asked for; editors see it."""
UNREAD_FLAG_PREFIXES: tuple[str, ...] = ("page_", "detail_")
"""Flag prefixes of an item whose document was not fetched: ``page_<error key>`` (a followed page,
spiders.base.SourceSpider.page_failed) and ``detail_<error key>`` (an API record's detail answer,
spiders.api.ApiSpider.detail_missing)."""
EXTRACTION_STOPPED_FLAGS: tuple[str, ...] = ("extract.timeout", "extract.memory", "extract.interrupted")
"""Flags of a fetched page whose text extraction was stopped (pipelines.extract; ``extract.interrupted``:
by the crawl's shutdown): its text unread."""


NOT_A_TRY: frozenset[str] = frozenset(
    {"page_fetch.host_paused", "detail_fetch.host_paused", "page_crawl.interrupted", "extract.interrupted"}
)
"""Unread flags of a fetch that never reached the host or was cut short by our own stop: the page
stays unread and is asked again, but no try is spent (a host paused for a day across several runs, a
Ctrl-C); kept once on the item, however often it recurs."""


def tries(flags: Any) -> int:
    """Failed fetches of the document that count toward `MAX_PAGE_TRIES` (`unread_flags` less
    `NOT_A_TRY`)."""
    return sum(1 for f in unread_flags(flags) if f not in NOT_A_TRY)


def unread_flags(flags: Any) -> list[str]:
    """The flags of `flags` (a stored or harvested list) that say a harvest did not read the document
    (module rule 1), one per failed fetch."""
    if not isinstance(flags, list):
        return []
    return [
        f
        for f in flags
        if isinstance(f, str)
        and (f in EXTRACTION_STOPPED_FLAGS or (f.startswith(UNREAD_FLAG_PREFIXES) and "." in f))
    ]


def note_unread(row: Item, flags: list[str]) -> None:
    """Count one more failed fetch of `row`'s document, still unread (module rule 1): its unread
    `flags` join the row's, and the `MAX_PAGE_TRIES`-th adds `UNREACHABLE_FLAG`."""
    if row.text is not None:
        return
    stored = list(row.flags) if isinstance(row.flags, list) else []
    stored.extend(f for f in unread_flags(flags) if f not in NOT_A_TRY or f not in stored)
    if tries(stored) >= MAX_PAGE_TRIES and UNREACHABLE_FLAG not in stored:
        stored.append(UNREACHABLE_FLAG)
    row.flags = stored


def revisit_links(session: Session, source_id: str, now: datetime, every: timedelta) -> set[str]:
    """Links of the source's items whose page is to be fetched again (module rule); `every` is the
    source's revisit interval of rule 2."""
    ahead = or_(Item.deadline > now, Item.final_deadline > now, Item.event_start > now)
    due = and_(ahead, Item.last_seen_at <= now - every)
    rows = session.execute(
        select(Item.url, Item.canonical_url, Item.flags, Item.record, Item.text, due.label("due")).where(
            Item.source_id == source_id,
            Item.version_of.is_(None),
            Item.status != "rejected",
            or_(Item.text.is_(None), due),
        )
    ).all()
    links: set[str] = set()
    for url, canonical, flags, record, text, is_due in rows:
        # rule 2 holds for a page without text too; rule 1 alone needs an unread page with tries left
        spent = not unread_flags(flags) or UNREACHABLE_FLAG in flags or tries(flags) >= MAX_PAGE_TRIES
        if text is None and not is_due and spent:
            continue
        linked = [record.get(k) for k in ("link", "loc")] if isinstance(record, dict) else []
        links.update(link for link in (url, canonical, *linked) if isinstance(link, str) and link)
    return links
