"""A place written as text ("Berlin, Germany") gives city and country (pipelines.events.place_from_text),
so the events API's ``country`` filter finds iCalendar events."""

from __future__ import annotations

import pytest
from scrapy.http import TextResponse

from crawler.store.structured import place_label, structured_values
from pipelines.events import EventsPipeline, place_from_text
from tests.test_ical_robust import calendar, vevent
from tests.test_spiders import make_spider, run


@pytest.mark.parametrize(
    ("location", "venue", "city", "country", "online"),
    [
        ("Berlin, Germany", None, "Berlin", "DE", False),
        ("Wien, Österreich", None, "Wien", "AT", False),
        ("Rue de la Loi 200, 1049 Bruxelles, Belgique", "Rue de la Loi 200", "Bruxelles", "BE", False),
        (
            "Stadthalle, Hauptstr. 5, 10115 Berlin, Deutschland",
            "Stadthalle, Hauptstr. 5",
            "Berlin",
            "DE",
            False,
        ),
        ("Room 3, Building B, Lyon, France", "Room 3, Building B", "Lyon", "FR", False),
        ("Αθήνα, Ελλάδα", None, "Αθήνα", "GR", False),
        ("Den Haag, NL", None, "Den Haag", "NL", False),
        ("Oslo, Norway", None, "Oslo", "NO", False),  # EEA
        ("Paris, France / Online", None, "Paris", "FR", True),
        ("Kulturhaus am Markt 12, Germany", "Kulturhaus am Markt 12", None, "DE", False),
        ("Online", "Online", None, None, True),
        ("Zoom", "Zoom", None, None, True),
        ("Room 3", "Room 3", None, None, False),
        ("Haus der Industrie, Wien", "Haus der Industrie, Wien", None, None, False),
        ("Geneva, Switzerland", "Geneva, Switzerland", None, None, False),  # not EU/EEA
        ("New York, USA", "New York, USA", None, None, False),
    ],
)
def test_a_location_naming_a_country_gives_city_and_country(
    location: str, venue: str | None, city: str | None, country: str | None, online: bool
) -> None:
    spider = make_spider(id="places", kind="ical", urls=["https://x.example/e.ics"], timezone="Europe/Vienna")
    body = calendar(
        vevent("p@x", "DTSTART:20270310T100000Z", f"LOCATION:{location}", "URL:https://x.example/p")
    )
    items, _ = run(spider, TextResponse("https://x.example/e.ics", body=body, encoding="utf-8"))
    item = EventsPipeline().process_item(items[0], spider)
    event = item.event
    assert event is not None and (event.venue, event.city, event.country, event.online) == (
        venue,
        city,
        country,
        online,
    )
    assert structured_values(item)["event_country"] == country  # what ?country= filters on


def test_a_place_with_its_own_city_or_country_is_left_alone() -> None:
    from crawler.types import EventInfo, HarvestedItem

    item = HarvestedItem(url="https://x.example/e", source_id="s", content_type="event")
    item.event = EventInfo(venue="Messe, Germany", city="Potsdam")
    EventsPipeline().process_item(item)
    assert (item.event.venue, item.event.city, item.event.country) == ("Messe, Germany", "Potsdam", None)
    assert place_from_text(None) is None and place_from_text("Berlin") is None
    assert (
        place_label({"venue": None, "city": "Paris", "country": "FR", "online": True}) == "Paris, FR / Online"
    )
    assert (
        place_label({"venue": "Online (Zoom)", "city": None, "country": None, "online": True})
        == "Online (Zoom)"
    )
