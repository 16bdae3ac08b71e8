"""Scheduler upkeep: what the leader does while the database is unreachable (`DatabaseOutage`), and
the per-process snapshot directories of the sources file (`remove_stale_snapshot_dirs`).

Both are used by crawler.scheduling.service; numbers and their reasons are at each constant.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("crawler.scheduling.service")

DB_POLL_MAX_S = 30.0
"""Longest wait between two attempts to reach a database that does not answer (seconds)."""
DB_POLL_MAX_POLLS = 8
"""That longest wait in leader polls, when shorter than `DB_POLL_MAX_S`: a short ``--leader-poll``
keeps a short takeover (T34 polls every 1 s with slots 15 s apart, and the slot after the outage
must find the database noticed: at most 8 s after it answers)."""
DB_SUMMARY_EVERY_S = 300.0
"""While the database stays unreachable, one summary line at most this often (seconds)."""

SNAPSHOT_PREFIX = "ewsi-schedule-"
OWNER_FILE = "owner.pid"
"""Name of the file holding the owning scheduler's pid inside its snapshot directory."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_snapshot_dirs(parent: Path | None = None) -> list[Path]:
    """Remove the ``ewsi-schedule-*`` directories under `parent` (default: the system's temporary
    directory) whose ``owner.pid`` names a process that no longer exists: a scheduler stopped with
    SIGKILL never removes its own. Directories without that file (or with an unreadable one), or
    whose owner is alive, are kept. Returns the removed paths."""
    parent = Path(parent or tempfile.gettempdir())
    removed = []
    for path in sorted(parent.glob(SNAPSHOT_PREFIX + "*")):
        try:
            pid = int((path / OWNER_FILE).read_text(encoding="ascii").split()[0])
        except (OSError, ValueError, IndexError):
            continue
        if pid <= 0 or pid == os.getpid() or _pid_alive(pid):
            continue
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    return removed


class DatabaseOutage:
    """What the scheduler does while the database cannot be reached (RELIABILITY.md T34: stay up).

    `failed(what, reason)` after each failed attempt: the first is logged at WARNING as
    ``<what>: <reason>`` (one line), later ones only as a summary every `DB_SUMMARY_EVERY_S`
    (``still cannot reach the database: N attempts since HH:MM UTC (<reason>)``); `recovered()`
    when the database answers again: one INFO line if it had been lost. `delay()` is the wait before
    the next attempt: `base_s` (the leader poll), doubling with each failure, capped at
    min(`DB_POLL_MAX_S`, `DB_POLL_MAX_POLLS` x `base_s`). `clock` is monotonic seconds, `wall` the
    UTC time (both injectable for tests).
    """

    def __init__(
        self,
        base_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.base_s = max(0.1, base_s)
        self.max_s = max(self.base_s, min(DB_POLL_MAX_S, DB_POLL_MAX_POLLS * self.base_s))
        self.clock = clock
        self.wall = wall
        self.failures = 0
        self.since: datetime | None = None
        self.reason: str | None = None
        self._summary_at = 0.0

    @property
    def down(self) -> bool:
        """True from a failed attempt until `recovered()`."""
        return self.failures > 0

    def delay(self) -> float:
        """Seconds to wait before the next attempt (see the class docstring)."""
        if not self.failures:
            return self.base_s
        return min(self.max_s, self.base_s * 2 ** min(self.failures - 1, 30))

    def failed(self, what: str, reason: str) -> None:
        """Count a failed attempt; log it if it is the first, or a summary if one is due."""
        self.failures += 1
        self.reason = reason
        now = self.clock()
        if self.failures == 1:
            self.since = self.wall()
            self._summary_at = now
            log.warning("%s: %s", what, reason)
        elif now - self._summary_at >= DB_SUMMARY_EVERY_S:
            self._summary_at = now
            log.warning(
                "still cannot reach the database: %d attempts since %s UTC (%s)",
                self.failures,
                self._since_text(),
                reason,
            )

    def recovered(self) -> None:
        """The database answered: log its return once (INFO) and reset the back-off."""
        if not self.failures:
            return
        log.info(
            "database reachable again after %d failed attempts since %s UTC",
            self.failures,
            self._since_text(),
        )
        self.failures = 0
        self.since = None
        self.reason = None

    def _since_text(self) -> str:
        return self.since.astimezone(UTC).strftime("%H:%M") if self.since else "?"
