"""The review queue of the desk (crawler.web.queue): order, filters, counts, saved views, bulk decisions.

Runs on SQLite and PostgreSQL (`db_url`); HTTP goes through FastAPI's TestClient over
``https://testserver`` so the ``Secure`` session cookie is sent back (tests/desklab.py).
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qsl

import html5lib
import pytest
from desklab import NOW, SQLITE_ONLY, add_item, add_source, csrf_of, editor_client
from sqlalchemy import func, select

from crawler.store import queue, users
from crawler.store.schema import (
    Item,
    ReviewDecision,
    SavedView,
    SourceRow,
)
from crawler.web.desk import desk_filters, message_style
from crawler.web.queue import bulk_message


@SQLITE_ONLY
def test_bulk_approve_and_reject(app, Session, seeded) -> None:
    alice = editor_client(app, Session)
    page = alice.get("/queue")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    values = re.findall(r'name="item" value="(\d+:\d+)"', page.text)
    assert len(values) == 3
    form = {"csrf_token": csrf, "request_token": "b" * 32, "action": "approve", "item": values[:2]}
    r = alice.post("/queue/bulk", data=form)
    assert r.status_code == 200 and "2 items approved." in r.text
    r = alice.post("/queue/bulk", data=form)  # repeated submit: nothing new
    form = {
        "csrf_token": csrf,
        "request_token": "c" * 32,
        "action": "reject",
        "reason": "duplicate",
        "item": values[2:],
    }
    assert alice.post("/queue/bulk", data=form).status_code == 200
    with Session() as s:
        statuses = sorted(s.scalars(select(Item.status)))
        assert statuses == ["approved", "approved", "rejected"]
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 3


# --- queue ----------------------------------------------------------------------------------------


@pytest.fixture
def many(Session):
    """40 items across languages, sources, types; two funding calls with near deadlines."""
    with Session() as s:
        add_source(s, "src-a")
        add_source(s, "src-b")
        for n in range(1, 41):
            add_item(
                s,
                n,
                language=("en", "de", "fr", "it")[n % 4],
                source_id=("src-a", "src-b")[n % 2],
                relevance=(n * 37 % 100) / 100,
                content_type="funding" if n in (30, 31) else "news",
                deadline=NOW + timedelta(days=40 - n) if n in (30, 31) else None,
                country=("DE", "FR")[n % 2],
                themes={"Social Cohesion": 0.9} if n % 3 == 0 else {"Tools and Techniques": 0.6},
            )
        s.commit()


def test_queue_order_keyset_pages_and_deadline_lane(Session, many) -> None:
    filters = queue.QueueFilters()
    with Session() as s:
        every, cursor = queue.queue_page(s, filters, limit=200, now=NOW)
        assert cursor is None and len(every) == 40
        # the deadline lane: funding calls due within 21 days, nearest first
        assert [r["title"] for r in every[:2]] == ["Item 31", "Item 30"]
        assert [r["lane"] for r in every[:3]] == [0, 0, 1]
        rest = every[2:]
        # then relevance bands (crawler.store.priority), newest first inside a band
        keys = [
            (sum(r["relevance"] >= b for b in (0.75, 0.5, 0.25)), r["published_at"], r["id"]) for r in rest
        ]
        assert keys == sorted(keys, reverse=True)
        pages, cursor, seen = 0, None, []
        while True:
            rows, cursor = queue.queue_page(s, filters, after=cursor, limit=7, now=NOW)
            seen += [r["id"] for r in rows]
            pages += 1
            if cursor is None:
                break
    assert pages == 6 and seen == [r["id"] for r in every]


def test_queue_filters_and_counts(Session, many) -> None:
    with Session() as s:
        filters = queue.QueueFilters.from_query(
            {"language": "de fr", "source": ["src-b"], "relevance_min": "0.3", "theme": ["Social Cohesion"]}
        )
        rows, _ = queue.queue_page(s, filters, limit=200, now=NOW)
        expected = [
            n
            for n in range(1, 41)
            if n % 4 in (1, 2) and n % 2 == 1 and (n * 37 % 100) / 100 >= 0.3 and n % 3 == 0
        ]
        assert sorted(int(r["title"].split()[1]) for r in rows) == sorted(expected)
        counts = queue.queue_counts(s, queue.QueueFilters.from_query({"language": ["de"]}))
        assert counts["total"] == {"": 10}
        assert counts["language"] == {"en": 10, "de": 10, "fr": 10, "it": 10}  # own facet not applied
        assert counts["source"] == {"src-b": 10}  # German items are n % 4 == 1, all odd: src-b
        dated = queue.QueueFilters.from_query({"date_from": "2026-11-10", "date_to": "2026-11-15"})
        titles = {r["title"] for r in queue.queue_page(s, dated, limit=200, now=NOW)[0]}
        assert titles == {f"Item {n}" for n in range(5, 11)}


def test_counts_are_capped(Session, many) -> None:
    with Session() as s:
        # 40 pending items: over a cap of 15 for the total, status, language, country, source, theme
        counts = queue.queue_counts(s, queue.QueueFilters(), cap=15)
        assert counts["total"] == {"": 16}
        assert counts["capped"] == {
            f: 15 for f in ("status", "language", "content_type", "country", "source", "theme", "total")
        }
        assert counts["language"] == {} and counts["status"] == {}
        # German items (10): exact counts for every facet that keeps the language filter
        german = queue.QueueFilters.from_query({"language": ["de"]})
        counts = queue.queue_counts(s, german, cap=15)
        assert counts["total"] == {"": 10}
        assert counts["capped"] == {"language": 15}  # its own facet drops the filter: 40 items
        assert counts["source"] == {"src-b": 10} and counts["status"] == {"pending": 10}
        assert counts == {**queue.queue_counts(s, german), "language": {}, "capped": {"language": 15}}
        # exactly at the cap is not capped
        assert queue.queue_counts(s, german, cap=10)["total"] == {"": 10}
        assert "total" not in queue.queue_counts(s, german, cap=10)["capped"]


@SQLITE_ONLY
def test_counts_fragment_shows_capped_counts(app, Session, many) -> None:
    import dataclasses

    app.state.settings = dataclasses.replace(app.state.settings, count_cap=15)
    alice = editor_client(app, Session)
    page = alice.get("/queue/counts")
    assert page.status_code == 200
    assert "<p>15+ items match.</p>" in page.text
    assert "Over 15 items: narrow the other filters to count per language." in page.text
    assert '<span class="facet-value">de</span>' not in page.text
    page = alice.get("/queue/counts?language=de")
    assert "<p>10 items match.</p>" in page.text
    assert '<span class="facet-value">src-b</span> <span class="n">10</span>' in page.text
    assert "count per language" in page.text and "count per source" not in page.text


@SQLITE_ONLY
def test_saved_views(app, Session, many) -> None:
    alice = editor_client(app, Session)
    csrf = csrf_of(alice)
    r = alice.post(
        "/views",
        data={"csrf_token": csrf, "name": "my languages", "language": "de fr"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with Session() as s:
        views = users.saved_views(s, 1)
    assert views[0]["name"] == "my languages" and views[0]["query"]["language"] == ["de", "fr"]
    page = alice.get("/queue")
    assert "my languages" in page.text and "language=de&amp;language=fr" in page.text


def test_control_characters_in_desk_filters_are_refused(app, Session, seeded) -> None:
    """A NUL or other control character in a filter, a view's name or a source id is a 400/404,
    never a 500 (PostgreSQL refuses NUL in a query) nor a silently dropped filter."""
    admin = editor_client(app, Session, "root", "admin")
    csrf = csrf_of(admin)
    for path in (
        "/queue?country=%00",
        "/queue?q=%00",
        "/queue?q=a%0Ab",
        "/queue/counts?source=%1b",
        "/queue?la%00=x",
    ):
        r = admin.get(path)
        assert r.status_code == 400 and "must not contain control characters" in r.text, path
    r = admin.post("/queue/next?country=%00", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 400
    r = admin.post("/views", data={"csrf_token": csrf, "name": "mine\x00", "language": "de"})
    assert r.status_code == 400
    r = admin.post("/admin/sources/src-a%00", data={"csrf_token": csrf, "enabled": "false"})
    assert r.status_code == 404
    with Session() as s:
        assert s.get(SourceRow, "src-a").enabled is True
        assert users.saved_views(s, 2) == [] and s.scalar(select(func.count()).select_from(Item)) == 3
    assert admin.get("/queue?country=de&q=Item").status_code == 200


def test_queue_marks_undated_items_as_such(app, Session) -> None:
    """The Published column shows a publication date plainly and, for an item without one,
    "undated" with its first-seen date below it ("seen ..."), muted, so it never reads as the newest
    date on the screen; a call's deadline takes that second line (the first-seen date stays in the
    title). The item page shows "Published —"."""
    with Session() as s:
        add_source(s, "src-a")
        dated = add_item(s, 1).id
        undated = add_item(s, 2, published_at=None).id
        call = add_item(s, 3, published_at=None, deadline=NOW + timedelta(days=9)).id
        s.commit()
    alice = editor_client(app, Session)
    tree = html5lib.parse(alice.get("/queue").text, namespaceHTMLElements=False)
    header = [th.text for th in tree.iter("th")]
    rows = {tr.get("data-href"): tr.findall("td") for tr in tree.iter("tr") if tr.get("data-href")}
    column = header.index("Published")
    plain = rows[f"/items/{dated}"][column]
    assert plain.text == "2026-11-19" and list(plain) == []
    marked = rows[f"/items/{undated}"][column]
    label, seen = list(marked)
    assert (marked.text or "") == "" and (label.tag, label.text) == ("span", "undated")
    assert label.get("title") == "no publication date; first seen 2026-11-18"
    assert (seen.tag, seen.text) == ("div", "seen 2026-11-18") and "muted" in seen.get("class")
    label, due = list(rows[f"/items/{call}"][column])
    assert label.text == "undated" and label.get("title") == "no publication date; first seen 2026-11-17"
    assert due.get("class") == "due" and due.text.startswith("due 2026-11-29")
    item_page = alice.get(f"/items/{undated}").text
    assert '<dt>Published</dt><dd id="published">No publication date found</dd>' in item_page


@SQLITE_ONLY
def test_queue_rows_show_theme_codes(app, Session) -> None:
    """Each row shows its effective themes (the editor's when set) as the codes ``ewsi queue``
    prints, each an <abbr> naming the theme, in a column of their own; a row without themes a dash."""
    with Session() as s:
        add_source(s, "src-a")
        two = add_item(s, 1, themes={"Social Cohesion": 0.9, "Economic Participation": 0.7}).id
        edited = add_item(s, 2, editor_themes=["Tools and Techniques"]).id
        none = add_item(s, 3, themes={"Active Citizenship": 0.2}).id
        s.commit()
    alice = editor_client(app, Session)
    tree = html5lib.parse(alice.get("/queue").text, namespaceHTMLElements=False)
    header = [th.text for th in tree.iter("th")]
    rows = {tr.get("data-href"): tr.findall("td") for tr in tree.iter("tr") if tr.get("data-href")}
    column = header.index("Themes")

    def shown(item_id: int) -> list[tuple[str | None, str | None]]:
        return [(abbr.text, abbr.get("title")) for abbr in rows[f"/items/{item_id}"][column].iter("abbr")]

    assert shown(two) == [("SC", "Social Cohesion"), ("EP", "Economic Participation")]
    assert shown(edited) == [("TT", "Tools and Techniques")]
    assert shown(none) == [] and "".join(rows[f"/items/{none}"][column].itertext()) == "—"
    assert all(td.get("title") is None for tds in rows.values() for td in tds)  # nothing only on hover


# (query, items listed, the problem shown beside the filters or "")
FILTER_CASES = [
    ("theme=social_cohesion", 13, ""),  # the read API's theme id
    ("theme=Social+Cohesion", 13, ""),  # its name
    # the forms ``ewsi queue --theme`` takes: the two-letter code, any case, spaces around
    ("theme=SC", 13, ""),
    ("theme=sc", 13, ""),
    ("theme=social+cohesion", 13, ""),
    ("theme=+Social_Cohesion+", 13, ""),
    ("theme=SC&theme=TT", 40, ""),
    ("theme=XY", 40, "Unknown theme &#39;XY&#39;: ignored."),
    ("theme=social_cohesion&theme=tools_techniques", 40, ""),
    ("theme=nonexistent", 40, "Unknown theme &#39;nonexistent&#39;: ignored."),
    ("theme=social_cohesion&theme=zzz", 13, "Unknown theme &#39;zzz&#39;: ignored."),
    ("date_from=2026-13-45", 40, "Date from &#39;2026-13-45&#39; is not a day (YYYY-MM-DD): ignored."),
    ("date_to=yesterday&language=de", 10, "Date to &#39;yesterday&#39; is not a day"),
    ("date_to=9999-12-31", 40, ""),  # the calendar's last day is a day (it was a 500)
    ("date_from=0001-01-01&date_to=9999-12-31", 40, ""),
    ("status=bogus", 40, "Unknown status &#39;bogus&#39;"),
    ("relevance_min=high", 40, "Relevance &#39;high&#39; is not a number"),
    ("content_type=blog", 40, "Unknown content type &#39;blog&#39;"),
    ("country=Germany", 40, "Not a country code (ISO 3166-1, EU): &#39;Germany&#39;"),
    ("language=german&theme=social_cohesion", 13, "Not a language code (ISO 639-1, und): &#39;german&#39;"),
    # well-formed but unknown or out of range: named too, never an empty list without a word
    ("language=xx", 40, "Not a language code (ISO 639-1, und): &#39;xx&#39;: ignored."),
    ("language=xx&language=de", 10, "Not a language code (ISO 639-1, und): &#39;xx&#39;"),
    ("language=DE", 10, ""),
    ("country=XX", 40, "Not a country code (ISO 3166-1, EU): &#39;XX&#39;: ignored."),
    ("country=12", 40, "Not a country code (ISO 3166-1, EU): &#39;12&#39;"),
    ("country=de", 20, ""),
    ("source=nope", 40, "Unknown source &#39;nope&#39;: ignored."),
    ("source=nope&source=src-a", 20, "Unknown source &#39;nope&#39;: ignored."),
    ("source=src-b", 20, ""),
    ("relevance_min=5", 40, "Relevance &#39;5&#39; is not a number between 0 and 1: ignored."),
    ("relevance_max=-0.5", 40, "Relevance &#39;-0.5&#39; is not a number between 0 and 1"),
    ("relevance_min=0.9", 4, ""),  # a bound inside 0..1 filters
    ("order=bogus", 40, "Unknown order &#39;bogus&#39; (use priority, uncertain): showing by priority."),
    ("page=-1", 40, "Page &#39;-1&#39; is not a whole number from 1 to 10,000: showing page 1."),
    ("page=abc&order=uncertain", 40, "Page &#39;abc&#39; is not a whole number"),
    ("page=10001&order=uncertain&language=fr", 10, "Page &#39;10001&#39; is not a whole number"),
]


@SQLITE_ONLY
@pytest.mark.parametrize(
    "typed", ["SC", "sc", " Sc ", "Social Cohesion", "SOCIAL COHESION", "social_cohesion", "XY"]
)
def test_desk_reads_a_theme_as_the_cli_does(Session, typed: str) -> None:
    """Rule: one reading of a typed theme (crawler.themes `theme_name`) for ``ewsi queue --theme``
    and the desk's filter; what the command refuses, the desk names as unknown."""
    from crawler.commands.queue import _theme_name

    with Session() as s:
        filters, problems = desk_filters(s, {"theme": typed})
    try:
        name = _theme_name(typed)
    except ValueError:
        assert filters.themes == () and "theme" in problems
    else:
        assert filters.themes == (name,) == ("Social Cohesion",) and "theme" not in problems


@pytest.mark.parametrize(("query", "listed", "problem"), FILTER_CASES)
def test_unknown_filter_values_are_shown_never_silently_dropped(
    app, Session, many, query: str, listed: int, problem: str
) -> None:
    """Rule: the desk takes the API's theme ids and names; an unknown or malformed value is shown
    beside the filters and that filter is left out of both the list and its counts."""
    alice = editor_client(app, Session)
    page = alice.get(f"/queue?{query}")
    assert page.status_code == 200
    assert len(re.findall(r'name="item" value="\d+:\d+"', page.text)) == listed
    shown = re.search(r'<ul class="flash error filter-problems"[^>]*>(.*?)</ul>', page.text)
    if problem:
        assert shown is not None and problem in shown.group(1), page.text[:2000]
        # above the list, not in the filter column that a phone shows after the rows
        first_row = re.search(r'name="item" value="\d+:\d+"', page.text)
        assert first_row is None or shown.start() < first_row.start()
        assert shown.start() > page.text.index('<section class="list"')
    else:
        assert shown is None
    counts = alice.get(f"/queue/counts?{query}")
    assert f"{listed} items match." in counts.text
    # the counts the page loads are those of the filters it applied
    src = re.search(r'data-src="(/queue/counts\?[^"]*)"', page.text).group(1)  # type: ignore[union-attr]
    assert f"{listed} items match." in alice.get(src.replace("&amp;", "&")).text


# (what is sent as indexes into the listed items, with a revision offset; approved, refused, status)
BULK_REPEATS = [
    ([(0, 0), (0, 0), (0, 0)], 1, 0, 200),
    ([(0, 0), (1, 0), (0, 0), (1, 0)], 2, 0, 200),
    ([(0, 0), (0, 1)], 0, 1, 409),  # the same item at two revisions: stale
    ([(0, 0), (0, 1), (2, 0), (2, 0)], 1, 1, 200),
]


@SQLITE_ONLY
@pytest.mark.parametrize(("sent", "approved", "refused", "status"), BULK_REPEATS)
def test_bulk_counts_each_item_once(app, Session, seeded, sent, approved, refused, status) -> None:
    """Rule: repeated item ids are decided and counted once; conflicting revisions refuse that item."""
    alice = editor_client(app, Session)
    page = alice.get("/queue")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    listed = [tuple(map(int, v.split(":"))) for v in re.findall(r'name="item" value="(\d+:\d+)"', page.text)]
    items = [f"{listed[i][0]}:{listed[i][1] + offset}" for i, offset in sent]
    form = {"csrf_token": csrf, "request_token": "d" * 32, "action": "approve", "item": items}
    answer = alice.post("/queue/bulk", data=form)
    assert answer.status_code == status
    notice = "bulk-done" if refused else "message"  # refusals are listed; else back to the queue
    done = re.search(rf'id="{notice}">([^<]*)<', answer.text).group(1)  # type: ignore[union-attr]
    assert done == f"{approved} item{'' if approved == 1 else 's'} approved."
    style = "ok" if approved else "notice"  # nothing approved is not styled as a success
    assert re.search(rf'class="flash {style}" role="status" id="{notice}"', answer.text)
    if refused:
        assert f"{refused} item refused:" in answer.text and "conflicting revisions" in answer.text
    else:
        assert "refused" not in answer.text
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == approved
        assert s.scalar(select(func.count()).where(Item.status == "approved")) == approved


# (page size, filter query, the number of rows on each page walked through the next-page links)
UNCERTAIN_PAGES = [
    (50, "", [40]),
    (7, "", [7, 7, 7, 7, 7, 5]),
    (10, "", [10, 10, 10, 10]),
    (4, "language=de", [4, 4, 2]),
    (5, "theme=social_cohesion", [5, 5, 3]),
]


@SQLITE_ONLY
@pytest.mark.parametrize(("size", "query", "pages"), UNCERTAIN_PAGES)
def test_model_unsure_tab_pages_through_every_item(app, Session, many, size, query, pages) -> None:
    """Rule: the uncertain order pages like the priority order: a next-page link while more items
    match, every item once, in the order of the store's uncertain ranking."""
    import dataclasses

    app.state.settings = dataclasses.replace(app.state.settings, page_size=size)
    alice = editor_client(app, Session)
    url: str | None = f"/queue?{query}&order=uncertain"
    seen: list[int] = []
    sizes: list[int] = []
    while url:
        page = alice.get(url)
        assert page.status_code == 200
        ids = [int(v.split(":")[0]) for v in re.findall(r'name="item" value="(\d+:\d+)"', page.text)]
        sizes.append(len(ids))
        seen += ids
        assert f'id="page-number">Page {len(sizes)}<' in page.text
        assert ('id="prev-page"' in page.text) == (len(sizes) > 1)
        link = re.search(r'href="([^"]+)" id="next-page"', page.text)
        url = link.group(1).replace("&amp;", "&") if link else None
    assert sizes == pages
    with Session() as s:
        filters, _ = desk_filters(s, dict(parse_qsl(query)))
        expected = [r["id"] for r in queue.uncertain_page(s, filters, limit=200)]
    assert seen == expected and len(set(seen)) == sum(pages)


def _listed(text: str) -> list[int]:
    return [int(v.split(":")[0]) for v in re.findall(r'name="item" value="(\d+:\d+)"', text)]


@SQLITE_ONLY
@pytest.mark.parametrize("order", ["priority", "uncertain"])
def test_a_page_past_the_end_says_so_in_either_order(app, Session, many, order) -> None:
    """Rule: ``page`` numbers both orders; a page past the last one is named with a link to the last
    page (never "Nothing matches" while items match, never page 1 silently); the last page lists the
    rows the next-page links reach last."""
    import dataclasses

    app.state.settings = dataclasses.replace(app.state.settings, page_size=15)
    alice = editor_client(app, Session)
    base = "/queue?order=uncertain" if order == "uncertain" else "/queue?"
    # every item, walked through the next-page links
    walked: list[list[int]] = []
    url: str | None = base
    while url:
        page = alice.get(url)
        walked.append(_listed(page.text))
        link = re.search(r'href="([^"]+)" id="next-page"', page.text)
        url = link.group(1).replace("&amp;", "&") if link else None
    assert [len(ids) for ids in walked] == [15, 15, 10]
    # numbered pages list the same rows
    for number, ids in enumerate(walked, start=1):
        assert _listed(alice.get(f"{base}&page={number}").text) == ids
    past = alice.get(f"{base}&page=999")
    assert past.status_code == 200 and _listed(past.text) == []
    assert "Nothing matches these filters" not in past.text
    assert "Page 999 is past the last page (3)" in past.text
    last = re.search(r'href="([^"]+)" id="last-page"', past.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert last.endswith("&page=3") and ("order=uncertain" in last) == (order == "uncertain")
    assert _listed(alice.get(last).text) == walked[-1]
    assert 'id="next-page"' not in past.text and 'id="prev-page"' not in past.text
    # with filters that match nothing, nothing matches on any page
    empty = alice.get(f"{base}&language=fi&page=4")
    assert "Nothing matches these filters" in empty.text and "past the last page" not in empty.text


@SQLITE_ONLY
@pytest.mark.parametrize("offset", [0, 1, 2, 3, 17, 38, 40, 41])
def test_priority_page_by_offset_spans_both_lanes(Session, many, offset) -> None:
    """Rule: an offset into the priority order skips the deadline lane first, then the rest."""
    with Session() as s:
        filters = queue.QueueFilters()
        everything = [r["id"] for r in queue.queue_page(s, filters, limit=200)[0]]
        rows, cursor = queue.queue_page(s, filters, limit=5, offset=offset)
        assert [r["id"] for r in rows] == everything[offset : offset + 5]
        assert (cursor is not None) == (offset + 5 < len(everything))
        assert queue.count_matching(s, filters) == len(everything) == 40


# (name typed, status, how the queue lists it afterwards or the refusal's words)
VIEW_NAMES = [
    ("my languages", 303, "<bdi>my languages</bdi>"),
    ("\u202egnitset", 303, "<bdi>\u202egnitset</bdi>"),
    ("ملفات \u202bعربية", 303, "<bdi>ملفات \u202bعربية</bdi>"),
    ("v" * 64, 303, f"<bdi>{'v' * 64}</bdi>"),
    ("  padded  ", 303, "<bdi>padded</bdi>"),
    ("w" * 65, 400, "at most 64 characters (this one has 65); nothing was saved"),
    ("x" * 200, 400, "at most 64 characters (this one has 200)"),
]


@SQLITE_ONLY
@pytest.mark.parametrize(("name", "status", "shown"), VIEW_NAMES)
def test_view_names_are_isolated_and_never_cut(app, Session, name: str, status: int, shown: str) -> None:
    """Rule: a saved view's name is listed in ``<bdi>`` like titles, and a name over 64 characters
    is refused with a message, never shortened silently."""
    alice = editor_client(app, Session)
    csrf = csrf_of(alice)
    answer = alice.post(
        "/views", data={"csrf_token": csrf, "name": name, "language": "de"}, follow_redirects=False
    )
    assert answer.status_code == status
    with Session() as s:
        names = list(s.scalars(select(SavedView.name)))
    if status == 303:
        assert names == [name.strip()]
        assert shown in alice.get("/queue").text
    else:
        assert shown in answer.text and 'class="flash error"' in answer.text
        assert names == []


def test_filters_link_at_the_top_of_the_list(app, Session, many) -> None:
    """The queue opens with a Filters link (shown on narrow screens, where the filter column follows
    the rows) to the filter column, which links back to the list; it counts the filters set."""
    alice = editor_client(app, Session)
    page = alice.get("/queue?language=de&language=fr&source=src-a").text
    link = re.search(r'<a href="#(filters-panel)" id="to-filters">Filters \(2 set\)</a>', page)
    assert link is not None
    first_row = re.search(r'name="item" value="\d+:\d+"', page)
    assert first_row is not None and link.start() < first_row.start()
    assert 'id="filters-panel"' in page and '<a href="#queue-list" id="to-list">' in page
    assert 'id="queue-list"' in page
    assert ">Filters</a>" in alice.get("/queue").text  # none set


@SQLITE_ONLY
def test_bulk_goes_back_to_the_same_queue_with_a_notice(app, Session, many) -> None:
    """Post-redirect-get: a bulk decision answers 303 to the queue it was sent from (the same query
    string: filters, order, page) with "3 items rejected."; nothing selected changes nothing and
    says "Select items first"; the queue's bulk form carries its own address."""
    alice = editor_client(app, Session)
    address = "/queue?language=de&source=src-b&order=uncertain&page=1"
    page = alice.get(address).text
    back = re.search(r'name="back" value="([^"]*)"', page).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert dict(parse_qsl(back.partition("?")[2])) == dict(parse_qsl(address.partition("?")[2]))
    values = re.findall(r'name="item" value="(\d+:\d+)"', page)
    assert len(values) >= 3
    csrf = csrf_of(alice)
    base = {"csrf_token": csrf, "back": back, "reason": "duplicate"}

    # nothing selected, either action: back to the same queue, nothing stored
    for action in ("reject", "approve"):
        form = {**base, "request_token": f"{action[0]}" * 32, "action": action}
        r = alice.post("/queue/bulk", data=form, follow_redirects=False)
        assert r.status_code == 303
        target = r.headers["location"]
        assert target.startswith("/queue?")
        pairs = parse_qsl(target.partition("?")[2])
        assert ("msg", "select-first") in pairs and "n" not in dict(pairs)
        assert {k: v for k, v in pairs if k != "msg"} == dict(parse_qsl(address.partition("?")[2]))
        shown = alice.get(target).text
        assert re.search(r'id="message">Select items first', shown)
        assert "items rejected" not in shown and "/queue/bulk" not in r.headers["location"]
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 0

    # three selected: rejected, then back to the same queue saying so
    form = {**base, "request_token": "h" * 32, "action": "reject", "item": values[:3]}
    r = alice.post("/queue/bulk", data=form, follow_redirects=False)
    assert r.status_code == 303
    pairs = parse_qsl(r.headers["location"].partition("?")[2])
    assert [p for p in pairs if p[0] in ("msg", "n")] == [("msg", "bulk-reject"), ("n", "3")]
    assert {k: v for k, v in pairs if k not in ("msg", "n")} == dict(parse_qsl(address.partition("?")[2]))
    shown = alice.get(r.headers["location"])
    assert (
        shown.status_code == 200
        and '<p class="flash ok" role="status" id="message">3 items rejected.</p>' in shown.text
    )
    # the page's own bulk form does not carry the notice on
    again = re.search(r'name="back" value="([^"]*)"', shown.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert "msg=" not in again and "n=" not in again
    with Session() as s:
        assert s.scalar(select(func.count()).where(Item.status == "rejected")) == 3
    # one approved: "1 item approved."
    one = re.findall(r'name="item" value="(\d+:\d+)"', alice.get(address).text)[0]
    form = {**base, "request_token": "i" * 32, "action": "approve", "item": [one]}
    assert "1 item approved." in alice.post("/queue/bulk", data=form).text


@pytest.mark.parametrize(
    ("msg", "n", "shown"),
    [
        ("bulk-reject", "3", "3 items rejected."),
        ("bulk-approve", "1", "1 item approved."),
        ("bulk-approve", "0", "0 items approved."),
        ("bulk-approve", "x", None),
        ("bulk-approve", None, None),
        ("bulk-approve", "\u0663", None),  # an Arabic-Indic digit is not a count
        ("bulk-defer", "2", None),
        ("select-first", None, "Select items first: nothing was approved or rejected."),
        (None, None, None),
    ],
)
def test_bulk_message(msg, n, shown) -> None:
    assert bulk_message(msg, n) == shown


@pytest.mark.parametrize(
    ("query", "style", "words"),
    [
        ("msg=select-first", "notice", "Select items first: nothing was approved or rejected."),
        ("msg=empty", "notice", "No unclaimed item is waiting under these filters."),
        ("msg=repeated", "notice", "This form had already been submitted; it was recorded once."),
        ("msg=bulk-approve&n=0", "notice", "0 items approved."),
        ("msg=bulk-reject&n=00", "notice", "0 items rejected."),
        ("msg=bulk-reject&n=3", "ok", "3 items rejected."),
        ("msg=bulk-approve&n=1", "ok", "1 item approved."),
        ("msg=saved", "ok", "View saved."),
        ("msg=released", "ok", "Claim released."),
    ],
)
def test_a_message_that_reports_nothing_done_is_a_notice(app, Session, query, style, words) -> None:
    """Rule: a flash message saying nothing was done (nothing selected, nothing waiting, a form sent
    twice, a bulk action that decided no item) is styled as a notice, never as a success."""
    alice = editor_client(app, Session)
    page = alice.get(f"/queue?{query}")
    assert f'<p class="flash {style}" role="status" id="message">{words}</p>' in page.text
    key, _, rest = query.partition("&")
    n = rest.partition("=")[2] or None
    assert message_style(key.partition("=")[2], n) == style
