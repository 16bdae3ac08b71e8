"""Content-type priors of the learned model (classifier.model.content_type_priors): a report or a
handbook gets Tools and Techniques far more often than a news story, and the item's content type
moves each theme's blended score by the prior learned for it, shown as evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import classifier.model as cm
from classifier import load_default
from classifier.model import LabelledExample, Model, content_kind, content_type_priors
from pipelines.classify import ClassifyPipeline
from tests.storedata import make_item

TT, EC, SC = "Tools and Techniques", "Education and Culture", "Social Cohesion"

KINDS = [
    ("news", "news"),
    ("document", "document"),
    ("legislation", "legislation"),
    ("good_practice", "good_practice"),
    ("event", "event"),
    ("funding", "funding"),
    ("library document", "document"),
    (" Library Document ", "document"),
    ("integration dossier", "document"),
    ("integration practice", "good_practice"),
    ("press release", "news"),
    ("opinion", "news"),
    ("video", "news"),
    ("special feature", "news"),
    ("service page", None),
    ("", None),
    ("newsletter", None),
    (None, None),
    (3, None),
    (["news"], None),
]


@pytest.mark.parametrize(("raw", "expected"), KINDS)
def test_content_kind_maps_labelled_names_onto_ours(raw: object, expected: str | None) -> None:
    assert content_kind(raw) == expected


def test_from_dict_reads_the_content_type() -> None:
    e = LabelledExample.from_dict({"title": "t", "relevant": True, "content_type": "library document"})
    assert e.content_type == "document"
    assert LabelledExample.from_dict({"title": "t", "relevant": True}).content_type is None


def _ex(kind: str | None, themes: tuple[str, ...], relevant: bool = True) -> LabelledExample:
    return LabelledExample("t", "x", "en", relevant, themes, content_type=kind)


@pytest.fixture
def fixed_constants(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cm, "CONTENT_TYPE_PRIOR", 0.5)
    monkeypatch.setattr(cm, "CONTENT_TYPE_PSEUDO", 10.0)
    monkeypatch.setattr(cm, "MIN_CONTENT_TYPE", 20)


def test_priors_by_hand(fixed_constants: None) -> None:
    # 20 documents (15 Tools and Techniques), 20 news (2), 2 funding calls (0), 3 rejected documents
    examples = (
        [_ex("document", (TT,))] * 15
        + [_ex("document", (EC,))] * 5
        + [_ex("news", (TT, SC))] * 2
        + [_ex("news", (EC,))] * 18
        + [_ex("funding", (SC,))] * 2
        + [_ex("document", (), relevant=False)] * 3
        + [_ex(None, (SC,))]
    )
    priors = content_type_priors(examples)
    # overall rate of TT: 17 / 43 relevant; a type's rate shrunk with 10 pseudo-items of it
    tt = 17 / 43
    assert priors["document"][TT] == round(0.5 * ((15 + 10 * tt) / 30 - tt), 4) == 0.1182
    assert priors["news"][TT] == round(0.5 * ((2 + 10 * tt) / 30 - tt), 4) == -0.0984
    ec = 23 / 43
    assert priors["news"][EC] == round(0.5 * ((18 + 10 * ec) / 30 - ec), 4)
    assert priors["document"]["Active Citizenship"] == 0.0  # no item has it: no lean either way
    assert set(priors) == {"document", "news"}  # 2 funding calls are too few for a prior


def test_no_prior_when_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cm, "CONTENT_TYPE_PRIOR", 0.0)
    assert content_type_priors([_ex("document", (TT,))] * 40) == {}


def test_no_prior_without_relevant_examples(fixed_constants: None) -> None:
    assert content_type_priors([_ex("document", (), relevant=False)] * 40) == {}


@pytest.fixture(scope="module")
def shipped() -> cm.CombinedClassifier:
    clf = load_default()
    assert isinstance(clf, cm.CombinedClassifier), "the shipped model is in use"
    return clf


TEXT = (
    "Handbook for municipalities: how to organise language courses, mentoring and housing support "
    "for refugees and other newcomers, with a checklist and examples of integration practice."
)


def _scores(clf: cm.CombinedClassifier, kind: str | None) -> dict[str, float]:
    result = clf.classify("Integration handbook for local authorities", TEXT, "en", kind)
    return {t.theme: t.score for t in result.themes}


@pytest.mark.parametrize("kind", ["document", "news"])
def test_the_prior_moves_each_theme_by_its_amount(shipped: cm.CombinedClassifier, kind: str) -> None:
    priors = shipped.model.theme_priors
    assert priors[kind], "the shipped model learned a prior for this type"
    base, moved = _scores(shipped, None), _scores(shipped, kind)
    for theme, prior in priors[kind].items():
        # a head with fewer labels than min_labels takes its share of the model's part, prior included
        amount = shipped.model.weight(theme, "en", shipped.min_labels, shipped.min_language) * prior
        if 0.0 < base[theme] < 1.0 and 0.0 < base[theme] + amount < 1.0:  # neither score clipped
            assert moved[theme] == pytest.approx(base[theme] + amount, abs=2e-4), theme


def test_a_document_leans_to_tools_and_a_news_story_away(shipped: cm.CombinedClassifier) -> None:
    priors = shipped.model.theme_priors
    assert priors["document"][TT] > 0.05 and priors["news"][TT] < -0.05
    assert _scores(shipped, "document")[TT] > _scores(shipped, None)[TT] > _scores(shipped, "news")[TT]


def test_the_prior_is_shown_as_evidence(shipped: cm.CombinedClassifier) -> None:
    result = shipped.classify("Integration handbook for local authorities", TEXT, "en", "document")
    (tt,) = [t for t in result.themes if t.theme == TT]
    (reason,) = [e for e in tt.evidence if e.term == "content type:document"]
    share = shipped.model.weight(TT, "en", shipped.min_labels, shipped.min_language)
    assert share == 1.0  # Tools and Techniques has enough labels for the model's full share
    assert reason.weight == round(shipped.model.theme_priors["document"][TT], 3)
    # without a content type (or one without a prior) there is no such reason and no shift
    for kind in (None, "legislation", "no-such-type"):
        other = shipped.classify("Integration handbook for local authorities", TEXT, "en", kind)
        assert not [e for t in other.themes for e in t.evidence if e.term.startswith("content type:")]
        assert {t.theme: t.score for t in other.themes} == _scores(shipped, None)


def test_the_rules_alone_ignore_the_content_type() -> None:
    rules = load_default(configured_model="none")
    a = rules.classify("Integration handbook", TEXT, "en", "document")
    b = rules.classify("Integration handbook", TEXT, "en", None)
    assert a == b


def test_priors_survive_save_and_load_and_old_files_have_none(
    shipped: cm.CombinedClassifier, tmp_path: Path
) -> None:
    path = tmp_path / "m.json"
    shipped.model.save(path)
    again = Model.load(path)
    assert again.theme_priors == shipped.model.theme_priors
    assert again.version == shipped.model.version
    raw = json.loads(path.read_text())
    del raw["theme_priors"]
    path.write_text(json.dumps(raw))
    old = Model.load(path)
    assert old.theme_priors == {} and old.theme_prior("document", TT) == 0.0


def test_the_harvest_passes_the_items_content_type() -> None:
    pipeline = ClassifyPipeline()
    item = make_item(
        1, title="Integration handbook for local authorities", text=TEXT, content_type="document"
    )
    pipeline.process_item(item)
    assert item.classification is not None
    terms = [e.term for t in item.classification.themes for e in t.evidence]
    assert "content type:document" in terms


@pytest.mark.parametrize("spelled", ["DOCUMENT", " Document ", "Library Document", "integration dossier"])
def test_the_content_type_is_read_as_content_kind_reads_it(
    shipped: cm.CombinedClassifier, spelled: str
) -> None:
    """A type spelled in capitals, padded, or under a labelled set's name gets the same prior and evidence."""
    result = shipped.classify("Integration handbook for local authorities", TEXT, "en", spelled)
    assert {t.theme: t.score for t in result.themes} == _scores(shipped, "document")
    (tt,) = [t for t in result.themes if t.theme == TT]
    assert [e.term for e in tt.evidence if e.term.startswith("content type:")] == ["content type:document"]


@pytest.mark.parametrize(
    "kind", ["news", "document", "legislation", "funding", "event", "good_practice", None]
)
@pytest.mark.parametrize(
    ("title", "text", "language"),
    [
        (
            "Racism against migrants at work",
            "A survey of migrant workers finds discrimination in hiring.",
            "en",
        ),
        ("Flüchtlinge lernen Deutsch", "Integrationskurse für Geflüchtete in Berlin sind voll.", "de"),
        ("Logements pour réfugiés", "La ville ouvre 200 logements pour les familles réfugiées.", "fr"),
    ],
)
def test_a_content_type_that_adds_nothing_shown_is_not_a_reason(
    shipped: cm.CombinedClassifier, kind: str | None, title: str, text: str, language: str
) -> None:
    """A prior that rounds to nothing (news adds -0.0001 to Anti-discrimination and Equality) is no
    reason an editor can read: only what moves the score by 0.001 or more is shown."""
    c = shipped.classify(title, text, language, kind)
    shown = [e for t in c.themes for e in t.evidence if e.term.startswith("content type:")]
    assert all(abs(e.weight) >= 0.001 and str(e.weight) != "-0.0" for e in shown), shown
