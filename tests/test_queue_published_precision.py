"""The published date in ``ewsi queue``'s table (crawler.commands.queue `published_cell`) and the
desk's queue (the Published column of crawler/web/templates/queue.html).

Rule: a published date is shown as precise as the source gave it, read from the item's precision
flags (crawler.types `PRECISION_FLAGS`), never guessed from a time of 00:00: ``date_year`` shows the
year, ``date_month`` the month, ``date_only`` the day, never with a time of day; a value with a time
of day shows its UTC day (both columns are a day wide).

The month and year rows failed before: both places showed the stored first day of the period
(``2025-03-01`` for a source that said "March 2025"). The day and time rows hold the rest of the
rule in place.
"""

from __future__ import annotations

from datetime import datetime

import html5lib
import pytest
from desklab import add_item, add_source, editor_client

from crawler.cli import main as ewsi

# (case, published_at as stored (naive UTC), flags, shown)
CASES: list[tuple[str, datetime, list[str] | None, str]] = [
    ("month", datetime(2025, 3, 1), ["date_only", "date_month"], "2025-03"),
    ("month-december", datetime(2024, 12, 1), ["date_only", "date_month"], "2024-12"),
    ("month-leap-february", datetime(2024, 2, 1), ["date_only", "date_month"], "2024-02"),
    ("month-flag-alone", datetime(2023, 7, 1), ["date_month"], "2023-07"),
    (
        "month-among-other-flags",
        datetime(2025, 10, 1),
        ["title_from_page", "date_only", "date_month"],
        "2025-10",
    ),
    ("year", datetime(2025, 1, 1), ["date_only", "date_year"], "2025"),
    ("year-flag-alone", datetime(2019, 1, 1), ["date_year"], "2019"),
    ("year-before-month-flags", datetime(2022, 1, 1), ["date_year", "date_month", "date_only"], "2022"),
    ("day-only", datetime(2025, 3, 4), ["date_only"], "2025-03-04"),
    ("day-only-first-of-month", datetime(2025, 3, 1), ["date_only"], "2025-03-01"),
    ("timed-at-midnight", datetime(2025, 3, 4), [], "2025-03-04"),
    ("timed-late", datetime(2025, 3, 4, 23, 30), None, "2025-03-04"),
]


@pytest.mark.parametrize(
    ("published_at", "flags", "shown"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_published_is_shown_as_precise_as_the_source_gave_it(
    db_url, app, Session, monkeypatch, capsys, published_at, flags, shown
) -> None:
    with Session() as s:
        add_source(s, "src-a")
        item_id = add_item(s, 1, published_at=published_at, flags=flags, title="Dated item").id
        s.commit()
    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")
    assert ewsi(["queue"]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if "Dated item" in line]
    assert line.split()[4] == shown  # id rel lang source published themes title
    alice = editor_client(app, Session)
    tree = html5lib.parse(alice.get("/queue").text, namespaceHTMLElements=False)
    header = [th.text for th in tree.iter("th")]
    rows = {tr.get("data-href"): tr.findall("td") for tr in tree.iter("tr") if tr.get("data-href")}
    cell = rows[f"/items/{item_id}"][header.index("Published")]
    assert (cell.text or "").strip() == shown and list(cell) == []
