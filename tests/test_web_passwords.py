"""Editor passwords (crawler.web.passwords): argon2id parameters and the length rule (T44)."""

from __future__ import annotations

import pytest

from crawler.web.passwords import HASHER, hash_password

# --- T44 authentication ---------------------------------------------------------------------------------


def test_password_hash_is_argon2id_with_owasp_minimum() -> None:
    encoded = hash_password("twelve chars ok ünïcødé")
    params = dict(p.split("=") for p in encoded.split("$")[3].split(","))
    assert encoded.startswith("$argon2id$")
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1
    assert HASHER.verify(encoded, "twelve chars ok ünïcødé")


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("a" * 11, False),
        ("a" * 12, True),
        ("pass phrase with spaces", True),
        ("ключ доступа 🔑 ok", True),
        ("x" * 128, True),
        ("x" * 129, False),
    ],
)
def test_password_policy_lengths(password: str, ok: bool) -> None:
    if ok:
        assert hash_password(password).startswith("$argon2id$")
    else:
        with pytest.raises(ValueError, match="12 to 128"):
            hash_password(password)
