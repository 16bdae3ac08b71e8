"""The one rule for a link the harvester stores, serves or renders (stdlib, ``idna`` and w3lib).

A value is a web URL when, after stripping surrounding whitespace (`str.strip`: Unicode spaces,
NEL included), it is a non-empty string with no character below U+0021 (spaces, C0 controls), no
DEL and no C1 control (U+0080-U+009F); its scheme is ``http`` or ``https`` in any case; it names
a host; it carries no user information (``user:pw@``: a password in a link, or a host shown that
is not the one linked); and its port, when present, is a number from 0 to 65535. Anything else,
``javascript:``, ``data:``, relative or scheme-relative links and non-strings included, is
refused; the check never raises.

Two URLs are the same source URL (`source_url_key`, `same_source_url`) only when, both being web
URLs, they are one URL as the crawl fetches it (w3lib ``safe_url_string``, what Scrapy requests: the
host NFKC-normalised and IDNA-encoded, ``ｅｘａｍｐｌｅ.eu`` is ``example.eu`` and ``bücher.de`` is
``xn--bcher-kva.de``; other characters percent-encoded in UTF-8) with equal scheme, host, port, path
and query: scheme and host compared case-insensitively (a trailing dot on the host dropped), a
default port (80 for http, 443 for https) equal to no port, an empty path equal to ``/``, an escape
of an unreserved character equal to the character (``%7E`` is ``~``) and other escapes compared in
upper case (RFC 3986 6.2.2), the dot segments of the path removed (`remove_dot_segments`, RFC 3986
5.2.4 and 6.2.2.3: ``/./rss1.rdf``, ``/x/../rss1.rdf`` and ``/%2E/rss1.rdf`` are ``/rss1.rdf``), and
the query's parameters in sorted order, as the crawl's dedup reads a query (w3lib
``canonicalize_url``: Scrapy's request fingerprints and pipelines.urls `identity_url`, so
``?a=1&b=2`` is ``?b=2&a=1``, ``?a`` is ``?a=`` and ``%20`` is ``+``); the fragment does not count.
``www.``, a trailing slash, an empty segment (``//``), letter case in the path and the query's names
and values all make a different URL.

A character is invisible (`invisible`) when it is a control, a format character (bidi controls such
as U+202E, U+200B, U+FEFF, the soft hyphen), a space or separator of any kind (Unicode categories
Cc, Cf, Zs, Zl, Zp), a surrogate, a noncharacter, a default-ignorable code point (Unicode
DerivedCoreProperties: variation selectors, Hangul fillers) or U+2800 BRAILLE PATTERN BLANK: text
that shows nothing, or not what it is.

A host names a host for a source (`host_problem`, RFC 1035, RFC 3986, RFC 5891, UTS 46, UTS 39)
when it is an IPv6 address in brackets (no zone id, no IPvFuture) followed by nothing or a port, or
a name of labels of letters, digits and inner hyphens (``.``, ``。``, ``．`` and ``｡`` separate
labels, as IDNA says) of at most 63 ASCII characters each and 253 in all once encoded, the last not
all digits, that the fetchers encode as browsers do: Python's IDNA 2003 codec (w3lib, urllib) must
encode it, and to the name UTS 46 nontransitional processing (IDNA 2008, browsers) gives when that
encodes it too (``faß.de`` is ``fass.de`` to the one and ``xn--fa-hia.de`` to the other: refused,
both names given; a name only UTS 46 encodes: refused, its A-label given); no label mixes scripts
beyond what UTS 39's highly restrictive level allows (``еxample`` with a Cyrillic ``е``: refused;
Japanese Han, Hiragana, Katakana and Latin together, Han with Bopomofo or Hangul: taken).

Text typed without a scheme stands for an https address (`https_form`) only when it starts with a
host: a domain name (two labels or more, each of letters of any alphabet, digits and inner hyphens,
at most 63 characters, the last not all digits; a trailing dot allowed), ``localhost``, an IPv4
address (four decimal parts) or an IPv6 address in brackets; then, optionally, a colon and a port
of ASCII digits from 1 to 65535 (0 names no service); then nothing, or a path, query or fragment
(from the first ``/``, ``?`` or ``#``); and ``https://`` and the text is a web URL (no spaces, no
controls). Anything else (``not-a-url``, ``mailto:x@y.eu``, ``javascript:alert(1)``,
``ftp://...``, a single label such as ``intranet:8080``, an IPv6 address without brackets,
``user@host``) stands for no address.

An address has its scheme twice (`single_scheme`) when, after ``http://`` or ``https://`` (any case),
it starts again with ``http`` or ``https`` followed by a colon that no port number follows
(``https://https://x``, ``https://https:/x``, ``http://https:x``) or by two or more slashes or
backslashes (``http://http//x``): the host would be ``http`` or ``https``, never meant. The
address meant is the second scheme, ``://`` and what follows its separator (``https://x``,
``http://x``), again until one scheme is left; a host named ``http`` with a port
(``https://https:8443/``) or a path (``http://http/x``) is no doubled scheme.

Cleaning a harvested URL (tracking parameters, IDNA, default ports) is pipelines.urls; which
addresses the crawler may connect to is crawler.fetch.addresses.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

import idna
from w3lib.url import canonicalize_url, safe_url_string

WEB_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%([0-9a-fA-F]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
"""RFC 3986 2.3: characters whose percent-escape means the character itself."""
_DOTS = re.compile("[\u3002\uff0e\uff61]")
"""Label separators other than ``.`` (UTS 46 section 4, RFC 3490 3.1)."""
MAX_HOST = 253
"""Longest host name in ASCII characters, without a trailing dot (RFC 1035 2.3.4, 255 octets on the
wire)."""
MAX_LABEL = 63
"""Longest label in ASCII characters (RFC 1035 2.3.4)."""

_DOUBLED = re.compile(r"\s*https?://(https?)(?::(?![0-9])[/\\]*|[/\\]{2,})(.*)", re.IGNORECASE | re.DOTALL)
_CHAR_NAMES = {0xFEFF: "BYTE ORDER MARK"}

_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})
_IGNORABLE = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x2065, 0x2065),
    (0x2800, 0x2800), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),
)  # fmt: skip
"""Default-ignorable code points outside Cf (Unicode DerivedCoreProperties), and U+2800."""


def invisible(char: str) -> bool:
    """Whether `char` shows nothing or not what it is (module rule)."""
    code = ord(char)
    return (
        unicodedata.category(char) in _INVISIBLE_CATEGORIES
        or any(low <= code <= high for low, high in _IGNORABLE)
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFE == 0xFFFE
    )


def escaped(text: str) -> str:
    """`text` as Python's ``repr`` shows it, every invisible character (module rule) but the plain
    space as an escape (``'https://example.eu/\\u202efdp'``), never raw."""

    def one(char: str) -> str:
        if char == " " or not invisible(char):
            return char
        return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"

    return "".join(map(one, repr(text)))


def char_name(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: a character named in an error."""
    name = _CHAR_NAMES.get(ord(char)) or unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".rstrip()


def hidden_chars(text: str) -> list[str]:
    """The invisible characters of `text` (module rule), each once, in order of first use."""
    return list(dict.fromkeys(c for c in text if invisible(c)))


def single_scheme(text: str) -> str | None:
    """The address meant by `text` when it has its scheme twice (module rule: ``https://https://x``
    -> ``https://x``, ``http://http//x`` -> ``http://x``), its scheme in lower case; else None."""
    match = _DOUBLED.fullmatch(text)
    if match is None:
        return None
    while match is not None:
        scheme, rest = match.group(1).lower(), match.group(2)
        text = f"{scheme}://{rest}"
        match = _DOUBLED.fullmatch(text)
    return text.rstrip()


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


_JAPANESE = frozenset({"LATIN", "CJK", "IDEOGRAPHIC", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA"})
_CHINESE = frozenset({"LATIN", "CJK", "IDEOGRAPHIC", "BOPOMOFO"})
_KOREAN = frozenset({"LATIN", "CJK", "IDEOGRAPHIC", "HANGUL"})


def _scripts(label: str) -> set[str]:
    """The scripts of the letters of `label`, by the first word of their Unicode names (``LATIN``,
    ``CYRILLIC``, ``CJK``...); digits, hyphens, marks and modifier letters belong to any."""
    names = (unicodedata.name(c, "").split(" ", 1)[0] for c in label if c.isalpha())
    return {name for name in names if name and name != "MODIFIER"}


def _mixed_scripts(label: str) -> bool:
    """Whether `label` mixes scripts beyond UTS 39's highly restrictive level (one script; or Latin,
    Han and Hiragana/Katakana; Latin, Han and Bopomofo; Latin, Han and Hangul)."""
    scripts = _scripts(label)
    return len(scripts) > 1 and not any(scripts <= allowed for allowed in (_JAPANESE, _CHINESE, _KOREAN))


def _ipv6_problem(host: str) -> str | None:
    """Why `host`, ``[...]``, is no IPv6 address a fetcher can open (RFC 3986 3.2.2), or None."""
    inner = host[1:-1]
    if inner[:1] in ("v", "V"):
        return "an IPvFuture address (RFC 3986 3.2.2), which no fetcher opens"
    if "%" in inner:
        return "an IPv6 zone id (%25...) names a network interface of one machine, not a host"
    try:
        ipaddress.IPv6Address(inner)
    except ValueError:
        return "not an IPv6 address in the brackets"
    return None


def host_problem(host: str) -> str | None:
    """Why `host` (a URL's host, brackets kept for IPv6) names no host a source can have (module
    rule: RFC 1035 lengths, RFC 3986 IP literals, IDNA 2003 against UTS 46 nontransitional, UTS 39
    scripts), or None. None of ``example..eu``, ``.eu``, a 300-letter label, a 330-character name,
    ``999.1.1.1``, ``1.2.3``, ``123``, ``faß.de``, ``еxample.eu`` (Cyrillic ``е``), ``[v1.fe80::a]``
    or ``[fe80::1%25eth0]`` names a host."""
    if host.startswith("[") and host.endswith("]"):
        return _ipv6_problem(host)
    bare = _DOTS.sub(".", host)
    bare = bare[:-1] if bare.endswith(".") else bare
    labels = bare.split(".")
    if not bare or not all(_is_label(label) for label in labels):
        return "not a host name (labels of letters, digits and inner hyphens, RFC 1035 2.3.1)"
    if labels[-1].isdigit() and not _is_host(bare):
        return "its last label is all digits: no host name, no IPv4 address"
    try:
        fetched = bare.encode("idna").decode("ascii").lower()  # what w3lib and urllib send
    except UnicodeError:
        fetched = None
    try:
        browsed = idna.encode(bare, uts46=True, transitional=False, std3_rules=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        browsed = None
    if bare.isascii():
        fetched = browsed = bare.lower()
    if fetched is None:
        form = f": type it as {browsed}" if browsed else ""
        return f"IDNA 2003, which the fetcher uses, cannot encode it{form}"
    if browsed is not None and browsed != fetched:
        return (
            f"browsers open {browsed} (UTS 46, IDNA 2008) and the fetcher {fetched} (IDNA 2003): "
            f"type the one meant, {browsed} or {fetched}"
        )
    if len(fetched) > MAX_HOST:
        return f"{len(fetched)} characters once encoded, more than {MAX_HOST} (RFC 1035 2.3.4)"
    for label in fetched.split("."):
        if len(label) > MAX_LABEL:
            return f"a label of {len(label)} characters once encoded, more than {MAX_LABEL} (RFC 1035 2.3.4)"
        try:
            shown = idna.decode(label) if label.startswith("xn--") else label
        except (idna.IDNAError, UnicodeError, ValueError):
            return f"{label} is no valid IDNA A-label (RFC 5891 5.4)"
        if _mixed_scripts(shown):
            scripts = " and ".join(sorted(_scripts(shown)))
            return f"the label {shown} ({label}) mixes {scripts} letters (UTS 39): type it in one script"
    return None


def names_host(host: str) -> bool:
    """Whether `host` (a URL's host, brackets kept for IPv6) names a host (`host_problem`)."""
    return host_problem(host) is None


def authority_problem(netloc: str) -> str | None:
    """Why the authority of a web URL (user information refused already, port checked by urlsplit)
    names no host (`host_problem`), or None; after an IPv6 address's bracket comes nothing or
    ``:port`` (RFC 3986 3.2.2: not ``[::1]x``)."""
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0:
            return "no closing bracket after the IPv6 address"
        host, rest = netloc[: end + 1], netloc[end + 1 :]
        if rest and not rest.startswith(":"):
            return "text after the IPv6 address's closing bracket (RFC 3986 3.2.2)"
        return host_problem(host)
    return host_problem(netloc.rsplit(":", 1)[0] if ":" in netloc else netloc)


_SCHEME_TYPO = re.compile(r"^\s*([A-Za-z][A-Za-z+.-]{1,9})([:;/\\]{1,5})(?=[^/\\\s])")
_WEB_SCHEME_LETTERS = frozenset("htps")
_OTHER_SCHEMES = frozenset(
    [
        "file",
        "ftp",
        "ftps",
        "sftp",
        "feed",
        "mailto",
        "ws",
        "wss",
        "data",
        "ssh",
        "git",
        "smb",
        "news",
        "nntp",
        "irc",
        "tel",
        "urn",
        "javascript",
    ]
)
"""Real schemes that are never taken for a slip of http or https, however close."""


def scheme_typo(text: object) -> str | None:
    """`text` with its scheme corrected when that scheme is a near miss of ``http`` or ``https``
    (rule: the scheme is one slip from one of them, a letter added, left out, doubled, swapped or
    changed, or two slips made only of the letters h, t, p and s, as ``hptts``; and the separator
    after it is any short run of ``:``, ``;``, ``/`` and ``\\`` other than ``://``: ``htps://``,
    ``hhtps://``, ``http//``, ``https:/``, ``http:://``, ``http;//``, ``http:\\\\``); None for any
    other text, a right scheme, another real scheme (``ftp://``, ``mailto:``, ``feed:``), or a rest
    that does not start with a host (`https_form`: ``https:/intranet``)."""
    if not isinstance(text, str):
        return None
    match = _SCHEME_TYPO.match(text)
    if match is None:
        return None
    scheme, sep = match.group(1).lower(), match.group(2)
    if scheme in ("http", "https") and sep == "://":
        return None
    if scheme in _OTHER_SCHEMES:
        return None
    if scheme in ("http", "https"):
        meant = scheme
    else:
        near = [s for s in ("https", "http") if _edits(scheme, s) == 1]
        if not near and set(scheme) <= _WEB_SCHEME_LETTERS:
            near = [s for s in ("https", "http") if _edits(scheme, s) == 2]
        if not near:
            return None
        meant = "https" if "s" in scheme and "https" in near else near[0]
    if not (":" in sep or "/" in sep or "\\" in sep):
        return None
    form = https_form(text.strip()[match.end() :])
    return web_url(meant + form[len("https") :]) if form else None


def _edits(a: str, b: str) -> int:
    """The optimal-string-alignment distance of `a` and `b` (insertions, deletions, substitutions and
    swaps of neighbours, each one edit)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(
                rows[i - 1][j] + 1,
                row[j - 1] + 1,
                rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[len(a)][len(b)]


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
    if not _is_host(host) or host_problem(host) is not None:
        return None
    return web_url("https://" + text)


def _escapes(text: str) -> str:
    """`text` with escapes of unreserved characters decoded and the others in upper case (RFC 3986
    6.2.2.1-2)."""

    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else match.group(0).upper()

    return _ESCAPE.sub(one, text)


def remove_dot_segments(path: str) -> str:
    """`path` without its ``.`` and ``..`` segments, as RFC 3986 5.2.4 resolves them (``/a/./b/../c``
    is ``/a/c``, ``/a/b/..`` is ``/a/``, ``..`` above the root stays at the root); empty segments
    (``//``) are kept. Escapes are not read: decode ``%2E`` first (`_escapes`)."""
    output: list[str] = []
    for index, segment in enumerate(segments := path.split("/")):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1 or (output and output[0] != ""):
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    text = "/".join(output)
    return "/" + text.lstrip("/") if path.startswith("/") and not text.startswith("/") else text


def _sorted_query(url: str, query: str) -> str:
    """The query of `url` as w3lib ``canonicalize_url`` gives it (parameters sorted, ``?a`` as
    ``?a=``, a space as ``+``), as the crawl's dedup reads it; a query it cannot read is kept as
    written."""
    if not query:
        return query
    try:
        return urlsplit(canonicalize_url(url)).query
    except (ValueError, UnicodeError):
        return query


def source_url_key(value: object) -> tuple[str, str, int, str, str] | None:
    """(scheme, host, port, path, query) that two equal source URLs share (module rule), or None
    when `value` is not a web URL."""
    url = web_url(value)
    if url is None:
        return None
    try:
        parts = urlsplit(safe_url_string(url))  # as Scrapy requests it
        port = parts.port
    except (ValueError, UnicodeError):  # a host no codec encodes: compared as typed
        parts = urlsplit(url)
        port = parts.port
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    path = remove_dot_segments(_escapes(parts.path or "/")) or "/"
    return (
        scheme,
        host,
        port or DEFAULT_PORTS[scheme],
        path,
        _escapes(_sorted_query(parts.geturl(), parts.query)),
    )


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
