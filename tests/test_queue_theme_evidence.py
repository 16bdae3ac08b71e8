"""``ewsi queue --json``: each theme's reasons (crawler.commands.queue `json_row`).

Rule: a ``--json`` row has ``theme_evidence``, theme name -> the reasons the item page lists under
"Theme evidence" for that theme: the stored evidence entries ({term, weight, language, count}, read
by crawler.store.themes `scores_of`, the item page's own reader) without a mapping whose weight
rounds to 0.00 or is missing or no number, and without a learned model's word (``model:...``) that
moves its log-odds by less than crawler.web.rows.MODEL_REASON_MIN (crawler.web.rows `weighing`), in
stored order, negative weights kept; [] when none is left or the row keeps no list. Every theme row
of the item has a key, assigned or not, whatever the editor's themes; the other keys of the row keep
their values (``theme_scores`` stays {name, score, assigned}).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from desklab import add_item, add_source

from crawler.cli import main as ewsi
from crawler.store import decisions
from crawler.store.schema import ItemTheme
from crawler.web.rows import weighing

SC, EP, ED = "Social Cohesion", "Economic Participation", "Education and Culture"


def _e(term: Any, weight: Any, language: str | None = "en", count: int | None = 1) -> dict[str, Any]:
    return {"term": term, "weight": weight, "language": language, "count": count}


# (case, {theme: (score, stored evidence)}, editor_themes, expected theme_evidence)
CASES: list[tuple[str, dict[str, tuple[float, Any]], Any, dict[str, Any]]] = [
    (
        "one-term",
        {SC: (0.8, [_e("integration", 1.2, count=2)])},
        None,
        {SC: [_e("integration", 1.2, count=2)]},
    ),
    (
        "negative-kept",
        {SC: (0.6, [_e("neue chefin", -0.8, "de"), _e("Integrationskurs", 0.9, "de")])},
        None,
        {SC: [_e("neue chefin", -0.8, "de"), _e("Integrationskurs", 0.9, "de")]},
    ),
    ("zero-dropped", {SC: (0.7, [_e("noise", 0.0), _e("asylum", 0.5)])}, None, {SC: [_e("asylum", 0.5)]}),
    (
        "rounds-to-zero-dropped",
        {EP: (0.7, [_e("tiny", 0.004), _e("tiny-down", -0.004), _e("jobs", 0.31)])},
        None,
        {EP: [_e("jobs", 0.31)]},
    ),
    (
        "no-number-dropped",
        {SC: (0.7, [_e("missing", None), _e("text", "n/a"), {"term": "bare"}, _e("kept", 0.2)])},
        None,
        {SC: [_e("kept", 0.2)]},
    ),
    (
        "small-model-words-dropped",
        {
            SC: (
                0.7,
                [
                    _e("housing", 0.9),
                    _e("model:uden", 0.02, None),
                    _e("model:wohnung", 0.05, None),
                    _e("model:krieg", -0.03, None),
                    _e("model:grenze", -0.04, None),
                    _e("model", 0.01),
                ],
            )
        },
        None,
        {
            SC: [
                _e("housing", 0.9),
                _e("model:wohnung", 0.05, None),
                _e("model:grenze", -0.04, None),
                _e("model", 0.01),
            ]
        },
    ),
    ("stored-null", {SC: (0.8, None)}, None, {SC: []}),
    ("stored-mapping", {SC: (0.8, {"term": "integration", "weight": 1.0})}, None, {SC: []}),
    ("older-plain-terms", {SC: (0.8, ["integration", "refugee"])}, None, {SC: ["integration", "refugee"]}),
    (
        "unassigned-theme-too",
        {SC: (0.8, [_e("cohesion", 0.7)]), ED: (0.2, [_e("school", 0.15)])},
        None,
        {SC: [_e("cohesion", 0.7)], ED: [_e("school", 0.15)]},
    ),
    (
        "editor-themes-differ",
        {SC: (0.8, [_e("cohesion", 0.7)])},
        [EP],
        {SC: [_e("cohesion", 0.7)]},
    ),
    (
        "other-alphabets",
        {SC: (0.9, [_e("интеграция", 0.6, "bg"), _e("ένταξη", 0.4, "el", 3)])},
        None,
        {SC: [_e("интеграция", 0.6, "bg"), _e("ένταξη", 0.4, "el", 3)]},
    ),
    (
        "stored-order-kept",
        {SC: (0.8, [_e("light", 0.1), _e("heavy", 0.9, count=4)])},
        None,
        {SC: [_e("light", 0.1), _e("heavy", 0.9, count=4)]},
    ),
    ("no-theme-rows", {}, None, {}),
]


@pytest.mark.parametrize(
    ("themes", "editor_themes", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_json_rows_carry_the_reasons_the_item_page_lists(
    db_url, db_session, monkeypatch, capsys, themes, editor_themes, expected
) -> None:
    add_source(db_session, "src-a")
    item = add_item(db_session, 1, themes={}, editor_themes=editor_themes)
    for name, (score, evidence) in themes.items():
        db_session.add(
            ItemTheme(item_id=item.id, theme=name, score=score, assigned=score >= 0.5, evidence=evidence)
        )
    db_session.commit()
    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    assert ewsi(["queue", "--json"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["theme_evidence"] == expected
    assert list(row["theme_evidence"]) == [s["name"] for s in row["theme_scores"]]
    assert all(set(s) == {"name", "score", "assigned"} for s in row["theme_scores"])
    page = decisions.item_detail(db_session, item.id)["theme_scores"]
    assert {s["name"]: weighing(s["evidence"]) for s in page} == expected  # what the page lists
