"""The commands' rich consoles: terminal width on a terminal, `PIPE_WIDTH` columns otherwise.

rich falls back to 80 columns when output is not a terminal (a pipe, a file, `make run` in a CI
log), which folds source ids and error keys in the crawl summary and the status tables; a pipe is
read by a program or a wide log viewer, so tables there get `PIPE_WIDTH` columns and stay whole.
"""

from __future__ import annotations

import sys

from rich.console import Console

PIPE_WIDTH = 200
"""Columns of a table written to a pipe or a file."""


class _Console(Console):
    """rich's console, except that a reader who leaves (``ewsi queue | head -2``) ends the command as
    crawler.cli ends it for a plain ``print``: quietly, exit 0 (rich exits 1 with no word)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def console(*, stderr: bool = False) -> Console:
    """A console on stdout (or stderr): the terminal's width on a terminal, else `PIPE_WIDTH`."""
    stream = sys.stderr if stderr else sys.stdout
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        tty = False
    return _Console(stderr=stderr, width=None if tty else PIPE_WIDTH)
