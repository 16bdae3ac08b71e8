"""``ewsi api-token``: manage the portal's API tokens.

    ewsi api-token add NAME [--rate N] [--scope submit|coverage]
                                         create a token (printed once; only its SHA-256 is stored)
    ewsi api-token list                  every token: name, rate limit, created, revoked
    ewsi api-token revoke NAME           revoke the active token with this name

The database is ``--database-url``, else `Settings.database_url`, else the SQLite default. Exit
codes: 0 done, 1 nothing to revoke or a name already in use, 2 bad arguments; DatabaseUnavailable
is mapped to 2 by crawler.cli.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from crawler.argtypes import Parser
from crawler.config import Settings
from crawler.errors import UsageError
from crawler.store import tokens
from crawler.store.migrate import ensure_ready
from crawler.store.session import session_scope
from crawler.store.users import USER_NAME_RULE
from crawler.text import when
from crawler.web.logsafe import escape_controls

HELP = "manage portal API tokens"
DEFAULT_RATE = 600
"""Requests per minute of a new token (ten times the anonymous 60)."""
MAX_RATE = 100_000
"""Highest rate a token may have (requests per minute): above it the limit means nothing, and the
database column is a 32-bit integer on PostgreSQL."""


def _rate(value: str) -> int:
    """argparse type of ``--rate``: an integer from 1 to `MAX_RATE`."""
    try:
        rate = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= rate <= MAX_RATE:
        raise argparse.ArgumentTypeError(f"must be 1 to {MAX_RATE} requests per minute")
    return rate


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi api-token``."""
    parser = Parser(prog="ewsi api-token", description="manage portal API tokens")
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="create a token and print it once")
    add.add_argument("name")
    add.add_argument(
        "--rate",
        type=_rate,
        default=DEFAULT_RATE,
        help=f"requests per minute, 1 to {MAX_RATE} (default {DEFAULT_RATE})",
    )
    add.add_argument(
        "--scope",
        action="append",
        choices=tokens.SCOPES,
        default=[],
        help="a right beyond reading (submit, coverage)",
    )
    sub.add_parser("list", help="list tokens")
    revoke = sub.add_parser("revoke", help="revoke the active token with this name")
    revoke.add_argument("name")
    parser.add_shared_argument("--database-url", help="SQLAlchemy URL (default EWSI_DATABASE_URL or SQLite)")
    return parser


def main(argv: Sequence[str], settings: Settings) -> int:
    """Entry point of ``ewsi api-token`` (see the module docstring)."""
    args = build_parser().parse_args(list(argv))
    url = args.database_url or settings.database_url
    ensure_ready(url)
    with session_scope(url) as session:
        if args.action == "add":
            name = args.name
            if USER_NAME_RULE.fullmatch(name) is None:
                raise UsageError(
                    "a token name is 1 to 64 ASCII letters, digits and . _ - @, starting with a letter "
                    "or digit"
                )
            try:
                token, info = tokens.add_token(
                    session, name, rate_limit_per_minute=args.rate, scopes=tuple(args.scope)
                )
            except ValueError as exc:
                print(str(exc), file=sys.stderr)
                return 1 if "exists" in str(exc) else 2
            print(token)
            print(
                f"token {info.name!r} created ({info.rate_limit_per_minute} requests/min); "
                "it is shown only this once",
                file=sys.stderr,
            )
            return 0
        if args.action == "list":
            for info in tokens.list_tokens(session):
                revoked = when(info.revoked_at) if info.revoked_at else "-"
                print(
                    f"{escape_controls(info.name)}\t{info.rate_limit_per_minute}/min\t"
                    f"{when(info.created_at)}\t{revoked}"
                )
            return 0
        count = tokens.revoke_token(session, args.name)
        if not count:
            print(f"no active token named {args.name!r}", file=sys.stderr)
            return 1
        print(f"revoked {args.name!r}", file=sys.stderr)
        return 0
