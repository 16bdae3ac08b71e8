"""Theme similarity in meaning (classifier.semantic) and the runner-up rule, measured by grouped CV.

Data: the training part of ../shared/data/themes_train.jsonl (classifier.evaluate.holdout), scored by
grouped 5-fold CV (bench/themes_ceiling.scored: StratifiedGroupKFold over source hosts, fold seeds
0 / 1 / 2). Variants set classifier.model.SEMANTIC_SHARE (S) and SECOND_THEME_RATIO (R); each row gives
theme micro-F1 per seed, the themes assigned per relevant item, recall per theme, the top-gold-k
ranking ceiling (bench/themes_ceiling.py) and the 95% host-bootstrap interval of the micro-F1
difference with ``before`` (S 0, no runner-up rule), seeds pooled. The held-out part is not read.

Measured (326 training items; seeds 0 / 1 / 2; interval against before), first with the runner-up
assigned cue or not (the stop before):
- before (S 0, R none): 0.773 / 0.765 / 0.762, 1.93 themes per relevant item, top-gold-k 0.788;
- S 0.055 only: 0.771 / 0.771 / 0.771, top-gold-k 0.807 (-0.005 to +0.013);
- R 0.4 only: 0.781 / 0.772 / 0.772 (-0.000 to +0.019);
- S 0.055, R 0.4: 0.782 / 0.780 / 0.780, 1.99 themes per item (+0.001 to +0.025);
- S 0.04 / 0.07 / 0.1 with R 0.4, and S 0.07 with R 0.3 / 0.5: 0.776-0.783 on average.
Then with the runner-up needing a cue of its own (classifier.model.THEME_NEEDS_CUE), S 0.055, R 0.4:
- cue-none (rule terms and model words only): 0.778 / 0.777 / 0.775 (-0.002 to +0.021);
- cue-sem-1 (shipped: a similarity one standard deviation over the mean is a cue, SEMANTIC_CUE):
  0.785 / 0.784 / 0.780, 1.97 themes per item (+0.003 to +0.030); cue-sem-0.5 0.784 / 0.784 / 0.780.
The similarity lifts the ranking (top-gold-k) more than the per-theme thresholds can use; the
runner-up rule spends it on the second theme most items carry (1.7 gold themes per item).
About 30 s of CPU per variant and seed (the e5 embeddings are computed once per process).

Usage: .venv/bin/python bench/themes_semantic.py [--data FILE] [--seeds 0,1,2] [--variants NAME,...]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import themes_ceiling  # noqa: E402
from themes import paired_interval  # noqa: E402

from classifier import model  # noqa: E402
from classifier.evaluate import holdout, load_examples  # noqa: E402
from classifier.rules import RuleEngine  # noqa: E402
from classifier.themes import load  # noqa: E402
from crawler.types import THEMES  # noqa: E402

SHARED = Path(os.environ.get("EWSI_SHARED") or ROOT / ".." / "shared")
CUES: dict[str, float | None] = {"cue-none": None, "cue-sem-1": 1.0, "cue-sem-0.5": 0.5}
"""Variants of classifier.model.SEMANTIC_CUE (with S 0.055, R 0.4)."""
VARIANTS: dict[str, tuple[float, float | None]] = {
    "before": (0.0, None),
    "semantic-0.055": (0.055, None),
    "ratio-0.4": (0.0, 0.4),
    "shipped": (0.055, 0.4),  # with SEMANTIC_CUE as shipped
    "semantic-0.04+ratio-0.4": (0.04, 0.4),
    "semantic-0.1+ratio-0.4": (0.1, 0.4),
    "semantic-0.07+ratio-0.3": (0.07, 0.3),
    "semantic-0.07+ratio-0.5": (0.07, 0.5),
    **dict.fromkeys(CUES, (0.055, 0.4)),
}


def counts(rows: list[dict[str, Any]]) -> np.ndarray:
    """Per row: (true, false, missed) assigned themes; a row predicted not relevant assigns none."""
    out = []
    for r in rows:
        got = set(r["assigned"]) if r["relevant"] else set()
        out.append((len(r["gold"] & got), len(got - r["gold"]), len(r["gold"] - got)))
    return np.array(out)


def micro(c: np.ndarray) -> float:
    tp, fp, fn = c.sum(axis=0)
    return float(2 * tp / (2 * tp + fp + fn)) if tp else 0.0


def run(
    examples: list[Any],
    engine: RuleEngine,
    share: float,
    ratio: float | None,
    seeds: list[int],
    cue: float | None = None,
) -> dict[str, Any]:
    saved = model.SEMANTIC_SHARE, model.SECOND_THEME_RATIO, model.SEMANTIC_CUE
    model.SEMANTIC_SHARE, model.SECOND_THEME_RATIO, model.SEMANTIC_CUE = share, ratio, cue
    try:
        per_seed = [themes_ceiling.scored(examples, engine, s) for s in seeds]
    finally:
        model.SEMANTIC_SHARE, model.SECOND_THEME_RATIO, model.SEMANTIC_CUE = saved
    rows = [r for seed_rows in per_seed for r in seed_rows]
    relevant = [r for r in rows if r["relevant"]]
    recall = {}
    for t in THEMES:
        gold = [r for r in rows if t in r["gold"]]
        recall[t] = sum(r["relevant"] and t in r["assigned"] for r in gold) / max(1, len(gold))
    return {
        "seeds": [micro(counts(rs)) for rs in per_seed],
        "counts": counts(rows),
        "groups": [r["group"] for rs in per_seed for r in rs],
        "per_item": sum(len(r["assigned"]) for r in relevant) / max(1, len(relevant)),
        "recall": recall,
        "ceiling": float(np.mean([themes_ceiling.ceilings(rs)["top-gold-k"] for rs in per_seed])),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(SHARED / "data" / "themes_train.jsonl"))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args(argv)
    engine = RuleEngine(load())
    train_part, _ = holdout(load_examples(args.data))
    seeds = [int(s) for s in args.seeds.split(",")]
    names = ["before", *[n for n in args.variants.split(",") if n != "before"]]
    base: dict[str, Any] | None = None
    print(f"theme micro-F1, grouped 5-fold CV on the training part ({len(train_part)} items), seeds {seeds}")
    for name in names:
        share, ratio = VARIANTS[name]
        result = run(train_part, engine, share, ratio, seeds, CUES.get(name, model.SEMANTIC_CUE))
        base = base or result
        lo, hi = paired_interval(base["counts"], result["counts"], base["groups"])
        recall = " ".join(f"{t.split()[0][:4]} {v:.2f}" for t, v in result["recall"].items())
        print(
            f"{name:26} " + " ".join(f"{v:.3f}" for v in result["seeds"]),
            f"| {result['per_item']:.2f}/item | top-gold-k {result['ceiling']:.3f}",
            f"| vs before {lo:+.3f} to {hi:+.3f} | recall {recall}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
