"""Rule engine and themes.yaml validation (classifier.rules, classifier.themes)."""

from __future__ import annotations

import copy
import math
import random
import re
from pathlib import Path

import pytest
import yaml

import classifier
from classifier import rules
from classifier.rules import RuleEngine, tokenize
from classifier.themes import (
    DEFAULT_PATH,
    EU_LANGUAGES,
    YAML_LOADER,
    ThemesConfigError,
    load,
    normalize,
    parse,
)
from crawler.types import THEMES


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine(load())


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_normalize_folds_case_accents_and_special_letters():
    assert (
        normalize("Flüchtlinge ÉTRANGERS Ένταξη Straße Łódź") == "fluchtlinge etrangers ενταξη strasse lodz"
    )
    assert tokenize("d'asile, socio-lavorativa") == ["d", "asile", "socio", "lavorativa"]


def test_default_config_has_six_themes_with_labels_in_all_eu_languages():
    config = load()
    assert [t.name for t in config.themes] == list(THEMES)
    for theme in config.themes:
        assert set(EU_LANGUAGES) <= set(theme.labels)
        assert set(EU_LANGUAGES) <= set(theme.terms), theme.id
    # relevance cues in every EU language and the four extra languages
    assert set(EU_LANGUAGES) | {"ar", "ru", "tr", "uk"} <= set(config.relevance["migrant"])
    for theme in config.themes:  # the extra languages have theme terms too
        assert {"ar", "ru", "tr", "uk"} <= set(theme.terms), theme.id
    assert re.fullmatch(r"rules-[0-9a-f]{8}", config.version)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(schema=2), "schema: must be 1"),
        (lambda d: d["scoring"].update(theme_scale=0), "scoring.theme_scale: must be > 0"),
        (lambda d: d["scoring"].update(bogus=1), "scoring: unknown key(s) bogus"),
        (lambda d: d["thresholds"].update(relevance=1.5), "thresholds.relevance: must be in [0.0, 1.0]"),
        (lambda d: d["thresholds"]["by_language"].update(xx={"relevance": 0.4}), "thresholds.by_language.xx"),
        (
            lambda d: d["relevance"]["migrant"]["en"].update({"mig*": 3}),
            "relevance.migrant.en['mig*']: wildcard",
        ),
        (lambda d: d["relevance"]["migrant"]["en"].update({"Refugee*": 3}), "same pattern as 'refugee*'"),
        (lambda d: d["relevance"]["migrant"]["en"].update({"mi*grant": 3}), "'*' may only start or end"),
        (lambda d: d["relevance"]["area"]["de"].update({"teilhabe": "x"}), "relevance.area.de['teilhabe']"),
        (lambda d: d["relevance"]["area"]["de"].update({"teilhabe": 0}), "weight must be > 0"),
        (lambda d: d["themes"][0]["terms"]["en"].update({"voting": 0}), "weight must be > 0"),
        (lambda d: d["relevance"]["negative"]["en"].update({"sanction*": -1}), "relevance.negative.en"),
        (lambda d: d["relevance"]["migrant"].update(xx={"foo": 1}), "relevance.migrant.xx: unknown language"),
        (lambda d: d["relevance"].update(migrant={}), "relevance.migrant: is required"),
        (lambda d: d["themes"][0].update(name="Citizenship"), "themes[0].name: must be one of"),
        (lambda d: d["themes"][1].update(id="Bad Id"), "themes[1].id: must be a lower-case identifier"),
        (
            lambda d: d["themes"][2]["labels"].pop("mt"),
            "themes[2].labels: needs a label in every EU language",
        ),
        (lambda d: d["themes"].pop(), "themes: must define each of the six themes exactly once"),
        (lambda d: d["themes"][3].update(terms={}), "themes[3].terms: needs at least one language"),
        (lambda d: d["themes"][5].update(area=2), "themes[5].area: must be in [0.0, 1.0]"),
        (lambda d: d["themes"][5].update(area="no"), "themes[5].area: must be a number"),
        (lambda d: d["scoring"].update(negative_area_scale=-1), "scoring.negative_area_scale: must be >= 0"),
    ],
)
def test_invalid_config_names_the_field(raw, edit, message):
    data = copy.deepcopy(raw)
    edit(data)
    with pytest.raises(ThemesConfigError) as err:
        parse(data, "themes.yaml")
    assert message in str(err.value)
    assert str(err.value).startswith("themes.yaml: ")


@pytest.mark.parametrize("where", ["relevance", "theme"])
def test_a_negative_of_weight_0_masks_without_lowering(raw, where):
    """Weight 0 is allowed in negative lists only: the words are another sense and count for nothing."""
    data = copy.deepcopy(raw)
    if where == "relevance":
        data["relevance"]["negative"]["en"]["migrant workers day"] = 0
    else:
        data["themes"][1].setdefault("negative", {}).setdefault("en", {})["migrant workers day"] = 0
    engine = RuleEngine(parse(data, "themes.yaml"))
    text = "Migrant workers day: the city supports the integration of migrant workers in the labour market."
    analysis = engine.analyse("", text, "en")
    plain = RuleEngine(parse(copy.deepcopy(raw), "themes.yaml")).analyse("", text, "en")
    if where == "relevance":
        assert [e.weight for e in analysis.evidence["negative"]] == [0.0]
        assert analysis.relevance == pytest.approx(plain.relevance, abs=0.1)  # one of two mentions masked
        assert analysis.relevance > 0.5
    else:
        theme = data["themes"][1]["name"]
        assert analysis.theme_scores[theme] < plain.theme_scores[theme]
        assert "negative" not in analysis.evidence  # a theme's mask is not a relevance negative


def test_load_reports_missing_file_and_bad_yaml(tmp_path: Path):
    with pytest.raises(ThemesConfigError, match="cannot read"):
        load(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: [1\n", encoding="utf-8")
    with pytest.raises(ThemesConfigError, match="not valid YAML"):
        load(bad)


def test_the_fast_loader_reads_the_shipped_file_as_the_safe_loader_does(tmp_path: Path):
    raw = DEFAULT_PATH.read_bytes()
    assert yaml.load(raw, Loader=YAML_LOADER) == yaml.safe_load(raw)
    assert load() == parse(yaml.safe_load(raw), str(DEFAULT_PATH), load().sha256)
    unsafe = tmp_path / "unsafe.yaml"
    unsafe.write_text("schema: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(ThemesConfigError, match="not valid YAML"):
        load(unsafe)


@pytest.mark.parametrize("configured", ["none", "None", " ", ""])
def test_load_default_returns_rules_with_file_version(configured):
    clf = classifier.load_default(configured_model=configured)
    result = clf.classify("Refugees get free language courses", None, "en")
    assert result.model_version == load().version
    assert result.relevant


def test_load_default_falls_back_to_the_shipped_model(monkeypatch, tmp_path):
    monkeypatch.delenv(classifier.MODEL_ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # no var/classifier-model.json here
    assert classifier.default_model_path() == Path(classifier.__file__).parent / classifier.SHIPPED_MODEL_NAME
    result = classifier.load_default().classify("Refugees get free language courses", None, "en")
    assert result.model_version.startswith("model-") and result.model_version.endswith(load().version)
    assert result.relevant


def test_classification_shape_and_evidence(engine):
    c = engine.classify(
        "Integration courses for refugees", "Newly arrived refugees attend language courses.", "en"
    )
    assert c.relevant and c.relevance > 0.8
    assert [t.theme for t in c.themes] == sorted(
        THEMES, key=lambda n: -next(t.score for t in c.themes if t.theme == n)
    )
    assert len(c.themes) == 6
    assert c.assigned[0] == "Education and Culture"
    terms = {e.term: e for e in c.relevance_evidence}
    assert "refugee*" in terms and terms["refugee*"].weight > 0 and terms["refugee*"].count == 2
    ec = next(t for t in c.themes if t.theme == "Education and Culture")
    assert "language course*" in {e.term for e in ec.evidence}


def test_empty_input_is_not_relevant(engine):
    c = engine.classify(None, None)
    assert not c.relevant and c.relevance == 0 and c.assigned == ()
    assert all(t.score == 0 for t in c.themes)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # THEMES.md 1.5 hard negatives: EU-political, technical and EU-press integration
        (
            "EU is moving closer together on defence",
            "Defence union moved to the fore of European integration plans.",
        ),
        ("Continuous integration for the portal", "Software integration and system integration testing."),
        (
            "State aid: Commission approves scheme",
            "Access to justice in environmental matters under State aid rules.",
        ),
        ("Luxembourg general elections", "Voters elect the Chamber of Deputies."),
        # a migrant cue without any integration area
        ("Refugees", None),
        # an integration area without a migrant cue
        ("New housing and employment programme for young people", None),
    ],
)
def test_hard_negatives_are_not_relevant(engine, title, text):
    assert not engine.classify(title, text, "en").relevant


def test_negative_masks_integration_but_longer_positive_phrase_wins(engine):
    eu = engine.analyse("European integration", None, "en")
    assert "area" not in eu.sums and eu.sums["negative"] > 0
    ein = engine.analyse("European Integration Network meets on migrants", None, "en")
    assert "negative" not in ein.sums and ein.sums["integration"] > 0


def test_word_boundaries_and_stems(engine):
    # Romanian "străini" (foreigners) is listed as whole words; English "strain" must not match it
    assert "migrant" not in engine.analyse("A new virus strain", None, "en").sums
    assert engine.analyse("Drepturile străinilor", None, "ro").sums["migrant"] > 0
    # stems catch inflection, infixes catch compounds
    assert engine.analyse("Migrantinnen", None, "de").sums["migrant"] > 0
    assert (
        engine.analyse("Arbeitsmarktintegration von Geflüchteten", None, "de").sums[
            "theme:economic_participation"
        ]
        > 0
    )


@pytest.mark.parametrize(
    ("language", "title", "theme"),
    [
        ("de", "Sprachkurse für Geflüchtete in Berlin", "Education and Culture"),
        ("fr", "Logement des réfugiés : nouvelles places d'hébergement", "Social Cohesion"),
        ("it", "Inserimento lavorativo dei migranti: nuovo bando", "Economic Participation"),
        ("es", "Discriminación y racismo contra inmigrantes", "Anti-discrimination and Equality"),
        ("pl", "Cudzoziemcy na rynku pracy w Polsce", "Economic Participation"),
        ("el", "Στέγαση προσφύγων στην Αθήνα", "Social Cohesion"),
        ("fi", "Maahanmuuttajien työllisyys kasvoi", "Economic Participation"),
        ("sv", "Nyanlända elever i skolan", "Education and Culture"),
        ("nl", "Inburgering en taaleis voor statushouders", "Active Citizenship"),
        ("cs", "Cizinci a trvalý pobyt: nové podmínky", "Active Citizenship"),
        ("pt", "Imigrantes: relatório de indicadores de integração", "Tools and Techniques"),
        ("ro", "Refugiații și accesul la locuințe sociale", "Social Cohesion"),
        ("hu", "Menekültek munkaerőpiaci beilleszkedése", "Economic Participation"),
        ("bg", "Образование на деца бежанци", "Education and Culture"),
        ("da", "Flygtninge og boligområder", "Social Cohesion"),
        ("hr", "Izbjeglice i zapošljavanje", "Economic Participation"),
        ("sl", "Begunci in izobraževanje", "Education and Culture"),
        ("lt", "Pabėgėlių įdarbinimas ir užimtumas", "Economic Participation"),
        ("et", "Pagulaste eesti keele kursused", "Education and Culture"),
        ("lv", "Bēgļu izglītība skolās", "Education and Culture"),
        ("sk", "Cudzinci a vzdelávanie v školách", "Education and Culture"),
        ("mt", "Migranti u l-edukazzjoni", "Education and Culture"),
        ("ga", "Teifigh agus oideachas", "Education and Culture"),
    ],
)
def test_multilingual_titles(engine, language, title, theme):
    c = engine.classify(title, None, language)
    assert c.relevant, (title, c.relevance_evidence)
    assert theme in c.assigned, (title, c.assigned)


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("ar", "اندماج اللاجئين"),
        ("uk", "Інтеграція біженців"),
        ("ru", "Интеграция мигрантов"),
        ("tr", "Göçmenlerin entegrasyonu"),
    ],
)
def test_relevance_in_extra_languages(engine, language, title):
    assert engine.classify(title, None, language).relevant


def test_per_language_threshold_override(raw):
    data = copy.deepcopy(raw)
    data["thresholds"]["by_language"] = {"de": {"relevance": 0.99}}
    strict = RuleEngine(parse(data))
    text = "Migranten und Integration"
    assert strict.classify(text, None, "en").relevant
    assert not strict.classify(text, None, "de").relevant


def test_theme_negative_only_masks_its_theme(engine):
    a = engine.analyse("Cohesion policy funds for refugees' housing", None, "en")
    ev = {e.term for e in a.evidence["theme:social_cohesion"]}
    assert "cohesion" not in ev and "housing" in ev


@pytest.mark.parametrize(
    ("language", "title", "theme"),
    [
        ("ar", "توفير السكن للاجئين في المدن", "Social Cohesion"),
        ("ar", "تعليم أطفال المهاجرين في المدارس", "Education and Culture"),
        ("ar", "فرص العمل للاجئين في سوق العمل", "Economic Participation"),
        ("ru", "Трудоустройство беженцев и мигрантов", "Economic Participation"),
        ("ru", "Гражданство и вид на жительство для мигрантов", "Active Citizenship"),
        ("ru", "Жильё для беженцев из Украины", "Social Cohesion"),
        ("uk", "Освіта для дітей біженців", "Education and Culture"),
        ("uk", "Дискримінація мігрантів у Європі", "Anti-discrimination and Equality"),
        ("tr", "Göçmenlere yönelik ayrımcılık ve ırkçılık", "Anti-discrimination and Equality"),
        ("tr", "Suriyeli mültecilerin istihdamı", "Economic Participation"),
        ("ga", "Tithíocht do theifigh in Éirinn", "Social Cohesion"),  # lenited "teifigh"
        ("mt", "Impjiegi għall-migranti fis-suq tax-xogħol", "Economic Participation"),
    ],
)
def test_themes_in_extra_and_small_languages(engine, language, title, theme):
    c = engine.classify(title, None, language)
    assert c.relevant, (title, c.relevance_evidence)
    assert c.assigned[0] == theme, (title, c.assigned)


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("ru", "Европейская интеграция и расширение ЕС"),
        ("tr", "Avrupa entegrasyonu ve AB genişlemesi"),
        ("ru", "Работа роботов на заводе"),
        ("tr", "Yazılım entegrasyonu ve eğitim"),
    ],
)
def test_extra_language_negatives(engine, language, title):
    assert not engine.classify(title, None, language).relevant


def test_labour_market_integration_is_not_eu_market_integration(engine):
    c = engine.classify("Jobs for refugees", "Employment and labour market integration of refugees.", "en")
    assert c.relevant and c.assigned == ("Economic Participation",)
    assert not engine.classify(
        "Energy market integration", "Gas and electricity market integration.", "en"
    ).relevant


# Learning or knowing the host country's language is a subtopic of Education and Culture
# (themes.yaml subtopics): every language's list names it, and the short nouns chosen for it do not
# catch the look-alike words of their language (Finnish "kielto" ban, Estonian "keelatud" forbidden,
# Lithuanian "kalbėjo" said, Czech/Slovak adjectives stay matched by design: "jazykový kurz").
HOST_LANGUAGE = [
    ("en", "Free English classes for newly arrived families"),
    ("es", "El ayuntamiento ofrece un curso gratuito de español para vecinos recién llegados"),
    ("pt", "Aulas de português gratuitas para famílias recém-chegadas"),
    ("hr", "Novi radnici moraju učiti hrvatski prije produljenja dozvole"),
    ("hr", "Tečaj: hrvatski jezik za početnike"),
    ("sl", "Znanje jezika odpira vrata na trg dela"),
    ("cs", "Bez jazyka to nejde: kurzy pro nově příchozí"),
    ("sk", "Znalosť jazyka je prvým krokom"),
    ("bg", "Безплатни уроци по български език за новодошли"),
    ("ro", "Cunoașterea limbii deschide uși"),
    ("hu", "A nyelvtudás az első lépés"),
    ("fi", "Suomen kieli avaa ovia työelämään"),
    ("et", "Eesti keele õpe algab sügisel"),
    ("lv", "Valodas zināšanas palīdz atrast darbu"),
    ("lt", "Lietuvių kalbos pamokos suaugusiems"),
    ("sv", "Lär dig svenska på biblioteket"),
    ("da", "Gratis undervisning i dansk for nyankomne"),
]
NOT_HOST_LANGUAGE = [
    ("fi", "Kaupunki harkitsee kieltoa ilotulitteille"),
    ("et", "Koerte toomine randa on keelatud"),
    ("lt", "Meras kalbėjo apie naują tiltą"),
    ("ro", "Limbajul de programare Python câștigă teren"),
]


@pytest.mark.parametrize(("language", "title"), NOT_HOST_LANGUAGE)
def test_look_alike_words_are_not_language_cues(engine, language, title):
    assert not engine.analyse(title, "", language).evidence.get("theme:education_culture", ())


# "Social integration" (the social-inclusion subtopic of Social Cohesion) named in each language,
# and housing words beyond the noun (Dutch "huisvesten", French "relogement").
SOCIAL_INTEGRATION = [
    ("en", "Sport clubs as places of social integration"),
    ("de", "Soziale Integration im Stadtteil stärken"),
    ("fr", "L'intégration sociale passe par le quartier"),
    ("fr", "Relogement des familles réfugiées à Lyon"),
    ("it", "Integrazione sociale dei nuovi arrivati"),
    ("es", "La integración social empieza en el barrio"),
    ("pt", "Integração social nas cidades"),
    ("nl", "Sociale integratie via de buurt"),
    ("nl", "Gemeente wil meer statushouders huisvesten"),
    ("pl", "Integracja społeczna w małych gminach"),
    ("cs", "Sociální integrace v obcích"),
    ("sk", "Sociálna integrácia v mestách"),
    ("sl", "Socialna integracija v lokalnem okolju"),
    ("hr", "Socijalna integracija u lokalnoj zajednici"),
    ("bg", "Социална интеграция в общините"),
    ("ro", "Integrarea socială în comunitate"),
    ("hu", "Társadalmi integráció a településeken"),
    ("fi", "Sosiaalinen integraatio kunnissa"),
    ("et", "Sotsiaalne integratsioon omavalitsustes"),
    ("lv", "Sociālā integrācija pašvaldībās"),
    ("lt", "Socialinė integracija savivaldybėse"),
    ("sv", "Social integration i kommunerna"),
    ("da", "Social integration i kommunerne"),
    ("mt", "Integrazzjoni soċjali fil-komunità"),
]


# Integration courses and programmes, intercultural mediators, advisory councils, long-term residence
# and work permits (subtopics of Active Citizenship) in the languages whose lists lacked them.
CIVIC = [
    ("es", "Nuevo curso de integración para recién llegados"),
    ("pt", "Mediadores interculturais nas escolas"),
    ("it", "Il mediatore culturale in ospedale"),
    ("pl", "Kursy integracyjne dla cudzoziemców"),
    ("cs", "Interkulturní pracovníci na úřadech"),
    ("sk", "Integračný kurz pre cudzincov"),
    ("sl", "Program začetne integracije priseljencev"),
    ("hr", "Stalni boravak za strane radnike"),
    ("bg", "Интеграционна програма за бежанци"),
    ("ro", "Sesiuni de acomodare culturală"),
    ("hu", "Letelepedési engedély igénylése"),
    ("et", "Alaline elamisõigus ja pikaajaline elanik"),
    ("lv", "Darba atļauja ārzemniekiem"),
    ("lt", "Integracijos programa prieglobstį gavusiems"),
    ("el", "Άδειες εργασίας για μετανάστες"),
    ("mt", "Il-programm I Belong"),
]
# The host country's language named as a second language or "for foreigners" (a course's usual name).
SECOND_LANGUAGE = [
    ("hr", "Hrvatski za strance: upisi u tijeku"),
    ("sl", "Slovenščina za tujce v Mariboru"),
    ("cs", "Čeština pro cizince zdarma"),
    ("sk", "Slovenčina pre cudzincov v Bratislave"),
    ("pl", "Język polski dla cudzoziemców od września"),
    ("bg", "Български за чужденци в Пловдив"),
    ("lt", "Lietuvių kalba užsieniečiams"),
    ("lv", "Latviešu valoda ārzemniekiem"),
    ("et", "Eesti keel teise keelena koolides"),
    ("hu", "Magyar mint második nyelv az iskolában"),
    ("ro", "Limba română pentru străini"),
    ("fi", "Suomi toisena kielenä -opetus"),
    ("sv", "Svenska för invandrare i Malmö"),
    ("da", "Dansk som andetsprog i folkeskolen"),
    ("nl", "Nederlands als tweede taal op de basisschool"),
    ("de", "Deutsch als Zweitsprache an Grundschulen"),
    ("fr", "Français langue seconde au collège"),
    ("it", "Italiano L2 nelle scuole primarie"),
    ("es", "Español para extranjeros en Murcia"),
    ("pt", "Português Língua de Acolhimento em Braga"),
    ("el", "Ελληνικά ως δεύτερη γλώσσα στα σχολεία"),
    ("en", "ESOL classes at the library"),
]
SUBTOPIC_CUES = (
    [("education_culture", *r) for r in HOST_LANGUAGE + SECOND_LANGUAGE]
    + [("social_cohesion", *r) for r in SOCIAL_INTEGRATION]
    + [("active_citizenship", *r) for r in CIVIC]
)


@pytest.mark.parametrize(
    ("theme", "language", "title"),
    SUBTOPIC_CUES,
    ids=[f"{r[0]}-{r[1]}-{i}" for i, r in enumerate(SUBTOPIC_CUES)],
)
def test_subtopic_is_a_cue_of_its_theme(engine, theme, language, title):
    assert engine.analyse(title, "", language).evidence.get(f"theme:{theme}", ()), title


@pytest.mark.parametrize(
    "language, title, text, counted",
    [
        # alone: a kindergarten, an old people's home, an animal shelter, a bomb shelter
        ("it", "Nuovo asilo comunale", "Il nuovo asilo apre con 60 posti per i bambini.", False),
        ("es", "Reforma del asilo", "El asilo de San Rafael reforma el comedor.", False),
        ("hr", "Azil traži hranu", "Azil za napuštene životinje traži hranu i volontere.", False),
        ("bg", "Ремонт на убежищата", "Общината ремонтира убежищата в училищата.", False),
        # beside another migrant or integration cue (in the title or the text): asylum
        ("it", "Asilo e integrazione", "Il Comune sostiene l'integrazione dei migranti.", True),
        ("it", "Rifugiati a scuola", "I rifugiati con asilo seguono corsi di italiano.", True),
        ("ro", "Azil și integrare", "Persoanele cu azil primesc cursuri de limba română.", True),
        ("bg", "Убежище", "Търсещите убежище учат български език в центровете.", True),
    ],
)
def test_ambiguous_cues_count_only_beside_another_migrant_cue(engine, language, title, text, counted):
    """Step 7: an ``ambiguous`` word (a migrant word with a common second sense) joins the migrant sum
    only when the item has another migrant or integration cue; alone it is evidence of weight 0, which
    is no reason shown (it moved nothing)."""
    analysis = engine.analyse(title, text, language)
    ambiguous = {t for lang in engine.config.relevance["ambiguous"].values() for t in lang}
    found = [e for g in ("migrant", "ambiguous") for e in analysis.evidence.get(g, ()) if e.term in ambiguous]
    assert found, "the ambiguous word is found"
    shown = [e for e in engine.relevance_evidence(analysis) if e.term in ambiguous]
    if counted:
        assert shown and all(e.weight > 0 for e in shown)
        assert analysis.sums["migrant"] >= sum(e.weight for e in shown)
    else:
        assert all(e.weight == 0 for e in found)
        assert not shown
        assert analysis.relevance == 0.0
        assert "ambiguous" not in analysis.sums


@pytest.mark.parametrize(
    "language, title, text, counted",
    [
        # the migrant word inside the ambiguous phrase is the phrase's own word: no support
        (
            "it",
            "Titoli di studio esteri",
            "Chi rientra in Italia con titoli di studio esteri aspetta mesi.",
            False,
        ),
        ("es", "Especies de origen extranjero", "Las especies de origen extranjero invaden el río.", False),
        # a weak cue (weight 1) does not vouch for it either
        (
            "es",
            "Retornados con títulos extranjeros",
            "Jóvenes que emigraron vuelven con títulos extranjeros.",
            False,
        ),
        # a clear migrant cue elsewhere does
        ("it", "Titoli esteri", "Gli immigrati con titoli di studio esteri aspettano mesi.", True),
        (
            "es",
            "Títulos extranjeros",
            "Los inmigrantes con títulos extranjeros esperan la homologación.",
            True,
        ),
    ],
)
def test_an_ambiguous_phrase_needs_support_from_elsewhere(engine, language, title, text, counted):
    """An ``ambiguous`` phrase's own words never support it, nor do weak cues below MIN_SUPPORT; one
    that is not counted is no reason shown."""
    analysis = engine.analyse(title, text, language)
    ambiguous = {t for lang in engine.config.relevance["ambiguous"].values() for t in lang}
    found = [e for g in ("migrant", "ambiguous") for e in analysis.evidence.get(g, ()) if e.term in ambiguous]
    assert found and all((e.weight > 0) == counted for e in found), found
    shown = [e for e in engine.relevance_evidence(analysis) if e.term in ambiguous]
    assert bool(shown) == counted, shown


def _edit_at(text: str, old: str, new: str, nth: int = 1) -> tuple[str, int]:
    """`text` with the `nth` occurrence of `old` replaced by `new`, and the 1-based line it is on."""
    at = -1
    for _ in range(nth):
        at = text.index(old, at + 1)
    return text[:at] + new + text[at + len(old) :], text.count("\n", 0, at) + 1


@pytest.mark.parametrize(
    ("old", "new", "nth", "field"),
    [
        ("schema: 1", "schema: 2", 1, "schema"),
        ("max_themes: 4", "max_themes: 0", 1, "scoring.max_themes"),
        ('"asilo": 3', '"asilo": 0', 1, "relevance.ambiguous.it['asilo']"),
        ('"asilo": 3', '"asilo": x', 2, "relevance.ambiguous.es['asilo']"),
        ('"menas": 2', '"me*nas": 2', 1, "relevance.ambiguous.es['me*nas']"),
        ("  migrant:\n", "  migrant:\n    xx: {foo: 1}\n", 1, "relevance.migrant.xx"),
        ("name: Social Cohesion", "name: Cohesion", 1, "themes[2].name"),
    ],
)
def test_load_names_the_line_of_the_broken_field(tmp_path: Path, old, new, nth, field):
    """A rule broken anywhere in the file is reported as FILE:LINE: field: problem, the line being
    the key's own (a term on the third line of a flow mapping too)."""
    text, line = _edit_at(DEFAULT_PATH.read_text(encoding="utf-8"), old, new, nth)
    if old.startswith("  migrant:"):
        line += 1  # the inserted language is on the next line
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThemesConfigError) as err:
        load(path)
    assert str(err.value).startswith(f"{path}:{line}: {field}: "), str(err.value)


def test_a_yaml_syntax_error_names_its_line(tmp_path: Path):
    text, line = _edit_at(DEFAULT_PATH.read_text(encoding="utf-8"), '"asilo": 3,', '"asilo": [3,', 1)
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThemesConfigError) as err:
        load(path)
    reported = int(str(err.value).split(":")[1])
    assert str(err.value).startswith(f"{path}:") and "not valid YAML" in str(err.value)
    assert line <= reported <= line + 3  # the parser notices a few lines on, at the latest


@pytest.mark.parametrize(
    ("negative", "area", "area_scale", "cap", "expected"),
    [
        (0.0, 0.0, 8.0, 4.0, 1.0),  # no negative context: nothing taken
        (2.0, 0.0, 8.0, 4.0, math.exp(-1.0)),  # no area evidence: the negative in full
        (2.0, 2.0, 8.0, 4.0, math.exp(-math.exp(-0.25))),  # area evidence softens it
        (2.0, 80.0, 8.0, 4.0, math.exp(-math.exp(-0.5))),  # a long text: at most the cap's share
        (2.0, 80.0, 8.0, 100.0, math.exp(-math.exp(-10.0))),  # no cap to speak of: almost nothing left
        (2.0, 8.0, 0.0, 4.0, math.exp(-1.0)),  # scale 0: negatives always in full
        (2.0, 8.0, 8.0, 0.0, math.exp(-1.0)),  # cap 0: likewise
    ],
)
def test_integration_area_evidence_softens_a_negative_context(negative, area, area_scale, cap, expected):
    from classifier.rules import negative_factor
    from classifier.themes import Scoring

    scoring = Scoring(1.5, 3.0, 2.0, 3.0, 2.0, 0.5, 0.45, 4, area_scale, cap)
    sums = {"negative": negative, "area": area}
    assert negative_factor(sums, (), scoring) == pytest.approx(expected)


def test_a_theme_s_area_share_counts_on_the_area_side(raw):
    """Tools and Techniques (`area: 0.25`) adds a quarter of what another theme adds to A."""
    config = parse(copy.deepcopy(raw), "themes.yaml")
    from classifier.rules import area_sum

    tools = next(t for t in config.themes if t.name == "Tools and Techniques")
    social = next(t for t in config.themes if t.name == "Social Cohesion")
    assert (tools.area, social.area) == (0.25, 1.0)
    assert area_sum({f"theme:{tools.id}": 4.0}, config.themes, 0.5) == pytest.approx(0.5)
    assert area_sum({f"theme:{social.id}": 4.0}, config.themes, 0.5) == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("title", "education"),
    [
        ("Gli sportelli aprono per i rifugiati", False),  # help desks, not sport
        ("Lo sportello unico per l'immigrazione apre a Bari", False),  # another theme's phrase covers it
        ("Sport e integrazione: una squadra di calcio per i rifugiati", True),
        ("Sportivi e sportive insieme contro il razzismo", True),
    ],
)
def test_a_theme_s_mask_holds_under_another_theme_s_phrase(engine, title, education):
    """A theme's negative (mask) is dropped only under a longer phrase of the same theme."""
    analysis = engine.analyse(title, "", "it")
    assert (analysis.theme_scores["Education and Culture"] > 0) is education


@pytest.mark.parametrize(
    "whole_area, lead_area, expected",
    [
        (80.0, None, math.exp(-math.exp(-0.5))),  # no lead given: the whole text's A, capped
        (80.0, 0.0, math.exp(-1.0)),  # area only beyond the lead (a treaty): the negative in full
        (0.0, 2.0, math.exp(-math.exp(-0.25))),  # the lead states the area: softened
    ],
)
def test_the_area_evidence_that_softens_a_negative_is_read_on_the_lead(whole_area, lead_area, expected):
    from classifier.rules import negative_factor
    from classifier.themes import Scoring

    scoring = Scoring(1.5, 3.0, 2.0, 3.0, 2.0, 0.5, 0.45, 4, 8.0, 4.0)
    sums = {"negative": 2.0, "area": whole_area}
    lead = None if lead_area is None else {"area": lead_area}
    assert negative_factor(sums, (), scoring, lead) == pytest.approx(expected)


LEAD_PADDING = {
    "en": "The council met on Tuesday and published the minutes of the meeting on its website. ",
    "de": "Der Rat tagte am Dienstag und veröffentlichte das Protokoll der Sitzung auf seiner Website. ",
    "fr": "Le conseil s'est réuni mardi et a publié le compte rendu de la séance sur son site. ",
}


@pytest.mark.parametrize(
    "language, lead, passing",
    [
        (
            "en",
            "Refugees and migrants join free language courses and job mentoring for their integration "
            "in the city.",
            "The minister presented the plan at the party conference.",
        ),
        (
            "de",
            "Geflüchtete und Zugewanderte besuchen kostenlose Sprachkurse und ein Mentoring für den "
            "Arbeitsmarkt, damit ihre Integration gelingt.",
            "Die Jugendlichen helfen auch im Tierheim der Stadt.",
        ),
        (
            "fr",
            "Les réfugiés et les migrants suivent des cours de français gratuits et un accompagnement "
            "vers l'emploi pour leur intégration.",
            "Le nouveau programme a été présenté au congrès du parti.",
        ),
    ],
)
def test_a_negative_context_in_passing_does_not_sink_an_integration_story(
    engine: RuleEngine, language: str, lead: str, passing: str
) -> None:
    """The lead states integration-area evidence: a negative context named once, further on, keeps
    most of the score; the same context with the area named only after the lead takes it in full."""
    text = lead + " " + LEAD_PADDING[language] * 4 + passing
    stated = engine.analyse("", text, language)
    assert stated.sums.get("negative", 0.0) > 0
    late = engine.analyse("", LEAD_PADDING[language] * 4 + lead + " " + passing, language)
    assert late.sums.get("negative", 0.0) == pytest.approx(stated.sums["negative"])
    assert stated.lead_sums is not None and late.lead_sums is not None
    assert stated.relevance > late.relevance
    # the lead's area evidence is what softens: the whole texts' sums are the same
    assert stated.sums.get("area", 0.0) == pytest.approx(late.sums.get("area", 0.0))


@pytest.mark.parametrize(
    ("language", "text", "outside", "inside"),
    [
        ("en", "In {} the city opens language courses and job advice for refugees.", "Toronto", "Vienna"),
        ("de", "In {} bietet die Stadt Geflüchteten Sprachkurse und Jobberatung an.", "Kanada", "Wien"),
        ("fr", "À {}, la ville ouvre des cours de langue pour les réfugiés.", "Montréal", "Lyon"),
        ("it", "In {} il comune apre corsi di lingua per i rifugiati.", "Australia", "Italia"),
        ("es", "En {} el ayuntamiento abre cursos de idioma para refugiados.", "Colombia", "España"),
        ("pl", "W {} miasto otwiera kursy językowe dla uchodźców.", "Kanadzie", "Polsce"),
        ("el", "Στον {} ο δήμος προσφέρει μαθήματα γλώσσας σε πρόσφυγες.", "Καναδά", "Ευρώπη"),
        # a `europe` name inside a longer `elsewhere` name is that name's word
        ("en", "{} funds English classes and job advice for refugees.", "New South Wales", "Wales"),
        ("en", "In {} volunteers teach English to refugees and find them jobs.", "New England", "England"),
    ],
)
def test_a_story_set_outside_europe_is_a_negative_context(
    engine: RuleEngine, language: str, text: str, outside: str, inside: str
) -> None:
    """Rules step 7: `elsewhere` places lower relevance, unsoftened by integration words, when the item
    names no `europe` place; the same story set in Europe keeps its score, and a European place
    named beside the other place lifts the negative (not a European name inside the other's: Wales
    in New South Wales)."""
    away = engine.analyse(None, text.format(outside), language)
    home = engine.analyse(None, text.format(inside), language)
    both = engine.analyse(None, text.format(outside) + " " + text.format(inside), language)
    assert home.relevance > 0.4 and not home.evidence.get("negative")
    assert away.relevance < 0.7 * home.relevance
    assert [ev.weight < 0 for ev in away.evidence["negative"]] == [True]
    assert not both.evidence.get("negative") and both.relevance >= home.relevance


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("it", "La scuola usa il teatro per l'inclusione degli alunni stranieri e dei rifugiati."),
        ("es", "El proyecto usa mentores para la inclusión laboral de personas refugiadas."),
        ("pt", "A associação usa o futebol para a integração de jovens refugiados."),
        ("ro", "Ușa centrului de integrare pentru refugiați rămâne deschisă."),
    ],
)
def test_usa_as_a_word_of_the_language_is_no_place(engine: RuleEngine, language: str, text: str) -> None:
    """`elsewhere` never matches a common word of an EU language: "usa" (uses; the Romanian door)
    names the United States only in the languages where it is no word of their own."""
    assert not engine.analyse(None, text, language).evidence.get("negative")
    assert engine.analyse(None, "Die USA bieten Geflüchteten Sprachkurse an.", "de").evidence.get("negative")


@pytest.mark.parametrize(
    ("language", "borrowed", "own"),
    [
        (
            "de",
            "Geflüchtete lernen Deutsch bei Ehrenamtlichen, nach kanadischem Vorbild.",
            "Kanada bietet Geflüchteten Sprachkurse bei Ehrenamtlichen an.",
        ),
        (
            "en",
            "Volunteers support refugee families through community sponsorship modelled on Canada.",
            "Canada's model: volunteers support refugee families through community sponsorship.",
        ),
        (
            "cs",
            "Dobrovolníci pomáhají uprchlíkům s bydlením po vzoru Kanady.",
            "V Kanadě dobrovolníci pomáhají uprchlíkům s bydlením; je to kanadský model.",
        ),
        # a European name right before a migrant word (after it where adjectives follow the noun)
        # names the migrants' origin: the place outside Europe keeps its negative
        ("en", "Refugees in Canada and Poland learn English.", "Ukrainian refugees in Canada learn English."),
        ("de", "Geflüchtete in Kanada und Polen lernen.", "Ukrainische Geflüchtete in Kanada lernen."),
        ("fr", "Les réfugiés au Canada et en France.", "Les réfugiés ukrainiens au Canada."),
    ],
)
def test_a_place_named_as_a_model_or_an_origin_does_not_set_the_story(
    engine: RuleEngine, language: str, borrowed: str, own: str
) -> None:
    """Rules step 7: places outside Europe named only beside a word for a model ("nach kanadischem
    Vorbild", "modelled on Canada", "po vzoru Kanady") are where an idea comes from: no negative;
    naming the place otherwise, or its own model ("Canada's model"), keeps the negative. A European
    name that is the migrants' origin ("Ukrainian refugees") does not lift it; one that is the
    setting does."""
    assert not engine.analyse(None, borrowed, language).evidence.get("negative")
    assert engine.analyse(None, own, language).evidence.get("negative")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Support link: https://eci.ec.europa.eu/060/public/?lg=en", ["support", "link"]),
        ("Write to info@refugees.example.eu today", ["write", "to", "today"]),
        ("See www.integration.gv.at/fluechtlinge and HTTP://A.EU/c", ["see", "and"]),
        ("Flüchtlinge (https://example.de/fluechtlinge) lernen", ["fluchtlinge", "lernen"]),
        ("Geflüchtete.Integration bleibt ein Wort", ["gefluchtete", "integration", "bleibt", "ein", "wort"]),
        ("Refugees met at 5pm in Wien.", ["refugees", "met", "at", "5pm", "in", "wien"]),
        ("mailto:office@migrants.example.org", ["mailto"]),
        (
            "(https://www.wien.gv.at/guide)Refugees and asylum seekers",
            ["refugees", "and", "asylum", "seekers"],
        ),
        ("https://www.graz.at/beratung,Flüchtlinge und Asylwerber", ["fluchtlinge", "und", "asylwerber"]),
        ("Querid@s.Migrantes y refugiados", ["querides", "migrantes", "y", "refugiados"]),
        ("Refugees@Home.Network connects hosts", ["refugees", "home", "network", "connects", "hosts"]),
        ("OFFICE@MIGRANTS.EXAMPLE.ORG and WWW.X.EU too", ["and", "too"]),
        # a dotted host with a top-level domain and a path is an address without scheme or www.
        ("ec.europa.eu/home-affairs/refugees-and-migrants", []),
        ("Mehr: integrationsfonds.at/fluechtlinge/kurse heute", ["mehr", "heute"]),
        ("Voir immigration.interieur.gouv.fr/Asile et plus", ["voir", "et", "plus"]),
        ("Info: bit.ly/Migrants2025 now", ["info", "now"]),
        ("Zie ind.nl/gezinshereniging.", ["zie"]),
        ("und/oder 12/03/2025 z.B./etwa", ["und", "oder", "12", "03", "2025", "z", "b", "etwa"]),
        ("Asyl/Migration/Integration", ["asyl", "migration", "integration"]),
        # e-mail: a top-level domain of any length or case, unless every label reads as a word
        ("Write to info@migrants.brussels today", ["write", "to", "today"]),
        ("Mail info@refugees.Eu now", ["mail", "now"]),
        ("Kontakt: beratung@fluechtlinge.wien", ["kontakt"]),
        ("Escriba a Migrantes@Ayuntamiento.es hoy", ["escriba", "a", "hoy"]),
        ("Refugees@Work.Berlin tonight", ["refugees", "work", "berlin", "tonight"]),
        ("Todos@Migrantes.Red", ["todos", "migrantes", "red"]),
        # written against harvesting
        ("integration(at)stadt-wien.at fragt", ["fragt"]),
        ("Kontakt: asyl [at] caritas.de oder", ["kontakt", "oder"]),
        ("réfugiés (at) ville-lyon (dot) fr merci", ["merci"]),
        ("Meet at (at) the centre", ["meet", "at", "at", "the", "centre"]),
        # an address ends where RFC 3986 characters do, and at ';' and ','
        ("https://x.eu/a;refugees", ["refugees"]),
        ("https://x.eu/a|refugees", ["refugees"]),
        ("https://x.eu/a«Migranten»", ["migranten"]),
        ("https://x.eu/a^asylum", ["asylum"]),
        ("www.x.eu/a`migrants`", ["migrants"]),
        ("https://de.wikipedia.org/wiki/Flüchtling; Asyl", ["asyl"]),
    ],
)
def test_web_and_mail_addresses_are_no_words_of_a_text(text: str, words: list[str]) -> None:
    """classifier.rules.tokenize leaves out web and e-mail addresses: their parts ("public",
    "europa", "refugees") are neither cues nor model words, while the words around them stay."""
    from classifier.rules import tokenize

    assert tokenize(text) == words


@pytest.mark.parametrize(
    ("title", "migrant"),
    [
        ("Obair d'imircigh agus do dhídeanaithe", True),
        ("Ranganna Gaeilge do na himircigh", True),
        ("Dídeanaí ag foghlaim Gaeilge", True),
        ("Tithíocht do na ndídeanaithe", True),
        ("Ranganna Gaeilge do dhaoine fásta", False),
    ],
)
def test_irish_words_for_migrants_and_refugees_in_their_plural_and_mutated_forms(
    engine: RuleEngine, title: str, migrant: bool
) -> None:
    """Irish "imircigh" (migrants) and "dídeanaí" / "dídeanaithe" (refugee, refugees), lenited and
    eclipsed too, are decisive migrant cues (config/themes.yaml); an item without them has none."""
    assert (engine.analyse(title, "", "ga").sums.get("migrant", 0.0) >= 3) is migrant


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Psychotherapeut*innen helfen", ["psychotherapeutinnen", "helfen"]),
        ("Lehrer:innen und Schüler_innen", ["lehrerinnen", "und", "schulerinnen"]),
        ("Bürger/-innen und Antragsteller/-in", ["burgerinnen", "und", "antragstellerin"]),
        ("Migrant/innen beraten", ["migrantinnen", "beraten"]),
        ("Eine Ärzt*in für Geflüchtete", ["eine", "arztin", "fur", "gefluchtete"]),
        ("Les migrant·e·s accueilli·es", ["les", "migrantes", "accueillies"]),
        ("Zeit: innen und außen", ["zeit", "innen", "und", "aussen"]),
        ("log up/in now", ["log", "up", "in", "now"]),
        ("at 10:in the morning", ["at", "10", "in", "the", "morning"]),
        # compounds: the inclusive word goes on after "innen"
        ("Migrant*innenorganisationen", ["migrantinnenorganisationen"]),
        ("Lehrer*innenfortbildung", ["lehrerinnenfortbildung"]),
        ("Bürger:innenbeteiligung", ["burgerinnenbeteiligung"]),
        ("Schüler_innenvertretung", ["schulerinnenvertretung"]),
        ("Bürger/-innenbüro", ["burgerinnenburo"]),
        ("Thema:Innenpolitik", ["thema", "innenpolitik"]),
        # an adjective's ending after the mark
        ("Geflüchtete*r sucht Wohnung", ["gefluchteter", "sucht", "wohnung"]),
        ("Asylsuchende:r und Geflüchtete_r", ["asylsuchender", "und", "gefluchteter"]),
        ("für Zugewanderte*n", ["fur", "zugewanderten"]),
        # other asterisks
        ("Migrant∗innen", ["migrantinnen"]),
        ("Migrant＊innen", ["migrantinnen"]),
        # French: full stop, bullet, hyphen, brackets
        ("les migrant.e.s", ["les", "migrantes"]),
        ("des réfugié.e.s", ["des", "refugiees"]),
        ("les réfugié.es accueilli.es", ["les", "refugiees", "accueillies"]),
        ("les migrant-e-s", ["les", "migrantes"]),
        ("étudiant•e•s étranger•e•s", ["etudiantes", "etrangeres"]),
        ("les migrant(e)s", ["les", "migrantes"]),
        ("nos ami(e)(s) exilé(e)s", ["nos", "amies", "exilees"]),
        ("un.e migrant.e.", ["une", "migrante"]),
        ("bianco-e-nero", ["bianco", "e", "nero"]),
        ("Vitamin-E", ["vitamin", "e"]),
        ("voir fig.E", ["voir", "fig", "e"]),
        # Spanish and Portuguese: "@" and "x"
        ("l@s migrant@s", ["les", "migrantes"]),
        ("tod@s l@s refugiad@s", ["todes", "les", "refugiades"]),
        ("lxs migrantxs", ["les", "migrantes"]),
        ("alun@s imigrantes", ["alunes", "imigrantes"]),
        ("Linux boxes", ["linux", "boxes"]),
    ],
)
def test_a_gender_inclusive_word_is_one_word(text: str, words: list[str]) -> None:
    """classifier.rules.tokenize keeps "Migrant*innen", "Lehrer:innen", "Bürger/-innen", "migrant·e·s"
    whole, so no fragment ("innen") is a word of the text; a colon or slash between separate words
    still separates them."""
    from classifier.rules import tokenize

    assert tokenize(text) == words


SPAN_ROWS = [
    # (spans, query, covering tags): a covering span holds the query and is longer
    ([(0, 3, "a")], (1, 2), ["a"]),
    ([(0, 3, "a")], (0, 3), []),  # the same span does not cover itself
    ([(0, 3, "a")], (2, 4), []),  # overlaps, does not hold
    ([(2, 3, "a"), (0, 5, "b"), (1, 3, "c")], (2, 3), ["b", "c"]),
    ([(5, 6, "a"), (0, 2, "b")], (5, 6), []),  # a short span far before
    ([(0, 9, "long"), (7, 8, "x")], (7, 8), ["long"]),  # the longest span reaches back to 0
    ([], (0, 1), []),
]


@pytest.mark.parametrize(("spans", "query", "expected"), SPAN_ROWS)
def test_spans_cover_as_defined(
    spans: list[tuple[int, int, str]], query: tuple[int, int], expected: list[str]
) -> None:
    index = rules._Spans(spans)
    assert sorted(index.covering(*query)) == sorted(expected)
    assert index.covers(*query) is bool(expected)


def test_spans_agree_with_a_scan_of_every_span() -> None:
    """The index answers what a scan of every span answers (the rule it replaces), on random spans."""
    rng = random.Random(7)
    for _ in range(200):
        spans = [
            (s, s + rng.randint(1, 6), i)
            for i, s in enumerate(rng.randint(0, 40) for _ in range(rng.randint(0, 30)))
        ]
        index = rules._Spans(spans)
        for s in range(0, 45):
            e = s + rng.randint(1, 4)
            scanned = sorted(t for ps, pe, t in spans if ps <= s and e <= pe and pe - ps > e - s)
            assert sorted(index.covering(s, e)) == scanned
