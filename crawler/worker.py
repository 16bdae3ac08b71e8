"""A bounded worker process: run one function on untrusted input with memory and time limits.

The extraction stage (trafilatura, pypdf, lxml) runs here so that a pathological page or a PDF bomb
costs one item, never the crawl or the machine (../shared/RELIABILITY.md §2 "Extraction worker",
T13-T16). One persistent child process is reused across calls (the per-call cost is one pickle
round trip over a pipe); it is started lazily and restarted after it was killed.

Limits, per call:
- address space of the child: `MEMORY_LIMIT_BYTES` (768 MiB) via ``setrlimit(RLIMIT_AS)`` set in the
  child before it imports the target; an allocation past it raises MemoryError, kills the child, or
  comes back from a C library as some other error; all three are answered as ``memory`` (the last
  one recognised by the call's peak address space reaching `CEILING_SHARE` of the limit) and the
  child exits, so the next call gets a fresh heap;
- wall time: the caller's `timeout` (20 s HTML, 30 s PDF in the extract stage); past it the child is
  killed with SIGKILL and the call reports ``timeout``.

The child is a fresh interpreter (``python -m crawler.worker``) talking over a socket pair with
`multiprocessing.connection.Connection` framing: forking a process that runs Scrapy's reactor and its
thread pool could copy held locks, and multiprocessing's spawn would re-import the caller's main
module. The target is named as ``"module:function"`` and imported in the child only, so this module
imports nothing of the project but crawler.workeroutput (standard library only). Thread-safe for
one caller at a time (a lock serialises calls); Scrapy's pipelines call it from the reactor thread.

Rule (what the child's libraries say; crawler.workeroutput): the child's log records, warnings and
anything written to its stdout or stderr never reach the terminal; they come back with each answer
and `call` logs them in the calling process, prefixed by the call's `label`, into the crawl log.

Rule (interruptions): an interruption is never a strike against a page. The child ignores SIGINT
(a Ctrl-C reaches the whole foreground process group, the child included): the crawl process
decides when it stops and tells its workers (`stop_all`, crawler.runner.ShutdownGuard). Once told,
a call whose child dies, is killed or does not answer in time reports ``interrupted``, never
``timeout`` or ``memory``, and a child that died is not started again; so does a call whose child
was ended by SIGINT or SIGTERM (sent to the process group, before the crawl's own handler ran).
Without a stop, the extraction in flight goes on to its end. `stop_all(at_once=True)` (a second
signal) kills the children, so a call in flight returns at once, ``interrupted``.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any
from weakref import WeakSet

from crawler.workeroutput import OutputCapture, relay

if __name__ == "__main__":  # the child: Ctrl-C is the crawl's to answer (module docstring)
    signal.signal(signal.SIGINT, signal.SIG_IGN)

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
MEMORY_LIMIT_BYTES = 768 * MIB
"""Address-space limit of the worker (RELIABILITY.md §2, measured 1.7 GB for trafilatura on T13a)."""
START_TIMEOUT_S = 60.0
"""How long a fresh worker may take to import its target before the call counts as a timeout."""

_MEMORY_EXIT = 3
INTERRUPT_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""Signals that end a child by interruption, not by a fault of the page it was reading (SIGHUP: the
terminal of the crawl's process group closed)."""
_WORKERS: WeakSet[BoundedWorker] = WeakSet()


def stop_all(*, at_once: bool = False) -> None:
    """Tell every worker of this process that the crawl is shutting down (module docstring);
    `at_once`: kill their children too. Safe to call from a signal handler."""
    for worker in list(_WORKERS):
        worker.stop(at_once=at_once)


def resume_all() -> None:
    """Take back `stop_all`: the workers' calls count kills again (a process that goes on)."""
    for worker in list(_WORKERS):
        worker.stopping.clear()


@dataclass(frozen=True)
class WorkerResult:
    """Outcome of one `BoundedWorker.call`.

    value: what the target returned (None unless `error` is None).
    error: None, ``"timeout"`` (killed at the wall limit), ``"memory"`` (MemoryError or the child died,
        which under the address-space limit means an allocation failed), ``"error"`` (the target
        raised; `detail` holds ``Type: message``) or ``"interrupted"`` (the crawl is shutting down,
        or the child was ended by SIGINT or SIGTERM: no fault of the input, module docstring).
    seconds: wall time of the call in the parent, start-up of a fresh worker excluded.
    peak_rss_bytes: the worker's peak resident set size so far (VmHWM), None when unknown.
    """

    value: Any = None
    error: str | None = None
    detail: str | None = None
    seconds: float = 0.0
    peak_rss_bytes: int | None = None


def _peak_rss_self() -> int | None:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so it would include the parent's size
    return _proc_status_bytes("self", "VmHWM:")


def _serve(conn: Connection, target: str, memory_bytes: int) -> None:
    """Child main loop: receive argument tuples, answer (status, value, peak_rss, said) tuples, `said`
    what the call's libraries logged or printed (module rule, crawler.workeroutput)."""
    capture = OutputCapture()

    def said() -> list[tuple[str, int, str]]:
        try:
            return capture.drain()
        except (MemoryError, OSError):
            return []

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    conn.send(("ready", None, _peak_rss_self(), said()))
    while True:
        try:
            args = conn.recv()
        except (EOFError, OSError):
            return
        if args is None:
            return
        try:
            value = function(*args)
        except MemoryError:
            value = None  # free what we can before answering
            try:
                conn.send(("memory", None, _peak_rss_self(), said()))
            finally:
                os._exit(_MEMORY_EXIT)  # the heap may be in a bad state: start afresh
        except Exception as exc:  # the target promises not to raise; report it if it does
            if _hit_ceiling(memory_bytes):
                conn.send(("memory", None, _peak_rss_self(), said()))
                os._exit(_MEMORY_EXIT)
            conn.send(("error", f"{type(exc).__name__}: {str(exc)[:300]}", _peak_rss_self(), said()))
            continue
        if _hit_ceiling(memory_bytes):
            # the libraries turn a failed allocation into their own errors (lxml: "XPathEvalError:
            # unknown error"); a peak at the ceiling says what happened: report it and start afresh
            conn.send(("memory", None, _peak_rss_self(), said()))
            os._exit(_MEMORY_EXIT)
        try:
            conn.send(("ok", value, _peak_rss_self(), said()))
        except MemoryError:
            os._exit(_MEMORY_EXIT)


CEILING_SHARE = 0.95
"""A call whose peak address space reached this share of the limit ran out of memory."""


def _hit_ceiling(memory_bytes: int) -> bool:
    peak = _proc_status_bytes("self", "VmPeak:")
    return peak is not None and peak >= memory_bytes * CEILING_SHARE


def _proc_status_bytes(pid: int | str, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _vm_hwm(pid: int) -> int | None:
    """Peak RSS of a live process from /proc (bytes), or None."""
    return _proc_status_bytes(pid, "VmHWM:")


class BoundedWorker:
    """A persistent child process running `target` (``"module:function"``) under limits.

    `call(*args, timeout=s)` returns a `WorkerResult`; it never raises for anything the child does.
    `restarts` counts how often the child had to be replaced; `close()` stops it (also at exit).
    """

    def __init__(self, target: str, *, memory_bytes: int = MEMORY_LIMIT_BYTES):
        self.target = target
        self.memory_bytes = memory_bytes
        self.restarts = 0
        self.calls = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        self._started = False
        self.stopping = threading.Event()
        """Set by `stop` (the crawl is shutting down): failures are ``interrupted``, no restart."""
        _WORKERS.add(self)

    def stop(self, *, at_once: bool = False) -> None:
        """The crawl is shutting down: from now on a call that fails is ``interrupted``; `at_once`
        also kills the child, so a call in flight returns now. No lock: a call may hold it."""
        self.stopping.set()
        process = self._process
        if at_once and process is not None:
            with contextlib.suppress(OSError):
                process.kill()

    def _interrupted(self) -> bool:
        """Whether the call that just failed was interrupted: the crawl is stopping, or the child
        was ended by SIGINT or SIGTERM (reaped here when it has just died)."""
        if self.stopping.is_set():
            return True
        process = self._process
        if process is None:
            return False
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(0.5)
        code = process.returncode
        return code is not None and -code in INTERRUPT_SIGNALS

    # -- life cycle -------------------------------------------------------------------------------
    def _start(self) -> None:
        self._started = True
        parent_sock, child_sock = socket.socketpair()
        command = [sys.executable, "-m", "crawler.worker", self.target, str(self.memory_bytes),
                   str(child_sock.fileno())]  # fmt: skip
        try:
            process = subprocess.Popen(command, pass_fds=[child_sock.fileno()], stdin=subprocess.DEVNULL)
        finally:
            child_sock.close()
        conn = Connection(parent_sock.detach())
        self._process, self._conn = process, conn
        try:
            ready = conn.poll(START_TIMEOUT_S)
            answer: tuple[Any, ...] = conn.recv() if ready else ("no answer",)
            status = answer[0]
            relay(answer[3] if len(answer) > 3 else None, f"worker {self.target} start")
        except (EOFError, OSError):
            status = "exited"
        if status != "ready":
            self._kill()
            raise RuntimeError(f"extraction worker for {self.target} failed to start: {status}")

    def _kill(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is not None and process.poll() is None:
            process.kill()
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        """Stop the child (politely, then by force)."""
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(OSError):
                    self._conn.send(None)
            if self._process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._process.wait(2)
            self._kill()

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    # -- calls ------------------------------------------------------------------------------------
    def ensure_started(self) -> None:
        """Start the child now if it is not running (it imports its target: about a second), so the
        first call does not wait for it. RuntimeError when it fails to start."""
        with self._lock:
            self._running()

    def _running(self) -> None:
        if self._process is None or self._process.poll() is not None:
            if self._process is not None:
                self.restarts += 1
            self._kill()
            self._start()

    def call(self, *args: Any, timeout: float, label: str | None = None) -> WorkerResult:
        """Run the target on `args` (picklable) in the child with a wall limit of `timeout` seconds;
        what the child's libraries said is logged here, prefixed by `label` (module rule)."""
        with self._lock:
            if self.stopping.is_set() and self._started and self.pid is None:
                self._kill()  # ended while the crawl stops: not started again
                return WorkerResult(error="interrupted", detail="the crawl is shutting down")
            try:
                self._running()
            except RuntimeError:
                if self._interrupted():
                    self._kill()
                    return WorkerResult(error="interrupted", detail="the crawl is shutting down")
                raise
            assert self._process is not None and self._conn is not None
            pid = self._process.pid
            self.calls += 1
            started = time.monotonic()
            try:
                self._conn.send(args)
                answered = self._conn.poll(timeout)
            except (OSError, EOFError):
                answered = False
            if not answered:
                seconds = time.monotonic() - started
                peak = _vm_hwm(pid) if pid else None
                dead = self._process.poll() is not None
                interrupted = self._interrupted()
                self._kill()
                self.restarts += 1
                if interrupted:
                    return WorkerResult(error="interrupted", detail="the crawl is shutting down",
                                        seconds=seconds, peak_rss_bytes=peak)  # fmt: skip
                if dead:  # died without a word: the kernel or the allocator ended it
                    return WorkerResult(error="memory", detail="worker died", seconds=seconds,
                                        peak_rss_bytes=peak)  # fmt: skip
                return WorkerResult(error="timeout", detail=f"no answer within {timeout:g} s",
                                    seconds=seconds, peak_rss_bytes=peak)  # fmt: skip
            try:
                status, value, peak, said = self._conn.recv()
            except (EOFError, OSError):
                seconds = time.monotonic() - started
                interrupted = self._interrupted()
                self._kill()
                self.restarts += 1
                if interrupted:
                    return WorkerResult(error="interrupted", detail="the crawl is shutting down",
                                        seconds=seconds)  # fmt: skip
                return WorkerResult(error="memory", detail="worker died", seconds=seconds)
            seconds = time.monotonic() - started
            relay(said, label)
            if status == "memory":
                self._kill()
                self.restarts += 1
                return WorkerResult(
                    error="memory", detail="MemoryError", seconds=seconds, peak_rss_bytes=peak
                )
            if status == "error":
                return WorkerResult(error="error", detail=value, seconds=seconds, peak_rss_bytes=peak)
            return WorkerResult(value=value, seconds=seconds, peak_rss_bytes=peak)

    def __enter__(self) -> BoundedWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _main(argv: list[str]) -> int:
    """Child entry: ``python -m crawler.worker MODULE:FUNCTION MEMORY_BYTES FD``."""
    target, memory, fd = argv
    _serve(Connection(int(fd)), target, int(memory))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
