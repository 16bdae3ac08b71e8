"""A desk row's snippet skips form fields, table rows, a start inside a bracket, a cut copy of the title,
a badge before " | " and a site's generic description; a title is cut before a document's metadata."""

from __future__ import annotations

import pytest

from crawler.web.rows import snippet
from pipelines.titles import cut_headline

PROSE = {
    "en": "The committee adopted its report on the integration of refugees in the labour market.",
    "de": "Der Ausschuss hat seinen Bericht über die Integration von Geflüchteten angenommen.",
    "fr": "La commission a adopté son rapport sur l'intégration des réfugiés sur le marché du travail.",
    "it": "La commissione ha approvato la relazione sull'integrazione dei rifugiati nel lavoro.",
    "pl": "Komisja przyjęła sprawozdanie w sprawie integracji uchodźców na rynku pracy.",
}


@pytest.mark.parametrize(
    ("source", "title", "text", "expected"),
    [
        # form fields before the prose (label runs, empty labels), in the summary or the text
        ("Total supporters: 15429 Support link: https://x.eu/060\n" + PROSE["en"], "T", None, PROSE["en"]),
        (
            "Parlement européen - Rapporteur : - Jean DUPONT - Formulaire : -\n" + PROSE["fr"],
            "T",
            None,
            PROSE["fr"],
        ),
        (
            "Ausschuss für Kultur und Bildung Berichterstatterin: Anna Muster\n" + PROSE["de"],
            "T",
            None,
            PROSE["de"],
        ),
        ("Data: 12/10/2022 Relatore: Mario Rossi\n" + PROSE["it"], "T", None, PROSE["it"]),
        # a summary that is only form fields gives way to the text's prose
        ("Autor: - Sprawozdawca: - Jan KOWALSKI - Forma: -", "T", PROSE["pl"], PROSE["pl"]),
        # a table's header and rows of references and dates
        (
            "- Document type Reference Date Motion B9-0462/2022 12/10/2022 Text T9-0364/2022 18/10/2022",
            "T",
            PROSE["en"],
            PROSE["en"],
        ),
        ("| Verfahren | 2022/2852(RSP) |\n" + PROSE["de"], "T", None, PROSE["de"]),
        # a text that starts inside a bracket starts after it
        ("2024/2006(REG)) " + PROSE["fr"], "T", None, PROSE["fr"]),
        ("C9-0177/2023]) " + PROSE["pl"], "T", None, PROSE["pl"]),
        # a list's markers further on are no open bracket
        (
            "Gestützt auf Artikel 31 Buchstaben a) und b) des Vertrags.",
            "T",
            None,
            "Gestützt auf Artikel 31 Buchstaben a) und b) des Vertrags.",
        ),
        # a summary that is the title cut short, then the text with the title over two lines
        (
            "Proposta di decisione del Consiglio sulla conclusione di un accordo con",
            "Proposta di decisione del Consiglio sulla conclusione di un accordo con il Montenegro",
            "Proposta di decisione del Consiglio sulla conclusione\ndi un accordo con il Montenegro\n"
            + PROSE["it"],
            PROSE["it"],
        ),
        # the title repeated in other case and punctuation, with the site's name after " | "
        (
            "l'université psl - quand les écoles font université | PSL\n" + PROSE["fr"],
            "L’Université PSL : quand les écoles font université",
            None,
            PROSE["fr"],
        ),
        # a badge segment before " | "
        ("Université | " + PROSE["fr"], "Autre titre", None, PROSE["fr"]),
        ("Polityka | " + PROSE["pl"], "Inny tytuł", None, PROSE["pl"]),
        # a site's description that shares no word with the item's text
        (
            "The latest headlines and information from Costa Rica including breaking news and weather.",
            "T",
            PROSE["en"],
            PROSE["en"],
        ),
        (
            "Die neuesten Nachrichten, Wetter, Sport und Veranstaltungen aus Hamburg und Umgebung.",
            "T",
            PROSE["de"],
            PROSE["de"],
        ),
        # a description that shares words with the text stays
        (
            "Il rapporto della commissione sull'integrazione dei rifugiati è stato approvato ieri.",
            "T",
            PROSE["it"],
            "Il rapporto della commissione sull'integrazione dei rifugiati è stato approvato ieri.",
        ),
    ],
)
def test_snippet_starts_at_the_first_prose(source, title, text, expected) -> None:
    assert snippet(source, title, text=text) == expected


@pytest.mark.parametrize("language", ["en", "de", "fr", "it", "pl"])
def test_a_description_every_page_of_the_source_has_gives_way_to_the_text(language) -> None:
    description = "Official portal: services, contacts and news of the ministry for all citizens."
    assert snippet(description, "T", text=PROSE[language], shared=True) == PROSE[language]
    assert snippet(description, "T", text=None, shared=True) == description  # no text: it is all there is


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "REPORT on the integration of refugees in the labour market of the Union (2023/2001(INI)) "
            "Committee on Employment and Social Affairs Rapporteur: Jane Doe",
            "REPORT on the integration of refugees in the labour market of the Union",
        ),
        (
            "BERICHT über die Lage der Flüchtlinge in Griechenland und Italien (2023/2002(INI)) "
            "Ausschuss für bürgerliche Freiheiten, Justiz und Inneres Berichterstatterin: Birgit Muster",
            "BERICHT über die Lage der Flüchtlinge in Griechenland und Italien",
        ),
        (
            "RAPPORT sur la situation des migrants en Méditerranée centrale (2022/2010(INI)) "
            "Commission des libertés civiles, de la justice et des affaires intérieures "
            "Rapporteur : Jean Dupont",
            "RAPPORT sur la situation des migrants en Méditerranée centrale",
        ),
        (
            "RELAZIONE sulla proposta di regolamento sulla gestione dell'asilo "
            "(COM(2020)0610 - C9-0309/2020 - "
            "2020/0279(COD)) Commissione per le libertà civili Relatore: Mario Rossi",
            "RELAZIONE sulla proposta di regolamento sulla gestione dell'asilo",
        ),
        (
            "SPRAWOZDANIE w sprawie integracji migrantów na rynku pracy (2021/2000(INI)) "
            "Komisja Zatrudnienia i Spraw Socjalnych Sprawozdawca: Jan Kowalski",
            "SPRAWOZDANIE w sprawie integracji migrantów na rynku pracy",
        ),
        (
            "Informe sobre la acogida de solicitantes de asilo en España Ponente: Ana García",
            "Informe sobre la acogida de solicitantes de asilo en España",
        ),
        (
            "OPINION on the integration of refugees in the labour market (2023/2001(INI)) "
            "Committee on Culture and Education Rapporteur for the opinion: John Smith",
            "OPINION on the integration of refugees in the labour market",
        ),
        (
            "STELLUNGNAHME zur Integration von Geflüchteten in den Arbeitsmarkt (2023/2001(INI)) "
            "Verfasserin der Stellungnahme: Erika Muster",
            "STELLUNGNAHME zur Integration von Geflüchteten in den Arbeitsmarkt",
        ),
        (
            "AVIS sur l'intégration des réfugiés sur le marché du travail (2023/2001(INI)) "
            "Rapporteure pour avis : Marie Martin",
            "AVIS sur l'intégration des réfugiés sur le marché du travail",
        ),
        (
            "RECOMMENDATION on the draft Council decision on the conclusion of the Agreement between the "
            "European Union and Montenegro on operational activities carried out by the European Border "
            "and Coast Guard Agency in Montenegro (08353/2023 - C9-0177/2023 - 2023/0102(NLE))",
            "RECOMMENDATION on the draft Council decision on the conclusion of the Agreement between the "
            "European Union and Montenegro on operational activities carried out by the European Border "
            "and Coast Guard Agency in Montenegro",
        ),
        # a committee's name before the label is metadata, however short the headline before it
        (
            "OPINION on migration (2023/2001(INI)) Committee on Culture and Education Draftsperson: Jane Doe",
            "OPINION on migration",
        ),
        # a label in the headline's first words is the headline's own
        ("Neues Verfahren: was sich für Familien ändert", "Neues Verfahren: was sich für Familien ändert"),
        (
            "Procédure : ce qui change pour les demandeurs d'asile",
            "Procédure : ce qui change pour les demandeurs d'asile",
        ),
        # longer than a headline: cut at a sentence's end, a segment or a comma
        (
            "Neue Regeln für Integrationskurse ab 2025. "
            + "Der Bund zahlt mehr für Sprachkurse und Kinderbetreuung. " * 5,
            "Neue Regeln für Integrationskurse ab 2025. "
            + "Der Bund zahlt mehr für Sprachkurse und Kinderbetreuung. " * 2
            + "Der Bund zahlt mehr für Sprachkurse und Kinderbetreuung",
        ),
        (
            "Regulation establishing Eurodac for the comparison of fingerprints, "
            + "for identifying a stateless person, " * 8,
            "Regulation establishing Eurodac for the comparison of fingerprints, "
            + "for identifying a stateless person, " * 4
            + "for identifying a stateless person",
        ),
        (None, None),
        ("Short title", "Short title"),
    ],
)
def test_cut_headline(title, expected) -> None:
    assert cut_headline(title) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "BG CS DA DE EL EN ES ET FI FR GA HR HU IT LT LV MT NL PL PT RO SK SL SV "
            "Applicants must validate their legal entity before the call closes.",
            "Applicants must validate their legal entity before the call closes.",
        ),
        (
            "DE | EN | FR | NL | IT The city opens a counselling centre for refugees in the town hall.",
            "The city opens a counselling centre for refugees in the town hall.",
        ),
        (
            "de / en / fr / nl / it / pl lower-case codes are words of a sentence and stay.",
            "de / en / fr / nl / it / pl lower-case codes are words of a sentence and stay.",
        ),
        (
            "EN FR DE: three languages are taught at the new school for newcomers in Lyon.",
            "EN FR DE: three languages are taught at the new school for newcomers in Lyon.",
        ),
    ],
)
def test_a_language_switcher_is_no_snippet(source: str, expected: str) -> None:
    """Five or more of the EU's language codes in capitals at a text's start are the page's language
    switcher (rows `_SWITCHER`); fewer, or in lower case, are the text's own words."""
    assert snippet(source, "Some other title") == expected
