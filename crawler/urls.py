"""The one rule for a link the harvester stores, serves or renders (stdlib only).

A value is a web URL when, after stripping surrounding whitespace (`str.strip`: Unicode spaces,
NEL included), it is a non-empty string with no character below U+0021 (spaces, C0 controls), no
DEL and no C1 control (U+0080-U+009F); its scheme is ``http`` or ``https`` in any case; it names
a host; it carries no user information (``user:pw@``: a password in a link, or a host shown that
is not the one linked); and its port, when present, is a number from 0 to 65535. Anything else,
``javascript:``, ``data:``, relative or scheme-relative links and non-strings included, is
refused; the check never raises.

Two URLs are the same source URL (`source_url_key`, `same_source_url`) only when, both being web
URLs, their scheme, host, port, path and query are equal: scheme and host compared case-insensitively
(a trailing dot on the host dropped), a default port (80 for http, 443 for https) equal to no port,
an empty path equal to ``/``, percent-escapes compared in upper case; the fragment does not count.
``www.``, a trailing slash, letter case in the path and the query all make a different URL.

Text typed without a scheme stands for an https address (`https_form`) only when it starts with a
host: a domain name (two labels or more, each of letters of any alphabet, digits and inner hyphens,
at most 63 characters, the last not all digits; a trailing dot allowed), ``localhost``, an IPv4
address (four decimal parts) or an IPv6 address in brackets; then, optionally, a colon and a port
of ASCII digits from 1 to 65535 (0 names no service); then nothing, or a path, query or fragment
(from the first ``/``, ``?`` or ``#``); and ``https://`` and the text is a web URL (no spaces, no
controls). Anything else (``not-a-url``, ``mailto:x@y.eu``, ``javascript:alert(1)``,
``ftp://...``, a single label such as ``intranet:8080``, an IPv6 address without brackets,
``user@host``) stands for no address.

Cleaning a harvested URL (tracking parameters, IDNA, default ports) is pipelines.urls; which
addresses the crawler may connect to is crawler.fetch.addresses.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

WEB_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def _forbidden(char: str) -> bool:
    code = ord(char)
    return code < 0x21 or 0x7F <= code <= 0x9F


def web_url(value: object) -> str | None:
    """`value` stripped of surrounding whitespace when it is a web URL (module rule), else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or any(_forbidden(c) for c in value):
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port that is not 0..65535)
    except ValueError:  # bad port, unbalanced IPv6 brackets
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname or "@" in parts.netloc:
        return None
    return value


def is_web_url(value: object) -> bool:
    """True when `value` is a web URL (module rule)."""
    return web_url(value) is not None


def _is_label(label: str) -> bool:
    """A domain name label: 1-63 letters (any alphabet), digits and hyphens, no hyphen at either end."""
    return (
        0 < len(label) <= 63
        and not label.startswith("-")
        and not label.endswith("-")
        and all(c == "-" or c.isalnum() for c in label)
    )


def _is_host(host: str) -> bool:
    """Whether `host` names a host as `https_form` takes it (module rule)."""
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    if host.lower() == "localhost":
        return True
    labels = (host[:-1] if host.endswith(".") else host).split(".")
    if len(labels) == 4 and all(label.isascii() and label.isdigit() for label in labels):
        try:
            ipaddress.IPv4Address(".".join(labels))
        except ValueError:
            return False
        return True
    return len(labels) >= 2 and all(_is_label(label) for label in labels) and not labels[-1].isdigit()


def names_host(host: str) -> bool:
    """Whether `host` (a URL's host, brackets kept for IPv6) is an IP address or a name of labels of
    1-63 letters (any alphabet), digits and inner hyphens, the last not all digits, that IDNA can
    encode (``localhost`` and other single labels included). None of ``example..eu``, ``.eu``, a
    300-letter label, a name with a zero-width space, ``999.1.1.1``, ``1.2.3`` or ``123`` names a
    host."""
    if _is_host(host):
        return True
    bare = host[:-1] if host.endswith(".") else host
    labels = bare.split(".")
    if not bare or not all(_is_label(label) for label in labels) or labels[-1].isdigit():
        return False
    try:
        bare.encode("idna")
    except UnicodeError:
        return False
    return True


def https_form(text: object) -> str | None:
    """``https://`` and `text` (stripped) when `text`, typed without a scheme, starts with a host and
    an optional port (module rule: ``example.eu:8080/x``, ``localhost:8080``, ``192.0.2.7:8080``,
    ``[2001:db8::1]:8443/feed``); None for anything else."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    authority = re.split(r"[/?#]", text, maxsplit=1)[0]
    host, port = authority, None
    if authority.startswith("["):
        end = authority.find("]")
        host, rest = authority[: end + 1], authority[end + 1 :]
        if end < 0 or (rest and not rest.startswith(":")):
            return None
        port = rest[1:] if rest else None
    elif ":" in authority:
        host, port = authority.split(":", 1)
    if port is not None and not (port.isascii() and port.isdigit() and 0 < int(port) <= 65535):
        return None
    if not _is_host(host):
        return None
    return web_url("https://" + text)


def source_url_key(value: object) -> tuple[str, str, int, str, str] | None:
    """(scheme, host, port, path, query) that two equal source URLs share (module rule), or None
    when `value` is not a web URL."""
    url = web_url(value)
    if url is None:
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    port = parts.port if parts.port is not None else DEFAULT_PORTS[scheme]

    def escapes(text: str) -> str:
        return _ESCAPE.sub(lambda m: m.group(0).upper(), text)

    return scheme, host, port, escapes(parts.path or "/"), escapes(parts.query)


def same_source_url(a: object, b: object) -> bool:
    """True when `a` and `b` are the same source URL (module rule); never for a non-web URL."""
    key = source_url_key(a)
    return key is not None and key == source_url_key(b)


HOST_COUNTRIES: frozenset[str] = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    "IS", "NO", "LI", "CH", "GB", "UA", "MD", "RS", "BA", "MK", "AL", "TR",
})  # fmt: skip
"""Countries whose country-code domain names the country a site belongs to: the EU's 27, the EEA,
Switzerland, the United Kingdom and the candidate countries; not ``.me``, ``.eu`` nor other domains
sites take for their letters (``.io``, ``.tv``)."""
_TLD_COUNTRY = {"uk": "GB", "el": "GR"}
SHORT_LINK_HOSTS: frozenset[str] = frozenset({
    "youtu.be", "spoti.fi", "dlvr.it", "docs.rs", "linktr.ee", "cnn.it", "reut.rs", "bloom.bg",
    "tcrn.ch", "flip.it", "trib.al", "shar.es", "wef.ch", "hubs.li", "fal.cn", "mashable.it",
})  # fmt: skip
"""Short-link and vanity hosts on a country's domain that name no country (youtu.be is YouTube's,
not Belgium's); their subdomains alike."""


def host_country(value: object) -> str | None:
    """The ISO 3166-1 alpha-2 code of a web URL's country-code domain when it is one of
    `HOST_COUNTRIES` (``https://www.rp.pl/a`` -> ``PL``, ``gov.uk`` -> ``GB``); None otherwise (``.eu``,
    ``.com``, a `SHORT_LINK_HOSTS` host, an address without a host)."""
    url = web_url(value)
    if url is None:
        return None
    host = (urlsplit(url).hostname or "").rstrip(".")
    if any(host == short or host.endswith("." + short) for short in SHORT_LINK_HOSTS):
        return None
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    code = _TLD_COUNTRY.get(tld, tld.upper())
    return code if code in HOST_COUNTRIES else None
