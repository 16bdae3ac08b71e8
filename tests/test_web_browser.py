"""The editors' desk in a real browser: Debian's headless Chromium driven by Playwright (T41, claims).

The app runs under uvicorn in a thread on 127.0.0.1 (Chromium treats loopback as a secure context,
so the ``__Host-`` Secure cookie works over plain http). No browser is downloaded: the system's
/usr/bin/chromium is launched by path. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.store import users
from crawler.store.migrate import upgrade
from crawler.store.schema import Item, ItemTheme, ReviewDecision, SourceRow, sha256_hex
from crawler.store.session import make_engine, session_factory
from crawler.types import THEMES
from crawler.web.passwords import hash_password

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "correct horse battery staple"
XSS_TITLE = "<img src=x onerror=alert(document.domain)>"
NOW = datetime.now(UTC)
DAY_ITEMS = [
    (f"{title} ({n})", language, round(0.99 - n * 0.02, 2))
    for n, (title, language) in enumerate(
        [
            ("Accueil des réfugiés ukrainiens : bilan de la première année dans les communes", "fr"),
            ("Cours de langue pour primo-arrivants", "fr"),
            ("Integrazione lavorativa dei rifugiati: il nuovo bando regionale per le imprese sociali", "it"),
            ("Mentoring programme for newcomers", "fr"),
            ("Wsparcie dla cudzoziemców w urzędach pracy", "pl"),
            ("Inclusión de personas migrantes en la escuela: guía para docentes y familias", "es"),
            ("Logement des demandeurs d'asile", "fr"),
            ("Consultation publique sur la stratégie nationale d'intégration 2027-2030", "fr"),
            ("Reconnaissance des diplômes étrangers", "fr"),
            ("Diaspora e sviluppo locale", "it"),
            ("Santé mentale des personnes exilées : un nouveau réseau de soins en Île-de-France", "fr"),
            ("Bénévolat et citoyenneté active", "fr"),
            ("Mediatori culturali negli ospedali", "it"),
            ("Appel à projets : inclusion numérique des migrants âgés", "fr"),
            ("Racisme au travail : enquête 2026", "fr"),
            ("Parrainage citoyen de familles réfugiées", "fr"),
            ("Accès aux droits sociaux des ressortissants de pays tiers", "fr"),
            ("Formation des agents d'accueil", "fr"),
            ("Jeunes migrants non accompagnés : scolarisation", "fr"),
            ("Cohésion sociale dans les quartiers", "fr"),
        ]
    )
]
"""Pending items of the day's-work tests (source ngo, none German or English), most relevant first."""
DAY_SUMMARY = "Résumé : la commune ouvre un guichet unique pour les nouveaux arrivants et leurs familles."
DAY_TEXT = (
    "Le conseil municipal a adopté un plan d'accueil pour les réfugiés et les demandeurs d'asile, "
    "avec des cours de langue, un accompagnement vers l'emploi et un soutien au logement.\n\n"
    "Les associations du quartier participent à la mise en œuvre."
)
DAY_EVIDENCE = [
    {"term": "réfugié*", "weight": 2.5, "language": "fr", "count": 2},
    {"term": "demandeur* d'asile", "weight": 2.0, "language": "fr", "count": 1},
    {"term": "intégration", "weight": 1.0, "language": "fr", "count": 1},
    {"term": "logement", "weight": 0.3, "language": "fr", "count": 1},
]
DAY_THEMES: list[tuple[str, ...]] = [THEMES, ("Social Cohesion", "Education and Culture"), (), ()]
"""The classifier's themes of day item n: ``DAY_THEMES[n % 4]`` (all six: the widest theme cell)."""

if not CHROMIUM.exists() or shutil.which("chromium") is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("/usr/bin/chromium is missing in CI: apt-get install -y chromium")
    pytest.skip("/usr/bin/chromium not installed (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python package) not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(url: str) -> dict[str, int]:
    engine = make_engine(url)
    upgrade(engine=engine, revision="heads")
    ids: dict[str, int] = {}
    with session_factory(engine)() as s:
        s.add(SourceRow(id="bamf", name="BAMF news", publisher="Bundesamt"))
        s.add(SourceRow(id="ec", name="EC funding"))
        s.flush()
        rows = [
            ("de1", "Integrationskurse werden ausgebaut", "de", "bamf", 0.9),
            ("de2", "Neue Beratungsstellen für Geflüchtete", "de", "bamf", 0.8),
            ("de3", "Sprachförderung in Kitas", "de", "bamf", 0.7),
            ("en1", "Call for proposals: inclusion of migrants", "en", "ec", 0.95),
            ("en2", "Report on labour market integration", "en", "ec", 0.6),
            ("en3", "Toolkit for municipalities", "en", "ec", 0.55),
            ("xss", XSS_TITLE, "en", "ec", 0.5),
        ]
        for n, (key, title, language, source, relevance) in enumerate(rows):
            item = Item(
                identity=f"https://example.org/{key}",
                identity_hash=sha256_hex(f"https://example.org/{key}"),
                source_id=source,
                url=f"https://example.org/{key}" if key != "xss" else "javascript:alert(1)",
                title=title,
                text=f"{title}.\n\nSecond paragraph with <script>alert(2)</script> inside.",
                language=language,
                declared_language=language,
                content_type="news",
                country="DE" if language == "de" else "EU",
                relevance=relevance,
                relevant=relevance >= 0.5,
                published_at=NOW - timedelta(days=n),
                first_seen_at=NOW - timedelta(days=n),
            )
            s.add(item)
            s.flush()
            s.add(
                ItemTheme(
                    item_id=item.id,
                    theme="Social Cohesion",
                    score=0.7,
                    assigned=True,
                    evidence=[{"term": "integration", "weight": 1.0, "language": language, "count": 1}],
                )
            )
            ids[key] = item.id
        _seed_gap(s)
        s.add(SourceRow(id="ngo", name="Fédération des associations d'accueil (FAA)"))
        s.flush()
        for n, (title, language, relevance) in enumerate(DAY_ITEMS):
            key = f"day{n}"
            item = Item(
                identity=f"https://example.org/{key}",
                identity_hash=sha256_hex(f"https://example.org/{key}"),
                source_id="ngo",
                url=f"https://example.org/{key}",
                title=title,
                # each summary its own: one that several items of a source share is the site's
                # description, which the snippet skips (crawler.web.rows `is_generic`)
                summary=f"{DAY_SUMMARY} {title}" if n % 3 == 0 else None,
                text=f"{title}\n\n{DAY_TEXT}",
                language=language,
                declared_language=language,
                content_type="news",
                country="FR",
                relevance=relevance,
                relevance_evidence=DAY_EVIDENCE,
                published_at=NOW - timedelta(days=10 + n) if n % 5 else None,
                first_seen_at=NOW - timedelta(days=10 + n),
            )
            s.add(item)
            s.flush()
            for rank, theme in enumerate(DAY_THEMES[n % 4]):
                s.add(ItemTheme(item_id=item.id, theme=theme, score=0.9 - rank / 10, assigned=True))
            ids[key] = item.id
        ids["long"] = _seed_long_item(s)
        for name in ("alice", "bob"):
            users.create_user(s, name, "editor", hash_password(PASSWORD))
        _seed_source_troubles(s)  # seeded before the server starts: no test writes beside it
        s.commit()
    engine.dispose()
    return ids


LONG_TITLE = (
    "Nationaler Aktionsplan Integration: Bund, Länder und Kommunen vereinbaren neue Maßnahmen für "
    "Sprachförderung, Arbeitsmarktzugang und Beratung von Geflüchteten in ländlichen Regionen"
)


def _seed_long_item(s) -> int:
    """A pending item whose page is as long as they come: a three-line title, a summary, a text of
    thousands of words, twelve relevance reasons and six theme scores with evidence."""
    s.add(SourceRow(id="long", name="Bundesregierung"))
    s.flush()
    paragraph = (
        "Die Integrationskurse werden ausgebaut, die Beratungsstellen für Geflüchtete erhalten mehr "
        "Personal und die Kommunen mehr Mittel für Sprachförderung und Wohnraum. "
    ) * 4
    item = Item(
        identity="https://example.org/long",
        identity_hash=sha256_hex("https://example.org/long"),
        source_id="long",
        url="https://example.org/long",
        title=LONG_TITLE,
        summary="The federal and regional governments agree on a national integration action plan. " * 3,
        text="\n\n".join(f"{n}. {paragraph}" for n in range(1, 81)),
        language="nl",
        declared_language="nl",
        language_confidence=0.97,
        language_method="detected",
        content_type="news",
        country="DE",
        relevance=0.88,
        relevance_evidence=[
            {"term": f"integration{n}", "weight": 2.0 - n / 10, "language": "de", "count": 1}
            for n in range(14)
        ],
        published_at=NOW - timedelta(days=3),
        first_seen_at=NOW - timedelta(days=3),
    )
    s.add(item)
    s.flush()
    for rank, theme in enumerate(THEMES):
        evidence = [{"term": f"wort{n}", "weight": 1.0, "language": "de", "count": 2} for n in range(12)]
        s.add(
            ItemTheme(
                item_id=item.id, theme=theme, score=0.9 - rank / 10, assigned=rank < 3, evidence=evidence
            )
        )
    return item.id


def _seed_gap(s) -> None:
    """A coverage gap: Polish Economic Participation items, four in each of the six 30-day periods
    before the last one, approved (so never in the pending queue), none in the last 30 days."""
    s.add(SourceRow(id="pl-gov", name="Polish ministry"))
    s.flush()
    for n in range(24):
        seen = NOW - timedelta(days=30 * (n // 4 + 1) + 1 + n % 4)
        item = Item(
            identity=f"https://example.pl/{n}",
            identity_hash=sha256_hex(f"https://example.pl/{n}"),
            source_id="pl-gov",
            url=f"https://example.pl/{n}",
            title=f"Aktywizacja zawodowa cudzoziemców {n}",
            language="pl",
            content_type="news",
            country="PL",
            relevant=True,
            relevance=0.8,
            first_seen_at=seen,
            status="approved",
            approved_at=seen + timedelta(days=1),
        )
        s.add(item)
        s.flush()
        s.add(ItemTheme(item_id=item.id, theme="Economic Participation", score=0.8, assigned=True))


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, str, dict[str, int]]]:
    import uvicorn

    from crawler.web.app import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('desk') / 'ewsi.sqlite'}"
    ids = _seed(url)
    port = _free_port()
    config = uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", url, ids
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def _login(context, base: str, name: str):
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    page.goto(f"{base}/queue")
    assert "/login" in page.url
    page.fill('input[name="username"]', name)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(f"{base}/queue")
    return page


def _decisions(url: str) -> list[tuple[int, str, str, str | None]]:
    from sqlalchemy import select

    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            return [
                (d.item_id, d.editor, d.action, d.reason)
                for d in s.scalars(select(ReviewDecision).order_by(ReviewDecision.id))
            ]
    finally:
        engine.dispose()


def test_editor_workflow(server, browser) -> None:
    base, url, ids = server
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = _login(context, base, "alice")
    # filter the queue to German items
    page.fill('input[name="language"]', "de")
    page.click("#apply-filters")
    page.wait_for_url("**language=de**")
    titles = page.locator("a.title").all_inner_texts()
    assert titles == [
        "Integrationskurse werden ausgebaut",
        "Neue Beratungsstellen für Geflüchtete",
        "Sprachförderung in Kitas",
    ]
    page.wait_for_selector("#counts .counts")  # counts fragment loaded by the page's script
    page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)
    # open an item; its script claims it
    page.click("text=Integrationskurse werden ausgebaut")
    page.wait_for_url(re.compile(rf"/items/{ids['de1']}\?queue="))  # the item knows its queue
    page.wait_for_selector("#claim-banner[data-claimed='mine']")
    page.screenshot(path=str(ARTIFACTS / "item.png"), full_page=True)
    # approve with the keyboard: the next German item opens
    page.keyboard.press("a")
    page.wait_for_url(re.compile(rf"/items/{ids['de2']}\?queue=.*done={ids['de1']}&msg=approve$"))
    assert page.inner_text("#status") == "pending"
    assert page.get_attribute("#previous a", "href") == f"/items/{ids['de1']}"
    # reject it with a reason (keyboard: choose the reason, Enter)
    page.wait_for_selector("#claim-banner[data-claimed='mine']")
    page.keyboard.press("r")
    page.select_option("#reason", "not relevant")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/items/{ids['de3']}\?queue=.*msg=reject$"))
    # a refused edit: the typed values stay, the message sits by the field, the address is the item's
    page.wait_for_selector("#claim-banner[data-claimed='mine']")
    page.fill("#editor_title", "Typed title")
    page.fill("#editor_country", "XX")
    page.click("#save-edit")
    page.wait_for_selector("#editor_country-error")
    assert page.input_value("#editor_title") == "Typed title"
    assert page.input_value("#editor_country") == "XX"
    page.wait_for_url(re.compile(rf"/items/{ids['de3']}\?queue="))
    assert "/decide" not in page.url
    # bulk approve two English items
    page.goto(f"{base}/queue?language=en")
    page.check(f'input[name="item"][value="{ids["en2"]}:1"]')
    page.check(f'input[name="item"][value="{ids["en3"]}:1"]')
    page.click("#bulk-approve")
    page.wait_for_url(f"{base}/queue?language=en&msg=bulk-approve&n=2")  # back to the same queue
    assert page.inner_text("#message") == "2 items approved."
    page.click("#bulk-reject")  # nothing selected: nothing happens, the queue says so
    page.wait_for_url(f"{base}/queue?language=en&msg=select-first")
    assert page.inner_text("#message").startswith("Select items first")
    # the history page lists all of it
    page.goto(f"{base}/history")
    history = page.inner_text("table.history")
    for title in ("Integrationskurse", "Neue Beratungsstellen", "Report on labour", "Toolkit"):
        assert title in history
    assert page.dialogs == []  # type: ignore[attr-defined]
    decisions = _decisions(url)
    assert (ids["de1"], "alice", "approve", None) in decisions
    assert (ids["de2"], "alice", "reject", "not relevant") in decisions
    assert {d[0] for d in decisions if d[2] == "approve"} >= {ids["en2"], ids["en3"]}
    context.close()


def test_two_editors_cannot_claim_the_same_item(server, browser) -> None:
    base, url, ids = server
    # two time zones: the claim line is the same absolute UTC time for both
    alice_ctx = browser.new_context(timezone_id="Asia/Tokyo", locale="ja-JP")
    bob_ctx = browser.new_context(timezone_id="America/New_York", locale="en-US")
    alice, bob = _login(alice_ctx, base, "alice"), _login(bob_ctx, base, "bob")
    alice.goto(f"{base}/items/{ids['de3']}?queue=language%3Dde")  # its queue: nothing follows it
    alice.wait_for_selector("#claim-banner[data-claimed='mine']")
    bob.goto(f"{base}/items/{ids['de3']}")
    bob.wait_for_selector("#claim-banner.error")
    mine = re.fullmatch(
        r"Claimed by you \(alice\) until (\d\d:\d\d) UTC\.", alice.inner_text("#claim-banner")
    )
    theirs = re.fullmatch(
        r"Claimed by alice until (\d\d:\d\d) UTC\. You can read it but not decide\.",
        bob.inner_text("#claim-banner"),
    )
    assert mine and theirs and mine.group(1) == theirs.group(1)
    assert bob.is_disabled("#approve") and bob.is_disabled("#reject")
    bob.keyboard.press("a")  # disabled: nothing happens
    bob.wait_for_timeout(300)
    assert all(d[0] != ids["de3"] for d in _decisions(url))
    alice.keyboard.press("d")
    alice.wait_for_url(f"**/queue?status=pending&language=de&done={ids['de3']}&msg=defer")  # queue done
    assert (ids["de3"], "alice", "defer", None) in _decisions(url)
    alice_ctx.close()
    bob_ctx.close()


def test_hostile_title_renders_as_text(server, browser) -> None:
    base, _url, ids = server
    context = browser.new_context()
    page = _login(context, base, "bob")
    page.goto(f"{base}/queue?q=onerror")
    assert page.locator("a.title").all_inner_texts() == [XSS_TITLE]
    assert page.locator("main img").count() == 0
    page.goto(f"{base}/items/{ids['xss']}")
    page.wait_for_selector("#claim-banner[data-claimed='mine']")
    assert page.inner_text("#item-title") == XSS_TITLE
    assert "<script>alert(2)</script>" in page.inner_text("#item-text")
    assert page.locator("#original-link").count() == 0  # javascript: link not made clickable
    assert page.locator("main img, main script, main iframe").count() == 0
    page.wait_for_timeout(300)
    assert page.dialogs == []  # type: ignore[attr-defined]
    context.close()


def test_coverage_page_screenshot(server, browser) -> None:
    base, _url, _ids = server
    ARTIFACTS.mkdir(exist_ok=True)
    # bypass_csp: only so that the grey view's style can be added to the page below
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    page = _login(context, base, "alice")
    page.goto(f"{base}/coverage")
    assert page.locator("figure.heatmap svg").count() == 2
    title = page.locator("figure.heatmap svg title").first.text_content() or ""
    assert title.startswith("Coverage: relevant items")
    assert page.locator("table.alerts tbody tr").all_inner_texts() == [
        "PL\tEconomic Participation\t0\t4\tpl-gov"
    ]
    # the gap reads without colour: outlined, and its count carries the mark
    gap = page.locator("figure.heatmap svg g", has_text="0 !").first
    assert gap.locator("title").text_content() == "PL Economic Participation: 0 (gap)"
    assert gap.locator("rect").get_attribute("stroke-width") == "2"
    page.screenshot(path=str(ARTIFACTS / "coverage.png"), full_page=True)
    page.add_style_tag(content="html { filter: grayscale(1); }")  # as printed or seen without colour
    page.screenshot(path=str(ARTIFACTS / "coverage-grey.png"), full_page=True)
    assert not page.dialogs  # type: ignore[attr-defined]
    context.close()


def _rows_in_view(page) -> int:
    """Queue rows wholly inside the viewport (the page scrolled to the top)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("tr.row")).filter((r) => {
             const b = r.getBoundingClientRect();
             return b.top >= 0 && b.bottom <= window.innerHeight;
           }).length"""
    )


LAPTOP = {"width": 1366, "height": 768}
"""A 1366x768 laptop screen given wholly to the page; `LAPTOP_WINDOW` keeps room for a browser's tabs
and address bar (about 110 px)."""
LAPTOP_WINDOW = {"width": 1366, "height": 657}
PHONE = {"width": 375, "height": 740}


def test_queue_compact_rows_on_a_laptop_and_a_phone(server, browser) -> None:
    """About 15 compact rows on a laptop screen, each two lines (title; reasons and a one-line
    snippet) with the source name, language and date; facets open; no horizontal scroll at 375 px."""
    base, _url, _ids = server
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=LAPTOP)
    page = _login(context, base, "alice")
    page.goto(f"{base}/queue?source=ngo")
    page.wait_for_selector("#counts .counts")
    assert _rows_in_view(page) >= 16  # 18 measured
    page.set_viewport_size(LAPTOP_WINDOW)
    assert _rows_in_view(page) >= 14  # 15 measured
    page.set_viewport_size(LAPTOP)
    first = page.locator("tr.row").first
    assert first.locator(".source-name").inner_text() == "Fédération des associations d'accueil (FAA)"
    assert first.locator("td.lang").inner_text() == "fr"
    assert first.locator(".reason").all_inner_texts() == ["+réfugié*", "+demandeur* d'asile", "+intégration"]
    assert first.locator(".snippet").inner_text().startswith("Le conseil municipal a adopté")  # no title
    # themes as codes, on screen (not only on hover): day1 has two, day4 all six in two lines
    assert first.locator("td.themes").inner_text() == "SC EC"
    assert first.locator("td.themes abbr").first.get_attribute("title") == "Social Cohesion"
    six = page.locator(f'tr.row[data-href^="/items/{_ids["day4"]}?"] td.themes')
    assert six.inner_text().split() == ["AC", "EP", "SC", "EC", "AD", "TT"] and six.is_visible()
    # an undated item says so; the day it was first seen sits below, muted
    undated = page.locator(f'tr.row[data-href^="/items/{_ids["day5"]}?"] td.date')
    assert undated.inner_text().split("\n") == ["undated", f"seen {(NOW - timedelta(days=15)):%Y-%m-%d}"]
    snippets = page.locator(".snippet").all_inner_texts()
    assert sum(s.startswith("Résumé : la commune ouvre") for s in snippets) == 7  # a summary comes first
    heights = page.evaluate(
        """() => Array.from(document.querySelectorAll("tr.row")).map((r) => [
             r.getBoundingClientRect().height,
             r.querySelector(".line.sub").getBoundingClientRect().height])"""
    )
    assert all(row <= 40 and sub <= 18 for row, sub in heights), heights  # two lines; the snippet one
    opened = page.evaluate(
        "() => Array.from(document.querySelectorAll('#counts details')).map((d) => d.open)"
    )
    assert opened and all(opened)
    page.screenshot(path=str(ARTIFACTS / "queue-compact.png"))
    page.set_viewport_size(PHONE)
    for path in ("/queue?source=ngo", f"/items/{_ids['day1']}"):
        page.goto(f"{base}{path}")
        assert page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth"), path
        page.screenshot(path=str(ARTIFACTS / f"{path.split('/')[1].split('?')[0]}-phone.png"), full_page=True)
    context.close()


def test_a_day_of_decisions_walks_the_queue(server, browser) -> None:
    """From the "Model unsure" tab and the priority tab: approve and reject open the next item of
    that queue; the edit form holds the current values; Next leaves the item as it was."""
    base, url, ids = server
    context = browser.new_context(viewport=LAPTOP)
    page = _login(context, base, "bob")
    page.goto(f"{base}/queue?source=ngo&language=it")
    page.click("#tab-uncertain")
    page.wait_for_url("**order=uncertain**")
    # uncertain: |relevance - 0.5| smallest first (day12 0.75, day9 0.81, day2 0.95)
    assert page.locator("a.title").all_inner_texts() == [DAY_ITEMS[n][0] for n in (12, 9, 2)]
    page.click("#next-item")  # claims the first of this view
    page.wait_for_url(re.compile(rf"/items/{ids['day12']}\?queue="))
    assert page.input_value("#editor_title") == DAY_ITEMS[12][0]
    assert page.input_value("#editor_country") == "FR"
    page.wait_for_selector("#claim-banner[data-claimed='mine']")
    page.keyboard.press("a")
    page.wait_for_url(re.compile(rf"/items/{ids['day9']}\?queue=.*done={ids['day12']}&msg=approve$"))
    page.wait_for_selector("#claim-banner[data-claimed='mine']")
    page.keyboard.press("n")  # skip: day2 next, day9 stays pending
    page.wait_for_url(re.compile(rf"/items/{ids['day2']}\?queue="))
    page.wait_for_selector("#claim-banner[data-claimed='mine']")
    page.keyboard.press("r")
    page.select_option("#reason", "out of date")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/items/{ids['day9']}\?queue=.*done={ids['day2']}&msg=reject$"))
    page.keyboard.press("q")  # back to the queue it came from
    page.wait_for_url("**/queue?**order=uncertain**")
    assert page.locator("a.title").all_inner_texts() == [DAY_ITEMS[9][0]]
    decided = {(d[0], d[2], d[3]) for d in _decisions(url) if d[1] == "bob"}
    assert decided == {(ids["day12"], "approve", None), (ids["day2"], "reject", "out of date")}
    assert not page.dialogs  # type: ignore[attr-defined]
    context.close()


PHONE_390 = {"width": 390, "height": 844}


def _page_fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= 390")


def test_phone_width_filters_coverage_and_item_actions(server, browser) -> None:
    """At 390 px: no page scrolls sideways (queue, coverage, item); the queue's Filters link at the top
    jumps to the filter form and its link back returns to the list; coverage's heatmaps scroll in
    their own box; on an item page the shortcuts are folded and Approve and Reject are on screen
    without scrolling, at least 44 px tall."""
    base, _url, ids = server
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=PHONE_390)
    page = _login(context, base, "alice")
    page.goto(f"{base}/queue?status=any")
    assert _page_fits(page)
    link = page.locator("#to-filters")
    assert link.is_visible()
    top, form = link.bounding_box(), page.locator("#filters").bounding_box()
    assert top is not None and top["y"] < 400  # at the top of the list, above the cards
    assert form is not None and form["y"] > 844  # the form itself follows the 50 cards
    link.click()
    page.wait_for_url("**#filters-panel")
    assert page.locator("#apply-filters").is_visible()
    assert page.evaluate("() => window.scrollY") > 844
    assert page.evaluate(
        "() => { const b = document.getElementById('filters').getBoundingClientRect();"
        " return b.top >= -1 && b.top < window.innerHeight; }"
    )
    page.click("#to-list")
    page.wait_for_url("**#queue-list")
    assert page.evaluate("() => window.scrollY") < 400
    page.screenshot(path=str(ARTIFACTS / "queue-390.png"))

    page.goto(f"{base}/coverage")
    assert _page_fits(page)
    boxes = page.evaluate(
        """() => Array.from(document.querySelectorAll("figure.heatmap")).map((f) => [
             f.clientWidth, f.scrollWidth, getComputedStyle(f).overflowX])"""
    )
    assert len(boxes) == 2
    for client, scroll, overflow in boxes:
        assert client <= 390 and overflow == "auto"
        assert scroll > client  # the chart keeps its size and scrolls inside its box
    page.screenshot(path=str(ARTIFACTS / "coverage-390.png"), full_page=True)

    page.goto(f"{base}/items/{ids['day4']}")
    page.wait_for_selector("#claim-banner[data-claimed='mine']")
    assert _page_fits(page)
    assert page.evaluate("() => document.getElementById('item-keys').open") is False
    for button in ("#approve", "#reject", "#defer"):
        box = page.locator(button).bounding_box()
        assert box is not None and box["height"] >= 44, (button, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, (button, box)  # on screen, unscrolled
    page.screenshot(path=str(ARTIFACTS / "item-390.png"))
    # a wide screen still shows the shortcuts
    page.set_viewport_size(LAPTOP)
    page.reload()
    assert page.evaluate("() => document.getElementById('item-keys').open") is True
    assert not page.dialogs  # type: ignore[attr-defined]
    context.close()


def test_item_decision_panel_is_on_a_laptop_screen(server, browser) -> None:
    """At 1366x768 an item with a long title and text shows, without scrolling, what the editor
    decides with: relevance and its reasons, the themes and their scores, Approve, Defer, Reject and
    the reason, and the edit form's first field; the text runs on below."""
    base, _url, ids = server
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=LAPTOP)
    page = _login(context, base, "bob")
    page.goto(f"{base}/items/{ids['long']}")
    page.wait_for_selector("#claim-banner[data-claimed='mine']")
    assert page.evaluate("() => window.scrollY") == 0
    text = page.locator("#item-text").bounding_box()
    assert text is not None and text["y"] + text["height"] > 768  # a long text, below the fold
    page.screenshot(path=str(ARTIFACTS / "item-laptop.png"))
    approve = page.locator("#approve").bounding_box()
    assert approve is not None and approve["y"] < 768, approve
    for part in (
        "#relevance-evidence",
        "#themes",
        "#theme-scores",
        "#approve",
        "#defer",
        "#reason",
        "#reject",
        "#editor_title",
    ):
        box = page.locator(part).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, (part, box)
    assert page.locator("#theme-scores tbody tr").count() == 6
    page.set_viewport_size(LAPTOP_WINDOW)  # with the browser's tabs and address bar
    for part in ("#approve", "#defer", "#reject"):
        box = page.locator(part).bounding_box()
        assert box is not None and box["y"] + box["height"] <= LAPTOP_WINDOW["height"], (part, box)
    assert page.inner_text("#language") == "nl (detected, 97%); document declares nl"
    # the keyboard still decides: Defer opens the queue (nothing else of the default queue is left
    # unclaimed for bob, or the next item)
    page.keyboard.press("d")
    page.wait_for_url(re.compile(r"msg=defer"))
    assert (ids["long"], "bob", "defer", None) in _decisions(_url)
    assert not page.dialogs  # type: ignore[attr-defined]
    context.close()


SOURCE_ERROR = (
    "FetchRefused: https://integration.example.invalid/aktuelles/pressemitteilungen/feed.xml could not "
    "be fetched after 3 attempts: CannotResolveHostError: DNS lookup failed: no results for hostname "
    "lookup: integration.example.invalid (Errno -2: Name or service not known) " * 3
).strip()


def _seed_source_troubles(s) -> None:
    """A broken source as the report had it (a long raw error, a moved URL) and an admin, whose
    sources page has one more column (Enabled)."""
    s.add(
        SourceRow(
            id="dns-fail",
            name="Landesamt für Integration und Migration (Pressemitteilungen)",
            publisher="Landesamt für Integration und Migration",
            kind="listing",
            state="broken",
            consecutive_failures=12,
            last_run_at=NOW,
            last_error_key="fetch.dns",
            last_error=SOURCE_ERROR,
            moved_to={
                "https://integration.example.org/aktuelles/pressemitteilungen/index.html": (
                    "https://www.integration.example.org/de/presse/pressemitteilungen-2026/index.html"
                )
            },
        )
    )
    s.flush()
    users.create_user(s, "carol", "admin", hash_password(PASSWORD))


def test_sources_page_fits_a_laptop_and_a_phone(server, browser) -> None:
    """At 1366x768 the sources table is no wider than the screen and its last column is on it; at
    390x844 the page does not scroll sideways (rows become cards)."""
    base, _url, _ids = server
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=LAPTOP)
    page = _login(context, base, "carol")
    page.goto(f"{base}/sources")
    assert "fetch.dns" in page.inner_text("table.sources")
    fits = page.evaluate(
        """() => {
             const heads = document.querySelectorAll("table.sources thead th");
             const last = heads[heads.length - 1].getBoundingClientRect();
             return {scroll: document.documentElement.scrollWidth, view: window.innerWidth,
                     lastRight: last.right, lastName: heads[heads.length - 1].textContent};
           }"""
    )
    assert fits["lastName"] == "Enabled"
    assert fits["scroll"] <= fits["view"] and fits["lastRight"] <= fits["view"], fits
    page.screenshot(path=str(ARTIFACTS / "sources-laptop.png"), full_page=False)
    page.set_viewport_size(PHONE_390)
    page.goto(f"{base}/sources")
    assert _page_fits(page), page.evaluate("() => document.documentElement.scrollWidth")
    page.screenshot(path=str(ARTIFACTS / "sources-phone.png"), full_page=False)
    context.close()


def _add_decided_item(url: str, key: str, status: str) -> int:
    """An item already decided (`status`), with a theme."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            item = Item(
                identity=f"https://example.org/{key}",
                identity_hash=sha256_hex(f"https://example.org/{key}"),
                source_id="ec",
                url=f"https://example.org/{key}",
                title=f"Decided item {key}",
                text="Text.",
                language="en",
                content_type="news",
                country="EU",
                relevance=0.8,
                relevant=True,
                first_seen_at=NOW,
                status=status,
            )
            s.add(item)
            s.flush()
            s.add(ItemTheme(item_id=item.id, theme="Social Cohesion", score=0.8, assigned=True))
            s.commit()
            return item.id
    finally:
        engine.dispose()


def test_only_items_waiting_for_a_decision_are_claimed(server, browser) -> None:
    """Opening an approved item claims nothing and shows no claim banner nor Claim button; a claimed
    pending item shows "Claimed by you" with Release beside it, never Claim."""
    base, url, ids = server
    decided = _add_decided_item(url, "decided-claim", "approved")
    context = browser.new_context(viewport=LAPTOP)
    page = _login(context, base, "bob")
    page.goto(f"{base}/items/{decided}")
    page.wait_for_load_state("networkidle")
    assert page.locator("#claim-banner").count() == 0 and page.locator("#claim").count() == 0
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            assert s.get(Item, decided).claimed_by is None
    finally:
        engine.dispose()
    page.goto(f"{base}/items/{ids['en1']}")
    page.wait_for_selector("#claim-banner[data-claimed='mine']")
    assert page.inner_text("#claim-banner").startswith("Claimed by you (bob)")
    assert not page.is_visible("#claim") and page.is_visible("#release")
    page.click("#release")
    page.wait_for_url("**/queue?msg=released")
    context.close()
