"""iCalendar template (`kind: ical`): one event item per VEVENT of an RFC 5545 feed.

The icalendar package parses the bytes Scrapy downloaded, their folded lines first joined as octets
(`spiders.icalfold`: a fold may split a UTF-8 character). Per VEVENT:
- UID -> guid, SUMMARY -> title, DESCRIPTION -> summary, DTSTAMP/LAST-MODIFIED -> updated,
  CREATED -> published, ORGANIZER -> organiser (its CN, else the address).
- URL -> link and registration link. Without one, or when it is no http(s) URL with a host
  (``javascript:``, ``mailto:``, malformed: ignored and counted ``ewsi/ical/url_ignored``), the link
  is the feed URL with ``#<UID>`` and the UID the item's official id, so each event keeps its own
  identity; without URL and UID the event is counted ``ewsi/dropped/no_link``.
- DTSTART/DTEND (or DURATION) -> `EventInfo`: a DATE value is all-day (local midnight in the
  calendar's zone to the local midnight after its last day, DTEND being exclusive; read back as days
  by crawler.types.all_day_dates); a floating time is local in the calendar's zone (the one its
  ``X-WR-TIMEZONE`` declares, else the source's `timezone`: `ICalSpider._calendar_zone`); a TZID keeps its
  zone: a VTIMEZONE of the calendar, else an IANA name, a Windows zone id or an Outlook display name
  ``(UTC+01:00) Amsterdam, Berlin, ...`` (`zone_of_tzid`); an unknown TZID is read in the source's
  zone and counted ``ewsi/ical/zone_unknown`` (a display name whose cities name no zone, or a TZID
  that is a UTC offset alone, ``GMT+0100``: its fixed offset, ``ewsi/ical/zone_offset_only``; an
  unquoted TZID holding a colon is read to the last colon, spiders.icalfold), the item flagged
  ``ical_<note>``. A DTEND before DTSTART (or a negative DURATION) is dropped, the start kept:
  ``ewsi/ical/end_before_start``.
- A VEVENT that cannot be read (no DTSTART; a DTSTART, DTEND or DURATION that is no valid value of
  its type: 30 February, month 13, hour 25, empty, text, a DATE-TIME written with VALUE=DATE) is
  skipped and counted ``ewsi/dropped/ical_unreadable``; the calendar's other events are kept.
- A recurring event (its recurrence set: DTSTART, RRULE and RDATE less EXDATE, an RDATE alone
  too; an EXDATE written as a DATE takes out that day's occurrence of a timed series, the day on
  the local clock: the calendar's zone for a series written in UTC; read by
  dateutil's rruleset in the wall time of its zone) gives its next occurrence that has not ended
  at harvest time, else its last one, however far back DTSTART lies (the rule is read from the
  period before harvest time, spiders.icalrecur; the walk is bounded by `MAX_STEPS`); harvest time is the
  project's clock (``EWSI_NOW`` when frozen, else the spider's start).
- A moved or cancelled occurrence of a recurring event (a VEVENT of the series' UID with a
  RECURRENCE-ID, RFC 5545 3.8.4.4) is part of the series' item, not an item of its own (counted
  ``ewsi/ical/occurrence_moved``): when it is the next occurrence, the item has its time and place
  (the series' place when it names none); a cancelled one is skipped. An override with
  RANGE=THISANDFUTURE moves its occurrence and every later one by its shift and gives them its
  length; on a timed series, one written as a DATE (its DTSTART a day) shifts them by whole days
  and they keep their time of day and length (`_shifted`).
- LOCATION -> venue (online when it names a web meeting or is a URL).
- Cancelled events (STATUS:CANCELLED) are skipped and counted ``ewsi/ical/cancelled``. A feed
  icalendar cannot read is the error ``parse.ical_invalid``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from typing import Any
from urllib.parse import quote, urljoin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from scrapy.http import Response

from crawler.types import EventInfo
from crawler.urls import web_url
from spiders.base import SourceSpider
from spiders.icalfold import read_calendars
from spiders.icalrecur import SLACK, anchored

_ONLINE_RE = re.compile(r"^https?://|\b(online|virtual|webinar|zoom|teams|webex)\b", re.IGNORECASE)


def _text(component: Any, name: str) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _instant(value: date | datetime | None, zone: tzinfo) -> tuple[datetime | None, bool]:
    """(aware UTC instant, is a DATE) of a DTSTART/DTEND value."""
    if value is None:
        return None, False
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC), False
    return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC), True


def _decoded(component: Any, name: str) -> Any:
    try:
        return component.decoded(name) if name in component else None
    except (ValueError, TypeError, KeyError):
        return None


def _link(component: Any, base: str | None) -> str | None:
    """The VEVENT's URL resolved against `base` when it is a web URL (crawler.urls), else None."""
    text = _text(component, "URL")
    if not text:
        return None
    try:
        return web_url(urljoin(base, text) if base else text)
    except ValueError:
        return None


class _Unreadable(ValueError):
    """A VEVENT's DTSTART, DTEND or DURATION cannot be read (the event is skipped and counted)."""


def _time_value(component: Any, name: str, notes: list[str]) -> date | datetime | timedelta | None:
    """The decoded DTSTART/DTEND/DURATION of `component`, None when absent; `_Unreadable` when it is
    present but no valid value of its type (30 February, hour 25, empty, text, a DATE-TIME written
    with VALUE=DATE, a DURATION that is no duration)."""
    if name not in component:
        return None
    value = _decoded(component, name)
    wanted = (timedelta,) if name == "DURATION" else (date,)
    if not isinstance(value, wanted):
        raise _Unreadable(f"{name} {str(component.get(name))[:40]!r}")
    declared = str(getattr(component.get(name), "params", {}).get("VALUE", "")).upper()
    if (declared == "DATE" and isinstance(value, datetime)) or (
        declared == "DATE-TIME" and not isinstance(value, datetime)
    ):
        raise _Unreadable(f"{name} is no {declared}")
    tzid = getattr(component.get(name), "params", {}).get("TZID")
    if isinstance(value, datetime) and value.tzinfo is None and tzid:
        found, note = zone_of_tzid(str(tzid), value)
        if note:
            notes.append(note)
        if found is not None:
            value = value.replace(tzinfo=found)
    return value


_DISPLAY_NAME_RE = re.compile(
    r"^\(\s*(?:UTC|GMT)\s*(?:([+-])\s*(\d{1,2})(?:[:.]?(\d{2}))?)?\s*\)\s*(.*)$", re.I
)
_BARE_OFFSET_RE = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?:[:.]?(\d{2}))?$", re.I)
"""A TZID that is a UTC offset alone: ``GMT+0100``, ``GMT+01:00``, ``UTC+1``, ``+01:00``, ``GMT+01.00``."""


@cache
def _zones_by_city() -> dict[str, str]:
    """IANA zone names by their last part, spaces for underscores, in lower case (``vienna`` ->
    ``Europe/Vienna``); the first in sorted order where two zones share a city."""
    out: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/")):
            out.setdefault(name.rsplit("/", 1)[1].replace("_", " ").lower(), name)
    return out


@cache
def _zones_by_name() -> dict[str, str]:
    """IANA zone names by their lower-case spelling (``europe/helsinki`` -> ``Europe/Helsinki``)."""
    return {name.lower(): name for name in available_timezones()}


@cache
def _windows_zones() -> dict[str, str]:
    """The Windows zone id -> IANA table the icalendar package carries (Unicode CLDR data)."""
    for module in ("icalendar.timezone.windows_to_olson", "icalendar.windows_to_olson"):
        try:
            return dict(importlib.import_module(module).WINDOWS_TO_OLSON)
        except (ImportError, AttributeError):
            continue
    return {}


def _standard_offset(zone: tzinfo, when: datetime) -> timedelta | None:
    local = when.replace(tzinfo=zone)
    offset, dst = local.utcoffset(), local.dst()
    return offset - dst if offset is not None and dst is not None else offset


def _zone_label(value: datetime, component: Any) -> str | None:
    """The IANA name of a zoned DTSTART's zone (a VTIMEZONE named by Outlook or Windows resolved as
    `zone_of_tzid` does), else its UTC offset ``+hhmm``."""
    key = getattr(value.tzinfo, "key", None)
    if key:
        return str(key)
    tzid = getattr(component.get("DTSTART"), "params", {}).get("TZID")
    found = zone_of_tzid(str(tzid), value.replace(tzinfo=None))[0] if tzid else None
    if isinstance(found, ZoneInfo) and found.utcoffset(value.replace(tzinfo=None)) == value.utcoffset():
        return found.key
    return value.strftime("%z") or value.tzname()


def zone_of_tzid(tzid: str, when: datetime) -> tuple[tzinfo | None, str | None]:
    """(zone, note) of a TZID the calendar defines no VTIMEZONE for, at local time `when`.

    An IANA name is itself, in any case; a Windows zone id (``W. Europe Standard Time``) maps through the
    icalendar package's CLDR table; an Outlook display name ``(UTC+01:00) Amsterdam, Berlin, ...``
    is the first listed city that names an IANA zone with that standard offset, else the fixed
    offset (note ``zone_offset_only``: no daylight saving time known). A TZID that is a UTC offset
    alone (``GMT+0100``, ``UTC+01:00``, ``+01:00``, ``GMT+01.00``: Google Calendar, Lotus Notes and
    older exporters write them; libical/libical#159, t4t5/caldir#42) is that fixed offset, with
    the same note; in the POSIX-inverted ``Etc/GMT-1`` spelling it is an IANA name, read as such.
    Anything else is (None, ``zone_unknown``): the caller keeps the source's zone and counts it."""
    name = tzid.strip().strip('"').strip()
    for candidate in (name, _zones_by_name().get(name.lower()), _windows_zones().get(name)):
        if candidate:
            try:
                return ZoneInfo(candidate), None
            except (ZoneInfoNotFoundError, ValueError):
                pass
    bare = _BARE_OFFSET_RE.match(name)
    if bare is not None:
        sign, hours, minutes = bare.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0)) * (-1 if sign == "-" else 1)
        if abs(offset) >= timedelta(hours=24):
            return None, "zone_unknown"
        return timezone(offset), "zone_offset_only"
    shown = _DISPLAY_NAME_RE.match(name)
    if shown is None:
        return None, "zone_unknown"
    sign, hours, minutes, cities = shown.groups()
    offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0)) * (-1 if sign == "-" else 1)
    if abs(offset) >= timedelta(hours=24):
        return None, "zone_unknown"
    for city in (c.strip().lower() for c in re.split(r",|;|/|&|\band\b", cities)):
        key = _zones_by_city().get(city)
        if key is not None and _standard_offset(ZoneInfo(key), when) == offset:
            return ZoneInfo(key), None
    return timezone(offset), "zone_offset_only"


UNREADABLE_STAT = "ewsi/dropped/ical_unreadable"
"""Stats key of a VEVENT skipped because its DTSTART is missing or a time of it cannot be read."""

MAX_OCCURRENCES = 1000
"""Occurrences of a recurring event looked at from harvest time on (less its length), at most:
enough cancelled or excluded ones in a row, never reached by a real calendar."""
MAX_STEPS = 200_000
"""Occurrences a walk of one recurring event reads, at most (from its moved start: the slack before
harvest time of a SECONDLY rule is 10,800 of them; from DTSTART, for a rule with COUNT)."""


def _wall(value: Any, zone: tzinfo) -> datetime | None:
    """`value` (a DATE, floating or zoned DATE-TIME) as a naive wall time in `zone`."""
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(zone)
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time(0))
    return None


def _written_in_utc(value: date) -> bool:
    """True for a DATE-TIME written in UTC (``...Z``, or a TZID of UTC itself): a time that names no
    local clock, so its day is read on the calendar's."""
    return isinstance(value, datetime) and value.utcoffset() == timedelta(0) and value.tzname() == "UTC"


def _listed(component: Any, name: str, zone: tzinfo) -> list[datetime]:
    """The EXDATE or RDATE values of `component` as naive wall times in `zone` (unreadable ones and
    PERIOD values left out; a DATE is its midnight)."""
    return [wall for wall, _ in _listed_values(component, name, zone)]


def _listed_values(component: Any, name: str, zone: tzinfo) -> list[tuple[datetime, bool]]:
    """(naive wall time in `zone`, is a DATE) of each EXDATE or RDATE value of `component`."""
    found = component.get(name)
    out = []
    for entry in found if isinstance(found, list) else [found] if found is not None else []:
        try:
            values = list(entry.dts)
        except (AttributeError, ValueError, TypeError):  # a broken value (icalendar's vBroken)
            continue
        for item in values:
            value = getattr(item, "dt", None)
            wall = _wall(value, zone)
            if wall is not None:
                out.append((wall, not isinstance(value, datetime)))
    return out


def _day_shift(override: Any, start: date, timed: bool) -> tuple[bool, bool]:
    """(the override's DTSTART is a DATE, its RECURRENCE-ID is a DATE), each only on a timed series
    (`_shifted`)."""
    return timed and not isinstance(start, datetime), timed and not isinstance(
        _decoded(override, "RECURRENCE-ID"), datetime
    )


def _shifted(
    override: Any, occurrence: datetime, original: datetime, zone: tzinfo, timed: bool, length: timedelta
) -> Any:
    """A copy of a RANGE=THISANDFUTURE override (RFC 5545 3.8.4.4, 3.2.13) for an occurrence of its
    series from the one it replaces on (that one included); None when its times cannot be read.

    Rule, `original` being the RECURRENCE-ID and `occurrence` a naive wall time in `zone`:
    - both DATE-TIMEs, or both DATEs (an all-day series): DTSTART moved as far from `occurrence` as
      the override's is from `original`, DTEND by as much (the override's length);
    - on a timed series, an override whose DTSTART is a DATE moves the occurrence by the whole days
      from `original`'s day to its own, keeping the occurrence's time of day and the series'
      `length` (a DATE names a day, not its midnight: never an all-day event or a midnight start);
    - on a timed series, a RECURRENCE-ID written as a DATE names the occurrence of that day: the
      shift is from that day at the occurrence's time of day to the override's DTSTART."""
    import copy

    try:
        start = _time_value(override, "DTSTART", [])
        end = _time_value(override, "DTEND", [])
    except _Unreadable:
        return None
    if not isinstance(start, date):
        return None
    own = _wall(start, zone)
    if own is None:
        return None
    start_is_day, id_is_day = _day_shift(override, start, timed)
    if start_is_day:
        moved_start = occurrence + timedelta(days=(own.date() - original.date()).days)
    elif id_is_day:
        moved_start = occurrence + (own - datetime.combine(original.date(), occurrence.time()))
    else:
        moved_start = occurrence + (own - original)
    shifted = copy.deepcopy(override)
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID") + (("DURATION",) if start_is_day else ()):
        shifted.pop(name, None)
    value: date | datetime = moved_start.replace(tzinfo=zone) if timed else moved_start.date()
    shifted.add("DTSTART", value)
    if start_is_day:
        shifted.add("DURATION", length)
    elif isinstance(end, date):
        shifted.add("DTEND", value + (_instant(end, zone)[0] - _instant(start, zone)[0]))  # type: ignore[operator]
    return shifted


def _next_occurrence(
    component: Any,
    raw_start: date | datetime,
    length: timedelta,
    now: datetime,
    zone: tzinfo,
    moved: dict[datetime, Any] | None = None,
    ranges: list[tuple[datetime, Any]] | None = None,
) -> Any:
    """DTSTART of the occurrence of a recurring VEVENT that has not ended at `now` (else the last
    one looked at); `raw_start` itself when it has neither a readable RRULE nor an RDATE. `moved`:
    the series' overridden occurrences (RFC 5545 RECURRENCE-ID), by their original start as a naive
    wall time in the series' zone -> the overriding VEVENT: an occurrence there is the override's
    own (returned as the component when it is the next one; a cancelled override is no occurrence).
    `ranges`: the overrides with RANGE=THISANDFUTURE, (original start, VEVENT) in order: every later
    occurrence is moved and takes its place and length from the latest of them (`_shifted`).

    The recurrence set (RFC 5545 3.8.5) is DTSTART, the RRULE's occurrences and the RDATEs, less the
    EXDATEs, computed by dateutil's rruleset in the wall time of the start's zone (a TZID's, else
    the source's `zone`), so 18:00 stays 18:00 across a DST change; RRULE UNTIL, EXDATE and RDATE
    are read in that zone (a DATE UNTIL includes its day). An EXDATE written as a DATE takes out
    every occurrence of that day, as calendar clients read it, also of a timed series: the day of
    an occurrence on the local clock, in the series' zone when DTSTART has a TZID or floats, in the
    calendar's `zone` (X-WR-TIMEZONE, else the source's) when DTSTART is written in UTC (a weekly
    00:30 Berlin series written as 23:30Z the day before loses its Berlin day's occurrence, not
    the one after it). RFC 5545 3.8.5.1 has EXDATE take DTSTART's value type; a DATE on a timed
    series names a day, so it is compared as a day and never as the instant of its midnight.

    However far DTSTART lies back, the walk starts near harvest time: an RRULE without COUNT is
    read from the last whole period before harvest time less the event's length, `SLACK` and the
    reach of its overrides (`_reach`; spiders.icalrecur `anchored`), or, for a series that ended,
    before its UNTIL; only a rule with COUNT, or one that gives nothing from there, is walked from
    DTSTART. A walk reads at most `MAX_STEPS` occurrences and `MAX_OCCURRENCES` from harvest time
    on, so a SECONDLY rule costs a few hundred thousand steps at worst, never years of them."""
    from dateutil.rrule import rruleset, rrulestr

    rule = component.get("RRULE")
    rule = rule[0] if isinstance(rule, list) and rule else rule
    has_rule = rule is not None and hasattr(rule, "to_ical")
    if not has_rule and "RDATE" not in component:
        return raw_start
    timed = isinstance(raw_start, datetime)
    zoned = isinstance(raw_start, datetime) and raw_start.tzinfo is not None
    day_zone = zone  # the calendar's: the local day of a series written in UTC
    if zoned:
        zone = raw_start.tzinfo  # type: ignore[union-attr, assignment]
        if not _written_in_utc(raw_start):
            day_zone = zone
    first = _wall(raw_start, zone)
    if first is None:
        return raw_start
    try:
        if has_rule:
            rule = rule.copy()
            untils = [u for u in rule.get("UNTIL", []) if isinstance(u, date)]
            if untils:
                until = untils[0]
                plain = not isinstance(until, datetime)
                rule["UNTIL"] = [datetime.combine(until, time(23, 59, 59)) if plain else _wall(until, zone)]
            rules = rrulestr(rule.to_ical().decode("ascii"), dtstart=first, forceset=True)
        else:
            rules = rruleset()
            rules.rdate(first)
        skipped_days = {
            s.date() for s, is_day in _listed_values(component, "EXDATE", zone) if is_day and timed
        }
        excluded = [s for s, is_day in _listed_values(component, "EXDATE", zone) if not (is_day and timed)]

        def local_day(occurrence: datetime) -> date:
            """The day of a timed occurrence on the local clock (`day_zone`), as EXDATE days name it."""
            if day_zone is zone:
                return occurrence.date()
            return occurrence.replace(tzinfo=zone).astimezone(day_zone).date()

        def recurrence(near: Any) -> Any:
            for extra in _listed(component, "RDATE", zone):
                near.rdate(extra)
            for skipped in excluded:
                near.exdate(skipped)
            return near

        rules = recurrence(rules)

        def walk(occurrences: Any) -> tuple[Any, bool]:
            """(the occurrence found, whether any was looked at): the loop of the docstring, which
            reads at most `MAX_STEPS` occurrences and `MAX_OCCURRENCES` from harvest time on."""
            found: Any = raw_start
            looked, near = False, 0
            for step, occurrence in enumerate(occurrences):
                near += occurrence >= recent + SLACK
                if step >= MAX_STEPS or near > MAX_OCCURRENCES:
                    break
                if skipped_days and local_day(occurrence) in skipped_days:
                    continue
                looked = True
                override = (moved or {}).get(occurrence)
                if override is None:
                    earlier = [(original, o) for original, o in ranges or [] if original <= occurrence]
                    if earlier:
                        original, template = max(earlier, key=lambda pair: pair[0])
                        override = _shifted(template, occurrence, original, zone, timed, length)
                if override is not None:
                    if (_text(override, "STATUS") or "").upper() == "CANCELLED":
                        continue
                    ends = _override_end(override, zone, length)
                    found = override
                    if ends is None or ends > now:
                        break
                    continue
                local = occurrence.replace(tzinfo=zone)
                found = (local if zoned else occurrence) if timed else occurrence.date()
                if local.astimezone(UTC) + length > now:
                    break
            return found, looked

        recent = now.astimezone(zone).replace(tzinfo=None) - max(length, timedelta(0)) - SLACK
        targets = [recent - _reach(moved, ranges, zone, length, now)]
        if has_rule and rule.get("UNTIL"):  # a series that ended: its last period holds the answer
            targets.append(min(targets[0], rule["UNTIL"][0] - SLACK))
        for target in targets if has_rule else []:
            moved_rule = anchored(rule, first, target)
            if moved_rule is not None:
                near = rrulestr(moved_rule[0].to_ical().decode("ascii"), dtstart=moved_rule[1], forceset=True)
                found, looked = walk(recurrence(near))
                if looked:
                    return found
        return walk(rules)[0]
    except (ValueError, TypeError, AttributeError, OverflowError):
        return raw_start


def _reach(
    moved: dict[datetime, Any] | None,
    ranges: list[tuple[datetime, Any]] | None,
    zone: tzinfo,
    length: timedelta,
    now: datetime,
) -> timedelta:
    """How much earlier than harvest time the walk of a series must start so that no occurrence an
    override moves past harvest time is missed: back to the earliest moved occurrence that has not
    ended, and by the largest forward shift (plus extra length) of a RANGE=THISANDFUTURE override."""
    reach = timedelta(0)
    wall_now = now.astimezone(zone).replace(tzinfo=None)
    for original, override in (moved or {}).items():
        if (_text(override, "STATUS") or "").upper() == "CANCELLED":
            continue
        ends = _override_end(override, zone, length)
        if ends is not None and ends > now:
            reach = max(reach, wall_now - original)
    for original, template in ranges or []:
        try:
            start = _time_value(template, "DTSTART", [])
        except _Unreadable:
            continue
        own = _wall(start, zone) if isinstance(start, date) else None
        ends = _override_end(template, zone, length)
        if own is None or ends is None:
            continue
        own_length = ends - _instant(start, zone)[0]  # type: ignore[arg-type, operator]
        day_shift = isinstance(start, date) and any(_day_shift(template, start, True))
        a_day = timedelta(days=1) if day_shift else timedelta(0)
        reach = max(reach, own - original + a_day + max(timedelta(0), own_length - length))
    return reach


def _override_end(override: Any, zone: tzinfo, length: timedelta) -> datetime | None:
    """When an overriding VEVENT ends (its DTEND, else its DTSTART plus its DURATION or the series'
    length), as an aware instant; None when its times cannot be read."""
    try:
        start = _time_value(override, "DTSTART", [])
        end = _time_value(override, "DTEND", [])
        duration = _time_value(override, "DURATION", [])
    except _Unreadable:
        return None
    if isinstance(end, date):
        return _instant(end, zone)[0]
    first = _instant(start, zone)[0] if isinstance(start, date) else None
    if first is None:
        return None
    return first + (duration if isinstance(duration, timedelta) else length)


def event_info(
    component: Any,
    zone: tzinfo,
    now: datetime | None = None,
    notes: list[str] | None = None,
    overrides: list[Any] | None = None,
) -> EventInfo | None:
    """The `EventInfo` of one VEVENT at harvest time `now` (rules in the module docstring); None
    when its DTSTART is missing or its DTSTART, DTEND or DURATION cannot be read. What was guessed
    or dropped is appended to `notes` (``zone_unknown``, ``zone_offset_only``, ``end_before_start``).
    `overrides`: the VEVENTs of the same UID with a RECURRENCE-ID (a moved or cancelled occurrence
    of a recurring event): the next occurrence is the override's own time and place when it is one."""
    try:
        return _event_info(component, zone, now, notes if notes is not None else [], overrides or [])
    except _Unreadable:
        return None


def _moved(overrides: list[Any], zone: tzinfo) -> dict[datetime, Any]:
    """The overrides of one occurrence by the original start they replace (RECURRENCE-ID), as naive
    wall times in `zone` (the series' start zone); an unreadable RECURRENCE-ID is left out, and so
    is one with RANGE=THISANDFUTURE (`_ranges`: its own occurrence is read as the later ones are,
    `_shifted`)."""
    return {wall: override for wall, override, later in _recurrence_ids(overrides, zone) if not later}


def _ranges(overrides: list[Any], zone: tzinfo) -> list[tuple[datetime, Any]]:
    """(original start, override) of the overrides whose RECURRENCE-ID has RANGE=THISANDFUTURE: they
    change every later occurrence too (RFC 5545 3.2.13)."""
    return [(wall, o) for wall, o, later in _recurrence_ids(overrides, zone) if later]


def _recurrence_ids(overrides: list[Any], zone: tzinfo) -> list[tuple[datetime, Any, bool]]:
    """(original start as a naive wall time in `zone`, override, applies to later ones too)."""
    out = []
    for override in overrides:
        try:
            value = override.decoded("RECURRENCE-ID")
        except (KeyError, ValueError, TypeError, AttributeError):
            continue
        wall = _wall(value, zone)
        if wall is not None:
            scope = str(getattr(override.get("RECURRENCE-ID"), "params", {}).get("RANGE", "")).upper()
            out.append((wall, override, scope == "THISANDFUTURE"))
    return out


def _event_info(
    component: Any, zone: tzinfo, now: datetime | None, notes: list[str], overrides: list[Any]
) -> EventInfo:
    raw_start = _time_value(component, "DTSTART", notes)
    raw_end = _time_value(component, "DTEND", notes)
    duration = _time_value(component, "DURATION", notes)
    if not isinstance(raw_start, date):
        raise _Unreadable("no DTSTART")
    opening = _instant(raw_start, zone)[0]
    closing = _instant(raw_end, zone)[0] if isinstance(raw_end, date) else None
    negative = isinstance(duration, timedelta) and duration < timedelta(0)
    no_end = negative or (opening is not None and closing is not None and closing < opening)
    if no_end:
        notes.append("end_before_start")
        raw_end, duration = None, None
    if "RRULE" in component or "RDATE" in component:
        first, _ = _instant(raw_start, zone)
        last, _ = _instant(raw_end, zone) if isinstance(raw_end, date) else (None, False)
        length = (last - first) if first and last else duration or timedelta(0)
        assert isinstance(length, timedelta)
        series_zone = raw_start.tzinfo if isinstance(raw_start, datetime) and raw_start.tzinfo else zone
        moved = _moved(overrides, series_zone)
        ranges = _ranges(overrides, series_zone)
        raw_start = _next_occurrence(
            component, raw_start, length, now or datetime.now(UTC), zone, moved, ranges
        )
        if not isinstance(raw_start, date):  # the next occurrence was moved: the override's own
            override = _event_info(raw_start, zone, now, notes, [])
            if override.venue is None:
                location = _text(component, "LOCATION")
                override.venue = location
                override.online = bool(location and _ONLINE_RE.search(location))
            return override
        raw_end, duration = None, (length if length > timedelta(0) else None)
    start, all_day = _instant(raw_start, zone)
    end, _ = _instant(raw_end, zone) if isinstance(raw_end, date) else (None, False)
    if end is None and start is not None:
        if isinstance(duration, timedelta) and all_day and duration >= timedelta(days=1):
            end = _instant(raw_start + timedelta(days=duration.days), zone)[0]
        elif isinstance(duration, timedelta):
            end = start + duration
        elif all_day:
            end = _instant(raw_start + timedelta(days=1), zone)[0]
        else:
            end = start
    if no_end:
        end = None
    label = None
    if isinstance(raw_start, datetime) and raw_start.tzinfo is not None:
        label = _zone_label(raw_start, component)
    location = _text(component, "LOCATION")
    organiser = component.get("ORGANIZER")
    organiser_name = None
    if organiser is not None:
        organiser_name = organiser.params.get("CN") or str(organiser).removeprefix("mailto:").removeprefix(
            "MAILTO:"
        )
    return EventInfo(
        start=start,
        end=end,
        all_day=all_day,
        timezone=label or getattr(zone, "key", None),
        venue=location,
        online=bool(location and _ONLINE_RE.search(location)),
        organiser=organiser_name or None,
        registration_url=_link(component, None),
    )


class ICalSpider(SourceSpider):
    """Harvest a source of kind `ical`: one item per VEVENT, soonest start first, at most `max_items`."""

    name = "ical"

    def parse(self, response: Response) -> Iterator[Any]:
        try:
            content_type = response.headers.get("Content-Type")
            calendars = read_calendars(
                response.body, content_type.decode("latin-1") if content_type else None
            )
        except (ValueError, IndexError, KeyError, TypeError, RecursionError) as exc:
            self.record_error("parse.ical_invalid", f"{response.url}: {type(exc).__name__}: {str(exc)[:200]}")
            return
        now = self.harvest_now()
        zones: dict[int, tzinfo] = {}
        for calendar in calendars:
            zone = self._calendar_zone(calendar, now)
            zones.update((id(c), zone) for c in calendar.walk("VEVENT"))
        events = [c for cal in calendars for c in cal.walk("VEVENT")]
        if not events:
            self.stat("ewsi/ical/empty")
            return
        masters = {
            _text(c, "UID") for c in events if ("RRULE" in c or "RDATE" in c) and "RECURRENCE-ID" not in c
        }
        overrides: dict[str, list[Any]] = {}
        for component in events:  # a moved occurrence of a series is part of its series' item
            uid = _text(component, "UID")
            if "RECURRENCE-ID" in component and uid in masters and uid is not None:
                overrides.setdefault(uid, []).append(component)
                self.stat("ewsi/ical/occurrence_moved")
        rows = []
        for component in events:
            if "RECURRENCE-ID" in component and _text(component, "UID") in overrides:
                continue
            if (_text(component, "STATUS") or "").upper() == "CANCELLED":
                self.stat("ewsi/ical/cancelled")
                continue
            notes: list[str] = []
            zone = zones[id(component)]
            info = event_info(component, zone, now, notes, overrides.get(_text(component, "UID") or ""))
            if info is None:
                self.stat(UNREADABLE_STAT)
                continue
            for note in notes:
                self.stat(f"ewsi/ical/{note}")
            rows.append((info, component, notes))
        rows.sort(key=lambda r: r[0].start or datetime.max.replace(tzinfo=UTC))
        for info, component, notes in rows:
            uid = _text(component, "UID")
            link = _link(component, response.url)
            if _text(component, "URL") and not link:
                self.stat("ewsi/ical/url_ignored")
            info.registration_url = link
            if not link and not uid:
                self.stat("ewsi/dropped/no_link")
                continue
            stamp = _decoded(component, "LAST-MODIFIED") or _decoded(component, "DTSTAMP")
            created = _decoded(component, "CREATED")
            item = self.new_item(
                link or f"{response.url}#{quote(uid or '', safe='@.-_')}",
                title=_text(component, "SUMMARY"),
                summary=_text(component, "DESCRIPTION"),
                guid=uid,
                official_id=None if link else uid,
                published_raw=created.isoformat() if isinstance(created, datetime) else None,
                updated_raw=stamp.isoformat() if isinstance(stamp, datetime) else None,
                date_method="feed" if isinstance(created, datetime) else None,
            )
            item.event = info
            item.content_type = "event"
            item.flags.extend(f"ical_{note}" for note in dict.fromkeys(notes))
            yield from self.emit(item)

    def _calendar_zone(self, calendar: Any, now: datetime) -> tzinfo:
        """The zone a calendar's floating times and days are read in: the one it declares in
        ``X-WR-TIMEZONE`` (as Google Calendar, Outlook and Apple Calendar write it; an IANA name, a
        Windows id or an Outlook display name, `zone_of_tzid`), else the source's `timezone`. A
        declared zone that names none is counted ``ewsi/ical/calendar_zone_unknown`` and the
        source's is used."""
        declared = _text(calendar, "X-WR-TIMEZONE")
        if not declared:
            return self.source.zone
        found, _ = zone_of_tzid(declared, now.replace(tzinfo=None))
        if found is None:
            self.stat("ewsi/ical/calendar_zone_unknown")
            return self.source.zone
        return found

    def harvest_now(self) -> datetime:
        """The harvest time recurring events are placed at: the project's clock (the ``EWSI_NOW``
        setting when frozen), else when the spider started."""
        crawler = getattr(self, "crawler", None)
        frozen = crawler.settings.get("EWSI_NOW") if crawler is not None else None
        if frozen:
            try:
                moment = datetime.fromisoformat(str(frozen).strip())
            except ValueError:
                return self.started_at
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return self.started_at

    def emit(self, item: Any) -> Iterator[Any]:
        """As `SourceSpider.emit`, but events without their own link differ by their ``#UID``."""
        if item.official_id and not self.source.follow:
            if not self.budget_left():
                self.over_budget()
                return
            self.emitted += 1
            self.stat("ewsi/items/yielded")
            yield item
            return
        yield from super().emit(item)
