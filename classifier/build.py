"""Build the shipped model from labelled JSONL, and the page hold-out used to check it.

Rules:
- `classifier.evaluate.holdout(examples, fifth)` holds an example out when its source group
  (classifier.split: the host of its page, without ``www.``, once the examples come from
  `classifier.split.MIN_HOSTS` hosts or more, else the page URL, else the id) falls in fold `fifth` of
  `HOLDOUT_FOLDS` (sha256 of a fixed salt and the group): examples of one site never straddle the
  split, and the split does not depend on file order. The shipped model is trained on every
  example; the figures of ``--holdout`` come from a model trained without the held-out part.
- Training is deterministic (fixed folds and seed, liblinear, gzip without a timestamp): the same
  files give the same model version (`classifier.model.Model.version` ignores the creation time).
- `SHIPPED_MODEL_PATH` is the model `classifier.load_default` uses when no other file is named.

CLI: ``python -m classifier.build --data FILE.jsonl [--data ...] [--output PATH] [--holdout]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from classifier import SHIPPED_MODEL_NAME
from classifier.evaluate import evaluate, evaluate_holdout, format_report, holdout, load_examples
from classifier.model import CombinedClassifier, LabelledExample, Model, train
from classifier.rules import RuleEngine
from classifier.themes import load
from crawler.text import counted

SHIPPED_MODEL_PATH = Path(__file__).resolve().parent / SHIPPED_MODEL_NAME
"""The model trained on ../shared/data/themes_train.jsonl that ships with the package."""


def build(examples: Sequence[LabelledExample], engine: RuleEngine) -> Model:
    """The model trained on `examples` with the default constants (deterministic)."""
    model = train(examples, engine)
    model.created = ""
    return model


def movement(examples: Sequence[LabelledExample], engine: RuleEngine, before: Any) -> dict[str, Any]:
    """How the evaluation moves when the model is retrained on `examples`.

    Both sides are scored on the same held-out fifth (by source group, `holdout`): ``before`` is the
    classifier in use (anything with ``classify(title, text, language)``), ``after`` a model trained
    on the other four fifths. Returns {"held_out", "before", "after", "delta"}, each side with
    relevance precision, recall and F1 and theme micro-F1; delta = after - before. Empty sides when
    nothing is held out.
    """
    train_part, held = holdout(examples)

    def summary(result: dict[str, Any]) -> dict[str, float]:
        rel = result["relevance"]
        return {
            "relevance_precision": rel["precision"],
            "relevance_recall": rel["recall"],
            "relevance_f1": rel["f1"],
            "theme_micro_f1": result["themes"]["micro_f1"],
        }

    if not held or len({e.relevant for e in train_part}) < 2:
        return {"held_out": len(held), "before": {}, "after": {}, "delta": {}}
    old = summary(evaluate(held, lambda e: before.classify(e.title, e.text, e.language, e.content_type)))
    combined = CombinedClassifier(engine, build(train_part, engine))
    new = summary(evaluate(held, lambda e: combined.classify(e.title, e.text, e.language, e.content_type)))
    delta = {k: round(new[k] - old[k], 4) for k in new}
    return {"held_out": len(held), "before": old, "after": new, "delta": delta}


def main(argv: Sequence[str] | None = None) -> int:
    """Train and save the model (or, with --holdout, report the held-out figures). Exit 2 on bad input."""
    parser = argparse.ArgumentParser(prog="python -m classifier.build", description=__doc__.split("\n")[0])
    parser.add_argument("--data", action="append", required=True, help="labelled JSONL (repeatable)")
    parser.add_argument("--output", default=str(SHIPPED_MODEL_PATH), help="model file (default %(default)s)")
    parser.add_argument("--themes", help="themes.yaml (default config/themes.yaml)")
    parser.add_argument("--holdout", action="store_true", help="report the page hold-out, write nothing")
    parser.add_argument("--json", action="store_true", help="print JSON (with --holdout)")
    args = parser.parse_args(argv)
    try:
        engine = RuleEngine(load(args.themes))
        examples = [e for path in args.data for e in load_examples(path)]
        if args.holdout:
            result = evaluate_holdout(examples, engine)
            print(json.dumps(result, ensure_ascii=False) if args.json else format_report(result))
            return 0
        model = build(examples, engine)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    model.save(args.output)
    print(
        f"{model.version} written to {args.output} "
        f"({counted(len(examples), 'example')}, rules {model.rules_version})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
