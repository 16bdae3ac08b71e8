"""A theme word with a second sense inside a fixed phrase (config/themes.yaml, a theme's ``negative``
masks at weight 0).

Rule: "reception" inside a school's reception class or the host-country language course ("Português
Língua de Acolhimento", "τάξεις υποδοχής", "classe d'accueil") is Education and Culture, not Social
Cohesion; reception centres and reception conditions stay Social Cohesion. Checked on the rules'
theme scores, in six languages.
"""

from __future__ import annotations

import pytest

from classifier.rules import load_engine

SC, EC = "Social Cohesion", "Education and Culture"

CASES = [
    # (language, title, text, Social Cohesion expected)
    (
        "en",
        "Reception classes for newly arrived pupils",
        "Schools open reception classes where refugee pupils learn English before joining their year group.",
        False,
    ),
    (
        "fr",
        "Des classes d'accueil pour les élèves allophones",
        "Les classes d'accueil permettent aux élèves réfugiés d'apprendre le français.",
        False,
    ),
    (
        "it",
        "Classi di accoglienza per gli alunni stranieri",
        "Le classi di accoglienza aiutano gli alunni stranieri e rifugiati a imparare l'italiano.",
        False,
    ),
    (
        "es",
        "Aulas de acogida para alumnado migrante",
        "Las aulas de acogida ayudan al alumnado migrante y refugiado a aprender castellano.",
        False,
    ),
    (
        "pt",
        "Português Língua de Acolhimento para refugiados",
        "O curso de Português Língua de Acolhimento ajuda refugiados e imigrantes a aprender a língua.",
        False,
    ),
    (
        "el",
        "Τάξεις υποδοχής για παιδιά προσφύγων",
        "Οι τάξεις υποδοχής στα σχολεία βοηθούν τα παιδιά προσφύγων να μάθουν ελληνικά.",
        False,
    ),
    (
        "en",
        "New reception centre for asylum seekers",
        "The reception centre offers housing, meals and health care to asylum seekers.",
        True,
    ),
    (
        "fr",
        "Un nouveau centre d'accueil pour demandeurs d'asile",
        "Le centre d'accueil offre un hébergement et des soins aux demandeurs d'asile.",
        True,
    ),
    (
        "it",
        "Nuovo centro di accoglienza per richiedenti asilo",
        "Il centro di accoglienza offre alloggio e assistenza sanitaria ai richiedenti asilo.",
        True,
    ),
    (
        "pt",
        "Centro de acolhimento para refugiados abre em Lisboa",
        "O novo centro de acolhimento oferece alojamento a refugiados.",
        True,
    ),
]


@pytest.fixture(scope="module")
def engine():
    return load_engine(None)


@pytest.mark.parametrize(
    ("language", "title", "text", "cohesion"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_reception_as_school_or_course_is_no_social_cohesion(engine, language, title, text, cohesion) -> None:
    scores = {t.theme: t.score for t in engine.classify(title, text, language).themes}
    assert (scores[SC] > 0) == cohesion, scores
    if not cohesion:
        assert scores[EC] > 0.4, scores
