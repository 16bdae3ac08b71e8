"""Too little text (classifier.model `MIN_TEXT_WORDS`, `text_factor`): on an item of fewer words than
the shortest labelled item, the model's relevance weight is scaled by words / MIN_TEXT_WORDS and the
rules, which need a migrant cue and an integration-area cue, decide the rest; the evidence says so.
A page titled "Migrants" whose text is "Migrants." is no longer relevant; a short title or teaser
that names migrants and an integration area stays relevant.
"""

from __future__ import annotations

from typing import Any

import pytest

import classifier
from classifier.model import MIN_TEXT_WORDS, TOO_LITTLE_TEXT
from classifier.rules import tokenize


@pytest.fixture(scope="module")
def default() -> Any:
    return classifier.load_default()


SHORT = [
    ("en", "Migrants", "Migrants.", False),
    ("en", "Refugees", None, False),
    ("de", "Geflüchtete", "Integration.", True),
    ("fr", "Réfugiés", "Les réfugiés.", False),
    ("it", "Migranti", "Integrazione dei migranti.", True),
    (
        "de",
        "Sprachkurse für Geflüchtete: Leipzig eröffnet ein Integrationszentrum",
        "Geflüchtete lernen Deutsch.",
        True,
    ),
    (
        "en",
        "Language courses help refugees find jobs in Leeds",
        "The integration programme for refugees opens.",
        True,
    ),
    (
        "fr",
        "Cours de français pour les réfugiés à Lyon",
        "Un programme d'intégration pour les réfugiés et les demandeurs d'asile.",
        True,
    ),
]


@pytest.mark.parametrize("language, title, text, relevant", SHORT, ids=[r[1] for r in SHORT])
def test_too_little_text(default: Any, language: str, title: str, text: str | None, relevant: bool) -> None:
    words = len(tokenize(title)) + len(tokenize(text))
    result = default.classify(title, text, language, "news")
    assert result.relevant is relevant, (result.relevance, result.relevance_evidence)
    marks = [e.weight for e in result.relevance_evidence if e.term == TOO_LITTLE_TEXT]
    if words < MIN_TEXT_WORDS:
        assert marks == [round(words / MIN_TEXT_WORDS - 1, 3)]
    else:
        assert marks == []


def test_too_little_text_leaves_the_rules_to_decide(default: Any) -> None:
    # "Migrants." names no integration area: the rules give 0, and the model's share is 2/14 of its own
    result = default.classify("Migrants", "Migrants.", "en", "news")
    assert default.engine.analyse("Migrants", "Migrants.", "en").relevance == 0
    assert result.relevance < 0.15
    # a short title that states its subject keeps the rules' score
    title = "Integration courses for refugees"
    assert (
        default.classify(title, None, "en", "news").relevance
        >= default.engine.analyse(title, None, "en").relevance * 0.9
    )
