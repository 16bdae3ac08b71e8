"""Relevance and theme classifier: pure functions, text in, `crawler.types.Classification` out.

`load_default()` builds the rule engine from config/themes.yaml and, when a model file is given (or
named by the environment variable ``EWSI_CLASSIFIER_MODEL``), blends in the learned model trained
from editors' decisions (classifier.model).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from classifier.themes import DEFAULT_PATH, ThemesConfigError
from crawler.types import Classification

MODEL_ENV = "EWSI_CLASSIFIER_MODEL"


class Classifier(Protocol):
    """What the pipeline calls: one item's title and text (either may be None) and ISO 639-1 language."""

    version: str

    def classify(self, title: str | None, text: str | None, language: str | None = None) -> Classification:
        """Relevance, the six theme scores (sorted), assigned themes, evidence and model version."""
        ...


def load_default(path: str | Path | None = None, model_path: str | Path | None = None) -> Classifier:
    """The classifier for config/themes.yaml (or `path`), with the learned model when one is given.

    model_path defaults to $EWSI_CLASSIFIER_MODEL; without either, the rules alone classify.
    Raises ThemesConfigError (bad themes.yaml) or classifier.model.ModelFileError (bad model file).
    """
    from classifier.rules import RuleEngine
    from classifier.themes import load

    engine = RuleEngine(load(path if path is not None else DEFAULT_PATH))
    model_path = model_path or os.environ.get(MODEL_ENV) or None
    if model_path is None:
        return engine
    from classifier.model import CombinedClassifier, Model

    return CombinedClassifier(engine, Model.load(model_path))


__all__ = ["Classifier", "ThemesConfigError", "load_default"]
