"""``ewsi digest send [--dry-run] [--kind daily|newsletter|alerts] [--to ADDR ...] [--database-url URL]``.

Renders the digest of crawler.web.digest and sends it over SMTP (`Settings.smtp_*`), or prints the
whole message with ``--dry-run``. Exit codes: 0 sent or printed, 2 no SMTP host or SMTP
unavailable; DatabaseUnavailable is mapped to 2 by crawler.cli.
"""

from __future__ import annotations

import argparse
import smtplib
import sys
from collections.abc import Sequence

from crawler.argtypes import Parser
from crawler.config import Settings
from crawler.store.migrate import ensure_ready
from crawler.store.session import session_scope
from crawler.text import counted
from crawler.web.digest import ALERT_DAYS, KINDS, SmtpSettings, build_message, compose, due_alerts, send

HELP = "render or send the editors' digest and the newsletter"


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi digest``."""
    parser = Parser(prog="ewsi digest", description="editors' digest and newsletter draft")
    sub = parser.add_subparsers(dest="action", required=True)
    send_cmd = sub.add_parser("send", help="render and send (or print with --dry-run)")
    send_cmd.add_argument("--kind", choices=KINDS, default="daily")
    send_cmd.add_argument("--dry-run", action="store_true", help="print the message, send nothing")
    send_cmd.add_argument("--to", action="append", metavar="ADDR", help="recipient (default EWSI_DIGEST_TO)")
    send_cmd.add_argument("--database-url", help="SQLAlchemy URL (default EWSI_DATABASE_URL or SQLite)")
    return parser


def main(argv: Sequence[str], runtime: Settings) -> int:
    """Entry point of ``ewsi digest`` (see the module docstring)."""
    args = build_parser().parse_args(list(argv))
    settings = SmtpSettings.from_settings(runtime)
    recipients = tuple(args.to or settings.recipients)
    url = args.database_url or runtime.database_url
    ensure_ready(url)
    with session_scope(url) as session:
        if args.kind == "alerts" and not due_alerts(session):
            print(f"no published funding call closes in {ALERT_DAYS} days: nothing sent", file=sys.stderr)
            return 0
        subject, text, html = compose(session, args.kind, base_url=runtime.public_url.rstrip("/"))
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
    print(f"sent {args.kind} digest to {counted(len(recipients), 'recipient')}", file=sys.stderr)
    return 0
