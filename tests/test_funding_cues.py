"""pipelines.funding: deadlines after prepositions of time, and the time of day in every language.

Rules (pipelines.funding module docstring): a preposition ("bis zum", "tot en met", "jusqu'au",
"do", "senast", ...) or a postposition ("mennessä", "-ig") is a deadline cue when a day follows
(precedes) it right away and it does not end a period; a deadline's time of day is kept in each
language's form, in the zone written or else the source's zone; without a time, the end of the day.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.types import HarvestedItem
from pipelines.funding import FundingPipeline, find_deadlines, read_clock

BRUSSELS = ZoneInfo("Europe/Brussels")
HELSINKI = ZoneInfo("Europe/Helsinki")
LISBON = ZoneInfo("Europe/Lisbon")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


END_18_DEC = utc(2026, 12, 18, 22, 59, 59)  # 23:59:59 CET
NOON_18_DEC = utc(2026, 12, 18, 11, 0)  # 12:00 CET

# (language, text, expected instants): a preposition of time names the deadline
UNTIL = [
    ("de", "Anträge können bis zum 18. Dezember 2026 eingereicht werden.", [END_18_DEC]),
    ("de", "Bewerbungen bitte bis spätestens 18.12.2026 an die Geschäftsstelle.", [END_18_DEC]),
    ("de", "Einreichung bis 18. Dezember 2026, 12 Uhr.", [NOON_18_DEC]),
    ("nl", "Aanvragen kunnen tot en met 31 januari 2027 worden ingediend.", [utc(2027, 1, 31, 22, 59, 59)]),
    ("nl", "Dien uw aanvraag uiterlijk op 18 december 2026 om 12.00 uur in.", [NOON_18_DEC]),
    ("nl", "Aanvragen kunnen worden ingediend tot 18 december 2026 om 12.00 uur.", [NOON_18_DEC]),
    ("fr", "Les dossiers sont reçus jusqu'au 18 décembre 2026.", [END_18_DEC]),
    ("fr", "Envoyez votre candidature avant le 18 décembre 2026 à 12 h.", [NOON_18_DEC]),
    ("en", "Applications are accepted until 18 December 2026.", [END_18_DEC]),
    ("en", "Submit no later than 18 December 2026 at 5 pm.", [utc(2026, 12, 18, 16, 0)]),
    ("it", "Le domande vanno presentate entro il 18 dicembre 2026 alle ore 12:00.", [NOON_18_DEC]),
    ("es", "Solicitudes hasta el 18 de diciembre de 2026.", [END_18_DEC]),
    ("pt", "Candidaturas até 18 de dezembro de 2026, às 12h00.", [NOON_18_DEC]),
    ("pl", "Wnioski można składać do dnia 18 grudnia 2026 r., godz. 12:00.", [NOON_18_DEC]),
    ("cs", "Žádosti lze podávat do 18. prosince 2026.", [END_18_DEC]),
    ("sv", "Ansökan ska vara inne senast den 18 december 2026 kl. 12.00.", [NOON_18_DEC]),
    ("da", "Ansøgningen skal være modtaget senest 18. december 2026.", [END_18_DEC]),
    ("fi", "Hakemukset on jätettävä viimeistään 18.12.2026 klo 12.", [NOON_18_DEC]),
    ("fi", "Hakemukset on jätettävä 18.12.2026 klo 16.15 mennessä.", [utc(2026, 12, 18, 15, 15)]),
    ("hu", "A pályázatokat 2026. december 18-ig lehet benyújtani.", [END_18_DEC]),
    ("ro", "Cererile se depun până la 18 decembrie 2026.", [END_18_DEC]),
    ("el", "Οι αιτήσεις υποβάλλονται έως 18 Δεκεμβρίου 2026.", [END_18_DEC]),
]


@pytest.mark.parametrize(
    ("language", "text", "expected"), UNTIL, ids=[f"{u[0]}-{i}" for i, u in enumerate(UNTIL)]
)
def test_a_preposition_of_time_names_the_deadline(language: str, text: str, expected: list[datetime]) -> None:
    assert [m.at for m in find_deadlines(text, BRUSSELS, [language])] == expected


# a preposition or a cue must not turn an event, a period or a publication into a deadline
NOT_DEADLINES = [
    ("en", "Published 3 March 2026"),
    ("en", "The conference takes place on 5 May 2026 in Vienna."),
    ("en", "The project runs from 1 March 2027 until 28 February 2029."),
    ("de", "Die Strategie gilt bis zum Jahr 2030."),
    ("de", "Das Projekt läuft vom 1. März 2027 bis zum 28. Februar 2029."),
    ("nl", "Het project loopt van 1 maart 2027 tot 28 februari 2029."),
    ("nl", "De subsidie bedraagt tot 50 procent van de kosten."),
    ("de", "Die Ausstellung ist von 10:00 bis 18:00 geöffnet, Eröffnung am 5. Mai 2026."),
    ("pl", "Strategia na lata 2021 do 2027 została przyjęta."),
    ("pl", "Szkolenia odbędą się od 1 do 15 grudnia 2026 r."),
    ("cs", "Akční plán do roku 2030 byl schválen 3. března 2026."),
    ("nl", "Het programma loopt tot 2030."),
    ("fr", "Publié le 3 mars 2026. La conférence aura lieu le 5 mai 2026."),
    ("it", "Il convegno si terrà il 5 maggio 2026."),
    ("en", "Applications are accepted on a rolling basis until the budget is used up."),
    ("de", "Einsendeschluss: 18. Dezember, 12 Uhr."),  # no year: the hour is never read as one
    ("de", "Bewerbungen bis 18. Dezember, 12 Uhr."),
]


@pytest.mark.parametrize(
    ("language", "text"), NOT_DEADLINES, ids=[f"{n[0]}-{i}" for i, n in enumerate(NOT_DEADLINES)]
)
def test_events_periods_and_publication_dates_are_no_deadline(language: str, text: str) -> None:
    assert find_deadlines(text, BRUSSELS, [language]) == []


# (language, text, source zone, expected): the time of day in each language's form
TIMES = [
    (
        "fr",
        "Date limite de dépôt des dossiers : 17 décembre 2026 à 12h00.",
        BRUSSELS,
        utc(2026, 12, 17, 11, 0),
    ),
    ("fr", "Date limite : 17 décembre 2026 à 12 h", BRUSSELS, utc(2026, 12, 17, 11, 0)),
    ("fr", "Date limite : 17 décembre 2026, midi.", BRUSSELS, utc(2026, 12, 17, 11, 0)),
    ("en", "Deadline: 15 December 2026 at 17:00 Brussels time.", LISBON, utc(2026, 12, 15, 16, 0)),
    ("en", "Deadline: 15 December 2026 at 17:00.", LISBON, utc(2026, 12, 15, 17, 0)),
    ("en", "Deadline: 15 December 2026, 12 noon.", BRUSSELS, utc(2026, 12, 15, 11, 0)),
    ("en", "Deadline: 15 December 2026, 5:30 p.m. CET.", LISBON, utc(2026, 12, 15, 16, 30)),
    ("de", "Einsendeschluss: 18. Dezember 2026, 12.00 Uhr.", BRUSSELS, NOON_18_DEC),
    ("de", "Einsendeschluss: 18.12.2026, 12:00 Uhr MEZ", LISBON, NOON_18_DEC),
    ("de", "Antragsfrist: 18. Dezember 2026, 12.00", BRUSSELS, NOON_18_DEC),
    ("da", "Ansøgningsfrist: 18. december 2026 kl. 12.00.", BRUSSELS, NOON_18_DEC),
    ("fi", "Haku päättyy 18.12.2026 klo 12.", HELSINKI, utc(2026, 12, 18, 10, 0)),
    ("it", "Scadenza: 18 dicembre 2026 ore 12:00.", BRUSSELS, NOON_18_DEC),
    ("pt", "Prazo: 18 de dezembro de 2026, às 12h00.", LISBON, utc(2026, 12, 18, 12, 0)),
    ("pl", "Termin składania wniosków: 18 grudnia 2026 r., godz. 12:00.", BRUSSELS, NOON_18_DEC),
    ("sl", "Rok za oddajo: 18. decembra 2026 o 12:00.", BRUSSELS, NOON_18_DEC),
    ("cs", "Uzávěrka: 18. prosince 2026 do 12:00.", BRUSSELS, NOON_18_DEC),
    ("hu", "Határidő: 2026. december 18. 12 óra.", BRUSSELS, NOON_18_DEC),
    ("es", "Fecha límite: 18 de diciembre de 2026 a las 14:00 CET.", LISBON, utc(2026, 12, 18, 13, 0)),
    ("nl", "Sluitingsdatum: 18 december 2026 om 12.00 uur.", BRUSSELS, NOON_18_DEC),
    ("hr", "Rok za prijavu: 18. prosinca 2026. u 12 sati.", BRUSSELS, NOON_18_DEC),
    ("hr", "Prijave se podnose do 18. prosinca 2026. u 12:00 sati.", BRUSSELS, NOON_18_DEC),
    ("sk", "Uzávierka: 18. decembra 2026 o 12:00 hod.", BRUSSELS, NOON_18_DEC),
    ("hr", "Rok za prijavu: 18. prosinca 2026. Projekti traju 12 mjeseci.", BRUSSELS, END_18_DEC),
    ("fr", "Date limite : 17 décembre 2026.", BRUSSELS, utc(2026, 12, 17, 22, 59, 59)),  # no time: day's end
    ("fi", "Haku päättyy 18.12.2026.", HELSINKI, utc(2026, 12, 18, 21, 59, 59)),
]


@pytest.mark.parametrize(
    ("language", "text", "zone", "expected"), TIMES, ids=[f"{t[0]}-{i}" for i, t in enumerate(TIMES)]
)
def test_the_time_of_day_of_a_deadline_is_kept(
    language: str, text: str, zone: ZoneInfo, expected: datetime
) -> None:
    assert [m.at for m in find_deadlines(text, zone, [language])] == [expected]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("17 décembre 2026 à 12h00.", (12, 0)),
        ("18.12.2026", None),  # a dotted day and month are no time
        ("15.03.2026, 14.30", (14, 30)),
        ("15 March 2026 12 am", (0, 0)),
        ("2026 m. gruodžio 18 d. 12 val.", (12, 0)),
    ],
)
def test_read_clock(phrase: str, expected: tuple[int, int] | None) -> None:
    clock = read_clock(phrase)
    assert (clock[:2] if clock else None) == expected


# (text, expected): the dates of prepositions count only when no cue word names a date
PREFERENCE = [
    (
        "Deadline: 18 December 2026. Projects must be completed until 31 December 2028.",
        [END_18_DEC],
    ),
    (
        "Die Projekte müssen bis zum 31.12.2028 abgeschlossen sein. Einsendeschluss: 18. Dezember 2026.",
        [END_18_DEC],
    ),
    (
        "La date limite sera annoncée. Les dossiers sont reçus jusqu'au 18 décembre 2026.",
        [END_18_DEC],
    ),
]


@pytest.mark.parametrize(("text", "expected"), PREFERENCE)
def test_a_cue_word_wins_over_prepositions(text: str, expected: list[datetime]) -> None:
    assert [m.at for m in find_deadlines(text, BRUSSELS)] == expected


# (language, page text, stored deadline): a funder's page through the pipeline, as harvested
PAGES = [
    (
        "de",
        "Gefördert werden Projekte zur Integration von Geflüchteten in ländlichen Gemeinden. "
        "Anträge können bis zum 18. Dezember 2026 eingereicht werden. Fördervolumen: 1,2 Mio. Euro.",
        END_18_DEC,
    ),
    (
        "fr",
        "L'appel finance des actions d'intégration professionnelle des réfugiés. "
        "Date limite de dépôt des dossiers : 17 décembre 2026 à 12h00. Enveloppe : 800 000 euros.",
        utc(2026, 12, 17, 11, 0),
    ),
    (
        "nl",
        "Gemeenten kunnen subsidie aanvragen voor projecten die statushouders helpen. "
        "Aanvragen kunnen tot en met 31 januari 2027 worden ingediend.",
        utc(2027, 1, 31, 22, 59, 59),
    ),
]


@pytest.mark.parametrize(("language", "text", "expected"), PAGES)
def test_the_pipeline_stores_the_deadline_of_a_call_page(
    language: str, text: str, expected: datetime
) -> None:
    item = HarvestedItem(source_id="s", url="https://funder.invalid/call", content_type="funding")
    item.language, item.text, item.fetched_at = language, text, utc(2026, 12, 6, 14, 0)
    FundingPipeline().process_item(item)
    assert item.funding is not None
    assert (item.funding.deadlines, item.deadline, item.funding.status) == ([expected], expected, "open")


JAN_15 = utc(2027, 1, 15, 22, 59, 59)  # 23:59:59 CET
MAY_15 = utc(2027, 5, 15, 21, 59, 59)  # 23:59:59 CEST

# (language, text): a cue word in the plural before a call's list of cut-offs, 15 January and 15 May 2027
PLURAL_CUES = [
    ("de", "Einreichungsfristen: 15. Januar 2027 und 15. Mai 2027."),
    ("fr", "Dates limites : 15 janvier 2027 et 15 mai 2027."),
    ("nl", "Sluitingsdata: 15 januari 2027 en 15 mei 2027."),
    ("es", "Fechas límite: 15 de enero de 2027 y 15 de mayo de 2027."),
    ("pl", "Terminy składania: 15 stycznia 2027 i 15 maja 2027."),
    ("sk", "Uzávierky: 15. januára 2027 a 15. mája 2027."),
    ("sl", "Roki za oddajo: 15. januar 2027 in 15. maj 2027."),
    ("hr", "Rokovi za prijavu: 15. siječnja 2027. i 15. svibnja 2027."),
    ("hu", "Beadási határidők: 2027. január 15. és 2027. május 15."),
    ("ro", "Termene limită: 15 ianuarie 2027 și 15 mai 2027."),
    ("bg", "Крайни срокове: 15 януари 2027 и 15 май 2027."),
    ("el", "Προθεσμίες: 15 Ιανουαρίου 2027 και 15 Μαΐου 2027."),
    ("da", "Ansøgningsfrister: 15. januar 2027 og 15. maj 2027."),
    ("sv", "Sista ansökningsdagar: 15 januari 2027 och 15 maj 2027."),
    ("lv", "Iesniegšanas termiņi: 2027. gada 15. janvāris un 2027. gada 15. maijs."),
    ("lt", "Pateikimo terminai: 2027 m. sausio 15 d. ir 2027 m. gegužės 15 d."),
    ("ga", "Spriocdhátaí: 15 Eanáir 2027 agus 15 Bealtaine 2027."),
    ("en", "Deadlines: 15 January 2027 and 15 May 2027."),
    ("it", "Termini di presentazione: 15 gennaio 2027 e 15 maggio 2027."),
    ("es", "Fechas límite: 15 de enero de 2027 y 15 de mayo de 2027."),
    ("pt", "Datas limite: 15 de janeiro de 2027 e 15 de maio de 2027."),
    ("cs", "Uzávěrky: 15. ledna 2027 a 15. května 2027."),
    ("fi", "Viimeiset hakupäivät: 15.1.2027 ja 15.5.2027."),
    ("et", "Taotluste esitamise tähtajad: 15. jaanuar 2027 ja 15. mai 2027."),
    ("mt", "Dati tal-għeluq: 15 ta' Jannar 2027 u 15 ta' Mejju 2027."),
    ("mt", "Skadenza: 15 ta' Jannar 2027 u 15 ta' Mejju 2027."),
]


# (language, text, the deadlines it names): a plural that names any dates of a schedule is no cue,
# and a date after "and the" is another thing's ("the 10 May info day")
SCHEDULES = [
    (
        "pl",
        "Terminy spotkań informacyjnych: 12 marca 2027 i 19 marca 2027. "
        "Termin składania wniosków: 30 kwietnia 2027.",
        [utc(2027, 4, 30, 21, 59, 59)],
    ),
    ("ro", "Termenele sesiunilor de informare: 10 martie 2027 și 17 martie 2027.", []),
    ("cs", "Termíny seminářů: 10. března 2027 a 17. března 2027.", []),
    ("de", "Stichtage für die Auszahlung: 1. Juli 2027 und 1. Januar 2028.", []),
    ("it", "Scadenze dei pagamenti: 30 giugno 2027 e 31 dicembre 2027.", []),
    ("hr", "Rokovi provedbe: 1. srpnja 2027. i 31. prosinca 2028.", []),
    ("sl", "Roki izvajanja: 1. julij 2027 in 31. december 2028.", []),
    ("en", "Due dates for reports: 30 June 2027 and 31 December 2027.", []),
    ("en", "Closing dates of the museum: 24 December 2026 and 1 January 2027.", []),
    (
        "es",
        "Plazos de ejecución: del 1 de enero de 2027 al 31 de diciembre de 2028. "
        "Fecha límite: 15 de marzo de 2027.",
        [utc(2027, 3, 15, 22, 59, 59)],
    ),
    ("en", "Deadlines: 15 March 2027 and the 10 May 2027 info day.", [utc(2027, 3, 15, 22, 59, 59)]),
]


@pytest.mark.parametrize(
    ("language", "text", "expected"), SCHEDULES, ids=[f"{p[0]}-{i}" for i, p in enumerate(SCHEDULES)]
)
def test_a_plural_of_any_schedule_names_no_deadline(
    language: str, text: str, expected: list[datetime]
) -> None:
    assert [m.at for m in find_deadlines(text, BRUSSELS, [language])] == expected


@pytest.mark.parametrize(
    ("language", "text"), PLURAL_CUES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PLURAL_CUES)]
)
def test_a_cue_word_in_the_plural_names_every_cut_off_of_its_list(language: str, text: str) -> None:
    """Rule (pipelines.funding `CUES`): each language's plurals that name deadlines alone count, the
    form a call with several cut-offs uses before its list ("Einreichungsfristen", "terminy
    składania", "fechas límite", "προθεσμίες")."""
    assert [m.at for m in find_deadlines(text, BRUSSELS, [language])] == [JAN_15, MAY_15]
