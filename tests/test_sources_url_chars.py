"""Start URLs of the config and of ``ewsi sources add`` with hidden characters or the scheme twice.

Rule (crawler.sources `url_problem`, crawler.urls `invisible`, `single_scheme`): a start URL with an
invisible character anywhere (Unicode Cc, Cf, Zs, Zl, Zp, default ignorables: bidi controls, U+200B,
U+FEFF, the no-break space, a plain space...) is refused with file, line and field path
(``urls[1]``), the URL and each character shown escaped (``\\u202e``) and named, never raw. An
address with its scheme twice (``https://https://x``, ``http://http//x``: a host ``https`` or
``http`` and an empty port) is refused by the config and by ``ewsi sources add``, the address with
one scheme suggested.
"""

from __future__ import annotations

import pytest

from crawler.commands.sources import _check_web_address
from crawler.errors import ConfigError, UsageError
from crawler.sources import load_sources
from crawler.urls import invisible, single_scheme

ENTRY = """\
sources:
  - id: a1
    name: A
    publisher: P
    kind: feed
    urls:
      - https://a.invalid/feed
      - "{url}"
"""
"""The second URL is on line 8, the field ``sources[0].urls[1]``."""


def _problems(url: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_sources("sources.yaml", text=ENTRY.format(url=url))
    return info.value.problems


HIDDEN = [
    # (the URL as written in YAML's double quotes, the URL shown, the characters named)
    (r"https://example.invalid/\u202efdp.exe", r"'https://example.invalid/\u202efdp.exe'",
     r"\u202e (U+202E RIGHT-TO-LEFT OVERRIDE)"),
    (r"https://exa\u200bmple.invalid/", r"'https://exa\u200bmple.invalid/'",
     r"\u200b (U+200B ZERO WIDTH SPACE)"),
    (r"\ufeffhttps://example.invalid/", r"'\ufeffhttps://example.invalid/'",
     r"\ufeff (U+FEFF BYTE ORDER MARK)"),
    (r"https://example.invalid/feed\ufeff", r"'https://example.invalid/feed\ufeff'",
     r"\ufeff (U+FEFF BYTE ORDER MARK)"),
    (r"https://example.invalid/a\u00a0b", r"'https://example.invalid/a\xa0b'",
     r"\xa0 (U+00A0 NO-BREAK SPACE)"),
    (r"https://example.invalid/a\u00a0", r"'https://example.invalid/a\xa0'",
     r"\xa0 (U+00A0 NO-BREAK SPACE)"),
    (r"https://example.invalid/?q=\u2066x\u2069", r"'https://example.invalid/?q=\u2066x\u2069'",
     r"\u2066 (U+2066 LEFT-TO-RIGHT ISOLATE), \u2069 (U+2069 POP DIRECTIONAL ISOLATE)"),
    (r"https://example.invalid/#a\u2028b", r"'https://example.invalid/#a\u2028b'",
     r"\u2028 (U+2028 LINE SEPARATOR)"),
    (r"https://example.invalid:80\u200d80/", r"'https://example.invalid:80\u200d80/'",
     r"\u200d (U+200D ZERO WIDTH JOINER)"),
    (r"https://example.invalid/\x1f", r"'https://example.invalid/\x1f'", r"\x1f (U+001F)"),
    (r"https://example.invalid/\u00ad", r"'https://example.invalid/\xad'", r"\xad (U+00AD SOFT HYPHEN)"),
    (r"https://example.invalid/\u3164", r"'https://example.invalid/\u3164'",
     r"\u3164 (U+3164 HANGUL FILLER)"),
    (r"https://example.invalid/\ufe0f", r"'https://example.invalid/\ufe0f'",
     r"\ufe0f (U+FE0F VARIATION SELECTOR-16)"),
    ("https://example.invalid/a b", "'https://example.invalid/a b'", "U+0020 SPACE"),
    (r"https://example.invalid/\u202e\u202e", r"'https://example.invalid/\u202e\u202e'",
     r"\u202e (U+202E RIGHT-TO-LEFT OVERRIDE)"),
]  # fmt: skip


@pytest.mark.parametrize(("written", "shown", "named"), HIDDEN)
def test_a_start_url_with_a_hidden_character_is_refused_escaped_with_file_line_and_field(
    written: str, shown: str, named: str
) -> None:
    said = _problems(written)
    assert said == [
        f"sources.yaml:8: sources[0].urls[1]: {shown}: spaces, controls or invisible characters in "
        f"the URL: {named}; type it without them"
    ]
    assert all(c == " " or not invisible(c) for c in said[0])


DOUBLED = [
    ("https://https://example.invalid/x", "https://example.invalid/x"),
    ("http://http//x.invalid", "http://x.invalid"),
    ("https://http://x.invalid/feed?a=1", "http://x.invalid/feed?a=1"),
    ("HTTPS://HTTPS://x.invalid/", "https://x.invalid/"),
    ("https://https:/x.invalid/", "https://x.invalid/"),
    ("https://https:x.invalid/", "https://x.invalid/"),
    ("https://https:\\\\x.invalid/", "https://x.invalid/"),
    ("http://https///x.invalid", "https://x.invalid"),
    ("https://https://https://x.invalid/", "https://x.invalid/"),
]


@pytest.mark.parametrize(("typed", "meant"), DOUBLED)
def test_the_scheme_twice_gives_the_single_scheme_address(typed: str, meant: str) -> None:
    assert single_scheme(typed) == meant


@pytest.mark.parametrize(
    "url",
    [
        "https://example.invalid/https://x",
        "https://https:8443/feed",
        "http://http/x",
        "https://http.invalid/",
        "https://https-news.invalid//x",
        "https:https://x.invalid/",
        "ftp://https://x.invalid/",
    ],
)
def test_a_host_named_like_a_scheme_with_a_port_or_path_is_no_doubled_scheme(url: str) -> None:
    assert single_scheme(url) is None


@pytest.mark.parametrize(("typed", "meant"), DOUBLED)
def test_the_config_refuses_the_scheme_twice_and_suggests_one(typed: str, meant: str) -> None:
    written = typed.replace("\\", "\\\\")
    assert _problems(written) == [
        f"sources.yaml:8: sources[0].urls[1]: {typed!r}: the scheme twice; did you mean {meant}?"
    ]


@pytest.mark.parametrize(("typed", "meant"), DOUBLED)
def test_sources_add_refuses_the_scheme_twice_and_suggests_one(typed: str, meant: str) -> None:
    with pytest.raises(UsageError) as caught:
        _check_web_address(typed)
    assert (
        str(caught.value) == f"not an http or https URL: {typed!r} (the scheme twice: did you mean {meant}?)"
    )
    assert _check_web_address(meant) == meant


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("https://https://", "not an http or https URL: 'https://https://' (the scheme twice)"),
        ("https://https://faß.de/", "not an http or https URL: 'https://https://faß.de/' (the scheme twice)"),
    ],
)
def test_sources_add_suggests_no_single_scheme_address_that_fails_too(typed: str, said: str) -> None:
    with pytest.raises(UsageError) as caught:
        _check_web_address(typed)
    assert str(caught.value) == said


@pytest.mark.parametrize(
    "url",
    [
        "https://example.invalid/x",
        "http://127.0.0.1:8080/f",
        "https://[::1]:8443/",
        "https://bücher.invalid/",
        "https://https:8443/feed",
        "http://http/x",
        "http://127.1:8080/x",  # refused at fetch time by the SSRF guard, not here
        "http://0177.0.0.1/x",
    ],
)
def test_the_config_keeps_a_plain_start_url(url: str) -> None:
    assert load_sources("s.yaml", text=ENTRY.format(url=url)).sources[0].urls[1] == url


HOSTS = [
    # (start URL, what the config says after the URL)
    ("https://еxample.invalid/feed", "the host еxample.invalid: "),  # Cyrillic е in a Latin label
    ("https://pаypal.invalid/", "the host pаypal.invalid: "),  # Cyrillic а
    ("https://faß.de/feed", "the host faß.de: browsers open"),
    ("https://" + "a" * 64 + ".invalid/", ".invalid: not a host name (labels of letters"),
    ("https://x..invalid/", "the host x..invalid: not a host name"),
    ("http://127.0.0.1:0/feed", "port 0 is no port a server listens on"),
    ("https://news.invalid:0/", "port 0 is no port a server listens on"),
]


@pytest.mark.parametrize(("url", "said"), HOSTS)
def test_the_config_refuses_a_host_name_sources_add_refuses_and_port_0(url: str, said: str) -> None:
    problems = _problems(url)
    assert len(problems) == 1 and problems[0].startswith("sources.yaml:8: sources[0].urls[1]: "), problems
    assert said in problems[0], problems


@pytest.mark.parametrize(
    "url",
    [
        "https://xn--bcher-kva.invalid/",
        "https://ουτοπία.δπθ.gr/",
        "https://москва.рф/",
        "https://127.0.0.1:1/x",
    ],
)
def test_the_config_keeps_a_host_of_one_script_or_encoded(url: str) -> None:
    assert load_sources("s.yaml", text=ENTRY.format(url=url)).sources[0].urls[1] == url


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (
            "example.invalid/feed",
            "'example.invalid/feed': no scheme; did you mean https://example.invalid/feed?",
        ),
        ("news.example.invalid:8080/rss", "no scheme; did you mean https://news.example.invalid:8080/rss?"),
        ("https://[::1]:99999/", "'https://[::1]:99999/': the port is not a number from 1 to 65535"),
        ("http://x.invalid:80a/", "the port is not a number from 1 to 65535"),
        ("ftp://x.invalid/", "only absolute http:// or https:// URLs"),
        ("https://user:pw@x.invalid/", "user information (user:password@) is not allowed"),
    ],
)
def test_the_config_names_a_missing_scheme_and_a_bad_port(url: str, said: str) -> None:
    problems = _problems(url)
    assert len(problems) == 1 and said in problems[0], problems


@pytest.mark.parametrize(
    ("url", "meant"),
    [
        ("htps://example.invalid/feed", "https://example.invalid/feed"),
        ("htttp://example.invalid/", "http://example.invalid/"),
        ("hhtps://example.invalid/rss", "https://example.invalid/rss"),
        ("http//example.invalid/a", "http://example.invalid/a"),
        ("https:/example.invalid/a", "https://example.invalid/a"),
        ("htpp://example.invalid/", "http://example.invalid/"),
        ("httsp://example.invalid/", "https://example.invalid/"),
        ("HTPS://example.invalid/x", "https://example.invalid/x"),
        ("hptts://example.invalid/x", "https://example.invalid/x"),
        ("htpps://example.invalid/x", "https://example.invalid/x"),
        ("hts://example.invalid/x", "https://example.invalid/x"),
        ("http:://example.invalid/x", "http://example.invalid/x"),
        ("https:://example.invalid/x", "https://example.invalid/x"),
        ("http;//example.invalid/x", "http://example.invalid/x"),
        ("https:\\\\example.invalid\\x", None),
        ("http:\\\\example.invalid/x", "http://example.invalid/x"),
        ("http:example.invalid/x", "http://example.invalid/x"),
        ("https:///example.invalid/x", "https://example.invalid/x"),
    ],
)
def test_the_config_names_a_mistyped_scheme(url: str, meant: str | None) -> None:
    """A scheme one typing slip from http or https (a letter added, left out, doubled, swapped or
    changed), or two slips of its own letters (hptts), or a separator other than :// made of colons,
    semicolons and slashes, is named with the URL meant; a backslash in the path is no address to
    suggest; ftp:// and others stay refused as before (the test above)."""
    problems = _problems(url)
    assert len(problems) == 1, problems
    if meant is None:
        assert "did you mean" not in problems[0], problems
    else:
        assert f"a mistyped scheme; did you mean {meant}?" in problems[0], problems


ZONE_ENTRY = """\
sources:
  - id: a1
    name: A
    publisher: P
    kind: feed
    urls: [https://a.invalid/feed]
    timezone: "{zone}"
"""


@pytest.mark.parametrize(
    ("zone", "meant"),
    [
        ("Europe/Brusels", "Europe/Brussels"),
        ("europe/paris", "Europe/Paris"),
        ("Europe/Lisabon", "Europe/Lisbon"),
        ("Europe/Bucharset", "Europe/Bucharest"),
        ("America/New York", "America/New_York"),
        ("Brussels", "Europe/Brussels"),
        ("rome", "Europe/Rome"),
        ("CEST", "Europe/Brussels"),
        ("MESZ", "Europe/Berlin"),
        ("EEST", "Europe/Athens"),
        ("XYZT", None),
        ("Mars/Olympus", None),
    ],
)
def test_the_config_names_the_time_zone_meant(zone: str, meant: str | None) -> None:
    """A near miss gets the zone meant, a city alone its zone, and an abbreviation the place that
    keeps it, never the nearest spelling (CEST is not EST, six hours off)."""
    with pytest.raises(ConfigError) as info:
        load_sources("sources.yaml", text=ZONE_ENTRY.format(zone=zone))
    [problem] = info.value.problems
    assert f"unknown IANA time zone '{zone}'" in problem, problem
    assert ("did you mean" in problem) is (meant is not None), problem
    if meant:
        assert f"did you mean {meant}" in problem, problem
