"""Learned classifier trained from editors' decisions, and the combiner that blends it with the rules.

`train(examples)` fits scikit-learn TF-IDF + logistic regression heads: one for relevance (all
examples) and one per theme (relevant examples only, as themes are only given to relevant items).
Features are the normalised words and word pairs of the title and text, title words again with a
``t:`` prefix, the character 3- to 5-grams of each word padded with spaces (" migr", "grant "), which
carry stems across related languages, and the rule groups that fired (``§migrant``,
``§theme:social_cohesion`` ...), which carry the rules' multilingual vocabulary into the model.
EuroVoc theme labels found in the item's language (classifier.eurovoc) can be added as features
(`EUROVOC_FEATURES`) or to the rules' theme sums (`EUROVOC_RULE_WEIGHT`); both are off, as neither
beat the shipped recipe by grouped CV (figures at the constants and in bench/themes.py).

Language is not a relevance cue: the relevance head is fitted with sample weights that give, in every
language, the relevant and the not-relevant examples the same total weight (the language's share of
the data is kept), so a language whose labels are skewed (mostly negative, mostly positive) teaches
nothing by itself. Measured on themes_train grouped by source page (5 folds): ROC AUC 0.985 with
character n-grams and these weights, 0.983 words only; precision/recall at 0.5: 0.958/0.962 against
0.900/0.991 words only. Grouped by source host instead (bench/themes.py, training part of the
hold-out, 326 items), the model alone reaches ROC AUC 0.961 (words only 0.966, without rule features
0.952, linear SVM 0.955, without the language weights 0.950; the rules alone 0.945).

Decision thresholds are calibrated per language (`calibrate_rules` and the heads' ``by_language``):
- model heads: on out-of-fold predictions (folds grouped by source, never the examples scored), for a
  language with at least `MIN_LANGUAGE_CALIBRATION` examples of which `MIN_CLASS_CALIBRATION` in each class;
- rules: the relevance and theme thresholds of a language with as many labels are chosen on a fixed grid
  (`RULE_GRID`, bounded so a small sample cannot push a threshold to an extreme) to maximise F1 on that
  language's decided items (the rules have no other fitted parameter); ties go to the value closest to
  the default of config/themes.yaml. Other languages keep the defaults. They apply only while
  themes.yaml is the one the model was trained with (same ``rules_version``).

A saved model is plain JSON (vocabulary, idf, coefficients, thresholds, label counts, the blending
constants) and inference is re-implemented here with numpy, so loading a file never runs code from
it; `load` accepts only files whose ``format`` field says this module wrote them.

`CombinedClassifier` blends per label: weight w = min(1, min(positives, negatives) / min_labels) x
min(1, examples in the item's language / min_language) (min_labels, min_language: saved in the model
file, set by ``ewsi classify train --min-labels``); relevance = v x model + (1 - v) x rules with
v = `RELEVANCE_MODEL_SHARE` x w, and the same blend of the two thresholds. Themes are decided one
by one, each on its own threshold: a theme's score is `THEME_MODEL_SHARE` x w x model probability +
the rest x rule score, and its threshold (the head's ``blend_threshold``) is the one that maximises
that theme's F1 on out-of-fold scores of the same blend while keeping `THEME_RECALL_FLOOR` of its
labelled items (folds grouped by source, classifier.split,
so a threshold is never chosen on examples whose site the model saw); with w below 1 the threshold
moves the same share of the way from the rules' theme threshold. A theme is assigned when its score
reaches its threshold (at most `MAX_THEMES`, by margin over the threshold; at least the best one of a
relevant item; `assign_themes`). By grouped 5-fold CV on the training part of the host hold-out
(bench/themes.py, 326 items) this gives theme micro-F1 0.718 with the content-type priors below and
the migrant and integration vocabulary of 21 languages in config/themes.yaml (0.710 without that
vocabulary, 0.694 without either; recall without either: Active Citizenship 0.684,
Economic Participation 0.714, Social Cohesion 0.623, Education and Culture 0.727, Anti-discrimination
0.600, Tools and Techniques 0.682); on the held-out part 0.762 (0.753, 0.746). Model files written before
``blend_threshold`` existed rescale the probability so the head's own threshold lands on the rules'
one and use the rules' single theme threshold. With few labels, or for a language the editors have
not yet labelled, the rules decide.

Similarity in meaning: each theme's blended score also gets `SEMANTIC_SHARE` x the centred
similarity of the item's title and lead to the theme's subtopics (classifier.semantic; no label is
used, so it carries the labelling rules of THEMES.md 1.4, not the labelled sets' sources), with the
thresholds calibrated on it; like the model's part it weighs in by the model's weight for the item's
language (none for a language without labelled items: the rules decide there, and nothing is
embedded), and only for an item above the relevance threshold. The share is saved in the model
file (``semantic_share``, 0 in older files) and shown as evidence; over a sentence, a theme it puts
one standard deviation over the mean counts as cued (`SEMANTIC_CUE`). The best-scored theme's
runner-up is assigned too when it reaches `SECOND_THEME_RATIO` of the best score and has a cue of its
own (bench/themes_semantic.py).

Content type: editors give a report or a handbook Tools and Techniques far more often than a news
story. The model keeps, per content type with enough relevant labels, what the type adds to each
theme's blended score (`content_type_priors`); the item's content type (crawler.types.CONTENT_TYPES,
from its source) adds it before the theme thresholds, which are calibrated with it, and shows it as
evidence (``content type:document +0.068``). Relevance does not use it.

The rules keep two vetoes on relevance, so the model ranks but the rules explain: the model's
probability is multiplied by the rules' negative-context factor exp(-negatives / negative_scale),
and an item without migrant evidence in its language (``migrant`` and ``integration`` terms
weighing less than classifier.rules `MIN_MIGRANT_EVIDENCE`) keeps `NO_MIGRANT_CUE_FACTOR` of its
blended score, below every threshold. On an item of fewer than `MIN_TEXT_WORDS` words the model's
relevance weight is scaled down (`text_factor`): its probability of a near-empty text ("Migrants.") is
no judgement, and the rules decide.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from classifier import eurovoc, semantic, split
from classifier.rules import (
    ELSEWHERE,
    ELSEWHERE_NEGATIVE,
    EUROPE,
    INTEGRATION,
    LEAD_WORDS,
    MIGRANT,
    MIN_MIGRANT_EVIDENCE,
    Analysis,
    RuleEngine,
    area_sum,
    negative_factor,
    tokenize,
    written_form,
)
from crawler.errors import ModelFileError
from crawler.text import clean_text
from crawler.types import CONTENT_TYPES, THEMES, Classification, Evidence, ThemeScore

FORMAT = "ewsi-classifier-model"
FORMAT_VERSION = 1
MIN_LABELS = 30
"""Positives and negatives a label needs before the model fully takes over from the rules."""
MIN_LANGUAGE = 15
"""Labelled examples a language needs before the model fully takes over for items in it."""
MIN_LANGUAGE_CALIBRATION = 20
"""Labelled examples a language needs before its thresholds are calibrated (else the defaults apply)."""
MIN_CLASS_CALIBRATION = 5
"""...of which at least this many positives and this many negatives."""
RULE_GRID: tuple[float, ...] = tuple(round(0.2 + 0.025 * i, 3) for i in range(25))
"""Candidate rule thresholds, 0.2 to 0.8 in steps of 0.025."""
RELEVANCE = "relevance"
NO_MIGRANT_CUE_FACTOR = 0.3
"""Share of the blended relevance an item keeps without any migrant cue (keeps it below threshold)."""
RELEVANCE_MODEL_SHARE = 0.7
"""Share of the relevance score the model takes at full weight; the rules keep the rest (held-out
fifth of themes_train: recall 0.931 at 1.0, 0.966 from 0.8 down to 0.5, precision 0.98 throughout)."""
MIN_TEXT_WORDS = 14
"""Words (title and text together, classifier.rules `tokenize`) an item needs for the model to take its
full share of relevance: the shortest labelled item of themes_train has 14 ("Analyysi: Yhdysvallat
näytti Euroopalle kaapin paikan" and its teaser; the shortest relevant one 16), so on fewer words the
model's probability was never measured. With fewer, the model's weight is scaled by words /
MIN_TEXT_WORDS (`text_factor`) and the rules, which need a migrant cue AND an integration-area cue,
decide the rest: a page titled "Migrants" whose text is "Migrants." (2 words, no area cue) falls from
0.65 to 0.09, while a title that states its subject ("Integration courses for refugees") keeps the
rules' score. The evidence shows `TOO_LITTLE_TEXT` with the share of the model's weight lost."""
TOO_LITTLE_TEXT = "too little text"
NO_MIGRANT_CUE = "too little migrant evidence"
"""Relevance evidence of an item whose migrant cues in its language weigh less than
`MIN_MIGRANT_EVIDENCE` (none, or one weak word such as "migration*" at 1.5; weight: the share of
its score it loses, ``NO_MIGRANT_CUE_FACTOR - 1``), shown so an editor sees why it ranks low."""
NO_AREA_CUE = "no integration-area evidence"
"""Relevance evidence of an item with migrant evidence but no word of an integration area (work,
school, housing, language learning, discrimination ...: config/themes.yaml `relevance.area`,
`relevance.integration` and the themes' terms): the rules' relevance is the geometric mean of the
two sums (classifier.rules), so it is 0 and only the model can lift the item; weight -1.0, the share
of the rules' score lost. Without it a low score showed only the migrant words that raised it."""
THEME_MODEL_SHARE = 0.3
"""Share of a theme score the model takes at full weight; the rules keep the rest (measured on a
held-out fifth of themes_train by source page: theme micro-F1 0.77 at 0.3, 0.75 at 0 and at 0.5,
0.63 at 1; by grouped 5-fold CV on the training part of the host hold-out, bench/themes.py: 0.686 at
0, 0.690 at 0.15, 0.694 at 0.3, 0.694 at 0.5, 0.692 at 0.7)."""
MAX_THEMES = 3
"""Themes assigned at most; each theme is decided on its own threshold, the best one always (grouped
5-fold CV on the training part of the host hold-out: theme micro-F1 0.682 at 2, 0.694 at 3, 0.686 at 4)."""
THEME_HEAD_ROWS = "relevant"
"""Examples the theme heads are fitted on: "relevant" (themes are only given to relevant items) or
"all" (the not-relevant ones as negatives of every theme; thresholds still calibrated on the relevant
ones). Grouped 5-fold CV on the training part of the host hold-out: theme micro-F1 0.694 relevant,
0.688 all (95% host-bootstrap interval of the difference -0.022 to +0.009)."""
SECOND_THEME_SLACK: float | None = None
"""When set, an item given one theme also gets the runner-up whose score is within this share of its
threshold (items mostly carry 1-2 themes). Off: by grouped 5-fold CV on the training part of the
host hold-out (bench/themes.py) it moved theme micro-F1 from 0.694 to 0.696 / 0.698 / 0.700 / 0.694
at 0.1 / 0.2 / 0.35 / 0.5; at 0.35 the 95% host-bootstrap interval of the difference is -0.013 to
+0.024, and the 5-fold CV of themes_dev (the quality gate of tests/test_classifier_eval.py) fell
from 0.763 to 0.739."""
SEMANTIC_SHARE = 0.055
"""Share of the theme similarity in meaning (classifier.semantic: title and lead against each theme's
subtopics, centred over the six themes, in units of its spread) added to each theme's blended score;
thresholds are calibrated with it. Measured by bench/themes_semantic.py (grouped 5-fold CV on the
training part of the host hold-out, fold seeds 0 / 1 / 2)."""
SECOND_THEME_RATIO: float | None = 0.4
"""When set, the best-scored theme's runner-up is also assigned when its score reaches this share of
the best one and it has a cue of its own (`THEME_NEEDS_CUE`). Labelled items carry 1.7 themes on
average; the per-theme thresholds alone give many of them one. Measured by bench/themes_semantic.py."""
EUROVOC_FEATURES: tuple[str, ...] = ()
"""EuroVoc label tiers (classifier.eurovoc: "top", "deep") whose matches in the item's language are
model features (`eurovoc_features`); () for none. Off: by grouped 5-fold CV on the training part of
the host hold-out (bench/themes.py) no variant clearly beat the shipped recipe (theme micro-F1 0.694):
"deep" 0.697 (95% host-bootstrap interval of the difference -0.005 to +0.012), "top" 0.684, both
0.685 (-0.024 to +0.003); once per theme and tier 0.694 / 0.694 (deep / both), with a "+" feature at
3 labels 0.692 / 0.691."""
EUROVOC_FEATURE_COUNT = "labels"
"""How `eurovoc_features` counts: "labels" (one feature per distinct label found), "presence" (one per
theme and tier), "presence+" (and a ``+`` feature at 3 labels or more, as for the rule groups)."""
EUROVOC_RULE_WEIGHT = 0.0
"""Weight of one EuroVoc label found in the item's language, added to its theme's rule sum (see
`analyse`); 0 for none. Off: by grouped 5-fold CV on the training part of the host hold-out, theme
micro-F1 0.677 at 0.5, 0.679 at 1 (all labels), 0.688 at 0.5 deep labels only, 0.685 at 1 top labels
only, against 0.694 without (every interval of the difference reaches below -0.02)."""
EUROVOC_RULE_TIERS: tuple[str, ...] = ("top", "deep")
"""EuroVoc label tiers counted by `EUROVOC_RULE_WEIGHT`."""
_THEME_IDS = {t: t.split()[0].lower() for t in THEMES}
THEME_THRESHOLDS = "per-theme"
"""How the themes' blend thresholds are chosen on out-of-fold scores: "per-theme" (each maximises its
theme's F1) or "micro" (then moved one by one to maximise the micro-F1 of all themes,
`_micro_thresholds`). Per theme: by grouped 5-fold CV on the training part of the host hold-out,
theme micro-F1 0.694 per theme, 0.689 micro (95% host-bootstrap interval of the difference -0.020 to
+0.007; with the deep EuroVoc features 0.687)."""
CONTENT_TYPE_PRIOR = 0.5
"""Share of a content type's theme prior added to the theme's blended score (`content_type_priors`);
0 for none. By grouped 5-fold CV on the training part of the host hold-out (bench/themes.py), theme
micro-F1 0.694 without, 0.700 / 0.710 / 0.697 / 0.704 / 0.705 at 0.25 / 0.5 / 0.75 / 1 / 1.5 (at 0.5
the 95% host-bootstrap interval of the difference is +0.002 to +0.032); held-out part 0.746 -> 0.753;
themes_dev scored by the model trained on themes_train 0.702 -> 0.698 (one label)."""
CONTENT_TYPE_PSEUDO = 10.0
"""Pseudo-items of the overall theme rate a content type's rate is shrunk towards."""
MIN_CONTENT_TYPE = 20
"""Relevant labelled items a content type needs before it has a prior (at 5, the 5-fold CV of the 70
themes_dev items, 42 relevant per training fold, fell from 0.763 to 0.750; at 20 it stays 0.763 and
themes_train's CV is the same 0.710)."""
LABELLED_CONTENT_TYPES: dict[str, str] = {
    "press release": "news",
    "opinion": "news",
    "video": "news",
    "special feature": "news",
    "library document": "document",
    "integration dossier": "document",
    "integration practice": "good_practice",
}
"""The portal's content-type names in labelled files (themes_train.jsonl) -> crawler.types.CONTENT_TYPES;
a name in neither (``service page``) gives no content type."""
THEME_RECALL_FLOOR = 0.85
"""Out-of-fold recall a theme's threshold must keep: the F1-best threshold among those that keep it
(`_best_threshold`). A missed theme hides an item from that theme's list; an extra one costs an
editor a click. Thresholds chosen for F1 alone left the themes with the fewest cues behind (grouped
5-fold CV on the training part of the host hold-out, recall: Social Cohesion 0.639, Active
Citizenship 0.737, against 0.844 for Education and Culture). Floor 0 / 0.75 / 0.8 / 0.82 / 0.85 /
0.88 / 0.9 / 0.95: theme micro-F1 0.737 / 0.735 / 0.739 / 0.741 / 0.741 / 0.737 / 0.739 / 0.711; at
0.85 recall Active Citizenship 0.82, Social Cohesion 0.77, Economic Participation 0.76, Education
and Culture 0.84, Anti-discrimination 0.67, Tools and Techniques 0.71 (95% host-bootstrap interval
of the micro-F1 difference with floor 0: -0.017 to +0.026). Held-out part, looked at once after
that choice: micro-F1 0.761 -> 0.748, recall Active Citizenship 0.58 -> 0.75, Social Cohesion
0.63 -> 0.74 (Education and Culture 0.70, Economic Participation 0.84)."""
THEME_MODEL_CUE = 0.5
"""Probability of a theme's own head (its decision boundary) at which the theme counts as cued
without a rule term; its model words are then the reasons shown (`THEME_NEEDS_CUE`)."""
SEMANTIC_CUE: float | None = 1.0
"""A theme also counts as cued (`THEME_NEEDS_CUE`) when its similarity in meaning (classifier.semantic,
centred, in units of its SCALE: one standard deviation over the six themes' mean) reaches this value;
its reason shown is then "close in meaning to the theme's subtopics"; None: rule terms and model
words only. Grouped 5-fold CV on the training part, seeds 0 / 1 / 2 (bench/themes_semantic.py), with
the runner-up rule also needing a cue: 0.778 / 0.777 / 0.775 with None, 0.785 / 0.784 / 0.780 at 1.0,
the same at 0.5; the runner-up without any cue (the stop before) 0.782 / 0.780 / 0.780."""
SEMANTIC_CUE_WORDS = 8
"""Words of title and lead below which the similarity in meaning is no cue: a few words say which
word is there, not which theme ("Migrants" alone was closest to Active Citizenship). Every labelled
item has 14 or more, so the CV figures above do not move with it."""
THEME_NEEDS_CUE = True
"""A theme is assigned only with a cue of its own: a rule term in the title or lead (for Social
Cohesion a clear one, `THEME_RULE_CUE`), or its head's probability at `THEME_MODEL_CUE`; so every
assigned theme has a reason an editor can read, and a theme whose threshold the recall floor set low
(Active Citizenship, Social Cohesion: 0.12) is not added on the blend's base level alone. An item
with no cued theme gets the one theme with the best blended score. The thresholds stay those
calibrated on every relevant item. Grouped 5-fold CV on the training part of the host hold-out, 3
fold seeds, theme micro-F1: 0.754 without the rule; rule terms only 0.766 (Social Cohesion recall
0.75 -> 0.72, the lowest); with the model's cue at 0.5 / 0.65 / 0.8: 0.764 / 0.767 / 0.766 (Social
Cohesion P / R 0.69 / 0.75 at 0.5, 0.65 / 0.75 before); rule terms only, thresholds calibrated with
the rule too: 0.759."""
THEME_RULE_CUE: dict[str, float] = {"Social Cohesion": 2.0}
"""Rule sum (classifier.rules: term weight x occurrences, a title match counting `title_boost` times)
a theme's terms need in the title and lead to be its cue (`THEME_NEEDS_CUE`, `rule_cued`); a theme
not listed is cued by any of its terms. Social Cohesion's weak terms (weight 1-1.5) are mostly words
for the people every integration story is about ("women", "children", "families", "applicants",
"community", "Familie", "comunidad", in Spain also the name of the regions, "Comunidad de Madrid") or
for a service met in any story ("Beratung"); its threshold, which the recall floor
(`THEME_RECALL_FLOOR`) set at 0.16, is below what one such word gives, so a story on jobs for refugee
women or on language courses for families got Social Cohesion as a second or third theme. With 2
("2 = clear cue" in config/themes.yaml), one weak word in the lead is no cue; "housing", "health"
or one weak word in the title is. Grouped 5-fold CV on the training part, fold seeds 0 / 1 / 2
(bench/themes_semantic.py): theme micro-F1 0.786 / 0.780 / 0.779 -> 0.794 / 0.787 / 0.786 (95%
host-bootstrap interval of the difference, seeds pooled, +0.001 to +0.015), Social Cohesion
precision 0.69 -> 0.76 at recall 0.77 -> 0.75; the same at 1.6 and 2.5. The same rule for every
theme: 0.781 / 0.777 / 0.777 (-0.014 to +0.007; recall falls in every theme); for Tools and
Techniques alone 0.780 / 0.774 / 0.775, for Active Citizenship alone unchanged. Dropping those
words from config/themes.yaml instead (they also weigh in where the story is about Social
Cohesion): 0.785 / 0.782 / 0.779 for the people words, 0.790 / 0.781 / 0.783 with the community
and neighbour words (-0.007 to +0.013). Held-out part, looked at once after the choice: theme
micro-F1 0.784 -> 0.791, Social Cohesion precision 0.58 -> 0.64 at recall 0.74."""
THEME_C: float | None = None
"""Inverse regularisation of the theme heads' logistic regressions; None: the relevance head's `c` of
`train` (4). Grouped 5-fold CV on the training part, fold seeds 0 / 1 / 2 (bench/themes_semantic.py
``--set THEME_C=...``), theme micro-F1 at C 1 / 2 / 4 / 8 / 16: 0.794 / 0.791 / 0.786, 0.792 / 0.792
/ 0.788, 0.794 / 0.787 / 0.786, 0.791 / 0.787 / 0.782, 0.790 / 0.784 / 0.783 (intervals against 4
from -0.006 to +0.007): within noise, unchanged."""
CHAR_NGRAMS: tuple[int, int] = (3, 5)
"""Lengths of the character n-gram features of each word."""
THEME_WINDOW = LEAD_WORDS
"""Words of the text, after the title, that themes are decided on (`theme_lead`). The labelled items
the theme heads and thresholds are fitted on are a title and a teaser of 15 to 36 words
(themes_train.jsonl); a whole article or report names every theme somewhere, and on the blend's
thresholds it got three themes whatever its subject (the corpus replays: Social Cohesion and Active
Citizenship on a checklist for foreign professionals; an independent set of 144 items of 80-120
words, one theme each as its author labelled them: 2.59 themes per relevant item, theme micro
precision 0.38, recall 0.95). Decided on the title and the first 40 words (the longest labelled
teaser, rounded up): 2.01 themes per item, precision 0.47, recall 0.92 (micro-F1 0.54 -> 0.62) on
that set; labelled items are unchanged, so are their figures. Relevance still reads the whole text."""


def theme_lead(text: str | None, words: int | None = None) -> str | None:
    """The first `words` (default `THEME_WINDOW`) whitespace-separated words of `text` (the text
    itself when it has no more)."""
    words = THEME_WINDOW if words is None else words
    if not text:
        return text
    parts = text.split(None, words)
    return text if len(parts) <= words else " ".join(parts[:words])


@dataclass(frozen=True)
class LabelledExample:
    """One editor-labelled item: text, language, relevant flag and themes (portal names)."""

    title: str
    text: str
    language: str | None
    relevant: bool
    themes: tuple[str, ...] = ()
    id: str = ""
    page: str = ""
    """The source page (URL) the example was read from; hold-out splits keep a page together."""
    content_type: str | None = None
    """One of crawler.types.CONTENT_TYPES, or None when unknown (`content_kind`)."""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LabelledExample:
        """Build from a themes_dev.jsonl record (keys id, lang, title, summary or text, relevant, themes);
        title and text get the stored text's hygiene (crawler.text.clean_text: a NUL or a lone
        surrogate in a labelled file is what a harvested item never carries)."""
        themes = tuple(t for t in d.get("themes") or () if t in THEMES)
        return cls(
            title=clean_text(str(d.get("title") or "")) or "",
            text=clean_text(str(d.get("text") or d.get("summary") or "")) or "",
            language=clean_text(str(d.get("lang") or d.get("language") or "")) or None,
            relevant=bool(d.get("relevant")),
            themes=themes,
            id=clean_text(str(d.get("id") or "")) or "",
            page=clean_text(str(d.get("url") or "")) or "",
            content_type=content_kind(d.get("content_type")),
        )


def content_kind(value: object) -> str | None:
    """The content type (crawler.types.CONTENT_TYPES) of a labelled item's ``content_type``: one of
    ours as it is, a portal name through `LABELLED_CONTENT_TYPES`, else None."""
    if not isinstance(value, str):
        return None
    name = value.strip().lower()
    return name if name in CONTENT_TYPES else LABELLED_CONTENT_TYPES.get(name)


def content_type_priors(examples: Sequence[LabelledExample]) -> dict[str, dict[str, float]]:
    """content type -> theme -> the amount added to the theme's blended score of an item of that type.

    On the relevant examples: `CONTENT_TYPE_PRIOR` x (shrunk rate - overall rate), where a type's rate
    of a theme is (items of the type with the theme + `CONTENT_TYPE_PSEUDO` x overall rate) / (items
    of the type + `CONTENT_TYPE_PSEUDO`); only for a type with `MIN_CONTENT_TYPE` relevant items.
    Editors give a report or a handbook (document) Tools and Techniques far more often than a news
    story (themes_train: 70% of relevant library documents, 18% of news items). Rounded to 4 places.
    """
    relevant = [e for e in examples if e.relevant]
    if not CONTENT_TYPE_PRIOR or not relevant:
        return {}
    overall = {t: sum(t in e.themes for e in relevant) / len(relevant) for t in THEMES}
    by_type: dict[str, list[LabelledExample]] = {}
    for e in relevant:
        if e.content_type:
            by_type.setdefault(e.content_type, []).append(e)
    out: dict[str, dict[str, float]] = {}
    for kind, items in sorted(by_type.items()):
        if len(items) < MIN_CONTENT_TYPE:
            continue
        out[kind] = {
            t: round(
                CONTENT_TYPE_PRIOR
                * (
                    (sum(t in e.themes for e in items) + CONTENT_TYPE_PSEUDO * overall[t])
                    / (len(items) + CONTENT_TYPE_PSEUDO)
                    - overall[t]
                ),
                4,
            )
            for t in THEMES
        }
    return out


PLACE_GROUPS = frozenset({ELSEWHERE, EUROPE, ELSEWHERE_NEGATIVE})
"""Rule groups that name places (classifier.rules step 7), kept out of the model's features."""


def features(analysis: Analysis) -> list[str]:
    """Model features of one analysed item (see the module docstring); order is irrelevant."""
    out: list[str] = []
    for tokens in (analysis.title_tokens, analysis.body_tokens):
        words = [t for t in tokens if len(t) > 1 and not t.isdigit()]
        out.extend(words)
        out.extend(f"{a} {b}" for a, b in itertools.pairwise(words))
    out.extend(f"t:{t}" for t in analysis.title_tokens if len(t) > 1 and not t.isdigit())
    for t in itertools.chain(analysis.title_tokens, analysis.body_tokens):
        if len(t) < 2 or t.isdigit():
            continue
        out.extend(_char_grams(t))
    for group, value in analysis.sums.items():
        # where a story is set is no topic evidence: the rules read it (`elsewhere`), the model does not
        if value > 0 and group not in PLACE_GROUPS:
            out.append(f"§{group}")
            if value >= 3:
                out.append(f"§{group}+")
    if EUROVOC_FEATURES:
        out.extend(eurovoc_features(analysis))
    return out


MORE_FUNCTION_WORDS: dict[str, str] = {
    "lt": "kurie kuris kuri kuriuos kurių kurios kurį kuriems kuriam buvo bus yra būti turi gali nėra",
    "lv": "kuri kura kuru kuras kurā kurš kas nav",
    "sl": "kateri katera katere katerih kateremu kateri ter zaradi",
    "et": "kes ning ka mille kelle",
    "mt": "li ta' fil biex għal minn dan din huwa hija jew fuq bejn kif meta wara qabel ukoll mhux kien"
    " kienu se tal tas lil bil mal sal dwar",
}
"""Function words both packages lack (relative pronouns, copulas, conjunctions), from the grammars of
those languages: Lithuanian "kurie", Latvian "kuri", Slovene "kateri" ("which") had been shown to
editors as the model's reasons; the packages have no Maltese list at all."""


@lru_cache(maxsize=64)
def function_words(language: str | None) -> frozenset[str]:
    """The function words of `language` (ISO 639-1), normalised as the tokens are
    (classifier.themes.normalize): the stop-word lists of the packages ``stopwords`` (NLTK-style,
    30-750 words for 42 languages) and ``stopwordsiso`` (stopwords-iso, 35-1,300 words for 58
    languages, every official EU language but Irish and Maltese) together. Either alone missed
    words an editor cannot read as a reason: ``stopwords`` has no Croatian or Estonian list and lacks
    Dutch "voor", Greek "για" / "στην", Italian "nell", Romanian "despre", French "ayant". The larger
    lists also hold some content words (English "work", "research", Spanish "trabajo"):
    `readable_feature` gives those back when the rules count them; `MORE_FUNCTION_WORDS` adds what both
    lack. Empty for None."""
    import stopwords
    import stopwordsiso

    code = language or ""
    words = set(stopwords.safe_get_stopwords(code))
    if code and stopwordsiso.has_lang(code):
        words |= set(stopwordsiso.stopwords(code))
    words |= set(MORE_FUNCTION_WORDS.get(code, "").split())
    return frozenset(t for w in words for t in tokenize(w))


def _counted(word: str, patterns: Iterable[str]) -> bool:
    """True when a rule term's word (``word``, ``stem*``, ``*end``, ``*part*``; config/themes.yaml)
    matches `word`."""
    for p in patterns:
        core = p.strip("*")
        if not core:
            continue
        if p.startswith("*") and p.endswith("*"):
            hit = core in word
        elif p.endswith("*"):
            hit = word.startswith(core)
        elif p.startswith("*"):
            hit = word.endswith(core)
        else:
            hit = word == core
        if hit:
            return True
    return False


def readable_feature(analysis: Analysis) -> Callable[[str], bool]:
    """Which model features an editor can read as a reason: a word or a pair of words of the item
    (``t:`` title words too) of four letters or more and not a function word of the item's language
    (`function_words`: "with", "from", "pour", "dell", "voor", "για"; a pair needs one word that is
    not) unless a rule term found in the item counts it ("work", "trabajo"); not a character n-gram
    ("lin", " rs ") nor a rule-group marker (the rules show their own terms)."""
    words = set(analysis.title_tokens) | set(analysis.body_tokens)
    patterns = {w for found in analysis.evidence.values() for e in found for w in e.term.split()}
    common = {w for w in function_words(analysis.language) & words if not _counted(w, patterns)}

    def readable(feature: str) -> bool:
        if feature.startswith("t:"):
            feature = feature[2:]
        parts = feature.split(" ")
        return (
            len(parts) <= 2
            and all(len(p) > 3 and not p.isdigit() for p in parts)
            and all(p in words for p in parts)
            and not all(p in common for p in parts)
        )

    return readable


def analyse(engine: RuleEngine, title: str | None, text: str | None, language: str | None) -> Analysis:
    """The rules' analysis of one item, its theme scores raised by the EuroVoc labels found in the
    item's language: sat((theme sum + `EUROVOC_RULE_WEIGHT` x distinct labels of the theme in the
    `EUROVOC_RULE_TIERS`) / theme_scale), the rules' own saturation (classifier.rules step 7)."""
    analysis = engine.analyse(title, text, language)
    if not EUROVOC_RULE_WEIGHT or not EUROVOC_RULE_TIERS:
        return analysis
    found = _eurovoc_matches(analysis)
    scale = engine.config.scoring.theme_scale
    for theme in engine.config.themes:
        extra = sum(
            n for (name, tier), n in found.items() if name == theme.name and tier in EUROVOC_RULE_TIERS
        )
        if extra:
            total = analysis.sums.get(f"theme:{theme.id}", 0.0) + EUROVOC_RULE_WEIGHT * extra
            analysis.theme_scores[theme.name] = 1.0 - math.exp(-total / scale)
    return analysis


def _eurovoc_matches(analysis: Analysis) -> dict[tuple[str, str], int]:
    return eurovoc.load().match([*analysis.title_tokens, "", *analysis.body_tokens], analysis.language)


def eurovoc_features(analysis: Analysis) -> list[str]:
    """``§ev:<tier>:<theme>`` for the EuroVoc labels of a theme and tier found in the title and text, in
    the item's language only (classifier.eurovoc): once per distinct label, or once per theme and tier
    (`EUROVOC_FEATURE_COUNT`)."""
    out: list[str] = []
    for (theme, tier), n in sorted(_eurovoc_matches(analysis).items()):
        if tier not in EUROVOC_FEATURES:
            continue
        name = f"§ev:{tier}:{_THEME_IDS[theme]}"
        out.extend([name] * (n if EUROVOC_FEATURE_COUNT == "labels" else 1))
        if EUROVOC_FEATURE_COUNT == "presence+" and n >= 3:
            out.append(f"{name}+")
    return out


@lru_cache(maxsize=65_536)
def _char_grams(token: str) -> tuple[str, ...]:
    """The `CHAR_NGRAMS` character n-grams of `token` padded with a space each side, shortest first
    (a token recurs across an item and across items: computed once)."""
    lo, hi = CHAR_NGRAMS
    padded = f" {token} "
    return tuple(
        padded[i : i + n] for n in range(lo, min(hi, len(padded)) + 1) for i in range(len(padded) - n + 1)
    )


def model_evidence(analysis: Analysis, evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """The model's reasons (``model:<feature>``) with the feature's words as the item writes them
    (``written``: "model:języka" for the feature "jezyka", "model:t:Flüchtlinge" for a title word;
    classifier.rules `written_form`)."""
    out = []
    for ev in evidence:
        feature = ev.term.removeprefix(MODEL_PREFIX)
        if feature != ev.term and ev.written is None:
            title = feature.startswith("t:")
            words = written_form(analysis, feature.removeprefix("t:").split(" "))
            if words:
                ev = replace(ev, written=f"{MODEL_PREFIX}{'t:' if title else ''}{words}")
        out.append(ev)
    return tuple(out)


MODEL_PREFIX = "model:"


def text_factor(analysis: Analysis) -> float:
    """The share of its relevance weight the model keeps on an item: min(1, words / `MIN_TEXT_WORDS`)."""
    return min(1.0, (len(analysis.title_tokens) + len(analysis.body_tokens)) / MIN_TEXT_WORDS)


def has_migrant_cue(analysis: Analysis) -> bool:
    """True when the rules' migrant and integration-of-migrants terms in the item's language weigh at
    least MIN_MIGRANT_EVIDENCE: one decisive term, or two clear ones, not one weak mention."""
    return analysis.sums.get(MIGRANT, 0.0) + analysis.sums.get(INTEGRATION, 0.0) >= MIN_MIGRANT_EVIDENCE


@dataclass
class _Head:
    coef: list[float]
    intercept: float
    positives: int
    negatives: int
    threshold: float
    by_language: dict[str, float] = field(default_factory=dict)
    blend_threshold: float | None = None
    """Themes: threshold of the blended score (`THEME_MODEL_SHARE` x probability + the rest x rule
    score) that maximises F1 on out-of-fold predictions; None in files written before it existed."""


@dataclass
class Model:
    """A trained model: TF-IDF vocabulary and idf, one logistic head per label, and label counts.

    heads: "relevance" and theme names -> head; language_counts: labelled examples per language;
    rule_thresholds: language -> {"relevance": t, "theme": t} calibrated for the rules (see module
    docstring); min_labels / min_language: the blending constants of `CombinedClassifier`.
    """

    vocabulary: dict[str, int]
    idf: list[float]
    heads: dict[str, _Head]
    language_counts: dict[str, int]
    rules_version: str
    created: str
    sklearn_version: str
    rule_thresholds: dict[str, dict[str, float]] = field(default_factory=dict)
    min_labels: int = MIN_LABELS
    min_language: int = MIN_LANGUAGE
    theme_priors: dict[str, dict[str, float]] = field(default_factory=dict)
    """content type -> theme -> amount added to the blended theme score (`content_type_priors`)."""
    semantic_share: float = 0.0
    """Share of the theme similarity in meaning (classifier.semantic) added to each theme's blended
    score, as calibrated (`SEMANTIC_SHARE` when trained); 0 in files written before it existed."""
    _arrays: tuple[Any, ...] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def version(self) -> str:
        """``model-<sha8>`` of the model's parameters (not of its creation time)."""
        d = self._to_dict(with_version=False)
        d.pop("created")
        blob = json.dumps(d, sort_keys=True).encode()
        return f"model-{hashlib.sha256(blob).hexdigest()[:8]}"

    def _matrices(self) -> tuple[list[str], Any, Any, Any, list[str]]:
        """(head labels, coefficients (features x heads), intercepts, idf, feature names), built once."""
        if self._arrays is None:
            labels = list(self.heads)
            coef = np.array([self.heads[h].coef for h in labels], dtype=np.float64).T.copy()
            intercepts = np.array([self.heads[h].intercept for h in labels], dtype=np.float64)
            names = [""] * len(self.idf)
            for f, i in self.vocabulary.items():
                names[i] = f
            self._arrays = (labels, coef, intercepts, np.array(self.idf, dtype=np.float64), names)
        return self._arrays

    def vectorize(self, feats: Sequence[str]) -> dict[int, float]:
        """Sparse TF-IDF vector (sublinear tf, l2-normalised) as sklearn's TfidfVectorizer computes it."""
        idx, values = self._sparse(feats)
        return {int(i): float(v) for i, v in zip(idx, values, strict=True)}

    def _sparse(self, feats: Sequence[str]) -> tuple[Any, Any]:
        vocabulary = self.vocabulary
        ids = [i for i in map(vocabulary.get, feats) if i is not None]
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        idx, counts = np.unique(np.array(ids, dtype=np.int64), return_counts=True)
        values = (1.0 + np.log(counts)) * self._matrices()[3][idx]
        norm = float(np.sqrt(values @ values))
        return idx, (values / norm if norm else values)

    def predict(
        self, feats: Sequence[str], shown: Callable[[str], bool] | None = None
    ) -> dict[str, tuple[float, tuple[Evidence, ...]]]:
        """Probability per head with its top 5 positive features as evidence (``model:<feature>``),
        among those `shown` accepts (all when None)."""
        labels, coef, intercepts, _, names = self._matrices()
        idx, values = self._sparse(feats)
        parts = coef[idx] * values[:, None]  # (features present x heads)
        z = np.clip(intercepts + parts.sum(axis=0), -30.0, 30.0)
        probs = 1.0 / (1.0 + np.exp(-z))
        out: dict[str, tuple[float, tuple[Evidence, ...]]] = {}
        keep = np.array([shown is None or shown(names[i]) for i in idx], dtype=bool)
        for h, label in enumerate(labels):
            column = np.where(keep, parts[:, h], 0.0) if len(idx) else parts[:, h]
            top = np.argsort(-column, kind="stable")[:5] if len(column) else ()
            evidence = tuple(
                Evidence(f"model:{names[idx[j]]}", round(float(column[j]), 3)) for j in top if column[j] > 0
            )
            out[label] = (float(probs[h]), evidence)
        return out

    def threshold(self, label: str, language: str | None) -> float:
        """Calibrated threshold of a head for `language` (falls back to the head's overall threshold)."""
        head = self.heads[label]
        return head.by_language.get(language or "", head.threshold)

    def rule_threshold(self, kind: str, language: str | None, rules_version: str) -> float | None:
        """Calibrated rule threshold (`kind` "relevance" or "theme") for `language`, or None to use the
        defaults: none calibrated for that language, or the rules are not the ones calibrated on."""
        if rules_version != self.rules_version:
            return None
        return self.rule_thresholds.get(language or "", {}).get(kind)

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
            "rule_thresholds": self.rule_thresholds,
            "min_labels": self.min_labels,
            "min_language": self.min_language,
            "vocabulary": self.vocabulary,
            "idf": self.idf,
            "heads": {k: vars(h) for k, h in self.heads.items()},
        }
        if self.theme_priors:
            d["theme_priors"] = self.theme_priors
        if self.semantic_share:
            d["semantic_share"] = self.semantic_share
        if with_version:
            d["version"] = self.version
        return d

    def save(self, path: str | Path) -> None:
        """Write the model as JSON (gzip-compressed when the name ends in .gz); creates the directory."""
        blob = json.dumps(self._to_dict(), ensure_ascii=False, sort_keys=True).encode()
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(gzip.compress(blob, mtime=0) if p.suffix == ".gz" else blob)

    @classmethod
    def load(cls, path: str | Path) -> Model:
        """Read a model written by `save`. Raises ModelFileError for anything else (no code is executed)."""
        p = Path(path)
        try:
            raw = p.read_bytes()
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            d = json.loads(raw)
        except OSError as exc:
            raise ModelFileError(f"{p}: cannot read model: {exc.strerror or exc}") from exc
        except (ValueError, EOFError) as exc:
            raise ModelFileError(f"{p}: cannot read model: {exc}") from exc
        if not isinstance(d, dict) or d.get("format") != FORMAT or d.get("format_version") != FORMAT_VERSION:
            raise ModelFileError(f"{p}: not a {FORMAT} v{FORMAT_VERSION} file")
        try:
            vocabulary = {str(k): int(v) for k, v in d["vocabulary"].items()}
            idf = [float(x) for x in d["idf"]]
            heads = {str(k): _Head(**h) for k, h in d["heads"].items()}
            rule_thresholds = {
                str(lang): {str(k): float(v) for k, v in over.items()}
                for lang, over in (d.get("rule_thresholds") or {}).items()
            }
            min_labels = int(d.get("min_labels", MIN_LABELS))
            min_language = int(d.get("min_language", MIN_LANGUAGE))
            theme_priors = {
                str(kind): {str(t): float(v) for t, v in over.items() if t in THEMES}
                for kind, over in (d.get("theme_priors") or {}).items()
            }
            semantic_share = float(d.get("semantic_share", 0.0))
            if not 0.0 <= semantic_share <= 1.0:
                raise ValueError(f"semantic_share {semantic_share} is outside 0-1")
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
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
            rule_thresholds,
            min_labels,
            min_language,
            theme_priors,
            semantic_share,
        )

    def theme_prior(self, content_type: str | None, theme: str) -> float:
        """What an item of `content_type` adds to `theme`'s blended score (0 without a prior); the
        type is read as `content_kind` reads it (" Document ", "library document" = document)."""
        return self.theme_priors.get(content_kind(content_type) or "", {}).get(theme, 0.0)


def _best_threshold(y: Sequence[int], p: Sequence[float], min_recall: float = 0.0) -> float:
    """Threshold maximising F1 on (label, probability) pairs among those that keep recall at or above
    `min_recall` (among all when none does); 0.5 when there is no positive."""
    if not any(y):
        return 0.5
    positives = sum(y)
    rows: list[tuple[float, float, float]] = []
    for thr in sorted(set(round(x, 4) for x in p)):
        tp = sum(1 for yi, pi in zip(y, p, strict=True) if yi and pi >= thr)
        fp = sum(1 for yi, pi in zip(y, p, strict=True) if not yi and pi >= thr)
        rows.append((thr, tp / positives, _f1(tp, fp, positives - tp)))
    allowed = [r for r in rows if r[1] >= min_recall] or rows
    best = (-1.0, 0.5)
    for thr, _, f1 in allowed:
        if f1 > best[0]:
            best = (f1, thr)
    return best[1]


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _grid_best(score: Callable[[float], float], default: float) -> float:
    """The RULE_GRID value with the best score; ties go to the one closest to `default`."""
    return max(RULE_GRID, key=lambda t: (round(score(t), 9), -abs(t - default)))


def calibrate_rules(
    examples: Sequence[LabelledExample],
    analyses: Sequence[Analysis],
    engine: RuleEngine,
    leads: Sequence[Analysis] | None = None,
) -> dict[str, dict[str, float]]:
    """Per-language rule thresholds from decided items (see the module docstring).

    Returns language -> {"relevance": t} and, when the language also has MIN_LANGUAGE_CALIBRATION
    relevant items with themes, "theme": t. Languages with fewer labels are absent (defaults apply).
    `leads`: the analyses themes are decided on (`theme_lead`; default `analyses`).
    """
    leads = analyses if leads is None else leads
    defaults = engine.config.thresholds
    out: dict[str, dict[str, float]] = {}
    by_language: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        if e.language:
            by_language.setdefault(e.language, []).append(i)
    for lang, rows in sorted(by_language.items()):
        positives = sum(examples[i].relevant for i in rows)
        negatives = len(rows) - positives
        if len(rows) < MIN_LANGUAGE_CALIBRATION or min(positives, negatives) < MIN_CLASS_CALIBRATION:
            continue

        def relevance_f1(t: float, rows: list[int] = rows, positives: int = positives) -> float:
            tp = sum(1 for i in rows if examples[i].relevant and analyses[i].relevance >= t)
            fp = sum(1 for i in rows if not examples[i].relevant and analyses[i].relevance >= t)
            return _f1(tp, fp, positives - tp)

        out[lang] = {"relevance": _grid_best(relevance_f1, defaults.relevance_for(lang))}
        themed = [i for i in rows if examples[i].relevant and examples[i].themes]
        if len(themed) >= MIN_LANGUAGE_CALIBRATION:

            def theme_f1(t: float, themed: list[int] = themed, lang: str = lang) -> float:
                tp = fp = fn = 0
                for i in themed:
                    _, assigned = engine.decide(1.0, leads[i].theme_scores, lang, 0.0, t)
                    gold = set(examples[i].themes)
                    tp += len(gold & set(assigned))
                    fp += len(set(assigned) - gold)
                    fn += len(gold - set(assigned))
                return _f1(tp, fp, fn)

            out[lang]["theme"] = _grid_best(theme_f1, defaults.theme_for(lang))
    return out


def language_balanced_weights(languages: Sequence[str | None], y: Sequence[int]) -> Any:
    """Sample weights giving each class the same total weight within each language (see module doc).

    A language with one class only keeps weight 1 per example; weights average 1 overall.
    """
    cells = Counter(zip(languages, y, strict=True))
    per_language = Counter(languages)
    w = np.array(
        [
            per_language[lang] / (2 * cells[(lang, yi)]) if cells[(lang, 1 - yi)] else 1.0
            for lang, yi in zip(languages, y, strict=True)
        ]
    )
    return w * (len(w) / w.sum())


def _grouped_oof(
    clf: Any, x: Any, y: Sequence[int], groups: Sequence[str], k: int, seed: int, weights: Any
) -> Any:
    """Out-of-fold probabilities of the positive class over `k` folds grouped by `groups` and
    stratified by `y` (StratifiedGroupKFold shuffled with `seed`), or None when some training fold
    would hold one class only (too few groups of a class to calibrate on)."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedGroupKFold

    labels = np.array(y)
    out = np.zeros(len(labels))
    for tr, te in StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed).split(x, labels, groups):
        if len(set(labels[tr].tolist())) < 2:
            return None
        fold = clone(clf).fit(x[tr], labels[tr], sample_weight=None if weights is None else weights[tr])
        out[te] = fold.predict_proba(x[te])[:, 1]
    return out


def train(
    examples: Iterable[LabelledExample | Mapping[str, Any]],
    engine: RuleEngine,
    c: float = 4.0,
    folds: int = 5,
    seed: int = 0,
    min_labels: int = MIN_LABELS,
    min_language: int = MIN_LANGUAGE,
) -> Model:
    """Fit the model on labelled examples (LabelledExample or themes_dev.jsonl-style dicts).

    `min_labels` / `min_language` are saved with the model as the blending constants of
    CombinedClassifier. Raises ValueError when there are no examples of both relevance classes.
    Heads whose label has only one class in the data are left out (the combiner then uses the rules
    for that label).
    """
    import sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    exs = [e if isinstance(e, LabelledExample) else LabelledExample.from_dict(e) for e in examples]
    if len({e.relevant for e in exs}) < 2:
        raise ValueError("training needs relevant and non-relevant examples")
    analyses = [analyse(engine, e.title, e.text, e.language) for e in exs]
    # themes are fitted on what they are decided on: the title and the lead (THEME_WINDOW)
    leads = [
        a if theme_lead(e.text) == e.text else analyse(engine, e.title, theme_lead(e.text), e.language)
        for e, a in zip(exs, analyses, strict=True)
    ]
    feats = [features(a) for a in analyses]
    vectorizer = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True, min_df=1)
    x_all = vectorizer.fit_transform(feats)
    x_lead = (
        x_all
        if all(a is b for a, b in zip(analyses, leads, strict=True))
        else vectorizer.transform([features(a) for a in leads])
    )
    vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
    heads: dict[str, _Head] = {}
    calibration: dict[str, tuple[list[int], list[int], list[float]]] = {}
    groups = split.groups([e.page for e in exs], [e.id or str(i) for i, e in enumerate(exs)])
    priors = content_type_priors(exs)
    near = {
        i: semantic.similarities(engine.config.themes, e.title, theme_lead(e.text)) if SEMANTIC_SHARE else {}
        for i, e in enumerate(exs)
        if e.relevant
    }

    def fit(label: str, rows: list[int], y: list[int]) -> None:
        pos, neg = sum(y), len(y) - sum(y)
        if pos == 0 or neg == 0:
            return
        x = (x_all if label == RELEVANCE else x_lead)[rows]
        weights = None
        blend_threshold: float | None = None
        if label == RELEVANCE:
            clf = LogisticRegression(C=c, solver="liblinear", max_iter=3000)
            weights = language_balanced_weights([exs[r].language for r in rows], y)
        else:
            clf = LogisticRegression(
                C=THEME_C or c, class_weight="balanced", solver="liblinear", max_iter=3000
            )
        row_groups = [groups[r] for r in rows]
        # every class needs k groups of its own, or a grouped fold could train on one class only
        k = min(
            folds,
            len({g for g, yi in zip(row_groups, y, strict=True) if yi}),
            len({g for g, yi in zip(row_groups, y, strict=True) if not yi}),
        )
        oof = _grouped_oof(clf, x, y, row_groups, k, seed, weights) if k >= 2 else None
        if oof is not None:
            floor = 0.0 if label == RELEVANCE else THEME_RECALL_FLOOR
            threshold = _best_threshold(y, list(oof), floor)
            if label != RELEVANCE:
                # themes are decided on relevant items only: calibrate there
                calib = [j for j, r in enumerate(rows) if exs[r].relevant]
                rule = [leads[rows[j]].theme_scores[label] for j in calib]
                blended = [
                    THEME_MODEL_SHARE * float(oof[j])
                    + (1 - THEME_MODEL_SHARE) * q
                    + priors.get(exs[rows[j]].content_type or "", {}).get(label, 0.0)
                    + SEMANTIC_SHARE * near[rows[j]].get(label, 0.0)
                    for j, q in zip(calib, rule, strict=True)
                ]
                blend_threshold = _best_threshold([y[j] for j in calib], blended, floor)
                calibration[label] = ([rows[j] for j in calib], [y[j] for j in calib], blended)
            by_lang: dict[str, float] = {}
            for lang in {exs[r].language for r in rows if exs[r].language}:
                idx = [j for j, r in enumerate(rows) if exs[r].language == lang]
                ys = [y[j] for j in idx]
                if (
                    len(idx) >= MIN_LANGUAGE_CALIBRATION
                    and min(sum(ys), len(ys) - sum(ys)) >= MIN_CLASS_CALIBRATION
                ):
                    by_lang[str(lang)] = _best_threshold(ys, [float(oof[j]) for j in idx], floor)
        else:
            threshold, by_lang = 0.5, {}
        clf.fit(x, y, sample_weight=weights)
        heads[label] = _Head(
            [float(v) for v in clf.coef_[0]],
            float(clf.intercept_[0]),
            pos,
            neg,
            float(threshold),
            by_lang,
            blend_threshold,
        )

    all_rows = list(range(len(exs)))
    fit(RELEVANCE, all_rows, [int(e.relevant) for e in exs])
    theme_rows = all_rows if THEME_HEAD_ROWS == "all" else [i for i, e in enumerate(exs) if e.relevant]
    for theme in THEMES:
        fit(theme, theme_rows, [int(exs[i].relevant and theme in exs[i].themes) for i in theme_rows])
    if THEME_THRESHOLDS == "micro":
        _micro_thresholds(heads, calibration)
    language_counts = Counter(e.language for e in exs if e.language)
    return Model(
        vocabulary,
        [float(v) for v in vectorizer.idf_],
        heads,
        dict(language_counts),
        engine.version,
        datetime.now(UTC).isoformat(timespec="seconds"),
        sklearn.__version__,
        calibrate_rules(exs, analyses, engine, leads),
        int(min_labels),
        int(min_language),
        priors,
        SEMANTIC_SHARE,
    )


def _micro_thresholds(
    heads: Mapping[str, _Head], calibration: Mapping[str, tuple[list[int], list[int], list[float]]]
) -> None:
    """Move the themes' blend thresholds, one theme at a time (two rounds, THEMES order), to the value
    that maximises the micro-F1 of all themes together on the out-of-fold blended scores."""
    names = [n for n in THEMES if n in calibration and heads[n].blend_threshold is not None]
    if not names or any(calibration[n][0] != calibration[names[0]][0] for n in names):
        return
    gold = np.array([calibration[n][1] for n in names]).T
    score = np.array([calibration[n][2] for n in names]).T
    thr = np.array([float(heads[n].blend_threshold or 0.0) for n in names])

    def counts(j: int, t: float) -> tuple[int, int]:
        pred = score[:, j] >= t
        return int((pred & (gold[:, j] == 1)).sum()), int(pred.sum())

    total_gold = int(gold.sum())
    for _ in range(2):
        for j in range(len(names)):
            tp_rest = pp_rest = 0
            for k in range(len(names)):
                if k != j:
                    tp_k, pp_k = counts(k, thr[k])
                    tp_rest, pp_rest = tp_rest + tp_k, pp_rest + pp_k

            def micro(t: float, j: int = j, tp_rest: int = tp_rest, pp_rest: int = pp_rest) -> float:
                tp, pp = counts(j, t)
                return 2 * (tp + tp_rest) / (pp + pp_rest + total_gold)

            candidates = sorted(set(np.round(score[:, j], 4).tolist()))
            thr[j] = max(candidates, key=lambda t: (round(micro(t), 9), -abs(t - thr[j])))
    for j, n in enumerate(names):
        heads[n].blend_threshold = float(thr[j])


def rule_cued(engine: RuleEngine, analysis: Analysis) -> set[str]:
    """The themes whose rule terms in `analysis` are a cue of their own: a positive score, and for a
    theme of `THEME_RULE_CUE` a rule sum of at least its value."""
    return {
        t.name
        for t in engine.config.themes
        if analysis.theme_scores.get(t.name, 0.0) > 0
        and analysis.sums.get(f"theme:{t.id}", 0.0) >= THEME_RULE_CUE.get(t.name, 0.0)
    }


def assign_themes(scores: Mapping[str, float], thresholds: Mapping[str, float]) -> tuple[str, ...]:
    """The themes of a relevant item: those whose score reaches their threshold, at most
    `MAX_THEMES`, ranked by margin over the threshold; at least the best one when it scored; the
    best-scored theme's runner-up at `SECOND_THEME_RATIO` of the best score. A theme whose threshold
    is infinite (no cue of its own: `THEME_NEEDS_CUE`) is never assigned."""
    ranked = sorted(THEMES, key=lambda n: (-(scores[n] - thresholds[n]), THEMES.index(n)))
    chosen = [n for n in ranked if scores[n] >= thresholds[n]][:MAX_THEMES]
    chosen = chosen or ([ranked[0]] if scores[ranked[0]] > 0 else [])
    if SECOND_THEME_RATIO is not None and chosen:
        best, runner = sorted(THEMES, key=lambda n: (-scores[n], THEMES.index(n)))[:2]
        for n in (best, runner):
            if (
                n not in chosen
                and len(chosen) < MAX_THEMES
                and scores[n] >= SECOND_THEME_RATIO * scores[best] > 0
                and math.isfinite(thresholds[n])
            ):
                chosen.append(n)
    if SECOND_THEME_SLACK is not None and len(chosen) == 1:
        runner = ranked[1]
        slack = SECOND_THEME_SLACK * thresholds[runner]
        if scores[runner] > 0 and scores[runner] >= thresholds[runner] - slack:
            chosen.append(runner)
    return tuple(chosen)


class CombinedClassifier:
    """Rules plus learned model, blended per label and language (see the module docstring)."""

    def __init__(
        self,
        engine: RuleEngine,
        model: Model,
        min_labels: int | None = None,
        min_language: int | None = None,
    ):
        """`min_labels` / `min_language` default to the values saved in the model file. Raises
        ModelFileError when the model scores themes by similarity in meaning and the encoder's
        package is not installed (so a harvest stops at the start, not at the first relevant item)."""
        if model.semantic_share and (reason := semantic.missing()):
            raise ModelFileError(f"model {model.version}: {reason}")
        self.engine = engine
        self.model = model
        self.min_labels = model.min_labels if min_labels is None else min_labels
        self.min_language = model.min_language if min_language is None else min_language
        self.version = f"{model.version}+{engine.version}"

    def classify(
        self,
        title: str | None,
        text: str | None,
        language: str | None = None,
        content_type: str | None = None,
    ) -> Classification:
        """Classify one item; same contract as RuleEngine.classify; `content_type` (one of
        crawler.types.CONTENT_TYPES) adds the model's prior for that type to each theme's blended
        score (`content_type_priors`)."""
        analysis = analyse(self.engine, title, text, language)
        predicted = self.model.predict(features(analysis), readable_feature(analysis))
        thr = self.engine.config.thresholds
        rules_version = self.engine.version
        calibrated_rel = self.model.rule_threshold(RELEVANCE, language, rules_version)
        calibrated_theme = self.model.rule_threshold("theme", language, rules_version)
        rule_rel_thr = thr.relevance_for(language) if calibrated_rel is None else calibrated_rel
        rule_theme_thr = thr.theme_for(language) if calibrated_theme is None else calibrated_theme

        negative = negative_factor(
            analysis.sums, self.engine.config.themes, self.engine.config.scoring, analysis.lead_sums
        )

        short = text_factor(analysis)

        def blend(label: str, rule_score: float, rule_thr: float) -> tuple[float, float, float]:
            w = self.model.weight(label, language, self.min_labels, self.min_language) * RELEVANCE_MODEL_SHARE
            if w == 0 or label not in predicted:
                return rule_score, rule_thr, 0.0
            p = predicted[label][0]
            if label == RELEVANCE:
                p *= negative
                w *= short
            return (
                w * p + (1 - w) * rule_score,
                w * self.model.threshold(label, language) + (1 - w) * rule_thr,
                w,
            )

        relevance, rel_thr, w_rel = blend(RELEVANCE, analysis.relevance, rule_rel_thr)
        migrant_cue = has_migrant_cue(analysis)
        if not migrant_cue:
            relevance *= NO_MIGRANT_CUE_FACTOR
        lead_text = theme_lead(text)
        if lead_text == text:
            lead, lead_predicted = analysis, predicted
        else:
            lead = analyse(self.engine, title, lead_text, language)
            lead_predicted = self.model.predict(features(lead), readable_feature(lead))
        similar = (
            {
                n: self.model.semantic_share * v
                for n, v in semantic.similarities(self.engine.config.themes, title, lead_text).items()
            }
            # an item below the relevance threshold is given no theme: its embedding would cost
            # about 50 ms of CPU for nothing (most harvested items are off topic)
            if self.model.semantic_share
            and relevance >= rel_thr
            and any(self.model.weight(n, language, self.min_labels, self.min_language) for n in THEMES)
            else dict.fromkeys(THEMES, 0.0)
        )
        scores, thresholds, theme_evidence = self._themes(
            lead, lead_predicted, language, content_type, rule_theme_thr, similar
        )
        relevant = relevance >= rel_thr
        decided_on = lead
        if lead is not analysis and not any(lead.theme_scores.values()):
            # the lead names no theme (a byline, a cover page): the whole text decides, one theme
            decided_on = analysis
            scores, thresholds, theme_evidence = self._themes(
                analysis, predicted, language, content_type, rule_theme_thr, similar
            )
        if THEME_NEEDS_CUE:
            # a theme without a cue of its own is not assigned; with no cue at all, the best score
            model_p = predicted if decided_on is analysis else lead_predicted
            semantic_cue = (
                SEMANTIC_CUE * self.model.semantic_share
                if SEMANTIC_CUE is not None
                and self.model.semantic_share
                and len(f"{title or ''} {lead_text}".split()) >= SEMANTIC_CUE_WORDS
                else None
            )
            rule = rule_cued(self.engine, decided_on)
            cued = {
                n
                for n in decided_on.theme_scores
                if n in rule
                or (n in model_p and model_p[n][0] >= THEME_MODEL_CUE)
                or (semantic_cue is not None and similar[n] >= semantic_cue)
            }
            if cued:
                thresholds = {n: t if n in cued else math.inf for n, t in thresholds.items()}
            else:
                best = max(THEMES, key=lambda n: (scores[n], -THEMES.index(n)))
                thresholds = {n: math.ulp(0.0) if n == best else math.inf for n in THEMES}
        assigned = assign_themes(scores, thresholds) if relevant else ()
        if decided_on is not lead:
            assigned = assigned[:1]
        rel_evidence = self.engine.relevance_evidence(analysis)
        if not migrant_cue:
            rel_evidence += (Evidence(NO_MIGRANT_CUE, round(NO_MIGRANT_CUE_FACTOR - 1, 3)),)
        elif not area_sum(
            analysis.sums, self.engine.config.themes, self.engine.config.scoring.theme_area_factor
        ):
            rel_evidence += (Evidence(NO_AREA_CUE, -1.0),)
        if short < 1 and w_rel > 0:
            rel_evidence += (Evidence(TOO_LITTLE_TEXT, round(short - 1, 3)),)
        if w_rel > 0 and relevant:
            # the model's words explain a relevant item; on another, spread over thousands of
            # features, the few with the largest share (0.002 of a log-odds) explain nothing
            rel_evidence += model_evidence(analysis, predicted[RELEVANCE][1])
        themes = tuple(
            sorted(
                (ThemeScore(n, round(s, 4), theme_evidence[n]) for n, s in scores.items()),
                key=lambda ts: (-ts.score, THEMES.index(ts.theme)),
            )
        )
        return Classification(round(relevance, 4), relevant, themes, assigned, rel_evidence, self.version)

    def _themes(
        self,
        analysis: Analysis,
        predicted: Mapping[str, tuple[float, tuple[Evidence, ...]]],
        language: str | None,
        content_type: str | None,
        rule_theme_thr: float,
        similar: Mapping[str, float],
    ) -> tuple[dict[str, float], dict[str, float], dict[str, tuple[Evidence, ...]]]:
        """(score, threshold, evidence) per theme of the blend of rules and model for one analysis."""
        scores: dict[str, float] = {}
        thresholds: dict[str, float] = {}
        theme_evidence: dict[str, tuple[Evidence, ...]] = {}
        for name in THEMES:
            w = self.model.weight(name, language, self.min_labels, self.min_language) * THEME_MODEL_SHARE
            rule_score = analysis.theme_scores[name]
            head = self.model.heads.get(name)
            thresholds[name] = rule_theme_thr
            near = 0.0  # what the similarity in meaning added to the score
            if w > 0 and head is not None and head.blend_threshold is not None:
                # the blend the head's threshold was calibrated on; a partial weight moves the
                # threshold the same share of the way from the rules' one
                share = w / THEME_MODEL_SHARE
                prior = share * self.model.theme_prior(content_type, name)
                near = share * similar[name]
                scores[name] = max(
                    0.0, min(1.0, w * predicted[name][0] + (1 - w) * rule_score + prior + near)
                )
                thresholds[name] = share * head.blend_threshold + (1 - share) * rule_theme_thr
            elif w > 0 and name in predicted:
                # the model's probability rescaled so its calibrated threshold lands on the rules' one
                p = predicted[name][0] * rule_theme_thr / max(1e-6, self.model.threshold(name, language))
                scores[name] = max(0.0, min(1.0, w * p + (1 - w) * rule_score))
            else:
                scores[name] = rule_score
            evidence = self.engine.theme_evidence(analysis, name)
            if w > 0 and name in predicted:
                evidence += model_evidence(analysis, predicted[name][1])
            prior = self.model.theme_prior(content_type, name) if w > 0 and head is not None else 0.0
            added = round(prior * w / THEME_MODEL_SHARE, 3) + 0.0  # + 0.0: never "-0.0"
            if added and head is not None and head.blend_threshold is not None:
                evidence += (Evidence(f"content type:{content_kind(content_type)}", added),)
            if round(near, 3) > 0:
                evidence += (Evidence(semantic.EVIDENCE, round(near, 3)),)
            theme_evidence[name] = evidence
        return scores, thresholds, theme_evidence
