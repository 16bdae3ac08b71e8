"""``ewsi crawl``'s summary table (crawler.commands.crawl `summary_table`): every row takes one line
at any console width from 70 columns up. The dropped column gives way first (cut with an ellipsis);
source ids and error keys too long for their column keep their start and their end around "…"
(crawler.shortids, as ``ewsi queue`` shows them), so ids that differ only at one end or in the
middle stay distinguishable; status and counts are never cut."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from rich.console import Console

from crawler.commands import crawl as crawl_command
from crawler.commands.crawl import summary_table
from crawler.types import CrawlReport

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

PAIRS = [
    ("bmi-de-news-2024", "bmi-de-news-2025"),
    ("ec-home-affairs-press-en", "ec-home-affairs-press-de"),
    ("de-bmi-integration-news", "at-bmi-integration-news"),
    ("migration-gov-pl-aktualnosci", "migration-gov-pl-komunikaty"),
    ("ministry-of-interior-cz-rss", "ministry-of-interior-sk-rss"),
    ("unhcr-europe-stories", "unhcr-europe-stories-fr"),
    ("ec-2024-home-affairs-press", "ec-2025-home-affairs-press"),
    ("src-a", "src-b"),
]
OUTCOMES = [
    # (status, error key, broken, dropped by reason, counts fetched/new/updated/unchanged)
    ("ok", None, False, {"duplicate_in_run": 12, "url_too_long": 3, "no_title": 1}, (1200, 140, 30, 1000)),
    ("failed", "fetch.blocked_by_site", False, {}, (1, 0, 0, 0)),
    ("failed", "parse.nav_links", True, {"no_link": 4}, (44, 4, 0, 0)),
    ("interrupted", "crawl.interrupted", False, {"invalid_url": 2}, (950, 12, 3, 900)),
    ("ok", None, False, {}, (3, 1, 0, 2)),
]
WIDTHS = [200, 120, 100, 80, 72, 70]


def _reports(pair: tuple[str, str], outcome: tuple) -> list[CrawlReport]:
    status, key, broken, dropped, (fetched, new, updated, unchanged) = outcome
    first = CrawlReport(
        pair[0], T0, status=status, error_key=key, error=key and f"{key}: see the log", broken=broken,
        fetched=fetched, items_new=new, items_updated=updated, items_unchanged=unchanged, dropped=dropped,
    )  # fmt: skip
    second = CrawlReport(pair[1], T0, status="ok", fetched=2, items_new=1, items_unchanged=1)
    return [first, second]


def _render(reports: list[CrawlReport], width: int) -> list[str]:
    """The table as `ewsi crawl` prints it on a console `width` columns wide (no notes)."""
    buffer = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crawl_command, "out", Console(file=buffer, width=width, color_system=None))
        crawl_command._print_summary(reports, notes=False)
    return buffer.getvalue().splitlines()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("outcome", OUTCOMES, ids=[f"{o[0]}-{o[1]}" for o in OUTCOMES])
@pytest.mark.parametrize("pair", PAIRS, ids=[a for a, _b in PAIRS])
def test_each_row_is_one_line_and_ids_stay_distinct(
    pair: tuple[str, str], outcome: tuple, width: int
) -> None:
    reports = _reports(pair, outcome)
    lines = _render(reports, width)
    assert all(len(line) <= width for line in lines)
    assert len(lines) == 8  # title, blank, header, rule, two rows, total, blank: nothing folded
    header = lines[2].split()
    assert header[:6] == ["source", "status", "fetched", "new", "updated", "unchanged"]
    assert header[6] in ("dropped", "drop…", "dropp…", "droppe…") and header[7] == "error"
    rows = [line.split() for line in lines[4:6]]
    cells = [row[0] for row in rows]
    assert cells[0] != cells[1]
    for cell, source in zip(cells, pair, strict=True):
        head, _, tail = cell.partition("…")
        assert source.startswith(head) and source.endswith(tail)
        assert cell == source or (head and tail)
    status, key, broken, _dropped, counts = outcome
    assert rows[0][1:6] == ["broken" if broken else status, *map(str, counts)]  # never cut
    assert rows[1][1:6] == ["ok", "2", "1", "0", "1"]
    error = rows[0][-1]
    head, _, tail = error.partition("…")
    assert (key or "-").startswith(head) and (key or "-").endswith(tail)
    assert lines[6].split()[:2] == ["total", f"{(status == 'ok') + 1}/2"]
    if width >= 200:  # room for every cell whole
        assert cells == list(pair) and error == (key or "-")


def test_a_wide_console_keeps_the_three_column_gaps() -> None:
    lines = _render(_reports(PAIRS[0], OUTCOMES[4]), 200)
    assert lines[2].startswith(" source             status   fetched   new   updated   unchanged   dropped")


def test_the_table_is_built_for_the_given_width() -> None:
    console = Console(file=io.StringIO(), width=70, color_system=None)
    console.print(summary_table(_reports(PAIRS[1], OUTCOMES[1]), 70))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert [line.split()[0] for line in lines[4:7]] == ["ec-h…s-en", "ec-h…s-de", "total"]


def test_print_summary_uses_the_console_width(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(crawl_command, "out", Console(file=buffer, width=70, color_system=None))
    crawl_command._print_summary(_reports(PAIRS[4], OUTCOMES[2]))
    lines = buffer.getvalue().splitlines()
    assert all(len(line) <= 70 for line in lines)
    assert [line.split()[0] for line in lines[4:7]] == ["min…z-rss", "min…k-rss", "total"]
    assert lines[-1].startswith("ministry-of-interior-cz-rss: ")  # the note keeps the id whole
