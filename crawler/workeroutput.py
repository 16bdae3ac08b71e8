"""What a bounded worker's libraries say (crawler.worker): caught in the child, logged by the crawl.

Rule: nothing a library prints reaches the terminal except through the crawl's logging, into the
crawl log; the terminal shows the progress and the summary only. A worker child is a separate
interpreter whose stdout and stderr would be the crawl's terminal, and whose logging has no handler:
pypdf's ``logger.warning("EOF marker not found")`` of a cut PDF, the extract stage's own ``PDF
unreadable`` line, a ``warnings.warn`` and a C library writing to file descriptor 2 all went to the
terminal, above the summary table. So the child (`OutputCapture`, installed before it imports its
target):

- sends every log record of INFO and above to a collector (root handler; ``warnings.warn`` through
  `logging.captureWarnings`, as logger ``py.warnings``);
- points file descriptors 1 and 2 at an unnamed temporary file, so ``print``, Python's last-resort
  handler and C libraries write there;

and hands what a call produced back with its answer (`OutputCapture.drain`): at most `MAX_RECORDS`
records of at most `MAX_CHARS` characters, each on one line, plus the first `MAX_OUTPUT_BYTES` of
raw output as lines of the logger ``crawler.worker.output`` at WARNING; what is over is counted in
one more line. The crawl process logs each under its own logger name and level (`relay`), prefixed
by the call's label (the page's URL), so the crawl log says which page a library complained about.
A call whose child is killed (a time-out, memory) loses what that call said; the kill itself is
logged by the caller. Standard library only: the child imports it before anything else.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
from typing import IO

MAX_RECORDS = 20
"""Log records handed back per call at most (a PDF of 300 broken pages says the same 300 times)."""
MAX_CHARS = 500
"""Characters of one record's message kept."""
MAX_OUTPUT_BYTES = 16 * 1024
"""Bytes of raw stdout/stderr output handed back per call at most."""
OUTPUT_LOGGER = "crawler.worker.output"
"""Logger name of raw output lines (what was written to file descriptor 1 or 2)."""

Record = tuple[str, int, str]
"""(logger name, level number, message on one line) of one record handed back."""


def one_line(text: str) -> str:
    """`text` with its whitespace runs (newlines included) as one space, cut to `MAX_CHARS`."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_CHARS else line[: MAX_CHARS - 1] + "…"


class _Collector(logging.Handler):
    """Keeps the records of the current call (`OutputCapture.drain` empties it)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[Record] = []
        self.over = 0

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) >= MAX_RECORDS:
            self.over += 1
            return
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format
            message = str(record.msg)
        self.records.append((record.name, record.levelno, one_line(message)))


class OutputCapture:
    """The child's capture of logging, warnings and file descriptors 1 and 2 (module rule)."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - open for the child's life
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os.dup2(self._file.fileno(), 1)
        os.dup2(self._file.fileno(), 2)
        self._collector = _Collector()
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        root.addHandler(self._collector)
        root.setLevel(logging.INFO)
        logging.captureWarnings(True)

    def drain(self) -> list[Record]:
        """What was said since the last drain (module rule), and start afresh."""
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        records, over = self._collector.records, self._collector.over
        self._collector.records, self._collector.over = [], 0
        fd = self._file.fileno()
        size = os.lseek(fd, 0, os.SEEK_END)
        os.lseek(fd, 0, os.SEEK_SET)
        raw = os.read(fd, MAX_OUTPUT_BYTES) if size else b""
        os.ftruncate(fd, 0)
        lines = [line for line in raw.decode("utf-8", "replace").splitlines() if line.strip()]
        room = MAX_RECORDS - len(records)
        records += [(OUTPUT_LOGGER, logging.WARNING, one_line(line)) for line in lines[:room]]
        over += max(0, len(lines) - room)
        if over or size > MAX_OUTPUT_BYTES:
            note = f"{over} more records or lines not kept" if over else "output not kept"
            cut = f" (output of {size} bytes cut at {MAX_OUTPUT_BYTES})" if size > MAX_OUTPUT_BYTES else ""
            records.append((OUTPUT_LOGGER, logging.WARNING, note + cut))
        return records


def relay(records: object, label: str | None = None) -> None:
    """Log `records` (`OutputCapture.drain`, as received from the child) in this process, each under
    its logger name and level, prefixed by `label`; anything not shaped as records is ignored."""
    if not isinstance(records, list | tuple):
        return
    for record in records:
        if not (isinstance(record, tuple) and len(record) == 3):
            continue
        name, level, message = record
        if isinstance(name, str) and isinstance(level, int) and isinstance(message, str):
            logging.getLogger(name).log(level, "%s%s", f"{label}: " if label else "", message)
