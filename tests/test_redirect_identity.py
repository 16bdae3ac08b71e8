"""An item's URL is the page its fetch landed on (spiders.base.landing_url, pipelines.dedup aliases,
crawler.fetch.redirects refreshes, crawler.store.items alias lookup).

Rule: a followed item takes the URL of the page its fetch landed on, after HTTP redirects (301, 302,
303, 307, 308) and a refresh Scrapy follows (``<meta http-equiv="refresh">``, ``Refresh`` header,
under ``METAREFRESH_MAXDELAY``); the link it was reached by is kept as `linked_url`, whose identity
is an alias of the item's: two links that land on one page are one item, a row stored under the old
link is found again, a tombstoned old link stays tombstoned. A landing on the site's home page or on
the source's own URLs (a removed article sent to the front page) keeps the link and what the index gave,
flagged ``page_fetch.sent_to_front`` (spiders.base.sent_to_front). A loop is
``fetch.redirect_limit``; a refresh to the page itself is a reload, read as answered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.errors import error_key_for
from crawler.fetch.redirects import LoopAwareMetaRefreshMiddleware, header_refresh
from crawler.fetch.refusals import FetchRefused
from crawler.settings import REDIRECT_MAX_TIMES, build_settings
from crawler.types import HarvestedItem
from pipelines.dedup import DedupPipeline, identity_aliases
from spiders.base import landing_url, sent_to_front
from tests.fetchlab import crawl, migrate
from tests.lab import LabServer, Route

BASE = "https://city.example.eu"


def _answer(link: str, hops: list[str], final: str) -> Response:
    request = Request(final, meta={"redirect_urls": hops} if hops else {})
    return Response(final, request=request)


LANDINGS = {
    "301": (BASE + "/alt/1", [BASE + "/alt/1"], BASE + "/news/1", BASE + "/news/1"),
    "chain": (BASE + "/a", [BASE + "/a", BASE + "/b"], BASE + "/news/2", BASE + "/news/2"),
    "other-host": (
        BASE + "/go/3",
        [BASE + "/go/3"],
        "https://press.example.org/3",
        "https://press.example.org/3",
    ),
    "not-redirected": (BASE + "/news/4", [], BASE + "/news/4", None),
    # the normalise stage strips the parameter: the item's identity stays the link's
    "same-page-tracking": (
        BASE + "/n/5",
        [BASE + "/n/5"],
        BASE + "/n/5?utm_source=x",
        BASE + "/n/5?utm_source=x",
    ),
    "same-page-https-www": (
        "http://city.example.eu/n/6",
        ["http://city.example.eu/n/6"],
        "https://www.city.example.eu/n/6",
        None,
    ),
    "to-home": (BASE + "/removed/7", [BASE + "/removed/7"], BASE + "/", None),
    "to-home-index": (BASE + "/removed/8", [BASE + "/removed/8"], BASE + "/index.html", None),
    "to-the-listing": (BASE + "/removed/9", [BASE + "/removed/9"], BASE + "/aktuelles/", None),
    "home-to-home": (BASE + "/", [BASE + "/"], "https://www.city.example.eu/", None),
}


@pytest.mark.parametrize(("link", "hops", "final", "expected"), LANDINGS.values(), ids=LANDINGS.keys())
def test_landing_url(link: str, hops: list[str], final: str, expected: str | None) -> None:
    assert landing_url(link, _answer(link, hops, final), [BASE + "/aktuelles/"]) == expected


# link, redirect hops, landed on -> sent to the front (home page or the source's listing: a gone article)
FRONT = {
    "301-home": (BASE + "/removed/7", [BASE + "/removed/7"], BASE + "/", True),
    "home-index": (BASE + "/removed/8", [BASE + "/removed/8"], BASE + "/index.php", True),
    "home-other-scheme-www": ("http://city.example.eu/n/1", ["http://city.example.eu/n/1"], BASE + "/", True),
    "home-of-another-host": (BASE + "/go/2", [BASE + "/go/2"], "https://press.example.org/", True),
    "listing": (BASE + "/removed/9", [BASE + "/removed/9"], BASE + "/aktuelles", True),
    "listing-index": (BASE + "/removed/9", [BASE + "/removed/9"], BASE + "/aktuelles/index.html", True),
    "home-with-query": (BASE + "/go/3", [BASE + "/go/3"], BASE + "/?p=3", False),
    "an-article": (BASE + "/alt/1", [BASE + "/alt/1"], BASE + "/news/1", False),
    "home-to-home": (BASE + "/", [BASE + "/"], "https://www.city.example.eu/", False),
    "listing-to-listing": (BASE + "/aktuelles/", [BASE + "/aktuelles/"], BASE + "/aktuelles/?page=1", False),
    "not-redirected-home": (BASE + "/", [], BASE + "/", False),
}


@pytest.mark.parametrize(("link", "hops", "final", "expected"), FRONT.values(), ids=FRONT.keys())
def test_sent_to_front(link: str, hops: list[str], final: str, expected: bool) -> None:
    answer = _answer(link, hops, final)
    assert sent_to_front(link, answer, [BASE + "/aktuelles/"]) is expected
    if expected:
        assert landing_url(link, answer, [BASE + "/aktuelles/"]) is None


REFRESH_HEADERS = {
    "delay-0": ("0; url=/news/1", (0.0, BASE + "/news/1")),
    "upper-no-space": ("0;URL=/news/1", (0.0, BASE + "/news/1")),
    "single-quotes": ("0; URL='/news/1?a=1&b=2'", (0.0, BASE + "/news/1?a=1&b=2")),
    "double-quotes": ('0; url="/news/1"', (0.0, BASE + "/news/1")),
    "absolute": ("1.5; url=https://other.example.org/x", (1.5, "https://other.example.org/x")),
    "reload-only": ("30", (None, None)),
    "garbage": ("soon", (None, None)),
}


@pytest.mark.parametrize(("value", "expected"), REFRESH_HEADERS.values(), ids=REFRESH_HEADERS.keys())
def test_refresh_header_is_read_as_a_meta_refresh(value: str, expected: tuple[Any, Any]) -> None:
    assert header_refresh(Response(BASE + "/go/1", headers={"Refresh": value})) == expected


def _middleware() -> LoopAwareMetaRefreshMiddleware:
    crawler = get_crawler(
        settings_dict={"REDIRECT_MAX_TIMES": REDIRECT_MAX_TIMES, "METAREFRESH_ENABLED": True}
    )
    return LoopAwareMetaRefreshMiddleware.from_crawler(crawler)


def _page(url: str, refresh: str | None = None, header: str | None = None) -> HtmlResponse:
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    body = f"<html><head>{meta}<title>t</title></head><body><p>x</p></body></html>".encode()
    headers = {"Content-Type": "text/html; charset=utf-8", **({"Refresh": header} if header else {})}
    return HtmlResponse(url, body=body, headers=headers, request=Request(url))


REFRESHES = {
    "meta-0-quoted": ({"refresh": "0; URL='/news/1'"}, BASE + "/news/1", "meta refresh"),
    "meta-0-unquoted": ({"refresh": "0;url=/news/1"}, BASE + "/news/1", "meta refresh"),
    "header": ({"header": "0; url=/news/1"}, BASE + "/news/1", "refresh header"),
    "header-wins": (
        {"refresh": "0; url=/other", "header": "0; url=/news/1"},
        BASE + "/news/1",
        "refresh header",
    ),
    "to-itself": ({"refresh": "0; url=/go/1"}, None, None),
    "to-itself-fragment": ({"header": "0; url=/go/1#top"}, None, None),
    "too-slow": ({"refresh": "600; url=/news/1"}, None, None),
}


@pytest.mark.parametrize(("page", "target", "reason"), REFRESHES.values(), ids=REFRESHES.keys())
def test_refreshes_followed_as_redirects(
    page: dict[str, str], target: str | None, reason: str | None
) -> None:
    response = _page(BASE + "/go/1", **page)
    outcome = _middleware().process_response(response.request, response)  # type: ignore[arg-type]
    if target is None:
        assert outcome is response
        return
    assert isinstance(outcome, Request)
    assert outcome.url == target
    assert outcome.meta["redirect_urls"] == [BASE + "/go/1"]
    assert outcome.meta["redirect_reasons"] == [reason]


def test_a_refresh_loop_is_redirect_limit_naming_the_chain() -> None:
    mw = _middleware()
    first = _page(BASE + "/a", refresh="0; url=/b")
    hop = mw.process_response(first.request, first)  # type: ignore[arg-type]
    assert isinstance(hop, Request)
    second = HtmlResponse(hop.url, body=b'<meta http-equiv="refresh" content="0; url=/a">', request=hop)
    with pytest.raises(FetchRefused) as raised:
        mw.process_response(hop, second)
    assert error_key_for(raised.value) == "fetch.redirect_limit"
    assert str(raised.value) == f"redirect loop (meta refresh): {BASE}/a -> {BASE}/b -> {BASE}/a"


def test_every_crawl_uses_the_loop_aware_refresh() -> None:
    settings = build_settings()
    middlewares = settings["DOWNLOADER_MIDDLEWARES"]
    assert middlewares["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] is None
    assert middlewares["crawler.fetch.redirects.LoopAwareMetaRefreshMiddleware"] == 580
    assert settings["METAREFRESH_ENABLED"] is True


def _item(url: str, linked: str | None = None, **fields: Any) -> HarvestedItem:
    return HarvestedItem(source_id="lab", url=url, linked_url=linked, title="A title", **fields)


def test_the_linked_url_is_an_alias_and_one_page_is_one_item_in_a_run() -> None:
    assert identity_aliases(_item(BASE + "/news/1", BASE + "/alt/1"), "url:city.example.eu/news/1") == [
        "url:city.example.eu/alt/1"
    ]
    assert identity_aliases(_item(BASE + "/news/1"), "url:city.example.eu/news/1") == []
    assert identity_aliases(_item(BASE + "/n", BASE + "/alt"), "oid:X-1") == []  # not a URL identity
    from scrapy.exceptions import DropItem

    dedup = DedupPipeline()
    dedup.process_item(_item(BASE + "/news/1", BASE + "/alt/1"))
    for later in (_item(BASE + "/news/1"), _item(BASE + "/alt/1")):  # landed page and old link
        with pytest.raises(DropItem, match="duplicate"):
            dedup.process_item(later)


def test_the_store_finds_an_item_by_its_old_link_and_keeps_its_tombstone(tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from crawler.store import items
    from crawler.store.schema import Item
    from crawler.store.session import session_scope

    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    dedup = DedupPipeline()
    old = dedup.process_item(_item(BASE + "/alt/1", text="Body of the article."))
    with session_scope(db_url) as session:
        assert items.upsert_item(session, old) == "new"  # stored under its link, before it moved
    moved = DedupPipeline().process_item(
        _item(BASE + "/news/1", BASE + "/alt/1", text="Body of the article.")
    )
    gone = DedupPipeline().process_item(_item(BASE + "/news/2", BASE + "/alt/2", text="Rejected."))
    with session_scope(db_url) as session:
        assert items.upsert_item(session, moved) == "unchanged"
        items.add_tombstone(session, items.sha256_hex("url:city.example.eu/alt/2"), "lab", "rejected")
        assert items.upsert_item(session, gone) == "tombstoned"
        assert session.scalar(select(func.count()).select_from(Item)) == 1


# -- one crawl over a listing that carries every variant, and a feed ---------------------------------

ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}<title>{title}</title></head>
<body><article><h1>{title}</h1><p>Published 4 March 2025.</p><p>{text}</p></article></body></html>"""

TOPICS = {
    "one": "language courses for refugees in the northern districts",
    "two": "recognition of foreign qualifications for nurses",
    "three": "counselling services for asylum seekers in small towns",
    "four": "housing support for newly arrived migrant families",
    "five": "a mentoring programme pairing volunteers with young migrants",
    "six": "integration courses offered in the evening for working parents",
    "seven": "the new advisory council of migrant organisations",
    "eight": "childcare places reserved for refugee children",
    "nine": "a job fair for people with a migration background",
    "ten": "health care access for undocumented migrants",
    "self": "a page that reloads itself every thirty seconds",
}


def _article(name: str, head: str = "") -> Route:
    topic = TOPICS[name]
    title = f"City report on {topic}"
    text = " ".join(
        f"Sentence {i} of the report explains {topic} and what the city plans for the coming year."
        for i in range(12)
    )
    body = ARTICLE.format(head=head, title=title, text=text).encode()
    return Route(body, headers={"Content-Type": "text/html; charset=utf-8"})


def _redirect(status: int, location: str) -> Route:
    return Route(b"", status=status, headers={"Location": location})


def _refresh_page(content: str) -> Route:
    head = f'<meta http-equiv="refresh" content="{content}"><title>Moved</title>'
    body = f"<!DOCTYPE html><html><head>{head}</head><body><p>Moved.</p></body></html>"
    return Route(body.encode(), headers={"Content-Type": "text/html; charset=utf-8"})


# link in the listing -> the identity path of the one stored item it gives (None: no own row)
LISTED = {
    "/l/301": "/a/one",
    "/l/308": "/a/two",
    "/l/302a": "/a/three",  # 302 -> 302 -> page
    "/l/meta-quoted": "/a/four",
    "/l/meta-bare": "/a/five",
    "/l/refresh-header": "/a/six",
    "/l/old7": "/a/seven",  # both links in the listing: one item
    "/a/seven": "/a/seven",
    "/l/tracked": "/a/eight",  # lands on /a/eight?utm_...; /a/eight also listed
    "/a/eight": "/a/eight",
    "/l/loop1": "/l/loop1",  # 301 loop: kept with its link, flagged
    "/l/mloop1": "/l/mloop1",  # meta refresh loop
    "/l/removed": "/l/removed",  # 301 to the home page: keeps the link
    "/a/self": "/a/self",  # refreshes itself: read as answered
}


def _lab_routes(lab: LabServer) -> None:
    links = "".join(f'<li><a href="{link}">Link {link}</a></li>' for link in LISTED)
    listing = (
        '<!DOCTYPE html><html lang="en"><head><title>News</title></head>'
        f'<body><ul class="news">{links}</ul></body></html>'
    )
    base = lab.base
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
        f"<link>{base}/</link>"
        f'<item><title>Nine</title><link>{base}/f/old9</link><guid isPermaLink="false">g9</guid>'
        "<pubDate>Tue, 04 Mar 2025 08:00:00 GMT</pubDate></item>"
        f'<item><title>Ten</title><link>{base}/f/old10</link><guid isPermaLink="false">g10</guid>'
        "<pubDate>Tue, 04 Mar 2025 08:00:00 GMT</pubDate></item>"
        "</channel></rss>"
    )
    html = {"Content-Type": "text/html; charset=utf-8"}
    lab.routes.update(
        {
            "/": Route(
                b"<html><head><title>Home</title></head><body><p>Welcome.</p></body></html>", headers=html
            ),
            "/news/": Route(listing.encode(), headers=html),
            "/feed.xml": Route(feed.encode(), headers={"Content-Type": "application/rss+xml"}),
            "/l/301": _redirect(301, "/a/one"),
            "/l/308": _redirect(308, lab.url("/a/two")),
            "/l/302a": _redirect(302, "/l/302b"),
            "/l/302b": _redirect(302, "/a/three"),
            "/l/meta-quoted": _refresh_page("0; URL='/a/four'"),
            "/l/meta-bare": _refresh_page("0;url=/a/five"),
            "/l/refresh-header": Route(
                b"<html><body>Moved</body></html>", headers={**html, "Refresh": "0; url=/a/six"}
            ),
            "/l/old7": _redirect(301, "/a/seven"),
            "/l/tracked": _redirect(301, "/a/eight?utm_source=newsletter&utm_medium=mail"),
            "/a/eight?utm_source=newsletter&utm_medium=mail": _article("eight"),
            "/l/loop1": _redirect(301, "/l/loop2"),
            "/l/loop2": _redirect(301, "/l/loop1"),
            "/l/mloop1": _refresh_page("0; url=/l/mloop2"),
            "/l/mloop2": _refresh_page("0; url=/l/mloop1"),
            "/l/removed": _redirect(301, "/"),
            "/a/self": _article("self", '<meta http-equiv="refresh" content="30; url=/a/self">'),
            "/f/old9": _redirect(301, "/a/nine"),
            "/f/old10": _refresh_page("0; url=/a/ten"),
        }
    )
    for name in TOPICS:
        lab.routes.setdefault(f"/a/{name}", _article(name))


def _rows(db_url: str) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from crawler.store.schema import Item
    from crawler.store.session import session_scope

    with session_scope(db_url) as session:
        return [
            {
                c: getattr(row, c)
                for c in ("source_id", "identity", "url", "canonical_url", "guid", "title", "flags")
            }
            for row in session.scalars(select(Item).order_by(Item.id))
        ]


@pytest.mark.slow
def test_a_crawl_stores_each_page_once_under_the_url_it_landed_on(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    with LabServer("127.0.0.2") as lab:
        _lab_routes(lab)
        sources = [
            {
                "id": "lab-list",
                "kind": "listing",
                "urls": [lab.url("/news/")],
                "follow": True,
                "listing": {"links": "ul.news a::attr(href)"},
            },
            {"id": "lab-feed", "kind": "feed", "urls": [lab.url("/feed.xml")], "follow": True},
        ]
        result = crawl(tmp_path, db_url, sources, timeout=180)
        assert result.returncode == 0, result.stderr[-3000:]
        host = lab.base.split("://", 1)[1]
        rows = _rows(db_url)
        by_identity = {row["identity"]: row for row in rows}
        assert len(by_identity) == len(rows), rows  # nothing stored twice

        listed = {f"url:{host}{path}" for path in LISTED.values()}
        assert {row["identity"] for row in rows if row["source_id"] == "lab-list"} == listed
        for link, path in LISTED.items():
            row = by_identity[f"url:{host}{path}"]
            assert row["url"] == lab.url(path), (link, row)  # tracking parameters stripped too
            assert row["canonical_url"] == lab.url(path), (link, row)
        for path in ("/a/one", "/a/four", "/a/six", "/a/eight"):
            assert by_identity[f"url:{host}{path}"]["title"].startswith("City report on"), path
        for loop in ("/l/loop1", "/l/mloop1"):
            assert "page_fetch.redirect_limit" in (by_identity[f"url:{host}{loop}"]["flags"] or []), loop
        assert "page_fetch.redirect_limit" not in (by_identity[f"url:{host}/a/self"]["flags"] or [])

        feed = {row["guid"]: row for row in rows if row["source_id"] == "lab-feed"}
        assert feed["g9"]["url"] == lab.url("/a/nine")
        assert feed["g10"]["url"] == lab.url("/a/ten")

        assert lab.paths().count("/a/self") == 1  # the self refresh was not fetched again
        stats = result.run("lab-list")["stats"]
        assert stats["ewsi/items/redirected"] == 8
        assert stats["ewsi/dropped/duplicate"] == 2  # /a/seven and /a/eight, each reached twice
        assert stats["page_errors"] == {"fetch.redirect_limit": 2, "fetch.sent_to_front": 1}
        # the removed article sent to the home page keeps its link, not the home page's text
        removed = by_identity[f"url:{host}/l/removed"]
        assert "page_fetch.sent_to_front" in (removed["flags"] or [])
        assert removed["title"] != "Home"
        assert result.run("lab-feed")["stats"]["ewsi/items/redirected"] == 2
