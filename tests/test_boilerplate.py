"""Text, not menus (pipelines.boilerplate): pages laid out with tables, consent and cookie layers,
navigation-like extractions and lead-in lines. Made-up pages."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from lxml.html import HtmlElement, fromstring

from pipelines.boilerplate import (
    _CONSENT_MARKER,
    LeadInLearner,
    drop_lead_in,
    is_consent_text,
    layer_names,
    link_texts,
    navigation_share,
    prune_consent,
    prune_link_headings,
    prune_not_printed,
    prune_read_more,
    unwrap_layout_tables,
)
from pipelines.extract import extract_document

MENU = [
    "Startseite", "Aktuelles", "Presse", "Integration", "Sprachkurse", "Arbeit", "Wohnen", "Beratung",
    "Kontakt", "Impressum", "Datenschutz", "Barrierefreiheit", "Leichte Sprache", "Gebärdensprache",
]  # fmt: skip
PARAS = [
    "Die Stadt hat am Montag ein neues Programm für Sprachkurse vorgestellt, das sich an neu "
    "zugewanderte Familien richtet.",
    "Nach Angaben der Integrationsbeauftragten stehen im kommenden Jahr 400 zusätzliche Plätze zur "
    "Verfügung, vor allem in den Abendstunden.",
    "Die Kurse werden gemeinsam mit Vereinen und Volkshochschulen angeboten und sind für Teilnehmende "
    "kostenlos.",
    "Anmeldungen sind ab sofort in allen Bürgerbüros möglich; Beratung gibt es auch auf Arabisch, "
    "Ukrainisch und Türkisch.",
]


def menu(kind: str) -> str:
    if kind == "links":
        return "".join(f'<a href="/{m.lower()}">{m}</a><br>' for m in MENU)
    if kind == "list":
        return "<ul>" + "".join(f'<li><a href="/{m.lower()}">{m}</a></li>' for m in MENU) + "</ul>"
    return "<table>" + "".join(f'<tr><td><a href="/{m.lower()}">{m}</a></td></tr>' for m in MENU) + "</table>"


def content(kind: str) -> str:
    if kind == "p":
        return "<h1>Neue Sprachkurse für Familien</h1>" + "".join(f"<p>{p}</p>" for p in PARAS)
    if kind == "br":
        return "<b>Neue Sprachkurse für Familien</b><br><br>" + "<br><br>".join(PARAS)
    return "<font size=4>Neue Sprachkurse</font><br>" + "".join(f"<font>{p}</font><br><br>" for p in PARAS)


TR = "<table><tr><td>{}</td><td>{}</td></tr></table>"
TABLE_LAYOUTS = {
    "menu-cell-left-paragraphs": TR.format(menu("links"), content("p")),
    "menu-cell-right-br-text": TR.format(content("br"), menu("list")),
    "nested-tables-menu-row": (
        f"<table><tr><td colspan=2>{menu('links')}</td></tr><tr><td>{menu('table')}</td>"
        f"<td><table><tr><td>{content('p')}</td></tr></table></td></tr></table>"
    ),
    "font-tags-and-menu-table": (
        f"<table border=0><tr><td valign=top>{menu('table')}</td>"
        f"<td valign=top>{content('font')}</td></tr></table>"
    ),
    "two-menus-in-one-cell": TR.format(menu("list") + menu("links"), content("br")),
}  # fmt: skip


@pytest.mark.parametrize("layout", TABLE_LAYOUTS.values(), ids=TABLE_LAYOUTS.keys())
def test_table_layout_menu_cell_is_not_text_and_paragraphs_stay(layout: str) -> None:
    body = f"<html><head><title>Stadt Musterstadt - Sprachkurse</title></head><body>{layout}</body></html>"
    document = extract_document(body.encode(), "https://stadt.example/aktuelles/kurse", "text/html")
    text = document.text or ""
    assert "Barrierefreiheit" not in text and "Impressum" not in text  # menu entries
    lines = text.splitlines()
    for paragraph in PARAS:  # each paragraph is a line of its own
        assert paragraph in lines, (paragraph, lines)


def test_data_tables_are_left_alone() -> None:
    tree = fromstring(
        "<div><table><tr><th>Land</th><th>Plätze</th></tr><tr><td>Hessen</td><td>400</td></tr>"
        "<tr><td>Bayern</td><td>650</td></tr></table></div>"
    )
    assert unwrap_layout_tables(tree) == 0
    assert tree.find(".//table") is not None


ARTICLE = "<article><h1>Neue Beratungsstellen für Geflüchtete</h1>" + "".join(
    f"<p>{p}</p>"
    for p in (
        "Das Land richtet in diesem Jahr zwölf neue Beratungsstellen für Geflüchtete ein, die bei "
        "Wohnungssuche, Arbeit und Anerkennung von Abschlüssen helfen.",
        "Die Stellen werden von Wohlfahrtsverbänden betrieben und sollen auch Menschen erreichen, die "
        "bisher keine Beratung in Anspruch genommen haben.",
        "Nach Angaben des Ministeriums stehen dafür in den kommenden beiden Jahren insgesamt 4,5 Millionen "
        "Euro zur Verfügung.",
    )
)
BANNERS = {
    "fr-didomi": (
        '<div class="didomi-popup-container"><p>Nous utilisons des cookies et des traceurs. En cliquant sur '
        "Accepter, vous donnez votre consentement à nos partenaires. Vous pouvez refuser ou paramétrer vos "
        'choix à tout moment.</p><a href="#">Accepter</a> <a href="#">Refuser</a></div>'
    ),
    "it-cmp": (
        '<section class="cmp-container"><p>Questo sito utilizza cookie propri e di terze parti. Cliccando su '
        "Accetta presti il consenso; puoi anche Rifiuta o gestire le preferenze.</p></section>"
    ),
    "pl-aria-label": (
        '<div aria-label="Zgoda na pliki cookie" role="dialog"><p>Używamy plików cookies. Kliknij Akceptuję, '
        "aby wyrazić zgodę, lub Odrzuć. Zgody możesz wycofać w każdej chwili w ustawieniach.</p></div>"
    ),
    "de-usercentrics": (
        '<div id="usercentrics-root"><p>Wir verwenden Cookies. Mit „Alle akzeptieren“ erteilen Sie Ihre '
        "Einwilligung zur Verarbeitung durch unsere Partner; Sie können die Zustimmung jederzeit "
        "widerrufen oder ablehnen.</p></div>"
    ),
    "cs-cookie-bar": (
        '<div class="cookie-bar"><p>Tento web používá soubory cookies. Kliknutím na Souhlasím vyjadřujete '
        "souhlas se zpracováním; můžete také Odmítnout.</p></div>"
    ),
}


@pytest.mark.parametrize("where", ["inside-article", "after-article"])
@pytest.mark.parametrize("banner", BANNERS.values(), ids=BANNERS.keys())
def test_consent_layer_is_not_the_text(banner: str, where: str) -> None:
    inner = ARTICLE.replace("</h1>", "</h1>" + banner) if where == "inside-article" else ARTICLE + banner
    body = f"<html><head><title>Beratungsstellen</title></head><body><main>{inner}</main></body></html>"
    document = extract_document(body.encode(), "https://land.example/a", "text/html")
    text = document.text or ""
    assert "zwölf neue Beratungsstellen" in text
    assert "cookie" not in text.lower()


@pytest.mark.parametrize(
    "wall",
    [
        '<div class="gdpr-wall"><p>{t}</p></div><div class="teaser"><p>Lees verder na het accepteren van '
        "cookies.</p></div>",
        '<div class="wall"><p>{t}</p></div>',
        '<div class="wall"><p>{t}</p><p>{t}</p></div><p>Cookies akzeptieren</p>',
    ],
    ids=["marked-wall-with-teaser", "unmarked-wall", "unmarked-wall-and-button"],
)
def test_page_that_is_only_a_consent_wall_is_flagged_without_text(wall: str) -> None:
    banner = (
        "Wij gebruiken cookies. Klik op Accepteren om toestemming te geven aan onze partners, of Weigeren."
    )
    body = f"<html><head><title>X</title></head><body>{wall.format(t=banner + ' ' + banner)}</body></html>"
    document = extract_document(body.encode(), "https://nieuws.example/b", "text/html")
    assert document.text is None
    assert "extract.consent" in document.warnings


@pytest.mark.parametrize(
    ("text", "banner"),
    [
        ("We use cookies. Accept all or reject; manage your preferences with our partners.", True),
        ("Wir verwenden Cookies. Akzeptieren, ablehnen oder Einwilligung in den Einstellungen ändern.", True),
        ("Używamy plików cookies. Akceptuję — zgoda; Odrzuć.", True),
        ("Vi använder cookies. Acceptera eller avvisa ditt samtycke.", True),
        ("The ministry published its integration report on Monday; the report covers housing.", False),
        ("Cookies were served at the reception. " + "The council discussed language courses. " * 80, False),
    ],
)
def test_consent_text_rule(text: str, banner: bool) -> None:
    assert is_consent_text(text) is banner


def test_navigation_share_of_a_menu_and_of_an_article() -> None:
    tree = fromstring("<div>" + "".join(f'<a href="/{m}">{m}</a>' for m in MENU) + "</div>")
    anchors = link_texts(tree)
    assert navigation_share("\n".join(MENU), anchors) == 1.0
    assert navigation_share("\n".join(PARAS), anchors) == 0.0
    assert navigation_share("\n".join(PARAS + MENU[:2]), anchors) < 0.1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Skip to content\nSearch help\nThe Title Of The Act\nArt. 1", "The Title Of The Act\nArt. 1"),
        ("Willkommen\nThe Title Of The Act (2023/0102)\nBody", "The Title Of The Act (2023/0102)\nBody"),
        ("The Title Of The Act\nBody", "The Title Of The Act\nBody"),
        ("Intro\nA paragraph that mentions The Title Of The Act in passing\nBody", None),
        ("Menu\nThe Title Of The\nAct, broken over two lines\nBody", None),
    ],
)  # fmt: skip
def test_lead_in_before_the_title_is_dropped(text: str, expected: str | None) -> None:
    assert drop_lead_in(text, ["The Title Of The Act"]) == (expected or text)


def test_repeated_opening_lines_of_a_source_are_learned_and_dropped() -> None:
    learner = LeadInLearner()
    header = "EUR-Lex Access to European Union law\nThis document is an excerpt from the EUR-Lex website"
    first, cut = learner.strip("eur-lex", header + "\nFirst act\nIts text")
    assert cut == 0 and first.startswith("EUR-Lex")  # one page teaches nothing yet
    second, cut = learner.strip("eur-lex", header + "\nSecond act\nIts text")
    assert (second, cut) == ("Second act\nIts text", 2)
    _other, cut = learner.strip("other", header + "\nThird act")
    assert cut == 0  # learned per source
    again, cut = learner.strip("eur-lex", header + "\nSecond act\nIts text")
    assert cut == 0 and again.startswith("EUR-Lex")  # a duplicate page is not stripped differently


@pytest.mark.parametrize("order", ["closure first", "update first"])
def test_a_headline_two_pages_share_is_no_lead_in(order: str) -> None:
    """Two pages of a source under one headline (a notice and its update) both keep it, whichever is
    read first, and the site's header before it still goes."""
    learner = LeadInLearner()
    header = "City of Sampleton\nNews and notices"
    headline = "Welcome centre closed for renovation"
    pages = [
        f"{header}\n{headline}\nBrussels, 3 March 2025\nThe centre reopens in April.",
        f"{header}\n{headline}\nBrussels, 4 March 2025\nThe centre reopens on 2 April.",
    ]
    if order == "update first":
        pages.reverse()
    learner.strip("city", "City of Sampleton\nNews and notices\nAnother notice\nIts text.", "Another notice")
    for page in pages:
        text, cut = learner.strip("city", page, headline)
        assert text is not None and text.startswith(headline)
        assert cut == 2  # the header, seen at the start of three pages, is gone


def test_text_made_of_the_sites_repeated_lines_is_measured() -> None:
    learner = LeadInLearner()
    menu = "\n".join(MENU)
    for n in range(3):
        learner.strip("ministry", f"Press release {n}\n{PARAS[n]}\n{menu}")
    text, _cut = learner.strip("ministry", f"Press release 9\n{menu}")
    assert learner.repeated_share("ministry", text) > 0.8  # the menu again, nothing of its own
    article = f"Press release 10\n{PARAS[3]}\nA second paragraph of its own about the courses."
    text, _cut = learner.strip("ministry", article)
    assert learner.repeated_share("ministry", text) == 0.0


def test_a_page_that_is_only_a_menu_is_flagged_and_keeps_its_text() -> None:
    links = "".join(f'<li><a href="/{m.lower()}">{m}</a></li>' for m in MENU * 3)
    body = f"<html><head><title>Sitemap</title></head><body><ul>{links}</ul></body></html>"
    document = extract_document(body.encode(), "https://stadt.example/sitemap", "text/html")
    assert "extract.boilerplate" in document.warnings
    assert document.text is not None and "Barrierefreiheit" in document.text


def test_a_menu_extraction_falls_back_to_the_article() -> None:
    links = "".join(f'<div><a href="/{m.lower()}">{m}</a></div>' for m in MENU * 2)
    article = "".join(f"<p>{p}</p>" for p in PARAS)
    body = (
        f"<html><head><title>Kurse</title></head><body><div class='nav'>{links}</div>"
        f"<div class='text'>{article}</div></body></html>"
    )
    document = extract_document(body.encode(), "https://stadt.example/kurse", "text/html")
    assert "Barrierefreiheit" not in (document.text or "")
    assert all(p in (document.text or "") for p in PARAS)


@pytest.mark.parametrize(
    "value",
    [
        "CookieBanner",
        "x Consent-layer",
        "Cookie settings",
        "CMP",
        "foo CMP bar",
        "xcmpx",
        "cmp-container",
        "İd cookie",
        "cooKie",  # Kelvin sign
        "coo\u212aie",
        "claſs cooſent",
        "priva\u0131y-banner",
        "PrivacyBanner",
        "privacy banner",
        "sp_message_container_123",
        "OneTrust-banner-sdk",
        "TrustE",
        "cc-Window cc-banner",
        "tarteaucitronRoot",
        "GDPR",
        "dsgvo-hinweis",
        "klaro",
        "no",
        "",
        "ärger straße",
        "Ꮯookie",  # a Cherokee letter that lower-cases to no ASCII letter
        "ǅ cookie",
        "\n".join(["nav", "menu", "cookie-bar"]),
        "\n".join(["nav", "menu", "header"]),
    ],
)
def test_the_look_for_a_layer_name_is_the_case_insensitive_search(value: str) -> None:
    assert layer_names([value]) == ([0] if _CONSENT_MARKER.search(value) else [])
    assert layer_names(["nav", value, "x-cookie"]) == [
        i for i in (1, 2) if _CONSENT_MARKER.search(["", value, "x-cookie"][i])
    ]


def test_layer_names_over_many_values_is_each_value_searched() -> None:
    pool = [
        "nav", "cookie", "CMP", "xcmpx", "cmp", "İd", "coo\u212aie", "Consent", "", "privacy-", "banner",
        "prIvacybanner", "ſp_message", "header main", "cc-", "window", "straße", "ǅ", "truste",
    ]  # fmt: skip
    rng = random.Random(7)
    for _ in range(300):
        values = [rng.choice(pool) for _ in range(rng.randint(0, 12))]
        expected = [i for i, v in enumerate(values) if _CONSENT_MARKER.search(v)]
        assert layer_names(values) == expected, values


@pytest.mark.parametrize(
    ("attributes", "removed"),
    [
        ('id="cookie-banner"', 1),
        ('class="cc-window cc-banner"', 1),
        ('aria-label="Cookie consent"', 1),
        ('class="Didomi-Popup"', 1),
        ('id="Coo\u212aieLayer"', 1),  # Kelvin sign, as IGNORECASE reads it
        ('class="news"', 0),
        ('data-consent="1"', 0),  # not a naming attribute
        ('title="cookie"', 0),
    ],
)
def test_consent_layers_are_found_by_their_naming_attributes(attributes: str, removed: int) -> None:
    page = fromstring(
        f"<html><body><div {attributes}><p>We use cookies. Accept?</p></div>"
        "<article><p>Der Text des Artikels.</p></article></body></html>"
    )
    assert prune_consent(page) == removed
    assert "Der Text des Artikels." in page.text_content()
    assert ("We use cookies" in page.text_content()) == (removed == 0)


def test_nested_layers_and_large_wrappers() -> None:
    long_text = "Wort " * 1_000  # 5,000 characters: more than a banner holds
    page = fromstring(
        "<html><body class='consent-given'>"
        "<div id='cmp-root'><div class='cookie-text'>Cookies?</div>"
        "<div class='consent-buttons'>OK</div></div>"
        f"<div class='cookie-wrapper'><p>{long_text}</p></div>"
        "<main class='cookie-page'><p>Main</p></main></body></html>"
    )
    assert prune_consent(page) == 1  # the outer layer once; body, main and the large wrapper stay
    text = page.text_content()
    assert "Cookies?" not in text and "OK" not in text
    assert "Main" in text and "Wort Wort" in text


TEASER_PAGE = "<html><body><article><p>{p0}</p><p>{p1}</p>{box}<p>{p2}</p></article></body></html>"
TEASER = "Die Stadt Köln eröffnet ein weiteres Beratungszentrum für Geflüchtete"


def pruned_text(prune: Callable[[HtmlElement], int], box: str, removed: int) -> str:
    """The text of an article holding `box` after `prune`, which must remove `removed` elements and
    keep the article's paragraphs (spaces collapsed)."""
    page = fromstring(TEASER_PAGE.format(p0=PARAS[0], p1=PARAS[1], p2=PARAS[2], box=box))
    assert prune(page) == removed
    text = " ".join(page.text_content().split())
    assert all(paragraph in text for paragraph in PARAS[:3])
    return text


@pytest.mark.parametrize(
    ("box", "removed"),
    [
        # a label over a linked teaser, in its own wrapper (pl, as rp.pl prints it)
        (
            '<div class="excerpt"><div><p class="subtitle">Czytaj więcej</p></div>'
            f'<div><a href="/art1"><img alt="x"></a><p>{TEASER}…</p><a href="/art1">{TEASER}</a></div></div>',
            1,
        ),
        # a label with a colon and its link in one paragraph (de, fr, sv, el, lt)
        (f'<p><strong>Lesen Sie auch:</strong> <a href="/a">{TEASER}</a></p>', 1),
        (f'<p><b>À lire aussi</b> <a href="/a">{TEASER}</a></p>', 1),
        (f'<aside><h3>Läs också</h3><ul><li><a href="/a">{TEASER}</a></li></ul></aside>', 1),
        (f'<div><span>ΔΙΑΒΆΣΤΕ ΕΠΊΣΗΣ</span><a href="/a">{TEASER}</a></div>', 1),
        (f'<div><em>Taip pat skaitykite</em>: <a href="/a">{TEASER}</a></div>', 1),
        # the label is a link itself: a "read more" link, left to the extractor (en)
        (f'<p>{TEASER}. <a href="/a">Read more</a></p>', 0),
        # a label without a link beside it is not a teaser (it)
        ("<div><h3>Leggi anche</h3><p>Il comune apre un nuovo sportello.</p></div>", 0),
        # the words inside a sentence are text (es)
        (f'<p>Lee también el informe: <a href="/a">{TEASER}</a> y otros textos.</p>', 0),
        # a box longer than a teaser is the text around it (nl)
        (f'<div><h3>Lees ook</h3><a href="/a">link</a><p>{"Nieuwe taalcursussen. " * 40}</p></div>', 0),
    ],
)
def test_read_more_teasers_of_other_pages_are_not_the_text(box: str, removed: int) -> None:
    text = pruned_text(prune_read_more, box, removed)
    assert (TEASER in text) == (removed == 0 and TEASER in box)


def test_a_teaser_box_does_not_reach_the_article() -> None:
    """A short article whose only link box is the article itself keeps its text (the box stops below
    the article element)."""
    page = fromstring(
        f'<html><body><article><h3>Read also</h3><a href="/a">{TEASER}</a></article></body></html>'
    )
    assert prune_read_more(page) == 0
    assert TEASER in page.text_content()


@pytest.mark.parametrize(
    ("section", "removed", "gone"),
    [
        # a download heading over a list of links (sv), the next block holds a heading of its own
        (
            '<h2>Ladda ner:</h2><ul><li><a href="/a.pdf">Betänkande (pdf 846 kB)</a></li></ul>'
            '<div><h2>Ordförklaringar</h2><a href="/ordlista/">Ordlista</a></div>',
            2,
            ["Ladda ner", "Betänkande", "Ordförklaringar", "Ordlista"],
        ),
        # related links after the text (de, fr, fi), separators and a comment between the links
        (
            '<h3>Weitere Beiträge aus der Kolumne:</h3><p><a href="/1">Werte formen Kultur</a> | '
            '<a href="/2">Pulse Checks</a></p><!-- teaser -->',
            1,
            ["Weitere Beiträge", "Pulse Checks"],
        ),
        ('<h4>Sur le même thème</h4><a href="/x">Un autre article</a>', 1, ["même thème", "autre article"]),
        ('<h5>Lisätietoja</h5><ul><li><a href="/y">Kotoutumisohjelma</a></li></ul>', 1, ["Lisätietoja"]),
        # a word outside the links keeps the heading and its section (de, es, pl)
        (
            '<h3>Kontakt</h3><p>Rufen Sie an: <a href="tel:1">030 123</a></p>',
            0,
            [],
        ),
        ('<h3>Documentos</h3><a href="/d.pdf">Guía</a> (PDF, 2 MB)', 0, []),
        ('<h3>Pliki</h3>Do pobrania: <a href="/p.pdf">Raport</a>', 0, []),
        # a heading without links, or with no section of its own, stays (it, nl)
        ("<h2>Il progetto</h2><p>Il comune apre un nuovo sportello.</p>", 0, []),
        ('<div><h2>Meer weten</h2></div><div><a href="/z">Taalcursus</a></div>', 0, []),
    ],
)
def test_headings_over_links_only_are_not_text(section: str, removed: int, gone: list[str]) -> None:
    before = pruned_text(lambda page: 0, f"<div>{section}</div>", 0)
    text = pruned_text(prune_link_headings, f"<div>{section}</div>", removed)
    assert [word for word in gone if word in text] == []
    assert (text == before) == (removed == 0)


CHAIN = "Lagstiftningskedjan Kommittédirektiv (2 st) Tilläggsdirektiv till E-delegationen"


@pytest.mark.parametrize(
    ("marked", "removed"),
    [
        # the screen's furniture, as sites mark it (sv, de, en, fr, pl)
        (f'<div class="col-2 no-print"><div class="island no-print"><h2>{CHAIN}</h2></div></div>', 1),
        (f'<div class="clips noprint"><p>{CHAIN}</p></div>', 1),
        (f'<a class="hidden-print hideInPdf" href="#">{CHAIN}</a>', 1),
        (f'<aside class="share d-print-none">{CHAIN}</aside>', 1),
        (f'<ul class="Related NO-PRINT"><li>{CHAIN}</li></ul>', 1),
        # a class that only mentions printing is kept (it, nl)
        (f'<div class="print-only">{CHAIN}</div>', 0),
        (f'<div class="printable-version">{CHAIN}</div>', 0),
        (f'<div class="noprinter">{CHAIN}</div>', 0),
        # the article, and a block holding the document's h1, are never furniture (es)
        (f'<article class="no-print"><p>{CHAIN}</p></article>', 0),
        (f'<div class="noprint"><h1>Título</h1><p>{CHAIN}</p></div>', 0),
    ],
)
def test_what_the_page_does_not_print_is_not_the_text(marked: str, removed: int) -> None:
    assert (CHAIN in pruned_text(prune_not_printed, marked, removed)) == (removed == 0)
