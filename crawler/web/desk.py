"""What every page of the editors' desk shares: its router rule, role types, messages, query parsing.

Rules (each desk router is made by `desk_router`): every route checks the role it needs (`Editor` or
`Admin`, ASVS 4.1.1) and every unsafe method passes `crawler.web.csrf.csrf_protect` (router
dependency, ASVS 4.2.2); GET never changes editorial state. Handlers that write commit before
answering (crawler.web.deps). Filter values and names must not hold control characters
(`query_dict`: HTTPException 400 with `CONTROLS_REFUSED`). One log line per recorded decision
(`log_decision`), kept on one line by the logger's filter (crawler.web.logsafe).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, HTTPException, Request

from crawler.store import decisions
from crawler.store import queue as store_queue
from crawler.store.session import Session
from crawler.text import squash_whitespace, strip_bidi_controls
from crawler.themes import theme_name
from crawler.web.auth import CurrentUser, require_admin, require_editor
from crawler.web.csrf import csrf_protect
from crawler.web.deps import Settings, get_settings, has_controls
from crawler.web.logsafe import protect

log = protect(logging.getLogger(__name__))

Editor = Annotated[CurrentUser, Depends(require_editor)]
Admin = Annotated[CurrentUser, Depends(require_admin)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def desk_router() -> APIRouter:
    """A router of desk pages: CSRF-checked unsafe methods, left out of any OpenAPI document."""
    return APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


MESSAGES = {
    "approve": "Approved and published.",
    "reject": "Rejected; the item will not come back in later crawls.",
    "defer": "Deferred.",
    "edit": "Changes saved.",
    "repeated": "This form had already been submitted; it was recorded once.",
    "claimed": "You have claimed this item.",
    "asked": "Deferred; the contributor was asked for changes by email.",
    "released": "Claim released.",
    "saved": "View saved.",
    "empty": "No unclaimed item is waiting under these filters.",
    "select-first": "Select items first: nothing was approved or rejected.",
}


NOTHING_DONE = frozenset({"select-first", "empty", "repeated"})
"""Message keys that report that nothing was done (nothing selected, no item waiting, a form sent
twice). Rule: such a message is shown as a notice (``flash notice``), never in the style of a
success (``flash ok``); so is a bulk action that decided no item ("0 items approved.")."""


def message_style(key: str | None, n: str | None = None) -> str:
    """The style of the flash message of ``?msg=key`` (with the count ``n`` of a bulk action):
    ``notice`` when it reports nothing done (`NOTHING_DONE`, a count of 0), else ``ok``."""
    if key in NOTHING_DONE:
        return "notice"
    if key and key.startswith("bulk-") and n is not None and n.isascii() and n.isdigit() and int(n) == 0:
        return "notice"
    return "ok"


DECIDED: dict[str, str] = {
    "approve": "approved and published.",
    "reject": "rejected; it will not come back in later crawls.",
    "defer": "deferred.",
}
"""How the flash message after a decision ends, after the item it names (`decided_message`)."""
TITLE_SHOWN = 60
"""Characters of an item's title a flash message quotes before "…"."""


def decided_message(session: Session, key: str | None, item_id: int | None) -> str | None:
    """The flash message of a decision on item `item_id`, naming it: ``#141 'Title…' approved and
    published.``; None when `key` is no decision or the item is unknown (the caller falls back
    to `message`)."""
    if key not in DECIDED or item_id is None:
        return None
    title = decisions.shown_title(session, item_id)
    if title is None:
        return None
    title = squash_whitespace(strip_bidi_controls(title)) or "(no title)"
    if len(title) > TITLE_SHOWN:
        title = title[: TITLE_SHOWN - 1].rstrip() + "…"
    return f"#{item_id} '{title}' {DECIDED[key]}"


def request_token() -> str:
    """A fresh token for one form, so a double submit is recorded once."""
    return secrets.token_hex(16)


def log_decision(user: CurrentUser, decision: decisions.Decision) -> None:
    """One log line per recorded decision. The title is harvested input: the logger's
    `ControlCharFilter` keeps it on this one line (ASVS 7.3.1)."""
    if decision.repeated:
        return
    reason = decision.reason
    fields = ", ".join(sorted(decision.changes)) if decision.changes else ""
    log.info(
        'decision %s on item %d "%s" by %s%s%s',
        decision.action,
        decision.item_id,
        decision.title or "",
        user.name,
        f" (reason: {reason})" if reason else "",
        f" (changed: {fields})" if fields else "",
    )


def message(key: str | None) -> str | None:
    """The flash message of a ``?msg=`` key, None for an unknown one."""
    return MESSAGES.get(key or "")


CONTROLS_REFUSED = "Filter values and names must not contain control characters."


MULTI_VALUED = ("language", "country", "source", "theme", "content_type")
"""Query keys whose values are always lists (the queue's multi-value filters)."""


def _fold(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Non-empty query values by key (lists for `MULTI_VALUED` keys and repeated keys); HTTPException
    400 when a key or value holds a control character (`has_controls`)."""
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        if has_controls(key) or has_controls(value):
            raise HTTPException(400, CONTROLS_REFUSED)
        if value == "":
            continue
        out.setdefault(key, []).append(value)
    return {k: v if len(v) > 1 or k in MULTI_VALUED else v[0] for k, v in out.items()}


def query_dict(request: Request) -> dict[str, Any]:
    """The query's non-empty values (lists for the multi-value filters); HTTPException 400 when a
    key or value holds a control character (`has_controls`)."""
    return _fold(request.query_params.multi_items())


def desk_filters(session: Session, query: dict[str, Any]) -> tuple[store_queue.QueueFilters, dict[str, str]]:
    """(filters, problems) of a queue query.

    Rules: the desk takes the same theme values as ``ewsi queue --theme`` (crawler.themes
    `theme_name`: a name in any case, the two-letter code ``SC``, or the read API's id
    ``social_cohesion`` of config/themes.yaml); an unknown or malformed value (a language that is
    not ISO 639-1 nor ``und``, a country that is not ISO 3166-1 alpha-2 nor ``EU``, a relevance
    outside 0..1, a source id the store does not hold, ...) is named in `problems`
    (crawler.store.queue.filter_problems, shown beside the filters) and that filter is left out of
    both the list and its counts, never dropped silently.
    """
    query = dict(query)
    if query.get("theme"):
        query["theme"] = [_theme_or_as_typed(t) for t in store_queue.value_list(query["theme"])]
    sources = store_queue.known_sources(session, query)
    return store_queue.QueueFilters.from_query(query, sources), store_queue.filter_problems(query, sources)


def _theme_or_as_typed(value: str) -> str:
    """The theme's name for `value` (crawler.themes `theme_name`), else `value` itself, so that the
    filters name it as unknown."""
    try:
        return theme_name(value)
    except ValueError:
        return value


MAX_PAGE_NUMBER = 10_000
"""Highest ``page`` of either queue order (each numbered page is an OFFSET query)."""


def order_and_page(query: dict[str, Any]) -> tuple[str, int, dict[str, str]]:
    """(order, page, problems) of a queue query's ``order`` and ``page``: an unknown order or a page
    that is not a whole number from 1 to `MAX_PAGE_NUMBER` is named in `problems` (as the filters'
    values are) and the default (priority, page 1) is used."""
    problems: dict[str, str] = {}
    order = query.get("order") or "priority"
    order = order[-1] if isinstance(order, list) else str(order)
    if order not in store_queue.QUEUE_ORDERS:
        orders = ", ".join(store_queue.QUEUE_ORDERS)
        problems["order"] = f"Unknown order {order[:32]!r} (use {orders}): showing by priority."
        order = "priority"
    raw = query.get("page") or "1"
    raw = raw[-1] if isinstance(raw, list) else str(raw)
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 0
    if not 1 <= page <= MAX_PAGE_NUMBER:
        problems["page"] = (
            f"Page {raw[:32]!r} is not a whole number from 1 to {MAX_PAGE_NUMBER:,}: showing page 1."
        )
        page = 1
    return order, page, problems


def queue_query(filters: store_queue.QueueFilters, order: str = "priority") -> str:
    """The query string of the queue under `filters` in `order` (``order`` left out for priority)."""
    extra = {"order": order} if order != "priority" else {}
    return urlencode({**filters.to_query(), **extra}, doseq=True)


def queue_context(session: Session, raw: str | None) -> tuple[store_queue.QueueFilters, str, str]:
    """(filters, order, canonical query) of the queue an item was opened from, carried as one query
    string (``/items/7?queue=language%3Dde``) so approve/reject/next walk that queue. An unknown order
    is the priority order; unknown keys and bad values are dropped as in `QueueFilters.from_query`;
    HTTPException 400 for control characters. None or "" is the default queue (pending, priority)."""
    query = _fold(parse_qsl(raw or "")[:64])
    order = query.pop("order", "priority")
    order = order if isinstance(order, str) and order in store_queue.QUEUE_ORDERS else "priority"
    filters, _ = desk_filters(session, query)
    return filters, order, queue_query(filters, order)


def item_query(context: str) -> str:
    """The query an item link carries for the queue's query `context` (`queue_query`):
    ``?queue=...``, or "" for the default queue (pending, priority)."""
    return "" if context in ("", "status=pending") else "?" + urlencode({"queue": context})


def item_link(item_id: int, context: str, **params: str | int | None) -> str:
    """The item page's path carrying the queue's query `context` (as `item_query`) and then `params`
    (None values left out), in that order."""
    query: dict[str, str | int] = {} if context in ("", "status=pending") else {"queue": context}
    query.update({k: v for k, v in params.items() if v is not None})
    return f"/items/{item_id}" + ("?" + urlencode(query) if query else "")
