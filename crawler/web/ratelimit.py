"""In-process token-bucket rate limiter of the portal read API and feeds.

Each client has a bucket of `capacity` tokens (its per-minute limit) that refills continuously at
capacity / 60 tokens per second; a request takes one token or is refused with the number of seconds
until one is back (``429 Too Many Requests`` with ``Retry-After``). Keys: ``addr:<client address>``
for anonymous requests (the address the server saw: run uvicorn with ``--proxy-headers`` and
``--forwarded-allow-ips`` behind a reverse proxy so it is the real client), ``token:<id>`` for
requests with a valid API token, each with the token's own limit.

Where the buckets live: `SharedLimiter` (what the portal uses) keeps them in the database when it
is PostgreSQL (crawler.store.rate_buckets, the database's clock), so every `ewsi serve` process on
every machine charges the same bucket; on SQLite (one process) and, per process, while PostgreSQL
cannot be reached, it uses the in-process `TokenBucketLimiter` (the first failure is logged, then
one line a minute). In memory, past `max_keys`, full (idle) buckets are dropped first, so memory
stays bounded under address spraying.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crawler.store import rate_buckets
from crawler.store.leader import is_database_error, one_line

log = logging.getLogger(__name__)


@dataclass
class _Bucket:
    tokens: float
    capacity: float
    stamp: float
    window: float = 60.0


class TokenBucketLimiter:
    """Thread-safe token buckets keyed by client (see the module docstring).

    `clock` returns seconds (monotonic); injectable for tests. `max_keys` bounds the number of buckets.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 50_000) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, per_minute: int, *, window_s: float = 60.0) -> tuple[bool, int, float]:
        """Take one token from `key`'s bucket of `per_minute` capacity, refilled over `window_s`
        seconds (60; 3600 for a per-hour limit).

        Returns (allowed, tokens left rounded down, seconds until the next token when refused else 0).
        A `per_minute` below 1 refuses everything.
        """
        capacity = float(max(0, per_minute))
        if capacity <= 0:
            return False, 0, window_s
        rate = capacity / window_s
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self._max_keys:
                    self._prune(now)
                bucket = self._buckets[key] = _Bucket(capacity, capacity, now, window_s)
            else:
                bucket.tokens = min(capacity, bucket.tokens + (now - bucket.stamp) * rate)
                bucket.capacity = capacity
                bucket.stamp = now
                bucket.window = window_s
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return True, int(bucket.tokens), 0.0
            return False, 0, (1.0 - bucket.tokens) / rate

    def _prune(self, now: float) -> None:
        """Drop buckets that have refilled (their clients are idle); if none, the oldest half."""
        idle = [
            key
            for key, b in self._buckets.items()
            if b.tokens + (now - b.stamp) * b.capacity / b.window >= b.capacity
        ]
        if not idle:
            by_age = sorted(self._buckets, key=lambda k: self._buckets[k].stamp)
            idle = by_age[: max(1, len(by_age) // 2)]
        for key in idle:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


class SharedLimiter:
    """Rate limits shared by every server process through the database (see the module docstring)."""

    LOG_EVERY_S = 60.0

    def __init__(self, *, local: TokenBucketLimiter | None = None) -> None:
        self.local = local or TokenBucketLimiter()
        self._last_log = 0.0
        self.fallbacks = 0

    def take(
        self, key: str, per_minute: int, bind: Any = None, *, window_s: float = 60.0
    ) -> tuple[bool, int, float]:
        """As `TokenBucketLimiter.take`; `bind` (the request's Engine or Connection) selects the
        database's buckets when it is PostgreSQL."""
        if bind is not None and bind.dialect.name == "postgresql":
            try:
                return rate_buckets.take(bind, key, per_minute, window_s=window_s)
            except Exception as exc:
                if not is_database_error(exc):
                    raise
                self.fallbacks += 1
                now = time.monotonic()
                if self._last_log == 0.0 or now - self._last_log >= self.LOG_EVERY_S:
                    self._last_log = now
                    log.warning("shared rate limits unreachable (%s): limiting per process", one_line(exc))
        return self.local.take(key, per_minute, window_s=window_s)

    def __len__(self) -> int:
        return len(self.local)


def retry_after_header(seconds: float) -> str:
    """Whole seconds for a ``Retry-After`` header (at least 1)."""
    return str(max(1, math.ceil(seconds)))
