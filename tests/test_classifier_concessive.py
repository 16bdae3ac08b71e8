"""Four relevance rules for whole classes of wording (classifier.rules, config/themes.yaml).

1. A negative context named as what a story goes on despite is not its subject: a relevance negative
   within CONCESSIVE_GAP words after a concessive marker of the item's language ("despite the new
   border controls", "trotz Grenzkontrollen", "malgré la fermeture des frontières") or before a
   postposed one (Finnish "huolimatta", Hungarian "ellenére") is not counted. The same negative
   without the marker, further away, or after another language's marker (Dutch "trots" = proud)
   still counts.
2. Naturalisation is migrant evidence in every language: only foreigners are naturalised, so a
   naturalisation ceremony or a citizenship test of newcomers is about migrants even when no other
   migrant word appears. "Naturalist" and "natural" are not.
3. A negative context a long text names only after its lead (a related-articles line, an aside)
   keeps PASSING_NEGATIVE_SHARE of its weight; named in the title or the lead it keeps all of it.
4. People who fled a war are migrant evidence in every language ("children who fled the war",
   "in fuga dalla guerra", "uciekające przed wojną"); someone who fled a scene, a fire or an
   accident is not.
"""

from __future__ import annotations

import pytest

import classifier
from classifier.model import has_migrant_cue
from classifier.rules import LEAD_WORDS, NEGATIVE, PASSING_NEGATIVE_SHARE, RuleEngine, load_engine


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return load_engine(None)


# (language, negative phrase with its concessive marker, the same phrase without it)
CONCESSIVE = [
    ("en", "Despite the new border controls", "Because of the new border controls"),
    ("de", "Trotz Grenzkontrollen", "Wegen der Grenzkontrollen"),
    ("fr", "Malgré les contrôles aux frontières", "Avec les contrôles aux frontières"),
    ("it", "Nonostante gli accordi di riammissione", "Con gli accordi di riammissione"),
    ("es", "Pese a los controles fronterizos", "Con los controles fronterizos"),
    ("pt", "Apesar dos controlos de fronteiras", "Com os controlos de fronteiras"),
    ("nl", "Ondanks de grenscontroles", "Door de grenscontroles"),
    ("sv", "Trots gränskontrollerna", "Med gränskontrollerna"),
    ("pl", "Mimo kontroli granicznych", "Przez kontrole graniczne"),
    ("cs", "Navzdory vstupu do Schengenu", "Kvůli vstupu do Schengenu"),
    ("hu", "A határzár ellenére", "A határzár miatt"),
    ("fi", "Rajavalvonnasta huolimatta", "Rajavalvonnan takia"),
    ("ro", "În ciuda aderării la Schengen", "Din cauza aderării la Schengen"),
]


def _negative(engine: RuleEngine, title: str, language: str) -> float:
    return engine.analyse(title, "", language).sums.get(NEGATIVE, 0.0)


@pytest.mark.parametrize(("language", "conceded", "plain"), CONCESSIVE)
def test_a_conceded_negative_is_not_counted(
    engine: RuleEngine, language: str, conceded: str, plain: str
) -> None:
    assert _negative(engine, plain, language) > 0, f"{plain!r} should name a negative context"
    assert _negative(engine, conceded, language) == 0


def test_the_marker_reaches_a_few_words_only(engine: RuleEngine) -> None:
    near = "Despite the strict new border controls, the city opens a job centre for refugees"
    far = "Despite a cold winter and a late budget the city has now set up border controls"
    assert _negative(engine, near, "en") == 0
    assert _negative(engine, far, "en") > 0


def test_another_languages_marker_does_not_count(engine: RuleEngine) -> None:
    # Dutch "trots" is "proud"; the Swedish marker must not clear a Dutch negative
    assert _negative(engine, "Trots grenscontroles", "nl") > 0
    assert _negative(engine, "Trots gränskontrollerna", "sv") == 0


def test_a_conceded_negative_keeps_an_integration_story_relevant() -> None:
    c = classifier.load_default()
    body = "Der Landkreis bietet mehr Sprachkurse und Kinderbetreuung für Geflüchtete an."
    kept = c.classify("Trotz Grenzkontrollen: Landkreis baut Sprachkurse für Geflüchtete aus", body, "de")
    sunk = c.classify("Grenzkontrollen: Landkreis baut Sprachkurse für Geflüchtete aus", body, "de")
    assert kept.relevant
    assert kept.relevance > sunk.relevance


# (language, title naming a naturalisation, with no other migrant word)
NATURALISATION = [
    ("en", "240 residents receive their certificates at the naturalisation ceremony"),
    ("en", "Naturalization applications rose by a third last year"),
    ("de", "Einbürgerungsfeier im Rathaus: 240 neue Staatsbürgerinnen und Staatsbürger"),
    ("fr", "Les demandes de naturalisation augmentent à Lyon"),
    ("it", "Naturalizzazione: i tempi delle domande scendono a due anni"),
    ("es", "La naturalización por residencia se acelera en Madrid"),
    ("nl", "Naturalisatieceremonie in het stadhuis van Utrecht"),
    ("pl", "Naturalizacja: więcej wniosków w urzędach wojewódzkich"),
    ("fi", "Kansalaistaminen nopeutuu: hakemusten käsittely lyhenee"),
    ("sv", "Kommunen ordnar medborgarskapsceremoni för nya svenskar"),
    ("el", "Αυξάνονται οι αιτήσεις πολιτογράφησης"),
    ("lv", "Naturalizācijas eksāmenu kārto vairāk cilvēku"),
]


@pytest.mark.parametrize(("language", "title"), NATURALISATION)
def test_naturalisation_is_migrant_evidence(engine: RuleEngine, language: str, title: str) -> None:
    assert has_migrant_cue(engine.analyse(title, "", language))


@pytest.mark.parametrize(
    "title",
    [
        "The naturalist David Attenborough opens the new nature centre",
        "Natural gas prices fall for households this winter",
    ],
)
def test_nature_is_not_naturalisation(engine: RuleEngine, title: str) -> None:
    assert not has_migrant_cue(engine.analyse(title, "", "en"))


# (language, title, a lead of an integration story, a later line naming a negative context)
PASSING = [
    (
        "fr",
        "À Marseille, des ateliers ouvrent l'école aux mères exilées",
        "Dans trois écoles de Marseille, des mères réfugiées apprennent le français avec des "
        "formatrices, découvrent l'école et rencontrent les enseignants de leurs enfants. Le programme, "
        "financé par la ville, accueille quarante femmes cette année.",
        "À lire aussi : Mercato : l'OM officialise l'arrivée d'un nouveau défenseur.",
    ),
    (
        "de",
        "Sprachcafé für Geflüchtete im Stadtteilzentrum",
        "Jeden Dienstag treffen sich geflüchtete Frauen und Männer im Stadtteilzentrum, um Deutsch zu "
        "üben, Bewerbungen zu schreiben und Nachbarn kennenzulernen. Ehrenamtliche begleiten sie zu "
        "Behörden und helfen bei der Wohnungssuche.",
        "Mehr aus der Region: Transferfenster schließt, der Verein meldet zwei Neuzugänge.",
    ),
    (
        "en",
        "Refugee women open a catering cooperative in Leeds",
        "Twelve refugee women have opened a catering cooperative in Leeds with support from the city's "
        "employment service, which helped them with training, food hygiene certificates and a small "
        "start-up grant for their first kitchen.",
        "Also in the news: the minister takes office after the reshuffle.",
    ),
]
FILLER = " The project runs for two years and its partners meet every month to plan the next steps."


@pytest.mark.parametrize(("language", "title", "lead", "aside"), PASSING)
def test_a_negative_named_after_the_lead_is_an_aside(
    engine: RuleEngine, language: str, title: str, lead: str, aside: str
) -> None:
    body = lead + FILLER * 3
    assert len(body.split()) > LEAD_WORDS
    late = engine.analyse(title, body + " " + aside, language)
    early = engine.analyse(title, aside + " " + body, language)
    full = early.sums.get(NEGATIVE, 0.0)
    assert full > 0
    assert late.sums.get(NEGATIVE, 0.0) == pytest.approx(PASSING_NEGATIVE_SHARE * full)
    assert late.relevance > early.relevance
    c = classifier.load_default()
    assert c.classify(title, body + " " + aside, language, "news").relevant


def test_a_short_text_has_no_aside(engine: RuleEngine) -> None:
    # a teaser is all lead: its negative keeps its weight wherever it stands
    short = engine.analyse(
        "Refugee catering cooperative", "Refugee women cook. The minister takes office.", "en"
    )
    assert short.sums.get(NEGATIVE, 0.0) == pytest.approx(1.5)


FLED_WAR = [
    ("en", "Children who fled the war start school in Leeds"),
    ("de", "Familien, die vor dem Krieg geflohen sind, finden Wohnungen"),
    ("sv", "Barn som har flytt från kriget får traumavård"),
    ("da", "Børn, der er flygtet fra krigen, starter i skole"),
    ("fr", "Des familles ayant fui la guerre apprennent le français"),
    ("it", "Famiglie in fuga dalla guerra trovano casa a Bologna"),
    ("es", "Niños que huyeron de la guerra van a la escuela"),
    ("pt", "Famílias que fugiram da guerra aprendem português"),
    ("nl", "Gezinnen op de vlucht voor de oorlog vinden woningen"),
    ("pl", "Dzieci uciekające przed wojną idą do szkoły"),
    ("cs", "Děti prchající před válkou nastoupily do škol"),
    ("sk", "Deti utekajúce pred vojnou nastúpili do škôl"),
    ("sl", "Družine, ki so pobegnile pred vojno, dobijo stanovanja"),
    ("hr", "Obitelji koje su pobjegle od rata dobivaju stanove"),
    ("fi", "Sotaa paenneet lapset aloittavat koulun"),
    ("lv", "Bērni, bēgot no kara, sāk mācības"),
    ("lt", "Nuo karo pabėgę vaikai pradeda mokslus"),
    ("lt", "Vaikai, pabėgę nuo karo, pradeda mokslus"),
    ("hu", "A háború elől menekülő családok lakást kapnak"),
    ("ro", "Copiii care au fugit de război merg la școală"),
    ("bg", "Деца, избягали от войната, тръгват на училище"),
    ("el", "Παιδιά που έφυγαν από τον πόλεμο πάνε σχολείο"),
]


@pytest.mark.parametrize(("language", "title"), FLED_WAR)
def test_fleeing_a_war_is_migrant_evidence(engine: RuleEngine, language: str, title: str) -> None:
    assert has_migrant_cue(engine.analyse(title, "", language))


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "The suspect fled the scene after the robbery"),
        ("en", "Residents fled the wildfire in Attica"),
        ("de", "Der Täter ist nach dem Überfall geflohen"),
        ("fr", "Le conducteur a fui après l'accident"),
        ("it", "Il ladro è fuggito dalla finestra"),
    ],
)
def test_fleeing_anything_else_is_not(engine: RuleEngine, language: str, title: str) -> None:
    assert not has_migrant_cue(engine.analyse(title, "", language))
