"""A machine-wide gate on CPU-heavy work: at most `slots` holders at once, across every process.

Why: extraction (trafilatura, pypdf, lxml in the bounded worker, crawler.worker) is the crawl's
CPU-bound stage. On a 2-core machine, four ``ewsi worker`` processes each ran a crawl child and its
extraction worker at once: eight busy processes on two cores, and four workers harvested 0.72x the
items per second of two (bench/workers_throughput.py, issue 17). With the gate, a crawl whose
extraction finds every slot taken waits for one instead of thrashing, while its network waits
(politeness delays, slow hosts) still overlap with the other crawls' work.

Rule: `CpuSlots(n).hold()` takes one of `n` slots (``EWSI_CPU_SLOTS``; 0 or unset: ``os.cpu_count()``)
for the duration of the ``with`` block and returns the seconds it waited. Slots are ``n`` lock files
in `directory` (default ``<temporary directory>/ewsi-cpu-slots-<uid>``, mode 0700, one per user and
machine): a holder takes an exclusive ``flock`` on a free one, trying all ``n`` without blocking
(starting at an index derived from the process id, so holders spread), then sleeping
`POLL_S` and trying again. The kernel drops the lock of a process that dies, even by ``kill -9``,
so a slot is never leaked. Not re-entrant: a holder that asks again takes a second slot.
This module imports only the standard library.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

POLL_S = 0.005
"""Seconds between two rounds of tries while every slot is taken (extractions last 10-500 ms)."""


def default_directory() -> Path:
    """``<temporary directory>/ewsi-cpu-slots-<uid>``: shared by this user's processes on this machine."""
    return Path(tempfile.gettempdir()) / f"ewsi-cpu-slots-{os.getuid()}"


def slot_count(configured: int) -> int:
    """The number of slots for setting value `configured`: itself when > 0, else the CPU count (>= 1)."""
    return configured if configured > 0 else max(1, os.cpu_count() or 1)


class CpuSlots:
    """At most `slots` holders of `hold()` at once on this machine (see the module docstring)."""

    def __init__(self, slots: int, directory: Path | None = None):
        self.slots = slot_count(slots)
        self.directory = directory or default_directory()
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.waited_s = 0.0
        """Seconds this object's holders waited in all."""

    @contextlib.contextmanager
    def hold(self) -> Iterator[float]:
        """Hold one slot for the ``with`` block; yields the seconds waited for it."""
        started = time.monotonic()
        first = os.getpid() % self.slots
        while True:
            for i in range(self.slots):
                index = (first + i) % self.slots
                fd = os.open(self.directory / f"slot-{index}.lock", os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                waited = time.monotonic() - started
                self.waited_s += waited
                try:
                    yield waited
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    os.close(fd)
                return
            time.sleep(POLL_S)
