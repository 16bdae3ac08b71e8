"""A date every entry of a feed carries is when the feed was written, not when each entry was.

Feed generators without a per-item date write the build time into every item: each ``<pubDate>``
(or Atom ``<updated>``) is the same instant, often the channel's ``<lastBuildDate>``, and changes on
every rebuild (lkiesow/python-feedgen#84, mozilla/network-pulse-api#283: "every feed entry would
share the same publication date"). Read as publication dates, a feed's whole archive was "published"
at the moment of the crawl: it floated to the top of the queue, and a followed page's own date
never replaced it.

Rule (`generation_date`): when a document has at least `SHARED_DATE_MIN` entries and every one of
them gives the same date string, with a time of day other than midnight (a day's bulletin dated
``Tue, 04 Mar 2025 00:00:00`` is a day, and may be shared), that date is the feed's generation time:
its entries are read as undated (their followed page dates them, else the fetch time does, as for
any undated entry), and the run counts ``ewsi/feed/shared_date``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

SHARED_DATE_MIN = 3
"""Entries that must all carry one date for it to be the feed's generation time; two entries may
really be published at the same second."""
_CLOCK = re.compile(r"(?:T|\s)(?:[01]?\d|2[0-3])[:.h][0-5]\d|T(?:[01]\d|2[0-3])[0-5]\d", re.IGNORECASE)
"""A time of day as feeds write it in their dates (RFC 822 ``10:30:00``, ISO 8601 ``T10:30`` and
``T1030``, local ``10.30`` and ``10h30``); the spiders read raw feed dates and do not import
pipelines.dates."""
_MIDNIGHT = re.compile(r"(?:T|\s)00[:.]00(?:[:.]00)?(?![\d:.])", re.IGNORECASE)
_DATE_KEYS = ("published", "published_parsed", "updated", "updated_parsed")


def _date_of(entry: Mapping[str, Any]) -> str:
    return " ".join(str(entry.get("published") or entry.get("updated") or "").split())


def generation_date(entries: Sequence[Mapping[str, Any]]) -> str | None:
    """The date every entry gives when it is the feed's generation time (module docstring), or None."""
    if len(entries) < SHARED_DATE_MIN:
        return None
    dates = {_date_of(entry) for entry in entries}
    if len(dates) != 1:
        return None
    (date,) = dates
    if not date or not _CLOCK.search(date) or _MIDNIGHT.search(date):
        return None
    return date


def undated(entry: Mapping[str, Any]) -> dict[str, Any]:
    """`entry` without the dates `generation_date` found to be the feed's."""
    return {**entry, **dict.fromkeys(_DATE_KEYS)}
