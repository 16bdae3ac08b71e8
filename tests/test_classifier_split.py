"""Source groups of labelled examples (classifier.split) and the checks built on them: the hold-out of
``ewsi classify eval --holdout``, grouped cross-validation and the grouped calibration folds of
classifier.model.train never score an example with a model that saw its source."""

from __future__ import annotations

import gzip
import json

import pytest

from classifier import split
from classifier.evaluate import HOLDOUT_FOLDS, holdout, holdout_folds
from classifier.model import CombinedClassifier, LabelledExample, Model, train
from classifier.rules import RuleEngine
from classifier.themes import load
from crawler.types import THEMES


@pytest.mark.parametrize(
    ("page", "host"),
    [
        ("https://www.example.org/a?b=1", "example.org"),
        ("https://WWW.Example.ORG/", "example.org"),
        ("http://news.example.org:8080/x", "news.example.org"),
        ("https://wwwexample.org/", "wwwexample.org"),  # only a "www." label is dropped
        ("  https://yle.fi/a/1  ", "yle.fi"),
        ("not a url", ""),
        ("", ""),
        ("https://[::1/", ""),  # malformed: no host, no error
    ],
)
def test_host_of(page, host):
    assert split.host_of(page) == host


def _pages(hosts: int, per_host: int = 2) -> list[str]:
    return [f"https://www.h{h}.example/p{i}" for h in range(hosts) for i in range(per_host)]


@pytest.mark.parametrize(
    ("hosts", "by"),
    [(split.MIN_HOSTS, "host"), (split.MIN_HOSTS + 7, "host"), (split.MIN_HOSTS - 1, "page"), (2, "page")],
)
def test_groups_go_by_host_only_with_enough_hosts(hosts, by):
    pages = _pages(hosts)
    keys = split.groups(pages, [str(i) for i in range(len(pages))])
    assert all(k.startswith(f"{by}:") for k in keys)
    assert len(set(keys)) == (hosts if by == "host" else len(pages))


def test_examples_without_a_page_are_their_own_group():
    pages = [*_pages(split.MIN_HOSTS), "", "   "]
    keys = split.groups(pages, [f"id{i}" for i in range(len(pages))])
    assert keys[-2:] == [f"id:id{len(pages) - 2}", f"id:id{len(pages) - 1}"]


@pytest.mark.parametrize("k", [2, 5, 7])
def test_fold_is_stable_and_in_range(k):
    groups = [f"host:h{i}.example" for i in range(200)]
    folds = [split.fold(g, k) for g in groups]
    assert folds == [split.fold(g, k) for g in groups]
    assert set(folds) == set(range(k))  # 200 groups reach every fold


def _examples(hosts: int) -> list[LabelledExample]:
    out = []
    for h, page in enumerate(_pages(hosts, per_host=3)):
        relevant = h % 2 == 0
        out.append(LabelledExample(f"t{h}", "x", "en", relevant, id=f"e{h}", page=page))
    return out


@pytest.mark.parametrize("hosts", [split.MIN_HOSTS, 40])
def test_holdout_never_splits_a_host(hosts):
    examples = _examples(hosts)
    train_part, held = holdout(examples)
    assert held and train_part
    held_hosts = {split.host_of(e.page) for e in held}
    assert held_hosts.isdisjoint({split.host_of(e.page) for e in train_part})
    # independent of file order
    assert holdout(list(reversed(examples)))[1] == list(reversed(held))
    assert set(holdout_folds(examples)) <= set(range(HOLDOUT_FOLDS))


def test_model_files_without_per_theme_blend_thresholds_still_load(tmp_path):
    """A file written before per-theme blend thresholds existed decides themes as it did then."""
    engine = RuleEngine(load())
    examples = [
        LabelledExample(
            f"Refugees learn the language {i}",
            "Language courses and jobs for refugees and migrants in the city.",
            "en",
            True,
            ("Education and Culture",) if i % 2 else ("Economic Participation",),
            page=f"https://h{i}.example/r",
        )
        for i in range(24)
    ] + [
        LabelledExample(
            f"Fishing quotas agreed {i}",
            "Ministers agree fishing quotas.",
            "en",
            False,
            page=f"https://f{i}.example/",
        )
        for i in range(24)
    ]
    model = train(examples, engine)
    calibrated = [t for t in THEMES if t in model.heads]
    assert calibrated and all(model.heads[t].blend_threshold is not None for t in calibrated)
    path = tmp_path / "m.json.gz"
    model.save(path)
    d = json.loads(gzip.decompress(path.read_bytes()))
    for head in d["heads"].values():
        head.pop("blend_threshold")
    path.write_bytes(gzip.compress(json.dumps(d).encode()))
    old = Model.load(path)
    assert all(h.blend_threshold is None for h in old.heads.values())
    result = CombinedClassifier(engine, old).classify(
        "Refugees learn the language", "Courses for migrants.", "en"
    )
    assert result.relevant and result.assigned


@pytest.mark.parametrize(
    ("positive_groups", "k", "calibrated"),
    [(1, 2, False), (2, 2, True), (3, 3, True), (4, 2, True)],
)
def test_calibration_folds_are_grouped_or_not_used(positive_groups, k, calibrated):
    """Out-of-fold scores exist only when every training fold holds both classes; a group's rows are
    always scored by a model that never saw the group."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from classifier.model import _grouped_oof

    groups = [f"p{i % positive_groups}" for i in range(8)] + [f"n{i % 4}" for i in range(8)]
    y = [1] * 8 + [0] * 8
    x = np.array([[1.0 if yi else 0.0, float(i % 3)] for i, yi in enumerate(y)])
    oof = _grouped_oof(LogisticRegression(), x, y, groups, k, 0, None)
    if not calibrated:
        assert oof is None
        return
    assert oof is not None and len(oof) == len(y)
    assert all(0.0 < p < 1.0 for p in oof)
    assert min(oof[:8]) > max(oof[8:])  # the separable feature ranks every positive above every negative


@pytest.mark.parametrize(
    "feature, shown",
    [
        ("refugees", True),  # a word of the item
        ("t:welcoming", True),  # a title word
        ("language courses", True),  # a pair of the item's words
        ("lin", False),  # a character n-gram inside "online"
        (" onl", False),  # a padded character n-gram
        ("online courses", True),  # both words of the item (a pair's order is the model's business)
        ("and", False),  # a function word
        ("more", False),  # a function word of four letters (the item's language's stop words)
        ("more courses", True),  # a pair with one content word
        ("§migrant", False),  # a rule-group marker
        ("§migrant+", False),
        ("2024", False),
        ("asylum", False),  # a word the item does not contain
    ],
)
def test_only_readable_model_features_are_shown_as_reasons(feature, shown):
    from classifier.model import analyse, readable_feature

    analysis = analyse(
        RuleEngine(load()), "Welcoming refugees", "Online language courses and more in 2024", "en"
    )
    readable = readable_feature(analysis)
    assert readable(feature) is shown


@pytest.mark.parametrize(
    "language, title, text, hidden, shown",
    [
        ("en", "Welcoming refugees", "Courses with mentors from the city", "with", "mentors"),
        ("fr", "Accueil des réfugiés", "Des cours pour les arrivants avec mentors", "pour", "arrivants"),
        ("de", "Flüchtlinge willkommen", "Kurse für neue Nachbarn über den Winter", "über", "nachbarn"),
        ("es", "Acogida de refugiados", "Cursos para recién llegados desde enero", "para", "cursos"),
        ("el", "Ένταξη προσφύγων", "Μαθήματα για πρόσφυγες αλλά και για παιδιά", "αλλά", "Μαθήματα"),
        ("pl", "Integracja uchodźców", "Kursy języka: pomoc prawna jest bezpłatna", "jest", "kursy"),
        ("sv", "Nyanlända i skolan", "Kurser för nyanlända efter sommaren", "efter", "kurser"),
    ],
)
def test_function_words_of_the_item_language_are_not_reasons(language, title, text, hidden, shown):
    """A word of the item's language's stop-word list (classifier.model.function_words) explains
    nothing to an editor; the same word is a reason in an item of another language."""
    from classifier.model import analyse, readable_feature
    from classifier.rules import tokenize

    hidden, shown = tokenize(hidden)[0], tokenize(shown)[0]  # features are normalised words
    readable = readable_feature(analyse(RuleEngine(load()), title, text, language))
    assert readable(shown)
    assert not readable(hidden)
    elsewhere = readable_feature(analyse(RuleEngine(load()), title, text, "mt"))  # none of them Maltese
    assert elsewhere(hidden)


@pytest.mark.parametrize(
    "language, title, text, hidden, shown",
    [
        # function words the NLTK-style lists lack (stopwords-iso has them)
        ("nl", "Statushouders welkom", "Een cursus voor nieuwkomers in de gemeente", "voor", "cursus"),
        ("el", "Ένταξη προσφύγων", "Μαθήματα για πρόσφυγες στην πόλη", "στην", "Μαθήματα"),
        ("el", "Ένταξη προσφύγων", "Μαθήματα για πρόσφυγες στην πόλη", "για", "πρόσφυγες"),
        ("it", "Rifugiati a scuola", "Corsi nell ambito della scuola per rifugiati", "nell", "corsi"),
        ("ro", "Refugiați", "Cursuri despre limba pentru refugiați", "despre", "cursuri"),
        ("fr", "Réfugiés", "Des cours ayant lieu chaque semaine pour réfugiés", "ayant", "cours"),
        ("es", "Refugiados", "Cursos casi gratuitos para refugiados", "casi", "cursos"),
        ("en", "Refugees", "Courses among newcomers in the city", "among", "courses"),
        ("hr", "Izbjeglice", "Tečajevi jezika koje rade volonteri", "koje", "tečajevi"),
        ("sk", "Migranti", "Kurzy jazyka pre migrantov, ktoré sú zadarmo", "ktoré", "kurzy"),
        # function words both packages lack (classifier.model.MORE_FUNCTION_WORDS)
        ("lt", "Pabėgėliai", "Kursai pabėgėliams, kurie atvyko neseniai", "kurie", "kursai"),
        ("lv", "Bēgļi", "Kursi bēgļiem, kuri ieradās nesen", "kuri", "kursi"),
        ("sl", "Begunci", "Tečaji za begunce, kateri so prišli nedavno", "kateri", "tečaji"),
        ("et", "Pagulased", "Kursused pagulastele, kes saabusid hiljuti", "kes", "kursused"),
        ("mt", "Refuġjati", "Korsijiet għar-refuġjati li kienu waslu riċentement", "kienu", "korsijiet"),
        ("mt", "Refuġjati", "Korsijiet biex ir-refuġjati jitgħallmu l-ilsien", "biex", "korsijiet"),
        # content words in the larger lists stay reasons when the rules count them
        ("en", "Refugees", "Refugees find work in the city", "among", "work"),
        ("es", "Refugiados", "Refugiados buscan trabajo en la ciudad", "casi", "trabajo"),
        ("pt", "Refugiados", "Refugiados encontram trabalho na cidade", "casi", "trabalho"),
        ("en", "Refugees", "Research on refugees in the city", "among", "research"),
    ],
)
def test_function_words_of_both_lists_are_not_reasons_but_rule_terms_are(
    language, title, text, hidden, shown
):
    """The function words of stopwords-iso hide too (classifier.model.function_words), and a word of
    those lists that a rule term found in the item counts is a reason all the same."""
    from classifier.model import analyse, function_words, readable_feature
    from classifier.rules import tokenize

    hidden, shown = tokenize(hidden)[0], tokenize(shown)[0]
    analysis = analyse(RuleEngine(load()), title, text, language)
    readable = readable_feature(analysis)
    assert readable(shown), (shown, analysis.evidence)
    if hidden in set(analysis.title_tokens) | set(analysis.body_tokens):
        assert not readable(hidden)
        assert hidden in function_words(language)


def test_model_reasons_in_a_classification_are_words_of_the_item():
    import classifier as cl
    from classifier.rules import tokenize

    title = "We are a welcoming city: language courses for refugees"
    text = "Refugees and migrants get free language courses and help to find work."
    result = cl.load_default().classify(title, text, "en")
    assert result.relevant, result.relevance
    words = set(tokenize(title)) | set(tokenize(text))
    model = [e.term[len("model:") :] for e in result.relevance_evidence if e.term.startswith("model:")]
    assert model, result.relevance_evidence
    for term in model:
        parts = term.removeprefix("t:").split(" ")
        assert all(p in words and len(p) > 3 for p in parts), term


@pytest.mark.parametrize(
    "language, title, text, relevant, marker",
    [
        (
            "en",
            "Language courses for refugees",
            "The city opens free courses for refugees and migrants.",
            True,
            False,
        ),
        (
            "de",
            "Sprachkurse für Geflüchtete",
            "Die Stadt bietet Geflüchteten kostenlose Deutschkurse an.",
            True,
            False,
        ),
        (
            "en",
            "Stop Destroying Videogames",
            "Total supporters: 1 402 Support link: https://eci.example",
            False,
            True,
        ),
        (
            "fr",
            "La ville rénove ses écoles",
            "Le conseil municipal vote le budget des écoles et du sport.",
            False,
            True,
        ),
        (
            "en",
            "Readmission agreement signed",
            "The minister signed a readmission agreement on migrants.",
            False,
            False,
        ),
    ],
)
def test_relevance_reasons_explain_the_decision(language, title, text, relevant, marker):
    """Model words are reasons of a relevant item only (on another item the largest of thousands of
    tiny contributions explains nothing); an item without migrant evidence says so."""
    import classifier as cl
    from classifier.model import NO_MIGRANT_CUE

    result = cl.load_default().classify(title, text, language, "news")
    assert result.relevant is relevant, (result.relevance, result.relevance_evidence)
    terms = [e.term for e in result.relevance_evidence]
    assert any(t.startswith("model:") for t in terms) is relevant
    assert (NO_MIGRANT_CUE in terms) is marker
    if marker:
        [cue] = [e for e in result.relevance_evidence if e.term == NO_MIGRANT_CUE]
        assert cue.weight < 0


@pytest.mark.parametrize(
    "language, title, text, marker",
    [
        (
            "en",
            "Refugees and asylum seekers reached the island",
            "Two boats carrying refugees and asylum seekers reached the island on Sunday night.",
            "area",
        ),
        (
            "de",
            "Geflüchtete erreichen die Insel",
            "Zwei Boote mit Geflüchteten und Asylsuchenden erreichten am Sonntag die Insel.",
            "area",
        ),
        (
            "en",
            "Language courses for refugees",
            "The city opens free language courses and job coaching for refugees and asylum seekers.",
            None,
        ),
        (
            "en",
            "New budget for schools",
            "The council votes the budget for schools, sports halls and libraries.",
            "migrant",
        ),
    ],
)
def test_missing_integration_area_is_a_reason(
    language: str, title: str, text: str, marker: str | None
) -> None:
    """An item with migrant words but no integration area scores 0 by the rules (the geometric mean of
    the two); the evidence says so instead of showing only the migrant words that raised it."""
    import classifier as cl
    from classifier.model import NO_AREA_CUE, NO_MIGRANT_CUE

    result = cl.load_default().classify(title, text, language, "news")
    terms = {e.term: e.weight for e in result.relevance_evidence}
    assert (NO_AREA_CUE in terms) is (marker == "area"), terms
    assert (NO_MIGRANT_CUE in terms) is (marker == "migrant"), terms
    if marker == "area":
        assert terms[NO_AREA_CUE] == -1.0
        assert not result.relevant
