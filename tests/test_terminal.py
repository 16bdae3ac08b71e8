"""Tables written to a pipe keep ids and keys whole (crawler.terminal)."""

from __future__ import annotations

import io

import pytest
from rich.table import Table

from crawler import terminal


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


class _Closed(io.StringIO):
    def isatty(self) -> bool:
        raise ValueError("I/O operation on closed file")


@pytest.mark.parametrize(
    ("stream", "stderr", "width"),
    [
        (_Stream(tty=False), False, terminal.PIPE_WIDTH),  # a pipe or a file
        (_Stream(tty=False), True, terminal.PIPE_WIDTH),  # stderr to a log
        (_Closed(), False, terminal.PIPE_WIDTH),  # a closed stream is no terminal
        (object(), False, terminal.PIPE_WIDTH),  # a stream without isatty
    ],
)
def test_console_width_off_a_terminal(monkeypatch, stream, stderr: bool, width: int) -> None:
    monkeypatch.setattr("sys.stderr" if stderr else "sys.stdout", stream)
    assert terminal.console(stderr=stderr).width == width


def test_console_on_a_terminal_takes_its_width(monkeypatch) -> None:
    monkeypatch.setattr("sys.stdout", _Stream(tty=True))
    monkeypatch.setenv("COLUMNS", "97")
    assert terminal.console().width == 97


def test_long_ids_stay_whole_in_a_piped_table(monkeypatch) -> None:
    ids = ["eu-funding-tenders-amif", "eu-funding-tenders-esf-plus", "eu-funding-tenders-cerv"]
    monkeypatch.setattr("sys.stdout", _Stream(tty=False))
    out = terminal.console()
    table = Table()
    for col in ("id", "state", "last run at", "last error key", "backoff until", "quarantined"):
        table.add_column(col)
    for source_id in ids:
        table.add_row(source_id, "failing", "2026-12-04T08:00:00", "fetch.blocked_by_site", "-", "0")
    with out.capture() as captured:
        out.print(table)
    text = captured.get()
    assert all(source_id in text for source_id in ids)
    assert "fetch.blocked_by_site" in text
