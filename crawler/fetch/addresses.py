"""SSRF rules: which URLs and addresses the crawler may connect to (pure, stdlib only).

Rules (../shared/RELIABILITY.md §2 "SSRF guard", Miniflux `IsNonPublicIP`, FreshRSS #9195):
only ``http`` and ``https``; the host's address, after resolution, must be public. An address
is non-public when it lies in one of `NON_PUBLIC_NETWORKS`, or is an IPv4-mapped / NAT64 /
6to4 IPv6 address whose embedded IPv4 address is. IPv4 literals are read in every spelling a
resolver accepts (``127.1``, ``2130706433``, ``0x7f000001``, ``0177.0.0.1``), so a URL cannot
hide a private address behind an unusual form. The allowlist (environment variable
`ALLOW_ENV`, comma-separated ``host`` or ``host:port``, exact match, case-insensitive) lets
tests and intranet sources through; an entry matches the URL's host name or the resolved
address.

Names that never resolve (`never_resolves`): a host under ``.invalid`` (RFC 6761 §6.4: "guaranteed
never to resolve") or ``.onion`` (RFC 7686 §2: must not be looked up in the DNS) is not looked up at
all; the guard refuses it at once as ``fetch.dns`` (no resolver query, no retry), for the page and
its robots.txt alike.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.errors import BlockedAddress, BlockedScheme

ALLOW_ENV = "EWSI_ALLOW_PRIVATE"
ALLOWED_SCHEMES = frozenset({"http", "https"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

NON_PUBLIC_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "::ffff:0:0/96",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
"""RELIABILITY.md §2 list plus the documentation ranges (never routed on the internet)."""

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


def _ipv4_part(text: str) -> int | None:
    """One dotted part as inet_aton reads it: 0x.. hex, 0.. octal, else decimal."""
    if not text:
        return None
    try:
        if text[:2].lower() == "0x":
            return int(text[2:], 16) if len(text) > 2 else 0
        if len(text) > 1 and text[0] == "0":
            return int(text[1:], 8)
        if text.isdigit():
            return int(text, 10)
    except ValueError:
        return None
    return None


def parse_ip(host: str) -> IPAddress | None:
    """The address a host string denotes, or None for a name.

    Accepts bracketed or bare IPv6 (zone id dropped) and IPv4 in the 1-4 part forms of
    inet_aton (decimal, octal with a leading 0, hex with 0x; the last part fills the remaining
    bytes). ``"127.1"`` -> 127.0.0.1, ``"2130706433"`` -> 127.0.0.1. A trailing dot is ignored.
    """
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return None
    host = host.rstrip(".")
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values = [_ipv4_part(p) for p in parts]
    if any(v is None for v in values):
        return None
    nums: list[int] = [v for v in values if v is not None]
    last_bytes = 5 - len(nums)  # the last part fills this many bytes
    if any(n > 255 for n in nums[:-1]) or nums[-1] >= 256**last_bytes:
        return None
    value = 0
    for n in nums[:-1]:
        value = value * 256 + n
    value = value * 256**last_bytes + nums[-1]
    return ipaddress.IPv4Address(value)


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4 IPv6 address."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return None


def is_public(address: IPAddress | str) -> bool:
    """True when `address` (object or text in any spelling) is a public unicast address."""
    ip = parse_ip(address) if isinstance(address, str) else address
    if ip is None:
        raise ValueError(f"not an IP address: {address!r}")
    if any(ip in net for net in NON_PUBLIC_NETWORKS if net.version == ip.version):
        return False
    inner = embedded_ipv4(ip)
    return inner is None or is_public(inner)


@dataclass(frozen=True)
class Allowlist:
    """Exact ``host`` / ``host:port`` entries that may be non-public (tests, intranet sources)."""

    entries: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str | None) -> Allowlist:
        """From a comma-separated list; IPv6 entries are written ``[::1]`` or ``[::1]:8080``."""
        items = (e.strip().lower() for e in (text or "").split(","))
        return cls(frozenset(_normal_entry(e) for e in items if e))

    def allows(self, host: str, port: int | None) -> bool:
        """True when `host` (a name or address text) alone or with `port` is listed."""
        if not self.entries:
            return False
        name = _host_key(host)
        return name in self.entries or (port is not None and f"{name}:{port}" in self.entries)


def _host_key(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    ip = parse_ip(host)
    if ip is None:
        return host
    return f"[{ip.compressed}]" if ip.version == 6 else str(ip)


def _normal_entry(entry: str) -> str:
    if entry.startswith("["):  # [v6] or [v6]:port
        host, _, rest = entry[1:].partition("]")
        port = rest.removeprefix(":")
        return _host_key(host) + (f":{port}" if port else "")
    if entry.count(":") == 1:
        host, port = entry.split(":")
        return _host_key(host) + f":{port}"
    return _host_key(entry)


NEVER_RESOLVING_TLDS = frozenset({"invalid", "onion"})
"""Special-use top-level names that never resolve in the DNS (RFC 6761 §6.4, RFC 7686 §2)."""


def never_resolves(host: str) -> bool:
    """Whether the host name lies under a `NEVER_RESOLVING_TLDS` name (case and a trailing dot ignored):
    ``news.example.invalid``, ``INVALID.``, ``x.onion`` -> True; ``invalid.example.eu`` -> False."""
    labels = host.strip().lower().rstrip(".").rsplit(".", 1)
    return bool(labels[-1]) and labels[-1] in NEVER_RESOLVING_TLDS and parse_ip(host) is None


def how_to_allow(host: str, port: int) -> str:
    """The second half of every `BlockedAddress` message: why the URL is refused and the exact
    `ALLOW_ENV` entry that lets it through (rule: a refusal always says how to allow it, so an
    operator trying a local or intranet server is not left with a bare "refused")."""
    entry = f"{_host_key(host)}:{port}"
    return (
        "private, loopback and reserved addresses are refused (SSRF guard); "
        f"to fetch it anyway (intranet source, local test server) set {ALLOW_ENV}={entry}"
    )


def check_scheme(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; raises `BlockedScheme` for any other scheme or no host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedScheme(f"{url[:200]}: unreadable URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BlockedScheme(f"{url[:200]}: scheme {scheme or '(none)'!r} is not http or https")
    host = parts.hostname or ""
    if not host:
        raise BlockedScheme(f"{url[:200]}: no host")
    return scheme, host, port or (443 if scheme == "https" else 80)


def check_url(url: str, allow: Allowlist) -> tuple[str, int, IPAddress | None]:
    """Check a URL before any connection; returns (host, port, literal address or None).

    Raises `BlockedScheme` for a scheme other than http/https (or no host) and `BlockedAddress`
    when the host is a non-public IP literal in any spelling that is not allowlisted. A host
    name is returned with address None: check what it resolves to with `check_addresses`.
    """
    _scheme, host, port = check_scheme(url)
    ip = parse_ip(host)
    if ip is not None and not is_public(ip) and not allow.allows(host, port):
        raise BlockedAddress(f"{url[:200]}: {ip} is not a public address; " + how_to_allow(host, port))
    return host, port, ip


def check_addresses(host: str, port: int, addresses: Iterable[str], allow: Allowlist) -> list[str]:
    """The addresses (text) `host` may connect to: public ones, or all when host or address is listed.

    Raises `BlockedAddress` naming the refused addresses when none is left.
    """
    kept: list[str] = []
    refused: list[str] = []
    host_listed = allow.allows(host, port)
    for text in addresses:
        ip = parse_ip(text)
        if ip is None:
            refused.append(text)
            continue
        if host_listed or is_public(ip) or allow.allows(str(ip), port):
            kept.append(text)
        else:
            refused.append(text)
    if not kept:
        shown = ", ".join(refused[:4]) or "no address"
        raise BlockedAddress(f"{host}:{port} resolves to non-public {shown}; " + how_to_allow(host, port))
    return kept
