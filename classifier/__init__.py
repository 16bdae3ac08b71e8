"""Relevance and theme classifier: pure functions, text in, `crawler.types.Classification` out.

`load_default()` builds the rule engine from config/themes.yaml and blends in the learned model
trained from editors' decisions (classifier.model, written by ``ewsi classify train``) when there is
one. Which model file, first match wins:

1. the `model_path` argument;
2. the setting ``EWSI_CLASSIFIER_MODEL`` (`load_default`'s `configured_model`): a path, or
   empty / ``none`` for the rules alone;
3. ``var/classifier-model.json`` under the current directory, if that file exists (where
   ``ewsi classify train`` writes by default, next to the default database var/ewsi.sqlite);
4. the model shipped with the package (`classifier.build.SHIPPED_MODEL_PATH`, trained on the
   labelled themes_train set; rebuilt by ``python -m classifier.build``), if present;
5. none: the rules alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from classifier.themes import DEFAULT_PATH
from crawler.errors import ThemesConfigError
from crawler.types import Classification

MODEL_ENV = "EWSI_CLASSIFIER_MODEL"
SHIPPED_MODEL_NAME = "model-themes-train.json.gz"
DEFAULT_MODEL_PATH = Path("var") / "classifier-model.json"
"""Default model file, relative to the current directory (like the default database)."""


class Classifier(Protocol):
    """What the pipeline calls: one item's title and text (either may be None) and ISO 639-1 language."""

    version: str

    def classify(
        self,
        title: str | None,
        text: str | None,
        language: str | None = None,
        content_type: str | None = None,
    ) -> Classification:
        """Relevance, the six theme scores (sorted), assigned themes, evidence and model version;
        `content_type` is one of crawler.types.CONTENT_TYPES or None."""
        ...


def default_model_path(configured: str | None = None) -> Path | None:
    """The model file `load_default` uses when given none (steps 2-5 of the module docstring).

    `configured`: the setting `MODEL_ENV` (None when unset; empty or ``none``: the rules alone)."""
    if configured is not None:
        return None if configured.strip().lower() in ("", "none") else Path(configured)
    if DEFAULT_MODEL_PATH.is_file():
        return DEFAULT_MODEL_PATH
    shipped = Path(__file__).resolve().parent / SHIPPED_MODEL_NAME
    return shipped if shipped.is_file() else None


def load_default(
    path: str | Path | None = None,
    model_path: str | Path | None = None,
    *,
    configured_model: str | None = None,
) -> Classifier:
    """The classifier for config/themes.yaml (or `path`), with the learned model when there is one.

    model_path: see the module docstring for the default. Raises ThemesConfigError (bad themes.yaml)
    or classifier.model.ModelFileError (model file named but missing, or not a model file).
    """
    from classifier.rules import RuleEngine
    from classifier.themes import load

    engine = RuleEngine(load(path if path is not None else DEFAULT_PATH))
    if model_path is None:
        model_path = default_model_path(configured_model)
    if model_path is None:
        return engine
    from classifier.model import CombinedClassifier, Model

    return CombinedClassifier(engine, Model.load(model_path))


__all__ = [
    "DEFAULT_MODEL_PATH",
    "MODEL_ENV",
    "Classifier",
    "ThemesConfigError",
    "default_model_path",
    "load_default",
]
