"""Counts shown to people are in English number: 1 takes the singular, 0 and 2 the plural, in the
CLI, the digest subjects and texts, and the desk (crawler.text.counted)."""

from __future__ import annotations

from typing import Any

import pytest

from crawler import health
from crawler.text import counted
from crawler.web import admin, digest


@pytest.mark.parametrize(
    ("n", "singular", "plural", "expected"),
    [
        (0, "item", None, "0 items"),
        (1, "item", None, "1 item"),
        (2, "item", None, "2 items"),
        (1_000, "item", None, "1,000 items"),
        (1, "source needs attention", "sources need attention", "1 source needs attention"),
        (2, "source needs attention", "sources need attention", "2 sources need attention"),
        (0, "day left", "days left", "0 days left"),
    ],
)
def test_counted(n: int, singular: str, plural: str | None, expected: str) -> None:
    assert counted(n, singular, plural) == expected


def _daily(sources: int) -> dict[str, Any]:
    return {
        "date": "2026-12-06",
        "pending": {"total": 5},
        "sources": [{"id": f"s{i}"} for i in range(sources)],
    }


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (0, "EWSI digest 2026-12-06: 5 waiting"),
        (1, "EWSI digest 2026-12-06: 5 waiting, 1 source needs attention"),
        (2, "EWSI digest 2026-12-06: 5 waiting, 2 sources need attention"),
    ],
)
def test_daily_digest_subject(sources: int, expected: str) -> None:
    assert digest.subject_line("daily", _daily(sources)) == expected


@pytest.mark.parametrize(
    ("calls", "days", "expected"),
    [
        (0, 7, "EWSI: no funding call closes in 7 days"),
        (1, 7, "EWSI: 1 funding call closes in 7 days"),
        (2, 7, "EWSI: 2 funding calls close in 7 days"),
        (1, 1, "EWSI: 1 funding call closes in 1 day"),
        (0, 1, "EWSI: no funding call closes in 1 day"),
    ],
)
def test_alert_subject(calls: int, days: int, expected: str) -> None:
    context = {"calls": [{"call_id": str(i)} for i in range(calls)], "days": days}
    assert digest.subject_line("alerts", context) == expected


@pytest.mark.parametrize(("days", "expected"), [(1, "closes in 1 day."), (2, "closes in 2 days.")])
def test_alert_text_days(days: int, expected: str) -> None:
    env = digest._environment()
    text = env.get_template("alerts.txt").render(
        date="2026-12-06", calls=[], days=days, links={"calendar": "https://portal.example.eu/calendar.ics"}
    )
    assert f"No published funding call {expected}" in text


@pytest.mark.parametrize(
    ("cron", "expected"),
    [
        ("45 */1 * * *", "every 1 hour at :45 UTC"),
        ("45 */2 * * *", "every 2 hours at :45 UTC"),
        ("0 */12 * * *", "every 12 hours at :00 UTC"),
    ],
)
def test_schedule_words_hours(cron: str, expected: str) -> None:
    assert admin.schedule_words(cron, "UTC") == expected


TEXTED = health.RunSummary(items_new=4, quality={"items": 4, "undated": 0, "no_text": 0})


@pytest.mark.parametrize(
    ("quality", "message"),
    [
        (
            {"items": 1, "undated": 0, "no_text": 1},
            "1 of 1 item has no text; the source's last ok runs had text",
        ),
        (
            {"items": 2, "undated": 0, "no_text": 2},
            "2 of 2 items have no text; the source's last ok runs had text",
        ),
        (
            {"items": 1, "undated": 1, "no_text": 0},
            "1 of 1 item has no date; the source's last ok runs were dated",
        ),
        (
            {"items": 3, "undated": 2, "no_text": 0},
            "2 of 3 items have no date; the source's last ok runs were dated",
        ),
        (
            {"items": 2, "undated": 0, "nav": 2},
            "2 of 2 items are titled like navigation links (Home, About, ...)",
        ),
        ({"items": 4, "undated": 0, "same_title": 3}, "3 of 4 items carry the same title"),
    ],
)
def test_junk_messages(quality: dict[str, int], message: str) -> None:
    judged = health._junk(quality, [TEXTED])
    assert judged is not None and judged[1] == message


def test_backtest_summary_counts() -> None:
    from classifier.backtest import format_backtest

    metrics = {
        "model_version": "m1",
        "relevance": {"precision": 1.0, "recall": 1.0, "f1": 1.0},
        "themes": {"micro_precision": 1.0, "micro_recall": 1.0, "micro_f1": 1.0, "macro_f1": 1.0},
    }
    summary = {
        "items_changed": 1,
        "relevance_flips": 1,
        "became_relevant": 1,
        "became_not_relevant": 0,
        "relevance_fixed": 1,
        "relevance_broken": 0,
        "themes_gained": 1,
        "themes_lost": 0,
        "themes_fixed": 0,
        "themes_broken": 0,
    }
    result = {
        "n": 1,
        "labels": {"relevant": 1, "not_relevant": 0},
        "before": metrics,
        "after": metrics,
        "summary": summary,
        "changes": [],
    }
    text = format_backtest(result)
    assert text.startswith("1 decided item (1 relevant, 0 not relevant)\n")
    assert "1 item changes: 1 relevance flip (1 to relevant" in text
    assert "1 theme gained, 0 lost" in text
