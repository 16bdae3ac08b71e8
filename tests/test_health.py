"""crawler.health as tables, without a database: a run's status from its stats, judging by meaning,
the source's state after a run, back-off and quarantine (the store side: test_health_runs.py)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler import health
from crawler.health import Judgement, RunSummary, SourceHealth, build_report

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


# --- 1. a run's status and error key from its stats -----------------------------------------------

STATS_CASES: list[tuple[str, dict[str, Any], str, str, str | None]] = [
    # (case, stats, close reason, status, error key)
    ("shutdown wins over everything", {"ewsi/errors/store.db_error": 1}, "shutdown", "interrupted",
     "crawl.interrupted"),
    ("store error", {"ewsi/items/yielded": 5, "ewsi/errors/store.db_error": 1}, "finished", "failed",
     "store.db_error"),
    ("nothing and errors: the most frequent",
     {"ewsi/errors/fetch.timeout": 1, "ewsi/errors/fetch.dns": 3}, "finished", "failed", "fetch.dns"),
    ("nothing, but not modified", {"ewsi/fetch/not_modified": 2}, "finished", "ok", None),
    ("nothing at all", {}, "finished", "failed", "parse.no_items"),
    ("followed pages all empty",
     {"ewsi/items/yielded": 3, "ewsi/extract/html": 3, "ewsi/extract/empty": 3}, "finished", "failed",
     "extract.all_empty"),
    ("some pages empty", {"ewsi/items/yielded": 3, "ewsi/extract/html": 3, "ewsi/extract/empty": 2},
     "finished", "ok", None),
    ("items and some errors: ok, key kept",
     {"ewsi/items/yielded": 2, "ewsi/errors/fetch.http_404": 1}, "finished", "ok", "fetch.http_404"),
    ("items, no errors", {"ewsi/items/yielded": 2}, "finished", "ok", None),
    # a request refused because the crawl was stopping: the run was cut short, whatever its reason
    ("the feed refused by a stopping crawl, spider closed by itself",
     {"ewsi/errors/crawl.interrupted": 1}, "finished", "interrupted", "crawl.interrupted"),
    ("a followed page refused by a stopping crawl",
     {"ewsi/items/yielded": 3, "ewsi/page_errors/crawl.interrupted": 2}, "finished", "interrupted",
     "crawl.interrupted"),
    ("cut short beside a source error", {"ewsi/errors/crawl.interrupted": 1, "ewsi/errors/fetch.dns": 4},
     "finished", "interrupted", "crawl.interrupted"),
    ("a stopping crawl and a store error", {"ewsi/errors/crawl.interrupted": 1,
     "ewsi/errors/store.db_error": 1}, "finished", "interrupted", "crawl.interrupted"),
    ("another source's pause is no interruption", {"ewsi/errors/fetch.host_paused": 1}, "finished",
     "skipped", "fetch.host_paused"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("stats", "reason", "status", "key"), [c[1:] for c in STATS_CASES], ids=[c[0] for c in STATS_CASES]
)
def test_build_report_status_and_key(
    stats: dict[str, Any], reason: str, status: str, key: str | None
) -> None:
    report = health.build_report("src-a", stats, T0, reason, now=T0 + DAY)
    assert (report.status, report.error_key) == (status, key)
    assert report.finished_at == T0 + DAY


def test_build_report_counts_and_messages() -> None:
    stats = {
        "ewsi/items/yielded": 4,
        "ewsi/items/new": 3,
        "ewsi/items/unchanged": 1,
        "ewsi/dropped/duplicate": 2,
        "ewsi/page_errors/fetch.http_404": 1,
        "downloader/response_count": 7,
        "downloader/response_status_count/200": 5,
        "downloader/response_status_count/304": 1,
        "downloader/response_status_count/404": 1,
        "ewsi/quality/items": 4,
        "ewsi/quality/undated": 1,
        "ewsi/errors/fetch.http_404": 1,
        "ewsi/error_messages": {"fetch.http_404": "404 on /old"},
    }
    report = health.build_report("src-a", stats, T0, "finished", now=T0)
    assert (report.fetched, report.items_new, report.items_unchanged) == (7, 3, 1)
    assert report.dropped == {"duplicate": 2} and report.http_errors == {"404": 1}
    assert report.stats["quality"] == {
        "items": 4,
        "undated": 1,
        "followed": 0,
        "empty": 0,
        "nav": 0,
        "same_title": 0,
        "no_text": 0,
        "unread": 0,
    }
    assert report.stats["page_errors"] == {"fetch.http_404": 1}
    assert report.error == "404 on /old"
    bozo = health.build_report("s", {"ewsi/items/yielded": 1, "ewsi/feed/bozo": 1,
                                     "ewsi/feed/bozo_message": "bad entity"}, T0, "finished")  # fmt: skip
    assert (bozo.status, bozo.error) == ("ok", "warning: bad entity")


@pytest.mark.parametrize(
    ("status", "key", "expected"),
    [("ok", None, "ok"), ("failed", "x", "failed"), ("interrupted", None, "interrupted"),
     ("running", None, "ok"), ("running", "fetch.dns", "failed"), ("", None, "ok")],
)  # fmt: skip
def test_report_status(status: str, key: str | None, expected: str) -> None:
    assert health.report_status(status, key) == expected


# --- 2. judged by meaning ---------------------------------------------------------------------------

DELIVERED = RunSummary(items_new=2, quality={"items": 2, "undated": 0, "followed": 0, "empty": 0})
DELIVERED_OLD = RunSummary(items_unchanged=4)  # an old run without quality counts
UNDATED = RunSummary(items_new=3, quality={"items": 3, "undated": 3, "followed": 0, "empty": 0})
EMPTY = RunSummary()


def _q(items: int, undated: int) -> dict[str, Any]:
    return {"quality": {"items": items, "undated": undated, "followed": 0, "empty": 0}}


MEANING_CASES: list[tuple[str, str, str | None, Any, list[RunSummary], Judgement]] = [
    ("no items after delivering runs: broken", "failed", "parse.no_items", _q(0, 0), [DELIVERED],
     Judgement("failed", "parse.no_items", None, True)),
    ("delivered by counts only (old run)", "failed", "extract.all_empty", {}, [DELIVERED_OLD],
     Judgement("failed", "extract.all_empty", None, True)),
    ("no history: failing, not broken", "failed", "parse.no_items", _q(0, 0), [],
     Judgement("failed", "parse.no_items", None, False)),
    ("history that never delivered", "failed", "parse.feed_malformed", {}, [EMPTY, EMPTY],
     Judgement("failed", "parse.feed_malformed", None, False)),
    ("a fetch error is not by meaning", "failed", "fetch.timeout", {}, [DELIVERED],
     Judgement("failed", "fetch.timeout", None, False)),
    ("undated where the source dates", "ok", None, _q(4, 3), [UNDATED, DELIVERED],
     Judgement("failed", "parse.no_dates", "3 of 4 items have no date; the source's last ok runs were dated",
               True)),
    ("half undated is still dated enough", "ok", None, _q(4, 2), [DELIVERED],
     Judgement("ok", None, None, False)),
    ("undated, but never dated before", "ok", None, _q(3, 3), [UNDATED],
     Judgement("ok", None, None, False)),
    ("ok without quality counts", "ok", None, {}, [DELIVERED], Judgement("ok", None, None, False)),
    ("stats that are not a mapping", "ok", None, None, [DELIVERED], Judgement("ok", None, None, False)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "key", "stats", "history", "expected"),
    [c[1:] for c in MEANING_CASES],
    ids=[c[0] for c in MEANING_CASES],
)
def test_judge_by_meaning(
    status: str, key: str | None, stats: Any, history: list[RunSummary], expected: Judgement
) -> None:
    assert health.judge_by_meaning(status, key, stats, history) == expected


# --- 3. the source's state after a run --------------------------------------------------------------

HEALTHY = SourceHealth(state="healthy", last_success_at=T0 - DAY, last_new_item_at=T0 - DAY)
FAILING_2 = SourceHealth(
    state="failing", consecutive_failures=2, backoff_until=T0, last_error_key="fetch.dns", last_error="x"
)
DAILY = [T0 - DAY * n for n in range(0, 6)]  # runs with new items every day, newest first


AFTER_CASES: list[tuple[str, SourceHealth, Judgement, int, list[datetime], tuple[Any, ...] | None]] = [
    # (case, current, judgement, items_new, new-item times, (state, failures, back-off, error key) or None)
    ("ok clears failures and back-off", FAILING_2, Judgement("ok", None), 0, [],
     ("healthy", 0, None, None)),
    ("first failure: 30 min", HEALTHY, Judgement("failed", "fetch.timeout"), 0, [],
     ("failing", 1, T0 + timedelta(minutes=30), "fetch.timeout")),
    ("third failure: 2 h", FAILING_2, Judgement("failed", "fetch.timeout"), 0, [],
     ("failing", 3, T0 + timedelta(hours=2), "fetch.timeout")),
    ("broken by meaning", HEALTHY, Judgement("failed", "parse.no_items", None, True), 0, [],
     ("broken", 1, T0 + timedelta(minutes=30), "parse.no_items")),
    ("interrupted without a key: crashed", HEALTHY, Judgement("interrupted", None), 0, [],
     ("failing", 1, T0 + timedelta(minutes=30), "crawl.crashed")),
    ("failed without a key: fetch.error", HEALTHY, Judgement("failed", None), 0, [],
     ("failing", 1, T0 + timedelta(minutes=30), "fetch.error")),
    ("shutdown: health unchanged", FAILING_2, Judgement("interrupted", "crawl.interrupted"), 0, [], None),
    ("our database outage: unchanged", HEALTHY, Judgement("failed", "store.db_error"), 0, [], None),
    ("no new item for 4x the usual day: quiet",
     SourceHealth(state="healthy", last_new_item_at=T0 - 4 * DAY), Judgement("ok", None), 0,
     [T0 - DAY * n for n in range(4, 9)], ("quiet", 0, None, None)),
    ("2 days without new items: usual enough",
     SourceHealth(state="healthy", last_new_item_at=T0 - 2 * DAY), Judgement("ok", None), 0,
     [T0 - DAY * n for n in range(2, 7)], ("healthy", 0, None, None)),
    ("a new item now: healthy", HEALTHY, Judgement("ok", None), 1, DAILY, ("healthy", 0, None, None)),
    ("too few samples to be quiet",
     SourceHealth(state="healthy", last_new_item_at=T0 - 30 * DAY), Judgement("ok", None), 0,
     [T0 - 30 * DAY, T0 - 31 * DAY], ("healthy", 0, None, None)),
    ("never a new item: never quiet", SourceHealth(state="new"), Judgement("ok", None), 0, [],
     ("healthy", 0, None, None)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("current", "judgement", "items_new", "times", "expected"),
    [c[1:] for c in AFTER_CASES],
    ids=[c[0] for c in AFTER_CASES],
)
def test_after_run(
    current: SourceHealth,
    judgement: Judgement,
    items_new: int,
    times: list[datetime],
    expected: tuple[Any, ...] | None,
) -> None:
    verdict = health.after_run(
        current, judgement, when=T0, items_new=items_new, error="boom", new_item_times=times
    )
    if expected is None:
        assert verdict is None
        return
    assert verdict is not None
    assert (
        verdict.state,
        verdict.consecutive_failures,
        verdict.backoff_until,
        verdict.last_error_key,
    ) == expected
    if judgement.status == "ok":
        assert verdict.last_success_at == T0 and verdict.last_error is None
        assert verdict.last_new_item_at == (T0 if items_new else current.last_new_item_at)
    else:
        assert verdict.last_error == "boom" and verdict.last_success_at == current.last_success_at


def test_a_judgement_message_wins_over_the_report_error() -> None:
    judged = Judgement("failed", "parse.no_dates", "3 of 3 items have no date", True)
    verdict = health.after_run(HEALTHY, judged, when=T0, items_new=0, error="other")
    assert verdict is not None and verdict.last_error == "3 of 3 items have no date"


@pytest.mark.parametrize(
    ("failures", "delay"),
    [(-1, timedelta(0)), (0, timedelta(0)), (1, timedelta(minutes=30)), (2, timedelta(hours=1)),
     (5, timedelta(hours=8)), (6, timedelta(hours=16)), (7, timedelta(hours=24)), (16, timedelta(hours=24)),
     (17, timedelta(hours=24)), (1000, timedelta(hours=24))],
)  # fmt: skip
def test_backoff_is_doubling_and_capped(failures: int, delay: timedelta) -> None:
    assert health.backoff_delay(failures) == delay


@pytest.mark.parametrize(
    ("last_new", "times", "when", "quiet"),
    [
        (None, DAILY, T0, False),
        (T0 - 3 * DAY - timedelta(seconds=1), [T0 - DAY * n for n in range(3, 8)], T0, True),
        (T0 - 3 * DAY, [T0 - DAY * n for n in range(3, 8)], T0, False),  # exactly 3x: not yet
        # the usual gap is the median: one long pause does not make a daily source look weekly
        (T0 - 4 * DAY, [T0 - 4 * DAY, T0 - 5 * DAY, T0 - 6 * DAY, T0 - 20 * DAY], T0, True),
        # hourly sources: QUIET_MIN (1 day) is the floor
        (T0 - timedelta(hours=20), [T0 - timedelta(hours=20 + n) for n in range(5)], T0, False),
        (T0 - timedelta(hours=25), [T0 - timedelta(hours=25 + n) for n in range(5)], T0, True),
    ],
)
def test_is_quiet(last_new: datetime | None, times: list[datetime], when: datetime, quiet: bool) -> None:
    assert health.is_quiet(last_new, times, when) is quiet


# --- 4. quarantine ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hits", "expires", "kills", "after", "quarantined"),
    [
        (0, None, 1, 1, False),  # first strike
        (1, T0 + DAY, 1, 2, True),  # second strike within the week
        (1, T0, 1, 1, False),  # the first strike expired at this very moment
        (1, T0 - DAY, 1, 1, False),  # expired: the count starts afresh
        (0, None, 2, 2, True),  # two kills reported at once
        (5, T0 + DAY, 1, 6, True),
    ],
)
def test_strike(hits: int, expires: datetime | None, kills: int, after: int, quarantined: bool) -> None:
    new_hits, new_expiry = health.strike(hits, expires, T0, kills)
    assert new_hits == after and new_expiry == T0 + timedelta(days=health.QUARANTINE_DAYS)
    assert health.is_quarantined(new_hits) is quarantined


# --- imports ------------------------------------------------------------------------------------------


def test_health_imports_only_the_stdlib_and_crawler_types() -> None:
    path = Path(health.__file__)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    project = {m for m in imported if m and m.split(".")[0] in ("crawler", "scrapy", "sqlalchemy", "twisted")}
    assert project == {"crawler.types"}


@pytest.mark.parametrize(
    ("stats", "status", "key", "error"),
    [
        # every followed page failed: the run failed with their key, the items kept
        (
            {"ewsi/items/yielded": 18, "ewsi/page_errors/fetch.http_404": 18, "ewsi/items/new_unread": 18},
            "failed",
            "fetch.http_404",
            "18 of 18 followed pages failed, most with fetch.http_404 (their items kept without text)",
        ),
        # some failed, the rest gave text: ok, with a warning
        (
            {
                "ewsi/items/yielded": 20,
                "ewsi/extract/html": 17,
                "ewsi/page_errors/fetch.http_404": 2,
                "ewsi/page_errors/fetch.timeout": 1,
                "ewsi/items/new_unread": 3,
            },
            "ok",
            None,
            "warning: 3 of 20 followed pages failed, most with fetch.http_404"
            " (their items kept without text)",
        ),
        # API detail answers: one read, one gone, one empty: ok, with a warning
        (
            {
                "ewsi/items/yielded": 3,
                "ewsi/api/detail_text": 1,
                "ewsi/page_errors/fetch.http_404": 1,
                "ewsi/page_errors/parse.detail_empty": 1,
                "ewsi/items/new_unread": 2,
            },
            "ok",
            None,
            "warning: 2 of 3 followed pages failed, most with fetch.http_404 (their items kept without text)",
        ),
        # one or two new items whose pages failed: a warning, not a failing source
        (
            {"ewsi/items/yielded": 2, "ewsi/page_errors/fetch.http_404": 2, "ewsi/items/new_unread": 2},
            "ok",
            None,
            "warning: 2 of 2 followed pages failed, most with fetch.http_404 (their items kept without text)",
        ),
        # refused pages drop their items (counted as dropped): not a failure of pages kept
        (
            {
                "ewsi/items/yielded": 4,
                "ewsi/page_errors/fetch.blocked_address": 4,
                "ewsi/dropped/blocked_address": 4,
            },
            "ok",
            None,
            None,
        ),
        # no page failed: nothing to say
        ({"ewsi/items/yielded": 5, "ewsi/extract/html": 5}, "ok", None, None),
        # a source error comes first and keeps its own message
        (
            {
                "ewsi/items/yielded": 0,
                "ewsi/errors/fetch.dns": 1,
                "ewsi/page_errors/fetch.http_404": 1,
                "ewsi/error_messages": {"fetch.dns": "no such host"},
            },
            "failed",
            "fetch.dns",
            "no such host",
        ),
    ],
)
def test_failed_followed_pages_are_never_silent(stats, status, key, error):
    report = build_report("s", stats, datetime(2026, 1, 1, tzinfo=UTC), "finished")
    assert (report.status, report.error_key, report.error) == (status, key, error)
