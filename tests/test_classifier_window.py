"""Themes are decided on the title and the lead of a text, relevance on all of it (classifier.model
THEME_WINDOW): the labelled items the theme heads and thresholds are fitted on are a title and a
teaser of 15-36 words, and a long article names every theme somewhere.

Rule: a text longer than the window gets the themes its title and first THEME_WINDOW words would
get alone; its relevance is that of the whole text; a lead that scores no theme at all leaves the
whole text's best theme to a relevant item.
"""

from __future__ import annotations

from typing import Any

import pytest

import classifier
import classifier.model as cm

# words that name other themes in passing, as the body of a long report does
FILLER = {
    "en": "Schools, housing, health care, voting rights, discrimination, handbooks and toolkits for "
    "municipalities, culture and sport are covered in other chapters of the annual report. ",
    "de": "Schulen, Wohnungen, Gesundheit, Wahlrecht, Diskriminierung, Handbücher und Leitfäden für "
    "Kommunen, Kultur und Sport behandeln andere Kapitel des Jahresberichts. ",
    "fr": "Les écoles, le logement, la santé, le droit de vote, la discrimination, les guides pour les "
    "communes, la culture et le sport sont traités dans d'autres chapitres du rapport annuel. ",
    "it": "Scuole, alloggi, sanità, diritto di voto, discriminazione, guide e manuali per i comuni, "
    "cultura e sport sono trattati in altri capitoli del rapporto annuale. ",
    "es": "Las escuelas, la vivienda, la sanidad, el derecho de voto, la discriminación, las guías para "
    "los municipios, la cultura y el deporte se tratan en otros capítulos del informe anual. ",
}
LEADS = [
    # (language, title, lead about one subject, a theme the lead is about)
    (
        "en",
        "Refugees find jobs faster with the new employment programme",
        "The programme matches refugees with employers, recognises their qualifications and pays "
        "a wage subsidy for the first six months of work.",
        "Economic Participation",
    ),
    (
        "de",
        "Geflüchtete finden schneller Arbeit",
        "Das Programm bringt Geflüchtete mit Arbeitgebern zusammen, erkennt ihre Berufsabschlüsse an "
        "und zahlt in den ersten sechs Monaten einen Lohnzuschuss.",
        "Economic Participation",
    ),
    (
        "fr",
        "Des cours de français pour les réfugiés",
        "La ville ouvre des cours de français langue étrangère pour les réfugiés et les demandeurs "
        "d'asile, avec une garde d'enfants pendant les cours.",
        "Education and Culture",
    ),
    (
        "it",
        "Corsi di italiano per i rifugiati",
        "Il comune apre corsi di lingua italiana per rifugiati e richiedenti asilo, con un servizio "
        "di baby sitting durante le lezioni.",
        "Education and Culture",
    ),
    (
        "es",
        "Los migrantes encuentran empleo más rápido",
        "El programa pone en contacto a personas migrantes con empresas, reconoce sus títulos y paga "
        "una ayuda salarial durante los primeros seis meses de trabajo.",
        "Economic Participation",
    ),
]


@pytest.fixture(scope="module")
def default() -> Any:
    return classifier.load_default()


@pytest.mark.parametrize(
    "text, words, lead",
    [
        (None, 3, None),
        ("", 3, ""),
        ("one two", 3, "one two"),
        ("one two three", 3, "one two three"),
        ("one  two\nthree four", 3, "one two three"),
        ("  one two three four five", 2, "one two"),
    ],
)
def test_theme_lead_is_the_first_words(text: str | None, words: int, lead: str | None) -> None:
    assert cm.theme_lead(text, words) == lead


@pytest.mark.parametrize("language, title, lead, theme", LEADS, ids=[r[0] for r in LEADS])
def test_a_long_text_gets_the_themes_of_its_title_and_lead(
    default: Any, monkeypatch: pytest.MonkeyPatch, language: str, title: str, lead: str, theme: str
) -> None:
    opening = " ".join([lead] * 3)  # the lead fills the window
    assert len(opening.split()) >= cm.THEME_WINDOW
    text = opening + " " + FILLER[language] * 12
    assert len(text.split()) > 5 * cm.THEME_WINDOW
    long = default.classify(title, text, language, "news")
    alone = default.classify(title, cm.theme_lead(text), language, "news")
    assert long.relevant and alone.relevant
    assert long.assigned == alone.assigned
    assert theme in long.assigned
    # without the window the filler's themes come in
    monkeypatch.setattr(cm, "THEME_WINDOW", 10_000)
    whole = default.classify(title, text, language, "news")
    assert len(whole.assigned) > len(long.assigned)
    assert set(whole.assigned) - set(long.assigned)


def test_relevance_reads_the_whole_text(default: Any) -> None:
    """The migrant cue comes after the window: relevance finds it, the themes come from the lead."""
    title = "Annual report of the city's employment service"
    text = "The service placed people in jobs, trained jobseekers and advised employers. " * 6 + (
        "This year a third of them were refugees and newly arrived migrants, and the programme "
        "for their integration into the labour market grew fastest."
    )
    assert len(title.split()) + cm.THEME_WINDOW < len(text.split())
    result = default.classify(title, text, "en", "news")
    assert result.relevant, result.relevance
    lead_only = default.classify(title, cm.theme_lead(text), "en", "news")
    assert result.relevance > lead_only.relevance
    assert "Economic Participation" in result.assigned


@pytest.mark.parametrize(
    "language, title, lead, body",
    [
        (
            "mt",  # no labels in this language: the rules decide alone
            "Aħbarijiet mill-belt",
            "Il-Ministeru ħabbar il-baġit tiegħu għas-sena d-dieħla.",
            "Ir-refuġjati u l-migranti jsibu xogħol aktar malajr: il-programm jgħin lil min ifittex "
            "xogħol u lil min iħaddem. ",
        ),
        (
            "en",  # the model blends in: its probabilities alone never name a theme
            "Weekly round-up",
            "By our staff reporter. Published on Tuesday. Share on Facebook, X, LinkedIn or by email.",
            "Refugees and migrants find jobs faster: the employment programme matches jobseekers with "
            "employers and recognises their qualifications. ",
        ),
    ],
)
def test_a_lead_without_theme_cues_leaves_the_whole_texts_best_theme(
    default: Any, language: str, title: str, lead: str, body: str
) -> None:
    """When the title and lead name no theme (a byline, a cover page), the whole text decides, and
    a relevant item gets its best theme, one, rather than whatever the model leans to."""
    text = " ".join([lead] * 6) + " " + body * 4
    lead_alone = default.engine.analyse(title, cm.theme_lead(text), language)
    assert all(score == 0 for score in lead_alone.theme_scores.values())
    result = default.classify(title, text, language, "news")
    assert result.relevant, (result.relevance, result.relevance_evidence)
    assert len(result.assigned) == 1
    shown = {t.theme: t.score for t in result.themes}
    best = max(shown, key=lambda n: shown[n])
    assert result.assigned[0] in shown and shown[result.assigned[0]] > 0
    assert best == result.assigned[0] or language != "mt"


@pytest.mark.parametrize(
    "language, title, text",
    [
        (
            "en",
            "Refugees find jobs faster",
            "A mentoring scheme matches refugees with employers in the region.",
        ),
        (
            "de",
            "Erste Zusagen für Aufnahmen aus Afghanistan",
            "Das Land nimmt 80 Geflüchtete auf; Vereine helfen bei der Integration.",
        ),
        (
            "fr",
            "Semaine de l'intégration",
            "Les associations accueillent les primo-arrivants du 17 au 24 octobre.",
        ),
        ("it", "Corsi di italiano per i rifugiati", "Il comune apre corsi di lingua per rifugiati."),
        (
            "pl",
            "Nowy portal dla cudzoziemców",
            "Cudzoziemcy i uchodźcy znajdą w portalu informacje o pobycie, pracy i kursach języka polskiego.",
        ),
        ("sv", "Om integration", "Kommunen förklarar skillnaden mellan asylsökande och nyanlända."),
    ],
)
def test_every_assigned_theme_has_a_reason(default: Any, language: str, title: str, text: str) -> None:
    """A theme is assigned only with a cue of its own (classifier.model.THEME_NEEDS_CUE): a rule term,
    or its model head's probability at THEME_MODEL_CUE with the model's words as reasons; a content
    type's lean alone is no reason."""
    result = default.classify(title, text, language, "news")
    assert result.relevant, (result.relevance, result.relevance_evidence)
    assert result.assigned
    by_theme = {t.theme: t for t in result.themes}
    for theme in result.assigned:
        reasons = [
            e for e in by_theme[theme].evidence if e.weight > 0 and not e.term.startswith("content type:")
        ]
        assert reasons, (theme, by_theme[theme].evidence)
