"""Relevance means migrant integration, in the item's language (classifier.rules step 3, classifier.model
vetoes), with the default classifier: rules + the shipped model.

Rules pinned:
- terms are matched in the item's language and the language-neutral list only: every piece of rule
  evidence names the item's language or ``any``;
- generic social words (school, poverty, housing, human rights) never make an item relevant alone;
- negative contexts (sanctions and foreign affairs, visa codes and border agreements, animal welfare,
  appointments, "European integration" of states) keep migration words from making an item relevant;
- every off-topic item of the table scores below every on-topic one.
"""

from __future__ import annotations

import pytest

import classifier
from classifier.rules import RuleEngine
from classifier.themes import load

OFF_TOPIC = [
    (
        "en",
        "EU foreign ministers agree new sanctions on Venezuela",
        "The Foreign Affairs Council condemned human rights abuses, poverty and the closure of schools. "
        "Sanctions target officials; millions have left the country as migrants.",
    ),
    (
        "en",
        "Frontex status agreement signed with Montenegro",
        "The agreement allows border management teams to operate at the border and supports readmission "
        "of irregular migrants.",
    ),
    (
        "en",
        "Citizens call for an EU law on stray dogs and cats",
        "Animal welfare groups want shelters funded in every member state and in non-EU countries.",
    ),
    (
        "en",
        "Council updates the visa code: higher fees for short stays",
        "The visa code sets the fee for a Schengen visa; third-country nationals applying pay more.",
    ),
    (
        "en",
        "Western Balkans summit: European integration of the region",
        "Leaders discussed enlargement, the single market and deeper integration of the candidate countries.",
    ),
    (
        "en",
        "Schools face rising poverty and housing costs",
        "Teachers report hungry children; human rights groups call for free school meals and housing.",
    ),
    (
        "de",
        "Ex-Ministerin neue Chefin eines Migrationsinstituts",
        "Die frühere Ministerin wurde zur Chefin des Instituts ernannt, das zu Migration und Asyl forscht.",
    ),
    (
        "de",
        "Sonderparteitag: Partei fordert Obergrenze für Asylzahlen",
        "Auf dem Parteitag verlangten Delegierte weniger Asylanträge und mehr Grenzkontrollen.",
    ),
    (
        "es",
        "Los ministros de Asuntos Exteriores debaten nuevas sanciones",
        "El embargo de armas y las sanciones centraron la reunión; miles de desplazados huyen del conflicto.",
    ),
    (
        "it",
        "Sanzioni alla Russia, il vertice dei ministri degli esteri",
        "I ministri degli esteri hanno approvato nuove sanzioni e un embargo sul petrolio.",
    ),
    (
        "fr",
        "Fusion des universités : naissance d'un grand établissement",
        "La fusion réunit trois écoles; les étudiants étrangers pourront s'inscrire dans le nouveau master.",
    ),
    ("et", "Töö ja pereelu ühitamine", "Too much work: töö ja pereelu ühitamine on raske, ütlevad vanemad."),
]

ON_TOPIC = [
    (
        "en",
        "Language courses help refugees find jobs in Vienna",
        "The city funds German courses and job coaching for refugees and other newcomers.",
    ),
    (
        "de",
        "Mehr Plätze in Integrationskursen für Geflüchtete",
        "Geflüchtete und Zugewanderte sollen schneller Deutsch lernen und Arbeit finden.",
    ),
    (
        "fr",
        "Des cours de français pour les réfugiés à Lyon",
        "La ville propose des cours de langue et un accompagnement vers l'emploi aux réfugiés et migrants.",
    ),
    (
        "it",
        "Corsi di italiano per migranti e rifugiati a Torino",
        "Il comune finanzia corsi di lingua e percorsi di inserimento lavorativo per i rifugiati.",
    ),
    (
        "es",
        "Programa de inserción laboral para personas migrantes en Madrid",
        "El programa ofrece formación y empleo a personas inmigrantes y refugiadas.",
    ),
    (
        "pl",
        "Asystenci międzykulturowi wspierają dzieci uchodźców w szkołach",
        "Szkoły zatrudniają asystentów dla dzieci uchodźców z Ukrainy, by ułatwić integrację.",
    ),
    (
        "fi",
        "Maahanmuuttajien kotoutumiskoulutus laajenee",
        "Kunnat tarjoavat maahanmuuttajille suomen kielen opetusta ja työelämävalmennusta.",
    ),
    (
        "nl",
        "Gemeente helpt statushouders met huisvesting en werk",
        "Statushouders krijgen begeleiding bij inburgering, huisvesting en het vinden van werk.",
    ),
    (
        "sv",
        "Nyanlända får snabbare undervisning i svenska",
        "Kommunen erbjuder nyanlända invandrare svenskundervisning och praktik.",
    ),
]


@pytest.fixture(scope="module")
def default():
    return classifier.load_default(model_path=None)


@pytest.fixture(scope="module")
def rules() -> RuleEngine:
    return RuleEngine(load())


@pytest.mark.parametrize(("language", "title", "text"), OFF_TOPIC + ON_TOPIC)
def test_rule_evidence_is_in_the_items_language(rules, language, title, text):
    evidence = [ev for items in rules.analyse(title, text, language).evidence.values() for ev in items]
    assert {ev.language for ev in evidence} <= {language, "any"}


@pytest.mark.parametrize(
    ("language", "text", "foreign_term"),
    [
        ("en", "Work on the new bridge has begun", "begun*"),  # Slovene "refugee"
        ("en", "Too little, too late", None),
        ("et", "Töö ja pereelu ühitamine", None),
    ],
)
def test_no_match_across_languages(rules, language, text, foreign_term):
    here = rules.analyse(text, None, language)
    assert here.sums.get("migrant", 0.0) == 0.0
    if foreign_term:  # the same text with an unknown language still finds the other language's term
        terms = {ev.term for ev in rules.analyse(text, None, None).evidence.get("migrant", ())}
        assert foreign_term in terms


# Everyday sentences made of a language's most frequent words (modal verbs, "men", weather, a walk):
# no term of that language may match any of them. After accent folding a stem can swallow a frequent
# word (Czech "muze*", meant for "muzeum", matched "může", can, and "muži", men).
EVERYDAY = [
    ("cs", "Může to být pravda, ale muži to nevědí. Zítra bude pršet a večer půjdeme do kina."),
    ("sk", "Môže to byť pravda, ale muži to nevedia. Zajtra bude pršať a večer pôjdeme von."),
    (
        "pl",
        "Może to prawda, ale mężczyźni tego nie wiedzą. Jutro będzie padać, a wieczorem pójdziemy na spacer.",
    ),
    ("sl", "Morda je res, a moški tega ne vedo. Jutri bo deževalo, zvečer gremo na sprehod."),
    ("hr", "Možda je istina, ali muškarci to ne znaju. Sutra će padati kiša, a navečer idemo u šetnju."),
    (
        "de",
        "Das kann schon sein, aber die Männer wissen es nicht. Morgen regnet es, abends gehen wir spazieren.",
    ),
    (
        "fr",
        "C'est peut-être vrai, mais les hommes ne le savent pas. Demain il pleuvra, le soir nous sortirons.",
    ),
    (
        "it",
        "Forse è vero, ma gli uomini non lo sanno. Domani pioverà e la sera andremo a fare una passeggiata.",
    ),
    ("es", "Quizá sea verdad, pero los hombres no lo saben. Mañana lloverá y por la noche iremos a pasear."),
    ("pt", "Talvez seja verdade, mas os homens não sabem. Amanhã vai chover e à noite vamos passear."),
    (
        "nl",
        "Misschien is het waar, maar de mannen weten het niet. "
        "Morgen gaat het regenen, 's avonds wandelen we.",
    ),
    (
        "sv",
        "Det kan vara sant, men männen vet det inte. I morgon regnar det och på kvällen går vi ut och går.",
    ),
    (
        "da",
        "Det kan godt være rigtigt, men mændene ved det ikke. "
        "I morgen regner det, og om aftenen går vi en tur.",
    ),
    ("fi", "Se voi olla totta, mutta miehet eivät tiedä sitä. Huomenna sataa ja illalla menemme kävelylle."),
    ("et", "See võib olla tõsi, aga mehed ei tea seda. Homme sajab vihma ja õhtul läheme jalutama."),
    ("lv", "Varbūt tā ir taisnība, bet vīrieši to nezina. Rīt līs lietus, un vakarā mēs iesim pastaigāties."),
    ("lt", "Galbūt tai tiesa, bet vyrai to nežino. Rytoj lis, o vakare eisime pasivaikščioti."),
    ("hu", "Lehet, hogy igaz, de a férfiak nem tudják. Holnap esni fog, és este sétálni megyünk."),
    ("ro", "Poate că este adevărat, dar bărbații nu știu. Mâine va ploua, iar seara vom merge la plimbare."),
    ("bg", "Може би е вярно, но мъжете не знаят. Утре ще вали, а вечерта ще излезем на разходка."),
    ("el", "Ίσως είναι αλήθεια, αλλά οι άντρες δεν το ξέρουν. Αύριο θα βρέξει και το βράδυ θα πάμε βόλτα."),
    (
        "en",
        "It may be true, but the men do not know it. Tomorrow it will rain and in the evening we will walk.",
    ),
]


@pytest.mark.parametrize(("language", "text"), EVERYDAY, ids=[lang for lang, _ in EVERYDAY])
def test_no_term_matches_everyday_words(rules, language, text):
    analysis = rules.analyse(None, text, language)
    assert not {g: [ev.term for ev in items] for g, items in analysis.evidence.items() if items}
    assert analysis.relevance == 0.0


def test_a_czech_museum_is_still_culture(rules):
    for text in ("Výstava v muzeu pro cizince", "Nové muzeum", "Muzejní program pro migranty"):
        evidence = rules.analyse(None, text, "cs").evidence.get("theme:education_culture", ())
        assert {ev.term for ev in evidence} & {"muzeu*", "muzejn*"}, text


# Off-topic news with a word that a migrant term once swallowed after accent folding (the term is
# the second field): a shelter for dogs, a prison escapee, unattended luggage, extra security at a
# match, protected industrial designs, a council that complies, loanwords, travellers entering the
# country, roaming outside the EU, a country's own diaspora voting, Latvia's non-citizens, investors
# of Greek descent, a third earthquake, a man fleeing the police. Each also mentions inclusion or
# integration in another sense, so a migrant term would make it relevant.
HOMONYMS = [
    (
        "sk",
        "docasn* utocisk*",
        "Psy z Bratislavy našli dočasné útočisko v novom útulku",
        "Občianske združenie otvorilo nový útulok, kde túlavé psy nájdu dočasné útočisko. "
        "Dobrovoľníci hľadajú pre zvieratá nové rodiny a pomáhajú s ich začlenením do domácností."
        " Útulok prijíma aj finančné dary.",
    ),
    (
        "bg",
        "бегълец",
        "Издирват бегълец от затвора в Пазарджик",
        "Полицията издирва бегълец от затвора в Пазарджик, осъден за въоръжен грабеж. Бегълецът е"
        " избягал по време на работа извън затвора. Гражданите се приканват да съобщят при "
        "включване на информация.",
    ),
    (
        "lt",
        "nelydim*",
        "Vilniaus oro uoste rastas nelydimas bagažas",
        "Vilniaus oro uoste rastas nelydimas bagažas sukėlė evakuaciją. Pareigūnai patikrino "
        "lagaminą ir pavojaus nenustatė. Keleiviai buvo įtraukti į vėlesnius skrydžius.",
    ),
    (
        "lt",
        "papildom* apsaug*",
        "Krepšinio finale – papildoma apsauga",
        "Policija Žalgirio arenoje per finalą skirs papildomą apsaugą. Į areną atvyks daug "
        "sirgalių iš užsienio. Organizatoriai ragina žiūrovus įtraukti bilietus į programėlę iš "
        "anksto.",
    ),
    (
        "hu",
        "oltalmazott*",
        "Oltalmazott formatervezési minták: új szabályok",
        "A Szellemi Tulajdon Nemzeti Hivatala új eljárást vezet be az oltalmazott formatervezési "
        "minták nyilvántartására. A külföldi bejelentők is elektronikusan nyújthatják be "
        "kérelmeiket. Az integráció a európai rendszerbe jövőre valósul meg.",
    ),
    (
        "da",
        "efterkommer*",
        "Kommunen efterkommer Ankestyrelsens krav om nye busruter",
        "Aarhus Kommune efterkommer nu Ankestyrelsens afgørelse og opretter to nye busruter. "
        "Borgerne har klaget over manglende inklusion af landsbyerne i den kollektive trafik. "
        "Ruterne starter i august.",
    ),
    (
        "sl",
        "tujk*",
        "Jezikoslovci o tujkah v slovenščini",
        "Inštitut za slovenski jezik je objavil nov seznam tujk, ki jih je mogoče nadomestiti s "
        "slovenskimi besedami. Tujke so najpogostejše v računalništvu in športu. Predlogi bodo "
        "vključeni v nov pravopis.",
    ),
    (
        "fi",
        "maahan tulle*",
        "Matkailijat: muista tullirajoitukset maahan tullessa",
        "Tulli muistuttaa, että maahan tulleet matkailijat saavat tuoda alkoholia vain "
        "rajoitetusti. Ulkomailta tulleet paketit tarkastetaan. Tulli kehittää järjestelmien "
        "integraatiota.",
    ),
    (
        "hr",
        "izvan eu",
        "Roaming izvan EU: koliko plaćaju turisti",
        "Hrvatski turisti koji putuju izvan EU i dalje plaćaju visoke naknade za roaming. "
        "Operateri savjetuju uključivanje paketa prije puta. Cijene u Srbiji i BiH su i do deset "
        "puta veće.",
    ),
    (
        "ro",
        "diaspor*",
        "Românii din diaspora au votat în număr record",
        "Peste 900.000 de români din diaspora au votat la alegerile prezidențiale. Cele mai lungi"
        " cozi s-au format la secțiile din Londra, Madrid și Roma. Autoritatea Electorală "
        "Permanentă a promis integrarea votului prin corespondență în platforma electronică.",
    ),
    (
        "lv",
        "nepilson*",
        "Saeima lemj par nepilsoņu balsstiesībām pašvaldību vēlēšanās",
        "Saeima šodien debatēs par nepilsoņu balsstiesībām pašvaldību vēlēšanās. Opozīcija "
        "uzskata, ka sabiedrības integrācija prasa iekļaušanu. Koalīcija iebilst.",
    ),
    (
        "el",
        "ομογεν*",
        "Ένταξη 12 έργων της Περιφέρειας Κρήτης στο ΕΣΠΑ",
        "Εγκρίθηκε η ένταξη 12 έργων οδοποιίας και ύδρευσης της Περιφέρειας Κρήτης στο ΕΣΠΑ "
        "2021-2027. Τα έργα χρηματοδοτούνται από το Ταμείο Συνοχής. Ομογενείς επενδυτές από την "
        "Αυστραλία δήλωσαν ενδιαφέρον.",
    ),
    (
        "cs",
        "treti* zem*",
        "Turecko zasáhlo třetí zemětřesení za týden",
        "Východ Turecka zasáhlo třetí zemětřesení za týden o síle 5,8 stupně. Záchranáři hledají "
        "přeživší v troskách. Česká vláda nabídla humanitární pomoc a vyslala tým hasičů.",
    ),
    (
        "pl",
        "uciekajac*",
        "Pościg za uciekającym kierowcą w Krakowie",
        "Policjanci ścigali uciekającego kierowcę bmw przez pół Krakowa. Mężczyzna był pod "
        "wpływem alkoholu. Uciekający został zatrzymany na ul. Opolskiej.",
    ),
    # "asylum" words that also name a nursery, an old people's home, a homeless hostel, an animal
    # shelter or university asylum; "foreigner" stems that also mean "abroad"; "sold" in German
    (
        "it",
        "asilo",
        "Nuovo asilo nido comunale a Bergamo",
        "Apre a settembre il nuovo asilo nido comunale di via Roma, con 60 posti. Il progetto punta "
        "sull'inclusione dei bambini con disabilità e sull'integrazione con la scuola dell'infanzia. "
        "Le iscrizioni agli asili nido sono aperte fino al 30 giugno.",
    ),
    (
        "es",
        "asilo",
        "Inaugurado un asilo de ancianos en Cuenca",
        "La Junta inauguró un asilo de ancianos con 80 plazas en Cuenca. El centro apuesta por la "
        "integración de los mayores en la vida del barrio y por la inclusión digital.",
    ),
    (
        "pt",
        "asilo",
        "Asilo de idosos de Braga recebe obras de requalificação",
        "O asilo de idosos da Misericórdia de Braga vai receber obras de requalificação. A "
        "direção quer promover a integração dos utentes na comunidade e a inclusão digital.",
    ),
    (
        "ro",
        "azil*",
        "Un nou azil de bătrâni la Cluj",
        "Primăria Cluj a inaugurat un azil de bătrâni cu 50 de locuri. Proiectul urmărește "
        "integrarea vârstnicilor în comunitate și incluziunea socială a celor singuri.",
    ),
    (
        "ro",
        "straini",
        "Investitorii străini aduc 2 miliarde de euro în Timiș",
        "Investitori străini din Germania și Italia au anunțat noi fabrici în județul Timiș. "
        "Turiști străini au vizitat Timișoara în număr record. Autoritățile vorbesc despre "
        "integrarea regiunii în lanțurile de producție europene.",
    ),
    (
        "el",
        "ασυλο*",
        "Συζήτηση για το πανεπιστημιακό άσυλο",
        "Η κυβέρνηση κατέθεσε νομοσχέδιο για το πανεπιστημιακό άσυλο. Οι πρυτάνεις ζητούν "
        "ένταξη των φοιτητικών εστιών στο νέο πρόγραμμα χρηματοδότησης.",
    ),
    (
        "cs",
        "azyl*",
        "Azylový dům pro matky s dětmi otevřel v Kladně",
        "Charita otevřela v Kladně nový azylový dům pro matky s dětmi. V azylovém domě najdou "
        "ženy bydlení a pomoc se začleněním do běžného života.",
    ),
    (
        "cs",
        "cizin*",
        "Studium v cizině: jak získat stipendium",
        "Každý rok vyjede studovat do ciziny tisíce českých studentů. Po návratu z ciziny jim "
        "univerzity pomáhají s integrací do pracovního trhu.",
    ),
    (
        "sk",
        "cudzin*",
        "Práca v cudzine: na čo si dať pozor",
        "Slováci, ktorí hľadajú prácu v cudzine, by si mali overiť agentúru. Po návrate z cudziny "
        "úrady pomáhajú so začlenením na trh práce.",
    ),
    (
        "pl",
        "azyl*",
        "Nowy azyl dla zwierząt pod Krakowem",
        "Fundacja otworzyła azyl dla zwierząt gospodarskich pod Krakowem. Wolontariusze dbają o "
        "integrację zwierząt ze stadem i o włączenie lokalnej społeczności.",
    ),
    (
        "hr",
        "azil*",
        "Azil za pse u Zagrebu traži volontere",
        "Gradski azil za pse u Dumovcu traži volontere za šetnju pasa. Udruga potiče uključivanje "
        "djece i integraciju životinja u nove obitelji.",
    ),
    (
        "de",
        "vertrieben*",
        "Neue Küchengeräte werden europaweit vertrieben",
        "Die Geräte werden ab Mai europaweit vertrieben. Die Integration der App in bestehende "
        "Smart-Home-Systeme ist geplant.",
    ),
]

MASKED_YET_ON_TOPIC = [
    # a masked sense (weight 0) removes the word and nothing else: the item's own migrant words count
    (
        "it",
        "Asilo nido gratuito per i figli dei migranti",
        "Il Comune di Torino offre l'asilo nido gratuito ai figli delle famiglie migranti. L'obiettivo è "
        "l'integrazione delle madri nel lavoro.",
    ),
    (
        "cs",
        "Azylový dům pro uprchlice z Ukrajiny",
        "Charita otevřela azylový dům pro uprchlice z Ukrajiny s dětmi. Pomáhá jim s integrací a hledáním "
        "práce.",
    ),
    (
        "ro",
        "Investitori străini aduc lucrători din Asia",
        "Investitorii străini din Timiș angajează tot mai mulți lucrători străini din Asia. Integrarea lor "
        "rămâne o provocare.",
    ),
]

SENSES_KEPT = [
    # the same stems in the sense the lists mean them still count (language, term, text)
    ("it", "asilo", "Le domande di asilo sono aumentate e il comune rafforza l'integrazione."),
    ("es", "asilo", "Los solicitantes de asilo reciben clases de español para su integración."),
    ("ro", "azil*", "Solicitanții de azil primesc cursuri de limba română pentru integrare."),
    ("cs", "azyl*", "Žadatelé o azyl mohou navštěvovat integrační kurzy."),
    ("cs", "cizinc*", "Cizinci ze třetích zemí mohou navštěvovat kurzy češtiny."),
    ("cs", "cizinec", "Každý cizinec s povolením k pobytu má nárok na integrační kurz."),
    ("cs", "cizineck*", "Cizinecká policie a integrační centra spolupracují."),
    ("sk", "cudzinc*", "Cudzinci na Slovensku sa môžu prihlásiť na integračný kurz."),
    ("pl", "azyl*", "Osoby ubiegające się o azyl otrzymają wsparcie w integracji."),
    ("hr", "azil*", "Tražitelji azila uključeni su u tečaj hrvatskog jezika."),
    ("de", "binnenvertrieben*", "Binnenvertriebene aus der Ukraine erhalten Integrationskurse."),
    ("de", "vertriebene", "Vertriebene aus der Ukraine erhalten Integrationskurse."),
]


@pytest.mark.parametrize(
    ("language", "term", "title", "text"), HOMONYMS, ids=[r[0] + "-" + r[1] for r in HOMONYMS]
)
def test_homonyms_of_migrant_terms_are_not_relevant(default, language, term, title, text):
    result = default.classify(title, text, language, "news")
    assert not result.relevant, (result.relevance, result.relevance_evidence)
    terms = {ev.term for ev in default.engine.analyse(title, text, language).evidence.get("migrant", ())}
    assert term not in terms


@pytest.mark.parametrize(
    ("language", "term", "text"), SENSES_KEPT, ids=[r[0] + "-" + r[1] for r in SENSES_KEPT]
)
def test_migrant_senses_of_those_stems_still_count(default, language, term, text):
    import fnmatch

    from classifier.rules import tokenize

    terms = {ev.term for ev in default.engine.analyse("", text, language).evidence.get("migrant", ())}
    # the sense counts as the term itself or inside a longer migrant phrase that starts with its word
    # ("vertrieben* aus der ukraine")
    first = tokenize(text)[0]
    assert term in terms or any(" " in t and fnmatch.fnmatch(first, t.split()[0]) for t in terms), terms


@pytest.mark.parametrize(("language", "title", "text"), MASKED_YET_ON_TOPIC)
def test_a_masked_sense_does_not_lower_an_on_topic_item(default, language, title, text):
    result = default.classify(title, text, language, "news")
    assert result.relevant, (result.relevance, result.relevance_evidence)
    assert all(round(ev.weight, 3) != 0 for ev in result.relevance_evidence), "a mask is no reason"
    analysis = getattr(default, "engine", default).analyse(title, text, language)
    masks = [ev for ev in analysis.evidence.get("negative", ()) if ev.weight == 0]
    assert masks, "the masked phrase is found, with no weight"


def test_czech_museum_forms_are_culture_cues_and_verbs_are_not(default):
    def cues(text: str) -> set[str]:
        found = default.engine.analyse("", text, "cs").evidence.get("theme:education_culture", ())
        return {ev.term for ev in found}

    for text in ("Výstava v muzeích", "Muzeum otevřelo kurz", "Do muzea zdarma", "Muzejní noc"):
        assert cues(text) & {"muzeu*", "muzea", "muzei*", "muzejn*"}, text
    for text in ("Může to být", "Muži a ženy", "Mužům"):
        assert not cues(text) & {"muzeu*", "muzea", "muzei*", "muzejn*"}, text


@pytest.mark.parametrize(("language", "title", "text"), OFF_TOPIC)
def test_off_topic_items_are_not_relevant(default, language, title, text):
    result = default.classify(title, text, language)
    assert not result.relevant, (result.relevance, result.relevance_evidence)


@pytest.mark.parametrize(("language", "title", "text"), ON_TOPIC)
def test_on_topic_items_are_relevant_with_rule_evidence(default, language, title, text):
    result = default.classify(title, text, language)
    assert result.relevant, (result.relevance, result.relevance_evidence)
    assert any(not ev.term.startswith("model:") and ev.weight > 0 for ev in result.relevance_evidence)
    assert result.assigned


def test_every_off_topic_item_scores_below_every_on_topic_one(default):
    off = max(default.classify(t, x, lang).relevance for lang, t, x in OFF_TOPIC)
    on = min(default.classify(t, x, lang).relevance for lang, t, x in ON_TOPIC)
    assert off < on


@pytest.mark.parametrize(
    "text",
    [
        "School meals, poverty and housing: human rights groups demand action.",
        "Social inclusion and integration of people with disabilities in schools.",
        "Poverty, housing and health: the new social inclusion strategy.",
    ],
)
def test_generic_social_words_alone_never_make_an_item_relevant(default, text):
    result = default.classify(text, text, "en")
    assert not result.relevant
    assert result.relevance < 0.3


def _examples(n: int) -> list:
    from classifier.model import LabelledExample

    rel = [
        LabelledExample(
            f"Refugees learn the language {i}",
            "Language courses and jobs for refugees and migrants.",
            "en",
            True,
            ("Education and Culture",),
            page=f"https://example.org/r{i}",
        )
        for i in range(n)
    ]
    neg = [
        LabelledExample(
            f"Fishing quotas agreed {i}",
            "Ministers agree fishing quotas.",
            "en",
            False,
            page=f"https://x.org/f{i}",
        )
        for i in range(n)
    ]
    return rel + neg


@pytest.mark.parametrize("page", ["https://example.org/a", "https://example.org/b?x=1", "http://x.test/"])
def test_holdout_keeps_a_page_together(page):
    from classifier.evaluate import holdout, holdout_fold
    from classifier.model import LabelledExample

    same = [LabelledExample(f"t{i}", "x", "en", True, id=f"id{i}", page=page) for i in range(6)]
    assert len({holdout_fold(e) for e in same}) == 1
    train_part, held = holdout(same)
    assert not train_part or not held  # never straddles the split


def test_holdout_without_a_page_goes_by_id():
    from classifier.evaluate import holdout_fold
    from classifier.model import LabelledExample

    folds = {holdout_fold(LabelledExample("t", "x", "en", True, id=f"id{i}")) for i in range(40)}
    assert len(folds) > 1


def test_movement_compares_the_model_in_use_with_a_retrained_one_on_the_same_fifth(rules):
    from classifier.build import movement

    result = movement(_examples(25), rules, rules)
    assert result["held_out"] > 0
    for side in ("before", "after"):
        assert set(result[side]) == {
            "relevance_precision",
            "relevance_recall",
            "relevance_f1",
            "theme_micro_f1",
        }
    assert result["delta"]["relevance_f1"] == pytest.approx(
        result["after"]["relevance_f1"] - result["before"]["relevance_f1"], abs=1e-4
    )


# --- naturalisation, family reunification, foreign qualifications, EU Blue Card: migrant evidence ---

SETTLED_STATUS = [
    ("en", "Naturalisation: new citizenship test", "The government published a new test for applicants."),
    ("en", "Naturalisation rules to change", "The new rules apply from June."),
    ("en", "Naturalization fees to rise", "Applicants will pay more from next year."),
    ("en", "Family reunification rules tightened", "The ministry announced stricter income requirements."),
    (
        "en",
        "Recognition of foreign qualifications made easier",
        "A new online service answers in four weeks.",
    ),
    ("en", "EU Blue Card: new salary thresholds", "The minimum salary for skilled workers changes."),
    ("de", "Einbürgerung: Neue Regeln ab Juni", "Wer sich einbürgern lassen will, muss länger hier leben."),
    ("de", "Neues Einbürgerungsgesetz beschlossen", "Der Bundestag stimmte zu."),
    ("de", "Familiennachzug wird erleichtert", "Der Bundestag hat neue Regeln beschlossen."),
    ("de", "Anerkennung ausländischer Berufsabschlüsse", "Die Kammern bearbeiten Anträge digital."),
    ("de", "Blaue Karte EU: neue Gehaltsgrenzen", "Die Mindestgehälter steigen im nächsten Jahr."),
    ("fr", "Nouvelle loi sur la naturalisation", "Le parlement a adopté une réforme."),
    ("fr", "Regroupement familial : les conditions durcies", "Le gouvernement publie un décret."),
    (
        "fr",
        "Carte bleue européenne : nouveaux seuils de salaire",
        "Les employeurs doivent déclarer les postes.",
    ),
    ("it", "Ricongiungimento familiare: nuove regole", "Il ministero ha pubblicato le istruzioni."),
    (
        "it",
        "Naturalizzazione: tempi più brevi",
        "Le domande di naturalizzazione saranno esaminate in due anni.",
    ),
    ("es", "Reagrupación familiar: cambios en los requisitos", "El gobierno aprueba nuevas condiciones."),
    ("es", "Homologación de títulos extranjeros más rápida", "El ministerio simplifica el trámite."),
    ("pt", "Novas regras para o reagrupamento familiar", "O governo publicou as novas condições."),
    ("nl", "Nieuwe regels voor gezinshereniging", "De minister kondigt strengere inkomenseisen aan."),
    ("pl", "Nowe zasady łączenia rodzin", "Rząd przyjął projekt ustawy."),
    ("sv", "Nya regler för familjeåterförening", "Regeringen lägger fram ett förslag."),
    ("el", "Νέοι κανόνες για την πολιτογράφηση", "Η κυβέρνηση ανακοίνωσε αλλαγές."),
]
SETTLED_LOOK_ALIKES = [
    ("en", "Blue card for the midfielder", "The referee showed a blue card in the second half."),
    ("en", "Family reunion at the lake", "Three generations met for the summer family reunion."),
    ("en", "Naturalised plants spread along the river", "Botanists found naturalised species."),
    ("de", "Blaue Karte im Hockey", "Der Schiedsrichter zeigte die blaue Karte."),
    ("fr", "Paiement par carte bleue en panne", "Les clients ne pouvaient pas payer par carte bleue."),
    ("es", "Tarjeta azul del transporte público", "La tarjeta azul para jubilados cambia de precio."),
    ("cs", "Modrá karta pro dopravu", "Modrá karta městské dopravy zdraží."),
    ("nl", "Blauwe kaart bij het handbal", "De scheidsrechter trok de blauwe kaart."),
    ("it", "Naturalizzazione di specie aliene nel lago", "I biologi studiano le piante."),
    ("es", "La naturalización del cangrejo rojo", "Los biólogos estudian el río."),
    ("pl", "Naturalizacja obcych gatunków roślin", "Botanicy badają rzekę."),
    ("sv", "Naturalisering av invasiva arter", "Botaniker undersöker älven."),
    ("de", "Eingebürgerte Pflanzen am Rhein", "Die Einbürgerung gebietsfremder Arten nimmt zu."),
]


@pytest.mark.parametrize(("language", "title", "text"), SETTLED_STATUS)
def test_naturalisation_family_reunification_qualifications_and_blue_card_are_migrant_evidence(
    rules, language, title, text
):
    """Family reunification, the recognition of foreign qualifications, the EU Blue Card and
    naturalisation named with its people or procedure (law, rules, fees, a test, "einbürgern lassen")
    concern migrants only: each is migrant evidence of `MIN_MIGRANT_EVIDENCE` (2.5) in the EU languages
    where the term is unambiguous, so such an item has a migrant cue and the rules find it relevant
    (their theme terms give the integration area). Naturalisation alone is an ambiguous cue, which such
    a cue supports."""
    from classifier.model import has_migrant_cue

    analysis = rules.analyse(title, text, language)
    assert has_migrant_cue(analysis), analysis.sums
    assert analysis.relevance >= rules.config.thresholds.relevance_for(language), analysis.sums


@pytest.mark.parametrize(("language", "title", "text"), SETTLED_LOOK_ALIKES)
def test_a_blue_card_or_a_reunion_in_another_sense_is_no_migrant_evidence(rules, language, title, text):
    """Only the unambiguous forms count: "EU Blue Card", "Blaue Karte EU", "carte bleue européenne",
    not a referee's blue card or a French bank card; "family reunification", not a family reunion;
    naturalisation alone is also said of plants and species."""
    from classifier.model import has_migrant_cue

    analysis = rules.analyse(title, text, language)
    assert not has_migrant_cue(analysis), analysis.evidence


# --- a weak migrant cue counts once; technical, animal and tax "migration" is no migrant evidence ---

MIGRATION_IN_OTHER_SENSES = [
    (
        "en",
        "Migration to IPv6 completed",
        "The university network finished its migration to IPv6. The migration took two years.",
    ),
    (
        "en",
        "Customer migration to the new platform",
        "The bank's migration of customers ends in May; migration is automatic.",
    ),
    ("sv", "Migrationen av lax", "Laxens migration uppför älven startar i maj. Forskare följer migrationen."),
    (
        "pt",
        "Migração de clientes para a fibra",
        "A operadora concluiu a migração de clientes. A migração termina em junho.",
    ),
    (
        "fr",
        "Migration vers la TNT HD",
        "La migration vers la TNT HD aura lieu en mars. Vérifiez votre migration.",
    ),
    (
        "es",
        "Migración de clientes al nuevo sistema",
        "El banco completa la migración de clientes. La migración dura un fin de semana.",
    ),
    (
        "de",
        "Kundenmigration abgeschlossen",
        "Die Migration der Kunden auf die neue Plattform ist fertig. Die Migration lief gut.",
    ),
    (
        "it",
        "Migrazione dei clienti alla fibra",
        "La migrazione dei clienti alla fibra termina a giugno. La migrazione è gratuita.",
    ),
    (
        "nl",
        "Klantmigratie naar glasvezel",
        "De migratie naar glasvezel is klaar. De migratie verliep zonder storingen.",
    ),
    ("da", "Kundemigration til ny platform", "Migrationen af kunderne er afsluttet. Migrationen tog et år."),
    ("pl", "Migracja danych do chmury", "Migracja do chmury zakończona. Migracja trwała rok."),
    (
        "en",
        "Tax refugees flee to Monaco",
        "Wealthy tax refugees move to Monaco. The number of tax refugees rose.",
    ),
    ("de", "Steuerflüchtlinge zieht es nach Monaco", "Reiche Steuerflüchtlinge verlegen ihren Wohnsitz."),
    ("fr", "Les réfugiés fiscaux reviennent", "Des réfugiés fiscaux rentrent en France."),
    ("it", "Esuli fiscali in Svizzera", "Gli esuli fiscali italiani vivono a Lugano."),
    ("es", "Los refugiados fiscales de Andorra", "Cada vez más refugiados fiscales se mudan a Andorra."),
    ("nl", "Belastingvluchtelingen naar België", "Rijke belastingvluchtelingen verhuizen naar Brasschaat."),
    ("sv", "Skatteflyktingar i Schweiz", "Skatteflyktingarna bor i Schweiz."),
]


@pytest.mark.parametrize(("language", "title", "text"), MIGRATION_IN_OTHER_SENSES)
def test_migration_of_systems_customers_fish_and_tax_refugees_is_no_migrant_evidence(
    default, rules, language, title, text
):
    """A weak cue ("migration*", weight below `MIN_MIGRANT_EVIDENCE`) counts once however often the body
    repeats it, so repetition is no migrant cue; moving systems, customers, fish or one's tax residence
    is a negative context or a mask in each language, which also takes the word out of a title."""
    from classifier.model import has_migrant_cue

    assert not has_migrant_cue(rules.analyse(title, text, language))
    result = default.classify(title, text, language)
    assert not result.relevant, (result.relevance, result.relevance_evidence)


@pytest.mark.parametrize(
    ("language", "word", "weight"),
    [
        ("en", "migration", 1.5),
        ("de", "Migration", 2.0),
        ("fr", "migration", 2.0),
        ("sv", "migrationen", 2.0),
        ("et", "migratsioon", 1.5),
        ("en", "expats", 1.0),
    ],
)
@pytest.mark.parametrize("times", [1, 2, 5, 20])
def test_a_weak_migrant_cue_counts_once_however_often_it_is_repeated(rules, language, word, weight, times):
    """classifier.rules step 6: a migrant term weighing less than `MIN_MIGRANT_EVIDENCE` contributes
    its weight once however often the body repeats it, and one title occurrence besides when the
    title has it."""
    body = " ".join([f"The {word} of the year."] * times)
    assert rules.analyse("News", body, language).sums.get("migrant", 0.0) == pytest.approx(weight)
    boost = rules.config.scoring.title_boost
    assert rules.analyse(word, "News", language).sums.get("migrant", 0.0) == pytest.approx(weight * boost)
    both = rules.analyse(word, body, language).sums.get("migrant", 0.0)
    assert both == pytest.approx(weight * (boost + 1))


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        ("en", "Migration and the labour market", "Refugees find jobs faster with language courses."),
        ("de", "Migration und Arbeit", "Geflüchtete finden schneller Arbeit nach dem Sprachkurs."),
        ("fr", "Migration et emploi", "Les réfugiés trouvent un emploi après les cours de langue."),
        ("sv", "Migration och arbete", "Nyanlända flyktingar får jobb efter språkkursen."),
    ],
)
def test_a_weak_cue_beside_another_one_still_counts(rules, language, title, text):
    """Two different cues are migrant evidence: the weak one adds its weight to the other's."""
    from classifier.model import has_migrant_cue

    analysis = rules.analyse(title, text, language)
    assert has_migrant_cue(analysis)
    assert analysis.relevance >= 0.5


# --- reasons: no term that moved nothing; the words as the item writes them ---


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        (
            "it",
            "Asilo nido per i figli dei rifugiati",
            "I rifugiati trovano lavoro e i figli vanno all'asilo nido.",
        ),
        ("en", "Foreign qualifications", "Nationals coming home with a foreign degree."),
        (
            "fr",
            "Ils se sont réfugiés dans la mairie",
            "Les migrants se sont réfugiés dans la mairie pendant l'orage.",
        ),
        ("it", "Asilo nido comunale", "Il nuovo asilo nido apre a settembre."),
        ("es", "Pese a las lluvias, los refugiados llegan", "Los refugiados encuentran vivienda."),
    ],
)
def test_a_term_of_weight_0_is_never_a_reason(default, language, title, text):
    """A mask (a negative of weight 0: "asilo nido", "se sont réfugiés") or an ambiguous word alone
    ("foreign qualifications") moved no score: it is no reason, in relevance nor in a theme."""
    result = default.classify(title, text, language)
    assert all(round(ev.weight, 3) != 0 for ev in result.relevance_evidence), result.relevance_evidence
    assert all(round(ev.weight, 3) != 0 for ts in result.themes for ev in ts.evidence)


@pytest.mark.parametrize(
    ("language", "title", "text", "term", "written"),
    [
        ("de", "Flüchtlinge lernen Deutsch", "Kurse in der Schule.", "*fluchtling*", "Flüchtlinge"),
        ("de", "Sprachkurse", "Geflüchtete finden Arbeit und lernen Deutsch.", "gefluchtet*", "Geflüchtete"),
        ("de", "Beratung für Migrant*innen", "Die Schule hilft.", "*migrant*", "Migrant*innen"),
        ("el", "Πρόσφυγες στην αγορά εργασίας", "Οι πρόσφυγες βρίσκουν δουλειά.", "προσφυγεσ", "Πρόσφυγες"),
        ("pl", "Kursy dla uchodźców", "Uchodźcy uczą się języka polskiego.", "uchodzc*", "uchodźców"),
        ("fr", "Emploi des réfugié.e.s", "Les cours de langue aident.", "refugie*", "réfugié.e.s"),
        ("es", "Empleo para l@s migrant@s", "Cursos de idioma en la escuela.", "migrante*", "migrant@s"),
        ("cs", "Uprchlíci a práce", "Uprchlíci se učí jazyk ve škole.", "uprchl*", "Uprchlíci"),
        (
            "en",
            "Asylum seekers (refugees) learn",
            "Language courses at school.",
            "asylum seeker*",
            "Asylum seekers",
        ),
    ],
)
def test_a_reason_shows_the_words_as_the_item_writes_them(rules, language, title, text, term, written):
    """Evidence keeps the rule's pattern as ``term`` (the JSON shape is unchanged) and adds ``written``:
    the first matching words as the item writes them, with their accents, case, final sigma and gender
    marks, which the desk shows instead of the normalised pattern ("*fluchtling*", "προσφυγεσ")."""
    analysis = rules.analyse(title, text, language)
    found = {ev.term: ev.written for ev in rules.relevance_evidence(analysis)}
    assert found.get(term) == written, found


@pytest.mark.parametrize(
    ("title", "text", "feature", "written"),
    [
        ("Kursy języka", "Nauka języka polskiego.", "model:jezyka", "model:języka"),
        ("Flüchtlinge", "Hilfe für Flüchtlinge.", "model:t:fluchtlinge", "model:t:Flüchtlinge"),
        ("Title", "Straße der Geflüchteten", "model:strasse der", "model:Straße der"),
        ("Title", "Nothing here", "model:absent", None),
    ],
)
def test_a_model_reason_shows_its_words_as_written(rules, title, text, feature, written):
    """classifier.model `model_evidence`: a model feature ("model:jezyka") gets the item's own words
    as ``written`` ("model:języka"); a feature the item does not contain keeps none."""
    from classifier.model import model_evidence
    from crawler.types import Evidence

    (shown,) = model_evidence(rules.analyse(title, text, None), [Evidence(feature, 0.01)])
    assert shown.term == feature and shown.written == written


def test_stored_evidence_keeps_its_four_keys_unless_the_written_words_are_known():
    """crawler.store.schema `clean_json`: ``written`` is left out while None, so stored evidence of
    older items and of reasons without it keeps the shape the desk, the API and exports read."""
    from crawler.store.schema import clean_json
    from crawler.types import Evidence

    assert clean_json(Evidence("refugee*", 3.0, "en", 2)) == {
        "term": "refugee*",
        "weight": 3.0,
        "language": "en",
        "count": 2,
    }
    assert clean_json([Evidence("refugee*", 3.0, "en", 2, "Refugees")])[0]["written"] == "Refugees"
