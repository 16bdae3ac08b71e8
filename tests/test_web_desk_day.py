"""The desk for a day's work (crawler.web.rows, crawler.web.items, crawler.web.queue): compact rows
with a snippet and the top reasons for relevance, approve/reject/defer opening the next item of the
queue the item came from, one claim line in UTC for every viewer, the edit form pre-filled, counted
nouns; and the desk and ``ewsi queue`` listing the same items in the same order on both back ends."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from desklab import NOW, SQLITE_ONLY, add_item, add_source, csrf_of, decide_form, editor_client
from sqlalchemy import select

from crawler.store import queue as store_queue
from crawler.store.schema import Item, ReviewDecision
from crawler.text import counted
from crawler.web.rows import claim_line, reasons, snippet

# --- pure rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "singular", "plural", "expected"),
    [
        (0, "item", None, "0 items"),
        (1, "item", None, "1 item"),
        (2, "item", None, "2 items"),
        (-1, "day", None, "-1 day"),
        (1000, "item", None, "1,000 items"),
        (1, "day left", "days left", "1 day left"),
        (5, "day left", "days left", "5 days left"),
        (1, "match", "matches", "1 match"),
        (3, "match", "matches", "3 matches"),
    ],
)
def test_counted(n, singular, plural, expected) -> None:
    assert counted(n, singular, plural) == expected


@pytest.mark.parametrize(
    ("source", "title", "limit", "expected"),
    [
        (None, None, 240, ""),
        ("", "Title", 240, ""),
        ("Plain one-line summary.", None, 240, "Plain one-line summary."),
        ("Line one\n\n  line\ttwo\u00a0end", None, 240, "Line one line two end"),
        # the text opens with the title: the snippet starts after it (case-insensitively)
        (
            "New advice centre.\n\nThe city opens a centre.",
            "New advice centre",
            240,
            "The city opens a centre.",
        ),
        ("NEW ADVICE CENTRE: the city opens", "New advice centre", 240, "the city opens"),
        ("Title only", "Title only", 240, ""),
        # cut at a word boundary with an ellipsis
        ("alpha beta gamma delta epsilon", None, 20, "alpha beta gamma…"),
        ("abcdefghijklmnopqrstuvwxyz", None, 10, "abcdefghi…"),
        # bidi overrides dropped, zero-width characters gone
        ("evil\u202e txt\u200b here", None, 240, "evilereh txt"),
    ],
)
def test_snippet(source, title, limit, expected) -> None:
    assert snippet(source, title, limit) == expected


@pytest.mark.parametrize(
    ("source", "title", "expected"),
    [
        # kicker and headline on two lines, the title joins them with a colon (de)
        (
            'Schnellere Integration\n"Job-Turbo" hilft Geflüchteten\nSeit Beginn des Kriegs kamen viele.',
            'Schnellere Integration: "Job-Turbo" hilft Geflüchteten',
            "Seit Beginn des Kriegs kamen viele.",
        ),
        # the same words with other quotes and a hyphen for a space (de)
        (
            "SVP-Sonderparteitag zur Migration Chiesa ruft zum «Widerstand» auf\nDie Delegierten tagten.",
            'SVP Sonderparteitag zur Migration: Chiesa ruft zum "Widerstand" auf',
            "Die Delegierten tagten.",
        ),
        # the title's own closing marks go with it, an opening quote on the next line stays (de, en)
        (
            "Ist die Inklusion umsetzbar? Soziales Netzwerk",
            "Ist die Inklusion umsetzbar?",
            "Soziales Netzwerk",
        ),
        ("Die Studie „Lebensgefühl“ - Pressemitteilung", "Die Studie „Lebensgefühl“", "Pressemitteilung"),
        ("New centre\n“We are ready,” the mayor said.", "New centre", "“We are ready,” the mayor said."),
        # a badge line before the text (cs), no copy of the title
        (
            "Článek\nHlavní obviněný řekl, že prodává vilu.",
            "Hlavní aktér prodává vilu",
            "Hlavní obviněný řekl, že prodává vilu.",
        ),
        # the headline, then a comment count (es)
        (
            "Albares defiende el embargo\n47\nLa situación en Gaza centra la reunión.",
            "Albares defiende el embargo",
            "La situación en Gaza centra la reunión.",
        ),
        # a badge, then the title in capitals, then a dateline word (fr)
        (
            "Article\nLA VILLE OUVRE UN CENTRE\nParis\nLe centre accueille les réfugiés.",
            "La ville ouvre un centre",
            "Le centre accueille les réfugiés.",
        ),
        # a title that only begins the first sentence's words is not a copy (en)
        ("Integration courses open today for all.", "Integration courses", "open today for all."),
        ("Integrationskurse starten heute.", "Integration", "Integrationskurse starten heute."),
        # a text of one word is kept; a text that is only the title leaves nothing (pl)
        ("Uchodźcy", "Inny tytuł", "Uchodźcy"),
        ("Nowe centrum\n\n", "Nowe centrum.", ""),
        # a document's reference lines before its prose (sv), the title on the first of them
        (
            "Organisering av framtidens e-förvaltning ID-nummer: SOU 2013:75\n"
            "Ansvarig: Näringsdepartementet\nLadda ner:\nOrdförklaringar\n"
            "E-delegationen har arbetat i fyra år.",
            "Organisering av framtidens e-förvaltning",
            "E-delegationen har arbetat i fyra år.",
        ),
        # a short first sentence is prose (nl); a long line without a stop too (it)
        (
            "Kort nieuws.\nDe minister opent een centrum",
            "Iets anders",
            "Kort nieuws. De minister opent een centrum",
        ),
        (
            "Roma\nIl governo apre nuovi corsi di lingua per rifugiati\nAltro",
            "Corsi",
            "Il governo apre nuovi corsi di lingua per rifugiati Altro",
        ),
        # no line is prose: only the one-word labels go (fi)
        ("Uutinen\nKotoutumisen tuki\nLisää tietoa", "Otsikko", "Kotoutumisen tuki Lisää tietoa"),
        # the title twice, then labels (pl); an identifier line is no prose (en)
        (
            '"Ziemniaki na szóstej". Jak pomagać?\n"Ziemniaki na szóstej". Jak pomagać?\nREKLAMA\nred.\n'
            "Jak pomóc osobie niewidomej w restauracji?",
            '"Ziemniaki na szóstej". Jak pomagać?',
            "Jak pomóc osobie niewidomej w restauracji?",
        ),
        (
            "Type: procedure (NLE)\n- European Parliament: 12016E077 ; 12016E218 ; 12016E079\n"
            "The Parliament gave its consent to the agreement with Montenegro",
            "Agreement with Montenegro",
            "The Parliament gave its consent to the agreement with Montenegro",
        ),
        # a title with no words matches nothing (el)
        ("— —\nΝέο κέντρο για πρόσφυγες.", "—", "Νέο κέντρο για πρόσφυγες."),
    ],
)
def test_snippet_starts_at_the_documents_words(source, title, expected) -> None:
    assert snippet(source, title) == expected


E = [
    {"term": "refugee*", "weight": 2.0, "language": "en", "count": 1},
    {"term": "integration", "weight": 1.0, "language": "en", "count": 3},
    {"term": "sanction*", "weight": -2.5, "language": "en", "count": 1},
    {"term": "school", "weight": 0.3, "language": "en", "count": 2},
]


@pytest.mark.parametrize(
    ("evidence", "shown", "expected"),
    [
        (None, 3, []),
        ("not a list", 3, []),
        ([], 3, []),
        (E, 3, [("integration", "up"), ("sanction*", "down"), ("refugee*", "up")]),
        # one slot: the heaviest negative takes it (it is what held the score down)
        (E, 1, [("sanction*", "down")]),
        (E[:1] + E[3:], 3, [("refugee*", "up"), ("school", "up")]),
        # zero weight, missing or non-text term, non-mapping, bad numbers: skipped
        (
            [
                {"term": "zero", "weight": 0},
                {"weight": 3},
                {"term": 7, "weight": 3},
                "migrant",
                {"term": "bad", "weight": "x"},
                {"term": "ok", "weight": 0.5},
            ],
            3,
            [("ok", "up")],
        ),
        # no count counts once; ties by term
        ([{"term": "b", "weight": 1}, {"term": "a", "weight": 1}], 3, [("a", "up"), ("b", "up")]),
        # one chip per word as written: a rule term and a model word of the same written word
        (
            [
                {"term": "integrationskurs*", "weight": 2.5, "written": "Integrationskurse"},
                {"term": "integrationskurse", "weight": 0.8, "written": "Integrationskurse"},
                {"term": "gefluchtet*", "weight": 2, "written": "Geflüchtete"},
                {"term": "integrationskurse", "weight": -0.4},  # the other way: its own chip
            ],
            4,
            [
                ("integrationskurs*", "up"),
                ("gefluchtet*", "up"),
                ("integrationskurse", "down"),
            ],
        ),
    ],
)
def test_top_reasons(evidence, shown, expected) -> None:
    assert [(r["term"], r["pushes"]) for r in reasons(evidence, shown)] == expected


POSITIVES = [
    {"term": "flüchtling*", "weight": 3.0, "language": "de", "count": 2},
    {"term": "integration", "weight": 2.0, "language": "de", "count": 1},
    {"term": "asyl*", "weight": 1.5, "language": "de", "count": 1},
    {"term": "schule", "weight": 1.0, "language": "de", "count": 1},
]
MARKER = {"term": "too little migrant evidence", "weight": -0.7}


@pytest.mark.parametrize(
    ("evidence", "shown", "expected"),
    [
        # only positives: the heaviest ones
        (POSITIVES, 3, [("flüchtling*", "up"), ("integration", "up"), ("asyl*", "up")]),
        # one negative lighter than the top three: it takes the last slot
        (
            [*POSITIVES, {"term": "neue chefin", "weight": -0.9, "language": "de", "count": 1}],
            3,
            [("flüchtling*", "up"), ("integration", "up"), ("neue chefin", "down")],
        ),
        # several negatives: the heaviest one (|weight| x count) is kept
        (
            [
                *POSITIVES,
                {"term": "neue chefin", "weight": -0.9, "language": "de", "count": 1},
                {"term": "sonderparteitag*", "weight": -0.6, "language": "de", "count": 2},
            ],
            3,
            [("flüchtling*", "up"), ("integration", "up"), ("sonderparteitag*", "down")],
        ),
        # a negative already among the heaviest: nothing is swapped
        (
            [*POSITIVES, {"term": "sonderparteitag*", "weight": -8.54, "language": "de", "count": 1}],
            3,
            [("sonderparteitag*", "down"), ("flüchtling*", "up"), ("integration", "up")],
        ),
        # the marker of too little migrant evidence is a negative reason like the others
        ([*POSITIVES, MARKER], 3, [("flüchtling*", "up"), ("integration", "up"), (MARKER["term"], "down")]),
        ([*POSITIVES[:1], MARKER], 3, [("flüchtling*", "up"), (MARKER["term"], "down")]),
        # weights that round to 0.00 are never reasons, however often they count
        (
            [
                {"term": "model:mehr", "weight": 0.004, "count": 9},
                {"term": "content type:news", "weight": -0.001},
                {"term": "migrant*", "weight": 0.5},
            ],
            3,
            [("migrant*", "up")],
        ),
        ([{"term": "model:mehr", "weight": 0.0049}, {"term": "model:weniger", "weight": -0.003}], 3, []),
        # a model word that moves the model's log-odds by less than MODEL_REASON_MIN is no reason,
        # whichever side it pushes; a rule term of the same weight still is
        (
            [
                {"term": "asylcenter", "weight": 3.0, "language": "da"},
                {"term": "model:uden", "weight": 0.02},
                {"term": "model:vente", "weight": 0.039},
            ],
            3,
            [("asylcenter", "up")],
        ),
        (
            [
                {"term": "asylcenter", "weight": 3.0, "language": "da"},
                {"term": "model:jobcenter", "weight": 0.04},
                {"term": "model:uden", "weight": 0.02},
            ],
            3,
            [("asylcenter", "up"), ("model:jobcenter", "up")],
        ),
        (
            [{"term": "migrant*", "weight": 0.5}, {"term": "model:krieg", "weight": -0.05}],
            3,
            [("migrant*", "up"), ("model:krieg", "down")],
        ),
        (
            [{"term": "migrant*", "weight": 0.5}, {"term": "model:krieg", "weight": -0.03}],
            3,
            [("migrant*", "up")],
        ),
        (
            [{"term": "beratung", "weight": 0.02}, {"term": "model:beratung", "weight": 0.02}],
            3,
            [("beratung", "up")],
        ),
        # nothing to show
        (POSITIVES, 0, []),
    ],
)
def test_top_reasons_keep_the_heaviest_negative(evidence, shown, expected) -> None:
    assert [(r["term"], r["pushes"]) for r in reasons(evidence, shown)] == expected


CHEFIN = {"term": "neue chefin", "weight": -3.75, "language": "de", "count": 1}
PARTEITAG = {"term": "sonderparteitag*", "weight": -0.6, "language": "de", "count": 2}


@pytest.mark.parametrize(
    ("evidence", "relevant", "expected"),
    [
        # judged not relevant: what held the score down leads, heaviest first, then what pushed it up
        (
            [*POSITIVES, CHEFIN],
            False,
            [("neue chefin", "down"), ("flüchtling*", "up"), ("integration", "up")],
        ),
        (
            [*POSITIVES, PARTEITAG, CHEFIN],
            False,
            [("neue chefin", "down"), ("sonderparteitag*", "down"), ("flüchtling*", "up")],
        ),
        (
            [*POSITIVES[:2], MARKER],
            False,
            [(MARKER["term"], "down"), ("flüchtling*", "up"), ("integration", "up")],
        ),
        # nothing negative: the positives, as for any item
        (POSITIVES, False, [("flüchtling*", "up"), ("integration", "up"), ("asyl*", "up")]),
        # judged relevant or not judged: the heaviest first, one negative in the last slot
        (
            [*POSITIVES, PARTEITAG, CHEFIN],
            True,
            [("flüchtling*", "up"), ("neue chefin", "down"), ("integration", "up")],
        ),
        (
            [*POSITIVES, PARTEITAG],
            True,
            [("flüchtling*", "up"), ("integration", "up"), ("sonderparteitag*", "down")],
        ),
        (
            [*POSITIVES, PARTEITAG],
            None,
            [("flüchtling*", "up"), ("integration", "up"), ("sonderparteitag*", "down")],
        ),
    ],
)
def test_reasons_of_an_item_judged_not_relevant_lead_with_what_held_it_down(
    evidence, relevant, expected
) -> None:
    assert [(r["term"], r["pushes"]) for r in reasons(evidence, 3, relevant)] == expected


@pytest.mark.parametrize(
    ("until", "viewer", "expected"),
    [
        (datetime(2026, 11, 20, 14, 5, tzinfo=UTC), "bob", "Claimed by alice until 14:05 UTC"),
        (datetime(2026, 11, 20, 14, 5, tzinfo=UTC), "alice", "Claimed by you (alice) until 14:05 UTC"),
        (datetime(2026, 11, 20, 14, 5, tzinfo=UTC), None, "Claimed by alice until 14:05 UTC"),
        # a time given in another zone is shown as the same UTC time
        (
            datetime(2026, 11, 20, 23, 35, tzinfo=timezone(timedelta(hours=9, minutes=30))),
            "bob",
            "Claimed by alice until 14:05 UTC",
        ),
        (datetime(2026, 11, 20, 14, 5), "bob", "Claimed by alice until 14:05 UTC"),  # naive: UTC
    ],
)
def test_claim_line(until, viewer, expected) -> None:
    assert claim_line("alice", until, viewer) == expected


# --- the desk and `ewsi queue` agree ---------------------------------------------------------------

# (n, relevance, published days ago or None, content type, deadline days or None, language, extra)
AGREE = [
    (1, 0.9, 3, "news", None, "en", {}),
    (2, 0.9, 3, "news", None, "de", {}),  # same key as 1: ties by id
    (3, 0.2, 1, "funding", 10, "en", {}),  # lane 0
    (4, 0.9, 1, "funding", 10, "fr", {}),  # lane 0, same deadline as 3: lowest id first in both
    (5, 0.6, None, "news", None, "en", {}),  # undated
    (6, 0.6, 2, "funding", None, "it", {}),  # no deadline: listed in its band
    (7, 0.8, 5, "news", None, "en", {"claimed_by": "bob"}),  # claimed: still listed
    (8, 0.8, 6, "news", None, "en", {"status": "approved"}),  # decided: not in the pending queue
    (9, 0.7, 4, "news", None, "en", {"group_head": True}),  # a near-duplicate group's first item
    (10, 0.95, 4, "news", None, "de", {"group_of": 9}),  # its duplicate: shown with 9, not alone
    (11, 0.95, 2, "news", None, "fr", {"version_of": 1}),  # a language version of 1
    (12, None, 0, None, None, None, {}),  # no score, type or language
    (13, 0.3, 40, "funding", 30, "en", {}),
]


@pytest.fixture
def agree_table(Session) -> dict[int, int]:
    ids: dict[int, int] = {}
    with Session() as s:
        add_source(s, "src-a", "Ministry news")
        for n, rel, age, ctype, due, lang, extra in AGREE:
            item = add_item(
                s,
                n,
                relevance=rel,
                published_at=None if age is None else NOW - timedelta(days=age),
                first_seen_at=NOW - timedelta(days=age if age is not None else 2),
                content_type=ctype,
                deadline=None if due is None else datetime.now(UTC) + timedelta(days=due),  # as the desk
                language=lang,
                status=extra.get("status", "pending"),
                claimed_by=extra.get("claimed_by"),
                claim_expires_at=NOW + timedelta(days=3650) if extra.get("claimed_by") else None,
                version_of=ids[extra["version_of"]] if "version_of" in extra else None,
            )
            ids[n] = item.id
            if extra.get("group_head"):
                item.group_id = item.id
            if "group_of" in extra:
                item.group_id = ids[extra["group_of"]]
        s.commit()
    return ids


def _desk_ids(client, path: str) -> list[int]:
    seen: list[int] = []
    while path:
        page = client.get(path)
        assert page.status_code == 200
        seen += [int(i) for i in re.findall(r'<tr class="row[^"]*" data-href="/items/(\d+)', page.text)]
        more = re.search(r'<a href="([^"]+)" id="next-page"', page.text)
        path = html.unescape(more.group(1)) if more else ""
    return seen


def test_desk_and_ewsi_queue_agree_on_the_order(
    app, Session, agree_table, db_url, monkeypatch, capsys
) -> None:
    """Same items, same order: the desk's pages (3 rows each, followed by their next-page links) and
    ``ewsi queue --json``, on SQLite and PostgreSQL; lane-0 ties, groups, versions and claims included."""
    from crawler.cli import main as ewsi

    app.state.settings = dataclasses.replace(app.state.settings, page_size=3)
    alice = editor_client(app, Session)
    desk = _desk_ids(alice, "/queue")
    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    assert ewsi(["queue", "--json", "--limit", "100"]) == 0
    cli = [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]
    number = {v: k for k, v in agree_table.items()}
    assert [number[i] for i in desk] == [number[i] for i in cli] == [3, 4, 2, 1, 7, 6, 9, 5, 13, 12]
    # --group-members adds each group's other members (10, the duplicate of 9), never versions (11)
    assert ewsi(["queue", "--json", "--limit", "100", "--group-members"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    members = [number[row["id"]] for row in listed]
    assert members == [3, 4, 2, 1, 7, 6, 9, 10, 5, 13, 12]  # 10 right after its group's head, 9
    assert [row["group_head"] for row in listed if row["group_head"]] == [agree_table[9]]


# --- approve / reject / defer move on --------------------------------------------------------------


@pytest.fixture
def five(Session) -> list[int]:
    """Five pending items in priority order 1..5 (relevance falls), 1-3 English, 4-5 German."""
    with Session() as s:
        add_source(s, "src-a", "Ministry news")
        ids = [
            add_item(s, n, relevance=1 - n / 10, language="en" if n <= 3 else "de").id for n in range(1, 6)
        ]
        s.commit()
    return ids


def _post(client, item_id: int, action: str, path: str | None = None, **extra):
    form = decide_form(client, item_id, action, **extra)
    return client.post(path or f"/items/{item_id}/decide", data=form, follow_redirects=False)


def test_decisions_walk_down_the_queue(app, Session, five) -> None:
    alice = editor_client(app, Session)
    r = _post(alice, five[1], "approve")  # opened the second item directly: next is the third
    assert r.status_code == 303
    assert r.headers["location"] == f"/items/{five[2]}?done={five[1]}&msg=approve"
    page = alice.get(r.headers["location"]).text
    assert f"#{five[1]} &#39;" in page and "&#39; approved and published." in page
    assert f'href="/items/{five[1]}">#{five[1]}</a>' in page
    r = _post(alice, five[2], "reject", reason="not relevant")
    assert r.headers["location"] == f"/items/{five[3]}?done={five[2]}&msg=reject"
    r = _post(alice, five[3], "defer")
    assert r.headers["location"] == f"/items/{five[4]}?done={five[3]}&msg=defer"
    r = _post(alice, five[4], "approve")  # nothing after the last: from the top
    assert r.headers["location"] == f"/items/{five[0]}?done={five[4]}&msg=approve"
    with Session() as s:  # the next item is claimed for the editor as she lands on it
        assert s.get(Item, five[0]).claimed_by == "alice"
    r = _post(alice, five[0], "approve")  # the queue is empty now
    assert r.headers["location"] == f"/queue?status=pending&done={five[0]}&msg=approve"


@SQLITE_ONLY
def test_an_edit_stays_and_a_repeated_form_does_not_move(app, Session, five) -> None:
    alice = editor_client(app, Session)
    r = _post(alice, five[0], "edit", editor_title="Better title")
    assert r.headers["location"] == f"/items/{five[0]}?msg=edit"
    form = decide_form(alice, five[0], "approve")
    first = alice.post(f"/items/{five[0]}/decide", data=form, follow_redirects=False)
    again = alice.post(f"/items/{five[0]}/decide", data=form, follow_redirects=False)
    assert first.headers["location"].startswith(f"/items/{five[1]}?")
    assert again.headers["location"] == f"/items/{five[0]}?msg=repeated"


@SQLITE_ONLY
def test_the_next_item_is_one_nobody_else_holds(app, Session, five) -> None:
    alice, bob = editor_client(app, Session), editor_client(app, Session, "bob")
    bob.post(f"/items/{five[1]}/claim", headers={"X-CSRF-Token": csrf_of(bob), "Accept": "application/json"})
    r = _post(alice, five[0], "approve")
    assert r.headers["location"] == f"/items/{five[2]}?done={five[0]}&msg=approve"


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("queue", "order_of_numbers"),
    [
        ("language=de", [4, 5]),  # the filtered queue: only German items follow
        ("language=en&relevance_min=0.75", [1, 2]),
        # uncertain order (|relevance - 0.5| in steps, languages taking turns): recomputed each time
        ("order=uncertain", [5, 4]),
    ],
)
def test_the_queue_an_item_came_from_is_kept(app, Session, five, queue, order_of_numbers) -> None:
    alice = editor_client(app, Session)
    first, second = (five[n - 1] for n in order_of_numbers)
    listing = alice.get(f"/queue?{queue}").text
    link = re.search(rf'class="title" href="(/items/{first}[^"]*)"', listing).group(1)
    assert parse_qs(urlsplit(html.unescape(link)).query)["queue"]  # the link names its queue
    page = alice.get(html.unescape(link)).text
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)" id="decide-form"', page).group(1))
    r = _post(alice, first, "approve", path=action)
    location = r.headers["location"]
    assert location.startswith(f"/items/{second}?queue=")
    query = parse_qs(urlsplit(location).query)
    assert query["done"] == [str(first)] and query["msg"] == ["approve"]
    assert parse_qs(query["queue"][0]) == parse_qs(f"status=pending&{queue}")


@SQLITE_ONLY
def test_next_on_the_item_page_skips_the_item_left(app, Session, five) -> None:
    alice = editor_client(app, Session)
    page = alice.get(f"/items/{five[2]}").text
    assert f'name="after_item" value="{five[2]}"' in page
    r = alice.post(
        "/queue/next", data={"csrf_token": csrf_of(alice), "after_item": str(five[2])}, follow_redirects=False
    )
    assert r.headers["location"] == f"/items/{five[3]}"
    with Session() as s:
        assert s.get(Item, five[2]).status == "pending"  # Next decides nothing


# --- claim line, pre-filled edit form, counts ------------------------------------------------------


@SQLITE_ONLY
def test_claim_line_is_the_same_for_every_viewer(app, Session, five) -> None:
    alice, bob = editor_client(app, Session), editor_client(app, Session, "bob")
    headers = {"Accept": "application/json"}
    mine = alice.post(f"/items/{five[0]}/claim", headers={**headers, "X-CSRF-Token": csrf_of(alice)}).json()
    until = datetime.fromisoformat(mine["until"].replace("Z", "+00:00")).strftime("%H:%M")
    assert mine["label"] == f"Claimed by you (alice) until {until} UTC"
    theirs = bob.post(f"/items/{five[0]}/claim", headers={**headers, "X-CSRF-Token": csrf_of(bob)})
    assert theirs.status_code == 409 and theirs.json()["label"] == f"Claimed by alice until {until} UTC"
    assert (
        f"Claimed by alice until {until} UTC. You can read it but not decide."
        in bob.get(f"/items/{five[0]}").text
    )
    assert f'<div class="claim">Claimed by alice until {until} UTC</div>' in bob.get("/queue").text


def _field(page: str, name: str) -> str:
    if name == "editor_summary":
        return html.unescape(re.search(r'name="editor_summary"[^>]*>([^<]*)</textarea>', page).group(1))
    if name == "editor_content_type":
        block = re.search(r'name="editor_content_type".*?</select>', page, re.S).group(0)
        return re.search(r"<option([^>]*) selected>([^<]*)", block).group(2)
    return html.unescape(re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1))


def _edit_form(app, Session) -> tuple[Any, int, dict[str, str]]:
    """An editor, a harvested item and the values its edit form shows."""
    with Session() as s:
        add_source(s, "src-a")
        item_id = add_item(s, 1, title="Harvested title", summary="Harvested summary", country="AT").id
        s.commit()
    alice = editor_client(app, Session)
    page = alice.get(f"/items/{item_id}").text
    current = {
        n: _field(page, n)
        for n in ("editor_title", "editor_summary", "editor_country", "editor_content_type")
    }
    return alice, item_id, current


@SQLITE_ONLY
def test_edit_form_is_prefilled_and_records_only_what_changed(app, Session) -> None:
    alice, item_id, current = _edit_form(app, Session)
    assert current == {
        "editor_title": "Harvested title",
        "editor_summary": "Harvested summary",
        "editor_country": "AT",
        "editor_content_type": "news",
    }
    unchanged = _post(alice, item_id, "edit", themes_field="1", editor_themes=["Social Cohesion"], **current)
    assert unchanged.status_code == 400 and "nothing was changed" in unchanged.text
    r = _post(
        alice, item_id, "edit", **{**current, "editor_summary": "An editor's summary", "editor_country": "at"}
    )
    assert r.status_code == 303
    with Session() as s:
        item = s.get(Item, item_id)
        assert (item.editor_title, item.editor_summary, item.editor_country, item.editor_content_type) == (
            None,
            "An editor's summary",
            None,
            None,
        )
        (decision,) = s.scalars(select(ReviewDecision)).all()
        assert sorted(decision.changes) == ["editor_summary"]
    page = alice.get(f"/items/{item_id}").text
    assert _field(page, "editor_summary") == "An editor's summary"
    # sending the harvested value back clears the editor's value
    r = _post(alice, item_id, "edit", **{**current, "editor_summary": "Harvested summary"})
    with Session() as s:
        assert r.status_code == 303 and s.get(Item, item_id).editor_summary is None


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("de", "DE"),
        (" FR ", "FR"),
        ("EU", "EU"),
        ("gr", "GR"),
        ("EL", None),  # Greece is GR in ISO 3166-1 (EL is the EU's own abbreviation)
        ("UK", None),  # GB
        ("ZZZ", None),
        ("ZZ", None),
        ("D1", None),
        ("Deutschland", None),
        ("Germany", None),
    ],
)
def test_edited_country_follows_the_sources_rule(app, Session, sent: str, stored: str | None) -> None:
    alice, item_id, current = _edit_form(app, Session)
    r = _post(alice, item_id, "edit", **{**current, "editor_country": sent})
    with Session() as s:
        item = s.get(Item, item_id)
        assert item.editor_country == stored
    if stored is None:  # the whole typed value is named: the field never cuts what the editor typed
        assert r.status_code == 400 and "use a two-letter code such as DE or AT" in r.text
        assert f"got &#39;{sent.strip()}&#39;" in r.text
        meant = {"EL": "GR", "UK": "GB"}.get(sent)
        assert ("did you mean" in r.text) == (meant is not None)
        if meant:
            assert f"got &#39;{sent}&#39;; did you mean {meant}?" in r.text
        field = re.search(r'<input name="editor_country"[^>]*>', r.text).group(0)
        assert f'value="{sent}"' in field and 'maxlength="3"' not in field
    else:
        assert r.status_code == 303


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("n", "text"), [(1, "1 item matches."), (2, "2 items match."), (0, "0 items match.")]
)
def test_counts_say_item_or_items(app, Session, n, text) -> None:
    with Session() as s:
        add_source(s, "src-a")
        for k in range(n):
            add_item(s, k + 1)
        s.commit()
    alice = editor_client(app, Session)
    assert f"<p>{text}</p>" in alice.get("/queue/counts").text
    assert f"{counted(n, 'item')} shown" in alice.get("/queue").text


@SQLITE_ONLY
def test_compact_row_shows_source_name_snippet_and_reasons(app, Session) -> None:
    evidence = [
        {"term": "asylum seeker*", "weight": 3.0, "language": "en", "count": 2},
        {"term": "school", "weight": 0.2, "language": "en", "count": 1},
        {"term": "sanction*", "weight": -1.5, "language": "en", "count": 1},
        {"term": "integration", "weight": 1.0, "language": "en", "count": 1},
    ]
    with Session() as s:
        add_source(s, "src-a", "Ministry <b>news</b>")
        add_item(
            s,
            1,
            title="Shelter opens",
            text="Shelter opens\n\nThe city opens a <script>shelter</script> for asylum seekers.",
            relevance_evidence=evidence,
        )
        s.commit()
    row = editor_client(app, Session).get("/queue").text.split('<tr class="row', 1)[1].split("</tr>", 1)[0]
    assert "Ministry &lt;b&gt;news&lt;/b&gt;" in row
    assert "The city opens a &lt;script&gt;shelter&lt;/script&gt; for asylum seekers." in row
    terms = re.findall(r'<span class="reason (up|down)"[^>]*>([^<]+)</span>', row)
    assert terms == [("up", "+asylum seeker*"), ("down", "−sanction*"), ("up", "+integration")]


@SQLITE_ONLY
def test_low_score_shows_the_negative_reason_on_row_and_item_page(app, Session) -> None:
    evidence = [
        {"term": "flüchtling*", "weight": 3.0, "language": "de", "count": 1},
        {"term": "integration", "weight": 2.5, "language": "de", "count": 1},
        {"term": "asyl*", "weight": 2.0, "language": "de", "count": 1},
        {"term": "model:mehr", "weight": 0.001, "language": "de", "count": 1},
        {"term": "neue chefin", "weight": -1.75, "language": "de", "count": 1},
    ]
    with Session() as s:
        add_source(s, "src-a")
        add_item(s, 1, title="Neue Chefin", relevance=0.03, relevance_evidence=evidence)
        s.commit()
    alice = editor_client(app, Session)
    row = alice.get("/queue").text.split('<tr class="row', 1)[1].split("</tr>", 1)[0]
    terms = re.findall(r'<span class="reason (up|down)"[^>]*>([^<]+)</span>', row)
    assert terms == [("up", "+flüchtling*"), ("up", "+integration"), ("down", "−neue chefin")]
    page = alice.get("/items/1").text
    shown = page.split('id="relevance-evidence">', 1)[1].split("</dd>", 1)[0]
    assert "neue chefin" in shown and "(-1.75)" in shown
    assert "model:mehr" not in shown and "0.00" not in shown


@SQLITE_ONLY
def test_claim_next_refuses_an_unknown_order(Session) -> None:
    with Session() as s, pytest.raises(ValueError, match="unknown queue order"):
        store_queue.claim_next(s, "alice", store_queue.QueueFilters(), order="newest")
