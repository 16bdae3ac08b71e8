"""Where a YAML file is broken: every PyYAML error of a config file as ``FILE:LINE:COLUMN: ...``.

Rule (every YAML file the project reads: sources.yaml, config/themes.yaml, the desk's mail texts,
the submission template and criteria): a YAML error names the file, the line and the column, both
counted from 1. Scanner, parser and constructor errors carry PyYAML's ``problem_mark`` (else its
``context_mark``); a reader error (a character YAML refuses: NUL and the other C0 controls, U+FFFE,
a lone surrogate; or bytes that are not UTF-8) carries only a ``position``, which counts characters
of the decoded text, or bytes of the raw input for a decoding error, and is turned into line and
column here, with line breaks counted as YAML counts them (LF, CR, CR LF, NEL, LS, PS: the only
breaks a text of acceptable characters can have, and those `str.splitlines` knows).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from crawler.errors import ConfigError


def yaml_error_position(exc: yaml.YAMLError, text: str | bytes) -> tuple[int, int] | None:
    """(line, column), counted from 1, of `exc` raised while reading `text`; None when PyYAML gave
    no position."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return mark.line + 1, mark.column + 1
    if not isinstance(exc, yaml.reader.ReaderError):
        return None
    exc = _as_pyyaml_reads(exc, text)
    if isinstance(text, bytes):
        if exc.encoding != "unicode":  # a decoding error: the position counts raw bytes
            before = text[: exc.position].decode("utf-8", "replace")
        else:
            before = text.decode("utf-8", "replace")[: exc.position]
    else:
        before = text[: exc.position]
    lines = before.splitlines(keepends=True)
    if not lines:
        return 1, 1
    last = lines[-1]
    if last.splitlines()[0] != last:  # the text before ends with a line break
        return len(lines) + 1, 1
    return len(lines), len(last) + 1


def _as_pyyaml_reads(exc: yaml.reader.ReaderError, text: str | bytes) -> yaml.reader.ReaderError:
    """The reader error PyYAML's own reader gives for `text`: libyaml (the C loader) counts bytes
    where PyYAML counts characters and names a bad byte ``#x-001``; `exc` when they agree."""
    if not isinstance(text, bytes):
        return exc
    try:
        yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as again:
        return again
    except yaml.YAMLError:
        pass
    return exc


def yaml_problem(exc: yaml.YAMLError) -> str:
    """The one-line problem of `exc` (``unacceptable character #x0000: special characters are not
    allowed``, ``found character '\\t' that cannot start any token``), without PyYAML's position."""
    problem = getattr(exc, "problem", None)
    if problem:
        return str(problem)
    lines = str(exc).splitlines()
    return lines[0] if lines else type(exc).__name__


def yaml_error_line(name: str, exc: yaml.YAMLError, text: str | bytes, what: str) -> str:
    """``NAME:LINE:COLUMN: WHAT: PROBLEM`` of `exc` (module rule); ``NAME: WHAT: PROBLEM`` when
    PyYAML gave no position."""
    if isinstance(exc, yaml.reader.ReaderError):
        exc = _as_pyyaml_reads(exc, text)
    found = yaml_error_position(exc, text)
    where = f"{name}:{found[0]}:{found[1]}" if found else name
    return f"{where}: {what}: {yaml_problem(exc)}"


def load_yaml_file(path: Path) -> Any:
    """`yaml.safe_load` of the UTF-8 file at `path`; a YAML error raises `ConfigError` with one line
    ``FILE:LINE:COLUMN: YAML syntax error: PROBLEM`` (the file's name, module rule). OSError and
    UnicodeDecodeError propagate."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError([yaml_error_line(path.name, exc, text, "YAML syntax error")]) from None
