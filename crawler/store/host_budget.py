"""One politeness budget per host for every crawl process on every machine (PostgreSQL only).

Rules (table ``host_budgets``, one row per lower-case host name):

- `reserve`: one short transaction reserves the host's next request start on the *database's*
  clock: start = max(next_at, now); next_at becomes start + max(delay, crawl_delay) * jitter. The
  row lock of the upsert serialises concurrent callers, so starts of every process are at least
  one gap apart whatever the machines' clocks say. Returns the seconds to sleep before sending
  (>= 0), or raises `HostClosed` while the host's ``closed_until`` lies ahead (nothing reserved).
- `push_back` (Retry-After up to the run's limit, back-off) moves next_at to at least now + seconds;
  `close` (a Retry-After beyond the limit) also sets closed_until and the error key; no closure
  reaches further than `HOST_PAUSE_MAX` (a day, crawler.health) from when it was written, and a row
  written before that cap (closed_until in 9999) is cut back to it on the next `reserve`;
  `closures` lists the hosts closed now (``ewsi sources status`` and ``check`` show them);
  `set_crawl_delay` records robots.txt Crawl-delay (seconds, already capped by the caller).
  What one process learns, every process obeys on its next `reserve`; push-back and closure also
  set ``held_until``, and `clear_to_send` (asked after the wait, just before sending) is False
  while it or the closure lies ahead, so a start reserved before the news is given up and reserved
  again rather than sent into a Retry-After.
- Slots (table ``host_slots``): `take_slot` holds one of `concurrency` in-flight places of a host
  for `lease` seconds (a crashed holder's place frees itself when the lease ends); `free_slot`
  gives it back. None from `take_slot` means every place is busy: wait and ask again.

Every function takes a `Connection` of a PostgreSQL engine and commits its own short transaction
through ``engine.begin()`` in the caller; SQLAlchemy errors propagate (the caller falls back to a
slower local gate). Other back ends raise `ValueError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, text

from crawler.errors import HostClosed
from crawler.health import HOST_PAUSE_MAX

CAP_S = HOST_PAUSE_MAX.total_seconds()
"""Longest closure in seconds (crawler.health `HOST_PAUSE_MAX`, a day)."""


@dataclass(frozen=True)
class Reservation:
    """A reserved start: `wait` seconds from now (database clock), `gap` seconds reserved after it."""

    wait: float
    gap: float


def _check(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        raise ValueError(f"the shared host budget needs PostgreSQL, not {conn.dialect.name}")


def _key(host: str) -> str:
    key = (host or "").strip().lower().rstrip(".")
    if not key:
        raise ValueError("host name is empty")
    return key[:255]


_RESERVE = text(
    """
    INSERT INTO host_budgets AS b (host, next_at, crawl_delay, updated_at)
    VALUES (:host, clock_timestamp() + make_interval(secs => :delay * :jitter), 0, clock_timestamp())
    ON CONFLICT (host) DO UPDATE
       SET next_at = GREATEST(b.next_at, clock_timestamp())
                     + make_interval(secs => GREATEST(:delay, b.crawl_delay) * :jitter),
           updated_at = clock_timestamp()
     WHERE b.closed_until IS NULL OR b.closed_until <= clock_timestamp()
    RETURNING b.next_at, GREATEST(:delay, b.crawl_delay) * :jitter AS gap, clock_timestamp() AS now
    """
)


def reserve(conn: Connection, host: str, delay: float, jitter: float = 1.0) -> Reservation:
    """Reserve the next start of a request to `host` (see the module docstring); raises `HostClosed`."""
    _check(conn)
    if delay < 0 or jitter <= 0:
        raise ValueError(f"delay must be >= 0 and jitter > 0, not {delay!r}, {jitter!r}")
    key = _key(host)
    row = conn.execute(_RESERVE, {"host": key, "delay": float(delay), "jitter": float(jitter)}).first()
    if row is None:
        conn.execute(  # a closure written before the cap: cut back to a day after it was written
            text(
                """
                UPDATE host_budgets SET closed_until = updated_at + make_interval(secs => :cap),
                       held_until = LEAST(held_until, updated_at + make_interval(secs => :cap)),
                       next_at = LEAST(next_at, updated_at + make_interval(secs => :cap))
                 WHERE host = :host AND closed_until > updated_at + make_interval(secs => :cap)
                """
            ),
            {"host": key, "cap": CAP_S},
        )
        row = conn.execute(_RESERVE, {"host": key, "delay": float(delay), "jitter": float(jitter)}).first()
    if row is None:
        closed = conn.execute(
            text("SELECT closed_until, closed_key FROM host_budgets WHERE host = :host"), {"host": key}
        ).one()
        raise HostClosed(key, closed.closed_until, closed.closed_key or "fetch.http_429")
    next_at, gap, now = row
    start = next_at.timestamp() - float(gap)
    return Reservation(wait=max(0.0, start - now.timestamp()), gap=float(gap))


def push_back(conn: Connection, host: str, seconds: float) -> None:
    """No request to `host` starts before now + `seconds` (database clock), for any process."""
    _check(conn)
    conn.execute(
        text(
            """
            INSERT INTO host_budgets AS b (host, next_at, crawl_delay, held_until, updated_at)
            VALUES (:host, clock_timestamp() + make_interval(secs => :s), 0,
                    clock_timestamp() + make_interval(secs => :s), clock_timestamp())
            ON CONFLICT (host) DO UPDATE
               SET next_at = GREATEST(b.next_at, clock_timestamp() + make_interval(secs => :s)),
                   held_until = GREATEST(COALESCE(b.held_until, clock_timestamp()),
                                         clock_timestamp() + make_interval(secs => :s)),
                   updated_at = clock_timestamp()
            """
        ),
        {"host": _key(host), "s": max(0.0, float(seconds))},
    )


def close(conn: Connection, host: str, seconds: float, key: str) -> None:
    """`host` is not to be contacted for `seconds` (at most `CAP_S`) by any process (`reserve` raises
    `HostClosed`)."""
    _check(conn)
    seconds = min(max(0.0, float(seconds)), CAP_S)
    conn.execute(
        text(
            """
            INSERT INTO host_budgets AS b
                   (host, next_at, crawl_delay, closed_until, closed_key, held_until, updated_at)
            VALUES (:host, clock_timestamp() + make_interval(secs => :s), 0,
                    clock_timestamp() + make_interval(secs => :s), :key,
                    clock_timestamp() + make_interval(secs => :s), clock_timestamp())
            ON CONFLICT (host) DO UPDATE
               SET next_at = GREATEST(b.next_at, clock_timestamp() + make_interval(secs => :s)),
                   held_until = GREATEST(COALESCE(b.held_until, clock_timestamp()),
                                         clock_timestamp() + make_interval(secs => :s)),
                   closed_until = GREATEST(COALESCE(b.closed_until, clock_timestamp()),
                                           clock_timestamp() + make_interval(secs => :s)),
                   closed_key = :key,
                   updated_at = clock_timestamp()
            """
        ),
        {"host": _key(host), "s": seconds, "key": key[:64]},
    )


def closures(conn: Connection) -> list[tuple[str, datetime, str]]:
    """Hosts closed now: (host, closed_until as aware UTC, error key), soonest reopening first; a
    closure reaching past `CAP_S` after it was written is shown as that cap (as `reserve` obeys it)."""
    _check(conn)
    rows = conn.execute(
        text(
            """
            SELECT host, LEAST(closed_until, updated_at + make_interval(secs => :cap)) AS until,
                   COALESCE(closed_key, 'fetch.http_429')
              FROM host_budgets
             WHERE LEAST(closed_until, updated_at + make_interval(secs => :cap)) > clock_timestamp()
             ORDER BY until, host
            """
        ),
        {"cap": CAP_S},
    ).all()
    return [(host, until if until.tzinfo else until.replace(tzinfo=UTC), key) for host, until, key in rows]


def clear_to_send(conn: Connection, host: str) -> bool:
    """False while a push-back or closure of `host` lies ahead (the caller reserves again)."""
    _check(conn)
    row = conn.execute(
        text(
            """
            SELECT COALESCE(held_until, '-infinity') <= clock_timestamp()
                   AND COALESCE(closed_until, '-infinity') <= clock_timestamp()
              FROM host_budgets WHERE host = :host
            """
        ),
        {"host": _key(host)},
    ).first()
    return True if row is None else bool(row[0])


def set_crawl_delay(conn: Connection, host: str, seconds: float) -> None:
    """Record robots.txt Crawl-delay of `host` (seconds >= 0) for every process."""
    _check(conn)
    conn.execute(
        text(
            """
            INSERT INTO host_budgets AS b (host, next_at, crawl_delay, updated_at)
            VALUES (:host, clock_timestamp(), :d, clock_timestamp())
            ON CONFLICT (host) DO UPDATE SET crawl_delay = :d, updated_at = clock_timestamp()
            """
        ),
        {"host": _key(host), "d": max(0.0, float(seconds))},
    )


def take_slot(conn: Connection, host: str, concurrency: int, holder: str, lease: float) -> int | None:
    """Hold a free in-flight place of `host` (0 .. concurrency-1) for `lease` seconds; None when all
    are held. An expired place is taken over."""
    _check(conn)
    row = conn.execute(
        text(
            """
            INSERT INTO host_slots AS s (host, slot, holder, expires_at)
            SELECT :host, n, :holder, clock_timestamp() + make_interval(secs => :lease)
              FROM generate_series(0, :n - 1) AS n
             WHERE NOT EXISTS (SELECT 1 FROM host_slots h WHERE h.host = :host AND h.slot = n
                                AND h.expires_at > clock_timestamp())
             ORDER BY n LIMIT 1
            ON CONFLICT (host, slot) DO UPDATE
               SET holder = :holder, expires_at = clock_timestamp() + make_interval(secs => :lease)
             WHERE s.expires_at <= clock_timestamp()
            RETURNING s.slot
            """
        ),
        {"host": _key(host), "holder": holder[:64], "lease": float(lease), "n": max(1, int(concurrency))},
    ).first()
    return None if row is None else int(row[0])


def free_slot(conn: Connection, host: str, slot: int, holder: str) -> None:
    """Give back place `slot` of `host` if `holder` still holds it."""
    _check(conn)
    conn.execute(
        text("DELETE FROM host_slots WHERE host = :host AND slot = :slot AND holder = :holder"),
        {"host": _key(host), "slot": int(slot), "holder": holder[:64]},
    )
