"""The site's name in brackets, after a rarer separator or shortened before a colon leaves the title
(pipelines.titles rules 1, 2c and 2e).

Made-up pages in the EU languages: the ``<title>`` is "Headline [Site]", "(Site) Headline",
"Headline // Site", "Headline ~ Site", "ABBR: Headline"; og:site_name (or only the host, the chrome or
the JSON-LD publisher) names the site; the ``<h1>`` is the headline alone. Then brackets and colons
that belong to the headline and must stay, feed titles, and `abbreviates` on its own.
"""

from __future__ import annotations

import json

import pytest

from pipelines.extract import extract_document
from pipelines.titles import abbreviates, choose_title, strip_feed_title, strip_site

BODY = (
    "<p>" + "Das Programm bietet Kurse, Beratung und Begleitung für zugewanderte Familien an. " * 5 + "</p>"
)


def page(
    title: str, h1: str, site: str | None = None, lang: str = "de", extra: str = "", logo: str = ""
) -> bytes:
    meta = f'<meta property="og:site_name" content="{site}">' if site else ""
    header = f'<header><a class="logo" href="/">{logo}</a></header>' if logo else ""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{meta}{extra}'
        f"</head><body>{header}<main><article><h1>{h1}</h1>{BODY}</article></main></body></html>"
    ).encode()


# fmt: off
BRACKETED = [
    # lang, headline, site (og:site_name), how the title writes the site
    ("de", "Integrationskurs für Geflüchtete", "Caritas Wien", "{h} [{s}]"),
    ("sl", "Brezplačen tečaj slovenščine za begunce", "Slovenska filantropija", "{h} [{s}]"),
    ("fi", "Kotoutumiskoulutus laajenee", "Yle Uutiset", "{h} [{s}]"),
    ("es", "Nuevo programa de acogida de refugiados", "CEAR", "{h} ({s})"),
    ("it", "Nuovo bando per l'integrazione dei migranti", "Fondazione Cariplo", "{h} ({s})"),
    ("nl", "Inburgering van statushouders", "Movisie", "{h} // {s}"),
    ("pl", "Integracja cudzoziemców w Gdańsku", "Gdańsk.pl", "{h} // {s}"),
    ("cs", "Kurzy češtiny pro cizince", "META o.p.s.", "{h} ~ {s}"),
    ("fr", "Cours de français pour les réfugiés", "France terre d'asile", "[{s}] {h}"),
    ("pt", "Novo programa de acolhimento de refugiados", "Conselho Português para os Refugiados",
     "({s}) {h}"),
    ("sv", "Ny kurs i svenska för nyanlända", "Sveriges Kommuner och Regioner", "{h} {{{s}}}"),
    ("da", "Nyt danskkursus for flygtninge", "Dansk Flygtningehjælp", "【{s}】{h}"),
    ("et", "Eesti keele kursused pagulastele", "Eesti Pagulasabi", "{h} 【{s}】"),
    ("lv", "Latviešu valodas kursi bēgļiem", "Patvēruma meklētāju centrs", "{h} «{s}»"),
    ("lt", "Lietuvių kalbos kursai pabėgėliams", "Lietuvos Raudonasis Kryžius", "{h} ¦ {s}"),
    ("hu", "Magyar nyelvtanfolyam menekülteknek", "Menedék Egyesület", "{h} ‖ {s}"),
    ("ro", "Cursuri de limba română pentru refugiați", "Consiliul Național Român pentru Refugiați",
     "{h} ∙ {s}"),
    ("bg", "Курсове по български език за бежанци", "Български Червен кръст", "{h} [{s}]"),
    ("el", "Μαθήματα ελληνικών για πρόσφυγες", "Ελληνικό Συμβούλιο για τους Πρόσφυγες", "{h} ({s})"),
    ("hr", "Tečaj hrvatskog jezika za izbjeglice", "Centar za mirovne studije", "{h} :: {s}"),
    ("sk", "Kurzy slovenčiny pre cudzincov", "Liga za ľudské práva", "{h} • {s}"),
    ("mt", "Korsijiet tal-Malti għall-migranti", "Aġenzija għall-Protezzjoni Internazzjonali", "{h} — {s}"),
    ("ga", "Ranganna Gaeilge d'imircigh", "Comhairle Cathrach Bhaile Átha Cliath", "{h} | {s}"),
    ("en", "New language courses for refugees", "Irish Refugee Council", "{h} 〔{s}〕"),
    ("de", "Beratung für Zugewanderte", "Diakonie Hamburg", "{h} (Diakonie Hamburg)"),
]
# fmt: on


@pytest.mark.parametrize(
    ("lang", "headline", "site", "form"), BRACKETED, ids=[f"{c[0]}-{c[3]}" for c in BRACKETED]
)
def test_a_bracketed_or_separated_site_name_leaves_the_title(
    lang: str, headline: str, site: str, form: str
) -> None:
    title = form.format(h=headline, s=site)
    body = page(title, headline, site, lang)
    assert extract_document(body, "https://example.org/news/1", "text/html").title == headline


@pytest.mark.parametrize(
    ("lang", "headline", "site", "form"), BRACKETED[:12], ids=[c[0] for c in BRACKETED[:12]]
)
def test_without_an_h1_the_bracket_goes_by_the_site_name_alone(
    lang: str, headline: str, site: str, form: str
) -> None:
    assert choose_title(form.format(h=headline, s=site), site_names=[site]) == headline


# fmt: off
ABBREVIATED = [
    # lang, headline, full site name, the short name before the colon
    ("sv", "Ny kurs i svenska för flyktingar", "Sveriges Kommuner och Regioner", "SKR"),
    ("pl", "Nowy program integracji cudzoziemców", "Urząd do Spraw Cudzoziemców", "UdSC"),
    ("fi", "Muuttolintujen kevätmuutto alkoi aikaisin – vieraslajit leviävät", "Luonnonvarakeskus", "Luke"),
    ("es", "Nuevo programa de acogida", "Comisión Española de Ayuda al Refugiado", "CEAR"),
    ("fr", "Nouveaux cours de français", "Office français de l'immigration et de l'intégration", "OFII"),
    ("it", "Nuovi corridoi umanitari", "Agenzia delle Nazioni Unite per i Rifugiati", "ANUR"),
    ("de", "Neue Integrationskurse", "Diakonisches Werk Hamburg", "DWH"),
    ("cs", "Nové kurzy češtiny", "Ministerstvo vnitra České republiky", "MVČR"),
    ("ro", "Cursuri noi de limba română", "Inspectoratul General pentru Imigrări", "IGI"),
    ("pt", "Novo plano de integração", "Agência para a Integração, Migrações e Asilo", "AIMA"),
    ("nl", "Nieuwe inburgeringscursus", "Centraal Orgaan opvang Asielzoekers", "COA"),
    ("da", "Nye regler for familiesammenføring", "Styrelsen for International Rekruttering og Integration",
     "SIRI"),
    ("hu", "Új nyelvtanfolyam menekülteknek", "Országos Idegenrendészeti Főigazgatóság", "OIF"),
    ("el", "Νέο πρόγραμμα ένταξης", "Υπουργείο Μετανάστευσης και Ασύλου", "ΥΜΑ"),
    ("lv", "Jauni valodas kursi", "Pilsonības un migrācijas lietu pārvalde", "PMLP"),
]
# fmt: on


@pytest.mark.parametrize(("lang", "headline", "site", "short"), ABBREVIATED, ids=[c[3] for c in ABBREVIATED])
def test_the_sites_short_name_before_a_colon_leaves_the_title(
    lang: str, headline: str, site: str, short: str
) -> None:
    body = page(f"{short}: {headline}", headline, site, lang)
    assert extract_document(body, "https://example.org/news/1", "text/html").title == headline


@pytest.mark.parametrize(
    ("raw", "headlines", "sites", "host", "expected"),
    [
        # the host's first label, no site name on the page
        ("Luke: Muuttolintujen kevätmuutto", ["Muuttolintujen kevätmuutto"], [], "www.luke.fi",
         "Muuttolintujen kevätmuutto"),
        ("Kotoutumiskoulutus laajenee [Yle]", [], [], "yle.fi", "Kotoutumiskoulutus laajenee"),
        ("Hilfe für Geflüchtete aus der Ukraine (Stadt Wien)", [], [], "www.wien.gv.at",
         "Hilfe für Geflüchtete aus der Ukraine"),
        # an h1 that repeats the whole <title> confirms nothing, as with " | Site"
        ("Integrationskurs für Geflüchtete [Caritas Wien]",
         ["Integrationskurs für Geflüchtete [Caritas Wien]"],
         ["Caritas Wien"], None, "Integrationskurs für Geflüchtete"),
        # initials of the host
        ("Nouveaux cours [Office français de l'immigration et de l'intégration]", [], [], "www.ofii.fr",
         "Nouveaux cours"),
        # the headline as the page writes it, not as the title after the colon does
        ("UNHCR: nuovi corridoi umanitari", ["Nuovi corridoi umanitari"], ["UNHCR Italia"], None,
         "Nuovi corridoi umanitari"),
        # a bracketed site name next to a section name and a site name after a separator
        ("Nowe kursy językowe (UdSC) | Aktualności", [], ["Urząd do Spraw Cudzoziemców"], "www.gov.pl",
         "Nowe kursy językowe"),
        ("Νέο πρόγραμμα ένταξης (ΥΜΑ) - Ειδήσεις", [], ["Υπουργείο Μετανάστευσης και Ασύλου"], None,
         "Νέο πρόγραμμα ένταξης"),
        # the site's name as the separator's start: "Site // Headline", "Site ~ Headline"
        ("Movisie // Inburgering van statushouders", [], ["Movisie"], None, "Inburgering van statushouders"),
        ("META o.p.s. ~ Kurzy češtiny pro cizince", [], ["META o.p.s."], None, "Kurzy češtiny pro cizince"),
    ],
)  # fmt: skip
def test_choose_title_cuts_the_site_in_any_form(
    raw: str, headlines: list[str], sites: list[str], host: str | None, expected: str
) -> None:
    assert choose_title(raw, headlines=headlines, site_names=sites, host=host) == expected


def test_the_json_ld_publisher_names_the_site_in_brackets() -> None:
    data = {"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "Caritas Wien"}}
    extra = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    body = page(
        "Integrationskurs für Geflüchtete [Caritas Wien]", "Integrationskurs für Geflüchtete", extra=extra
    )
    assert (
        extract_document(body, "https://example.org/a", "text/html").title
        == "Integrationskurs für Geflüchtete"
    )


def test_the_logo_names_the_site_in_brackets() -> None:
    body = page("Nieuwe taalcursus (Gemeente Zwolle)", "Nieuwe taalcursus", logo="Gemeente Zwolle", lang="nl")
    assert extract_document(body, "https://example.org/a", "text/html").title == "Nieuwe taalcursus"


# fmt: off
KEPT = [
    # raw, h1 (or ""), og:site_name, host, title that stays
    # a bracket that is no site's name
    ("Neue Integrationskurse (Video)", "", "Stadt Wien", "www.wien.gv.at", "Neue Integrationskurse (Video)"),
    ("Nouveaux cours de français (mis à jour)", "", "Préfecture du Nord", "www.nord.gouv.fr",
     "Nouveaux cours de français (mis à jour)"),
    ("[PDF] Jahresbericht Integration 2025", "", "Caritas", "www.caritas.at",
     "[PDF] Jahresbericht Integration 2025"),
    ("Förderaufruf 2025: Projekte zur Integration von Zugewanderten (AMIF)",
     "Förderaufruf 2025: Projekte zur Integration von Zugewanderten (AMIF)", "Bundesministerium des Innern",
     "www.bmi.bund.de", "Förderaufruf 2025: Projekte zur Integration von Zugewanderten (AMIF)"),
    ("Hilfe für Geflüchtete (auch in Wien)", "", "", "www.wien.gv.at",
     "Hilfe für Geflüchtete (auch in Wien)"),
    ("Nuevo informe sobre refugiados (ACNUR)", "", "CEAR", "www.cear.es",
     "Nuevo informe sobre refugiados (ACNUR)"),
    ("Uusi raportti (2025)", "", "Luonnonvarakeskus", "www.luke.fi", "Uusi raportti (2025)"),
    # the page's own headline holds the bracket (a title that only repeats <title> confirms nothing)
    ("Integrationskurs für Geflüchtete [Caritas Wien] | Aktuelles",
     "Integrationskurs für Geflüchtete [Caritas Wien]",
     "Caritas Wien", None, "Integrationskurs für Geflüchtete [Caritas Wien]"),
    ("Nouveau partenariat avec « France terre d'asile » - Actualités",
     "Nouveau partenariat avec « France terre d'asile »", "France terre d'asile", None,
     "Nouveau partenariat avec « France terre d'asile »"),
    # a quotation inside the headline, the site's name at the end after a separator
    ("Le plan « Bienvenue en France » présenté | Campus France", "", "Campus France", None,
     "Le plan « Bienvenue en France » présenté"),
    # nothing but the site's name in brackets
    ("[Caritas Wien]", "", "Caritas Wien", None, "[Caritas Wien]"),
    # a genuine colon: the part before is no name of the site
    ("Integration: Nyt danskkursus for flygtninge | DRC Dansk Flygtningehjælp",
     "Integration: Nyt danskkursus for flygtninge", "DRC Dansk Flygtningehjælp", None,
     "Integration: Nyt danskkursus for flygtninge"),
    ("Asyl: Neue Regeln ab März", "Asyl: Neue Regeln ab März",
     "Bundesamt für Migration und Flüchtlinge", None,
     "Asyl: Neue Regeln ab März"),
    ("Integracja: nowy program", "Integracja: nowy program", "Urząd do Spraw Cudzoziemców", None,
     "Integracja: nowy program"),
    # the short name inside the headline, not at an end or in brackets
    ("Dyskryminacja cudzoziemców na rynku pracy – nowy raport RPO",
     "Dyskryminacja cudzoziemców na rynku pracy – nowy raport RPO", "Rzecznik Praw Obywatelskich", None,
     "Dyskryminacja cudzoziemców na rynku pracy – nowy raport RPO"),
    # a tilde and a double slash that separate no site
    ("Kurzy češtiny ~ Praha", "", "META o.p.s.", None, "Kurzy češtiny ~ Praha"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "h1", "site", "host", "expected"), KEPT, ids=[c[0][:32] for c in KEPT])
def test_brackets_and_colons_of_the_headline_stay(
    raw: str, h1: str, site: str, host: str | None, expected: str
) -> None:
    headlines = [h1] if h1 else []
    assert choose_title(raw, headlines=headlines, site_names=[site] if site else [], host=host) == expected


def test_a_genuine_kicker_colon_stays_on_a_page() -> None:
    body = page(
        "Integration: Nyt danskkursus for flygtninge | DRC Dansk Flygtningehjælp",
        "Integration: Nyt danskkursus for flygtninge",
        "DRC Dansk Flygtningehjælp",
        "da",
    )
    assert extract_document(body, "https://example.org/a", "text/html").title == (
        "Integration: Nyt danskkursus for flygtninge"
    )


def test_a_menu_word_in_brackets_is_no_site_name() -> None:
    chrome = "podcast\nkontakt\ncaritas wien"
    assert (
        choose_title("Neue Kurse für Geflüchtete (Podcast)", chrome=chrome)
        == "Neue Kurse für Geflüchtete (Podcast)"
    )
    assert (
        choose_title("Neue Kurse für Geflüchtete (Caritas Wien)", chrome=chrome)
        == "Neue Kurse für Geflüchtete"
    )


@pytest.mark.parametrize(
    ("title", "feed", "host", "expected"),
    [
        ("Nové kurzy češtiny [Ministerstvo vnitra ČR]", "Ministerstvo vnitra ČR", "www.mvcr.cz",
         "Nové kurzy češtiny"),
        ("Nové kurzy češtiny // Ministerstvo vnitra ČR", "Ministerstvo vnitra ČR", "www.mvcr.cz",
         "Nové kurzy češtiny"),
        ("Kotoutumiskoulutus laajenee (Yle)", "Uutiset", "yle.fi", "Kotoutumiskoulutus laajenee"),
        ("(SKR) Ny kurs i svenska", "Sveriges Kommuner och Regioner", "skr.se", "Ny kurs i svenska"),
        ("Ny kurs i svenska [SKR]", "Sveriges Kommuner och Regioner", "example.org", "Ny kurs i svenska"),
        ("SKR | Ny kurs i svenska", "Sveriges Kommuner och Regioner", "example.org", "Ny kurs i svenska"),
        ("Nowy program integracji – UdSC", "Urząd do Spraw Cudzoziemców", "www.gov.pl",
         "Nowy program integracji"),
        ("Curso de español ~ CEAR", "CEAR", "www.cear.es", "Curso de español"),
        # kept: another bracket, a start left in small letters, a bracket that is all there is
        ("Nové kurzy češtiny (video)", "Ministerstvo vnitra ČR", "www.mvcr.cz", "Nové kurzy češtiny (video)"),
        ("[MVČR] nové kurzy češtiny", "Ministerstvo vnitra České republiky", "www.mvcr.cz",
         "[MVČR] nové kurzy češtiny"),
        ("[Ministerstvo vnitra ČR]", "Ministerstvo vnitra ČR", "www.mvcr.cz", "[Ministerstvo vnitra ČR]"),
        ("Migration ~ Neue Kurse", "Nachrichten", "www.example.de", "Migration ~ Neue Kurse"),
    ],
)  # fmt: skip
def test_feed_titles_lose_a_bracketed_site_name(title: str, feed: str, host: str, expected: str) -> None:
    assert strip_feed_title(title, feed, host) == expected


@pytest.mark.parametrize(
    ("short", "name", "expected"),
    [
        ("SKR", "Sveriges Kommuner och Regioner", True),
        ("UdSC", "Urząd do Spraw Cudzoziemców", True),
        ("Luke", "Luonnonvarakeskus", True),
        ("OFII", "Office français de l'immigration et de l'intégration", True),
        ("ÚOOÚ", "Úřad pro ochranu osobních údajů", True),
        ("DR", "Danmarks Radio", True),
        ("Dr", "Danmarks Radio", False),  # two letters: both capitals
        ("skr", "Sveriges Kommuner och Regioner", False),  # a word in small letters
        ("Integration", "Integrationsministeriet", False),  # a word, not a clipping
        ("Lupa", "Luonnonvarakeskus", False),  # its letters do not follow in the name
        ("Luke", "Lukio", False),  # the name is no compound long enough to clip
        ("Asyl", "Bundesamt für Migration und Flüchtlinge", False),
        ("SKR 2", "Sveriges Kommuner och Regioner", False),
    ],
)
def test_abbreviates(short: str, name: str, expected: bool) -> None:
    assert abbreviates(short, [name]) is expected


def test_strip_site_takes_a_site_name_that_holds_a_rare_separator() -> None:
    assert (
        strip_site("Kurzy češtiny pro cizince ~ META ~ Praha", ["META ~ Praha"])
        == "Kurzy češtiny pro cizince"
    )
