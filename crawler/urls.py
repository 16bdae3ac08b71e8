"""The one rule for a link the harvester stores, serves or renders (stdlib only).

A value is a web URL when, after stripping surrounding whitespace (`str.strip`: Unicode spaces,
NEL included), it is a non-empty string with no character below U+0021 (spaces, C0 controls), no
DEL and no C1 control (U+0080-U+009F); its scheme is ``http`` or ``https`` in any case; it names
a host; it carries no user information (``user:pw@``: a password in a link, or a host shown that
is not the one linked); and its port, when present, is a number from 0 to 65535. Anything else,
``javascript:``, ``data:``, relative or scheme-relative links and non-strings included, is
refused; the check never raises.

Cleaning a harvested URL (tracking parameters, IDNA, default ports) is pipelines.urls; which
addresses the crawler may connect to is crawler.fetch.addresses.
"""

from __future__ import annotations

from urllib.parse import urlsplit

WEB_SCHEMES = frozenset({"http", "https"})


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
