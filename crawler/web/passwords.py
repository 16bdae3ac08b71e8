"""Editor passwords: length policy and argon2id hashing (OWASP ASVS 4.0.3 2.1.1-2.1.4, 2.4).

Rules: 12 to 128 characters (code points), any Unicode, spaces kept; `hash_password` checks the
policy then hashes with argon2id via argon2-cffi, m = 19 MiB, t = 2, p = 1 (OWASP's minimum
profile, RELIABILITY.md guard rail "Web"); `verify_password` checks an absent hash against a dummy
one, so an unknown user and a wrong password take similar time. Errors: `PasswordPolicyError`
(a ValueError) for a password outside the length rule.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

PASSWORD_MIN = 12
PASSWORD_MAX = 128
HASHER = PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)
"""argon2id with m=19 MiB, t=2, p=1 (OWASP Password Storage Cheat Sheet minimum)."""
_DUMMY_HASH = HASHER.hash("dummy password for timing equalisation")


class PasswordPolicyError(ValueError):
    """The password breaks the length rule (12 to 128 characters)."""


def check_password_policy(password: str) -> None:
    """Raise `PasswordPolicyError` unless 12 <= len(password) <= 128 (code points; ASVS 2.1.1, 2.1.2)."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise PasswordPolicyError(f"a password needs {PASSWORD_MIN} to {PASSWORD_MAX} characters")


def hash_password(password: str) -> str:
    """The argon2id PHC string of `password` (``$argon2id$v=19$m=19456,t=2,p=1$...``), policy checked."""
    check_password_policy(password)
    return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; an absent hash is checked against a dummy one (same timing)."""
    try:
        return HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
