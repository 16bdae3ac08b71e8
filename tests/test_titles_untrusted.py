"""Titles are shown wherever the portal lists an item, so the rules of a stored title hold whatever the
harvested bytes held: no bidirectional control survives in a title, summary or author, whichever path
gave it (a feed's entry, a page's <title> or heading, a document's first line), and a right-to-left
override's run is kept as it read (reversed as it is unwrapped); an untitled document's title is its
first sentence, at most `TEXT_TITLE_CHARS` characters."""

from __future__ import annotations

import pytest

from crawler.text import BIDI_CONTROLS, strip_bidi_controls
from crawler.types import HarvestedItem
from pipelines.document import ExtractedDocument, one_line
from pipelines.extract import apply_document
from pipelines.normalize import TITLE_MAX_BYTES, plain_line, plain_title
from pipelines.titles import TEXT_TITLE_CHARS, title_from_text
from pipelines.titles import one_line as title_line

SPOOFS = [
    (
        "Integration \u202eevil\u202c of migrants",
        "Integration live of migrants",
    ),  # right-to-left override: as read
    ("\u202eseegufeR rof sesruoC\u202c – City", "Courses for Refugees – City"),
    ("\u202eno pop at the end", "dne eht ta pop on"),
    ("\u202dLTR\u202c override", "LTR override"),
    ("Kurs \u2067hidden\u2069 isolate", "Kurs hidden isolate"),
    ("\u202bembedding\u202c text", "embedding text"),
    ("mark\u200f and \u200emarks\u061c", "mark and marks"),
    ("\u202e\u202e\u202e", None),  # nothing left
    ("Réfugiés à Lyon", "Réfugiés à Lyon"),  # nothing to remove
    ("لاجئون في \u202bبرلين\u202c", "لاجئون في برلين"),  # right-to-left text keeps its letters
]


@pytest.mark.parametrize(("raw", "stored"), SPOOFS)
@pytest.mark.parametrize(
    "path",
    [
        lambda v: plain_title(v, TITLE_MAX_BYTES)[0],
        lambda v: plain_line(v, 10_000)[0],
        one_line,
        title_line,
    ],
    ids=["feed-title", "summary", "document-title", "page-title"],
)
def test_no_bidi_control_survives_in_a_one_line_field(path, raw: str, stored: str | None) -> None:
    assert path(raw) == stored


@pytest.mark.parametrize(("raw", "stored"), SPOOFS)
def test_a_page_title_taken_by_an_item_carries_no_bidi_control(raw: str, stored: str | None) -> None:
    item = HarvestedItem(source_id="titles", url="https://e.eu/a/1", title=None)
    apply_document(item, ExtractedDocument(text="Body of the page.", title=raw, method="html"))
    # a title of controls alone is no title: the document's first line stands in
    assert item.title == (stored or "Body of the page")
    assert not BIDI_CONTROLS.search(item.title or "")


LONG = "Refugee integration language course newcomers " * 6


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # the first sentence of the first line, its full stop dropped
        (
            "Refugee integration language course newcomers. " * 3,
            "Refugee integration language course newcomers",
        ),
        ("Is this integration? Yes it is, says the mayor.", "Is this integration?"),
        ("Neue Sprachkurse starten im März! Anmeldung ab sofort.", "Neue Sprachkurse starten im März!"),
        # an abbreviation's dot early in the line is no sentence end
        (
            "Dr. Weber eröffnet das Beratungszentrum. Weitere Sätze.",
            "Dr. Weber eröffnet das Beratungszentrum",
        ),
        (
            "z. B. Sprachkurse für Geflüchtete in Wien werden ausgebaut. Mehr.",
            "z. B. Sprachkurse für Geflüchtete in Wien werden ausgebaut",
        ),
        (
            "Neue Sprachkurse, z. B. für geflüchtete Frauen, bietet die Stadt an.",
            "Neue Sprachkurse, z. B. für geflüchtete Frauen, bietet die Stadt an",
        ),
        (
            "Bürgermeisterin Dr. Weber eröffnet das Zentrum. Weitere Sätze.",
            "Bürgermeisterin Dr. Weber eröffnet das Zentrum",
        ),
        (
            "Die Stadt startet am 3. März neue Kurse für Geflüchtete. Mehr.",
            "Die Stadt startet am 3. März neue Kurse für Geflüchtete",
        ),
        (
            "Prof. Müller leads the new integration study. Second sentence.",
            "Prof. Müller leads the new integration study",
        ),
        (
            "The guide, by Mrs. Smith and St. Mary's, helps newcomers. Next.",
            "The guide, by Mrs. Smith and St. Mary's, helps newcomers",
        ),
        # abbreviations of the EU's languages, and real ends whatever the alphabet or the word's length
        (
            "Incontro con il dott. Rossi sulla salute dei migranti. Altro.",
            "Incontro con il dott. Rossi sulla salute dei migranti",
        ),
        (
            "Reunión con la Excma. Sra. García sobre migrantes. Más texto.",
            "Reunión con la Excma. Sra. García sobre migrantes",
        ),
        (
            "Spotkanie o godz. 10:00 dla uchodźców w Warszawie. Więcej.",
            "Spotkanie o godz. 10:00 dla uchodźców w Warszawie",
        ),
        (
            "Réunion le 12 févr. 2025 pour les réfugiés de Lyon. Suite.",
            "Réunion le 12 févr. 2025 pour les réfugiés de Lyon",
        ),
        ("Treffen in der Hauptstr. 5 für Geflüchtete. Mehr.", "Treffen in der Hauptstr. 5 für Geflüchtete"),
        (
            "Neue Sprachkurse fangen heute wieder an. Anmeldung ab sofort.",
            "Neue Sprachkurse fangen heute wieder an",
        ),
        ("Kurs für Geflüchtete im Jahr 2025. Anmeldung ab sofort.", "Kurs für Geflüchtete im Jahr 2025"),
        (
            "Οι πρόσφυγες μαθαίνουν ελληνικά στην Αθήνα. Άλλο κείμενο.",
            "Οι πρόσφυγες μαθαίνουν ελληνικά στην Αθήνα",
        ),
        (
            "Cursuri de limbă pentru refugiați în București. Școala oferă.",
            "Cursuri de limbă pentru refugiați în București",
        ),
        ("Er sagte „das ist gut für alle.“ So geht es weiter.", "Er sagte „das ist gut für alle.“"),
        ("¿Qué hacen los migrantes en Madrid? ¿Dónde viven?", "¿Qué hacen los migrantes en Madrid?"),
        # a number's dot or a lower-case word after the dot is no sentence end
        (
            "Die Stadt fördert 3.000 Plätze in 12 Kursen. Ab 2025 kommen weitere dazu.",
            "Die Stadt fördert 3.000 Plätze in 12 Kursen",
        ),
        # a digit after the dot starts no sentence: "Nr. 5", "Tel. 030", "Hauptstr. 5" run on
        (
            "Die Stadt fördert 3.000 Plätze in 12 Kursen. 2025 kommen weitere dazu.",
            "Die Stadt fördert 3.000 Plätze in 12 Kursen. 2025 kommen weitere dazu",
        ),
        (
            "Version 2.1 of the guide e.g. for mentors is out now",
            "Version 2.1 of the guide e.g. for mentors is out now",
        ),
        # other alphabets
        (
            "Бежанци от Украйна учат български език. Курсът е безплатен.",
            "Бежанци от Украйна учат български език",
        ),
        (
            "Οι πρόσφυγες μαθαίνουν ελληνικά στην Αθήνα. Νέα τμήματα.",
            "Οι πρόσφυγες μαθαίνουν ελληνικά στην Αθήνα",
        ),
        # no sentence end: cut at a word boundary with an ellipsis
        (LONG, LONG[: TEXT_TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"),
        ("A" * 400, "A" * (TEXT_TITLE_CHARS - 1) + "…"),
        # the first line longer than 3 characters; controls gone
        ("Ab\n\n  Second line is the title here  \nThird", "Second line is the title here"),
        ("\u202eevil\u202c report on housing", "live report on housing"),
        ("", None),
        (None, None),
        ("ab\ncd", None),
    ],
)
def test_an_untitled_documents_title_is_its_first_sentence(text: str | None, title: str | None) -> None:
    got = title_from_text(text)
    assert got == title
    assert got is None or len(got) <= TEXT_TITLE_CHARS


def test_an_untitled_document_gets_its_first_sentence_as_title() -> None:
    item = HarvestedItem(source_id="titles", url="https://e.eu/a/1.pdf", title=None)
    text = "Refugee integration language course newcomers. " * 5 + "\nMore text."
    apply_document(item, ExtractedDocument(text=text, title=None, method="pdf"))
    assert item.title == "Refugee integration language course newcomers"
    assert "title_from_text" in item.flags


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        ("a\u202ebc", "acb"),  # an override without its pop runs to the end of the line
        ("l1 \u202eab\nl2", "l1 ba\nl2"),
        ("First\u202e para.\r\n\r\nSecond", "First.arap \r\n\r\nSecond"),
        ("x\u202eab\u202cy \u202ecd\u202c", "xbay dc"),  # two runs
        ("x\u202ea\u2066b\u2069c\u202cy", "xcbay"),  # controls inside a run are dropped
        ("\u202dLTR\u202c and \u200emarks\u200f", "LTR and marks"),  # the rest only moves neutrals: dropped
        # right-to-left letters run right to left anyway: kept as written
        ("\u202eمرحبا بكم\u202c", "مرحبا بكم"),
        ("\u202eשלום\u202c", "שלום"),
        # by perceived character, brackets mirrored
        ("\u202e(a)\u202c", "(a)"),
        ("\u202ecafe\u0301\u202c", "e\u0301fac"),
        ("\u202e\U0001f1e9\U0001f1ea x\u202c", "x \U0001f1e9\U0001f1ea"),
        # the run ends at the isolate around it, or at a paragraph's end
        ("x \u2067\u202eabc\u2069 def", "x cba def"),
        ("\u202eabc\u2029def", "cba\u2029def"),
        (None, None),
    ],
)
def test_an_override_is_kept_as_it_read(raw: str | None, read: str | None) -> None:
    assert strip_bidi_controls(raw) == read
