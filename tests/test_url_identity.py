"""URL identity (pipelines.urls, pipelines.dedup): one page under the spellings harvests give it is one
item, distinct pages stay distinct; a re-crawl after the rule changed adds no duplicate (migration
0027 re-keys stored identities), in a real crawl into SQLite and PostgreSQL.

Faults reported against crawlers and readers: tracking parameters a filter list lacked
(brave/brave-browser#9019: HubSpot ``__hstc``/``__hssc``/``__hsfp``/``hsCtaTracking``;
AdguardTeam/AdguardFilters#127864: ``s_cid``, ``__s``, ``vero_conv``), ASP.NET's cookie probe
parameter (edgi-govdata-archiving/web-monitoring-db#1425), session ids in URLs
(Athou/commafeed#389), ``/news/`` vs ``/news/index.html``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert, select

from pipelines.urls import clean_url, identity_url
from tests import test_cases
from tests.desklab import SQLITE_ONLY
from tests.lab import LabServer, Route
from tests.test_cases import crawl, items, migrate, write_config

lab = test_cases.lab  # the loopback lab fixture

DATA = Path(__file__).parent / "data" / "url_identity"

SAME = [
    # tracking parameters of mail, CRM, analytics and ad tools
    ("https://x.eu/a?__hstc=1.2.3&__hssc=4.5&__hsfp=6", "https://x.eu/a"),
    ("https://x.eu/a?hsCtaTracking=abc%7C1&id=3", "https://x.eu/a?id=3"),
    ("https://x.eu/a?_hsenc=p2AN&_hsmi=31", "https://x.eu/a"),
    ("https://x.eu/actu/1?xtor=RSS-3", "https://x.eu/actu/1"),
    (
        "https://x.eu/actu/1?at_medium=email&at_campaign=n1&at_creation=x&at_send_date=20250301",
        "https://x.eu/actu/1",
    ),
    ("https://x.eu/a?s_cid=em1&__s=xyz&vero_conv=1&vero_id=2", "https://x.eu/a"),
    ("https://x.eu/a?wt_mc=nl.2025&WT.mc_id=x", "https://x.eu/a"),
    ("https://x.eu/a?gad_source=1&gad_campaignid=22&gclid=C", "https://x.eu/a"),
    ("https://x.eu/a?ysclid=lx1&_openstat=dGVzdA&yclid=1", "https://x.eu/a"),
    ("https://x.eu/a?li_fat_id=1&mc_cid=2&mc_eid=3&mc_tc=4", "https://x.eu/a"),
    ("https://x.eu/a?ml_subscriber=1&ml_subscriber_hash=h&rb_clickid=r&ss_email_id=s", "https://x.eu/a"),
    ("https://x.eu/a?utm_source=rss&utm_medium=feed&fbclid=IwAR0", "https://x.eu/a"),
    # session ids: ASP.NET cookieless segment and cookie probe, Magento, Java path parameter
    ("https://x.eu/(S(lit3py55t21z5v55vlm25s55))/news/plan.aspx", "https://x.eu/news/plan.aspx"),
    ("https://x.eu/app/(X(1)S(a0b1c2d3e4)F(Zz9))/news/plan.aspx", "https://x.eu/app/news/plan.aspx"),
    ("https://x.eu/news/plan.aspx?AspxAutoDetectCookieSupport=1", "https://x.eu/news/plan.aspx"),
    ("https://x.eu/shop/item?___SID=U&id=4", "https://x.eu/shop/item?id=4"),
    ("https://x.eu/a;jsessionid=51A21717FEF5.2_cid324", "https://x.eu/a"),
    # a directory's index file is the directory, any case, with or without a query
    ("https://x.eu/news/index.html", "https://x.eu/news/"),
    ("https://x.eu/news/INDEX.HTM", "https://x.eu/news"),
    ("https://x.eu/news/index.php?id=5", "https://x.eu/news/?id=5"),
    ("https://x.eu/news/default.aspx", "https://x.eu/news/"),
    ("https://x.eu/index.html", "https://x.eu/"),
    # fragment, trailing slash, default port, host case, IDN, percent-escape case, scheme, www.
    ("HTTP://WWW.X.EU:80/a/#top", "https://x.eu/a"),
    ("https://bücher.de/a", "https://xn--bcher-kva.de/a"),
    ("https://x.eu/caf%c3%a9", "https://x.eu/café"),
]

DIFFERENT = [
    ("https://x.eu/a?id=1", "https://x.eu/a?id=2"),
    ("https://x.eu/a?page=2", "https://x.eu/a"),
    ("https://x.eu/a?ref=1", "https://x.eu/a?ref=2"),
    ("https://x.eu/a?source=eu", "https://x.eu/a?source=de"),
    ("https://x.eu/a?lang=de", "https://x.eu/a?lang=fr"),
    ("https://x.eu/A", "https://x.eu/a"),
    ("https://x.eu:8443/a", "https://x.eu/a"),
    ("https://x.eu/news/index.html", "https://x.eu/news/index2.html"),
    ("https://x.eu/news/myindex.html", "https://x.eu/news/"),
    ("https://x.eu/index.html/a", "https://x.eu/a"),
    ("https://x.eu/(S(abc))x/a", "https://x.eu/x/a"),  # not a whole segment: a real path
    ("https://x.eu/a?at_home=1", "https://x.eu/a"),  # not an AT Internet name
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_spellings_of_one_page_share_one_identity(a: str, b: str) -> None:
    assert identity_url(a) == identity_url(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_distinct_pages_keep_distinct_identities(a: str, b: str) -> None:
    assert identity_url(a) != identity_url(b)


# IDN hosts as browsers resolve them (WHATWG URL: UTS #46 nontransitional; whatwg/url#223,
# ada-url/ada#114): IDNA 2003 maps ß to ss and final sigma to sigma, naming another registered host
IDN_HOSTS = [
    ("https://straße.de/a", "https://xn--strae-oqa.de/a"),
    ("https://STRAẞE.de/a", "https://xn--strae-oqa.de/a"),  # capital sharp s lower-cases to ß
    ("https://faß.de:8443/a", "https://xn--fa-hia.de:8443/a"),
    ("https://σοφιας.gr/a", "https://xn--mxaprobt.gr/a"),
    ("https://Bücher.DE./a", "https://xn--bcher-kva.de/a"),
    ("https://bücher\u3002de/a", "https://xn--bcher-kva.de/a"),  # ideographic full stop separates labels
    ("https://ｅｘａｍｐｌｅ.eu/a", "https://example.eu/a"),  # full-width letters
    ("https://😀.eu/a", "https://xn--e28h.eu/a"),  # IDNA 2008 refuses emoji, browsers do not: as before
    ("https://x\u200d.eu/a", None),  # a joiner where none may stand: no host (IDNA 2003 made it x.eu)
    ("https://strasse.de/a", "https://strasse.de/a"),
]


@pytest.mark.parametrize(("raw", "expected"), IDN_HOSTS)
def test_idn_host_is_the_host_browsers_resolve(raw: str, expected: str | None) -> None:
    assert clean_url(raw) == expected


def test_sharp_s_host_is_not_the_ss_host() -> None:
    assert identity_url("https://straße.de/a") == identity_url("https://xn--strae-oqa.de/a")
    assert identity_url("https://straße.de/a") != identity_url("https://strasse.de/a")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # the stored URL loses the session and tracking parts but keeps its index file and query order
        ("https://x.eu/news/index.html?xtor=RSS-3", "https://x.eu/news/index.html"),
        ("https://x.eu/(S(lit3py55t21z5v55vlm25s55))/news/plan.aspx", "https://x.eu/news/plan.aspx"),
        ("https://x.eu/c.php?__hstc=1&z=2&__hsfp=3&a=1", "https://x.eu/c.php?z=2&a=1"),
    ],
)
def test_stored_url_drops_session_and_tracking_parts(raw: str, expected: str) -> None:
    assert clean_url(raw) == expected


def test_migration_rekeys_stored_identities(db_url: str) -> None:
    """0027: rows stored under the old rule get the new identity; a clash, a non-URL identity, an
    explicit port and a language version are handled as its docstring says; tombstones follow."""
    from crawler.store.migrate import upgrade
    from crawler.store.schema import Item, SourceRow, Tombstone, sha256_hex
    from crawler.store.session import make_engine

    upgrade(db_url, revision="0026_source_languages")
    old = {
        1: ("url:x.eu/news/index.html?xtor=RSS-3", None),  # -> url:x.eu/news
        2: ("url:x.eu/c.php?__hstc=1&id=7", None),  # -> url:x.eu/c.php?id=7
        3: ("url:x.eu/a", None),  # already current
        4: ("url:x.eu/a/index.html", None),  # clashes with 3: stays
        5: ("oid:COM(2025)1", None),  # not a URL identity
        6: ("url:x.eu:80/p/index.php", None),  # explicit port kept: url:x.eu:80/p
        7: ("url:x.eu/news/index.html?xtor=RSS-3#de", 1),  # language version of 1
    }
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(SourceRow.__table__).values(id="s1", name="s1", kind="feed"))
            for item_id, (identity, version_of) in old.items():
                conn.execute(
                    insert(Item.__table__).values(
                        id=item_id,
                        source_id="s1",
                        identity=identity,
                        identity_hash=sha256_hex(identity),
                        version_of=version_of,
                        url=f"https://x.eu/{item_id}",
                        title=f"t{item_id}",
                        content_hash="h",
                        status="pending",
                    )
                )
            conn.execute(
                insert(Tombstone.__table__).values(identity_hash=sha256_hex(old[2][0]), reason="rejected")
            )
        upgrade(db_url)
        with engine.connect() as conn:
            rows = dict(conn.execute(select(Item.id, Item.identity).order_by(Item.id)).all())
            hashes = dict(conn.execute(select(Item.id, Item.identity_hash)).all())
            tombs = set(conn.execute(select(Tombstone.identity_hash)).scalars())
    finally:
        engine.dispose()
    assert rows == {
        1: "url:x.eu/news",
        2: "url:x.eu/c.php?id=7",
        3: "url:x.eu/a",
        4: "url:x.eu/a/index.html",
        5: "oid:COM(2025)1",
        6: "url:x.eu:80/p",
        7: "url:x.eu/news#de",
    }
    assert all(hashes[i] == sha256_hex(rows[i]) for i in rows)
    assert tombs == {sha256_hex(old[2][0]), sha256_hex("url:x.eu/c.php?id=7")}


def _serve(lab: LabServer, name: str) -> None:
    body = (DATA / name).read_bytes()
    lab.routes["/news.rss"] = Route(body=body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})


@pytest.mark.slow
@SQLITE_ONLY
def test_recrawl_with_other_spellings_adds_no_duplicate(db_url: str, tmp_path: Path, lab: LabServer) -> None:
    """Run 2 serves the three articles of run 1 under other spellings (index file gone, another ASP.NET
    session, other tracking parameters) and one new article (``id=8``): four items, not seven."""
    config = write_config(
        tmp_path, [{"id": "url-city", "kind": "feed", "urls": [lab.url("/news.rss")], "languages": ["en"]}]
    )
    migrate(db_url)
    _serve(lab, "feed_run1.xml")
    crawl(db_url, config)
    first = items(db_url)
    assert sorted(r.url for r in first) == [
        "https://city.example.eu/news/course.php?id=7",
        "https://city.example.eu/news/plan.aspx",
        "https://city.example.eu/news/welcome-week/index.html",
    ]
    _serve(lab, "feed_run2.xml")
    crawl(db_url, config)
    second = items(db_url)
    assert {r.id: r.identity for r in first}.items() <= {r.id: r.identity for r in second}.items()
    assert sorted(r.identity for r in second) == [
        "url:city.example.eu/news/course.php?id=7",
        "url:city.example.eu/news/course.php?id=8",
        "url:city.example.eu/news/plan.aspx",
        "url:city.example.eu/news/welcome-week",
    ]
    added = [r for r in second if r.id not in {f.id for f in first}]
    assert [r.url for r in added] == ["https://city.example.eu/news/course.php?id=8"]
