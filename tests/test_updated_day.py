"""A page's date of change written as a day alone is that calendar day at 00:00 UTC, as a
publication day is (pipelines.extract.apply_document, pipelines.dates.parse_day_or_time), never
the evening before in UTC for a source east of Greenwich.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.types import HarvestedItem
from pipelines.extract import apply_document, extract_document

BODY = (
    "<p>The council presented its integration plan for refugees and migrants. It funds language "
    "courses, housing advice and mentoring for newcomers, prepared with employers and NGOs.</p>"
) * 3


@pytest.mark.parametrize("zone", ["Europe/Stockholm", "Europe/Athens", "Europe/Lisbon", "Europe/Brussels"])
@pytest.mark.parametrize(
    ("head", "line", "want"),
    [
        (
            '<meta property="article:modified_time" content="2025-03-10">',
            "",
            datetime(2025, 3, 10, tzinfo=UTC),
        ),
        ("", '<p class="meta">Aktualisiert am 10. März 2025</p>', datetime(2025, 3, 10, tzinfo=UTC)),
        ("", '<p class="meta">Mis à jour le 10/03/2025</p>', datetime(2025, 3, 10, tzinfo=UTC)),
        (
            '<meta property="article:modified_time" content="2025-03-10T09:30:00+01:00">',
            "",
            datetime(2025, 3, 10, 8, 30, tzinfo=UTC),
        ),
    ],
)
def test_a_change_day_is_that_day(head: str, line: str, want: datetime, zone: str) -> None:
    html = (
        f'<!DOCTYPE html><html lang="de"><head><title>Plan</title>{head}</head><body><main><article>'
        f"<h1>Integrationsplan</h1>{line}{BODY}</article></main></body></html>"
    )
    url = "https://stadt.example.eu/plan"
    document = extract_document(html.encode(), url, "text/html; charset=utf-8")
    item = HarvestedItem(source_id="s", url=url, fetched_at=datetime(2025, 4, 1, tzinfo=UTC))
    apply_document(item, document, ZoneInfo(zone))
    assert item.updated_at == want
