"""Desk pages of oversight and administration: decision history, sources, users and roles, audit log.

Rules: history and sources are for editors; enabling a source, changing a role and reading the
audit log are for admins (others get 403). A source's page lists its items held back after a broken
run (crawler.store.suspects); an editor releases them to the queue (all, or the ticked ones) with a
CSRF-protected POST, recorded in the audit log as ``items.release``. A source id longer than 64
characters or holding a control character is 404 like an unknown one; an unknown user is 404 and an
unknown role 400. A changed role ends that user's sessions (crawler.store.users.set_role).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from crawler.errors import NotFound
from crawler.sources import Source
from crawler.store import audit, decisions, suspects
from crawler.store import sources as store_sources
from crawler.store import users as store_users
from crawler.text import counted
from crawler.web.auth import address_of
from crawler.web.deps import DbSession, PathId, QueryId, has_controls
from crawler.web.desk import Admin, Editor, desk_router
from crawler.web.templating import render

router = desk_router()


@router.get("/history", response_class=HTMLResponse)
def history(request: Request, session: DbSession, user: Editor, item: QueryId = None) -> Response:
    """Recent review decisions (all items, or one with ``?item=``), newest first."""
    rows = decisions.recent_decisions(session, item_id=item, limit=200)
    return render(request, "history.html", {"rows": rows, "item_id": item})


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request, session: DbSession, user: Editor) -> Response:
    """Health of every source, items per source and the editorial yield."""
    from crawler.errors import ERROR_KEYS
    from crawler.web.coverage import sparkline_svg

    rows = store_sources.source_yield(session)
    plans = schedules(request)
    now = datetime.now(UTC)
    for row in rows:
        row["spark"] = sparkline_svg(row["weekly"])
        row["hint"] = ERROR_KEYS.get(row.get("last_error_key") or "", "")
        row["schedule"], row["next_run"] = next_run_cell(plans, row, now)
        source = (plans or {}).get(row["id"])
        row["cron"] = f"{source.schedule} ({source.timezone})" if source else None
    return render(request, "sources.html", {"rows": rows})


def _known_source(session: DbSession, source_id: str) -> dict[str, object]:
    """The `source_status` row of `source_id`; 404 for an unknown id or one no source can have."""
    if len(source_id) <= 64 and not has_controls(source_id):
        for row in store_sources.source_status(session):
            if row["id"] == source_id:
                return row
    raise HTTPException(404, "no such source")


@router.get("/sources/{source_id}", response_class=HTMLResponse)
def source_page(request: Request, session: DbSession, user: Editor, source_id: str) -> Response:
    """One source: its health and the items held back from the queue after a broken run."""
    from crawler.errors import ERROR_KEYS

    row = _known_source(session, source_id)
    held = suspects.suspect_items(session, source_id)
    for entry in held:
        entry["hint"] = ERROR_KEYS.get(str(entry["suspect_key"]), "")
    context = {"s": row, "held": held, "hint": ERROR_KEYS.get(str(row.get("last_error_key") or ""), "")}
    return render(request, "source.html", context)


@router.post("/sources/{source_id}/release")
async def source_release(source_id: str, request: Request, session: DbSession, user: Editor) -> Response:
    """Release held-back items of a source to the review queue: the ``item`` ids sent, or all of
    them with ``all=true``; 400 for an id that is not a number, 404 for an unknown source."""
    _known_source(session, source_id)
    form = await request.form()
    ids: list[int] | None = None
    if str(form.get("all", "")) != "true":
        try:
            ids = [int(str(v)) for v in form.getlist("item")]
        except ValueError:
            raise HTTPException(400, "item ids are numbers") from None
    released = suspects.release(session, source_id, ids)
    audit.audit(
        session,
        user.name,
        "items.release",
        object_type="source",
        object_id=source_id,
        address=address_of(request),
        detail={"released": released, "items": ids},
    )
    session.commit()
    return RedirectResponse(f"/sources/{quote(source_id, safe='')}?released={released}", status_code=303)


def schedules(request: Request) -> dict[str, Source] | None:
    """The configured sources by id, from ``EWSI_SOURCES_CONFIG`` (default config/sources.yaml);
    None when the file is missing or invalid (the page then says so instead of failing)."""
    from crawler.errors import ConfigError
    from crawler.sources import load_sources

    runtime = getattr(request.app.state, "runtime", None)
    try:
        config = load_sources(getattr(runtime, "sources_config", None))
    except (ConfigError, OSError):
        return None
    return {source.id: source for source in config.sources}


def next_run_cell(plans: dict[str, Source] | None, row: dict[str, Any], now: datetime) -> tuple[str, str]:
    """(schedule text, next-run text) of one sources-page row: the configured cron and zone, and the
    next run by the scheduler's rules (crawler.scheduling.nextrun): disabled when the config disables
    it (the scheduler reads only the config's flag), after its back-off when it is backing off."""
    from crawler.scheduling.nextrun import source_next_run

    if plans is None:
        return "config unreadable", "unknown"
    source = plans.get(row["id"])
    if source is None:
        return "not in the config", "never"
    plan = source_next_run(source, now, row.get("backoff_until"))
    return schedule_words(source.schedule, source.timezone), plan.label()


DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def schedule_words(cron: str, zone: str) -> str:
    """A cron schedule in words where it is simple ("daily at 05:00 UTC", "weekdays at 08:00 and 14:00
    Europe/Brussels", "every 3 hours at :45 UTC", "Mondays at 06:00 UTC"), else the cron and the
    zone as they are ("5 4 1 * * (UTC)"); the page keeps the raw cron in a tooltip."""
    fields = cron.split()
    raw = f"{cron} ({zone})"
    if len(fields) != 5 or fields[2:4] != ["*", "*"] or not fields[0].isdigit():
        return raw
    minute, hour, _, _, weekday = fields
    days = {"*": "daily", "1-5": "weekdays", "0,6": "weekends", "6,0": "weekends"}.get(weekday)
    if days is None and weekday.isdigit() and int(weekday) <= 7:
        days = f"{DAYS[int(weekday) % 7]}s"
    if days is None or int(minute) > 59:
        return raw
    if hour == "*" and days == "daily":
        return f"hourly at :{int(minute):02d} {zone}"
    if hour.startswith("*/") and hour[2:].isdigit() and days == "daily":
        return f"every {counted(int(hour[2:]), 'hour')} at :{int(minute):02d} {zone}"
    hours = hour.split(",")
    if not all(h.isdigit() and int(h) <= 23 for h in hours):
        return raw
    times = [f"{int(h):02d}:{int(minute):02d}" for h in hours]
    listed = times[0] if len(times) == 1 else ", ".join(times[:-1]) + " and " + times[-1]
    return f"{days} at {listed} {zone}"


@router.get("/coverage", response_class=HTMLResponse)
def coverage(
    request: Request, session: DbSession, user: Editor, axis: str = "theme", days: int = 30
) -> Response:
    """Coverage heatmaps (relevant and approved items per country x theme or language) and gap alerts."""
    from datetime import UTC, datetime

    from crawler.web.coverage import heatmap_svg, report

    if axis not in ("theme", "language") or not 1 <= days <= 366:
        raise HTTPException(status_code=422, detail="axis is theme or language; days 1-366")
    data = report(session, datetime.now(UTC), axis, days)
    context = {
        "data": data,
        "relevant_svg": heatmap_svg(data, "relevant"),
        "approved_svg": heatmap_svg(data, "approved"),
    }
    return render(request, "coverage.html", context)


@router.post("/admin/sources/{source_id}")
async def source_change(source_id: str, request: Request, session: DbSession, user: Admin) -> Response:
    """Enable or disable a source (admins); 404 for an unknown id (or one no source can have)."""
    if len(source_id) > 64 or has_controls(source_id):
        raise HTTPException(404, "no such source")
    form = await request.form()
    enabled = str(form.get("enabled", "")) == "true"
    try:
        store_sources.set_source_enabled(session, user.name, source_id, enabled, address=address_of(request))
    except NotFound:
        raise HTTPException(404, "no such source") from None
    session.commit()
    return RedirectResponse("/sources", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, session: DbSession, user: Admin) -> Response:
    """Accounts and roles (admins)."""
    return render(
        request,
        "users.html",
        {"users": store_users.list_users(session), "roles": store_users.ROLES, "error": None},
    )


@router.post("/admin/users/{user_id}/role")
async def change_role(user_id: PathId, request: Request, session: DbSession, user: Admin) -> Response:
    """Change a user's role (admins); their sessions end."""
    form = await request.form()
    try:
        store_users.set_role(
            session, user.name, user_id, str(form.get("role", "")), address=address_of(request)
        )
    except NotFound:
        raise HTTPException(404, "no such user") from None
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    session.commit()
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_view(request: Request, session: DbSession, user: Admin, before: QueryId = None) -> Response:
    """The audit log, newest first (admins)."""
    rows = audit.audit_entries(session, limit=100, before_id=before)
    return render(request, "audit.html", {"rows": rows})
