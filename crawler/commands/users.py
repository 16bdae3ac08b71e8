"""``ewsi users add|list|set-role``: manage editor and admin accounts.

The database is ``--database-url``, else `Settings.database_url`. Exit codes: 0 ok, 1 refused
(exists, bad password, no such user), 2 a NAME that breaks the naming rule or a ``--languages``
entry that is no ISO 639-1 code; ``list`` prints name, role, state and languages. An unreachable
database becomes DatabaseUnavailable (exit 2, crawler.cli).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence

from crawler.argtypes import Parser
from crawler.config import Settings
from crawler.errors import DatabaseUnavailable, UsageError

HELP = "manage editor and admin accounts"


NOTHING_TYPED = (
    "no password was given: standard input is empty and not a terminal; run the command at a terminal "
    "to be asked for it, or pipe it in: printf '%s\\n' 'PASSWORD' | ewsi users add NAME --role ROLE"
)
"""What `read_password` says when standard input gives no password at all."""


def read_password(*, stdin_is_tty: bool | None = None, ask: Callable[[str], str] = getpass.getpass) -> str:
    """The new password: asked twice on a terminal (must match), else the first line of stdin (a
    second line, when one follows, must repeat it, as on a terminal).

    Raises ValueError when the two entries differ, when no password was given at all (standard
    input empty and not a terminal: `NOTHING_TYPED` says how to give one) or the policy (12-128
    characters) is broken.
    """
    from crawler.web.passwords import check_password_policy

    tty = sys.stdin.isatty() if stdin_is_tty is None else stdin_is_tty
    if tty:
        first = ask("Password (12-128 characters): ")
        if ask("Repeat password: ") != first:
            raise ValueError("the passwords differ")
        password = first
    else:
        line = sys.stdin.readline()
        if not line.strip("\r\n"):
            raise ValueError(NOTHING_TYPED)
        password = line.rstrip("\r\n")
        repeated = sys.stdin.readline().rstrip("\r\n")
        if repeated and repeated != password:
            raise ValueError("the passwords differ")
    check_password_policy(password)
    return password


def language_codes(text: str) -> list[str]:
    """argparse type of ``--languages``: comma-separated ISO 639-1 codes (``de,fr``; any case, blanks
    ignored), each once, in the order given; every other entry (``english``, ``xx``) is named."""
    from crawler.sources import iso_languages

    codes = list(dict.fromkeys(code.strip().lower() for code in text.split(",") if code.strip()))
    unknown = [code for code in codes if code not in iso_languages()]
    if unknown:
        named = ", ".join(repr(code) for code in unknown)
        raise argparse.ArgumentTypeError(f"not an ISO 639-1 language code (as de, fr): {named}")
    return codes


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi users``."""
    parser = Parser(prog="ewsi users", description="Manage editor and admin accounts.")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create an account (password asked twice, or read from stdin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("editor", "admin"))
    add.add_argument(
        "--languages",
        type=language_codes,
        default=[],
        metavar="CODES",
        help="comma-separated ISO 639-1 codes of the languages the editor reads (de,fr); shown by `list`",
    )
    sub.add_parser("list", help="list accounts: name, role, state, languages (- for none)")
    role = sub.add_parser("set-role", help="change an account's role (its sessions end)")
    role.add_argument("name")
    role.add_argument("--role", required=True, choices=("editor", "admin"))
    parser.add_shared_argument(
        "--database-url", default=None, help="SQLAlchemy URL (default EWSI_DATABASE_URL)"
    )
    return parser


def main(argv: Sequence[str], settings: Settings) -> int:
    """``ewsi users add NAME --role editor|admin [--languages de,fr]``, ``ewsi users list``,
    ``ewsi users set-role NAME --role ROLE``. Exit codes: 0 ok, 1 refused (exists, bad password), 2
    a NAME that breaks the naming rule (`crawler.store.users.USER_NAME_RULE`: 1 to 64 ASCII letters,
    digits and ``. _ - @``, starting with a letter or digit; checked before the password is asked)
    or an unknown ``--languages`` code, or the database unavailable."""
    args = build_parser().parse_args(list(argv))
    url = args.database_url or settings.database_url

    from crawler.store import users
    from crawler.store.migrate import ensure_ready
    from crawler.store.session import DB_ERRORS, session_scope
    from crawler.web.passwords import hash_password

    try:
        ensure_ready(url)
        if args.command == "add":
            try:
                users.check_user_name(args.name)
            except ValueError as exc:
                raise UsageError(f"{exc}; got {args.name!r}") from exc
            try:
                password = read_password()
            except ValueError as exc:
                print(f"ewsi users add: {exc}", file=sys.stderr)
                return 1
            languages = args.languages
            with session_scope(url) as session:
                taken = users.name_taken(session, args.name)
                if taken is not None:
                    same = "" if taken == args.name else " (names must differ by more than case)"
                    print(f"ewsi users add: user {taken!r} exists{same}", file=sys.stderr)
                    return 1
                users.create_user(session, args.name, args.role, hash_password(password), languages=languages)
            print(f"user {args.name} ({args.role}) created")
        elif args.command == "list":
            with session_scope(url) as session:
                accounts = users.list_users(session)
                for account in accounts:
                    state = "disabled" if account.disabled else "active"
                    languages = ",".join(account.languages or []) or "-"
                    print(f"{account.name}\t{account.role}\t{state}\t{languages}")
            if not accounts:
                print("no users yet: add one with `ewsi users add NAME --role editor`", file=sys.stderr)
        else:
            with session_scope(url) as session:
                user = users.get_user_by_name(session, args.name)
                if user is None:
                    print(f"ewsi users set-role: no user {args.name!r}", file=sys.stderr)
                    return 1
                users.set_role(session, "cli", user.id, args.role)
            print(f"user {args.name} is now {args.role}")
    except DB_ERRORS as exc:
        if isinstance(exc, DatabaseUnavailable):
            raise
        raise DatabaseUnavailable(str(exc).splitlines()[0]) from None
    return 0
