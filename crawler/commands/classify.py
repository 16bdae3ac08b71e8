"""`ewsi classify eval|train|diff|reprocess`: evaluate, train from editors' decisions, backtest a
change, re-classify stored items.

Exit codes: 0 done; 1 nothing to do it with (too few labels to train); 2 bad arguments; bad
themes.yaml or model file (UsageError) and an unreachable/unmigrated database (DatabaseUnavailable)
are raised and mapped to 2 by crawler.cli. The database is ``--database URL``, else
`Settings.database_url`; the model, unless named, is `Settings.classifier_model`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crawler.argtypes import Parser, positive_int
from crawler.config import Settings
from crawler.errors import UsageError, unreadable
from crawler.text import counted

HELP = "classifier: eval, train, diff, reprocess"

USAGE = """usage: ewsi classify COMMAND [options]   (ewsi classify COMMAND --help for the options)

  eval        relevance and theme precision, recall and F1 on a labelled JSON Lines file
  train       train the learned model from the editors' decisions in the review queue
  diff        replay a changed themes.yaml, threshold or model against the editors' decisions
  reprocess   re-classify stored items with the current rules and model
"""


@contextmanager
def _session(url: str | None) -> Iterator[Any]:
    """A session on a migrated database; the caller commits. Raises DatabaseUnavailable."""
    from crawler.store.migrate import check_ready
    from crawler.store.session import make_engine, session_factory

    engine = make_engine(url)
    try:
        check_ready(engine)
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _classifier(themes: str | None, model: str | None, settings: Settings) -> Any:
    """The rules of `themes` (default config/themes.yaml) with `model`: a path, "none" for the rules
    alone, or None for the default model file (classifier.default_model_path of the settings)."""
    import classifier
    from classifier.rules import load_engine as load_rules
    from crawler.errors import ModelFileError, ThemesConfigError

    try:
        if model is not None and model.strip().lower() == "none":
            return load_rules(themes)
        if model is None:
            model_path = classifier.default_model_path(settings.classifier_model)
            return classifier.load_default(themes, model_path) if model_path else load_rules(themes)
        return classifier.load_default(themes, model)
    except (ThemesConfigError, ModelFileError) as exc:
        raise UsageError(str(exc)) from exc


def _examples(session: Any, source_id: str | None) -> list[Any]:
    from classifier.model import LabelledExample
    from crawler.store.sources import require_known_source
    from crawler.store.training import decided_items

    require_known_source(session, source_id)
    return [
        LabelledExample(
            d.title, d.text, d.language, d.relevant, d.themes, id=str(d.item_id), content_type=d.content_type
        )
        for d in decided_items(session, source_id)
    ]


def _files(paths: Sequence[str]) -> list[Any]:
    """Labelled examples from JSON Lines files; UsageError naming the file for a bad one."""
    from classifier.evaluate import load_examples

    out: list[Any] = []
    for path in paths:
        try:
            out += load_examples(path)
        except OSError as exc:
            raise UsageError(unreadable(path, exc)) from exc
        except ValueError as exc:
            raise UsageError(str(exc) if str(path) in str(exc) else f"{path}: {exc}") from exc
    return out


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", metavar="URL", help="database URL (default $EWSI_DATABASE_URL)")


# --- train ---------------------------------------------------------------------------------------


def _shipped_examples(output: str) -> int | None:
    """Items the shipped model was trained on (its relevance head's positives and negatives) when a
    model written to `output` takes its place (`output` is the default model file, which
    classifier.default_model_path prefers to the shipped one); None otherwise or when none ships.
    A model of a few decisions that replaced one of hundreds of labelled items did so silently."""
    import classifier
    from classifier.model import RELEVANCE, Model

    shipped = Path(classifier.__file__).resolve().parent / classifier.SHIPPED_MODEL_NAME
    if Path(output).resolve() != classifier.DEFAULT_MODEL_PATH.resolve() or not shipped.is_file():
        return None
    head = Model.load(shipped).heads.get(RELEVANCE)
    return None if head is None else head.positives + head.negatives


def cmd_train(argv: Sequence[str], settings: Settings) -> int:
    """``ewsi classify train``: fit the model on decided items and save it (classifier.model)."""
    import classifier
    from classifier.model import MIN_LABELS, train

    parser = Parser(
        prog="ewsi classify train",
        description="Train the learned model from the editors' decisions (approved = relevant with "
        "their themes; rejected as not relevant / out of scope = not relevant).",
    )
    _db_arg(parser)
    parser.add_argument(
        "--min-labels",
        type=positive_int,
        default=MIN_LABELS,
        metavar="N",
        help=f"positives and negatives a label needs before the model fully takes over from the rules "
        f"(default {MIN_LABELS}; fewer labels blend the model in proportionally)",
    )
    parser.add_argument(
        "--output", default=str(classifier.DEFAULT_MODEL_PATH), help="model file (default %(default)s)"
    )
    parser.add_argument("--themes", help="themes.yaml the model is trained with (default config/themes.yaml)")
    parser.add_argument("--source", help="train on one source's items only")
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="FILE.jsonl",
        help="labelled JSON Lines added to the editors' decisions (e.g. themes_train.jsonl; repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    engine = _classifier(args.themes, "none", settings)  # a RuleEngine
    before = _classifier(args.themes, None, settings)  # the model in use, to report how the evaluation moved
    with _session(args.database or settings.database_url) as session:
        examples = _examples(session, args.source)
    examples += _files(args.data)
    relevant = sum(e.relevant for e in examples)
    if relevant == 0 or relevant == len(examples):
        print(
            f"cannot train: needs approved items and items rejected as not relevant; found {relevant} "
            f"relevant and {len(examples) - relevant} not relevant",
            file=sys.stderr,
        )
        return 1
    model = train(examples, engine, min_labels=args.min_labels)
    model.save(args.output)
    replaced = _shipped_examples(args.output)
    from classifier.build import movement

    moved = movement(examples, engine, before)
    heads = {
        label: {
            "positives": h.positives,
            "negatives": h.negatives,
            "weight": round(min(1.0, min(h.positives, h.negatives) / args.min_labels), 3),
            "threshold": round(h.threshold, 4),
            "by_language": h.by_language,
        }
        for label, h in model.heads.items()
    }
    summary = {
        "output": args.output,
        "model_version": model.version,
        "rules_version": model.rules_version,
        "examples": len(examples),
        "relevant": relevant,
        "not_relevant": len(examples) - relevant,
        "languages": dict(sorted(Counter(e.language or "und" for e in examples).items())),
        "rule_thresholds": model.rule_thresholds,
        "heads": heads,
        "evaluation": moved,
        "replaces_shipped": replaced,
    }
    if replaced is not None and replaced > len(examples):
        print(
            f"note: {args.output} now takes the place of the shipped model (trained on {replaced} labelled "
            f"items) in every classification, and was trained on {len(examples)}; to keep the labelled "
            f"set, train with --data FILE (e.g. themes_train.jsonl) as well; to go back, delete "
            f"{args.output}",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    print(f"{model.version} written to {args.output} (rules {model.rules_version})")
    decided = counted(len(examples), "decided item")
    print(f"{decided}: {relevant} relevant, {len(examples) - relevant} not relevant")
    print("languages: " + ", ".join(f"{k} {v}" for k, v in summary["languages"].items()))
    print(f"{'label':34} {'pos':>5} {'neg':>5} {'weight':>6} {'thr':>6}")
    for label, h in heads.items():
        print(f"{label:34} {h['positives']:5d} {h['negatives']:5d} {h['weight']:6.2f} {h['threshold']:6.3f}")
    missing = [t for t in ("relevance", *_themes()) if t not in heads]
    if missing:
        print(f"left to the rules (one class only): {', '.join(missing)}")
    if moved["before"]:
        held = counted(moved["held_out"], "item")
        print(f"evaluation on a held-out fifth ({held}, split by source): before -> after")
        for key, value in moved["after"].items():
            print(f"  {key:20} {moved['before'][key]:.3f} -> {value:.3f} ({moved['delta'][key]:+.3f})")
    else:
        print("evaluation: too few items to hold a fifth out")
    if model.rule_thresholds:
        calibrated = ", ".join(
            f"{lang} " + " ".join(f"{k} {v:.3f}" for k, v in over.items())
            for lang, over in model.rule_thresholds.items()
        )
        print(f"rule thresholds calibrated: {calibrated}")
    else:
        print("rule thresholds: defaults (no language has enough decided items yet)")
    return 0


def _themes() -> tuple[str, ...]:
    from crawler.types import THEMES

    return THEMES


# --- diff ----------------------------------------------------------------------------------------


def cmd_diff(argv: Sequence[str], settings: Settings) -> int:
    """``ewsi classify diff``: backtest a changed themes.yaml or model on the decided items."""
    from classifier.backtest import backtest, format_backtest

    parser = Parser(
        prog="ewsi classify diff",
        description="Replay a changed themes.yaml (terms, weights, thresholds) or model against the "
        "editors' decisions: which decided items would change, and precision/recall before and after.",
    )
    _db_arg(parser)
    parser.add_argument("--themes", help="the changed themes.yaml (default: the current one)")
    parser.add_argument("--model", help="the changed model file, or 'none' (default: the current model)")
    parser.add_argument("--before-themes", help="themes.yaml to compare against (default config/themes.yaml)")
    parser.add_argument(
        "--before-model", help="model to compare against, or 'none' (default: the model in use)"
    )
    parser.add_argument("--source", help="only this source's decided items")
    parser.add_argument(
        "--limit", type=positive_int, default=50, help="changed items listed (default %(default)s)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    before = _classifier(args.before_themes, args.before_model, settings)
    after = _classifier(
        args.themes or args.before_themes,
        args.model if args.model is not None else args.before_model,
        settings,
    )
    with _session(args.database or settings.database_url) as session:
        examples = _examples(session, args.source)
    result = backtest(examples, before, after)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        if not examples:
            print("no decided items yet: nothing to replay")
        print(format_backtest(result, args.limit))
    return 0


# --- reprocess -----------------------------------------------------------------------------------


def cmd_reprocess(argv: Sequence[str], settings: Settings) -> int:
    """``ewsi classify reprocess``: re-classify stored items so they follow the current rules."""
    from crawler.store.schema import ITEM_STATUSES
    from crawler.store.training import ReprocessCounts, reprocess_batch

    parser = Parser(
        prog="ewsi classify reprocess",
        description="Re-classify stored items (title + text) with the current rules and model and "
        "update relevance, relevant, model_version and theme scores. Decided items keep the themes "
        "the editors decided on.",
    )
    _db_arg(parser)
    parser.add_argument("--source", help="only this source's items")
    parser.add_argument(
        "--status",
        default="pending",
        help=f"comma-separated statuses to reprocess ({', '.join(ITEM_STATUSES)}) or 'any' "
        "(default %(default)s)",
    )
    parser.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")
    parser.add_argument("--themes", help="themes.yaml (default config/themes.yaml)")
    parser.add_argument("--model", help="model file, or 'none' (default: the model in use)")
    parser.add_argument(
        "--batch", type=positive_int, default=200, help="items per transaction (default %(default)s)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    statuses: list[str] | None = None
    if args.status != "any":
        statuses = [s.strip() for s in args.status.split(",") if s.strip()]
        unknown = sorted(set(statuses) - set(ITEM_STATUSES))
        if unknown or not statuses:
            raise UsageError(
                f"unknown status {', '.join(unknown) or '(none)'}; use {', '.join(ITEM_STATUSES)}"
            )
    clf = _classifier(args.themes, args.model, settings)
    total = ReprocessCounts()
    with _session(args.database or settings.database_url) as session:
        from crawler.store.sources import require_known_source

        require_known_source(session, args.source)
        after_id: int | None = 0
        while after_id is not None:
            after_id, counts = reprocess_batch(
                session,
                clf.classify,
                after_id=after_id,
                limit=args.batch,
                source_id=args.source,
                statuses=statuses,
                dry_run=args.dry_run,
            )
            total.add(counts)
            if args.dry_run:
                session.rollback()
            else:
                session.commit()
    result = {"model_version": clf.version, "dry_run": args.dry_run, **total.as_dict()}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    verb = "would change" if args.dry_run else "changed"
    print(
        f"{clf.version}: {counted(total.examined, 'item')} examined, {total.changed} {verb}: "
        f"{total.became_relevant} became relevant, {total.became_not_relevant} became not relevant, "
        f"{total.themes_changed} with other themes, {total.score_changed} with another relevance score, "
        f"{total.version_changed} with another model version"
    )
    if total.by_status:
        print("examined by status: " + ", ".join(f"{k} {v}" for k, v in sorted(total.by_status.items())))
    return 0


# --- dispatch ------------------------------------------------------------------------------------

COMMANDS = {"train": cmd_train, "diff": cmd_diff, "reprocess": cmd_reprocess}


def main(argv: Sequence[str], settings: Settings) -> int:
    """Dispatch `ewsi classify SUBCOMMAND ...`; returns the exit code (2 for bad usage)."""
    argv = list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    if argv[0] != "eval" and argv[0] not in COMMANDS:
        raise UsageError(f"unknown classify command {argv[0]!r}; the commands: eval, {', '.join(COMMANDS)}")
    try:
        if argv[0] == "eval":
            from classifier import evaluate

            return int(evaluate.main(argv[1:], configured_model=settings.classifier_model) or 0)
        return COMMANDS[argv[0]](argv[1:], settings)
    except SystemExit as exc:  # argparse: --help (0) or bad arguments (2)
        return int(exc.code or 0)
    except UsageError as exc:  # named as its parser names it: ``ewsi classify eval: error: ...``
        exc.prog = exc.prog or f"ewsi classify {argv[0]}"
        raise
