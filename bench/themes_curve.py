"""How theme micro-F1 grows with labelled data: a learning curve on the training part of themes_train.

Data: ../shared/data/themes_train.jsonl, split as ``ewsi classify eval --holdout`` splits it
(classifier.split: by source host); only the training part is used, the held-out part is never read.
Grouped 5-fold CV (StratifiedGroupKFold over the source hosts) with fold seeds 0, 1, 2: each fold's
training hosts are cut to a random share (seeded per seed and fold), the model is trained on what is
left and the whole fold is scored. Recipes: ``rules`` (the rule engine alone, nothing learned),
``shipped`` (rules + model as `ewsi classify eval` runs them, model share
classifier.model.THEME_MODEL_SHARE) and ``model-S`` (the same with the model's share of a theme score
set to S).

Measured (326 training items, about 261 per training fold at share 1; 3 seeds):

    share   items  rules  shipped  model-0.6
    0.25      65   0.728    0.751      0.751
    0.50     130   0.728    0.747      0.747
    0.75     196   0.728    0.755      0.755
    1.00     261   0.728    0.764      0.759

The rules carry the theme decision: four times the labelled items add 0.013 to the shipped blend, and
a heavier model share does no better at any size (per seed the two differ by up to 0.007 either
way). Labelled items move it slowly; editors' decisions (``ewsi classify train``) are where more
come from. About 4 minutes of CPU on one core.

Usage: .venv/bin/python bench/themes_curve.py [--data FILE] [--shares 0.25,0.5,0.75,1] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import classifier.model as model_module  # noqa: E402
from classifier import split  # noqa: E402
from classifier.evaluate import holdout, load_examples, metrics  # noqa: E402
from classifier.model import CombinedClassifier, LabelledExample, train  # noqa: E402
from classifier.rules import load_engine  # noqa: E402
from crawler.types import Classification  # noqa: E402

SHARED = ROOT.parent / "shared"
SEEDS = (0, 1, 2)
FOLDS = 5


def cv_micro(
    examples: Sequence[LabelledExample],
    share: float,
    seed: int,
    recipe: str,
) -> tuple[float, float, float]:
    """(theme micro-F1, relevance precision, relevance recall) of grouped `FOLDS`-fold CV with each
    fold's training hosts cut to `share` of them."""
    from sklearn.model_selection import StratifiedGroupKFold

    engine = load_engine(None)
    groups = split.groups([e.page for e in examples], [e.id for e in examples])
    y = [int(e.relevant) for e in examples]
    predictions: dict[int, Classification] = {}
    cv = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    for fold, (train_rows, test_rows) in enumerate(cv.split(examples, y, groups)):
        hosts = sorted({groups[i] for i in train_rows})
        random.Random(seed * 100 + fold).shuffle(hosts)
        keep = set(hosts[: max(1, round(len(hosts) * share))])
        subset = [examples[i] for i in train_rows if groups[i] in keep]
        classify: Callable[..., Classification]
        if recipe == "rules":
            classify = engine.classify
        else:
            classify = CombinedClassifier(engine, train(subset, engine, seed=seed)).classify
        for i in test_rows:
            e = examples[i]
            predictions[i] = classify(e.title, e.text, e.language, e.content_type)
    result = metrics([(examples[i], predictions[i]) for i in range(len(examples))])
    return (
        result["themes"]["micro_f1"],
        result["relevance"]["precision"],
        result["relevance"]["recall"],
    )


def curve(examples: Sequence[LabelledExample], shares: Sequence[float]) -> dict[str, Any]:
    """{recipe: {share: mean micro-F1 over `SEEDS`}} plus the training items per fold at each share."""
    recipes = ("rules", "shipped", "model-0.6")
    out: dict[str, Any] = {r: {} for r in recipes}
    shipped_share = model_module.THEME_MODEL_SHARE
    for recipe in recipes:
        model_module.THEME_MODEL_SHARE = 0.6 if recipe == "model-0.6" else shipped_share
        try:
            for share in shares:
                runs = [cv_micro(examples, share, seed, recipe) for seed in SEEDS]
                out[recipe][share] = round(sum(r[0] for r in runs) / len(runs), 3)
                if recipe == "rules":
                    break  # nothing learned: the same at every share
        finally:
            model_module.THEME_MODEL_SHARE = shipped_share
    out["items_per_fold"] = {s: round(len(examples) * (FOLDS - 1) / FOLDS * s) for s in shares}
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the learning curve (and its JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(SHARED / "data" / "themes_train.jsonl"))
    parser.add_argument("--shares", default="0.25,0.5,0.75,1")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    shares = [float(s) for s in args.shares.split(",")]
    train_part, _ = holdout(load_examples(args.data))
    started = time.process_time()
    result = curve(train_part, shares)
    result["cpu_s"] = round(time.process_time() - started, 1)
    print(f"grouped {FOLDS}-fold CV on the training part ({len(train_part)} items), seeds {SEEDS}")
    print(f"{'share':>6} {'items':>6} {'rules':>7} {'shipped':>8} {'model-0.6':>10}")
    rules_value = next(iter(result["rules"].values()))
    for s in shares:
        print(
            f"{s:6.2f} {result['items_per_fold'][s]:6d} {rules_value:7.3f}"
            f" {result['shipped'][s]:8.3f} {result['model-0.6'][s]:10.3f}"
        )
    print(f"cpu: {result['cpu_s']} s")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
