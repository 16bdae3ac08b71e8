"""Read queries of the portal: the read API, feeds, digests and export (API tokens: crawler.store.tokens).

Every function takes a Session and never commits (DESIGN.md convention 11).

Publication rule (the one place it is written down; T43):
- an item is *published* when ``status`` is ``approved`` or ``changed``. ``changed`` is an approved
  item whose source content changed since: it stays published with the content the editor approved
  (the store keeps the editor-visible fields when a re-crawl changes an approved item) until an
  editor looks at it again. ``pending``, ``deferred``, ``rejected`` (and a pending item an editor
  has claimed) are never published.
- an item is *unpublished* when ``approved_at`` is set (it was published once) and its status is no
  longer approved/changed. The read API's ``updated_since`` sync returns it as a tombstone record
  ``{"id": ..., "published": false, "modified_at": ...}`` so the portal can remove it. Items that
  were never approved never leave the store in any form.
- public values: the editor's corrections win: ``coalesce(editor_title, title)``, likewise for
  summary, country and content type; themes are the effective themes of crawler.store.themes
  (``editor_themes`` when the editor set a list, an empty one too, else the classifier's assigned ones).
- ``modified_at`` is the time of the last change of an item's public state (approve, unpublish,
  editorial edit). Every code path that changes it must call `mark_public_change` (or set the
  column): the desk's approve/reject/defer/edit and any re-crawl that changes a published field.
  The sync order is (modified_at, id); an item whose modified_at is NULL is not seen by sync.

Ordering (`list_items`): dated items first, newest publication date first; then the undated ones
(no ``published_at``: the source gave no date or one that could not be trusted), most recently
first seen first. An undated item is never ranked as if it had been published the day the harvest
found it (issue 13: 8 undated corpus items came out on top as "today"). Ties break on id, newest
first. Keyset pagination on (`SORT_DATE`, id) within each of the two parts (the cursor says which
part it points into), so pages stay stable while items arrive; the sync (``updated_since``) is
oldest change first by (modified_at, id).

Full-text query (also matched against the item's attachment documents, crawler.store.attachments):
PostgreSQL ``to_tsvector('simple', title || ' ' || summary) @@ websearch_to_tsquery('simple', q)``
(the 'simple' configuration: no stemming, because items come in 24 languages; a GIN expression
index of migration 0004 serves it); SQLite: the public title or summary contains `q`, case ignored in
every alphabet (crawler.store.dialect.contains).

Language versions of an item (detail view): the other published items of the same source whose
canonical link differs only in the language code at one language position: a two-letter path
segment (``/en/`` vs ``/de/``, EUR-Lex ``/EN/``) or a ``lang=``/``language=``/``locale=`` value
(`language_variants`; looked up through the url_hash index). One official document id is one
item (the identity of pipelines.dedup); its versions from other sources in other languages are
rows with ``version_of`` = that item (crawler.store.items), listed in `versions` too. Listings show
one row per document (no version rows) unless a language is asked for, when the version in that
language is found; and one row per near-duplicate group (its first item; the detail's
``also_from`` names the others).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from crawler.store import attachments, dialect
from crawler.store import themes as item_themes
from crawler.store.groups import one_row_per_group
from crawler.store.schema import Item, SourceRow, UTCDateTime, sha256_hex, utcnow
from crawler.types import EU_LANGUAGES, published_precision

__all__ = [
    "PUBLISHED_STATUSES",
    "SORT_DATE",
    "ItemFilter",
    "Page",
    "Session",
    "export_items",
    "get_published_item",
    "list_items",
    "list_sources",
    "mark_public_change",
    "open_funding_calls",
    "pending_summary",
    "published_between",
]

PUBLISHED_STATUSES: tuple[str, ...] = ("approved", "changed")
"""Statuses whose items the portal may show (see the module docstring)."""

SORT_DATE = func.coalesce(Item.published_at, Item.first_seen_at, type_=UTCDateTime())
"""Listing order key within a part (module docstring, Ordering): the publication date for dated
items, when the harvest first saw it for undated ones (which are listed after every dated one)."""
UNDATED = Item.published_at.is_(None)
"""True for the undated part of a listing (ordered after the dated part: false < true)."""

PUBLIC_TITLE = func.coalesce(Item.editor_title, Item.title)
PUBLIC_SUMMARY = func.coalesce(Item.editor_summary, Item.summary)
PUBLIC_COUNTRY = func.coalesce(Item.editor_country, Item.country)
PUBLIC_CONTENT_TYPE = func.coalesce(Item.editor_content_type, Item.content_type)

# the exact expression of the GIN index ix_items_published_fts (migration 0004): keep them identical
FTS_DOCUMENT = func.to_tsvector(
    literal_column("'simple'::regconfig"),
    func.coalesce(Item.editor_title, Item.title, "")
    + " "
    + func.coalesce(Item.editor_summary, Item.summary, ""),
)


def is_published() -> ColumnElement[bool]:
    """SQL condition: the item is published (status approved or changed)."""
    return Item.status.in_(PUBLISHED_STATUSES)


def mark_public_change(item: Item, when: datetime | None = None) -> None:
    """Record that `item`'s public state changed now (approve, unpublish, editorial edit).

    Sets ``modified_at`` (the key of the portal's ``updated_since`` sync); call it in the same
    transaction as the change. Does not flush or commit.
    """
    item.modified_at = when or utcnow()


# --- filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFilter:
    """Filters of `list_items`; None means "any".

    themes: any of these values (theme names, and ids where editors stored ids);
    country / content_type: the public value (editor's correction first), upper-case country codes
    as stored (``EU``, ``DE``); language: ISO 639-1 as detected; source_id: the source's id; each
    of these four takes one value or a tuple of values meaning "any of them";
    published_from / published_to: inclusive bounds on published_at (UTC); q: full-text query;
    updated_since: switch to sync mode (items whose public state changed at or after this time,
    tombstones included, oldest change first).
    """

    themes: tuple[str, ...] = ()
    country: str | tuple[str, ...] | None = None
    language: str | tuple[str, ...] | None = None
    content_type: str | tuple[str, ...] | None = None
    source_id: str | tuple[str, ...] | None = None
    published_from: datetime | None = None
    published_to: datetime | None = None
    q: str | None = None
    updated_since: datetime | None = None


def _text_condition(session: Session, q: str) -> ColumnElement[bool]:
    """The item's public title and summary, or one of its attachment documents, match `q`."""
    in_attachments = attachments.text_match(session, q)
    if session.get_bind().dialect.name == "postgresql":
        query = func.websearch_to_tsquery(literal_column("'simple'::regconfig"), q)
        return or_(FTS_DOCUMENT.op("@@")(query), in_attachments)
    return or_(
        dialect.contains(session, PUBLIC_TITLE, q),
        dialect.contains(session, PUBLIC_SUMMARY, q),
        in_attachments,
    )


def any_of(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """The values of a filter field of `ItemFilter` as a tuple (() = any)."""
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _conditions(session: Session, flt: ItemFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if flt.themes:
        where.append(item_themes.has_theme(session, flt.themes))
    if flt.country:
        where.append(PUBLIC_COUNTRY.in_(any_of(flt.country)))
    if flt.language:
        where.append(Item.language.in_(any_of(flt.language)))  # language versions included
    else:
        where.append(Item.version_of.is_(None))  # one row per document
    where.append(or_(Item.group_id.is_(None), Item.group_id == Item.id))  # one row per group
    if flt.content_type:
        where.append(PUBLIC_CONTENT_TYPE.in_(any_of(flt.content_type)))
    if flt.source_id:
        where.append(Item.source_id.in_(any_of(flt.source_id)))
    # bounds on published_at, written on SORT_DATE (equal to it when published_at is set) so that the
    # listing indexes read just the range, in order
    if flt.published_from or flt.published_to:
        where.append(Item.published_at.is_not(None))
    if flt.published_from:
        where.append(SORT_DATE >= flt.published_from)  # noqa: SIM300
    if flt.published_to:
        where.append(SORT_DATE <= flt.published_to)  # noqa: SIM300
    if flt.q and flt.q.strip():
        where.append(_text_condition(session, flt.q.strip()))
    return where


# --- rows to dicts -------------------------------------------------------------------------------

_PUBLIC_COLUMNS = (
    Item.id,
    Item.status,
    Item.source_id,
    SourceRow.name.label("source_name"),
    Item.url,
    Item.canonical_url,
    Item.official_id,
    PUBLIC_TITLE.label("title"),
    PUBLIC_SUMMARY.label("summary"),
    Item.language,
    PUBLIC_COUNTRY.label("country"),
    PUBLIC_CONTENT_TYPE.label("content_type"),
    Item.author,
    Item.published_at,
    Item.updated_at,
    Item.deadline,
    Item.approved_at,
    Item.modified_at,
    Item.editor_themes,
    Item.attachments,
    Item.flags,
    Item.date_method,
    SORT_DATE.label("sort_date"),
)


def _attachments(value: Any) -> list[dict[str, Any]]:
    out = []
    for entry in value or []:
        if isinstance(entry, dict) and entry.get("url"):
            out.append(
                {
                    "url": entry.get("url"),
                    "title": entry.get("title"),
                    "media_type": entry.get("media_type"),
                    "role": entry.get("role"),
                }
            )
    return out


_DOCUMENT_KEYS = ("document_title", "language", "page_count", "text_chars", "sha256")


def with_documents(links: list[dict[str, Any]], documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The item's attachment links with what was read of each fetched one (crawler.store.attachments):
    a link whose URL reached a document gains `_DOCUMENT_KEYS`; a document reached by a URL no link
    names is added after the links. The link's own title wins, else the document's."""
    by_url = {d["url"]: d for d in documents}
    out: list[dict[str, Any]] = []
    used: set[str] = set()
    for link in links:
        document = by_url.get(link["url"])
        entry = dict(link)
        if document is not None and document["sha256"] not in used:
            used.add(document["sha256"])
            entry.update(_document_fields(document))
        out.append(entry)
    for document in documents:
        if document["sha256"] not in used:
            used.add(document["sha256"])
            entry = {
                "url": document["url"],
                "title": document["link_title"],
                "media_type": document["media_type"],
            }
            out.append({**entry, **_document_fields(document)})
    return out


def _document_fields(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "document_title": document["title"],
        **{k: document[k] for k in _DOCUMENT_KEYS if k != "document_title"},
    }


def _public_dict(row: Any, themes: list[str]) -> dict[str, Any]:
    return {
        "id": row.id,
        "published": row.status in PUBLISHED_STATUSES,
        "url": row.canonical_url or row.url,
        "source_url": row.url,
        "title": row.title,
        "summary": row.summary,
        "language": row.language,
        "country": row.country,
        "content_type": row.content_type,
        "themes": themes,
        "source_id": row.source_id,
        "source_name": row.source_name,
        "official_id": row.official_id,
        "author": row.author,
        "published_at": row.published_at,
        "published_precision": published_precision(row.published_at, row.flags),
        "published_basis": published_basis(row.published_at, row.flags, row.date_method),
        "updated_at": row.updated_at,
        "deadline": row.deadline,
        "approved_at": row.approved_at,
        "modified_at": row.modified_at,
        "attachments": _attachments(row.attachments),
    }


def published_basis(published_at: Any, flags: Any, date_method: str | None) -> str | None:
    """What `published_at` rests on: "source" (a date the source wrote), "estimated" (a span the
    page wrote, "2 days ago", counted back from the fetch: flag ``date_relative``), "fetched" (the
    fetch time, standing in for a date that lay in the future: date method ``fetch_time``, case
    B10); None when undated. A portal shows only "source" dates as publication dates."""
    if published_at is None:
        return None
    if date_method == "fetch_time":
        return "fetched"
    return "estimated" if "date_relative" in set(flags or ()) else "source"


def _tombstone(row: Any) -> dict[str, Any]:
    return {"id": row.id, "published": False, "modified_at": row.modified_at}


# --- listing and sync ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of `list_items`.

    items: public dicts (see `get_published_item`) or, in sync mode, tombstones
    ``{"id", "published": False, "modified_at"}``; next_key: (datetime, id) to pass as `after` for
    the next page, None on the last page; mode: "list", "undated" (a list key in the undated part)
    or "sync" (a key only fits its own mode).
    """

    items: list[dict[str, Any]]
    next_key: tuple[datetime, int] | None
    mode: str


def list_items(
    session: Session,
    flt: ItemFilter,
    *,
    limit: int = 50,
    after: tuple[datetime, int] | None = None,
    after_undated: bool = False,
) -> Page:
    """A page of published items matching `flt`, dated ones newest first, then the undated ones
    (module docstring, Ordering); or, with ``flt.updated_since``, the sync page: items published or
    unpublished at or after that time, oldest change first.

    `after` is the `Page.next_key` of the previous page and `after_undated` whether its `Page.mode`
    was "undated" (keyset pagination: no OFFSET, stable under inserts). `limit` is used as given (the
    caller caps it). Raises nothing of its own.
    """
    limit = max(1, int(limit))
    conditions = _conditions(session, flt)
    stmt = select(*_PUBLIC_COLUMNS).join(SourceRow, SourceRow.id == Item.source_id, isouter=True)
    if flt.updated_since is None:
        mode = "list"
        stmt = stmt.where(is_published(), *conditions)
        if after is not None:
            before_key = tuple_(SORT_DATE, Item.id) < tuple_(literal(after[0], UTCDateTime()), after[1])
            stmt = stmt.where(and_(UNDATED, before_key) if after_undated else or_(UNDATED, before_key))
        stmt = stmt.order_by(UNDATED, SORT_DATE.desc(), Item.id.desc())
    else:
        mode = "sync"
        stmt = stmt.where(
            Item.approved_at.is_not(None),
            Item.modified_at.is_not(None),
            Item.modified_at >= flt.updated_since,
            *conditions,
        )
        if after is not None:
            key = tuple_(literal(after[0], UTCDateTime()), after[1])
            stmt = stmt.where(tuple_(Item.modified_at, Item.id) > key)
        stmt = stmt.order_by(Item.modified_at, Item.id)
    rows = session.execute(stmt.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    published = [row for row in rows if row.status in PUBLISHED_STATUSES]
    themes = item_themes.of_rows(session, published)
    items = [
        _public_dict(row, themes.get(row.id, [])) if row.status in PUBLISHED_STATUSES else _tombstone(row)
        for row in rows
    ]
    next_key = None
    if more and rows:
        last = rows[-1]
        next_key = (last.sort_date if mode == "list" else last.modified_at, last.id)
        if mode == "list" and last.published_at is None:
            mode = "undated"
    return Page(items=items, next_key=next_key, mode=mode)


# --- detail --------------------------------------------------------------------------------------

_LANGUAGE_POSITION = re.compile(
    r"(?<=/)[a-zA-Z]{2}(?=/|$|[?#])"
    r"|(?:(?<=[?&]lang=)|(?<=[?&]locale=)|(?<=[?&]language=))[a-zA-Z]{2}(?=&|$|#)",
    re.IGNORECASE,
)
MAX_LANGUAGE_POSITIONS = 3


def language_variants(url: str) -> list[str]:
    """`url` with each of its language positions (at most 3) set to each EU language code.

    Language positions: two-letter path segments and ``lang=``/``language=``/``locale=`` values; a
    code is written in the case the URL used (EUR-Lex writes ``/EN/``). `url` itself is not listed.
    Example: ``https://x.eu/en/news/1`` -> ``https://x.eu/bg/news/1``, ..., ``https://x.eu/sv/news/1``.
    """
    out: list[str] = []
    for match in list(_LANGUAGE_POSITION.finditer(url))[:MAX_LANGUAGE_POSITIONS]:
        code = match.group(0)
        for language in EU_LANGUAGES:
            variant = language.upper() if code.isupper() else language
            if variant != code:
                out.append(url[: match.start()] + variant + url[match.end() :])
    return out


def get_published_item(session: Session, item_id: int) -> dict[str, Any] | None:
    """The public record of published item `item_id`, or None (unknown or not published: same answer).

    Keys: id, published (True), url (canonical link), source_url, title, summary, language, country,
    content_type, themes (names), source_id, source_name, official_id, author, published_at,
    updated_at, deadline, approved_at, modified_at (aware UTC datetimes or None), attachments
    (list of {url, title, media_type}, plus document_title, language, page_count, text_chars and
    sha256 for those fetched with the page: `with_documents`), versions (list of {id, language,
    title, url} for the item itself and its other published language versions, see the module
    docstring), relevance and
    relevance_evidence (list of {term, weight, language, count}; [] when not kept).
    """
    stmt = (
        select(*_PUBLIC_COLUMNS)
        .join(SourceRow, SourceRow.id == Item.source_id, isouter=True)
        .where(Item.id == item_id, is_published())
    )
    row = session.execute(stmt).first()
    if row is None:
        return None
    record = _public_dict(row, item_themes.of_rows(session, [row]).get(row.id, []))
    relevance, evidence = session.execute(
        select(Item.relevance, Item.relevance_evidence).where(Item.id == item_id)
    ).one()
    record["relevance"] = relevance
    record["relevance_evidence"] = evidence if isinstance(evidence, list) else []
    versions = [{"id": row.id, "language": row.language, "title": row.title, "url": record["url"]}]
    variants = language_variants(row.canonical_url or row.url or "")
    if variants:
        # candidates found through the url_hash index (SHA-256 of the canonical link)
        others = session.execute(
            select(Item.id, Item.language, PUBLIC_TITLE.label("title"), Item.url, Item.canonical_url)
            .where(
                Item.url_hash.in_([sha256_hex(v) for v in variants]),
                is_published(),
                Item.source_id == row.source_id,
                Item.id != row.id,
            )
            .order_by(Item.language, Item.id)
            .limit(50)
        ).all()
        wanted = set(variants)
        for other in others:
            if (other.canonical_url or other.url) in wanted:
                versions.append(
                    {
                        "id": other.id,
                        "language": other.language,
                        "title": other.title,
                        "url": other.canonical_url or other.url,
                    }
                )
    head = session.scalar(select(Item.version_of).where(Item.id == row.id)) or row.id
    seen = {v["id"] for v in versions}
    for other in session.execute(
        select(Item.id, Item.language, PUBLIC_TITLE.label("title"), Item.url, Item.canonical_url)
        .where(or_(Item.id == head, Item.version_of == head), is_published())
        .order_by(Item.language, Item.id)
        .limit(50)
    ):
        if other.id not in seen:
            seen.add(other.id)
            url = other.canonical_url or other.url
            versions.append({"id": other.id, "language": other.language, "title": other.title, "url": url})
    record["versions"] = versions
    record["attachments"] = with_documents(record["attachments"], attachments.documents_of(session, row.id))
    group_id = session.scalar(select(Item.group_id).where(Item.id == head))
    record["also_from"] = []
    if group_id is not None:
        record["also_from"] = [
            {"source_id": r.source_id, "url": r.canonical_url or r.url}
            for r in session.execute(
                select(Item.source_id, Item.url, Item.canonical_url)
                .where(Item.group_id == group_id, Item.id != head, is_published())
                .order_by(Item.id)
            )
        ]
    return record


# --- sources -------------------------------------------------------------------------------------


def list_sources(session: Session) -> list[dict[str, Any]]:
    """Public metadata of every source, ordered by id: id, name, publisher, country, content_type,
    kind, languages (sorted languages of its published items), declared_languages (the languages its
    configuration declares, sorted; [] when it declares none: a source with nothing published yet
    still says what it publishes in), published_items (count).

    No health state, error text or URL leaves here (those are the desk's).
    """
    stats: dict[str, tuple[int, list[str]]] = {}
    for source_id, language, count in session.execute(
        select(Item.source_id, Item.language, func.count(Item.id))
        .where(is_published())
        .group_by(Item.source_id, Item.language)
    ).all():
        total, languages = stats.get(source_id, (0, []))
        if language:
            languages.append(language)
        stats[source_id] = (total + int(count), languages)
    out = []
    for source in session.scalars(select(SourceRow).order_by(SourceRow.id)):
        total, languages = stats.get(source.id, (0, []))
        out.append(
            {
                "id": source.id,
                "name": source.name,
                "publisher": source.publisher,
                "country": source.country,
                "content_type": source.content_type,
                "kind": source.kind,
                "languages": sorted(set(languages)),
                "declared_languages": sorted({str(x) for x in source.languages or () if x}),
                "published_items": total,
            }
        )
    return out


# --- funding calls, digests, export --------------------------------------------------------------


def open_funding_calls(
    session: Session, now: datetime, *, until: datetime | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Published items of content type ``funding`` whose deadline is after `now` (and, with `until`,
    not after it), soonest deadline first, at most `limit`; public dicts as `get_published_item`
    without versions."""
    stmt = (
        select(*_PUBLIC_COLUMNS)
        .join(SourceRow, SourceRow.id == Item.source_id, isouter=True)
        .where(is_published(), PUBLIC_CONTENT_TYPE == "funding", Item.deadline > now)
    )
    if until is not None:
        stmt = stmt.where(Item.deadline <= until)
    rows = session.execute(stmt.order_by(Item.deadline, Item.id).limit(max(1, limit))).all()
    themes = item_themes.of_rows(session, rows)
    return [_public_dict(row, themes.get(row.id, [])) for row in rows]


def published_between(
    session: Session, start: datetime, end: datetime, *, limit: int = 500
) -> list[dict[str, Any]]:
    """Items published on the portal (approved_at) in [start, end) and still published, newest first."""
    stmt = (
        select(*_PUBLIC_COLUMNS)
        .join(SourceRow, SourceRow.id == Item.source_id, isouter=True)
        .where(is_published(), Item.approved_at >= start, Item.approved_at < end)
        .order_by(Item.approved_at.desc(), Item.id.desc())
        .limit(max(1, limit))
    )
    rows = session.execute(stmt).all()
    themes = item_themes.of_rows(session, rows)
    return [_public_dict(row, themes.get(row.id, [])) for row in rows]


def pending_summary(session: Session, since: datetime) -> dict[str, Any]:
    """What waits for the editors: counts of pending items, counted as the queue lists them (one per
    queue row, `crawler.store.groups.one_row_per_group`: a language version is reviewed with its item,
    a near-duplicate group once, items held back after a broken run not at all), so the digest's
    figures are the desk's.

    Returns {"total": n, "new": n first seen at or after `since`, "by_language": {lang: n},
    "by_theme": {theme name: n} (effective themes, crawler.store.themes; an item counts once per
    theme),
    "new_by_language": {lang: n}}; "und" stands for an unknown language.
    """
    pending = and_(Item.status == "pending", *one_row_per_group())
    lang = func.coalesce(Item.language, "und")
    by_language = {
        language: int(n)
        for language, n in session.execute(
            select(lang, func.count(Item.id)).where(pending).group_by(lang).order_by(lang)
        ).all()
    }
    new_by_language = {
        language: int(n)
        for language, n in session.execute(
            select(lang, func.count(Item.id))
            .where(pending, Item.first_seen_at >= since)
            .group_by(lang)
            .order_by(lang)
        ).all()
    }
    pairs = item_themes.theme_pairs(session, where=[pending]).subquery()
    by_theme = {
        theme: int(n)
        for theme, n in session.execute(
            select(pairs.c.theme, func.count()).group_by(pairs.c.theme).order_by(pairs.c.theme)
        ).all()
    }
    return {
        "total": sum(by_language.values()),
        "new": sum(new_by_language.values()),
        "by_language": by_language,
        "new_by_language": new_by_language,
        "by_theme": by_theme,
    }


def pending_count(session: Session) -> int:
    """Items waiting for an editor's decision (status ``pending``): not published, so not exported,
    until an editor approves them."""
    return int(session.scalar(select(func.count()).select_from(Item).where(Item.status == "pending")) or 0)


def export_items(
    session: Session, *, since: datetime | None = None, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every published item (public dicts as `list_items`), by id; with `since`, only those whose
    public state changed at or after it (modified_at). Read in keyset batches of `batch` rows."""
    last_id = 0
    while True:
        stmt = (
            select(*_PUBLIC_COLUMNS)
            .join(SourceRow, SourceRow.id == Item.source_id, isouter=True)
            .where(is_published(), Item.id > last_id)
        )
        if since is not None:
            stmt = stmt.where(Item.modified_at >= since)
        rows = session.execute(stmt.order_by(Item.id).limit(batch)).all()
        if not rows:
            return
        themes = item_themes.of_rows(session, rows)
        for row in rows:
            yield _public_dict(row, themes.get(row.id, []))
        last_id = rows[-1].id
