"""Evaluate the classifier on labelled JSONL (the format of ../shared/data/themes_dev.jsonl).

Metrics: relevance precision/recall/F1 (positive class = relevant); per-theme precision/recall/F1
where an item's gold themes are empty when it is not relevant and its predicted themes are empty
when it is predicted not relevant; theme micro-F1 (pooled counts) and macro-F1 (mean over themes
with gold or predicted items); the same per language; and the confusion cases.

`cross_validate` scores the learned model honestly: each fold is classified by a model trained on
the other folds only.

CLI: ``ewsi classify eval --data FILE.jsonl [--json] [--themes PATH] [--model FILE|none]
[--cv K | --holdout]``
Without ``--model`` it scores exactly the classifier the harvest uses: the model file chosen by
`classifier.default_model_path` (a trained var/classifier-model.json if present, else the shipped
model; ``EWSI_CLASSIFIER_MODEL`` overrides both), blended with the rules; ``--model none`` scores the
rules alone. The report names the model file (``model_file`` in --json; null for the rules alone).
(``--holdout``: train on four fifths of --data split by source host (classifier.split), score the fifth
held out;
classifier.build).
(`main(argv)` receives the arguments after ``eval``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from classifier import split
from classifier.model import CombinedClassifier, LabelledExample, Model, train
from classifier.rules import RuleEngine
from classifier.themes import load
from crawler.argtypes import Parser, int_at_least
from crawler.errors import UsageError, unreadable
from crawler.text import counted
from crawler.types import THEMES, Classification

ClassifyFn = Callable[[LabelledExample], Classification]


def label_problem(record: dict[str, Any]) -> str | None:
    """What makes a labelled record unusable, or None. A label that is silently read otherwise would
    change the figures: ``relevant`` must be true or false (not "yes"), ``themes`` a list of the six
    portal theme names (a misspelt one is not dropped), empty unless relevant, and the item needs a
    title or a text."""
    relevant = record.get("relevant")
    if not isinstance(relevant, bool):
        return f"`relevant` must be true or false, got {relevant!r}"
    themes = record.get("themes", [])
    if themes is None:
        themes = []
    if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
        return f"`themes` must be a list of theme names, got {themes!r}"
    unknown = [t for t in themes if t not in THEMES]
    if unknown:
        return f"unknown theme(s) {', '.join(map(repr, unknown))}; themes are: {', '.join(THEMES)}"
    if themes and not relevant:
        return "`themes` given for an item that is not relevant"
    if not any(isinstance(record.get(k), str) and record[k].strip() for k in ("title", "text", "summary")):
        return "no `title`, `text` or `summary`"
    return None


def load_examples(path: str | Path) -> list[LabelledExample]:
    """Read labelled JSONL (UTF-8, a byte order mark allowed); raises ValueError naming the line for a
    line that is not UTF-8, not a JSON object or whose labels are unusable (`label_problem`), and
    ValueError ``no labelled items in FILE`` for a file without any (`ewsi classify eval`, `ewsi
    classify train --data`: exit 2). Titles and texts get the stored text's hygiene
    (crawler.text.clean_text: no control characters, lone surrogates replaced)."""
    out: list[LabelledExample] = []
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            try:
                # a UTF-8 byte order mark (files saved on Windows) opens the first line
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise ValueError(f"{path}:{n}: not UTF-8 (byte {exc.start + 1} of the line)") from exc
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON: {exc}") from exc
            if not isinstance(record, dict):
                raise ValueError(f"{path}:{n}: expected a JSON object")
            problem = label_problem(record)
            if problem:
                raise ValueError(f"{path}:{n}: {problem}")
            out.append(LabelledExample.from_dict(record))
    if not out:
        # a file without a labelled item is a mistake (wrong file, empty export), never an empty score
        raise ValueError(f"no labelled items in {path}")
    return out


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def metrics(pairs: Sequence[tuple[LabelledExample, Classification]]) -> dict[str, Any]:
    """Relevance and theme metrics for (gold, prediction) pairs (no per-language split)."""
    tp = sum(1 for g, p in pairs if g.relevant and p.relevant)
    fp = sum(1 for g, p in pairs if not g.relevant and p.relevant)
    fn = sum(1 for g, p in pairs if g.relevant and not p.relevant)
    tn = len(pairs) - tp - fp - fn
    relevance = {**_prf(tp, fp, fn), "tp": tp, "fp": fp, "fn": fn, "tn": tn}
    per_theme: dict[str, dict[str, float]] = {}
    pooled = [0, 0, 0]
    f1s: list[float] = []
    for theme in THEMES:
        counts = [0, 0, 0]
        for g, p in pairs:
            gold = g.relevant and theme in g.themes
            pred = p.relevant and theme in p.assigned
            counts[0] += gold and pred
            counts[1] += pred and not gold
            counts[2] += gold and not pred
        pooled = [a + b for a, b in zip(pooled, counts, strict=True)]
        per_theme[theme] = {**_prf(*counts), "support": counts[0] + counts[2]}
        if sum(counts):
            f1s.append(per_theme[theme]["f1"])
    micro = _prf(*pooled)
    return {
        "n": len(pairs),
        "relevance": relevance,
        "themes": {
            "micro_f1": micro["f1"],
            "micro_precision": micro["precision"],
            "micro_recall": micro["recall"],
            "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
            "per_theme": per_theme,
        },
    }


def _confusions(pairs: Sequence[tuple[LabelledExample, Classification]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for g, p in pairs:
        gold = set(g.themes) if g.relevant else set()
        pred = set(p.assigned) if p.relevant else set()
        if g.relevant == p.relevant and gold == pred:
            continue
        kind = (
            ("false_positive" if p.relevant else "false_negative") if g.relevant != p.relevant else "themes"
        )
        out.append(
            {
                "id": g.id,
                "language": g.language,
                "kind": kind,
                "title": g.title[:120],
                "relevance": p.relevance,
                "gold_themes": sorted(gold),
                "predicted_themes": sorted(pred),
                "evidence": [f"{e.written or e.term} ({e.weight:+g})" for e in p.relevance_evidence[:5]],
            }
        )
    return out


def evaluate(examples: Sequence[LabelledExample], classify: ClassifyFn) -> dict[str, Any]:
    """Classify every example and return the metrics dict (overall, ``per_language``, ``confusions``)."""
    pairs = [(e, classify(e)) for e in examples]
    result = metrics(pairs)
    languages = sorted({e.language or "und" for e in examples})
    result["per_language"] = {
        lang: metrics([(g, p) for g, p in pairs if (g.language or "und") == lang]) for lang in languages
    }
    result["confusions"] = _confusions(pairs)
    result["model_version"] = pairs[0][1].model_version if pairs else ""
    return result


def evaluate_file(path: str | Path, classifier: Any) -> dict[str, Any]:
    """Evaluate `classifier` (anything with ``classify(title, text, language)``) on a labelled JSONL file."""
    return evaluate(
        load_examples(path), lambda e: classifier.classify(e.title, e.text, e.language, e.content_type)
    )


def cross_validate(
    examples: Sequence[LabelledExample], engine: RuleEngine, k: int = 5, seed: int = 0, **combine: Any
) -> dict[str, Any]:
    """K-fold estimate of rules + learned model: each fold is scored by a model trained on the others.

    Folds are grouped by source (classifier.split: host, else page) and stratified by relevance
    (StratifiedGroupKFold shuffled with `seed`), so no fold is scored by a model that saw its source.
    `combine` goes to CombinedClassifier (min_labels, min_language). ``model_version`` reads ``cv<k>:...``.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    groups = split.groups([e.page for e in examples], [e.id or str(i) for i, e in enumerate(examples)])
    y = [int(e.relevant) for e in examples]
    cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    fold_of = {int(i): fold for fold, (_, test) in enumerate(cv.split(examples, y, groups)) for i in test}
    predictions: dict[int, Classification] = {}
    for fold in range(k):
        train_set = [e for i, e in enumerate(examples) if fold_of[i] != fold]
        combined = CombinedClassifier(engine, train(train_set, engine, seed=seed), **combine)
        for i, e in enumerate(examples):
            if fold_of[i] == fold:
                predictions[i] = combined.classify(e.title, e.text, e.language, e.content_type)
    by_identity = {id(e): predictions[i] for i, e in enumerate(examples)}
    result = evaluate(examples, lambda e: by_identity[id(e)])
    result["model_version"] = f"cv{k}:{combined.version.split('+', 1)[1]}"
    return result


HOLDOUT_FOLDS = 5
HOLDOUT_FIFTH = 0


def holdout_folds(examples: Sequence[LabelledExample]) -> list[int]:
    """The fold (0 .. HOLDOUT_FOLDS-1) of every example, from its source group (classifier.split:
    its host when the examples come from enough hosts, else its page, else its id)."""
    keys = split.groups([e.page for e in examples], [e.id for e in examples])
    return [split.fold(key, HOLDOUT_FOLDS) for key in keys]


def holdout_fold(example: LabelledExample) -> int:
    """The fold of one example taken alone (grouped by its page, else its id)."""
    return holdout_folds([example])[0]


def holdout(
    examples: Sequence[LabelledExample], fifth: int = HOLDOUT_FIFTH
) -> tuple[list[LabelledExample], list[LabelledExample]]:
    """(training part, held-out part) of `examples`, split by source group (`holdout_folds`)."""
    folds = holdout_folds(examples)
    train_part = [e for e, f in zip(examples, folds, strict=True) if f != fifth]
    held = [e for e, f in zip(examples, folds, strict=True) if f == fifth]
    return train_part, held


def evaluate_holdout(examples: Sequence[LabelledExample], engine: RuleEngine) -> dict[str, Any]:
    """Train on four fifths (by source group, `holdout`) and evaluate rules + model on the held-out fifth."""
    train_part, held = holdout(examples)
    combined = CombinedClassifier(engine, train(train_part, engine))
    result = evaluate(held, lambda e: combined.classify(e.title, e.text, e.language, e.content_type))
    by = (
        "host"
        if any(g.startswith("host:") for g in split.groups([e.page for e in examples], [""] * len(examples)))
        else "page"
    )
    result["split"] = {"train": len(train_part), "held_out": len(held), "by": f"source {by}"}
    return result


def format_report(result: dict[str, Any], max_confusions: int = 30) -> str:
    """Human-readable report of an `evaluate` result."""
    rel, th = result["relevance"], result["themes"]
    split_info = result.get("split")
    where = f" (held out by {split_info['by']}; {split_info['train']} trained on)" if split_info else ""
    lines = [
        f"model {result.get('model_version', '')}: {counted(result['n'], 'item')}{where}",
        *([f"model file {result['model_file'] or 'none (rules alone)'}"] if "model_file" in result else []),
        f"relevance  P {rel['precision']:.3f}  R {rel['recall']:.3f}  F1 {rel['f1']:.3f}"
        f"  (tp {rel['tp']} fp {rel['fp']} fn {rel['fn']} tn {rel['tn']})",
        f"themes     micro-F1 {th['micro_f1']:.3f}  macro-F1 {th['macro_f1']:.3f}"
        f"  (micro P {th['micro_precision']:.3f} R {th['micro_recall']:.3f})",
        "",
        f"{'theme':34} {'P':>6} {'R':>6} {'F1':>6} {'n':>4}",
    ]
    for theme, m in th["per_theme"].items():
        lines.append(f"{theme:34} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:4d}")
    per_language = result.get("per_language", {})
    width = max([5, *map(len, per_language)])  # a label such as "pt-BR" or "xx-bogus" keeps its column
    lines += [
        "",
        f"{'lang':{width}} {'n':>4} {'rel P':>6} {'rel R':>6} {'rel F1':>6} {'micro':>6} {'macro':>6}",
    ]
    for lang, m in per_language.items():
        r, t = m["relevance"], m["themes"]
        lines.append(
            f"{lang:{width}} {m['n']:4d} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f}"
            f" {t['micro_f1']:6.3f} {t['macro_f1']:6.3f}"
        )
    confusions = result.get("confusions", [])
    lines += ["", f"confusions ({len(confusions)}):"]
    for c in confusions[:max_confusions]:
        lines.append(f"  {c['id']} [{c['language']}] {c['kind']} rel={c['relevance']:.2f} {c['title'][:70]}")
        lines.append(f"      gold {c['gold_themes']}  predicted {c['predicted_themes']}")
        if c["kind"] != "themes":
            lines.append(f"      evidence {', '.join(c['evidence']) or '-'}")
    if len(confusions) > max_confusions:
        lines.append(f"  ... and {len(confusions) - max_confusions} more (--json lists them all)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, configured_model: str | None = None) -> int:
    """``ewsi classify eval``: print the report (or JSON with --json). Returns the exit status.

    `configured_model`: the setting ``EWSI_CLASSIFIER_MODEL`` (None when unset), resolved as the
    harvest resolves it (`classifier.default_model_path`) when ``--model`` is not given."""
    from classifier import default_model_path

    parser = Parser(prog="ewsi classify eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="labelled JSONL (format of themes_dev.jsonl)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    parser.add_argument("--themes", help="themes.yaml to use (default config/themes.yaml)")
    # one way to get the model scored: a given file, one trained by K folds, or one trained on a
    # held-out split; two of them together are refused naming both (exit 2), never one ignored
    scored = parser.add_mutually_exclusive_group()
    scored.add_argument(
        "--model",
        help="learned model file to blend with the rules, or 'none' for the rules alone "
        "(default: the model the harvest uses: var/classifier-model.json if present, else the shipped one)",
    )
    scored.add_argument(
        "--cv", type=int_at_least(2), metavar="K", help="score rules + a model trained by K-fold CV on --data"
    )
    scored.add_argument(
        "--holdout",
        action="store_true",
        help="score rules + a model trained on the other four fifths of --data (split by source page)",
    )
    args = parser.parse_args(argv)
    try:
        engine = RuleEngine(load(args.themes))
        examples = load_examples(args.data)
        if args.holdout:
            result = evaluate_holdout(examples, engine)
        elif args.cv:
            result = cross_validate(examples, engine, k=args.cv)
        else:
            model_path = default_model_path(configured_model if args.model is None else args.model)
            if model_path is not None:
                combined = CombinedClassifier(engine, Model.load(model_path))
                result = evaluate(
                    examples, lambda e: combined.classify(e.title, e.text, e.language, e.content_type)
                )
            else:
                result = evaluate(
                    examples, lambda e: engine.classify(e.title, e.text, e.language, e.content_type)
                )
            result["model_file"] = str(model_path) if model_path is not None else None
    except OSError as exc:  # ``ewsi classify eval: error: FILE: cannot read: ...`` (crawler.cli)
        raise UsageError(unreadable(exc.filename or args.data, exc)) from exc
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    print(json.dumps(result, ensure_ascii=False) if args.json else format_report(result))
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except UsageError as exc:  # as crawler.cli says it for ``ewsi classify eval``
        raise SystemExit(f"ewsi classify eval: error: {exc}") from None
