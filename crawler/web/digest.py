"""E-mail digests: the editors' daily digest and the weekly newsletter draft (crawler.commands.digest).

- daily (for editors): pending items by language and by theme (all waiting, and new in the last
  24 hours), the sources whose state is failing, broken or quiet (crawler.store.source_status),
  and the published calls closing in the next 30 days and events of the next 30 days;
- newsletter (a draft for the editors to send on): the items published on the portal in the last 7
  days (approved_at, still published), the published funding calls with a deadline in the next 30
  days (the next cut-off of each) and the published events of the next 30 days;
- alerts (optional, run daily): the published calls whose next deadline is `ALERT_DAYS` (7) days
  away, i.e. in (now + 6 days, now + 7 days], so a daily run names each deadline once. With no such
  call the subject says so (``nothing_due`` in the context: a sender may skip it).

Each is rendered from templates/digest/<kind>.txt and <kind>.html (Jinja2; HTML autoescaped) and
sent as one multipart/alternative message (text first, HTML preferred). Links are absolute under
the public URL (`Settings.public_url`); item links are the source page when it is an
http(s) URL, else the item's API URL.

SMTP settings come from the runtime settings (`SmtpSettings.from_settings`): EWSI_SMTP_HOST
(required to send), EWSI_SMTP_PORT (587 with STARTTLS, else 25), EWSI_SMTP_USER /
EWSI_SMTP_PASSWORD (login when both are set), EWSI_SMTP_FROM, EWSI_DIGEST_TO, EWSI_SMTP_STARTTLS.
`send` raises ValueError without a host, smtplib.SMTPException or OSError when delivery fails.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from crawler.config import DEFAULT_PUBLIC_URL, Settings
from crawler.store import portal, structured
from crawler.store.sources import source_status
from crawler.text import counted, when
from crawler.web.calendars import place_text
from crawler.web.public import public_record, theme_names

TEMPLATES = Path(__file__).resolve().parent / "templates" / "digest"
KINDS = ("daily", "newsletter", "alerts")
PROBLEM_STATES = ("failing", "broken", "quiet")
NEWSLETTER_DAYS = 7
DEADLINE_DAYS = 30
ALERT_DAYS = 7


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how digests are sent (see the module docstring for the environment names)."""

    host: str | None
    port: int
    user: str | None
    password: str | None
    sender: str
    recipients: tuple[str, ...]
    starttls: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSettings:
        """The SMTP part of the runtime settings; the port defaults to 587 with STARTTLS, else 25."""
        starttls = settings.smtp_starttls
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port or (587 if starttls else 25),
            user=settings.smtp_user,
            password=settings.smtp_password,
            sender=settings.smtp_from,
            recipients=settings.digest_to,
            starttls=starttls,
        )


def _environment() -> Environment:
    """The digests' templates, with the desk's ``counted`` filter ("1 item", "2 days left") and its
    ``dt`` (crawler.text `when`: a time of day names its zone)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["counted"] = counted
    env.filters["dt"] = when
    return env


def _day(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d") if value else "-"


def daily_context(session: Any, now: datetime, base_url: str) -> dict[str, Any]:
    """Data of the daily digest: pending counts, problem sources, absolute links to the desk."""
    pending = portal.pending_summary(session, now - timedelta(days=1))
    sources = [
        s for s in source_status(session) if s.get("state") in PROBLEM_STATES and s.get("enabled", True)
    ]
    links = {
        "queue": f"{base_url}/queue",
        "sources": f"{base_url}/sources",
        "language": {
            lang: f"{base_url}/queue?{urlencode({'language': lang})}" for lang in pending["by_language"]
        },
        "theme": {theme: f"{base_url}/queue?{urlencode({'theme': theme})}" for theme in pending["by_theme"]},
    }
    from crawler.web.coverage import digest_lines, report

    links["coverage"] = f"{base_url}/coverage"
    gaps = digest_lines(report(session, now))
    return {
        "date": _day(now),
        "pending": pending,
        "sources": sources,
        "links": links,
        "coverage_gaps": gaps,
        **coming(session, now, base_url),
    }


def coming(session: Any, now: datetime, base_url: str) -> dict[str, list[dict[str, Any]]]:
    """``calls``: published calls with a deadline in the next `DEADLINE_DAYS` days, soonest first,
    with ``deadline_text`` (the next cut-off, a day) and ``days_left``; ``events``: published events
    not ended and starting within `DEADLINE_DAYS` days, with ``date_text`` and ``place_text``."""
    until = now + timedelta(days=DEADLINE_DAYS)
    calls = []
    for row in structured.published_calls(session, now, deadline_before=until):
        record = public_record(row, base_url)
        record["deadline_text"] = _day(record.get("next_deadline"))
        calls.append(record)
    calls.sort(key=lambda c: (c.get("next_deadline") or until, c["id"]))
    events = []
    for row in structured.published_events(session, now, start_from=now, to=until):
        record = public_record(row, base_url)
        record["date_text"] = structured.event_days(record) or _day(record.get("event_start"))
        record["place_text"] = place_text(record.get("place"))
        events.append(record)
    return {"calls": calls, "events": events}


def newsletter_context(session: Any, now: datetime, base_url: str) -> dict[str, Any]:
    """Data of the newsletter: the week's published items and the next 30 days' funding deadlines."""
    names = theme_names()
    items = []
    for row in portal.published_between(session, now - timedelta(days=NEWSLETTER_DAYS), now):
        record = public_record(row, base_url)
        record["theme_names"] = [names.get(t, t) for t in record["themes"]]
        record["published_at_text"] = _day(record.get("published_at"))
        items.append(record)
    links = {
        "calendar": f"{base_url}/feeds/funding.ics",
        "events": f"{base_url}/feeds/events.ics",
        "feed": f"{base_url}/feeds/atom",
    }
    return {"date": _day(now), "items": items, "links": links, **coming(session, now, base_url)}


def alerts_context(session: Any, now: datetime, base_url: str) -> dict[str, Any]:
    """Data of the deadline alert: the published calls whose next deadline is in
    (now + ALERT_DAYS - 1 day, now + ALERT_DAYS], soonest first (see the module docstring)."""
    start, end = now + timedelta(days=ALERT_DAYS - 1), now + timedelta(days=ALERT_DAYS)
    calls = []
    for call in coming(session, now, base_url)["calls"]:
        due = call.get("next_deadline")
        if due is not None and start < due <= end:
            call["deadline_time"] = when(due)
            calls.append(call)
    links = {"calendar": f"{base_url}/feeds/funding.ics"}
    return {"date": _day(now), "calls": calls, "nothing_due": not calls, "days": ALERT_DAYS, "links": links}


def due_alerts(session: Any, now: datetime | None = None) -> bool:
    """True when the deadline alert has a call to name (`alerts_context`); senders skip it otherwise."""
    return not alerts_context(session, now or datetime.now(UTC), DEFAULT_PUBLIC_URL)["nothing_due"]


def render(kind: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of digest `kind` (one of `KINDS`); KeyError otherwise."""
    if kind not in KINDS:
        raise KeyError(kind)
    env = _environment()
    text = env.get_template(f"{kind}.txt").render(context)
    html = env.get_template(f"{kind}.html").render(context)
    return subject_line(kind, context), text, html


def subject_line(kind: str, context: dict[str, Any]) -> str:
    """The mail subject of digest `kind`, its counts in English number ("1 source needs attention",
    "2 funding calls close in 7 days")."""
    if kind == "daily":
        subject = f"EWSI digest {context['date']}: {context['pending']['total']} waiting"
        if context["sources"]:
            subject += ", " + counted(
                len(context["sources"]), "source needs attention", "sources need attention"
            )
        return subject
    if kind == "alerts":
        count = len(context["calls"])
        calls = (
            counted(count, "funding call closes", "funding calls close")
            if count
            else "no funding call closes"
        )
        return f"EWSI: {calls} in {counted(context['days'], 'day')}"
    return f"EWSI newsletter draft, week to {context['date']}"


def build_message(
    subject: str, text: str, html: str, *, sender: str, recipients: Sequence[str], now: datetime | None = None
) -> EmailMessage:
    """A multipart/alternative message (text/plain then text/html, both UTF-8)."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    if recipients:
        message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def send(message: EmailMessage, settings: SmtpSettings, *, timeout: float = 30.0) -> None:
    """Deliver `message` over SMTP (STARTTLS and login as configured).

    Raises ValueError when no host or recipient is configured, smtplib.SMTPException or OSError when
    the server refuses or cannot be reached.
    """
    if not settings.host:
        raise ValueError("EWSI_SMTP_HOST is not set")
    if not message["To"]:
        raise ValueError("no recipient: set EWSI_DIGEST_TO or pass --to")
    with smtplib.SMTP(settings.host, settings.port, timeout=timeout) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user and settings.password:
            smtp.login(settings.user, settings.password)
        smtp.send_message(message)


def compose(
    session: Any, kind: str, *, now: datetime | None = None, base_url: str | None = None
) -> tuple[str, str, str]:
    """(subject, text, HTML) of digest `kind` from the store at `now` (default: the current time)."""
    now = now or datetime.now(UTC)
    base = (base_url or DEFAULT_PUBLIC_URL).rstrip("/")
    contexts = {"daily": daily_context, "newsletter": newsletter_context, "alerts": alerts_context}
    return render(kind, contexts[kind](session, now, base))
