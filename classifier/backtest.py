"""Backtesting: replay a changed themes.yaml, threshold or model against the editors' decisions.

`backtest(examples, before, after)` classifies every decided item with both classifiers and reports
the items whose outcome changes (relevance flips, themes gained and lost, each judged against the
editors' decision) and the precision/recall of both on all decided items (classifier.evaluate
metrics). Used by ``ewsi classify diff`` before a change goes live.

A relevance flip is ``fixed`` when the new outcome agrees with the editors and the old one did not,
``broken`` in the opposite case. A theme gained or lost is ``fixed`` / ``broken`` the same way,
judged against the editors' themes (themes count only for items both the editors and the classifier
call relevant).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from classifier.evaluate import metrics
from classifier.model import LabelledExample
from crawler.text import counted
from crawler.types import Classification


def _change(e: LabelledExample, b: Classification, a: Classification) -> dict[str, Any] | None:
    gold = set(e.themes) if e.relevant else set()
    before = set(b.assigned) if b.relevant else set()
    after = set(a.assigned) if a.relevant else set()
    if b.relevant == a.relevant and before == after:
        return None
    flip = None
    if b.relevant != a.relevant:
        flip = "fixed" if a.relevant == e.relevant else "broken"
    gained, lost = sorted(after - before), sorted(before - after)
    return {
        "id": e.id,
        "language": e.language,
        "title": e.title[:120],
        "editors_relevant": e.relevant,
        "editors_themes": sorted(gold),
        "relevance_before": b.relevance,
        "relevance_after": a.relevance,
        "relevant_before": b.relevant,
        "relevant_after": a.relevant,
        "relevance_change": flip,
        "themes_gained": gained,
        "themes_lost": lost,
        "themes_fixed": sum(t in gold for t in gained) + sum(t not in gold for t in lost),
        "themes_broken": sum(t not in gold for t in gained) + sum(t in gold for t in lost),
    }


def _summary(m: dict[str, Any], version: str) -> dict[str, Any]:
    return {"model_version": version, "relevance": m["relevance"], "themes": m["themes"]}


def backtest(examples: Sequence[LabelledExample], before: Any, after: Any) -> dict[str, Any]:
    """Compare two classifiers (anything with ``classify(title, text, language)``) on decided items.

    Returns {"n", "labels": {"relevant", "not_relevant"}, "before", "after" (each model_version,
    relevance {precision, recall, f1, tp, fp, fn, tn}, themes {micro_f1, macro_f1, per_theme ...}),
    "changes": [one dict per changed item, see `_change`], "summary": counts of flips and theme
    changes, fixed and broken}.
    """
    pairs_before, pairs_after, changes = [], [], []
    version_before = version_after = ""
    for e in examples:
        b = before.classify(e.title, e.text, e.language, e.content_type)
        a = after.classify(e.title, e.text, e.language, e.content_type)
        version_before, version_after = b.model_version, a.model_version
        pairs_before.append((e, b))
        pairs_after.append((e, a))
        change = _change(e, b, a)
        if change is not None:
            changes.append(change)
    flips = [c for c in changes if c["relevance_change"]]
    summary = {
        "items_changed": len(changes),
        "relevance_flips": len(flips),
        "relevance_fixed": sum(c["relevance_change"] == "fixed" for c in flips),
        "relevance_broken": sum(c["relevance_change"] == "broken" for c in flips),
        "became_relevant": sum(bool(c["relevant_after"]) for c in flips),
        "became_not_relevant": sum(not c["relevant_after"] for c in flips),
        "themes_gained": sum(len(c["themes_gained"]) for c in changes),
        "themes_lost": sum(len(c["themes_lost"]) for c in changes),
        "themes_fixed": sum(c["themes_fixed"] for c in changes),
        "themes_broken": sum(c["themes_broken"] for c in changes),
    }
    return {
        "n": len(examples),
        "labels": {
            "relevant": sum(e.relevant for e in examples),
            "not_relevant": sum(not e.relevant for e in examples),
        },
        "before": _summary(metrics(pairs_before), version_before),
        "after": _summary(metrics(pairs_after), version_after),
        "changes": changes,
        "summary": summary,
    }


def format_backtest(result: dict[str, Any], max_changes: int = 50) -> str:
    """Human-readable report of a `backtest` result."""
    b, a, s = result["before"], result["after"], result["summary"]
    labels = result["labels"]
    lines = [
        f"{counted(result['n'], 'decided item')} "
        f"({labels['relevant']} relevant, {labels['not_relevant']} not relevant)",
        f"before {b['model_version'] or '-'}   after {a['model_version'] or '-'}",
        "",
        f"{'':22} {'before':>8} {'after':>8}",
    ]
    rows = [
        ("relevance precision", b["relevance"]["precision"], a["relevance"]["precision"]),
        ("relevance recall", b["relevance"]["recall"], a["relevance"]["recall"]),
        ("relevance F1", b["relevance"]["f1"], a["relevance"]["f1"]),
        ("themes micro P", b["themes"]["micro_precision"], a["themes"]["micro_precision"]),
        ("themes micro R", b["themes"]["micro_recall"], a["themes"]["micro_recall"]),
        ("themes micro-F1", b["themes"]["micro_f1"], a["themes"]["micro_f1"]),
        ("themes macro-F1", b["themes"]["macro_f1"], a["themes"]["macro_f1"]),
    ]
    lines += [f"{name:22} {x:8.3f} {y:8.3f}" for name, x, y in rows]
    lines += [
        "",
        f"{counted(s['items_changed'], 'item changes', 'items change')}: "
        f"{counted(s['relevance_flips'], 'relevance flip')} "
        f"({s['became_relevant']} to relevant, {s['became_not_relevant']} to not relevant; "
        f"{s['relevance_fixed']} fixed, {s['relevance_broken']} broken), "
        f"{counted(s['themes_gained'], 'theme gained', 'themes gained')}, {s['themes_lost']} lost "
        f"({s['themes_fixed']} fixed, {s['themes_broken']} broken)",
    ]
    for c in result["changes"][:max_changes]:
        editors = "relevant" if c["editors_relevant"] else "not relevant"
        head = f"  {c['id']} [{c['language'] or 'und'}] {c['title'][:60]}"
        lines.append(head)
        if c["relevance_change"]:
            state = {True: "relevant", False: "not relevant"}
            lines.append(
                f"      relevance {c['relevance_before']:.2f} -> {c['relevance_after']:.2f}: "
                f"{state[c['relevant_before']]} -> {state[c['relevant_after']]} "
                f"(editors: {editors}) {c['relevance_change']}"
            )
        if c["themes_gained"] or c["themes_lost"]:
            moves = [f"+{t}" for t in c["themes_gained"]] + [f"-{t}" for t in c["themes_lost"]]
            lines.append(
                f"      themes {', '.join(moves)} (editors: {', '.join(c['editors_themes']) or '-'})"
            )
    if len(result["changes"]) > max_changes:
        lines.append(f"  ... {len(result['changes']) - max_changes} more (--json lists all)")
    return "\n".join(lines)
