"""The desk shows funding calls and events: deadline, days left, call status and programme, event
date and place in the queue; filters by programme and call status; the structured fields on the
item page. Times are relative to the real clock (the desk's lane and status are computed at request
time)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from desklab import SQLITE_ONLY, add_item, add_source, editor_client

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5, hours=1)
PAST = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
LATER = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def structured_items(Session) -> dict[str, int]:
    with Session() as s:
        add_source(s, "src-a", "Source A")
        amif = add_item(
            s,
            1,
            title="Language courses call",
            content_type="funding",
            call_id="AMIF-2026-TF2-AG-INTE-01-LANGUAGE",
            programme="AMIF",
            call_status="open",
            deadline=SOON,
            final_deadline=SOON,
            deadlines=[_iso(SOON)],
            budget_amount=4_000_000.0,
            budget_currency="EUR",
            eligible_countries=["AT", "DE", "GR"],
            attachments=[
                {"url": "https://x.eu/guide.pdf", "title": "Guide for applicants", "role": "guide"},
                {"url": "https://x.eu/b.docx", "title": "Part B", "role": "template"},
            ],
        ).id
        esf = add_item(
            s,
            2,
            title="Closed social innovation call",
            content_type="funding",
            programme="ESF+",
            call_status="open",  # published as open; its deadline passed
            deadline=PAST,
            final_deadline=PAST,
            deadlines=[_iso(PAST)],
        ).id
        forum = add_item(
            s,
            3,
            title="Integration forum",
            content_type="event",
            event_start=LATER,
            event_end=LATER + timedelta(hours=8),
            event_venue="Town hall",
            event_city="Ghent",
            event_country="BE",
        ).id
        s.commit()
    return {"amif": amif, "esf": esf, "forum": forum}


def _titles(html: str) -> list[str]:
    return re.findall(r'class="title" href="/items/\d+[^"]*"><bdi>([^<]+)</bdi>', html)


@SQLITE_ONLY
def test_queue_columns_and_filters(app, Session, structured_items) -> None:
    alice = editor_client(app, Session)
    page = alice.get("/queue").text
    row = page[page.index("Language courses call") :].split("</tr>", 1)[0]
    assert "5 d" in row and ">open<" in row and "AMIF" in row
    row = page[page.index("Integration forum") :].split("</tr>", 1)[0]
    assert LATER.strftime("%Y-%m-%d") in row and "Town hall, Ghent, BE" in row
    assert _titles(alice.get("/queue?programme=AMIF").text) == ["Language courses call"]
    assert _titles(alice.get("/queue?call_status=closed").text) == ["Closed social innovation call"]
    assert _titles(alice.get("/queue?call_status=open").text) == ["Language courses call"]
    assert len(_titles(alice.get("/queue?call_status=bogus").text)) == 3  # unknown status: no filter


@SQLITE_ONLY
def test_item_page_shows_the_call(app, Session, structured_items) -> None:
    alice = editor_client(app, Session)
    page = alice.get(f"/items/{structured_items['amif']}").text
    assert 'id="call-id">AMIF-2026-TF2-AG-INTE-01-LANGUAGE · AMIF' in page
    assert re.search(r'id="call-status">open', page)
    assert "5 days left" in page and "4,000,000 EUR" in page
    assert 'id="eligible-countries">AT, DE, GR</dd>' in page
    assert re.findall(r"<bdi>([^<]+)</bdi></a> <span class=\"muted role\">\(([^)]+)\)</span>", page) == [
        ("Guide for applicants", "guide"),
        ("Part B", "template"),
    ]
    page = alice.get(f"/items/{structured_items['forum']}").text
    assert 'id="event-time"' in page and "Town hall, Ghent, BE" in page


@SQLITE_ONLY
@pytest.mark.parametrize("zone", ["Europe/Helsinki", "Atlantic/Azores"])
def test_all_day_events_show_the_days_the_source_wrote(app, Session, zone: str) -> None:
    from zoneinfo import ZoneInfo

    first = (datetime.now(UTC) + timedelta(days=20)).date()
    midnight = datetime(first.year, first.month, first.day, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    with Session() as s:
        add_source(s, "src-a", "Source A")
        one = add_item(
            s,
            1,
            title="One day",
            content_type="event",
            event_start=midnight,
            event_end=midnight + timedelta(days=1),
            event_all_day=True,
            event_timezone=zone,
        ).id
        three = add_item(
            s,
            2,
            title="Three days",
            content_type="event",
            event_start=midnight,
            event_end=midnight + timedelta(days=3),
            event_all_day=True,
            event_timezone=zone,
        ).id
        s.commit()
    alice = editor_client(app, Session)
    day, last = first.isoformat(), (first + timedelta(days=2)).isoformat()
    page = alice.get("/queue").text
    assert f"event {day}<" in page[page.index("One day") :].split("</tr>", 1)[0]
    assert f"event {day} – {last}<" in page[page.index("Three days") :].split("</tr>", 1)[0]
    assert f'id="event-time">{day} <span class="muted">(all day)' in alice.get(f"/items/{one}").text
    assert f'id="event-time">{day} – {last} <span' in alice.get(f"/items/{three}").text
