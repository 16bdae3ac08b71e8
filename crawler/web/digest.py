"""E-mail digests: the editors' daily digest and the weekly newsletter draft.

    ewsi digest send [--dry-run] [--kind daily|newsletter] [--to ADDR ...] [--database-url URL]

- daily (for editors): pending items by language and by theme (all waiting, and new in the last
  24 hours), and the sources whose state is failing, broken or quiet (crawler.store.source_status);
- newsletter (a draft for the editors to send on): the items published on the portal in the last 7
  days (approved_at, still published) and the funding deadlines of the next 30 days.

Each is rendered from templates/digest/<kind>.txt and <kind>.html (Jinja2; HTML autoescaped) and
sent as one multipart/alternative message (text first, HTML preferred). Links are absolute under
``EWSI_PUBLIC_URL`` (default http://127.0.0.1:8000); item links are the source page when it is an
http(s) URL, else the item's API URL. ``--dry-run`` prints the whole message to standard output
and sends nothing.

SMTP settings from the environment (`SmtpSettings.from_env`): EWSI_SMTP_HOST (required to send),
EWSI_SMTP_PORT (587 with STARTTLS, else 25), EWSI_SMTP_USER / EWSI_SMTP_PASSWORD (login when both
are set), EWSI_SMTP_FROM (default ewsi@localhost), EWSI_DIGEST_TO (comma-separated recipients),
EWSI_SMTP_STARTTLS (1/true/yes). Exit codes: 0 sent or printed, 2 bad settings, database or SMTP
unavailable.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from crawler.errors import DatabaseUnavailable
from crawler.store import ensure_ready, session_scope, source_status
from crawler.store import portal as store
from crawler.web.public import public_record, public_url, theme_names

TEMPLATES = Path(__file__).resolve().parent / "templates" / "digest"
KINDS = ("daily", "newsletter")
PROBLEM_STATES = ("failing", "broken", "quiet")
NEWSLETTER_DAYS = 7
DEADLINE_DAYS = 30


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
    def from_env(cls, env: dict[str, str] | None = None) -> SmtpSettings:
        """Settings from `env` (default os.environ). ValueError for a non-numeric port."""
        env = dict(os.environ if env is None else env)
        starttls = env.get("EWSI_SMTP_STARTTLS", "").strip().lower() in ("1", "true", "yes", "on")
        port = env.get("EWSI_SMTP_PORT", "").strip()
        return cls(
            host=env.get("EWSI_SMTP_HOST") or None,
            port=int(port) if port else (587 if starttls else 25),
            user=env.get("EWSI_SMTP_USER") or None,
            password=env.get("EWSI_SMTP_PASSWORD") or None,
            sender=env.get("EWSI_SMTP_FROM") or "ewsi@localhost",
            recipients=tuple(a.strip() for a in env.get("EWSI_DIGEST_TO", "").split(",") if a.strip()),
            starttls=starttls,
        )


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _day(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d") if value else "-"


def daily_context(session: Any, now: datetime, base_url: str) -> dict[str, Any]:
    """Data of the daily digest: pending counts, problem sources, absolute links to the desk."""
    pending = store.pending_summary(session, now - timedelta(days=1))
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
    return {"date": _day(now), "pending": pending, "sources": sources, "links": links}


def newsletter_context(session: Any, now: datetime, base_url: str) -> dict[str, Any]:
    """Data of the newsletter: the week's published items and the next 30 days' funding deadlines."""
    names = theme_names()
    items = []
    for row in store.published_between(session, now - timedelta(days=NEWSLETTER_DAYS), now):
        record = public_record(row, base_url)
        record["theme_names"] = [names.get(t, t) for t in record["themes"]]
        record["published_at_text"] = _day(record.get("published_at"))
        items.append(record)
    calls = []
    for row in store.open_funding_calls(session, now, until=now + timedelta(days=DEADLINE_DAYS)):
        record = public_record(row, base_url)
        record["deadline_text"] = _day(record["deadline"])
        calls.append(record)
    links = {"calendar": f"{base_url}/feeds/funding.ics", "feed": f"{base_url}/feeds/atom"}
    return {"date": _day(now), "items": items, "calls": calls, "links": links}


def render(kind: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of digest `kind` ("daily" or "newsletter"); KeyError otherwise."""
    if kind not in KINDS:
        raise KeyError(kind)
    env = _environment()
    text = env.get_template(f"{kind}.txt").render(context)
    html = env.get_template(f"{kind}.html").render(context)
    if kind == "daily":
        subject = f"EWSI digest {context['date']}: {context['pending']['total']} waiting"
        if context["sources"]:
            subject += f", {len(context['sources'])} sources need attention"
    else:
        subject = f"EWSI newsletter draft, week to {context['date']}"
    return subject, text, html


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
    base = base_url or public_url()
    context = daily_context(session, now, base) if kind == "daily" else newsletter_context(session, now, base)
    return render(kind, context)


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi digest``."""
    parser = argparse.ArgumentParser(prog="ewsi digest", description="editors' digest and newsletter draft")
    sub = parser.add_subparsers(dest="action", required=True)
    send_cmd = sub.add_parser("send", help="render and send (or print with --dry-run)")
    send_cmd.add_argument("--kind", choices=KINDS, default="daily")
    send_cmd.add_argument("--dry-run", action="store_true", help="print the message, send nothing")
    send_cmd.add_argument("--to", action="append", metavar="ADDR", help="recipient (default EWSI_DIGEST_TO)")
    send_cmd.add_argument("--database-url", help="SQLAlchemy URL (default EWSI_DATABASE_URL or SQLite)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ewsi digest`` (see the module docstring)."""
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        settings = SmtpSettings.from_env()
    except ValueError:
        print("EWSI_SMTP_PORT must be a number", file=sys.stderr)
        return 2
    recipients = tuple(args.to or settings.recipients)
    try:
        ensure_ready(args.database_url)
        with session_scope(args.database_url) as session:
            subject, text, html = compose(session, args.kind)
    except DatabaseUnavailable as exc:
        print(f"database unavailable: {exc}", file=sys.stderr)
        return 2
    message = build_message(subject, text, html, sender=settings.sender, recipients=recipients)
    if args.dry_run:
        sys.stdout.write(message.as_string())
        return 0
    try:
        send(message, settings)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (smtplib.SMTPException, OSError) as exc:
        print(f"SMTP delivery failed: {exc}", file=sys.stderr)
        return 2
    print(f"sent {args.kind} digest to {len(recipients)} recipient(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
