"""Social Cohesion needs a clear cue of its own (classifier.model THEME_RULE_CUE).

Rule: a theme is assigned only with a cue of its own (THEME_NEEDS_CUE); for Social Cohesion a rule
cue is a sum of at least THEME_RULE_CUE["Social Cohesion"] (2, "a clear cue" in config/themes.yaml)
in the title and lead, so one weak word for the people every integration story is about (children,
families, women, the community) or for a service met in any story (Beratung) is none. The model's
words and the similarity in meaning still cue the theme as before; other themes keep any term as a
cue.

Table: tests/data/themes_weak_cues.jsonl, made-up items (language, title, text) with Social
Cohesion's rule sum on the title and lead, whether it is a rule cue, and whether the shipped
classifier assigns Social Cohesion with the rule and without it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import classifier.model as cm
from classifier import load_default
from classifier.rules import RuleEngine
from classifier.themes import load

TABLE = Path(__file__).parent / "data" / "themes_weak_cues.jsonl"
ROWS = [json.loads(line) for line in TABLE.read_text(encoding="utf-8").splitlines() if line.strip()]
SOCIAL_COHESION = "Social Cohesion"


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine(load())


@pytest.fixture(scope="module")
def shipped() -> cm.CombinedClassifier:
    clf = load_default()
    assert isinstance(clf, cm.CombinedClassifier), "the shipped model is in use"
    return clf


def test_only_social_cohesion_needs_a_clear_cue() -> None:
    assert cm.THEME_RULE_CUE == {SOCIAL_COHESION: 2.0}


@pytest.mark.parametrize("row", ROWS, ids=[r["title"][:40] for r in ROWS])
def test_a_weak_social_cohesion_word_alone_is_no_rule_cue(engine: RuleEngine, row: dict[str, Any]) -> None:
    analysis = cm.analyse(engine, row["title"], row["text"], row["language"])
    assert analysis.sums.get("theme:social_cohesion", 0.0) == pytest.approx(row["social_cohesion_sum"])
    assert analysis.theme_scores[SOCIAL_COHESION] > 0
    assert (SOCIAL_COHESION in cm.rule_cued(engine, analysis)) is row["rule_cue"], row["why"]


def test_a_weak_word_still_cues_another_theme(engine: RuleEngine) -> None:
    """Active Citizenship keeps any term as a cue: "local elections" (1.5) once in the text."""
    analysis = cm.analyse(
        engine,
        "Newcomers meet the mayor",
        "The town hall invites refugees and other newcomers to an evening on how local elections work.",
        "en",
    )
    assert analysis.sums.get("theme:active_citizenship", 0.0) == pytest.approx(1.5)
    assert "Active Citizenship" in cm.rule_cued(engine, analysis)


@pytest.mark.parametrize("row", ROWS, ids=[r["title"][:40] for r in ROWS])
def test_social_cohesion_is_assigned_on_a_clear_cue(
    shipped: cm.CombinedClassifier, row: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule removes Social Cohesion where a weak word was its only cue, and nowhere else."""
    result = shipped.classify(row["title"], row["text"], row["language"], "news")
    assert result.relevant, (result.relevance, result.relevance_evidence)
    assert (SOCIAL_COHESION in result.assigned) is row["assigned"], (row["why"], result.assigned)
    assert result.assigned, "a relevant item keeps a theme"
    monkeypatch.setattr(cm, "THEME_RULE_CUE", {})
    without = shipped.classify(row["title"], row["text"], row["language"], "news")
    expected = row["assigned_without_rule"]
    assert (SOCIAL_COHESION in without.assigned) is expected, (row["why"], without.assigned)
