"""Learned classifier trained from editors' decisions, and the combiner that blends it with the rules.

`train(examples)` fits scikit-learn TF-IDF + logistic regression heads: one for relevance (all
examples) and one per theme (relevant examples only, as themes are only given to relevant items).
Features are the normalised words and word pairs of the title and text, title words again with a
``t:`` prefix, and the rule groups that fired (``§migrant``, ``§theme:social_cohesion`` ...), which
carry the rules' multilingual vocabulary into the model.

Decision thresholds are calibrated on out-of-fold predictions (never on the examples scored), per
language where a language has `MIN_LANGUAGE_CALIBRATION` examples of both classes.

A saved model is plain JSON (vocabulary, idf, coefficients, thresholds, label counts) and inference
is re-implemented here, so loading a file never runs code from it; `load` accepts only files whose
``format`` field says this module wrote them.

`CombinedClassifier` blends per label: weight w = min(1, min(positives, negatives) / min_labels) x
min(1, examples in the item's language / min_language); score = w x model + (1 - w) x rules, and the
same blend of the two thresholds. With few labels, or for a language the editors have not yet
labelled, the rules decide.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from classifier.rules import Analysis, RuleEngine
from crawler.types import THEMES, Classification, Evidence, ThemeScore

FORMAT = "ewsi-classifier-model"
FORMAT_VERSION = 1
MIN_LABELS = 30
"""Positives and negatives a label needs before the model fully takes over from the rules."""
MIN_LANGUAGE = 15
"""Labelled examples a language needs before the model fully takes over for items in it."""
MIN_LANGUAGE_CALIBRATION = 20
RELEVANCE = "relevance"


class ModelFileError(ValueError):
    """A model file is missing, not JSON, or was not written by this module (wrong format/version)."""


@dataclass(frozen=True)
class LabelledExample:
    """One editor-labelled item: text, language, relevant flag and themes (portal names)."""

    title: str
    text: str
    language: str | None
    relevant: bool
    themes: tuple[str, ...] = ()
    id: str = ""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LabelledExample:
        """Build from a themes_dev.jsonl record (keys id, lang, title, summary or text, relevant, themes)."""
        themes = tuple(t for t in d.get("themes") or () if t in THEMES)
        return cls(
            title=str(d.get("title") or ""),
            text=str(d.get("text") or d.get("summary") or ""),
            language=d.get("lang") or d.get("language"),
            relevant=bool(d.get("relevant")),
            themes=themes,
            id=str(d.get("id") or ""),
        )


def features(analysis: Analysis) -> list[str]:
    """Model features of one analysed item (see the module docstring); order is irrelevant."""
    out: list[str] = []
    for tokens in (analysis.title_tokens, analysis.body_tokens):
        words = [t for t in tokens if len(t) > 1 and not t.isdigit()]
        out.extend(words)
        out.extend(f"{a} {b}" for a, b in itertools.pairwise(words))
    out.extend(f"t:{t}" for t in analysis.title_tokens if len(t) > 1 and not t.isdigit())
    for group, value in analysis.sums.items():
        if value > 0:
            out.append(f"§{group}")
            if value >= 3:
                out.append(f"§{group}+")
    return out


@dataclass
class _Head:
    coef: list[float]
    intercept: float
    positives: int
    negatives: int
    threshold: float
    by_language: dict[str, float] = field(default_factory=dict)


@dataclass
class Model:
    """A trained model: TF-IDF vocabulary and idf, one logistic head per label, and label counts.

    heads: "relevance" and theme names -> head; language_counts: labelled examples per language.
    """

    vocabulary: dict[str, int]
    idf: list[float]
    heads: dict[str, _Head]
    language_counts: dict[str, int]
    rules_version: str
    created: str
    sklearn_version: str
    _names: dict[int, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def version(self) -> str:
        """``model-<sha8>`` of the model's parameters."""
        blob = json.dumps(self._to_dict(with_version=False), sort_keys=True).encode()
        return f"model-{hashlib.sha256(blob).hexdigest()[:8]}"

    def vectorize(self, feats: Sequence[str]) -> dict[int, float]:
        """Sparse TF-IDF vector (sublinear tf, l2-normalised) as sklearn's TfidfVectorizer computes it."""
        counts = Counter(self.vocabulary[f] for f in feats if f in self.vocabulary)
        vec = {i: (1.0 + math.log(c)) * self.idf[i] for i, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {i: v / norm for i, v in vec.items()} if norm else {}

    def predict(self, feats: Sequence[str]) -> dict[str, tuple[float, tuple[Evidence, ...]]]:
        """Probability per head with its top positive features as evidence (``model:<feature>``)."""
        vec = self.vectorize(feats)
        if not self._names:
            self._names.update((i, f) for f, i in self.vocabulary.items())
        out: dict[str, tuple[float, tuple[Evidence, ...]]] = {}
        for label, head in self.heads.items():
            parts = [(head.coef[i] * v, i) for i, v in vec.items()]
            z = head.intercept + sum(p for p, _ in parts)
            prob = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            top = sorted((p for p in parts if p[0] > 0), reverse=True)[:5]
            out[label] = (prob, tuple(Evidence(f"model:{self._names[i]}", round(p, 3)) for p, i in top))
        return out

    def threshold(self, label: str, language: str | None) -> float:
        """Calibrated threshold of a head for `language` (falls back to the head's overall threshold)."""
        head = self.heads[label]
        return head.by_language.get(language or "", head.threshold)

    def weight(self, label: str, language: str | None, min_labels: int, min_language: int) -> float:
        """How far the model takes over from the rules for this label and language, in [0, 1]."""
        head = self.heads.get(label)
        if head is None:
            return 0.0
        w_label = min(1.0, min(head.positives, head.negatives) / max(1, min_labels))
        w_lang = min(1.0, self.language_counts.get(language or "", 0) / max(1, min_language))
        return w_label * w_lang

    def _to_dict(self, with_version: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "rules_version": self.rules_version,
            "created": self.created,
            "sklearn_version": self.sklearn_version,
            "language_counts": self.language_counts,
            "vocabulary": self.vocabulary,
            "idf": self.idf,
            "heads": {k: vars(h) for k, h in self.heads.items()},
        }
        if with_version:
            d["version"] = self.version
        return d

    def save(self, path: str | Path) -> None:
        """Write the model as JSON (gzip-compressed when the name ends in .gz)."""
        blob = json.dumps(self._to_dict(), ensure_ascii=False).encode()
        p = Path(path)
        p.write_bytes(gzip.compress(blob) if p.suffix == ".gz" else blob)

    @classmethod
    def load(cls, path: str | Path) -> Model:
        """Read a model written by `save`. Raises ModelFileError for anything else (no code is executed)."""
        p = Path(path)
        try:
            raw = p.read_bytes()
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            d = json.loads(raw)
        except (OSError, ValueError, EOFError) as exc:
            raise ModelFileError(f"{p}: cannot read model: {exc}") from exc
        if not isinstance(d, dict) or d.get("format") != FORMAT or d.get("format_version") != FORMAT_VERSION:
            raise ModelFileError(f"{p}: not a {FORMAT} v{FORMAT_VERSION} file")
        try:
            vocabulary = {str(k): int(v) for k, v in d["vocabulary"].items()}
            idf = [float(x) for x in d["idf"]]
            heads = {str(k): _Head(**h) for k, h in d["heads"].items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"{p}: malformed model: {exc}") from exc
        n = len(idf)
        if any(not 0 <= i < n for i in vocabulary.values()) or any(len(h.coef) != n for h in heads.values()):
            raise ModelFileError(f"{p}: malformed model: vocabulary, idf and coefficients disagree")
        return cls(
            vocabulary,
            idf,
            heads,
            dict(d.get("language_counts") or {}),
            str(d.get("rules_version")),
            str(d.get("created")),
            str(d.get("sklearn_version")),
        )


def _best_threshold(y: Sequence[int], p: Sequence[float]) -> float:
    """Threshold maximising F1 on (label, probability) pairs; 0.5 when there is no positive."""
    if not any(y):
        return 0.5
    best = (-1.0, 0.5)
    for thr in sorted(set(round(x, 4) for x in p)):
        tp = sum(1 for yi, pi in zip(y, p, strict=True) if yi and pi >= thr)
        fp = sum(1 for yi, pi in zip(y, p, strict=True) if not yi and pi >= thr)
        fn = sum(1 for yi, pi in zip(y, p, strict=True) if yi and pi < thr)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best[0]:
            best = (f1, thr)
    return best[1]


def train(
    examples: Iterable[LabelledExample | Mapping[str, Any]],
    engine: RuleEngine,
    c: float = 4.0,
    folds: int = 5,
    seed: int = 0,
) -> Model:
    """Fit the model on labelled examples (LabelledExample or themes_dev.jsonl-style dicts).

    Raises ValueError when there are no examples of both relevance classes. Heads whose label has
    only one class in the data are left out (the combiner then uses the rules for that label).
    """
    import sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    exs = [e if isinstance(e, LabelledExample) else LabelledExample.from_dict(e) for e in examples]
    if len({e.relevant for e in exs}) < 2:
        raise ValueError("training needs relevant and non-relevant examples")
    feats = [features(engine.analyse(e.title, e.text, e.language)) for e in exs]
    vectorizer = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True, min_df=1)
    x_all = vectorizer.fit_transform(feats)
    vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
    heads: dict[str, _Head] = {}

    def fit(label: str, rows: list[int], y: list[int]) -> None:
        pos, neg = sum(y), len(y) - sum(y)
        if pos == 0 or neg == 0:
            return
        x = x_all[rows]
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        k = min(folds, pos, neg)
        if k >= 2:
            cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
            oof = cross_val_predict(clf, x, y, cv=cv, method="predict_proba")[:, 1]
            threshold = _best_threshold(y, list(oof))
            by_lang: dict[str, float] = {}
            for lang in {exs[r].language for r in rows if exs[r].language}:
                idx = [j for j, r in enumerate(rows) if exs[r].language == lang]
                ys = [y[j] for j in idx]
                if len(idx) >= MIN_LANGUAGE_CALIBRATION and 0 < sum(ys) < len(ys):
                    by_lang[str(lang)] = _best_threshold(ys, [float(oof[j]) for j in idx])
        else:
            threshold, by_lang = 0.5, {}
        clf.fit(x, y)
        heads[label] = _Head(
            [float(v) for v in clf.coef_[0]], float(clf.intercept_[0]), pos, neg, float(threshold), by_lang
        )

    all_rows = list(range(len(exs)))
    fit(RELEVANCE, all_rows, [int(e.relevant) for e in exs])
    relevant_rows = [i for i, e in enumerate(exs) if e.relevant]
    for theme in THEMES:
        fit(theme, relevant_rows, [int(theme in exs[i].themes) for i in relevant_rows])
    language_counts = Counter(e.language for e in exs if e.language)
    return Model(
        vocabulary,
        [float(v) for v in vectorizer.idf_],
        heads,
        dict(language_counts),
        engine.version,
        datetime.now(UTC).isoformat(timespec="seconds"),
        sklearn.__version__,
    )


class CombinedClassifier:
    """Rules plus learned model, blended per label and language (see the module docstring)."""

    def __init__(
        self, engine: RuleEngine, model: Model, min_labels: int = MIN_LABELS, min_language: int = MIN_LANGUAGE
    ):
        self.engine = engine
        self.model = model
        self.min_labels = min_labels
        self.min_language = min_language
        self.version = f"{model.version}+{engine.version}"

    def classify(self, title: str | None, text: str | None, language: str | None = None) -> Classification:
        """Classify one item; same contract as RuleEngine.classify."""
        analysis = self.engine.analyse(title, text, language)
        predicted = self.model.predict(features(analysis))
        thr = self.engine.config.thresholds

        def blend(label: str, rule_score: float, rule_thr: float) -> tuple[float, float, float]:
            w = self.model.weight(label, language, self.min_labels, self.min_language)
            if w == 0 or label not in predicted:
                return rule_score, rule_thr, 0.0
            p = predicted[label][0]
            return (
                w * p + (1 - w) * rule_score,
                w * self.model.threshold(label, language) + (1 - w) * rule_thr,
                w,
            )

        relevance, rel_thr, w_rel = blend(RELEVANCE, analysis.relevance, thr.relevance_for(language))
        scores: dict[str, float] = {}
        theme_evidence: dict[str, tuple[Evidence, ...]] = {}
        for name in THEMES:
            score, t_thr, w = blend(name, analysis.theme_scores[name], thr.theme_for(language))
            # express each theme's threshold as a shift of its score so one common threshold applies
            scores[name] = max(0.0, min(1.0, score - t_thr + thr.theme_for(language)))
            evidence = self.engine.theme_evidence(analysis, name)
            if w > 0 and name in predicted:
                evidence += predicted[name][1]
            theme_evidence[name] = evidence
        relevant, assigned = self.engine.decide(relevance, scores, language, relevance_threshold=rel_thr)
        rel_evidence = self.engine.relevance_evidence(analysis)
        if w_rel > 0:
            rel_evidence += predicted[RELEVANCE][1]
        themes = tuple(
            sorted(
                (ThemeScore(n, round(s, 4), theme_evidence[n]) for n, s in scores.items()),
                key=lambda ts: (-ts.score, THEMES.index(ts.theme)),
            )
        )
        return Classification(round(relevance, 4), relevant, themes, assigned, rel_evidence, self.version)
