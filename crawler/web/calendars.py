"""iCalendar (RFC 5545) documents of funding deadlines and events, built with the icalendar package.

Input: public records (dicts as the read API gives them) with the structured fields
(`deadlines`, `event_start`, `event_end`, `all_day`, `timezone`, `place` {venue, city, country,
online}). Rules:
- funding: one VEVENT per deadline of each call (a call with two cut-offs gives two), UID
  ``item-<id>@<public host>`` for the first, ``item-<id>-deadline-<n>@<host>`` for the n-th,
  DTSTART = DTEND = the deadline in UTC, SUMMARY "Deadline: <title>" (with the call id), and a
  VALARM display reminder `REMINDER` before it;
- events: one VEVENT per event, UID ``item-<id>@<host>``; an all-day event has DATE values (DTEND
  exclusive), a timed one UTC times; LOCATION = venue, city, country (or "Online"), URL = the
  registration link, else the item's page, else its API URL.
Text goes through `clean` (controls removed) before the icalendar package escapes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from crawler.types import all_day_dates

REMINDER = timedelta(days=7)
"""How long before a deadline the funding calendar's alarm fires."""


def _host(base_url: str) -> str:
    return urlsplit(base_url).hostname or "ewsi.invalid"


def _calendar(name: str) -> Any:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", f"-//ewsi-harvester//{name}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"EWSI {name}")
    return cal


def funding_calendar(
    calls: Iterable[dict[str, Any]],
    *,
    base_url: str,
    clean: Callable[[str], str | None],
    now: datetime | None = None,
    after: datetime | None = None,
) -> bytes:
    """The funding calendar (module rules); with `after`, deadlines not after it are left out."""
    from icalendar import Alarm, Event

    now = now or datetime.now(UTC)
    host = _host(base_url)
    cal = _calendar("funding deadlines")
    for call in calls:
        deadlines = list(call.get("deadlines") or []) or [d for d in [call.get("deadline")] if d]
        title = call.get("title") or "(untitled)"
        label = f"{title} ({call['call_id']})" if call.get("call_id") else title
        link = call.get("url") or call["api_url"]
        for number, deadline in enumerate(sorted(deadlines), start=1):
            if after is not None and deadline <= after:
                continue
            event = Event()
            suffix = "" if number == 1 else f"-deadline-{number}"  # the first keeps the one-deadline UID
            event.add("uid", f"item-{call['id']}{suffix}@{host}")
            event.add("dtstamp", now)
            event.add("dtstart", deadline.astimezone(UTC))
            event.add("dtend", deadline.astimezone(UTC))
            event.add("summary", clean(f"Deadline: {label}") or "Deadline")
            parts = [call.get("programme"), call.get("summary"), link]
            event.add("description", clean("\n\n".join(p for p in parts if p)) or "")
            event.add("url", link)
            event.add("transp", "TRANSPARENT")
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", clean(f"Deadline in 7 days: {label}") or "Deadline in 7 days")
            alarm.add("trigger", -REMINDER)
            event.add_component(alarm)
            cal.add_component(event)
    return cal.to_ical()


def place_text(place: dict[str, Any] | None) -> str | None:
    """The place as "Venue, City, CC", with "Online" added for online events; None when unknown."""
    place = place or {}
    text = ", ".join(p for p in (place.get(k) for k in ("venue", "city", "country")) if p)
    if place.get("online"):
        text = f"{text} / Online" if text else "Online"
    return text or None


def events_calendar(
    events: Iterable[dict[str, Any]],
    *,
    base_url: str,
    clean: Callable[[str], str | None],
    now: datetime | None = None,
) -> bytes:
    """The events calendar (module rules)."""
    from icalendar import Event

    now = now or datetime.now(UTC)
    host = _host(base_url)
    cal = _calendar("events")
    for record in events:
        start, end = record.get("event_start"), record.get("event_end")
        if start is None:
            continue
        end = end or start
        event = Event()
        event.add("uid", f"item-{record['id']}@{host}")
        event.add("dtstamp", now)
        days = all_day_dates(start, end, record.get("timezone")) if record.get("all_day") else None
        if days is not None:
            event.add("dtstart", days[0])
            event.add("dtend", days[1] + timedelta(days=1))
        else:
            event.add("dtstart", start.astimezone(UTC))
            event.add("dtend", max(end, start).astimezone(UTC))
        event.add("summary", clean(record.get("title") or "(untitled)") or "(untitled)")
        place = place_text(record.get("place"))
        if place:
            event.add("location", clean(place) or "")
        link = record.get("registration_url") or record.get("url") or record["api_url"]
        parts = [
            record.get("summary"),
            f"Organiser: {record['organiser']}" if record.get("organiser") else None,
            link,
        ]
        event.add("description", clean("\n\n".join(p for p in parts if p)) or "")
        event.add("url", link)
        cal.add_component(event)
    return cal.to_ical()
