"""``ewsi sources add`` with text that is not an http or https address (crawler.commands.sources
`_check_web_address`, crawler.urls `https_form`).

Rule: it is a usage error (one line, exit 2, the config left as it was); text typed without a scheme
that starts with a host gets its https form suggested, ``(did you mean https://example.eu:8080/x?)``:
a domain name of two labels or more (letters of any alphabet, digits, inner hyphens; the last label
not all digits), ``localhost``, an IPv4 address or an IPv6 address in brackets, then optionally a
colon and a port from 1 to 65535, then nothing or a path, query or fragment. Anything else gets the
plain error: no scheme-like word before a colon (``mailto:``, ``javascript:``), no user information,
no single-label name, no IPv6 address without brackets, no port out of range or not a number. A
scheme with other than ``://`` after it, or a scheme-relative ``//host``, gets its ``://`` form.

Invisible characters (crawler.urls `invisible`: Cc, Cf, Zs, Zl, Zp, default ignorables...) are
refused anywhere, shown escaped and named; only at the start or end (a pasted byte order mark) the
address without them is suggested. A host is refused, with the reason, when it is no IPv6 address a
fetcher opens, longer than DNS takes, encoded differently by IDNA 2003 and UTS 46, or mixes scripts
in a label.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.cli import main as ewsi
from crawler.commands.sources import _check_web_address
from crawler.errors import UsageError
from crawler.urls import escaped, https_form, invisible

HINTED = [
    "example.eu:8080/x",
    "example.eu:8080",
    "news.example.eu:443/feed?lang=de&page=2",
    "example.eu:8080?x=1",
    "example.eu:8080#top",
    "localhost:8080",
    "LOCALHOST:8080/feed.xml",
    "localhost",
    "192.0.2.7:8080/rss",
    "192.0.2.7",
    "[2001:db8::1]:8443/feed",
    "[::1]:8080",
    "[::1]",
    "integrationsfonds.österreich.at:8080/news",
    "example.eu./x",
    "example.eu/news",
]
"""Text that starts with a host: the https form is suggested."""

PLAIN = [
    "not-a-url",
    "mailto:x@y.eu",
    "javascript:alert(1)",
    "x@y.eu/feed",
    "user:pw@example.eu:8080",
    "example.eu:99999",
    "example.eu:",
    "example.eu:80a/x",
    "intranet:8080",
    "999.1.1.1:8080",
    "1.2.3",
    "2001:db8::1:8080",
    "[::1:8080",
    "[example.eu]:8080",
    "news.-example.eu:8080",
    "ftp://files.example.eu/feed.xml",
    "//intranet/feed",
    "https:/intranet",
    "https:",
    "https//",
]
"""Text that is no host: the plain usage error."""


def _exit(argv: list[str]) -> int:
    try:
        return ewsi(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def _add(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    config = tmp_path / "sources.yaml"
    before = "sources:\n- {id: src-s, name: S, publisher: P, kind: feed, urls: ['https://s.eu/f']}\n"
    config.write_text(before)
    assert _exit(["sources", "add", url, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ewsi sources: error: ") and len(err.splitlines()) == 1, err
    assert config.read_text() == before
    return err.strip()


@pytest.mark.parametrize("url", HINTED)
def test_a_host_without_a_scheme_gets_its_https_form_suggested(url: str, tmp_path: Path, capsys) -> None:
    said = _add(url, tmp_path, capsys)
    assert said == f"ewsi sources: error: not an http or https URL: {url!r} (did you mean https://{url}?)"
    assert https_form(f"  {url}\n") == f"https://{url}"


@pytest.mark.parametrize("url", PLAIN)
def test_what_is_no_host_gets_the_plain_usage_error(url: str, tmp_path: Path, capsys) -> None:
    said = _add(url, tmp_path, capsys)
    assert said == f"ewsi sources: error: not an http or https URL: {url!r}"
    assert https_form(url) is None


BROKEN = [
    "http://example.eu:99999/x",
    "http://127.0.0.1:-1/x",
    "http://example.eu:0/",
    "http://example.eu:8080 /x",
    "http://example..eu/",
    "http://.eu/",
    "http://" + "a" * 300 + ".eu/",
    "http://exa mple.eu/",
    "http://example.eu/a b",
    "http://\u200bexample.eu/",
    "https://exam\u00adple.eu/",
    "http://example.eu\x00/feed",
    "example.eu:0/x",
    "https://user:pw@example.eu/feed",
    "http://999.1.1.1/feed",
    "http://1.2.3/",
    "http://123/",
]
"""An http(s) address that names no host, no usable port or holds spaces or controls: refused
before any fetch (without a scheme: no suggestion either)."""


@pytest.mark.parametrize("url", BROKEN)
def test_a_broken_web_address_is_a_usage_error_before_any_fetch(url: str, tmp_path: Path, capsys) -> None:
    """`_check_web_address`: the address is refused as typed (escaped, cut), with no https suggestion,
    and nothing is fetched (a fetch of these ended in fetch.blocked_scheme, an IDNA codec error or a
    DNS lookup, exit 1)."""
    said = _add(url, tmp_path, capsys)
    assert said.startswith("ewsi sources: error: not an http or https URL: '"), said
    assert "did you mean" not in said and "\u200b" not in said and "\x00" not in said
    assert len(said) < 300


@pytest.mark.parametrize("length", [2084, 3019, 70_000])
def test_an_address_longer_than_the_crawl_takes_is_refused_in_one_short_line(
    length: int, tmp_path: Path, capsys
) -> None:
    """A source URL longer than the crawl fetches (2083 characters, Scrapy's URLLENGTH_LIMIT) is
    refused up front, its length said and the text cut in the message."""
    url = "http://127.0.0.1:9/" + "b" * (length - len("http://127.0.0.1:9/"))
    said = _add(url, tmp_path, capsys)
    assert said.startswith(f"ewsi sources: error: URL longer than 2083 characters ({length}): "), said
    assert len(said) < 250


@pytest.mark.parametrize(
    ("typed", "added"),
    [
        ("  http://127.0.0.1:8771/feed.xml  ", "http://127.0.0.1:8771/feed.xml"),
        ("\thttps://example.eu/feed\n", "https://example.eu/feed"),
        ("HTTP://127.0.0.1:8771/feed.xml", "http://127.0.0.1:8771/feed.xml"),
        ("HtTpS://Example.EU/Feed", "https://Example.EU/Feed"),
        ("https://[::1]:8080/f", "https://[::1]:8080/f"),
        ("http://localhost:8080/x", "http://localhost:8080/x"),
        ("http://intranet/feed", "http://intranet/feed"),
        ("http://bücher.example/x", "http://bücher.example/x"),
        ("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"),
        ("http://192.0.2.7:65535/rss", "http://192.0.2.7:65535/rss"),
        ("http://127.0.0.1:9/" + "b" * 2064, "http://127.0.0.1:9/" + "b" * 2064),
    ],
)
def test_a_web_address_is_added_stripped_with_its_scheme_in_lower_case(typed: str, added: str) -> None:
    """What `ewsi sources add` goes on with: the text without surrounding whitespace, its scheme in
    lower case, the rest as typed (an operator's spaces no longer pass the fetch and then fail the
    config check; ``HTTP://`` is not written to the config)."""
    assert _check_web_address(typed) == added


INVISIBLE = [
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066",  # LEFT-TO-RIGHT ISOLATE
    "\u200e",  # LEFT-TO-RIGHT MARK
    "\u061c",  # ARABIC LETTER MARK
    "\u200b",  # ZERO WIDTH SPACE
    "\u200d",  # ZERO WIDTH JOINER
    "\u2060",  # WORD JOINER
    "\ufeff",  # BYTE ORDER MARK
    "\u00ad",  # SOFT HYPHEN
    "\u00a0",  # NO-BREAK SPACE
    "\u2009",  # THIN SPACE
    "\u3000",  # IDEOGRAPHIC SPACE
    "\u2028",  # LINE SEPARATOR
    "\u2029",  # PARAGRAPH SEPARATOR
    "\x1f",  # a C0 control
    "\x85",  # NEL, a C1 control
    "\u034f",  # COMBINING GRAPHEME JOINER
    "\ufe0f",  # VARIATION SELECTOR-16
    "\u3164",  # HANGUL FILLER
    "\u2800",  # BRAILLE PATTERN BLANK
    "\U000e0041",  # TAG LATIN CAPITAL LETTER A
    "\udcff",  # a lone surrogate (an undecodable byte of argv)
    "\ufdd0",  # a noncharacter
]
"""Characters that show nothing or not what they are: Unicode categories Cc, Cf, Zs, Zl, Zp, Cs,
noncharacters and default ignorables."""

PLACES = [
    "https://example.eu/a{}b",
    "https://example.eu/feed?q=a{}b",
    "https://example.eu/feed#a{}b",
    "https://exam{}ple.eu/",
    "https://example.eu:80{}80/",
    "example.eu/a{}b",
]


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("place", PLACES)
def test_an_invisible_character_inside_is_refused_named_and_escaped(char: str, place: str) -> None:
    """Anywhere inside the text (host, port, path, query, fragment, with a scheme or without) an
    invisible character is a usage error that names it (``U+202E RIGHT-TO-LEFT OVERRIDE``) and shows
    it escaped, never raw, with no suggestion."""
    url = place.format(char)
    with pytest.raises(UsageError) as caught:
        _check_web_address(url)
    said = str(caught.value)
    assert said.startswith("not an http or https URL: '"), said
    assert char not in said and f"U+{ord(char):04X}" in said and escaped(char)[1:-1] in said, said
    assert "inside" in said and "did you mean" not in said
    assert all(c == " " or not invisible(c) for c in said)


@pytest.mark.parametrize("char", [*INVISIBLE, " ", "\t", "\n", "\x00", "\x7f"], ids=repr)
def test_what_is_invisible(char: str) -> None:
    assert invisible(char)
    assert escaped(char) != repr(char) or not char.isprintable() or char == " "


@pytest.mark.parametrize("char", ["a", "Z", "0", "-", "~", "%", "é", "ß", "Я", "東", "ア", "€", "😀"])
def test_what_is_visible(char: str) -> None:
    assert not invisible(char)
    assert escaped(char) == repr(char)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("\ufeffhttps://example.eu/feed", "https://example.eu/feed"),
        ("\ufeffHTTPS://example.eu/feed", "https://example.eu/feed"),
        ("https://example.eu/feed\u200b", "https://example.eu/feed"),
        ("\u202ahttps://example.eu/\u202c", "https://example.eu/"),
        ("\u200e\ufeff example.eu/feed", "https://example.eu/feed"),
        ("\ufeff//example.eu/feed", "https://example.eu/feed"),
        ("\ufeffnot-a-url", None),
        ("\ufeffhttps://faß.de/", None),
    ],
)
def test_an_invisible_character_pasted_before_or_after_gets_the_address_without_it(
    typed: str, meant: str | None, tmp_path: Path, capsys
) -> None:
    """A byte order mark (or another invisible character) pasted before or after the address is not
    stripped as whitespace is: the error names it and suggests the address without it."""
    said = _add(typed, tmp_path, capsys)
    assert said.startswith(f"ewsi sources: error: not an http or https URL: {escaped(typed)} ("), said
    assert "at its start or end" in said
    assert said.endswith(f": did you mean {meant}?)") if meant else "did you mean" not in said


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("//example.eu/feed", "https://example.eu/feed"),
        ("///example.eu/feed", "https://example.eu/feed"),
        ("://example.eu", "https://example.eu"),
        ("https:/example.eu", "https://example.eu"),
        ("https:example.eu/feed?x=1", "https://example.eu/feed?x=1"),
        ("https:///example.eu", "https://example.eu"),
        ("http//example.eu:8080/x", "http://example.eu:8080/x"),
        ("HTTPS:/Example.eu/Feed", "https://Example.eu/Feed"),
        ("https:\\\\example.eu/feed", "https://example.eu/feed"),
        ("http:/localhost:8080/x", "http://localhost:8080/x"),
        ("https:/[::1]:8443/f", "https://[::1]:8443/f"),
    ],
)
def test_a_mistyped_separator_or_no_scheme_gets_the_address_to_type(
    typed: str, meant: str, tmp_path: Path, capsys
) -> None:
    """A scheme with one slash, none, three or backslashes after it, or a scheme-relative address,
    gets the address written with ``://`` suggested."""
    said = _add(typed, tmp_path, capsys)
    assert said == f"ewsi sources: error: not an http or https URL: {typed!r} (did you mean {meant}?)"
    assert _check_web_address(meant) == meant


LONG_NAME = ".".join(["abcdefghij"] * 30) + ".eu"
BAD_HOSTS = [
    ("https://[::1]x/", "after the IPv6 address's closing bracket"),
    ("https://[::1]x:8080/", "after the IPv6 address's closing bracket"),
    ("https://[2001:db8::1]]/", "after the IPv6 address's closing bracket"),
    ("https://[v1.fe80::a]/", "IPvFuture"),
    ("https://[v7.x]:8080/", "IPvFuture"),
    ("https://[fe80::1%25eth0]/", "zone id"),
    ("https://[fe80::1%eth0]:8080/", "zone id"),
    (f"https://{LONG_NAME}/", "332 characters once encoded, more than 253"),
    ("https://" + ".".join(["a" * 63] * 4) + "/", "255 characters once encoded, more than 253"),
    ("https://" + "ü" * 60 + ".eu/", "cannot encode"),
    ("https://faß.de/", "xn--fa-hia.de or fass.de"),
    ("https://STRASSE.straße.de/", "or strasse.strasse.de"),
    ("https://λέξις.gr/", "(IDNA 2003)"),
    ("https://\u05d0\u05d11.il/", "cannot encode it: type it as xn--1-zhcd.il"),
    ("https://\ua7f9.example.eu/", "(UTS 46, IDNA 2008) and the fetcher xn--788a.example.eu"),
    ("https://еxample.eu/", "mixes CYRILLIC and LATIN letters"),
    ("https://news.pаypal.example.eu/", "the label pаypal (xn--pypal-4ve)"),
    ("https://xn--xample-2of.eu/", "mixes CYRILLIC and LATIN letters"),
    ("https://gοogle.eu/", "mixes GREEK and LATIN letters"),
    ("https://xn--zz.eu/", "no valid IDNA A-label"),
    ("https://１２３.eu.１/", "last label is all digits"),
]
"""Hosts that name no host a source can have, and the part of the reason the error gives."""


@pytest.mark.parametrize(("url", "reason"), BAD_HOSTS)
def test_a_host_no_fetcher_opens_as_typed_is_refused_with_the_reason(url: str, reason: str) -> None:
    """IP literals (RFC 3986 3.2.2: no zone id, no IPvFuture, nothing after the bracket but a port),
    DNS lengths (RFC 1035: 253 and 63 once encoded), one encoding for the fetcher (IDNA 2003) and
    browsers (UTS 46 nontransitional, RFC 5891), one script a label (UTS 39)."""
    with pytest.raises(UsageError) as caught:
        _check_web_address(url)
    said = str(caught.value)
    assert said.startswith("not an http or https URL: '") and "(host: " in said, said
    assert reason in said, said
    assert "did you mean" not in said


@pytest.mark.parametrize(
    "url",
    [
        "https://ｅｘａｍｐｌｅ.eu/x",
        "https://example。eu/x",
        "https://bücher.de/",
        "https://xn--fa-hia.de/",
        "https://fass.de/",
        "https://пример.eu/",
        "https://xn--e1afmkfd.eu/",
        "https://παράδειγμα.gr/",
        "https://東京タワー.jp/",
        "https://ドメイン名例.jp/",
        "https://한국어.kr/",
        "https://r3---sn-abc.example.eu/",
        "https://" + ".".join(["a" * 63] * 3 + ["a" * 61]) + "/",
        "https://" + "a" * 63 + ".eu/",
        "https://[2001:db8::1]:8443/",
        "https://[::ffff:192.0.2.7]/",
    ],
)
def test_a_host_every_fetcher_opens_alike_is_taken(url: str) -> None:
    assert _check_web_address(url) == url


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("https://example.eu/\u202efdp.exe", "U+202E RIGHT-TO-LEFT OVERRIDE inside"),
        ("https://example.eu/a\u00a0b", "U+00A0 NO-BREAK SPACE inside"),
        ("http://example.eu/a b", "U+0020 SPACE inside"),
        ("example.eu/a b", "U+0020 SPACE inside"),
        ("https://faß.de/", "(host: browsers open xn--fa-hia.de (UTS 46, IDNA 2008) and the fetcher fass.de"),
        ("https://[::1]x/", "(host: text after the IPv6 address's closing bracket"),
        ("https://еxample.eu", "(host: the label еxample (xn--xample-2of) mixes CYRILLIC and LATIN"),
    ],
)
def test_the_refusal_says_why(typed: str, reason: str, tmp_path: Path, capsys) -> None:
    """One line, exit 2, the config as it was, the text escaped and the reason given."""
    said = _add(typed, tmp_path, capsys)
    assert said.startswith(f"ewsi sources: error: not an http or https URL: {escaped(typed)} ("), said
    assert reason in said, said


MISTYPED = [
    ("hptts://example.eu/x", "https://example.eu/x"),
    ("htps://example.eu/feed", "https://example.eu/feed"),
    ("htttp://example.eu/", "http://example.eu/"),
    ("http:://example.eu/", "http://example.eu/"),
    ("https;//example.eu/rss", "https://example.eu/rss"),
    ("http:example.eu/x", "http://example.eu/x"),
    ("HTPS://Example.eu/x", "https://Example.eu/x"),
]
"""A scheme one or two slips from http(s), or a separator other than ://: the address meant is
suggested, as `ewsi sources validate` suggests it (crawler.urls `scheme_typo`)."""


@pytest.mark.parametrize(("url", "meant"), MISTYPED)
def test_a_mistyped_scheme_gets_the_address_meant(url: str, meant: str, tmp_path: Path, capsys) -> None:
    said = _add(url, tmp_path, capsys)
    assert said == f"ewsi sources: error: not an http or https URL: {url!r} (did you mean {meant}?)"
