"""``ewsi mail``: send the mails to contributors waiting in the outbox (crawler.store.outbox).

    ewsi mail send [--limit N] [--database-url URL]   send what is due (receipts, decisions,
                                                      requests for changes); a failed mail stays
                                                      and is retried by a later run (back-off
                                                      1 min doubling to 6 h); run it every minute
    ewsi mail status [--database-url URL]             mails by status (pending, sent, dropped) and
                                                      how many pending ones failed before

SMTP settings are the digests' (EWSI_SMTP_*). No address is printed. Exit codes: 0 all due mails
sent (or none due), 1 some failed and wait for a retry, 2 no SMTP host or bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from crawler.argtypes import Parser, positive_int
from crawler.config import Settings
from crawler.store import outbox
from crawler.store.migrate import ensure_ready
from crawler.store.session import make_engine, session_factory, session_scope
from crawler.web.contributor_mail import send_due
from crawler.web.digest import SmtpSettings

HELP = "send the mails to contributors waiting in the outbox"


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi mail``."""
    parser = Parser(prog="ewsi mail", description=HELP)
    sub = parser.add_subparsers(dest="action", required=True)
    send_cmd = sub.add_parser("send", help="send the mails that are due")
    send_cmd.add_argument(
        "--limit", type=positive_int, default=500, help="at most this many mails (default 500)"
    )
    sub.add_parser("status", help="mails by status")
    parser.add_shared_argument("--database-url", help="SQLAlchemy URL (default EWSI_DATABASE_URL or SQLite)")
    return parser


def main(argv: Sequence[str], runtime: Settings) -> int:
    """Entry point of ``ewsi mail`` (see the module docstring)."""
    args = build_parser().parse_args(list(argv))
    url = args.database_url or runtime.database_url
    ensure_ready(url)
    if args.action == "status":
        with session_scope(url) as session:
            counts = outbox.counts(session)
        print("  ".join(f"{k} {v}" for k, v in counts.items()))
        return 0
    smtp = SmtpSettings.from_settings(runtime)
    if not smtp.host:
        print("EWSI_SMTP_HOST is not set: nothing sent", file=sys.stderr)
        return 2
    engine = make_engine(url)
    try:
        done = send_due(
            session_factory(engine),
            smtp,
            runtime.public_url,
            limit=args.limit,
            log=lambda line: print(line, file=sys.stderr),
        )
    finally:
        engine.dispose()
    print(f"sent {done['sent']}, failed {done['failed']} (kept for a retry), dropped {done['dropped']}")
    return 1 if done["failed"] else 0
