"""Second senses of migrant words, on items written to attack the rules (tests/data/relevance_senses.jsonl:
an Italian nursery, a Romanian old people's home, a Greek tax appeal, a Czech escaped prisoner, migratory
birds in seven languages, IT migrations, football newcomers ...; and on-topic items that carry one of
those phrases or a rare inflection). Rule: the default classifier (rules + shipped model) finds every
off-topic item of the file not relevant and every on-topic one relevant. Items it still gets wrong are
kept out of the file (single-word senses: Italian "asilo" for a
kindergarten, "fled" verbs of de/nl/hu/lv/lt, nationality words without a migrant word)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import classifier

ROWS = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "relevance_senses.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]


@pytest.fixture(scope="module")
def default() -> Any:
    return classifier.load_default()


def test_the_file_holds_both_kinds_in_many_languages() -> None:
    assert sum(r["relevant"] for r in ROWS) >= 4 and sum(not r["relevant"] for r in ROWS) >= 50
    assert len({r["language"] for r in ROWS if not r["relevant"]}) >= 18


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_second_senses(default: Any, row: dict[str, Any]) -> None:
    result = default.classify(row["title"], row["text"], row["language"], "news")
    assert result.relevant == row["relevant"], (result.relevance, result.relevance_evidence)
