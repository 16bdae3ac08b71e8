"""``ewsi serve`` and ``ewsi users``: run the web app, manage editor and admin accounts.

Both read the database URL from ``--database-url`` or ``EWSI_DATABASE_URL`` (default: the SQLite
file, see crawler.store.session). The database must be migrated (``ewsi db upgrade``).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable

from crawler.errors import DatabaseUnavailable

log = logging.getLogger(__name__)



def _port(value: str) -> int:
    """argparse type of ``--port``: an integer from 1 to 65535."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, got {port}")
    return port

def serve_main(argv: list[str]) -> int:
    """``ewsi serve [--host 127.0.0.1] [--port 8000] [--database-url URL] [--forwarded-allow-ips IPS]``:
    run uvicorn until stopped.

    Client addresses (login throttling per address, audit rows, the API's rate limits) come from
    the socket. Behind a reverse proxy every client would share the proxy's address, so one
    address's limit of 50 failed logins an hour would hold for everybody together: pass the
    proxy's address(es) as ``--forwarded-allow-ips`` (comma separated) and the client address is
    read from the ``X-Forwarded-For`` header those proxies set (uvicorn's proxy-headers support),
    and from no other sender.

    Returns the exit code: 0 after a clean stop, 2 when the database is unreachable or not migrated
    or a setting is invalid (``EWSI_SECRET_KEY`` shorter than 32 characters). Logs go to stderr, one
    escaped line per record (crawler.web.logsafe).
    """
    parser = argparse.ArgumentParser(
        prog="ewsi serve", description="Serve the editors' desk and the portal API."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8000, help="TCP port, 1 to 65535 (default 8000)")
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default EWSI_DATABASE_URL)")
    parser.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    parser.add_argument(
        "--forwarded-allow-ips",
        default=None,
        metavar="IPS",
        help="addresses of the reverse proxies whose X-Forwarded-For gives the client address",
    )
    args = parser.parse_args(argv)
    import uvicorn

    from crawler.store import check_ready
    from crawler.web.app import create_app
    from crawler.web.logsafe import logging_config

    try:
        app = create_app(args.database_url)
    except ValueError as exc:  # a bad setting, e.g. a short EWSI_SECRET_KEY
        print(f"ewsi serve: {exc}", file=sys.stderr)
        return 2
    try:
        check_ready(app.state.engine)
    except DatabaseUnavailable as exc:
        print(f"ewsi serve: {exc}", file=sys.stderr)
        return 2
    # client addresses for throttling and audit come from the socket, or from the named proxies only
    proxies = (args.forwarded_allow_ips or "").strip() or None
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        proxy_headers=proxies is not None,
        forwarded_allow_ips=proxies,
        server_header=False,
        access_log=args.log_level == "debug",
        log_config=logging_config(args.log_level),  # one escaped line per record (ASVS 7.3.1)
    )
    return 0


def read_password(*, stdin_is_tty: bool | None = None, ask: Callable[[str], str] = getpass.getpass) -> str:
    """The new password: asked twice on a terminal (must match), else the first line of stdin.

    Raises ValueError when the two entries differ or the policy (12-128 characters) is broken.
    """
    from crawler.web.passwords import check_password_policy

    tty = sys.stdin.isatty() if stdin_is_tty is None else stdin_is_tty
    if tty:
        first = ask("Password (12-128 characters): ")
        if ask("Repeat password: ") != first:
            raise ValueError("the passwords differ")
        password = first
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    check_password_policy(password)
    return password


def users_main(argv: list[str]) -> int:
    """``ewsi users add NAME --role editor|admin [--languages de,fr]``, ``ewsi users list``,
    ``ewsi users set-role NAME --role ROLE``. Exit codes: 0 ok, 1 refused (exists, bad password), 2
    a NAME that breaks the naming rule (`crawler.store.review.USER_NAME_RULE`: 1 to 64 ASCII letters,
    digits and ``. _ - @``, starting with a letter or digit; checked before the password is asked)
    or the database unavailable."""
    parser = argparse.ArgumentParser(prog="ewsi users", description="Manage editor and admin accounts.")
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default EWSI_DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create an account (password asked twice, or read from stdin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("editor", "admin"))
    add.add_argument("--languages", default="", help="comma-separated ISO 639-1 codes the editor reads")
    sub.add_parser("list", help="list accounts")
    role = sub.add_parser("set-role", help="change an account's role (its sessions end)")
    role.add_argument("name")
    role.add_argument("--role", required=True, choices=("editor", "admin"))
    args = parser.parse_args(argv)

    from crawler.store import review as store
    from crawler.store import session_scope
    from crawler.web.passwords import hash_password

    try:
        if args.command == "add":
            try:
                store.check_user_name(args.name)
            except ValueError as exc:
                print(f"ewsi users add: {exc}; got {args.name!r}", file=sys.stderr)
                return 2
            try:
                password = read_password()
            except ValueError as exc:
                print(f"ewsi users add: {exc}", file=sys.stderr)
                return 1
            languages = [code.strip().lower() for code in args.languages.split(",") if code.strip()]
            with session_scope(args.database_url) as session:
                if store.get_user_by_name(session, args.name) is not None:
                    print(f"ewsi users add: user {args.name!r} exists", file=sys.stderr)
                    return 1
                store.create_user(session, args.name, args.role, hash_password(password), languages=languages)
            print(f"user {args.name} ({args.role}) created")
        elif args.command == "list":
            with session_scope(args.database_url) as session:
                for user in store.list_users(session):
                    print(f"{user.name}\t{user.role}\t{'disabled' if user.disabled else 'active'}")
        else:
            with session_scope(args.database_url) as session:
                user = store.get_user_by_name(session, args.name)
                if user is None:
                    print(f"ewsi users set-role: no user {args.name!r}", file=sys.stderr)
                    return 1
                store.set_role(session, "cli", user.id, args.role)
            print(f"user {args.name} is now {args.role}")
    except store.DB_ERRORS as exc:
        print(f"ewsi users: database unavailable: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    return 0
