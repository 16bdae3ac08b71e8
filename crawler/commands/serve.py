"""``ewsi serve``: run the editors' desk and the portal API (uvicorn) until stopped.

The database is ``--database-url``, else `Settings.database_url` (default: the SQLite file, see
crawler.store.session); it must be migrated (``ewsi db upgrade``). Exit 0 after a clean stop; 2 for
a bad setting (printed as ``ewsi serve: ...``); DatabaseUnavailable is mapped by crawler.cli.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Sequence

from crawler.argtypes import Parser
from crawler.config import Settings
from crawler.errors import UsageError

HELP = "start the editors' desk and the portal API"


def _port(value: str) -> int:
    """argparse type of ``--port``: an integer from 1 to 65535."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, got {port}")
    return port


MIN_PREFIX = {4: 8, 6: 32}
"""Broadest proxy network accepted per IP version: a /8 (IPv4) or /32 (IPv6) is still one operator's
range; anything wider, the wildcard ``*`` included, would let any client choose its address."""


def proxy_list(value: str | None) -> str | None:
    """The ``--forwarded-allow-ips`` list, checked: comma-separated IP addresses or networks (CIDR).

    Refused with ValueError (one line naming the entry): ``*`` and any other wildcard, names,
    unspecified addresses (0.0.0.0, ::), and networks broader than `MIN_PREFIX`, since a proxy
    list that admits everybody lets any client set X-Forwarded-For and defeat the per-address
    login throttle. Empty or None: no proxy (None).
    """
    entries = [e.strip() for e in (value or "").split(",") if e.strip()]
    for entry in entries:
        if "*" in entry:
            raise ValueError(f"--forwarded-allow-ips: {entry!r} is a wildcard; name the proxies' addresses")
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"--forwarded-allow-ips: {entry!r} is not an IP address or network") from None
        if (network.network_address.is_unspecified and network.prefixlen < network.max_prefixlen) or (
            network.prefixlen == network.max_prefixlen and network.network_address.is_unspecified
        ):
            raise ValueError(f"--forwarded-allow-ips: {entry!r} stands for every address")
        address = network.network_address
        mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
        if mapped is not None and network.prefixlen >= 96:  # ::ffff:a.b.c.d/n is a.b.c.d/(n-96)
            network = ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}")
        if network.prefixlen < MIN_PREFIX[network.version]:
            raise ValueError(
                f"--forwarded-allow-ips: {entry!r} is wider than /{MIN_PREFIX[network.version]}; "
                "name the proxies' addresses"
            )
    return ",".join(entries) or None


def main(argv: Sequence[str], settings: Settings) -> int:
    """``ewsi serve [--host 127.0.0.1] [--port 8000] [--database-url URL] [--forwarded-allow-ips IPS]``:
    run uvicorn until stopped.

    Client addresses (login throttling per address, audit rows, the API's rate limits) come from
    the socket. Behind a reverse proxy every client would share the proxy's address, so one
    address's limit of 50 failed logins an hour would hold for everybody together: pass the
    proxy's address(es) as ``--forwarded-allow-ips`` (comma separated) and the client address is
    read from the ``X-Forwarded-For`` header those proxies set (uvicorn's proxy-headers support),
    and from no other sender.

    Returns the exit code: 0 after a clean stop, 2 when a setting is invalid (``EWSI_SECRET_KEY``
    shorter than 32 characters); raises DatabaseUnavailable when the database is unreachable or not
    migrated. Logs go to stderr, one escaped line per record (crawler.web.logsafe).
    """
    parser = Parser(prog="ewsi serve", description="Serve the editors' desk and the portal API.")
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
    args = parser.parse_args(list(argv))
    try:
        proxies = proxy_list(args.forwarded_allow_ips)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    import uvicorn

    from crawler.store.migrate import check_ready
    from crawler.web.app import create_app
    from crawler.web.logsafe import logging_config

    try:
        app = create_app(args.database_url or settings.database_url, settings=settings)
    except ValueError as exc:  # a bad setting, e.g. a short EWSI_SECRET_KEY
        print(f"ewsi serve: {exc}", file=sys.stderr)
        return 2
    check_ready(app.state.engine)
    from functools import partial

    from crawler.intake import accept, amend

    app.state.intake = partial(accept, database_url=args.database_url or settings.database_url)
    app.state.amend = partial(amend, database_url=args.database_url or settings.database_url)
    # client addresses for throttling and audit come from the socket, or from the named proxies only
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
