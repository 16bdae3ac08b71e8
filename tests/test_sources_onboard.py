"""`ewsi sources add|check` logic (crawler.onboard) against a loopback lab serving recorded pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.errors import UnknownSource
from crawler.onboard import DuplicateSource, add, check_source, country_of, validate_entry
from crawler.sources import load_sources
from tests.lab import LabServer, Route
from tests.onboardlab import ONE_SOURCE_CONFIG, UA, fetcher, robots

DATA = Path(__file__).parent / "data" / "discover"
HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}
EMPTY_CONFIG = ONE_SOURCE_CONFIG


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    with LabServer() as server:
        base = server.base
        listing = (DATA / "listing.html").read_bytes()
        server.routes.update(
            {
                "/robots.txt": Route(
                    f"User-agent: *\nDisallow: /private/\nSitemap: {base}/sitemap.xml\n".encode(), headers={}
                ),
                "/integration-news_en": Route((DATA / "home_with_feed.html").read_bytes(), headers=HTML),
                "/integration-news/feed_en?format=rss": Route((DATA / "feed.xml").read_bytes(), headers=RSS),
                "/news_en": Route(listing, headers=HTML),
                "/api/search": Route(
                    (DATA / "api.json").read_bytes(), headers={"Content-Type": "application/json"}
                ),
                "/welcome": Route(b"<html lang='nl'><body><p>Welkom</p></body></html>", headers=HTML),
                "/sitemap.xml": Route(
                    (DATA / "sitemap.xml").read_bytes(), headers={"Content-Type": "text/xml"}
                ),
                "/private/feed.xml": Route((DATA / "feed.xml").read_bytes(), headers=RSS),
                "/ep/rss.xml": Route(b"<html><body>Please wait</body></html>", status=202, headers=HTML),
                "/mpi/rss.xml": Route((DATA / "challenge.html").read_bytes(), status=403, headers=HTML),
                "/plain403.xml": Route(b"<html><body>Forbidden</body></html>", status=403, headers=HTML),
                "/old/news_en": Route(b"", status=301, headers={"Location": "/integration-news_en"}),
                "/service/rss": Route(
                    b"<!doctype html><html><body><h1>RSS</h1><p>How to subscribe</p></body></html>",
                    headers=HTML,
                ),
                "/presscorner": Route((DATA / "spa.html").read_bytes(), headers=HTML),
                "/empty.xml": Route(
                    b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
                    headers=RSS,
                ),
            }
        )
        yield server


@pytest.mark.slow
def test_add_home_page_with_feed_link(lab: LabServer) -> None:
    block, source, items = add(lab.url("/integration-news_en"), EMPTY_CONFIG, fetcher, robots)
    assert source.kind == "feed"
    assert source.urls == [lab.url("/integration-news/feed_en?format=rss")]
    assert source.languages == ["en"]
    assert items[0].title == "Language courses expanded"
    assert items[0].published == "2026-03-02 09:00 UTC"  # as a harvest stores it, in UTC
    assert items[0].language == "en"
    assert "verified:" in block and block.startswith("# ")
    assert validate_entry(block, EMPTY_CONFIG).id == source.id


@pytest.mark.slow
def test_add_json_api(lab: LabServer) -> None:
    _block, source, items = add(lab.url("/api/search"), EMPTY_CONFIG, fetcher, robots, "example-api")
    assert (source.id, source.kind) == ("example-api", "api")
    assert source.api is not None and source.api.items == "result.docs"
    assert [i.title for i in items][:2] == [
        "Integration action plan update",
        "Call for proposals on inclusion",
    ]
    assert items[0].published is not None and items[0].published.startswith("2026-03-02")
    assert items[0].url == "https://example.eu/doc/1"


@pytest.mark.slow
def test_add_listing_page(lab: LabServer) -> None:
    _block, source, items = add(lab.url("/news_en"), EMPTY_CONFIG, fetcher, robots)
    assert source.kind == "listing"
    assert len(items) == 5
    assert items[0].title == "Language courses expanded"
    assert items[0].url == lab.url("/news/2026/language-courses-expanded")


@pytest.mark.slow
def test_add_sitemap_only_site(lab: LabServer) -> None:
    _block, source, items = add(lab.url("/welcome"), EMPTY_CONFIG, fetcher, robots)
    assert source.kind == "sitemap"
    assert source.urls == [lab.url("/sitemap.xml")]
    assert [i.url for i in items] == [
        "https://example.eu/news/integration-courses-for-adults",
        "https://example.eu/news/refugee-employment-scheme",
    ]


@pytest.mark.parametrize(
    "existing_url",
    [
        "{base}/integration-news_en",
        "{base}/integration-news_en#top",  # a fragment is not part of a source URL
        "{base}/integration-news/feed_en?format=rss",
    ],
)
def test_add_refuses_a_duplicate(lab: LabServer, existing_url: str) -> None:
    config = EMPTY_CONFIG.replace("https://ecre.org/feed/", existing_url.format(base=lab.base))
    with pytest.raises(DuplicateSource, match="ecre-news"):
        add(lab.url("/integration-news_en"), config, fetcher, robots)


@pytest.mark.parametrize(
    ("path", "message"),
    [("/private/feed.xml", "robots.txt disallows"), ("/ep/rss.xml", "202"), ("/nothing", "gone")],
)
def test_add_refuses_what_it_cannot_harvest(lab: LabServer, path: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        add(lab.url(path), EMPTY_CONFIG, fetcher, robots)


@pytest.mark.parametrize(
    ("kind", "path", "extra", "key"),
    [
        ("feed", "/integration-news/feed_en?format=rss", {}, "ok"),
        ("feed", "/old/news_en", {}, "moved"),
        ("feed", "/service/rss", {}, "parse.not_a_feed"),
        ("feed", "/ep/rss.xml", {}, "fetch.blocked_by_site"),
        ("feed", "/mpi/rss.xml", {}, "fetch.blocked_by_site"),
        ("feed", "/plain403.xml", {}, "fetch.http_403"),
        ("feed", "/private/feed.xml", {}, "fetch.robots"),
        ("feed", "/empty.xml", {}, "parse.no_items"),
        ("feed", "/gone.xml", {}, "fetch.http_404"),
        ("listing", "/news_en", {"listing": {"links": "article.teaser h3 a::attr(href)"}}, "ok"),
        ("listing", "/news_en", {"listing": {"links": "div.nothing a::attr(href)"}}, "parse.selector_empty"),
        (
            "listing",
            "/presscorner",
            {"listing": {"links": "a.ecl-link::attr(href)"}},
            "parse.javascript_only",
        ),
        (
            "api",
            "/api/search",
            {"api": {"items": "result.docs", "title": "docTitle", "link": "documentUrl"}},
            "ok",
        ),
        (
            "api",
            "/news_en",
            {"api": {"items": "result.docs", "title": "docTitle", "link": "documentUrl"}},
            "parse.json_invalid",
        ),
    ],
)
def test_check_verdicts_on_the_lab(lab: LabServer, kind: str, path: str, extra: dict, key: str) -> None:
    entry = {"id": "probe-me", "name": "x", "publisher": "x", "kind": kind, "urls": [lab.url(path)], **extra}
    source = load_sources("t.yaml", text=json.dumps({"sources": [entry]})).sources[0]
    assert check_source(source, fetcher, robots).key == key


def test_check_unreachable_host_is_a_connect_error() -> None:
    source = load_sources(
        "t.yaml",
        text=json.dumps(
            {
                "sources": [
                    {
                        "id": "gone",
                        "name": "x",
                        "publisher": "x",
                        "kind": "feed",
                        "urls": ["http://127.0.0.2:1/feed"],
                    }
                ]
            }
        ),
    ).sources[0]
    assert check_source(source, fetcher, robots).key == "fetch.connect"


def test_requests_carry_the_configured_user_agent(lab: LabServer) -> None:
    fetcher(lab.url("/news_en"))
    assert lab.hits[-1].headers["user-agent"] == UA


@pytest.mark.parametrize(
    ("url", "country"),
    [
        ("https://www.bamf.de/x", "DE"),
        ("https://x.gov.pl/", "PL"),
        ("https://ec.europa.eu/", "EU"),
        ("https://www.gov.gr/", "GR"),
        ("https://ecre.org/", "EU"),
    ],
)
def test_country_of(url: str, country: str) -> None:
    assert country_of(url) == country


def test_the_live_config_still_validates_after_corrections() -> None:
    config = load_sources()
    by_id = {s.id: s for s in config.sources}
    assert by_id["ewsi-news"].urls == ["https://migrant-integration.ec.europa.eu/integration-news_en"]
    assert not by_id["ep-press"].enabled and not by_id["mpi-news"].enabled
    assert not by_id["rijksoverheid-asiel"].enabled
    assert not by_id["ec-presscorner"].follow
    assert all(s.verified for s in config.sources)


def test_commands_check_and_add(lab: LabServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crawler.commands import sources as command
    from crawler.config import Settings

    settings = Settings(allow_private="127.0.0.2", download_timeout=5.0)
    config = tmp_path / "sources.yaml"
    entries = [
        {"id": "ok-feed", "name": "x", "publisher": "x", "kind": "feed", "urls": [lab.url("/empty.xml")]},
        {"id": "walled", "name": "x", "publisher": "x", "kind": "feed", "urls": [lab.url("/ep/rss.xml")]},
    ]
    config.write_text(json.dumps({"sources": entries}), encoding="utf-8")
    assert command.main(["check", "--config", str(config)], settings) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("ok-feed: parse.no_items: ")
    assert lines[1].startswith("walled: fetch.blocked_by_site: 202")
    with pytest.raises(UnknownSource, match="unknown source id 'walld'; did you mean 'walled'"):
        command.main(["check", "--config", str(config), "--source", "walld"], settings)
    before = config.read_text()
    assert command.main(["add", lab.url("/ep/rss.xml"), "--config", str(config)], settings) == 1
    assert (
        command.main(["add", lab.url("/plain403.xml"), "--config", str(config), "--dry-run"], settings) == 1
    )
    assert config.read_text() == before, "a refused add writes nothing"


@pytest.mark.slow
def test_command_add_appends_a_valid_entry(lab: LabServer, tmp_path: Path) -> None:
    from crawler.commands import sources as command
    from crawler.config import Settings

    config = tmp_path / "sources.yaml"
    config.write_text("# operator file\n" + EMPTY_CONFIG, encoding="utf-8")
    settings = Settings(allow_private="127.0.0.2", download_timeout=5.0)
    assert (
        command.main(["add", lab.url("/news_en"), "--id", "lab-news", "--config", str(config)], settings) == 0
    )
    loaded = load_sources(config)
    assert [s.id for s in loaded.sources] == ["ecre-news", "lab-news"]
    assert loaded.sources[1].listing is not None
    assert config.read_text().startswith("# operator file\n")
    assert command.main(["add", lab.url("/news_en"), "--config", str(config)], settings) == 1  # duplicate now


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<title>Integration news</title>", "Integration news"),
        (b"<title>Caf&eacute; &amp; Co</title>", "Café & Co"),  # entities decoded
        ("<title>Ministry \u202egnp.exe</title>".encode(), "Ministry exe.png"),  # override: as it read
        ("<title>Zero\u200bwidth\tand\nlines</title>".encode(), "Zerowidth and lines"),
        (b"<title><![CDATA[Feed title]]></title>", "Feed title"),
        (b"<title>   </title>", None),
        (b"<html>no title</html>", None),
    ],
)
def test_page_title_is_plain_text_a_source_name_accepts(body: bytes, expected: str | None) -> None:
    from crawler.onboard import page_title

    assert page_title(body) == expected


def _feed_titled(raw: bytes) -> bytes:
    return (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Lab</title>'
        b"<item><title>" + raw + b"</title><link>https://example.eu/n/1</link>"
        b"<pubDate>Mon, 02 Mar 2026 09:00:00 GMT</pubDate></item></channel></rss>"
    )


def _api_titled(raw: str) -> bytes:
    docs = [
        {"docTitle": title, "publicationDate": "2026-03-02", "documentUrl": f"https://example.eu/d/{n}"}
        for n, title in enumerate([raw, "Second record", "Third record"])
    ]
    return json.dumps({"meta": {"total": 3}, "result": {"docs": docs}}).encode()


# (kind of source, the record's raw title as the source serves it, the title a harvest stores)
DIRTY_TITLES: list[tuple[str, bytes | str, str]] = [
    ("feed", b"&lt;b&gt;Integration&lt;/b&gt; &lt;i&gt;news&lt;/i&gt;", "Integration news"),
    ("feed", b"<![CDATA[<p>Language <em>courses</em></p>]]>", "Language courses"),
    ("feed", b"Caf&amp;eacute; &amp;amp; Co", "Caf\u00e9 & Co"),
    ("feed", b"Line one\n\t   line two", "Line one line two"),
    ("feed", "Zero\u200bwidth\u00a0title".encode(), "Zerowidth title"),
    ("feed", b"&lt;script&gt;alert(1)&lt;/script&gt;Safe title", "Safe title"),
    ("api", "<b>Bold</b> &amp; co", "Bold & co"),
    ("api", "\x07Alarm\x00 bells\x1b", "Alarm bells"),
    ("api", "  many\n\nspaces &nbsp; here ", "many spaces here"),
    ("api", "Rights &lt;em&gt;now&lt;/em&gt;", "Rights now"),  # markup escaped twice: read once more
    ("api", "Pupils age &lt; 18", "Pupils age < 18"),  # a "<" shown as text stays
]


@pytest.mark.parametrize(("kind", "raw", "stored"), DIRTY_TITLES)
def test_add_previews_titles_as_a_harvest_stores_them(
    lab: LabServer, kind: str, raw: bytes | str, stored: str
) -> None:
    path = f"/dirty/{DIRTY_TITLES.index((kind, raw, stored))}"
    if kind == "feed":
        assert isinstance(raw, bytes)
        lab.routes[path] = Route(_feed_titled(raw), headers=RSS)
    else:
        assert isinstance(raw, str)
        lab.routes[path] = Route(_api_titled(raw), headers={"Content-Type": "application/json"})
    _block, source, items = add(lab.url(path), EMPTY_CONFIG, fetcher, robots, f"dirty-{kind}")
    assert source.kind == kind
    assert items[0].title == stored
