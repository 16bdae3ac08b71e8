"""The desk's coverage page (/coverage) and the coverage section of the editors' daily digest."""

from __future__ import annotations

import re
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
    client = editor_client(app, Session)
    for start in ("/queue", "/sources", "/history"):  # every desk page links to it
        assert '<a href="/coverage">Coverage</a>' in client.get(start).text
    page = client.get("/coverage")
    assert page.status_code == 200, page.text
    html = page.text
    assert html.count("<svg") == 2
    assert "<td>PL</td><td>Economic Participation</td><td>0</td><td>4</td><td>pl-gov</td>" in html
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
    assert "75" in html and "src-b · feed" in html


SCHEDULE_YAML = """\
sources:
- {id: src-daily, name: Daily, publisher: P, country: DE, languages: [de], content_type: news, kind: feed,
   urls: ["https://example.org/feed.xml"], schedule: "30 2 * * *", timezone: Europe/Berlin}
- {id: src-off, name: Disabled, publisher: P, country: FR, languages: [fr], content_type: news, kind: feed,
   urls: ["https://example.org/off.xml"], schedule: "0 6 * * *", timezone: Europe/Paris, enabled: false}
- {id: src-backoff, name: Backing off, publisher: P, country: PL, languages: [pl], content_type: news,
   kind: listing, urls: ["https://example.org/news"], listing: {links: "a.news::attr(href)"},
   schedule: "0 6 * * *", timezone: Europe/Warsaw}
"""


def test_sources_page_shows_schedule_next_run_quarantine_and_hint(app, Session, tmp_path) -> None:
    """Next run by the scheduler's rules: the next slot, after the back-off, or none (disabled)."""
    import dataclasses

    from crawler.health import QUARANTINE_AFTER
    from crawler.scheduling.nextrun import next_run
    from crawler.store.schema import QuarantinedUrl, sha256_hex

    config = tmp_path / "sources.yaml"
    config.write_text(SCHEDULE_YAML, encoding="utf-8")
    app.state.runtime = dataclasses.replace(app.state.runtime, sources_config=str(config))
    backoff = datetime.now(UTC) + timedelta(days=3, hours=1)
    with Session() as s:
        add_source(s, "src-daily", "Daily", kind="feed", state="healthy")
        add_source(s, "src-off", "Disabled", kind="feed")
        add_source(
            s,
            "src-backoff",
            "Backing off",
            kind="listing",
            state="failing",
            backoff_until=backoff,
            last_error_key="fetch.blocked_by_site",
            last_error="HTTP 202 with a challenge page",
        )
        add_source(s, "src-gone", "Removed from the config")
        for n, (hits, days) in enumerate([(QUARANTINE_AFTER, 1), (QUARANTINE_AFTER + 2, 5), (1, 5), (9, -1)]):
            # counted: the first two; not yet quarantined (one hit) and expired ones are not
            url = f"https://example.org/poison/{n}"
            s.add(
                QuarantinedUrl(
                    url_hash=sha256_hex(url),
                    url=url,
                    source_id="src-backoff",
                    hits=hits,
                    expires_at=datetime.now(UTC) + timedelta(days=days),
                )
            )
        s.commit()
    html = editor_client(app, Session).get("/sources").text
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r'<tr class="state-\w+"><td><a href="/sources/([\w-]+)".*?</tr>', html, re.S)
    }
    daily = next_run("30 2 * * *", "Europe/Berlin", datetime.now(UTC)).label()
    assert "daily at 02:30 Europe/Berlin" in rows["src-daily"] and f">{daily}<" in rows["src-daily"]
    assert 'title="cron: 30 2 * * * (Europe/Berlin)"' in rows["src-daily"]  # the raw cron in a tooltip
    after = next_run("0 6 * * *", "Europe/Warsaw", datetime.now(UTC), backoff_until=backoff)
    assert after.reason == "after back-off" and f">{after.label()}<" in rows["src-backoff"]
    assert (
        "an anti-bot answer" in rows["src-backoff"]
        and "HTTP 202 with a challenge page" in rows["src-backoff"]
    )
    assert "2 quarantined" in rows["src-backoff"] and "quarantined" not in rows["src-daily"]
    assert '<span class="next-run">disabled</span>' in rows["src-off"]
    assert (
        "not in the config" in rows["src-gone"] and '<span class="next-run">never</span>' in rows["src-gone"]
    )


def test_sources_page_says_when_the_config_cannot_be_read(app, Session, tmp_path) -> None:
    import dataclasses

    app.state.runtime = dataclasses.replace(app.state.runtime, sources_config=str(tmp_path / "missing.yaml"))
    with Session() as s:
        add_source(s, "src-x", "X")
        s.commit()
    html = editor_client(app, Session).get("/sources").text
    assert "config unreadable" in html and '<span class="next-run">unknown</span>' in html


@pytest.mark.parametrize(
    ("cron", "words"),
    [
        ("0 5 * * *", "daily at 05:00 UTC"),
        ("0 8,14 * * 1-5", "weekdays at 08:00 and 14:00 UTC"),
        ("45 */3 * * *", "every 3 hours at :45 UTC"),
        ("7 * * * *", "hourly at :07 UTC"),
        ("0 6 * * 1", "Mondays at 06:00 UTC"),
        ("5 4 1 * *", "5 4 1 * * (UTC)"),  # not simple: the cron as it is
        ("*/10 * * * *", "*/10 * * * * (UTC)"),
    ],
)
def test_schedules_in_words(cron: str, words: str) -> None:
    from crawler.web.admin import schedule_words

    assert schedule_words(cron, "UTC") == words


def test_sources_page_shortens_a_raw_error(app, Session) -> None:
    """The error key and its sentence show; the raw text only in the key's title and a details."""
    raw = "FetchRefused: https://x.invalid/feed could not be fetched: CannotResolveHostError: " + "x" * 300
    with Session() as s:
        add_source(
            s, "src-dns", "DNS", kind="feed", state="failing", last_error_key="fetch.dns", last_error=raw
        )
        s.commit()
    html = editor_client(app, Session).get("/sources").text
    cell = re.search(r'<td class="last-error".*?</td>', html, re.S).group(0)
    assert "<strong title=" in cell and ">fetch.dns</strong>" in cell
    assert '<div class="hint">host name could not be resolved</div>' in cell
    assert re.search(
        r"<details class=\"raw-error\"><summary>full text</summary><div class=\"muted\">FetchRefused", cell
    )
