"""One crawl child: ``python -m crawler.runner SOURCE_ID --run-id N`` under a time limit.

The child runs in its own process group (session) so that a time limit or a stop can signal it and
everything it started, and so that a terminal's Ctrl-C or a ``kill -9`` of the scheduler does not
take a running crawl down with it: a crawl whose scheduler died keeps its heartbeat and finishes;
the next leader sees it running and leaves it alone.

Test-only: ``EWSI_SCHEDULER_CHILD_CMD`` (a shell-quoted command) replaces
``python -m crawler.runner``; it receives the same arguments (T37's stub records its run and sleeps).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CHILD_CMD_ENV = "EWSI_SCHEDULER_CHILD_CMD"
KILL_GRACE_S = 10.0
"""Seconds between SIGTERM and SIGKILL when a child reaches its time limit (Scrapy closes its spider
and its run on SIGTERM; a second signal would force an unclean stop)."""


@dataclass
class ChildResult:
    """How a child ended: `returncode` (negative: killed by that signal), `timed_out`, `stopped`."""

    returncode: int
    timed_out: bool = False
    stopped: bool = False
    duration_s: float = 0.0


def child_command(
    source_id: str,
    run_id: int,
    *,
    config: str | Path | None = None,
    replay: str | Path | None = None,
    command: str | None = None,
) -> list[str]:
    """The argv of the crawl child for `source_id` and claimed run `run_id`; `command` (a shell-quoted
    command line, test hook `CHILD_CMD_ENV`) replaces ``python -m crawler.runner`` when not blank."""
    override = (command or "").strip()
    base = shlex.split(override) if override else [sys.executable, "-m", "crawler.runner"]
    argv = [*base, source_id, "--run-id", str(run_id)]
    if config is not None:
        argv += ["--config", str(config)]
    if replay is not None:
        argv += ["--replay", str(replay)]
    return argv


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(proc.pid, sig)


class Child:
    """A started crawl child. `wait()` enforces `time_limit_s`; `stop(grace_s)` ends it early.

    `stop` may be called from another thread (the scheduler's shutdown) while `wait` blocks.
    """

    def __init__(self, argv: list[str], *, env: dict[str, str], time_limit_s: float):
        self.argv = argv
        self.time_limit_s = time_limit_s
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._stop_grace = KILL_GRACE_S
        self.proc: subprocess.Popen[bytes] = subprocess.Popen(
            argv, env=env, start_new_session=True, stdin=subprocess.DEVNULL
        )

    @property
    def pid(self) -> int:
        """Process id (also the process group id) of the child."""
        return self.proc.pid

    def stop(self, grace_s: float) -> None:
        """Ask the child to stop: SIGTERM now, SIGKILL after `grace_s` seconds (done by `wait`)."""
        self._stop_grace = grace_s
        self._stop.set()
        _signal_group(self.proc, signal.SIGTERM)

    def _terminate(self, grace_s: float) -> int:
        _signal_group(self.proc, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            _signal_group(self.proc, signal.SIGKILL)
            return self.proc.wait()

    def wait(self) -> ChildResult:
        """Block until the child ends; past its time limit it is terminated (TERM, grace, KILL)."""
        deadline = self.started + self.time_limit_s
        while True:
            if self._stop.is_set():
                code = self._terminate(self._stop_grace)
                return ChildResult(code, stopped=True, duration_s=time.monotonic() - self.started)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                log.warning("child %s reached its time limit of %.0f s", self.pid, self.time_limit_s)
                code = self._terminate(KILL_GRACE_S)
                return ChildResult(code, timed_out=True, duration_s=time.monotonic() - self.started)
            try:
                code = self.proc.wait(timeout=min(0.2, remaining))
            except subprocess.TimeoutExpired:
                continue
            stopped = self._stop.is_set()  # it ended on the SIGTERM of `stop`
            return ChildResult(code, stopped=stopped, duration_s=time.monotonic() - self.started)
