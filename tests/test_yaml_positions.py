"""Every YAML error of a config file names file, line and column (crawler.yamlerrors): characters
YAML refuses (NUL, other C0 controls, U+FFFE, a lone surrogate), bytes that are not UTF-8, tabs in
indentation and syntax errors, in sources.yaml, config/themes.yaml and the desk's YAML files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from classifier.themes import load as load_themes
from crawler.errors import ConfigError, ThemesConfigError
from crawler.sources import load_sources
from crawler.submissions import criteria
from crawler.yamlerrors import load_yaml_file

ROOT = Path(__file__).resolve().parents[1]

HEAD = "contact: x\nsources:\n- id: n1\n"

# (text of the file, line, column, words of the problem)
CASES: list[tuple[str, int, int, str]] = [
    (HEAD + '  name: "bad\x00name"\n', 4, 13, "#x0000"),
    (HEAD + "  name: bad\x01name\n", 4, 12, "#x0001"),
    (HEAD + "  name: bad\x1bname\n", 4, 12, "#x001b"),
    (HEAD + "  name: bad\x7fname\n", 4, 12, "#x007f"),
    (HEAD + "  name: bad\x0bname\n", 4, 12, "#x000b"),
    (HEAD + "  name: bad\x0cname\n", 4, 12, "#x000c"),
    (HEAD + "  name: bad\ufffename\n", 4, 12, "#xfffe"),
    (HEAD + "  name: bad\uffffname\n", 4, 12, "#xffff"),
    (HEAD + "  name: Caf\u00e9 \u00fcber \x00\n", 4, 19, "#x0000"),  # letters before it count once
    ("\x00contact: x\n", 1, 1, "#x0000"),
    (HEAD + "  name: n\r\n  urls: [\x00]\r\n", 5, 10, "#x0000"),  # CR LF line ends
    (HEAD + "  name: n\n\tpublisher: p\n", 5, 1, "cannot start any token"),  # a tab indents
    (HEAD + "  name: [n\n", 5, 1, "expected"),
    (HEAD + "  name: n\n name2: x\n", 5, 2, "expected <block end>"),
]


@pytest.mark.parametrize(("text", "line", "column", "problem"), CASES)
def test_sources_yaml_errors_name_line_and_column(text: str, line: int, column: int, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_sources("sources.yaml", text=text)
    [found] = info.value.problems
    assert found.startswith(f"sources.yaml:{line}:{column}: YAML syntax error: "), found
    assert problem in found and "\n" not in found


def test_a_lone_surrogate_is_named_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_bytes(HEAD.encode() + b'  name: "x"\n  publisher: "\xed\xb2\x80"\n')  # U+DC80 as UTF-8
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    assert info.value.problems == [
        f"{path}:5:15: cannot read: byte 0xed is not UTF-8 (invalid continuation byte); "
        "save the file as UTF-8"
    ]


@pytest.mark.parametrize(
    ("raw", "line", "column", "problem"),
    [
        (b"schema: 1\nthemes:\n  a: b\x00c\n", 3, 7, "#x0000"),
        (b"schema: 1\nthemes:\n  a: \xc3\xa9\xc3\xa9\x00c\n", 3, 8, "#x0000"),  # libyaml counts bytes
        (b"schema: 1\nthemes:\n  a: \xef\xbf\xbe\n", 3, 6, "#xfffe"),
        (b"schema: 1\nthemes:\n  a: caf\xe9\n", 3, 9, "invalid continuation byte"),
        (b"schema: 1\nthemes:\n\ta: b\n", 3, 1, "cannot start any token"),
        (b"schema: [1\n", 2, 1, "expected"),
    ],
)
def test_themes_yaml_errors_name_line_and_column(
    tmp_path: Path, raw: bytes, line: int, column: int, problem: str
) -> None:
    path = tmp_path / "themes.yaml"
    path.write_bytes(raw)
    with pytest.raises(ThemesConfigError) as info:
        load_themes(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}:{column}: not valid YAML: "), message
    assert problem in message and "\n" not in message


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("criteria:\n- id: a\x00\n", 2, 8), ("criteria:\n\t- id: a\n", 2, 1), ("criteria: [\n", 2, 1)],
)
def test_desk_yaml_files_name_line_and_column(tmp_path: Path, text: str, line: int, column: int) -> None:
    path = tmp_path / "criteria.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_yaml_file(path)
    assert info.value.problems[0].startswith(f"criteria.yaml:{line}:{column}: YAML syntax error: ")
    criteria.cache_clear()
    with pytest.raises(ConfigError) as again:
        criteria(path)
    assert again.value.problems == info.value.problems


def test_sources_validate_names_the_nul_byte(tmp_path: Path) -> None:
    path = tmp_path / "nul.yaml"
    path.write_bytes(
        b'contact: x\nsources:\n- id: n1\n  name: "bad\x00name"\n  publisher: p\n  kind: feed\n'
        b'  urls: ["http://127.0.0.1:18731/a\x00b"]\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "sources", "validate", "--config", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert f"{path}:4:13: YAML syntax error: unacceptable character #x0000" in result.stderr
