"""A per-host gate shared by every process of this user on this machine: one small locked file per host.

Why: when the shared budget's database cannot be reached, each crawl process used to space a
host's requests on its own; four processes on one machine then started requests 0.124 s apart
against a 0.5 s budget (bench/workers_faults.py, PostgreSQL crashed, issue 17). The fallback must
space the processes of a machine against each other.

Rule: `MachineGate().locked(host)` takes an exclusive ``flock`` on ``<directory>/<sha1 of the
lower-case host>.json`` (default directory ``<temporary directory>/ewsi-host-gate-<uid>``, mode 0700,
the same per-user, per-machine convention as crawler.cpu_slots), yields the host's `HostRecord`
and writes it back when the block ends. The kernel drops the lock of a process that dies, even by
``kill -9``, so a host is never locked for good. Times in a record are ``time.monotonic()`` seconds:
on Linux that clock (CLOCK_MONOTONIC) is one clock for every process of the machine, and it starts
again at boot, so a record carries the kernel's boot id and one left from an earlier boot counts as
empty. An unreadable or foreign record counts as empty too (no constraint), never as an error.
Standard library only.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path


@dataclass
class HostRecord:
    """What this machine's processes know of one host (``time.monotonic()`` seconds; 0: none)."""

    next_at: float = 0.0
    """No request starts before this (the end of the last start's gap, push-backs)."""
    local_until: float = 0.0
    """End of the gaps handed out while the database was unreachable (to push into it later)."""
    held_until: float = 0.0
    """A push-back lies ahead until then: a start reserved earlier is given up."""
    closed_until: float = 0.0
    closed_key: str = ""
    boot: str = ""
    """The boot the times belong to (`boot_id`)."""


def boot_id() -> str:
    """The kernel's id of this boot (Linux), or "" where there is none."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


BOOT = boot_id()


def default_directory() -> Path:
    """``<temporary directory>/ewsi-host-gate-<uid>``: shared by this user's processes on this machine."""
    return Path(tempfile.gettempdir()) / f"ewsi-host-gate-{os.getuid()}"


def _read(fd: int) -> HostRecord:
    os.lseek(fd, 0, os.SEEK_SET)
    raw = os.read(fd, 65536)
    try:
        data = json.loads(raw or b"{}")
        known = {f.name for f in fields(HostRecord)}
        record = HostRecord(**{k: v for k, v in data.items() if k in known})
    except (ValueError, TypeError, AttributeError):
        return HostRecord(boot=BOOT)
    return record if record.boot == BOOT else HostRecord(boot=BOOT)


class MachineGate:
    """Per-host records shared by the processes of this machine (see the module docstring)."""

    def __init__(self, directory: Path | None = None):
        self.directory = directory or default_directory()
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    def path(self, host: str) -> Path:
        digest = hashlib.sha1(host.strip().lower().rstrip(".").encode(), usedforsecurity=False)
        return self.directory / f"{digest.hexdigest()}.json"

    @contextlib.contextmanager
    def locked(self, host: str) -> Iterator[HostRecord]:
        """Hold `host`'s record exclusively for the ``with`` block; changes to it are saved."""
        fd = os.open(self.path(host), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            record = _read(fd)
            before = asdict(record)
            yield record
            if asdict(record) != before:
                data = json.dumps(asdict(record)).encode()
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, data)
                os.ftruncate(fd, len(data))
        finally:
            os.close(fd)  # closing drops the lock
