"""Tests for pipelines.language: detection, the declared-language prior, degenerate text (case B17)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.types import HarvestedItem
from pipelines import language
from pipelines.language import CANDIDATES, LanguagePipeline, LanguageResult, detect_language

SHARED = Path(os.environ.get("EWSI_SHARED") or Path(__file__).resolve().parents[1] / ".." / "shared")

GERMAN = (
    "Die Bundesregierung hat neue Regeln für die Anerkennung ausländischer Berufsabschlüsse beschlossen. "
    "Geflüchtete sollen damit schneller eine Arbeit finden, die ihrer Ausbildung entspricht."
)
FRENCH = (
    "Le gouvernement a présenté un nouveau plan pour l'accueil des réfugiés dans les communes rurales, "
    "avec des cours de langue gratuits et un accompagnement vers l'emploi."
)
DUTCH = (
    "De gemeente opent in september een nieuw loket waar nieuwkomers terechtkunnen met vragen over "
    "huisvesting, werk en inburgering, met hulp van vrijwilligers die hun taal spreken."
)
IRISH = (
    "Tá an rialtas ag obair ar phlean nua chun cabhrú le daoine a tháinig go hÉirinn le déanaí "
    "teacht ar obair agus ar thithíocht."
)
MALTESE = (
    "Il-gvern ħabbar pjan ġdid biex jgħin lill-migranti jintegraw fis-soċjetà Maltija permezz ta' "
    "korsijiet tal-lingwa u appoġġ biex isibu xogħol."
)
UKRAINIAN = "Уряд оголосив нову програму підтримки для біженців, які шукають житло та роботу в Європі."
RUSSIAN = "Правительство объявило новую программу поддержки для беженцев, которые ищут жильё и работу."
DEGENERATE = "2024–2025\n2024 2025 %\n12 418 13 102 +5,5\n3 512 3 790 +7,9\n/dateien/2025/tabelle-3.pdf"


@pytest.mark.parametrize(
    ("text", "expected"),
    [(GERMAN, "de"), (FRENCH, "fr"), (DUTCH, "nl"), (IRISH, "ga"), (MALTESE, "mt"), (UKRAINIAN, "uk"),
     (RUSSIAN, "ru")],
    ids=["de", "fr", "nl", "ga", "mt", "uk", "ru"],
)  # fmt: skip
def test_detects_language_of_a_paragraph(text: str, expected: str) -> None:
    result = detect_language(text)
    assert result == LanguageResult(expected, result.confidence, "detected", (expected,))
    assert result.confidence > 0.9


def test_declared_prior_does_not_override_clearly_different_text() -> None:
    result = detect_language(GERMAN, ["en"])
    assert (result.language, result.method) == ("de", "detected")


def test_declared_prior_tips_an_ambiguous_text() -> None:
    # two words shared by several Germanic languages: py3langid alone leans Swedish, a Dutch source settles it
    text = "programma integratie"
    assert detect_language(text, refine_short=False).language == "sv"
    assert detect_language(text, ["nl", "fr"], refine_short=False).language == "nl"


def test_bilingual_page_lists_both_languages() -> None:
    text = f"{FRENCH}\n\n{DUTCH}\n{FRENCH}\n{DUTCH}"
    result = detect_language(text, ["fr", "nl"])
    assert result.method == "detected"
    assert set(result.languages_found) == {"fr", "nl"}
    assert result.languages_found[0] == result.language


def test_a_foreign_quote_is_not_a_second_language() -> None:
    text = "\n".join([GERMAN] * 5 + ["Liberté, égalité, fraternité, comme on dit en France."])
    assert detect_language(text).languages_found == ("de",)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [(["de"], LanguageResult("de", 0.0, "source_default", ("de",))),
     (["fr", "nl"], LanguageResult("und", 0.0, "undetermined", ())),
     ([], LanguageResult("und", 0.0, "undetermined", ()))],
    ids=["one-declared", "two-declared", "none-declared"],
)  # fmt: skip
def test_degenerate_text_uses_only_declared_languages(declared: list[str], expected: LanguageResult) -> None:
    assert detect_language(DEGENERATE, declared, title="2024–2025") == expected


@pytest.mark.parametrize(
    "text", ["", "   ", None, "2024–2025", "https://example.org/a/b?c=1", "— · … !!", "\x00\ud800"]
)
def test_featureless_text_never_raises(text: str | None) -> None:
    assert detect_language(text, ["fr", "nl"]) == LanguageResult("und", 0.0, "undetermined", ())


def test_lone_surrogates_in_real_text_are_ignored() -> None:
    assert detect_language("Die Regierung hat neue Regeln \ud800 beschlossen.").language == "de"


def test_page_language_decides_featureless_text_only_within_the_source() -> None:
    assert detect_language("2024", ["fr", "nl"], page_language="nl-BE").method == "declared_page"
    assert detect_language("2024", ["fr", "nl"], page_language="nl-BE").language == "nl"
    assert detect_language("2024", ["de"], page_language="en").language == "de"


def test_region_subtags_and_case_are_normalised() -> None:
    assert detect_language("12 418", ["DE-at"]).language == "de"


def test_title_helps_an_empty_text() -> None:
    assert detect_language("", ["fr", "nl"], title=DUTCH).language == "nl"


PERSIAN = (
    "دولت برنامه جدیدی برای حمایت از پناهندگان و مهاجران در اروپا اعلام کرد و این برنامه شامل کلاس زبان است."
)


def test_declared_language_outside_candidates_is_detectable() -> None:
    assert "fa" not in CANDIDATES
    assert detect_language(PERSIAN, ["fa"]).language == "fa"


def test_a_clear_text_outside_the_candidates_keeps_its_own_code() -> None:
    # Persian is not a candidate; its nearest candidate, Arabic, is not its language
    assert detect_language(PERSIAN).language == "fa"


@pytest.mark.slow
def test_short_text_uses_lingua_where_it_wins() -> None:
    # py3langid alone answers Swedish for these two Dutch words; the lingua mixture gets Dutch
    assert detect_language("programma integratie", refine_short=False).language == "sv"
    assert detect_language("programma integratie").language == "nl"


def _item(**fields: object) -> HarvestedItem:
    return HarvestedItem(source_id="b17", url="http://127.0.0.1/statistik/tabelle-3", **fields)  # type: ignore[arg-type]


def test_pipeline_sets_fields_and_counts_methods() -> None:
    crawler = get_crawler(Spider)
    crawler.stats.open_spider()
    pipeline = LanguagePipeline.from_crawler(crawler)
    german = pipeline.process_item(_item(text=GERMAN, declared_languages=["en"]))
    table = pipeline.process_item(_item(text=DEGENERATE, title="2024–2025", declared_languages=["fr", "nl"]))
    default = pipeline.process_item(_item(text=DEGENERATE, declared_languages=["de"]))
    assert (german.language, german.language_method, german.languages_found) == ("de", "detected", ["de"])
    assert german.language_confidence is not None and german.language_confidence > 0.9
    assert (table.language, table.language_method, table.languages_found) == ("und", "undetermined", [])
    assert (default.language, default.language_method) == ("de", "source_default")
    assert crawler.stats.get_value("ewsi/language/detected") == 1
    assert crawler.stats.get_value("ewsi/language/undetermined") == 1
    assert crawler.stats.get_value("ewsi/language/source_default") == 1


def test_pipeline_falls_back_to_title_and_summary() -> None:
    item = LanguagePipeline().process_item(
        _item(text="  ", title="Nieuw loket", summary=DUTCH, declared_languages=["fr", "nl"])
    )
    assert item.language == "nl"


def test_pipeline_survives_a_detector_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    import pipelines.language as language

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("model missing")

    monkeypatch.setattr(language, "_scores", boom)
    item = LanguagePipeline().process_item(_item(text=GERMAN, declared_languages=["de"]))
    assert (item.language, item.language_method) == ("de", "source_default")


def test_b17_statistics_page_through_extraction() -> None:
    page = SHARED / "cases" / "B17" / "stats.html"
    if not page.exists():
        pytest.skip(f"../shared not found: {page}")
    from pipelines.extract import extract_document

    document = extract_document(
        page.read_bytes(), "http://127.0.0.1/statistik/tabelle-3", "text/html; charset=utf-8"
    )
    for declared, expected in ((["de"], ("de", "source_default")), (["fr", "nl"], ("und", "undetermined"))):
        result = detect_language(document.text, declared, title=document.title)
        assert (result.language, result.method) == expected


_OLD_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
_OLD_PATH = re.compile(r"\S*[/\\]\S*")


def _pattern_clean(text: str) -> str:
    """The former whole-text patterns: right on ordinary text, quadratic on long non-space runs."""
    text = text.encode("utf-8", "ignore").decode("utf-8")
    text = re.sub(r"\d+", " ", _OLD_PATH.sub(" ", _OLD_URL.sub(" ", text)))
    text = re.sub(r"[^\S\n]+", " ", text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


@pytest.mark.parametrize(
    "text",
    [
        "Die Stadt hat 2024 ein Programm vorgestellt.",
        "Mehr unter https://www.stadt.example/integration?x=1 und bei info@stadt.example heute.",
        "Kontakt: anna.muster@ministerium.gv.at\nTel. 01 234 567",
        "Voir www.interieur.gouv.fr pour les détails",
        "Pfad C:\\Daten\\bericht.pdf oder /var/www/index.html",
        "Üle\u2028rea\x0bja\x0c\r\nmigrandid 3x tööl",
        "ud\ud800 lone surrogate and \t tabs\n\n\n  blank lines  ",
        "e-mail@ alone, @handle and a@b without a dot",
        "Ελληνικά 12:30 κείμενο, ΕΛΛΗΝΙΚΆ",
        "",
        "   \n \t ",
    ],
)
def test_cleaning_word_by_word_keeps_what_the_patterns_kept(text: str) -> None:
    assert language._clean(text) == _pattern_clean(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(www.example.org) Text", "( Text"),
        ("see:http://x.example/a Text", "Text"),  # the whole word goes: it holds a "/"
        ("name@host.example, more", "more"),
        ("bei info@stadt.example.", "bei"),  # the patterns left the full stop
    ],
)
def test_cleaning_drops_whole_address_words(text: str, expected: str) -> None:
    assert language._clean(text) == expected


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "run",
    [
        "H" * 200_000,  # a title of one letter repeated
        "a@" + "." * 200_000,
        "a@" + "b" * 200_000,
        "www." + "w" * 200_000,
        "x" * 100_000 + "/" + "y" * 100_000,
        "1" * 200_000,
        "\\" * 200_000,
    ],
)
def test_cleaning_is_linear_on_long_runs_without_spaces(run: str) -> None:
    cleaned = language._clean(f"Intro text\n{run} tail")
    assert cleaned.startswith("Intro text") and cleaned.endswith("tail")
    result = detect_language(f"Integration von Geflüchteten in den Arbeitsmarkt. {run}")
    assert isinstance(result, LanguageResult)


@pytest.mark.parametrize(
    ("text", "declared", "language", "method"),
    [
        # a word or two on a one-language source: the source's language
        ("Air-Quotas", ["en"], "en", "source_default"),
        ("MOVEUROPE", ["en"], "en", "source_default"),
        ("« On The Wire »", ["en"], "en", "source_default"),
        ("Integrazione", ["de"], "de", "source_default"),
        # another script is not outvoted
        ("Ελληνικά", ["en"], "el", "detected"),
        ("Интеграция", ["de"], "bg", "detected"),
        ("الاندماج", ["fr"], "ar", "detected"),
        ("Integração", ["es"], "es", "source_default"),
        # long enough, or no single source language: the text decides
        ("Willkommen in der Stadt und im Land", ["en"], "de", "detected"),
        ("Integrazione dei migranti nelle scuole", ["de"], "it", "detected"),
    ],
)
def test_a_word_or_two_does_not_outvote_a_one_language_source(text, declared, language, method):
    result = detect_language(text, declared)
    assert (result.language, result.method) == (language, method)


# --- languages outside the candidates: their own code, not the nearest candidate's ------------------

MACEDONIAN = (
    "Владата објави нова програма за поддршка на бегалците и мигрантите кои бараат работа и сместување "
    "во земјата. Програмата вклучува бесплатни курсеви по македонски јазик."
)
NORWEGIAN = (
    "Regjeringen har lagt fram en ny plan for integrering av flyktninger. Kommunene skal få mer penger "
    "til norskopplæring og hjelp til å finne jobb, og det blir flere tilbud om kvalifisering."
)
LUXEMBOURGISH = (
    "D'Regierung huet en neie Plang fir d'Integratioun vu Flüchtlinge virgestallt. D'Gemenge kréien méi "
    "Suen fir Sproochecoursen an Hëllef beim Sichen no enger Aarbecht."
)
SERBIAN = (
    "Влада је представила нови план за интеграцију избеглица. Општине ће добити више новца за курсеве "
    "српског језика и помоћ при запошљавању."
)
ALBANIAN = (
    "Qeveria prezantoi një plan të ri për integrimin e refugjatëve. Komunat do të marrin më shumë para "
    "për kurse gjuhe dhe ndihmë për të gjetur punë."
)
CATALAN = (
    "El govern ha presentat un nou pla per a la integració de les persones refugiades. Els ajuntaments "
    "rebran més diners per a cursos de català i ajuda per trobar feina."
)
BULGARIAN = (
    "Правителството обяви нова програма за подкрепа на бежанците и мигрантите, които търсят работа и "
    "жилище в страната. Програмата включва безплатни курсове по български език."
)
DANISH = (
    "Regeringen har fremlagt en ny plan for integration af flygtninge. Kommunerne får flere penge til "
    "danskundervisning og hjælp til at finde arbejde."
)
CROATIAN = (
    "Vlada je predstavila novi plan za integraciju izbjeglica. Općine će dobiti više novca za tečajeve "
    "hrvatskoga jezika i pomoć pri zapošljavanju."
)
POLYTONIC_GREEK = (
    "Ποτὲ ἡ χριστιανική μας πίστη δὲν διαχώρισε τὴν πίστη ἀπὸ τὴν ζωή, καὶ ἡ κοινότητα βοηθᾶ τοὺς πρόσφυγες."
)


@pytest.mark.parametrize(
    ("text", "declared", "expected"),
    [
        # a language no candidate is: its own code
        (MACEDONIAN, ["bg"], "mk"),
        (MACEDONIAN, [], "mk"),
        (NORWEGIAN, ["da", "sv"], "no"),
        (NORWEGIAN, ["da"], "no"),
        (LUXEMBOURGISH, ["de", "fr"], "lb"),
        (LUXEMBOURGISH, ["de"], "lb"),
        (SERBIAN, ["hr"], "sr"),
        (SERBIAN, ["bg"], "sr"),
        (ALBANIAN, ["it", "el"], "sq"),
        (CATALAN, ["es"], "ca"),
        (PERSIAN, ["ar"], "fa"),
        # the candidates' own texts stay theirs
        (BULGARIAN, ["bg"], "bg"),
        (BULGARIAN, [], "bg"),
        (DANISH, ["da", "sv"], "da"),
        (GERMAN, ["de", "fr"], "de"),
        (CROATIAN, ["hr"], "hr"),
        (CROATIAN, [], "hr"),
        (RUSSIAN, ["bg"], "ru"),
        # Modern Greek in the old polytonic spelling is not Ancient Greek
        (POLYTONIC_GREEK, ["el"], "el"),
        (POLYTONIC_GREEK, [], "el"),
    ],
)
def test_a_language_outside_the_candidates_keeps_its_own_code(
    text: str, declared: list[str], expected: str
) -> None:
    result = detect_language(text, declared)
    assert (result.language, result.method, result.languages_found) == (expected, "detected", (expected,))
    assert result.confidence >= 0.9


@pytest.mark.parametrize(
    ("text", "declared"),
    [
        ("Нова програма за бегалци", ["bg"]),  # a few words: among the candidates
        ("Ny plan for flyktninger", ["da", "sv"]),
        ("Neie Plang fir Flüchtlinge", ["de"]),
    ],
)
def test_a_few_words_stay_among_the_candidates(text: str, declared: list[str]) -> None:
    assert detect_language(text, declared).language in declared


def test_a_declared_language_outside_the_candidates_is_a_candidate() -> None:
    result = detect_language(MACEDONIAN, ["mk", "bg"])
    assert (result.language, result.method) == ("mk", "detected")


# --- the title and the page against the text: another language's boilerplate ------------------------

COOKIES = (
    "We use cookies to improve your experience on our website. By continuing to browse, you agree to "
    "our use of cookies. You can change your cookie settings at any time. Accept all cookies. Manage "
    "preferences. Privacy policy."
)
COOKIES_DE = (
    "Wir verwenden Cookies, um Ihnen die bestmögliche Nutzung unserer Webseite zu ermöglichen. Mit der "
    "weiteren Nutzung stimmen Sie der Verwendung von Cookies zu. Alle akzeptieren. Einstellungen."
)
ONLY_IN = "This page is only available in Dutch. Please use the language menu to choose another page."
POLISH = (
    "Urząd miasta otwiera we wrześniu nowe punkty informacyjne dla cudzoziemców. Można tam uzyskać "
    "pomoc w sprawach mieszkaniowych, zawodowych i w nauce języka polskiego, także z tłumaczem."
)
ENGLISH_ARTICLE = (
    "The city council opens new information points for foreign residents in September. They offer help "
    "with housing, work and language courses, with interpreters for the most common languages. "
)
TITLE_PL = "Nowe kursy językowe dla cudzoziemców"
TITLE_FR = "Nouveaux cours de langue pour les réfugiés"
TITLE_NL = "Nieuw loket voor nieuwkomers in Gent"


@pytest.mark.parametrize(
    ("text", "declared", "title", "page", "expected"),
    [
        # the text is another language's boilerplate: the title and the page decide
        (COOKIES, ["pl", "en"], TITLE_PL, "pl", ("pl", "title_and_page")),
        (COOKIES, ["pl", "en"], TITLE_PL, "pl-PL", ("pl", "title_and_page")),
        (COOKIES, [], TITLE_PL, "pl", ("pl", "title_and_page")),
        (COOKIES_DE, ["fr", "de"], TITLE_FR, "fr", ("fr", "title_and_page")),
        (ONLY_IN, ["nl", "fr", "en"], TITLE_NL, "nl", ("nl", "title_and_page")),
        # a wrong lang attribute: the Polish title and text decide
        (POLISH, ["pl", "en"], TITLE_PL, "en", ("pl", "detected")),
        (COOKIES, ["pl", "en"], "We use cookies on this website", "pl", ("en", "detected")),
        # the title is not clear (a word) or the page declares a language the source does not
        (COOKIES, ["pl", "en"], "Aktualności", "pl", ("en", "detected")),
        (COOKIES, ["en"], TITLE_PL, "pl", ("en", "detected")),
        (COOKIES, ["pl", "en"], TITLE_PL, None, ("en", "detected")),
        # a whole article in another language is the item's language
        (ENGLISH_ARTICLE * 14, ["pl", "en"], TITLE_PL, "pl", ("en", "detected")),
        # the text itself in the title's and the page's language
        (POLISH, ["pl", "en"], TITLE_PL, "pl", ("pl", "detected")),
    ],
)  # fmt: skip
def test_title_and_page_outvote_boilerplate_text(
    text: str, declared: list[str], title: str, page: str | None, expected: tuple[str, str]
) -> None:
    result = detect_language(text, declared, title=title, page_language=page)
    assert (result.language, result.method) == expected


@pytest.mark.parametrize(
    "title", ["Nieuw loket voor nieuwkomers in Gent", "Un nouveau guichet pour les nouveaux venus"]
)
def test_a_bilingual_page_is_not_boilerplate(title: str) -> None:
    text = f"{FRENCH}\n\n{DUTCH}\n{FRENCH}\n{DUTCH}\n{FRENCH}"
    for page in ("nl", "fr"):
        result = detect_language(text, ["fr", "nl"], title=title, page_language=page)
        assert result.method == "detected"
        assert set(result.languages_found) == {"fr", "nl"}


def test_pipeline_counts_title_and_page() -> None:
    crawler = get_crawler(Spider)
    crawler.stats.open_spider()
    item = LanguagePipeline.from_crawler(crawler).process_item(
        _item(text=COOKIES, title=TITLE_PL, declared_language="pl-PL", declared_languages=["pl", "en"])
    )
    assert (item.language, item.language_method, item.languages_found) == ("pl", "title_and_page", ["pl"])
    assert crawler.stats.get_value("ewsi/language/title_and_page") == 1
