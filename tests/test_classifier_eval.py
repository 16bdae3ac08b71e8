"""Evaluation metrics, the learned model, and the quality gate on ../shared/data/themes_dev.jsonl."""

from __future__ import annotations

import json
import os
import pickle
import re
from pathlib import Path

import pytest

from classifier.evaluate import cross_validate, evaluate, load_examples, main, metrics
from classifier.model import (
    MIN_LANGUAGE_CALIBRATION,
    CombinedClassifier,
    LabelledExample,
    Model,
    ModelFileError,
    features,
    language_balanced_weights,
    train,
)
from classifier.rules import RuleEngine
from classifier.themes import load
from crawler.cli import main as ewsi
from crawler.types import THEMES, Classification, ThemeScore

SHARED = Path(os.environ.get("EWSI_SHARED") or Path(__file__).resolve().parents[1] / ".." / "shared")
DEV = SHARED / "data" / "themes_dev.jsonl"

# Floors a little under what was measured (rules: relevance F1 0.970, theme micro 0.806, macro 0.798;
# rules + model by 5-fold CV on these 70 items: relevance F1 0.950, micro 0.750, macro 0.738). In the
# CV one item's themes moving from right to wrong moves micro-F1 by about 0.0125 (0.762 before the
# migrant and integration vocabulary of 21 languages, through one English item): the model floors sit
# one such item under the measurement. The runner-up rule (classifier.model.SECOND_THEME_RATIO, chosen
# by grouped CV on themes_train) moved this CV from 0.741 to 0.735 (0.753 with the theme similarity
# alone, 0.735 with both): the micro floor sits one item under that.
RULES_FLOORS = {"relevance_f1": 0.93, "micro_f1": 0.77, "macro_f1": 0.76}
CV_FLOORS = {"relevance_f1": 0.93, "micro_f1": 0.72, "macro_f1": 0.72}


def _dev() -> list[LabelledExample]:
    if not DEV.exists():
        pytest.skip(f"../shared not found: {DEV}")
    return load_examples(DEV)


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine(load())


def _pred(relevant: bool, assigned: tuple[str, ...]) -> Classification:
    themes = tuple(ThemeScore(t, 1.0 if t in assigned else 0.0) for t in THEMES)
    return Classification(0.9 if relevant else 0.1, relevant, themes, assigned)


def test_metrics_on_known_pairs():
    ac, ec = "Active Citizenship", "Education and Culture"
    pairs = [
        (LabelledExample("a", "", "en", True, (ac, ec)), _pred(True, (ac,))),  # tp rel; ac tp, ec fn
        (LabelledExample("b", "", "en", True, (ec,)), _pred(False, ())),  # fn rel; ec fn
        (LabelledExample("c", "", "de", False), _pred(True, (ec,))),  # fp rel; ec fp
        (LabelledExample("d", "", "de", False), _pred(False, ())),  # tn
    ]
    m = metrics(pairs)
    assert m["relevance"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": 1, "fp": 1, "fn": 1, "tn": 1}
    assert m["themes"]["per_theme"][ac]["f1"] == 1.0
    assert m["themes"]["per_theme"][ec] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 2}
    # micro: tp 1, fp 1, fn 2 -> P 0.5, R 1/3, F1 0.4; macro over the two themes seen: (1 + 0) / 2
    assert m["themes"]["micro_f1"] == 0.4
    assert m["themes"]["macro_f1"] == 0.5
    result = evaluate([p[0] for p in pairs], lambda e: dict((id(g), p) for g, p in pairs)[id(e)])
    assert set(result["per_language"]) == {"de", "en"}
    assert result["per_language"]["de"]["relevance"]["fp"] == 1
    assert [c["kind"] for c in result["confusions"]] == ["themes", "false_negative", "false_positive"]


def test_quality_gate_rules(engine):
    result = evaluate(_dev(), lambda e: engine.classify(e.title, e.text, e.language))
    assert result["relevance"]["f1"] >= RULES_FLOORS["relevance_f1"]
    assert result["themes"]["micro_f1"] >= RULES_FLOORS["micro_f1"]
    assert result["themes"]["macro_f1"] >= RULES_FLOORS["macro_f1"]
    # the deliberate hard negatives of the dev set stay out
    assert result["relevance"]["fp"] == 0


@pytest.mark.slow
def test_quality_gate_learned_model_by_cross_validation(engine):
    result = cross_validate(_dev(), engine, k=5)
    assert result["model_version"].startswith("cv5:")
    assert result["relevance"]["f1"] >= CV_FLOORS["relevance_f1"]
    assert result["themes"]["micro_f1"] >= CV_FLOORS["micro_f1"]
    assert result["themes"]["macro_f1"] >= CV_FLOORS["macro_f1"]


def _toy() -> list[LabelledExample]:
    rel = [
        LabelledExample(
            f"Refugees housing {i}", "Migrants find homes and shelter.", "en", True, ("Social Cohesion",)
        )
        for i in range(20)
    ]
    rel += [
        LabelledExample(
            f"Migrant workers jobs {i}", "Employment of migrants.", "en", True, ("Economic Participation",)
        )
        for i in range(20)
    ]
    neg = [
        LabelledExample(f"State aid scheme {i}", "Commission approves aid for ports.", "en", False)
        for i in range(20)
    ]
    return rel + neg


def test_model_learns_saves_and_loads_only_its_own_files(engine, tmp_path):
    model = train(_toy(), engine)
    assert model.heads["relevance"].positives == 40 and model.heads["relevance"].negatives == 20
    assert "Active Citizenship" not in model.heads  # one class only: left to the rules
    path = tmp_path / "model.json.gz"
    model.save(path)
    loaded = Model.load(path)
    assert loaded.version == model.version
    feats = features(engine.analyse("Housing for refugees", None, "en"))
    assert loaded.predict(feats)["relevance"][0] == pytest.approx(model.predict(feats)["relevance"][0])
    assert loaded.predict(feats)["Social Cohesion"][0] > loaded.predict(feats)["Economic Participation"][0]
    bogus = tmp_path / "bogus.json"
    bogus.write_text(json.dumps({"format": "something-else"}), encoding="utf-8")
    with pytest.raises(ModelFileError, match="not a ewsi-classifier-model"):
        Model.load(bogus)
    pickled = tmp_path / "model.pkl"
    pickled.write_bytes(pickle.dumps({"format": "ewsi-classifier-model"}))
    with pytest.raises(ModelFileError, match="cannot read"):
        Model.load(pickled)


def test_model_inference_matches_sklearn(engine):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    examples = _toy()
    model = train(examples, engine)
    feats = [features(engine.analyse(e.title, e.text, e.language)) for e in examples]
    vec = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True)
    x = vec.fit_transform(feats)
    y = [int(e.relevant) for e in examples]
    weights = language_balanced_weights([e.language for e in examples], y)
    clf = LogisticRegression(C=4.0, solver="liblinear", max_iter=3000).fit(x, y, sample_weight=weights)
    expected = clf.predict_proba(x)[:, 1]
    got = [model.predict(f)["relevance"][0] for f in feats]
    assert got == pytest.approx(list(expected), abs=1e-6)


def test_combiner_defers_to_rules_without_enough_labels(engine):
    model = train(_toy(), engine)
    title = "Refugees and migrant workers find housing and jobs"
    rules = engine.classify(title, None, "en")
    # language never labelled: the rules decide alone
    fr = CombinedClassifier(engine, model).classify(title, None, "fr")
    assert fr.relevance == pytest.approx(engine.classify(title, None, "fr").relevance, abs=1e-4)
    # enough English labels: the model moves the score and shows its features
    en = CombinedClassifier(engine, model, min_labels=10, min_language=10).classify(title, None, "en")
    assert en.relevance != pytest.approx(rules.relevance, abs=1e-3)
    assert en.relevant  # the model's words are reasons of a relevant item
    assert any(e.term.startswith("model:") for e in en.relevance_evidence)
    assert en.model_version == f"{model.version}+{engine.version}"


def test_cli_json(capsys):
    if not DEV.exists():
        pytest.skip(f"../shared not found: {DEV}")
    assert main(["--data", str(DEV), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["relevance"]) >= {"precision", "recall", "f1"}
    assert set(out["themes"]) >= {"micro_f1", "macro_f1", "per_theme"}
    assert set(out["themes"]["per_theme"]) == set(THEMES)
    assert out["per_language"]["en"]["n"] == 48


def test_cli_report_and_bad_file(capsys, tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text(
        json.dumps(
            {
                "id": "x",
                "lang": "en",
                "title": "Refugee housing",
                "summary": "",
                "relevant": True,
                "themes": ["Social Cohesion"],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    assert main(["--data", str(data)]) == 0
    report = capsys.readouterr().out
    assert "relevance  P 1.000  R 1.000  F1 1.000" in report
    data.write_text("not json\n", encoding="utf-8")
    assert ewsi(["classify", "eval", "--data", str(data)]) == 2
    assert capsys.readouterr().err.startswith(f"ewsi classify eval: error: {data}:1: not JSON")


def _weak_german(n_pos: int, n_neg: int, language: str = "de") -> list[LabelledExample]:
    # "Vertriebene sind willkommen." scores 0.456 by the rules: under the 0.5 default threshold
    pos = [
        LabelledExample("", f"Vertriebene sind willkommen. {i}", language, True, ("Social Cohesion",))
        for i in range(n_pos)
    ]
    neg = [LabelledExample("", f"Der Haushalt {i} ist beschlossen.", language, False) for i in range(n_neg)]
    return pos + neg


def test_rule_thresholds_calibrated_per_language_with_enough_labels(engine, monkeypatch):
    # one weak migrant cue: below the migrant-evidence gate, which is pinned elsewhere; lowered here so
    # that only the calibration decides
    monkeypatch.setattr("classifier.model.MIN_MIGRANT_EVIDENCE", 1.0)
    weak = "Vertriebene sind willkommen."
    assert engine.analyse(None, weak, "de").relevance == pytest.approx(0.456, abs=1e-3)
    examples = _weak_german(20, 6) + _weak_german(12, 6, "nl") + _toy()
    model = train(examples, engine)
    # de: 26 labels, both classes >= 5 -> the grid value closest to 0.5 that keeps F1 = 1;
    # no rule assigns a theme, so every theme threshold ties and the default stays
    assert model.rule_thresholds["de"] == {"relevance": 0.45, "theme": 0.4}
    assert "nl" not in model.rule_thresholds  # 18 < MIN_LANGUAGE_CALIBRATION
    assert MIN_LANGUAGE_CALIBRATION > 18
    # en (the toy set): relevance scores of both classes are far apart: 0.5 already separates them
    assert model.rule_thresholds["en"]["relevance"] == 0.5
    # the combined classifier applies the German threshold, and only for German
    combined = CombinedClassifier(engine, model, min_labels=10**9)
    assert combined.classify(None, weak, "de").relevant
    assert not combined.classify(None, weak, "nl").relevant
    assert not engine.classify(None, weak, "de").relevant
    # saved and loaded with the model; ignored once themes.yaml is no longer the calibrated one
    assert model.rule_threshold("relevance", "de", engine.version) == 0.45
    assert model.rule_threshold("relevance", "de", "rules-00000000") is None


def test_model_file_keeps_blending_constants_and_thresholds(engine, tmp_path):
    model = train(_weak_german(20, 6) + _toy(), engine, min_labels=100, min_language=3)
    path = tmp_path / "m.json"
    model.save(path)
    loaded = Model.load(path)
    assert (loaded.min_labels, loaded.min_language) == (100, 3)
    assert loaded.rule_thresholds == model.rule_thresholds
    combined = CombinedClassifier(engine, loaded)
    assert (combined.min_labels, combined.min_language) == (100, 3)
    # relevance: 60 positives, 26 negatives -> weight min(1, 26 / 100) x min(1, 26 German / 3)
    assert loaded.weight("relevance", "de", 100, 3) == pytest.approx(0.26)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"title": "a", "relevant": "yes", "themes": []}, "`relevant` must be true or false, got 'yes'"),
        ({"title": "a", "themes": []}, "`relevant` must be true or false, got None"),
        ({"title": "a", "relevant": 1}, "`relevant` must be true or false, got 1"),
        (
            {"title": "a", "relevant": True, "themes": ["Social Kohesion"]},
            "unknown theme(s) 'Social Kohesion'",
        ),
        ({"title": "a", "relevant": True, "themes": "Social Cohesion"}, "`themes` must be a list"),
        ({"title": "a", "relevant": False, "themes": ["Social Cohesion"]}, "given for an item that is not"),
        ({"id": "T8", "relevant": False}, "no `title`, `text` or `summary`"),
        ({"title": " ", "summary": "", "relevant": False}, "no `title`, `text` or `summary`"),
    ],
)
def test_an_unusable_label_is_refused_with_its_line(tmp_path, record, message):
    """A label read otherwise than written would change the figures silently: the file is refused."""
    good = {"title": "Refugees learn German", "relevant": True, "themes": ["Education and Culture"]}
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_examples(path)
    assert str(err.value).startswith(f"{path}:3: ") and message in str(err.value), str(err.value)


def test_a_usable_file_loads_every_record(tmp_path):
    rows = [
        {"title": "Refugees learn German", "relevant": True, "themes": ["Education and Culture"]},
        {"summary": "Storm warning for the coast", "relevant": False, "themes": []},
        {"text": "Rain", "relevant": False, "themes": None},
    ]
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert [e.relevant for e in load_examples(path)] == [True, False, False]


@pytest.mark.parametrize(
    ("raw", "title", "text", "language", "ident"),
    [
        # JSON escapes of what no harvested text carries: a lone surrogate, a NUL, C0 controls
        (
            b'{"id": "a\\ud800", "title": "Refugees \\ud800 learn", "relevant": false}',
            "Refugees \ufffd learn",
            "",
            None,
            "a\ufffd",
        ),
        (b'{"title": "Stu\\u0000dy", "summary": "x\\u0007y", "relevant": false}', "Study", "xy", None, ""),
        (b'{"title": "Ok", "lang": "e\\udc80n", "relevant": false}', "Ok", "", "e\ufffdn", ""),
        # a split surrogate pair is one character, kept
        (b'{"title": "Welcome \\ud83d\\udc4d", "relevant": false}', "Welcome \U0001f44d", "", None, ""),
        # a byte order mark before the first line
        (b'\xef\xbb\xbf{"title": "Refugees", "relevant": false}', "Refugees", "", None, ""),
        # raw UTF-8 as it is
        ('{"title": "Uchodźcy w Łodzi", "relevant": false}'.encode(), "Uchodźcy w Łodzi", "", None, ""),
    ],
)
def test_labelled_text_gets_the_stored_texts_hygiene(tmp_path, raw, title, text, language, ident):
    path = tmp_path / "labels.jsonl"
    path.write_bytes(raw + b"\n")
    (example,) = load_examples(path)
    assert (example.title, example.text, example.language, example.id) == (title, text, language, ident)


@pytest.mark.parametrize(
    ("raw", "line", "byte"),
    [
        ('{"title": "Réfugiés", "relevant": false}'.encode("latin-1"), 1, 13),
        (b'{"title": "a", "relevant": false}\n{"title": "\xff\xfe", "relevant": false}', 2, 12),
        (b'{"title": "a", "relevant": false}\n\n{"title": "\xef\xbb\xbf\xc3", "relevant": false}', 3, 15),
    ],
)
def test_a_file_not_in_utf8_is_refused_with_its_line(tmp_path, raw, line, byte):
    path = tmp_path / "labels.jsonl"
    path.write_bytes(raw + b"\n")
    with pytest.raises(
        ValueError, match=rf"^{re.escape(str(path))}:{line}: not UTF-8 \(byte {byte} of the line\)$"
    ):
        load_examples(path)


def test_eval_of_a_labelled_file_with_a_lone_surrogate_prints_a_report(capsys, tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_bytes(
        b'{"id": "s\\udfff", "title": "Refugees \\ud800 housing", "relevant": true, '
        b'"themes": ["Social Cohesion"]}\n'
    )
    assert main(["--data", str(path)]) == 0
    assert main(["--data", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    assert "relevance  P" in out and "\ud800" not in out


@pytest.mark.parametrize(
    ("shown", "total", "tail"), [(30, 35, "... and 5 more"), (30, 30, None), (2, 3, "... and 1 more")]
)
def test_the_report_says_how_many_confusions_it_left_out(shown: int, total: int, tail: str | None) -> None:
    from classifier.evaluate import format_report, metrics

    result = metrics([])
    result["per_language"] = {}
    result["confusions"] = [
        {
            "id": f"T{i}",
            "language": "en",
            "kind": "themes",
            "relevance": 0.9,
            "title": f"item {i}",
            "gold_themes": [],
            "predicted_themes": [],
            "evidence": [],
        }
        for i in range(total)
    ]
    lines = format_report(result, max_confusions=shown).splitlines()
    assert f"confusions ({total}):" in lines
    assert sum(1 for line in lines if line.startswith("  T")) == shown
    if tail is None:
        assert not lines[-1].startswith("  ...")
    else:
        assert lines[-1].startswith(f"  {tail}")


@pytest.mark.parametrize(
    "languages",
    [
        ["en"],
        ["en", "de"],
        ["pt-BR", "en"],
        ["xx-bogus", "en"],
        ["und"],
        ["zh-Hant-TW", "fr", "en"],
        ["a" * 30],
    ],
)
def test_the_per_language_table_keeps_its_columns_whatever_the_labels(languages: list[str]) -> None:
    """Every row of the per-language table has its n and figures under the header's columns, however
    long a language label of the labelled file is (classifier.evaluate.format_report)."""
    from classifier.evaluate import format_report, metrics

    result = metrics([])
    result["per_language"] = {lang: metrics([]) | {"n": 7} for lang in languages}
    result["confusions"] = []
    lines = format_report(result).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("lang"))
    rows = lines[header + 1 : header + 1 + len(languages)]
    n_column = lines[header].index("   n") + 3
    macro_end = len(lines[header])
    for lang, row in zip(languages, rows, strict=True):
        assert row.startswith(lang + " ")
        assert row[n_column] == "7", (lines[header], row)
        assert len(row) == macro_end, (lines[header], row)
