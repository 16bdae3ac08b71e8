"""Desk pages of the review queue: the list, facet counts, claim-next, bulk decisions, saved views.

Rules: filters come from the query (`crawler.web.desk.query_dict`; control characters are 400) and
are normalised by `crawler.store.queue.QueueFilters`; pages are keyset pages whose ``after``
cursor is passed unchanged (a malformed one is 400); facet counts stop at `Settings.count_cap`
and are cached per filter set for `COUNTS_TTL_S`; a bulk decision names each item as
``id:revision`` (both 1..2**63-1, else 400) and a rejection's reason must be one of
`crawler.store.decisions.REJECT_REASONS` (else 400, nothing stored). A bulk form sent with nothing
selected changes nothing and goes back to the same queue (its whole query string) saying "Select
items first"; a bulk decision goes back there too (303, POST-redirect-GET) saying "3 items rejected."
(`bulk_message`), unless an item was refused: then a page names each refused item and why, 409 when
every selected item was refused.
"""

from __future__ import annotations

import time
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from crawler.store import decisions, users
from crawler.store import queue as store_queue
from crawler.store.schema import ITEM_STATUSES
from crawler.text import counted
from crawler.types import CALL_STATUSES, CONTENT_TYPES, THEMES
from crawler.web.auth import address_of, safe_next
from crawler.web.deps import DbSession, PathId, has_controls, parse_db_int
from crawler.web.desk import (
    CONTROLS_REFUSED,
    MAX_PAGE_NUMBER,
    Editor,
    decided_message,
    desk_filters,
    desk_router,
    item_link,
    item_query,
    log_decision,
    message,
    message_style,
    order_and_page,
    query_dict,
    queue_query,
    request_token,
)
from crawler.web.rows import compact
from crawler.web.templating import render

router = desk_router()

COUNTS_TTL_S = 30.0
"""Facet counts are cached per filter set for this long (they scan the whole filtered queue)."""
MAX_UNCERTAIN_PAGE = MAX_PAGE_NUMBER
"""Highest ``page`` of the uncertain order (each page is an OFFSET query)."""
QUEUE_KEYBOARD = (
    ("j / k", "move down / up"),
    ("o or Enter", "open the item"),
    ("x", "select for a bulk action"),
    ("Shift+A", "approve the selected items"),
    ("/", "filter by title words"),
)
BULK_DONE = {"approve": "approved", "reject": "rejected"}
"""What a bulk action did, as its notice on the queue says it ("3 items rejected.")."""
NOTICE_KEYS = ("msg", "n", "done")
"""Query keys of a notice on the queue (never filters; left out of the queue's own address)."""


def bulk_message(key: str | None, n: str | None) -> str | None:
    """The queue's notice for ``?msg=`` (desk `message`); ``msg=bulk-approve`` / ``bulk-reject`` with
    ``n`` (a whole number) is "1 item approved." / "3 items rejected."."""
    action = (key or "").removeprefix("bulk-")
    if key and key.startswith("bulk-") and action in BULK_DONE:
        count = int(n) if n and n.isascii() and n.isdigit() and len(n) <= 6 else None
        return None if count is None else f"{counted(count, 'item')} {BULK_DONE[action]}."
    return message(key)


def with_notice(back: str, msg: str, n: int | None = None) -> str:
    """`back` (a same-site queue address, `safe_next`) with the notice `msg` (and count `n`) in its
    query, any earlier notice dropped; the filters, order and page stay as they were."""
    parts = urlsplit(safe_next(back))
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in NOTICE_KEYS]
    pairs += [("msg", msg)] + ([("n", str(n))] if n is not None else [])
    return f"{parts.path}?{urlencode(pairs)}"


@router.get("/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    session: DbSession,
    user: Editor,
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The queue: filters, priority order, keyset pages, saved views, bulk actions; 400 for a
    malformed ``after`` cursor (pass the next-page link unchanged). ``order=uncertain``: the items
    the classifier is least sure about (crawler.store.priority), paged by
    ``page`` (1, 2, ...): every page has its next-page link while more items match, as in the
    priority order, so the tab never stops short of its count. ``page`` numbers the priority order
    too (its next-page link then goes on by cursor). A page past the last one says so, in either
    order, with a link to the last page ("Nothing matches" only when nothing does). An unknown
    ``order`` or a bad ``page`` is named beside the filters and the default used
    (crawler.web.desk `order_and_page`)."""
    query = query_dict(request)
    order, page, problems = order_and_page(query)
    for key in ("after", "order", "page"):
        query.pop(key, None)
    msg, n = query.pop("msg", None), query.pop("n", None)
    done = parse_db_int(query.pop("done", None))  # the item decided last: the notice names it
    filters, filter_problems = desk_filters(session, query)  # shown beside the filters, never dropped
    problems = {**filter_problems, **problems}
    limit = request.app.state.settings.page_size
    more = False
    page = 1 if after and order == "priority" else page  # a cursor names the page itself
    try:
        if order == "uncertain":
            rows = store_queue.uncertain_page(session, filters, limit=limit + 1, offset=(page - 1) * limit)
            more, rows, next_cursor = len(rows) > limit, rows[:limit], None
        else:
            rows, next_cursor = store_queue.queue_page(
                session, filters, after=after, limit=limit, offset=(page - 1) * limit
            )
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    filter_query = urlencode(filters.to_query(), doseq=True)
    context = queue_query(filters, order)
    order_part = "&order=uncertain" if order == "uncertain" else ""
    past_end: dict[str, Any] | None = None
    if not rows and page > 1:
        total = store_queue.count_matching(session, filters)
        if total:
            last = -(-total // limit)
            past_end = {"page": page, "last": last, "url": f"/queue?{filter_query}{order_part}&page={last}"}
    return render(
        request,
        "queue.html",
        {
            "rows": compact(rows, user.name),
            "filters": filters,
            "order": order,
            "filter_query": filter_query,
            # the queue an item is opened from, so approve/reject/next on its page walk this queue
            "item_query": item_query(context),
            "tabs": [
                ("priority", "By priority", f"/queue?{filter_query}"),
                ("uncertain", "Model unsure", f"/queue?{filter_query}&order=uncertain"),
            ],
            "next_url": (
                f"/queue?{filter_query}&order=uncertain&page={page + 1}"
                if order == "uncertain" and more and page < MAX_UNCERTAIN_PAGE
                else f"/queue?{filter_query}&after={next_cursor}"
                if next_cursor
                else None
            ),
            "prev_url": f"/queue?{filter_query}{order_part}&page={page - 1}"
            if page > 1 and not past_end
            else None,
            "page": page if (order == "uncertain" or page > 1) and not past_end else None,
            "past_end": past_end,
            "views": [
                {**v, "url": "/queue?" + urlencode(v["query"], doseq=True)}
                for v in users.saved_views(session, user.id)
            ],
            "statuses": ("any", *ITEM_STATUSES),
            "themes": THEMES,
            "content_types": CONTENT_TYPES,
            "call_statuses": CALL_STATUSES,
            "reject_reasons": decisions.REJECT_REASONS,
            "request_token": request_token(),
            "message": decided_message(session, msg if isinstance(msg, str) else None, done)
            or bulk_message(msg if isinstance(msg, str) else None, n if isinstance(n, str) else None),
            "message_style": message_style(
                msg if isinstance(msg, str) else None, n if isinstance(n, str) else None
            ),
            # the bulk form comes back to this very address (filters, order, page), notice aside
            "back_url": "/queue?"
            + urlencode([(k, v) for k, v in request.query_params.multi_items() if k not in NOTICE_KEYS]),
            "filter_problems": problems,
            "shortcuts": QUEUE_KEYBOARD,
        },
    )


@router.get("/queue/counts", response_class=HTMLResponse)
def queue_counts(request: Request, session: DbSession, user: Editor) -> Response:
    """Counts per filter value under the other filters (an HTML fragment the queue page loads);
    each count stops at `Settings.count_cap` ("1,000+"), and is cached per filter set for 30 s."""
    filters, _ = desk_filters(session, query_dict(request))  # the same filters as the list
    key = repr(filters)
    cache: dict[str, tuple[float, Any]] = request.app.state.counts_cache
    hit = cache.get(key)
    if hit is None or time.monotonic() - hit[0] > COUNTS_TTL_S:
        if len(cache) > 500:
            cache.clear()
        cap = request.app.state.settings.count_cap
        hit = cache[key] = (time.monotonic(), store_queue.queue_counts(session, filters, cap=cap))
    return render(request, "counts.html", {"counts": hit[1], "filters": filters})


@router.post("/queue/next")
async def queue_next(request: Request, session: DbSession, user: Editor) -> Response:
    """Claim the next item no other editor holds under the queue's filters and order (query ``order``,
    default priority) and open it. The form field ``after_item`` (the item page's Next) names the item
    the editor is leaving: it is skipped and, in priority order, the search starts after it
    (`store_queue.claim_next`)."""
    form = await request.form()
    query = query_dict(request)
    order = str(query.pop("order", "priority"))
    order = order if order in store_queue.QUEUE_ORDERS else "priority"
    filters, _ = desk_filters(session, query)
    after_item = parse_db_int(form.get("after_item")) if form.get("after_item") else None
    item_id = store_queue.claim_next(
        session, user.name, filters, order=order, after_item=after_item, address=address_of(request)
    )
    session.commit()
    context = queue_query(filters, order)
    if item_id is None:
        return RedirectResponse(f"/queue?{context}&msg=empty", status_code=303)
    return RedirectResponse(item_link(item_id, context), status_code=303)


@router.post("/queue/bulk", response_class=HTMLResponse)
async def queue_bulk(request: Request, session: DbSession, user: Editor) -> Response:
    """Approve or reject the selected items (fields ``item`` = ``id:revision``, both 1..2**63-1;
    anything else is a 400, as is a rejection reason that is not one of `decisions.REJECT_REASONS`),
    then go back to the queue at the form's ``back`` address (303) with a notice (module docstring).
    Nothing selected: back with "Select items first", nothing stored."""
    form = await request.form()
    action = str(form.get("action", ""))
    if action not in ("approve", "reject"):
        raise HTTPException(400, "bulk action must be approve or reject")
    pairs: list[tuple[int, int]] = []
    for raw in form.getlist("item"):
        item_s, _, revision_s = str(raw).partition(":")
        item_id, revision = parse_db_int(item_s), parse_db_int(revision_s)
        if item_id is None or revision is None:
            raise HTTPException(400, "each selected item must be sent as id:revision (whole numbers)")
        pairs.append((item_id, revision))
    back = str(form.get("back", "")) or "/queue"
    if not pairs:
        return RedirectResponse(with_notice(back, "select-first"), status_code=303)
    reason = (str(form.get("reason", "")) or None) if action == "reject" else None
    token = str(form.get("request_token", "")) or request_token()
    try:
        done, refused = decisions.bulk_decide(
            session,
            pairs,
            user.name,
            action,
            request_token=token,
            user_id=user.id,
            reason=reason,
            address=address_of(request),
        )
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    session.commit()
    for decision in done:
        log_decision(user, decision)
    if not refused:
        return RedirectResponse(with_notice(back, f"bulk-{action}", len(done)), status_code=303)
    return render(
        request,
        "bulk.html",
        {"done": done, "refused": refused, "action": action, "back": safe_next(back)},
        status_code=200 if not refused or done else 409,
    )


@router.post("/views")
async def save_view(request: Request, session: DbSession, user: Editor) -> Response:
    """Save the submitted filters under a name for this editor."""
    form = await request.form()
    query: dict[str, Any] = {}
    for key, value in form.multi_items():
        if has_controls(key) or has_controls(str(value)):
            raise HTTPException(400, CONTROLS_REFUSED)
        if key in ("csrf_token", "name") or value == "":
            continue
        query.setdefault(key, []).append(str(value))
    filters = store_queue.QueueFilters.from_query(query)
    try:
        users.save_view(session, user.id, str(form.get("name", "")), filters.to_query())
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    session.commit()
    return RedirectResponse(f"/queue?{urlencode(filters.to_query(), doseq=True)}&msg=saved", status_code=303)


@router.post("/views/{view_id}/delete")
def delete_view(view_id: PathId, session: DbSession, user: Editor) -> Response:
    """Delete one of the editor's saved views."""
    if not users.delete_saved_view(session, user.id, view_id):
        raise HTTPException(404, "no such view")
    session.commit()
    return RedirectResponse("/queue", status_code=303)
