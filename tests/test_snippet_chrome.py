"""Snippets skip site chrome at the top of a text (crawler.web.chrome_lines, crawler.web.rows).

Rule: a queue row's one-line snippet does not start with lines that are only a host name or URL,
only a number or counter, or a breadcrumb; such a line is never the first line of prose either.
Sentences, titles and reference lines with words stay what they were.
"""

from __future__ import annotations

import pytest

from crawler.web.chrome_lines import is_address_line, is_breadcrumb_line, is_chrome_line, is_counter_line
from crawler.web.rows import snippet

A, C, B = "address", "counter", "breadcrumb"
LINES = [
    # (line, the kinds of chrome it is)
    ("www.make-it-in-germany.com", {A}),
    ("WWW.Make-It-In-Germany.com", {A}),
    ("https://www.make-it-in-germany.com/en/visa-residence", {A}),
    ("http://bamf.invalid", {A}),
    ("make-it-in-germany.com", {A}),
    ("bamf.de/DE/Themen/Integration", {A}),
    ("integrationsfonds.at?lang=de", {A}),
    ("<https://www.migration.gv.at/>", {A}),
    ("(www.inclusion.invalid)", {A}),
    ("portal.ec.europa.eu:8443/x", {A}),
    ("österreich.gv.at", {A}),
    ("1", {C}),
    (" 12 ", {C}),
    ("1 / 12", {C}),
    ("1/12", {C}),
    ("1.5", {C}),
    ("Page 1 of 3", {C}),
    ("Seite 2 von 5", {C}),
    ("Strona 3 z 10", {C}),
    ("47 comments", {C}),
    ("1,234 Kommentare", {C}),
    ("3 min read", {C}),
    ("12.03.2025", {C}),
    ("Nr. 12/2024", {C}),
    ("- 2 -", {C}),
    ("Art.12", {C}),
    ("Home > News > Job-Turbo", {B}),
    ("Startseite › Aktuelles › Integration", {B}),
    ("Accueil » Actualités", {B}),
    ("Home / Themes / Labour market", {B}),
    ("Home | Press | Integration of migrants in the labour market", {B}),
    ("Αρχική » Νέα", {B}),
    ("Start → Themen → Arbeit und Beruf", {B}),
    ("Home > 2025", {B, C}),
    ("Mr.Smith", set()),
    ("e.g.", set()),
    ("U.S.", set()),
    ("Kapitel.Zwei", set()),
    ("Visit www.make-it-in-germany.com for more", set()),
    ("Job-Turbo", set()),
    ("Applications open on 3 March.", set()),
    ("Costs rose from 5 to 7 per cent", set()),
    ("Checklist for 2025 applicants", set()),
    ("REKLAMA", set()),
    ("Migration/Integration", set()),
    ("Home", set()),
    ("The city opens a centre > for all who arrive.", set()),
    ("Most migrants / refugees in the region found work within a year after arriving in the country", set()),
    ("Costs > expected in all twelve regions of the country after the new rules for housing came in", set()),
    ("Home > News > Job-Turbo.", set()),
    ("Lesen Sie auch: Sprachkurse", set()),
    ("", set()),
]


@pytest.mark.parametrize(("line", "kinds"), LINES)
def test_which_lines_are_site_chrome(line: str, kinds: set[str]) -> None:
    found = {
        kind
        for kind, test in ((A, is_address_line), (C, is_counter_line), (B, is_breadcrumb_line))
        if test(line)
    }
    assert found == kinds
    assert is_chrome_line(line) == bool(kinds)


SNIPPETS = {
    "host-and-page-number": (
        "www.make-it-in-germany.com\n1\nThe list of shortage occupations in Germany is provided to lay out "
        "comprehensive \ninformation for skilled workers.",
        "Shortage occupations",
        "The list of shortage occupations in Germany is provided to lay out comprehensive information for "
        "skilled workers.",
    ),
    "url-then-title-then-text": (
        "https://www.make-it-in-germany.com/en\nShortage occupations\nThe list names the jobs.",
        "Shortage occupations",
        "The list names the jobs.",
    ),
    "counter-line": ("Page 1 of 3\nThe city opens a centre.", None, "The city opens a centre."),
    "comments-and-reading-time": (
        "47 comments\n3 min read\nThe city opens a centre.",
        None,
        "The city opens a centre.",
    ),
    "breadcrumb-as-long-as-prose": (
        "Home › News › Integration of migrants in the labour market\nThe council adopted a new plan.",
        None,
        "The council adopted a new plan.",
    ),
    "chrome-before-short-lines": (
        "www.bamf.invalid\n1\nShort heading\nAnother line",
        None,
        "Short heading Another line",
    ),
    "chrome-only": ("www.bamf.invalid\n1", None, "1"),
    "host-inside-a-sentence-stays": (
        "Visit www.make-it-in-germany.com for the list of occupations in demand.",
        None,
        "Visit www.make-it-in-germany.com for the list of occupations in demand.",
    ),
    "number-inside-prose-stays": (
        "In 2025 the city opened 3 new advice centres for newcomers.",
        None,
        "In 2025 the city opened 3 new advice centres for newcomers.",
    ),
}


@pytest.mark.parametrize(("source", "title", "expected"), SNIPPETS.values(), ids=SNIPPETS.keys())
def test_the_snippet_starts_after_site_chrome(source: str, title: str | None, expected: str) -> None:
    assert snippet(source, title) == expected
