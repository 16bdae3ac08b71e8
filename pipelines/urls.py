"""URL cleaning, canonical form and dedup identity.

Three forms of one link:

- `clean_url`: the URL we store and show. Resolved, http(s) only, no fragment, no session id, no
  tracking parameter, percent-encoded safely (w3lib), host lowercased, default port dropped; scheme and
  ``www.`` kept, query order kept.
- `canonical_url`: w3lib ``canonicalize_url`` of the clean URL (sorted query, normalised
  percent-encoding); what the store hashes for uniqueness (T27).
- `identity_url`: the canonical URL without scheme, leading ``www.``, a final directory index file
  (``index.html``, ``default.aspx``, ...) and trailing ``/``, so the variants of T28 (``http``/``https``,
  ``www.``, ``#frag``, ``utm_source``, trailing slash) and ``/news/`` vs ``/news/index.html`` give one
  value.

Rule for what is removed (never what tells two pages apart): a query parameter is removed only when its
name is one a server sets for a session or an analytics / mail / ad tool adds to links (the names of the
browsers' query-stripping lists: Brave, Firefox, AdGuard, and the vendors' own documentation; a
family by prefix only where the prefix is the vendor's, ``utm_``, ``pk_``, ``mtm_``), never a generic
word such as ``ref``, ``source`` or ``id``; a path part is removed only when it is a server session id
(``;jsessionid=...``, ASP.NET's cookieless ``/(S(...))/`` segment).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import idna
from w3lib.url import canonicalize_url, safe_url_string

# fmt: off
SESSION_PARAMS: frozenset[str] = frozenset({
    "jsessionid", "phpsessid", "sid", "sessionid", "session_id", "sessid", "aspsessionid",
    "cfid", "cftoken", "zenid", "oscsid", "___sid", "aspxautodetectcookiesupport",
})
"""Query or path-parameter names (lowercase) that carry a server session id, removed from URLs."""

TRACKING_PARAMS: frozenset[str] = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "_ga",
    "_gl", "yclid", "igshid", "ref_src", "ref_url", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id",
    "oly_enc_id", "vero_id", "wickedid", "twclid", "ttclid", "srsltid", "s_kwcid", "ef_id",
    "wt.mc_id", "at_medium", "at_campaign",
    # HubSpot mail and CTA links (brave/brave-browser#9019), Drip, Vero, Adobe, AdGuard#127864
    "__hstc", "__hssc", "__hsfp", "hsctatracking", "__s", "vero_conv", "s_cid",
    # AT Internet / Piano (French and Belgian public sites), Webtrends, Google Ads, Yandex, LinkedIn,
    # Mailchimp, MailerLite, Rakuten, Squarespace mail
    "xtor", "at_creation", "at_format", "at_variant", "at_send_date", "at_link", "at_type",
    "wt_mc", "gad_source", "gad_campaignid", "ysclid", "_openstat", "li_fat_id", "mc_tc",
    "ml_subscriber", "ml_subscriber_hash", "rb_clickid", "ss_email_id",
})
# fmt: on
"""Tracking query parameters (lowercase) removed from URLs; names starting with a prefix in
`TRACKING_PREFIXES` are removed too."""

TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "pk_", "mtm_", "matomo_", "piwik_", "hsa_")
"""Prefixes of tracking parameter families (Google Analytics utm_*, Matomo pk_*/mtm_*, HubSpot hsa_*)."""

_DEFAULT_PORTS = {"http": 80, "https": 443}
_STRIP_CHARS = "".join(chr(c) for c in range(0x21)) + "\x7f"
_INNER_WHITESPACE = re.compile("[\t\n\r]")
# DNS names (underscores occur in the wild), IPv4, or an IPv6 literal as urlsplit returns it
_HOST = re.compile(r"^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|[0-9a-f:.]*:[0-9a-f:.]*)$")
# ";name=value" inside a path segment, e.g. "/page.html;jsessionid=51A2...2_cid324"
_PATH_PARAM = re.compile(r";([^;/?=]*)=[^;/?]*")
# ASP.NET cookieless state as a whole path segment: "/(S(lit3py55t21z5v55vlm25s55))/page.aspx",
# "/(X(1)S(3f2rhm55)F(Ab12))/page.aspx" (one letter and a parenthesised token, one or more times)
_ASPNET_COOKIELESS = re.compile(r"/\((?:[A-Za-z]\([^()/]*\))+\)(?=/|$)")
# a directory's index file as the last segment: "/news/index.html" is "/news/"
_DIRECTORY_INDEX = re.compile(r"/(?:index|default)\.(?:html?|shtml|php[0-9]?|aspx?|jsp|cfm)$", re.IGNORECASE)


def _is_session(name: str) -> bool:
    return unquote(name).strip().lower() in SESSION_PARAMS


def _is_unwanted(name: str) -> bool:
    key = unquote(name.replace("+", " ")).strip().lower()
    return key in SESSION_PARAMS or key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


_IDNA_DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")
"""ß, final sigma, ZWNJ, ZWJ: the characters IDNA 2003 maps away (ß -> ss) and UTS #46
nontransitional processing keeps, so the two name different hosts (straße.de is not strasse.de)."""


def _ascii_host(host: str) -> str | None:
    """The DNS name of a non-ASCII `host` as browsers resolve it (WHATWG URL: UTS #46 nontransitional,
    ``idna``), or `host` itself for w3lib to encode when ``idna`` refuses it but IDNA 2003 names the
    same host (an emoji label, which browsers accept); None when it refuses a host holding a
    deviation character (`_IDNA_DEVIATIONS`: IDNA 2003 would name another host)."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True, transitional=False, std3_rules=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None if _IDNA_DEVIATIONS & set(host.lower()) else host


def _clean_path(path: str) -> str:
    path = _ASPNET_COOKIELESS.sub("", path)
    return _PATH_PARAM.sub(lambda m: "" if _is_session(m.group(1)) else m.group(0), path)


def _clean_query(query: str) -> str:
    # work on the raw pairs so the encoding of the parameters we keep is untouched
    kept = [pair for pair in query.split("&") if pair and not _is_unwanted(pair.split("=", 1)[0])]
    return "&".join(kept)


def clean_url(url: str, base: str | None = None) -> str | None:
    """The URL to store and show, or None when it is not a usable absolute http(s) URL.

    `url` may be relative; it is resolved against `base` (e.g. the feed's final URL, case B08).
    Removes the fragment, session ids (path parameters ``;jsessionid=...`` and query parameters in
    `SESSION_PARAMS`, case-insensitive) and tracking parameters (`TRACKING_PARAMS`,
    `TRACKING_PREFIXES`); percent-encodes with w3lib ``safe_url_string``; an IDN host becomes punycode
    as browsers resolve it (`_ascii_host`: ``straße.de`` is ``xn--strae-oqa.de``, not ``strasse.de``);
    lowercases the host and drops a default port. A URL with user information
    (``http://user:pw@host/``, ``https://ec.europa.eu@evil.example/``) is refused: it would store
    and log a password, or show one host while linking another. Never raises on bad input.
    """
    if not isinstance(url, str):
        return None
    # what browsers do (WHATWG URL): trim C0 controls and spaces, drop tabs and newlines inside
    url = _INNER_WHITESPACE.sub("", url.strip(_STRIP_CHARS))
    if not url:
        return None
    try:
        if base:
            url = urljoin(base.strip(_STRIP_CHARS), url)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        netloc = parts.netloc
        if not parts.hostname.isascii() and "@" not in netloc:
            host = _ascii_host(parts.hostname)
            if host is None:
                return None
            netloc = host if parts.port is None else f"{host}:{parts.port}"
        url = urlunsplit((scheme, netloc, _clean_path(parts.path), _clean_query(parts.query), ""))
        parts = urlsplit(safe_url_string(url))
        host = (parts.hostname or "").rstrip(".")
        if not _HOST.match(host):
            return None  # IDNA failed (non-ASCII left) or characters no host name can have
        port = parts.port  # raises ValueError when not a number in 0..65535
        netloc = f"[{host}]" if ":" in host else host
        if port is not None and port != _DEFAULT_PORTS[scheme]:
            netloc = f"{netloc}:{port}"
        if "@" in parts.netloc:
            return None  # credentials in a harvested link leak a secret or disguise the host
        return urlunsplit((scheme, netloc, parts.path or "/", _clean_query(parts.query), ""))
    except ValueError:  # bad port, bad IPv6 literal, IDNA failure
        return None


def canonical_url(url: str) -> str:
    """w3lib ``canonicalize_url`` of ``clean_url(url)``: sorted query, normalised percent-encoding.

    Raises ValueError when `url` is not a usable absolute http(s) URL (see `clean_url`).
    """
    cleaned = clean_url(url)
    if cleaned is None:
        raise ValueError(f"not an absolute http(s) URL: {url[:200]!r}")
    return canonicalize_url(cleaned)


_SAME_PAGE_VIEWS: dict[str, frozenset[str]] = {
    "amp": frozenset({"", "1", "true"}),
    "outputtype": frozenset({"amp"}),
    "print": frozenset({"", "1", "true", "yes"}),
    "printable": frozenset({"", "1", "true", "yes"}),
    "format": frozenset({"amp", "print"}),
    "view": frozenset({"amp", "print"}),
}
"""Query parameters (lowercase name: values) that ask for the AMP or the print view of the page
without them (`identity_url`)."""


def _is_same_page_view(pair: str) -> bool:
    name, _, value = pair.partition("=")
    return value.lower() in _SAME_PAGE_VIEWS.get(name.lower(), frozenset())


def identity_url(url: str) -> str:
    """Dedup identity of a URL: canonical form without scheme, leading ``www.``, a final directory index
    file (``index.html``, ``index.php``, ``default.aspx``, ... any case) and trailing ``/``.

    ``http://www.x.eu/a/?utm_source=y#f``, ``https://x.eu/a``, ``https://x.eu/a/`` and
    ``https://x.eu/a/index.html`` all give ``x.eu/a`` (T28). The root keeps its slash (``x.eu/``).

    The AMP and print views of a page asked for by a query parameter are that page (rule):
    ``?amp``, ``?amp=1``, ``?outputType=amp``, ``?print=1``, ``?printable=1``, ``?format=print`` and
    ``?view=print`` (`_SAME_PAGE_VIEWS`) are dropped, so a feed's AMP link and a sitemap's page are
    one item (an AMP page names the page as its canonical link: amp.dev "Make your page
    discoverable"; stackernews/stacker.news#138 listed both). Only these exact views: ``?print=0``
    keeps its identity, and so does a path ending in ``/amp``: the AMP plugins' ``/article/amp/``
    cannot be told from a real page of that name (``/programmes/amp/``, an "Asylum Mentoring
    Programme"), and taking one for the other dropped a page and swapped the item between runs.
    Raises ValueError like `canonical_url`.
    """
    parts = urlsplit(canonical_url(url))
    netloc = parts.netloc.removeprefix("www.")
    path = _DIRECTORY_INDEX.sub("", parts.path).rstrip("/") or "/"
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _is_same_page_view(pair))
    return netloc + path + (f"?{query}" if query else "")
