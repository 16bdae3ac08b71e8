"""Titles whose parts are told apart by the page: quotation marks are no separators, breadcrumb and
home-page parts are no headline, a bare domain names the site, and trafilatura's guess of which part
of <title> is the headline is no headline. Made-up pages in several EU languages, one rule per row."""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document
from pipelines.titles import choose_title

BODY = "<p>" + "Die Integration von Zugewanderten ist eine gemeinsame Aufgabe aller Ebenen. " * 6 + "</p>"


@pytest.mark.parametrize(
    ("raw", "kwargs", "expected"),
    [
        # guillemets of a quotation (French, Italian style, spaces inside) are no separators
        (
            "Le plan « Bienvenue en France » présenté – Ministère de l'Intérieur",
            {"site_names": ["Ministère de l'Intérieur"]},
            "Le plan « Bienvenue en France » présenté",
        ),
        (
            "Le plan « Bienvenue en France » présenté | Gouvernement",
            {"host": "www.gouvernement.fr"},
            "Le plan « Bienvenue en France » présenté",
        ),
        (
            "Il progetto « Italiano per tutti » - Comune di Milano",
            {"host": "www.comune.milano.it"},
            "Il progetto « Italiano per tutti »",
        ),
        # a lone guillemet, either way round, is a separator
        (
            "Υπουργείο Μετανάστευσης « Νέα προγράμματα ένταξης",
            {"site_names": ["Υπουργείο Μετανάστευσης"]},
            "Νέα προγράμματα ένταξης",
        ),
        # more dashes, bullets and breadcrumb arrows
        ("Neue Regeln ‒ Bundesregierung", {"site_names": ["Bundesregierung"]}, "Neue Regeln"),
        ("Neue Regeln ― Bundesregierung", {"site_names": ["Bundesregierung"]}, "Neue Regeln"),
        ("Neue Regeln • Bundesregierung", {"site_names": ["Bundesregierung"]}, "Neue Regeln"),
        ("Accueil > Actualités > Nouveaux cours de français", {"host": "www.interieur.gouv.fr"},
         "Nouveaux cours de français"),
        ("Pradžia › Naujienos › Nauji kursai užsieniečiams", {"host": "migracija.lrv.lt"},
         "Nauji kursai užsieniečiams"),
        # breadcrumbs that start at the home page
        ("Αρχική » Νέα » Νέα προγράμματα ένταξης", {"host": "migration.gov.gr"}, "Νέα προγράμματα ένταξης"),
        ("Начало | Новини | Нови курсове за интеграция", {"host": "aref.government.bg"},
         "Нови курсове за интеграция"),
        # a bare domain names the site, whatever the host
        ("Igsi.ro - Cursuri noi de limba română", {"host": "www.example.ro"}, "Cursuri noi de limba română"),
        ("Nieuwe inburgeringswet | Nieuwsbericht | Rijksoverheid.nl", {"host": "www.example.nl"},
         "Nieuwe inburgeringswet"),
        ("Booking.com fined in Italy - Reuters", {"host": "www.reuters.com"}, "Booking.com fined in Italy"),
        # a home page's title on every page gives way to the page's headline
        (
            "Home page - Comune di Roma",
            {"site_names": ["Comune di Roma"], "headlines": ["Nuovi corsi di italiano per stranieri"]},
            "Nuovi corsi di italiano per stranieri",
        ),
        (
            "Strona główna | Urząd do Spraw Cudzoziemców",
            {"host": "www.gov.pl", "headlines": ["Nowe zasady legalizacji pobytu"]},
            "Nowe zasady legalizacji pobytu",
        ),
        ("Főoldal", {"headlines": ["Új integrációs program indul"]}, "Új integrációs program indul"),
        # the site's name alone gives way to the page's own headline, not to a logo's short h1
        ("BAMF", {"host": "www.bamf.de", "headlines": ["Bundesamt", "Neue Regeln für Einbürgerung"]},
         "Neue Regeln für Einbürgerung"),
        ("Regeringen.se", {"host": "www.regeringen.se", "headlines": ["Vissa skolfrågor"]},
         "Vissa skolfrågor"),
        ("Bundesamt für Migration und Flüchtlinge",
         {"site_names": ["Bundesamt für Migration und Flüchtlinge"], "headlines": ["Neue Regeln"]},
         "Neue Regeln"),
        # a title cut short with an ellipsis gives way to the headline it starts
        ("Neue Regeln für die Einbürgerung von… | BAMF",
         {"host": "www.bamf.de", "headlines": ["Neue Regeln für die Einbürgerung von Geflüchteten"]},
         "Neue Regeln für die Einbürgerung von Geflüchteten"),
        ("Nowe zasady pobytu cudzo... - Urząd", {"site_names": ["Urząd"],
         "headlines": ["Nowe zasady pobytu cudzoziemców"]}, "Nowe zasady pobytu cudzoziemców"),
        # a shorter title without the mark is the page's own choice
        ("Vissa skolfrågor", {"headlines": ["Vissa skolfrågor ID-nummer: Prop. 2012/13:187"]},
         "Vissa skolfrågor"),
        # without a headline the home page's name stays: nothing better is known
        ("Startseite", {}, "Startseite"),
        # quotation marks with no spaces and hyphens inside words are untouched
        (
            "Programm »Integration durch Sport« gestartet – BMI",
            {"host": "www.bmi.bund.de"},
            "Programm »Integration durch Sport« gestartet",
        ),
    ],
)  # fmt: skip
def test_title_parts(raw: str, kwargs: dict, expected: str) -> None:
    assert choose_title(raw, **kwargs) == expected


def page(title: str, lang: str, site: str | None = None, h1: str | None = None) -> bytes:
    meta = f'<meta property="og:site_name" content="{site}">' if site else ""
    heading = f"<h1>{h1}</h1>" if h1 else ""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{meta}'
        f"</head><body><main><article>{heading}{BODY}</article></main></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("url", "body", "expected"),
    [
        # trafilatura takes the part before the first separator: here the site's name
        (
            "https://www.example.lt/naujienos/1",
            page("Migracijos departamentas - Nauji kursai užsieniečiams", "lt", "Migracijos departamentas"),
            "Nauji kursai užsieniečiams",
        ),
        (
            "https://www.example.es/noticias/1",
            page("Dirección General de Migraciones | Nuevo plan", "es", "Dirección General de Migraciones"),
            "Nuevo plan",
        ),
        # with no site name known, the whole <title> is kept rather than a guessed part of it
        (
            "https://www.example.sk/spravy/1",
            page("Migračný úrad - Nové pravidlá pobytu", "sk"),
            "Migračný úrad - Nové pravidlá pobytu",
        ),
        # the page's own h1 is still the headline
        (
            "https://www.example.sk/spravy/1",
            page("Nové pravidlá pobytu - Migračný úrad", "sk", h1="Nové pravidlá pobytu"),
            "Nové pravidlá pobytu",
        ),
        (
            "https://www.comune.example.it/notizie/1",
            page("Home page - Comune di Roma", "it", "Comune di Roma", h1="Nuovi corsi di italiano"),
            "Nuovi corsi di italiano",
        ),
    ],
)  # fmt: skip
def test_page_title_is_not_a_guessed_part_of_title(url: str, body: bytes, expected: str) -> None:
    assert extract_document(body, url, "text/html").title == expected
