"""Dedup stage: each item's stable identity, content hash and near-duplicate fingerprint.

Identity, in order of preference (never the title; DESIGN.md convention 8):
1. ``oid:<official id>`` when the source gives an official document id;
2. ``entry:<source id>:<entry key>`` when the feed spider found the entry's link shared by other
   entries (spiders.entries): the link does not tell the articles apart;
3. ``url:<identity URL>``: the canonical link without scheme, ``www.`` or trailing slash, with
   session ids and tracking parameters removed (so URL variants are one item, T28);
4. ``guid:<source id>:<guid>`` for entries without a usable link.
The store also finds an entry again by (source, GUID) when its link changed.

A followed item whose fetch landed on another page (an HTTP redirect or an immediate refresh,
spiders.base.landing_url) is identified by the page it landed on; the link it was reached by
(`linked_url`) gives its `identity_aliases` (``url:<identity URL of the link>``): a second item with
any of these identities in the run is a duplicate, and the store finds (and tombstones) the item by
them too, so an item stored under its old link before is found again (crawler.store.items).

Within one source, two entries with the same identity URL and the same text (`same_entry_key`: the
summary and text an editor reads; the title is left out, a re-issued entry may be retitled) are one
item whatever their identities: a feed that re-issues an entry under new GUIDs, or lists it twice,
gives one item and the others are dropped as ``duplicate`` (here within a run, crawler.store.items
across runs). The same URL with other texts (a feed that links every entry to one page, each with
its own summary) stays separate items; the same text under other URLs, and near-identical texts, are
one near-duplicate group (crawler.store.groups), one review row.

The fingerprint is a 64-bit SimHash over word 3-shingles (Charikar 2002) of `near_duplicate_basis`:
the text without its date stamps (`without_date_lines`) when it has at least `MIN_TEXT_WORDS` words,
else the title when it has at least `MIN_TITLE_WORDS` words (title-only sources give counters or
boilerplate as summaries), else nothing (crawler.neardup). crawler.store.groups compares it within
and across sources; `hamming` gives the distance, crawler.neardup.same_document what two close
bases must also share.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler import neardup
from crawler.neardup import MIN_TEXT_WORDS, MIN_TITLE_WORDS
from crawler.types import HarvestedItem
from pipelines.dates import month_number
from pipelines.urls import identity_url

__all__ = ["MIN_TEXT_WORDS", "MIN_TITLE_WORDS"]

_WORD = re.compile(r"\w+", re.UNICODE)
_MASK64 = (1 << 64) - 1


def item_identity(item: HarvestedItem) -> str:
    """The identity key of an item (see the module docstring). Raises ValueError if none exists."""
    if item.official_id:
        return f"oid:{item.official_id.strip()}"
    if item.entry_key:
        return f"entry:{item.source_id}:{item.entry_key.strip()}"
    if item.url:
        return f"url:{identity_url(item.url)}"
    if item.guid:
        return f"guid:{item.source_id}:{item.guid.strip()}"
    raise ValueError("item has no official id, URL or GUID")


def identity_aliases(item: HarvestedItem, identity: str) -> list[str]:
    """The other identities of `item` (module docstring): that of the link its fetch left."""
    if not item.linked_url or not identity.startswith("url:"):
        return []
    try:
        alias = f"url:{identity_url(item.linked_url)}"
    except ValueError:
        return []
    return [alias] if alias != identity else []


def same_entry_key(item: HarvestedItem) -> str | None:
    """The key two items of one source share when they are one entry (module docstring): source, identity
    URL, and a digest of summary and text; None without a URL, without summary and text, or with an
    official id (the source names two documents)."""
    url = _identity_url_or_none(item.url)
    if url is None or item.official_id or not (item.text or item.summary):
        return None
    digest = hashlib.sha256()
    for part in (item.summary, item.text):
        digest.update((part or "").encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return f"same:{item.source_id}:{url}:{digest.hexdigest()}"


def _identity_url_or_none(url: str | None) -> str | None:
    try:
        return identity_url(url) if url else None
    except ValueError:
        return None


def content_hash(item: HarvestedItem) -> str:
    """SHA-256 hex over the fields an editor reads (title, summary, text, dates).

    A change in any of them makes the stored item a new version. Funding calls and events add their
    structured fields (`structured_parts`), so a corrigendum that moves a deadline or changes the
    budget is a new version even when the text is the same.
    """
    digest = hashlib.sha256()
    for part in (item.title, item.summary, item.text, *structured_parts(item)):
        digest.update((part or "").encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def structured_parts(item: HarvestedItem) -> tuple[str, ...]:
    """The structured values that make a new version: a call's id, programme, opening, deadlines,
    budget, countries and document links; an event's times, place, organiser and registration. The
    call status is left out: it follows from the dates and the clock. Empty for other items."""
    parts: list[str] = []
    call = item.funding
    if call is not None:
        parts += [
            call.call_id or "",
            call.programme or "",
            call.opens_at.isoformat() if call.opens_at else "",
            ",".join(d.isoformat() for d in call.deadlines),
            f"{call.budget_amount!r} {call.budget_currency or ''}",
            ",".join(call.eligible_countries),
            ",".join(sorted(a.url for a in item.attachments)),
        ]
    event = item.event
    if event is not None:
        parts += [
            event.start.isoformat() if event.start else "",
            event.end.isoformat() if event.end else "",
            "|".join(str(v or "") for v in (event.venue, event.city, event.country, event.online)),
            "|".join(str(v or "") for v in (event.organiser, event.registration_url)),
        ]
    return tuple(parts)


def simhash(text: str | None, shingle: int = 3) -> int | None:
    """64-bit SimHash of `text` over word `shingle`-grams, as a signed int (fits BIGINT); None if empty."""
    if not text:
        return None
    words = _WORD.findall(text.lower())
    if not words:
        return None
    grams = {" ".join(words[i : i + shingle]) for i in range(max(1, len(words) - shingle + 1))}
    digests = b"".join(
        hashlib.blake2b(gram.encode("utf-8", "ignore"), digest_size=8).digest() for gram in sorted(grams)
    )
    # one row of 64 bits per shingle; a bit of the fingerprint is set where most shingles set it
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8)).reshape(-1, 64)
    majority = bits.sum(axis=0, dtype=np.int64) * 2 > len(grams)
    value = int.from_bytes(np.packbits(majority).tobytes(), "big")
    return value - (1 << 64) if value >= 1 << 63 else value


DATE_LINE_WORDS = 12
"""Words from which a line is more than a date stamp (`without_date_lines`)."""
DATE_LINE_PLACES = 3
"""Lines at the top and at the bottom of a text where its date stamps stand."""
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_NUMERIC_DAY = re.compile(r"(?<!\d)(?:\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d\d|(?:19|20)\d\d-\d{2}-\d{2})(?!\d)")


def _date_line(line: str) -> bool:
    words = _WORD.findall(line)
    if not words or len(words) > DATE_LINE_WORDS or not _YEAR.search(line):
        return False
    return bool(_NUMERIC_DAY.search(line)) or any(not w.isdigit() and month_number(w) for w in words)


def without_date_lines(text: str | None) -> str | None:
    """`text` without the date stamps at its top and bottom (rule): among its first and last
    `DATE_LINE_PLACES` lines, a line of at most `DATE_LINE_WORDS` words that writes a year with a month
    (a month name of an EU language, or a numeric day ``04.03.2025``, ``2025-03-04``) is a publication
    or update stamp ("Published on 4 March 2025. Last updated on 6 March 2025 at 10:15.",
    "Aktualisiert am 6. März 2025"), not the story: a copy whose stamp differs, or lacks one, is the same
    story (miniflux/v2#797: one article reached again with another date). Lines inside the text stay."""
    if not text:
        return text
    lines = text.splitlines()
    edge = set(range(DATE_LINE_PLACES)) | set(range(len(lines) - DATE_LINE_PLACES, len(lines)))
    kept = [line for n, line in enumerate(lines) if n not in edge or not _date_line(line)]
    return "\n".join(kept)


def near_duplicate_basis(item: HarvestedItem) -> str | None:
    """What the fingerprint covers (module docstring, crawler.neardup): text without its date stamps
    (`without_date_lines`), else a title of 4+ words, else None."""
    return neardup.near_duplicate_basis(item.title, without_date_lines(item.text))


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints (signed or unsigned)."""
    return bin((a ^ b) & _MASK64).count("1")


class DedupPipeline:
    """Set `identity`, `content_hash` and `fingerprint`; drop a second copy within one run (the same
    identity, or the same entry of one source: `same_entry_key`)."""

    def __init__(self, crawler: Crawler | None = None):
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def process_item(self, item: HarvestedItem, spider: Spider | None = None) -> HarvestedItem:
        try:
            item.identity = item_identity(item)
        except ValueError:
            raise DropItem("no_identity") from None
        item.identity_aliases = identity_aliases(item, item.identity)
        item.identity_url = _identity_url_or_none(item.url)
        keys = {item.identity, *item.identity_aliases}
        same = same_entry_key(item)
        if same is not None:
            keys.add(same)
        if keys & self.seen:
            raise DropItem("duplicate")  # counted by crawler.extensions.RunRecorder
        self.seen |= keys
        item.content_hash = content_hash(item)
        item.fingerprint = simhash(near_duplicate_basis(item))
        return item
