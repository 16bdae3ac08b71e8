"""`ewsi sources validate` (crawler.sources `load_sources`): the same URL twice, a file that is not
UTF-8, and a block of another kind.

Rules: a URL given again in the same source is an error at the repeat naming the first, by the
identity `ewsi sources add` refuses a duplicate with (scheme and host without case, the default port
written or not, path and query as fetched); two sources may fetch one URL (an API answer read with
other fields or another language, as ../shared/corpus2 reads the European Parliament's plenary
documents three times); a byte that is not UTF-8
is reported with its line and column; a `listing:` block on a source not of kind listing, or an
`api:` block on a source not of kind api, is an error at the block.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.discover import duplicate_of
from crawler.errors import ConfigError
from crawler.sources import load_sources


def _source(sid: str, kind: str, urls: list[str], extra: str = "") -> str:
    listed = ", ".join(f'"{u}"' for u in urls)
    return f"- {{id: {sid}, name: n, publisher: p, kind: {kind}, urls: [{listed}]{extra}}}\n"


def _problems(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + text, encoding="utf-8")
    try:
        load_sources(path)
    except ConfigError as exc:
        return [p.replace(f"{path}:", "") for p in exc.problems]
    return []


DUPLICATES = [
    # (first URL, second URL, same source?, expected problems)
    ("http://x.example/b", "HTTP://X.EXAMPLE:80/b", True,
     ["2: sources[0].urls[1]: duplicate URL 'HTTP://X.EXAMPLE:80/b', already harvested by this source"
      " (sources[0].urls[0], line 2)"]),
    ("https://x.example/b", "https://x.example.:443/b", True,
     ["2: sources[0].urls[1]: duplicate URL 'https://x.example.:443/b', already harvested by this source"
      " (sources[0].urls[0], line 2)"]),
    ("http://x.example/~b", "http://x.example/%7Eb", True,
     ["2: sources[0].urls[1]: duplicate URL 'http://x.example/%7Eb', already harvested by this source"
      " (sources[0].urls[0], line 2)"]),
    ("http://x.example/b", "http://x.example/b", True,
     ["2: sources[0].urls[1]: duplicate URL 'http://x.example/b', already harvested by this source"
      " (sources[0].urls[0], line 2)"]),
    # two sources may read one URL (other fields, another language)
    ("http://x.example/b", "HTTP://X.EXAMPLE:80/b", False, []),
    ("http://x.example/b", "http://x.example/b", False, []),
    # not the same source URL, as `add` sees it
    ("http://x.example/b", "https://x.example/b", True, []),
    ("http://x.example/b", "http://x.example/b/", True, []),
    ("http://x.example:8765/b", "http://x.example:8766/b", True, []),
    ("http://x.example/b?lang=de", "http://x.example/b?lang=fr", True, []),
]  # fmt: skip


@pytest.mark.parametrize(("one", "two", "same", "expected"), DUPLICATES)
def test_a_url_given_twice_is_reported_as_add_refuses_it(
    tmp_path: Path, one: str, two: str, same: bool, expected: list[str]
) -> None:
    text = (
        _source("aa", "feed", [one, two])
        if same
        else _source("aa", "feed", [one]) + _source("bb", "feed", [two])
    )
    assert _problems(text, tmp_path) == expected
    # the same identity rule as `ewsi sources add`
    assert (duplicate_of([two], {"aa": [one]}) == "aa") is (bool(expected) or not same)


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (
            b"sources:\n- {id: aa, name: caf\xe9, publisher: p, kind: feed, urls: [http://x.example/b]}\n",
            "2:21",
        ),
        (b"\xff\xfesources: []\n", "1:1"),
        (b"# Stra\xdfe\nsources: []\n", "1:7"),
        (b"sources:\n\n\n# \xc3\n", "4:3"),
    ],
)
def test_a_file_that_is_not_utf8_names_line_and_column(tmp_path: Path, raw: bytes, where: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_bytes(raw)
    with pytest.raises(ConfigError) as raised:
        load_sources(path)
    [problem] = raised.value.problems
    assert problem.startswith(f"{path}:{where}: cannot read: byte 0x")
    assert problem.endswith("save the file as UTF-8")


BLOCKS = [
    # (kind, extra fields, expected problems)
    ("ical", ", listing: {links: a}",
     ["2: sources[0].listing: does not apply to kind ical (only kind listing reads it); remove it or set"
      " `kind: listing`"]),
    ("feed", ", api: {items: r, title: t, link: u}",
     ["2: sources[0].api: does not apply to kind feed (only kind api reads it); remove it or set"
      " `kind: api`"]),
    ("ical", ", listing: {links: a}, api: {items: r, title: t, link: u}",
     ["2: sources[0].listing: does not apply to kind ical (only kind listing reads it); remove it or set"
      " `kind: listing`",
      "2: sources[0].api: does not apply to kind ical (only kind api reads it); remove it or set"
      " `kind: api`"]),
    ("listing", ", listing: {links: a}", []),
    ("api", ", api: {items: r, title: t, link: u}", []),
    ("sitemap", ", listing: null", []),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "extra", "expected"), BLOCKS)
def test_a_block_of_another_kind_is_reported(
    tmp_path: Path, kind: str, extra: str, expected: list[str]
) -> None:
    assert _problems(_source("aa", kind, ["http://x.example/b"], extra), tmp_path) == expected
