"""`ewsi sources add|check` rules (crawler.onboard module docstring) on a loopback lab serving
recorded bytes: the proposed name decoded as a harvest decodes the body, the preview classified as a
harvest classifies, the proposed languages, a URL that is itself a sitemap, a feed a crawl reads with
a parse warning, and ids from an IP-address host."""

from __future__ import annotations

import codecs
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from crawler.discover import is_sitemap, slug_for, unique_id
from crawler.onboard import (
    NO_LANGUAGE_COMMENT,
    PreviewItem,
    add,
    agreed_language,
    check_source,
    declared_language,
    page_title,
    preview,
    preview_note,
)
from crawler.sources import Source, load_sources
from tests.lab import LabServer, Route
from tests.onboardlab import ONE_SOURCE_CONFIG, fetcher, robots

RSS = {"Content-Type": "application/rss+xml"}
XML = {"Content-Type": "application/xml"}
CONFIG = ONE_SOURCE_CONFIG


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    with LabServer() as server:
        server.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n", headers={})
        yield server


def rss(title: str, items: list[tuple[str, str]], *, declared: str = "utf-8", extra: str = "") -> str:
    """An RSS 2.0 document (text; the caller encodes it) with `items` as (title, description)."""
    entries = "".join(
        f"<item><title>{t}</title><link>https://example.eu/n/{n}</link><description>{d}</description>"
        f"<pubDate>Mon, 30 Nov 2026 10:00:00 GMT</pubDate></item>"
        for n, (t, d) in enumerate(items)
    )
    return (
        f'<?xml version="1.0" encoding="{declared}"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://example.eu/</link><description>d</description>{extra}{entries}</channel></rss>"
    )


def atom(title: str, items: list[tuple[str, str]], *, lang: str = "") -> str:
    attr = f' xml:lang="{lang}"' if lang else ""
    entries = "".join(
        f'<entry><title>{t}</title><link href="https://example.eu/a/{n}"/><id>urn:a:{n}</id>'
        f"<updated>2026-11-30T10:00:00Z</updated><summary>{d}</summary></entry>"
        for n, (t, d) in enumerate(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"{attr}>'
        f"<title>{title}</title><id>urn:f</id><updated>2026-11-30T10:00:00Z</updated>{entries}</feed>"
    )


def rdf(title: str, items: list[tuple[str, str]], *, declared: str = "utf-8", language: str = "") -> str:
    lang = f"<dc:language>{language}</dc:language>" if language else ""
    entries = "".join(
        f'<item rdf:about="https://example.eu/r/{n}"><title>{t}</title><link>https://example.eu/r/{n}</link>'
        f"<description>{d}</description></item>"
        for n, (t, d) in enumerate(items)
    )
    return (
        f'<?xml version="1.0" encoding="{declared}"?>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="https://example.eu/"><title>{title}</title><link>https://example.eu/</link>'
        f"<description>d</description>{lang}</channel>{entries}</rdf:RDF>"
    )


ONE = [("Nouvelles", "Texte")]

# 1. the proposed name ------------------------------------------------------------------------------

# (case, body served, Content-Type, the name proposed)
NAMES: list[tuple[str, bytes, str, str]] = [
    (
        "rss-latin1-declaring-utf8",
        rss("Flüchtlinge Zürich", ONE).encode("latin-1"),
        "application/rss+xml",
        "Flüchtlinge Zürich",
    ),
    (
        "rss-windows1250-polish",
        rss("Uchodźcy w Łodzi i Gdańsku", ONE, declared="windows-1250").encode("cp1250"),
        "application/rss+xml",
        "Uchodźcy w Łodzi i Gdańsku",
    ),
    (
        "rss-windows1250-under-a-latin1-header",
        rss("Integracja cudzoziemców: żłobki, szkoły i świetlice", ONE, declared="windows-1250").encode(
            "cp1250"
        ),
        "application/rss+xml; charset=iso-8859-1",
        "Integracja cudzoziemców: żłobki, szkoły i świetlice",
    ),
    (
        "atom-utf8-with-bom",
        codecs.BOM_UTF8 + atom("Intégration à Genève", ONE).encode("utf-8"),
        "application/atom+xml",
        "Intégration à Genève",
    ),
    (
        "rdf-latin1-declared",
        rdf("Migración en España", ONE, declared="iso-8859-1").encode("latin-1"),
        "application/rdf+xml",
        "Migración en España",
    ),
    (
        "rss-entities-and-cdata",
        rss("<![CDATA[Caf&eacute; <b>Européen</b>]]>", ONE).encode("utf-8"),
        "application/rss+xml",
        "Café Européen",  # markup in CDATA read as a harvest reads a title
    ),
]


@pytest.mark.parametrize(("case", "body", "content_type", "name"), NAMES, ids=[n[0] for n in NAMES])
def test_add_names_a_feed_as_a_harvest_reads_it(
    lab: LabServer, case: str, body: bytes, content_type: str, name: str
) -> None:
    lab.routes[f"/name/{case}.xml"] = Route(body, headers={"Content-Type": content_type})
    block, source, items = add(lab.url(f"/name/{case}.xml"), CONFIG, fetcher, robots)
    assert source.name == name
    assert "\ufffd" not in block
    assert items and "\ufffd" not in items[0].title


# (case, page bytes, Content-Type, the title proposed)
PAGES: list[tuple[str, bytes, str, str]] = [
    (
        "latin1-page-declaring-utf8",
        (
            "<html><head><meta charset='utf-8'><title>Réfugiés à Zürich</title></head><body>x</body></html>"
        ).encode("latin-1"),
        "text/html",
        "Réfugiés à Zürich",
    ),
    (
        "windows1250-page-by-header",
        "<html><head><title>Urząd do Spraw Cudzoziemców</title></head></html>".encode("cp1250"),
        "text/html; charset=windows-1250",
        "Urząd do Spraw Cudzoziemców",
    ),
    (
        "utf8-page-with-bom",
        codecs.BOM_UTF8 + "<html><head><title>Integration in Österreich</title></head></html>".encode(),
        "text/html",
        "Integration in Österreich",
    ),
    ("entities", b"<html><title>Caf&eacute; &amp; Co</title></html>", "text/html", "Café & Co"),
]


@pytest.mark.parametrize(("case", "body", "content_type", "title"), PAGES, ids=[p[0] for p in PAGES])
def test_page_title_decodes_as_a_harvest_decodes_the_page(
    case: str, body: bytes, content_type: str, title: str
) -> None:
    assert page_title(body, content_type) == title


# 2. the preview classifies as a harvest does ----------------------------------------------------------

PREVIEW_FEED = rss(
    "Lab",
    [
        (
            "Job centre opens for refugees",
            "Refugees and migrants get language courses, vocational training and help finding employment.",
        ),
        (
            "Grants for integration projects",
            "A call for proposals funds NGOs that help newcomers into work and education.",
        ),
        ("Weather today", "Sunny with light wind in the afternoon."),
    ],
).encode()


def _source(content_type: str, follow: bool = True, kind: str = "feed") -> Source:
    entry = {
        "id": "lab",
        "name": "x",
        "publisher": "x",
        "kind": kind,
        "content_type": content_type,
        "follow": follow,
        "urls": ["https://example.eu/feed.xml"],
    }
    return load_sources("t.yaml", text=json.dumps({"sources": [entry]})).sources[0]


@pytest.mark.parametrize("content_type", ["news", "funding", "document", "legislation"])
@pytest.mark.parametrize("model", [None, "none"])
def test_preview_classifies_with_the_harvests_classifier_and_content_type(
    content_type: str, model: str | None
) -> None:
    from pipelines.classify import shared_classifier

    source = _source(content_type)
    items = preview(source, PREVIEW_FEED, content_type="application/rss+xml", classifier_model=model)
    assert [i.title for i in items] == [
        "Job centre opens for refugees",
        "Grants for integration projects",
        "Weather today",
    ]
    summaries = [
        "Refugees and migrants get language courses, vocational training and help finding employment.",
        "A call for proposals funds NGOs that help newcomers into work and education.",
        "Sunny with light wind in the afternoon.",
    ]
    harvest = shared_classifier(model)
    for item, summary in zip(items, summaries, strict=True):
        language = item.language if item.language != "und" else None
        expected = harvest.classify(item.title, summary, language, content_type)
        assert (item.relevance, item.themes) == (round(expected.relevance, 3), expected.assigned)
    assert items[0].relevance > items[2].relevance


def test_preview_differs_from_the_rules_alone_when_a_model_is_configured() -> None:
    """The configured model (the shipped one when unset) is what a harvest uses: the preview with it
    and with ``none`` (the rules alone) must not be the same classifier."""
    from classifier import default_model_path

    if default_model_path(None) is None:
        pytest.skip("no model shipped")
    source = _source("news")
    with_model = preview(source, PREVIEW_FEED, classifier_model=None)
    rules = preview(source, PREVIEW_FEED, classifier_model="none")
    assert [(i.relevance, i.themes) for i in with_model] != [(i.relevance, i.themes) for i in rules]


@pytest.mark.parametrize(
    ("kind", "follow", "note"),
    [
        ("feed", True, "the feed's title and summary, not the followed page"),
        ("feed", False, None),
        ("sitemap", True, "the URL, not the followed page"),
    ],
)
def test_preview_note_says_what_was_classified(kind: str, follow: bool, note: str | None) -> None:
    said = preview_note(_source("news", follow, kind))
    if note is None:
        assert said is None
    else:
        assert said is not None and note in said


def test_command_add_prints_the_preview_note(
    lab: LabServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.commands import sources as command
    from crawler.config import Settings

    lab.routes["/note/feed.xml"] = Route(PREVIEW_FEED, headers=RSS)
    config = tmp_path / "sources.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    settings = Settings(allow_private="127.0.0.2", download_timeout=5.0)
    assert (
        command.main(["add", lab.url("/note/feed.xml"), "--config", str(config), "--dry-run"], settings) == 0
    )
    out = capsys.readouterr().out
    assert "classify the feed's title and summary, not the followed page" in out
    assert "Job centre opens for refugees" in out


# 3. languages ----------------------------------------------------------------------------------------

FRENCH = [
    ("Cours de langue pour les réfugiés", "La ville propose des cours de français aux nouveaux arrivants."),
    ("Accès au marché du travail", "Les demandeurs d'asile peuvent travailler après six mois de procédure."),
    ("Logement des familles", "Le département ouvre un centre d'accueil pour les familles avec enfants."),
]
MIXED = [
    FRENCH[0],
    ("Sprachkurse für Geflüchtete", "Die Stadt bietet Deutschkurse für neu angekommene Menschen an."),
    ("Housing for families", "The council opens a reception centre for families with children this week."),
]

# (case, body, Content-Type, languages proposed)
LANGUAGES: list[tuple[str, bytes, str, list[str]]] = [
    (
        "rss-language",
        rss("L", ONE, extra="<language>fr-FR</language>").encode(),
        "application/rss+xml",
        ["fr"],
    ),
    ("atom-xml-lang", atom("L", ONE, lang="pl").encode(), "application/atom+xml", ["pl"]),
    ("rdf-dc-language", rdf("L", ONE, language="de").encode(), "application/rdf+xml", ["de"]),
    ("detected-french-items", rss("L", FRENCH).encode(), "application/rss+xml", ["fr"]),
    ("detected-atom-french", atom("L", FRENCH).encode(), "application/atom+xml", ["fr"]),
    ("mixed-items", rss("L", MIXED).encode(), "application/rss+xml", []),
    ("too-few-items", rss("L", FRENCH[:2]).encode(), "application/rss+xml", []),
]


@pytest.mark.parametrize(
    ("case", "body", "content_type", "languages"), LANGUAGES, ids=[c[0] for c in LANGUAGES]
)
def test_add_proposes_languages(
    lab: LabServer, case: str, body: bytes, content_type: str, languages: list[str]
) -> None:
    lab.routes[f"/lang/{case}.xml"] = Route(body, headers={"Content-Type": content_type})
    block, source, _items = add(lab.url(f"/lang/{case}.xml"), CONFIG, fetcher, robots)
    assert source.languages == languages
    assert (NO_LANGUAGE_COMMENT in block) == (not languages)
    assert yaml.safe_load(block)[0]["languages"] == languages  # the comment leaves valid YAML


def test_page_language_comes_before_the_feeds(lab: LabServer) -> None:
    lab.routes["/lang/page"] = Route(
        '<html lang="nl"><head><link rel="alternate" type="application/rss+xml" '
        f'href="{lab.url("/lang/nl.xml")}"></head>'
        "<body>Welkom</body></html>".encode(),
        headers={"Content-Type": "text/html"},
    )
    lab.routes["/lang/nl.xml"] = Route(
        rss("L", FRENCH, extra="<language>fr</language>").encode(), headers=RSS
    )
    _block, source, _items = add(lab.url("/lang/page"), CONFIG, fetcher, robots)
    assert source.languages == ["nl"]


@pytest.mark.parametrize(
    ("body", "content_type", "declared"),
    [
        (b'<html lang="fr-BE"><body>x</body></html>', "text/html", "fr"),
        (b"<html lang='el'><body>x</body></html>", "text/html", "el"),
        (b"<html><body>x</body></html>", "text/html", None),
        (rss("L", ONE, extra="<language>EN-gb</language>").encode(), "", "en"),
        (rss("L", ONE).encode(), "", None),
        (atom("L", ONE, lang="cs").encode(), "", "cs"),
        (rdf("L", ONE, language="sv").encode(), "", "sv"),
    ],
)
def test_declared_language(body: bytes, content_type: str, declared: str | None) -> None:
    assert declared_language(body, content_type) == declared


def _items(*languages: str) -> list[PreviewItem]:
    return [PreviewItem("t", None, None, code, 0.0, ()) for code in languages]


@pytest.mark.parametrize(
    ("languages", "agreed"),
    [
        (("fr", "fr", "fr"), "fr"),
        (("fr", "fr", "de"), "fr"),
        (("fr", "fr", "de", "en"), None),  # 2 of 4: under two thirds
        (("de", "de", "de", "de", "fr", "en"), "de"),
        (("fr", "fr"), None),  # fewer than 3 items
        (("und", "und", "und"), None),
        (("fr", "de", "en"), None),
    ],
)
def test_agreed_language(languages: tuple[str, ...], agreed: str | None) -> None:
    assert agreed_language(_items(*languages)) == agreed


# 4. a sitemap given directly ------------------------------------------------------------------------


def urlset(*paths: str) -> bytes:
    urls = "".join(f"<url><loc>https://example.eu{p}</loc><lastmod>2026-11-29</lastmod></url>" for p in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def sitemapindex(*urls: str) -> bytes:
    maps = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- generated -->\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'
    ).encode()


@pytest.mark.parametrize(
    ("path", "body", "headers", "first_items"),
    [
        (
            "/sm/sitemap.xml",
            urlset("/news/a", "/news/b"),
            XML,
            ["https://example.eu/news/a", "https://example.eu/news/b"],
        ),
        (
            "/sm/sitemap-bom.xml",
            codecs.BOM_UTF8 + urlset("/news/c"),
            {"Content-Type": "text/xml"},
            ["https://example.eu/news/c"],
        ),
        (
            "/sm/sitemap.xml.gz",
            gzip.compress(urlset("/news/d", "/news/e", "/news/f")),
            {"Content-Type": "application/gzip"},
            ["https://example.eu/news/d", "https://example.eu/news/e", "https://example.eu/news/f"],
        ),
        ("/sm/index.xml", b"INDEX", XML, ["https://example.eu/news/g", "https://example.eu/news/h"]),
    ],
)
def test_add_a_sitemap_url(
    lab: LabServer, path: str, body: bytes, headers: dict[str, str], first_items: list[str]
) -> None:
    if body == b"INDEX":
        lab.routes["/sm/child-1.xml"] = Route(urlset("/news/g", "/news/h"), headers=XML)
        body = sitemapindex(lab.url("/sm/child-1.xml"), lab.url("/sm/child-2.xml"))
    lab.routes[path] = Route(body, headers=headers)
    block, source, items = add(lab.url(path), CONFIG, fetcher, robots)
    assert (source.kind, source.urls) == ("sitemap", [lab.url(path)])
    assert [i.url for i in items] == first_items
    # a sitemap's entry has nothing but its URL: no score, no language, rather than "und 0.00"
    assert {(i.language, i.relevance, i.themes) for i in items} == {("und", None, ())}
    assert "the URL answered a sitemap" in block
    assert ("an index of 2 sitemaps" in block) == (path == "/sm/index.xml")
    assert check_source(source, fetcher, robots).key == "ok"


@pytest.mark.parametrize(
    ("body", "sitemap"),
    [
        (urlset("/a"), True),
        (sitemapindex("https://example.eu/s.xml"), True),
        (gzip.compress(sitemapindex("https://example.eu/s.xml")), True),
        (b'<?xml version="1.0"?><sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"/>', True),
        (rss("L", ONE).encode(), False),
        (b"<!doctype html><html><body><urlset></urlset></body></html>", False),
        (b"<urlsetx/>", False),
        (b"\x1f\x8bnot gzip", False),
    ],
)
def test_is_sitemap(body: bytes, sitemap: bool) -> None:
    assert is_sitemap(body) is sitemap


# 5. check reads a feed as the crawl does -----------------------------------------------------------

_TWO = "<item><title>One</title><link>https://example.eu/1</link></item>\n<item><title>Two</title><link>https://example.eu/2</link></item>"

# (case, body, key, words the message must hold)
CHECKS: list[tuple[str, bytes, str, list[str]]] = [
    (
        "rss-undefined-entity",
        '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>B</title>\n'
        f"<item><title>A &nbsp; b</title><link>https://example.eu/0</link></item>\n{_TWO}</channel></rss>".encode(),
        "warning",
        ["not well-formed XML at line 3: undefined entity", "3 entries readable"],
    ),
    (
        "rss-without-declaration",  # the line is the publisher's, not one after a declaration put before
        '<rss version="2.0"><channel><title>B</title>\n'
        f"<item><title>A &nbsp; b</title><link>https://example.eu/0</link></item>\n{_TWO}</channel></rss>".encode(),
        "warning",
        ["not well-formed XML at line 2: undefined entity", "3 entries readable"],
    ),
    (
        "atom-mismatched-tag",
        b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>\n'
        b'<entry><title>One</title><link href="https://example.eu/1"/><id>u:1</id></entry>\n'
        b"<entry><title>Two<b></title><id>u:2</id></entry>\n</feed>",
        "warning",
        ["not well-formed XML at line 4", "mismatched tag", "entr"],
    ),
    (
        "rdf-bare-ampersand",
        rdf("R & D", [("One", "x")]).encode(),
        "warning",
        ["not well-formed XML at line 1", "1 entry readable"],
    ),
    (
        "rss-broken-before-any-entry",
        b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>B &nbsp;</title>\n</channel></rss>',
        "parse.feed_malformed",
        ["line 2", "no entry could be read"],
    ),
    ("rss-well-formed", rss("L", ONE).encode(), "ok", ["HTTP 200"]),
]


@pytest.mark.parametrize(("case", "body", "key", "words"), CHECKS, ids=[c[0] for c in CHECKS])
def test_check_reads_a_feed_as_the_crawl_does(
    lab: LabServer, case: str, body: bytes, key: str, words: list[str]
) -> None:
    lab.routes[f"/check/{case}.xml"] = Route(body, headers=RSS)
    entry = {
        "id": "chk",
        "name": "x",
        "publisher": "x",
        "kind": "feed",
        "urls": [lab.url(f"/check/{case}.xml")],
    }
    source = load_sources("t.yaml", text=json.dumps({"sources": [entry]})).sources[0]
    said = check_source(source, fetcher, robots)
    assert said.key == key
    for word in words:
        assert word in said.message
    assert "Exception" not in said.message  # the parser's words, not its class names
    assert said.usable == (key in ("ok", "warning"))


def test_command_check_exits_0_on_a_warning_and_1_on_a_broken_feed(
    lab: LabServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.commands import sources as command
    from crawler.config import Settings

    for case, body, _key, _words in CHECKS:
        lab.routes[f"/check/{case}.xml"] = Route(body, headers=RSS)
    settings = Settings(allow_private="127.0.0.2", download_timeout=5.0)
    config = tmp_path / "sources.yaml"

    def run(*cases: str) -> int:
        entries = [
            {"id": c, "name": "x", "publisher": "x", "kind": "feed", "urls": [lab.url(f"/check/{c}.xml")]}
            for c in cases
        ]
        config.write_text(json.dumps({"sources": entries}), encoding="utf-8")
        return command.main(["check", "--config", str(config)], settings)

    assert run("rss-well-formed", "rss-undefined-entity") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("rss-undefined-entity: warning: the feed is not well-formed XML at line 3")
    assert run("rss-broken-before-any-entry") == 1
    assert capsys.readouterr().out.startswith("rss-broken-before-any-entry: parse.feed_malformed: ")


# 6. ids ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("http://127.0.0.1:8766/feed-latin1.xml", "feed-latin1"),
        ("http://127.0.0.1:8766/", "source"),
        ("http://10.1.2.3/news/Aktuelles_de.rss", "aktuelles"),
        ("http://[::1]:8080/sitemap.xml.gz", "sitemap"),
        ("http://192.168.0.10/rss", "rss"),
        ("https://www.ecre.org/feed/", "ecre-org-feed"),  # host names still name the source
        ("https://bamf.de/SharedDocs/news_de.xml", "bamf-de-news"),
    ],
)
def test_slug_for(url: str, slug: str) -> None:
    assert slug_for(url) == slug


@pytest.mark.parametrize(
    ("taken", "wanted", "got"),
    [
        (set(), "feed", "feed"),
        ({"feed"}, "feed", "feed-2"),
        ({"feed", "feed-2"}, "feed", "feed-3"),
        ({"x"}, "feed", "feed"),
    ],
)
def test_unique_id(taken: set[str], wanted: str, got: str) -> None:
    assert unique_id(wanted, taken) == got


def test_add_from_an_ip_host_proposes_a_path_id_unique_in_the_config(lab: LabServer) -> None:
    lab.routes["/feed-latin1.xml"] = Route(rss("Flüchtlinge", ONE).encode("latin-1"), headers=RSS)
    _block, source, _items = add(lab.url("/feed-latin1.xml"), CONFIG, fetcher, robots)
    assert source.id == "feed-latin1"
    taken = (
        CONFIG + "- id: feed-latin1\n  name: x\n  publisher: x\n  kind: feed\n  urls: ['https://x.eu/f']\n"
    )
    _block, source, _items = add(lab.url("/feed-latin1.xml"), taken, fetcher, robots)
    assert source.id == "feed-latin1-2"
    _block, source, _items = add(lab.url("/feed-latin1.xml"), taken, fetcher, robots, "chosen-id")
    assert source.id == "chosen-id"


@pytest.mark.parametrize(
    ("raw", "zone", "shown"),
    [
        ("Thu, 11 Sep 2025 00:00:00 +0200", "Europe/Brussels", "2025-09-11"),  # midnight: the day written
        ("11/09/2025 00:00", "Europe/Brussels", "2025-09-11"),
        ("2025-09-11", "Europe/Helsinki", "2025-09-11"),
        ("Thu, 11 Sep 2025 09:30:00 +0200", "Europe/Brussels", "2025-09-11 07:30 UTC"),
        ("2025-09-11T09:30:00", "Europe/Athens", "2025-09-11 06:30 UTC"),  # the source's zone
        ("2025-03", "Europe/Brussels", "2025-03"),  # a month alone: never a made-up day or time
        ("2024", "Europe/Brussels", "2024"),
        ((2025, 9, 11, 7, 30, 0, 3, 254, 0), "Europe/Brussels", "2025-09-11 07:30 UTC"),  # parsed, UTC
        ((2025, 9, 11, 0, 0, 0, 3, 254, 0), "Europe/Brussels", "2025-09-11"),
        ("not a date", "Europe/Brussels", None),
        ("", "Europe/Brussels", None),
        (None, "Europe/Brussels", None),
    ],
)
def test_preview_dates_read_as_a_harvest_stores_them(raw, zone: str, shown: str | None) -> None:
    from crawler.onboard import _when

    assert _when(raw, zone) == shown
