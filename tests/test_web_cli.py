"""``ewsi users`` and ``ewsi serve`` (crawler.web.cli): accounts from stdin, names, proxies, ports.

Runs on SQLite and PostgreSQL (`db_url`); HTTP goes through FastAPI's TestClient over
``https://testserver`` so the ``Secure`` session cookie is sent back (tests/desklab.py).
"""

from __future__ import annotations

import io

import pytest
from desklab import SQLITE_ONLY

from crawler.store import review as store
from crawler.web.passwords import HASHER

# --- ewsi users -----------------------------------------------------------------------------------


@SQLITE_ONLY
def test_users_cli_reads_stdin_and_refuses_duplicates(db_url, engine, Session, monkeypatch, capsys) -> None:
    from crawler.web.cli import read_password, users_main

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert users_main(["add", "carol", "--role", "admin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert users_main(["add", "carol", "--role", "editor"]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert users_main(["add", "dave", "--role", "editor"]) == 1
    with Session() as s:
        user = store.get_user_by_name(s, "carol")
        assert user.role == "admin" and user.password_hash.startswith("$argon2id$")
        assert HASHER.verify(user.password_hash, "a long enough passphrase")
    answers = iter(["first passphrase!", "other passphrase"])
    with pytest.raises(ValueError, match="differ"):
        read_password(stdin_is_tty=True, ask=lambda _prompt: next(answers))


@pytest.mark.parametrize(
    "name", ["ev\nil", "ev\til", " bob", "bob ", "a b", "", "x" * 65, "bö", "b\u202eob", "eve\x00", "éva"]
)
def test_users_cli_refuses_bad_names(db_url, engine, Session, monkeypatch, capsys, name: str) -> None:
    """User names follow store.USER_NAME_RULE: refused with exit 2 before the password is read."""
    from crawler.web.cli import users_main

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    stdin = io.StringIO("a long enough passphrase\n")
    monkeypatch.setattr("sys.stdin", stdin)
    assert users_main(["add", name, "--role", "editor"]) == 2
    err = capsys.readouterr().err
    assert "a user name has 1 to 64 characters: letters A-Z and a-z, digits and . _ - @" in err
    assert err.count("\n") == 1 and "\u202e" not in err  # the name is shown escaped, on one line
    assert stdin.tell() == 0  # no password was asked for
    with Session() as s:
        assert store.list_users(s) == []
        with pytest.raises(ValueError, match="1 to 64 characters"):
            store.create_user(s, name, "editor", "$argon2id$not-used")


def test_users_cli_accepts_names_of_the_rule(db_url, engine, Session, monkeypatch) -> None:
    from crawler.web.cli import users_main

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    for name in ("ev.il-1@example.org", "A_b", "x" * 64, "7"):
        monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
        assert users_main(["add", name, "--role", "editor"]) == 0, name
    with Session() as s:
        assert sorted(u.name for u in store.list_users(s)) == sorted(
            ["ev.il-1@example.org", "A_b", "x" * 64, "7"]
        )
    for bad in ("-bob", ".bob", "@bob"):  # must start with a letter or digit
        with pytest.raises(ValueError):
            store.check_user_name(bad)


@SQLITE_ONLY
def test_serve_reads_client_addresses_from_named_proxies_only(db_url, engine, monkeypatch) -> None:
    """Behind a reverse proxy the per-address login limit needs each client's own address:
    ``--forwarded-allow-ips`` turns on uvicorn's proxy headers for those proxies only."""
    import uvicorn

    from crawler.web.cli import serve_main

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    assert serve_main(["--database-url", db_url]) == 0
    assert serve_main(["--database-url", db_url, "--forwarded-allow-ips", "10.0.0.5,10.0.0.6"]) == 0
    assert [(c["proxy_headers"], c["forwarded_allow_ips"]) for c in calls] == [
        (False, None),
        (True, "10.0.0.5,10.0.0.6"),
    ]


@pytest.mark.parametrize("port", ["99999", "0", "http"])
def test_serve_refuses_a_bad_port_before_starting(port, capsys) -> None:
    from crawler.web.cli import serve_main

    with pytest.raises(SystemExit) as exit_info:
        serve_main(["--port", port])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--port" in err and "Traceback" not in err
