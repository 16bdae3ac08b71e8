"""What a ``Refresh`` header or a ``<meta http-equiv="refresh">`` content says (stdlib only).

Rule (WHATWG HTML, "shared declarative refresh steps"): the content is, after optional ASCII
whitespace, a delay of digits and dots (``0``, ``1.5``, ``.5``; none at all is no refresh), then
nothing (a reload of the page itself: no target) or a separator of ASCII whitespace, ``;`` or ``,``
(``0;``, ``0,``, ``0 ;``, ``0 ``), then ASCII whitespace, then the URL: a leading ``url`` and ``=``
in any case with any whitespace around the ``=`` (``URL=``, ``url = ``) is dropped, and so is one
opening quote (``'`` or ``"``), the URL then ending before the same quote. ``0; /x``, ``0, url=/x``,
``0;URL='/x'``, ``0; url="x"`` and `` 0 ; url = /x `` all name ``/x`` (or ``x``). The URL loses
surrounding ASCII whitespace and C0 controls and any tab or newline inside (as a browser's URL parser
does) and is resolved against the page's URL; an empty URL is a reload (no target). Anything else
before the delay (``soon``, ``-1``), or a delay not followed by a separator (``0url=/x``), is no
refresh.

A refresh is followed (`target`) only when its delay is below the crawl's limit (Scrapy's
``METAREFRESH_MAXDELAY``: 0 and short delays are; a page that refreshes after a minute is read as it
is) and its resolved URL is an http or https URL: ``javascript:``, ``data:``, ``ftp:``, ``mailto:``
and every other scheme are never followed.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

_DELAY = re.compile(r"[ \t\n\f\r]*(?P<number>[0-9]*(?:\.[0-9]*)?)[0-9.]*")
_URL_PREFIX = re.compile(r"url[ \t\n\f\r]*=[ \t\n\f\r]*", re.IGNORECASE)
_ASCII_SPACE = " \t\n\f\r"
_STRIPPED = "".join(map(chr, range(0x21)))
"""Stripped from both ends of a URL as a browser's URL parser does: C0 controls and the space."""


def parse_refresh(content: str, base_url: str) -> tuple[float, str] | None:
    """(delay in seconds, absolute URL) that `content` declares (module rule), or None when it
    declares no refresh or only a reload of the page (no URL)."""
    match = _DELAY.match(content)
    if match is None:  # never: every part of the pattern may be empty
        return None
    number = match.group("number")
    if not number.strip("."):
        if "." not in number:
            return None
        number = "0"
    delay = float(number.rstrip(".") or "0")
    rest = content[match.end() :]
    if rest and rest[0] not in _ASCII_SPACE + ";,":
        return None
    rest = rest.lstrip(_ASCII_SPACE)
    if rest[:1] in (";", ","):
        rest = rest[1:].lstrip(_ASCII_SPACE)
    prefix = _URL_PREFIX.match(rest)
    if prefix is not None:
        rest = rest[prefix.end() :]
    if rest[:1] in ("'", '"'):
        rest = rest[1:].split(rest[0], 1)[0]
    url = re.sub("[\t\n\r]", "", rest.strip(_STRIPPED))
    if not url:
        return None
    return delay, urljoin(base_url, url)


def followed(refresh: tuple[float, str] | None, max_delay: float) -> str | None:
    """The URL of `refresh` (`parse_refresh`) a crawl follows (module rule: a delay below `max_delay`,
    an http or https URL), or None."""
    if refresh is None or refresh[0] >= max_delay:
        return None
    return refresh[1] if urlsplit(refresh[1]).scheme.lower() in ("http", "https") else None


def target(content: str, base_url: str, max_delay: float) -> str | None:
    """The absolute URL a refresh declared by `content` on the page at `base_url` sends a crawl to
    (module rule), or None."""
    return followed(parse_refresh(content, base_url), max_delay)
