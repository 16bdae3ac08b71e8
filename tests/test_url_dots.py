"""One address, however it is spelled: ``ewsi sources add`` refuses, and ``ewsi sources validate``
reports, a URL that is the same address as one already harvested (crawler.urls `source_url_key`).

Rule (RFC 3986 6.2.2 and 5.2.4): scheme and host without case, a default port written or not, escapes
of unreserved characters decoded and the others in upper case, dot segments removed from the path;
query parameters in any order, as the crawl's dedup reads a query (w3lib ``canonicalize_url``:
Scrapy's request fingerprints, pipelines.urls `identity_url`). A trailing slash, an empty segment,
another path or query value, another port or scheme make another address.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.errors import DuplicateSource, NoAnswer
from crawler.fetch.oneshot import Fetched
from crawler.onboard import add
from crawler.sources import load_sources
from crawler.urls import remove_dot_segments, same_source_url

KNOWN = "https://host.example/rss1.rdf"
CONFIG = f'sources:\n- {{id: known, name: n, publisher: p, kind: feed, urls: ["{KNOWN}"]}}\n'

# (spelling, same address as KNOWN?)
SPELLINGS = [
    ("https://host.example/./rss1.rdf", True),
    ("https://host.example/x/../rss1.rdf", True),
    ("https://host.example/x/y/../../rss1.rdf", True),
    ("https://host.example/../rss1.rdf", True),  # ".." above the root stays at the root
    ("https://host.example/%2E/rss1.rdf", True),  # %2E is "." (unreserved), then removed
    ("https://host.example/x/%2E%2E/rss1.rdf", True),
    ("https://host.example/./x/./../rss1.rdf", True),
    ("HTTPS://HOST.EXAMPLE/rss1.rdf", True),
    ("https://Host.Example:443/rss1.rdf", True),
    ("https://host.example./rss1.rdf", True),
    ("https://host.example/rss%31.rdf", True),  # %31 is "1"
    ("https://host.example/rss1.rdf#top", True),  # the fragment is not fetched
    ("http://host.example/rss1.rdf", False),  # another scheme
    ("https://host.example:8443/rss1.rdf", False),
    ("https://host.example/RSS1.rdf", False),  # path case counts
    ("https://host.example/rss1.rdf/", False),
    ("https://host.example//rss1.rdf", False),  # an empty segment is no dot segment
    ("https://host.example/x/rss1.rdf", False),
    ("https://host.example/.../rss1.rdf", False),  # "..." is a name, not a dot segment
    ("https://host.example/x/..rss1.rdf", False),
    ("https://host.example/rss1.rdf?x=1", False),
    ("https://www.host.example/rss1.rdf", False),
]


@pytest.mark.parametrize(("spelling", "same"), SPELLINGS)
def test_sources_add_refuses_another_spelling_of_a_known_address(spelling: str, same: bool) -> None:
    assert same_source_url(spelling, KNOWN) is same
    assert same_source_url(KNOWN, spelling) is same

    def fetch(url: str) -> Fetched:
        raise ConnectionError("not fetched in this test")

    if same:
        with pytest.raises(DuplicateSource, match="already harvested by source 'known'"):
            add(spelling, CONFIG, fetch, lambda url: (True, ""))
    else:
        with pytest.raises(NoAnswer, match="not fetched in this test"):  # a new address: add fetches it
            add(spelling, CONFIG, fetch, lambda url: (True, ""))


@pytest.mark.parametrize(("spelling", "same"), SPELLINGS)
def test_validate_reports_another_spelling_in_one_source(tmp_path: Path, spelling: str, same: bool) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        f'sources:\n- {{id: known, name: n, publisher: p, kind: feed, urls: ["{KNOWN}", "{spelling}"]}}\n',
        encoding="utf-8",
    )
    try:
        load_sources(path)
        problems: list[str] = []
    except Exception as exc:  # ConfigError carries the problems
        problems = list(getattr(exc, "problems", [str(exc)]))
    duplicate = [p for p in problems if "duplicate URL" in p]
    assert bool(duplicate) is same, problems


QUERIES = [
    ("https://api.example/v1?a=1&b=2", "https://api.example/v1?b=2&a=1", True),
    ("https://api.example/v1?lang=de&page=1&size=20", "https://api.example/v1?size=20&lang=de&page=1", True),
    ("https://api.example/v1?q=a%20b", "https://api.example/v1?q=a+b", True),
    ("https://api.example/v1?flag", "https://api.example/v1?flag=", True),
    ("https://api.example/v1?q=%7e", "https://api.example/v1?q=~", True),
    ("https://api.example/v1?a=1&a=2", "https://api.example/v1?a=2&a=1", True),  # pairs sorted
    ("https://api.example/v1?lang=de", "https://api.example/v1?lang=fr", False),
    ("https://api.example/v1?a=1", "https://api.example/v1?A=1", False),
    ("https://api.example/v1?a=1&b=2", "https://api.example/v1?a=1", False),
]


@pytest.mark.parametrize(("a", "b", "same"), QUERIES)
def test_a_query_is_one_address_in_any_parameter_order(a: str, b: str, same: bool) -> None:
    assert same_source_url(a, b) is same


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/a/b/c/./../../g", "/a/g"),  # RFC 3986 5.2.4's example
        ("mid/content=5/../6", "mid/6"),  # and its relative one
        ("/./", "/"),
        ("/a/b/..", "/a/"),
        ("/a/b/.", "/a/b/"),
        ("/../../a", "/a"),
        ("/a//b/../c", "/a//c"),
        ("/a/.b/..c/...", "/a/.b/..c/..."),
        ("", ""),
        ("/", "/"),
    ],
)
def test_remove_dot_segments(path: str, expected: str) -> None:
    assert remove_dot_segments(path) == expected
