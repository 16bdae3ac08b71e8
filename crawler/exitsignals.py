"""The end of a stopped or finished ``ewsi crawl``: later signals end it at once with exit 130.

Rule: once a crawl process has been stopped by a signal, or has finished its crawl and is only
reporting and exiting, every SIGINT, SIGTERM or SIGHUP up to the process's very end exits it at once
with `STOPPED_EXIT` (what stdout and stderr buffer flushed, the hooks of `on_exit_signal` run
first), never with a traceback or a death by the signal; a SIGHUP the process ignores from its start
(``nohup ewsi crawl``) stays ignored, here and in the crawl's guard (`answered`). Python joins
threads and runs its exit hooks after the command returned, and in its last steps it puts the
handlers it set back to the OS default, where a Ctrl-C killed the process (-2, SIGTERM 143). The
exit hooks step ignores the signals instead (`_ignore_signals`; Python keeps an ignored handler to
the end). Only the main thread can set handlers; elsewhere nothing is changed. Imports nothing
heavy: the command line uses it while it loads.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

STOPPED_EXIT = 130
"""Exit status of a process stopped by a signal (128 + SIGINT, what a shell reports for Ctrl-C)."""
SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""The signals that stop a crawl: Ctrl-C, a service manager's stop, a closed terminal or SSH session."""

_hooks: list[Callable[[], None]] = []
_armed = False


def on_exit_signal(hook: Callable[[], None] | None = None) -> None:
    """From now to the process's end, answer `SIGNALS` by `_exit_now` (module rule); `hook` runs
    first when one comes (killing child processes, say). Idempotent; main thread only."""
    global _armed
    if threading.current_thread() is not threading.main_thread():
        return
    if hook is not None and hook not in _hooks:
        _hooks.append(hook)
    for sig in answered():
        signal.signal(sig, _exit_now)
    if not _armed:
        _armed = True
        atexit.register(_ignore_signals)


def answered() -> tuple[signal.Signals, ...]:
    """`SIGNALS` less a SIGHUP the process was started to ignore (``nohup ewsi crawl``: a closed
    terminal must not stop it). Main thread only."""
    return tuple(sig for sig in SIGNALS if sig != signal.SIGHUP or signal.getsignal(sig) != signal.SIG_IGN)


def _exit_now(_signum: int, _frame: Any) -> None:
    for hook in _hooks:
        with contextlib.suppress(Exception):
            hook()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(STOPPED_EXIT)


def _ignore_signals() -> None:
    """At exit: `SIGNALS` ignored for the interpreter's last steps (module rule). The exit hooks
    registered before `on_exit_signal` run after this one, with the signals ignored: the project
    registers none that could hang."""
    for sig in SIGNALS:
        with contextlib.suppress(ValueError, OSError):
            signal.signal(sig, signal.SIG_IGN)
