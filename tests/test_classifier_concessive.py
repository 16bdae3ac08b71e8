"""Relevance rules for whole classes of wording (classifier.rules, config/themes.yaml).

1. A negative context named as what a story goes on despite is not its subject: a relevance negative
   within CONCESSIVE_GAP words after a concessive marker of the item's language ("despite the new
   border controls", "trotz Grenzkontrollen", "malgré la fermeture des frontières") or before a
   postposed one (Finnish "huolimatta", Hungarian "ellenére") is not counted. The same negative
   without the marker, further away, after another language's marker (Dutch "trots" = proud) or in
   an item of unknown language still counts; a mask of weight 0 ("se sont réfugiés" = took
   shelter, "all'estero" = abroad) stays a mask after a marker.
2. A naturalisation named with the people or the procedure (a ceremony, an application, a test,
   naturalised citizens) is migrant evidence; the word alone is not (plants, species, yeast and
   software are "naturalised" too).
3. People who fled a war are migrant evidence only beside another migrant cue (relevance.ambiguous):
   history pieces, deserters and price wars use the same words.
"""

from __future__ import annotations

import pytest

import classifier
from classifier.model import has_migrant_cue
from classifier.rules import MIGRANT, NEGATIVE, RuleEngine, load_engine


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


# (language, title naming a naturalisation with its people or procedure, no other migrant word)
NATURALISATION = [
    ("en", "240 residents receive their certificates at the naturalisation ceremony"),
    ("en", "Naturalization applications rose by a third last year"),
    ("de", "Einbürgerungsfeier im Rathaus: 240 neue Staatsbürgerinnen und Staatsbürger"),
    ("de", "Zahl der Einbürgerungen steigt auf Rekordhoch"),
    ("fr", "Les demandes de naturalisation augmentent à Lyon"),
    ("it", "Domande di naturalizzazione: i tempi scendono a due anni"),
    ("es", "La nacionalidad por residencia se acelera en Madrid"),
    ("nl", "Naturalisatieceremonie in het stadhuis van Utrecht"),
    ("sv", "Kommunen ordnar medborgarskapsceremoni för nya svenskar"),
    ("sv", "Fler elever läser sfi i höst"),
    ("en", "Record number of naturalisations as the language test is eased"),
    ("en", "Children who fled the war in Ukraine start school in Kraków"),
    ("pl", "Dzieci uciekające przed wojną w Ukrainie idą do szkoły"),
]


@pytest.mark.parametrize(("language", "title"), NATURALISATION)
def test_naturalisation_and_a_named_war_are_migrant_evidence(
    engine: RuleEngine, language: str, title: str
) -> None:
    assert has_migrant_cue(engine.analyse(title, "", language))


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "The naturalist David Attenborough opens the new nature centre"),
        ("en", "Naturalization of wild yeast strains in sourdough bakeries"),
        ("de", "Einbürgerung gebietsfremder Pflanzen am Rheinufer"),
        ("fr", "La naturalisation de la perruche à collier inquiète les ornithologues"),
        ("nl", "Japanse duizendknoop is in Nederland genaturaliseerd"),
    ],
)
def test_naturalised_species_are_not_migrants(engine: RuleEngine, language: str, title: str) -> None:
    assert not has_migrant_cue(engine.analyse(title, "", language))


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
def test_people_who_fled_a_war_are_migrant_evidence(engine: RuleEngine, language: str, title: str) -> None:
    # people named by a clause or participle of fleeing a war are refugees in every language
    assert has_migrant_cue(engine.analyse(title, "", language))


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "He fled the war in 1944, the museum's new exhibition recalls"),
        ("en", "The general fled the war zone before the ceasefire"),
        ("fr", "Il a fui la guerre en 1940 : un roman retrace son exil"),
        ("es", "Huyó de la guerra en 1938, recuerda el museo"),
    ],
)
def test_fleeing_a_war_without_people_vouches_for_nothing(
    engine: RuleEngine, language: str, title: str
) -> None:
    # a history piece or a deserter: the bare verb phrase alone is no migrant evidence
    assert not has_migrant_cue(engine.analyse(title, "", language))


@pytest.mark.parametrize(
    ("language", "title", "cue"),
    [
        ("en", "Children who fled the war start school in Leeds", "Refugee families welcome them."),
        ("de", "Familien, die vor dem Krieg geflohen sind, finden Wohnungen", "Die Geflüchteten ziehen ein."),
        ("it", "Famiglie in fuga dalla guerra trovano casa a Bologna", "I rifugiati entrano a marzo."),
        ("pl", "Dzieci uciekające przed wojną idą do szkoły", "Uchodźcy dostaną podręczniki."),
    ],
)
def test_fleeing_a_war_adds_to_another_migrant_cue(
    engine: RuleEngine, language: str, title: str, cue: str
) -> None:
    alone = engine.analyse("", cue, language).sums.get(MIGRANT, 0.0)
    both = engine.analyse(title, cue, language).sums.get(MIGRANT, 0.0)
    assert both > alone > 0


def test_a_mask_stays_a_mask_after_a_marker(engine: RuleEngine) -> None:
    # "se sont réfugiés" (took shelter) is a mask of weight 0: "malgré" must not lift it
    took_shelter = "Malgré tout, ils se sont réfugiés dans l'école pendant la tempête"
    assert not has_migrant_cue(engine.analyse(took_shelter, "", "fr"))


def test_no_marker_in_an_unknown_language(engine: RuleEngine) -> None:
    assert _negative(engine, "Trots gränskontrollerna", None) > 0
