"""Events as structured items: schema.org Event in JSON-LD or microdata, and mapped API fields.

Rules:
- Read from HTML: every ``<script type="application/ld+json">`` block (objects, lists and
  ``@graph``) and every microdata ``itemscope`` whose ``itemtype`` is a schema.org type ending in
  ``Event`` (``Event``, ``EducationEvent``, ``BusinessEvent``, ...). A block that is not valid JSON is
  skipped; the page is untrusted and nothing in it is executed or followed.
- Times: an ISO value with an offset (or ``Z``) keeps its instant; a floating one (no offset:
  ``2027-02-10T09:30``, ``15/03/2027 10:00``) is local time in the source's ``timezone``, else, when
  the source sets none, in the zone the page declares (schema.org ``scheduleTimezone`` of the Event or
  of its ``eventSchedule``, an IANA name), else UTC: the same for JSON-LD, microdata, text, the end
  and the registration deadline, as the iCalendar reader does for floating times. The zone is read
  from the crawling spider's source also when Scrapy calls a pipeline without the spider. A value
  that is a bare day (``2026-03-15``) makes the event all-day: it starts at local midnight and ends
  at the local midnight after its last day (the end is exclusive, as in RFC 5545). No end: a timed
  event ends at its start; an all-day one after its day.
- Place: ``location`` as Place (name = venue, address.addressLocality = city, address.addressCountry
  = country, a 2-letter code or a name in one of the 24 EU languages: pipelines.countries), a plain
  text (venue) or VirtualLocation (online); an address written as one string (or a whole address in
  addressLocality) is split into street, city and country where its last part is a known country
  (pipelines.event_address), else it stays the address, joined to the venue, and the city is left
  empty: a whole address is never the city; ``eventAttendanceMode`` Online/Mixed also means online.
- A place known only as text (an iCalendar LOCATION, a Place without address) whose last
  comma-separated part names an EU/EEA country (`EEA_COUNTRIES`; ISO code, English or local name,
  pipelines.countries) gives the country; the part before it gives the city when it is one short
  name (at most 3 words, no digits; a leading or trailing postcode, ``1049 Bruxelles``, is dropped),
  and what comes before that stays the venue (`place_from_text`). A part naming a web meeting
  ("Paris, France / Online") is set aside first. Anything else ("Online", "Zoom", "Room 3",
  "Haus der Industrie, Wien") stays the venue only.
- Organiser: ``organizer.name`` (or text); registration: ``offers.url`` else ``url``; its deadline:
  ``offers.validThrough``.
- Listings and pages without markup: the date after a cue word (`DATE_CUES`: "Date:", "When:",
  "Datum:", "Quand :", ...) within `DATE_WINDOW` characters, as one day or a range ("24-25 March
  2026", "24 March - 2 April 2026", "13. Juni 2026, 14:00-20:00 Uhr", "du 3 au 5 mars 2026"): the
  first part borrows month and year from the second. With times it is timed, else all-day.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree
from lxml import html as lxml_html

from crawler.text import clean_text
from crawler.types import EventInfo, HarvestedItem
from pipelines.countries import EU_MEMBER_STATES, country_code
from pipelines.dates import parse_date
from pipelines.deadlines import placeholder_deadline
from pipelines.event_address import split_address
from pipelines.funding import MAX_CUES, read_date_phrase
from pipelines.normalize import html_to_text

logger = logging.getLogger(__name__)

MAX_JSONLD_BYTES = 1_000_000
"""JSON-LD blocks longer than this are skipped (an Event is a few kB)."""
_DAY_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_ONLINE_RE = re.compile(r"\b(online|virtual|webinar|zoom|ms teams|webex)\b", re.IGNORECASE)


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _str(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    # page text is untrusted: markup becomes text, controls go (as pipelines.normalize does for titles)
    value = html_to_text(clean_text(value) or "")
    return " ".join(value.split()) or None


def read_time(value: Any, zone: tzinfo) -> tuple[datetime | None, bool]:
    """(aware UTC instant, is a bare day) of an event time value; a bare day is its local midnight."""
    text = _str(value)
    if not text:
        return None, False
    day = _DAY_RE.match(text)
    if day:
        try:
            local = datetime.combine(date(*map(int, day.groups())), time(0), tzinfo=zone)
            return local.astimezone(UTC), True
        except (ValueError, OverflowError):  # 0000-01-01, or 0001-01-01 east of UTC
            return None, False
    return parse_date(text, zone), False


def declared_zone(record: dict[str, Any]) -> tzinfo | None:
    """The zone an Event record declares (``scheduleTimezone`` of the record or of its
    ``eventSchedule``, an IANA name), or None."""
    schedule = _first(record.get("eventSchedule"))
    for holder in (record, schedule if isinstance(schedule, dict) else {}):
        name = _str(holder.get("scheduleTimezone"))
        if name:
            try:
                return ZoneInfo(name)
            except (ValueError, ZoneInfoNotFoundError):
                continue
    return None


def source_zone(source: Any) -> tzinfo | None:
    """The zone a source sets in its ``timezone`` field, or None when it sets none (the default)."""
    if source is None or "timezone" not in (getattr(source, "model_fields_set", None) or {"timezone"}):
        return None
    return getattr(source, "zone", None)


def _zone_label(value: Any, zone: tzinfo) -> str | None:
    text = _str(value) or ""
    match = re.search(r"(Z|[+-]\d{2}:?\d{2})$", text)
    if match:
        return "UTC" if match.group(1) == "Z" else match.group(1)
    return getattr(zone, "key", None) or str(zone)


def event_from_record(record: dict[str, Any], zone: tzinfo) -> EventInfo:
    """An `EventInfo` from a schema.org Event object (JSON-LD shape; see the module rules)."""
    start, all_day = read_time(record.get("startDate"), zone)
    end, end_is_day = read_time(record.get("endDate"), zone)
    if end is not None and end_is_day:
        end = _next_local_midnight(end, zone)
    if end is None and start is not None:
        end = _next_local_midnight(start, zone) if all_day else start
    info = EventInfo(
        start=start, end=end, all_day=all_day, timezone=_zone_label(record.get("startDate"), zone)
    )
    mode = _str(record.get("eventAttendanceMode")) or ""
    info.online = "Online" in mode or "Mixed" in mode
    location = record.get("location")
    places: list[Any] = location if isinstance(location, list) else [location]
    for place in places:
        if isinstance(place, str):
            info.venue = info.venue or " ".join(place.split()) or None
            info.online = info.online or bool(_ONLINE_RE.search(place))
        elif isinstance(place, dict):
            kind = _str(place.get("@type")) or ""
            if "Virtual" in kind:
                info.online = True
                continue
            info.venue = info.venue or _str(place.get("name"))
            address = place.get("address")
            if isinstance(address, dict):
                locality = _str(address.get("addressLocality"))
                if locality and "," in locality:  # a whole address in the locality
                    _with_address(info, locality)
                info.city = info.city or (locality if locality and "," not in locality else None)
                info.country = info.country or country_code(_str(address.get("addressCountry")))
            elif isinstance(address, str) and not info.city:
                _with_address(info, _str(address))
    organiser = _first(record.get("organizer"))
    info.organiser = _str(organiser)
    offers = _first(record.get("offers"))
    if isinstance(offers, dict):
        info.registration_url = _str(offers.get("url"))
        info.registration_deadline = read_time(offers.get("validThrough"), zone)[0]
    info.registration_url = info.registration_url or _str(record.get("url"))
    return info


def _with_address(info: EventInfo, address: str | None) -> None:
    """Set the city and country of an address written as one string (`split_address`); its street,
    or the whole address when no country is known, joins the venue ("Palais des Congrès, Place de
    la Bourse")."""
    street, city, country = split_address(address)
    info.city = info.city or city
    info.country = info.country or country
    if street and street not in (info.venue or ""):
        info.venue = f"{info.venue}, {street}" if info.venue else street


def _next_local_midnight(value: datetime, zone: tzinfo) -> datetime:
    """The local midnight after `value`'s day in `zone`, in UTC; past the last day held (an all-day
    end of 9999-12-31, a placeholder) the last instant held, which the placeholder rule drops."""
    try:
        day = value.astimezone(zone).date() + timedelta(days=1)
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)


def _is_event_type(value: Any) -> bool:
    types = value if isinstance(value, list) else [value]
    return any(isinstance(t, str) and t.rsplit("/", 1)[-1].endswith("Event") for t in types)


def _walk_jsonld(node: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    if depth > 20:
        return
    if isinstance(node, list):
        for child in node:
            _walk_jsonld(child, out, depth + 1)
    elif isinstance(node, dict):
        if _is_event_type(node.get("@type")):
            out.append(node)
        elif "@graph" in node:
            _walk_jsonld(node["@graph"], out, depth + 1)


def _microdata(element: Any, depth: int = 0) -> dict[str, Any]:
    """A JSON-LD-shaped dict of one microdata item (nested items become nested dicts)."""
    record: dict[str, Any] = {"@type": (element.get("itemtype") or "").split()[0:1] or [""]}
    record["@type"] = record["@type"][0]
    for prop in element.iterdescendants():
        names = (prop.get("itemprop") or "").split()
        if not names:
            continue
        owner = next((a for a in prop.iterancestors() if a.get("itemscope") is not None), None)
        if owner is not element:
            continue
        if prop.get("itemscope") is not None and depth < 5:
            value: Any = _microdata(prop, depth + 1)
        elif prop.tag == "meta":
            value = prop.get("content")
        elif prop.tag in ("a", "link", "area"):
            value = prop.get("href")
        elif prop.tag == "time":
            value = prop.get("datetime") or prop.text_content()
        else:
            value = prop.get("content") or prop.text_content()
        for name in names:
            record.setdefault(name, value)
    return record


def event_records(body: bytes | str) -> list[dict[str, Any]]:
    """Every schema.org Event object of an HTML page (JSON-LD first, then microdata)."""
    try:
        tree = lxml_html.fromstring(body)
    except (ValueError, TypeError, etree.LxmlError) as exc:  # ParserError on an empty document
        logger.debug("not HTML: %s", exc)
        return []
    out: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        text = script.text or ""
        if len(text) > MAX_JSONLD_BYTES:
            continue
        try:
            _walk_jsonld(json.loads(text), out)
        except (ValueError, RecursionError):
            continue
    for element in tree.xpath("//*[@itemscope][@itemtype]"):
        # top-level items only: an Event nested in another item's property is read with its owner
        if _is_event_type(element.get("itemtype", "").split()[0:1] or [""]) and not element.get("itemprop"):
            out.append(_microdata(element))
    return out


def events_in_html(body: bytes | str, zone: tzinfo | None) -> list[EventInfo]:
    """The events a page declares (see `event_records`), read with the module's rules: floating
    times in `zone`, else in the zone the record declares, else UTC."""
    return [event_from_record(r, zone or declared_zone(r) or UTC) for r in event_records(body)]


def event_from_mapping(raw: dict[str, Any], zone: tzinfo) -> EventInfo:
    """An `EventInfo` from the values an `api.fields` mapping picked (event_start, event_end, venue,
    city, country, online, organiser, registration_url)."""
    record: dict[str, Any] = {
        "startDate": raw.get("event_start"),
        "endDate": raw.get("event_end"),
        "location": {
            "name": raw.get("venue"),
            "address": {"addressLocality": raw.get("city"), "addressCountry": raw.get("country")},
        },
        "organizer": raw.get("organiser"),
        "url": raw.get("registration_url"),
    }
    info = event_from_record(record, zone)
    online = _first(raw.get("online"))
    info.online = online is True or (
        isinstance(online, str) and online.casefold() in ("true", "yes", "1", "online")
    )
    return info


DATE_WINDOW = 90
"""Characters after a date cue word in which the event's date phrase is read."""
DATE_CUES: tuple[str, ...] = (
    "date", "dates", "when", "datum", "wann", "termin", "quand", "data", "fecha", "cuándo", "quando",
    "wanneer", "kiedy", "kdy", "kedy", "időpont", "dátum", "дата", "кога", "ημερομηνία", "dato", "tid",
    "päivämäärä", "aika", "kuupäev", "datums", "laiks", "kada", "dáta", "data u ħin", "datum in ura",
)  # fmt: skip
_DATE_CUE_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(DATE_CUES, key=len, reverse=True))) + r")\s*:",
    re.IGNORECASE,
)
_RANGE_RE = re.compile(r"\s[-–—]\s|\s(?:to|until|till|bis|au|al|tot|do|a|až|och|til)\s", re.IGNORECASE)
# "24-25 March", "24–25", "14:00-20:00": a dash between days or times is a range
_DAY_DASH_RE = re.compile(r"(?<![\d.\-])(\d{1,2}\.?)\s?[-–—]\s?(?=\d{1,2}\.?\s+[^\W\d])")
_TIME_DASH_RE = re.compile(r"(\d{1,2}[:.h]\d{2})\s?[-–—]\s?(?=\d{1,2}[:.h]\d{2})")
_CLOCK_RE = re.compile(r"^\d{1,2}[:.h]\d{2},?$")
_YEAR_RE = re.compile(r"^\d{4}\.?,?$")
_LEAD_RE = re.compile(r"^\s*(?:from|von|vom|du|dal|del|de|van|od|från|fra)\s+", re.IGNORECASE)


def _one_line(text: str, start: int) -> str:
    window = text[start : start + DATE_WINDOW]
    return window.split("\n", 1)[0].strip()


def _date_range(phrase: str, zone: tzinfo, languages: list[str]) -> tuple[datetime, datetime, bool] | None:
    """(start, end, timed) of a date phrase or range; end exclusive for all-day ranges."""
    phrase = _LEAD_RE.sub("", phrase)
    phrase = _TIME_DASH_RE.sub(r"\1 - ", _DAY_DASH_RE.sub(r"\1 - ", phrase))
    parts = _RANGE_RE.split(phrase, maxsplit=1)
    tokens = phrase.split()
    while tokens:  # shorten from the right until the whole phrase reads as a date
        if read_date_phrase(" ".join(tokens), zone, languages)[0] is not None or len(parts) > 1:
            break
        tokens.pop()
    if len(parts) == 1:
        start, timed = read_date_phrase(" ".join(tokens), zone, languages)
        if start is None:
            return None
        return (start, start, True) if timed else (start, _next_local_midnight(start, zone), False)
    left, right = (p.strip(" ,") for p in parts)
    right_tokens = right.split()
    # the right part ends at the first word that is no part of a date
    for size in range(len(right_tokens), 0, -1):
        end, end_timed = read_date_phrase(" ".join(right_tokens[:size]), zone, languages)
        if end is not None:
            right_tokens = right_tokens[:size]
            break
    else:
        end, end_timed = None, False
    left_tokens = left.split()
    years = [t for t in right_tokens if _YEAR_RE.match(t)]
    month_year = right_tokens[1 : right_tokens.index(years[0]) + 1] if years else right_tokens[1:]
    candidates = [left, f"{left} {' '.join(month_year)}", f"{left} {years[0] if years else ''}"]
    start, timed = None, False
    for candidate in candidates:
        start, timed = read_date_phrase(candidate, zone, languages)
        if start is not None:
            break
    if start is None:
        return None
    if end is None or (timed and not end_timed and right_tokens and _CLOCK_RE.match(right_tokens[0])):
        # "14:00-20:00": the right part is a time on the left part's day
        date_part = " ".join(
            t for t in left_tokens if not _CLOCK_RE.match(t) and t.lower() not in ("um", "at")
        )
        end, end_timed = read_date_phrase(f"{date_part} {right}", zone, languages)
        if end is None:
            return None
    if timed or end_timed:
        return start, max(start, end), True
    return start, _next_local_midnight(max(start, end), zone), False


def event_in_text(text: str | None, zone: tzinfo, languages: list[str] | None = None) -> EventInfo | None:
    """The event date written after the first date cue of `text` that reads (module rules), or None."""
    if not text:
        return None
    for number, cue in enumerate(_DATE_CUE_RE.finditer(text)):
        if number >= MAX_CUES:
            break
        found = _date_range(_one_line(text, cue.end()), zone, languages or [])
        if found is not None:
            start, end, timed = found
            return EventInfo(start=start, end=end, all_day=not timed, timezone=getattr(zone, "key", None))
    return None


EEA_COUNTRIES: frozenset[str] = frozenset(EU_MEMBER_STATES) | {"IS", "LI", "NO"}
"""Countries a place written as text may name (EU Member States and the other EEA countries)."""
_POSTCODE_RE = re.compile(r"^(?:[A-Z]{1,2}-)?\d{4,5}\s+|\s+\d{4,5}$")
_CITY_RE = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+){0,2}\.?$")


def place_from_text(text: str | None) -> tuple[str | None, str | None, str] | None:
    """(venue, city, country) of a place written as text, or None when it names no EU/EEA country
    in its last comma-separated part (rules in the module docstring)."""
    if not text:
        return None
    kept = [p.strip() for p in re.split(r"\s+/\s+|[|]", text) if p.strip() and not _ONLINE_RE.search(p)]
    parts = [p.strip() for p in ", ".join(kept).split(",") if p.strip()]
    if len(parts) < 2 or len(parts) > 8:
        return None
    country = country_code(parts[-1])
    if country not in EEA_COUNTRIES:
        return None
    city = _POSTCODE_RE.sub("", parts[-2]).strip()
    if len(city) <= 40 and _CITY_RE.match(city):
        venue = ", ".join(parts[:-2]) or None
        return venue, city, country
    return ", ".join(parts[:-1]), None, country


EVENT_DATE_IMPLAUSIBLE = "event_date_implausible"
"""The item flag of an event whose start, end or registration deadline was a placeholder."""


def _without_placeholders(event: EventInfo, fetched_at: datetime, zone: tzinfo) -> bool:
    """Drop the placeholder times of `event` in place (pipelines.deadlines: before 1990, or more than
    ten years after the fetch: ``9999-12-31``, ``0001-01-01``, .NET's MaxValue), as a funding call's
    deadline is dropped; True when one was. A placeholder start leaves no start (the event is kept,
    undated); a placeholder end is "no end" (module docstring: a timed event ends at its start, an
    all-day one after its day); a placeholder registration deadline is none."""
    dropped = False
    if event.start is not None and placeholder_deadline(event.start, fetched_at):
        event.start, dropped = None, True
    if event.end is not None and placeholder_deadline(event.end, fetched_at):
        dropped = True
        event.end = None
        if event.start is not None:
            event.end = _next_local_midnight(event.start, zone) if event.all_day else event.start
    if event.registration_deadline is not None and placeholder_deadline(
        event.registration_deadline, fetched_at
    ):
        event.registration_deadline, dropped = None, True
    return dropped


class EventsPipeline:
    """Fill `item.event` for items of content type ``event`` that have none yet (the ical spider sets
    its own): from the mapped API fields, else the first Event the followed HTML page declares; a
    place known only as text gets its city and country (`place_from_text`).
    Stats: ``ewsi/events/items``, ``with_start``, ``place_from_text``."""

    def __init__(self, stats: Any = None, crawler: Any = None):
        self.stats = stats
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> EventsPipeline:
        """Build from a Scrapy crawler (its stats; its spider gives the source when Scrapy calls
        `process_item` without one)."""
        return cls(stats=crawler.stats, crawler=crawler)

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"ewsi/events/{key}")

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Structure an event item in place; other items pass untouched."""
        if not isinstance(item, HarvestedItem) or item.content_type != "event":
            return item
        spider = spider or getattr(self.crawler, "spider", None)
        self._inc("items")
        own_zone = source_zone(getattr(spider, "source", None))
        zone: tzinfo = own_zone or UTC
        if item.event is None and item.structured_raw.get("event_start"):
            item.event = event_from_mapping(item.structured_raw, zone)
        if item.event is None and item.body and "html" in (item.media_type or "text/html"):
            events = events_in_html(item.body, own_zone)
            item.event = next((e for e in events if e.start is not None), None)
        if item.event is None:
            languages = [
                x for x in [item.language, *getattr(getattr(spider, "source", None), "languages", [])] if x
            ]
            item.event = event_in_text(item.summary, zone, languages) or event_in_text(
                item.text, zone, languages
            )
        event = item.event
        if event is not None and _without_placeholders(event, item.fetched_at or datetime.now(UTC), zone):
            if EVENT_DATE_IMPLAUSIBLE not in item.flags:
                item.flags.append(EVENT_DATE_IMPLAUSIBLE)
            self._inc("date_implausible")
        if event is not None and event.venue and not (event.city or event.country):
            place = place_from_text(event.venue)
            if place is not None:
                event.venue, event.city, event.country = place
                self._inc("place_from_text")
        if item.event is not None and item.event.start is not None:
            self._inc("with_start")
        return item
