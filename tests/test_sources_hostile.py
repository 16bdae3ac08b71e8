"""Operator YAML that must be refused with one clear error naming the file: credentials in URLs,
alias bombs, repeated keys (each a class of input, tested as a table)."""

from __future__ import annotations

import pytest

from crawler.errors import ConfigError
from crawler.sources import load_sources

ENTRY = """sources:
  - id: a1
    name: A
    publisher: P
    kind: feed
    urls: [{url}]
"""


@pytest.mark.parametrize(
    "url",
    [
        "https://user:secretpw@example.org/rss.xml",
        "https://user@example.org/rss.xml",
        "http://:pw@example.org/feed",
        "https://ec.europa.eu@evil.example/feed",
        "HTTPS://a:b@EXAMPLE.ORG/",
        "ftp://example.org/feed",
        "https://example.org:99999/feed",
    ],
)
def test_urls_with_credentials_or_bad_parts_are_refused(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_sources(text=ENTRY.format(url=f'"{url}"'))
    message = str(info.value)
    said = "the port is not a number from 1 to 65535" if ":99999" in url else "user information"
    assert "urls" in message and said in message


@pytest.mark.parametrize(
    "url", ["https://example.org/rss.xml", "http://example.org:8080/a?b=c@d", "HTTPS://X.EU/f"]
)
def test_plain_web_urls_are_kept(url: str) -> None:
    assert load_sources(text=ENTRY.format(url=f'"{url}"')).sources[0].urls == [url]


def _bomb(levels: int, width: int = 9) -> str:
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    lines.append(f"sources: *a{levels}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [7, 9, 12])
def test_alias_bombs_are_refused_without_expanding(levels: int) -> None:
    with pytest.raises(ConfigError, match="expands to more than"):
        load_sources(text=_bomb(levels))


def test_a_few_shared_anchors_still_work() -> None:
    text = """defaults: &d
  publisher: P
  kind: feed
sources:
  - <<: *d
    id: a1
    name: A
    urls: ["https://example.org/a.xml"]
  - <<: *d
    id: a2
    name: B
    urls: ["https://example.org/b.xml"]
"""
    try:
        loaded = load_sources(text=text)
    except ConfigError as exc:  # an unknown top-level key is the schema's business, not the bomb check
        assert "expands" not in str(exc)
    else:
        assert [s.id for s in loaded.sources] == ["a1", "a2"]


@pytest.mark.parametrize(
    "entry",
    [
        '  - id: a1\n    id: a2\n    name: A\n    publisher: P\n    kind: feed\n    urls: ["https://x.eu/f"]\n',
        '  - id: a1\n    name: A\n    publisher: P\n    kind: feed\n    kind: api\n    urls: ["https://x.eu/f"]\n',
        '  - id: a1\n    name: A\n    name: B\n    publisher: P\n    kind: feed\n    urls: ["https://x.eu/f"]\n',
    ],
)
def test_repeated_keys_are_named(entry: str) -> None:
    with pytest.raises(ConfigError, match="duplicate key"):
        load_sources(text="sources:\n" + entry)
