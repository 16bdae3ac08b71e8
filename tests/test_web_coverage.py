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
        "PL x Economic Participation: 0 items in 30 days, usually 4; used to come from pl-gov"
    ]
    rendered = render("daily", context)
    assert any("PL x Economic Participation" in part for part in rendered)


@pytest.mark.parametrize(
    ("ages_days", "expected"),
    [
        ([0, 1, 2], [0, 0, 0, 0, 0, 0, 0, 3]),
        ([8, 15, 16], [0, 0, 0, 0, 0, 2, 1, 0]),
        ([55, 60, 1], [1, 0, 0, 0, 0, 0, 0, 1]),  # 60 days is outside the 8 weeks
        ([], [0] * 8),
    ],
)
def test_weekly_new_items(Session, ages_days: list[int], expected: list[int]) -> None:
    from crawler.store.sources import weekly_new_items

    now = datetime.now(UTC)
    with Session() as s:
        add_source(s, "src-w", "Weekly")
        for n, age in enumerate(ages_days, start=1):
            add_item(s, n, source_id="src-w", first_seen_at=now - timedelta(days=age, hours=1))
        s.commit()
        assert weekly_new_items(s, now).get("src-w", [0] * 8) == expected


def test_sources_page_shows_kind_sparkline_share_and_broken(app, Session) -> None:
    now = datetime.now(UTC)
    with Session() as s:
        add_source(
            s, "src-b", "Broken source", kind="feed", state="broken", last_error_key="fetch.blocked_by_site"
        )
        for n in range(1, 5):
            add_item(s, n, source_id="src-b", relevant=n <= 3, first_seen_at=now - timedelta(days=n))
        s.commit()
    html = editor_client(app, Session).get("/sources").text
    assert '<strong class="broken">BROKEN</strong>' in html
    assert "an anti-bot answer" in html
    assert "new items per week: 0, 0, 0, 0, 0, 0, 0, 4" in html
    assert "75" in html and "<td>feed</td>" in html
