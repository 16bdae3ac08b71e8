"""Relevance on real harvests: the replays of ../shared/corpus and ../shared/corpus2, scored against the
hand labels of tests/data/corpus_relevance.yaml (url -> yes/no, clear cases only).

Rule pinned: every clearly off-topic item scores below every clearly on-topic one (ROC AUC 1.0,
R-precision 1.0) and is judged not relevant, with the default classifier (rules + the shipped model)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
LABELS = Path(__file__).parent / "data" / "corpus_relevance.yaml"


def r_precision(scores: list[float], labels: list[bool]) -> float:
    """Share of on-topic items among the R best-scored, R = number of on-topic items."""
    r = sum(labels)
    ranked = sorted(zip(scores, labels, strict=True), key=lambda p: -p[0])[:r]
    return sum(label for _, label in ranked) / r if r else 0.0


@pytest.mark.parametrize(
    ("scores", "labels", "expected"),
    [
        ([0.9, 0.8, 0.1], [True, True, False], 1.0),
        ([0.9, 0.8, 0.1], [True, False, True], 0.5),
        ([0.1, 0.8, 0.9], [True, False, False], 0.0),
    ],
)
def test_r_precision(scores, labels, expected):
    assert r_precision(scores, labels) == expected


def _harvest(db_url: str, corpus: Path) -> dict[str, float]:
    env = {**os.environ, "EWSI_DATABASE_URL": db_url}
    env.pop("EWSI_CLASSIFIER_MODEL", None)

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "crawler.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=400,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("db", "upgrade")
    run("crawl", "--config", str(corpus / "sources.yaml"), "--replay", str(corpus / "snapshot.warc.gz"))
    out = run("queue", "--status", "any", "--json", "--limit", "100000")
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {row["url"]: (float(row["relevance"] or 0.0), bool(row["relevant"])) for row in rows}


@pytest.mark.slow
@pytest.mark.corpus
def test_off_topic_items_score_below_on_topic_ones_on_both_corpora(shared, tmp_path):
    labels = {str(k): bool(v) for k, v in yaml.safe_load(LABELS.read_text(encoding="utf-8")).items()}
    scores: dict[str, tuple[float, bool]] = {}
    for name in ("corpus", "corpus2"):
        if not (shared / name / "snapshot.warc.gz").exists():
            pytest.skip(f"../shared/{name}/snapshot.warc.gz not found")
        scores.update(_harvest(f"sqlite:///{tmp_path / name}.sqlite", shared / name))
    judged = [(scores[url][0], label) for url, label in labels.items() if url in scores]
    # no clearly off-topic item is judged relevant (the queue's relevant band), not just ranked lower
    accepted = sorted(url for url, label in labels.items() if url in scores and not label and scores[url][1])
    assert accepted == [], [(url, scores[url][0]) for url in accepted]
    assert len(judged) >= 0.9 * len(labels)  # the labels still name the harvested items
    s = [score for score, _ in judged]
    y = [label for _, label in judged]
    on = min(score for score, label in judged if label)
    off = max(score for score, label in judged if not label)
    assert off < on, (off, on)
    assert roc_auc_score(y, s) == pytest.approx(1.0)
    assert r_precision(s, y) == 1.0
