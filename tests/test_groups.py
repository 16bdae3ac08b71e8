"""Language versions and near-duplicate groups (crawler.store.items, crawler.store.groups,
pipelines.dedup), on SQLite and PostgreSQL: no version dropped, one review row per document and
per group, one decision for all, the portal's language filter finds versions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crawler.store import decisions, groups, portal
from crawler.store import queue as store_queue
from crawler.store.items import upsert_item
from crawler.store.schema import AuditEntry, Item
from crawler.types import HarvestedItem
from pipelines.dedup import DedupPipeline, near_duplicate_basis, simhash
from tests.storedata import make_item

LONG = (
    "The city council opens a new advice centre for newly arrived refugees and migrants in the "
    "old market hall, with language courses, job counselling, housing help and a legal clinic "
    "run together with local associations; it is open on weekdays from nine to five and on "
    "Saturday mornings, and volunteers from the neighbourhood welcome visitors in twelve languages."
)


def _versioned(
    n: int, source_id: str, language: str | None, declared: list[str], oid: str = "A-10-2026-0106"
):
    item = make_item(
        n,
        source_id=source_id,
        url=f"https://www.europarl.europa.eu/doceo/document/{oid}_{(language or 'xx').upper()}.html",
        official_id=oid,
        identity=f"oid:{oid}",
        language=language,
        declared_languages=declared,
        title=f"Report {language}",
        content=f"{language}{n}",
    )
    return item


# (languages of the sources in harvest order, declared language when undetected) -> rows stored
VERSION_CASES = [
    (["en", "de", "fr"], 3),  # three languages of one document: one item with three versions
    (["de", "en"], 2),  # whichever language comes first is the reviewed item
    (["en", "en"], 1),  # the same language from another source stays a duplicate
    (["en", None], 2),  # undetected language: the source's only declared language ("xx" below)
]


@pytest.mark.parametrize(("languages", "rows"), VERSION_CASES)
def test_language_versions_are_kept_with_their_item(db_session, languages, rows) -> None:
    outcomes = []
    for n, language in enumerate(languages):
        declared = [language] if language else ["xx"]
        outcomes.append(upsert_item(db_session, _versioned(n, f"ep-{n}", language, declared)))
    db_session.commit()
    stored = db_session.scalars(select(Item).order_by(Item.id)).all()
    assert len(stored) == rows
    head = stored[0]
    assert head.version_of is None
    assert all(v.version_of == head.id for v in stored[1:])
    assert outcomes[0] == "new" and outcomes.count("duplicate") == len(languages) - rows
    # a second harvest adds nothing
    again = [
        upsert_item(db_session, _versioned(n, f"ep-{n}", lang, [lang] if lang else ["xx"]))
        for n, lang in enumerate(languages)
    ]
    db_session.commit()
    assert len(db_session.scalars(select(Item)).all()) == rows
    assert "new" not in again
    page, _ = store_queue.queue_page(db_session, store_queue.QueueFilters.from_query({"status": "any"}))
    assert [r["id"] for r in page] == [head.id]
    assert sorted(v["language"] for v in page[0]["versions"]) == sorted(s.language for s in stored)


def test_approval_publishes_every_version_and_the_language_filter_finds_them(db_session) -> None:
    for n, language in enumerate(["en", "de", "fr"]):
        upsert_item(db_session, _versioned(n, f"ep-{n}", language, [language]))
    db_session.commit()
    head = db_session.scalars(select(Item).where(Item.version_of.is_(None))).one()
    decisions.decide(db_session, head.id, "ed", "approve", revision=head.revision, request_token=None)
    db_session.commit()
    db_session.expire_all()
    assert {i.status for i in db_session.scalars(select(Item))} == {"approved"}
    everything = portal.list_items(db_session, portal.ItemFilter())
    assert [i["id"] for i in everything.items] == [head.id]
    french = portal.list_items(db_session, portal.ItemFilter(language="fr")).items
    assert [i["language"] for i in french] == ["fr"] and french[0]["id"] != head.id
    detail = portal.get_published_item(db_session, french[0]["id"])
    assert detail is not None
    assert sorted(v["language"] for v in detail["versions"]) == ["de", "en", "fr"]


# (title, text) -> basis: the text from 50 words, else a title of 4+ words, else nothing
BASIS_CASES = [
    ("Short", LONG, LONG),
    ("Food is a Human Right for All!", None, "Food is a Human Right for All!"),
    ("Food is a Human Right for All!", "Total supporters: 4722", "Food is a Human Right for All!"),
    ("Air-Quotas", None, None),
    ("Press release", "too short", None),
    (None, None, None),
]


@pytest.mark.parametrize(("title", "text", "basis"), BASIS_CASES)
def test_near_duplicate_basis(title, text, basis) -> None:
    item = HarvestedItem(source_id="s", url="https://x.eu/1", title=title, text=text)
    assert near_duplicate_basis(item) == basis


def _fingerprinted(n: int, source_id: str, title: str, text: str | None) -> HarvestedItem:
    item = make_item(n, source_id=source_id, title=title, text=text, summary=f"Total supporters: {n}")
    item.identity = None
    return DedupPipeline().process_item(item)


EDITED = LONG.replace("twelve", "eleven")
OTHER = (
    "Parliament adopted the annual report on the accession negotiations, calling on the government "
    "to restore the independence of the judiciary, release detained journalists and resume the "
    "dialogue with the opposition before any further chapter of the negotiations is opened, while "
    "welcoming the cooperation on migration management and the support given to refugees in the country."
)

# (first: source, title, text; second: source, title, text) -> same group?
GROUP_CASES = [
    (("a", "Advice centre opens", LONG), ("b", "New advice centre", LONG), True),  # same text
    (("a", "Advice centre opens", LONG), ("b", "Advice centre", EDITED), True),  # one word edited
    (("a", "Advice centre opens", LONG), ("a", "Advice centre opens", EDITED), True),  # same source
    (("a", "Advice centre opens", LONG), ("b", "Annual report", OTHER), False),  # different story
    (("a", "Food is a Human Right for All!", None), ("b", "Food is a Human Right for All! ", None), True),
    (("a", "Food is a Human Right for All!", None), ("b", "Stop Funding Russia's War Now", None), False),
    (("a", "Air-Quotas", None), ("b", "Air-Quotas", None), False),  # too short to compare
]


@pytest.mark.parametrize(("first", "second", "grouped"), GROUP_CASES)
def test_near_duplicates_across_sources_form_one_group(db_session, first, second, grouped) -> None:
    a = _fingerprinted(1, *first)
    b = _fingerprinted(2, *second)
    if grouped:
        assert a.fingerprint is not None and b.fingerprint is not None
        assert groups.hamming(a.fingerprint, b.fingerprint) <= groups.MAX_DISTANCE
    assert upsert_item(db_session, a) == "new"
    assert upsert_item(db_session, b) == "new"
    db_session.commit()
    rows = db_session.scalars(select(Item).order_by(Item.id)).all()
    assert len(rows) == 2
    if grouped:
        assert rows[0].group_id == rows[1].group_id == rows[0].id
        page, _ = store_queue.queue_page(db_session, store_queue.QueueFilters.from_query({"status": "any"}))
        also_from = [second[0]] if second[0] != first[0] else []
        assert [(r["id"], r["also_from"]) for r in page] == [(rows[0].id, also_from)]
        # a second harvest adds nothing and splits no group
        assert upsert_item(db_session, _fingerprinted(1, *first)) == "unchanged"
        assert upsert_item(db_session, _fingerprinted(2, *second)) == "unchanged"
        db_session.commit()
        assert {r.group_id for r in db_session.scalars(select(Item))} == {rows[0].id}
        # one decision for the group
        decisions.decide(
            db_session,
            rows[0].id,
            "ed",
            "reject",
            revision=rows[0].revision,
            request_token=None,
            reason="not relevant",
        )
        db_session.commit()
        db_session.expire_all()
        assert {r.status for r in db_session.scalars(select(Item))} == {"rejected"}
    else:
        assert rows[0].group_id is None and rows[1].group_id is None


def test_simhash_distance_of_one_word_edit_is_small() -> None:
    a, b = simhash(LONG), simhash(EDITED)
    assert a is not None and b is not None and groups.hamming(a, b) <= groups.MAX_DISTANCE
    c = simhash(OTHER)
    assert c is not None and groups.hamming(a, c) > 2 * groups.MAX_DISTANCE


@pytest.mark.parametrize("position", [0, 5, 10, 20, 30, 40, 50, len(LONG.split()) - 1])
def test_one_word_edit_anywhere_stays_within_the_threshold(position: int) -> None:
    words = LONG.split()
    words[position] = "changed"
    a, b = simhash(LONG), simhash(" ".join(words))
    assert a is not None and b is not None
    assert 0 < groups.hamming(a, b) <= groups.MAX_DISTANCE


def _group_of_three(db_session) -> list[Item]:
    for n, source in enumerate(("a", "b", "c"), start=1):
        text = LONG if n != 2 else EDITED
        assert upsert_item(db_session, _fingerprinted(n, source, "Advice centre opens", text)) == "new"
    db_session.commit()
    rows = db_session.scalars(select(Item).order_by(Item.id)).all()
    assert len({r.group_id for r in rows}) == 1
    return list(rows)


def _decide(db_session, item_id: int, action: str, **extra) -> None:
    item = db_session.get(Item, item_id)
    decisions.decide(db_session, item_id, "ed", action, revision=item.revision, request_token=None, **extra)
    db_session.commit()
    db_session.expire_all()


def _statuses(db_session, rows: list[Item]) -> list[str]:
    return [db_session.get(Item, r.id).status for r in rows]


def test_the_copy_an_editor_approves_is_the_one_published(db_session) -> None:
    """Rule (crawler.store.groups.choose_head): the member approved last is the group's head, so the
    portal lists the reviewed copy with its edits and names the others "also from"."""
    first, second, third = _group_of_three(db_session)
    _decide(db_session, second.id, "edit", edits={"editor_title": "The editor's title"})
    _decide(db_session, second.id, "approve")
    assert _statuses(db_session, [first, second, third]) == ["approved"] * 3
    listed = portal.list_items(db_session, portal.ItemFilter()).items
    assert [(i["id"], i["title"]) for i in listed] == [(second.id, "The editor's title")]
    detail = portal.get_published_item(db_session, second.id)
    assert detail is not None and [a["source_id"] for a in detail["also_from"]] == ["a", "c"]
    # every change of status is in the audit log: the decided item and its two companions
    logged = db_session.scalars(select(AuditEntry.object_id).where(AuditEntry.action == "approve")).all()
    assert sorted(logged) == sorted(str(r.id) for r in (first, second, third))


def test_a_duplicate_rejection_leaves_the_kept_copy_published(db_session) -> None:
    first, second, third = _group_of_three(db_session)
    _decide(db_session, third.id, "approve")
    _decide(db_session, first.id, "reject", reason="duplicate")  # the first copy is the superfluous one
    assert _statuses(db_session, [first, second, third]) == ["rejected", "approved", "approved"]
    assert [i["id"] for i in portal.list_items(db_session, portal.ItemFilter()).items] == [third.id]
    _decide(db_session, third.id, "reject", reason="duplicate")  # then the approved head as well
    assert _statuses(db_session, [first, second, third]) == ["rejected", "approved", "rejected"]
    assert [i["id"] for i in portal.list_items(db_session, portal.ItemFilter()).items] == [second.id]


@pytest.mark.parametrize("reason", ["not relevant", "out of date", "poor quality", "other"])
def test_any_other_rejection_decides_the_whole_group(db_session, reason: str) -> None:
    rows = _group_of_three(db_session)
    _decide(db_session, rows[1].id, "approve")
    _decide(db_session, rows[2].id, "reject", reason=reason)
    assert _statuses(db_session, rows) == ["rejected"] * 3
    assert portal.list_items(db_session, portal.ItemFilter()).items == []
    # the pending queue and a later harvest keep the group as one (its head a member)
    heads = {db_session.get(Item, r.id).group_id for r in rows}
    assert len(heads) == 1 and heads <= {r.id for r in rows}


SHORT = (
    "Refugees get integration support and language courses in the city, with help to find housing and work."
)
SITE = "https://news.x.eu/suffix.html"
DAY_1, DAY_2 = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC)

# (first, second): (source, URL, title, text, flags, deadline) -> one group (one review row)?
VARIANT_CASES = [
    # the same text under URL variants of one source, each entry with its own title
    (("a", SITE, "Migrant workers gain access", SHORT), ("a", SITE + "?rel", "Relative link", SHORT), True),
    (("a", SITE, "Migrant workers gain access", SHORT), ("a", SITE + "?tz", "Tz-less date", SHORT), True),
    (("a", SITE, "Migrant workers gain access", SHORT), ("b", "https://y.eu/copy", "Copy", SHORT), True),
    # near-identical texts of one source, as across sources
    (("a", SITE, "Advice centre opens", LONG), ("a", SITE + "?p=2", "Advice centre", EDITED), True),
    # equal texts too short to tell a story apart
    (("a", SITE, "One", "Read more about it here."),
     ("a", SITE + "?p=2", "Two", "Read more about it here."), False),
    # a source's recurring title over no text (a weekly newsletter): apart; across sources one record
    (("a", SITE, "Weekly newsletter of the integration network", None),
     ("a", SITE + "?w=2", "Weekly newsletter of the integration network", None), False),
    (("a", SITE, "Weekly newsletter of the integration network", None),
     ("b", "https://y.eu/nl", "Weekly newsletter of the integration network", None), True),
    # a text made of the source's template lines: apart within the source, not across sources
    (("a", SITE, "Newsletter", LONG, ["extract.boilerplate"]),
     ("a", SITE + "?w=2", "Newsletter", LONG), False),
    (("a", SITE, "Newsletter", LONG, ["extract.boilerplate"]),
     ("b", "https://y.eu/nl", "Newsletter", LONG), True),
    # one template's occurrences: the same text with another deadline
    (("a", SITE, "Call", SHORT, [], DAY_1), ("a", SITE + "?y=2", "Call", SHORT, [], DAY_2), False),
    (("a", SITE, "Call", SHORT, [], DAY_1), ("b", "https://y.eu/call", "Call", SHORT, [], DAY_2), False),
    (("a", SITE, "Call", SHORT, [], DAY_1), ("a", SITE + "?y=2", "Call", SHORT, [], DAY_1), True),
    # other stories of one source
    (("a", SITE, "Advice centre opens", LONG), ("a", SITE + "?p=2", "Annual report", OTHER), False),
]  # fmt: skip


def _variant(n: int, source: str, url: str, title: str, text: str | None, flags=(), deadline=None):
    item = make_item(n, source_id=source, url=url, title=title, text=text, summary=None, deadline=deadline)
    item.flags = list(flags)
    item.identity = None
    return DedupPipeline().process_item(item)


@pytest.mark.parametrize(("first", "second", "grouped"), VARIANT_CASES)
def test_variants_within_and_across_sources(db_session, first, second, grouped) -> None:
    assert upsert_item(db_session, _variant(1, *first)) == "new"
    assert upsert_item(db_session, _variant(2, *second)) == "new"
    db_session.commit()
    rows = db_session.scalars(select(Item).order_by(Item.id)).all()
    assert [r.group_id for r in rows] == ([rows[0].id] * 2 if grouped else [None, None])
    page, _ = store_queue.queue_page(db_session, store_queue.QueueFilters.from_query({"status": "any"}))
    assert len(page) == (1 if grouped else 2)


PAGE = "https://www.city.x.eu/news/page.html"

# (first, second): (source, URL, entry key, summary, text) -> is the second the same entry?
ENTRY_CASES = [
    # a re-issued GUID of one entry: same URL, same text
    (("a", PAGE, "dup-0", None, SHORT), ("a", PAGE, "dup-1", None, SHORT), True),
    (("a", PAGE, None, "Teaser", SHORT), ("a", PAGE, "dup-1", "Teaser", SHORT), True),
    # the URL compared as an identity (scheme, www., trailing slash, tracking parameters)
    (("a", PAGE, "dup-0", None, SHORT),
     ("a", "http://city.x.eu/news/page.html/?utm_source=f", "dup-1", None, SHORT), True),
    # a feed that links every entry to one page, each with its own summary: separate items
    (("a", PAGE, "e-1", "Opening hours change", SHORT),
     ("a", PAGE, "e-2", "New course in May", SHORT), False),
    (("a", PAGE, "e-1", None, SHORT), ("a", PAGE, "e-2", None, OTHER), False),
    # the same text under another URL: another item (grouped, not dropped)
    (("a", PAGE, "e-1", None, SHORT), ("a", PAGE + "?rel", "e-2", None, SHORT), False),
    # another source's copy: its own item
    (("a", PAGE, "e-1", None, SHORT), ("b", PAGE, "e-2", None, SHORT), False),
    # two official ids: two documents, whatever their page
    (("a", PAGE, "e-1", None, SHORT, "COM(2026) 1"), ("a", PAGE, "e-2", None, SHORT, "COM(2026) 2"), False),
    # nothing to compare: title-only entries
    (("a", PAGE, "e-1", None, None), ("a", PAGE, "e-2", None, None), False),
]  # fmt: skip


def _entry(
    n: int,
    source: str,
    url: str,
    key: str | None,
    summary: str | None,
    text: str | None,
    oid: str | None = None,
):
    item = make_item(
        n,
        source_id=source,
        url=url,
        title=f"Entry {n}",
        summary=summary,
        text=text,
        entry_key=key,
        official_id=oid,
    )
    item.identity = None
    return item


@pytest.mark.parametrize(("first", "second", "same"), ENTRY_CASES)
def test_one_entry_of_a_source_is_one_item(db_session, first, second, same) -> None:
    from scrapy.exceptions import DropItem

    dedup = DedupPipeline()
    kept = dedup.process_item(_entry(1, *first))
    if same:
        with pytest.raises(DropItem, match="duplicate"):
            dedup.process_item(_entry(2, *second))
    else:
        dedup.process_item(_entry(2, *second))
    # across runs: the store finds the entry again under its new identity
    assert upsert_item(db_session, kept) == "new"
    later = DedupPipeline().process_item(_entry(2, *second))
    assert upsert_item(db_session, later) == ("duplicate" if same else "new")
    db_session.commit()
    assert len(db_session.scalars(select(Item)).all()) == (1 if same else 2)
