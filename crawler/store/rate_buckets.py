"""Token buckets of the portal API's rate limits, shared by every `ewsi serve` process (PostgreSQL).

Rule (the same as crawler.web.ratelimit's in-process buckets, on the database's clock): a key's bucket
holds at most `per_minute` tokens and refills at per_minute / 60 tokens per second; a request takes
one token when at least one is there, else it is refused with the seconds until one is back. One
upsert per request (row lock: concurrent servers charge one bucket in turn; the refill counts from
the later of the row's stamp and the statement's start, so waiting on the lock never adds tokens).
A new key starts full.
Other back ends raise ValueError (SQLite: one process, the in-process limiter is exact).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

_REFILL = "LEAST(:cap, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM statement_timestamp() - b.stamp)) * :rate)"
_TAKE = text(
    f"""
    INSERT INTO rate_buckets AS b (key, tokens, stamp, allowed)
    VALUES (:key, :cap - 1, statement_timestamp(), true)
    ON CONFLICT (key) DO UPDATE SET
        tokens = {_REFILL} - CASE WHEN {_REFILL} >= 1 THEN 1 ELSE 0 END,
        allowed = {_REFILL} >= 1,
        stamp = GREATEST(b.stamp, statement_timestamp())
    RETURNING b.allowed, b.tokens
    """
)


def take(bind: Any, key: str, per_minute: int, *, window_s: float = 60.0) -> tuple[bool, int, float]:
    """Charge one request to `key` in its own short transaction on `bind` (an Engine or Connection).

    Returns (allowed, whole tokens left, seconds until the next token when refused else 0); a
    `per_minute` below 1 refuses everything. `window_s`: the period the capacity refills in (60 s;
    3600 for a per-hour limit). SQLAlchemy errors propagate.
    """
    if bind.dialect.name != "postgresql":
        raise ValueError(f"shared rate limits need PostgreSQL, not {bind.dialect.name}")
    capacity = float(max(0, per_minute))
    if capacity <= 0:
        return False, 0, window_s
    rate = capacity / window_s
    engine = getattr(bind, "engine", bind)
    with engine.begin() as conn:
        allowed, tokens = conn.execute(_TAKE, {"key": key[:200], "cap": capacity, "rate": rate}).one()
    tokens = float(tokens)
    if allowed:
        return True, int(tokens), 0.0
    return False, 0, (1.0 - tokens) / rate
