"""A site's name in its own language leaves the title (pipelines.titles rule 2b, pipelines.sitenames).

Made-up pages in the EU languages: the ``<title>`` is "Headline <sep> Site" or "Site <sep> Headline",
the page has no og:site_name, and its host does not spell the site's name; the page names itself
in its chrome (a footer's copyright line, the logo's alt text, the header's site title). Then: a
name whose initials are the host's, the host's name with a word for what it is, a news section's name
and a date alone at an end of the title; an ``<h1>`` with a kicker; titles that must stay whole.
"""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document
from pipelines.titles import choose_title, is_date_only, strip_site

BODY = (
    "<p>" + "Die Stadt bietet neue Kurse und Beratung für zugewanderte Familien an, kostenlos. " * 5 + "</p>"
)

# fmt: off
SITES = [
    ("fr", "Nouveau plan d'intégration", "Ministère de l'Intérieur", " – ", "www.interieur.gouv.fr"),
    ("it", "Nuovo piano per l'integrazione", "Ministero dell'Interno", " :: ", "www.interno.gov.it"),
    ("pl", "Nowy program integracji cudzoziemców", "Urząd do Spraw Cudzoziemców", " - ", "www.gov.pl"),
    ("hu", "Új integrációs program indul", "Belügyminisztérium", " - ", "bm.gov.hu"),
    ("bg", "Нова програма за интеграция", "Държавна агенция за бежанците", " | ", "aref.government.bg"),
    ("fi", "Uusi kotoutumisohjelma", "Työ- ja elinkeinoministeriö", " - ", "tem.fi"),
    ("mt", "Pjan ġdid għall-integrazzjoni", "Ministeru għall-Intern", " - ", "homeaffairs.gov.mt"),
    ("ga", "Plean nua imeasctha", "Rialtas na hÉireann", " - ", "www.gov.ie"),
    ("sk", "Nový plán integrácie", "Ministerstvo vnútra SR", " | ", "www.minv.sk"),
    ("lv", "Jauns integrācijas plāns", "Iekšlietu ministrija", " | ", "www.iem.gov.lv"),
    ("da", "Ny integrationsplan", "Udlændinge- og Integrationsministeriet", " | ", "uim.dk"),
    ("el", "Νέο πρόγραμμα ένταξης", "Υπουργείο Μετανάστευσης και Ασύλου", " | ", "migration.gov.gr"),
    ("de", "Neue Integrationskurse starten", "Bundesamt für Migration und Flüchtlinge", " | ", "www.bamf.de"),
    ("es", "Nuevo plan de integración", "Ministerio de Inclusión, Seguridad Social y Migraciones", " | ",
     "www.inclusion.gob.es"),
    ("sl", "Nov načrt integracije", "Urad Vlade za oskrbo in integracijo migrantov", " | ", "www.gov.si"),
    ("hr", "Novi plan integracije", "Ministarstvo unutarnjih poslova", " - ", "mup.gov.hr"),
    ("nl", "Nieuw inburgeringsprogramma", "Gemeente Utrecht", " - ", "www.utrecht.nl"),
]
CHROME = {
    "footer-copyright": ("", "<footer><p>© 2026 {site}. Alle Rechte vorbehalten.</p></footer>"),
    "logo-alt": ('<header><a class="navbar-brand" href="/"><img src="/logo.svg" alt="{site}"></a>'
                 '<nav><a href="/">Start</a></nav></header>', ""),
    "header-site-title": ('<header><div class="site-title"><a href="/">{site}</a></div></header>', ""),
    "json-ld-publisher": ('<script type="application/ld+json">{{"@type": "NewsArticle", "publisher": '
                          '{{"@type": "GovernmentOrganization", "name": "{site}"}}}}</script>', ""),
}
# fmt: on


def page(title: str, before: str = "", after: str = "", h1: str = "", lang: str = "de") -> bytes:
    heading = f"<h1>{h1}</h1>" if h1 else ""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body>{before}<main><article>{heading}{BODY}</article></main>{after}</body></html>"
    ).encode()


@pytest.mark.parametrize(("lang", "headline", "site", "sep", "host"), SITES, ids=[s[0] for s in SITES])
@pytest.mark.parametrize("chrome", list(CHROME), ids=list(CHROME))
@pytest.mark.parametrize("order", ["headline-first", "site-first"])
def test_the_sites_own_name_leaves_the_title(
    lang: str, headline: str, site: str, sep: str, host: str, chrome: str, order: str
) -> None:
    title = headline + sep + site if order == "headline-first" else site + sep + headline
    before, after = (part.format(site=site) for part in CHROME[chrome])
    body = page(title, before, after, lang=lang)
    assert extract_document(body, f"https://{host}/news/1", "text/html").title == headline


@pytest.mark.parametrize(
    ("raw", "host", "expected"),
    [
        # initials of the name are the host's
        (
            "Nový integrační program | Ministerstvo vnitra České republiky",
            "www.mvcr.cz",
            "Nový integrační program",
        ),
        (
            "Plan nou de integrare - Inspectoratul General pentru Imigrări",
            "igi.mai.gov.ro",
            "Plan nou de integrare",
        ),
        ("Novo plano - Agência para a Integração, Migrações e Asilo", "aima.gov.pt", "Novo plano"),
        (
            "Nouveau plan - Office français de l'immigration et de l'intégration - OFII",
            "www.ofii.fr",
            "Nouveau plan",
        ),
        # the host's name with a word for what it is
        ("Neue Beratungsstelle eröffnet - Stadt Wien", "www.wien.gv.at", "Neue Beratungsstelle eröffnet"),
        (
            "Préfecture du Nord - Nouveau plan d'intégration - Actualités",
            "www.nord.gouv.fr",
            "Nouveau plan d'intégration",
        ),
        # a section's name at either end
        ("Aktuelles | Neue Sprachkurse in Leipzig", "www.example.de", "Neue Sprachkurse in Leipzig"),
        ("Nuovi corsi di lingua - Notizie", "www.example.it", "Nuovi corsi di lingua"),
        ("Ειδήσεις » Νέα μαθήματα ελληνικών", "www.example.gr", "Νέα μαθήματα ελληνικών"),
        ("Nowe kursy językowe - Aktualności", "www.example.pl", "Nowe kursy językowe"),
        # a date alone at an end; a date inside the headline stays
        (
            "05.12.2026 - Neue Beratungsstelle eröffnet - Stadt Wien",
            "www.wien.gv.at",
            "Neue Beratungsstelle eröffnet",
        ),
        ("Nuevo plan de integración | 5 de diciembre de 2026", "www.example.es", "Nuevo plan de integración"),
        ("2026. december 5. - Új integrációs program", "www.example.hu", "Új integrációs program"),
        (
            "Neue Beratungsstelle (5. Dezember 2026) | Stadt Wien",
            "www.wien.gv.at",
            "Neue Beratungsstelle (5. Dezember 2026)",
        ),
        # titles that stay whole
        ("Konferenz in Wien am 5. Dezember 2026", "www.wien.gv.at", "Konferenz in Wien am 5. Dezember 2026"),
        ("Agenda 2030 - Integration vor Ort", "www.example.de", "Agenda 2030 - Integration vor Ort"),
    ],
)
def test_site_section_and_date_segments(raw: str, host: str, expected: str) -> None:
    assert choose_title(raw, host=host) == expected


def test_a_segment_every_part_of_which_the_chrome_repeats_is_not_taken_for_the_site() -> None:
    """Breadcrumbs and "latest news" lists repeat headlines: when every segment is in the chrome,
    none is taken for the site's name."""
    chrome = "© 2026 land berlin\nneue sprachkurse für geflüchtete\n"
    assert choose_title("Land Berlin | Neue Sprachkurse für Geflüchtete", chrome=chrome) == (
        "Land Berlin | Neue Sprachkurse für Geflüchtete"
    )


def test_the_headline_in_a_breadcrumb_is_not_chrome() -> None:
    crumbs = (
        '<header><nav aria-label="Breadcrumb" class="breadcrumb"><a href="/">Start</a> › '
        "Neue Sprachkurse für Geflüchtete</nav></header>"
    )
    body = page("Land Berlin | Neue Sprachkurse für Geflüchtete", crumbs, "<footer>© Land Berlin</footer>")
    assert extract_document(body, "https://service.example.de/a", "text/html").title == (
        "Neue Sprachkurse für Geflüchtete"
    )


@pytest.mark.parametrize(
    ("h1", "expected"),
    [
        (
            '<span class="kicker">Integration</span><span>Neue Sprachkurse für Geflüchtete</span>',
            "Neue Sprachkurse für Geflüchtete",
        ),
        (
            '<span class="dachzeile">Berlin</span> Neue Sprachkurse für Geflüchtete',
            "Neue Sprachkurse für Geflüchtete",
        ),
        ("<span>Integration:</span> Neue Sprachkurse für Geflüchtete", "Neue Sprachkurse für Geflüchtete"),
        (
            "<small>Intégration</small><br>Nouveaux cours de langue pour les familles",
            "Nouveaux cours de langue pour les familles",
        ),
        ('<span class="surtitre">Intégration</span> Nouveaux cours de langue', "Nouveaux cours de langue"),
        (
            '<span class="occhiello">Integrazione</span><span class="titolo">Nuovi corsi di lingua</span>',
            "Nuovi corsi di lingua",
        ),
        # no kicker: emphasis inside the headline, and parts glued by markup only
        ("<em>Neue</em> Sprachkurse für Geflüchtete", "Neue Sprachkurse für Geflüchtete"),
        ("Neue <strong>Sprachkurse</strong> für Geflüchtete", "Neue Sprachkurse für Geflüchtete"),
        ("<span>Neue Sprachkurse</span><span>für Geflüchtete</span>", "Neue Sprachkurse für Geflüchtete"),
    ],
)
def test_an_h1_kicker_is_not_part_of_the_title(h1: str, expected: str) -> None:
    body = page("Land Berlin", h1=h1)
    assert extract_document(body, "https://www.berlin.de/a", "text/html").title == expected


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("05.12.2026", True),
        ("2026-12-05", True),
        ("12/05/2026", True),
        ("5. Dezember 2026", True),
        ("2026. gada 5. decembrī", True),
        ("5 Δεκεμβρίου 2026", True),
        ("Dezember 5, 2026", True),
        ("Berlin 2026", False),
        ("Dezember 2026", False),
        ("Agenda 2030", False),
        ("2026", False),
        ("Konferenz am 5. Dezember 2026", False),
        ("COM(2023) 261", False),
    ],
)
def test_date_only_segments(segment: str, expected: bool) -> None:
    assert is_date_only(segment) is expected


@pytest.mark.parametrize(
    ("raw", "site", "expected"),
    [
        ("Migrant workers – rights | Ministry of Labour", "Ministry of Labour", "Migrant workers – rights"),
        ("Ministry of Labour | Migrant workers – rights", "Ministry of Labour", "Migrant workers – rights"),
        (
            "Refugee Week 2026 - programme | Ministry of Labour",
            "Ministry of Labour",
            "Refugee Week 2026 - programme",
        ),
        (
            "New rules for work permits | News | Ministry of Labour",
            "Ministry of Labour",
            "New rules for work permits",
        ),
        ("Neue Kurse für Geflüchtete | Aktuelles | Stadt Köln", "Stadt Köln", "Neue Kurse für Geflüchtete"),
    ],
)
def test_a_section_next_to_the_site_name_is_a_capitalised_name_not_a_headline_part(
    raw: str, site: str, expected: str
) -> None:
    """A segment next to a dropped site name goes as a section name only when it is a known one, or
    a short capitalised one whose dropping leaves a longer headline not starting in small letters."""
    assert strip_site(raw, [site]) == expected
