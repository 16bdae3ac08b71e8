"""pipelines.funding: deadlines after cue words, call ids, programmes, budgets, status."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.types import FundingCall, HarvestedItem
from pipelines.funding import (
    FundingPipeline,
    call_ids,
    call_status,
    find_deadlines,
    funding_from_mapping,
    next_deadline,
    parse_budget,
    programme_of,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
END_15_MARCH = datetime(2026, 3, 15, 22, 59, 59, tzinfo=UTC)  # 23:59:59 CET
NOON_15_MARCH = datetime(2026, 3, 15, 11, 0, tzinfo=UTC)  # 12:00 CET


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# (language, text, expected instant)
PHRASES = [
    ("en", "Deadline: 15 March 2026, 17:00 CET", utc(2026, 3, 15, 16, 0)),
    ("en", "Submission deadline: 15 March 2026 at 17:00 (Brussels time)", utc(2026, 3, 15, 16, 0)),
    ("en", "Deadline for applications: Friday, 15 May 2026, 17:00 Brussels time", utc(2026, 5, 15, 15, 0)),
    ("en", "Deadline: 15 May 2026, 17:00 CEST", utc(2026, 5, 15, 15, 0)),
    ("en", "Deadline: 15 March 2026 17:00 UTC", utc(2026, 3, 15, 17, 0)),
    ("en", "Applications close on March 15, 2026", END_15_MARCH),
    ("de", "Einsendeschluss: 15. März 2026", END_15_MARCH),
    ("de", "Bewerbungsfrist: 15.03.2026, 12:00 Uhr", NOON_15_MARCH),
    ("de", "Die Antragsfrist endet am 15. März 2026 um 12 Uhr MEZ.", NOON_15_MARCH),
    ("fr", "date limite : 15 mars 2026", END_15_MARCH),
    (
        "fr",
        "Date limite de dépôt des candidatures : 15 mars 2026 à 12h00 (heure de Bruxelles)",
        NOON_15_MARCH,
    ),
    ("nl", "Uiterste datum: 15 maart 2026 om 12:00", NOON_15_MARCH),
    ("it", "Scadenza: 15 marzo 2026 ore 12:00", NOON_15_MARCH),
    ("es", "Plazo de presentación: hasta el 15 de marzo de 2026", END_15_MARCH),
    ("pt", "Prazo: 15 de março de 2026", END_15_MARCH),
    ("pl", "Termin składania wniosków: 15 marca 2026 r., godz. 12:00", NOON_15_MARCH),
    ("cs", "Uzávěrka: 15. března 2026", END_15_MARCH),
    ("sk", "Uzávierka: 15. marca 2026", END_15_MARCH),
    ("sl", "Rok za oddajo: 15. marca 2026", END_15_MARCH),
    ("hr", "Rok za prijavu: 15. ožujka 2026.", END_15_MARCH),
    ("hu", "Beadási határidő: 2026. március 15. 12:00", NOON_15_MARCH),
    ("ro", "Termen limită: 15 martie 2026", END_15_MARCH),
    ("bg", "Краен срок: 15 март 2026 г.", END_15_MARCH),
    ("el", "Προθεσμία: 15 Μαρτίου 2026", END_15_MARCH),
    ("da", "Ansøgningsfrist: 15. marts 2026 kl. 12.00", NOON_15_MARCH),
    ("sv", "Sista ansökningsdag: 15 mars 2026", END_15_MARCH),
    ("fi", "Määräaika: 15.3.2026 klo 12.00", NOON_15_MARCH),
    ("et", "Tähtaeg: 15. märts 2026", END_15_MARCH),
    ("lv", "Iesniegšanas termiņš: 2026. gada 15. marts", END_15_MARCH),
    ("lt", "Paraiškų pateikimo terminas: 2026 m. kovo 15 d.", END_15_MARCH),
    ("ga", "Spriocdháta: 15 Márta 2026", END_15_MARCH),
    ("mt", "Skadenza: 15 ta' Marzu 2026", END_15_MARCH),
]


@pytest.mark.parametrize(
    ("language", "text", "expected"), PHRASES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PHRASES)]
)
def test_deadline_phrase_gives_the_published_instant(language: str, text: str, expected: datetime) -> None:
    found = find_deadlines(text, BRUSSELS, [language])
    assert [m.at for m in found] == [expected]


def test_every_eu_language_has_cue_words() -> None:
    from pipelines.funding import CUES

    assert len(CUES) == 24
    assert {p[0] for p in PHRASES} == set(CUES)


@pytest.mark.parametrize(
    "text",
    [
        "Published: 15 March 2026",
        "Conference on 15 March 2026 in Vienna.",
        "The deadline will be announced soon. Information day: 3 February 2026.",
        "Deadline" + " filler" * 20 + " 15 March 2026",  # too far from the cue
        "Frist verlängert. Veranstaltung am 15. März 2026.",
        "",
    ],
)
def test_dates_not_right_after_a_cue_are_ignored(text: str) -> None:
    assert find_deadlines(text, BRUSSELS) == []


def test_only_the_deadline_of_a_page_full_of_dates() -> None:
    text = (
        "Published 3 February 2026, updated 10 February 2026. Info day on 20 February 2026 at 10:00. "
        "Deadline: 30 April 2026, 17:00 CEST. Projects start on 1 January 2027 and last 24 months."
    )
    assert [m.at for m in find_deadlines(text, BRUSSELS)] == [utc(2026, 4, 30, 15, 0)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cut-off dates: 15 March 2026 and 15 September 2026.", [END_15_MARCH, utc(2026, 9, 15, 21, 59, 59)]),
        ("Fristen: 15.03.2026 und 15.09.2026", [END_15_MARCH, utc(2026, 9, 15, 21, 59, 59)]),
        ("Deadlines: 15 March 2026; 15 September 2026", [END_15_MARCH, utc(2026, 9, 15, 21, 59, 59)]),
    ],
)
def test_several_cut_offs_after_one_cue(text: str, expected: list[datetime]) -> None:
    assert [m.at for m in find_deadlines(text, BRUSSELS)] == expected


def test_a_time_without_zone_is_read_in_the_source_zone() -> None:
    lisbon = ZoneInfo("Europe/Lisbon")
    assert find_deadlines("Prazo: 15 de março de 2026, 17:00", lisbon)[0].at == utc(2026, 3, 15, 17, 0)
    assert find_deadlines("Prazo: 15 de março de 2026, 17:00", BRUSSELS)[0].at == utc(2026, 3, 15, 16, 0)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (
            ["https://x.eu/pdf/ec_rules_en_AMIF-2025-TF2-AG-INTE-04-PATHWAYS.pdf"],
            ["AMIF-2025-TF2-AG-INTE-04-PATHWAYS"],
        ),
        (["Topic CERV-2026-CHAR-LITI is open"], ["CERV-2026-CHAR-LITI"]),
        (
            ["see ERASMUS-EDU-2026-PI-ALL-INNO, and again ERASMUS-EDU-2026-PI-ALL-INNO"],
            ["ERASMUS-EDU-2026-PI-ALL-INNO"],
        ),
        (["https://x.eu/topic-details/AMIF%2D2026%2DTF2%2DAG%2DINTE%2D01"], ["AMIF-2026-TF2-AG-INTE-01"]),
        (["COVID-19 and the 2026 budget", "amif-2025-tf2-ag-inte-04-pathways"], []),
        (["ISO-2026 standard"], []),  # unknown prefix with too few segments
        ([None, ""], []),
    ],
)
def test_call_ids(texts: list[str | None], expected: list[str]) -> None:
    assert call_ids(*texts) == expected


@pytest.mark.parametrize(
    ("call_id", "texts", "expected"),
    [
        ("AMIF-2025-TF2-AG-INTE-04-PATHWAYS", [], "AMIF"),
        ("ESF-2025-SOCPL-INTEG", [], "ESF+"),
        ("ERASMUS-EDU-2026-PI-ALL-INNO", [], "Erasmus+"),
        ("CERV-2026-CHAR-LITI", [], "CERV"),
        (None, ["Co-financed by the Asylum, Migration and Integration Fund"], "AMIF"),
        (None, ["Gefördert aus dem ESF Plus", "Europäischer Sozialfonds Plus"], "ESF+"),
        (None, ["Erasmus+ and the ESF+ both"], "Erasmus+"),
        (None, ["A private foundation's grant"], None),
    ],
)
def test_programme(call_id: str | None, texts: list[str], expected: str | None) -> None:
    assert programme_of(call_id, *texts) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("EUR 2 500 000", (2_500_000.0, "EUR")),
        ("€2.5 million", (2_500_000.0, "EUR")),
        ("2,5 Mio. EUR", (2_500_000.0, "EUR")),
        ("1.200.000 €", (1_200_000.0, "EUR")),
        ("EUR 450,000", (450_000.0, "EUR")),
        ("PLN 300 000", (300_000.0, "PLN")),
        (1000, (1000.0, None)),
        (
            '{"budgetTopicActionMap": {"1": [{"budgetYearMap": {"2026": 3000000, "2027": 2000000}}]}}',
            (5e6, "EUR"),
        ),
        (["", "EUR 10 000"], (10_000.0, "EUR")),
        ("no amount here", (None, None)),
        # a number alone in any EU grouping: the amount, currency unknown
        ("1,000,000.50", (1_000_000.5, None)),
        ("1.000.000,50", (1_000_000.5, None)),
        ("1 000 000", (1_000_000.0, None)),
        ("1’250’000", (1_250_000.0, None)),
        ("2.5 million", (2_500_000.0, None)),
        ("12 months", (None, None)),
        ("{not json", (None, None)),
        (True, (None, None)),
    ],
)
def test_budget(value: object, expected: tuple[float | None, str | None]) -> None:
    assert parse_budget(value) == expected


NOW = utc(2026, 3, 1, 12, 0)


@pytest.mark.parametrize(
    ("opens", "deadlines", "published", "expected"),
    [
        (None, [utc(2026, 4, 1)], None, "open"),
        (None, [utc(2026, 2, 1)], "open", "closed"),  # the last deadline passed: closed whatever is published
        (utc(2026, 4, 1), [utc(2026, 6, 1)], "open", "forthcoming"),
        (None, [utc(2026, 2, 1), utc(2026, 9, 1)], None, "open"),  # one cut-off left
        (None, [], "forthcoming", "forthcoming"),
        (None, [], None, None),
        (None, [utc(2026, 4, 1)], "closed", "closed"),  # closed early by the funder
        (utc(2026, 2, 1), [utc(2026, 6, 1)], "forthcoming", "open"),  # opened since it was published
        (None, [utc(2026, 6, 1)], "forthcoming", "forthcoming"),  # no opening date: as published
    ],
)
def test_status(
    opens: datetime | None, deadlines: list[datetime], published: str | None, expected: str | None
) -> None:
    assert call_status(NOW, opens_at=opens, deadlines=deadlines, published=published) == expected


def test_next_deadline_is_the_next_cut_off_else_the_last() -> None:
    cutoffs = [utc(2026, 2, 1), utc(2026, 9, 1)]
    assert next_deadline(cutoffs, NOW) == utc(2026, 9, 1)
    assert next_deadline(cutoffs, utc(2026, 10, 1)) == utc(2026, 9, 1)
    assert next_deadline([], NOW) is None


def test_mapping_reads_dates_status_and_budget() -> None:
    call = funding_from_mapping(
        {
            "call_id": ["AMIF-2026-TF2-AG-INTE-01"],
            "status": ["31094502"],
            "opening": ["2026-01-15T00:00:00.000+0000"],
            "deadline": ["2026-09-24T15:00:00.000+0000", "2026-03-19T16:00:00.000+0000"],
            "budget": "EUR 4 000 000",
            "countries": ["de", "AT", "Europe"],
        },
        BRUSSELS,
        {"31094502": "open"},
    )
    assert call == FundingCall(
        call_id="AMIF-2026-TF2-AG-INTE-01",
        opens_at=utc(2026, 1, 15),
        deadlines=[utc(2026, 3, 19, 16), utc(2026, 9, 24, 15)],
        status="open",
        budget_amount=4_000_000.0,
        budget_currency="EUR",
        eligible_countries=["DE", "AT"],
    )
    # an unknown published status is dropped, a day without time is the end of that day
    call = funding_from_mapping({"status": "Sonstiges", "deadline": "2026-03-15"}, BRUSSELS)
    assert call.status is None and call.deadlines == [END_15_MARCH]


def _funding_item(**fields: object) -> HarvestedItem:
    item = HarvestedItem(source_id="s", url="https://funder.example.de/calls/2026", content_type="funding")
    for name, value in fields.items():
        setattr(item, name, value)
    return item


def test_pipeline_structures_a_funder_page() -> None:
    text = (Path(__file__).parent / "data" / "funder_call_de.txt").read_text(encoding="utf-8")
    item = _funding_item(title="Förderaufruf Integration 2026", text=text, fetched_at=NOW)
    FundingPipeline().process_item(item)
    assert item.funding is not None
    assert item.funding.deadlines == [utc(2026, 4, 30, 10, 0)]
    assert item.funding.deadline_text == "30. April 2026, 12:00 Uhr"
    assert item.funding.programme == "AMIF"
    assert (item.funding.budget_amount, item.funding.budget_currency) == (1_500_000.0, "EUR")
    assert item.funding.status == "open"
    assert item.deadline == utc(2026, 4, 30, 10, 0)


def test_pipeline_leaves_other_items_alone() -> None:
    item = _funding_item(content_type="news", text="Deadline: 15 March 2026")
    FundingPipeline().process_item(item)
    assert item.funding is None and item.deadline is None


@pytest.mark.corpus
@pytest.mark.slow  # pypdf reads the 35-page document in about 5 s
def test_amif_call_document_gets_its_call_id_and_programme(shared: Path) -> None:
    from pipelines.extract import apply_document, extract_document

    name = "ec_funding-tenders_rules-lev-lear-fca_en_AMIF-2025-TF2-AG-INTE-04-PATHWAYS.pdf"
    body = (shared / "corpus" / "pdf" / name).read_bytes()
    item = _funding_item(url=f"https://corpus.ewsi.test/pdf/{name}", body=body, media_type="application/pdf")
    apply_document(item, extract_document(body, item.url, "application/pdf"))
    FundingPipeline().process_item(item)
    assert item.funding is not None
    assert (item.funding.call_id, item.funding.programme) == ("AMIF-2025-TF2-AG-INTE-04-PATHWAYS", "AMIF")
    assert item.funding.deadlines == []  # the rules document names no deadline; none is invented


@pytest.mark.parametrize(
    "text",
    ["Deadline: 15 " * 50_000, "Deadline: " + "15 March 2026 and " * 20_000, "Budget: EUR " * 50_000],
)
def test_hostile_text_is_bounded(text: str) -> None:
    from pipelines.funding import MAX_CUES, budget_in_text

    assert len(find_deadlines(text, BRUSSELS)) <= MAX_CUES  # each cue is examined once, at most MAX_CUES
    assert budget_in_text(text) == (None, None)
