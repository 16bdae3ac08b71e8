"""The shared per-host politeness budget as the fetch layer sees it: blocking calls with a safe fallback.

`SharedHostBudget(url)` wraps crawler.store.host_budget for one process (call its methods from a
thread, never from the reactor). Rules:

- `reserve(host, delay, jitter)` -> seconds to wait before the request starts; raises
  `crawler.errors.HostClosed` while the host is closed for every process.
- When the database cannot be reached, the processes of this machine fall back to one gate per
  host shared by all of them (crawler.fetch.machine_gate: a locked file per host): they space the
  host's requests `fallback_factor` times the delay apart (default 8: the scheduler's and a
  worker's usual number of concurrent crawls), after the last start any process of the machine
  reserved (every database reservation also advances the machine's record, under the same file
  lock, so the two cannot interleave), and obey every push-back and closure any of them has seen:
  they wait longer, they never send faster. So one machine cut off sends to a host at most
  1 / fallback_factor of its budget; while k machines are cut off and others still reach the
  database, the host may get up to (1 + k / fallback_factor) times its budget for the length of the
  cut. The file lock is held for the database call, so a hanging database holds this machine's
  requests to that host too (they would hang on their own anyway). The first failure is logged,
  then one line per `LOG_EVERY_S`.
  Once the database answers again, the first reservation pushes the host's row past the starts the
  machine gave out locally, then reserves as usual.
- A reservation is a start time: a process woken more than `LATE_S` after it (a loaded machine)
  has lost its turn and reserves again, so its lateness never shortens the gap before the next
  process's start; `CHECK_AHEAD_S` before its start a process asks `clear_to_send` and reserves
  again when a push-back or closure arrived meanwhile (`wait_turn` does this with a blocking
  sleep; the fetch layer with its own). An unreachable database answers `clear_to_send` from
  what this process has seen.
- `take_slot` returns a slot number, or -1 when the database is unreachable (the process's own
  semaphore still bounds its requests in flight; the machine gate's spacing, 8x the delay, keeps
  requests of the machine from overlapping at usual answer times).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any

from crawler.errors import HostClosed
from crawler.fetch.machine_gate import MachineGate
from crawler.store import host_budget as store
from crawler.store.leader import is_database_error, one_line
from crawler.store.session import make_engine

log = logging.getLogger(__name__)

LOG_EVERY_S = 60.0
DEFAULT_FALLBACK_FACTOR = 8.0
LATE_S = 0.03
"""Seconds a process may wake after its reserved start and still send (else it reserves again):
lateness L shortens the gap before the next process's start by L (within the 0.05 s tolerance)."""
CHECK_AHEAD_S = 0.1
"""Seconds before a reserved start at which `clear_to_send` is asked (its round trip fits in it)."""
MAX_TURNS = 50
"""Reservations tried before a request is sent on the last one, late or not (a machine too loaded
to keep any appointment; each lost turn waited its own gap, so this is never reached in practice)."""


class SharedHostBudget:
    """One process's handle on the shared host budgets at `url` (PostgreSQL)."""

    def __init__(
        self,
        url: str,
        *,
        fallback_factor: float = DEFAULT_FALLBACK_FACTOR,
        engine: Any = None,
        machine: MachineGate | None = None,
    ):
        self.engine = engine or make_engine(url, pool_size=2, max_overflow=4)
        if self.engine.dialect.name != "postgresql":
            raise ValueError("the shared host budget needs PostgreSQL; SQLite keeps the in-process gate")
        self.fallback_factor = max(1.0, fallback_factor)
        self.holder = f"{socket.gethostname()[:40]}:{os.getpid()}"
        self.machine = machine or MachineGate()
        self._last_log = 0.0
        self.fallbacks = 0

    def _failed(self, what: str, exc: BaseException) -> None:
        self.fallbacks += 1
        now = time.monotonic()
        if self._last_log == 0.0 or now - self._last_log >= LOG_EVERY_S:
            self._last_log = now
            reason = one_line(exc)
            log.warning("shared host budget unreachable (%s: %s): spacing requests locally", what, reason)

    def reserve(self, host: str, delay: float, jitter: float = 1.0) -> float:
        """Seconds to wait before the next request to `host` may start (see the module docstring)."""
        with self.machine.locked(host) as record:
            try:
                with self.engine.begin() as conn:
                    ahead = record.local_until - time.monotonic()
                    if ahead > 0:  # starts given out locally while the database was away
                        store.push_back(conn, host, ahead)
                    reservation = store.reserve(conn, host, delay, jitter)
                record.local_until = 0.0
                # the floor of a later fallback of any process of this machine
                end = time.monotonic() + reservation.wait + reservation.gap
                record.next_at = max(record.next_at, end)
                return reservation.wait
            except HostClosed:
                raise
            except Exception as exc:
                if not is_database_error(exc):
                    raise
                self._failed("reserve", exc)
            now = time.monotonic()
            if record.closed_until > now:
                closed = (record.closed_until - now, record.closed_key)
            else:
                closed = None
                start = max(record.next_at, now)
                record.next_at = start + max(delay, 0.0) * jitter * self.fallback_factor
                record.local_until = record.next_at
        if closed is not None:
            raise HostClosed(host.lower(), _utc_in(closed[0]), closed[1])
        return start - now

    def clear_to_send(self, host: str) -> bool:
        """False while a push-back or closure of `host` lies ahead (see the module docstring)."""
        try:
            with self.engine.begin() as conn:
                return store.clear_to_send(conn, host)
        except Exception as exc:
            if not is_database_error(exc):
                raise
            self._failed("clear_to_send", exc)
        now = time.monotonic()
        with self.machine.locked(host) as record:
            return record.held_until <= now and record.closed_until <= now

    def wait_turn(self, host: str, delay: float, jitter: float = 1.0) -> int:
        """Block until this process may start a request to `host`; returns how many reservations it
        took (1 when it woke on time). Raises `HostClosed` like `reserve`."""
        for turn in range(1, MAX_TURNS + 1):
            wait = self.reserve(host, delay, jitter)
            due = time.monotonic() + wait
            if wait > CHECK_AHEAD_S:  # a shorter wait was reserved after any push-back there is
                time.sleep(wait - CHECK_AHEAD_S)
                if not self.clear_to_send(host):
                    continue
            left = due - time.monotonic()
            if left > 0:
                time.sleep(left)
            if time.monotonic() - due <= LATE_S:
                return turn
        return MAX_TURNS

    def _remember(self, host: str, seconds: float, closed_key: str | None = None) -> None:
        """Record a push-back (or with `closed_key`, a closure) in this machine's gate."""
        until = time.monotonic() + max(0.0, seconds)
        with self.machine.locked(host) as record:
            record.next_at = max(record.next_at, until)
            record.held_until = max(record.held_until, until)
            if closed_key is not None:
                record.closed_until = max(record.closed_until, until)
                record.closed_key = closed_key

    def _write(self, what: str, fn: Any, *args: Any) -> None:
        try:
            with self.engine.begin() as conn:
                fn(conn, *args)
        except Exception as exc:
            if not is_database_error(exc):
                raise
            self._failed(what, exc)

    def push_back(self, host: str, seconds: float) -> None:
        """No process starts a request to `host` for `seconds` (Retry-After, back-off)."""
        self._remember(host, seconds)
        self._write("push_back", store.push_back, host, seconds)

    def close(self, host: str, seconds: float, key: str) -> None:
        """No process contacts `host` for `seconds`; `key` is the error key its requests get."""
        self._remember(host, seconds, key)
        self._write("close", store.close, host, seconds, key)

    def set_crawl_delay(self, host: str, seconds: float) -> None:
        self._write("crawl_delay", store.set_crawl_delay, host, seconds)

    def take_slot(self, host: str, concurrency: int, lease: float) -> int | None:
        """A held in-flight place of `host`, None when all are busy, -1 when the database is down."""
        try:
            with self.engine.begin() as conn:
                return store.take_slot(conn, host, concurrency, self.holder, lease)
        except Exception as exc:
            if not is_database_error(exc):
                raise
            self._failed("take_slot", exc)
            return -1

    def free_slot(self, host: str, slot: int) -> None:
        if slot >= 0:
            self._write("free_slot", store.free_slot, host, slot, self.holder)

    def dispose(self) -> None:
        self.engine.dispose()


def _utc_in(seconds: float) -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(seconds=seconds)
