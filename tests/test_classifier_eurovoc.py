"""EuroVoc theme vocabulary (shipped file, matching in the item's language only, model features) and the
micro-F1 theme thresholds."""

from __future__ import annotations

import gzip
import json

import pytest

import classifier.model as cm
from classifier import eurovoc
from classifier.eurovoc import ATTRIBUTION, VOCABULARY_PATH, Vocabulary, generate, load
from classifier.rules import RuleEngine, tokenize
from classifier.themes import load as load_themes
from crawler.types import THEMES

EP, AC, EC = "Economic Participation", "Active Citizenship", "Education and Culture"


def test_shipped_vocabulary_names_its_source_and_covers_23_languages():
    data = json.loads(gzip.decompress(VOCABULARY_PATH.read_bytes()))
    assert data["format"] == "ewsi-eurovoc-themes"
    assert data["attribution"] == ATTRIBUTION == "EuroVoc, © European Union"
    assert len(data["terms"]) == 23 and "ga" not in data["terms"]
    assert set(data["terms"]["en"]) == {"top", "deep"} and set(data["terms"]["de"]) == {"top"}
    assert data["terms"]["de"]["top"]["arbeitslosigkeit"] == [EP]
    # the migration micro-thesaurus is a relevance cue, not a theme cue: left out
    assert "migration" not in data["terms"]["en"]["top"]
    assert "migration" not in data["terms"]["en"]["deep"]


def test_labels_match_in_the_items_language_only():
    v = load()
    words = tokenize("Arbeitslosigkeit und berufliche Bildung")
    assert v.match(words, "de") == {(EC, "top"): 1, (EP, "top"): 3}
    assert v.match(words, "fi") == {}
    assert v.match(words, None) == {}
    assert v.match(tokenize("labour"), "fr") == {}


def test_long_words_match_by_stem_and_phrases_need_consecutive_words():
    v = load()
    # "työttömyys" (unemployment) inflected
    assert v.match(tokenize("Työttömyyden vähentäminen"), "fi") == {(EP, "top"): 1}
    assert v.match(tokenize("labour market"), "en") == {(EP, "deep"): 3, (EP, "top"): 1}
    assert v.match(tokenize("labour"), "en") == {(EP, "deep"): 2}
    assert v.match(tokenize("market labour"), "en") == {(EP, "deep"): 2}


def test_generate_skips_domains_and_migration_and_unescapes(tmp_path):
    langs = eurovoc.LANGUAGE_COLUMNS
    head = "eurovoc_id,level,mt_or_domain_code,mt_or_domain_label_en,mapped_themes," + ",".join(langs)

    def row(level: str, themes: str, en: str) -> str:
        return f"1,{level},1,x,{themes}," + ",".join(en if lang == "en" else "" for lang in langs)

    (tmp_path / eurovoc.TOPLEVEL_CSV).write_text(
        "\n".join(
            [
                head,
                row("domain", "", "politics"),
                row("top_concept", "Active Citizenship;(core migration/integration relevance)", "migration"),
                row("top_concept", "Active Citizenship", "citizen&#39;s duties"),
                row("top_concept", "Economic Participation;Anti-discrimination and Equality", "Labour Law"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    (tmp_path / eurovoc.CONCEPTS_CSV).write_text(
        "eurovoc_id,microthesauri,mapped_themes,in_migration_filter_list,prefLabel_en,prefLabel_fr,"
        "altLabels_en,altLabels_fr,broader,related\n"
        "2,3206,Education and Culture,,pupil,élève,schoolchild | school pupil,,,\n"
        "3,2811,Active Citizenship,yes,emigration,émigration,,,,\n",
        encoding="utf-8",
    )
    terms = generate(tmp_path)["terms"]
    assert terms == {
        "en": {
            "top": {"citizen s duties": [AC], "labour law": [EP, "Anti-discrimination and Equality"]},
            "deep": {"pupil": [EC], "school pupil": [EC], "schoolchild": [EC]},
        },
        "fr": {"deep": {"eleve": [EC]}},
    }
    assert Vocabulary(terms).match(tokenize("Schoolchildren and their pupils"), "en") == {(EC, "deep"): 2}


def test_model_features_and_rule_boost_are_off_unless_set(monkeypatch):
    engine = RuleEngine(load_themes())
    text = "Migrant workers: unemployment and the labour market"
    analysis = cm.analyse(engine, "Jobs for refugees", text, "en")
    assert analysis.language == "en"
    assert not [f for f in cm.features(analysis) if f.startswith("§ev:")]
    monkeypatch.setattr(cm, "EUROVOC_FEATURES", ("deep",))
    evs = [f for f in cm.features(analysis) if f.startswith("§ev:")]
    assert cm._eurovoc_matches(analysis) == {(EP, "top"): 2, (EP, "deep"): 6, (AC, "deep"): 1}
    assert evs == ["§ev:deep:active"] + ["§ev:deep:economic"] * 6
    monkeypatch.setattr(cm, "EUROVOC_FEATURE_COUNT", "presence")
    assert cm.eurovoc_features(analysis) == ["§ev:deep:active", "§ev:deep:economic"]
    monkeypatch.setattr(cm, "EUROVOC_FEATURE_COUNT", "presence+")
    assert cm.eurovoc_features(analysis) == ["§ev:deep:active", "§ev:deep:economic", "§ev:deep:economic+"]
    # the rule boost raises only the theme whose labels were found
    plain = engine.analyse("Jobs for refugees", text, "en").theme_scores
    monkeypatch.setattr(cm, "EUROVOC_RULE_WEIGHT", 1.0)
    boosted = cm.analyse(engine, "Jobs for refugees", text, "en").theme_scores
    assert boosted[EP] > plain[EP] and boosted[AC] > plain[AC]
    others = [t for t in plain if t not in (EP, AC)]
    assert [boosted[t] for t in others] == [plain[t] for t in others]


@pytest.mark.parametrize("language", ["de", "xx"])
def test_no_label_of_another_language_reaches_the_features(monkeypatch, language):
    monkeypatch.setattr(cm, "EUROVOC_FEATURES", ("top", "deep"))
    engine = RuleEngine(load_themes())
    analysis = cm.analyse(engine, "Labour market", "unemployment and vocational training", language)
    assert cm.eurovoc_features(analysis) == []


def test_micro_thresholds_move_each_theme_to_the_best_micro_f1():
    a, b = THEMES[0], THEMES[1]
    heads = {n: cm._Head([], 0.0, 1, 1, 0.5, {}, 0.5) for n in (a, b)}
    calibration = {
        a: ([0, 1, 2, 3], [1, 1, 0, 0], [0.9, 0.4, 0.3, 0.1]),
        b: ([0, 1, 2, 3], [1, 0, 0, 0], [0.8, 0.6, 0.2, 0.1]),
    }
    cm._micro_thresholds(heads, calibration)
    # a: 0.4 takes both positives (micro-F1 6/7 with b at 0.5); then b: 0.8 drops its false positive (1.0)
    assert (heads[a].blend_threshold, heads[b].blend_threshold) == (0.4, 0.8)
