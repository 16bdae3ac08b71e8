"""The desk's coverage page (/coverage) and the coverage section of the editors' daily digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from desklab import add_item, add_source, client_for, editor_client


@pytest.fixture
def gap_store(Session):
    """Four Polish Economic Participation items in each of the six previous 30-day periods, none in
    the last 30 days; one current EU item."""
    now = datetime.now(UTC)
    with Session() as s:
        add_source(s, "pl-gov", "Polish ministry")
        add_source(s, "eu-wide", "EU news")
        for n in range(1, 25):  # four in each of the six previous 30-day periods
            add_item(
                s,
                n,
                source_id="pl-gov",
                country="PL",
                language="pl",
                relevant=True,
                first_seen_at=now - timedelta(days=30 * ((n - 1) // 4 + 1) + 1 + (n - 1) % 4),
                themes={"Economic Participation": 0.9},
            )
        add_item(
            s,
            99,
            source_id="eu-wide",
            country="EU",
            language="en",
            relevant=True,
            first_seen_at=now - timedelta(days=1),
        )
        s.commit()


def test_coverage_page_lists_the_gap_and_draws_both_heatmaps(app, Session, gap_store) -> None:
    page = editor_client(app, Session).get("/coverage")
    assert page.status_code == 200, page.text
    html = page.text
    assert html.count("<svg") == 2
    assert "<td>PL</td><td>Economic Participation</td><td>0</td><td>4.0</td><td>pl-gov</td>" in html
    assert "PL Economic Participation: 0 (gap)" in html
    assert editor_client(app, Session, "bob").get("/coverage?axis=nope").status_code == 422


def test_coverage_page_needs_a_login(app) -> None:
    assert client_for(app).get("/coverage", follow_redirects=False).status_code in (303, 401)


def test_daily_digest_lists_the_gap(Session, gap_store) -> None:
    from crawler.web.digest import daily_context, render

    with Session() as s:
        context = daily_context(s, datetime.now(UTC), "https://desk.example.eu")
    assert context["coverage_gaps"] == [
        "PL x Economic Participation: 0 item(s) in 30 days, usually 4; used to come from pl-gov"
    ]
    rendered = render("daily", context)
    assert any("PL x Economic Participation" in part for part in rendered)
