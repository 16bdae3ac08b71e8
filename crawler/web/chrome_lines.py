"""Site chrome at the top of a harvested text: lines a snippet does not start with.

Rule: a line (whitespace squashed) is chrome when it is one of

- a host name or URL alone: one token, maybe in brackets or quotes, that is an address with a
  scheme (``https://www.make-it-in-germany.com/en``), starts with ``www.``, or is a domain name of two
  labels or more whose last is 2 to 6 lower-case letters (``make-it-in-germany.com``,
  ``bamf.de/DE/Themen``), a path, query or port allowed after it (not ``Mr.Smith``, ``e.g.``,
  ``Art.12``);
- a number or counter: at most `COUNTER_CHARS` characters with a digit and at most two words of
  letters (``1``, ``1 / 12``, ``Page 1 of 3``, ``Seite 2 von 5``, ``47 comments``, ``3 min read``,
  ``12.03.2025``);
- a breadcrumb, with a letter and not ending with a sentence's stop: crumbs separated by ``>``,
  ``›``, ``»``, ``→`` or ``|``, every crumb but the last of at most `CRUMB_WORDS` words and the last,
  the page's headline, of at most `HEADLINE_WORDS` (``Home > News > Job-Turbo``, ``Startseite ›
  Aktuelles``, ``Home | Press | Integration of migrants in the labour market``); or crumbs separated
  by ``/``, ``·`` or ``•`` with a space on each side, each of at most `CRUMB_WORDS` words (``Home /
  Themes / Labour market``; not ``Most migrants / refugees in the region found work within a
  year``, nor ``1 / 12``, a counter).

A sentence is never chrome: ``Applications open on 3 March.`` has more than two words, ``Costs rose
from 5 to 7 per cent`` is longer than a counter and has no crumbs.
"""

from __future__ import annotations

import re

COUNTER_CHARS = 24
"""Longest counter line (``Seite 12 von 140``, ``1,234 Kommentare``)."""
CRUMB_WORDS = 5
"""Most words in one crumb of a breadcrumb (but the last after ``>``-like separators)."""
HEADLINE_WORDS = 15
"""Most words in the last crumb after ``>``-like separators: the page's headline."""

_ADDRESS = re.compile(
    r"""[(\[<"'«]*
    (?:
        [a-z][a-z0-9+.\-]*://\S+                              # any address with a scheme
      | www\.[^\s/.]+(?:\.[^\s/.]+)+(?:[:/?\#]\S*)?           # www.host...
      | (?:[^\W_](?:[\w\-]*[^\W_])?\.)+[a-z]{2,6}\.?(?::\d+)?(?:[/?\#]\S*)?  # domain.tld[/path]
    )
    [)\]>"'»]*""",
    re.VERBOSE | re.IGNORECASE,
)
_TLD_CASE = re.compile(r"(?:^|\.)([^\W\d_]{2,6})\.?(?::\d+)?(?:[/?#]|$)")
_LETTER_WORDS = re.compile(r"[^\W\d_]+")
_STRONG_SEPARATORS = re.compile(r"\s*[>›»→|]\s*")
_WEAK_SEPARATORS = re.compile(r"\s+[/·•]\s+")
_STOPS = (".", "!", "?", "…", ":")


def is_address_line(line: str) -> bool:
    """Whether `line` is a host name or URL alone (module rule)."""
    token = line.strip()
    if not token or any(c.isspace() for c in token) or _ADDRESS.fullmatch(token) is None:
        return False
    bare = token.strip("()[]<>\"'«»")
    if "://" in bare or bare.lower().startswith("www."):
        return True
    host = re.split(r"[/?#]", bare, maxsplit=1)[0]
    tld = _TLD_CASE.search(host)
    return tld is not None and tld.group(1).islower()


def is_counter_line(line: str) -> bool:
    """Whether `line` is a number or a counter (module rule)."""
    line = line.strip()
    return (
        0 < len(line) <= COUNTER_CHARS
        and any(c.isdigit() for c in line)
        and len(_LETTER_WORDS.findall(line)) <= 2
    )


def is_breadcrumb_line(line: str) -> bool:
    """Whether `line` is a breadcrumb (module rule)."""
    line = line.strip()
    if not _LETTER_WORDS.search(line) or line.endswith(_STOPS):
        return False
    crumbs = [crumb for crumb in _STRONG_SEPARATORS.split(line) if crumb.strip()]
    if len(crumbs) >= 2:
        *path, last = crumbs
        return len(last.split()) <= HEADLINE_WORDS and all(len(c.split()) <= CRUMB_WORDS for c in path)
    crumbs = [crumb for crumb in _WEAK_SEPARATORS.split(line) if crumb.strip()]
    return len(crumbs) >= 2 and all(len(crumb.split()) <= CRUMB_WORDS for crumb in crumbs)


def is_chrome_line(line: str) -> bool:
    """Whether `line` is site chrome a snippet skips (module rule)."""
    return is_address_line(line) or is_counter_line(line) or is_breadcrumb_line(line)
