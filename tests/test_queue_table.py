"""``ewsi queue``'s table (crawler.commands.queue `queue_table`, crawler.shortids): a source id too
long for its column keeps its start and its end, so ids that differ only at one end stay
distinguishable; every row takes one line at any console width from 70 columns up (60 without the
status column); ``--json`` keeps the ids whole."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from rich.console import Console

from crawler.commands.queue import queue_table
from crawler.shortids import shorten_ids

PAIRS = [
    ("bmi-de-news-2024", "bmi-de-news-2025"),
    ("ec-home-affairs-press-en", "ec-home-affairs-press-de"),
    ("de-bmi-integration-news", "at-bmi-integration-news"),
    ("migration-gov-pl-aktualnosci", "migration-gov-pl-komunikaty"),
    ("frontex-news-releases-1", "frontex-news-releases-2"),
    ("ministry-of-interior-cz-rss", "ministry-of-interior-sk-rss"),
    ("unhcr-europe-stories", "unhcr-europe-stories-fr"),
    ("ec-2024-home-affairs-press", "ec-2025-home-affairs-press"),
]
WIDTHS = [200, 120, 100, 80, 70, 60]
"""Console widths; 60 columns hold every column but the title only without the status column."""


def _rows(pair: tuple[str, str]) -> list[dict[str, Any]]:
    title = "Integration courses are extended to every region and funded for three more years"
    return [
        {
            "id": 1000 + n,
            "relevance": 0.81,
            "language": "en",
            "source_id": source,
            "published_at": "2026-11-30T08:00:00",
            "themes": [{"name": "Social Cohesion"}, {"name": "Education and Training"}],
            "title": title if n == 0 else "Short",
        }
        for n, source in enumerate(pair)
    ]


def _render(rows: list[dict[str, Any]], width: int, with_status: bool = False) -> list[str]:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(queue_table(rows, "Review queue", with_status=with_status, width=width))
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def _source_cell(line: str) -> str:
    return line.split()[3]


LAYOUTS = [(width, False) for width in WIDTHS] + [(width, True) for width in WIDTHS if width >= 70]
"""(console width, with the status column)."""


@pytest.mark.parametrize(
    ("width", "with_status"), LAYOUTS, ids=[f"{w}-{'any' if a else 'pending'}" for w, a in LAYOUTS]
)
@pytest.mark.parametrize("pair", PAIRS, ids=[a for a, _b in PAIRS])
def test_source_ids_stay_distinct_and_rows_take_one_line(
    pair: tuple[str, str], width: int, with_status: bool
) -> None:
    rows = _rows(pair)
    if with_status:
        for row in rows:
            row["status"] = "pending"
    lines = _render(rows, width, with_status)
    assert all(len(line) <= width for line in lines)
    row_lines = [line for line in lines if line.split()[:1] in (["1000"], ["1001"])]
    assert len(row_lines) == 2  # one line each: nothing folded onto a second line
    assert len(lines) == 7  # title, blank, header, rule, two rows, blank
    cells = [_source_cell(line) for line in row_lines]
    assert cells[0] != cells[1]
    for cell, source in zip(cells, pair, strict=True):
        head, _, tail = cell.partition("…")
        assert source.startswith(head) and source.endswith(tail)
        assert cell == source or (head and tail)


@pytest.mark.parametrize(
    ("ids", "width", "shown"),
    [
        (["bmi-de-news-2024", "bmi-de-news-2025"], 14, ["bmi-de…ws-2024", "bmi-de…ws-2025"]),
        (["bmi-de-news-2024", "bmi-de-news-2025"], 9, ["bmi-…2024", "bmi-…2025"]),
        (["ec-home-affairs-press-en", "ec-home-affairs-press-de"], 9, ["ec-h…s-en", "ec-h…s-de"]),
        (["de-bmi-news-federal", "at-bmi-news-federal"], 10, ["de-b…deral", "at-b…deral"]),
        # the ids differ in the middle only: the cut moves until they part
        (["ec-2024-home-affairs-press", "ec-2025-home-affairs-press"], 9, ["ec-2024…s", "ec-2025…s"]),
        # no cut of 9 characters tells them apart: the column grows
        (["abcdefghij-1-klmnopq", "abcdefghij-2-klmnopq"], 9, ["…1-klmnopq", "…2-klmnopq"]),
        (["short", "bmi-de-news-2025"], 9, ["short", "bmi-…2025"]),
        (["same-id", "same-id"], 3, ["s…d"]),
    ],
)
def test_shortened_ids_keep_start_and_end(ids: list[str], width: int, shown: list[str]) -> None:
    assert list(shorten_ids(ids, width).values()) == shown


def test_a_column_under_three_characters_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        shorten_ids(["bmi-de-news-2024"], 2)


def test_json_keeps_the_ids_whole_and_the_pipe_table_shows_them(
    db_url, db_session, monkeypatch, capsys
) -> None:
    from desklab import add_item, add_source

    from crawler.cli import main as ewsi

    for n, source in enumerate(PAIRS[1]):
        add_source(db_session, source)
        add_item(db_session, n, source_id=source)
    db_session.commit()
    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    assert ewsi(["queue", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(row["source_id"] for row in rows) == sorted(PAIRS[1])
    assert ewsi(["queue"]) == 0
    text = capsys.readouterr().out
    assert all(source in text for source in PAIRS[1])  # a pipe is wide: the ids fit whole
